//! The command line: `sandbox [serve]`, `sandbox validate FILE...`, `sandbox healthcheck`.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(name = "sandbox", version, about = "Sandbox emulating CarmaChain, TrustDecision, DCM, UBKI and SberSafe", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (the default).
    Serve,
    /// Check scenario files without starting a server; prints `file:line:column: message`.
    Validate {
        /// Scenario files or directories of them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Exit 0 when a local sandbox answers its health endpoint (for Docker HEALTHCHECK).
    Healthcheck {
        /// Port of the sandbox; defaults to the configured port.
        #[arg(long)]
        port: Option<u16>,
    },
}

/// Flags override the settings file and `SANDBOX_*` environment variables.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Settings file (YAML/TOML/JSON) read before the environment.
    #[arg(long, global = true, env = "SANDBOX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to bind [env: SANDBOX_HOST] [default: 0.0.0.0].
    #[arg(long, global = true)]
    pub host: Option<String>,
    /// Port to listen on [env: SANDBOX_PORT] [default: 8080].
    #[arg(long, global = true)]
    pub port: Option<u16>,
    /// Scenario YAML file or directory of them [env: SANDBOX_SCENARIO] [default: embedded].
    #[arg(long, global = true)]
    pub scenario: Option<PathBuf>,
    /// Seed for generated data, overriding the scenario's [env: SANDBOX_SEED].
    #[arg(long, global = true)]
    pub seed: Option<u64>,
    /// Log filter, e.g. `info` or `sandbox=debug` [env: SANDBOX_LOG] [default: info].
    #[arg(long, global = true)]
    pub log: Option<String>,
    /// Directory where tenants are saved and restored from [env: SANDBOX_STATE_DIR].
    #[arg(long, global = true)]
    pub state_dir: Option<PathBuf>,
    /// Reload the scenario when its files change [env: SANDBOX_WATCH] [default: false].
    #[arg(long, global = true)]
    pub watch: bool,
}

impl ServeArgs {
    pub fn settings(&self) -> Result<Settings, config::ConfigError> {
        let mut s = Settings::load(self.config.as_deref())?;
        if let Some(v) = &self.host {
            s.host = v.clone();
        }
        if let Some(v) = self.port {
            s.port = v;
        }
        if let Some(v) = &self.scenario {
            s.scenario = Some(v.clone());
        }
        if let Some(v) = self.seed {
            s.seed = Some(v);
        }
        if let Some(v) = &self.log {
            s.log = v.clone();
        }
        if let Some(v) = &self.state_dir {
            s.state_dir = Some(v.clone());
        }
        if self.watch {
            s.watch = true;
        }
        Ok(s)
    }
}

/// `sandbox validate`: every problem of every file, exit 1 if any.
pub fn validate(files: &[PathBuf]) -> ExitCode {
    let problems =
        crate::scenario::validate_files(files, &crate::providers::registry().blueprints());
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        println!("ok: {} file(s) valid", files.len());
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problem(s)", problems.len());
        ExitCode::FAILURE
    }
}

/// `sandbox healthcheck`: a plain HTTP/1.1 GET, so the image needs no curl or shell.
pub fn healthcheck(port: u16) -> ExitCode {
    match probe(port) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("sandbox on port {port} answered, but not healthy");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("sandbox on port {port} is not answering: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the sandbox on `port` answers its health endpoint with 200 and `"ok"`.
pub fn probe(port: u16) -> std::io::Result<bool> {
    let addr = ("127.0.0.1", port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(
        b"GET /__sandbox/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )?;
    let mut answer = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    Ok(text.starts_with("HTTP/1.1 200") && text.contains("\"ok\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watch_flag_turns_the_watch_on() {
        let with = Cli::try_parse_from(["sandbox", "--watch"]).unwrap();
        let without = Cli::try_parse_from(["sandbox"]).unwrap();

        assert!(with.serve.settings().unwrap().watch);
        assert!(!without.serve.settings().unwrap().watch);
    }
}
