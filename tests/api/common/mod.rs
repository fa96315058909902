//! Shared test helpers: `TestApp::spawn` starts the real server on port 0 (the
//! zero2prod pattern) and talks HTTP to it.

pub mod binary;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use sandbox::{Application, Sandbox, Settings};
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    /// Sent as `X-Sandbox-Tenant` on every request.
    pub tenant: String,
}

impl TestApp {
    /// The embedded default scenario.
    pub async fn spawn() -> Self {
        Self::spawn_with_settings(|_| {}, None).await
    }

    /// The default scenario followed by `yaml`, merged the way files in a directory are.
    pub async fn spawn_with(yaml: &str) -> Self {
        Self::spawn_with_settings(|_| {}, Some(yaml)).await
    }

    pub async fn spawn_with_settings(
        tweak: impl FnOnce(&mut Settings),
        yaml: Option<&str>,
    ) -> Self {
        let mut settings = Settings::for_tests();
        tweak(&mut settings);
        let mut sources = vec![(
            "default.yaml".to_string(),
            sandbox::scenario::DEFAULT_SCENARIO.to_string(),
        )];
        if let Some(yaml) = yaml {
            sources.push(("test.yaml".to_string(), yaml.to_string()));
        }
        let sandbox = match sandbox::build_from(settings, sources) {
            Ok(s) => s,
            Err(problems) => panic!("test scenario does not load: {problems:?}"),
        };
        Self::serve(sandbox)
    }

    /// A server that reads its scenario from `settings.scenario` on disk, as the binary
    /// does (for the scenario watch).
    pub async fn spawn_from_disk(tweak: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::for_tests();
        tweak(&mut settings);
        match sandbox::build(settings) {
            Ok(sandbox) => Self::serve(sandbox),
            Err(problems) => panic!("scenario on disk does not load: {problems:?}"),
        }
    }

    fn serve(sandbox: Sandbox) -> Self {
        let app = Application::build(sandbox).expect("server binds");
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        Self::at(port)
    }

    /// A server already listening on `port` (the real binary), as tenant `default`.
    pub fn at(port: u16) -> Self {
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client builds"),
            tenant: "default".into(),
        }
    }

    /// The same server, seen as another tenant.
    pub fn as_tenant(&self, tenant: &str) -> Self {
        Self {
            address: self.address.clone(),
            port: self.port,
            client: self.client.clone(),
            tenant: tenant.to_string(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("X-Sandbox-Tenant", &self.tenant)
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        send(self.request(reqwest::Method::DELETE, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        send(self.request(reqwest::Method::POST, path).json(body)).await
    }

    /// A body sent as is, with a JSON content type (for malformed JSON).
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> Response {
        send(
            self.request(reqwest::Method::POST, path)
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// POST with `X-Sandbox-Force: code`.
    pub async fn post_forced(&self, path: &str, body: &Value, code: &str) -> Response {
        send(
            self.request(reqwest::Method::POST, path)
                .header("X-Sandbox-Force", code)
                .json(body),
        )
        .await
    }

    /// `PUT /__sandbox/scenario` with a YAML body.
    pub async fn put_scenario(&self, yaml: &str) -> Response {
        send(
            self.request(reqwest::Method::PUT, "/__sandbox/scenario")
                .body(yaml.to_string()),
        )
        .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        send(self.request(reqwest::Method::PUT, path).json(body)).await
    }

    // ---- admin helpers

    pub async fn advance_clock(&self, seconds: i64) {
        let res = self
            .post_json("/__sandbox/clock/advance", &json!({ "seconds": seconds }))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "clock advance refused");
    }

    /// Sets the tenant's clock (RFC 3339) and freezes it there.
    pub async fn freeze_clock(&self, now: &str) {
        let res = self
            .put_json("/__sandbox/clock", &json!({ "now": now, "frozen": true }))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "clock set refused");
    }

    /// Adds a runtime rule to the tenant (the same shape as a scenario rule).
    pub async fn add_rule(&self, rule: &Value) {
        let res = self.post_json("/__sandbox/rules", rule).await;
        assert_eq!(res.status(), StatusCode::CREATED, "rule refused: {rule}");
    }

    pub async fn reset(&self) {
        let res = self.post_json("/__sandbox/reset", &json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    pub async fn journal(&self) -> Value {
        body(self.get("/__sandbox/requests?limit=1000").await).await
    }

    pub async fn state(&self) -> Value {
        body(self.get("/__sandbox/state").await).await
    }

    /// The provider's error codes, the ones `X-Sandbox-Force` and rules accept.
    pub async fn forcible_codes(&self, provider: &str) -> Vec<Value> {
        let codes = self.catalog_codes(provider).await;
        codes
            .into_iter()
            .filter(|c| c["forcible"] == true)
            .collect()
    }

    /// Each error code of `provider` forced on a fresh `request()`: the catalog entry,
    /// the answer's status and its JSON body.
    pub async fn forced_answers(
        &self,
        provider: &str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Vec<(Value, StatusCode, Value)> {
        let mut answers = Vec::new();
        for entry in self.forcible_codes(provider).await {
            let code = entry["code"].as_str().expect("code").to_string();
            let res = send(request().header("X-Sandbox-Force", code)).await;
            let status = res.status();
            answers.push((entry, status, body(res).await));
        }
        answers
    }

    /// The provider's codes as listed by the catalog.
    /// A limit the provider's OpenAPI document publishes: `key` (`maxLength`, `maxItems`)
    /// of property `prop` of component schema `schema`, so a test can check that the
    /// limit published is the one enforced.
    pub async fn documented_limit(
        &self,
        provider: &str,
        schema: &str,
        prop: &str,
        key: &str,
    ) -> usize {
        let doc = body(
            self.get(&format!("/__sandbox/openapi/{provider}.json"))
                .await,
        )
        .await;
        let limit = &doc["components"]["schemas"][schema]["properties"][prop][key];
        match limit.as_u64() {
            Some(n) => n as usize,
            None => panic!("{provider}: no {key} on {schema}.{prop}: {limit}"),
        }
    }

    pub async fn catalog_codes(&self, provider: &str) -> Vec<Value> {
        let catalog = body(self.get("/__sandbox/errors").await).await;
        catalog["providers"][provider]["codes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// The JSON body of a response, asserting it is JSON.
pub async fn body(res: Response) -> Value {
    let text = res.text().await.expect("body read");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("body is not JSON ({e}): {text}"))
}

/// The README's section of `provider`, between its BEGIN and END markers, so each
/// provider's tests can check that its code table is documented.
pub fn readme_section(provider: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let begin = format!("<!-- BEGIN {provider} -->");
    let end = format!("<!-- END {provider} -->");
    readme
        .split(&begin)
        .nth(1)
        .and_then(|rest| rest.split(&end).next())
        .unwrap_or_else(|| panic!("README has no {provider} section"))
        .to_string()
}

/// Polls `probe` until it gives `Some`, for at most ten seconds: a wait on an event the
/// server makes visible (a reload in health), never a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A fresh, empty directory for one test's files.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sandbox-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Sends a request a test built; it must reach the server.
pub async fn send(request: reqwest::RequestBuilder) -> Response {
    request.send().await.expect("request sent")
}
