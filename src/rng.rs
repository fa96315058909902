//! Order-independent determinism: every generated value comes from a ChaCha generator
//! derived from the scenario seed and the key of the thing generated (person, token
//! number, tenant...), never from one shared stream, so what one test does cannot
//! change what another sees.

use fake::rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use rand_chacha::ChaCha8Rng as Rng;

/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
pub fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A generator for the entity named by `parts` under `seed`.
pub fn rng_for(seed: u64, parts: &[&str]) -> ChaCha8Rng {
    let mut hash = fnv1a(0xcbf2_9ce4_8422_2325, &seed.to_le_bytes());
    for part in parts {
        hash = fnv1a(hash, part.as_bytes());
        hash = fnv1a(hash, &[0xff]);
    }
    ChaCha8Rng::seed_from_u64(hash)
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub fn hex_upper(rng: &mut ChaCha8Rng, len: usize) -> String {
    (0..len)
        .map(|_| HEX_UPPER[rng.random_range(0..16)] as char)
        .collect()
}

pub fn digits(rng: &mut ChaCha8Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

pub fn alnum(rng: &mut ChaCha8Rng, len: usize) -> String {
    let mut out = String::with_capacity(len);
    push_alnum(&mut out, rng, len);
    out
}

/// `alnum`'s characters appended to `out`, the same draws.
pub fn push_alnum(out: &mut String, rng: &mut ChaCha8Rng, len: usize) {
    out.extend((0..len).map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char));
}

/// A version-4 UUID made of seeded bytes.
pub fn uuid(rng: &mut ChaCha8Rng) -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_parts_give_same_values_and_different_parts_differ() {
        let a = hex_upper(&mut rng_for(7, &["ubki", "sessid", "1"]), 32);
        let b = hex_upper(&mut rng_for(7, &["ubki", "sessid", "1"]), 32);
        let c = hex_upper(&mut rng_for(7, &["ubki", "sessid", "2"]), 32);
        let d = hex_upper(&mut rng_for(8, &["ubki", "sessid", "1"]), 32);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn part_boundaries_matter() {
        let a = digits(&mut rng_for(1, &["ab", "c"]), 12);
        let b = digits(&mut rng_for(1, &["a", "bc"]), 12);
        assert_ne!(a, b);
    }
}
