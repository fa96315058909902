//! A tenant's virtual clock: real time shifted by an offset, or frozen at an instant.
//! Every expiry and timestamp reads it, never the system clock.

use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;

#[derive(Debug, Clone, Copy)]
enum Mode {
    Offset(Duration),
    Frozen(DateTime<Utc>),
}

#[derive(Debug)]
pub struct Clock {
    mode: Mutex<Mode>,
}

impl Clock {
    pub fn new(start: Option<DateTime<Utc>>, frozen: bool) -> Self {
        let clock = Self {
            mode: Mutex::new(Mode::Offset(Duration::zero())),
        };
        if let Some(start) = start {
            clock.set(start, frozen);
        } else if frozen {
            clock.set(Utc::now(), true);
        }
        clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        match *self.mode.lock() {
            Mode::Offset(offset) => Utc::now() + offset,
            Mode::Frozen(at) => at,
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(*self.mode.lock(), Mode::Frozen(_))
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut mode = self.mode.lock();
        *mode = match *mode {
            Mode::Offset(offset) => Mode::Offset(offset + by),
            Mode::Frozen(at) => Mode::Frozen(at + by),
        };
    }

    pub fn set(&self, to: DateTime<Utc>, frozen: bool) {
        *self.mode.lock() = if frozen {
            Mode::Frozen(to)
        } else {
            Mode::Offset(to - Utc::now())
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2024-09-04T11:39:13Z")
            .unwrap()
            .to_utc();
        let clock = Clock::new(Some(start), true);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(7));
        assert_eq!(clock.now(), start + Duration::days(7));
    }

    #[test]
    fn running_clock_keeps_its_offset() {
        let clock = Clock::new(None, false);
        clock.advance(Duration::hours(25));
        let ahead = clock.now() - Utc::now();
        assert!(ahead > Duration::hours(24) && ahead <= Duration::hours(25));
    }
}
