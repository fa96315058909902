//! The request journal and code coverage of one tenant. Both are bounded: the journal
//! keeps the newest `cap` entries, bodies cut to `body_cap` bytes, `bytes_cap` in all,
//! and adds its bytes to a counter shared by every journal of the sandbox, so the
//! sandbox can hold all of them to one budget (`Sandbox::trim_journals`). It counts what
//! it evicted, so a verification can tell "not sent" from "no longer kept". Readers that
//! wait for an entry are woken by `push` (see `Waiters`).

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::serde_as;

use crate::headers::Headers;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub id: u64,
    /// Virtual time of the request.
    pub time: DateTime<Utc>,
    /// Borrowed from the provider and the standard methods: no allocation per request.
    pub provider: Cow<'static, str>,
    pub method: Cow<'static, str>,
    pub path: String,
    pub query: String,
    pub request_headers: Headers,
    pub request_body: Body,
    pub status: u16,
    pub response_body: Body,
    /// The provider code the answer carried, if any.
    pub code: Option<String>,
    /// `force` (X-Sandbox-Force), `rule:<name>`, or absent for the provider's own answer.
    pub forced_by: Option<String>,
    pub latency_ms: f64,
}

impl Entry {
    /// The heap bytes the entry holds, as allocated: its box and slot, texts (by
    /// capacity) and bodies, each allocation rounded up as an allocator does. Counted
    /// as allocated rather than as the text's length, so the budgets bound resident
    /// memory (the length alone undercounted it about twofold, benches/soak.py).
    fn size(&self) -> usize {
        let borrowed = [&self.provider, &self.method]
            .into_iter()
            .filter_map(|t| match t {
                Cow::Owned(t) => Some(allocated(t.capacity())),
                Cow::Borrowed(_) => None,
            })
            .sum::<usize>();
        let texts = [&self.path, &self.query]
            .into_iter()
            .chain(self.code.as_ref())
            .chain(self.forced_by.as_ref())
            .map(|t| allocated(t.capacity()))
            .sum::<usize>()
            + borrowed;
        allocated(std::mem::size_of::<Entry>())
            + 2 * std::mem::size_of::<(usize, Box<Entry>)>()
            + texts
            + allocated(self.request_headers.heap_bytes())
            + self.request_body.size()
            + self.response_body.size()
    }
}

/// A body as the journal keeps it: the bytes (cut to the journal's cap), rendered as
/// JSON only when the journal is read, so no request pays for parsing its own answer.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes {
        kept: Bytes,
        total: usize,
        cap: usize,
    },
    /// A note in place of a body that was not kept (over the body limit).
    Note(String),
}

impl Body {
    /// Keeps at most `cap` bytes, copied: a shared `Bytes` may hold a larger buffer
    /// alive (a `Vec` grown by doubling, a read buffer) that the budget cannot see.
    pub fn new(bytes: &Bytes, cap: usize) -> Self {
        let kept = Bytes::copy_from_slice(&bytes[..bytes.len().min(cap)]);
        Body::Bytes {
            kept,
            total: bytes.len(),
            cap,
        }
    }

    /// Keeps `bytes` itself when it fits `cap` and is known to be exactly as long as
    /// its allocation (`ExactBody`), else a copy (`new`).
    pub fn exact(bytes: &Bytes, cap: usize, exact: bool) -> Self {
        if !exact || bytes.len() > cap {
            return Self::new(bytes, cap);
        }
        Body::Bytes {
            kept: bytes.clone(),
            total: bytes.len(),
            cap,
        }
    }

    /// Heap bytes, as allocated (the enum itself is part of the entry), with the
    /// reference count `bytes` allocates beside a buffer once it is shared (an answer
    /// kept by `exact`, any body after a journal read cloned it).
    fn size(&self) -> usize {
        const SHARED: usize = 3 * std::mem::size_of::<usize>();
        match self {
            Body::Bytes { kept, .. } if kept.is_empty() => 0,
            Body::Bytes { kept, .. } => allocated(kept.len()) + allocated(SHARED),
            Body::Note(text) => allocated(text.capacity()),
        }
    }

    /// JSON as JSON, anything else as (lossy) text, a cut body with a note of its size.
    pub fn value(&self) -> serde_json::Value {
        let (kept, total, cap) = match self {
            Body::Note(text) => return serde_json::Value::String(text.clone()),
            Body::Bytes { kept, total, cap } => (kept, *total, *cap),
        };
        if total == 0 {
            return serde_json::Value::Null;
        }
        if total <= cap
            && let Ok(value) = serde_json::from_slice::<serde_json::Value>(kept)
        {
            return value;
        }
        let mut text = String::from_utf8_lossy(kept).into_owned();
        if total > cap {
            text.push_str(&format!("…[{total} bytes, cut at {cap}]"));
        }
        serde_json::Value::String(text)
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

/// A body read back from a snapshot, as the journal showed it: text stays the text shown
/// (a note), JSON is kept as its bytes, so the journal answers the same.
impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(text) => Body::Note(text),
            serde_json::Value::Null => Body::new(&Bytes::new(), 0),
            value => {
                let bytes =
                    Bytes::from(serde_json::to_vec(&value).map_err(serde::de::Error::custom)?);
                Body::new(&bytes, bytes.len())
            }
        })
    }
}

/// What an allocation of `n` bytes takes: none for nothing, else `n` rounded up to a
/// size class (16-byte steps below 128, then an eighth of a power of two, as mimalloc
/// and most allocators do).
fn allocated(n: usize) -> usize {
    match n {
        0 => 0,
        1..=128 => n.div_ceil(16) * 16,
        _ => {
            let step = (n.next_power_of_two() / 8).max(16);
            n.div_ceil(step) * step
        }
    }
}

/// Bytes held by every journal of a sandbox, shared by all of them.
pub type JournalBytes = Arc<AtomicUsize>;

#[derive(Debug)]
pub struct Journal {
    /// Each entry with its size as counted against `bytes_cap`.
    /// Boxed, so a slot is two words: a deque's spare capacity, which the budget does
    /// not count, stays small.
    entries: VecDeque<(usize, Box<Entry>)>,
    cap: usize,
    bytes_cap: usize,
    bytes: usize,
    next_id: u64,
    /// Entries evicted since the last clear, by any cap: entries, bytes, or the
    /// sandbox's budget.
    dropped: u64,
    /// The sandbox-wide count this journal's bytes are part of.
    total: JournalBytes,
    /// Readers waiting for entries; `push` wakes them only when there are some, so the
    /// request path pays nothing otherwise.
    waiting: usize,
    signal: Arc<tokio::sync::Notify>,
}

impl Journal {
    /// A journal counted on its own (for tests; the sandbox uses `shared`).
    pub fn new(cap: usize, bytes_cap: usize) -> Self {
        Self::shared(cap, bytes_cap, JournalBytes::default())
    }

    /// A journal whose bytes are also counted in `total`.
    pub fn shared(cap: usize, bytes_cap: usize, total: JournalBytes) -> Self {
        Self {
            entries: VecDeque::new(),
            cap,
            bytes_cap,
            bytes: 0,
            next_id: 1,
            dropped: 0,
            total,
            waiting: 0,
            signal: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Records `entry` and returns how many older entries the caps evicted for it.
    pub fn push(&mut self, mut entry: Entry) -> u64 {
        if self.cap == 0 {
            self.dropped += 1;
            return 1;
        }
        entry.id = self.next_id;
        self.next_id += 1;
        let size = entry.size();
        let mut evicted = 0;
        while !self.entries.is_empty()
            && (self.entries.len() >= self.cap || self.bytes + size > self.bytes_cap)
        {
            if self.evict_oldest().is_some() {
                evicted += 1;
            }
        }
        self.bytes += size;
        self.total.fetch_add(size, Ordering::Relaxed);
        self.entries.push_back((size, Box::new(entry)));
        if self.waiting > 0 {
            self.signal.notify_waiters();
        }
        evicted
    }

    /// Entries evicted by the caps since the last clear.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// What a waiting reader awaits (`Notify::notified`, enabled before it reads).
    pub fn signal(&self) -> Arc<tokio::sync::Notify> {
        self.signal.clone()
    }

    /// Numbers the next entries after `old`'s (a reset tenant's new journal).
    pub fn continue_ids(&mut self, old: &Journal) {
        self.next_id = self.next_id.max(old.next_id);
    }

    /// Readers waiting now; `Waiters` keeps the count.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Drops the oldest entry, counted in `dropped`; its size, or `None` when empty.
    pub fn evict_oldest(&mut self) -> Option<usize> {
        let (size, _) = self.entries.pop_front()?;
        // A journal the budget cut down gives its spare slots back.
        if self.entries.capacity() > 64 && self.entries.len() < self.entries.capacity() / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
        }
        self.bytes -= size;
        self.total.fetch_sub(size, Ordering::Relaxed);
        self.dropped += 1;
        Some(size)
    }

    /// Bytes the entries hold, as counted against `bytes_cap`.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The entries `filter` matches, newest first, at most `limit`, and how many match.
    pub fn select(&self, filter: &Filter, limit: usize) -> (usize, Vec<Entry>) {
        let mut matched = 0;
        let mut out = Vec::new();
        for (_, e) in self.entries.iter().rev() {
            if filter.since.is_some_and(|since| e.id <= since) {
                break;
            }
            if filter.matches(e) {
                matched += 1;
                if out.len() < limit {
                    out.push(Entry::clone(e));
                }
            }
        }
        (matched, out)
    }

    /// Newest first.
    pub fn list(&self, provider: Option<&str>, limit: usize) -> Vec<Entry> {
        let filter = Filter {
            provider: provider.map(str::to_string),
            ..Filter::default()
        };
        self.select(&filter, limit).1
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries = VecDeque::new();
        self.total.fetch_sub(self.bytes, Ordering::Relaxed);
        self.bytes = 0;
        self.dropped = 0;
    }

    /// The entries, oldest first, and the id the next one gets, for a snapshot.
    pub fn snapshot(&self) -> (Vec<Entry>, u64) {
        let entries = self.entries.iter().map(|(_, e)| Entry::clone(e)).collect();
        (entries, self.next_id)
    }

    /// A snapshot's entries back in under this journal's caps, keeping their ids; the
    /// next entry gets `next_id` (ids never repeat within a tenant).
    pub fn restore(&mut self, entries: Vec<Entry>, next_id: u64) {
        self.clear();
        for entry in entries {
            self.next_id = entry.id;
            self.push(entry);
        }
        self.next_id = self.next_id.max(next_id);
    }
}

/// Which entries a reader asks for; every field given must match.
#[derive(Debug, Default)]
pub struct Filter {
    pub provider: Option<String>,
    /// Compared without regard to case.
    pub method: Option<String>,
    /// Matched against the whole path, prefix included; `*` crosses `/`.
    pub path: Option<glob::Pattern>,
    pub status: Option<u16>,
    pub code: Option<String>,
    /// Only entries recorded after the entry of this id.
    pub since: Option<u64>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        self.provider.as_ref().is_none_or(|p| e.provider == *p)
            && self
                .method
                .as_ref()
                .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            && self.path.as_ref().is_none_or(|p| p.matches(&e.path))
            && self.status.is_none_or(|s| e.status == s)
            && self
                .code
                .as_ref()
                .is_none_or(|c| e.code.as_ref() == Some(c))
            && self.since.is_none_or(|since| e.id > since)
    }
}

/// The count of waiting readers, in all and per journal, held for as long as one
/// waits: over either cap a reader is refused rather than queued, so waiting requests
/// cannot exhaust the server.
#[derive(Debug)]
pub struct Waiters {
    all: std::sync::atomic::AtomicUsize,
    cap: usize,
    tenant_cap: usize,
}

/// Why a reader may not wait.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitRefused {
    Tenant(usize),
    All(usize),
}

impl Waiters {
    pub fn new(cap: usize, tenant_cap: usize) -> Self {
        Self {
            all: Default::default(),
            cap,
            tenant_cap,
        }
    }

    /// Counts a reader of `journal` in; `leave` must follow (see `admin::inspect`).
    pub fn enter(&self, journal: &mut Journal) -> Result<(), WaitRefused> {
        use std::sync::atomic::Ordering::SeqCst;
        if journal.waiting >= self.tenant_cap {
            return Err(WaitRefused::Tenant(self.tenant_cap));
        }
        let cap = self.cap;
        self.all
            .fetch_update(SeqCst, SeqCst, |n| (n < cap).then_some(n + 1))
            .map_err(|_| WaitRefused::All(cap))?;
        journal.waiting += 1;
        Ok(())
    }

    /// A reader admitted on `from` waits on `to` now (its tenant was replaced): counted
    /// in all once already, so never refused.
    pub fn moved(&self, from: &Mutex<Journal>, to: &Mutex<Journal>) {
        let mut from = from.lock();
        from.waiting = from.waiting.saturating_sub(1);
        drop(from);
        to.lock().waiting += 1;
    }

    pub fn leave(&self, journal: &mut Journal) {
        journal.waiting = journal.waiting.saturating_sub(1);
        self.all.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Journal {
    /// A dropped tenant's journal no longer counts against the sandbox's budget.
    fn drop(&mut self) {
        self.total.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Codes returned so far, per provider, by (code scope, code): the same number can mean
/// different things at different endpoints (UBKI's auth 1 is not its discount 1).
#[serde_as]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Coverage {
    #[serde_as(as = "BTreeMap<_, Vec<(_, _)>>")]
    seen: BTreeMap<String, BTreeMap<(String, String), u64>>,
}

impl Coverage {
    /// Bounded: only codes of the provider's table are ever recorded (see pipeline).
    /// A code seen before allocates nothing (the usual case: this runs on every request).
    pub fn record(&mut self, provider: &str, scope: &str, code: &str) {
        if !self.seen.contains_key(provider) {
            self.seen.insert(provider.to_string(), BTreeMap::new());
        }
        let Some(codes) = self.seen.get_mut(provider) else {
            return;
        };
        match codes.iter_mut().find(|((s, c), _)| s == scope && c == code) {
            Some((_, n)) => *n += 1,
            None => {
                codes.insert((scope.to_string(), code.to_string()), 1);
            }
        }
    }

    /// How often `code` was returned in `scope`; an empty scope counts every endpoint.
    pub fn count(&self, provider: &str, scope: &str, code: &str) -> u64 {
        self.seen
            .get(provider)
            .map(|m| {
                m.iter()
                    .filter(|((s, c), _)| c == code && (scope.is_empty() || s == scope))
                    .map(|(_, n)| n)
                    .sum()
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_counted_by_size_class() {
        assert_eq!(allocated(0), 0);
        assert_eq!(allocated(1), 16);
        assert_eq!(allocated(128), 128);
        assert_eq!(allocated(600), 640);
        assert_eq!(allocated(4097), 5120);
    }

    #[test]
    fn an_entry_counts_its_box_its_texts_and_its_bodies_as_allocated() {
        let bare = entry("/ubki/bonusservice/discount");
        let mut with_body = bare.clone();
        with_body.response_body = Body::new(&Bytes::from(vec![b'x'; 600]), 4096);
        assert!(bare.size() >= std::mem::size_of::<Entry>() + 32);
        // 600 bytes in a 640-byte class, and the 32-byte count `Bytes` adds once shared.
        assert_eq!(with_body.size() - bare.size(), 640 + 32);
    }

    #[test]
    fn a_cut_body_keeps_only_the_cap() {
        let body = Body::new(&Bytes::from(vec![b'x'; 10_000]), 100);
        assert_eq!(body.size(), 112 + 32);
    }

    fn entry(path: &str) -> Entry {
        Entry {
            id: 0,
            time: Utc::now(),
            provider: "ubki".into(),
            method: "POST".into(),
            path: path.into(),
            query: String::new(),
            request_headers: Headers::default(),
            request_body: Body::new(&Bytes::new(), 10),
            status: 200,
            response_body: Body::new(&Bytes::new(), 10),
            code: None,
            forced_by: None,
            latency_ms: 0.0,
        }
    }

    #[test]
    fn journal_keeps_the_newest_entries_up_to_its_cap() {
        let mut journal = Journal::new(3, usize::MAX);
        for i in 0..5 {
            journal.push(entry(&format!("/{i}")));
        }
        let paths: Vec<String> = journal.list(None, 10).into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/4", "/3", "/2"]);
    }

    #[test]
    fn journal_drops_the_oldest_entries_beyond_its_byte_budget() {
        let mut big = entry("/big");
        big.response_body = Body::new(&Bytes::from("x".repeat(10_000)), 20_000);
        let budget = big.size() * 2 + 10;
        let mut journal = Journal::new(100, budget);
        for _ in 0..5 {
            journal.push(big.clone());
        }
        journal.push(entry("/small"));

        assert_eq!(journal.len(), 2);
        assert!(journal.bytes() <= budget);
        assert_eq!(journal.list(None, 10)[0].path, "/small");
        assert_eq!(journal.dropped(), 4);
    }

    #[test]
    fn dropped_counts_evictions_until_the_journal_is_cleared() {
        let mut journal = Journal::new(2, usize::MAX);
        let evicted: u64 = (0..5).map(|i| journal.push(entry(&format!("/{i}")))).sum();
        assert_eq!((evicted, journal.dropped()), (3, 3));

        journal.clear();

        assert_eq!(journal.dropped(), 0);
    }

    #[test]
    fn a_filter_with_since_sees_only_later_entries() {
        let mut journal = Journal::new(10, usize::MAX);
        for path in ["/a", "/b", "/a", "/a"] {
            journal.push(entry(path));
        }
        let filter = Filter {
            path: glob::Pattern::new("/a").ok(),
            since: Some(2),
            ..Filter::default()
        };

        let (matched, entries) = journal.select(&filter, 1);

        assert_eq!(matched, 2);
        assert_eq!(entries[0].id, 4);
    }

    #[test]
    fn waiters_are_capped_per_journal_and_in_all() {
        let waiters = Waiters::new(3, 2);
        let (mut a, mut b) = (Journal::new(1, 1), Journal::new(1, 1));
        assert_eq!(waiters.enter(&mut a), Ok(()));
        assert_eq!(waiters.enter(&mut a), Ok(()));
        assert_eq!(waiters.enter(&mut a), Err(WaitRefused::Tenant(2)));
        assert_eq!(waiters.enter(&mut b), Ok(()));
        assert_eq!(waiters.enter(&mut b), Err(WaitRefused::All(3)));

        waiters.leave(&mut a);

        assert_eq!(waiters.enter(&mut b), Ok(()));
    }

    #[test]
    fn a_restored_journal_keeps_ids_and_bodies_and_its_caps() {
        let mut journal = Journal::new(100, usize::MAX);
        let mut json = entry("/json");
        json.response_body = Body::new(&Bytes::from_static(br#"{"a":1}"#), 100);
        journal.push(json);
        journal.push(entry("/empty"));
        let (entries, next_id) = journal.snapshot();
        let text = serde_json::to_string(&entries).unwrap();

        let mut small = Journal::new(1, usize::MAX);
        small.restore(serde_json::from_str(&text).unwrap(), next_id);
        small.push(entry("/next"));

        let kept = small.list(None, 10);
        assert_eq!(kept.len(), 1, "the cap holds");
        assert_eq!(kept[0].id, 3, "ids go on where they were");
        let mut back = Journal::new(100, usize::MAX);
        back.restore(serde_json::from_str(&text).unwrap(), next_id);
        let again = serde_json::to_string(&back.snapshot().0).unwrap();
        assert_eq!(again, text, "bodies read back answer the same");
    }

    #[test]
    fn long_bodies_are_cut() {
        let value = Body::new(&Bytes::from_static(&[b'a'; 100]), 10).value();
        let text = value.as_str().unwrap();
        assert!(text.starts_with("aaaaaaaaaa…[100 bytes"));
    }

    #[test]
    fn a_shared_count_follows_pushes_evictions_clears_and_drops() {
        let total = JournalBytes::default();
        let mut a = Journal::shared(2, usize::MAX, total.clone());
        let mut b = Journal::shared(2, usize::MAX, total.clone());
        for _ in 0..3 {
            a.push(entry("/a"));
        }
        b.push(entry("/b"));
        assert_eq!(total.load(Ordering::Relaxed), a.bytes() + b.bytes());
        assert_eq!(a.dropped(), 1, "the entry cap evicted one");

        a.clear();
        assert_eq!(total.load(Ordering::Relaxed), b.bytes());
        drop(b);
        assert_eq!(total.load(Ordering::Relaxed), 0);
    }
}
