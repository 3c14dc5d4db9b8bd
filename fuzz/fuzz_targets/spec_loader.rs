//! `cargo fuzz run spec_loader`: see fuzz/README.md and the function it calls.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| arangosync_fuzz::spec_loader(data));
