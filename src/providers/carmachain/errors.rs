//! What CarmaChain's errors say beyond the table, and CarmaChain's body for a code.

use actix_web::HttpResponse;

use super::codes::CarmaError;
use super::wire::{ErrorAnswer, Status};
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::json;

impl ProviderError for CarmaError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::MalformedKey(d)
            | Self::BadCredentials(d)
            | Self::OutOfScope(d)
            | Self::BadJson(d)
            | Self::InvalidField(d)
            | Self::UnknownCategory(d)
            | Self::BadPhone(d)
            | Self::UnknownRequest(d)
            | Self::Selector(d)
            | Self::Internal(d) => vec![d.clone()],
            Self::MissingKey | Self::ExpiredKey | Self::RevokedKey | Self::EmptyValue => Vec::new(),
        }
    }
}

/// `{"response":{"code":1003,"message":"...","detail":"..."}}`: the same `response`
/// object (ApiRequestStatus) that successful answers carry. The body has room for one
/// detail; every CarmaChain error gives at most one.
pub fn render(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    let body = ErrorAnswer {
        response: Status::new(&entry.code, &entry.message, details.first().cloned()),
    };
    json(entry.http_status, &body, &entry.code)
}
