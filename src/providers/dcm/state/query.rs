//! List queries: the customers list's query string read into a `ListQuery`, and the
//! query run over a counterparty's `ListIndex`. The scan reads only the index rows; the
//! sort reads only the page it answers, which keeps 100,000 customers well under a
//! millisecond or two.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::ids::guid_field;
use super::index::{Hot, ListIndex, SEP, STR_FIELDS, Symbols, search_hit};
use super::store::Customer;
use crate::chunked::Chunked;
use crate::input::url_pairs;
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::bad;

/// Values one list filter may carry (`names=a&names=b...`); more is a 400. Repeats are
/// dropped before the scan.
const MAX_FILTER_VALUES: usize = 1000;

/// The customers list's filters; empty lists and `None` do not filter. The same struct
/// describes the query in the OpenAPI document, so a filter cannot be read here and
/// missing there (`names=a&names=b`, `names[]=a` or `names=a,b`).
#[derive(Debug, Clone, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// GUIDs.
    #[param(value_type = Option<Vec<String>>)]
    pub wallet_user_guids: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub logins: Vec<String>,
    #[param(value_type = Option<Vec<i64>>)]
    pub kyc_levels: Vec<i64>,
    pub is_disabled: Option<bool>,
    pub min_balance_allowed: Option<f64>,
    pub max_balance_allowed: Option<f64>,
    #[param(value_type = Option<Vec<String>>)]
    pub balance_asset_codes: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub balance_asset_issuers: Vec<String>,
    /// GUIDs.
    #[param(value_type = Option<Vec<String>>)]
    pub branch_guids: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub names: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub paternal_names: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub phone_numbers: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub segments: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub statuses: Vec<String>,
    #[param(value_type = Option<Vec<String>>)]
    pub surnames: Vec<String>,
    /// Part of the name or the login, case-insensitive (kept in lower case).
    pub search_string: Option<String>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub min_created_at: Option<DateTime<Utc>>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub max_created_at: Option<DateTime<Utc>>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub min_updated_at: Option<DateTime<Utc>>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub max_updated_at: Option<DateTime<Utc>>,
    #[param(required = false, minimum = 0)]
    pub offset: usize,
    /// 1 to the scenario's `dcm.list_max_limit` (1000 unless set); `list_default_limit`
    /// (50) when absent.
    #[param(required = false, minimum = 1)]
    pub limit: usize,
    /// A field, `-` first for descending.
    #[param(value_type = Option<String>, pattern = r"^-?(created_at|updated_at|name|surname|login|balance_allowed|kyc_level)$")]
    pub ordering: Ordering,
}

/// A text filter's values in a query, and the customer field it compares them with.
pub type TextFilter = (fn(&ListQuery) -> &[String], fn(&Customer) -> &str);

/// The text filters, in the order of `Hot::syms`.
pub const TEXT_FILTERS: [TextFilter; STR_FIELDS] = [
    (|q| &q.logins, |c| &c.login),
    (|q| &q.balance_asset_codes, |c| &c.balance_asset_code),
    (|q| &q.balance_asset_issuers, |c| &c.balance_asset_issuer),
    (
        |q| &q.branch_guids,
        |c| c.branch_guid.as_deref().unwrap_or(""),
    ),
    (|q| &q.names, |c| &c.name),
    (|q| &q.paternal_names, |c| &c.paternal_name),
    (|q| &q.phone_numbers, |c| &c.phone_number),
    (|q| &q.segments, |c| &c.segment),
    (|q| &q.statuses, |c| &c.status),
    (|q| &q.surnames, |c| &c.surname),
];

/// Orders of the customers list: a field, ascending or (`-field`) descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderField {
    #[default]
    CreatedAt,
    UpdatedAt,
    Name,
    Surname,
    Login,
    BalanceAllowed,
    KycLevel,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ordering {
    pub field: OrderField,
    pub desc: bool,
}

impl Ordering {
    const FIELDS: [(&'static str, OrderField); 7] = [
        ("created_at", OrderField::CreatedAt),
        ("updated_at", OrderField::UpdatedAt),
        ("name", OrderField::Name),
        ("surname", OrderField::Surname),
        ("login", OrderField::Login),
        ("balance_allowed", OrderField::BalanceAllowed),
        ("kyc_level", OrderField::KycLevel),
    ];

    pub fn parse(s: &str) -> Option<Self> {
        let (desc, name) = match s.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, s),
        };
        let (_, field) = Self::FIELDS.iter().find(|(n, _)| *n == name)?;
        Some(Self {
            field: *field,
            desc,
        })
    }

    /// `created_at, -created_at, updated_at, ...`: what `ordering` accepts.
    fn values() -> String {
        let both: Vec<String> = Self::FIELDS
            .iter()
            .map(|(n, _)| format!("{n}, -{n}"))
            .collect();
        both.join(", ")
    }
}

/// Query of the customers list: array filters repeat (`names=a&names=b`, also `names[]=`)
/// or list with commas (`names=a,b`); anything unknown or malformed is a 400.
pub fn parse_list_query(
    query: &str,
    default_limit: usize,
    max_limit: usize,
) -> Result<ListQuery, DcmError> {
    let mut q = ListQuery {
        limit: default_limit,
        ..Default::default()
    };
    for (key, value) in url_pairs(query.as_bytes()) {
        let k = key.strip_suffix("[]").unwrap_or(&key);
        q.read(k, &value, max_limit)?;
    }
    q.distinct()?;
    Ok(q)
}

/// The values of an array filter listed with commas.
fn items(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn time(k: &str, v: &str) -> Result<DateTime<Utc>, DcmError> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad(format!("{k}: `{v}` is not an RFC 3339 time")))
}

fn float(k: &str, v: &str) -> Result<f64, DcmError> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| bad(format!("{k}: `{v}` is not a number")))
}

fn uint(k: &str, v: &str) -> Result<usize, DcmError> {
    v.parse::<usize>()
        .map_err(|_| bad(format!("{k}: `{v}` is not a non-negative integer")))
}

fn boolean(k: &str, v: &str) -> Result<bool, DcmError> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        v => Err(bad(format!("{k}: `{v}` is not a boolean"))),
    }
}

/// At most `MAX_FILTER_VALUES` values sent for one filter, repeats dropped (first kept):
/// the scan holds the tenant's lock, so its work per customer must not grow with the query.
fn distinct<T: Eq + std::hash::Hash + Clone>(name: &str, v: &mut Vec<T>) -> Result<(), DcmError> {
    if v.len() > MAX_FILTER_VALUES {
        return Err(bad(format!(
            "{name}: at most {MAX_FILTER_VALUES} values per filter, {} sent",
            v.len()
        )));
    }
    let mut seen = HashSet::with_capacity(v.len());
    v.retain(|x| seen.insert(x.clone()));
    Ok(())
}

impl ListQuery {
    /// The filters that hold text values, by name.
    fn texts(&mut self, name: &str) -> Option<&mut Vec<String>> {
        Some(match name {
            "wallet_user_guids" => &mut self.wallet_user_guids,
            "logins" => &mut self.logins,
            "balance_asset_codes" => &mut self.balance_asset_codes,
            "balance_asset_issuers" => &mut self.balance_asset_issuers,
            "branch_guids" => &mut self.branch_guids,
            "names" => &mut self.names,
            "paternal_names" => &mut self.paternal_names,
            "phone_numbers" => &mut self.phone_numbers,
            "segments" => &mut self.segments,
            "statuses" => &mut self.statuses,
            "surnames" => &mut self.surnames,
            _ => return None,
        })
    }

    /// One `k=value` pair of the query string.
    fn read(&mut self, k: &str, value: &str, max_limit: usize) -> Result<(), DcmError> {
        if matches!(k, "wallet_user_guids" | "branch_guids") {
            let guids = items(value)
                .map(|g| guid_field(k, &g))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(list) = self.texts(k) {
                list.extend(guids);
            }
            return Ok(());
        }
        if let Some(list) = self.texts(k) {
            list.extend(items(value));
            return Ok(());
        }
        match k {
            "kyc_levels" => {
                for l in items(value) {
                    let level = l
                        .parse()
                        .map_err(|_| bad(format!("kyc_levels: `{l}` is not an integer")))?;
                    self.kyc_levels.push(level);
                }
            }
            "is_disabled" => self.is_disabled = Some(boolean(k, value)?),
            "min_balance_allowed" => self.min_balance_allowed = Some(float(k, value)?),
            "max_balance_allowed" => self.max_balance_allowed = Some(float(k, value)?),
            "search_string" => {
                self.search_string = Some(value.to_lowercase()).filter(|s| !s.is_empty())
            }
            "min_created_at" => self.min_created_at = Some(time(k, value)?),
            "max_created_at" => self.max_created_at = Some(time(k, value)?),
            "min_updated_at" => self.min_updated_at = Some(time(k, value)?),
            "max_updated_at" => self.max_updated_at = Some(time(k, value)?),
            "offset" => self.offset = uint(k, value)?,
            "limit" => self.limit = limit(value, max_limit)?,
            "ordering" => self.ordering = ordering(value)?,
            other => return Err(bad(format!("unknown query parameter `{other}`"))),
        }
        Ok(())
    }

    /// Every array filter through `distinct`, in the order its 400 is reported.
    fn distinct(&mut self) -> Result<(), DcmError> {
        for name in ARRAY_FILTERS {
            match self.texts(name) {
                Some(list) => distinct(name, list)?,
                None => distinct(name, &mut self.kyc_levels)?,
            }
        }
        Ok(())
    }
}

/// The filters that take several values: `kyc_levels` and the text ones.
const ARRAY_FILTERS: [&str; 12] = [
    "wallet_user_guids",
    "logins",
    "kyc_levels",
    "balance_asset_codes",
    "balance_asset_issuers",
    "branch_guids",
    "names",
    "paternal_names",
    "phone_numbers",
    "segments",
    "statuses",
    "surnames",
];

fn limit(value: &str, max_limit: usize) -> Result<usize, DcmError> {
    let l = uint("limit", value)?;
    if l == 0 || l > max_limit {
        return Err(bad(format!("limit: must be between 1 and {max_limit}")));
    }
    Ok(l)
}

fn ordering(value: &str) -> Result<Ordering, DcmError> {
    Ordering::parse(value).ok_or_else(|| {
        bad(format!(
            "ordering: `{value}` is not one of {}",
            Ordering::values()
        ))
    })
}

/// Symbols a text filter allows, as a bitset indexed by symbol id: one bit test per
/// customer however many values were sent.
struct SymSet(Vec<u64>);

impl SymSet {
    fn new(ids: impl Iterator<Item = u32>) -> Self {
        let mut bits = Vec::new();
        for id in ids {
            let (word, bit) = ((id / 64) as usize, id % 64);
            if bits.len() <= word {
                bits.resize(word + 1, 0u64);
            }
            if let Some(w) = bits.get_mut(word) {
                *w |= 1 << bit;
            }
        }
        Self(bits)
    }

    fn contains(&self, id: u32) -> bool {
        self.0
            .get((id / 64) as usize)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }
}

/// `kyc_levels` without repeats: a short list is scanned (faster than hashing), a long one
/// hashed, so a check stays O(1) per customer.
enum LevelSet {
    Few(Vec<i64>),
    Many(HashSet<i64>),
}

impl LevelSet {
    const FEW: usize = 8;

    fn new(levels: &[i64]) -> Self {
        let set: HashSet<i64> = levels.iter().copied().collect();
        if set.len() <= Self::FEW {
            Self::Few(set.into_iter().collect())
        } else {
            Self::Many(set)
        }
    }

    fn contains(&self, l: i64) -> bool {
        match self {
            Self::Few(v) => v.contains(&l),
            Self::Many(s) => s.contains(&l),
        }
    }
}

/// A query's filters as `Hot` checks: text filters become the symbols they name.
struct Compiled<'a> {
    /// `None`: no filter on that field; `Some`: the symbols allowed (a value no customer
    /// holds has none, so an empty set matches nobody).
    syms: [Option<SymSet>; STR_FIELDS],
    kyc: Option<LevelSet>,
    /// Some filter reads `Hot` at all (else the scan skips it).
    active: bool,
    q: &'a ListQuery,
}

impl<'a> Compiled<'a> {
    fn new(q: &'a ListQuery, symbols: &Symbols) -> Self {
        let syms = TEXT_FILTERS.map(|(filter, _)| {
            let v = filter(q);
            (!v.is_empty()).then(|| SymSet::new(v.iter().filter_map(|s| symbols.get(s))))
        });
        let kyc = (!q.kyc_levels.is_empty()).then(|| LevelSet::new(&q.kyc_levels));
        let active = syms.iter().any(Option::is_some)
            || kyc.is_some()
            || q.is_disabled.is_some()
            || q.min_balance_allowed.is_some()
            || q.max_balance_allowed.is_some()
            || q.min_created_at.is_some()
            || q.max_created_at.is_some()
            || q.min_updated_at.is_some()
            || q.max_updated_at.is_some();
        Self {
            syms,
            kyc,
            active,
            q,
        }
    }

    fn hot_ok(&self, h: &Hot) -> bool {
        let q = self.q;
        q.is_disabled.is_none_or(|d| h.disabled == d)
            && q.min_balance_allowed.is_none_or(|m| h.balance >= m)
            && q.max_balance_allowed.is_none_or(|m| h.balance <= m)
            && q.min_created_at.is_none_or(|m| h.created >= m)
            && q.max_created_at.is_none_or(|m| h.created <= m)
            && q.min_updated_at.is_none_or(|m| h.updated >= m)
            && q.max_updated_at.is_none_or(|m| h.updated <= m)
            && self.kyc.as_ref().is_none_or(|k| k.contains(h.kyc))
            && self
                .syms
                .iter()
                .zip(h.syms.iter())
                .all(|(want, got)| want.as_ref().is_none_or(|w| w.contains(*got)))
    }
}

/// A counterparty's customers and their index, as a query reads them.
pub struct Table<'a> {
    pub customers: &'a Chunked<Customer>,
    pub index: &'a ListIndex,
}

impl Table<'_> {
    /// Rows of the page `q` asks for, in its order, and how many rows match in all.
    /// `named`: the rows the GUID or login filters name, found through the store's maps.
    pub fn run(&self, q: &ListQuery, named: Option<Vec<usize>>) -> (Vec<usize>, usize) {
        if let Some(page) = self.unfiltered_page(q, named.is_some()) {
            return page;
        }
        let hits = self.matching(q, named);
        let total = hits.len();
        if q.offset >= total {
            return (Vec::new(), total);
        }
        (self.page(q, hits), total)
    }

    /// The page of a list without filters in creation order, counted rather than
    /// scanned: a million customers answer as fast as twenty.
    fn unfiltered_page(&self, q: &ListQuery, named: bool) -> Option<(Vec<usize>, usize)> {
        let plain = !named
            && q.ordering.field == OrderField::CreatedAt
            && self.index.created_sorted
            && q.search_string.as_deref().is_none_or(str::is_empty)
            && !Compiled::new(q, &self.index.symbols).active;
        if !plain {
            return None;
        }
        let total = self.customers.len();
        let rows = q.offset.min(total)..q.offset.saturating_add(q.limit).min(total);
        let page = if q.ordering.desc {
            rows.map(|k| total - 1 - k).collect()
        } else {
            rows.collect()
        };
        Some((page, total))
    }

    /// Rows that pass every filter, in creation order.
    fn matching(&self, q: &ListQuery, named: Option<Vec<usize>>) -> Vec<usize> {
        let f = Compiled::new(q, &self.index.symbols);
        let needle = q.search_string.as_deref().filter(|s| !s.is_empty());
        // A needle holding the separator would match across name and login (`\u{1}`
        // alone matched everyone): that rare needle reads the customer itself.
        let spans = needle.is_some_and(|n| n.contains(SEP));
        let pass = |i: usize| -> bool {
            (!f.active || self.index.hot.get(i).is_some_and(|h| f.hot_ok(h)))
                && needle.is_none_or(|n| {
                    if spans {
                        self.customers.get(i).is_some_and(|c| search_hit(c, n))
                    } else {
                        self.index.search.get(i).contains(n)
                    }
                })
        };
        match named {
            Some(mut v) => {
                v.sort_unstable();
                v.dedup();
                v.retain(|&i| pass(i));
                v
            }
            None => (0..self.customers.len()).filter(|&i| pass(i)).collect(),
        }
    }

    /// The page of `hits`, sorting only what the page needs.
    fn page(&self, q: &ListQuery, mut hits: Vec<usize>) -> Vec<usize> {
        if q.ordering.field == OrderField::CreatedAt && self.index.created_sorted {
            // Already in order: `-created_at` is the exact reverse.
            if q.ordering.desc {
                hits.reverse();
            }
            return hits.into_iter().skip(q.offset).take(q.limit).collect();
        }
        // `-field` is the exact reverse of `field`, ties (in creation order) included.
        let cmp = |a: &usize, b: &usize| {
            let o = self.order(q.ordering.field, *a, *b).then(a.cmp(b));
            if q.ordering.desc { o.reverse() } else { o }
        };
        let end = q.offset.saturating_add(q.limit);
        if end < hits.len() {
            hits.select_nth_unstable_by(end, cmp);
            hits.truncate(end);
        }
        hits.sort_unstable_by(cmp);
        hits.into_iter().skip(q.offset).collect()
    }

    fn order(&self, field: OrderField, a: usize, b: usize) -> std::cmp::Ordering {
        let (Some(x), Some(y)) = (self.index.hot.get(a), self.index.hot.get(b)) else {
            return std::cmp::Ordering::Equal;
        };
        let text = |px: u64, py: u64, f: fn(&Customer) -> &str| {
            px.cmp(&py)
                .then_with(|| match (self.customers.get(a), self.customers.get(b)) {
                    (Some(ca), Some(cb)) => f(ca).cmp(f(cb)),
                    _ => std::cmp::Ordering::Equal,
                })
        };
        match field {
            OrderField::CreatedAt => x.created.cmp(&y.created),
            OrderField::UpdatedAt => x.updated.cmp(&y.updated),
            OrderField::BalanceAllowed => x.balance.total_cmp(&y.balance),
            OrderField::KycLevel => x.kyc.cmp(&y.kyc),
            OrderField::Name => text(x.name, y.name, |c| &c.name),
            OrderField::Surname => text(x.surname, y.surname, |c| &c.surname),
            OrderField::Login => text(x.login, y.login, |c| &c.login),
        }
    }
}

#[cfg(test)]
fn any_of(list: &[String], v: &str) -> bool {
    list.is_empty() || list.iter().any(|x| x == v)
}

#[cfg(test)]
impl ListQuery {
    /// Every filter but `search_string`, on the customer itself: the plain definition the
    /// list's symbol-based scan must agree with (see the tests).
    pub fn matches_fields(&self, c: &Customer) -> bool {
        self.is_disabled.is_none_or(|d| c.is_disabled == d)
            && self
                .min_balance_allowed
                .is_none_or(|m| c.balance_allowed >= m)
            && self
                .max_balance_allowed
                .is_none_or(|m| c.balance_allowed <= m)
            && self.min_created_at.is_none_or(|m| c.created_at >= m)
            && self.max_created_at.is_none_or(|m| c.created_at <= m)
            && self.min_updated_at.is_none_or(|m| c.updated_at >= m)
            && self.max_updated_at.is_none_or(|m| c.updated_at <= m)
            && (self.kyc_levels.is_empty() || self.kyc_levels.contains(&c.kyc_level))
            && any_of(&self.wallet_user_guids, &c.guid)
            && any_of(&self.logins, &c.login)
            && any_of(&self.balance_asset_codes, &c.balance_asset_code)
            && any_of(&self.balance_asset_issuers, &c.balance_asset_issuer)
            && (self.branch_guids.is_empty()
                || c.branch_guid
                    .as_ref()
                    .is_some_and(|b| self.branch_guids.contains(b)))
            && any_of(&self.names, &c.name)
            && any_of(&self.paternal_names, &c.paternal_name)
            && any_of(&self.phone_numbers, &c.phone_number)
            && any_of(&self.segments, &c.segment)
            && any_of(&self.statuses, &c.status)
            && any_of(&self.surnames, &c.surname)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::super::seed::scenario_epoch;
    use super::super::store::tests::{cp, new};
    use super::super::store::{Counterparty, CustomerUpdate};
    use super::*;

    #[test]
    fn list_orders_pages_and_counts_before_paging() {
        let mut cp = cp();
        let now = scenario_epoch();
        for (i, name) in ["c", "a", "b", "a"].iter().enumerate() {
            let mut n = new(&format!("l{i}"));
            n.name = (*name).into();
            n.balance_allowed = i as f64;
            cp.create_customer(n, now, 1, "t").unwrap();
        }
        let q = ListQuery {
            limit: 2,
            offset: 1,
            ordering: Ordering::parse("name").unwrap(),
            ..Default::default()
        };
        let (page, total) = cp.list(&q);
        assert_eq!(total, 4);
        let logins: Vec<&str> = page.iter().map(|c| c.login.as_str()).collect();
        assert_eq!(logins, ["l3", "l2"]);
        let q = ListQuery {
            limit: 10,
            min_balance_allowed: Some(1.0),
            search_string: Some("a".into()),
            ordering: Ordering::parse("-balance_allowed").unwrap(),
            ..Default::default()
        };
        let (page, total) = cp.list(&q);
        assert_eq!(total, 2);
        assert_eq!(page.first().map(|c| c.login.as_str()), Some("l3"));
    }

    #[test]
    fn fast_list_agrees_with_the_plain_definition() {
        let mut cp = cp();
        let t0 = scenario_epoch();
        for i in 0..300i64 {
            let mut n = new(&format!("user{i}@x"));
            n.name = format!("N{}", i % 7);
            n.surname = format!("S{}", i % 5);
            n.segment = ["PL", "PI", ""][(i % 3) as usize].into();
            n.kyc_level = i % 4;
            n.is_disabled = i % 6 == 0;
            n.balance_allowed = (i % 50) as f64;
            // The clock goes back once: the created_at shortcut must switch off.
            let at = if i == 150 {
                t0
            } else {
                t0 + Duration::seconds(i % 40)
            };
            cp.create_customer(n, at, 1, "t").unwrap();
        }
        let guid = cp.customers().get(7).unwrap().guid.clone();
        let upd = CustomerUpdate {
            segment: Some("PI".into()),
            name: Some("Renamed".into()),
            ..Default::default()
        };
        cp.update_customer(&guid, upd, t0 + Duration::seconds(99))
            .unwrap();
        let queries = [
            "segments=PL&ordering=-name&limit=20",
            "kyc_levels=1,3&is_disabled=false&ordering=balance_allowed&offset=5&limit=30",
            "search_string=user1&ordering=-created_at&limit=100",
            "search_string=renamed",
            "names=N3,N4&surnames=S1&ordering=surname",
            "min_balance_allowed=10&max_balance_allowed=20&ordering=-kyc_level&limit=7&offset=3",
            "segments=nobody",
            "ordering=created_at&limit=1000",
            "ordering=-updated_at&limit=1000",
            // Repeats, and more levels than the short-list path holds.
            "kyc_levels=1,1,1&names=N3,N3,N4&segments=PL,PL",
            "kyc_levels=0,2,5,6,7,8,9,10,11,12,13,3,2&ordering=name",
            // The search key's separator matches only what name or login holds.
            "search_string=%01",
            "search_string=n3%01user",
        ];
        assert_lists_agree(&cp, &queries);
    }

    #[test]
    fn unfiltered_pages_in_creation_order_agree_with_the_plain_definition() {
        let mut cp = cp();
        let t0 = scenario_epoch();
        for i in 0..300i64 {
            let at = t0 + Duration::seconds(i / 3);
            cp.create_customer(new(&format!("u{i}@x")), at, 1, "t")
                .unwrap();
        }
        let queries = [
            "limit=20",
            "ordering=created_at&offset=290&limit=20",
            "ordering=-created_at&offset=3&limit=5",
            "ordering=-created_at&offset=299",
            "offset=300",
            "offset=5000&ordering=-created_at",
            "search_string=&ordering=created_at&offset=7&limit=3",
        ];
        assert_lists_agree(&cp, &queries);
    }

    /// Each query's page and total from `list` equal the plain definition's.
    fn assert_lists_agree(cp: &Counterparty, queries: &[&str]) {
        for &query in queries {
            let q = parse_list_query(query, 50, 1000).unwrap();
            let (page, total) = cp.list(&q);
            let mut plain: Vec<(usize, &Customer)> = cp
                .customers()
                .iter()
                .enumerate()
                .filter(|(_, c)| q.matches_fields(c))
                .filter(|(_, c)| {
                    q.search_string.as_ref().is_none_or(|s| {
                        c.name.to_lowercase().contains(s.as_str())
                            || c.login.to_lowercase().contains(s.as_str())
                    })
                })
                .collect();
            plain.sort_by(|(ia, a), (ib, b)| {
                let o = match q.ordering.field {
                    OrderField::CreatedAt => a.created_at.cmp(&b.created_at),
                    OrderField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
                    OrderField::Name => a.name.cmp(&b.name),
                    OrderField::Surname => a.surname.cmp(&b.surname),
                    OrderField::Login => a.login.cmp(&b.login),
                    OrderField::BalanceAllowed => a.balance_allowed.total_cmp(&b.balance_allowed),
                    OrderField::KycLevel => a.kyc_level.cmp(&b.kyc_level),
                }
                .then(ia.cmp(ib));
                if q.ordering.desc { o.reverse() } else { o }
            });
            assert_eq!(total, plain.len(), "{query}");
            let want: Vec<&str> = plain
                .iter()
                .skip(q.offset)
                .take(q.limit)
                .map(|(_, c)| c.guid.as_str())
                .collect();
            let got: Vec<&str> = page.iter().map(|c| c.guid.as_str()).collect();
            assert_eq!(got, want, "{query}");
        }
    }
}
