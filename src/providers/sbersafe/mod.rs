//! SberSafe customer information under `/sbersafe` (issue 7: not emulated yet).

mod scenario;

pub use scenario::SberSafeScenario;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};

use super::{BadInput, CodeEntry, CodeSpec, Provider, ProviderState};
use crate::state::World;

pub struct SberSafe;

pub struct SberSafeState;

impl ProviderState for SberSafeState {
    fn view(&self, _now: DateTime<Utc>) -> serde_json::Value {
        serde_json::json!({})
    }
}

impl Provider for SberSafe {
    fn name(&self) -> &'static str {
        "sbersafe"
    }
    fn title(&self) -> &'static str {
        "SberSafe customer information"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        &[]
    }
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    fn render(&self, entry: &CodeEntry, detail: Option<&str>) -> HttpResponse {
        super::json(
            entry.http_status,
            &serde_json::json!({ "code": entry.code, "message": detail.unwrap_or(&entry.message) }),
            &entry.code,
        )
    }
    fn bad_input(&self, _path: &str, problem: &BadInput) -> (&'static str, String) {
        ("", format!("{problem:?}"))
    }
    fn routes(&self, _cfg: &mut web::ServiceConfig) {}
    fn new_state(&self, _world: &World, _tenant: &str) -> Box<dyn ProviderState> {
        Box::new(SberSafeState)
    }
}
