//! The platform, seen over HTTP: tenants, clock, reset, scenario reload, journal,
//! force header, rules, bad input, admin token, catalog, coverage, command line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestApp, body};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";
const DISCOUNT: &str = "/ubki/bonusservice/discount";

fn login() -> Value {
    json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}})
}

async fn sessid(app: &TestApp) -> String {
    let auth = body(app.post_json(AUTH, &login()).await).await;
    auth["doc"]["auth"]["sessid"]
        .as_str()
        .expect("sessid")
        .to_string()
}

fn discount_for(sessid: &str) -> Value {
    json!({"sessid": sessid, "reptype": "ALB", "inn": "3241500301"})
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sandbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

#[tokio::test]
async fn health_reports_ok_version_and_scenario() {
    let app = TestApp::spawn().await;

    let res = app.get("/__sandbox/health").await;

    assert_eq!(res.status(), StatusCode::OK);
    let health = body(res).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        health["scenario"],
        json!(["default.yaml", "test.yaml"][..1])
    );
}

#[tokio::test]
async fn tenants_have_independent_state_and_journals() {
    let app = TestApp::spawn().await;
    let other = app.as_tenant("other");

    let key = sessid(&app).await;
    let in_own = body(app.post_json(DISCOUNT, &discount_for(&key)).await).await;
    let in_other = body(other.post_json(DISCOUNT, &discount_for(&key)).await).await;

    assert_eq!(in_own["result_code"], "0");
    assert_eq!(
        in_other["result_code"], "1",
        "a key of one tenant is unknown to another"
    );
    assert_eq!(app.journal().await["requests"].as_array().unwrap().len(), 2);
    assert_eq!(
        other.journal().await["requests"].as_array().unwrap().len(),
        1
    );
    let other_state = other.state().await;
    assert_eq!(other_state["providers"]["ubki"]["discounts"], json!([]));
}

#[tokio::test]
async fn same_requests_in_two_tenants_give_different_keys() {
    let app = TestApp::spawn().await;

    let a = sessid(&app).await;
    let b = sessid(&app.as_tenant("b")).await;

    assert_ne!(a, b);
}

#[tokio::test]
async fn bad_tenant_name_is_refused_by_the_sandbox() {
    let app = TestApp::spawn().await.as_tenant("no spaces allowed");

    let res = app.post_json(AUTH, &login()).await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["x-sandbox-error"], "bad-tenant");
}

#[tokio::test]
async fn tenants_beyond_the_cap_push_out_the_least_recently_used() {
    let app = TestApp::spawn_with_settings(|s| s.tenant_cap = 2, None).await;

    for name in ["t1", "t2", "t3"] {
        app.as_tenant(name).post_json(AUTH, &login()).await;
    }
    let tenants = body(app.as_tenant("t3").get("/__sandbox/tenants").await).await;

    assert_eq!(tenants["tenants"], json!(["t2", "t3"]));
}

#[tokio::test]
async fn advancing_the_clock_expires_a_session_key() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T09:00:00Z").await;
    let key = sessid(&app).await;

    app.advance_clock(24 * 3600).await;
    let res = body(app.post_json(DISCOUNT, &discount_for(&key)).await).await;

    assert_eq!(res["result_code"], "1");
}

#[tokio::test]
async fn clock_can_be_read_set_and_advanced() {
    let app = TestApp::spawn().await;

    app.freeze_clock("2024-01-01T00:00:00Z").await;
    app.advance_clock(90).await;
    let clock = body(app.get("/__sandbox/clock").await).await;

    assert_eq!(clock["now"], "2024-01-01T00:01:30.000000Z");
    assert_eq!(clock["frozen"], true);
}

#[tokio::test]
async fn moving_the_clock_out_of_range_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2280-01-01T00:00:00Z").await;

    let beyond = app
        .post_json("/__sandbox/clock/advance", &json!({"days": 36_000}))
        .await;
    let huge = app
        .post_json("/__sandbox/clock/advance", &json!({"days": 3_000_000}))
        .await;
    let early = app
        .put_json("/__sandbox/clock", &json!({"now": "1969-12-31T00:00:00Z"}))
        .await;

    for res in [beyond, huge, early] {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.headers()["x-sandbox-error"], "bad-request");
    }
    let clock = body(app.get("/__sandbox/clock").await).await;
    assert_eq!(clock["now"], "2280-01-01T00:00:00.000000Z");
}

#[tokio::test]
async fn reset_restores_state_journal_and_clock() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-01-01T00:00:00Z").await;
    let key = sessid(&app).await;
    assert_eq!(
        body(app.post_json(DISCOUNT, &discount_for(&key)).await).await["result_code"],
        "0"
    );

    app.reset().await;

    let state = app.state().await;
    assert_eq!(state["providers"]["ubki"]["discounts"], json!([]));
    assert_eq!(app.journal().await["requests"], json!([]));
    let clock = body(app.get("/__sandbox/clock").await).await;
    assert_eq!(clock["frozen"], false);
    let after = body(app.post_json(DISCOUNT, &discount_for(&key)).await).await;
    assert_eq!(
        after["result_code"], "1",
        "keys issued before the reset are gone"
    );
}

#[tokio::test]
async fn loading_a_good_scenario_replaces_it_for_every_tenant() {
    let app = TestApp::spawn().await;
    let yaml = "seed: 5\nubki:\n  accounts:\n    - login: newcomer\n      pass: secret\n";

    let res = app.put_scenario(yaml).await;

    assert_eq!(res.status(), StatusCode::OK);
    let new_login = json!({"doc": {"auth": {"login": "newcomer", "pass": "secret"}}});
    let as_b = body(app.as_tenant("b").post_json(AUTH, &new_login).await).await;
    assert!(as_b["doc"]["auth"]["sessid"].is_string(), "{as_b}");
    let old = body(app.post_json(AUTH, &login()).await).await;
    assert_eq!(
        old["doc"]["auth"]["errcode"], "13",
        "the old accounts are gone"
    );
    let scenario = body(app.get("/__sandbox/scenario").await).await;
    assert_eq!(scenario["seed"], 5);
}

#[tokio::test]
async fn loading_a_bad_scenario_keeps_the_old_one_and_names_line_and_column() {
    let app = TestApp::spawn().await;
    let yaml = "seed: 5\nubki:\n  acounts: []\n";

    let res = app.put_scenario(yaml).await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["x-sandbox-error"], "invalid-scenario");
    let problems = body(res).await["problems"].clone();
    let first = problems[0].as_str().unwrap();
    assert!(first.starts_with("3:3: "), "{first}");
    assert!(first.contains("acounts"), "{first}");
    let still = body(app.post_json(AUTH, &login()).await).await;
    assert!(still["doc"]["auth"]["sessid"].is_string(), "{still}");
}

#[tokio::test]
async fn journal_records_requests_newest_first_with_details() {
    let app = TestApp::spawn().await;
    app.freeze_clock("2024-09-04T11:39:13Z").await;

    app.post_json(AUTH, &login()).await;
    app.post_raw(AUTH, "{oops").await;
    let journal = app.journal().await;

    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["code"], "33");
    assert_eq!(entries[0]["request_body"], "{oops");
    assert_eq!(entries[1]["code"], "0");
    assert_eq!(entries[1]["provider"], "ubki");
    assert_eq!(entries[1]["method"], "POST");
    assert_eq!(entries[1]["path"], AUTH);
    assert_eq!(entries[1]["status"], 200);
    assert_eq!(entries[1]["time"], "2024-09-04T11:39:13Z");
    assert_eq!(
        entries[1]["request_body"]["doc"]["auth"]["login"],
        "sandbox"
    );
    assert!(entries[1]["response_body"]["doc"]["auth"]["sessid"].is_string());
    assert!(entries[1]["latency_ms"].is_number());
}

#[tokio::test]
async fn journal_keeps_only_its_cap_and_can_be_cleared() {
    let app = TestApp::spawn_with_settings(|s| s.journal_cap = 3, None).await;

    for _ in 0..5 {
        app.post_json(AUTH, &login()).await;
    }
    let journal = app.journal().await;
    assert_eq!(journal["requests"].as_array().unwrap().len(), 3);
    assert_eq!(journal["total"], 3);

    app.delete("/__sandbox/requests").await;
    assert_eq!(app.journal().await["requests"], json!([]));
}

#[tokio::test]
async fn journal_filters_by_provider_and_limit() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.post_json(AUTH, &login()).await;
    }

    let some: Value = body(app.get("/__sandbox/requests?provider=ubki&limit=2").await).await;
    let none: Value = body(app.get("/__sandbox/requests?provider=dcm").await).await;

    assert_eq!(some["requests"].as_array().unwrap().len(), 2);
    assert_eq!(none["requests"], json!([]));
}

#[tokio::test]
async fn force_header_answers_the_documented_error_and_is_journaled() {
    let app = TestApp::spawn().await;

    let res = app.post_forced(AUTH, &login(), "27").await;

    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("x-sandbox-error").is_none());
    let answer = body(res).await;
    assert_eq!(answer["doc"]["auth"]["errcode"], "27");
    let entry = &app.journal().await["requests"][0];
    assert_eq!(entry["code"], "27");
    assert_eq!(entry["forced_by"], "force");
}

#[tokio::test]
async fn unknown_force_code_is_refused_with_the_valid_codes() {
    let app = TestApp::spawn().await;

    let res = app.post_forced(DISCOUNT, &json!({}), "42").await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["x-sandbox-error"], "unknown-force-code");
    let answer = body(res).await;
    assert_eq!(answer["valid_codes"], json!(["1", "2", "3", "4", "5"]));
}

#[tokio::test]
async fn a_success_code_cannot_be_forced_since_it_would_lack_the_real_data() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"code": "0"}});

    let forced = app.post_forced(AUTH, &login(), "0").await;
    let as_rule = app.post_json("/__sandbox/rules", &rule).await;

    assert_eq!(forced.status(), StatusCode::BAD_REQUEST);
    assert_eq!(forced.headers()["x-sandbox-error"], "unknown-force-code");
    assert_eq!(as_rule.status(), StatusCode::BAD_REQUEST);
    let catalog = app.catalog_codes("ubki").await;
    let ok = catalog.iter().find(|c| c["key"] == "auth_ok").unwrap();
    assert_eq!(ok["forcible"], false);
    assert_eq!(ok["triggers"]["header"], Value::Null);
}

#[tokio::test]
async fn a_rule_for_another_endpoints_code_lets_this_endpoint_answer() {
    let app = TestApp::spawn().await;
    // 13 is an auth code: the discount endpoint has no 13, so the rule passes it by.
    let rule = json!({"when": {"provider": "ubki"}, "then": {"code": "13"}});
    app.add_rule(&rule).await;

    let auth = body(app.post_json(AUTH, &login()).await).await;
    let discount = app.post_json(DISCOUNT, &json!({})).await;

    assert_eq!(auth["doc"]["auth"]["errcode"], "13");
    assert_eq!(discount.status(), StatusCode::OK);
    assert_eq!(body(discount).await["result_code"], "4");
}

#[tokio::test]
async fn catalog_rules_name_the_endpoint_of_scoped_codes() {
    let app = TestApp::spawn().await;

    let catalog = app.catalog_codes("ubki").await;

    let blocked = catalog
        .iter()
        .find(|c| c["key"] == "account_blocked")
        .unwrap();
    assert_eq!(
        blocked["triggers"]["rule"]["when"]["endpoint"],
        "/b2_api_xml/ubki/auth"
    );
    let absent = catalog
        .iter()
        .find(|c| c["key"] == "subject_absent")
        .unwrap();
    assert_eq!(
        absent["triggers"]["rule"]["when"]["endpoint"],
        "/bonusservice/*"
    );
}

#[tokio::test]
async fn scenario_rule_forces_a_code_for_matching_bodies_only() {
    let yaml = r#"
rules:
  - name: blocked-bob
    when:
      provider: ubki
      endpoint: /b2_api_xml/ubki/auth
      body: { doc.auth.login: bob }
    then: { code: "27" }
"#;
    let app = TestApp::spawn_with(yaml).await;

    let bob = body(
        app.post_json(
            AUTH,
            &json!({"doc": {"auth": {"login": "bob", "pass": "x"}}}),
        )
        .await,
    )
    .await;
    let other = body(app.post_json(AUTH, &login()).await).await;

    assert_eq!(bob["doc"]["auth"]["errcode"], "27");
    assert!(other["doc"]["auth"].get("errcode").is_none(), "{other}");
    assert_eq!(
        app.journal().await["requests"][1]["forced_by"],
        "rule:blocked-bob"
    );
}

#[tokio::test]
async fn runtime_rule_with_times_expires() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki", "endpoint": "/b2_api_xml/*"}, "then": {"code": "36"}, "times": 2});
    app.add_rule(&rule).await;

    let mut codes = Vec::new();
    for _ in 0..3 {
        let answer = body(app.post_json(AUTH, &login()).await).await;
        codes.push(
            // A success carries no errcode.
            answer["doc"]["auth"]["errcode"]
                .as_str()
                .unwrap_or("0")
                .to_string(),
        );
    }

    assert_eq!(codes, ["36", "36", "0"]);
}

#[tokio::test]
async fn rule_with_unknown_code_is_refused() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"code": "777"}});

    let res = app.post_json("/__sandbox/rules", &rule).await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await["message"].as_str().unwrap().contains("777"));
}

#[tokio::test]
async fn rule_can_answer_a_raw_status_with_a_body() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"status": 503, "body": {"gateway": "down"}, "headers": {"retry-after": "5"}}});
    app.add_rule(&rule).await;

    let res = app.post_json(AUTH, &login()).await;

    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "5");
    assert_eq!(body(res).await, json!({"gateway": "down"}));
}

#[tokio::test]
async fn rules_that_would_break_http_framing_are_refused() {
    let app = TestApp::spawn().await;
    let no_content_with_body =
        json!({"when": {"provider": "ubki"}, "then": {"status": 204, "body": {"a": 1}}});
    let informational = json!({"when": {"provider": "ubki"}, "then": {"status": 101}});
    let huge_glob = json!({"when": {"provider": "ubki", "endpoint": format!("*{}", "a".repeat(300))}, "then": {"code": "5"}});

    for rule in [no_content_with_body, informational, huge_glob] {
        let res = app.post_json("/__sandbox/rules", &rule).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{rule}");
    }
}

#[tokio::test]
async fn an_empty_scenario_upload_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;

    let res = app
        .request(reqwest::Method::PUT, "/__sandbox/scenario")
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(app.post_json(AUTH, &login()).await).await["doc"]["auth"]["sessid"].is_string());
}

#[tokio::test]
async fn admin_errors_made_by_actix_are_answered_in_json() {
    let app = TestApp::spawn().await;

    let too_big = app
        .request(reqwest::Method::POST, "/__sandbox/rules")
        .body(vec![b' '; 17 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let wrong_method = app
        .request(reqwest::Method::DELETE, "/__sandbox/trustdecision/partners")
        .send()
        .await
        .unwrap();

    for res in [too_big, wrong_method] {
        assert!(res.status().is_client_error());
        assert!(res.headers().contains_key("x-sandbox-error"));
        let _: Value = res.json().await.expect("a JSON body");
    }
}

#[tokio::test]
async fn rule_can_delay_and_still_let_the_provider_answer() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"delay_ms": 300}});
    app.add_rule(&rule).await;

    let started = Instant::now();
    let answer = body(app.post_json(AUTH, &login()).await).await;

    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(answer["doc"]["auth"]["sessid"].is_string(), "{answer}");
}

#[tokio::test]
async fn rule_can_close_the_connection_without_an_answer() {
    let app = TestApp::spawn().await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"drop": true}, "times": 1});
    app.add_rule(&rule).await;

    let dropped = app
        .request(reqwest::Method::POST, AUTH)
        .json(&login())
        .send()
        .await;
    let next = app.post_json(AUTH, &login()).await;

    assert!(dropped.is_err(), "expected no response, got {dropped:?}");
    assert_eq!(next.status(), StatusCode::OK);
}

#[tokio::test]
async fn probability_rule_fires_reproducibly() {
    let yaml = r#"
rules:
  - when: { provider: ubki }
    then: { code: "13" }
    probability: 0.5
"#;
    let run = || async {
        let app = TestApp::spawn_with(yaml).await;
        let mut codes = String::new();
        for _ in 0..16 {
            let answer = body(app.post_json(AUTH, &login()).await).await;
            // A success carries no errcode.
            codes.push_str(answer["doc"]["auth"]["errcode"].as_str().unwrap_or("0"));
            codes.push(',');
        }
        codes
    };

    let first = run().await;
    let second = run().await;

    assert_eq!(first, second);
    assert!(first.contains("13") && first.contains("0,"), "{first}");
}

#[tokio::test]
async fn malformed_json_gets_the_provider_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.state().await["providers"].clone();

    let res = app.post_raw(DISCOUNT, "{\"sessid\": ").await;

    assert_eq!(res.status(), StatusCode::OK);
    let answer = body(res).await;
    assert_eq!(answer["result_code"], "4");
    assert!(answer["details"][0].as_str().unwrap().contains("JSON"));
    assert_eq!(app.state().await["providers"], before);
}

#[tokio::test]
async fn oversized_body_gets_the_provider_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.state().await["providers"].clone();
    let huge = format!(
        "{{\"doc\":{{\"auth\":{{\"login\":\"{}\"}}}}}}",
        "x".repeat(1_100_000)
    );

    let res = app.post_raw(AUTH, huge).await;

    assert_eq!(res.status(), StatusCode::OK);
    let answer = body(res).await;
    assert_eq!(answer["doc"]["auth"]["errcode"], "33");
    assert!(
        answer["doc"]["auth"]["errtext"]
            .as_str()
            .unwrap()
            .contains("1048576")
    );
    assert_eq!(app.state().await["providers"], before);
    assert_eq!(app.journal().await["requests"][0]["code"], "33");
}

#[tokio::test]
async fn body_limit_is_configurable() {
    let app = TestApp::spawn_with_settings(|s| s.body_limit = 64, None).await;

    let res = app
        .post_json(
            DISCOUNT,
            &json!({"sessid": "x".repeat(100), "reptype": "ALB", "inn": "1234567890"}),
        )
        .await;

    let answer = body(res).await;
    assert_eq!(answer["result_code"], "4");
    assert!(answer["details"][0].as_str().unwrap().contains("64 bytes"));
}

#[tokio::test]
async fn unknown_path_and_wrong_method_answer_in_the_provider_format() {
    let app = TestApp::spawn().await;

    let missing = app
        .post_json("/ubki/bonusservice/nothing", &json!({}))
        .await;
    let wrong_method = app.get(DISCOUNT).await;

    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(body(missing).await["result_code"], "4");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body(wrong_method).await["result_code"], "4");
}

#[tokio::test]
async fn paths_outside_every_prefix_get_a_sandbox_404() {
    let app = TestApp::spawn().await;

    let res = app.get("/nothing/here").await;

    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-sandbox-error"], "not-found");
}

#[tokio::test]
async fn admin_token_guards_everything_but_health() {
    let app = TestApp::spawn_with_settings(|s| s.admin_token = Some("s3cret".into()), None).await;

    let health = app.get("/__sandbox/health").await;
    let without = app.get("/__sandbox/state").await;
    let with = app
        .request(reqwest::Method::GET, "/__sandbox/state")
        .header("authorization", "Bearer s3cret")
        .send()
        .await
        .unwrap();

    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(with.status(), StatusCode::OK);
}

#[tokio::test]
async fn error_catalog_lists_every_code_with_its_triggers() {
    let app = TestApp::spawn().await;

    let codes = app.catalog_codes("ubki").await;

    assert_eq!(codes.len(), sandbox::providers::ubki::SPECS.len());
    let blocked = codes.iter().find(|c| c["code"] == "27").unwrap();
    assert_eq!(blocked["triggers"]["header"], "X-Sandbox-Force: 27");
    assert!(
        blocked["triggers"]["natural"]
            .as_str()
            .unwrap()
            .contains("blocked")
    );
    assert_eq!(blocked["triggers"]["rule"]["then"]["code"], "27");
}

#[tokio::test]
async fn coverage_shows_returned_and_never_returned_codes() {
    let app = TestApp::spawn().await;

    app.post_json(AUTH, &login()).await;
    app.post_forced(DISCOUNT, &json!({}), "3").await;
    let coverage = body(app.get("/__sandbox/coverage").await).await;

    let ubki = &coverage["providers"]["ubki"];
    let returned: Vec<&str> = ubki["returned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(returned, ["auth_ok", "subject_absent"]);
    assert!(
        ubki["never_returned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "system_error")
    );
}

#[tokio::test]
async fn same_scenario_and_seed_give_byte_identical_answers() {
    let run = || async {
        let app = TestApp::spawn().await;
        app.freeze_clock("2024-09-04T11:39:13Z").await;
        let auth = app.post_json(AUTH, &login()).await.text().await.unwrap();
        let auth_json: Value = serde_json::from_str(&auth).unwrap();
        let key = auth_json["doc"]["auth"]["sessid"]
            .as_str()
            .unwrap()
            .to_string();
        let discount = app
            .post_json(DISCOUNT, &discount_for(&key))
            .await
            .text()
            .await
            .unwrap();
        format!("{auth}\n{discount}")
    };

    assert_eq!(run().await, run().await);
}

#[tokio::test]
async fn a_different_seed_gives_different_keys() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn_with("seed: 99").await;

    assert_ne!(sessid(&a).await, sessid(&b).await);
}

#[test]
fn validate_prints_file_line_column_for_a_broken_file() {
    let path = temp_file(
        "broken.yaml",
        "seed: 1\nubki:\n  accounts:\n    - login: a\n      passwd: b\n",
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();

    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{}:5:7: ", path.display());
    assert!(stdout.starts_with(&expected), "{stdout}");
    assert!(stdout.contains("passwd"), "{stdout}");
}

#[test]
fn validate_points_at_the_value_a_provider_problem_names() {
    let yaml = "seed: 1\nubki:\n  subjects:\n    - inn: \"0000000001\"\n      absent: true\n    - inn: \"12\"\n";
    let path = temp_file("subject.yaml", yaml);

    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{}:6:12: ubki: subjects[1].inn", path.display());
    assert!(stdout.starts_with(&expected), "{stdout}");
}

#[test]
fn validate_accepts_the_default_scenario() {
    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args([
            "validate",
            concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.yaml"),
        ])
        .output()
        .unwrap();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn validate_reports_problems_of_every_file() {
    let a = temp_file("a.yaml", "sede: 1\n");
    let b = temp_file(
        "b.yaml",
        "rules:\n  - when: {provider: nobody}\n    then: {drop: true}\n",
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg("validate")
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{}:1:1: ", a.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{}:2:5: rules[0]: unknown provider `nobody`",
            b.display()
        )),
        "{stdout}"
    );
}

#[tokio::test]
async fn healthcheck_command_exits_zero_when_the_sandbox_answers() {
    let app = TestApp::spawn().await;
    let port = app.port.to_string();

    let up = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_sandbox"))
            .args(["healthcheck", "--port", &port])
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["healthcheck", "--port", &free.to_string()])
        .status()
        .unwrap();

    assert!(up.success());
    assert!(!down.success());
}

#[test]
fn binary_serves_from_environment_settings_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .env("SANDBOX_HOST", "127.0.0.1")
        .env("SANDBOX_PORT", "0")
        .env("SANDBOX_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut port = None;
    while let Ok(line) = seen.recv_timeout(Duration::from_secs(20)) {
        if let Some(rest) = line.split("port=").nth(1) {
            port = rest
                .split_whitespace()
                .next()
                .and_then(|p| p.parse::<u16>().ok());
            break;
        }
    }
    if port.is_none() {
        let _ = child.kill();
    }
    let port = port.expect("the server logs its port");
    let health = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .args(["healthcheck", "--port", &port.to_string()])
        .status()
        .unwrap();
    assert!(health.success());

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };

    let status = status.expect("the server stops after SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn readme_scenario_example_is_the_checked_example_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/scenarios/examples/ci.yaml")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();

    let problems = sandbox::load_scenario(&[
        (
            "default.yaml".into(),
            sandbox::scenario::DEFAULT_SCENARIO.into(),
        ),
        ("ci.yaml".into(), example.clone()),
    ])
    .err();

    assert!(
        readme.contains(example.trim_end()),
        "README's example differs from scenarios/examples/ci.yaml"
    );
    assert_eq!(problems, None);
}

#[tokio::test]
async fn example_overlay_rules_fire_as_documented() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/ci.yaml"
    ))
    .unwrap();
    let app = TestApp::spawn_with(&example).await;
    let discount = json!({"sessid": "0123456789ABCDEF0123456789ABCDEF", "reptype": "ALB", "inn": "2925809151"});

    let codes = [
        body(app.post_json(DISCOUNT, &discount).await).await["result_code"].clone(),
        body(app.post_json(DISCOUNT, &discount).await).await["result_code"].clone(),
        body(app.post_json(DISCOUNT, &discount).await).await["result_code"].clone(),
    ];
    let carol = json!({"sessid": "0123456789ABCDEF0123456789ABCDEF", "reptype": "ALB", "inn": "3010203040"});
    let carol_code = body(app.post_json(DISCOUNT, &carol).await).await["result_code"].clone();

    assert_eq!(codes, [json!("5"), json!("5"), json!("0")]);
    assert_eq!(carol_code, "2");
    assert_eq!(
        body(app.get("/__sandbox/clock").await).await["now"],
        "2024-09-04T08:00:00.000000Z"
    );
}

#[tokio::test]
async fn the_binary_logs_each_request_as_one_logfmt_line() {
    let served = crate::common::binary::Served::start(&[]);

    reqwest::Client::new()
        .post(served.url(DISCOUNT))
        .header("X-Sandbox-Tenant", "log-1")
        .body("{}")
        .send()
        .await
        .unwrap();

    let line = served
        .line_with("tenant=log-1", Duration::from_secs(10))
        .expect("a request line");
    assert!(
        line.contains(
            "  INFO request tenant=log-1 provider=ubki method=POST path=/ubki/bonusservice/discount status=200 code="
        ),
        "{line}"
    );
    assert!(line.contains(" forced_by=- latency_ms="), "{line}");
}

#[tokio::test]
async fn a_log_filter_below_info_for_the_pipeline_hides_the_request_line() {
    let served =
        crate::common::binary::Served::start(&[("SANDBOX_LOG", "info,sandbox::pipeline=warn")]);

    for tenant in ["quiet-1", "quiet-2"] {
        reqwest::Client::new()
            .post(served.url(DISCOUNT))
            .header("X-Sandbox-Tenant", tenant)
            .body("{}")
            .send()
            .await
            .unwrap();
    }

    assert_eq!(
        served.line_with("tenant=quiet-", Duration::from_millis(500)),
        None
    );
}
