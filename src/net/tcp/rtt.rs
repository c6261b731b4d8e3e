//! Retransmission timing: RFC 6298 as Linux implements it (`tcp_rtt_estimator`,
//! `__tcp_set_rto`, `tcp_bound_rto` in net/ipv4/tcp_input.c), with Karn's rule
//! and exponential backoff. Every segment is timed, as Linux times each skb
//! (`tcp_skb_timestamp_us`): an ACK that newly covers segments sent once
//! measures from the earliest of them (`tcp_clean_rtx_queue`); if it covers
//! one that was sent again, Karn's rule forbids that sample and the ACK's
//! TSecr, when timestamps are in use, measures instead (`tcp_ack_update_rtt`).

use super::rack::SentSegment;
use super::segment::SeqNumber;
use std::collections::VecDeque;

/// One segment sent and not yet acknowledged: what Linux's skb remembers of
/// its sending (`skb_mstamp_ns`, `TCPCB_RETRANS`).
#[derive(Clone, Copy, Debug)]
struct Sent {
    start: SeqNumber,
    end: SeqNumber,
    /// When its latest copy left; a sample is taken only from a segment sent once.
    at: u64,
    /// Its latest copy's place among this connection's sends.
    order: u64,
    /// Sent again (or first sent in a retransmission): no ACK can say which copy it answers.
    retransmitted: bool,
}

/// The shortest retransmission timeout, whatever the configuration says: a
/// timer must move the clock. With an RTO of 0 over a link without latency a
/// retransmission, its answer and the next retransmission all happen at one
/// instant, forever (the world_commands fuzzer found it). Linux's timers tick
/// in jiffies; one microsecond is far below any RTO a kernel can arm.
/// When the first and the last segment an ACK's SACK blocks newly
/// delivered left, of those sent only once (`first_sackt`, `last_sackt` in
/// `tcp_sacktag_one`): a round-trip sample where the cumulative ACK has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SackSample {
    pub first_sent: u64,
    pub last_sent: u64,
}

pub const MIN_RTO_US: u64 = 1;

#[derive(Clone, Debug)]
pub struct RttEstimator {
    /// Smoothed RTT, times 8 (Linux's `srtt_us`), once there is a sample.
    srtt8: Option<u64>,
    /// Linux's `mdev_us`: the smoothed deviation, times 4.
    mdev: u64,
    /// The largest `mdev` in the current window of data (never below `rto_min`).
    mdev_max: u64,
    /// Linux's `rttvar_us`: what the RTO adds to the smoothed RTT.
    rttvar: u64,
    /// The window of data ends when this is acknowledged (Linux's `rtt_seq`).
    rtt_seq: SeqNumber,
    rto: u64,
    /// Segments in flight, in sequence order.
    sent: VecDeque<Sent>,
    /// Sends so far: the next one's `order`.
    sends: u64,
    rto_min: u64,
    rto_max: u64,
    /// The smallest sample so far (Linux's `tcp_min_rtt`, whose window of
    /// `tcp_min_rtt_wlen` = 300 s outlasts any lesson).
    min_rtt: Option<u64>,
}

impl RttEstimator {
    /// Before any sample the RTO is `rto_initial` (RFC 6298 §2.1). `iss` opens
    /// the first window of data.
    pub fn new(rto_initial: u64, rto_min: u64, rto_max: u64, iss: SeqNumber) -> RttEstimator {
        RttEstimator {
            srtt8: None,
            mdev: 0,
            mdev_max: 0,
            rttvar: 0,
            rtt_seq: iss,
            rto: rto_initial.max(MIN_RTO_US),
            sent: VecDeque::new(),
            sends: 0,
            rto_min,
            rto_max,
            min_rtt: None,
        }
    }

    /// The retransmission timeout now, backoff included.
    pub fn rto(&self) -> u64 {
        self.rto
    }

    /// The smoothed RTT, once there is a sample.
    pub fn srtt_us(&self) -> Option<u64> {
        self.srtt8.map(|s| s >> 3)
    }

    /// The smoothed RTT times 8, as Linux keeps it (`tp->srtt_us`).
    pub fn srtt8(&self) -> Option<u64> {
        self.srtt8
    }

    /// The smallest RTT sample so far.
    pub fn min_rtt_us(&self) -> Option<u64> {
        self.min_rtt
    }

    /// A segment covering `start..end` left at `now`. If it sends any of it
    /// again, the segments it repeats are marked (Karn); sequence space past
    /// what was sent before is logged as a new segment.
    pub fn on_send(&mut self, start: SeqNumber, end: SeqNumber, now: u64, retransmission: bool) {
        let order = self.sends;
        self.sends += 1;
        if retransmission {
            for s in self.sent.iter_mut().filter(|s| s.start < end && start < s.end) {
                s.retransmitted = true;
                s.at = now;
                s.order = order;
            }
        }
        let from = self.sent.back().map_or(start, |last| if last.end > start { last.end } else { start });
        if from < end {
            self.sent.push_back(Sent { start: from, end, at: now, order, retransmitted: retransmission });
        }
    }

    /// The segments in flight, in sequence order, as RACK reads them.
    pub fn segments(&self) -> impl Iterator<Item = SentSegment> + '_ {
        self.sent.iter().map(|s| SentSegment {
            start: s.start,
            end: s.end,
            sent_at: s.at,
            sent_order: s.order,
            retransmitted: s.retransmitted,
        })
    }

    /// How many segments are in flight (Linux's `packets_out`).
    pub fn segments_in_flight(&self) -> usize {
        self.sent.len()
    }

    /// When the oldest segment in flight last left.
    pub fn oldest_sent_at(&self) -> Option<u64> {
        self.sent.front().map(|s| s.at)
    }

    /// An ACK moved `snd_una` to `ack` (`snd_nxt` is what has been sent).
    /// `tsecr_rtt` is what its TSecr measures, if timestamps are in use;
    /// `sacked` when the first and the last segment its SACK blocks newly
    /// delivered, of those sent once, left ([`SackSample`]).
    /// Linux's `tcp_clean_rtx_queue` and `tcp_ack_update_rtt`: segments it
    /// covers whole are done; if none of them was sent twice, the earliest
    /// one's time is the sample; otherwise the SACKed segments', else the
    /// TSecr's, or none. Returns the round trip of the newest segment
    /// covered, or of the last one SACKed when there is one (`ca_rtt_us`,
    /// what congestion control is given).
    pub fn on_ack(
        &mut self,
        ack: SeqNumber,
        snd_nxt: SeqNumber,
        now: u64,
        tsecr_rtt: Option<u64>,
        sacked: Option<SackSample>,
    ) -> Option<u64> {
        let (mut first_sent, mut last_sent, mut retransmitted) = (None, None, false);
        while let Some(s) = self.sent.front().copied() {
            if s.end > ack {
                break;
            }
            self.sent.pop_front();
            retransmitted |= s.retransmitted;
            if !s.retransmitted {
                first_sent.get_or_insert(s.at);
                last_sent = Some(s.at);
            }
        }
        let age = |at: Option<u64>| at.filter(|_| !retransmitted).map(|at| now.saturating_sub(at));
        let sack_ages = sacked.map(|s| (now.saturating_sub(s.first_sent), now.saturating_sub(s.last_sent)));
        let (seq_rtt, ca_rtt) = match (age(first_sent), age(last_sent), sack_ages) {
            (Some(first), Some(_), Some((_, sack_last))) => (Some(first), Some(sack_last)),
            (Some(first), Some(last), None) => (Some(first), Some(last)),
            (_, _, Some((sack_first, sack_last))) => (Some(sack_first), Some(sack_last)),
            _ => (tsecr_rtt, tsecr_rtt),
        };
        if let Some(r) = seq_rtt {
            self.sample(r, ack, snd_nxt);
        }
        ca_rtt
    }

    /// An ACK that moved nothing but SACKed segments sent once
    /// (`tcp_ack_update_rtt` with only `sack_rtt_us`): the first one's
    /// round trip is a sample, taken with `snd_una` where it stands.
    pub fn on_sack(&mut self, una: SeqNumber, snd_nxt: SeqNumber, now: u64, sacked: SackSample) {
        self.sample(now.saturating_sub(sacked.first_sent), una, snd_nxt);
    }

    /// The retransmission timer fired: the next one waits twice as long
    /// (RFC 6298 §5.5), never beyond `rto_max` (Linux's `tcp_retransmit_timer`).
    pub fn back_off(&mut self) {
        self.rto = self.rto.saturating_mul(2).min(self.rto_max).max(MIN_RTO_US);
    }

    /// Forgets the backoff: a SYN that needed retransmitting gives no sample,
    /// and Linux restarts from the initial RTO (`tcp_synack_rtt_meas` has none,
    /// `tcp_init_transfer` resets `icsk_rto` to `TCP_TIMEOUT_INIT`).
    pub fn restart(&mut self, rto_initial: u64) {
        self.rto = rto_initial.max(MIN_RTO_US);
    }

    /// One RTT sample `r`, taken when `snd_una` reached `snd_una`.
    /// Linux's `tcp_rtt_estimator` and `tcp_set_rto`: RFC 6298's smoothing, but
    /// the variance term is the largest deviation seen over the last window of
    /// data and never less than `rto_min`, so the RTO is the smoothed RTT plus
    /// at least `rto_min` (220 ms for a 20 ms RTT), not `max(SRTT + 4·RTTVAR,
    /// rto_min)`. `tcp_bound_rto` then applies the ceiling.
    pub fn sample(&mut self, r: u64, snd_una: SeqNumber, snd_nxt: SeqNumber) {
        self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        match self.srtt8 {
            None => {
                self.srtt8 = Some(r << 3);
                self.mdev = r << 1;
                self.rttvar = self.mdev.max(self.rto_min);
                self.mdev_max = self.rttvar;
                self.rtt_seq = snd_nxt;
            }
            Some(srtt8) => {
                let mut err = r as i64 - (srtt8 >> 3) as i64;
                self.srtt8 = Some(srtt8.saturating_add_signed(err));
                if err < 0 {
                    // A falling RTT moves the deviation eight times slower.
                    err = -err - (self.mdev >> 2) as i64;
                    if err > 0 {
                        err >>= 3;
                    }
                } else {
                    err -= (self.mdev >> 2) as i64;
                }
                self.mdev = self.mdev.saturating_add_signed(err);
                if self.mdev > self.mdev_max {
                    self.mdev_max = self.mdev;
                    self.rttvar = self.rttvar.max(self.mdev_max);
                }
                if snd_una > self.rtt_seq {
                    // A window of data ended: rttvar decays a quarter of the
                    // way towards the window's largest deviation.
                    if self.mdev_max < self.rttvar {
                        self.rttvar -= (self.rttvar - self.mdev_max) >> 2;
                    }
                    self.rtt_seq = snd_nxt;
                    self.mdev_max = self.rto_min;
                }
            }
        }
        let srtt8 = self.srtt8.map_or(1, |s| s.max(1));
        self.srtt8 = Some(srtt8);
        self.rto = ((srtt8 >> 3).saturating_add(self.rttvar)).min(self.rto_max).max(MIN_RTO_US);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000;

    fn estimator() -> RttEstimator {
        RttEstimator::new(1_000 * MS, 200 * MS, 120_000 * MS, SeqNumber(0))
    }

    #[test]
    fn samples_smooth_as_tcp_rtt_estimator_does() {
        let mut e = estimator();
        assert_eq!((e.srtt_us(), e.rto()), (None, 1_000 * MS), "RFC 6298 §2.1: 1 s before any sample");
        // First sample 100 ms: srtt = 100 ms, mdev = 2·100 = 200 ms,
        // rttvar = max(200, rto_min 200) = 200 ms; RTO = 100 + 200 = 300 ms.
        e.sample(100 * MS, SeqNumber(10), SeqNumber(20));
        assert_eq!((e.srtt_us(), e.rttvar, e.rto()), (Some(100_000), 200_000, 300_000));
        // 60 ms, same window (snd_una 15 ≤ rtt_seq 20): err = −40 ms,
        // srtt = 100 − 40/8 = 95 ms; falling: err = 40 − 200/4 = −10 ms (not > 0,
        // so not divided), mdev = 190 ms < mdev_max 200: rttvar stays 200 ms.
        // RTO = 95 + 200 = 295 ms.
        e.sample(60 * MS, SeqNumber(15), SeqNumber(20));
        assert_eq!((e.srtt_us(), e.mdev, e.rttvar, e.rto()), (Some(95_000), 190_000, 200_000, 295_000));
        // 300 ms, ending the window (snd_una 21 > 20): err = 205 ms,
        // srtt8 = 760 + 205 = 965 ms (srtt 120.625 ms); err − 190/4 = 157.5 ms,
        // mdev = 347.5 ms > mdev_max: rttvar = 347.5 ms. Window ends with
        // mdev_max = rttvar (no decay); mdev_max back to rto_min, rtt_seq = 40.
        // RTO = 120.625 + 347.5 = 468.125 ms.
        e.sample(300 * MS, SeqNumber(21), SeqNumber(40));
        assert_eq!((e.srtt_us(), e.mdev, e.rttvar, e.rto()), (Some(120_625), 347_500, 347_500, 468_125));
        assert_eq!((e.mdev_max, e.rtt_seq), (200_000, SeqNumber(40)));
        // 120.625 ms, ending the next window (41 > 40): err = 0, srtt stays;
        // err − 347.5/4 = −86.875 ms, mdev = 260.625 ms > mdev_max 200:
        // mdev_max = 260.625, rttvar stays 347.5. Window ends: rttvar decays by
        // (347.5 − 260.625)/4 = 21.71875 → 21.718 ms (integer µs), to 325.782 ms.
        // RTO = 120.625 + 325.782 = 446.407 ms.
        e.sample(120_625, SeqNumber(41), SeqNumber(60));
        assert_eq!((e.srtt_us(), e.mdev, e.rttvar, e.rto()), (Some(120_625), 260_625, 325_782, 446_407));
    }

    #[test]
    fn a_short_rtt_gives_an_rto_of_srtt_plus_rto_min() {
        // 10 ms: rttvar = max(20, 200) = 200 ms, RTO = 210 ms, not
        // max(10 + 4·5, 200) = 200 ms as RFC 6298 alone would give.
        let mut e = estimator();
        e.sample(10 * MS, SeqNumber(1), SeqNumber(1));
        assert_eq!(e.rto(), 210 * MS);
    }

    #[test]
    fn backoff_doubles_up_to_rto_max_and_restart_forgets_it() {
        let mut e = RttEstimator::new(1_000 * MS, 200 * MS, 5_000 * MS, SeqNumber(0));
        let mut seen = Vec::new();
        for _ in 0..4 {
            e.back_off();
            seen.push(e.rto());
        }
        assert_eq!(seen, vec![2_000 * MS, 4_000 * MS, 5_000 * MS, 5_000 * MS]);
        e.restart(1_000 * MS);
        assert_eq!(e.rto(), 1_000 * MS);
    }

    #[test]
    fn karn_a_retransmitted_segment_gives_no_sample_unless_its_tsecr_does() {
        let mut e = estimator();
        e.on_send(SeqNumber(1), SeqNumber(1_001), 0, false);
        e.on_send(SeqNumber(1), SeqNumber(1_001), 500 * MS, true);
        e.on_ack(SeqNumber(1_001), SeqNumber(1_001), 700 * MS, None, None);
        assert_eq!((e.srtt_us(), e.rto()), (None, 1_000 * MS));
        // Segments sent once are each timed from their own departure.
        e.on_send(SeqNumber(1_001), SeqNumber(2_001), 800 * MS, false);
        e.on_send(SeqNumber(2_001), SeqNumber(3_001), 810 * MS, false);
        e.on_ack(SeqNumber(1_500), SeqNumber(3_001), 830 * MS, None, None);
        assert_eq!(e.srtt_us(), None, "an ACK short of a whole segment is no sample");
        e.on_ack(SeqNumber(2_001), SeqNumber(3_001), 850 * MS, None, None);
        assert_eq!((e.srtt_us(), e.rto()), (Some(50 * MS), 250 * MS));
        // The second segment is resent; the ACK covering it measures by TSecr.
        e.on_send(SeqNumber(2_001), SeqNumber(3_001), 900 * MS, true);
        e.on_ack(SeqNumber(3_001), SeqNumber(3_001), 950 * MS, Some(90 * MS), None);
        assert_eq!(e.srtt_us(), Some(55 * MS), "50 + (90 - 50) / 8");
        assert!(e.sent.is_empty());
    }

    #[test]
    fn congestion_control_is_given_the_newest_segments_round_trip_under_karns_rule() {
        let mut e = estimator();
        for (k, at) in [(0u32, 0), (1, 10 * MS), (2, 20 * MS), (3, 30 * MS)] {
            e.on_send(SeqNumber(1 + 1_000 * k), SeqNumber(1_001 + 1_000 * k), at, false);
        }
        // One ACK for the first three: the RTO is timed from the oldest
        // (seq_rtt 100 ms), CUBIC from the newest (ca_rtt 80 ms).
        assert_eq!(e.on_ack(SeqNumber(3_001), SeqNumber(4_001), 100 * MS, None, None), Some(80 * MS));
        assert_eq!(e.srtt_us(), Some(100 * MS));
        // The last one is resent (a SACK hole, say): its ACK times nothing but
        // by its TSecr, for either.
        e.on_send(SeqNumber(3_001), SeqNumber(4_001), 150 * MS, true);
        assert_eq!(e.on_ack(SeqNumber(4_001), SeqNumber(4_001), 200 * MS, None, None), None);
        e.on_send(SeqNumber(4_001), SeqNumber(5_001), 210 * MS, false);
        e.on_send(SeqNumber(4_001), SeqNumber(5_001), 260 * MS, true);
        assert_eq!(e.on_ack(SeqNumber(5_001), SeqNumber(5_001), 300 * MS, Some(40 * MS), None), Some(40 * MS));
    }

    #[test]
    fn sacked_segments_sent_once_give_a_sample_where_the_cumulative_ack_has_none() {
        // tcp_ack_update_rtt: seq_rtt from the cumulative ACK, else from the
        // first segment newly SACKed (sack_rtt_us), else the TSecr; ca_rtt
        // from the last one SACKed whenever there is one.
        let mut e = estimator();
        e.sample(1_000 * MS, SeqNumber(1), SeqNumber(1));
        let sacked = SackSample { first_sent: 100 * MS, last_sent: 110 * MS };
        // Nothing acknowledged: the SACKed segment's round trip, 20 ms, is
        // the sample, and min_rtt falls to it.
        e.on_sack(SeqNumber(1), SeqNumber(5_001), 120 * MS, sacked);
        assert_eq!(e.min_rtt_us(), Some(20 * MS));
        // A cumulative ACK of a resend times nothing itself: the SACK's
        // sample goes first, before the TSecr's.
        e.on_send(SeqNumber(1), SeqNumber(1_001), 150 * MS, true);
        let ca = e.on_ack(SeqNumber(1_001), SeqNumber(5_001), 200 * MS, Some(90 * MS), Some(sacked));
        assert_eq!(ca, Some(90 * MS), "ca_rtt from the last segment SACKed (sent at 110 ms)");
        assert_eq!(e.min_rtt_us(), Some(20 * MS), "100 ms, not the TSecr's 90, and not below 20");
    }

    #[test]
    fn the_ceiling_wins_over_everything_and_the_floor_is_one_microsecond() {
        let mut e = RttEstimator::new(0, 0, 100 * MS, SeqNumber(0));
        assert_eq!(e.rto(), MIN_RTO_US);
        e.sample(0, SeqNumber(1), SeqNumber(1));
        assert_eq!(e.rto(), MIN_RTO_US, "srtt 0 and rttvar 0 still arm a timer");
        e.sample(1_000 * MS, SeqNumber(2), SeqNumber(2));
        assert_eq!(e.rto(), 100 * MS);
    }
}
