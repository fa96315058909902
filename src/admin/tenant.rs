//! Per-tenant controls: reset, the virtual clock and runtime rules.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{bad_request, ok};
use crate::provider::{Ctx, sandbox_error};
use crate::scenario::Rule;

pub async fn reset(ctx: Ctx) -> HttpResponse {
    match ctx.sandbox.reset(&ctx.tenant.name) {
        Ok(t) => ok(json!({ "status": "reset", "tenant": t.name, "now": t.clock.now() })),
        Err(e) => bad_request(&e.to_string()),
    }
}

fn clock_body(ctx: &Ctx) -> serde_json::Value {
    json!({
        "tenant": ctx.tenant.name,
        "now": ctx.tenant.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "frozen": ctx.tenant.clock.is_frozen(),
    })
}

pub async fn clock(ctx: Ctx) -> HttpResponse {
    ok(clock_body(&ctx))
}

/// The four add up; negative moves the clock back.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = sandbox::Advance, example = json!({"hours": 24}))]
pub struct Advance {
    #[serde(default)]
    seconds: f64,
    #[serde(default)]
    minutes: f64,
    #[serde(default)]
    hours: f64,
    #[serde(default)]
    days: f64,
}

/// Up to about 100 years either way, so the arithmetic cannot overflow.
const MAX_ADVANCE_SECONDS: f64 = 3.2e9;

pub async fn advance_clock(ctx: Ctx, by: web::Json<Advance>) -> HttpResponse {
    let seconds = by.seconds + by.minutes * 60.0 + by.hours * 3600.0 + by.days * 86_400.0;
    if !seconds.is_finite() || seconds.abs() > MAX_ADVANCE_SECONDS {
        return bad_request("advance by at most about 100 years");
    }
    match ctx
        .tenant
        .clock
        .advance(Duration::microseconds((seconds * 1e6) as i64))
    {
        Ok(()) => ok(clock_body(&ctx)),
        Err(e) => bad_request(&e.to_string()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = sandbox::SetClock, example = json!({"now": "2030-01-01T00:00:00Z", "frozen": true}))]
pub struct SetClock {
    #[schema(value_type = String, format = DateTime)]
    now: DateTime<Utc>,
    /// Keep the current mode when absent.
    frozen: Option<bool>,
}

pub async fn set_clock(ctx: Ctx, to: web::Json<SetClock>) -> HttpResponse {
    let frozen = to.frozen.unwrap_or_else(|| ctx.tenant.clock.is_frozen());
    match ctx.tenant.clock.set(to.now, frozen) {
        Ok(()) => ok(clock_body(&ctx)),
        Err(e) => bad_request(&e.to_string()),
    }
}

pub async fn rules(ctx: Ctx) -> HttpResponse {
    ok(json!({ "tenant": ctx.tenant.name, "rules": ctx.tenant.rules.lock().list() }))
}

/// Adds a runtime rule (JSON or YAML body, same shape as in a scenario).
pub async fn add_rule(ctx: Ctx, body: web::Bytes) -> HttpResponse {
    let text = String::from_utf8_lossy(&body);
    let rule: Rule = match serde_saphyr::from_str(&text) {
        Ok(rule) => rule,
        Err(e) => return bad_request(&e.without_snippet().to_string()),
    };
    let problems = rule.problems_with(&ctx.world().tables());
    if !problems.is_empty() {
        return bad_request(&problems.join("; "));
    }
    match ctx.tenant.rules.lock().add(rule) {
        Ok(()) => {
            HttpResponse::Created().json(json!({ "status": "added", "tenant": ctx.tenant.name }))
        }
        Err(e) => bad_request(&e),
    }
}

pub async fn clear_rules(ctx: Ctx) -> HttpResponse {
    let removed = ctx.tenant.rules.lock().clear_runtime();
    ok(json!({ "status": "cleared", "removed": removed }))
}

/// `DELETE /rules/{name}`: one runtime rule (the dashboard's delete button); a scenario
/// rule of that name is not removed, and no runtime rule of that name is a 404.
pub async fn remove_rule(ctx: Ctx, name: web::Path<String>) -> HttpResponse {
    let removed = ctx.tenant.rules.lock().remove_runtime(&name);
    if removed == 0 {
        let message = format!("no runtime rule named `{name}` in this tenant");
        return sandbox_error(StatusCode::NOT_FOUND, "not-found", &message, None);
    }
    ok(json!({ "status": "removed", "name": name.as_str(), "removed": removed }))
}
