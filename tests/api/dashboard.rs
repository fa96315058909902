//! The QA dashboard's page (served from the binary, open without the admin token) and
//! the admin calls it added: a validate-only scenario PUT and deleting one runtime rule.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, body, send};

const BROKEN: &str = "seed: 1\nrules:\n  - when: {provider: nope}\n    then: {code: \"1\"}\n";

#[tokio::test]
async fn the_dashboard_and_its_assets_are_served_from_the_binary_without_the_token() {
    let app = TestApp::spawn_with_settings(|s| s.admin_token = Some("s3cret".into()), None).await;

    let page = app.get("/__sandbox/ui").await;

    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.expect("page");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            assets.push(part.split('"').next().unwrap_or_default().to_string());
        }
    }
    assert_eq!(assets.len(), 2, "{html}");
    for asset in &assets {
        assert!(
            asset.starts_with("/__sandbox/ui/"),
            "{asset} is fetched from elsewhere"
        );
        assert_eq!(app.get(asset).await.status(), StatusCode::OK, "{asset}");
    }
    let tenants = app.get("/__sandbox/tenants").await;
    assert_eq!(
        tenants.status(),
        StatusCode::UNAUTHORIZED,
        "tenant data stays guarded"
    );
}

#[tokio::test]
async fn an_unknown_dashboard_asset_is_a_marked_404() {
    let app = TestApp::spawn().await;

    let res = app.get("/__sandbox/ui/nothing.js").await;

    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-sandbox-error"], "not-found");
}

#[tokio::test]
async fn a_dry_run_answers_the_problems_at_line_and_column_and_loads_nothing() {
    let app = TestApp::spawn().await;

    let res = send(
        app.request(Method::PUT, "/__sandbox/scenario?dry_run=true")
            .body(BROKEN),
    )
    .await;

    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["x-sandbox-error"], "invalid-scenario");
    let answer = body(res).await;
    let first = answer["problems"][0].as_str().expect("a problem");
    assert!(
        first.starts_with("3:5: rules[0]: unknown provider `nope`"),
        "{first}"
    );
}

#[tokio::test]
async fn a_valid_dry_run_is_not_loaded() {
    let app = TestApp::spawn().await;
    let before = body(app.get("/__sandbox/health").await).await;

    let res = send(
        app.request(Method::PUT, "/__sandbox/scenario?dry_run=true")
            .body("seed: 4242\n"),
    )
    .await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["status"], "valid");
    let after = body(app.get("/__sandbox/health").await).await;
    assert_eq!(after["seed"], before["seed"]);
    assert_eq!(after["scenario"], before["scenario"]);
}

#[tokio::test]
async fn deleting_a_runtime_rule_by_name_removes_that_rule_only() {
    let app = TestApp::spawn_with(
        "rules:\n  - name: keep\n    when: {provider: ubki}\n    then: {delay_ms: 1}\n",
    )
    .await;
    for name in ["keep", "other", "gone"] {
        let rule = json!({"name": name, "when": {"provider": "ubki"}, "then": {"delay_ms": 1}});
        app.add_rule(&rule).await;
    }

    let res = app.delete("/__sandbox/rules/gone").await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["removed"], 1);
    let rules = body(app.get("/__sandbox/rules").await).await;
    let left: Vec<(String, String)> = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["rule"]["name"].to_string(), r["source"].to_string()))
        .collect();
    let named = |n: &str, s: &str| (format!("\"{n}\""), format!("\"{s}\""));
    assert_eq!(
        left,
        vec![
            named("other", "runtime"),
            named("keep", "runtime"),
            named("keep", "scenario")
        ]
    );
}

#[tokio::test]
async fn deleting_a_rule_that_is_no_runtime_rule_is_a_marked_404_and_changes_nothing() {
    let app = TestApp::spawn_with(
        "rules:\n  - name: scenario-rule\n    when: {provider: ubki}\n    then: {delay_ms: 1}\n",
    )
    .await;

    let res = app.delete("/__sandbox/rules/scenario-rule").await;

    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-sandbox-error"], "not-found");
    let rules = body(app.get("/__sandbox/rules").await).await;
    assert_eq!(rules["rules"].as_array().map(Vec::len), Some(1));
}
