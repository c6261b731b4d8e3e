//! The benchmark workloads in wasm32, in headless Chromium, at a fraction of
//! their fixed sizes (the same code as `cargo bench`; compare rates, not totals).
//! `make bench` builds it with SOCKLAB_BENCH_SCALE=4 and prints the figures into
//! BENCHMARKS.md; in `make test` (1/16) it only proves they run.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_workloads_run_in_the_browser() {
    // Date.now() (ms) needs no extra web-sys feature and is fine for runs of 100 ms and more.
    let clock = || js_sys::Date::now() / 1000.0;
    let names: Vec<String> =
        ["tcp_echo", "tcp_bulk", "tcp_bulk_lo", "tcp_connections", "udp_loss"].iter().map(|s| s.to_string()).collect();
    let scale = option_env!("SOCKLAB_BENCH_SCALE").and_then(|s| s.parse().ok()).unwrap_or(16);
    let figures = socklab::bench::run(&names, 1, scale, &clock);
    assert_eq!(figures.len(), 6);
    for f in &figures {
        assert!(f.value > 0.0, "{f}");
        console_log!("wasm {f}");
    }
}
