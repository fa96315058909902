//! The login's error answers (scope `kratos`), as Kratos writes them: the generic error
//! body; the expired-flow error naming the new flow to use; or, for a refused login
//! (codes that are UI message ids, `4000006`), the flow again with the code's message on
//! the form or on the node it is about. A forced answer of the last two kinds carries a
//! new flow, so a client can go on with it.

use actix_web::HttpResponse;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::codes::SPECS;
use super::errors::{FlowFeedback, NodeProblem, Problem};
use super::scenario::DcmScenario;
use super::state::{DcmState, Flow};
use super::wire::fmt_time;
use super::wire::kratos::{Expired, Feedback, UiText, error_body, login_flow};
use crate::codes::{CodeEntry, CodeTable};
use crate::provider::{Ctx, json};

/// Codes answered with the login flow again.
const FLOW_CODES: &[&str] = &[
    "field_invalid",
    "field_missing",
    "field_empty",
    "invalid_credentials",
    "no_strategy",
];

pub fn render(entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
    if entry.http_status < 400 {
        return json(entry.http_status, &json!({}), &entry.code);
    }
    if entry.key == "flow_expired" {
        return expired(entry, details, ctx);
    }
    if FLOW_CODES.contains(&entry.key.as_str()) {
        return refused(entry, details, ctx);
    }
    json(
        entry.http_status,
        &error_body(entry, details.first().cloned(), None),
        &entry.code,
    )
}

/// A new flow for a forced answer, under the scenario's `kratos_public_url` (else the
/// path `/dcm/kratos`, as no request tells the host); `None` when the scenario's
/// lifetime leaves the calendar.
fn new_flow(ctx: &Ctx) -> Option<Flow> {
    let dcm = ctx.section::<DcmScenario>();
    let base = dcm.kratos_base().unwrap_or_else(relative_base);
    let lifetime = Duration::try_minutes(dcm.flow_minutes())?;
    let url = format!("{base}/self-service/login/api");
    let now = ctx.now();
    ctx.state(|s: &mut DcmState| s.new_flow(now, lifetime, base, url))
        .ok()
}

/// The Kratos endpoints' path below the server, `/dcm/kratos`.
pub fn relative_base() -> String {
    format!("/{}/kratos", super::NAME)
}

/// 410 with the new flow's id; a forced one makes the new flow and expired just now.
fn expired(entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
    let now = ctx.now();
    let (use_flow, expired_at) = match details {
        [id, at, ..] => (
            Some(id.clone()),
            DateTime::parse_from_rfc3339(at).map_or(now, |t| t.with_timezone(&Utc)),
        ),
        _ => (new_flow(ctx).map(|f| f.id), now),
    };
    let ago = now.signed_duration_since(expired_at);
    let minutes = ago.num_milliseconds() as f64 / 60_000.0;
    let reason =
        format!("The self-service flow expired {minutes:.2} minutes ago, initialize a new one.");
    let extra = use_flow.map(|use_flow_id| Expired {
        expired_at: Some(fmt_time(expired_at)),
        since: Some(ago.num_nanoseconds().unwrap_or(i64::MAX)),
        use_flow_id: Some(use_flow_id),
    });
    json(
        entry.http_status,
        &error_body(entry, Some(reason), extra),
        &entry.code,
    )
}

/// The flow of a refused login with `entry`'s message, or a new one when forced.
fn refused(entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
    let mut fb = details
        .first()
        .and_then(|d| FlowFeedback::from_detail(d))
        .unwrap_or_default();
    let stored = ctx.state(|s: &mut DcmState| s.flow(&fb.flow_id).cloned());
    let Some(flow) = stored.or_else(|| new_flow(ctx)) else {
        return json(
            entry.http_status,
            &error_body(entry, None, None),
            &entry.code,
        );
    };
    if fb.problems.is_empty() {
        fb.problems = forced_problem(&entry.key);
    }
    let table = ctx.codes(super::NAME);
    let mut feedback = Feedback {
        identifier: fb.identifier,
        ..Feedback::default()
    };
    if matches!(entry.key.as_str(), "invalid_credentials" | "no_strategy") {
        feedback.messages.push(UiText::error(
            message_id(entry),
            entry.message.clone(),
            None,
        ));
    }
    for p in &fb.problems {
        if let Some(text) = node_message(table, p) {
            feedback.on_nodes.push((p.node.clone(), text));
        }
    }
    json(entry.http_status, &login_flow(&flow, feedback), &entry.code)
}

/// What a forced field code says, on the `password` node.
fn forced_problem(key: &str) -> Vec<NodeProblem> {
    let problem = match key {
        "field_invalid" => Problem::NotText("number".into()),
        "field_missing" => Problem::Missing,
        "field_empty" => Problem::Empty,
        _ => return Vec::new(),
    };
    vec![NodeProblem {
        node: "password".into(),
        problem,
    }]
}

/// A node's message from its code (the tenant's, so overrides apply), with Kratos's
/// context.
fn node_message(table: &CodeTable, p: &NodeProblem) -> Option<UiText> {
    let (key, text, context) = match &p.problem {
        Problem::Missing => {
            let e = table.by_key("field_missing")?;
            let text = e.message.replace("{property}", &p.node);
            (e, text, json!({ "property": p.node }))
        }
        Problem::Empty => {
            let e = table.by_key("field_empty")?;
            (
                e,
                e.message.clone(),
                json!({"min_length": 1, "actual_length": 0}),
            )
        }
        Problem::NotText(kind) => {
            let e = table.by_key("field_invalid")?;
            let text = e.message.replace("{type}", kind);
            let reason = json!({ "reason": text });
            (e, text, reason)
        }
    };
    Some(UiText::error(message_id(key), text, Some(context)))
}

/// A UI message's numeric id: the code, or the documented one when a scenario made the
/// code something else than a number.
fn message_id(entry: &CodeEntry) -> i64 {
    entry.code.parse().ok().unwrap_or_else(|| {
        SPECS
            .iter()
            .find(|s| s.key == entry.key)
            .and_then(|s| s.code.parse().ok())
            .unwrap_or(0)
    })
}
