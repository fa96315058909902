//! Where the log lines go: appended to one shared buffer, written out by a thread of its
//! own every `FLUSH_EVERY`, or sooner once `FLUSH_AT` bytes wait. A worker neither waits
//! on a write syscall nor wakes a thread per line: tracing-appender's channel did the
//! latter, a futex wake and a context switch per request under load. Bounded: past
//! `CAP` bytes not yet written a worker waits for the writer; no line is ever dropped.

use std::io::{self, Write};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use tracing_subscriber::fmt::MakeWriter;

const FLUSH_EVERY: Duration = Duration::from_millis(50);
const FLUSH_AT: usize = 64 * 1024;
/// The most log bytes held in memory (part of the worst case in the README).
pub const CAP: usize = 8 * 1024 * 1024;

#[derive(Default)]
pub struct Shared {
    pending: Mutex<Pending>,
    /// The writer thread waits on it for `FLUSH_AT` bytes or the end.
    full: Condvar,
    /// Workers wait on it while `CAP` bytes are pending.
    room: Condvar,
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    closed: bool,
}

/// Hands the shared buffer to `tracing_subscriber::fmt` as its writer.
#[derive(Clone)]
pub struct LogWriter(Arc<Shared>);

impl LogWriter {
    /// The buffer itself, for lines written without tracing (`logging::request`).
    pub fn shared(&self) -> Arc<Shared> {
        self.0.clone()
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = &'a Shared;

    fn make_writer(&'a self) -> Self::Writer {
        &self.0
    }
}

impl Write for &Shared {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut pending = self.pending.lock();
        while pending.bytes.len() >= CAP && !pending.closed {
            self.room.wait(&mut pending);
        }
        let before = pending.bytes.len();
        pending.bytes.extend_from_slice(line);
        if before < FLUSH_AT && pending.bytes.len() >= FLUSH_AT {
            self.full.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes what is pending at exit: keep it as long as the server.
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.pending.lock().closed = true;
        self.shared.full.notify_one();
        self.shared.room.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A writer for the log and the guard whose drop writes the rest to `out`.
pub fn sink<W: Write + Send + 'static>(out: W) -> io::Result<(LogWriter, LogGuard)> {
    let shared = Arc::new(Shared::default());
    let thread = std::thread::Builder::new()
        .name("sandbox-log".into())
        .spawn({
            let shared = shared.clone();
            move || write_out(&shared, out)
        })?;
    let guard = LogGuard {
        shared: shared.clone(),
        thread: Some(thread),
    };
    Ok((LogWriter(shared), guard))
}

/// The writer thread: takes what is pending, writes it outside the lock, until the end.
fn write_out<W: Write>(shared: &Shared, mut out: W) {
    let mut batch = Vec::new();
    loop {
        let closed = {
            let mut pending = shared.pending.lock();
            if pending.bytes.len() < FLUSH_AT && !pending.closed {
                shared.full.wait_for(&mut pending, FLUSH_EVERY);
            }
            std::mem::swap(&mut pending.bytes, &mut batch);
            shared.room.notify_all();
            pending.closed
        };
        if !batch.is_empty() {
            // A closed stdout cannot be logged to; the lines are let go.
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            batch.clear();
        }
        if closed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_order_and_all_of_them_by_the_guard() {
        let out = Captured::default();
        let (writer, guard) = sink(out.clone()).expect("thread");
        for i in 0..10_000 {
            writeln!(writer.make_writer(), "line {i}").expect("write");
        }
        drop(guard);
        let text = String::from_utf8(out.0.lock().clone()).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10_000);
        assert_eq!(lines[0], "line 0");
        assert_eq!(lines[9_999], "line 9999");
    }

    #[test]
    fn a_line_is_written_without_waiting_for_the_end() {
        let out = Captured::default();
        let (writer, _guard) = sink(out.clone()).expect("thread");
        writeln!(writer.make_writer(), "hello").expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while out.0.lock().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(FLUSH_EVERY);
        }
        assert_eq!(&*out.0.lock(), b"hello\n");
    }

    #[test]
    fn pending_bytes_never_pass_the_cap_by_more_than_a_line() {
        struct Slow;
        impl Write for Slow {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                std::thread::sleep(Duration::from_millis(20));
                Ok(bytes.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (writer, _guard) = sink(Slow).expect("thread");
        let line = vec![b'x'; 1024 * 1024];
        for _ in 0..24 {
            writer.make_writer().write_all(&line).expect("write");
            assert!(writer.0.pending.lock().bytes.len() <= CAP + line.len());
        }
    }
}
