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

/// On an answer whose body is one buffer exactly as long as its allocation, so the
/// journal can keep that buffer instead of a copy without under-counting its bytes.
#[derive(Debug, Clone, Copy)]
pub struct ExactBody;

/// Marks `res` as carrying `code`.
pub fn mark(mut res: HttpResponse, code: &str) -> HttpResponse {
    res.extensions_mut().insert(ReturnedCode(code.to_string()));
    res
}

/// A JSON answer carrying `code`. Written by sonic-rs (the same serde `Serialize`, the
/// same compact JSON) rather than serde_json, whose string escaping, byte by byte, was
/// the largest part of writing an answer; serde_json still writes what sonic-rs refuses.
pub fn json(status: u16, body: &impl Serialize, code: &str) -> HttpResponse {
    match sonic_rs::to_vec(body) {
        Ok(bytes) => super::writer::json_bytes(status, bytes, code),
        Err(_) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            mark(HttpResponse::build(status).json(body), code)
        }
    }
}

/// The body of the sandbox's own refusals (admin calls, a forced code the endpoint does
/// not have); its kind is also in `X-Sandbox-Error`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = sandbox::Error)]
pub struct SandboxErrorBody {
    /// What kind of refusal: `bad-request`, `admin-token`, `not-found`, `invalid-scenario`...
    pub sandbox_error: String,
    pub message: String,
    /// The codes a forced answer could have named instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_codes: Option<Vec<String>>,
    /// Each problem of a refused scenario, `line:column: message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<String>>,
}

impl SandboxErrorBody {
    /// The refusal as an answer: `status`, marked with its kind.
    pub fn answer(&self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status)
            .insert_header((SANDBOX_ERROR_HEADER, self.sandbox_error.clone()))
            .json(self)
    }
}

/// An answer of the sandbox itself, marked so it cannot pass for the provider's.
pub fn sandbox_error(
    status: StatusCode,
    kind: &str,
    message: &str,
    valid_codes: Option<Vec<String>>,
) -> HttpResponse {
    let body = SandboxErrorBody {
        sandbox_error: kind.to_string(),
        message: message.to_string(),
        valid_codes,
        problems: None,
    };
    body.answer(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        message: &'static str,
        price: f64,
        small: f64,
        count: i64,
        none: Option<String>,
        list: Vec<Option<u8>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
    }

    #[actix_web::test]
    async fn an_answer_is_the_json_serde_json_writes_byte_for_byte() {
        let body = Sample {
            message: "Операцію виконано. \"Лапки\", \\, /, \n, \t, \u{1}, 😀",
            price: 70.0,
            small: 1e-7,
            count: -3,
            none: None,
            list: vec![Some(1), None],
            skipped: None,
        };
        let res = json(200, &body, "0");
        assert_eq!(
            res.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let bytes = actix_web::body::to_bytes(res.into_body())
            .await
            .expect("a body");
        let expected = serde_json::to_vec(&body).expect("serialises");
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&expected)
        );
    }
}
