//! Step 4: what was answered goes to the tenant's journal, coverage and metrics, and
//! one log line.

use std::borrow::Cow;
use std::time::Duration;

use actix_web::{
    HttpRequest,
    body::{BoxBody, MessageBody},
    dev::ServiceResponse,
    http::StatusCode,
    web::Bytes,
};

use super::capture::Captured;
use crate::journal::{Body, Entry};
use crate::logging::{self, Value};
use crate::metrics::{Answered, UNMATCHED};
use crate::provider::{Ctx, ExactBody, Provider, ReturnedCode};

pub async fn record(
    provider: &dyn Provider,
    captured: Captured,
    res: ServiceResponse<BoxBody>,
    forced_by: Option<String>,
    ctx: &Ctx,
) -> ServiceResponse<BoxBody> {
    let (http_req, mut res) = res.into_parts();
    let code = res.extensions_mut().remove::<ReturnedCode>().map(|c| c.0);
    let exact = res.extensions().get::<ExactBody>().is_some();
    let status = res.status();
    let (head, body_out) = res.into_parts();
    let out_bytes = actix_web::body::to_bytes(body_out)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let answer = Answer {
        status,
        code: code.as_deref(),
        forced_by: forced_by.as_deref(),
        latency: captured.started.elapsed(),
    };
    account(provider, &captured, &http_req, &answer, ctx);
    let latency_ms = answer.latency.as_secs_f64() * 1000.0;
    let tenant = &ctx.tenant;
    let cap = ctx.sandbox.settings.journal_body_cap;
    let request_body = match &captured.body {
        Ok(b) => Body::new(b, cap),
        Err(limit) => Body::Note(format!("[body over the {limit}-byte limit]")),
    };
    let evicted = tenant.journal.lock().push(Entry {
        id: 0,
        time: tenant.clock.now(),
        provider: Cow::Borrowed(provider.name()),
        method: captured.method,
        path: captured.full_path,
        query: captured.query,
        request_headers: captured.headers,
        request_body,
        status: status.as_u16(),
        response_body: Body::exact(&out_bytes, cap, exact),
        code,
        forced_by,
        latency_ms,
    });
    let trimmed = ctx.sandbox.trim_journals();
    ctx.sandbox.account_state(tenant, provider.name());
    ctx.sandbox.metrics.journal_dropped(evicted + trimmed);
    let res = head.set_body(out_bytes.boxed());
    ServiceResponse::new(http_req, res)
}

/// What was answered, as the log, the coverage and the metrics see it.
struct Answer<'a> {
    status: StatusCode,
    code: Option<&'a str>,
    forced_by: Option<&'a str>,
    latency: Duration,
}

/// Coverage, the log line and the metrics of one answer.
fn account(provider: &dyn Provider, captured: &Captured, req: &HttpRequest, a: &Answer, ctx: &Ctx) {
    let tenant = &ctx.tenant;
    let name = provider.name();
    let scope = provider.scope(captured.path());
    if let Some(code) = a.code
        && ctx.codes(name).find(scope, code).is_some()
    {
        tenant.coverage.lock().record(name, scope, code);
    }
    logging::request(&[
        ("tenant", Value::Text(&tenant.name)),
        ("provider", Value::Text(name)),
        ("method", Value::Text(&captured.method)),
        ("path", Value::Text(&captured.full_path)),
        ("status", Value::Number(u64::from(a.status.as_u16()))),
        ("code", Value::Text(a.code.unwrap_or("-"))),
        ("forced_by", Value::Text(a.forced_by.unwrap_or("-"))),
        ("latency_ms", Value::Millis(a.latency)),
    ]);
    ctx.sandbox.metrics.answered(&Answered {
        tenant: &tenant.name,
        provider: name,
        // The resource's name is its route template (`Routes::configure`): borrowed,
        // bounded, never the raw path.
        endpoint: req.match_name().unwrap_or(UNMATCHED),
        code: a.code.unwrap_or(""),
        status: a.status.as_str(),
        forced: a.forced_by.is_some(),
        seconds: a.latency.as_secs_f64(),
    });
}
