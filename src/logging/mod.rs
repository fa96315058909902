//! The log: one line per request at `info` (`pipeline::record`), in `line`'s format,
//! to stdout through `sink` (batched, written by a thread of its own, bounded, never
//! lossy).

mod line;
mod sink;

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, OnceLock};

pub use line::Value;
pub use sink::LogGuard;

/// Where `request` writes, set by `init`: the sink tracing writes to, and whether lines
/// are coloured.
static DIRECT: OnceLock<(Arc<sink::Shared>, bool)> = OnceLock::new();

thread_local! {
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The request line (`pipeline::record`), at `info` under the filter as if it were a
/// `tracing::info!` of that module, written straight to the sink.
pub fn request(fields: &[(&str, Value<'_>)]) {
    if !tracing::enabled!(target: "sandbox::pipeline::record", tracing::Level::INFO) {
        return;
    }
    let Some((shared, ansi)) = DIRECT.get() else {
        return;
    };
    LINE.with_borrow_mut(|line| {
        line.clear();
        if line::request_line(line, *ansi, fields).is_ok() {
            let _ = (&**shared).write_all(line.as_bytes());
        }
    });
}

/// Logs at the level of `filter` (`SANDBOX_LOG`). Keep the guard as long as the server:
/// dropping it writes the rest. `None` when the writer thread could not start.
pub fn init(filter: &str) -> Option<LogGuard> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, guard) = sink::sink(std::io::stdout()).ok()?;
    let shared = writer.shared();
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(line::Line { ansi })
        .with_writer(writer)
        .try_init();
    if installed.is_ok() {
        let _ = DIRECT.set((shared, ansi));
    }
    Some(guard)
}
