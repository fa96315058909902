//! Thin handlers: check the key, parse and check the body, ask the state, answer.

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use super::codes::CarmaError;
use super::data;
use super::scenario::{CarmaChainScenario, Client};
use super::state::{self, ApiKey, CarmaState, NewRequest, Request};
use super::wire::{
    self, ALL_CATEGORIES, CATEGORIES, Claims, CreateAnswer, CreatedItem, RespondAnswer,
    RespondItem, Status, TokenAnswer,
};
use crate::input::{Blank, Text, header, json_object};
use crate::provider::{Body, Ctx, Routes, json, sandbox_error};
use crate::scenario::PersonRecord;

/// Items in one `value` batch.
pub const MAX_BATCH: usize = 100;
/// Items in one `respond` answer, so one answer stays a few megabytes whatever the
/// store holds: a `period` answer keeps the newest this many, an `idRequest` list
/// (duplicates dropped) of more is refused.
pub const MAX_RESPOND_ITEMS: usize = 1_000;
pub const MAX_IDS: usize = MAX_RESPOND_ITEMS;
const MAX_DOCUMENT: usize = 64;
/// `period` above ten years is read as ten years.
const MAX_PERIOD_MINUTES: f64 = 10.0 * 366.0 * 24.0 * 60.0;

pub const METHOD_CREATE: &str = "createrequest";
pub const METHOD_RESPOND: &str = "respond";
pub const METHODS: &[&str] = &[METHOD_CREATE, METHOD_RESPOND];

pub fn routes(r: &mut Routes) {
    r.get("/auth/getToken", get_token)
        .post("/api/createrequest", create_request)
        .post("/api/respond", respond);
}

// ---------------------------------------------------------------- getToken

/// An API key for `createrequest` and `respond`, valid `key_ttl_hours` (24) virtual
/// hours; HTTP Basic credentials (`carmachain_basic`) choose the client when the
/// scenario configures some. The default scenario has none, so the document declares
/// no requirement: an open `getToken` is what it serves.
#[utoipa::path(
    get,
    path = "/auth/getToken",
    tag = "carmachain",
    description = "With `carmachain.clients` in the scenario, HTTP Basic credentials (scheme `carmachain_basic`) choose the client; without, anyone gets a key.",
    responses((status = 200, description = "`0` (ok): the key", body = wire::TokenAnswer,
        links(
            ("createrequest" = (operation_id = "carmachain_post_api_createrequest", description = "Ask about people: send `token` as `Authorization` (security schemes are no link parameters)")),
            ("respond" = (operation_id = "carmachain_post_api_respond", description = "Read answers: send `token` as `Authorization`")),
        )))
)]
async fn get_token(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, CarmaError> {
    let ctx = &ctx;
    let sc = ctx.section::<CarmaChainScenario>();
    let client = client(&sc.clients, header(&req, "authorization"))?;
    let scope: Vec<String> = match client {
        Some(c) if !c.scope.is_empty() => c.scope.clone(),
        _ => METHODS.iter().map(|m| m.to_string()).collect(),
    };
    let now = ctx.now();
    let ttl = Duration::hours(i64::from(sc.key_ttl_hours));
    let username = client.and_then(|c| c.username.clone());
    let key = ctx.state(|s: &mut CarmaState| s.issue_key(username, scope, now, ttl));
    let token = sign(&key, &sc.jwt_secret)?;
    let body = TokenAnswer {
        token,
        id: key.id,
        expires_at: key.expires.to_rfc3339_opts(SecondsFormat::Secs, true),
        scope: key.scope,
    };
    Ok(json(200, &body, &ok_code(ctx).0))
}

/// What follows `scheme` (in any case) in an `Authorization` value.
fn after_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The client `getToken` is talking to: by HTTP Basic credentials, or the open one.
fn client<'a>(
    clients: &'a [Client],
    authorization: Option<&str>,
) -> Result<Option<&'a Client>, CarmaError> {
    if clients.is_empty() {
        return Ok(None);
    }
    let found = match authorization.and_then(|v| after_scheme(v, "basic")) {
        Some(encoded) => {
            let (user, pass) = basic_credentials(encoded)?;
            clients
                .iter()
                .find(|c| c.username.as_deref() == Some(user.as_str()) && c.password == pass)
                .ok_or_else(|| {
                    CarmaError::BadCredentials(format!("no client `{user}` with that password"))
                })?
        }
        None => clients
            .iter()
            .find(|c| c.username.is_none())
            .ok_or_else(|| {
                CarmaError::BadCredentials("HTTP Basic credentials are required".into())
            })?,
    };
    Ok(Some(found))
}

/// The user and password of HTTP Basic credentials.
fn basic_credentials(encoded: &str) -> Result<(String, String), CarmaError> {
    let decoded = base64_decode(encoded)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            CarmaError::BadCredentials("Basic credentials are not base64 of user:password".into())
        })?;
    let (user, pass) = decoded
        .split_once(':')
        .ok_or_else(|| CarmaError::BadCredentials("Basic credentials lack a `:`".into()))?;
    Ok((user.to_string(), pass.to_string()))
}

/// Standard base64 (padding optional), enough for HTTP Basic.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = text.trim_end_matches('=').bytes().collect();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = acc.to_be_bytes();
        out.push(a);
        if chunk.len() > 2 {
            out.push(b);
        }
        if chunk.len() > 3 {
            out.push(c);
        }
    }
    Some(out)
}

/// The key as an HS256 JWT; its `iat` and `exp` are the key's whole seconds.
fn sign(key: &ApiKey, secret: &str) -> Result<String, CarmaError> {
    let claims = Claims {
        id: key.id.clone(),
        iat: key.issued.timestamp(),
        exp: key.expires.timestamp(),
        scope: key.scope.clone(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| CarmaError::Internal(format!("signing the key failed: {e}")))
}

// ---------------------------------------------------------------- key check

/// The key of `Authorization` (bare or `Bearer`), checked at the tenant's clock and for
/// `method`.
fn authorize(ctx: &Ctx, req: &HttpRequest, method: &str) -> Result<(), CarmaError> {
    let raw = header(req, "authorization").unwrap_or_default();
    let token = after_scheme(raw, "bearer").unwrap_or(raw);
    if token.is_empty() {
        return Err(CarmaError::MissingKey);
    }
    let now = ctx.now();
    let key = checked_key(ctx, token, now)?;
    if key.revoked {
        return Err(CarmaError::RevokedKey);
    }
    if now >= key.expires {
        return Err(CarmaError::ExpiredKey);
    }
    if !key.scope.iter().any(|m| m == method) {
        return Err(CarmaError::OutOfScope(format!(
            "this key covers {}, not {method}",
            key.scope.join(", ")
        )));
    }
    Ok(())
}

/// The key a token names once its signature and `exp` are checked: from the tenant's
/// memo of checked tokens, or checked now and remembered. A token naming no key (any
/// more) is revoked.
fn checked_key(ctx: &Ctx, token: &str, now: DateTime<Utc>) -> Result<ApiKey, CarmaError> {
    let memo = ctx.state(|s: &mut CarmaState| {
        let (id, exp) = s.verified(token)?;
        s.key(id).cloned().map(|key| (key, exp))
    });
    if let Some((key, exp)) = memo {
        return if now.timestamp() >= exp {
            Err(CarmaError::ExpiredKey)
        } else {
            Ok(key)
        };
    }
    let claims = verify(token, &ctx.section::<CarmaChainScenario>().jwt_secret)?;
    if now.timestamp() >= claims.exp {
        return Err(CarmaError::ExpiredKey);
    }
    ctx.state(|s: &mut CarmaState| {
        let key = s.key(&claims.id).cloned();
        if key.is_some() {
            s.remember(token, &claims.id, claims.exp);
        }
        key
    })
    .ok_or(CarmaError::RevokedKey)
}

/// The claims of a key signed with `secret`, expired or not: the expiry is checked
/// against the tenant's clock, where jsonwebtoken would read the system's.
fn verify(token: &str, secret: &str) -> Result<Claims, CarmaError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp"]);
    let secret = DecodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::decode::<Claims>(token, &secret, &validation)
        .map(|data| data.claims)
        .map_err(|e| CarmaError::MalformedKey(e.to_string()))
}

// ---------------------------------------------------------------- body checks

fn invalid(detail: impl Into<String>) -> CarmaError {
    CarmaError::InvalidField(detail.into())
}

/// The body as a JSON object of `allowed` fields.
fn object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, CarmaError> {
    let obj = json_object(body)
        .map_err(|e| CarmaError::BadJson(e.to_string()))?
        .map_err(|_| invalid("body: must be a JSON object"))?;
    only_fields(&obj, allowed, "")?;
    Ok(obj)
}

/// Refuses the first field of `obj` not in `allowed`; `at` prefixes its name.
fn only_fields(obj: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), CarmaError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(invalid(format!(
            "{at}{unknown}: not a known field (known: {})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

/// `type_request` as a string or an array of strings; `All categories` expands to all.
/// Every item is checked before expanding, so a bad name next to `All categories` is
/// still refused.
fn categories(obj: &Map<String, Value>) -> Result<Vec<&'static str>, CarmaError> {
    let names: Vec<&Value> = match obj.get("type_request") {
        None | Some(Value::Null) => return Err(invalid("type_request: required")),
        Some(v @ Value::String(_)) => vec![v],
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(invalid("type_request: must not be empty"));
        }
        Some(Value::Array(items)) => items.iter().collect(),
        Some(_) => {
            return Err(invalid(
                "type_request: must be a string or an array of strings",
            ));
        }
    };
    let mut out: Vec<&'static str> = Vec::new();
    let mut all = false;
    for (i, name) in names.iter().enumerate() {
        let Value::String(name) = name else {
            return Err(invalid(format!("type_request[{i}]: must be a string")));
        };
        let category = wire::category(name).ok_or_else(|| {
            CarmaError::UnknownCategory(format!(
                "`{name}` is not one of: {ALL_CATEGORIES}, {}",
                CATEGORIES.join(", ")
            ))
        })?;
        if category == ALL_CATEGORIES {
            all = true;
        } else if !out.contains(&category) {
            out.push(category);
        }
    }
    Ok(if all { CATEGORIES.to_vec() } else { out })
}

/// `+380XXXXXXXXX`, `380XXXXXXXXX` or `0XXXXXXXXX`, as `+380XXXXXXXXX`.
pub fn phone(text: &str) -> Option<String> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match (text.starts_with('+'), digits.len()) {
        (_, 12) if digits.starts_with("380") => Some(format!("+{digits}")),
        (false, 10) if digits.starts_with('0') => Some(format!("+38{digits}")),
        _ => None,
    }
}

/// A text field of an item, trimmed. Its length is checked after trimming, with a
/// message of its own, so the shared rule sets no limit.
fn text_field(item: &Map<String, Value>, at: &str, field: &str) -> Result<String, CarmaError> {
    const TRIMMED: Text = Text {
        max: usize::MAX,
        blank: Blank::Kept,
        trim: true,
    };
    TRIMMED
        .required(item, field)
        .map_err(|p| invalid(p.describe(&format!("{at}.{field}"))))
}

struct Item {
    id_document: String,
    phone: String,
}

fn items(obj: &Map<String, Value>) -> Result<Vec<Item>, CarmaError> {
    let list = match obj.get("value") {
        None | Some(Value::Null) => return Err(invalid("value: required")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid("value: must be an array of objects")),
    };
    if list.is_empty() {
        return Err(CarmaError::EmptyValue);
    }
    if list.len() > MAX_BATCH {
        return Err(invalid(format!(
            "value: at most {MAX_BATCH} items per request"
        )));
    }
    list.iter()
        .enumerate()
        .map(|(i, v)| item(&format!("value[{i}]"), v))
        .collect()
}

fn item(at: &str, value: &Value) -> Result<Item, CarmaError> {
    let Value::Object(item) = value else {
        return Err(invalid(format!("{at}: must be an object")));
    };
    only_fields(item, &["IdDocument", "PhoneNumber"], &format!("{at}."))?;
    let id_document = text_field(item, at, "IdDocument")?;
    if id_document.is_empty() || id_document.chars().count() > MAX_DOCUMENT {
        return Err(invalid(format!(
            "{at}.IdDocument: must be 1 to {MAX_DOCUMENT} characters"
        )));
    }
    let raw_phone = text_field(item, at, "PhoneNumber")?;
    let phone = phone(&raw_phone).ok_or_else(|| {
        CarmaError::BadPhone(format!(
            "{at}.PhoneNumber `{raw_phone}`: use +380XXXXXXXXX, 380XXXXXXXXX or 0XXXXXXXXX"
        ))
    })?;
    Ok(Item { id_document, phone })
}

fn ok_code(ctx: &Ctx) -> (String, String) {
    ctx.codes(super::NAME)
        .by_key("ok")
        .map(|e| (e.code.clone(), e.message.clone()))
        .unwrap_or_else(|| ("0".into(), "OK".into()))
}

fn ok_status(ctx: &Ctx) -> (Status, String) {
    let (code, message) = ok_code(ctx);
    (Status::new(&code, &message, None), code)
}

// ---------------------------------------------------------------- createrequest

/// Asks the peers about each person of `value`; each request is `Panding` until the
/// scenario's delay has passed on the tenant's clock.
#[utoipa::path(
    post,
    path = "/api/createrequest",
    tag = "carmachain",
    request_body = wire::CreateRequest,
    responses((status = 200, description = "`0` (ok): the requests made", body = CreateAnswer,
        links(("respond" = (operation_id = "carmachain_post_api_respond", request_body = json!({"idRequest": ["$response.body#/parametrRequest/0/idRequest"]}), description = "Read the answer to the first request made"))))),
    security(("carmachain_key" = []))
)]
async fn create_request(
    ctx: Ctx,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, CarmaError> {
    let ctx = &ctx;
    authorize(ctx, &req, METHOD_CREATE)?;
    let obj = object(&body, &["type_request", "value"])?;
    let categories = categories(&obj)?;
    let items = items(&obj)?;
    let sc = ctx.section::<CarmaChainScenario>();
    if let Some(item) = items.iter().find(|i| {
        sc.error_documents
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&i.id_document))
    }) {
        return Err(CarmaError::Internal(format!(
            "IdDocument `{}` is a magic error value",
            item.id_document
        )));
    }
    let now = ctx.now();
    let batch: Vec<NewRequest> = items
        .into_iter()
        .map(|item| new_request(ctx, &sc, item, &categories, now))
        .collect();
    let made = ctx
        .state(|s: &mut CarmaState| s.create(batch, now))
        .map_err(|_| {
            CarmaError::Internal("the request store is full of pending requests".into())
        })?;
    let (response, code) = ok_status(ctx);
    let body = CreateAnswer {
        response,
        parametr_request: made
            .into_iter()
            .map(|r| CreatedItem {
                id_document: r.id_document,
                phone_number: r.phone,
                id_request: r.id,
            })
            .collect(),
    };
    Ok(json(200, &body, &code))
}

/// An item as stored: with the scenario person behind it (by document first, then by
/// phone) and the time it turns `Done`.
fn new_request(
    ctx: &Ctx,
    sc: &CarmaChainScenario,
    item: Item,
    categories: &[&'static str],
    now: DateTime<Utc>,
) -> NewRequest {
    let people = &ctx.world().people;
    let person = people
        .by_document(&item.id_document)
        .or_else(|| people.by_phone(&item.phone))
        .map(|p| p.id.clone());
    NewRequest {
        ready_at: sc.ready_at(person.as_deref(), now),
        id_document: item.id_document,
        phone: item.phone,
        person,
        categories: categories.to_vec(),
    }
}

// ---------------------------------------------------------------- respond

/// The requests asked for, with the rows of the peers once a request is `Done`.
#[utoipa::path(
    post,
    path = "/api/respond",
    tag = "carmachain",
    request_body = wire::RespondRequest,
    responses((status = 200, description = "`0` (ok): the requests and their rows", body = RespondAnswer)),
    security(("carmachain_key" = []))
)]
async fn respond(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, CarmaError> {
    let ctx = &ctx;
    authorize(ctx, &req, METHOD_RESPOND)?;
    let obj = object(&body, &["type_request", "idRequest", "period"])?;
    let asked = categories(&obj)?;
    let selector = selector(&obj)?;
    let now = ctx.now();
    let (found, total) = ctx.state(|s: &mut CarmaState| select(s, &selector, now))?;
    let items = found
        .iter()
        .map(|r| respond_item(ctx, r, &asked, now))
        .collect();
    let (mut response, code) = ok_status(ctx);
    if total > found.len() {
        response.detail = Some(format!(
            "only the {} newest of {total} requests of the period; shorten `period` or ask by `idRequest`",
            found.len()
        ));
    }
    let body = RespondAnswer {
        response,
        parametr_request: items,
    };
    Ok(json(200, &body, &code))
}

enum Selector {
    Ids(Vec<String>),
    Minutes(f64),
}

fn selector(obj: &Map<String, Value>) -> Result<Selector, CarmaError> {
    let ids = obj.get("idRequest").filter(|v| !v.is_null());
    let period = obj.get("period").filter(|v| !v.is_null());
    match (ids, period) {
        (Some(_), Some(_)) => Err(CarmaError::Selector(
            "both idRequest and period given".into(),
        )),
        (None, None) => Err(CarmaError::Selector(
            "neither idRequest nor period given".into(),
        )),
        (Some(Value::Array(list)), None) => request_ids(list).map(Selector::Ids),
        (Some(_), None) => Err(invalid("idRequest: must be an array of strings")),
        (None, Some(p)) => match p.as_f64() {
            Some(m) if m.is_finite() && m >= 0.0 => {
                Ok(Selector::Minutes(m.min(MAX_PERIOD_MINUTES)))
            }
            _ => Err(invalid("period: must be a number of minutes, 0 or more")),
        },
    }
}

/// Each id once, in the order first asked: repeats would only repeat rows.
fn request_ids(list: &[Value]) -> Result<Vec<String>, CarmaError> {
    if list.is_empty() {
        return Err(invalid("idRequest: must not be empty"));
    }
    if list.len() > MAX_IDS {
        return Err(invalid(format!("idRequest: at most {MAX_IDS} ids")));
    }
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let Value::String(id) = v else {
            return Err(invalid(format!("idRequest[{i}]: must be a string")));
        };
        if seen.insert(id.as_str()) {
            ids.push(id.clone());
        }
    }
    Ok(ids)
}

/// The requests `selector` names, and how many the period held (more than those
/// answered when it holds over `MAX_RESPOND_ITEMS`).
fn select(
    s: &CarmaState,
    selector: &Selector,
    now: DateTime<Utc>,
) -> Result<(Vec<Request>, usize), CarmaError> {
    match selector {
        Selector::Ids(ids) => {
            let unknown: Vec<&str> = ids
                .iter()
                .filter(|id| s.request(id).is_none())
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                return Err(CarmaError::UnknownRequest(format!(
                    "unknown: {}",
                    unknown.join(", ")
                )));
            }
            let found: Vec<Request> = ids.iter().filter_map(|id| s.request(id).cloned()).collect();
            let total = found.len();
            Ok((found, total))
        }
        Selector::Minutes(m) => {
            let from = now
                .checked_sub_signed(Duration::milliseconds((m * 60_000.0) as i64))
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            Ok(s.since(from, now, MAX_RESPOND_ITEMS))
        }
    }
}

/// A request as `respond` lists it: rows only once it is `Done`.
fn respond_item(ctx: &Ctx, r: &Request, asked: &[&'static str], now: DateTime<Utc>) -> RespondItem {
    let status = state::status(r, now);
    RespondItem {
        id_document: r.id_document.clone(),
        phone_number: r.phone.clone(),
        id_request: r.id.clone(),
        status,
        request_details: if status == wire::STATUS_DONE {
            details(ctx, r, asked)
        } else {
            Vec::new()
        },
    }
}

/// Rows from every peer that knows the person, for the categories asked at creation
/// and now.
fn details(ctx: &Ctx, r: &Request, asked: &[&'static str]) -> Vec<wire::Detail> {
    let sc = ctx.section::<CarmaChainScenario>();
    let world = ctx.world();
    let categories: Vec<&'static str> = r
        .categories
        .iter()
        .copied()
        .filter(|c| asked.contains(c))
        .collect();
    let (key, person) = match r.person.as_deref().and_then(|id| world.people.by_id(id)) {
        Some(p) => (p.id.clone(), p.clone()),
        None => {
            let mut p = PersonRecord::stranger(world.seed, "id_document", &r.id_document);
            p.phone = r.phone.clone();
            (format!("id_document:{}", r.id_document.to_uppercase()), p)
        }
    };
    sc.peers
        .iter()
        .filter(|p| p.knows(r.person.as_deref()))
        .flat_map(|peer| {
            let fixed = r.person.as_deref().and_then(|id| peer.data.get(id));
            data::rows(world.seed, peer, &key, &person, &categories, fixed)
        })
        .collect()
}

// ---------------------------------------------------------------- admin

pub fn configure_admin(r: &mut Routes) {
    r.get("/tokens", list_tokens)
        .delete("/tokens/{id}", revoke_token)
        .post("/requests/{id}/complete", complete_request);
}

async fn list_tokens(ctx: Ctx) -> HttpResponse {
    let now = ctx.now();
    let keys = ctx.state(|s: &mut CarmaState| s.keys_view(now));
    HttpResponse::Ok().json(serde_json::json!({ "tenant": ctx.tenant.name, "keys": keys }))
}

async fn revoke_token(ctx: Ctx, id: web::Path<String>) -> HttpResponse {
    let now = ctx.now();
    let key = ctx.state(|s: &mut CarmaState| {
        s.revoke(&id);
        s.key(&id).map(|k| state::key_view(k, now))
    });
    match key {
        Some(key) => HttpResponse::Ok().json(key),
        None => not_found(&ctx, "key", &id),
    }
}

async fn complete_request(ctx: Ctx, id: web::Path<String>) -> HttpResponse {
    let now = ctx.now();
    match ctx.state(|s: &mut CarmaState| s.complete(&id, now)) {
        Some(r) => HttpResponse::Ok().json(serde_json::json!({
            "idRequest": r.id,
            "status": state::status(&r, now),
            "completedAt": r.completed_at.unwrap_or(now).to_rfc3339_opts(SecondsFormat::Millis, true),
        })),
        None => not_found(&ctx, "request", &id),
    }
}

/// The admin answer for an id this tenant does not hold.
fn not_found(ctx: &Ctx, what: &str, id: &str) -> HttpResponse {
    let message = format!(
        "no CarmaChain {what} `{id}` in tenant `{}`",
        ctx.tenant.name
    );
    sandbox_error(StatusCode::NOT_FOUND, "not-found", &message, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Coded;

    #[test]
    fn three_phone_formats_normalise_and_others_fail() {
        for p in ["+380501234567", "380501234567", "0501234567"] {
            assert_eq!(phone(p).as_deref(), Some("+380501234567"));
        }
        for p in [
            "12345",
            "+0501234567",
            "381501234567",
            "050123456a",
            "+3805012345678",
            "",
        ] {
            assert_eq!(phone(p), None, "{p}");
        }
    }

    #[test]
    fn clients_decide_who_gets_a_key() {
        let reader = Client {
            username: Some("reader".into()),
            password: "sandbox".into(),
            scope: vec!["respond".into()],
        };
        let open = Client::default();
        let basic = "Basic cmVhZGVyOnNhbmRib3g="; // reader:sandbox
        assert_eq!(client(&[], None).unwrap().map(|c| c.username.clone()), None);
        assert!(client(&[], Some("Basic eDp5")).unwrap().is_none());
        let only_reader = [reader.clone()];
        assert_eq!(
            client(&only_reader, Some(basic)).unwrap().unwrap().scope,
            ["respond"]
        );
        assert_eq!(
            client(&only_reader, None).unwrap_err().key(),
            "bad_credentials"
        );
        assert_eq!(
            client(&only_reader, Some("Bearer x")).unwrap_err().key(),
            "bad_credentials"
        );
        let with_open = [reader, open];
        assert!(
            client(&with_open, None)
                .unwrap()
                .unwrap()
                .username
                .is_none()
        );
        assert_eq!(
            client(&with_open, Some("Basic eDp5")).unwrap_err().key(),
            "bad_credentials"
        );
    }

    #[test]
    fn base64_decodes_basic_credentials() {
        assert_eq!(
            base64_decode("c2FuZGJveDpzYW5kYm94").unwrap(),
            b"sandbox:sandbox"
        );
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("!!").is_none());
    }
}
