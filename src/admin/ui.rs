//! The QA dashboard at `/__sandbox/ui`: one page and its script and styles, embedded in
//! the binary (no build step, no network). It calls only the public admin API, so
//! anything it shows a script can do too.

use actix_web::{HttpResponse, http::StatusCode, web};

use crate::provider::sandbox_error;

/// Every file of the page: name below `/__sandbox/ui/`, content type, text.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/ui/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/ui/app.css"),
    ),
];

const PAGE: &str = include_str!("../../assets/ui/index.html");

/// The page and its assets hold no tenant data, so the admin token does not guard them;
/// only these exact paths, so no other path can slip past the guard under their prefix.
pub fn is_page(path: &str) -> bool {
    match path.strip_prefix("/__sandbox/ui") {
        Some("") => true,
        Some(rest) => ASSETS
            .iter()
            .any(|(name, _, _)| rest.strip_prefix('/') == Some(*name)),
        None => false,
    }
}

/// `GET /__sandbox/ui`: the page; the tenant is read from `?tenant=` by its script.
pub async fn page() -> HttpResponse {
    served("text/html; charset=utf-8", PAGE)
}

/// `GET /__sandbox/ui/{file}`: the script and the styles.
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _, _)| *name == file.as_str()) {
        Some((_, content_type, text)) => served(content_type, text),
        None => {
            let message = format!("no dashboard asset `{file}`");
            sandbox_error(StatusCode::NOT_FOUND, "not-found", &message, None)
        }
    }
}

/// Revalidated on every load, so a new binary's page is never mixed with an old script.
fn served(content_type: &str, text: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(text)
}
