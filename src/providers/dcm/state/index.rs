//! The list index of one counterparty: what the customers list scans, kept beside the
//! customers and updated with them. Text values become small numbers (`Symbols`), the
//! scanned fields dense rows (`Hot`), and the search keys a few large pages (`SearchKeys`),
//! so a scan of 100,000 customers reads about 10 MB front to back instead of chasing
//! strings.

use chrono::{DateTime, Utc};

use super::query::TEXT_FILTERS;
use super::store::{Customer, GrowingMap};
use crate::chunked::Chunked;

/// Between name and login in a search key: a needle without it cannot match across both.
pub const SEP: char = '\u{1}';

/// Lower-case name and login, for `search_string`.
fn search_key(c: &Customer) -> String {
    format!("{}{SEP}{}", c.name.to_lowercase(), c.login.to_lowercase())
}

/// `search_string`'s definition: a substring of the lower-case name or login.
pub fn search_hit(c: &Customer, needle: &str) -> bool {
    c.name.to_lowercase().contains(needle) || c.login.to_lowercase().contains(needle)
}

/// Text values of the filterable fields as small numbers, so the list compares numbers.
/// Counted: a value no customer holds any more is forgotten, so the table never holds
/// more than the customers' own values.
/// As big as the logins (one per customer), so it grows without stalls as the store's
/// maps do.
#[derive(Default)]
pub struct Symbols {
    pub(super) ids: GrowingMap<u32>,
    names: Chunked<String>,
    refs: Chunked<u32>,
    free: Vec<u32>,
}

impl Symbols {
    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    fn acquire(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            if let Some(r) = self.refs.get_mut(id as usize) {
                *r += 1;
            }
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.names.push(String::new());
                self.refs.push(0);
                (self.refs.len() - 1) as u32
            }
        };
        if let (Some(n), Some(r)) = (
            self.names.get_mut(id as usize),
            self.refs.get_mut(id as usize),
        ) {
            *n = s.to_string();
            *r = 1;
        }
        self.ids.insert(s.to_string(), id);
        id
    }

    fn release(&mut self, id: u32) {
        let (Some(r), Some(n)) = (
            self.refs.get_mut(id as usize),
            self.names.get_mut(id as usize),
        ) else {
            return;
        };
        *r = r.saturating_sub(1);
        if *r == 0 {
            self.ids.remove(n.as_str());
            n.clear();
            self.free.push(id);
        }
    }
}

/// Every customer's search key in a few large pages: a search reads them front to back
/// instead of following 100,000 pointers, and growth adds a page rather than copying
/// them all. Replaced keys leave garbage, compacted past one half.
#[derive(Default)]
pub struct SearchKeys {
    pages: Vec<String>,
    /// Page, offset and length of each customer's key.
    spans: Chunked<(u32, u32, u32)>,
    garbage: usize,
}

/// Bytes per page; the first page grows up to it like a `String`.
const PAGE: usize = 1 << 20;

impl SearchKeys {
    fn push(&mut self, key: &str) {
        let at = self.append(key);
        self.spans.push(at);
    }

    /// Where `key` now is: the last page, or a new one when it would pass `PAGE`.
    fn append(&mut self, key: &str) -> (u32, u32, u32) {
        let fits = self
            .pages
            .last()
            .is_some_and(|p| p.len() + key.len() <= PAGE.max(p.capacity()));
        if !fits {
            let capacity = if self.pages.is_empty() {
                0
            } else {
                PAGE.max(key.len())
            };
            self.pages.push(String::with_capacity(capacity));
        }
        let page = self.pages.len() - 1;
        let Some(last) = self.pages.last_mut() else {
            return (0, 0, 0);
        };
        let at = last.len();
        last.push_str(key);
        (page as u32, at as u32, key.len() as u32)
    }

    pub fn get(&self, i: usize) -> &str {
        self.spans
            .get(i)
            .and_then(|&(page, at, len)| {
                let (at, len) = (at as usize, len as usize);
                self.pages.get(page as usize)?.get(at..at + len)
            })
            .unwrap_or("")
    }

    /// Bytes the pages hold, garbage included.
    pub fn bytes(&self) -> usize {
        self.pages.iter().map(String::len).sum()
    }

    fn set(&mut self, i: usize, key: &str) {
        let Some(&(_, _, old)) = self.spans.get(i) else {
            return;
        };
        self.garbage += old as usize;
        let at = self.append(key);
        if let Some(span) = self.spans.get_mut(i) {
            *span = at;
        }
        if self.garbage > self.bytes() / 2 {
            let mut fresh = SearchKeys::default();
            for j in 0..self.spans.len() {
                fresh.push(self.get(j));
            }
            *self = fresh;
        }
    }
}

/// The first 8 bytes, big-endian: orders like the string itself unless they tie.
fn prefix(s: &str) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(s.bytes()) {
        *d = s;
    }
    u64::from_be_bytes(b)
}

/// What the list scans of one customer, apart from the customer itself.
#[derive(Debug, Clone, Copy)]
pub struct Hot {
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub balance: f64,
    pub kyc: i64,
    pub disabled: bool,
    /// Symbols of the text fields, in the order of `TEXT_FILTERS`.
    pub syms: [u32; STR_FIELDS],
    /// `prefix` of name, surname and login, for ordering by them.
    pub name: u64,
    pub surname: u64,
    pub login: u64,
}

/// Text fields the list filters on.
pub const STR_FIELDS: usize = 10;

impl Hot {
    fn of(c: &Customer, symbols: &mut Symbols) -> Self {
        Self {
            created: c.created_at,
            updated: c.updated_at,
            balance: c.balance_allowed,
            kyc: c.kyc_level,
            disabled: c.is_disabled,
            syms: TEXT_FILTERS.map(|(_, text)| symbols.acquire(text(c))),
            name: prefix(&c.name),
            surname: prefix(&c.surname),
            login: prefix(&c.login),
        }
    }
}

/// The index of a counterparty's customers, row `i` for customer `i`.
pub struct ListIndex {
    pub hot: Chunked<Hot>,
    pub search: SearchKeys,
    pub symbols: Symbols,
    /// Customers are in `created_at` order (the clock never went back): that order
    /// needs no sort.
    pub created_sorted: bool,
}

impl Default for ListIndex {
    fn default() -> Self {
        Self {
            hot: Chunked::default(),
            search: SearchKeys::default(),
            symbols: Symbols::default(),
            created_sorted: true,
        }
    }
}

impl ListIndex {
    /// Rows for a customer appended to the counterparty's customers.
    pub fn push(&mut self, c: &Customer) {
        if self
            .hot
            .last()
            .is_some_and(|last| last.created > c.created_at)
        {
            self.created_sorted = false;
        }
        self.hot.push(Hot::of(c, &mut self.symbols));
        self.search.push(&search_key(c));
    }

    /// Rows of customer `i` after it changed; the values it no longer holds are released.
    pub fn update(&mut self, i: usize, c: &Customer) {
        let (hot, search) = (Hot::of(c, &mut self.symbols), search_key(c));
        if let Some(h) = self.hot.get_mut(i) {
            let old = std::mem::replace(h, hot);
            for id in old.syms {
                self.symbols.release(id);
            }
        }
        self.search.set(i, &search);
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::tests::{cp, new};
    use super::*;

    #[test]
    fn search_keys_survive_compaction_and_symbols_are_released() {
        let mut cp = cp();
        let created = cp
            .create_customer(new("keep"), super::super::seed::scenario_epoch(), 1, "t")
            .unwrap();
        let mut c = cp.customer(&created.customer_guid).unwrap().clone();
        let mut index = ListIndex::default();
        index.push(&c);
        for i in 0..50 {
            c.segment = format!("seg{i}");
            c.name = format!("name{i}");
            index.update(0, &c);
        }
        assert_eq!(index.search.get(0), "name49\u{1}keep");
        assert!(
            index.search.bytes() < 200,
            "compacted: {}",
            index.search.bytes()
        );
        assert!(
            index.symbols.ids.len() <= 12,
            "old values forgotten: {}",
            index.symbols.ids.len()
        );
    }
}
