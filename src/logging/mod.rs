//! The log: one line per request at `info` (`pipeline::record`), in `line`'s format,
//! to stdout through `sink` (batched, written by a thread of its own, bounded, never
//! lossy).

mod line;
mod sink;

pub use line::Millis;
pub use sink::LogGuard;

/// Logs at the level of `filter` (`SANDBOX_LOG`). Keep the guard as long as the server:
/// dropping it writes the rest. `None` when the writer thread could not start.
pub fn init(filter: &str) -> Option<LogGuard> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, guard) = sink::sink(std::io::stdout()).ok()?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(line::Line { ansi })
        .with_writer(writer)
        .try_init();
    Some(guard)
}
