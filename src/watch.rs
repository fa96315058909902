//! `--watch`: the scenario path is watched, and every change that validates is swapped
//! in as `PUT /__sandbox/scenario` would (`Sandbox::load_as`); a bad edit is logged as
//! `file:line:column: message`, kept for `/__sandbox/health`, and the previous scenario
//! keeps serving. The directory is watched, not the file's inode: editors replace a file
//! by rename and a Kubernetes ConfigMap mount swaps its `..data` symlink, so any event
//! there means "read the path again"; unchanged sources are not reloaded.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, RecommendedCache, new_debouncer,
    notify::{RecommendedWatcher, RecursiveMode},
};
use parking_lot::Mutex;
use serde::Serialize;

use crate::state::Sandbox;

/// Events closer together than this are one change (an editor's write, rename, chmod).
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What health shows of the watch: the path, and the last edit refused if the files on
/// disk are not what serves.
#[derive(Debug)]
pub struct WatchStatus {
    path: PathBuf,
    rejected: Mutex<Option<Rejected>>,
}

#[derive(Debug, Clone, Serialize)]
struct Rejected {
    at: DateTime<Utc>,
    problems: Vec<String>,
}

impl WatchStatus {
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path.display().to_string(),
            "rejected": *self.rejected.lock(),
        })
    }
}

/// A running watch; dropping it stops the watcher thread.
pub struct Watch {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    pub status: Arc<WatchStatus>,
}

/// Starts watching when the settings ask for it; `--watch` without a scenario path is
/// an error, not a silent no-op.
pub fn start(sandbox: Arc<Sandbox>) -> std::io::Result<Option<Watch>> {
    if !sandbox.settings.watch {
        return Ok(None);
    }
    let Some(path) = sandbox.settings.scenario.clone() else {
        return Err(std::io::Error::other(
            "`watch` needs a scenario file or directory to watch (`--scenario`)",
        ));
    };
    let dir = if path.is_dir() {
        path.clone()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let status = Arc::new(WatchStatus {
        path: path.clone(),
        rejected: Mutex::new(None),
    });
    let seen = status.clone();
    let on_events = move |events: DebounceEventResult| match events {
        // Opening a file is an event too (inotify's IN_OPEN), so reading the scenario
        // would wake the watch again and again: only changes count.
        Ok(events) if events.iter().all(|e| e.kind.is_access()) => {}
        Ok(_) => reload(&sandbox, &path, &seen),
        Err(errors) => errors
            .iter()
            .for_each(|e| tracing::warn!(error = %e, "scenario watch")),
    };
    let mut debouncer = new_debouncer(DEBOUNCE, None, on_events).map_err(std::io::Error::other)?;
    debouncer
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(std::io::Error::other)?;
    tracing::info!(path = %status.path.display(), "watching the scenario");
    Ok(Some(Watch {
        _debouncer: debouncer,
        status,
    }))
}

/// Reads `path` again and loads it if it changed and validates.
fn reload(sandbox: &Sandbox, path: &Path, status: &WatchStatus) {
    let loaded = crate::scenario::load_path(path).and_then(|sources| {
        if sources == sandbox.world().sources {
            return Ok(false);
        }
        sandbox.load_as(sources, Some("watch")).map(|()| true)
    });
    match loaded {
        Ok(false) => {}
        Ok(true) => {
            *status.rejected.lock() = None;
            tracing::info!(scenario = ?sandbox.world().names, "scenario reloaded by the watch");
        }
        Err(problems) => {
            for p in &problems {
                tracing::error!("{p}");
            }
            tracing::error!("the edited scenario was not loaded; the previous one keeps serving");
            *status.rejected.lock() = Some(Rejected {
                at: Utc::now(),
                problems: problems.iter().map(ToString::to_string).collect(),
            });
        }
    }
}
