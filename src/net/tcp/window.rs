//! The receive window as Linux advertises it (net/ipv4/tcp_output.c,
//! tcp_input.c), in the model's units: `space` is the receive buffer's room
//! for data, what Linux's `tcp_full_space` derives from `sk_rcvbuf` (with
//! `tcp_adv_win_scale` 1, the 6.x default scaling ratio, half of it: the
//! 131072-byte `tcp_rmem[1]` gives 65536).
//!
//! Captured on Linux 6.18 over loopback (MTU 1500, offloads off, timestamps
//! on, default sysctls): the SYN offers 64240 (44 × 1460) with wscale 10, the
//! SYN-ACK 65160 (45 × 1448), the first ACK 63 × 1024 = 64512. What grows the
//! kernel's window after that also follows each skb's `truesize` (the
//! scaling ratio is re-measured per packet), which the model does not have;
//! the growth here is the rule alone (`tcp_grow_window`: two segments per
//! in-order segment while there is room).

/// `tcp_select_initial_window`: the window a SYN or SYN-ACK offers, the
/// space rounded down to a multiple of the MSS ("quantize space offering").
pub fn initial_window(space: u32, mss: u32) -> u32 {
    if space > mss && mss > 0 {
        space - space % mss
    } else {
        space
    }
}

/// The scale shift for a receive buffer that may grow to `max_space`:
/// `tcp_select_initial_window` takes it from the largest the buffer can
/// become (`tcp_rmem[2]`, 32 MiB on 6.18: shift 10) unless the application
/// fixed the buffer with SO_RCVBUF, when it is that buffer's own.
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
#[derive(Clone, Debug, Default)]
pub struct RecvWindow {
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

impl RecvWindow {
    /// `__tcp_select_window`, then `tcp_select_window`'s rule that a window
    /// once offered is never taken back.
    pub fn select(&mut self, s: Space, rcv_nxt: super::segment::SeqNumber) -> u32 {
        let mss = s.mss.min(s.full).max(1);
        let unit = 1u32 << s.shift;
        let mut free = s.free;
        // Little room: never round it up, and below 1/16 of the buffer or one
        // segment offer nothing (silly-window avoidance).
        let scarce = free < s.full / 2;
        if scarce {
            free -= free % unit;
        }
        let mut window = if scarce && (free < s.full / 16 || free < mss) {
            0
        } else {
            free = free.min(self.ssthresh);
            if s.shift > 0 {
                // A multiple of the scale, rounded up so it is not scaled away.
                free.div_ceil(unit).saturating_mul(unit)
            } else if self.wnd + mss <= free || self.wnd > free {
                // Without scaling: the largest multiple of the MSS that fits.
                free - free % mss
            } else {
                self.wnd
            }
        };
        // tcp_select_window: the right edge never moves left.
        let offered_left = self.wnd.saturating_sub(rcv_nxt - self.wup);
        if window < offered_left {
            window = offered_left.div_ceil(unit) * unit;
        }
        self.wnd = window;
        self.wup = rcv_nxt;
        window
    }

    /// `tcp_grow_window`, for an in-order segment of `len` bytes: the window
    /// may open by two segments (`2 × advmss`, or twice this one) while the
    /// buffer has room beyond `rcv_ssthresh`. `tcp_event_data_recv` calls it
    /// only for segments of at least `GROW_MIN_SEGMENT` bytes, so a chat of
    /// short requests and replies leaves the first window where it was.
    pub fn grow(&mut self, len: u32, advmss: u32, free: u32, clamp: u32) {
        let limit = clamp.min(free);
        if len >= GROW_MIN_SEGMENT && self.ssthresh < limit {
            let incr = advmss.saturating_mul(2).max(len.saturating_mul(2));
            self.ssthresh += incr.min(limit - self.ssthresh);
        }
    }

    /// `tcp_rcv_space_adjust` (dynamic right-sizing), after a read moved the
    /// copied stream offset to `copied_to` at `now`: once per round trip, if
    /// the application copied more than in the round trip before, the buffer
    /// grows to twice what it copied plus 16 segments, plus as much again as
    /// the rate grew, never past `max`. Returns the new buffer room, if it grew.
    pub fn space_adjust(
        &mut self,
        copied_to: u64,
        now: u64,
        rtt_us: Option<u64>,
        advmss: u32,
        (space, max): (usize, usize),
    ) -> Option<usize> {
        let rtt = rtt_us.filter(|&r| r > 0)?;
        if now.saturating_sub(self.measured_at) < rtt {
            return None;
        }
        let copied = copied_to.saturating_sub(self.copied_from);
        let mut grown = None;
        if copied > self.copied_space {
            let mut rcvwin = copied.saturating_mul(2).saturating_add(16 * u64::from(advmss));
            let grow = rcvwin.saturating_mul(copied - self.copied_space) / self.copied_space.max(1);
            rcvwin = rcvwin.saturating_add(grow.saturating_mul(2));
            let room = (rcvwin as usize).min(max);
            if room > space {
                grown = Some(room);
            }
            self.copied_space = copied;
        }
        self.copied_from = copied_to;
        self.measured_at = now;
        grown
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
    fn an_offered_window_is_never_taken_back() {
        let mut w = RecvWindow { ssthresh: 8_000, wnd: 8_000, wup: SeqNumber(1), ..RecvWindow::default() };
        // 1000 bytes arrived; the buffer, now half full, would offer less than
        // the 7000 still open to the right of them.
        let s = Space { free: 3_000, full: 10_000, mss: 1000, shift: 0 };
        assert_eq!(w.select(s, SeqNumber(1001)), 7_000);
    }

    #[test]
    fn in_order_data_opens_rcv_ssthresh_two_segments_at_a_time_up_to_the_room() {
        let mut w = RecvWindow { ssthresh: 64_240, ..RecvWindow::default() };
        w.grow(1448, 1448, 100_000, 200_000);
        assert_eq!(w.ssthresh, 67_136);
        w.grow(1448, 1448, 68_000, 200_000);
        assert_eq!(w.ssthresh, 68_000);
    }

    #[test]
    fn segments_under_128_bytes_leave_rcv_ssthresh_alone() {
        // Linux 6.18 on loopback: a 24-byte request and a 7-byte reply, and
        // the client's ACK still offers 63 × 1024 = 64512 (rcv_ssthresh 64240).
        let mut w = RecvWindow { ssthresh: 64_240, wnd: 64_240, wup: SeqNumber(1), ..RecvWindow::default() };
        w.grow(24, 1460, 65_536, 65_536);
        w.grow(127, 1460, 65_536, 65_536);
        assert_eq!(w.ssthresh, 64_240);
        let s = Space { free: 65_536 - 31, full: 65_536, mss: 536, shift: 10 };
        assert_eq!(w.select(s, SeqNumber(32)), 64_512);
        w.grow(128, 1460, 65_536, 65_536);
        assert_eq!(w.ssthresh, 65_536, "128 bytes open it by 2 × advmss, up to the room");
    }

    #[test]
    fn a_fast_reader_grows_the_buffer_once_a_round_trip() {
        let mut w = RecvWindow { copied_space: 14_480, ..RecvWindow::default() };
        let (space, max) = (65_536, 16_777_216);
        // Within the round trip: no measurement.
        assert_eq!(w.space_adjust(30_000, 5_000, Some(10_000), 1448, (space, max)), None);
        // 30000 copied in a round trip, more than 14480 before: 2·30000 +
        // 16·1448 = 83168, plus twice 83168·15520/14480 = 178282: 261450.
        assert_eq!(w.space_adjust(30_000, 10_000, Some(10_000), 1448, (space, max)), Some(261_450));
        assert_eq!(w.copied_space, 30_000);
        // A slower round trip measures but does not grow.
        assert_eq!(w.space_adjust(50_000, 20_000, Some(10_000), 1448, (261_450, max)), None);
    }
}
