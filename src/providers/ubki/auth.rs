//! The authorization API: a login, or a check of a key, in JSON or UBKI's XML dialect.

use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use super::codes::UbkiError;
use super::dialect::{self, Dialect};
use super::scenario::{Account, UbkiScenario};
use super::state::{Session, UbkiState, kyiv, kyiv_xml};
use super::wire::AuthSession;
use crate::input::{Blank, FieldProblem, Text, header_text};
use crate::provider::{Body, Ctx};

const MAX_TEXT: usize = 250;
/// `dateed` of a scenario key that never expires.
const NEVER_JSON: &str = "9999-12-31 23:59:59";
const NEVER_XML: &str = "31.12.9999 23:59";

/// Where the caller comes from, or why that is unknown.
type Caller = Result<IpAddr, String>;

/// `POST /b2_api_xml/ubki/auth`. Errors go to the pipeline, which renders them through
/// the tenant's table in the caller's dialect (`errors::render_for`).
#[utoipa::path(
    post,
    path = "/b2_api_xml/ubki/auth",
    description = "A login (`login`, `pass`) for a session key, or a check of a key (only `sessid`). The key is the body member `sessid` of the bonus service (scheme `ubki_session`). The answer is XML when the body is XML (raw or base64) or `Content-Type` names XML, JSON otherwise.",
    request_body(content(
        (crate::providers::ubki::openapi::AuthRequest = "application/json"),
        (crate::providers::ubki::openapi::AuthXmlRequest = "application/xml"),
    )),
    responses(
        (status = 200, description = "The key's document, or a refusal (JSON; an XML caller's success).", content(
            (crate::providers::ubki::openapi::AuthAnswerJson = "application/json"),
            (crate::providers::ubki::openapi::AuthAnswerXml = "application/xml"),
        ), links(
            ("discount" = (operation_id = "ubki_post_bonusservice_discount", request_body = json!({"sessid": "$response.body#/doc/auth/sessid"}), description = "A discount with this session key")),
            ("free" = (operation_id = "ubki_post_bonusservice_free", request_body = json!({"sessid": "$response.body#/doc/auth/sessid"}), description = "A free service with this session key")),
        )),
        (status = 400, description = "A refusal to an XML caller, at `ubki.xml_error_status` (400 unless the scenario says otherwise).", content(
            (crate::providers::ubki::openapi::AuthAnswerXml = "application/xml"),
        )),
        (status = 404, description = "No UBKI endpoint at the path.", content(
            (crate::providers::ubki::openapi::AuthAnswerJson = "application/json"),
            (crate::providers::ubki::openapi::AuthAnswerXml = "application/xml"),
        )),
    )
)]
pub async fn auth(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, UbkiError> {
    let xml = dialect::xml_body(&body);
    let content_type = header_text(&req, "content-type").ok().flatten();
    let dialect = Dialect::answering(content_type, xml.is_some());
    let caller = caller(&req, ctx.section::<UbkiScenario>().behind_proxy);
    let auth = auth_object(xml.as_deref(), &body)?;
    let session = authorize(&ctx, &caller, &auth)?;
    Ok(success(&ctx, &session, dialect))
}

/// The caller's address: the socket's, or behind a proxy (`ubki.behind_proxy`) the
/// first `X-Forwarded-For` address when there is one.
fn caller(req: &HttpRequest, behind_proxy: bool) -> Caller {
    let socket = req
        .peer_addr()
        .map(|a| a.ip())
        .ok_or_else(|| "the caller's address is unknown".to_string());
    if !behind_proxy {
        return socket;
    }
    let forwarded = match header_text(req, "x-forwarded-for") {
        Ok(None) => return socket,
        Ok(Some(value)) => value,
        Err(_) => return Err("X-Forwarded-For is not text".into()),
    };
    let first = forwarded.split(',').next().unwrap_or_default().trim();
    first.parse().map_err(|_| {
        let shown: String = first.chars().take(64).collect();
        format!("X-Forwarded-For `{shown}` does not start with an IP address")
    })
}

/// 278 unless the account takes calls from anywhere or from the caller's address.
fn check_caller(account: &Account, caller: &Caller) -> Result<(), UbkiError> {
    if account.allowed_ips.is_empty() {
        return Ok(());
    }
    match caller {
        Ok(ip) if account.allows(*ip) => Ok(()),
        Ok(ip) => Err(UbkiError::IpNotAllowed(format!(
            "address {ip} is not on the account's allowed_ips"
        ))),
        Err(why) => Err(UbkiError::IpNotAllowed(why.clone())),
    }
}

/// `doc.auth` of a JSON body, or the attributes of `/doc/auth` of an XML one.
fn auth_object(xml: Option<&[u8]>, body: &[u8]) -> Result<Map<String, Value>, UbkiError> {
    if let Some(xml) = xml {
        return dialect::auth_attributes(xml)
            .map_err(UbkiError::BadJson)?
            .ok_or(UbkiError::AuthMissing);
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| UbkiError::BadJson(format!("body: not valid JSON: {e}")))?;
    value
        .get("doc")
        .and_then(|d| d.get("auth"))
        .and_then(Value::as_object)
        .cloned()
        .ok_or(UbkiError::AuthMissing)
}

/// The session the request earns: the key it checks (a body with only `sessid`), or a
/// new one for its login.
fn authorize(ctx: &Ctx, caller: &Caller, auth: &Map<String, Value>) -> Result<Session, UbkiError> {
    if !auth.contains_key("login")
        && let Some(sessid) = auth.get("sessid")
    {
        return check_key(ctx, caller, sessid.as_str().unwrap_or_default());
    }
    let (login, pass) = (credential(auth, "login")?, credential(auth, "pass")?);
    if login.trim().is_empty() || pass.is_empty() {
        return Err(UbkiError::EmptyCredentials);
    }
    log_in(ctx, caller, &login, &pass)
}

fn check_key(ctx: &Ctx, caller: &Caller, sessid: &str) -> Result<Session, UbkiError> {
    let now = ctx.now();
    let session = ctx
        .state(|s: &mut UbkiState| s.session(sessid, now).cloned())
        .ok_or(UbkiError::SessionInvalid)?;
    if let Some(account) = ctx.section::<UbkiScenario>().account(&session.login) {
        check_caller(account, caller)?;
    }
    Ok(session)
}

/// `login` or `pass`: absent is 11, another type or too long 12.
fn credential(auth: &Map<String, Value>, field: &str) -> Result<String, UbkiError> {
    let rules = Text {
        max: MAX_TEXT,
        blank: Blank::Kept,
        trim: false,
    };
    rules.required(auth, field).map_err(|p| match p {
        FieldProblem::Missing => UbkiError::AuthMissing,
        other => UbkiError::AuthInvalid(other.describe(field)),
    })
}

/// A new key for the account, after its address, its lock, its password, its block and
/// its contract.
fn log_in(ctx: &Ctx, caller: &Caller, login: &str, pass: &str) -> Result<Session, UbkiError> {
    let ubki = ctx.section::<UbkiScenario>();
    let account = ubki.account(login).ok_or(UbkiError::WrongCredentials)?;
    check_caller(account, caller)?;
    let policy = &ubki.brute_force;
    let lock = Duration::minutes(i64::from(policy.lock_minutes));
    let now = ctx.now();
    ctx.state(|s: &mut UbkiState| {
        if s.locked(login, now) {
            return Err(UbkiError::BruteForce);
        }
        if account.pass != pass {
            s.fail(login, now, policy.attempts, lock);
            return Err(UbkiError::WrongCredentials);
        }
        if account.blocked {
            return Err(UbkiError::AccountBlocked);
        }
        if account.contract.as_deref() == Some("terminated") {
            return Err(UbkiError::ContractTerminated);
        }
        s.succeed(login);
        Ok(s.issue(login, now))
    })
}

/// The key's document: every field of the account, and no `errcode`.
fn success(ctx: &Ctx, session: &Session, dialect: Dialect) -> HttpResponse {
    let ubki = ctx.section::<UbkiScenario>();
    let account = ubki.account(&session.login).cloned().unwrap_or_default();
    let created = if session.created == DateTime::<Utc>::MIN_UTC {
        ctx.now()
    } else {
        session.created
    };
    let (datecr, dateed) = dates(created, session.expires, dialect);
    let fields = AuthSession {
        sessid: session.sessid.clone(),
        datecr,
        dateed,
        userlogin: session.login.clone(),
        userid: account.userid,
        userfname: account.first_name,
        userlname: account.last_name,
        usermname: account.middle_name,
        rolegroupid: account.rolegroupid,
        rolegroupname: account.rolegroupname,
        agrid: account.agrid,
        agrname: account.agrname,
        role: account.role,
        mustchngpass: u8::from(account.must_change_password).to_string(),
    }
    .fields();
    let code = ctx
        .codes(super::NAME)
        .by_key("auth_ok")
        .map_or_else(|| "0".to_string(), |e| e.code.clone());
    dialect::answer(&fields, dialect, 200, &code)
}

/// `datecr` and `dateed`. JSON: `YYYY-MM-DD HH:MM:SS`, `dateed` the key's last second
/// (23:59:59). XML: `d.m.Y G:i`, `dateed` the instant the key stops working (the next
/// day's 0:00), as UBKI's XML clients parse them.
fn dates(
    created: DateTime<Utc>,
    expires: Option<DateTime<Utc>>,
    dialect: Dialect,
) -> (String, String) {
    match dialect {
        Dialect::Json => (
            kyiv(created),
            expires.map_or_else(|| NEVER_JSON.into(), kyiv),
        ),
        Dialect::Xml => (
            kyiv_xml(created),
            expires.map_or_else(|| NEVER_XML.into(), |e| kyiv_xml(stops_at(e))),
        ),
    }
}

/// The instant after a key's last second, when it stops working.
fn stops_at(last_second: DateTime<Utc>) -> DateTime<Utc> {
    last_second
        .checked_add_signed(Duration::seconds(1))
        .unwrap_or(last_second)
}
