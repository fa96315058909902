//! CarmaChain's own part of its OpenAPI document: the operations as the handlers'
//! `utoipa::path` attributes describe them, the wire types' schemas, the API key and
//! HTTP Basic schemes, and the error body of every error status, with an example per
//! code, from the code table.

use std::collections::BTreeMap;

use serde_json::json;
use utoipa::OpenApi as _;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use super::codes::SPECS;
use super::{routes, wire};
use crate::codes::CodeSpec;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(routes::get_token, routes::create_request, routes::respond),
    components(schemas(
        wire::Category,
        wire::CreateRequest,
        wire::ValueItem,
        wire::RespondRequest,
        wire::RequestStatus,
        wire::Status,
        wire::ErrorAnswer,
        wire::TokenAnswer,
        wire::CreateAnswer,
        wire::CreatedItem,
        wire::RespondAnswer,
        wire::RespondItem,
        wire::Detail,
    ))
)]
struct Described;

/// What CarmaChain says of itself; the platform adds its headers and the rest.
pub fn document() -> OpenApi {
    let mut doc = Described::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "carmachain_key",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "Authorization",
            "The `token` of `GET /auth/getToken`, bare or after `Bearer `.",
        ))),
    );
    components.add_security_scheme(
        "carmachain_basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "A client of the scenario (`sandbox:sandbox`, `reader:sandbox`); \
                     optional while an open client is configured.",
                ))
                .build(),
        ),
    );
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            add_errors(op);
        }
    }
    doc
}

/// Every error status of the code table, with `ErrorAnswer` and an example per code.
fn add_errors(op: &mut Operation) {
    let mut by_status: BTreeMap<u16, Vec<&CodeSpec>> = BTreeMap::new();
    for spec in SPECS.iter().filter(|s| s.status >= 400) {
        by_status.entry(spec.status).or_default().push(spec);
    }
    for (status, specs) in by_status {
        let description = specs
            .iter()
            .map(|s| format!("`{}` ({}): {}", s.code, s.key, s.message))
            .collect::<Vec<_>>()
            .join("; ");
        let examples = specs.iter().map(|s| {
            let code: serde_json::Value = s.code.parse::<i64>().map_or(json!(s.code), |n| json!(n));
            let value = json!({"response": {"code": code, "message": s.message}});
            (
                s.key,
                ExampleBuilder::new()
                    .summary(s.trigger)
                    .value(Some(value))
                    .build(),
            )
        });
        let content = ContentBuilder::new()
            .schema(Some(RefOr::Ref(Ref::from_schema_name(
                "carmachain.ErrorAnswer",
            ))))
            .examples_from_iter(examples)
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build();
        op.responses
            .responses
            .insert(status.to_string(), RefOr::T(response));
    }
}
