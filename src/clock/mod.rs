//! A tenant's virtual clock: real time shifted by an offset, or frozen at an instant.
//! Every expiry and timestamp reads it, never the system clock.

mod text;

pub use text::{push_ascii, push_date_time, push_digits, write_digits, zone_offset};

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering, fence};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// The clock stays within these years, so no date arithmetic of any provider can
/// overflow and every format keeps its width (TrustDecision's 13-digit epoch
/// milliseconds end in 2286), however far a test moves it.
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 2285;

#[derive(Debug, thiserror::Error)]
#[error("the clock must stay between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31")]
pub struct OutOfRange;

fn bounds() -> (DateTime<Utc>, DateTime<Utc>) {
    let min = Utc
        .with_ymd_and_hms(MIN_YEAR, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let max = Utc
        .with_ymd_and_hms(MAX_YEAR, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    (min, max)
}

fn in_range(t: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, OutOfRange> {
    let (min, max) = bounds();
    t.filter(|t| (min..=max).contains(t)).ok_or(OutOfRange)
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Offset(Duration),
    Frozen(DateTime<Utc>),
}

/// A clock as a snapshot keeps it: a running clock's offset from real time (so after a
/// restart it runs on from where real time is), or a frozen clock's instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClockState {
    Offset { offset_us: i64 },
    Frozen { at: DateTime<Utc> },
}

/// Every request reads its tenant's clock several times, from both workers; a lock
/// there made the workers pass its line back and forth. The mode is kept in atomics
/// under a sequence count instead (a seqlock: reads write nothing and retry while a
/// change is half done); changes, rare, take `change`.
#[derive(Debug, Default)]
pub struct Clock {
    /// Odd while a change is being written.
    seq: AtomicU64,
    frozen: AtomicBool,
    /// The offset, or the frozen instant since the epoch, in seconds and nanoseconds.
    secs: AtomicI64,
    nanos: AtomicU32,
    change: Mutex<()>,
}

impl Clock {
    pub fn new(start: Option<DateTime<Utc>>, frozen: bool) -> Self {
        let clock = Self::default();
        // A start out of range (refused when the scenario loads) falls back to real time.
        let _ = clock.set(start.unwrap_or_else(Utc::now), frozen);
        clock
    }

    fn mode(&self) -> Mode {
        loop {
            let before = self.seq.load(Ordering::Acquire);
            let frozen = self.frozen.load(Ordering::Relaxed);
            let (secs, nanos) = (
                self.secs.load(Ordering::Relaxed),
                self.nanos.load(Ordering::Relaxed),
            );
            fence(Ordering::Acquire);
            if before.is_multiple_of(2) && self.seq.load(Ordering::Relaxed) == before {
                return if frozen {
                    Mode::Frozen(
                        DateTime::from_timestamp(secs, nanos).unwrap_or(DateTime::UNIX_EPOCH),
                    )
                } else {
                    Mode::Offset(Duration::new(secs, nanos).unwrap_or_default())
                };
            }
            std::hint::spin_loop();
        }
    }

    /// Writes `mode`; the caller holds `change`.
    fn store(&self, mode: Mode) {
        let (frozen, secs, nanos) = match mode {
            Mode::Offset(d) => (false, d.num_seconds(), d.subsec_nanos()),
            Mode::Frozen(at) => (true, at.timestamp(), at.timestamp_subsec_nanos() as i32),
        };
        // A negative offset keeps its nanoseconds negative in chrono; stored as their
        // positive complement, so `Duration::new` (nanos < 1e9) reads it back.
        let (secs, nanos) = if nanos < 0 {
            (secs - 1, (nanos + 1_000_000_000) as u32)
        } else {
            (secs, nanos as u32)
        };
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.frozen.store(frozen, Ordering::Relaxed);
        self.secs.store(secs, Ordering::Relaxed);
        self.nanos.store(nanos, Ordering::Relaxed);
        self.seq.store(seq + 2, Ordering::Release);
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.mode() {
            Mode::Offset(offset) => Utc::now()
                .checked_add_signed(offset)
                .unwrap_or_else(|| bounds().1),
            Mode::Frozen(at) => at,
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self.mode(), Mode::Frozen(_))
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) -> Result<(), OutOfRange> {
        let _change = self.change.lock();
        let mode = match self.mode() {
            Mode::Offset(offset) => {
                let offset = offset.checked_add(&by).ok_or(OutOfRange)?;
                in_range(Utc::now().checked_add_signed(offset))?;
                Mode::Offset(offset)
            }
            Mode::Frozen(at) => Mode::Frozen(in_range(at.checked_add_signed(by))?),
        };
        self.store(mode);
        Ok(())
    }

    pub fn state(&self) -> ClockState {
        match self.mode() {
            Mode::Offset(offset) => ClockState::Offset {
                offset_us: offset.num_microseconds().unwrap_or(i64::MAX),
            },
            Mode::Frozen(at) => ClockState::Frozen { at },
        }
    }

    /// Takes the mode of a snapshot; refused (and the clock unchanged) out of range.
    pub fn restore(&self, state: ClockState) -> Result<(), OutOfRange> {
        let mode = match state {
            ClockState::Offset { offset_us } => {
                let offset = Duration::microseconds(offset_us);
                in_range(Utc::now().checked_add_signed(offset))?;
                Mode::Offset(offset)
            }
            ClockState::Frozen { at } => Mode::Frozen(in_range(Some(at))?),
        };
        let _change = self.change.lock();
        self.store(mode);
        Ok(())
    }

    pub fn set(&self, to: DateTime<Utc>, frozen: bool) -> Result<(), OutOfRange> {
        let to = in_range(Some(to))?;
        let _change = self.change.lock();
        self.store(if frozen {
            Mode::Frozen(to)
        } else {
            Mode::Offset(to - Utc::now())
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_instants_keep_their_nanoseconds_either_side_of_zero() {
        let clock = Clock::new(None, false);
        for by in [-1_500_000_001_i64, -1, 1, 2_000_000_123] {
            let before = clock.state();
            clock.advance(Duration::nanoseconds(by)).expect("in range");
            clock.advance(Duration::nanoseconds(-by)).expect("in range");
            assert_eq!(clock.state(), before, "by {by} ns and back");
        }
        let at = DateTime::from_timestamp(1_725_450_000, 123_456_789).expect("in range");
        clock.set(at, true).expect("in range");
        assert_eq!(clock.now(), at);
    }

    #[test]
    fn a_reader_never_sees_half_a_change() {
        let a = DateTime::from_timestamp(1_000_000_000, 1).expect("in range");
        let b = DateTime::from_timestamp(2_000_000_000, 999_999_999).expect("in range");
        let clock = Clock::new(Some(a), true);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for i in 0..20_000 {
                    let _ = clock.set(if i % 2 == 0 { b } else { a }, true);
                }
            });
            for _ in 0..20_000 {
                let now = clock.now();
                assert!(now == a || now == b, "torn read {now}");
            }
        });
    }

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2024-09-04T11:39:13Z")
            .unwrap()
            .to_utc();
        let clock = Clock::new(Some(start), true);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(7)).unwrap();
        assert_eq!(clock.now(), start + Duration::days(7));
    }

    #[test]
    fn running_clock_keeps_its_offset() {
        let clock = Clock::new(None, false);
        clock.advance(Duration::hours(25)).unwrap();
        let ahead = clock.now() - Utc::now();
        assert!(ahead > Duration::hours(24) && ahead <= Duration::hours(25));
    }

    #[test]
    fn a_clock_restored_from_its_state_keeps_its_mode_and_time() {
        let start = DateTime::parse_from_rfc3339("2024-09-04T11:39:13Z")
            .unwrap()
            .to_utc();
        let (frozen, running) = (Clock::new(Some(start), true), Clock::new(None, false));
        running.advance(Duration::days(3)).unwrap();
        let (a, b) = (Clock::new(None, false), Clock::new(None, true));

        a.restore(frozen.state()).unwrap();
        b.restore(running.state()).unwrap();

        assert_eq!(a.now(), start);
        assert!(!b.is_frozen());
        assert_eq!(b.state(), running.state());
        assert!(
            a.restore(ClockState::Offset {
                offset_us: i64::MAX
            })
            .is_err()
        );
        assert_eq!(a.now(), start);
    }

    #[test]
    fn the_clock_refuses_to_leave_its_range_and_keeps_its_time() {
        let clock = Clock::new(None, true);
        let before = clock.now();
        assert!(clock.advance(Duration::days(365 * 8000)).is_err());
        assert!(clock.advance(Duration::days(-365 * 100)).is_err());
        assert!(clock.set(DateTime::<Utc>::MAX_UTC, true).is_err());
        assert_eq!(clock.now(), before);
    }
}
