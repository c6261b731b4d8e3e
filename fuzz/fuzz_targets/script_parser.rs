//! Any text: the parser answers with a script or an error at a line and column,
//! and a script that parses runs to the end within its limits — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

// Each target uses one of the harness functions.
#[allow(dead_code)]
#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

fuzz_target!(|data: &[u8]| fuzz_harness::script_parser(data));
