//! Times as the language and its messages write them.

/// Microseconds as seconds with six decimals: `1.250000`.
pub fn fmt_time(us: u64) -> String {
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

/// A simulated time as people say it: `0 ms`, `20 ms`, `1.25 s`.
pub fn format_time(us: u64) -> String {
    if us < 1_000_000 {
        let ms = us as f64 / 1_000.0;
        let s = format!("{ms:.3}");
        format!("{} ms", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        let s = format!("{:.3}", us as f64 / 1_000_000.0);
        format!("{} s", s.trim_end_matches('0').trim_end_matches('.'))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_naturally() {
        assert_eq!(format_time(0), "0 ms");
        assert_eq!(format_time(20_000), "20 ms");
        assert_eq!(format_time(20_500), "20.5 ms");
        assert_eq!(format_time(60_090_000), "60.09 s");
    }
}
