//! DCM bank integration under `/dcm`: Kratos password login and bank-signed JWTs, and
//! the customer and account API of a counterparty (bank), held as a small in-memory
//! database per tenant.

mod codes;
mod errors;
mod kratos;
mod routes;
mod scenario;
mod state;
mod wire;

pub use scenario::{AssetSpec, CounterpartySpec, DcmScenario};
pub use state::{DcmState, NewCustomer, parse_list_query};

use actix_web::HttpResponse;

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
    /// `/kratos/...` is the login, Kratos's; the rest the bank API.
    fn scope(&self, path: &str) -> &'static str {
        if path == "/kratos" || path.starts_with("/kratos/") {
            codes::KRATOS
        } else {
            codes::API
        }
    }
    fn scope_endpoint(&self, scope: &str) -> Option<&'static str> {
        match scope {
            codes::KRATOS => Some("/kratos/*"),
            codes::API => Some("/api/*"),
            _ => None,
        }
    }
    fn render(&self, entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse {
        if entry.scope == codes::KRATOS {
            kratos::render(entry, details, ctx)
        } else {
            errors::render(entry, details)
        }
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        if self.scope(path) == codes::KRATOS {
            return kratos_bad_input(path, problem);
        }
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
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        routes::document()
    }
    fn admin_routes(&self, r: &mut Routes) {
        r.delete("/sessions/{token}", routes::admin_revoke);
    }
}

/// Bad input at the login, answered in Kratos's generic body.
fn kratos_bad_input(path: &str, problem: &BadInput) -> (&'static str, String) {
    match problem {
        BadInput::Malformed(e) => (
            "kratos_bad_request",
            format!("Unable to decode the request: {e}"),
        ),
        BadInput::TooLarge { limit } => (
            "kratos_bad_request",
            format!("The request body is larger than {limit} bytes"),
        ),
        BadInput::NotFound => (
            "flow_not_found",
            format!("No Kratos endpoint at /{NAME}{path}"),
        ),
        BadInput::MethodNotAllowed => (
            "kratos_bad_request",
            format!("Method not allowed at /{NAME}{path}"),
        ),
    }
}
