//! The admin API under `/__sandbox`: health, reset, scenario, clock, journal, rules,
//! error catalog, coverage, state, snapshots and metrics, and the QA dashboard over them
//! (`/ui`).
//! Calls act on the tenant of `X-Sandbox-Tenant`.

mod docs;
mod inspect;
mod metrics;
mod openapi;
mod requests;
mod scenario;
mod snapshot;
mod tenant;
mod ui;

use std::sync::Arc;

use actix_web::{
    HttpResponse, Scope,
    body::BoxBody,
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::{Next, from_fn},
    web,
};

use crate::provider::{Endpoint, Registry, Routes, SANDBOX_ERROR_HEADER, sandbox_error};
use crate::state::Sandbox;

/// Scenario files can be larger than provider bodies.
const ADMIN_BODY_LIMIT: usize = 16 * 1024 * 1024;

pub fn scope(
    sandbox: Arc<Sandbox>,
    providers: Registry,
) -> Scope<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let mut scope = web::scope("/__sandbox")
        .app_data(web::PayloadConfig::new(ADMIN_BODY_LIMIT))
        .app_data(
            web::JsonConfig::default()
                .limit(ADMIN_BODY_LIMIT)
                .error_handler(|err, _| json_refusal(err)),
        )
        .app_data(web::QueryConfig::default().error_handler(|err, _| json_refusal(err)))
        .configure(|cfg| admin_routes().configure(cfg));
    for provider in providers.iter() {
        let mut routes = Routes::default();
        provider.admin_routes(&mut routes);
        scope = scope.service(
            web::scope(&format!("/{}", provider.name())).configure(|cfg| routes.configure(cfg)),
        );
    }
    let token = sandbox.settings.admin_token.clone();
    scope
        .default_service(web::to(unknown_path))
        .wrap(from_fn(move |req, next| guard(token.clone(), req, next)))
}

/// Every admin endpoint; the OpenAPI document lists the same.
fn routes(r: &mut Routes) {
    r.get("/health", inspect::health)
        .get("/tenants", inspect::tenants)
        .post("/reset", tenant::reset)
        .get("/scenario", scenario::get)
        .put("/scenario", scenario::put)
        .get("/clock", tenant::clock)
        .put("/clock", tenant::set_clock)
        .post("/clock/advance", tenant::advance_clock)
        .get("/requests", requests::requests)
        .delete("/requests", requests::clear)
        .get("/metrics", metrics::metrics)
        .get("/errors", inspect::errors)
        .get("/coverage", inspect::coverage)
        .get("/state", inspect::state)
        .get("/snapshot", snapshot::get)
        .put("/snapshot", snapshot::put)
        .get("/rules", tenant::rules)
        .post("/rules", tenant::add_rule)
        .delete("/rules", tenant::clear_rules)
        .delete("/rules/{name}", tenant::remove_rule)
        .get("/openapi.json", docs::everything)
        .get("/openapi/{file}", docs::one)
        .get("/docs", docs::docs_root)
        .get("/docs/{file:.*}", docs::page)
        .get("/ui", ui::page)
        .get("/ui/{file}", ui::asset);
}

fn admin_routes() -> Routes {
    let mut r = Routes::default();
    routes(&mut r);
    r
}

/// The admin API's endpoints below `/__sandbox`, the providers' own under their names.
pub fn endpoints(providers: &Registry) -> Vec<Endpoint> {
    let mut all = admin_routes().endpoints();
    for provider in providers.iter() {
        all.extend(provider.admin_endpoints().into_iter().map(|e| Endpoint {
            pattern: format!("/{}{}", provider.name(), e.pattern),
            method: e.method,
        }));
    }
    all
}

/// An extractor's refusal (bad JSON, bad query) as the sandbox's JSON error.
fn json_refusal(err: impl std::fmt::Display + std::fmt::Debug + 'static) -> actix_web::Error {
    let message = err.to_string();
    let res = sandbox_error(StatusCode::BAD_REQUEST, "bad-request", &message, None);
    actix_web::error::InternalError::from_response(err, res).into()
}

/// With `SANDBOX_ADMIN_TOKEN` set, every admin call but health and the dashboard's page
/// needs the token (the page holds no tenant data: it asks for the token and sends it).
/// Every admin call is logged, one line each, like provider requests.
async fn guard(
    token: Option<String>,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(token) = token
        && req.path() != "/__sandbox/health"
        && !ui::is_page(req.path())
    {
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            });
        if given != Some(token.as_str()) {
            let res = sandbox_error(
                StatusCode::UNAUTHORIZED,
                "admin-token",
                "this sandbox needs `Authorization: Bearer <SANDBOX_ADMIN_TOKEN>` for admin calls",
                None,
            );
            return Ok(req.into_response(res));
        }
    }
    let started = std::time::Instant::now();
    let (method, path) = (req.method().to_string(), req.path().to_string());
    let res = mend(next.call(req).await?);
    tracing::info!(
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms = format!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        "admin"
    );
    Ok(res)
}

/// Admin answers are JSON: an error actix made itself (a body over the admin limit, a
/// wrong method on a provider's admin route) is re-rendered as the sandbox's error.
fn mend(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let from_actix = res.response().error().is_some()
        || (matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ) && !res
            .headers()
            .contains_key(actix_web::http::header::CONTENT_TYPE));
    if !from_actix || res.headers().contains_key(SANDBOX_ERROR_HEADER) {
        return res;
    }
    let message = res
        .response()
        .error()
        .map(|e| e.to_string())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let kind = match status {
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        _ => "bad-request",
    };
    res.into_response(sandbox_error(status, kind, &message, None))
}

/// Anything outside the provider prefixes and the admin API.
pub async fn unknown_path(providers: web::Data<Registry>) -> HttpResponse {
    let prefixes: Vec<String> = providers.iter().map(|p| format!("/{}", p.name())).collect();
    sandbox_error(
        StatusCode::NOT_FOUND,
        "not-found",
        &format!(
            "no endpoint here: providers live under {} and the admin API under /__sandbox",
            prefixes.join(", ")
        ),
        None,
    )
}

fn ok(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

fn bad_request(message: &str) -> HttpResponse {
    sandbox_error(StatusCode::BAD_REQUEST, "bad-request", message, None)
}
