//! What the script pane shows at each step, plain Rust: where each line stands
//! (ahead, blocked in its call, done), the learner's change a changed outcome
//! follows from, and which window of a long script is drawn.

use crate::lang::{Bilingual, Lang};
use crate::lesson::edit::Edit;
use crate::lesson::scripts::CallAt;
use crate::net::syscall::render_result;
use crate::script::time::format_time;
use crate::script::{LineDetail, RunReport};
use crate::view::words::{tr, Text};

/// Where a line stands at the current step: nothing of it is shown before its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStage {
    /// Not reached yet.
    Ahead,
    /// Its call was issued and has not returned yet.
    Blocked,
    /// Done: its result or verdict is shown.
    Done,
}

/// The stage of line `i` when the report's first `end` trace events have
/// happened and the clock reads `now`.
pub fn line_stage(report: &RunReport, calls: &[CallAt], i: usize, end: usize, now: u64) -> LineStage {
    let Some(l) = report.lines.get(i) else { return LineStage::Ahead };
    // Once every event has happened the run is over, and its clock has reached
    // the end of its last wait: a closing `+20ms` in which nothing happens has
    // no event of its own to step to, yet the lines after it have their verdict.
    let now = if end >= report.trace.len() { now.max(report.end_time) } else { now };
    match calls.get(i).copied().unwrap_or_default() {
        CallAt { call: Some(c), .. } if c >= end => LineStage::Ahead,
        CallAt { returned: Some(r), .. } if r < end => LineStage::Done,
        CallAt { call: Some(_), .. } => LineStage::Blocked,
        // No call of its own (an expectation, a wait, a call that never went
        // out): done once its events have happened and its time has come.
        CallAt { call: None, .. } => {
            if l.trace_end <= end && l.time <= now && (l.trace_start < end || l.trace_start == l.trace_end) {
                LineStage::Done
            } else {
                LineStage::Ahead
            }
        }
    }
}

/// What line `i` shows beside its code at `stage`: a call's result, an
/// expectation's ✓ or ✗ with what was seen, or nothing yet.
pub fn line_outcome(report: &RunReport, i: usize, stage: LineStage, lang: Lang) -> String {
    let Some(l) = report.lines.get(i) else { return String::new() };
    match (stage, &l.detail) {
        (LineStage::Ahead, _) => String::new(),
        (LineStage::Blocked, _) => tr(lang, Text::LineBlocked).to_string(),
        (LineStage::Done, LineDetail::Call(c)) => match &c.result {
            Some(r) => format!("→ {}", render_result(r)),
            None => tr(lang, Text::LineBlocked).to_string(),
        },
        (LineStage::Done, LineDetail::Expect { got }) if !l.ok => format!("✗ {got}"),
        (LineStage::Done, LineDetail::Expect { .. }) => "✓".to_string(),
        (LineStage::Done, LineDetail::NotReached { blocked_line }) => match lang {
            // The run came to this line while its host still waited in that
            // one, which may return later: "still blocked" sat beside that
            // line's result.
            Lang::En => format!("not run: its host was still waiting in line {blocked_line} when the run came here"),
            Lang::Ko => format!("실행 안 됨: 이 줄에 왔을 때 호스트가 아직 {blocked_line}행에서 기다리는 중이었음"),
        },
        // A line that failed before it saw anything to show (a state asked of
        // a UDP socket or of a descriptor not open, a name not bound): its ✗
        // and why, as the notice says it; it was red with nothing beside it.
        (LineStage::Done, _) if !l.ok => report
            .failures
            .iter()
            .find(|f| f.line == l.line)
            .map(|f| format!("✗ {}", f.parts.got.say(lang)))
            .unwrap_or_else(|| "✗".to_string()),
        _ => String::new(),
    }
}

/// The learner's change that came last before a line's end, if any: what the
/// line's changed outcome follows from.
pub fn change_before(report: &RunReport, edits: &[Edit], line_end: usize) -> Option<(Edit, u64)> {
    report
        .intervened
        .iter()
        .rfind(|d| d.applied && d.at <= line_end)
        .and_then(|d| edits.get(d.index).map(|e| (e.clone(), d.time)))
}

/// A learner's change in words.
pub fn describe_edit(edit: &Edit, lang: Lang) -> String {
    match (edit, lang) {
        (Edit::Cut { link, cut: true, .. }, Lang::En) => format!("link #{link} cut"),
        (Edit::Cut { link, cut: true, .. }, Lang::Ko) => format!("링크 #{link} 끊음"),
        (Edit::Cut { link, cut: false, .. }, Lang::En) => format!("link #{link} repaired"),
        (Edit::Cut { link, cut: false, .. }, Lang::Ko) => format!("링크 #{link} 복구"),
        (Edit::Drop { packet, .. }, Lang::En) => format!("packet #{packet} dropped"),
        (Edit::Drop { packet, .. }, Lang::Ko) => format!("패킷 #{packet} 버림"),
        (Edit::Delay { packet, by, .. }, Lang::En) => format!("packet #{packet} delayed by {}", format_time(*by)),
        (Edit::Delay { packet, by, .. }, Lang::Ko) => format!("패킷 #{packet} {} 늦춤", format_time(*by)),
        (Edit::Duplicate { packet, .. }, Lang::En) => format!("packet #{packet} duplicated"),
        (Edit::Duplicate { packet, .. }, Lang::Ko) => format!("패킷 #{packet} 복제"),
        (Edit::Link { link, settings: s, .. }, Lang::En) => format!(
            "link #{link} set to loss {:.0}%, duplicate {:.0}%, reorder {:.0}%, delay {} ms",
            s.loss * 100.0,
            s.duplicate * 100.0,
            s.reorder * 100.0,
            s.latency_us / 1000
        ),
        (Edit::Link { link, settings: s, .. }, Lang::Ko) => format!(
            "링크 #{link}: 손실 {:.0}%, 중복 {:.0}%, 순서 바뀜 {:.0}%, 지연 {} ms로 바꿈",
            s.loss * 100.0,
            s.duplicate * 100.0,
            s.reorder * 100.0,
            s.latency_us / 1000
        ),
    }
}

/// At most this many script lines are drawn: thousands of lines (a generated
/// script) cost the browser more to lay out and paint than the rest of a step.
/// The list shows about fifteen at once, and the browser repaints every drawn line
/// when the current one moves (240 lines took 3 ms of each such step).
pub const MAX_LINES_SHOWN: usize = 80;

/// The lines to draw of `len`: all when they fit in `max`, else a window of `max`
/// lines around `center`, kept inside `0..len`. The window moves in jumps of a
/// quarter of `max`, not with every line: moving it replaces DOM nodes.
pub fn shown_lines(len: usize, center: usize, max: usize) -> std::ops::Range<usize> {
    if len <= max {
        return 0..len;
    }
    let jump = (max / 4).max(1);
    let start = (center / jump * jump).saturating_sub(max / 2).min(len - max);
    start..start + max
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::scripts::{call_events, prepare, script_text};
    use crate::script::LineDetail;

    #[test]
    fn a_long_script_shows_a_window_around_the_current_line() {
        assert_eq!(shown_lines(10, 7, 240), 0..10);
        assert_eq!(shown_lines(1000, 500, 240), 360..600);
        // The window stays put for nearby lines, and always holds the centre.
        assert_eq!(shown_lines(1000, 539, 240), 360..600);
        for center in 0..1000 {
            let r = shown_lines(1000, center, 240);
            assert!(r.contains(&center) && r.len() == 240, "{center}: {r:?}");
        }
        assert_eq!(shown_lines(1000, 3, 240), 0..240);
        assert_eq!(shown_lines(1000, 999, 240), 760..1000);
        assert_eq!(shown_lines(1000, usize::MAX, 240), 760..1000);
        assert_eq!(shown_lines(0, 0, 0), 0..0);
    }

    #[test]
    fn accept_is_ahead_then_blocked_until_the_handshake_completes_then_done() {
        let p = prepare(script_text("tour").expect("tour"), None).expect("tour runs");
        let calls = call_events(&p.report);
        let accept = p
            .report
            .lines
            .iter()
            .position(|l| matches!(&l.detail, LineDetail::Call(c) if c.rendered.starts_with("accept(")))
            .expect("the tour accepts");
        let CallAt { call: Some(call), returned: Some(returned) } = calls[accept] else {
            panic!("accept is called and returns: {:?}", calls[accept])
        };
        assert!(call < returned, "accept waits for the handshake");
        let stage = |end: usize| line_stage(&p.report, &calls, accept, end, u64::MAX);
        assert_eq!(stage(call), LineStage::Ahead, "before its Call event");
        assert_eq!(stage(call + 1), LineStage::Blocked, "called, not returned");
        assert_eq!(stage(returned), LineStage::Blocked, "its Return has not happened yet");
        assert_eq!(stage(returned + 1), LineStage::Done);
        assert_eq!(line_stage(&p.report, &calls, usize::MAX, p.report.trace.len(), 0), LineStage::Ahead);
    }

    #[test]
    fn expectations_after_a_last_wait_in_which_nothing_happens_are_done_at_the_last_step() {
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 10ms\n\
                    a: s = socket(udp)\na: sendto(s, \"hi\", 10.0.0.2:9) = 2\n+50ms\nexpect state a s CLOSED\n";
        let p = prepare(text, None).expect("the script runs");
        let calls = call_events(&p.report);
        let last_event = p.report.trace.last().expect("events").time;
        assert!(last_event < p.report.end_time, "nothing happens in the last wait");
        let (wait, expectation) = (p.report.lines.len() - 2, p.report.lines.len() - 1);
        let stage = |i: usize, end: usize| line_stage(&p.report, &calls, i, end, last_event);
        let all = p.report.trace.len();
        assert_eq!(stage(wait, all), LineStage::Done, "the wait is over at the last step");
        assert_eq!(stage(expectation, all), LineStage::Done, "and the line after it has its verdict");
        assert_eq!(stage(expectation, all - 1), LineStage::Ahead, "not before the last step");
    }

    #[test]
    fn a_line_that_fails_before_it_sees_anything_shows_its_cross_and_why() {
        // A state asked of a UDP socket fails before the line has a state to
        // show: the line was red with nothing beside it.
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b\na: s = socket(udp)\nexpect state a s CLOSED\n";
        let p = prepare(text, None).expect("the script runs");
        let outcome = |i: usize, lang| line_outcome(&p.report, i, LineStage::Done, lang);
        let udp = p.report.lines.iter().position(|l| l.line == 5).expect("line 5");
        assert!(!p.report.lines[udp].ok);
        assert_eq!(outcome(udp, Lang::En), "✗ no state: s is a UDP socket, and UDP has no states");
        assert_eq!(outcome(udp, Lang::Ko), "✗ 상태 없음: s는 UDP 소켓이고 UDP에는 상태가 없음");
        assert_eq!(line_outcome(&p.report, udp, LineStage::Ahead, Lang::En), "", "nothing before its time");
        // The socket line itself shows its result.
        let socket = p.report.lines.iter().position(|l| l.line == 4).expect("line 4");
        assert_eq!(outcome(socket, Lang::En), "→ 3");
    }

    #[test]
    fn a_change_is_said_in_either_language() {
        let cut = Edit::Cut { at: 3, link: 0, cut: true };
        assert_eq!(describe_edit(&cut, Lang::En), "link #0 cut");
        assert_eq!(describe_edit(&cut, Lang::Ko), "링크 #0 끊음");
    }
}
