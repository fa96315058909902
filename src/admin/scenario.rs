//! Reading and replacing the active scenario (for every tenant at once).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::json;

use super::ok;
use crate::provider::SandboxErrorBody;
use crate::scenario::Problem;
use crate::state::Sandbox;

/// JSON by default; the YAML as loaded with `Accept: application/yaml`.
pub async fn get(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let world = sandbox.world();
    let wants_yaml = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("yaml"));
    if wants_yaml {
        let text = match world.sources.as_slice() {
            [(_, only)] => only.clone(),
            _ => serde_saphyr::to_string(&world.scenario).unwrap_or_default(),
        };
        return HttpResponse::Ok()
            .content_type("application/yaml")
            .body(text);
    }
    ok(json!({ "names": world.names, "seed": world.seed, "scenario": world.scenario }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// Only validate: answer the problems, load nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Validates and loads a YAML scenario; a bad one is refused with every problem and the
/// previous scenario keeps serving. With `?dry_run=true` nothing is loaded either way.
pub async fn put(
    sandbox: web::Data<Sandbox>,
    q: web::Query<PutQuery>,
    body: web::Bytes,
) -> HttpResponse {
    // An empty body is valid YAML for an empty scenario, but far likelier a `curl -X PUT`
    // without data: refuse it rather than wipe every tenant.
    let text = match String::from_utf8(body.to_vec()) {
        Ok(text) if !text.trim().is_empty() => text,
        Ok(_) => return super::bad_request("the scenario is empty: send YAML in the body"),
        Err(_) => return super::bad_request("the scenario is not UTF-8 text"),
    };
    let sources = vec![("api".to_string(), text)];
    if q.dry_run {
        return match sandbox.validate(&sources) {
            Ok(()) => ok(json!({ "status": "valid", "dry_run": true })),
            Err(problems) => refused(&problems, "the scenario has problems; nothing was loaded"),
        };
    }
    match sandbox.load(sources) {
        Ok(()) => {
            let world = sandbox.world();
            ok(json!({ "status": "loaded", "names": world.names, "seed": world.seed }))
        }
        Err(problems) => refused(
            &problems,
            "the scenario was not loaded; the previous one keeps serving",
        ),
    }
}

/// Every problem as `line:column: message` (the file is always the request's body).
fn refused(problems: &[Problem], message: &str) -> HttpResponse {
    SandboxErrorBody {
        sandbox_error: "invalid-scenario".into(),
        message: message.into(),
        valid_codes: None,
        problems: Some(
            problems
                .iter()
                .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
                .collect(),
        ),
    }
    .answer(StatusCode::BAD_REQUEST)
}
