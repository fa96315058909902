//! Ory Kratos's bodies, as its OpenAPI document (`spec/api.json` of `ory/kratos`, v26.2)
//! declares them and Kratos writes them: the login flow (`loginFlow`, its UI nodes as
//! the password method builds them), the native login's answer
//! (`successfulNativeLogin`), the session (`session`), the generic error
//! (`errorGeneric`) and the expired flow (`selfServiceFlowExpiredError`).

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::fmt_time;
use crate::codes::CodeEntry;
use crate::providers::dcm::state::{Device, Flow, Session};

/// The identity schema of every employee, and its id in `schema_url` (base64url of
/// `default`, as Kratos writes it).
const SCHEMA_ID: &str = "default";
const SCHEMA_PATH: &str = "/schemas/ZGVmYXVsdA";
/// The one method and assurance level of the sandbox's login.
const METHOD: &str = "password";
const AAL: &str = "aal1";

/// A UI text (`uiText`): a message or a node's label.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = dcm::KratosUiText)]
pub struct UiText {
    pub id: i64,
    pub text: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

impl UiText {
    pub fn error(id: i64, text: String, context: Option<Value>) -> Self {
        Self {
            id,
            text,
            kind: "error",
            context,
        }
    }

    fn label(id: i64, text: &str) -> Self {
        Self {
            id,
            text: text.to_string(),
            kind: "info",
            context: None,
        }
    }
}

/// `uiNodeInputAttributes`: `value`, `required` and `autocomplete` are left out when
/// unset, as Kratos leaves them out.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosInputAttributes)]
struct InputAttributes {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    autocomplete: Option<&'static str>,
    disabled: bool,
    node_type: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosNodeMeta)]
struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<UiText>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosUiNode)]
struct Node {
    #[serde(rename = "type")]
    kind: &'static str,
    group: &'static str,
    attributes: InputAttributes,
    messages: Vec<UiText>,
    meta: Meta,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosUi)]
struct Ui {
    action: String,
    method: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    messages: Vec<UiText>,
    nodes: Vec<Node>,
}

/// `loginFlow`, every field Kratos writes for a native (`api`) flow.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosLoginFlow)]
pub struct LoginFlow {
    id: String,
    organization_id: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    expires_at: String,
    issued_at: String,
    request_url: String,
    ui: Ui,
    created_at: String,
    updated_at: String,
    refresh: bool,
    requested_aal: &'static str,
    state: &'static str,
}

/// What a refused login shows on its flow: the identifier sent (a password is never
/// shown again), messages about the whole form, and messages on nodes by node name.
#[derive(Debug, Default)]
pub struct Feedback {
    pub identifier: String,
    pub messages: Vec<UiText>,
    pub on_nodes: Vec<(String, UiText)>,
}

/// One input node; its messages are the feedback's for `name`.
fn input(name: &'static str, group: &'static str, kind: &'static str, fb: &Feedback) -> Node {
    let messages = fb
        .on_nodes
        .iter()
        .filter(|(node, _)| node == name)
        .map(|(_, m)| m.clone())
        .collect();
    Node {
        kind: "input",
        group,
        attributes: InputAttributes {
            name,
            kind,
            value: None,
            required: true,
            autocomplete: None,
            disabled: false,
            node_type: "input",
        },
        messages,
        meta: Meta { label: None },
    }
}

/// The password method's nodes in Kratos's order (`csrf_token`, `identifier`,
/// `password`, then the submit button).
fn nodes(fb: &Feedback) -> Vec<Node> {
    let mut csrf = input("csrf_token", "default", "hidden", fb);
    csrf.attributes.value = Some(String::new());
    let mut identifier = input("identifier", "default", "text", fb);
    identifier.attributes.value = Some(fb.identifier.clone());
    identifier.meta.label = Some(UiText::label(1_070_004, "ID"));
    let mut password = input("password", METHOD, "password", fb);
    password.attributes.autocomplete = Some("current-password");
    password.meta.label = Some(UiText::label(1_070_001, "Password"));
    let mut submit = input("method", METHOD, "submit", fb);
    submit.attributes.value = Some(METHOD.into());
    submit.attributes.required = false;
    submit.meta.label = Some(UiText::label(1_010_022, "Sign in with password"));
    vec![csrf, identifier, password, submit]
}

/// `flow` as Kratos shows it, with `fb` on its UI.
pub fn login_flow(flow: &Flow, fb: Feedback) -> LoginFlow {
    let ui = Ui {
        action: format!("{}/self-service/login?flow={}", flow.base, flow.id),
        method: "POST",
        nodes: nodes(&fb),
        messages: fb.messages,
    };
    LoginFlow {
        id: flow.id.clone(),
        organization_id: None,
        kind: "api",
        expires_at: fmt_time(flow.expires_at),
        issued_at: fmt_time(flow.issued_at),
        request_url: flow.request_url.clone(),
        ui,
        created_at: fmt_time(flow.issued_at),
        updated_at: fmt_time(flow.updated_at),
        refresh: false,
        requested_aal: AAL,
        state: "choose_method",
    }
}

/// `sessionDevice`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosSessionDevice)]
struct DeviceOut {
    id: String,
    ip_address: String,
    user_agent: String,
    location: String,
}

impl DeviceOut {
    fn new(d: &Device) -> Self {
        Self {
            id: d.id.clone(),
            ip_address: d.ip_address.clone(),
            user_agent: d.user_agent.clone(),
            location: String::new(),
        }
    }
}

/// `identity`, without credentials (as `whoami` and the login answer show it).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosIdentity)]
struct Identity {
    id: String,
    schema_id: &'static str,
    schema_url: String,
    state: &'static str,
    traits: Value,
    metadata_public: Value,
    created_at: String,
    updated_at: String,
    organization_id: Option<String>,
}

/// `sessionAuthenticationMethod`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosAuthenticationMethod)]
struct AuthenticationMethod {
    method: &'static str,
    aal: &'static str,
    completed_at: String,
}

/// `session`; `expires_at` is left out for a scenario token that never expires.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosSession)]
pub struct SessionOut {
    id: String,
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    authenticated_at: String,
    authenticator_assurance_level: &'static str,
    authentication_methods: Vec<AuthenticationMethod>,
    issued_at: String,
    identity: Identity,
    devices: Vec<DeviceOut>,
}

/// `s` as Kratos shows it, its identity's schema under `base` (`http://host/dcm/kratos`).
/// Identities are as old as the scenario's customers (`created` is its epoch).
pub fn session(s: &Session, base: &str, created: DateTime<Utc>) -> SessionOut {
    let authenticated = fmt_time(s.issued_at);
    let identity = Identity {
        id: s.identity_id.clone(),
        schema_id: SCHEMA_ID,
        schema_url: format!("{base}{SCHEMA_PATH}"),
        state: "active",
        traits: json!({ "email": s.identifier }),
        metadata_public: json!({ "counterparty_guid": s.counterparty_guid }),
        created_at: fmt_time(created),
        updated_at: fmt_time(created),
        organization_id: None,
    };
    SessionOut {
        id: s.id.clone(),
        active: true,
        expires_at: s.expires_at.map(fmt_time),
        authenticator_assurance_level: AAL,
        authentication_methods: vec![AuthenticationMethod {
            method: METHOD,
            aal: AAL,
            completed_at: authenticated.clone(),
        }],
        authenticated_at: authenticated,
        issued_at: fmt_time(s.issued_at),
        identity,
        devices: s.device.iter().map(DeviceOut::new).collect(),
    }
}

/// `successfulNativeLogin`: the token and its session (no `continue_with`, which
/// Kratos leaves out of a password login of an API flow).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosSuccessfulNativeLogin)]
pub struct NativeLogin {
    session_token: String,
    session: SessionOut,
}

pub fn native_login(s: &Session, base: &str, created: DateTime<Utc>) -> NativeLogin {
    NativeLogin {
        session_token: s.token.clone(),
        session: session(s, base, created),
    }
}

/// `genericError`: `id` only when the code is a Kratos error id rather than a status.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosGenericError)]
struct GenericError {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    code: u16,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    message: String,
}

/// The fields `selfServiceFlowExpiredError` adds to the generic body (none on others).
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = dcm::KratosFlowExpired)]
pub struct Expired {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<String>,
    /// Nanoseconds since it expired (Go's `time.Duration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_flow_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::KratosError)]
pub struct ErrorBody {
    error: GenericError,
    #[serde(flatten)]
    expired: Expired,
}

/// A refused login: the flow again with messages on its nodes, or Kratos's error.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = dcm::KratosLoginRefusal)]
#[allow(dead_code)] // a schema: the two bodies are written by their own types
pub enum LoginRefusal {
    Flow(LoginFlow),
    Error(ErrorBody),
}

/// Kratos's error body for `entry`, with `reason` (and an expired flow's fields).
pub fn error_body(
    entry: &CodeEntry,
    reason: Option<String>,
    expired: Option<Expired>,
) -> ErrorBody {
    let numeric = entry.code.bytes().all(|b| b.is_ascii_digit());
    let status = StatusCode::from_u16(entry.http_status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    ErrorBody {
        error: GenericError {
            id: (!numeric).then(|| entry.code.clone()),
            code: entry.http_status,
            status: status.to_string(),
            reason,
            message: entry.message.clone(),
        },
        expired: expired.unwrap_or_default(),
    }
}
