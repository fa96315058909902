//! TrustDecision's one error type: a variant per documented code, rendered by `answer`.

use actix_web::HttpResponse;

use super::wire::{Answer, code_value};
use crate::codes::CodeEntry;
use crate::provider::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TdError {
    NotEffective,
    PackageNotPurchased,
    Suspended,
    NoBalance,
    Expired,
    Internal,
    /// `{parameter} empty`, naming the parameter.
    Empty(String),
    /// `{parameter} error`, naming the parameter.
    Invalid(String),
    CountryNoService,
    PhoneMismatch,
}

impl TdError {
    /// The code name in `codes::SPECS`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::NotEffective => "not_effective",
            Self::PackageNotPurchased => "package_not_purchased",
            Self::Suspended => "suspended",
            Self::NoBalance => "no_balance",
            Self::Expired => "expired",
            Self::Internal => "internal_error",
            Self::Empty(_) => "empty",
            Self::Invalid(_) => "invalid",
            Self::CountryNoService => "country_no_service",
            Self::PhoneMismatch => "phone_mismatch",
        }
    }

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

    /// The parameter a 9060/9061 message names.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::Empty(p) | Self::Invalid(p) => Some(p),
            _ => None,
        }
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

/// The body of a failed answer for `entry`.
pub fn failure(entry: &CodeEntry, parameter: Option<&str>, sequence_id: String) -> Answer {
    let parameter = parameter.unwrap_or_else(|| default_parameter(&entry.key));
    Answer {
        code: code_value(&entry.code),
        message: entry.message.replace("{parameter}", parameter),
        sequence_id,
        data: None,
    }
}

/// The pipeline's renderer (forced codes, rules, bad input): always a failure, since a
/// success is not forcible.
pub fn render(entry: &CodeEntry, answer: &Answer) -> HttpResponse {
    json(entry.http_status, answer, &entry.code)
}
