//! How one event is written: `2026-12-01T14:12:28.953305Z  INFO request tenant=a
//! status=200 …`, the shape of tracing-subscriber's default line (logfmt fields: a text
//! is quoted only when it needs it). Written piece by piece into the line buffer rather
//! than through `core::fmt` field by field, which cost the request line 12,000 of a
//! request's 82,000 instructions (benches/profile.sh).

use std::cell::Cell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::clock::{push_date_time, write_digits};

/// The event format of the sandbox's log.
pub struct Line {
    pub ansi: bool,
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write_time(&mut writer, SystemTime::now())?;
        write_level(&mut writer, *event.metadata().level(), self.ansi)?;
        let mut fields = Fields {
            out: &mut writer,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

thread_local! {
    /// The second last written and its text, so a line pays for its date once a second.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
}

/// `2026-12-01T14:12:28.953305Z`, UTC.
fn write_time(w: &mut impl Write, now: SystemTime) -> fmt::Result {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (cached, mut text) = SECOND.get();
    if cached != secs {
        let date = chrono::DateTime::from_timestamp(secs as i64, 0).unwrap_or_default();
        let mut formatted = String::with_capacity(19);
        if !push_date_time(&mut formatted, &date.naive_utc(), b'T') {
            formatted = date.format("%Y-%m-%dT%H:%M:%S").to_string();
        }
        if let Some(bytes) = formatted.as_bytes().get(..19) {
            text.copy_from_slice(bytes);
            SECOND.set((secs, text));
        }
    }
    w.write_str(std::str::from_utf8(&text).unwrap_or("????-??-??T??:??:??"))?;
    let mut digits = [b'0'; 7];
    digits[0] = b'.';
    write_digits(&mut digits[1..], u64::from(since.subsec_micros()));
    w.write_str(std::str::from_utf8(&digits).unwrap_or(".000000"))?;
    w.write_char('Z')
}

fn write_level(w: &mut impl Write, level: Level, ansi: bool) -> fmt::Result {
    let (text, colour) = match level {
        Level::TRACE => ("TRACE", "35"),
        Level::DEBUG => ("DEBUG", "34"),
        Level::INFO => (" INFO", "32"),
        Level::WARN => (" WARN", "33"),
        Level::ERROR => ("ERROR", "31"),
    };
    if ansi {
        write!(w, " \x1b[{colour}m{text}\x1b[0m ")
    } else {
        w.write_char(' ')?;
        w.write_str(text)?;
        w.write_char(' ')
    }
}

/// Writes the message, then ` name=value` for each field.
struct Fields<'w, 'a> {
    out: &'w mut Writer<'a>,
    result: fmt::Result,
}

impl Fields<'_, '_> {
    fn name(&mut self, field: &Field) -> fmt::Result {
        write_name(self.out, field.name())
    }

    fn text(&mut self, field: &Field, value: &str) -> fmt::Result {
        if field.name() == "message" {
            return self.out.write_str(value);
        }
        write_text(self.out, field.name(), value)
    }

    fn number(&mut self, field: &Field, negative: bool, n: u64) -> fmt::Result {
        write_number(self.out, field.name(), negative, n)
    }
}

fn write_name(out: &mut impl Write, name: &str) -> fmt::Result {
    out.write_char(' ')?;
    out.write_str(name)?;
    out.write_char('=')
}

/// ` name=value`, quoted and escaped when logfmt needs it.
fn write_text(out: &mut impl Write, name: &str, value: &str) -> fmt::Result {
    write_name(out, name)?;
    if needs_quotes(value) {
        write!(out, "{value:?}")
    } else {
        out.write_str(value)
    }
}

fn write_number(out: &mut impl Write, name: &str, negative: bool, n: u64) -> fmt::Result {
    write_name(out, name)?;
    if negative {
        out.write_char('-')?;
    }
    let mut digits = [0u8; 20];
    let len = digits_of(n);
    write_digits(&mut digits[..len], n);
    out.write_str(std::str::from_utf8(&digits[..len]).unwrap_or("?"))
}

/// A field of the request line.
pub enum Value<'a> {
    Text(&'a str),
    Number(u64),
    Millis(std::time::Duration),
}

/// The request line as `tracing::info!(tenant = .., .., "request")` would write it
/// through `Line`, written straight into `out`: tracing's dispatch and field visitor
/// cost 3,000 of a request's instructions (benches/profile.sh).
pub fn request_line(out: &mut String, ansi: bool, fields: &[(&str, Value<'_>)]) -> fmt::Result {
    write_time(out, SystemTime::now())?;
    write_level(out, Level::INFO, ansi)?;
    out.push_str("request");
    for (name, value) in fields {
        match value {
            Value::Text(t) => write_text(out, name, t)?,
            Value::Number(n) => write_number(out, name, false, *n)?,
            Value::Millis(d) => {
                write_name(out, name)?;
                push_millis(out, *d);
            }
        }
    }
    out.push('\n');
    Ok(())
}

/// Milliseconds with two decimals (`74.29`), written without float formatting.
fn push_millis(out: &mut String, d: std::time::Duration) {
    let hundredths = (d.as_micros() / 10).min(u128::from(u64::MAX)) as u64;
    let whole = hundredths / 100;
    let mut digits = [0u8; 24];
    let len = digits_of(whole);
    write_digits(&mut digits[..len], whole);
    digits[len] = b'.';
    write_digits(&mut digits[len + 1..len + 3], hundredths % 100);
    out.push_str(std::str::from_utf8(&digits[..len + 3]).unwrap_or("?"));
}

fn digits_of(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Logfmt: a value with a space, quote, `=`, backslash or control character, or none at
/// all, is written quoted and escaped.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value
            .bytes()
            .any(|b| b <= b' ' || b == b'"' || b == b'=' || b == b'\\' || b == 0x7f)
}

impl Visit for Fields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.result.is_ok() {
            self.result = self.text(field, value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.result.is_ok() {
            self.result = self.number(field, false, value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.result.is_ok() {
            self.result = self.number(field, value < 0, value.unsigned_abs());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        self.result = if field.name() == "message" {
            write!(self.out, "{value:?}")
        } else {
            self.name(field)
                .and_then(|()| write!(self.out, "{value:?}"))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn line_of(event: impl FnOnce()) -> String {
        let out = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let sink = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(Line { ansi: false })
            .with_writer(move || Capture(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, event);
        String::from_utf8(out.lock().clone()).expect("utf-8")
    }

    struct Capture(std::sync::Arc<parking_lot::Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_request_line_has_time_level_message_and_logfmt_fields() {
        let line = line_of(|| {
            tracing::info!(
                tenant = "ci-1",
                path = "/ubki/bonusservice/discount",
                status = 200u16,
                offset = -3i64,
                code = "",
                note = "two words",
                latency_ms = %"74.29",
                "request"
            )
        });
        let (time, rest) = line.split_once("  INFO ").expect("level after the time");
        assert_eq!(time.len(), 27, "{time}");
        assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
        assert_eq!(
            rest,
            "request tenant=ci-1 path=/ubki/bonusservice/discount status=200 offset=-3 \
             code=\"\" note=\"two words\" latency_ms=74.29\n"
        );
    }

    #[test]
    fn the_direct_request_line_equals_the_one_tracing_writes() {
        let traced =
            line_of(|| tracing::info!(tenant = "ci 1", status = 404u16, code = "-", "request"));
        let mut direct = String::new();
        let fields = [
            ("tenant", Value::Text("ci 1")),
            ("status", Value::Number(404)),
            ("code", Value::Text("-")),
        ];
        request_line(&mut direct, false, &fields).expect("written");
        // The times differ by when each was written; everything after them is equal.
        let after_time = |l: &str| l.get(27..).map(str::to_string);
        assert_eq!(after_time(&direct), after_time(&traced), "{direct}{traced}");
    }

    #[test]
    fn a_warning_keeps_its_level_and_a_debug_value() {
        let line = line_of(|| tracing::warn!(names = ?["default"], "loaded {}", 2));
        assert!(
            line.contains("  WARN loaded 2 names=[\"default\"]\n"),
            "{line}"
        );
    }

    #[test]
    fn the_time_is_utc_with_microseconds() {
        let mut text = String::new();
        let at = UNIX_EPOCH + Duration::from_micros(1_764_600_748_000_042);
        write_time(&mut Writer::new(&mut text), at).expect("written");
        assert_eq!(text, "2025-12-01T14:52:28.000042Z");
    }

    #[test]
    fn millis_have_two_decimals() {
        for (micros, text) in [
            (0, "0.00"),
            (5, "0.00"),
            (1_230, "1.23"),
            (9_999, "9.99"),
            (74_296, "74.29"),
            (2_000_000, "2000.00"),
        ] {
            let mut out = String::new();
            push_millis(&mut out, Duration::from_micros(micros));
            assert_eq!(out, text);
        }
    }
}
