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
    /// RACK's reordering wait (RFC 8985, Linux's `ICSK_TIME_REO_TIMEOUT`): a
    /// segment sent before one the peer has SACKed is lost once it ends.
    Reorder,
    /// The tail loss probe (RFC 8985, Linux's `ICSK_TIME_LOSS_PROBE`): about
    /// two round trips without an ACK after sending.
    LossProbe,
    /// SACK compression (Linux's `compressed_ack_timer`): a duplicate ACK
    /// held back leaves when it runs out, 5% of the RTT and at most 1 ms on.
    SackCompress,
}

impl TimerKind {
    pub const ALL: [TimerKind; 8] = [
        TimerKind::Retransmit,
        TimerKind::Persist,
        TimerKind::TimeWait,
        TimerKind::DelayedAck,
        TimerKind::FinWait2,
        TimerKind::Reorder,
        TimerKind::LossProbe,
        TimerKind::SackCompress,
    ];

    /// The timers Linux keeps in one slot, the socket's transmit timer
    /// (`icsk_pending`): arming one stops the others.
    const XMIT: [TimerKind; 3] = [TimerKind::Retransmit, TimerKind::Reorder, TimerKind::LossProbe];

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
            TimerKind::Reorder => "RACK reordering",
            TimerKind::LossProbe => "tail loss probe",
            TimerKind::SackCompress => "SACK compression",
        }
    }
}

/// Deadlines in simulated microseconds, one per kind; `None` when stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timers([Option<u64>; TimerKind::ALL.len()]);

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
        self.0 = [None; TimerKind::ALL.len()];
    }
    /// Arms `kind`, one of the transmit timers, in place of whichever was armed.
    pub fn set_xmit(&mut self, kind: TimerKind, at: u64) {
        self.stop_xmit();
        self.set(kind, at);
    }
    /// Stops the transmit timer, whichever it is.
    pub fn stop_xmit(&mut self) {
        for kind in TimerKind::XMIT {
            self.stop(kind);
        }
    }
    /// The transmit timer armed, if one is.
    pub fn xmit(&self) -> Option<TimerKind> {
        TimerKind::XMIT.into_iter().find(|&kind| self.is_running(kind))
    }
    pub fn is_running(&self, kind: TimerKind) -> bool {
        self.get(kind).is_some()
    }
}
