//! A tenant's database as the scenario describes it. Scenario values are the same in
//! every tenant (no tenant in their keys). The scenario was validated, so entries that
//! would not fit are skipped rather than failing here.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};

use super::DcmState;
use super::auth::{Session, identity_id};
use super::ids::{generated_guid, normalize_iban, parse_uuid};
use super::store::{Asset, Counterparty, NewCustomer, guid_conflict};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::bad;
use crate::providers::dcm::scenario::{AccountSpec, CustomerSpec, DcmScenario, PresetToken};
use crate::scenario::{People, PersonRecord};

/// When scenario customers were created, unless they say.
pub fn scenario_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl DcmState {
    pub fn new(scenario: &DcmScenario, people: &People, seed: u64, tenant: &str) -> Self {
        let mut counterparties = BTreeMap::new();
        for spec in &scenario.counterparties {
            if let Ok(guid) = parse_uuid(&spec.guid) {
                let cp = Counterparty::from_spec(guid.clone(), spec, scenario);
                counterparties.insert(guid, cp);
            }
        }
        let mut state = Self {
            tenant: tenant.to_string(),
            seed,
            issued: 0,
            counterparties,
            flows: HashMap::new(),
            sessions: HashMap::new(),
            preset: preset_sessions(scenario, seed),
        };
        for spec in &scenario.customers {
            let _ = state.seed_customer(spec, people, seed);
        }
        state
    }

    fn seed_customer(
        &mut self,
        spec: &CustomerSpec,
        people: &People,
        seed: u64,
    ) -> Result<(), DcmError> {
        let cg = parse_uuid(&spec.counterparty_guid).map_err(bad)?;
        if let Ok(g) = parse_uuid(&spec.guid)
            && self.guid_taken(&g)
        {
            return Err(guid_conflict(&g));
        }
        let cp = self
            .counterparties
            .get_mut(&cg)
            .ok_or_else(|| bad("no counterparty"))?;
        let asset = match &spec.asset_code {
            Some(code) => cp
                .assets
                .iter()
                .position(|a| &a.code == code || &a.stellar_code == code)
                .ok_or_else(|| bad("no asset"))?,
            None => 0,
        };
        let a = cp.assets.get(asset).ok_or_else(|| bad("no asset"))?;
        let first = spec.accounts.first().cloned().unwrap_or_default();
        let person = spec.person.as_deref().and_then(|p| people.by_id(p));
        let new = seeded(spec, a, person, normalize_iban(&first.iban).ok());
        let at = spec.created_at.unwrap_or_else(scenario_epoch);
        let created = cp.create_customer(new, at, seed, "scenario")?;
        if let Ok(g) = parse_uuid(&first.guid) {
            cp.set_account_guid(&created.customer_guid, &created.account.guid, g);
        }
        for acc in spec.accounts.iter().skip(1) {
            seed_account(cp, &created.customer_guid, acc, seed)?;
        }
        Ok(())
    }
}

/// The scenario's session tokens, each of an employee of a listed counterparty; a
/// token's session id is drawn from the seed and the token.
fn preset_sessions(scenario: &DcmScenario, seed: u64) -> HashMap<String, Session> {
    let preset = |t: &PresetToken| {
        let emp = scenario
            .employees
            .iter()
            .find(|e| e.identifier == t.identifier)?;
        let session = Session {
            id: generated_guid(seed, &["dcm", "preset-session", &t.token]),
            token: t.token.clone(),
            identity_id: identity_id(seed, &emp.identifier),
            identifier: emp.identifier.clone(),
            counterparty_guid: parse_uuid(&emp.counterparty_guid).ok()?,
            issued_at: scenario_epoch(),
            expires_at: t.expires_at,
            device: None,
        };
        Some((t.token.clone(), session))
    };
    scenario.session_tokens.iter().filter_map(preset).collect()
}

/// The create of a scenario customer in `asset`: its own values, else its person's.
fn seeded(
    spec: &CustomerSpec,
    asset: &Asset,
    person: Option<&PersonRecord>,
    iban: Option<String>,
) -> NewCustomer {
    let pick = |own: &Option<String>, from: Option<&String>| {
        own.clone().or_else(|| from.cloned()).unwrap_or_default()
    };
    NewCustomer {
        guid: parse_uuid(&spec.guid).ok(),
        asset_code: asset.code.clone(),
        asset_issuer: asset.stellar_issuer.clone(),
        iban,
        login: pick(&spec.login, person.map(|p| &p.email)),
        kyc_level: spec.kyc_level,
        is_disabled: spec.is_disabled,
        balance_allowed: spec.balance_allowed,
        balance_asset_code: None,
        balance_asset_issuer: None,
        branch_guid: spec.branch_guid.as_deref().and_then(|b| parse_uuid(b).ok()),
        name: pick(&spec.name, person.map(|p| &p.first_name)),
        paternal_name: pick(&spec.paternal_name, person.map(|p| &p.middle_name)),
        phone_number: pick(&spec.phone_number, person.map(|p| &p.phone)),
        segment: spec.segment.clone(),
        status: spec.status.clone(),
        surname: pick(&spec.surname, person.map(|p| &p.last_name)),
    }
}

/// A scenario customer's further account, with the GUID the scenario names.
fn seed_account(
    cp: &mut Counterparty,
    customer: &str,
    acc: &AccountSpec,
    seed: u64,
) -> Result<(), DcmError> {
    let iban = normalize_iban(&acc.iban).ok();
    let made = cp.create_account(customer, iban, false, seed, "scenario")?;
    if let Ok(g) = parse_uuid(&acc.guid) {
        cp.set_account_guid(customer, &made.guid, g);
    }
    Ok(())
}
