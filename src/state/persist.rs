//! Tenants kept across restarts: with `state_dir` set, each tenant is a snapshot file
//! `<tenant>.snapshot.json` there, written atomically when it changed (every
//! `state_save_secs`, when it is evicted, at shutdown) and read back at start-up or
//! when an evicted tenant is used again. A file that cannot be read back is set aside,
//! never fatal. Without `state_dir` nothing here touches the disk.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::{Sandbox, Tenant};

const SUFFIX: &str = ".snapshot.json";

/// The file of tenant `name`; tenant names are `[A-Za-z0-9._-]{1,64}`, and with the
/// suffix even `.` and `..` make plain file names.
fn file_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{SUFFIX}"))
}

/// Temporary file, fsync, rename, fsync of the directory: a crash leaves the old file
/// or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("tenant");
    // Unique per process and write: replicas sharing the directory may all be pid 1.
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
    let mut file = fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
}

/// Renames a file that cannot be restored to `<file>.corrupt-<unix seconds>`, so it is
/// kept for a look and not read again.
fn set_aside(path: &Path, why: &str) {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let aside = PathBuf::from(format!("{}.corrupt-{secs}", path.display()));
    match fs::rename(path, &aside) {
        Ok(()) => {
            tracing::warn!(file = %path.display(), aside = %aside.display(), problem = why, "saved tenant set aside")
        }
        Err(e) => {
            tracing::error!(file = %path.display(), problem = why, error = %e, "saved tenant could not be set aside")
        }
    }
}

/// The tenant files of `dir`, newest first.
fn saved_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(SystemTime, String, PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            let name = file.strip_suffix(SUFFIX)?.to_string();
            Tenant::check_name(&name).ok()?;
            let modified = e.metadata().and_then(|m| m.modified()).ok()?;
            Some((modified, name, e.path()))
        })
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    files.into_iter().map(|(_, n, p)| (n, p)).collect()
}

impl Sandbox {
    /// Writes tenant `t` to the state directory if it changed since it was last written.
    pub(super) fn save(&self, t: &Tenant) {
        let Some(dir) = &self.settings.state_dir else {
            return;
        };
        let Some(uses) = t.unsaved() else {
            return;
        };
        let written = t
            .snapshot(true)
            .and_then(|doc| serde_json::to_vec(&doc).map_err(|e| e.to_string()))
            .and_then(|bytes| {
                fs::create_dir_all(dir)
                    .and_then(|()| write_atomic(&file_of(dir, &t.name), &bytes))
                    .map_err(|e| e.to_string())
            });
        match written {
            Ok(()) => t.mark_saved(uses),
            Err(e) => tracing::error!(tenant = %t.name, error = %e, "tenant not saved"),
        }
    }

    /// Saves every tenant that changed since it was last saved (periodically and at
    /// shutdown).
    pub fn save_changed(&self) {
        let tenants: Vec<Arc<Tenant>> = self.tenants.lock().values().cloned().collect();
        for t in tenants {
            self.save(&t);
        }
    }

    /// Tenant `name` from its file, if there is one that fits; one that does not is set
    /// aside.
    pub(super) fn load_saved(&self, name: &str) -> Option<Tenant> {
        let path = file_of(self.settings.state_dir.as_ref()?, name);
        if !path.exists() {
            return None;
        }
        // Files are this sandbox's own: no body limit, only whether they parse and fit.
        let read = fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .and_then(|doc| {
                self.tenant_from(name, doc, false)
                    .map_err(|e| e.to_string())
            });
        match read {
            Ok(tenant) => {
                // What is on disk is what it holds: nothing to write until it changes.
                tenant.mark_saved(tenant.unsaved().unwrap_or(0));
                Some(tenant)
            }
            Err(why) => {
                set_aside(&path, &why);
                None
            }
        }
    }

    /// At start-up: the newest saved tenants, up to `tenant_cap`; the others stay on
    /// disk until used. Returns how many were restored.
    pub fn restore_saved(&self) -> usize {
        let Some(dir) = &self.settings.state_dir else {
            return 0;
        };
        let mut restored = 0;
        for (name, _) in saved_files(dir) {
            if restored >= self.settings.tenant_cap.max(1) {
                break;
            }
            if let Some(t) = self.load_saved(&name) {
                self.tenants.lock().insert(name, Arc::new(t));
                restored += 1;
            }
        }
        tracing::info!(dir = %dir.display(), restored, "saved tenants restored");
        restored
    }
}
