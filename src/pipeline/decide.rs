//! Step 2: who answers. A rule of the tenant (a code, a raw fault, a dropped
//! connection, maybe after a delay), else `X-Sandbox-Force`, else the handler. Pure
//! apart from consuming a rule's `times`, so it is tested without HTTP.

use actix_web::{HttpResponse, http::StatusCode, http::header::ToStrError};

use super::act::{answer_code, bad_input, raw_fault};
use super::capture::Captured;
use crate::faults::{Fired, RequestView};
use crate::provider::{Asked, BadInput, Ctx, Provider, sandbox_error};
use crate::scenario::Then;

#[derive(Debug)]
pub struct Decision {
    /// Waited before the outcome, whoever answers.
    pub delay_ms: u64,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    /// The provider's handler answers.
    Handler,
    /// The answer is decided; `forced_by` names the rule or header that forced it.
    Answer {
        res: HttpResponse,
        forced_by: Option<String>,
        /// Close the connection instead of answering.
        drop: bool,
    },
}

impl Outcome {
    fn forced(res: HttpResponse, by: String) -> Self {
        Self::Answer {
            res,
            forced_by: Some(by),
            drop: false,
        }
    }
}

/// `force` is the `X-Sandbox-Force` header, if any, as text.
pub fn decide(
    provider: &dyn Provider,
    captured: &Captured,
    force: Option<Result<&str, ToStrError>>,
    ctx: &Ctx,
) -> Decision {
    let body = match &captured.body {
        Ok(body) => body,
        Err(limit) => {
            let problem = BadInput::TooLarge { limit: *limit };
            let res = bad_input(provider, &captured.asked(), &problem, ctx);
            let outcome = Outcome::Answer {
                res,
                forced_by: None,
                drop: false,
            };
            return Decision {
                delay_ms: 0,
                outcome,
            };
        }
    };
    let fired = fire_rule(provider, captured, body, ctx);
    if fired.is_some() {
        ctx.sandbox.metrics.rule_fired(provider.name());
    }
    let delay_ms = fired.as_ref().map_or(0, |f| f.delay_ms);
    let outcome = fired
        .and_then(|f| rule_outcome(provider, &captured.asked(), f, ctx))
        .or_else(|| force.map(|code| force_outcome(provider, &captured.asked(), code, ctx)))
        .unwrap_or(Outcome::Handler);
    Decision { delay_ms, outcome }
}

/// The first live rule of the tenant matching the request whose code (if it names
/// one) this endpoint can answer.
fn fire_rule(
    provider: &dyn Provider,
    captured: &Captured,
    body: &[u8],
    ctx: &Ctx,
) -> Option<Fired> {
    let view = RequestView {
        provider: provider.name(),
        method: &captured.method,
        path: captured.path(),
        query: &captured.query,
        headers: &captured.headers,
        body,
    };
    let table = ctx.codes(provider.name());
    let scope = provider.scope(captured.path());
    let applies = |then: &Then| {
        then.code
            .as_ref()
            .is_none_or(|code| table.forcible(scope, code).is_some())
    };
    ctx.tenant.rules.lock().fire(&view, applies)
}

/// What a fired rule answers; `None` for a pure delay, after which the request goes on.
fn rule_outcome(
    provider: &dyn Provider,
    asked: &Asked,
    fired: Fired,
    ctx: &Ctx,
) -> Option<Outcome> {
    let by = format!("rule:{}", fired.name);
    let then = fired.then;
    if then.drop {
        return Some(Outcome::Answer {
            res: HttpResponse::new(StatusCode::SERVICE_UNAVAILABLE),
            forced_by: Some(by),
            drop: true,
        });
    }
    let scope = provider.scope(asked.path);
    if let Some(entry) = then
        .code
        .as_ref()
        .and_then(|c| ctx.codes(provider.name()).forcible(scope, c))
    {
        return Some(Outcome::forced(
            answer_code(provider, entry, &[], ctx, asked),
            by,
        ));
    }
    let status = then.status?;
    Some(Outcome::forced(
        raw_fault(status, &then.body, &then.headers),
        by,
    ))
}

/// The answer `X-Sandbox-Force` asks for: the code, or the sandbox's refusal naming
/// the codes this endpoint has.
fn force_outcome(
    provider: &dyn Provider,
    asked: &Asked,
    code: Result<&str, ToStrError>,
    ctx: &Ctx,
) -> Outcome {
    let table = ctx.codes(provider.name());
    let scope = provider.scope(asked.path);
    let res = match code {
        Ok(code) => match table.forcible(scope, code) {
            Some(entry) => answer_code(provider, entry, &[], ctx, asked),
            None => unknown_code(table.forcible_in(scope), code),
        },
        Err(_) => unknown_code(table.forcible_in(scope), "<not ASCII>"),
    };
    Outcome::forced(res, "force".into())
}

fn unknown_code(valid: Vec<String>, code: &str) -> HttpResponse {
    let message = format!(
        "`{code}` is not a documented error code of this endpoint (a success is what a \
         normal request answers)"
    );
    sandbox_error(
        StatusCode::BAD_REQUEST,
        "unknown-force-code",
        &message,
        Some(valid),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use actix_web::web::Bytes;

    use super::*;
    use crate::providers::registry;
    use crate::settings::Settings;
    use crate::state::Sandbox;

    const RULES: &str = "rules:
  - name: blocked
    when: {provider: ubki, body: {doc.auth.login: blocked}}
    then: {code: '27'}
  - name: slow
    when: {provider: ubki, endpoint: /bonusservice/*}
    then: {delay_ms: 40}
";

    fn ctx() -> Ctx {
        let sources = vec![("rules.yaml".to_string(), RULES.to_string())];
        let sandbox =
            Sandbox::from_sources(Settings::for_tests(), sources, registry().blueprints())
                .expect("scenario loads");
        let sandbox = Arc::new(sandbox);
        let tenant = sandbox.tenant("t").expect("tenant");
        Ctx::new(tenant, sandbox)
    }

    /// What UBKI's pipeline decides for a POST of `body` to `path` (`Err(limit)`: a
    /// body over the limit) with `X-Sandbox-Force: force`.
    fn decision(path: &str, body: Result<&'static [u8], usize>, force: Option<&str>) -> Decision {
        let ctx = ctx();
        let ubki = registry()
            .find("ubki")
            .cloned()
            .expect("ubki is registered");
        let req = Captured {
            started: Instant::now(),
            method: "POST".into(),
            full_path: format!("/ubki{path}"),
            below: "/ubki".len(),
            query: String::new(),
            headers: Default::default(),
            body: body.map(Bytes::from_static),
        };
        decide(&*ubki, &req, force.map(Ok), &ctx)
    }

    fn forced_by(decision: &Decision) -> Option<&str> {
        match &decision.outcome {
            Outcome::Answer { forced_by, .. } => forced_by.as_deref(),
            Outcome::Handler => None,
        }
    }

    const AUTH: &str = "/b2_api_xml/ubki/auth";
    const DISCOUNT: &str = "/bonusservice/discount";

    #[test]
    fn a_matching_rule_answers_its_code_and_names_itself() {
        let blocked: &[u8] = br#"{"doc":{"auth":{"login":"blocked"}}}"#;

        let decision = decision(AUTH, Ok(blocked), None);

        assert_eq!(forced_by(&decision), Some("rule:blocked"));
        assert_eq!(decision.delay_ms, 0);
    }

    #[test]
    fn a_pure_delay_rule_passes_to_the_handler_after_its_delay() {
        let decision = decision(DISCOUNT, Ok(b"{}"), None);

        assert!(matches!(decision.outcome, Outcome::Handler));
        assert_eq!(decision.delay_ms, 40);
    }

    #[test]
    fn the_force_header_answers_after_a_pure_delay_too() {
        let decision = decision(DISCOUNT, Ok(b"{}"), Some("3"));

        assert_eq!(forced_by(&decision), Some("force"));
        assert_eq!(decision.delay_ms, 40);
    }

    #[test]
    fn an_unknown_forced_code_is_the_sandbox_refusing_it() {
        let decision = decision(AUTH, Ok(b"{}"), Some("999"));

        let Outcome::Answer { res, .. } = decision.outcome else {
            panic!("the header decides");
        };
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(
            res.headers()
                .contains_key(crate::provider::SANDBOX_ERROR_HEADER)
        );
    }

    #[test]
    fn a_body_over_the_limit_is_bad_input_before_any_rule() {
        let decision = decision(DISCOUNT, Err(10), Some("3"));

        assert_eq!(forced_by(&decision), None);
        assert!(matches!(decision.outcome, Outcome::Answer { .. }));
        assert_eq!(decision.delay_ms, 0);
    }

    #[test]
    fn no_rule_and_no_header_is_the_handler() {
        let decision = decision(AUTH, Ok(b"{}"), None);

        assert!(matches!(decision.outcome, Outcome::Handler));
    }
}
