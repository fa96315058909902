//! OpenAPI 3.1 documents of what the sandbox serves, built from what serves it: every
//! path and method from the routes the server registers (`Routes`), every response from
//! the code table the tenant answers with, the sandbox's own headers on every provider
//! operation, and what a provider says of itself (`Provider::openapi`). A path the
//! server does not serve cannot be in a document, nor a served one missing.

mod operation;

use std::collections::BTreeMap;

use utoipa::openapi::path::Operation;
use utoipa::openapi::{Info, OpenApi, Paths, Server};

use crate::codes::CodeTable;
use crate::provider::{Endpoint, Provider, Registry};
use operation::{admin_operation, provider_operation};

pub use operation::{ADMIN_TOKEN_SCHEME, path_of};

/// One provider's API with its paths as the provider has them, `servers` at its prefix.
pub fn provider_document(provider: &dyn Provider, table: &CodeTable) -> OpenApi {
    let mut doc = provider.openapi();
    doc.info = Info::new(provider.title(), env!("CARGO_PKG_VERSION"));
    doc.servers = Some(vec![Server::new(format!("/{}", provider.name()))]);
    for endpoint in provider.endpoints() {
        let path = path_of(&endpoint.pattern);
        let described = slot(&mut doc.paths, &path, &endpoint).take();
        let operation = provider_operation(provider, table, &endpoint, described);
        *slot(&mut doc.paths, &path, &endpoint) = Some(operation);
    }
    doc
}

/// The admin API under `/__sandbox`, from the routes it registers and what it says of
/// them (`described`: bodies, the token's scheme). A described path it does not
/// register is left out, as a provider's is.
pub fn admin_document(described: OpenApi, endpoints: &[Endpoint]) -> OpenApi {
    let mut doc = OpenApi::new(
        Info::new("Sandbox admin API", env!("CARGO_PKG_VERSION")),
        Paths::new(),
    );
    doc.servers = Some(vec![Server::new("/__sandbox")]);
    doc.components = described.components;
    let mut paths = described.paths;
    for endpoint in endpoints {
        let path = path_of(&endpoint.pattern);
        let described = slot(&mut paths, &path, endpoint).take();
        *slot(&mut doc.paths, &path, endpoint) = Some(admin_operation(endpoint, described));
    }
    doc
}

/// Everything under one root: each provider under its prefix, the admin API under
/// `/__sandbox`.
pub fn everything(
    registry: &Registry,
    tables: &BTreeMap<&str, &CodeTable>,
    admin: OpenApi,
) -> OpenApi {
    let empty = CodeTable::default();
    let mut doc = OpenApi::new(
        Info::new("Provider sandbox", env!("CARGO_PKG_VERSION")),
        Paths::new(),
    );
    for provider in registry.iter() {
        let table = tables.get(provider.name()).copied().unwrap_or(&empty);
        let mut part = provider_document(provider.as_ref(), table);
        part.servers = None;
        doc = doc.nest(format!("/{}", provider.name()), part);
    }
    let mut part = admin;
    part.servers = None;
    doc.nest("/__sandbox", part)
}

/// The operation of `endpoint`'s method at `path`, the path item made if need be.
fn slot<'a>(paths: &'a mut Paths, path: &str, endpoint: &Endpoint) -> &'a mut Option<Operation> {
    let item = paths.paths.entry(path.to_string()).or_default();
    match endpoint.method.as_str() {
        "GET" => &mut item.get,
        "PUT" => &mut item.put,
        "DELETE" => &mut item.delete,
        "PATCH" => &mut item.patch,
        _ => &mut item.post,
    }
}
