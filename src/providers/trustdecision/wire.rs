//! TrustDecision bodies exactly as on the wire.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::openapi as doc;
use crate::provider::writer::push_str;

/// The request fields, in the order they are checked (the document's order).
pub const FIELDS: [&str; 7] = [
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

impl Answer {
    /// The answer's JSON, byte for byte what serde_json (and so `provider::json`'s
    /// sonic-rs) writes of the derived `Serialize`, without going through a serializer:
    /// that was the largest part of sending a call's answer. Texts that need no escape
    /// are copied; anything else is written by serde_json.
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(128 + self.data.as_ref().map_or(0, |d| d.len() * 96));
        out.extend_from_slice(b"{\"code\":");
        value(&mut out, &self.code)?;
        out.extend_from_slice(b",\"message\":");
        push_str(&mut out, &self.message);
        out.extend_from_slice(b",\"sequence_id\":");
        push_str(&mut out, &self.sequence_id);
        if let Some(data) = &self.data {
            out.extend_from_slice(b",\"data\":[");
            for (i, indicator) in data.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"indicator_name\":");
                push_str(&mut out, &indicator.indicator_name);
                out.extend_from_slice(b",\"indicator_value\":");
                value(&mut out, &indicator.indicator_value)?;
                out.extend_from_slice(b",\"indicator_status\":");
                serde_json::to_writer(&mut out, &indicator.indicator_status)?;
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
        Ok(out)
    }
}

fn value(out: &mut Vec<u8>, v: &Value) -> serde_json::Result<()> {
    match v {
        Value::String(s) => {
            push_str(out, s);
            Ok(())
        }
        other => serde_json::to_writer(out, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn indicator(name: &str, value: Value, status: u16) -> Indicator {
        Indicator {
            indicator_name: name.into(),
            indicator_value: value,
            indicator_status: status,
        }
    }

    #[test]
    fn an_answer_is_written_as_serde_json_writes_it() {
        let odd = "\"Лапки\" \\ / \n \t \u{1} \u{7f} 😀";
        let data = vec![
            indicator("credit_score", json!(731), STATUS_OK),
            indicator("credit_grade", json!("B"), STATUS_OK),
            indicator("neg", json!(-1111), STATUS_UNCALCULABLE),
            indicator(odd, json!(odd), 500),
            indicator("f", json!(1.5e-7), 0),
            indicator("o", json!({"b": [1, null, true], "a": "\n"}), u16::MAX),
        ];
        let answers = [
            (json!(200), "Success", Some(data)),
            (json!(9061), "country error", None),
            (json!("X-1"), odd, Some(Vec::new())),
            (json!(-5), "", None),
        ];
        for (code, message, data) in answers {
            let answer = Answer {
                code,
                message: message.into(),
                sequence_id: "1648777165770866F82AC7F326307055".into(),
                data,
            };
            let ours = answer.to_json().expect("writes");
            let serde = serde_json::to_vec(&answer).expect("writes");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&serde)
            );
        }
    }
}
