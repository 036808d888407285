//! See `zulip_fuzz::checks::get_file_temporary_url` for what this target checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zulip_fuzz::checks::get_file_temporary_url(data));
