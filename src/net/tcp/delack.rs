//! When the receive side acknowledges, as Linux decides it: the `icsk_ack`
//! state of include/net/inet_connection_sock.h and the rules around it in
//! net/ipv4/tcp_input.c, tcp_output.c and tcp_timer.c.
//!
//! Linux does not answer every data segment with its own ACK. A new
//! connection starts in quick-ACK mode (`tcp_incr_quickack`: an immediate ACK
//! for each of its first rcv_wnd/(2·rcv_mss) segments, at most 16); after
//! that an ACK waits up to `ato` (40 ms at first) for a second full-sized
//! segment, for data of our own to ride on, or for the application to read.
//! A connection whose application answers within `ato` of receiving is in
//! pingpong (interactive) mode: its ACKs wait for the reply. Out-of-order
//! data, a segment that fills a hole and a duplicate are acknowledged at once.
//!
//! The machine only decides; the connection (conn.rs) builds and sends the
//! segments and arms the delayed-ACK timer at the deadline given here.

use super::segment::SeqNumber;

/// `TCP_ATO_MIN` (= `TCP_DELACK_MIN`, HZ/25): the least delayed-ACK timeout.
pub const ATO_MIN_US: u64 = 40_000;
/// `TCP_DELACK_MAX` (HZ/5): the longest an ACK waits in interactive use.
pub const DELACK_MAX_US: u64 = 200_000;
/// `TCP_MAX_QUICKACKS`: the most quick ACKs one grant gives.
pub const MAX_QUICKACKS: u32 = 16;
/// `TCP_FASTRETRANS_THRESH`: duplicate ACKs for one `rcv_nxt` that leave at
/// once before SACK compression holds the rest back.
const DUP_ACKS_BEFORE_COMPRESSING: u32 = 3;
/// `tcp_comp_sack_nr`: the most ACKs one compression may hold back.
const MAX_COMPRESSED_ACKS: u32 = 44;
/// `tcp_comp_sack_delay_ns`: the longest a compressed ACK waits.
const COMP_SACK_DELAY_MAX_US: u64 = 1_000;
/// `TCP_MSS_DEFAULT`: the receive MSS assumed before any segment says more.
const MSS_DEFAULT: u32 = 536;
/// `TCP_MIN_MSS`.
const MIN_MSS: u32 = 88;
/// Our segments carry no TCP options after the handshake: the header is
/// `tcp_header_len` = 20 bytes.
const TCP_HEADER_LEN: u32 = 20;

/// Why `__tcp_ack_snd_check` sends an ACK at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NowWhy {
    /// Quick-ACK mode (`tcp_in_quickack_mode`).
    Quick,
    /// The script's `option ack immediate`: every segment, as textbooks draw it.
    Always,
    /// The segment filled the hole before data waiting out of order
    /// (`ICSK_ACK_NOW`, RFC 5681 §4.2).
    HoleFilled,
    /// More than one full-sized segment is unacknowledged, and the window
    /// the ACK would offer keeps up.
    TwoSegments,
    /// Data is waiting out of order: the duplicate ACK goes at once.
    OutOfOrder,
    /// The delayed-ACK timer was due within a quarter of `ato` anyway
    /// (`tcp_send_delayed_ack`).
    TimerDue,
}

/// What `__tcp_ack_snd_check` decides for a received segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckDecision {
    /// Nothing is owed (the ACK already left, on data or alone).
    Nothing,
    /// Send a pure ACK now, for this reason.
    Now(NowWhy),
    /// Arm the delayed-ACK timer for this deadline (microseconds).
    Delay { deadline: u64 },
    /// Hold this duplicate ACK back and arm the SACK-compression timer for
    /// this deadline: the ACK that leaves then carries every SACK block.
    Compress { deadline: u64 },
}

/// The figures `__tcp_ack_snd_check` reads from the connection.
#[derive(Clone, Copy, Debug)]
pub struct ReceiveView {
    pub rcv_nxt: SeqNumber,
    /// The window `__tcp_select_window` would offer now is not below the
    /// one `tcp_select_window` last chose (`tp->rcv_wnd`, which the header's
    /// field may cap: 65535 without window scaling).
    pub window_keeps_up: bool,
    /// The application has read everything (`rcv_nxt - copied_seq <
    /// sk_rcvlowat` with the default low-water mark of 1).
    pub all_read: bool,
    /// Out-of-order data is queued.
    pub out_of_order: bool,
    /// Less than half the buffer is free (`__tcp_select_window`'s test);
    /// asked only when more than one segment waits unread for an ACK.
    pub scarce: bool,
    /// `srtt`, once measured.
    pub srtt_us: Option<u64>,
    /// SACK is in use on the connection.
    pub sack: bool,
    /// The receiver's own RTT estimate (`rcv_rtt_est`, 0 when none).
    pub rcv_rtt_us: u64,
}

/// `icsk_ack` and the receive-MSS estimate, per connection.
#[derive(Clone, Debug)]
pub struct AckMachine {
    /// `option ack immediate` (Linux: a route with `quickack 1`, which makes
    /// `tcp_in_quickack_mode` always true through `dst_quick_ack`).
    always_quick: bool,
    ato_min_us: u64,
    /// Quick ACKs left (`icsk_ack.quick`).
    quick: u32,
    /// `inet_csk_in_pingpong_mode` (the default `tcp_pingpong_thresh` is 1,
    /// so one answer within `ato` is enough).
    pingpong: bool,
    /// The delayed-ACK timeout; 0 until the first data arrives.
    ato: u64,
    /// When data last arrived (`lrcvtime`).
    lrcvtime: u64,
    /// `ICSK_ACK_SCHED`: an ACK is owed.
    scheduled: bool,
    /// `ICSK_ACK_NOW`: the next check must send it (a hole was filled).
    now: bool,
    /// `ICSK_ACK_PUSHED` and `ICSK_ACK_PUSHED2`: small (pushed) segments arrived.
    pushed: u8,
    /// `ICSK_ACK_TIMER` with `icsk_ack.timeout`, and when it was armed.
    timer: Option<(u64, u64)>,
    /// `icsk_ack.rcv_mss`: the peer's segment size as we see it; 0 until known.
    rcv_mss: u32,
    last_seg_size: u32,
    /// `rcv_wup`: `rcv_nxt` when we last sent an ACK.
    rcv_wup: SeqNumber,
    /// SACK compression (`tcp_sack_compress`): duplicate ACKs held back
    /// (`compressed_ack`), and those sent at once for `rcv_nxt`
    /// (`dup_ack_counter`, `compressed_ack_rcv_nxt`).
    compressed: u32,
    dup_acks: (SeqNumber, u32),
}

impl AckMachine {
    /// The peer's segment size as measured from what it sent, once data came.
    pub fn rcv_mss(&self) -> Option<u32> {
        (self.rcv_mss > 0).then_some(self.rcv_mss)
    }

    pub fn new(always_quick: bool, ato_min_us: u64) -> AckMachine {
        AckMachine {
            always_quick,
            ato_min_us: ato_min_us.max(1),
            quick: 0,
            pingpong: false,
            ato: 0,
            lrcvtime: 0,
            scheduled: false,
            now: false,
            pushed: 0,
            timer: None,
            rcv_mss: 0,
            last_seg_size: 0,
            rcv_wup: SeqNumber(0),
            compressed: 0,
            dup_acks: (SeqNumber(0), 0),
        }
    }

    /// An ACK is owed and has not gone yet (`inet_csk_ack_scheduled`).
    pub fn scheduled(&self) -> bool {
        self.scheduled
    }

    pub fn in_pingpong_mode(&self) -> bool {
        self.pingpong
    }

    /// `tcp_in_quickack_mode`.
    pub fn in_quickack_mode(&self) -> bool {
        self.always_quick || (self.quick > 0 && !self.pingpong)
    }

    /// `inet_csk_schedule_ack`.
    pub fn schedule(&mut self) {
        self.scheduled = true;
    }

    /// `tcp_incr_quickack`: rcv_wnd/(2·rcv_mss) quick ACKs (2 if that is 0),
    /// at most `max`, unless more are left already.
    fn incr_quickack(&mut self, rcv_wnd: u32, max: u32) {
        let quickacks = match rcv_wnd / (2 * self.rcv_mss.max(MIN_MSS)) {
            0 => 2,
            n => n,
        };
        self.quick = self.quick.max(quickacks.min(max));
    }

    /// `tcp_grow_window` opened `rcv_ssthresh` (`icsk_ack.quick |= 1`): the
    /// larger window should reach the sender now, so this segment is ACKed
    /// at once. While a receiver's window keeps opening, as in slow start
    /// behind a large buffer, every segment is.
    pub fn window_grew(&mut self) {
        self.quick |= 1;
    }

    /// `__tcp_select_window` with less than half the buffer free: quick-ACK
    /// mode ends, so a receiver that is not reading stops ACKing every segment.
    pub fn window_scarce(&mut self) {
        self.quick = 0;
    }

    /// `tcp_enter_quickack_mode`: after a duplicate or out-of-window segment,
    /// the sender may be confused; ACK the next segments at once.
    pub fn enter_quickack_mode(&mut self, rcv_wnd: u32) {
        self.incr_quickack(rcv_wnd, MAX_QUICKACKS);
        self.pingpong = false;
        self.ato = self.ato_min_us;
    }

    /// `inet_csk_enter_pingpong_mode` (`tcp_fin` does it: the ACK of a FIN
    /// waits for our own FIN).
    pub fn enter_pingpong_mode(&mut self) {
        self.pingpong = true;
    }

    /// In-order data of `len` bytes arrived (`tcp_event_data_recv` with
    /// `tcp_measure_rcv_mss`); `pushed` when it carried PSH. True when the
    /// segment was longer than the estimate, so Linux measures the scaling
    /// ratio again from it.
    pub fn on_data_received(&mut self, len: u32, pushed: bool, link: RcvLink, now: u64) -> bool {
        self.scheduled = true;
        let remeasured = self.measure_segment(len, pushed, link);
        if self.ato == 0 {
            // The first data: start the engine with a grant of quick ACKs.
            self.incr_quickack(link.rcv_wnd, MAX_QUICKACKS);
            self.ato = self.ato_min_us;
        } else {
            let gap = now.saturating_sub(self.lrcvtime);
            if gap <= self.ato_min_us / 2 {
                // Segments close together: ato settles towards its floor.
                self.ato = self.ato / 2 + self.ato_min_us / 2;
            } else if gap < self.ato {
                self.ato = (self.ato / 2 + gap).min(link.rto_us);
            } else if gap > link.rto_us {
                // A long silence: the sender restarts, so ACK quickly again.
                self.incr_quickack(link.rcv_wnd, MAX_QUICKACKS);
            }
        }
        self.lrcvtime = now;
        remeasured
    }

    /// `icsk_ack.rcv_mss`, or before any data `tcp_initialize_rcv_mss`'s
    /// guess from the link: no more than `TCP_MSS_DEFAULT`.
    pub fn rcv_mss_for(&self, link: RcvLink) -> u32 {
        if self.rcv_mss > 0 {
            self.rcv_mss
        } else {
            link.advmss.min(link.snd_mss).min(link.rcv_wnd / 2).clamp(MIN_MSS, MSS_DEFAULT)
        }
    }

    /// `tcp_measure_rcv_mss` for a segment of `len` bytes, in order or
    /// (`tcp_data_queue_ofo`, Linux 6.18) not: true when it was longer than
    /// the estimate, so Linux measures the scaling ratio again from it.
    pub fn measure_segment(&mut self, len: u32, pushed: bool, link: RcvLink) -> bool {
        self.rcv_mss = self.rcv_mss_for(link);
        let remeasured = len > self.rcv_mss;
        self.measure_rcv_mss(len, pushed, link.advmss);
        remeasured
    }

    /// `tcp_measure_rcv_mss`: a segment at least as long as the estimate
    /// raises it; shorter ones change it only when two in a row agree, and
    /// mark the ACK as owed for a push.
    fn measure_rcv_mss(&mut self, len: u32, pushed: bool, advmss: u32) {
        let last = std::mem::take(&mut self.last_seg_size);
        if len >= self.rcv_mss {
            self.rcv_mss = len.min(advmss).max(MIN_MSS);
            return;
        }
        let with_header = len + TCP_HEADER_LEN;
        if with_header >= MSS_DEFAULT + TCP_HEADER_LEN || (with_header >= MIN_MSS + TCP_HEADER_LEN && !pushed) {
            self.last_seg_size = len;
            if len == last {
                self.rcv_mss = len;
                return;
            }
        }
        self.pushed = if self.pushed > 0 { 2 } else { 1 };
    }

    /// A segment that fills the hole before queued out-of-order data
    /// (`tcp_data_queue`: RFC 5681 §4.2 asks for an immediate ACK).
    pub fn ack_now(&mut self) {
        self.scheduled = true;
        self.now = true;
    }

    /// More than one full-sized segment arrived since our last ACK.
    pub fn more_than_one_unacked(&self, rcv_nxt: SeqNumber) -> bool {
        rcv_nxt - self.rcv_wup > self.full_segment()
    }

    /// `__tcp_ack_snd_check`, asked after a received segment was processed
    /// and any data of ours went out (`tcp_ack_snd_check`).
    pub fn ack_snd_check(&mut self, view: ReceiveView, now: u64) -> AckDecision {
        if !self.scheduled {
            return AckDecision::Nothing;
        }
        // More than one full-sized segment unacknowledged, and the
        // application has read everything or the window we would advertise
        // does not shrink (otherwise its read sends the ACK, with the larger
        // window: __tcp_cleanup_rbuf).
        let window_keeps_up = view.all_read || view.window_keeps_up;
        let more_than_one = self.more_than_one_unacked(view.rcv_nxt);
        if more_than_one && !view.all_read && view.scarce {
            // The window test runs __tcp_select_window before the quick-ACK
            // test, and a scarce buffer ends quick-ACK mode there.
            self.window_scarce();
        }
        let two_segments = more_than_one && window_keeps_up;
        if !self.always_quick && self.in_quickack_mode() {
            return AckDecision::Now(NowWhy::Quick);
        }
        if self.always_quick {
            return AckDecision::Now(NowWhy::Always);
        }
        if self.now {
            return AckDecision::Now(NowWhy::HoleFilled);
        }
        if two_segments {
            return AckDecision::Now(NowWhy::TwoSegments);
        }
        if view.out_of_order {
            return self.duplicate_ack(view, now);
        }
        self.send_delayed_ack(view.srtt_us, now)
    }

    /// `__tcp_ack_snd_check` with data waiting out of order: without SACK
    /// every duplicate ACK leaves at once; with it, the first three for one
    /// `rcv_nxt` do (enough for fast retransmit), and later ones are held
    /// back for 5% of the RTT, at most 1 ms, so that one ACK carries what
    /// several would have said (SACK compression, Linux 4.18 on), unless 44
    /// are held already.
    fn duplicate_ack(&mut self, view: ReceiveView, now: u64) -> AckDecision {
        if !view.sack || self.compressed >= MAX_COMPRESSED_ACKS {
            return AckDecision::Now(NowWhy::OutOfOrder);
        }
        if self.dup_acks.0 != view.rcv_nxt {
            self.dup_acks = (view.rcv_nxt, 0);
        }
        if self.dup_acks.1 < DUP_ACKS_BEFORE_COMPRESSING {
            self.dup_acks.1 += 1;
            return AckDecision::Now(NowWhy::OutOfOrder);
        }
        self.compressed += 1;
        if self.compressed > 1 {
            // The timer armed for the first one is running.
            return AckDecision::Nothing;
        }
        // The smaller of the two RTT estimates (each 0 when unknown).
        let srtt = view.srtt_us.unwrap_or(0);
        let rtt = if srtt > 0 && srtt < view.rcv_rtt_us { srtt } else { view.rcv_rtt_us };
        AckDecision::Compress { deadline: now + (rtt / 20).min(COMP_SACK_DELAY_MAX_US) }
    }

    /// The SACK-compression timer fired (`tcp_compressed_ack_kick`):
    /// whether an ACK is still held back and must go now.
    pub fn on_compress_timer(&mut self) -> bool {
        self.compressed > 0
    }

    /// `tcp_send_delayed_ack`: the deadline is `ato`, bounded by 500 ms (200
    /// ms in interactive use or after a push) and by the smoothed RTT once
    /// `ato` has grown past 40 ms; an earlier deadline already set stays, and
    /// one about to expire sends the ACK now.
    fn send_delayed_ack(&mut self, srtt_us: Option<u64>, now: u64) -> AckDecision {
        // No floor: a connection that has received no data yet has ato 0
        // (tcp_event_data_recv sets it at the first segment), so its delayed
        // ACK (of a FIN, say) is due at once, on the kernel's next tick.
        let mut ato = self.ato;
        if ato > self.ato_min_us {
            let mut max_ato = if self.pingpong || self.pushed > 0 { DELACK_MAX_US } else { 500_000 };
            if let Some(srtt) = srtt_us {
                max_ato = max_ato.min(srtt.max(self.ato_min_us));
            }
            ato = ato.min(max_ato);
        }
        ato = ato.min(DELACK_MAX_US);
        let mut deadline = now + ato;
        if let Some((old, armed)) = self.timer {
            if old <= now + ato / 4 {
                return AckDecision::Now(NowWhy::TimerDue);
            }
            if old <= deadline {
                deadline = old;
            }
            self.timer = Some((deadline, armed));
        } else {
            self.timer = Some((deadline, now));
        }
        AckDecision::Delay { deadline }
    }

    /// The delayed-ACK timer fired (`tcp_delack_timer_handler`): how long
    /// the ACK waited, if one is still owed. A missed chance to ride on data
    /// ends pingpong mode and resets `ato`; otherwise `ato` doubles (at most
    /// to the RTO).
    pub fn on_timer(&mut self, now: u64, rto_us: u64) -> Option<u64> {
        let (_, armed) = self.timer.take()?;
        if !self.scheduled {
            return None;
        }
        if self.pingpong {
            self.pingpong = false;
            self.ato = self.ato_min_us;
        } else {
            self.ato = (self.ato * 2).min(rto_us.max(self.ato_min_us));
        }
        Some(now.saturating_sub(armed))
    }

    /// A segment carrying our ACK of `rcv_nxt` left (`tcp_event_ack_sent`
    /// with `tcp_dec_quickack_mode`): one quick ACK is used if one was owed,
    /// nothing is owed any more, and the timer stops.
    pub fn on_ack_sent(&mut self, rcv_nxt: SeqNumber) {
        if self.quick > 0 && self.scheduled {
            self.quick -= 1;
            if self.quick == 0 {
                // Leaving quick-ACK mode deflates ato.
                self.ato = self.ato_min_us;
            }
        }
        self.scheduled = false;
        self.now = false;
        self.pushed = 0;
        self.timer = None;
        self.compressed = 0;
        self.rcv_wup = rcv_nxt;
    }

    /// New data of ours left (`tcp_event_data_sent`): an answer within `ato`
    /// of the last data received makes the connection interactive.
    pub fn on_data_sent(&mut self, now: u64) {
        if self.ato > 0 && now.saturating_sub(self.lrcvtime) < self.ato {
            self.pingpong = true;
        }
    }

    /// The application read `copied` bytes (`__tcp_cleanup_rbuf`): whether
    /// the owed ACK goes now — more than a full segment is unacknowledged,
    /// or the read emptied the buffer of a pushed segment outside pingpong.
    pub fn time_to_ack_on_read(&self, rcv_nxt: SeqNumber, copied: usize, buffer_empty: bool) -> bool {
        if !self.scheduled {
            return false;
        }
        let pushed = self.pushed >= 2 || (self.pushed == 1 && !self.pingpong);
        rcv_nxt - self.rcv_wup > self.full_segment() || (copied > 0 && pushed && buffer_empty)
    }

    /// `icsk_ack.rcv_mss`, or before any data arrived (a FIN alone) the
    /// default `tcp_initialize_rcv_mss` starts from.
    fn full_segment(&self) -> u32 {
        if self.rcv_mss == 0 {
            MSS_DEFAULT
        } else {
            self.rcv_mss
        }
    }

    /// `setsockopt(TCP_QUICKACK, on)` (`__tcp_sock_set_quickack`): 0 enters
    /// pingpong mode; 1 leaves it and, if an ACK is owed, marks it pushed so
    /// that the read rule may send it now. It grants no quick ACKs: Linux's
    /// option is not permanent.
    pub fn set_quickack(&mut self, on: bool, established: bool) {
        if !on {
            self.pingpong = true;
            return;
        }
        self.pingpong = false;
        if established && self.scheduled {
            self.pushed = self.pushed.max(1);
        }
    }
}

/// What the connection knows that the receive-MSS and quick-ACK rules need.
#[derive(Clone, Copy, Debug)]
pub struct RcvLink {
    /// The MSS we advertised (`advmss`).
    pub advmss: u32,
    /// The MSS we send with (`mss_cache`).
    pub snd_mss: u32,
    /// The window we last advertised.
    pub rcv_wnd: u32,
    pub rto_us: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: RcvLink = RcvLink { advmss: 1460, snd_mss: 1460, rcv_wnd: 65_535, rto_us: 210_000 };

    fn view(rcv_nxt: u32) -> ReceiveView {
        ReceiveView {
            rcv_nxt: SeqNumber(rcv_nxt),
            window_keeps_up: true,
            all_read: false,
            out_of_order: false,
            scarce: false,
            srtt_us: Some(10_000),
            sack: false,
            rcv_rtt_us: 0,
        }
    }

    #[test]
    fn duplicate_acks_are_compressed_only_with_sack_and_only_after_three() {
        let hole = ReceiveView { out_of_order: true, all_read: true, rcv_rtt_us: 30_000, ..view(5_000) };
        // Each ACK that leaves moves rcv_wup to the hole, as a sent ACK does.
        let mut plain = AckMachine::new(false, ATO_MIN_US);
        plain.on_ack_sent(SeqNumber(5_000));
        for _ in 0..6 {
            plain.schedule();
            assert_eq!(plain.ack_snd_check(hole, 0), AckDecision::Now(NowWhy::OutOfOrder));
            plain.on_ack_sent(SeqNumber(5_000));
        }
        // With SACK: 5% of the smaller RTT (srtt's 10 ms: 500 µs), and a
        // hold already running takes the next one in.
        let mut m = AckMachine::new(false, ATO_MIN_US);
        m.on_ack_sent(SeqNumber(5_000));
        let sack = ReceiveView { sack: true, ..hole };
        let decisions: Vec<AckDecision> = (0..5)
            .map(|_| {
                m.schedule();
                let decision = m.ack_snd_check(sack, 7_000);
                if decision == AckDecision::Now(NowWhy::OutOfOrder) {
                    m.on_ack_sent(SeqNumber(5_000));
                }
                decision
            })
            .collect();
        let now = AckDecision::Now(NowWhy::OutOfOrder);
        assert_eq!(decisions, [now, now, now, AckDecision::Compress { deadline: 7_500 }, AckDecision::Nothing]);
        assert!(m.on_compress_timer());
        // The ACK that leaves ends the hold; a new hole counts from zero.
        m.on_ack_sent(SeqNumber(5_000));
        assert!(!m.on_compress_timer());
        m.schedule();
        // (Less than a full segment on, so that the two-segment rule, which
        // comes first, does not send it.)
        assert_eq!(m.ack_snd_check(ReceiveView { rcv_nxt: SeqNumber(5_200), ..sack }, 8_000), now);
    }

    #[test]
    fn the_first_data_grants_sixteen_quick_acks_then_acks_wait_forty_ms() {
        let mut m = AckMachine::new(false, ATO_MIN_US);
        for i in 0..16u32 {
            m.on_data_received(100, true, LINK, u64::from(i) * 1_000);
            assert_eq!(m.ack_snd_check(view(100 * (i + 1)), u64::from(i) * 1_000), AckDecision::Now(NowWhy::Quick));
            m.on_ack_sent(SeqNumber(100 * (i + 1)));
        }
        m.on_data_received(100, true, LINK, 16_000);
        assert_eq!(m.ack_snd_check(view(1700), 16_000), AckDecision::Delay { deadline: 56_000 });
        assert_eq!(m.on_timer(56_000, 210_000), Some(40_000));
        // A missed delayed ACK outside pingpong doubles ato.
        assert_eq!(m.ato, 80_000);
    }

    #[test]
    fn a_small_window_grants_fewer_quick_acks() {
        let mut m = AckMachine::new(false, ATO_MIN_US);
        // 4096 / (2 × 536) = 3.
        m.on_data_received(100, true, RcvLink { rcv_wnd: 4096, ..LINK }, 0);
        assert_eq!(m.quick, 3);
    }

    #[test]
    fn an_answer_within_ato_enters_pingpong_and_the_timer_leaves_it() {
        let mut m = AckMachine::new(false, ATO_MIN_US);
        m.on_data_received(100, true, LINK, 0);
        m.on_data_sent(5_000);
        assert!(m.in_pingpong_mode());
        assert!(!m.in_quickack_mode(), "pingpong silences the quick ACKs left");
        assert_eq!(m.ack_snd_check(view(100), 5_000), AckDecision::Delay { deadline: 45_000 });
        assert_eq!(m.on_timer(45_000, 210_000), Some(40_000));
        assert!(!m.in_pingpong_mode());
    }

    #[test]
    fn tcp_quickack_leaves_pingpong_but_grants_nothing() {
        let mut m = AckMachine::new(false, ATO_MIN_US);
        m.set_quickack(false, true);
        assert!(m.in_pingpong_mode());
        m.set_quickack(true, true);
        assert!(!m.in_pingpong_mode());
        assert_eq!(m.quick, 0);
    }
}
