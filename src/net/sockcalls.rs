//! The calls a lesson uses to look at a socket, and the flags and options that
//! bend a call's usual rule: `getsockname`, `getpeername`, `getsockopt(SO_ERROR)`,
//! `recv` with `MSG_PEEK`/`MSG_TRUNC`, `connect(AF_UNSPEC)` and the abortive
//! close of `SO_LINGER {1, 0}` — each as Linux 6.x does it.

use super::addr::{CallId, HostId, Ipv4Addr, Protocol, SocketAddrV4, SocketId};
use super::calls::Attempt;
use super::packet::empty_payload;
use super::socket::{ConnectState, Wait};
use super::syscall::{CallResult, CallValue, Errno, MsgFlags};
use super::tcp::state::TcpState;
use super::trace::{Cause, CauseId, TraceKind};
use super::World;
use std::sync::Arc;

impl World {
    /// `getsockname` (`inet_getname` with `peer` 0): the bound address, the
    /// source a connection chose in place of 0.0.0.0, or 0.0.0.0:0 before any
    /// bind. A connection keeps naming its address after it ended (a refused
    /// `connect` included), as Linux's socket keeps `inet_saddr`.
    pub(crate) fn sock_name(&self, sid: SocketId) -> SocketAddrV4 {
        let sock = self.sock(sid);
        let tcb_local = sock.tcp().and_then(|t| t.tcb.as_deref()).map(|tcb| tcb.local);
        tcb_local.or(sock.local).unwrap_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0))
    }

    /// `getpeername` (`inet_getname` with `peer` 1): ENOTCONN without a peer,
    /// and for TCP also while the SYN is unanswered and once the connection is
    /// closed (`TCPF_CLOSE | TCPF_SYN_SENT`) or in TIME-WAIT.
    pub(crate) fn peer_name(&self, sid: SocketId) -> CallResult {
        let sock = self.sock(sid);
        let peer = match sock.tcp() {
            Some(t) => t
                .tcb
                .as_deref()
                // In TIME-WAIT too: Linux hands the connection to a timewait
                // sock (tcp_time_wait) and closes the descriptor's own socket.
                .filter(|tcb| !matches!(tcb.state, TcpState::Closed | TcpState::SynSent | TcpState::TimeWait))
                .map(|tcb| tcb.remote),
            // A UDP socket connected to port 0 has no peer to name
            // (inet_getname: no inet_dport is ENOTCONN).
            None => sock.remote.filter(|r| r.port() != 0),
        };
        peer.map(CallValue::Name).ok_or(Errno::ENOTCONN)
    }

    /// `getsockopt(SO_ERROR)`: `sock_error` reads the pending error and clears
    /// it, so the next call no longer reports it.
    pub(crate) fn take_sock_error(&mut self, sid: SocketId) -> Option<Errno> {
        let sock = self.sock_mut(sid);
        let error = match sock.tcp_mut() {
            Some(t) => t.tcb.as_deref_mut().and_then(|tcb| tcb.error.take()),
            None => sock.udp_mut().and_then(|u| u.error.take()),
        };
        if error.is_some() {
            self.collect_error(sid);
        }
        error
    }

    /// `recv`/`recvfrom` with `MSG_PEEK` or `MSG_TRUNC`. A call that has to wait
    /// keeps its flags, so it peeks (or discards) when data comes.
    pub(crate) fn recv_flagged(&mut self, sid: SocketId, len: usize, from: bool, flags: MsgFlags) -> Attempt {
        let attempt = match self.sock(sid).protocol() {
            Protocol::Tcp => self.tcp_recv_flagged(sid, len, flags),
            Protocol::Udp => self.udp_recv_flagged(sid, len, from, flags),
        };
        match attempt {
            Attempt::Wait(Wait::Recv { len, .. }) => Attempt::Wait(Wait::RecvFlags { len, from, flags }),
            other => other,
        }
    }

    /// TCP (`tcp_recvmsg_locked`): `MSG_PEEK` copies the unread bytes and leaves
    /// them queued; `MSG_TRUNC` does not copy (`if (!(flags & MSG_TRUNC))
    /// skb_copy_datagram_msg`) but still consumes, so the bytes are discarded
    /// and the call returns how many. With nothing unread, both flags wait, read
    /// end-of-stream or report the error as a plain `recv` does.
    fn tcp_recv_flagged(&mut self, sid: SocketId, len: usize, flags: MsgFlags) -> Attempt {
        let peeked = match self.sock(sid).tcp().and_then(|t| t.tcb.as_deref()) {
            Some(tcb) if flags.peek && len > 0 && tcb.unread() > 0 => Some(tcb.peek(len)),
            _ => None,
        };
        let attempt = match peeked {
            Some(data) => Attempt::Done(Ok(CallValue::Data(data))),
            // Nothing to peek at: a plain recv consumes nothing either.
            None => self.tcp_recv(sid, len),
        };
        match attempt {
            Attempt::Done(Ok(CallValue::Data(d))) if flags.trunc && !d.is_empty() => {
                Attempt::Done(Ok(CallValue::Length { len: d.len(), data: empty_payload(), from: None }))
            }
            other => other,
        }
    }

    /// UDP (`udp_recvmsg`): one datagram, cut to the buffer; `MSG_PEEK` leaves it
    /// queued, `MSG_TRUNC` makes the call return its full length (`if (flags &
    /// MSG_TRUNC) err = ulen`) while only `len` bytes are copied.
    pub(crate) fn udp_recv_flagged(&mut self, sid: SocketId, len: usize, from: bool, flags: MsgFlags) -> Attempt {
        let nonblocking = self.sock(sid).nonblocking;
        let Some(udp) = self.sock_mut(sid).udp_mut() else { return Attempt::Done(Err(Errno::EINVAL)) };
        if let Some(err) = udp.error.take() {
            self.collect_error(sid);
            return Attempt::Done(Err(err));
        }
        let datagram = if flags.peek { udp.queue.front().cloned() } else { udp.queue.pop_front() };
        let Some((sender, data)) = datagram else {
            // Shut for reading with nothing queued: a read that would wait
            // reads 0 instead (__skb_wait_for_more_packets); a non-blocking
            // one never waits, so it is EAGAIN as ever (__skb_recv_udp).
            if udp.read_shutdown && !nonblocking {
                return Attempt::Done(Ok(CallValue::Data(empty_payload())));
            }
            return Attempt::Wait(Wait::Recv { len, from });
        };
        if !flags.peek {
            udp.queued_bytes -= data.len();
        }
        let full = data.len();
        let copied: Arc<[u8]> = if full > len { Arc::from(&data[..len]) } else { data };
        if full > len && !flags.peek {
            // The rest of the datagram is gone: say so, for the short result.
            let host = self.sock(sid).host;
            let (datagram, read) = (full as u32, len as u32);
            let cause = CauseId::from(self.handling());
            self.emit(TraceKind::Truncated { host, socket: sid, datagram, read, cause });
        }
        Attempt::Done(Ok(match (flags.trunc, from) {
            (true, _) => CallValue::Length { len: full, data: copied, from: from.then_some(sender) },
            (false, true) => CallValue::DataFrom { data: copied, from: sender },
            (false, false) => CallValue::Data(copied),
        }))
    }

    /// `connect(AF_UNSPEC)` on UDP (`__udp_disconnect`): the peer is forgotten,
    /// so datagrams from anyone arrive again and `send` needs an address; an
    /// address `connect` filled in goes back to 0.0.0.0, and a port the socket
    /// was given automatically is released (no `SOCK_BINDPORT_LOCK`). Unlike
    /// Linux, the model counts `bind(ip:0)` as binding the port itself.
    pub(crate) fn udp_disconnect(&mut self, host: HostId, sid: SocketId) -> CallResult {
        let sock = self.sock_mut(sid);
        sock.remote = None;
        sock.ip_ident = None;
        let source_by_connect = sock.udp_mut().is_some_and(|u| std::mem::take(&mut u.source_by_connect));
        let local = sock.local;
        if !sock.bound_explicitly {
            sock.local = None;
            if let Some(local) = local {
                self.host_mut(host).release_port(Protocol::Udp, local.port(), sid);
            }
        } else if let (true, Some(local)) = (source_by_connect, local) {
            sock.local = Some(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, local.port()));
        }
        self.mark_dirty(sid);
        Ok(CallValue::Zero)
    }

    /// `connect(AF_UNSPEC)` on TCP (`__inet_stream_connect` → `tcp_disconnect`):
    /// a listener stops listening (its queued connections are reset) and stays
    /// bound; a connection is aborted — RST when `tcp_need_reset` says so
    /// (ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1/2, SYN-RECEIVED), none from
    /// SYN-SENT — and the socket keeps ECONNRESET for `SO_ERROR`. Its source
    /// address goes back to 0.0.0.0 unless `bind` chose it (`inet_reset_saddr`),
    /// and it may `connect` again. Returns 0.
    pub(crate) fn tcp_disconnect(&mut self, sid: SocketId, call: CallId) -> CallResult {
        let Some(state) = self.sock(sid).tcp_state() else { return Err(Errno::EINVAL) };
        // `sock->state = SS_UNCONNECTED`: the next connect() starts anew.
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.connect_state = ConnectState::Unconnected;
        }
        match state {
            TcpState::Listen => {
                self.stop_listening(sid, call);
                return Ok(CallValue::Zero);
            }
            // A connection already over, or in TIME-WAIT, which is the
            // timewait sock's and no longer the descriptor's (tcp_time_wait
            // → tcp_done): nothing to send, no error, and the TIME-WAIT
            // stays; the source address goes back to 0.0.0.0 all the same
            // (tcp_disconnect's inet_reset_saddr runs in every state).
            TcpState::Closed | TcpState::TimeWait => {
                let explicit = self.sock(sid).bound_explicitly;
                if let Some(t) = self.sock_mut(sid).tcp_mut() {
                    t.forget_connection();
                    if let Some(tcb) = t.tcb.as_deref_mut().filter(|_| !explicit) {
                        tcb.local = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, tcb.local.port());
                    }
                }
                return Ok(CallValue::Zero);
            }
            _ => {}
        }
        let explicit = self.sock(sid).bound_explicitly;
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(tcb) = self.sock_mut(sid).tcp_mut().and_then(|t| t.tcb.as_deref_mut()) {
            tcb.abort(now, &mut out);
            tcb.error = Some(Errno::ECONNRESET);
        }
        self.sock_mut(sid).error_cause = Some(CauseId::from(Cause::Call(call)));
        self.apply_tcp_out(sid, &out, Cause::Call(call));
        self.return_scratch(out);
        // Only now: the RST left from the connection's address.
        if let Some(tcb) = self.sock_mut(sid).tcp_mut().and_then(|t| t.tcb.as_deref_mut()).filter(|_| !explicit) {
            tcb.local = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, tcb.local.port());
        }
        if let Some(t) = self.sock_mut(sid).tcp_mut() {
            t.forget_connection();
        }
        Ok(CallValue::Zero)
    }

    /// `close` with `SO_LINGER {1, 0}` (`__tcp_close`: `sock_flag(sk,
    /// SOCK_LINGER) && !sk->sk_lingertime` → `tcp_disconnect`): the connection
    /// is aborted, with RST where `tcp_need_reset` says so, and leaves no
    /// FIN exchange and no TIME-WAIT behind. A listener closes as always.
    pub(crate) fn tcp_abortive_close(&mut self, sid: SocketId, call: CallId) {
        // A connection in TIME-WAIT is no longer the descriptor's (the
        // timewait sock has it, and __tcp_close finds the socket closed):
        // it closes as always, and the TIME-WAIT stays.
        let has_connection = self.sock(sid).tcp().and_then(|t| t.tcb.as_deref()).is_some();
        if !has_connection || self.sock(sid).tcp_state() == Some(TcpState::TimeWait) {
            self.tcp_close(sid, call);
            return;
        }
        let now = self.now();
        let mut out = self.take_scratch();
        if let Some(tcb) = self.sock_mut(sid).tcp_mut().and_then(|t| t.tcb.as_deref_mut()) {
            tcb.orphaned = true;
            // tcp_close empties the receive queue before it disconnects.
            tcb.discard_unread();
            tcb.abort(now, &mut out);
        }
        self.apply_tcp_out(sid, &out, Cause::Call(call));
        self.return_scratch(out);
        if self.sockets[sid.0 as usize].is_some() && self.sock(sid).tcp_state() == Some(TcpState::Closed) {
            self.destroy_socket(sid);
        }
    }
}
