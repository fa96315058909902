//! A provider's part of the scenario. The core knows clock, people and rules; each
//! provider parses its own top-level key with its own type, checks it, and builds a
//! fresh tenant's state from it. The scenario core never names a provider: it is handed
//! the providers' `Blueprint`s.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::spans::Key;
use super::{People, Scenario};
use crate::codes::{CodeOverride, CodeSpec};

/// A provider's mutable state inside one tenant.
pub trait ProviderState: Any + Send + Sync {
    /// Read-only view for `GET /__sandbox/state`.
    fn view(&self, now: DateTime<Utc>) -> serde_json::Value;
    /// Everything the state holds, for a tenant snapshot; `Section::restore_state`
    /// rebuilds the same state from it.
    fn snapshot(&self) -> Result<serde_json::Value, String>;
    /// How many of each kind of entity the state holds (`customers`, `keys`, ...), for
    /// the gauges of `/__sandbox/metrics`; read at scrape time, never on a request.
    fn counts(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
    /// About how many heap bytes the state holds, for `state_total_bytes_cap`: entity
    /// counts times a per-entity estimate, so it costs O(1) after every request.
    fn approx_bytes(&self) -> usize;
}

/// A state of type `S` as snapshot JSON (the serde-derived form).
pub fn snapshot_of<S: Serialize>(state: &S) -> Result<serde_json::Value, String> {
    serde_json::to_value(state).map_err(|e| e.to_string())
}

/// A state of type `S` from its snapshot JSON; an error names the path it is about.
pub fn restore_of<S: DeserializeOwned>(value: serde_json::Value) -> Result<S, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        format!("{path}: {}", e.into_inner())
    })
}

/// What a fresh provider state is built from.
pub struct Seeding<'a> {
    pub seed: u64,
    pub people: &'a People,
    pub tenant: &'a str,
}

/// A provider's parsed section.
pub trait Section: Any + Send + Sync + fmt::Debug {
    /// The section's changes to the code table, by code name.
    fn codes(&self) -> &BTreeMap<String, CodeOverride>;
    /// Problems beyond what types check, each starting with the path it is about
    /// (`subjects[1].inn ...`), so the loader can point at its line and column.
    fn problems(&self, _scenario: &Scenario) -> Vec<String> {
        Vec::new()
    }
    /// A fresh tenant's state under this section.
    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState>;
    /// The state a snapshot (`ProviderState::snapshot`) describes, checked against the
    /// caps of its stores; an error starts with the path it is about.
    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String>;
}

/// A section as a type: read from YAML, written back for `GET /__sandbox/scenario`.
pub trait SectionType: Section + DeserializeOwned + Serialize + Default {}

impl<T: Section + DeserializeOwned + Serialize + Default> SectionType for T {}

/// What a provider declares once: its name (path prefix and scenario key), its code
/// table and its section type. `Blueprint` follows from it.
pub trait Declared: Send + Sync {
    const NAME: &'static str;
    /// One line for the catalog: what the provider is.
    const TITLE: &'static str;
    const SPECS: &'static [CodeSpec];
    type Section: SectionType;
}

impl<T: Declared> Blueprint for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn title(&self) -> &'static str {
        T::TITLE
    }
    fn specs(&self) -> &'static [CodeSpec] {
        T::SPECS
    }
    fn section(&self, yaml: &str) -> Result<SectionBox, serde_saphyr::Error> {
        parse_section::<T>(yaml)
    }
}

/// What scenario loading needs to know of a provider.
pub trait Blueprint: Send + Sync {
    /// The provider's path prefix and scenario key.
    fn name(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// The documented code table.
    fn specs(&self) -> &'static [CodeSpec];
    /// The provider's section of one YAML document (its default when absent).
    fn section(&self, yaml: &str) -> Result<SectionBox, serde_saphyr::Error>;
}

/// A parsed section, seen both as a `Section` and as its own type (`Scenario::section`).
#[derive(Clone)]
pub struct SectionBox {
    pub section: Arc<dyn Section>,
    typed: Arc<dyn Any + Send + Sync>,
    json: fn(&(dyn Any + Send + Sync)) -> serde_json::Value,
}

impl fmt::Debug for SectionBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.section.fmt(f)
    }
}

impl SectionBox {
    pub fn new<T: SectionType>(value: T) -> Self {
        let typed = Arc::new(value);
        Self {
            section: typed.clone(),
            typed,
            json: json_of::<T>,
        }
    }

    /// Only the match is cloned: a clone of every other section's `Arc`, dropped again,
    /// wrote reference counts both workers share.
    pub fn typed<T: SectionType>(&self) -> Option<Arc<T>> {
        self.typed_ref::<T>()?;
        self.typed.clone().downcast::<T>().ok()
    }

    pub fn typed_ref<T: SectionType>(&self) -> Option<&T> {
        (*self.typed).downcast_ref::<T>()
    }

    /// The section as the scenario would write it, for `GET /__sandbox/scenario`.
    pub fn to_json(&self) -> serde_json::Value {
        (self.json)(&*self.typed)
    }
}

fn json_of<T: SectionType>(value: &(dyn Any + Send + Sync)) -> serde_json::Value {
    value
        .downcast_ref::<T>()
        .and_then(|v| serde_json::to_value(v).ok())
        .unwrap_or_default()
}

/// Parses provider `P`'s section out of a whole document, so serde's errors keep the
/// document's lines and columns.
pub fn parse_section<P: Declared>(yaml: &str) -> Result<SectionBox, serde_saphyr::Error> {
    let picked: Pick<P> = serde_saphyr::from_str(yaml)?;
    Ok(SectionBox::new(picked.0.unwrap_or_default()))
}

/// The value under `P::NAME` of a top-level map; every other key is skipped.
struct Pick<P: Declared>(Option<P::Section>);

impl<'de, P: Declared> Deserialize<'de> for Pick<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PickVisitor::<P>(PhantomData))
    }
}

struct PickVisitor<P>(PhantomData<P>);

impl<'de, P: Declared> Visitor<'de> for PickVisitor<P> {
    type Value = Pick<P>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scenario (a map of sections)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pick<P>, A::Error> {
        let mut found = None;
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if key == P::NAME {
                // `null` (a key with nothing under it) is the default section.
                let value: Option<P::Section> = map.next_value()?;
                found = Some(value.unwrap_or_default());
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Pick(found))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Pick<P>, E> {
        Ok(Pick(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Pick<P>, E> {
        Ok(Pick(None))
    }
}
