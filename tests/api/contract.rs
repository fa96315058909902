//! What every provider owes, checked once over the registry: a sixth provider is held
//! to the same contract without editing this file.

use std::collections::BTreeSet;

use reqwest::Method;
use sandbox::provider::Provider;
use sandbox::providers::registry;
use serde_json::Value;

use crate::common::{TestApp, body, readme_section};

fn is_success(key: &str) -> bool {
    key == "ok" || key.ends_with("_ok")
}

#[test]
fn every_code_key_is_declared_once() {
    for provider in registry().iter() {
        let mut keys = BTreeSet::new();
        for spec in provider.specs() {
            assert!(
                keys.insert(spec.key),
                "{}: key `{}` twice",
                provider.name(),
                spec.key
            );
        }
    }
}

#[test]
fn no_two_codes_of_a_provider_collide_in_one_scope() {
    for provider in registry().iter() {
        let specs = provider.specs();
        for (i, a) in specs.iter().enumerate() {
            for b in &specs[i + 1..] {
                let same_scope = a.scope == b.scope || a.scope.is_empty() || b.scope.is_empty();
                assert!(
                    !(a.code == b.code && same_scope),
                    "{}: `{}` and `{}` both answer {}",
                    provider.name(),
                    a.key,
                    b.key,
                    a.code
                );
            }
        }
    }
}

#[test]
fn every_code_scope_is_answered_by_an_endpoint() {
    for provider in registry().iter() {
        let scopes: BTreeSet<&str> = provider
            .endpoints()
            .iter()
            .map(|e| provider.scope(&e.sample_path()))
            .collect();
        for spec in provider.specs() {
            assert!(
                spec.scope.is_empty() || scopes.contains(spec.scope),
                "{}: no endpoint answers scope `{}` of `{}`",
                provider.name(),
                spec.scope,
                spec.key
            );
        }
    }
}

#[test]
fn the_default_scenario_loads_with_every_provider_section() {
    let sources = [(
        "default.yaml".to_string(),
        sandbox::scenario::DEFAULT_SCENARIO.to_string(),
    )];

    let scenario = sandbox::load_scenario(&sources);

    let scenario = scenario.unwrap_or_else(|p| panic!("default scenario: {p:?}"));
    for provider in registry().iter() {
        assert!(
            scenario.sections.contains_key(provider.name()),
            "{}",
            provider.name()
        );
    }
}

#[test]
fn readme_lists_every_code_of_every_provider_in_its_section() {
    for provider in registry().iter() {
        let section = readme_section(provider.name());
        for spec in provider.specs() {
            let rows: Vec<&str> = section
                .lines()
                .filter(|line| {
                    line.starts_with(&format!("| {} |", spec.code))
                        || line.starts_with(&format!("| `{}` |", spec.code))
                })
                .collect();
            // The README may shorten a long message after its first sentence.
            let sentence = match spec.message.split_once(". ") {
                Some((first, _)) => format!("{first}."),
                None => spec.message.to_string(),
            };
            let named = rows.iter().any(|row| {
                let names = row.contains(&format!("`{}`", spec.key))
                    || row.contains(&format!("| {} |", spec.status));
                names && row.contains(&sentence)
            });
            assert!(
                named,
                "{}: README has no row for {} ({}) naming its key or status and saying `{sentence}`",
                provider.name(),
                spec.code,
                spec.key
            );
        }
    }
}

/// An endpoint of `provider` whose code scope is `scope`, as method and full path.
fn endpoint_of(provider: &dyn Provider, scope: &str) -> (Method, String) {
    let endpoint = provider
        .endpoints()
        .into_iter()
        .find(|e| scope.is_empty() || provider.scope(&e.sample_path()) == scope)
        .unwrap_or_else(|| panic!("{}: no endpoint for scope `{scope}`", provider.name()));
    let method = Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("method");
    let path = format!(
        "/{}{}{}",
        provider.name(),
        endpoint.sample_path(),
        provider.sample_query()
    );
    (method, path)
}

#[tokio::test]
async fn every_error_code_is_forcible_at_an_endpoint_of_its_scope_and_covered() {
    let app = TestApp::spawn().await;

    for provider in registry().iter() {
        for spec in provider.specs().iter().filter(|s| !is_success(s.key)) {
            let (method, path) = endpoint_of(provider.as_ref(), spec.scope);
            let res = app
                .request(method, &path)
                .header("X-Sandbox-Force", spec.code)
                .send()
                .await
                .expect("answered");

            assert_eq!(
                res.status().as_u16(),
                spec.status,
                "{} {}",
                provider.name(),
                spec.key
            );
            assert!(
                !res.headers().contains_key("x-sandbox-error"),
                "{} {}",
                provider.name(),
                spec.key
            );
        }
    }

    let coverage = body(app.get("/__sandbox/coverage").await).await;
    for provider in registry().iter() {
        let never: Vec<&Value> = coverage["providers"][provider.name()]["never_returned"]
            .as_array()
            .map(|codes| {
                codes
                    .iter()
                    .filter(|c| !is_success(c["key"].as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            never.is_empty(),
            "{}: forced but not covered: {never:?}",
            provider.name()
        );
    }
}
