//! The integration tests: one binary, a module per provider plus the platform and the
//! hostile-input sweep, sharing `common` (the real server on port 0, talked to over HTTP).

mod common;

mod carmachain;
mod contract;
mod dashboard;
mod dcm;
mod memory;
mod metrics;
mod openapi;
mod platform;
mod replica;
mod robustness;
mod sbersafe;
mod snapshot;
mod trustdecision;
mod ubki;
mod verification;
mod watch;
