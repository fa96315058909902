//! Dates as text, written digit by digit into a fixed template: chrono's `format` parses
//! its pattern on every call, which was a sixth of a DCM list page's CPU (perf).

use std::cell::Cell;

use chrono::{Datelike, FixedOffset, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// The zone, UTC second and offset (seconds east) of a lookup.
type Kept = (Tz, i64, i32);
const SLOTS: usize = 4;

thread_local! {
    /// This thread's last lookups, and the slot the next one replaces.
    static KEPT: Cell<([Kept; SLOTS], usize)> =
        const { Cell::new(([(Tz::UTC, i64::MIN, 0); SLOTS], 0)) };
}

/// `zone`'s offset from UTC at `utc`. An answer writes several dates (now, a validity's
/// end) and chrono-tz searches its transition table for each (a tenth of a SberSafe
/// clients answer), so the last few lookups are kept per thread. Transitions fall on
/// whole seconds, so the second is an exact key.
pub fn zone_offset(zone: Tz, utc: &NaiveDateTime) -> FixedOffset {
    let second = utc.and_utc().timestamp();
    let (mut kept, next) = KEPT.get();
    let hit = kept.iter().find(|k| k.0 == zone && k.1 == second);
    if let Some(offset) = hit.and_then(|k| FixedOffset::east_opt(k.2)) {
        return offset;
    }
    let offset = zone.offset_from_utc_datetime(utc).fix();
    kept[next] = (zone, second, offset.local_minus_utc());
    KEPT.set((kept, (next + 1) % SLOTS));
    offset
}

/// Appends `t` as `YYYY-MM-DD<sep>HH:MM:SS`. `false` (nothing written) for a year
/// outside 0..=9999 or a separator outside ASCII, which the caller formats with chrono.
pub fn push_date_time(out: &mut String, t: &NaiveDateTime, sep: u8) -> bool {
    let Ok(year @ 0..=9999) = u32::try_from(t.year()) else {
        return false;
    };
    let mut text = *b"0000-00-00 00:00:00";
    text[10] = sep;
    let fields = [
        (0..4, year),
        (5..7, t.month()),
        (8..10, t.day()),
        (11..13, t.hour()),
        (14..16, t.minute()),
        (17..19, t.second()),
    ];
    for (at, n) in fields {
        write_digits(&mut text[at], u64::from(n));
    }
    push_ascii(out, &text)
}

/// Appends the last `width` (at most 20) decimal digits of `n`, zero-padded.
pub fn push_digits(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let digits = &mut digits[..width.min(20)];
    write_digits(digits, n);
    push_ascii(out, digits);
}

/// Appends bytes written from a template and digits; `false` if one was not ASCII.
pub fn push_ascii(out: &mut String, text: &[u8]) -> bool {
    match std::str::from_utf8(text) {
        Ok(text) if text.is_ascii() => {
            out.push_str(text);
            true
        }
        _ => false,
    }
}

/// Fills `out` with the last `out.len()` decimal digits of `n`, zero-padded.
pub fn write_digits(out: &mut [u8], mut n: u64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration};
    use chrono_tz::Europe::{Kyiv, Moscow};

    #[test]
    fn date_time_text_is_chronos_pattern_without_parsing_it() {
        for secs in (-62_167_219_200_i64..253_402_300_799).step_by(7_777_777_777) {
            let t = DateTime::from_timestamp(secs, 0)
                .expect("in range")
                .naive_utc();
            let mut text = String::new();
            assert!(push_date_time(&mut text, &t, b'T'));
            assert_eq!(text, t.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
        let far = DateTime::from_timestamp(253_402_300_800, 0).expect("year 10000");
        assert!(!push_date_time(&mut String::new(), &far.naive_utc(), b' '));
        let t = DateTime::UNIX_EPOCH.naive_utc();
        assert!(!push_date_time(&mut String::new(), &t, 0xC3));
    }

    #[test]
    fn the_kept_offset_is_the_zones_on_both_sides_of_each_switch() {
        // Kyiv's 2024 switches at 01:00 UTC, asked second by second around them, with
        // Moscow asked in between so the kept lookup changes zone too.
        for switch in ["2024-03-31T01:00:00Z", "2024-10-27T01:00:00Z"] {
            let switch = DateTime::parse_from_rfc3339(switch).expect("instant");
            for s in -3..3 {
                let t = (switch + Duration::milliseconds(s * 500)).naive_utc();
                for zone in [Kyiv, Kyiv, Moscow, Kyiv] {
                    let expected = zone.offset_from_utc_datetime(&t).fix();
                    assert_eq!(zone_offset(zone, &t), expected, "{zone} at {t}");
                }
            }
        }
    }
}
