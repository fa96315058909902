//! The `carmachain:` section of a scenario.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::providers::CodeOverride;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarmaChainScenario {
    /// HS256 secret that signs API keys.
    pub jwt_secret: String,
    /// Virtual hours an API key lives (the document: 24).
    pub key_ttl_hours: u32,
    /// Who may call `getToken`. Empty: anyone, with every method in scope.
    pub clients: Vec<Client>,
    /// Virtual seconds a request stays `Panding` unless a peer or person says otherwise.
    pub pending_seconds: u64,
    /// The data-sharing peers.
    pub peers: Vec<Peer>,
    /// Per-person behaviour, by `people` id.
    pub persons: Vec<PersonRule>,
    /// `IdDocument` values that answer `internal_error` on createrequest.
    pub error_documents: Vec<String>,
    /// Changes to the code table by code name (see `/__sandbox/errors`).
    pub codes: BTreeMap<String, CodeOverride>,
}

impl Default for CarmaChainScenario {
    fn default() -> Self {
        Self {
            jwt_secret: "carmachain-sandbox-secret".into(),
            key_ttl_hours: 24,
            clients: Vec::new(),
            pending_seconds: 5,
            peers: Vec::new(),
            persons: Vec::new(),
            error_documents: Vec::new(),
            codes: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Client {
    /// HTTP Basic user name on `getToken`; absent: the open client that answers calls
    /// without credentials.
    pub username: Option<String>,
    pub password: String,
    /// Methods its keys may call (`createrequest`, `respond`); empty: all.
    pub scope: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Peer {
    /// `idPpeers` on the wire.
    pub id: String,
    /// `people` ids this peer holds data on.
    pub knows: Vec<String>,
    /// Holds data on everyone, strangers included.
    pub knows_everyone: bool,
    /// Categories it shares; empty: all nine.
    pub categories: Vec<String>,
    /// Seconds its answer takes (instead of `pending_seconds`).
    pub pending_seconds: Option<u64>,
    /// Fixed values: person id → category → field → value; the rest is generated.
    pub data: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonRule {
    /// A `people` id.
    pub person: String,
    /// Seconds this person's requests stay pending (wins over peers).
    pub pending_seconds: Option<u64>,
    /// Stays `Panding` until `POST /__sandbox/carmachain/requests/{id}/complete`.
    pub never_completes: bool,
}
