//! `cargo bench`: the fixed workloads of `socklab::bench`, natively, median of runs.
//! Arguments (after `--`) name workloads to run; `SOCKLAB_BENCH_RUNS` sets the run count
//! and `SOCKLAB_BENCH_SCALE` divides the workload sizes (for a quick look). Needs the
//! `native` feature, for the allocator settings the CLI's `socklab bench` uses too.

fn main() {
    socklab::native::memory::keep_freed_memory();
    let names: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runs = std::env::var("SOCKLAB_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let scale = std::env::var("SOCKLAB_BENCH_SCALE").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let start = std::time::Instant::now();
    let clock = move || start.elapsed().as_secs_f64();
    println!("build {} {}", if cfg!(debug_assertions) { "debug" } else { "release" }, std::env::consts::ARCH);
    for figure in socklab::bench::run(&names, runs, scale, &clock) {
        println!("{figure}");
    }
}
