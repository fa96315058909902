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

/// Every operation of `doc` by its id: (method, path, operation).
fn by_id(doc: &Value) -> std::collections::BTreeMap<String, (String, String, Value)> {
    operations(doc)
        .into_iter()
        .map(|(m, p)| {
            let op = doc["paths"][&p][&m].clone();
            (
                op["operationId"].as_str().unwrap_or("").to_string(),
                (m, p, op),
            )
        })
        .collect()
}

/// An OpenAPI runtime expression, alone or embedded (`Bearer {$response.body#/t}`),
/// against a request body and its answer.
fn evaluate(expr: &Value, request: &Value, response: &Value) -> Value {
    match expr {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), evaluate(v, request, response)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| evaluate(v, request, response))
                .collect(),
        ),
        Value::String(s) => {
            let pointed = |e: &str| {
                let (source, ptr) = e.split_once('#').expect("a body pointer");
                let doc = if source == "$request.body" {
                    request
                } else {
                    response
                };
                doc.pointer(ptr).cloned().unwrap_or(Value::Null)
            };
            if s.starts_with('$') {
                return pointed(s);
            }
            let (head, rest) = s.split_once('{').unwrap_or((s, ""));
            let (inner, tail) = rest.split_once('}').unwrap_or(("", ""));
            if inner.is_empty() {
                return expr.clone();
            }
            let value = pointed(inner);
            Value::String(format!("{head}{}{tail}", value.as_str().unwrap_or("")))
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn every_link_names_an_operation_and_parameters_it_has() {
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi.json").await).await;
    let ops = by_id(&doc);
    let mut links = 0;

    for (_, _, op) in ops.values() {
        for response in op["responses"]
            .as_object()
            .into_iter()
            .flat_map(|r| r.values())
        {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                links += 1;
                let target = link["operationId"].as_str().unwrap_or("");
                let (_, path, target_op) = ops.get(target).unwrap_or_else(|| {
                    panic!("link `{name}` names `{target}`, no operation of the document")
                });
                for param in link["parameters"]
                    .as_object()
                    .into_iter()
                    .flat_map(|p| p.keys())
                {
                    let bare = param.rsplit('.').next().unwrap_or(param);
                    let known = target_op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["name"] == bare);
                    assert!(
                        known,
                        "link `{name}` sets `{param}`, which {path} does not take"
                    );
                }
            }
        }
    }

    assert!(
        links >= 10,
        "the documents link auth to the calls that use it: {links}"
    );
}

/// Follows link `name` of `source`'s 200 answer: the link's body merged over `base`,
/// its path and query parameters put in the path (header ones are the caller's).
fn follow(
    doc: &Value,
    (source, name): (&str, &str),
    sent: &Value,
    got: &Value,
    base: Value,
) -> (String, String, Value) {
    let ops = by_id(doc);
    let link = &ops[source].2["responses"]["200"]["links"][name];
    let (method, mut path, target) = ops[link["operationId"].as_str().unwrap_or("")].clone();
    let mut body = base;
    if let (Some(into), Value::Object(add)) = (
        body.as_object_mut(),
        evaluate(&link["requestBody"], sent, got),
    ) {
        into.extend(add);
    }
    let mut query = Vec::new();
    for (param, expr) in link["parameters"].as_object().into_iter().flatten() {
        let value = evaluate(expr, sent, got);
        let value = value.as_str().unwrap_or("");
        let placed = target["parameters"].as_array().into_iter().flatten();
        match placed
            .filter(|p| p["name"] == *param)
            .map(|p| &p["in"])
            .next()
        {
            Some(place) if place == "query" => query.push(format!("{param}={value}")),
            Some(place) if place == "path" => path = path.replace(&format!("{{{param}}}"), value),
            _ => {}
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    (method, path, body)
}

#[tokio::test]
async fn ubki_auth_link_carries_the_session_key_into_a_discount() {
    // Arrange
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi.json").await).await;
    let login = serde_json::json!({"doc": {"auth": {"login": "sandbox", "pass": "sandbox"}}});
    let key = body(app.post_json("/ubki/b2_api_xml/ubki/auth", &login).await).await;
    let base = serde_json::json!({"reptype": "ALB", "inn": "3012345678"});

    // Act
    let (method, path, discount) = follow(
        &doc,
        ("ubki_post_b2_api_xml_ubki_auth", "discount"),
        &login,
        &key,
        base,
    );
    let answer = body(app.post_json(&path, &discount).await).await;

    // Assert
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("post", "/ubki/bonusservice/discount")
    );
    assert_eq!(answer["result_code"], "0", "{answer}");
}

#[tokio::test]
async fn dcm_links_lead_from_a_flow_to_a_login_and_its_session() {
    // Arrange
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi.json").await).await;
    let flow = body(app.get("/dcm/kratos/self-service/login/api").await).await;
    let creds = serde_json::json!({"identifier": "employee@sandbox.test", "password": "sandbox"});

    // Act
    let (_, login_path, login_body) = follow(
        &doc,
        ("dcm_get_kratos_self_service_login_api", "login"),
        &Value::Null,
        &flow,
        creds,
    );
    let session = body(app.post_json(&login_path, &login_body).await).await;
    let (_, whoami_path, _) = follow(
        &doc,
        ("dcm_post_kratos_self_service_login", "whoami"),
        &login_body,
        &session,
        Value::Null,
    );
    let token = session["session_token"].as_str().unwrap_or_default();
    let whoami = app
        .request(
            Method::GET,
            whoami_path.split('?').next().unwrap_or_default(),
        )
        .header("X-Session-Token", token);

    // Assert
    assert!(
        login_path.starts_with("/dcm/kratos/self-service/login?flow="),
        "{login_path}"
    );
    assert!(token.starts_with("ory_st_"), "{session}");
    assert_eq!(send(whoami).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sbersafe_links_lead_from_a_found_client_to_its_otp_and_token() {
    // Arrange
    let app = TestApp::spawn().await;
    let doc = body(app.get("/__sandbox/openapi.json").await).await;
    let find = serde_json::json!({"phone": "9161234567", "merchantLogin": "sandbox"});
    let found = body(app.post_json("/sbersafe/api/clients/find", &find).await).await;

    // Act
    let (_, otp_path, otp_body) = follow(
        &doc,
        ("sbersafe_post_api_clients_find", "otp"),
        &find,
        &found,
        serde_json::json!({}),
    );
    let code = body(app.post_json(&otp_path, &otp_body).await).await;
    let (_, token_path, token_body) = follow(
        &doc,
        ("sbersafe_post_api_auth_otp", "token"),
        &otp_body,
        &code,
        serde_json::json!({"otp": "000000"}),
    );
    let token = body(app.post_json(&token_path, &token_body).await).await;

    // Assert
    assert_eq!(code["status"], "SUCCESS", "{code}");
    assert_eq!(token["status"], "SUCCESS", "{token}");
    assert!(token["accessToken"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn the_admin_document_has_its_bodies_and_its_optional_token() {
    let app = TestApp::spawn().await;

    let doc = body(app.get("/__sandbox/openapi/admin.json").await).await;

    let set_clock = &doc["paths"]["/clock"]["put"];
    let schema = &set_clock["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(schema, "#/components/schemas/sandbox.SetClock");
    let rule = &doc["components"]["schemas"]["sandbox.Rule"];
    assert_eq!(
        rule["required"],
        serde_json::json!(["when", "then"]),
        "{rule}"
    );
    let refusal = &set_clock["responses"]["400"]["content"]["application/json"]["schema"];
    assert_eq!(refusal["$ref"], "#/components/schemas/sandbox.Error");
    let error = &doc["components"]["schemas"]["sandbox.Error"];
    assert_eq!(
        error["required"],
        serde_json::json!(["sandbox_error", "message"])
    );
    let scheme = &doc["components"]["securitySchemes"]["admin_token"];
    assert_eq!(scheme["scheme"], "bearer");
    let optional = serde_json::json!([{"admin_token": []}, {}]);
    assert_eq!(
        set_clock["security"], optional,
        "token needed only when one is set"
    );
    assert!(
        doc["paths"]["/health"]["get"].get("security").is_none(),
        "health stays open"
    );
    for p in registry().iter() {
        for e in p.admin_endpoints() {
            let path = format!("/{}{}", p.name(), sandbox_path(&e.pattern));
            let method = e.method.as_str().to_lowercase();
            assert!(
                doc["paths"][&path].get(&method).is_some(),
                "{method} {path} missing"
            );
        }
    }
}
