//! Step 3: the answer. A decided one is sent as is; otherwise the handler runs, and
//! what it returns is put in the provider's format: a provider error (`Failure`) is
//! rendered through the tenant's code table, and an unmarked error from actix itself
//! (no route, wrong method, a failed extractor) becomes the provider's bad-input code.

use std::collections::BTreeMap;

use actix_web::{
    HttpMessage, HttpResponse,
    body::BoxBody,
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};

use super::ConnSocket;
use super::capture::Captured;
use super::decide::Outcome;
use crate::codes::{CodeEntry, Failure};
use crate::provider::{
    Asked, BadInput, Body, Ctx, Provider, ReturnedCode, SANDBOX_ERROR_HEADER, mark, sandbox_error,
};

/// The response, and what forced it (for the journal).
pub async fn act(
    provider: &dyn Provider,
    captured: &Captured,
    outcome: Outcome,
    req: ServiceRequest,
    next: Next<BoxBody>,
    ctx: &Ctx,
) -> Result<(ServiceResponse<BoxBody>, Option<String>), actix_web::Error> {
    match outcome {
        Outcome::Answer {
            res,
            forced_by,
            drop,
        } => {
            let res = req.into_response(res);
            if drop && let Some(socket) = res.request().conn_data::<ConnSocket>() {
                let _ = socket.0.shutdown(std::net::Shutdown::Both);
            }
            Ok((res, forced_by))
        }
        Outcome::Handler => {
            if let Ok(bytes) = &captured.body {
                req.extensions_mut().insert(Body(bytes.clone()));
            }
            let res = next.call(req).await?;
            Ok((finish(provider, &captured.asked(), res, ctx), None))
        }
    }
}

/// `entry` in the provider's format for the request `asked`, marked with its code.
pub fn answer_code(
    provider: &dyn Provider,
    entry: &CodeEntry,
    details: &[String],
    ctx: &Ctx,
    asked: &Asked,
) -> HttpResponse {
    mark(provider.render_for(entry, details, ctx, asked), &entry.code)
}

/// The provider's code for bad input, with the status any gateway gives a path or
/// method it lacks.
pub fn bad_input(
    provider: &dyn Provider,
    asked: &Asked,
    problem: &BadInput,
    ctx: &Ctx,
) -> HttpResponse {
    let (key, detail) = provider.bad_input(asked.path, problem);
    let mut res = match ctx.codes(provider.name()).by_key(key) {
        Some(entry) => answer_code(provider, entry, &[detail], ctx, asked),
        None => sandbox_error(StatusCode::BAD_REQUEST, "bad-input", &detail, None),
    };
    match problem {
        BadInput::NotFound => *res.status_mut() = StatusCode::NOT_FOUND,
        BadInput::MethodNotAllowed => *res.status_mut() = StatusCode::METHOD_NOT_ALLOWED,
        _ => {}
    }
    res
}

/// A handler's answer in the provider's format.
fn finish(
    provider: &dyn Provider,
    asked: &Asked,
    res: ServiceResponse<BoxBody>,
    ctx: &Ctx,
) -> ServiceResponse<BoxBody> {
    let failure = res.response().extensions().get::<Failure>().cloned();
    if let Some(failure) = failure {
        let fresh = match ctx.codes(provider.name()).by_key(failure.key) {
            Some(entry) => answer_code(provider, entry, &failure.details, ctx, asked),
            None => {
                let message = format!(
                    "{} code `{}` missing from the table",
                    provider.name(),
                    failure.key
                );
                sandbox_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "code-table",
                    &message,
                    None,
                )
            }
        };
        return res.into_response(fresh);
    }
    let status = res.status();
    if res.response().extensions().get::<ReturnedCode>().is_some()
        || res.response().headers().contains_key(SANDBOX_ERROR_HEADER)
        || !(status.is_client_error() || status.is_server_error())
    {
        return res;
    }
    let problem = actix_problem(&res);
    let fresh = bad_input(provider, asked, &problem, ctx);
    res.into_response(fresh)
}

/// What an unmarked error answer of actix says was wrong.
fn actix_problem(res: &ServiceResponse<BoxBody>) -> BadInput {
    let status = res.status();
    match status {
        StatusCode::NOT_FOUND => BadInput::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => BadInput::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => BadInput::TooLarge { limit: 0 },
        _ => BadInput::Malformed(
            res.response()
                .error()
                .map(|e| e.to_string())
                .unwrap_or_else(|| status.to_string()),
        ),
    }
}

/// A rule's raw answer: any status, body and headers.
pub fn raw_fault(
    status: u16,
    body: &Option<serde_json::Value>,
    headers: &BTreeMap<String, String>,
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    // Names and values are checked when the rule is loaded; skip rather than fail here.
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
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
