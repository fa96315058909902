//! The five providers. Each is a folder with the same files (`codes.rs`, `wire.rs`,
//! `state.rs`, `routes.rs`, `scenario.rs`, `mod.rs`) and one `Provider` value; adding a
//! sixth is a folder and a line in `registry()` (see ARCHITECTURE.md).

pub mod carmachain;
pub mod dcm;
pub mod sbersafe;
pub mod trustdecision;
pub mod ubki;

use std::sync::Arc;

use crate::provider::Registry;

/// Every provider, in the order the README lists them.
pub fn registry() -> Registry {
    Registry::new(vec![
        Arc::new(carmachain::CarmaChain),
        Arc::new(trustdecision::TrustDecision),
        Arc::new(dcm::Dcm),
        Arc::new(ubki::Ubki),
        Arc::new(sbersafe::SberSafe),
    ])
}
