use std::process::ExitCode;

use clap::Parser;
use sandbox::cli::{self, Cli, Command};

/// mimalloc, not glibc's malloc: a request allocates and frees dozens of small buffers on
/// two worker threads, and under load glibc spent a fifth of the server's time in
/// `malloc`/`free`/`malloc_consolidate` (benches/load.sh, perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Cli::parse();
    let settings = match args.serve.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("settings: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args.command {
        Some(Command::Validate { files }) => cli::validate(&files),
        Some(Command::Healthcheck { port }) => cli::healthcheck(port.unwrap_or(settings.port)),
        Some(Command::Serve) | None => sandbox::serve(settings),
    }
}
