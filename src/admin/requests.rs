//! The journal over HTTP: `GET /__sandbox/requests` with filters, optionally waiting
//! (`wait`, `count`) until enough matching entries exist, so a test of an asynchronous
//! flow needs no sleep; and `DELETE` to clear it.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::json;

use super::{bad_request, ok};
use crate::journal::{Entry, Filter, WaitRefused, Waiters};
use crate::provider::{Ctx, SANDBOX_ERROR_HEADER, sandbox_error};
use crate::state::Tenant;

/// The longest a reader may wait, in seconds.
const MAX_WAIT_SECS: f64 = 60.0;

/// The query, as read and as the admin document describes it (one type for both).
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// Only this provider's entries (`ubki`, `dcm`, ...).
    provider: Option<String>,
    /// Entries shown, newest first (default 100).
    limit: Option<usize>,
    /// HTTP method, any case.
    #[param(max_length = 16, pattern = "^[A-Za-z]+$")]
    method: Option<String>,
    /// A glob over the whole path, prefix included (`/ubki/bonusservice/*`).
    path: Option<String>,
    status: Option<u16>,
    /// The provider code answered.
    code: Option<String>,
    /// Only entries after the entry of this id.
    since: Option<u64>,
    /// Seconds to wait until `count` entries match (0 to 60); 408 if they do not.
    #[param(minimum = 0, maximum = 60)]
    wait: Option<f64>,
    /// Entries to wait for (with `wait`; default 1).
    #[param(minimum = 1)]
    count: Option<usize>,
}

/// A checked query: what to match, how many to show, and how long to wait for how many.
struct Ask {
    filter: Filter,
    limit: usize,
    wait: Option<Duration>,
    count: usize,
}

impl Ask {
    fn parse(q: JournalQuery, journal_cap: usize) -> Result<Self, String> {
        if let Some(m) = &q.method
            && (m.is_empty() || m.len() > 16 || !m.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            return Err(format!("`method` is an HTTP method such as GET, not `{m}`"));
        }
        let path = match q.path.as_deref().map(glob::Pattern::new).transpose() {
            Ok(p) => p,
            Err(e) => return Err(format!("`path` is not a glob pattern: {e}")),
        };
        let wait = match q.wait {
            None => None,
            Some(s) if s.is_finite() && (0.0..=MAX_WAIT_SECS).contains(&s) => {
                Some(Duration::from_secs_f64(s))
            }
            Some(s) => return Err(format!("`wait` is 0 to {MAX_WAIT_SECS} seconds, not {s}")),
        };
        let count = q.count.unwrap_or(1);
        if q.count.is_some() && wait.is_none() {
            return Err("`count` says how many entries to wait for: give `wait` too".into());
        }
        if count == 0 || count > journal_cap.max(1) {
            return Err(format!(
                "`count` is 1 to the journal cap ({journal_cap}), not {count}"
            ));
        }
        let filter = Filter {
            provider: q.provider,
            method: q.method,
            path,
            status: q.status,
            code: q.code,
            since: q.since,
        };
        Ok(Self {
            filter,
            limit: q.limit.unwrap_or(100),
            wait,
            count,
        })
    }
}

pub async fn requests(
    ctx: Ctx,
    q: web::Query<JournalQuery>,
    waiters: web::Data<Waiters>,
) -> HttpResponse {
    let ask = match Ask::parse(q.into_inner(), ctx.sandbox.settings.journal_cap) {
        Ok(ask) => ask,
        Err(message) => return bad_request(&message),
    };
    let Some(wait) = ask.wait else {
        let (_, entries) = ctx.tenant.journal.lock().select(&ask.filter, ask.limit);
        return answer(&ctx, &ctx.tenant, entries, StatusCode::OK);
    };
    match wait_for(&ctx, &ask, wait, &waiters).await {
        Ok((enough, tenant, entries)) => {
            let status = if enough {
                StatusCode::OK
            } else {
                StatusCode::REQUEST_TIMEOUT
            };
            answer(&ctx, &tenant, entries, status)
        }
        Err(refused) => {
            let message = match refused {
                WaitRefused::Tenant(cap) => {
                    format!("this tenant has {cap} waiting calls already (`wait_tenant_cap`)")
                }
                WaitRefused::All(cap) => {
                    format!("the sandbox has {cap} waiting calls already (`wait_cap`)")
                }
            };
            sandbox_error(StatusCode::TOO_MANY_REQUESTS, "wait-cap", &message, None)
        }
    }
}

/// Waits until `ask.count` entries match or `wait` passes: `(enough, tenant, entries)`.
/// Woken by the journal's signal on each new entry; the notification is enabled before
/// the journal is read, so an entry recorded in between is never missed. A reset, a
/// loaded snapshot or an eviction replaces the tenant and wakes its readers, who go on
/// waiting on the journal now held under the name.
async fn wait_for(
    ctx: &Ctx,
    ask: &Ask,
    wait: Duration,
    waiters: &Waiters,
) -> Result<(bool, Arc<Tenant>, Vec<Entry>), WaitRefused> {
    let mut seat = Seat::take(waiters, ctx.tenant.clone())?;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let signal = seat.tenant.journal.lock().signal();
        let mut notified = std::pin::pin!(signal.notified());
        notified.as_mut().enable();
        let held = ctx.sandbox.held(&seat.tenant.name);
        if let Some(held) = &held
            && !Arc::ptr_eq(held, &seat.tenant)
        {
            seat.move_to(held.clone());
            continue;
        }
        let (matched, entries) = seat.tenant.journal.lock().select(&ask.filter, ask.limit);
        if matched >= ask.count {
            return Ok((true, seat.tenant.clone(), entries));
        }
        // Evicted, the tenant comes back with the next request for it, which wakes no
        // one here: look again every `ORPHAN_POLL` until then.
        let until = match held {
            Some(_) => deadline,
            None => deadline.min(tokio::time::Instant::now() + ORPHAN_POLL),
        };
        if tokio::time::timeout_at(until, notified).await.is_err() && until == deadline {
            return Ok((false, seat.tenant.clone(), entries));
        }
    }
}

/// How often a reader of an evicted tenant looks for the tenant built again.
const ORPHAN_POLL: Duration = Duration::from_millis(50);

/// A waiting reader's place under the caps, given back however the wait ends (an
/// answer, or the client going away and the handler being dropped).
struct Seat<'a> {
    waiters: &'a Waiters,
    tenant: Arc<Tenant>,
}

impl<'a> Seat<'a> {
    fn take(waiters: &'a Waiters, tenant: Arc<Tenant>) -> Result<Self, WaitRefused> {
        waiters.enter(&mut tenant.journal.lock())?;
        Ok(Self { waiters, tenant })
    }

    fn move_to(&mut self, tenant: Arc<Tenant>) {
        self.waiters.moved(&self.tenant.journal, &tenant.journal);
        self.tenant = tenant;
    }
}

impl Drop for Seat<'_> {
    fn drop(&mut self) {
        self.waiters.leave(&mut self.tenant.journal.lock());
    }
}

/// The journal answer: its figures and the entries, newest first; a 408 also carries
/// the sandbox's error fields.
fn answer(ctx: &Ctx, tenant: &Tenant, entries: Vec<Entry>, status: StatusCode) -> HttpResponse {
    let journal = tenant.journal.lock();
    let mut body = json!({
        "tenant": tenant.name,
        "total": journal.len(),
        "cap": ctx.sandbox.settings.journal_cap,
        "bytes": journal.bytes(),
        "bytes_cap": ctx.sandbox.settings.journal_bytes_cap,
        "dropped": journal.dropped(),
        "waiting": journal.waiting(),
        "requests": entries,
    });
    let mut res = HttpResponse::build(status);
    if status == StatusCode::REQUEST_TIMEOUT {
        body["sandbox_error"] = json!("wait-timeout");
        body["message"] = json!("fewer matching entries than `count` arrived within `wait`");
        res.insert_header((SANDBOX_ERROR_HEADER, "wait-timeout"));
    }
    res.json(body)
}

pub async fn clear(ctx: Ctx) -> HttpResponse {
    ctx.tenant.journal.lock().clear();
    ok(json!({ "status": "cleared", "tenant": ctx.tenant.name }))
}
