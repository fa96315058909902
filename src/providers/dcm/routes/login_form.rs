//! A login body as Kratos's password method reads it (`updateLoginFlowWithPasswordMethod`,
//! JSON or a form), checked as its JSON schema checks it: each field's problem goes on
//! its node of the flow.

use serde_json::Value;

use crate::input::{json_object, url_pairs};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::{FlowFeedback, NodeProblem, Problem, kratos_bad};

/// The fields a login reads; others (`csrf_token`, `transient_payload`, ...) are ignored
/// whatever they hold.
const LOGIN_FIELDS: &[&str] = &[
    "identifier",
    "password_identifier",
    "email",
    "password",
    "method",
];

/// The identifier's names, first found wins: Kratos's and its legacy one, and `email`.
const IDENTIFIER: &[&str] = &["identifier", "password_identifier", "email"];

/// `updateLoginFlowWithPasswordMethod` as the sandbox reads it (JSON or a form): the
/// identifier under one of `IDENTIFIER`'s names, the password; `method` optional but
/// `password` when sent; anything else ignored.
#[derive(utoipa::ToSchema)]
#[schema(as = dcm::KratosLoginBody)]
#[allow(dead_code)] // a schema: `LoginForm` reads the fields one by one
pub struct LoginBody {
    /// Required, unless `password_identifier` or `email` is sent.
    #[schema(example = "employee@sandbox.test")]
    identifier: Option<String>,
    /// Kratos's legacy name of `identifier`.
    password_identifier: Option<String>,
    email: Option<String>,
    #[schema(example = "sandbox")]
    password: String,
    #[schema(pattern = "^password$", example = "password")]
    method: Option<String>,
    /// Ignored: the sandbox has no CSRF.
    csrf_token: Option<String>,
}

/// A field as sent: text, or a JSON value of another type (named by its type).
#[derive(Debug)]
enum Field {
    Text(String),
    Other(&'static str),
}

/// The fields a login reads, as sent.
#[derive(Debug)]
pub struct LoginForm {
    fields: Vec<(String, Field)>,
}

/// A login's identifier and password once both passed.
pub struct Credentials {
    pub identifier: String,
    pub password: String,
}

impl LoginForm {
    /// A JSON object or a urlencoded form; another JSON value, or JSON that does not
    /// parse, is Kratos's 400.
    pub fn read(body: &[u8]) -> Result<Self, DcmError> {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        match first {
            Some(b'{') => Self::json(body),
            Some(b'[' | b'"') => Err(kratos_bad(
                "The request body must be a JSON object or a form",
            )),
            _ => Ok(Self {
                fields: url_pairs(body)
                    .into_iter()
                    .map(|(k, v)| (k, Field::Text(v)))
                    .collect(),
            }),
        }
    }

    /// `null` counts as absent.
    fn json(body: &[u8]) -> Result<Self, DcmError> {
        let obj = json_object(body)
            .map_err(|e| kratos_bad(format!("Unable to decode JSON payload: {e}")))?
            .map_err(|_| kratos_bad("The request body must be a JSON object or a form"))?;
        let fields = obj
            .into_iter()
            .filter(|(k, _)| LOGIN_FIELDS.contains(&k.as_str()))
            .filter_map(|(k, v)| {
                let field = match v {
                    Value::Null => return None,
                    Value::String(s) => Field::Text(s),
                    Value::Bool(_) => Field::Other("boolean"),
                    Value::Number(_) => Field::Other("number"),
                    Value::Array(_) => Field::Other("array"),
                    Value::Object(_) => Field::Other("object"),
                };
                Some((k, field))
            })
            .collect();
        Ok(Self { fields })
    }

    /// The first field with one of `names`.
    fn field(&self, names: &[&str]) -> Option<&Field> {
        self.fields
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, f)| f)
    }

    /// The identifier as shown back on the flow (empty unless it is text).
    fn identifier(&self) -> String {
        match self.field(IDENTIFIER) {
            Some(Field::Text(s)) => s.clone(),
            _ => String::new(),
        }
    }

    /// Identifier and password, checked as Kratos checks them, in this order: the
    /// method (when sent) is `password`; both fields are non-empty strings.
    pub fn credentials(&self, flow_id: &str) -> Result<Credentials, DcmError> {
        let mut fb = FlowFeedback {
            flow_id: flow_id.to_string(),
            identifier: self.identifier(),
            problems: Vec::new(),
        };
        if let Some(method) = self.field(&["method"])
            && !matches!(method, Field::Text(m) if m == "password")
        {
            return Err(DcmError::NoStrategy(fb));
        }
        let identifier = text(self.field(IDENTIFIER), "identifier", &mut fb.problems);
        let password = text(self.field(&["password"]), "password", &mut fb.problems);
        match fb.problems.first().map(|p| p.problem.clone()) {
            None => Ok(Credentials {
                identifier,
                password,
            }),
            Some(Problem::Missing) => Err(DcmError::FieldMissing(fb)),
            Some(Problem::Empty) => Err(DcmError::FieldEmpty(fb)),
            Some(Problem::NotText(_)) => Err(DcmError::FieldInvalid(fb)),
        }
    }
}

/// The text of `field`, or its problem noted against `node`.
fn text(field: Option<&Field>, node: &str, problems: &mut Vec<NodeProblem>) -> String {
    let problem = match field {
        Some(Field::Text(s)) if !s.is_empty() => return s.clone(),
        Some(Field::Text(_)) => Problem::Empty,
        Some(Field::Other(kind)) => Problem::NotText((*kind).to_string()),
        None => Problem::Missing,
    };
    problems.push(NodeProblem {
        node: node.to_string(),
        problem,
    });
    String::new()
}
