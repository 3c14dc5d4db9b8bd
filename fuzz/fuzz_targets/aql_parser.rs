//! `cargo fuzz run aql_parser`: see fuzz/README.md and the function it calls.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| arangosync_fuzz::aql_parser(data));
