//! One request's path through a provider prefix (see ARCHITECTURE.md), in four steps:
//! `capture` the request, `decide` (a rule, `X-Sandbox-Force`, or pass to the handler,
//! maybe after a delay), `act`, `record` (journal, coverage, log). Every exit goes
//! through the provider's renderer, so no error leaves in actix's plain-text default.

mod act;
mod capture;
mod decide;
mod record;

pub use decide::decide;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{
    HttpMessage,
    body::BoxBody,
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::Next,
};

use crate::provider::{Ctx, Provider, sandbox_error, tenant_of};
use crate::state::Sandbox;

/// A `HeaderName` rather than a `&str`, which actix would parse on every lookup.
pub const FORCE_HEADER: actix_web::http::header::HeaderName =
    actix_web::http::header::HeaderName::from_static("x-sandbox-force");

/// The socket of a connection, kept so a rule can close it without any response.
pub struct ConnSocket(pub std::net::TcpStream);

/// What the middleware of one provider scope holds, once per worker: passed on as an
/// `Rc`, a request counts on the worker's memory instead of on the shared `Arc`s.
pub struct Scope {
    pub provider: Arc<dyn Provider>,
    pub sandbox: Arc<Sandbox>,
}

/// The middleware of every provider scope.
pub async fn handle(
    scope: Rc<Scope>,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (provider, sandbox) = (&*scope.provider, &scope.sandbox);
    let tenant = match tenant_of(req.request()).and_then(|name| sandbox.tenant(name)) {
        Ok(t) => t,
        Err(e) => {
            let res = sandbox_error(StatusCode::BAD_REQUEST, "bad-tenant", &e.to_string(), None);
            return Ok(req.into_response(res));
        }
    };
    let ctx = Ctx::new(tenant, sandbox.clone());
    req.extensions_mut().insert(ctx.clone());
    let captured = capture::capture(provider, &mut req, ctx.sandbox.settings.body_limit).await;
    let force = req
        .headers()
        .get(FORCE_HEADER)
        .map(|v| v.to_str().map(str::trim));
    let decision = decide(provider, &captured, force, &ctx);
    if decision.delay_ms > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(decision.delay_ms)).await;
    }
    let (res, forced_by) = act::act(provider, &captured, decision.outcome, req, next, &ctx).await?;
    Ok(record::record(provider, captured, res, forced_by, &ctx).await)
}
