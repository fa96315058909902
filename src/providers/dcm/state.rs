//! DCM's state in one tenant: a small in-memory database. Per counterparty, customers
//! live in a `Vec` in creation order (never removed, so an index stays valid) with hash
//! indexes by GUID, login and IBAN; the list endpoint scans the `Vec` once and sorts only
//! the page it answers, which keeps 100,000 customers well under a millisecond or two.

use crate::input::{Guid, Iban};
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use jsonwebtoken::jwk::Jwk;
use serde_json::{Value, json};

use super::codes::DcmError;
use super::errors::bad;
use super::scenario::{CounterpartySpec, DcmScenario};
use crate::rng;
use crate::scenario::People;
use crate::state::bounded::make_room;

/// Customers per counterparty at most (a scenario may set less); a create beyond it is
/// answered 400.
pub const MAX_CUSTOMERS: usize = 200_000;
/// Accounts per customer; beyond it 400.
pub const MAX_ACCOUNTS_PER_CUSTOMER: usize = 100;
/// Accounts per counterparty, all customers together (a scenario may set less); beyond
/// it 400. Without it the two caps above multiply to 20 million accounts.
pub const MAX_ACCOUNTS: usize = 400_000;
/// Registered keys per counterparty; beyond it 400.
pub const MAX_JWKS: usize = 100;
/// Bytes of one registered JWK as sent (an RSA-4096 public key is under 1 KB); beyond it
/// 400, so 100 keys cannot hold 100 MiB of padding.
pub const MAX_JWK_BYTES: usize = 16 * 1024;
/// Open login flows per tenant; expired ones go first, then the oldest.
pub const MAX_FLOWS: usize = 10_000;
/// Sessions from logins per tenant; expired ones go first, then the oldest.
pub const MAX_SESSIONS: usize = 10_000;
/// Values one list filter may carry (`names=a&names=b...`); more is a 400. Repeats are
/// dropped before the scan.
pub const MAX_FILTER_VALUES: usize = 1000;
/// Longest text field accepted.
pub const MAX_TEXT: usize = 255;

pub const DEFAULT_ACCOUNT_TYPE: &str = "5e3f4309-c152-48b3-8091-046708694f90";
pub const DEFAULT_BANK_CODE: &str = "322001";

/// `2023-07-14T11:31:14.137931Z`, as the document shows.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A UUID in the lower-case hyphenated form used as a key (see `Guid`).
pub fn parse_uuid(s: &str) -> Result<String, String> {
    Guid::parse(s).map(Guid::into_string)
}

pub fn iban_valid(iban: &str) -> bool {
    Iban::valid(iban)
}

pub fn make_iban(country: &str, bban: &str) -> String {
    Iban::make(country, bban)
}

/// Spaces dropped, upper case; `Err` when the checksum or shape is wrong.
pub fn normalize_iban(raw: &str) -> Result<String, DcmError> {
    Iban::parse(raw)
        .map(Iban::into_string)
        .ok_or_else(|| bad(format!("invalid IBAN: {raw}")))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub code: String,
    pub name: String,
    pub stellar_code: String,
    pub stellar_issuer: String,
    pub minor_unit: u32,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub guid: String,
    pub iban: String,
    /// Index into the counterparty's assets.
    pub asset: usize,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub guid: String,
    pub login: String,
    pub kyc_level: i64,
    pub is_disabled: bool,
    pub balance_allowed: f64,
    pub balance_asset_code: String,
    pub balance_asset_issuer: String,
    pub branch_guid: Option<String>,
    pub name: String,
    pub paternal_name: String,
    pub phone_number: String,
    pub segment: String,
    pub status: String,
    pub surname: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub accounts: Vec<Account>,
}

/// Between name and login in a search key: a needle without it cannot match across both.
const SEP: char = '\u{1}';

/// Lower-case name and login, for `search_string`.
fn search_key(c: &Customer) -> String {
    format!("{}{SEP}{}", c.name.to_lowercase(), c.login.to_lowercase())
}

/// `search_string`'s definition: a substring of the lower-case name or login.
fn search_hit(c: &Customer, needle: &str) -> bool {
    c.name.to_lowercase().contains(needle) || c.login.to_lowercase().contains(needle)
}

/// Text values of the filterable fields as small numbers, so the list compares numbers.
/// Counted: a value no customer holds any more is forgotten, so the table never holds
/// more than the customers' own values.
#[derive(Default)]
struct Symbols {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    refs: Vec<u32>,
    free: Vec<u32>,
}

impl Symbols {
    fn get(&self, s: &str) -> Option<u32> {
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

/// Every customer's search key in one buffer: a search reads it front to back instead of
/// following 100,000 pointers. Replaced keys leave garbage, compacted past one half.
#[derive(Default)]
struct SearchKeys {
    buf: String,
    spans: Vec<(usize, usize)>,
    garbage: usize,
}

impl SearchKeys {
    fn push(&mut self, key: &str) {
        self.spans.push((self.buf.len(), key.len()));
        self.buf.push_str(key);
    }

    fn get(&self, i: usize) -> &str {
        self.spans
            .get(i)
            .and_then(|&(at, len)| self.buf.get(at..at + len))
            .unwrap_or("")
    }

    fn set(&mut self, i: usize, key: &str) {
        let Some(&(_, old)) = self.spans.get(i) else {
            return;
        };
        self.garbage += old;
        let at = self.buf.len();
        self.buf.push_str(key);
        if let Some(span) = self.spans.get_mut(i) {
            *span = (at, key.len());
        }
        if self.garbage > self.buf.len() / 2 {
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

/// What the list scans, kept apart from the customer so a scan of 100,000 reads about
/// 10 MB of dense rows instead of chasing every customer's strings.
#[derive(Debug, Clone, Copy)]
struct Hot {
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    balance: f64,
    kyc: i64,
    disabled: bool,
    /// Symbols of login, balance asset code and issuer, branch, name, paternal name,
    /// phone, segment, status, surname (the order of `Compiled::syms`).
    syms: [u32; STR_FIELDS],
    name: u64,
    surname: u64,
    login: u64,
}

const STR_FIELDS: usize = 10;

impl Hot {
    fn of(c: &Customer, symbols: &mut Symbols) -> Self {
        let texts = [
            c.login.as_str(),
            &c.balance_asset_code,
            &c.balance_asset_issuer,
            c.branch_guid.as_deref().unwrap_or(""),
            &c.name,
            &c.paternal_name,
            &c.phone_number,
            &c.segment,
            &c.status,
            &c.surname,
        ];
        Self {
            created: c.created_at,
            updated: c.updated_at,
            balance: c.balance_allowed,
            kyc: c.kyc_level,
            disabled: c.is_disabled,
            syms: texts.map(|t| symbols.acquire(t)),
            name: prefix(&c.name),
            surname: prefix(&c.surname),
            login: prefix(&c.login),
        }
    }
}

/// What a create asks for, already checked for shape.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub guid: Option<String>,
    pub asset_code: String,
    pub asset_issuer: String,
    pub iban: Option<String>,
    pub login: String,
    pub kyc_level: i64,
    pub is_disabled: bool,
    pub balance_allowed: f64,
    pub balance_asset_code: Option<String>,
    pub balance_asset_issuer: Option<String>,
    pub branch_guid: Option<String>,
    pub name: String,
    pub paternal_name: String,
    pub phone_number: String,
    pub segment: String,
    pub status: Option<String>,
    pub surname: String,
}

/// Fields a `PUT` sent; `branch_guid: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CustomerUpdate {
    pub balance_allowed: Option<f64>,
    pub balance_asset_code: Option<String>,
    pub balance_asset_issuer: Option<String>,
    pub branch_guid: Option<Option<String>>,
    pub is_disabled: Option<bool>,
    pub kyc_level: Option<i64>,
    pub name: Option<String>,
    pub paternal_name: Option<String>,
    pub phone_number: Option<String>,
    pub segment: Option<String>,
    pub status: Option<String>,
    pub surname: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RegisteredJwk {
    pub guid: String,
    pub jwk: Jwk,
    pub raw: Value,
    pub created_at: DateTime<Utc>,
}

pub struct Counterparty {
    pub guid: String,
    pub name: String,
    pub assets: Vec<Asset>,
    pub account_type: String,
    pub bank_code: String,
    /// Customers this counterparty may hold (≤ `MAX_CUSTOMERS`).
    pub max_customers: usize,
    /// Accounts this counterparty may hold (≤ `MAX_ACCOUNTS`).
    pub max_accounts: usize,
    pub branches: BTreeMap<String, String>,
    customers: Vec<Customer>,
    /// Parallel to `customers`.
    hot: Vec<Hot>,
    search: SearchKeys,
    symbols: Symbols,
    /// Customers are in `created_at` order (the clock never went back): that order
    /// needs no sort.
    created_sorted: bool,
    by_guid: HashMap<String, usize>,
    by_login: HashMap<String, usize>,
    /// IBAN → customer index; one entry per account, so its length counts them.
    ibans: HashMap<String, usize>,
    pub jwks: Vec<RegisteredJwk>,
    /// Entities generated so far: the key of the next generated GUID or IBAN.
    issued: u64,
}

/// What `POST .../customers` answers from.
#[derive(Debug, Clone)]
pub struct Created {
    pub customer_guid: String,
    pub account: Account,
    pub asset: Asset,
}

impl Counterparty {
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    pub fn customer(&self, guid: &str) -> Option<&Customer> {
        self.by_guid.get(guid).and_then(|&i| self.customers.get(i))
    }

    /// The asset named by its code or stellar code and issued by `issuer`.
    pub fn asset(&self, code: &str, issuer: &str) -> Option<usize> {
        self.assets
            .iter()
            .position(|a| (a.code == code || a.stellar_code == code) && a.stellar_issuer == issuer)
    }

    pub fn branch_name(&self, guid: Option<&str>) -> String {
        guid.and_then(|g| self.branches.get(g))
            .cloned()
            .unwrap_or_default()
    }

    fn next_key(&mut self) -> String {
        self.issued += 1;
        self.issued.to_string()
    }

    fn new_guid(&mut self, seed: u64, tenant: &str, kind: &str) -> String {
        loop {
            let key = self.next_key();
            let guid = rng::uuid(&mut rng::rng_for(
                seed,
                &["dcm", kind, tenant, &self.guid, &key],
            ))
            .hyphenated()
            .to_string();
            if !self.by_guid.contains_key(&guid) {
                return guid;
            }
        }
    }

    /// A fresh UA IBAN: `UA`, check digits, the bank code, 19 digits (29 characters).
    fn new_iban(&mut self, seed: u64, tenant: &str) -> String {
        loop {
            let key = self.next_key();
            let mut r = rng::rng_for(seed, &["dcm", "iban", tenant, &self.guid, &key]);
            let iban = make_iban(
                "UA",
                &format!("{}{}", self.bank_code, rng::digits(&mut r, 19)),
            );
            if !self.ibans.contains_key(&iban) {
                return iban;
            }
        }
    }

    /// 400 when the counterparty holds its maximum of accounts.
    fn room_for_account(&self) -> Result<(), DcmError> {
        let max = self.max_accounts.min(MAX_ACCOUNTS);
        if self.ibans.len() >= max {
            return Err(bad(format!(
                "failed to create account: counterparty holds the sandbox maximum of {max} accounts"
            )));
        }
        Ok(())
    }

    /// Checks everything, then inserts the customer and its first account, or nothing.
    pub fn create_customer(
        &mut self,
        new: NewCustomer,
        now: DateTime<Utc>,
        seed: u64,
        tenant: &str,
    ) -> Result<Created, DcmError> {
        let asset = self
            .asset(&new.asset_code, &new.asset_issuer)
            .ok_or_else(|| {
                bad(format!(
                    "asset {} issued by {} not found for counterparty {}",
                    new.asset_code, new.asset_issuer, self.guid
                ))
            })?;
        if !new.login.is_empty() && self.by_login.contains_key(&new.login) {
            return Err(bad(format!(
                "failed to create wallet user: wallet service answered 409 Conflict: login {} already exists",
                new.login
            )));
        }
        if let Some(g) = &new.guid
            && self.by_guid.contains_key(g)
        {
            return Err(guid_conflict(g));
        }
        if let Some(iban) = &new.iban
            && self.ibans.contains_key(iban)
        {
            return Err(bad(format!(
                "failed to create account: IBAN {iban} is already in use"
            )));
        }
        if self.customers.len() >= self.max_customers.min(MAX_CUSTOMERS) {
            return Err(bad(format!(
                "failed to create wallet user: counterparty holds the sandbox maximum of {} customers",
                self.max_customers.min(MAX_CUSTOMERS)
            )));
        }
        self.room_for_account()?;
        let a = self
            .assets
            .get(asset)
            .cloned()
            .ok_or_else(|| bad("asset vanished"))?;
        // Every check is above: generating bumps `issued`, which a refusal must not.
        let guid = match new.guid {
            Some(g) => g,
            None => self.new_guid(seed, tenant, "customer"),
        };
        let iban = match new.iban {
            Some(i) => i,
            None => self.new_iban(seed, tenant),
        };
        let account_guid = self.new_guid(seed, tenant, "account");
        let account = Account {
            guid: account_guid,
            iban: iban.clone(),
            asset,
        };
        let customer = Customer {
            guid: guid.clone(),
            login: new.login,
            kyc_level: new.kyc_level,
            is_disabled: new.is_disabled,
            balance_allowed: new.balance_allowed,
            balance_asset_code: new.balance_asset_code.unwrap_or_else(|| a.code.clone()),
            balance_asset_issuer: new
                .balance_asset_issuer
                .unwrap_or_else(|| a.stellar_issuer.clone()),
            branch_guid: new.branch_guid,
            name: new.name,
            paternal_name: new.paternal_name,
            phone_number: new.phone_number,
            segment: new.segment,
            status: new.status.unwrap_or_else(|| "active".into()),
            surname: new.surname,
            created_at: now,
            updated_at: now,
            accounts: vec![account.clone()],
        };
        let index = self.customers.len();
        if !customer.login.is_empty() {
            self.by_login.insert(customer.login.clone(), index);
        }
        self.by_guid.insert(guid.clone(), index);
        self.ibans.insert(iban, index);
        if self
            .customers
            .last()
            .is_some_and(|last| last.created_at > customer.created_at)
        {
            self.created_sorted = false;
        }
        self.hot.push(Hot::of(&customer, &mut self.symbols));
        self.search.push(&search_key(&customer));
        self.customers.push(customer);
        Ok(Created {
            customer_guid: guid,
            account,
            asset: a,
        })
    }

    /// Opens another account for the customer in its first account's asset.
    pub fn create_account(
        &mut self,
        customer_guid: &str,
        iban: Option<String>,
        one_per_asset: bool,
        seed: u64,
        tenant: &str,
    ) -> Result<Account, DcmError> {
        let index = *self
            .by_guid
            .get(customer_guid)
            .ok_or_else(|| DcmError::NotFound(format!("customer {customer_guid} not found")))?;
        let customer = self
            .customers
            .get(index)
            .ok_or_else(|| bad("customer vanished"))?;
        let asset = customer.accounts.first().map(|a| a.asset).unwrap_or(0);
        if one_per_asset && customer.accounts.iter().any(|a| a.asset == asset) {
            let code = self
                .assets
                .get(asset)
                .map(|a| a.code.as_str())
                .unwrap_or("");
            return Err(bad(format!(
                "failed to create account: customer already has an account in {code}"
            )));
        }
        if customer.accounts.len() >= MAX_ACCOUNTS_PER_CUSTOMER {
            return Err(bad(format!(
                "failed to create account: a customer holds at most {MAX_ACCOUNTS_PER_CUSTOMER} accounts in the sandbox"
            )));
        }
        if let Some(i) = &iban
            && self.ibans.contains_key(i)
        {
            return Err(bad(format!(
                "failed to create account: IBAN {i} is already in use"
            )));
        }
        self.room_for_account()?;
        let iban = match iban {
            Some(i) => i,
            None => self.new_iban(seed, tenant),
        };
        let guid = self.new_guid(seed, tenant, "account");
        let account = Account {
            guid,
            iban: iban.clone(),
            asset,
        };
        let customer = self
            .customers
            .get_mut(index)
            .ok_or_else(|| bad("customer vanished"))?;
        customer.accounts.push(account.clone());
        self.ibans.insert(iban, index);
        Ok(account)
    }

    pub fn update_customer(
        &mut self,
        customer_guid: &str,
        update: CustomerUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), DcmError> {
        let index = *self
            .by_guid
            .get(customer_guid)
            .ok_or_else(|| DcmError::NotFound(format!("customer {customer_guid} not found")))?;
        let c = self
            .customers
            .get_mut(index)
            .ok_or_else(|| bad("customer vanished"))?;
        let set = |field: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *field = v;
            }
        };
        if let Some(v) = update.balance_allowed {
            c.balance_allowed = v;
        }
        set(&mut c.balance_asset_code, update.balance_asset_code);
        set(&mut c.balance_asset_issuer, update.balance_asset_issuer);
        if let Some(b) = update.branch_guid {
            c.branch_guid = b;
        }
        if let Some(v) = update.is_disabled {
            c.is_disabled = v;
        }
        if let Some(v) = update.kyc_level {
            c.kyc_level = v;
        }
        set(&mut c.name, update.name);
        set(&mut c.paternal_name, update.paternal_name);
        set(&mut c.phone_number, update.phone_number);
        set(&mut c.segment, update.segment);
        set(&mut c.status, update.status);
        set(&mut c.surname, update.surname);
        c.updated_at = now;
        let (hot, search) = (Hot::of(c, &mut self.symbols), search_key(c));
        if let Some(h) = self.hot.get_mut(index) {
            let old = std::mem::replace(h, hot);
            for id in old.syms {
                self.symbols.release(id);
            }
        }
        self.search.set(index, &search);
        Ok(())
    }

    /// Page of the customers matching `q` in its order, and how many match in all.
    pub fn list(&self, q: &ListQuery) -> (Vec<&Customer>, usize) {
        let f = Compiled::new(q, &self.symbols);
        let needle = q.search_string.as_deref().filter(|s| !s.is_empty());
        // A needle holding the separator would match across name and login (`\u{1}`
        // alone matched everyone): that rare needle reads the customer itself.
        let spans = needle.is_some_and(|n| n.contains(SEP));
        let pass = |i: usize| -> bool {
            (!f.active || self.hot.get(i).is_some_and(|h| f.hot_ok(h)))
                && needle.is_none_or(|n| {
                    if spans {
                        self.customers.get(i).is_some_and(|c| search_hit(c, n))
                    } else {
                        self.search.get(i).contains(n)
                    }
                })
        };
        // The GUID and login filters name customers directly: use the indexes.
        let mut hits: Vec<usize> = if !q.wallet_user_guids.is_empty() || !q.logins.is_empty() {
            let mut v: Vec<usize> = if q.wallet_user_guids.is_empty() {
                q.logins
                    .iter()
                    .filter_map(|l| self.by_login.get(l).copied())
                    .collect()
            } else {
                q.wallet_user_guids
                    .iter()
                    .filter_map(|g| self.by_guid.get(g).copied())
                    .collect()
            };
            v.sort_unstable();
            v.dedup();
            v.retain(|&i| pass(i));
            v
        } else {
            (0..self.customers.len()).filter(|&i| pass(i)).collect()
        };
        let total = hits.len();
        if q.offset >= total {
            return (Vec::new(), total);
        }
        let end = q.offset.saturating_add(q.limit);
        if q.ordering.field == OrderField::CreatedAt && self.created_sorted {
            // Already in order: `-created_at` is the exact reverse.
            if q.ordering.desc {
                hits.reverse();
            }
            let page = hits
                .into_iter()
                .skip(q.offset)
                .take(q.limit)
                .filter_map(|i| self.customers.get(i))
                .collect();
            return (page, total);
        }
        // `-field` is the exact reverse of `field`, ties (in creation order) included.
        let cmp = |a: &usize, b: &usize| {
            let o = self.order(q.ordering.field, *a, *b).then(a.cmp(b));
            if q.ordering.desc { o.reverse() } else { o }
        };
        if end < total {
            hits.select_nth_unstable_by(end, cmp);
            hits.truncate(end);
        }
        hits.sort_unstable_by(cmp);
        let page = hits
            .into_iter()
            .skip(q.offset)
            .filter_map(|i| self.customers.get(i))
            .collect();
        (page, total)
    }

    fn order(&self, field: OrderField, a: usize, b: usize) -> std::cmp::Ordering {
        let (Some(x), Some(y)) = (self.hot.get(a), self.hot.get(b)) else {
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
    Many(std::collections::HashSet<i64>),
}

impl LevelSet {
    const FEW: usize = 8;

    fn new(levels: &[i64]) -> Self {
        let set: std::collections::HashSet<i64> = levels.iter().copied().collect();
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
struct Compiled {
    /// `None`: no filter on that field; `Some`: the symbols allowed (a value no customer
    /// holds has none, so an empty set matches nobody).
    syms: [Option<SymSet>; STR_FIELDS],
    kyc: Option<LevelSet>,
    /// Some filter reads `Hot` at all (else the scan skips it).
    active: bool,
    q: ListQuery,
}

impl Compiled {
    fn new(q: &ListQuery, symbols: &Symbols) -> Self {
        let f = |v: &[String]| {
            (!v.is_empty()).then(|| SymSet::new(v.iter().filter_map(|s| symbols.get(s))))
        };
        let syms = [
            f(&q.logins),
            f(&q.balance_asset_codes),
            f(&q.balance_asset_issuers),
            f(&q.branch_guids),
            f(&q.names),
            f(&q.paternal_names),
            f(&q.phone_numbers),
            f(&q.segments),
            f(&q.statuses),
            f(&q.surnames),
        ];
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
            q: q.clone(),
        }
    }

    fn hot_ok(&self, h: &Hot) -> bool {
        let q = &self.q;
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
    pub const VALUES: &'static [&'static str] = &[
        "created_at",
        "-created_at",
        "updated_at",
        "-updated_at",
        "name",
        "-name",
        "surname",
        "-surname",
        "login",
        "-login",
        "balance_allowed",
        "-balance_allowed",
        "kyc_level",
        "-kyc_level",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        let (desc, name) = match s.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, s),
        };
        let field = match name {
            "created_at" => OrderField::CreatedAt,
            "updated_at" => OrderField::UpdatedAt,
            "name" => OrderField::Name,
            "surname" => OrderField::Surname,
            "login" => OrderField::Login,
            "balance_allowed" => OrderField::BalanceAllowed,
            "kyc_level" => OrderField::KycLevel,
            _ => return None,
        };
        Some(Self { field, desc })
    }
}

/// The customers list's filters; empty lists and `None` do not filter.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub wallet_user_guids: Vec<String>,
    pub logins: Vec<String>,
    pub kyc_levels: Vec<i64>,
    pub is_disabled: Option<bool>,
    pub min_balance_allowed: Option<f64>,
    pub max_balance_allowed: Option<f64>,
    pub balance_asset_codes: Vec<String>,
    pub balance_asset_issuers: Vec<String>,
    pub branch_guids: Vec<String>,
    pub names: Vec<String>,
    pub paternal_names: Vec<String>,
    pub phone_numbers: Vec<String>,
    pub segments: Vec<String>,
    pub statuses: Vec<String>,
    pub surnames: Vec<String>,
    /// Lower case.
    pub search_string: Option<String>,
    pub min_created_at: Option<DateTime<Utc>>,
    pub max_created_at: Option<DateTime<Utc>>,
    pub min_updated_at: Option<DateTime<Utc>>,
    pub max_updated_at: Option<DateTime<Utc>>,
    pub offset: usize,
    pub limit: usize,
    pub ordering: Ordering,
}

fn any_of(list: &[String], v: &str) -> bool {
    list.is_empty() || list.iter().any(|x| x == v)
}

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

#[derive(Debug, Clone)]
pub struct Flow {
    pub id: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub token: String,
    pub identifier: String,
    pub counterparty_guid: String,
    pub issued_at: DateTime<Utc>,
    /// `None`: a scenario token that never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Session {
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

pub struct DcmState {
    tenant: String,
    seed: u64,
    issued: u64,
    pub counterparties: BTreeMap<String, Counterparty>,
    pub flows: HashMap<String, Flow>,
    /// Sessions from logins (bounded, evicted).
    pub sessions: HashMap<String, Session>,
    /// Scenario tokens (never evicted; revocable through the admin API).
    pub preset: HashMap<String, Session>,
}

fn guid_conflict(g: &str) -> DcmError {
    bad(format!(
        "failed to create wallet user: wallet service answered 409 Conflict: wallet user {g} already exists"
    ))
}

/// `now + d`, or the provider's 400 when it falls outside chrono's range (the scenario's
/// bounds keep it inside; this keeps a request from ever panicking on it).
pub fn later(now: DateTime<Utc>, d: Duration, what: &str) -> Result<DateTime<Utc>, DcmError> {
    now.checked_add_signed(d).ok_or_else(|| {
        bad(format!(
            "the {what} would expire past the end of the calendar"
        ))
    })
}

/// When scenario customers were created, unless they say.
pub fn scenario_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl Counterparty {
    /// An empty store for one counterparty of the scenario (customers come later).
    pub fn from_spec(guid: String, spec: &CounterpartySpec, scenario: &DcmScenario) -> Self {
        Counterparty {
            guid,
            name: spec.name.clone(),
            assets: spec
                .assets
                .iter()
                .map(|a| Asset {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    stellar_code: a.stellar_code.clone(),
                    stellar_issuer: a.stellar_issuer.clone(),
                    minor_unit: a.minor_unit,
                })
                .collect(),
            account_type: spec
                .account_type
                .clone()
                .unwrap_or_else(|| DEFAULT_ACCOUNT_TYPE.into()),
            bank_code: spec
                .iban_bank_code
                .clone()
                .unwrap_or_else(|| DEFAULT_BANK_CODE.into()),
            branches: spec
                .branches
                .iter()
                .filter_map(|b| parse_uuid(&b.guid).ok().map(|g| (g, b.name.clone())))
                .collect(),
            customers: Vec::new(),
            hot: Vec::new(),
            search: SearchKeys::default(),
            symbols: Symbols::default(),
            created_sorted: true,
            by_guid: HashMap::new(),
            by_login: HashMap::new(),
            ibans: HashMap::new(),
            jwks: Vec::new(),
            issued: 0,
            max_customers: scenario
                .max_customers
                .unwrap_or(MAX_CUSTOMERS)
                .min(MAX_CUSTOMERS),
            max_accounts: scenario
                .max_accounts
                .unwrap_or(MAX_ACCOUNTS)
                .min(MAX_ACCOUNTS),
        }
    }
}

impl DcmState {
    /// The tenant's database as the scenario describes it. The scenario was validated,
    /// so entries that would not fit are skipped rather than failing here.
    pub fn new(scenario: &DcmScenario, people: &People, seed: u64, tenant: &str) -> Self {
        let mut counterparties = BTreeMap::new();
        for spec in &scenario.counterparties {
            let Ok(guid) = parse_uuid(&spec.guid) else {
                continue;
            };
            let cp = Counterparty::from_spec(guid.clone(), spec, scenario);
            counterparties.insert(guid, cp);
        }
        let preset = scenario
            .session_tokens
            .iter()
            .filter_map(|t| {
                let emp = scenario
                    .employees
                    .iter()
                    .find(|e| e.identifier == t.identifier)?;
                let session = Session {
                    id: t.token.clone(),
                    token: t.token.clone(),
                    identifier: t.identifier.clone(),
                    counterparty_guid: parse_uuid(&emp.counterparty_guid).ok()?,
                    issued_at: scenario_epoch(),
                    expires_at: t.expires_at,
                };
                Some((t.token.clone(), session))
            })
            .collect();
        let mut state = Self {
            tenant: tenant.to_string(),
            seed,
            issued: 0,
            counterparties,
            flows: HashMap::new(),
            sessions: HashMap::new(),
            preset,
        };
        for spec in &scenario.customers {
            let _ = state.seed_customer(spec, people, seed);
        }
        state
    }

    /// A scenario customer: its values are the same in every tenant (no tenant in keys).
    fn seed_customer(
        &mut self,
        spec: &super::scenario::CustomerSpec,
        people: &People,
        seed: u64,
    ) -> Result<(), DcmError> {
        let cg = parse_uuid(&spec.counterparty_guid).map_err(bad)?;
        if let Ok(g) = parse_uuid(&spec.guid)
            && self.guid_taken(&g)
        {
            return Err(guid_conflict(&g));
        }
        let cp = self
            .counterparties
            .get_mut(&cg)
            .ok_or_else(|| bad("no counterparty"))?;
        let person = spec.person.as_deref().and_then(|p| people.by_id(p));
        let pick = |own: &Option<String>, from: Option<&String>| {
            own.clone().or_else(|| from.cloned()).unwrap_or_default()
        };
        let asset = match &spec.asset_code {
            Some(code) => cp
                .assets
                .iter()
                .position(|a| &a.code == code || &a.stellar_code == code)
                .ok_or_else(|| bad("no asset"))?,
            None => 0,
        };
        let a = cp
            .assets
            .get(asset)
            .cloned()
            .ok_or_else(|| bad("no asset"))?;
        let mut accounts = spec.accounts.clone();
        if accounts.is_empty() {
            accounts.push(Default::default());
        }
        let first = accounts.remove(0);
        let new = NewCustomer {
            guid: parse_uuid(&spec.guid).ok(),
            asset_code: a.code.clone(),
            asset_issuer: a.stellar_issuer.clone(),
            iban: normalize_iban(&first.iban).ok(),
            login: pick(&spec.login, person.map(|p| &p.email)),
            kyc_level: spec.kyc_level,
            is_disabled: spec.is_disabled,
            balance_allowed: spec.balance_allowed,
            balance_asset_code: None,
            balance_asset_issuer: None,
            branch_guid: spec.branch_guid.as_deref().and_then(|b| parse_uuid(b).ok()),
            name: pick(&spec.name, person.map(|p| &p.first_name)),
            paternal_name: pick(&spec.paternal_name, person.map(|p| &p.middle_name)),
            phone_number: pick(&spec.phone_number, person.map(|p| &p.phone)),
            segment: spec.segment.clone(),
            status: spec.status.clone(),
            surname: pick(&spec.surname, person.map(|p| &p.last_name)),
        };
        let at = spec.created_at.unwrap_or_else(scenario_epoch);
        let created = cp.create_customer(new, at, seed, "scenario")?;
        if let Ok(g) = parse_uuid(&first.guid) {
            cp.set_account_guid(&created.customer_guid, &created.account.guid, g);
        }
        for acc in accounts {
            let made = cp.create_account(
                &created.customer_guid,
                normalize_iban(&acc.iban).ok(),
                false,
                seed,
                "scenario",
            )?;
            if let Ok(g) = parse_uuid(&acc.guid) {
                cp.set_account_guid(&created.customer_guid, &made.guid, g);
            }
        }
        Ok(())
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// A customer GUID is the wallet user's, unique in the whole tenant, not only in
    /// its counterparty.
    fn guid_taken(&self, guid: &str) -> bool {
        self.counterparties
            .values()
            .any(|c| c.by_guid.contains_key(guid))
    }

    /// A create in `cg`, refused (409 in a 400) when a sent GUID is any counterparty's.
    pub fn create_customer(
        &mut self,
        cg: &str,
        new: NewCustomer,
        now: DateTime<Utc>,
    ) -> Result<Created, DcmError> {
        if let Some(g) = &new.guid
            && self.guid_taken(g)
        {
            return Err(guid_conflict(g));
        }
        let (seed, tenant) = (self.seed, self.tenant.clone());
        self.counterparties
            .get_mut(cg)
            .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?
            .create_customer(new, now, seed, &tenant)
    }

    pub fn counterparty(&self, guid: &str) -> Option<&Counterparty> {
        self.counterparties.get(guid)
    }
    pub fn counterparty_mut(&mut self, guid: &str) -> Option<&mut Counterparty> {
        self.counterparties.get_mut(guid)
    }

    /// `Err` when `now + lifetime` leaves chrono's range (nothing changes then).
    pub fn new_flow(&mut self, now: DateTime<Utc>, lifetime: Duration) -> Result<Flow, DcmError> {
        let expires_at = later(now, lifetime, "login flow")?;
        make_room(
            &mut self.flows,
            MAX_FLOWS,
            |f| f.expires_at > now,
            |f| Some((f.issued_at, f.id.clone())),
        );
        self.issued += 1;
        let mut r = rng::rng_for(
            self.seed,
            &["dcm", "flow", &self.tenant, &self.issued.to_string()],
        );
        let id = rng::uuid(&mut r).hyphenated().to_string();
        let flow = Flow {
            id: id.clone(),
            issued_at: now,
            expires_at,
        };
        self.flows.insert(id, flow.clone());
        Ok(flow)
    }

    /// Consumes the flow: `Err(true)` expired, `Err(false)` unknown.
    pub fn take_flow(&mut self, id: &str, now: DateTime<Utc>) -> Result<Flow, bool> {
        let flow = self.flows.get(id).cloned().ok_or(false)?;
        if now >= flow.expires_at {
            self.flows.remove(id);
            return Err(true);
        }
        Ok(flow)
    }

    pub fn finish_flow(&mut self, id: &str) {
        self.flows.remove(id);
    }

    pub fn issue_session(
        &mut self,
        identifier: &str,
        counterparty_guid: &str,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<Session, DcmError> {
        let expires_at = later(now, lifetime, "session")?;
        make_room(
            &mut self.sessions,
            MAX_SESSIONS,
            |s| s.valid_at(now),
            |s| Some((s.issued_at, s.token.clone())),
        );
        self.issued += 1;
        let n = self.issued.to_string();
        let mut r = rng::rng_for(self.seed, &["dcm", "session", &self.tenant, &n]);
        let token = format!("ory_st_{}", rng::alnum(&mut r, 32));
        let id = rng::uuid(&mut r).hyphenated().to_string();
        let session = Session {
            id,
            token: token.clone(),
            identifier: identifier.to_string(),
            counterparty_guid: counterparty_guid.to_string(),
            issued_at: now,
            expires_at: Some(expires_at),
        };
        self.sessions.insert(token, session.clone());
        Ok(session)
    }

    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Option<&Session> {
        self.sessions
            .get(token)
            .or_else(|| self.preset.get(token))
            .filter(|s| s.valid_at(now))
    }

    pub fn revoke(&mut self, token: &str) -> bool {
        self.sessions.remove(token).is_some() | self.preset.remove(token).is_some()
    }

    pub fn register_jwk(
        &mut self,
        cg: &str,
        jwk: Jwk,
        raw: Value,
        now: DateTime<Utc>,
    ) -> Result<String, DcmError> {
        let full = self
            .counterparties
            .get(cg)
            .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?
            .jwks
            .len()
            >= MAX_JWKS;
        if full {
            return Err(bad(format!(
                "a counterparty holds at most {MAX_JWKS} keys in the sandbox"
            )));
        }
        // Only after the checks: a refused key must not shift the ids issued after it.
        self.issued += 1;
        let n = self.issued.to_string();
        let guid = rng::uuid(&mut rng::rng_for(
            self.seed,
            &["dcm", "jwk", &self.tenant, &n],
        ))
        .hyphenated()
        .to_string();
        let cp = self
            .counterparties
            .get_mut(cg)
            .ok_or_else(|| DcmError::NotFound(format!("counterparty {cg} not found")))?;
        cp.jwks.push(RegisteredJwk {
            guid: guid.clone(),
            jwk,
            raw,
            created_at: now,
        });
        Ok(guid)
    }

    pub fn view(&self, now: DateTime<Utc>) -> Value {
        let cps: serde_json::Map<String, Value> = self
            .counterparties
            .values()
            .map(|cp| {
                let accounts: usize = cp.customers.iter().map(|c| c.accounts.len()).sum();
                let last: Vec<Value> = cp
                    .customers
                    .iter()
                    .rev()
                    .take(20)
                    .map(|c| {
                        json!({
                            "guid": c.guid, "login": c.login, "name": c.name,
                            "updated_at": fmt_time(c.updated_at),
                            "accounts": c.accounts.iter().map(|a| json!({"guid": a.guid, "iban": a.iban})).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                let v = json!({
                    "customers_total": cp.customers.len(),
                    "accounts_total": accounts,
                    "jwks": cp.jwks.iter().map(|j| j.guid.clone()).collect::<Vec<_>>(),
                    "last_customers": last,
                });
                (cp.guid.clone(), v)
            })
            .collect();
        json!({
            "counterparties": cps,
            "open_flows": self.flows.values().filter(|f| f.expires_at > now).count(),
            "sessions": self.sessions.values().filter(|s| s.valid_at(now)).count(),
            "preset_tokens": self.preset.keys().collect::<Vec<_>>(),
        })
    }
}

impl Counterparty {
    /// Gives a scenario account the GUID the scenario names.
    fn set_account_guid(&mut self, customer: &str, old: &str, new: String) {
        if let Some(c) = self
            .by_guid
            .get(customer)
            .and_then(|&i| self.customers.get_mut(i))
            && let Some(a) = c.accounts.iter_mut().find(|a| a.guid == old)
        {
            a.guid = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::scenario::AssetSpec;
    use super::*;

    fn cp() -> Counterparty {
        let spec = CounterpartySpec {
            guid: "11111111-1111-4111-8111-111111111111".into(),
            assets: vec![AssetSpec {
                code: "UAH".into(),
                name: "Ukraine Hryvnia".into(),
                stellar_code: "eUAH".into(),
                stellar_issuer: "GISSUER".into(),
                minor_unit: 2,
            }],
            ..Default::default()
        };
        Counterparty::from_spec(spec.guid.clone(), &spec, &DcmScenario::default())
    }

    fn new(login: &str) -> NewCustomer {
        NewCustomer {
            asset_code: "eUAH".into(),
            asset_issuer: "GISSUER".into(),
            login: login.into(),
            ..Default::default()
        }
    }

    #[test]
    fn ibans_from_the_wild_validate_and_generated_ones_too() {
        assert!(iban_valid("LT966008050860332937"));
        // The document's second example fails its own checksum.
        assert!(!iban_valid("AZ21DGOK50994005088730349858"));
        assert!(iban_valid("UA843220010000026001000000001"));
        assert!(!iban_valid("UA843220010000026001000000002"));
        let generated = make_iban("UA", "3220010000026007233566001");
        assert_eq!(generated.len(), 29);
        assert!(iban_valid(&generated));
    }

    #[test]
    fn uuid_errors_read_like_go() {
        assert_eq!(parse_uuid(""), Err("invalid UUID length: 0".into()));
        assert_eq!(
            parse_uuid("zzzzzzzz-1111-4111-8111-111111111111"),
            Err("invalid UUID format".into())
        );
        assert_eq!(
            parse_uuid("11111111-1111-4111-8111-11111111111A").as_deref(),
            Ok("11111111-1111-4111-8111-11111111111a")
        );
    }

    #[test]
    fn login_is_unique_and_a_refused_create_changes_nothing() {
        let mut cp = cp();
        let now = scenario_epoch();
        cp.create_customer(new("a@x"), now, 1, "t").unwrap();
        let err = cp.create_customer(new("a@x"), now, 1, "t").unwrap_err();
        assert!(matches!(err, DcmError::BadRequest(m) if m.contains("409")));
        assert_eq!(cp.customers().len(), 1);
        assert_eq!(cp.ibans.len(), 1);
    }

    #[test]
    fn iban_is_unique_per_counterparty() {
        let mut cp = cp();
        let now = scenario_epoch();
        let a = cp.create_customer(new("a"), now, 1, "t").unwrap();
        let err = cp
            .create_account(
                &a.customer_guid,
                Some(a.account.iban.clone()),
                false,
                1,
                "t",
            )
            .unwrap_err();
        assert!(matches!(err, DcmError::BadRequest(_)));
        let b = cp
            .create_account(&a.customer_guid, None, false, 1, "t")
            .unwrap();
        assert_ne!(b.iban, a.account.iban);
        assert!(iban_valid(&b.iban));
        assert!(
            cp.create_account(&a.customer_guid, None, true, 1, "t")
                .is_err()
        );
    }

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
        let guid = cp.customers()[7].guid.clone();
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
        for query in queries {
            let q = crate::providers::dcm::parse_list_query(query, 50, 1000).unwrap();
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

    #[test]
    fn search_keys_survive_compaction_and_symbols_are_released() {
        let mut cp = cp();
        let now = scenario_epoch();
        let a = cp.create_customer(new("keep"), now, 1, "t").unwrap();
        for i in 0..50 {
            let upd = CustomerUpdate {
                segment: Some(format!("seg{i}")),
                name: Some(format!("name{i}")),
                ..Default::default()
            };
            cp.update_customer(&a.customer_guid, upd, now).unwrap();
        }
        assert_eq!(cp.search.get(0), "name49\u{1}keep");
        assert!(
            cp.search.buf.len() < 200,
            "compacted: {}",
            cp.search.buf.len()
        );
        assert!(
            cp.symbols.ids.len() <= 12,
            "old values forgotten: {}",
            cp.symbols.ids.len()
        );
    }
}
