//! SberSafe customer information under `/sbersafe`: a client is found by phone or
//! email, confirmed with a one-time password (access code → OTP → token), and then
//! read with the token.

mod clients;
mod codes;
mod doc;
mod errors;
mod request;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::{SPECS, SberError};
pub use scenario::SberSafeScenario;
pub use state::{SberSafeState, moscow};

use actix_web::HttpResponse;

use crate::codes::{CodeEntry, CodeSpec};
use crate::provider::{BadInput, Ctx, Provider, Routes};
use crate::scenario::Declared;

pub struct SberSafe;

/// The path prefix and scenario key.
pub const NAME: &str = "sbersafe";

impl Declared for SberSafe {
    const NAME: &'static str = NAME;
    const TITLE: &'static str =
        "SberSafe customer information: one-time-password tokens, contacts, bindings";
    const SPECS: &'static [CodeSpec] = SPECS;
    type Section = SberSafeScenario;
}

/// The path of the web forms' anonymous lookup, below the prefix.
pub const WEB_FIND: &str = "/client/find";

impl Provider for SberSafe {
    fn scope(&self, path: &str) -> &'static str {
        if path == WEB_FIND {
            codes::WEB
        } else {
            codes::API
        }
    }
    fn scope_endpoint(&self, scope: &str) -> Option<&'static str> {
        (scope == codes::WEB).then_some(WEB_FIND)
    }
    /// Every API error answer, a handler's or a forced one, takes the tenant's next
    /// `requestId`, as a success does: the ids of a run repeat. The web lookup's
    /// answers carry none.
    fn render(&self, entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
        if entry.scope == codes::WEB {
            return errors::render_web(entry, details);
        }
        let request_id = ctx.state(|s: &mut SberSafeState| s.request_id());
        errors::render(entry, details, &request_id)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        if path == WEB_FIND {
            return ("find_invalid", web_bad_input(problem));
        }
        match problem {
            BadInput::Malformed(e) => ("malformed_json", format!("body: not valid JSON: {e}")),
            BadInput::TooLarge { limit } => {
                ("malformed_json", format!("body: larger than {limit} bytes"))
            }
            BadInput::NotFound => ("not_found", format!("no SberSafe endpoint at {path}")),
            BadInput::MethodNotAllowed => ("method_not_allowed", "use POST".to_string()),
        }
    }
    fn routes(&self, r: &mut Routes) {
        routes::routes(r);
    }
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        doc::openapi()
    }
    fn admin_routes(&self, r: &mut Routes) {
        r.get("/otp/{access_code}", routes::admin_otp);
    }
}

/// What the web lookup says of input refused before its handler (the pipeline gives a
/// wrong method its 405).
fn web_bad_input(problem: &BadInput) -> String {
    match problem {
        BadInput::Malformed(e) => format!("request: {e}"),
        BadInput::TooLarge { limit } => format!("body: larger than {limit} bytes"),
        BadInput::NotFound => format!("no SberSafe endpoint at {WEB_FIND}"),
        BadInput::MethodNotAllowed => "use POST".to_string(),
    }
}
