//! One request's path through a provider prefix (see DESIGN.md):
//! tenant → body limit → rules → `X-Sandbox-Force` → handler → journal and coverage.
//! Every exit goes through the provider's renderer, so no error leaves in actix's
//! plain-text default.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{
    HttpMessage, HttpResponse,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::Next,
    web::Bytes,
};
use futures_util::StreamExt;

use super::{BadInput, Ctx, Provider, ReturnedCode, mark};
use crate::faults::{Fired, RequestView, url_pairs};
use crate::journal::{Body, Entry};
use crate::state::{Sandbox, TenantError};

pub const TENANT_HEADER: &str = "x-sandbox-tenant";
pub const FORCE_HEADER: &str = "x-sandbox-force";
/// Set on answers that come from the sandbox itself, never from a provider.
pub const SANDBOX_ERROR_HEADER: &str = "x-sandbox-error";

/// The socket of a connection, kept so a rule can close it without any response.
pub struct ConnSocket(pub std::net::TcpStream);

/// Headers kept in the journal, so a request with thousands cannot grow it.
const MAX_JOURNAL_HEADERS: usize = 64;

pub async fn handle(
    provider: Arc<dyn Provider>,
    sandbox: Arc<Sandbox>,
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let name = provider.name();
    let tenant = match tenant_of(req.request()).and_then(|name| sandbox.tenant(name)) {
        Ok(t) => t,
        Err(e) => {
            let res = sandbox_error(StatusCode::BAD_REQUEST, "bad-tenant", &e.to_string(), None);
            return Ok(req.into_response(res));
        }
    };
    let full_path = req.path().to_string();
    let path = full_path
        .strip_prefix(&format!("/{name}"))
        .unwrap_or(&full_path)
        .to_string();
    let method = req.method().to_string();
    let query_string = req.query_string().to_string();
    let headers: BTreeMap<String, String> = req
        .headers()
        .iter()
        .take(MAX_JOURNAL_HEADERS)
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let limit = sandbox.settings.body_limit;
    let body = read_body(&mut req, limit).await;
    let scope = provider.scope(&path);
    let world = tenant.world.clone();
    let table = world.codes(name);

    let ctx = Ctx {
        tenant: tenant.clone(),
        sandbox: sandbox.clone(),
    };
    req.extensions_mut().insert(ctx.clone());

    let mut forced_by = None;
    let mut drop_connection = false;
    let outcome: Option<HttpResponse> = match &body {
        Err(()) => Some(render_bad_input(
            &*provider,
            &path,
            &BadInput::TooLarge { limit },
            &ctx,
        )),
        Ok(bytes) => {
            let query = url_pairs(query_string.as_bytes());
            let view = RequestView {
                provider: name,
                method: &method,
                path: &path,
                query: &query,
                headers: &headers,
                body: bytes,
            };
            let forcible = |then: &crate::scenario::Then| {
                then.code
                    .as_ref()
                    .is_none_or(|code| table.forcible(scope, code).is_some())
            };
            let fired = tenant.rules.lock().fire(&view, forcible);
            match fired {
                Some(Fired {
                    name: rule,
                    then,
                    delay_ms,
                }) => {
                    if delay_ms > 0 {
                        actix_web::rt::time::sleep(Duration::from_millis(delay_ms)).await;
                    }
                    forced_by = Some(format!("rule:{rule}"));
                    if then.drop {
                        drop_connection = true;
                        Some(HttpResponse::new(StatusCode::SERVICE_UNAVAILABLE))
                    } else if let Some(entry) =
                        then.code.as_ref().and_then(|c| table.forcible(scope, c))
                    {
                        Some(mark(provider.render(entry, None, &ctx), &entry.code))
                    } else if let Some(status) = then.status {
                        Some(raw_fault(status, &then.body, &then.headers))
                    } else {
                        forced_by = None; // a pure delay: the provider answers as usual
                        None
                    }
                }
                None => None,
            }
        }
    };
    let outcome = match outcome {
        Some(res) => Some(res),
        None => match req
            .headers()
            .get(FORCE_HEADER)
            .map(|v| v.to_str().map(str::trim))
        {
            None => None,
            Some(Ok(code)) => {
                forced_by = Some("force".into());
                Some(match table.forcible(scope, code) {
                    Some(entry) => mark(provider.render(entry, None, &ctx), &entry.code),
                    None => unknown_code(table.forcible_in(scope), code),
                })
            }
            Some(Err(_)) => Some(unknown_code(table.forcible_in(scope), "<not ASCII>")),
        },
    };

    let res: ServiceResponse<BoxBody> = match outcome {
        Some(res) => req.into_response(res),
        None => {
            if let Ok(bytes) = &body {
                req.set_payload(Payload::from(bytes.clone()));
            }
            let res = next.call(req).await?;
            mend_unmarked(&*provider, &path, res, &ctx)
        }
    };

    if drop_connection && let Some(socket) = res.request().conn_data::<ConnSocket>() {
        let _ = socket.0.shutdown(std::net::Shutdown::Both);
    }

    // Journal and coverage.
    let (http_req, res) = res.into_parts();
    let code = res.extensions().get::<ReturnedCode>().map(|c| c.0.clone());
    let status = res.status().as_u16();
    let (head, body_out) = res.into_parts();
    let out_bytes = match actix_web::body::to_bytes(body_out).await {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let cap = sandbox.settings.journal_body_cap;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(code) = &code
        && table.find(scope, code).is_some()
    {
        tenant.coverage.lock().record(name, scope, code);
    }
    tracing::info!(
        tenant = %tenant.name,
        provider = name,
        method = %method,
        path = %full_path,
        status,
        code = code.as_deref().unwrap_or("-"),
        forced_by = forced_by.as_deref().unwrap_or("-"),
        latency_ms = format!("{latency_ms:.2}"),
        "request"
    );
    tenant.journal.lock().push(Entry {
        id: 0,
        time: tenant.clock.now(),
        provider: name.to_string(),
        method,
        path: full_path,
        query: query_string,
        request_headers: headers,
        request_body: match &body {
            Ok(b) => Body::new(b, cap),
            Err(()) => Body::Note(format!("[body over the {limit}-byte limit]")),
        },
        status,
        response_body: Body::new(&out_bytes, cap),
        code,
        forced_by,
        latency_ms,
    });
    let res = head.set_body(out_bytes.boxed());
    Ok(ServiceResponse::new(http_req, res))
}

/// The body, or `Err` when it is over `limit`; the rest is drained (not kept) so the
/// client can read the answer instead of seeing a broken pipe.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<Bytes, ()> {
    let (_, payload) = req.parts_mut();
    let mut payload = std::mem::replace(payload, Payload::None);
    let mut buf = actix_web::web::BytesMut::new();
    let mut over = false;
    let drain_deadline = Instant::now() + Duration::from_secs(10);
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return if over { Err(()) } else { Ok(buf.freeze()) };
        };
        if over {
            if Instant::now() > drain_deadline {
                break;
            }
            continue;
        }
        if buf.len() + chunk.len() > limit {
            over = true;
            buf.clear();
            continue;
        }
        buf.extend_from_slice(&chunk);
    }
    if over { Err(()) } else { Ok(buf.freeze()) }
}

fn render_bad_input(
    provider: &dyn Provider,
    path: &str,
    problem: &BadInput,
    ctx: &Ctx,
) -> HttpResponse {
    let (key, detail) = provider.bad_input(path, problem);
    let mut res = match ctx.codes(provider.name()).by_key(key) {
        Some(entry) => mark(provider.render(entry, Some(&detail), ctx), &entry.code),
        None => sandbox_error(StatusCode::BAD_REQUEST, "bad-input", &detail, None),
    };
    // The provider's body, but the status any gateway gives a path or method it lacks.
    match problem {
        BadInput::NotFound => *res.status_mut() = StatusCode::NOT_FOUND,
        BadInput::MethodNotAllowed => *res.status_mut() = StatusCode::METHOD_NOT_ALLOWED,
        _ => {}
    }
    res
}

/// Handlers mark every answer; an unmarked error comes from actix itself (no route,
/// wrong method, a failed extractor) and is answered in the provider's format instead.
fn mend_unmarked(
    provider: &dyn Provider,
    path: &str,
    res: ServiceResponse<BoxBody>,
    ctx: &Ctx,
) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if res.response().extensions().get::<ReturnedCode>().is_some()
        || res.response().headers().contains_key(SANDBOX_ERROR_HEADER)
        || !(status.is_client_error() || status.is_server_error())
    {
        return res;
    }
    let problem = match status {
        StatusCode::NOT_FOUND => BadInput::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => BadInput::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => BadInput::TooLarge { limit: 0 },
        _ => BadInput::Malformed(
            res.response()
                .error()
                .map(|e| e.to_string())
                .unwrap_or_else(|| status.to_string()),
        ),
    };
    let fresh = render_bad_input(provider, path, &problem, ctx);
    res.into_response(fresh)
}

fn unknown_code(valid: Vec<String>, code: &str) -> HttpResponse {
    sandbox_error(
        StatusCode::BAD_REQUEST,
        "unknown-force-code",
        &format!(
            "`{code}` is not a documented error code of this endpoint (a success is what a \
             normal request answers)"
        ),
        Some(valid),
    )
}

fn raw_fault(
    status: u16,
    body: &Option<serde_json::Value>,
    headers: &BTreeMap<String, String>,
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    // Names and values are checked when the rule is loaded; skip rather than fail here.
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (
            actix_web::http::header::HeaderName::try_from(k.as_str()),
            actix_web::http::header::HeaderValue::try_from(v.as_str()),
        ) {
            builder.insert_header((name, value));
        }
    }
    // 204 and 304 carry no body on the wire (refused at load; never sent here either).
    match body {
        _ if matches!(status.as_u16(), 204 | 304) => builder.finish(),
        None => builder.finish(),
        Some(serde_json::Value::String(text)) => builder.body(text.clone()),
        Some(value) => builder.json(value),
    }
}

/// The tenant a request names: `default` without the header; a header that is not text,
/// or given twice, is refused rather than read as another tenant.
pub fn tenant_of(req: &actix_web::HttpRequest) -> Result<&str, TenantError> {
    let mut values = req.headers().get_all(TENANT_HEADER);
    match (values.next(), values.next()) {
        (None, _) => Ok("default"),
        (Some(value), None) => value.to_str().map_err(|_| TenantError::BadName),
        (Some(_), Some(_)) => Err(TenantError::BadName),
    }
}

/// An answer of the sandbox itself, marked so it cannot pass for the provider's.
pub fn sandbox_error(
    status: StatusCode,
    kind: &str,
    message: &str,
    valid_codes: Option<Vec<String>>,
) -> HttpResponse {
    let mut body = serde_json::json!({ "sandbox_error": kind, "message": message });
    if let Some(codes) = valid_codes {
        body["valid_codes"] = serde_json::json!(codes);
    }
    HttpResponse::build(status)
        .insert_header((SANDBOX_ERROR_HEADER, kind.to_string()))
        .json(body)
}

/// `default_service` of every provider scope: an unknown path, rendered by `mend_unmarked`.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().finish()
}

/// `default_service` of a resource: its path exists but not with this method.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().finish()
}

/// A provider endpoint: other methods than its routes' are answered 405 in the
/// provider's format (by `mend_unmarked`), not by actix's empty default.
pub fn resource(path: &str) -> actix_web::Resource {
    actix_web::web::resource(path).default_service(actix_web::web::to(method_not_allowed))
}
