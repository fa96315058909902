//! Step 1: what the request was, taken once, for the rules, the journal and the log.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use actix_web::{
    dev::{Payload, ServiceRequest},
    http::Method,
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
    /// Borrowed for the standard methods, so most requests allocate nothing for it.
    pub method: Cow<'static, str>,
    /// The whole path, prefix included.
    pub full_path: String,
    /// Where the path below the provider prefix starts in `full_path`.
    pub(super) below: usize,
    pub query: String,
    pub headers: Headers,
    /// The body, or `Err(limit)` when it was over the limit.
    pub body: Result<Bytes, usize>,
}

impl Captured {
    /// The path below the provider prefix.
    pub fn path(&self) -> &str {
        self.full_path.get(self.below..).unwrap_or_default()
    }

    /// The request as a renderer sees it.
    pub fn asked(&self) -> Asked<'_> {
        Asked {
            path: self.path(),
            headers: &self.headers,
            body: self.body.as_deref().unwrap_or_default(),
        }
    }
}

pub async fn capture(provider: &dyn Provider, req: &mut ServiceRequest, limit: usize) -> Captured {
    let full_path = req.path().to_string();
    let below = full_path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(provider.name()))
        .map_or(0, |p| full_path.len() - p.len());
    let pairs = || {
        req.headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes()))
    };
    let headers = Headers::capture(pairs, MAX_JOURNAL_HEADERS);
    Captured {
        started: Instant::now(),
        method: method_text(req.method()),
        query: req.query_string().to_string(),
        full_path,
        below,
        headers,
        body: read_body(req, limit).await.ok_or(limit),
    }
}

fn method_text(method: &Method) -> Cow<'static, str> {
    static STANDARD: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    match STANDARD.iter().find(|m| *m == method) {
        Some(m) => Cow::Borrowed(m.as_str()),
        None => Cow::Owned(method.as_str().to_string()),
    }
}

/// The body, or `None` when it is over `limit`; the rest is drained (not kept) so the
/// client can read the answer instead of seeing a broken pipe. A body of one chunk is
/// kept as that chunk (no copy); the journal copies what it keeps (`Body::new`).
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Option<Bytes> {
    let (_, payload) = req.parts_mut();
    let mut payload = std::mem::replace(payload, Payload::None);
    let mut first: Option<Bytes> = None;
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
        let held = first.as_ref().map_or(0, Bytes::len) + buf.len();
        if held + chunk.len() > limit {
            over = true;
            (first, buf) = (None, BytesMut::new());
            continue;
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            None => buf.extend_from_slice(&chunk),
            Some(held) => {
                buf.extend_from_slice(&held);
                buf.extend_from_slice(&chunk);
            }
        }
    }
    (!over).then(|| first.unwrap_or_else(|| buf.freeze()))
}
