//! CarmaChain's state in one tenant: API keys (scope, expiry, revocation) and data
//! requests (pending until their time on the tenant's virtual clock has come).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::wire::CATEGORIES;
use crate::rng;
use crate::scenario::ProviderState;
use crate::state::bounded::{fits, make_room};

/// Keys kept per tenant; when full, expired keys go first, then the oldest.
pub const MAX_KEYS: usize = 10_000;
/// Requests kept per tenant; when full, the oldest `Done` ones go; with none done the
/// batch is refused with `internal_error`.
pub const MAX_REQUESTS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    /// Basic user name of the client it was issued to; `None`: the open client.
    pub client: Option<String>,
    pub scope: Vec<String>,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub revoked: bool,
}

impl ApiKey {
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && now < self.expires
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub seq: u64,
    pub id_document: String,
    /// `+380XXXXXXXXX`.
    pub phone: String,
    /// `people` id, or `None` for someone the scenario does not list.
    pub person: Option<String>,
    /// Categories asked at creation, `All categories` expanded.
    #[serde(deserialize_with = "known_categories")]
    pub categories: Vec<&'static str>,
    pub created: DateTime<Utc>,
    /// When it turns `Done`; `None`: never on its own.
    pub ready_at: Option<DateTime<Utc>>,
    /// Set by the admin `complete` call.
    pub completed_at: Option<DateTime<Utc>>,
}

impl Request {
    pub fn done_at(&self, now: DateTime<Utc>) -> bool {
        self.completed_at.is_some() || self.ready_at.is_some_and(|r| now >= r)
    }
}

/// A request to store, before it has an id.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id_document: String,
    pub phone: String,
    pub person: Option<String>,
    pub categories: Vec<&'static str>,
    pub ready_at: Option<DateTime<Utc>>,
}

/// Why a batch could not be stored.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

/// Serialised whole for snapshots but for `index`, which `restore` rebuilds.
#[derive(Serialize, Deserialize)]
pub struct CarmaState {
    tenant: String,
    seed: u64,
    keys_issued: u64,
    requests_made: u64,
    pub keys: HashMap<String, ApiKey>,
    /// By creation order, so eviction and `period` walk it oldest first.
    pub requests: BTreeMap<u64, Request>,
    #[serde(skip)]
    index: HashMap<String, u64>,
    /// Keys whose signature was checked: the token → its key id and `exp`. Checking an
    /// HS256 signature was 40 % of a createrequest (benches/profile.sh); a token is a
    /// pure function of its claims and the secret, and the secret is the scenario's, so
    /// a token checked once stays good while the tenant lives. Not in snapshots (a
    /// restored tenant checks each token once again); at most `MAX_KEYS` entries.
    #[serde(skip)]
    verified: HashMap<String, (String, i64)>,
}

impl CarmaState {
    pub fn new(seed: u64, tenant: &str) -> Self {
        Self {
            tenant: tenant.to_string(),
            seed,
            keys_issued: 0,
            requests_made: 0,
            keys: HashMap::new(),
            requests: BTreeMap::new(),
            index: HashMap::new(),
            verified: HashMap::new(),
        }
    }

    /// A new key id, distinct per tenant and per issue.
    pub fn issue_key(
        &mut self,
        client: Option<String>,
        scope: Vec<String>,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> ApiKey {
        make_room(
            &mut self.keys,
            MAX_KEYS,
            |k| now < k.expires,
            |k| Some((k.issued, k.id.clone())),
        );
        // Whole seconds, like the JWT's `iat`/`exp`, so the key and its claims agree.
        let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        self.keys_issued += 1;
        let n = self.keys_issued.to_string();
        let mut g = rng::rng_for(self.seed, &["carmachain", "key", &self.tenant, &n]);
        let key = ApiKey {
            id: rng::uuid(&mut g).to_string(),
            client,
            scope,
            issued: now,
            expires: now
                .checked_add_signed(ttl)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            revoked: false,
        };
        self.keys.insert(key.id.clone(), key.clone());
        key
    }

    pub fn key(&self, id: &str) -> Option<&ApiKey> {
        self.keys.get(id)
    }

    /// The key id and `exp` of a token whose signature was checked before.
    pub fn verified(&self, token: &str) -> Option<(&str, i64)> {
        self.verified
            .get(token)
            .map(|(id, exp)| (id.as_str(), *exp))
    }

    /// Remembers a token whose signature checked out; past `MAX_KEYS` the memo starts
    /// over (tokens of evicted keys would otherwise stay in it).
    pub fn remember(&mut self, token: &str, id: &str, exp: i64) {
        if self.verified.len() >= MAX_KEYS {
            self.verified.clear();
        }
        self.verified
            .insert(token.to_string(), (id.to_string(), exp));
    }

    /// Whether a key with that id existed (it stays listed, marked revoked).
    pub fn revoke(&mut self, id: &str) -> bool {
        match self.keys.get_mut(id) {
            Some(k) => {
                k.revoked = true;
                true
            }
            None => false,
        }
    }

    /// Stores the whole batch or nothing.
    pub fn create(
        &mut self,
        batch: Vec<NewRequest>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Request>, Full> {
        let room = MAX_REQUESTS.saturating_sub(self.requests.len());
        if batch.len() > room {
            let needed = batch.len() - room;
            let evictable: Vec<u64> = self
                .requests
                .values()
                .filter(|r| r.done_at(now))
                .map(|r| r.seq)
                .take(needed)
                .collect();
            if evictable.len() < needed {
                return Err(Full);
            }
            for seq in evictable {
                if let Some(r) = self.requests.remove(&seq) {
                    self.index.remove(&r.id);
                }
            }
        }
        let mut made = Vec::with_capacity(batch.len());
        for new in batch {
            self.requests_made += 1;
            let seq = self.requests_made;
            let n = seq.to_string();
            let mut g = rng::rng_for(self.seed, &["carmachain", "request", &self.tenant, &n]);
            let request = Request {
                id: rng::uuid(&mut g).to_string(),
                seq,
                id_document: new.id_document,
                phone: new.phone,
                person: new.person,
                categories: new.categories,
                created: now,
                ready_at: new.ready_at,
                completed_at: None,
            };
            self.index.insert(request.id.clone(), seq);
            self.requests.insert(seq, request.clone());
            made.push(request);
        }
        Ok(made)
    }

    pub fn request(&self, id: &str) -> Option<&Request> {
        self.index.get(id).and_then(|seq| self.requests.get(seq))
    }

    /// The newest `limit` requests created in `[from, now]`, oldest first, and how many
    /// there were in all.
    pub fn since(
        &self,
        from: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> (Vec<Request>, usize) {
        let mut total = 0;
        let mut newest = Vec::new();
        for r in self
            .requests
            .values()
            .rev()
            .filter(|r| r.created >= from && r.created <= now)
        {
            total += 1;
            if newest.len() < limit {
                newest.push(r.clone());
            }
        }
        newest.reverse();
        (newest, total)
    }

    /// Completes a request now; whether it existed.
    pub fn complete(&mut self, id: &str, now: DateTime<Utc>) -> Option<Request> {
        let seq = self.index.get(id)?;
        let r = self.requests.get_mut(seq)?;
        if r.completed_at.is_none() && !r.done_at(now) {
            r.completed_at = Some(now);
        }
        Some(r.clone())
    }
}

pub fn status(r: &Request, now: DateTime<Utc>) -> &'static str {
    if r.done_at(now) {
        super::wire::STATUS_DONE
    } else {
        super::wire::STATUS_PENDING
    }
}

pub fn key_view(k: &ApiKey, now: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({
        "id": k.id,
        "client": k.client,
        "scope": k.scope,
        "issuedAt": k.issued.to_rfc3339_opts(SecondsFormat::Secs, true),
        "expiresAt": k.expires.to_rfc3339_opts(SecondsFormat::Secs, true),
        "revoked": k.revoked,
        "valid": k.valid_at(now),
    })
}

impl CarmaState {
    pub fn keys_view(&self, now: DateTime<Utc>) -> Vec<serde_json::Value> {
        let mut keys: Vec<&ApiKey> = self.keys.values().collect();
        keys.sort_by(|a, b| a.issued.cmp(&b.issued).then(a.id.cmp(&b.id)));
        keys.into_iter().map(|k| key_view(k, now)).collect()
    }
}

/// Categories of a snapshot, each one of `CATEGORIES` (the state keeps them `'static`).
fn known_categories<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|name| {
            CATEGORIES
                .iter()
                .find(|c| **c == name.as_str())
                .copied()
                .ok_or_else(|| serde::de::Error::custom(format!("unknown category `{name}`")))
        })
        .collect()
}

impl CarmaState {
    /// The state a snapshot describes, its id index rebuilt, within the caps.
    pub fn restore(value: serde_json::Value) -> Result<Self, String> {
        let mut state: Self = crate::scenario::restore_of(value)?;
        fits("keys", state.keys.len(), MAX_KEYS)?;
        fits("requests", state.requests.len(), MAX_REQUESTS)?;
        state.index = state
            .requests
            .iter()
            .map(|(seq, r)| (r.id.clone(), *seq))
            .collect();
        Ok(state)
    }
}

impl ProviderState for CarmaState {
    fn snapshot(&self) -> Result<serde_json::Value, String> {
        crate::scenario::snapshot_of(self)
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("keys", self.keys.len() as u64),
            ("requests", self.requests.len() as u64),
        ]
    }

    /// Per entity, from the README's figure (10,000 keys and 10,000 requests ≈ 9 MB):
    /// a key (a JWT id, scope strings, times) ≈ 300 B, a request (document, phone,
    /// person, categories, times) and its index entry ≈ 600 B.
    fn approx_bytes(&self) -> usize {
        let memo: usize = self.verified.keys().map(|t| t.len() + 120).sum();
        self.keys.len() * 300 + self.requests.len() * 600 + memo
    }

    fn view(&self, now: DateTime<Utc>) -> serde_json::Value {
        serde_json::json!({
            "keys": self.keys_view(now),
            "requests": self.requests.values().map(|r| serde_json::json!({
                "idRequest": r.id,
                "idDocument": r.id_document,
                "phoneNumber": r.phone,
                "person": r.person,
                "categories": r.categories,
                "createdAt": r.created.to_rfc3339_opts(SecondsFormat::Millis, true),
                "readyAt": r.ready_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
                "completedAt": r.completed_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
                "status": status(r, now),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-09-04T10:00:00Z")
            .unwrap()
            .to_utc()
    }

    fn new(ready: Option<DateTime<Utc>>) -> NewRequest {
        NewRequest {
            id_document: "AB123456".into(),
            phone: "+380501234567".into(),
            person: None,
            categories: vec!["Name"],
            ready_at: ready,
        }
    }

    #[test]
    fn request_turns_done_at_its_time_or_when_completed() {
        let mut s = CarmaState::new(1, "t");
        let r = s
            .create(
                vec![new(Some(t0() + Duration::seconds(5))), new(None)],
                t0(),
            )
            .unwrap();
        assert!(
            !s.request(&r[0].id)
                .unwrap()
                .done_at(t0() + Duration::seconds(4))
        );
        assert!(
            s.request(&r[0].id)
                .unwrap()
                .done_at(t0() + Duration::seconds(5))
        );
        assert!(
            !s.request(&r[1].id)
                .unwrap()
                .done_at(t0() + Duration::days(365))
        );
        s.complete(&r[1].id, t0()).unwrap();
        assert!(s.request(&r[1].id).unwrap().done_at(t0()));
    }

    #[test]
    fn ids_differ_per_tenant_and_repeat_per_seed() {
        let a = CarmaState::new(1, "a")
            .create(vec![new(None)], t0())
            .unwrap();
        let a2 = CarmaState::new(1, "a")
            .create(vec![new(None)], t0())
            .unwrap();
        let b = CarmaState::new(1, "b")
            .create(vec![new(None)], t0())
            .unwrap();
        assert_eq!(a[0].id, a2[0].id);
        assert_ne!(a[0].id, b[0].id);
    }

    #[test]
    fn full_store_evicts_oldest_done_or_refuses_when_all_pending() {
        let mut s = CarmaState::new(1, "t");
        let batch: Vec<_> = (0..MAX_REQUESTS).map(|_| new(None)).collect();
        let first = s.create(batch, t0()).unwrap();
        assert!(matches!(s.create(vec![new(None)], t0()), Err(Full)));
        s.complete(&first[0].id, t0()).unwrap();
        s.create(vec![new(None)], t0()).unwrap();
        assert!(s.request(&first[0].id).is_none());
        assert_eq!(s.requests.len(), MAX_REQUESTS);
    }

    #[test]
    fn since_keeps_the_newest_up_to_the_limit_oldest_first() {
        let mut s = CarmaState::new(1, "t");
        let made = s.create((0..5).map(|_| new(None)).collect(), t0()).unwrap();
        let (found, total) = s.since(t0(), t0(), 3);
        assert_eq!(total, 5);
        let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        let want: Vec<&str> = made[2..].iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn revoked_key_is_kept_but_invalid() {
        let mut s = CarmaState::new(1, "t");
        let k = s.issue_key(None, vec![], t0(), Duration::hours(24));
        assert!(s.revoke(&k.id));
        assert!(!s.key(&k.id).unwrap().valid_at(t0()));
        assert!(!s.revoke("nope"));
    }
}
