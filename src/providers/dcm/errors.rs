//! DCM's one error type and its body, `{"error": "..."}`.

use actix_web::HttpResponse;

use crate::codes::CodeEntry;
use crate::provider::{Ctx, json, sandbox_error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcmError {
    /// 400 with the detail as the message.
    BadRequest(String),
    /// 401 `Access credentials are invalid`.
    Unauthorized,
    /// 404 with the detail as the message.
    NotFound(String),
}

impl DcmError {
    pub fn key(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::NotFound(_) => "not_found",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            Self::BadRequest(d) | Self::NotFound(d) => Some(d),
            Self::Unauthorized => None,
        }
    }

    pub fn respond(&self, ctx: &Ctx) -> HttpResponse {
        match ctx.codes("dcm").by_key(self.key()) {
            Some(entry) => render(entry, self.detail()),
            None => sandbox_error(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "code-table",
                &format!("dcm code `{}` missing from the table", self.key()),
                None,
            ),
        }
    }
}

pub fn bad(msg: impl Into<String>) -> DcmError {
    DcmError::BadRequest(msg.into())
}

/// DCM's body for `entry`: `{"error": message}` for errors; a forced success is `{}`
/// (what `PUT` answers), since a success body depends on the endpoint.
pub fn render(entry: &CodeEntry, detail: Option<&str>) -> HttpResponse {
    if entry.http_status < 400 {
        return json(entry.http_status, &serde_json::json!({}), &entry.code);
    }
    let body = serde_json::json!({ "error": detail.unwrap_or(&entry.message) });
    json(entry.http_status, &body, &entry.code)
}
