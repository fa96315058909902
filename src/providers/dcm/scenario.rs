//! The `dcm:` section of a scenario: counterparties (banks) with their assets,
//! employees and pre-issued tokens, and customers with accounts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::providers::CodeOverride;

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
    /// Virtual minutes a login flow lasts (default 60, as Kratos).
    pub flow_lifetime_minutes: Option<u32>,
    /// Virtual hours a session token lasts (default 24).
    pub session_lifetime_hours: Option<u32>,
    /// Seconds a JWT's `iat` may lie in the future of the virtual clock (default 60).
    pub jwt_clock_skew_seconds: Option<u32>,
    /// `limit` of the customers list when absent (default 50) and at most (default 1000).
    pub list_default_limit: Option<usize>,
    pub list_max_limit: Option<usize>,
    /// Refuse a second account of a customer in an asset it already holds (FACTS.md
    /// reading of the document); off by default, so additional accounts can be opened.
    pub one_account_per_asset: bool,
    /// Customers per counterparty (default and at most 200,000); a create beyond answers 400.
    pub max_customers: Option<usize>,
    /// Accounts per counterparty, all customers together (default and at most 400,000);
    /// a create beyond answers 400.
    pub max_accounts: Option<usize>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

/// Longest flow or session lifetime a scenario may set (ten years): far enough for any
/// test, near enough that `now + lifetime` stays inside the virtual clock's range.
pub const MAX_LIFETIME_MINUTES: u32 = 10 * 365 * 24 * 60;
pub const MAX_LIFETIME_HOURS: u32 = 10 * 365 * 24;
/// Largest JWT `iat` skew a scenario may set (one day).
pub const MAX_SKEW_SECONDS: u32 = 24 * 60 * 60;

impl DcmScenario {
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
