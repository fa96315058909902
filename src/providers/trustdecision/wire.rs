//! TrustDecision bodies exactly as on the wire.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::openapi as doc;

/// The request fields, in the order they are checked (the document's order).
pub const FIELDS: &[&str] = &[
    "id_number",
    "id_type",
    "country",
    "name",
    "phone_number",
    "package_name",
    "app_name",
];

/// The only `id_type` the document lists.
pub const ID_TYPE: &str = "national_id";

/// Longest text accepted in any field; longer is `{field} error`.
pub const MAX_TEXT: usize = 200;

/// A checked request: the body as the handler accepts it. A required field absent,
/// `null` or blank answers 9060 `{field} empty`; a limit broken or a field not listed
/// here answers 9061 `{field} error` (HTTP 200, like every code).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = trustdecision::Request)]
pub struct Query {
    /// The person's identity number.
    #[schema(min_length = 1, max_length = 200, example = "PEJU900101HDFRRN01")]
    pub id_number: String,
    #[schema(schema_with = doc::id_type)]
    pub id_type: String,
    #[schema(schema_with = doc::country)]
    pub country: String,
    #[schema(min_length = 1, max_length = 200, example = "Juan Perez")]
    pub name: String,
    #[schema(schema_with = doc::phone_number)]
    pub phone_number: String,
    #[schema(schema_with = doc::package_name)]
    pub package_name: String,
    /// Not required, "strongly recommended" by the document.
    #[schema(max_length = 200, example = "MiApp")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
}

/// Every answer: success carries `data`, failures do not.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = trustdecision::Answer)]
pub struct Answer {
    /// An integer on the wire (a string only if a scenario overrides it with one).
    #[schema(schema_with = doc::code)]
    pub code: Value,
    /// The code's message; 9060/9061 name the parameter (`country error`).
    pub message: String,
    /// 13 digits of epoch milliseconds and 19 upper-case hex characters.
    #[schema(
        pattern = "^[0-9]{13}[0-9A-F]{19}$",
        example = "1648777165770866F82AC7F326307055"
    )]
    pub sequence_id: String,
    /// The package's indicators, on success only.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<Indicator>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = trustdecision::Indicator)]
pub struct Indicator {
    pub indicator_name: String,
    /// Integer or string, as the indicator's definition says.
    #[schema(schema_with = doc::indicator_value)]
    pub indicator_value: Value,
    #[schema(schema_with = doc::indicator_status)]
    pub indicator_status: u16,
}

/// Indicator statuses of the document.
pub const STATUS_OK: u16 = 200;
pub const STATUS_NO_RECORD: u16 = 201;
pub const STATUS_UNCALCULABLE: u16 = 202;
/// Special indicator values of the document.
pub const NO_RECORD: i64 = -999;
pub const UNCALCULABLE: i64 = -1111;

/// A code as it goes on the wire: a number when it is one.
pub fn code_value(code: &str) -> Value {
    code.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(code))
}
