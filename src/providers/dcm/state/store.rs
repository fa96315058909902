//! The customer and account store of one counterparty: customers in creation order
//! (never removed, so an index stays valid; in chunks, so growth copies nothing), maps by
//! GUID, login and IBAN, and the list index kept beside them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::auth::RegisteredJwk;
use super::ids::{generated_guid, generated_iban, parse_uuid};
use super::index::ListIndex;
use super::query::{ListQuery, Table};
use crate::chunked::Chunked;
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::{bad, no_customer};
use crate::providers::dcm::scenario::{CounterpartySpec, DcmScenario};
use crate::state::bounded::fits;

/// Customers per counterparty unless the scenario says (`max_customers`); a create
/// beyond it is answered 400.
pub const DEFAULT_CUSTOMERS: usize = 200_000;
/// The most `max_customers` may be: a million-customer counterparty takes about 1 GB.
pub const MAX_CUSTOMERS: usize = 2_000_000;
/// Accounts per customer; beyond it 400.
const MAX_ACCOUNTS_PER_CUSTOMER: usize = 100;
/// Accounts per counterparty, all customers together, unless the scenario says
/// (`max_accounts`); beyond it 400. Without it the customer caps multiply to 20 million
/// accounts.
pub const DEFAULT_ACCOUNTS: usize = 400_000;
/// The most `max_accounts` may be.
pub const MAX_ACCOUNTS: usize = 4_000_000;

/// The store's maps grow by moving a few entries on each insert (griddle): a
/// `HashMap` doubles by rehashing every entry while the tenant's requests wait on its
/// lock, 140-500 ms at 900,000 customers and 20 ms at 115,000 (benches/dcm_million.sh);
/// a B-tree costs a fifth of the creation rate. foldhash rather than SipHash, whose
/// hashing was 3 % of a creation; lookups are by equality only.
pub type GrowingMap<V> = griddle::HashMap<String, V, foldhash::fast::RandomState>;
type Map = GrowingMap<usize>;

const DEFAULT_ACCOUNT_TYPE: &str = "5e3f4309-c152-48b3-8091-046708694f90";
const DEFAULT_BANK_CODE: &str = "322001";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub code: String,
    pub name: String,
    pub stellar_code: String,
    pub stellar_issuer: String,
    pub minor_unit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub guid: String,
    pub iban: String,
    /// Index into the counterparty's assets.
    pub asset: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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

impl NewCustomer {
    /// The customer, its balance asset defaulting to the asset of its first account.
    fn into_customer(
        self,
        guid: String,
        asset: &Asset,
        first: Account,
        now: DateTime<Utc>,
    ) -> Customer {
        Customer {
            guid,
            login: self.login,
            kyc_level: self.kyc_level,
            is_disabled: self.is_disabled,
            balance_allowed: self.balance_allowed,
            balance_asset_code: self
                .balance_asset_code
                .unwrap_or_else(|| asset.code.clone()),
            balance_asset_issuer: self
                .balance_asset_issuer
                .unwrap_or_else(|| asset.stellar_issuer.clone()),
            branch_guid: self.branch_guid,
            name: self.name,
            paternal_name: self.paternal_name,
            phone_number: self.phone_number,
            segment: self.segment,
            status: self.status.unwrap_or_else(|| "active".into()),
            surname: self.surname,
            created_at: now,
            updated_at: now,
            accounts: vec![first],
        }
    }
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

impl CustomerUpdate {
    /// Sets the fields that were sent.
    fn apply(self, c: &mut Customer) {
        fn set<T>(field: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *field = v;
            }
        }
        set(&mut c.balance_allowed, self.balance_allowed);
        set(&mut c.balance_asset_code, self.balance_asset_code);
        set(&mut c.balance_asset_issuer, self.balance_asset_issuer);
        set(&mut c.branch_guid, self.branch_guid);
        set(&mut c.is_disabled, self.is_disabled);
        set(&mut c.kyc_level, self.kyc_level);
        set(&mut c.name, self.name);
        set(&mut c.paternal_name, self.paternal_name);
        set(&mut c.phone_number, self.phone_number);
        set(&mut c.segment, self.segment);
        set(&mut c.status, self.status);
        set(&mut c.surname, self.surname);
    }
}

/// What `POST .../customers` answers from.
#[derive(Debug, Clone)]
pub struct Created {
    pub customer_guid: String,
    pub account: Account,
    pub asset: Asset,
}

/// The keys a create's generated IDs are drawn from, taken under the lock by
/// `Counterparty::reserve`. Drawing them (`draw`: a ChaCha stream each, a mod-97) was half
/// of a create's time under the lock, on which both workers queued; it runs outside it.
pub struct Reserved {
    seed: u64,
    tenant: String,
    counterparty: String,
    bank_code: String,
    customer: Option<String>,
    iban: Option<String>,
    account: String,
}

/// What a customer's or account's generated ID is drawn from: one place for the
/// reservation's draw and the redraw under the lock, so both give the same IDs.
fn id_keys<'a>(
    kind: &'a str,
    tenant: &'a str,
    counterparty: &'a str,
    key: &'a str,
) -> [&'a str; 5] {
    ["dcm", kind, tenant, counterparty, key]
}

/// The IDs drawn from a reservation, for `Counterparty::commit`.
pub struct Drawn {
    customer: Option<String>,
    iban: Option<String>,
    account: String,
}

impl Reserved {
    /// The same IDs `new_guid` and `new_iban` draw from these keys.
    pub fn draw(self) -> Drawn {
        let keys = |kind, key| id_keys(kind, &self.tenant, &self.counterparty, key);
        let guid = |kind, key| generated_guid(self.seed, &keys(kind, key));
        Drawn {
            customer: self.customer.as_deref().map(|k| guid("customer", k)),
            iban: (self.iban.as_deref())
                .map(|k| generated_iban(self.seed, &keys("iban", k), &self.bank_code)),
            account: guid("account", &self.account),
        }
    }
}

/// Serialised for snapshots without its indexes, which `reindex` rebuilds.
#[derive(Serialize, Deserialize)]
pub struct Counterparty {
    pub guid: String,
    pub assets: Vec<Asset>,
    pub account_type: String,
    pub bank_code: String,
    /// Customers this counterparty may hold (≤ `MAX_CUSTOMERS`).
    pub max_customers: usize,
    /// Accounts this counterparty may hold (≤ `MAX_ACCOUNTS`).
    pub max_accounts: usize,
    pub branches: BTreeMap<String, String>,
    customers: Chunked<Customer>,
    #[serde(skip)]
    index: ListIndex,
    #[serde(skip)]
    by_guid: Map,
    #[serde(skip)]
    by_login: Map,
    /// IBAN → customer index; one entry per account, so its length counts them.
    #[serde(skip)]
    ibans: Map,
    pub jwks: Vec<RegisteredJwk>,
    /// Entities generated so far: the key of the next generated GUID or IBAN.
    issued: u64,
}

/// The 400 (with the wallet service's 409) of a customer GUID already in use.
pub fn guid_conflict(g: &str) -> DcmError {
    bad(format!(
        "failed to create wallet user: wallet service answered 409 Conflict: wallet user {g} already exists"
    ))
}

impl Counterparty {
    /// An empty store for one counterparty of the scenario (customers come later).
    pub fn from_spec(guid: String, spec: &CounterpartySpec, scenario: &DcmScenario) -> Self {
        let assets = spec.assets.iter().map(|a| Asset {
            code: a.code.clone(),
            name: a.name.clone(),
            stellar_code: a.stellar_code.clone(),
            stellar_issuer: a.stellar_issuer.clone(),
            minor_unit: a.minor_unit,
        });
        let branches = spec
            .branches
            .iter()
            .filter_map(|b| parse_uuid(&b.guid).ok().map(|g| (g, b.name.clone())));
        let cap = |v: Option<usize>, default: usize, max: usize| v.unwrap_or(default).min(max);
        Counterparty {
            guid,
            assets: assets.collect(),
            account_type: spec
                .account_type
                .clone()
                .unwrap_or_else(|| DEFAULT_ACCOUNT_TYPE.into()),
            bank_code: spec
                .iban_bank_code
                .clone()
                .unwrap_or_else(|| DEFAULT_BANK_CODE.into()),
            branches: branches.collect(),
            customers: Chunked::default(),
            index: ListIndex::default(),
            by_guid: Map::default(),
            by_login: Map::default(),
            ibans: Map::default(),
            jwks: Vec::new(),
            issued: 0,
            max_customers: cap(scenario.max_customers, DEFAULT_CUSTOMERS, MAX_CUSTOMERS),
            max_accounts: cap(scenario.max_accounts, DEFAULT_ACCOUNTS, MAX_ACCOUNTS),
        }
    }

    pub fn customers(&self) -> &Chunked<Customer> {
        &self.customers
    }

    /// Accounts held: one IBAN index entry each.
    pub fn accounts_len(&self) -> usize {
        self.ibans.len()
    }

    pub fn customer(&self, guid: &str) -> Option<&Customer> {
        self.by_guid.get(guid).and_then(|&i| self.customers.get(i))
    }

    /// Whether a customer of this counterparty has the GUID.
    pub fn holds(&self, guid: &str) -> bool {
        self.by_guid.contains_key(guid)
    }

    fn index_of(&self, guid: &str) -> Result<usize, DcmError> {
        self.by_guid
            .get(guid)
            .copied()
            .ok_or_else(|| no_customer(guid))
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
            let guid = generated_guid(seed, &id_keys(kind, tenant, &self.guid, &key));
            if !self.by_guid.contains_key(&guid) {
                return guid;
            }
        }
    }

    fn new_iban(&mut self, seed: u64, tenant: &str) -> String {
        loop {
            let key = self.next_key();
            let keys = id_keys("iban", tenant, &self.guid, &key);
            let iban = generated_iban(seed, &keys, &self.bank_code);
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

    /// 400 when a sent IBAN is any account's of this counterparty.
    fn iban_free(&self, iban: Option<&String>) -> Result<(), DcmError> {
        match iban {
            Some(i) if self.ibans.contains_key(i) => Err(bad(format!(
                "failed to create account: IBAN {i} is already in use"
            ))),
            _ => Ok(()),
        }
    }

    /// Everything a create is refused for; the asset of its first account otherwise.
    fn check_new(&self, new: &NewCustomer) -> Result<usize, DcmError> {
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
            && self.holds(g)
        {
            return Err(guid_conflict(g));
        }
        self.iban_free(new.iban.as_ref())?;
        let max = self.max_customers.min(MAX_CUSTOMERS);
        if self.customers.len() >= max {
            return Err(bad(format!(
                "failed to create wallet user: counterparty holds the sandbox maximum of {max} customers"
            )));
        }
        self.room_for_account()?;
        Ok(asset)
    }

    /// Checks everything, then inserts the customer and its first account, or nothing,
    /// in one call (seeding, tests); requests go through `reserve` and `commit`.
    pub fn create_customer(
        &mut self,
        new: NewCustomer,
        now: DateTime<Utc>,
        seed: u64,
        tenant: &str,
    ) -> Result<Created, DcmError> {
        let drawn = self.reserve(&new, seed, tenant)?.draw();
        self.commit(new, drawn, now, seed, tenant)
    }

    /// Checks a create and takes, in order, the keys of the IDs it generates.
    pub fn reserve(
        &mut self,
        new: &NewCustomer,
        seed: u64,
        tenant: &str,
    ) -> Result<Reserved, DcmError> {
        self.check_new(new)?;
        // Every check is above: a key bumps `issued`, which a refusal must not.
        let customer = new.guid.is_none().then(|| self.next_key());
        let iban = new.iban.is_none().then(|| self.next_key());
        Ok(Reserved {
            seed,
            tenant: tenant.to_string(),
            counterparty: self.guid.clone(),
            bank_code: self.bank_code.clone(),
            customer,
            iban,
            account: self.next_key(),
        })
    }

    /// Inserts the customer with the drawn IDs, checked again: another create may have
    /// come in since `reserve`. An ID taken meanwhile is drawn again here.
    pub fn commit(
        &mut self,
        mut new: NewCustomer,
        drawn: Drawn,
        now: DateTime<Utc>,
        seed: u64,
        tenant: &str,
    ) -> Result<Created, DcmError> {
        let asset = self.check_new(&new)?;
        let a = self
            .assets
            .get(asset)
            .cloned()
            .ok_or_else(|| bad("asset vanished"))?;
        let guid = match new.guid.take().or(drawn.customer) {
            Some(g) if !self.holds(&g) => g,
            _ => self.new_guid(seed, tenant, "customer"),
        };
        let iban = match new.iban.take().or(drawn.iban) {
            Some(i) if !self.ibans.contains_key(&i) => i,
            _ => self.new_iban(seed, tenant),
        };
        let account_guid = if drawn.account == guid || self.holds(&drawn.account) {
            self.new_guid(seed, tenant, "account")
        } else {
            drawn.account
        };
        let account = Account {
            guid: account_guid,
            iban,
            asset,
        };
        self.insert(new.into_customer(guid.clone(), &a, account.clone(), now));
        Ok(Created {
            customer_guid: guid,
            account,
            asset: a,
        })
    }

    /// Rebuilds the indexes of a restored counterparty from its customers, checking the
    /// caps traffic is held to.
    pub fn reindex(&mut self) -> Result<(), String> {
        let path = format!("counterparties.{}", self.guid);
        let max = self.max_customers.min(MAX_CUSTOMERS);
        fits(&format!("{path}.customers"), self.customers.len(), max)?;
        fits(
            &format!("{path}.jwks"),
            self.jwks.len(),
            super::auth::MAX_JWKS,
        )?;
        let customers = std::mem::take(&mut self.customers);
        for c in customers.iter() {
            let where_ = format!("{path}.customers[{}]", c.guid);
            fits(&where_, c.accounts.len(), MAX_ACCOUNTS_PER_CUSTOMER)?;
            if c.accounts.iter().any(|a| a.asset >= self.assets.len()) {
                return Err(format!(
                    "{where_}: an account names an asset it does not have"
                ));
            }
        }
        for c in customers {
            self.insert(c);
        }
        let max = self.max_accounts.min(MAX_ACCOUNTS);
        fits(&format!("{path}.accounts"), self.ibans.len(), max)
    }

    fn insert(&mut self, customer: Customer) {
        let index = self.customers.len();
        if !customer.login.is_empty() {
            self.by_login.insert(customer.login.clone(), index);
        }
        self.by_guid.insert(customer.guid.clone(), index);
        for account in &customer.accounts {
            self.ibans.insert(account.iban.clone(), index);
        }
        self.index.push(&customer);
        self.customers.push(customer);
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
        let index = self.index_of(customer_guid)?;
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
        self.iban_free(iban.as_ref())?;
        self.room_for_account()?;
        let iban = match iban {
            Some(i) => i,
            None => self.new_iban(seed, tenant),
        };
        let guid = self.new_guid(seed, tenant, "account");
        let account = Account { guid, iban, asset };
        let customer = self
            .customers
            .get_mut(index)
            .ok_or_else(|| bad("customer vanished"))?;
        customer.accounts.push(account.clone());
        self.ibans.insert(account.iban.clone(), index);
        Ok(account)
    }

    /// Gives a scenario account the GUID the scenario names.
    pub fn set_account_guid(&mut self, customer: &str, old: &str, new: String) {
        if let Some(c) = self
            .by_guid
            .get(customer)
            .and_then(|&i| self.customers.get_mut(i))
            && let Some(a) = c.accounts.iter_mut().find(|a| a.guid == old)
        {
            a.guid = new;
        }
    }

    pub fn update_customer(
        &mut self,
        customer_guid: &str,
        update: CustomerUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), DcmError> {
        let index = self.index_of(customer_guid)?;
        let c = self
            .customers
            .get_mut(index)
            .ok_or_else(|| bad("customer vanished"))?;
        update.apply(c);
        c.updated_at = now;
        self.index.update(index, c);
        Ok(())
    }

    /// Page of the customers matching `q` in its order, and how many match in all.
    pub fn list(&self, q: &ListQuery) -> (Vec<&Customer>, usize) {
        let table = Table {
            customers: &self.customers,
            index: &self.index,
        };
        let (page, total) = table.run(q, self.named(q));
        let page = page
            .into_iter()
            .filter_map(|i| self.customers.get(i))
            .collect();
        (page, total)
    }

    /// The customers the GUID or login filters name, through the maps (GUIDs first).
    fn named(&self, q: &ListQuery) -> Option<Vec<usize>> {
        let (names, map) = if !q.wallet_user_guids.is_empty() {
            (&q.wallet_user_guids, &self.by_guid)
        } else if !q.logins.is_empty() {
            (&q.logins, &self.by_login)
        } else {
            return None;
        };
        Some(names.iter().filter_map(|n| map.get(n).copied()).collect())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::seed::scenario_epoch;
    use super::*;
    use crate::input::Iban;
    use crate::providers::dcm::scenario::AssetSpec;

    /// A counterparty with one asset, `eUAH` of `GISSUER`, and no customers.
    pub fn cp() -> Counterparty {
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

    /// A create of `login` in the asset of `cp()`.
    pub fn new(login: &str) -> NewCustomer {
        NewCustomer {
            asset_code: "eUAH".into(),
            asset_issuer: "GISSUER".into(),
            login: login.into(),
            ..Default::default()
        }
    }

    #[test]
    fn ids_drawn_outside_the_lock_are_those_of_the_keys_taken_in_order() {
        let mut cp = cp();
        let guid = cp.guid.clone();
        let keys = |kind, key| ["dcm", kind, "t", guid.as_str(), key];

        let created = cp
            .create_customer(new("a@x"), scenario_epoch(), 1, "t")
            .unwrap();

        let bank = cp.bank_code.clone();
        assert_eq!(
            created.customer_guid,
            generated_guid(1, &keys("customer", "1"))
        );
        assert_eq!(
            created.account.iban,
            generated_iban(1, &keys("iban", "2"), &bank)
        );
        assert_eq!(
            created.account.guid,
            generated_guid(1, &keys("account", "3"))
        );
    }

    #[test]
    fn a_create_between_reserve_and_commit_is_seen_by_the_commit() {
        let mut cp = cp();
        let now = scenario_epoch();
        let first = cp.reserve(&new("a@x"), 1, "t").unwrap().draw();
        let second = cp.reserve(&new("b@x"), 1, "t").unwrap().draw();
        let same_login = cp.reserve(&new("a@x"), 1, "t").unwrap().draw();

        let b = cp.commit(new("b@x"), second, now, 1, "t").unwrap();
        let a = cp.commit(new("a@x"), first, now, 1, "t").unwrap();
        let refused = cp.commit(new("a@x"), same_login, now, 1, "t");

        assert!(matches!(refused, Err(DcmError::BadRequest(m)) if m.contains("409")));
        assert_eq!(cp.customers().len(), 2);
        assert_ne!(a.customer_guid, b.customer_guid);
        assert_ne!(a.account.iban, b.account.iban);
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
        assert!(Iban::valid(&b.iban));
        assert!(
            cp.create_account(&a.customer_guid, None, true, 1, "t")
                .is_err()
        );
    }

    #[test]
    fn a_list_page_is_written_as_serde_json_writes_its_rows() {
        use crate::providers::dcm::wire::{CustomerOut, Customers, customers_json};
        let mut cp = cp();
        cp.branches.insert(
            "33333333-3333-4333-8333-333333333333".into(),
            "Київ \"1\"".into(),
        );
        let now = scenario_epoch();
        for (i, login) in ["a@x", "b@x", "c@x"].into_iter().enumerate() {
            let mut n = new(login);
            n.name = "Олена \\ \n".into();
            n.balance_allowed = [1000.0, 12.5, 0.1][i];
            n.kyc_level = i as i64 - 1;
            n.is_disabled = i == 1;
            n.branch_guid = (i == 0).then(|| "33333333-3333-4333-8333-333333333333".into());
            cp.create_customer(n, now + chrono::Duration::microseconds(i as i64), 1, "t")
                .unwrap();
        }
        let page: Vec<&Customer> = cp.customers().iter().collect();
        for rows in [&page[..], &page[..0]] {
            let serde = Customers {
                customers: rows.iter().map(|c| CustomerOut::new(&cp, c)).collect(),
                total: 3,
            };
            assert_eq!(
                String::from_utf8_lossy(&customers_json(&cp, rows, 3)),
                String::from_utf8_lossy(&serde_json::to_vec(&serde).unwrap())
            );
        }
    }

    #[test]
    fn a_creation_answer_is_written_as_serde_json_writes_it() {
        use crate::providers::dcm::wire::CreatedCustomer;
        let mut cp = cp();
        let created = cp
            .create_customer(new("a@x"), scenario_epoch(), 1, "t")
            .unwrap();
        let answer = CreatedCustomer::new(created, "5e3f4309 \"kind\"".into());
        assert_eq!(
            String::from_utf8_lossy(&answer.to_json()),
            String::from_utf8_lossy(&serde_json::to_vec(&answer).unwrap())
        );
    }
}
