//! Any text: the parser answers with a script or an error at a line and column,
//! and a script that parses runs to the end within its limits — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(script) = socklab::script::parse(&text) {
        let options = socklab::script::RunOptions {
            pending_bound_us: 5_000_000,
            idle_bound_us: 10_000_000,
            max_events: 20_000,
            ..Default::default()
        };
        let _ = socklab::script::run(&script, &options);
    }
});
