//! The scenario: everything a fresh tenant starts with. One YAML format for all
//! providers; each provider owns the schema of its own section.

mod load;
mod people;
mod rules;
mod spans;

pub use load::{DEFAULT_SCENARIO, Problem, load_path, load_sources, validate_files};
pub use people::{People, Person, PersonRecord};
pub use rules::{Delay, Rule, Then, When};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::providers::{carmachain, dcm, sbersafe, trustdecision, ubki};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Shown by `/__sandbox/health`.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Seed of every generated value.
    pub seed: u64,
    pub clock: ClockSpec,
    /// Identities shared by all providers.
    pub people: Vec<Person>,
    /// Forced errors and faults, checked before the provider sees a request.
    pub rules: Vec<Rule>,
    pub carmachain: carmachain::CarmaChainScenario,
    pub trustdecision: trustdecision::TrustDecisionScenario,
    pub dcm: dcm::DcmScenario,
    pub ubki: ubki::UbkiScenario,
    pub sbersafe: sbersafe::SberSafeScenario,
}

/// Where a fresh tenant's virtual clock starts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClockSpec {
    /// Start instant; absent means real time.
    pub start: Option<DateTime<Utc>>,
    /// A frozen clock only moves through the admin API: byte-identical responses.
    pub frozen: bool,
}
