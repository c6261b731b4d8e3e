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
    use socklab::script::{Change, Intervention, StmtKind};
    let opts = RunOptions { keep_going: true, ..RunOptions::default() };
    let is_setup = |k: &StmtKind| {
        matches!(k, StmtKind::Seed { .. } | StmtKind::Host { .. } | StmtKind::Link { .. } | StmtKind::Tcp { .. })
    };
    let first_packet = || {
        let clean = script::run(parsed, &opts);
        clean.trace.iter().find_map(|e| match &e.kind {
            TraceKind::Sent { packet, .. } => Some(packet.id),
            _ => None,
        })
    };
    let mut runner = script::Runner::new(parsed, opts.clone());
    while runner.next_statement().is_some_and(|s| is_setup(&s.kind)) {
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
