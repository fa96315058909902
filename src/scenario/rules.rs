//! Rules force an answer for matching requests: a provider's documented code, a fault
//! (HTTP status with a body, a closed connection) and/or a delay.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codes::CodeTable;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = sandbox::Rule)]
pub struct Rule {
    /// Shown in the journal when the rule fires.
    #[serde(default)]
    pub name: Option<String>,
    pub when: When,
    pub then: Then,
    /// The rule expires after firing this many times (per tenant).
    #[serde(default)]
    pub times: Option<u32>,
    /// Chance (0..=1) that a matching request fires the rule; drawn from the seed.
    #[serde(default)]
    pub probability: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(as = sandbox::When)]
pub struct When {
    /// Provider prefix without the slash: `ubki`, `dcm`...
    pub provider: String,
    /// Path below the provider prefix, e.g. `/bonusservice/discount`; `*` matches any run
    /// of characters. Absent means every endpoint.
    pub endpoint: Option<String>,
    pub method: Option<String>,
    /// Body fields by dotted path (`doc.auth.login`) and the value they must have.
    pub body: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
    /// Header names are case-insensitive.
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(as = sandbox::Then)]
pub struct Then {
    /// A code of the provider's table, answered in the provider's own format.
    pub code: Option<String>,
    /// Fixed delay before answering.
    pub delay_ms: Option<u64>,
    /// Random delay, uniform in `min_ms..=max_ms`, drawn from the seed.
    pub delay: Option<Delay>,
    /// A raw HTTP status with `body` (JSON or text) and `headers`.
    pub status: Option<u16>,
    pub body: Option<serde_json::Value>,
    pub headers: BTreeMap<String, String>,
    /// Close the connection without any response.
    pub drop: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = sandbox::Delay)]
pub struct Delay {
    pub min_ms: u64,
    pub max_ms: u64,
}

/// Endpoint globs are matched against every request of the provider, so they are short.
const MAX_PATTERN: usize = 256;

impl Rule {
    /// Its own problems, then whether its provider is one of `tables` and its code one of
    /// that provider's error codes.
    pub fn problems_with(&self, tables: &[(&str, &CodeTable)]) -> Vec<String> {
        let mut problems = self.problems();
        let Some((name, table)) = tables.iter().find(|(n, _)| *n == self.when.provider) else {
            let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
            problems.push(format!(
                "unknown provider `{}` (one of: {})",
                self.when.provider,
                names.join(", ")
            ));
            return problems;
        };
        if let Some(code) = &self.then.code
            && !table
                .entries
                .iter()
                .any(|e| &e.code == code && !e.is_success())
        {
            problems.push(format!(
                "`{code}` is not a documented {name} error code (one of: {})",
                table.forcible_codes().join(", ")
            ));
        }
        problems
    }

    /// Problems a rule has on its own; code checks need the provider's table.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let then = &self.then;
        let outcomes = usize::from(then.code.is_some())
            + usize::from(then.status.is_some())
            + usize::from(then.drop);
        if outcomes > 1 {
            out.push("then: give at most one of `code`, `status`, `drop`".to_string());
        }
        if outcomes == 0 && then.delay_ms.is_none() && then.delay.is_none() {
            out.push("then: give `code`, `status`, `drop`, `delay_ms` or `delay`".to_string());
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            out.push(format!("probability {p} is not within 0..=1"));
        }
        if let Some(d) = then.delay
            && d.min_ms > d.max_ms
        {
            out.push("delay: min_ms is greater than max_ms".to_string());
        }
        if let Some(s) = then.status
            && !(200..=599).contains(&s)
        {
            out.push(format!(
                "status {s} is not a final HTTP status (200 to 599)"
            ));
        }
        if matches!(then.status, Some(204 | 304)) && then.body.is_some() {
            out.push("status 204 and 304 answers carry no body".to_string());
        }
        if let Some(endpoint) = &self.when.endpoint
            && endpoint.len() > MAX_PATTERN
        {
            out.push(format!("when.endpoint: at most {MAX_PATTERN} characters"));
        }
        for (name, value) in &then.headers {
            if actix_web::http::header::HeaderName::try_from(name.as_str()).is_err() {
                out.push(format!("then.headers: `{name}` is not a valid header name"));
            }
            if actix_web::http::header::HeaderValue::try_from(value.as_str()).is_err() {
                out.push(format!(
                    "then.headers: the value of `{name}` is not a valid header value"
                ));
            }
        }
        if then.delay_ms.unwrap_or(0) > 120_000 || then.delay.is_some_and(|d| d.max_ms > 120_000) {
            out.push("delays are capped at 120000 ms".to_string());
        }
        out
    }

    /// Whether `endpoint` (a glob with `*`) matches `path`.
    pub fn endpoint_matches(pattern: &str, path: &str) -> bool {
        glob(pattern.as_bytes(), path.as_bytes())
    }
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative matcher with one backtrack point: linear enough for paths.
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_paths() {
        assert!(Rule::endpoint_matches("/api/*", "/api/respond"));
        assert!(Rule::endpoint_matches(
            "*/accounts",
            "/api/v1/x/customers/y/accounts"
        ));
        assert!(Rule::endpoint_matches("/a", "/a"));
        assert!(!Rule::endpoint_matches("/a", "/ab"));
        assert!(!Rule::endpoint_matches("/api/*/x", "/api/y"));
    }
}
