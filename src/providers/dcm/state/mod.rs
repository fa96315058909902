//! DCM's state in one tenant: a small in-memory database of counterparties (banks), each
//! with its customers and accounts (`store`) and the index its list reads (`index`,
//! `query`); besides them, who may call (`auth`). `seed` builds it from the scenario,
//! `ids` reads and makes GUIDs and IBANs.

mod auth;
mod ids;
mod index;
mod query;
mod seed;
mod store;

pub use auth::{Device, Flow, MAX_JWK_BYTES, RegisteredJwk, Session};
pub use ids::{guid_field, normalize_iban, parse_uuid};
pub use query::{ListQuery, parse_list_query};
pub use seed::scenario_epoch;
pub use store::{
    Account, Asset, Counterparty, Created, Customer, CustomerUpdate, Drawn, MAX_ACCOUNTS,
    MAX_CUSTOMERS, NewCustomer, Reserved,
};

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use self::store::guid_conflict;
use super::codes::DcmError;
use super::errors::no_counterparty;
use super::wire::fmt_time;
use crate::scenario::ProviderState;

/// Serialised whole for snapshots (the counterparties without their indexes), its
/// counters with it, so generated GUIDs and IBANs continue the same sequence.
#[derive(Serialize, Deserialize)]
pub struct DcmState {
    tenant: String,
    seed: u64,
    /// Flows, sessions and keys issued so far: the key of the next one's id.
    issued: u64,
    counterparties: BTreeMap<String, Counterparty>,
    flows: HashMap<String, Flow>,
    /// Sessions from logins (bounded, evicted).
    sessions: HashMap<String, Session>,
    /// Scenario tokens (never evicted; revocable through the admin API).
    preset: HashMap<String, Session>,
}

impl DcmState {
    pub fn counterparty(&self, guid: &str) -> Option<&Counterparty> {
        self.counterparties.get(guid)
    }

    pub fn counterparty_mut(&mut self, guid: &str) -> Option<&mut Counterparty> {
        self.counterparties.get_mut(guid)
    }

    /// The counterparty, or the 404 of one that is not in the tenant.
    pub fn counterparty_or_404(&self, cg: &str) -> Result<&Counterparty, DcmError> {
        self.counterparty(cg).ok_or_else(|| no_counterparty(cg))
    }

    pub fn counterparty_or_404_mut(&mut self, cg: &str) -> Result<&mut Counterparty, DcmError> {
        self.counterparty_mut(cg).ok_or_else(|| no_counterparty(cg))
    }

    /// A customer GUID is the wallet user's, unique in the whole tenant, not only in
    /// its counterparty.
    fn guid_taken(&self, guid: &str) -> bool {
        self.counterparties.values().any(|c| c.holds(guid))
    }

    /// Checks a create in `cg` and keys its IDs (`Counterparty::reserve`), refused (409
    /// in a 400) when a sent GUID is any counterparty's.
    pub fn reserve_customer(&mut self, cg: &str, new: &NewCustomer) -> Result<Reserved, DcmError> {
        self.sent_guid_free(new)?;
        let (seed, tenant) = (self.seed, self.tenant.clone());
        self.counterparty_or_404_mut(cg)?
            .reserve(new, seed, &tenant)
    }

    /// The create `reserve_customer` checked, with its drawn IDs, checked again.
    pub fn commit_customer(
        &mut self,
        cg: &str,
        new: NewCustomer,
        drawn: Drawn,
        now: DateTime<Utc>,
    ) -> Result<Created, DcmError> {
        self.sent_guid_free(&new)?;
        let (seed, tenant) = (self.seed, self.tenant.clone());
        self.counterparty_or_404_mut(cg)?
            .commit(new, drawn, now, seed, &tenant)
    }

    fn sent_guid_free(&self, new: &NewCustomer) -> Result<(), DcmError> {
        match &new.guid {
            Some(g) if self.guid_taken(g) => Err(guid_conflict(g)),
            _ => Ok(()),
        }
    }

    /// Another account of customer `cu` of `cg`.
    pub fn create_account(
        &mut self,
        cg: &str,
        cu: &str,
        iban: Option<String>,
        one_per_asset: bool,
    ) -> Result<Account, DcmError> {
        let (seed, tenant) = (self.seed, self.tenant.clone());
        self.counterparty_or_404_mut(cg)?
            .create_account(cu, iban, one_per_asset, seed, &tenant)
    }
}

/// One counterparty in the state view: counts, key ids and the last 20 customers.
fn counterparty_view(cp: &Counterparty) -> Value {
    let customers = cp.customers();
    let accounts: usize = customers.iter().map(|c| c.accounts.len()).sum();
    let last: Vec<Value> = customers
        .iter()
        .rev()
        .take(20)
        .map(|c| {
            json!({
                "guid": c.guid, "login": c.login, "name": c.name,
                "updated_at": fmt_time(c.updated_at),
                "accounts": c.accounts.iter().map(|a| json!({"guid": a.guid, "iban": a.iban})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "customers_total": customers.len(),
        "accounts_total": accounts,
        "jwks": cp.jwks.iter().map(|j| j.guid.clone()).collect::<Vec<_>>(),
        "last_customers": last,
    })
}

impl DcmState {
    /// The state a snapshot describes, its indexes rebuilt, within the caps.
    pub fn restore(value: Value) -> Result<Self, String> {
        use crate::state::bounded::fits;
        let mut state: Self = crate::scenario::restore_of(value)?;
        fits("flows", state.flows.len(), auth::MAX_FLOWS)?;
        fits("sessions", state.sessions.len(), auth::MAX_SESSIONS)?;
        for cp in state.counterparties.values_mut() {
            cp.reindex()?;
        }
        Ok(state)
    }
}

impl ProviderState for DcmState {
    fn snapshot(&self) -> Result<Value, String> {
        crate::scenario::snapshot_of(self)
    }

    fn view(&self, now: DateTime<Utc>) -> Value {
        let cps: serde_json::Map<String, Value> = self
            .counterparties
            .values()
            .map(|cp| (cp.guid.clone(), counterparty_view(cp)))
            .collect();
        json!({
            "counterparties": cps,
            "open_flows": self.flows.values().filter(|f| f.expires_at > now).count(),
            "sessions": self.sessions.values().filter(|s| s.valid_at(now)).count(),
            "preset_tokens": self.preset.keys().collect::<std::collections::BTreeSet<_>>(),
        })
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        let customers = self.counterparties.values().map(|cp| cp.customers().len());
        vec![
            ("customers", customers.sum::<usize>() as u64),
            ("sessions", self.sessions.len() as u64),
            ("flows", self.flows.len() as u64),
        ]
    }

    /// Per entity, from the README's figure (200,000 customers ≈ 300 MB with their
    /// first accounts, list index and GUID/login maps: ≈ 1.5 KB) and each further
    /// account's struct, IBAN and index entry (≈ 200 B); flows and sessions are a few
    /// ids and times in a map (≈ 300 B).
    fn approx_bytes(&self) -> usize {
        let (customers, accounts) = self.counterparties.values().fold((0, 0), |(c, a), cp| {
            (c + cp.customers().len(), a + cp.accounts_len())
        });
        let auth = self.flows.len() + self.sessions.len() + self.preset.len();
        customers * 1_500 + accounts.saturating_sub(customers) * 200 + auth * 300
    }
}
