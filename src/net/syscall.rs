//! The vocabulary of the socket API the world offers each host: the calls, their
//! options and flags, the values they return and the `Errno`s Linux gives for them.
//! What a call does to a socket is `calls.rs`; the sockets themselves `socket.rs`.

use super::addr::{Fd, Protocol, SocketAddrV4};
use super::tcp::congestion::CongestionControl;
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
    ENOPROTOOPT,
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
    pub const ALL: [Errno; 22] = [
        Errno::EBADF,
        Errno::EAGAIN,
        Errno::EINVAL,
        Errno::EPIPE,
        Errno::ENOTSOCK,
        Errno::EDESTADDRREQ,
        Errno::EMSGSIZE,
        Errno::EOPNOTSUPP,
        Errno::ENOPROTOOPT,
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
            Errno::ENOPROTOOPT => 92,
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
            Errno::ENOPROTOOPT => "ENOPROTOOPT",
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
    /// of [`SOCK_MIN_RCVBUF`](super::socket::SOCK_MIN_RCVBUF) (see
    /// [`buffer_capacity`](super::socket::buffer_capacity))
    RcvBuf(usize),
    /// `SO_SNDBUF`, in bytes: the data the send buffer holds, at least half of
    /// [`SOCK_MIN_SNDBUF`](super::socket::SOCK_MIN_SNDBUF)
    SndBuf(usize),
    /// `TCP_NODELAY` off turns Nagle's algorithm on
    NoDelay(bool),
    /// `TCP_QUICKACK`: 1 sends an owed ACK now and leaves pingpong mode, 0
    /// enters it; not a lasting setting (Linux's receive path changes it again)
    QuickAck(bool),
    /// `SO_LINGER {on, secs}`; `{1, 0}` makes `close` abort the connection
    /// with RST (see [`SockOpt::aborts_on_close`])
    Linger { on: bool, secs: u32 },
    /// `TCP_CONGESTION`: the congestion control algorithm, by name
    Congestion(CongestionControl),
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

/// A socket call, generic over how it names its descriptor (`F`) and the
/// bytes it sends (`B`): as the world takes it, [`SysCall`] (numbers and
/// bytes), or as a script writes it, `script::ast::CallSpec` (names and text).
/// One list of calls for both, so a new call is added here; [`Call::try_map`]
/// turns one form into the other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call<F, B> {
    Socket {
        domain: Domain,
        protocol: Protocol,
    },
    Bind {
        fd: F,
        addr: SocketAddrV4,
    },
    Listen {
        fd: F,
        backlog: u32,
    },
    Accept {
        fd: F,
    },
    Connect {
        fd: F,
        addr: SocketAddrV4,
    },
    Send {
        fd: F,
        data: B,
    },
    Recv {
        fd: F,
        len: usize,
    },
    SendTo {
        fd: F,
        data: B,
        addr: Option<SocketAddrV4>,
    },
    RecvFrom {
        fd: F,
        len: usize,
    },
    Shutdown {
        fd: F,
        how: Shutdown,
    },
    Close {
        fd: F,
    },
    SetSockOpt {
        fd: F,
        opt: SockOpt,
    },
    /// `getsockname`: the socket's own address.
    GetSockName {
        fd: F,
    },
    /// `getpeername`: the connected peer's address.
    GetPeerName {
        fd: F,
    },
    /// `getsockopt(fd, SO_ERROR)`: reads and clears the pending error.
    GetSockError {
        fd: F,
    },
    /// `recv`/`recvfrom` (`from`) with `MSG_*` flags.
    RecvFlags {
        fd: F,
        len: usize,
        flags: MsgFlags,
        from: bool,
    },
    /// `connect(fd, AF_UNSPEC)`: dissolves the socket's association.
    Disconnect {
        fd: F,
    },
}

/// A socket call, as a process makes it.
pub type SysCall = Call<Fd, Arc<[u8]>>;

impl<F, B> Call<F, B> {
    pub fn name(&self) -> &'static str {
        match self {
            Call::Socket { .. } => "socket",
            Call::Bind { .. } => "bind",
            Call::Listen { .. } => "listen",
            Call::Accept { .. } => "accept",
            Call::Connect { .. } => "connect",
            Call::Send { .. } => "send",
            Call::Recv { .. } => "recv",
            Call::SendTo { .. } => "sendto",
            Call::RecvFrom { .. } => "recvfrom",
            Call::Shutdown { .. } => "shutdown",
            Call::Close { .. } => "close",
            Call::SetSockOpt { .. } => "setsockopt",
            Call::GetSockName { .. } => "getsockname",
            Call::GetPeerName { .. } => "getpeername",
            Call::GetSockError { .. } => "getsockopt",
            Call::RecvFlags { from: false, .. } => "recv",
            Call::RecvFlags { from: true, .. } => "recvfrom",
            Call::Disconnect { .. } => "connect",
        }
    }

    /// The descriptor the call works on (none for `socket`).
    pub fn descriptor(&self) -> Option<&F> {
        match self {
            Call::Socket { .. } => None,
            Call::Bind { fd, .. }
            | Call::Listen { fd, .. }
            | Call::Accept { fd }
            | Call::Connect { fd, .. }
            | Call::Send { fd, .. }
            | Call::Recv { fd, .. }
            | Call::SendTo { fd, .. }
            | Call::RecvFrom { fd, .. }
            | Call::Shutdown { fd, .. }
            | Call::Close { fd }
            | Call::SetSockOpt { fd, .. }
            | Call::GetSockName { fd }
            | Call::GetPeerName { fd }
            | Call::GetSockError { fd }
            | Call::RecvFlags { fd, .. }
            | Call::Disconnect { fd } => Some(fd),
        }
    }

    /// The address the call names (`bind`, `connect`, `sendto` with one).
    pub fn addr(&self) -> Option<SocketAddrV4> {
        match self {
            Call::Bind { addr, .. } | Call::Connect { addr, .. } => Some(*addr),
            Call::SendTo { addr, .. } => *addr,
            _ => None,
        }
    }

    /// Calls whose return value is a new descriptor.
    pub fn returns_fd(&self) -> bool {
        matches!(self, Call::Socket { .. } | Call::Accept { .. })
    }

    /// C-like rendering, `connect(3, 10.0.0.1:80)`, with the descriptor and the
    /// bytes written by `fd` and `data`.
    pub fn render_with(&self, fd: impl Fn(&F) -> String, data: impl Fn(&B) -> String) -> String {
        let f = self.descriptor().map(fd).unwrap_or_default();
        match self {
            Call::Socket { domain, protocol } => match domain {
                Domain::Inet => format!("socket({protocol})"),
                Domain::Inet6 => format!("socket(inet6, {protocol})"),
            },
            Call::Bind { addr, .. } => format!("bind({f}, {addr})"),
            Call::Listen { backlog, .. } => format!("listen({f}, {backlog})"),
            Call::Accept { .. } => format!("accept({f})"),
            Call::Connect { addr, .. } => format!("connect({f}, {addr})"),
            Call::Send { data: d, .. } => format!("send({f}, {})", data(d)),
            Call::Recv { len, .. } => format!("recv({f}, {len})"),
            Call::SendTo { data: d, addr: Some(a), .. } => format!("sendto({f}, {}, {a})", data(d)),
            Call::SendTo { data: d, addr: None, .. } => format!("sendto({f}, {})", data(d)),
            Call::RecvFrom { len, .. } => format!("recvfrom({f}, {len})"),
            Call::Shutdown { how, .. } => format!(
                "shutdown({f}, {})",
                match how {
                    Shutdown::Read => "rd",
                    Shutdown::Write => "wr",
                    Shutdown::Both => "rdwr",
                }
            ),
            Call::Close { .. } => format!("close({f})"),
            Call::SetSockOpt { opt, .. } => match opt {
                SockOpt::ReuseAddr(on) => format!("setsockopt({f}, SO_REUSEADDR, {})", u8::from(*on)),
                SockOpt::NonBlocking(on) => format!("setsockopt({f}, O_NONBLOCK, {})", u8::from(*on)),
                SockOpt::RcvBuf(n) => format!("setsockopt({f}, SO_RCVBUF, {n})"),
                SockOpt::SndBuf(n) => format!("setsockopt({f}, SO_SNDBUF, {n})"),
                SockOpt::NoDelay(on) => format!("setsockopt({f}, TCP_NODELAY, {})", u8::from(*on)),
                SockOpt::QuickAck(on) => format!("setsockopt({f}, TCP_QUICKACK, {})", u8::from(*on)),
                SockOpt::Linger { on, secs } => format!("setsockopt({f}, SO_LINGER, {{{}, {secs}}})", u8::from(*on)),
                SockOpt::Congestion(c) => format!("setsockopt({f}, TCP_CONGESTION, \"{}\")", c.name()),
            },
            Call::GetSockName { .. } => format!("getsockname({f})"),
            Call::GetPeerName { .. } => format!("getpeername({f})"),
            Call::GetSockError { .. } => format!("getsockopt({f}, SO_ERROR)"),
            Call::RecvFlags { len, flags, from, .. } => {
                format!("{}({f}, {len}, {})", if *from { "recvfrom" } else { "recv" }, flags.render())
            }
            Call::Disconnect { .. } => format!("connect({f}, AF_UNSPEC)"),
        }
    }

    /// The same call with its descriptor and bytes turned into another form by
    /// `fd` and `data` (both given `cx`, the one state they may share), or the
    /// first error either gives: the descriptor is turned first.
    pub fn try_map<G, C, E, Cx>(
        &self,
        cx: &mut Cx,
        mut fd: impl FnMut(&mut Cx, &F) -> Result<G, E>,
        mut data: impl FnMut(&mut Cx, &B) -> Result<C, E>,
    ) -> Result<Call<G, C>, E> {
        Ok(match self {
            Call::Socket { domain, protocol } => Call::Socket { domain: *domain, protocol: *protocol },
            Call::Bind { fd: f, addr } => Call::Bind { fd: fd(cx, f)?, addr: *addr },
            Call::Listen { fd: f, backlog } => Call::Listen { fd: fd(cx, f)?, backlog: *backlog },
            Call::Accept { fd: f } => Call::Accept { fd: fd(cx, f)? },
            Call::Connect { fd: f, addr } => Call::Connect { fd: fd(cx, f)?, addr: *addr },
            Call::Send { fd: f, data: d } => {
                let fd = fd(cx, f)?;
                Call::Send { fd, data: data(cx, d)? }
            }
            Call::Recv { fd: f, len } => Call::Recv { fd: fd(cx, f)?, len: *len },
            Call::SendTo { fd: f, data: d, addr } => {
                let fd = fd(cx, f)?;
                Call::SendTo { fd, data: data(cx, d)?, addr: *addr }
            }
            Call::RecvFrom { fd: f, len } => Call::RecvFrom { fd: fd(cx, f)?, len: *len },
            Call::Shutdown { fd: f, how } => Call::Shutdown { fd: fd(cx, f)?, how: *how },
            Call::Close { fd: f } => Call::Close { fd: fd(cx, f)? },
            Call::SetSockOpt { fd: f, opt } => Call::SetSockOpt { fd: fd(cx, f)?, opt: *opt },
            Call::GetSockName { fd: f } => Call::GetSockName { fd: fd(cx, f)? },
            Call::GetPeerName { fd: f } => Call::GetPeerName { fd: fd(cx, f)? },
            Call::GetSockError { fd: f } => Call::GetSockError { fd: fd(cx, f)? },
            Call::RecvFlags { fd: f, len, flags, from } => {
                Call::RecvFlags { fd: fd(cx, f)?, len: *len, flags: *flags, from: *from }
            }
            Call::Disconnect { fd: f } => Call::Disconnect { fd: fd(cx, f)? },
        })
    }
}

impl SysCall {
    /// The descriptor the call works on (none for `socket`).
    pub fn fd(&self) -> Option<Fd> {
        self.descriptor().copied()
    }

    /// C-like rendering: `connect(3, 10.0.0.1:80)`.
    pub fn render(&self) -> String {
        self.render_with(|fd| fd.to_string(), |data| quote_bytes(data))
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
            CallValue::Accepted { fd, peer } => format!("{fd} from {peer}"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn a_call_named_one_way_maps_to_the_other_and_serialises_as_the_trace_always_did() {
        let to = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
        let named: Call<&str, &str> = Call::SendTo { fd: "c", data: "hi", addr: Some(to) };
        assert_eq!(named.render_with(|n| n.to_string(), |t| format!("{t:?}")), "sendto(c, \"hi\", 10.0.0.1:80)");
        let fd = |_: &mut (), _: &&str| Ok::<Fd, ()>(3);
        let sys: SysCall = named.try_map(&mut (), fd, |_, t| Ok(Arc::from(t.as_bytes()))).expect("maps");
        assert_eq!(sys.render(), "sendto(3, \"hi\", 10.0.0.1:80)");
        assert_eq!((sys.name(), sys.fd(), sys.addr()), ("sendto", Some(3), Some(to)));
        let json = serde_json::to_string(&sys).expect("serialises");
        assert_eq!(json, r#"{"SendTo":{"fd":3,"data":[104,105],"addr":"10.0.0.1:80"}}"#);
        assert_eq!(serde_json::from_str::<SysCall>(&json).ok(), Some(sys));
    }

    #[test]
    fn mapping_stops_at_the_descriptor_before_making_the_bytes() {
        let named: Call<&str, &str> = Call::Send { fd: "nobody", data: "hi" };
        let mut bytes_made = 0;
        let mapped = named.try_map(
            &mut bytes_made,
            |_, name| Err::<Fd, String>(format!("no descriptor named {name}")),
            |made, t| {
                *made += 1;
                Ok(Arc::<[u8]>::from(t.as_bytes()))
            },
        );
        assert_eq!(mapped, Err("no descriptor named nobody".to_string()));
        assert_eq!(bytes_made, 0);
    }
}
