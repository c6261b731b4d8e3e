//! The `socklab` binary as a user runs it, on the simulator only (real sockets are
//! tests/native.rs's, inside a loopback-only namespace): what it reads, what it
//! writes, and what its exit status says when either goes wrong.
#![cfg(feature = "native")]

use std::path::PathBuf;
use std::process::{Command, Output};

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
