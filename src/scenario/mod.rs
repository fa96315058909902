//! The scenario: everything a fresh tenant starts with. One YAML format for all
//! providers: the core here holds clock, people and rules; each provider owns the
//! schema of its own section (`section`), so this module names no provider.

mod load;
mod people;
mod rules;
mod section;
mod spans;

pub use load::{DEFAULT_SCENARIO, Problem, load_path, load_sources, validate_files};
pub use people::{People, Person, PersonRecord};
pub use rules::{Delay, Rule, Then, When};
pub use section::{
    Blueprint, Declared, ProviderState, Section, SectionBox, SectionType, Seeding, parse_section,
    restore_of, snapshot_of,
};

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::codes::CodeOverride;

/// The top-level keys of the core; any other key must be a provider's.
pub const CORE_KEYS: &[&str] = &["name", "description", "seed", "clock", "people", "rules"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
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
    /// Each provider's section, by provider name, parsed by the provider.
    #[serde(skip)]
    pub sections: BTreeMap<&'static str, SectionBox>,
}

impl Scenario {
    /// The section of type `T`; its default if the scenario was built without it.
    pub fn section<T: SectionType>(&self) -> Arc<T> {
        self.sections
            .values()
            .find_map(SectionBox::typed::<T>)
            .unwrap_or_default()
    }

    /// The section of type `T`, borrowed; `None` if the scenario was built without it.
    pub fn section_ref<T: SectionType>(&self) -> Option<&T> {
        self.sections.values().find_map(SectionBox::typed_ref::<T>)
    }

    /// The code overrides of provider `name`'s section.
    pub fn codes(&self, name: &str) -> BTreeMap<String, CodeOverride> {
        self.sections
            .get(name)
            .map(|s| s.section.codes().clone())
            .unwrap_or_default()
    }
}

impl Serialize for Scenario {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("description", &self.description)?;
        map.serialize_entry("seed", &self.seed)?;
        map.serialize_entry("clock", &self.clock)?;
        map.serialize_entry("people", &self.people)?;
        map.serialize_entry("rules", &self.rules)?;
        for (name, section) in &self.sections {
            map.serialize_entry(name, &section.to_json())?;
        }
        map.end()
    }
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
