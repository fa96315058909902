//! Listing a filtered, ordered page out of 100,000 customers of one counterparty, straight
//! on `DcmState` (no HTTP), so the number is the store's own cost.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sandbox::providers::dcm::{
    AssetSpec, CounterpartySpec, DcmScenario, DcmState, NewCustomer, parse_list_query,
};
use sandbox::scenario::People;
use std::hint::black_box;

const CG: &str = "11111111-1111-4111-8111-111111111111";
const ISSUER: &str = "GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E";
const N: usize = 100_000;

fn filled() -> DcmState {
    let scenario = DcmScenario {
        counterparties: vec![CounterpartySpec {
            guid: CG.into(),
            assets: vec![AssetSpec {
                code: "UAH".into(),
                name: "Ukraine Hryvnia".into(),
                stellar_code: "eUAH".into(),
                stellar_issuer: ISSUER.into(),
                minor_unit: 2,
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut state = DcmState::new(&scenario, &People::default(), 1, "bench");
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid time");
    let cp = state.counterparty_mut(CG).expect("counterparty");
    let segments = ["PL", "PI", ""];
    for i in 0..N {
        let new = NewCustomer {
            asset_code: "UAH".into(),
            asset_issuer: ISSUER.into(),
            login: format!("customer{i}@bank.test"),
            name: format!("Name{}", i % 997),
            surname: format!("Surname{}", i % 101),
            kyc_level: (i % 4) as i64,
            is_disabled: i % 10 == 0,
            balance_allowed: (i % 5000) as f64,
            segment: segments[i % 3].into(),
            ..Default::default()
        };
        cp.create_customer(new, start + Duration::seconds(i as i64), 1, "bench")
            .expect("room for 100k");
    }
    state
}

fn list(c: &mut Criterion) {
    let state = filled();
    let cp = state.counterparty(CG).expect("counterparty");
    let filtered = parse_list_query(
        "kyc_levels=1,2&is_disabled=false&min_balance_allowed=100&max_balance_allowed=4000\
         &segments=PL&ordering=-balance_allowed&offset=100&limit=50",
        50,
        1000,
    )
    .expect("query parses");
    let search = parse_list_query("search_string=name99&ordering=name&limit=50", 50, 1000)
        .expect("query parses");
    let all = parse_list_query("ordering=-created_at&limit=1000", 50, 1000).expect("query parses");
    c.bench_function("dcm list 100k: 4 filters, -balance_allowed, page 3", |b| {
        b.iter(|| black_box(cp.list(black_box(&filtered))).1)
    });
    c.bench_function("dcm list 100k: search_string, order by name", |b| {
        b.iter(|| black_box(cp.list(black_box(&search))).1)
    });
    c.bench_function("dcm list 100k: no filter, -created_at, limit 1000", |b| {
        b.iter(|| black_box(cp.list(black_box(&all))).1)
    });
}

/// The same kind of page over HTTP, through the whole pipeline, after creating 100,000
/// customers through the API itself (setup takes a while; the number is the list call).
fn list_over_http(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut settings = sandbox::Settings::for_tests();
    settings.log = "off".into();
    settings.journal_cap = 16;
    let app = sandbox::build(settings).expect("default scenario loads");
    let app = runtime
        .block_on(async { sandbox::Application::build(app) })
        .expect("binds");
    let base = format!(
        "http://127.0.0.1:{}/dcm/api/v1/counterparty/{CG}/customers",
        app.port()
    );
    runtime.spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    runtime.block_on(async {
        let mut batch = Vec::new();
        for i in 0..N {
            let segment = ["PL", "PI", ""][i % 3];
            let body = serde_json::json!({
                "asset_code": "UAH",
                "asset_issuer": ISSUER,
                "login": format!("http{i}@bank.test"),
                "name": format!("Name{}", i % 997),
                "kyc_level": i % 4,
                "is_disabled": i % 10 == 0,
                "balance_allowed": i % 5000,
                "segment": segment,
            });
            let request = client
                .post(&base)
                .header("authorization", "bearer sandbox-dcm-token")
                .json(&body)
                .send();
            batch.push(request);
            if batch.len() == 64 {
                for res in futures_util::future::join_all(batch.drain(..)).await {
                    assert!(res.expect("answer").status().is_success());
                }
            }
        }
        for res in futures_util::future::join_all(batch).await {
            assert!(res.expect("answer").status().is_success());
        }
    });
    let url = format!(
        "{base}?kyc_levels=1,2&is_disabled=false&min_balance_allowed=100&max_balance_allowed=4000\
         &segments=PL&ordering=-balance_allowed&offset=100&limit=50"
    );
    c.bench_function(
        "dcm list 100k over HTTP: 4 filters, -balance_allowed, page 3",
        |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let res = client
                        .get(&url)
                        .header("authorization", "bearer sandbox-dcm-token")
                        .send()
                        .await
                        .expect("answer");
                    black_box(res.bytes().await.expect("body"))
                })
            })
        },
    );
}

criterion_group!(benches, list, list_over_http);
criterion_main!(benches);
