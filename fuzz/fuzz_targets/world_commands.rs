//! Any bytes, read as socket calls, waits and TCP and link settings on three
//! hosts: the world never panics, every call ends in a value or an errno, the
//! model's invariants hold after every event, and no wait turns into an event
//! storm.
#![no_main]
use libfuzzer_sys::fuzz_target;

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

fuzz_target!(|data: &[u8]| fuzz_harness::world_commands(data));
