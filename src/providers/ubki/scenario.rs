//! The `ubki:` section of a scenario.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::providers::CodeOverride;

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
