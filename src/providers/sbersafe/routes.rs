//! Thin handlers: parse and check the body (and headers), ask the state, answer.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::Duration;
use serde::Serialize;
use serde_json::{Map, Value};

use super::errors::SberError;
use super::scenario::SberSafeScenario;
use super::state::{Client, Contact, OtpRules, SberSafeState, moscow};
use super::wire::{
    self, BindingOut, Card, ClientRef, ClientsAnswer, ContactOut, FindAnswer, OtpAnswer,
    Permissions, TokenAnswer,
};
use crate::provider::{Ctx, Routes, json};

pub fn routes(r: &mut Routes) {
    r.post("/api/clients/find", find_route)
        .post("/api/clients/create", create_route)
        .post("/api/auth/otp", otp_route)
        .post("/api/auth/token", token_route)
        .post("/api/clients/", clients_route)
        .post("/api/clients", clients_route);
}

async fn find_route(ctx: Ctx, body: web::Bytes) -> HttpResponse {
    find(&ctx, &body).unwrap_or_else(|e| e.respond(&ctx))
}

async fn create_route(ctx: Ctx, body: web::Bytes) -> HttpResponse {
    create(&ctx, &body).unwrap_or_else(|e| e.respond(&ctx))
}

async fn otp_route(ctx: Ctx, body: web::Bytes) -> HttpResponse {
    otp(&ctx, &body).unwrap_or_else(|e| e.respond(&ctx))
}

async fn token_route(ctx: Ctx, body: web::Bytes) -> HttpResponse {
    token(&ctx, &body).unwrap_or_else(|e| e.respond(&ctx))
}

async fn clients_route(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    clients(&ctx, &req, &body).unwrap_or_else(|e| e.respond(&ctx))
}

const SUCCESS: &str = "SUCCESS";
const MAX_TEXT: usize = 256;
const MAX_CONTACTS: usize = 10;

fn success(body: &impl Serialize, no_store: bool) -> HttpResponse {
    let mut res = json(200, body, SUCCESS);
    if no_store {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    res
}

/// The body as a JSON object whose fields are all in `allowed`.
fn object(body: &[u8], allowed: &[&str]) -> Result<(Map<String, Value>, Vec<String>), SberError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| SberError::MalformedJson(format!("body: not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(SberError::MalformedJson(
            "body: must be a JSON object".into(),
        ));
    };
    let problems = obj
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            format!(
                "{k}: unknown field (expected one of {})",
                allowed.join(", ")
            )
        })
        .collect();
    Ok((obj, problems))
}

/// A string field; missing, null and "" are `None`.
fn text(obj: &Map<String, Value>, field: &str, problems: &mut Vec<String>) -> Option<String> {
    match obj.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
            problems.push(format!("{field}: longer than {MAX_TEXT} characters"));
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            problems.push(format!("{field}: must be a string"));
            None
        }
    }
}

fn check(problems: Vec<String>) -> Result<(), SberError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SberError::InvalidRequest(problems))
    }
}

fn merchant(ctx: &Ctx, login: Option<String>) -> Result<String, SberError> {
    let login = login.ok_or(SberError::MerchantMissing)?;
    if ctx
        .section::<SberSafeScenario>()
        .merchants
        .iter()
        .any(|m| m.login == login)
    {
        Ok(login)
    } else {
        Err(SberError::MerchantUnknown(format!(
            "merchantLogin `{login}` is not registered"
        )))
    }
}

pub fn is_phone(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn system_error_value(ctx: &Ctx, values: &[&str]) -> Result<(), SberError> {
    let sber = ctx.section::<SberSafeScenario>();
    let magic = &sber.system_error_values;
    match values
        .iter()
        .find(|v| magic.iter().any(|m| m.eq_ignore_ascii_case(v)))
    {
        Some(v) => Err(SberError::SystemError(format!(
            "`{v}` is a system-error value of the scenario"
        ))),
        None => Ok(()),
    }
}

fn client_ref(c: &Client) -> ClientRef {
    ClientRef {
        uuid: c.uuid.clone(),
        created_date: moscow(c.created),
    }
}

fn find(ctx: &Ctx, body: &[u8]) -> Result<HttpResponse, SberError> {
    let (obj, mut problems) = object(body, &["phone", "email", "merchantLogin"])?;
    let login = text(&obj, "merchantLogin", &mut problems);
    let phone = text(&obj, "phone", &mut problems);
    let email = text(&obj, "email", &mut problems).map(|e| e.to_lowercase());
    if let Some(p) = &phone
        && !is_phone(p)
    {
        problems.push("phone: must be 10 digits without the leading 7".into());
    }
    if let Some(e) = &email
        && !is_email(e)
    {
        problems.push("email: not an email address".into());
    }
    check(problems)?;
    merchant(ctx, login)?;
    if phone.is_none() && email.is_none() {
        return Err(SberError::ContactMissing);
    }
    let values: Vec<&str> = phone
        .iter()
        .chain(email.iter())
        .map(String::as_str)
        .collect();
    system_error_value(ctx, &values)?;
    let (client, request_id) = ctx.state(|s: &mut SberSafeState| {
        let by_phone = phone.as_deref().and_then(|p| s.find("MPHONE", p));
        let found = by_phone.or_else(|| email.as_deref().and_then(|e| s.find("EMAIL", e)));
        (found.map(client_ref), s.request_id())
    });
    Ok(success(
        &FindAnswer {
            client,
            request_id,
            status: SUCCESS,
        },
        false,
    ))
}

fn otp(ctx: &Ctx, body: &[u8]) -> Result<HttpResponse, SberError> {
    let (obj, mut problems) = object(body, &["merchantLogin", "uuid"])?;
    let login = text(&obj, "merchantLogin", &mut problems);
    let uuid = text(&obj, "uuid", &mut problems);
    if let Some(u) = &uuid
        && !is_uuid(u)
    {
        problems.push("uuid: must be 32 hexadecimal characters".into());
    }
    check(problems)?;
    // The gateway checks the merchant before the method's own fields, so `{}` answers
    // "[merchantLogin] is empty.", not a missing uuid.
    let merchant = merchant(ctx, login)?;
    let uuid = uuid
        .ok_or_else(|| SberError::InvalidRequest(vec!["uuid: required".into()]))?
        .to_ascii_uppercase();
    let sber = ctx.section::<SberSafeScenario>();
    let policy = &sber.otp;
    let ttl = Duration::minutes(i64::from(policy.ttl_minutes));
    let now = ctx.now();
    let (code, request_id) = ctx.state(|s: &mut SberSafeState| {
        if s.client(&uuid).is_none() {
            return Err(SberError::ClientNotFound(format!(
                "no client with uuid {uuid}"
            )));
        }
        let code = s.issue_access_code(&uuid, &merchant, policy.length, ttl, now);
        Ok((code, s.request_id()))
    })?;
    let body = OtpAnswer {
        access_code: code.code,
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, false))
}

fn token(ctx: &Ctx, body: &[u8]) -> Result<HttpResponse, SberError> {
    let (obj, mut problems) = object(body, &["accessCode", "otp"])?;
    let code = text(&obj, "accessCode", &mut problems);
    let otp = text(&obj, "otp", &mut problems);
    if code.is_none() {
        problems.push("accessCode: required".into());
    }
    if otp.is_none() {
        problems.push("otp: required".into());
    }
    check(problems)?;
    let scenario = ctx.section::<SberSafeScenario>();
    let rules = OtpRules {
        fixed: scenario.otp.fixed.as_deref(),
        attempts: scenario.otp.attempts,
        token_ttl: Duration::minutes(i64::from(scenario.token_ttl_minutes)),
    };
    let now = ctx.now();
    let (code, otp) = (code.unwrap_or_default(), otp.unwrap_or_default());
    let (token, request_id) = ctx.state(|s: &mut SberSafeState| {
        let token = s.redeem(&code, &otp, &rules, now)?;
        Ok::<_, SberError>((token, s.request_id()))
    })?;
    let body = TokenAnswer {
        access_token: token.token,
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, true))
}

/// Whether `Accept` admits `application/json; version=1.0`.
pub fn accepts_json_v1(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let version = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case("version"))
                .then(|| v.trim().trim_matches('"').to_string())
        });
        matches!(mime.as_str(), "application/json" | "application/*" | "*/*")
            && version.is_none_or(|v| v == "1.0" || v == "1")
    })
}

/// Whether `Accept` names `application/json` with `version=1.0` itself (strict mode).
pub fn accepts_json_v1_exactly(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        mime == "application/json"
            && parts.any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("version") && v.trim().trim_matches('"') == "1.0"
                })
            })
    })
}

fn clients(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, SberError> {
    let auth = match req.headers().get(header::AUTHORIZATION) {
        None => return Err(SberError::TokenMissing),
        Some(v) => v
            .to_str()
            .map_err(|_| SberError::TokenInvalid("Authorization is not ASCII".into()))?
            .trim()
            .to_string(),
    };
    if auth.is_empty() {
        return Err(SberError::TokenMissing);
    }
    if auth
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    {
        return Err(SberError::TokenInvalid(
            "send the token as `Authorization: <accessToken>`, without `Bearer`".into(),
        ));
    }
    let now = ctx.now();
    let token = ctx.state(|s: &mut SberSafeState| s.token(&auth, now).cloned())?;
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .map(|v| v.to_str().unwrap_or("?").trim());
    let strict = ctx.section::<SberSafeScenario>().require_accept;
    match accept {
        Some(a) if strict && !accepts_json_v1_exactly(a) => {
            return Err(SberError::NotAcceptable(
                "send `Accept: application/json; version=1.0`".into(),
            ));
        }
        None | Some("") if strict => {
            return Err(SberError::NotAcceptable(
                "send `Accept: application/json; version=1.0`".into(),
            ));
        }
        None | Some("") => {}
        Some(a) if accepts_json_v1(a) => {}
        Some(_) => {
            return Err(SberError::NotAcceptable(
                "only `application/json; version=1.0` is served".into(),
            ));
        }
    }
    let (obj, mut problems) = object(body, &["responseType", "uuid", "merchantLogin"])?;
    let response_type = text(&obj, "responseType", &mut problems);
    let uuid = text(&obj, "uuid", &mut problems);
    let login = text(&obj, "merchantLogin", &mut problems);
    check(problems)?;
    let Some(response_type) = response_type else {
        return Err(SberError::ResponseTypeInvalid(
            "responseType is empty".into(),
        ));
    };
    let mut wanted = [false; 4];
    for part in response_type.split(',').map(str::trim) {
        match wire::RESPONSE_TYPES
            .iter()
            .position(|t| *t == part)
            .and_then(|i| wanted.get_mut(i))
        {
            Some(slot) => *slot = true,
            None => {
                return Err(SberError::ResponseTypeInvalid(format!(
                    "`{part}` is not one of {}",
                    wire::RESPONSE_TYPES.join(", ")
                )));
            }
        }
    }
    if let Some(u) = uuid
        && !u.eq_ignore_ascii_case(&token.client)
    {
        return Err(SberError::AccessDenied(
            "the token belongs to another client".into(),
        ));
    }
    if let Some(m) = login
        && m != token.merchant
    {
        return Err(SberError::AccessDenied(
            "the token was issued to another merchant".into(),
        ));
    }
    let (client, request_id) = ctx.state(|s: &mut SberSafeState| {
        let client = s.client(&token.client).cloned();
        (client, s.request_id())
    });
    let client =
        client.ok_or_else(|| SberError::ClientNotFound("the token's client is gone".into()))?;
    let contact = |c: &Contact| ContactOut {
        contact_status: c.status.clone(),
        kind: c.kind.clone(),
        value: match c.kind.as_str() {
            "MPHONE" => wire::mask_phone(&c.value),
            "EMAIL" => wire::mask_email(&c.value),
            _ => c.value.clone(),
        },
    };
    let [contacts, extra, bindings, permissions] = wanted;
    let body = ClientsAnswer {
        client: client_ref(&client),
        contacts: contacts.then(|| client.contacts.iter().map(contact).collect()),
        contacts_extra: extra.then(|| client.contacts_extra.iter().map(contact).collect()),
        bindings: bindings.then(|| {
            client
                .bindings
                .iter()
                .map(|b| BindingOut {
                    uuid: b.uuid.clone(),
                    created_date: moscow(b.created),
                    mnemonic: b.mnemonic.clone(),
                    payment_type: "CARD".into(),
                    payment_system: b.payment_system.clone(),
                    card: Card {
                        masked_pan: wire::mask_pan(&b.pan),
                    },
                    extended_info: b.extended_info,
                })
                .collect()
        }),
        permissions: permissions.then_some(Permissions {
            card_virtual: client.card_virtual,
        }),
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, true))
}

/// `GET /__sandbox/sbersafe/otp/{accessCode}`: the OTP "sent" to the client, so a
/// test can read it the way a person reads an SMS.
pub async fn admin_otp(ctx: Ctx, code: web::Path<String>) -> HttpResponse {
    let now = ctx.now();
    let found = ctx.state(|s: &mut SberSafeState| s.access_codes.get(code.as_str()).cloned());
    match found {
        Some(a) => HttpResponse::Ok().json(serde_json::json!({
            "accessCode": a.code,
            "otp": a.otp,
            "client": a.client,
            "merchant": a.merchant,
            "expires": moscow(a.expires),
            "valid": !a.used && !a.locked && now < a.expires,
        })),
        None => crate::provider::sandbox_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "unknown-access-code",
            "no such access code in this tenant",
            None,
        ),
    }
}

/// `[{type, value, contactStatus?}]` checked against `types`.
fn contact_list(
    obj: &Map<String, Value>,
    field: &str,
    types: &[&str],
    problems: &mut Vec<String>,
) -> Vec<Contact> {
    let items = match obj.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) if items.len() > MAX_CONTACTS => {
            problems.push(format!("{field}: at most {MAX_CONTACTS} items"));
            return Vec::new();
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(format!("{field}: must be an array"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            problems.push(format!("{field}[{i}]: must be an object"));
            continue;
        };
        let mut own = Vec::new();
        for k in o
            .keys()
            .filter(|k| !["type", "value", "contactStatus"].contains(&k.as_str()))
        {
            own.push(format!("{field}[{i}].{k}: unknown field"));
        }
        let mut typed = Vec::new();
        let kind = text(o, "type", &mut typed);
        let value = text(o, "value", &mut typed);
        let status = text(o, "contactStatus", &mut typed).unwrap_or_else(|| "ACTIVE".into());
        own.extend(typed.into_iter().map(|p| format!("{field}[{i}].{p}")));
        if !wire::CONTACT_STATUSES.contains(&status.as_str()) {
            own.push(format!("{field}[{i}].contactStatus: ACTIVE or NOTACTIVE"));
        }
        match (&kind, &value) {
            (Some(k), Some(v)) if types.contains(&k.as_str()) => {
                if k == "MPHONE" && !is_phone(v) {
                    own.push(format!(
                        "{field}[{i}].value: 10 digits without the leading 7"
                    ));
                }
                if k == "EMAIL" && !is_email(v) {
                    own.push(format!("{field}[{i}].value: not an email address"));
                }
            }
            (Some(k), Some(_)) => {
                own.push(format!(
                    "{field}[{i}].type: `{k}` is not one of {}",
                    types.join(", ")
                ));
            }
            _ => own.push(format!("{field}[{i}]: `type` and `value` are required")),
        }
        if own.is_empty() {
            let (kind, value) = (kind.unwrap_or_default(), value.unwrap_or_default());
            let value = if kind == "EMAIL" {
                value.to_lowercase()
            } else {
                value
            };
            out.push(Contact {
                kind,
                value,
                status,
            });
        }
        problems.extend(own);
    }
    out
}

fn create(ctx: &Ctx, body: &[u8]) -> Result<HttpResponse, SberError> {
    let (obj, mut problems) = object(
        body,
        &[
            "transactionNumber",
            "merchantLogin",
            "contacts",
            "contactsExtra",
        ],
    )?;
    let transaction = match obj.get("transactionNumber") {
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => text(&obj, "transactionNumber", &mut problems),
    };
    let login = text(&obj, "merchantLogin", &mut problems);
    let contacts = contact_list(&obj, "contacts", &wire::CONTACT_TYPES, &mut problems);
    let extra = contact_list(&obj, "contactsExtra", &wire::EXTRA_TYPES, &mut problems);
    check(problems)?;
    // Merchant first, as in `otp`: `{}` answers "[merchantLogin] is empty.".
    let merchant = merchant(ctx, login)?;
    let Some(transaction) = transaction else {
        return Err(SberError::InvalidRequest(vec![
            "transactionNumber: required".into(),
        ]));
    };
    if contacts.is_empty() {
        return Err(SberError::ContactMissing);
    }
    let values: Vec<&str> = contacts.iter().map(|c| c.value.as_str()).collect();
    system_error_value(ctx, &values)?;
    let now = ctx.now();
    let (client, request_id) = ctx.state(|s: &mut SberSafeState| {
        let client = s.create(&merchant, &transaction, contacts, extra, now)?;
        Ok::<_, SberError>((client_ref(&client), s.request_id()))
    })?;
    Ok(success(
        &FindAnswer {
            client: Some(client),
            request_id,
            status: SUCCESS,
        },
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_forms() {
        assert!(accepts_json_v1("application/json; version=1.0"));
        assert!(accepts_json_v1("application/json"));
        assert!(accepts_json_v1("*/*"));
        assert!(accepts_json_v1("text/html, application/json;version=1.0"));
        assert!(!accepts_json_v1("application/xml"));
        assert!(!accepts_json_v1("application/json; version=2.0"));
        assert!(accepts_json_v1_exactly("application/json; version=1.0"));
        assert!(!accepts_json_v1_exactly("*/*"));
        assert!(!accepts_json_v1_exactly("application/json"));
    }
}
