//! Which replica answered: behind a router hashing `X-Sandbox-Tenant`, health and the
//! tenant list name the instance, so a client (and the cluster test) can see where a
//! tenant landed.

use crate::common::binary::Served;
use crate::common::{TestApp, body};
use reqwest::StatusCode;

#[tokio::test]
async fn health_names_the_configured_replica() {
    let app = TestApp::spawn_with_settings(|s| s.replica = Some("r7".into()), None).await;

    let res = app.get("/__sandbox/health").await;

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["replica"], "r7");
}

#[tokio::test]
async fn health_names_the_host_when_no_replica_is_configured() {
    let app = TestApp::spawn().await;
    let host = gethostname::gethostname().to_string_lossy().into_owned();

    let health = body(app.get("/__sandbox/health").await).await;

    assert!(!host.is_empty());
    assert_eq!(health["replica"], host.as_str());
}

#[tokio::test]
async fn tenants_say_which_replica_answered() {
    let app = TestApp::spawn_with_settings(|s| s.replica = Some("r2".into()), None).await;
    app.as_tenant("ci-1").get("/__sandbox/state").await;

    let tenants = body(app.get("/__sandbox/tenants").await).await;

    assert_eq!(tenants["replica"], "r2");
    assert_eq!(tenants["tenants"], serde_json::json!(["ci-1"]));
}

#[tokio::test]
async fn replica_name_comes_from_sandbox_replica_and_unknown_variables_are_ignored() {
    let served = tokio::task::spawn_blocking(|| {
        Served::start(&[("SANDBOX_REPLICA", "r3"), ("SANDBOX_REPLICAS", "3")])
    })
    .await
    .expect("the binary starts");

    let res = reqwest::get(served.url("/__sandbox/health"))
        .await
        .expect("request sent");

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body(res).await["replica"], "r3");
}
