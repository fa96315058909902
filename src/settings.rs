//! Server settings: built-in defaults, then an optional settings file, then `SANDBOX_*`
//! environment variables; the command line (see `cli.rs`) overrides all of them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address to bind; 0.0.0.0 so the container's port mapping reaches it.
    pub host: String,
    pub port: u16,
    /// A YAML scenario file or a directory of them; `None` means the embedded default.
    pub scenario: Option<PathBuf>,
    /// Overrides the scenario's `seed`.
    pub seed: Option<u64>,
    /// `tracing` filter, e.g. `info` or `sandbox=debug,actix_web=warn`.
    pub log: String,
    /// Request bodies larger than this are refused in the provider's own format.
    pub body_limit: usize,
    /// Journal entries kept per tenant; the oldest are dropped first.
    pub journal_cap: usize,
    /// Bytes of each request or response body kept in the journal.
    pub journal_body_cap: usize,
    /// Bytes a tenant's journal may hold in all; the oldest entries go first.
    pub journal_bytes_cap: usize,
    /// Bytes all tenants' journals may hold together; beyond it the oldest entries of
    /// the largest journals go first.
    pub journal_total_bytes_cap: usize,
    /// Bytes all tenants' provider states may hold together (estimated); beyond it the
    /// least recently used tenants are dropped whole.
    pub state_total_bytes_cap: usize,
    /// Tenants kept at once; the least recently used is dropped beyond it.
    pub tenant_cap: usize,
    /// Seconds of wall time after which an unused tenant is dropped.
    pub tenant_idle_secs: u64,
    /// When set, every `/__sandbox` call but health needs `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    /// actix worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// Where every tenant is saved as a snapshot file and read back at start-up; `None`
    /// keeps tenants in memory only.
    pub state_dir: Option<PathBuf>,
    /// Seconds between saves of the tenants that changed (with `state_dir`).
    pub state_save_secs: u64,
    /// `PUT /__sandbox/snapshot` bodies larger than this are refused:
    /// a whole tenant is larger than any provider request.
    pub snapshot_body_limit: usize,
    /// Watch the scenario file or directory and load each valid change (`--watch`).
    pub watch: bool,
    /// Give request counts and per-tenant gauges of `/__sandbox/metrics` a tenant label.
    pub metrics_tenant_label: bool,
    /// `GET /__sandbox/requests?wait=` calls waiting at once, in all and per tenant.
    pub wait_cap: usize,
    pub wait_tenant_cap: usize,
    /// This instance's name in a cluster, shown by health and tenants so a client behind
    /// a router can see where it landed; `None` means the host name.
    pub replica: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 8080,
            scenario: None,
            seed: None,
            log: "info".into(),
            body_limit: 1024 * 1024,
            journal_cap: 1000,
            journal_body_cap: 16 * 1024,
            journal_bytes_cap: 2 * 1024 * 1024,
            journal_total_bytes_cap: 32 * 1024 * 1024,
            state_total_bytes_cap: 24 * 1024 * 1024,
            tenant_cap: 1000,
            tenant_idle_secs: 3600,
            admin_token: None,
            workers: None,
            state_dir: None,
            state_save_secs: 30,
            snapshot_body_limit: 64 * 1024 * 1024,
            watch: false,
            metrics_tenant_label: false,
            wait_cap: 256,
            wait_tenant_cap: 32,
            replica: None,
        }
    }
}

impl Settings {
    /// Defaults, then `file` (if given, it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, config::ConfigError> {
        let defaults = config::Config::try_from(&Settings::default())?;
        let mut builder = config::Config::builder().add_source(defaults);
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("SANDBOX")
                .try_parsing(true)
                .ignore_empty(true),
        );
        builder.build()?.try_deserialize()
    }

    pub fn for_tests() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            log: "warn".into(),
            workers: Some(2),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_overrides_the_defaults() {
        let dir = std::env::temp_dir().join(format!("sandbox-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("settings.yaml");
        std::fs::write(&file, "port: 9090\njournal_cap: 7\nadmin_token: t\n").unwrap();

        let s = Settings::load(Some(&file)).unwrap();

        assert_eq!(s.port, 9090);
        assert_eq!(s.journal_cap, 7);
        assert_eq!(s.admin_token.as_deref(), Some("t"));
        assert_eq!(
            s.host, "0.0.0.0",
            "keys the file leaves out keep their defaults"
        );
    }

    #[test]
    fn settings_files_may_be_toml_or_json_too() {
        let dir = std::env::temp_dir().join(format!("sandbox-settings-fmt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml = dir.join("settings.toml");
        let json = dir.join("settings.json");
        std::fs::write(&toml, "port = 9091\nlog = \"debug\"\n").unwrap();
        std::fs::write(&json, r#"{"port": 9092, "tenant_cap": 5}"#).unwrap();

        let from_toml = Settings::load(Some(&toml)).unwrap();
        let from_json = Settings::load(Some(&json)).unwrap();

        assert_eq!((from_toml.port, from_toml.log.as_str()), (9091, "debug"));
        assert_eq!((from_json.port, from_json.tenant_cap), (9092, 5));
    }

    #[test]
    fn a_missing_settings_file_is_an_error() {
        assert!(Settings::load(Some(Path::new("/nonexistent/settings.yaml"))).is_err());
    }
}
