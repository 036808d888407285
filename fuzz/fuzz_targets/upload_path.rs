//! See `zulip_fuzz::checks::upload_path` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_fuzz::checks::upload_path(data));
