use super::*;
use crate::lesson::scripts::SCRIPTS;
use crate::script::parse;

fn lesson(id: &str) -> &'static str {
    SCRIPTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t).expect("a lesson of the library")
}

fn exported(text: &str, language: Language) -> String {
    let script = parse(text).expect("parses");
    export(&script, text, "lesson", language).expect("exports")
}

/// `needle` is one of `program`'s lines (trimmed).
fn has_line(program: &str, needle: &str) -> bool {
    program.lines().any(|l| l.trim() == needle)
}

#[test]
fn the_handshake_in_python_listens_accepts_and_connects_in_the_lessons_order() {
    let py = exported(lesson("handshake"), Language::Python);
    assert!(py.contains("SERVER = \"127.1.1.2\"  # server's 10.0.0.1"), "{py}");
    assert!(py.contains("LINES = [23, 24, 25, 26, 29, 32, 33, 44, 46, 48]"), "{py}");
    for line in [
        "call(25, \"server: listen(l, 5) = 0\", lambda: l.listen(5), want=0)",
        "a = call(29, \"server: a = accept(l)\", lambda: l.accept()[0], may_block=True)",
        // The client is unbound: it connects from its own 10.0.0.2, as the model's route picks.
        "call(33, \"client: connect(c, 10.0.0.1:80) = 0\", lambda: connect_from(c, CLIENT, (SERVER, 80)), want=0, \
         may_block=True)",
        "state(44, \"expect state client c ESTABLISHED\", c, 1)",
    ] {
        assert!(has_line(&py, line), "no line {line:?} in:\n{py}");
    }
    // What a program cannot see or check is a comment saying why.
    assert!(py.contains("# line 39: expect client > server [S] seq 0: a packet on the wire"), "{py}");
    assert!(py.contains("# line 36: expect state client c SYN-SENT now: the model says SYN-SENT; Linux differs"));
}

#[test]
fn the_handshake_in_c_and_rust_makes_the_same_calls() {
    let c = exported(lesson("handshake"), Language::C);
    for line in [
        "#define SERVER \"127.1.1.2\" /* server's 10.0.0.1 */",
        "static const int LINES[] = {23, 24, 25, 26, 29, 32, 33, 44, 46, 48};",
        "CALL(25, 0, listen(l, 5));",
        "check_int(25, \"server: listen(l, 5) = 0\", r, e, 0);",
        "CALL(29, 1, a = accept(l, NULL, NULL));",
        "CALL(33, 1, connect_from(c, CLIENT, addr(&sa, SERVER, 80), sizeof sa));",
    ] {
        assert!(has_line(&c, line), "no line {line:?} in:\n{c}");
    }
    let rs = exported(lesson("handshake"), Language::Rust);
    for line in [
        "const SERVER: Ipv4Addr = Ipv4Addr::new(127, 1, 1, 2); // server's 10.0.0.1",
        "call(25, \"server: listen(l, 5) = 0\", false, Want::Int(0), || sock(&l)?.listen(5));",
        "let a = call(29, \"server: a = accept(l)\", true, Want::Nothing, || sock(&l)?.accept().map(|(s, _)| s));",
        "state(44, \"expect state client c ESTABLISHED\", &c, 1);",
    ] {
        assert!(has_line(&rs, line), "no line {line:?} in:\n{rs}");
    }
}

#[test]
fn an_errno_expectation_becomes_a_check_of_that_errno() {
    let text = "host server 10.0.0.1\nhost client 10.0.0.2\n\
                client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = ECONNREFUSED\n";
    let py = exported(text, Language::Python);
    assert!(has_line(
        &py,
        "call(4, \"client: connect(c, 10.0.0.1:80) = ECONNREFUSED\", lambda: connect_from(c, CLIENT, (SERVER, 80)), \
         want=Err(errno.ECONNREFUSED), may_block=True)"
    ));
    let c = exported(text, Language::C);
    assert!(has_line(&c, "check_errno(4, \"client: connect(c, 10.0.0.1:80) = ECONNREFUSED\", r, e, ECONNREFUSED);"));
    let rs = exported(text, Language::Rust);
    assert!(rs.contains("Want::Errno(libc::ECONNREFUSED), || connect_from(sock(&c)?, CLIENT, at(SERVER, 80)))"));
}

#[test]
fn expectations_a_program_cannot_check_and_faults_become_comments() {
    let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 5ms loss 10%\n\
                server: l = socket(tcp) = 3\ndrop next 1 on client server\n+70s\n";
    let script = parse(text).unwrap();
    assert!(not_runnable(&script, text).is_some_and(|why| why.starts_with("line 3:")));
    let py = export(&script, text, "lossy", Language::Python).unwrap();
    assert!(py.contains("# line 4: not checked: the model numbers each host's descriptors from 3"), "{py}");
    assert!(py.contains("# line 5: drop next 1 on client server: a fault real sockets cannot make"), "{py}");
    assert!(py.contains("# Real sockets cannot do what this lesson shows: line 3:"), "{py}");
    // Time is capped as `socklab run --real` caps it.
    assert!(has_line(
        &py,
        "pause(6, \"+70s\", 2)  # the lesson waits 70s; real time is capped as `socklab run --real` caps it"
    ));
    assert!(not_runnable(&parse(lesson("handshake")).unwrap(), lesson("handshake")).is_none());
}

#[test]
fn scripts_that_cannot_be_exported_say_why() {
    let numbered = "host a 10.0.0.1\na: s = socket(udp)\na: close(3) = 0\n";
    let err = export(&parse(numbered).unwrap(), numbered, "x", Language::C).unwrap_err();
    assert_eq!(err, ExportError::DescriptorNumber { line: 3, fd: 3 });
    let foreign = "host a 10.0.0.1\na: s = socket(tcp)\na: connect(s, 8.8.8.8:53)\n";
    let err = export(&parse(foreign).unwrap(), foreign, "x", Language::Python).unwrap_err();
    assert_eq!(err, ExportError::ForeignAddress { line: 3, ip: Ipv4Addr::new(8, 8, 8, 8) });
    let unspec = "host a 10.0.0.1\na: s = socket(udp)\na: connect(s, AF_UNSPEC) = 0\n";
    let script = parse(unspec).unwrap();
    assert_eq!(
        export(&script, unspec, "x", Language::Rust).unwrap_err(),
        ExportError::Disconnect { line: 3, language: Language::Rust }
    );
    assert!(export(&script, unspec, "x", Language::C).unwrap().contains("CALL(3, 0, disconnect(s));"));
}

#[test]
fn every_lesson_exports_in_every_language() {
    for (id, text) in SCRIPTS {
        let script = parse(text).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        for language in Language::ALL {
            let program = export(&script, text, id, language).unwrap_or_else(|e| panic!("{id} in {language:?}: {e}"));
            let plan = Plan::new(&script, text, id).unwrap();
            // Every line that takes a turn is in the program's order, once.
            let order: Vec<String> = plan.order().iter().map(|l| l.to_string()).collect();
            assert!(program.contains(&order.join(", ")), "{id} in {language:?}");
        }
    }
}

#[test]
fn names_that_are_words_of_a_language_are_renamed_and_bytes_are_escaped() {
    let text = "host main 10.0.0.1\nhost b 10.0.0.2\nmain: int = socket(udp)\nmain: bind(int, 10.0.0.1:7) = 0\n\
                b: u = socket(udp)\nb: sendto(u, \"a\\\"b\\x01\", 10.0.0.1:7) = 4\n\
                main: recvfrom(int, 10) = \"a\\\"b\\x01\" from 10.0.0.2\n";
    let py = exported(text, Language::Python);
    assert!(py.contains("def main_():"), "{py}");
    assert!(py.contains("int_ = call(3,"), "{py}");
    assert!(py.contains("want=From(b\"a\\\"b\\x01\", None, B, None)"), "{py}");
    let c = exported(text, Language::C);
    assert!(c.contains("\"a\\\"b\\001\", 4"), "{c}");
    let rs = exported(text, Language::Rust);
    assert!(rs.contains("Want::From(Some(b\"a\\\"b\\x01\"), None, B, None)"), "{rs}");
}

#[test]
fn a_failed_udp_send_binds_its_socket_as_the_kernel_does_so_no_later_sendto_binds_it_again() {
    let text = include_str!("../../tests/exports/udp_send_binds_even_when_it_fails.sock");
    let c = exported(text, Language::C);
    // The send binds the host's source first, as inet_autobind binds before
    // EDESTADDRREQ; the sendto after it sends from that port.
    assert!(c.contains("CALL(15, 1, sendto_from(u, A, \"x\", 1, NULL, 0));"), "{c}");
    assert!(c.contains("CALL(16, 1, sendto(u, \"x\", 1, MSG_NOSIGNAL, addr(&sa, B, 9), sizeof sa));"), "{c}");
    assert!(c.contains("CALL(20, 1, sendto(v, ALPHABET, 70000, MSG_NOSIGNAL,"), "{c}");
    assert_eq!(c.matches("sendto_from(").count(), 3, "the helper and the two sends that bind: {c}");
    let py = exported(text, Language::Python);
    assert!(py.contains("lambda: sendto_from(u, A, b\"x\", None)"), "{py}");
    let rs = exported(text, Language::Rust);
    assert!(rs.contains("None => s.send_with_flags(data, libc::MSG_NOSIGNAL)"), "{rs}");
}

#[test]
fn a_program_carries_only_the_helpers_it_uses() {
    let udp = exported(lesson("udp_ten"), Language::C);
    assert!(!udp.contains("static void state("), "no state line in udp_ten");
    assert!(udp.contains("static int sendto_from("));
    let tcp = exported(lesson("handshake"), Language::C);
    assert!(tcp.contains("static void state(") && !tcp.contains("sendto_from"));
    assert!(mentions("x = end(1);", "end") && !mentions("send(1);", "end") && !mentions("the end.", "end"));
}

#[test]
fn the_page_offers_a_lesson_under_its_id_as_a_file_name() {
    let (name, program) = for_download("udp_ten", lesson("udp_ten"), Language::Python).unwrap();
    assert_eq!(name, "udp_ten.py");
    assert!(program.starts_with("#!/usr/bin/env python3\n# udp_ten.sock: "), "{program}");
    assert!(for_download("sandbox", "host a 10.0.0.1\na: close(3)\n", Language::C).unwrap_err().contains("line 2"));
    assert!(for_download("sandbox", "hots a\n", Language::Rust).is_err());
}

#[test]
fn a_python_read_of_no_bytes_asks_the_kernel() {
    // Python's recv(0) returns b'' without a system call, where the kernel
    // waits for a byte of a stream (EAGAIN if non-blocking): the exported
    // tests/calls/recv_of_no_bytes.sock met 7 of its 9 expectations.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/calls/recv_of_no_bytes.sock"))
        .expect("the kept script");
    let py = exported(&text, Language::Python);
    assert!(py.contains("def recv_nothing(s, flags, sender):") && py.contains("s.recvmsg(0, 0, flags)"), "{py}");
    assert!(py.contains("lambda: recv_nothing(c, 0, False), want=Err(errno.EAGAIN)"), "{py}");
    assert!(!py.contains(".recv(0"), "{py}");
}
