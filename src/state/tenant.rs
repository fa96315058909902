//! One tenant: its own clock, journal, coverage, rules and one lock per provider state,
//! so traffic to one provider never waits on another's.

use foldhash::HashMap;
use std::any::{Any, TypeId};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::World;
use crate::clock::Clock;
use crate::faults::RuleBook;
use crate::journal::{Coverage, Journal, JournalBytes};
use crate::scenario::{ProviderState, Seeding};
use crate::settings::Settings;

/// A provider's name and its state behind its own lock.
pub(super) type NamedState = (&'static str, Mutex<Box<dyn ProviderState>>);

/// Every tenant's provider state bytes (`approx_bytes`), against `state_total_bytes_cap`.
pub type StateBytes = Arc<AtomicUsize>;

/// The sandbox-wide byte counts every tenant adds to.
#[derive(Clone, Default)]
pub struct Totals {
    pub journal: JournalBytes,
    pub state: StateBytes,
}

pub struct Tenant {
    pub name: String,
    pub world: Arc<World>,
    pub clock: Clock,
    pub journal: Mutex<Journal>,
    pub coverage: Mutex<Coverage>,
    pub rules: Mutex<RuleBook>,
    pub(super) states: HashMap<TypeId, NamedState>,
    last_used: AtomicU64,
    /// Bumped on every use (`touch`) and after every provider state change: the cheap
    /// "changed since saved" of persistence.
    uses: AtomicU64,
    /// `uses` when the tenant was last written to the state directory.
    saved: AtomicU64,
    /// Each provider state's last `approx_bytes`, by provider, added to `state_total`.
    state_bytes: HashMap<&'static str, AtomicUsize>,
    state_total: StateBytes,
}

impl Drop for Tenant {
    /// A dropped tenant (evicted, reset, reloaded) gives its state bytes back.
    fn drop(&mut self) {
        self.state_total
            .fetch_sub(self.state_bytes(), Ordering::Relaxed);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("tenant name must be 1 to 64 characters of A-Z a-z 0-9 . _ -")]
    BadName,
}

impl Tenant {
    /// `totals` are the sandbox's counts of all journals' and states' bytes.
    pub fn new(name: &str, world: Arc<World>, settings: &Settings, totals: Totals) -> Self {
        let seeding = Seeding {
            seed: world.seed,
            people: &world.people,
            tenant: name,
        };
        let states = world
            .scenario
            .sections
            .iter()
            .map(|(provider, section)| (*provider, section.section.new_state(&seeding)))
            .collect();
        Self::with_states(name, world, settings, totals, states)
    }

    /// A tenant with these provider states and everything else fresh from the scenario;
    /// `totals` are the sandbox's counts of all journals' and states' bytes.
    pub(super) fn with_states(
        name: &str,
        world: Arc<World>,
        settings: &Settings,
        totals: Totals,
        states: Vec<(&'static str, Box<dyn ProviderState>)>,
    ) -> Self {
        let states: HashMap<TypeId, NamedState> = states
            .into_iter()
            .map(|(provider, state)| {
                let any: &dyn Any = &*state;
                (any.type_id(), (provider, Mutex::new(state)))
            })
            .collect();
        let state_bytes: HashMap<_, _> = states
            .values()
            .map(|(name, lock)| (*name, AtomicUsize::new(lock.lock().approx_bytes())))
            .collect();
        let bytes: usize = state_bytes
            .values()
            .map(|b| b.load(Ordering::Relaxed))
            .sum();
        totals.state.fetch_add(bytes, Ordering::Relaxed);
        let spec = &world.scenario.clock;
        Self {
            name: name.to_string(),
            clock: Clock::new(spec.start, spec.frozen),
            journal: Mutex::new(Journal::shared(
                settings.journal_cap,
                settings.journal_bytes_cap,
                totals.journal,
            )),
            coverage: Mutex::new(Coverage::default()),
            rules: Mutex::new(RuleBook::new(&world.scenario.rules, world.seed, name)),
            states,
            last_used: AtomicU64::new(since_start()),
            uses: AtomicU64::new(1),
            saved: AtomicU64::new(0),
            state_bytes,
            state_total: totals.state,
            world,
        }
    }

    pub fn check_name(name: &str) -> Result<(), TenantError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if ok {
            Ok(())
        } else {
            Err(TenantError::BadName)
        }
    }

    pub fn touch(&self) {
        // Stored only when it moved to another millisecond, so within one the line stays
        // shared; in microseconds, so tenants first used within one millisecond still
        // leave at the cap in the order they came (a store in whole milliseconds made
        // them tie, and the cap evicted either).
        let now = since_start();
        if self.last_used.load(Ordering::Relaxed) / 1000 != now / 1000 {
            self.last_used.store(now, Ordering::Relaxed);
        }
        self.uses.fetch_add(1, Ordering::Relaxed);
    }

    /// The use count if the tenant was used since it was last saved; pass it to `saved`
    /// once written.
    pub(super) fn unsaved(&self) -> Option<u64> {
        let uses = self.uses.load(Ordering::Relaxed);
        (uses != self.saved.load(Ordering::Relaxed)).then_some(uses)
    }

    pub(super) fn mark_saved(&self, uses: u64) {
        self.saved.store(uses, Ordering::Relaxed);
    }

    /// Wakes the readers waiting on this journal: the tenant is no longer held, and they
    /// go on with the one held under its name.
    pub fn wake_readers(&self) {
        self.journal.lock().signal().notify_waiters();
    }

    pub fn idle_for(&self) -> Duration {
        let last = self.last_used.load(Ordering::Relaxed);
        Duration::from_micros(since_start().saturating_sub(last))
    }

    /// Runs `f` on the state of provider `S` under its lock. Every provider's state is
    /// created in `new`, so a missing one is a programming error, not a request's doing.
    pub fn with_state<S: ProviderState, R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        let (_, lock) = self
            .states
            .get(&TypeId::of::<S>())
            .expect("every provider state is registered when the tenant is built");
        let mut guard = lock.lock();
        let any: &mut dyn Any = &mut **guard;
        let out = f(any
            .downcast_mut::<S>()
            .expect("state keyed by its own TypeId"));
        // After the change, so a save that began before it sees the tenant changed again.
        self.uses.fetch_add(1, Ordering::Relaxed);
        out
    }

    /// Re-reads provider `name`'s `approx_bytes` (one lock of its state) and moves the
    /// sandbox's total by the change, after a request that may have changed it.
    pub fn account_state(&self, name: &str) {
        let (Some(last), Some((_, lock))) = (
            self.state_bytes.get(name),
            self.states.values().find(|(n, _)| *n == name),
        ) else {
            return;
        };
        let now = lock.lock().approx_bytes();
        let before = last.swap(now, Ordering::Relaxed);
        if now > before {
            self.state_total.fetch_add(now - before, Ordering::Relaxed);
        } else if now < before {
            self.state_total.fetch_sub(before - now, Ordering::Relaxed);
        }
    }

    /// The provider state bytes this tenant counts in the sandbox's total.
    pub fn state_bytes(&self) -> usize {
        self.state_bytes
            .values()
            .map(|b| b.load(Ordering::Relaxed))
            .sum()
    }

    /// `(provider, kind, count)` of every provider's stored entities, for metrics.
    pub fn counts(&self) -> Vec<(&'static str, &'static str, u64)> {
        self.states
            .values()
            .flat_map(|(name, lock)| {
                let counts = lock.lock().counts();
                counts.into_iter().map(move |(kind, n)| (*name, kind, n))
            })
            .collect()
    }

    /// Every provider's state as JSON, for `GET /__sandbox/state`.
    pub fn views(&self) -> serde_json::Map<String, serde_json::Value> {
        let now = self.clock.now();
        let mut out: Vec<(&'static str, serde_json::Value)> = self
            .states
            .values()
            .map(|(name, lock)| (*name, lock.lock().view(now)))
            .collect();
        out.sort_by_key(|(n, _)| *n);
        out.into_iter().map(|(n, v)| (n.to_string(), v)).collect()
    }
}

/// Microseconds since the first call, the tenants' idle clock: an atomic, not a locked
/// `Instant`, since every request of a tenant stores it.
fn since_start() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed();
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::state::Sandbox;

    #[test]
    fn tenants_first_used_within_a_millisecond_keep_their_order() {
        let sandbox = Sandbox::from_sources(Settings::for_tests(), Vec::new(), Vec::new())
            .expect("an empty scenario loads");
        let first = sandbox.tenant("t1").expect("t1");
        let second = sandbox.tenant("t2").expect("t2");

        assert!(first.idle_for() > second.idle_for());
    }
}
