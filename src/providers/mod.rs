//! The five providers. Each is a folder with the same files (`codes.rs`, `wire.rs`,
//! `state.rs`, `routes.rs`, `scenario.rs`, `mod.rs`) and one `Provider` value; adding a
//! sixth means copying a folder and adding it to `registry()`.

pub mod carmachain;
pub mod codes;
pub mod context;
pub mod dcm;
pub mod pipeline;
pub mod sbersafe;
pub mod trustdecision;
pub mod ubki;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use codes::{CodeEntry, CodeOverride, CodeSpec, CodeTable};
pub use context::Ctx;

use crate::scenario::Scenario;
use crate::state::World;

/// Input the sandbox refuses before a handler sees it, or that a handler's extractor
/// refused; each provider maps it to one of its own codes.
#[derive(Debug, Clone)]
pub enum BadInput {
    /// Unparseable body, wrong types, bad path or query parameters.
    Malformed(String),
    TooLarge {
        limit: usize,
    },
    NotFound,
    MethodNotAllowed,
}

pub trait Provider: Send + Sync + 'static {
    /// Path prefix without the slash, and the name used in rules and the admin API.
    fn name(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// The documented code table.
    fn specs(&self) -> &'static [CodeSpec];
    /// The scenario's changes to the table.
    fn overrides(&self, _scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        BTreeMap::new()
    }
    fn codes(&self, scenario: &Scenario) -> CodeTable {
        CodeTable::build(self.specs(), &self.overrides(scenario))
    }
    /// The code scope (`CodeSpec::scope`) of an endpoint, given its path below the prefix.
    fn scope(&self, path: &str) -> &'static str;
    /// An endpoint glob (below the prefix) of a code scope, so a rule for a scoped code
    /// can be limited to the endpoints that answer it.
    fn scope_endpoint(&self, _scope: &str) -> Option<&'static str> {
        None
    }
    /// The provider's answer for `entry`, in its own body format and status; `ctx` gives
    /// the tenant's clock and state, so forced answers carry real ids and timestamps.
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, ctx: &Ctx) -> HttpResponse;
    /// Which code (by key) answers bad input at `path`, with a detail for the body.
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String);
    fn routes(&self, cfg: &mut web::ServiceConfig);
    /// Provider-specific admin endpoints, mounted under `/__sandbox/<name>`.
    fn admin_routes(&self, _cfg: &mut web::ServiceConfig) {}
    /// A fresh tenant's state under this scenario.
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState>;
    /// Problems with the provider's scenario section, beyond what types check.
    fn validate(&self, _scenario: &Scenario) -> Vec<String> {
        Vec::new()
    }
}

/// A provider's mutable state inside one tenant.
pub trait ProviderState: Any + Send + Sync {
    /// Read-only view for `GET /__sandbox/state`.
    fn view(&self, now: DateTime<Utc>) -> serde_json::Value;
}

/// Every provider, in the order the README lists them.
pub fn registry() -> Vec<Arc<dyn Provider>> {
    vec![
        Arc::new(carmachain::CarmaChain),
        Arc::new(trustdecision::TrustDecision),
        Arc::new(dcm::Dcm),
        Arc::new(ubki::Ubki),
        Arc::new(sbersafe::SberSafe),
    ]
}

/// The code an answer carries, for the journal and coverage. Every provider answer,
/// success or error, is marked; an unmarked error answer is a bug the pipeline mends.
#[derive(Debug, Clone)]
pub struct ReturnedCode(pub String);

/// Marks `res` as carrying `code`.
pub fn mark(mut res: HttpResponse, code: &str) -> HttpResponse {
    res.extensions_mut().insert(ReturnedCode(code.to_string()));
    res
}

/// A JSON answer carrying `code`.
pub fn json(status: u16, body: &impl Serialize, code: &str) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    mark(HttpResponse::build(status).json(body), code)
}
