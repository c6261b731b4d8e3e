//! Error messages name the line and column and say what was expected; run
//! failures name the line and say what was expected and what happened.

use socklab::lang::{Bilingual, Lang};
use socklab::script::{self, FailureKind, RunOptions};

const HEAD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";

fn parse_err(body: &str) -> String {
    script::parse(&format!("{HEAD}{body}")).unwrap_err().render("t.sock")
}

fn run_failures(body: &str) -> Vec<String> {
    let s = script::parse(&format!("{HEAD}{body}")).unwrap();
    script::run(&s, &RunOptions::default()).failures.iter().map(|f| f.render("t.sock")).collect()
}

#[test]
fn parse_errors_have_file_line_and_column() {
    assert_eq!(
        parse_err("server: l = socket(tcp)\nserver: bind(l 10.0.0.1:80)\n"),
        "t.sock:5:16: expected ',', found '10.0.0.1'"
    );
    assert_eq!(parse_err("server: l = socket(sctp)\n"), "t.sock:4:20: expected tcp or udp, found 'sctp'");
    assert_eq!(
        parse_err("server: recv(x, 10)\n"),
        "t.sock:4:14: expected a descriptor named on server earlier (like 'server: x = socket(tcp)'), found 'x'"
    );
    assert_eq!(
        parse_err("server: l = socket(tcp)\nserver: connect(l, 10.0.0.1:80) = ECONNREFUSD\n"),
        format!(
            "t.sock:5:35: expected an errno ({}), found 'ECONNREFUSD'",
            socklab::net::Errno::ALL.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
        )
    );
    assert_eq!(
        parse_err("+10\n"),
        "t.sock:4:2: expected a duration with a unit (us, ms, s, min, h) like 200ms, found '10'"
    );
    assert_eq!(parse_err("+2d\n"), "t.sock:4:2: expected a duration unit us, ms, s, min or h, found '2d'");
    assert_eq!(
        parse_err("link client server loss 120%\n"),
        "t.sock:4:25: expected a percentage from 0% to 100%, found '120'"
    );
    assert_eq!(
        parse_err("expect client > server [SX]\n"),
        "t.sock:4:24: expected tcpdump flags like [S], [S.], [.], [P.], [F.], [R], found '[SX]'"
    );
    assert_eq!(
        parse_err("client: send(c\n"),
        "t.sock:4:14: expected a descriptor named on client earlier (like 'client: c = socket(tcp)'), found 'c'"
    );
    assert_eq!(
        parse_err("client: c = socket(udp)\nclient: send(c, \"abc)\n"),
        "t.sock:5:17: expected '\"' to close the string, found end of line"
    );
    assert_eq!(
        parse_err("client: c = socket(udp)\nclient: close(c) = 0 extra\n"),
        "t.sock:5:22: expected end of line, found 'extra'"
    );
    assert_eq!(
        parse_err("partition client nobody\n"),
        "t.sock:4:18: expected a declared host, found 'nobody' (declared hosts: client, server)"
    );
    assert_eq!(
        parse_err("host third 10.0.0.5\npartition client third\n"),
        "t.sock:5:11: expected a link between client and third, found none (add: link client third)"
    );
    assert_eq!(parse_err("host run 10.0.0.9\n"), "t.sock:4:6: expected a host name, found keyword 'run'");
    assert_eq!(
        parse_err("host x 127.0.0.1\n"),
        "t.sock:4:8: expected a non-loopback address, found 127.0.0.1 (every host has 127.0.0.1)"
    );
    assert_eq!(
        parse_err("client: c = socket(udp)\nclient: n = send(c, \"x\")\n"),
        "t.sock:5:9: expected a call that returns a descriptor (socket or accept) after 'n =', found send"
    );
}

/// Every way a line can fail to parse says so in Korean too: the message is the
/// kind in English, and its Korean has Hangul around the script's own tokens.
#[test]
fn parse_errors_read_in_korean_too() {
    let broken = [
        "server: l = socket(sctp)\n",
        "server: recv(x, 10)\n",
        "+10\n",
        "+2d\n",
        "tcp rto_min 0ms\n",
        "link client server loss 120%\n",
        "link client server bandwidth 10zbit\n",
        "link client server mtu 20\n",
        "expect client > server [SX]\n",
        "client: c = socket(udp)\nclient: send(c, \"abc)\n",
        "client: c = socket(udp)\nclient: send(c, \"\\q\")\n",
        "client: c = socket(udp)\nclient: send(c, 17000000 bytes)\n",
        "client: c = socket(udp)\nclient: close(c) = -2\n",
        "client: c = socket(udp)\nclient: close(c) = 0 extra\n",
        "client: c = socket(udp)\nclient: n = send(c, \"x\")\n",
        "client: c = socket(udp)\nclient: shutdown(c, both)\n",
        "client: c = socket(udp)\nclient: setsockopt(c, SO_LINGER, 1)\n",
        "client: c = socket(udp)\nclient: frob(c)\n",
        "partition client nobody\n",
        "partition client client\n",
        "host third 10.0.0.5\npartition client third\n",
        "host run 10.0.0.9\n",
        "host client 10.0.0.9\n",
        "host x 127.0.0.1\n",
        "host x 224.0.0.1\n",
        "host x 10.0.0.1\n",
        "seed 1\n",
        "tcp initial_cwnd 0\n",
        "tcp warp 9\n",
        "expect state client c BOGUS\n",
        "expect sent client server 3\n",
        "expect frobbed 3\n",
        "expect lost 5..2\n",
        "drop 3 on client > server\n",
        "client socket\n",
        "bogus\n",
        "title.xx: hi\n",
        "client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:99999)\n",
        "client: c = socket(tcp)\nclient: connect(c, nowhere:80)\n",
    ];
    for body in broken {
        let Err(e) = script::parse(&format!("{HEAD}{body}")) else { panic!("{body} parses") };
        // Setting names are the sysctls' own words, not English to translate.
        let ko = e.kind.say(Lang::Ko).replace("syn_linear_timeouts", "");
        assert_eq!(e.message, e.kind.to_string(), "{body}");
        assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{body}: {ko}");
        for english in ["expected", "found", "declared", "limit", "line"] {
            assert!(!ko.contains(english), "{body}: '{english}' in {ko}");
        }
    }
}

#[test]
fn limits_are_named() {
    assert!(parse_err("client: c = socket(udp)\nclient: send(c, 17000000 bytes)\n")
        .contains("limit of 16777216 bytes (16 MiB)"));
    assert!(parse_err("+25h\n").contains("one simulated day"));
    let mut many = String::new();
    for i in 0..1001 {
        many.push_str(&format!("host h{i} 10.{}.{}.1\n", i / 256, i % 256));
    }
    let e = script::parse(&many).unwrap_err();
    assert_eq!((e.line, e.col), (1001, 6));
    assert!(e.message.contains("the limit is 1000"), "{}", e.message);
    let huge = "#".repeat(5 << 20);
    assert!(script::parse(&huge).unwrap_err().message.contains("4 MiB"));
}

#[test]
fn expectation_failures_say_expected_and_got() {
    let f = run_failures("client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n");
    assert_eq!(
        f,
        vec!["t.sock:5: expected connect(c, 10.0.0.1:80) to return 0, got ECONNREFUSED (refused: nothing listens on that port (RST or ICMP port unreachable))"]
    );
    let f = run_failures("client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80)\nexpect client > server [S.]\n");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].starts_with(
            "t.sock:6: expected client > server [S.], got client > server [S] seq 0 len 0 win 64240 (#1 at 0 ms)"
        ),
        "{}",
        f[0]
    );
    let f = run_failures("client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:53) = 1\nexpect lost 2\n");
    assert_eq!(f, vec!["t.sock:6: expected lost 2, got 0"]);
}

#[test]
fn a_blocked_call_that_never_returns_says_so() {
    let body = "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 1) = 0\n\
                server: a = accept(l)\nserver: close(l)\n";
    let s = script::parse(&format!("{HEAD}{body}")).unwrap();
    let r = script::run(&s, &RunOptions::default());
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].kind, FailureKind::Pending);
    assert_eq!(r.failures[0].line, 7);
    assert!(r.failures[0].got.starts_with("call still pending"), "{}", r.failures[0].got);

    // Something keeps happening (a SYN retried every few seconds), so the bound hits.
    let body = "tcp syn_retries 10\npartition client server\nserver: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\n\
                server: listen(l, 1) = 0\nserver: a = accept(l)\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80)\n\
                server: close(l)\n";
    let s = script::parse(&format!("{HEAD}{body}")).unwrap();
    let r = script::run(&s, &RunOptions::default());
    assert_eq!(
        r.failures[0].render("t.sock"),
        "t.sock:9: expected accept(l) to return, got call still pending after 120s"
    );
}

#[test]
fn the_report_keeps_every_line_and_its_outcome() {
    let body =
        "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5)\nserver: a = accept(l)\n\
                client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n";
    let s = script::parse(&format!("{HEAD}{body}")).unwrap();
    let r = script::run(&s, &RunOptions::default());
    assert!(r.passed());
    assert_eq!(r.lines.len(), s.statements.len());
    let accept = r.lines.iter().find(|l| l.source == "server: a = accept(l)").unwrap();
    match &accept.detail {
        script::LineDetail::Call(c) => {
            assert!(c.blocked);
            assert_eq!(c.returned_at, Some(30_000));
            assert!(matches!(c.result, Some(Ok(socklab::net::CallValue::Accepted { fd: 4, .. }))));
        }
        d => panic!("{d:?}"),
    }
    // The page can step through the same script one statement at a time.
    let mut runner = script::Runner::new(&s, RunOptions::default());
    let mut n = 0;
    while let Some(i) = runner.step() {
        assert_eq!(runner.lines()[i].line, s.statements[n].line);
        n += 1;
    }
    assert_eq!(n, s.statements.len());
    assert!(runner.finish().passed());
}

/// The first failure of `body`, in Korean, as the page says it after the line.
fn run_failure_ko(body: &str) -> String {
    let s = script::parse(&format!("{HEAD}{body}")).unwrap();
    let r = script::run(&s, &RunOptions::default());
    r.failures.first().map(|f| f.say(Lang::Ko)).unwrap_or_default()
}

#[test]
fn run_failures_read_in_korean_with_the_scripts_text_as_written() {
    assert_eq!(
        run_failure_ko("client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n"),
        "기대한 결과: connect(c, 10.0.0.1:80)의 반환값 0 · 실제 결과: ECONNREFUSED (거절되었습니다: 그 포트에서 듣고 있는 소켓이 없습니다 (RST 또는 ICMP port unreachable))"
    );
    let body = "tcp syn_retries 10\npartition client server\nserver: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\n\
                server: listen(l, 1) = 0\nserver: a = accept(l)\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80)\n\
                server: close(l)\n";
    assert_eq!(run_failure_ko(body), "기대한 결과: accept(l) 호출의 반환 · 실제 결과: 120s 뒤에도 끝나지 않은 호출");
    assert_eq!(
        run_failure_ko(
            "client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:53) = 1\nexpect lost client > server 2\n"
        ),
        "기대한 결과: lost client > server 값 2 · 실제 결과: 0"
    );
    assert_eq!(
        run_failure_ko("client: c = socket(tcp)\nclient: close(c) = 0\nclient: recv(c, 5) = 5\n"),
        "기대한 결과: recv(c, 5)의 반환값 5 · 실제 결과: EBADF (열려 있지 않은 파일 디스크립터입니다)"
    );
}

#[test]
fn tcp_settings_that_contradict_each_other_are_refused_where_written() {
    // `tcp rto_max 100ms` under the default rto_min of 200 ms once panicked the
    // core (clamp with min > max) as soon as a connection completed.
    assert_eq!(
        parse_err("tcp rto_max 100ms\n"),
        "t.sock:4:5: rto_min 200ms is above rto_max 100ms: a retransmission timeout must be at least rto_min and at most rto_max"
    );
    assert_eq!(
        parse_err("tcp rto_max 2s\ntcp rto_min 3s\n"),
        "t.sock:5:5: rto_min 3s is above rto_max 2s: a retransmission timeout must be at least rto_min and at most rto_max"
    );
    assert_eq!(
        parse_err("tcp rto_min 50ms\ntcp rto_max 500ms\n"),
        "t.sock:5:5: rto_initial 1s is above rto_max 500ms: the first retransmission timeout would already be past its ceiling"
    );
    // In an order that never contradicts, the same values are fine.
    let fine = format!("{HEAD}tcp rto_min 50ms\ntcp rto_initial 300ms\ntcp rto_max 500ms\n");
    assert!(script::parse(&fine).is_ok());
    let err = script::parse(&format!("{HEAD}tcp rto_max 100ms\n")).unwrap_err();
    assert_eq!(
        err.kind.say(Lang::Ko),
        "rto_min 200ms가 rto_max 100ms보다 큽니다: 재전송 타임아웃은 rto_min 이상, rto_max 이하여야 합니다"
    );
}

#[test]
fn the_new_words_are_refused_with_what_they_take() {
    let s = "server: l = socket(tcp)\n";
    assert_eq!(
        parse_err(&format!("{s}server: getsockopt(l, SO_RCVBUF)\n")),
        "t.sock:5:23: expected SO_ERROR (getsockopt(s, SO_ERROR)), found 'SO_RCVBUF'"
    );
    assert_eq!(
        parse_err(&format!("{s}server: recv(l, 10, MSG_WAITALL)\n")),
        "t.sock:5:21: expected MSG_PEEK, MSG_TRUNC (joined with |) or 0, found 'MSG_WAITALL'"
    );
    assert_eq!(
        parse_err(&format!("{s}server: setsockopt(l, SO_LINGER, {{1, 5}})\n")),
        "t.sock:5:34: expected {0, N} or {1, 0} (a close that lingers, {1, N} with N above 0, is not modelled), found '{1, 5}'"
    );
    assert_eq!(
        parse_err(&format!("{s}server: getsockname(l) = 10.0.0.1:9..1\n")),
        "t.sock:5:35: expected a port like 80 or a range like 32768..60999, found '9..1'"
    );
    assert_eq!(
        parse_err(&format!("{s}server: getsockopt(l, SO_ERROR) = [EWHAT]\n")),
        "t.sock:5:35: expected the error SO_ERROR reads, like [ECONNREFUSED], or [0] for none, found '[EWHAT]'"
    );
    assert_eq!(
        parse_err("expect client > server [S] at 1\n"),
        "t.sock:4:31: expected a duration with a unit (us, ms, s, min, h) like 200ms, found '1'"
    );
    assert_eq!(
        parse_err("expect client > server [S] len= 0\n"),
        "t.sock:4:28: expected seq, ack, seq=, ack=, len, win, sack, at TIME or +TIME, found 'len='"
    );
    assert_eq!(
        parse_err("expect server > client [.] sack 1461-2921\n"),
        "t.sock:4:37: expected a SACK block like 1461:2921 (blocks separated by commas), found '-'"
    );
    assert_eq!(
        parse_err("host client tcp_sacks 0\n"),
        "t.sock:4:13: expected a host's TCP setting (tcp_timestamps, tcp_sack, tcp_early_retrans, tcp_frto), found 'tcp_sacks'"
    );
    assert_eq!(
        parse_err("host client tcp_early_retrans on\n"),
        "t.sock:4:31: expected 0 (no tail loss probe) or 3 (Linux's default: probe), found 'on'"
    );
    assert_eq!(
        parse_err("host client tcp_early_retrans 5\n"),
        "t.sock:4:31: expected 0 (no tail loss probe) or 3 (Linux's default: probe), found '5'"
    );
    assert_eq!(
        parse_err("host client tcp_frto 3\n"),
        "t.sock:4:22: expected 0 (no F-RTO) or 2 (Linux's default: new data after a timeout), found '3'"
    );
    let e = script::parse(&format!("{HEAD}{s}server: recv(l, 10, MSG_WAITALL)\n")).unwrap_err();
    assert_eq!(
        e.kind.say(Lang::Ko),
        "여기에 와야 할 것: MSG_PEEK, MSG_TRUNC (|로 잇기) 또는 0 · 실제로 있는 것: 'MSG_WAITALL'"
    );
}
