//! Thin handlers: authenticate, parse and check the input, ask the state, answer.
//! Order of checks on `/api/v1/counterparty/{cg}/...`: the GUID's shape (400), the
//! counterparty exists (404), credentials (401), the body (400), the customer (404).

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Value, json};

use super::codes::DcmError;
use super::errors::bad;
use super::scenario::DcmScenario;
use super::state::{
    CustomerUpdate, DcmState, ListQuery, MAX_FILTER_VALUES, MAX_JWK_BYTES, MAX_TEXT, NewCustomer,
    Ordering, RegisteredJwk, fmt_time, normalize_iban, parse_uuid,
};
use super::wire::{
    ACCOUNT_NAME, AccountOut, Accounts, AssetOut, CreateAccount, CreateCustomer, CreatedAccount,
    CreatedCustomer, CustomerOut, Customers, UpdateCustomer,
};
use crate::input::{header, url_pairs};
use crate::provider::{Ctx, Routes, json};

/// Path segments that may be empty (`/customers//accounts`), so an empty GUID is answered
/// `invalid UUID length: 0` like any malformed one instead of 404.
const CG: &str = "/api/v1/counterparty/{cg:[^/]*}";
const CU: &str = "{cu:[^/]*}";

pub fn routes(r: &mut Routes) {
    r.get("/kratos/self-service/login/api", create_flow)
        .post("/kratos/self-service/login", login)
        .post(format!("{CG}/jwk"), register_jwk)
        .get(format!("{CG}/jwk"), list_jwks)
        .post(format!("{CG}/customers"), create_customer)
        .get(format!("{CG}/customers"), list_customers)
        .put(format!("{CG}/customers/{CU}"), update_customer)
        .post(format!("{CG}/customers/{CU}/accounts"), create_account)
        .get(format!("{CG}/customers/{CU}/accounts"), list_accounts);
}

fn answer(_ctx: &Ctx, r: Result<HttpResponse, DcmError>) -> HttpResponse {
    r.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e))
}

fn ok(body: &impl serde::Serialize) -> HttpResponse {
    json(200, body, "200")
}

// ---------------------------------------------------------------- login

async fn create_flow(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    let r = do_create_flow(&ctx, &req);
    answer(&ctx, r)
}

fn do_create_flow(ctx: &Ctx, req: &HttpRequest) -> Result<HttpResponse, DcmError> {
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

async fn login(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let r = do_login(&ctx, &req, &body);
    answer(&ctx, r)
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
        Some(rest) if rest.starts_with(b"{") => {
            let v: Value =
                serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
            let obj = v
                .as_object()
                .ok_or_else(|| bad("body must be a JSON object"))?;
            // Fields the login does not read (`csrf_token`, `transient_payload`, ...) may
            // hold anything; a read one is text, and `null` counts as absent.
            let mut out = Vec::new();
            for (k, v) in obj {
                if !LOGIN_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                match v {
                    Value::String(s) => out.push((k.clone(), s.clone())),
                    Value::Null => {}
                    _ => return Err(bad(format!("{k}: must be a string"))),
                }
            }
            Ok(out)
        }
        Some(rest) if rest.starts_with(b"[") || rest.starts_with(b"\"") => {
            Err(bad("body must be a JSON object or a form"))
        }
        _ => Ok(url_pairs(body)),
    }
}

fn do_login(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, DcmError> {
    let query = url_pairs(req.query_string().as_bytes());
    let flow_id = query
        .iter()
        .find(|(k, _)| k == "flow")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad("the flow query parameter is missing"))?;
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
    let now = ctx.now();
    let dcm = ctx.section::<DcmScenario>();
    let employee = dcm
        .employees
        .iter()
        .find(|e| e.identifier.eq_ignore_ascii_case(&identifier) && e.password == password)
        .cloned();
    let lifetime = Duration::try_hours(dcm.session_hours())
        .ok_or_else(|| bad("session_lifetime_hours is out of range"))?;
    let session = ctx.state(|s: &mut DcmState| {
        match s.take_flow(&flow_id, now) {
            Ok(_) => {}
            Err(true) => return Err(bad("the login flow expired; create a new one")),
            Err(false) => {
                return Err(DcmError::NotFound(format!(
                    "login flow {flow_id} not found"
                )));
            }
        }
        let emp = employee.ok_or(DcmError::Unauthorized)?;
        let cg = parse_uuid(&emp.counterparty_guid).unwrap_or_default();
        let session = s.issue_session(&emp.identifier, &cg, now, lifetime)?;
        s.finish_flow(&flow_id);
        Ok(session)
    })?;
    Ok(ok(&json!({
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
    })))
}

// ---------------------------------------------------------------- authentication

/// Claims of a bank-signed JWT (the document's JWT format).
#[derive(Debug, Deserialize)]
struct Claims {
    flow: String,
    #[allow(dead_code)]
    obj: Value,
    sub: String,
    iat: i64,
    exp: i64,
}

const FLOWS: &[&str] = &[
    "sign-in",
    "sign-up",
    "sign-up-processing",
    "sign-up-emission",
];

/// A session token for `cg` in `Authorization`, or else a JWT in `CX-Authorization`
/// signed by a key registered for `cg`.
fn authenticate(ctx: &Ctx, req: &HttpRequest, cg: &str) -> Result<(), DcmError> {
    let now = ctx.now();
    if let Some(auth) = header(req, "authorization") {
        let (scheme, token) = auth.split_once(' ').ok_or(DcmError::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(DcmError::Unauthorized);
        }
        let token = token.trim();
        let good = ctx.state(|s: &mut DcmState| {
            s.session(token, now)
                .is_some_and(|s| s.counterparty_guid == cg)
        });
        return if good {
            Ok(())
        } else {
            Err(DcmError::Unauthorized)
        };
    }
    let raw = header(req, "cx-authorization").ok_or(DcmError::Unauthorized)?;
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => raw,
    };
    let head = jsonwebtoken::decode_header(token).map_err(|_| DcmError::Unauthorized)?;
    let keys: Vec<RegisteredJwk> = ctx.state(|s: &mut DcmState| {
        s.counterparty(cg)
            .map(|c| c.jwks.clone())
            .unwrap_or_default()
    });
    let skew = ctx.section::<DcmScenario>().jwt_skew();
    let t = now.timestamp();
    for key in keys.iter().filter(|k| match &head.kid {
        Some(kid) => &k.guid == kid || k.jwk.common.key_id.as_ref() == Some(kid),
        None => true,
    }) {
        if jwk_algorithm(&key.jwk) != Some(head.alg) {
            continue;
        }
        let Ok(dk) = DecodingKey::from_jwk(&key.jwk) else {
            continue;
        };
        let mut v = Validation::new(head.alg);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims = HashSet::new();
        let Ok(data) = jsonwebtoken::decode::<Claims>(token, &dk, &v) else {
            continue;
        };
        let c = data.claims;
        // Expiry and issue time against the tenant's virtual clock, not the system's.
        let fresh = c.exp > t && c.iat <= t.saturating_add(skew) && c.iat < c.exp;
        if fresh && FLOWS.contains(&c.flow.as_str()) && !c.sub.is_empty() {
            return Ok(());
        }
        return Err(DcmError::Unauthorized);
    }
    Err(DcmError::Unauthorized)
}

/// The algorithm a registered public key verifies; `None` for keys we refuse.
fn jwk_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    let natural = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::RSA(_) => match jwk.common.key_algorithm {
            Some(KeyAlgorithm::RS384) => Algorithm::RS384,
            Some(KeyAlgorithm::RS512) => Algorithm::RS512,
            Some(KeyAlgorithm::PS256) => Algorithm::PS256,
            Some(KeyAlgorithm::PS384) => Algorithm::PS384,
            Some(KeyAlgorithm::PS512) => Algorithm::PS512,
            _ => Algorithm::RS256,
        },
        _ => return None,
    };
    Some(natural)
}

/// The path's counterparty, checked in the documented order (shape, existence, credentials).
fn counterparty(ctx: &Ctx, req: &HttpRequest) -> Result<String, DcmError> {
    let raw = req.match_info().get("cg").unwrap_or_default();
    let cg = parse_uuid(raw).map_err(|e| bad(format!("counterparty_guid: {e}")))?;
    if !ctx.state(|s: &mut DcmState| s.counterparty(&cg).is_some()) {
        return Err(DcmError::NotFound(format!("counterparty {cg} not found")));
    }
    authenticate(ctx, req, &cg)?;
    Ok(cg)
}

fn customer_guid(req: &HttpRequest) -> Result<String, DcmError> {
    let raw = req.match_info().get("cu").unwrap_or_default();
    parse_uuid(raw).map_err(|e| bad(format!("customer_guid: {e}")))
}

fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DcmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}").map_err(|e| bad(format!("invalid JSON body: {e}")));
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

fn text(field: &str, v: Option<String>) -> Result<Option<String>, DcmError> {
    match v {
        Some(s) if s.chars().count() > MAX_TEXT => {
            Err(bad(format!("{field}: longer than {MAX_TEXT} characters")))
        }
        other => Ok(other),
    }
}

fn amount(field: &str, v: Option<f64>) -> Result<Option<f64>, DcmError> {
    match v {
        Some(x) if !x.is_finite() || x < 0.0 => Err(bad(format!("{field}: must be 0 or more"))),
        other => Ok(other),
    }
}

fn level(v: Option<i64>) -> Result<Option<i64>, DcmError> {
    match v {
        Some(x) if x < 0 => Err(bad("kyc_level: must be 0 or more")),
        other => Ok(other),
    }
}

// ---------------------------------------------------------------- JWKs

async fn register_jwk(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let r = do_register_jwk(&ctx, &req, &body);
    answer(&ctx, r)
}

fn do_register_jwk(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(ctx, req)?;
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    // The key itself, or wrapped as `{"jwk": {...}}`.
    let raw = match v.get("jwk") {
        Some(inner) if v.get("kty").is_none() => inner.clone(),
        _ => v,
    };
    if !raw.is_object() {
        return Err(bad("jwk: must be a JSON object"));
    }
    if raw.to_string().len() > MAX_JWK_BYTES {
        return Err(bad(format!(
            "jwk: larger than {MAX_JWK_BYTES} bytes; send the public key only"
        )));
    }
    if raw.get("d").is_some() {
        return Err(bad(
            "jwk: a private key was sent; register the public key only",
        ));
    }
    let jwk: Jwk = serde_json::from_value(raw.clone()).map_err(|e| bad(format!("jwk: {e}")))?;
    if jwk_algorithm(&jwk).is_none() || DecodingKey::from_jwk(&jwk).is_err() {
        return Err(bad(
            "jwk: unsupported key (use EC P-256/P-384, Ed25519 or RSA)",
        ));
    }
    let now = ctx.now();
    let guid = ctx.state(|s: &mut DcmState| s.register_jwk(&cg, jwk, raw, now))?;
    Ok(ok(&json!({ "guid": guid })))
}

async fn list_jwks(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    let r = (|| {
        let cg = counterparty(&ctx, &req)?;
        let keys: Vec<Value> = ctx.state(|s: &mut DcmState| {
            s.counterparty(&cg)
                .map(|c| {
                    c.jwks
                        .iter()
                        .map(|k| json!({"guid": k.guid, "jwk": k.raw, "created_at": fmt_time(k.created_at)}))
                        .collect()
                })
                .unwrap_or_default()
        });
        let total = keys.len();
        Ok(ok(&json!({ "jwks": keys, "total": total })))
    })();
    answer(&ctx, r)
}

// ---------------------------------------------------------------- customers

async fn create_customer(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let r = do_create_customer(&ctx, &req, &body);
    answer(&ctx, r)
}

fn do_create_customer(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(ctx, req)?;
    let b: CreateCustomer = json_body(body)?;
    let asset_code = text("asset_code", b.asset_code)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("asset_code: required"))?;
    let asset_issuer = text("asset_issuer", b.asset_issuer)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("asset_issuer: required"))?;
    let guid = match b.guid {
        Some(g) => Some(parse_uuid(&g).map_err(|e| bad(format!("guid: {e}")))?),
        None => None,
    };
    let branch_guid = match b.branch_guid {
        Some(g) if g.is_empty() => None,
        Some(g) => Some(parse_uuid(&g).map_err(|e| bad(format!("branch_guid: {e}")))?),
        None => None,
    };
    let iban = match b.iban.filter(|i| !i.trim().is_empty()) {
        Some(i) => Some(normalize_iban(&i)?),
        None => None,
    };
    let new = NewCustomer {
        guid,
        asset_code,
        asset_issuer,
        iban,
        login: text("login", b.login)?.unwrap_or_default(),
        kyc_level: level(b.kyc_level)?.unwrap_or(0),
        is_disabled: b.is_disabled.unwrap_or(false),
        balance_allowed: amount("balance_allowed", b.balance_allowed)?.unwrap_or(0.0),
        balance_asset_code: text("balance_asset_code", b.balance_asset_code)?,
        balance_asset_issuer: text("balance_asset_issuer", b.balance_asset_issuer)?,
        branch_guid,
        name: text("name", b.name)?.unwrap_or_default(),
        paternal_name: text("paternal_name", b.paternal_name)?.unwrap_or_default(),
        phone_number: text("phone_number", b.phone_number)?.unwrap_or_default(),
        segment: text("segment", b.segment)?.unwrap_or_default(),
        status: text("status", b.status)?,
        surname: text("surname", b.surname)?.unwrap_or_default(),
    };
    let now = ctx.now();
    // Check and insert under one lock: concurrent creates of one login make one customer.
    let out = ctx.state(|s: &mut DcmState| {
        let created = s.create_customer(&cg, new, now)?;
        let kind = s
            .counterparty(&cg)
            .map(|cp| cp.account_type.clone())
            .unwrap_or_default();
        Ok::<_, DcmError>(CreatedCustomer {
            customer_guid: created.customer_guid,
            platform: String::new(),
            kind,
            guid: created.account.guid.clone(),
            wallet_account_guid: created.account.guid,
            name: ACCOUNT_NAME.into(),
            assets_total: 1,
            assets: vec![AssetOut::new(&created.asset)],
            activated: true,
            registered: false,
            blocked: false,
            iban: created.account.iban,
        })
    })?;
    Ok(ok(&out))
}

async fn update_customer(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let r = do_update_customer(&ctx, &req, &body);
    answer(&ctx, r)
}

/// `branch_guid` as sent: `{valid, value}` (Go's nullable), a plain string, or `null`.
fn branch_update(v: &Value) -> Result<Option<String>, DcmError> {
    let guid = |s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            parse_uuid(s)
                .map(Some)
                .map_err(|e| bad(format!("branch_guid: {e}")))
        }
    };
    match v {
        Value::Null => Ok(None),
        Value::String(s) => guid(s),
        Value::Object(o) => {
            let valid = match o.get("valid") {
                Some(Value::Bool(b)) => *b,
                None => false,
                Some(_) => return Err(bad("branch_guid.valid: must be a boolean")),
            };
            let value = match o.get("value") {
                Some(Value::String(s)) => s.as_str(),
                None | Some(Value::Null) => "",
                Some(_) => return Err(bad("branch_guid.value: must be a string")),
            };
            if let Some(k) = o.keys().find(|k| *k != "valid" && *k != "value") {
                return Err(bad(format!("branch_guid: unknown field `{k}`")));
            }
            if valid { guid(value) } else { Ok(None) }
        }
        _ => Err(bad(
            "branch_guid: must be {\"valid\": bool, \"value\": string}",
        )),
    }
}

fn do_update_customer(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(ctx, req)?;
    let cu = customer_guid(req)?;
    let b: UpdateCustomer = json_body(body)?;
    if let Some(g) = &b.wallet_user_guid
        && !g.is_empty()
        && parse_uuid(g).map_err(|e| bad(format!("wallet_user_guid: {e}")))? != cu
    {
        return Err(bad(
            "wallet_user_guid: does not match the customer in the path",
        ));
    }
    let update = CustomerUpdate {
        balance_allowed: amount("balance_allowed", b.balance_allowed)?,
        balance_asset_code: text("balance_asset_code", b.balance_asset_code)?,
        balance_asset_issuer: text("balance_asset_issuer", b.balance_asset_issuer)?,
        branch_guid: match &b.branch_guid {
            Some(v) => Some(branch_update(v)?),
            // Present as `null` (serde gives `None`): the key decides.
            None if body_has_key(body, "branch_guid") => Some(None),
            None => None,
        },
        is_disabled: b.is_disabled,
        kyc_level: level(b.kyc_level)?,
        name: text("name", b.name)?,
        paternal_name: text("paternal_name", b.paternal_name)?,
        phone_number: text("phone_number", b.phone_number)?,
        segment: text("segment", b.segment)?,
        status: text("status", b.status)?,
        surname: text("surname", b.surname)?,
    };
    let now = ctx.now();
    ctx.state(|s: &mut DcmState| {
        s.counterparty_mut(&cg)
            .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?
            .update_customer(&cu, update, now)
    })?;
    Ok(ok(&json!({})))
}

fn body_has_key(body: &[u8], key: &str) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v.get(key).is_some())
}

async fn list_customers(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    let r = (|| {
        let cg = counterparty(&ctx, &req)?;
        let dcm = ctx.section::<DcmScenario>();
        let q = parse_list_query(req.query_string(), dcm.default_limit(), dcm.max_limit())?;
        let out = ctx.state(|s: &mut DcmState| {
            let cp = s
                .counterparty(&cg)
                .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?;
            let (page, total) = cp.list(&q);
            Ok::<_, DcmError>(Customers {
                customers: page.into_iter().map(|c| CustomerOut::new(cp, c)).collect(),
                total,
            })
        })?;
        Ok(ok(&out))
    })();
    answer(&ctx, r)
}

/// Query of the customers list: array filters repeat (`names=a&names=b`, also `names[]=`)
/// or list with commas (`names=a,b`); anything unknown or malformed is a 400.
pub fn parse_list_query(
    query: &str,
    default_limit: usize,
    max_limit: usize,
) -> Result<ListQuery, DcmError> {
    let mut q = ListQuery {
        limit: default_limit,
        ..Default::default()
    };
    let time = |k: &str, v: &str| -> Result<DateTime<Utc>, DcmError> {
        DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| bad(format!("{k}: `{v}` is not an RFC 3339 time")))
    };
    let float = |k: &str, v: &str| -> Result<f64, DcmError> {
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad(format!("{k}: `{v}` is not a number")))
    };
    let uint = |k: &str, v: &str| -> Result<usize, DcmError> {
        v.parse::<usize>()
            .map_err(|_| bad(format!("{k}: `{v}` is not a non-negative integer")))
    };
    for (key, value) in url_pairs(query.as_bytes()) {
        let k = key.strip_suffix("[]").unwrap_or(&key);
        let items = || {
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        match k {
            "wallet_user_guids" => {
                for g in items() {
                    q.wallet_user_guids
                        .push(parse_uuid(&g).map_err(|e| bad(format!("wallet_user_guids: {e}")))?);
                }
            }
            "branch_guids" => {
                for g in items() {
                    q.branch_guids
                        .push(parse_uuid(&g).map_err(|e| bad(format!("branch_guids: {e}")))?);
                }
            }
            "kyc_levels" => {
                for l in items() {
                    q.kyc_levels.push(
                        l.parse()
                            .map_err(|_| bad(format!("kyc_levels: `{l}` is not an integer")))?,
                    );
                }
            }
            "logins" => q.logins.extend(items()),
            "balance_asset_codes" => q.balance_asset_codes.extend(items()),
            "balance_asset_issuers" => q.balance_asset_issuers.extend(items()),
            "names" => q.names.extend(items()),
            "paternal_names" => q.paternal_names.extend(items()),
            "phone_numbers" => q.phone_numbers.extend(items()),
            "segments" => q.segments.extend(items()),
            "statuses" => q.statuses.extend(items()),
            "surnames" => q.surnames.extend(items()),
            "is_disabled" => {
                q.is_disabled = Some(match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    v => return Err(bad(format!("is_disabled: `{v}` is not a boolean"))),
                })
            }
            "min_balance_allowed" => q.min_balance_allowed = Some(float(k, &value)?),
            "max_balance_allowed" => q.max_balance_allowed = Some(float(k, &value)?),
            "search_string" => {
                q.search_string = Some(value.to_lowercase()).filter(|s| !s.is_empty())
            }
            "min_created_at" => q.min_created_at = Some(time(k, &value)?),
            "max_created_at" => q.max_created_at = Some(time(k, &value)?),
            "min_updated_at" => q.min_updated_at = Some(time(k, &value)?),
            "max_updated_at" => q.max_updated_at = Some(time(k, &value)?),
            "offset" => q.offset = uint(k, &value)?,
            "limit" => {
                let l = uint(k, &value)?;
                if l == 0 || l > max_limit {
                    return Err(bad(format!("limit: must be between 1 and {max_limit}")));
                }
                q.limit = l;
            }
            "ordering" => {
                q.ordering = Ordering::parse(&value).ok_or_else(|| {
                    bad(format!(
                        "ordering: `{value}` is not one of {}",
                        Ordering::VALUES.join(", ")
                    ))
                })?
            }
            other => return Err(bad(format!("unknown query parameter `{other}`"))),
        }
    }
    distinct("wallet_user_guids", &mut q.wallet_user_guids)?;
    distinct("logins", &mut q.logins)?;
    distinct("kyc_levels", &mut q.kyc_levels)?;
    distinct("balance_asset_codes", &mut q.balance_asset_codes)?;
    distinct("balance_asset_issuers", &mut q.balance_asset_issuers)?;
    distinct("branch_guids", &mut q.branch_guids)?;
    distinct("names", &mut q.names)?;
    distinct("paternal_names", &mut q.paternal_names)?;
    distinct("phone_numbers", &mut q.phone_numbers)?;
    distinct("segments", &mut q.segments)?;
    distinct("statuses", &mut q.statuses)?;
    distinct("surnames", &mut q.surnames)?;
    Ok(q)
}

/// At most `MAX_FILTER_VALUES` values sent for one filter, repeats dropped (first kept):
/// the scan holds the tenant's lock, so its work per customer must not grow with the query.
fn distinct<T: Eq + std::hash::Hash + Clone>(name: &str, v: &mut Vec<T>) -> Result<(), DcmError> {
    if v.len() > MAX_FILTER_VALUES {
        return Err(bad(format!(
            "{name}: at most {MAX_FILTER_VALUES} values per filter, {} sent",
            v.len()
        )));
    }
    let mut seen = HashSet::with_capacity(v.len());
    v.retain(|x| seen.insert(x.clone()));
    Ok(())
}

// ---------------------------------------------------------------- accounts

async fn create_account(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let r = do_create_account(&ctx, &req, &body);
    answer(&ctx, r)
}

fn do_create_account(ctx: &Ctx, req: &HttpRequest, body: &[u8]) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(ctx, req)?;
    let cu = customer_guid(req)?;
    let b: CreateAccount = json_body(body)?;
    let iban = match b.iban.filter(|i| !i.trim().is_empty()) {
        Some(i) => Some(normalize_iban(&i)?),
        None => None,
    };
    let one_per_asset = ctx.section::<DcmScenario>().one_account_per_asset;
    let account = ctx.state(|s: &mut DcmState| {
        let (seed, tenant) = (s.seed(), s.tenant().to_string());
        s.counterparty_mut(&cg)
            .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?
            .create_account(&cu, iban, one_per_asset, seed, &tenant)
    })?;
    Ok(ok(&CreatedAccount {
        wallet_account_guid: account.guid,
    }))
}

async fn list_accounts(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    let r = (|| {
        let cg = counterparty(&ctx, &req)?;
        let cu = customer_guid(&req)?;
        let mut iban = None;
        for (k, v) in url_pairs(req.query_string().as_bytes()) {
            match k.as_str() {
                "iban" => {
                    iban = Some(
                        v.chars()
                            .filter(|c| !c.is_whitespace())
                            .collect::<String>()
                            .to_uppercase(),
                    )
                    .filter(|s| !s.is_empty())
                }
                other => return Err(bad(format!("unknown query parameter `{other}`"))),
            }
        }
        let out = ctx.state(|s: &mut DcmState| {
            let cp = s
                .counterparty(&cg)
                .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?;
            let c = cp
                .customer(&cu)
                .ok_or_else(|| DcmError::NotFound(format!("customer {cu} not found")))?;
            let accounts: Vec<AccountOut> = c
                .accounts
                .iter()
                .filter(|a| iban.as_ref().is_none_or(|i| &a.iban == i))
                .map(|a| AccountOut::new(cp, a))
                .collect();
            let total = accounts.len();
            Ok::<_, DcmError>(Accounts { accounts, total })
        })?;
        Ok(ok(&out))
    })();
    answer(&ctx, r)
}

// ---------------------------------------------------------------- admin

/// `DELETE /__sandbox/dcm/sessions/{token}`: ends a session (or a scenario token) early.
pub async fn admin_revoke(ctx: Ctx, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let revoked = ctx.state(|s: &mut DcmState| s.revoke(&token));
    HttpResponse::Ok().json(json!({ "revoked": revoked }))
}
