//! `GET` and `PUT /__sandbox/snapshot`: a tenant's whole state as one document, and a
//! tenant made that state (the same tenant after a round trip, or a fork).

use actix_web::{HttpResponse, http::StatusCode, web};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::ok;
use crate::provider::{Ctx, sandbox_error};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeQuery {
    /// Include the journal's entries.
    #[serde(default)]
    journal: bool,
}

pub async fn get(ctx: Ctx, q: web::Query<TakeQuery>) -> HttpResponse {
    match ctx.tenant.snapshot(q.journal) {
        Ok(doc) => ok(doc),
        Err(e) => sandbox_error(StatusCode::INTERNAL_SERVER_ERROR, "snapshot", &e, None),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadQuery {
    /// Load a document of another version or scenario.
    #[serde(default)]
    force: bool,
}

/// The body up to `limit` bytes; over it the 413 to answer. Read here rather than by
/// the admin scope's extractor so snapshots have their own, larger limit.
async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, HttpResponse> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            sandbox_error(StatusCode::BAD_REQUEST, "bad-request", &e.to_string(), None)
        })?;
        if body.len() + chunk.len() > limit {
            let message = format!("snapshots are at most {limit} bytes (snapshot_body_limit)");
            return Err(sandbox_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "snapshot-too-large",
                &message,
                None,
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub async fn put(ctx: Ctx, q: web::Query<LoadQuery>, payload: web::Payload) -> HttpResponse {
    let body = match read_limited(payload, ctx.sandbox.settings.snapshot_body_limit).await {
        Ok(body) => body,
        Err(res) => return res,
    };
    let doc: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(doc) => doc,
        Err(e) => {
            let message = format!("not a snapshot: the body is not JSON: {e}");
            return sandbox_error(StatusCode::BAD_REQUEST, "bad-snapshot", &message, None);
        }
    };
    match ctx.sandbox.restore(&ctx.tenant.name, doc, q.force) {
        Ok(t) => ok(json!({ "status": "loaded", "tenant": t.name, "now": t.clock.now() })),
        Err(e) => sandbox_error(StatusCode::BAD_REQUEST, e.kind(), &e.to_string(), None),
    }
}
