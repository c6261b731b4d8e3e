//! RACK-TLP (RFC 8985) as Linux runs it (`net/ipv4/tcp_recovery.c`): a segment
//! is lost when one sent after it has been delivered (acknowledged or SACKed)
//! and the round trip of that later segment has passed since this one left,
//! plus a reordering window. Where the old rule counted three SACKed
//! segments above a hole, RACK looks at time: one SACKed segment sent after
//! a hole proves it lost a quarter of the minimum RTT later (the reordering
//! window), by a timer of its own, and with three SACKed the window is zero.
//!
//! The sender's record of segments (their last transmission time, whether
//! they went twice) is the RTT estimator's ([`super::rtt::RttEstimator::segments`]);
//! what the peer holds and what is lost is the scoreboard's. This module keeps
//! only RACK's own memory: the most recently sent segment delivered so far
//! (`tp->rack`) and whether the peer has shown reordering (`tp->reord_seen`).
//! Not modelled: the reordering window's growth after D-SACKs
//! (`tcp_rack_update_reo_wnd`; `reo_wnd_steps` stays 1) and RACK during a
//! retransmission timeout's recovery (`TCP_CA_Loss`, whose go-back-N is the
//! recovery here; see `Scoreboard::enter_loss`).

use super::sack::Scoreboard;
use super::segment::SeqNumber;

/// `TCP_TIMEOUT_MIN_US`: what Linux adds to a reordering wait so the timer
/// does not fire a hair early (2 ms).
pub const TIMEOUT_MIN_US: u64 = 2_000;

/// `net.ipv4.tcp_reordering`: SACKed segments that make the reordering window
/// zero (RACK's stand-in for the three duplicate ACKs).
pub const REORDERING: u32 = 3;

/// One segment as the sender remembers sending it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentSegment {
    pub start: SeqNumber,
    pub end: SeqNumber,
    /// When its latest copy left (`skb_mstamp_ns`).
    pub sent_at: u64,
    /// Its latest copy's place among the connection's sends, which orders
    /// sends `sent_at` cannot (see [`SentSegment::sent_after`]).
    pub sent_order: u64,
    /// Sent more than once (`TCPCB_RETRANS`).
    pub retransmitted: bool,
}

/// RACK's state (`struct tcp_sock`'s `rack` and `reord_seen`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rack {
    /// The place in the sending order of the latest sent segment delivered
    /// so far (`rack.mstamp`, `rack.end_seq`): everything sent before it and
    /// not delivered is suspect.
    latest: Option<u64>,
    /// The round trip of the segment that last moved RACK (`rack.rtt_us`).
    rtt_us: u64,
    /// Something was delivered since the last look (`rack.advanced`).
    advanced: bool,
    /// The peer delivered a segment sent once below one it had SACKed
    /// already: the path reorders, so the window never closes to zero.
    reordering_seen: bool,
}

impl SentSegment {
    /// `tcp_skb_sent_after`: whether this segment's latest copy left after
    /// `other`'s. Linux compares nanosecond send stamps, and breaks a tie by
    /// the ending sequence number, for the skbs of one burst share a stamp and
    /// leave in sequence order. The model's clock counts microseconds and
    /// handles events that arrive together at one instant, so two sends a
    /// kernel makes microseconds apart (new data on one ACK, a retransmission
    /// on the next) would tie here and the tie-break would put the new data
    /// after the retransmission, proving it lost as soon as the new data is
    /// SACKed. The order of sending is what the kernel's stamps record.
    pub fn sent_after(&self, other: &SentSegment) -> bool {
        self.sent_order > other.sent_order
    }
}

impl Rack {
    /// `tcp_rack_advance`: segment `seg` was newly delivered at `now`. A
    /// segment sent twice that seems to have come back faster than the
    /// fastest round trip ever seen was answered for its first copy, and
    /// says nothing about when the last one left.
    pub fn advance(&mut self, seg: SentSegment, now: u64, min_rtt: Option<u64>) {
        if !Rack::moves(&seg, now, min_rtt) {
            return;
        }
        let rtt = now.saturating_sub(seg.sent_at);
        self.advanced = true;
        self.rtt_us = rtt;
        if self.latest.is_none_or(|order| seg.sent_order > order) {
            self.latest = Some(seg.sent_order);
        }
    }

    /// Whether delivering `seg` at `now` moves RACK: not when it was sent
    /// twice and came back faster than the fastest round trip seen.
    pub fn moves(seg: &SentSegment, now: u64, min_rtt: Option<u64>) -> bool {
        !seg.retransmitted || min_rtt.is_some_and(|min| now.saturating_sub(seg.sent_at) >= min)
    }

    /// `tcp_check_sack_reordering`'s finding: a segment sent once arrived
    /// after one above it.
    pub fn note_reordering(&mut self) {
        self.reordering_seen = true;
    }

    /// `tcp_rack_reo_wnd`: how long past the round trip a segment may be late
    /// before it is lost. Until the path has shown reordering, zero once
    /// recovery is on or [`REORDERING`] segments are SACKed (as three
    /// duplicate ACKs would prove); otherwise a quarter of the minimum RTT,
    /// at most the smoothed RTT.
    fn reordering_window(&self, in_recovery: bool, sacked_segments: u32, min_rtt: Option<u64>, srtt: u64) -> u64 {
        if !self.reordering_seen && (in_recovery || sacked_segments >= REORDERING) {
            return 0;
        }
        (min_rtt.unwrap_or(0) / 4).min(srtt)
    }

    /// Whether the peer has shown the path reorders.
    pub fn reordering_seen(&self) -> bool {
        self.reordering_seen
    }

    /// Whether anything was delivered since the last look; looking resets it
    /// (`tcp_rack_mark_lost` scans only then).
    pub fn take_advanced(&mut self) -> bool {
        std::mem::take(&mut self.advanced)
    }

    /// `tcp_rack_detect_loss`: every segment not delivered that left before
    /// the latest delivered one and has waited its round trip plus the
    /// reordering window is marked lost on `sack` (a lost retransmission
    /// included). Segments marked lost and not yet sent again are skipped.
    /// Returns how long the one closest to its deadline still has (0 when
    /// none waits): the reordering timer's length before Linux's margin.
    pub fn detect_loss(
        &self,
        segments: impl Iterator<Item = SentSegment>,
        sack: &mut Scoreboard,
        window: RackWindow,
        now: u64,
    ) -> u64 {
        let Some(latest) = self.latest else {
            return 0;
        };
        let reo_wnd = self.reordering_window(window.in_recovery, window.sacked_segments, window.min_rtt, window.srtt);
        let mut wait = 0;
        for seg in segments {
            if seg.sent_order >= latest || !sack.may_be_lost(seg.start, seg.end) {
                continue;
            }
            let deadline = seg.sent_at.saturating_add(self.rtt_us).saturating_add(reo_wnd);
            if deadline <= now {
                sack.mark_segment_lost(seg.start, seg.end);
            } else {
                wait = wait.max(deadline - now);
            }
        }
        wait
    }
}

/// What the reordering window depends on at the moment of looking.
#[derive(Clone, Copy, Debug)]
pub struct RackWindow {
    /// Fast recovery is on (`icsk_ca_state >= TCP_CA_Recovery`).
    pub in_recovery: bool,
    /// Segments the peer holds beyond the cumulative ACK (`sacked_out`).
    pub sacked_segments: u32,
    pub min_rtt: Option<u64>,
    pub srtt: u64,
}

/// The reordering timer's deadline from `now` for a wait of `wait_us`
/// (`tcp_rack_mark_lost`): Linux adds [`TIMEOUT_MIN_US`], rounds up to its
/// clock's tick (one millisecond here, as in cubic.rs) and never waits past
/// the RTO.
pub fn reordering_deadline(now: u64, wait_us: u64, rto: u64) -> u64 {
    let wait = wait_us.saturating_add(TIMEOUT_MIN_US).div_ceil(1_000).saturating_mul(1_000);
    now.saturating_add(wait.min(rto))
}

/// The tail loss probe's memory (`tp->tlp_high_seq`, `tp->tlp_retrans`):
/// one probe at a time, and whether its ACK shows it repaired a loss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TailLossProbe {
    /// `snd_nxt` when the probe left, while its episode lasts.
    pub high_seq: Option<SeqNumber>,
    /// The probe sent the last segment again (not new data).
    pub retransmitted: bool,
}

/// What an ACK tells a probe's episode (`tcp_process_tlp_ack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeVerdict {
    /// The episode goes on (the ACK is below the probe, or answers it without
    /// telling whether the original was lost).
    Undecided,
    /// Over, nothing was lost: the probe was new data, or both the original
    /// and the probe arrived (a D-SACK for the probe, a pure duplicate ACK).
    NoLoss,
    /// Over: the ACK passes the probe, so the probe repaired a loss and cwnd
    /// is reduced once.
    Repaired,
}

/// What the ACK carried, as `tcp_process_tlp_ack` reads its flags.
#[derive(Clone, Copy, Debug)]
pub struct AckFacts {
    pub ack: SeqNumber,
    /// Its first SACK block is a D-SACK ending where the probe's episode does
    /// (`FLAG_DSACK_TLP`).
    pub dsack_for_probe: bool,
    /// `FLAG_SND_UNA_ADVANCED`, `FLAG_NOT_DUP` (data, a window update or new
    /// data acknowledged) or `FLAG_DATA_SACKED`: anything but a pure duplicate.
    pub news: bool,
}

impl TailLossProbe {
    pub fn on_ack(&mut self, facts: AckFacts) -> ProbeVerdict {
        let Some(high) = self.high_seq else { return ProbeVerdict::Undecided };
        if facts.ack < high {
            return ProbeVerdict::Undecided;
        }
        let verdict = if !self.retransmitted || facts.dsack_for_probe {
            ProbeVerdict::NoLoss
        } else if facts.ack > high {
            ProbeVerdict::Repaired
        } else if !facts.news {
            ProbeVerdict::NoLoss
        } else {
            ProbeVerdict::Undecided
        };
        if verdict != ProbeVerdict::Undecided {
            self.high_seq = None;
        }
        verdict
    }
}

/// `TCP_TIMEOUT_INIT`'s stand-in before any RTT sample: the probe waits 1 s.
const PROBE_TIMEOUT_WITHOUT_RTT_US: u64 = 1_000_000;

/// `tcp_schedule_loss_probe`'s timeout: two smoothed RTTs, plus the minimum
/// RTO when one segment is in flight (its ACK may be a delayed one) or
/// [`TIMEOUT_MIN_US`] otherwise, to the 1 ms tick; 1 s before any sample.
/// Never later than `rto_left`, the time until the RTO would fire.
pub fn probe_timeout(srtt8: Option<u64>, one_in_flight: bool, rto_min: u64, rto_left: u64) -> u64 {
    let timeout = match srtt8 {
        Some(srtt8) => (srtt8 >> 2).saturating_add(if one_in_flight { rto_min } else { TIMEOUT_MIN_US }),
        None => PROBE_TIMEOUT_WITHOUT_RTT_US,
    };
    let to_tick = |us: u64| us.div_ceil(1_000).saturating_mul(1_000);
    let timeout = to_tick(timeout);
    if rto_left > 0 {
        timeout.min(to_tick(rto_left))
    } else {
        timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000;

    /// A segment sent at `sent_at`; segments sent at one instant went in
    /// sequence order, as a burst does.
    fn seg(start: u32, end: u32, sent_at: u64) -> SentSegment {
        let sent_order = sent_at * 1_000_000 + u64::from(start);
        SentSegment { start: SeqNumber(start), end: SeqNumber(end), sent_at, sent_order, retransmitted: false }
    }

    fn window(sacked_segments: u32) -> RackWindow {
        RackWindow { in_recovery: false, sacked_segments, min_rtt: Some(20 * MS), srtt: 20 * MS }
    }

    /// Four segments sent together at 0; the second is SACKed at 20 ms.
    fn second_of_four_sacked() -> (Rack, Scoreboard, Vec<SentSegment>) {
        let segments: Vec<_> = (0..4).map(|i| seg(i * 1000, (i + 1) * 1000, 0)).collect();
        let mut sack = Scoreboard::default();
        sack.on_ack(SeqNumber(0), SeqNumber(0), SeqNumber(4000), &[(1000, 2000)]);
        let mut rack = Rack::default();
        rack.advance(segments[1], 20 * MS, Some(20 * MS));
        (rack, sack, segments)
    }

    #[test]
    fn one_sacked_segment_proves_an_earlier_one_lost_a_quarter_rtt_later() {
        let (rack, mut sack, segments) = second_of_four_sacked();
        let wait = rack.detect_loss(segments.iter().copied(), &mut sack, window(1), 20 * MS);
        assert_eq!(wait, 5 * MS, "min_rtt / 4 of settling time");
        assert!(!sack.has_lost());
        assert_eq!(reordering_deadline(20 * MS, wait, 220 * MS), 27 * MS, "plus TCP_TIMEOUT_MIN");
        let wait = rack.detect_loss(segments.iter().copied(), &mut sack, window(1), 25 * MS);
        assert_eq!(wait, 0);
        assert_eq!(
            sack.next_lost(),
            Some((SeqNumber(0), 1000)),
            "only the first: the others left with the SACKed one, after it"
        );
    }

    #[test]
    fn with_three_segments_sacked_the_window_is_zero() {
        let (rack, mut sack, segments) = second_of_four_sacked();
        let wait = rack.detect_loss(segments.iter().copied(), &mut sack, window(REORDERING), 20 * MS);
        assert_eq!(wait, 0);
        assert_eq!(sack.next_lost(), Some((SeqNumber(0), 1000)));
    }

    #[test]
    fn a_path_that_reordered_keeps_its_window_in_recovery() {
        let (mut rack, mut sack, segments) = second_of_four_sacked();
        rack.note_reordering();
        let in_recovery = RackWindow { in_recovery: true, ..window(REORDERING) };
        assert_eq!(rack.detect_loss(segments.iter().copied(), &mut sack, in_recovery, 20 * MS), 5 * MS);
    }

    #[test]
    fn a_retransmission_answered_faster_than_any_round_trip_does_not_move_rack() {
        let mut rack = Rack::default();
        let resent = SentSegment { retransmitted: true, ..seg(0, 1000, 30 * MS) };
        rack.advance(resent, 35 * MS, Some(20 * MS));
        assert!(!rack.take_advanced(), "5 ms is below min_rtt: the first copy was answered");
        rack.advance(resent, 50 * MS, Some(20 * MS));
        assert!(rack.take_advanced());
        assert!(!rack.take_advanced(), "looking resets it");
    }

    #[test]
    fn a_lost_retransmission_is_lost_again_once_a_later_send_is_delivered() {
        // Segment 0 was resent at 30 ms; segment 2, first sent at 40 ms, is
        // SACKed at 60 ms; the resend had its round trip by then.
        let mut sack = Scoreboard::default();
        sack.on_ack(SeqNumber(0), SeqNumber(0), SeqNumber(3000), &[(1000, 2000)]);
        sack.mark_segment_lost(SeqNumber(0), SeqNumber(1000));
        sack.on_retransmit(SeqNumber(0), SeqNumber(1000));
        assert!(!sack.has_lost());
        sack.on_ack(SeqNumber(0), SeqNumber(0), SeqNumber(3000), &[(2000, 3000)]);
        let segments = [SentSegment { retransmitted: true, ..seg(0, 1000, 30 * MS) }, seg(2000, 3000, 40 * MS)];
        let mut rack = Rack::default();
        rack.advance(segments[1], 60 * MS, Some(20 * MS));
        let in_recovery = RackWindow { in_recovery: true, ..window(2) };
        rack.detect_loss(segments.iter().copied(), &mut sack, in_recovery, 60 * MS);
        assert_eq!(sack.next_lost(), Some((SeqNumber(0), 1000)));
    }

    #[test]
    fn a_probe_waits_two_rtts_and_a_delayed_ack_more_when_one_segment_is_out() {
        let srtt8 = Some(8 * 20 * MS);
        assert_eq!(probe_timeout(srtt8, false, 200 * MS, 220 * MS), 42 * MS);
        assert_eq!(probe_timeout(srtt8, true, 200 * MS, 220 * MS), 220 * MS, "240 ms, but the RTO comes first");
        assert_eq!(probe_timeout(None, false, 200 * MS, 3_000 * MS), 1_000 * MS);
    }

    #[test]
    fn a_probes_ack_tells_whether_it_repaired_a_loss() {
        let probe = TailLossProbe { high_seq: Some(SeqNumber(5000)), retransmitted: true };
        let facts =
            |ack: u32, dsack_for_probe: bool, news: bool| AckFacts { ack: SeqNumber(ack), dsack_for_probe, news };
        let verdict = |facts: AckFacts| {
            let mut p = probe;
            (p.on_ack(facts), p.high_seq)
        };
        assert_eq!(verdict(facts(4000, false, true)), (ProbeVerdict::Undecided, Some(SeqNumber(5000))), "below it");
        assert_eq!(verdict(facts(5000, true, true)), (ProbeVerdict::NoLoss, None), "both copies arrived");
        assert_eq!(verdict(facts(5000, false, false)), (ProbeVerdict::NoLoss, None), "a pure duplicate");
        assert_eq!(
            verdict(facts(5000, false, true)),
            (ProbeVerdict::Undecided, Some(SeqNumber(5000))),
            "the probe's own ACK"
        );
        assert_eq!(verdict(facts(6000, false, true)), (ProbeVerdict::Repaired, None), "past it: a loss was repaired");
        let mut new_data = TailLossProbe { retransmitted: false, ..probe };
        assert_eq!(new_data.on_ack(facts(6000, false, true)), ProbeVerdict::NoLoss);
    }

    #[test]
    fn the_timer_never_waits_past_the_rto() {
        assert_eq!(reordering_deadline(0, 500 * MS, 220 * MS), 220 * MS);
        assert_eq!(reordering_deadline(0, 1, 220 * MS), 3 * MS, "rounded up to the tick");
    }
}
