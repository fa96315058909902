use crate::common::{TestApp, body};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The request fields TrustDecision requires, in the document's order.
const REQUIRED: [&str; 6] = [
    "id_number",
    "id_type",
    "country",
    "name",
    "phone_number",
    "package_name",
];

const PACKAGES: [&str; 4] = [
    "credit_rating_estimation",
    "multiplatform_multi",
    "behavior_analysis_of_repayment",
    "multiplatform_multi_V1_1",
];

const NO_SERVICE: &str = "The country partner located has no service";
const PHONE_MISMATCH: &str = "The format of the phone number does not match with the country";

fn url(partner: &str) -> String {
    format!("/trustdecision?partner_code={partner}&partner_key=sandbox")
}

fn sandbox() -> String {
    url("sandbox")
}

/// A well-formed request for `country` with a phone that fits it.
fn request(country: &str, package: &str) -> Value {
    json!({
        "id_number": "PEJU900101HDFRRN01",
        "id_type": "national_id",
        "country": country,
        "name": "Juan Perez",
        "phone_number": valid_phone(country),
        "app_name": "MiApp",
        "package_name": package,
    })
}

fn mx() -> Value {
    request("MX", "credit_rating_estimation")
}

fn valid_phone(country: &str) -> &'static str {
    match country {
        "MX" | "IN" | "CO" => "5512345678",
        "TH" | "VN" => "0812345678",
        "PH" => "09171234567",
        _ => "08031234567", // NG, PK
    }
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

fn with_id(body: Value, id_number: &str) -> Value {
    with(body, "id_number", json!(id_number))
}

fn without(mut body: Value, field: &str) -> Value {
    if let Some(o) = body.as_object_mut() {
        o.remove(field);
    }
    body
}

/// Posts and checks TrustDecision's envelope: HTTP 200, integer code, message,
/// a 32-character sequence_id; `data` only on success.
async fn call(app: &TestApp, path: &str, req: &Value) -> Value {
    let res = app.post_json(path, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    let b = body(res).await;
    assert_envelope(&b);
    b
}

/// `call` as partner `sandbox`.
async fn ask(app: &TestApp, req: &Value) -> Value {
    call(app, &sandbox(), req).await
}

fn assert_envelope(b: &Value) {
    assert!(b["code"].is_i64(), "code is an integer: {b}");
    assert!(b["message"].is_string(), "message present: {b}");
    let seq = b["sequence_id"].as_str().expect("sequence_id");
    assert_eq!(seq.len(), 32, "{seq}");
    assert!(seq[..13].bytes().all(|c| c.is_ascii_digit()));
    assert!(
        seq[13..]
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
    );
    if b["code"] == 200 {
        assert!(b["data"].is_array());
    } else {
        assert!(b.get("data").is_none(), "failures carry no data: {b}");
    }
}

fn assert_code(b: &Value, code: i64, message: &str) {
    assert_eq!(b["code"], code, "{b}");
    assert_eq!(b["message"], message, "{b}");
}

fn assert_success(b: &Value) {
    assert_code(b, 200, "Success");
}

/// The answer when `code` is forced on a well-formed call.
async fn forced_answer(app: &TestApp, code: &str) -> Value {
    body(app.post_forced(&sandbox(), &mx(), code).await).await
}

/// The indicator `name` of a successful answer.
fn indicator(b: &Value, name: &str) -> Value {
    b["data"]
        .as_array()
        .and_then(|data| data.iter().find(|i| i["indicator_name"] == name).cloned())
        .unwrap_or_else(|| panic!("no indicator {name}: {b}"))
}

/// The tenant's TrustDecision state: `calls`, `partners`, `records`.
async fn td_state(app: &TestApp) -> Value {
    app.state().await["providers"]["trustdecision"].clone()
}

async fn partner(app: &TestApp, code: &str) -> Value {
    td_state(app).await["partners"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["code"] == code).cloned())
        .unwrap_or(Value::Null)
}

async fn records(app: &TestApp) -> Vec<Value> {
    td_state(app).await["records"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Changes a partner's account through the admin API.
async fn patch_partner(app: &TestApp, code: &str, change: Value) -> StatusCode {
    app.request(
        reqwest::Method::PATCH,
        &format!("/__sandbox/trustdecision/partners/{code}"),
    )
    .json(&change)
    .send()
    .await
    .unwrap()
    .status()
}

/// A runtime rule answering `code` at `endpoint`.
async fn rule(app: &TestApp, endpoint: &str, code: &str) {
    let rule = json!({"when": {"provider": "trustdecision", "endpoint": endpoint}, "then": {"code": code}});
    app.add_rule(&rule).await;
}

#[tokio::test]
async fn success_answers_the_package_indicators_in_the_documented_shape() {
    // Arrange
    let app = TestApp::spawn().await;
    app.freeze_clock("2022-04-01T01:39:25.770Z").await;
    // Act
    let b = ask(&app, &mx()).await;
    // Assert
    assert_success(&b);
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "data", "message", "sequence_id"]);
    assert!(
        b["sequence_id"]
            .as_str()
            .unwrap()
            .starts_with("1648777165770")
    );
    let data = b["data"].as_array().unwrap();
    let names: Vec<&str> = data
        .iter()
        .map(|i| i["indicator_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["credit_score", "credit_grade", "default_probability_level"]
    );
    for i in data {
        let mut keys: Vec<&String> = i.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["indicator_name", "indicator_status", "indicator_value"]
        );
        assert!([200, 201, 202, 500].contains(&i["indicator_status"].as_i64().unwrap()));
    }
    assert!(
        data[1]["indicator_value"].is_string(),
        "credit_grade is a string"
    );
    let score = &data[0];
    if score["indicator_status"] == 200 {
        let v = score["indicator_value"].as_i64().unwrap();
        assert!((300..=900).contains(&v));
    } else {
        assert_eq!(score["indicator_value"], -1111);
    }
}

#[tokio::test]
async fn any_path_below_the_prefix_serves_the_api() {
    let app = TestApp::spawn().await;
    for path in ["/trustdecision/", "/trustdecision/api/v1/feature/profiling"] {
        let path = format!("{path}?partner_code=sandbox&partner_key=sandbox");
        assert_success(&call(&app, &path, &mx()).await);
    }
}

#[tokio::test]
async fn another_method_is_answered_in_trustdecision_format_with_405() {
    let app = TestApp::spawn().await;
    let answers = [
        app.get(&sandbox()).await,
        app.put_json("/trustdecision/x", &mx()).await,
    ];
    for res in answers {
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_code(&body(res).await, 9061, "method error");
    }
}

#[tokio::test]
async fn account_codes_are_reached_by_the_default_partners() {
    let app = TestApp::spawn().await;
    let not_effective = "Service not purchased or not effective";
    let cases = [
        ("not_effective", mx(), 300, not_effective),
        ("nothing", mx(), 300, not_effective),
        ("v11_only", mx(), 301, "Service not purchased"),
        ("suspended", mx(), 302, "Service has been suspend"),
        ("empty", mx(), 303, "Not enough balance"),
        ("expired", mx(), 304, "Service expired"),
        ("us_based", mx(), 9055, NO_SERVICE),
        (
            "mx_only",
            request("IN", "multiplatform_multi"),
            9055,
            NO_SERVICE,
        ),
    ];
    for (partner_code, req, code, message) in cases {
        let b = call(&app, &url(partner_code), &req).await;
        assert_code(&b, code, message);
    }
    // The partner with one package gets it, and mx_only gets Mexico.
    let v11 = request("MX", "multiplatform_multi_V1_1");
    assert_success(&call(&app, &url("v11_only"), &v11).await);
    assert_success(&call(&app, &url("mx_only"), &mx()).await);
}

#[tokio::test]
async fn missing_fields_answer_9060_naming_the_field() {
    let app = TestApp::spawn().await;
    for field in REQUIRED {
        let missing = [
            without(mx(), field),
            with(mx(), field, json!("")),
            with(mx(), field, Value::Null),
        ];
        for req in missing {
            assert_code(&ask(&app, &req).await, 9060, &format!("{field} empty"));
        }
    }
    // app_name is only recommended.
    assert_success(&ask(&app, &without(mx(), "app_name")).await);
}

#[tokio::test]
async fn missing_credentials_answer_9060_and_wrong_ones_9061() {
    let app = TestApp::spawn().await;
    let cases = [
        ("", 9060, "partner_code empty"),
        ("?partner_key=sandbox", 9060, "partner_code empty"),
        ("?partner_code=sandbox", 9060, "partner_key empty"),
        (
            "?partner_code=sandbox&partner_key=",
            9060,
            "partner_key empty",
        ),
        (
            "?partner_code=sandbox&partner_key=wrong",
            9061,
            "partner_key error",
        ),
        (
            "?partner_code=nobody&partner_key=sandbox",
            9061,
            "partner_code error",
        ),
    ];
    for (query, code, message) in cases {
        let b = call(&app, &format!("/trustdecision{query}"), &mx()).await;
        assert_code(&b, code, message);
    }
}

#[tokio::test]
async fn bad_values_answer_9061_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let cases = [
        (with(mx(), "country", json!("US")), "country error"),
        (with(mx(), "country", json!("mx")), "country error"),
        (with(mx(), "id_type", json!("passport")), "id_type error"),
        (with(mx(), "id_number", json!(123)), "id_number error"),
        (with(mx(), "name", json!(["Juan"])), "name error"),
        (
            with(mx(), "phone_number", json!(5512345678_i64)),
            "phone_number error",
        ),
        (with(mx(), "app_name", json!(false)), "app_name error"),
        (
            with(mx(), "package_name", json!("gold")),
            "package_name error",
        ),
        (
            with(
                mx(),
                "package_name",
                json!("credit_rating_estimation,multiplatform_multi"),
            ),
            "package_name error",
        ),
        (
            with(mx(), "package_name", json!(["credit_rating_estimation"])),
            "package_name error",
        ),
        (with_id(mx(), &"x".repeat(201)), "id_number error"),
        (with(mx(), "ip", json!("1.2.3.4")), "ip error"),
        (json!([1, 2]), "body error"),
    ];
    for (req, message) in cases {
        assert_code(&ask(&app, &req).await, 9061, message);
    }
}

#[tokio::test]
async fn unknown_fields_pass_when_the_scenario_allows_them() {
    let app = TestApp::spawn_with("trustdecision:\n  allow_unknown_fields: true\n").await;
    assert_success(&ask(&app, &with(mx(), "ip", json!("1.2.3.4"))).await);
}

#[tokio::test]
async fn magic_id_number_answers_9500() {
    let app = TestApp::spawn().await;
    let b = ask(&app, &with_id(mx(), "9500000000")).await;
    assert_code(&b, 9500, "Internal error");
}

#[tokio::test]
async fn package_matrix_follows_the_country() {
    let app = TestApp::spawn().await;
    for country in ["MX", "IN", "TH", "CO", "PH", "VN", "NG", "PK"] {
        let all = ["MX", "IN", "TH", "CO", "PH"].contains(&country);
        for package in PACKAGES {
            let offered = all
                || package == "behavior_analysis_of_repayment"
                || package == "multiplatform_multi_V1_1";
            let b = ask(&app, &request(country, package)).await;
            if offered {
                assert_success(&b);
                assert!(
                    !b["data"].as_array().unwrap().is_empty(),
                    "{country} {package}"
                );
            } else {
                assert_code(&b, 9061, "package_name error");
            }
        }
    }
}

#[tokio::test]
async fn phone_rules_per_country_answer_9081_when_broken() {
    let app = TestApp::spawn().await;
    // country, a good phone, phones that break its rule
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "IN",
            "9876543210",
            &["987654321", "98765432101", "+919876543210", "98765-4321"],
        ),
        ("MX", "5512345678", &["551234567", "525512345678"]),
        (
            "TH",
            "0812345678",
            &["812345678", "8123456789", "08123456789"],
        ),
        ("CO", "3001234567", &["300123456", "573001234567"]),
        ("PH", "09171234567", &["9171234567", "091712345678"]),
        ("VN", "0912345678", &["9123456789", "091234567"]),
        ("NG", "08031234567", &["80312345678", "0803123456"]),
        ("PK", "03001234567", &["30012345678", "0300123456"]),
    ];
    for (country, good, bad) in cases {
        let phoned = |phone: &str| {
            let req = request(country, "multiplatform_multi_V1_1");
            with(req, "phone_number", json!(phone))
        };
        assert_success(&ask(&app, &phoned(good)).await);
        for phone in bad {
            assert_code(&ask(&app, &phoned(phone)).await, 9081, PHONE_MISMATCH);
        }
    }
}

#[tokio::test]
async fn every_code_can_be_forced() {
    let app = TestApp::spawn().await;
    let answers = app
        .forced_answers("trustdecision", || {
            app.request(reqwest::Method::POST, &sandbox()).json(&mx())
        })
        .await;
    assert_eq!(answers.len(), 10, "every code but the success");
    for (entry, status, b) in answers {
        let code = entry["code"].as_str().unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_envelope(&b);
        assert_eq!(b["code"].as_i64().unwrap().to_string(), code);
        assert!(!b["message"].as_str().unwrap().contains("{parameter}"));
    }
    let b = forced_answer(&app, "9061").await;
    assert_code(&b, 9061, "country error");
    let b = forced_answer(&app, "9060").await;
    assert_code(&b, 9060, "id_number empty");
}

#[tokio::test]
async fn forced_answers_carry_a_sequence_id_from_the_virtual_clock() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13.123Z").await;

    let first = forced_answer(&app, "9500").await;
    let second = forced_answer(&app, "9500").await;

    let id = first["sequence_id"].as_str().unwrap();
    assert_eq!(&id[..13], "1725449953123");
    assert_ne!(first["sequence_id"], second["sequence_id"]);
}

#[tokio::test]
async fn a_runtime_rule_answers_its_code() {
    let app = TestApp::spawn().await;
    rule(&app, "/risk/*", "9500").await;
    let b = call(
        &app,
        "/trustdecision/risk/query?partner_code=sandbox&partner_key=sandbox",
        &mx(),
    )
    .await;
    assert_code(&b, 9500, "Internal error");
    assert_success(&ask(&app, &mx()).await);
}

#[tokio::test]
async fn same_request_twice_gives_the_same_indicators() {
    let app = TestApp::spawn().await;
    for package in PACKAGES {
        let a = ask(&app, &request("MX", package)).await;
        let b = ask(&app, &request("MX", package)).await;
        assert_eq!(a["data"], b["data"]);
        assert_ne!(a["sequence_id"], b["sequence_id"]);
    }
    // Another tenant sees the same person the same way.
    let a = ask(&app, &mx()).await;
    let b = ask(&app.as_tenant("other"), &mx()).await;
    assert_eq!(a["data"], b["data"]);
}

#[tokio::test]
async fn another_seed_gives_other_values() {
    let one = TestApp::spawn_with("seed: 1").await;
    let two = TestApp::spawn_with("seed: 2").await;
    let req = request("MX", "multiplatform_multi_V1_1");
    let a = ask(&one, &req).await;
    let b = ask(&two, &req).await;
    assert_ne!(a["data"], b["data"]);
    let again = ask(&TestApp::spawn_with("seed: 1").await, &req).await;
    assert_eq!(a["data"], again["data"]);
}

#[tokio::test]
async fn a_subject_with_explicit_indicators_gets_exactly_those() {
    let app = TestApp::spawn().await;
    let b = ask(&app, &with_id(mx(), "GOMA800101HDFRRN09")).await;
    assert_eq!(
        indicator(&b, "credit_score"),
        json!({"indicator_name": "credit_score", "indicator_value": 812, "indicator_status": 200})
    );
    assert_eq!(indicator(&b, "credit_grade")["indicator_value"], "A");
    let v11 = request("MX", "multiplatform_multi_V1_1");
    let b = ask(&app, &with_id(v11, "GOMA800101HDFRRN09")).await;
    let loans = indicator(&b, "v11_loan_platform_cnt_30d");
    assert_eq!(loans["indicator_status"], 202);
    assert_eq!(loans["indicator_value"], -1111);
    assert_eq!(
        indicator(&b, "v11_reject_platform_cnt_30d")["indicator_status"],
        500
    );
}

#[tokio::test]
async fn a_person_without_record_gets_201_and_minus_999_everywhere() {
    let app = TestApp::spawn().await;
    for package in PACKAGES {
        let b = ask(&app, &with_id(request("MX", package), "0000000000")).await;
        assert_success(&b);
        for i in b["data"].as_array().unwrap() {
            assert_eq!(i["indicator_status"], 201);
            let v = &i["indicator_value"];
            assert!(v == &json!(-999) || v == &json!("-999"), "{i}");
        }
    }
}

#[tokio::test]
async fn uncalculable_percent_from_the_scenario_gives_202() {
    let yaml = "trustdecision:\n  packages:\n    - name: credit_rating_estimation\n      indicators:\n        - { name: credit_score, type: int, min: 300, max: 900, uncalculable_percent: 100 }\n        - { name: credit_grade, type: string, choices: [A, B], uncalculable_percent: 100 }\n";
    let app = TestApp::spawn_with(yaml).await;
    let b = ask(&app, &mx()).await;
    let data = b["data"].as_array().unwrap();
    assert_eq!(
        data[0],
        json!({"indicator_name": "credit_score", "indicator_value": -1111, "indicator_status": 202})
    );
    assert_eq!(data[1]["indicator_value"], "-1111");
    assert_eq!(data[1]["indicator_status"], 202);
}

#[tokio::test]
async fn balance_runs_out_after_exactly_n_successful_calls() {
    let app = TestApp::spawn().await;
    let broken_phone = with(mx(), "phone_number", json!("1"));
    for n in 0..3 {
        assert_success(&call(&app, &url("three_calls"), &mx()).await);
        // A failed call between spends nothing.
        let b = call(&app, &url("three_calls"), &broken_phone).await;
        assert_eq!(b["code"], 9081, "call {n}");
    }
    let b = call(&app, &url("three_calls"), &mx()).await;
    assert_code(&b, 303, "Not enough balance");
    let p = partner(&app, "three_calls").await;
    assert_eq!(p["balance"], 0);
    assert_eq!(p["spent"], 3);
}

#[tokio::test]
async fn admin_can_top_up_a_balance_and_change_the_state() {
    let app = TestApp::spawn().await;
    let status = patch_partner(&app, "empty", json!({"balance": 1})).await;
    assert_eq!(status, StatusCode::OK);
    assert_success(&call(&app, &url("empty"), &mx()).await);
    let b = call(&app, &url("empty"), &mx()).await;
    assert_code(&b, 303, "Not enough balance");

    let status = patch_partner(&app, "sandbox", json!({"state": "suspended"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_code(&ask(&app, &mx()).await, 302, "Service has been suspend");

    let status = patch_partner(&app, "nobody", json!({"state": "active"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expiry_passing_on_the_clock_answers_304() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2029-12-31T23:59:00Z").await;
    assert_success(&call(&app, &url("expiring"), &mx()).await);
    app.advance_clock(120).await;
    let b = call(&app, &url("expiring"), &mx()).await;
    assert_code(&b, 304, "Service expired");
    assert_eq!(partner(&app, "expiring").await["state"], "expired");
}

#[tokio::test]
async fn tenants_have_their_own_balances() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        call(&app, &url("three_calls"), &mx()).await;
    }
    assert_eq!(call(&app, &url("three_calls"), &mx()).await["code"], 303);
    let b = app.as_tenant("b");
    assert_success(&call(&b, &url("three_calls"), &mx()).await);
    assert_eq!(partner(&b, "three_calls").await["balance"], 2);
}

#[tokio::test]
async fn malformed_json_is_answered_in_trustdecision_format_and_spends_nothing() {
    let app = TestApp::spawn().await;
    let before = partner(&app, "sandbox").await;
    for raw in ["{not json", "{\"id_number\": ", "[1,"] {
        let res = app.post_raw(&sandbox(), raw).await;
        assert_eq!(res.status(), StatusCode::OK);
        let b = body(res).await;
        assert_envelope(&b);
        assert_code(&b, 9061, "body error");
    }
    let res = app.post_raw(&sandbox(), "x".repeat(1_100_000)).await;
    let b = body(res).await;
    assert_envelope(&b);
    assert_code(&b, 9061, "body error");
    assert_eq!(partner(&app, "sandbox").await, before);
}

#[tokio::test]
async fn an_empty_body_asks_for_the_first_field() {
    let app = TestApp::spawn().await;
    let b = body(app.post_raw(&sandbox(), "").await).await;
    assert_code(&b, 9060, "id_number empty");
}

#[tokio::test]
async fn every_call_is_recorded_in_the_state() {
    let app = TestApp::spawn().await;
    let ok = ask(&app, &mx()).await;
    let failed = call(&app, &url("suspended"), &mx()).await;
    let recs = records(&app).await;
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["sequence_id"], ok["sequence_id"]);
    assert_eq!(recs[0]["response"], ok);
    assert_eq!(recs[0]["request"]["body"], mx());
    assert_eq!(recs[0]["request"]["partner_code"], "sandbox");
    assert!(recs[0]["request"].get("partner_key").is_none());
    assert_eq!(recs[1]["response"], failed);
}

#[tokio::test]
async fn a_rule_on_every_endpoint_reaches_the_bare_prefix() {
    let app = TestApp::spawn().await;
    rule(&app, "*", "303").await;
    assert_code(&ask(&app, &mx()).await, 303, "Not enough balance");
    assert_eq!(partner(&app, "sandbox").await["spent"], 0);
}

#[tokio::test]
async fn a_scenario_rule_answers_its_code_for_a_matching_body() {
    let yaml = "rules:\n  - name: td-9081\n    when: { provider: trustdecision, body: { id_number: RULE } }\n    then: { code: \"9081\" }\n    times: 1\n";
    let app = TestApp::spawn_with(yaml).await;
    let req = with_id(mx(), "RULE");
    assert_code(&ask(&app, &req).await, 9081, PHONE_MISMATCH);
    assert_success(&ask(&app, &req).await);
}

#[tokio::test]
async fn scenario_mistakes_are_refused_at_load() {
    let bad = [
        "trustdecision:\n  partners:\n    - { code: x, key: y, packages: [gold] }\n",
        "trustdecision:\n  partners:\n    - { code: x, key: y, balanse: 3 }\n",
        "trustdecision:\n  countries:\n    - { code: MX, phone_digits: 0 }\n",
        "trustdecision:\n  subjects:\n    - { id_number: \"1\", result: nonsense }\n",
        "trustdecision:\n  packages:\n    - name: p\n      indicators: [{ name: s, type: string }]\n",
        "trustdecision:\n  codes:\n    no_such_code: { message: x }\n",
        "trustdecision:\n  partners:\n    - { code: x, key: y, country: usa }\n",
    ];
    for yaml in bad {
        let sources = vec![
            (
                "default.yaml".to_string(),
                sandbox::scenario::DEFAULT_SCENARIO.to_string(),
            ),
            ("test.yaml".to_string(), yaml.to_string()),
        ];
        let loaded = sandbox::build_from(sandbox::Settings::for_tests(), sources);
        assert!(loaded.is_err(), "accepted: {yaml}");
    }
}

#[tokio::test]
async fn a_shared_person_is_found_by_inn_or_document() {
    let app = TestApp::spawn().await;
    for id in ["3241500301", "ab123456"] {
        let req = with_id(request("MX", "behavior_analysis_of_repayment"), id);
        let b = ask(&app, &req).await;
        assert_eq!(
            b["data"],
            json!([
                {"indicator_name": "repay_on_time_cnt_180d", "indicator_value": 12, "indicator_status": 200},
                {"indicator_name": "overdue_cnt_180d", "indicator_value": 0, "indicator_status": 200},
                {"indicator_name": "max_overdue_days_180d", "indicator_value": 0, "indicator_status": 200},
                {"indicator_name": "repayment_behavior_level", "indicator_value": "good", "indicator_status": 200},
            ])
        );
    }
}

#[tokio::test]
async fn a_partner_located_in_an_unserved_country_answers_9055_on_every_call() {
    // Arrange: `us_based` is located in US, which the sandbox does not serve.
    let app = TestApp::spawn().await;
    let before = partner(&app, "us_based").await;
    // Act: a request that would succeed for `sandbox`, another country, a broken body.
    let answers = [
        call(&app, &url("us_based"), &mx()).await,
        call(
            &app,
            &url("us_based"),
            &request("NG", "multiplatform_multi_V1_1"),
        )
        .await,
        body(app.post_raw(&url("us_based"), "{not json").await).await,
    ];
    // Assert
    for b in answers {
        assert_code(&b, 9055, NO_SERVICE);
    }
    assert_eq!(partner(&app, "us_based").await, before, "nothing spent");
}

#[tokio::test]
async fn a_partner_located_in_a_served_country_is_served_everywhere_it_may_ask() {
    let yaml = "trustdecision:\n  partners:\n    - { code: mexican, key: k, country: MX }\n";
    let app = TestApp::spawn_with(yaml).await;
    let path = "/trustdecision?partner_code=mexican&partner_key=k";
    assert_success(&call(&app, path, &mx()).await);
    assert_success(&call(&app, path, &request("NG", "multiplatform_multi_V1_1")).await);
}

#[tokio::test]
async fn answers_made_before_the_handler_are_recorded_with_their_sequence_id() {
    // Arrange
    let app = TestApp::spawn().await;
    rule(&app, "/ruled", "9500").await;
    // Act: a forced code, a rule, a wrong method, an over-size body, then a normal call.
    let forced = forced_answer(&app, "302").await;
    let ruled = call(
        &app,
        "/trustdecision/ruled?partner_code=sandbox&partner_key=sandbox",
        &mx(),
    )
    .await;
    let method = body(app.get(&sandbox()).await).await;
    let large = body(app.post_raw(&sandbox(), "x".repeat(1_100_000)).await).await;
    let normal = ask(&app, &mx()).await;
    // Assert: one record per answer, each with the answer it gave, and `calls` agrees.
    let answers = [forced, ruled, method, large, normal];
    let recs = records(&app).await;
    assert_eq!(recs.len(), answers.len());
    assert_eq!(td_state(&app).await["calls"], answers.len());
    for (rec, answer) in recs.iter().zip(&answers) {
        assert_eq!(rec["sequence_id"], answer["sequence_id"]);
        assert_eq!(&rec["response"], answer);
    }
    assert!(
        recs[0].get("request").is_none(),
        "not read before the handler"
    );
    assert_eq!(recs[4]["request"]["body"], mx());
}

#[tokio::test]
async fn extreme_expiry_dates_never_make_a_call_fail() {
    // Arrange: expiries at the edges of what a date can say, far outside the clock's range.
    let yaml = "trustdecision:\n  partners:\n    - { code: far, key: sandbox, expires_at: \"9999-12-31T23:59:59Z\" }\n    - { code: ancient, key: sandbox, expires_at: \"0001-01-01T00:00:00Z\" }\n";
    let app = TestApp::spawn_with(yaml).await;
    app.freeze_clock("2285-12-31T23:59:59Z").await;
    // Act / Assert: compared on the clock, never added to.
    assert_success(&call(&app, &url("far"), &mx()).await);
    let b = call(&app, &url("ancient"), &mx()).await;
    assert_code(&b, 304, "Service expired");
    let far_future = json!({"expires_at": "+262142-12-31T23:59:59Z"});
    assert_eq!(
        patch_partner(&app, "sandbox", far_future).await,
        StatusCode::OK
    );
    assert_success(&ask(&app, &mx()).await);
    assert_eq!(partner(&app, "sandbox").await["state"], "active");
    assert_eq!(partner(&app, "far").await["state"], "active");
    assert_eq!(partner(&app, "ancient").await["state"], "expired");
}

#[tokio::test]
async fn the_document_describes_the_body_the_answer_and_the_query_keys() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/trustdecision.json").await).await;

    let schemas = &doc["components"]["schemas"];
    let request = &schemas["trustdecision.Request"];
    let required = request["required"].as_array().cloned().unwrap_or_default();
    for field in REQUIRED {
        assert!(required.contains(&json!(field)), "{field} is required");
    }
    assert!(
        !required.contains(&json!("app_name")),
        "app_name is optional"
    );
    assert_eq!(request["properties"]["name"]["maxLength"], 200);
    assert_eq!(
        request["properties"]["id_type"]["enum"],
        json!(["national_id"])
    );
    for path in ["/", "/{tail}"] {
        let op = &doc["paths"][path]["post"];
        let body_ref = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(body_ref, "#/components/schemas/trustdecision.Request");
        let ok = &op["responses"]["200"]["content"]["application/json"];
        assert_eq!(
            ok["schema"]["$ref"],
            "#/components/schemas/trustdecision.Answer"
        );
        assert_eq!(ok["examples"]["failure"]["value"]["code"], 9061);
        let text = op["responses"]["200"]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(text.contains("`9081` (phone_mismatch)"), "{text}");
    }
    assert_ne!(
        doc["paths"]["/"]["post"]["operationId"],
        doc["paths"]["/{tail}"]["post"]["operationId"]
    );
    let answer = &schemas["trustdecision.Answer"];
    assert_eq!(
        answer["required"],
        json!(["code", "message", "sequence_id"])
    );
    let keys = &doc["components"]["securitySchemes"];
    assert_eq!(keys["partner_key"]["in"], "query");
    assert_eq!(keys["partner_code"]["name"], "partner_code");
}
