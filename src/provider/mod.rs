//! The contract every provider implements, and what its handlers are given: the
//! tenant's context (`Ctx`), answers marked with their code (`answer`), and routes that
//! list themselves (`routes`). The five providers live in `providers`; the
//! request path around them in `pipeline`.

mod answer;
mod context;
mod routes;
pub mod writer;

pub use answer::{
    ExactBody, ReturnedCode, SANDBOX_ERROR_HEADER, SandboxErrorBody, json, mark, sandbox_error,
};
pub use context::{Body, Ctx, TENANT_HEADER, tenant_of};
pub use routes::{Endpoint, Routes, method_not_allowed, not_found};

use std::sync::Arc;

use actix_web::HttpResponse;

use crate::codes::CodeEntry;
use crate::scenario::Blueprint;

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

/// The request as a renderer may need it: a provider answering in the dialect the
/// caller spoke (UBKI's XML) reads its headers and body.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// Below the prefix.
    pub path: &'a str,
    /// Lower-case names.
    pub headers: &'a crate::headers::Headers,
    /// Empty when it was over the limit.
    pub body: &'a [u8],
}

/// One emulated provider. `Blueprint` (name, code table, scenario section) is what the
/// layers below need; this adds what serving it needs.
pub trait Provider: Blueprint {
    /// The code scope (`CodeSpec::scope`) of an endpoint, given its path below the prefix;
    /// a provider with one body format everywhere has the one scope `""`.
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    /// An endpoint glob (below the prefix) of a code scope, so a rule for a scoped code
    /// can be limited to the endpoints that answer it.
    fn scope_endpoint(&self, _scope: &str) -> Option<&'static str> {
        None
    }
    /// The provider's answer for `entry`, in its own body format and status; `ctx` gives
    /// the tenant's clock and state, so forced answers carry real ids and timestamps.
    fn render(&self, entry: &CodeEntry, details: &[String], ctx: &Ctx) -> HttpResponse;
    /// `render` for the request `asked`; a provider with one dialect needs only `render`.
    fn render_for(
        &self,
        entry: &CodeEntry,
        details: &[String],
        ctx: &Ctx,
        _asked: &Asked,
    ) -> HttpResponse {
        self.render(entry, details, ctx)
    }
    /// Which code (by key) answers bad input at `path`, with a detail for the body.
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String);
    /// The provider's endpoints, below its prefix.
    fn routes(&self, routes: &mut Routes);
    /// Provider-specific admin endpoints, mounted under `/__sandbox/<name>`; listed in
    /// the admin document like the rest of the admin API.
    fn admin_routes(&self, _routes: &mut Routes) {}
    /// A query string that authenticates a sample request (for tests that reach every
    /// endpoint past its credentials check), `""` where credentials are not in the query.
    fn sample_query(&self) -> &'static str {
        ""
    }
    /// What the provider says of its API beyond what the platform derives (paths,
    /// sandbox headers, a response per code): request and response schemas, security,
    /// examples. Paths are the provider's own, below the prefix.
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        utoipa::openapi::OpenApi::default()
    }
    /// Every endpoint, as `routes` registers it.
    fn endpoints(&self) -> Vec<Endpoint> {
        let mut routes = Routes::default();
        self.routes(&mut routes);
        routes.endpoints()
    }
    /// Every admin endpoint, below `/__sandbox/<name>`, as `admin_routes` registers it.
    fn admin_endpoints(&self) -> Vec<Endpoint> {
        let mut routes = Routes::default();
        self.admin_routes(&mut routes);
        routes.endpoints()
    }
}

/// The providers a server runs, in the order the README lists them.
#[derive(Clone)]
pub struct Registry(Vec<Arc<dyn Provider>>);

impl Registry {
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Self {
        Self(providers)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.0.iter()
    }

    pub fn find(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.0.iter().find(|p| p.name() == name)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }

    /// The same providers as scenario loading sees them.
    pub fn blueprints(&self) -> Vec<Arc<dyn Blueprint>> {
        self.0
            .iter()
            .map(|p| p.clone() as Arc<dyn Blueprint>)
            .collect()
    }
}
