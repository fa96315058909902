//! The OpenAPI documents and the page that browses them (Swagger UI, its assets in the
//! binary, so it works with no network).

use std::sync::Arc;

use actix_web::{HttpResponse, http::StatusCode, web};
use utoipa_swagger_ui::{Config, Url};

use crate::openapi;
use crate::provider::{Ctx, Registry, sandbox_error};

/// `GET /__sandbox/openapi.json`: everything the sandbox serves, under its prefixes.
pub async fn everything(ctx: Ctx, providers: web::Data<Registry>) -> HttpResponse {
    let world = ctx.world();
    let tables = world.tables().into_iter().collect();
    let doc = openapi::everything(&providers, &tables, admin_document(&providers));
    HttpResponse::Ok().json(doc)
}

fn admin_document(providers: &Registry) -> utoipa::openapi::OpenApi {
    openapi::admin_document(super::openapi::document(), &super::endpoints(providers))
}

/// `GET /__sandbox/openapi/{provider}.json` (or `admin.json`): one API, its own paths.
pub async fn one(
    ctx: Ctx,
    providers: web::Data<Registry>,
    file: web::Path<String>,
) -> HttpResponse {
    let name = file.strip_suffix(".json").unwrap_or(&file);
    if name == "admin" {
        return HttpResponse::Ok().json(admin_document(&providers));
    }
    match providers.find(name) {
        Some(p) => HttpResponse::Ok().json(openapi::provider_document(p.as_ref(), ctx.codes(name))),
        None => {
            let known = providers.names().join(", ");
            let message = format!("no document `{file}`: one of {known}, admin (each `.json`)");
            sandbox_error(StatusCode::NOT_FOUND, "not-found", &message, None)
        }
    }
}

/// `GET /__sandbox/docs/{file}`: Swagger UI over every document, the whole first. The
/// page and its assets come from the binary.
pub async fn page(providers: web::Data<Registry>, file: web::Path<String>) -> HttpResponse {
    let mut documents = vec![(
        "everything".to_string(),
        "/__sandbox/openapi.json".to_string(),
    )];
    for name in providers.names().into_iter().chain(["admin"]) {
        documents.push((name.to_string(), format!("/__sandbox/openapi/{name}.json")));
    }
    let urls = documents
        .iter()
        .enumerate()
        .map(|(i, (name, url))| Url::with_primary(name, url, i == 0));
    match utoipa_swagger_ui::serve(&file, Arc::new(Config::new(urls))) {
        Ok(Some(asset)) => {
            let mut res = HttpResponse::Ok();
            res.content_type(asset.content_type);
            if asset.gzpipped {
                res.insert_header(("content-encoding", "gzip"));
            }
            res.body(asset.bytes.into_owned())
        }
        Ok(None) => sandbox_error(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such docs asset",
            None,
        ),
        Err(e) => sandbox_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "docs",
            &e.to_string(),
            None,
        ),
    }
}

/// `GET /__sandbox/docs`: the page lives below it, so relative asset paths resolve.
pub async fn docs_root() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", "/__sandbox/docs/"))
        .finish()
}
