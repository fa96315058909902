//! The Kratos password login of a native app: a login flow
//! (`GET /kratos/self-service/login/api`), then logins through it
//! (`POST /kratos/self-service/login?flow=`), each refused one answered with the flow
//! again, a good one with a session token.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Duration;

use super::login_form::LoginForm;
use super::ok;
use crate::input::{header, url_pairs};
use crate::provider::Ctx;
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
pub async fn login(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, DcmError> {
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
