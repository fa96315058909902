//! Platform numbers: start-up to the first answered request, and one request's round
//! trip through the whole pipeline (tenant, rules, journal, UBKI handler).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sandbox::{Application, Settings};
use serde_json::json;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_123)
}

/// From spawning the binary to its first answered health request.
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("spawn_to_first_answer", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let port = free_port();
                let started = Instant::now();
                let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
                    .env("SANDBOX_HOST", "127.0.0.1")
                    .env("SANDBOX_PORT", port.to_string())
                    .env("SANDBOX_LOG", "warn")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("binary starts");
                let deadline = started + Duration::from_secs(10);
                while !sandbox::cli::probe(port).unwrap_or(false) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_micros(200));
                }
                total += started.elapsed();
                let _ = child.kill();
                let _ = child.wait();
            }
            total
        })
    });
    group.finish();
}

/// One UBKI discount over loopback HTTP, keep-alive, through the whole pipeline.
fn request(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mut settings = Settings::for_tests();
    settings.log = "off".into();
    let sandbox = sandbox::build(settings).expect("default scenario loads");
    let app = runtime
        .block_on(async { Application::build(sandbox) })
        .expect("binds");
    let url = format!("http://127.0.0.1:{}/ubki/bonusservice/discount", app.port());
    runtime.spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let body = json!({"sessid": "0123456789ABCDEF0123456789ABCDEF", "reptype": "ALB", "inn": "3241500301"});

    c.bench_function("ubki_discount_round_trip", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let res = client.post(&url).json(&body).send().await.expect("answer");
                res.bytes().await.expect("body")
            })
        })
    });
}

criterion_group!(benches, startup, request);
criterion_main!(benches);
