//! The `sbersafe:` section of a scenario.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::providers::CodeOverride;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SberSafeScenario {
    /// Logins accepted as `merchantLogin`.
    pub merchants: Vec<Merchant>,
    pub otp: OtpPolicy,
    /// Virtual minutes an access token lives.
    pub token_ttl_minutes: u32,
    /// Refuse `/api/clients/` without an `Accept` header (a wrong one is always refused).
    pub require_accept: bool,
    pub clients: Vec<ClientSpec>,
    /// Tokens valid without the OTP flow (CI convenience).
    pub tokens: Vec<PresetToken>,
    /// Phones (10 digits) and emails that answer `SYSTEM_ERROR` at find and create.
    pub system_error_values: Vec<String>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

impl Default for SberSafeScenario {
    fn default() -> Self {
        Self {
            merchants: Vec::new(),
            otp: OtpPolicy::default(),
            token_ttl_minutes: 60,
            require_accept: false,
            clients: Vec::new(),
            tokens: Vec::new(),
            system_error_values: Vec::new(),
            codes: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Merchant {
    pub login: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OtpPolicy {
    /// Accepted for every access code besides the generated one; `null` turns it off.
    pub fixed: Option<String>,
    /// Digits of the generated OTP.
    pub length: usize,
    /// Virtual minutes an access code lives.
    pub ttl_minutes: u32,
    /// Wrong OTPs that lock an access code; 0 never locks.
    pub attempts: u32,
}

impl Default for OtpPolicy {
    fn default() -> Self {
        Self {
            fixed: Some("000000".into()),
            length: 6,
            ttl_minutes: 5,
            attempts: 3,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSpec {
    /// Stable name: merge key, token owner, and the key of generated values.
    pub id: String,
    /// 32 upper-case hex; generated from `id` when absent.
    pub uuid: Option<String>,
    /// Generated from `id` when absent.
    pub created: Option<DateTime<Utc>>,
    /// MPHONE (10 digits, no leading 7) and EMAIL contacts, unmasked.
    pub contacts: Vec<ContactSpec>,
    /// POST_ADRESS contacts, shown as written.
    pub contacts_extra: Vec<ContactSpec>,
    pub bindings: Vec<BindingSpec>,
    pub card_virtual: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactSpec {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    /// ACTIVE (default) or NOTACTIVE; find only matches ACTIVE contacts.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BindingSpec {
    pub uuid: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub mnemonic: String,
    /// VISA, MASTERCARD or MIR.
    pub payment_system: String,
    /// Full card number; answered masked.
    pub pan: String,
    pub extended_info: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PresetToken {
    pub token: String,
    /// `id` of a client.
    pub client: String,
    pub merchant: String,
    /// Absent: never expires.
    pub expires: Option<DateTime<Utc>>,
}
