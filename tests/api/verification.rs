//! Verification over the journal: filters, waiting for an asynchronous call instead of
//! sleeping, the caps on waiting calls, and `dropped` for what the caps evicted.

use crate::common::{TestApp, body, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";
const DISCOUNT: &str = "/ubki/bonusservice/discount";

fn login() -> Value {
    json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}})
}

async fn requests(app: &TestApp, query: &str) -> (StatusCode, Option<String>, Value) {
    let res = app.get(&format!("/__sandbox/requests?{query}")).await;
    let status = res.status();
    let marked = res
        .headers()
        .get("x-sandbox-error")
        .map(|v| v.to_str().unwrap().to_string());
    (status, marked, body(res).await)
}

/// Returns once the tenant's journal has `n` readers waiting on it.
async fn waiting(app: &TestApp, n: u64) {
    eventually("the reader to wait", || async {
        let (_, _, journal) = requests(app, "limit=0").await;
        (journal["waiting"] == n).then_some(())
    })
    .await
}

fn paths(journal: &Value) -> Vec<&str> {
    let entries = journal["requests"].as_array().expect("entries");
    entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect()
}

/// Waits on `app`'s journal for a bonus-service call while `meanwhile` runs in another
/// task, and checks that the wait ended with that call; the journal answer.
async fn discount_arrives_while(
    app: &TestApp,
    meanwhile: impl std::future::Future<Output = ()> + Send + 'static,
) -> Value {
    let arrives = tokio::spawn(meanwhile);
    let (status, marked, journal) = requests(app, "path=/ubki/bonus*&wait=20").await;
    arrives.await.unwrap();
    assert_eq!((status, marked), (StatusCode::OK, None));
    assert_eq!(paths(&journal), [DISCOUNT]);
    journal
}

#[tokio::test]
async fn wait_returns_when_a_request_arrives_from_another_task() {
    let app = TestApp::spawn().await;
    let caller = app.as_tenant("default");

    let journal = discount_arrives_while(&app, async move {
        waiting(&caller, 1).await;
        caller.post_json(DISCOUNT, &json!({})).await;
    })
    .await;

    assert_eq!(journal["waiting"], 0);
}

#[tokio::test]
async fn wait_answers_408_with_what_matched_when_too_few_arrive() {
    let app = TestApp::spawn().await;
    app.post_json(AUTH, &login()).await;

    let (status, marked, journal) = requests(&app, "wait=0.2&count=2&method=post").await;

    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(marked.as_deref(), Some("wait-timeout"));
    assert_eq!(journal["sandbox_error"], "wait-timeout");
    assert_eq!(paths(&journal), [AUTH]);
}

#[tokio::test]
async fn wait_counts_only_entries_after_since() {
    let app = TestApp::spawn().await;
    app.post_json(AUTH, &login()).await;
    app.post_json(AUTH, &login()).await;

    let (after_first, _, one) = requests(&app, "since=1&wait=0&count=1").await;
    let (after_last, _, none) = requests(&app, "since=2&wait=0&count=1").await;

    assert_eq!(after_first, StatusCode::OK);
    assert_eq!(one["requests"][0]["id"], 2);
    assert_eq!(after_last, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(none["requests"], json!([]));
}

#[tokio::test]
async fn a_waiting_read_follows_the_tenant_through_a_reset() {
    let app = TestApp::spawn().await;
    let caller = app.as_tenant(&app.tenant);

    let journal = discount_arrives_while(&app, async move {
        waiting(&caller, 1).await;
        caller.reset().await;
        waiting(&caller, 1).await;
        caller.post_json(DISCOUNT, &json!({})).await;
    })
    .await;

    assert_eq!(journal["waiting"], 0);
}

#[tokio::test]
async fn a_waiting_read_follows_its_tenant_evicted_at_the_tenant_cap() {
    let app = TestApp::spawn_with_settings(|s| s.tenant_cap = 1, None).await;
    let caller = app.as_tenant(&app.tenant);
    let other = app.as_tenant("someone-else");

    let journal = discount_arrives_while(&app, async move {
        waiting(&caller, 1).await;
        other.post_json(AUTH, &login()).await;
        caller.post_json(DISCOUNT, &json!({})).await;
    })
    .await;

    assert_eq!(journal["tenant"], app.tenant.as_str());
}

#[tokio::test]
async fn readers_of_tenants_evicted_in_turn_do_not_build_them_again() {
    let app = TestApp::spawn_with_settings(|s| s.tenant_cap = 1, None).await;
    let (a, b) = (app.as_tenant("a"), app.as_tenant("b"));

    // Each read builds its tenant, evicting the other's, whose reader is woken.
    let (first, second) = tokio::join!(
        requests(&a, "path=/nothing&wait=0.5"),
        requests(&b, "path=/nothing&wait=0.5"),
    );

    let metrics = app.get("/__sandbox/metrics").await.text().await.unwrap();
    let evicted: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("sandbox_tenants_dropped_total{reason=\"tenant_cap\"} "))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert_eq!(
        (first.0, second.0),
        (StatusCode::REQUEST_TIMEOUT, StatusCode::REQUEST_TIMEOUT)
    );
    assert!(evicted < 10.0, "{evicted} evictions at tenant_cap");
}

#[tokio::test]
async fn entry_ids_go_on_after_a_reset_so_since_still_reads_later_entries() {
    let app = TestApp::spawn().await;
    app.post_json(AUTH, &login()).await;
    app.post_json(AUTH, &login()).await;
    app.reset().await;
    app.post_json(DISCOUNT, &json!({})).await;

    let (status, _, journal) = requests(&app, "since=2&wait=0&count=1").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(journal["requests"][0]["id"], 3);
    assert_eq!(paths(&journal), [DISCOUNT]);
}

#[tokio::test]
async fn filters_select_by_method_path_status_and_code() {
    let app = TestApp::spawn().await;
    app.post_json(AUTH, &login()).await;
    app.post_raw(AUTH, "{oops").await;
    app.post_json(DISCOUNT, &json!({})).await;
    app.get("/ubki/b2_api_xml/ubki/auth").await;

    let (_, _, bad) = requests(&app, "code=33&method=POST").await;
    let (_, _, bonus) = requests(&app, "path=/ubki/bonus*").await;
    let (_, _, gets) = requests(&app, "method=get").await;
    let (_, _, ok_posts) = requests(&app, "method=POST&status=200&code=0").await;

    assert_eq!(bad["requests"][0]["request_body"], "{oops");
    assert_eq!(paths(&bad).len(), 1);
    assert_eq!(paths(&bonus), [DISCOUNT]);
    assert_eq!(gets["requests"][0]["method"], "GET");
    assert_eq!(paths(&gets).len(), 1);
    assert_eq!(ok_posts["requests"][0]["id"], 1);
    assert_eq!(paths(&ok_posts).len(), 1);
}

#[tokio::test]
async fn bad_filters_are_refused_with_a_json_error() {
    let app = TestApp::spawn().await;

    for query in [
        "wait=61",
        "wait=-1",
        "wait=soon",
        "count=2",
        "wait=1&count=0",
        "path=[oops",
        "method=G%20T",
        "status=abc",
        "since=-3",
        "statuss=200",
    ] {
        let (status, marked, answer) = requests(&app, query).await;

        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(marked.as_deref(), Some("bad-request"), "{query}");
        assert!(answer["message"].is_string(), "{query}: {answer}");
    }
}

#[tokio::test]
async fn waiting_calls_are_capped_per_tenant_and_in_all() {
    let app = TestApp::spawn_with_settings(
        |s| {
            s.wait_tenant_cap = 1;
            s.wait_cap = 2;
        },
        None,
    )
    .await;
    let (a, b, c) = (app.as_tenant("a"), app.as_tenant("b"), app.as_tenant("c"));
    let wait = "wait=30&path=/ubki/bonus*";
    let first = {
        let a = a.as_tenant("a");
        tokio::spawn(async move { requests(&a, wait).await.0 })
    };
    waiting(&a, 1).await;
    let second = {
        let b = b.as_tenant("b");
        tokio::spawn(async move { requests(&b, wait).await.0 })
    };
    waiting(&b, 1).await;

    let (same_tenant, marked_tenant, _) = requests(&a, wait).await;
    let (over_all, marked_all, _) = requests(&c, wait).await;
    a.post_json(DISCOUNT, &json!({})).await;
    b.post_json(DISCOUNT, &json!({})).await;

    assert_eq!(same_tenant, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(marked_tenant.as_deref(), Some("wait-cap"));
    assert_eq!(over_all, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(marked_all.as_deref(), Some("wait-cap"));
    assert_eq!(first.await.unwrap(), StatusCode::OK);
    assert_eq!(second.await.unwrap(), StatusCode::OK);
}

#[tokio::test]
async fn dropped_counts_evictions_since_the_last_clear() {
    let app = TestApp::spawn_with_settings(|s| s.journal_cap = 2, None).await;
    for _ in 0..5 {
        app.post_json(AUTH, &login()).await;
    }

    let (_, _, full) = requests(&app, "").await;
    app.delete("/__sandbox/requests").await;
    let (_, _, cleared) = requests(&app, "").await;

    assert_eq!(full["dropped"], 3);
    assert_eq!(paths(&full).len(), 2);
    assert_eq!(cleared["dropped"], 0);
}
