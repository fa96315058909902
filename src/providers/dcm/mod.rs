//! DCM bank integration under `/dcm`: Kratos password login and bank-signed JWTs, and
//! the customer and account API of a counterparty (bank), held as a small in-memory
//! database per tenant.

mod codes;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use scenario::{AssetSpec, CounterpartySpec, DcmScenario};
pub use state::{DcmState, NewCustomer, parse_list_query};

use actix_web::{HttpResponse, web};

use crate::codes::{CodeEntry, CodeSpec};
use crate::provider::{BadInput, Ctx, Provider, Routes};
use crate::scenario::Declared;
use codes::SPECS;

pub struct Dcm;

/// The path prefix and scenario key.
pub const NAME: &str = "dcm";

impl Declared for Dcm {
    const NAME: &'static str = NAME;
    const TITLE: &'static str = "DCM bank integration: login, JWT, customers and accounts";
    const SPECS: &'static [CodeSpec] = SPECS;
    type Section = DcmScenario;
}

impl Provider for Dcm {
    fn render(&self, entry: &CodeEntry, details: &[String], _ctx: &Ctx) -> HttpResponse {
        errors::render(entry, details)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        match problem {
            BadInput::Malformed(e) => ("bad_request", format!("invalid request: {e}")),
            BadInput::TooLarge { limit } => (
                "bad_request",
                format!("request body is larger than {limit} bytes"),
            ),
            BadInput::NotFound => ("not_found", format!("no DCM endpoint at {path}")),
            BadInput::MethodNotAllowed => ("bad_request", format!("method not allowed at {path}")),
        }
    }
    fn routes(&self, r: &mut Routes) {
        routes::routes(r);
    }
    fn admin_routes(&self, cfg: &mut web::ServiceConfig) {
        cfg.route("/sessions/{token}", web::delete().to(routes::admin_revoke));
    }
}
