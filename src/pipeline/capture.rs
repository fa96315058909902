//! Step 1: what the request was, taken once, for the rules, the journal and the log.

use std::time::{Duration, Instant};

use actix_web::{
    dev::{Payload, ServiceRequest},
    web::{Bytes, BytesMut},
};
use futures_util::StreamExt;

use crate::headers::Headers;
use crate::provider::{Asked, Provider};

/// Headers kept in the journal, so a request with thousands cannot grow it.
const MAX_JOURNAL_HEADERS: usize = 64;

/// A request as the later steps see it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub started: Instant,
    pub method: String,
    /// The whole path, prefix included.
    pub full_path: String,
    /// The path below the provider prefix.
    pub path: String,
    pub query: String,
    pub headers: Headers,
    /// The body, or `Err(limit)` when it was over the limit.
    pub body: Result<Bytes, usize>,
}

impl Captured {
    /// The request as a renderer sees it.
    pub fn asked(&self) -> Asked<'_> {
        Asked {
            path: &self.path,
            headers: &self.headers,
            body: self.body.as_deref().unwrap_or_default(),
        }
    }
}

pub async fn capture(provider: &dyn Provider, req: &mut ServiceRequest, limit: usize) -> Captured {
    let full_path = req.path().to_string();
    let path = full_path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(provider.name()))
        .unwrap_or(&full_path)
        .to_string();
    let pairs = || {
        req.headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes()))
    };
    let headers = Headers::capture(pairs, MAX_JOURNAL_HEADERS);
    Captured {
        started: Instant::now(),
        method: req.method().to_string(),
        query: req.query_string().to_string(),
        full_path,
        path,
        headers,
        body: read_body(req, limit).await.ok_or(limit),
    }
}

/// The body, or `None` when it is over `limit`; the rest is drained (not kept) so the
/// client can read the answer instead of seeing a broken pipe.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Option<Bytes> {
    let (_, payload) = req.parts_mut();
    let mut payload = std::mem::replace(payload, Payload::None);
    let mut buf = BytesMut::new();
    let mut over = false;
    let drain_deadline = Instant::now() + Duration::from_secs(10);
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            break;
        };
        if over {
            if Instant::now() > drain_deadline {
                break;
            }
            continue;
        }
        if buf.len() + chunk.len() > limit {
            over = true;
            buf.clear();
            continue;
        }
        buf.extend_from_slice(&chunk);
    }
    (!over).then(|| buf.freeze())
}
