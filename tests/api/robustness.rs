//! Hostile input on every provider endpoint: whatever is sent, the answer is the
//! provider's own JSON (never a 5xx, never the sandbox's or actix's plain text), and the
//! server keeps serving.

use crate::common::TestApp;
use reqwest::Method;
use sandbox::providers::registry;
use serde_json::{Value, json};

/// Every endpoint every provider registers (a new provider is covered without editing
/// this file), each with the provider's sample credentials in the query, plus hostile
/// paths and queries the endpoints parse themselves.
fn endpoints() -> Vec<(Method, String)> {
    let mut all: Vec<(Method, String)> = registry()
        .iter()
        .flat_map(|p| {
            p.endpoints().into_iter().map(move |e| {
                let path = format!("/{}{}{}", p.name(), e.sample_path(), p.sample_query());
                (
                    Method::from_bytes(e.method.as_str().as_bytes()).expect("method"),
                    path,
                )
            })
        })
        .collect();
    let dcm = "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111";
    for (method, path) in [
        (
            Method::GET,
            format!("{dcm}/customers?limit=abc&offset=-1&min_balance_allowed=x&ordering=zzz"),
        ),
        (Method::PUT, format!("{dcm}/customers/not-a-uuid")),
        (
            Method::GET,
            format!("{dcm}/customers/22222222-2222-4222-8222-222222222222/accounts?iban=%FF"),
        ),
    ] {
        all.push((method, path));
    }
    all
}

#[test]
fn every_provider_lists_its_endpoints() {
    for provider in registry().iter() {
        assert!(
            !provider.endpoints().is_empty(),
            "{} lists no endpoint",
            provider.name()
        );
    }
}

/// Every field name any provider reads, so wrong types reach real fields.
const FIELDS: &[&str] = &[
    "doc",
    "login",
    "pass",
    "sessid",
    "reptype",
    "inn",
    "email",
    "phone",
    "type_request",
    "value",
    "idRequest",
    "period",
    "id_number",
    "id_type",
    "country",
    "name",
    "phone_number",
    "app_name",
    "package_name",
    "merchantLogin",
    "uuid",
    "accessCode",
    "otp",
    "responseType",
    "transactionNumber",
    "contacts",
    "asset_code",
    "asset_issuer",
    "iban",
    "identifier",
    "password",
    "branch_guid",
    "balance_allowed",
    "kyc_level",
    "is_disabled",
    "guid",
    "kty",
];

fn hostile_bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "",
        "{",
        "}",
        "[]",
        "null",
        "\"text\"",
        "123",
        "1e999",
        "-0",
        "{\"a\":1,\"a\":2}",
        "{\"doc\":{\"auth\":null}}",
        "\u{feff}{}",
        "{\"\u{0000}\":\"\u{0000}\"}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(vec![0xff, 0xfe, 0x00, 0x7b]);
    bodies.push(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes());
    for filler in [
        json!([]),
        json!({}),
        json!(12),
        json!(null),
        json!(true),
        json!(-1.5e300),
        json!("x".repeat(5000)),
    ] {
        let object: serde_json::Map<String, Value> = FIELDS
            .iter()
            .map(|f| (f.to_string(), filler.clone()))
            .collect();
        bodies.push(Value::Object(object).to_string().into_bytes());
    }
    bodies
}

#[tokio::test]
async fn hostile_bodies_get_provider_json_and_never_a_server_error() {
    let app = TestApp::spawn().await;

    for (method, path) in endpoints() {
        for body in hostile_bodies() {
            let res = app
                .request(method.clone(), &path)
                .header("content-type", "application/json")
                .header("authorization", "bearer sandbox-dcm-token")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
            let status = res.status();
            let sandbox_error = res.headers().contains_key("x-sandbox-error");
            let text = res.text().await.expect("body");
            let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();

            assert!(
                !status.is_server_error(),
                "{method} {path} with {shown:?}: {status} {text}"
            );
            assert!(
                !sandbox_error,
                "{method} {path} with {shown:?}: answered by the sandbox, not the provider"
            );
            assert!(
                serde_json::from_str::<Value>(&text).is_ok(),
                "{method} {path} with {shown:?}: not JSON: {text}"
            );
        }
    }

    let health = app.get("/__sandbox/health").await;
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn hostile_form_and_text_bodies_are_answered_too() {
    let app = TestApp::spawn().await;

    for (method, path) in endpoints() {
        for (content_type, body) in [
            (
                "application/x-www-form-urlencoded",
                "identifier=%ZZ&password=&&&==",
            ),
            ("text/plain", "hello"),
            ("multipart/form-data; boundary=x", "--x\r\n\r\n--x--"),
        ] {
            let res = app
                .request(method.clone(), &path)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("answered");
            let status = res.status();
            let text = res.text().await.expect("body");

            assert!(
                !status.is_server_error(),
                "{method} {path} ({content_type}): {status} {text}"
            );
            assert!(
                serde_json::from_str::<Value>(&text).is_ok(),
                "{method} {path}: not JSON: {text}"
            );
        }
    }
}
