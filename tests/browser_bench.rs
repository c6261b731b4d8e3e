//! The benchmark workloads in wasm32, in headless Chromium (the same code as
//! `cargo bench`). `make bench` builds it with SOCKLAB_BENCH_SCALE=1, the fixed
//! sizes, and puts every figure beside the native one in BENCHMARKS.md; in
//! `make test` (1/16 of the sizes) it only proves they all run.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_workloads_run_in_the_browser() {
    // performance.now() (sub-millisecond), reached through js-sys so the page's
    // web-sys feature list stays its own.
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).expect("performance");
    let now = js_sys::Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok())
        .expect("performance.now");
    let clock = move || now.call0(&performance).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) / 1000.0;
    // Every workload `socklab bench` runs natively (none named = all of them).
    let names: Vec<String> = Vec::new();
    let scale = option_env!("SOCKLAB_BENCH_SCALE").and_then(|s| s.parse().ok()).unwrap_or(16);
    let runs = option_env!("SOCKLAB_BENCH_RUNS").and_then(|s| s.parse().ok()).unwrap_or(1);
    if scale == 1 {
        // A measured run first warms up: the browser runs new wasm in its baseline
        // compiler until the optimizing tier is ready, which would bill the first
        // workload (tcp_echo, ~10 ms natively) for the whole compile.
        socklab::bench::run(&names, 1, 16, &clock);
    }
    let figures = socklab::bench::run(&names, runs, scale, &clock);
    for name in socklab::bench::WORKLOADS {
        assert!(figures.iter().any(|f| f.name.starts_with(name)), "no figure for {name}");
    }
    for f in &figures {
        assert!(f.value > 0.0, "{f}");
        console_log!("wasm {f}");
    }
}
