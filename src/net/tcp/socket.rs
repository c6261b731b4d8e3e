//! TCP sockets in the world: the calls, the listener's SYN and accept queues,
//! demultiplexing arriving segments, and turning a connection's output into packets.

use super::conn::{Tcb, TcpOut};
use super::segment::TcpSegment;
use super::state::TcpState;
use super::timers::TimerKind;
use super::timestamps::InitialNumbers;
use super::TcpConfig;
use crate::net::addr::{CallId, HostId, Ipv4Addr, Protocol, SocketAddrV4, SocketId};
use crate::net::calls::{Attempt, Autobind};
use crate::net::packet::empty_payload;
use crate::net::packet::{Body, Packet, IPV4_HEADER_LEN};
use crate::net::socket::{ConnectState, ListenQueues, Socket, SocketKind, TcpSock, Wait};
use crate::net::syscall::{CallResult, CallValue, Errno, Shutdown};
use crate::net::trace::{Cause, CauseId, DropReason, SendReason, TraceKind};
use crate::net::Ident;
use crate::net::World;
use std::sync::Arc;

/// Linux's default `net.core.somaxconn`: `listen()` silently caps its backlog here.
pub const SOMAXCONN: u32 = 4096;
const TCP_HEADER_LEN: u32 = 20;

impl World {
    fn tcb(&self, sid: SocketId) -> Option<&Tcb> {
        self.sock(sid).tcp().and_then(|t| t.tcb.as_deref())
    }

    fn tcb_mut(&mut self, sid: SocketId) -> Option<&mut Tcb> {
        self.sock_mut(sid).tcp_mut().and_then(|t| t.tcb.as_deref_mut())
    }

    /// A new connection's ISS and timestamp offset (Linux's
    /// `secure_tcp_seq` and `secure_tcp_ts_off`), drawn from the world's RNG.
    fn initial_numbers(&mut self) -> InitialNumbers {
        let iss = self.rng.next_u32();
        InitialNumbers { iss, ts_offset: self.rng.next_u32() }
    }

    /// The stack's settings with the host's own (`host NAME tcp_…`) and then
    /// this socket's options applied.
    fn config_for(&self, host: HostId, sock: &TcpSock) -> TcpConfig {
        let mut cfg = self.host_tcp_config(host);
        if let Some(n) = sock.recv_buffer {
            cfg.recv_buffer = n;
            cfg.recv_buffer_locked = true;
        }
        if let Some(n) = sock.send_buffer {
            // Linux keeps twice what SO_SNDBUF asked, and stops growing it.
            cfg.send_buffer = n.saturating_mul(2);
            cfg.send_buffer_locked = true;
        }
        if let Some(on) = sock.nagle {
            cfg.nagle = on;
        }
        if let Some(control) = sock.congestion {
            cfg.congestion = control;
        }
        cfg
    }

    pub(crate) fn tcp_listen(&mut self, host: HostId, sid: SocketId, backlog: u32, call: CallId) -> CallResult {
        let sock = self.sock(sid);
        let Some(tcp) = sock.tcp() else { return Err(Errno::EOPNOTSUPP) };
        if tcp.tcb.is_some() {
            return Err(Errno::EINVAL);
        }
        let backlog = backlog.min(SOMAXCONN);
        if tcp.listen.is_some() {
            if let Some(q) = self.sock_mut(sid).tcp_mut().and_then(|t| t.listen.as_mut()) {
                q.backlog = backlog;
            }
            return Ok(CallValue::Zero);
        }
        match sock.local {
            None => self.bind(host, sid, SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0), false)?,
            Some(local) => {
                // Linux checks the port again at listen() (inet_csk_get_port
                // from inet_csk_listen_start), against every socket that holds
                // it, as bind does: SO_REUSEADDR lets two sockets bind it, but
                // only one may listen, and not beside a connection whose socket
                // lacks it (a listener that disconnected while its accepted
                // connection lives on, or one whose partner cleared the option).
                if self.bind_conflict(host, sid, *local.ip(), local.port()).is_some() {
                    return Err(Errno::EADDRINUSE);
                }
            }
        }
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.listen = Some(ListenQueues { backlog, ..ListenQueues::default() });
        }
        if let Some(port) = self.sock(sid).local.map(|l| l.port()) {
            self.host_mut(host).add_listener(port, sid);
        }
        self.emit(TraceKind::State {
            host,
            socket: sid,
            from: TcpState::Closed,
            to: TcpState::Listen,
            cause: Cause::Call(call).into(),
        });
        Ok(CallValue::Zero)
    }

    pub(crate) fn tcp_accept(&mut self, host: HostId, sid: SocketId) -> Attempt {
        let Some(queues) = self.sock_mut(sid).tcp_mut().and_then(|t| t.listen.as_mut()) else {
            return Attempt::Done(Err(Errno::EINVAL));
        };
        let Some(child) = queues.accept_queue.pop_front() else { return Attempt::Wait(Wait::Accept) };
        let Some(fd) = self.host_mut(host).allocate_fd(child) else {
            if let Some(q) = self.sock_mut(sid).tcp_mut().and_then(|t| t.listen.as_mut()) {
                q.accept_queue.push_front(child);
            }
            return Attempt::Done(Err(Errno::EMFILE));
        };
        let c = self.sock_mut(child);
        c.fd = Some(fd);
        if let Some(t) = c.tcp_mut() {
            t.parent = None;
            t.connect_state = ConnectState::Connected;
        }
        let peer = c.remote.unwrap_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0));
        // A SYN that was dropped while the queue was full is retried by its sender;
        // nothing to do here but let the listener's waiters look again.
        self.mark_dirty(sid);
        Attempt::Done(Ok(CallValue::Accepted { fd, peer }))
    }

    pub(crate) fn tcp_connect(&mut self, host: HostId, sid: SocketId, addr: SocketAddrV4, call: CallId) -> Attempt {
        let sock = self.sock(sid);
        let Some(tcp) = sock.tcp() else { return Attempt::Done(Err(Errno::EINVAL)) };
        // __inet_stream_connect decides by the socket's state, then the connection's.
        match tcp.connect_state {
            ConnectState::Connected => return Attempt::Done(Err(Errno::EISCONN)),
            ConnectState::Connecting => {
                let pending =
                    tcp.tcb.as_ref().is_some_and(|t| matches!(t.state, TcpState::SynSent | TcpState::SynReceived));
                if pending && sock.nonblocking {
                    return Attempt::Done(Err(Errno::EALREADY));
                }
                // A blocking connect() waits for the handshake like the first one;
                // once it is over, this connect() is the one that reports it.
                return self.tcp_connect_progress(sid);
            }
            ConnectState::Unconnected => {}
        }
        if tcp.listen.is_some() || tcp.tcb.as_ref().is_some_and(|t| t.state != TcpState::Closed) {
            return Attempt::Done(Err(Errno::EISCONN));
        }
        // Linux treats 0.0.0.0 as "this host".
        let dst_ip = if addr.ip().is_unspecified() { Ipv4Addr::LOCALHOST } else { *addr.ip() };
        let remote = SocketAddrV4::new(dst_ip, addr.port());
        if self.route(host, dst_ip).is_none() {
            return Attempt::Done(Err(Errno::ENETUNREACH));
        }
        if sock.local.is_some_and(|l| self.loopback_source_leaves(host, *l.ip(), dst_ip)) {
            return Attempt::Done(Err(Errno::EINVAL));
        }
        let source = self.hosts[host.0 as usize].source_for(dst_ip);
        let cfg = self.config_for(host, tcp);
        let local = match sock.local {
            Some(l) if l.ip().is_unspecified() => SocketAddrV4::new(source, l.port()),
            Some(l) => l,
            None => {
                // __inet_hash_connect: no port for this four-tuple is EADDRNOTAVAIL.
                let Some(port) = self.ephemeral_port(host, sid, Autobind::Connect { source, remote }) else {
                    return Attempt::Done(Err(Errno::EADDRNOTAVAIL));
                };
                self.host_mut(host).hold_port(Protocol::Tcp, port, sid);
                if let Some(t) = self.sock_mut(sid).tcp_mut() {
                    t.port_by_connect = true;
                }
                SocketAddrV4::new(source, port)
            }
        };
        let mss = self.path_mtu(host, dst_ip).saturating_sub(IPV4_HEADER_LEN as u32 + TCP_HEADER_LEN);
        let holder = self.hosts[host.0 as usize].connections.get(&(local, remote)).copied();
        let (tcb, out) = match holder {
            None => {
                let initial = self.initial_numbers();
                let mut out = self.take_scratch();
                let tcb = Tcb::connect(&cfg, local, remote, initial, mss, self.now(), &mut out);
                (tcb, out)
            }
            // __inet_check_established: a bound socket's connect may take the
            // four-tuple of a connection in TIME-WAIT that used timestamps;
            // the old one ends at once (inet_twsk_deschedule_put). A
            // connect() that chose its port never meets one: it chooses
            // another port.
            Some(old) => {
                let now = self.now();
                let Some(time_wait) = self.tcb(old).filter(|t| t.yields_time_wait()) else {
                    return Attempt::Done(Err(Errno::EADDRNOTAVAIL));
                };
                // The world's scratch buffer cannot be taken while the old
                // connection is read: a rare path takes fresh ones.
                let mut out = TcpOut::default();
                let tcb = Tcb::connect_over_time_wait(&cfg, time_wait, mss, now, &mut out);
                let mut ended = TcpOut::default();
                if let Some(time_wait) = self.tcb_mut(old) {
                    time_wait.forget(&mut ended);
                }
                self.apply_tcp_out(old, &ended, Cause::Call(call));
                (tcb, out)
            }
        };
        let sock = self.sock_mut(sid);
        sock.local = Some(local);
        sock.remote = Some(remote);
        if let Some(t) = sock.tcp_mut() {
            let mut tcb = Box::new(tcb);
            tcb.read_shutdown = t.read_shutdown;
            t.tcb = Some(tcb);
            t.done = false;
            t.connect_state = ConnectState::Connecting;
        }
        // tcp_v4_connect draws inet_id before the SYN leaves.
        self.start_ip_ident(sid);
        self.host_mut(host).connections.insert((local, remote), sid);
        self.apply_tcp_out(sid, &out, Cause::Call(call));
        self.return_scratch(out);
        self.tcp_connect_progress(sid)
    }

    /// A `connect()` waiting for, or collecting, the handshake's outcome: the
    /// end of `__inet_stream_connect`. A connection that is over (refused,
    /// timed out, or reset before this call) reports its error once, or
    /// ECONNABORTED when something else already took it, and the socket may
    /// connect again; any other state is a connection, told once.
    pub(crate) fn tcp_connect_progress(&mut self, sid: SocketId) -> Attempt {
        let Some(tcb) = self.tcb_mut(sid) else { return Attempt::Done(Err(Errno::ENOTCONN)) };
        let (result, told) = match tcb.state {
            TcpState::SynSent | TcpState::SynReceived => return Attempt::Wait(Wait::Connect),
            TcpState::Closed => (Err(tcb.error.take().unwrap_or(Errno::ECONNABORTED)), ConnectState::Unconnected),
            _ => (Ok(CallValue::Zero), ConnectState::Connected),
        };
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.connect_state = told;
            if result.is_err() {
                t.forget_connection();
            }
        }
        if result.is_err() {
            self.collect_error(sid);
        }
        Attempt::Done(result)
    }

    /// `send`: copies into the send buffer, blocking while it is full.
    pub(crate) fn tcp_send(&mut self, sid: SocketId, data: Arc<[u8]>, done: usize) -> Attempt {
        let partial = |done: usize, e: Errno| Attempt::Done(if done > 0 { Ok(CallValue::Sent(done)) } else { Err(e) });
        let write_shut = self.sock(sid).tcp().is_some_and(|t| t.write_shutdown);
        let now = self.now();
        let Some(tcb) = self.tcb_mut(sid) else { return Attempt::Done(Err(Errno::EPIPE)) };
        if let Some(e) = tcb.error.take() {
            self.collect_error(sid);
            return partial(done, e);
        }
        match tcb.state {
            TcpState::SynSent | TcpState::SynReceived => return Attempt::Wait(Wait::Send { data, done }),
            TcpState::Established | TcpState::CloseWait if !write_shut && tcb.can_send() => {}
            _ => return partial(done, Errno::EPIPE),
        }
        if data.len() == done {
            return Attempt::Done(Ok(CallValue::Sent(done)));
        }
        if done > 0 && !tcb.writeable() {
            // A writer asleep for memory is woken by sk_stream_write_space,
            // which waits for a third of the buffer to be free: it goes on
            // with a large piece, not a segment's worth per ACK.
            return Attempt::Wait(Wait::Send { data, done });
        }
        let mut out = self.take_scratch();
        let Some(tcb) = self.tcb_mut(sid) else { return Attempt::Done(Err(Errno::EPIPE)) };
        let taken = tcb.write(&data, done, now, &mut out);
        self.apply_app_tcp_out(sid, &out);
        self.return_scratch(out);
        let done = done + taken;
        if done == data.len() {
            Attempt::Done(Ok(CallValue::Sent(done)))
        } else {
            Attempt::Wait(Wait::Send { data, done })
        }
    }

    pub(crate) fn tcp_recv(&mut self, sid: SocketId, len: usize) -> Attempt {
        let now = self.now();
        let tcp = self.sock(sid).tcp();
        // tcp_recvmsg_locked: a listener (which has no connection) is
        // ENOTCONN before anything else is asked, a shutdown recorded on it
        // included.
        let listening = tcp.is_some_and(|t| t.listen.is_some());
        let done = tcp.is_some_and(|t| t.done);
        // tcp_recvmsg: a socket shut for reading reads end-of-stream before
        // it is found unconnected.
        let read_shut = tcp.is_some_and(|t| t.read_shutdown);
        let Some(tcb) = self.tcb_mut(sid) else {
            let end = (done || read_shut) && !listening;
            return Attempt::Done(if end { Ok(CallValue::Data(empty_payload())) } else { Err(Errno::ENOTCONN) });
        };
        if tcb.unread() > 0 {
            // A read of no bytes takes none, but it waits for one to be
            // there (sock_rcvlowat is at least 1): "" at once would read as
            // the peer's end of stream.
            if len == 0 {
                return Attempt::Done(Ok(CallValue::Data(empty_payload())));
            }
            let mut out = self.take_scratch();
            let data = match self.tcb_mut(sid) {
                Some(tcb) => tcb.read(len, now, &mut out),
                None => empty_payload(),
            };
            self.apply_app_tcp_out(sid, &out);
            self.return_scratch(out);
            return Attempt::Done(Ok(CallValue::Data(data)));
        }
        // tcp_recvmsg's order: end-of-stream once the peer's FIN is in
        // (SOCK_DONE), even if a reset came after it; then a pending error; then
        // end-of-stream because this side shut down reading.
        if tcb.fin_received {
            return Attempt::Done(Ok(CallValue::Data(empty_payload())));
        }
        if let Some(e) = tcb.error.take() {
            self.collect_error(sid);
            return Attempt::Done(Err(e));
        }
        if tcb.read_shutdown {
            return Attempt::Done(Ok(CallValue::Data(empty_payload())));
        }
        match tcb.state {
            TcpState::Closed => {
                Attempt::Done(if done { Ok(CallValue::Data(empty_payload())) } else { Err(Errno::ENOTCONN) })
            }
            _ => Attempt::Wait(Wait::Recv { len, from: false }),
        }
    }

    pub(crate) fn tcp_shutdown(&mut self, sid: SocketId, how: Shutdown, call: CallId) -> CallResult {
        let state = self.sock(sid).tcp_state().unwrap_or(TcpState::Closed);
        let reading = matches!(how, Shutdown::Read | Shutdown::Both);
        let writing = matches!(how, Shutdown::Write | Shutdown::Both);
        // inet_shutdown decides by the socket's state.
        match state {
            // No connection: ENOTCONN, but the shutdown is recorded all the
            // same, and a connection made later keeps it (a send is EPIPE, a
            // read end-of-stream). A connection in TIME-WAIT is no longer the
            // descriptor's: Linux moved it to a timewait sock and closed the
            // socket (tcp_time_wait → tcp_done).
            TcpState::Closed | TcpState::TimeWait => {
                if let Some(t) = self.sock_mut(sid).tcp_mut() {
                    t.shut(reading, writing);
                }
                self.mark_dirty(sid);
                return Err(Errno::ENOTCONN);
            }
            TcpState::Listen => {
                if reading {
                    self.stop_listening(sid, call);
                }
                return Ok(CallValue::Zero);
            }
            // A handshake under way is given up whatever `how` says
            // (tcp_disconnect): no RST, ECONNRESET left for SO_ERROR, and the
            // socket may connect again.
            TcpState::SynSent => return self.tcp_disconnect(sid, call),
            _ => {}
        }
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.shut(reading, writing);
            if let (true, Some(tcb)) = (writing, t.tcb.as_deref_mut()) {
                tcb.close_write(now, &mut out);
            }
        }
        self.apply_tcp_out(sid, &out, Cause::Call(call));
        self.return_scratch(out);
        self.mark_dirty(sid);
        Ok(CallValue::Zero)
    }

    /// `close` on a TCP socket whose descriptor is already released.
    pub(crate) fn tcp_close(&mut self, sid: SocketId, call: CallId) {
        let state = self.sock(sid).tcp_state().unwrap_or(TcpState::Closed);
        if state == TcpState::Listen {
            self.stop_listening(sid, call);
            self.destroy_socket(sid);
            return;
        }
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(tcb) = self.tcb_mut(sid) {
            tcb.orphaned = true;
            if tcb.unread() > 0 && tcb.state == TcpState::TimeWait {
                // __tcp_close: the descriptor's socket is already closed
                // (tcp_time_wait handed the connection to a timewait sock),
                // so unread data goes without a RST and the TIME-WAIT stays.
                tcb.discard_unread();
            } else if tcb.unread() > 0 {
                // Linux (RFC 2525 §2.17): closing with unread data aborts with RST.
                tcb.discard_unread();
                tcb.abort(now, &mut out);
            } else {
                tcb.close_write(now, &mut out);
                if tcb.state == TcpState::FinWait2 {
                    let fin_timeout = self.tcp_config.fin_timeout_us;
                    if let Some(tcb) = self.tcb_mut(sid) {
                        tcb.timers.set(TimerKind::FinWait2, now + fin_timeout);
                    }
                }
            }
        }
        self.apply_tcp_out(sid, &out, Cause::Call(call));
        self.return_scratch(out);
        if self.sockets[sid.0 as usize].is_some() && self.sock(sid).tcp_state() == Some(TcpState::Closed) {
            self.destroy_socket(sid);
        }
    }

    /// A listener stops, as Linux's `inet_csk_listen_stop` does: connections
    /// waiting in its accept queue are reset (`tcp_disconnect`); half-open ones
    /// in its SYN queue are dropped without a word (a request socket dies at
    /// its next timer, and a segment that comes for it later finds no socket
    /// and is answered by a RST).
    pub(crate) fn stop_listening(&mut self, sid: SocketId, call: CallId) {
        let host = self.sock(sid).host;
        let Some(queues) = self.sock_mut(sid).tcp_mut().and_then(|t| t.listen.take()) else { return };
        if let Some(port) = self.sock(sid).local.map(|l| l.port()) {
            self.host_mut(host).remove_listener(port, sid);
        }
        self.emit(TraceKind::State {
            host,
            socket: sid,
            from: TcpState::Listen,
            to: TcpState::Closed,
            cause: Cause::Call(call).into(),
        });
        let half_open = queues.syn_queue.into_iter().map(|c| (c, false));
        for (child, reset) in half_open.chain(queues.accept_queue.into_iter().map(|c| (c, true))) {
            if self.sockets[child.0 as usize].is_none() {
                continue;
            }
            let now = self.now();
            let mut out = self.take_scratch();
            if let Some(tcb) = self.tcb_mut(child) {
                if reset {
                    tcb.abort(now, &mut out);
                } else {
                    tcb.forget(&mut out);
                }
            }
            self.apply_tcp_out(child, &out, Cause::Call(call));
            self.return_scratch(out);
        }
    }

    pub(crate) fn tcp_timer(&mut self, sid: SocketId, kind: TimerKind) {
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(tcb) = self.tcb_mut(sid) {
            tcb.on_timer(kind, now, &mut out);
        }
        self.apply_tcp_out(sid, &out, self.handling());
        self.return_scratch(out);
    }

    /// Demultiplexes an arriving segment: an existing connection, else a listener,
    /// else nobody — which RFC 9293 answers with RST.
    pub(crate) fn tcp_arrive(&mut self, to: HostId, packet: &Packet) {
        let Body::Tcp(seg) = &packet.body else { return };
        let local = SocketAddrV4::new(packet.dst, seg.dst_port);
        let remote = SocketAddrV4::new(packet.src, seg.src_port);
        if let Some(&sid) = self.hosts[to.0 as usize].connections.get(&(local, remote)) {
            self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: Some(sid) });
            if self.final_ack_overflows(to, sid, packet) {
                return;
            }
            let now = self.now();
            let mut out = self.take_scratch();
            if let Some(tcb) = self.tcb_mut(sid) {
                tcb.on_segment(seg, now, &mut out);
            }
            self.apply_tcp_out(sid, &out, Cause::Arrival(packet.id));
            self.return_scratch(out);
            return;
        }
        let listener = self.find_listener(to, local);
        self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: listener });
        let f = seg.flags;
        // tcp_rcv_state_process in LISTEN: a RST is ignored, an ACK is answered
        // by a RST, a SYN opens a connection. With no socket at all, everything
        // but a RST gets one.
        match listener {
            Some(l) if f.syn() && !f.ack() && !f.rst() => self.syn_at_listener(to, l, packet, seg, local, remote),
            Some(_) if f.rst() => {}
            _ if f.rst() => {}
            _ => self.send_reset_for(to, packet, seg),
        }
    }

    /// Linux drops a handshake's final ACK while the listener's accept queue is
    /// full (`tcp_abort_on_overflow` = 0, `tcp_check_req` → `listen_overflow`);
    /// the server's SYN-ACK timer retries.
    fn final_ack_overflows(&mut self, to: HostId, sid: SocketId, packet: &Packet) -> bool {
        let Body::Tcp(seg) = &packet.body else { return false };
        let sock = self.sock(sid);
        let Some(tcp) = sock.tcp() else { return false };
        let (Some(parent), Some(tcb)) = (tcp.parent, tcp.tcb.as_deref()) else { return false };
        if tcb.state != TcpState::SynReceived || !seg.flags.ack() || seg.flags.rst() || seg.flags.syn() {
            return false;
        }
        self.listen_overflow(to, parent, packet)
    }

    /// When `listener`'s accept queue is full, drops `packet` (a SYN or a final
    /// ACK) as `tcp_listendrop` counts it, says so in the trace, and returns true.
    fn listen_overflow(&mut self, to: HostId, listener: SocketId, packet: &Packet) -> bool {
        let Some(q) = self.sock_mut(listener).tcp_mut().and_then(|t| t.listen.as_mut()) else { return false };
        if !q.accept_queue_full() {
            return false;
        }
        q.overflows += 1;
        let reason = DropReason::AcceptQueueFull {
            backlog: q.backlog,
            waiting: u32::try_from(q.accept_queue.len()).unwrap_or(u32::MAX),
        };
        let cause = self.handling().into();
        self.emit(TraceKind::Dropped { packet: packet.id, host: to, socket: listener, reason, cause });
        true
    }

    /// The listener for `local`: one bound to that exact address, else one bound
    /// to 0.0.0.0.
    fn find_listener(&self, host: HostId, local: SocketAddrV4) -> Option<SocketId> {
        let listeners = self.hosts[host.0 as usize].listeners_on(local.port());
        let bound = |sid: &SocketId| self.sock(*sid).local;
        let exact = listeners.iter().find(|s| bound(s) == Some(local));
        exact.or_else(|| listeners.iter().find(|s| bound(s).is_some_and(|l| l.ip().is_unspecified()))).copied()
    }

    fn syn_at_listener(
        &mut self,
        host: HostId,
        listener: SocketId,
        packet: &Packet,
        syn: &TcpSegment,
        local: SocketAddrV4,
        remote: SocketAddrV4,
    ) {
        // Linux (`tcp_conn_request`): a SYN to a listener whose accept queue is
        // full is dropped; the client's SYN timer will try again.
        if self.listen_overflow(host, listener, packet) {
            return;
        }
        let l = self.sock(listener);
        let Some(tcp) = l.tcp() else { return };
        let cfg = self.config_for(host, tcp);
        let reuse_addr = l.reuse_addr;
        // sk_clone_lock copies the listener's socket: its options, its
        // SO_LINGER, and what shutdown() recorded on it.
        let child_tcp = TcpSock {
            parent: Some(listener),
            recv_buffer: tcp.recv_buffer,
            send_buffer: tcp.send_buffer,
            nagle: tcp.nagle,
            congestion: tcp.congestion,
            write_shutdown: tcp.write_shutdown,
            read_shutdown: tcp.read_shutdown,
            linger_abort: tcp.linger_abort,
            ..TcpSock::default()
        };
        let initial = self.initial_numbers();
        let mss = self.path_mtu(host, remote.ip().to_owned()).saturating_sub(IPV4_HEADER_LEN as u32 + TCP_HEADER_LEN);
        let mut out = self.take_scratch();
        let mut tcb = Tcb::accept_syn(&cfg, (local, remote), syn, initial, mss, self.now(), &mut out);
        tcb.read_shutdown = child_tcp.read_shutdown;
        tcb.fin_on_establish = child_tcp.write_shutdown;
        let child = self.insert_socket(|id| Socket {
            id,
            host,
            fd: None,
            local: Some(local),
            remote: Some(remote),
            reuse_addr,
            nonblocking: false,
            bound_explicitly: false,
            kind: SocketKind::Tcp(TcpSock { tcb: Some(Box::new(tcb)), ..child_tcp }),
            waiters: Vec::new(),
            timer_events: [None; TimerKind::ALL.len()],
            error_cause: None,
            route: None,
            // Drawn when the connection is made (tcp_v4_syn_recv_sock): until
            // then the listener's request answers for it, with IP ID 0.
            ip_ident: None,
            bind_order: 0,
        });
        let h = self.host_mut(host);
        h.hold_port(Protocol::Tcp, local.port(), child);
        h.connections.insert((local, remote), child);
        if let Some(q) = self.sock_mut(listener).tcp_mut().and_then(|t| t.listen.as_mut()) {
            q.syn_queue.insert(child);
        }
        let syn = packet.id;
        self.handling_syn(syn, |w| w.apply_tcp_out(child, &out, Cause::SynAtListener(syn)));
        self.return_scratch(out);
    }

    /// A segment for no connection gets a RST that the sender will accept
    /// (`tcp_v4_rcv`'s `no_tcp_socket`, then `tcp_v4_send_reset`).
    fn send_reset_for(&mut self, host: HostId, packet: &Packet, seg: &TcpSegment) {
        // From the control socket, unconnected, with DF: IP ID 0 (tcp_v4_send_reset).
        let (src, dst, rst) = (packet.dst, packet.src, Body::Tcp(seg.reset_reply()));
        self.transmit(host, None, src, dst, rst, SendReason::Reset, Ident::Zero);
    }

    /// A socket option (`TCP_NODELAY`, `TCP_QUICKACK`) applied to the live
    /// connection, if there is one; what it sends goes out as the call's doing.
    pub(crate) fn tcp_option_takes_effect(&mut self, sid: SocketId, apply: impl FnOnce(&mut Tcb, u64, &mut TcpOut)) {
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(tcb) = self.tcb_mut(sid) {
            apply(tcb, now, &mut out);
            self.apply_app_tcp_out(sid, &out);
        }
        self.return_scratch(out);
    }

    /// Turns a connection's output, made while the world handles `cause`, into
    /// trace events and packets, and keeps the socket tables in step with its state.
    pub(crate) fn apply_tcp_out(&mut self, sid: SocketId, out: &TcpOut, cause: Cause) {
        self.apply_output(sid, out, cause, false);
    }

    /// The output of the application's own read or write (`send`, `recv`), made
    /// while the world handles a call or a retry of a blocked one.
    fn apply_app_tcp_out(&mut self, sid: SocketId, out: &TcpOut) {
        self.apply_output(sid, out, self.handling(), true);
    }

    fn apply_output(&mut self, sid: SocketId, out: &TcpOut, cause: Cause, by_app: bool) {
        // A RST answering an arriving segment leaves from Linux's control
        // socket (tcp_v4_send_reset, after tcp_rcv_state_process returned 1),
        // not from the connection: IP ID 0, as a RST for no socket.
        let answers_segment = matches!(cause, Cause::Arrival(_));
        let cause = CauseId::from(cause);
        let sock = self.sock(sid);
        let host = sock.host;
        let parent = sock.tcp().and_then(|t| t.parent);
        let Some(tcb) = self.tcb_mut(sid) else { return };
        // Taken whether or not it is emitted: a rule that left the values as
        // they were must not be given as the reason for a later change.
        let why = tcb.take_cwnd_change();
        let (local, remote) = (tcb.local, tcb.remote);
        let (cwnd, ssthresh, control) = (tcb.cwnd(), tcb.ssthresh(), tcb.congestion_control());
        let state = tcb.state;
        let orphaned = tcb.orphaned;
        for &(from, to) in &out.transitions {
            self.emit(TraceKind::State { host, socket: sid, from, to, cause });
        }
        if let Some(errno) = out.error {
            self.emit(TraceKind::SocketError { host, socket: sid, errno, cause });
            self.sock_mut(sid).error_cause = Some(cause);
        }
        if out.congestion_changed {
            debug_assert!(why.is_some(), "a change of cwnd or ssthresh without its rule");
            self.emit(TraceKind::Congestion { host, socket: sid, cwnd, ssthresh, why, control, cause });
        }
        if out.loss_confirmed {
            self.emit(TraceKind::LossConfirmed { host, socket: sid, cause });
        }
        // A connection made by a listener gets its IP ID counter when it is
        // made (tcp_v4_syn_recv_sock); a connect() drew its own before its SYN.
        let established = out.transitions.iter().any(|&(_, to)| to == TcpState::Established);
        if established && self.sock(sid).ip_ident.is_none() {
            self.start_ip_ident(sid);
        }
        // Linux swaps a connection in TIME-WAIT, or orphaned in FIN-WAIT-2,
        // for a timewait sock (tcp_time_wait), whose replies go from the
        // control socket with ID 0. The swap follows what the state was
        // before this input: the ACK that enters TIME-WAIT from a socket's
        // FIN-WAIT-2 leaves before it (four_way_close's closer, orphaned in
        // FIN-WAIT-2, answers the FIN with ID 0 in the kernel's capture).
        if !out.segments.is_empty() {
            let before = out.transitions.first().map_or(state, |&(from, _)| from);
            let timewait_sock = before == TcpState::TimeWait || (before == TcpState::FinWait2 && orphaned);
            let ident = match self.sock(sid).ip_ident {
                // Not a connection yet: the listener's request sends the
                // SYN-ACK (ip_build_and_send_pkt, DF and ID 0).
                None => Ident::Zero,
                Some(_) if timewait_sock => Ident::Zero,
                Some(_) => Ident::Socket(sid),
            };
            for (seg, reason) in &out.segments {
                let ident = if seg.flags.rst() && answers_segment { Ident::Zero } else { ident };
                self.transmit(host, Some(sid), *local.ip(), *remote.ip(), Body::Tcp(seg.clone()), *reason, ident);
            }
        }
        if let Some(parent) = parent {
            if established && self.sockets[parent.0 as usize].is_some() {
                if let Some(q) = self.sock_mut(parent).tcp_mut().and_then(|t| t.listen.as_mut()) {
                    q.syn_queue.remove(&sid);
                    q.accept_queue.push_back(sid);
                }
                self.mark_dirty(parent);
            }
        }
        // A read or write by the application cannot unblock its own waiting calls;
        // marking the socket would only retry them forever.
        if !by_app || !out.transitions.is_empty() || out.error.is_some() {
            self.mark_dirty(sid);
        }
        if state == TcpState::Closed {
            self.connection_closed(sid);
        } else {
            self.sync_timers(sid);
        }
    }

    /// A connection reached CLOSED: an orphan is freed at once; a socket the
    /// application still holds stays (reads end-of-stream or its error) but no
    /// longer receives segments.
    fn connection_closed(&mut self, sid: SocketId) {
        let sock = self.sock(sid);
        let parent = sock.tcp().and_then(|t| t.parent);
        // A connection reset while it waits in the accept queue stays there
        // (tcp_done leaves a child socket that is not SOCK_DEAD in place):
        // accept() returns it, closed, and its reads say why. One still in
        // the SYN queue, or whose listener is gone, just disappears.
        let waits_for_accept = parent.is_some_and(|p| {
            let queues = self.sockets[p.0 as usize].as_ref().and_then(|l| l.tcp()).and_then(|t| t.listen.as_ref());
            queues.is_some_and(|q| q.accept_queue.contains(&sid))
        });
        if !waits_for_accept && (sock.fd.is_none() || parent.is_some()) {
            self.destroy_socket(sid);
            return;
        }
        let host = sock.host;
        let auto_bound = !sock.bound_explicitly;
        let protocol = sock.protocol();
        let Some(tcb) = self.tcb(sid) else { return };
        let key = (tcb.local, tcb.remote);
        let port = tcb.local.port();
        let h = self.host_mut(host);
        if h.connections.get(&key) == Some(&sid) {
            h.connections.remove(&key);
        }
        if auto_bound {
            // Linux releases an automatically chosen port when the connection ends.
            h.release_port(protocol, port, sid);
            let sock = self.sock_mut(sid);
            sock.local = None;
            if let Some(t) = sock.tcp_mut() {
                t.port_by_connect = false;
            }
        }
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.done = true;
        }
    }
}
