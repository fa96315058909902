//! A tenant's whole state as one versioned JSON document, and a tenant rebuilt from one.
//! Each provider writes and reads its own part (`ProviderState::snapshot`,
//! `Section::restore_state`); this file holds the envelope: version, scenario, clock,
//! rules, coverage, journal.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Sandbox, Tenant, World};
use crate::clock::ClockState;
use crate::faults::RuleBook;
use crate::journal::{Coverage, Entry};

/// The version of the document this sandbox writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const FORMAT: &str = "sandbox-snapshot";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    format: String,
    version: u32,
    scenario: ScenarioMark,
    /// The tenant it was taken of (a load into another tenant forks it).
    tenant: String,
    /// The tenant's virtual time when it was taken.
    taken_at: DateTime<Utc>,
    clock: ClockState,
    rules: RuleBook,
    coverage: Coverage,
    journal: JournalPart,
    providers: BTreeMap<String, Value>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioMark {
    name: Option<String>,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalPart {
    next_id: u64,
    /// Only with `?journal=true` (and in saved files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entries: Option<Vec<Entry>>,
}

/// Why a document was refused; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "snapshot format version {0}, this sandbox reads version {FORMAT_VERSION} (load anyway with ?force=true)"
    )]
    Version(u64),
    #[error(
        "snapshot of scenario `{name}` ({theirs}), this sandbox serves `{ours_name}` ({ours}) (load anyway with ?force=true)"
    )]
    Fingerprint {
        name: String,
        theirs: String,
        ours_name: String,
        ours: String,
    },
    #[error("not a snapshot: {0}")]
    Malformed(String),
}

impl SnapshotError {
    /// The `X-Sandbox-Error` kind.
    pub fn kind(&self) -> &'static str {
        match self {
            SnapshotError::Version(_) => "snapshot-version",
            SnapshotError::Fingerprint { .. } => "snapshot-fingerprint",
            SnapshotError::Malformed(_) => "bad-snapshot",
        }
    }
}

impl Tenant {
    /// The whole tenant as a document; the journal's entries only with `journal`.
    pub fn snapshot(&self, journal: bool) -> Result<Value, String> {
        let mut providers = BTreeMap::new();
        for (name, lock) in self.states.values() {
            let part = lock.lock().snapshot();
            providers.insert(name.to_string(), part.map_err(|e| format!("{name}: {e}"))?);
        }
        let (entries, next_id) = self.journal.lock().snapshot();
        let rules = serde_json::to_value(&*self.rules.lock()).map_err(|e| e.to_string())?;
        let coverage = serde_json::to_value(&*self.coverage.lock()).map_err(|e| e.to_string())?;
        Ok(serde_json::json!({
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "scenario": {
                "name": self.world.scenario.name,
                "fingerprint": self.world.fingerprint,
            },
            "tenant": self.name,
            "taken_at": self.clock.now(),
            "clock": self.clock.state(),
            "rules": rules,
            "coverage": coverage,
            "journal": JournalPart { next_id, entries: journal.then_some(entries) },
            "providers": providers,
        }))
    }
}

/// Refuses another format or version, and, unless `force`, another scenario's
/// fingerprint, before the document is read in full.
fn check_mark(doc: &Value, world: &World, force: bool) -> Result<(), SnapshotError> {
    let malformed = |what: &str| SnapshotError::Malformed(what.to_string());
    let obj = doc
        .as_object()
        .ok_or_else(|| malformed("the document is not a JSON object"))?;
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(malformed(&format!("format: must be `{FORMAT}`")));
    }
    let version = obj
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed("version: a number is required"))?;
    if force {
        return Ok(());
    }
    if version != u64::from(FORMAT_VERSION) {
        return Err(SnapshotError::Version(version));
    }
    let mark = obj.get("scenario");
    let field = |k: &str| {
        mark.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    if field("fingerprint") != world.fingerprint {
        return Err(SnapshotError::Fingerprint {
            name: field("name").to_string(),
            theirs: field("fingerprint").to_string(),
            ours_name: world.scenario.name.clone().unwrap_or_default(),
            ours: world.fingerprint.clone(),
        });
    }
    Ok(())
}

impl Sandbox {
    /// Tenant `name` as document `doc` describes it, replacing whatever it was; refused
    /// whole, and nothing changed, on any problem.
    pub fn restore(
        &self,
        name: &str,
        doc: Value,
        force: bool,
    ) -> Result<Arc<Tenant>, SnapshotError> {
        let tenant = Arc::new(self.tenant_from(name, doc, force)?);
        self.put_tenant(name, tenant.clone());
        Ok(tenant)
    }

    /// A tenant built from `doc` under the current scenario, not yet serving.
    pub(super) fn tenant_from(
        &self,
        name: &str,
        doc: Value,
        force: bool,
    ) -> Result<Tenant, SnapshotError> {
        let world = self.world();
        check_mark(&doc, &world, force)?;
        let snap: Snapshot = crate::scenario::restore_of(doc).map_err(SnapshotError::Malformed)?;
        let bytes = self.totals.clone();
        build(name, world, &self.settings, bytes, snap).map_err(SnapshotError::Malformed)
    }
}

/// Every provider's part restored, then clock, rules, coverage and journal.
fn build(
    name: &str,
    world: Arc<World>,
    settings: &crate::settings::Settings,
    journal_bytes: super::tenant::Totals,
    mut snap: Snapshot,
) -> Result<Tenant, String> {
    let mut states = Vec::new();
    for (provider, section) in &world.scenario.sections {
        let part = snap
            .providers
            .remove(*provider)
            .ok_or_else(|| format!("providers.{provider}: missing"))?;
        let state = section
            .section
            .restore_state(part)
            .map_err(|e| format!("providers.{provider}.{e}"))?;
        states.push((*provider, state));
    }
    if let Some(other) = snap.providers.keys().next() {
        return Err(format!("providers.{other}: no such provider here"));
    }
    let tables = world.tables();
    let rules = snap
        .rules
        .checked(world.scenario.rules.len(), |r| r.problems_with(&tables))?;
    drop(tables);
    let tenant = Tenant::with_states(name, world, settings, journal_bytes, states);
    tenant
        .clock
        .restore(snap.clock)
        .map_err(|e| format!("clock: {e}"))?;
    *tenant.rules.lock() = rules;
    *tenant.coverage.lock() = snap.coverage;
    let entries = snap.journal.entries.unwrap_or_default();
    tenant.journal.lock().restore(entries, snap.journal.next_id);
    Ok(tenant)
}
