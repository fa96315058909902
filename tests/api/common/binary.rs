//! The built binary as a child process, for what only the real command line and
//! environment show (settings read from `SANDBOX_*` variables).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// A `sandbox` process on a free loopback port; killed when dropped.
pub struct Served {
    child: Child,
    pub port: u16,
    /// Its stdout, line by line, after the line naming the port.
    lines: Receiver<String>,
}

impl Served {
    /// Starts the binary with `envs` added to its environment and waits for the log
    /// line naming its port (port 0 picks a free one).
    pub fn start(envs: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox"))
            .env("SANDBOX_HOST", "127.0.0.1")
            .env("SANDBOX_PORT", "0")
            .env("SANDBOX_LOG", "info")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let (lines, seen) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Self {
            child,
            port: 0,
            lines: seen,
        };
        while let Ok(line) = served.lines.recv_timeout(Duration::from_secs(20)) {
            let port = line.split("port=").nth(1).and_then(|rest| {
                rest.split_whitespace()
                    .next()
                    .and_then(|p| p.parse::<u16>().ok())
            });
            if let Some(port) = port {
                served.port = port;
                return served;
            }
        }
        panic!("the server never logged its port");
    }

    /// The next log line holding `needle`, waiting up to `within`.
    pub fn line_with(&self, needle: &str, within: Duration) -> Option<String> {
        let end = Instant::now() + within;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
