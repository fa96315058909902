//! Bodies as on the wire (field names and order as the document shows them); the
//! login's, Ory Kratos's own, are in `kratos`.

pub mod kratos;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::state::{Account, Asset, Counterparty, Created, Customer};

/// `2023-07-14T11:31:14.137931Z`, as the document shows.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `POST .../customers`: every documented field; `guid` is ours (honoured when sent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    pub asset_code: Option<String>,
    pub asset_issuer: Option<String>,
    pub balance_allowed: Option<f64>,
    pub balance_asset_code: Option<String>,
    pub balance_asset_issuer: Option<String>,
    pub branch_guid: Option<String>,
    pub iban: Option<String>,
    pub is_disabled: Option<bool>,
    pub kyc_level: Option<i64>,
    pub login: Option<String>,
    pub name: Option<String>,
    pub paternal_name: Option<String>,
    pub phone_number: Option<String>,
    pub segment: Option<String>,
    pub status: Option<String>,
    pub surname: Option<String>,
    pub guid: Option<String>,
}

/// `PUT .../customers/{guid}`; `branch_guid` is read by hand (it may be `null`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    pub balance_allowed: Option<f64>,
    pub balance_asset_code: Option<String>,
    pub balance_asset_issuer: Option<String>,
    pub branch_guid: Option<Value>,
    pub is_disabled: Option<bool>,
    pub kyc_level: Option<i64>,
    pub name: Option<String>,
    pub paternal_name: Option<String>,
    pub phone_number: Option<String>,
    pub segment: Option<String>,
    pub status: Option<String>,
    pub surname: Option<String>,
    pub wallet_user_guid: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    pub iban: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AssetOut {
    pub activated: bool,
    pub balance: i64,
    pub platform: String,
    pub code: String,
    pub name: String,
    pub stellar_code: String,
    pub stellar_issuer: String,
    pub minor_unit: u32,
}

impl AssetOut {
    pub fn new(a: &Asset) -> Self {
        Self {
            activated: true,
            balance: 0,
            platform: String::new(),
            code: a.code.clone(),
            name: a.name.clone(),
            stellar_code: a.stellar_code.clone(),
            stellar_issuer: a.stellar_issuer.clone(),
            minor_unit: a.minor_unit,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CreatedCustomer {
    pub customer_guid: String,
    pub platform: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub guid: String,
    pub wallet_account_guid: String,
    pub name: String,
    pub assets_total: usize,
    pub assets: Vec<AssetOut>,
    pub activated: bool,
    pub registered: bool,
    pub blocked: bool,
    pub iban: String,
}

impl CreatedCustomer {
    /// The answer for a new customer of a counterparty whose accounts are of type `kind`.
    pub fn new(created: Created, kind: String) -> Self {
        Self {
            customer_guid: created.customer_guid,
            platform: String::new(),
            kind,
            guid: created.account.guid.clone(),
            wallet_account_guid: created.account.guid,
            name: ACCOUNT_NAME.into(),
            assets_total: 1,
            assets: vec![AssetOut::new(&created.asset)],
            activated: true,
            registered: false,
            blocked: false,
            iban: created.account.iban,
        }
    }
}

/// The account's `name`: both document examples say `customer` (the account kind).
pub const ACCOUNT_NAME: &str = "customer";

#[derive(Debug, Serialize)]
pub struct AccountOut {
    pub platform: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub guid: String,
    pub wallet_account_guid: String,
    pub name: String,
    pub assets_total: usize,
    pub assets: Vec<AssetOut>,
    pub activated: bool,
    pub registered: bool,
    pub blocked: bool,
    pub iban: String,
}

impl AccountOut {
    pub fn new(cp: &Counterparty, a: &Account) -> Self {
        let assets: Vec<AssetOut> = cp
            .assets
            .get(a.asset)
            .map(AssetOut::new)
            .into_iter()
            .collect();
        Self {
            platform: String::new(),
            kind: cp.account_type.clone(),
            guid: a.guid.clone(),
            wallet_account_guid: a.guid.clone(),
            name: ACCOUNT_NAME.into(),
            assets_total: assets.len(),
            assets,
            activated: true,
            registered: false,
            blocked: false,
            iban: a.iban.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Accounts {
    pub accounts: Vec<AccountOut>,
    pub total: usize,
}

#[derive(Debug, Serialize)]
pub struct CreatedAccount {
    pub wallet_account_guid: String,
}

#[derive(Debug, Serialize)]
pub struct CustomerOut {
    pub wallet_user_guid: String,
    pub counterparty_guid: String,
    pub login: String,
    pub kyc_level: i64,
    pub is_disabled: bool,
    pub balance_allowed: Value,
    pub balance_asset_code: String,
    pub balance_asset_issuer: String,
    pub branch_guid: String,
    pub branch_name: String,
    pub name: String,
    pub paternal_name: String,
    pub phone_number: String,
    pub segment: String,
    pub status: String,
    pub surname: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A whole number as an integer (`1000`, as the document shows), else as a float.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

impl CustomerOut {
    pub fn new(cp: &Counterparty, c: &Customer) -> Self {
        Self {
            wallet_user_guid: c.guid.clone(),
            counterparty_guid: cp.guid.clone(),
            login: c.login.clone(),
            kyc_level: c.kyc_level,
            is_disabled: c.is_disabled,
            balance_allowed: number(c.balance_allowed),
            balance_asset_code: c.balance_asset_code.clone(),
            balance_asset_issuer: c.balance_asset_issuer.clone(),
            branch_guid: c.branch_guid.clone().unwrap_or_default(),
            branch_name: cp.branch_name(c.branch_guid.as_deref()),
            name: c.name.clone(),
            paternal_name: c.paternal_name.clone(),
            phone_number: c.phone_number.clone(),
            segment: c.segment.clone(),
            status: c.status.clone(),
            surname: c.surname.clone(),
            created_at: fmt_time(c.created_at),
            updated_at: fmt_time(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Customers {
    pub customers: Vec<CustomerOut>,
    pub total: usize,
}
