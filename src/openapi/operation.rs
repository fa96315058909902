//! One operation of a document: its path parameters, the sandbox's headers, and a
//! response for every HTTP status its code table can answer.

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Schema, Type,
};

use crate::codes::CodeTable;
use crate::provider::{Endpoint, Provider};

/// The admin token's scheme, as the admin API's own description names it.
pub const ADMIN_TOKEN_SCHEME: &str = "admin_token";
/// The schema of the sandbox's refusals in the admin API's components.
pub const ADMIN_ERROR_SCHEMA: &str = "sandbox.Error";

/// An actix pattern as an OpenAPI path: `{cu:[^/]*}` is `{cu}`, `""` is `/`.
pub fn path_of(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..];
        let close = inner.find('}').unwrap_or(inner.len());
        let name = inner[..close].split(':').next().unwrap_or_default();
        out.push_str(&format!("{{{name}}}"));
        rest = inner.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    if out.is_empty() { "/".into() } else { out }
}

/// The provider's description of the operation, completed: an id (the platform's, so
/// ids never collide in the combined document and links can name them), its path
/// parameters, `X-Sandbox-Tenant`, `X-Sandbox-Force` with the endpoint's forcible
/// codes, and every status the endpoint's codes answer with (what the provider
/// described for a status stays, followed by the codes it carries).
pub fn provider_operation(
    provider: &dyn Provider,
    table: &CodeTable,
    endpoint: &Endpoint,
    described: Option<Operation>,
) -> Operation {
    let mut op = described.unwrap_or_default();
    let scope = provider.scope(&endpoint.sample_path());
    op.operation_id = Some(operation_id(provider.name(), endpoint));
    let mut parameters = path_parameters(endpoint);
    parameters.push(tenant_header());
    parameters.push(force_header(table.forcible_in(scope)));
    extend_parameters(&mut op, parameters);
    for (status, text) in statuses(table, scope) {
        match op.responses.responses.get_mut(&status) {
            Some(RefOr::T(response)) => {
                response.description = format!("{} Codes: {text}", response.description);
            }
            Some(RefOr::Ref(_)) => {}
            None => {
                let response = RefOr::T(json_response(&format!("Codes: {text}")));
                op.responses.responses.insert(status, response);
            }
        }
    }
    op
}

/// An admin operation: per tenant, answered in JSON, refusals marked `X-Sandbox-Error`,
/// behind the admin token when one is set (health never is).
pub fn admin_operation(endpoint: &Endpoint, described: Option<Operation>) -> Operation {
    let mut op = described.unwrap_or_default();
    op.operation_id = Some(operation_id("admin", endpoint));
    let mut parameters = path_parameters(endpoint);
    parameters.push(tenant_header());
    extend_parameters(&mut op, parameters);
    // Health and the dashboard's page and files answer without the token.
    let page = endpoint.pattern.starts_with("/docs") || endpoint.pattern.starts_with("/ui");
    if endpoint.pattern != "/health" && !endpoint.pattern.starts_with("/ui") {
        let token = SecurityRequirement::new(ADMIN_TOKEN_SCHEME, Vec::<String>::new());
        op.security = Some(vec![token, SecurityRequirement::default()]);
    }
    if page {
        docs_responses(&mut op);
        return op;
    }
    let answers = [("200", "the answer"), ("201", "created")];
    let refusals = [
        ("400", "refused: `X-Sandbox-Error` names why"),
        (
            "401",
            "the admin token is missing or wrong (with `admin_token` set)",
        ),
        ("404", "nothing of that name in this tenant"),
    ];
    let responses = answers
        .map(|(s, text)| (s, json_response(text)))
        .into_iter()
        .chain(refusals.map(|(s, text)| (s, refusal(text))));
    for (status, response) in responses {
        op.responses
            .responses
            .entry(status.into())
            .or_insert(RefOr::T(response));
    }
    op
}

/// The sandbox's own refusal: `sandbox.Error` (`SandboxErrorBody`), its kind in
/// `X-Sandbox-Error` too.
fn refusal(description: &str) -> Response {
    let schema = RefOr::Ref(Ref::from_schema_name(ADMIN_ERROR_SCHEMA));
    let content = ContentBuilder::new().schema(Some(schema)).build();
    let kind = HeaderBuilder::new()
        .schema(Some(string(None)))
        .description(Some("the refusal's kind, as `sandbox_error` in the body"))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .header("X-Sandbox-Error", kind)
        .build()
}

/// The docs page, the dashboard and their assets: HTML, scripts, styles, images.
fn docs_responses(op: &mut Operation) {
    let page = ResponseBuilder::new()
        .description("the page or one of its assets")
        .content("*/*", ContentBuilder::new().build())
        .build();
    let moved = ResponseBuilder::new()
        .description("the docs page is at `/__sandbox/docs/`")
        .build();
    let responses = &mut op.responses.responses;
    responses.insert("200".into(), RefOr::T(page));
    responses.insert("302".into(), RefOr::T(moved));
    responses.insert("404".into(), RefOr::T(json_response("no such asset")));
}

fn operation_id(prefix: &str, endpoint: &Endpoint) -> String {
    let slug: String = path_of(&endpoint.pattern)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!(
        "{prefix}_{}{}",
        endpoint.method.as_str().to_lowercase(),
        slug
    )
}

/// Each HTTP status of the scope's codes, with the codes it carries.
fn statuses(table: &CodeTable, scope: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in table
        .entries
        .iter()
        .filter(|e| e.scope.is_empty() || e.scope == scope)
    {
        let line = format!("`{}` ({}): {}", e.code, e.key, e.message);
        out.entry(e.http_status.to_string()).or_default().push(line);
    }
    out.into_iter()
        .map(|(s, lines)| (s, lines.join("; ")))
        .collect()
}

fn json_response(description: &str) -> Response {
    let any = Schema::Object(ObjectBuilder::new().build());
    let content = ContentBuilder::new().schema(Some(any)).build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
}

fn extend_parameters(op: &mut Operation, parameters: Vec<Parameter>) {
    let list = op.parameters.get_or_insert_with(Vec::new);
    for p in parameters {
        let known = list.iter().any(
            |q| matches!(q, RefOr::T(q) if q.name == p.name && q.parameter_in == p.parameter_in),
        );
        if !known {
            list.push(RefOr::T(p));
        }
    }
}

fn path_parameters(endpoint: &Endpoint) -> Vec<Parameter> {
    let path = path_of(&endpoint.pattern);
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .map(|name| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(string(None)))
                .build()
        })
        .collect()
}

fn tenant_header() -> Parameter {
    ParameterBuilder::new()
        .name("X-Sandbox-Tenant")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "The tenant (1 to 64 of A-Z a-z 0-9 . _ -); `default` without it.",
        ))
        .schema(Some(string(Some(r"^[A-Za-z0-9._-]{1,64}$"))))
        .build()
}

fn force_header(codes: Vec<String>) -> Parameter {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .build();
    ParameterBuilder::new()
        .name("X-Sandbox-Force")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Answer this documented error code of the endpoint instead.",
        ))
        .schema(Some(Schema::Object(schema)))
        .build()
}

fn string(pattern: Option<&str>) -> Schema {
    let mut schema = ObjectBuilder::new().schema_type(Type::String);
    if let Some(p) = pattern {
        schema = schema.pattern(Some(p));
    }
    Schema::Object(schema.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actix_patterns_become_openapi_paths() {
        assert_eq!(
            path_of("/api/v1/counterparty/{cg}/customers/{cu:[^/]*}"),
            "/api/v1/counterparty/{cg}/customers/{cu}"
        );
        assert_eq!(path_of(""), "/");
        assert_eq!(path_of("/{tail:.*}"), "/{tail}");
    }
}
