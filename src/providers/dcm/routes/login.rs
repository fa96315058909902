//! The Kratos password login: a flow, then a login through it that issues a session
//! token.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;
use serde_json::{Value, json};

use super::{invalid_json, ok};
use crate::input::{FieldProblem, json_object, url_pairs};
use crate::provider::Ctx;
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::bad;
use crate::providers::dcm::scenario::DcmScenario;
use crate::providers::dcm::state::{DcmState, Session};
use crate::providers::dcm::wire::fmt_time;

pub async fn create_flow(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let now = ctx.now();
    let lifetime = Duration::try_minutes(ctx.section::<DcmScenario>().flow_minutes())
        .ok_or_else(|| bad("flow_lifetime_minutes is out of range"))?;
    let flow = ctx.state(|s: &mut DcmState| s.new_flow(now, lifetime))?;
    let action = format!("{}?flow={}", req.path().trim_end_matches("/api"), flow.id);
    Ok(ok(&json!({
        "id": flow.id,
        "type": "api",
        "expires_at": fmt_time(flow.expires_at),
        "issued_at": fmt_time(flow.issued_at),
        "request_url": req.uri().to_string(),
        "ui": {
            "action": action,
            "method": "POST",
            "nodes": [
                {"type": "input", "group": "default", "attributes": {"name": "csrf_token", "type": "hidden", "value": ""}},
                {"type": "input", "group": "default", "attributes": {"name": "identifier", "type": "text", "required": true}},
                {"type": "input", "group": "password", "attributes": {"name": "password", "type": "password", "required": true}},
                {"type": "input", "group": "password", "attributes": {"name": "method", "type": "submit", "value": "password"}}
            ]
        }
    })))
}

pub async fn login(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, DcmError> {
    let flow_id = url_pairs(req.query_string().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "flow")
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad("the flow query parameter is missing"))?;
    let (identifier, password) = credentials(&body)?;
    let now = ctx.now();
    let dcm = ctx.section::<DcmScenario>();
    let employee = dcm
        .employees
        .iter()
        .find(|e| e.identifier.eq_ignore_ascii_case(&identifier) && e.password == password);
    let lifetime = Duration::try_hours(dcm.session_hours())
        .ok_or_else(|| bad("session_lifetime_hours is out of range"))?;
    let session = ctx.state(|s: &mut DcmState| s.log_in(&flow_id, employee, now, lifetime))?;
    Ok(ok(&session_body(&session)))
}

fn session_body(session: &Session) -> Value {
    json!({
        "session_token": session.token,
        "session": {
            "id": session.id,
            "active": true,
            "expires_at": session.expires_at.map(fmt_time),
            "authenticated_at": fmt_time(session.issued_at),
            "issued_at": fmt_time(session.issued_at),
            "identity": {
                "id": session.counterparty_guid,
                "traits": { "email": session.identifier }
            }
        }
    })
}

/// Identifier and password of a login body, the method (when sent) `password`.
fn credentials(body: &[u8]) -> Result<(String, String), DcmError> {
    let fields = login_fields(body)?;
    let field = |names: &[&str]| {
        fields
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    if let Some(m) = field(&["method"])
        && m != "password"
    {
        return Err(bad(format!(
            "method: `{m}` is not supported, use `password`"
        )));
    }
    let identifier = field(&["identifier", "password_identifier", "email"]).unwrap_or_default();
    let password = field(&["password"]).unwrap_or_default();
    if identifier.is_empty() || password.is_empty() {
        return Err(bad("identifier and password are required"));
    }
    Ok((identifier, password))
}

/// The fields a login reads; others are ignored.
const LOGIN_FIELDS: &[&str] = &[
    "identifier",
    "password_identifier",
    "email",
    "password",
    "method",
];

/// Login fields from a JSON object or a urlencoded form: name → text.
fn login_fields(body: &[u8]) -> Result<Vec<(String, String)>, DcmError> {
    let trimmed = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|i| body.get(i..));
    match trimmed {
        Some(rest) if rest.starts_with(b"{") => json_login_fields(body),
        Some(rest) if rest.starts_with(b"[") || rest.starts_with(b"\"") => {
            Err(bad("body must be a JSON object or a form"))
        }
        _ => Ok(url_pairs(body)),
    }
}

/// Fields the login does not read (`csrf_token`, `transient_payload`, ...) may hold
/// anything; a read one is text, and `null` counts as absent.
fn json_login_fields(body: &[u8]) -> Result<Vec<(String, String)>, DcmError> {
    let obj = json_object(body)
        .map_err(invalid_json)?
        .map_err(|_| bad("body must be a JSON object"))?;
    let mut out = Vec::new();
    for (k, v) in obj {
        if !LOGIN_FIELDS.contains(&k.as_str()) {
            continue;
        }
        match v {
            Value::String(s) => out.push((k, s)),
            Value::Null => {}
            _ => return Err(bad(FieldProblem::NotText.describe(&k))),
        }
    }
    Ok(out)
}

/// `DELETE /__sandbox/dcm/sessions/{token}`: ends a session (or a scenario token) early.
pub async fn admin_revoke(ctx: Ctx, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let revoked = ctx.state(|s: &mut DcmState| s.revoke(&token));
    HttpResponse::Ok().json(json!({ "revoked": revoked }))
}
