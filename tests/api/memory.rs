//! Memory bounded in all: the journals of every tenant share one byte budget.

use serde_json::{Value, json};

use crate::common::TestApp;

const AUTH: &str = "/ubki/b2_api_xml/ubki/auth";

/// A login carrying `pad` bytes more, so its journal entry is about that large.
fn padded_login(pad: usize) -> Value {
    json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}, "pad": "x".repeat(pad)})
}

async fn send(app: &TestApp, times: usize, pad: usize) {
    for _ in 0..times {
        app.post_json(AUTH, &padded_login(pad)).await;
    }
}

fn ids(journal: &Value) -> Vec<u64> {
    let entries = journal["requests"].as_array().expect("requests listed");
    entries.iter().filter_map(|e| e["id"].as_u64()).collect()
}

#[tokio::test]
async fn global_journal_budget_evicts_the_oldest_entries_of_the_largest_journal_first() {
    const CAP: usize = 100_000;
    let app = TestApp::spawn_with_settings(|s| s.journal_total_bytes_cap = CAP, None).await;
    let (small, medium, big) = (
        app.as_tenant("small"),
        app.as_tenant("medium"),
        app.as_tenant("big"),
    );
    send(&small, 3, 10).await;
    send(&medium, 8, 4_000).await;

    send(&big, 20, 4_000).await;

    let (small, medium, big) = (
        small.journal().await,
        medium.journal().await,
        big.journal().await,
    );
    assert_eq!(
        small["total"], 3,
        "the oldest entries, in the smallest journal, stay"
    );
    assert_eq!(medium["total"], 8, "the smaller journal stays whole");
    let kept = ids(&big);
    assert!(
        kept.len() < 20,
        "the largest journal lost entries: {kept:?}"
    );
    let newest_first: Vec<u64> = (21 - kept.len() as u64..=20).rev().collect();
    assert_eq!(kept, newest_first, "its oldest went, its newest stay");
    let bytes: u64 = [&small, &medium, &big]
        .iter()
        .filter_map(|j| j["bytes"].as_u64())
        .sum();
    assert!(
        bytes <= CAP as u64,
        "{bytes} bytes kept over the {CAP} budget"
    );
}

async fn state_bytes(app: &TestApp) -> u64 {
    let health = crate::common::body(app.get("/__sandbox/health").await).await;
    health["state_bytes"]
        .as_u64()
        .expect("health counts state bytes")
}

fn sessions(state: &Value) -> usize {
    state["providers"]["ubki"]["sessions"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn state_budget_drops_the_least_recently_used_tenant_and_keeps_the_serving_one() {
    const CAP: usize = 200_000;
    let app = TestApp::spawn_with_settings(|s| s.state_total_bytes_cap = CAP, None).await;
    let (old, busy) = (app.as_tenant("old"), app.as_tenant("busy"));
    send(&old, 1, 0).await;
    let base = state_bytes(&app).await as usize;
    send(&old, 9, 0).await;
    let old_sessions = sessions(&old.state().await);
    assert!(
        2 * base + 10 * 300 < CAP,
        "a fresh tenant ({base} B) fits twice"
    );

    // Each login issues one more session key (300 B counted): the busy tenant alone
    // stays under the budget, with the old one it goes over.
    let logins = (CAP - base) / 300 - 2;
    send(&busy, logins, 0).await;

    assert!(
        state_bytes(&app).await as usize <= CAP,
        "back under the budget"
    );
    let busy_sessions = sessions(&busy.state().await);
    assert!(
        busy_sessions >= logins,
        "the serving tenant kept its {logins} keys: {busy_sessions}, base {base}"
    );
    let fresh = sessions(&old.state().await);
    assert!(
        fresh < old_sessions,
        "the old tenant started afresh: {fresh} keys, had {old_sessions}"
    );
}
