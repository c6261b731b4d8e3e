//! Congestion control: how much a connection may have in flight (cwnd), and how
//! that changes as ACKs and losses arrive.
//!
//! The split follows Linux's: loss detection and recovery (duplicate ACKs, fast
//! retransmit, NewReno's partial ACKs, the RTO's collapse to one segment, the
//! cwnd-limited test) are the stack's (net/ipv4/tcp_input.c, tcp_output.c);
//! how cwnd grows and where ssthresh lands after a loss are the algorithm's
//! (`struct tcp_congestion_ops`: `cong_avoid` and `ssthresh`). Reno is the one
//! algorithm today; CUBIC becomes another [`Algorithm`] variant.

use super::segment::SeqNumber;

/// Linux's "infinite" initial slow-start threshold.
pub const SSTHRESH_INFINITE: u32 = i32::MAX as u32;

/// Duplicate ACKs that start fast retransmit (RFC 5681 §3.2).
const DUP_ACK_THRESHOLD: u32 = 3;

/// The algorithm-specific part (Linux's `tcp_congestion_ops`).
#[derive(Clone, Debug)]
pub enum Algorithm {
    Reno(Reno),
}

/// Reno (RFC 5681): slow start, then one segment per window of ACKed bytes.
#[derive(Clone, Debug, Default)]
pub struct Reno {
    /// Bytes acknowledged since cwnd last grew in congestion avoidance.
    acked: u32,
}

impl Algorithm {
    /// Linux's `cong_avoid`: cwnd grows by `acked` newly acknowledged bytes.
    fn grow(&mut self, cwnd: u32, ssthresh: u32, acked: u32, mss: u32) -> u32 {
        match self {
            Algorithm::Reno(reno) => {
                if cwnd < ssthresh {
                    // Slow start (RFC 5681 with RFC 3465's L = 1 SMSS per ACK).
                    cwnd.saturating_add(acked.min(mss))
                } else {
                    // Congestion avoidance: one SMSS per window's worth of ACKed bytes.
                    reno.acked = reno.acked.saturating_add(acked);
                    if reno.acked >= cwnd {
                        reno.acked -= cwnd;
                        cwnd.saturating_add(mss)
                    } else {
                        cwnd
                    }
                }
            }
        }
    }

    /// Linux's `ssthresh`, on a loss with `flight` bytes outstanding: RFC 5681
    /// §3.1 eq. (4), half the flight size but at least two segments.
    fn ssthresh(&self, flight: u32, mss: u32) -> u32 {
        match self {
            Algorithm::Reno(_) => (flight / 2).max(2 * mss),
        }
    }

    /// The retransmission timer fired: the count towards the next increase
    /// starts over.
    fn on_timeout(&mut self) {
        match self {
            Algorithm::Reno(reno) => reno.acked = 0,
        }
    }
}

/// What an ACK asks of the sender besides the new window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckAction {
    Nothing,
    /// Fast retransmit (third duplicate) or NewReno's partial ACK: resend the
    /// first unacknowledged segment now.
    RetransmitFirst,
}

#[derive(Clone, Debug)]
pub struct Congestion {
    cwnd: u32,
    ssthresh: u32,
    dup_acks: u32,
    /// NewReno: in fast recovery until this sequence number is acknowledged.
    recover: Option<SeqNumber>,
    /// cwnd grows only while the sender uses it (RFC 7661, Linux's
    /// `tcp_is_cwnd_limited`): the most bytes in flight in the current window,
    /// whether sending stopped at cwnd in it, and the sequence that ends it.
    /// Without this, a chat that keeps one small segment in flight grew cwnd by
    /// every byte acknowledged, without bound.
    max_flight: u32,
    cwnd_limited: bool,
    usage_end: SeqNumber,
    algorithm: Algorithm,
}

impl Congestion {
    /// Before the handshake: no window until [`Congestion::start`].
    pub fn new(iss: SeqNumber) -> Congestion {
        Congestion {
            cwnd: 0,
            ssthresh: SSTHRESH_INFINITE,
            dup_acks: 0,
            recover: None,
            max_flight: 0,
            cwnd_limited: false,
            usage_end: iss,
            algorithm: Algorithm::Reno(Reno::default()),
        }
    }

    pub fn cwnd(&self) -> u32 {
        self.cwnd
    }

    pub fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    /// The MSS is known (the peer's SYN): the initial window, RFC 6928's
    /// `segments` × MSS (Linux's `tcp_init_cwnd`).
    pub fn start(&mut self, segments: u32, mss: u32) {
        self.cwnd = segments.max(1) * mss;
    }

    /// An ACK that moved `snd_una` forward by `acked` sequence numbers,
    /// `data_acked` of them data bytes. NewReno (RFC 6582 §3.2): in fast
    /// recovery, an ACK short of `recover` is partial and the next hole is
    /// resent; one that reaches it ends recovery.
    pub fn on_new_ack(&mut self, ack: SeqNumber, acked: u32, data_acked: u32, mss: u32) -> AckAction {
        if self.recover.is_none() {
            self.dup_acks = 0;
        }
        match self.recover {
            Some(recover) if ack < recover => {
                // Partial ACK: deflate by what left the network, plus the
                // segment about to be resent.
                self.cwnd = self.cwnd.saturating_sub(acked).saturating_add(mss).max(mss);
                AckAction::RetransmitFirst
            }
            Some(_) => {
                // Full ACK: recovery is over; continue from ssthresh, as Linux does
                // (RFC 6582 §3.2 step 3, option 2).
                self.cwnd = self.ssthresh.max(mss);
                self.recover = None;
                AckAction::Nothing
            }
            None => {
                if self.is_cwnd_limited() {
                    self.cwnd = self.algorithm.grow(self.cwnd, self.ssthresh, data_acked, mss);
                }
                AckAction::Nothing
            }
        }
    }

    /// A duplicate ACK (RFC 5681 §2's definition, checked by the caller) with
    /// `flight` bytes outstanding up to `snd_max`. The third starts fast
    /// retransmit and recovery (RFC 5681 §3.2 steps 2–3); in recovery each
    /// further one means a segment left the network, and inflates cwnd.
    pub fn on_duplicate_ack(&mut self, flight: u32, snd_max: SeqNumber, mss: u32) -> AckAction {
        self.dup_acks += 1;
        if self.recover.is_some() {
            self.cwnd = self.cwnd.saturating_add(mss);
        } else if self.dup_acks == DUP_ACK_THRESHOLD {
            self.ssthresh = self.algorithm.ssthresh(flight, mss);
            self.recover = Some(snd_max);
            self.cwnd = self.ssthresh + 3 * mss;
            return AckAction::RetransmitFirst;
        }
        AckAction::Nothing
    }

    /// The retransmission timer fired with `flight` bytes outstanding: RFC 5681
    /// §3.1, ssthresh from the flight, cwnd down to one segment (Linux's
    /// `tcp_enter_loss`); any recovery is abandoned.
    pub fn on_retransmit_timeout(&mut self, flight: u32, mss: u32) {
        self.ssthresh = self.algorithm.ssthresh(flight, mss);
        self.cwnd = mss;
        self.algorithm.on_timeout();
        self.recover = None;
        self.dup_acks = 0;
    }

    /// Linux's `tcp_is_cwnd_limited`: in slow start, cwnd may reach twice the most
    /// that was in flight; after it, only a sender that stopped at cwnd grows it.
    fn is_cwnd_limited(&self) -> bool {
        self.cwnd_limited || (self.cwnd < self.ssthresh && self.cwnd < self.max_flight.saturating_mul(2))
    }

    /// Linux's `tcp_cwnd_validate`, after each round of sending (`sent`: whether
    /// anything went): remembers how much of cwnd this window used. A new
    /// window starts once everything sent in the last one is acknowledged.
    pub fn after_sending(&mut self, sent: bool, snd_una: SeqNumber, snd_nxt: SeqNumber, mss: u32) {
        let flight = snd_nxt - snd_una;
        // No room left for a full segment: sending stopped at cwnd.
        let limited = flight.saturating_add(mss) > self.cwnd;
        if !sent && !limited {
            return;
        }
        if snd_una >= self.usage_end || limited || (!self.cwnd_limited && flight > self.max_flight) {
            self.cwnd_limited = limited;
            self.max_flight = flight;
            self.usage_end = snd_nxt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: u32 = 1000;

    fn seq(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    /// A window of 10 segments, with `flight` bytes sent from 0.
    fn sending(flight: u32) -> Congestion {
        let mut cc = Congestion::new(SeqNumber(0));
        cc.start(10, MSS);
        cc.after_sending(true, seq(0), seq(flight), MSS);
        cc
    }

    #[test]
    fn slow_start_grows_one_mss_per_ack_while_cwnd_limited() {
        // 10 000 bytes in flight fill cwnd: each ACK of one segment adds one
        // MSS (RFC 3465, L = 1), an ACK of three segments also only one.
        let mut cc = sending(10 * MSS);
        assert_eq!(cc.on_new_ack(seq(1000), 1000, 1000, MSS), AckAction::Nothing);
        assert_eq!(cc.cwnd(), 11_000);
        cc.on_new_ack(seq(4000), 3000, 3000, MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (12_000, SSTHRESH_INFINITE));
    }

    #[test]
    fn a_sender_that_does_not_fill_cwnd_does_not_grow_it() {
        // One 100-byte segment in flight: twice the flight (200) is below cwnd
        // 10 000, so tcp_is_cwnd_limited says no and every ACK leaves cwnd be.
        let mut cc = sending(100);
        for i in 1..=50 {
            cc.on_new_ack(seq(100 * i), 100, 100, MSS);
            cc.after_sending(true, seq(100 * i), seq(100 * (i + 1)), MSS);
        }
        assert_eq!(cc.cwnd(), 10_000);
    }

    #[test]
    fn congestion_avoidance_adds_one_mss_per_window_of_acked_bytes() {
        // After a timeout with 8000 in flight: ssthresh 4000, cwnd 1000.
        let mut cc = sending(10 * MSS);
        cc.on_retransmit_timeout(8 * MSS, MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 4000));
        // Slow start to ssthresh: 1000 → 2000 → 3000 → 4000 (each ACK while
        // the sender keeps cwnd full).
        let mut una = 0;
        for expect in [2000, 3000, 4000] {
            cc.after_sending(true, seq(una), seq(una + cc.cwnd()), MSS);
            una += MSS;
            cc.on_new_ack(seq(una), MSS, MSS, MSS);
            assert_eq!(cc.cwnd(), expect);
        }
        // cwnd = ssthresh: avoidance. Four ACKs of 1000 reach 4000 acked: +1 MSS
        // at the fourth, the count keeps the remainder 0.
        let mut seen = Vec::new();
        for _ in 0..4 {
            cc.after_sending(true, seq(una), seq(una + cc.cwnd()), MSS);
            una += MSS;
            cc.on_new_ack(seq(una), MSS, MSS, MSS);
            seen.push(cc.cwnd());
        }
        assert_eq!(seen, vec![4000, 4000, 4000, 5000]);
        // The next increase needs a whole 5000.
        for _ in 0..4 {
            cc.after_sending(true, seq(una), seq(una + cc.cwnd()), MSS);
            una += MSS;
            cc.on_new_ack(seq(una), MSS, MSS, MSS);
        }
        assert_eq!(cc.cwnd(), 5000);
        cc.after_sending(true, seq(una), seq(una + cc.cwnd()), MSS);
        cc.on_new_ack(seq(una + MSS), MSS, MSS, MSS);
        assert_eq!(cc.cwnd(), 6000);
    }

    #[test]
    fn three_duplicates_start_fast_recovery_and_newreno_ends_it_at_recover() {
        // 10 000 in flight, snd_max 10 000: the third duplicate sets ssthresh
        // 5000, cwnd 5000 + 3·1000 = 8000, recover = 10 000.
        let mut cc = sending(10 * MSS);
        assert_eq!(cc.on_duplicate_ack(10 * MSS, seq(10 * MSS), MSS), AckAction::Nothing);
        assert_eq!(cc.on_duplicate_ack(10 * MSS, seq(10 * MSS), MSS), AckAction::Nothing);
        assert_eq!(cc.cwnd(), 10_000, "two duplicates change nothing");
        assert_eq!(cc.on_duplicate_ack(10 * MSS, seq(10 * MSS), MSS), AckAction::RetransmitFirst);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (8000, 5000));
        // A fourth inflates by one MSS.
        assert_eq!(cc.on_duplicate_ack(10 * MSS, seq(10 * MSS), MSS), AckAction::Nothing);
        assert_eq!(cc.cwnd(), 9000);
        // Partial ACK of 3000 (to 3000 < recover): 9000 − 3000 + 1000 = 7000,
        // and the next hole is resent.
        assert_eq!(cc.on_new_ack(seq(3000), 3000, 3000, MSS), AckAction::RetransmitFirst);
        assert_eq!(cc.cwnd(), 7000);
        // Full ACK (10 000 = recover): cwnd = ssthresh, recovery over.
        assert_eq!(cc.on_new_ack(seq(10_000), 7000, 7000, MSS), AckAction::Nothing);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (5000, 5000));
    }

    #[test]
    fn a_timeout_collapses_cwnd_to_one_segment_and_abandons_recovery() {
        let mut cc = sending(10 * MSS);
        for _ in 0..3 {
            cc.on_duplicate_ack(10 * MSS, seq(10 * MSS), MSS);
        }
        // 3000 outstanding at the timeout: ssthresh = max(1500, 2000) = 2000.
        cc.on_retransmit_timeout(3 * MSS, MSS);
        assert_eq!((cc.cwnd(), cc.ssthresh()), (1000, 2000));
        // Out of recovery: an ACK below the old recover point grows cwnd (slow
        // start) rather than being taken for a partial ACK.
        cc.after_sending(true, seq(7000), seq(8000), MSS);
        assert_eq!(cc.on_new_ack(seq(8000), 1000, 1000, MSS), AckAction::Nothing);
        assert_eq!(cc.cwnd(), 2000);
    }
}
