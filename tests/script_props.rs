//! Property tests: no input makes the parser or the runner panic.

use proptest::prelude::*;
use socklab::script::{self, RunOptions};

const HEAD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";

/// Lines that are valid or nearly so, to reach deep into the runner.
const LINES: &[&str] = &[
    "server: bind(l, 10.0.0.1:80) = 0",
    "server: bind(u, 10.0.0.1:80)",
    "server: listen(l, 0)",
    "server: accept(l)",
    "server: recv(5, 100)",
    "server: send(5, 70000 bytes)",
    "server: close(5)",
    "server: close(l)",
    "server: recvfrom(u, 5)",
    "server: setsockopt(l, O_NONBLOCK, 1)",
    "server: setsockopt(5, SO_RCVBUF, 1)",
    "server: setsockopt(l, SO_REUSEADDR, 1)",
    "server: u = socket(udp)",
    "client: c = socket(tcp)",
    "client: bind(c, 10.0.0.2:5000)",
    "client: connect(c, 10.0.0.2:5000)",
    "client: connect(c, 127.0.0.1:80)",
    "client: connect(c, 10.0.0.1:80)",
    "client: connect(v, 10.0.0.1:80)",
    "client: send(c, 5000 bytes)",
    "client: send(c, \"hi\")",
    "client: sendto(v, \"x\", 10.0.0.1:80)",
    "client: shutdown(c, wr)",
    "client: close(c)",
    "client: recv(c, 10) = \"\"",
    "client: setsockopt(c, O_NONBLOCK, 1)",
    "+10ms",
    "+2s",
    "run",
    "drop next 2 on client > server",
    "partition client server",
    "repair client server",
    "loss server > client 50%",
    "hold client > server",
    "release client > server",
    "link client server latency 1ms reorder 50% dup 50% jitter 3ms",
    "link client > server bandwidth 1mbit mtu 68",
    "tcp syn_retries 1",
    "tcp rto_min 1ms",
    "option ack immediate",
    "option ack delayed",
    "tcp nagle on",
    "expect client > server [S]",
    "expect server > client eventually [R.]",
    "expect state client c ESTABLISHED now",
    "expect state server 5 TIME-WAIT",
    "expect lost 0..100",
    "expect delivered server u 1",
    "expect cwnd client c 10 mss now",
    "server: getsockname(l) = 10.0.0.1:80",
    "server: getpeername(5) = 10.0.0.2:32768..60999",
    "client: getsockopt(c, SO_ERROR) = [0]",
    "client: setsockopt(c, SO_LINGER, {1, 0})",
    "client: connect(c, AF_UNSPEC)",
    "client: connect(v, AF_UNSPEC)",
    "server: recv(5, 3, MSG_PEEK)",
    "server: recvfrom(u, 2, MSG_PEEK|MSG_TRUNC) = 2 bytes from 10.0.0.2",
    "expect client > server [S] at 1s",
    "expect server > client [S.] ack= 1 +10ms ~1ms",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = script::parse(&text);
    }

    #[test]
    fn parser_never_panics_on_script_like_text(text in "[a-z0-9 :=(),.>+%\\[\\]\"#\\n-]{0,300}") {
        let _ = script::parse(&text);
        let _ = script::parse(&format!("{HEAD}{text}"));
    }
}

/// Options for exploring random scripts: short bounds, and the run goes on past failures.
fn exploring(seed: u64) -> RunOptions {
    RunOptions {
        seed: Some(seed),
        pending_bound_us: 5_000_000,
        idle_bound_us: 10_000_000,
        keep_going: true,
        ..RunOptions::default()
    }
}

/// `SCRIPT_PROP_CASES=5000 cargo test --test script_props` for a deeper search.
fn runner_cases() -> u32 {
    std::env::var("SCRIPT_PROP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: runner_cases(), .. ProptestConfig::default() })]

    #[test]
    fn runner_never_panics(lines in proptest::collection::vec(0..LINES.len(), 0..25), seed in 0u64..1000) {
        let mut text = format!("{HEAD}server: l = socket(tcp)\nserver: u = socket(udp)\nclient: c = socket(tcp)\nclient: v = socket(udp)\n");
        for i in lines {
            text.push_str(LINES[i]);
            text.push('\n');
        }
        let parsed = script::parse(&text);
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        if let Ok(s) = parsed {
            let opts = exploring(seed);
            let report = script::run(&s, &opts);
            prop_assert!(report.lines.len() <= s.statements.len());
        }
    }
}

/// Runs `script` a slice at a time, the slices' sizes taken in turn from `sizes`.
fn run_in_slices(script: &script::Script, opts: &RunOptions, sizes: &[u64]) -> script::RunReport {
    let mut runner = script::Runner::shared(std::sync::Arc::new(script.clone()), opts.clone());
    let mut slices = 0u64;
    for size in sizes.iter().cycle() {
        if runner.run_for(*size) {
            break;
        }
        slices += 1;
        assert!(slices < 100_000_000, "the run never ends");
    }
    runner.finish()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: runner_cases(), .. ProptestConfig::default() })]

    /// The page runs a script in slices between frames; what it gets must be what
    /// one run at once gives, wherever the slices happen to end.
    #[test]
    fn a_run_in_slices_of_any_size_is_the_run_at_once(
        lines in proptest::collection::vec(0..LINES.len(), 0..25),
        seed in 0u64..1000,
        keep_going in any::<bool>(),
        max_events in prop_oneof![Just(5_000_000u64), 1u64..400],
        // Small budgets make the record limit, not the event limit, end some runs.
        max_record_bytes in prop_oneof![Just(256u64 << 20), 1u64..60_000],
        sizes in proptest::collection::vec(1u64..300, 1..8),
    ) {
        let mut text = format!("{HEAD}server: l = socket(tcp)\nserver: u = socket(udp)\nclient: c = socket(tcp)\nclient: v = socket(udp)\n");
        for i in lines {
            text.push_str(LINES[i]);
            text.push('\n');
        }
        let s = script::parse(&text).expect("the lines parse");
        let opts = RunOptions {
            seed: Some(seed),
            pending_bound_us: 5_000_000,
            idle_bound_us: 10_000_000,
            max_events,
            keep_going,
            max_record_bytes,
        };
        prop_assert_eq!(run_in_slices(&s, &opts, &sizes), script::run(&s, &opts));
    }
}

#[test]
fn every_lesson_run_in_slices_is_the_lesson_run_at_once() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("scenarios").flatten().map(|f| f.path()).collect();
    files.sort();
    let mut lessons = 0;
    for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "sock")) {
        let text = std::fs::read_to_string(path).expect("read");
        let s = script::parse(&text).expect("parse");
        let opts = RunOptions::default();
        let whole = script::run(&s, &opts);
        for sizes in [&[1u64][..], &[2, 3], &[64], &[1000, 1]] {
            assert!(run_in_slices(&s, &opts, sizes) == whole, "{}: slices {sizes:?} differ", path.display());
        }
        lessons += 1;
    }
    assert!(lessons >= 20, "{lessons} lessons");
}

#[test]
fn stepping_after_a_paused_slice_finishes_the_interrupted_statement() {
    let text = format!("{HEAD}server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n+1s\nclient: close(c) = 0\n");
    let s = script::parse(&text).expect("parse");
    let opts = RunOptions::default();
    let mut runner = script::Runner::new(&s, opts.clone());
    // Up to the `+1s` line, then a little of its wait.
    while runner.next_statement().is_some_and(|st| !matches!(st.kind, script::StmtKind::Advance { .. })) {
        runner.step();
    }
    assert!(!runner.run_for(2), "two units do not finish the wait");
    let line = runner.next_statement().map(|st| st.line);
    assert_eq!(line, Some(9), "the interrupted +1s is still next");
    let oi = runner.step().expect("the +1s line ends");
    assert_eq!(runner.lines()[oi].line, 9);
    assert_eq!(runner.finish(), script::run(&s, &opts));
}

/// A session whose end leaves cancelled timers queued before late real ones (an
/// RTO timer cancelled by the last ACK, a TIME-WAIT expiry a minute on).
const SESSION: &str = "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: runner_cases(), .. ProptestConfig::default() })]

    /// A wait returns at its deadline: no event due after it has run by then,
    /// whatever the queue holds (superseded timers included).
    #[test]
    fn no_event_after_a_waits_deadline_runs_before_the_wait_returns(
        lines in proptest::collection::vec(0..LINES.len(), 0..6),
        tail in proptest::collection::vec(prop_oneof![
            Just("client: send(c, 3000 bytes)"),
            Just("server: send(a, 2000 bytes)"),
            Just("server: recv(a, 5000)"),
            Just("client: close(c)"),
            Just("server: close(a)"),
            Just("+1ms"),
            Just("+90ms"),
            Just("+1s"),
            Just("+5s"),
        ], 0..12),
        seed in 0u64..1000,
    ) {
        let mut text = format!("{HEAD}{SESSION}server: u = socket(udp)\nclient: v = socket(udp)\n");
        for line in lines.iter().map(|&i| LINES[i]).chain(tail) {
            text.push_str(line);
            text.push('\n');
        }
        let s = script::parse(&text).expect("the lines parse");
        let opts = exploring(seed);
        let report = script::run(&s, &opts);
        for line in &report.lines {
            if let script::StmtKind::Advance { us } = s.statements[line.stmt].kind {
                let deadline = line.time + us;
                let late = report.trace[..line.trace_end].iter().find(|e| e.time > deadline);
                prop_assert!(late.is_none(), "line {} `{}` waits until {deadline} µs, but {:?} ran first", line.line, line.source, late);
                prop_assert_eq!(line.detail.clone(), script::LineDetail::Advance { to: deadline });
            }
        }
    }
}

#[test]
fn a_wait_after_the_last_ack_ends_at_its_deadline_not_at_the_time_wait_expiry() {
    let text = format!(
        "{HEAD}{SESSION}client: close(c) = 0\nserver: close(a) = 0\n+1s\nexpect state client c TIME-WAIT now\n"
    );
    let s = script::parse(&text).expect("parse");
    let report = script::run(&s, &RunOptions::default());
    assert!(report.passed(), "{:?}", report.failures);
    let wait = report.lines.iter().find(|l| l.source == "+1s").expect("the wait line");
    let script::LineDetail::Advance { to } = wait.detail else { panic!("{:?}", wait.detail) };
    assert!(to < 2_000_000, "the wait ends about 1 s after the close, not at {to} µs");
}
