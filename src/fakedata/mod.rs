//! Seeded fake data. `fake` has no Ukrainian locale, so `uk` holds small word lists of
//! our own; everything takes the caller's seeded generator.

pub mod uk;

use fake::rand::RngExt;

use crate::rng::Rng;

pub fn pick<'a>(rng: &mut Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}
