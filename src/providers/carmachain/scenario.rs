//! The `carmachain:` section of a scenario.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::codes::{CodeOverride, CodeTable};
use crate::scenario::{ProviderState, Scenario, Section, SectionType, Seeding};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarmaChainScenario {
    /// HS256 secret that signs API keys.
    pub jwt_secret: String,
    /// Virtual hours an API key lives (the document: 24).
    pub key_ttl_hours: u32,
    /// Who may call `getToken`. Empty: anyone, with every method in scope.
    pub clients: Vec<Client>,
    /// Virtual seconds a request stays `Panding` unless a peer or person says otherwise.
    pub pending_seconds: u64,
    /// The data-sharing peers.
    pub peers: Vec<Peer>,
    /// Per-person behaviour, by `people` id.
    pub persons: Vec<PersonRule>,
    /// `IdDocument` values that answer `internal_error` on createrequest.
    pub error_documents: Vec<String>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

impl Default for CarmaChainScenario {
    fn default() -> Self {
        Self {
            jwt_secret: "carmachain-sandbox-secret".into(),
            key_ttl_hours: 24,
            clients: Vec::new(),
            pending_seconds: 5,
            peers: Vec::new(),
            persons: Vec::new(),
            error_documents: Vec::new(),
            codes: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Client {
    /// HTTP Basic user name on `getToken`; absent: the open client that answers calls
    /// without credentials.
    pub username: Option<String>,
    pub password: String,
    /// Methods its keys may call (`createrequest`, `respond`); empty: all.
    pub scope: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Peer {
    /// `idPpeers` on the wire.
    pub id: String,
    /// `people` ids this peer holds data on.
    pub knows: Vec<String>,
    /// Holds data on everyone, strangers included.
    pub knows_everyone: bool,
    /// Categories it shares; empty: all nine.
    pub categories: Vec<String>,
    /// Seconds its answer takes (instead of `pending_seconds`).
    pub pending_seconds: Option<u64>,
    /// Fixed values: person id → category → field → value; the rest is generated.
    pub data: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonRule {
    /// A `people` id.
    pub person: String,
    /// Seconds this person's requests stay pending (wins over peers).
    pub pending_seconds: Option<u64>,
    /// Stays `Panding` until `POST /__sandbox/carmachain/requests/{id}/complete`.
    pub never_completes: bool,
}

/// Ten years: keys longer than that are a typo, and far-off instants overflow.
const MAX_TTL_HOURS: u32 = 10 * 366 * 24;

impl SectionType for CarmaChainScenario {
    const KEY: &'static str = super::NAME;
}

impl Section for CarmaChainScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(super::CarmaState::new(seeding.seed, seeding.tenant))
    }

    fn problems(&self, scenario: &Scenario) -> Vec<String> {
        let sc = self;
        let mut problems = CodeTable::override_problems(super::SPECS, &sc.codes);
        let people: BTreeSet<&str> = scenario
            .people
            .iter()
            .filter_map(|p| p.id.as_deref())
            .collect();
        let person_known = |id: &str| people.contains(id);
        let category_ok = |c: &str| super::wire::CATEGORIES.contains(&c);
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
                if !super::routes::METHODS.contains(&m.as_str()) {
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
