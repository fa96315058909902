//! DCM bank integration under `/dcm`: Kratos password login and bank-signed JWTs, and
//! the customer and account API of a counterparty (bank), held as a small in-memory
//! database per tenant.

mod codes;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::SPECS;
pub use errors::DcmError;
pub use routes::parse_list_query;
pub use scenario::{
    AccountSpec, AssetSpec, CounterpartySpec, CustomerSpec, DcmScenario, Employee,
    MAX_LIFETIME_HOURS, MAX_LIFETIME_MINUTES, MAX_SKEW_SECONDS,
};
pub use state::{
    Counterparty, Customer, DcmState, ListQuery, MAX_ACCOUNTS, MAX_CUSTOMERS, NewCustomer,
    Ordering, fmt_time, iban_valid, make_iban, parse_uuid,
};

use std::collections::{BTreeMap, HashSet};

use crate::providers::Ctx;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};

use super::{BadInput, CodeEntry, CodeOverride, CodeSpec, CodeTable, Provider, ProviderState};
use crate::scenario::Scenario;
use crate::state::World;

pub struct Dcm;

impl ProviderState for DcmState {
    fn view(&self, now: DateTime<Utc>) -> serde_json::Value {
        DcmState::view(self, now)
    }
}

impl Provider for Dcm {
    fn name(&self) -> &'static str {
        "dcm"
    }
    fn title(&self) -> &'static str {
        "DCM bank integration: login, JWT, customers and accounts"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        SPECS
    }
    fn overrides(&self, scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        scenario.dcm.codes.clone()
    }
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, _ctx: &Ctx) -> HttpResponse {
        errors::render(entry, detail)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        match problem {
            BadInput::Malformed(e) => ("bad_request", format!("invalid request: {e}")),
            BadInput::TooLarge { limit } => (
                "bad_request",
                format!("request body is larger than {limit} bytes"),
            ),
            BadInput::NotFound => ("not_found", format!("no DCM endpoint at {path}")),
            BadInput::MethodNotAllowed => ("bad_request", format!("method not allowed at {path}")),
        }
    }
    fn routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg);
    }
    fn admin_routes(&self, cfg: &mut web::ServiceConfig) {
        cfg.route("/sessions/{token}", web::delete().to(routes::admin_revoke));
    }
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState> {
        Box::new(DcmState::new(
            &world.scenario.dcm,
            &world.people,
            world.seed,
            tenant,
        ))
    }
    fn validate(&self, scenario: &Scenario) -> Vec<String> {
        let dcm = &scenario.dcm;
        let mut problems = CodeTable::override_problems(SPECS, &dcm.codes);
        let mut cps: BTreeMap<String, &CounterpartySpec> = BTreeMap::new();
        for (i, cp) in dcm.counterparties.iter().enumerate() {
            match parse_uuid(&cp.guid) {
                Ok(g) => {
                    if cps.insert(g, cp).is_some() {
                        problems.push(format!("counterparties[{i}].guid is listed twice"));
                    }
                }
                Err(e) => problems.push(format!("counterparties[{i}].guid: {e}")),
            }
            if cp.assets.is_empty() {
                problems.push(format!("counterparties[{i}].assets: at least one asset"));
            }
            if let Some(code) = &cp.iban_bank_code
                && (code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()))
            {
                problems.push(format!(
                    "counterparties[{i}].iban_bank_code must be 6 digits"
                ));
            }
            for (j, b) in cp.branches.iter().enumerate() {
                if let Err(e) = parse_uuid(&b.guid) {
                    problems.push(format!("counterparties[{i}].branches[{j}].guid: {e}"));
                }
            }
        }
        let mut identifiers = HashSet::new();
        for (i, e) in dcm.employees.iter().enumerate() {
            if e.identifier.is_empty() || e.password.is_empty() {
                problems.push(format!(
                    "employees[{i}]: identifier and password are required"
                ));
            }
            if !identifiers.insert(e.identifier.to_lowercase()) {
                problems.push(format!("employees[{i}].identifier is listed twice"));
            }
            // Each file is also checked alone: a file without counterparties is an overlay
            // whose references the merged scenario's check resolves.
            match parse_uuid(&e.counterparty_guid) {
                Ok(g) if cps.contains_key(&g) || cps.is_empty() => {}
                _ => problems.push(format!(
                    "employees[{i}].counterparty_guid `{}` is not a listed counterparty",
                    e.counterparty_guid
                )),
            }
        }
        for (i, t) in dcm.session_tokens.iter().enumerate() {
            if t.token.is_empty() {
                problems.push(format!("session_tokens[{i}].token is empty"));
            }
            if !dcm.employees.is_empty()
                && !dcm.employees.iter().any(|e| e.identifier == t.identifier)
            {
                problems.push(format!(
                    "session_tokens[{i}].identifier `{}` is not an employee",
                    t.identifier
                ));
            }
        }
        let mut seen_guids = HashSet::new();
        let mut seen_logins = HashSet::new();
        let mut seen_ibans = HashSet::new();
        let people: HashSet<&str> = scenario
            .people
            .iter()
            .filter_map(|p| p.id.as_deref())
            .collect();
        for (i, c) in dcm.customers.iter().enumerate() {
            let cg = parse_uuid(&c.counterparty_guid).unwrap_or_default();
            let cp = cps.get(&cg);
            if cp.is_none() && !cps.is_empty() {
                problems.push(format!(
                    "customers[{i}].counterparty_guid is not a listed counterparty"
                ));
            }
            // An empty guid is generated (the same in every tenant).
            if !c.guid.is_empty() {
                match parse_uuid(&c.guid) {
                    Ok(g) => {
                        // Unique in the tenant, across counterparties (a wallet user's).
                        if !seen_guids.insert(g) {
                            problems.push(format!("customers[{i}].guid is listed twice"));
                        }
                    }
                    Err(e) => problems.push(format!("customers[{i}].guid: {e}")),
                }
            }
            if let Some(p) = &c.person
                && !people.is_empty()
                && !people.contains(p.as_str())
            {
                problems.push(format!("customers[{i}].person `{p}` is not in people"));
            }
            if let Some(l) = &c.login
                && !l.is_empty()
                && !seen_logins.insert((cg.clone(), l.clone()))
            {
                problems.push(format!("customers[{i}].login `{l}` is listed twice"));
            }
            if let Some(code) = &c.asset_code
                && let Some(cp) = cp
                && !cp
                    .assets
                    .iter()
                    .any(|a| &a.code == code || &a.stellar_code == code)
            {
                problems.push(format!(
                    "customers[{i}].asset_code `{code}` is not an asset of its counterparty"
                ));
            }
            if let Some(b) = &c.branch_guid
                && parse_uuid(b).is_err()
            {
                problems.push(format!("customers[{i}].branch_guid is not a UUID"));
            }
            for (j, a) in c.accounts.iter().enumerate() {
                if !a.guid.is_empty() && parse_uuid(&a.guid).is_err() {
                    problems.push(format!("customers[{i}].accounts[{j}].guid is not a UUID"));
                }
                if !a.iban.is_empty() {
                    if !iban_valid(&a.iban) {
                        problems.push(format!(
                            "customers[{i}].accounts[{j}].iban `{}` has a wrong checksum or shape",
                            a.iban
                        ));
                    } else if !seen_ibans.insert((cg.clone(), a.iban.clone())) {
                        problems.push(format!("customers[{i}].accounts[{j}].iban is used twice"));
                    }
                }
            }
        }
        if dcm.max_customers.is_some_and(|m| m > MAX_CUSTOMERS) {
            problems.push(format!("max_customers is at most {MAX_CUSTOMERS}"));
        }
        if dcm.max_accounts.is_some_and(|m| m > MAX_ACCOUNTS) {
            problems.push(format!("max_accounts is at most {MAX_ACCOUNTS}"));
        }
        if dcm
            .flow_lifetime_minutes
            .is_some_and(|m| m > MAX_LIFETIME_MINUTES)
        {
            problems.push(format!(
                "flow_lifetime_minutes is at most {MAX_LIFETIME_MINUTES} (ten years)"
            ));
        }
        if dcm
            .session_lifetime_hours
            .is_some_and(|h| h > MAX_LIFETIME_HOURS)
        {
            problems.push(format!(
                "session_lifetime_hours is at most {MAX_LIFETIME_HOURS} (ten years)"
            ));
        }
        if dcm
            .jwt_clock_skew_seconds
            .is_some_and(|s| s > MAX_SKEW_SECONDS)
        {
            problems.push(format!(
                "jwt_clock_skew_seconds is at most {MAX_SKEW_SECONDS} (one day)"
            ));
        }
        if dcm.max_limit() == 0 || dcm.default_limit() == 0 || dcm.default_limit() > dcm.max_limit()
        {
            problems.push("list_default_limit must be between 1 and list_max_limit".into());
        }
        problems
    }
}
