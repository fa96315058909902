//! SberSafe's state in one tenant: clients (from the scenario and created), access
//! codes awaiting their OTP, and access tokens. Times are the tenant's virtual clock;
//! dates are written in Moscow time, as the provider writes them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Moscow;
use serde::{Deserialize, Serialize};
use serde_with::serde_as;

use super::codes::SberError;
use super::errors::request_id;
use super::scenario::{ClientSpec, SberSafeScenario};
use crate::clock::{push_ascii, write_digits, zone_offset};
use crate::rng;
use crate::state::bounded::{fits, make_room};

/// Access codes kept per tenant; expired and spent ones go first, then the oldest.
pub const MAX_ACCESS_CODES: usize = 10_000;
/// Tokens kept per tenant, presets aside; expired ones go first, then the oldest issued.
pub const MAX_TOKENS: usize = 10_000;
/// Clients created through `/api/clients/create`; beyond it create answers SYSTEM_ERROR.
pub const MAX_CREATED_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contact {
    pub kind: String,
    /// Phones as 10 digits, emails lower-cased, addresses as written.
    pub value: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binding {
    pub uuid: String,
    pub created: DateTime<Utc>,
    pub mnemonic: String,
    pub payment_system: String,
    pub pan: String,
    pub extended_info: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub uuid: String,
    pub created: DateTime<Utc>,
    pub contacts: Vec<Contact>,
    pub contacts_extra: Vec<Contact>,
    pub bindings: Vec<Binding>,
    pub card_virtual: bool,
    /// The merchant that created it at run time.
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessCode {
    pub code: String,
    pub client: String,
    pub merchant: String,
    pub otp: String,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub failures: u32,
    pub used: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub token: String,
    pub client: String,
    pub merchant: String,
    pub issued: DateTime<Utc>,
    /// `None`: a scenario token that never expires.
    pub expires: Option<DateTime<Utc>>,
    /// From the scenario: never evicted, so an expired preset keeps answering expired.
    pub preset: bool,
}

impl AccessCode {
    /// Still good for its OTP: not used, not locked, not expired.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        !self.used && !self.locked && now < self.expires
    }
}

impl Token {
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_none_or(|e| now < e)
    }
}

/// The OTP rules of the scenario, as `redeem` needs them.
pub struct OtpRules<'a> {
    pub fixed: Option<&'a str>,
    pub attempts: u32,
    pub token_ttl: Duration,
}

/// Serialised whole for snapshots, its counters with it, so generated codes, tokens
/// and clients continue the same sequence.
#[serde_as]
#[derive(Serialize, Deserialize)]
pub struct SberSafeState {
    tenant: String,
    seed: u64,
    issued: u64,
    requests: u64,
    pub clients: Vec<Client>,
    pub created: usize,
    pub access_codes: HashMap<String, AccessCode>,
    pub tokens: HashMap<String, Token>,
    /// (merchant, transactionNumber) → client uuid, so a repeated create answers the same client.
    #[serde_as(as = "Vec<(_, _)>")]
    pub transactions: BTreeMap<(String, String), String>,
}

/// A scenario client with every generated value filled in.
pub fn client_from_spec(seed: u64, spec: &ClientSpec) -> Client {
    let mut g = rng::rng_for(seed, &["sbersafe", "client", &spec.id]);
    let uuid = spec
        .uuid
        .clone()
        .unwrap_or_else(|| rng::hex_upper(&mut g, 32));
    let created = spec.created.unwrap_or_else(|| past_date(&mut g));
    let contact = |c: &super::scenario::ContactSpec| Contact {
        kind: c.kind.clone(),
        value: if c.kind == "EMAIL" {
            c.value.to_lowercase()
        } else {
            c.value.clone()
        },
        status: c.status.clone().unwrap_or_else(|| "ACTIVE".into()),
    };
    let bindings = spec
        .bindings
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut g = rng::rng_for(seed, &["sbersafe", "binding", &spec.id, &i.to_string()]);
            Binding {
                uuid: b.uuid.clone().unwrap_or_else(|| rng::hex_upper(&mut g, 32)),
                created: b.created.unwrap_or_else(|| past_date(&mut g)),
                mnemonic: b.mnemonic.clone(),
                payment_system: b.payment_system.clone(),
                pan: b.pan.clone(),
                extended_info: b.extended_info,
            }
        })
        .collect();
    Client {
        id: spec.id.clone(),
        uuid,
        created,
        contacts: spec.contacts.iter().map(contact).collect(),
        contacts_extra: spec.contacts_extra.iter().map(contact).collect(),
        bindings,
        card_virtual: spec.card_virtual,
        created_by: None,
    }
}

/// A moment between 2015 and 2020, for scenario records that give none.
fn past_date(g: &mut rng::Rng) -> DateTime<Utc> {
    use fake::rand::RngExt;
    let start = Utc
        .with_ymd_and_hms(2015, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    start + Duration::milliseconds(g.random_range(0..5 * 365 * 24 * 3_600_000i64))
}

impl SberSafeState {
    pub fn new(scenario: &SberSafeScenario, seed: u64, tenant: &str) -> Self {
        let clients: Vec<Client> = scenario
            .clients
            .iter()
            .map(|c| client_from_spec(seed, c))
            .collect();
        let tokens = scenario
            .tokens
            .iter()
            .filter_map(|t| {
                let client = clients.iter().find(|c| c.id == t.client)?;
                let token = Token {
                    token: t.token.clone(),
                    client: client.uuid.clone(),
                    merchant: t.merchant.clone(),
                    issued: DateTime::<Utc>::MIN_UTC,
                    expires: t.expires,
                    preset: true,
                };
                Some((t.token.clone(), token))
            })
            .collect();
        Self {
            tenant: tenant.to_string(),
            seed,
            issued: 0,
            requests: 0,
            clients,
            created: 0,
            access_codes: HashMap::new(),
            tokens,
            transactions: BTreeMap::new(),
        }
    }

    fn next(&mut self) -> String {
        self.issued += 1;
        self.issued.to_string()
    }

    /// The next answer's requestId: per tenant and counter, so runs repeat.
    pub fn request_id(&mut self) -> String {
        self.requests += 1;
        let n = self.requests.to_string();
        request_id(&mut rng::rng_for(
            self.seed,
            &["sbersafe", "requestId", &self.tenant, &n],
        ))
    }

    /// The client with an ACTIVE contact of `kind` equal to `value` (already normalized).
    pub fn find(&self, kind: &str, value: &str) -> Option<&Client> {
        self.clients.iter().find(|c| {
            c.contacts
                .iter()
                .any(|k| k.kind == kind && k.status == "ACTIVE" && k.value == value)
        })
    }

    pub fn client(&self, uuid: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.uuid == uuid)
    }

    /// A new access code for (client, merchant) with its generated OTP.
    pub fn issue_access_code(
        &mut self,
        client: &str,
        merchant: &str,
        otp_length: usize,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> AccessCode {
        make_room(
            &mut self.access_codes,
            MAX_ACCESS_CODES,
            |a| a.valid_at(now),
            |a| Some((a.issued, a.code.clone())),
        );
        let n = self.next();
        let mut g = rng::rng_for(self.seed, &["sbersafe", "accessCode", &self.tenant, &n]);
        let code = AccessCode {
            code: rng::hex_upper(&mut g, 32),
            client: client.to_string(),
            merchant: merchant.to_string(),
            otp: rng::digits(&mut g, otp_length.clamp(4, 12)),
            issued: now,
            expires: now + ttl,
            failures: 0,
            used: false,
            locked: false,
        };
        self.access_codes.insert(code.code.clone(), code.clone());
        code
    }

    /// Trades an access code and its OTP for a token. A wrong OTP counts toward the
    /// lock; the attempt that reaches the limit already answers OTP_ATTEMPTS_EXCEEDED.
    pub fn redeem(
        &mut self,
        code: &str,
        otp: &str,
        rules: &OtpRules,
        now: DateTime<Utc>,
    ) -> Result<Token, SberError> {
        let Some(a) = self.access_codes.get_mut(code) else {
            return Err(SberError::AccessCodeInvalid);
        };
        if a.used {
            return Err(SberError::AccessCodeUsed);
        }
        if a.locked {
            return Err(SberError::OtpLocked);
        }
        if now >= a.expires {
            return Err(SberError::AccessCodeExpired);
        }
        if otp != a.otp && rules.fixed != Some(otp) {
            a.failures += 1;
            if rules.attempts > 0 && a.failures >= rules.attempts {
                a.locked = true;
                return Err(SberError::OtpLocked);
            }
            return Err(SberError::OtpInvalid(
                rules.attempts.saturating_sub(a.failures),
            ));
        }
        a.used = true;
        let (client, merchant) = (a.client.clone(), a.merchant.clone());
        Ok(self.issue_token(&client, &merchant, rules.token_ttl, now))
    }

    fn issue_token(
        &mut self,
        client: &str,
        merchant: &str,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Token {
        make_room(
            &mut self.tokens,
            MAX_TOKENS,
            |t| t.valid_at(now),
            |t| (!t.preset).then(|| (t.issued, t.token.clone())),
        );
        let n = self.next();
        let mut g = rng::rng_for(self.seed, &["sbersafe", "token", &self.tenant, &n]);
        let token = Token {
            token: format!("{}.{}", rng::digits(&mut g, 15), rng::alnum(&mut g, 64)),
            client: client.to_string(),
            merchant: merchant.to_string(),
            issued: now,
            expires: Some(now + ttl),
            preset: false,
        };
        self.tokens.insert(token.token.clone(), token.clone());
        token
    }

    /// The token's owner, or why it is refused.
    pub fn token(&self, token: &str, now: DateTime<Utc>) -> Result<&Token, SberError> {
        match self.tokens.get(token) {
            None => Err(SberError::TokenInvalid("unknown access token".into())),
            Some(t) if !t.valid_at(now) => Err(SberError::TokenExpired),
            Some(t) => Ok(t),
        }
    }

    /// Creates a client, or answers the one a repeated (merchant, transactionNumber) made.
    pub fn create(
        &mut self,
        merchant: &str,
        transaction: &str,
        contacts: Vec<Contact>,
        contacts_extra: Vec<Contact>,
        now: DateTime<Utc>,
    ) -> Result<Client, SberError> {
        let key = (merchant.to_string(), transaction.to_string());
        if let Some(uuid) = self.transactions.get(&key)
            && let Some(c) = self.client(uuid)
        {
            return Ok(c.clone());
        }
        for c in &contacts {
            if self.find(&c.kind, &c.value).is_some() {
                return Err(SberError::ClientExists(format!(
                    "{} already belongs to a client",
                    c.kind
                )));
            }
        }
        if self.created >= MAX_CREATED_CLIENTS {
            return Err(SberError::SystemError(format!(
                "this tenant already created {MAX_CREATED_CLIENTS} clients"
            )));
        }
        let n = self.next();
        let mut g = rng::rng_for(self.seed, &["sbersafe", "created", &self.tenant, &n]);
        let client = Client {
            id: format!("created-{n}"),
            uuid: rng::hex_upper(&mut g, 32),
            created: now,
            contacts,
            contacts_extra,
            bindings: Vec::new(),
            card_virtual: false,
            created_by: Some(merchant.to_string()),
        };
        self.created += 1;
        self.transactions.insert(key, client.uuid.clone());
        self.clients.push(client.clone());
        Ok(client)
    }
}

/// `dd.MM.yyyy HH:mm:ss.SSS` in Moscow time, as SberSafe writes dates. Written field by
/// field: chrono's `format` parsing its pattern was an eighth of a clients answer
/// (benches/profile.sh sbersafe_clients.lua).
pub fn moscow(t: DateTime<Utc>) -> String {
    let utc = t.naive_utc();
    let local = utc + zone_offset(Moscow, &utc);
    let mut text = String::with_capacity(23);
    if let Ok(year @ 0..=9999) = u32::try_from(local.year()) {
        let mut template = *b"00.00.0000 00:00:00.000";
        let millis = local.nanosecond() % 1_000_000_000 / 1_000_000;
        let fields = [
            (0..2, local.day()),
            (3..5, local.month()),
            (6..10, year),
            (11..13, local.hour()),
            (14..16, local.minute()),
            (17..19, local.second()),
            (20..23, millis),
        ];
        for (at, n) in fields {
            write_digits(&mut template[at], u64::from(n));
        }
        if push_ascii(&mut text, &template) {
            return text;
        }
    }
    t.with_timezone(&Moscow)
        .format("%d.%m.%Y %H:%M:%S%.3f")
        .to_string()
}

impl SberSafeState {
    /// The state a snapshot describes, within the caps.
    pub fn restore(value: serde_json::Value) -> Result<Self, String> {
        let state: Self = crate::scenario::restore_of(value)?;
        fits("access_codes", state.access_codes.len(), MAX_ACCESS_CODES)?;
        fits("tokens", state.tokens.len(), MAX_TOKENS)?;
        fits("created", state.created, MAX_CREATED_CLIENTS)?;
        fits(
            "transactions",
            state.transactions.len(),
            MAX_CREATED_CLIENTS,
        )?;
        Ok(state)
    }
}

impl crate::scenario::ProviderState for SberSafeState {
    fn snapshot(&self) -> Result<serde_json::Value, String> {
        crate::scenario::snapshot_of(self)
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("clients", self.clients.len() as u64),
            ("access_codes", self.access_codes.len() as u64),
            ("tokens", self.tokens.len() as u64),
        ]
    }

    /// Per entity, from the README's figure (30,000 codes, tokens and clients ≈ 9 MB:
    /// ≈ 300 B each; a client, with its contacts and bindings, counted twice that); a
    /// transaction is two short keys and a value (≈ 150 B).
    fn approx_bytes(&self) -> usize {
        let issued = self.access_codes.len() + self.tokens.len();
        self.clients.len() * 600 + issued * 300 + self.transactions.len() * 150
    }

    fn view(&self, now: DateTime<Utc>) -> serde_json::Value {
        let mut codes: Vec<_> = self.access_codes.values().collect();
        codes.sort_by(|a, b| a.issued.cmp(&b.issued).then(a.code.cmp(&b.code)));
        let mut tokens: Vec<_> = self.tokens.values().collect();
        tokens.sort_by(|a, b| a.issued.cmp(&b.issued).then(a.token.cmp(&b.token)));
        serde_json::json!({
            "access_codes": codes.iter().map(|a| serde_json::json!({
                "accessCode": a.code,
                "otp": a.otp,
                "client": a.client,
                "merchant": a.merchant,
                "expires": moscow(a.expires),
                "failures": a.failures,
                "used": a.used,
                "locked": a.locked,
                "valid": a.valid_at(now),
            })).collect::<Vec<_>>(),
            "tokens": tokens.iter().map(|t| serde_json::json!({
                "accessToken": t.token,
                "client": t.client,
                "merchant": t.merchant,
                "expires": t.expires.map(moscow),
                "valid": t.valid_at(now),
            })).collect::<Vec<_>>(),
            "created_clients": self.clients.iter().filter(|c| c.created_by.is_some()).map(|c| serde_json::json!({
                "uuid": c.uuid,
                "createdDate": moscow(c.created),
                "merchant": c.created_by,
                "contacts": c.contacts.iter().map(|k| serde_json::json!({"type": k.kind, "value": k.value})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::scenario::PresetToken;
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn moscow_dates_are_chronos_pattern_written_by_hand() {
        // Before and after Moscow's 2011 and 2014 offset changes, a leap day, millis.
        for t in [
            "2010-10-30T22:59:59.999Z",
            "2011-03-26T23:00:00.001Z",
            "2014-10-25T21:59:59.5Z",
            "2024-02-29T23:30:07.042Z",
            "1970-01-01T00:00:00Z",
        ] {
            let t = at(t);
            let chrono = t
                .with_timezone(&Moscow)
                .format("%d.%m.%Y %H:%M:%S%.3f")
                .to_string();
            assert_eq!(moscow(t), chrono);
        }
    }

    #[test]
    fn request_ids_are_the_old_join_of_lower_case_parts() {
        let mut a = rng::rng_for(7, &["sbersafe", "requestId", "t", "1"]);
        let mut b = rng::rng_for(7, &["sbersafe", "requestId", "t", "1"]);
        let old = [8, 6, 6, 6, 6]
            .iter()
            .map(|&n| rng::alnum(&mut b, n).to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join("-");
        assert_eq!(request_id(&mut a), old);
    }

    fn state() -> SberSafeState {
        let mut scenario = SberSafeScenario::default();
        scenario.clients.push(ClientSpec {
            id: "c".into(),
            ..Default::default()
        });
        SberSafeState::new(&scenario, 1, "t")
    }

    fn rules() -> OtpRules<'static> {
        OtpRules {
            fixed: Some("000000"),
            attempts: 3,
            token_ttl: Duration::minutes(60),
        }
    }

    #[test]
    fn dates_are_moscow_time_with_milliseconds() {
        assert_eq!(
            moscow(at("2017-09-07T14:43:57.768Z")),
            "07.09.2017 17:43:57.768"
        );
    }

    #[test]
    fn access_code_is_single_use() {
        let mut s = state();
        let t0 = at("2024-01-01T00:00:00Z");
        let a = s.issue_access_code("U", "m", 6, Duration::minutes(5), t0);
        let token = s.redeem(&a.code, &a.otp, &rules(), t0).unwrap();
        assert_eq!(token.token.split('.').next().unwrap().len(), 15);
        assert_eq!(
            s.redeem(&a.code, "000000", &rules(), t0),
            Err(SberError::AccessCodeUsed)
        );
    }

    #[test]
    fn third_wrong_otp_locks_the_code() {
        let mut s = state();
        let t0 = at("2024-01-01T00:00:00Z");
        let a = s.issue_access_code("U", "m", 6, Duration::minutes(5), t0);
        assert_eq!(
            s.redeem(&a.code, "x", &rules(), t0),
            Err(SberError::OtpInvalid(2))
        );
        assert_eq!(
            s.redeem(&a.code, "x", &rules(), t0),
            Err(SberError::OtpInvalid(1))
        );
        assert_eq!(
            s.redeem(&a.code, "x", &rules(), t0),
            Err(SberError::OtpLocked)
        );
        assert_eq!(
            s.redeem(&a.code, "000000", &rules(), t0),
            Err(SberError::OtpLocked)
        );
    }

    #[test]
    fn access_code_and_token_expire() {
        let mut s = state();
        let t0 = at("2024-01-01T00:00:00Z");
        let a = s.issue_access_code("U", "m", 6, Duration::minutes(5), t0);
        let late = t0 + Duration::minutes(5);
        assert_eq!(
            s.redeem(&a.code, "000000", &rules(), late),
            Err(SberError::AccessCodeExpired)
        );
        let b = s.issue_access_code("U", "m", 6, Duration::minutes(5), t0);
        let tok = s.redeem(&b.code, "000000", &rules(), t0).unwrap();
        assert!(s.token(&tok.token, t0 + Duration::minutes(59)).is_ok());
        assert_eq!(
            s.token(&tok.token, t0 + Duration::minutes(60))
                .map(|t| t.token.clone()),
            Err(SberError::TokenExpired)
        );
    }

    #[test]
    fn expired_preset_token_survives_a_full_token_store() {
        let t0 = at("2024-01-01T00:00:00Z");
        let mut scenario = SberSafeScenario::default();
        scenario.clients.push(ClientSpec {
            id: "c".into(),
            ..Default::default()
        });
        scenario.tokens.push(PresetToken {
            token: "100000000000000.expired".into(),
            client: "c".into(),
            merchant: "m".into(),
            expires: Some(t0 - Duration::minutes(1)),
        });
        let mut s = SberSafeState::new(&scenario, 1, "t");

        // Full of live tokens (the oldest make room), then full again after they expired
        // (the dead make room): neither way may take the preset.
        let later = t0 + Duration::hours(2);
        for now in [t0, later] {
            for _ in 0..MAX_TOKENS {
                s.issue_token("U", "m", Duration::minutes(60), now);
            }
        }

        assert_eq!(s.tokens.len(), MAX_TOKENS);
        assert_eq!(
            s.token("100000000000000.expired", later)
                .map(|t| t.token.clone()),
            Err(SberError::TokenExpired)
        );
    }

    #[test]
    fn repeated_transaction_answers_the_same_client() {
        let mut s = state();
        let t0 = at("2024-01-01T00:00:00Z");
        let phone = || {
            vec![Contact {
                kind: "MPHONE".into(),
                value: "9000000001".into(),
                status: "ACTIVE".into(),
            }]
        };
        let a = s.create("m", "T1", phone(), vec![], t0).unwrap();
        let b = s.create("m", "T1", phone(), vec![], t0).unwrap();
        assert_eq!(a.uuid, b.uuid);
        assert!(matches!(
            s.create("m", "T2", phone(), vec![], t0),
            Err(SberError::ClientExists(_))
        ));
    }
}
