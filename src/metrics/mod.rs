//! The server's Prometheus metrics, one registry per `Sandbox` (so servers in one process,
//! as in the tests, never share counts). The request path writes only its thread's
//! stripe (`striped`: no allocation once a series exists, no line shared with the other
//! workers); gauges are filled from the tenants at scrape time (`render`).

mod striped;

use parking_lot::Mutex;
use prometheus::{
    Encoder, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use striped::Striped;

/// The `endpoint` label of a request no route matched, so raw paths never become labels.
pub const UNMATCHED: &str = "unmatched";

/// One answered provider request, as the request path knows it.
pub struct Answered<'a> {
    pub tenant: &'a str,
    pub provider: &'a str,
    /// The route template matched, or `UNMATCHED`.
    pub endpoint: &'a str,
    pub code: &'a str,
    pub status: &'a str,
    pub forced: bool,
    pub seconds: f64,
}

/// What one tenant holds at scrape time.
pub struct TenantFigures {
    pub name: String,
    pub journal_entries: u64,
    pub journal_bytes: u64,
    /// `(provider, kind, count)`: customers, keys, requests, tokens...
    pub entities: Vec<(&'static str, &'static str, u64)>,
}

pub struct Metrics {
    registry: Registry,
    tenant_label: bool,
    /// `sandbox_requests_total` and `sandbox_request_duration_seconds`.
    requests: Striped,
    rule_fired: IntCounterVec,
    scenario_loads: IntCounterVec,
    journal_dropped: IntCounter,
    tenants_dropped: IntCounterVec,
    tenants: IntGauge,
    journal_entries: IntGaugeVec,
    journal_bytes: IntGaugeVec,
    entities: IntGaugeVec,
    /// One scrape at a time: gauges are reset and refilled for each.
    scrape: Mutex<()>,
}

impl Metrics {
    /// With `tenant_label`, request counts and per-tenant gauges carry a `tenant` label
    /// (off by default: tenants are many and short-lived, series would pile up).
    pub fn new(tenant_label: bool) -> Self {
        let t = |labels: &[&'static str]| -> Vec<&'static str> {
            let mut all = labels.to_vec();
            if tenant_label {
                all.push("tenant");
            }
            all
        };
        let registry = Registry::new();
        let requests = requests(&t(&["provider", "endpoint", "code", "status", "forced"]));
        let metrics = Self {
            tenant_label,
            requests,
            rule_fired: counter_vec(
                "sandbox_rule_fired_total",
                "Scenario and runtime rules fired",
                &["provider"],
            ),
            scenario_loads: counter_vec(
                "sandbox_scenario_loads_total",
                "Scenario loads, at start, through the API or the watcher",
                &["result"],
            ),
            journal_dropped: IntCounter::new(
                "sandbox_journal_dropped_total",
                "Journal entries evicted by the journal caps",
            )
            .unwrap_or_else(|e| unreachable!("static counter definition: {e}")),
            tenants_dropped: counter_vec(
                "sandbox_tenants_dropped_total",
                "Tenants let go: `tenant_cap` (the least recently used), `idle` \
                 (`tenant_idle_secs`), `state_budget` (`state_total_bytes_cap`)",
                &["reason"],
            ),
            tenants: IntGauge::new("sandbox_tenants", "Tenants held now")
                .unwrap_or_else(|e| unreachable!("static gauge definition: {e}")),
            journal_entries: gauge_vec("sandbox_journal_entries", "Journal entries held", &t(&[])),
            journal_bytes: gauge_vec(
                "sandbox_journal_bytes",
                "Bytes the journals hold, as counted against journal_bytes_cap",
                &t(&[]),
            ),
            entities: gauge_vec(
                "sandbox_entities",
                "Entities the provider states hold (customers, keys, requests, tokens...)",
                &t(&["provider", "kind"]),
            ),
            scrape: Mutex::new(()),
            registry,
        };
        metrics.register_all();
        metrics
    }

    fn register_all(&self) {
        let all: [Box<dyn prometheus::core::Collector>; 9] = [
            Box::new(self.requests.clone()),
            Box::new(self.rule_fired.clone()),
            Box::new(self.scenario_loads.clone()),
            Box::new(self.journal_dropped.clone()),
            Box::new(self.tenants_dropped.clone()),
            Box::new(self.tenants.clone()),
            Box::new(self.journal_entries.clone()),
            Box::new(self.journal_bytes.clone()),
            Box::new(self.entities.clone()),
        ];
        for collector in all {
            // Names are distinct constants and the registry is new: this cannot fail.
            let _ = self.registry.register(collector);
        }
    }

    /// Counts one answered provider request; the hot path's only call.
    pub fn answered(&self, a: &Answered) {
        let forced = if a.forced { "true" } else { "false" };
        let base = [a.provider, a.endpoint, a.code, a.status, forced, a.tenant];
        let labels = if self.tenant_label {
            &base[..]
        } else {
            &base[..5]
        };
        self.requests.record(labels, a.seconds);
    }

    pub fn rule_fired(&self, provider: &str) {
        if let Ok(c) = self.rule_fired.get_metric_with_label_values(&[provider]) {
            c.inc();
        }
    }

    /// `result`: `ok` or `invalid`.
    pub fn scenario_loaded(&self, ok: bool) {
        let result = if ok { "ok" } else { "invalid" };
        self.scenario_loads.with_label_values(&[result]).inc();
    }

    /// `reason`: `tenant_cap`, `idle` or `state_budget`.
    pub fn tenants_dropped(&self, reason: &str, n: usize) {
        if n > 0 {
            self.tenants_dropped
                .with_label_values(&[reason])
                .inc_by(n as u64);
        }
    }

    pub fn journal_dropped(&self, n: u64) {
        if n > 0 {
            self.journal_dropped.inc_by(n);
        }
    }

    /// The text exposition, gauges set from `tenants` first.
    pub fn render(&self, tenants: &[TenantFigures]) -> Result<String, prometheus::Error> {
        let _one = self.scrape.lock();
        self.forget_gone_tenants(tenants);
        self.fill_gauges(tenants);
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }

    /// With the tenant label, request series of tenants no longer held are removed, so
    /// the series stay bounded by `tenant_cap` however many tenants come and go.
    fn forget_gone_tenants(&self, tenants: &[TenantFigures]) {
        if !self.tenant_label {
            return;
        }
        let live: std::collections::HashSet<&str> =
            tenants.iter().map(|t| t.name.as_str()).collect();
        // The tenant is the last label (`new`).
        self.requests
            .retain(|labels| labels.last().is_some_and(|t| live.contains(&**t)));
    }

    fn fill_gauges(&self, tenants: &[TenantFigures]) {
        self.tenants.set(tenants.len() as i64);
        for g in [&self.journal_entries, &self.journal_bytes, &self.entities] {
            g.reset();
        }
        if !self.tenant_label {
            // Present at zero too, so a dashboard sees an empty journal, not no data.
            self.journal_entries.with_label_values::<&str>(&[]).set(0);
            self.journal_bytes.with_label_values::<&str>(&[]).set(0);
        }
        for t in tenants {
            let tenant: &[&str] = if self.tenant_label { &[&t.name] } else { &[] };
            let add = |g: &IntGaugeVec, labels: &[&str], n: u64| {
                let all: Vec<&str> = labels.iter().chain(tenant).copied().collect();
                if let Ok(g) = g.get_metric_with_label_values(&all) {
                    g.add(n as i64);
                }
            };
            add(&self.journal_entries, &[], t.journal_entries);
            add(&self.journal_bytes, &[], t.journal_bytes);
            for (provider, kind, n) in &t.entities {
                add(&self.entities, &[provider, kind], *n);
            }
        }
    }
}

/// `sandbox_requests_total` and `sandbox_request_duration_seconds` (by its first label).
fn requests(labels: &[&'static str]) -> Striped {
    Striped::new(
        (
            "sandbox_requests_total",
            "Provider requests answered, by route template, code, HTTP status and whether forced",
        ),
        (
            "sandbox_request_duration_seconds",
            "Time from a provider request's arrival to its answer, delays included",
        ),
        labels,
    )
}

fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("static counter definition: {e}"))
}

fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    IntGaugeVec::new(Opts::new(name, help), labels)
        .unwrap_or_else(|e| unreachable!("static gauge definition: {e}"))
}
