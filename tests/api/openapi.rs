//! The OpenAPI documents: built from the routes the server registers, so every route is
//! in them and every path in them is served; and the page that browses them offline.

use reqwest::{Method, StatusCode};
use sandbox::providers::registry;
use serde_json::Value;

use crate::common::{TestApp, body, send};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// A concrete path for a document path: each `{param}` a well-formed GUID.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    for (i, part) in path.split(['{', '}']).enumerate() {
        out.push_str(if i % 2 == 1 {
            "11111111-1111-4111-8111-111111111111"
        } else {
            part
        });
    }
    out
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| (m.to_string(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn every_provider_route_is_in_the_document_under_its_prefix() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi.json").await).await;

    assert_eq!(doc["openapi"], "3.1.0");
    let documented = operations(&doc);
    for provider in registry().iter() {
        for endpoint in provider.endpoints() {
            let method = endpoint.method.as_str().to_lowercase();
            let path = format!("/{}{}", provider.name(), sandbox_path(&endpoint.pattern));
            let path = path.trim_end_matches('/').to_string();
            assert!(
                documented
                    .iter()
                    .any(|(m, p)| *m == method && p.trim_end_matches('/') == path),
                "{method} {path} is served but not documented"
            );
        }
    }
}

/// The pattern as the document writes it (`{cu:[^/]*}` is `{cu}`).
fn sandbox_path(pattern: &str) -> String {
    let mut out = String::new();
    for (i, part) in pattern.split(['{', '}']).enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!(
                "{{{}}}",
                part.split(':').next().unwrap_or_default()
            ));
        } else {
            out.push_str(part);
        }
    }
    out
}

#[tokio::test]
async fn every_documented_path_is_served() {
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi.json").await).await;
    for unserved in ["/ubki/nothing", "/__sandbox/nothing"] {
        let res = send(app.request(Method::OPTIONS, unserved)).await;
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "the probe tells {unserved} apart"
        );
    }

    for (method, path) in operations(&doc) {
        let url = concrete(&path);
        // A path the server has answers an unknown method with 405; one it lacks, 404.
        let res = send(app.request(Method::OPTIONS, &url)).await;

        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} ({url}) is documented but not served"
        );
    }
}

#[tokio::test]
async fn a_provider_document_has_its_own_paths_its_codes_and_the_sandbox_headers() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/ubki.json").await).await;

    assert_eq!(doc["servers"][0]["url"], "/ubki");
    let discount = &doc["paths"]["/bonusservice/discount"]["post"];
    let force = discount["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "X-Sandbox-Force"))
        .cloned()
        .expect("X-Sandbox-Force is a parameter");
    let codes = force["schema"]["enum"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(codes.contains(&Value::from("3")), "{codes:?}");
    assert!(
        !codes.contains(&Value::from("0")),
        "a success is not forcible"
    );
    let ok = discount["responses"]["200"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(ok.contains("subject_absent"), "{ok}");
    let tenant = discount["parameters"]
        .as_array()
        .map(|ps| ps.iter().any(|p| p["name"] == "X-Sandbox-Tenant"));
    assert_eq!(tenant, Some(true));
}

#[tokio::test]
async fn the_admin_document_lists_the_admin_api_and_unknown_documents_are_404() {
    let app = TestApp::spawn().await;

    let admin = body(app.get("/__sandbox/openapi/admin.json").await).await;
    let unknown = app.get("/__sandbox/openapi/nothing.json").await;

    assert_eq!(admin["servers"][0]["url"], "/__sandbox");
    assert!(admin["paths"]["/rules"]["post"].is_object());
    assert!(admin["paths"]["/clock/advance"]["post"].is_object());
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.headers()["x-sandbox-error"], "not-found");
}

#[tokio::test]
async fn the_docs_page_loads_every_asset_from_the_sandbox_itself() {
    let app = TestApp::spawn().await;
    let health = body(app.get("/__sandbox/health").await).await;
    let page_path = health["docs"]
        .as_str()
        .expect("health links the docs")
        .to_string();

    let page = app.get(&page_path).await;

    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            assets.push(part.split('"').next().unwrap_or_default().to_string());
        }
    }
    assert!(!assets.is_empty(), "{html}");
    for asset in &assets {
        assert!(
            !asset.starts_with("http") && !asset.starts_with("//"),
            "{asset} is fetched from elsewhere"
        );
        let res = app
            .get(&format!("{page_path}{}", asset.trim_start_matches("./")))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{asset}");
    }
    let init = app
        .get(&format!("{page_path}swagger-initializer.js"))
        .await
        .text()
        .await
        .expect("js");
    assert!(init.contains("/__sandbox/openapi/ubki.json"), "{init}");
}

#[tokio::test]
async fn the_documents_honour_the_admin_token() {
    let app = TestApp::spawn_with_settings(|s| s.admin_token = Some("s3cret".into()), None).await;

    let without = app.get("/__sandbox/openapi.json").await;

    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
}
