//! Every lesson in scenarios/ runs through the library runner and passes, with a
//! title and an explanation in both English and Korean.

use socklab::script::{self, RunOptions};
use std::path::PathBuf;

fn lessons() -> Vec<PathBuf> {
    scripts_in("scenarios")
}

/// The `.sock` files of a directory of the crate, in order.
fn scripts_in(dir: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sock"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_passes() {
    let files = lessons();
    assert!(files.len() >= 20, "the library has {} lessons; at least 20 are promised", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = match script::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(e.render(&name));
                continue;
            }
        };
        let m = &parsed.meta;
        for (what, v) in
            [("title.en", &m.title_en), ("title.ko", &m.title_ko), ("about.en", &m.about_en), ("about.ko", &m.about_ko)]
        {
            if v.as_deref().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no {what}"));
            }
        }
        let report = script::run(&parsed, &RunOptions::default());
        problems.extend(report.failures.iter().map(|f| f.render(&name)));
        if report.sent_count() == 0 {
            problems.push(format!("{name}: no packet was sent"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scripts of calls at the edges of the socket API (tests/calls/), whose
/// every result `socklab diff` holds against the kernel in `make test`, give
/// the results their lines expect in the model too.
#[test]
fn every_call_script_passes() {
    let files = scripts_in("tests/calls");
    assert!(files.len() >= 5, "tests/calls has {} scripts", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        match script::parse(&text) {
            Ok(parsed) => {
                problems.extend(script::run(&parsed, &RunOptions::default()).failures.iter().map(|f| f.render(&name)))
            }
            Err(e) => problems.push(e.render(&name)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn lessons_are_deterministic() {
    for path in lessons().iter().take(6) {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = script::parse(&text).unwrap();
        let a = script::run(&parsed, &RunOptions::default());
        let b = script::run(&parsed, &RunOptions::default());
        assert_eq!(a.trace, b.trace, "{}", path.display());
    }
}

#[test]
fn topics_named_in_the_issue_are_present() {
    let names: Vec<String> =
        lessons().iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
    for topic in [
        "socket_address",
        "server_client_path",
        "accept_new_socket",
        "handshake",
        "connection_refused",
        "syn_timeout",
        "backlog_overflow",
        "loss_retransmission",
        "fast_retransmit",
        "zero_window",
        "slow_start",
        "four_way_close",
        "half_close",
        "rst_on_close_unread",
        "simultaneous_open",
        "udp_boundaries",
        "udp_loss",
        "udp_reorder_dup",
        "udp_size_limit",
        "udp_fragment_loss",
        "udp_connected_unreachable",
        "http_vs_persistent",
        "corrupt_checksum",
        "delayed_ack",
    ] {
        assert!(names.iter().any(|n| n == topic), "missing scenarios/{topic}.sock");
    }
}

/// The faults the page's "Break it" panel and packet inspector offer.
#[derive(Clone, Copy, Debug)]
enum PageFault {
    Loss30,
    Delay200ms,
    CutLink,
    DropFirstPacket,
}

/// Runs `parsed` as the page does (going on past failed expectations) with
/// `fault` applied on link 0 right after the set-up lines.
fn run_with_fault(parsed: &script::Script, fault: PageFault) -> script::RunReport {
    use socklab::net::link::LinkSettings;
    use socklab::net::{LinkId, PacketId, TraceKind};
    use socklab::script::{Change, Intervention};
    let opts = RunOptions { keep_going: true, pending_bound_us: 20 * 60 * 1_000_000, ..RunOptions::default() };
    let first_packet = || {
        let clean = script::run(parsed, &opts);
        clean.trace.iter().find_map(|e| match &e.kind {
            TraceKind::Sent { packet, .. } => Some(packet.id),
            _ => None,
        })
    };
    let mut runner = script::Runner::new(parsed, opts.clone());
    while runner.next_statement().is_some_and(|s| s.kind.is_setup()) {
        runner.step();
    }
    let link = LinkId(0);
    let Some(config) = runner.world().link(link).map(|l| l.dirs[0].config.clone()) else {
        return runner.finish();
    };
    let settings = LinkSettings::of(&config);
    let change = match fault {
        PageFault::Loss30 => Change::Link { link, settings: LinkSettings { loss: 0.3, ..settings } },
        PageFault::Delay200ms => Change::Link { link, settings: LinkSettings { latency_us: 200_000, ..settings } },
        PageFault::CutLink => Change::Cut { link, cut: true },
        PageFault::DropFirstPacket => Change::DropPacket(first_packet().unwrap_or(PacketId(0))),
    };
    runner.set_interventions(vec![Intervention { after_events: runner.trace().len(), change }]);
    runner.finish()
}

/// Every lesson survives every fault the page offers: the script runs on as a
/// program would (blocked calls wait for their host), so no call lands on a
/// descriptor that does not exist yet or was closed, and every outcome that
/// differs is a failed expectation that says what it saw instead: a value, a
/// state, a packet, a call still blocked, or a name whose call failed.
#[test]
fn every_lesson_survives_every_fault_the_page_offers() {
    use socklab::net::{CallResult, Errno, TraceKind};
    use socklab::script::failure::Got;
    let faults = [PageFault::Loss30, PageFault::Delay200ms, PageFault::CutLink, PageFault::DropFirstPacket];
    let mut problems = Vec::new();
    let mut changed = 0;
    for path in lessons() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = script::parse(&text).unwrap();
        let about_ebadf = text.contains("EBADF");
        for fault in faults {
            let report = run_with_fault(&parsed, fault);
            assert_eq!(report.intervened.len(), 1, "{name} {fault:?}: the change was not applied");
            for e in &report.trace {
                if let TraceKind::Return { result: CallResult::Err(Errno::EBADF), .. } = &e.kind {
                    if !about_ebadf {
                        problems.push(format!("{name} under {fault:?}: EBADF at {} µs {:?}", e.time, e.kind));
                    }
                }
            }
            for f in &report.failures {
                // A call on a descriptor that is not open, a limit or a refusal
                // is the script misfiring, not the network's doing.
                let misfired = matches!(
                    f.parts.got,
                    Got::NotOpen(_) | Got::World(_) | Got::MoreEvents | Got::LargerRecord { .. } | Got::PastDay { .. }
                );
                if misfired {
                    problems.push(format!("{name} under {fault:?}: {}", f.render(&name)));
                }
            }
            changed += usize::from(!report.failures.is_empty());
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The faults do change outcomes: a test that never saw one would prove nothing.
    assert!(changed > 20, "only {changed} runs changed an outcome");
}

// ----- the words a lesson states Linux with, each in a script -----

const HEAD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                    server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n";

/// The run's failures, as `socklab check` prints them, for `body` after [`HEAD`].
fn failures(body: &str) -> Vec<String> {
    script_failures(&format!("{HEAD}{body}"))
}

/// The failures of a whole script's run, as `socklab check` prints them.
fn script_failures(text: &str) -> Vec<String> {
    let s = script::parse(text).unwrap_or_else(|e| panic!("{}", e.render("t.sock")));
    script::run(&s, &RunOptions::default()).failures.iter().map(|f| f.render("t.sock")).collect()
}

/// Runs a kept script (`tests/…`, one the packet-diff stage holds against
/// Linux) with `with` in place of its line `line`, which must be there (a
/// check inserted nowhere would check nothing), and asserts it passes.
fn assert_kept_script_passes_with(path: &str, line: &str, with: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.lines().any(|l| l == line), "{} has no line {line:?}", path.display());
    assert_eq!(script_failures(&text.replace(line, with)), Vec::<String>::new());
}

/// A connect() from a bound port takes the four-tuple of a connection in
/// TIME-WAIT when both ends used timestamps (tcp_twsk_unique; the kernel
/// agrees, tests/calls/connect_over_time_wait.sock): its SYN starts 65537
/// past the old connection's sequence, echoes the peer's last TSval, and
/// rounds its window to segments less the option (65160, not 64240).
/// Without timestamps nothing keeps old duplicates out: EADDRNOTAVAIL.
#[test]
fn a_bound_connect_takes_over_a_time_wait_only_with_timestamps() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calls/connect_over_time_wait.sock");
    let text = std::fs::read_to_string(&path).expect("the kept script");
    let s = script::parse(&text).expect("it parses");
    let report = script::run(&s, &RunOptions::default());
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let syns: Vec<&socklab::net::tcp::segment::TcpSegment> = report
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            socklab::net::TraceKind::Sent { packet, .. } => match &packet.body {
                socklab::net::packet::Body::Tcp(t) if t.flags.syn() && !t.flags.ack() => Some(t),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(syns.len(), 2, "two connections");
    // The old connection sent SYN and FIN: its next sequence is its ISN + 2.
    assert_eq!(syns[1].seq_number().0, syns[0].seq_number().0.wrapping_add(2).wrapping_add(65_537));
    let echoed = syns[1].timestamps.map(|(_, ecr)| ecr);
    assert!(echoed.is_some_and(|ecr| ecr != 0), "the SYN echoes the peer's last TSval: {echoed:?}");
    assert_eq!((syns[0].window, syns[1].window), (64240, 65160));
    let without = text.replace("host client 10.0.0.2\n", "host client 10.0.0.2\nhost client tcp_timestamps 0\n");
    assert_ne!(without, text);
    let failures = script_failures(&without);
    assert!(
        failures.first().is_some_and(|f| f.contains("connect(d, 10.0.0.1:80) to return 0, got EADDRNOTAVAIL")),
        "{failures:?}"
    );
}

#[test]
fn getsockname_checks_an_automatic_port_against_a_range() {
    let body = "client: c = socket(tcp)\nclient: getsockname(c) = 0.0.0.0:0\n\
                client: connect(c, 10.0.0.1:80) = 0\n\
                client: getsockname(c) = 10.0.0.2:32768..60999\nclient: getpeername(c) = 10.0.0.1:80\n\
                server: a = accept(l)\nserver: getsockname(a) = 10.0.0.1:80\n\
                server: getpeername(a) = 10.0.0.2:32768..60999\nserver: getpeername(l) = ENOTCONN\n";
    assert_eq!(failures(body), Vec::<String>::new());
    let f = failures(
        "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nclient: getsockname(c) = 10.0.0.2:1..1024\n",
    );
    assert_eq!(f.len(), 1);
    assert!(f[0].starts_with("t.sock:9: expected getsockname(c) to return 10.0.0.2:1..1024, got 10.0.0.2:"), "{f:?}");
}

#[test]
fn packet_times_state_when_a_packet_leaves_absolutely_or_after_the_previous_one() {
    // The SYN at 0, the SYN-ACK one latency later, the ACK at 20 ms; with the
    // link's 10 ms each way, exactly.
    let ok = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
              expect client > server [S] at 0s\nexpect server > client [S.] +10ms\n\
              expect client > server [.] at 20ms ~0us\n";
    assert_eq!(failures(ok), Vec::<String>::new());
    // A time off by more than the tolerance fails, saying when it was sent.
    let late = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
                expect client > server [S]\nexpect server > client [S.] +25ms ~5ms\n";
    assert_eq!(
        failures(late),
        ["t.sock:10: expected server > client [S.] +25ms ~5ms, got server > client [S.] seq 0 ack 1 len 0 win 65160 (#2) sent at 10 ms, 15ms early: expected at 25 ms ±5ms"]
    );
    // The retransmitted SYN of a lost one leaves one RTO (1 s) later; `eventually`
    // skips to the packet sent at the time given.
    let rto = "drop next 1 on client > server\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
               expect client > server [S] at 0s\nexpect client > server [S] +1s\n\
               expect client > server eventually [.] at 1.02s\n";
    assert_eq!(failures(rto), Vec::<String>::new());
    // With `eventually` and no packet at that time, the failure names the
    // nearest packet of the right shape and when it left.
    let never = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
                 expect client > server eventually [.] at 25ms\n";
    assert_eq!(
        failures(never),
        ["t.sock:9: expected client > server [.] at 25ms, got client > server [.] seq 1 ack 1 len 0 win 63 (#3) sent at 20 ms, 5ms early: expected at 25 ms ±1ms"]
    );
}

#[test]
fn raw_sequence_and_acknowledgement_numbers_are_the_fields_as_sent() {
    // A SYN to a closed port: the SYN's ack field is 0, and tcp_v4_send_reset
    // answers a segment without ACK with seq 0 and ack = its seq + 1.
    let body = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:81) = ECONNREFUSED\n\
                expect client > server [S] ack= 0\nexpect server > client [R.] seq= 0 ack 1\n";
    assert_eq!(failures(body), Vec::<String>::new());
    let f = failures("client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:81)\nexpect server > client [R.] seq= 1\n");
    assert!(f.len() == 1 && f[0].contains("expected server > client [R.] seq= 1, got"), "{f:?}");
}

#[test]
fn recvfrom_states_a_length_and_a_sender_and_msg_flags_peek_and_truncate() {
    let body = "server: u = socket(udp)\nserver: bind(u, 10.0.0.1:53) = 0\n\
                client: c = socket(udp)\nclient: bind(c, 10.0.0.2:5000) = 0\n\
                client: sendto(c, 3000 bytes, 10.0.0.1:53) = 3000\nclient: sendto(c, \"xy\", 10.0.0.1:53) = 2\n+20ms\n\
                server: recvfrom(u, 100, MSG_PEEK) = 100 bytes from 10.0.0.2:5000\n\
                server: recvfrom(u, 100, MSG_TRUNC) = 3000 bytes from 10.0.0.2\n\
                server: recvfrom(u, 100) = 2 bytes from 10.0.0.2:5000\n";
    assert_eq!(failures(body), Vec::<String>::new());
    let f = failures(
        "server: u = socket(udp)\nserver: bind(u, 10.0.0.1:53) = 0\nclient: c = socket(udp)\n\
         client: sendto(c, \"xy\", 10.0.0.1:53) = 2\n+20ms\nserver: recvfrom(u, 100) = 2 bytes from 10.0.0.9\n",
    );
    assert!(f.len() == 1 && f[0].contains("to return 2 bytes from 10.0.0.9, got \"xy\" from 10.0.0.2:"), "{f:?}");
    let tcp = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
               client: send(c, \"hello\") = 5\nserver: recv(a, 2, MSG_PEEK) = \"he\"\n\
               server: recv(a, 2, MSG_TRUNC) = 2\nserver: recv(a, 10) = \"llo\"\n";
    assert_eq!(failures(tcp), Vec::<String>::new());
}

#[test]
fn so_error_so_linger_and_af_unspec_in_a_script() {
    let body = "client: c = socket(tcp)\nclient: setsockopt(c, O_NONBLOCK, 1) = 0\n\
                client: connect(c, 10.0.0.1:9) = EINPROGRESS\n+50ms\n\
                client: getsockopt(c, SO_ERROR) = [ECONNREFUSED]\nclient: getsockopt(c, SO_ERROR) = [0]\n\
                client: d = socket(tcp)\nclient: connect(d, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: setsockopt(d, SO_LINGER, {1, 0}) = 0\nclient: close(d) = 0\n\
                expect client > server eventually [R.]\n+20ms\nserver: recv(a, 10) = ECONNRESET\n\
                client: u = socket(udp)\nclient: connect(u, 10.0.0.1:53) = 0\n\
                client: connect(u, AF_UNSPEC) = 0\nclient: getpeername(u) = ENOTCONN\n\
                client: send(u, \"x\") = EDESTADDRREQ\n";
    assert_eq!(failures(body), Vec::<String>::new());
    // Without SO_LINGER the same close says goodbye with FIN.
    let fin = "client: d = socket(tcp)\nclient: connect(d, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
               client: close(d) = 0\nexpect client > server [R.]\n";
    assert_eq!(failures(fin).len(), 1);
}

#[test]
fn fast_retransmit_cuts_ssthresh_to_seven_tenths_with_cubic_and_to_half_with_reno() {
    // The lesson runs Linux's default, CUBIC (β = 717/1024): 10 segments in
    // flight leave ssthresh at 7. The same lesson under Reno halves it to 5,
    // and its `expect ssthresh` line says so.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/fast_retransmit.sock");
    let text = std::fs::read_to_string(path).unwrap();
    let cubic = script::run(&script::parse(&text).unwrap(), &RunOptions::default());
    assert!(cubic.failures.is_empty(), "{:?}", cubic.failures);
    let reno_text =
        text.replacen("link client server latency 10ms\n", "link client server latency 10ms\ntcp congestion reno\n", 1);
    let reno = script::run(&script::parse(&reno_text).unwrap(), &RunOptions::default());
    let failures: Vec<String> = reno.failures.iter().map(|f| f.render("fast_retransmit.sock")).collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("ssthresh") && failures[0].contains("got 5 mss"), "{}", failures[0]);
}

#[test]
fn after_a_partition_f_rto_sends_new_data_first_unless_tcp_frto_is_off() {
    // The lesson's first resend that gets through is ACKed; Linux's default
    // F-RTO then sends two new segments (seq 44889 and 46337) before any
    // more resends. With `host client tcp_frto 0` the ACK brings the next
    // resends at once, and the lesson's F-RTO lines fail, naming them.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/partition_timeout.sock");
    let text = std::fs::read_to_string(path).unwrap();
    let frto = script::run(&script::parse(&text).unwrap(), &RunOptions::default());
    assert!(frto.failures.is_empty(), "{:?}", frto.failures);
    let off_text = text.replacen("host client 10.0.0.2\n", "host client 10.0.0.2\nhost client tcp_frto 0\n", 1);
    let off = script::run(&script::parse(&off_text).unwrap(), &RunOptions::default());
    let failures: Vec<String> = off.failures.iter().map(|f| f.render("partition_timeout.sock")).collect();
    assert!(!failures.is_empty());
    assert!(failures[0].contains("seq 44889") && failures[0].contains("seq 15929"), "{failures:?}");
}

/// `option ack immediate` keeps the textbook's ACK for every segment; without
/// it, Linux's quick-ACK grant (16 at most) runs out and the server, which is
/// not reading, lets ACKs wait for the delayed-ACK timer. The link is short
/// (0.1 ms), so each one-byte write is ACKed before the next and never waits
/// for the congestion window, which counts packets, as Linux's does.
#[test]
fn option_ack_immediate_acks_every_segment_and_linux_timing_does_not() {
    let mut body = String::from(
        "link client server latency 100us\nclient: c = socket(tcp)\nclient: setsockopt(c, TCP_NODELAY, 1) = 0\n\
         client: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n",
    );
    for _ in 0..24 {
        body.push_str("client: send(c, \"x\") = 1\n+1ms\n");
    }
    body.push_str("+1s\n");
    // The SYN-ACK and one ACK for each of the 24 segments.
    let every = format!("option ack immediate\n{body}expect sent server > client 25\n");
    assert_eq!(failures(&every), Vec::<String>::new());
    let linux = format!("{body}expect sent server > client 25\n");
    let f = failures(&linux);
    assert_eq!(f.len(), 1, "{f:?}");
    // The SYN-ACK, 16 quick ACKs, and one delayed ACK 40 ms later for the last 8.
    assert!(f[0].contains("expected sent server > client 25, got 18"), "{f:?}");
}

#[test]
fn a_host_line_turns_timestamps_off_for_that_host_alone() {
    // With timestamps (both ends offer them, as Linux does) each full segment
    // carries 1460 - 12 bytes; one host's `tcp_timestamps 0` (its
    // net.ipv4.tcp_timestamps) leaves them out of the handshake and the
    // segments carry the whole MSS.
    let send = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: send(c, 2000 bytes) = 2000\n";
    assert_eq!(
        failures(&format!("{send}expect client > server eventually [.] seq 1 len 1448\n")),
        Vec::<String>::new()
    );
    let off = format!("host server tcp_timestamps 0\n{send}expect client > server eventually [.] seq 1 len 1460\n");
    assert_eq!(failures(&off), Vec::<String>::new());
    let e = script::parse(&format!("{HEAD}host server tcp_stamps 0\n")).unwrap_err().render("t.sock");
    assert!(e.contains("a host's TCP setting (tcp_timestamps, tcp_sack, tcp_early_retrans, tcp_frto)"), "{e}");
}

#[test]
fn two_segments_lost_together_are_both_resent_in_one_round_trip_with_sack_and_one_per_round_trip_without() {
    // The first two segments of a burst of ten are dropped. With SACK (Linux's
    // default) the hole is both segments: the blocks of the following ACKs
    // prove it lost and both go again at 50 ms, before any of them is acked.
    // With `tcp_sack 0` at the client, Linux resends the second only when
    // the partial ACK of the first marks it lost (tcp_newreno_mark_lost), a
    // round trip (20 ms) later.
    // Timestamps off at the server, so segments carry the whole MSS (1460).
    let body = |sysctl: &str, blocks: &str| {
        format!(
            "host server tcp_timestamps 0\n{sysctl}client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
             expect state server a ESTABLISHED\ndrop next 2 on client > server\n\
             client: send(c, 14600 bytes) = 14600\n{blocks}\
             expect client > server eventually [.] seq 1 len 1460 at 50ms\n\
             expect client > server [.] seq 1461 len 1460 at 50ms\n+100ms\nexpect unread server a 14600\n"
        )
    };
    // The third duplicate ACK's block: segments 3 to 5 arrived, 1 and 2 did not.
    let third = "expect server > client eventually [.] ack 1 sack 2921:4381\n\
                 expect server > client [.] ack 1 sack 2921:5841\nexpect server > client [.] ack 1 sack 2921:7301\n";
    assert_eq!(failures(&body("", third)), Vec::<String>::new());
    let f = failures(&body("host client tcp_sack 0\n", ""));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("expected client > server [.] seq 1461 len 1460 at 50ms, got") && f[0].contains("sent at 70 ms"),
        "{f:?}"
    );
}

/// A 4% loss drops segments 5 and 7 of the first window. The ACKs of the
/// first four arrive at 40 ms, each sending two new segments, and in the same
/// instant the ACKs that SACK past the holes send both holes again. Linux
/// stamps those sends microseconds apart, the new data first; when the new
/// data's SACKs come back at 60 ms, the resends (sent after it) are not
/// proven lost, and new data follows. Before the model ordered sends of one
/// instant by sequence number, took the new data for later than the resends,
/// and sent both holes a third time at 60 ms (Wireshark: "Spurious
/// Retransmission"), where Linux 6.18 sends new data.
#[test]
fn resends_made_in_the_same_instant_as_new_data_are_not_taken_for_lost_when_the_new_data_is_sacked() {
    let body = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: send(c, 40000 bytes) = 40000\n\
                expect client > server eventually [.] seq 5793 len 1448 at 40ms\n\
                expect client > server eventually [.] seq 8689 len 1448 at 40ms\n\
                expect server > client eventually [.] ack 28961 at 50ms\n\
                expect client > server [.] seq 28961 len 1448 at 60ms\n\
                +500ms\nserver: recv(a, 100000) = 40000 bytes\n";
    assert_eq!(script_failures(&format!("seed 14\n{HEAD}link client > server loss 4%\n{body}")), Vec::<String>::new());
}

/// A link that copies segments (dup 30%, seed 21) to a server that does not
/// read. A copy arrives right behind its original. While the buffer has room
/// the copy is answered at once with a D-SACK naming it (quick-ACK mode); in
/// the last window the buffer is more than half full, choosing the window
/// ends quick-ACK mode, and the copies' ACK waits for the delayed-ACK timer
/// (__tcp_ack_snd_check), by when newer data has made tcp_data_queue forget
/// the D-SACK. Linux 6.18 sends exactly this; the model before sent the copy's
/// D-SACK at once whatever the buffer (its acceptability test was RFC 9293's,
/// not tcp_sequence's, which lets data ending past rcv_wup through to
/// tcp_data_queue) and delivered a copy after every packet of its burst.
#[test]
fn a_copied_segment_is_answered_with_a_d_sack_at_once_only_while_the_buffer_has_room() {
    let body = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: send(c, 60000 bytes) = 60000\n\
                expect server > client eventually [.] ack 4345 sack 2897:4345 at 30ms\n\
                expect client > server eventually [P.] seq 59369 len 632 at 60ms\n\
                expect server > client [.] ack 60001 at 110ms\n\
                +800ms\nserver: recv(a, 100000) = 60000 bytes\n";
    assert_eq!(script_failures(&format!("seed 21\n{HEAD}link client > server dup 30%\n{body}")), Vec::<String>::new());
}

/// The server's ACK of the client's FIN is lost, so the client's timer sends
/// the FIN again. The server, in CLOSE-WAIT, takes it for a duplicate
/// (tcp_rcv_state_process hands what starts below rcv_nxt to tcp_data_queue,
/// and tcp_sequence lets it through, for it ends at rcv_wup) and answers at
/// once with a D-SACK naming the FIN, as Linux 6.18 does. The model took it
/// for a segment outside the window and answered with a bare ACK.
#[test]
fn a_fin_sent_again_after_its_ack_was_lost_is_answered_with_a_d_sack() {
    let body = "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n+100ms\n\
                drop next 1 on server > client\nclient: close(c) = 0\n\
                expect client > server eventually [F.] seq 1\n\
                expect client > server eventually [F.] seq 1\n\
                expect server > client [.] ack 2 sack 1:2\n\
                +1s\nserver: recv(a, 100) = 0 bytes\n";
    assert_eq!(failures(body), Vec::<String>::new());
}

/// The first of two segments is lost and so is the ACK SACKing the second,
/// which waits out of order; the tail loss probe sends it again. Its bytes are all waiting already:
/// tcp_data_queue_ofo drops it with a D-SACK before its SACK block, and
/// neither charges its memory nor opens the window for it, so the window
/// stays what the first arrival left (Linux 6.18 agrees packet by packet).
/// The model counted the copy as new: no D-SACK, and a window a unit larger.
#[test]
fn a_probe_resending_data_that_waits_out_of_order_is_named_in_a_d_sack() {
    let body = format!(
        "{PROBED_WRITE}expect server > client eventually [.] ack 1 win 67 sack 1449:2897 at 110ms\n\
         expect server > client [.] ack 1 win 67 sack 1449:2897,1449:2897 at 152ms\n\
         +1s\nserver: recv(a, 10000) = 2896 bytes\n"
    );
    assert_eq!(failures(&body), Vec::<String>::new());
}

/// Two segments at 100 ms: the first is lost, and so is the ACK that SACKs
/// the second, so the tail loss probe (at 142 ms) sends the second again.
const PROBED_WRITE: &str = "client: c = socket(tcp)\nclient: setsockopt(c, TCP_NODELAY, 1) = 0\n\
                            client: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n+100ms\n\
                            drop next 1 on client > server\ndrop next 1 on server > client\n\
                            client: send(c, 2896 bytes) = 2896\n";

/// The rate reduction in recovery (tcp_cwnd_reduction) counts what an ACK
/// newly delivered as tcp_cong_control hands it over: segments, not bytes,
/// the needless copy a D-SACK names among them, and the extra segment for
/// an advancing snd_una only when the ACK marked nothing newly lost.
///
/// The probe case: the ACK naming the probe's copy in a D-SACK also SACKs
/// the original, and RACK finds the first segment lost. Linux counts two
/// delivered (the SACKed segment and the copy, tcp_dsack_seen), with
/// nothing left in flight: cwnd 2 (the model counted one: cwnd 1).
///
/// The second case: the first segment of a write and a later one-segment
/// write are lost; the ACK of the first one's fast retransmission moves
/// snd_una up to the later hole, and RACK marks that hole lost on the same
/// ACK (it left before the retransmission that just arrived). No extra
/// segment: cwnd 3, and only the hole goes again at 140 ms, where the
/// model used to send a new segment with it. (Linux 6.18 agrees only when
/// it takes that RTT sample: equal to the fastest, it is a race there,
/// tcp_rack_advance.)
#[test]
fn the_rate_reduction_counts_segments_delivered_and_no_extra_one_after_a_new_loss() {
    let probe = format!("{PROBED_WRITE}+63ms\nexpect cwnd client c 2 mss\n+1s\nserver: recv(a, 10000) = 2896 bytes\n");
    assert_eq!(failures(&probe), Vec::<String>::new());
    let new_loss = "client: c = socket(tcp)\nclient: setsockopt(c, TCP_NODELAY, 1) = 0\n\
                    client: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n+100ms\n\
                    drop next 1 on client > server\nclient: send(c, 8688 bytes) = 8688\n+5ms\n\
                    drop next 1 on client > server\nclient: send(c, 1448 bytes) = 1448\n+20ms\n\
                    client: send(c, 14480 bytes) = 14480\n+16ms\nexpect cwnd client c 3 mss\n\
                    expect server > client eventually [.] ack 8689 at 130ms\n\
                    expect client > server eventually [P.] seq 8689 len 1448 at 140ms\n\
                    expect client > server [.] seq 13033 len 1448 at 145ms\n\
                    +2s\nserver: recv(a, 30000) = 24616 bytes\n";
    assert_eq!(failures(new_loss), Vec::<String>::new());
}

/// A D-SACK undoes a recovery only when it names one of its resends. Over a
/// link that loses 5% both ways and copies 10% of the client's packets
/// (seed 6), the server D-SACKs the link's copies of originals; Linux
/// counts a D-SACK against the resends only for a segment sent more than
/// once (tcp_sacktag_one's TCPCB_RETRANS test, or forgotten data below
/// snd_una), and skips it altogether once the D-SACKed segments outnumber
/// the resends (tcp_dsack_seen). The reduction to ssthresh 6 stands, as in
/// Linux 6.18 (tests/faults/link_copies_do_not_undo_a_recovery.sock); the
/// model undid it at 100 ms and again at 101 ms (ssthresh 9).
#[test]
fn a_d_sack_of_a_link_copy_does_not_undo_a_recovery() {
    let text = lossy_copying_transfer(6, "+81500us\nexpect ssthresh client c 6 mss");
    assert_eq!(script_failures(&text), Vec::<String>::new());
}

/// 60000 bytes from client to server over a link losing 5% both ways and
/// copying 10% of the client's packets, with `seed`; `check` runs after the
/// write (script time 20 ms).
fn lossy_copying_transfer(seed: u32, check: &str) -> String {
    format!(
        "seed {seed}\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
         link client server loss 5%\nlink client > server dup 10%\n\
         server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
         client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
         client: send(c, 60000 bytes) = 60000\n{check}\n+3s\nserver: recv(a, 100000) = 60000 bytes\n"
    )
}

/// The ACK that ends a recovery grows cwnd like any later one: Linux's
/// tcp_fastretrans_alert sets cwnd to ssthresh and opens the state again,
/// then tcp_cong_control runs the congestion avoidance for what that ACK
/// delivered. And a reduction starts the count towards the next increase
/// over (tcp_init_cwnd_reduction clears snd_cwnd_cnt).
///
/// Seed 47 of a link losing 5% and copying 10%: recovery ends at 80 ms with
/// cwnd 9, CUBIC's curve asks 9 ACKed packets for one more, and the ACK that
/// ends it and those after deliver 10 at that instant: cwnd 10 and ten
/// segments leave, as from Linux 6.18 (the model left the ending ACK out:
/// cwnd 9, nine segments). Seed 48: a second reduction (cwnd 6) follows
/// packets ACKed toward an increase at the old window; those count no
/// more, and cwnd stays 6 where the model grew it to 7 at once.
#[test]
fn the_ack_ending_a_recovery_counts_toward_growth_and_a_reduction_restarts_the_count() {
    let at_47 = lossy_copying_transfer(47, "+60500us\nexpect cwnd client c 10 mss");
    assert_eq!(script_failures(&at_47), Vec::<String>::new());
    let at_48 = lossy_copying_transfer(48, "+80500us\nexpect cwnd client c 6 mss");
    assert_eq!(script_failures(&at_48), Vec::<String>::new());
}

/// Slow start counts what an ACK newly delivers (tcp_cong_control's
/// acked_sacked), and the next write shows it: at cwnd 2 or 3 each packet
/// carries one segment (tcp_cwnd_test: half the cwnd), at 4 two. Linux 6.18
/// sends exactly these packets.
///
/// The first segment of a write is lost, and so is its fast retransmission;
/// the other three are SACKed. After the timeout resends it, the ACK that
/// covers all four grows cwnd by one segment only, for tcp_clean_rtx_queue
/// counts none of the segments a SACK had delivered already: cwnd 2 (the
/// model counted all four: cwnd 5, two-segment packets).
///
/// Or the fast retransmission arrives but its ACK does not, so the timer
/// sends the segment once more, and the server's answer names that copy in
/// a D-SACK: the ACK delivers the resent segment and the needless copy
/// (tcp_dsack_seen: "a spurious retransmission is delivered"): cwnd 3, three
/// one-segment packets before the first ACK (without the D-SACK, 2).
#[test]
fn slow_start_after_a_loss_counts_only_what_an_ack_newly_delivers() {
    let after_loss = |first_write: u32, second_drop: &str, cwnd: u32| {
        let next = |k: u32| first_write + 1 + k * 1448;
        format!(
            "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n+100ms\n\
             drop next 1 on client > server\nclient: send(c, {first_write} bytes) = {first_write}\n\
             {second_drop}\n+1s\nexpect cwnd client c {cwnd} mss\nclient: send(c, 5000 bytes) = 5000\n\
             expect client > server eventually [.] seq {} len 1448\nexpect client > server [.] seq {} len 1448\n\
             expect client > server [.] seq {} len 1448 +0us ~{}ms\n\
             +1s\nserver: recv(a, 10000) = {} bytes\n",
            next(0),
            next(1),
            next(2),
            // The third packet leaves at once only if cwnd has room for it.
            if cwnd > 2 { 0 } else { 40 },
            first_write + 5000
        )
    };
    let resent_after_timeout = after_loss(5000, "drop next 1 on client > server", 2);
    assert_eq!(failures(&resent_after_timeout), Vec::<String>::new());
    let copy_d_sacked = after_loss(3000, "+30ms\ndrop next 1 on server > client", 3);
    assert_eq!(failures(&copy_d_sacked), Vec::<String>::new());
}

/// Both ends send 30000 bytes at once over a link losing 5% both ways, so
/// each end's ACKs carry SACK blocks and its segments shrink to 1436 bytes.
/// A lost 1448-byte segment goes again as 1436 bytes and then the 12 the
/// options took (tcp_fragment), and the piece left over is a segment of its
/// own in flight: the client's second resend (7241) leaves at 40 ms, but its
/// 12-byte rest waits for an ACK's room until 60 ms, as Linux 6.18 sends it
/// (`socklab diff --packets` agreed on all 94 packets). The model counted
/// the piece as part of its segment and sent it at once, and a resend could
/// run on into half of the next packet.
#[test]
fn a_resend_cut_short_by_sack_blocks_leaves_its_rest_a_segment_of_its_own() {
    let text = "seed 44\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                link client server loss 5%\n\
                server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: send(c, 30000 bytes) = 30000\nserver: send(a, 30000 bytes) = 30000\n\
                expect client > server eventually [.] seq 1449 len 1436 at 40ms\n\
                expect client > server eventually [.] seq 2885 len 12 at 40ms\n\
                expect client > server eventually [.] seq 7241 len 1436 at 40ms\n\
                expect client > server eventually [.] seq 8677 len 12 at 60ms\n\
                +3s\nserver: recv(a, 30000) = 30000 bytes\nclient: recv(c, 30000) = 30000 bytes\n";
    assert_eq!(script_failures(text), Vec::<String>::new());
    // Seed 43: the rest of a resent segment (26053, 12 bytes) goes alone,
    // not run on into the lost packet after it (tcp_fragment cuts one skb;
    // tcp_retrans_try_collapse joins only whole skbs that fit), as Linux 6.18
    // sends it; the model had sent 1436 bytes from 26053.
    let seed_43 = text
        .replace("seed 44", "seed 43")
        .replace("expect client > server eventually [.] seq 1449 len 1436 at 40ms\n", "")
        .replace("expect client > server eventually [.] seq 2885 len 12 at 40ms\n", "")
        .replace("expect client > server eventually [.] seq 7241 len 1436 at 40ms\n", "")
        .replace("seq 8677 len 12 at 60ms", "seq 26053 len 12 at 1100ms");
    assert_eq!(script_failures(&seed_43), Vec::<String>::new());
}

/// A small receive buffer (SO_RCVBUF 6000: 12000 bytes of memory, no window
/// scaling) and a lost second segment: the third (1448 bytes) and fourth
/// (104) wait out of order, the fourth copied into the third's skb head
/// (tcp_ooo_try_coalesce), so once the resend fills the hole the buffer holds
/// three skbs of 2304 bytes and the window is what 5088 free bytes hold:
/// 2896, as Linux 6.18 says. Counting the short segment as an skb of its own
/// (832 bytes more) offered 2792.
#[test]
fn segments_waiting_out_of_order_share_an_skb_as_linux_s_do() {
    let body = "server: setsockopt(l, SO_RCVBUF, 6000) = 0\nclient: c = socket(tcp)\n\
                client: setsockopt(c, TCP_NODELAY, 1) = 0\nclient: connect(c, 10.0.0.1:80) = 0\n\
                server: a = accept(l)\nclient: send(c, 1448 bytes) = 1448\ndrop next 1 on client > server\n\
                client: send(c, 1448 bytes) = 1448\nclient: send(c, 1448 bytes) = 1448\n\
                client: send(c, 104 bytes) = 104\n\
                expect server > client eventually [.] ack 1449 win 5792 sack 2897:4449\n\
                expect server > client eventually [.] ack 4449 win 2896\n\
                +1s\nserver: recv(a, 10000) = 4448 bytes\n";
    assert_eq!(failures(body), Vec::<String>::new());
}

/// A segment waiting out of order opens the window before its memory is
/// charged (tcp_data_queue_ofo calls tcp_grow_window, then
/// skb_set_owner_r), so after a loss the client's rcv_ssthresh reaches the
/// clamp and its FIN offers 81920 (the field says 80, scaled by 1024), as Linux 6.18's does
/// (tests/faults/request_response_window_after_recovery.sock, whose
/// packets the kernel's match). Charged first, it stopped a unit short: 80896 (79).
#[test]
fn a_segment_waiting_out_of_order_opens_the_window_before_it_is_charged() {
    assert_kept_script_passes_with(
        "tests/faults/request_response_window_after_recovery.sock",
        "client: close(c) = 0",
        "client: close(c) = 0\nexpect client > server eventually [F.] win 80",
    );
}

/// A reordering link holds the server's first ACK back 30 ms; the second,
/// sent 12 ms later, overtakes it. When the old ACK arrives its TSval is
/// older than the one the client echoes: PAWS (RFC 7323, tcp_validate_incoming)
/// drops it and the client answers with a duplicate ACK, as Linux 6.18 does
/// (tests/faults/paws_drops_an_old_ack.sock agrees packet by packet). Without
/// PAWS the old ACK was passed over in silence.
#[test]
fn an_ack_older_than_the_timestamp_echoed_is_dropped_and_answered() {
    assert_kept_script_passes_with(
        "tests/faults/paws_drops_an_old_ack.sock",
        "+200ms",
        "expect server > client eventually [.] ack 201\nexpect client > server [.] seq 201 ack 1 at 100ms\n+200ms",
    );
}

/// The first SYN-ACK is lost: the server's timer sends it again, and so does
/// the client's repeated SYN. After more than one resend (one by the timer)
/// Linux starts the transfer from one segment (tcp_init_transfer, RFC 5681
/// §3.1), unless the ACK echoes the first SYN-ACK's TSval: the server's
/// first data packet goes alone, the next two a round trip later, as Linux
/// 6.18 sends them (`socklab diff --packets` agreed in 3 of 4 runs; in the
/// fourth the repeated SYN reached the kernel before its timer fired, one
/// resend answered both, and the window stayed at ten). The model sent the
/// whole initial window of ten.
#[test]
fn a_handshake_that_resent_its_syn_ack_twice_starts_from_one_segment() {
    let body = "client: c = socket(tcp)\ndrop next 1 on server > client\nclient: connect(c, 10.0.0.1:80) = 0\n\
                server: a = accept(l)\nserver: send(a, 14480 bytes) = 14480\n\
                expect server > client eventually [.] seq 1 len 1448\n\
                expect server > client [.] seq 1449 len 1448 +20ms\n\
                +2s\nclient: recv(c, 100000) = 14480 bytes\n";
    assert_eq!(failures(body), Vec::<String>::new());
}

/// A reordered link delays two segments by 10 ms: the client takes them for
/// lost (SACKs of later segments), resends them and cuts cwnd to 19 segments
/// (fast recovery with PRR). The originals were only late, and Linux undoes
/// the cut (tcp_undo_cwnd_reduction): with timestamps at once, by the ACK that
/// ends recovery echoing a TSval older than the resends (tcp_try_undo_recovery
/// with tcp_packet_delayed); without them 10 ms later, when the D-SACK shows
/// the resends needless (tcp_try_undo_dsack). Both runs agree with Linux 6.18
/// packet by packet when the client writes again at 82 ms (28 segments at once).
/// The ACK that undoes the cut with timestamps then grows the restored window
/// by the segment it delivered (tcp_fastretrans_alert runs before
/// tcp_cong_control): 29 segments, as TCP_INFO read on the kernel's client
/// says from that ACK to the next write; the D-SACK's ACK delivers nothing
/// new, and the window stays at 28.
#[test]
fn a_fast_recovery_that_only_reordering_caused_is_undone() {
    let script = |timestamps: bool, after_ack: u32, after_dsack: u32| {
        let hosts = if timestamps {
            "host client 10.0.0.2\n"
        } else {
            "host client 10.0.0.2\nhost client tcp_timestamps 0\nhost server tcp_timestamps 0\n"
        };
        format!(
            "seed 7\nhost server 10.0.0.1\n{hosts}link client server latency 10ms\n\
             link client > server reorder 5% reorder_delay 3ms\n\
             server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
             client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
             client: send(c, 40000 bytes) = 40000\n+41ms\nexpect cwnd client c 6 mss\n\
             +14ms\nexpect cwnd client c {after_ack} mss\n+10ms\nexpect cwnd client c {after_dsack} mss\n\
             +500ms\nserver: recv(a, 100000) = 40000 bytes\n"
        )
    };
    let run = |text: String| script_failures(&text);
    assert_eq!(run(script(true, 29, 29)), Vec::<String>::new());
    assert_eq!(run(script(false, 19, 28)), Vec::<String>::new());
}

/// A tail loss probe of new data goes by tcp_write_xmit, whose round ends
/// in tcp_cwnd_validate like any other: with 21 in flight past cwnd 20, the
/// window counts as filled until all then sent is ACKed, the next burst runs
/// out of data rather than window, and every ACK of its round grows cwnd in
/// slow start: 53 segments at 0.14 s and 64 at 0.18 s, as TCP_INFO on Linux
/// 6.18's server says under packets that agree (a generated two-way
/// transfer, seed 16, with `socklab diff --packets`). The model sent the
/// probe outside a round of sending, and cwnd stopped at twice that burst, 48.
#[test]
fn a_probe_of_new_data_counts_as_filling_the_window() {
    let text = "seed 16\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                server: l = socket(tcp)\nserver: setsockopt(l, SO_RCVBUF, 8192) = 0\n\
                server: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\nclient: c = socket(tcp)\n\
                client: setsockopt(c, SO_RCVBUF, 131072) = 0\nclient: connect(c, 10.0.0.1:80) = 0\n\
                server: a = accept(l)\nclient: setsockopt(c, O_NONBLOCK, 1) = 0\n\
                server: setsockopt(a, O_NONBLOCK, 1) = 0\n+834us\nclient: send(c, 4000 bytes)\n+2757us\n\
                server: send(a, 60000 bytes)\n+5183us\nclient: send(c, 4000 bytes)\n+2509us\n\
                server: send(a, 60000 bytes)\n\
                expect server > client eventually [.] seq 43441 len 1448\n\
                +45ms\nexpect cwnd server a 53 mss\n+40ms\nexpect cwnd server a 64 mss\n";
    assert_eq!(script_failures(text), Vec::<String>::new());
}

/// A timeout in the middle of fast recovery keeps the recovery's undo
/// record, and the first resend's timestamp: six seconds on, the D-SACK of
/// a tail loss probe's resend shows the last of the recovery's resends
/// needless, and cwnd is back at 10 segments (tcp_try_undo_dsack), as
/// TCP_INFO on Linux 6.18's client says; the kept script's own `expect
/// cwnd` line says so, and the packet-diff stage holds it against the kernel.
#[test]
fn a_late_dsack_undoes_a_recovery_a_timeout_cut_into() {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/faults/late_dsack_undoes_a_recovery_a_timeout_cut_into.sock");
    let text = std::fs::read_to_string(path).expect("the kept script");
    assert!(text.contains("expect cwnd client c 10 mss"));
    assert_eq!(script_failures(&text), Vec::<String>::new());
}

#[test]
fn a_send_takes_what_linux_s_send_buffer_memory_allows() {
    // Numbers measured on Linux 6.18. A non-blocking send() right after the
    // handshake: one skb of 22 segments (half the peer's 65160-byte window),
    // whose first packets leave at once (tcp_push_one) and whose unsent rest
    // is refilled, then no more: 46336 bytes cost 48000 of the 46080 the
    // buffer was sized to (2 x 10 segments x 2304).
    let head = "seed 1\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                client: setsockopt(c, O_NONBLOCK, 1) = 0\n";
    let run = |text: String| script_failures(&text);
    let fresh = format!("{head}client: send(c, 200000 bytes) = 46336\nclient: send(c, 200000 bytes) = -1 EAGAIN\n");
    assert_eq!(run(fresh.clone()), Vec::<String>::new());
    // 100 ms on, the ACKs have freed that memory and grown the buffer with
    // cwnd (the writer had found it full), and the last packet the reader's
    // window allows ends with a 592-byte piece (tcp_mss_split_point), whose
    // skb's unsent rest the write refills: 119328 bytes, as on Linux.
    assert_eq!(run(format!("{fresh}+100ms\nclient: send(c, 200000 bytes) = 119328\n")), Vec::<String>::new());
    // The server never reads: its memory (131072 at first) fills at 57
    // segments, yet it takes the rest of what its windows offered, up to
    // byte 90368, by growing its buffer to what it holds (tcp_clamp_window),
    // and then says 0; nothing is dropped and resent for ever.
    let full = format!(
        "{fresh}+100ms\nclient: send(c, 200000 bytes) = 119328\n\
         expect server > client eventually [.] ack 90369 win 0\n+5s\n\
         server: recv(a, 100000) = 90368 bytes\n"
    );
    assert_eq!(run(full), Vec::<String>::new());
    // With no ACK coming back (ss -tm on loopback, the peer's ACKs dropped):
    // each 1448-byte write is an skb of its own (2280 bytes of memory), the
    // eleventh waits behind cwnd, bytes written after it join it, and once
    // the memory is past the limit a write still fills that unsent skb to
    // size_goal (31856) and takes no more.
    let mut silent = format!("{head}partition server > client\n");
    for _ in 0..11 {
        silent.push_str("client: send(c, 1448 bytes) = 1448\n");
    }
    silent.push_str(
        "client: send(c, 1 bytes) = 1\nclient: send(c, 1 bytes) = 1\nclient: send(c, 30000 bytes) = 30000\n\
         client: send(c, 200000 bytes) = 406\nclient: send(c, 1 bytes) = -1 EAGAIN\n",
    );
    assert_eq!(run(silent), Vec::<String>::new());
}

/// The client owes the ACK of 5 bytes, and its delayed-ACK timer is 10 ms
/// away when the server's pure ACK arrives. Linux takes that ACK on the
/// fast path (header prediction), which leaves the owed ACK to the timer;
/// the timer finds the connection in pingpong and ends it, so the next
/// burst is ACKed segment by segment (quick ACKs), as Linux 6.18's packets
/// show (tests/exchanges/pure_ack_leaves_the_delayed_ack_to_its_timer.sock
/// agrees packet by packet). Sent with the pure ACK, the owed ACK kept
/// pingpong and the burst got an ACK every second segment.
#[test]
fn a_pure_ack_on_the_fast_path_leaves_an_owed_ack_to_its_timer() {
    assert_kept_script_passes_with(
        "tests/exchanges/pure_ack_leaves_the_delayed_ack_to_its_timer.sock",
        "server: send(a, 5000 bytes) = 5000",
        "expect client > server eventually [.] ack 106 at 287ms\nserver: send(a, 5000 bytes) = 5000\n\
         expect client > server eventually [.] ack 1554\nexpect client > server [.] ack 3002\n\
         expect client > server [.] ack 4450",
    );
}

/// Two full segments arrive while the server's unread buffer holds six
/// skbs: the free room, 74200 bytes, is 552 short of the window last offered
/// (73 units of 1024). __tcp_ack_snd_check compares what __tcp_select_window
/// would offer now, the room rounded up to the scale's unit, so the window
/// keeps up and the two segments are ACKed at once, as Linux 6.18 does
/// (tests/exchanges/two_segments_acked_while_the_window_keeps_up.sock agrees
/// packet by packet). Rounded down, the model held that ACK for the timer and
/// offered one unit less after the next segment.
#[test]
fn two_full_segments_are_acked_at_once_while_the_window_rounded_up_keeps_up() {
    assert_kept_script_passes_with(
        "tests/exchanges/two_segments_acked_while_the_window_keeps_up.sock",
        "client: send(c, 5000 bytes) = 5000",
        "client: send(c, 5000 bytes) = 5000\nexpect server > client eventually [.] ack 4554 win 73\n\
         expect server > client [.] ack 7450 win 73",
    );
}

/// The link's device reserves 64 bytes of headroom before each packet it
/// copies into an skb (`tun_get_user`, `NET_SKB_PAD`), so a full segment's
/// 2048-byte head keeps 164 bytes behind it, not 228: of the short writes
/// that follow it, the 100-byte one lands in an skb of its own (832 bytes
/// more), rcv_ssthresh grows a little less while the buffer fills, and the
/// FIN offers 74 units of 1024 where, without the headroom, the model
/// offered 75 (tests/exchanges/two_segments_acked_while_the_window_keeps_up.sock
/// agrees with Linux 6.18 packet by packet, the FIN's window with it).
#[test]
fn the_device_headroom_leaves_a_short_segment_an_skb_of_its_own() {
    assert_kept_script_passes_with(
        "tests/exchanges/two_segments_acked_while_the_window_keeps_up.sock",
        "server: close(a) = 0",
        "server: close(a) = 0\nexpect server > client eventually [F.] win 74",
    );
}

/// The server's delayed-ACK timer falls due at the instant the client's next
/// full segment arrives. Linux's timer fires on the first jiffy tick at or
/// after its expiry, so the segment is taken first and the timer's ACK
/// covers it (ack 45197, window 4344), as Linux 6.18 sends it
/// (tests/exchanges/delayed_ack_timer_after_a_segment_due_then.sock agrees
/// packet by packet). Fired first, the timer's ACK said one segment less
/// with a window of 5792.
#[test]
fn a_delayed_ack_timer_due_as_a_segment_arrives_fires_after_it() {
    assert_kept_script_passes_with(
        "tests/exchanges/delayed_ack_timer_after_a_segment_due_then.sock",
        "server: recv(a, 100) = 100 bytes",
        "expect server > client eventually [.] ack 45197 win 4344 at 1039.658ms\nserver: recv(a, 100) = 100 bytes",
    );
}

/// Without window scaling, tcp_select_initial_window still chooses the
/// buffer's whole room (99280 bytes) as rcv_wnd; only the header is cut to
/// 65535. The connecting side's ACK of the SYN-ACK keeps that window, as
/// tcp_select_window never takes one back, so it says 65535, as Linux 6.18
/// does (tests/exchanges/window_without_scaling.sock agrees packet by
/// packet). The model forgot that the window starts at the peer's first
/// byte (rcv_wup) and offered 65160, whole segments of 65535.
#[test]
fn without_window_scaling_the_connecting_side_keeps_the_window_its_syn_chose() {
    assert_kept_script_passes_with(
        "tests/exchanges/window_without_scaling.sock",
        "server: a = accept(l)",
        "server: a = accept(l)\nexpect client > server eventually [.] ack 1 win 65535",
    );
}

/// Without window scaling, rcv_ssthresh grows past the 65535 the header can
/// say, up to the buffer's room (tcp_grow_window reads tcp_space, uncapped),
/// and each growth asks for a quick ACK: the server ACKs each of the first
/// 22 segments of the transfer, then none of the 12 after them while its
/// window does not open, until the delayed ACK of all 60000 bytes. Capped
/// at the header's 65535, the model stopped growing, and quick-ACKing, at 16.
#[test]
fn without_window_scaling_each_growth_past_the_header_asks_for_a_quick_ack() {
    assert_kept_script_passes_with(
        "tests/exchanges/window_without_scaling.sock",
        "client: send(c, 60000 bytes) = 60000",
        "client: send(c, 60000 bytes) = 60000\nexpect server > client eventually [.] ack 31857\n\
         expect client > server eventually [.] seq 43441\nexpect server > client [.] ack 60001",
    );
}

/// The client closes first; the ACK of its FIN makes Linux swap it for a
/// time-wait socket (substate FIN_WAIT2), which keeps the window open at
/// the swap (tw_rcv_wnd, 99280 bytes). Its ACK of the server's FIN says that
/// window cut to the header's 16 bits (tcp_v4_send_ack's htons): 33744. The
/// model chose a new window for it, capped at 65535.
#[test]
fn a_time_wait_ack_says_the_window_kept_at_the_swap_cut_to_sixteen_bits() {
    assert_kept_script_passes_with(
        "tests/exchanges/window_without_scaling.sock",
        "server: close(a) = 0",
        "server: close(a) = 0\nexpect client > server eventually [.] ack 2 win 33744",
    );
}

/// A write a second after the last data left, with nothing in flight, finds
/// the congestion window restarted (tcp_cwnd_restart: more than an RTO of
/// silence), so the burst leaves as the initial 10 segments and the 11th
/// waits one round trip for their ACKs, as Linux 6.18 sends it
/// (tests/exchanges/cwnd_restarts_after_idle.sock agrees packet by packet).
/// The model kept the 94 segments slow start had reached and sent the whole
/// write at once.
#[test]
fn a_sender_idle_for_longer_than_an_rto_restarts_from_the_initial_window() {
    assert_kept_script_passes_with(
        "tests/exchanges/cwnd_restarts_after_idle.sock",
        "client: send(c, 40000 bytes) = 40000",
        "client: send(c, 40000 bytes) = 40000\nexpect cwnd client c 10 mss\n\
         expect client > server eventually [P.] seq 133033 at 3040ms\n\
         expect client > server eventually [.] seq 134481 at 3080ms",
    );
}

/// A close with unread data resets the connection, and tcp_close empties
/// the receive queue before it sends the RST, so the RST offers the window
/// of the memory that freed: 78 units of 1024, where the last ACK, with the
/// data held, offered 76 (tests/exchanges/close_with_unread_data_frees_the_buffer.sock
/// agrees with Linux 6.18 packet by packet). The model sent the RST with
/// The server's 32 KB buffer fills and it reads nothing for a second, so the
/// client's window closes with nothing in flight and more data queued. When
/// the server reads, its window update finds that data waiting, and Linux
/// checks for idleness there too (tcp_ack_update_window →
/// tcp_slow_start_after_idle_check): four RTOs without data sent halve cwnd
/// from 38 segments to the initial 10. The kernel's TCP_INFO says the same
/// (tests/exchanges/cwnd_restarts_when_a_window_reopens.sock; its packets
/// agree with Linux 6.18). The model kept 38.
#[test]
fn a_window_reopening_after_a_long_stall_restarts_the_congestion_window() {
    assert_kept_script_passes_with(
        "tests/exchanges/cwnd_restarts_when_a_window_reopens.sock",
        "+100ms",
        "+100ms\nexpect cwnd client c 10 mss",
    );
}

/// A write after half a second of silence restarts cwnd at 10 segments,
/// but Linux sets the pacing rate only at an ACK, so the burst is cut into
/// GSO packets by the rate the last ACK set when cwnd was 26: packets of
/// four segments, PSH on each fourth, as Linux 6.18 sends them
/// (tests/exchanges/gso_packets_keep_the_last_acks_pacing_rate.sock agrees
/// packet by packet). The model worked the rate out from the restarted
/// window when it sent, and cut packets of two.
#[test]
fn gso_packets_after_a_restart_follow_the_pacing_rate_the_last_ack_set() {
    assert_kept_script_passes_with(
        "tests/exchanges/gso_packets_keep_the_last_acks_pacing_rate.sock",
        "+5s",
        "expect client > server eventually [.] seq 68249 at 1873.201ms\n\
         expect client > server eventually [.] seq 69697 at 1873.201ms\n\
         expect client > server eventually [P.] seq 71145 at 1873.201ms\n+5s",
    );
}

/// the data still counted.
#[test]
fn closing_with_unread_data_frees_the_buffer_before_the_rst() {
    assert_kept_script_passes_with(
        "tests/exchanges/close_with_unread_data_frees_the_buffer.sock",
        "client: close(c) = 0",
        "expect client > server eventually [.] ack 20001 win 76\nclient: close(c) = 0\n\
         expect client > server eventually [R.] ack 20001 win 78",
    );
}

/// `SO_LINGER` {1, 0} makes close reset the connection through
/// tcp_disconnect, but tcp_close has emptied the receive queue before it
/// gets there: the RST offers the freed memory's window, as the close with
/// unread data does (the kernel's packets match these, checked with
/// `socklab diff --packets` on this variant of the kept script).
#[test]
fn an_abortive_close_frees_the_buffer_before_the_rst() {
    assert_kept_script_passes_with(
        "tests/exchanges/close_with_unread_data_frees_the_buffer.sock",
        "client: close(c) = 0",
        "client: setsockopt(c, SO_LINGER, {1, 0}) = 0\nclient: close(c) = 0\n\
         expect client > server eventually [R.] ack 20001 win 78",
    );
}

/// A FIN that arrives alone ahead of a hole waits in Linux's out-of-order
/// queue as an skb of its own, so the resend that fills the hole empties that
/// queue and tcp_data_queue ACKs at once (ICSK_ACK_NOW), before the reader's
/// close sends its own FIN. The model held that ACK back and let it ride on
/// the FIN (tests/faults/lone_fin_ahead_of_a_hole_gets_its_ack_at_once.sock
/// agrees with Linux 6.18 packet by packet; its expectations say the order).
#[test]
fn a_lone_fin_ahead_of_a_hole_is_acked_as_the_hole_fills() {
    let ack_then_fin = "expect client > server eventually [.] ack 8\nexpect client > server [F.] ack 8";
    assert_kept_script_passes_with(
        "tests/faults/lone_fin_ahead_of_a_hole_gets_its_ack_at_once.sock",
        "expect client > server [F.] ack 8",
        "expect client > server [F.] ack 8",
    );
    let text = include_str!("faults/lone_fin_ahead_of_a_hole_gets_its_ack_at_once.sock");
    assert!(text.contains(ack_then_fin), "the script checks the ACK and then the FIN");
}

/// A tail loss probe and two timeouts prove needless (the ACK that ends them
/// echoes the probe's timestamp and D-SACKs a resend): cwnd returns to the
/// 10 segments it had, and that ACK grows it no further, because resends at
/// cwnd 1 do not count the window as filled (tcp_cwnd_validate runs from
/// tcp_write_xmit, for new data only). The model grew it to 13; Linux 6.18's
/// server stays at 10 (tests/faults/needless_timeouts_leave_the_window_they_restore.sock
/// agrees with it packet by packet and window by window).
#[test]
fn resends_after_a_timeout_do_not_count_the_window_as_filled() {
    assert_kept_script_passes_with(
        "tests/faults/needless_timeouts_leave_the_window_they_restore.sock",
        "server: recv(a, 100) = 0 bytes",
        "expect cwnd server a 10 mss\nserver: recv(a, 100) = 0 bytes",
    );
}
