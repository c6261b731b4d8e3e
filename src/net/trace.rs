//! `TraceEvent`: everything observable in the world, and the only thing views consume.

use super::addr::{CallId, Fd, HostId, LinkId, PacketId, SocketId};
use super::link::{Direction, FaultChange};
use super::packet::Packet;
use super::syscall::{CallResult, SysCall};
use super::tcp::state::TcpState;
use super::tcp::timers::TimerKind;
use serde::{Deserialize, Serialize};

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
    /// Data sent again because the retransmission timer expired.
    Retransmit,
    /// Data sent again after three duplicate ACKs.
    FastRetransmit,
    /// An acknowledgement.
    Ack,
    /// A duplicate ACK (out-of-order data arrived).
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

/// Why a datagram was discarded at its destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// The receiving socket's buffer was full.
    ReceiveBufferFull,
}

/// What caused a TCP state change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateCause {
    /// A socket call (`listen`, `connect`, `close`, `shutdown`).
    Call(CallId),
    /// A segment arrived.
    Segment(PacketId),
    /// A timer expired.
    Timer(TimerKind),
    /// A SYN arrived at a listener and created this connection.
    SynAtListener(PacketId),
    /// The application read or wrote data.
    App,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceKind {
    /// A host made a socket call.
    Call { call: CallId, host: HostId, syscall: SysCall },
    /// A call returned; `blocked` when it had waited in simulated time.
    Return { call: CallId, host: HostId, fd: Option<Fd>, result: CallResult, blocked: bool },
    /// A packet left a host; `arrival` is when it will arrive unless lost.
    Sent { host: HostId, socket: Option<SocketId>, path: Path, reason: SendReason, arrival: u64, packet: Packet },
    /// The link made a second copy of a packet.
    Duplicated { original: PacketId, copy: PacketId, arrival: u64 },
    /// The link delayed a packet past later ones.
    Reordered { packet: PacketId, extra_delay: u64 },
    /// The link is holding a packet until released.
    Held { packet: PacketId },
    /// A packet was lost on its way.
    Lost { packet: PacketId, reason: LossReason },
    /// A packet reached its destination host.
    Delivered { packet: PacketId, host: HostId, socket: Option<SocketId> },
    /// A datagram reached its socket but was discarded.
    Dropped { packet: PacketId, host: HostId, socket: SocketId, reason: DropReason },
    /// A TCP state transition.
    State { host: HostId, socket: SocketId, from: TcpState, to: TcpState, cause: StateCause },
    /// A timer expired.
    Timer { host: HostId, socket: SocketId, timer: TimerKind },
    /// Congestion window and slow-start threshold, in bytes, whenever either changes.
    Congestion { host: HostId, socket: SocketId, cwnd: u32, ssthresh: u32 },
    /// A connection or ICMP error became pending on a socket.
    SocketError { host: HostId, socket: SocketId, errno: super::syscall::Errno },
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
            | TraceKind::SocketError { host, .. } => Some(*host),
            _ => None,
        }
    }
}
