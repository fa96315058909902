//! `sandbox_requests_total` and `sandbox_request_duration_seconds`, counted per thread
//! stripe and summed when scraped. Prometheus's own vectors take a shared lock and
//! bump shared atomics on every request, so the two workers, answering the same tenant,
//! passed the same cache lines back and forth; each worker here writes only its own
//! stripe. Exact at every scrape: a stripe is read under its lock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use prometheus::core::{Collector, Desc};
use prometheus::proto::{Bucket, Counter, Histogram, LabelPair, Metric, MetricFamily, MetricType};

/// More than the workers of any machine this runs on share a stripe rarely.
const STRIPES: usize = 16;
/// Prometheus's default buckets, as `HistogramOpts::new` gives them.
const BUCKETS: &[f64; 11] = prometheus::DEFAULT_BUCKETS;

/// One label set's numbers.
#[derive(Debug, Clone, Default)]
struct Series {
    labels: Vec<Box<str>>,
    count: u64,
    sum: f64,
    /// Observations per bucket (not cumulative); past the last, only `count`.
    buckets: [u64; BUCKETS.len()],
}

/// Series by their encoded labels (`key`); aligned so stripes never share a line.
#[repr(align(128))]
#[derive(Default)]
struct Stripe(Mutex<HashMap<Box<[u8]>, Series, foldhash::fast::RandomState>>);

/// A clone shares the stripes (the registry holds one).
#[derive(Clone)]
pub struct Striped {
    stripes: std::sync::Arc<[Stripe]>,
    /// The counter's labels; the histogram's is the first (`provider`).
    labels: Vec<&'static str>,
    counter: Desc,
    histogram: Desc,
}

thread_local! {
    /// This thread's stripe, and the key it encodes labels into (kept, not reallocated).
    static MINE: (usize, std::cell::RefCell<Vec<u8>>) = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        (NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES, Default::default())
    };
}

impl Striped {
    /// `labels` name the values `record` takes, in order; the first is the histogram's.
    pub fn new(counter: (&str, &str), histogram: (&str, &str), labels: &[&'static str]) -> Self {
        let desc = |(name, help): (&str, &str), labels: &[&'static str]| {
            let labels = labels.iter().map(|l| l.to_string()).collect();
            Desc::new(name.into(), help.into(), labels, HashMap::new())
                .unwrap_or_else(|e| unreachable!("static metric definition: {e}"))
        };
        Self {
            stripes: (0..STRIPES).map(|_| Stripe::default()).collect(),
            labels: labels.to_vec(),
            counter: desc(counter, labels),
            histogram: desc(histogram, &labels[..1]),
        }
    }

    /// Counts one request of `seconds` under `values` (as many as the labels).
    pub fn record(&self, values: &[&str], seconds: f64) {
        MINE.with(|(stripe, key)| {
            let mut key = key.borrow_mut();
            encode(&mut key, values);
            let mut series = self.stripes[*stripe].0.lock();
            let s = match series.get_mut(&key[..]) {
                Some(s) => s,
                None => series
                    .entry(key.as_slice().into())
                    .or_insert_with(|| Series {
                        labels: values.iter().map(|v| Box::from(*v)).collect(),
                        ..Series::default()
                    }),
            };
            s.count += 1;
            s.sum += seconds;
            if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
                s.buckets[i] += 1;
            }
        });
    }

    /// Drops the series whose label values `keep` refuses (tenants no longer held).
    pub fn retain(&self, keep: impl Fn(&[Box<str>]) -> bool) {
        for stripe in self.stripes.iter() {
            stripe.0.lock().retain(|_, s| keep(&s.labels));
        }
    }

    /// All stripes summed, one series per label set.
    fn merged(&self) -> Vec<Series> {
        let mut all: HashMap<Box<[u8]>, Series> = HashMap::new();
        for stripe in self.stripes.iter() {
            for (key, s) in stripe.0.lock().iter() {
                let sum = all.entry(key.clone()).or_insert_with(|| Series {
                    labels: s.labels.clone(),
                    ..Series::default()
                });
                add(sum, s);
            }
        }
        all.into_values().collect()
    }

    fn counters(&self, series: &[Series]) -> MetricFamily {
        let metrics = series
            .iter()
            .map(|s| {
                let mut m = Metric::from_label(pairs(&self.labels, &s.labels));
                let mut c = Counter::default();
                c.set_value(s.count as f64);
                m.set_counter(c);
                m
            })
            .collect();
        family(&self.counter, MetricType::COUNTER, metrics)
    }

    fn histograms(&self, series: &[Series]) -> MetricFamily {
        let mut by_first: HashMap<&str, Series> = HashMap::new();
        for s in series {
            let first = s.labels.first().map_or("", |l| &**l);
            let sum = by_first.entry(first).or_insert_with(|| Series {
                labels: vec![first.into()],
                ..Series::default()
            });
            add(sum, s);
        }
        let metrics = by_first
            .into_values()
            .map(|s| {
                let mut m = Metric::from_label(pairs(&self.labels[..1], &s.labels));
                m.set_histogram(histogram(&s));
                m
            })
            .collect();
        family(&self.histogram, MetricType::HISTOGRAM, metrics)
    }
}

impl Collector for Striped {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.counter, &self.histogram]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let series = self.merged();
        vec![self.counters(&series), self.histograms(&series)]
    }
}

/// Each value with its length first, so no value can run into the next.
fn encode(key: &mut Vec<u8>, values: &[&str]) {
    key.clear();
    for v in values {
        key.extend_from_slice(&(v.len() as u32).to_le_bytes());
        key.extend_from_slice(v.as_bytes());
    }
}

fn add(sum: &mut Series, s: &Series) {
    sum.count += s.count;
    sum.sum += s.sum;
    for (a, b) in sum.buckets.iter_mut().zip(s.buckets) {
        *a += b;
    }
}

/// Label pairs sorted by name, as Prometheus's own vectors give them.
fn pairs(names: &[&str], values: &[Box<str>]) -> Vec<LabelPair> {
    let mut pairs: Vec<LabelPair> = names
        .iter()
        .zip(values)
        .map(|(n, v)| {
            let mut p = LabelPair::default();
            p.set_name(n.to_string());
            p.set_value(v.to_string());
            p
        })
        .collect();
    pairs.sort_by(|a, b| a.name().cmp(b.name()));
    pairs
}

fn histogram(s: &Series) -> Histogram {
    let mut h = Histogram::default();
    h.set_sample_count(s.count);
    h.set_sample_sum(s.sum);
    let mut cumulative = 0;
    let buckets = BUCKETS
        .iter()
        .zip(s.buckets)
        .map(|(upper, n)| {
            cumulative += n;
            let mut b = Bucket::default();
            b.set_upper_bound(*upper);
            b.set_cumulative_count(cumulative);
            b
        })
        .collect();
    h.set_bucket(buckets);
    h
}

fn family(desc: &Desc, kind: MetricType, metrics: Vec<Metric>) -> MetricFamily {
    let mut f = MetricFamily::default();
    f.set_name(desc.fq_name.clone());
    f.set_help(desc.help.clone());
    f.set_field_type(kind);
    f.set_metric(metrics);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn striped() -> Striped {
        Striped::new(("t_total", "t"), ("t_seconds", "t"), &["provider", "code"])
    }

    #[test]
    fn counts_from_many_threads_are_summed_per_label_set() {
        let s = striped();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..100 {
                        s.record(&["ubki", "0"], 0.001);
                        s.record(&["dcm", "401"], 2.0);
                    }
                });
            }
        });
        let families = s.collect();
        let count = |labels: &[(&str, &str)]| {
            families[0]
                .get_metric()
                .iter()
                .find(|m| {
                    let got: Vec<(&str, &str)> = m
                        .get_label()
                        .iter()
                        .map(|p| (p.name(), p.value()))
                        .collect();
                    got == labels
                })
                .map(|m| m.get_counter().get_value())
        };
        assert_eq!(count(&[("code", "0"), ("provider", "ubki")]), Some(400.0));
        assert_eq!(count(&[("code", "401"), ("provider", "dcm")]), Some(400.0));
    }

    #[test]
    fn durations_fill_prometheus_buckets_per_first_label() {
        let s = striped();
        s.record(&["ubki", "0"], 0.004);
        s.record(&["ubki", "1"], 0.2);
        s.record(&["ubki", "1"], 60.0);
        let families = s.collect();
        let [m] = families[1].get_metric() else {
            panic!("one provider, one histogram");
        };
        let h = m.get_histogram();
        assert_eq!(h.get_sample_count(), 3);
        let cumulative: Vec<u64> = h
            .get_bucket()
            .iter()
            .map(|b| b.cumulative_count())
            .collect();
        // 0.005 holds the first; 0.25 and above the second; +Inf alone the third.
        assert_eq!(cumulative, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
        assert!((h.get_sample_sum() - 60.204).abs() < 1e-9);
    }

    #[test]
    fn labels_that_run_together_stay_apart() {
        let s = striped();
        s.record(&["ab", "c"], 0.0);
        s.record(&["a", "bc"], 0.0);
        assert_eq!(s.collect()[0].get_metric().len(), 2);
    }

    #[test]
    fn retain_forgets_refused_series() {
        let s = striped();
        s.record(&["ubki", "0"], 0.0);
        s.record(&["dcm", "0"], 0.0);
        s.retain(|labels| &*labels[0] != "dcm");
        assert_eq!(s.collect()[0].get_metric().len(), 1);
    }
}
