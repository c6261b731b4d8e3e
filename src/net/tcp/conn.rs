//! One TCP connection's machine (RFC 9293 §3.10), with RFC 6298 retransmission
//! timing, CUBIC (RFC 9438, the default) or Reno congestion control (RFC
//! 5681), loss recovery with SACK or duplicate ACKs as Linux does both, flow
//! control with zero-window probing, window scaling and timestamps (RFC 7323; timestamps.rs), the receive window Linux
//! advertises (window.rs) and Linux's ACK timing (delack.rs).
//!
//! It performs no I/O: `on_segment`, `on_timer` and the application calls take the
//! current time and write what must happen into a [`TcpOut`].

use super::congestion::{Clock, Congestion, CongestionControl, CwndChange, Flight, NewAck, Undone};
use super::delack::{AckDecision, AckMachine, NowWhy, RcvLink, ReceiveView};
use super::rack::{self, AckFacts, ProbeVerdict, Rack, RackWindow, SentSegment, TailLossProbe};
use super::recv_queue::RecvQueue;
use super::rtt::{RttEstimator, SackSample, MIN_RTO_US};

/// The retransmissions an orphan gets while its RTO is below the maximum
/// when `net.ipv4.tcp_orphan_retries` is 0 (`tcp_orphan_retries`: "8
/// corresponds to >100 seconds with minimal RTO of 200msec").
const ORPHAN_RETRIES_ALIVE: u32 = 8;
/// `TCP_RTO_MIN`, the RTO `retransmits_timed_out` models data's
/// retransmissions from, whatever a route's own minimum.
const TCP_RTO_MIN_US: u64 = 200_000;
use super::sack::{DupAckSacks, Prr, Scoreboard};
use super::segment::{SackBlocks, SeqNumber, TcpFlags, TcpSegment, MAX_SACK_BLOCKS};
use super::send_queue::{sndbuf_for, SendQueue, SkbShape, SKB_OVERHEAD};
use super::state::TcpState;
use super::timers::{TimerKind, Timers};
use super::timestamps::{InitialNumbers, Timestamps};
use super::window::{initial_window, skb_truesize, Growth, ReceiverRtt, RecvMemory, RecvWindow, Space};
use super::TcpConfig;
use crate::net::addr::SocketAddrV4;
use crate::net::packet::empty_payload;
use crate::net::syscall::Errno;
use crate::net::trace::SendReason;
use std::sync::Arc;

pub use super::congestion::SSTHRESH_INFINITE;
/// Linux's `net.ipv4.tcp_invalid_ratelimit`: the least time between two ACKs
/// that answer out-of-window segments without data.
const OOW_ACK_INTERVAL_US: u64 = 500_000;
/// RFC 9293: the MSS to assume when the peer sends no MSS option.
const DEFAULT_MSS: u32 = 536;
/// `sk_gso_max_size` for a device with the default 64 KB GSO limit (65536
/// less `MAX_TCP_HEADER` + 1, `sk_dst_gso_max_size`): the most one skb holds.
/// TCP builds GSO skbs even when the device segments nothing itself
/// (`sk_setup_caps` always allows GSO for TCP).
const GSO_MAX_SIZE: u32 = 65_536 - 321;
/// `TCP_INIT_CWND`: the fewest segments the send buffer is sized for.
const TCP_INIT_CWND: u32 = 10;
/// `tcp_min_tso_segs`: the fewest segments a GSO packet is allowed.
const MIN_TSO_SEGS: u32 = 2;

/// How far one transmission may go past the usual limits.
#[derive(Clone, Copy, Debug, Default)]
struct Leeway {
    /// Through cwnd and peer windows smaller than this.
    window_floor: u32,
    /// Not past this sequence number (a probe resends one segment).
    stop_at: Option<SeqNumber>,
    /// Nagle does not hold it (`TCP_NAGLE_OFF`).
    nagle_off: bool,
    /// One segment goes whatever cwnd says (a probe: `tcp_write_xmit`'s
    /// `push_one` 2).
    past_cwnd: bool,
    /// New data stops here, the end of the skb the packet comes from: a
    /// packet never spans two skbs.
    skb_end: Option<SeqNumber>,
    /// A later segment of a GSO packet whose first one just left: the peer's
    /// window may end it with a piece under a full segment.
    within_packet: bool,
}

/// How much one round of output sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Burst {
    /// Everything the windows allow (`tcp_write_xmit`).
    All,
    /// One packet, not held back for more room (`tcp_push_one`).
    OnePacket,
}

/// Why `tcp_tso_should_defer` held a packet back for the next ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deferral {
    /// The congestion window has room for less than the packet.
    CwndLimited,
    /// The peer's window has room for less than the packet.
    WindowLimited,
    /// All of it fits, but the application may add to it yet.
    MoreDataMayCome,
}

/// What an ACK's SACK blocks and cumulative ACK deliver, as the scoreboard
/// reads them before it forgets what it had SACKed.
#[derive(Clone, Copy, Debug, Default)]
struct SackDelivery {
    /// Bytes newly delivered, acknowledged or SACKed for the first time.
    bytes: u32,
    /// Segments SACKed for the first time (Linux's `FLAG_DATA_SACKED` when
    /// not zero).
    newly_sacked: u32,
    /// Segments the cumulative ACK covers that a SACK had delivered already.
    acked_after_sack: u32,
    /// Segments a D-SACK names: a needless resend was delivered too.
    duplicates: u32,
    /// The lowest end of a segment sent only once that this ACK delivers for
    /// the first time, acknowledged (not SACKed before) or newly SACKed: below
    /// a timeout's high point, F-RTO's proof (`FLAG_ORIG_SACK_ACKED`).
    original_end: Option<SeqNumber>,
    /// When the first and last segments sent once that the blocks newly
    /// SACKed left: a round-trip sample (`tcp_sacktag_one`'s first_sackt,
    /// last_sackt).
    sample: Option<SackSample>,
}

/// What loss recovery without SACK reads of one ACK (Linux's ACK flags).
#[derive(Clone, Copy, Debug)]
struct AckOnRecovery {
    /// Segments the cumulative ACK newly delivered.
    delivered: u32,
    /// A duplicate ACK (`num_dupack`).
    duplicate: bool,
    /// `snd_una` moved (`FLAG_SND_UNA_ADVANCED`).
    una_advanced: bool,
    /// The connection was in Linux's Open state when the ACK came.
    was_open: bool,
    /// The ACK reaches where fast recovery ends (`high_seq`).
    recovery_reached: bool,
}

/// What the PAWS test (RFC 7323) says of an arriving segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paws {
    /// Not older than what we echo, or an old duplicate ACK Linux lets by.
    Passes,
    /// An old pure ACK below `rcv_nxt`: dropped without an answer.
    OldAck,
    /// Dropped, and answered (`tcp_send_dupack`, or a challenge for a SYN).
    Rejected,
}

/// `sysctl_tcp_tso_win_divisor`: a packet goes at once when a third of the
/// window is open to it.
const TSO_WIN_DIVISOR: u32 = 3;

/// What one input made the connection do.
#[derive(Clone, Debug, Default)]
pub struct TcpOut {
    pub segments: Vec<(TcpSegment, SendReason)>,
    pub transitions: Vec<(TcpState, TcpState)>,
    /// An error the application will see (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE).
    pub error: Option<Errno>,
    pub congestion_changed: bool,
    /// F-RTO judged the timeout: the loss was real (RFC 5682 step 3a), and
    /// the resends go on as after any timeout.
    pub loss_confirmed: bool,
}

impl TcpOut {
    pub fn clear(&mut self) {
        self.segments.clear();
        self.transitions.clear();
        self.error = None;
        self.congestion_changed = false;
        self.loss_confirmed = false;
    }
}

/// Read-only figures for views: buffers, windows and timing.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TcpStats {
    pub state: TcpState,
    pub snd_una: u32,
    pub snd_nxt: u32,
    pub snd_wnd: u32,
    /// `sk_sndbuf`: the memory the send buffer may hold.
    pub send_buffer: usize,
    /// `sk_wmem_queued`: the memory it holds, data and skb bookkeeping.
    pub send_memory: usize,
    pub send_in_flight: usize,
    pub send_unsent: usize,
    pub rcv_nxt: u32,
    pub recv_buffered: usize,
    pub recv_out_of_order: usize,
    pub recv_capacity: usize,
    pub advertised_window: u32,
    pub cwnd: u32,
    pub ssthresh: u32,
    pub srtt_us: Option<u64>,
    pub rto_us: u64,
    pub mss: u32,
}

#[derive(Clone, Debug)]
pub struct Tcb {
    pub state: TcpState,
    pub local: SocketAddrV4,
    pub remote: SocketAddrV4,
    cfg: TcpConfig,
    pub timers: Timers,

    // Send sequence space.
    iss: SeqNumber,
    snd_una: SeqNumber,
    snd_nxt: SeqNumber,
    /// Highest sequence number sent so far, plus one.
    snd_max: SeqNumber,
    /// Peer's window in bytes (already scaled).
    snd_wnd: u32,
    max_snd_wnd: u32,
    /// The sequence number of the segment that last set `snd_wnd`
    /// (`tcp_update_wl`). Linux keeps no `snd_wl2`: it orders window
    /// updates by the ACK's advance, not by RFC 9293's SND.WL2.
    snd_wl1: SeqNumber,
    /// Data from `snd_una` on: in flight, then unsent.
    send_buf: SendQueue,
    /// `sk_sndbuf`: the memory the send buffer may hold ([`SendQueue::memory`]).
    sndbuf: usize,
    /// The application set `SO_SNDBUF` (`SOCK_SNDBUF_LOCK`): the buffer
    /// stays as set rather than grow with cwnd.
    sndbuf_locked: bool,
    /// A write found the buffer full (`SOCK_NOSPACE`): ACKs that free
    /// memory may grow the buffer and wake the writer (`tcp_check_space`).
    nospace: bool,
    /// The application will write no more: the sequence number the FIN takes,
    /// right after the last byte written.
    fin_seq: Option<SeqNumber>,
    snd_mss: u32,
    our_mss: u32,
    snd_wscale: u8,
    rcv_wscale: u8,
    /// Linux's header prediction (`pred_flags`): the window field an in-order
    /// ACK with only the timestamp option must carry to take
    /// `tcp_rcv_established`'s fast path; `None` while that path is off.
    header_prediction: Option<u16>,
    /// Both SYNs carried the window-scale option, so both shifts are in force.
    peer_offered_wscale: bool,
    /// Both SYNs carried SACK-permitted (and `tcp_sack` is on here): our ACKs
    /// carry SACK blocks, and the peer's drive loss recovery.
    sack_ok: bool,
    /// What the peer's SACK blocks said about our data in flight.
    sack: Scoreboard,
    /// Without SACK, the duplicate ACKs counted as segments the peer holds.
    dup_sacks: DupAckSacks,
    /// Which segments in flight are lost, by time (RFC 8985).
    rack: Rack,
    /// The tail loss probe's episode, if one is on.
    tlp: TailLossProbe,
    /// Proportional rate reduction while SACK recovery lasts.
    prr: Prr,
    /// F-RTO's judgement of the last retransmission timeout.
    frto: Frto,
    /// What fast recovery may undo, should it prove needless.
    recovery_undo: Option<RecoveryUndo>,
    /// The TSval of the first retransmission since a timeout's loss episode
    /// began (Linux's `retrans_stamp`): an ACK that echoes an older one
    /// acknowledges an original, so the timeout was spurious.
    retrans_stamp: Option<u32>,
    /// Data that arrived twice, for the next ACK's D-SACK block.
    dsack: Option<(SeqNumber, SeqNumber)>,

    // Receive sequence space.
    irs: SeqNumber,
    rcv_nxt: SeqNumber,
    /// Stream offset of `rcv_nxt` (bytes since the SYN), so out-of-order keys never wrap.
    rcv_nxt_off: u64,
    recv_buf: RecvQueue,
    recv_cap: usize,
    /// Stream offset of a FIN that arrived ahead of missing data.
    ooo_fin: Option<u64>,
    pub fin_received: bool,
    /// The window we last advertised, in bytes.
    rcv_wnd_adv: u32,
    /// How Linux chooses that window: rcv_ssthresh, the last offer, DRS.
    rwnd: RecvWindow,
    /// The memory the queued segments cost (`sk_rmem_alloc`).
    rmem: RecvMemory,
    /// The receiver's round-trip estimate, which paces DRS.
    rcv_rtt: ReceiverRtt,

    /// RFC 7323 timestamps: agreed or not, the clock, the TSval to echo.
    ts: Timestamps,

    // Retransmission timing (RFC 6298).
    rtt: RttEstimator,
    syn_sent_at: Option<u64>,
    /// When the connection last sent a packet (`tcp_wstamp_ns`): a packet is
    /// held back for more room only in the middle of a burst.
    last_sent_at: Option<u64>,
    /// When data last left (`lsndtime`; from ESTABLISHED on): a write, or
    /// the peer's window reopening on waiting data, after a longer silence
    /// than an RTO restarts the congestion window.
    lsndtime: u64,
    /// `sk_pacing_rate`, bytes a second ([`Tcb::update_pacing_rate`]); it
    /// sizes GSO packets.
    pacing_rate: Option<u64>,
    /// When the retransmission timer first fired for the data now unacknowledged
    /// (Linux's `retrans_stamp`, as a time): an orphan gives up by time since then.
    first_retransmit_at: Option<u64>,
    /// When the first SYN (or SYN-ACK) left: Linux's `retrans_stamp`, from which
    /// `retransmits_timed_out` measures a handshake's time budget.
    first_syn_at: Option<u64>,
    /// When an ACK last answered an out-of-window segment without data.
    last_oow_ack: Option<u64>,
    retries: u32,
    /// SYNs (or SYN-ACKs) sent again, by the timer or to answer a repeated
    /// SYN (`total_retrans`, a request's `num_retrans`).
    syn_resends: u32,
    /// Data segments sent again, probes included (`total_retrans`), and
    /// the segments D-SACKs have named (`dsack_dups`): a D-SACK naming more
    /// than was ever resent tells of a link's copies, not of needless resends.
    resends: u32,
    dsack_dups: u32,
    persist_backoff: u32,

    // Congestion control.
    cc: Congestion,

    /// Whether the application has closed the socket (no one will read again).
    pub orphaned: bool,
    /// The application shut down reading.
    pub read_shutdown: bool,
    /// A connection made by a listener shut for writing (`sk_clone_lock`
    /// copies `sk_shutdown`): its FIN leaves as the handshake completes
    /// (`tcp_rcv_state_process`: `tcp_shutdown(sk, SEND_SHUTDOWN)`).
    pub fin_on_establish: bool,
    /// `tw_rcv_wnd`: once Linux swaps the connection for a time-wait socket
    /// (`tcp_time_wait`), every ACK it sends offers the window that was
    /// open at the swap, whatever the buffer holds since.
    time_wait_window: Option<u32>,
    /// An ACK that must go at once, and why.
    ack_pending: Option<SendReason>,
    /// When the ACK of received data goes: quick, delayed or riding on data.
    delack: AckMachine,
    /// End of the last sub-MSS segment sent (Linux's `snd_sml`, for Minshall's
    /// Nagle check).
    snd_sml: SeqNumber,
    /// A pending error the application has not yet been told.
    pub error: Option<Errno>,
}

impl Tcb {
    fn new(
        cfg: &TcpConfig,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        initial: InitialNumbers,
        our_mss: u32,
        state: TcpState,
    ) -> Tcb {
        let rcv_wscale = cfg.recv_scale_shift();
        let iss = SeqNumber(initial.iss);
        Tcb {
            state,
            local,
            remote,
            cfg: cfg.clone(),
            timers: Timers::default(),
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            send_buf: SendQueue::default(),
            sndbuf: cfg.send_buffer.max(1),
            sndbuf_locked: cfg.send_buffer_locked,
            nospace: false,
            fin_seq: None,
            snd_mss: DEFAULT_MSS.min(our_mss),
            our_mss,
            snd_wscale: 0,
            rcv_wscale,
            header_prediction: None,
            peer_offered_wscale: false,
            sack_ok: false,
            sack: Scoreboard::default(),
            dup_sacks: DupAckSacks::default(),
            rack: Rack::default(),
            tlp: TailLossProbe::default(),
            prr: Prr::default(),
            frto: Frto::default(),
            recovery_undo: None,
            retrans_stamp: None,
            dsack: None,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_nxt_off: 0,
            recv_buf: RecvQueue::default(),
            recv_cap: cfg.recv_buffer,
            ooo_fin: None,
            fin_received: false,
            rcv_wnd_adv: 0,
            rwnd: RecvWindow::default(),
            rmem: RecvMemory::default(),
            rcv_rtt: ReceiverRtt::default(),
            ts: Timestamps::new(cfg.timestamps, initial.ts_offset),
            rtt: RttEstimator::new(cfg.rto_initial_us, cfg.rto_min_us, cfg.rto_max_us, iss),
            syn_sent_at: None,
            last_sent_at: None,
            lsndtime: 0,
            pacing_rate: None,
            first_syn_at: None,
            first_retransmit_at: None,
            syn_resends: 0,
            resends: 0,
            dsack_dups: 0,
            last_oow_ack: None,
            retries: 0,
            persist_backoff: 0,
            cc: Congestion::new(iss, cfg.congestion),
            orphaned: false,
            time_wait_window: None,
            read_shutdown: false,
            fin_on_establish: false,
            ack_pending: None,
            delack: AckMachine::new(!cfg.delayed_ack, cfg.delayed_ack_us),
            snd_sml: iss,
            error: None,
        }
    }

    /// Active open: `connect()` sends a SYN and enters SYN-SENT.
    pub fn connect(
        cfg: &TcpConfig,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        initial: impl Into<InitialNumbers>,
        our_mss: u32,
        now: u64,
        out: &mut TcpOut,
    ) -> Tcb {
        let mut tcb = Tcb::new(cfg, local, remote, initial.into(), our_mss, TcpState::Closed);
        tcb.set_state(TcpState::SynSent, out);
        tcb.send_syn(now, false, SendReason::Handshake, out);
        tcb
    }

    /// Whether a `connect` from a bound port may take this connection's
    /// four-tuple over (`tcp_twsk_unique` with no `twp`): it is in TIME-WAIT
    /// and both ends used timestamps, so PAWS keeps its old duplicates out
    /// of the new connection.
    pub fn yields_time_wait(&self) -> bool {
        self.state == TcpState::TimeWait && self.ts.in_use()
    }

    /// Active open on the four-tuple of `time_wait`, which gives it up
    /// ([`Tcb::yields_time_wait`]): the new connection starts 65537 past the
    /// old one's next sequence number (`tw_snd_nxt + 65535 + 2`), beyond any
    /// window of the old, and keeps its timestamps (the SYN echoes the
    /// peer's last TSval).
    pub fn connect_over_time_wait(cfg: &TcpConfig, time_wait: &Tcb, our_mss: u32, now: u64, out: &mut TcpOut) -> Tcb {
        let iss = match time_wait.snd_nxt.0.wrapping_add(65_537) {
            0 => 1,
            iss => iss,
        };
        let (local, remote) = (time_wait.local, time_wait.remote);
        let mut tcb = Tcb::new(cfg, local, remote, InitialNumbers::from(iss), our_mss, TcpState::Closed);
        tcb.ts = time_wait.ts.carried_over(cfg.timestamps);
        tcb.set_state(TcpState::SynSent, out);
        tcb.send_syn(now, false, SendReason::Handshake, out);
        tcb
    }

    /// Passive open: a listener received `syn`; the new connection answers SYN-ACK.
    pub fn accept_syn(
        cfg: &TcpConfig,
        (local, remote): (SocketAddrV4, SocketAddrV4),
        syn: &TcpSegment,
        initial: impl Into<InitialNumbers>,
        our_mss: u32,
        now: u64,
        out: &mut TcpOut,
    ) -> Tcb {
        let mut tcb = Tcb::new(cfg, local, remote, initial.into(), our_mss, TcpState::Listen);
        tcb.take_syn_options(syn, now);
        tcb.irs = syn.seq_number();
        tcb.rcv_nxt = syn.seq_number() + 1;
        tcb.snd_wnd = u32::from(syn.window);
        tcb.max_snd_wnd = tcb.snd_wnd;
        tcb.snd_wl1 = syn.seq_number();
        tcb.set_state(TcpState::SynReceived, out);
        tcb.send_syn(now, true, SendReason::Handshake, out);
        tcb
    }

    // ----- read-only views -------------------------------------------------------

    pub fn stats(&self) -> TcpStats {
        // Sent and not yet acknowledged: up to snd_max. After a timeout
        // snd_nxt goes back to snd_una to resend, and the bytes sent past it
        // (F-RTO's new data among them) read as neither sent nor unsent.
        let in_flight = (self.snd_max - self.snd_una) as usize;
        let data_in_flight = in_flight.min(self.send_buf.len());
        TcpStats {
            state: self.state,
            snd_una: self.snd_una.0,
            snd_nxt: self.snd_nxt.0,
            snd_wnd: self.snd_wnd,
            send_buffer: self.sndbuf,
            send_memory: self.send_memory(),
            send_in_flight: data_in_flight,
            send_unsent: self.send_buf.len() - data_in_flight,
            rcv_nxt: self.rcv_nxt.0,
            recv_buffered: self.recv_buf.len(),
            recv_out_of_order: self.recv_buf.out_of_order_len(),
            recv_capacity: self.rwnd.win_from_space(self.rcvbuf()) as usize,
            advertised_window: self.rcv_wnd_adv,
            cwnd: self.cc.cwnd(),
            ssthresh: self.cc.ssthresh(),
            srtt_us: self.rtt.srtt_us(),
            rto_us: self.rtt.rto(),
            mss: self.snd_mss,
        }
    }

    /// The connection's own consistency rules; a description of the first broken one.
    pub fn check_invariants(&self) -> Result<(), String> {
        if !(self.snd_una <= self.snd_nxt && self.snd_nxt <= self.snd_max) {
            return Err(format!(
                "send sequence out of order: una {} nxt {} max {}",
                self.snd_una, self.snd_nxt, self.snd_max
            ));
        }
        // Linux bounds the receive queue by memory, not data: a segment is
        // taken while the memory is within sk_rcvbuf (or the queue is empty),
        // so at a measured ratio above one half, or after SO_RCVBUF shrank,
        // the data may pass the model's room by up to that one skb.
        let memory_over = self.rmem.used() > self.rcvbuf() + self.rmem.largest_charge() as usize;
        if self.recv_buf.len() > self.recv_cap && memory_over {
            return Err(format!(
                "receive buffer {} over its capacity {}, its memory {} over {}",
                self.recv_buf.len(),
                self.recv_cap,
                self.rmem.used(),
                self.rcvbuf()
            ));
        }
        // Linux starts an skb only while the memory is under sk_sndbuf and
        // fills the tail skb whatever it is (up to size_goal, at most the
        // largest GSO packet), so what waits unsent passes the limit by at
        // most that one skb, unless SO_SNDBUF shrank it. (What was sent may
        // add more: a refilled skb whose head just left.)
        let one_skb = GSO_MAX_SIZE as usize + SKB_OVERHEAD;
        let unsent = self.send_buf.unsent_memory(self.unsent_from());
        if unsent > self.sndbuf + one_skb && !self.sndbuf_locked {
            return Err(format!("unsent data's memory {unsent} over the send buffer's limit {}", self.sndbuf));
        }
        self.sack.check(self.snd_una, self.snd_max)?;
        self.recv_buf.check_out_of_order(self.rcv_nxt_off)
    }

    pub fn cwnd(&self) -> u32 {
        self.cc.cwnd()
    }
    /// Why cwnd or ssthresh changed since the last call, and forgets it.
    pub fn take_cwnd_change(&mut self) -> Option<CwndChange> {
        self.cc.take_change()
    }
    pub fn congestion_control(&self) -> CongestionControl {
        self.cc.control()
    }
    pub fn ssthresh(&self) -> u32 {
        self.cc.ssthresh()
    }
    pub fn unread(&self) -> usize {
        self.recv_buf.len()
    }
    /// Up to `max` unread bytes, left unread (`MSG_PEEK`): no window update.
    pub fn peek(&self, max: usize) -> Arc<[u8]> {
        self.recv_buf.peek(max)
    }
    /// `sk_wmem_queued`: the data in the send buffer and its skbs' bookkeeping.
    pub fn send_memory(&self) -> usize {
        self.send_buf.memory(self.unsent_from())
    }
    /// Offset (from `snd_una`) of the first byte never sent.
    fn unsent_from(&self) -> usize {
        ((self.snd_max - self.snd_una) as usize).min(self.send_buf.len())
    }
    /// `__sk_stream_is_writeable`: at least half as much memory free as is
    /// queued (`sk_stream_wspace >= sk_stream_min_wspace`).
    pub fn writeable(&self) -> bool {
        let used = self.send_memory();
        self.sndbuf.saturating_sub(used) >= used / 2
    }
    /// Whether everything written has been acknowledged.
    pub fn all_acked(&self) -> bool {
        self.snd_una == self.snd_max && self.send_buf.is_empty()
    }
    /// Whether the application may still write.
    pub fn can_send(&self) -> bool {
        matches!(self.state, TcpState::Established | TcpState::CloseWait) && self.fin_seq.is_none()
    }
    pub fn write_closed(&self) -> bool {
        self.fin_seq.is_some()
    }

    // ----- application calls -----------------------------------------------------

    /// `SO_SNDBUF`/`SO_RCVBUF` on a live connection (the sizes the
    /// application asked for). Linux keeps twice the send size, as memory,
    /// and never grows it again; shrinking it discards nothing queued (writes
    /// wait until the memory falls below it). Shrinking the receive buffer
    /// never discards bytes already held: its limit stops at what it holds.
    pub fn set_buffers(&mut self, send: Option<usize>, recv: Option<usize>) {
        if let Some(s) = send {
            self.sndbuf = s.saturating_mul(2).max(1);
            self.sndbuf_locked = true;
        }
        if let Some(r) = recv {
            self.recv_cap = r.max(self.recv_buf.len() + self.recv_buf.out_of_order_len()).max(1);
            self.cfg.recv_buffer_locked = true;
            if self.state == TcpState::Closed || self.state == TcpState::Listen {
                self.cfg.recv_buffer = self.recv_cap;
                self.rcv_wscale = self.cfg.recv_scale_shift();
            }
        }
    }

    /// `TCP_NODELAY`: turning Nagle off sends what it held back at once
    /// (do_tcp_setsockopt → tcp_push_pending_frames).
    pub fn set_nagle(&mut self, on: bool, now: u64, out: &mut TcpOut) {
        self.cfg.nagle = on;
        if !on {
            self.output(now, out);
        }
    }

    /// `TCP_QUICKACK` (`__tcp_sock_set_quickack`): 1 leaves pingpong mode and
    /// sends an owed ACK if the read rule (`tcp_cleanup_rbuf`) allows it; 0
    /// enters pingpong mode, so ACKs wait for a reply.
    pub fn set_quickack(&mut self, on: bool, now: u64, out: &mut TcpOut) {
        let established = matches!(self.state, TcpState::Established | TcpState::CloseWait);
        self.delack.set_quickack(on, established);
        let buffer_empty = self.recv_buf.is_empty() && !self.recv_buf.has_out_of_order();
        if on && established && self.delack.time_to_ack_on_read(self.rcv_nxt, 1, buffer_empty) {
            self.ack_pending = Some(SendReason::AckOnRead);
            self.output(now, out);
        }
    }

    /// `setsockopt(TCP_CONGESTION)` on a connection: the new algorithm starts now.
    pub fn set_congestion_control(&mut self, control: CongestionControl, now: u64) {
        self.cfg.congestion = control;
        self.cc.set_control(control, now, self.snd_nxt);
    }

    /// Queues as much of `data[from..]` as the send buffer takes (sharing the
    /// caller's buffer, not copying it) and transmits what the windows allow.
    /// Returns the bytes taken.
    ///
    /// As `tcp_sendmsg_locked`: the tail skb, if unsent, is filled to
    /// `size_goal` whatever the memory; a new skb is started only while the
    /// memory is under `sk_sndbuf`. A full skb that heads the write queue
    /// leaves at once (`tcp_push_one`), or everything does once half the
    /// peer's largest window went unpushed (`forced_push`), so a large write
    /// refills the unsent rest of an skb whose first packet left.
    pub fn write(&mut self, data: &Arc<[u8]>, from: usize, now: u64, out: &mut TcpOut) -> usize {
        let total = data.len();
        let mut at = from;
        while at < total {
            let shape = SkbShape {
                size_goal: self.size_goal() as usize,
                half_max_window: (self.max_snd_wnd >> 1) as usize,
                unsent_from: self.unsent_from(),
                // A send() a full buffer took in pieces goes on: Linux takes the
                // tail skb's PSH away only on a call's first copy ("if (!copied)").
                continuing: at > 0,
            };
            let room = self.send_buf.tail_room(&shape);
            let piece = if room > 0 {
                room
            } else if self.send_memory() < self.sndbuf {
                self.slow_start_after_idle_check(now, out);
                shape.size_goal
            } else {
                self.nospace = true;
                break;
            };
            let end = total.min(at + piece);
            let step = self.send_buf.write_piece(data.clone(), at, end, shape);
            at = end;
            if at == total || !step.full {
                continue;
            }
            if step.forced_push {
                self.output(now, out);
            } else if self.send_buf.tail_is_send_head(self.unsent_from()) {
                self.push_one(now, out);
            }
        }
        if at > from {
            self.send_buf.end_write();
        }
        self.output(now, out);
        at - from
    }

    /// `tcp_slow_start_after_idle_check`, as a write starts a new skb
    /// (`tcp_skb_entail`) or the peer's window changes with data waiting
    /// (`tcp_ack_update_window`): with nothing in flight and no data sent
    /// for longer than an RTO, the congestion window restarts
    /// (`tcp_cwnd_restart`).
    fn slow_start_after_idle_check(&mut self, now: u64, out: &mut TcpOut) {
        if self.snd_max != self.snd_una {
            return;
        }
        let (idle, rto) = (now.saturating_sub(self.lsndtime), self.rtt.rto());
        if idle > rto && self.cc.restart_after_idle(now, idle, rto, self.cfg.initial_cwnd_segments, self.snd_mss) {
            out.congestion_changed = true;
        }
    }

    /// `icsk_ca_state == TCP_CA_Open`: no recovery or loss episode, and
    /// nothing SACKed, counted by a duplicate ACK without SACK, or marked
    /// lost (Disorder).
    fn ca_open(&self) -> bool {
        !self.cc.in_recovery()
            && self.cc.loss_high().is_none()
            && !self.sack.in_loss()
            && !self.sack.has_sacked()
            && self.dup_sacks.sacked() == 0
            && !self.sack.has_lost()
    }

    /// `tcp_check_space` after an ACK (once what it allows was sent): a
    /// writer that found the buffer full may find it grown with cwnd
    /// (`tcp_new_space`, unless cwnd is full or `SO_SNDBUF` fixed it), and is
    /// woken once a third of it is free (`sk_stream_write_space`).
    fn check_space(&mut self) {
        if !self.nospace {
            return;
        }
        let mss_cache = self.snd_mss.max(1);
        if !self.sndbuf_locked && self.pipe() / mss_cache < self.cc.cwnd() / mss_cache {
            self.expand_sndbuf();
        }
        if self.writeable() {
            self.nospace = false;
        }
    }

    /// `tcp_sndbuf_expand`: room for twice the congestion window (at least
    /// `TCP_INIT_CWND`, 10 segments, which is more than Linux's other floor,
    /// `reordering` + 1, until reordering of 10 segments was seen), up to
    /// `tcp_wmem[2]`; never smaller than it is.
    fn expand_sndbuf(&mut self) {
        let mss_cache = self.snd_mss.max(1);
        let segments = (self.cc.cwnd() / mss_cache).max(TCP_INIT_CWND);
        // mss_clamp: the peer's MSS option, before the options come off it.
        let mss_clamp = self.snd_mss + self.ts.option_len();
        let wanted = sndbuf_for(mss_clamp, segments).min(self.cfg.send_buffer_max);
        self.sndbuf = self.sndbuf.max(wanted);
    }

    /// `tcp_xmit_size_goal`: how many bytes one skb of a write takes, whole
    /// segments of the current MSS up to the GSO limit, and no more than half
    /// the peer's largest window (`tcp_bound_to_half_wnd`).
    fn size_goal(&self) -> u32 {
        let mss = self.current_mss();
        (self.bound_to_half_window(GSO_MAX_SIZE) / mss * mss).max(mss)
    }

    /// `tcp_bound_to_half_wnd`: no more than half the peer's largest window
    /// (all of it when that is under 536 bytes), so a window that opens by
    /// half still takes a packet; 68 bytes of IP and TCP is the least any
    /// packet may carry.
    fn bound_to_half_window(&self, size: u32) -> u32 {
        let cutoff = if self.max_snd_wnd > DEFAULT_MSS { self.max_snd_wnd >> 1 } else { self.max_snd_wnd };
        if cutoff > 0 && size > cutoff {
            cutoff.max(68u32.saturating_sub(20 + self.ts.option_len()))
        } else {
            size
        }
    }

    /// `tcp_current_mss`: the segment size `tcp_sync_mss` keeps, at most half
    /// the peer's largest window, less the SACK blocks riding on data, which
    /// take their bytes from the payload so the packet stays within the MTU.
    fn current_mss(&self) -> u32 {
        self.bound_to_half_window(self.snd_mss).saturating_sub(self.sack_option_len()).max(1)
    }

    /// How many segments the congestion window lets the next packet carry
    /// (`tcp_cwnd_test`): what it has room for, and at most half of it.
    fn cwnd_quota(&self) -> usize {
        let mss_cache = self.snd_mss.max(1);
        let cwnd = self.cc.cwnd() / mss_cache;
        let in_flight = self.pipe().div_ceil(mss_cache);
        (cwnd / 2).max(1).min(cwnd.saturating_sub(in_flight)) as usize
    }

    /// The most segments one packet carries (`tcp_tso_segs` →
    /// `tcp_tso_autosize`): what the pacing rate sends in a 1024th of a
    /// second, plus a bonus that shrinks as the path's minimum RTT grows, at
    /// least two. On a path of milliseconds that is two segments until the
    /// window is large; on loopback's microseconds the GSO limit.
    fn tso_segs(&self) -> usize {
        // sk_pacing_shift: a GSO packet is at most ~1 ms of the rate; none
        // set yet means no pacing limit.
        let pacing_bytes = self.pacing_rate.map_or(u64::from(GSO_MAX_SIZE), |rate| rate >> 10);
        // tcp_tso_rtt_log = 9: the bonus halves with every 512 µs of min RTT.
        let shift = self.rtt.min_rtt_us().map_or(u64::MAX, |rtt| rtt >> 9);
        let bonus = if shift < 32 { u64::from(GSO_MAX_SIZE) >> shift } else { 0 };
        let tso_bytes = pacing_bytes.saturating_add(bonus).min(u64::from(GSO_MAX_SIZE));
        (tso_bytes / u64::from(self.current_mss())).max(u64::from(MIN_TSO_SEGS)) as usize
    }

    /// `tcp_update_pacing_rate`, which Linux runs at the end of each ACK
    /// that found data outstanding (`tcp_cong_control`) and as the
    /// handshake completes: 200% of cwnd·mss/srtt in slow start (below half
    /// ssthresh), 120% after, in bytes a second. A window changed between
    /// ACKs (restarted after idle, cut by a timeout) paces at the old rate
    /// until the next ACK.
    fn update_pacing_rate(&mut self) {
        let Some(srtt8) = self.rtt.srtt8() else { return };
        let mss_cache = u64::from(self.snd_mss.max(1));
        let cwnd = u64::from(self.cc.cwnd()) / mss_cache;
        let ssthresh = u64::from(self.cc.ssthresh()) / mss_cache;
        let ratio = if cwnd < ssthresh / 2 { 200 } else { 120 };
        let packets_out = u64::from(self.snd_nxt - self.snd_una).div_ceil(mss_cache);
        self.pacing_rate = Some(mss_cache * 80_000 * ratio * cwnd.max(packets_out) / srtt8.max(1));
    }

    /// `tcp_tso_should_defer`: in the middle of a burst (something sent in
    /// the last millisecond) with an ACK due within min(1 ms, srtt/2), a
    /// packet of the skb ending at `skb_end` that cannot be a full
    /// `max_segs` one waits for that ACK's room rather than leave small:
    /// ACK-clocked slow start sends packets of three once the pacing rate
    /// allows three, though each ACK frees room for two. Not in recovery,
    /// nor when a fair share of the window (a third) is open, nor for the
    /// last data before a FIN.
    fn tso_should_defer(&self, skb_end: SeqNumber, max_segs: usize, now: u64) -> Option<Deferral> {
        let skb_len = skb_end - self.snd_nxt;
        // One segment is Nagle's to judge.
        if skb_len <= self.current_mss()
            || self.last_sent_at.is_none_or(|at| now > at + 1_000)
            || self.cc.in_recovery()
            || self.sack.in_loss()
        {
            return None;
        }
        let mss = self.snd_mss.max(1);
        let cwnd = self.cc.cwnd() / mss;
        let in_flight = self.pipe().div_ceil(mss);
        let wnd_end = self.snd_una + self.snd_wnd;
        let send_win = if wnd_end > self.snd_nxt { wnd_end - self.snd_nxt } else { 0 };
        // No room at all is tcp_cwnd_test's or the window's to judge.
        if cwnd <= in_flight || send_win < self.current_mss() {
            return None;
        }
        let cong_win = (cwnd - in_flight) * mss;
        let limit = send_win.min(cong_win);
        let is_tail = skb_end == self.snd_una + self.send_buf.len() as u32;
        let fair_share = self.snd_wnd.min(cwnd * mss) / TSO_WIN_DIVISOR;
        if limit >= max_segs as u32 * mss || (!is_tail && limit >= skb_len) || limit >= fair_share {
            return None;
        }
        let srtt = self.rtt.srtt_us()?;
        let expected_ack = self.rtt.oldest_sent_at()? + srtt;
        if expected_ack > now + (srtt / 2).min(1_000) {
            return None;
        }
        if cong_win < send_win {
            if cong_win <= skb_len {
                return Some(Deferral::CwndLimited);
            }
        } else if send_win <= skb_len {
            return Some(Deferral::WindowLimited);
        }
        // The tail skb may take more of the application's data, unless a FIN closes it.
        if self.fin_seq == Some(skb_end) {
            return None;
        }
        Some(Deferral::MoreDataMayCome)
    }

    /// Takes up to `max` bytes of in-order data. Opens the window again when the
    /// read freed enough space to matter (receiver-side silly-window avoidance).
    pub fn read(&mut self, max: usize, now: u64, out: &mut TcpOut) -> Arc<[u8]> {
        let copied_before = self.rcv_nxt_off.saturating_sub(self.recv_buf.len() as u64);
        let data = self.recv_buf.take(max);
        let n = data.len();
        let copied_to = copied_before + n as u64;
        if n > 0 {
            // tcp_recvmsg_locked runs tcp_rcv_space_adjust after each skb it
            // copies from; within one read only the first can measure, the
            // others coming less than a round trip after it.
            let first_skb_end = self.rmem.skb_end_after(copied_before).unwrap_or(copied_to).min(copied_to);
            let in_queue = self.rcv_nxt_off - first_skb_end;
            if let Some(rcvwin) = self.rwnd.space_adjust(first_skb_end, in_queue, now, self.rcv_rtt.rtt_us()) {
                self.rcvbuf_grow(rcvwin);
            }
        }
        self.rmem.release_to(copied_to);
        let buffer_empty = self.recv_buf.is_empty() && !self.recv_buf.has_out_of_order();
        if self.state.is_synchronized() && self.delack.time_to_ack_on_read(self.rcv_nxt, n, buffer_empty) {
            // __tcp_cleanup_rbuf: the read sends the ACK the receive path held.
            self.ack_pending = Some(SendReason::AckOnRead);
            self.output(now, out);
        } else if n > 0 && self.state.is_synchronized() && !self.fin_received && self.window_update_due() {
            self.ack_pending = Some(SendReason::WindowUpdate);
            self.output(now, out);
        }
        data
    }

    /// `tcp_close` empties the receive queue first (`__kfree_skb` of each
    /// skb, counting `data_was_unread`), so the RST that a close with unread
    /// data or `SO_LINGER` {1, 0} sends next offers the window of the memory
    /// that freed. Data waiting out of order stays (Linux frees it later).
    pub fn discard_unread(&mut self) {
        let copied_before = self.rcv_nxt_off.saturating_sub(self.recv_buf.len() as u64);
        let discarded = self.recv_buf.take(self.recv_buf.len());
        self.rmem.release_to(copied_before + discarded.len() as u64);
    }

    /// `tcp_rcvbuf_grow`: the memory that holds `rcvwin` and what waits out
    /// of order, at the measured ratio and within tcp_rmem[2]; the clamp
    /// follows. A buffer set by SO_RCVBUF stays as set.
    fn rcvbuf_grow(&mut self, rcvwin: u64) {
        if self.cfg.recv_buffer_locked {
            return;
        }
        let out_of_order = self.recv_buf.out_of_order_end().map_or(0, |end| end - self.rcv_nxt_off);
        let limit = self.cfg.recv_buffer_limit().saturating_mul(2);
        let rcvbuf = self.rwnd.space_from_win(rcvwin.saturating_add(out_of_order)).min(limit);
        if rcvbuf > self.rcvbuf() {
            self.recv_cap = rcvbuf / 2;
            self.rwnd.clamp = self.rwnd.win_from_space(rcvbuf);
        }
    }

    /// `tcp_clamp_window`, for a segment that finds the receive memory past
    /// `sk_rcvbuf` (`tcp_try_rmem_schedule` → `tcp_prune_queue`): quick-ACK
    /// mode ends, and a buffer the application did not size grows to the
    /// memory it holds (up to `tcp_rmem[2]`), so the data the windows already
    /// offered is still taken (a window is never taken back); where that is
    /// not allowed, the window stops growing (`rcv_ssthresh` two segments)
    /// and the segment is dropped (the model does not compact the queue as
    /// `tcp_collapse` does).
    fn clamp_window(&mut self) {
        self.delack.window_scarce();
        let limit = self.cfg.recv_buffer_limit().saturating_mul(2);
        if !self.cfg.recv_buffer_locked && self.rcvbuf() < limit {
            self.recv_cap = self.rmem.used().min(limit).div_ceil(2);
        }
        if self.rmem.used() > self.rcvbuf() {
            self.rwnd.ssthresh = self.rwnd.clamp.min(2 * self.advmss());
        }
    }

    /// `__tcp_cleanup_rbuf` after a read: once what is left of the last
    /// window offered is at most half the clamp, a window at least twice
    /// that large is worth an ACK of its own ("lots" of space freed). The
    /// window is chosen as the next segment would choose it
    /// (`__tcp_select_window`, which also ends quick-ACK mode when the
    /// buffer is more than half full).
    fn window_update_due(&mut self) -> bool {
        let left = self.offered_window();
        if left.saturating_mul(2) > self.rwnd.clamp {
            return false;
        }
        let space = self.window_space();
        if space.scarce() {
            self.delack.window_scarce();
        }
        let new_window = self.rwnd.clone().select(space, self.rcv_nxt);
        new_window > 0 && new_window >= left.saturating_mul(2)
    }

    /// `shutdown(SHUT_WR)` or `close()`: queue a FIN after the buffered data.
    pub fn close_write(&mut self, now: u64, out: &mut TcpOut) {
        if self.fin_seq.is_some() {
            return;
        }
        let fin_seq = self.snd_una + self.send_buf.len() as u32;
        match self.state {
            TcpState::SynReceived | TcpState::Established => {
                self.fin_seq = Some(fin_seq);
                self.set_state(TcpState::FinWait1, out);
                self.output(now, out);
            }
            TcpState::CloseWait => {
                self.fin_seq = Some(fin_seq);
                self.set_state(TcpState::LastAck, out);
                self.output(now, out);
            }
            TcpState::SynSent => {
                self.timers.stop_all();
                self.set_state(TcpState::Closed, out);
            }
            _ => {}
        }
    }

    /// Abort: send RST (when synchronized) and go to CLOSED.
    pub fn abort(&mut self, now: u64, out: &mut TcpOut) {
        if matches!(
            self.state,
            TcpState::SynReceived
                | TcpState::Established
                | TcpState::FinWait1
                | TcpState::FinWait2
                | TcpState::CloseWait
        ) {
            let rst = self.segment(self.acceptable_seq(), TcpFlags::RST | TcpFlags::ACK, empty_payload(), now);
            out.segments.push((rst, SendReason::Reset));
        }
        self.timers.stop_all();
        self.set_state(TcpState::Closed, out);
    }

    /// Ends the connection without sending anything (a half-open connection
    /// whose listener stopped).
    pub fn forget(&mut self, out: &mut TcpOut) {
        self.timers.stop_all();
        self.set_state(TcpState::Closed, out);
    }

    // ----- input -----------------------------------------------------------------

    /// Processes one arriving segment (RFC 9293 §3.10.7.3 onwards).
    pub fn on_segment(&mut self, seg: &TcpSegment, now: u64, out: &mut TcpOut) {
        let cwnd_before = (self.cc.cwnd(), self.cc.ssthresh());
        // tcp_rcv_established's fast path takes a predicted pure ACK, sends
        // what it allows and returns: an ACK we owe waits for its timer.
        let predicted_pure_ack = seg.payload.is_empty() && self.header_predicted(seg);
        match self.state {
            TcpState::Closed | TcpState::Listen => {}
            TcpState::SynSent => self.on_segment_syn_sent(seg, now, out),
            _ => self.on_segment_synchronizing(seg, now, out),
        }
        if self.state != TcpState::Closed {
            // tcp_data_snd_check: what the ACK allows goes, then the writer's turn.
            self.output(now, out);
            self.check_space();
            if !predicted_pure_ack {
                self.ack_snd_check(now, out);
            }
        }
        out.congestion_changed |= cwnd_before != (self.cc.cwnd(), self.cc.ssthresh());
    }

    /// Header prediction (`tcp_rcv_established`): an ESTABLISHED connection
    /// with the fast path on takes `seg` without the slow path's checks when
    /// it is the next in order, acknowledges nothing unsent, carries only ACK
    /// (and perhaps PSH) with the window last seen, has the header length of
    /// our other segments (the timestamp option alone, if in use), and its
    /// TSval is not older than the one we echo.
    fn header_predicted(&self, seg: &TcpSegment) -> bool {
        let f = seg.flags;
        let only_ack = f.ack() && !f.syn() && !f.fin() && !f.rst();
        let usual_header = seg.mss.is_none()
            && seg.window_scale.is_none()
            && !seg.sack_permitted
            && seg.sack_blocks.is_empty()
            && seg.timestamps.is_some() == self.ts.in_use();
        self.state == TcpState::Established
            && self.header_prediction == Some(seg.window)
            && only_ack
            && usual_header
            && seg.seq_number() == self.rcv_nxt
            && seg.ack_number() <= self.snd_max
            && !self.ts.older_than_recent(seg)
    }

    /// The window field header prediction expects: the peer's, as last taken.
    fn predicted_window(&self) -> u16 {
        (self.snd_wnd >> self.snd_wscale).min(u32::from(u16::MAX)) as u16
    }

    /// `tcp_fast_path_check`: the fast path comes (back) on unless data waits
    /// out of order, our window is closed or the receive memory is full.
    fn fast_path_check(&mut self) {
        if !self.recv_buf.has_out_of_order() && self.rcv_wnd_adv != 0 && self.rmem.used() < self.rcvbuf() {
            self.header_prediction = Some(self.predicted_window());
        }
    }

    /// `tcp_ack_snd_check`, after a segment's data was taken and our own data
    /// had its chance to carry the ACK: send it now or arm the delayed-ACK timer.
    fn ack_snd_check(&mut self, now: u64, out: &mut TcpOut) {
        // Only the rules that read them need the window's numbers: more than
        // one full segment unacknowledged with data left unread.
        let window_read = !self.recv_buf.is_empty() && self.delack.more_than_one_unacked(self.rcv_nxt);
        let space = window_read.then(|| self.window_space());
        let view = ReceiveView {
            rcv_nxt: self.rcv_nxt,
            window_keeps_up: space.is_none_or(|s| self.rwnd.would_select(s) >= self.rwnd.wnd),
            all_read: self.recv_buf.is_empty(),
            out_of_order: self.recv_buf.has_out_of_order(),
            scarce: space.is_some_and(|s| s.scarce()),
            srtt_us: self.rtt.srtt_us(),
            sack: self.sack_ok,
            rcv_rtt_us: self.rcv_rtt.rtt_us(),
        };
        match self.delack.ack_snd_check(view, now) {
            AckDecision::Nothing => {}
            AckDecision::Now(why) => {
                // An ACK naming data that is missing or came twice is a
                // duplicate ACK, whatever made it go at once.
                self.ack_pending = Some(if view.out_of_order || self.dsack.is_some() {
                    SendReason::DupAck
                } else {
                    match why {
                        NowWhy::Quick => SendReason::QuickAck,
                        NowWhy::HoleFilled => SendReason::AckHoleFilled,
                        NowWhy::TwoSegments => SendReason::AckTwoSegments,
                        NowWhy::TimerDue => SendReason::AckTimerDue,
                        NowWhy::Always | NowWhy::OutOfOrder => SendReason::Ack,
                    }
                });
                self.output(now, out);
            }
            AckDecision::Delay { deadline } => self.timers.set(TimerKind::DelayedAck, deadline),
            AckDecision::Compress { deadline } => self.timers.set(TimerKind::SackCompress, deadline),
        }
    }

    /// What the receive-MSS and quick-ACK rules read from this connection.
    fn rcv_link(&self) -> RcvLink {
        RcvLink { advmss: self.our_mss, snd_mss: self.snd_mss, rcv_wnd: self.rcv_wnd_adv, rto_us: self.rtt.rto() }
    }

    fn on_segment_syn_sent(&mut self, seg: &TcpSegment, now: u64, out: &mut TcpOut) {
        let f = seg.flags;
        if f.ack() && (seg.ack_number() <= self.iss || seg.ack_number() > self.snd_max) {
            // tcp_rcv_synsent_state_process: reset_and_undo, answered by
            // tcp_v4_send_reset from the segment.
            if !f.rst() {
                out.segments.push((seg.reset_reply(), SendReason::Reset));
            }
            return;
        }
        if f.rst() {
            if f.ack() {
                self.fail(Errno::ECONNREFUSED, out);
            }
            return;
        }
        if !f.syn() {
            return;
        }
        self.take_syn_options(seg, now);
        self.irs = seg.seq_number();
        self.rcv_nxt = seg.seq_number() + 1;
        // tcp_rcv_synsent_state_process: the window our SYN offered starts
        // at the peer's first byte, so all of it is still open to the right.
        self.rwnd.wup = self.rcv_nxt;
        self.snd_wl1 = seg.seq_number();
        if f.ack() {
            self.snd_wnd = u32::from(seg.window);
            self.max_snd_wnd = self.snd_wnd;
            self.syn_acked(seg, now);
            self.establish(now, out);
            // tcp_finish_connect: a client whose peer scales its window starts
            // with the fast path off (on once data or a new window arrives).
            self.header_prediction = (self.snd_wscale == 0).then(|| self.predicted_window());
            self.ack_pending = Some(SendReason::Ack);
        } else {
            // Simultaneous open: both sides sent SYN; answer SYN-ACK with our ISS.
            self.snd_wnd = u32::from(seg.window);
            self.max_snd_wnd = self.snd_wnd;
            self.set_state(TcpState::SynReceived, out);
            self.send_syn(now, true, SendReason::Handshake, out);
        }
    }

    fn on_segment_synchronizing(&mut self, seg: &TcpSegment, now: u64, out: &mut TcpOut) {
        let f = seg.flags;
        if self.state == TcpState::SynReceived
            && f.syn()
            && f.ack()
            && seg.seq_number() + 1 == self.rcv_nxt
            && seg.ack_number() == self.snd_nxt
        {
            // Simultaneous open (RFC 9293 figure 8): the peer's SYN-ACK acknowledges
            // our SYN; its own SYN we have already seen. Linux lets it pass,
            // and takes its timestamp (tcp_replace_ts_recent).
            self.ts.on_segment(seg);
            self.snd_wnd = u32::from(seg.window);
            self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
            self.snd_wl1 = seg.seq_number();
            self.syn_acked(seg, now);
            self.establish(now, out);
            // tcp_data_queue then meets the SYN-ACK's SYN, already received:
            // a retransmission, answered at once with a D-SACK of it, and
            // quick ACKs for a while (tcp_dsack_set, tcp_enter_quickack_mode).
            if self.sack_ok {
                self.dsack = Some((seg.seq_number(), seg.seq_number() + 1));
            }
            self.delack.enter_quickack_mode(self.rcv_wnd_adv);
            self.ack_pending = Some(SendReason::DupAck);
            self.output(now, out);
            return;
        }
        if self.state == TcpState::SynReceived && f.syn() && !f.ack() && seg.seq_number() == self.irs {
            // The peer sent its SYN again: our SYN-ACK was lost. Linux's request
            // socket answers with the SYN-ACK once more (inet_rtx_syn_ack).
            self.send_syn(now, true, SendReason::HandshakeRetransmit, out);
            return;
        }
        match self.paws(seg) {
            Paws::Passes => {}
            // tcp_validate_incoming: an old ACK is dropped in silence, a
            // SYN challenged, anything else answered with a duplicate ACK.
            Paws::OldAck => return,
            Paws::Rejected if f.syn() => return self.ack_out_of_window(seg, SendReason::Ack, now),
            Paws::Rejected => return self.send_dupack(seg, now),
        }
        if !self.acceptable(seg) {
            if !f.rst() {
                if self.state == TcpState::TimeWait && f.fin() {
                    self.timers.set(TimerKind::TimeWait, now + self.time_wait_len());
                }
                self.send_dupack(seg, now);
            }
            return;
        }
        if f.rst() {
            if seg.seq_number() != self.rcv_nxt {
                // RFC 5961 §3.2: in window but not exact — challenge ACK.
                self.ack_out_of_window(seg, SendReason::Ack, now);
                return;
            }
            let errno = match self.state {
                TcpState::SynReceived => Some(Errno::ECONNREFUSED),
                TcpState::CloseWait => Some(Errno::EPIPE),
                TcpState::Closing | TcpState::LastAck | TcpState::TimeWait => None,
                _ => Some(Errno::ECONNRESET),
            };
            self.timers.stop_all();
            self.send_buf.clear();
            match errno {
                Some(e) => self.fail(e, out),
                None => self.set_state(TcpState::Closed, out),
            }
            return;
        }
        if f.syn() && !(self.state == TcpState::SynReceived && f.ack()) {
            // RFC 5961 §4: a SYN on a synchronized connection gets a challenge ACK.
            self.ack_out_of_window(seg, SendReason::Ack, now);
            return;
        }
        if !f.ack() {
            return;
        }
        self.ts.on_segment(seg);
        let established = self.state == TcpState::Established;
        if self.state == TcpState::SynReceived {
            if self.snd_una < seg.ack_number() && seg.ack_number() <= self.snd_max {
                self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
                self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
                self.snd_wl1 = seg.seq_number();
                self.syn_acked(seg, now);
                self.establish(now, out);
                if self.fin_on_establish {
                    self.close_write(now, out);
                }
            } else {
                // tcp_check_req hands a bad ACK to the listener, which answers
                // it with tcp_v4_send_reset: [R] seq = that ACK, window 0.
                out.segments.push((seg.reset_reply(), SendReason::Reset));
                return;
            }
        } else if !self.process_ack(seg, now, out) {
            return;
        }
        if self.state == TcpState::Closed {
            return;
        }
        if established {
            self.time_echo(seg, now);
        }
        self.process_data(seg, now, out);
    }

    /// `tcp_rcv_rtt_measure_ts`, for each segment `tcp_rcv_established`
    /// takes: the receiver times the TSval its peer echoes.
    fn time_echo(&mut self, seg: &TcpSegment, now: u64) {
        let Some((_, tsecr)) = seg.timestamps.filter(|_| self.ts.in_use()) else { return };
        let rcv_mss = self.delack.rcv_mss_for(self.rcv_link());
        let queue_empty = self.recv_buf.is_empty();
        self.rcv_rtt.on_echo(tsecr, self.ts.echo_age_ms(tsecr, now), seg.payload.len() as u32, rcv_mss, queue_empty);
    }

    /// The ACK field of a segment in a synchronized state. Returns false when the
    /// segment must be dropped.
    fn process_ack(&mut self, seg: &TcpSegment, now: u64, out: &mut TcpOut) -> bool {
        if seg.ack_number() > self.snd_max {
            self.ack_pending = Some(SendReason::Ack);
            return false;
        }
        let window = u32::from(seg.window) << self.snd_wscale;
        let outstanding = self.snd_max != self.snd_una;
        let prior_una = self.snd_una;
        // tcp_ack reads the SACK blocks (tcp_sacktag_write_queue) before it
        // takes the cumulatively acknowledged data off the queue.
        let loss_high = self.cc.loss_high();
        // Linux's congestion state as this ACK arrives: past Open (Disorder,
        // with SACKed data out; Recovery) the ACK is dubious
        // (`tcp_ack_is_dubious`) and goes through tcp_fastretrans_alert even
        // if it ends the recovery or takes every SACKed segment away.
        let was_open = !self.cc.in_recovery() && !self.sack.has_sacked() && self.dup_sacks.sacked() == 0;
        let delivery = if self.sack_ok {
            let una = if seg.ack_number() > self.snd_una { seg.ack_number() } else { self.snd_una };
            self.read_sack(una, &seg.sack_blocks, now)
        } else {
            SackDelivery::default()
        };
        // The D-SACK block, read once for the delivery count, the undo count and the probe.
        let dsack = seg.dsack_block();
        let delivery = SackDelivery { duplicates: self.dsack_delivered(dsack), ..delivery };
        let dsack_resends = self.dsack_resends(dsack, delivery.duplicates);
        let (sack_delivered, newly_sacked) = (delivery.bytes, delivery.newly_sacked > 0);
        // What this ACK delivered, in segments; a cumulative ACK adds the
        // segments it covers that no SACK had delivered.
        let mut packets_delivered = delivery.newly_sacked + delivery.duplicates;
        let window_before = self.snd_wnd;
        // tcp_ack: an ACK is a duplicate when it moves nothing: no data, no
        // new window (FLAG_WIN_UPDATE), no D-SACK, and `snd_una` where it
        // was, with data outstanding. A window that shrank with the same
        // sequence number is no update, so such an ACK is a duplicate too.
        let window_update = self.may_update_window(seg, window);
        let duplicate = seg.ack_number() == self.snd_una
            && !seg.carries_data_or_fin()
            && !window_update
            && dsack.is_none()
            && outstanding;
        // The ACK reaches where fast recovery ends (`high_seq`).
        let recovery_reached = self.cc.recovery_point().is_some_and(|high| seg.ack_number() >= high);
        // F-RTO's proof (step 3b, FLAG_ORIG_SACK_ACKED) needs no advance:
        // an original newly SACKed below the timeout's high point will do.
        let frto_proof =
            loss_high.is_some_and(|high| self.frto.on && self.original_delivered(seg.ack_number(), high, &delivery));
        if seg.ack_number() > self.snd_una {
            if loss_high.is_some() {
                // tcp_process_loss: an ACK of an original proves the timeout
                // spurious, told by its echo of a TSval older than the first
                // resend (tcp_packet_delayed) or, under F-RTO, by delivering a
                // segment below the high point that never went again.
                let ack = seg.ack_number();
                let echoes_original = self.retrans_stamp.is_some_and(|stamp| self.ts.echoes_before(seg, stamp));
                if echoes_original {
                    self.undo_loss(Undone::TimeoutByTimestamp, ack);
                } else if frto_proof {
                    self.undo_loss(Undone::TimeoutByFrto, ack);
                }
            }
            let undoes = if recovery_reached { self.recovery_undone_by(seg) } else { None };
            let tsecr_rtt = self.ts.rtt_us(seg, now);
            packets_delivered = self.new_ack(seg.ack_number(), tsecr_rtt, &delivery, undoes, now);
        } else {
            if let Some(sample) = delivery.sample {
                // tcp_ack_update_rtt takes the SACKed segments' round trip
                // when nothing is acknowledged: RACK's min_rtt learns the
                // path even while a hole holds snd_una.
                self.rtt.on_sack(self.snd_una, self.snd_nxt, now, sample);
            }
            if frto_proof {
                self.undo_loss(Undone::TimeoutByFrto, self.snd_una);
            }
        }
        // Window update as tcp_ack_update_window orders them.
        if window_update {
            if window != self.snd_wnd {
                // tcp_ack_update_window: the prediction held the old window.
                self.snd_wnd = window;
                self.header_prediction = None;
                self.fast_path_check();
                // A window that reopens on data waiting to go, with nothing
                // in flight before this ACK, restarts cwnd after a long stall
                // as a write would (tcp_slow_start_after_idle_check).
                if !outstanding && self.unsent() > 0 {
                    self.slow_start_after_idle_check(now, out);
                }
            }
            self.max_snd_wnd = self.max_snd_wnd.max(window);
            self.snd_wl1 = seg.seq_number();
        }
        let una_advanced = self.snd_una > prior_una;
        if let Some(high) = loss_high.filter(|_| self.frto.on && self.cc.loss_high().is_some()) {
            self.frto_step(high, una_advanced, newly_sacked || duplicate, out);
        }
        if self.cc.loss_high().is_none() {
            self.retrans_stamp = None;
        }
        if self.tlp.high_seq.is_some() {
            let facts = AckFacts {
                ack: seg.ack_number(),
                dsack_for_probe: self.dsack_for_probe(dsack),
                news: una_advanced || !seg.payload.is_empty() || self.snd_wnd != window_before || sack_delivered > 0,
            };
            if self.tlp.on_ack(facts) == ProbeVerdict::Repaired {
                // tcp_init_cwnd_reduction, CWR and tcp_end_cwnd_reduction at once.
                self.cc.reduce_once(self.snd_mss);
            }
        }
        self.count_dsack(dsack, dsack_resends);
        // Bytes delivered are at least one segment (a FIN's ACK covers no data segment).
        let delivered = packets_delivered.max(u32::from(sack_delivered > 0));
        let reordering_timer = if self.sack_ok {
            delivered > 0 && self.sack_recovery(delivered, una_advanced, was_open, now, out)
        } else {
            let ack = AckOnRecovery { delivered, duplicate, una_advanced, was_open, recovery_reached };
            self.dup_ack_recovery(ack, now, out);
            false
        };
        if una_advanced && !reordering_timer {
            // tcp_set_xmit_timer, unless RACK just armed its own.
            if !self.schedule_loss_probe(now, true) {
                self.rearm_rto(now);
            }
        }
        if !outstanding {
            self.ack_probe(now);
        }
        if outstanding && seg.ack_number() >= prior_una {
            self.update_pacing_rate();
        }
        let fin_acked = self.fin_seq.is_some_and(|f| self.snd_una > f);
        match self.state {
            TcpState::FinWait1 if fin_acked => {
                self.set_state(TcpState::FinWait2, out);
                if self.orphaned {
                    self.timers.set(TimerKind::FinWait2, now + self.cfg.fin_timeout_us);
                    // tcp_rcv_state_process: a closed socket whose FIN_WAIT2
                    // lasts no longer than TIME_WAIT becomes a time-wait
                    // socket now (substate FIN_WAIT2), unless the peer's FIN
                    // came with this ACK.
                    if !seg.flags.fin() && self.fin_time() <= self.time_wait_len() {
                        self.time_wait_window = Some(self.offered_window());
                    }
                }
            }
            TcpState::Closing if fin_acked => {
                // tcp_time_wait from CLOSING: the window our last ACK opened.
                self.time_wait_window = Some(self.offered_window());
                self.enter_time_wait(now, out);
            }
            TcpState::LastAck if fin_acked => {
                self.timers.stop_all();
                self.set_state(TcpState::Closed, out);
                return false;
            }
            _ => {}
        }
        true
    }

    /// `tcp_try_undo_recovery`, on the ACK that ends fast recovery: if
    /// every retransmission proved needless (D-SACKs) or this ACK echoes a
    /// TSval older than the first of them (`tcp_packet_delayed`: an original
    /// filled the hole), the reduction was for nothing, and cwnd and
    /// ssthresh return to what they were (`tcp_undo_cwnd_reduction`): the
    /// prior window, for the congestion control to restore as the ACK ends
    /// recovery, and nothing left to undo.
    fn recovery_undone_by(&mut self, seg: &TcpSegment) -> Option<((u32, u32), Undone)> {
        let undo = self.recovery_undo?;
        let delayed = undo.stamp.is_some_and(|stamp| self.ts.echoes_before(seg, stamp));
        let proof = match (undo.retransmitted, delayed) {
            (_, true) => Undone::RecoveryByTimestamp,
            (0, false) => Undone::RecoveryByDsack,
            _ => return None,
        };
        self.recovery_undo = None;
        Some((undo.prior, proof))
    }

    /// `tcp_undo_cwnd_reduction` for fast recovery: cwnd and ssthresh back,
    /// and nothing left to undo.
    fn undo_recovery(&mut self) {
        if let Some(undo) = self.recovery_undo.take() {
            self.cc.undo_recovery(undo.prior, Undone::RecoveryByDsack);
        }
    }

    /// How many resends of the recovery the ACK's D-SACK block names, read
    /// before the ACK takes data off the queue: below `snd_una`, the
    /// segments it names (`tcp_check_dsack` counting forgotten data); above,
    /// the segments in it that were sent more than once, for a copy the
    /// link made of an original says nothing of a resend (`tcp_sacktag_one`
    /// tests `TCPCB_RETRANS`). `dup_segs` is what `dsack_delivered` counted:
    /// nothing for a dubious block.
    fn dsack_resends(&self, dsack: Option<(SeqNumber, SeqNumber)>, dup_segs: u32) -> u32 {
        let Some((left, right)) = dsack.filter(|_| dup_segs > 0) else { return 0 };
        if right <= self.snd_una {
            return dup_segs;
        }
        self.rtt.segments().filter(|s| s.retransmitted && s.start < right && left < s.end).count() as u32
    }

    /// `undo_retrans` with `tcp_try_undo_dsack`: `resends` of the recovery
    /// the ACK's D-SACK block named were needless; once none is left, the
    /// reduction is undone, in recovery or after it, unless a timeout came
    /// since.
    fn count_dsack(&mut self, dsack: Option<(SeqNumber, SeqNumber)>, resends: u32) {
        let Some(undo) = self.recovery_undo.as_mut() else { return };
        let Some((_, right)) = dsack.filter(|_| resends > 0) else { return };
        if right <= undo.marker || undo.retransmitted == 0 {
            return;
        }
        undo.retransmitted = undo.retransmitted.saturating_sub(resends);
        if undo.retransmitted == 0 && self.cc.loss_high().is_none() {
            self.undo_recovery();
        }
    }

    /// The timeout was spurious: an ACK up to `ack` echoes a timestamp from
    /// before its first retransmission, so the original arrived
    /// (`tcp_try_undo_loss` with `tcp_packet_delayed`, RFC 3522's Eifel
    /// detection), or covers data never sent again (F-RTO). cwnd and ssthresh
    /// return to what they were, nothing is marked lost any more, and the
    /// go-back-N stops: what is in flight is left to arrive. Without SACK
    /// the loss state lasts until an ACK passes its high point, unless F-RTO
    /// proved the timeout spurious short of it
    /// (`tcp_is_non_sack_preventing_reopen`): duplicate ACKs meanwhile start
    /// no fast retransmit.
    fn undo_loss(&mut self, proof: Undone, ack: SeqNumber) {
        let keeps_loss =
            !self.sack_ok && (proof != Undone::TimeoutByFrto || self.cc.loss_high().is_some_and(|high| ack == high));
        self.cc.undo_loss(proof, keeps_loss);
        // tcp_undo_cwnd_reduction clears undo_marker: nothing is left to undo.
        self.recovery_undo = None;
        self.sack.undo_loss(keeps_loss);
        self.snd_nxt = self.snd_max;
        self.frto = Frto::default();
        self.retrans_stamp = None;
    }

    /// Whether an ACK up to `ack` delivers, for the first time, a segment
    /// below `high` that was sent only once (`FLAG_ORIG_SACK_ACKED`): with
    /// SACK, one acknowledged that no SACK had delivered, or one newly
    /// SACKed; without SACK, one acknowledged, unless the ACK also covers a
    /// resend, for then it cannot tell which copy arrived (tcp_clean_rtx_queue
    /// clears the flag on FLAG_RETRANS_DATA_ACKED).
    fn original_delivered(&self, ack: SeqNumber, high: SeqNumber, delivery: &SackDelivery) -> bool {
        if self.sack_ok {
            return delivery.original_end.is_some_and(|end| end <= high);
        }
        let acked = || self.rtt.segments().filter(|s| s.end <= ack);
        acked().any(|s| !s.retransmitted && s.end <= high) && !acked().any(|s| s.retransmitted)
    }

    /// F-RTO after a timeout whose data reached `high` (`tcp_process_loss`,
    /// RFC 5682 §3.1 as Linux runs it): the first ACK that moves `snd_una`
    /// short of `high` sends new data, not the next retransmission (step 2b);
    /// an ACK after that which SACKs or duplicates says the loss was real,
    /// and retransmission goes on as without F-RTO (step 3a). With nothing
    /// new to send, or no window for it, F-RTO ends at once.
    fn frto_step(&mut self, high: SeqNumber, una_advanced: bool, sacked_or_duplicate: bool, out: &mut TcpOut) {
        if self.snd_max > high {
            if sacked_or_duplicate {
                self.frto.on = false;
                out.loss_confirmed = true;
            }
        } else if una_advanced && self.snd_una < high {
            if self.unsent() > 0 && self.snd_una + self.snd_wnd > self.snd_max {
                self.frto.new_data = true;
            } else {
                self.frto.on = false;
            }
        }
    }

    /// A cumulative ACK moved `snd_una` to `ack`. Returns the segments it
    /// newly delivered (`tcp_newly_delivered`), with what `sack` says of its
    /// blocks.
    fn new_ack(
        &mut self,
        ack: SeqNumber,
        tsecr_rtt: Option<u64>,
        sack: &SackDelivery,
        undoes: Option<((u32, u32), Undone)>,
        now: u64,
    ) -> u32 {
        let acked = ack - self.snd_una;
        let mut data_acked = acked as usize;
        if self.fin_seq.is_some_and(|f| ack > f) {
            data_acked -= 1;
        }
        let data_acked = data_acked.min(self.send_buf.len());
        // tcp_clean_rtx_queue counts the packets an ACK covers, not its bytes:
        // two 5-byte messages are two, as two full segments are.
        let packets_acked = match self.send_buf.segments_in(0, data_acked) {
            0 => (data_acked as u32).div_ceil(self.snd_mss.max(1)),
            packets => packets,
        };
        self.send_buf.drain_front(data_acked);
        self.snd_una = ack;
        // tcp_clean_rtx_queue counts as delivered only what no SACK had
        // delivered: after a loss, the segments SACKed beyond the hole do not
        // grow cwnd again when the resend fills it. Without SACK, what the
        // duplicate ACKs counted (`tcp_remove_reno_sacks`).
        let packets_delivered = if self.sack_ok {
            packets_acked.saturating_sub(sack.acked_after_sack) + sack.newly_sacked + sack.duplicates
        } else {
            self.sack.trim(ack);
            let (packets_out, lost_out) = (self.send_buf.segments_sent(), self.lost_out());
            self.dup_sacks.remove(packets_acked, packets_out, lost_out)
        };
        if self.snd_nxt < self.snd_una {
            self.snd_nxt = self.snd_una;
        }
        // RTT sample: from the segments sent once, else from the TSecr (Karn).
        let ca_rtt_us = self.rtt.on_ack(ack, self.snd_nxt, now, tsecr_rtt, sack.sample);
        self.retries = 0;
        self.first_retransmit_at = None;
        let new_ack = NewAck {
            ack,
            acked,
            data_acked: data_acked as u32,
            packets_delivered,
            now,
            snd_nxt: self.snd_nxt,
            srtt_us: self.rtt.srtt_us(),
            ca_rtt_us,
            undoes,
        };
        self.cc.on_new_ack(new_ack, self.snd_mss);
        packets_delivered
    }

    /// The scoreboard reads an ACK that acknowledges up to `una` and carries
    /// `blocks` (`tcp_sacktag_write_queue`, then `tcp_clean_rtx_queue`), and
    /// RACK learns from each segment it newly delivers, the newly SACKed ones
    /// first (`tcp_rack_advance`). A segment sent once that arrives below
    /// one the peer had SACKed shows the path reorders
    /// (`tcp_check_sack_reordering`). Returns the bytes newly delivered, and
    /// whether the blocks SACKed a segment for the first time (Linux's
    /// `FLAG_DATA_SACKED`), as packets.
    fn read_sack(&mut self, una: SeqNumber, blocks: &[(u32, u32)], now: u64) -> SackDelivery {
        let min_rtt = self.rtt.min_rtt_us();
        let highest_sacked = self.sack.highest_sacked();
        let reordered = |seg: &SentSegment| !seg.retransmitted && highest_sacked.is_some_and(|h| seg.start < h);
        let in_block =
            |seg: &SentSegment| blocks.iter().any(|&(l, r)| SeqNumber(l) < seg.end && seg.start < SeqNumber(r));
        // The acknowledged segments are read before the scoreboard forgets
        // which of them it had SACKed; only the last and the latest sent of
        // those that move RACK matter for where it ends up.
        let (mut acked_last, mut acked_latest): (Option<SentSegment>, Option<SentSegment>) = (None, None);
        let mut newly_sacked = Vec::new();
        let mut reordering = false;
        let any_sacked = self.sack.has_sacked();
        let mut acked_after_sack = 0;
        let mut original_end: Option<SeqNumber> = None;
        for seg in self.rtt.segments() {
            if seg.end <= una {
                if any_sacked && self.sack.covers(seg.start, seg.end) {
                    acked_after_sack += 1;
                    continue;
                }
                if !seg.retransmitted && original_end.is_none() {
                    original_end = Some(seg.end);
                }
                reordering |= reordered(&seg);
                if Rack::moves(&seg, now, min_rtt) {
                    acked_last = Some(seg);
                    if acked_latest.is_none_or(|l| seg.sent_after(&l)) {
                        acked_latest = Some(seg);
                    }
                }
            } else if blocks.is_empty() {
                break;
            } else if in_block(&seg) && !self.sack.covers(seg.start, seg.end) {
                newly_sacked.push(seg);
            }
        }
        let bytes = self.sack.on_ack(self.snd_una, una, self.snd_max, blocks);
        let mut newly_sacked_count = 0;
        let mut sample: Option<SackSample> = None;
        for seg in newly_sacked.into_iter().filter(|seg| self.sack.covers(seg.start, seg.end)) {
            newly_sacked_count += 1;
            if !seg.retransmitted {
                let first_sent = sample.map_or(seg.sent_at, |s| s.first_sent);
                sample = Some(SackSample { first_sent, last_sent: seg.sent_at });
                if original_end.is_none_or(|end| seg.end < end) {
                    original_end = Some(seg.end);
                }
            }
            reordering |= reordered(&seg);
            self.rack.advance(seg, now, min_rtt);
        }
        if acked_latest != acked_last {
            // The latest sent first, so that the last read sets RACK's RTT.
            if let Some(seg) = acked_latest {
                self.rack.advance(seg, now, min_rtt);
            }
        }
        if let Some(seg) = acked_last {
            self.rack.advance(seg, now, min_rtt);
        }
        if reordering {
            self.rack.note_reordering();
        }
        SackDelivery { bytes, newly_sacked: newly_sacked_count, acked_after_sack, duplicates: 0, original_end, sample }
    }

    /// Loss recovery as Linux's `tcp_fastretrans_alert` runs it for a SACK
    /// connection, after an ACK that newly delivered `delivered` segments
    /// (Linux's `acked_sacked`: acknowledged or SACKed for the first time,
    /// and the needless copies a D-SACK names): holes RACK proves lost
    /// start recovery (`tcp_time_to_recover`, `tcp_enter_recovery`); cwnd then
    /// follows the rate reduction (`tcp_cwnd_reduction`) and the lost holes
    /// go again as it allows (`tcp_xmit_retransmit_queue`), new data after
    /// them (`output`). Only an ACK that delivered something comes here
    /// (`tcp_cwnd_reduction` does nothing for one that did not). After a
    /// retransmission timeout the timeout's go-back-N, which skips SACKed
    /// data, is the recovery (`TCP_CA_Loss`).
    /// `was_open`: the connection was in Linux's Open state when the ACK came.
    /// Returns whether RACK armed its reordering timer.
    fn sack_recovery(
        &mut self,
        delivered: u32,
        una_advanced: bool,
        was_open: bool,
        now: u64,
        out: &mut TcpOut,
    ) -> bool {
        if self.sack.in_loss() {
            return false;
        }
        // Only an ACK with news of a hole, or one that finds the connection
        // out of Open, sends Linux here at all (`tcp_ack_is_dubious`):
        // in-order ACKs in Open leave RACK's look for later. The ACK that
        // ends a recovery still looks: a segment first sent during the
        // recovery, older than a resend this ACK delivers, is lost, and a
        // new recovery resends it at once.
        let lost_before = self.sack.marked_lost();
        let dubious = !was_open || self.sack.has_sacked() || self.cc.in_recovery();
        let timer = dubious && self.rack_mark_lost(now);
        if !self.cc.in_recovery() {
            // tcp_time_to_recover: the loss is proven while anything judged
            // lost is out (`lost_out`), a hole sent again included: an ACK
            // that ends a recovery with such a resend still unanswered starts
            // the next one at once.
            if !self.sack.lost_out() {
                return timer;
            }
            self.enter_recovery();
        }
        // tcp_cwnd_reduction (from tcp_cong_control, after the loss
        // marking): the extra segment for an advancing snd_una only when this
        // ACK marked nothing newly lost (`rs->losses`).
        let newly_lost = self.sack.marked_lost() != lost_before;
        let pipe = self.pipe();
        let cwnd = self.prr.cwnd(delivered, pipe, self.cc.ssthresh(), self.snd_mss, una_advanced && !newly_lost);
        self.cc.set_recovery_cwnd(cwnd);
        self.retransmit_lost(now, out);
        timer
    }

    /// Loss recovery as Linux's `tcp_fastretrans_alert` runs it for a
    /// connection without SACK: duplicate ACKs stand in for SACKed segments
    /// ([`DupAckSacks`]), so each lets a new segment go in Open or Disorder,
    /// and once they prove the first unacknowledged segment lost
    /// (`tcp_newreno_mark_lost`) recovery starts and resends it; in recovery
    /// each partial ACK marks the next hole lost. cwnd follows the rate
    /// reduction (`tcp_cwnd_reduction`), and the lost segments go again as
    /// it allows (`tcp_xmit_retransmit_queue`). After a timeout, duplicates
    /// that answer new data sent past its high point count, which is all
    /// `tcp_process_loss` does with them.
    fn dup_ack_recovery(&mut self, ack: AckOnRecovery, now: u64, out: &mut TcpOut) {
        // tcp_ack_is_dubious: in Open only a duplicate ACK comes here.
        if ack.was_open && !ack.duplicate {
            return;
        }
        if let Some(high) = self.cc.loss_high().filter(|_| self.sack.in_loss()) {
            if ack.duplicate && self.snd_max > high {
                self.count_duplicate();
            } else if ack.una_advanced {
                self.dup_sacks.reset();
            }
            return;
        }
        let lost_before = self.sack.marked_lost();
        let mut delivered = ack.delivered;
        // An ACK reaching high_seq resets the count (tcp_reset_reno_sack),
        // and one that reaches it exactly holds the recovery there: only the
        // rate reduction runs (tcp_try_undo_recovery returns early).
        if ack.recovery_reached {
            self.dup_sacks.reset();
        }
        let held = ack.recovery_reached && self.cc.in_recovery();
        if !held {
            if !self.cc.in_recovery() && ack.una_advanced {
                self.dup_sacks.reset();
            }
            if ack.duplicate {
                delivered += self.count_duplicate();
            }
            let head_lost = if self.cc.in_recovery() { ack.una_advanced } else { self.dup_sacks.prove_loss() };
            if head_lost {
                self.mark_head_lost();
            }
            if !self.cc.in_recovery() {
                // tcp_time_to_recover: nothing lost, and the connection stays
                // in Open or Disorder (tcp_try_to_open).
                if !self.sack.lost_out() {
                    return;
                }
                self.enter_recovery();
            }
        }
        if delivered > 0 {
            let newly_lost = self.sack.marked_lost() != lost_before;
            let pipe = self.pipe();
            let cwnd =
                self.prr.cwnd(delivered, pipe, self.cc.ssthresh(), self.snd_mss, ack.una_advanced && !newly_lost);
            self.cc.set_recovery_cwnd(cwnd);
        }
        if !held {
            self.retransmit_lost(now, out);
        }
    }

    /// `tcp_add_reno_sack` for one duplicate ACK: returns the segments it
    /// delivered.
    fn count_duplicate(&mut self) -> u32 {
        let (packets_out, lost_out) = (self.send_buf.segments_sent(), self.lost_out());
        self.dup_sacks.add(packets_out, lost_out)
    }

    /// `tcp_newreno_mark_lost`: the first unacknowledged segment is lost,
    /// unless it is marked so already (sent again or not).
    fn mark_head_lost(&mut self) {
        let una = self.snd_una;
        if self.sack.marked_lost_at(una) {
            return;
        }
        if let Some(end) = self.send_buf.sent_ends_after(0).next() {
            self.sack.mark_segment_lost(una, una + end as u32);
        }
    }

    /// Segments marked lost, sent again since or not (Linux's `lost_out`).
    fn lost_out(&self) -> u32 {
        let (una, sent) = (self.snd_una, &self.send_buf);
        self.sack.lost_out_segments(|start, end| sent.segments_in((start - una) as usize, (end - una) as usize))
    }

    /// What is in the network, as cwnd is measured against it: Linux
    /// counts packets (`tcp_packets_in_flight`: segments sent, less those
    /// SACKed, or counted by duplicate ACKs without SACK, and those lost and
    /// not yet sent again), and its cwnd in packets too, so five-byte
    /// messages fill it as fast as full segments: here each such segment
    /// counts a whole MSS.
    fn pipe(&self) -> u32 {
        self.flight().in_flight
    }

    /// What is in the network, in packets of one MSS each: [`Tcb::pipe`], and
    /// every segment sent and not yet cumulatively acknowledged (Linux's
    /// `packets_out`).
    fn flight(&self) -> Flight {
        let (una, sent) = (self.snd_una, &self.send_buf);
        let segments =
            |start: SeqNumber, end: SeqNumber| sent.segments_in((start - una) as usize, (end - una) as usize);
        // Every segment sent and not yet acknowledged in full is one of those up to snd_max.
        let out = if self.snd_max == una { 0 } else { sent.segments_sent().max(1) };
        let sacked = if self.sack_ok { self.sack.sacked_segments(segments) } else { self.dup_sacks.sacked() };
        let left = sacked + self.sack.lost_segments(segments);
        let in_flight = out.saturating_sub(left).saturating_mul(self.snd_mss);
        Flight {
            in_flight,
            packets_out: out.saturating_mul(self.snd_mss),
            held_at_cwnd: false,
            snd_una: self.snd_una,
            snd_nxt: self.snd_nxt,
        }
    }

    /// `tcp_enter_recovery`: ssthresh from the algorithm, and the rate
    /// reduction starts from the cwnd of now.
    fn enter_recovery(&mut self) {
        self.tlp.high_seq = None;
        self.recovery_undo = Some(RecoveryUndo {
            prior: (self.cc.cwnd(), self.cc.current_ssthresh(self.snd_mss)),
            stamp: None,
            retransmitted: 0,
            marker: self.snd_una,
        });
        self.prr = Prr::start(self.cc.cwnd(), self.snd_mss);
        self.cc.enter_recovery(self.snd_max, self.snd_mss, !self.sack_ok);
    }

    /// `tcp_rack_mark_lost`: if something was delivered since RACK last
    /// looked, mark what it proves lost; when a segment may only be late, the
    /// reordering timer waits for it in place of the RTO.
    fn rack_mark_lost(&mut self, now: u64) -> bool {
        if !self.rack.take_advanced() {
            return false;
        }
        let wait = self.rack_detect_loss(now);
        if wait > 0 {
            self.timers.set_xmit(TimerKind::Reorder, rack::reordering_deadline(now, wait, self.rtt.rto()));
        }
        wait > 0
    }

    fn rack_detect_loss(&mut self, now: u64) -> u64 {
        let (una, sent) = (self.snd_una, &self.send_buf);
        let window = RackWindow {
            in_recovery: self.cc.in_recovery(),
            sacked_segments: self
                .sack
                .sacked_segments(|start, end| sent.segments_in((start - una) as usize, (end - una) as usize)),
            min_rtt: self.rtt.min_rtt_us(),
            srtt: self.rtt.srtt_us().unwrap_or(0),
        };
        // A segment partly acknowledged (sent again in other sizes) is in
        // flight from `snd_una` on.
        let in_flight =
            self.rtt.segments().map(|seg| SentSegment { start: if seg.start < una { una } else { seg.start }, ..seg });
        self.rack.detect_loss(in_flight, &mut self.sack, window, now)
    }

    /// RACK's reordering wait ended (`tcp_rack_reo_timeout`): what has waited
    /// long enough is lost; the first such loss starts recovery, with one
    /// segment's worth of rate reduction, and the holes go again.
    fn on_reorder_timeout(&mut self, now: u64, out: &mut TcpOut) {
        let pipe_before = self.pipe();
        self.rack_detect_loss(now);
        let pipe = self.pipe();
        if pipe != pipe_before {
            if !self.cc.in_recovery() {
                self.enter_recovery();
                let cwnd = self.prr.cwnd(1, pipe, self.cc.ssthresh(), self.snd_mss, false);
                self.cc.set_recovery_cwnd(cwnd);
            }
            self.retransmit_lost(now, out);
        }
        if self.timers.xmit() != Some(TimerKind::Retransmit) {
            self.rearm_rto_from_oldest(now);
        }
    }

    /// `tcp_rearm_rto`: while data is in flight the RTO runs again from now,
    /// or, where RACK's wait or the loss probe held the timer, from when the
    /// oldest segment in flight last left (`tcp_rto_delta_us`).
    fn rearm_rto(&mut self, now: u64) {
        if matches!(self.timers.xmit(), Some(TimerKind::Reorder | TimerKind::LossProbe)) {
            self.rearm_rto_from_oldest(now);
        } else if self.snd_una == self.snd_max {
            self.timers.stop_xmit();
        } else {
            self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
        }
    }

    fn rearm_rto_from_oldest(&mut self, now: u64) {
        if self.snd_una == self.snd_max {
            self.timers.stop_xmit();
            return;
        }
        let at = now + self.rto_left(now).max(MIN_RTO_US);
        self.timers.set_xmit(TimerKind::Retransmit, at);
    }

    /// `tcp_rto_delta_us`: how long until the oldest segment in flight has
    /// waited one RTO since it last left.
    fn rto_left(&self, now: u64) -> u64 {
        let oldest = self.rtt.oldest_sent_at().unwrap_or(now);
        oldest.saturating_add(self.rtt.rto()).saturating_sub(now)
    }

    /// `tcp_schedule_loss_probe`: a SACK connection with data in flight and
    /// no loss being repaired arms the probe timer (in place of the RTO):
    /// two round trips, more when a single segment's ACK may be a delayed
    /// one, never later than the RTO (a full one from now when the RTO is
    /// being restarted by an ACK, `advancing_rto`). False when no probe is
    /// due.
    fn schedule_loss_probe(&mut self, now: u64, advancing_rto: bool) -> bool {
        let open = !self.cc.in_recovery() && !self.sack.in_loss() && !self.sack.has_sacked() && !self.sack.has_lost();
        if !self.cfg.tail_loss_probe || !self.sack_ok || self.snd_una == self.snd_max || !open {
            return false;
        }
        let one_in_flight = self.rtt.segments_in_flight() == 1;
        let rto_left = if advancing_rto { self.rtt.rto() } else { self.rto_left(now) };
        let timeout = rack::probe_timeout(self.rtt.srtt8(), one_in_flight, self.cfg.rto_min_us, rto_left);
        self.timers.set_xmit(TimerKind::LossProbe, now + timeout.max(MIN_RTO_US));
        true
    }

    /// The probe timer fired (`tcp_send_loss_probe`): one segment goes to
    /// draw an ACK, past cwnd and Nagle — new data if the peer's window has
    /// room for it, otherwise the last segment sent, again — and the RTO
    /// starts over. Only one probe is out at a time.
    fn send_loss_probe(&mut self, now: u64, out: &mut TcpOut) {
        if self.tlp.high_seq.is_some() {
            self.rearm_rto_from_oldest(now);
            return;
        }
        let mss = self.current_mss();
        let first_unsent = (self.unsent() as u32).min(mss);
        let sent = if first_unsent > 0 && self.snd_nxt + first_unsent <= self.snd_una + self.snd_wnd {
            let leeway = Leeway { nagle_off: true, past_cwnd: true, ..Leeway::default() };
            self.send_one(now, SendReason::TailLossProbe { new_data: true }, leeway, out);
            // New data goes by tcp_write_xmit, whose round of one packet past
            // cwnd ends in tcp_cwnd_validate like any other: the window counts
            // as filled, and the ACKs of the probe's round may grow it.
            self.cwnd_validate(true, false, now, out);
            Some(false)
        } else if let Some(last) = self.rtt.segments().last() {
            let saved = self.snd_nxt;
            self.snd_nxt = if last.start < self.snd_una { self.snd_una } else { last.start };
            let leeway = Leeway {
                window_floor: mss,
                stop_at: Some(last.end),
                nagle_off: true,
                past_cwnd: true,
                ..Leeway::default()
            };
            self.send_one(now, SendReason::TailLossProbe { new_data: false }, leeway, out);
            if saved > self.snd_nxt {
                self.snd_nxt = saved;
            }
            Some(true)
        } else {
            None
        };
        match sent {
            Some(retransmitted) => {
                self.tlp = TailLossProbe { high_seq: Some(self.snd_nxt), retransmitted };
                self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
            }
            None => self.rearm_rto_from_oldest(now),
        }
    }

    /// An ACK's D-SACK block names the probe's last segment
    /// (`tcp_dsack_seen` setting `FLAG_DSACK_TLP`, dubious or not).
    fn dsack_for_probe(&self, dsack: Option<(SeqNumber, SeqNumber)>) -> bool {
        let Some(high) = self.tlp.high_seq else { return false };
        dsack.is_some_and(|(left, right)| {
            right == high && right - left <= self.snd_mss && right - left <= self.max_snd_wnd
        })
    }

    /// The segments the ACK's D-SACK block names, counted as delivered
    /// (`tcp_dsack_seen`): one per MSS, one at least. A block wider than
    /// the peer's largest window is dubious, and so is one that brings the
    /// count of D-SACKed segments past the resends, for a copy made by the
    /// link was never resent.
    fn dsack_delivered(&mut self, dsack: Option<(SeqNumber, SeqNumber)>) -> u32 {
        if !self.sack_ok {
            return 0;
        }
        let Some((left, right)) = dsack else { return 0 };
        let len = right - left;
        if len > self.max_snd_wnd {
            return 0;
        }
        let segments = len.div_ceil(self.snd_mss.max(1)).max(1);
        self.dsack_dups = self.dsack_dups.saturating_add(segments);
        if self.dsack_dups > self.resends {
            return 0;
        }
        segments
    }

    /// Sends the lost holes again, first to last, while `pipe` leaves room
    /// for them in cwnd (Linux's `tcp_xmit_retransmit_queue`).
    fn retransmit_lost(&mut self, now: u64, out: &mut TcpOut) {
        while let Some((seq, _)) = self.sack.next_lost() {
            let pipe = self.pipe();
            if pipe.saturating_add(self.snd_mss) > self.cc.cwnd() {
                break;
            }
            let saved = self.snd_nxt;
            self.snd_nxt = seq;
            let leeway = Leeway { window_floor: self.snd_mss, ..Leeway::default() };
            let first = out.segments.len();
            let sent = self.send_one(now, SendReason::FastRetransmit, leeway, out);
            // Progress is the lost bytes at `seq` going again; anything else
            // (send_one stepping past what it must not resend) ends the round.
            let went = out.segments.get(first).is_some_and(|(seg, _)| seg.seq_number() == seq);
            if saved > self.snd_nxt {
                self.snd_nxt = saved;
            }
            if seq == self.snd_una && went && self.timers.xmit() != Some(TimerKind::Reorder) {
                // The head went again: its timer starts over (tcp_xmit_retransmit_queue),
                // unless RACK's wait holds the timer (its end re-arms it).
                self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
            }
            if !sent || !went {
                break;
            }
        }
    }

    fn process_data(&mut self, seg: &TcpSegment, now: u64, out: &mut TcpOut) {
        let receiving = matches!(self.state, TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2);
        if !seg.payload.is_empty() && receiving {
            let new_data = seg.seq_number() + seg.payload.len() as u32 > self.rcv_nxt;
            let finishing = matches!(self.state, TcpState::FinWait1 | TcpState::FinWait2);
            if finishing && (self.orphaned || self.read_shutdown) && new_data {
                // tcp_rcv_state_process, step 7: new data after the application
                // shut down reading (close() does) is answered by a RST built
                // from the segment (tcp_v4_send_reset) and ends the connection
                // (tcp_reset), as RFC 1122 §4.2.2.13 demands.
                out.segments.push((seg.reset_reply(), SendReason::Reset));
                self.send_buf.clear();
                if self.orphaned {
                    self.timers.stop_all();
                    self.set_state(TcpState::Closed, out);
                } else {
                    self.fail(Errno::ECONNRESET, out);
                }
                return;
            }
            self.accept_payload(seg, now);
        } else if matches!(self.state, TcpState::CloseWait | TcpState::Closing | TcpState::LastAck)
            && seg.carries_data_or_fin()
            && seg.seq_number() < self.rcv_nxt
        {
            // tcp_rcv_state_process, step 7: after the peer's FIN, what
            // starts below rcv_nxt (its FIN sent again, our ACK lost) still
            // goes to tcp_data_queue, which takes it for a duplicate.
            self.note_duplicate(seg);
            self.owe_duplicate_ack();
        }
        if seg.flags.fin() && receiving | (self.state == TcpState::SynReceived) {
            let fin_off = self.stream_offset(seg.seq_number()) + seg.payload.len() as u64;
            if fin_off == self.rcv_nxt_off {
                self.receive_fin(now, out);
            } else if fin_off > self.rcv_nxt_off {
                self.ooo_fin = Some(fin_off);
                // The FIN's sequence number belongs to the block of the data
                // before it (Linux SACKs the skb's end_seq, FIN included).
                self.recv_buf.note_fin_ahead(fin_off);
                self.ack_pending = Some(SendReason::DupAck);
            }
        }
        // A FIN that came ahead of missing data waits in the out-of-order queue with
        // its data, and is taken as soon as the hole before it fills (tcp_data_queue →
        // tcp_ofo_queue hands it to tcp_fin): the ACK of the filling segment covers
        // the FIN too, and no retransmitted FIN is needed.
        if !self.fin_received && self.ooo_fin == Some(self.rcv_nxt_off) && receiving {
            self.receive_fin(now, out);
        }
    }

    fn accept_payload(&mut self, seg: &TcpSegment, now: u64) {
        // tcp_data_queue forgets a D-SACK no ACK has carried yet: it names
        // only a duplicate among the last data to arrive.
        self.dsack = None;
        let seg_off = self.stream_offset(seg.seq_number());
        // tcp_data_queue: what the window last offered still covers (never
        // less than the free room), if the buffer is not already past its
        // memory (tcp_try_rmem_schedule; an empty queue takes it anyway).
        let offered = self.offered_window();
        // Only data that is queued meets the memory test: a segment wholly
        // below rcv_nxt (a needless resend) or past the window leaves
        // tcp_data_queue before tcp_try_rmem_schedule, so it clamps nothing.
        if self.rmem.used() > self.rcvbuf() && !self.recv_buf.is_empty() {
            let old = seg_off + seg.payload.len() as u64 <= self.rcv_nxt_off;
            let beyond = seg_off >= self.rcv_nxt_off + u64::from(offered.max(self.receive_window()));
            if !old && !beyond {
                self.clamp_window();
            }
        }
        let over_memory = self.rmem.used() > self.rcvbuf() && !self.recv_buf.is_empty();
        let open = if over_memory { 0 } else { offered.max(self.receive_window()) };
        let window_end = self.rcv_nxt_off + u64::from(open);
        let mut start = seg_off;
        let mut skip = 0;
        if start < self.rcv_nxt_off {
            self.note_duplicate(seg);
            skip = ((self.rcv_nxt_off - start) as usize).min(seg.payload.len());
            start = self.rcv_nxt_off;
        }
        let room = window_end.saturating_sub(start) as usize;
        let end = seg.payload.len().min(skip + room);
        let data = &seg.payload[skip..end];
        if data.is_empty() {
            self.owe_duplicate_ack();
            return;
        }
        let len = data.len() as u32;
        // The whole packet's bytes, as the receiver's skb holds them.
        let wire_len = (crate::net::packet::IPV4_HEADER_LEN + seg.header_len() + seg.payload.len()) as u32;
        if start == self.rcv_nxt_off {
            // Linux's out-of-order queue holds a FIN that came ahead as an
            // skb of its own, data or not: a gap before it is a gap too.
            let had_hole = self.recv_buf.has_out_of_order() || self.ooo_fin.is_some();
            self.recv_buf.push(seg.payload.clone(), skip, end);
            self.rmem.charge(start, len, wire_len, true);
            self.advance_rcv(u64::from(len));
            // tcp_event_data_recv: tcp_measure_rcv_mss, tcp_rcv_rtt_measure,
            // then tcp_grow_window.
            let link = self.rcv_link();
            if self.delack.on_data_received(len, seg.flags.psh(), link, now) {
                self.rwnd.measure(len, wire_len, self.rcvbuf());
            }
            self.rcv_rtt.on_data(self.rcv_nxt_off, self.rcv_wnd_adv, now);
            if self.rwnd.grow(self.growth(len, wire_len)) {
                self.delack.window_grew();
            }
            let joined = self.recv_buf.drain_out_of_order(self.rcv_nxt_off);
            if let (true, Some((from, to))) = (self.sack_ok, self.recv_buf.take_duplicate()) {
                // The segment brought bytes already waiting: a D-SACK says so.
                let seq = |off: u64| self.rcv_nxt - (self.rcv_nxt_off - off) as u32;
                self.dsack = Some((seq(from), seq(to)));
            }
            self.advance_rcv(joined);
            if joined > 0 {
                self.rmem.join_in_order(self.rcv_nxt_off);
            }
            let fin_still_waits = self.ooo_fin.is_some_and(|fin| fin > self.rcv_nxt_off);
            if had_hole && !self.recv_buf.has_out_of_order() && !fin_still_waits {
                // tcp_data_queue: the gap is filled (RFC 5681 §4.2), ACK now,
                // even when all that waited was the FIN (tcp_ofo_queue hands
                // it to tcp_fin, whose pingpong mode ICSK_ACK_NOW overrides).
                self.delack.ack_now();
            }
            self.fast_path_check();
        } else {
            // tcp_data_queue_ofo: the segment is measured (its size and the
            // scaling ratio) and, with SACK, opens the window too, before
            // its memory is charged (skb_set_owner_r comes last there, where
            // an in-order segment is charged before tcp_grow_window).
            // It turns header prediction off first.
            self.header_prediction = None;
            let link = self.rcv_link();
            if self.delack.measure_segment(len, seg.flags.psh(), link) {
                self.rwnd.measure(len, wire_len, self.rcvbuf());
            }
            if self.recv_buf.holds_out_of_order(start, data.len()) {
                // All its bytes wait already (a tail loss probe resending
                // what did arrive): dropped, neither charged nor opening the
                // window, and named in a D-SACK; its SACK block moves to the
                // front as for any out-of-order arrival.
                if self.sack_ok {
                    let from = self.rcv_nxt + (start - self.rcv_nxt_off) as u32;
                    self.dsack = Some((from, from + len));
                }
                self.recv_buf.out_of_order_again(start, data.len());
                self.delack.schedule();
                return;
            }
            self.recv_buf.insert_out_of_order(start, data);
            if self.sack_ok && self.rwnd.grow_out_of_order(self.growth(len, wire_len)) {
                self.delack.window_grew();
            }
            self.rmem.charge(start, len, wire_len, false);
            // Out of order (tcp_data_queue_ofo): an ACK is owed, and
            // __tcp_ack_snd_check sends it as a duplicate ACK at once or, the
            // fourth for one rcv_nxt on, compresses it with SACK.
            self.delack.schedule();
        }
    }

    /// tcp_data_queue's out_of_window: a duplicate (or data past the window)
    /// means the sender may be confused, so quick ACKs for a while, and an
    /// ACK is owed (tcp_enter_quickack_mode, inet_csk_schedule_ack). When it
    /// goes is __tcp_ack_snd_check's to say: at once, unless the buffer is
    /// more than half full with more than a segment unacknowledged, for then
    /// choosing the window ends quick-ACK mode first and the ACK waits for
    /// the timer.
    fn owe_duplicate_ack(&mut self) {
        self.delack.enter_quickack_mode(self.rcv_wnd_adv);
        self.delack.schedule();
    }

    /// `tcp_send_dupack`: the ACK that answers a segment we do not take.
    fn send_dupack(&mut self, seg: &TcpSegment, now: u64) {
        let reason = if seg.payload.is_empty() { SendReason::Ack } else { SendReason::DupAck };
        if seg.carries_data_or_fin() && seg.seq_number() < self.rcv_nxt {
            // Data sent again means our ACK may have been lost, so ACK
            // quickly for a while (its own ACK, owed to no data, uses none
            // of them).
            self.delack.enter_quickack_mode(self.rcv_wnd_adv);
        }
        self.note_duplicate(seg);
        self.ack_out_of_window(seg, reason, now);
    }

    /// `tcp_may_update_window`: a segment may set the peer's window
    /// (`window`, scaled) when it acknowledges new data, is newer than the
    /// segment that set it last, or is that one's equal offering more room
    /// or none at all.
    fn may_update_window(&self, seg: &TcpSegment, window: u32) -> bool {
        seg.ack_number() > self.snd_una
            || seg.seq_number() > self.snd_wl1
            || (seg.seq_number() == self.snd_wl1 && (window > self.snd_wnd || window == 0))
    }

    /// RFC 7323's PAWS as Linux applies it before anything else
    /// (`tcp_validate_incoming`): a segment whose TSval is older than the
    /// one we echo was sent before segments already taken (a reordering
    /// link delivers such), and is dropped with its ACK field unread, unless
    /// it is a duplicate ACK that changes nothing and is not older than
    /// the RTO (`tcp_disordered_ack_check`). A RST is not tested.
    fn paws(&self, seg: &TcpSegment) -> Paws {
        let Some(age) = self.ts.paws_fails(seg).filter(|_| !seg.flags.rst()) else { return Paws::Passes };
        if !seg.flags.ack() || seg.seq_len() != 0 {
            return Paws::Rejected;
        }
        if seg.seq_number() != self.rcv_nxt {
            return if seg.seq_number() < self.rcv_nxt { Paws::OldAck } else { Paws::Rejected };
        }
        let window = u32::from(seg.window) << self.snd_wscale;
        let may_update_window = self.may_update_window(seg, window);
        // tcp_tsval_replay: the RTO in a 1200 Hz clock's ticks.
        let replay = self.rtt.rto().saturating_mul(12) / 10_000;
        if seg.ack_number() != self.snd_una || may_update_window || u64::from(age) > replay {
            return Paws::Rejected;
        }
        Paws::Passes
    }

    /// Linux's `tcp_dsack_set` (RFC 2883) for data that arrived again
    /// (`tcp_send_dupack`, `tcp_data_queue`): the next ACK's first SACK block
    /// names the duplicate bytes below `rcv_nxt`, so the sender can tell a
    /// retransmission was not needed.
    fn note_duplicate(&mut self, seg: &TcpSegment) {
        // A TIME-WAIT socket's ACK carries no SACK blocks (tcp_v4_timewait_ack).
        let full_socket = self.state != TcpState::TimeWait;
        if self.sack_ok && full_socket && seg.carries_data_or_fin() && seg.seq_number() < self.rcv_nxt {
            // A FIN counts, as the skb's end_seq counts it.
            let end = seg.seq_number() + seg.payload.len() as u32 + u32::from(seg.flags.fin());
            let end = if self.rcv_nxt < end { self.rcv_nxt } else { end };
            self.dsack = Some((seg.seq_number(), end));
        }
    }

    fn advance_rcv(&mut self, n: u64) {
        self.rcv_nxt_off += n;
        self.rcv_nxt += n as u32;
    }

    fn receive_fin(&mut self, now: u64, out: &mut TcpOut) {
        self.rcv_nxt += 1;
        self.rcv_nxt_off += 1;
        self.fin_received = true;
        self.ooo_fin = None;
        match self.state {
            TcpState::SynReceived | TcpState::Established => {
                // tcp_fin: the ACK of the FIN is owed like a data ACK, in
                // pingpong mode, so it can ride on our own FIN.
                self.delack.schedule();
                self.delack.enter_pingpong_mode();
                self.set_state(TcpState::CloseWait, out);
            }
            TcpState::FinWait1 => {
                self.ack_pending = Some(SendReason::Ack);
                self.set_state(TcpState::Closing, out);
            }
            TcpState::FinWait2 => {
                self.ack_pending = Some(SendReason::Ack);
                self.timers.stop(TimerKind::FinWait2);
                self.enter_time_wait(now, out);
            }
            _ => self.ack_pending = Some(SendReason::Ack),
        }
    }

    fn enter_time_wait(&mut self, now: u64, out: &mut TcpOut) {
        self.timers.stop_all();
        self.timers.set(TimerKind::TimeWait, now + self.time_wait_len());
        self.set_state(TcpState::TimeWait, out);
    }

    /// `TCP_TIMEWAIT_LEN`: twice the MSL (Linux: 60 s).
    fn time_wait_len(&self) -> u64 {
        2 * self.cfg.msl_us
    }

    /// `tcp_fin_time`: how long a closed socket waits in FIN_WAIT2, at least
    /// 3.5 RTOs.
    fn fin_time(&self) -> u64 {
        let rto = self.rtt.rto();
        self.cfg.fin_timeout_us.max((rto << 2) - (rto >> 1))
    }

    // ----- timers ----------------------------------------------------------------

    /// A timer the world scheduled has expired.
    pub fn on_timer(&mut self, kind: TimerKind, now: u64, out: &mut TcpOut) {
        let cwnd_before = (self.cc.cwnd(), self.cc.ssthresh());
        self.timers.stop(kind);
        match kind {
            TimerKind::Retransmit => self.on_retransmit_timeout(now, out),
            TimerKind::Reorder => {
                self.on_reorder_timeout(now, out);
                self.output(now, out);
            }
            TimerKind::LossProbe => self.send_loss_probe(now, out),
            TimerKind::Persist => {
                self.send_probe0(now, out);
                self.output(now, out);
            }
            TimerKind::DelayedAck => {
                if let Some(delay_us) = self.delack.on_timer(now, self.rtt.rto()) {
                    // Whole milliseconds keep the trace event as small as before.
                    let delay_ms = u16::try_from(delay_us / 1_000).unwrap_or(u16::MAX);
                    self.ack_pending = Some(SendReason::DelayedAck { delay_ms });
                    self.output(now, out);
                }
            }
            TimerKind::SackCompress => {
                if self.delack.on_compress_timer() {
                    self.ack_pending = Some(SendReason::DupAck);
                    self.output(now, out);
                }
            }
            TimerKind::TimeWait | TimerKind::FinWait2 => {
                self.timers.stop_all();
                self.set_state(TcpState::Closed, out);
            }
        }
        out.congestion_changed |= cwnd_before != (self.cc.cwnd(), self.cc.ssthresh());
    }

    fn on_retransmit_timeout(&mut self, now: u64, out: &mut TcpOut) {
        if self.retransmissions_exhausted(now) {
            if self.state == TcpState::SynReceived {
                // A half-open passive connection just disappears (no error to report).
                self.timers.stop_all();
                self.set_state(TcpState::Closed, out);
            } else {
                self.abort_silently(Errno::ETIMEDOUT, out);
            }
            return;
        }
        self.retries += 1;
        // tcp_retransmit_timer: a SYN keeps the initial RTO for its first
        // `tcp_syn_linear_timeouts` retransmissions (total_rto not above it),
        // then backs off exponentially like every other retransmission.
        let linear = self.state == TcpState::SynSent && self.retries <= self.cfg.syn_linear_timeouts;
        if !linear {
            self.rtt.back_off();
        }
        match self.state {
            TcpState::SynSent => self.send_syn(now, false, SendReason::HandshakeRetransmit, out),
            TcpState::SynReceived => self.send_syn(now, true, SendReason::HandshakeRetransmit, out),
            _ => {
                // tcp_enter_loss: F-RTO judges a timeout that starts a loss
                // episode, or one of a row of timeouts (not one in the middle
                // of fast recovery).
                let new_recovery = !self.cc.in_recovery() && self.cc.loss_high().is_none();
                self.frto = Frto { on: self.cfg.frto && (new_recovery || self.retries > 1), ..Frto::default() };
                // retrans_stamp is the first resend's, fast recovery's when
                // the timeout comes in the middle of one (tcp_retransmit_skb
                // sets it once): an ACK echoing that resend proves nothing
                // spurious (tcp_packet_delayed).
                self.first_retransmit_at.get_or_insert(now);
                let first_resend = self.recovery_undo.and_then(|undo| undo.stamp);
                self.retrans_stamp.get_or_insert(first_resend.unwrap_or(self.ts.tsval(now)));
                // A timeout in the middle of fast recovery keeps its undo
                // record (tcp_enter_loss calls tcp_init_undo only from Open
                // or Disorder): its resends count on, and D-SACKs that show
                // them all needless undo the recovery's cut, even long after.
                // A new episode has the timeout's own record.
                if new_recovery {
                    self.recovery_undo = None;
                }
                // RFC 5681 §3.1: restart from one segment.
                self.cc.on_retransmit_timeout(self.snd_mss, now, self.snd_una, self.snd_max);
                self.tlp.high_seq = None;
                // tcp_timeout_mark_lost: what the duplicate ACKs counted
                // counts no more; many of them in Open or Disorder said the
                // path reorders more than it does (tcp_enter_loss).
                if new_recovery {
                    self.dup_sacks.on_timeout();
                } else {
                    self.dup_sacks.reset();
                }
                self.sack.enter_loss(self.snd_una, self.snd_max);
                self.snd_nxt = self.snd_una;
                self.output_with(now, SendReason::Retransmit, out);
                if self.timers.xmit().is_none() && self.snd_una != self.snd_max {
                    self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
                }
            }
        }
    }

    /// Linux's `tcp_write_timeout`, asked before each retransmission
    /// (`self.retries` of them so far). A SYN gives up after `tcp_syn_retries`
    /// plus `tcp_syn_linear_timeouts` retransmissions, or once the time
    /// `tcp_syn_retries` purely exponential ones would take has passed since the
    /// first SYN (`retransmits_timed_out`), whichever comes first. Data gives up
    /// after `tcp_retries2` retransmissions. An orphan (closed by its
    /// application: `SOCK_DEAD`) gives up by `tcp_orphan_retries`: once the
    /// time that many retransmissions from the 200 ms floor take has passed
    /// (with the sysctl at its default 0: 8 of them, 102.2 s, while its RTO
    /// is below the maximum, and at once when it is not). The tour with its
    /// link cut after close() retried until 945 s, where Linux gives up at
    /// about 102 s.
    fn retransmissions_exhausted(&self, now: u64) -> bool {
        match self.state {
            TcpState::SynSent => {
                let count = self.cfg.syn_retries.saturating_add(self.cfg.syn_linear_timeouts);
                let started = self.first_syn_at.unwrap_or(now);
                self.retries >= count
                    || (self.retries > 0
                        && now.saturating_sub(started)
                            >= self.model_timeout(self.cfg.syn_retries, self.cfg.rto_initial_us))
            }
            TcpState::SynReceived => self.retries >= self.cfg.synack_retries,
            _ if self.orphaned => {
                let alive = self.rtt.rto() < self.cfg.rto_max_us;
                let boundary = match self.cfg.orphan_retries {
                    0 if alive => ORPHAN_RETRIES_ALIVE,
                    n => n,
                };
                let started = self.first_retransmit_at.unwrap_or(now);
                self.retries > 0 && now.saturating_sub(started) >= self.model_timeout(boundary, TCP_RTO_MIN_US)
            }
            _ => self.retries >= self.cfg.data_retries,
        }
    }

    /// `tcp_model_timeout(boundary, rto_base)`: how long `boundary`
    /// retransmissions take when an RTO of `base` doubles each time up to
    /// `rto_max` (the SYN's 1 s and 6: 127 s).
    fn model_timeout(&self, boundary: u32, base: u64) -> u64 {
        let base = base.max(MIN_RTO_US);
        let doublings = (self.cfg.rto_max_us / base).max(1).ilog2();
        // (2^(n+1) - 1) × base: the sum of base, 2·base, … 2^n·base.
        let doubled = |n: u32| 1u64.checked_shl(n.saturating_add(1)).map_or(u64::MAX, |v| v - 1).saturating_mul(base);
        if boundary <= doublings {
            doubled(boundary)
        } else {
            doubled(doublings).saturating_add(u64::from(boundary - doublings).saturating_mul(self.cfg.rto_max_us))
        }
    }

    // ----- output ----------------------------------------------------------------

    /// Sends whatever the windows allow, then any pending ACK.
    pub fn output(&mut self, now: u64, out: &mut TcpOut) {
        if self.frto.new_data && self.send_frto_new_data(now, out) {
            return;
        }
        self.output_with(now, SendReason::Data, out);
    }

    /// F-RTO's step 2b (tcp_xmit_recovery's REXMIT_NEW): new data from
    /// snd_max, as cwnd allows; the retransmissions wait where they were.
    /// False when nothing new could go, and F-RTO ends.
    #[cold]
    fn send_frto_new_data(&mut self, now: u64, out: &mut TcpOut) -> bool {
        self.frto.new_data = false;
        let resume = self.snd_nxt;
        let high = self.snd_max;
        self.snd_nxt = self.snd_max;
        self.frto.sending = Some((resume, high));
        self.output_with(now, SendReason::Data, out);
        self.frto.sending = None;
        self.snd_nxt = resume;
        if self.snd_max > high {
            self.frto.sent = Some((high, self.snd_max));
            return true;
        }
        self.frto.on = false;
        false
    }

    /// `tcp_push_one`: one packet of the write queue's head, if the windows
    /// let it go; it never waits for more room (`tcp_tso_should_defer`).
    fn push_one(&mut self, now: u64, out: &mut TcpOut) {
        self.output_with_limit(now, SendReason::Data, Burst::OnePacket, out);
    }

    fn output_with(&mut self, now: u64, first_reason: SendReason, out: &mut TcpOut) {
        self.output_with_limit(now, first_reason, Burst::All, out);
    }

    /// `tcp_cwnd_validate`, as `tcp_write_xmit` ends: remembers how much of
    /// cwnd this round of sending used (`sent`: anything went;
    /// `held_at_cwnd`: a packet waited for cwnd). Inlined: output runs it on
    /// every call, and as a call of its own it cost tcp_echo 0.8% more
    /// instructions (callgrind).
    #[inline(always)]
    fn cwnd_validate(&mut self, sent: bool, held_at_cwnd: bool, now: u64, out: &mut TcpOut) {
        // Nothing sent and nothing out: no round of sending to remember.
        if !sent && !held_at_cwnd && self.snd_max == self.snd_una {
            return;
        }
        let flight = Flight { held_at_cwnd, ..self.flight() };
        let clock = Clock { now, rto_us: self.rtt.rto() };
        if self.cc.after_sending(sent, flight, self.snd_mss, clock) {
            // tcp_cwnd_application_limited, rare enough to weigh the
            // connection's state only here.
            let before = (self.cc.cwnd(), self.cc.ssthresh());
            let open = self.ca_open() && !self.nospace;
            self.cc.application_limited(now, self.cfg.initial_cwnd_segments, self.snd_mss, open);
            out.congestion_changed |= before != (self.cc.cwnd(), self.cc.ssthresh());
        }
    }

    fn output_with_limit(&mut self, now: u64, first_reason: SendReason, burst: Burst, out: &mut TcpOut) {
        let mut reason = first_reason;
        let sent_before = out.segments.len();
        if matches!(
            self.state,
            TcpState::Established | TcpState::CloseWait | TcpState::FinWait1 | TcpState::Closing | TcpState::LastAck
        ) {
            let snd_max_before = self.snd_max;
            // Nothing unsent, nothing to go again and no FIN due: no skb to
            // send. Most calls are these (every ACK and every read asks), and
            // working out a packet only to find it empty is most of their cost.
            let fin_due = self.fin_seq == Some(self.snd_nxt);
            // tcp_write_xmit runs only while the write queue holds an skb never
            // sent (data beyond snd_max, or a FIN not yet sent).
            let send_head =
                self.unsent_from() < self.send_buf.len() || self.fin_seq.is_some_and(|fin| self.snd_max <= fin);
            let mut more = self.snd_nxt != self.snd_max || self.unsent() > 0 || fin_due;
            let mut held_at_cwnd = false;
            while more {
                // One skb's transmission: a GSO packet of up to `quota` segments
                // (with nothing to send but perhaps a FIN, a packet of one).
                let idle = self.snd_nxt == self.snd_max && self.unsent() == 0;
                // Going back over sent data after a timeout, each segment
                // leaves as a packet of its own: Linux 6.18's captures show
                // no GSO packet (and so no PSH) among those retransmissions.
                let going_back = self.snd_nxt != self.snd_max;
                let max_segs = if idle { 1 } else { self.tso_segs() };
                let quota = if idle || going_back { 1 } else { self.cwnd_quota().min(max_segs).max(1) };
                let skb_end = self.grow_send_head(quota);
                let deferral = match burst {
                    Burst::All => skb_end.and_then(|end| self.tso_should_defer(end, max_segs, now)),
                    Burst::OnePacket => None,
                };
                if let Some(deferral) = deferral {
                    held_at_cwnd = deferral == Deferral::CwndLimited;
                    break;
                }
                let leeway = Leeway { skb_end, ..Leeway::default() };
                let first = out.segments.len();
                let packet_from = self.snd_nxt;
                while more && out.segments.len() - first < quota {
                    let within_packet = out.segments.len() > first;
                    more = self.send_one(now, reason, Leeway { within_packet, ..leeway }, out);
                    reason = SendReason::Data;
                    if skb_end.is_some_and(|end| self.snd_nxt >= end) {
                        // That skb is out; the next, if any, leaves as a packet of its own.
                        more = self.unsent() > 0 || self.fin_seq.is_some_and(|fin| self.snd_nxt <= fin);
                        break;
                    }
                }
                if out.segments.len() - first > 1 {
                    // The segments left as one GSO packet: one skb.
                    let to = ((self.snd_nxt - self.snd_una) as usize).min(self.send_buf.len());
                    self.send_buf.note_packet((packet_from - self.snd_una) as usize, to);
                }
                mark_gso_push(&mut out.segments[first..]);
                if burst == Burst::OnePacket {
                    break;
                }
            }
            if self.snd_max > snd_max_before {
                // tcp_write_xmit: new data went out, so a probe is due if
                // nothing answers (tcp_schedule_loss_probe).
                self.schedule_loss_probe(now, false);
            }
            // tcp_cwnd_validate has one caller, tcp_write_xmit, which counts
            // only new data as sent: resends after a timeout, fast
            // retransmissions and probes of sent data leave through
            // tcp_retransmit_skb and tell it nothing. A timeout's resend at
            // cwnd 1 would otherwise count the window as filled, and a later
            // undo would let it grow where Linux's stays.
            if send_head {
                self.cwnd_validate(self.snd_max > snd_max_before, held_at_cwnd, now, out);
            }
            self.arm_persist(now);
        }
        if out.segments.len() > sent_before {
            self.ack_pending = None;
        } else if let Some(reason) = self.ack_pending.take() {
            if self.state.is_synchronized() || self.state == TcpState::SynReceived {
                let ack = self.segment(self.acceptable_seq(), TcpFlags::ACK, empty_payload(), now);
                out.segments.push((ack, reason));
            }
        }
    }

    /// `tcp_grow_skb`: before a packet of up to `quota` segments of new data
    /// leaves, the first unsent skb takes bytes from the next one to fill it.
    /// Returns where that skb ends; `None` while going back over sent data.
    fn grow_send_head(&mut self, quota: usize) -> Option<SeqNumber> {
        let offset = (self.snd_nxt - self.snd_una) as usize;
        if self.snd_nxt != self.snd_max || offset >= self.send_buf.len() {
            return None;
        }
        let want = quota * self.current_mss() as usize;
        let room = self.send_buf.grow_head(offset, want)?;
        Some(self.snd_nxt + room as u32)
    }

    /// How much a resend from `offset` may carry (`__tcp_retransmit_skb`):
    /// the rest of the skb it starts in (the packet it left in, which a SACK
    /// block splits where it starts, `tcp_sacktag_walk`), cut to `mss`
    /// (`tcp_fragment`), with the whole skbs after it taken along while all
    /// of them fit in one `mss` and none is SACKed (`tcp_retrans_try_collapse`).
    /// So a resend never runs on into part of the next packet: after SACK
    /// blocks shrank the MSS, a lone segment goes again as two packets, the
    /// second of what the options took.
    fn resend_extent(&self, offset: usize, mss: usize) -> usize {
        let at = |off: usize| self.snd_una + off as u32;
        let sacked = |from: usize, to: usize| self.sack.covers(at(from), at(to));
        let Some(skb_end) = self.send_buf.packet_ends_after(offset).next() else {
            // Past the last packet sent (a go-back-N running on into new data).
            return mss;
        };
        let mut end = skb_end;
        let mut segment_from = offset;
        for segment_end in self.send_buf.sent_ends_after(offset) {
            if segment_end >= skb_end {
                break;
            }
            if segment_from > offset && sacked(segment_from, segment_end) {
                end = segment_from;
                break;
            }
            segment_from = segment_end;
        }
        if end - offset >= mss {
            return mss;
        }
        for next_end in self.send_buf.packet_ends_after(end) {
            let fits = next_end - offset <= mss;
            if !fits || sacked(end, next_end) || at(next_end) > self.snd_una + self.snd_wnd {
                break;
            }
            end = next_end;
        }
        end - offset
    }

    /// Sends one segment of data and/or FIN if allowed; false when nothing went out.
    /// `leeway` lets a retransmission or probe past the usual limits.
    fn send_one(&mut self, now: u64, reason: SendReason, leeway: Leeway, out: &mut TcpOut) -> bool {
        let window_floor = leeway.window_floor;
        if self.sack_ok && self.snd_nxt < self.snd_max {
            // Going back over sent data: what the peer SACKed is not sent again.
            self.snd_nxt = self.sack.skip_sacked(self.snd_nxt);
        }
        if let Some((from, to)) = self.frto.sent {
            if self.snd_una >= to {
                self.frto.sent = None;
            } else if from <= self.snd_nxt && self.snd_nxt < to && !self.sack.is_lost(self.snd_nxt) {
                // Nor is F-RTO's new data, unless SACKs since marked it lost.
                self.snd_nxt = to;
            }
        }
        let offset = (self.snd_nxt - self.snd_una) as usize;
        let unsent = self.send_buf.len().saturating_sub(offset);
        let in_flight = self.snd_nxt - self.snd_una;
        // cwnd limits what is in the network: with SACK, Linux's
        // tcp_packets_in_flight, which leaves out SACKed and lost segments.
        let pipe = self.pipe();
        let window_room = self.snd_wnd.max(window_floor).saturating_sub(in_flight);
        let cwnd_room = if leeway.past_cwnd { u32::MAX } else { self.cc.cwnd().max(window_floor).saturating_sub(pipe) };
        let usable = window_room.min(cwnd_room) as usize;
        let mss = self.current_mss() as usize;
        let mut len = unsent.min(usable).min(mss);
        if let Some(stop) = leeway.stop_at {
            len = len.min(if self.snd_nxt < stop { (stop - self.snd_nxt) as usize } else { 0 });
        }
        let retransmission = self.snd_nxt < self.snd_max;
        if retransmission {
            len = len.min(self.resend_extent(offset, mss));
        }
        if len > 0 && len < mss && len < unsent && !retransmission {
            if leeway.within_packet && window_room < cwnd_room {
                // tcp_mss_split_point: a packet the peer's window cuts short
                // ends with the piece under a full segment that fits, unless
                // Nagle holds it (its first segment fit: tcp_snd_wnd_test).
                if self.nagle_holds(len, mss) {
                    len = 0;
                }
            } else if (len as u32) < self.max_snd_wnd / 2 {
                // Sender-side silly window avoidance (RFC 9293 §3.8.6.2.1), for
                // new data only: sent bytes go again in what the window has
                // room for (`tcp_retransmit_skb`), or a lost window probe
                // would never be resent.
                len = 0;
            }
        }
        if let Some(end) = leeway.skb_end.filter(|_| !retransmission) {
            len = len.min(if end > self.snd_nxt { (end - self.snd_nxt) as usize } else { 0 });
        }
        if retransmission {
            // A retransmission resends what left before, joined at most to the
            // sent segments after it (tcp_retrans_try_collapse walks the
            // retransmission queue only): never data sent for the first time.
            len = len.min((self.snd_max - self.snd_nxt) as usize);
        }
        if self.sack_ok && retransmission {
            // A retransmission fills one hole: it stops where SACKed data starts.
            if let Some(room) = self.sack.room_before_sacked(self.snd_nxt) {
                len = len.min(room as usize);
            }
        }
        // A FIN the peer has SACKed is not sent again with the data before it
        // (Linux's FIN has its own skb once the data has left, and a SACKed
        // skb is never collapsed into a retransmission).
        let fin_sacked = retransmission && self.sack_ok && self.fin_seq.is_some_and(|f| self.sack.covers(f, f + 1));
        let fin_now = len == unsent && self.fin_seq == Some(self.snd_nxt + len as u32) && !fin_sacked;
        if len > 0 && len == unsent && !fin_now && !retransmission && !leeway.nagle_off && self.nagle_holds(len, mss) {
            len = 0;
        }
        if len == 0 && !fin_now {
            return false;
        }
        let payload = self.send_buf.slice(offset, len);
        let mut flags = TcpFlags::ACK;
        if self.send_buf.reaches_push_mark(offset, len) {
            flags = flags | TcpFlags::PSH;
        }
        if fin_now {
            flags = flags | TcpFlags::FIN;
        }
        if len > 0 {
            // tcp_event_data_sent: data leaving with none in flight starts a
            // transmission (CA_EVENT_TX_START) after a silence.
            if pipe == 0 {
                self.cc.on_tx_start(now, self.lsndtime);
            }
            self.lsndtime = now;
        }
        let ack_rides = self.delack.scheduled();
        let seg = self.segment(self.snd_nxt, flags, payload, now);
        let seg_len = seg.seq_len();
        let why = if matches!(reason, SendReason::TailLossProbe { .. }) {
            reason
        } else if retransmission {
            if reason == SendReason::FastRetransmit {
                reason
            } else {
                SendReason::Retransmit
            }
        } else if len == 0 {
            SendReason::Fin
        } else if self.frto.sending.is_some() {
            SendReason::FrtoNewData
        } else if ack_rides {
            SendReason::DataWithAck
        } else {
            SendReason::Data
        };
        self.rtt.on_send(self.snd_nxt, self.snd_nxt + seg_len, now, retransmission);
        self.resends += u32::from(retransmission);
        // A go-back-N resend after a timeout may run on into bytes never sent:
        // their segment ends there all the same, for counting what is SACKed.
        if len > 0 && self.snd_nxt + seg_len > self.snd_max {
            self.send_buf.note_sent(offset + len);
        } else if retransmission && len > 0 {
            // A resend shorter than its segment (the MSS shrank by SACK
            // blocks, or a probe takes the last MSS) splits it in two
            // (tcp_fragment): the rest is a segment of its own, in flight,
            // lost or SACKed on its own.
            self.send_buf.split_sent_at(offset + len);
        }
        self.send_buf.note_packet(offset, offset + len);
        if !retransmission {
            if len > 0 {
                self.delack.on_data_sent(now);
                if len < mss {
                    // tcp_minshall_update, against the current MSS (SACK blocks included).
                    self.snd_sml = self.snd_nxt + seg_len;
                }
            }
        } else {
            self.sack.on_retransmit(self.snd_nxt, self.snd_nxt + seg_len);
            // tcp_retransmit_skb counts every resend in undo_retrans, the
            // timeout's too (a tail loss probe goes by __tcp_retransmit_skb).
            let counted = self.cc.in_recovery() || self.cc.loss_high().is_some();
            if let Some(undo) = self.recovery_undo.as_mut().filter(|_| counted) {
                undo.stamp.get_or_insert(self.ts.tsval(now));
                undo.retransmitted += 1;
            }
        }
        if self.cc.in_recovery() {
            self.prr.on_send();
        }
        self.snd_nxt += seg_len;
        if self.snd_nxt > self.snd_max {
            self.snd_max = self.snd_nxt;
        }
        out.segments.push((seg, why));
        if self.timers.xmit().is_none() {
            self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
        } else if !retransmission && self.timers.xmit() == Some(TimerKind::LossProbe) {
            // tcp_event_new_data_sent: new data puts the RTO back under the probe.
            self.rearm_rto(now);
        }
        !fin_now
    }

    /// Linux's `tcp_nagle_check` for the last, sub-MSS piece of the queue:
    /// with Nagle on, it waits while a small segment sent earlier is still
    /// unacknowledged (Minshall's variant, `tcp_minshall_check`), so full-sized
    /// segments in flight do not hold it. A piece carrying the FIN never waits
    /// (`tcp_nagle_test`).
    /// `mss` is the current one, `tcp_current_mss`: SACK blocks riding on
    /// data make full-sized segments shorter.
    fn nagle_holds(&self, len: usize, mss: usize) -> bool {
        let small_in_flight = self.snd_sml > self.snd_una && self.snd_sml <= self.snd_nxt;
        self.cfg.nagle && len < mss && self.snd_nxt != self.snd_una && small_in_flight
    }

    /// Linux's `tcp_check_probe_timer`: with data waiting, nothing in flight and
    /// the window too small to send into, only a probe can learn when the window
    /// opens (Linux arms its probe timer in the same case, not just for a window
    /// of exactly zero). The first probe leaves one RTO later.
    fn arm_persist(&mut self, now: u64) {
        if self.unsent() > 0 && self.snd_nxt == self.snd_una {
            if !self.timers.is_running(TimerKind::Persist) {
                self.timers.set(TimerKind::Persist, now + self.probe0_base());
            }
        } else {
            self.timers.stop(TimerKind::Persist);
            self.persist_backoff = 0;
        }
    }

    /// Linux's `tcp_ack_probe`, for an ACK that arrives with nothing in flight
    /// while data waits: if the window now takes the next segment, probing is
    /// over and its backoff forgotten; if not, the probe timer restarts from
    /// this ACK with the backoff reached so far.
    fn ack_probe(&mut self, now: u64) {
        let head = self.unsent().min(self.snd_mss as usize) as u32;
        if head == 0 {
            return;
        }
        if head <= self.snd_wnd {
            self.timers.stop(TimerKind::Persist);
            self.persist_backoff = 0;
        } else {
            self.timers.set(TimerKind::Persist, now + self.probe0_when());
        }
    }

    /// Linux's `tcp_probe0_base`: the RTO, never below its floor.
    fn probe0_base(&self) -> u64 {
        self.rtt.rto().max(self.cfg.rto_min_us).max(MIN_RTO_US)
    }

    /// Linux's `tcp_probe0_when`: the base doubled once per unanswered probe
    /// (at most ilog2(rto_max / rto_min) + 1 times), never above `rto_max`.
    fn probe0_when(&self) -> u64 {
        let max_shift = (self.cfg.rto_max_us / self.cfg.rto_min_us.max(1)).max(1).ilog2() + 1;
        let shift = self.persist_backoff.min(max_shift);
        let when = self.probe0_base().checked_shl(shift).unwrap_or(u64::MAX);
        when.min(self.cfg.rto_max_us).max(MIN_RTO_US)
    }

    /// Bytes written but not yet sent.
    fn unsent(&self) -> usize {
        let offset = (self.snd_nxt - self.snd_una) as usize;
        self.send_buf.len().saturating_sub(offset)
    }

    /// The probe timer fired: Linux's `tcp_send_probe0` with `tcp_write_wakeup`.
    /// If the window has room, as much waiting data as fits (up to a segment)
    /// goes out as data, and probing ends. Into a zero window no data goes: the
    /// probe is a bare ACK numbered one below `snd_una`
    /// (`tcp_xmit_probe_skb(sk, 0)`), old enough that the peer must answer with
    /// an ACK carrying its window; Wireshark labels it "TCP Keep-Alive". The
    /// next probe waits twice as long.
    fn send_probe0(&mut self, now: u64, out: &mut TcpOut) {
        let unsent = self.unsent();
        if unsent == 0 || self.snd_nxt != self.snd_una {
            self.persist_backoff = 0;
            return;
        }
        let room = self.snd_wnd as usize;
        if room > 0 {
            let len = room.min(self.snd_mss as usize).min(unsent);
            let offset = (self.snd_nxt - self.snd_una) as usize;
            let payload = self.send_buf.slice(offset, len);
            let seg = self.segment(self.snd_nxt, TcpFlags::ACK | TcpFlags::PSH, payload, now);
            // tcp_write_wakeup marks the skb itself: a resend of these bytes keeps the PSH.
            self.send_buf.mark_push_at(offset + len);
            let end = self.snd_nxt + len as u32;
            if end > self.snd_max {
                self.send_buf.note_sent(offset + len);
            }
            self.rtt.on_send(self.snd_nxt, end, now, self.snd_nxt < self.snd_max);
            self.snd_nxt = end;
            if end > self.snd_max {
                self.snd_max = end;
            }
            out.segments.push((seg, SendReason::Data));
            self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
            self.persist_backoff = 0;
            return;
        }
        let probe = self.segment(self.snd_una - 1, TcpFlags::ACK, empty_payload(), now);
        out.segments.push((probe, SendReason::ZeroWindowProbe));
        // Linux stops counting the backoff at tcp_retries2.
        if self.persist_backoff < self.cfg.data_retries {
            self.persist_backoff += 1;
        }
        self.timers.set(TimerKind::Persist, now + self.probe0_when());
    }

    fn send_syn(&mut self, now: u64, with_ack: bool, reason: SendReason, out: &mut TcpOut) {
        if reason == SendReason::HandshakeRetransmit {
            self.syn_resends += 1;
        }
        let first_window = self.rcv_wnd_adv;
        let flags = if with_ack { TcpFlags::SYN | TcpFlags::ACK } else { TcpFlags::SYN };
        let mut seg = self.segment(self.iss, flags, empty_payload(), now);
        seg.mss = Some(self.our_mss.min(u32::from(u16::MAX)) as u16);
        seg.timestamps = self.ts.syn_option(now, with_ack);
        if self.cfg.window_scaling && (!with_ack || self.peer_offered_wscale) {
            seg.window_scale = Some(self.rcv_wscale);
        }
        // tcp_select_initial_window: whole segments of the room, at most
        // 65535 (a SYN's window is never scaled, RFC 7323 §2.2); the window
        // opens from there (rcv_ssthresh) as data arrives. It is chosen once,
        // for the first SYN this socket sends (tcp_connect_init,
        // tcp_openreq_init_rwin): a SYN sent again, or a simultaneous open's
        // SYN-ACK, carries the same rcv_wnd (tcp_send_synack resends the SYN).
        let room = self.free_space();
        let window = match self.first_syn_at {
            Some(_) => first_window,
            None => initial_window(room, self.our_mss.saturating_sub(self.ts.syn_window_cut()).max(1)),
        };
        seg.window = window.min(u32::from(u16::MAX)) as u16;
        self.rcv_wnd_adv = window;
        self.rwnd.ssthresh = window;
        self.rwnd.wnd = window;
        self.rwnd.wup = self.rcv_nxt;
        // window_clamp: what the offered shift can say, or a fixed buffer's room.
        let shift = if seg.window_scale.is_some() { self.rcv_wscale } else { 0 };
        let fixed = if self.cfg.recv_buffer_locked { room } else { u32::MAX };
        self.rwnd.clamp = (u32::from(u16::MAX) << shift).min(fixed);
        // tcp_syn_options / tcp_synack_options: offered when tcp_sack is on,
        // answered only to a SYN that offered it.
        seg.sack_permitted = self.cfg.sack && (!with_ack || self.sack_ok);
        self.snd_nxt = self.iss + 1;
        self.snd_max = self.snd_nxt;
        self.syn_sent_at = Some(now);
        self.first_syn_at.get_or_insert(now);
        out.segments.push((seg, reason));
        self.timers.set_xmit(TimerKind::Retransmit, now + self.rtt.rto());
    }

    /// What `tcp_grow_window` weighs a segment of `len` bytes, in a packet
    /// of `wire_len`, against.
    fn growth(&self, len: u32, wire_len: u32) -> Growth {
        Growth {
            len,
            truesize: skb_truesize(wire_len),
            advmss: self.advmss(),
            rcv_mss: self.delack.rcv_mss().unwrap_or(self.advmss()),
            // tcp_space, uncapped: without window scaling rcv_ssthresh grows
            // past the 65535 the header can say, each step a quick ACK.
            free: self.free_space(),
            rmem_max: self.cfg.recv_buffer_max,
        }
    }

    /// What `__tcp_select_window` reads from this connection now.
    fn window_space(&self) -> Space {
        Space {
            // tcp_space: only the header's field is capped at what it can say.
            free: self.free_space(),
            full: self.rwnd.win_from_space(self.rcvbuf()).min(self.rwnd.clamp),
            // __tcp_select_window rounds to the segments the peer sends
            // (icsk_ack.rcv_mss), smaller than ours when its window is tiny.
            mss: self.delack.rcv_mss().unwrap_or(self.snd_mss),
            shift: self.rcv_wscale_in_use(),
        }
    }

    /// Builds a segment from this connection's ports, with our ACK and window.
    fn segment(&mut self, seq_no: SeqNumber, flags: TcpFlags, payload: Arc<[u8]>, now: u64) -> TcpSegment {
        self.last_sent_at = Some(now);
        let with_ack = flags.ack();
        let window = match self.time_wait_window {
            // tcp_v4_timewait_ack: tw_rcv_wnd scaled, and cut to the
            // header's 16 bits (htons of a u32), not capped at 65535: without
            // window scaling a larger window shows as its low 16 bits.
            Some(w) => (w >> self.rcv_wscale_in_use()) as u16,
            None => {
                let space = self.window_space();
                if space.scarce() {
                    self.delack.window_scarce();
                }
                let w = self.rwnd.select(space, self.rcv_nxt);
                let scaled = (w >> self.rcv_wscale_in_use()).min(u32::from(u16::MAX));
                self.rcv_wnd_adv = scaled << self.rcv_wscale_in_use();
                if scaled == 0 {
                    // tcp_select_window: a zero window turns the fast path off.
                    self.header_prediction = None;
                }
                if self.state == TcpState::TimeWait {
                    // tcp_fin in FIN_WAIT2: the full socket sends this ACK,
                    // then tcp_time_wait keeps the window it opened.
                    self.time_wait_window = Some(w);
                }
                scaled as u16
            }
        };
        if with_ack {
            self.delack.on_ack_sent(self.rcv_nxt);
            self.timers.stop(TimerKind::DelayedAck);
            self.timers.stop(TimerKind::SackCompress);
        }
        let sack_blocks = self.sack_blocks_to_send();
        // tcp_options_write: a D-SACK block goes out once.
        self.dsack = None;
        TcpSegment {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            seq: seq_no.0,
            ack: if with_ack { self.rcv_nxt.0 } else { 0 },
            flags,
            window,
            mss: None,
            window_scale: None,
            timestamps: self.ts.option(now, self.rcv_nxt),
            sack_permitted: false,
            sack_blocks,
            payload,
        }
    }

    /// The SACK blocks every segment carries while data waits beyond a hole
    /// (`tcp_established_options`), as sequence numbers, most recent first,
    /// after a D-SACK block when data arrived twice.
    fn sack_blocks_to_send(&self) -> SackBlocks {
        if self.sack_option_len() == 0 {
            return SackBlocks::default();
        }
        let seq = |off: u64| (self.rcv_nxt + off.saturating_sub(self.rcv_nxt_off) as u32).0;
        let dsack = self.dsack.map(|(l, r)| (l.0, r.0));
        let blocks = self.recv_buf.sack_blocks().iter().map(|&(s, e)| (seq(s), seq(e)));
        dsack.into_iter().chain(blocks).take(self.sack_block_room()).collect()
    }

    /// Bytes of SACK option the next segment carries (NOP, NOP, kind, length,
    /// 8 a block), none without blocks.
    fn sack_option_len(&self) -> u32 {
        if !self.sack_ok || !self.state.is_synchronized() {
            return 0;
        }
        let blocks = usize::from(self.dsack.is_some()) + self.recv_buf.sack_blocks().len();
        match blocks.min(self.sack_block_room()) {
            0 => 0,
            n => 4 + 8 * n as u32,
        }
    }

    /// How many SACK blocks fit beside the other options: all that the
    /// receiver keeps; 3 once the 12-byte timestamp option shares the 40
    /// option bytes (`tcp_established_options`: (40 − 12 − 4) / 8).
    fn sack_block_room(&self) -> usize {
        if self.ts.option_len() > 0 {
            MAX_SACK_BLOCKS - 1
        } else {
            MAX_SACK_BLOCKS
        }
    }

    // ----- helpers ---------------------------------------------------------------

    /// The sequence number of a segment that carries no data (a pure ACK, an
    /// abortive RST), Linux's `tcp_acceptable_seq`: the highest sequence sent,
    /// never the `snd_nxt` an RTO rewound for go-back-N. The peer has usually
    /// received up to there, so an ACK numbered lower would fall below its
    /// `rcv_nxt`, fail the acceptability test and be dropped with its ACK field
    /// unread; two ends retransmitting at once would then stall each other.
    /// If the peer's window shrank below it, the window's right edge.
    fn acceptable_seq(&self) -> SeqNumber {
        let window_end = self.snd_una + self.snd_wnd;
        let scale_slack = if self.peer_offered_wscale { 1u32 << self.rcv_wscale } else { 0 };
        if self.snd_max <= window_end || (self.snd_max - window_end) < scale_slack {
            self.snd_max
        } else {
            window_end
        }
    }

    /// Answers a segment outside the window (or a challenge) with an ACK — at most
    /// one per `tcp_invalid_ratelimit` (500 ms) for segments without data, as Linux's
    /// `tcp_oow_rate_limited` does: two ends that disagree about the window would
    /// otherwise ACK each other's ACKs forever.
    fn ack_out_of_window(&mut self, seg: &TcpSegment, reason: SendReason, now: u64) {
        let may_loop = seg.payload.is_empty() || seg.flags.syn();
        if may_loop {
            if self.last_oow_ack.is_some_and(|t| now < t + OOW_ACK_INTERVAL_US) {
                return;
            }
            self.last_oow_ack = Some(now);
        }
        self.ack_pending = Some(reason);
    }

    /// The segment size we told the peer, less the options every segment
    /// carries (Linux's `advmss` after `tcp_rcv_synsent_state_process` or
    /// `tcp_openreq_init_rwin` took the timestamps off).
    fn advmss(&self) -> u32 {
        self.our_mss.saturating_sub(self.ts.option_len()).max(1)
    }

    fn rcv_wscale_in_use(&self) -> u8 {
        if self.peer_offered_wscale {
            self.rcv_wscale
        } else {
            0
        }
    }

    /// What is left of the window last advertised (`tcp_receive_window`).
    fn offered_window(&self) -> u32 {
        self.rwnd.wnd.saturating_sub(self.rcv_nxt - self.rwnd.wup)
    }

    /// Free receive-buffer space: the window we can offer, at most what
    /// the header can say.
    fn receive_window(&self) -> u32 {
        let max = if self.peer_offered_wscale { (u32::from(u16::MAX)) << self.rcv_wscale } else { u32::from(u16::MAX) };
        self.free_space().min(max)
    }

    /// `tcp_space`: the data the buffer's free memory holds at the current
    /// scaling ratio.
    fn free_space(&self) -> u32 {
        self.rwnd.win_from_space(self.rcvbuf().saturating_sub(self.rmem.used()))
    }

    /// `sk_rcvbuf`: the buffer's memory, twice the data room the model's
    /// settings name (Linux's default scaling ratio holds half of it).
    fn rcvbuf(&self) -> usize {
        self.recv_cap.saturating_mul(2)
    }

    /// Offset in the received stream of sequence number `s`, relative to `rcv_nxt`.
    fn stream_offset(&self, s: SeqNumber) -> u64 {
        let delta = s.offset_from(self.rcv_nxt);
        (self.rcv_nxt_off as i64 + i64::from(delta)).max(0) as u64
    }

    /// RFC 9293 §3.10.7.4's acceptability test, against the window offered
    /// (what is left of the last one, `tcp_receive_window`, as
    /// `tcp_sequence` checks; never less than the free room): a receiver
    /// whose memory filled still takes what it offered before.
    fn acceptable(&self, seg: &TcpSegment) -> bool {
        let len = seg.seq_len();
        // tcp_sequence rejects only what ends before rcv_wup: data that all
        // came before but ends where our last ACK did not yet reach goes on
        // to tcp_data_queue as a duplicate, whose ACK follows the delayed-ACK
        // rules, not tcp_send_dupack's ACK at once.
        // A FIN sent again (its ACK was lost) is such a duplicate too; in
        // TIME-WAIT tcp_timewait_state_process answers it instead.
        let end = seg.seq_number() + len;
        let repeats =
            if self.state == TcpState::TimeWait { !seg.payload.is_empty() } else { seg.carries_data_or_fin() };
        if repeats && !seg.flags.syn() && end <= self.rcv_nxt && self.rwnd.wup <= end {
            return true;
        }
        let wnd = self.offered_window().max(self.receive_window());
        let in_window = |s: SeqNumber| self.rcv_nxt <= s && s < self.rcv_nxt + wnd;
        match (len, wnd) {
            (0, 0) => seg.seq_number() == self.rcv_nxt,
            (0, _) => in_window(seg.seq_number()),
            (_, 0) => false,
            (_, _) => in_window(seg.seq_number()) || in_window(seg.seq_number() + (len - 1)),
        }
    }

    fn take_syn_options(&mut self, syn: &TcpSegment, now: u64) {
        let peer_mss = syn.mss.map_or(DEFAULT_MSS, u32::from);
        self.ts.on_syn(syn);
        // tcp_mtu_to_mss: the options every segment carries come off the payload.
        self.snd_mss = peer_mss.min(self.our_mss).saturating_sub(self.ts.option_len()).max(64);
        self.sack_ok = self.cfg.sack && syn.sack_permitted;
        match syn.window_scale {
            Some(ws) if self.cfg.window_scaling => {
                self.peer_offered_wscale = true;
                self.snd_wscale = ws.min(14);
            }
            _ => {
                self.peer_offered_wscale = false;
                self.snd_wscale = 0;
            }
        }
        self.cc.start(self.cfg.initial_cwnd_segments, self.snd_mss, now, self.snd_nxt);
    }

    /// Our SYN was acknowledged: the handshake's round trip is the first RTT
    /// sample. After a retransmitted SYN only the ACK's TSecr can say which
    /// SYN it answers (`tcp_ack_update_rtt`).
    fn syn_acked(&mut self, seg: &TcpSegment, now: u64) {
        let (ack, tsecr_rtt) = (seg.ack_number(), self.ts.rtt_us(seg, now));
        // tcp_init_transfer: after more than one SYN (or SYN-ACK) sent again,
        // at least one by the timer, the transfer starts from one segment,
        // as RFC 5681 §3.1 asks when the handshake lost packets, unless the
        // ACK echoes the first one's TSval, which proves the timeouts
        // spurious (tcp_try_undo_spurious_syn).
        let first_echoed = self.first_syn_at.is_some_and(|at| self.ts.echoes_tsval_of(seg, at));
        if self.syn_resends > 1 && self.retries > 0 && !first_echoed {
            self.cc.start(1, self.snd_mss, now, self.snd_nxt);
        }
        self.snd_una = ack;
        if self.snd_nxt < ack {
            self.snd_nxt = ack;
        }
        self.timers.stop_xmit();
        if self.retries == 0 {
            if let Some(sent_at) = self.syn_sent_at {
                self.rtt.sample(now.saturating_sub(sent_at), self.snd_una, self.snd_nxt);
            }
        } else if let Some(r) = tsecr_rtt {
            self.rtt.sample(r, self.snd_una, self.snd_nxt);
        } else {
            // Karn: no sample from a retransmitted SYN; Linux restarts from the initial RTO.
            self.rtt.restart(self.cfg.rto_initial_us);
        }
        self.retries = 0;
    }

    /// The handshake is complete: ESTABLISHED, and the receive window's
    /// clamp is set as `tcp_init_buffer_space` sets it.
    fn establish(&mut self, now: u64, out: &mut TcpOut) {
        self.set_state(TcpState::Established, out);
        // tcp_init_transfer sets the window the connection starts with, on
        // both sides: the cwnd plot and the kernel's TCP_INFO begin here.
        out.congestion_changed = true;
        self.cc.note(CwndChange::Start);
        self.lsndtime = now;
        self.update_pacing_rate();
        // tcp_rcv_state_process (SYN-RECEIVED to ESTABLISHED): tcp_fast_path_on.
        self.header_prediction = Some(self.predicted_window());
        let full = self.rwnd.win_from_space(self.rcvbuf());
        self.rwnd.init_buffer_space(full, self.advmss());
        // tcp_init_buffer_space: DRS measures from here, from at most 10 segments.
        self.rwnd.copied_space = u64::from(self.rcv_wnd_adv.min(10 * self.advmss()));
        self.rwnd.copied_from = self.rcv_nxt_off.saturating_sub(self.recv_buf.len() as u64);
        self.rwnd.measured_at = now;
        // tcp_init_buffer_space: the send buffer is sized for the initial window.
        if !self.sndbuf_locked {
            self.expand_sndbuf();
        }
    }

    fn set_state(&mut self, to: TcpState, out: &mut TcpOut) {
        if self.state != to {
            out.transitions.push((self.state, to));
            self.state = to;
        }
    }

    /// The connection failed with `errno`: CLOSED, and the application is told.
    fn fail(&mut self, errno: Errno, out: &mut TcpOut) {
        self.timers.stop_all();
        self.error = Some(errno);
        out.error = Some(errno);
        self.set_state(TcpState::Closed, out);
    }

    /// Gives up after retransmissions: Linux sends no RST here, it just stops.
    fn abort_silently(&mut self, errno: Errno, out: &mut TcpOut) {
        self.send_buf.clear();
        self.fail(errno, out);
    }
}

/// Fast recovery's undo record (`tcp_init_undo` at `tcp_enter_recovery`):
/// cwnd and ssthresh before the cut, the TSval of its first retransmission
/// (`retrans_stamp`), and how many of its retransmissions no D-SACK has
/// shown needless yet (`undo_retrans`), counted from `marker` (`undo_marker`).
#[derive(Clone, Copy, Debug)]
struct RecoveryUndo {
    prior: (u32, u32),
    stamp: Option<u32>,
    retransmitted: u32,
    marker: SeqNumber,
}

/// F-RTO (RFC 5682, Linux's `tp->frto`) after one retransmission timeout.
#[derive(Clone, Copy, Debug, Default)]
struct Frto {
    /// It is judging the timeout (`tp->frto`).
    on: bool,
    /// The next round of sending is new data, not resends (step 2b).
    new_data: bool,
    /// While that new data goes: where the resends stopped and where new
    /// data started (`snd_max` then), so that without SACK the segments
    /// still marked lost do not count as in flight.
    sending: Option<(SeqNumber, SeqNumber)>,
    /// The new data it sent: not marked lost, so the timeout's go-back-N
    /// passes over it (Linux resends only what `tcp_timeout_mark_lost` marked).
    sent: Option<(SeqNumber, SeqNumber)>,
}

/// `__tcp_transmit_skb` sets PSH on every packet of more than one segment
/// ("to expedite GRO flush at receiver"), and GSO leaves it on the packet's
/// last segment only: the transmission `burst` ends with PSH when it carried
/// data in two or more segments.
fn mark_gso_push(burst: &mut [(TcpSegment, SendReason)]) {
    let mut with_data = burst.iter_mut().filter(|(seg, _)| !seg.payload.is_empty());
    if let (Some(_), Some(last)) = (with_data.next(), with_data.last()) {
        last.0.flags = last.0.flags | TcpFlags::PSH;
    }
}

/// smoltcp-style tests: exact segments in, exact replies out.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::addr::Ipv4Addr;

    const LOCAL: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
    const REMOTE: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 40000);
    const ISS: u32 = 1000;
    const IRS: u32 = 5000;

    fn seg(seq: u32, ack: u32, flags: TcpFlags, window: u16, payload: &[u8]) -> TcpSegment {
        TcpSegment {
            src_port: REMOTE.port(),
            dst_port: LOCAL.port(),
            seq,
            ack,
            flags,
            window,
            mss: None,
            window_scale: None,
            timestamps: None,
            sack_permitted: false,
            sack_blocks: Default::default(),
            payload: Arc::from(payload),
        }
    }

    fn cfg() -> TcpConfig {
        TcpConfig { window_scaling: false, recv_buffer: 4096, ..TcpConfig::default() }
    }

    fn replies(out: &TcpOut) -> Vec<(String, u32, u32, u16, usize)> {
        out.segments.iter().map(|(s, _)| (s.flags.tcpdump(), s.seq, s.ack, s.window, s.payload.len())).collect()
    }

    /// A server-side connection after SYN, SYN-ACK and ACK.
    fn established() -> Tcb {
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, 8192, &[]);
        syn.mss = Some(1000);
        let mut tcb = Tcb::accept_syn(&cfg(), (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        assert_eq!(replies(&out), vec![("S.".into(), ISS, IRS + 1, 2920, 0)]);
        assert_eq!(out.segments[0].0.mss, Some(1460));
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, &[]), 10_000, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        assert!(out.segments.is_empty(), "the final ACK needs no answer");
        tcb
    }

    /// A server-side connection whose peer offered SACK (and a 65535-byte
    /// window, MSS 1000), after SYN, SYN-ACK and ACK.
    fn established_sack(cfg: &TcpConfig) -> Tcb {
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, 65_535, &[]);
        syn.mss = Some(1000);
        syn.sack_permitted = true;
        let mut tcb = Tcb::accept_syn(cfg, (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        assert_eq!(out.segments[0].0.sack_permitted, cfg.sack);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 65_535, &[]), 10_000, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        tcb
    }

    /// The peer's ACK of `ack` with SACK blocks (offsets from ISS).
    fn sack_ack(ack: u32, blocks: &[(u32, u32)]) -> TcpSegment {
        let mut s = seg(IRS + 1, ISS + ack, TcpFlags::ACK, 65_535, &[]);
        s.sack_blocks = blocks.iter().map(|&(l, r)| (ISS + l, ISS + r)).collect::<Vec<_>>().into();
        s
    }

    /// Data segments sent, as (seq offset from ISS, length, why).
    fn sent_data(out: &TcpOut) -> Vec<(u32, usize, SendReason)> {
        out.segments
            .iter()
            .filter(|(s, _)| !s.payload.is_empty())
            .map(|(s, why)| (s.seq - ISS, s.payload.len(), *why))
            .collect()
    }

    #[test]
    fn sack_permitted_is_offered_by_default_and_answered_only_when_both_sides_have_it() {
        // tcp_syn_options: a SYN offers SACK when net.ipv4.tcp_sack is on.
        let mut out = TcpOut::default();
        Tcb::connect(&TcpConfig { timestamps: false, ..cfg() }, LOCAL, REMOTE, ISS, 1460, 0, &mut out);
        assert!(out.segments[0].0.sack_permitted);
        assert_eq!(out.segments[0].0.header_len(), 28, "MSS, NOP NOP SACK_PERM");
        out.clear();
        // With timestamps SACK_PERM stands where their two NOPs would: MSS, SACK_PERM TS.
        Tcb::connect(&cfg(), LOCAL, REMOTE, ISS, 1460, 0, &mut out);
        assert_eq!(out.segments[0].0.header_len(), 36, "MSS, SACK_PERM TS");
        out.clear();
        Tcb::connect(&TcpConfig { sack: false, ..cfg() }, LOCAL, REMOTE, ISS, 1460, 0, &mut out);
        assert!(!out.segments[0].0.sack_permitted);
        // tcp_synack_options: the SYN-ACK answers only an offer, and only when on here.
        let with_sack = established_sack(&cfg());
        assert!(with_sack.sack_ok);
        let refused = established_sack(&TcpConfig { sack: false, ..cfg() });
        assert!(!refused.sack_ok);
        out.clear();
        let not_offered =
            Tcb::accept_syn(&cfg(), (LOCAL, REMOTE), &seg(IRS, 0, TcpFlags::SYN, 8192, &[]), ISS, 1460, 0, &mut out);
        assert!(!out.segments[0].0.sack_permitted && !not_offered.sack_ok);
    }

    #[test]
    fn sack_blocks_name_the_newest_first_merge_and_leave_as_holes_fill() {
        let mut rx = established_sack(&cfg());
        let mut out = TcpOut::default();
        let data =
            |from: u32, to: u32| seg(IRS + from, ISS + 1, TcpFlags::ACK, 65_535, &vec![b'x'; (to - from) as usize]);
        let blocks = |out: &TcpOut| -> Vec<(u32, u32)> {
            let (ack, _) = out.segments.last().map(|(s, why)| (s, why)).expect("an ACK");
            ack.sack_blocks.iter().map(|&(l, r)| (l - IRS, r - IRS)).collect()
        };
        // Bytes 1..101 are missing: 101..201 arrives, then 301..401.
        rx.on_segment(&data(101, 201), 20_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1, 2920, 0)]);
        assert_eq!(blocks(&out), vec![(101, 201)]);
        assert_eq!(out.segments[0].0.header_len(), 32, "NOP NOP SACK with one block");
        out.clear();
        rx.on_segment(&data(301, 401), 20_000, &mut out);
        assert_eq!(blocks(&out), vec![(301, 401), (101, 201)], "two holes: the newest block first");
        out.clear();
        // 201..251 grows the older block, which becomes the newest.
        rx.on_segment(&data(201, 251), 20_000, &mut out);
        assert_eq!(blocks(&out), vec![(101, 251), (301, 401)]);
        out.clear();
        // The first hole fills: the ACK moves to 251, its block is gone.
        rx.on_segment(&data(1, 101), 20_000, &mut out);
        assert_eq!(replies(&out)[0].2, IRS + 251);
        assert_eq!(blocks(&out), vec![(301, 401)]);
        out.clear();
        // The last hole fills: no blocks.
        rx.on_segment(&data(251, 301), 20_000, &mut out);
        assert_eq!(replies(&out)[0].2, IRS + 401);
        assert_eq!(blocks(&out), vec![]);
        assert_eq!(rx.read(1000, 20_000, &mut out).len(), 400);
    }

    #[test]
    fn a_fifth_hole_pushes_out_the_oldest_block_and_a_block_reaching_another_swallows_it() {
        let mut rx = established_sack(&TcpConfig { recv_buffer: 65_535, ..cfg() });
        let mut out = TcpOut::default();
        for from in [101u32, 301, 501, 701, 901] {
            rx.on_segment(&seg(IRS + from, ISS + 1, TcpFlags::ACK, 65_535, &[b'x'; 100]), 20_000, &mut out);
        }
        // The fourth and fifth duplicate ACKs were compressed into one.
        assert_eq!(out.segments.len(), 3);
        let compressed = rx.timers.get(TimerKind::SackCompress).expect("SACK compression");
        rx.on_timer(TimerKind::SackCompress, compressed, &mut out);
        let last = &out.segments.last().expect("an ACK").0;
        let rel: Vec<_> = last.sack_blocks.iter().map(|&(l, r)| (l - IRS, r - IRS)).collect();
        assert_eq!(rel, vec![(901, 1001), (701, 801), (501, 601), (301, 401)], "at most 4, newest first");
        assert_eq!(last.header_len(), 20 + 4 + 32);
        out.clear();
        // 601..701 joins 501..601 and 701..801 into one block at the front (tcp_sack_maybe_coalesce).
        rx.on_segment(&seg(IRS + 601, ISS + 1, TcpFlags::ACK, 65_535, &[b'x'; 100]), 20_000, &mut out);
        let compressed = rx.timers.get(TimerKind::SackCompress).expect("SACK compression");
        rx.on_timer(TimerKind::SackCompress, compressed, &mut out);
        let rel: Vec<_> = out.segments[0].0.sack_blocks.iter().map(|&(l, r)| (l - IRS, r - IRS)).collect();
        assert_eq!(rel, vec![(501, 801), (901, 1001), (301, 401)]);
    }

    #[test]
    fn data_that_arrives_twice_is_named_once_in_a_d_sack_block() {
        // RFC 2883 as tcp_send_dupack / tcp_dsack_set: the ACK answering a
        // duplicate carries it as its first block, below the ACK; the next
        // ACK does not repeat it.
        let mut rx = established_sack(&cfg());
        let mut out = TcpOut::default();
        let data =
            |from: u32, to: u32| seg(IRS + from, ISS + 1, TcpFlags::ACK, 65_535, &vec![b'x'; (to - from) as usize]);
        rx.on_segment(&data(1, 101), 20_000, &mut out);
        rx.on_segment(&data(201, 301), 20_000, &mut out);
        out.clear();
        rx.on_segment(&data(1, 101), 30_000, &mut out);
        let ack = &out.segments[0].0;
        assert_eq!(
            (ack.ack, ack.sack_blocks.to_vec()),
            (IRS + 101, vec![(IRS + 1, IRS + 101), (IRS + 201, IRS + 301)])
        );
        assert_eq!(out.segments[0].1, SendReason::DupAck);
        out.clear();
        // Half old, half new: the old half is the D-SACK.
        rx.on_segment(&data(51, 151), 40_000, &mut out);
        assert_eq!(out.segments[0].0.sack_blocks, vec![(IRS + 51, IRS + 101), (IRS + 201, IRS + 301)]);
        out.clear();
        rx.on_segment(&data(151, 201), 50_000, &mut out);
        assert_eq!((out.segments[0].0.ack, out.segments[0].0.sack_blocks.to_vec()), (IRS + 301, vec![]));
    }

    #[test]
    fn data_carrying_sack_blocks_is_shorter_by_their_bytes_and_a_fin_ahead_is_sacked() {
        // tcp_current_mss: with one block (12 option bytes) a full segment
        // carries 1000 - 12 bytes, so the packet stays within the MTU.
        let mut tcb = established_sack(&cfg());
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 101, ISS + 1, TcpFlags::ACK | TcpFlags::FIN, 65_535, &[b'x'; 100]), 20_000, &mut out);
        // Linux's block ends at the FIN's end_seq: bytes 101..201 and the FIN.
        assert_eq!(out.segments[0].0.sack_blocks, vec![(IRS + 101, IRS + 202)]);
        out.clear();
        tcb.write(&Arc::from(vec![b'd'; 2000]), 0, 20_000, &mut out);
        let sizes: Vec<(usize, usize)> = out.segments.iter().map(|(s, _)| (s.payload.len(), s.header_len())).collect();
        assert_eq!(sizes, vec![(988, 32), (988, 32), (24, 32)]);
    }

    /// Ten segments of 1000 bytes sent at once from a SACK connection.
    fn ten_segments_sent(cfg: &TcpConfig) -> Tcb {
        let mut tcb = established_sack(cfg);
        let mut out = TcpOut::default();
        assert_eq!(tcb.write(&Arc::from(vec![b'd'; 10_000]), 0, 20_000, &mut out), 10_000);
        assert_eq!(sent_data(&out).len(), 10);
        tcb
    }

    #[test]
    fn two_losses_in_one_window_are_both_resent_within_one_round_trip() {
        // Segments 1 (bytes 1..1001) and 4 (3001..4001) of ten are lost. Once
        // three segments are SACKed RACK's reordering window is zero, and
        // every segment sent before the latest SACKed one is lost: the third
        // ACK (segment 5's) marks both holes. PRR lets hole 1 go at once and
        // hole 2 at the next ACK. Neither waits for the other's ACK, and no
        // SACKed segment is sent again.
        let mut tcb = ten_segments_sent(&cfg());
        let mut out = TcpOut::default();
        let mut resent = Vec::new();
        let acks: [&[(u32, u32)]; 8] = [
            &[(1001, 2001)],
            &[(1001, 3001)],
            &[(4001, 5001), (1001, 3001)],
            &[(4001, 6001), (1001, 3001)],
            &[(4001, 7001), (1001, 3001)],
            &[(4001, 8001), (1001, 3001)],
            &[(4001, 9001), (1001, 3001)],
            &[(4001, 10_001), (1001, 3001)],
        ];
        for (i, blocks) in acks.iter().enumerate() {
            out.clear();
            tcb.on_segment(&sack_ack(1, blocks), 30_000 + i as u64, &mut out);
            resent.extend(sent_data(&out).into_iter().map(|(seq, len, why)| (i, seq, len, why)));
        }
        assert_eq!(resent, vec![(2, 1, 1000, SendReason::FastRetransmit), (3, 3001, 1000, SendReason::FastRetransmit)]);
        assert_eq!(tcb.cc.ssthresh(), 7000, "CUBIC: 717/1024 of a 10-segment window");
        // Hole 1's retransmission arrives: a partial ACK sends nothing again.
        out.clear();
        tcb.on_segment(&sack_ack(3001, &[(4001, 10_001)]), 40_000, &mut out);
        assert_eq!(sent_data(&out), vec![]);
        // Hole 2's: everything is acknowledged, recovery ends at ssthresh.
        tcb.on_segment(&sack_ack(10_001, &[]), 40_010, &mut out);
        assert!(tcb.all_acked());
        assert_eq!(tcb.cwnd(), 7000);
    }

    #[test]
    fn without_sack_the_second_loss_waits_a_round_trip_for_the_partial_ack() {
        // tcp_sack 0 here: the peer's blocks are not read; three duplicate
        // ACKs resend hole 1, and hole 2 goes only when the partial ACK marks
        // it lost (tcp_newreno_mark_lost).
        let mut tcb = ten_segments_sent(&TcpConfig { sack: false, ..cfg() });
        let mut out = TcpOut::default();
        let mut resent = Vec::new();
        for i in 0..8 {
            out.clear();
            tcb.on_segment(&sack_ack(1, &[(1001, 2001)]), 30_000 + i, &mut out);
            resent.extend(sent_data(&out).into_iter().filter(|d| d.2 == SendReason::FastRetransmit));
        }
        assert_eq!(resent, vec![(1, 1000, SendReason::FastRetransmit)]);
        out.clear();
        tcb.on_segment(&sack_ack(3001, &[]), 40_000, &mut out);
        assert_eq!(sent_data(&out)[0], (3001, 1000, SendReason::FastRetransmit));
    }

    #[test]
    fn without_sack_duplicate_acks_count_as_delivered_segments_and_new_data_goes_before_the_resend() {
        // Linux 6.18 without SACK (captured by tests/faults/recovery_without_sack.sock):
        // each duplicate ACK counts as a segment the peer holds
        // (tcp_add_reno_sack), so the first lets segment 11 go; the second
        // finds room for one segment of a three-segment skb mid-burst and
        // waits (tcp_tso_should_defer); the third marks the head lost and
        // recovery resends it; then proportional rate reduction lets one new
        // segment go for each of the fifth to seventh.
        let mut tcb = established_sack(&TcpConfig { sack: false, ..cfg() });
        let mut out = TcpOut::default();
        assert_eq!(tcb.write(&Arc::from(vec![b'd'; 14_000]), 0, 20_000, &mut out), 14_000);
        assert_eq!(sent_data(&out).len(), 10);
        let mut sent = Vec::new();
        for i in 0..9 {
            out.clear();
            tcb.on_segment(&sack_ack(1, &[]), 30_000 + 2 * i, &mut out);
            sent.push(sent_data(&out).into_iter().map(|(seq, _, why)| (seq, why)).collect::<Vec<_>>());
        }
        let data = |seq| vec![(seq, SendReason::Data)];
        assert_eq!(
            sent,
            vec![
                data(10_001),
                vec![],
                vec![(1, SendReason::FastRetransmit)],
                vec![],
                data(11_001),
                data(12_001),
                data(13_001),
                vec![],
                vec![],
            ]
        );
        assert_eq!(tcb.cc.ssthresh(), 7000, "CUBIC's β of ten segments");
        // The resend fills the hole: the ACK covers it and segment 11, which
        // the recovery's high point (snd_nxt at its start) ends at. Without
        // SACK the recovery holds there until an ACK passes it.
        out.clear();
        tcb.on_segment(&sack_ack(11_001, &[]), 50_000, &mut out);
        assert!(tcb.cc.in_recovery());
        tcb.on_segment(&sack_ack(12_001, &[]), 50_010, &mut out);
        assert!(!tcb.cc.in_recovery());
        assert_eq!(tcb.cc.cwnd(), 7000);
    }

    #[test]
    fn after_a_timeout_sacked_segments_are_not_sent_again() {
        // Segments 1 and 3 of four are lost; 2 and 4 are SACKed at 30 ms,
        // too few to close RACK's reordering window (min_rtt / 4 = 2.5 ms).
        // Its timer (plus TCP_TIMEOUT_MIN, to the tick: 35 ms) proves both
        // lost; PRR resends hole 1 alone, and that copy is lost too. The RTO
        // fires: Linux's tcp_timeout_mark_lost keeps the SACKed segments and
        // marks only the rest lost, so go-back-N resends segment 1, then
        // segment 3, and never segment 4 (nor 2).
        let mut tcb = established_sack(&cfg());
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; 4000]), 0, 20_000, &mut out);
        tcb.on_segment(&sack_ack(1, &[(1001, 2001)]), 30_000, &mut out);
        tcb.on_segment(&sack_ack(1, &[(3001, 4001), (1001, 2001)]), 30_000, &mut out);
        assert_eq!(tcb.timers.get(TimerKind::Reorder), Some(35_000));
        assert_eq!(tcb.timers.get(TimerKind::Retransmit), None, "one transmit timer: RACK's wait holds it");
        out.clear();
        tcb.on_timer(TimerKind::Reorder, 35_000, &mut out);
        assert_eq!(sent_data(&out), vec![(1, 1000, SendReason::FastRetransmit)]);
        out.clear();
        let rto = tcb.timers.get(TimerKind::Retransmit).expect("armed");
        assert_eq!(rto, 35_000 + tcb.rtt.rto(), "from the resend of the oldest segment");
        tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
        assert_eq!(sent_data(&out), vec![(1, 1000, SendReason::Retransmit)]);
        out.clear();
        tcb.on_segment(&sack_ack(2001, &[(3001, 4001)]), rto + 10_000, &mut out);
        assert_eq!(sent_data(&out), vec![(2001, 1000, SendReason::Retransmit)]);
        out.clear();
        tcb.on_segment(&sack_ack(4001, &[]), rto + 20_000, &mut out);
        assert!(tcb.all_acked());
        assert_eq!(sent_data(&out), vec![]);
    }

    #[test]
    fn after_a_timeout_the_first_ack_lets_two_new_segments_go_before_more_retransmissions() {
        // Ten segments, all lost; the RTO resends the first. Its ACK moves
        // snd_una but not past the timeout's snd_max: F-RTO (RFC 5682 step
        // 2b, Linux's default tcp_frto 2) sends new data, two segments as
        // cwnd 2 allows, to see whether the timeout was spurious. The next
        // ACK SACKs new data and acknowledges nothing old: the loss was real
        // (step 3a), and go-back-N goes on from the second segment. With
        // tcp_frto 0 that ACK brings the retransmissions at once. Linux 6.18
        // does both in the kernel captures of a partition longer than the RTO.
        for frto in [true, false] {
            // No tail loss probe: the RTO is the first timer.
            let mut tcb = established_sack(&TcpConfig { frto, tail_loss_probe: false, ..cfg() });
            let mut out = TcpOut::default();
            assert_eq!(tcb.write(&Arc::from(vec![b'd'; 20_000]), 0, 20_000, &mut out), 20_000);
            assert_eq!(sent_data(&out).len(), 10);
            out.clear();
            let rto = tcb.timers.get(TimerKind::Retransmit).expect("armed");
            tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
            assert_eq!(sent_data(&out), vec![(1, 1000, SendReason::Retransmit)]);
            out.clear();
            tcb.on_segment(&sack_ack(1001, &[]), rto + 10_000, &mut out);
            if !frto {
                let resent = vec![(1001, 1000, SendReason::Retransmit), (2001, 1000, SendReason::Retransmit)];
                assert_eq!(sent_data(&out), resent);
                continue;
            }
            let new_data = vec![(10_001, 1000, SendReason::FrtoNewData), (11_001, 1000, SendReason::FrtoNewData)];
            assert_eq!(sent_data(&out), new_data, "step 2b: new data, no retransmission");
            assert!(!out.loss_confirmed, "no verdict yet");
            out.clear();
            tcb.on_segment(&sack_ack(1001, &[(10_001, 11_001)]), rto + 20_000, &mut out);
            assert_eq!(sent_data(&out), vec![(1001, 1000, SendReason::Retransmit)], "step 3a");
            assert!(out.loss_confirmed, "the verdict is said, for the trace");
            out.clear();
            // The go-back-N passes over F-RTO's new data: 11001 was never
            // marked lost, and only what the timeout marked goes again.
            let mut resent = Vec::new();
            let mut ack = 2001;
            while ack <= 10_001 {
                tcb.on_segment(&sack_ack(ack, &[(10_001, 12_001)]), rto + 30_000, &mut out);
                resent.extend(sent_data(&out).into_iter().filter(|s| s.2 == SendReason::Retransmit).map(|s| s.0));
                out.clear();
                ack += 1000;
            }
            assert!(resent.iter().all(|&seq| seq < 10_001), "{resent:?}");
            assert_eq!(resent.first(), Some(&2001));
        }
    }

    #[test]
    fn passive_open_answers_syn_ack_and_takes_the_smaller_mss() {
        let tcb = established();
        assert_eq!(tcb.snd_mss, 1000);
        assert_eq!(tcb.snd_wnd, 8192);
        assert_eq!(tcb.rtt.srtt_us(), Some(10_000), "the handshake gives the first RTT sample");
    }

    #[test]
    fn the_rto_is_the_smoothed_rtt_plus_at_least_rto_min() {
        // tcp_rtt_estimator + __tcp_set_rto: rttvar never falls below rto_min,
        // so a 10 ms RTT gives 210 ms (Linux), not max(10 + 4 × 5, 200) = 200.
        let mut tcb = established();
        assert_eq!(tcb.rtt.rto(), 210_000);
        // A steady 10 ms RTT over many windows keeps it there.
        let mut out = TcpOut::default();
        for i in 0..20u32 {
            let now = 20_000 + u64::from(i) * 20_000;
            tcb.write(&Arc::from(&b"x"[..]), 0, now, &mut out);
            tcb.on_segment(&seg(IRS + 1, ISS + 2 + i, TcpFlags::ACK, 8192, &[]), now + 10_000, &mut out);
        }
        assert_eq!(tcb.rtt.rto(), 210_000);
        assert_eq!(tcb.stats().srtt_us, Some(10_000));
    }

    #[test]
    fn data_is_acked_with_the_window_shrunk_by_what_is_buffered() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"hello"), 20_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 6, 2920, 0)]);
        assert_eq!(&tcb.read(100, 20_000, &mut out)[..], b"hello");
    }

    #[test]
    fn out_of_order_data_gets_a_duplicate_ack_then_both_are_delivered() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 4, ISS + 1, TcpFlags::ACK, 8192, b"def"), 0, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1, 2920, 0)]);
        assert_eq!(out.segments[0].1, SendReason::DupAck);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, b"abc"), 0, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 7, 2920, 0)]);
        assert_eq!(&tcb.read(100, 0, &mut out)[..], b"abcdef");
    }

    #[test]
    fn a_fin_ahead_of_a_hole_is_taken_when_the_hole_fills() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        // "def" and the FIN arrive before "abc": held, and a duplicate ACK asks for "abc".
        tcb.on_segment(&seg(IRS + 4, ISS + 1, TcpFlags::ACK | TcpFlags::FIN, 8192, b"def"), 0, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1, 2920, 0)]);
        assert_eq!(tcb.state, TcpState::Established);
        out.clear();
        // "abc" fills the hole: one ACK covers the data and the FIN, and the peer's
        // close is seen at once.
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, b"abc"), 1_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 8, 2920, 0)]);
        assert_eq!(tcb.state, TcpState::CloseWait);
        assert_eq!(&tcb.read(100, 1_000, &mut out)[..], b"abcdef");
    }

    #[test]
    fn a_lone_fin_ahead_of_a_hole_is_acked_at_once_when_the_hole_fills() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        // "abc" is lost; the FIN behind it arrives alone: a duplicate ACK asks for "abc".
        tcb.on_segment(&seg(IRS + 4, ISS + 1, TcpFlags::ACK | TcpFlags::FIN, 8192, b""), 0, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1, 2920, 0)]);
        out.clear();
        // Its resend fills the hole: the queue is empty again, so the ACK of
        // the data and the FIN leaves at once, not at the delayed-ACK timer
        // or on the reply (tcp_data_queue's ICSK_ACK_NOW).
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"abc"), 200_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 5, 2920, 0)]);
        assert_eq!(tcb.state, TcpState::CloseWait);
    }

    #[test]
    fn duplicate_data_is_discarded_and_re_acked() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, b"abc"), 0, &mut out);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, b"abc"), 0, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 4, 2920, 0)]);
        assert_eq!(&tcb.read(100, 0, &mut out)[..], b"abc");
    }

    #[test]
    fn syn_sent_refused_by_rst() {
        let mut out = TcpOut::default();
        let mut tcb = Tcb::connect(&cfg(), LOCAL, REMOTE, ISS, 1460, 0, &mut out);
        assert_eq!(replies(&out), vec![("S".into(), ISS, 0, 2920, 0)]);
        out.clear();
        tcb.on_segment(&seg(0, ISS + 1, TcpFlags::RST | TcpFlags::ACK, 0, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::Closed);
        assert_eq!(out.error, Some(Errno::ECONNREFUSED));
        assert!(out.segments.is_empty());
    }

    /// The gaps between SYNs until connect() gives up, and when it does.
    fn syn_gaps_until_timeout(cfg: &TcpConfig) -> (Vec<u64>, u64) {
        let mut out = TcpOut::default();
        let mut tcb = Tcb::connect(cfg, LOCAL, REMOTE, ISS, 1460, 0, &mut out);
        let (mut now, mut gaps) = (0, Vec::new());
        while let Some(due) = tcb.timers.get(TimerKind::Retransmit) {
            out.clear();
            tcb.on_timer(TimerKind::Retransmit, due, &mut out);
            if out.error.is_some() {
                assert_eq!(out.error, Some(Errno::ETIMEDOUT));
                assert!(out.segments.is_empty(), "Linux gives up without a RST");
                return (gaps, due);
            }
            assert_eq!(replies(&out), vec![("S".into(), ISS, 0, 2920, 0)]);
            assert_eq!(out.segments[0].1, SendReason::HandshakeRetransmit);
            gaps.push(due - now);
            now = due;
        }
        panic!("the SYN timer stopped without an error");
    }

    #[test]
    fn syn_retransmits_linearly_four_times_then_doubles_and_gives_up_at_131_seconds() {
        // Linux 6.5+ (observed on 6.18): SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35,
        // 67 s; ETIMEDOUT at 131 s, after 6 + 4 retransmissions.
        let (gaps, gave_up) = syn_gaps_until_timeout(&cfg());
        let s = 1_000_000;
        assert_eq!(gaps, vec![s, s, s, s, s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s]);
        assert_eq!(gave_up, 131 * s);
    }

    #[test]
    fn syn_without_linear_timeouts_doubles_from_the_start_and_gives_up_at_127_seconds() {
        let (gaps, gave_up) = syn_gaps_until_timeout(&TcpConfig { syn_linear_timeouts: 0, ..cfg() });
        let s = 1_000_000;
        assert_eq!(gaps, vec![s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s]);
        assert_eq!(gave_up, 127 * s);
    }

    #[test]
    fn a_syn_gives_up_at_its_time_budget_when_that_comes_before_its_count() {
        // retransmits_timed_out: 3 retries of a doubling 1 s RTO take 15 s; with
        // 20 linear timeouts the 14th 1 s retransmission leaves at 14 s, and the
        // timer after it, at 15 s, finds the budget spent.
        let (gaps, gave_up) = syn_gaps_until_timeout(&TcpConfig { syn_retries: 3, syn_linear_timeouts: 20, ..cfg() });
        assert_eq!(gaps, vec![1_000_000; 14]);
        assert_eq!(gave_up, 15_000_000);
    }

    #[test]
    fn a_zero_window_is_probed_with_bare_acks_below_snd_una_one_rto_then_doubling() {
        // Linux (tcp_check_probe_timer, tcp_send_probe0, tcp_xmit_probe_skb,
        // tcp_ack_probe), as observed on 6.18: no data goes into a zero window;
        // the probe is [.] seq snd_una-1 len 0, one RTO after the window closed,
        // then 2, 4, ... RTOs; each answer restarts the wait from its arrival.
        let mut tcb = established();
        let mut out = TcpOut::default();
        assert_eq!(tcb.rtt.rto(), 210_000);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 0, &[]), 0, &mut out);
        out.clear();
        assert_eq!(tcb.write(&Arc::from(&b"xyz"[..]), 0, 0, &mut out), 3);
        assert!(out.segments.is_empty());
        assert_eq!(tcb.timers.get(TimerKind::Persist), Some(210_000));
        tcb.on_timer(TimerKind::Persist, 210_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS, IRS + 1, 2920, 0)]);
        assert_eq!(out.segments[0].1, SendReason::ZeroWindowProbe);
        assert_eq!(tcb.timers.get(TimerKind::Persist), Some(630_000));
        // The peer's answer (window still 0) 10 ms later restarts the wait.
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 0, &[]), 220_000, &mut out);
        assert!(out.segments.is_empty());
        assert_eq!(tcb.timers.get(TimerKind::Persist), Some(640_000));
        tcb.on_timer(TimerKind::Persist, 640_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS, IRS + 1, 2920, 0)]);
        assert_eq!(tcb.timers.get(TimerKind::Persist), Some(1_480_000));
        // The window opens: the data goes at once, and probing is over.
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, &[]), 700_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 1, IRS + 1, 2920, 3)]);
        assert_eq!(tcb.timers.get(TimerKind::Persist), None);
    }

    #[test]
    fn a_window_that_only_shrinks_is_not_taken_until_a_newer_segment_brings_it() {
        // tcp_may_update_window: the same sequence number and ACK offering
        // less room is no update (RFC 9293's SND.WL2 rule took it).
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&[7u8; 3000][..]), 0, 20_000, &mut out);
        assert!(!out.segments.is_empty());
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 4000, &[]), 30_000, &mut out);
        assert_eq!(tcb.snd_wnd, 8192, "a shrinking window with nothing newer is not taken");
        // Nor is it with data at that same sequence number; the segment
        // after that data is newer, and its window is taken.
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 4000, b"x"), 30_000, &mut out);
        assert_eq!(tcb.snd_wnd, 8192);
        tcb.on_segment(&seg(IRS + 2, ISS + 1, TcpFlags::ACK, 4000, &[]), 30_000, &mut out);
        assert_eq!(tcb.snd_wnd, 4000);
    }

    #[test]
    fn a_window_too_small_to_fill_is_probed_with_the_data_that_fits() {
        // tcp_write_wakeup: a window with room gets as much data as fits, and
        // once data is in flight the probe backoff is forgotten.
        let mut tcb = established();
        let mut out = TcpOut::default();
        // A receiver closes its window and opens it a little: a window that
        // only shrinks, with nothing newer, is no update (tcp_may_update_window).
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 0, &[]), 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 2, &[]), 0, &mut out);
        assert_eq!(tcb.snd_wnd, 2);
        assert_eq!(tcb.write(&Arc::from(&b"xyz"[..]), 0, 0, &mut out), 3);
        assert!(out.segments.is_empty(), "2 bytes of 8192 is a silly window");
        tcb.on_timer(TimerKind::Persist, 210_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 1, IRS + 1, 2920, 2)]);
        assert_eq!(tcb.timers.get(TimerKind::Persist), None);
        assert_eq!(tcb.timers.get(TimerKind::Retransmit), Some(420_000));
        assert_eq!(tcb.persist_backoff, 0);
        // The probe is lost: its resend, two bytes of a three-byte write, keeps
        // the PSH tcp_write_wakeup put on it (the write's own mark is further on).
        out.clear();
        tcb.on_timer(TimerKind::Retransmit, 420_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 1, IRS + 1, 2920, 2)]);
        assert_eq!(out.segments[0].1, SendReason::Retransmit);
    }

    #[test]
    fn a_full_receive_buffer_advertises_a_zero_window() {
        let mut rx = established();
        let mut out = TcpOut::default();
        rx.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 0, &mut out);
        for i in 1..3u32 {
            out.clear();
            let len = 1000;
            rx.on_segment(&seg(IRS + 1 + 1000 * i, ISS + 1, TcpFlags::ACK, 8192, &vec![0u8; len]), 0, &mut out);
        }
        // Each 1000-byte segment costs 2304 bytes of memory (a 1040-byte
        // packet in a 2048-byte head, and the sk_buff), so three take 6912 of
        // the 8192 a 4096-byte buffer has, and the window is gone. The last
        // two shrink the window, so their ACK waits for a read or the timer.
        assert!(out.segments.is_empty());
        assert_eq!(rx.rmem.used(), 3 * 2304);
        rx.on_timer(TimerKind::DelayedAck, 40_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 3001, 0, 0)]);
    }

    // Windows of `established()` (4096 bytes of buffer, no scaling, the
    // peer's MSS 1000): whole segments of the free room, as
    // __tcp_select_window rounds them without scaling, within rcv_ssthresh:
    // the SYN-ACK's 2920, which segments under 128 bytes never open
    // (tcp_event_data_recv) and one of 1000 opens by too little to add a
    // segment. A 1000-byte segment held costs 2304 bytes of the 8192 and
    // measures the ratio at 1000·256/2304 = 111: (8192 − 2304)·111/256 = 2553
    // free, two whole segments.
    const WINDOW_AFTER_1000: u16 = 2000;
    const WINDOW_AFTER_READ: u16 = 2920;
    const WINDOW_OOO: u16 = 2920;
    const WINDOW_FILLED: u16 = 2920;

    /// `established()` after its two quick ACKs (its first window, 2920 bytes,
    /// over 2 × 536) went to two one-byte segments the application read:
    /// `rcv_nxt` is IRS + 3.
    fn past_quick_acks() -> Tcb {
        let mut tcb = established();
        let mut out = TcpOut::default();
        for i in 0..2u32 {
            out.clear();
            let now = 20_000 + u64::from(i) * 1_000;
            tcb.on_segment(&seg(IRS + 1 + i, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"q"), now, &mut out);
            assert_eq!(out.segments[0].1, SendReason::QuickAck, "quick ACK {i}");
            tcb.read(100, now, &mut out);
        }
        tcb
    }

    #[test]
    fn the_first_segments_get_quick_acks_then_an_ack_waits_forty_ms() {
        let mut tcb = past_quick_acks();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 3, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 23_000, &mut out);
        assert!(out.segments.is_empty(), "the third segment's ACK waits");
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), Some(63_000));
        tcb.on_timer(TimerKind::DelayedAck, 63_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1003, WINDOW_AFTER_1000, 0)]);
        assert_eq!(out.segments[0].1, SendReason::DelayedAck { delay_ms: 40 });
    }

    #[test]
    fn a_second_full_segment_waits_while_the_room_is_below_the_window_last_chosen() {
        // 100 000 bytes of buffer without window scaling: the field says
        // 65 535 (the SYN-ACK's, tcp_select_initial_window's cap, and every
        // later one's, tcp_select_window's), but rcv_wnd keeps the whole
        // window chosen. Unread, the buffer's room falls below it, so
        // __tcp_select_window does not keep up with rcv_wnd and
        // __tcp_ack_snd_check leaves two full segments to the timer.
        let cfg = TcpConfig { window_scaling: false, recv_buffer: 100_000, ..TcpConfig::default() };
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, 8192, &[]);
        syn.mss = Some(1000);
        let mut tcb = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, &[]), 10_000, &mut out);
        let mut next = IRS + 1;
        // 65 535 / (2 × 536) = 61 quick ACKs, at most 16.
        for _ in 0..16 {
            out.clear();
            tcb.on_segment(&seg(next, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 20_000, &mut out);
            assert_eq!(out.segments[0].1, SendReason::QuickAck);
            assert_eq!(out.segments[0].0.window, 65_535);
            next += 1000;
        }
        out.clear();
        tcb.on_segment(&seg(next, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 21_000, &mut out);
        tcb.on_segment(&seg(next + 1000, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 22_000, &mut out);
        assert!(tcb.rwnd.would_select(tcb.window_space()) < tcb.rwnd.wnd);
        assert!(out.segments.is_empty(), "both segments wait");
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), Some(61_000));
    }

    /// A server-side connection with `recv_buffer` bytes of buffer, window
    /// scaling on both sides, after the handshake; the peer's MSS is 1448.
    fn established_with_buffer(recv_buffer: usize) -> Tcb {
        let cfg = TcpConfig { recv_buffer, timestamps: false, ..TcpConfig::default() };
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, 65_535, &[]);
        syn.mss = Some(1448);
        syn.window_scale = Some(7);
        let mut tcb = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 512, &[]), 10_000, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        tcb
    }

    /// Feeds `n` back-to-back full segments of 1448 bytes from `from`
    /// (nothing read) and tells, for each, whether it was ACKed at once and why.
    fn ack_reasons(tcb: &mut Tcb, from: u32, n: u32) -> Vec<Option<SendReason>> {
        let mut out = TcpOut::default();
        (0..n)
            .map(|i| {
                out.clear();
                tcb.on_segment(&seg(from + i * 1448, ISS + 1, TcpFlags::ACK, 512, &[0u8; 1448]), 20_000, &mut out);
                out.segments.first().map(|(_, why)| *why)
            })
            .collect()
    }

    #[test]
    fn while_the_receive_window_keeps_opening_every_segment_is_acked_at_once() {
        // tcp_grow_window sets icsk_ack.quick |= 1 each time rcv_ssthresh
        // opens: behind a megabyte of buffer, slow start's second round gets
        // an ACK per segment past the 16 quick ACKs of the connection start,
        // as Linux 6.18 sends them (every other segment without this rule).
        let mut tcb = established_with_buffer(1_000_000);
        let reasons = ack_reasons(&mut tcb, IRS + 1, 40);
        assert!(reasons.iter().all(|r| *r == Some(SendReason::QuickAck)), "{reasons:?}");
    }

    #[test]
    fn a_receiver_with_half_its_buffer_unread_sends_no_quick_acks() {
        // 50 000 bytes of buffer and nothing read: the window opens, and every
        // segment is ACKed at once, until it stops opening.
        let mut tcb = established_with_buffer(50_000);
        let reasons = ack_reasons(&mut tcb, IRS + 1, 19);
        assert!(reasons.iter().all(|r| *r == Some(SendReason::QuickAck)), "{reasons:?}");
        let reasons = ack_reasons(&mut tcb, IRS + 1 + 19 * 1448, 2);
        assert_eq!(reasons, [None, None], "no more room: ACKs wait");
        // After a silence longer than the RTO, tcp_event_data_recv grants
        // quick ACKs again, but less than half the buffer is free, and
        // __tcp_select_window (asked by __tcp_ack_snd_check) ends quick-ACK
        // mode before it is consulted: the ACK goes because the delayed-ACK
        // timer armed for the held segments is due (this test runs no
        // timers), not as a quick ACK.
        let mut out = TcpOut::default();
        let next = IRS + 1 + 21 * 1448;
        tcb.on_segment(&seg(next, ISS + 1, TcpFlags::ACK, 512, &[0u8; 1448]), 3_000_000, &mut out);
        let reasons: Vec<SendReason> = out.segments.iter().map(|(_, why)| *why).collect();
        assert_eq!(reasons, [SendReason::AckTimerDue]);
    }

    #[test]
    fn a_second_full_segment_into_a_shrinking_window_is_acked_when_the_application_reads() {
        let mut tcb = past_quick_acks();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 3, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 23_000, &mut out);
        tcb.on_segment(&seg(IRS + 1003, ISS + 1, TcpFlags::ACK, 8192, &[0u8; 1000]), 24_000, &mut out);
        assert!(out.segments.is_empty(), "the window would shrink: the read will ACK");
        assert_eq!(tcb.read(4096, 24_000, &mut out).len(), 2000);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 2003, WINDOW_AFTER_READ, 0)]);
    }

    #[test]
    fn out_of_order_data_is_acked_at_once_and_so_is_the_segment_filling_the_hole() {
        let mut tcb = past_quick_acks();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 6, ISS + 1, TcpFlags::ACK, 8192, b"def"), 23_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 3, WINDOW_OOO, 0)]);
        assert_eq!(out.segments[0].1, SendReason::DupAck);
        out.clear();
        tcb.on_segment(&seg(IRS + 3, ISS + 1, TcpFlags::ACK, 8192, b"abc"), 24_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 9, WINDOW_FILLED, 0)]);
        assert_eq!(out.segments[0].1, SendReason::AckHoleFilled);
    }

    #[test]
    fn a_reply_within_ato_carries_the_ack_and_no_pure_ack_is_sent() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        // The first request: a quick ACK, then the reply. Answering within
        // ato makes the connection interactive (pingpong).
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"req1"), 20_000, &mut out);
        assert_eq!(out.segments[0].1, SendReason::QuickAck);
        tcb.read(100, 20_000, &mut out);
        out.clear();
        tcb.write(&Arc::from(&b"rep1"[..]), 0, 21_000, &mut out);
        assert_eq!(out.segments[0].1, SendReason::Data);
        out.clear();
        // The second request, acknowledging the reply: its ACK waits for the
        // reply, the read does not send it (pingpong), and the reply carries it.
        tcb.on_segment(&seg(IRS + 5, ISS + 5, TcpFlags::ACK | TcpFlags::PSH, 8192, b"req2"), 30_000, &mut out);
        assert!(out.segments.is_empty());
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), Some(70_000));
        tcb.read(100, 30_000, &mut out);
        assert!(out.segments.is_empty());
        tcb.write(&Arc::from(&b"rep2"[..]), 0, 31_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 5, IRS + 9, 2920, 4)]);
        assert_eq!(out.segments[0].1, SendReason::DataWithAck);
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), None);
    }

    #[test]
    fn tcp_quickack_sends_the_ack_a_pingpong_connection_held() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"req1"), 20_000, &mut out);
        tcb.read(100, 20_000, &mut out);
        tcb.write(&Arc::from(&b"rep1"[..]), 0, 21_000, &mut out);
        out.clear();
        tcb.on_segment(&seg(IRS + 5, ISS + 5, TcpFlags::ACK | TcpFlags::PSH, 8192, b"req2"), 30_000, &mut out);
        tcb.read(100, 30_000, &mut out);
        assert!(out.segments.is_empty());
        tcb.set_quickack(true, 30_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 5, IRS + 9, 2920, 0)]);
        // Not lasting: the next segment's ACK... goes at once only while
        // quick ACKs are left; TCP_QUICKACK 0 makes the connection wait again.
        out.clear();
        tcb.set_quickack(false, 30_000, &mut out);
        tcb.on_segment(&seg(IRS + 9, ISS + 5, TcpFlags::ACK | TcpFlags::PSH, 8192, b"req3"), 40_000, &mut out);
        assert!(out.segments.is_empty());
    }

    #[test]
    fn nagle_holds_a_small_write_behind_a_small_unacked_one_and_sends_it_on_the_ack() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&b"a"[..]), 0, 20_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 1, IRS + 1, 2920, 1)]);
        out.clear();
        tcb.write(&Arc::from(&b"b"[..]), 0, 20_000, &mut out);
        assert!(out.segments.is_empty(), "Nagle: a small segment is unacknowledged");
        tcb.on_segment(&seg(IRS + 1, ISS + 2, TcpFlags::ACK, 8192, &[]), 30_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 2, IRS + 1, 2920, 1)]);
    }

    /// Like `established_sack`, with the handshake's ACK `rtt` after the SYN-ACK.
    fn established_sack_after(rtt: u64) -> Tcb {
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, 65_535, &[]);
        syn.mss = Some(1000);
        syn.sack_permitted = true;
        let mut tcb = Tcb::accept_syn(&cfg(), (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 65_535, &[]), rtt, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        tcb
    }

    /// The flags and lengths of the data segments sent.
    fn data_flags(out: &TcpOut) -> Vec<(String, usize)> {
        out.segments
            .iter()
            .filter(|(s, _)| !s.payload.is_empty())
            .map(|(s, _)| (s.flags.tcpdump(), s.payload.len()))
            .collect()
    }

    fn flags_of(expected: &[(&str, usize)]) -> Vec<(String, usize)> {
        expected.iter().map(|&(f, n)| (f.to_string(), n)).collect()
    }

    #[test]
    fn on_a_path_of_milliseconds_a_write_leaves_in_gso_packets_of_two_each_ending_with_psh() {
        // 10 ms RTT, cwnd 10: the pacing rate (200% of 10 segments per 10 ms)
        // fills 1/1024 s with under one segment, so tcp_tso_autosize gives
        // the floor of two; every two-segment packet ends with PSH
        // (__tcp_transmit_skb), and the write's last segment carries the
        // write's own PSH (tcp_push) though it goes alone.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 5000]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000), ("P.", 1000), (".", 1000), ("P.", 1000), ("P.", 1000)]));
    }

    #[test]
    fn slow_start_grows_by_the_packets_an_ack_covers_not_its_bytes() {
        // Six 10-byte messages (TCP_NODELAY) fill more than half of cwnd 10,
        // so slow start may grow it; one ACK for the first two grows it by
        // two packets (tcp_slow_start(tp, acked) counts packets), though the
        // 20 bytes are far less than a segment.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.set_nagle(false, 10_000, &mut out);
        for i in 0..6 {
            tcb.write(&Arc::from(vec![b'm'; 10]), 0, 10_000 + i, &mut out);
        }
        assert_eq!(out.segments.iter().filter(|(s, _)| !s.payload.is_empty()).count(), 6);
        assert_eq!(tcb.cwnd(), 10 * 1000);
        tcb.on_segment(&seg(IRS + 1, ISS + 21, TcpFlags::ACK, 65_535, &[]), 20_000, &mut out);
        assert_eq!(tcb.cwnd(), 12 * 1000);
    }

    #[test]
    fn an_ack_that_frees_less_than_a_full_packet_mid_burst_waits_for_the_next() {
        // 6 ms RTT: the pacing rate of cwnd 10 fills 1/1024 s with three
        // segments (tcp_tso_autosize). The first ACKs come back together; one
        // that frees room for only two while the ACK for the rest is due
        // within a millisecond is held (tcp_tso_should_defer), and the next
        // sends a full packet from the room of both.
        let mut tcb = established_sack_after(6_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 40_000]), 0, 6_000, &mut out);
        let sizes = |out: &TcpOut| out.segments.iter().filter(|(s, _)| !s.payload.is_empty()).count();
        assert_eq!(sizes(&out), 10, "the initial window, in packets of three and a last one");
        let mut per_ack = Vec::new();
        for i in 1..=6u32 {
            out.clear();
            tcb.on_segment(
                &seg(IRS + 1, ISS + 1 + 1000 * i, TcpFlags::ACK, 65_535, &[]),
                12_000 + u64::from(i),
                &mut out,
            );
            per_ack.push(sizes(&out));
        }
        // Slow start: each ACK grows cwnd by one and frees one: room for two.
        // The first two go at once (nothing left in the last millisecond);
        // the second ACK's two wait for the third's, which send four, as many
        // as the pacing rate of cwnd 13 allows; and so on.
        assert_eq!(per_ack, [2, 0, 4, 0, 4, 0]);
    }

    #[test]
    fn on_loopback_a_write_leaves_in_packets_of_half_the_window_psh_on_their_last_segment() {
        // A 20 µs RTT lifts tcp_tso_autosize to the GSO limit, so tcp_cwnd_test's
        // half of cwnd 10 is what bounds a packet: five segments, PSH on the
        // fifth, as Linux 6.18 on loopback sends a 10-segment write.
        let mut tcb = established_sack_after(20);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 10_000]), 0, 20_000, &mut out);
        let half = [(".", 1000), (".", 1000), (".", 1000), (".", 1000), ("P.", 1000)];
        assert_eq!(data_flags(&out), flags_of(&[half, half].concat()));
        out.clear();
        // A write of five segments and a bit is one packet with PSH only at its end.
        let mut tcb = established_sack_after(20);
        tcb.write(&Arc::from(vec![b'x'; 4500]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000), (".", 1000), (".", 1000), (".", 1000), ("P.", 500)]));
    }

    #[test]
    fn without_window_scaling_the_window_is_whole_segments_of_what_the_peer_sends() {
        // __tcp_select_window rounds the free space down to whole segments
        // of the size the peer sends (icsk_ack.rcv_mss), not of our own MSS:
        // a peer sending 500-byte segments is offered multiples of 500.
        let mut tcb = established();
        let mut out = TcpOut::default();
        for i in 0..4u32 {
            tcb.on_segment(&seg(IRS + 1 + 500 * i, ISS + 1, TcpFlags::ACK, 8192, &[b'd'; 500]), 20_000, &mut out);
        }
        let windows: Vec<u16> = out.segments.iter().map(|(s, _)| s.window).collect();
        // The ACK for the first two keeps the window offered (within a segment
        // of the free space); the one for all four offers 2500, five of
        // the peer's segments (with our 1000-byte MSS as the unit, 2420).
        assert_eq!(windows, [2920, 2500]);
    }

    /// An established passive connection whose peer (MSS 1000) offers `window` bytes.
    fn established_behind_a_window_of(window: u16) -> Tcb {
        let mut out = TcpOut::default();
        let mut syn = seg(IRS, 0, TcpFlags::SYN, window, &[]);
        syn.mss = Some(1000);
        let mut tcb = Tcb::accept_syn(&cfg(), (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, window, &[]), 10_000, &mut out);
        tcb
    }

    #[test]
    fn behind_a_window_of_one_segment_segments_are_half_the_window() {
        // tcp_sync_mss bounds the segment by half the peer's largest window
        // (tcp_bound_to_half_wnd): a window of 1000 takes 500-byte segments,
        // two to a packet, PSH on each packet's end (forced_push marks every
        // other 500-byte skb; tcp_grow_skb joins each unmarked one to it).
        let mut tcb = established_behind_a_window_of(1000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 2500]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 500), ("P.", 500)]));
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 1001, TcpFlags::ACK, 1000, &[]), 30_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 500), ("P.", 500)]));
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 2001, TcpFlags::ACK, 1000, &[]), 40_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 500)]));
    }

    #[test]
    fn an_skb_that_grows_into_the_next_takes_its_psh_to_its_new_end() {
        // Linux 6.18 over a 10 ms link, the receiver's window two segments:
        // a 7000-byte write is cut into 1000-byte skbs, every other one
        // pushed (forced_push). When the window opens again after a zero
        // window, the unsent skb [3000, 4000), pushed, first takes the next
        // skb's bytes (tcp_grow_skb) and leaves as one GSO packet: its PSH is
        // on 4000-5000 only, not on 3000-4000 where its own end used to be.
        let mut tcb = established_behind_a_window_of(2000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 7000]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000), ("P.", 1000)]));
        out.clear();
        // The receiver took both but has room for one more only.
        tcb.on_segment(&seg(IRS + 1, ISS + 2001, TcpFlags::ACK, 1000, &[]), 40_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000)]), "the grown skb is cut at the window; its PSH waits");
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 3001, TcpFlags::ACK, 0, &[]), 60_000, &mut out);
        assert!(data_flags(&out).is_empty());
        tcb.on_segment(&seg(IRS + 1, ISS + 3001, TcpFlags::ACK, 2000, &[]), 80_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000), ("P.", 1000)]));
        let seqs: Vec<u32> = out.segments.iter().map(|(s, _)| s.seq - (ISS + 1)).collect();
        assert_eq!(seqs, [3000, 4000]);
    }

    #[test]
    fn under_f_rto_an_ack_of_a_segment_never_resent_undoes_the_timeout() {
        // No timestamps to tell an original's ACK from a resend's: the RTO
        // resends the first of three segments, and an ACK then covers the
        // second too, which never went again. F-RTO (step 3b,
        // FLAG_ORIG_SACK_ACKED) takes that as proof the timeout was spurious:
        // cwnd returns, and the third segment, still in flight, is not resent.
        let mut tcb = established_sack_after(10_000);
        assert!(!tcb.ts.in_use());
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 3000]), 0, 20_000, &mut out);
        let cwnd = tcb.cwnd();
        out.clear();
        let rto = 20_000 + tcb.rtt.rto();
        tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
        assert_eq!(sent_data(&out), vec![(1, 1000, SendReason::Retransmit)]);
        assert_eq!(tcb.cwnd(), 1000);
        out.clear();
        tcb.on_segment(&sack_ack(2001, &[]), rto + 10_000, &mut out);
        assert_eq!(sent_data(&out), vec![]);
        assert!(tcb.cwnd() >= cwnd, "cwnd {} is back to at least {cwnd}", tcb.cwnd());
        tcb.on_segment(&sack_ack(3001, &[]), rto + 20_000, &mut out);
        assert!(tcb.all_acked());
        assert_eq!(sent_data(&out), vec![]);
    }

    #[test]
    fn under_f_rto_segments_sacked_before_the_timeout_prove_nothing_and_a_newly_sacked_original_does() {
        // FLAG_ORIG_SACK_ACKED counts only what an ACK delivers for the first
        // time: segment 2, SACKed before the timeout, then covered by the
        // ACK of the resent segment 1, says nothing of the timeout (F-RTO
        // sends new data instead of resending, step 2b); a later SACK of
        // segment 4, sent once and below the high point, proves it spurious
        // with snd_una standing still.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 15_000]), 0, 20_000, &mut out);
        tcb.on_segment(&sack_ack(1, &[(1001, 2001)]), 30_000, &mut out);
        let rto = 20_000 + tcb.rtt.rto();
        out.clear();
        tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
        assert_eq!(tcb.cwnd(), 1000);
        tcb.on_segment(&sack_ack(2001, &[]), rto + 10_000, &mut out);
        assert!(tcb.cc.loss_high().is_some(), "segment 2 was SACKed before: no proof");
        tcb.on_segment(&sack_ack(2001, &[(3001, 4001)]), rto + 10_001, &mut out);
        assert!(tcb.cc.loss_high().is_none(), "segment 4 newly SACKed, sent once: the timeout was needless");
    }

    #[test]
    fn a_retransmission_carries_psh_only_where_its_skb_had_it() {
        // The write's first segment, sent inside a GSO packet, is resent
        // alone and without PSH (the packet's PSH was the clone's, not the
        // skb's); its last segment keeps the write's PSH. (Without F-RTO: with
        // it, the ACK of the second segment, never resent, would prove the
        // timeout spurious and nothing more would go.)
        let mut tcb = established_sack_after(10_000);
        tcb.cfg.frto = false;
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'x'; 3000]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000), ("P.", 1000), ("P.", 1000)]));
        out.clear();
        let rto = 20_000 + tcb.rtt.rto();
        tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[(".", 1000)]));
        assert_eq!(sent_data(&out)[0].0, 1);
        out.clear();
        // Two segments arrived: the go-back-N goes on with the last one, and its PSH.
        tcb.on_segment(&sack_ack(2001, &[]), rto + 10_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 1000)]));
        assert_eq!(sent_data(&out)[0].0, 2001);
    }

    #[test]
    fn rack_counts_sacked_segments_not_bytes_and_times_each_hole_by_its_own_sending() {
        // With TCP_NODELAY each 5-byte write is a segment of its own, 5 ms
        // apart, and RACK times each hole by when it left: the first SACK
        // (segment 2's, sent at 25 ms, back at 32 ms: a 7 ms round trip)
        // comes after segment 1, sent 5 ms earlier, has waited that round trip
        // plus the reordering window (min_rtt / 4 = 2.5 ms: until 29.5 ms).
        // One SACKed 5-byte segment proves it lost, long before an RTO.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.set_nagle(false, 20_000, &mut out);
        for i in 0..4u64 {
            tcb.write(&Arc::from(&b"msg x"[..]), 0, 20_000 + i * 5_000, &mut out);
        }
        assert_eq!(sent_data(&out).len(), 4);
        out.clear();
        tcb.on_segment(&sack_ack(1, &[(6, 11)]), 32_000, &mut out);
        assert_eq!(sent_data(&out), vec![(1, 5, SendReason::FastRetransmit)]);
    }

    #[test]
    fn a_hole_sent_with_the_sacked_segment_waits_a_quarter_rtt_for_reordering() {
        // Four segments leave together; the peer SACKs the second. The first
        // left at the same instant, so it may only be late: RACK waits
        // min_rtt / 4 (2.5 ms) plus TCP_TIMEOUT_MIN (2 ms), to the 1 ms tick.
        // If the first arrives in that time, nothing is resent and the path
        // counts as reordering from then on.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; 4000]), 0, 20_000, &mut out);
        assert_eq!(sent_data(&out).len(), 4);
        out.clear();
        tcb.on_segment(&sack_ack(1, &[(1001, 2001)]), 30_000, &mut out);
        assert!(sent_data(&out).is_empty());
        assert_eq!(tcb.timers.get(TimerKind::Reorder), Some(35_000));
        let mut late = tcb.clone();
        tcb.on_timer(TimerKind::Reorder, 35_000, &mut out);
        assert_eq!(sent_data(&out), vec![(1, 1000, SendReason::FastRetransmit)]);
        // The other world: segment 1 was only late.
        out.clear();
        late.on_segment(&sack_ack(2001, &[]), 33_000, &mut out);
        assert_eq!(late.timers.xmit(), Some(TimerKind::LossProbe), "a tail loss probe, for segments 3 and 4");
        assert!(sent_data(&out).iter().all(|&(_, _, why)| why != SendReason::FastRetransmit));
        assert!(late.rack.reordering_seen(), "a segment sent once arrived below a SACKed one");
    }

    /// A connection with a 10 ms RTT (MSS 1000) that wrote `bytes` at 20 ms,
    /// then read these ACKs of nothing beyond the first byte, each with its
    /// SACK blocks at its time. Returns it and what it sent after the write.
    fn after_duplicate_acks(bytes: usize, acks: &[(u64, &[(u32, u32)])]) -> (Tcb, TcpOut) {
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; bytes]), 0, 20_000, &mut out);
        assert_eq!(sent_data(&out).len(), 10, "the initial window");
        out.clear();
        for &(at, blocks) in acks {
            tcb.on_segment(&sack_ack(1, blocks), at, &mut out);
        }
        (tcb, out)
    }

    #[test]
    fn the_ack_that_ends_a_recovery_still_finds_a_segment_of_the_recovery_lost() {
        // Ten segments leave at 20 ms (10 ms RTT, MSS 1000); the first and
        // the ninth are lost. Three SACKed segments prove the first lost:
        // recovery to 10001, the first resent, and the write's last 1000
        // bytes (B, at 10001) go on the next ACK and are lost too. The SACK
        // of the tenth proves the ninth lost at 33 ms; it is resent after B.
        let (mut tcb, mut out) = after_duplicate_acks(
            11_000,
            &[
                (30_000, &[(1001, 4001)]),
                (30_100, &[(1001, 5001)]),
                (30_200, &[(1001, 8001)]),
                (33_000, &[(9001, 10001), (1001, 8001)]),
            ],
        );
        let sent: Vec<(u32, SendReason)> = sent_data(&out).iter().map(|&(seq, _, why)| (seq, why)).collect();
        assert_eq!(
            sent,
            [(1, SendReason::FastRetransmit), (10001, SendReason::Data), (8001, SendReason::FastRetransmit)]
        );
        tcb.on_segment(&sack_ack(8001, &[(9001, 10001)]), 40_000, &mut out);
        out.clear();
        // The ninth's resend arrives, B does not: the ACK of 10001 ends the
        // recovery. Linux still runs this ACK through tcp_fastretrans_alert
        // (it found the connection in Recovery, tcp_ack_is_dubious), and
        // RACK, shown a resend sent 2.9 ms after B delivered, finds B lost
        // (a quarter RTT of reordering window, the recovery over): a new
        // recovery resends it at once, not at a timer.
        tcb.on_segment(&sack_ack(10001, &[]), 43_500, &mut out);
        assert_eq!(sent_data(&out), vec![(10001, 1000, SendReason::FastRetransmit)]);
        assert!(tcb.cc.in_recovery());
    }

    #[test]
    fn a_recovery_that_ends_with_a_lost_segment_still_out_starts_the_next() {
        // Ten segments at 20 ms (10 ms RTT, MSS 1000); the first is lost and
        // its SACKs start a recovery to 10001. Three more segments (B1 to
        // B3) go during it; B1 and the first's resend are lost, and B2's
        // SACK proves both lost: they go again.
        let (mut tcb, mut out) = after_duplicate_acks(
            13_000,
            &[
                (30_000, &[(1001, 4001)]),
                (30_100, &[(1001, 5001)]),
                (30_200, &[(1001, 6001)]),
                (30_300, &[(1001, 10001)]),
                (40_400, &[(11001, 13001), (1001, 10001)]),
            ],
        );
        let resent: Vec<u32> =
            sent_data(&out).iter().filter(|s| s.2 == SendReason::FastRetransmit).map(|s| s.0).collect();
        assert_eq!(resent, [1, 1, 10001]);
        assert_eq!((tcb.cc.cwnd(), tcb.cc.ssthresh()), (7000, 7000));
        // The first's second resend arrives: the ACK of 10001 ends the
        // recovery while B1's resend is still out. Linux counts it in
        // lost_out (a resend keeps TCPCB_LOST), so tcp_time_to_recover
        // starts the next recovery at once: ssthresh from the 7-segment
        // window (CUBIC's 0.7: 4), cwnd by the rate reduction.
        tcb.on_segment(&sack_ack(10001, &[(11001, 13001)]), 50_500, &mut out);
        assert!(tcb.cc.in_recovery());
        assert_eq!((tcb.cc.cwnd(), tcb.cc.ssthresh()), (3000, 4000));
    }

    #[test]
    fn a_lost_tail_is_probed_two_rtts_after_the_last_ack_and_the_probe_s_sack_finds_the_hole() {
        // Four segments; the last two are lost. The ACK of the second (30 ms)
        // arms the probe: two 10 ms RTTs plus TCP_TIMEOUT_MIN, 22 ms, since
        // two segments are still out. The probe resends the last segment;
        // its ACK SACKs it, and RACK finds the third lost at once.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; 4000]), 0, 20_000, &mut out);
        assert_eq!(tcb.timers.get(TimerKind::LossProbe), Some(42_000), "armed by the sending too");
        tcb.on_segment(&sack_ack(2001, &[]), 30_000, &mut out);
        assert_eq!(tcb.timers.xmit(), Some(TimerKind::LossProbe));
        assert_eq!(tcb.timers.get(TimerKind::LossProbe), Some(52_000));
        out.clear();
        tcb.on_timer(TimerKind::LossProbe, 52_000, &mut out);
        assert_eq!(sent_data(&out), vec![(3001, 1000, SendReason::TailLossProbe { new_data: false })]);
        assert_eq!(tcb.timers.get(TimerKind::Retransmit), Some(52_000 + tcb.rtt.rto()), "a full RTO from the probe");
        out.clear();
        tcb.on_segment(&sack_ack(2001, &[(3001, 4001)]), 62_000, &mut out);
        assert_eq!(sent_data(&out), vec![(2001, 1000, SendReason::FastRetransmit)]);
        assert!(tcb.cc.in_recovery());
    }

    #[test]
    fn with_the_window_open_the_probe_is_new_data_past_the_congestion_window() {
        // Twelve segments written, ten fit the initial cwnd; nothing answers.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; 12_000]), 0, 20_000, &mut out);
        assert_eq!(sent_data(&out).len(), 10);
        out.clear();
        tcb.on_timer(TimerKind::LossProbe, 42_000, &mut out);
        assert_eq!(sent_data(&out), vec![(10_001, 1000, SendReason::TailLossProbe { new_data: true })]);
    }

    #[test]
    fn an_ack_past_a_probe_that_resent_data_shows_a_repaired_loss_and_cuts_cwnd_once() {
        // Two segments, the second lost; one segment is out after the first
        // ACK, so the probe waits 2 RTTs plus the minimum RTO, capped at the
        // RTO (210 ms). New data follows the probe; an ACK covering it too
        // says the probe repaired a loss (tcp_process_tlp_ack): cwnd falls
        // to CUBIC's ssthresh at once, without a recovery.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(vec![b'd'; 2000]), 0, 20_000, &mut out);
        tcb.on_segment(&sack_ack(1001, &[]), 30_000, &mut out);
        let probe_at = 30_000 + tcb.rtt.rto();
        assert_eq!(tcb.timers.get(TimerKind::LossProbe), Some(probe_at));
        out.clear();
        tcb.on_timer(TimerKind::LossProbe, probe_at, &mut out);
        assert_eq!(sent_data(&out), vec![(1001, 1000, SendReason::TailLossProbe { new_data: false })]);
        tcb.write(&Arc::from(vec![b'e'; 1000]), 0, probe_at + 1_000, &mut out);
        let cwnd = tcb.cwnd();
        tcb.on_segment(&sack_ack(2001, &[]), probe_at + 10_000, &mut out);
        assert_eq!(tcb.cwnd(), cwnd, "the probe's own ACK decides nothing");
        tcb.on_segment(&sack_ack(3001, &[]), probe_at + 11_000, &mut out);
        assert_eq!((cwnd, tcb.cwnd()), (10_000, 7_000), "CUBIC's beta (717/1024) of 10 segments, once");
        assert_eq!(tcb.ssthresh(), tcb.cwnd());
        assert!(!tcb.cc.in_recovery());
    }

    #[test]
    fn a_timeout_resend_is_the_sent_segment_never_joined_to_unsent_bytes() {
        // "aaaaa" leaves, Nagle holds "bbbbb"; the RTO resends "aaaaa" alone:
        // tcp_retrans_try_collapse joins only segments of the retransmission
        // queue, and "bbbbb" never left, so it still waits for the ACK.
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&b"aaaaa"[..]), 0, 20_000, &mut out);
        tcb.write(&Arc::from(&b"bbbbb"[..]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 5)]));
        out.clear();
        let rto = 20_000 + tcb.rtt.rto();
        tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 5)]));
        assert_eq!(&out.segments[0].0.payload[..], b"aaaaa");
        assert_eq!(tcb.send_buf.segments_in(0, 5), 1);
    }

    #[test]
    fn small_writes_behind_unacknowledged_data_join_one_skb_and_leave_as_one_segment() {
        // tcp_sendmsg_locked appends a write to the unsent tail skb, and the
        // tail's PSH moves to the new end: after "one" is in flight, Nagle
        // holds "two!" and "three" joins it; the ACK sends nine bytes at once,
        // as Linux does when the ACK takes longer than the writes' gap
        // (on loopback it comes first, and each write goes alone).
        let mut tcb = established_sack_after(10_000);
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&b"one"[..]), 0, 20_000, &mut out);
        tcb.write(&Arc::from(&b"two!"[..]), 0, 20_000, &mut out);
        tcb.write(&Arc::from(&b"three"[..]), 0, 20_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 3)]));
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 4, TcpFlags::ACK, 65_535, &[]), 30_000, &mut out);
        assert_eq!(data_flags(&out), flags_of(&[("P.", 9)]));
        assert_eq!(&out.segments[0].0.payload[..], b"two!three");
    }

    #[test]
    fn nagle_lets_a_small_write_go_behind_full_sized_segments_minshall() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&[0u8; 1000][..]), 0, 20_000, &mut out);
        tcb.write(&Arc::from(&b"b"[..]), 0, 20_000, &mut out);
        assert_eq!(
            replies(&out),
            vec![("P.".into(), ISS + 1, IRS + 1, 2920, 1000), ("P.".into(), ISS + 1001, IRS + 1, 2920, 1)]
        );
    }

    #[test]
    fn tcp_nodelay_sends_what_nagle_held() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.write(&Arc::from(&b"a"[..]), 0, 20_000, &mut out);
        tcb.write(&Arc::from(&b"b"[..]), 0, 20_000, &mut out);
        out.clear();
        tcb.set_nagle(false, 21_000, &mut out);
        assert_eq!(replies(&out), vec![("P.".into(), ISS + 2, IRS + 1, 2920, 1)]);
    }

    #[test]
    fn ack_immediate_acks_every_segment() {
        let cfg = TcpConfig { delayed_ack: false, ..cfg() };
        let mut out = TcpOut::default();
        let syn = seg(IRS, 0, TcpFlags::SYN, 8192, &[]);
        let mut tcb = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK, 8192, &[]), 10_000, &mut out);
        for i in 0..6u32 {
            out.clear();
            tcb.on_segment(&seg(IRS + 1 + i, ISS + 1, TcpFlags::ACK, 8192, b"x"), 20_000, &mut out);
            // The SYN-ACK's window stays: one-byte segments do not open
            // rcv_ssthresh (tcp_event_data_recv grows it for 128 bytes or
            // more), and they share the first one's skb (tcp_try_coalesce
            // copies each into its head's room), so the memory stays 832.
            assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 2 + i, 2920, 0)]);
            assert_eq!(out.segments[0].1, SendReason::Ack);
        }
    }

    #[test]
    fn a_bad_ack_in_syn_received_gets_a_bare_rst_with_window_zero() {
        // tcp_check_req passes it to the listener; tcp_v4_send_reset answers.
        let mut out = TcpOut::default();
        let syn = seg(IRS, 0, TcpFlags::SYN, 8192, &[]);
        let mut tcb = Tcb::accept_syn(&cfg(), (LOCAL, REMOTE), &syn, ISS, 1460, 0, &mut out);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 7, TcpFlags::ACK, 8192, &[]), 10_000, &mut out);
        assert_eq!(replies(&out), vec![("R".into(), ISS + 7, 0, 0, 0)]);
        assert_eq!(out.segments[0].1, SendReason::Reset);
        assert_eq!(tcb.state, TcpState::SynReceived);
    }

    #[test]
    fn fin_moves_to_close_wait_and_close_sends_fin_to_last_ack() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::FIN | TcpFlags::ACK, 8192, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::CloseWait);
        // tcp_fin enters pingpong mode: the FIN's ACK waits for the timer,
        // and our own FIN, sent before it, carries it. No data has come, so
        // ato is still 0: the timer is due at once (the kernel's next tick;
        // a capture showed the ACK 2.4 ms after the FIN), after what else
        // happens at this instant.
        assert!(out.segments.is_empty());
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), Some(0));
        tcb.close_write(0, &mut out);
        assert_eq!(tcb.state, TcpState::LastAck);
        assert_eq!(replies(&out), vec![("F.".into(), ISS + 1, IRS + 2, 2920, 0)]);
        out.clear();
        tcb.on_segment(&seg(IRS + 2, ISS + 2, TcpFlags::ACK, 8192, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::Closed);
    }

    #[test]
    fn a_fin_after_data_waits_the_delayed_ack_timeout() {
        // Once data has come, ato is TCP_ATO_MIN (tcp_event_data_recv): the
        // FIN's ACK waits 40 ms for a reply or our own FIN to ride on.
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 1, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, 8192, b"hi"), 0, &mut out);
        out.clear();
        tcb.on_segment(&seg(IRS + 3, ISS + 1, TcpFlags::FIN | TcpFlags::ACK, 8192, &[]), 1_000, &mut out);
        assert_eq!(tcb.state, TcpState::CloseWait);
        assert!(out.segments.is_empty(), "{:?}", replies(&out));
        assert_eq!(tcb.timers.get(TimerKind::DelayedAck), Some(41_000));
    }

    #[test]
    fn rst_with_exact_sequence_resets_and_in_window_gets_a_challenge_ack() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.on_segment(&seg(IRS + 100, 0, TcpFlags::RST, 0, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 1, IRS + 1, 2920, 0)]);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, 0, TcpFlags::RST, 0, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::Closed);
        assert_eq!(out.error, Some(Errno::ECONNRESET));
    }

    #[test]
    fn a_transfer_across_the_sequence_wrap_arrives_whole_with_the_straddling_segment_lost() {
        // ISS 2^32 - 256: the client's 6000 bytes take sequence numbers
        // 0xFFFF_FF01 on, past 2^32 to 5744 (0x1670). The first data segment
        // straddles 2^32 and is lost once, so the next ones (numbered from
        // 0x2E9, below rcv_nxt as raw u32s) wait in reassembly; three duplicate
        // ACKs bring a fast retransmission, and everything arrives in order.
        let cfg = TcpConfig { window_scaling: false, recv_buffer: 65_535, ..TcpConfig::default() };
        let client_iss = 0xFFFF_FF00;
        let mut out = TcpOut::default();
        let mut client = Tcb::connect(&cfg, REMOTE, LOCAL, client_iss, 1000, 0, &mut out);
        let syn = out.segments.remove(0).0;
        out.clear();
        let mut server = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, 0xFFFF_FFF0, 1000, 0, &mut out);
        // (towards the server?, segment), delivered in order 1 ms apart.
        let mut wire: std::collections::VecDeque<(bool, TcpSegment)> =
            out.segments.drain(..).map(|(s, _)| (false, s)).collect();
        let data: Arc<[u8]> = (0..6000u32).map(|i| (i % 251) as u8).collect();
        let (mut now, mut written, mut lost, mut fast_retransmits) = (0, false, 0, 0);
        let mut received = Vec::new();
        for _ in 0..1000 {
            let mut out = TcpOut::default();
            let to_server = if let Some((to_server, seg)) = wire.pop_front() {
                now += 1_000;
                if to_server {
                    let straddles = !seg.payload.is_empty() && seg.seq.checked_add(seg.payload.len() as u32).is_none();
                    if straddles && lost == 0 {
                        lost += 1;
                        continue;
                    }
                    server.on_segment(&seg, now, &mut out);
                } else {
                    client.on_segment(&seg, now, &mut out);
                }
                to_server
            } else {
                // Nothing on the wire: the earliest timer of either end fires.
                let due = |tcb: &Tcb| {
                    TimerKind::ALL.into_iter().filter_map(|k| tcb.timers.get(k).map(|t| (t, k))).min_by_key(|&(t, _)| t)
                };
                let client_due = due(&client).map(|(t, k)| (t, k, false));
                let server_due = due(&server).map(|(t, k)| (t, k, true));
                let Some((t, kind, at_server)) = client_due.into_iter().chain(server_due).min_by_key(|&(t, ..)| t)
                else {
                    break;
                };
                now = t;
                let tcb = if at_server { &mut server } else { &mut client };
                tcb.on_timer(kind, t, &mut out);
                at_server
            };
            if to_server {
                received.extend_from_slice(&server.read(usize::MAX, now, &mut out));
            } else if client.state == TcpState::Established && !written {
                assert_eq!(client.write(&data, 0, now, &mut out), 6000);
                written = true;
            }
            fast_retransmits += out.segments.iter().filter(|(_, why)| *why == SendReason::FastRetransmit).count();
            wire.extend(out.segments.drain(..).map(|(s, _)| (!to_server, s)));
            client.check_invariants().and(server.check_invariants()).expect("invariants hold");
            if client.all_acked() && received.len() == data.len() && wire.is_empty() {
                break;
            }
        }
        assert_eq!((lost, fast_retransmits), (1, 1));
        assert_eq!(received, &data[..]);
        assert!(client.all_acked());
        let (c, s) = (client.stats(), server.stats());
        assert_eq!((c.snd_una, c.snd_nxt, s.rcv_nxt), (0x1671, 0x1671, 0x1671));
        assert_eq!((s.recv_out_of_order, s.snd_una), (0, 0xFFFF_FFF1));
    }

    #[test]
    fn time_wait_re_acks_a_retransmitted_fin_and_restarts_its_timer() {
        let mut tcb = established();
        let mut out = TcpOut::default();
        tcb.close_write(0, &mut out);
        tcb.on_segment(&seg(IRS + 1, ISS + 2, TcpFlags::FIN | TcpFlags::ACK, 8192, &[]), 0, &mut out);
        assert_eq!(tcb.state, TcpState::TimeWait);
        out.clear();
        tcb.on_segment(&seg(IRS + 1, ISS + 2, TcpFlags::FIN | TcpFlags::ACK, 8192, &[]), 5_000_000, &mut out);
        assert_eq!(replies(&out), vec![(".".into(), ISS + 2, IRS + 2, 2920, 0)]);
        assert_eq!(tcb.timers.get(TimerKind::TimeWait), Some(65_000_000));
    }

    // ----- RFC 7323 timestamps -------------------------------------------------------

    /// The timestamps of each segment `out` holds.
    fn stamps(out: &TcpOut) -> Vec<Option<(u32, u32)>> {
        out.segments.iter().map(|(s, _)| s.timestamps).collect()
    }

    fn ts_seg(seq: u32, ack: u32, flags: TcpFlags, payload: &[u8], ts: (u32, u32)) -> TcpSegment {
        TcpSegment { timestamps: Some(ts), ..seg(seq, ack, flags, 8192, payload) }
    }

    /// A server-side connection whose peer offered timestamps: its SYN at 0
    /// says TSval 500, our clock's offset is 1000, the ACK comes at 10 ms.
    fn established_with_timestamps(cfg: &TcpConfig) -> Tcb {
        let mut out = TcpOut::default();
        let syn = TcpSegment { mss: Some(1460), window_scale: Some(7), ..ts_seg(IRS, 0, TcpFlags::SYN, &[], (500, 0)) };
        let initial = InitialNumbers { iss: ISS, ts_offset: 1_000 };
        let mut tcb = Tcb::accept_syn(cfg, (LOCAL, REMOTE), &syn, initial, 1460, 0, &mut out);
        assert_eq!(stamps(&out), vec![Some((1_000, 500))], "the SYN-ACK echoes the SYN's TSval");
        out.clear();
        tcb.on_segment(&ts_seg(IRS + 1, ISS + 1, TcpFlags::ACK, &[], (510, 1_000)), 10_000, &mut out);
        assert_eq!(tcb.state, TcpState::Established);
        tcb
    }

    #[test]
    fn an_ack_that_echoes_the_original_undoes_a_spurious_timeout() {
        // Ten segments leave at 20 ms (TSval 1020) and are only late: the RTO
        // resends the first. Then the original's ACK comes, echoing TSval
        // 1020, older than the resend's: the original arrived, the timeout
        // was spurious (tcp_try_undo_loss, tcp_packet_delayed). cwnd returns
        // to its 10 segments and nothing more is resent, as Linux 6.18 does
        // behind a link that held the packets past the RTO. An ACK echoing
        // the resend's TSval instead says the loss was real: go-back-N goes on.
        for echo_original in [true, false] {
            let cfg = TcpConfig { tail_loss_probe: false, frto: false, ..TcpConfig::default() };
            let mut tcb = established_with_timestamps(&cfg);
            let mut out = TcpOut::default();
            tcb.write(&Arc::from(vec![b'd'; 14_480]), 0, 20_000, &mut out);
            assert_eq!(sent_data(&out).len(), 10);
            assert!(stamps(&out).iter().all(|s| s.map(|(tsval, _)| tsval) == Some(1_020)));
            out.clear();
            let rto = tcb.timers.get(TimerKind::Retransmit).expect("armed");
            tcb.on_timer(TimerKind::Retransmit, rto, &mut out);
            assert_eq!(sent_data(&out), vec![(1, 1448, SendReason::Retransmit)]);
            let resend_tsval = stamps(&out)[0].map(|(tsval, _)| tsval).expect("stamped");
            assert!(resend_tsval > 1_020);
            assert_eq!(tcb.cwnd(), 1448);
            out.clear();
            let tsecr = if echo_original { 1_020 } else { resend_tsval };
            tcb.on_segment(&ts_seg(IRS + 1, ISS + 1 + 1448, TcpFlags::ACK, &[], (900, tsecr)), rto + 5_000, &mut out);
            if echo_original {
                assert_eq!(sent_data(&out), vec![], "nothing is resent");
                assert!(tcb.cwnd() >= 10 * 1448, "cwnd {} is back", tcb.cwnd());
                assert_eq!(tcb.ssthresh(), SSTHRESH_INFINITE);
            } else {
                assert_eq!(sent_data(&out)[0], (1 + 1448, 1448, SendReason::Retransmit));
                assert_eq!(tcb.cwnd(), 2 * 1448);
            }
        }
    }

    #[test]
    fn timestamps_are_agreed_in_the_handshake_and_every_segment_then_carries_them() {
        // tcp_syn_options / tcp_synack_options / tcp_established_options: the
        // SYN offers TSval = clock in ms + offset with TSecr 0; the SYN-ACK
        // echoes it; from then on every segment carries both, and
        // tcp_current_mss takes the 12 option bytes off the payload: 1448 of
        // an MSS of 1460, as a capture on Linux shows.
        let cfg = TcpConfig::default();
        let mut out = TcpOut::default();
        let client_initial = InitialNumbers { iss: ISS, ts_offset: 7_000 };
        let mut client = Tcb::connect(&cfg, REMOTE, LOCAL, client_initial, 1460, 5_300, &mut out);
        let syn = out.segments.remove(0).0;
        assert_eq!(syn.timestamps, Some((7_005, 0)));
        assert_eq!(syn.header_len(), 20 + 4 + 12 + 4, "MSS, NOP NOP TS, NOP WS");
        let server_initial = InitialNumbers { iss: IRS, ts_offset: 90_000 };
        let mut server = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, server_initial, 1460, 6_000, &mut out);
        let syn_ack = out.segments.remove(0).0;
        assert_eq!(syn_ack.timestamps, Some((90_006, 7_005)));
        client.on_segment(&syn_ack, 7_000, &mut out);
        let ack = out.segments.remove(0).0;
        assert_eq!((ack.timestamps, ack.header_len()), (Some((7_007, 90_006)), 32));
        server.on_segment(&ack, 8_000, &mut out);
        assert_eq!(server.state, TcpState::Established);
        let data: Arc<[u8]> = Arc::from(vec![7u8; 3000]);
        assert_eq!(client.write(&data, 0, 9_000, &mut out), 3000);
        let lens: Vec<usize> = out.segments.iter().map(|(s, _)| s.payload.len()).collect();
        assert_eq!(lens, vec![1448, 1448, 104]);
        assert_eq!(stamps(&out), vec![Some((7_009, 90_006)); 3]);
        assert_eq!((client.stats().mss, server.stats().mss), (1448, 1448));
    }

    #[test]
    fn a_host_with_timestamps_off_answers_without_them_and_the_payload_stays_whole() {
        let mut out = TcpOut::default();
        let mut client = Tcb::connect(&TcpConfig::default(), REMOTE, LOCAL, ISS, 1460, 0, &mut out);
        let syn = out.segments.remove(0).0;
        assert!(syn.timestamps.is_some(), "the client offers them");
        let off = TcpConfig { timestamps: false, ..TcpConfig::default() };
        let mut server = Tcb::accept_syn(&off, (LOCAL, REMOTE), &syn, IRS, 1460, 0, &mut out);
        let syn_ack = out.segments.remove(0).0;
        // MSS, NOP NOP SACK_PERM, NOP WS: no timestamps.
        assert_eq!((syn_ack.timestamps, syn_ack.header_len()), (None, 32));
        client.on_segment(&syn_ack, 1_000, &mut out);
        server.on_segment(&out.segments.remove(0).0, 2_000, &mut out);
        client.write(&Arc::from(vec![7u8; 2000]), 0, 3_000, &mut out);
        let sent: Vec<_> = out.segments.iter().map(|(s, _)| (s.payload.len(), s.timestamps)).collect();
        assert_eq!(sent, vec![(1460, None), (540, None)]);
    }

    #[test]
    fn a_delayed_ack_echoes_the_tsval_of_the_first_segment_it_acknowledges() {
        // tcp_replace_ts_recent: only a segment starting at or before the last
        // ACK sent (rcv_wup) updates ts_recent, so an ACK covering two
        // segments echoes the first one's TSval (RFC 7323 §4.3): the sender
        // measures its RTT with the delay in it.
        let cfg = TcpConfig { delayed_ack: true, ..cfg() };
        let mut tcb = established_with_timestamps(&cfg);
        let mut out = TcpOut::default();
        // Interactive (TCP_QUICKACK 0 enters pingpong): no quick ACKs, so
        // both small segments wait for the delayed-ACK timer.
        tcb.set_quickack(false, 10_000, &mut out);
        tcb.on_segment(&ts_seg(IRS + 1, ISS + 1, TcpFlags::ACK, b"abc", (520, 1_000)), 20_000, &mut out);
        assert!(out.segments.is_empty(), "the first segment's ACK waits");
        tcb.on_segment(&ts_seg(IRS + 4, ISS + 1, TcpFlags::ACK, b"def", (530, 1_000)), 30_000, &mut out);
        assert!(out.segments.is_empty(), "so does the second's");
        let when = tcb.timers.get(TimerKind::DelayedAck).expect("the delayed ACK is due");
        tcb.on_timer(TimerKind::DelayedAck, when, &mut out);
        assert_eq!(replies(&out).iter().map(|r| r.2).collect::<Vec<_>>(), vec![IRS + 7], "one ACK covers both");
        assert_eq!(stamps(&out), vec![Some((1_000 + (when / 1_000) as u32, 520))]);
        // The next segment starts where that ACK ended: its TSval is echoed.
        out.clear();
        tcb.on_segment(&ts_seg(IRS + 7, ISS + 1, TcpFlags::ACK | TcpFlags::PSH, b"g", (540, 1_000)), 80_000, &mut out);
        let when = tcb.timers.get(TimerKind::DelayedAck).unwrap_or(80_000);
        tcb.on_timer(TimerKind::DelayedAck, when, &mut out);
        assert_eq!(stamps(&out), vec![Some((1_000 + (when / 1_000) as u32, 540))]);
    }

    #[test]
    fn after_a_retransmission_the_tsecr_gives_the_rtt_sample_karn_would_forbid() {
        // tcp_ack_update_rtt: an ACK covering retransmitted data gives no
        // sample from the send times, but its TSecr names the copy it answers
        // (tcp_rtt_tsopt_us). The handshake measured 10 ms; the ACK of the
        // retransmission, 30 ms after it left, brings srtt to 10 + 20/8 ms.
        let mut with_ts = established_with_timestamps(&cfg());
        assert_eq!((with_ts.rtt.srtt_us(), with_ts.rtt.rto()), (Some(10_000), 210_000));
        let mut out = TcpOut::default();
        with_ts.write(&Arc::from(&b"xyz"[..]), 0, 20_000, &mut out);
        assert_eq!(stamps(&out), vec![Some((1_020, 510))]);
        out.clear();
        with_ts.on_timer(TimerKind::Retransmit, 230_000, &mut out);
        assert_eq!(out.segments[0].1, SendReason::Retransmit);
        assert_eq!(stamps(&out), vec![Some((1_230, 510))]);
        out.clear();
        with_ts.on_segment(&ts_seg(IRS + 1, ISS + 4, TcpFlags::ACK, &[], (560, 1_230)), 260_000, &mut out);
        assert_eq!((with_ts.rtt.srtt_us(), with_ts.rtt.rto()), (Some(12_500), 212_500));
        // The same exchange without timestamps: Karn's rule, no sample, and
        // the backed-off RTO stays.
        let mut without = established();
        without.write(&Arc::from(&b"xyz"[..]), 0, 20_000, &mut out);
        without.on_timer(TimerKind::Retransmit, 230_000, &mut out);
        without.on_segment(&seg(IRS + 1, ISS + 4, TcpFlags::ACK, 8192, &[]), 260_000, &mut out);
        assert_eq!((without.rtt.srtt_us(), without.rtt.rto()), (Some(10_000), 420_000));
    }

    // ----- the receive window as Linux chooses it ---------------------------------

    #[test]
    fn a_default_connection_offers_the_windows_a_linux_capture_shows() {
        // Linux 6.18 over loopback (MTU 1500): SYN win 64240 wscale 10, SYN-ACK
        // win 65160 wscale 10, then 63 × 1024 (tcp_select_initial_window,
        // __tcp_select_window with rcv_ssthresh 64240 rounded up to the scale).
        let cfg = TcpConfig::default();
        let mut out = TcpOut::default();
        let mut client = Tcb::connect(&cfg, REMOTE, LOCAL, ISS, 1460, 0, &mut out);
        let syn = out.segments.remove(0).0;
        assert_eq!((syn.window, syn.window_scale), (64_240, Some(10)));
        let mut server = Tcb::accept_syn(&cfg, (LOCAL, REMOTE), &syn, IRS, 1460, 0, &mut out);
        let syn_ack = out.segments.remove(0).0;
        assert_eq!((syn_ack.window, syn_ack.window_scale), (65_160, Some(10)));
        client.on_segment(&syn_ack, 1_000, &mut out);
        let ack = out.segments.remove(0).0;
        assert_eq!(ack.window, 63);
        server.on_segment(&ack, 2_000, &mut out);
        client.write(&Arc::from(vec![7u8; 1448]), 0, 3_000, &mut out);
        server.on_segment(&out.segments.remove(0).0, 4_000, &mut out);
        // The kernel said 67 here: the first full segment measures the
        // scaling ratio (1448 of 2304 bytes of truesize: 160/256), the clamp
        // becomes 131072 × 160/256 = 81920 (tcp_measure_rcv_mss,
        // tcp_set_window_clamp), rcv_ssthresh rises to the 65160 the SYN-ACK
        // offered, then by 2 × 1448 (tcp_grow_window): 68056, 67 × 1024.
        assert_eq!(out.segments.remove(0).0.window, 67);
    }

    /// A passive connection whose peer's SYN (TSval 500, at 0 ms) offered
    /// MSS 1460, window scale 7, SACK and timestamps; its SYN-ACK is in `out`.
    fn syn_received_with_sack_and_timestamps(out: &mut TcpOut) -> Tcb {
        let syn = TcpSegment {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            ..ts_seg(IRS, 0, TcpFlags::SYN, &[], (500, 0))
        };
        let initial = InitialNumbers { iss: ISS, ts_offset: 1_000 };
        Tcb::accept_syn(&TcpConfig::default(), (LOCAL, REMOTE), &syn, initial, 1460, 0, out)
    }

    #[test]
    fn the_fourth_duplicate_ack_for_one_hole_waits_and_one_ack_says_it_all() {
        // A reordered flight on Linux 6.18: the first three duplicate ACKs
        // for one rcv_nxt leave at once; later ones are compressed
        // (__tcp_ack_snd_check, tcp_comp_sack_*): held back for 5% of the
        // RTT, at most 1 ms, and one ACK then carries the whole SACK block.
        // Quick-ACK mode is used up first (each of those ACKs is owed as
        // soon as the segment is queued, tcp_data_queue_ofo).
        let mut out = TcpOut::default();
        let mut tcb = syn_received_with_sack_and_timestamps(&mut out);
        tcb.on_segment(&ts_seg(IRS + 1, ISS + 1, TcpFlags::ACK, &[], (510, 1_000)), 10_000, &mut out);
        // In order, to measure the receiver's RTT (20 ms) and use up the quick ACKs.
        let mut seq = IRS + 1;
        let mut now = 20_000;
        for i in 0..30u32 {
            tcb.on_segment(&ts_seg(seq, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (520 + i, 1_000)), now, &mut out);
            assert_eq!(tcb.read(usize::MAX, now, &mut out).len(), 1448);
            seq += 1448;
            now += 10;
        }
        assert_eq!(tcb.rcv_rtt.rtt_us(), 20_000);
        // A hole at `seq`; six segments after it.
        let mut acks = Vec::new();
        for i in 1..7u32 {
            out.clear();
            tcb.on_segment(&ts_seg(seq + 1448 * i, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (560, 1_020)), now, &mut out);
            acks.push(out.segments.len());
        }
        // The first segment after the hole still opens the window (it is
        // charged after tcp_grow_window in tcp_data_queue_ofo), so its ACK
        // goes as a quick ACK, which the duplicate-ACK count passes over.
        assert_eq!(acks, [1, 1, 1, 1, 0, 0], "a quick ACK and three duplicate ACKs, then none");
        // 5% of the smaller of the two RTT estimates: the sender side's 10 ms
        // (the handshake's), so 500 µs.
        assert_eq!(tcb.timers.get(TimerKind::SackCompress), Some(now + 500));
        out.clear();
        tcb.on_timer(TimerKind::SackCompress, now + 500, &mut out);
        assert_eq!(out.segments.len(), 1);
        let (ack, why) = &out.segments[0];
        assert_eq!(*why, SendReason::DupAck);
        assert_eq!(ack.ack, seq);
        let end = seq + 7 * 1448;
        assert_eq!(ack.sack_blocks.first(), Some(&(seq + 1448, end)), "the block covers all six");
    }

    #[test]
    fn out_of_order_segments_are_measured_and_open_the_window_as_linux_6_18_does() {
        // fast_retransmit on Linux 6.18: the first segment is lost, and the
        // server's duplicate ACKs for the next ones offer 67, 70, 73 × 1024.
        // tcp_data_queue_ofo measures each segment (tcp_measure_rcv_mss: the
        // ratio 162/256 lets rcv_ssthresh back up to the SYN-ACK's 65160)
        // and, with SACK, opens the window by 2 × 1448 (tcp_grow_window).
        let mut out = TcpOut::default();
        let mut tcb = syn_received_with_sack_and_timestamps(&mut out);
        assert_eq!(out.segments[0].0.window, 65_160);
        tcb.on_segment(&ts_seg(IRS + 1, ISS + 1, TcpFlags::ACK, &[], (510, 1_000)), 10_000, &mut out);
        let mut windows = Vec::new();
        for i in 1..4u32 {
            out.clear();
            let data = ts_seg(IRS + 1 + 1448 * i, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (520 + i, 1_010));
            tcb.on_segment(&data, 20_000, &mut out);
            windows.extend(out.segments.iter().map(|(s, _)| s.window));
        }
        assert_eq!(windows, vec![67, 70, 73]);
    }

    #[test]
    fn a_read_that_frees_lots_of_space_sends_the_window_at_once() {
        // __tcp_cleanup_rbuf: once what is left of the last offer is at most
        // half the clamp, a read that lets the window reach twice that is
        // worth an ACK of its own; one that frees a segment's worth is not.
        let mut rx = established_with_timestamps(&TcpConfig::default());
        let mut out = TcpOut::default();
        let mut seq = IRS + 1;
        for i in 0..40u32 {
            rx.on_segment(&ts_seg(seq, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (520 + i, 1_000)), 20_000, &mut out);
            seq += 1448;
        }
        rx.on_timer(TimerKind::DelayedAck, 60_000, &mut out);
        let left = rx.rwnd.wnd;
        assert!(left * 2 <= rx.rwnd.clamp, "offered {left} of a clamp of {}", rx.rwnd.clamp);
        out.clear();
        assert_eq!(rx.read(1448, 70_000, &mut out).len(), 1448);
        assert!(out.segments.is_empty(), "a segment's worth is not lots");
        assert_eq!(rx.read(usize::MAX, 70_000, &mut out).len(), 39 * 1448);
        let reasons: Vec<SendReason> = out.segments.iter().map(|(_, why)| *why).collect();
        assert_eq!(reasons, [SendReason::WindowUpdate]);
        assert!(rx.rwnd.wnd >= 2 * left, "{} offered after {left}", rx.rwnd.wnd);
    }

    #[test]
    fn a_reader_that_keeps_up_grows_the_buffer_once_a_receiver_round_trip() {
        // The peer's segments echo our TSval of 0 ms (1000) 20 ms later: the
        // receiver's RTT is 20 ms (tcp_rcv_rtt_measure_ts), and DRS measures
        // once that long has passed since the last measure, at a read's
        // first skb (tcp_rcv_space_adjust). The application reads every
        // segment as it comes, so nothing waits in the queue.
        let mut rx = established_with_timestamps(&TcpConfig::default());
        let mut out = TcpOut::default();
        let mut seq = IRS + 1;
        let mut round = |rx: &mut Tcb, segments: u32, now: u64| {
            for i in 0..segments {
                // The peer's clock moves on as ours does (PAWS drops a TSval
                // older than the last one taken).
                let tsval = 500 + (now / 1_000) as u32 + i;
                let seg = ts_seg(seq, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (tsval, 1_000));
                rx.on_segment(&seg, now, &mut out);
                assert_eq!(rx.read(usize::MAX, now, &mut out).len(), 1448);
                seq += 1448;
            }
        };
        // 20 ms: 10 ms after the handshake, within the round trip.
        round(&mut rx, 10, 20_000);
        assert_eq!(rx.rcv_rtt.rtt_us(), 20_000);
        // 40 ms: 15928 consumed since the handshake, more than the 14480 it
        // started from, but the window wanted (2·15928 plus twice
        // 31856·1448/14480: 38226) fits the buffer's 131072 bytes.
        round(&mut rx, 20, 40_000);
        assert_eq!(rx.stats().recv_capacity, 81_920, "131072 bytes of memory, at the measured ratio");
        // 60 ms: 28960 consumed in that round trip after 15928: 57920 plus
        // twice 57920·13032/15928 = 47389, 152698 of window, which at the
        // measured ratio (160/256) takes 244316 bytes of memory.
        round(&mut rx, 40, 60_000);
        assert_eq!(rx.stats().recv_capacity, 152_697);
        assert_eq!(rx.rwnd.clamp, 152_697);
    }

    #[test]
    fn a_read_of_data_that_waited_a_while_grows_no_buffer() {
        // The same 70 segments, read only once all have come: the read
        // measures at its first skb, with the rest still queued, as Linux
        // 6.18 does (a server that reads late opens its window no further).
        let mut rx = established_with_timestamps(&TcpConfig::default());
        let mut out = TcpOut::default();
        let mut seq = IRS + 1;
        for (segments, now) in [(10, 20_000), (20, 40_000), (20, 60_000)] {
            for i in 0..segments {
                let tsval = 500 + (now / 1_000) as u32 + i;
                let seg = ts_seg(seq, ISS + 1, TcpFlags::ACK, &[1u8; 1448], (tsval, 1_000));
                rx.on_segment(&seg, now, &mut out);
                seq += 1448;
            }
        }
        assert_eq!(rx.read(usize::MAX, 100_000, &mut out).len(), 50 * 1448);
        assert_eq!(rx.stats().recv_capacity, 81_920, "131072 bytes of memory, at the measured ratio");
        assert_eq!(rx.rwnd.copied_from, 1_448, "it measured, at the first skb");
    }
}
