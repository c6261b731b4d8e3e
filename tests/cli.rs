//! The `socklab` binary as a user runs it, on the simulator only (real sockets are
//! tests/native.rs's, inside a loopback-only namespace): what it reads, what it
//! writes, and what its exit status says when either goes wrong.
#![cfg(feature = "native")]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_socklab");

/// A script that passes in the model.
const GOOD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\n\
                    server: l = socket(tcp) = 3\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n";

/// A file of this test's own under cargo's per-target temporary directory.
fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write a temporary script");
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(out: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", out.status, text(&out.stdout), text(&out.stderr))
}

/// `socklab ARGS` with stdout sent to /dev/full, where every write fails (ENOSPC).
fn to_dev_full(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full exists on Linux");
    Command::new(BIN).args(args).stdout(full).stderr(Stdio::piped()).output().expect("run socklab")
}

/// `check /dev/zero` reads at most the script limit plus one byte. Run under a
/// 1 GiB address-space cap: a reader that reads to the end before it looks at
/// the length runs out of memory there instead of reporting the limit.
#[test]
fn an_endless_file_is_read_only_up_to_the_script_limit() {
    let out = Command::new("sh")
        .args(["-c", "ulimit -v 1048576 && exec \"$0\" check /dev/zero", BIN])
        .output()
        .expect("run socklab under sh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        err.contains("/dev/zero") && err.contains("4194304 bytes") && err.contains("limit"),
        "the error names the file and the limit: {}",
        show(&out)
    );
}

/// A regular file over the limit is refused with its true size, and a file at
/// the limit is read whole (the cap is limit + 1, not limit).
#[test]
fn a_file_over_the_limit_is_refused_with_its_size() {
    let limit = socklab::script::limits::MAX_SCRIPT_BYTES;
    let over = temp_file("over.sock", &vec![b'\n'; limit + 10]);
    let out = Command::new(BIN).arg("check").arg(&over).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains(&format!("{} bytes", limit + 10)), "{}", show(&out));

    let mut at = GOOD.as_bytes().to_vec();
    at.resize(limit, b'\n');
    let at = temp_file("at.sock", &at);
    let out = Command::new(BIN).arg("check").arg(&at).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let _ = std::fs::remove_file(over);
    let _ = std::fs::remove_file(at);
}

/// `diff` reads its files the same bounded way (it had its own unbounded read).
#[test]
fn diff_reads_at_most_the_script_limit_too() {
    let out = Command::new("sh")
        .args(["-c", "ulimit -v 1048576 && exec \"$0\" diff /dev/zero", BIN])
        .output()
        .expect("run socklab under sh");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("4194304 bytes"), "{}", show(&out));
}

/// A report that cannot be written is an error: non-zero exit, a message on stderr.
#[test]
fn a_report_that_cannot_be_written_is_an_error() {
    let good = temp_file("good.sock", GOOD.as_bytes());
    let good = good.to_str().expect("a UTF-8 temporary path");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let dir = dir.to_str().expect("a UTF-8 path");
    for args in [
        vec!["check", good],
        vec!["check", "--quiet", good, good],
        vec!["run", good],
        vec!["run", "--format", "json", good],
        vec!["scenarios", dir],
        vec!["--help"],
        vec!["bench", "tcp_echo", "--runs", "1", "--scale", "1000"],
    ] {
        let out = to_dev_full(&args);
        assert!(!out.status.success(), "socklab {args:?} > /dev/full: {}", show(&out));
        assert!(text(&out.stderr).contains("cannot write"), "socklab {args:?} > /dev/full: {}", show(&out));
    }
}

/// A reader that stops early (`socklab scenarios | head -1`) is not an error:
/// the tool stops quietly, as before.
#[test]
fn a_closed_pipe_stops_the_output_quietly() {
    let mut child = Command::new(BIN)
        .args(["scenarios", concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run socklab");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("socklab ends");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(text(&out.stderr), "", "{}", show(&out));
}

/// Whether `bytes` hold nothing a terminal obeys: no control character but the
/// newline that ends a line (no ESC, CR, BEL, NUL, DEL, C1), no bidi override.
fn printable(bytes: &[u8]) -> bool {
    !text(bytes).chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// A script's bytes that are not UTF-8 are refused at FILE:LINE:COL of the first
/// bad one (the column in characters), not as an unreadable file.
#[test]
fn a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
    let bad = temp_file("latin1.sock", b"host server 10.0.0.1\n# h\xc3\xa9\nhost cl\xe9ient 10.0.0.2\n");
    for command in ["check", "run"] {
        let out = Command::new(BIN).arg(command).arg(&bad).output().expect("run socklab");
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        assert_eq!(
            text(&out.stderr),
            format!("{}:3:8: invalid UTF-8: '\\xe9' is not a character (a script is UTF-8 text)\n", bad.display()),
            "{}",
            show(&out)
        );
    }
    let _ = std::fs::remove_file(bad);
}

/// A UTF-8 byte-order mark (as some editors write one) is not part of the script.
#[test]
fn a_byte_order_mark_is_not_part_of_the_script() {
    let with_bom = temp_file("bom.sock", &[b"\xef\xbb\xbf".as_slice(), GOOD.as_bytes()].concat());
    for command in ["check", "run"] {
        let out = Command::new(BIN).arg(command).arg(&with_bom).output().expect("run socklab");
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    }
    let _ = std::fs::remove_file(with_bom);
}

/// Nothing a script holds reaches the terminal raw: its title, a string, a
/// stray control character, the file's own name; all come out escaped.
#[test]
fn script_text_reaches_the_terminal_escaped() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-escapes", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let hostile = format!(
        "title.en: \x1b[2J\x1b]0;owned\x07 \u{202e}exe.txt\ntitle.ko: \u{9b}31m빨강\r\n{GOOD}\
         client: u = socket(udp)\nclient: sendto(u, \"\x1b[31m\", 10.0.0.1:53) = 9\n"
    );
    let script = dir.join("lesson\x1b[31m.sock");
    std::fs::write(&script, hostile).expect("write a script");
    let name = script.to_str().expect("a UTF-8 path");
    let dir_name = dir.to_str().expect("a UTF-8 path");
    for args in
        [vec!["check", name], vec!["run", name], vec!["run", "--format", "json", name], vec!["scenarios", dir_name]]
    {
        let out = Command::new(BIN).args(&args).output().expect("run socklab");
        assert!(printable(&out.stdout) && printable(&out.stderr), "socklab {args:?}: {:?}", show(&out));
        assert!(!out.stdout.is_empty(), "socklab {args:?}: {}", show(&out));
    }
    let out = Command::new(BIN).args(["run", name]).output().expect("run socklab");
    assert!(text(&out.stdout).starts_with("# \\x1b[2J\\x1b]0;owned\\x07 \\u{202e}exe.txt\n"), "{}", show(&out));
    assert!(text(&out.stderr).contains("lesson\\x1b[31m.sock:9: expected sendto(u, \"\\x1b[31m\""), "{}", show(&out));
    let out = Command::new(BIN).args(["run", "--format", "json", name]).output().expect("run socklab");
    let head: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
    assert_eq!(head["meta"]["title_ko"], "\u{9b}31m빨강", "JSON escapes read back as the text: {}", show(&out));

    // A stray control character in a statement: the parse error shows it escaped.
    std::fs::write(&script, "host a 10.0.0.1\x1b[2J\u{202e}\n").expect("write a script");
    let out = Command::new(BIN).args(["check", name]).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(printable(&out.stderr), "{:?}", show(&out));
    assert!(text(&out.stderr).ends_with(":1:16: expected a word, number, string or punctuation, found '\\x1b'\n"));
    let _ = std::fs::remove_dir_all(dir);
}

/// What a script writes does not make what the CLI prints grow with it: a long
/// word in an error, a long host name in the timeline, each shown shortened.
#[test]
fn script_text_reaches_the_terminal_bounded() {
    let long = "w".repeat(100_000);
    let word = temp_file("word.sock", format!("host server 10.0.0.1\n{long}\n").as_bytes());
    let out = Command::new(BIN).arg("check").arg(&word).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(out.stderr.len() < 1000, "{:.2000}", show(&out));
    assert!(text(&out.stderr).contains(&format!("found '{}…'", &long[..40])), "{:.2000}", show(&out));

    // A host's name in the timeline, padding every line to its width: names are
    // declared at most 40 characters long.
    let host = temp_file(
        "host.sock",
        format!("host {long} 10.0.0.1\nhost b 10.0.0.2\nlink {long} b latency 1ms\n{long}: s = socket(udp) = 9\n")
            .as_bytes(),
    );
    let out = Command::new(BIN).args(["run"]).arg(&host).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(2), "{:.2000}", show(&out));
    assert!(out.stdout.len() + out.stderr.len() < 1000, "{:.2000}", show(&out));
    assert!(text(&out.stderr).ends_with(":1:6: a host name of 100000 characters is over the limit of 40 characters\n"));
    let _ = std::fs::remove_file(word);
    let _ = std::fs::remove_file(host);
}

/// `export --to LANG FILE` prints the program on stdout; `--runnable` says why
/// a lesson real sockets cannot show is left out (exit 3); a script that cannot
/// be exported is an error at its line (exit 2).
#[test]
fn export_prints_the_program_or_says_why_not() {
    let good = temp_file("export.sock", GOOD.as_bytes());
    let out = Command::new(BIN).args(["export", "--to", "python"]).arg(&good).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let program = text(&out.stdout);
    let stem = good.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    assert!(program.starts_with(&format!("#!/usr/bin/env python3\n# {stem}.sock\n")), "{}", show(&out));
    assert!(program.contains("lambda: l.listen(5), want=0)"), "{}", show(&out));
    let out = Command::new(BIN).args(["export", "--to", "c", "--runnable"]).arg(&good).output().expect("run socklab");
    assert!(out.status.success() && text(&out.stdout).contains("CALL(5, 0, listen(l, 5));"), "{}", show(&out));

    let lossy = temp_file("lossy.sock", b"host a 10.0.0.1\nhost b 10.0.0.2\nlink a b loss 50%\n");
    let out = Command::new(BIN).args(["export", "--to", "rust", "--runnable"]).arg(&lossy).output().expect("run");
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    assert!(
        out.stdout.is_empty() && text(&out.stderr).contains("line 3: the script makes a link lose"),
        "{}",
        show(&out)
    );

    let numbered = temp_file("numbered.sock", b"host a 10.0.0.1\na: s = socket(udp)\na: close(3)\n");
    let out = Command::new(BIN).args(["export", "--to", "python"]).arg(&numbered).output().expect("run socklab");
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("cannot export: line 3: descriptor 3 is a number"), "{}", show(&out));
}
