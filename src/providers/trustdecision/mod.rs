//! TrustDecision credit-feature profiling under `/trustdecision`: one API (the real path
//! is not public, so every POST below the prefix serves it) answering a package's
//! indicators for a person, with partner accounts that run out, expire and get suspended.

mod codes;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::SPECS;
pub use errors::TdError;
pub use scenario::TrustDecisionScenario;
pub use state::{MAX_PARTNERS, MAX_RECORDS, TrustDecisionState};

use std::collections::{BTreeMap, BTreeSet};

use crate::providers::Ctx;
use actix_web::{HttpResponse, web};

use super::{BadInput, CodeEntry, CodeOverride, CodeSpec, CodeTable, Provider, ProviderState};
use crate::scenario::Scenario;
use crate::state::World;
use scenario::IndicatorType;
use state::Record;

pub struct TrustDecision;

impl Provider for TrustDecision {
    fn name(&self) -> &'static str {
        "trustdecision"
    }
    fn title(&self) -> &'static str {
        "TrustDecision credit-feature profiling"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        SPECS
    }
    fn overrides(&self, scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        scenario.trustdecision.codes.clone()
    }
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    /// Forced answers take the next `sequence_id` of the tenant, like a handler's, and
    /// leave a record of it, so `calls` and `records` always agree. The request is not
    /// seen here, so that record has none.
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, ctx: &Ctx) -> HttpResponse {
        let now = ctx.now();
        let answer = ctx.state(|s: &mut TrustDecisionState| {
            let answer = errors::failure(entry, detail, s.next_sequence_id(now));
            s.record(Record {
                sequence_id: answer.sequence_id.clone(),
                time: now,
                partner_code: None,
                request: None,
                response: serde_json::to_value(&answer).unwrap_or(serde_json::Value::Null),
            });
            answer
        });
        errors::render(entry, &answer)
    }
    /// Bad input is `{parameter} error` naming what was wrong: the body or the method.
    fn bad_input(&self, _path: &str, problem: &BadInput) -> (&'static str, String) {
        let parameter = match problem {
            BadInput::Malformed(_) | BadInput::TooLarge { .. } => "body",
            BadInput::NotFound => "path",
            BadInput::MethodNotAllowed => "method",
        };
        ("invalid", parameter.to_string())
    }
    fn routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg);
    }
    fn admin_routes(&self, cfg: &mut web::ServiceConfig) {
        routes::admin(cfg);
    }
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState> {
        Box::new(TrustDecisionState::new(
            &world.scenario.trustdecision,
            world.seed,
            tenant,
        ))
    }
    fn validate(&self, scenario: &Scenario) -> Vec<String> {
        let td = &scenario.trustdecision;
        let mut problems = CodeTable::override_problems(SPECS, &td.codes);
        let packages: BTreeSet<&str> = td.packages.iter().map(|p| p.name.as_str()).collect();
        if td.partners.len() > MAX_PARTNERS {
            problems.push(format!("partners: more than {MAX_PARTNERS}"));
        }
        let mut codes = BTreeSet::new();
        for (i, p) in td.partners.iter().enumerate() {
            if p.code.is_empty() || p.key.is_empty() {
                problems.push(format!("partners[{i}]: code and key must not be empty"));
            }
            if !codes.insert(p.code.as_str()) {
                problems.push(format!("partners[{i}]: code `{}` appears twice", p.code));
            }
            if let Some(home) = &p.country
                && (home.len() != 2 || !home.bytes().all(|b| b.is_ascii_uppercase()))
            {
                problems.push(format!(
                    "partners[{i}].country `{home}` is not two upper-case letters"
                ));
            }
            for name in p.packages.iter().flatten() {
                if !packages.contains(name.as_str()) {
                    problems.push(format!("partners[{i}].packages: unknown package `{name}`"));
                }
            }
        }
        for (i, c) in td.countries.iter().enumerate() {
            if c.code.len() != 2 || !c.code.bytes().all(|b| b.is_ascii_uppercase()) {
                problems.push(format!(
                    "countries[{i}].code `{}` is not two upper-case letters",
                    c.code
                ));
            }
            if !(1..=20).contains(&c.phone_digits) {
                problems.push(format!("countries[{i}].phone_digits must be 1 to 20"));
            }
            if c.phone_prefix.len() > c.phone_digits
                || !c.phone_prefix.bytes().all(|b| b.is_ascii_digit())
            {
                problems.push(format!(
                    "countries[{i}].phone_prefix must be digits, shorter than the number"
                ));
            }
            for name in &c.packages {
                if !packages.contains(name.as_str()) {
                    problems.push(format!("countries[{i}].packages: unknown package `{name}`"));
                }
            }
        }
        for (i, p) in td.packages.iter().enumerate() {
            for (j, d) in p.indicators.iter().enumerate() {
                let at = format!("packages[{i}].indicators[{j}]");
                if d.name.is_empty() {
                    problems.push(format!("{at}.name is empty"));
                }
                if d.min > d.max {
                    problems.push(format!("{at}: min is above max"));
                }
                if d.kind == IndicatorType::String && d.choices.is_empty() {
                    problems.push(format!("{at}: a string indicator needs choices"));
                }
                if d.uncalculable_percent > 100 {
                    problems.push(format!("{at}.uncalculable_percent is above 100"));
                }
            }
        }
        for (i, s) in td.subjects.iter().enumerate() {
            if s.id_number.is_empty() && s.person.is_none() {
                problems.push(format!("subjects[{i}]: needs id_number or person"));
            }
            if let Some(person) = &s.person
                && !scenario
                    .people
                    .iter()
                    .any(|p| p.id.as_deref() == Some(person.as_str()))
            {
                problems.push(format!("subjects[{i}].person `{person}` is not in people"));
            }
            if let Some(r) = &s.result
                && TdError::from_key(r).is_none()
            {
                problems.push(format!(
                    "subjects[{i}].result `{r}` is not a code name (see /__sandbox/errors)"
                ));
            }
            for name in s.indicators.keys() {
                if !packages.contains(name.as_str()) {
                    problems.push(format!(
                        "subjects[{i}].indicators: unknown package `{name}`"
                    ));
                }
            }
        }
        problems
    }
}
