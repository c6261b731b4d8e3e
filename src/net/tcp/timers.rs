//! TCP's timers. A connection only records deadlines; the world turns each into an
//! event in its queue, so every expiry is ordered, deterministic and traced.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimerKind {
    /// RFC 6298 retransmission timeout (also SYN and SYN-ACK retransmission).
    Retransmit,
    /// Zero-window probing.
    Persist,
    /// 2×MSL in TIME-WAIT.
    TimeWait,
    /// Delayed acknowledgement (when enabled).
    DelayedAck,
    /// An orphaned FIN-WAIT-2 connection gives up (Linux `tcp_fin_timeout`).
    FinWait2,
}

impl TimerKind {
    pub const ALL: [TimerKind; 5] =
        [TimerKind::Retransmit, TimerKind::Persist, TimerKind::TimeWait, TimerKind::DelayedAck, TimerKind::FinWait2];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            TimerKind::Retransmit => "retransmission",
            TimerKind::Persist => "persist",
            TimerKind::TimeWait => "TIME-WAIT",
            TimerKind::DelayedAck => "delayed ACK",
            TimerKind::FinWait2 => "FIN-WAIT-2",
        }
    }
}

/// Deadlines in simulated microseconds, one per kind; `None` when stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timers([Option<u64>; 5]);

impl Timers {
    pub fn get(&self, kind: TimerKind) -> Option<u64> {
        self.0[kind.index()]
    }
    pub fn set(&mut self, kind: TimerKind, at: u64) {
        self.0[kind.index()] = Some(at);
    }
    pub fn stop(&mut self, kind: TimerKind) {
        self.0[kind.index()] = None;
    }
    pub fn stop_all(&mut self) {
        self.0 = [None; 5];
    }
    pub fn is_running(&self, kind: TimerKind) -> bool {
        self.get(kind).is_some()
    }
}
