//! The socket API as each host's process sees it: descriptors, `bind`'s port
//! rules, blocking calls that wait in simulated time, and `close`.

use super::addr::{CallId, Fd, HostId, Ipv4Addr, Protocol, SocketAddrV4, SocketId, EPHEMERAL_PORTS};
use super::host::Host;
use super::socket::{buffer_capacity, Socket, SocketKind, TcpSock, Wait, Waiter, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF};
use super::syscall::{CallResult, CallValue, Domain, Errno, MsgFlags, SockOpt, SysCall};
use super::tcp::timers::TimerKind;
use super::trace::{Cause, CauseId, TraceKind};
use super::udp::UdpSock;
use super::{CallOutcome, World, WorldError};

/// Which search gives a socket its ephemeral port: Linux runs one for `bind`
/// (and the autobinds of `listen`, `sendto`, UDP `connect`) and another for
/// TCP `connect`, with different rules for sharing a held port.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Autobind {
    /// `bind(ip:0)`; `listen` and UDP bind to 0.0.0.0.
    Bind(Ipv4Addr),
    /// TCP `connect` from `source` to `remote`.
    Connect { source: Ipv4Addr, remote: SocketAddrV4 },
}

/// A call either finishes now or must wait for the world to change.
pub(crate) enum Attempt {
    Done(CallResult),
    Wait(Wait),
}

impl From<CallResult> for Attempt {
    fn from(r: CallResult) -> Attempt {
        Attempt::Done(r)
    }
}

impl World {
    /// Makes a socket call on `host`, as its process would. The call and its return
    /// are traced; a call that blocks returns `Blocked` and its `Return` event
    /// comes later, when the world lets it finish.
    pub fn call(&mut self, host: HostId, call: SysCall) -> Result<CallOutcome, WorldError> {
        self.host_checked(host)?;
        let id = self.new_call_id();
        self.handle_call(id);
        let socket = call.fd().and_then(|fd| self.hosts[host.0 as usize].socket_of(fd));
        self.emit(TraceKind::Call { call: id, host, socket, syscall: call.clone() });
        let attempt = self.attempt(host, id, &call);
        let cause = self.return_cause(Cause::Call(id));
        let outcome = match attempt {
            Attempt::Done(result) => {
                let (fd, socket) = match &result {
                    Ok(CallValue::Fd(fd)) | Ok(CallValue::Accepted { fd, .. }) => {
                        (Some(*fd), self.hosts[host.0 as usize].socket_of(*fd))
                    }
                    _ => (call.fd(), socket),
                };
                self.emit(TraceKind::Return {
                    call: id,
                    host,
                    socket,
                    fd,
                    result: result.clone(),
                    blocked: false,
                    cause,
                });
                CallOutcome::Done(result)
            }
            Attempt::Wait(wait) => {
                let fd = call.fd().unwrap_or(-1);
                let sid = socket;
                let nonblocking = sid.is_some_and(|s| self.sock(s).nonblocking);
                match sid {
                    Some(sid) if !nonblocking => {
                        self.sock_mut(sid).waiters.push(Waiter { call: id, host, fd, wait });
                        CallOutcome::Blocked
                    }
                    _ => {
                        let errno = if matches!(wait, Wait::Connect) { Errno::EINPROGRESS } else { Errno::EAGAIN };
                        let result = match wait {
                            Wait::Send { done, .. } if done > 0 => Ok(CallValue::Sent(done)),
                            _ => Err(errno),
                        };
                        self.emit(TraceKind::Return {
                            call: id,
                            host,
                            socket,
                            fd: Some(fd),
                            result: result.clone(),
                            blocked: false,
                            cause,
                        });
                        CallOutcome::Done(result)
                    }
                }
            }
        };
        self.wake_dirty_now();
        Ok(outcome)
    }

    /// The id of the most recent call, to match a blocked call with its `Return`.
    pub fn last_call_id(&self) -> Option<CallId> {
        self.call_count().checked_sub(1).map(|_| CallId(self.call_count()))
    }

    /// Calls still blocked, as (host, call id, fd).
    pub fn blocked_calls(&self) -> Vec<(HostId, CallId, Fd)> {
        let mut v: Vec<_> =
            self.sockets.iter().flatten().flat_map(|s| s.waiters.iter().map(|w| (w.host, w.call, w.fd))).collect();
        v.sort_by_key(|&(_, c, _)| c);
        v
    }

    /// Retries the blocked calls of every socket touched since the last wake.
    pub(crate) fn wake_dirty_now(&mut self) {
        while let Some(id) = self.pop_dirty() {
            self.retry_waiters(id);
        }
    }

    /// Retries the calls blocked on socket `id`, oldest first.
    pub(crate) fn retry_waiters(&mut self, id: SocketId) {
        let Some(sock) = self.sockets.get_mut(id.0 as usize).and_then(Option::as_mut) else { return };
        if sock.waiters.is_empty() {
            return;
        }
        // Taken out and put back, so the buffer is reused: a call blocks and
        // wakes on every message of a request/response exchange.
        let mut waiters = std::mem::take(&mut sock.waiters);
        waiters.retain_mut(|w| match self.retry(id, w) {
            Attempt::Done(result) => {
                let (fd, socket) = match &result {
                    Ok(CallValue::Accepted { fd, .. }) => (*fd, self.hosts[w.host.0 as usize].socket_of(*fd)),
                    _ => (w.fd, Some(id)),
                };
                let handling = self.handling();
                let cause = self.return_cause(handling);
                self.emit(TraceKind::Return {
                    call: w.call,
                    host: w.host,
                    socket,
                    fd: Some(fd),
                    result,
                    blocked: true,
                    cause,
                });
                false
            }
            Attempt::Wait(wait) => {
                w.wait = wait;
                true
            }
        });
        if let Some(sock) = self.sockets.get_mut(id.0 as usize).and_then(Option::as_mut) {
            // Calls that blocked while these were retried queue behind them.
            waiters.append(&mut sock.waiters);
            sock.waiters = waiters;
        }
    }

    fn retry(&mut self, id: SocketId, w: &Waiter) -> Attempt {
        if self.hosts[w.host.0 as usize].socket_of(w.fd) != Some(id) {
            return Attempt::Done(Err(Errno::EBADF));
        }
        match &w.wait {
            Wait::Accept => self.tcp_accept(w.host, id),
            Wait::Connect => self.tcp_connect_progress(id),
            Wait::Recv { len, from } => match self.sock(id).protocol() {
                Protocol::Tcp => self.tcp_recv(id, *len),
                Protocol::Udp => self.udp_recv_flagged(id, *len, *from, MsgFlags::default()),
            },
            Wait::RecvFlags { len, from, flags } => self.recv_flagged(id, *len, *from, *flags),
            Wait::Send { data, done } => self.tcp_send(id, data.clone(), *done),
        }
    }

    fn attempt(&mut self, host: HostId, call_id: CallId, call: &SysCall) -> Attempt {
        if let SysCall::Socket { domain, protocol } = call {
            return self.open_socket(host, *domain, *protocol).into();
        }
        let Some(fd) = call.fd() else { return Attempt::Done(Err(Errno::EBADF)) };
        let Some(sid) = self.hosts[host.0 as usize].socket_of(fd) else { return Attempt::Done(Err(Errno::EBADF)) };
        let protocol = self.sock(sid).protocol();
        match (call, protocol) {
            (SysCall::Socket { .. }, _) => Attempt::Done(Err(Errno::EINVAL)),
            (SysCall::Bind { addr, .. }, _) => self.bind(host, sid, *addr, true).map(|_| CallValue::Zero).into(),
            (SysCall::Listen { backlog, .. }, Protocol::Tcp) => self.tcp_listen(host, sid, *backlog, call_id).into(),
            (SysCall::Listen { .. } | SysCall::Accept { .. }, Protocol::Udp) => Err(Errno::EOPNOTSUPP).into(),
            (SysCall::Accept { .. }, Protocol::Tcp) => self.tcp_accept(host, sid),
            (SysCall::Connect { addr, .. }, Protocol::Tcp) => self.tcp_connect(host, sid, *addr, call_id),
            (SysCall::Connect { addr, .. }, Protocol::Udp) => self.udp_connect(host, sid, *addr).into(),
            (SysCall::Send { data, .. } | SysCall::SendTo { data, .. }, Protocol::Tcp) => {
                self.tcp_send(sid, data.clone(), 0)
            }
            (SysCall::Send { data, .. }, Protocol::Udp) => self.udp_send(host, sid, data.clone(), None).into(),
            (SysCall::SendTo { data, addr, .. }, Protocol::Udp) => self.udp_send(host, sid, data.clone(), *addr).into(),
            (SysCall::Recv { len, .. } | SysCall::RecvFrom { len, .. }, Protocol::Tcp) => self.tcp_recv(sid, *len),
            (SysCall::Recv { len, .. }, Protocol::Udp) => self.udp_recv_flagged(sid, *len, false, MsgFlags::default()),
            (SysCall::RecvFrom { len, .. }, Protocol::Udp) => {
                self.udp_recv_flagged(sid, *len, true, MsgFlags::default())
            }
            (SysCall::Shutdown { how, .. }, Protocol::Tcp) => self.tcp_shutdown(sid, *how, call_id).into(),
            (SysCall::Shutdown { how, .. }, Protocol::Udp) => self.udp_shutdown(sid, *how).into(),
            (SysCall::Close { .. }, _) => self.close(host, fd, sid, call_id).into(),
            (SysCall::SetSockOpt { opt, .. }, _) => self.setsockopt(sid, *opt).into(),
            (SysCall::GetSockName { .. }, _) => Ok(CallValue::Name(self.sock_name(sid))).into(),
            (SysCall::GetPeerName { .. }, _) => self.peer_name(sid).into(),
            (SysCall::GetSockError { .. }, _) => Ok(CallValue::SockError(self.take_sock_error(sid))).into(),
            (SysCall::RecvFlags { len, from, flags, .. }, _) => self.recv_flagged(sid, *len, *from, *flags),
            (SysCall::Disconnect { .. }, Protocol::Tcp) => self.tcp_disconnect(sid, call_id).into(),
            (SysCall::Disconnect { .. }, Protocol::Udp) => self.udp_disconnect(host, sid).into(),
        }
    }

    fn open_socket(&mut self, host: HostId, domain: Domain, protocol: Protocol) -> CallResult {
        if domain == Domain::Inet6 {
            return Err(Errno::EAFNOSUPPORT);
        }
        let kind = match protocol {
            Protocol::Tcp => SocketKind::Tcp(TcpSock::default()),
            Protocol::Udp => SocketKind::Udp(UdpSock::default()),
        };
        let sid = self.insert_socket(|id| Socket {
            id,
            host,
            fd: None,
            local: None,
            remote: None,
            reuse_addr: false,
            nonblocking: false,
            bound_explicitly: false,
            kind,
            waiters: Vec::new(),
            timer_events: [None; TimerKind::ALL.len()],
            error_cause: None,
            route: None,
            ip_ident: None,
            bind_order: 0,
        });
        match self.host_mut(host).allocate_fd(sid) {
            Some(fd) => {
                self.sock_mut(sid).fd = Some(fd);
                Ok(CallValue::Fd(fd))
            }
            None => {
                self.remove_socket(sid);
                Err(Errno::EMFILE)
            }
        }
    }

    /// `bind`, or the implicit bind of `listen`/`connect`/`sendto` (`explicit` false).
    pub(crate) fn bind(
        &mut self,
        host: HostId,
        sid: SocketId,
        addr: SocketAddrV4,
        explicit: bool,
    ) -> Result<(), Errno> {
        let sock = self.sock(sid);
        if sock.local.is_some() {
            return Err(Errno::EINVAL);
        }
        let h = &self.hosts[host.0 as usize];
        if !h.can_bind(*addr.ip()) {
            return Err(Errno::EADDRNOTAVAIL);
        }
        let protocol = sock.protocol();
        let port = if addr.port() == 0 {
            // __inet_bind: no port found is EADDRINUSE (connect says EADDRNOTAVAIL).
            self.ephemeral_port(host, sid, Autobind::Bind(*addr.ip())).ok_or(Errno::EADDRINUSE)?
        } else if let Some(holder) = self.bind_conflict(host, sid, *addr.ip(), addr.port()) {
            // Say which socket holds the address, and until when a TIME-WAIT one
            // does, so a reader can trace the EADDRINUSE to it.
            let held = self.sock(holder);
            let state = held.tcp_state();
            let free_at = held.tcp().and_then(|t| t.tcb.as_ref()).and_then(|c| c.timers.get(TimerKind::TimeWait));
            let cause = CauseId::from(self.handling());
            self.emit(TraceKind::PortHeld { host, socket: sid, holder, port: addr.port(), state, free_at, cause });
            return Err(Errno::EADDRINUSE);
        } else {
            addr.port()
        };
        self.host_mut(host).hold_port(protocol, port, sid);
        let local = SocketAddrV4::new(*addr.ip(), port);
        self.binds += 1;
        let order = self.binds;
        let sock = self.sock_mut(sid);
        sock.local = Some(local);
        sock.bound_explicitly = explicit;
        sock.bind_order = order;
        // A connection that failed (refused, say) is what getsockname read
        // the address from; the socket's name is the one just bound.
        if let Some(tcb) = sock.tcp_mut().and_then(|t| t.tcb.as_deref_mut()) {
            tcb.local = local;
        }
        Ok(())
    }

    /// Linux's `inet_bind_conflict`: two sockets clash on a port when their
    /// addresses overlap (equal, or either is 0.0.0.0), unless both set
    /// SO_REUSEADDR and the one already there is not listening.
    /// The socket holding the address, when there is a clash.
    pub(crate) fn bind_conflict(&self, host: HostId, sid: SocketId, ip: Ipv4Addr, port: u16) -> Option<SocketId> {
        let me = self.sock(sid);
        let h = &self.hosts[host.0 as usize];
        h.port_holders(me.protocol(), port).filter(|&other| other != sid).find(|&other| {
            let o = self.sock(other);
            let overlap = o.local.is_some_and(|l| l.ip().is_unspecified() || ip.is_unspecified() || *l.ip() == ip);
            let listening = o.tcp_state() == Some(super::tcp::state::TcpState::Listen);
            overlap && !(me.reuse_addr && o.reuse_addr && !listening)
        })
    }

    /// A port from Linux's ephemeral range for socket `sid`, or `None` when the
    /// range is used up. A free port first, from a random point of the range:
    /// like Linux since 4.6, `connect` prefers even ports and `bind(0)` odd ones.
    /// Only when every port is held does the search look for one that Linux would
    /// let this socket share ([`World::shared_ephemeral_port`]).
    pub(crate) fn ephemeral_port(&mut self, host: HostId, sid: SocketId, how: Autobind) -> Option<u16> {
        let span = u32::from(*EPHEMERAL_PORTS.end() - *EPHEMERAL_PORTS.start()) + 1;
        let start = self.rng.below(u64::from(span)) as u16;
        let want_even = matches!(how, Autobind::Connect { .. });
        let me = self.sock(sid);
        let (protocol, reuse_addr) = (me.protocol(), me.reuse_addr);
        let h = &self.hosts[host.0 as usize];
        if let Some(port) = h.free_ephemeral_port(protocol, u32::from(start), want_even) {
            return Some(port);
        }
        if let Autobind::Connect { source, remote } = how {
            if h.connect_exhausted_toward(source, remote) {
                return None;
            }
        }
        let shared = self.shared_ephemeral_port(host, protocol, reuse_addr, start, want_even, how);
        if let (None, Autobind::Connect { source, remote }) = (shared, how) {
            self.host_mut(host).remember_connect_exhausted(source, remote);
        }
        shared
    }

    /// With every port of the range held, the first in the search's order (from
    /// offset `start`, one parity first) that Linux would let a socket share
    /// ([`World::may_share_port`]). Linux may share a port even while others are
    /// free, but which one it takes is its hash's choice, not ours: the model
    /// takes a free port while there is one, so its choices stay those lessons
    /// were written for, and shares only where Linux would have to.
    pub(crate) fn shared_ephemeral_port(
        &self,
        host: HostId,
        protocol: Protocol,
        reuse_addr: bool,
        start: u16,
        want_even: bool,
        how: Autobind,
    ) -> Option<u16> {
        // Every holder overlaps the wildcard: nothing to share, known at once.
        if matches!(how, Autobind::Bind(ip) if ip.is_unspecified() && (protocol == Protocol::Tcp || !reuse_addr)) {
            return None;
        }
        let (lo, hi) = (*EPHEMERAL_PORTS.start(), *EPHEMERAL_PORTS.end());
        let first = lo + start;
        let rounds = [(first, hi), (lo, first.wrapping_sub(1))];
        let h = &self.hosts[host.0 as usize];
        [want_even, !want_even].into_iter().find_map(|even| {
            rounds.iter().filter(|&&(a, b)| lo <= a && a <= b).find_map(|&(a, b)| {
                // In port order: every port of the range is in the table.
                h.ports_held_in(protocol, a, b).filter(|&(port, _)| (port % 2 == 0) == even).find_map(
                    |(port, holders)| self.may_share_port(h, protocol, reuse_addr, port, holders, how).then_some(port),
                )
            })
        })
    }

    /// Whether an ephemeral search may give a socket of `protocol` (with
    /// SO_REUSEADDR `reuse_addr`) port `port`, which `holders` hold.
    ///
    /// `connect` (`__inet_hash_connect`): only a port whose every holder got it
    /// from `connect` (a bind bucket with `fastreuse` -1), and only toward a
    /// peer none of them has (`__inet_check_established`): a connection is known
    /// by its four-tuple, so the range runs out per destination, and a port that
    /// `bind` or `listen` holds is never shared.
    ///
    /// `bind(0)`, `listen`, UDP's autobind (`inet_csk_find_open_port` with
    /// `relax` false, `udp_lib_lport_inuse`): a port whose holders all sit on
    /// other addresses. Surprise: TCP's search does not relax for SO_REUSEADDR,
    /// though an explicit `bind` to that port would succeed; UDP's does.
    fn may_share_port(
        &self,
        h: &Host,
        protocol: Protocol,
        reuse_addr: bool,
        port: u16,
        holders: impl IntoIterator<Item = SocketId>,
        how: Autobind,
    ) -> bool {
        let mut holders = holders.into_iter().map(|o| self.sock(o));
        match how {
            Autobind::Connect { source, remote } => {
                holders.all(|o| o.tcp().is_some_and(|t| t.port_by_connect))
                    && !h.connections.contains_key(&(SocketAddrV4::new(source, port), remote))
            }
            Autobind::Bind(ip) => !holders.any(|o| {
                let overlap = o.local.is_some_and(|l| l.ip().is_unspecified() || ip.is_unspecified() || *l.ip() == ip);
                overlap && (protocol == Protocol::Tcp || !(reuse_addr && o.reuse_addr))
            }),
        }
    }

    fn setsockopt(&mut self, sid: SocketId, opt: SockOpt) -> CallResult {
        let now = self.now();
        let (rmem_max, wmem_max) = (self.tcp_config.rmem_max, self.tcp_config.wmem_max);
        let sock = self.sock_mut(sid);
        // sk_setsockopt: any buffer size is taken, 0 too, and floored at Linux's
        // minimum (see buffer_capacity), not refused with EINVAL; it is first
        // capped at net.core.rmem_max or wmem_max.
        let opt = match opt {
            SockOpt::RcvBuf(n) => SockOpt::RcvBuf(buffer_capacity(n.min(rmem_max), SOCK_MIN_RCVBUF)),
            SockOpt::SndBuf(n) => SockOpt::SndBuf(buffer_capacity(n.min(wmem_max), SOCK_MIN_SNDBUF)),
            other => other,
        };
        match opt {
            SockOpt::ReuseAddr(on) => sock.reuse_addr = on,
            SockOpt::NonBlocking(on) => sock.nonblocking = on,
            SockOpt::RcvBuf(n) => match &mut sock.kind {
                SocketKind::Tcp(t) => {
                    t.recv_buffer = Some(n);
                    if let Some(tcb) = t.tcb.as_mut() {
                        tcb.set_buffers(None, Some(n));
                    }
                }
                // Datagrams already queued stay; the limit stops at what is held.
                SocketKind::Udp(u) => u.capacity = n.max(u.queued_bytes),
            },
            SockOpt::SndBuf(n) => match &mut sock.kind {
                SocketKind::Tcp(t) => {
                    t.send_buffer = Some(n);
                    if let Some(tcb) = t.tcb.as_mut() {
                        tcb.set_buffers(Some(n), None);
                    }
                }
                SocketKind::Udp(_) => {}
            },
            SockOpt::NoDelay(on) => match &mut sock.kind {
                SocketKind::Tcp(t) => {
                    t.nagle = Some(!on);
                    self.tcp_option_takes_effect(sid, |tcb, now, out| tcb.set_nagle(!on, now, out));
                }
                // udp_setsockopt hands IPPROTO_TCP to ip_setsockopt: not SOL_IP.
                SocketKind::Udp(_) => return Err(Errno::ENOPROTOOPT),
            },
            // Linux keeps TCP_QUICKACK on an unconnected socket too, but only a
            // connection has ACKs to send or hold.
            SockOpt::QuickAck(on) => match &mut sock.kind {
                SocketKind::Tcp(_) => {
                    self.tcp_option_takes_effect(sid, |tcb, now, out| tcb.set_quickack(on, now, out));
                }
                SocketKind::Udp(_) => return Err(Errno::ENOPROTOOPT),
            },
            SockOpt::Congestion(control) => match &mut sock.kind {
                SocketKind::Tcp(t) => {
                    t.congestion = Some(control);
                    if let Some(tcb) = t.tcb.as_mut() {
                        tcb.set_congestion_control(control, now);
                    }
                }
                SocketKind::Udp(_) => return Err(Errno::ENOPROTOOPT),
            },
            // sk_setsockopt takes SO_LINGER on any socket; only TCP's close reads it.
            SockOpt::Linger { .. } => {
                if let SocketKind::Tcp(t) = &mut sock.kind {
                    t.linger_abort = opt.aborts_on_close();
                }
            }
        }
        Ok(CallValue::Zero)
    }

    fn close(&mut self, host: HostId, fd: Fd, sid: SocketId, call_id: CallId) -> CallResult {
        self.host_mut(host).release_fd(fd);
        self.sock_mut(sid).fd = None;
        // Any call still blocked on this socket ends with EBADF.
        self.mark_dirty(sid);
        match self.sock(sid).protocol() {
            Protocol::Udp => self.destroy_socket(sid),
            Protocol::Tcp if self.sock(sid).tcp().is_some_and(|t| t.linger_abort) => {
                self.tcp_abortive_close(sid, call_id)
            }
            Protocol::Tcp => self.tcp_close(sid, call_id),
        }
        Ok(CallValue::Zero)
    }

    /// Frees a socket: its port, its place in the connection table and in a
    /// listener's queue, and its slot.
    pub(crate) fn destroy_socket(&mut self, sid: SocketId) {
        let sock = self.sock(sid);
        let host = sock.host;
        let protocol = sock.protocol();
        let local = sock.local;
        let parent = sock.tcp().and_then(|t| t.parent);
        let conn_key = sock.tcp().and_then(|t| t.tcb.as_ref()).map(|tcb| (tcb.local, tcb.remote));
        let waiters = sock.waiters.clone();
        if let Some(key) = conn_key {
            let h = self.host_mut(host);
            if h.connections.get(&key) == Some(&sid) {
                h.connections.remove(&key);
            }
        }
        if let Some(local) = local {
            self.host_mut(host).release_port(protocol, local.port(), sid);
        }
        if let Some(parent) = parent {
            if let Some(q) =
                self.sockets[parent.0 as usize].as_mut().and_then(|p| p.tcp_mut()).and_then(|t| t.listen.as_mut())
            {
                q.syn_queue.remove(&sid);
                q.accept_queue.retain(|&s| s != sid);
            }
        }
        let cause = CauseId::from(self.handling());
        for w in waiters {
            self.emit(TraceKind::Return {
                call: w.call,
                host: w.host,
                socket: Some(sid),
                fd: Some(w.fd),
                result: Err(Errno::EBADF),
                blocked: true,
                cause,
            });
        }
        self.remove_socket(sid);
    }
}
