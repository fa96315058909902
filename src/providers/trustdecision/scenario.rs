//! The `trustdecision:` section of a scenario.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::TdError;
use super::state::MAX_PARTNERS;
use crate::codes::{CodeOverride, CodeTable};
use crate::scenario::{ProviderState, Scenario, Section, Seeding};

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

impl TrustDecisionScenario {
    /// A served country by its code.
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.iter().find(|c| c.code == code)
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    fn partner_problems(&self, packages: &Known) -> Vec<String> {
        let mut problems = Vec::new();
        if self.partners.len() > MAX_PARTNERS {
            problems.push(format!("partners: more than {MAX_PARTNERS}"));
        }
        let mut codes = BTreeSet::new();
        for (i, p) in self.partners.iter().enumerate() {
            if p.code.is_empty() || p.key.is_empty() {
                problems.push(format!("partners[{i}]: code and key must not be empty"));
            }
            if !codes.insert(p.code.as_str()) {
                problems.push(format!("partners[{i}]: code `{}` appears twice", p.code));
            }
            problems.extend(p.problems(i, packages));
        }
        problems
    }
}

/// The package names a scenario defines.
type Known<'a> = BTreeSet<&'a str>;

/// `{at}: unknown package` for each name not in `known`.
fn unknown_packages<'a>(
    at: &str,
    names: impl IntoIterator<Item = &'a String>,
    known: &Known,
) -> Vec<String> {
    names
        .into_iter()
        .filter(|name| !known.contains(name.as_str()))
        .map(|name| format!("{at}: unknown package `{name}`"))
        .collect()
}

/// ISO 3166 alpha-2: two upper-case letters.
fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

impl Partner {
    fn problems(&self, i: usize, packages: &Known) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(home) = &self.country
            && !is_country_code(home)
        {
            problems.push(format!(
                "partners[{i}].country `{home}` is not two upper-case letters"
            ));
        }
        let at = format!("partners[{i}].packages");
        problems.extend(unknown_packages(
            &at,
            self.packages.iter().flatten(),
            packages,
        ));
        problems
    }
}

impl Country {
    fn problems(&self, i: usize, packages: &Known) -> Vec<String> {
        let mut problems = Vec::new();
        if !is_country_code(&self.code) {
            problems.push(format!(
                "countries[{i}].code `{}` is not two upper-case letters",
                self.code
            ));
        }
        if !(1..=20).contains(&self.phone_digits) {
            problems.push(format!("countries[{i}].phone_digits must be 1 to 20"));
        }
        if self.phone_prefix.len() > self.phone_digits
            || !self.phone_prefix.bytes().all(|b| b.is_ascii_digit())
        {
            problems.push(format!(
                "countries[{i}].phone_prefix must be digits, shorter than the number"
            ));
        }
        let at = format!("countries[{i}].packages");
        problems.extend(unknown_packages(&at, &self.packages, packages));
        problems
    }
}

impl Package {
    fn problems(&self, i: usize) -> Vec<String> {
        let mut problems = Vec::new();
        for (j, d) in self.indicators.iter().enumerate() {
            let at = format!("packages[{i}].indicators[{j}]");
            if d.name.is_empty() {
                problems.push(format!("{at}.name is empty"));
            }
            if d.min > d.max {
                problems.push(format!("{at}: min is above max"));
            }
            if d.kind == IndicatorType::String && d.choices.is_empty() {
                problems.push(format!("{at}: a string indicator needs choices"));
            }
            if d.uncalculable_percent > 100 {
                problems.push(format!("{at}.uncalculable_percent is above 100"));
            }
        }
        problems
    }
}

impl Subject {
    fn problems(&self, i: usize, scenario: &Scenario, packages: &Known) -> Vec<String> {
        let mut problems = Vec::new();
        if self.id_number.is_empty() && self.person.is_none() {
            problems.push(format!("subjects[{i}]: needs id_number or person"));
        }
        if let Some(person) = &self.person
            && !scenario
                .people
                .iter()
                .any(|p| p.id.as_deref() == Some(person.as_str()))
        {
            problems.push(format!("subjects[{i}].person `{person}` is not in people"));
        }
        if let Some(r) = &self.result
            && TdError::from_key(r).is_none()
        {
            problems.push(format!(
                "subjects[{i}].result `{r}` is not a code name (see /__sandbox/errors)"
            ));
        }
        let at = format!("subjects[{i}].indicators");
        problems.extend(unknown_packages(&at, self.indicators.keys(), packages));
        problems
    }
}

impl Section for TrustDecisionScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(super::TrustDecisionState::new(
            self,
            seeding.seed,
            seeding.tenant,
        ))
    }

    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String> {
        Ok(Box::new(super::TrustDecisionState::restore(value)?))
    }

    fn problems(&self, scenario: &Scenario) -> Vec<String> {
        let mut problems = CodeTable::override_problems(super::SPECS, &self.codes);
        let packages: Known = self.packages.iter().map(|p| p.name.as_str()).collect();
        problems.extend(self.partner_problems(&packages));
        for (i, c) in self.countries.iter().enumerate() {
            problems.extend(c.problems(i, &packages));
        }
        for (i, p) in self.packages.iter().enumerate() {
            problems.extend(p.problems(i));
        }
        for (i, s) in self.subjects.iter().enumerate() {
            problems.extend(s.problems(i, scenario, &packages));
        }
        problems
    }
}
