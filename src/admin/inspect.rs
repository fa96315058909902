//! Read-only views: health, journal, error catalog, coverage, state.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::ok;
use crate::codes::CodeEntry;
use crate::provider::{Ctx, Provider, Registry};
use crate::state::Sandbox;
use crate::watch::WatchStatus;

pub async fn health(
    sandbox: web::Data<Sandbox>,
    providers: web::Data<Registry>,
    watch: Option<web::Data<WatchStatus>>,
) -> HttpResponse {
    let world = sandbox.world();
    ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": world.names,
        "scenario_name": world.scenario.name,
        "description": world.scenario.description,
        "seed": world.seed,
        "loaded_at": world.loaded_at,
        "loaded_from": world.loaded_from,
        "watch": watch.map(|w| w.view()),
        "providers": providers.names(),
        "uptime_secs": sandbox.started.elapsed().as_secs(),
        "state_bytes": sandbox.state_bytes(),
        "state_total_bytes_cap": sandbox.settings.state_total_bytes_cap,
        "replica": replica(&sandbox),
        "docs": "/__sandbox/docs/",
        "openapi": "/__sandbox/openapi.json",
    }))
}

/// Behind a router this reaches one replica only, so the answer names it.
pub async fn tenants(sandbox: web::Data<Sandbox>) -> HttpResponse {
    ok(json!({
        "tenants": sandbox.tenant_names(),
        "cap": sandbox.settings.tenant_cap,
        "replica": replica(&sandbox),
    }))
}

/// The configured replica name, else the host name (a pod's or container's own).
fn replica(sandbox: &Sandbox) -> String {
    match &sandbox.settings.replica {
        Some(name) => name.clone(),
        None => gethostname::gethostname().to_string_lossy().into_owned(),
    }
}

/// The catalog, straight from the code tables the providers answer with.
pub async fn errors(ctx: Ctx, providers: web::Data<Registry>) -> HttpResponse {
    let providers: serde_json::Map<String, serde_json::Value> = providers
        .iter()
        .map(|p| {
            let table = ctx.codes(p.name());
            let codes: Vec<serde_json::Value> = table
                .entries
                .iter()
                .map(|e| {
                    json!({
                        "code": e.code,
                        "key": e.key,
                        "http_status": e.http_status,
                        "message": e.message,
                        "scope": e.scope,
                        "forcible": !e.is_success(),
                        "triggers": triggers(p.as_ref(), e),
                    })
                })
                .collect();
            (
                p.name().to_string(),
                json!({ "title": p.title(), "codes": codes }),
            )
        })
        .collect();
    ok(json!({ "providers": providers }))
}

/// How to reach a code: naturally, by header, by a rule limited to its endpoints. A
/// success has no forced form: a normal request gives it with its real data.
fn triggers(provider: &dyn Provider, e: &CodeEntry) -> serde_json::Value {
    if e.is_success() {
        return json!({ "natural": e.trigger, "header": null, "rule": null });
    }
    let mut when = json!({ "provider": provider.name() });
    if let Some(endpoint) = provider.scope_endpoint(&e.scope) {
        when["endpoint"] = json!(endpoint);
    }
    json!({
        "natural": e.trigger,
        "header": format!("X-Sandbox-Force: {}", e.code),
        "rule": { "when": when, "then": { "code": e.code } },
    })
}

pub async fn coverage(ctx: Ctx, providers: web::Data<Registry>) -> HttpResponse {
    let coverage = ctx.tenant.coverage.lock();
    let providers: serde_json::Map<String, serde_json::Value> = providers
        .iter()
        .map(|p| {
            let table = ctx.codes(p.name());
            let mut returned = Vec::new();
            let mut never = Vec::new();
            for e in &table.entries {
                let count = coverage.count(p.name(), &e.scope, &e.code);
                let item =
                    json!({ "code": e.code, "key": e.key, "scope": e.scope, "count": count });
                if count > 0 {
                    returned.push(item)
                } else {
                    never.push(item)
                }
            }
            let summary = format!("{}/{}", returned.len(), table.entries.len());
            (
                p.name().to_string(),
                json!({ "covered": summary, "returned": returned, "never_returned": never }),
            )
        })
        .collect();
    ok(json!({ "tenant": ctx.tenant.name, "providers": providers }))
}

pub async fn state(ctx: Ctx) -> HttpResponse {
    ok(json!({
        "tenant": ctx.tenant.name,
        "now": ctx.now(),
        "providers": ctx.tenant.views(),
    }))
}
