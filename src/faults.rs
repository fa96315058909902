//! Rules at run time: which rule a request fires, how often it may still fire, and the
//! seeded draws for `probability` and random delays. One `RuleBook` per tenant.

use fake::rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::input::url_pairs;
use crate::rng::{self, Rng};
use crate::scenario::{Rule, Then};

/// What a request looks like to rule matching.
pub struct RequestView<'a> {
    pub provider: &'a str,
    pub method: &'a str,
    /// Path below the provider prefix.
    pub path: &'a str,
    /// The query string as sent: parsed only when a rule of the provider reads it.
    pub query: &'a str,
    pub headers: &'a crate::headers::Headers,
    pub body: &'a [u8],
}

impl RequestView<'_> {
    /// A body field by dotted path, from a JSON or form body, as text.
    fn body_field(&self, json: &Option<serde_json::Value>, path: &str) -> Option<String> {
        if let Some(value) = json {
            let mut at = value;
            for part in path.split('.') {
                at = match at {
                    serde_json::Value::Object(map) => map.get(part)?,
                    serde_json::Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            return Some(match at {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        url_pairs(self.body)
            .into_iter()
            .find(|(k, _)| k == path)
            .map(|(_, v)| v)
    }
}

/// Where a live rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Scenario,
    /// Added through `POST /__sandbox/rules`.
    Runtime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveRule {
    pub rule: Rule,
    pub source: Source,
    pub remaining: Option<u32>,
    pub fired: u64,
}

/// What a fired rule asks for.
#[derive(Debug, Clone)]
pub struct Fired {
    pub name: String,
    pub then: Then,
    pub delay_ms: u64,
}

/// Serialised whole for snapshots, the generator's position with it, so a rule with a
/// `probability` or a random delay draws on where it was.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBook {
    rules: Vec<LiveRule>,
    rng: Rng,
}

/// Runtime rules per tenant, so a test cannot grow memory without bound.
pub const MAX_RUNTIME_RULES: usize = 256;

impl RuleBook {
    pub fn new(rules: &[Rule], seed: u64, tenant: &str) -> Self {
        Self {
            rules: rules
                .iter()
                .map(|rule| LiveRule {
                    rule: rule.clone(),
                    source: Source::Scenario,
                    remaining: rule.times,
                    fired: 0,
                })
                .collect(),
            rng: rng::rng_for(seed, &["rules", tenant]),
        }
    }

    /// Checks a restored book: at most `MAX_RUNTIME_RULES` runtime rules and
    /// `max_scenario` of the scenario's, each passing `check` (its code still known).
    pub fn checked(
        self,
        max_scenario: usize,
        check: impl Fn(&Rule) -> Vec<String>,
    ) -> Result<Self, String> {
        let runtime = self.rules.iter().filter(|r| r.source == Source::Runtime);
        if runtime.count() > MAX_RUNTIME_RULES
            || self.rules.len() > MAX_RUNTIME_RULES + max_scenario
        {
            return Err(format!(
                "rules: at most {MAX_RUNTIME_RULES} runtime rules and the scenario's {max_scenario}"
            ));
        }
        for (i, live) in self.rules.iter().enumerate() {
            let problems = check(&live.rule);
            if !problems.is_empty() {
                return Err(format!("rules[{i}]: {}", problems.join("; ")));
            }
        }
        Ok(self)
    }

    pub fn list(&self) -> &[LiveRule] {
        &self.rules
    }

    /// Runtime rules are checked before the scenario's, newest first.
    pub fn add(&mut self, rule: Rule) -> Result<(), String> {
        let runtime = self
            .rules
            .iter()
            .filter(|r| r.source == Source::Runtime)
            .count();
        if runtime >= MAX_RUNTIME_RULES {
            return Err(format!(
                "at most {MAX_RUNTIME_RULES} runtime rules per tenant"
            ));
        }
        self.rules.insert(
            0,
            LiveRule {
                remaining: rule.times,
                rule,
                source: Source::Runtime,
                fired: 0,
            },
        );
        Ok(())
    }

    /// Removes the runtime rules named `name`; scenario rules stay (a reset restores
    /// them anyway). How many went.
    pub fn remove_runtime(&mut self, name: &str) -> usize {
        let before = self.rules.len();
        self.rules
            .retain(|r| r.source != Source::Runtime || r.rule.name.as_deref() != Some(name));
        before - self.rules.len()
    }

    pub fn clear_runtime(&mut self) -> usize {
        let before = self.rules.len();
        self.rules.retain(|r| r.source != Source::Runtime);
        before - self.rules.len()
    }

    /// The first live rule matching `req` whose answer `applies` here (a code of another
    /// endpoint's table does not), consumed once.
    pub fn fire(
        &mut self,
        req: &RequestView<'_>,
        applies: impl Fn(&Then) -> bool,
    ) -> Option<Fired> {
        let (mut needs_body, mut needs_query) = (false, false);
        for when in self.rules.iter().map(|r| &r.rule.when) {
            if when.provider == req.provider {
                needs_body |= !when.body.is_empty();
                needs_query |= !when.query.is_empty();
            }
        }
        let seen = Seen {
            json: needs_body
                .then(|| serde_json::from_slice(req.body).ok())
                .flatten(),
            query: if needs_query {
                url_pairs(req.query.as_bytes())
            } else {
                Vec::new()
            },
        };
        for (index, live) in self.rules.iter_mut().enumerate() {
            if live.remaining == Some(0)
                || !matches(&live.rule, req, &seen)
                || !applies(&live.rule.then)
            {
                continue;
            }
            if let Some(p) = live.rule.probability
                && !self.rng.random_bool(p.clamp(0.0, 1.0))
            {
                continue;
            }
            if let Some(n) = live.remaining.as_mut() {
                *n -= 1;
            }
            live.fired += 1;
            let then = live.rule.then.clone();
            let delay_ms = match (then.delay_ms, then.delay) {
                (_, Some(d)) => self.rng.random_range(d.min_ms..=d.max_ms.max(d.min_ms)),
                (Some(ms), None) => ms,
                (None, None) => 0,
            };
            let name = live
                .rule
                .name
                .clone()
                .unwrap_or_else(|| format!("#{index}"));
            return Some(Fired {
                name,
                then,
                delay_ms,
            });
        }
        None
    }
}

/// The body and the query as the provider's rules need them: parsed once per request,
/// and only when some rule reads them.
struct Seen {
    json: Option<serde_json::Value>,
    query: Vec<(String, String)>,
}

fn matches(rule: &Rule, req: &RequestView<'_>, seen: &Seen) -> bool {
    let when = &rule.when;
    if when.provider != req.provider {
        return false;
    }
    if let Some(endpoint) = &when.endpoint
        && !Rule::endpoint_matches(endpoint, req.path)
    {
        return false;
    }
    if let Some(method) = &when.method
        && !method.eq_ignore_ascii_case(req.method)
    {
        return false;
    }
    let query_ok = when
        .query
        .iter()
        .all(|(k, v)| seen.query.iter().any(|(qk, qv)| qk == k && qv == v));
    let headers_ok = when
        .headers
        .iter()
        .all(|(k, v)| req.headers.get(&k.to_ascii_lowercase()) == Some(v.as_str()));
    let body_ok = when
        .body
        .iter()
        .all(|(k, v)| req.body_field(&seen.json, k).as_deref() == Some(v.as_str()));
    query_ok && headers_ok && body_ok
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::scenario::When;

    fn rule(times: Option<u32>) -> Rule {
        let mut body = BTreeMap::new();
        body.insert("doc.auth.login".to_string(), "blocked".to_string());
        Rule {
            name: Some("r".into()),
            when: When {
                provider: "ubki".into(),
                body,
                ..When::default()
            },
            then: Then {
                code: Some("27".into()),
                ..Then::default()
            },
            times,
            probability: None,
        }
    }

    #[test]
    fn rule_matches_body_field_and_expires_after_times() {
        let mut book = RuleBook::new(&[rule(Some(1))], 1, "t");
        let headers = crate::headers::Headers::default();
        let body = br#"{"doc":{"auth":{"login":"blocked"}}}"#;
        let req = RequestView {
            provider: "ubki",
            method: "POST",
            path: "/b2_api_xml/ubki/auth",
            query: "",
            headers: &headers,
            body,
        };
        assert!(book.fire(&req, |_| true).is_some());
        assert!(book.fire(&req, |_| true).is_none());
    }

    #[test]
    fn rule_does_not_match_other_values() {
        let mut book = RuleBook::new(&[rule(None)], 1, "t");
        let headers = crate::headers::Headers::default();
        let req = RequestView {
            provider: "ubki",
            method: "POST",
            path: "/x",
            query: "",
            headers: &headers,
            body: br#"{"doc":{"auth":{"login":"other"}}}"#,
        };
        assert!(book.fire(&req, |_| true).is_none());
    }

    #[test]
    fn rule_matches_a_query_pair_of_the_raw_query_string() {
        let mut when_query = rule(None);
        when_query.when.body.clear();
        when_query
            .when
            .query
            .insert("partner_code".to_string(), "ci x".to_string());
        let mut book = RuleBook::new(&[when_query], 1, "t");
        let headers = crate::headers::Headers::default();
        let req = |query| RequestView {
            provider: "ubki",
            method: "POST",
            path: "/x",
            query,
            headers: &headers,
            body: b"",
        };
        assert!(book.fire(&req("partner_code=other"), |_| true).is_none());
        assert!(book.fire(&req("a=1&partner_code=ci+x"), |_| true).is_some());
    }
}
