//! TrustDecision's state in one tenant: the partners' accounts (service state, expiry,
//! balance) and the record of every call. Indicator values are not state: they are a
//! pure function of the seed and the person (`indicators`).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use fake::rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codes::TdError;
use super::errors::Reply;
use super::record::{Asked, Kept, Record, Shared};
use super::scenario::{
    IndicatorDef, IndicatorType, Package, ServiceState, Subject, TrustDecisionScenario,
};
use super::wire::{self, Indicator};
use crate::rng;

/// Call records kept per tenant; the oldest goes first.
pub const MAX_RECORDS: usize = 1_000;
/// Partners a scenario may define (checked by `Section::problems`), so accounts stay
/// bounded.
pub const MAX_PARTNERS: usize = 1_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub code: String,
    pub state: ServiceState,
    pub expires_at: Option<DateTime<Utc>>,
    /// `None`: unlimited.
    pub balance: Option<u64>,
    pub spent: u64,
}

impl Account {
    /// The state the partner is in at `now`: an expiry passed on the clock is `expired`.
    /// Only compared, never added to, so any date a scenario or PATCH gives is safe.
    pub fn state_at(&self, now: DateTime<Utc>) -> ServiceState {
        if self.expires_at.is_some_and(|e| now >= e) {
            ServiceState::Expired
        } else {
            self.state
        }
    }

    /// The account as the state view and the admin API show it.
    pub fn view(&self, now: DateTime<Utc>) -> Value {
        serde_json::json!({
            "code": self.code,
            "state": self.state_at(now),
            "expires_at": self.expires_at,
            "balance": self.balance,
            "spent": self.spent,
        })
    }

    /// 304, 302 or 300 when the service cannot be used at all.
    pub fn usable_at(&self, now: DateTime<Utc>) -> Result<(), TdError> {
        match self.state_at(now) {
            ServiceState::Active => Ok(()),
            ServiceState::Expired => Err(TdError::Expired),
            ServiceState::Suspended => Err(TdError::Suspended),
            ServiceState::NotEffective => Err(TdError::NotEffective),
        }
    }
}

/// A change to an account through the admin API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountPatch {
    pub state: Option<ServiceState>,
    /// `null` is not distinguishable from absent here; use `unlimited: true` instead.
    pub balance: Option<u64>,
    pub unlimited: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub never_expires: bool,
}

/// Serialised whole for snapshots, `calls` with it, so `sequence_id`s continue.
#[derive(Serialize, Deserialize)]
pub struct TrustDecisionState {
    tenant: String,
    seed: u64,
    /// Answers given (by the handler or before it), for `sequence_id`s; each left a
    /// record.
    pub calls: u64,
    pub accounts: BTreeMap<String, Account>,
    pub records: VecDeque<Record>,
}

impl TrustDecisionState {
    pub fn new(scenario: &TrustDecisionScenario, seed: u64, tenant: &str) -> Self {
        let accounts = scenario
            .partners
            .iter()
            .take(MAX_PARTNERS)
            .map(|p| {
                let account = Account {
                    code: p.code.clone(),
                    state: p.state,
                    expires_at: p.expires_at,
                    balance: p.balance,
                    spent: 0,
                };
                (p.code.clone(), account)
            })
            .collect();
        Self {
            tenant: tenant.to_string(),
            seed,
            calls: 0,
            accounts,
            records: VecDeque::new(),
        }
    }

    /// The next `sequence_id`: 13-digit epoch milliseconds of `now` and 19 upper-case
    /// hex characters from the seed, the tenant and the call number.
    pub fn next_sequence_id(&mut self, now: DateTime<Utc>) -> String {
        self.calls += 1;
        let n = self.calls.to_string();
        let mut g = rng::rng_for(
            self.seed,
            &["trustdecision", "sequence_id", &self.tenant, &n],
        );
        let millis = now.timestamp_millis().clamp(0, 9_999_999_999_999);
        // Written digit by digit rather than with `format!`: once per call.
        let mut id = String::with_capacity(32);
        crate::clock::push_digits(&mut id, millis.unsigned_abs(), 13);
        id.push_str(&rng::hex_upper(&mut g, 19));
        id
    }

    pub fn usable(&self, code: &str, now: DateTime<Utc>) -> Result<(), TdError> {
        match self.accounts.get(code) {
            Some(a) => a.usable_at(now),
            None => Err(TdError::Invalid("partner_code".into())),
        }
    }

    /// Spends one call of `code`'s balance, or 303 when none is left.
    pub fn spend(&mut self, code: &str) -> Result<(), TdError> {
        let Some(account) = self.accounts.get_mut(code) else {
            return Err(TdError::Invalid("partner_code".into()));
        };
        match account.balance {
            Some(0) => return Err(TdError::NoBalance),
            Some(n) => account.balance = Some(n - 1),
            None => {}
        }
        account.spent += 1;
        Ok(())
    }

    /// Gives `reply` the next `sequence_id` and keeps it as a record, with what was read
    /// of the request (nothing, for answers made before the handler). The record shares
    /// the reply's answer rather than a JSON copy of it.
    pub fn answer(
        &mut self,
        mut reply: Reply,
        now: DateTime<Utc>,
        partner_code: Option<String>,
        request: Option<Asked>,
    ) -> Reply {
        let sequence_id = self.next_sequence_id(now);
        std::sync::Arc::make_mut(&mut reply.answer).sequence_id = sequence_id.clone();
        self.record(Record {
            sequence_id,
            time: now,
            partner_code,
            request: request.map(Kept::Made),
            response: Kept::Made(Shared(reply.answer.clone())),
        });
        reply
    }

    /// The accounts as the state view and the admin API show them.
    pub fn partners(&self, now: DateTime<Utc>) -> Vec<Value> {
        self.accounts.values().map(|a| a.view(now)).collect()
    }

    /// Keeps a call's record, dropping the oldest past `MAX_RECORDS`.
    pub fn record(&mut self, record: Record) {
        while self.records.len() >= MAX_RECORDS {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }

    pub fn patch(&mut self, code: &str, patch: &AccountPatch) -> Option<Account> {
        let account = self.accounts.get_mut(code)?;
        if let Some(state) = patch.state {
            account.state = state;
        }
        if patch.unlimited {
            account.balance = None;
        } else if let Some(balance) = patch.balance {
            account.balance = Some(balance);
        }
        if patch.never_expires {
            account.expires_at = None;
        } else if let Some(at) = patch.expires_at {
            account.expires_at = Some(at);
        }
        Some(account.clone())
    }
}

impl TrustDecisionState {
    /// The state a snapshot describes, within the caps.
    pub fn restore(value: Value) -> Result<Self, String> {
        let state: Self = crate::scenario::restore_of(value)?;
        crate::state::bounded::fits("accounts", state.accounts.len(), MAX_PARTNERS)?;
        crate::state::bounded::fits("records", state.records.len(), MAX_RECORDS)?;
        Ok(state)
    }
}

impl crate::scenario::ProviderState for TrustDecisionState {
    fn snapshot(&self) -> Result<Value, String> {
        crate::scenario::snapshot_of(self)
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("accounts", self.accounts.len() as u64),
            ("records", self.records.len() as u64),
        ]
    }

    /// Per entity: a record keeps the request's body (≤ 4 KB) and the answer as sent;
    /// ≈ 3 KB counted, the estimate from when both were `Value` trees, kept so that
    /// `state_total_bytes_cap` trims as before (it now over-counts); an account is a
    /// code and a few numbers (≈ 200 B).
    fn approx_bytes(&self) -> usize {
        self.records.len() * 3_000 + self.accounts.len() * 200
    }

    fn view(&self, now: DateTime<Utc>) -> Value {
        serde_json::json!({
            "calls": self.calls,
            "partners": self.partners(now),
            "records": self.records,
        })
    }
}

/// A special value in the indicator's own type.
fn special(kind: IndicatorType, value: i64) -> Value {
    match kind {
        IndicatorType::Int => Value::from(value),
        IndicatorType::String => Value::from(value.to_string()),
    }
}

/// One indicator for one person: the same seed, package, id_number and phone give the
/// same value in every run and tenant.
fn generate(
    seed: u64,
    package: &str,
    def: &IndicatorDef,
    id_number: &str,
    phone: &str,
) -> Indicator {
    let mut g = rng::rng_for(
        seed,
        &[
            "trustdecision",
            "indicator",
            package,
            &def.name,
            id_number,
            phone,
        ],
    );
    let roll: u8 = g.random_range(0..100);
    if roll < def.uncalculable_percent {
        return Indicator {
            indicator_name: def.name.clone(),
            indicator_value: special(def.kind, wire::UNCALCULABLE),
            indicator_status: wire::STATUS_UNCALCULABLE,
        };
    }
    let value = match def.kind {
        IndicatorType::Int => {
            let (lo, hi) = (def.min.min(def.max), def.min.max(def.max));
            Value::from(g.random_range(lo..=hi))
        }
        IndicatorType::String => match def.choices.len() {
            0 => Value::from(""),
            n => Value::from(
                def.choices
                    .get(g.random_range(0..n))
                    .cloned()
                    .unwrap_or_default(),
            ),
        },
    };
    Indicator {
        indicator_name: def.name.clone(),
        indicator_value: value,
        indicator_status: wire::STATUS_OK,
    }
}

/// A value given in the scenario: a bare value (status from the special values) or
/// `{value, status}`.
fn explicit(name: &str, given: &Value) -> Indicator {
    let (value, status) = match given {
        Value::Object(o) => {
            let value = o
                .get("value")
                .cloned()
                .unwrap_or(Value::from(wire::UNCALCULABLE));
            let status = o
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            (value, status)
        }
        other => (other.clone(), None),
    };
    let special = value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
    let status = status.unwrap_or(match special {
        Some(wire::NO_RECORD) => wire::STATUS_NO_RECORD,
        Some(wire::UNCALCULABLE) => wire::STATUS_UNCALCULABLE,
        _ => wire::STATUS_OK,
    });
    Indicator {
        indicator_name: name.to_string(),
        indicator_value: value,
        indicator_status: status,
    }
}

/// The indicators of `package` for a person: a subject's exact values, -999 for a subject
/// without a record, otherwise generated.
pub fn indicators(
    seed: u64,
    package: &Package,
    id_number: &str,
    phone: &str,
    subject: Option<&Subject>,
) -> Vec<Indicator> {
    if let Some(given) = subject.and_then(|s| s.indicators.get(&package.name)) {
        // In the package's order, then any names the package does not define.
        let defined = package
            .indicators
            .iter()
            .filter_map(|d| given.get_key_value(&d.name));
        let extra = given
            .iter()
            .filter(|(n, _)| !package.indicators.iter().any(|d| &&d.name == n));
        return defined
            .chain(extra)
            .map(|(name, v)| explicit(name, v))
            .collect();
    }
    if subject.is_some_and(|s| s.no_record) {
        return package
            .indicators
            .iter()
            .map(|d| Indicator {
                indicator_name: d.name.clone(),
                indicator_value: special(d.kind, wire::NO_RECORD),
                indicator_status: wire::STATUS_NO_RECORD,
            })
            .collect();
    }
    package
        .indicators
        .iter()
        .map(|d| generate(seed, &package.name, d, id_number, phone))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::trustdecision::scenario::Partner;

    fn package() -> Package {
        Package {
            name: "p".into(),
            indicators: vec![
                IndicatorDef {
                    name: "n".into(),
                    min: 0,
                    max: 1000,
                    ..Default::default()
                },
                IndicatorDef {
                    name: "s".into(),
                    kind: IndicatorType::String,
                    choices: vec!["a".into(), "b".into(), "c".into()],
                    ..Default::default()
                },
            ],
        }
    }

    fn state_with(partner: Partner) -> TrustDecisionState {
        let scenario = TrustDecisionScenario {
            partners: vec![partner],
            ..Default::default()
        };
        TrustDecisionState::new(&scenario, 1, "t")
    }

    #[test]
    fn same_person_same_indicators_other_seed_differs() {
        let a = indicators(1, &package(), "X1", "0123", None);
        let b = indicators(1, &package(), "X1", "0123", None);
        let c = indicators(2, &package(), "X1", "0123", None);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a[0].indicator_value.is_i64());
        assert!(a[1].indicator_value.is_string());
    }

    #[test]
    fn no_record_subject_gets_minus_999_in_each_type() {
        let subject = Subject {
            id_number: "X".into(),
            no_record: true,
            ..Default::default()
        };
        let got = indicators(1, &package(), "X", "0", Some(&subject));
        assert!(got.iter().all(|i| i.indicator_status == 201));
        assert_eq!(got[0].indicator_value, Value::from(-999));
        assert_eq!(got[1].indicator_value, Value::from("-999"));
    }

    #[test]
    fn uncalculable_percent_100_gives_202() {
        let mut p = package();
        p.indicators[0].uncalculable_percent = 100;
        let got = indicators(1, &p, "X", "0", None);
        assert_eq!(got[0].indicator_status, 202);
        assert_eq!(got[0].indicator_value, Value::from(-1111));
    }

    #[test]
    fn balance_runs_out_then_303() {
        let mut s = state_with(Partner {
            code: "p".into(),
            balance: Some(2),
            ..Default::default()
        });
        assert!(s.spend("p").is_ok());
        assert!(s.spend("p").is_ok());
        assert_eq!(s.spend("p"), Err(TdError::NoBalance));
        assert_eq!(s.accounts["p"].spent, 2);
    }

    #[test]
    fn expiry_on_the_clock_is_expired() {
        let at = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let s = state_with(Partner {
            code: "p".into(),
            expires_at: Some(at),
            ..Default::default()
        });
        assert!(s.usable("p", at - chrono::Duration::seconds(1)).is_ok());
        assert_eq!(s.usable("p", at), Err(TdError::Expired));
    }

    #[test]
    fn records_are_capped_oldest_first() {
        let mut s = state_with(Partner::default());
        for i in 0..MAX_RECORDS + 5 {
            s.record(Record {
                sequence_id: i.to_string(),
                time: DateTime::<Utc>::MIN_UTC,
                partner_code: None,
                request: None,
                response: Kept::Restored(Value::Null),
            });
        }
        assert_eq!(s.records.len(), MAX_RECORDS);
        assert_eq!(s.records.front().map(|r| r.sequence_id.as_str()), Some("5"));
    }

    #[test]
    fn sequence_id_is_millis_and_19_hex() {
        let mut s = state_with(Partner::default());
        let now = DateTime::parse_from_rfc3339("2022-04-01T01:39:25.770Z")
            .unwrap()
            .to_utc();
        let id = s.next_sequence_id(now);
        assert_eq!(id.len(), 32);
        assert!(id.starts_with("1648777165770"));
        assert!(
            id[13..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert_ne!(id, s.next_sequence_id(now));
    }
}
