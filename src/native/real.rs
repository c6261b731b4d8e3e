//! One script host's socket calls on real kernel sockets (socket2), behind the
//! same descriptor numbering the model uses (lowest free from 3), always
//! non-blocking underneath so one process can play every host: a call the script
//! expects to block is retried until the kernel lets it finish.

use super::map::AddressMap;
use crate::net::socket::{CallValue, Domain, Errno, MsgFlags, Shutdown, SockOpt, SysCall};
use crate::net::{Fd, Protocol, SocketAddrV4};
use socket2::{SockAddr, Socket, Type};
use std::io;
use std::mem::MaybeUninit;
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
    /// Has a local address: else the driver binds it to its host's loopback
    /// address first, because the kernel's own automatic bind would pick
    /// 0.0.0.0 (every interface) and a source of 127.0.0.1 (not the host's).
    bound: bool,
    /// The script asked for O_NONBLOCK: report EAGAIN instead of waiting.
    nonblocking: bool,
}

/// The sockets of one script host, as a process holds them.
pub struct RealProcess {
    fds: Vec<Option<RealSocket>>,
}

/// Linux's MSG_NOSIGNAL: a send on a broken connection returns EPIPE instead of
/// killing the process with SIGPIPE.
const MSG_NOSIGNAL: i32 = libc::MSG_NOSIGNAL;

impl Default for RealProcess {
    fn default() -> Self {
        RealProcess { fds: (0..3).map(|_| None).collect() }
    }
}

impl RealProcess {
    /// Sockets still open (the driver closes them all when a script ends).
    pub fn open_count(&self) -> usize {
        self.fds.iter().flatten().count()
    }

    pub fn close_all(&mut self) {
        for slot in &mut self.fds {
            *slot = None;
        }
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

    /// Tries `call` once. Addresses have already been checked and mapped by the
    /// caller (`map` translates script addresses to loopback ones).
    pub fn attempt(&mut self, call: &SysCall, resume: Option<&Resume>, map: &AddressMap, host: usize) -> Attempt {
        if let SysCall::Socket { domain, protocol } = call {
            return Attempt::Done(self.open(*domain, *protocol));
        }
        let Some(fd) = call.fd() else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        if let SysCall::Close { .. } = call {
            let slot = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i));
            return Attempt::Done(match slot.and_then(Option::take) {
                Some(_) => RealResult::Ok(CallValue::Zero),
                None => RealResult::Err(Errno::EBADF),
            });
        }
        let needs_local = matches!(
            call,
            SysCall::Listen { .. } | SysCall::Connect { .. } | SysCall::Send { .. } | SysCall::SendTo { .. }
        );
        if needs_local && resume.is_none() {
            if let Err(e) = self.bind_to_own_loopback(fd, map, host) {
                return Attempt::Done(RealResult::from_io(&e));
            }
        }
        if let SysCall::Bind { addr, .. } = call {
            let Some(Some(rs)) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) else {
                return Attempt::Done(RealResult::Err(Errno::EBADF));
            };
            return Attempt::Done(match rs.socket.bind(&SockAddr::from(map.to_real(host, *addr))) {
                Ok(()) => {
                    rs.bound = true;
                    RealResult::Ok(CallValue::Zero)
                }
                Err(e) => RealResult::from_io(&e),
            });
        }
        let Some(rs) = self.get(fd) else { return Attempt::Done(RealResult::Err(Errno::EBADF)) };
        let s = &rs.socket;
        let io_done = |r: io::Result<CallValue>| match r {
            Ok(v) => Attempt::Done(RealResult::Ok(v)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Attempt::Again(Resume::Other),
            Err(e) => Attempt::Done(RealResult::from_io(&e)),
        };
        match call {
            SysCall::Socket { .. } | SysCall::Close { .. } | SysCall::Bind { .. } => {
                Attempt::Done(RealResult::Err(Errno::EINVAL))
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
                    let fd = self.allocate(RealSocket {
                        socket: conn,
                        protocol: Protocol::Tcp,
                        nonblocking: false,
                        bound: true,
                    });
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
                    SockOpt::Linger { on, secs } => {
                        s.set_linger(on.then_some(std::time::Duration::from_secs(u64::from(secs))))
                    }
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

    /// Gives an unbound socket its host's loopback address and an ephemeral port,
    /// as the kernel's automatic bind would, but never on 0.0.0.0.
    fn bind_to_own_loopback(&mut self, fd: Fd, map: &AddressMap, host: usize) -> io::Result<()> {
        let Some(Some(rs)) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) else { return Ok(()) };
        if rs.bound {
            return Ok(());
        }
        if rs.socket.local_addr().ok().and_then(|a| a.as_socket_ipv4()).is_some_and(|a| a.port() != 0) {
            rs.bound = true;
            return Ok(());
        }
        let own = map.loopback_of(host).unwrap_or(std::net::Ipv4Addr::LOCALHOST);
        rs.socket.bind(&SockAddr::from(SocketAddrV4::new(own, 0)))?;
        rs.bound = true;
        Ok(())
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
        match Socket::new(d, ty, None).and_then(|s| s.set_nonblocking(true).map(|_| s)) {
            Ok(socket) => RealResult::Ok(CallValue::Fd(self.allocate(RealSocket {
                socket,
                protocol,
                nonblocking: false,
                bound: false,
            }))),
            Err(e) => RealResult::from_io(&e),
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
        if matches!(resume, Some(Resume::Connect)) {
            // The handshake was under way: finished when the socket is writable,
            // with its outcome in SO_ERROR.
            let mut pfd =
                libc::pollfd { fd: std::os::fd::AsRawFd::as_raw_fd(&rs.socket), events: libc::POLLOUT, revents: 0 };
            // SAFETY: one valid pollfd, zero timeout.
            let ready = unsafe { libc::poll(&mut pfd, 1, 0) };
            if ready <= 0 {
                return Attempt::Again(Resume::Connect);
            }
            return Attempt::Done(match rs.socket.take_error() {
                Ok(None) => RealResult::Ok(CallValue::Zero),
                Ok(Some(e)) | Err(e) => {
                    // A blocking connect that fails leaves the socket unconnected
                    // (inet_stream_connect disconnects it), so the process may
                    // connect again. Our connect was non-blocking; disconnect the
                    // same way, or the next connect would say ECONNABORTED.
                    disconnect(&rs.socket);
                    RealResult::from_io(&e)
                }
            });
        }
        match rs.socket.connect(&SockAddr::from(map.to_real(host, addr))) {
            Ok(()) => Attempt::Done(RealResult::Ok(CallValue::Zero)),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) && rs.protocol == Protocol::Tcp => {
                if rs.nonblocking {
                    Attempt::Done(RealResult::Err(Errno::EINPROGRESS))
                } else {
                    Attempt::Again(Resume::Connect)
                }
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

/// [`connect_af_unspec`] after a failed connect.
///
/// Its own result is not looked at: the script's call answers with the failed
/// connect's error either way, and were the socket left as it was, the next
/// connect's answer (ECONNABORTED) would show it in a diff.
fn disconnect(socket: &Socket) {
    let _ = connect_af_unspec(socket);
}
