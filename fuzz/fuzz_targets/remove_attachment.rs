//! See `zulip_fuzz::checks::remove_attachment` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_fuzz::checks::remove_attachment(data));
