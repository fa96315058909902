//! The `dcm:` section of a scenario: counterparties (banks) with their assets,
//! employees and pre-issued tokens, and customers with accounts.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::state::{DcmState, MAX_ACCOUNTS, MAX_CUSTOMERS, parse_uuid};
use crate::codes::{CodeOverride, CodeTable};
use crate::input::Iban;
use crate::scenario::{ProviderState, Scenario, Section, Seeding};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DcmScenario {
    pub counterparties: Vec<CounterpartySpec>,
    /// Users of the Kratos password login.
    pub employees: Vec<Employee>,
    /// Session tokens valid without logging in (CI convenience).
    pub session_tokens: Vec<PresetToken>,
    /// Customers every tenant starts with.
    pub customers: Vec<CustomerSpec>,
    /// The public URL of the Kratos endpoints, as Kratos's `serve.public.base_url`: in
    /// `ui.action`, `request_url` and `schema_url` (default: the scheme and `Host` each
    /// request came with, `http://host:port/dcm/kratos`).
    pub kratos_public_url: Option<String>,
    /// Virtual minutes a login flow lasts (default 60, as Kratos).
    pub flow_lifetime_minutes: Option<u32>,
    /// Virtual hours a session token lasts (default 24).
    pub session_lifetime_hours: Option<u32>,
    /// Seconds a JWT's `iat` may lie in the future of the virtual clock (default 60).
    pub jwt_clock_skew_seconds: Option<u32>,
    /// `limit` of the customers list when absent (default 50) and at most (default 1000).
    pub list_default_limit: Option<usize>,
    pub list_max_limit: Option<usize>,
    /// Refuse a second account of a customer in an asset it already holds (the
    /// document's "one account per currency" note); off by default, so additional
    /// accounts can be opened.
    pub one_account_per_asset: bool,
    /// Customers per counterparty (default 200,000, at most 2,000,000); a create beyond
    /// answers 400.
    pub max_customers: Option<usize>,
    /// Accounts per counterparty, all customers together (default 400,000, at most
    /// 4,000,000); a create beyond answers 400.
    pub max_accounts: Option<usize>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

/// Longest flow or session lifetime a scenario may set (ten years): far enough for any
/// test, near enough that `now + lifetime` stays inside the virtual clock's range.
const MAX_LIFETIME_MINUTES: u32 = 10 * 365 * 24 * 60;
const MAX_LIFETIME_HOURS: u32 = 10 * 365 * 24;
/// Largest JWT `iat` skew a scenario may set (one day).
const MAX_SKEW_SECONDS: u32 = 24 * 60 * 60;

/// Longest `kratos_public_url` (it is kept in every flow).
const MAX_URL: usize = 255;

impl DcmScenario {
    /// `kratos_public_url` without a trailing `/`.
    pub fn kratos_base(&self) -> Option<String> {
        self.kratos_public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string())
    }
    pub fn flow_minutes(&self) -> i64 {
        i64::from(self.flow_lifetime_minutes.unwrap_or(60))
    }
    pub fn session_hours(&self) -> i64 {
        i64::from(self.session_lifetime_hours.unwrap_or(24))
    }
    pub fn jwt_skew(&self) -> i64 {
        i64::from(self.jwt_clock_skew_seconds.unwrap_or(60))
    }
    pub fn default_limit(&self) -> usize {
        self.list_default_limit.unwrap_or(50)
    }
    pub fn max_limit(&self) -> usize {
        self.list_max_limit.unwrap_or(1000)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CounterpartySpec {
    pub guid: String,
    pub name: String,
    pub assets: Vec<AssetSpec>,
    /// `type` of every account (default `5e3f4309-c152-48b3-8091-046708694f90`, the document's).
    pub account_type: Option<String>,
    /// The 6-digit bank code (MFO) inside generated UA IBANs (default `322001`).
    pub iban_bank_code: Option<String>,
    /// Branches, for `branch_name` in the customers list.
    pub branches: Vec<Branch>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssetSpec {
    pub code: String,
    pub name: String,
    pub stellar_code: String,
    pub stellar_issuer: String,
    pub minor_unit: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Branch {
    pub guid: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Employee {
    pub identifier: String,
    pub password: String,
    /// The only counterparty this employee's sessions may act on.
    pub counterparty_guid: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PresetToken {
    pub token: String,
    /// An employee's `identifier`.
    pub identifier: String,
    /// Absent: never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerSpec {
    pub counterparty_guid: String,
    pub guid: String,
    /// A `people` id: fills name, surname, paternal name, phone and login (email).
    pub person: Option<String>,
    pub login: Option<String>,
    pub name: Option<String>,
    pub surname: Option<String>,
    pub paternal_name: Option<String>,
    pub phone_number: Option<String>,
    pub kyc_level: i64,
    pub is_disabled: bool,
    pub balance_allowed: f64,
    pub segment: String,
    /// Default `active`.
    pub status: Option<String>,
    pub branch_guid: Option<String>,
    /// Asset code or stellar code; default the counterparty's first asset.
    pub asset_code: Option<String>,
    /// Default 2024-01-01T09:00:00Z.
    pub created_at: Option<DateTime<Utc>>,
    pub accounts: Vec<AccountSpec>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSpec {
    pub guid: String,
    pub iban: String,
}

impl Section for DcmScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(DcmState::new(
            self,
            seeding.people,
            seeding.seed,
            seeding.tenant,
        ))
    }

    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String> {
        Ok(Box::new(DcmState::restore(value)?))
    }

    fn problems(&self, scenario: &Scenario) -> Vec<String> {
        let mut problems = CodeTable::override_problems(super::SPECS, &self.codes);
        let cps = self.counterparty_problems(&mut problems);
        self.employee_problems(&cps, &mut problems);
        self.token_problems(&mut problems);
        let people: HashSet<&str> = scenario
            .people
            .iter()
            .filter_map(|p| p.id.as_deref())
            .collect();
        let mut seen = Seen::default();
        for (i, c) in self.customers.iter().enumerate() {
            c.problems(i, &cps, &people, &mut seen, &mut problems);
        }
        self.limit_problems(&mut problems);
        self.url_problems(&mut problems);
        problems
    }
}

/// What earlier customers of the section took, to find a later one that takes it again.
#[derive(Default)]
struct Seen {
    guids: HashSet<String>,
    logins: HashSet<(String, String)>,
    ibans: HashSet<(String, String)>,
}

/// Counterparties by their normalized GUID.
type Counterparties<'a> = BTreeMap<String, &'a CounterpartySpec>;

// Each file is also checked alone: a file without counterparties is an overlay whose
// references the merged scenario's check resolves.
impl DcmScenario {
    fn counterparty_problems(&self, problems: &mut Vec<String>) -> Counterparties<'_> {
        let mut cps = Counterparties::new();
        for (i, cp) in self.counterparties.iter().enumerate() {
            match parse_uuid(&cp.guid) {
                Ok(g) => {
                    if cps.insert(g, cp).is_some() {
                        problems.push(format!("counterparties[{i}].guid is listed twice"));
                    }
                }
                Err(e) => problems.push(format!("counterparties[{i}].guid: {e}")),
            }
            if cp.assets.is_empty() {
                problems.push(format!("counterparties[{i}].assets: at least one asset"));
            }
            if let Some(code) = &cp.iban_bank_code
                && (code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()))
            {
                problems.push(format!(
                    "counterparties[{i}].iban_bank_code must be 6 digits"
                ));
            }
            for (j, b) in cp.branches.iter().enumerate() {
                if let Err(e) = parse_uuid(&b.guid) {
                    problems.push(format!("counterparties[{i}].branches[{j}].guid: {e}"));
                }
            }
        }
        cps
    }

    fn employee_problems(&self, cps: &Counterparties, problems: &mut Vec<String>) {
        let mut identifiers = HashSet::new();
        for (i, e) in self.employees.iter().enumerate() {
            if e.identifier.is_empty() || e.password.is_empty() {
                problems.push(format!(
                    "employees[{i}]: identifier and password are required"
                ));
            }
            if !identifiers.insert(e.identifier.to_lowercase()) {
                problems.push(format!("employees[{i}].identifier is listed twice"));
            }
            match parse_uuid(&e.counterparty_guid) {
                Ok(g) if cps.contains_key(&g) || cps.is_empty() => {}
                _ => problems.push(format!(
                    "employees[{i}].counterparty_guid `{}` is not a listed counterparty",
                    e.counterparty_guid
                )),
            }
        }
    }

    fn token_problems(&self, problems: &mut Vec<String>) {
        for (i, t) in self.session_tokens.iter().enumerate() {
            if t.token.is_empty() {
                problems.push(format!("session_tokens[{i}].token is empty"));
            }
            if !self.employees.is_empty()
                && !self.employees.iter().any(|e| e.identifier == t.identifier)
            {
                problems.push(format!(
                    "session_tokens[{i}].identifier `{}` is not an employee",
                    t.identifier
                ));
            }
        }
    }

    fn url_problems(&self, problems: &mut Vec<String>) {
        if let Some(url) = &self.kratos_public_url {
            let web = url.starts_with("http://") || url.starts_with("https://");
            if !web || url.len() > MAX_URL || url.chars().any(char::is_whitespace) {
                problems.push(format!(
                    "kratos_public_url must be an http:// or https:// URL of at most {MAX_URL} characters"
                ));
            }
        }
    }

    fn limit_problems(&self, problems: &mut Vec<String>) {
        let over = |v: Option<u32>, max: u32| v.is_some_and(|v| v > max);
        if self.max_customers.is_some_and(|m| m > MAX_CUSTOMERS) {
            problems.push(format!("max_customers is at most {MAX_CUSTOMERS}"));
        }
        if self.max_accounts.is_some_and(|m| m > MAX_ACCOUNTS) {
            problems.push(format!("max_accounts is at most {MAX_ACCOUNTS}"));
        }
        if over(self.flow_lifetime_minutes, MAX_LIFETIME_MINUTES) {
            problems.push(format!(
                "flow_lifetime_minutes is at most {MAX_LIFETIME_MINUTES} (ten years)"
            ));
        }
        if over(self.session_lifetime_hours, MAX_LIFETIME_HOURS) {
            problems.push(format!(
                "session_lifetime_hours is at most {MAX_LIFETIME_HOURS} (ten years)"
            ));
        }
        if over(self.jwt_clock_skew_seconds, MAX_SKEW_SECONDS) {
            problems.push(format!(
                "jwt_clock_skew_seconds is at most {MAX_SKEW_SECONDS} (one day)"
            ));
        }
        let (default, max) = (self.default_limit(), self.max_limit());
        if max == 0 || default == 0 || default > max {
            problems.push("list_default_limit must be between 1 and list_max_limit".into());
        }
    }
}

impl CustomerSpec {
    fn problems(
        &self,
        i: usize,
        cps: &Counterparties,
        people: &HashSet<&str>,
        seen: &mut Seen,
        problems: &mut Vec<String>,
    ) {
        let cg = parse_uuid(&self.counterparty_guid).unwrap_or_default();
        let cp = cps.get(&cg);
        if cp.is_none() && !cps.is_empty() {
            problems.push(format!(
                "customers[{i}].counterparty_guid is not a listed counterparty"
            ));
        }
        // An empty guid is generated (the same in every tenant).
        if !self.guid.is_empty() {
            match parse_uuid(&self.guid) {
                // Unique in the tenant, across counterparties (a wallet user's).
                Ok(g) => {
                    if !seen.guids.insert(g) {
                        problems.push(format!("customers[{i}].guid is listed twice"));
                    }
                }
                Err(e) => problems.push(format!("customers[{i}].guid: {e}")),
            }
        }
        if let Some(p) = &self.person
            && !people.is_empty()
            && !people.contains(p.as_str())
        {
            problems.push(format!("customers[{i}].person `{p}` is not in people"));
        }
        if let Some(l) = &self.login
            && !l.is_empty()
            && !seen.logins.insert((cg.clone(), l.clone()))
        {
            problems.push(format!("customers[{i}].login `{l}` is listed twice"));
        }
        if let Some(code) = &self.asset_code
            && let Some(cp) = cp
            && !cp
                .assets
                .iter()
                .any(|a| &a.code == code || &a.stellar_code == code)
        {
            problems.push(format!(
                "customers[{i}].asset_code `{code}` is not an asset of its counterparty"
            ));
        }
        if let Some(b) = &self.branch_guid
            && parse_uuid(b).is_err()
        {
            problems.push(format!("customers[{i}].branch_guid is not a UUID"));
        }
        self.account_problems(i, &cg, seen, problems);
    }

    fn account_problems(&self, i: usize, cg: &str, seen: &mut Seen, problems: &mut Vec<String>) {
        for (j, a) in self.accounts.iter().enumerate() {
            if !a.guid.is_empty() && parse_uuid(&a.guid).is_err() {
                problems.push(format!("customers[{i}].accounts[{j}].guid is not a UUID"));
            }
            if a.iban.is_empty() {
                continue;
            }
            if !Iban::valid(&a.iban) {
                problems.push(format!(
                    "customers[{i}].accounts[{j}].iban `{}` has a wrong checksum or shape",
                    a.iban
                ));
            } else if !seen.ibans.insert((cg.to_string(), a.iban.clone())) {
                problems.push(format!("customers[{i}].accounts[{j}].iban is used twice"));
            }
        }
    }
}
