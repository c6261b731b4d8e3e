//! The receive window as Linux advertises it (net/ipv4/tcp_output.c,
//! tcp_input.c). The model's settings name a buffer's room for data; Linux
//! counts memory: `sk_rcvbuf` bytes, of which each queued segment costs its
//! bytes and its skb ([`RecvMemory`]), and the window is the free memory
//! times the scaling ratio (`tcp_win_from_space`), one half until a segment
//! larger than the last is measured (`tcp_measure_rcv_mss`: 1448 bytes of
//! 2304, 160/256). So `sk_rcvbuf` is twice the model's room (the default
//! ratio makes the 131072-byte `tcp_rmem[1]` hold 65536) and the ratio
//! moves from there.
//!
//! Captured on Linux 6.18 over loopback (MTU 1500, offloads off, timestamps
//! on, default sysctls): the SYN offers 64240 (44 × 1460) with wscale 10, the
//! SYN-ACK 65160 (45 × 1448), the first ACK 63 × 1024 = 64512
//! (`rcv_ssthresh` 64088: `tcp_init_buffer_space` keeps one segment back),
//! and after the first full segment 67 × 1024 (the measured ratio raises the
//! clamp, `rcv_ssthresh` returns to 65160 and opens by two segments,
//! `tcp_grow_window`). `ss -i` and `ss -m` show the same numbers.

use std::collections::VecDeque;

/// `tcp_select_initial_window`: the window (`rcv_wnd`) a SYN or SYN-ACK
/// offers, the space rounded down to a multiple of the MSS ("quantize space
/// offering"). The SYN's own field can say at most 65535 (it is never
/// scaled, RFC 7323 §2.2), but `rcv_wnd` and `rcv_ssthresh` keep the whole:
/// with a megabyte of room the SYN says 65535 and the first ACK after it
/// 998656 (the connecting side on Linux 6.18).
pub fn initial_window(space: u32, mss: u32) -> u32 {
    if space > mss && mss > 0 {
        space - space % mss
    } else {
        space
    }
}

/// `sizeof(struct skb_shared_info)`, cache-aligned, on x86-64: the tail of
/// every skb head.
pub(super) const SHARED_INFO: u32 = 320;
/// `sizeof(struct sk_buff)`, cache-aligned, on x86-64.
pub(super) const SK_BUFF: u32 = 256;
/// `SKB_SMALL_HEAD_CACHE_SIZE`: the small-head cache's object, 256 bytes of
/// room before the shared info.
const SMALL_HEAD: u32 = 576;

/// The receiver's memory for a packet of `wire_len` bytes (IP header on),
/// `skb->truesize`, as a device that copies each packet into an skb head of
/// its own allocates it (`tun_get_user`, as the diff's links deliver, and
/// drivers without page-fragment buffers): the device's headroom and the
/// packet, cache-aligned, plus the shared info, from the small-head cache
/// when that holds it, else a kmalloc size class (a power of two), plus the
/// `sk_buff`. `ss -m` on Linux 6.18 shows it: 2304 bytes for a 1448-byte
/// segment with timestamps (a 1500-byte packet in a 2048-byte head), 832
/// for a short one. The headroom also leaves less room behind a packet for
/// the next to be copied into (see [`RecvMemory`]): without it a 100-byte
/// segment joined a full one's skb that on Linux takes a head of its own,
/// and the window opened a unit (1024 bytes) wider than Linux's.
pub fn skb_truesize(wire_len: u32) -> u32 {
    head_size(wire_len) + SK_BUFF
}

/// `NET_SKB_PAD`: the headroom `tun_get_user` reserves before the packet
/// (`tun->align`), one cache line on x86-64.
const DEVICE_HEADROOM: u32 = 64;

/// The kmalloc'd head a packet of `wire_len` bytes lands in.
fn head_size(wire_len: u32) -> u32 {
    let wanted = (DEVICE_HEADROOM + wire_len).div_ceil(64).saturating_mul(64).saturating_add(SHARED_INFO);
    if wanted <= SMALL_HEAD {
        SMALL_HEAD
    } else {
        wanted.checked_next_power_of_two().unwrap_or(u32::MAX)
    }
}

/// `TCP_RMEM_TO_WIN_SCALE`: a scaling ratio is bytes of data per 256 of memory.
const RATIO_SHIFT: u32 = 8;

/// `TCP_DEFAULT_SCALING_RATIO`: half the memory holds data until a segment
/// is measured.
pub const DEFAULT_SCALING_RATIO: u32 = 1 << (RATIO_SHIFT - 1);

/// The receive buffer's memory charges: one per skb queued, its
/// [`skb_truesize`], until the application has read all of it
/// (`sk_rmem_alloc`; a partly read skb stays charged whole). An in-order
/// segment that fits in the room left at the end of the last in-order skb's
/// head is copied there and costs nothing more (`tcp_try_coalesce`, which
/// copies into the tailroom when it cannot take the head over: a copied
/// head is not a page fragment), so a chat of short messages fills one skb.
/// Out of order the same holds for a segment that continues a waiting skb
/// (`tcp_ooo_try_coalesce`), and when the hole fills the waiting skbs join
/// the in-order queue one by one, each copied into its tail if it fits
/// (`tcp_ofo_queue`).
#[derive(Clone, Debug, Default)]
pub struct RecvMemory {
    /// (stream offset of the skb's end, its truesize), in arrival order.
    charges: VecDeque<(u64, u32)>,
    used: usize,
    /// The last skb of the in-order queue: where it ends, and the room left
    /// in its head.
    tail: Option<(u64, u32)>,
    /// The skbs waiting out of order: (start, end, room left in the head),
    /// in sequence order.
    out_of_order: Vec<(u64, u64, u32)>,
}

impl RecvMemory {
    /// A segment of `len` bytes from stream offset `start`, which arrived in a
    /// packet of `wire_len` bytes, was queued: in order (after everything
    /// before it) or out of order.
    pub fn charge(&mut self, start: u64, len: u32, wire_len: u32, in_order: bool) {
        let end = start + u64::from(len);
        if in_order {
            if let Some((tail_end, room)) = self.tail.filter(|&(tail_end, room)| tail_end == start && len <= room) {
                self.extend_skb(tail_end, end);
                self.tail = Some((end, room - len));
                return;
            }
        } else if let Some(i) = self.out_of_order.iter().position(|&(_, e, room)| e == start && len <= room) {
            let skb = &mut self.out_of_order[i];
            let old_end = skb.1;
            *skb = (skb.0, end, skb.2 - len);
            self.extend_skb(old_end, end);
            return;
        }
        let truesize = skb_truesize(wire_len);
        self.charges.push_back((end, truesize));
        self.used += truesize as usize;
        let room = (head_size(wire_len) - SHARED_INFO).saturating_sub(DEVICE_HEADROOM + wire_len);
        if in_order {
            self.tail = Some((end, room));
        } else {
            let at = self.out_of_order.partition_point(|&(s, _, _)| s < start);
            self.out_of_order.insert(at, (start, end, room));
        }
    }

    /// The skb ending at `old_end` took bytes up to `end` into its head.
    fn extend_skb(&mut self, old_end: u64, end: u64) {
        if let Some(charge) = self.charges.iter_mut().rev().find(|c| c.0 == old_end) {
            charge.0 = end;
        }
    }

    /// The hole before the waiting skbs filled up to stream offset `upto`:
    /// each skb now in order moves to the in-order queue, copied into its
    /// tail (and freed) if it fits there (`tcp_ofo_queue` → `tcp_try_coalesce`).
    pub fn join_in_order(&mut self, upto: u64) {
        let joined = self.out_of_order.partition_point(|&(_, end, _)| end <= upto);
        for (start, end, room) in self.out_of_order.drain(..joined).collect::<Vec<_>>() {
            let len = u32::try_from(end - start).unwrap_or(u32::MAX);
            match self.tail {
                Some((tail_end, tail_room)) if tail_end == start && len <= tail_room => {
                    if let Some(i) = self.charges.iter().position(|c| c.0 == end) {
                        if let Some((_, truesize)) = self.charges.remove(i) {
                            self.used -= truesize as usize;
                        }
                    }
                    self.extend_skb(tail_end, end);
                    self.tail = Some((end, tail_room - len));
                }
                _ => self.tail = Some((end, room)),
            }
        }
    }

    /// Where the skb holding stream offset `offset` ends: the piece of it a
    /// read copies first.
    pub fn skb_end_after(&self, offset: u64) -> Option<u64> {
        self.charges.iter().map(|&(end, _)| end).filter(|&end| end > offset).min()
    }

    /// The application has copied everything before stream offset `copied`:
    /// the skbs it finished are freed.
    pub fn release_to(&mut self, copied: u64) {
        self.charges.retain(|&(end, truesize)| {
            let done = end <= copied;
            if done {
                self.used -= truesize as usize;
            }
            !done
        });
        if self.tail.is_some_and(|(end, _)| end <= copied) {
            self.tail = None;
        }
    }

    /// The largest charge of one skb still held.
    pub fn largest_charge(&self) -> u32 {
        self.charges.iter().map(|&(_, truesize)| truesize).max().unwrap_or(0)
    }

    /// `sk_rmem_alloc`.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// The scale shift for a receive buffer that may grow to `max_space`
/// (`tcp_select_initial_window`: log2 of it less 15, at most 14), the least
/// shift that fits it in 16 bits. Which size it is given is
/// [`super::TcpConfig::recv_scale_shift`]'s rule.
pub fn scale_shift(max_space: usize) -> u8 {
    let mut shift = 0u8;
    while shift < 14 && (max_space >> shift) > usize::from(u16::MAX) {
        shift += 1;
    }
    shift
}

/// The least segment that opens `rcv_ssthresh` (`tcp_event_data_recv`'s
/// `skb->len >= 128`): smaller ones cost the receiver more memory per byte
/// than the window promises, so they earn no growth.
const GROW_MIN_SEGMENT: u32 = 128;

/// One connection's receive-window state beside its buffer.
#[derive(Clone, Debug)]
pub struct RecvWindow {
    /// `scaling_ratio`: bytes of data per 256 bytes of buffer memory.
    pub ratio: u32,
    /// `window_clamp`: the most this side will ever advertise.
    pub clamp: u32,
    /// `rcv_ssthresh`: how far the advertised window may open for now; it
    /// starts at the SYN's window and grows as in-order data arrives.
    pub ssthresh: u32,
    /// `rcv_wnd`: the window last advertised, in bytes.
    pub wnd: u32,
    /// `rcv_wup`: `rcv_nxt` when it was advertised.
    pub wup: super::segment::SeqNumber,
    /// `rcvq_space`: bytes the application copied in the last measured
    /// round trip (`space`), from where (`seq`, a stream offset) and since when.
    pub copied_space: u64,
    pub copied_from: u64,
    pub measured_at: u64,
}

impl Default for RecvWindow {
    fn default() -> Self {
        RecvWindow {
            ratio: DEFAULT_SCALING_RATIO,
            clamp: u32::MAX,
            ssthresh: 0,
            wnd: 0,
            wup: super::segment::SeqNumber::default(),
            copied_space: 0,
            copied_from: 0,
            measured_at: 0,
        }
    }
}

/// What `tcp_grow_window` weighs one arriving segment by.
#[derive(Clone, Copy, Debug)]
pub struct Growth {
    /// The segment's data bytes, and the memory its packet takes
    /// ([`skb_truesize`]).
    pub len: u32,
    pub truesize: u32,
    pub advmss: u32,
    /// The peer's segment size as we see it (`icsk_ack.rcv_mss`).
    pub rcv_mss: u32,
    /// Room left in the buffer (`tcp_space`).
    pub free: u32,
    /// `tcp_rmem[2]`: the largest the buffer may grow to.
    pub rmem_max: usize,
}

/// The numbers `__tcp_select_window` reads.
#[derive(Clone, Copy, Debug)]
pub struct Space {
    /// Room left in the buffer (`tcp_space`).
    pub free: u32,
    /// The whole buffer's room (`tcp_full_space`, within `window_clamp`).
    pub full: u32,
    /// The peer's segment size as we see it (`icsk_ack.rcv_mss`).
    pub mss: u32,
    pub shift: u8,
}

impl Space {
    /// Less than half the buffer is free: the window is no longer rounded
    /// up, and quick-ACK mode ends.
    pub fn scarce(&self) -> bool {
        self.free < self.full / 2
    }
}

impl RecvWindow {
    /// `tcp_win_from_space`: the data `memory` bytes of buffer hold.
    pub fn win_from_space(&self, memory: usize) -> u32 {
        let data = (memory as u64).saturating_mul(u64::from(self.ratio)) >> RATIO_SHIFT;
        data.min(u64::from(u32::MAX)) as u32
    }

    /// `tcp_space_from_win`: the memory that holds `window` bytes of data.
    pub fn space_from_win(&self, window: u64) -> usize {
        (window.saturating_mul(1 << RATIO_SHIFT) / u64::from(self.ratio.max(1))) as usize
    }

    /// `tcp_init_buffer_space`, when the handshake completes: the clamp is
    /// at most the buffer's whole room (`full`), less one segment of `advmss`
    /// kept back ("force reservation of one segment", `tcp_app_win`), and
    /// `rcv_ssthresh` within it: 65536 of room and 1448-byte segments give
    /// 64088 (`ss -i` on Linux 6.18).
    pub fn init_buffer_space(&mut self, full: u32, advmss: u32) {
        self.clamp = self.clamp.min(full);
        if self.clamp > 2 * advmss && self.clamp.saturating_add(advmss) > full {
            self.clamp = (2 * advmss).max(full - advmss);
        }
        self.ssthresh = self.ssthresh.min(self.clamp);
    }

    /// `tcp_measure_rcv_mss` found a new segment size: the scaling ratio is
    /// measured again from this segment of `len` bytes, which came in a
    /// packet of `wire_len` (its bytes over its [`skb_truesize`]), and if it changed, the clamp becomes what the buffer of
    /// `rcvbuf` bytes now holds (`tcp_set_window_clamp`): a larger one lets
    /// `rcv_ssthresh` up to the window last offered, a smaller one pulls it
    /// down.
    pub fn measure(&mut self, len: u32, wire_len: u32, rcvbuf: usize) {
        let truesize = u64::from(skb_truesize(wire_len));
        let ratio = ((u64::from(len) << RATIO_SHIFT) / truesize).max(1) as u32;
        if ratio == self.ratio {
            return;
        }
        self.ratio = ratio;
        let clamp = self.win_from_space(rcvbuf);
        if clamp > self.clamp {
            self.ssthresh = self.ssthresh.max(self.wnd.min(clamp));
        } else {
            self.ssthresh = self.ssthresh.min(clamp);
        }
        self.clamp = clamp;
    }
    /// `__tcp_select_window`, then `tcp_select_window`'s rule that a window
    /// once offered is never taken back.
    pub fn select(&mut self, s: Space, rcv_nxt: super::segment::SeqNumber) -> u32 {
        let mut window = self.would_select(s);
        // tcp_select_window: the right edge never moves left.
        let unit = 1u32 << s.shift;
        let offered_left = self.wnd.saturating_sub(rcv_nxt - self.wup);
        if window < offered_left {
            window = offered_left.div_ceil(unit) * unit;
        }
        self.wnd = window;
        self.wup = rcv_nxt;
        window
    }

    /// `__tcp_select_window`: the window the room in `s` offers now, before
    /// the rule that keeps the right edge (`__tcp_ack_snd_check` holds it
    /// against the window last offered).
    pub fn would_select(&self, s: Space) -> u32 {
        let mss = s.mss.min(s.full).max(1);
        let unit = 1u32 << s.shift;
        // Little room: never round it up, and below 1/16 of the buffer or one
        // segment offer nothing (silly-window avoidance).
        let scarce = s.scarce();
        let free = if scarce { s.free - s.free % unit } else { s.free };
        if scarce && (free < s.full / 16 || free < mss) {
            return 0;
        }
        let free = free.min(self.ssthresh);
        if s.shift > 0 {
            // A multiple of the scale, rounded up so it is not scaled away.
            free.div_ceil(unit).saturating_mul(unit)
        } else if self.wnd + mss <= free || self.wnd > free {
            // Without scaling: the largest multiple of the MSS that fits.
            free - free % mss
        } else if mss == s.full && free > self.wnd + s.full / 2 {
            // A buffer smaller than one segment: all of it, once more
            // than half of it is free beyond the last offer.
            free
        } else {
            self.wnd
        }
    }

    /// `tcp_grow_window`, for an in-order segment: the window may open by
    /// two segments while the buffer has room beyond `rcv_ssthresh`.
    /// `tcp_event_data_recv` calls it only for segments of at least
    /// `GROW_MIN_SEGMENT` bytes, so a chat of short requests and replies
    /// leaves the first window where it was. True when it opened, which
    /// asks for a quick ACK.
    pub fn grow(&mut self, g: Growth) -> bool {
        g.len >= GROW_MIN_SEGMENT && self.open(g)
    }

    /// `tcp_data_queue_ofo`'s `tcp_grow_window`: a segment queued out of
    /// order opens the window as well, whatever its size, when SACK is on
    /// (without SACK the window stays, so the sender sees pure duplicate
    /// ACKs and retransmits fast).
    pub fn grow_out_of_order(&mut self, g: Growth) -> bool {
        self.open(g)
    }

    fn open(&mut self, g: Growth) -> bool {
        let limit = self.clamp.min(g.free);
        if self.ssthresh >= limit {
            return false;
        }
        // A segment worth its memory opens two of our segments; one whose
        // skb costs more than the window credits it with may not.
        let incr = if self.win_from_space(g.truesize as usize) <= g.len {
            g.advmss.saturating_mul(2)
        } else {
            self.grow_despite_overhead(g)
        };
        if incr == 0 {
            return false;
        }
        let incr = incr.max(g.len.saturating_mul(2));
        self.ssthresh += incr.min(limit - self.ssthresh);
        true
    }

    /// `__tcp_grow_window`: a segment that carries less data than its
    /// memory holds (the short last piece of a write, say) opens the window
    /// only while `rcv_ssthresh` is small beside the largest buffer
    /// (`tcp_rmem[2]`): at half of it, the segment must fill half its memory,
    /// at a quarter, a quarter, and so on. Past half, it never does.
    fn grow_despite_overhead(&self, g: Growth) -> u32 {
        let mut truesize = self.win_from_space(g.truesize as usize) >> 1;
        let mut window = self.win_from_space(g.rmem_max) >> 1;
        while self.ssthresh <= window {
            if truesize <= g.len {
                return g.rcv_mss.saturating_mul(2);
            }
            truesize >>= 1;
            window >>= 1;
        }
        0
    }

    /// `tcp_rcv_space_adjust` (dynamic right-sizing), as Linux 6.18 runs it
    /// for each piece of an skb a read copies: once the receiver's own RTT
    /// estimate (`rcv_rtt_us`, [`ReceiverRtt`]; none yet, no measuring) has
    /// passed since the last measure, what the application consumed since
    /// then (copied up to `copied_seq`, less the `in_queue` bytes still
    /// waiting) is compared with the last round's. More than before: the
    /// window it needs (`tcp_rcvbuf_grow`), twice what it consumed (DRS is a
    /// round trip late), plus twice as much again as it grew (a sender in
    /// slow start doubles its rate); the caller adds the out-of-order span
    /// and turns it into buffer memory.
    ///
    /// A read that empties a queue built up while the application slept
    /// measures at its first skb, where nearly everything still waits: it
    /// grows nothing, as Linux's captures show.
    pub fn space_adjust(&mut self, copied_seq: u64, in_queue: u64, now: u64, rcv_rtt_us: u64) -> Option<u64> {
        if rcv_rtt_us == 0 || now.saturating_sub(self.measured_at) < rcv_rtt_us {
            return None;
        }
        let consumed = copied_seq.saturating_sub(self.copied_from) as i64 - in_queue as i64;
        let mut wanted = None;
        if consumed > self.copied_space as i64 {
            let (old, new) = (self.copied_space, consumed as u64);
            self.copied_space = new;
            let rcvwin = new.saturating_mul(2);
            let grow = rcvwin.saturating_mul(new - old) / old.max(1);
            wanted = Some(rcvwin.saturating_add(grow.saturating_mul(2)));
        }
        self.copied_from = copied_seq;
        self.measured_at = now;
        wanted
    }
}

/// The receiver's own estimate of the round trip (`tcp_rcv_rtt_est`), which
/// paces dynamic right-sizing: it sends nothing to time, so it times the
/// peer. With timestamps, the age of the TSval a data segment echoes
/// (`tcp_rcv_rtt_measure_ts`); without, how long a window's worth of data
/// took to arrive (`tcp_rcv_rtt_measure`), which can only lower it.
#[derive(Clone, Debug, Default)]
pub struct ReceiverRtt {
    /// `rtt_us`, eight times the estimate (0: none yet).
    rtt_us8: u64,
    /// `rcv_rtt_last_tsecr`: the echo last seen; the next segment echoing
    /// the same TSval measures nothing.
    last_tsecr: u32,
    /// `rcv_rtt_est.seq` and `.time`: the stream offset that closes the
    /// window being timed, and when timing began.
    window_mark: Option<(u64, u64)>,
}

impl ReceiverRtt {
    /// The estimate in microseconds, 0 while there is none.
    pub fn rtt_us(&self) -> u64 {
        self.rtt_us8 >> 3
    }

    /// `tcp_rcv_rtt_measure_ts`, for each segment an established connection
    /// takes: `tsecr` is what it echoes, `age_ms` how many milliseconds of
    /// our clock ago that TSval was sent. A segment of at least `rcv_mss`
    /// bytes with a new echo older than 0 ms gives a sample; `queue_empty`
    /// says whether everything received has been read.
    pub fn on_echo(&mut self, tsecr: u32, age_ms: Option<u32>, len: u32, rcv_mss: u32, queue_empty: bool) {
        if tsecr == self.last_tsecr {
            return;
        }
        self.last_tsecr = tsecr;
        // Linux 6.18 drops 0 ms samples: on a fast path every echo would say
        // "now", and the estimate would pace DRS to nothing.
        if let Some(ms) = age_ms.filter(|&ms| ms > 0 && len >= rcv_mss) {
            self.update(u64::from(ms) * 1_000, false, queue_empty);
        }
    }

    /// `tcp_rcv_rtt_measure`, for each in-order segment once `rcv_nxt` took
    /// it (stream offset `rcv_nxt`): a window of `rcv_wnd` bytes timed from
    /// when it was offered.
    pub fn on_data(&mut self, rcv_nxt: u64, rcv_wnd: u32, now: u64) {
        if let Some((end, since)) = self.window_mark {
            if rcv_nxt < end {
                return;
            }
            self.update(now.saturating_sub(since).max(1), true, false);
        }
        self.window_mark = Some((rcv_nxt + u64::from(rcv_wnd), now));
    }

    /// `tcp_rcv_rtt_update`: a smaller sample is taken as it is; a larger
    /// one only from timestamps, only while nothing waits unread, and
    /// smoothed by 1/8.
    fn update(&mut self, sample_us: u64, window_dependent: bool, queue_empty: bool) {
        let scaled = sample_us.saturating_mul(8);
        if self.rtt_us8 == 0 || scaled < self.rtt_us8 {
            self.rtt_us8 = scaled;
        } else if !window_dependent && queue_empty {
            self.rtt_us8 = self.rtt_us8 - (self.rtt_us8 >> 3) + sample_us;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tcp::segment::SeqNumber;

    #[test]
    fn the_syn_offers_whole_segments_and_the_scale_comes_from_tcp_rmem_max() {
        // Linux 6.18's capture: 65536 of room, MSS 1460 → 64240; 1448 → 65160;
        // tcp_rmem[2] 32 MiB → shift 10; a 64 KiB SO_RCVBUF → shift 1.
        assert_eq!(initial_window(65_536, 1460), 64_240);
        assert_eq!(initial_window(65_536, 1448), 65_160);
        assert_eq!(initial_window(1000, 1460), 1000);
        assert_eq!((scale_shift(33_554_432), scale_shift(65_536), scale_shift(4096)), (10, 1, 0));
    }

    #[test]
    fn a_room_past_64_kib_is_offered_whole_though_the_syn_says_65535() {
        // Linux 6.18, tcp_rmem "4096 2000000 2000000" (a million bytes of
        // room): rcv_wnd 998640 for the SYN's 1460, 999120 for the SYN-ACK's
        // 1448 (its field says 65535); `ss -i` then shows rcv_ssthresh
        // 998552 on the connecting side (tcp_init_buffer_space keeps one
        // segment back) and 999120 + 2 × 1448 on the other after one segment.
        assert_eq!(initial_window(1_000_000, 1460), 998_640);
        assert_eq!(initial_window(1_000_000, 1448), 999_120);
        let mut w = RecvWindow { ssthresh: 998_640, wnd: 998_640, ..RecvWindow::default() };
        w.init_buffer_space(1_000_000, 1448);
        assert_eq!((w.clamp, w.ssthresh), (998_552, 998_552));
    }

    #[test]
    fn a_measured_segment_raises_the_clamp_and_rcv_ssthresh_to_the_last_offer() {
        // The listening side of a default connection: SYN-ACK 65160,
        // rcv_ssthresh held to 64088 at the handshake, then one 1448-byte
        // segment in a 1500-byte packet (truesize 2304): ratio 1448·256/2304
        // = 160, clamp 131072·160/256 = 81920, rcv_ssthresh back to 65160,
        // and 65160 + 2896 = 68056 after the growth (`ss -i` on Linux 6.18:
        // rcv_ssthresh 68056).
        let mut w = RecvWindow { ssthresh: 65_160, wnd: 65_160, ..RecvWindow::default() };
        w.init_buffer_space(65_536, 1448);
        assert_eq!(w.ssthresh, 64_088);
        w.measure(1448, 1500, 131_072);
        assert_eq!((w.ratio, w.clamp, w.ssthresh), (160, 81_920, 65_160));
        let free = w.win_from_space(131_072 - 2304);
        assert!(w.grow(arrival(1448, 1448, free)));
        assert_eq!(w.ssthresh, 68_056);
        // The same size again measures nothing new (the caller asks only
        // when tcp_measure_rcv_mss saw a new size).
        w.measure(1448, 1500, 131_072);
        assert_eq!(w.ssthresh, 68_056);
    }

    #[test]
    fn memory_counts_each_segment_with_its_skb_until_it_is_read_whole() {
        // 1448 bytes with timestamps: a 1500-byte packet.
        let mut m = RecvMemory::default();
        m.charge(0, 1448, 1500, true);
        m.charge(1448, 1448, 1500, true);
        assert_eq!(m.used(), 2 * 2304, "what ss -m showed for ten such segments: r23040");
        // Half of the second read: it stays charged whole.
        m.release_to(2000);
        assert_eq!(m.used(), 2304);
        m.release_to(2896);
        assert_eq!(m.used(), 0);
    }

    #[test]
    fn short_segments_in_order_share_one_skb_until_its_head_is_full() {
        // Ten 5-byte writes (57-byte packets): ss -m showed r832 for all ten.
        let mut m = RecvMemory::default();
        for i in 0..10 {
            m.charge(i * 5, 5, 57, true);
        }
        assert_eq!(m.used(), 832);
        // 256 bytes of room, 64 of them the device's headroom and 57 the
        // first packet: 135 of data fit.
        let mut m = RecvMemory::default();
        m.charge(0, 5, 57, true);
        m.charge(5, 135, 187, true);
        assert_eq!(m.used(), 832);
        m.charge(140, 1, 53, true);
        assert_eq!(m.used(), 2 * 832, "the head is full");
        // An out-of-order segment is an skb of its own; the in-order tail
        // still takes what continues it (tcp_queue_rcv coalesces with the
        // receive queue's tail whatever waits out of order).
        m.charge(300, 5, 57, false);
        m.charge(141, 5, 57, true);
        assert_eq!(m.used(), 3 * 832);
        // Once read whole, the tail is gone: the next segment starts an skb.
        m.join_in_order(305);
        m.release_to(310);
        assert_eq!(m.used(), 0);
        m.charge(310, 5, 57, true);
        assert_eq!(m.used(), 832);
    }

    #[test]
    fn waiting_segments_coalesce_out_of_order_and_into_the_tail_when_the_hole_fills() {
        // A 1448-byte segment leaves 164 bytes of room in its 2048-byte head
        // (1728 before the shared info, 64 of them the device's headroom).
        let mut m = RecvMemory::default();
        m.charge(0, 1448, 1500, true);
        // The next full segment is lost; the one after it waits, and a
        // 104-byte segment continuing it is copied into its head
        // (tcp_ooo_try_coalesce): one skb, not two.
        m.charge(2896, 1448, 1500, false);
        m.charge(4344, 104, 156, false);
        assert_eq!(m.used(), 2 * 2304);
        // A segment that continues nothing waiting is an skb of its own.
        m.charge(5900, 100, 152, false);
        assert_eq!(m.used(), 2 * 2304 + 832);
        // The resend fills the hole: the waiting skb (1552 bytes) does not fit
        // in the resend's tail and joins as it is.
        m.charge(1448, 1448, 1500, true);
        m.join_in_order(4448);
        assert_eq!(m.used(), 3 * 2304 + 832);
        // A 1452-byte packet filling the last hole (160 bytes of room in its
        // head) takes the 100 bytes waiting behind it, whose skb is freed.
        m.charge(4448, 1452, 1504, true);
        m.join_in_order(6000);
        assert_eq!(m.used(), 4 * 2304);
        m.release_to(6000);
        assert_eq!(m.used(), 0);
    }

    #[test]
    fn a_packet_costs_its_head_size_class_and_the_sk_buff() {
        assert_eq!(skb_truesize(40), 832);
        assert_eq!(skb_truesize(192), 832, "headroom and packet, 256 with the shared info, fit the small head");
        assert_eq!(skb_truesize(193), 1024 + 256);
        assert_eq!(skb_truesize(1500), 2048 + 256);
        assert_eq!(skb_truesize(1664), 2048 + 256);
        assert_eq!(skb_truesize(1665), 4096 + 256);
    }

    #[test]
    fn the_first_window_is_rcv_ssthresh_rounded_up_to_the_scale() {
        // 64240 → 63 × 1024 = 64512, the kernel's first ACK after the handshake.
        let mut w = RecvWindow { ssthresh: 64_240, wnd: 64_240, wup: SeqNumber(1), ..RecvWindow::default() };
        let s = Space { free: 65_536, full: 65_536, mss: 1448, shift: 10 };
        assert_eq!(w.select(s, SeqNumber(1)), 64_512);
        // Half the buffer full: what is left, rounded down to the scale.
        let s = Space { free: 20_000, ..s };
        assert_eq!(w.select(s, SeqNumber(60_001)), 19_456);
        // Under one segment: nothing.
        let s = Space { free: 1_400, ..s };
        assert_eq!(w.select(s, SeqNumber(80_001)), 0);
    }

    #[test]
    fn a_buffer_smaller_than_a_segment_reopens_whole_after_a_zero_window() {
        // SO_RCVBUF 0: 2304 bytes of memory, 1152 of data; a 1152-byte
        // segment measured the ratio at 148/256, so the empty buffer holds
        // 1332, more than rcv_ssthresh's 1152 but less than the peer's 1448:
        // __tcp_select_window's last rule offers the 1152 whole.
        let mut w = RecvWindow { ssthresh: 1152, wnd: 0, wup: SeqNumber(1153), ..RecvWindow::default() };
        let s = Space { free: 1332, full: 1332, mss: 1448, shift: 0 };
        assert_eq!(w.select(s, SeqNumber(1153)), 1152);
    }

    #[test]
    fn an_offered_window_is_never_taken_back() {
        let mut w = RecvWindow { ssthresh: 8_000, wnd: 8_000, wup: SeqNumber(1), ..RecvWindow::default() };
        // 1000 bytes arrived; the buffer, now half full, would offer less than
        // the 7000 still open to the right of them.
        let s = Space { free: 3_000, full: 10_000, mss: 1000, shift: 0 };
        assert_eq!(w.select(s, SeqNumber(1001)), 7_000);
    }

    #[test]
    fn in_order_data_opens_rcv_ssthresh_two_segments_at_a_time_up_to_the_room() {
        let mut w = RecvWindow { ssthresh: 64_240, clamp: 200_000, ..RecvWindow::default() };
        assert!(w.grow(arrival(1448, 1448, 100_000)));
        assert_eq!(w.ssthresh, 67_136);
        assert!(w.grow(arrival(1448, 1448, 68_000)));
        assert_eq!(w.ssthresh, 68_000);
        // No room left: it stays, and asks for no quick ACK.
        assert!(!w.grow(arrival(1448, 1448, 68_000)));
        assert_eq!(w.ssthresh, 68_000);
    }

    #[test]
    fn a_short_segment_opens_a_large_window_no_further() {
        // 1460-byte segments measured the ratio (1460·256/2304 = 162), and
        // rcv_ssthresh has opened past a million bytes under a tcp_rmem[2]
        // of 2 000 000. The write's last piece, 1220 bytes in the same
        // 2304 bytes of memory, holds less than the window would credit it
        // (1458): __tcp_grow_window opens for it only while rcv_ssthresh is
        // below half of what tcp_rmem[2] holds (632 812), so Linux 6.18's ACK
        // of it offers the window of the ACK before.
        let mut w = RecvWindow { ratio: 162, ssthresh: 1_050_000, clamp: 1_265_625, ..RecvWindow::default() };
        let short = Growth { rmem_max: 2_000_000, ..arrival(1220, 1460, 1_200_000) };
        assert!(!w.grow(short));
        assert_eq!(w.ssthresh, 1_050_000);
        // A full segment still opens it by two.
        assert!(w.grow(Growth { rmem_max: 2_000_000, ..arrival(1460, 1460, 1_200_000) }));
        assert_eq!(w.ssthresh, 1_052_920);
        // While rcv_ssthresh is small the short one opens it too, by two of
        // the peer's segments.
        let mut w = RecvWindow { ratio: 162, ssthresh: 64_088, clamp: 1_265_625, ..RecvWindow::default() };
        assert!(w.grow(short));
        assert_eq!(w.ssthresh, 64_088 + 2920);
    }

    /// A segment of `len` bytes in a packet with 52 bytes of headers, from a
    /// peer whose segments are `mss` long, with `free` bytes of room and
    /// Linux's default 32 MiB tcp_rmem[2].
    fn arrival(len: u32, mss: u32, free: u32) -> Growth {
        Growth { len, truesize: skb_truesize(len + 52), advmss: mss, rcv_mss: mss, free, rmem_max: 33_554_432 }
    }

    #[test]
    fn segments_under_128_bytes_leave_rcv_ssthresh_alone() {
        // Linux 6.18 on loopback: a 24-byte request and a 7-byte reply, and
        // the client's ACK still offers 63 × 1024 = 64512 (rcv_ssthresh 64240).
        let mut w =
            RecvWindow { ssthresh: 64_240, wnd: 64_240, wup: SeqNumber(1), clamp: 65_536, ..RecvWindow::default() };
        assert!(!w.grow(arrival(24, 1460, 65_536)));
        assert!(!w.grow(arrival(127, 1460, 65_536)));
        assert_eq!(w.ssthresh, 64_240);
        let s = Space { free: 65_536 - 31, full: 65_536, mss: 536, shift: 10 };
        assert_eq!(w.select(s, SeqNumber(32)), 64_512);
        assert!(w.grow(arrival(128, 1460, 65_536)));
        assert_eq!(w.ssthresh, 65_536, "128 bytes open it by 2 × rcv_mss, up to the room");
    }

    #[test]
    fn a_fast_reader_grows_the_buffer_once_a_round_trip() {
        let mut w = RecvWindow { copied_space: 14_480, ..RecvWindow::default() };
        // No receiver RTT yet: nothing is measured.
        assert_eq!(w.space_adjust(30_000, 0, 20_000, 0), None);
        assert_eq!(w.copied_from, 0);
        // Within the round trip: no measurement.
        assert_eq!(w.space_adjust(30_000, 0, 5_000, 10_000), None);
        // Linux 6.18 over loopback (`ss -ti`, SO_RCVBUF): 24616 consumed in a
        // round trip after 14480: 2·24616 = 49232, plus twice
        // 49232·10136/14480 = 34462: 118156, which at ratio 162 is the
        // 186715 bytes of buffer getsockopt then said.
        let mut w = RecvWindow { copied_space: 14_480, ..RecvWindow::default() };
        assert_eq!(w.space_adjust(24_616, 0, 10_000, 10_000), Some(118_156));
        assert_eq!(w.copied_space, 24_616);
        w.ratio = 162;
        assert_eq!(w.space_from_win(118_156), 186_715);
        // A slower round trip measures but does not grow.
        assert_eq!(w.space_adjust(40_000, 0, 20_000, 10_000), None);
        assert_eq!((w.copied_from, w.measured_at), (40_000, 20_000));
    }

    #[test]
    fn a_read_of_a_queue_that_built_up_grows_nothing() {
        // 43440 bytes waited while the application slept; its read measures
        // at the first skb's 1448 bytes, with 41992 still queued.
        let mut w = RecvWindow { copied_space: 14_480, copied_from: 14_480, ..RecvWindow::default() };
        assert_eq!(w.space_adjust(14_480 + 1_448, 41_992, 1_300_000, 13_375), None);
        assert_eq!(w.copied_space, 14_480);
        assert_eq!(w.copied_from, 15_928);
    }

    #[test]
    fn the_receiver_times_the_echo_of_its_own_tsval() {
        let mut rtt = ReceiverRtt::default();
        // (echo, its age in ms, segment length, rcv_mss, nothing unread) and
        // the estimate after it. Linux 6.18 went 1000 -> 13375 -> 160953 µs
        // for echoes 100 ms and 1194 ms old with nothing unread.
        let steps = [
            ((7, 0, 1448, 536, true), 0, "a 0 ms echo (the loopback's) says nothing"),
            ((8, 5, 100, 536, true), 0, "nor does a short segment"),
            ((9, 1, 1448, 536, true), 1_000, "the first sample is taken whole"),
            ((9, 100, 1448, 1448, true), 1_000, "the same echo again measures nothing"),
            ((10, 100, 1448, 1448, false), 1_000, "a larger sample waits while data is unread"),
            ((11, 100, 1448, 1448, true), 13_375, "and is smoothed by 1/8 when none is"),
            ((12, 1_194, 1448, 1448, true), 160_953, "smoothed again"),
            ((13, 20, 1448, 1448, false), 20_000, "a smaller one is taken whole"),
        ];
        for ((tsecr, age, len, rcv_mss, empty), want, why) in steps {
            rtt.on_echo(tsecr, Some(age), len, rcv_mss, empty);
            assert_eq!(rtt.rtt_us(), want, "{why}");
        }
    }

    #[test]
    fn without_timestamps_the_receiver_times_a_window_of_data() {
        let mut rtt = ReceiverRtt::default();
        // The first segment starts timing 64 KiB ahead.
        rtt.on_data(1_448, 65_536, 1_000);
        rtt.on_data(60_000, 65_536, 30_000);
        assert_eq!(rtt.rtt_us(), 0);
        rtt.on_data(67_000, 65_536, 41_000);
        assert_eq!(rtt.rtt_us(), 40_000);
        // A longer window never raises it.
        rtt.on_data(200_000, 65_536, 200_000);
        assert_eq!(rtt.rtt_us(), 40_000);
    }
}
