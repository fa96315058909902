//! The `carmachain:` section of a scenario.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{CodeOverride, CodeTable};
use crate::scenario::{ProviderState, Scenario, Section, Seeding};

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
/// Pending times are capped at a hundred years, which the clock can still add.
const MAX_PENDING_SECONDS: i64 = 100 * 366 * 86_400;

/// The `people` ids of the scenario, which peers and person rules refer to.
type PersonIds<'a> = BTreeSet<&'a str>;

impl CarmaChainScenario {
    /// When a request for `person` turns `Done`: the person's rule, else the slowest
    /// peer that knows them, else the scenario default; `None` for never.
    pub fn ready_at(&self, person: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let rule = person.and_then(|id| self.persons.iter().find(|r| r.person == id));
        if rule.is_some_and(|r| r.never_completes) {
            return None;
        }
        let seconds = rule.and_then(|r| r.pending_seconds).unwrap_or_else(|| {
            self.peers
                .iter()
                .filter(|p| p.knows(person))
                .map(|p| p.pending_seconds.unwrap_or(self.pending_seconds))
                .max()
                .unwrap_or(self.pending_seconds)
        });
        let seconds = i64::try_from(seconds)
            .unwrap_or(i64::MAX)
            .min(MAX_PENDING_SECONDS);
        now.checked_add_signed(Duration::seconds(seconds))
    }

    fn client_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut names = BTreeSet::new();
        for (i, c) in self.clients.iter().enumerate() {
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
        problems
    }

    fn peer_problems(&self, people: &PersonIds) -> Vec<String> {
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        for (i, p) in self.peers.iter().enumerate() {
            if p.id.is_empty() || !ids.insert(p.id.as_str()) {
                problems.push(format!("peers[{i}].id is empty or repeated"));
            }
            problems.extend(p.problems(&format!("peers[{i}]"), people));
        }
        problems
    }
}

impl Peer {
    /// Whether it holds data on `person` (`None`: someone not in `people`).
    pub fn knows(&self, person: Option<&str>) -> bool {
        self.knows_everyone || person.is_some_and(|id| self.knows.iter().any(|k| k == id))
    }

    fn problems(&self, at: &str, people: &PersonIds) -> Vec<String> {
        let mut problems = Vec::new();
        for k in &self.knows {
            problems.extend(unknown_person(people, &format!("{at}.knows"), k));
        }
        for c in &self.categories {
            problems.extend(unknown_category(&format!("{at}.categories"), c));
        }
        for (person, categories) in &self.data {
            problems.extend(unknown_person(people, &format!("{at}.data"), person));
            for c in categories.keys() {
                problems.extend(unknown_category(&format!("{at}.data.{person}"), c));
            }
        }
        problems
    }
}

fn unknown_person(people: &PersonIds, at: &str, id: &str) -> Option<String> {
    (!people.contains(id)).then(|| format!("{at}: no person with id `{id}` in people"))
}

fn unknown_category(at: &str, category: &str) -> Option<String> {
    (!super::wire::CATEGORIES.contains(&category))
        .then(|| format!("{at}: unknown category `{category}`"))
}

impl Section for CarmaChainScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(super::CarmaState::new(seeding.seed, seeding.tenant))
    }

    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String> {
        Ok(Box::new(super::CarmaState::restore(value)?))
    }

    fn problems(&self, scenario: &Scenario) -> Vec<String> {
        let people: PersonIds = scenario
            .people
            .iter()
            .filter_map(|p| p.id.as_deref())
            .collect();
        let mut problems = CodeTable::override_problems(super::SPECS, &self.codes);
        if self.jwt_secret.is_empty() {
            problems.push("jwt_secret must not be empty".into());
        }
        if self.key_ttl_hours == 0 || self.key_ttl_hours > MAX_TTL_HOURS {
            problems.push(format!("key_ttl_hours must be 1 to {MAX_TTL_HOURS}"));
        }
        problems.extend(self.client_problems());
        problems.extend(self.peer_problems(&people));
        for (i, r) in self.persons.iter().enumerate() {
            problems.extend(unknown_person(
                &people,
                &format!("persons[{i}].person"),
                &r.person,
            ));
        }
        problems
    }
}
