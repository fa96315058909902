//! TrustDecision bodies exactly as on the wire.

use serde::Serialize;
use serde_json::Value;

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

/// A checked request.
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub id_number: String,
    pub id_type: String,
    pub country: String,
    pub name: String,
    pub phone_number: String,
    pub package_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
}

/// Every answer: success carries `data`, failures do not.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// An integer on the wire (a string only if a scenario overrides it with one).
    pub code: Value,
    pub message: String,
    pub sequence_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<Indicator>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub indicator_name: String,
    /// Integer or string, as the indicator's definition says.
    pub indicator_value: Value,
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
