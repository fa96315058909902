//! The floor of `benches/load.sh`: a bare actix-web handler answering a fixed UBKI
//! discount JSON, with the sandbox's worker count (`SANDBOX_WORKERS`, default one per
//! core), so the sandbox's throughput can be read as a share of what actix gives at all.
//!
//!     cargo run --release --features floor --bin floor -- 127.0.0.1:18080

use actix_web::{App, HttpResponse, HttpServer, web};

const DISCOUNT: &str = r#"{"result_code":"0","message":"Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.","partner":{"sessid":"0123456789ABCDEF0123456789ABCDEF","userid":"29120","bankid":"1826","bankokpo":"01982523","bankname":"КВІТЕНЬ"},"client":{"inn":"3241500301","email":null},"service":{"reptype":"ALB","reptyperef":"Кредитна історія","def_price":"90","sale_price":"70","discount_term":"7","discount_start_date":"2024-09-04 14:39:13","discount_end_date":"2024-09-11 14:39:13"}}"#;

async fn discount(_body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DISCOUNT)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18080".into());
    let mut server = HttpServer::new(|| App::new().default_service(web::to(discount)));
    if let Some(n) = std::env::var("SANDBOX_WORKERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        server = server.workers(n.max(1));
    }
    server.bind(addr)?.run().await
}
