//! One tenant: its own clock, journal, coverage, rules and one lock per provider state,
//! so traffic to one provider never waits on another's.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::World;
use crate::clock::Clock;
use crate::faults::RuleBook;
use crate::journal::{Coverage, Journal};
use crate::scenario::{ProviderState, Seeding};
use crate::settings::Settings;

/// A provider's name and its state behind its own lock.
type NamedState = (&'static str, Mutex<Box<dyn ProviderState>>);

pub struct Tenant {
    pub name: String,
    pub world: Arc<World>,
    pub clock: Clock,
    pub journal: Mutex<Journal>,
    pub coverage: Mutex<Coverage>,
    pub rules: Mutex<RuleBook>,
    states: HashMap<TypeId, NamedState>,
    last_used: Mutex<Instant>,
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("tenant name must be 1 to 64 characters of A-Z a-z 0-9 . _ -")]
    BadName,
}

impl Tenant {
    pub fn new(name: &str, world: Arc<World>, settings: &Settings) -> Self {
        let seeding = Seeding {
            seed: world.seed,
            people: &world.people,
            tenant: name,
        };
        let states = world
            .scenario
            .sections
            .iter()
            .map(|(provider, section)| {
                let state = section.section.new_state(&seeding);
                let any: &dyn Any = &*state;
                (any.type_id(), (*provider, Mutex::new(state)))
            })
            .collect();
        let spec = &world.scenario.clock;
        Self {
            name: name.to_string(),
            clock: Clock::new(spec.start, spec.frozen),
            journal: Mutex::new(Journal::new(
                settings.journal_cap,
                settings.journal_bytes_cap,
            )),
            coverage: Mutex::new(Coverage::default()),
            rules: Mutex::new(RuleBook::new(&world.scenario.rules, world.seed, name)),
            states,
            last_used: Mutex::new(Instant::now()),
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
        *self.last_used.lock() = Instant::now();
    }

    pub fn idle_for(&self) -> Duration {
        self.last_used.lock().elapsed()
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
        f(any
            .downcast_mut::<S>()
            .expect("state keyed by its own TypeId"))
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
