//! One script host's socket calls on real kernel sockets (socket2), behind the
//! same descriptor numbering the model uses (lowest free from 3), always
//! non-blocking underneath so one process can play every host: a call the script
//! expects to block is retried until the kernel lets it finish.

use super::links::HostNamespace;
use super::map::{AddressMap, BindAddress};
use crate::net::syscall::{CallValue, Domain, Errno, MsgFlags, Shutdown, SockOpt, SysCall};
use crate::net::tcp::congestion::CongestionControl;
use crate::net::tcp::state::TcpState;
use crate::net::tcp::TcpConfig;
use crate::net::{Fd, Protocol, SocketAddrV4};
use socket2::{SockAddr, Socket, Type};
use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;
use std::sync::Arc;

/// What the kernel answered: a value, a known errno, or an errno the model does
/// not name (kept as its number so a diff can show it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RealResult {
    Ok(CallValue),
    Err(Errno),
    OtherErrno(i32),
}

impl RealResult {
    fn from_io(e: &io::Error) -> RealResult {
        match e.raw_os_error() {
            Some(code) => Errno::from_code(code).map_or(RealResult::OtherErrno(code), RealResult::Err),
            None => RealResult::OtherErrno(-1),
        }
    }

    pub fn render(&self) -> String {
        match self {
            RealResult::Ok(v) => v.render(),
            RealResult::Err(e) => format!("-1 {e}"),
            RealResult::OtherErrno(code) => format!("-1 errno {code}"),
        }
    }
}

/// A call either finished or must be tried again later.
pub enum Attempt {
    Done(RealResult),
    Again(Resume),
}

/// Where a blocked call stands, so the retry continues rather than restarts.
#[derive(Clone, Debug)]
pub enum Resume {
    Connect,
    Other,
    Send { done: usize },
}

struct RealSocket {
    socket: Socket,
    protocol: Protocol,
    /// The script asked for O_NONBLOCK: report EAGAIN instead of waiting.
    nonblocking: bool,
    /// Which socket this is, for ever: a descriptor number is reused after
    /// close, but a script's name keeps meaning the socket it was given.
    serial: SocketSerial,
    /// A TCP socket's two ends (real addresses) once it has a peer: the kernel
    /// stops telling them when the connection leaves the socket for TIME-WAIT
    /// (`tcp_time_wait` → `tcp_done`: the socket is CLOSE, getpeername ENOTCONN).
    ends: Option<(SocketAddrV4, SocketAddrV4)>,
}

impl RealSocket {
    fn new(socket: Socket, protocol: Protocol, serial: SocketSerial) -> RealSocket {
        RealSocket { socket, protocol, nonblocking: false, serial, ends: None }
    }

    /// Notes the socket's two ends the first time the kernel tells them.
    fn remember_ends(&mut self) {
        if self.protocol != Protocol::Tcp || self.ends.is_some() {
            return;
        }
        let end = |a: io::Result<SockAddr>| a.ok().and_then(|a| a.as_socket_ipv4());
        self.ends = end(self.socket.local_addr()).zip(end(self.socket.peer_addr()));
    }
}

/// One socket of a run, open or closed (see [`RealProcess::tcp_state`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketSerial(u64);

/// TCP settings every new TCP socket of a run gets, so the kernel runs the
/// model's config rather than its own defaults where a socket option can say
/// it (a network namespace cannot: `tcp_congestion_control` there only takes
/// what the host allows). The script's own `setsockopt` lines come later and win.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketTcp {
    /// `TCP_CONGESTION`; `None` leaves the kernel's default.
    pub congestion: Option<CongestionControl>,
    /// `TCP_NODELAY`: the model runs without Nagle's algorithm.
    pub nodelay: bool,
}

impl SocketTcp {
    /// What the model's stack-wide `config` asks of each socket.
    pub fn of(config: &TcpConfig) -> SocketTcp {
        SocketTcp { congestion: Some(config.congestion), nodelay: !config.nagle }
    }
}

/// The sockets of one script host, as a process holds them.
pub struct RealProcess {
    fds: Vec<Option<RealSocket>>,
    next_serial: u64,
    tcp: SocketTcp,
    /// Settings of [`SocketTcp`] the kernel refused, once each.
    tcp_notes: Vec<String>,
    /// Closed TCP sockets with the two ends their connection had (real
    /// addresses; none when it had no peer), where the kernel may still keep it.
    closed: HashMap<SocketSerial, Option<(SocketAddrV4, SocketAddrV4)>>,
    /// The host's own network namespace, when it has one (see [`super::links`]);
    /// else sockets open in the driver's.
    namespace: Option<Arc<HostNamespace>>,
}

/// Why a socket's TCP state cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoState {
    /// A UDP socket has no TCP state.
    NotTcp,
    /// The kernel would not say (the message is its error).
    Unreadable(String),
}

/// Linux's MSG_NOSIGNAL: a send on a broken connection returns EPIPE instead of
/// killing the process with SIGPIPE.
const MSG_NOSIGNAL: i32 = libc::MSG_NOSIGNAL;

impl Default for RealProcess {
    fn default() -> Self {
        RealProcess {
            fds: (0..3).map(|_| None).collect(),
            next_serial: 0,
            tcp: SocketTcp::default(),
            tcp_notes: Vec::new(),
            closed: HashMap::new(),
            namespace: None,
        }
    }
}

impl RealProcess {
    /// A process whose TCP sockets all start with `tcp`.
    pub fn with_tcp(tcp: SocketTcp) -> RealProcess {
        RealProcess { tcp, ..RealProcess::default() }
    }

    /// This process's sockets open in `namespace` (see [`super::links`]).
    pub fn in_namespace(self, namespace: Option<Arc<HostNamespace>>) -> RealProcess {
        RealProcess { namespace, ..self }
    }

    /// `f` inside the host's namespace, if it has one.
    fn at_home<T>(&self, f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
        match &self.namespace {
            Some(namespace) => namespace.within(f)?,
            None => f(),
        }
    }

    /// Per-socket settings the kernel refused (see [`SocketTcp`]).
    pub fn tcp_notes(&self) -> &[String] {
        &self.tcp_notes
    }

    /// Sockets still open (the driver closes them all when a script ends).
    pub fn open_count(&self) -> usize {
        self.fds.iter().flatten().count()
    }

    pub fn close_all(&mut self) {
        for slot in &mut self.fds {
            *slot = None;
        }
    }

    /// The socket open on `fd`, if any.
    pub fn serial_of(&self, fd: Fd) -> Option<SocketSerial> {
        self.get(fd).map(|s| s.serial)
    }

    /// The congestion window of the connection open on `fd` (see [`super::congestion`]).
    pub fn congestion(&self, fd: Fd) -> Option<super::congestion::KernelReading> {
        self.get(fd)
            .filter(|s| s.protocol == Protocol::Tcp)
            .and_then(|s| super::congestion::KernelReading::of(&s.socket))
    }

    /// The kernel's TCP state of a socket of this process: from `TCP_INFO` while
    /// it is open, else from the kernel's table of connections (see [`super::state`]).
    pub fn tcp_state(&self, serial: SocketSerial) -> Result<TcpState, NoState> {
        let unreadable = |e: io::Error| NoState::Unreadable(e.to_string());
        if let Some(open) = self.fds.iter().flatten().find(|s| s.serial == serial) {
            if open.protocol != Protocol::Tcp {
                return Err(NoState::NotTcp);
            }
            return match (super::state::of_socket(&open.socket).map_err(unreadable)?, open.ends) {
                // The connection went on without the socket (TIME-WAIT): its
                // state is the kernel's table's.
                (TcpState::Closed, Some((local, peer))) => {
                    self.at_home(|| super::state::of_connection(local, peer)).map_err(unreadable)
                }
                (state, _) => Ok(state),
            };
        }
        match self.closed.get(&serial) {
            Some(Some((local, peer))) => {
                self.at_home(|| super::state::of_connection(*local, *peer)).map_err(unreadable)
            }
            Some(None) => Ok(TcpState::Closed),
            None => Err(NoState::NotTcp),
        }
    }

    fn new_serial(&mut self) -> SocketSerial {
        self.next_serial += 1;
        SocketSerial(self.next_serial)
    }

    fn allocate(&mut self, s: RealSocket) -> Fd {
        match self.fds.iter().skip(3).position(Option::is_none) {
            Some(i) => {
                self.fds[i + 3] = Some(s);
                (i + 3) as Fd
            }
            None => {
                self.fds.push(Some(s));
                (self.fds.len() - 1) as Fd
            }
        }
    }

    fn get(&self, fd: Fd) -> Option<&RealSocket> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get(i)).and_then(Option::as_ref)
    }

    /// Whether a blocked call would rather fail with EAGAIN (the script set O_NONBLOCK).
    pub fn is_nonblocking(&self, fd: Fd) -> bool {
        self.get(fd).is_some_and(|s| s.nonblocking)
    }

    /// Why the kernel's answer to `call` will be to a stand-in for the script's
    /// address rather than to the address itself (see [`super::map`]), if it will.
    pub fn stand_in(&self, call: &SysCall, map: &AddressMap, host: usize) -> Option<&'static str> {
        match call {
            SysCall::Bind { addr, .. } => match map.bind_address(host, *addr.ip()) {
                BindAddress::StandIn { why, .. } => Some(why),
                _ => None,
            },
            SysCall::Listen { fd, .. } if !map.kernel_wildcard() => {
                let rs = self.get(*fd).filter(|rs| rs.protocol == Protocol::Tcp)?;
                let local = rs.socket.local_addr().ok().and_then(|a| a.as_socket_ipv4())?;
                (local.port() == 0 && local.ip().is_unspecified()).then_some(super::map::WILDCARD_STAND_IN)
            }
            _ => None,
        }
    }

    /// Tries `call` once. Addresses have already been checked by the caller
    /// (`map` translates script addresses to loopback ones).
    pub fn attempt(&mut self, call: &SysCall, resume: Option<&Resume>, map: &AddressMap, host: usize) -> Attempt {
        let attempt = self.attempt_once(call, resume, map, host);
        let accepted = match &attempt {
            Attempt::Done(RealResult::Ok(CallValue::Accepted { fd, .. })) => Some(*fd),
            _ => None,
        };
        for fd in call.fd().into_iter().chain(accepted) {
            if let Some(Some(rs)) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) {
                rs.remember_ends();
            }
        }
        attempt
    }

    fn attempt_once(&mut self, call: &SysCall, resume: Option<&Resume>, map: &AddressMap, host: usize) -> Attempt {
        if let SysCall::Socket { domain, protocol } = call {
            return Attempt::Done(self.open(*domain, *protocol));
        }
        let Some(fd) = call.fd() else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        if let SysCall::Close { .. } = call {
            let slot = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i));
            return Attempt::Done(match slot.and_then(Option::take) {
                Some(mut closed) => {
                    if closed.protocol == Protocol::Tcp {
                        // Where the kernel keeps the connection after close.
                        closed.remember_ends();
                        self.closed.insert(closed.serial, closed.ends);
                    }
                    RealResult::Ok(CallValue::Zero)
                }
                None => RealResult::Err(Errno::EBADF),
            });
        }
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        if resume.is_none() {
            if let Err(e) = autobind(rs, call, map, host) {
                return Attempt::Done(RealResult::from_io(&e));
            }
        }
        let s = &rs.socket;
        let io_done = |r: io::Result<CallValue>| match r {
            Ok(v) => Attempt::Done(RealResult::Ok(v)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Attempt::Again(Resume::Other),
            Err(e) => Attempt::Done(RealResult::from_io(&e)),
        };
        match call {
            SysCall::Socket { .. } | SysCall::Close { .. } => Attempt::Done(RealResult::Err(Errno::EINVAL)),
            SysCall::Bind { addr, .. } => {
                let ip = match map.bind_address(host, *addr.ip()) {
                    BindAddress::Kernel(real) | BindAddress::StandIn { real, .. } => real,
                    BindAddress::Driver { errno, .. } => return Attempt::Done(RealResult::Err(errno)),
                };
                io_done(s.bind(&SockAddr::from(SocketAddrV4::new(ip, addr.port()))).map(|_| CallValue::Zero))
            }
            SysCall::Listen { backlog, .. } => {
                let backlog = i32::try_from(*backlog).unwrap_or(i32::MAX);
                io_done(s.listen(backlog).map(|_| CallValue::Zero))
            }
            SysCall::Accept { .. } => match s.accept() {
                Ok((conn, peer)) => {
                    // One thread plays every host, so a blocking descriptor would
                    // stall the whole run in its first recv, past every bound and
                    // the budget. If it cannot be made non-blocking, the accept
                    // fails (and the connection is closed) instead.
                    if let Err(e) = conn.set_nonblocking(true) {
                        return Attempt::Done(RealResult::from_io(&e));
                    }
                    let peer =
                        peer.as_socket_ipv4().map(|p| map.to_script(p)).unwrap_or(SocketAddrV4::new(0.into(), 0));
                    let serial = self.new_serial();
                    let fd = self.allocate(RealSocket::new(conn, Protocol::Tcp, serial));
                    Attempt::Done(RealResult::Ok(CallValue::Accepted { fd, peer }))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Attempt::Again(Resume::Other),
                Err(e) => Attempt::Done(RealResult::from_io(&e)),
            },
            SysCall::Connect { addr, .. } => self.connect(fd, *addr, resume, map, host),
            SysCall::Send { data, .. } => self.send(fd, data, None, resume, map, host),
            SysCall::SendTo { data, addr, .. } => self.send(fd, data, *addr, resume, map, host),
            SysCall::Recv { len, .. } => self.recv(fd, *len, false, map),
            SysCall::RecvFrom { len, .. } => self.recv(fd, *len, true, map),
            SysCall::Shutdown { how, .. } => {
                let how = match how {
                    Shutdown::Read => std::net::Shutdown::Read,
                    Shutdown::Write => std::net::Shutdown::Write,
                    Shutdown::Both => std::net::Shutdown::Both,
                };
                io_done(s.shutdown(how).map(|_| CallValue::Zero))
            }
            SysCall::SetSockOpt { opt, .. } => {
                let r = match *opt {
                    SockOpt::ReuseAddr(on) => s.set_reuse_address(on),
                    SockOpt::NonBlocking(on) => {
                        if let Some(Some(rs)) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) {
                            rs.nonblocking = on;
                        }
                        Ok(())
                    }
                    SockOpt::RcvBuf(n) => s.set_recv_buffer_size(n),
                    SockOpt::SndBuf(n) => s.set_send_buffer_size(n),
                    SockOpt::NoDelay(on) => s.set_tcp_nodelay(on),
                    SockOpt::QuickAck(on) => s.set_tcp_quickack(on),
                    SockOpt::Linger { on, secs } => {
                        s.set_linger(on.then_some(std::time::Duration::from_secs(u64::from(secs))))
                    }
                    SockOpt::Congestion(control) => s.set_tcp_congestion(control.name().as_bytes()),
                };
                io_done(r.map(|_| CallValue::Zero))
            }
            SysCall::GetSockName { .. } => {
                let unbound = SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0);
                let name = s.local_addr().map(|a| a.as_socket_ipv4().map_or(unbound, |a| map.to_script(a)));
                io_done(name.map(CallValue::Name))
            }
            SysCall::GetPeerName { .. } => match s.peer_addr() {
                Ok(a) => match a.as_socket_ipv4() {
                    Some(a) => Attempt::Done(RealResult::Ok(CallValue::Name(map.to_script(a)))),
                    None => Attempt::Done(RealResult::Err(Errno::ENOTCONN)),
                },
                Err(e) => Attempt::Done(RealResult::from_io(&e)),
            },
            SysCall::GetSockError { .. } => Attempt::Done(match s.take_error() {
                Ok(None) => RealResult::Ok(CallValue::SockError(None)),
                Ok(Some(e)) => match e.raw_os_error().and_then(Errno::from_code) {
                    Some(errno) => RealResult::Ok(CallValue::SockError(Some(errno))),
                    None => RealResult::OtherErrno(e.raw_os_error().unwrap_or(-1)),
                },
                Err(e) => RealResult::from_io(&e),
            }),
            SysCall::RecvFlags { len, flags, from, .. } => self.recv_flagged(fd, *len, *flags, *from, map),
            SysCall::Disconnect { .. } => io_done(connect_af_unspec(s).map(|_| CallValue::Zero)),
        }
    }

    fn open(&mut self, domain: Domain, protocol: Protocol) -> RealResult {
        let d = match domain {
            Domain::Inet => socket2::Domain::IPV4,
            // Never a real IPv6 socket: the driver keeps every address inside
            // 127.0.0.0/8, and the model has no IPv6 (EAFNOSUPPORT). The driver
            // answers these calls before they get here; this holds for any caller.
            Domain::Inet6 => return RealResult::Err(Errno::EAFNOSUPPORT),
        };
        let ty = match protocol {
            Protocol::Tcp => Type::STREAM,
            Protocol::Udp => Type::DGRAM,
        };
        match self.at_home(|| Socket::new(d, ty, None)).and_then(|s| s.set_nonblocking(true).map(|_| s)) {
            Ok(socket) => {
                if protocol == Protocol::Tcp {
                    self.apply_tcp(&socket);
                }
                let serial = self.new_serial();
                RealResult::Ok(CallValue::Fd(self.allocate(RealSocket::new(socket, protocol, serial))))
            }
            Err(e) => RealResult::from_io(&e),
        }
    }

    /// Gives a new TCP socket the run's [`SocketTcp`]. A refusal does not fail
    /// the script's `socket()` (Linux's would not fail either); it is noted.
    fn apply_tcp(&mut self, socket: &Socket) {
        let mut refused = |what: String, e: io::Error| {
            let note = format!("{what}: {e}; the kernel's sockets kept its default");
            if !self.tcp_notes.contains(&note) {
                self.tcp_notes.push(note);
            }
        };
        if let Some(control) = self.tcp.congestion {
            if let Err(e) = socket.set_tcp_congestion(control.name().as_bytes()) {
                refused(format!("TCP_CONGESTION {}", control.name()), e);
            }
        }
        if self.tcp.nodelay {
            if let Err(e) = socket.set_tcp_nodelay(true) {
                refused("TCP_NODELAY".into(), e);
            }
        }
    }

    fn connect(
        &mut self,
        fd: Fd,
        addr: SocketAddrV4,
        resume: Option<&Resume>,
        map: &AddressMap,
        host: usize,
    ) -> Attempt {
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        // The script's blocking connect waits as `__inet_stream_connect` does
        // (`inet_wait_for_connect`) while the kernel socket, non-blocking, says
        // EINPROGRESS and then EALREADY. Each retry asks the kernel again, and
        // the first answer past the handshake is the kernel's own collection of
        // it: 0 (SS_CONNECTED, so the next connect is EISCONN), or the error
        // that ended it (`sock_error`, the socket disconnected and free to
        // connect again). A non-blocking script gets every answer as it comes.
        let waits = !rs.nonblocking || resume.is_some();
        match rs.socket.connect(&SockAddr::from(map.to_real(host, addr))) {
            Ok(()) => Attempt::Done(RealResult::Ok(CallValue::Zero)),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EALREADY)) && waits => {
                Attempt::Again(Resume::Connect)
            }
            Err(e) => Attempt::Done(RealResult::from_io(&e)),
        }
    }

    fn send(
        &mut self,
        fd: Fd,
        data: &Arc<[u8]>,
        to: Option<SocketAddrV4>,
        resume: Option<&Resume>,
        map: &AddressMap,
        host: usize,
    ) -> Attempt {
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        let mut done = match resume {
            Some(Resume::Send { done }) => *done,
            _ => 0,
        };
        loop {
            let rest = &data[done..];
            let r = match (to, rs.protocol) {
                (Some(addr), Protocol::Udp) => {
                    rs.socket.send_to_with_flags(rest, &SockAddr::from(map.to_real(host, addr)), MSG_NOSIGNAL)
                }
                _ => rs.socket.send_with_flags(rest, MSG_NOSIGNAL),
            };
            match r {
                Ok(n) => {
                    done += n;
                    if done == data.len() || rs.protocol == Protocol::Udp {
                        return Attempt::Done(RealResult::Ok(CallValue::Sent(done)));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return if rs.nonblocking && done > 0 {
                        Attempt::Done(RealResult::Ok(CallValue::Sent(done)))
                    } else {
                        Attempt::Again(Resume::Send { done })
                    };
                }
                Err(e) if done > 0 => {
                    let _ = e;
                    return Attempt::Done(RealResult::Ok(CallValue::Sent(done)));
                }
                Err(e) => return Attempt::Done(RealResult::from_io(&e)),
            }
        }
    }

    /// `recv`/`recvfrom` with `MSG_PEEK`/`MSG_TRUNC`: the kernel's return value
    /// may be more than it copied (a UDP datagram's full length), or nothing
    /// copied at all (TCP's `MSG_TRUNC` discards).
    fn recv_flagged(&mut self, fd: Fd, len: usize, flags: MsgFlags, with_sender: bool, map: &AddressMap) -> Attempt {
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        let bits = if flags.peek { libc::MSG_PEEK } else { 0 } | if flags.trunc { libc::MSG_TRUNC } else { 0 };
        let mut buf: Vec<MaybeUninit<u8>> = vec![MaybeUninit::uninit(); len];
        match rs.socket.recv_from_with_flags(&mut buf, bits) {
            Ok((n, from)) => {
                let udp = rs.protocol == Protocol::Udp;
                // TCP with MSG_TRUNC copies nothing; otherwise the first bytes, up to the buffer.
                let copied = if flags.trunc && !udp { 0 } else { n.min(len) };
                // SAFETY: the kernel initialised the first `copied` bytes.
                let bytes: Vec<u8> = buf[..copied].iter().map(|b| unsafe { b.assume_init() }).collect();
                let data: Arc<[u8]> = Arc::from(bytes);
                let sender = from.as_socket_ipv4().filter(|_| with_sender && udp).map(|a| map.to_script(a));
                // As the model says it: a UDP datagram's length always, TCP's
                // end of stream as the empty read it is.
                let value = match (flags.trunc && (udp || n > 0), sender) {
                    (true, _) => CallValue::Length { len: n, data, from: sender },
                    (false, Some(from)) => CallValue::DataFrom { data, from },
                    (false, None) => CallValue::Data(data),
                };
                Attempt::Done(RealResult::Ok(value))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Attempt::Again(Resume::Other),
            Err(e) => Attempt::Done(RealResult::from_io(&e)),
        }
    }

    fn recv(&mut self, fd: Fd, len: usize, with_sender: bool, map: &AddressMap) -> Attempt {
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        let mut buf: Vec<MaybeUninit<u8>> = vec![MaybeUninit::uninit(); len];
        match rs.socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                let n = n.min(len);
                // SAFETY: the kernel initialised the first `n` bytes.
                let bytes: Vec<u8> = buf[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
                let data: Arc<[u8]> = Arc::from(bytes);
                let value = match (with_sender && rs.protocol == Protocol::Udp, from.as_socket_ipv4()) {
                    (true, Some(from)) => CallValue::DataFrom { data, from: map.to_script(from) },
                    _ => CallValue::Data(data),
                };
                Attempt::Done(RealResult::Ok(value))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Attempt::Again(Resume::Other),
            Err(e) => Attempt::Done(RealResult::from_io(&e)),
        }
    }
}

/// Gives an unbound socket the local address the kernel's automatic bind would
/// give it, before a call that binds automatically — but never an address
/// outside the script's (see [`super::map`]):
/// - TCP `listen` binds 0.0.0.0 and an ephemeral port (`inet_csk_listen_start`
///   → `get_port(sk, 0)`): left to the kernel when its wildcard is the
///   script's, else the host's first address stands in;
/// - TCP and UDP `connect` pick the source address by route and the port at
///   connect (`inet_hash_connect`, `inet_dgram_connect` → `inet_autobind`):
///   the host's source towards the destination ([`AddressMap::source_for`])
///   is set with IP_BIND_ADDRESS_NO_PORT, so the port is still the kernel's
///   choice at connect, as without the bind;
/// - UDP `send`/`sendto` bind an ephemeral port before anything else
///   (`inet_send_prepare` → `inet_autobind`, even when the send then fails),
///   the address left 0.0.0.0 and each datagram's source picked by route: the
///   driver binds the source towards the first destination instead, so a
///   later datagram to another kind of destination keeps that source (a limit).
///
/// TCP `send` binds nothing (`tcp_prot.no_autobind`), nor does UDP `listen`
/// (EOPNOTSUPP from `sock_no_listen`, the socket left unbound).
fn autobind(rs: &RealSocket, call: &SysCall, map: &AddressMap, host: usize) -> io::Result<()> {
    let local = rs.socket.local_addr()?.as_socket_ipv4();
    if local.is_some_and(|a| a.port() != 0 || !a.ip().is_unspecified()) {
        return Ok(());
    }
    let dest = match call {
        SysCall::Connect { addr, .. } | SysCall::SendTo { addr: Some(addr), .. } => Some(*addr.ip()),
        _ => None,
    };
    let source = SockAddr::from(SocketAddrV4::new(map.source_for(host, dest), 0));
    match (call, rs.protocol) {
        (SysCall::Listen { .. }, Protocol::Tcp) if !map.kernel_wildcard() => rs.socket.bind(&source),
        (SysCall::Connect { .. }, _) => {
            let on: libc::c_int = 1;
            // SAFETY: an int option, given with its true size, on a socket we own.
            let rc = unsafe {
                libc::setsockopt(
                    rs.socket.as_raw_fd(),
                    libc::IPPROTO_IP,
                    libc::IP_BIND_ADDRESS_NO_PORT,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            rs.socket.bind(&source)
        }
        (SysCall::Send { .. } | SysCall::SendTo { .. }, Protocol::Udp) => rs.socket.bind(&source),
        _ => Ok(()),
    }
}

/// `connect(fd, AF_UNSPEC)`: the kernel's way to dissolve a socket's association.
fn connect_af_unspec(socket: &Socket) -> io::Result<()> {
    // SAFETY: a zeroed sockaddr with family AF_UNSPEC and its true length.
    let r = unsafe {
        let mut addr: libc::sockaddr = std::mem::zeroed();
        addr.sa_family = libc::AF_UNSPEC as libc::sa_family_t;
        libc::connect(
            std::os::fd::AsRawFd::as_raw_fd(socket),
            &addr,
            std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
