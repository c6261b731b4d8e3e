//! Any text as a shared link's URL fragment: decoding gives a state or an
//! error, never a panic, and a state that decodes round-trips through encode.
#![no_main]
use libfuzzer_sys::fuzz_target;

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

fuzz_target!(|data: &[u8]| fuzz_harness::url_fragment(data));
