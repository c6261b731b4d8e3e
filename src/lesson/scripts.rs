//! The lesson library: every `scenarios/*.sock` file, built into the page, and the
//! bridge from a script run to the page's model (a world and the commands that
//! reproduce the run). Plain Rust, no web.

use std::sync::Arc;

use crate::lesson::edit::Edit;
use crate::lesson::timeline::Cmd;
use crate::net::{CallId, LinkId, PacketId, TraceKind, World};
use crate::script::{self, Change, Intervention, IssuedKind, LineDetail, RunOptions, RunReport, Runner, ScriptError};

/// (id, text) of each lesson script: the two tours first, then in file-name order.
pub const SCRIPTS: &[(&str, &str)] = &[
    ("tour", include_str!("../../scenarios/tour.sock")),
    ("udp_ten", include_str!("../../scenarios/udp_ten.sock")),
    ("accept_new_socket", include_str!("../../scenarios/accept_new_socket.sock")),
    ("backlog_overflow", include_str!("../../scenarios/backlog_overflow.sock")),
    ("connection_refused", include_str!("../../scenarios/connection_refused.sock")),
    ("corrupt_checksum", include_str!("../../scenarios/corrupt_checksum.sock")),
    ("delayed_ack", include_str!("../../scenarios/delayed_ack.sock")),
    ("fast_retransmit", include_str!("../../scenarios/fast_retransmit.sock")),
    ("four_way_close", include_str!("../../scenarios/four_way_close.sock")),
    ("half_close", include_str!("../../scenarios/half_close.sock")),
    ("handshake", include_str!("../../scenarios/handshake.sock")),
    ("http_vs_persistent", include_str!("../../scenarios/http_vs_persistent.sock")),
    ("loss_retransmission", include_str!("../../scenarios/loss_retransmission.sock")),
    ("partition_timeout", include_str!("../../scenarios/partition_timeout.sock")),
    ("rst_on_close_unread", include_str!("../../scenarios/rst_on_close_unread.sock")),
    ("server_client_path", include_str!("../../scenarios/server_client_path.sock")),
    ("simultaneous_open", include_str!("../../scenarios/simultaneous_open.sock")),
    ("slow_start", include_str!("../../scenarios/slow_start.sock")),
    ("socket_address", include_str!("../../scenarios/socket_address.sock")),
    ("spurious_timeout", include_str!("../../scenarios/spurious_timeout.sock")),
    ("tcp_reordering", include_str!("../../scenarios/tcp_reordering.sock")),
    ("syn_timeout", include_str!("../../scenarios/syn_timeout.sock")),
    ("tail_loss_probe", include_str!("../../scenarios/tail_loss_probe.sock")),
    ("udp_boundaries", include_str!("../../scenarios/udp_boundaries.sock")),
    ("udp_connected_unreachable", include_str!("../../scenarios/udp_connected_unreachable.sock")),
    ("udp_loss", include_str!("../../scenarios/udp_loss.sock")),
    ("udp_reorder_dup", include_str!("../../scenarios/udp_reorder_dup.sock")),
    ("udp_size_limit", include_str!("../../scenarios/udp_size_limit.sock")),
    ("udp_fragment_loss", include_str!("../../scenarios/udp_fragment_loss.sock")),
    ("zero_window", include_str!("../../scenarios/zero_window.sock")),
    ("tcp_vs_udp", include_str!("../../scenarios/tcp_vs_udp.sock")),
    ("http_requests", include_str!("../../scenarios/http_requests.sock")),
];

/// The right-hand script of a lesson told side by side.
pub struct CompanionScript {
    /// The lesson it belongs to (its script runs on the left).
    pub lesson: &'static str,
    pub id: &'static str,
    pub text: &'static str,
    /// The two sides' names, (English, Korean): the lesson's, then this one's.
    pub sides: [(&'static str, &'static str); 2],
}

/// Lessons told side by side: the lesson's script runs on the left, its
/// companion's on the right, compared as a branch is.
pub const COMPANIONS: &[CompanionScript] = &[
    CompanionScript {
        lesson: "tcp_vs_udp",
        id: "tcp_vs_udp_udp",
        text: include_str!("../../scenarios/tcp_vs_udp_udp.sock"),
        sides: [("TCP", "TCP"), ("UDP", "UDP")],
    },
    CompanionScript {
        lesson: "tail_loss_probe",
        id: "tail_loss_probe_rto",
        text: include_str!("../../scenarios/tail_loss_probe_rto.sock"),
        sides: [("Tail loss probe (Linux)", "꼬리 손실 탐색 (리눅스)"), ("RTO only", "RTO만")],
    },
    CompanionScript {
        lesson: "http_requests",
        id: "persistent_push",
        text: include_str!("../../scenarios/persistent_push.sock"),
        sides: [
            ("A connection per request", "요청마다 새 연결"),
            ("One connection kept open", "계속 열어 둔 연결 하나"),
        ],
    },
];

/// The text of the lesson script `id`.
pub fn script_text(id: &str) -> Option<&'static str> {
    SCRIPTS.iter().find(|(n, _)| *n == id).map(|(_, t)| *t)
}

/// A script run, ready for the page: the world after its set-up lines, the
/// commands that replay the rest (the learner's edits the run reached among
/// them, where they happened), and the runner's report (lines and outcomes).
pub struct Prepared {
    pub world: World,
    pub commands: Vec<Cmd>,
    pub report: RunReport,
    /// Trace events the set-up lines made (link settings); the page's trace starts after them.
    pub setup_len: usize,
    /// The learner's edits anchored after the end of the run, for the page to
    /// apply as it runs the world on.
    pub later_edits: Vec<Edit>,
}

/// Events one script run may take in the page. The run goes on in slices between
/// frames ([`ScriptRun::run_for`]), so this bounds how long a hostile or runaway
/// sandbox script keeps the page busy (the command-line tool allows 5,000,000);
/// the page shows at most `MAX_TICKS` steps of it anyway.
pub const PAGE_MAX_EVENTS: u64 = 200_000;

/// The page's budget for a run's record (trace, packets, payloads), a quarter
/// of the command-line tool's: the page also keeps snapshots and diagrams of
/// it, and a tab should stay well under a few hundred MiB however hostile the
/// sandbox script.
pub const PAGE_MAX_RECORD_BYTES: u64 = 64 << 20;

/// How long the page lets a blocked call wait, in simulated µs (20 minutes).
pub const PAGE_PENDING_BOUND_US: u64 = 20 * 60 * 1_000_000;

/// A script run the page does a slice at a time, so that a long lesson does not
/// freeze it; [`ScriptRun::finish`] makes it the page's model.
pub struct ScriptRun {
    runner: Runner<'static>,
    statements: usize,
    /// The world after the leading set-up lines, where the page's timeline starts.
    world: World,
    setup_len: usize,
    edits: Vec<Edit>,
}

/// The learner's edit as a change to the run, anchored after the events the
/// page showed before it (and the set-up lines' events).
fn intervention(edit: &Edit, setup_len: usize) -> Intervention {
    let change = match *edit {
        Edit::Drop { packet, .. } => Change::DropPacket(PacketId(packet)),
        Edit::Delay { packet, by, .. } => Change::DelayPacket { packet: PacketId(packet), by },
        Edit::Duplicate { packet, .. } => Change::DuplicatePacket(PacketId(packet)),
        Edit::Link { link, settings, .. } => Change::Link { link: LinkId(link), settings },
        Edit::Cut { link, cut, .. } => Change::Cut { link: LinkId(link), cut },
    };
    Intervention { after_events: setup_len.saturating_add(edit.at()), change }
}

/// Parses `text` and runs its set-up lines, with `seed` (the script's own `seed`
/// line when `None`) and the learner's `edits`; the rest runs in
/// [`ScriptRun::run_for`] slices.
pub fn start(text: &str, seed: Option<u64>, edits: &[Edit]) -> Result<ScriptRun, ScriptError> {
    let parsed = Arc::new(script::parse(text)?);
    let opts = RunOptions {
        seed,
        max_events: PAGE_MAX_EVENTS,
        max_record_bytes: PAGE_MAX_RECORD_BYTES,
        // A learner's change may break an expectation: the run goes on, so
        // every later line shows what happened in the changed run.
        keep_going: true,
        // A blocked call may take as long as Linux takes to give up on a dead
        // path (data retransmissions: about 15 minutes with tcp_retries2 15),
        // so a cut link shows its ETIMEDOUT rather than the runner's bound.
        pending_bound_us: PAGE_PENDING_BOUND_US,
        ..RunOptions::default()
    };
    let statements = parsed.statements.len();
    let mut runner = Runner::shared(parsed, opts);
    // The world after the leading set-up lines (hosts, links, TCP settings).
    while runner.next_statement().is_some_and(|s| s.kind.is_setup()) {
        runner.step();
    }
    let setup_len = runner.trace().len();
    let mut world = runner.world().snapshot();
    world.discard_trace();
    let mut edits = edits.to_vec();
    edits.sort_by_key(Edit::at); // stable: same-place edits keep their order
    runner.set_interventions(edits.iter().map(|e| intervention(e, setup_len)).collect());
    Ok(ScriptRun { runner, statements, world, setup_len, edits })
}

/// Parses and runs `text` with `seed` (the script's own `seed` line when `None`), at once.
pub fn prepare(text: &str, seed: Option<u64>) -> Result<Prepared, ScriptError> {
    Ok(start(text, seed, &[])?.finish())
}

impl ScriptRun {
    /// Goes on for at most `units` of work (a world event or a statement each);
    /// true once the run is complete.
    pub fn run_for(&mut self, units: u64) -> bool {
        self.runner.run_for(units)
    }

    /// The share of the script's statements started, 0.0 to 1.0.
    pub fn fraction(&self) -> f64 {
        if self.statements == 0 {
            return 1.0;
        }
        self.runner.statements_started() as f64 / self.statements as f64
    }

    /// Trace events made so far.
    pub fn events(&self) -> usize {
        self.runner.trace().len()
    }

    /// The rest of the run, done now, as the page's model.
    pub fn finish(self) -> Prepared {
        let ScriptRun { runner, world, setup_len, edits, .. } = self;
        commands_of(runner.finish(), world, setup_len, edits)
    }
}

/// The commands that replay `report` from the world after its set-up lines:
/// those the runner gave the world after them, each where it gave it, the
/// learner's `edits` the run reached among them.
fn commands_of(report: RunReport, world: World, setup_len: usize, edits: Vec<Edit>) -> Prepared {
    let mut commands = Vec::new();
    for issued in report.commands.iter().filter(|c| c.at >= setup_len) {
        let cmd = match &issued.what {
            IssuedKind::Command { command } => Cmd::Do(command.clone()),
            IssuedKind::Intervention { index } => match edits.get(*index) {
                Some(edit) => Cmd::Edit(edit.clone()),
                None => continue,
            },
        };
        commands.push(Cmd::CatchUp { len: issued.at - setup_len, time: issued.time });
        commands.push(cmd);
    }
    let later_edits = edits.into_iter().skip(report.intervened.len()).collect();
    Prepared { world, commands, report, setup_len, later_edits }
}

/// Where a script line's call happened in the run's trace: the indices of
/// its `Call` and `Return` events (runner trace indices), so the page shows a
/// call as issued, blocked or returned by the step it is at, never ahead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallAt {
    pub call: Option<usize>,
    pub returned: Option<usize>,
}

/// [`CallAt`] for every line of `report` (default for lines that are not calls).
pub fn call_events(report: &RunReport) -> Vec<CallAt> {
    let mut by_call: std::collections::HashMap<CallId, CallAt> = std::collections::HashMap::new();
    for (i, e) in report.trace.iter().enumerate() {
        match &e.kind {
            TraceKind::Call { call, .. } => by_call.entry(*call).or_default().call = Some(i),
            TraceKind::Return { call, .. } => by_call.entry(*call).or_default().returned = Some(i),
            _ => {}
        }
    }
    report
        .lines
        .iter()
        .map(|l| match &l.detail {
            LineDetail::Call(rec) => rec.call_id.and_then(|id| by_call.get(&id).copied()).unwrap_or_default(),
            _ => CallAt::default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_parses_and_has_both_languages() {
        assert!(SCRIPTS.len() >= 20, "{} lessons", SCRIPTS.len());
        for (id, text) in SCRIPTS {
            let parsed = script::parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(parsed.meta.title_en.is_some() && parsed.meta.title_ko.is_some(), "{id}: titles");
        }
    }

    #[test]
    fn every_lesson_is_named_as_its_file_and_the_command_line_name_it() {
        // The UDP tour was `udp-ten` on the page, `udp_ten` in `socklab
        // scenarios`, and `#lesson=udp_ten` opened the TCP tour instead.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        for (id, text) in SCRIPTS {
            let file = std::fs::read_to_string(format!("{dir}/{id}.sock")).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&file, text, "{id}");
        }
    }

    /// Each packet sent, with its time, as the trace says.
    fn sent(trace: &[crate::net::TraceEvent]) -> Vec<(u64, String)> {
        trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { packet, .. } => Some((e.time, packet.summary())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_handshake_script_replays_as_the_runner_ran_it() {
        let p = prepare(script_text("handshake").unwrap(), None).unwrap();
        let t = crate::lesson::timeline::Timeline::run(p.world, p.commands, &[]);
        assert_eq!(sent(&t.trace), sent(&p.report.trace));
    }

    #[test]
    fn every_lesson_replays_its_packets_as_the_runner_ran_them() {
        let mut differ = Vec::new();
        for (id, text) in SCRIPTS {
            let p = prepare(text, None).unwrap();
            assert!(p.report.passed(), "{id}: {:?}", p.report.failures);
            let t = crate::lesson::timeline::Timeline::run(p.world, p.commands, &[]);
            let theirs = &p.report.trace[p.setup_len..];
            let (a, b) = (sent(&t.trace), sent(theirs));
            // The runner may stop at its last line; the page runs on until idle.
            // The page stops at its own step limit; the runner at its time bound.
            let n = theirs.len().min(t.trace.len());
            let whole = t.trace[..n] == theirs[..n] && (n == theirs.len() || t.warning.is_some());
            let b = &b[..b.len().min(a.len())];
            if a.get(..b.len()) != Some(b) || !whole {
                let k = (0..n).find(|&i| t.trace[i] != theirs[i]);
                differ.push(format!(
                    "{id}: {} vs {} events, first difference at {k:?}: {:?} vs {:?}; warning {:?}",
                    t.trace.len(),
                    theirs.len(),
                    k.map(|k| &t.trace[k]),
                    k.map(|k| &theirs[k]),
                    t.warning
                ));
            }
        }
        assert!(differ.is_empty(), "replays differ: {differ:?}");
    }

    #[test]
    fn a_lesson_run_in_slices_is_prepared_as_one_run_at_once() {
        let text = script_text("slow_start").unwrap();
        let whole = prepare(text, None).unwrap();
        let mut run = start(text, None, &[]).unwrap();
        let mut slices = 0;
        while !run.run_for(37) {
            slices += 1;
            assert!(run.fraction() <= 1.0);
        }
        assert!(slices > 10, "{slices} slices");
        let sliced = run.finish();
        assert_eq!((sliced.report, sliced.setup_len), (whole.report, whole.setup_len));
        assert!(sliced.commands == whole.commands, "the commands differ");
    }

    #[test]
    fn a_broken_script_reports_its_line() {
        let e = prepare("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms\na: x = sockit(tcp)\n", None)
            .err()
            .expect("an error");
        assert_eq!(e.line, 4);
    }
}
