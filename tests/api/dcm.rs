use crate::common::{TestApp, body};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const CG: &str = "11111111-1111-4111-8111-111111111111";
const TOKEN: &str = "sandbox-dcm-token";
const ISSUER: &str = "GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E";
const ALICE: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const BOB: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const NOW: &str = "2025-03-01T10:00:00Z";
const NOW_TS: i64 = 1_740_823_200;
const INVALID_CREDENTIALS: &str = "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.";

fn customers() -> String {
    format!("/dcm/api/v1/counterparty/{CG}/customers")
}

fn jwks() -> String {
    format!("/dcm/api/v1/counterparty/{CG}/jwk")
}

fn accounts(customer: &str) -> String {
    format!("/dcm/api/v1/counterparty/{CG}/customers/{customer}/accounts")
}

/// A request to the bank API with `token` as the bearer.
fn req_as(app: &TestApp, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.request(method, path)
        .header("Authorization", format!("Bearer {token}"))
}

fn req(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    req_as(app, TOKEN, method, path)
}

async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = request.send().await.expect("sent");
    (res.status(), body(res).await)
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    answer(req(app, Method::GET, path)).await
}

async fn send(app: &TestApp, method: Method, path: &str, b: &Value) -> (StatusCode, Value) {
    answer(req(app, method, path).json(b)).await
}

/// Creates `new_customer(login)` in the default bank.
async fn create(app: &TestApp, login: &str) -> (StatusCode, Value) {
    send(app, Method::POST, &customers(), &new_customer(login)).await
}

/// Opens another account of `customer` in the default bank.
async fn open_account(app: &TestApp, customer: &str, b: &Value) -> (StatusCode, Value) {
    send(app, Method::POST, &accounts(customer), b).await
}

/// DCM's part of the state view, to show that a refused call changed nothing.
async fn dcm_state(app: &TestApp) -> Value {
    app.state().await["providers"]["dcm"].clone()
}

/// The message of a DCM error body (`""` when there is none).
fn error(b: &Value) -> &str {
    b["error"].as_str().unwrap_or_default()
}

/// The customers list's status with `auth` as the whole `Authorization` header.
async fn list_status(app: &TestApp, auth: &str) -> StatusCode {
    app.request(Method::GET, &customers())
        .header("Authorization", auth)
        .send()
        .await
        .expect("sent")
        .status()
}

/// Starts a Kratos login flow; answers the path its login posts to.
async fn login_flow(app: &TestApp) -> String {
    let flow = body(app.get("/dcm/kratos/self-service/login/api").await).await;
    let id = flow["id"].as_str().expect("flow id");
    format!("/dcm/kratos/self-service/login?flow={id}")
}

/// The default employee's credentials with `password`, as JSON.
fn employee(password: &str) -> Value {
    json!({"identifier": "employee@sandbox.test", "password": password})
}

fn new_customer(login: &str) -> Value {
    json!({ "asset_code": "UAH", "asset_issuer": ISSUER, "login": login, "name": "Ivan", "surname": "Petrenko" })
}

fn iban_ok(iban: &str) -> bool {
    let (head, tail) = iban.split_at(4);
    let digits: String = tail
        .chars()
        .chain(head.chars())
        .map(|c| c.to_digit(36).map(|d| d.to_string()).unwrap_or_default())
        .collect();
    digits
        .chars()
        .fold(0u32, |acc, c| (acc * 10 + c.to_digit(10).unwrap_or(0)) % 97)
        == 1
}

fn sign(der: &[u8], claims: &Value) -> String {
    let key = EncodingKey::from_ec_der(der);
    jsonwebtoken::encode(&Header::new(Algorithm::ES256), claims, &key).expect("signed")
}

/// PKCS#8 DER of `bank-es256.pem` (jsonwebtoken is built without its PEM feature).
const BANK_KEY: &[u8] = include_bytes!("fixtures/dcm/bank-es256.pk8.der");
const FOREIGN_KEY: &[u8] = include_bytes!("fixtures/dcm/foreign-es256.pk8.der");
const BANK_JWK: &str = include_str!("fixtures/dcm/bank-es256.jwk.json");

fn claims(iat: i64, exp: i64) -> Value {
    json!({ "flow": "sign-in", "obj": "customer", "sub": "employee@sandbox.test", "iat": iat, "exp": exp })
}

async fn register_bank_key(app: &TestApp) -> String {
    let jwk: Value = serde_json::from_str(BANK_JWK).expect("fixture JWK");
    let (status, b) = send(app, Method::POST, &jwks(), &jwk).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    b["guid"].as_str().expect("guid").to_string()
}

async fn with_jwt(app: &TestApp, jwt: &str) -> StatusCode {
    app.request(Method::GET, &customers())
        .header("Authorization", "")
        .header("CX-Authorization", jwt)
        .send()
        .await
        .expect("sent")
        .status()
}

// ---------------------------------------------------------------- login

#[tokio::test]
async fn kratos_login_flow_issues_a_token_that_works() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;

    let res = app
        .request(Method::POST, &path)
        .form(&[
            ("csrf_token", ""),
            ("identifier", "employee@sandbox.test"),
            ("method", "password"),
            ("password", "sandbox"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    let token = b["session_token"].as_str().expect("token").to_string();
    assert!(
        b["session"]["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    assert_eq!(
        list_status(&app, &format!("BEARER {token}")).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_json_login_works_and_a_flow_serves_logins_until_it_expires() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;
    let mut creds = employee("sandbox");
    creds["method"] = json!("password");

    let first = body(app.post_json(&path, &creds).await).await;
    let again = app.post_json(&path, &creds).await;

    assert_eq!(
        again.status(),
        StatusCode::OK,
        "Kratos keeps a flow until it expires"
    );
    let again = body(again).await;
    assert_ne!(first["session_token"], again["session_token"]);
    for token in [&first["session_token"], &again["session_token"]] {
        let auth = format!("bearer {}", token.as_str().unwrap());
        assert_eq!(list_status(&app, &auth).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_wrong_password_is_400_with_the_flow_and_message_4000006() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;
    let before = dcm_state(&app).await["sessions"].clone();

    let res = app.post_json(&path, &employee("nope")).await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let flow = body(res).await;
    assert_eq!(
        flow["ui"]["messages"],
        json!([{"id": 4000006, "type": "error", "text": INVALID_CREDENTIALS}])
    );
    assert!(
        path.ends_with(flow["id"].as_str().unwrap()),
        "the same flow"
    );
    assert_eq!(dcm_state(&app).await["sessions"], before, "no session made");
}

#[tokio::test]
async fn a_missing_flow_parameter_is_kratos_400_and_an_expired_flow_410() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;
    app.advance_clock(61 * 60).await;

    let res = app.post_json(&path, &employee("sandbox")).await;

    assert_eq!(res.status(), StatusCode::GONE);
    let b = body(res).await;
    assert_eq!(b["error"]["id"], "self_service_flow_expired");
    assert!(b["use_flow_id"].is_string(), "{b}");
    let res = app
        .post_json("/dcm/kratos/self-service/login", &employee("sandbox"))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        body(res).await,
        json!({"error": {"code": 400, "status": "Bad Request",
            "reason": "The flow query parameter is missing or malformed.",
            "message": "The request was malformed or contained invalid parameters"}})
    );
}

#[tokio::test]
async fn session_token_expires_with_the_virtual_clock() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;
    let b = body(app.post_json(&path, &employee("sandbox")).await).await;
    let auth = format!("bearer {}", b["session_token"].as_str().unwrap());
    assert_eq!(list_status(&app, &auth).await, StatusCode::OK);
    app.advance_clock(24 * 3600 + 1).await;
    assert_eq!(list_status(&app, &auth).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_unknown_and_expired_credentials_return_401() {
    let app = TestApp::spawn().await;
    let res = app.get(&customers()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body(res).await,
        json!({"error": "Access credentials are invalid"})
    );
    for auth in [
        "bearer nope",
        "Basic c2FuZGJveA==",
        "bearer expired-dcm-token",
        TOKEN,
    ] {
        assert_eq!(
            list_status(&app, auth).await,
            StatusCode::UNAUTHORIZED,
            "{auth}"
        );
    }
}

#[tokio::test]
async fn a_token_of_another_counterparty_returns_401() {
    let app = TestApp::spawn_with(
        r#"
dcm:
  counterparties:
    - guid: 44444444-4444-4444-8444-444444444444
      assets: [{code: UAH, name: Ukraine Hryvnia, stellar_code: eUAH, stellar_issuer: GX, minor_unit: 2}]
  employees:
    - identifier: other@bank.test
      password: other
      counterparty_guid: 44444444-4444-4444-8444-444444444444
  session_tokens:
    - token: other-token
      identifier: other@bank.test
"#,
    )
    .await;
    assert_eq!(
        list_status(&app, "bearer other-token").await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = get(&app, &customers()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "scenario merge keeps the default counterparty"
    );
}

#[tokio::test]
async fn admin_revoke_ends_a_session() {
    let app = TestApp::spawn().await;
    let res = app
        .delete(&format!("/__sandbox/dcm/sessions/{TOKEN}"))
        .await;
    assert_eq!(body(res).await, json!({"revoked": true}));
    assert_eq!(get(&app, &customers()).await.0, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------- JWT

#[tokio::test]
async fn registered_key_signs_an_accepted_cx_authorization_jwt() {
    let app = TestApp::spawn().await;
    app.freeze_clock(NOW).await;
    let guid = register_bank_key(&app).await;

    let (status, list) = get(&app, &jwks()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["jwks"][0]["guid"], guid.as_str());

    let jwt = sign(BANK_KEY, &claims(NOW_TS, NOW_TS + 300));
    assert_eq!(with_jwt(&app, &jwt).await, StatusCode::OK);

    let key = EncodingKey::from_ec_der(BANK_KEY);
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(guid.clone());
    let with_kid = jsonwebtoken::encode(&header, &claims(NOW_TS, NOW_TS + 300), &key).unwrap();
    assert_eq!(with_jwt(&app, &with_kid).await, StatusCode::OK);
    header.kid = Some("someone-else".into());
    let wrong_kid = jsonwebtoken::encode(&header, &claims(NOW_TS, NOW_TS + 300), &key).unwrap();
    assert_eq!(with_jwt(&app, &wrong_kid).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_ed25519_key_signs_an_accepted_eddsa_jwt() {
    let app = TestApp::spawn().await;
    app.freeze_clock(NOW).await;
    let jwk: Value =
        serde_json::from_str(include_str!("fixtures/dcm/bank-ed25519.jwk.json")).unwrap();
    let path = jwks();
    let (status, b) = send(&app, Method::POST, &path, &json!({ "jwk": jwk })).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let key = EncodingKey::from_ed_der(include_bytes!("fixtures/dcm/bank-ed25519.pk8.der"));
    let jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims(NOW_TS, NOW_TS + 60),
        &key,
    )
    .unwrap();
    assert_eq!(with_jwt(&app, &jwt).await, StatusCode::OK);
    // The same claims signed with the EC key: no registered key verifies them.
    assert_eq!(
        with_jwt(&app, &sign(FOREIGN_KEY, &claims(NOW_TS, NOW_TS + 60))).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn expired_future_or_foreign_signed_jwt_returns_401() {
    let app = TestApp::spawn().await;
    app.freeze_clock(NOW).await;
    register_bank_key(&app).await;
    let expired = sign(BANK_KEY, &claims(NOW_TS - 600, NOW_TS - 1));
    let future = sign(BANK_KEY, &claims(NOW_TS + 3600, NOW_TS + 7200));
    let foreign = sign(FOREIGN_KEY, &claims(NOW_TS, NOW_TS + 300));
    let bad_flow = sign(
        BANK_KEY,
        &json!({"flow": "hack", "obj": "x", "sub": "y", "iat": NOW_TS, "exp": NOW_TS + 60}),
    );
    for jwt in [expired, future, foreign, bad_flow, "not-a-jwt".to_string()] {
        assert_eq!(
            with_jwt(&app, &jwt).await,
            StatusCode::UNAUTHORIZED,
            "{jwt}"
        );
    }
}

#[tokio::test]
async fn a_jwt_valid_now_expires_when_the_clock_advances() {
    let app = TestApp::spawn().await;
    app.freeze_clock(NOW).await;
    register_bank_key(&app).await;
    let jwt = sign(BANK_KEY, &claims(NOW_TS, NOW_TS + 300));
    assert_eq!(with_jwt(&app, &jwt).await, StatusCode::OK);
    app.advance_clock(301).await;
    assert_eq!(with_jwt(&app, &jwt).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn private_or_malformed_jwk_is_refused() {
    let app = TestApp::spawn().await;
    let path = jwks();
    let mut jwk: Value = serde_json::from_str(BANK_JWK).unwrap();
    jwk["d"] = json!("c2VjcmV0");
    assert_eq!(
        send(&app, Method::POST, &path, &jwk).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, b) = send(
        &app,
        Method::POST,
        &path,
        &json!({"kty": "oct", "k": "c2VjcmV0"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(b["error"].is_string());
    assert_eq!(get(&app, &path).await.1["total"], 0);
}

// ---------------------------------------------------------------- customers

#[tokio::test]
async fn create_customer_answers_the_documented_shape() {
    let app = TestApp::spawn().await;
    let (status, b) = create(&app, "ivan@x.test").await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "customer_guid",
        "platform",
        "type",
        "guid",
        "wallet_account_guid",
        "name",
        "assets_total",
        "assets",
        "activated",
        "registered",
        "blocked",
        "iban",
    ];
    let mut got = keys.clone();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected);
    assert_eq!(b["guid"], b["wallet_account_guid"]);
    assert_eq!(b["type"], "5e3f4309-c152-48b3-8091-046708694f90");
    assert_eq!(
        b["assets"],
        json!([{"activated": true, "balance": 0, "platform": "", "code": "UAH", "name": "Ukraine Hryvnia",
                "stellar_code": "eUAH", "stellar_issuer": ISSUER, "minor_unit": 2}])
    );
    let iban = b["iban"].as_str().unwrap();
    assert!(
        iban.starts_with("UA") && iban.len() == 29 && iban_ok(iban),
        "{iban}"
    );
}

#[tokio::test]
async fn stellar_code_is_accepted_and_defaults_are_filled() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2025-03-01T10:00:00.123456Z").await;
    let mut c = new_customer("s@x.test");
    c["asset_code"] = json!("eUAH");
    let (status, b) = send(&app, Method::POST, &customers(), &c).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let guid = b["customer_guid"].as_str().unwrap();
    let (_, list) = get(&app, &format!("{}?wallet_user_guids={guid}", customers())).await;
    let row = &list["customers"][0];
    assert_eq!(row["created_at"], "2025-03-01T10:00:00.123456Z");
    assert_eq!(row["updated_at"], "2025-03-01T10:00:00.123456Z");
    assert_eq!(row["status"], "active");
    assert_eq!(row["balance_allowed"], 0);
    assert_eq!(row["kyc_level"], 0);
    assert_eq!(row["balance_asset_code"], "UAH");
    assert_eq!(row["balance_asset_issuer"], ISSUER);
    assert_eq!(row["counterparty_guid"], CG);
}

#[tokio::test]
async fn duplicate_login_returns_400_with_409_message_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = dcm_state(&app).await;
    let (status, b) = create(&app, "o.limarenko@gmail.com").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let msg = error(&b);
    assert!(
        msg.starts_with("failed to create wallet user:") && msg.contains("409"),
        "{msg}"
    );
    assert_eq!(dcm_state(&app).await, before);
}

#[tokio::test]
async fn sent_guid_is_honoured_and_a_duplicate_or_empty_guid_refused() {
    let app = TestApp::spawn().await;
    let guid = "dddddddd-0000-4000-8000-000000000009";
    let mut c = new_customer("g@x.test");
    c["guid"] = json!(guid);
    let (status, b) = send(&app, Method::POST, &customers(), &c).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["customer_guid"], guid);
    c["login"] = json!("g2@x.test");
    let (status, b) = send(&app, Method::POST, &customers(), &c).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("409"));
    c["guid"] = json!("");
    let (status, b) = send(&app, Method::POST, &customers(), &c).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "guid: invalid UUID length: 0");
}

#[tokio::test]
async fn a_full_counterparty_refuses_new_customers_with_400() {
    let app = TestApp::spawn_with("dcm:\n  max_customers: 4\n").await;
    let (status, _) = create(&app, "fourth@x.test").await;
    assert_eq!(status, StatusCode::OK);
    let (status, b) = create(&app, "fifth@x.test").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("maximum of 4"), "{b}");
    assert_eq!(get(&app, &customers()).await.1["total"], 4);
}

#[tokio::test]
async fn a_scenario_may_raise_the_caps_to_two_million_customers() {
    let app =
        TestApp::spawn_with("dcm:\n  max_customers: 2000000\n  max_accounts: 4000000\n").await;
    let (status, b) = create(&app, "millionth@x.test").await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(get(&app, &customers()).await.1["total"], 4);
}

#[tokio::test]
async fn an_overlay_file_adds_customers_to_the_default_bank() {
    let app = TestApp::spawn_with(
        "dcm:\n  customers:\n    - {counterparty_guid: 11111111-1111-4111-8111-111111111111, login: overlay@x.test, name: Overlay}\n",
    )
    .await;
    let (_, b) = get(&app, &format!("{}?logins=overlay@x.test", customers())).await;
    assert_eq!(b["total"], 1);
    let guid = b["customers"][0]["wallet_user_guid"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, again) = get(&TestApp::spawn_with("dcm:\n  customers:\n    - {counterparty_guid: 11111111-1111-4111-8111-111111111111, login: overlay@x.test}\n").await, &format!("{}?logins=overlay@x.test", customers())).await;
    assert_eq!(
        again["customers"][0]["wallet_user_guid"],
        guid.as_str(),
        "generated scenario GUIDs are stable"
    );
    let (_, all) = get(&app, &customers()).await;
    assert_eq!(all["total"], 4);
}

#[tokio::test]
async fn scenario_mistakes_in_the_dcm_section_are_refused() {
    let bad = r#"
dcm:
  counterparties:
    - guid: 66666666-6666-4666-8666-666666666666
      assets: [{code: UAH, name: H, stellar_code: eUAH, stellar_issuer: G, minor_unit: 2}]
  employees:
    - {identifier: x@y, password: p, counterparty_guid: 99999999-9999-4999-8999-999999999999}
  customers:
    - {counterparty_guid: 66666666-6666-4666-8666-666666666666, guid: nope, accounts: [{iban: UA000}]}
  max_customers: 3000000
  max_accounts: 5000000
"#;
    let sources = vec![
        (
            "default.yaml".to_string(),
            sandbox::scenario::DEFAULT_SCENARIO.to_string(),
        ),
        ("bad.yaml".to_string(), bad.to_string()),
    ];
    let Err(problems) = sandbox::build_from(sandbox::Settings::for_tests(), sources) else {
        panic!("a broken dcm section must not load");
    };
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let text = text.join("\n");
    for needle in [
        "employees[",
        "guid: invalid UUID",
        "iban `UA000`",
        "max_customers",
        "max_accounts",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[tokio::test]
async fn missing_or_unknown_asset_returns_400() {
    let app = TestApp::spawn().await;
    let (status, b) = send(&app, Method::POST, &customers(), &json!({"login": "a"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "asset_code: required");
    let mut c = new_customer("a");
    c["asset_code"] = json!("USD");
    assert_eq!(
        send(&app, Method::POST, &customers(), &c).await.0,
        StatusCode::BAD_REQUEST
    );
    c["asset_code"] = json!("UAH");
    c["asset_issuer"] = json!("GOTHER");
    assert_eq!(
        send(&app, Method::POST, &customers(), &c).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_return_400_in_dcm_format() {
    let app = TestApp::spawn().await;
    let before = dcm_state(&app).await;
    for bad in [
        json!({"asset_code": "UAH", "asset_issuer": ISSUER, "kyc_level": "high"}),
        json!({"asset_code": "UAH", "asset_issuer": ISSUER, "is_disabled": "yes"}),
        json!({"asset_code": "UAH", "asset_issuer": ISSUER, "colour": "red"}),
        json!({"asset_code": "UAH", "asset_issuer": ISSUER, "balance_allowed": -1}),
        json!({"asset_code": "UAH", "asset_issuer": ISSUER, "iban": "UA000000"}),
        json!([1, 2]),
    ] {
        let (status, b) = send(&app, Method::POST, &customers(), &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(b["error"].is_string(), "{b}");
    }
    assert_eq!(dcm_state(&app).await, before);
}

#[tokio::test]
async fn malformed_json_and_huge_body_return_400_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = dcm_state(&app).await;
    let raw = |text: String| {
        req(&app, Method::POST, &customers())
            .header("content-type", "application/json")
            .body(text)
    };
    let (status, b) = answer(raw("{\"asset_code\": ".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("invalid JSON"));
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1_100_000));
    let (status, b) = answer(raw(huge)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("larger"));
    assert_eq!(dcm_state(&app).await, before);
}

#[tokio::test]
async fn unknown_counterparty_customer_and_path_return_404() {
    let app = TestApp::spawn().await;
    let other = "/dcm/api/v1/counterparty/22222222-2222-4222-8222-222222222222/customers";
    let (status, b) = get(&app, other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error(&b).contains("counterparty"));
    let (status, _) = get(&app, &accounts("eeeeeeee-0000-4000-8000-000000000000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, b) = get(&app, "/dcm/api/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(b["error"].is_string());
}

#[tokio::test]
async fn malformed_path_uuid_returns_400() {
    let app = TestApp::spawn().await;
    let (status, b) = get(&app, "/dcm/api/v1/counterparty/1234/customers").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"], "counterparty_guid: invalid UUID length: 4");
}

#[tokio::test]
async fn wrong_method_returns_405_in_dcm_format() {
    let app = TestApp::spawn().await;
    let (status, b) = answer(req(&app, Method::DELETE, &customers())).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(b["error"].is_string());
}

// ---------------------------------------------------------------- accounts

#[tokio::test]
async fn additional_account_gets_its_own_iban_and_lists_with_iban_filter() {
    let app = TestApp::spawn().await;
    let (status, b) = open_account(&app, BOB, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let guid = b["wallet_account_guid"].as_str().unwrap().to_string();
    assert_eq!(b.as_object().unwrap().len(), 1);

    let (status, list) = get(&app, &accounts(BOB)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 2);
    let new = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["guid"] == guid.as_str())
        .unwrap();
    let iban = new["iban"].as_str().unwrap();
    assert!(iban_ok(iban) && iban.len() == 29);
    assert_eq!(new["assets"][0]["code"], "UAH");
    assert_eq!(new["assets_total"], 1);

    let (_, one) = get(&app, &format!("{}?iban={iban}", accounts(BOB))).await;
    assert_eq!(one["total"], 1);
    assert_eq!(one["accounts"][0]["wallet_account_guid"], guid.as_str());
}

#[tokio::test]
async fn sent_iban_is_used_and_an_iban_in_use_is_refused() {
    let app = TestApp::spawn().await;
    let (status, _) = open_account(&app, BOB, &json!({"iban": "LT96 6008 0508 6033 2937"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = get(
        &app,
        &format!("{}?iban=LT966008050860332937", accounts(BOB)),
    )
    .await;
    assert_eq!(list["total"], 1);
    let before = dcm_state(&app).await;
    let (status, b) = open_account(
        &app,
        ALICE,
        &json!({"iban": "UA303220010000026001000000003"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("already in use"));
    let (status, _) = open_account(
        &app,
        ALICE,
        &json!({"iban": "UA303220010000026001000000004"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "bad checksum");
    assert_eq!(dcm_state(&app).await, before);
}

#[tokio::test]
async fn one_account_per_asset_can_be_switched_on() {
    let app = TestApp::spawn_with("dcm:\n  one_account_per_asset: true\n").await;
    let (status, b) = open_account(&app, BOB, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("UAH"));
}

#[tokio::test]
async fn account_of_unknown_customer_returns_404() {
    let app = TestApp::spawn().await;
    let (status, b) = open_account(&app, "eeeeeeee-0000-4000-8000-000000000000", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error(&b).contains("customer"));
}

// ---------------------------------------------------------------- update

#[tokio::test]
async fn put_updates_only_sent_fields_and_bumps_updated_at() {
    let app = TestApp::spawn().await;
    app.freeze_clock(NOW).await;
    let path = format!("{}/{BOB}", customers());
    let (status, b) = send(
        &app,
        Method::PUT,
        &path,
        &json!({"surname": "Новий", "kyc_level": 3,
        "branch_guid": {"valid": true, "value": "33333333-3333-4333-8333-333333333333"}}),
    )
    .await;
    assert_eq!((status, b), (StatusCode::OK, json!({})));
    let (_, list) = get(&app, &format!("{}?wallet_user_guids={BOB}", customers())).await;
    let row = &list["customers"][0];
    assert_eq!(row["surname"], "Новий");
    assert_eq!(row["kyc_level"], 3);
    assert_eq!(row["name"], "Богдан");
    assert_eq!(row["branch_guid"], "33333333-3333-4333-8333-333333333333");
    assert_eq!(row["branch_name"], "Київ, головне відділення");
    assert_eq!(row["updated_at"], "2025-03-01T10:00:00.000000Z");
    assert_eq!(row["created_at"], "2024-01-02T09:00:00.000000Z");

    let (status, _) = send(
        &app,
        Method::PUT,
        &path,
        &json!({"branch_guid": {"valid": false, "value": ""}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = get(&app, &format!("{}?wallet_user_guids={BOB}", customers())).await;
    assert_eq!(list["customers"][0]["branch_guid"], "");
    assert_eq!(list["customers"][0]["surname"], "Новий");
}

#[tokio::test]
async fn put_with_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = dcm_state(&app).await;
    let path = format!("{}/{BOB}", customers());
    for bad in [
        json!({"name": "X", "kyc_level": "one"}),
        json!({"name": "X", "login": "new"}),
        json!({"name": "X", "wallet_user_guid": ALICE}),
        json!({"name": "X", "branch_guid": {"valid": true, "value": "nope"}}),
    ] {
        let (status, _) = send(&app, Method::PUT, &path, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, _) = send(
        &app,
        Method::PUT,
        &format!("{}/eeeeeeee-0000-4000-8000-000000000000", customers()),
        &json!({"name": "X"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(dcm_state(&app).await, before);
}

// ---------------------------------------------------------------- list

const CG2: &str = "55555555-5555-4555-8555-555555555555";

/// An empty second bank, so the default customers do not show in filter tests.
const SEEDED_BANK: &str = r#"
dcm:
  counterparties:
    - guid: 55555555-5555-4555-8555-555555555555
      assets:
        - {code: UAH, name: Ukraine Hryvnia, stellar_code: eUAH, stellar_issuer: GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E, minor_unit: 2}
      branches:
        - {guid: 33333333-3333-4333-8333-333333333333, name: Main}
  employees:
    - {identifier: seeded@bank.test, password: x, counterparty_guid: 55555555-5555-4555-8555-555555555555}
  session_tokens:
    - {token: seeded-token, identifier: seeded@bank.test}
"#;

fn customers2() -> String {
    format!("/dcm/api/v1/counterparty/{CG2}/customers")
}

/// The seeded bank's token.
const SEEDED_TOKEN: &str = "seeded-token";

async fn send2(app: &TestApp, path: &str, b: &Value) -> (StatusCode, Value) {
    answer(req_as(app, SEEDED_TOKEN, Method::POST, path).json(b)).await
}

async fn get2(app: &TestApp, path: &str) -> (StatusCode, Value) {
    answer(req_as(app, SEEDED_TOKEN, Method::GET, path)).await
}

/// Six customers with distinct values for every filter, created an hour apart.
async fn seeded() -> TestApp {
    let app = TestApp::spawn_with(SEEDED_BANK).await;
    app.freeze_clock("2025-01-01T00:00:00Z").await;
    let rows = [
        json!({"login": "anna@x.test", "name": "Anna", "surname": "Koval", "paternal_name": "Ivanivna",
            "phone_number": "+380501", "kyc_level": 0, "balance_allowed": 100.0, "segment": "PL", "status": "active", "is_disabled": false}),
        json!({"login": "boris@x.test", "name": "Boris", "surname": "Lysenko", "paternal_name": "Petrovych",
            "phone_number": "+380502", "kyc_level": 1, "balance_allowed": 200.5, "segment": "PI", "status": "active", "is_disabled": false}),
        json!({"login": "clara@x.test", "name": "Clara", "surname": "Moroz", "paternal_name": "Ivanivna",
            "phone_number": "+380503", "kyc_level": 2, "balance_allowed": 300.0, "segment": "PL", "status": "pending", "is_disabled": false,
            "branch_guid": "33333333-3333-4333-8333-333333333333", "balance_asset_code": "eUAH"}),
        json!({"login": "dmytro@x.test", "name": "Dmytro", "surname": "Koval", "paternal_name": "Olehovych",
            "phone_number": "+380504", "kyc_level": 1, "balance_allowed": 400.0, "segment": "PI", "status": "active", "is_disabled": true}),
        json!({"login": "olena@x.test", "name": "Olena", "surname": "Shevchuk", "paternal_name": "Petrivna",
            "phone_number": "+380505", "kyc_level": 3, "balance_allowed": 500.0, "segment": "PL", "status": "blocked", "is_disabled": true}),
        json!({"login": "annabel@y.test", "name": "Annabel", "surname": "Zhuk", "paternal_name": "Ivanivna",
            "phone_number": "+380506", "kyc_level": 0, "balance_allowed": 50.0, "segment": "", "status": "active", "is_disabled": false}),
    ];
    for mut c in rows {
        c["asset_code"] = json!("UAH");
        c["asset_issuer"] = json!(ISSUER);
        let (s, b) = send2(&app, &customers2(), &c).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        app.advance_clock(3600).await;
    }
    app
}

async fn logins(app: &TestApp, query: &str) -> (Vec<String>, i64) {
    let (status, b) = get2(app, &format!("{}?{query}", customers2())).await;
    assert_eq!(status, StatusCode::OK, "{query}: {b}");
    let l = b["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["login"]
                .as_str()
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    (l, b["total"].as_i64().unwrap())
}

#[tokio::test]
async fn every_list_filter_narrows_the_result() {
    let app = seeded().await;
    let cases: &[(&str, &[&str])] = &[
        ("logins=anna@x.test&logins=clara@x.test", &["anna", "clara"]),
        ("logins=anna@x.test,clara@x.test", &["anna", "clara"]),
        ("kyc_levels=1", &["boris", "dmytro"]),
        ("kyc_levels=0,3", &["anna", "olena", "annabel"]),
        ("is_disabled=true", &["dmytro", "olena"]),
        ("is_disabled=false", &["anna", "boris", "clara", "annabel"]),
        (
            "min_balance_allowed=200.5&max_balance_allowed=400",
            &["boris", "clara", "dmytro"],
        ),
        ("balance_asset_codes=eUAH", &["clara"]),
        (
            &*format!("balance_asset_issuers={ISSUER}&names=Anna"),
            &["anna"],
        ),
        (
            "branch_guids=33333333-3333-4333-8333-333333333333",
            &["clara"],
        ),
        ("names=Boris&names=Olena", &["boris", "olena"]),
        ("paternal_names=Ivanivna", &["anna", "clara", "annabel"]),
        ("phone_numbers=%2B380504", &["dmytro"]),
        ("segments=PI", &["boris", "dmytro"]),
        ("statuses=pending,blocked", &["clara", "olena"]),
        ("surnames[]=Koval", &["anna", "dmytro"]),
        ("search_string=ANN", &["anna", "annabel"]),
        ("search_string=y.test", &["annabel"]),
        (
            "min_created_at=2025-01-01T02:00:00Z&max_created_at=2025-01-01T03:00:00Z",
            &["clara", "dmytro"],
        ),
        ("max_updated_at=2025-01-01T00:30:00Z", &["anna"]),
        ("min_updated_at=2025-01-01T05:00:00Z", &["annabel"]),
    ];
    for (q, want) in cases {
        let (got, total) = logins(&app, q).await;
        assert_eq!(got, *want, "{q}");
        assert_eq!(total as usize, want.len(), "{q}");
    }
    let (_, list) = get2(&app, &format!("{}?names=Anna", customers2())).await;
    let guid = list["customers"][0]["wallet_user_guid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        logins(&app, &format!("wallet_user_guids={guid}")).await.0,
        ["anna"]
    );
}

#[tokio::test]
async fn every_ordering_sorts_and_paging_keeps_the_total() {
    let app = seeded().await;
    let cases: &[(&str, &[&str])] = &[
        (
            "created_at",
            &["anna", "boris", "clara", "dmytro", "olena", "annabel"],
        ),
        (
            "-created_at",
            &["annabel", "olena", "dmytro", "clara", "boris", "anna"],
        ),
        (
            "name",
            &["anna", "annabel", "boris", "clara", "dmytro", "olena"],
        ),
        (
            "-name",
            &["olena", "dmytro", "clara", "boris", "annabel", "anna"],
        ),
        (
            "surname",
            &["anna", "dmytro", "boris", "clara", "olena", "annabel"],
        ),
        (
            "-surname",
            &["annabel", "olena", "clara", "boris", "dmytro", "anna"],
        ),
        (
            "login",
            &["anna", "annabel", "boris", "clara", "dmytro", "olena"],
        ),
        (
            "-login",
            &["olena", "dmytro", "clara", "boris", "annabel", "anna"],
        ),
        (
            "balance_allowed",
            &["annabel", "anna", "boris", "clara", "dmytro", "olena"],
        ),
        (
            "-balance_allowed",
            &["olena", "dmytro", "clara", "boris", "anna", "annabel"],
        ),
        (
            "kyc_level",
            &["anna", "annabel", "boris", "dmytro", "clara", "olena"],
        ),
        (
            "-kyc_level",
            &["olena", "clara", "dmytro", "boris", "annabel", "anna"],
        ),
        (
            "updated_at",
            &["anna", "boris", "clara", "dmytro", "olena", "annabel"],
        ),
        (
            "-updated_at",
            &["annabel", "olena", "dmytro", "clara", "boris", "anna"],
        ),
    ];
    for (o, want) in cases {
        assert_eq!(logins(&app, &format!("ordering={o}")).await.0, *want, "{o}");
    }
    let (page, total) = logins(&app, "ordering=name&offset=2&limit=2").await;
    assert_eq!(
        (page, total),
        (vec!["boris".to_string(), "clara".to_string()], 6)
    );
    let (page, total) = logins(&app, "offset=10").await;
    assert_eq!((page.len(), total), (0, 6));
}

#[tokio::test]
async fn bad_list_query_values_return_400() {
    let app = TestApp::spawn().await;
    for q in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "offset=-1",
        "ordering=age",
        "is_disabled=maybe",
        "min_balance_allowed=lots",
        "min_created_at=yesterday",
        "kyc_levels=one",
        "wallet_user_guids=123",
        "colour=red",
    ] {
        let (status, b) = get(&app, &format!("{}?{q}", customers())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert!(b["error"].is_string(), "{q}");
    }
    let (_, b) = get(&app, &format!("{}?wallet_user_guids=abc", customers())).await;
    assert_eq!(b["error"], "wallet_user_guids: invalid UUID length: 3");
}

#[tokio::test]
async fn default_scenario_customers_are_listed() {
    let app = TestApp::spawn().await;
    let (status, b) = get(&app, &customers()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b["total"], 3);
    let alice = &b["customers"][0];
    assert_eq!(alice["wallet_user_guid"], ALICE);
    assert_eq!(alice["login"], "o.limarenko@gmail.com");
    assert_eq!(alice["name"], "Олена");
    assert_eq!(alice["surname"], "Лимаренко");
    assert_eq!(alice["paternal_name"], "Петрівна");
    assert_eq!(alice["phone_number"], "+380501234567");
    assert_eq!(alice["balance_allowed"], 1000);
    let mut keys: Vec<&String> = alice.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "balance_allowed",
            "balance_asset_code",
            "balance_asset_issuer",
            "branch_guid",
            "branch_name",
            "counterparty_guid",
            "created_at",
            "is_disabled",
            "kyc_level",
            "login",
            "name",
            "paternal_name",
            "phone_number",
            "segment",
            "status",
            "surname",
            "updated_at",
            "wallet_user_guid"
        ]
    );
    let (_, acc) = get(&app, &accounts(ALICE)).await;
    assert_eq!(acc["total"], 2);
    assert_eq!(
        acc["accounts"][0]["guid"],
        "aaaaaaaa-0000-4000-8000-0000000000a1"
    );
    assert_eq!(acc["accounts"][0]["iban"], "UA843220010000026001000000001");
}

// ---------------------------------------------------------------- concurrency, tenants, determinism

#[tokio::test]
async fn concurrent_creates_of_one_login_make_exactly_one_customer() {
    let app = TestApp::spawn().await;
    let c = new_customer("race@x.test");
    let path = customers();
    let calls = (0..20).map(|_| send(&app, Method::POST, &path, &c));
    let results = futures_util::future::join_all(calls).await;
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let refused = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::BAD_REQUEST && error(b).contains("409"))
        .count();
    assert_eq!((ok, refused), (1, 19));
    let (_, list) = get(&app, &format!("{}?logins=race@x.test", customers())).await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn tenants_do_not_see_each_others_customers() {
    let app = TestApp::spawn().await;
    let other = app.as_tenant("b");
    let (status, _) = create(&app, "mine@x.test").await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = get(&other, &format!("{}?logins=mine@x.test", customers())).await;
    assert_eq!(list["total"], 0);
    let (status, _) = create(&other, "mine@x.test").await;
    assert_eq!(status, StatusCode::OK, "logins are unique per tenant");
}

#[tokio::test]
async fn same_requests_generate_the_same_guids_and_ibans() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn().await;
    let (_, x) = create(&a, "same@x.test").await;
    let (_, y) = create(&b, "same@x.test").await;
    assert_eq!(x, y);
    let (_, z) = create(&a.as_tenant("other"), "same@x.test").await;
    assert_ne!(
        x["customer_guid"], z["customer_guid"],
        "tenants never share generated ids"
    );
}

// ---------------------------------------------------------------- codes

#[tokio::test]
async fn every_bank_api_code_can_be_forced_in_dcm_format() {
    let app = TestApp::spawn().await;
    let answers = app
        .forced_answers("dcm", || req(&app, Method::GET, &customers()))
        .await;
    let answers: Vec<_> = answers
        .into_iter()
        .filter(|(entry, _, _)| entry["scope"] == "api")
        .collect();
    assert_eq!(answers.len(), 3, "every bank API code but the success");
    for (entry, status, b) in answers {
        let code = entry["code"].as_str().unwrap();
        assert_eq!(status.as_u16().to_string(), code);
        if code == "200" {
            assert_eq!(b, json!({}));
        } else {
            assert!(b["error"].is_string(), "{code}: {b}");
        }
    }
    let forced = req(&app, Method::GET, &customers()).header("X-Sandbox-Force", "401");
    assert_eq!(
        answer(forced).await.1,
        json!({"error": "Access credentials are invalid"})
    );
}

#[tokio::test]
async fn a_runtime_rule_answers_a_code() {
    let app = TestApp::spawn().await;
    app.add_rule(&json!({"when": {"provider": "dcm", "endpoint": "/api/v1/counterparty/*/customers"}, "then": {"code": "401"}}))
        .await;
    let (status, b) = get(&app, &customers()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(b, json!({"error": "Access credentials are invalid"}));
}

#[tokio::test]
async fn answers_are_journaled_with_their_code() {
    let app = TestApp::spawn().await;
    get(&app, &customers()).await;
    let j = app.journal().await;
    let text = j.to_string();
    assert!(text.contains("\"code\":\"200\""), "{text}");
}

// ---------------------------------------------------------------- review fixes

/// The default scenario with one `dcm` line replaced, loaded through the admin API.
async fn put_default_with(app: &TestApp, from: &str, to: &str) -> (StatusCode, Value) {
    let yaml = sandbox::scenario::DEFAULT_SCENARIO.replace(from, to);
    assert_ne!(
        yaml,
        sandbox::scenario::DEFAULT_SCENARIO,
        "`{from}` is in the default"
    );
    answer(app.request(Method::PUT, "/__sandbox/scenario").body(yaml)).await
}

#[tokio::test]
async fn huge_lifetimes_and_skew_are_refused_and_login_keeps_working() {
    let app = TestApp::spawn().await;
    for (from, to, key) in [
        (
            "session_lifetime_hours: 24",
            "session_lifetime_hours: 4294967295",
            "session_lifetime_hours",
        ),
        (
            "flow_lifetime_minutes: 60",
            "flow_lifetime_minutes: 4294967295",
            "flow_lifetime_minutes",
        ),
        (
            "jwt_clock_skew_seconds: 60",
            "jwt_clock_skew_seconds: 4294967295",
            "jwt_clock_skew_seconds",
        ),
    ] {
        let (status, b) = put_default_with(&app, from, to).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}: {b}");
        assert!(b["problems"].to_string().contains(key), "{b}");
    }
    // Ten years is still allowed, and a login then answers.
    let (status, b) = put_default_with(
        &app,
        "session_lifetime_hours: 24",
        "session_lifetime_hours: 87600",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let path = login_flow(&app).await;
    let res = app.post_json(&path, &employee("sandbox")).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_counterparty_full_of_accounts_refuses_more_with_400_and_changes_nothing() {
    // The default bank starts with 4 accounts (Alice 2, Bob 1, Taras 1).
    let app = TestApp::spawn_with("dcm:\n  max_accounts: 6\n").await;
    let (status, b) = create(&app, "a6@x.test").await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, b) = open_account(&app, BOB, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let before = dcm_state(&app).await;

    let (status, b) = open_account(&app, BOB, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("maximum of 6 accounts"), "{b}");
    let (status, b) = create(&app, "a7@x.test").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("maximum of 6 accounts"), "{b}");
    assert_eq!(dcm_state(&app).await, before);
}

#[tokio::test]
async fn repeated_filter_values_count_once_and_over_1000_values_return_400() {
    let app = seeded().await;
    let many = vec!["1"; 1000].join(",");
    let (got, total) = logins(&app, &format!("kyc_levels={many}&ordering=login")).await;
    assert_eq!(total, 2);
    assert_eq!(got, ["boris", "dmytro"]);
    let names = vec!["names=Anna"; 1000].join("&");
    assert_eq!(logins(&app, &names).await.1, 1);

    let too_many = vec!["1"; 1001].join(",");
    let (status, b) = get2(&app, &format!("{}?kyc_levels={too_many}", customers2())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        b["error"],
        "kyc_levels: at most 1000 values per filter, 1001 sent"
    );
    let (status, b) = get2(
        &app,
        &format!(
            "{}?{}&surnames=x",
            customers2(),
            vec!["surnames=Koval"; 1001].join("&")
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).starts_with("surnames: at most 1000"), "{b}");
}

#[tokio::test]
async fn search_string_with_the_internal_separator_matches_nobody() {
    let app = seeded().await;
    assert_eq!(logins(&app, "search_string=%01").await.1, 0);
    assert_eq!(logins(&app, "search_string=anna%01anna").await.1, 0);
    assert_eq!(logins(&app, "search_string=anna").await.1, 2);
}

#[tokio::test]
async fn a_customer_guid_of_another_counterparty_is_refused() {
    let app = TestApp::spawn_with(SEEDED_BANK).await;
    let mut c = new_customer("elsewhere@x.test");
    c["guid"] = json!(ALICE);
    let (status, b) = send2(&app, &customers2(), &c).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("409"), "{b}");
    assert_eq!(get2(&app, &customers2()).await.1["total"], 0);
}

/// Registers the bank key `n` times, then tries once more when `refused_extra`; answers the
/// login path (with the id) of the flow created after.
async fn flow_after_keys(app: &TestApp, n: usize, refused_extra: bool) -> String {
    let path = jwks();
    let jwk: Value = serde_json::from_str(BANK_JWK).expect("fixture JWK");
    for _ in 0..n {
        assert_eq!(send(app, Method::POST, &path, &jwk).await.0, StatusCode::OK);
    }
    if refused_extra {
        let (status, b) = send(app, Method::POST, &path, &jwk).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error(&b).contains("at most 100 keys"), "{b}");
    }
    login_flow(app).await
}

#[tokio::test]
async fn a_refused_jwk_changes_nothing_not_even_later_ids() {
    let full = TestApp::spawn().await;
    let plain = TestApp::spawn().await;
    assert_eq!(
        flow_after_keys(&full, 100, true).await,
        flow_after_keys(&plain, 100, false).await
    );

    let mut big: Value = serde_json::from_str(BANK_JWK).expect("fixture JWK");
    big["x5u"] = json!("x".repeat(20_000));
    let before = dcm_state(&plain).await;
    let (status, b) = send(&plain, Method::POST, &jwks(), &big).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&b).contains("larger than 16384"), "{b}");
    assert_eq!(dcm_state(&plain).await, before);
}

#[tokio::test]
async fn empty_guid_path_segments_return_400_invalid_uuid_length_0() {
    let app = TestApp::spawn().await;
    for (method, path, field) in [
        (Method::GET, accounts(""), "customer_guid"),
        (Method::POST, accounts(""), "customer_guid"),
        (Method::PUT, format!("{}/", customers()), "customer_guid"),
        (
            Method::GET,
            "/dcm/api/v1/counterparty//customers".to_string(),
            "counterparty_guid",
        ),
        (
            Method::POST,
            "/dcm/api/v1/counterparty//jwk".to_string(),
            "counterparty_guid",
        ),
    ] {
        let (status, b) = send(&app, method.clone(), &path, &json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}");
        assert_eq!(
            b["error"],
            format!("{field}: invalid UUID length: 0"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn json_login_ignores_fields_it_does_not_use_whatever_their_type() {
    let app = TestApp::spawn().await;
    let path = login_flow(&app).await;
    let res = app
        .post_json(
            &path,
            &json!({"identifier": "employee@sandbox.test", "password": "sandbox",
                "method": "password", "csrf_token": null, "transient_payload": {"a": 1}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(res).await["session_token"].is_string());
}

// ---------------------------------------------------------------- Ory Kratos's own client

mod ory {
    //! The login driven by Ory's generated Rust client, `ory-kratos-client` 26.2, as a
    //! team's existing Kratos client drives it, every answer read with its models.
    //!
    //! One thing that client cannot do against Kratos itself: read a login flow whole.
    //! Its `UiNodeAttributes` is an enum tagged by `node_type` whose variants also require
    //! `node_type`, and serde hands a variant its fields without the tag (ory/sdk#325,
    //! ory/kratos-client-rust#3). Kratos writes `node_type` once, and so does the
    //! sandbox; flows are read here with the same models, each node's attributes with the
    //! one the spec's discriminator names for `input`, `UiNodeInputAttributes`.

    use super::{INVALID_CREDENTIALS, TOKEN, list_status};
    use crate::common::{TestApp, body};
    use ory_kratos_client::apis::configuration::Configuration;
    use ory_kratos_client::apis::frontend_api::{
        PerformNativeLogoutError, ToSessionError, UpdateLoginFlowError, create_native_login_flow,
        perform_native_logout, to_session, update_login_flow,
    };
    use ory_kratos_client::apis::{Error, ResponseContent};
    use ory_kratos_client::models::{
        AuthenticatorAssuranceLevel, ErrorGeneric, LoginFlow, PerformNativeLogoutBody,
        SelfServiceFlowExpiredError, Session, SuccessfulNativeLogin, UiNodeInputAttributes,
        UiNodeMeta, UiText, UpdateLoginFlowBody, UpdateLoginFlowWithPasswordMethod, identity,
        ui_node, ui_node_input_attributes, ui_text,
    };
    use reqwest::{Method, StatusCode};
    use serde::de::DeserializeOwned;
    use serde_json::{Value, json};

    const EMPLOYEE: &str = "employee@sandbox.test";
    const NO_SESSION: &str = "No valid session credentials found in the request.";

    /// Ory's client pointed at the sandbox's Kratos. It sends no `X-Sandbox-Tenant`,
    /// so it talks to the `default` tenant of its own server, the one `app` moves.
    fn kratos(app: &TestApp) -> Configuration {
        let mut config = Configuration::new();
        config.base_path = app.url("/dcm/kratos");
        config
    }

    fn password(identifier: &str, password: &str) -> UpdateLoginFlowBody {
        UpdateLoginFlowBody::Password(Box::new(UpdateLoginFlowWithPasswordMethod::new(
            identifier.into(),
            "password".into(),
            password.into(),
        )))
    }

    fn model<T: DeserializeOwned>(v: &Value) -> T {
        serde_json::from_value(v.clone())
            .unwrap_or_else(|e| panic!("{}: {e}: {v}", std::any::type_name::<T>()))
    }

    /// A UI node read with Ory's models.
    struct Node {
        kind: ui_node::TypeEnum,
        group: ui_node::GroupEnum,
        attributes: UiNodeInputAttributes,
        messages: Vec<UiText>,
        meta: UiNodeMeta,
    }

    /// A login flow read with Ory's models: the flow (its nodes aside) and its nodes.
    struct Flow {
        flow: LoginFlow,
        nodes: Vec<Node>,
    }

    impl Flow {
        fn read(v: &Value) -> Self {
            let nodes = v["ui"]["nodes"].as_array().expect("ui.nodes");
            let nodes = nodes
                .iter()
                .map(|n| Node {
                    kind: model(&n["type"]),
                    group: model(&n["group"]),
                    attributes: model(&n["attributes"]),
                    messages: model(&n["messages"]),
                    meta: model(&n["meta"]),
                })
                .collect();
            let mut rest = v.clone();
            rest["ui"]["nodes"] = json!([]);
            Self {
                flow: model(&rest),
                nodes,
            }
        }

        fn node(&self, name: &str) -> &Node {
            self.nodes
                .iter()
                .find(|n| n.attributes.name == name)
                .unwrap_or_else(|| panic!("no node {name}"))
        }

        fn id(&self) -> &str {
            &self.flow.id
        }
    }

    /// `createNativeLoginFlow`, read as above.
    async fn new_flow(app: &TestApp) -> Flow {
        let res = app.get("/dcm/kratos/self-service/login/api").await;
        assert_eq!(res.status(), StatusCode::OK);
        Flow::read(&body(res).await)
    }

    /// The employee's login through a fresh flow, with Ory's client.
    async fn log_in(app: &TestApp, config: &Configuration) -> SuccessfulNativeLogin {
        let flow = new_flow(app).await;
        let body = password(EMPLOYEE, "sandbox");
        update_login_flow(config, flow.id(), body, None, None)
            .await
            .expect("a successfulNativeLogin Ory's model reads")
    }

    /// The error answer of a call, which must have been refused.
    fn refused<T, E: std::fmt::Debug>(answer: Result<T, Error<E>>) -> ResponseContent<E> {
        match answer {
            Err(Error::ResponseError(content)) => content,
            Err(other) => panic!("not an HTTP error answer: {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    /// The generic error of a refused login (the generated error enums are untagged, so
    /// the variant is whichever first fits the body; the status tells them apart).
    fn generic_of_login(e: &UpdateLoginFlowError) -> &ErrorGeneric {
        match e {
            UpdateLoginFlowError::Status410(g) | UpdateLoginFlowError::DefaultResponse(g) => g,
            other => panic!("not Kratos's generic error: {other:?}"),
        }
    }

    fn generic_of_whoami(e: &ToSessionError) -> &ErrorGeneric {
        match e {
            ToSessionError::Status401(g)
            | ToSessionError::Status403(g)
            | ToSessionError::DefaultResponse(g) => g,
            other => panic!("not Kratos's generic error: {other:?}"),
        }
    }

    #[tokio::test]
    async fn ory_sdk_reads_a_flow_as_it_reads_kratos_s_own_failing_on_node_type_alone() {
        let app = TestApp::spawn().await;

        let whole = create_native_login_flow(
            &kratos(&app),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await;

        let Err(Error::Serde(e)) = whole else {
            panic!("the SDK read a flow whole: its node_type bug is fixed, read flows with it");
        };
        assert!(e.to_string().contains("missing field `node_type`"), "{e}");
        let raw = body(app.get("/dcm/kratos/self-service/login/api").await).await;
        assert_eq!(
            raw["ui"]["nodes"][0]["attributes"]["node_type"], "input",
            "written once"
        );
    }

    #[tokio::test]
    async fn the_native_login_flow_has_every_field_of_kratos_schema() {
        let app = TestApp::spawn().await;

        let Flow { flow, nodes } = new_flow(&app).await;

        assert_eq!(flow.r#type, "api");
        assert_eq!(flow.state, Some(json!("choose_method")));
        assert_eq!(flow.refresh, Some(false));
        assert_eq!(flow.requested_aal, Some(AuthenticatorAssuranceLevel::Aal1));
        assert!(flow.created_at.is_some() && flow.updated_at.is_some());
        assert!(flow.issued_at < flow.expires_at);
        assert_eq!(
            flow.request_url,
            app.url("/dcm/kratos/self-service/login/api")
        );
        assert_eq!(
            flow.ui.action,
            app.url(&format!("/dcm/kratos/self-service/login?flow={}", flow.id))
        );
        assert_eq!(flow.ui.method, "POST");
        let names: Vec<&str> = nodes.iter().map(|n| n.attributes.name.as_str()).collect();
        assert_eq!(names, ["csrf_token", "identifier", "password", "method"]);
        let shapes: Vec<_> = nodes
            .iter()
            .map(|n| (n.group, n.attributes.r#type, n.attributes.required))
            .collect();
        use ui_node::GroupEnum::{Default, Password};
        use ui_node_input_attributes::TypeEnum as Input;
        assert_eq!(
            shapes,
            [
                (Default, Input::Hidden, Some(true)),
                (Default, Input::Text, Some(true)),
                (Password, Input::Password, Some(true)),
                (Password, Input::Submit, None),
            ]
        );
        for n in &nodes {
            assert_eq!(n.kind, ui_node::TypeEnum::Input);
            assert!(n.messages.is_empty() && !n.attributes.disabled);
        }
        let labels: Vec<Option<(i64, &str)>> = nodes
            .iter()
            .map(|n| n.meta.label.as_deref().map(|l| (l.id, l.text.as_str())))
            .collect();
        assert_eq!(
            labels,
            [
                None,
                Some((1_070_004, "ID")),
                Some((1_070_001, "Password")),
                Some((1_010_022, "Sign in with password")),
            ]
        );
        assert_eq!(nodes[2].attributes.value, None, "a password is never shown");
        assert_eq!(nodes[3].attributes.value, Some(Some(json!("password"))));
    }

    #[tokio::test]
    async fn ory_client_logs_in_and_whoami_answers_the_session() {
        let app = TestApp::spawn().await;
        let config = kratos(&app);

        let login = log_in(&app, &config).await;

        let token = login.session_token.clone().expect("session_token");
        assert!(token.starts_with("ory_st_"), "{token}");
        let s = &login.session;
        assert_eq!(s.active, Some(true));
        assert_eq!(
            s.authenticator_assurance_level,
            Some(AuthenticatorAssuranceLevel::Aal1)
        );
        let methods = s
            .authentication_methods
            .as_deref()
            .expect("authentication_methods");
        assert_eq!(methods.len(), 1);
        assert_eq!(methods[0].aal, Some(AuthenticatorAssuranceLevel::Aal1));
        let devices = s.devices.as_deref().expect("devices");
        assert_eq!(devices[0].ip_address.as_deref(), Some("127.0.0.1"));
        assert_eq!(devices[0].user_agent, config.user_agent);
        let identity = s.identity.as_deref().expect("identity");
        assert_eq!(identity.schema_id, "default");
        assert_eq!(
            identity.schema_url,
            app.url("/dcm/kratos/schemas/ZGVmYXVsdA")
        );
        assert_eq!(identity.state, Some(identity::StateEnum::Active));
        assert_eq!(identity.traits, Some(json!({"email": EMPLOYEE})));
        assert!(identity.created_at.is_some() && identity.updated_at.is_some());

        let me = to_session(&config, Some(&token), None, None)
            .await
            .expect("a session Ory's model reads");
        assert_eq!(&me, s.as_ref(), "whoami answers the session the login made");
        let bearer = app
            .request(Method::GET, "/dcm/kratos/sessions/whoami")
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(
            bearer.headers()["x-kratos-authenticated-identity-id"],
            identity.id.as_str()
        );
        let by_bearer: Session = model(&body(bearer).await);
        assert_eq!(by_bearer.id, s.id);
        assert_eq!(
            list_status(&app, &format!("bearer {token}")).await,
            StatusCode::OK
        );
    }

    #[tokio::test]
    async fn ory_client_reads_message_4000006_from_the_400_of_wrong_credentials() {
        let app = TestApp::spawn().await;
        let config = kratos(&app);
        let flow = new_flow(&app).await;

        for (identifier, secret) in [(EMPLOYEE, "nope"), ("nobody@sandbox.test", "sandbox")] {
            let answer =
                update_login_flow(&config, flow.id(), password(identifier, secret), None, None)
                    .await;

            let content = refused(answer);
            assert_eq!(content.status, StatusCode::BAD_REQUEST);
            let again = Flow::read(&serde_json::from_str(&content.content).expect("JSON"));
            assert_eq!(again.id(), flow.id());
            let expected = UiText::new(
                4_000_006,
                INVALID_CREDENTIALS.into(),
                ui_text::TypeEnum::Error,
            );
            assert_eq!(again.flow.ui.messages, Some(vec![expected]));
            let sent = &again.node("identifier").attributes;
            assert_eq!(sent.value, Some(Some(json!(identifier))));
            assert_eq!(again.node("password").attributes.value, None);
        }
    }

    /// A raw login body through the flow: its status and the flow it answers.
    async fn post_login(app: &TestApp, flow: &str, b: &Value) -> (StatusCode, Flow) {
        let res = app
            .post_json(&format!("/dcm/kratos/self-service/login?flow={flow}"), b)
            .await;
        (res.status(), Flow::read(&body(res).await))
    }

    #[tokio::test]
    async fn a_missing_empty_or_mistyped_field_is_400_with_the_message_on_its_node() {
        let app = TestApp::spawn().await;
        let flow = new_flow(&app).await;
        let login = |password: Value| {
            let mut b = json!({"method": "password", "identifier": EMPLOYEE});
            if !password.is_null() {
                b["password"] = password;
            }
            b
        };
        let cases = [
            (
                Value::Null,
                4_000_002,
                "Property password is missing.",
                json!({"property": "password"}),
            ),
            (
                json!(""),
                4_000_003,
                "length must be >= 1, but got 0",
                json!({"min_length": 1, "actual_length": 0}),
            ),
            (
                json!(7),
                4_000_001,
                "expected string, but got number",
                json!({"reason": "expected string, but got number"}),
            ),
        ];

        for (secret, id, text, context) in cases {
            let (status, again) = post_login(&app, flow.id(), &login(secret.clone())).await;

            assert_eq!(status, StatusCode::BAD_REQUEST, "{secret}");
            let mut expected = UiText::new(id, text.into(), ui_text::TypeEnum::Error);
            expected.context = Some(context);
            assert_eq!(again.node("password").messages, [expected], "{secret}");
            assert!(again.node("identifier").messages.is_empty(), "{secret}");
            assert_eq!(again.flow.ui.messages, None);
        }
        let (status, again) = post_login(&app, flow.id(), &json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let on = |name| again.node(name).messages[0].text.clone();
        assert_eq!(on("identifier"), "Property identifier is missing.");
        assert_eq!(on("password"), "Property password is missing.");
    }

    #[tokio::test]
    async fn a_method_other_than_password_is_400_with_message_4010002() {
        let app = TestApp::spawn().await;
        let flow = new_flow(&app).await;

        let (status, again) = post_login(
            &app,
            flow.id(),
            &json!({"method": "oidc", "identifier": EMPLOYEE, "password": "sandbox"}),
        )
        .await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        let messages = again.flow.ui.messages.expect("messages");
        assert_eq!(messages[0].id, 4_010_002);
    }

    #[tokio::test]
    async fn ory_client_gets_410_and_the_new_flow_to_use_for_an_expired_flow() {
        let app = TestApp::spawn().await;
        app.freeze_clock(super::NOW).await;
        let config = kratos(&app);
        let flow = new_flow(&app).await;
        app.advance_clock(61 * 60).await;

        let answer = update_login_flow(
            &config,
            flow.id(),
            password(EMPLOYEE, "sandbox"),
            None,
            None,
        )
        .await;

        let content = refused(answer);
        assert_eq!(content.status, StatusCode::GONE);
        let generic = generic_of_login(content.entity.as_ref().expect("an ErrorGeneric"));
        assert_eq!(
            generic.error.id.as_deref(),
            Some("self_service_flow_expired")
        );
        assert_eq!(generic.error.code, Some(410));
        assert_eq!(generic.error.status.as_deref(), Some("Gone"));
        assert_eq!(generic.error.message, "self-service flow expired");
        assert_eq!(
            generic.error.reason.as_deref(),
            Some("The self-service flow expired 1.00 minutes ago, initialize a new one.")
        );
        let expired: SelfServiceFlowExpiredError =
            serde_json::from_str(&content.content).expect("Ory's expired-flow model");
        assert_eq!(
            expired.expired_at.as_deref(),
            Some(flow.flow.expires_at.as_str())
        );
        assert_eq!(expired.since, Some(60_000_000_000));
        let fresh = expired.use_flow_id.expect("use_flow_id");
        assert_ne!(fresh, flow.id());
        let again = update_login_flow(
            &config,
            flow.id(),
            password(EMPLOYEE, "sandbox"),
            None,
            None,
        )
        .await;
        assert_eq!(
            refused(again).status,
            StatusCode::GONE,
            "an expired flow stays expired"
        );
        update_login_flow(&config, &fresh, password(EMPLOYEE, "sandbox"), None, None)
            .await
            .expect("the new flow logs in");
    }

    #[tokio::test]
    async fn an_unknown_flow_is_404_and_a_malformed_one_400_in_kratos_error_body() {
        let app = TestApp::spawn().await;
        let config = kratos(&app);
        let submit = |flow: &'static str| {
            update_login_flow(&config, flow, password(EMPLOYEE, "sandbox"), None, None)
        };

        let content = refused(submit("00000000-0000-4000-8000-000000000000").await);
        assert_eq!(content.status, StatusCode::NOT_FOUND);
        let generic = generic_of_login(content.entity.as_ref().expect("an ErrorGeneric"));
        assert_eq!(generic.error.code, Some(404));
        assert_eq!(generic.error.status.as_deref(), Some("Not Found"));
        assert_eq!(generic.error.message, "Unable to locate the resource");

        let content = refused(submit("not-a-flow").await);
        assert_eq!(content.status, StatusCode::BAD_REQUEST);
        let generic = generic_of_login(content.entity.as_ref().expect("an ErrorGeneric"));
        assert_eq!(
            generic.error.reason.as_deref(),
            Some("The flow query parameter is missing or malformed.")
        );
    }

    #[tokio::test]
    async fn whoami_without_a_live_session_is_401_in_kratos_error_body() {
        let app = TestApp::spawn().await;
        let config = kratos(&app);

        for token in [None, Some("nope"), Some("expired-dcm-token")] {
            let content = refused(to_session(&config, token, None, None).await);

            assert_eq!(content.status, StatusCode::UNAUTHORIZED, "{token:?}");
            let generic = generic_of_whoami(content.entity.as_ref().expect("an ErrorGeneric"));
            assert_eq!(generic.error.code, Some(401));
            assert_eq!(generic.error.status.as_deref(), Some("Unauthorized"));
            assert_eq!(generic.error.reason.as_deref(), Some(NO_SESSION));
            assert_eq!(generic.error.message, "The request could not be authorized");
        }
        let preset = to_session(&config, Some(TOKEN), None, None)
            .await
            .expect("a session");
        assert_eq!(preset.expires_at, None, "the scenario token never expires");
        let identity = preset.identity.expect("identity");
        assert_eq!(identity.traits, Some(json!({"email": EMPLOYEE})));
    }

    #[tokio::test]
    async fn every_kratos_code_can_be_forced_in_kratos_format() {
        let app = TestApp::spawn().await;
        let flow = "/dcm/kratos/self-service/login/api";

        let answers = app
            .forced_answers("dcm", || app.request(Method::GET, flow))
            .await;

        let answers: Vec<_> = answers
            .into_iter()
            .filter(|(entry, _, _)| entry["scope"] == "kratos")
            .collect();
        assert_eq!(answers.len(), 10, "every Kratos code but the success");
        for (entry, status, b) in answers {
            let code = entry["code"].as_str().expect("code");
            assert_eq!(
                Some(status.as_u16()),
                entry["http_status"].as_u64().map(|s| s as u16)
            );
            if let Ok(id) = code.parse::<i64>()
                && id > 999
            {
                let forced = Flow::read(&b);
                let on_form = forced.flow.ui.messages.clone().unwrap_or_default();
                let on_node = &forced.node("password").messages;
                assert!(
                    on_form.iter().chain(on_node).any(|m| m.id == id),
                    "{code}: {b}"
                );
                continue;
            }
            let generic: ErrorGeneric = model(&b);
            assert_eq!(
                generic.error.code,
                Some(i64::from(status.as_u16())),
                "{code}"
            );
            if code == "self_service_flow_expired" {
                let expired: SelfServiceFlowExpiredError = model(&b);
                let fresh = expired.use_flow_id.expect("use_flow_id");
                let config = kratos(&app);
                let login =
                    update_login_flow(&config, &fresh, password(EMPLOYEE, "sandbox"), None, None);
                login.await.expect("the forced answer's new flow logs in");
            }
        }
    }

    #[tokio::test]
    async fn a_rule_answers_a_kratos_code_at_the_login() {
        let app = TestApp::spawn().await;
        app.add_rule(&json!({"when": {"provider": "dcm", "endpoint": "/kratos/self-service/login"}, "then": {"code": "4000006"}}))
            .await;
        let flow = new_flow(&app).await;

        let content = refused(
            update_login_flow(
                &kratos(&app),
                flow.id(),
                password(EMPLOYEE, "sandbox"),
                None,
                None,
            )
            .await,
        );

        assert_eq!(content.status, StatusCode::BAD_REQUEST);
        let again = Flow::read(&serde_json::from_str(&content.content).expect("JSON"));
        assert_eq!(
            again.flow.ui.messages.expect("messages")[0].text,
            INVALID_CREDENTIALS
        );
    }

    #[tokio::test]
    async fn an_unknown_path_or_method_under_kratos_answers_kratos_error_body() {
        let app = TestApp::spawn().await;

        let unknown = app.get("/dcm/kratos/self-service/registration/api").await;
        let wrong = app
            .request(Method::PUT, "/dcm/kratos/sessions/whoami")
            .send()
            .await
            .expect("sent");

        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        let generic: ErrorGeneric = model(&body(unknown).await);
        assert_eq!(generic.error.message, "Unable to locate the resource");
        assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
        let generic: ErrorGeneric = model(&body(wrong).await);
        assert!(
            generic
                .error
                .reason
                .expect("reason")
                .contains("/dcm/kratos/sessions/whoami")
        );
        let (status, b) = super::get(&app, "/dcm/api/v1/nothing").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(b["error"].is_string(), "the bank API keeps its body: {b}");
    }

    #[tokio::test]
    async fn form_logins_read_like_json_ones() {
        let app = TestApp::spawn().await;
        let flow = new_flow(&app).await;
        let path = format!("/dcm/kratos/self-service/login?flow={}", flow.id());
        let post = |form: &'static [(&'static str, &'static str)]| {
            app.request(Method::POST, &path).form(form).send()
        };

        let empty = post(&[
            ("csrf_token", ""),
            ("identifier", EMPLOYEE),
            ("method", "password"),
            ("password", ""),
        ])
        .await
        .expect("sent");
        let other = post(&[
            ("identifier", EMPLOYEE),
            ("method", "oidc"),
            ("password", "sandbox"),
        ])
        .await
        .expect("sent");
        let good = post(&[("identifier", EMPLOYEE), ("password", "sandbox")])
            .await
            .expect("sent");

        assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
        let empty = Flow::read(&body(empty).await);
        assert_eq!(empty.node("password").messages[0].id, 4_000_003);
        assert_eq!(
            empty.node("identifier").attributes.value,
            Some(Some(json!(EMPLOYEE)))
        );
        assert_eq!(other.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            Flow::read(&body(other).await)
                .flow
                .ui
                .messages
                .expect("messages")[0]
                .id,
            4_010_002
        );
        assert_eq!(good.status(), StatusCode::OK, "`method` may be left out");
    }

    #[tokio::test]
    async fn a_login_body_that_is_no_json_object_or_form_is_kratos_400() {
        let app = TestApp::spawn().await;
        let flow = new_flow(&app).await;
        let path = format!("/dcm/kratos/self-service/login?flow={}", flow.id());

        for raw in ["{", "[1]", "\"text\""] {
            let res = app.post_raw(&path, raw).await;

            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{raw}");
            let generic: ErrorGeneric = model(&body(res).await);
            assert_eq!(
                generic.error.message,
                "The request was malformed or contained invalid parameters"
            );
        }
    }

    #[tokio::test]
    async fn only_aal1_can_be_requested() {
        let app = TestApp::spawn().await;

        let answer = create_native_login_flow(
            &kratos(&app),
            None,
            Some("aal2"),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await;

        let content = refused(answer);
        assert_eq!(content.status, StatusCode::BAD_REQUEST);
        let generic: ErrorGeneric = serde_json::from_str(&content.content).expect("ErrorGeneric");
        assert!(generic.error.reason.expect("reason").contains("aal1"));
    }

    #[tokio::test]
    async fn kratos_public_url_sets_the_urls_a_flow_and_a_session_show() {
        let app =
            TestApp::spawn_with("dcm:\n  kratos_public_url: https://auth.bank.test/kratos/\n")
                .await;
        let flow = new_flow(&app).await;

        let login = log_in(&app, &kratos(&app)).await;

        let base = "https://auth.bank.test/kratos";
        assert_eq!(
            flow.flow.ui.action,
            format!("{base}/self-service/login?flow={}", flow.id())
        );
        assert_eq!(
            flow.flow.request_url,
            format!("{base}/self-service/login/api")
        );
        let identity = login.session.identity.expect("identity");
        assert_eq!(identity.schema_url, format!("{base}/schemas/ZGVmYXVsdA"));
        for bad in ["ftp://auth.bank.test", "auth.bank.test", "https://a b"] {
            let res = app
                .put_scenario(&format!("dcm:\n  kratos_public_url: \"{bad}\"\n"))
                .await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
            assert!(
                body(res).await["problems"]
                    .to_string()
                    .contains("kratos_public_url")
            );
        }
    }

    #[tokio::test]
    async fn an_employee_is_the_same_identity_in_every_tenant() {
        let app = TestApp::spawn().await;
        let other = app.as_tenant("other");
        let mut ids = Vec::new();

        for app in [&app, &other] {
            let flow = Flow::read(&body(app.get("/dcm/kratos/self-service/login/api").await).await);
            let path = format!("/dcm/kratos/self-service/login?flow={}", flow.id());
            let b = body(
                app.post_json(
                    &path,
                    &json!({"identifier": EMPLOYEE, "password": "sandbox"}),
                )
                .await,
            )
            .await;
            ids.push(b["session"]["identity"]["id"].clone());
        }

        assert!(ids[0].is_string());
        assert_eq!(ids[0], ids[1]);
    }

    #[tokio::test]
    async fn ory_client_logout_ends_the_session_on_the_bank_api_too() {
        let app = TestApp::spawn().await;
        let config = kratos(&app);
        let login = log_in(&app, &config).await;
        let token = login.session_token.expect("token");

        perform_native_logout(&config, PerformNativeLogoutBody::new(token.clone()))
            .await
            .expect("204");

        let whoami = refused(to_session(&config, Some(&token), None, None).await);
        assert_eq!(whoami.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            list_status(&app, &format!("bearer {token}")).await,
            StatusCode::UNAUTHORIZED
        );
        let again =
            refused(perform_native_logout(&config, PerformNativeLogoutBody::new(token)).await);
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        let Some(PerformNativeLogoutError::Status400(generic)) = again.entity else {
            panic!("not an ErrorGeneric: {}", again.content);
        };
        assert_eq!(generic.error.code, Some(403));
    }
}

// ---------------------------------------------------------------- OpenAPI document

/// The schema a `$ref` of the document names (`#/components/schemas/dcm.X`).
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[tokio::test]
async fn the_document_describes_the_bank_api_bodies_errors_and_credentials() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/dcm.json").await).await;

    let create = &doc["paths"]["/api/v1/counterparty/{cg}/customers"]["post"];
    let request = &create["requestBody"]["content"]["application/json"]["schema"];
    let request = resolved(&doc, request);
    let required = request["required"].as_array().cloned().unwrap_or_default();
    assert!(required.contains(&json!("asset_code")), "{request}");
    assert!(required.contains(&json!("asset_issuer")), "{request}");
    assert!(!required.contains(&json!("login")), "{request}");
    assert_eq!(request["properties"]["surname"]["maxLength"], 255);
    assert_eq!(request["properties"]["kyc_level"]["minimum"], 0);
    assert_eq!(request["additionalProperties"], false);
    let ok = &create["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(
        resolved(&doc, ok)["properties"]["customer_guid"].is_object(),
        "{ok}"
    );
    for status in ["400", "401", "404"] {
        let error = &create["responses"][status]["content"]["application/json"]["schema"];
        let error = resolved(&doc, error);
        assert_eq!(
            error["properties"]["error"]["type"], "string",
            "{status}: {error}"
        );
    }
    let example = &create["responses"]["401"]["content"]["application/json"]["example"];
    assert_eq!(example["error"], "Access credentials are invalid");

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cx_jwt"]["name"], "CX-Authorization");
    assert_eq!(create["security"], json!([{"bearer": []}, {"cx_jwt": []}]));
}
