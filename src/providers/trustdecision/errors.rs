//! What TrustDecision's errors say beyond the table, and its answers for a code.

use std::sync::Arc;

use actix_web::HttpResponse;

use super::codes::TdError;
use super::wire::{Answer, Indicator, code_value};
use crate::codes::{CodeEntry, CodeTable, Coded, ProviderError};
use crate::provider::json;
use crate::provider::writer::json_bytes;

impl ProviderError for TdError {
    /// The parameter a 9060/9061 message names.
    fn details(&self) -> Vec<String> {
        match self {
            Self::Empty(p) | Self::Invalid(p) => vec![p.clone()],
            _ => Vec::new(),
        }
    }
}

impl TdError {
    /// A code name given in a scenario (`subjects[].result`) as an error.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "not_effective" => Self::NotEffective,
            "package_not_purchased" => Self::PackageNotPurchased,
            "suspended" => Self::Suspended,
            "no_balance" => Self::NoBalance,
            "expired" => Self::Expired,
            "internal_error" => Self::Internal,
            "empty" => Self::Empty("id_number".into()),
            "invalid" => Self::Invalid("id_number".into()),
            "country_no_service" => Self::CountryNoService,
            "phone_mismatch" => Self::PhoneMismatch,
            _ => return None,
        })
    }
}

/// The parameter named when a 9060/9061 comes without one (forced, or a rule): the
/// document's own failed example says `country error`.
fn default_parameter(key: &str) -> &'static str {
    if key == "empty" {
        "id_number"
    } else {
        "country"
    }
}

/// An answer with the HTTP status and code it goes out with. Its `sequence_id` is
/// given when the state records it (`TrustDecisionState::answer`), and the record
/// keeps the same `Arc`.
pub struct Reply {
    pub status: u16,
    pub code: String,
    pub answer: Arc<Answer>,
}

impl Reply {
    /// A call's reply: the indicators, or the error as the tenant's table has it.
    pub fn of(table: &CodeTable, outcome: Result<Vec<Indicator>, TdError>) -> Self {
        match outcome {
            Ok(data) => Self::success(table, data),
            Err(e) => match table.by_key(e.key()) {
                Some(entry) => Self::failure(entry, &e.details()),
                None => Self::new(200, "9500", "Internal error".into(), None),
            },
        }
    }

    fn success(table: &CodeTable, data: Vec<Indicator>) -> Self {
        match table.by_key("ok") {
            Some(e) => Self::new(e.http_status, &e.code, e.message.clone(), Some(data)),
            None => Self::new(200, "200", "Success".into(), Some(data)),
        }
    }

    /// A failure for `entry`; the first detail is its `{parameter}`.
    pub fn failure(entry: &CodeEntry, details: &[String]) -> Self {
        let parameter = details
            .first()
            .map_or_else(|| default_parameter(&entry.key), String::as_str);
        let message = entry.message.replace("{parameter}", parameter);
        Self::new(entry.http_status, &entry.code, message, None)
    }

    fn new(status: u16, code: &str, message: String, data: Option<Vec<Indicator>>) -> Self {
        let answer = Arc::new(Answer {
            code: code_value(code),
            message,
            sequence_id: String::new(),
            data,
        });
        Self {
            status,
            code: code.to_string(),
            answer,
        }
    }

    /// The answer as `provider::json` would send it, its JSON written by
    /// `Answer::to_json` (serde's path only should that fail).
    pub fn send(&self) -> HttpResponse {
        match self.answer.to_json() {
            Ok(bytes) => json_bytes(self.status, bytes, &self.code),
            Err(_) => json(self.status, &*self.answer, &self.code),
        }
    }
}
