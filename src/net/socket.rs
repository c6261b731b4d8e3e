//! The socket objects of the world: a socket and its protocol state, a listener's
//! queues, the calls waiting on a socket, and the size rule of its buffers.

use super::addr::{Fd, HostId, Protocol, SocketAddrV4, SocketId};
use super::syscall::MsgFlags;
use super::tcp::congestion::CongestionControl;
use super::tcp::conn::Tcb;
use super::tcp::state::TcpState;
use super::trace::CauseId;
use super::udp::UdpSock;
use super::RouteMemo;
use std::collections::VecDeque;
use std::sync::Arc;

/// Linux's `SOCK_MIN_RCVBUF` on x86-64: `2048 + SKB_DATA_ALIGN(sizeof(struct
/// sk_buff))`, the least receive buffer `SO_RCVBUF` leaves a socket.
pub const SOCK_MIN_RCVBUF: usize = 2304;
/// Linux's `SOCK_MIN_SNDBUF`: twice `SOCK_MIN_RCVBUF`.
pub const SOCK_MIN_SNDBUF: usize = 2 * SOCK_MIN_RCVBUF;

/// The bytes of data a buffer holds after `SO_RCVBUF`/`SO_SNDBUF` of `asked`
/// (`min` is [`SOCK_MIN_RCVBUF`] or [`SOCK_MIN_SNDBUF`]).
///
/// Linux's `sk_setsockopt` takes any size, 0 too (no EINVAL), keeps twice it
/// for its bookkeeping and never less than the minimum: `getsockopt` reads back
/// `max(2 * asked, min)`, so 0 gives 2304 and 4608. The model counts the data
/// half, the size asked for, so the floor is half the minimum: a receive
/// buffer of 0 holds 1152 bytes, as Linux 6.18's does on loopback (its window
/// and its unread bytes stop at 1152), and a send buffer of 0 holds 2304
/// (Linux's own accounting let 3848 bytes wait there). Linux first caps the
/// size at `net.core.rmem_max`/`wmem_max`, as the model does at setsockopt
/// with `TcpConfig::rmem_max`/`wmem_max`.
pub fn buffer_capacity(asked: usize, min: usize) -> usize {
    asked.max(min / 2)
}

/// A socket in the world. It outlives its descriptor while TCP still has work to
/// do (FIN-WAIT, TIME-WAIT) and exists before one (a connection waiting in a
/// listener's queue).
#[derive(Clone, Debug)]
pub struct Socket {
    pub id: SocketId,
    pub host: HostId,
    pub fd: Option<Fd>,
    /// The bound address; the IP may be 0.0.0.0 (any of the host's addresses).
    pub local: Option<SocketAddrV4>,
    /// The peer of a connected socket.
    pub remote: Option<SocketAddrV4>,
    pub reuse_addr: bool,
    pub nonblocking: bool,
    /// Bound by `bind()` rather than automatically by `connect`/`listen`/`sendto`.
    pub bound_explicitly: bool,
    /// When it was bound, in the order of the world's binds: Linux puts a
    /// newly bound UDP socket at the head of its port's list
    /// (`udp_lib_get_port`), so of sockets sharing an address the last
    /// bound receives.
    pub(crate) bind_order: u64,
    pub kind: SocketKind,
    /// Calls blocked on this socket, oldest first.
    pub(crate) waiters: Vec<Waiter>,
    /// When each timer's event sits in the world's queue.
    pub(crate) timer_events: [Option<u64>; crate::net::TimerKind::ALL.len()],
    /// What caused the pending error (the `SocketError` event's cause), so the
    /// call that collects the error can name it too.
    pub(crate) error_cause: Option<CauseId>,
    /// The route this socket's last packet took, reused for the next one to
    /// the same address (see `World::socket_route`).
    pub(crate) route: Option<RouteMemo>,
    /// While connected (a TCP connection, a connected UDP socket): the counter
    /// its packets' IP IDs come from (Linux's `inet_id`, drawn at random when
    /// it connects). `None` while unconnected.
    pub(crate) ip_ident: Option<u16>,
}

#[derive(Clone, Debug)]
pub enum SocketKind {
    Tcp(TcpSock),
    Udp(UdpSock),
}

/// The socket-level part of TCP: a connection machine once there is one, or a
/// listener's queues.
#[derive(Clone, Debug, Default)]
pub struct TcpSock {
    pub tcb: Option<Box<Tcb>>,
    pub listen: Option<ListenQueues>,
    /// The listener whose queue holds this not-yet-accepted connection.
    pub parent: Option<SocketId>,
    /// A connection existed and is over: `recv` reads end-of-stream, not ENOTCONN.
    pub done: bool,
    /// The port was chosen by `connect` (in Linux, its bind bucket was made by
    /// `__inet_hash_connect`): other connections may share it toward other peers.
    pub port_by_connect: bool,
    /// `SO_RCVBUF`/`SO_SNDBUF`/`TCP_NODELAY` set before a connection exists.
    pub recv_buffer: Option<usize>,
    pub send_buffer: Option<usize>,
    pub nagle: Option<bool>,
    /// `TCP_CONGESTION` set before a connection exists.
    pub congestion: Option<CongestionControl>,
    /// The application shut down writing (`shutdown(SHUT_WR)`).
    pub write_shutdown: bool,
    /// The application shut down reading (`shutdown(SHUT_RD)`), kept on the
    /// socket as Linux keeps `sk_shutdown`: a shutdown before any connection
    /// still holds for the one `connect` makes later. The connection has its
    /// own copy ([`Tcb::read_shutdown`]), which its segment handling reads.
    pub read_shutdown: bool,
    /// `SO_LINGER {1, 0}`: `close` aborts with RST, leaving no TIME-WAIT.
    pub linger_abort: bool,
    /// What `connect()` has told the application so far (Linux's `sock->state`).
    pub connect_state: ConnectState,
}

impl TcpSock {
    /// What `tcp_disconnect` resets on the socket (`sk->sk_shutdown = 0`,
    /// `sock_reset_flag(sk, SOCK_DONE)`): the connection that was is
    /// forgotten, so a read is ENOTCONN again, not end-of-stream. Linux
    /// disconnects on `connect(AF_UNSPEC)` and when `connect()` itself
    /// reports the connection's failure (`__inet_stream_connect`'s
    /// `sock_error`); a refused connect read "" as if a FIN had come.
    pub fn forget_connection(&mut self) {
        self.done = false;
        self.write_shutdown = false;
        self.read_shutdown = false;
        if let Some(tcb) = self.tcb.as_deref_mut() {
            tcb.read_shutdown = false;
            // SOCK_DONE goes with the connection: a read is its pending
            // error, then ENOTCONN, not end-of-stream.
            tcb.fin_received = false;
        }
    }

    /// `sk->sk_shutdown |= how`: on the socket, and on its connection if it has one.
    pub fn shut(&mut self, reading: bool, writing: bool) {
        self.write_shutdown |= writing;
        self.read_shutdown |= reading;
        if let Some(tcb) = self.tcb.as_deref_mut() {
            tcb.read_shutdown |= reading;
        }
    }
}

/// Linux's `socket_state` as `__inet_stream_connect` uses it: a connection
/// the application has not yet been told the outcome of is collected by the next
/// `connect()`; once told of a connection, `connect()` says EISCONN even after
/// the connection has ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConnectState {
    /// SS_UNCONNECTED: `connect()` may start a connection.
    #[default]
    Unconnected,
    /// SS_CONNECTING: a non-blocking `connect()` returned EINPROGRESS (or a
    /// blocking one still waits); the next `connect()` reports the outcome.
    Connecting,
    /// SS_CONNECTED: `connect()` returned 0, or `accept()` returned the socket.
    Connected,
}

impl TcpSock {
    pub fn state(&self) -> TcpState {
        match (&self.tcb, &self.listen) {
            (Some(tcb), _) => tcb.state,
            (None, Some(_)) => TcpState::Listen,
            (None, None) => TcpState::Closed,
        }
    }
}

/// Linux's two listen queues: half-open connections (SYN received, SYN-ACK sent)
/// and complete ones waiting for `accept()`.
#[derive(Clone, Debug, Default)]
pub struct ListenQueues {
    pub backlog: u32,
    pub syn_queue: std::collections::BTreeSet<SocketId>,
    pub accept_queue: VecDeque<SocketId>,
    /// SYNs and final ACKs dropped because the accept queue was full.
    pub overflows: u64,
}

impl ListenQueues {
    /// Linux's `sk_acceptq_is_full`: the queue is full only when it holds *more*
    /// than `backlog`, so `listen(fd, n)` lets n + 1 connections wait.
    pub fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() > self.backlog as usize
    }
}

/// A blocked call, retried whenever its socket changes.
#[derive(Clone, Debug)]
pub(crate) struct Waiter {
    pub call: super::addr::CallId,
    pub host: HostId,
    pub fd: Fd,
    pub wait: Wait,
}

#[derive(Clone, Debug)]
pub(crate) enum Wait {
    Accept,
    Connect,
    Recv { len: usize, from: bool },
    RecvFlags { len: usize, from: bool, flags: MsgFlags },
    Send { data: Arc<[u8]>, done: usize },
}

impl Socket {
    pub fn protocol(&self) -> Protocol {
        match self.kind {
            SocketKind::Tcp(_) => Protocol::Tcp,
            SocketKind::Udp(_) => Protocol::Udp,
        }
    }

    pub fn tcp(&self) -> Option<&TcpSock> {
        match &self.kind {
            SocketKind::Tcp(t) => Some(t),
            SocketKind::Udp(_) => None,
        }
    }

    pub fn tcp_mut(&mut self) -> Option<&mut TcpSock> {
        match &mut self.kind {
            SocketKind::Tcp(t) => Some(t),
            SocketKind::Udp(_) => None,
        }
    }

    pub fn udp(&self) -> Option<&UdpSock> {
        match &self.kind {
            SocketKind::Udp(u) => Some(u),
            SocketKind::Tcp(_) => None,
        }
    }

    pub fn udp_mut(&mut self) -> Option<&mut UdpSock> {
        match &mut self.kind {
            SocketKind::Udp(u) => Some(u),
            SocketKind::Tcp(_) => None,
        }
    }

    pub fn tcp_state(&self) -> Option<TcpState> {
        self.tcp().map(TcpSock::state)
    }
}
