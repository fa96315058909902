//! `GET /__sandbox/metrics`: Prometheus text, read back with a Prometheus parser.

use crate::common::{TestApp, send};
use prometheus_parse::{Sample, Scrape, Value as Metric};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";

fn login() -> Value {
    json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}})
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let res = app.get("/__sandbox/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = res.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    Scrape::parse(lines).expect("Prometheus text").samples
}

/// The value of the one sample named `metric` with every label of `labels`.
fn value(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect();
    assert!(found.len() <= 1, "{metric} {labels:?} is several series");
    found.first().map(|s| match s.value {
        Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => v,
        Metric::Histogram(_) | Metric::Summary(_) => f64::NAN,
    })
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_a_forced_code() {
    let app = TestApp::spawn().await;
    app.post_json(AUTH, &login()).await;
    app.post_forced(AUTH, &login(), "27").await;

    let samples = scrape(&app).await;

    let forced = [
        ("provider", "ubki"),
        ("endpoint", "/b2_api_xml/ubki/auth"),
        ("code", "27"),
        ("status", "200"),
        ("forced", "true"),
    ];
    assert_eq!(
        value(&samples, "sandbox_requests_total", &forced),
        Some(1.0)
    );
    let natural = [("code", "0"), ("forced", "false")];
    assert_eq!(
        value(&samples, "sandbox_requests_total", &natural),
        Some(1.0)
    );
    let provider = [("provider", "ubki")];
    let observed = value(
        &samples,
        "sandbox_request_duration_seconds_count",
        &provider,
    );
    assert_eq!(observed, Some(2.0));
    assert_eq!(value(&samples, "sandbox_tenants", &[]), Some(1.0));
    assert_eq!(value(&samples, "sandbox_journal_entries", &[]), Some(2.0));
    let sessions = app.state().await["providers"]["ubki"]["sessions"]
        .as_array()
        .map(Vec::len);
    let keys = [("provider", "ubki"), ("kind", "keys")];
    let counted = value(&samples, "sandbox_entities", &keys).map(|n| n as usize);
    assert_eq!(counted, sessions);
    assert!(
        samples.iter().all(|s| s.labels.get("tenant").is_none()),
        "no tenant label unless asked for"
    );
}

#[tokio::test]
async fn an_unknown_path_is_counted_under_a_fixed_endpoint_label() {
    let app = TestApp::spawn().await;
    app.get("/ubki/no/such/path/12345").await;

    let samples = scrape(&app).await;

    let labels = [("endpoint", "unmatched"), ("status", "404")];
    assert_eq!(
        value(&samples, "sandbox_requests_total", &labels),
        Some(1.0)
    );
    assert!(
        samples
            .iter()
            .all(|s| s.labels.values().all(|v| !v.contains("12345")))
    );
}

#[tokio::test]
async fn the_tenant_label_is_there_when_asked_for() {
    let app = TestApp::spawn_with_settings(|s| s.metrics_tenant_label = true, None).await;
    app.as_tenant("qa-1").post_json(AUTH, &login()).await;

    let samples = scrape(&app).await;

    let labels = [("tenant", "qa-1"), ("code", "0")];
    assert_eq!(
        value(&samples, "sandbox_requests_total", &labels),
        Some(1.0)
    );
    let journal = value(&samples, "sandbox_journal_entries", &[("tenant", "qa-1")]);
    assert_eq!(journal, Some(1.0));
}

#[tokio::test]
async fn tenant_series_go_with_their_tenant() {
    let app = TestApp::spawn_with_settings(
        |s| {
            s.metrics_tenant_label = true;
            s.tenant_cap = 1;
        },
        None,
    )
    .await;
    app.as_tenant("gone").post_json(AUTH, &login()).await;
    app.as_tenant("kept").post_json(AUTH, &login()).await;

    let samples = scrape(&app).await;

    let tenants: Vec<&str> = samples
        .iter()
        .filter(|s| s.metric == "sandbox_requests_total")
        .filter_map(|s| s.labels.get("tenant"))
        .collect();
    assert_eq!(tenants, ["kept"]);
}

#[tokio::test]
async fn rules_scenario_loads_and_journal_evictions_are_counted() {
    let app = TestApp::spawn_with_settings(|s| s.journal_cap = 2, None).await;
    let rule = json!({"when": {"provider": "ubki"}, "then": {"code": "13"}, "times": 1});
    app.add_rule(&rule).await;
    for _ in 0..3 {
        app.post_json(AUTH, &login()).await;
    }
    app.put_scenario("seed: 5\nubki:\n  acounts: []\n").await;

    let samples = scrape(&app).await;

    let fired = value(
        &samples,
        "sandbox_rule_fired_total",
        &[("provider", "ubki")],
    );
    assert_eq!(fired, Some(1.0));
    assert_eq!(
        value(&samples, "sandbox_journal_dropped_total", &[]),
        Some(1.0)
    );
    let loads = |result| {
        value(
            &samples,
            "sandbox_scenario_loads_total",
            &[("result", result)],
        )
    };
    assert_eq!((loads("ok"), loads("invalid")), (Some(1.0), Some(1.0)));
}

#[tokio::test]
async fn metrics_honour_the_admin_token() {
    let app = TestApp::spawn_with_settings(|s| s.admin_token = Some("s3cret".into()), None).await;

    let without = app.get("/__sandbox/metrics").await;
    let with = send(
        app.request(reqwest::Method::GET, "/__sandbox/metrics")
            .bearer_auth("s3cret"),
    )
    .await;

    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(without.headers()["x-sandbox-error"], "admin-token");
    assert_eq!(with.status(), StatusCode::OK);
}

#[tokio::test]
async fn tenants_let_go_are_counted_by_reason() {
    let at_cap = TestApp::spawn_with_settings(|s| s.tenant_cap = 2, None).await;
    let idle = TestApp::spawn_with_settings(|s| s.tenant_idle_secs = 0, None).await;
    let over_budget = TestApp::spawn_with_settings(|s| s.state_total_bytes_cap = 1, None).await;
    for (app, tenants) in [
        (&at_cap, &["a", "b", "c"][..]),
        (&idle, &["a", "b"][..]),
        (&over_budget, &["a", "b"][..]),
    ] {
        for tenant in tenants {
            app.as_tenant(tenant).post_json(AUTH, &login()).await;
        }
    }

    let dropped = |samples: &[Sample], reason| {
        value(
            samples,
            "sandbox_tenants_dropped_total",
            &[("reason", reason)],
        )
    };
    assert_eq!(dropped(&scrape(&at_cap).await, "tenant_cap"), Some(1.0));
    assert_eq!(dropped(&scrape(&idle).await, "idle"), Some(1.0));
    assert_eq!(
        dropped(&scrape(&over_budget).await, "state_budget"),
        Some(1.0)
    );
}
