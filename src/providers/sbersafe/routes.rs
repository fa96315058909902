//! Thin handlers: parse the request (`request`), check it against the scenario, ask the
//! state, answer.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::Duration;
use serde::Serialize;

use super::clients::{self, SUCCESS};
use super::codes::SberError;
use super::request::{
    ClientsRequest, CreateRequest, FindRequest, Lookup, OtpRequest, TokenRequest, authorization,
    check_accept, required, web_lookup,
};
use super::scenario::SberSafeScenario;
use super::state::{Client, OtpRules, SberSafeState, Token, moscow};
use super::wire::{
    self, ClientRef, ClientsAnswer, ClientsBody, CreateBody, FindAnswer, FindBody, FoundClient,
    OtpAnswer, OtpBody, TokenAnswer, TokenBody, WebFindForm, WebFound,
};
use crate::provider::writer::json_bytes;
use crate::provider::{Body, Ctx, Routes, json, sandbox_error};

pub fn routes(r: &mut Routes) {
    r.post("/api/clients/find", find)
        .post("/api/clients/create", create)
        .post("/api/auth/otp", otp)
        .post("/api/auth/token", token)
        .post("/api/clients/", clients)
        .post("/api/clients", clients)
        .post(super::WEB_FIND, web_find);
}

/// A success answer; `no_store` for answers that carry a token or a client's data.
fn success(body: &impl Serialize, no_store: bool) -> HttpResponse {
    let res = json(200, body, SUCCESS);
    if no_store { self::no_store(res) } else { res }
}

fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// The merchant login, if the scenario registers it.
fn merchant(ctx: &Ctx, login: Option<String>) -> Result<String, SberError> {
    let login = login.ok_or(SberError::MerchantMissing)?;
    let sber = ctx.section::<SberSafeScenario>();
    if sber.merchants.iter().any(|m| m.login == login) {
        Ok(login)
    } else {
        Err(SberError::MerchantUnknown(format!(
            "merchantLogin `{login}` is not registered"
        )))
    }
}

/// Refuses a phone or email the scenario lists as a system-error value, with the
/// endpoint's own code (`error`).
fn system_error_value<'a>(
    ctx: &Ctx,
    mut values: impl Iterator<Item = &'a str>,
    error: fn(String) -> SberError,
) -> Result<(), SberError> {
    let sber = ctx.section::<SberSafeScenario>();
    let magic = &sber.system_error_values;
    match values.find(|v| magic.iter().any(|m| m.eq_ignore_ascii_case(v))) {
        Some(v) => Err(error(format!(
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

/// The client with the sought phone, else the one with the sought email (ACTIVE
/// contacts only), with the contact it was found by, masked.
fn lookup(s: &SberSafeState, ask: &Lookup) -> Option<FoundClient> {
    let found = |client: &Client| FoundClient {
        client: client_ref(client),
        masked_phone: None,
        masked_email: None,
    };
    let by_phone = ask.phone.as_deref().and_then(|p| s.find("MPHONE", p));
    if let Some(client) = by_phone {
        let masked_phone = ask.phone.as_deref().map(wire::masked_phone);
        return Some(FoundClient {
            masked_phone,
            ..found(client)
        });
    }
    let email = ask.email.as_deref()?;
    s.find("EMAIL", email).map(|client| FoundClient {
        masked_email: Some(wire::masked_email(email)),
        ..found(client)
    })
}

#[utoipa::path(post, path = "/api/clients/find", request_body = FindBody,
    responses((status = 200, description = "the client, masked as found; no `client` when nobody matches", body = FindAnswer,
        links(("otp" = (operation_id = "sbersafe_post_api_auth_otp", request_body = json!({"merchantLogin": "$request.body#/merchantLogin", "uuid": "$response.body#/client/uuid"}), description = "Send the found client an OTP"))))))]
pub(super) async fn find(ctx: Ctx, body: Body) -> Result<HttpResponse, SberError> {
    let req = FindRequest::parse(&body)?;
    merchant(&ctx, req.merchant)?;
    if req.lookup.is_empty() {
        return Err(SberError::ContactMissing);
    }
    system_error_value(&ctx, req.lookup.values(), SberError::SystemError)?;
    let (client, request_id) =
        ctx.state(|s: &mut SberSafeState| (lookup(s, &req.lookup), s.request_id()));
    let body = FindAnswer {
        client,
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, false))
}

/// `POST /client/find` of SberSafe's web forms: no merchant, the answer without
/// `requestId`, and nobody found is an `error` (with HTTP 200), which is what real
/// callers branch on.
#[utoipa::path(post, path = "/client/find",
    params(
        ("phone" = Option<String>, Query, description = "10 digits without the leading 7; read before the body's"),
        ("email" = Option<String>, Query, description = "an email address; read before the body's"),
    ),
    request_body(content = WebFindForm, content_type = "application/x-www-form-urlencoded",
        description = "`phone` or `email`, when not in the query; read when `Content-Type` is this or absent"),
    responses((status = 200, description = "the client found", body = WebFound)))]
pub(super) async fn web_find(
    ctx: Ctx,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, SberError> {
    let ask = web_lookup(&req, &body)?;
    system_error_value(&ctx, ask.values(), SberError::FindError)?;
    let client = ctx
        .state(|s: &mut SberSafeState| lookup(s, &ask))
        .ok_or(SberError::FindFailed)?;
    Ok(success(
        &WebFound {
            client,
            status: SUCCESS,
        },
        false,
    ))
}

#[utoipa::path(post, path = "/api/auth/otp", request_body = OtpBody,
    responses((status = 200, description = "the OTP is sent to the client; its access code", body = OtpAnswer,
        links(("token" = (operation_id = "sbersafe_post_api_auth_token", request_body = json!({"accessCode": "$response.body#/accessCode"}), description = "Trade the access code and the client's OTP for a token"))))))]
pub(super) async fn otp(ctx: Ctx, body: Body) -> Result<HttpResponse, SberError> {
    let req = OtpRequest::parse(&body)?;
    // The gateway checks the merchant before the method's own fields, so `{}` answers
    // "[merchantLogin] is empty.", not a missing uuid.
    let merchant = merchant(&ctx, req.merchant)?;
    let uuid = required(req.uuid, "uuid")?;
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

#[utoipa::path(post, path = "/api/auth/token", request_body = TokenBody,
    responses((status = 200, description = "the client's token (`Cache-Control: no-store`)", body = TokenAnswer,
        links(("clients" = (operation_id = "sbersafe_post_api_clients_", description = "Read the client: send `accessToken` as `Authorization` (security schemes are no link parameters)"))))))]
pub(super) async fn token(ctx: Ctx, body: Body) -> Result<HttpResponse, SberError> {
    let req = TokenRequest::parse(&body)?;
    let sber = ctx.section::<SberSafeScenario>();
    let rules = OtpRules {
        fixed: sber.otp.fixed.as_deref(),
        attempts: sber.otp.attempts,
        token_ttl: Duration::minutes(i64::from(sber.token_ttl_minutes)),
    };
    let now = ctx.now();
    let (token, request_id) = ctx.state(|s: &mut SberSafeState| {
        let token = s.redeem(&req.code, &req.otp, &rules, now)?;
        Ok::<_, SberError>((token, s.request_id()))
    })?;
    let body = TokenAnswer {
        access_token: token.token,
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, true))
}

/// The token first, then `Accept`, then the body, as the gateway checks them.
#[utoipa::path(post, path = "/api/clients/", request_body = ClientsBody,
    params(("Accept" = Option<String>, Header,
        description = "`application/json; version=1.0` (required with `require_accept`)")),
    security(("sbersafe_token" = [])),
    responses((status = 200, description = "the client with the blocks asked for (`Cache-Control: no-store`)", body = ClientsAnswer)))]
pub(super) async fn clients(
    ctx: Ctx,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, SberError> {
    let auth = authorization(&req)?;
    let now = ctx.now();
    let token = ctx.state(|s: &mut SberSafeState| s.token(&auth, now).cloned())?;
    check_accept(&req, ctx.section::<SberSafeScenario>().require_accept)?;
    let ask = ClientsRequest::parse(&body)?;
    check_owner(&ask, &token)?;
    let (client, request_id) = ctx.state(|s: &mut SberSafeState| {
        let client = s.client(&token.client).cloned();
        (client, s.request_id())
    });
    let client =
        client.ok_or_else(|| SberError::ClientNotFound("the token's client is gone".into()))?;
    let bytes = clients::answer(&client, ask.blocks, &request_id);
    Ok(no_store(json_bytes(200, bytes, SUCCESS)))
}

/// A `uuid` or `merchantLogin` in the body must be the token's own.
fn check_owner(ask: &ClientsRequest, token: &Token) -> Result<(), SberError> {
    if let Some(u) = &ask.uuid
        && !u.eq_ignore_ascii_case(&token.client)
    {
        return Err(SberError::AccessDenied(
            "the token belongs to another client".into(),
        ));
    }
    if let Some(m) = &ask.merchant
        && *m != token.merchant
    {
        return Err(SberError::AccessDenied(
            "the token was issued to another merchant".into(),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/clients/create", request_body = CreateBody,
    responses((status = 200, description = "the new client, or the one of this `transactionNumber`", body = FindAnswer)))]
pub(super) async fn create(ctx: Ctx, body: Body) -> Result<HttpResponse, SberError> {
    let req = CreateRequest::parse(&body)?;
    // Merchant first, as in `otp`: `{}` answers "[merchantLogin] is empty.".
    let merchant = merchant(&ctx, req.merchant)?;
    let transaction = required(req.transaction, "transactionNumber")?;
    if req.contacts.is_empty() {
        return Err(SberError::ContactMissing);
    }
    let values = req.contacts.iter().map(|c| c.value.as_str());
    system_error_value(&ctx, values, SberError::SystemError)?;
    let now = ctx.now();
    let (client, request_id) = ctx.state(|s: &mut SberSafeState| {
        let client = s.create(&merchant, &transaction, req.contacts, req.extra, now)?;
        Ok::<_, SberError>((client_ref(&client), s.request_id()))
    })?;
    let client = FoundClient {
        client,
        masked_phone: None,
        masked_email: None,
    };
    let body = FindAnswer {
        client: Some(client),
        request_id,
        status: SUCCESS,
    };
    Ok(success(&body, false))
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
            "valid": a.valid_at(now),
        })),
        None => sandbox_error(
            actix_web::http::StatusCode::NOT_FOUND,
            "unknown-access-code",
            "no such access code in this tenant",
            None,
        ),
    }
}
