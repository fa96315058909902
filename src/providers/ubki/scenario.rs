//! The `ubki:` section of a scenario.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codes::UbkiError;
use super::state::UbkiState;
use super::wire;
use crate::codes::{CodeOverride, CodeTable};
use crate::input::Inn;
use crate::scenario::{ProviderState, Scenario, Section, Seeding};

/// Scenario bounds, so no duration overflows the clock's arithmetic.
const MAX_TERM_DAYS: u32 = 3650;
const MAX_LOCK_MINUTES: u32 = 525_600;
/// What real XML clients expect with an error document (they raise on any 4xx).
const DEFAULT_XML_ERROR_STATUS: u16 = 400;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UbkiScenario {
    /// Users of the authorization API.
    pub accounts: Vec<Account>,
    /// Keys valid without logging in (CI convenience).
    pub session_keys: Vec<PresetKey>,
    pub brute_force: BruteForce,
    /// Subjects the bureau treats specially.
    pub subjects: Vec<Subject>,
    /// Refuse (code 3) every INN that is not in `people` or `subjects`.
    pub strict_subjects: bool,
    /// Days a discount lasts, per reptype (default 7 each).
    pub discount_term_days: BTreeMap<String, u32>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
    /// The sandbox sits behind a proxy: the caller's address (for `allowed_ips`) is the
    /// first `X-Forwarded-For` address rather than the socket's.
    pub behind_proxy: bool,
    /// HTTP status of an authorization error answered in XML (default 400); JSON errors
    /// keep the status of their code (200).
    pub xml_error_status: Option<u16>,
}

impl UbkiScenario {
    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.login == login)
    }

    pub fn xml_error_status(&self) -> u16 {
        self.xml_error_status.unwrap_or(DEFAULT_XML_ERROR_STATUS)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    pub login: String,
    pub pass: String,
    pub userid: String,
    pub first_name: String,
    pub last_name: String,
    pub middle_name: String,
    pub role: String,
    pub rolegroupid: String,
    pub rolegroupname: String,
    /// Contract (agreement) id and name.
    pub agrid: String,
    pub agrname: String,
    /// Organisation (bank) id, EDRPOU and name, shown in `partner`.
    pub bankid: String,
    pub bankokpo: String,
    pub bankname: String,
    pub must_change_password: bool,
    /// Answers 27.
    pub blocked: bool,
    /// `terminated` answers 26.
    pub contract: Option<String>,
    /// Addresses the account may log in from; empty: any (otherwise 278).
    pub allowed_ips: Vec<String>,
}

impl Account {
    /// Whether `ip` may use this account.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allowed_ips.is_empty()
            || self
                .allowed_ips
                .iter()
                .filter_map(|a| a.parse::<IpAddr>().ok())
                .any(|a| a.to_canonical() == ip.to_canonical())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PresetKey {
    pub sessid: String,
    pub login: String,
    /// Absent: never expires.
    pub expires: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BruteForce {
    /// Wrong passwords in a row that lock a login (code 1).
    pub attempts: u32,
    /// Virtual minutes the lock lasts.
    pub lock_minutes: u32,
}

impl Default for BruteForce {
    fn default() -> Self {
        Self {
            attempts: 5,
            lock_minutes: 30,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subject {
    pub inn: String,
    /// Not in the bureau's database: code 3.
    pub absent: bool,
    /// `SKN` or `SKN_3`: StatusControl active, code 2.
    pub status_control: Option<String>,
    /// Answer this code (by name, e.g. `system_error`) for the INN: a magic value.
    pub result: Option<String>,
}

impl Section for UbkiScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(UbkiState::new(self, seeding.seed, seeding.tenant))
    }

    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String> {
        Ok(Box::new(UbkiState::restore(value)?))
    }

    fn problems(&self, _scenario: &Scenario) -> Vec<String> {
        let mut problems = CodeTable::override_problems(super::SPECS, &self.codes);
        for (i, s) in self.subjects.iter().enumerate() {
            problems.extend(s.problems(i));
        }
        for (reptype, days) in &self.discount_term_days {
            if wire::reptype(reptype).is_none() {
                problems.push(format!("discount_term_days: unknown reptype `{reptype}`"));
            }
            if !(1..=MAX_TERM_DAYS).contains(days) {
                problems.push(format!(
                    "discount_term_days.{reptype}: {days} is not within 1..={MAX_TERM_DAYS}"
                ));
            }
        }
        if self.brute_force.lock_minutes > MAX_LOCK_MINUTES {
            problems.push(format!(
                "brute_force.lock_minutes: at most {MAX_LOCK_MINUTES}"
            ));
        }
        for (i, a) in self.accounts.iter().enumerate() {
            if a.login.is_empty() {
                problems.push(format!("accounts[{i}].login is empty"));
            }
            for (j, ip) in a.allowed_ips.iter().enumerate() {
                if ip.parse::<IpAddr>().is_err() {
                    problems.push(format!(
                        "accounts[{i}].allowed_ips[{j}] `{ip}` is not an IP address"
                    ));
                }
            }
        }
        problems.extend(xml_status_problem(self.xml_error_status));
        problems
    }
}

/// An XML error needs a status that carries a body.
fn xml_status_problem(status: Option<u16>) -> Option<String> {
    let status = status?;
    let with_body = (200..=599).contains(&status) && !matches!(status, 204 | 205 | 304);
    (!with_body).then(|| {
        format!("xml_error_status: {status} is not an HTTP status with a body (200..=599)")
    })
}

impl Subject {
    fn problems(&self, i: usize) -> Vec<String> {
        let mut problems = Vec::new();
        if Inn::parse(&self.inn).is_none() {
            problems.push(format!("subjects[{i}].inn `{}` is not 10 digits", self.inn));
        }
        if let Some(sc) = &self.status_control
            && sc != "SKN"
            && sc != "SKN_3"
        {
            problems.push(format!("subjects[{i}].status_control must be SKN or SKN_3"));
        }
        if let Some(r) = &self.result
            && UbkiError::from_key(r).is_none()
        {
            problems.push(format!(
                "subjects[{i}].result `{r}` must be one of invalid_session_key, status_control_active, subject_absent, invalid_attributes, system_error"
            ));
        }
        problems
    }
}
