//! The `sbersafe:` section of a scenario.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::wire;
use crate::codes::{CodeOverride, CodeTable};
use crate::scenario::{ProviderState, Scenario, Section, Seeding};

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

impl Section for SberSafeScenario {
    fn codes(&self) -> &BTreeMap<String, CodeOverride> {
        &self.codes
    }

    fn new_state(&self, seeding: &Seeding) -> Box<dyn ProviderState> {
        Box::new(super::SberSafeState::new(
            self,
            seeding.seed,
            seeding.tenant,
        ))
    }

    fn restore_state(&self, value: serde_json::Value) -> Result<Box<dyn ProviderState>, String> {
        Ok(Box::new(super::SberSafeState::restore(value)?))
    }

    fn problems(&self, _scenario: &Scenario) -> Vec<String> {
        let mut problems = CodeTable::override_problems(super::SPECS, &self.codes);
        for (i, m) in self.merchants.iter().enumerate() {
            if m.login.trim().is_empty() {
                problems.push(format!("merchants[{i}].login is empty"));
            }
        }
        problems.extend(self.otp_problems());
        problems.extend(self.client_problems());
        for (i, t) in self.tokens.iter().enumerate() {
            problems.extend(t.problems(&format!("tokens[{i}]"), self));
        }
        problems
    }
}

impl SberSafeScenario {
    fn otp_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(fixed) = &self.otp.fixed
            && fixed.is_empty()
        {
            problems.push("otp.fixed is empty (use null to turn it off)".into());
        }
        if !(4..=12).contains(&self.otp.length) {
            problems.push("otp.length must be 4..=12".into());
        }
        if self.otp.ttl_minutes == 0 || self.token_ttl_minutes == 0 {
            problems.push("otp.ttl_minutes and token_ttl_minutes must be above 0".into());
        }
        problems
    }

    /// Each client's own problems, and ids or active contacts that two clients share.
    fn client_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut taken = BTreeSet::new();
        for (i, c) in self.clients.iter().enumerate() {
            let at = format!("clients[{i}]");
            if c.id.is_empty() || !ids.insert(c.id.as_str()) {
                problems.push(format!("{at}.id is empty or repeated"));
            }
            problems.extend(c.problems(&at, &mut taken));
        }
        problems
    }
}

/// A uuid as SberSafe writes one: 32 upper-case hex characters.
fn is_upper_hex32(u: &str) -> bool {
    u.len() == 32
        && u.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

impl ClientSpec {
    /// `taken`: the active contact values of the clients before this one.
    fn problems(&self, at: &str, taken: &mut BTreeSet<String>) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(u) = &self.uuid
            && !is_upper_hex32(u)
        {
            problems.push(format!("{at}.uuid must be 32 upper-case hex characters"));
        }
        for (j, k) in self.contacts.iter().enumerate() {
            problems.extend(k.problems(&format!("{at}.contacts[{j}]"), taken));
        }
        for (j, k) in self.contacts.iter().chain(&self.contacts_extra).enumerate() {
            if let Some(st) = &k.status
                && !wire::CONTACT_STATUSES.contains(&st.as_str())
            {
                problems.push(format!(
                    "{at}: contact {j} status must be ACTIVE or NOTACTIVE"
                ));
            }
        }
        for (j, k) in self.contacts_extra.iter().enumerate() {
            if !wire::EXTRA_TYPES.contains(&k.kind.as_str()) {
                problems.push(format!("{at}.contacts_extra[{j}].type must be POST_ADRESS"));
            }
        }
        for (j, b) in self.bindings.iter().enumerate() {
            problems.extend(b.problems(&format!("{at}.bindings[{j}]")));
        }
        problems
    }
}

impl ContactSpec {
    /// An MPHONE or EMAIL contact whose value, if active, no earlier client has.
    fn problems(&self, at: &str, taken: &mut BTreeSet<String>) -> Vec<String> {
        let mut problems = Vec::new();
        let ok = match self.kind.as_str() {
            "MPHONE" => wire::is_phone(&self.value),
            "EMAIL" => self.value.contains('@'),
            _ => false,
        };
        if !ok {
            problems.push(format!(
                "{at}: type MPHONE (10 digits, no leading 7) or EMAIL"
            ));
        }
        let active = self.status.as_deref().is_none_or(|st| st == "ACTIVE");
        if active && !taken.insert(self.value.to_lowercase()) {
            problems.push(format!("{at}: `{}` is another client's", self.value));
        }
        problems
    }
}

impl BindingSpec {
    fn problems(&self, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if !wire::PAYMENT_SYSTEMS.contains(&self.payment_system.as_str()) {
            problems.push(format!(
                "{at}.payment_system must be VISA, MASTERCARD or MIR"
            ));
        }
        if !(13..=19).contains(&self.pan.len()) || !self.pan.bytes().all(|d| d.is_ascii_digit()) {
            problems.push(format!("{at}.pan must be 13 to 19 digits"));
        }
        if let Some(u) = &self.uuid
            && !is_upper_hex32(u)
        {
            problems.push(format!("{at}.uuid must be 32 upper-case hex"));
        }
        problems
    }
}

impl PresetToken {
    /// A token of a scenario client and merchant.
    fn problems(&self, at: &str, sber: &SberSafeScenario) -> Vec<String> {
        let mut problems = Vec::new();
        if !sber.clients.iter().any(|c| c.id == self.client) {
            problems.push(format!("{at}.client `{}` is not a client id", self.client));
        }
        if !sber.merchants.iter().any(|m| m.login == self.merchant) {
            problems.push(format!(
                "{at}.merchant `{}` is not a merchant",
                self.merchant
            ));
        }
        if self.token.is_empty() {
            problems.push(format!("{at}.token is empty"));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_each_bad_field() {
        let mut s = SberSafeScenario::default();
        s.clients.push(ClientSpec {
            id: "x".into(),
            uuid: Some("lowercase".into()),
            contacts: vec![ContactSpec {
                kind: "MPHONE".into(),
                value: "79161234567".into(),
                status: None,
            }],
            bindings: vec![BindingSpec {
                payment_system: "AMEX".into(),
                pan: "12".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        s.tokens.push(PresetToken {
            token: "t".into(),
            client: "nobody".into(),
            merchant: "m".into(),
            expires: None,
        });
        s.otp.length = 2;

        let problems = s.problems(&Scenario::default()).join("\n");

        for needle in [
            "uuid",
            "contacts[0]",
            "payment_system",
            "pan",
            "tokens[0].client",
            "tokens[0].merchant",
            "otp.length",
        ] {
            assert!(problems.contains(needle), "{needle} not in {problems}");
        }
    }

    #[test]
    fn default_scenario_section_is_valid() {
        let section = crate::scenario::parse_section::<super::super::SberSafe>(
            crate::scenario::DEFAULT_SCENARIO,
        )
        .unwrap();
        assert_eq!(
            section.section.problems(&Scenario::default()),
            Vec::<String>::new()
        );
    }
}
