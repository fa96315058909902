//! The Kratos password login of a native app: a login flow
//! (`GET /kratos/self-service/login/api`), then logins through it
//! (`POST /kratos/self-service/login?flow=`), each refused one answered with the flow
//! again, a good one with a session token.

use actix_web::{HttpRequest, HttpResponse};
use chrono::Duration;

use super::login_form::LoginForm;
use super::ok;
use crate::input::{header, url_pairs};
use crate::provider::{Body, Ctx};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::{FlowFeedback, kratos_bad};
use crate::providers::dcm::kratos::relative_base;
use crate::providers::dcm::scenario::DcmScenario;
use crate::providers::dcm::state::{DcmState, scenario_epoch};
use crate::providers::dcm::wire::kratos::{Feedback, login_flow, native_login};

/// Longest `Host` and `User-Agent` kept (each flow and session holds them).
const MAX_HOST: usize = 255;
const MAX_USER_AGENT: usize = 512;
/// Longest `request_url` kept with its query; a longer one is kept without it.
const MAX_REQUEST_URL: usize = 1024;

/// Where the client sees Kratos: the scenario's `kratos_public_url`, else the scheme
/// and host it came to (`http://127.0.0.1:8080/dcm/kratos`); a host that is no host
/// name gives the bare path.
pub fn public_base(dcm: &DcmScenario, req: &HttpRequest) -> String {
    if let Some(base) = dcm.kratos_base() {
        return base;
    }
    let info = req.connection_info();
    let scheme = match info.scheme() {
        s @ ("http" | "https") => s,
        _ => "http",
    };
    let host = info.host();
    let plain = |c: char| c.is_ascii_alphanumeric() || ".-_:[]".contains(c);
    if host.is_empty() || host.len() > MAX_HOST || !host.chars().all(plain) {
        return relative_base();
    }
    format!("{scheme}://{host}{}", relative_base())
}

fn flow_lifetime(dcm: &DcmScenario) -> Result<Duration, DcmError> {
    Duration::try_minutes(dcm.flow_minutes())
        .ok_or_else(|| kratos_bad("flow_lifetime_minutes is out of range"))
}

/// `createNativeLoginFlow`. Only `aal1` can be asked for: the password is the one factor.
#[utoipa::path(
    get,
    path = "/kratos/self-service/login/api",
    tag = "Kratos",
    description = "Kratos `createNativeLoginFlow`: a login flow for a native app, valid for `dcm.flow_lifetime_minutes` (60) virtual minutes and any number of attempts.",
    params(
        ("aal" = Option<String>, Query, description = "Only `aal1` (the password is the one factor)", example = "aal1"),
        ("refresh" = Option<bool>, Query, description = "Accepted and ignored"),
    ),
    responses(
        (status = 200, description = "The flow (`loginFlow`).", body = crate::providers::dcm::wire::kratos::LoginFlow,
            links(
                ("login" = (operation_id = "dcm_post_kratos_self_service_login", parameters(("flow" = "$response.body#/id")), description = "Log in through this flow"))
            )),
        (status = 400, description = "Kratos's `errorGeneric` (or, forced with a login's code, a flow).", body = crate::providers::dcm::wire::kratos::LoginRefusal),
    )
)]
pub async fn create_flow(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let query = url_pairs(req.query_string().as_bytes());
    if let Some((_, aal)) = query.iter().find(|(k, _)| k == "aal")
        && !aal.is_empty()
        && !aal.eq_ignore_ascii_case("aal1")
    {
        return Err(kratos_bad(format!(
            "The sandbox's login has one factor, the password: aal `{aal}` cannot be requested, only aal1."
        )));
    }
    let (now, dcm) = (ctx.now(), ctx.section::<DcmScenario>());
    let lifetime = flow_lifetime(&dcm)?;
    let base = public_base(&dcm, &req);
    let mut request_url = format!("{base}/self-service/login/api");
    if !req.query_string().is_empty()
        && request_url.len() + req.query_string().len() < MAX_REQUEST_URL
    {
        request_url = format!("{request_url}?{}", req.query_string());
    }
    let flow = ctx.state(|s: &mut DcmState| s.new_flow(now, lifetime, base, request_url))?;
    Ok(ok(&login_flow(&flow, Feedback::default())))
}

/// The `flow` query parameter, a UUID.
fn flow_param(req: &HttpRequest) -> Result<String, DcmError> {
    url_pairs(req.query_string().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "flow")
        .and_then(|(_, v)| crate::providers::dcm::state::parse_uuid(&v).ok())
        .ok_or_else(|| kratos_bad("The flow query parameter is missing or malformed."))
}

/// The client's address and `User-Agent`, for the session's device.
fn device(req: &HttpRequest) -> (String, String) {
    let info = req.connection_info();
    let addr = info.realip_remote_addr().unwrap_or_default();
    let ip = addr
        .parse::<std::net::SocketAddr>()
        .map_or_else(|_| addr.to_string(), |a| a.ip().to_string());
    let agent = header(req, "user-agent").unwrap_or_default();
    (
        ip.chars().take(MAX_HOST).collect(),
        agent.chars().take(MAX_USER_AGENT).collect(),
    )
}

/// `updateLoginFlow` with the password method: in Kratos's order, the flow (400
/// malformed, 404 unknown, 410 expired), the body, the method and fields (400 with the
/// flow), the credentials (400 with the flow, `4000006`); then the session.
#[utoipa::path(
    post,
    path = "/kratos/self-service/login",
    tag = "Kratos",
    description = "Kratos `updateLoginFlow` with the password method, as JSON or a form. Employees of the default scenario: `employee@sandbox.test` / `sandbox`.",
    params(("flow" = String, Query, format = "uuid", description = "The flow's `id`")),
    request_body(content(
        (crate::providers::dcm::routes::login_form::LoginBody = "application/json"),
        (crate::providers::dcm::routes::login_form::LoginBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "`successfulNativeLogin`: the session token and its session.", body = crate::providers::dcm::wire::kratos::NativeLogin,
            links(
                ("whoami" = (operation_id = "dcm_get_kratos_sessions_whoami", parameters(("header.X-Session-Token" = "$response.body#/session_token")), description = "The session of this token")),
                ("customers" = (operation_id = "dcm_get_api_v1_counterparty__cg__customers", parameters(("cg" = "$response.body#/session/identity/metadata_public/counterparty_guid")), description = "The employee's bank: send `Authorization: bearer <session_token>` (security schemes are no link parameters)")),
                ("logout" = (operation_id = "dcm_delete_kratos_self_service_logout_api", request_body = json!({"session_token": "$response.body#/session_token"}), description = "End this session")),
            )),
        (status = 400, description = "The flow again with messages on its nodes (`loginFlow`), or `errorGeneric` for a malformed flow id or body.", body = crate::providers::dcm::wire::kratos::LoginRefusal),
        (status = 404, description = "`errorGeneric`: no such flow.", body = crate::providers::dcm::wire::kratos::ErrorBody),
        (status = 410, description = "`selfServiceFlowExpiredError`: the flow expired; `use_flow_id` names a new one.", body = crate::providers::dcm::wire::kratos::ErrorBody),
    )
)]
pub async fn login(ctx: Ctx, req: HttpRequest, body: Body) -> Result<HttpResponse, DcmError> {
    let flow_id = flow_param(&req)?;
    let (now, dcm) = (ctx.now(), ctx.section::<DcmScenario>());
    let lifetime = flow_lifetime(&dcm)?;
    let flow = ctx.state(|s: &mut DcmState| s.attempt_through(&flow_id, now, lifetime))?;
    let creds = LoginForm::read(&body)?.credentials(&flow.id)?;
    let employee = dcm
        .employees
        .iter()
        .find(|e| {
            e.identifier.eq_ignore_ascii_case(&creds.identifier) && e.password == creds.password
        })
        .ok_or_else(|| {
            DcmError::InvalidCredentials(FlowFeedback {
                flow_id: flow.id.clone(),
                identifier: creds.identifier.clone(),
                problems: Vec::new(),
            })
        })?;
    let session_lifetime = Duration::try_hours(dcm.session_hours())
        .ok_or_else(|| kratos_bad("session_lifetime_hours is out of range"))?;
    let device = device(&req);
    let session =
        ctx.state(|s: &mut DcmState| s.issue_session(employee, now, session_lifetime, device))?;
    let base = public_base(&dcm, &req);
    Ok(ok(&native_login(&session, &base, scenario_epoch())))
}
