//! Kratos's session endpoints: `whoami` and the native logout; and the admin API's
//! early end of a session.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::login::public_base;
use super::ok;
use crate::input::{header, json_object};
use crate::provider::{Body, Ctx, mark};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::kratos_bad;
use crate::providers::dcm::scenario::DcmScenario;
use crate::providers::dcm::state::{DcmState, scenario_epoch};
use crate::providers::dcm::wire::kratos::session;

/// The session token of a request as Kratos finds it: `X-Session-Token`, else
/// `Authorization: Bearer <token>` (the scheme in any case).
fn session_token(req: &HttpRequest) -> Option<String> {
    if let Some(token) = header(req, "x-session-token") {
        return Some(token.to_string());
    }
    let (scheme, token) = header(req, "authorization")?.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then(|| token.to_string())
}

/// `toSession` (`GET /kratos/sessions/whoami`): the live session of the token, with
/// Kratos's `X-Kratos-Authenticated-Identity-Id`; 401 without one.
#[utoipa::path(
    get,
    path = "/kratos/sessions/whoami",
    tag = "Kratos",
    description = "Kratos `toSession`: the session of `X-Session-Token`, else of `Authorization: Bearer`.",
    params(("X-Session-Token" = Option<String>, Header, pattern = "^[!-~]+$", description = "The session token (scheme `kratos_session`); visible ASCII, as an HTTP header value must be")),
    responses(
        (status = 200, description = "The `session`.", body = crate::providers::dcm::wire::kratos::SessionOut,
            headers(("X-Kratos-Authenticated-Identity-Id" = String, description = "The session's identity"))),
        (status = 401, description = "`errorGeneric`: no live session for the token.", body = crate::providers::dcm::wire::kratos::ErrorBody),
    ),
    security(("kratos_session" = []), ("bearer" = []))
)]
pub async fn whoami(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let token = session_token(&req).ok_or(DcmError::NoSession)?;
    let now = ctx.now();
    let found = ctx.state(|s: &mut DcmState| s.session(&token, now).cloned());
    let found = found.ok_or(DcmError::NoSession)?;
    let base = public_base(&ctx.section::<DcmScenario>(), &req);
    let mut res = ok(&session(&found, &base, scenario_epoch()));
    if let Ok(id) = HeaderValue::from_str(&found.identity_id) {
        let name = HeaderName::from_static("x-kratos-authenticated-identity-id");
        res.headers_mut().insert(name, id);
    }
    Ok(res)
}

/// `performNativeLogout` (`DELETE /kratos/self-service/logout/api`,
/// `{"session_token": "..."}`): 204, and the token no longer works anywhere, the bank
/// API included; 403 for a token that is not a session.
#[utoipa::path(
    delete,
    path = "/kratos/self-service/logout/api",
    tag = "Kratos",
    description = "Kratos `performNativeLogout`: ends the session of `session_token` everywhere, the bank API included.",
    request_body = LogoutBody,
    responses(
        (status = 204, description = "Logged out."),
        (status = 400, description = "`errorGeneric`: the body is not a JSON object or `session_token` not a string.", body = crate::providers::dcm::wire::kratos::ErrorBody),
        (status = 403, description = "`errorGeneric`: the token is not a session.", body = crate::providers::dcm::wire::kratos::ErrorBody),
    )
)]
pub async fn logout(ctx: Ctx, body: Body) -> Result<HttpResponse, DcmError> {
    let obj = json_object(&body)
        .map_err(|e| kratos_bad(format!("Unable to decode JSON payload: {e}")))?
        .map_err(|_| kratos_bad("The request body must be a JSON object"))?;
    let token = match obj.get("session_token") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(kratos_bad("session_token: must be a string")),
    };
    if token.is_empty() || !ctx.state(|s: &mut DcmState| s.revoke(token)) {
        return Err(DcmError::UnknownSessionToken);
    }
    Ok(mark(HttpResponse::NoContent().finish(), "204"))
}

/// `performNativeLogoutBody`; the handler reads it as a JSON object (a missing or null
/// token is the unknown one, 403).
#[derive(utoipa::ToSchema)]
#[schema(as = dcm::KratosLogoutBody)]
#[allow(dead_code)] // a schema: `logout` reads the object itself
pub struct LogoutBody {
    #[schema(example = "ory_st_X8DPgducYBL1NbPvB3VZPdPTJ0o5HhNR")]
    session_token: String,
}

/// `DELETE /__sandbox/dcm/sessions/{token}`: ends a session (or a scenario token) early.
pub async fn admin_revoke(ctx: Ctx, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let revoked = ctx.state(|s: &mut DcmState| s.revoke(&token));
    HttpResponse::Ok().json(json!({ "revoked": revoked }))
}
