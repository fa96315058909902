//! SberSafe's OpenAPI description: the handlers' `#[utoipa::path]` annotations and the
//! wire types' schemas, completed with a response per HTTP status of the scope's codes
//! (the error body of the scope, an example of the status's first code) and the token
//! header `/api/clients/` reads.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OneOfBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Schema,
    path::Operation,
};
use utoipa::{Modify, OpenApi, ToSchema};

use super::codes::{self, SPECS};
use super::wire::{ErrorBody, WebErrorBody};
use super::{WEB_FIND, routes};
use crate::codes::CodeSpec;

/// The name of the security scheme of `Authorization: <accessToken>`.
pub const TOKEN_SCHEME: &str = "sbersafe_token";
const REQUEST_ID: &str = "gbhjnkme-rdcfgv-hbjnkm-7689ui-okp3ew";

#[derive(OpenApi)]
#[openapi(
    paths(
        routes::find,
        routes::create,
        routes::otp,
        routes::token,
        routes::clients,
        routes::web_find
    ),
    components(schemas(ErrorBody, WebErrorBody)),
    modifiers(&TokenHeader)
)]
struct ApiDoc;

struct TokenHeader;

impl Modify for TokenHeader {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let key = ApiKeyValue::with_description(
            "Authorization",
            "The `accessToken` of `/api/auth/token`, bare: `Authorization: <accessToken>`, \
             without `Bearer` (which is refused with TOKEN_INVALID).",
        );
        let scheme = SecurityScheme::ApiKey(ApiKey::Header(key));
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(TOKEN_SCHEME, scheme);
    }
}

/// The description the platform completes: `/api/clients` is `/api/clients/` again,
/// operation ids are the platform's (one per path), every status has its body.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    if let Some(item) = doc.paths.paths.get("/api/clients/").cloned() {
        doc.paths.paths.insert("/api/clients".into(), item);
    }
    for (path, item) in &mut doc.paths.paths {
        let web = path == WEB_FIND;
        if let Some(op) = item.post.as_mut() {
            op.operation_id = None;
            if web && let Some(RefOr::T(form)) = op.request_body.as_mut() {
                // The parameters may be in the query instead.
                form.required = Some(Required::False);
            }
            error_responses(op, web);
        }
    }
    doc
}

/// A response for each status of the scope's codes: the error body (the web lookup's
/// `200` is its success or `client.find.failed`).
fn error_responses(op: &mut Operation, web: bool) {
    let scope = if web { codes::WEB } else { codes::API };
    let mut by_status: BTreeMap<u16, Vec<&CodeSpec>> = BTreeMap::new();
    for spec in SPECS.iter().filter(|s| s.scope == scope) {
        by_status.entry(spec.status).or_default().push(spec);
    }
    let error = error_ref(web);
    for (status, specs) in by_status {
        let text = specs
            .iter()
            .map(|s| format!("`{}` ({}): {}", s.code, s.key, s.message))
            .collect::<Vec<_>>()
            .join("; ");
        let example = example(specs[0], web);
        let responses = &mut op.responses.responses;
        match responses.get_mut(&status.to_string()) {
            Some(RefOr::T(success)) => either(success, error.clone(), &text),
            _ => {
                let content = ContentBuilder::new()
                    .schema(Some(error.clone()))
                    .example(Some(example))
                    .build();
                let response = ResponseBuilder::new()
                    .description(text)
                    .content("application/json", content)
                    .build();
                responses.insert(status.to_string(), RefOr::T(response));
            }
        }
    }
}

/// A status that is a success or an error: either body.
fn either(response: &mut Response, error: RefOr<Schema>, codes: &str) {
    response.description = format!("{}; or an error: {codes}", response.description);
    for content in response.content.values_mut() {
        if let RefOr::T(content) = content {
            let success = content.schema.take();
            let mut one_of = OneOfBuilder::new();
            if let Some(success) = success {
                one_of = one_of.item(success);
            }
            content.schema = Some(RefOr::T(Schema::OneOf(one_of.item(error.clone()).build())));
        }
    }
}

fn error_ref(web: bool) -> RefOr<Schema> {
    let name = if web {
        WebErrorBody::name()
    } else {
        ErrorBody::name()
    };
    RefOr::Ref(Ref::from_schema_name(name))
}

/// The body `spec` is answered with (as `errors::render` and `render_web` build it).
fn example(spec: &CodeSpec, web: bool) -> Value {
    if web {
        json!({ "error": { "code": spec.code, "message": spec.message } })
    } else {
        json!({
            "status": "FAIL",
            "errorCode": spec.code,
            "errorMessage": spec.message,
            "requestId": REQUEST_ID,
        })
    }
}
