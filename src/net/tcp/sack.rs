//! The sender's side of SACK (RFC 2018): what the peer's SACK blocks say it
//! holds beyond the cumulative ACK, which holes are therefore lost, how much
//! is really in the network (`pipe`), and how fast to send during recovery.
//!
//! Linux keeps these facts as bits on each skb of its retransmission queue
//! (`TCPCB_SACKED_ACKED`, `TCPCB_LOST`, `TCPCB_SACKED_RETRANS`, set by
//! `tcp_sacktag_write_queue` and `tcp_mark_skb_lost`). The scoreboard keeps
//! the same three facts as sets of sequence ranges above `snd_una` (the send
//! queue only remembers where the segments sent ended, to count them); a
//! range is at most a window long, so the wrap-aware comparisons of
//! [`SeqNumber`] hold.
//!
//! Which holes are lost is RACK's to decide (rack.rs, as Linux 6.18 decides
//! with `tcp_rack_mark_lost`); the scoreboard records its verdicts.

use super::segment::SeqNumber;

/// Sorted, disjoint, non-adjacent ranges `[start, end)` of sequence numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RangeSet(Vec<(SeqNumber, SeqNumber)>);

impl RangeSet {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    /// Bytes covered.
    fn len(&self) -> u32 {
        self.0.iter().map(|&(s, e)| e - s).sum()
    }

    /// Adds `[start, end)`, merging what it touches; returns how many bytes were new.
    fn insert(&mut self, start: SeqNumber, end: SeqNumber) -> u32 {
        if end <= start {
            return 0;
        }
        let before = self.len();
        // Ranges before `first` end short of `start`; from there on, every
        // range starting by `end` touches the new one and joins it.
        let first = self.0.iter().position(|&(_, re)| start <= re).unwrap_or(self.0.len());
        let (mut s, mut e, mut last) = (start, end, first);
        while let Some(&(rs, re)) = self.0.get(last).filter(|&&(rs, _)| rs <= e) {
            if rs < s {
                s = rs;
            }
            if e < re {
                e = re;
            }
            last += 1;
        }
        self.0.splice(first..last, std::iter::once((s, e)));
        self.len() - before
    }

    /// Takes `[start, end)` out.
    fn remove(&mut self, start: SeqNumber, end: SeqNumber) {
        if end <= start {
            return;
        }
        let mut i = 0;
        while let Some(&(rs, re)) = self.0.get(i) {
            if re <= start {
                i += 1;
                continue;
            }
            if end <= rs {
                break;
            }
            match (rs < start, end < re) {
                (true, true) => {
                    self.0[i].1 = start;
                    self.0.insert(i + 1, (end, re));
                    break;
                }
                (true, false) => {
                    self.0[i].1 = start;
                    i += 1;
                }
                (false, true) => {
                    self.0[i].0 = end;
                    break;
                }
                (false, false) => {
                    self.0.remove(i);
                }
            }
        }
    }

    /// Forgets everything before `una`.
    fn trim_below(&mut self, una: SeqNumber) {
        self.0.retain(|&(_, e)| una < e);
        if let Some(first) = self.0.first_mut() {
            if first.0 < una {
                first.0 = una;
            }
        }
    }

    /// Whether every byte of `start..end` is in the set.
    fn covers(&self, start: SeqNumber, end: SeqNumber) -> bool {
        self.containing(start).is_some_and(|(_, e)| end <= e)
    }

    /// Whether any byte of `start..end` is in the set.
    fn overlaps(&self, start: SeqNumber, end: SeqNumber) -> bool {
        self.0.iter().any(|&(s, e)| s < end && start < e)
    }

    /// The range holding `seq`, if one does.
    fn containing(&self, seq: SeqNumber) -> Option<(SeqNumber, SeqNumber)> {
        self.0.iter().copied().find(|&(s, e)| s <= seq && seq < e)
    }

    /// The first range starting at or after `seq`.
    fn next_from(&self, seq: SeqNumber) -> Option<(SeqNumber, SeqNumber)> {
        self.0.iter().copied().find(|&(s, _)| seq <= s)
    }
}

/// The sender's SACK scoreboard.
#[derive(Clone, Debug, Default)]
pub struct Scoreboard {
    /// Bytes the peer holds beyond `snd_una` (`TCPCB_SACKED_ACKED`).
    sacked: RangeSet,
    /// Bytes judged lost and not yet sent again (`TCPCB_LOST` without
    /// `TCPCB_SACKED_RETRANS`): they are not in the network.
    lost: RangeSet,
    /// Bytes judged lost and sent again since (`TCPCB_LOST` with
    /// `TCPCB_SACKED_RETRANS`), until SACKed or acknowledged: back in the
    /// network, but still in Linux's `lost_out`. A tail loss probe's resend
    /// is not among them (`__tcp_retransmit_skb` marks no loss).
    retransmitted: RangeSet,
    /// After a retransmission timeout, until this is acknowledged (Linux's
    /// `TCP_CA_Loss` up to `high_seq`): the timeout's go-back-N is the
    /// recovery, and SACKs do not start another one.
    loss_until: Option<SeqNumber>,
    /// Segments RACK has judged lost so far (Linux's `tp->lost` as
    /// `tcp_mark_skb_lost` counts it): what one ACK marked is the difference.
    marked_lost: u32,
}

impl Scoreboard {
    /// Reads one ACK (Linux's `tcp_sacktag_write_queue` and
    /// `tcp_clean_rtx_queue`): it acknowledges up to `una` (from `prior_una`)
    /// and carries `blocks`, with `snd_max` the highest sequence sent.
    /// Blocks at or below `una` (a D-SACK, RFC 2883, or news already old) and
    /// blocks beyond what was sent are ignored, as `tcp_is_sackblock_valid`
    /// does. Returns the bytes this ACK delivered (`tcp_newly_delivered`):
    /// newly SACKed ones, and newly acknowledged ones not SACKed before.
    pub fn on_ack(&mut self, prior_una: SeqNumber, una: SeqNumber, snd_max: SeqNumber, blocks: &[(u32, u32)]) -> u32 {
        let sacked_before = self.sacked.len();
        self.trim(una);
        let acked_sacked = sacked_before - self.sacked.len();
        let mut newly = (una - prior_una).saturating_sub(acked_sacked);
        for &(left, right) in blocks {
            let (left, right) = (SeqNumber(left), SeqNumber(right));
            if right <= left || right <= una || snd_max < right {
                continue;
            }
            let left = if left < una { una } else { left };
            newly += self.sacked.insert(left, right);
            self.lost.remove(left, right);
            self.retransmitted.remove(left, right);
        }
        newly
    }

    /// `snd_una` moved to `una`: what lies before it is the past. A timeout's
    /// loss episode ends once its `high_seq` is acknowledged.
    pub fn trim(&mut self, una: SeqNumber) {
        self.sacked.trim_below(una);
        self.lost.trim_below(una);
        self.retransmitted.trim_below(una);
        if self.loss_until.is_some_and(|until| until <= una) {
            self.loss_until = None;
        }
    }

    /// Whether the peer has reported anything beyond the cumulative ACK.
    pub fn has_sacked(&self) -> bool {
        !self.sacked.is_empty()
    }

    /// Whether the peer has SACKed all of `start..end`.
    pub fn covers(&self, start: SeqNumber, end: SeqNumber) -> bool {
        self.sacked.covers(start, end)
    }

    /// The end of the highest range the peer has SACKed.
    pub fn highest_sacked(&self) -> Option<SeqNumber> {
        self.sacked.0.last().map(|&(_, end)| end)
    }

    /// Whether a hole is judged lost and waits to be sent again.
    pub fn has_lost(&self) -> bool {
        !self.lost.is_empty()
    }

    /// Whether anything judged lost is still out (Linux's `lost_out` above
    /// zero): waiting to go again, or gone again and not yet SACKed or
    /// acknowledged.
    pub fn lost_out(&self) -> bool {
        !self.lost.is_empty() || !self.retransmitted.is_empty()
    }

    /// Whether a retransmission timeout's recovery is still going on.
    pub fn in_loss(&self) -> bool {
        self.loss_until.is_some()
    }

    /// Whether `start..end`, one segment sent, is still in the network as far
    /// as RACK can tell: not all of it SACKed, and none of it marked lost and
    /// waiting to go again (`tcp_rack_detect_loss` skips those).
    pub fn may_be_lost(&self, start: SeqNumber, end: SeqNumber) -> bool {
        !self.sacked.covers(start, end) && !self.lost.overlaps(start, end)
    }

    /// RACK judged the segment `start..end` lost (`tcp_mark_skb_lost`): what
    /// of it the peer has not SACKed waits to be sent again, a lost
    /// retransmission included.
    pub fn mark_segment_lost(&mut self, start: SeqNumber, end: SeqNumber) {
        self.marked_lost = self.marked_lost.wrapping_add(1);
        self.retransmitted.remove(start, end);
        self.lost.insert(start, end);
        for &(s, e) in &self.sacked.0 {
            self.lost.remove(s, e);
        }
    }

    /// Segments judged lost so far, counted as they were marked; only
    /// differences mean anything.
    pub fn marked_lost(&self) -> u32 {
        self.marked_lost
    }

    /// How many segments the peer holds beyond the cumulative ACK (Linux's
    /// `sacked_out`): `packets(start, end)` counts the segments sent in a range.
    pub fn sacked_segments(&self, packets: impl Fn(SeqNumber, SeqNumber) -> u32) -> u32 {
        self.sacked.0.iter().map(|&(s, e)| packets(s, e)).sum()
    }

    /// How many segments are marked lost and not yet sent again (Linux's
    /// `lost_out` less what `retrans_out` brought back), given how many
    /// segments a range holds.
    pub fn lost_segments(&self, packets: impl Fn(SeqNumber, SeqNumber) -> u32) -> u32 {
        self.lost.0.iter().map(|&(s, e)| packets(s, e)).sum()
    }

    /// How many segments are marked lost, sent again or not (Linux's `lost_out`).
    pub fn lost_out_segments(&self, packets: impl Fn(SeqNumber, SeqNumber) -> u32) -> u32 {
        self.lost_segments(&packets) + self.retransmitted.0.iter().map(|&(s, e)| packets(s, e)).sum::<u32>()
    }

    /// Whether the byte at `seq` is marked lost, sent again since or not
    /// (`TCPCB_LOST`, which a retransmission keeps).
    pub fn marked_lost_at(&self, seq: SeqNumber) -> bool {
        self.lost.containing(seq).is_some() || self.retransmitted.containing(seq).is_some()
    }

    /// A retransmission timeout at `snd_una`..`snd_max` (Linux's
    /// `tcp_timeout_mark_lost`): everything not SACKed is lost, and earlier
    /// retransmissions count for nothing. The SACKed ranges are kept, so the
    /// go-back-N that follows skips them; only if the peer's blocks start at
    /// `snd_una` itself has it reneged (its ACK would have covered them), and
    /// then they are all forgotten.
    pub fn enter_loss(&mut self, una: SeqNumber, snd_max: SeqNumber) {
        if self.sacked.containing(una).is_some() {
            self.sacked.clear();
        }
        self.retransmitted.clear();
        self.lost.clear();
        self.lost.insert(una, snd_max);
        for &(s, e) in &self.sacked.0 {
            self.lost.remove(s, e);
        }
        self.loss_until = Some(snd_max);
    }

    /// The timeout proved spurious (`tcp_undo_cwnd_reduction` with
    /// `unmark_loss`): nothing is lost any more, resends in flight included
    /// (`lost_out` is 0, so no recovery starts for them), and its episode is
    /// over unless it `lasts`.
    pub fn undo_loss(&mut self, lasts: bool) {
        self.lost.clear();
        self.retransmitted.clear();
        if !lasts {
            self.loss_until = None;
        }
    }

    /// `seq..end` was just sent again.
    pub fn on_retransmit(&mut self, seq: SeqNumber, end: SeqNumber) {
        if self.lost.overlaps(seq, end) {
            self.retransmitted.insert(seq, end);
        }
        self.lost.remove(seq, end);
    }

    /// The scoreboard's own consistency with `una..snd_max` outstanding: every
    /// range lies inside it, in order, and nothing SACKed is also lost.
    pub fn check(&self, una: SeqNumber, snd_max: SeqNumber) -> Result<(), String> {
        for set in [&self.sacked, &self.lost, &self.retransmitted] {
            let mut prev = una;
            for &(s, e) in &set.0 {
                if s < prev || e <= s || snd_max < e {
                    return Err(format!(
                        "scoreboard range {}..{} outside {}..{} or out of order",
                        s.0, e.0, una.0, snd_max.0
                    ));
                }
                prev = e;
            }
        }
        for &(s, e) in &self.lost.0 {
            if self.sacked.0.iter().any(|&(ss, se)| ss < e && s < se) {
                return Err(format!("bytes {}..{} both SACKed and lost", s.0, e.0));
            }
        }
        Ok(())
    }

    /// The first lost byte waiting to be sent again and how many follow it
    /// (RFC 6675 `NextSeg` rule 1, Linux's `tcp_xmit_retransmit_queue` walk).
    pub fn next_lost(&self) -> Option<(SeqNumber, u32)> {
        self.lost.0.first().map(|&(s, e)| (s, e - s))
    }

    /// Whether the byte at `seq` is marked lost, waiting to be resent.
    pub fn is_lost(&self, seq: SeqNumber) -> bool {
        self.lost.containing(seq).is_some()
    }

    /// Where sending from `seq` must go instead: past a SACKed range it lies
    /// in, since the peer has those bytes (`tcp_retransmit_skb` is never
    /// asked for a SACKed skb).
    pub fn skip_sacked(&self, seq: SeqNumber) -> SeqNumber {
        self.sacked.containing(seq).map_or(seq, |(_, end)| end)
    }

    /// How many bytes from `seq` may go before the next SACKed range.
    pub fn room_before_sacked(&self, seq: SeqNumber) -> Option<u32> {
        self.sacked.next_from(seq).map(|(start, _)| start - seq)
    }
}

/// Linux's `tcp_reordering`: the SACKed segments (or, without SACK,
/// duplicate ACKs) beyond a hole that prove it lost.
const REORDERING_DEFAULT: u32 = 3;
/// `tcp_max_reordering`.
const REORDERING_MAX: u32 = 300;

/// Without SACK, Linux lets duplicate ACKs stand in for SACK blocks
/// (`tcp_add_reno_sack`, "emulate SACKs for SACKless connection"): each
/// says one more segment beyond the hole reached the peer, so it leaves the
/// count of what is in flight (`sacked_out`) as a SACKed segment would, and
/// new data may take its place (RFC 3042's limited transmit, in effect). The
/// count cannot pass what is out less the hole (`tcp_limit_reno_sacked`);
/// more duplicates than that mean the path reorders, and raise the count
/// that proves a loss (`tcp_check_reno_reordering`).
#[derive(Clone, Copy, Debug)]
pub struct DupAckSacks {
    sacked: u32,
    reordering: u32,
}

impl Default for DupAckSacks {
    fn default() -> DupAckSacks {
        DupAckSacks { sacked: 0, reordering: REORDERING_DEFAULT }
    }
}

impl DupAckSacks {
    /// Segments the duplicate ACKs say the peer holds (`sacked_out`).
    pub fn sacked(&self) -> u32 {
        self.sacked
    }

    /// One duplicate ACK (`tcp_add_reno_sack`) with `packets_out` segments
    /// out, `lost_out` of them marked lost. Returns the segments it delivered.
    pub fn add(&mut self, packets_out: u32, lost_out: u32) -> u32 {
        let prior = self.sacked;
        self.sacked += 1;
        self.limit(packets_out, lost_out, 0);
        self.sacked.saturating_sub(prior)
    }

    /// A cumulative ACK of `acked` segments (`tcp_remove_reno_sacks`), with
    /// `packets_out` left out: one of them filled the hole, the rest had been
    /// counted by duplicates. Returns the segments it delivered.
    pub fn remove(&mut self, acked: u32, packets_out: u32, lost_out: u32) -> u32 {
        let mut delivered = 0;
        if acked > 0 {
            delivered = acked.saturating_sub(self.sacked).max(1);
            self.sacked = self.sacked.saturating_sub(acked - 1);
        }
        self.limit(packets_out, lost_out, acked);
        delivered
    }

    /// `tcp_reset_reno_sack`: `snd_una` moved in Open or Disorder, a
    /// recovery reached its end, or a timeout came.
    pub fn reset(&mut self) {
        self.sacked = 0;
    }

    /// Enough duplicates to take the first unacknowledged segment for lost
    /// (`tcp_newreno_mark_lost`: `sacked_out >= reordering`).
    pub fn prove_loss(&self) -> bool {
        self.sacked >= self.reordering
    }

    /// A retransmission timeout in Open or Disorder after at least
    /// `tcp_reordering` duplicates (`tcp_enter_loss`): reordering was
    /// over-estimated, and falls back to the default.
    pub fn on_timeout(&mut self) {
        if self.sacked >= REORDERING_DEFAULT {
            self.reordering = self.reordering.min(REORDERING_DEFAULT);
        }
        self.sacked = 0;
    }

    /// `tcp_check_reno_reordering`: the duplicates and the holes together
    /// cannot be more than what is out.
    fn limit(&mut self, packets_out: u32, lost_out: u32, addend: u32) {
        let holes = lost_out.max(1).min(packets_out);
        if self.sacked + holes > packets_out {
            self.sacked = packets_out - holes;
            self.reordering = (packets_out + addend).min(REORDERING_MAX);
        }
    }
}

/// Proportional rate reduction (RFC 6937), as Linux's `tcp_cwnd_reduction`
/// does it during recovery, counting segments as Linux counts packets: cwnd
/// falls towards ssthresh in step with what the peer reports delivered,
/// instead of halving at once and going silent for half a round trip.
#[derive(Clone, Copy, Debug, Default)]
pub struct Prr {
    /// cwnd in segments when recovery started (`prior_cwnd`, RFC 6937's RecoverFS).
    prior_cwnd: u64,
    /// Segments the peer newly acknowledged or SACKed since (`prr_delivered`).
    delivered: u64,
    /// Segments sent since (`prr_out`).
    out: u64,
}

impl Prr {
    /// `tcp_init_cwnd_reduction`, with cwnd `prior_cwnd` bytes.
    pub fn start(prior_cwnd: u32, mss: u32) -> Prr {
        Prr { prior_cwnd: u64::from(prior_cwnd / mss.max(1)).max(1), delivered: 0, out: 0 }
    }

    /// A segment left during recovery.
    pub fn on_send(&mut self) {
        self.out += 1;
    }

    /// The cwnd in bytes for this ACK (`tcp_cwnd_reduction`), which newly
    /// delivered `newly` segments (Linux's `acked_sacked`: acknowledged or
    /// SACKed for the first time, and the needless copies a D-SACK names)
    /// with `pipe` bytes still in the network: while `pipe` is above
    /// ssthresh, send ssthresh/prior_cwnd of what was delivered; at or below
    /// it, grow back to ssthresh (RFC 6937's slow-start reduction bound: what
    /// was delivered, one segment more when `snd_una` advanced and the ACK
    /// marked nothing newly lost, `grow`). The first retransmission always goes.
    pub fn cwnd(&mut self, newly: u32, pipe: u32, ssthresh: u32, mss: u32, grow: bool) -> u32 {
        let mss = mss.max(1);
        let newly = u64::from(newly);
        self.delivered += newly;
        let (in_flight, ssthresh) = (u64::from(pipe.div_ceil(mss)), u64::from(ssthresh / mss));
        let sndcnt = if in_flight > ssthresh {
            (ssthresh * self.delivered).div_ceil(self.prior_cwnd).saturating_sub(self.out)
        } else {
            let grown = self.delivered.saturating_sub(self.out).max(newly) + u64::from(grow);
            grown.min(ssthresh - in_flight)
        };
        let sndcnt = if self.out == 0 { sndcnt.max(1) } else { sndcnt };
        let cwnd = pipe.saturating_add((sndcnt.min(u64::from(u32::MAX / mss)) as u32) * mss);
        cwnd.max(mss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: u32 = 1000;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    #[test]
    fn ranges_merge_when_they_touch_and_split_when_cut() {
        let mut r = RangeSet::default();
        assert_eq!(r.insert(s(10), s(20)), 10);
        assert_eq!(r.insert(s(30), s(40)), 10);
        assert_eq!(r.insert(s(0), s(5)), 5);
        assert_eq!(r.insert(s(20), s(30)), 10, "fills the gap and joins both sides");
        assert_eq!(r.0, vec![(s(0), s(5)), (s(10), s(40))]);
        assert_eq!(r.insert(s(3), s(12)), 5);
        assert_eq!(r.0, vec![(s(0), s(40))]);
        r.remove(s(10), s(20));
        r.remove(s(35), s(50));
        r.remove(s(0), s(2));
        assert_eq!(r.0, vec![(s(2), s(10)), (s(20), s(35))]);
        r.remove(s(0), s(100));
        assert!(r.is_empty());
        // Across the 2^32 wrap.
        assert_eq!(r.insert(s(u32::MAX - 9), s(10)), 20);
        r.remove(s(u32::MAX), s(1));
        assert_eq!(r.0, vec![(s(u32::MAX - 9), s(u32::MAX)), (s(1), s(10))]);
    }

    #[test]
    fn blocks_are_merged_and_old_or_unsent_ones_ignored() {
        let mut sb = Scoreboard::default();
        // Sent 0..10000; ACK 1000 with blocks 2000-3000, 3000-4000, a D-SACK
        // 0-1000 and one beyond what was sent.
        let newly = sb.on_ack(s(0), s(1000), s(10_000), &[(2000, 3000), (0, 1000), (3000, 4000), (9000, 11_000)]);
        assert_eq!(newly, 3000, "1000 acknowledged, 2000 SACKed");
        assert_eq!(sb.sacked.0, vec![(s(2000), s(4000))]);
        assert_eq!(sb.on_ack(s(1000), s(1000), s(10_000), &[(2500, 3500)]), 0, "nothing new");
        assert_eq!(sb.on_ack(s(1000), s(3000), s(10_000), &[(3000, 4000)]), 1000, "only 1000-2000 is news");
        assert_eq!(sb.sacked_segments(by_mss), 1, "7000 outstanding, 1000 SACKed");
    }

    /// Segments of `MSS` bytes each.
    fn by_mss(start: SeqNumber, end: SeqNumber) -> u32 {
        (end - start).div_ceil(MSS)
    }

    #[test]
    fn a_segment_marked_lost_leaves_the_pipe_until_it_is_sent_again() {
        let mut sb = Scoreboard::default();
        sb.on_ack(s(0), s(0), s(10_000), &[(1000, 4000)]);
        assert_eq!(sb.sacked_segments(by_mss), 3);
        assert!(sb.may_be_lost(s(0), s(1000)));
        assert!(!sb.may_be_lost(s(1000), s(2000)), "SACKed");
        sb.mark_segment_lost(s(0), s(1000));
        assert_eq!(sb.next_lost(), Some((s(0), 1000)));
        assert!(!sb.may_be_lost(s(0), s(1000)), "already waiting to go again");
        // 10 sent, 3 SACKed, 1 lost: 6 in flight.
        assert_eq!((sb.sacked_segments(by_mss), sb.lost_segments(by_mss)), (3, 1));
        sb.on_retransmit(s(0), s(1000));
        assert!(!sb.has_lost());
        assert!(sb.may_be_lost(s(0), s(1000)), "a retransmission can be lost too");
        assert_eq!(sb.lost_segments(by_mss), 0, "sent again: in flight once more");
    }

    #[test]
    fn a_segment_partly_sacked_is_lost_only_where_the_peer_lacks_it() {
        let mut sb = Scoreboard::default();
        sb.on_ack(s(0), s(0), s(10_000), &[(4000, 7000), (1500, 3000)]);
        sb.mark_segment_lost(s(1000), s(2000));
        sb.mark_segment_lost(s(3000), s(4000));
        assert_eq!(sb.lost.0, vec![(s(1000), s(1500)), (s(3000), s(4000))]);
        assert_eq!(sb.skip_sacked(s(1500)), s(3000));
        assert_eq!(sb.room_before_sacked(s(3000)), Some(1000));
    }

    #[test]
    fn a_timeout_keeps_sacked_ranges_and_marks_the_rest_lost() {
        let mut sb = Scoreboard::default();
        sb.on_ack(s(0), s(0), s(5000), &[(1000, 2000)]);
        sb.enter_loss(s(0), s(5000));
        assert_eq!(sb.lost.0, vec![(s(0), s(1000)), (s(2000), s(5000))]);
        assert!(sb.in_loss());
        sb.trim(s(5000));
        assert!(!sb.in_loss());
        // Reneging: blocks starting at snd_una are forgotten.
        let mut sb = Scoreboard::default();
        sb.on_ack(s(0), s(0), s(5000), &[(1000, 2000)]);
        sb.trim(s(1000));
        sb.enter_loss(s(1000), s(5000));
        assert!(!sb.has_sacked());
        assert_eq!(sb.lost.0, vec![(s(1000), s(5000))]);
    }

    #[test]
    fn duplicate_acks_count_as_sacked_segments_up_to_what_is_out() {
        let mut dups = DupAckSacks::default();
        // Ten out, none lost: each duplicate delivers one; the third proves the loss.
        assert_eq!((dups.add(10, 0), dups.add(10, 0)), (1, 1));
        assert!(!dups.prove_loss());
        assert_eq!(dups.add(10, 0), 1);
        assert!(dups.prove_loss());
        // A cumulative ACK of four segments: one filled the hole, three had
        // been counted by duplicates, so it delivers one.
        assert_eq!(dups.remove(4, 6, 0), 1);
        assert_eq!(dups.sacked(), 0);
        // More duplicates than segments out less the hole: the rest is
        // reordering, and four duplicates now prove a loss.
        let mut dups = DupAckSacks::default();
        for _ in 0..3 {
            dups.add(4, 1);
        }
        assert_eq!(dups.add(4, 1), 0, "a fourth duplicate with four out delivers nothing");
        assert_eq!(dups.sacked(), 3);
        dups.reset();
        for _ in 0..3 {
            dups.add(10, 0);
        }
        assert!(!dups.prove_loss(), "reordering is four now");
        // A timeout after as many duplicates as tcp_reordering says the
        // reordering was over-estimated.
        dups.on_timeout();
        assert_eq!(dups.sacked(), 0);
        for _ in 0..3 {
            dups.add(10, 0);
        }
        assert!(dups.prove_loss());
    }

    #[test]
    fn prr_sends_ssthresh_over_prior_cwnd_of_what_is_delivered() {
        // prior cwnd 10 segments, ssthresh 5: one segment per two delivered,
        // the first retransmission at once.
        let mut prr = Prr::start(10 * MSS, MSS);
        assert_eq!(prr.cwnd(1, 6 * MSS, 5 * MSS, MSS, false), 7 * MSS);
        prr.on_send();
        assert_eq!(prr.cwnd(1, 6 * MSS, 5 * MSS, MSS, false), 6 * MSS, "2 delivered: 1 due, sent");
        assert_eq!(prr.cwnd(1, 5 * MSS, 5 * MSS, MSS, false), 5 * MSS, "at ssthresh: no room");
        for _ in 0..3 {
            prr.on_send();
        }
        assert_eq!(prr.cwnd(1, 3 * MSS, 5 * MSS, MSS, false), 4 * MSS, "below: what was delivered");
        assert_eq!(prr.cwnd(1, 3 * MSS, 5 * MSS, MSS, true), 5 * MSS, "below, snd_una on, none lost: one more");
    }
}
