//! The floor of `benches/load.sh`: a bare actix-web handler answering a fixed UBKI
//! discount JSON, with the sandbox's worker count (`SANDBOX_WORKERS`, default one per
//! core), so the sandbox's throughput can be read as a share of what actix gives at all.
//!
//! With `essentials`, the handler also does the least any sandbox must do per request:
//! find the tenant in a shared map, keep the request and the answer in the tenant's
//! bounded journal (one allocation), count the answer, and write the `info` request
//! line through the sandbox's own log writer. It tells what share of the bare handler
//! those duties alone leave, whatever else a sandbox does.
//!
//!     cargo run --release --features floor --bin floor -- 127.0.0.1:18080 [essentials]

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use parking_lot::Mutex;
use sandbox::logging::{self, Value};

const DISCOUNT: &str = r#"{"result_code":"0","message":"Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.","partner":{"sessid":"0123456789ABCDEF0123456789ABCDEF","userid":"29120","bankid":"1826","bankokpo":"01982523","bankname":"КВІТЕНЬ"},"client":{"inn":"3241500301","email":null},"service":{"reptype":"ALB","reptyperef":"Кредитна історія","def_price":"90","sale_price":"70","discount_term":"7","discount_start_date":"2024-09-04 14:39:13","discount_end_date":"2024-09-11 14:39:13"}}"#;

/// The sandbox's default journal budget of one tenant.
const JOURNAL_BYTES: usize = 2 * 1024 * 1024;

async fn discount(_body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DISCOUNT)
}

#[derive(Default)]
struct Journal {
    entries: VecDeque<Box<[u8]>>,
    bytes: usize,
}

#[derive(Default)]
struct Essentials {
    tenants: Mutex<HashMap<String, Arc<Mutex<Journal>>>>,
    /// What a Prometheus counter's `inc` is: one relaxed atomic add.
    answered: AtomicU64,
}

async fn essential(req: HttpRequest, body: web::Bytes, e: web::Data<Essentials>) -> HttpResponse {
    let started = Instant::now();
    let name = req
        .headers()
        .get("x-sandbox-tenant")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("default");
    let journal = {
        let mut tenants = e.tenants.lock();
        match tenants.get(name) {
            Some(j) => j.clone(),
            None => tenants.entry(name.to_string()).or_default().clone(),
        }
    };
    let mut entry = Vec::with_capacity(256 + body.len() + DISCOUNT.len());
    entry.extend_from_slice(req.method().as_str().as_bytes());
    entry.extend_from_slice(req.path().as_bytes());
    for (k, v) in req.headers() {
        entry.extend_from_slice(k.as_str().as_bytes());
        entry.extend_from_slice(v.as_bytes());
    }
    entry.extend_from_slice(&body);
    entry.extend_from_slice(DISCOUNT.as_bytes());
    let entry = entry.into_boxed_slice();
    {
        let mut j = journal.lock();
        while j.bytes + entry.len() > JOURNAL_BYTES {
            let Some(old) = j.entries.pop_front() else {
                break;
            };
            j.bytes -= old.len();
        }
        j.bytes += entry.len();
        j.entries.push_back(entry);
    }
    e.answered.fetch_add(1, Ordering::Relaxed);
    logging::request(&[
        ("tenant", Value::Text(name)),
        ("provider", Value::Text("ubki")),
        ("method", Value::Text(req.method().as_str())),
        ("path", Value::Text(req.path())),
        ("status", Value::Number(200)),
        ("code", Value::Text("0")),
        ("forced_by", Value::Text("-")),
        ("latency_ms", Value::Millis(started.elapsed())),
    ]);
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DISCOUNT)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18080".into());
    let essentials = args.next().as_deref() == Some("essentials");
    let _log = essentials.then(|| logging::init("info"));
    let state = web::Data::new(Essentials::default());
    let mut server = HttpServer::new(move || {
        let app = App::new().app_data(state.clone());
        if essentials {
            app.default_service(web::to(essential))
        } else {
            app.default_service(web::to(discount))
        }
    });
    if let Some(n) = std::env::var("SANDBOX_WORKERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        server = server.workers(n.max(1));
    }
    server.bind(addr)?.run().await
}
