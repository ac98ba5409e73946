//! Faasade's cross-target test suite. The tests live under `tests/`: the conformance cases on
//! every target's real local runtime (`tests/conformance`), the OpenWhisk protocol, the
//! packaging checks for aws and fastly, the examples run as processes, and `cargo faasade` end
//! to end (`tests/e2e.rs`). This library holds what they share.
//!
//! The suite depends on `cargo-faasade` and its hosts; no library crate depends on the suite,
//! so `cargo test -p faasade` never compiles the CLI.

pub mod lambda_zip;
pub mod process;
