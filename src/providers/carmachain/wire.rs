//! CarmaChain bodies exactly as on the wire, with the document's spellings
//! (`parametrRequest`, `idPpeers`, `Panding`, `IdDocument` in createrequest but
//! `idDocument` in respond).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};

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

/// The categories of `type_request` as the document spells them: the schema's enum.
/// A test checks that they are `ALL_CATEGORIES` and `CATEGORIES`, which the handler reads.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[schema(as = carmachain::Category)]
pub enum Category {
    #[serde(rename = "All categories")]
    All,
    Address,
    #[serde(rename = "Consumer Profile")]
    ConsumerProfile,
    Contacts,
    #[serde(rename = "Credit History")]
    CreditHistory,
    Identity,
    Name,
    Services,
    #[serde(rename = "Socio-Demographic Profile")]
    SocioDemographicProfile,
    Subscription,
}

/// `type_request`: one category or a non-empty array of them.
fn type_request_schema() -> Schema {
    let category = || RefOr::Ref(Ref::from_schema_name("carmachain.Category"));
    let many = ArrayBuilder::new().items(category()).min_items(Some(1));
    Schema::OneOf(
        OneOfBuilder::new()
            .item(category())
            .item(many)
            .description(Some(
                "One category or an array of them; `All categories` means all nine.",
            ))
            .build(),
    )
}

/// `code` of `ApiRequestStatus`: a number (`0`, `1001`...), or text a scenario set.
fn code_schema() -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .build(),
    )
}

/// The body of `POST /api/createrequest`; no other field is accepted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = carmachain::CreateRequest, example = json!({
    "type_request": ["Identity", "Contacts"],
    "value": [{"IdDocument": "AB123456", "PhoneNumber": "+380501234567"}]
}))]
pub struct CreateRequest {
    #[schema(schema_with = type_request_schema)]
    pub type_request: Vec<Category>,
    /// The people to ask about, 1 to 100 per request.
    #[schema(min_items = 1, max_items = 100)]
    pub value: Vec<ValueItem>,
}

/// One person of a `createrequest` batch. Both fields are trimmed before the checks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = carmachain::ValueItem)]
pub struct ValueItem {
    /// The identity document, 1 to 64 characters (not only spaces).
    #[serde(rename = "IdDocument")]
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub id_document: String,
    /// `+380XXXXXXXXX`, `380XXXXXXXXX` or `0XXXXXXXXX`; answered as `+380XXXXXXXXX`.
    #[serde(rename = "PhoneNumber")]
    #[schema(pattern = r"^(\+380[0-9]{9}|380[0-9]{9}|0[0-9]{9})$")]
    pub phone_number: String,
}

/// The body of `POST /api/respond`: the categories, and exactly one of `idRequest` and
/// `period` (both or neither is code 2007).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = carmachain::RespondRequest, example = json!({
    "type_request": "All categories",
    "idRequest": ["3f2b8c1e-0000-4000-8000-000000000001"]
}))]
pub struct RespondRequest {
    #[schema(schema_with = type_request_schema)]
    pub type_request: Vec<Category>,
    /// Request ids from `createrequest`, 1 to 1000 (repeats are answered once).
    #[serde(rename = "idRequest")]
    #[schema(min_items = 1, max_items = 1000)]
    pub id_request: Option<Vec<String>>,
    /// The requests created in the last this many minutes (more than ten years is
    /// read as ten years; at most the newest 1000 are answered).
    #[schema(minimum = 0)]
    pub period: Option<f64>,
}

/// `status` of a request, with the provider's spelling `Panding`: the schema of the
/// `STATUS_PENDING` and `STATUS_DONE` the handlers send (a test keeps them equal).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = carmachain::RequestStatus)]
pub enum RequestStatus {
    Panding,
    Done,
}

pub const STATUS_DONE: &str = "Done";
/// The provider's spelling, kept on the wire.
pub const STATUS_PENDING: &str = "Panding";

/// `ApiRequestStatus`: its fields are not documented; a code and a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = carmachain::ApiRequestStatus)]
pub struct Status {
    #[schema(schema_with = code_schema)]
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

/// Every error: the `response` object of the code.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = carmachain::ErrorAnswer, example = json!({
    "response": {"code": 1001, "message": "API key is missing"}
}))]
pub struct ErrorAnswer {
    pub response: Status,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = carmachain::TokenAnswer)]
pub struct TokenAnswer {
    /// The API key: an HS256 JWT, sent as `Authorization` (bare or `Bearer`).
    pub token: String,
    /// The key id (the JWT's `id` claim), for `DELETE /__sandbox/carmachain/tokens/{id}`.
    pub id: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// The methods the key may call: `createrequest`, `respond`.
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

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = carmachain::CreateAnswer)]
pub struct CreateAnswer {
    pub response: Status,
    #[serde(rename = "parametrRequest")]
    pub parametr_request: Vec<CreatedItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = carmachain::CreatedItem)]
pub struct CreatedItem {
    #[serde(rename = "IdDocument")]
    pub id_document: String,
    #[serde(rename = "PhoneNumber")]
    pub phone_number: String,
    #[serde(rename = "idRequest")]
    pub id_request: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = carmachain::RespondAnswer)]
pub struct RespondAnswer {
    pub response: Status,
    #[serde(rename = "parametrRequest")]
    pub parametr_request: Vec<RespondItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = carmachain::RespondItem)]
pub struct RespondItem {
    pub id_document: String,
    pub phone_number: String,
    pub id_request: String,
    #[schema(value_type = RequestStatus)]
    pub status: &'static str,
    pub request_details: Vec<Detail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = carmachain::Detail)]
pub struct Detail {
    pub id_ppeers: String,
    pub group_data: String,
    pub field_name: String,
    pub field_value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_enums_spell_what_the_handlers_send() {
        let spelled = |v: Value| v.as_str().unwrap_or_default().to_string();
        let statuses = [RequestStatus::Panding, RequestStatus::Done]
            .map(|s| spelled(serde_json::to_value(s).unwrap()));
        assert_eq!(statuses, [STATUS_PENDING, STATUS_DONE]);
        let all: Vec<Category> =
            serde_json::from_value(serde_json::json!([ALL_CATEGORIES])).unwrap();
        assert_eq!(all.len(), 1);
        for name in CATEGORIES {
            let c: Category = serde_json::from_value(Value::from(*name)).unwrap();
            assert_eq!(spelled(serde_json::to_value(c).unwrap()), *name);
        }
        let names = ["All", "Address", "ConsumerProfile"];
        assert!(
            names
                .iter()
                .any(|n| serde_json::from_value::<Category>(Value::from(*n)).is_err())
        );
    }
}
