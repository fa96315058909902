//! Identifiers: GUIDs and IBANs as DCM reads them (the shapes are `crate::input`'s, the
//! 400s DCM's), and the ones the sandbox makes, the same for the same seed and keys.

use super::super::codes::DcmError;
use super::super::errors::bad;
use crate::input::{Guid, Iban};
use crate::rng;

/// A UUID in the lower-case hyphenated form used as a key; `Err` says why in Go's words.
pub fn parse_uuid(s: &str) -> Result<String, String> {
    Guid::parse(s).map(Guid::into_string)
}

/// The GUID sent in `field`, or the 400 `field: invalid UUID ...`.
pub fn guid_field(field: &str, s: &str) -> Result<String, DcmError> {
    parse_uuid(s).map_err(|e| bad(format!("{field}: {e}")))
}

/// Spaces dropped, upper case; the 400 when the checksum or shape is wrong.
pub fn normalize_iban(raw: &str) -> Result<String, DcmError> {
    Iban::parse(raw)
        .map(Iban::into_string)
        .ok_or_else(|| bad(format!("invalid IBAN: {raw}")))
}

/// A GUID drawn from the seed and `keys`.
pub fn generated_guid(seed: u64, keys: &[&str]) -> String {
    rng::uuid(&mut rng::rng_for(seed, keys))
        .hyphenated()
        .to_string()
}

/// A UA IBAN drawn from the seed and `keys`: `UA`, check digits, the bank code, 19
/// digits (29 characters).
pub fn generated_iban(seed: u64, keys: &[&str], bank_code: &str) -> String {
    let mut r = rng::rng_for(seed, keys);
    Iban::make("UA", &format!("{bank_code}{}", rng::digits(&mut r, 19)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_from_the_wild_validate_and_generated_ones_too() {
        assert!(Iban::valid("LT966008050860332937"));
        // The document's second example fails its own checksum.
        assert!(!Iban::valid("AZ21DGOK50994005088730349858"));
        assert!(Iban::valid("UA843220010000026001000000001"));
        assert!(!Iban::valid("UA843220010000026001000000002"));
        let generated = Iban::make("UA", "3220010000026007233566001");
        assert_eq!(generated.len(), 29);
        assert!(Iban::valid(&generated));
    }

    #[test]
    fn uuid_errors_read_like_go() {
        assert_eq!(parse_uuid(""), Err("invalid UUID length: 0".into()));
        assert_eq!(
            parse_uuid("zzzzzzzz-1111-4111-8111-111111111111"),
            Err("invalid UUID format".into())
        );
        assert_eq!(
            parse_uuid("11111111-1111-4111-8111-11111111111A").as_deref(),
            Ok("11111111-1111-4111-8111-11111111111a")
        );
    }
}
