//! Every lesson in scenarios/ runs through the library runner and passes, with a
//! title and an explanation in both English and Korean.

use socklab::script::{self, RunOptions};
use std::path::PathBuf;

fn lessons() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
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
        "udp_connected_unreachable",
        "http_vs_persistent",
        "corrupt_checksum",
    ] {
        assert!(names.iter().any(|n| n == topic), "missing scenarios/{topic}.sock");
    }
}
