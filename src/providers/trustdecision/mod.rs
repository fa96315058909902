//! TrustDecision credit-feature profiling under `/trustdecision`: one API (the real path
//! is not public, so every POST below the prefix serves it) answering a package's
//! indicators for a person, with partner accounts that run out, expire and get suspended.

mod body;
mod codes;
mod errors;
mod openapi;
mod record;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::{SPECS, TdError};
pub use scenario::TrustDecisionScenario;
pub use state::{MAX_PARTNERS, MAX_RECORDS, TrustDecisionState};

use actix_web::HttpResponse;

use crate::codes::{CodeEntry, CodeSpec};
use crate::provider::{BadInput, Ctx, Provider, Routes};
use crate::scenario::Declared;
use errors::Reply;

pub struct TrustDecision;

/// The path prefix and scenario key.
pub const NAME: &str = "trustdecision";

impl Declared for TrustDecision {
    const NAME: &'static str = NAME;
    const TITLE: &'static str = "TrustDecision credit-feature profiling";
    const SPECS: &'static [CodeSpec] = SPECS;
    type Section = TrustDecisionScenario;
}

impl Provider for TrustDecision {
    /// Forced answers take the next `sequence_id` of the tenant, like a handler's, and
    /// leave a record of it, so `calls` and `records` always agree. The request is not
    /// seen here, so that record has none.
    fn render(&self, entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
        let now = ctx.now();
        let reply = Reply::failure(entry, details);
        ctx.state(|s: &mut TrustDecisionState| s.answer(reply, now, None, None))
            .send()
    }
    /// Bad input is `{parameter} error` naming what was wrong: the body or the method.
    fn bad_input(&self, _path: &str, problem: &BadInput) -> (&'static str, String) {
        let parameter = match problem {
            BadInput::Malformed(_) | BadInput::TooLarge { .. } => "body",
            BadInput::NotFound => "path",
            BadInput::MethodNotAllowed => "method",
        };
        ("invalid", parameter.to_string())
    }
    fn routes(&self, r: &mut Routes) {
        routes::routes(r);
    }
    /// The request and answer schemas of the wire types, the query keys, the examples.
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        openapi::document()
    }
    /// The default partner's keys: credentials travel in the query.
    fn sample_query(&self) -> &'static str {
        "?partner_code=sandbox&partner_key=sandbox"
    }
    fn admin_routes(&self, r: &mut Routes) {
        routes::admin(r);
    }
}
