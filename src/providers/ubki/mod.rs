//! UBKI credit bureau under `/ubki`: the authorization API that issues session keys and
//! the bonus service (discounts and partner-paid services).

mod codes;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::SPECS;
pub use errors::UbkiError;
pub use scenario::UbkiScenario;
pub use state::{UbkiState, expiry, kyiv};

use std::collections::BTreeMap;

use crate::providers::Ctx;
use actix_web::{HttpResponse, web};

use super::{BadInput, CodeEntry, CodeOverride, CodeSpec, CodeTable, Provider, ProviderState};
use crate::scenario::Scenario;
use crate::state::World;

pub struct Ubki;

/// Scenario bounds, so no duration overflows the clock's arithmetic.
const MAX_TERM_DAYS: u32 = 3650;
const MAX_LOCK_MINUTES: u32 = 525_600;

impl Provider for Ubki {
    fn name(&self) -> &'static str {
        "ubki"
    }
    fn title(&self) -> &'static str {
        "UBKI credit bureau: session keys and the bonus (discount) service"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        SPECS
    }
    fn overrides(&self, scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        scenario.ubki.codes.clone()
    }
    fn scope(&self, path: &str) -> &'static str {
        if path.starts_with("/b2_api_xml") {
            codes::AUTH
        } else {
            codes::BONUS
        }
    }
    fn scope_endpoint(&self, scope: &str) -> Option<&'static str> {
        match scope {
            codes::AUTH => Some("/b2_api_xml/ubki/auth"),
            codes::BONUS => Some("/bonusservice/*"),
            _ => None,
        }
    }
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, _ctx: &Ctx) -> HttpResponse {
        errors::render(
            entry,
            detail.map(|d| vec![d.to_string()]).unwrap_or_default(),
        )
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        let detail = match problem {
            BadInput::Malformed(e) => format!("body: not valid JSON: {e}"),
            BadInput::TooLarge { limit } => format!("body: larger than {limit} bytes"),
            BadInput::NotFound => format!("no UBKI endpoint at {path}"),
            BadInput::MethodNotAllowed => "use POST".to_string(),
        };
        let key = if self.scope(path) == codes::AUTH {
            "bad_json"
        } else {
            "invalid_attributes"
        };
        (key, detail)
    }
    fn routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg);
    }
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState> {
        Box::new(UbkiState::new(&world.scenario.ubki, world.seed, tenant))
    }
    fn validate(&self, scenario: &Scenario) -> Vec<String> {
        let ubki = &scenario.ubki;
        let mut problems = CodeTable::override_problems(SPECS, &ubki.codes);
        for (i, s) in ubki.subjects.iter().enumerate() {
            if !routes::is_inn(&s.inn) {
                problems.push(format!("subjects[{i}].inn `{}` is not 10 digits", s.inn));
            }
            if let Some(sc) = &s.status_control
                && sc != "SKN"
                && sc != "SKN_3"
            {
                problems.push(format!("subjects[{i}].status_control must be SKN or SKN_3"));
            }
            if let Some(r) = &s.result
                && UbkiError::from_key(r).is_none()
            {
                problems.push(format!(
                    "subjects[{i}].result `{r}` must be one of invalid_session_key, status_control_active, subject_absent, invalid_attributes, system_error"
                ));
            }
        }
        for (reptype, days) in &ubki.discount_term_days {
            if wire::reptype(reptype).is_none() {
                problems.push(format!("discount_term_days: unknown reptype `{reptype}`"));
            }
            if !(1..=MAX_TERM_DAYS).contains(days) {
                problems.push(format!(
                    "discount_term_days.{reptype}: {days} is not within 1..={MAX_TERM_DAYS}"
                ));
            }
        }
        if ubki.brute_force.lock_minutes > MAX_LOCK_MINUTES {
            problems.push(format!(
                "brute_force.lock_minutes: at most {MAX_LOCK_MINUTES}"
            ));
        }
        for (i, a) in ubki.accounts.iter().enumerate() {
            if a.login.is_empty() {
                problems.push(format!("accounts[{i}].login is empty"));
            }
        }
        problems
    }
}
