//! The BSD-like socket API the world offers each host: the calls, their values and
//! the `Errno`s Linux gives for them.

use super::addr::{Fd, Protocol, SocketAddrV4};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// An error a socket call returns, named and numbered as on Linux (x86_64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Errno {
    EBADF,
    EAGAIN,
    EINVAL,
    EPIPE,
    ENOTSOCK,
    EDESTADDRREQ,
    EMSGSIZE,
    EOPNOTSUPP,
    EAFNOSUPPORT,
    EADDRINUSE,
    EADDRNOTAVAIL,
    ENETUNREACH,
    ECONNRESET,
    ECONNABORTED,
    EISCONN,
    ENOTCONN,
    ETIMEDOUT,
    ECONNREFUSED,
    EALREADY,
    EINPROGRESS,
    EMFILE,
}

impl Errno {
    pub const ALL: [Errno; 21] = [
        Errno::EBADF,
        Errno::EAGAIN,
        Errno::EINVAL,
        Errno::EPIPE,
        Errno::ENOTSOCK,
        Errno::EDESTADDRREQ,
        Errno::EMSGSIZE,
        Errno::EOPNOTSUPP,
        Errno::EAFNOSUPPORT,
        Errno::EADDRINUSE,
        Errno::EADDRNOTAVAIL,
        Errno::ENETUNREACH,
        Errno::ECONNRESET,
        Errno::ECONNABORTED,
        Errno::EISCONN,
        Errno::ENOTCONN,
        Errno::ETIMEDOUT,
        Errno::ECONNREFUSED,
        Errno::EALREADY,
        Errno::EINPROGRESS,
        Errno::EMFILE,
    ];

    /// The number Linux uses (`errno -l`).
    pub fn code(self) -> i32 {
        match self {
            Errno::EBADF => 9,
            Errno::EAGAIN => 11,
            Errno::EINVAL => 22,
            Errno::EMFILE => 24,
            Errno::EPIPE => 32,
            Errno::ENOTSOCK => 88,
            Errno::EDESTADDRREQ => 89,
            Errno::EMSGSIZE => 90,
            Errno::EOPNOTSUPP => 95,
            Errno::EAFNOSUPPORT => 97,
            Errno::EADDRINUSE => 98,
            Errno::EADDRNOTAVAIL => 99,
            Errno::ENETUNREACH => 101,
            Errno::ECONNRESET => 104,
            Errno::ECONNABORTED => 103,
            Errno::EISCONN => 106,
            Errno::ENOTCONN => 107,
            Errno::ETIMEDOUT => 110,
            Errno::ECONNREFUSED => 111,
            Errno::EALREADY => 114,
            Errno::EINPROGRESS => 115,
        }
    }

    pub fn from_code(code: i32) -> Option<Errno> {
        Errno::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Errno::EBADF => "EBADF",
            Errno::EAGAIN => "EAGAIN",
            Errno::EINVAL => "EINVAL",
            Errno::EPIPE => "EPIPE",
            Errno::ENOTSOCK => "ENOTSOCK",
            Errno::EDESTADDRREQ => "EDESTADDRREQ",
            Errno::EMSGSIZE => "EMSGSIZE",
            Errno::EOPNOTSUPP => "EOPNOTSUPP",
            Errno::EAFNOSUPPORT => "EAFNOSUPPORT",
            Errno::EADDRINUSE => "EADDRINUSE",
            Errno::EADDRNOTAVAIL => "EADDRNOTAVAIL",
            Errno::ENETUNREACH => "ENETUNREACH",
            Errno::ECONNRESET => "ECONNRESET",
            Errno::ECONNABORTED => "ECONNABORTED",
            Errno::EISCONN => "EISCONN",
            Errno::ENOTCONN => "ENOTCONN",
            Errno::ETIMEDOUT => "ETIMEDOUT",
            Errno::ECONNREFUSED => "ECONNREFUSED",
            Errno::EALREADY => "EALREADY",
            Errno::EINPROGRESS => "EINPROGRESS",
            Errno::EMFILE => "EMFILE",
        }
    }

    pub fn from_name(name: &str) -> Option<Errno> {
        Errno::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Address family of `socket()`. Only IPv4 is modelled; IPv6 answers EAFNOSUPPORT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Domain {
    Inet,
    Inet6,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shutdown {
    Read,
    Write,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SockOpt {
    /// `SO_REUSEADDR`
    ReuseAddr(bool),
    /// `O_NONBLOCK` through `fcntl`
    NonBlocking(bool),
    /// `SO_RCVBUF`, in bytes: the data the receive buffer holds, at least half
    /// of [`SOCK_MIN_RCVBUF`] (see [`buffer_capacity`])
    RcvBuf(usize),
    /// `SO_SNDBUF`, in bytes: the data the send buffer holds, at least half of
    /// [`SOCK_MIN_SNDBUF`]
    SndBuf(usize),
    /// `TCP_NODELAY` off turns Nagle's algorithm on
    NoDelay(bool),
    /// `SO_LINGER {on, secs}`; `{1, 0}` makes `close` abort the connection
    /// with RST (see [`SockOpt::aborts_on_close`])
    Linger { on: bool, secs: u32 },
}

impl SockOpt {
    /// `SO_LINGER {1, 0}`: `close` resets the connection instead of closing it
    /// (`__tcp_close`: `sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime`).
    pub fn aborts_on_close(self) -> bool {
        matches!(self, SockOpt::Linger { on: true, secs: 0 })
    }
}

/// The flags of `recv`/`recvfrom` the language knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MsgFlags {
    /// `MSG_PEEK`: return the data without taking it from the queue.
    pub peek: bool,
    /// `MSG_TRUNC`: on UDP, return the datagram's full length even when the
    /// buffer is shorter; on TCP, discard the bytes instead of copying them.
    pub trunc: bool,
}

impl MsgFlags {
    /// `MSG_PEEK|MSG_TRUNC`, as C writes them.
    pub fn render(self) -> String {
        let names = [(self.peek, "MSG_PEEK"), (self.trunc, "MSG_TRUNC")];
        let set: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        if set.is_empty() {
            "0".into()
        } else {
            set.join("|")
        }
    }
}

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
/// (Linux's own accounting let 3848 bytes wait there). Linux also caps the size
/// at `net.core.rmem_max`/`wmem_max`; the model does not.
pub fn buffer_capacity(asked: usize, min: usize) -> usize {
    asked.max(min / 2)
}

/// A socket call, as a process makes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SysCall {
    Socket {
        domain: Domain,
        protocol: Protocol,
    },
    Bind {
        fd: Fd,
        addr: SocketAddrV4,
    },
    Listen {
        fd: Fd,
        backlog: u32,
    },
    Accept {
        fd: Fd,
    },
    Connect {
        fd: Fd,
        addr: SocketAddrV4,
    },
    Send {
        fd: Fd,
        data: Arc<[u8]>,
    },
    Recv {
        fd: Fd,
        len: usize,
    },
    SendTo {
        fd: Fd,
        data: Arc<[u8]>,
        addr: Option<SocketAddrV4>,
    },
    RecvFrom {
        fd: Fd,
        len: usize,
    },
    Shutdown {
        fd: Fd,
        how: Shutdown,
    },
    Close {
        fd: Fd,
    },
    SetSockOpt {
        fd: Fd,
        opt: SockOpt,
    },
    /// `getsockname`: the socket's own address.
    GetSockName {
        fd: Fd,
    },
    /// `getpeername`: the connected peer's address.
    GetPeerName {
        fd: Fd,
    },
    /// `getsockopt(fd, SO_ERROR)`: reads and clears the pending error.
    GetSockError {
        fd: Fd,
    },
    /// `recv`/`recvfrom` (`from`) with `MSG_*` flags.
    RecvFlags {
        fd: Fd,
        len: usize,
        flags: MsgFlags,
        from: bool,
    },
    /// `connect(fd, AF_UNSPEC)`: dissolves the socket's association.
    Disconnect {
        fd: Fd,
    },
}

impl SysCall {
    pub fn name(&self) -> &'static str {
        match self {
            SysCall::Socket { .. } => "socket",
            SysCall::Bind { .. } => "bind",
            SysCall::Listen { .. } => "listen",
            SysCall::Accept { .. } => "accept",
            SysCall::Connect { .. } => "connect",
            SysCall::Send { .. } => "send",
            SysCall::Recv { .. } => "recv",
            SysCall::SendTo { .. } => "sendto",
            SysCall::RecvFrom { .. } => "recvfrom",
            SysCall::Shutdown { .. } => "shutdown",
            SysCall::Close { .. } => "close",
            SysCall::SetSockOpt { .. } => "setsockopt",
            SysCall::GetSockName { .. } => "getsockname",
            SysCall::GetPeerName { .. } => "getpeername",
            SysCall::GetSockError { .. } => "getsockopt",
            SysCall::RecvFlags { from: false, .. } => "recv",
            SysCall::RecvFlags { from: true, .. } => "recvfrom",
            SysCall::Disconnect { .. } => "connect",
        }
    }

    /// The descriptor the call works on (none for `socket`).
    pub fn fd(&self) -> Option<Fd> {
        match *self {
            SysCall::Socket { .. } => None,
            SysCall::Bind { fd, .. }
            | SysCall::Listen { fd, .. }
            | SysCall::Accept { fd }
            | SysCall::Connect { fd, .. }
            | SysCall::Send { fd, .. }
            | SysCall::Recv { fd, .. }
            | SysCall::SendTo { fd, .. }
            | SysCall::RecvFrom { fd, .. }
            | SysCall::Shutdown { fd, .. }
            | SysCall::Close { fd }
            | SysCall::SetSockOpt { fd, .. }
            | SysCall::GetSockName { fd }
            | SysCall::GetPeerName { fd }
            | SysCall::GetSockError { fd }
            | SysCall::RecvFlags { fd, .. }
            | SysCall::Disconnect { fd } => Some(fd),
        }
    }

    /// C-like rendering: `connect(3, 10.0.0.1:80)`.
    pub fn render(&self) -> String {
        match self {
            SysCall::Socket { domain, protocol } => match domain {
                Domain::Inet => format!("socket({protocol})"),
                Domain::Inet6 => format!("socket(inet6, {protocol})"),
            },
            SysCall::Bind { fd, addr } => format!("bind({fd}, {addr})"),
            SysCall::Listen { fd, backlog } => format!("listen({fd}, {backlog})"),
            SysCall::Accept { fd } => format!("accept({fd})"),
            SysCall::Connect { fd, addr } => format!("connect({fd}, {addr})"),
            SysCall::Send { fd, data } => format!("send({fd}, {})", quote_bytes(data)),
            SysCall::Recv { fd, len } => format!("recv({fd}, {len})"),
            SysCall::SendTo { fd, data, addr } => match addr {
                Some(a) => format!("sendto({fd}, {}, {a})", quote_bytes(data)),
                None => format!("sendto({fd}, {})", quote_bytes(data)),
            },
            SysCall::RecvFrom { fd, len } => format!("recvfrom({fd}, {len})"),
            SysCall::Shutdown { fd, how } => format!(
                "shutdown({fd}, {})",
                match how {
                    Shutdown::Read => "rd",
                    Shutdown::Write => "wr",
                    Shutdown::Both => "rdwr",
                }
            ),
            SysCall::Close { fd } => format!("close({fd})"),
            SysCall::SetSockOpt { fd, opt } => match opt {
                SockOpt::ReuseAddr(on) => format!("setsockopt({fd}, SO_REUSEADDR, {})", *on as u8),
                SockOpt::NonBlocking(on) => format!("setsockopt({fd}, O_NONBLOCK, {})", *on as u8),
                SockOpt::RcvBuf(n) => format!("setsockopt({fd}, SO_RCVBUF, {n})"),
                SockOpt::SndBuf(n) => format!("setsockopt({fd}, SO_SNDBUF, {n})"),
                SockOpt::NoDelay(on) => format!("setsockopt({fd}, TCP_NODELAY, {})", *on as u8),
                SockOpt::Linger { on, secs } => format!("setsockopt({fd}, SO_LINGER, {{{}, {secs}}})", *on as u8),
            },
            SysCall::GetSockName { fd } => format!("getsockname({fd})"),
            SysCall::GetPeerName { fd } => format!("getpeername({fd})"),
            SysCall::GetSockError { fd } => format!("getsockopt({fd}, SO_ERROR)"),
            SysCall::RecvFlags { fd, len, flags, from } => {
                format!("{}({fd}, {len}, {})", if *from { "recvfrom" } else { "recv" }, flags.render())
            }
            SysCall::Disconnect { fd } => format!("connect({fd}, AF_UNSPEC)"),
        }
    }
}

/// What a successful call returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallValue {
    /// `0`, as bind, listen, connect, shutdown, close and setsockopt return.
    Zero,
    /// A new descriptor from `socket`.
    Fd(Fd),
    /// A new connected descriptor from `accept`, and who connected.
    Accepted { fd: Fd, peer: SocketAddrV4 },
    /// Bytes taken by `send`/`sendto`.
    Sent(usize),
    /// Bytes read by `recv`; empty means end of stream.
    Data(Arc<[u8]>),
    /// A datagram read by `recvfrom`, and its sender.
    DataFrom { data: Arc<[u8]>, from: SocketAddrV4 },
    /// An address from `getsockname`/`getpeername` (the call itself returns 0).
    Name(SocketAddrV4),
    /// The error `getsockopt(SO_ERROR)` read (the call itself returns 0); `None`
    /// when none was pending.
    SockError(Option<Errno>),
    /// A receive whose return value is not the bytes it copied (`MSG_TRUNC`):
    /// `len` is what the call returns, `data` what it copied (on TCP nothing:
    /// the bytes were discarded), `from` the sender for `recvfrom`.
    Length { len: usize, data: Arc<[u8]>, from: Option<SocketAddrV4> },
}

impl CallValue {
    /// The integer a C program would see as the return value.
    pub fn as_int(&self) -> i64 {
        match self {
            CallValue::Zero | CallValue::Name(_) | CallValue::SockError(_) => 0,
            CallValue::Length { len, .. } => *len as i64,
            CallValue::Fd(fd) | CallValue::Accepted { fd, .. } => i64::from(*fd),
            CallValue::Sent(n) => *n as i64,
            CallValue::Data(d) | CallValue::DataFrom { data: d, .. } => d.len() as i64,
        }
    }

    pub fn render(&self) -> String {
        match self {
            CallValue::Zero => "0".into(),
            CallValue::Fd(fd) => fd.to_string(),
            CallValue::Accepted { fd, peer } => format!("{fd} (peer {peer})"),
            CallValue::Sent(n) => n.to_string(),
            CallValue::Data(d) => quote_bytes(d),
            CallValue::DataFrom { data, from } => format!("{} from {from}", quote_bytes(data)),
            CallValue::Name(addr) => addr.to_string(),
            CallValue::SockError(None) => "[0]".into(),
            CallValue::SockError(Some(e)) => format!("[{e}]"),
            CallValue::Length { len, data, from } => {
                let mut out = format!("{len} bytes");
                if !data.is_empty() {
                    out.push_str(&format!(" (copied {})", quote_bytes(data)));
                }
                if let Some(from) = from {
                    out.push_str(&format!(" from {from}"));
                }
                out
            }
        }
    }
}

pub type CallResult = Result<CallValue, Errno>;

pub fn render_result(result: &CallResult) -> String {
    match result {
        Ok(v) => v.render(),
        Err(e) => format!("-1 {e}"),
    }
}

/// Bytes as a double-quoted string with C escapes, shortened past 64 bytes.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(64)];
    let mut s = String::from("\"");
    for &b in shown {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if bytes.len() > shown.len() {
        s.push_str(&format!("…({} bytes)", bytes.len()));
    }
    s
}

use super::addr::{HostId, SocketId};
use super::tcp::conn::Tcb;
use super::tcp::state::TcpState;
use super::udp::UdpSock;
use std::collections::VecDeque;

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
    pub kind: SocketKind,
    /// Calls blocked on this socket, oldest first.
    pub(crate) waiters: Vec<Waiter>,
    /// When each timer's event sits in the world's queue.
    pub(crate) timer_events: [Option<u64>; 5],
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
    /// The application shut down writing (`shutdown(SHUT_WR)`).
    pub write_shutdown: bool,
    /// `SO_LINGER {1, 0}`: `close` aborts with RST, leaving no TIME-WAIT.
    pub linger_abort: bool,
    /// What `connect()` has told the application so far (Linux's `sock->state`).
    pub connect_state: ConnectState,
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
