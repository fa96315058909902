//! CarmaChain data-sharing API under `/carmachain`: API keys (HS256 JWTs with scope,
//! expiry and revocation) and data requests that go from `Panding` to `Done` on the
//! tenant's virtual clock.

mod codes;
mod data;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::SPECS;
pub use errors::CarmaError;
pub use scenario::CarmaChainScenario;
pub use state::{CarmaState, MAX_KEYS, MAX_REQUESTS};

use std::collections::{BTreeMap, BTreeSet};

use crate::providers::Ctx;
use actix_web::{HttpResponse, web};

use super::{BadInput, CodeEntry, CodeOverride, CodeSpec, CodeTable, Provider, ProviderState};
use crate::scenario::Scenario;
use crate::state::World;

pub struct CarmaChain;

/// Ten years: keys longer than that are a typo, and far-off instants overflow.
const MAX_TTL_HOURS: u32 = 10 * 366 * 24;

impl Provider for CarmaChain {
    fn name(&self) -> &'static str {
        "carmachain"
    }
    fn title(&self) -> &'static str {
        "CarmaChain data-sharing API: API keys and data requests"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        SPECS
    }
    fn overrides(&self, scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        scenario.carmachain.codes.clone()
    }
    /// One body format everywhere, so one scope.
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, _ctx: &Ctx) -> HttpResponse {
        errors::render(entry, detail)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        match problem {
            BadInput::Malformed(e) => ("invalid_field", format!("request: {e}")),
            BadInput::TooLarge { limit } => {
                ("bad_json", format!("body: larger than {limit} bytes"))
            }
            BadInput::NotFound => ("not_found", format!("no CarmaChain endpoint at {path}")),
            BadInput::MethodNotAllowed => (
                "method_not_allowed",
                if path.starts_with("/auth") {
                    "use GET"
                } else {
                    "use POST"
                }
                .to_string(),
            ),
        }
    }
    fn routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg);
    }
    fn admin_routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure_admin(cfg);
    }
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState> {
        Box::new(CarmaState::new(world.seed, tenant))
    }
    fn validate(&self, scenario: &Scenario) -> Vec<String> {
        let sc = &scenario.carmachain;
        let mut problems = CodeTable::override_problems(SPECS, &sc.codes);
        let people: BTreeSet<&str> = scenario
            .people
            .iter()
            .filter_map(|p| p.id.as_deref())
            .collect();
        let person_known = |id: &str| people.contains(id);
        let category_ok = |c: &str| wire::CATEGORIES.contains(&c);
        if sc.jwt_secret.is_empty() {
            problems.push("jwt_secret must not be empty".into());
        }
        if sc.key_ttl_hours == 0 || sc.key_ttl_hours > MAX_TTL_HOURS {
            problems.push(format!("key_ttl_hours must be 1 to {MAX_TTL_HOURS}"));
        }
        let mut names = BTreeSet::new();
        for (i, c) in sc.clients.iter().enumerate() {
            if !names.insert(c.username.clone()) {
                problems.push(format!(
                    "clients[{i}]: a second client {}",
                    c.username
                        .as_deref()
                        .map_or("without username".into(), |u| format!("`{u}`"))
                ));
            }
            for m in &c.scope {
                if !routes::METHODS.contains(&m.as_str()) {
                    problems.push(format!(
                        "clients[{i}].scope: `{m}` is not one of createrequest, respond"
                    ));
                }
            }
        }
        let mut peer_ids = BTreeSet::new();
        for (i, p) in sc.peers.iter().enumerate() {
            if p.id.is_empty() || !peer_ids.insert(p.id.as_str()) {
                problems.push(format!("peers[{i}].id is empty or repeated"));
            }
            for k in &p.knows {
                if !person_known(k) {
                    problems.push(format!(
                        "peers[{i}].knows: no person with id `{k}` in people"
                    ));
                }
            }
            for c in &p.categories {
                if !category_ok(c) {
                    problems.push(format!("peers[{i}].categories: unknown category `{c}`"));
                }
            }
            for (person, cats) in &p.data {
                if !person_known(person) {
                    problems.push(format!(
                        "peers[{i}].data: no person with id `{person}` in people"
                    ));
                }
                for c in cats.keys() {
                    if !category_ok(c) {
                        problems.push(format!("peers[{i}].data.{person}: unknown category `{c}`"));
                    }
                }
            }
        }
        for (i, r) in sc.persons.iter().enumerate() {
            if !person_known(&r.person) {
                problems.push(format!(
                    "persons[{i}].person: no person with id `{}` in people",
                    r.person
                ));
            }
        }
        problems
    }
}
