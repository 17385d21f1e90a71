#![no_main]
// See jiance::fuzz::warc for what it checks.
libfuzzer_sys::fuzz_target!(init: jiance::fuzz::init(), |data: &[u8]| jiance::fuzz::warc(data));
