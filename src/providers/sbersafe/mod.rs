//! SberSafe customer information under `/sbersafe`: a client is found by phone or
//! email, confirmed with a one-time password (access code → OTP → token), and then
//! read with the token.

mod codes;
mod errors;
mod routes;
mod scenario;
mod state;
mod wire;

pub use codes::SPECS;
pub use errors::SberError;
pub use scenario::SberSafeScenario;
pub use state::{SberSafeState, moscow};

use std::collections::{BTreeMap, BTreeSet};

use crate::providers::Ctx;
use actix_web::{HttpResponse, web};

use super::{BadInput, CodeEntry, CodeOverride, CodeSpec, CodeTable, Provider, ProviderState};
use crate::scenario::Scenario;
use crate::state::World;

pub struct SberSafe;

impl Provider for SberSafe {
    fn name(&self) -> &'static str {
        "sbersafe"
    }
    fn title(&self) -> &'static str {
        "SberSafe customer information: one-time-password tokens, contacts, bindings"
    }
    fn specs(&self) -> &'static [CodeSpec] {
        SPECS
    }
    fn overrides(&self, scenario: &Scenario) -> BTreeMap<String, CodeOverride> {
        scenario.sbersafe.codes.clone()
    }
    fn scope(&self, _path: &str) -> &'static str {
        ""
    }
    /// Forced answers take the next `requestId` of the tenant, like a handler's.
    fn render(&self, entry: &CodeEntry, detail: Option<&str>, ctx: &Ctx) -> HttpResponse {
        let request_id = ctx.state(|s: &mut SberSafeState| s.request_id());
        errors::render(entry, detail, &request_id)
    }
    fn bad_input(&self, path: &str, problem: &BadInput) -> (&'static str, String) {
        match problem {
            BadInput::Malformed(e) => ("malformed_json", format!("body: not valid JSON: {e}")),
            BadInput::TooLarge { limit } => {
                ("malformed_json", format!("body: larger than {limit} bytes"))
            }
            BadInput::NotFound => ("not_found", format!("no SberSafe endpoint at {path}")),
            BadInput::MethodNotAllowed => ("method_not_allowed", "use POST".to_string()),
        }
    }
    fn routes(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg);
    }
    fn admin_routes(&self, cfg: &mut web::ServiceConfig) {
        cfg.route("/otp/{access_code}", web::get().to(routes::admin_otp));
    }
    fn new_state(&self, world: &World, tenant: &str) -> Box<dyn ProviderState> {
        Box::new(SberSafeState::new(
            &world.scenario.sbersafe,
            world.seed,
            tenant,
        ))
    }
    fn validate(&self, scenario: &Scenario) -> Vec<String> {
        let s = &scenario.sbersafe;
        let mut problems = CodeTable::override_problems(SPECS, &s.codes);
        for (i, m) in s.merchants.iter().enumerate() {
            if m.login.trim().is_empty() {
                problems.push(format!("merchants[{i}].login is empty"));
            }
        }
        if let Some(fixed) = &s.otp.fixed
            && fixed.is_empty()
        {
            problems.push("otp.fixed is empty (use null to turn it off)".into());
        }
        if !(4..=12).contains(&s.otp.length) {
            problems.push("otp.length must be 4..=12".into());
        }
        if s.otp.ttl_minutes == 0 || s.token_ttl_minutes == 0 {
            problems.push("otp.ttl_minutes and token_ttl_minutes must be above 0".into());
        }
        let hex32 = |u: &str| {
            u.len() == 32
                && u.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        };
        let mut ids = BTreeSet::new();
        let mut values = BTreeSet::new();
        for (i, c) in s.clients.iter().enumerate() {
            let at = format!("clients[{i}]");
            if c.id.is_empty() || !ids.insert(c.id.as_str()) {
                problems.push(format!("{at}.id is empty or repeated"));
            }
            if let Some(u) = &c.uuid
                && !hex32(u)
            {
                problems.push(format!("{at}.uuid must be 32 upper-case hex characters"));
            }
            for (j, k) in c.contacts.iter().enumerate() {
                let ok = match k.kind.as_str() {
                    "MPHONE" => routes::is_phone(&k.value),
                    "EMAIL" => k.value.contains('@'),
                    _ => false,
                };
                if !ok {
                    problems.push(format!(
                        "{at}.contacts[{j}]: type MPHONE (10 digits, no leading 7) or EMAIL"
                    ));
                }
                let active = k.status.as_deref().is_none_or(|st| st == "ACTIVE");
                if active && !values.insert(k.value.to_lowercase()) {
                    problems.push(format!(
                        "{at}.contacts[{j}]: `{}` is another client's",
                        k.value
                    ));
                }
            }
            for (j, k) in c.contacts.iter().chain(&c.contacts_extra).enumerate() {
                if let Some(st) = &k.status
                    && !wire::CONTACT_STATUSES.contains(&st.as_str())
                {
                    problems.push(format!(
                        "{at}: contact {j} status must be ACTIVE or NOTACTIVE"
                    ));
                }
            }
            for (j, k) in c.contacts_extra.iter().enumerate() {
                if !wire::EXTRA_TYPES.contains(&k.kind.as_str()) {
                    problems.push(format!("{at}.contacts_extra[{j}].type must be POST_ADRESS"));
                }
            }
            for (j, b) in c.bindings.iter().enumerate() {
                if !wire::PAYMENT_SYSTEMS.contains(&b.payment_system.as_str()) {
                    problems.push(format!(
                        "{at}.bindings[{j}].payment_system must be VISA, MASTERCARD or MIR"
                    ));
                }
                if !(13..=19).contains(&b.pan.len()) || !b.pan.bytes().all(|d| d.is_ascii_digit()) {
                    problems.push(format!("{at}.bindings[{j}].pan must be 13 to 19 digits"));
                }
                if let Some(u) = &b.uuid
                    && !hex32(u)
                {
                    problems.push(format!("{at}.bindings[{j}].uuid must be 32 upper-case hex"));
                }
            }
        }
        for (i, t) in s.tokens.iter().enumerate() {
            if !s.clients.iter().any(|c| c.id == t.client) {
                problems.push(format!(
                    "tokens[{i}].client `{}` is not a client id",
                    t.client
                ));
            }
            if !s.merchants.iter().any(|m| m.login == t.merchant) {
                problems.push(format!(
                    "tokens[{i}].merchant `{}` is not a merchant",
                    t.merchant
                ));
            }
            if t.token.is_empty() {
                problems.push(format!("tokens[{i}].token is empty"));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scenario::{BindingSpec, ClientSpec, ContactSpec, PresetToken};

    #[test]
    fn validate_names_each_bad_field() {
        let mut scenario = Scenario::default();
        let s = &mut scenario.sbersafe;
        s.clients.push(ClientSpec {
            id: "x".into(),
            uuid: Some("lowercase".into()),
            contacts: vec![ContactSpec {
                kind: "MPHONE".into(),
                value: "79161234567".into(),
                status: None,
            }],
            bindings: vec![BindingSpec {
                payment_system: "AMEX".into(),
                pan: "12".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        s.tokens.push(PresetToken {
            token: "t".into(),
            client: "nobody".into(),
            merchant: "m".into(),
            expires: None,
        });
        s.otp.length = 2;

        let problems = SberSafe.validate(&scenario).join("\n");

        for needle in [
            "uuid",
            "contacts[0]",
            "payment_system",
            "pan",
            "tokens[0].client",
            "tokens[0].merchant",
            "otp.length",
        ] {
            assert!(problems.contains(needle), "{needle} not in {problems}");
        }
    }

    #[test]
    fn default_scenario_section_is_valid() {
        let scenario: Scenario = serde_saphyr::from_str(crate::scenario::DEFAULT_SCENARIO).unwrap();
        assert_eq!(SberSafe.validate(&scenario), Vec::<String>::new());
    }
}
