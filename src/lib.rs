//! A sandbox that stands in for five data providers. The layers, lowest first (each
//! uses only those below it; ARCHITECTURE.md is the map):
//!
//! - `rng`, `fakedata`, `clock`, `codes`, `input`, `headers`, `logging`, `chunked`:
//!   seeded generators, generated people, the virtual clock, code tables with their
//!   error types, input checks, a request's headers, the log's line and batched writer,
//!   a list that grows without moving what it holds.
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
mod chunked;
pub mod cli;
mod clock;
mod codes;
mod fakedata;
mod faults;
mod headers;
mod input;
mod journal;
/// Public for the floor of `benches/load.sh` only (`src/bin/floor.rs`).
#[doc(hidden)]
pub mod logging;
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

/// Starts the server and blocks until it is stopped.
pub fn serve(settings: Settings) -> ExitCode {
    let _log = logging::init(&settings.log);
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
