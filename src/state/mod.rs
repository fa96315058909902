//! All mutable state: the `Sandbox` shared by every worker, holding the active scenario
//! (`World`, swapped in one step on reload) and the tenants.

pub mod bounded;
mod persist;
mod snapshot;
mod tenant;

use tenant::Totals;
pub use tenant::{Tenant, TenantError};

use std::collections::{BTreeMap, BinaryHeap};

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};

use crate::codes::CodeTable;
use crate::metrics::Metrics;
use crate::scenario::{Blueprint, People, Problem, Scenario};
use crate::settings::Settings;

/// A loaded scenario and everything derived from it once: people, code tables.
pub struct World {
    pub scenario: Scenario,
    /// Where it came from: file names, or `default` for the embedded one.
    pub names: Vec<String>,
    /// The YAML as given, for `GET /__sandbox/scenario` in YAML.
    pub sources: Vec<(String, String)>,
    pub seed: u64,
    /// A hash of the merged sources and the seed: what a snapshot was taken under.
    pub fingerprint: String,
    pub people: People,
    /// When it was loaded (wall time) and by what: `default`, file paths, `api`, `watch`.
    pub loaded_at: DateTime<Utc>,
    pub loaded_from: String,
    codes: BTreeMap<&'static str, CodeTable>,
    empty: CodeTable,
}

impl World {
    pub fn new(
        mut scenario: Scenario,
        sources: Vec<(String, String)>,
        seed_override: Option<u64>,
        kinds: &[Arc<dyn Blueprint>],
    ) -> Self {
        if let Some(seed) = seed_override {
            scenario.seed = seed;
        }
        let seed = scenario.seed;
        let people = People::resolve(seed, &scenario.people);
        let codes = kinds
            .iter()
            .map(|k| {
                let table = CodeTable::build(k.specs(), &scenario.codes(k.name()));
                (k.name(), table)
            })
            .collect();
        let names: Vec<String> = sources.iter().map(|(n, _)| n.clone()).collect();
        Self {
            fingerprint: fingerprint(&sources, seed),
            loaded_at: Utc::now(),
            loaded_from: names.join(", "),
            names,
            sources,
            seed,
            people,
            codes,
            empty: CodeTable::default(),
            scenario,
        }
    }

    /// Every provider's code table, by name.
    pub fn tables(&self) -> Vec<(&str, &CodeTable)> {
        self.codes.iter().map(|(n, t)| (*n, t)).collect()
    }

    /// The code table of `provider` under this scenario.
    pub fn codes(&self, provider: &str) -> &CodeTable {
        self.codes.get(provider).unwrap_or(&self.empty)
    }
}

/// FNV-1a of every source text in order and the seed, as 16 hex digits: the same
/// scenario gives the same people and generated values, so its snapshots fit.
fn fingerprint(sources: &[(String, String)], seed: u64) -> String {
    let mut hash = crate::rng::fnv1a(0xcbf2_9ce4_8422_2325, &seed.to_le_bytes());
    for (_, yaml) in sources {
        hash = crate::rng::fnv1a(hash, yaml.as_bytes());
        hash = crate::rng::fnv1a(hash, &[0xff]);
    }
    format!("{hash:016x}")
}

pub struct Sandbox {
    pub settings: Settings,
    /// The providers a scenario may have sections for.
    kinds: Vec<Arc<dyn Blueprint>>,
    world: RwLock<Arc<World>>,
    tenants: Mutex<HashMap<String, Arc<Tenant>>>,
    /// Bytes of every tenant's journal and provider states, against
    /// `journal_total_bytes_cap` and `state_total_bytes_cap`.
    totals: Totals,
    pub started: Instant,
    pub metrics: Metrics,
}

impl Sandbox {
    /// Loads the scenario of `settings` (or the embedded default) for providers `kinds`.
    pub fn new(settings: Settings, kinds: Vec<Arc<dyn Blueprint>>) -> Result<Self, Vec<Problem>> {
        let sources = match &settings.scenario {
            Some(path) => crate::scenario::load_path(path)?,
            None => vec![(
                "default".to_string(),
                crate::scenario::DEFAULT_SCENARIO.to_string(),
            )],
        };
        Self::from_sources(settings, sources, kinds)
    }

    /// Loads `(name, yaml)` sources merged in order (tests give YAML inline).
    pub fn from_sources(
        settings: Settings,
        sources: Vec<(String, String)>,
        kinds: Vec<Arc<dyn Blueprint>>,
    ) -> Result<Self, Vec<Problem>> {
        let scenario = crate::scenario::load_sources(&sources, &kinds)?;
        let world = World::new(scenario, sources, settings.seed, &kinds);
        let metrics = Metrics::new(settings.metrics_tenant_label);
        metrics.scenario_loaded(true);
        Ok(Self {
            settings,
            kinds,
            world: RwLock::new(Arc::new(world)),
            tenants: Mutex::new(HashMap::new()),
            totals: Totals::default(),
            started: Instant::now(),
            metrics,
        })
    }

    pub fn world(&self) -> Arc<World> {
        self.world.read().clone()
    }

    /// Every check `load` makes, loading nothing (the dashboard's validate button).
    pub fn validate(&self, sources: &[(String, String)]) -> Result<(), Vec<Problem>> {
        crate::scenario::load_sources(sources, &self.kinds).map(|_| ())
    }

    /// Validates and loads new scenario sources for every tenant at once: tenants are
    /// rebuilt from it on their next request. On error the old scenario keeps serving.
    pub fn load(&self, sources: Vec<(String, String)>) -> Result<(), Vec<Problem>> {
        self.load_as(sources, None)
    }

    /// `load`, noting `from` (e.g. `watch`) as where it came from instead of its names.
    pub fn load_as(
        &self,
        sources: Vec<(String, String)>,
        from: Option<&str>,
    ) -> Result<(), Vec<Problem>> {
        let loaded = crate::scenario::load_sources(&sources, &self.kinds);
        self.metrics.scenario_loaded(loaded.is_ok());
        let mut world = World::new(loaded?, sources, self.settings.seed, &self.kinds);
        if let Some(from) = from {
            world.loaded_from = from.to_string();
        }
        let world = Arc::new(world);
        let mut tenants = self.tenants.lock();
        *self.world.write() = world;
        tenants.clear();
        Ok(())
    }

    /// The tenant `name`, built from the scenario on first use (or read back from the
    /// state directory). Idle tenants are dropped, and beyond `tenant_cap` the least
    /// recently used one is; with a state directory they are saved first.
    pub fn tenant(&self, name: &str) -> Result<Arc<Tenant>, TenantError> {
        Tenant::check_name(name)?;
        let mut tenants = self.tenants.lock();
        if let Some(t) = tenants.get(name) {
            t.touch();
            return Ok(t.clone());
        }
        let gone = self.evict(&mut tenants);
        let tenant = self
            .load_saved(name)
            .unwrap_or_else(|| self.new_tenant(name));
        let tenant = Arc::new(tenant);
        tenants.insert(name.to_string(), tenant.clone());
        drop(tenants);
        self.let_go(&gone);
        Ok(tenant)
    }

    /// Puts `tenant` in place of tenant `name` (a loaded snapshot).
    fn put_tenant(&self, name: &str, tenant: Arc<Tenant>) {
        let mut tenants = self.tenants.lock();
        let gone = if tenants.contains_key(name) {
            Vec::new()
        } else {
            self.evict(&mut tenants)
        };
        let replaced = tenants.insert(name.to_string(), tenant);
        drop(tenants);
        self.let_go(&gone);
        if let Some(old) = replaced {
            old.wake_readers();
        }
    }

    /// Tenants taken out of the map: saved, and their waiting readers woken to follow
    /// the name to the tenant held next (`current`).
    fn let_go(&self, tenants: &[Arc<Tenant>]) {
        for t in tenants {
            self.save(t);
            t.wake_readers();
        }
    }

    /// The tenant held under `name` now, if any: after a reset or a loaded snapshot, the
    /// one put in place; after an eviction, none until a request builds it again. Not
    /// built here: readers of evicted tenants building theirs would evict each other's
    /// in turn at `tenant_cap`.
    pub fn held(&self, name: &str) -> Option<Arc<Tenant>> {
        self.tenants.lock().get(name).cloned()
    }

    fn new_tenant(&self, name: &str) -> Tenant {
        Tenant::new(name, self.world(), &self.settings, self.totals.clone())
    }

    /// Bytes all journals hold now, as counted against `journal_total_bytes_cap`.
    pub fn journal_bytes(&self) -> usize {
        self.totals.journal.load(Ordering::Relaxed)
    }

    /// Holds all journals to `journal_total_bytes_cap`: when over, evicts the oldest
    /// entries of the largest journal until it is no larger than the next, and so on,
    /// down to 15/16 of the cap so the next pushes do not trim again at once. Cheap
    /// when under: one atomic load. Returns how many entries it evicted.
    pub fn trim_journals(&self) -> u64 {
        let cap = self.settings.journal_total_bytes_cap;
        if self.journal_bytes() <= cap {
            return 0;
        }
        let target = cap - cap / 16;
        let tenants = self.tenants.lock();
        let mut largest: BinaryHeap<(usize, &str)> = tenants
            .iter()
            .map(|(name, t)| (t.journal.lock().bytes(), name.as_str()))
            .filter(|(bytes, _)| *bytes > 0)
            .collect();
        let mut evicted = 0;
        while self.journal_bytes() > target
            && let Some((_, name)) = largest.pop()
        {
            let Some(tenant) = tenants.get(name) else {
                continue;
            };
            let next = largest.peek().map_or(0, |(bytes, _)| *bytes);
            let mut journal = tenant.journal.lock();
            // At least one entry each turn, so equal journals take turns.
            while journal.evict_oldest().is_some() {
                evicted += 1;
                if journal.bytes() <= next || self.journal_bytes() <= target {
                    break;
                }
            }
            if journal.bytes() > 0 {
                largest.push((journal.bytes(), name));
            }
        }
        evicted
    }

    /// Provider state bytes all tenants hold now (estimated by `approx_bytes`), as
    /// counted against `state_total_bytes_cap`.
    pub fn state_bytes(&self) -> usize {
        self.totals.state.load(Ordering::Relaxed)
    }

    /// After `tenant`'s provider `name` answered: its state's new size into the total
    /// (one lock of that state), then `trim_states`.
    pub fn account_state(&self, tenant: &Tenant, name: &str) -> usize {
        tenant.account_state(name);
        self.trim_states(tenant)
    }

    /// Holds all provider states to `state_total_bytes_cap` after `serving` answered:
    /// when over, drops whole tenants other than `serving`, least recently used first
    /// (saved first with a state directory), down to 15/16 of the cap. Cheap when
    /// under: one atomic load. Returns how many tenants it dropped.
    pub fn trim_states(&self, serving: &Tenant) -> usize {
        let cap = self.settings.state_total_bytes_cap;
        let mut total = self.state_bytes();
        if total <= cap {
            return 0;
        }
        let target = cap - cap / 16;
        let mut tenants = self.tenants.lock();
        let mut oldest: Vec<(std::time::Duration, String)> = tenants
            .iter()
            .filter(|(_, t)| !std::ptr::eq(&***t, serving))
            .map(|(name, t)| (t.idle_for(), name.clone()))
            .collect();
        oldest.sort();
        let mut gone = Vec::new();
        while total > target
            && let Some((_, name)) = oldest.pop()
        {
            if let Some(t) = tenants.remove(&name) {
                // Counted now: the total falls only when the last request drops it.
                total = total.saturating_sub(t.state_bytes());
                gone.push(t);
            }
        }
        drop(tenants);
        self.let_go(&gone);
        self.metrics.tenants_dropped("state_budget", gone.len());
        gone.len()
    }

    /// Drops the idle tenants and, at the cap, the least recently used; returns them.
    fn evict(&self, tenants: &mut HashMap<String, Arc<Tenant>>) -> Vec<Arc<Tenant>> {
        let mut gone = self.drop_idle(tenants);
        let idle = gone.len();
        let cap = self.settings.tenant_cap.max(1);
        while tenants.len() >= cap {
            let oldest = tenants
                .iter()
                .max_by_key(|(_, t)| t.idle_for())
                .map(|(k, _)| k.clone());
            match oldest.and_then(|key| tenants.remove(&key)) {
                Some(t) => gone.push(t),
                None => break,
            };
        }
        self.metrics
            .tenants_dropped("tenant_cap", gone.len() - idle);
        gone
    }

    /// Drops idle tenants (saved first with a state directory); run periodically so
    /// memory is returned without new traffic.
    pub fn sweep(&self) {
        let gone = self.drop_idle(&mut self.tenants.lock());
        self.let_go(&gone);
    }

    fn drop_idle(&self, tenants: &mut HashMap<String, Arc<Tenant>>) -> Vec<Arc<Tenant>> {
        let idle = Duration::from_secs(self.settings.tenant_idle_secs);
        let mut gone = Vec::new();
        tenants.retain(|_, t| {
            let keep = t.idle_for() < idle;
            if !keep {
                gone.push(t.clone());
            }
            keep
        });
        self.metrics.tenants_dropped("idle", gone.len());
        gone
    }

    /// Puts tenant `name` back to the scenario: state, journal, clock, runtime rules.
    pub fn reset(&self, name: &str) -> Result<Arc<Tenant>, TenantError> {
        Tenant::check_name(name)?;
        let tenant = Arc::new(self.new_tenant(name));
        let mut tenants = self.tenants.lock();
        let old = tenants.get(name).cloned();
        if let Some(old) = &old {
            // Ids go on from the old journal's: a reader's `since` stays meaningful.
            tenant.journal.lock().continue_ids(&old.journal.lock());
        }
        tenants.insert(name.to_string(), tenant.clone());
        drop(tenants);
        if let Some(old) = old {
            old.wake_readers();
        }
        Ok(tenant)
    }

    /// The tenants held now, none built or touched (for metrics).
    pub fn tenants_now(&self) -> Vec<Arc<Tenant>> {
        self.tenants.lock().values().cloned().collect()
    }

    pub fn tenant_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tenants.lock().keys().cloned().collect();
        names.sort();
        names
    }
}
