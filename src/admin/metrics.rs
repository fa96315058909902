//! `GET /__sandbox/metrics`: the Prometheus text exposition. Counters come from the
//! request path; the gauges are read from the tenants here, at scrape time.

use actix_web::{HttpResponse, http::StatusCode, web};

use crate::metrics::TenantFigures;
use crate::provider::sandbox_error;
use crate::state::Sandbox;

pub async fn metrics(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let figures: Vec<TenantFigures> = sandbox
        .tenants_now()
        .iter()
        .map(|t| {
            let (journal_entries, journal_bytes) = {
                let journal = t.journal.lock();
                (journal.len() as u64, journal.bytes() as u64)
            };
            TenantFigures {
                name: t.name.clone(),
                journal_entries,
                journal_bytes,
                entities: t.counts(),
            }
        })
        .collect();
    match sandbox.metrics.render(&figures) {
        Ok(text) => HttpResponse::Ok()
            .content_type(prometheus::TEXT_FORMAT)
            .body(text),
        Err(e) => sandbox_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "metrics",
            &format!("the metrics could not be encoded: {e}"),
            None,
        ),
    }
}
