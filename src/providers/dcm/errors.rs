//! What DCM's errors say beyond the table, and DCM's body, `{"error": "..."}`.

use actix_web::HttpResponse;

use super::codes::DcmError;
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::json;

impl ProviderError for DcmError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::BadRequest(d) | Self::NotFound(d) => vec![d.clone()],
            Self::Unauthorized => Vec::new(),
        }
    }
}

/// A 400 with `msg` as the body's `error`.
pub fn bad(msg: impl Into<String>) -> DcmError {
    DcmError::BadRequest(msg.into())
}

/// The 404 of a counterparty GUID that is not in the tenant.
pub fn no_counterparty(cg: &str) -> DcmError {
    DcmError::NotFound(format!("counterparty {cg} not found"))
}

/// The 404 of a customer GUID that is not in the counterparty.
pub fn no_customer(cu: &str) -> DcmError {
    DcmError::NotFound(format!("customer {cu} not found"))
}

/// DCM's body for `entry`: `{"error": detail}` (the table's message without one) for
/// errors; a forced success is `{}` (what `PUT` answers), since a success body depends
/// on the endpoint.
pub fn render(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    if entry.http_status < 400 {
        return json(entry.http_status, &serde_json::json!({}), &entry.code);
    }
    let error = details.first().unwrap_or(&entry.message);
    json(
        entry.http_status,
        &serde_json::json!({ "error": error }),
        &entry.code,
    )
}
