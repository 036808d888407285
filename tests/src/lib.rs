//! Shared helpers for cross-crate tests.
//!
//! - [`fuzz_input`]: how a fuzz input or corpus file becomes a response;
//! - [`checks`]: the properties each fuzz target checks, replayed on stable Rust by
//!   `tests/fuzz_corpus.rs` over every committed seed and regression input.
//!
//! Both modules are also compiled into the fuzz crate (`fuzz/src/lib.rs`, through `#[path]`), so
//! they may use only `zulip-types`, `http` and `serde_json`.

pub mod checks;
pub mod fuzz_input;
