//! The `sbersafe:` section of a scenario.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{CodeOverride, CodeTable};
use crate::scenario::{ProviderState, Scenario, Section, SectionType, Seeding};

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

impl SectionType for SberSafeScenario {
    const KEY: &'static str = super::NAME;
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

    fn problems(&self, _scenario: &Scenario) -> Vec<String> {
        let s = self;
        let mut problems = CodeTable::override_problems(super::SPECS, &s.codes);
        for (i, m) in s.merchants.iter().enumerate() {
            if m.login.trim().is_empty() {
                problems.push(format!("merchants[{i}].login is empty"));
            }
        }
        if let Some(fixed) = &s.otp.fixed
            && fixed.is_empty()
        {
            problems.push("otp.fixed is empty (use null to turn it off)".into());
        }
        if !(4..=12).contains(&s.otp.length) {
            problems.push("otp.length must be 4..=12".into());
        }
        if s.otp.ttl_minutes == 0 || s.token_ttl_minutes == 0 {
            problems.push("otp.ttl_minutes and token_ttl_minutes must be above 0".into());
        }
        let hex32 = |u: &str| {
            u.len() == 32
                && u.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        };
        let mut ids = BTreeSet::new();
        let mut values = BTreeSet::new();
        for (i, c) in s.clients.iter().enumerate() {
            let at = format!("clients[{i}]");
            if c.id.is_empty() || !ids.insert(c.id.as_str()) {
                problems.push(format!("{at}.id is empty or repeated"));
            }
            if let Some(u) = &c.uuid
                && !hex32(u)
            {
                problems.push(format!("{at}.uuid must be 32 upper-case hex characters"));
            }
            for (j, k) in c.contacts.iter().enumerate() {
                let ok = match k.kind.as_str() {
                    "MPHONE" => super::wire::is_phone(&k.value),
                    "EMAIL" => k.value.contains('@'),
                    _ => false,
                };
                if !ok {
                    problems.push(format!(
                        "{at}.contacts[{j}]: type MPHONE (10 digits, no leading 7) or EMAIL"
                    ));
                }
                let active = k.status.as_deref().is_none_or(|st| st == "ACTIVE");
                if active && !values.insert(k.value.to_lowercase()) {
                    problems.push(format!(
                        "{at}.contacts[{j}]: `{}` is another client's",
                        k.value
                    ));
                }
            }
            for (j, k) in c.contacts.iter().chain(&c.contacts_extra).enumerate() {
                if let Some(st) = &k.status
                    && !super::wire::CONTACT_STATUSES.contains(&st.as_str())
                {
                    problems.push(format!(
                        "{at}: contact {j} status must be ACTIVE or NOTACTIVE"
                    ));
                }
            }
            for (j, k) in c.contacts_extra.iter().enumerate() {
                if !super::wire::EXTRA_TYPES.contains(&k.kind.as_str()) {
                    problems.push(format!("{at}.contacts_extra[{j}].type must be POST_ADRESS"));
                }
            }
            for (j, b) in c.bindings.iter().enumerate() {
                if !super::wire::PAYMENT_SYSTEMS.contains(&b.payment_system.as_str()) {
                    problems.push(format!(
                        "{at}.bindings[{j}].payment_system must be VISA, MASTERCARD or MIR"
                    ));
                }
                if !(13..=19).contains(&b.pan.len()) || !b.pan.bytes().all(|d| d.is_ascii_digit()) {
                    problems.push(format!("{at}.bindings[{j}].pan must be 13 to 19 digits"));
                }
                if let Some(u) = &b.uuid
                    && !hex32(u)
                {
                    problems.push(format!("{at}.bindings[{j}].uuid must be 32 upper-case hex"));
                }
            }
        }
        for (i, t) in s.tokens.iter().enumerate() {
            if !s.clients.iter().any(|c| c.id == t.client) {
                problems.push(format!(
                    "tokens[{i}].client `{}` is not a client id",
                    t.client
                ));
            }
            if !s.merchants.iter().any(|m| m.login == t.merchant) {
                problems.push(format!(
                    "tokens[{i}].merchant `{}` is not a merchant",
                    t.merchant
                ));
            }
            if t.token.is_empty() {
                problems.push(format!("tokens[{i}].token is empty"));
            }
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
        let section =
            crate::scenario::parse_section::<SberSafeScenario>(crate::scenario::DEFAULT_SCENARIO)
                .unwrap();
        assert_eq!(
            section.section.problems(&Scenario::default()),
            Vec::<String>::new()
        );
    }
}
