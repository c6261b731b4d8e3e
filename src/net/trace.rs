//! `TraceEvent`: everything observable in the world, and the only thing views consume.

use super::addr::{CallId, Fd, HostId, Ipv4Addr, LinkId, PacketId, SocketId};
use super::link::{Direction, FaultChange};
use super::packet::Packet;
use super::syscall::{CallResult, SysCall};
use super::tcp::congestion::{CongestionControl, CwndChange};
use super::tcp::state::TcpState;
use super::tcp::timers::TimerKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One observable thing, at one simulated time (microseconds), with an id stable
/// across runs of the same script and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub id: u64,
    pub time: u64,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// Where a packet travels: over a link in one direction, or a host's loopback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Path {
    Link { link: LinkId, dir: Direction },
    Loopback { host: HostId },
}

/// Why a packet was sent — the sender's own knowledge, for labels and explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendReason {
    /// Opening a connection (SYN, SYN-ACK).
    Handshake,
    /// A SYN or SYN-ACK sent again after its timer ran out.
    HandshakeRetransmit,
    /// New data.
    Data,
    /// New data F-RTO sends after a timeout, once the first resend is
    /// acknowledged, in place of resending more (RFC 5682 step 2b): an ACK
    /// of data never resent will prove the timeout spurious.
    FrtoNewData,
    /// Data sent again because the retransmission timer expired.
    Retransmit,
    /// Data sent again after three duplicate ACKs.
    FastRetransmit,
    /// A tail loss probe (RFC 8985): no ACK came for about two round trips,
    /// so one segment goes to draw one — new data if the window has room,
    /// otherwise the last segment sent, again.
    TailLossProbe { new_data: bool },
    /// An acknowledgement: the handshake's last, a FIN's, one for a
    /// segment out of the window, or every segment's (`option ack immediate`).
    Ack,
    /// An ACK sent at once because more than one full-sized segment is
    /// unacknowledged (`__tcp_ack_snd_check`).
    AckTwoSegments,
    /// An ACK sent at once because the segment filled the hole before data
    /// waiting out of order (RFC 5681 §4.2, `ICSK_ACK_NOW`).
    AckHoleFilled,
    /// An ACK sent now because the delayed-ACK timer was due within a
    /// quarter of its timeout anyway (`tcp_send_delayed_ack`).
    AckTimerDue,
    /// The ACK the receive path held back, sent by the application's read
    /// (`__tcp_cleanup_rbuf`) or by `TCP_QUICKACK`.
    AckOnRead,
    /// An immediate ACK because the receiver is in quick-ACK mode (Linux's
    /// `tcp_in_quickack_mode`: the first segments of a connection).
    QuickAck,
    /// An ACK the delayed-ACK timer sent after holding it `delay_ms`.
    DelayedAck { delay_ms: u16 },
    /// New data that also carries an ACK the receiver was holding back (the
    /// ACK rides on the reply: Linux's pingpong mode).
    DataWithAck,
    /// A duplicate ACK: data arrived out of order, or arrived twice (its
    /// D-SACK names the copy).
    DupAck,
    /// The receive window opened again.
    WindowUpdate,
    /// A probe into a zero window.
    ZeroWindowProbe,
    /// Closing this direction.
    Fin,
    /// Aborting or refusing a connection.
    Reset,
    /// A UDP datagram.
    Datagram,
    /// An ICMP error.
    Icmp,
}

impl SendReason {
    /// Data sent again, by the retransmission timer or by fast recovery.
    pub fn is_data_retransmission(self) -> bool {
        matches!(
            self,
            SendReason::Retransmit | SendReason::FastRetransmit | SendReason::TailLossProbe { new_data: false }
        )
    }
}

/// Why a packet never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossReason {
    /// The link's random loss probability.
    Random,
    /// A "drop the next N packets" fault.
    DropNext,
    /// Dropped by its id (a "drop this packet" click).
    DropById,
    /// The link is partitioned.
    Partition,
    /// No host owns the destination address, or no link leads to it.
    NoRoute,
    /// The link flipped one bit (`bit`, counted from the first bit of the IPv4
    /// header); the receiver's IP or TCP/UDP checksum rejected the packet.
    Checksum { bit: u32 },
    /// The link cut the packet short after `kept` bytes; the receiver's length
    /// check (IPv4 total length) rejected it.
    Truncated { kept: u32 },
}

/// Why a host gave up reassembling a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReassemblyFailure {
    /// Not complete `ipfrag_time` (30 s) after its first fragment came (`ip_expire`).
    Timeout,
    /// A fragment overlapped part of one already queued, or ended where the
    /// last fragment said the datagram does not (`ip_frag_queue`'s `discard_qp`).
    Overlap,
}

/// Why a datagram was discarded at its destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// The receiving socket's buffer was full.
    ReceiveBufferFull,
    /// A SYN, or a handshake's final ACK, reached a listener whose accept queue
    /// was full (`sk_acceptq_is_full`): Linux drops it without an answer and
    /// counts it in `ListenOverflows` (`tcp_listendrop`). `waiting` connections
    /// were queued for `accept()`, more than `backlog`.
    AcceptQueueFull { backlog: u32, waiting: u32 },
}

/// What the core was handling when it emitted an effect: the call being made,
/// or the trace event being handled (a packet's arrival, a timer's expiry).
/// Roots — `Call`, `Delivered`, `Timer`, `Fault` — have none; every other event
/// names one, so a reader finds an effect's partners by id, never by the order
/// of emission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cause {
    /// A socket call, from its `Call` to its `Return`; also the blocked calls
    /// on other sockets it let finish.
    Call(CallId),
    /// A packet's arrival at its destination host (serialized under the name
    /// state changes used for it before other effects named their cause).
    #[serde(rename = "Segment")]
    Arrival(PacketId),
    /// A SYN's arrival at a listener, which created this connection.
    SynAtListener(PacketId),
    /// A timer's expiry: the id of its `Timer` event.
    Timer(u64),
}

/// A [`Cause`] as an event stores it: 8 bytes, the kind in the top two bits and
/// the id below, so naming its cause grows every effect event by one word (a
/// plain enum of u64 ids takes two). Ids are counters that stay far below 2^62.
/// Serialized as the [`Cause`] it holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Cause", into = "Cause")]
pub struct CauseId(u64);

const CAUSE_ID_BITS: u32 = 62;
const CAUSE_ID_MASK: u64 = (1 << CAUSE_ID_BITS) - 1;

impl CauseId {
    pub fn get(self) -> Cause {
        let id = self.0 & CAUSE_ID_MASK;
        match self.0 >> CAUSE_ID_BITS {
            0 => Cause::Call(CallId(id)),
            1 => Cause::Arrival(PacketId(id)),
            2 => Cause::SynAtListener(PacketId(id)),
            _ => Cause::Timer(id),
        }
    }
}

impl From<Cause> for CauseId {
    fn from(cause: Cause) -> CauseId {
        let (kind, id) = match cause {
            Cause::Call(c) => (0, c.0),
            Cause::Arrival(p) => (1, p.0),
            Cause::SynAtListener(p) => (2, p.0),
            Cause::Timer(t) => (3, t),
        };
        CauseId(kind << CAUSE_ID_BITS | id & CAUSE_ID_MASK)
    }
}

impl From<CauseId> for Cause {
    fn from(id: CauseId) -> Cause {
        id.get()
    }
}

impl std::fmt::Debug for CauseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Cause {
    /// The packet whose arrival this is, if it is one.
    pub fn arrival(self) -> Option<PacketId> {
        match self {
            Cause::Arrival(p) | Cause::SynAtListener(p) => Some(p),
            Cause::Call(_) | Cause::Timer(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceKind {
    /// A host made a socket call; `socket` is the one its descriptor named
    /// (`None` for `socket()` and for a descriptor that names none).
    Call { call: CallId, host: HostId, socket: Option<SocketId>, syscall: SysCall },
    /// A call returned; `blocked` when it had waited in simulated time. `socket`
    /// is the one the call acted on, or for `socket()` and `accept()` the one
    /// the returned descriptor refers to. `cause` is the call itself, or for a
    /// call that waited what let it finish.
    Return {
        call: CallId,
        host: HostId,
        socket: Option<SocketId>,
        fd: Option<Fd>,
        result: CallResult,
        blocked: bool,
        cause: CauseId,
    },
    /// A packet left a host; `arrival` is when it will arrive unless lost; `to`
    /// the host it is going to (`None` when no route leads anywhere).
    Sent {
        host: HostId,
        socket: Option<SocketId>,
        path: Path,
        reason: SendReason,
        arrival: u64,
        packet: Arc<Packet>,
        to: Option<HostId>,
        cause: CauseId,
    },
    /// The link made a second copy of a packet.
    Duplicated { original: PacketId, copy: PacketId, arrival: u64, cause: CauseId },
    /// The link delayed a packet past later ones.
    Reordered { packet: PacketId, extra_delay: u64, cause: CauseId },
    /// The link is holding a packet until released.
    Held { packet: PacketId, cause: CauseId },
    /// A packet was lost on its way (`cause` is its sending's, or its arrival's
    /// when the receiver found the damage or it was dropped by id in flight).
    Lost { packet: PacketId, reason: LossReason, cause: CauseId },
    /// A packet reached its destination host.
    Delivered { packet: PacketId, host: HostId, socket: Option<SocketId> },
    /// A packet reached its socket but was discarded: a datagram into a full
    /// buffer, or a SYN or final ACK at a listener (`socket`) whose accept queue
    /// was full.
    Dropped { packet: PacketId, host: HostId, socket: SocketId, reason: DropReason, cause: CauseId },
    /// A TCP state transition.
    State { host: HostId, socket: SocketId, from: TcpState, to: TcpState, cause: CauseId },
    /// A timer expired.
    Timer { host: HostId, socket: SocketId, timer: TimerKind },
    /// Congestion window and slow-start threshold, in bytes, whenever either
    /// changes; `why`: the rule that changed them (`None` only if a rule in
    /// the core forgot to say, which the tests catch); `control`: the
    /// socket's congestion control, whose rules they are.
    Congestion {
        host: HostId,
        socket: SocketId,
        cwnd: u32,
        ssthresh: u32,
        why: Option<CwndChange>,
        control: CongestionControl,
        cause: CauseId,
    },
    /// F-RTO's verdict on a retransmission timeout (RFC 5682 step 3a,
    /// `tcp_process_loss`): after the new data it sent in place of the next
    /// resend, an ACK that SACKs or duplicates says the segments after the
    /// first resend were really lost. The timeout stands, and the resends go
    /// on. (The other verdict, a spurious timeout, is a `Congestion` undo.)
    LossConfirmed { host: HostId, socket: SocketId, cause: CauseId },
    /// A connection or ICMP error became pending on a socket.
    SocketError { host: HostId, socket: SocketId, errno: super::syscall::Errno, cause: CauseId },
    /// A `bind` of `socket` found its address taken by `holder` (`inet_bind_conflict`),
    /// which is in TCP state `state` (`None` for UDP) and, in TIME-WAIT, frees the
    /// port at `free_at` (µs): what the call's EADDRINUSE comes from.
    PortHeld {
        host: HostId,
        socket: SocketId,
        holder: SocketId,
        port: u16,
        state: Option<TcpState>,
        free_at: Option<u64>,
        cause: CauseId,
    },
    /// A UDP read got `read` bytes of a datagram of `datagram` bytes: the
    /// buffer was shorter, and the rest of that datagram is discarded
    /// (Linux's `udp_recvmsg` sets `MSG_TRUNC`). What the call's short result
    /// comes from; its Return follows.
    Truncated { host: HostId, socket: SocketId, datagram: u32, read: u32, cause: CauseId },
    /// The last missing fragment of a datagram arrived (`packet`): `host`
    /// put the `fragments` together (`ip_frag_reasm`) and hands the datagram on
    /// as that packet's delivery, which follows. A root, like the delivery.
    Reassembled { host: HostId, packet: PacketId, ip_id: u16, fragments: Vec<PacketId> },
    /// `host` threw away the fragments it held of datagram `ip_id` from `src`:
    /// the whole datagram is lost.
    FragmentsDiscarded {
        host: HostId,
        src: Ipv4Addr,
        ip_id: u16,
        fragments: Vec<PacketId>,
        reason: ReassemblyFailure,
        /// The arrival that contradicted the queue; `None` for a timeout,
        /// which is a root like a timer's expiry.
        cause: Option<CauseId>,
    },
    /// A link's settings or faults changed.
    Fault { link: LinkId, dir: Option<Direction>, change: FaultChange },
}

impl TraceKind {
    /// The host the event happened on, when there is one.
    pub fn host(&self) -> Option<HostId> {
        match self {
            TraceKind::Call { host, .. }
            | TraceKind::Return { host, .. }
            | TraceKind::Sent { host, .. }
            | TraceKind::Delivered { host, .. }
            | TraceKind::Dropped { host, .. }
            | TraceKind::State { host, .. }
            | TraceKind::Timer { host, .. }
            | TraceKind::Congestion { host, .. }
            | TraceKind::LossConfirmed { host, .. }
            | TraceKind::SocketError { host, .. }
            | TraceKind::PortHeld { host, .. }
            | TraceKind::Truncated { host, .. }
            | TraceKind::Reassembled { host, .. }
            | TraceKind::FragmentsDiscarded { host, .. } => Some(*host),
            _ => None,
        }
    }

    /// What the core was handling when it emitted this event; `None` for roots.
    pub fn cause(&self) -> Option<Cause> {
        match self {
            TraceKind::Return { cause, .. }
            | TraceKind::Sent { cause, .. }
            | TraceKind::Duplicated { cause, .. }
            | TraceKind::Reordered { cause, .. }
            | TraceKind::Held { cause, .. }
            | TraceKind::Lost { cause, .. }
            | TraceKind::Dropped { cause, .. }
            | TraceKind::State { cause, .. }
            | TraceKind::Congestion { cause, .. }
            | TraceKind::LossConfirmed { cause, .. }
            | TraceKind::SocketError { cause, .. }
            | TraceKind::PortHeld { cause, .. }
            | TraceKind::Truncated { cause, .. } => Some(cause.get()),
            TraceKind::FragmentsDiscarded { cause, .. } => cause.map(CauseId::get),
            TraceKind::Call { .. }
            | TraceKind::Delivered { .. }
            | TraceKind::Reassembled { .. }
            | TraceKind::Timer { .. }
            | TraceKind::Fault { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::packet::{Body, UdpDatagram};
    use crate::net::{Ident, Ipv4Addr, World};
    use std::sync::Arc;

    /// Scripts cannot send where no route leads (`connect` and `sendto` say
    /// ENETUNREACH first), so the core's own sending path is driven here.
    #[test]
    fn a_packet_with_no_route_goes_to_no_host() {
        let mut w = World::new(1);
        let a = w.add_host("a", &[Ipv4Addr::new(10, 0, 0, 1)]).expect("host");
        // b owns 10.0.0.2, but no link leads there from a.
        w.add_host("b", &[Ipv4Addr::new(10, 0, 0, 2)]).expect("host");
        let body = Body::Udp(UdpDatagram { src_port: 1, dst_port: 2, payload: Arc::from(&b"x"[..]) });
        for (dst, to) in
            [(Ipv4Addr::new(10, 0, 0, 2), None), (Ipv4Addr::new(10, 0, 0, 9), None), (Ipv4Addr::LOCALHOST, Some(a))]
        {
            w.transmit(a, None, Ipv4Addr::new(10, 0, 0, 1), dst, body.clone(), SendReason::Datagram, Ident::Zero);
            let trace = w.take_trace();
            assert!(matches!(trace[0].kind, TraceKind::Sent { to: t, .. } if t == to), "{dst}: {:?}", trace[0]);
        }
    }
}
