//! The fuzz targets' shared code: the same files the stable corpus replay test uses, so a
//! target and its replay can never drift apart.

#[path = "../../tests/src/checks.rs"]
pub mod checks;
#[path = "../../tests/src/fuzz_input.rs"]
pub mod fuzz_input;
