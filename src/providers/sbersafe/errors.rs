//! What SberSafe's errors say beyond the table, and its two error bodies: the merchant
//! API's and the web forms' lookup.

use actix_web::HttpResponse;

use super::codes::SberError;
use super::wire::{ErrorBody, WebError, WebErrorBody};
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::json;
use crate::rng;

impl ProviderError for SberError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::MerchantUnknown(d)
            | Self::ClientNotFound(d)
            | Self::TokenInvalid(d)
            | Self::AccessDenied(d)
            | Self::ResponseTypeInvalid(d)
            | Self::NotAcceptable(d)
            | Self::ClientExists(d)
            | Self::MalformedJson(d)
            | Self::SystemError(d)
            | Self::FindEmpty(d)
            | Self::FindError(d) => vec![d.clone()],
            Self::InvalidRequest(problems) | Self::FindInvalid(problems) => problems.clone(),
            Self::OtpInvalid(left) => vec![format!("{left} attempt(s) left")],
            _ => Vec::new(),
        }
    }
}

/// The one error body: `{"status":"FAIL","errorCode","errorMessage","errorDetail"?,"requestId"}`;
/// several details share the one `errorDetail`, joined by `; `.
pub fn render(entry: &CodeEntry, details: &[String], request_id: &str) -> HttpResponse {
    let body = ErrorBody {
        status: "FAIL",
        error_code: entry.code.clone(),
        error_message: entry.message.clone(),
        error_detail: (!details.is_empty()).then(|| details.join("; ")),
        request_id: request_id.to_string(),
    };
    json(entry.http_status, &body, &entry.code)
}

/// The web forms' body: `{"error":{"code","message","detail"?}}`, no `status` and no
/// `requestId` (real callers branch on `error` being there).
pub fn render_web(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    let body = WebErrorBody {
        error: WebError {
            code: entry.code.clone(),
            message: entry.message.clone(),
            detail: (!details.is_empty()).then(|| details.join("; ")),
        },
    };
    json(entry.http_status, &body, &entry.code)
}

/// `gbhjnkme-rdcfgv-hbjnkm-7689ui-okp3ew`: lowercase letters and digits, 8-6-6-6-6.
pub fn request_id(g: &mut rng::Rng) -> String {
    let mut id = String::with_capacity(36);
    for (i, n) in [8, 6, 6, 6, 6].into_iter().enumerate() {
        if i > 0 {
            id.push('-');
        }
        rng::push_alnum(&mut id, g, n);
    }
    id.make_ascii_lowercase();
    id
}
