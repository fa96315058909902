//! CarmaChain over HTTP: API keys, createrequest, respond, pending → done, every code.

use std::collections::BTreeSet;

use crate::common::{TestApp, body};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

const TOKEN: &str = "/carmachain/auth/getToken";
const CREATE: &str = "/carmachain/api/createrequest";
const RESPOND: &str = "/carmachain/api/respond";
const SECRET: &str = "carmachain-sandbox-secret";
const T0: &str = "2024-09-04T10:00:00Z";

// ---------------------------------------------------------------- helpers

async fn get_token(app: &TestApp, basic: Option<(&str, &str)>) -> Response {
    let mut req = app.request(Method::GET, TOKEN);
    if let Some((user, pass)) = basic {
        req = req.basic_auth(user, Some(pass));
    }
    req.send().await.expect("request sent")
}

async fn token_of(res: Response) -> String {
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await["token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// A full-scope key from the open client.
async fn key(app: &TestApp) -> String {
    token_of(get_token(app, None).await).await
}

/// A server with its clock frozen at `T0`, and a full-scope key.
async fn frozen(app: TestApp) -> (TestApp, String) {
    app.freeze_clock(T0).await;
    let key = key(&app).await;
    (app, key)
}

async fn key_of(app: &TestApp, user: &str) -> String {
    token_of(get_token(app, Some((user, "sandbox"))).await).await
}

async fn call(app: &TestApp, path: &str, auth: Option<&str>, payload: &Value) -> Response {
    let mut req = app.request(Method::POST, path).json(payload);
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    req.send().await.expect("request sent")
}

/// `payload` at `path` with `key`.
async fn post(app: &TestApp, path: &str, key: &str, payload: &Value) -> Response {
    call(app, path, Some(key), payload).await
}

async fn call_raw(
    app: &TestApp,
    path: &str,
    auth: &str,
    payload: impl Into<reqwest::Body>,
) -> Response {
    app.request(Method::POST, path)
        .header("Authorization", auth)
        .header("content-type", "application/json")
        .body(payload)
        .send()
        .await
        .expect("request sent")
}

fn alice() -> Value {
    json!({ "IdDocument": "AB123456", "PhoneNumber": "+380501234567" })
}

/// A createrequest body asking `Name` for `value`.
fn names(value: Value) -> Value {
    json!({ "type_request": "Name", "value": value })
}

/// A respond body asking `Name` for the requests of the last `minutes`.
fn period(minutes: i64) -> Value {
    json!({ "type_request": "Name", "period": minutes })
}

/// A respond body asking `Name` for `ids`.
fn by_ids(ids: &[String]) -> Value {
    json!({ "type_request": "Name", "idRequest": ids })
}

/// The `idRequest`s of an answer's `parametrRequest`, in order.
fn request_ids(b: &Value) -> Vec<String> {
    b["parametrRequest"]
        .as_array()
        .expect("parametrRequest")
        .iter()
        .map(|i| i["idRequest"].as_str().expect("idRequest").to_string())
        .collect()
}

/// The status of the `i`th request of a respond answer.
fn status(b: &Value, i: usize) -> &Value {
    &b["parametrRequest"][i]["status"]
}

/// Creates one request per item and returns the ids.
async fn create(app: &TestApp, key: &str, categories: Value, items: Vec<Value>) -> Vec<String> {
    let payload = json!({ "type_request": categories, "value": items });
    let res = post(app, CREATE, key, &payload).await;
    assert_eq!(res.status(), StatusCode::OK);
    request_ids(&body(res).await)
}

async fn respond_ids(app: &TestApp, key: &str, categories: Value, ids: &[String]) -> Value {
    let payload = json!({ "type_request": categories, "idRequest": ids });
    let res = post(app, RESPOND, key, &payload).await;
    assert_eq!(res.status(), StatusCode::OK);
    body(res).await
}

async fn respond_period(app: &TestApp, key: &str, minutes: i64) -> Value {
    body(post(app, RESPOND, key, &period(minutes)).await).await
}

async fn complete(app: &TestApp, id: &str) -> Response {
    let path = format!("/__sandbox/carmachain/requests/{id}/complete");
    app.post_json(&path, &json!({})).await
}

/// CarmaChain's part of `GET /__sandbox/state`.
async fn carma_state(app: &TestApp) -> Value {
    app.state().await["providers"]["carmachain"].clone()
}

async fn assert_code(res: Response, status: u16, code: i64) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let b = body(res).await;
    assert_eq!(b["response"]["code"], json!(code), "{b}");
    assert!(
        b["response"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{b}"
    );
    b
}

fn groups(item: &Value) -> BTreeSet<String> {
    item["requestDetails"]
        .as_array()
        .expect("requestDetails")
        .iter()
        .map(|d| d["groupData"].as_str().expect("groupData").to_string())
        .collect()
}

// ---------------------------------------------------------------- keys

#[tokio::test]
async fn get_token_issues_hs256_jwt_with_id_claim_valid_24_hours() {
    let app = TestApp::spawn().await;

    let res = get_token(&app, None).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    let token = b["token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_exp = false;
    let claims =
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(SECRET.as_bytes()), &v)
            .unwrap()
            .claims;
    assert_eq!(claims["id"], b["id"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        24 * 3600
    );
    assert_eq!(b["scope"], json!(["createrequest", "respond"]));
    assert!(b["expiresAt"].is_string());
}

#[tokio::test]
async fn key_works_bare_and_with_bearer_prefix() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;

    let bare = create(&app, &key, json!("Name"), vec![alice()]).await;
    let bearer = create(&app, &format!("Bearer {key}"), json!("Name"), vec![alice()]).await;

    assert_eq!(bare.len(), 1);
    assert_eq!(bearer.len(), 1);
    assert_ne!(bare, bearer);
}

#[tokio::test]
async fn key_expires_after_24_virtual_hours() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    app.advance_clock(24 * 3600 - 1).await;
    create(&app, &key, json!("Name"), vec![alice()]).await;

    app.advance_clock(1).await;
    let res = post(&app, CREATE, &key, &names(json!([alice()]))).await;

    assert_code(res, 401, 1003).await;
}

#[tokio::test]
async fn a_key_used_before_it_was_revoked_is_refused_after() {
    let app = TestApp::spawn().await;
    let b = body(get_token(&app, None).await).await;
    let (key, id) = (b["token"].as_str().unwrap(), b["id"].as_str().unwrap());
    create(&app, key, json!("Name"), vec![alice()]).await;

    app.delete(&format!("/__sandbox/carmachain/tokens/{id}"))
        .await;
    let res = post(&app, CREATE, key, &names(json!([alice()]))).await;

    assert_code(res, 401, 1004).await;
}

#[tokio::test]
async fn a_used_key_with_its_signature_changed_is_malformed() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    create(&app, &key, json!("Name"), vec![alice()]).await;
    let (signed, signature) = key.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);

    let res = post(&app, CREATE, &forged, &names(json!([alice()]))).await;

    assert_code(res, 401, 1002).await;
}

#[tokio::test]
async fn revoked_key_returns_401_and_is_listed_as_revoked() {
    let app = TestApp::spawn().await;
    let b = body(get_token(&app, None).await).await;
    let (key, id) = (b["token"].as_str().unwrap(), b["id"].as_str().unwrap());

    let res = app
        .delete(&format!("/__sandbox/carmachain/tokens/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(&app, RESPOND, key, &period(5)).await;

    assert_code(res, 401, 1004).await;
    let list = body(app.get("/__sandbox/carmachain/tokens").await).await;
    let listed = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == json!(id))
        .cloned()
        .unwrap();
    assert_eq!(listed["revoked"], json!(true));
    assert_eq!(listed["valid"], json!(false));
    assert_eq!(
        app.delete("/__sandbox/carmachain/tokens/nope")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn scoped_keys_call_only_their_methods() {
    let app = TestApp::spawn().await;
    let reader = key_of(&app, "reader").await;
    let creator = key_of(&app, "creator").await;
    let full = key_of(&app, "sandbox").await;

    let ids = create(&app, &creator, json!("Name"), vec![alice()]).await;
    let denied_create = post(&app, CREATE, &reader, &names(json!([alice()]))).await;
    let denied_respond = post(&app, RESPOND, &creator, &by_ids(&ids)).await;

    assert_code(denied_create, 403, 1006).await;
    assert_code(denied_respond, 403, 1006).await;
    respond_ids(&app, &reader, json!("Name"), &ids).await;
    respond_ids(&app, &full, json!("Name"), &ids).await;
}

#[tokio::test]
async fn wrong_basic_credentials_get_no_key() {
    let app = TestApp::spawn().await;

    let wrong = get_token(&app, Some(("sandbox", "wrong"))).await;
    let garbled = app
        .request(Method::GET, TOKEN)
        .header("Authorization", "Basic !!!")
        .send()
        .await
        .unwrap();

    assert_code(wrong, 401, 1005).await;
    assert_code(garbled, 401, 1005).await;
    assert_eq!(carma_state(&app).await["keys"], json!([]));
}

// ---------------------------------------------------------------- createrequest

#[tokio::test]
async fn batch_createrequest_answers_one_id_per_item_with_phones_normalised() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let items = json!([
        { "IdDocument": "AB123456", "PhoneNumber": "+380501234567" },
        { "IdDocument": "004512397", "PhoneNumber": "380671112233" },
        { "IdDocument": "CC000001", "PhoneNumber": "0500000001" },
    ]);

    let payload = json!({ "type_request": ["Address", "Name"], "value": items });
    let res = post(&app, CREATE, &key, &payload).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    assert_eq!(b["response"], json!({ "code": 0, "message": "OK" }));
    let out = b["parametrRequest"].as_array().unwrap();
    assert_eq!(out.len(), 3);
    let phones: Vec<&str> = out
        .iter()
        .map(|i| i["PhoneNumber"].as_str().unwrap())
        .collect();
    assert_eq!(phones, ["+380501234567", "+380671112233", "+380500000001"]);
    assert_eq!(out[1]["IdDocument"], json!("004512397"));
    let mut keys: Vec<&String> = out[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["IdDocument", "PhoneNumber", "idRequest"]);
    let ids: BTreeSet<String> = request_ids(&b).into_iter().collect();
    assert_eq!(ids.len(), 3);
}

// ---------------------------------------------------------------- respond and pending

#[tokio::test]
async fn request_is_panding_then_done_by_clock_with_rows_from_both_peers() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let ids = create(&app, &key, json!("All categories"), vec![alice()]).await;

    let pending = respond_ids(&app, &key, json!("All categories"), &ids).await;
    app.advance_clock(10).await;
    let done = respond_ids(&app, &key, json!("All categories"), &ids).await;

    assert_eq!(status(&pending, 0), &json!("Panding"));
    assert_eq!(pending["parametrRequest"][0]["requestDetails"], json!([]));
    let d = &done["parametrRequest"][0];
    assert_eq!(done["response"]["code"], json!(0));
    assert_eq!(d["status"], json!("Done"));
    assert_eq!(d["idDocument"], json!("AB123456"));
    assert_eq!(d["phoneNumber"], json!("+380501234567"));
    assert_eq!(d["idRequest"], json!(ids[0]));
    let details = d["requestDetails"].as_array().unwrap();
    let peers: BTreeSet<&str> = details
        .iter()
        .map(|r| r["idPpeers"].as_str().unwrap())
        .collect();
    assert_eq!(
        peers.into_iter().collect::<Vec<_>>(),
        ["peer-bank-01", "peer-telecom-02"]
    );
    assert_eq!(groups(d).len(), 9);
    let mut row_keys: Vec<&String> = details[0].as_object().unwrap().keys().collect();
    row_keys.sort();
    assert_eq!(
        row_keys,
        ["fieldName", "fieldValue", "groupData", "idPpeers"]
    );
    assert!(
        details
            .iter()
            .any(|r| r["idPpeers"] == json!("peer-bank-01")
                && r["fieldName"] == json!("activeLoans")
                && r["fieldValue"] == json!("2"))
    );
    assert!(
        details
            .iter()
            .any(|r| r["fieldName"] == json!("lastName") && r["fieldValue"] == json!("Лимаренко"))
    );
}

#[tokio::test]
async fn respond_filters_rows_to_the_categories_asked() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let all = create(&app, &key, json!("All categories"), vec![alice()]).await;
    let two = create(&app, &key, json!(["Address", "Name"]), vec![alice()]).await;
    app.advance_clock(60).await;

    let name_only = respond_ids(&app, &key, json!("Name"), &all).await;
    let listed = respond_ids(&app, &key, json!(["Credit History", "Contacts"]), &all).await;
    let created_two = respond_ids(&app, &key, json!("All categories"), &two).await;

    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(groups(&name_only["parametrRequest"][0]), set(&["Name"]));
    assert_eq!(
        groups(&listed["parametrRequest"][0]),
        set(&["Contacts", "Credit History"])
    );
    assert_eq!(
        groups(&created_two["parametrRequest"][0]),
        set(&["Address", "Name"])
    );
}

#[tokio::test]
async fn unknown_category_next_to_all_categories_is_refused_in_both_endpoints() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let ids = create(&app, &key, json!("Name"), vec![alice()]).await;
    let before = carma_state(&app).await;
    let bogus = json!(["All categories", "Bogus"]);

    let created = post(
        &app,
        CREATE,
        &key,
        &json!({ "type_request": bogus, "value": [alice()] }),
    )
    .await;
    let answered = post(
        &app,
        RESPOND,
        &key,
        &json!({ "type_request": bogus, "idRequest": ids }),
    )
    .await;

    let b = assert_code(created, 400, 2003).await;
    assert!(b["response"]["detail"].as_str().unwrap().contains("Bogus"));
    assert_code(answered, 400, 2003).await;
    assert_eq!(
        carma_state(&app).await["requests"],
        before["requests"],
        "the refused batch stored nothing"
    );
}

/// alice is known to peer-bank-01 (scenario default, 5 s) and peer-telecom-02 (10 s):
/// she waits for the slowest; bob, known to the bank only, waits 5 s.
#[tokio::test]
async fn request_waits_for_the_slowest_peer_that_knows_the_person() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let bob = json!({ "IdDocument": "004512397", "PhoneNumber": "+380671112233" });
    let ids = create(&app, &key, json!("Name"), vec![alice(), bob]).await;

    app.advance_clock(4).await;
    let at4 = respond_ids(&app, &key, json!("Name"), &ids).await;
    app.advance_clock(1).await;
    let at5 = respond_ids(&app, &key, json!("Name"), &ids).await;
    app.advance_clock(4).await;
    let at9 = respond_ids(&app, &key, json!("Name"), &ids).await;
    app.advance_clock(1).await;
    let at10 = respond_ids(&app, &key, json!("Name"), &ids).await;

    let (panding, done) = (json!("Panding"), json!("Done"));
    assert_eq!(status(&at4, 1), &panding, "bob before his peer's 5 s");
    assert_eq!(status(&at5, 1), &done, "bob at 5 s");
    assert_eq!(status(&at5, 0), &panding, "alice at 5 s");
    assert_eq!(status(&at9, 0), &panding, "alice at 9 s");
    assert_eq!(status(&at10, 0), &done, "alice at 10 s");
}

#[tokio::test]
async fn person_rule_pending_seconds_overrides_the_peers() {
    let app = TestApp::spawn_with(
        "carmachain:\n  persons:\n    - person: alice\n      pending_seconds: 30\n",
    )
    .await;
    let (app, key) = frozen(app).await;
    let ids = create(&app, &key, json!("Name"), vec![alice()]).await;

    app.advance_clock(29).await;
    let at29 = respond_ids(&app, &key, json!("Name"), &ids).await;
    app.advance_clock(1).await;
    let at30 = respond_ids(&app, &key, json!("Name"), &ids).await;

    assert_eq!(status(&at29, 0), &json!("Panding"));
    assert_eq!(status(&at30, 0), &json!("Done"));
    assert_eq!(groups(&at30["parametrRequest"][0]).len(), 1);
}

#[tokio::test]
async fn respond_by_period_returns_requests_of_the_last_n_minutes() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let old = create(&app, &key, json!("Name"), vec![alice()]).await;
    app.advance_clock(10 * 60).await;
    let new = create(&app, &key, json!("Name"), vec![alice()]).await;

    let last5 = respond_period(&app, &key, 5).await;
    let last15 = respond_period(&app, &key, 15).await;

    assert_eq!(request_ids(&last5), new);
    assert_eq!(request_ids(&last15), [old[0].clone(), new[0].clone()]);
    assert_eq!(status(&last15, 0), &json!("Done"));
    assert_eq!(status(&last15, 1), &json!("Panding"));
}

#[tokio::test]
async fn respond_by_period_answers_at_most_the_1000_newest_requests() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let mut ids = Vec::new();
    for _ in 0..11 {
        ids.extend(create(&app, &key, json!("Name"), vec![alice(); 100]).await);
    }

    let res = post(&app, RESPOND, &key, &period(60)).await;

    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    let got = request_ids(&b);
    assert_eq!(got.len(), 1_000);
    assert_eq!(got, ids[100..], "the newest 1000, oldest first");
    assert_eq!(b["response"]["code"], json!(0));
    assert!(
        b["response"]["detail"]
            .as_str()
            .unwrap()
            .contains("1000 newest of 1100"),
        "{}",
        b["response"]
    );
}

#[tokio::test]
async fn respond_by_id_answers_each_id_once_and_refuses_over_1000_ids() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let ids = create(&app, &key, json!("Name"), vec![alice(); 2]).await;
    let mut repeated = vec![ids[1].clone(); 1_000];
    repeated[500] = ids[0].clone();

    let once = respond_ids(&app, &key, json!("Name"), &repeated).await;
    let mut too_many = repeated.clone();
    too_many.push(ids[0].clone());
    let refused = post(&app, RESPOND, &key, &by_ids(&too_many)).await;

    assert_eq!(
        request_ids(&once),
        [ids[1].clone(), ids[0].clone()],
        "first-asked order"
    );
    assert!(once["response"].get("detail").is_none());
    let b = assert_code(refused, 400, 2002).await;
    assert!(b["response"]["detail"].as_str().unwrap().contains("1000"));
}

#[tokio::test]
async fn never_completing_request_is_done_after_admin_complete() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let stuck = json!({ "IdDocument": "CC000002", "PhoneNumber": "+380500000002" });
    let ids = create(&app, &key, json!("All categories"), vec![stuck]).await;
    app.advance_clock(30 * 86_400).await;
    let key = self::key(&app).await;
    let still = respond_ids(&app, &key, json!("All categories"), &ids).await;

    let res = complete(&app, &ids[0]).await;

    assert_eq!(status(&still, 0), &json!("Panding"));
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["status"], json!("Done"));
    let done = respond_ids(&app, &key, json!("All categories"), &ids).await;
    assert_eq!(status(&done, 0), &json!("Done"));
    assert_eq!(done["parametrRequest"][0]["requestDetails"], json!([]));
    let missing = complete(&app, "nope").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_complete_finishes_a_pending_request_before_its_time() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let ids = create(&app, &key, json!("Name"), vec![alice()]).await;

    complete(&app, &ids[0]).await;

    let b = respond_ids(&app, &key, json!("Name"), &ids).await;
    assert_eq!(status(&b, 0), &json!("Done"));
    assert!(
        !b["parametrRequest"][0]["requestDetails"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn person_no_peer_knows_completes_done_without_details() {
    let (app, key) = frozen(TestApp::spawn().await).await;
    let nobody = json!({ "IdDocument": "CC000001", "PhoneNumber": "+380500000001" });
    let stranger = json!({ "IdDocument": "ZZ999999", "PhoneNumber": "0939999999" });
    let ids = create(&app, &key, json!("All categories"), vec![nobody, stranger]).await;
    app.advance_clock(5).await;

    let b = respond_ids(&app, &key, json!("All categories"), &ids).await;

    for item in b["parametrRequest"].as_array().unwrap() {
        assert_eq!(item["status"], json!("Done"));
        assert_eq!(item["requestDetails"], json!([]));
    }
}

#[tokio::test]
async fn peer_that_knows_everyone_shares_generated_data_on_strangers_deterministically() {
    let yaml = "carmachain:\n  peers:\n    - id: peer-open-03\n      knows_everyone: true\n";
    let app = TestApp::spawn_with(yaml).await;
    let other = TestApp::spawn_with(yaml).await;
    let stranger = json!({ "IdDocument": "ZZ999999", "PhoneNumber": "0939999999" });
    let mut answers = Vec::new();
    for app in [&app, &other] {
        app.freeze_clock(T0).await;
        let key = key(app).await;
        let ids = create(app, &key, json!("All categories"), vec![stranger.clone()]).await;
        app.advance_clock(5).await;
        answers.push(respond_ids(app, &key, json!("All categories"), &ids).await);
    }

    let details = answers[0]["parametrRequest"][0]["requestDetails"]
        .as_array()
        .unwrap();
    let has = |field: &str, value: &str| {
        details
            .iter()
            .any(|d| d["fieldName"] == json!(field) && d["fieldValue"] == json!(value))
    };
    assert!(
        details
            .iter()
            .all(|d| d["idPpeers"] == json!("peer-open-03"))
    );
    assert!(has("idDocument", "ZZ999999"));
    assert!(has("phoneNumber", "+380939999999"));
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn requests_and_keys_are_per_tenant() {
    let app = TestApp::spawn().await;
    let b = app.as_tenant("b");
    let key_a = key(&app).await;
    let key_b = key(&b).await;
    let ids = create(&app, &key_a, json!("Name"), vec![alice()]).await;
    let ids_b = create(&b, &key_b, json!("Name"), vec![alice()]).await;

    let unknown_there = post(&b, RESPOND, &key_b, &by_ids(&ids)).await;
    let foreign_key = post(&b, RESPOND, &key_a, &period(5)).await;

    assert_ne!(ids, ids_b);
    assert_code(unknown_there, 400, 2006).await;
    assert_code(foreign_key, 401, 1004).await;
    let listed = respond_period(&b, &key_b, 60).await;
    assert_eq!(listed["parametrRequest"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn same_scenario_gives_same_ids_and_same_data() {
    let one = TestApp::spawn().await;
    let two = TestApp::spawn().await;
    let mut seen = Vec::new();
    for app in [&one, &two] {
        app.freeze_clock(T0).await;
        let key = key(app).await;
        let ids = create(app, &key, json!("All categories"), vec![alice()]).await;
        app.advance_clock(10).await;
        let first = respond_ids(app, &key, json!("All categories"), &ids).await;
        let again = respond_ids(app, &key, json!("All categories"), &ids).await;
        assert_eq!(first, again);
        seen.push((key, first));
    }
    assert_eq!(seen[0], seen[1]);
}

// ---------------------------------------------------------------- errors

/// Each code reached by real input: the key codes on a good createrequest body, then
/// the body codes with a good key. Nothing refused is stored.
#[tokio::test]
async fn every_error_is_reachable_naturally() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let other_secret = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({ "id": "x", "iat": 0, "exp": 9_999_999_999i64 }),
        &jsonwebtoken::EncodingKey::from_secret(b"another"),
    )
    .unwrap();
    let one = |item: Value| names(json!([item]));
    let phone = "0501234567";
    let without_a_good_key: Vec<(Option<&str>, u16, i64)> = vec![
        (None, 401, 1001),
        (Some("not-a-jwt"), 401, 1002),
        (Some(&other_secret), 401, 1002),
    ];
    let with_key: Vec<(&str, u16, i64, Vec<Value>)> = vec![
        (
            CREATE,
            400,
            2002,
            vec![
                names(json!(1)),
                json!({ "type_request": "Name", "value": [alice()], "extra": 1 }),
                json!({ "value": [alice()] }),
                one(json!({ "IdDocument": 5, "PhoneNumber": phone })),
                one(json!({ "IdDocument": "A", "PhoneNumber": phone, "x": 1 })),
            ],
        ),
        (
            CREATE,
            400,
            2003,
            vec![
                json!({ "type_request": "Adress", "value": [alice()] }),
                json!({ "type_request": ["Name", "Nope"], "value": [alice()] }),
            ],
        ),
        (
            CREATE,
            400,
            2004,
            vec![one(json!({ "IdDocument": "A1", "PhoneNumber": "12345" }))],
        ),
        (CREATE, 400, 2005, vec![names(json!([]))]),
        (
            CREATE,
            500,
            5000,
            vec![one(
                json!({ "IdDocument": "SYSTEM-ERROR", "PhoneNumber": phone }),
            )],
        ),
        (RESPOND, 400, 2006, vec![by_ids(&["nope".into()])]),
        (
            RESPOND,
            400,
            2007,
            vec![
                json!({ "type_request": "Name", "idRequest": ["nope"], "period": 5 }),
                json!({ "type_request": "Name" }),
            ],
        ),
        (
            RESPOND,
            400,
            2002,
            vec![
                period(-1),
                json!({ "type_request": "Name", "idRequest": "x" }),
                json!({ "type_request": 7, "period": 5 }),
            ],
        ),
    ];
    let cases = without_a_good_key
        .into_iter()
        .map(|(auth, status, code)| (CREATE, auth, names(json!([alice()])), status, code))
        .chain(
            with_key
                .into_iter()
                .flat_map(|(path, status, code, payloads)| {
                    let key = key.as_str();
                    payloads
                        .into_iter()
                        .map(move |payload| (path, Some(key), payload, status, code))
                }),
        );

    for (path, auth, payload, status, code) in cases {
        let res = call(&app, path, auth, &payload).await;
        assert_eq!(res.status().as_u16(), status, "{path} {payload}");
        let b = body(res).await;
        assert_eq!(b["response"]["code"], json!(code), "{path} {payload}: {b}");
    }
    assert_eq!(carma_state(&app).await["requests"], json!([]));
}

#[tokio::test]
async fn malformed_json_and_oversized_body_are_answered_and_change_nothing() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let before = carma_state(&app).await;

    let broken = call_raw(&app, CREATE, &key, "{\"type_request\": ").await;
    let not_object = call_raw(&app, CREATE, &key, "[1, 2]").await;
    let huge = call_raw(&app, CREATE, &key, "x".repeat(1_100_000)).await;

    assert_code(broken, 400, 2001).await;
    assert_code(not_object, 400, 2002).await;
    let b = assert_code(huge, 400, 2001).await;
    assert!(b["response"]["detail"].as_str().unwrap().contains("larger"));
    assert_eq!(carma_state(&app).await, before);
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_answered_in_carmachain_format() {
    let app = TestApp::spawn().await;

    let missing = app.post_json("/carmachain/api/nothing", &json!({})).await;
    let wrong_method = app.get(CREATE).await;
    let post_token = app.post_json(TOKEN, &json!({})).await;

    assert_code(missing, 404, 3001).await;
    assert_code(wrong_method, 405, 3002).await;
    assert_code(post_token, 405, 3002).await;
}

#[tokio::test]
async fn every_code_is_reachable_by_force_header() {
    let app = TestApp::spawn().await;

    let answers = app
        .forced_answers("carmachain", || {
            app.request(Method::POST, CREATE).json(&json!({}))
        })
        .await;

    assert_eq!(answers.len(), 16, "every code but the success");
    for (entry, status, b) in answers {
        let code = entry["code"].as_str().unwrap();
        assert_eq!(
            u64::from(status.as_u16()),
            entry["http_status"].as_u64().unwrap(),
            "{code}"
        );
        assert_eq!(b["response"]["code"].to_string(), code, "{b}");
        assert_eq!(b["response"]["message"], entry["message"]);
    }
}

#[tokio::test]
async fn rule_forces_a_code_on_one_endpoint() {
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    app.add_rule(&json!({
        "when": { "provider": "carmachain", "endpoint": "/api/respond" },
        "then": { "code": "5000" },
    }))
    .await;

    let respond = post(&app, RESPOND, &key, &period(5)).await;
    let create_ok = post(&app, CREATE, &key, &names(json!([alice()]))).await;

    assert_code(respond, 500, 5000).await;
    assert_eq!(create_ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn scenario_override_changes_a_code_message() {
    let app = TestApp::spawn_with(
        "carmachain:\n  codes:\n    expired_key:\n      message: Token expired\n",
    )
    .await;
    let (app, key) = frozen(app).await;
    app.advance_clock(24 * 3600).await;

    let res = post(&app, RESPOND, &key, &period(5)).await;

    let b = assert_code(res, 401, 1003).await;
    assert_eq!(b["response"]["message"], json!("Token expired"));
}

#[test]
fn scenario_with_bad_carmachain_section_is_refused_with_every_problem() {
    let bad = "carmachain:\n  clients:\n    - username: x\n      scope: [delete]\n  peers:\n    - id: p\n      knows: [ghost]\n      categories: [Adress]\n  persons:\n    - person: nobody\n";
    let typo = "carmachain:\n  pending_secs: 5\n";
    let load = |yaml: &str| {
        let sources = vec![
            (
                "default.yaml".to_string(),
                sandbox::scenario::DEFAULT_SCENARIO.to_string(),
            ),
            ("test.yaml".to_string(), yaml.to_string()),
        ];
        sandbox::build_from(sandbox::Settings::for_tests(), sources).err()
    };

    let problems = format!("{:?}", load(bad).expect("refused"));
    let typo_problems = format!("{:?}", load(typo).expect("refused"));

    for needle in ["delete", "ghost", "Adress", "nobody"] {
        assert!(
            problems.contains(needle),
            "{needle} not reported: {problems}"
        );
    }
    assert!(typo_problems.contains("pending_secs"), "{typo_problems}");
}

// ---------------------------------------------------------------- openapi

#[tokio::test]
async fn the_document_describes_bodies_limits_errors_and_the_key() {
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi/carmachain.json").await).await;
    let schemas = &doc["components"]["schemas"];
    let create = &schemas["carmachain.CreateRequest"];
    assert_eq!(create["required"], json!(["type_request", "value"]));
    assert_eq!(create["properties"]["value"]["maxItems"], 100);
    assert_eq!(create["additionalProperties"], false);
    let item = &schemas["carmachain.ValueItem"]["properties"];
    assert_eq!(item["IdDocument"]["maxLength"], 64);
    assert!(
        item["PhoneNumber"]["pattern"]
            .as_str()
            .unwrap()
            .contains("380")
    );
    let status = &schemas["carmachain.RequestStatus"]["enum"];
    assert_eq!(*status, json!(["Panding", "Done"]));
    let op = &doc["paths"]["/api/createrequest"]["post"];
    let unauthorized = &op["responses"]["401"];
    let error = &unauthorized["content"]["application/json"];
    assert_eq!(
        error["schema"]["$ref"],
        "#/components/schemas/carmachain.ErrorAnswer"
    );
    assert_eq!(
        error["examples"]["missing_key"]["value"]["response"]["code"],
        1001
    );
    assert!(
        unauthorized["description"]
            .as_str()
            .unwrap()
            .contains("1003")
    );
    assert_eq!(op["security"], json!([{"carmachain_key": []}]));
    let key = &doc["components"]["securitySchemes"]["carmachain_key"];
    assert_eq!(key["type"], "apiKey");
    assert_eq!(key["in"], "header");
    assert_eq!(key["name"], "Authorization");
    let ok = &doc["paths"]["/auth/getToken"]["get"]["responses"]["200"];
    let token = &ok["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(*token, "#/components/schemas/carmachain.TokenAnswer");
}

#[tokio::test]
async fn documented_limits_of_a_request_are_the_enforced_ones() {
    // Arrange
    let app = TestApp::spawn().await;
    let key = key(&app).await;
    let max_doc = app
        .documented_limit(
            "carmachain",
            "carmachain.ValueItem",
            "IdDocument",
            "maxLength",
        )
        .await;
    let max_people = app
        .documented_limit(
            "carmachain",
            "carmachain.CreateRequest",
            "value",
            "maxItems",
        )
        .await;
    let person = |doc: String| json!({"IdDocument": doc, "PhoneNumber": "0501234567"});
    let ask = |people: Vec<Value>| json!({"type_request": "Name", "value": people});

    // Act
    let statuses = [
        ask(vec![person("D".repeat(max_doc))]),
        ask(vec![person("D".repeat(max_doc + 1))]),
        ask((0..max_people).map(|i| person(format!("D{i}"))).collect()),
        ask((0..=max_people).map(|i| person(format!("D{i}"))).collect()),
    ];
    let mut codes = Vec::new();
    for payload in &statuses {
        let answer = body(post(&app, CREATE, &key, payload).await).await;
        codes.push(answer["response"]["code"].clone());
    }

    // Assert
    assert_eq!(codes[0], 0, "an IdDocument at the limit is taken");
    assert_ne!(codes[1], 0, "one over it is refused");
    assert_eq!(codes[2], 0, "as many people as the limit are taken");
    assert_ne!(codes[3], 0, "one more is refused");
}
