//! CarmaChain data-sharing API under `/carmachain`: API keys (HS256 JWTs with scope,
//! expiry and revocation) and data requests that go from `Panding` to `Done` on the
//! tenant's virtual clock.

mod codes;
mod data;
mod errors;
mod openapi;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::{CarmaError, SPECS};
pub use scenario::CarmaChainScenario;
pub use state::{CarmaState, MAX_KEYS, MAX_REQUESTS};

use actix_web::HttpResponse;

use crate::codes::{CodeEntry, CodeSpec};
use crate::provider::{BadInput, Ctx, Provider, Routes};
use crate::scenario::Declared;

pub struct CarmaChain;

/// The path prefix and scenario key.
pub const NAME: &str = "carmachain";

impl Declared for CarmaChain {
    const NAME: &'static str = NAME;
    const TITLE: &'static str = "CarmaChain data-sharing API: API keys and data requests";
    const SPECS: &'static [CodeSpec] = SPECS;
    type Section = CarmaChainScenario;
}

impl Provider for CarmaChain {
    fn render(&self, entry: &CodeEntry, details: &[String], _ctx: &Ctx) -> HttpResponse {
        errors::render(entry, details)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        match problem {
            BadInput::Malformed(e) => ("invalid_field", format!("request: {e}")),
            BadInput::TooLarge { limit } => {
                ("bad_json", format!("body: larger than {limit} bytes"))
            }
            BadInput::NotFound => ("not_found", format!("no CarmaChain endpoint at {path}")),
            BadInput::MethodNotAllowed => (
                "method_not_allowed",
                if path.starts_with("/auth") {
                    "use GET"
                } else {
                    "use POST"
                }
                .to_string(),
            ),
        }
    }
    fn routes(&self, r: &mut Routes) {
        routes::routes(r);
    }
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        openapi::document()
    }
    fn admin_routes(&self, r: &mut Routes) {
        routes::configure_admin(r);
    }
}
