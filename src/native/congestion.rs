//! The congestion window and slow-start threshold as Linux reports them in
//! `TCP_INFO`, read on a connection before each call of a script, beside the
//! model's at the same line (the last `Congestion` event of its trace before
//! the call): what `socklab diff --packets` checks under the packets.
//!
//! A rule can move cwnd long before any packet shows it: a restart after an
//! idle spell changes the burst the next write sends, not the ACK that came
//! before, and a window left unused decays without a packet at all. Packets
//! that agree while the windows do not are a divergence waiting for the
//! script that shows it.

use super::state::tcp_info;
use crate::net::trace::{TraceEvent, TraceKind};
use crate::net::SocketId;
use crate::script::RunReport;
use socket2::Socket;
use std::collections::HashMap;
use std::fmt;

/// `TCP_INFINITE_SSTHRESH`: no slow-start threshold set yet.
const KERNEL_INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

/// A connection's congestion window and slow-start threshold, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub cwnd: u64,
    /// `None`: not set yet (infinite), as before the first loss.
    pub ssthresh: Option<u64>,
}

/// What the kernel reported before a call: its window in segments of `mss`
/// (`tcpi_snd_cwnd`, `tcpi_snd_ssthresh`, `tcpi_snd_mss`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelReading {
    pub cwnd_segments: u32,
    pub ssthresh_segments: Option<u32>,
    pub mss: u32,
}

impl KernelReading {
    /// Read off an open socket; `None` unless it is a connection past its
    /// handshake (a listener, a SYN-SENT socket or a closed one has no
    /// window worth comparing).
    pub fn of(socket: &Socket) -> Option<KernelReading> {
        let info = tcp_info(socket).ok()?;
        // Synchronized and still the socket's (enum tcp_state): ESTABLISHED,
        // FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING; not SYN_SENT/RECV,
        // TIME_WAIT, CLOSE or LISTEN.
        if !matches!(info.tcpi_state, 1 | 4 | 5 | 8 | 9 | 11) {
            return None;
        }
        let ssthresh = info.tcpi_snd_ssthresh;
        Some(KernelReading {
            cwnd_segments: info.tcpi_snd_cwnd,
            ssthresh_segments: (ssthresh < KERNEL_INFINITE_SSTHRESH).then_some(ssthresh),
            mss: info.tcpi_snd_mss,
        })
    }

    /// The same figures in bytes, as the model keeps them.
    pub fn window(&self) -> Window {
        let bytes = |segments: u32| u64::from(segments) * u64::from(self.mss);
        Window { cwnd: bytes(self.cwnd_segments), ssthresh: self.ssthresh_segments.map(bytes) }
    }
}

/// The kernel's reading before the call of one script statement.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelLine {
    /// Index into `Script::statements`.
    pub stmt: usize,
    pub reading: KernelReading,
}

/// How far a kernel timer may fire from the model's instant, and with it
/// all that follows from it: Linux rounds a timeout up to whole jiffies and
/// fires it on a tick (4 ms at this kernel's 250 Hz), so a tail loss probe
/// came up to 7 ms after the model's in the generated sets, and a timer can
/// fire a tick before (docs/fidelity.md, "Time").
const TIMER_LATE_US: u64 = 8_000;
const TIMER_EARLY_US: u64 = 4_000;

/// How a line's two windows compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Agrees,
    /// The kernel's window is one the model's had within a timer's slack of
    /// the line (from [`TIMER_LATE_US`] before to [`TIMER_EARLY_US`] after):
    /// the same window, met at another moment, as when a tail loss probe
    /// fires a tick later and its ACK comes after the call.
    AgreesWithinTimerSlack,
    Differs,
}

/// One call line's two windows.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    /// The line as the script wrote it.
    pub source: String,
    /// `None`: the model had no connection on that socket then.
    pub model: Option<Window>,
    pub kernel: KernelReading,
    pub verdict: Verdict,
}

impl Row {
    /// Not a divergence: the same window, or the same within a timer's slack.
    pub fn agrees(&self) -> bool {
        self.verdict != Verdict::Differs
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mss = u64::from(self.kernel.mss.max(1));
        // In the kernel's segments; bytes where the model's is not a whole number of them.
        let amount = |bytes: u64| match bytes % mss {
            0 => (bytes / mss).to_string(),
            _ => format!("{bytes} bytes"),
        };
        let side = |w: Option<Window>| match w {
            None => "(no connection)".to_string(),
            Some(w) => {
                let ssthresh = w.ssthresh.map_or("inf".to_string(), amount);
                format!("cwnd {} ssthresh {ssthresh}", amount(w.cwnd))
            }
        };
        let (model, kernel) = (side(self.model), side(Some(self.kernel.window())));
        let line = format!("line {} {}", self.line, self.source.trim());
        match self.verdict {
            Verdict::Agrees => write!(f, "{line}: {model}"),
            Verdict::AgreesWithinTimerSlack => write!(
                f,
                "{line}: model {model}, kernel {kernel}, a window the model had from {} ms before to {} ms \
                 after (a timer's slack)",
                TIMER_LATE_US / 1_000,
                TIMER_EARLY_US / 1_000
            ),
            Verdict::Differs => write!(f, "{line}: model {model}, kernel {kernel}"),
        }
    }
}

/// Lines up the kernel's readings with the model's window before the same
/// statement's call.
pub fn rows(model: &RunReport, kernel: &[KernelLine]) -> Vec<Row> {
    // Each socket's history once, not a scan of the whole trace per line.
    let mut histories: HashMap<SocketId, Vec<(usize, Window)>> = HashMap::new();
    for (i, e) in model.trace.iter().enumerate() {
        if let TraceKind::Congestion { socket, cwnd, ssthresh, .. } = e.kind {
            let ssthresh = (ssthresh < crate::net::tcp::conn::SSTHRESH_INFINITE).then_some(u64::from(ssthresh));
            histories.entry(socket).or_default().push((i, Window { cwnd: u64::from(cwnd), ssthresh }));
        }
    }
    kernel
        .iter()
        .filter_map(|k| {
            let line = model.lines.iter().find(|l| l.stmt == k.stmt)?;
            let events = model.trace.get(line.trace_start..line.trace_end)?;
            let call = events.iter().position(|e| matches!(e.kind, TraceKind::Call { .. }))? + line.trace_start;
            let socket = match model.trace[call].kind {
                TraceKind::Call { socket, .. } => socket,
                _ => None,
            };
            let history = socket.and_then(|s| histories.get(&s)).map_or(&[][..], Vec::as_slice);
            // The window as the events before the call left it.
            let before = history.iter().take_while(|(at, _)| *at < call).last().map(|&(_, w)| w);
            let kernel = k.reading.window();
            let verdict = if before == Some(kernel) {
                Verdict::Agrees
            } else if had_within_slack(&model.trace, history, line.time, kernel) {
                Verdict::AgreesWithinTimerSlack
            } else {
                Verdict::Differs
            };
            Some(Row { line: line.line, source: line.source.clone(), model: before, kernel: k.reading, verdict })
        })
        .collect()
}

/// Whether the model's window was `wanted` at some moment within a timer's
/// slack of `time` (µs): the window in force as the slack began, or any set
/// during it.
fn had_within_slack(trace: &[TraceEvent], history: &[(usize, Window)], time: u64, wanted: Window) -> bool {
    let (from, to) = (time.saturating_sub(TIMER_LATE_US), time.saturating_add(TIMER_EARLY_US));
    let at = |i: usize| trace.get(i).map_or(u64::MAX, |e| e.time);
    let in_force = history.iter().take_while(|&&(i, _)| at(i) <= from).last();
    let during = history.iter().filter(|&&(i, _)| at(i) > from && at(i) <= to);
    in_force.into_iter().chain(during).any(|&(_, w)| w == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{parse, run, RunOptions};

    /// A sender's ten segments are ACKed at 40 ms, growing its window from 10
    /// to 20 segments, and the next ten's ACKs at 60 ms grow it on; the
    /// script's next call comes at 45 ms.
    fn grown_by_the_first_acks() -> RunReport {
        let text = "seed 1\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                    server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                    client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
                    client: send(c, 14480 bytes) = 14480\n+25ms\nclient: setsockopt(c, O_NONBLOCK, 1) = 0\n";
        let report = run(&parse(text).expect("parses"), &RunOptions::default());
        assert!(report.passed(), "{:?}", report.failures);
        report
    }

    fn kernel_says(report: &RunReport, cwnd_segments: u32) -> Row {
        let stmt = report.lines.last().expect("lines").stmt;
        let reading = KernelReading { cwnd_segments, ssthresh_segments: None, mss: 1448 };
        let rows = rows(report, &[KernelLine { stmt, reading }]);
        assert_eq!(rows.len(), 1);
        rows[0].clone()
    }

    #[test]
    fn a_kernel_window_is_held_against_the_models_before_the_same_call() {
        let report = grown_by_the_first_acks();
        let same = kernel_says(&report, 20);
        assert_eq!((same.line, same.verdict), (13, Verdict::Agrees));
        assert_eq!(same.model, Some(Window { cwnd: 20 * 1448, ssthresh: None }));
        // The window of 5 ms before: the kernel met the ACKs a timer's slack later.
        assert_eq!(kernel_says(&report, 10).verdict, Verdict::AgreesWithinTimerSlack);
        // A window the model had only later, 15 ms after the line.
        let other = kernel_says(&report, 30);
        assert_eq!(other.verdict, Verdict::Differs);
        assert!(!other.agrees());
        assert!(other.to_string().ends_with("model cwnd 20 ssthresh inf, kernel cwnd 30 ssthresh inf"), "{other}");
    }
}
