//! CarmaChain bodies exactly as on the wire, with the document's spellings
//! (`parametrRequest`, `idPpeers`, `Panding`, `IdDocument` in createrequest but
//! `idDocument` in respond).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The ten categories, spelled as the document spells them.
pub const ALL_CATEGORIES: &str = "All categories";
pub const CATEGORIES: &[&str] = &[
    "Address",
    "Consumer Profile",
    "Contacts",
    "Credit History",
    "Identity",
    "Name",
    "Services",
    "Socio-Demographic Profile",
    "Subscription",
];

/// A category as spelled by the document (`All categories` included).
pub fn category(name: &str) -> Option<&'static str> {
    if name == ALL_CATEGORIES {
        return Some(ALL_CATEGORIES);
    }
    CATEGORIES.iter().copied().find(|c| *c == name)
}

pub const STATUS_DONE: &str = "Done";
/// The provider's spelling, kept on the wire.
pub const STATUS_PENDING: &str = "Panding";

/// `ApiRequestStatus`: its fields are not documented; a code and a message.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub code: Value,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Status {
    /// Numeric codes go out as numbers; a scenario may override one with text.
    pub fn new(code: &str, message: &str, detail: Option<String>) -> Self {
        let code = code
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(code));
        Self {
            code,
            message: message.to_string(),
            detail,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ErrorAnswer {
    pub response: Status,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAnswer {
    pub token: String,
    /// The key id (the JWT's `id` claim), for `DELETE /__sandbox/carmachain/tokens/{id}`.
    pub id: String,
    pub expires_at: String,
    pub scope: Vec<String>,
}

/// Payload of an API key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub id: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default)]
    pub scope: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CreateAnswer {
    pub response: Status,
    #[serde(rename = "parametrRequest")]
    pub parametr_request: Vec<CreatedItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatedItem {
    #[serde(rename = "IdDocument")]
    pub id_document: String,
    #[serde(rename = "PhoneNumber")]
    pub phone_number: String,
    #[serde(rename = "idRequest")]
    pub id_request: String,
}

#[derive(Debug, Serialize)]
pub struct RespondAnswer {
    pub response: Status,
    #[serde(rename = "parametrRequest")]
    pub parametr_request: Vec<RespondItem>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondItem {
    pub id_document: String,
    pub phone_number: String,
    pub id_request: String,
    pub status: &'static str,
    pub request_details: Vec<Detail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub id_ppeers: String,
    pub group_data: String,
    pub field_name: String,
    pub field_value: String,
}
