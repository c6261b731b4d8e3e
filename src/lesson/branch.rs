//! What-if branches: at any step the learner branches the lesson, changes that
//! one run (drops, delays or duplicates the segment in flight, changes or cuts a
//! link, types a console line) and compares it with the original, side by side.
//!
//! A branch is a session of its own ([`AppState`], without branches): the same
//! lesson with the original's edits at the time and its own after them, run by
//! the same loading in slices. The original stays as it is. One branch at a
//! time is compared; stepping then moves both runs by one cursor in simulated
//! time ([`joint_steps`]).

use std::rc::Rc;

use crate::lesson::session::AppState;
use crate::lesson::timeline::Timeline;
use crate::net::TraceEvent;
use crate::view::compare::{compare, on_shared_axis, Comparison, Side};
use crate::view::related::Linked;
use crate::view::sequence::SeqLayout;

/// One what-if branch.
#[derive(Clone)]
pub struct Branch {
    /// The original's position where the learner branched.
    pub from: usize,
    /// Console lines typed in the branch, in order: (the script line each
    /// became, its text). The branch's lesson is the original's script with
    /// them put in.
    pub lines: Vec<(usize, String)>,
    /// The branch's own run: its lesson, edits, timeline, views and position.
    pub run: Rc<AppState>,
    /// The right-hand run of a lesson told side by side (another script, the
    /// lesson's companion), not a what-if of the learner's: the lesson brings
    /// it, so the shared link leaves it out.
    pub companion: bool,
}

/// The positions (original, branch) one cursor in simulated time goes through:
/// from the start, each step takes the tick that happens first, on either side,
/// and both when they happen at the same time (before the branch point the two
/// runs are the same, tick for tick, so they step together).
pub fn joint_steps(a: &Timeline, b: &Timeline) -> Vec<(usize, usize)> {
    let (mut i, mut j) = (0, 0);
    let mut out = vec![(0, 0)];
    loop {
        let (ta, tb) = (a.ticks.get(i).map(|t| t.time), b.ticks.get(j).map(|t| t.time));
        match (ta, tb) {
            (None, None) => break,
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        out.push((i, j));
    }
    out
}

/// The original and a branch compared: read off their two timelines once, when
/// either is installed.
pub struct Compared {
    /// The two timelines this was made from (compared by identity).
    pub original: Rc<Timeline>,
    pub branch: Rc<Timeline>,
    pub steps: Vec<(usize, usize)>,
    pub comparison: Comparison,
    /// The two sequence diagrams on one time axis.
    pub original_layout: Rc<SeqLayout>,
    pub branch_layout: Rc<SeqLayout>,
    /// What each diagram marks as differing.
    pub original_marks: Rc<Linked>,
    pub branch_marks: Rc<Linked>,
}

/// A run as the comparison reads it.
fn side<'a>(s: &'a AppState, hosts: &'a [String]) -> Side<'a> {
    Side { trace: &s.timeline.trace, packets: &s.views.packets, report: s.report.as_deref(), hosts }
}

impl Compared {
    pub fn of(original: &AppState, branch: &AppState) -> Compared {
        let hosts = |s: &AppState| -> Vec<String> { s.world.hosts().map(|(_, h)| h.name.clone()).collect() };
        let (ha, hb) = (hosts(original), hosts(branch));
        let comparison = compare(side(original, &ha), side(branch, &hb));
        let (la, lb) = on_shared_axis(
            &original.views.sequence,
            &original.timeline.trace,
            &branch.views.sequence,
            &branch.timeline.trace,
        );
        let original_marks = Rc::new(Linked {
            events: comparison.original_events.clone(),
            packets: comparison.original_packets.clone(),
        });
        let branch_marks =
            Rc::new(Linked { events: comparison.branch_events.clone(), packets: comparison.branch_packets.clone() });
        Compared {
            original_marks,
            branch_marks,
            original: original.timeline.clone(),
            branch: branch.timeline.clone(),
            steps: joint_steps(&original.timeline, &branch.timeline),
            comparison,
            original_layout: Rc::new(la),
            branch_layout: Rc::new(lb),
        }
    }

    /// Whether this was made from these two timelines.
    pub fn is_of(&self, original: &Rc<Timeline>, branch: &Rc<Timeline>) -> bool {
        Rc::ptr_eq(&self.original, original) && Rc::ptr_eq(&self.branch, branch)
    }

    /// The joint step at (original `a`, branch `b`), else the first that has
    /// the original at `a` or later.
    pub fn step_of(&self, a: usize, b: usize) -> usize {
        self.steps
            .iter()
            .position(|&s| s == (a, b))
            .or_else(|| self.steps.iter().position(|&(x, _)| x >= a))
            .unwrap_or(self.steps.len().saturating_sub(1))
    }

    /// The first joint step that has the branch at `b`.
    pub fn step_of_branch(&self, b: usize) -> usize {
        self.steps.iter().position(|&(_, y)| y >= b).unwrap_or(self.steps.len().saturating_sub(1))
    }
}

/// The page's JSON download: the run's trace, as it always was; with
/// branches, an object of the trace and each branch (where it was made, its
/// changes and console lines as the shared link writes them, and its trace).
pub fn export_json(state: &AppState) -> String {
    let json = if state.branches.is_empty() {
        serde_json::to_string_pretty(&state.timeline.trace)
    } else {
        let shared = state.shared();
        let branches = state
            .branches
            .iter()
            .zip(&shared.branches)
            .map(|(b, sb)| BranchExport {
                from: b.from,
                lesson: &b.run.lesson.id,
                link: crate::lesson::share::encode(&crate::lesson::share::Shared {
                    branches: vec![sb.clone()],
                    compare: None,
                    ..shared.clone()
                }),
                trace: &b.run.timeline.trace,
            })
            .collect();
        serde_json::to_string_pretty(&Export { branches, lesson: &state.lesson.id, trace: &state.timeline.trace })
    };
    json.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

// The download's shapes, written straight to the text: each trace as the
// download without branches writes it. (They went through `serde_json::Value`,
// which sorted every object's keys and put a second copy of each trace type's
// serialiser into the page's .wasm.) The keys here keep that sorted order.
#[derive(serde::Serialize)]
struct Export<'a> {
    branches: Vec<BranchExport<'a>>,
    lesson: &'a str,
    trace: &'a [TraceEvent],
}

#[derive(serde::Serialize)]
struct BranchExport<'a> {
    from: usize,
    lesson: &'a str,
    link: String,
    trace: &'a [TraceEvent],
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::lang::Bilingual;
    use crate::lang::Lang;
    use crate::lesson::session::Action;
    use crate::lesson::share;
    use crate::net::trace::SendReason;
    use crate::net::TraceKind;
    use crate::view::compare::{Difference, Which, Word};

    fn act(s: Rc<AppState>, action: Action) -> Rc<AppState> {
        let now = Cell::new(0.0);
        s.reduce(action, &|| {
            now.set(now.get() + 1.0);
            now.get()
        })
    }

    /// The tour stepped to where its first data segment is on its way, and that segment.
    fn at_first_data() -> (Rc<AppState>, u64) {
        let mut s = act(Rc::new(AppState::new(Lang::En)), Action::SelectLesson("tour".into()));
        loop {
            let data = s.world.in_flight().iter().find_map(|(p, _, _)| {
                let sent = s.views.packets.iter().find(|i| i.id == p.id.0)?;
                (sent.reason == SendReason::Data).then_some(p.id.0)
            });
            if let Some(id) = data {
                return (s, id);
            }
            assert!(!s.at_end(), "the tour sends data");
            s = act(s, Action::Forward);
        }
    }

    fn retransmissions(s: &AppState) -> usize {
        s.timeline
            .trace
            .iter()
            .filter(|e| matches!(e.kind, TraceKind::Sent { reason, .. } if reason.is_data_retransmission()))
            .count()
    }

    #[test]
    fn a_branch_that_drops_the_first_data_segment_has_its_retransmission_only_on_its_side() {
        let (s, data) = at_first_data();
        let original = s.timeline.clone();
        let s = act(s, Action::NewBranch);
        assert_eq!((s.branches.len(), s.compared), (1, Some(0)));
        let s = act(s, Action::DropPacket(data));
        // The original is as it was; the branch has the drop and the retransmission.
        assert!(Rc::ptr_eq(&s.timeline, &original) && s.edits.is_empty());
        let branch = &s.branches[0].run;
        assert_eq!(branch.edits.len(), 1);
        assert_eq!((retransmissions(&s), retransmissions(branch)), (0, 1));
        let c = s.compare.clone().expect("a comparison");
        let only = c.comparison.differences.iter().find_map(|d| match d {
            Difference::OnlyIn { side: Which::Branch, reason, packet, .. } if reason.is_data_retransmission() => {
                Some(*packet)
            }
            _ => None,
        });
        let retransmission = only.expect("the retransmission is only on the branch side");
        assert!(c.comparison.branch_packets.contains(&retransmission));
        // What the original alone sent: the server's ACK of the data it got at
        // once (quick-ACK mode at connection start).
        let original_only: Vec<SendReason> = c
            .comparison
            .differences
            .iter()
            .filter_map(|d| match d {
                Difference::OnlyIn { side: Which::Original, reason, .. } => Some(*reason),
                _ => None,
            })
            .collect();
        assert_eq!(original_only, [SendReason::QuickAck]);
        // The dropped segment itself: lost in the branch, delivered in the original.
        assert!(c
            .comparison
            .differences
            .iter()
            .any(|d| matches!(d, Difference::Fate { packet, .. } if *packet == data)));
        let en = c.comparison.sentences(Lang::En);
        let ko = c.comparison.sentences(Lang::Ko);
        let said =
            |lines: &[String], start: &str, end: &str| lines.iter().any(|l| l.starts_with(start) && l.ends_with(end));
        let en_start = format!("Only in the branch: packet #{retransmission}, a fast retransmission (PSH");
        assert!(said(&en, &en_start, "5 bytes seq=1) from client to server."), "{en:?}");
        let ko_start = format!("브랜치에만 있음: 패킷 #{retransmission}, client에서 server로 가는 빠른 재전송 (PSH");
        assert!(said(&ko, &ko_start, "5바이트 seq=1)."), "{ko:?}");
        // The branch's own packets come first in the list.
        assert!(matches!(c.comparison.differences[0], Difference::OnlyIn { side: Which::Branch, .. }));
        assert!(
            en.iter().any(|l| l.starts_with(&format!("Packet #{data} (PSH"))
                && l.contains("is lost in the branch, delivered in the original")),
            "{en:?}"
        );
        assert!(en.iter().any(|l| l.starts_with("The last packet arrives at") && l.ends_with("later).")), "{en:?}");
    }

    #[test]
    fn the_two_diagrams_share_one_time_axis() {
        let (s, data) = at_first_data();
        let s = act(act(s, Action::NewBranch), Action::DropPacket(data));
        let c = s.compare.clone().expect("a comparison");
        let marks = |l: &SeqLayout, trace: &[crate::net::TraceEvent]| -> Vec<(u64, i64)> {
            l.times.iter().map(|t| (trace[t.index].time, t.y.round() as i64)).collect()
        };
        let a = marks(&c.original_layout, &s.timeline.trace);
        let b = marks(&c.branch_layout, &s.branches[0].run.timeline.trace);
        let mut shared = 0;
        for (t, y) in &a {
            if let Some((_, y2)) = b.iter().find(|(t2, _)| t2 == t) {
                assert_eq!(y, y2, "the instant {t} µs sits at another height");
                shared += 1;
            }
        }
        assert!(shared >= 5, "{a:?} {b:?}");
        // Later is lower on both sides, and the branch's lone instants fit between.
        let mut all: Vec<(u64, i64)> = a.iter().chain(&b).copied().collect();
        all.sort_unstable();
        assert!(all.windows(2).all(|w| w[0].1 <= w[1].1), "{all:?}");
        assert_eq!(c.original_layout.height, c.branch_layout.height);
    }

    #[test]
    fn stepping_moves_both_runs_by_one_cursor_in_simulated_time() {
        let (s, data) = at_first_data();
        let s = act(act(s, Action::NewBranch), Action::DropPacket(data));
        let time = |s: &AppState, pos: usize| pos.checked_sub(1).map_or(0, |p| s.timeline.ticks[p].time);
        let mut s = act(s, Action::Start);
        assert_eq!((s.pos, s.branches[0].run.pos), (0, 0));
        let mut last = 0;
        while !s.at_end() {
            s = act(s, Action::Forward);
            let b = &s.branches[0].run;
            let (ta, tb) = (time(&s, s.pos), time(b, b.pos));
            // Neither side is ahead of the other's next tick: one cursor.
            let now = ta.max(tb);
            assert!(now >= last, "time went back");
            last = now;
            assert!(s.timeline.ticks.get(s.pos).is_none_or(|t| t.time >= now), "the original lags at {}", s.pos);
            assert!(b.timeline.ticks.get(b.pos).is_none_or(|t| t.time >= now), "the branch lags at {}", b.pos);
        }
        // The branch runs on past the original's end (its retransmission timer).
        assert!(s.pos == s.timeline.len() && s.branches[0].run.pos == s.branches[0].run.timeline.len());
        let back = act(s, Action::Back);
        assert!(!back.at_end());
    }

    #[test]
    fn branches_go_through_the_shared_link_and_come_back_the_same() {
        let (s, data) = at_first_data();
        let s = act(act(s, Action::NewBranch), Action::DelayPacket { packet: data, by: 2_000_000 });
        let s = act(s, Action::NewBranch);
        let s = act(s, Action::DuplicatePacket(data));
        let s = act(s, Action::CompareBranch(Some(0)));
        let fragment = s.fragment();
        assert!(fragment.contains("&branches=") && fragment.contains("&compare=0:"), "{fragment}");
        let r = act(Rc::new(AppState::new(Lang::Ko)), Action::Restore(share::decode(&fragment)));
        assert_eq!(r.branches.len(), 2);
        assert_eq!(r.compared, Some(0));
        for (a, b) in r.branches.iter().zip(&s.branches) {
            assert_eq!((a.from, &a.run.edits, &a.lines), (b.from, &b.run.edits, &b.lines));
            assert_eq!(a.run.timeline.trace, b.run.timeline.trace);
        }
        assert_eq!((r.pos, r.branches[0].run.pos), (s.pos, s.branches[0].run.pos));
        // The JSON download carries each branch and its trace.
        let json: serde_json::Value = serde_json::from_str(&export_json(&r)).expect("JSON");
        assert_eq!(json["branches"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            json["branches"][1]["trace"],
            serde_json::to_value(&r.branches[1].run.timeline.trace).expect("JSON")
        );
        assert!(json["branches"][0]["link"].as_str().is_some_and(|l| l.contains(":delay:")), "{json}");
        // Each trace in it is written as the download without branches writes one.
        let squeeze = |s: String| s.split_whitespace().collect::<String>();
        let plain = squeeze(serde_json::to_string(&r.branches[1].run.timeline.trace).expect("JSON"));
        assert!(squeeze(export_json(&r)).contains(&format!("\"trace\":{plain}")));
        // A branch can be left and deleted; the original never changed.
        let d = act(r, Action::DeleteBranch(0));
        assert_eq!((d.branches.len(), d.compared), (1, None));
        assert!(d.edits.is_empty());
        // Another lesson starts without them.
        let other = act(d, Action::SelectLesson("handshake".into()));
        assert!(other.branches.is_empty() && other.compare.is_none());
    }

    #[test]
    fn a_console_line_in_a_branch_changes_only_the_branch_and_is_shared() {
        let (s, _) = at_first_data();
        let s = act(s, Action::NewBranch);
        let s = act(s, Action::ConsoleCall { host: "client".into(), line: "shutdown(c, SHUT_WR)".into() });
        assert!(!s.lesson.is_sandbox() && s.branches[0].run.lesson.is_sandbox());
        assert_eq!(s.branches[0].lines.len(), 1);
        let r = act(Rc::new(AppState::new(Lang::En)), Action::Restore(share::decode(&s.fragment())));
        assert_eq!(r.branches[0].run.lesson.text(), s.branches[0].run.lesson.text());
        assert_eq!(r.branches[0].run.timeline.trace, s.branches[0].run.timeline.trace);
    }

    /// `id` selected and loaded, with its companion.
    fn loaded(id: &str) -> Rc<AppState> {
        let mut s = act(Rc::new(AppState::new(Lang::En)), Action::SelectLesson(id.into()));
        while s.pending_work().is_some() {
            s = act(s, Action::LoadMore);
        }
        s
    }

    #[test]
    fn tcp_and_udp_side_by_side_lose_the_same_two_messages_and_only_tcp_delivers_them_all() {
        let s = loaded("tcp_vs_udp");
        let udp = s.compared_branch().expect("the UDP side is compared from the start");
        assert!(udp.companion);
        assert_eq!(udp.run.lesson.id, "tcp_vs_udp_udp");
        let (tcp, udp) = &s.compare.as_ref().expect("compared").comparison.tallies;
        // The same two messages lost on each side. TCP sends them again: its
        // SACK blocks show the server holds the messages between the holes,
        // so each hole goes again on its own, and nothing else.
        assert_eq!((tcp.lost, tcp.retransmissions, tcp.handshakes), (2, 2, 1));
        assert_eq!((udp.lost, udp.retransmissions, udp.handshakes), (2, 0, 0));
        // TCP: all 51 bytes of the ten messages; UDP: eight whole datagrams, 41 bytes.
        assert_eq!((tcp.delivered, udp.delivered), (51, 41));
        // TCP pays more on the wire per byte delivered (handshake, ACKs, FIN-less here).
        assert!(tcp.overhead() > udp.overhead(), "{tcp:?} {udp:?}");
        assert!(tcp.packets > udp.packets);
    }

    #[test]
    fn tcp_beside_udp_marks_nothing_while_a_drop_in_a_branch_is_marked() {
        // TCP and UDP share no packet: every packet and state would carry a Δ.
        let s = loaded("tcp_vs_udp");
        let c = &s.compare.as_ref().expect("compared");
        assert!(!c.comparison.marked);
        assert!(c.original_marks.packets.is_empty() && c.branch_marks.packets.is_empty());
        assert!(c.original_marks.events.is_empty() && c.branch_marks.events.is_empty());
        assert!(!Word::CompareCaption { marked: false }.say(Lang::En).contains('Δ'));
        // The TLP lesson's two sides share the handshake: what differs is marked.
        let s = loaded("tail_loss_probe");
        let c = &s.compare.as_ref().expect("compared");
        assert!(c.comparison.marked && !c.branch_marks.packets.is_empty());
        // So is a learner's drop in a branch of the tour.
        let (s, data) = at_first_data();
        let s = act(act(s, Action::NewBranch), Action::DropPacket(data));
        let c = &s.compare.as_ref().expect("compared");
        assert!(c.comparison.marked && c.original_marks.packets.contains(&data));
    }

    /// tail_loss_probe: from its step 21 only the RTO side has events left
    /// before the TLP side's last, and "step 21 / 22" stood still for five
    /// presses of Step while the right-hand diagram went on.
    #[test]
    fn side_by_side_every_step_moves_the_joint_counter_though_one_side_stands_still() {
        let mut s = loaded("tail_loss_probe");
        let (mut step, last) = s.joint_step().expect("told side by side");
        assert_eq!(step, 0);
        let mut only_one_side_moved = 0;
        while !s.at_end() {
            let (pos, other) = (s.pos, s.compared_branch().expect("the RTO side").run.pos);
            s = act(s, Action::Forward);
            let moved = (s.pos != pos, s.compared_branch().expect("the RTO side").run.pos != other);
            only_one_side_moved += usize::from(moved.0 != moved.1);
            let (next, _) = s.joint_step().expect("still side by side");
            assert_eq!(next, step + 1, "every press of Step is counted");
            step = next;
        }
        assert_eq!(step, last);
        assert!(only_one_side_moved > 0, "some steps move one side only");
    }

    #[test]
    fn side_by_side_each_step_says_which_side_moved() {
        let mut s = loaded("tail_loss_probe");
        assert_eq!(s.joint_moved(), Some((false, false)), "nothing has moved at the start");
        let mut seen = std::collections::BTreeSet::new();
        while !s.at_end() {
            let (pos, other) = (s.pos, s.compared_branch().expect("the RTO side").run.pos);
            s = act(s, Action::Forward);
            let moved = (s.pos != pos, s.compared_branch().expect("the RTO side").run.pos != other);
            assert_eq!(s.joint_moved(), Some(moved));
            seen.insert(moved);
        }
        assert!(seen.contains(&(false, true)) && seen.contains(&(true, true)), "{seen:?}");
    }

    #[test]
    fn two_diagrams_on_one_time_axis_are_as_wide_as_each_other() {
        // Each is scaled to its box: UDP's narrower diagram was drawn larger,
        // its instants lower on the screen than the same instants beside it.
        let s = loaded("tcp_vs_udp");
        let c = &s.compare.as_ref().expect("compared");
        assert!(s.views.sequence.width != s.compared_branch().expect("UDP").run.views.sequence.width);
        assert_eq!(c.original_layout.width, c.branch_layout.width);
    }

    #[test]
    fn a_connection_per_request_costs_three_handshakes_where_one_kept_open_costs_one() {
        let s = loaded("http_requests");
        let (per_request, kept_open) = &s.compare.as_ref().expect("compared").comparison.tallies;
        assert_eq!((per_request.handshakes, kept_open.handshakes), (3, 1));
        assert!(per_request.packets > kept_open.packets, "{per_request:?} {kept_open:?}");
        assert!(per_request.overhead() > kept_open.overhead());
        // The same three requests and answers; the open connection also carried a push.
        assert_eq!((per_request.delivered, kept_open.delivered), (50, 69));
    }

    #[test]
    fn the_shared_link_leaves_the_companion_out_and_the_lesson_brings_it_back() {
        let s = loaded("tcp_vs_udp");
        // A learner's own branch of the TCP side, compared instead.
        let s = act(s, Action::NewBranch);
        assert_eq!((s.branches.len(), s.compared), (2, Some(1)));
        let shared = s.shared();
        assert_eq!(shared.branches.len(), 1, "only the learner's branch is in the link");
        assert_eq!(shared.compare.map(|(k, _)| k), Some(0));
        let r = act(Rc::new(AppState::new(Lang::En)), Action::Restore(share::decode(&s.fragment())));
        assert!(r.branches[0].companion && !r.branches[1].companion);
        assert_eq!(r.compared, Some(1));
        // A lesson told alone has no companion.
        assert!(loaded("handshake").branches.is_empty());
    }
}
