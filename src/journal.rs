//! The request journal and code coverage of one tenant. Both are bounded: the journal
//! keeps the newest `cap` entries, bodies cut to `body_cap` bytes, `bytes_cap` in all.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: u64,
    /// Virtual time of the request.
    pub time: DateTime<Utc>,
    pub provider: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub request_headers: BTreeMap<String, String>,
    pub request_body: serde_json::Value,
    pub status: u16,
    pub response_body: serde_json::Value,
    /// The provider code the answer carried, if any.
    pub code: Option<String>,
    /// `force` (X-Sandbox-Force), `rule:<name>`, or absent for the provider's own answer.
    pub forced_by: Option<String>,
    pub latency_ms: f64,
}

impl Entry {
    /// Roughly the heap bytes the entry holds: its texts and bodies.
    fn size(&self) -> usize {
        let headers: usize = self
            .request_headers
            .iter()
            .map(|(k, v)| k.len() + v.len() + 48)
            .sum();
        256 + self.path.len()
            + self.query.len()
            + headers
            + value_size(&self.request_body)
            + value_size(&self.response_body)
    }
}

fn value_size(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::String(s) => s.len() + 24,
        Value::Array(items) => 24 + items.iter().map(value_size).sum::<usize>(),
        Value::Object(map) => {
            24 + map
                .iter()
                .map(|(k, v)| k.len() + 48 + value_size(v))
                .sum::<usize>()
        }
        _ => 16,
    }
}

#[derive(Debug)]
pub struct Journal {
    /// Each entry with its size as counted against `bytes_cap`.
    entries: VecDeque<(usize, Entry)>,
    cap: usize,
    bytes_cap: usize,
    bytes: usize,
    next_id: u64,
}

impl Journal {
    pub fn new(cap: usize, bytes_cap: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(cap.min(64)),
            cap,
            bytes_cap,
            bytes: 0,
            next_id: 1,
        }
    }

    pub fn push(&mut self, mut entry: Entry) {
        if self.cap == 0 {
            return;
        }
        entry.id = self.next_id;
        self.next_id += 1;
        let size = entry.size();
        while !self.entries.is_empty()
            && (self.entries.len() >= self.cap || self.bytes + size > self.bytes_cap)
        {
            if let Some((dropped, _)) = self.entries.pop_front() {
                self.bytes -= dropped;
            }
        }
        self.bytes += size;
        self.entries.push_back((size, entry));
    }

    /// Bytes the entries hold, as counted against `bytes_cap`.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Newest first.
    pub fn list(&self, provider: Option<&str>, limit: usize) -> Vec<Entry> {
        self.entries
            .iter()
            .rev()
            .map(|(_, e)| e)
            .filter(|e| provider.is_none_or(|p| e.provider == p))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// A body for the journal: JSON as JSON, anything else as (lossy) text, cut to `cap` bytes.
pub fn body_value(bytes: &[u8], cap: usize) -> serde_json::Value {
    if bytes.is_empty() {
        return serde_json::Value::Null;
    }
    if bytes.len() <= cap
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
    {
        return value;
    }
    let cut = &bytes[..bytes.len().min(cap)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > cap {
        text.push_str(&format!("…[{} bytes, cut at {cap}]", bytes.len()));
    }
    serde_json::Value::String(text)
}

/// Codes returned so far, per provider, by (code scope, code): the same number can mean
/// different things at different endpoints (UBKI's auth 1 is not its discount 1).
#[derive(Debug, Default)]
pub struct Coverage {
    seen: BTreeMap<String, BTreeMap<(String, String), u64>>,
}

impl Coverage {
    /// Bounded: only codes of the provider's table are ever recorded (see pipeline).
    pub fn record(&mut self, provider: &str, scope: &str, code: &str) {
        *self
            .seen
            .entry(provider.to_string())
            .or_default()
            .entry((scope.to_string(), code.to_string()))
            .or_default() += 1;
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

    fn entry(path: &str) -> Entry {
        Entry {
            id: 0,
            time: Utc::now(),
            provider: "ubki".into(),
            method: "POST".into(),
            path: path.into(),
            query: String::new(),
            request_headers: BTreeMap::new(),
            request_body: serde_json::Value::Null,
            status: 200,
            response_body: serde_json::Value::Null,
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
        big.response_body = serde_json::Value::String("x".repeat(10_000));
        let budget = big.size() * 2 + 10;
        let mut journal = Journal::new(100, budget);
        for _ in 0..5 {
            journal.push(big.clone());
        }
        journal.push(entry("/small"));

        assert_eq!(journal.len(), 2);
        assert!(journal.bytes() <= budget);
        assert_eq!(journal.list(None, 10)[0].path, "/small");
    }

    #[test]
    fn long_bodies_are_cut() {
        let value = body_value(&[b'a'; 100], 10);
        let text = value.as_str().unwrap();
        assert!(text.starts_with("aaaaaaaaaa…[100 bytes"));
    }
}
