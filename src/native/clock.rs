//! Clocks for the native benchmark driver.
//!
//! Wall time is what the benchmark figures mean ("per wall-second"), but on a
//! shared machine it also counts time this thread waited for a core. The scaling
//! table in BENCHMARKS.md compares 10 to 10,000 connections, and those runs must
//! not differ by whatever else the machine was doing: they use this thread's CPU
//! time, which still counts cache misses and page faults (real costs of a larger
//! working set) but not time spent descheduled.

/// Seconds of CPU time this thread has used, or `None` where the OS has no such clock.
#[cfg(unix)]
pub fn thread_cpu_seconds() -> Option<f64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes only the timespec it is given, which lives on this stack.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
}

#[cfg(not(unix))]
pub fn thread_cpu_seconds() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_moves_with_work_on_this_thread() {
        let Some(t0) = thread_cpu_seconds() else { return };
        // Enough work to be seen by a clock of microsecond resolution or better.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        let t1 = thread_cpu_seconds().unwrap_or(t0);
        assert!(t1 > t0, "cpu clock did not move: {t0} -> {t1} ({x})");
    }
}
