//! Thin handlers: authenticate, parse and check the input, ask the state, answer.
//! The login (`/kratos/...`) is Kratos's (`login`, `login_form`, `session`). Order of
//! checks on `/api/v1/counterparty/{cg}/...`: the GUID's shape (400), the
//! counterparty exists (404), credentials (401), the body (400), the customer (404).

mod auth;
mod login;
mod login_form;
mod openapi;
mod session;

pub use openapi::document;
pub use session::admin_revoke;

use actix_web::{HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::codes::DcmError;
use super::errors::{bad, no_counterparty, no_customer};
use super::scenario::DcmScenario;
use super::state::{
    CustomerUpdate, DcmState, NewCustomer, guid_field, normalize_iban, parse_list_query,
};
use super::wire::{
    AccountOut, Accounts, ApiErrors, CreateAccount, CreateCustomer, CreatedAccount,
    CreatedCustomer, Customers, UpdateCustomer, Updated, customers_json,
};
use crate::input::{Blank, FieldProblem, Text, url_pairs};
use crate::provider::writer::json_bytes;
use crate::provider::{Body, Ctx, Routes, json};

/// Path segments that may be empty (`/customers//accounts`), so an empty GUID is answered
/// `invalid UUID length: 0` like any malformed one instead of 404.
const CG: &str = "/api/v1/counterparty/{cg:[^/]*}";
const CU: &str = "{cu:[^/]*}";

/// Longest text field accepted.
const MAX_TEXT: usize = 255;

pub fn routes(r: &mut Routes) {
    r.get("/kratos/self-service/login/api", login::create_flow)
        .post("/kratos/self-service/login", login::login)
        .get("/kratos/sessions/whoami", session::whoami)
        .delete("/kratos/self-service/logout/api", session::logout)
        .post(format!("{CG}/jwk"), auth::register_jwk)
        .get(format!("{CG}/jwk"), auth::list_jwks)
        .post(format!("{CG}/customers"), create_customer)
        .get(format!("{CG}/customers"), list_customers)
        .put(format!("{CG}/customers/{CU}"), update_customer)
        .post(format!("{CG}/customers/{CU}/accounts"), create_account)
        .get(format!("{CG}/customers/{CU}/accounts"), list_accounts);
}

fn ok(body: &impl serde::Serialize) -> HttpResponse {
    json(200, body, "200")
}

/// The path's counterparty, checked in the documented order (shape, existence, credentials).
fn counterparty(ctx: &Ctx, req: &HttpRequest) -> Result<String, DcmError> {
    let cg = guid_field(
        "counterparty_guid",
        req.match_info().get("cg").unwrap_or_default(),
    )?;
    if !ctx.state(|s: &mut DcmState| s.counterparty(&cg).is_some()) {
        return Err(no_counterparty(&cg));
    }
    auth::authenticate(ctx, req, &cg)?;
    Ok(cg)
}

/// The path's counterparty (checked as `counterparty` does) and customer GUID.
fn counterparty_and_customer(ctx: &Ctx, req: &HttpRequest) -> Result<(String, String), DcmError> {
    let cg = counterparty(ctx, req)?;
    let cu = req.match_info().get("cu").unwrap_or_default();
    Ok((cg, guid_field("customer_guid", cu)?))
}

fn invalid_json(e: serde_json::Error) -> DcmError {
    bad(format!("invalid JSON body: {e}"))
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DcmError> {
    serde_json::from_slice(body).map_err(invalid_json)
}

/// A body of the customer API; an empty one is `{}`.
fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, DcmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return parse_json(b"{}");
    }
    parse_json(body)
}

fn text(field: &str, v: Option<String>) -> Result<Option<String>, DcmError> {
    read(field, v, Blank::Kept)
}

/// A text that must be there and not be empty.
fn required(field: &str, v: Option<String>) -> Result<String, DcmError> {
    read(field, v, Blank::Empty)?.ok_or_else(|| bad(FieldProblem::Missing.describe(field)))
}

fn read(field: &str, v: Option<String>, blank: Blank) -> Result<Option<String>, DcmError> {
    let rules = Text {
        max: MAX_TEXT,
        blank,
        trim: false,
    };
    rules
        .value(v.as_deref())
        .map_err(|p| bad(p.describe(field)))
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

/// An IBAN sent for a new account; blank is none (one is generated).
fn sent_iban(iban: Option<String>) -> Result<Option<String>, DcmError> {
    iban.filter(|i| !i.trim().is_empty())
        .map(|i| normalize_iban(&i))
        .transpose()
}

// ---------------------------------------------------------------- customers

#[utoipa::path(
    post,
    path = "/api/v1/counterparty/{cg}/customers",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111")),
    request_body = CreateCustomer,
    responses((status = 200, description = "The new customer and its first account", body = CreatedCustomer), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
async fn create_customer(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(&ctx, &req)?;
    let new = new_customer(json_body(&body)?)?;
    // Checked and keyed under the lock, IDs drawn outside it, then checked again, stamped
    // and inserted under it: concurrent creates of one login make one customer, and
    // creation times follow the store's order, which the list's `created_at` order then
    // reads without sorting.
    let drawn = ctx.state(|s: &mut DcmState| s.reserve_customer(&cg, &new))?;
    let drawn = drawn.draw();
    let out = ctx.state(|s: &mut DcmState| {
        let created = s.commit_customer(&cg, new, drawn, ctx.now())?;
        let kind = s.counterparty_or_404(&cg)?.account_type.clone();
        Ok::<_, DcmError>(CreatedCustomer::new(created, kind))
    })?;
    Ok(json_bytes(200, out.to_json(), "200"))
}

/// The create as sent, checked field by field in the order of the body's fields.
fn new_customer(b: CreateCustomer) -> Result<NewCustomer, DcmError> {
    let asset_code = required("asset_code", b.asset_code)?;
    let asset_issuer = required("asset_issuer", b.asset_issuer)?;
    let guid = b.guid.map(|g| guid_field("guid", &g)).transpose()?;
    let branch_guid = b
        .branch_guid
        .filter(|g| !g.is_empty())
        .map(|g| guid_field("branch_guid", &g))
        .transpose()?;
    Ok(NewCustomer {
        guid,
        asset_code,
        asset_issuer,
        iban: sent_iban(b.iban)?,
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
    })
}

#[utoipa::path(
    put,
    path = "/api/v1/counterparty/{cg}/customers/{cu}",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111"), ("cu" = String, Path, format = "uuid", description = "The customer (`wallet_user_guid`)", example = "aaaaaaaa-0000-4000-8000-000000000001")),
    request_body = UpdateCustomer,
    responses((status = 200, description = "Updated: `{}`", body = Updated), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
async fn update_customer(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, DcmError> {
    let (cg, cu) = counterparty_and_customer(&ctx, &req)?;
    let b: UpdateCustomer = json_body(&body)?;
    if let Some(g) = &b.wallet_user_guid
        && !g.is_empty()
        && guid_field("wallet_user_guid", g)? != cu
    {
        return Err(bad(
            "wallet_user_guid: does not match the customer in the path",
        ));
    }
    // `branch_guid: null` (serde gives `None`) clears it: the key decides.
    let null_branch = b.branch_guid.is_none() && body_has_key(&body, "branch_guid");
    let update = customer_update(b, null_branch)?;
    let now = ctx.now();
    ctx.state(|s: &mut DcmState| {
        s.counterparty_or_404_mut(&cg)?
            .update_customer(&cu, update, now)
    })?;
    Ok(ok(&Updated {}))
}

fn customer_update(b: UpdateCustomer, null_branch: bool) -> Result<CustomerUpdate, DcmError> {
    Ok(CustomerUpdate {
        balance_allowed: amount("balance_allowed", b.balance_allowed)?,
        balance_asset_code: text("balance_asset_code", b.balance_asset_code)?,
        balance_asset_issuer: text("balance_asset_issuer", b.balance_asset_issuer)?,
        branch_guid: match &b.branch_guid {
            Some(v) => Some(branch_update(v)?),
            None if null_branch => Some(None),
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
    })
}

/// `branch_guid` as sent: `{valid, value}` (Go's nullable), a plain string, or `null`.
fn branch_update(v: &Value) -> Result<Option<String>, DcmError> {
    let guid = |s: &str| {
        (!s.is_empty())
            .then(|| guid_field("branch_guid", s))
            .transpose()
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

fn body_has_key(body: &[u8], key: &str) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v.get(key).is_some())
}

#[utoipa::path(
    get,
    path = "/api/v1/counterparty/{cg}/customers",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111"), crate::providers::dcm::state::ListQuery),
    responses((status = 200, description = "One page of the matching customers, `total` counts all", body = Customers), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
async fn list_customers(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(&ctx, &req)?;
    let dcm = ctx.section::<DcmScenario>();
    let q = parse_list_query(req.query_string(), dcm.default_limit(), dcm.max_limit())?;
    let bytes = ctx.state(|s: &mut DcmState| {
        let cp = s.counterparty_or_404(&cg)?;
        let (page, total) = cp.list(&q);
        Ok::<_, DcmError>(customers_json(cp, &page, total))
    })?;
    Ok(json_bytes(200, bytes, "200"))
}

// ---------------------------------------------------------------- accounts

#[utoipa::path(
    post,
    path = "/api/v1/counterparty/{cg}/customers/{cu}/accounts",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111"), ("cu" = String, Path, format = "uuid", description = "The customer (`wallet_user_guid`)", example = "aaaaaaaa-0000-4000-8000-000000000001")),
    request_body(content = Option<CreateAccount>, description = "`{}`, empty, or an IBAN to use"),
    responses((status = 200, description = "The new account", body = CreatedAccount), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
async fn create_account(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, DcmError> {
    let (cg, cu) = counterparty_and_customer(&ctx, &req)?;
    let b: CreateAccount = json_body(&body)?;
    let iban = sent_iban(b.iban)?;
    let one_per_asset = ctx.section::<DcmScenario>().one_account_per_asset;
    let account = ctx.state(|s: &mut DcmState| s.create_account(&cg, &cu, iban, one_per_asset))?;
    Ok(ok(&CreatedAccount {
        wallet_account_guid: account.guid,
    }))
}

/// The accounts list's one parameter, `iban`: spaces dropped, upper case.
fn iban_filter(query: &str) -> Result<Option<String>, DcmError> {
    let mut iban = None;
    for (k, v) in url_pairs(query.as_bytes()) {
        if k != "iban" {
            return Err(bad(format!("unknown query parameter `{k}`")));
        }
        let normal: String = v.chars().filter(|c| !c.is_whitespace()).collect();
        iban = Some(normal.to_uppercase()).filter(|s| !s.is_empty());
    }
    Ok(iban)
}

#[utoipa::path(
    get,
    path = "/api/v1/counterparty/{cg}/customers/{cu}/accounts",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111"), ("cu" = String, Path, format = "uuid", description = "The customer (`wallet_user_guid`)", example = "aaaaaaaa-0000-4000-8000-000000000001"), ("iban" = Option<String>, Query, description = "Only the account with this IBAN (spaces dropped, upper case)")),
    responses((status = 200, description = "The customer's accounts", body = Accounts), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
async fn list_accounts(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let (cg, cu) = counterparty_and_customer(&ctx, &req)?;
    let iban = iban_filter(req.query_string())?;
    let out = ctx.state(|s: &mut DcmState| {
        let cp = s.counterparty_or_404(&cg)?;
        let c = cp.customer(&cu).ok_or_else(|| no_customer(&cu))?;
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
}
