//! A sandbox that stands in for five data providers.
//!
//! A request to `/<provider>/...` passes through `providers::pipeline` (tenant, body
//! limit, rules, `X-Sandbox-Force`, journal) to the provider's handler, which reads and
//! changes its tenant's state (`state`) at the tenant's virtual clock and answers in the
//! provider's own format from its code table (`providers::codes`). What a tenant starts
//! with comes from the YAML `scenario`; `admin` is the control API under `/__sandbox`.

pub mod admin;
pub mod cli;
pub mod fakedata;
pub mod faults;
pub mod journal;
pub mod providers;
pub mod rng;
pub mod scenario;
pub mod settings;
pub mod startup;
pub mod state;

use std::process::ExitCode;

pub use settings::Settings;
pub use startup::Application;
pub use state::Sandbox;

/// Logs one line per request at the level of `filter` (`SANDBOX_LOG`).
pub fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}

/// Starts the server and blocks until it is stopped.
pub fn serve(settings: Settings) -> ExitCode {
    init_tracing(&settings.log);
    let sandbox = match Sandbox::new(settings) {
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
