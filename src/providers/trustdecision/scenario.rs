//! The `trustdecision:` section of a scenario.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::providers::CodeOverride;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustDecisionScenario {
    /// Accounts that may call the API (query `partner_code`, `partner_key`).
    pub partners: Vec<Partner>,
    /// Countries served: their packages and phone format. A country not listed is
    /// `country error`.
    pub countries: Vec<Country>,
    /// Packages and the indicators each returns.
    pub packages: Vec<Package>,
    /// People the library treats specially, by `id_number`.
    pub subjects: Vec<Subject>,
    /// Accept fields the document does not list instead of answering `{field} error`.
    pub allow_unknown_fields: bool,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    #[default]
    Active,
    /// Answers 300.
    NotEffective,
    /// Answers 302.
    Suspended,
    /// Answers 304.
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Partner {
    pub code: String,
    pub key: String,
    /// Where the partner is located. When set and not a served country (`countries`
    /// of the section), every call of the partner answers 9055.
    pub country: Option<String>,
    /// Countries the partner may ask about; empty means every served country. Any
    /// other country answers 9055 too (no service there for this partner).
    pub countries: Vec<String>,
    /// Packages bought; absent means all. An empty list answers 300.
    pub packages: Option<Vec<String>>,
    pub state: ServiceState,
    /// From this instant on (virtual clock) the partner answers 304.
    pub expires_at: Option<DateTime<Utc>>,
    /// Successful calls left; absent means unlimited. At 0 the next call is 303.
    pub balance: Option<u64>,
}

impl Default for Partner {
    fn default() -> Self {
        Self {
            code: String::new(),
            key: String::new(),
            country: None,
            countries: Vec::new(),
            packages: None,
            state: ServiceState::Active,
            expires_at: None,
            balance: None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Country {
    /// ISO 3166 two-letter code, as the request's `country`.
    pub code: String,
    /// Packages offered there.
    pub packages: Vec<String>,
    /// Digits of a phone number without the country code.
    pub phone_digits: usize,
    /// What the number must start with (`0` in NG, VN, TH, PK); empty for none.
    pub phone_prefix: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Package {
    pub name: String,
    pub indicators: Vec<IndicatorDef>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorType {
    #[default]
    Int,
    String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndicatorDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: IndicatorType,
    /// Range of an `int` indicator (inclusive).
    pub min: i64,
    pub max: i64,
    /// Values of a `string` indicator.
    pub choices: Vec<String>,
    /// Percent of people (deterministic per person) for whom this indicator cannot be
    /// calculated: status 202, value -1111.
    pub uncalculable_percent: u8,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subject {
    pub id_number: String,
    /// A person of the shared `people` list: matches their `inn` or `id_document` too.
    pub person: Option<String>,
    /// Not in the library: every indicator 201 / -999.
    pub no_record: bool,
    /// Answer this code (by name, e.g. `internal_error`) for the id_number.
    pub result: Option<String>,
    /// Exact indicators per package: `{package: {indicator_name: value}}`. A value of
    /// -1111 gets status 202, -999 status 201; `{value: .., status: 500}` sets both.
    pub indicators: BTreeMap<String, BTreeMap<String, Value>>,
}
