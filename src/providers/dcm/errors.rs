//! What DCM's errors say beyond the table, and the bank API's body, `{"error": "..."}`
//! (the login's bodies, Kratos's, are rendered by `kratos`).

use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

use super::codes::DcmError;
use super::wire::ErrorBody;
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::json;

/// Why a field of a login was refused, as Kratos's JSON schema check of the password
/// method says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Absent (or `null`).
    Missing,
    /// `""`.
    Empty,
    /// Not a string: the JSON type it was (`number`, `boolean`, `array`, `object`).
    NotText(String),
}

/// A problem of the field behind UI node `node` (`identifier`, `password`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeProblem {
    pub node: String,
    pub problem: Problem,
}

/// What a refused login shows on its flow: the flow, the identifier sent, and each
/// field's problem (none when the form as a whole is refused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowFeedback {
    pub flow_id: String,
    pub identifier: String,
    pub problems: Vec<NodeProblem>,
}

impl FlowFeedback {
    /// The feedback an error carried as its one detail, if it was one.
    pub fn from_detail(detail: &str) -> Option<Self> {
        serde_json::from_str(detail).ok()
    }

    fn to_detail(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Kratos's reasons, word for word (`session/error.go`, `selfservice/flow/logout`).
const NO_SESSION: &str = "No valid session credentials found in the request.";
const UNKNOWN_TOKEN: &str =
    "The provided Ory Session Token could not be found, is invalid, or otherwise malformed.";

impl ProviderError for DcmError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::BadRequest(d) | Self::NotFound(d) | Self::KratosBadRequest(d) => vec![d.clone()],
            Self::Unauthorized | Self::FlowNotFound => Vec::new(),
            Self::NoSession => vec![NO_SESSION.into()],
            Self::UnknownSessionToken => vec![UNKNOWN_TOKEN.into()],
            Self::FlowExpired(use_flow, expired_at) => {
                vec![use_flow.clone(), expired_at.to_rfc3339()]
            }
            Self::FieldInvalid(f)
            | Self::FieldMissing(f)
            | Self::FieldEmpty(f)
            | Self::InvalidCredentials(f)
            | Self::NoStrategy(f) => vec![f.to_detail()],
        }
    }
}

/// A 400 of the bank API with `msg` as the body's `error`.
pub fn bad(msg: impl Into<String>) -> DcmError {
    DcmError::BadRequest(msg.into())
}

/// A 400 of the login in Kratos's generic body, `msg` its `reason`.
pub fn kratos_bad(msg: impl Into<String>) -> DcmError {
    DcmError::KratosBadRequest(msg.into())
}

/// The 404 of a counterparty GUID that is not in the tenant.
pub fn no_counterparty(cg: &str) -> DcmError {
    DcmError::NotFound(format!("counterparty {cg} not found"))
}

/// The 404 of a customer GUID that is not in the counterparty.
pub fn no_customer(cu: &str) -> DcmError {
    DcmError::NotFound(format!("customer {cu} not found"))
}

/// The bank API's body for `entry`: `{"error": detail}` (the table's message without
/// one) for errors; a forced success is `{}` (what `PUT` answers), since a success body
/// depends on the endpoint.
pub fn render(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    if entry.http_status < 400 {
        return json(entry.http_status, &serde_json::json!({}), &entry.code);
    }
    let error = details.first().unwrap_or(&entry.message).clone();
    json(entry.http_status, &ErrorBody { error }, &entry.code)
}
