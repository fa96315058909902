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
