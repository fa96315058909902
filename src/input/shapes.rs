//! Shapes more than one provider checks, as types: once parsed, a value is known good.

use std::fmt;

/// A Ukrainian individual tax number (RNOKPP): 10 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inn(String);

impl Inn {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_string()))
    }
}

/// A GUID in the lower-case hyphenated form used as a key, read as Go's `google/uuid`
/// reads it (the lengths it accepts, its two messages).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(String);

impl Guid {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.len() {
            32 | 36 | 38 | 45 => uuid::Uuid::parse_str(s)
                .map(|u| Self(u.hyphenated().to_string()))
                .map_err(|_| "invalid UUID format".to_string()),
            n => Err(format!("invalid UUID length: {n}")),
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An IBAN (ISO 13616) whose check digits are right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

impl Iban {
    /// Spaces dropped, upper case; `None` when the shape or checksum is wrong.
    pub fn parse(raw: &str) -> Option<Self> {
        let iban: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        Self::valid(&iban).then_some(Self(iban))
    }

    /// Rearranged, as a number, mod 97 is 1.
    pub fn valid(iban: &str) -> bool {
        let ok_shape = (15..=34).contains(&iban.len())
            && iban.bytes().take(2).all(|b| b.is_ascii_uppercase())
            && iban.bytes().skip(2).take(2).all(|b| b.is_ascii_digit())
            && iban
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !ok_shape {
            return false;
        }
        let (head, tail) = iban.split_at(4);
        mod97(digits(tail).chain(digits(head))) == 1
    }

    /// The IBAN of `country` with `bban`, its check digits computed.
    pub fn make(country: &str, bban: &str) -> String {
        let rest = format!("{bban}{country}00");
        let check = 98 - mod97(digits(&rest));
        format!("{country}{check:02}{bban}")
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn mod97(digits: impl Iterator<Item = u32>) -> u32 {
    digits.fold(0, |acc, d| {
        if d >= 10 {
            (acc * 100 + d) % 97
        } else {
            (acc * 10 + d) % 97
        }
    })
}

fn digits(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.chars().filter_map(|c| c.to_digit(36))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inn_is_ten_digits() {
        assert!(Inn::parse("3241500301").is_some());
        assert!(Inn::parse("324150030").is_none());
        assert!(Inn::parse("324150030a").is_none());
    }

    #[test]
    fn guid_errors_read_as_go_uuid_writes_them() {
        assert_eq!(Guid::parse(""), Err("invalid UUID length: 0".into()));
        assert_eq!(
            Guid::parse("zzzzzzzz-1111-4111-8111-111111111111"),
            Err("invalid UUID format".into())
        );
        let upper = Guid::parse("11111111-1111-4111-8111-11111111111A").unwrap();
        assert_eq!(upper.into_string(), "11111111-1111-4111-8111-11111111111a");
    }

    #[test]
    fn made_ibans_validate_and_a_changed_digit_does_not() {
        let iban = Iban::make("UA", "3220010000026007233566001");
        assert!(Iban::valid(&iban));
        let broken = iban.replacen('3', "4", 1);
        assert!(!Iban::valid(&broken));
        assert_eq!(
            Iban::parse(&iban.to_lowercase()).map(Iban::into_string),
            Some(iban)
        );
    }
}
