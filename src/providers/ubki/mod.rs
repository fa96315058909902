//! UBKI credit bureau under `/ubki`: the authorization API that issues session keys and
//! the bonus service (discounts and partner-paid services).

mod auth;
mod codes;
mod dialect;
mod errors;
mod openapi;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::{SPECS, UbkiError};
pub use scenario::UbkiScenario;
pub use state::{UbkiState, expiry, kyiv};

use actix_web::HttpResponse;

use crate::codes::{CodeEntry, CodeSpec};
use crate::provider::{Asked, BadInput, Ctx, Provider, Routes};
use crate::scenario::Declared;

/// The path prefix and scenario key.
pub const NAME: &str = "ubki";

pub struct Ubki;

impl Declared for Ubki {
    const NAME: &'static str = NAME;
    const TITLE: &'static str = "UBKI credit bureau: session keys and the bonus (discount) service";
    const SPECS: &'static [CodeSpec] = SPECS;
    type Section = UbkiScenario;
}

impl Provider for Ubki {
    /// The bonus service answers under `/bonusservice`; every other path is the
    /// authorization API's (its format answers a path that is no endpoint).
    fn scope(&self, path: &str) -> &'static str {
        if path.starts_with("/bonusservice") {
            codes::BONUS
        } else {
            codes::AUTH
        }
    }
    fn scope_endpoint(&self, scope: &str) -> Option<&'static str> {
        match scope {
            codes::AUTH => Some("/b2_api_xml/ubki/auth"),
            codes::BONUS => Some("/bonusservice/*"),
            _ => None,
        }
    }
    fn render(&self, entry: &CodeEntry, details: &[String], _ctx: &Ctx) -> HttpResponse {
        errors::render(entry, details)
    }
    fn render_for(
        &self,
        entry: &CodeEntry,
        details: &[String],
        ctx: &Ctx,
        asked: &Asked,
    ) -> HttpResponse {
        errors::render_for(entry, details, ctx, asked)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        let detail = match problem {
            BadInput::Malformed(e) => format!("body: not valid JSON: {e}"),
            BadInput::TooLarge { limit } => format!("body: larger than {limit} bytes"),
            BadInput::NotFound => format!("no UBKI endpoint at {path}"),
            BadInput::MethodNotAllowed => "use POST".to_string(),
        };
        let key = match (self.scope(path), problem) {
            (codes::BONUS, _) => "invalid_attributes",
            (_, BadInput::NotFound) => "not_found",
            _ => "bad_json",
        };
        (key, detail)
    }
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        openapi::document(|path| self.scope(path))
    }
    fn routes(&self, r: &mut Routes) {
        routes::routes(r);
    }
}
