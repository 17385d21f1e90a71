#![no_main]
// See jiance::fuzz::analyze for what it checks.
libfuzzer_sys::fuzz_target!(init: jiance::fuzz::init(), |data: &[u8]| jiance::fuzz::analyze(data));
