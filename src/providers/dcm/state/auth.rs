//! Who may call: Kratos login flows, the sessions they issue (and the scenario's preset
//! tokens), and the public keys a counterparty registers for its JWTs. Every id comes
//! from the tenant's one counter, so the same calls give the same ids.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::jwk::Jwk;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::DcmState;
use super::ids::{generated_guid, parse_uuid};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::bad;
use crate::providers::dcm::scenario::Employee;
use crate::rng;
use crate::state::bounded::make_room;

/// Registered keys per counterparty; beyond it 400.
pub(super) const MAX_JWKS: usize = 100;
/// Bytes of one registered JWK as sent (an RSA-4096 public key is under 1 KB); beyond it
/// 400, so 100 keys cannot hold 100 MiB of padding.
pub const MAX_JWK_BYTES: usize = 16 * 1024;
/// Open login flows per tenant; expired ones go first, then the oldest.
pub(super) const MAX_FLOWS: usize = 10_000;
/// Sessions from logins per tenant; expired ones go first, then the oldest.
pub(super) const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub id: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The last login attempt through it (Kratos saves the flow on each).
    pub updated_at: DateTime<Utc>,
    /// Where Kratos answers, as seen by the client that made the flow
    /// (`http://host:port/dcm/kratos`), for `ui.action`.
    pub base: String,
    /// The URL that made the flow.
    pub request_url: String,
}

/// Where a session was made: the client's address and its `User-Agent`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    pub ip_address: String,
    pub user_agent: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub token: String,
    /// The Kratos identity of the employee, the same in every tenant.
    pub identity_id: String,
    pub identifier: String,
    pub counterparty_guid: String,
    pub issued_at: DateTime<Utc>,
    /// `None`: a scenario token that never expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// `None` for a scenario token, which no client made.
    pub device: Option<Device>,
}

impl Session {
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// The Kratos identity id of the employee `identifier`: drawn from the seed and the
/// identifier (case folded, as logins match), so every tenant and run sees the same.
pub fn identity_id(seed: u64, identifier: &str) -> String {
    generated_guid(seed, &["dcm", "identity", &identifier.to_lowercase()])
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisteredJwk {
    pub guid: String,
    pub jwk: Jwk,
    pub raw: Value,
    pub created_at: DateTime<Utc>,
}

/// `now + d`, or the provider's 400 when it falls outside chrono's range (the scenario's
/// bounds keep it inside; this keeps a request from ever panicking on it).
fn later(now: DateTime<Utc>, d: Duration, what: &str) -> Result<DateTime<Utc>, DcmError> {
    now.checked_add_signed(d).ok_or_else(|| {
        bad(format!(
            "the {what} would expire past the end of the calendar"
        ))
    })
}

impl DcmState {
    /// The next id of the tenant's counter, as a GUID.
    fn next_guid(&mut self, kind: &str) -> String {
        self.issued += 1;
        let n = self.issued.to_string();
        generated_guid(self.seed, &["dcm", kind, &self.tenant, &n])
    }

    /// A login flow answered under `base` (see `Flow::base`). `Err` when `now + lifetime`
    /// leaves chrono's range (nothing changes then).
    pub fn new_flow(
        &mut self,
        now: DateTime<Utc>,
        lifetime: Duration,
        base: String,
        request_url: String,
    ) -> Result<Flow, DcmError> {
        let expires_at = later(now, lifetime, "login flow")?;
        make_room(
            &mut self.flows,
            MAX_FLOWS,
            |f| f.expires_at > now,
            |f| Some((f.issued_at, f.id.clone())),
        );
        let id = self.next_guid("flow");
        let flow = Flow {
            id: id.clone(),
            issued_at: now,
            expires_at,
            updated_at: now,
            base,
            request_url,
        };
        self.flows.insert(id, flow.clone());
        Ok(flow)
    }

    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.get(id)
    }

    /// The flow a login attempt goes through, its `updated_at` moved to `now`. As in
    /// Kratos, a flow serves any number of attempts until it expires; an expired one
    /// stays (every later attempt is told so too) and the 410 names a new flow made like
    /// it, the one to use.
    pub fn attempt_through(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<Flow, DcmError> {
        let flow = self.flows.get_mut(id).ok_or(DcmError::FlowNotFound)?;
        if now >= flow.expires_at {
            let (expired_at, base, url) =
                (flow.expires_at, flow.base.clone(), flow.request_url.clone());
            let fresh = self.new_flow(now, lifetime, base, url)?;
            return Err(DcmError::FlowExpired(fresh.id, expired_at));
        }
        flow.updated_at = now;
        Ok(flow.clone())
    }

    /// A session of `employee`, made by `device` (address, `User-Agent`).
    pub fn issue_session(
        &mut self,
        employee: &Employee,
        now: DateTime<Utc>,
        lifetime: Duration,
        device: (String, String),
    ) -> Result<Session, DcmError> {
        let expires_at = later(now, lifetime, "session")?;
        make_room(
            &mut self.sessions,
            MAX_SESSIONS,
            |s| s.valid_at(now),
            |s| Some((s.issued_at, s.token.clone())),
        );
        self.issued += 1;
        let n = self.issued.to_string();
        let mut r = rng::rng_for(self.seed, &["dcm", "session", &self.tenant, &n]);
        let token = format!("ory_st_{}", rng::alnum(&mut r, 32));
        let id = rng::uuid(&mut r).hyphenated().to_string();
        let device = Device {
            id: rng::uuid(&mut r).hyphenated().to_string(),
            ip_address: device.0,
            user_agent: device.1,
        };
        let session = Session {
            id,
            token: token.clone(),
            identity_id: identity_id(self.seed, &employee.identifier),
            identifier: employee.identifier.clone(),
            counterparty_guid: parse_uuid(&employee.counterparty_guid).unwrap_or_default(),
            issued_at: now,
            expires_at: Some(expires_at),
            device: Some(device),
        };
        self.sessions.insert(token, session.clone());
        Ok(session)
    }

    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Option<&Session> {
        self.sessions
            .get(token)
            .or_else(|| self.preset.get(token))
            .filter(|s| s.valid_at(now))
    }

    /// Ends the session of `token` (a scenario token too), live or expired; `false` when
    /// there is none.
    pub fn revoke(&mut self, token: &str) -> bool {
        self.sessions.remove(token).is_some() | self.preset.remove(token).is_some()
    }

    /// Registers a public key of `cg`; answers its GUID.
    pub fn register_jwk(
        &mut self,
        cg: &str,
        jwk: Jwk,
        raw: Value,
        now: DateTime<Utc>,
    ) -> Result<String, DcmError> {
        if self.counterparty_or_404(cg)?.jwks.len() >= MAX_JWKS {
            return Err(bad(format!(
                "a counterparty holds at most {MAX_JWKS} keys in the sandbox"
            )));
        }
        // Only after the checks: a refused key must not shift the ids issued after it.
        let guid = self.next_guid("jwk");
        self.counterparty_or_404_mut(cg)?.jwks.push(RegisteredJwk {
            guid: guid.clone(),
            jwk,
            raw,
            created_at: now,
        });
        Ok(guid)
    }
}
