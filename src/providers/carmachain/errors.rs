//! CarmaChain's one error type: a variant per code of `codes::SPECS`, rendered by `render`.

use actix_web::HttpResponse;

use super::wire::{ErrorAnswer, Status};
use crate::codes::CodeEntry;
use crate::provider::{Ctx, json, sandbox_error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarmaError {
    MissingKey,
    MalformedKey(String),
    ExpiredKey,
    RevokedKey,
    BadCredentials(String),
    OutOfScope(String),
    BadJson(String),
    InvalidField(String),
    UnknownCategory(String),
    BadPhone(String),
    EmptyValue,
    UnknownRequest(String),
    Selector(String),
    Internal(String),
}

impl CarmaError {
    /// The code name in `codes::SPECS`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::MissingKey => "missing_key",
            Self::MalformedKey(_) => "malformed_key",
            Self::ExpiredKey => "expired_key",
            Self::RevokedKey => "revoked_key",
            Self::BadCredentials(_) => "bad_credentials",
            Self::OutOfScope(_) => "out_of_scope",
            Self::BadJson(_) => "bad_json",
            Self::InvalidField(_) => "invalid_field",
            Self::UnknownCategory(_) => "unknown_category",
            Self::BadPhone(_) => "bad_phone",
            Self::EmptyValue => "empty_value",
            Self::UnknownRequest(_) => "unknown_request",
            Self::Selector(_) => "selector",
            Self::Internal(_) => "internal_error",
        }
    }

    fn detail(&self) -> Option<&str> {
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
            | Self::Internal(d) => Some(d),
            Self::MissingKey | Self::ExpiredKey | Self::RevokedKey | Self::EmptyValue => None,
        }
    }

    pub fn respond(&self, ctx: &Ctx) -> HttpResponse {
        match ctx.codes("carmachain").by_key(self.key()) {
            Some(entry) => render(entry, self.detail()),
            None => sandbox_error(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "code-table",
                &format!("carmachain code `{}` missing from the table", self.key()),
                None,
            ),
        }
    }
}

/// `{"response":{"code":1003,"message":"...","detail":"..."}}`: the same `response`
/// object (ApiRequestStatus) that successful answers carry.
pub fn render(entry: &CodeEntry, detail: Option<&str>) -> HttpResponse {
    let body = ErrorAnswer {
        response: Status::new(&entry.code, &entry.message, detail.map(str::to_string)),
    };
    json(entry.http_status, &body, &entry.code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeTable;
    use crate::providers::carmachain::SPECS;

    #[test]
    fn every_key_is_in_the_table() {
        let table = CodeTable::build(SPECS, &Default::default());
        let all = [
            CarmaError::MissingKey,
            CarmaError::MalformedKey(String::new()),
            CarmaError::ExpiredKey,
            CarmaError::RevokedKey,
            CarmaError::BadCredentials(String::new()),
            CarmaError::OutOfScope(String::new()),
            CarmaError::BadJson(String::new()),
            CarmaError::InvalidField(String::new()),
            CarmaError::UnknownCategory(String::new()),
            CarmaError::BadPhone(String::new()),
            CarmaError::EmptyValue,
            CarmaError::UnknownRequest(String::new()),
            CarmaError::Selector(String::new()),
            CarmaError::Internal(String::new()),
        ];
        for e in all {
            assert!(table.by_key(e.key()).is_some(), "{} missing", e.key());
        }
    }
}
