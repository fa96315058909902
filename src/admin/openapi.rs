//! What the admin API says of itself beyond its routes: the request bodies, from the
//! types its handlers read, and the optional admin token. The platform
//! (`crate::openapi::admin_document`) completes each operation as it does a provider's.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::requests::JournalQuery;
use super::tenant::{Advance, SetClock};
use crate::openapi::ADMIN_TOKEN_SCHEME;
use crate::provider::SandboxErrorBody;
use crate::scenario::{Delay, Rule, Then, When};

#[utoipa::path(put, path = "/clock", request_body = SetClock,
    description = "Sets the tenant's virtual time; `frozen` keeps the current mode when absent.")]
#[allow(dead_code)]
fn set_clock() {}

#[utoipa::path(post, path = "/clock/advance", request_body = Advance,
    description = "Moves the tenant's clock by the sum of the four (negative: back).")]
#[allow(dead_code)]
fn advance_clock() {}

#[utoipa::path(post, path = "/rules",
    request_body(content(
        (Rule = "application/json"),
        (Rule = "application/yaml"),
    )),
    description = "Adds a runtime rule, the same shape as in a scenario's `rules` (JSON or YAML).")]
#[allow(dead_code)]
fn add_rule() {}

#[utoipa::path(put, path = "/scenario",
    params(("dry_run" = Option<bool>, Query,
        description = "Only validate: answer the problems (or `valid`), load nothing.")),
    request_body(content_type = "application/yaml", content = String,
        description = "A scenario in YAML (JSON is YAML too); replaces the scenario of every tenant. Problems come back with their line and column; the previous scenario keeps serving."),
    description = "Loads a scenario for every tenant of this replica.")]
#[allow(dead_code)]
fn put_scenario() {}

#[utoipa::path(get, path = "/snapshot",
    params(("journal" = Option<bool>, Query, description = "Include the journal's entries.")),
    description = "The tenant's whole state as one versioned JSON document.")]
#[allow(dead_code)]
fn get_snapshot() {}

#[utoipa::path(put, path = "/snapshot",
    params(("force" = Option<bool>, Query, description = "Load a document of another format version or scenario.")),
    request_body(content_type = "application/json", content = Object,
        description = "A document of `GET /__sandbox/snapshot`, at most `snapshot_body_limit` bytes."),
    description = "Makes the tenant exactly the state the document describes; a refused document changes nothing.")]
#[allow(dead_code)]
fn put_snapshot() {}

#[utoipa::path(get, path = "/metrics",
    responses((status = 200, description = "The metrics in the Prometheus text format.",
        content_type = "text/plain", body = String)),
    description = "Request counts by route template, code and status, latency per provider, rules fired, scenario loads, journal and entity gauges of every tenant.")]
#[allow(dead_code)]
fn metrics() {}

#[utoipa::path(get, path = "/requests",
    params(JournalQuery),
    responses(
        (status = 408, description = "`wait` passed before `count` entries matched (`X-Sandbox-Error: wait-timeout`); the entries that did.",
            content_type = "application/json", body = Object),
        (status = 429, description = "Too many calls wait already, in this tenant or in all (`X-Sandbox-Error: wait-cap`).",
            content_type = "application/json", body = Object),
    ),
    description = "The tenant's journal, newest first, with `dropped` (entries the caps evicted since the last clear).")]
#[allow(dead_code)]
fn requests() {}

#[derive(OpenApi)]
#[openapi(
    paths(set_clock, advance_clock, add_rule, put_scenario, get_snapshot, put_snapshot, metrics, requests),
    components(schemas(Advance, SetClock, Rule, When, Then, Delay, SandboxErrorBody)),
    modifiers(&Token)
)]
struct AdminApi;

/// `Authorization: Bearer` with `SANDBOX_ADMIN_TOKEN`, when one is set.
struct Token;

impl Modify for Token {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "`SANDBOX_ADMIN_TOKEN`, needed by every admin call but health when the \
                 sandbox has one; without one the admin API is open",
            ))
            .build();
        components.add_security_scheme(ADMIN_TOKEN_SCHEME, SecurityScheme::Http(bearer));
    }
}

/// The admin API's own part of its document.
pub fn document() -> utoipa::openapi::OpenApi {
    AdminApi::openapi()
}
