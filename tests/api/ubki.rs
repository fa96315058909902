//! UBKI over HTTP: session keys, their Kyiv-day lifetime, the JSON and XML dialects of
//! the authorization API, the caller's address, the discount and free services, and
//! every code of both code tables.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use quick_xml::events::{BytesStart, Event};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, body, send};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";
const DISCOUNT: &str = "/ubki/bonusservice/discount";
const FREE: &str = "/ubki/bonusservice/free";
const FOREVER_KEY: &str = "0123456789ABCDEF0123456789ABCDEF";
const EXPIRED_KEY: &str = "EXPIRED0EXPIRED0EXPIRED0EXPIRED0";

fn credentials(login: &str, pass: &str) -> Value {
    json!({"doc": {"auth": {"login": login, "pass": pass}}})
}

async fn auth(app: &TestApp, body_: &Value) -> Value {
    body(app.post_json(AUTH, body_).await).await["doc"]["auth"].clone()
}

/// What a successful answer has instead of an `errcode`.
const NO_ERRCODE: &str = "(no errcode)";

/// The answer's `errcode`, or `NO_ERRCODE` for a success, which carries none.
async fn errcode(app: &TestApp, body_: &Value) -> String {
    auth(app, body_).await["errcode"]
        .as_str()
        .unwrap_or(NO_ERRCODE)
        .to_string()
}

async fn key(app: &TestApp) -> String {
    auth(app, &credentials("sandbox", "sandbox")).await["sessid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn discount(sessid: &str, reptype: &str, inn: &str) -> Value {
    json!({"sessid": sessid, "reptype": reptype, "inn": inn, "email": "o.limarenko@gmail.com"})
}

async fn result_code(app: &TestApp, path: &str, body_: &Value) -> String {
    body(app.post_json(path, body_).await).await["result_code"]
        .as_str()
        .expect("result_code")
        .to_string()
}

/// The `result_code` of an ALB discount for `inn` with the scenario's never-expiring key.
async fn alb_discount_code(app: &TestApp, inn: &str) -> String {
    result_code(app, DISCOUNT, &discount(FOREVER_KEY, "ALB", inn)).await
}

/// The first problem of a scenario that must be refused.
fn first_problem(yaml: &str) -> String {
    let problems = sandbox::load_scenario(&[("x.yaml".into(), yaml.into())]).unwrap_err();
    problems[0].to_string()
}

// ---- authorization API

#[tokio::test]
async fn auth_with_default_credentials_returns_every_documented_field() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;

    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;

    let sessid = answer["sessid"].as_str().unwrap();
    assert_eq!(sessid.len(), 32);
    assert!(
        sessid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    );
    assert_eq!(
        answer["datecr"], "2024-09-04 14:39:13",
        "Kyiv time, UTC+3 in summer"
    );
    assert_eq!(answer["dateed"], "2024-09-04 23:59:59");
    assert_eq!(answer["userlogin"], "sandbox");
    assert_eq!(answer["userid"], "29120");
    for field in ACCOUNT_FIELDS {
        assert!(answer[field].is_string(), "{field} missing");
    }
}

#[tokio::test]
async fn a_successful_login_carries_no_errcode_errtext_or_errtextclient() {
    let app = TestApp::spawn().await;

    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;

    for field in ["errcode", "errtext", "errtextclient"] {
        assert!(
            answer.get(field).is_none(),
            "{field} in a success: {answer}"
        );
    }
    assert!(answer["sessid"].is_string());
}

#[tokio::test]
async fn wrong_password_returns_errcode_13_with_its_texts_and_http_200() {
    let app = TestApp::spawn().await;

    let res = app.post_json(AUTH, &credentials("sandbox", "nope")).await;

    assert_eq!(res.status(), StatusCode::OK, "JSON errors keep 200");
    let answer = body(res).await["doc"]["auth"].clone();
    assert_eq!(answer["errcode"], "13");
    assert_eq!(answer["errtextclient"], "Невірний логін або пароль");
    assert!(answer["errtext"].as_str().unwrap().starts_with("Невірний"));
    assert_eq!(errcode(&app, &credentials("nobody", "sandbox")).await, "13");
}

#[tokio::test]
async fn empty_login_or_password_returns_errcode_36() {
    let app = TestApp::spawn().await;
    assert_eq!(errcode(&app, &credentials("", "sandbox")).await, "36");
    assert_eq!(errcode(&app, &credentials("sandbox", "")).await, "36");
}

#[tokio::test]
async fn missing_auth_attributes_return_errcode_11() {
    let app = TestApp::spawn().await;
    assert_eq!(errcode(&app, &json!({})).await, "11");
    assert_eq!(
        errcode(&app, &json!({"doc": {"auth": {"login": "sandbox"}}})).await,
        "11"
    );
}

#[tokio::test]
async fn invalid_auth_attributes_return_errcode_12() {
    let app = TestApp::spawn().await;
    assert_eq!(
        errcode(&app, &json!({"doc": {"auth": {"login": 42, "pass": "x"}}})).await,
        "12"
    );
    assert_eq!(
        errcode(&app, &credentials(&"a".repeat(251), "x")).await,
        "12"
    );
}

#[tokio::test]
async fn unparseable_json_returns_errcode_33() {
    let app = TestApp::spawn().await;

    let answer = body(app.post_raw(AUTH, "{\"doc\": [").await).await;

    assert_eq!(answer["doc"]["auth"]["errcode"], "33");
}

#[tokio::test]
async fn blocked_account_returns_errcode_27_and_terminated_contract_26() {
    let app = TestApp::spawn().await;
    assert_eq!(
        errcode(&app, &credentials("blocked", "sandbox")).await,
        "27"
    );
    assert_eq!(
        errcode(&app, &credentials("terminated", "sandbox")).await,
        "26"
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_past_the_threshold_return_errcode_1_until_the_lock_ends() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;
    for _ in 0..5 {
        assert_eq!(errcode(&app, &credentials("sandbox", "wrong")).await, "13");
    }

    let locked = errcode(&app, &credentials("sandbox", "sandbox")).await;
    app.advance_clock(30 * 60).await;
    let unlocked = errcode(&app, &credentials("sandbox", "sandbox")).await;

    assert_eq!(locked, "1");
    assert_eq!(unlocked, NO_ERRCODE);
}

#[tokio::test]
async fn checking_a_valid_key_returns_it_and_an_expired_one_errcode_16() {
    let app = TestApp::spawn().await;
    let sessid = key(&app).await;

    let valid = auth(&app, &json!({"doc": {"auth": {"sessid": sessid}}})).await;
    let expired = auth(&app, &json!({"doc": {"auth": {"sessid": EXPIRED_KEY}}})).await;

    assert!(valid.get("errcode").is_none());
    assert_eq!(valid["sessid"], sessid.as_str());
    assert_eq!(expired["errcode"], "16");
}

#[tokio::test]
async fn every_auth_errcode_can_be_forced() {
    let app = TestApp::spawn().await;
    for (code, status) in [
        ("1", 200),
        ("11", 200),
        ("12", 200),
        ("13", 200),
        ("16", 200),
        ("26", 200),
        ("27", 200),
        ("33", 200),
        ("36", 200),
        ("278", 200),
        ("404", 404),
    ] {
        let res = app
            .post_forced(AUTH, &credentials("sandbox", "sandbox"), code)
            .await;
        assert_eq!(res.status(), status, "{code}");
        let answer = body(res).await;
        assert_eq!(answer["doc"]["auth"]["errcode"], code);
        assert!(
            !answer["doc"]["auth"]["errtext"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
}

// ---- the XML dialect

/// What UBKI's XML clients send: PHP's `DOMDocument::saveXML()` of `<doc><auth/></doc>`.
fn xml_credentials(login: &str, pass: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<doc><auth login=\"{login}\" pass=\"{pass}\"/></doc>\n"
    )
}

/// POST `body` to the authorization API with the given headers only (no
/// `Content-Type` unless one is given).
async fn post_auth(
    app: &TestApp,
    body_: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> Response {
    let mut request = app.request(Method::POST, AUTH).body(body_);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await
}

/// The attributes of `/doc/auth` of an XML answer, read with an XML parser.
fn xml_auth(text: &str) -> BTreeMap<String, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not XML ({e}): {text}"))
        {
            Event::Start(e) | Event::Empty(e) if path == ["doc"] && e.name().as_ref() == "auth" => {
                return attributes(&e);
            }
            Event::Start(e) => path.push(e.name().as_ref().to_string()),
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => panic!("no /doc/auth in {text}"),
            _ => {}
        }
    }
}

fn attributes(e: &BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("value");
            (a.key.as_ref().to_string(), value.into_owned())
        })
        .collect()
}

/// Status, `Content-Type` and the `/doc/auth` attributes of an XML answer.
async fn xml_answer(res: Response) -> (StatusCode, String, BTreeMap<String, String>) {
    let status = res.status();
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    let text = res.text().await.unwrap();
    (status, content_type, xml_auth(&text))
}

const ACCOUNT_FIELDS: [&str; 14] = [
    "sessid",
    "datecr",
    "dateed",
    "userlogin",
    "userid",
    "userfname",
    "userlname",
    "usermname",
    "rolegroupid",
    "rolegroupname",
    "agrid",
    "agrname",
    "role",
    "mustchngpass",
];

#[tokio::test]
async fn raw_xml_without_content_type_logs_in_and_answers_every_field_as_an_attribute() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;

    let res = post_auth(&app, xml_credentials("sandbox", "sandbox"), &[]).await;

    let (status, content_type, auth) = xml_answer(res).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("application/xml"),
        "{content_type}"
    );
    let names: Vec<&str> = auth.keys().map(String::as_str).collect();
    let mut expected = ACCOUNT_FIELDS.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected, "the JSON answer's fields, without errcode");
    assert_eq!(auth["sessid"].len(), 32);
    assert_eq!(auth["userlogin"], "sandbox");
    assert_eq!(auth["userid"], "29120");
    assert_eq!(auth["userfname"], "Олександр");
    assert_eq!(auth["agrname"], "Договір № 4411 від 01.02.2023");
}

#[tokio::test]
async fn base64_of_xml_logs_in_as_the_php_client_sends_it() {
    let app = TestApp::spawn().await;
    let encoded = BASE64.encode(xml_credentials("sandbox", "sandbox"));

    let res = post_auth(&app, encoded, &[]).await;

    let (status, _, auth) = xml_answer(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(auth["userlogin"], "sandbox");
    assert!(!auth.contains_key("errcode"));
}

#[tokio::test]
async fn a_json_body_with_an_xml_content_type_is_answered_in_xml() {
    let app = TestApp::spawn().await;
    let json_body = credentials("sandbox", "sandbox").to_string();

    for content_type in ["application/xml", "text/xml; charset=utf-8"] {
        let headers = [
            ("content-type", content_type),
            ("accept", "application/json"),
        ];
        let res = post_auth(&app, json_body.clone(), &headers).await;

        let (status, _, auth) = xml_answer(res).await;
        assert_eq!(status, StatusCode::OK, "{content_type}");
        assert_eq!(
            auth["sessid"].len(),
            32,
            "/doc/auth/@sessid with {content_type}"
        );
    }
}

#[tokio::test]
async fn xml_dates_are_d_m_y_g_i_and_dateed_is_the_next_days_midnight() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2017-05-25T12:20:41Z").await; // 15:20 in Kyiv
    let afternoon =
        xml_answer(post_auth(&app, xml_credentials("sandbox", "sandbox"), &[]).await).await;
    app.freeze_clock("2017-05-25T19:05:00Z").await; // 22:05 in Kyiv: lasts through the 26th
    let evening =
        xml_answer(post_auth(&app, xml_credentials("sandbox", "sandbox"), &[]).await).await;

    assert_eq!(afternoon.2["datecr"], "25.05.2017 15:20");
    assert_eq!(afternoon.2["dateed"], "26.05.2017 0:00");
    assert_eq!(evening.2["datecr"], "25.05.2017 22:05");
    assert_eq!(evening.2["dateed"], "27.05.2017 0:00");
}

#[tokio::test]
async fn checking_a_key_in_xml_answers_its_document() {
    let app = TestApp::spawn().await;
    let sessid = key(&app).await;
    let check = format!("<doc><auth sessid=\"{sessid}\"/></doc>");

    let (status, _, auth) = xml_answer(post_auth(&app, check, &[]).await).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(auth["sessid"], sessid);
}

#[tokio::test]
async fn xml_errors_answer_400_with_errcode_and_errtext_attributes() {
    let app = TestApp::spawn().await;

    let wrong = xml_answer(post_auth(&app, xml_credentials("sandbox", "nope"), &[]).await).await;
    let expired = format!("<doc><auth sessid=\"{EXPIRED_KEY}\"/></doc>");
    let expired = xml_answer(post_auth(&app, BASE64.encode(expired), &[]).await).await;
    let empty = xml_answer(post_auth(&app, xml_credentials("sandbox", ""), &[]).await).await;

    assert_eq!(wrong.0, StatusCode::BAD_REQUEST);
    assert!(wrong.1.starts_with("application/xml"));
    assert_eq!(wrong.2["errcode"], "13");
    assert_eq!(wrong.2["errtextclient"], "Невірний логін або пароль");
    assert!(wrong.2["errtext"].starts_with("Невірний логін або пароль"));
    assert!(!wrong.2.contains_key("sessid"));
    assert_eq!(
        (expired.0, expired.2["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "16")
    );
    assert_eq!(
        (empty.0, empty.2["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "36")
    );
}

#[tokio::test]
async fn a_forced_code_or_a_rule_answers_an_xml_caller_in_xml() {
    let app = TestApp::spawn().await;
    let login = xml_credentials("sandbox", "sandbox");

    let forced = post_auth(&app, login.clone(), &[("X-Sandbox-Force", "27")]).await;
    let forced = xml_answer(forced).await;
    app.add_rule(&json!({"when": {"provider": "ubki"}, "then": {"code": "26"}, "times": 1}))
        .await;
    let ruled = xml_answer(post_auth(&app, BASE64.encode(&login), &[]).await).await;
    let json_caller = post_auth(
        &app,
        credentials("sandbox", "sandbox").to_string(),
        &[("X-Sandbox-Force", "27")],
    )
    .await;

    assert_eq!(
        (forced.0, forced.2["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "27")
    );
    assert_eq!(
        (ruled.0, ruled.2["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "26")
    );
    assert_eq!(json_caller.status(), StatusCode::OK);
    assert_eq!(body(json_caller).await["doc"]["auth"]["errcode"], "27");
}

#[tokio::test]
async fn the_xml_error_status_comes_from_the_scenario() {
    let app = TestApp::spawn_with("ubki:\n  xml_error_status: 401\n").await;

    let res = post_auth(&app, xml_credentials("sandbox", "nope"), &[]).await;
    let json_res = app.post_json(AUTH, &credentials("sandbox", "nope")).await;

    let (status, _, auth) = xml_answer(res).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(auth["errcode"], "13");
    assert_eq!(
        json_res.status(),
        StatusCode::OK,
        "JSON keeps the code's status"
    );
}

#[test]
fn an_xml_error_status_without_a_body_is_refused() {
    for status in ["204", "99", "600"] {
        let problem = first_problem(&format!("ubki:\n  xml_error_status: {status}\n"));
        assert!(problem.contains("xml_error_status"), "{problem}");
    }
}

#[tokio::test]
async fn malformed_xml_answers_33_and_xml_without_auth_11_both_in_xml() {
    let app = TestApp::spawn().await;

    let malformed = post_auth(&app, "<doc><auth login=\"sandbox\"></doc>", &[]).await;
    let no_auth = post_auth(&app, "<?xml version=\"1.0\"?><doc><user/></doc>", &[]).await;

    let (status, _, auth) = xml_answer(malformed).await;
    assert_eq!(
        (status, auth["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "33")
    );
    assert!(
        auth["errtext"].contains("not well-formed XML"),
        "{}",
        auth["errtext"]
    );
    let (status, _, auth) = xml_answer(no_auth).await;
    assert_eq!(
        (status, auth["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "11")
    );
}

#[tokio::test]
async fn hostile_xml_bodies_get_an_xml_error_and_never_a_server_error() {
    let app = TestApp::spawn().await;
    let deep = format!("<doc>{}{}</doc>", "<a>".repeat(5000), "</a>".repeat(5000));
    let long = format!(
        "<doc><auth login=\"{}\" pass=\"x\"/></doc>",
        "л".repeat(251)
    );
    let entity = "<!DOCTYPE doc [<!ENTITY x \"y\">]><doc><auth login=\"&x;\" pass=\"x\"/></doc>";
    let bodies: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        long.into_bytes(),
        entity.as_bytes().to_vec(),
        b"<doc><auth login=\"\xff\" pass=\"x\"/></doc>".to_vec(),
        b"\xef\xbb\xbf<doc><auth login=\"a\" login=\"b\"/></doc>".to_vec(),
        b"<doc><auth login=\"\x01\" pass=\"x\"/></doc>".to_vec(),
        b"<".to_vec(),
    ];

    for hostile in bodies {
        let shown = String::from_utf8_lossy(&hostile[..hostile.len().min(40)]).into_owned();
        let (status, _, auth) = xml_answer(post_auth(&app, hostile, &[]).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{shown}");
        assert!(
            ["11", "12", "13", "33"].contains(&auth["errcode"].as_str()),
            "{shown}: {auth:?}"
        );
    }
    assert_eq!(
        app.state().await["providers"]["ubki"]["sessions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

// ---- the caller's address (278)

const WHITELISTED: &str = "192.0.2.10";

#[tokio::test]
async fn a_login_from_an_address_off_the_accounts_whitelist_returns_278() {
    let app = TestApp::spawn().await;

    let json_answer = auth(&app, &credentials("whitelisted", "sandbox")).await;
    let xml =
        xml_answer(post_auth(&app, xml_credentials("whitelisted", "sandbox"), &[]).await).await;

    assert_eq!(json_answer["errcode"], "278");
    assert_eq!(
        json_answer["errtextclient"],
        "Доступ з цієї IP-адреси заборонено"
    );
    assert!(
        json_answer["errtext"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1")
    );
    assert_eq!(
        (xml.0, xml.2["errcode"].as_str()),
        (StatusCode::BAD_REQUEST, "278")
    );
}

#[tokio::test]
async fn an_account_whitelisting_the_callers_address_logs_in() {
    let yaml = "ubki:\n  accounts:\n    - { login: whitelisted, pass: sandbox, allowed_ips: [\"10.0.0.1\", \"127.0.0.1\"] }\n";
    let app = TestApp::spawn_with(yaml).await;

    let answer = auth(&app, &credentials("whitelisted", "sandbox")).await;

    assert!(answer.get("errcode").is_none(), "{answer}");
    assert_eq!(answer["userlogin"], "whitelisted");
}

#[tokio::test]
async fn behind_a_proxy_the_caller_is_the_first_forwarded_address() {
    let app = TestApp::spawn_with("ubki:\n  behind_proxy: true\n").await;
    let login = credentials("whitelisted", "sandbox").to_string();
    let json_type = ("content-type", "application/json");
    let from = |xff: &'static str| [json_type, ("x-forwarded-for", xff)];

    let allowed = body(post_auth(&app, login.clone(), &from("192.0.2.10, 10.9.9.9")).await).await;
    let proxied_other =
        body(post_auth(&app, login.clone(), &from("203.0.113.5, 192.0.2.10")).await).await;
    let garbage = body(post_auth(&app, login.clone(), &from("unknown")).await).await;
    let direct = body(post_auth(&app, login, &[json_type]).await).await;

    assert!(allowed["doc"]["auth"].get("errcode").is_none(), "{allowed}");
    assert_eq!(proxied_other["doc"]["auth"]["errcode"], "278");
    assert_eq!(garbage["doc"]["auth"]["errcode"], "278");
    assert_eq!(
        direct["doc"]["auth"]["errcode"], "278",
        "no header: the socket's address"
    );
}

#[tokio::test]
async fn without_a_proxy_x_forwarded_for_is_not_believed() {
    let app = TestApp::spawn().await;

    let res = post_auth(
        &app,
        credentials("whitelisted", "sandbox").to_string(),
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", WHITELISTED),
        ],
    )
    .await;

    assert_eq!(body(res).await["doc"]["auth"]["errcode"], "278");
}

#[tokio::test]
async fn code_278_comes_before_the_password_and_leaves_the_brute_force_count_alone() {
    let app = TestApp::spawn_with("ubki:\n  behind_proxy: true\n").await;
    let send_from = |xff: &'static str, pass: &'static str| {
        let login = credentials("whitelisted", pass).to_string();
        let headers = [
            ("content-type", "application/json"),
            ("x-forwarded-for", xff),
        ];
        let app = &app;
        async move { body(post_auth(app, login, &headers).await).await["doc"]["auth"].clone() }
    };
    for _ in 0..6 {
        assert_eq!(send_from("203.0.113.5", "wrong").await["errcode"], "278");
    }

    let from_home = send_from(WHITELISTED, "sandbox").await;

    assert!(
        from_home.get("errcode").is_none(),
        "not locked: {from_home}"
    );
}

#[tokio::test]
async fn checking_a_key_from_an_address_off_its_accounts_whitelist_returns_278() {
    let app = TestApp::spawn_with("ubki:\n  behind_proxy: true\n").await;
    let json_type = ("content-type", "application/json");
    let login = credentials("whitelisted", "sandbox").to_string();
    let issued =
        body(post_auth(&app, login, &[json_type, ("x-forwarded-for", WHITELISTED)]).await).await;
    let check = json!({"doc": {"auth": {"sessid": issued["doc"]["auth"]["sessid"]}}}).to_string();

    let elsewhere = body(
        post_auth(
            &app,
            check.clone(),
            &[json_type, ("x-forwarded-for", "203.0.113.5")],
        )
        .await,
    )
    .await;
    let at_home =
        body(post_auth(&app, check, &[json_type, ("x-forwarded-for", WHITELISTED)]).await).await;

    assert_eq!(elsewhere["doc"]["auth"]["errcode"], "278");
    assert!(at_home["doc"]["auth"].get("errcode").is_none(), "{at_home}");
}

#[test]
fn an_allowed_ip_that_is_no_address_is_refused() {
    let yaml = "ubki:\n  accounts:\n    - { login: a, allowed_ips: [\"10.0.0.300\"] }\n";

    let problems = sandbox::load_scenario(&[("x.yaml".into(), yaml.into())]).unwrap_err();

    assert!(
        problems[0].message.contains("allowed_ips[0]"),
        "{}",
        problems[0]
    );
}

// ---- paths that are no endpoint

#[tokio::test]
async fn an_unknown_path_under_ubki_answers_not_found_rather_than_33() {
    let app = TestApp::spawn().await;

    let elsewhere = app.post_json("/ubki/upload/data", &json!({})).await;
    let report_path = app.post_json("/ubki/b2_api_xml/ubki/xml", &json!({})).await;

    for res in [elsewhere, report_path] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let answer = body(res).await["doc"]["auth"].clone();
        assert_eq!(answer["errcode"], "404");
        assert_eq!(answer["errtextclient"], "Ресурс не знайдено");
        assert!(
            answer["errtext"]
                .as_str()
                .unwrap()
                .contains("no UBKI endpoint")
        );
    }
}

// ---- the bonus service stays JSON

#[tokio::test]
async fn the_bonus_service_answers_json_whatever_the_content_type_or_body() {
    let app = TestApp::spawn().await;
    let request = discount(FOREVER_KEY, "ALB", "3241500301").to_string();
    let xml_request = "<doc><discount sessid=\"x\" reptype=\"ALB\" inn=\"3241500301\"/></doc>";

    let with_xml_type = send(
        app.request(Method::POST, DISCOUNT)
            .header("content-type", "application/xml")
            .body(request),
    )
    .await;
    let xml_body = send(app.request(Method::POST, DISCOUNT).body(xml_request)).await;

    assert!(
        with_xml_type.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(body(with_xml_type).await["result_code"], "0");
    assert_eq!(body(xml_body).await["result_code"], "4");
}

// ---- session key lifetime

#[tokio::test]
async fn key_issued_before_22_kyiv_expires_after_23_59_59_that_day() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T18:59:00Z").await; // 21:59 in Kyiv
    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;
    let sessid = answer["sessid"].as_str().unwrap().to_string();
    assert_eq!(answer["dateed"], "2024-09-04 23:59:59");

    app.freeze_clock("2024-09-04T20:59:59Z").await; // 23:59:59 in Kyiv
    let last_second = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;
    app.advance_clock(1).await;
    let next_day = result_code(&app, DISCOUNT, &discount(&sessid, "BLC", "3241500301")).await;

    assert_eq!(last_second, "0");
    assert_eq!(next_day, "1");
}

#[tokio::test]
async fn key_is_valid_through_the_whole_last_second() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T18:00:00Z").await;
    let sessid = key(&app).await;

    app.freeze_clock("2024-09-04T20:59:59.999Z").await;
    let answer = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;

    assert_eq!(answer, "0");
}

#[test]
fn discount_terms_outside_one_day_to_ten_years_are_refused() {
    for days in ["0", "4000000000"] {
        let problem = first_problem(&format!("ubki:\n  discount_term_days:\n    ALB: {days}\n"));
        assert!(problem.contains("not within 1..=3650"), "{problem}");
    }
}

#[tokio::test]
async fn key_issued_from_22_kyiv_lasts_through_the_next_day() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T19:00:00Z").await; // 22:00 in Kyiv
    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;
    let sessid = answer["sessid"].as_str().unwrap().to_string();

    app.freeze_clock("2024-09-05T20:00:00Z").await; // 23:00 next day in Kyiv
    let next_day = result_code(&app, DISCOUNT, &discount(&sessid, "ALB", "3241500301")).await;

    assert_eq!(answer["dateed"], "2024-09-05 23:59:59");
    assert_eq!(next_day, "0");
}

#[tokio::test]
async fn kyiv_days_follow_winter_time() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-01-15T19:59:00Z").await; // 21:59 in Kyiv, UTC+2

    let answer = auth(&app, &credentials("sandbox", "sandbox")).await;

    assert_eq!(answer["datecr"], "2024-01-15 21:59:00");
    assert_eq!(answer["dateed"], "2024-01-15 23:59:59");
}

// ---- discount service

#[tokio::test]
async fn discount_answers_the_documented_shape_with_table_prices() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;
    let sessid = key(&app).await;

    let answer = body(
        app.post_json(DISCOUNT, &discount(&sessid, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(
        answer,
        json!({
            "result_code": "0",
            "message": "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.",
            "partner": {"sessid": sessid, "userid": "29120", "bankid": "1826", "bankokpo": "01982523", "bankname": "КВІТЕНЬ"},
            "client": {"inn": "3241500301", "email": "o.limarenko@gmail.com"},
            "service": {
                "reptype": "ALB", "reptyperef": "Кредитна історія", "def_price": "90", "sale_price": "70",
                "discount_term": "7", "discount_start_date": "2024-09-04 14:39:13", "discount_end_date": "2024-09-11 14:39:13"
            }
        })
    );
}

#[tokio::test]
async fn every_reptype_has_its_documented_prices() {
    let app = TestApp::spawn().await;
    for (reptype, def, sale) in [
        ("ALB", "90", "70"),
        ("BLC", "70", "50"),
        ("SKN", "900", "700"),
        ("SKN_3", "250", "192"),
    ] {
        let answer = body(
            app.post_json(DISCOUNT, &discount(FOREVER_KEY, reptype, "2925809151"))
                .await,
        )
        .await;
        assert_eq!(answer["service"]["def_price"], def, "{reptype}");
        assert_eq!(answer["service"]["sale_price"], sale, "{reptype}");
    }
}

#[tokio::test]
async fn discount_is_state_repeated_while_active_and_renewed_after_its_term() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;

    let first = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;
    app.advance_clock(3 * 86_400).await;
    let repeat = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;
    app.advance_clock(4 * 86_400).await;
    let renewed = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "BLC", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(
        first["service"], repeat["service"],
        "same discount, same dates"
    );
    assert_eq!(
        renewed["service"]["discount_start_date"],
        "2024-09-11 11:00:00"
    );
    assert_eq!(
        renewed["service"]["discount_end_date"],
        "2024-09-18 11:00:00"
    );
    let state = app.state().await;
    let discounts = state["providers"]["ubki"]["discounts"].as_array().unwrap();
    assert_eq!(discounts.len(), 1);
    assert_eq!(discounts[0]["discount_start_date"], "2024-09-11 11:00:00");
    assert_eq!(discounts[0]["subject"], "Лимаренко Олена Петрівна");
}

#[tokio::test]
async fn any_other_inn_succeeds_with_a_person_generated_from_the_seed() {
    let app = TestApp::spawn().await;
    let other = app.as_tenant("other");

    let answer = alb_discount_code(&app, "1234567890").await;
    result_code(
        &other,
        DISCOUNT,
        &discount(FOREVER_KEY, "ALB", "1234567890"),
    )
    .await;

    assert_eq!(answer, "0");
    let here = app.state().await["providers"]["ubki"]["discounts"][0]["subject"].clone();
    let there = other.state().await["providers"]["ubki"]["discounts"][0]["subject"].clone();
    assert_eq!(here, there, "the same person in every tenant");
    assert_eq!(here.as_str().unwrap().split(' ').count(), 3, "{here}");
}

#[tokio::test]
async fn discount_term_comes_from_the_scenario() {
    let app = TestApp::spawn_with("ubki:\n  discount_term_days:\n    ALB: 30\n").await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;

    let answer = body(
        app.post_json(DISCOUNT, &discount(FOREVER_KEY, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(answer["service"]["discount_term"], "30");
    assert_eq!(
        answer["service"]["discount_end_date"],
        "2024-10-04 11:00:00"
    );
}

#[tokio::test]
async fn unknown_or_expired_session_key_returns_result_code_1() {
    let app = TestApp::spawn().await;
    assert_eq!(
        result_code(
            &app,
            DISCOUNT,
            &discount("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "ALB", "3241500301")
        )
        .await,
        "1"
    );
    assert_eq!(
        result_code(&app, DISCOUNT, &discount(EXPIRED_KEY, "ALB", "3241500301")).await,
        "1"
    );
    assert_eq!(alb_discount_code(&app, "0000000001").await, "1");
}

#[tokio::test]
async fn active_status_control_returns_result_code_2() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000002").await, "2");
}

#[tokio::test]
async fn subject_absent_from_the_bureau_returns_result_code_3() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000003").await, "3");
}

#[tokio::test]
async fn strict_subjects_refuse_inns_not_in_people() {
    let app = TestApp::spawn_with("ubki:\n  strict_subjects: true\n").await;

    let stranger = alb_discount_code(&app, "1234567890").await;
    let known = alb_discount_code(&app, "3241500301").await;

    assert_eq!(stranger, "3");
    assert_eq!(known, "0");
}

#[tokio::test]
async fn invalid_attributes_return_result_code_4_with_every_problem_in_details() {
    let app = TestApp::spawn().await;
    let bad = json!({"reptype": "XYZ", "inn": "12345", "email": "not-an-email"});

    let answer = body(app.post_json(DISCOUNT, &bad).await).await;

    assert_eq!(answer["result_code"], "4");
    let details: Vec<&str> = answer["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        details,
        [
            "sessid: required",
            "reptype: must be one of ALB, BLC, SKN, SKN_3",
            "inn: must be exactly 10 digits",
            "email: not an email address"
        ]
    );
}

#[tokio::test]
async fn wrong_types_and_over_long_fields_return_result_code_4() {
    let app = TestApp::spawn().await;

    let typed = body(
        app.post_json(
            DISCOUNT,
            &json!({"sessid": FOREVER_KEY, "reptype": "ALB", "inn": 3241500301u64}),
        )
        .await,
    )
    .await;
    let long = body(
        app.post_json(
            DISCOUNT,
            &json!({"sessid": "A".repeat(251), "reptype": "ALB", "inn": "3241500301"}),
        )
        .await,
    )
    .await;
    let not_object = body(app.post_json(DISCOUNT, &json!(["sessid"])).await).await;

    assert_eq!(typed["details"], json!(["inn: must be a string"]));
    assert_eq!(
        long["details"],
        json!(["sessid: longer than 250 characters"])
    );
    assert_eq!(not_object["result_code"], "4");
}

#[tokio::test]
async fn system_error_returns_result_code_5_for_the_magic_inn() {
    let app = TestApp::spawn().await;
    assert_eq!(alb_discount_code(&app, "0000000005").await, "5");
    assert_eq!(alb_discount_code(&app, "0000000004").await, "4");
}

#[tokio::test]
async fn every_discount_result_code_can_be_forced() {
    let app = TestApp::spawn().await;
    for code in ["1", "2", "3", "4", "5"] {
        let answer = body(
            app.post_forced(DISCOUNT, &discount(FOREVER_KEY, "ALB", "3241500301"), code)
                .await,
        )
        .await;
        assert_eq!(answer["result_code"], code);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .ends_with("Служба підтримки УБКІ: 0445851196.")
        );
    }
    assert_eq!(
        app.state().await["providers"]["ubki"]["discounts"],
        json!([]),
        "forced answers change nothing"
    );
}

#[tokio::test]
async fn a_scenario_can_renumber_the_codes_the_document_lost() {
    let app =
        TestApp::spawn_with("ubki:\n  codes:\n    invalid_session_key:\n      code: \"101\"\n")
            .await;

    let answer = result_code(&app, DISCOUNT, &discount("UNKNOWN", "ALB", "3241500301")).await;
    let codes = app.catalog_codes("ubki").await;

    assert_eq!(answer, "101");
    assert!(
        codes
            .iter()
            .any(|c| c["key"] == "invalid_session_key" && c["code"] == "101")
    );
}

#[tokio::test]
async fn a_scenario_renumbering_onto_a_taken_code_is_refused() {
    let res = sandbox::load_scenario(&[(
        "x.yaml".into(),
        "ubki:\n  codes:\n    invalid_session_key:\n      code: \"3\"\n".into(),
    )]);

    let problems = res.unwrap_err();
    assert!(
        problems[0].message.contains("would both answer code 3"),
        "{}",
        problems[0]
    );
    assert_eq!(problems[0].line, 3, "points at the codes it names");
}

// ---- free (partner-paid) service

#[tokio::test]
async fn free_status_control_needs_a_phone() {
    let app = TestApp::spawn().await;

    let answer = body(
        app.post_json(FREE, &discount(FOREVER_KEY, "SKN", "3241500301"))
            .await,
    )
    .await;
    let bad_phone = body(
        app.post_json(FREE, &json!({"sessid": FOREVER_KEY, "reptype": "SKN_3", "inn": "3241500301", "phone": "0501234567"})).await,
    )
    .await;

    assert_eq!(answer["details"], json!(["phone: required"]));
    assert_eq!(
        bad_phone["details"],
        json!(["phone: must be +380 and 9 digits"])
    );
}

#[tokio::test]
async fn bought_status_control_runs_its_term_and_denies_discounts_meanwhile() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T08:00:00Z").await;
    let order = json!({"sessid": FOREVER_KEY, "reptype": "SKN_3", "inn": "3241500301", "phone": "+380501234567"});

    let bought = body(app.post_json(FREE, &order).await).await;
    let denied = alb_discount_code(&app, "3241500301").await;
    let again = result_code(&app, FREE, &order).await;
    app.advance_clock(92 * 86_400).await;
    let after = alb_discount_code(&app, "3241500301").await;

    assert_eq!(bought["result_code"], "0");
    assert_eq!(bought["client"]["phone"], "+380501234567");
    assert_eq!(
        bought["service"]["service_start_date"],
        "2024-09-04 11:00:00"
    );
    assert_eq!(bought["service"]["service_end_date"], "2024-12-04 10:00:00");
    assert_eq!(bought["service"]["sale_price"], "0");
    assert_eq!(denied, "2");
    assert_eq!(again, "2");
    assert_eq!(after, "0");
}

#[tokio::test]
async fn free_report_needs_no_phone() {
    let app = TestApp::spawn().await;

    let answer = body(
        app.post_json(FREE, &discount(FOREVER_KEY, "ALB", "3241500301"))
            .await,
    )
    .await;

    assert_eq!(answer["result_code"], "0");
    assert_eq!(answer["service"]["def_price"], "90");
    assert!(answer["service"].get("service_end_date").is_none());
}

#[tokio::test]
async fn free_answers_codes_like_discount() {
    let app = TestApp::spawn().await;
    assert_eq!(
        result_code(&app, FREE, &discount(EXPIRED_KEY, "ALB", "3241500301")).await,
        "1"
    );
    assert_eq!(
        result_code(&app, FREE, &discount(FOREVER_KEY, "ALB", "0000000003")).await,
        "3"
    );
    assert_eq!(
        body(app.post_forced(FREE, &json!({}), "5").await).await["result_code"],
        "5"
    );
}

#[tokio::test]
async fn malformed_discount_json_returns_result_code_4_and_changes_nothing() {
    let app = TestApp::spawn().await;

    let answer = body(app.post_raw(DISCOUNT, "{\"sessid\":").await).await;

    assert_eq!(answer["result_code"], "4");
    assert_eq!(
        app.state().await["providers"]["ubki"]["discounts"],
        json!([])
    );
}

#[tokio::test]
async fn the_openapi_document_describes_bodies_answers_the_xml_dialect_and_the_key() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/ubki.json").await).await;

    let schemas = &doc["components"]["schemas"];
    let free = &schemas["ubki.FreeRequest"];
    let required: Vec<&str> = free["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(required, ["sessid", "reptype", "inn"], "{free}");
    assert_eq!(free["properties"]["inn"]["pattern"], "^[0-9]{10}$");
    assert_eq!(free["properties"]["sessid"]["maxLength"], 250);
    assert_eq!(
        schemas["ubki.Reptype"]["enum"],
        json!(["ALB", "BLC", "SKN", "SKN_3"])
    );
    let auth = &doc["paths"]["/b2_api_xml/ubki/auth"]["post"];
    let xml_body = &auth["requestBody"]["content"]["application/xml"]["schema"]["$ref"];
    assert_eq!(xml_body, "#/components/schemas/ubki.AuthXmlRequest");
    assert_eq!(schemas["ubki.AuthXmlRequest"]["xml"]["name"], "doc");
    let xml_refusal = &auth["responses"]["400"]["content"]["application/xml"];
    assert!(xml_refusal["schema"].is_object(), "{auth}");
    let error = &schemas["ubki.AuthError"];
    assert_eq!(error["properties"]["errcode"]["xml"]["attribute"], true);
    let discount = &doc["paths"]["/bonusservice/discount"]["post"]["responses"]["200"];
    assert_eq!(
        discount["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ubki.BonusAnswer"
    );
    assert!(
        discount["description"]
            .as_str()
            .is_some_and(|d| d.contains("subject_absent"))
    );
    let scheme = &doc["components"]["securitySchemes"]["ubki_session"];
    assert!(
        scheme["description"]
            .as_str()
            .is_some_and(|d| d.contains("body member `sessid`")),
        "{scheme}"
    );
}

#[tokio::test]
async fn login_longer_than_the_documented_limit_is_code_12_and_at_it_is_not() {
    // Arrange
    let app = TestApp::spawn().await;
    let max = app
        .documented_limit("ubki", "ubki.AuthLogin", "login", "maxLength")
        .await;
    let login = |n: usize| json!({"doc": {"auth": {"login": "a".repeat(n), "pass": "x"}}});

    // Act
    let at = body(
        app.post_json("/ubki/b2_api_xml/ubki/auth", &login(max))
            .await,
    )
    .await;
    let over = body(
        app.post_json("/ubki/b2_api_xml/ubki/auth", &login(max + 1))
            .await,
    )
    .await;

    // Assert
    assert_eq!(
        at["doc"]["auth"]["errcode"], "13",
        "at the limit: a wrong login, {at}"
    );
    assert_eq!(over["doc"]["auth"]["errcode"], "12", "over it: {over}");
}
