//! RFC 7323 timestamps as Linux keeps them for one connection: whether both
//! ends agreed to them, the clock every TSval reads, and which of the peer's
//! TSvals to echo.
//!
//! Linux's timestamp clock ticks once a millisecond (`TCP_TS_HZ`,
//! `tcp_time_stamp_ts` → `tcp_clock_ms`), and each connection adds a random
//! offset to it (`secure_tcp_ts_off`, drawn at `connect` and at the SYN a
//! listener answers), so TSvals tell an observer nothing about the host's
//! uptime and differ between connections. The offset here is the world's
//! seeded draw, so a replay sends the same TSvals.

use super::segment::{SeqNumber, TcpSegment};

/// Bytes the option takes in every segment once in use: two NOPs and the
/// 10-byte option (`TCPOLEN_TSTAMP_ALIGNED`). Linux's `tcp_current_mss` takes
/// them off the payload, so an MSS of 1460 carries 1448 bytes.
pub const TIMESTAMPS_OPTION_LEN: u32 = 12;

/// The numbers a new connection draws from the world's RNG: its initial
/// sequence number and its timestamp offset. A bare `u32` is an ISS with
/// offset 0, so a TSval reads the clock itself (handy in exact-segment tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitialNumbers {
    pub iss: u32,
    pub ts_offset: u32,
}

impl From<u32> for InitialNumbers {
    fn from(iss: u32) -> InitialNumbers {
        InitialNumbers { iss, ts_offset: 0 }
    }
}

#[derive(Clone, Debug)]
pub struct Timestamps {
    /// `net.ipv4.tcp_timestamps` on this host: our SYN offers the option and
    /// our SYN-ACK accepts it.
    offered: bool,
    /// Both SYNs carried the option (`rx_opt.tstamp_ok`): every segment does now.
    in_use: bool,
    /// `tsoffset`: added to the clock in each TSval.
    offset: u32,
    /// `rx_opt.ts_recent`: the peer's TSval our segments echo.
    recent: u32,
    /// `rcv_wup`: `rcv_nxt` when we last sent a window (every segment does),
    /// RFC 7323's Last.ACK.sent.
    last_ack_sent: SeqNumber,
    /// `ts_recent_stamp` was set before this connection's handshake: it took
    /// the peer's last TSval over from a connection in TIME-WAIT.
    carried: bool,
}

impl Timestamps {
    pub fn new(offered: bool, offset: u32) -> Timestamps {
        Timestamps { offered, in_use: false, offset, recent: 0, last_ack_sent: SeqNumber(0), carried: false }
    }

    pub fn in_use(&self) -> bool {
        self.in_use
    }

    /// What a connection taking over this one's four-tuple from TIME-WAIT
    /// keeps (`tcp_twsk_unique`): the peer's last TSval, which its SYN
    /// echoes. Its clock reads on, for Linux draws the offset from the
    /// addresses (`secure_tcp_ts_off`), which are the same.
    pub fn carried_over(&self, offered: bool) -> Timestamps {
        let (offset, recent) = (self.offset, self.recent);
        Timestamps { offered, in_use: false, offset, recent, last_ack_sent: SeqNumber(0), carried: true }
    }

    /// What `tcp_select_initial_window` takes off the MSS when it rounds a
    /// SYN's window to whole segments: the option's room once the peer's
    /// TSval is known (`ts_recent_stamp`: a SYN-ACK's, or a SYN on a
    /// four-tuple taken over from TIME-WAIT, whose window is 65160, not 64240).
    pub fn syn_window_cut(&self) -> u32 {
        if self.in_use || self.carried {
            TIMESTAMPS_OPTION_LEN
        } else {
            0
        }
    }

    /// What the option takes off each segment's payload.
    pub fn option_len(&self) -> u32 {
        if self.in_use {
            TIMESTAMPS_OPTION_LEN
        } else {
            0
        }
    }

    /// `tcp_time_stamp_ts(tp) + tp->tsoffset`: milliseconds, wrapping.
    pub fn tsval(&self, now_us: u64) -> u32 {
        ((now_us / 1_000) as u32).wrapping_add(self.offset)
    }

    /// The option a SYN (`tcp_syn_options`: offered, TSecr 0 until the peer
    /// spoke) or a SYN-ACK (`tcp_synack_options`: only when the peer's SYN
    /// offered it, echoing that SYN's TSval) carries.
    pub fn syn_option(&self, now_us: u64, with_ack: bool) -> Option<(u32, u32)> {
        let send = if with_ack { self.in_use } else { self.offered };
        send.then(|| (self.tsval(now_us), self.recent))
    }

    /// The option every other segment carries once both ends agreed
    /// (`tcp_established_options`), and the window it sends moves
    /// Last.ACK.sent to `rcv_nxt` (`tcp_select_window` sets `rcv_wup`).
    pub fn option(&mut self, now_us: u64, rcv_nxt: SeqNumber) -> Option<(u32, u32)> {
        self.last_ack_sent = rcv_nxt;
        self.in_use.then(|| (self.tsval(now_us), self.recent))
    }

    /// The peer's SYN or SYN-ACK: the option is in use when both sent it
    /// (`tcp_openreq_init` with `tcp_synack_options` on the listener,
    /// `tcp_rcv_synsent_state_process` on the client), and its TSval is the
    /// first to echo (`tcp_store_ts_recent`).
    pub fn on_syn(&mut self, syn: &TcpSegment) {
        match syn.timestamps {
            Some((tsval, _)) if self.offered => {
                self.in_use = true;
                self.recent = tsval;
                self.last_ack_sent = syn.seq_number() + 1;
            }
            _ => self.in_use = false,
        }
    }

    /// `tcp_replace_ts_recent`: a segment that starts at or before the last
    /// ACK we sent (`!after(seq, rcv_wup)`) and is not older than what we echo
    /// gives the TSval to echo. So while an ACK is delayed over several
    /// segments, the echo stays the first one's TSval (RFC 7323 §4.3): the
    /// peer measures the RTT including the delay.
    pub fn on_segment(&mut self, seg: &TcpSegment) {
        let Some((tsval, _)) = seg.timestamps else { return };
        if self.in_use && seg.seq_number() <= self.last_ack_sent && tsval.wrapping_sub(self.recent) as i32 >= 0 {
            self.recent = tsval;
        }
    }

    /// `tcp_paws_check` fails: `seg`'s TSval is older than the one we echo
    /// by more than a tick (`TCP_PAWS_WINDOW`); by how many. Nothing is
    /// tested before the peer's first TSval is taken.
    pub fn paws_fails(&self, seg: &TcpSegment) -> Option<u32> {
        let (tsval, _) = seg.timestamps?;
        let age = self.recent.wrapping_sub(tsval);
        (self.in_use && self.recent != 0 && age as i32 > 1).then_some(age)
    }

    /// `seg`'s TSval is older than the one we echo (header prediction's
    /// PAWS test, stricter than [`Timestamps::paws_fails`]: any age at all
    /// sends the segment down the slow path).
    pub fn older_than_recent(&self, seg: &TcpSegment) -> bool {
        match seg.timestamps {
            Some((tsval, _)) if self.in_use => (tsval.wrapping_sub(self.recent) as i32) < 0,
            _ => false,
        }
    }

    /// `seg` echoes the TSval we sent at `at_us`.
    pub fn echoes_tsval_of(&self, seg: &TcpSegment, at_us: u64) -> bool {
        self.in_use && seg.timestamps.is_some_and(|(_, tsecr)| tsecr == self.tsval(at_us))
    }

    /// `tcp_tsopt_ecr_before`: `seg` echoes a TSval we sent before `tsval`.
    pub fn echoes_before(&self, seg: &TcpSegment, tsval: u32) -> bool {
        match seg.timestamps {
            Some((_, tsecr)) if self.in_use && tsecr != 0 => (tsecr.wrapping_sub(tsval) as i32) < 0,
            _ => false,
        }
    }

    /// How many milliseconds of our clock ago we sent the TSval `tsecr`
    /// (`tcp_time_stamp_ts - rcv_tsecr`); none for a time ahead of ours.
    pub fn echo_age_ms(&self, tsecr: u32, now_us: u64) -> Option<u32> {
        let delta = self.tsval(now_us).wrapping_sub(tsecr);
        (delta as i32 >= 0).then_some(delta)
    }

    /// `tcp_rtt_tsopt_us`: the RTT an ACK's TSecr measures, in microseconds
    /// at the clock's millisecond grain (0 ms counts as 1 ms); none when the
    /// segment echoes nothing (TSecr 0) or a time ahead of ours.
    pub fn rtt_us(&self, seg: &TcpSegment, now_us: u64) -> Option<u64> {
        let (_, tsecr) = seg.timestamps?;
        if !self.in_use || tsecr == 0 {
            return None;
        }
        let delta = self.tsval(now_us).wrapping_sub(tsecr);
        if delta as i32 >= 0 {
            Some(u64::from(delta.max(1)) * 1_000)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tcp::segment::TcpFlags;
    use std::sync::Arc;

    fn seg(seq: u32, timestamps: Option<(u32, u32)>) -> TcpSegment {
        TcpSegment {
            src_port: 1,
            dst_port: 2,
            seq,
            ack: 0,
            flags: TcpFlags::ACK,
            window: 0,
            mss: None,
            window_scale: None,
            timestamps,
            sack_permitted: false,
            sack_blocks: Default::default(),
            payload: Arc::from(&b"x"[..]),
        }
    }

    #[test]
    fn the_clock_is_milliseconds_plus_the_offset_and_wraps() {
        let ts = Timestamps::new(true, u32::MAX - 1);
        assert_eq!(ts.tsval(1_999), u32::MAX);
        assert_eq!(ts.tsval(3_000), 1);
    }

    #[test]
    fn a_peer_without_the_option_turns_it_off() {
        let mut ts = Timestamps::new(true, 0);
        ts.on_syn(&seg(100, None));
        assert!(!ts.in_use());
        assert_eq!(ts.option(5_000, SeqNumber(101)), None);
        let mut off = Timestamps::new(false, 0);
        off.on_syn(&seg(100, Some((7, 0))));
        assert_eq!((off.in_use(), off.syn_option(0, false), off.syn_option(0, true)), (false, None, None));
    }

    #[test]
    fn an_older_tsval_or_a_segment_beyond_the_last_ack_is_not_echoed() {
        let mut ts = Timestamps::new(true, 0);
        ts.on_syn(&seg(100, Some((50, 0))));
        ts.on_segment(&seg(101, Some((49, 0))));
        assert_eq!(ts.option(0, SeqNumber(101)), Some((0, 50)), "PAWS order: never backwards");
        ts.on_segment(&seg(102, Some((60, 0))));
        assert_eq!(ts.option(0, SeqNumber(101)), Some((0, 50)), "102 is after Last.ACK.sent 101");
    }

    #[test]
    fn the_rtt_counts_whole_milliseconds_and_at_least_one() {
        let mut ts = Timestamps::new(true, 1_000);
        ts.on_syn(&seg(100, Some((50, 0))));
        assert_eq!(ts.rtt_us(&seg(101, Some((60, 1_010))), 30_900), Some(20_000));
        assert_eq!(ts.rtt_us(&seg(101, Some((60, 1_030))), 30_900), Some(1_000));
        assert_eq!(ts.rtt_us(&seg(101, Some((60, 0))), 30_900), None);
        assert_eq!(ts.rtt_us(&seg(101, Some((60, 1_031))), 30_900), None, "an echo from the future");
    }
}
