//! Answers: every provider answer carries the code it stands for (journal, coverage);
//! the sandbox's own answers are marked so they cannot pass for a provider's.

use actix_web::{HttpResponse, http::StatusCode};
use serde::Serialize;

/// Set on answers that come from the sandbox itself, never from a provider.
pub const SANDBOX_ERROR_HEADER: &str = "x-sandbox-error";

/// The code an answer carries, for the journal and coverage. Every provider answer,
/// success or error, is marked; an unmarked error answer is a bug the pipeline mends.
#[derive(Debug, Clone)]
pub struct ReturnedCode(pub String);

/// Marks `res` as carrying `code`.
pub fn mark(mut res: HttpResponse, code: &str) -> HttpResponse {
    res.extensions_mut().insert(ReturnedCode(code.to_string()));
    res
}

/// A JSON answer carrying `code`.
pub fn json(status: u16, body: &impl Serialize, code: &str) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    mark(HttpResponse::build(status).json(body), code)
}

/// An answer of the sandbox itself, marked so it cannot pass for the provider's.
pub fn sandbox_error(
    status: StatusCode,
    kind: &str,
    message: &str,
    valid_codes: Option<Vec<String>>,
) -> HttpResponse {
    let mut body = serde_json::json!({ "sandbox_error": kind, "message": message });
    if let Some(codes) = valid_codes {
        body["valid_codes"] = serde_json::json!(codes);
    }
    HttpResponse::build(status)
        .insert_header((SANDBOX_ERROR_HEADER, kind.to_string()))
        .json(body)
}
