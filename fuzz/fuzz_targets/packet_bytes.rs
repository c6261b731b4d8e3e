//! Any bytes: parsing yields a packet or an error; a packet that parses
//! serializes again and parses back to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

fuzz_target!(|data: &[u8]| fuzz_harness::packet_bytes(data));
