//! Times as the language and its messages write them.

/// Microseconds as seconds with six decimals: `1.250000`.
pub fn fmt_time(us: u64) -> String {
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

/// A duration the way a script writes it: `120s`, `200ms`, `15us`.
pub fn fmt_dur(us: u64) -> String {
    if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}
