//! Code tables. Each provider declares its documented codes once, as `CodeSpec`s; the
//! renderer, `X-Sandbox-Force`, rules, the `/__sandbox/errors` catalog, coverage and
//! the tests all read that one table (with a scenario's overrides applied).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One documented code, as written in the provider's code table.
#[derive(Debug, Clone, Copy)]
pub struct CodeSpec {
    /// Stable name, used by scenario overrides and by the provider's error enum.
    pub key: &'static str,
    /// The code on the wire.
    pub code: &'static str,
    /// HTTP status the provider answers with.
    pub status: u16,
    pub message: &'static str,
    /// Which endpoints answer it, as the provider groups them (`auth`, `discount`...);
    /// `""` means every endpoint.
    pub scope: &'static str,
    /// How to reach it on purpose without forcing: natural input, magic value.
    pub trigger: &'static str,
}

/// A scenario's change to one code, for codes a document lost or to mimic a variant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeOverride {
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: Option<String>,
}

/// A code as this scenario answers it.
#[derive(Debug, Clone, Serialize)]
pub struct CodeEntry {
    pub key: String,
    pub code: String,
    pub http_status: u16,
    pub message: String,
    pub scope: String,
    /// Natural input or magic value that produces it.
    pub trigger: String,
}

impl CodeEntry {
    /// Success entries are named `ok` (or `<endpoint>_ok`) in every provider's table.
    pub fn is_success(&self) -> bool {
        self.key == "ok" || self.key.ends_with("_ok")
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CodeTable {
    pub entries: Vec<CodeEntry>,
}

impl CodeTable {
    pub fn build(specs: &[CodeSpec], overrides: &BTreeMap<String, CodeOverride>) -> Self {
        let entries = specs
            .iter()
            .map(|spec| {
                let o = overrides.get(spec.key).cloned().unwrap_or_default();
                CodeEntry {
                    key: spec.key.to_string(),
                    code: o.code.unwrap_or_else(|| spec.code.to_string()),
                    http_status: o.status.unwrap_or(spec.status),
                    message: o.message.unwrap_or_else(|| spec.message.to_string()),
                    scope: spec.scope.to_string(),
                    trigger: spec.trigger.to_string(),
                }
            })
            .collect();
        Self { entries }
    }

    /// The entry for a provider error variant. The table is built from the provider's
    /// own spec list, so every key is present; a missing key would be a bug caught by
    /// each provider's `every_key_is_in_the_table` test.
    pub fn by_key(&self, key: &str) -> Option<&CodeEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The code `code` as answered at an endpoint of `scope`.
    pub fn find(&self, scope: &str, code: &str) -> Option<&CodeEntry> {
        self.entries
            .iter()
            .find(|e| e.code == code && (e.scope.is_empty() || e.scope == scope))
    }

    /// The error `code` at an endpoint of `scope`, for `X-Sandbox-Force` and rules: a
    /// success code is not forcible, since a forced success would lack the real data.
    pub fn forcible(&self, scope: &str, code: &str) -> Option<&CodeEntry> {
        self.find(scope, code).filter(|e| !e.is_success())
    }

    /// Error codes valid at an endpoint of `scope`.
    pub fn forcible_in(&self, scope: &str) -> Vec<String> {
        let mut codes: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !e.is_success() && (e.scope.is_empty() || e.scope == scope))
            .map(|e| e.code.clone())
            .collect();
        codes.dedup();
        codes
    }

    /// Every error code of the table, for messages about rules.
    pub fn forcible_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !e.is_success())
            .map(|e| e.code.clone())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// Problems with a scenario's overrides: unknown keys, two codes colliding in one scope.
    pub fn override_problems(
        specs: &[CodeSpec],
        overrides: &BTreeMap<String, CodeOverride>,
    ) -> Vec<String> {
        let mut problems: Vec<String> = overrides
            .keys()
            .filter(|k| !specs.iter().any(|s| s.key == k.as_str()))
            .map(|k| {
                format!(
                    "codes: unknown code name `{k}` (one of: {})",
                    specs.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let table = Self::build(specs, overrides);
        for (i, a) in table.entries.iter().enumerate() {
            for b in &table.entries[i + 1..] {
                let same_scope = a.scope == b.scope || a.scope.is_empty() || b.scope.is_empty();
                if a.code == b.code && same_scope {
                    problems.push(format!(
                        "codes: `{}` and `{}` would both answer code {}",
                        a.key, b.key, a.code
                    ));
                }
            }
        }
        problems
    }
}
