use crate::common::{TestApp, body};
use reqwest::StatusCode;
use serde_json::{Value, json};

const FIND: &str = "/sbersafe/api/clients/find";
const OTP: &str = "/sbersafe/api/auth/otp";
const TOKEN: &str = "/sbersafe/api/auth/token";
const CLIENTS: &str = "/sbersafe/api/clients/";
const CREATE: &str = "/sbersafe/api/clients/create";
/// The anonymous lookup of SberSafe's web forms.
const WEB_FIND: &str = "/sbersafe/client/find";
const FORM: &str = "application/x-www-form-urlencoded; charset=UTF-8";
const MAIN_UUID: &str = "C2BC84C12AD6438DAA0D87517C7AE187";
const PRESET_TOKEN: &str =
    "000000000000000.SandboxPresetTokenForCiUseOnlyMainClient0000000000000000";
const EXPIRED_TOKEN: &str =
    "000000000000001.SandboxPresetTokenThatExpiredLongAgo00000000000000000000";
const ACCEPT: &str = "application/json; version=1.0";
const ALL_BLOCKS: &str = "contacts,contactsExtra,bindings,permissions";

fn is_request_id(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 6, 6, 6, 6]
        && s.bytes()
            .all(|b| b == b'-' || b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// Asserts the one error body and returns it.
async fn error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status for {code}");
    let b = body(res).await;
    assert_eq!(b["status"], "FAIL", "{b}");
    assert_eq!(b["errorCode"], code, "{b}");
    assert!(
        b["errorMessage"].as_str().is_some_and(|m| !m.is_empty()),
        "{b}"
    );
    assert!(is_request_id(&b["requestId"]), "{b}");
    b
}

/// A find body of the merchant `sandbox`.
fn by_phone(phone: &str) -> Value {
    json!({ "phone": phone, "merchantLogin": "sandbox" })
}

fn by_email(email: &str) -> Value {
    json!({ "email": email, "merchantLogin": "sandbox" })
}

/// The body of a find that succeeds or not.
async fn find(app: &TestApp, lookup: &Value) -> Value {
    body(app.post_json(FIND, lookup).await).await
}

fn otp_for(uuid: &str) -> Value {
    json!({ "merchantLogin": "sandbox", "uuid": uuid })
}

async fn access_code(app: &TestApp, uuid: &str) -> String {
    let res = app.post_json(OTP, &otp_for(uuid)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    b["accessCode"].as_str().expect("accessCode").to_string()
}

async fn redeem(app: &TestApp, code: &str, otp: &str) -> reqwest::Response {
    app.post_json(TOKEN, &json!({ "accessCode": code, "otp": otp }))
        .await
}

/// find → otp → token for the main client, with the fixed OTP.
async fn login(app: &TestApp) -> String {
    let found = find(app, &by_phone("9161234567")).await;
    let uuid = found["client"]["uuid"].as_str().expect("client found");
    token_for(app, uuid).await
}

/// otp → token for the client `uuid`, with the fixed OTP.
async fn token_for(app: &TestApp, uuid: &str) -> String {
    let code = access_code(app, uuid).await;
    let res = redeem(app, &code, "000000").await;
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await["accessToken"]
        .as_str()
        .expect("token")
        .to_string()
}

/// `/api/clients/` with `Authorization` and `Accept`, each only when given.
async fn clients_with(
    app: &TestApp,
    token: Option<&str>,
    accept: Option<&str>,
    payload: &Value,
) -> reqwest::Response {
    let mut req = app.request(reqwest::Method::POST, CLIENTS);
    if let Some(token) = token {
        req = req.header("Authorization", token);
    }
    if let Some(accept) = accept {
        req = req.header("Accept", accept);
    }
    req.json(payload).send().await.expect("request sent")
}

async fn clients(app: &TestApp, token: &str, payload: &Value) -> reqwest::Response {
    clients_with(app, Some(token), Some(ACCEPT), payload).await
}

/// A clients body asking for the blocks of `response_type`.
fn asking(response_type: &str) -> Value {
    json!({ "responseType": response_type })
}

/// The body of `/api/clients/` asking for the blocks of `response_type`.
async fn blocks(app: &TestApp, token: &str, response_type: &str) -> Value {
    body(clients(app, token, &asking(response_type)).await).await
}

/// The preset token asking for `permissions` with this `Accept`.
async fn permissions_accepting(app: &TestApp, accept: &str) -> reqwest::Response {
    clients_with(
        app,
        Some(PRESET_TOKEN),
        Some(accept),
        &asking("permissions"),
    )
    .await
}

/// A create body of the merchant `sandbox`.
fn new_client(transaction: &str, contacts: Value) -> Value {
    json!({ "transactionNumber": transaction, "merchantLogin": "sandbox", "contacts": contacts })
}

/// The main client as clients shows it.
fn main_client() -> Value {
    json!({ "uuid": MAIN_UUID, "createdDate": "07.09.2017 17:43:57.768" })
}

/// The main client as a find shows it, found by `contact` (`maskedPhone` or
/// `maskedEmail`) whose masked value is `masked`.
fn main_found_by(contact: &str, masked: &str) -> Value {
    let mut client = main_client();
    client[contact] = json!(masked);
    client
}

async fn sbersafe_state(app: &TestApp) -> Value {
    app.state().await["providers"]["sbersafe"].clone()
}

// ---- success shapes

#[tokio::test]
async fn find_by_phone_and_by_email_returns_the_same_client() {
    let app = TestApp::spawn().await;

    let phone_hit = find(&app, &by_phone("9161234567")).await;
    let email_hit = find(&app, &by_email("Client@Sandbox.test")).await;

    assert_eq!(keys(&phone_hit), ["client", "requestId", "status"]);
    assert_eq!(phone_hit["status"], "SUCCESS");
    assert!(is_request_id(&phone_hit["requestId"]));
    assert_eq!(email_hit["client"]["uuid"], MAIN_UUID);
    assert_eq!(phone_hit["client"]["uuid"], MAIN_UUID);
}

#[tokio::test]
async fn find_carries_the_masked_contact_it_found_the_client_by() {
    let app = TestApp::spawn().await;
    let both = json!({ "phone": "9161234567", "email": "ivanova@sandbox.test", "merchantLogin": "sandbox" });
    let email_after_unknown_phone = json!({ "phone": "9000000000", "email": "client@sandbox.test", "merchantLogin": "sandbox" });

    let phone_hit = find(&app, &by_phone("9161234567")).await;
    let email_hit = find(&app, &by_email("Client@Sandbox.test")).await;
    let phone_wins = find(&app, &both).await;
    let email_next = find(&app, &email_after_unknown_phone).await;

    let by_phone = main_found_by("maskedPhone", "+7 (916) ***-**-67");
    let by_email = main_found_by("maskedEmail", "c***@sandbox.test");
    assert_eq!(phone_hit["client"], by_phone);
    assert_eq!(email_hit["client"], by_email);
    assert_eq!(phone_wins["client"], by_phone);
    assert_eq!(email_next["client"], by_email);
}

#[tokio::test]
async fn find_of_nobody_answers_success_without_client() {
    let app = TestApp::spawn().await;

    let res = app.post_json(FIND, &by_phone("9000000000")).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    assert_eq!(keys(&b), ["requestId", "status"]);
    assert_eq!(b["status"], "SUCCESS");
}

#[tokio::test]
async fn inactive_contacts_are_not_found() {
    let app = TestApp::spawn().await;

    let b = find(&app, &by_email("old.petrov@sandbox.test")).await;

    assert!(b.get("client").is_none(), "{b}");
}

#[tokio::test]
async fn otp_issues_an_access_code_whose_generated_otp_is_in_the_state() {
    let app = TestApp::spawn().await;

    let res = app.post_json(OTP, &otp_for(MAIN_UUID)).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    assert_eq!(keys(&b), ["accessCode", "requestId", "status"]);
    assert_eq!(b["status"], "SUCCESS");
    let state = sbersafe_state(&app).await;
    let entry = &state["access_codes"][0];
    assert_eq!(entry["accessCode"], b["accessCode"]);
    assert_eq!(entry["client"], MAIN_UUID);
    let otp = entry["otp"].as_str().unwrap();
    assert_eq!(otp.len(), 6);
    assert!(otp.bytes().all(|c| c.is_ascii_digit()));
}

#[tokio::test]
async fn generated_otp_gives_a_provider_shaped_token_not_to_be_cached() {
    let app = TestApp::spawn().await;
    let code = access_code(&app, MAIN_UUID).await;
    let otp = sbersafe_state(&app).await["access_codes"][0]["otp"]
        .as_str()
        .unwrap()
        .to_string();

    let res = redeem(&app, &code, &otp).await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let b = body(res).await;
    assert_eq!(keys(&b), ["accessToken", "requestId", "status"]);
    assert_eq!(b["status"], "SUCCESS");
    let token = b["accessToken"].as_str().unwrap();
    let (digits, rest) = token.split_once('.').unwrap();
    assert_eq!(digits.len(), 15);
    assert!(digits.bytes().all(|c| c.is_ascii_digit()));
    assert!(rest.len() >= 32 && rest.bytes().all(|c| c.is_ascii_alphanumeric()));
}

#[tokio::test]
async fn full_flow_answers_exactly_the_requested_blocks_for_every_response_type_combination() {
    let app = TestApp::spawn().await;
    let token = login(&app).await;
    let types = ["contacts", "contactsExtra", "bindings", "permissions"];

    for mask in 1u32..16 {
        let chosen: Vec<&str> = (0..4)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| types[i])
            .collect();
        let path = if mask % 2 == 0 {
            CLIENTS
        } else {
            "/sbersafe/api/clients"
        };
        let res = app
            .request(reqwest::Method::POST, path)
            .header("Authorization", &token)
            .header("Accept", ACCEPT)
            .json(&json!({ "responseType": chosen.join(",") }))
            .send()
            .await
            .unwrap();

        assert_eq!(res.status(), StatusCode::OK, "{chosen:?}");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let b = body(res).await;
        let mut expected: Vec<String> = chosen.iter().map(|s| s.to_string()).collect();
        expected.extend(["client".into(), "requestId".into(), "status".into()]);
        expected.sort();
        assert_eq!(keys(&b), expected, "{chosen:?}");
        assert_eq!(b["client"]["uuid"], MAIN_UUID);
        assert_eq!(b["status"], "SUCCESS");
    }
}

#[tokio::test]
async fn clients_blocks_are_masked_and_shaped_as_the_provider_writes_them() {
    let app = TestApp::spawn().await;
    let token = login(&app).await;

    let b = blocks(&app, &token, ALL_BLOCKS).await;

    assert_eq!(b["client"], main_client());
    assert_eq!(
        b["contacts"],
        json!([
            { "contactStatus": "ACTIVE", "type": "MPHONE", "value": "+7 *** ***-45-67" },
            { "contactStatus": "ACTIVE", "type": "EMAIL", "value": "nt@sandbox.test" }
        ])
    );
    assert_eq!(
        b["contactsExtra"],
        json!([{ "contactStatus": "ACTIVE", "type": "POST_ADRESS",
                 "value": "Bld. 2, 50A/8 Zemlyanoy Val St., Moscow, Russia, 109028" }])
    );
    assert_eq!(
        b["bindings"][0],
        json!({
            "uuid": "87414E0F13AB4542AA9D10E81F74A6E3",
            "createdDate": "07.09.2017 17:43:57.796",
            "mnemonic": "my second best card",
            "paymentType": "CARD",
            "paymentSystem": "MASTERCARD",
            "card": { "maskedPan": "5111111199" },
            "extendedInfo": true
        })
    );
    assert_eq!(b["bindings"].as_array().unwrap().len(), 2);
    assert_eq!(b["bindings"][1]["paymentSystem"], "VISA");
    assert_eq!(b["permissions"], json!({ "cardVirtual": true }));
}

#[tokio::test]
async fn other_clients_show_their_mir_cards_and_permissions() {
    let app = TestApp::spawn().await;
    let found = find(&app, &by_email("ivanova@sandbox.test")).await;
    let token = token_for(&app, found["client"]["uuid"].as_str().unwrap()).await;

    let b = blocks(&app, &token, "bindings,permissions").await;

    assert_eq!(b["bindings"][0]["paymentSystem"], "MIR");
    assert_eq!(b["bindings"][0]["card"]["maskedPan"], "2200129010");
    assert_eq!(b["permissions"]["cardVirtual"], false);
}

#[tokio::test]
async fn preset_token_reads_the_main_client_without_the_otp_flow() {
    let app = TestApp::spawn().await;

    let res = clients(&app, PRESET_TOKEN, &asking("permissions")).await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["client"]["uuid"], MAIN_UUID);
}

#[tokio::test]
async fn lenient_accept_serves_empty_or_any_json_and_refuses_other_types() {
    let app = TestApp::spawn().await;
    let empty = permissions_accepting(&app, "").await;
    let any = permissions_accepting(&app, "*/*").await;
    let plain_json = permissions_accepting(&app, "application/json").await;
    let xml = permissions_accepting(&app, "application/xml").await;
    let v2 = permissions_accepting(&app, "application/json; version=2.0").await;

    assert_eq!(empty.status(), StatusCode::OK);
    assert_eq!(any.status(), StatusCode::OK);
    assert_eq!(plain_json.status(), StatusCode::OK);
    error(xml, 406, "NOT_ACCEPTABLE").await;
    error(v2, 406, "NOT_ACCEPTABLE").await;
}

#[tokio::test]
async fn require_accept_wants_json_version_1_0_spelled_out() {
    let app = TestApp::spawn_with("sbersafe:\n  require_accept: true\n").await;
    let any = permissions_accepting(&app, "*/*").await;
    let empty = permissions_accepting(&app, "").await;
    let exact = permissions_accepting(&app, ACCEPT).await;

    error(any, 406, "NOT_ACCEPTABLE").await;
    error(empty, 406, "NOT_ACCEPTABLE").await;
    assert_eq!(exact.status(), StatusCode::OK);
}

// ---- create

#[tokio::test]
async fn created_client_is_found_and_readable_through_the_whole_flow() {
    let app = TestApp::spawn().await;
    let create = json!({
        "transactionNumber": "T-1001",
        "merchantLogin": "sandbox",
        "contacts": [
            { "type": "MPHONE", "value": "9267778899" },
            { "type": "EMAIL", "value": "new.client@sandbox.test" }
        ],
        "contactsExtra": [{ "type": "POST_ADRESS", "value": "1 Red Square, Moscow, Russia, 109012" }]
    });

    let created = body(app.post_json(CREATE, &create).await).await;
    let again = body(app.post_json(CREATE, &create).await).await;
    let found = find(&app, &by_phone("9267778899")).await;

    assert_eq!(keys(&created), ["client", "requestId", "status"]);
    assert_eq!(created["status"], "SUCCESS");
    let uuid = created["client"]["uuid"].as_str().unwrap();
    assert!(
        uuid.len() == 32
            && uuid
                .bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    assert_eq!(
        again["client"], created["client"],
        "same transactionNumber, same client"
    );
    assert_eq!(keys(&created["client"]), ["createdDate", "uuid"]);
    assert_eq!(found["client"]["uuid"], uuid);
    assert_eq!(found["client"]["maskedPhone"], "+7 (926) ***-**-99");
    let token = token_for(&app, uuid).await;
    let b = blocks(&app, &token, ALL_BLOCKS).await;
    assert_eq!(b["contacts"][0]["value"], "+7 *** ***-88-99");
    assert_eq!(b["contacts"][1]["value"], "nt@sandbox.test");
    assert_eq!(b["contactsExtra"][0]["type"], "POST_ADRESS");
    assert_eq!(b["bindings"], json!([]));
    assert_eq!(b["permissions"]["cardVirtual"], false);
}

#[tokio::test]
async fn short_emails_never_come_back_whole() {
    let app = TestApp::spawn().await;
    let contacts = json!([
        { "type": "EMAIL", "value": "ab@x.ru" },
        { "type": "EMAIL", "value": "a@y.ru" }
    ]);
    let created = body(
        app.post_json(CREATE, &new_client("T-SHORT", contacts))
            .await,
    )
    .await;
    let uuid = created["client"]["uuid"]
        .as_str()
        .expect("created")
        .to_string();
    let token = token_for(&app, &uuid).await;

    let b = blocks(&app, &token, "contacts").await;

    assert_eq!(b["contacts"][0]["value"], "b@x.ru");
    assert_eq!(b["contacts"][1]["value"], "@y.ru");
}

#[tokio::test]
async fn create_with_a_contact_of_another_client_is_refused() {
    let app = TestApp::spawn().await;

    let res = app
        .post_json(
            CREATE,
            &new_client("T-2", json!([{ "type": "MPHONE", "value": "9161234567" }])),
        )
        .await;

    error(res, 409, "CLIENT_ALREADY_EXISTS").await;
    assert_eq!(sbersafe_state(&app).await["created_clients"], json!([]));
}

#[tokio::test]
async fn create_checks_its_contacts() {
    let app = TestApp::spawn().await;

    let no_contacts = app.post_json(CREATE, &new_client("T", json!([]))).await;
    let bad_type = app
        .post_json(
            CREATE,
            &new_client("T", json!([{ "type": "FAX", "value": "1" }])),
        )
        .await;
    let no_merchant = app
        .post_json(CREATE, &json!({ "transactionNumber": "T", "contacts": [] }))
        .await;

    error(no_contacts, 400, "CONTACT_EMPTY").await;
    let b = error(bad_type, 400, "INVALID_REQUEST").await;
    assert!(
        b["errorDetail"]
            .as_str()
            .unwrap()
            .contains("contacts[0].type"),
        "{b}"
    );
    error(no_merchant, 400, "MERCHANT_LOGIN_EMPTY").await;
}

// ---- errors, naturally

#[tokio::test]
async fn missing_merchant_login_is_reported_with_the_gateway_message() {
    let app = TestApp::spawn().await;

    let find = app.post_json(FIND, &json!({ "phone": "9161234567" })).await;
    let otp = app
        .post_json(OTP, &json!({ "merchantLogin": "", "uuid": MAIN_UUID }))
        .await;

    let b = error(find, 400, "MERCHANT_LOGIN_EMPTY").await;
    assert_eq!(b["errorMessage"], "[merchantLogin] is empty.");
    error(otp, 400, "MERCHANT_LOGIN_EMPTY").await;
}

#[tokio::test]
async fn empty_otp_and_create_bodies_report_the_merchant_before_their_own_fields() {
    let app = TestApp::spawn().await;

    let otp = app.post_json(OTP, &json!({})).await;
    let create = app.post_json(CREATE, &json!({})).await;
    let otp_no_uuid = app
        .post_json(OTP, &json!({ "merchantLogin": "sandbox" }))
        .await;
    let create_no_number = app
        .post_json(
            CREATE,
            &json!({ "merchantLogin": "sandbox",
                     "contacts": [{ "type": "MPHONE", "value": "9260000001" }] }),
        )
        .await;

    let b = error(otp, 400, "MERCHANT_LOGIN_EMPTY").await;
    assert_eq!(b["errorMessage"], "[merchantLogin] is empty.");
    error(create, 400, "MERCHANT_LOGIN_EMPTY").await;
    let b = error(otp_no_uuid, 400, "INVALID_REQUEST").await;
    assert!(b.to_string().contains("uuid: required"), "{b}");
    let b = error(create_no_number, 400, "INVALID_REQUEST").await;
    assert!(b.to_string().contains("transactionNumber: required"), "{b}");
}

#[tokio::test]
async fn unknown_merchant_login_is_access_denied() {
    let app = TestApp::spawn().await;

    let res = app
        .post_json(
            FIND,
            &json!({ "phone": "9161234567", "merchantLogin": "unknown" }),
        )
        .await;

    let b = error(res, 403, "MERCHANT_NOT_FOUND").await;
    assert_eq!(b["errorMessage"], "Access denied.");
}

#[tokio::test]
async fn find_without_phone_or_email_is_refused() {
    let app = TestApp::spawn().await;

    let res = app
        .post_json(FIND, &json!({ "merchantLogin": "sandbox", "phone": "" }))
        .await;

    error(res, 400, "CONTACT_EMPTY").await;
}

#[tokio::test]
async fn wrong_types_unknown_fields_and_bad_phones_are_invalid_requests() {
    let app = TestApp::spawn().await;

    let number = app
        .post_json(
            FIND,
            &json!({ "phone": 9161234567u64, "merchantLogin": "sandbox" }),
        )
        .await;
    let unknown = app
        .post_json(
            FIND,
            &json!({ "phone": "9161234567", "merchantLogin": "sandbox", "x": 1 }),
        )
        .await;
    let with_seven = app.post_json(FIND, &by_phone("79161234567")).await;
    let no_uuid = app
        .post_json(OTP, &json!({ "merchantLogin": "sandbox" }))
        .await;
    let no_otp = app.post_json(TOKEN, &json!({ "accessCode": "X" })).await;

    let b = error(number, 400, "INVALID_REQUEST").await;
    assert!(
        b["errorDetail"]
            .as_str()
            .unwrap()
            .contains("phone: must be a string")
    );
    error(unknown, 400, "INVALID_REQUEST").await;
    error(with_seven, 400, "INVALID_REQUEST").await;
    error(no_uuid, 400, "INVALID_REQUEST").await;
    error(no_otp, 400, "INVALID_REQUEST").await;
}

#[tokio::test]
async fn otp_for_an_unknown_client_is_client_not_found() {
    let app = TestApp::spawn().await;

    let res = app
        .post_json(
            OTP,
            &json!({ "merchantLogin": "sandbox", "uuid": "00000000000000000000000000000000" }),
        )
        .await;

    error(res, 404, "CLIENT_NOT_FOUND").await;
    assert_eq!(sbersafe_state(&app).await["access_codes"], json!([]));
}

#[tokio::test]
async fn clients_without_token_with_bearer_or_unknown_token_fail_authentication() {
    let app = TestApp::spawn().await;
    let payload = asking("contacts");

    let none = clients_with(&app, None, Some(ACCEPT), &payload).await;
    let bearer = clients(&app, &format!("Bearer {PRESET_TOKEN}"), &payload).await;
    let unknown = clients(&app, "123456789012345.nope", &payload).await;

    let b = error(none, 401, "TOKEN_MISSING").await;
    assert_eq!(b["errorMessage"], "Authentication failed.");
    error(bearer, 401, "TOKEN_INVALID").await;
    error(unknown, 401, "TOKEN_INVALID").await;
}

#[tokio::test]
async fn preset_expired_token_is_refused() {
    let app = TestApp::spawn().await;

    let res = clients(&app, EXPIRED_TOKEN, &asking("contacts")).await;

    error(res, 401, "TOKEN_EXPIRED").await;
}

#[tokio::test]
async fn token_expires_after_sixty_virtual_minutes() {
    let app = TestApp::spawn().await;
    let token = login(&app).await;
    let payload = asking("permissions");

    app.advance_clock(59 * 60).await;
    let before = clients(&app, &token, &payload).await;
    app.advance_clock(60).await;
    let after = clients(&app, &token, &payload).await;

    assert_eq!(before.status(), StatusCode::OK);
    error(after, 401, "TOKEN_EXPIRED").await;
}

#[tokio::test]
async fn token_of_another_client_or_merchant_is_access_denied() {
    let app = TestApp::spawn().await;
    let token = login(&app).await;

    let other_client = clients(
        &app,
        &token,
        &json!({ "responseType": "contacts", "uuid": "5A1E3C7D9B2F4E6A8C0D1F3B5A7C9E2D" }),
    )
    .await;
    let other_merchant = clients(
        &app,
        &token,
        &json!({ "responseType": "contacts", "merchantLogin": "shop2" }),
    )
    .await;
    let own = clients(
        &app,
        &token,
        &json!({ "responseType": "contacts", "uuid": MAIN_UUID, "merchantLogin": "sandbox" }),
    )
    .await;

    let b = error(other_client, 403, "ACCESS_DENIED").await;
    assert_eq!(b["errorMessage"], "Access denied.");
    error(other_merchant, 403, "ACCESS_DENIED").await;
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_otps_count_down_then_lock_the_access_code() {
    let app = TestApp::spawn().await;
    let code = access_code(&app, MAIN_UUID).await;

    let first = redeem(&app, &code, "111111").await;
    let second = redeem(&app, &code, "111111").await;
    let third = redeem(&app, &code, "111111").await;
    let right_but_late = redeem(&app, &code, "000000").await;

    let b = error(first, 400, "OTP_INVALID").await;
    assert_eq!(b["errorDetail"], "2 attempt(s) left");
    error(second, 400, "OTP_INVALID").await;
    error(third, 403, "OTP_ATTEMPTS_EXCEEDED").await;
    error(right_but_late, 403, "OTP_ATTEMPTS_EXCEEDED").await;
    assert_eq!(
        sbersafe_state(&app).await["access_codes"][0]["locked"],
        true
    );
}

#[tokio::test]
async fn unknown_access_code_is_invalid() {
    let app = TestApp::spawn().await;

    let res = redeem(&app, "NEVERISSUED", "000000").await;

    error(res, 400, "ACCESS_CODE_INVALID").await;
}

#[tokio::test]
async fn access_code_expires_after_five_virtual_minutes() {
    let app = TestApp::spawn().await;
    let early = access_code(&app, MAIN_UUID).await;
    let late = access_code(&app, MAIN_UUID).await;

    app.advance_clock(4 * 60 + 59).await;
    let in_time = redeem(&app, &early, "000000").await;
    app.advance_clock(1).await;
    let too_late = redeem(&app, &late, "000000").await;

    assert_eq!(in_time.status(), StatusCode::OK);
    error(too_late, 400, "ACCESS_CODE_EXPIRED").await;
}

#[tokio::test]
async fn access_code_is_single_use() {
    let app = TestApp::spawn().await;
    let code = access_code(&app, MAIN_UUID).await;

    let first = redeem(&app, &code, "000000").await;
    let second = redeem(&app, &code, "000000").await;

    assert_eq!(first.status(), StatusCode::OK);
    error(second, 400, "ACCESS_CODE_USED").await;
}

#[tokio::test]
async fn unknown_or_empty_response_type_is_refused() {
    let app = TestApp::spawn().await;

    let unknown = clients(&app, PRESET_TOKEN, &asking("contacts,cards")).await;
    let empty = clients(&app, PRESET_TOKEN, &asking("")).await;
    let missing = clients(&app, PRESET_TOKEN, &json!({})).await;

    let b = error(unknown, 400, "RESPONSE_TYPE_INVALID").await;
    assert!(b["errorDetail"].as_str().unwrap().contains("cards"));
    error(empty, 400, "RESPONSE_TYPE_INVALID").await;
    error(missing, 400, "RESPONSE_TYPE_INVALID").await;
}

#[tokio::test]
async fn magic_phone_and_email_answer_system_error() {
    let app = TestApp::spawn().await;

    let phone = app.post_json(FIND, &by_phone("9000000500")).await;
    let email = app
        .post_json(
            CREATE,
            &new_client(
                "T",
                json!([{ "type": "EMAIL", "value": "error@sandbox.test" }]),
            ),
        )
        .await;

    let b = error(phone, 500, "SYSTEM_ERROR").await;
    assert_eq!(b["errorMessage"], "System error.");
    error(email, 500, "SYSTEM_ERROR").await;
}

#[tokio::test]
async fn malformed_wrong_shape_and_oversized_bodies_leave_the_state_unchanged() {
    let app = TestApp::spawn().await;
    access_code(&app, MAIN_UUID).await;
    let before = sbersafe_state(&app).await;

    let not_json = app.post_raw(OTP, "{\"merchantLogin\": ").await;
    let array = app.post_raw(CREATE, "[1,2]").await;
    let huge = app
        .post_raw(
            CREATE,
            format!("{{\"transactionNumber\":\"{}\"}}", "x".repeat(1_100_000)),
        )
        .await;
    let token_body = app
        .request(reqwest::Method::POST, CLIENTS)
        .header("Authorization", PRESET_TOKEN)
        .header("content-type", "application/json")
        .body("nope")
        .send()
        .await
        .unwrap();

    error(not_json, 400, "MALFORMED_REQUEST").await;
    error(array, 400, "MALFORMED_REQUEST").await;
    error(huge, 400, "MALFORMED_REQUEST").await;
    error(token_body, 400, "MALFORMED_REQUEST").await;
    assert_eq!(sbersafe_state(&app).await, before);
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_answered_in_sbersafe_format() {
    let app = TestApp::spawn().await;

    let unknown = app.post_json("/sbersafe/api/nothing", &json!({})).await;
    let get = app.get(FIND).await;

    error(unknown, 404, "NOT_FOUND").await;
    error(get, 405, "METHOD_NOT_ALLOWED").await;
}

// ---- the web forms' anonymous lookup

/// `/sbersafe/client/find?phone=...`, as the web forms' callers write it.
fn web_query(phone: &str) -> String {
    format!("{WEB_FIND}?phone={phone}")
}

/// A POST with no body at all, the query carrying the lookup (what callers that only
/// build the URL send).
async fn post_bare(app: &TestApp, path: &str) -> reqwest::Response {
    app.request(reqwest::Method::POST, path)
        .header("Content-Length", "0")
        .send()
        .await
        .expect("request sent")
}

/// A POST with a form body (`application/x-www-form-urlencoded; charset=UTF-8`).
async fn post_form(app: &TestApp, path: &str, form: &str) -> reqwest::Response {
    app.request(reqwest::Method::POST, path)
        .header("content-type", FORM)
        .body(form.to_string())
        .send()
        .await
        .expect("request sent")
}

/// Asserts the web lookup's error body, `{"error":{"code","message"}}` and nothing
/// else, and returns it.
async fn web_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "status for {code}");
    let b = body(res).await;
    assert_eq!(keys(&b), ["error"], "{b}");
    assert_eq!(b["error"]["code"], code, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{b}"
    );
    b
}

#[tokio::test]
async fn anonymous_find_by_query_without_a_body_answers_the_client_with_its_masked_phone() {
    let app = TestApp::spawn().await;

    let res = post_bare(&app, &web_query("9161234567")).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    assert!(b.get("error").is_none(), "callers branch on `error`: {b}");
    assert_eq!(
        b,
        json!({ "client": main_found_by("maskedPhone", "+7 (916) ***-**-67"), "status": "SUCCESS" })
    );
}

#[tokio::test]
async fn anonymous_find_by_form_body_takes_a_phone_or_an_email() {
    let app = TestApp::spawn().await;

    let by_phone = body(post_form(&app, WEB_FIND, "phone=9161234567").await).await;
    let by_email = body(post_form(&app, WEB_FIND, "email=Client%40Sandbox.test").await).await;

    assert_eq!(by_phone["status"], "SUCCESS");
    assert_eq!(
        by_phone["client"],
        main_found_by("maskedPhone", "+7 (916) ***-**-67")
    );
    assert_eq!(
        by_email,
        json!({ "client": main_found_by("maskedEmail", "c***@sandbox.test"), "status": "SUCCESS" })
    );
}

#[tokio::test]
async fn anonymous_find_of_nobody_is_client_find_failed_with_http_200() {
    let app = TestApp::spawn().await;

    let phone = post_bare(&app, &web_query("9000000000")).await;
    let email = post_form(&app, WEB_FIND, "email=nobody%40sandbox.test").await;
    let inactive = post_form(&app, WEB_FIND, "email=old.petrov%40sandbox.test").await;

    let b = web_error(phone, 200, "client.find.failed").await;
    assert_eq!(
        b,
        json!({ "error": { "code": "client.find.failed", "message": "Client not found." } })
    );
    web_error(email, 200, "client.find.failed").await;
    web_error(inactive, 200, "client.find.failed").await;
}

#[tokio::test]
async fn anonymous_find_reads_the_query_first_then_the_form_and_ignores_other_names() {
    let app = TestApp::spawn().await;
    let ivanova = "5A1E3C7D9B2F4E6A8C0D1F3B5A7C9E2D";

    let query_wins = post_form(&app, &web_query("9161234567"), "phone=9031112233").await;
    let first_wins = post_bare(
        &app,
        &format!("{WEB_FIND}?phone=9031112233&phone=9161234567"),
    )
    .await;
    let extra = post_form(&app, WEB_FIND, "merchantLogin=x&_=1&phone=9031112233").await;

    assert_eq!(body(query_wins).await["client"]["uuid"], MAIN_UUID);
    assert_eq!(body(first_wins).await["client"]["uuid"], ivanova);
    assert_eq!(body(extra).await["client"]["uuid"], ivanova);
}

#[tokio::test]
async fn anonymous_find_refuses_bad_input_in_the_web_format_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = sbersafe_state(&app).await;

    let nothing = post_bare(&app, WEB_FIND).await;
    let json_body = app.post_json(WEB_FIND, &by_phone("9161234567")).await;
    let with_seven = post_bare(&app, &web_query("79161234567")).await;
    let bad_email = post_form(&app, WEB_FIND, "email=nobody").await;
    let huge = post_form(&app, WEB_FIND, &format!("phone={}", "9".repeat(1_100_000))).await;
    let get = app.get(&web_query("9161234567")).await;

    let b = web_error(nothing, 400, "client.find.empty").await;
    assert_eq!(b["error"]["message"], "[phone] or [email] is empty.");
    web_error(json_body, 400, "client.find.empty").await;
    let b = web_error(with_seven, 400, "client.find.invalid").await;
    assert!(
        b["error"]["detail"].as_str().unwrap().starts_with("phone:"),
        "{b}"
    );
    web_error(bad_email, 400, "client.find.invalid").await;
    web_error(huge, 400, "client.find.invalid").await;
    web_error(get, 405, "client.find.invalid").await;
    assert_eq!(sbersafe_state(&app).await, before);
}

#[tokio::test]
async fn anonymous_find_of_a_magic_value_is_client_find_error() {
    let app = TestApp::spawn().await;

    let res = post_bare(&app, &web_query("9000000500")).await;

    let b = web_error(res, 500, "client.find.error").await;
    assert_eq!(b["error"]["message"], "System error.");
}

#[tokio::test]
async fn anonymous_find_sees_clients_created_at_run_time() {
    let app = TestApp::spawn().await;
    let contacts = json!([{ "type": "EMAIL", "value": "new.client@sandbox.test" }]);
    let created = body(app.post_json(CREATE, &new_client("T-WEB", contacts)).await).await;

    let found = body(post_form(&app, WEB_FIND, "email=new.client%40sandbox.test").await).await;

    assert_eq!(found["client"]["uuid"], created["client"]["uuid"]);
    assert_eq!(found["client"]["maskedEmail"], "n***@sandbox.test");
}

#[tokio::test]
async fn merchant_codes_are_not_forcible_on_the_anonymous_lookup_nor_web_codes_on_the_api() {
    let app = TestApp::spawn().await;

    let api_on_web = app
        .post_forced(&web_query("9161234567"), &json!({}), "SYSTEM_ERROR")
        .await;
    let web_on_api = app
        .post_forced(FIND, &by_phone("9161234567"), "client.find.failed")
        .await;

    assert!(api_on_web.headers().contains_key("x-sandbox-error"));
    let listed = body(api_on_web).await.to_string();
    assert!(
        listed.contains("client.find.failed") && !listed.contains("TOKEN_MISSING"),
        "{listed}"
    );
    assert!(web_on_api.headers().contains_key("x-sandbox-error"));
}

#[tokio::test]
async fn a_rule_on_the_anonymous_lookup_answers_in_the_web_format() {
    let app = TestApp::spawn().await;
    let rule = json!({ "when": { "provider": "sbersafe", "endpoint": "/client/find" },
                       "then": { "code": "client.find.failed" } });
    app.add_rule(&rule).await;

    let res = post_bare(&app, &web_query("9161234567")).await;

    web_error(res, 200, "client.find.failed").await;
}

// ---- forced, rules, catalog

#[tokio::test]
async fn every_catalog_code_can_be_forced_with_its_status_and_message() {
    let app = TestApp::spawn().await;
    let codes = app.catalog_codes("sbersafe").await;
    assert_eq!(codes.len(), 25);

    for entry in codes {
        let code = entry["code"].as_str().unwrap();
        let status = entry["http_status"].as_u64().unwrap() as u16;
        if entry["scope"] == "web" {
            let res = app
                .post_forced(&web_query("9161234567"), &json!({}), code)
                .await;
            let b = web_error(res, status, code).await;
            assert_eq!(b["error"]["message"], entry["message"]);
        } else {
            let res = app.post_forced(FIND, &by_phone("9161234567"), code).await;
            let b = error(res, status, code).await;
            assert_eq!(b["errorMessage"], entry["message"]);
        }
    }
    let journal = app.journal().await;
    assert!(journal.to_string().contains("\"forced_by\":\"force\""));
}

#[tokio::test]
async fn forced_answers_each_get_their_own_request_id() {
    let app = TestApp::spawn().await;
    let find = by_phone("9161234567");

    let first = body(app.post_forced(FIND, &find, "SYSTEM_ERROR").await).await;
    let second = body(app.post_forced(FIND, &find, "SYSTEM_ERROR").await).await;

    assert_eq!(first["requestId"].as_str().unwrap().len(), 36);
    assert_ne!(first["requestId"], second["requestId"]);
}

#[tokio::test]
async fn a_runtime_rule_answers_its_code() {
    let app = TestApp::spawn().await;
    let rule = json!({ "when": { "provider": "sbersafe", "endpoint": "/api/auth/otp" },
                       "then": { "code": "SYSTEM_ERROR" } });
    app.add_rule(&rule).await;

    let res = app.post_json(OTP, &otp_for(MAIN_UUID)).await;
    let find = app.post_json(FIND, &by_phone("9161234567")).await;

    error(res, 500, "SYSTEM_ERROR").await;
    assert_eq!(find.status(), StatusCode::OK);
}

#[tokio::test]
async fn scenario_can_rename_a_code() {
    let app = TestApp::spawn_with(
        "sbersafe:\n  codes:\n    otp_invalid: { code: WRONG_OTP, status: 401 }\n",
    )
    .await;
    let code = access_code(&app, MAIN_UUID).await;

    let res = redeem(&app, &code, "999999").await;

    error(res, 401, "WRONG_OTP").await;
}

// ---- isolation and determinism

#[tokio::test]
async fn tenants_do_not_share_codes_tokens_or_created_clients() {
    let app = TestApp::spawn().await;
    let other = app.as_tenant("b");
    let token = login(&app).await;
    let code = access_code(&app, MAIN_UUID).await;
    app.post_json(
        CREATE,
        &new_client("T", json!([{ "type": "MPHONE", "value": "9267778899" }])),
    )
    .await;

    let token_in_b = clients(&other, &token, &asking("contacts")).await;
    let code_in_b = redeem(&other, &code, "000000").await;
    let find_in_b = find(&other, &by_phone("9267778899")).await;
    let token_b = login(&other).await;

    error(token_in_b, 401, "TOKEN_INVALID").await;
    error(code_in_b, 400, "ACCESS_CODE_INVALID").await;
    assert!(find_in_b.get("client").is_none());
    assert_ne!(token_b, token, "tenants never issue the same token");
}

#[tokio::test]
async fn same_requests_on_a_fresh_server_give_the_same_generated_values() {
    async fn run() -> (String, String, Value) {
        let app = TestApp::spawn().await;
        let code = access_code(&app, MAIN_UUID).await;
        let otp = sbersafe_state(&app).await["access_codes"][0]["otp"].clone();
        let b = body(redeem(&app, &code, "000000").await).await;
        (
            code,
            b["accessToken"].as_str().unwrap().to_string(),
            json!([otp, b["requestId"]]),
        )
    }

    let first = run().await;
    let second = run().await;

    assert_eq!(first, second);
}

#[tokio::test]
async fn admin_inbox_shows_the_generated_otp_which_alone_works_without_a_fixed_otp() {
    let app = TestApp::spawn_with("sbersafe:\n  otp:\n    fixed: null\n").await;
    let code = access_code(&app, MAIN_UUID).await;

    let inbox = body(app.get(&format!("/__sandbox/sbersafe/otp/{code}")).await).await;
    let otp = inbox["otp"].as_str().unwrap().to_string();
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let refused = redeem(&app, &code, wrong).await;
    let accepted = redeem(&app, &code, &otp).await;
    let unknown = app.get("/__sandbox/sbersafe/otp/NOPE").await;

    assert_eq!(inbox["client"], MAIN_UUID);
    error(refused, 400, "OTP_INVALID").await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// The `$ref` of a response's JSON body, at `status` of `op`.
fn response_ref(op: &Value, status: &str) -> String {
    op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_document_describes_the_bodies_the_limits_the_errors_and_the_token() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/sbersafe.json").await).await;

    let schemas = &doc["components"]["schemas"];
    let create = &schemas["sbersafe.CreateBody"];
    let required = create["required"].as_array().cloned().unwrap_or_default();
    for field in ["transactionNumber", "merchantLogin", "contacts"] {
        assert!(required.contains(&Value::from(field)), "{create}");
    }
    assert_eq!(create["properties"]["contacts"]["maxItems"], 10, "{create}");
    assert_eq!(create["additionalProperties"], false, "{create}");
    let extra = schemas["sbersafe.ExtraType"].to_string();
    assert!(extra.contains("POST_ADRESS"), "{extra}");
    assert_eq!(
        schemas["sbersafe.OtpBody"]["properties"]["uuid"]["pattern"],
        "^[0-9A-Fa-f]{32}$"
    );
    let find = &doc["paths"]["/api/clients/find"]["post"];
    let request = &find["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(request, "#/components/schemas/sbersafe.FindBody");
    assert_eq!(
        response_ref(find, "200"),
        "#/components/schemas/sbersafe.FindAnswer"
    );
    for status in ["400", "403", "500"] {
        assert_eq!(
            response_ref(find, status),
            "#/components/schemas/sbersafe.ErrorBody",
            "{status}"
        );
    }
    let web = &doc["paths"]["/client/find"]["post"];
    assert_eq!(
        response_ref(web, "400"),
        "#/components/schemas/sbersafe.WebErrorBody"
    );
    let scheme = &doc["components"]["securitySchemes"]["sbersafe_token"];
    assert_eq!(
        (&scheme["in"], &scheme["name"]),
        (&json!("header"), &json!("Authorization"))
    );
    for path in ["/api/clients/", "/api/clients"] {
        let op = &doc["paths"][path]["post"];
        assert_eq!(op["security"][0]["sbersafe_token"], json!([]), "{path}");
        assert_eq!(
            response_ref(op, "401"),
            "#/components/schemas/sbersafe.ErrorBody"
        );
    }
    assert!(find["security"].is_null(), "find needs no token");
}

#[tokio::test]
async fn merchant_login_longer_than_the_documented_limit_is_an_invalid_request() {
    // Arrange
    let app = TestApp::spawn().await;
    let max = app
        .documented_limit(
            "sbersafe",
            "sbersafe.FindBody",
            "merchantLogin",
            "maxLength",
        )
        .await;
    let find = |n: usize| json!({"phone": "9161234567", "merchantLogin": "m".repeat(n)});

    // Act
    let at = body(
        app.post_json("/sbersafe/api/clients/find", &find(max))
            .await,
    )
    .await;
    let over = body(
        app.post_json("/sbersafe/api/clients/find", &find(max + 1))
            .await,
    )
    .await;

    // Assert
    assert_eq!(at["errorCode"], "MERCHANT_NOT_FOUND", "at the limit: {at}");
    assert_eq!(over["errorCode"], "INVALID_REQUEST", "over it: {over}");
}
