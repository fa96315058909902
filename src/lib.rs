//! A sandbox that stands in for five data providers. The layers, lowest first (each
//! uses only those below it; ARCHITECTURE.md is the map):
//!
//! - `rng`, `fakedata`, `clock`, `codes`, `input`: seeded generators, generated people,
//!   the virtual clock, code tables with their error types, input checks.
//! - `scenario`: what a tenant starts with (clock, people, rules; each provider's
//!   section parsed by the provider through its `Blueprint`).
//! - `faults`, `journal`, `settings`, `state`: rules at run time, the journal and
//!   coverage, the settings, and the tenants with their clocks and provider states.
//! - `provider`: the contract a provider implements and what its handlers see (`Ctx`).
//! - `providers`: the five providers, one folder each, listed in `registry()`.
//! - `pipeline`: one request's path: capture, decide, act, record.
//! - `openapi`: the documents of what the server serves, built from its routes and tables.
//! - `admin`, `watch`, `startup`, `cli`: the control API, the scenario watch, the
//!   server, the command line.

mod admin;
pub mod cli;
mod clock;
mod codes;
mod fakedata;
mod faults;
mod input;
mod journal;
mod metrics;
mod openapi;
mod pipeline;
pub mod provider;
pub mod providers;
mod rng;
pub mod scenario;
mod settings;
mod startup;
mod state;
mod watch;

use std::process::ExitCode;

pub use settings::Settings;
pub use startup::{Application, build, build_from, load_scenario};
pub use state::Sandbox;

/// Logs one line per request at the level of `filter` (`SANDBOX_LOG`). The lines go to
/// stdout through a buffered writer on a thread of its own, so a worker formats a line
/// but never waits on a write syscall; the writer is not lossy (a full queue waits
/// rather than drops). Keep the guard as long as the server: dropping it flushes.
pub fn init_tracing(filter: &str) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("sandbox-log")
        .finish(std::io::BufWriter::new(std::io::stdout()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init();
    guard
}

/// Starts the server and blocks until it is stopped.
pub fn serve(settings: Settings) -> ExitCode {
    let _log = init_tracing(&settings.log);
    let sandbox = match build(settings) {
        Ok(s) => s,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return ExitCode::FAILURE;
        }
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(sandbox)?;
        tracing::info!(
            port = app.port(),
            scenario = ?app.sandbox.world().names,
            "sandbox listening"
        );
        app.run_until_stopped().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server: {e}");
            ExitCode::FAILURE
        }
    }
}
