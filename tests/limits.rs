//! Hostile scripts meet the limits of docs/script.md ("Limits") with an error
//! that names the limit, quickly: no allocation of what was asked, no hang.
//! (The limits of a shared link are tested with src/lesson/share.rs.)

use socklab::script::limits::{MAX_EVENTS, MAX_PAYLOAD, MAX_RECORD_BYTES, MAX_TOTAL_PAYLOAD};
use socklab::script::{self, FailureKind, RunOptions};

const HEAD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";

fn parse_err(body: &str) -> String {
    match script::parse(&format!("{HEAD}{body}")) {
        Err(e) => e.render("t.sock"),
        Ok(_) => panic!("parsed: {body}"),
    }
}

/// Runs `body` and returns its failures. How fast a limit stops a run is for
/// the benchmarks; here each test checks where it stopped (the line, the count),
/// which is what a run that did the work anyway would get wrong.
fn run_failures(body: &str, options: &RunOptions) -> Vec<(FailureKind, String)> {
    let s = script::parse(&format!("{HEAD}{body}")).expect("parses");
    let r = script::run(&s, options);
    r.failures.iter().map(|f| (f.kind, f.render("t.sock"))).collect()
}

#[test]
fn a_gigabyte_buffer_or_read_is_refused_at_parse_time() {
    let over = format!("over the limit of {MAX_PAYLOAD}");
    for call in [
        "client: setsockopt(c, SO_RCVBUF, 1000000000)",
        "client: setsockopt(c, SO_SNDBUF, 1000000000)",
        "client: recv(c, 1000000000)",
        "client: send(c, 1000000000 bytes)",
    ] {
        let e = parse_err(&format!("client: c = socket(tcp)\n{call}\n"));
        assert!(e.starts_with("t.sock:5:") && e.contains(&over), "{call}: {e}");
    }
}

#[test]
fn a_hundred_thousand_hosts_stop_at_the_host_limit() {
    let mut text = String::new();
    for i in 0..100_000u32 {
        text.push_str(&format!("host h{i} 10.{}.{}.{}\n", i / 62_500, i / 250 % 250, i % 250 + 1));
    }
    let e = script::parse(&text).expect_err("too many hosts");
    assert_eq!(e.line, 1001);
    assert!(e.message.contains("too many hosts: the limit is 1000"), "{}", e.message);
}

/// A megabyte-long name is refused where it is declared, and the message quotes
/// none of it: names are at most 40 characters.
#[test]
fn a_megabyte_name_is_refused_where_it_is_declared() {
    let long = "n".repeat(1 << 20);
    for (body, col) in [(format!("host {long} 10.0.0.9\n"), 6), (format!("client: {long} = socket(tcp)\n"), 9)] {
        let e = parse_err(&body);
        assert!(
            e.starts_with(&format!("t.sock:4:{col}: ")) && e.contains("over the limit of 40 characters"),
            "{e:.200}"
        );
        assert!(e.len() < 200, "{e:.200}");
    }
}

#[test]
fn links_and_addresses_have_their_limits() {
    let addrs: Vec<String> = (1..=17).map(|i| format!("10.9.0.{i}")).collect();
    let e = parse_err(&format!("host many {}\n", addrs.join(", ")));
    assert!(e.contains("the limit is 16 per host"), "{e}");

    let mut text = String::new();
    for i in 0..150u32 {
        text.push_str(&format!("host h{i} 10.0.{}.{}\n", i / 200, i % 200 + 1));
    }
    let mut links = 0;
    'all: for a in 0..150 {
        for b in a + 1..150 {
            text.push_str(&format!("link h{a} h{b}\n"));
            links += 1;
            if links > 10_000 {
                break 'all;
            }
        }
    }
    let e = script::parse(&text).expect_err("too many links");
    assert!(e.message.contains("too many links: the limit is 10000"), "{}", e.message);
}

#[test]
fn a_simulated_year_is_refused() {
    assert!(parse_err("+8760h\n").contains("over the limit of one simulated day"));
    assert!(parse_err("+99999999999999999999999h\n").contains("over the limit of one simulated day"));
    // Each step is allowed; their sum is stopped at one day, by the runner.
    let f = run_failures(&"+23h\n".repeat(365), &RunOptions::default());
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, FailureKind::Script);
    assert!(f[0].1.starts_with("t.sock:5: expected simulated time to stay within one day"), "{}", f[0].1);
}

#[test]
fn payloads_past_the_script_total_are_refused() {
    // UDP refuses each datagram (EMSGSIZE) at once, so this costs no simulation,
    // yet every payload counts towards the script's total.
    let n = MAX_TOTAL_PAYLOAD / MAX_PAYLOAD + 1;
    let body = format!(
        "client: u = socket(udp)\n{}",
        format!("client: sendto(u, {MAX_PAYLOAD} bytes, 10.0.0.1:9)\n").repeat(n)
    );
    let f = run_failures(&body, &RunOptions::default());
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].1.contains(&format!("at most {MAX_TOTAL_PAYLOAD} bytes (64 MiB) sent by one script")), "{}", f[0].1);
}

#[test]
fn an_event_storm_ends_at_the_event_limit() {
    // A long transfer makes more events than the limit allows; the run stops
    // there with a failure that names it. (An ACK per segment, so the
    // receiver, which never reads, keeps answering; its buffer is set by
    // `tcp recv_buffer`, since SO_RCVBUF stops at net.core.rmem_max.)
    let body = "option ack immediate\ntcp recv_buffer 16000000\nserver: l = socket(tcp)\n\
                server: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 1) = 0\nclient: c = socket(tcp)\n\
                client: setsockopt(c, SO_SNDBUF, 16000000) = 0\nclient: connect(c, 10.0.0.1:80) = 0\n\
                client: send(c, 16000000 bytes)\nrun\n";
    let options = RunOptions { max_events: 20_000, ..RunOptions::default() };
    let f = run_failures(body, &options);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].1.contains("expected at most 20000 events in one run, got more (the event limit)"), "{}", f[0].1);
    assert_eq!(RunOptions::default().max_events, MAX_EVENTS);
}

#[test]
fn a_lossy_tiny_mtu_transfer_ends_at_the_record_limit_not_out_of_memory() {
    // 450 bytes of script once grew to 2.6-3.4 GiB (and 1.3 GB of `run` text)
    // before the event limit stopped it: heavy loss and duplication on a 68-byte
    // MTU make ~28-byte segments, each kept in the trace with its payload. The
    // record now has a budget of its own; here a small one, to stay quick. An
    // ACK per segment keeps the transfer's ACK clock going through the loss,
    // and Reno, because at a window of one or two segments it grows twice as
    // fast as CUBIC's Reno-friendly region (3β/(2-β) ≈ 0.53 segments a round
    // trip): so the transfer sends the most and fills the record soonest.
    // Loss 20%: at 25% and more, duplicate ACKs echoing old timestamps (RFC
    // 7323 §4.3) give RTT samples of half a second and the RTO backs off to
    // minutes, so this seed's transfer crawls instead of filling the record.
    // SACK off too: on a 68-byte MTU its blocks would eat most of each
    // segment's payload (tcp_current_mss), and fewer, longer stalls follow.
    let body = "option ack immediate
                link client server latency 1ms loss 20% dup 30% mtu 68
                tcp congestion reno
                host client tcp_sack 0
                host server tcp_sack 0
                tcp rto_min 1ms
tcp rto_initial 10ms
tcp data_retries 100
                tcp send_buffer 16000000
tcp recv_buffer 16000000
                server: l = socket(tcp)
server: bind(l, 10.0.0.1:80) = 0
server: listen(l, 5) = 0
                client: c = socket(tcp)
client: connect(c, 10.0.0.1:80) = 0
server: a = accept(l)
                client: send(c, 16000000 bytes)
server: recv(a, 16000000)
+1h
";
    let budget = 16 << 20;
    let options = RunOptions { max_record_bytes: budget, ..RunOptions::default() };
    let s = script::parse(&format!("{HEAD}{body}")).expect("parses");
    let report = script::run(&s, &options);
    let f: Vec<String> = report.failures.iter().map(|f| f.render("t.sock")).collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("expected a run's record (trace and packets) of at most 16 MiB, got more after"), "{}", f[0]);
    assert!(f[0].contains("(the memory limit)"), "{}", f[0]);
    let trace_bytes = (report.trace.capacity() * std::mem::size_of::<socklab::net::TraceEvent>()) as u64;
    // The check runs after each step, and the trace's Vec grows by doubling: it
    // may pass the budget once, by at most the one growth that crossed it
    // (with 144-byte events, 2^17 of them: 18 MiB).
    assert!(trace_bytes <= 2 * budget, "the trace alone holds {trace_bytes} bytes");
    assert!((report.trace.len() as u64) < MAX_EVENTS / 10, "stopped by the record budget, far before the event limit");
    assert_eq!(RunOptions::default().max_record_bytes, MAX_RECORD_BYTES);
}

#[test]
fn sockets_past_the_descriptor_limit_are_emfile() {
    // Descriptors 0..=2 are taken, as in a process: 1021 sockets fit in 1024.
    let body = format!("{}client: socket(udp) = EMFILE\n", "client: socket(udp)\n".repeat(1021));
    let f = run_failures(&body, &RunOptions::default());
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn the_core_takes_any_buffer_size_without_overflow() {
    // Scripts cap buffers at MAX_PAYLOAD, but the core's API takes any usize:
    // window arithmetic must saturate, not overflow, and nothing is allocated
    // up front.
    use socklab::net::*;
    use std::sync::Arc;
    for size in [1, 1 << 31, usize::MAX / 2, usize::MAX] {
        let mut w = World::new(1);
        let (a, b) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let (ha, hb) = (w.add_host("a", &[a]).expect("host"), w.add_host("b", &[b]).expect("host"));
        w.add_link(ha, hb, LinkConfig::default()).expect("link");
        let fd = |o: Result<CallOutcome, WorldError>| match o {
            Ok(CallOutcome::Done(Ok(CallValue::Fd(fd)))) => fd,
            o => panic!("{o:?}"),
        };
        let socket = SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Tcp };
        let l = fd(w.call(ha, socket.clone()));
        for opt in [SockOpt::RcvBuf(size), SockOpt::SndBuf(size)] {
            let _ = w.call(ha, SysCall::SetSockOpt { fd: l, opt });
        }
        let _ = w.call(ha, SysCall::Bind { fd: l, addr: SocketAddrV4::new(a, 80) });
        let _ = w.call(ha, SysCall::Listen { fd: l, backlog: 1 });
        let c = fd(w.call(hb, socket));
        for opt in [SockOpt::RcvBuf(size), SockOpt::SndBuf(size)] {
            let _ = w.call(hb, SysCall::SetSockOpt { fd: c, opt });
        }
        let _ = w.call(hb, SysCall::Connect { fd: c, addr: SocketAddrV4::new(a, 80) });
        w.run_until_idle(100_000);
        let _ = w.call(hb, SysCall::Send { fd: c, data: Arc::from(vec![7u8; 100_000]) });
        w.run_until_idle(100_000);
        let _ = w.call(ha, SysCall::Accept { fd: l });
        w.run_until_idle(100_000);
        w.check_invariants().expect("invariants hold");
    }
}
