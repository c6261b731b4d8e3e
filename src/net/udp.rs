//! UDP: connectionless datagrams with their boundaries kept, a size limit, a
//! receive buffer that silently drops when full, and ICMP port unreachable.

use super::addr::{HostId, Ipv4Addr, Protocol, SocketAddrV4, SocketId};
use super::packet::{Body, Packet, Quoted, UdpDatagram, UDP_HEADER_LEN, UDP_MAX_PAYLOAD};
use super::syscall::{CallResult, CallValue, Errno, Shutdown};
use super::trace::{Cause, DropReason, SendReason, TraceKind};
use super::{Ident, World};
use std::collections::VecDeque;
use std::sync::Arc;

/// Linux's `net.core.rmem_default`.
pub const DEFAULT_UDP_RECV_BUFFER: usize = 212_992;

#[derive(Clone, Debug)]
pub struct UdpSock {
    /// Datagrams waiting to be read, with their senders.
    pub queue: VecDeque<(SocketAddrV4, Arc<[u8]>)>,
    pub queued_bytes: usize,
    /// Payload bytes the receive buffer holds.
    pub capacity: usize,
    /// An ICMP error waiting to be reported (connected sockets only).
    pub error: Option<Errno>,
    pub delivered: u64,
    pub dropped: u64,
    pub read_shutdown: bool,
    pub write_shutdown: bool,
    /// `connect` filled in the source address of a socket bound to 0.0.0.0:
    /// `connect(AF_UNSPEC)` puts 0.0.0.0 back.
    pub source_by_connect: bool,
}

impl Default for UdpSock {
    fn default() -> Self {
        UdpSock {
            queue: VecDeque::new(),
            queued_bytes: 0,
            capacity: DEFAULT_UDP_RECV_BUFFER,
            error: None,
            delivered: 0,
            dropped: 0,
            read_shutdown: false,
            write_shutdown: false,
            source_by_connect: false,
        }
    }
}

impl World {
    /// `inet_autobind`: `connect` and `sendto` bind an unbound socket to a port of
    /// the ephemeral range before anything else, and when none is left they fail
    /// with EAGAIN, not the EADDRINUSE of `bind(port 0)` (`inet_dgram_connect`,
    /// `inet_send_prepare`). Surprise: a `sendto` that then fails (EMSGSIZE,
    /// EDESTADDRREQ, ENETUNREACH) leaves the socket bound, so a `bind` after it
    /// is EINVAL.
    fn udp_autobind(&mut self, host: HostId, sid: SocketId) -> Result<(), Errno> {
        if self.sock(sid).local.is_some() {
            return Ok(());
        }
        self.bind(host, sid, SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0), false).map_err(|e| match e {
            Errno::EADDRINUSE => Errno::EAGAIN,
            e => e,
        })
    }

    pub(crate) fn udp_connect(&mut self, host: HostId, sid: SocketId, addr: SocketAddrV4) -> CallResult {
        self.udp_autobind(host, sid)?;
        // As a TCP connect: 0.0.0.0 is this host, by its loopback.
        let addr = if addr.ip().is_unspecified() { SocketAddrV4::new(Ipv4Addr::LOCALHOST, addr.port()) } else { addr };
        if self.sock(sid).local.is_some_and(|l| self.loopback_source_leaves(host, *l.ip(), *addr.ip())) {
            return Err(Errno::EINVAL);
        }
        let source = self.hosts[host.0 as usize].source_for(*addr.ip());
        let sock = self.sock_mut(sid);
        if let Some(local) = sock.local {
            if local.ip().is_unspecified() {
                sock.local = Some(SocketAddrV4::new(source, local.port()));
                if let Some(udp) = sock.udp_mut() {
                    udp.source_by_connect = true;
                }
            }
        }
        sock.remote = Some(addr);
        // __ip4_datagram_connect: a new random inet_id.
        self.start_ip_ident(sid);
        Ok(CallValue::Zero)
    }

    pub(crate) fn udp_send(
        &mut self,
        host: HostId,
        sid: SocketId,
        data: Arc<[u8]>,
        to: Option<SocketAddrV4>,
    ) -> CallResult {
        self.udp_autobind(host, sid)?;
        // udp_sendmsg's order: no datagram can be longer than 65535 bytes,
        // whatever else; then the destination, then its route, then the
        // datagram's size; a pending error and a shutdown for writing are
        // found only when the datagram's buffer is taken
        // (sock_alloc_send_pskb), after all of those.
        if data.len() > usize::from(u16::MAX) {
            return Err(Errno::EMSGSIZE);
        }
        let sock = self.sock(sid);
        let Some(dst) = to.or(sock.remote) else { return Err(Errno::EDESTADDRREQ) };
        if to.is_some_and(|to| to.port() == 0) {
            return Err(Errno::EINVAL);
        }
        // Linux sends to 0.0.0.0 as to this host (ip_route_output_key: no
        // destination is the loopback).
        let dst = if dst.ip().is_unspecified() { SocketAddrV4::new(Ipv4Addr::LOCALHOST, dst.port()) } else { dst };
        if self.route(host, *dst.ip()).is_none() {
            return Err(Errno::ENETUNREACH);
        }
        if sock.local.is_some_and(|l| self.loopback_source_leaves(host, *l.ip(), *dst.ip())) {
            return Err(Errno::EINVAL);
        }
        if data.len() > UDP_MAX_PAYLOAD {
            return Err(Errno::EMSGSIZE);
        }
        if let Some(err) = self.sock_mut(sid).udp_mut().and_then(|u| u.error.take()) {
            self.collect_error(sid);
            return Err(err);
        }
        if self.sock(sid).udp().is_some_and(|u| u.write_shutdown) {
            return Err(Errno::EPIPE);
        }
        let local = self.sock(sid).local.unwrap_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0));
        let src =
            if local.ip().is_unspecified() { self.hosts[host.0 as usize].source_for(*dst.ip()) } else { *local.ip() };
        let len = data.len();
        let body = Body::Udp(UdpDatagram { src_port: local.port(), dst_port: dst.port(), payload: data });
        // A connected socket numbers its datagrams; an unconnected one's
        // come from the hashed generator (ip_select_ident_segs).
        let ident = if self.sock(sid).remote.is_some() { Ident::Socket(sid) } else { Ident::Hashed };
        self.transmit(host, Some(sid), src, *dst.ip(), body, SendReason::Datagram, ident);
        Ok(CallValue::Sent(len))
    }

    /// `shutdown` on UDP (inet_shutdown): recorded whether or not the socket
    /// is connected; an unconnected one says ENOTCONN after recording it, and
    /// its sends are EPIPE from then on.
    pub(crate) fn udp_shutdown(&mut self, sid: SocketId, how: Shutdown) -> CallResult {
        let sock = self.sock_mut(sid);
        let connected = sock.remote.is_some();
        if let Some(udp) = sock.udp_mut() {
            if matches!(how, Shutdown::Read | Shutdown::Both) {
                udp.read_shutdown = true;
            }
            if matches!(how, Shutdown::Write | Shutdown::Both) {
                udp.write_shutdown = true;
            }
        }
        self.mark_dirty(sid);
        if connected {
            Ok(CallValue::Zero)
        } else {
            Err(Errno::ENOTCONN)
        }
    }

    /// Finds the socket a datagram for `dst` from `src` belongs to: a connected
    /// socket matching both ends first, then one bound to the exact address, then
    /// one bound to 0.0.0.0.
    fn udp_lookup(&self, host: HostId, dst: SocketAddrV4, src: SocketAddrV4) -> Option<SocketId> {
        let holders = self.hosts[host.0 as usize].port_holders(Protocol::Udp, dst.port());
        holders
            .filter_map(|sid| {
                let s = self.sock(sid);
                let local = s.local?;
                let ip_score = if *local.ip() == *dst.ip() {
                    2
                } else if local.ip().is_unspecified() {
                    1
                } else {
                    return None;
                };
                let remote_score = match s.remote {
                    Some(r) if r == src => 4,
                    Some(_) => return None,
                    None => 0,
                };
                Some((ip_score + remote_score, s.bind_order, sid))
            })
            // Of equal scores the last bound (udp_lib_lookup2 keeps the first
            // of its list, where each bind puts its socket at the head).
            .max_by_key(|&(score, order, _)| (score, order))
            .map(|(_, _, sid)| sid)
    }

    pub(crate) fn udp_arrive(&mut self, to: HostId, packet: &Packet) {
        let Body::Udp(d) = &packet.body else { return };
        let dst = SocketAddrV4::new(packet.dst, d.dst_port);
        let src = SocketAddrV4::new(packet.src, d.src_port);
        let target = self.udp_lookup(to, dst, src);
        self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: target });
        let Some(sid) = target else {
            // Nobody listens: the host answers ICMP port unreachable (RFC 1122 §3.2.2.1).
            let quoted = Quoted {
                src: packet.src,
                dst: packet.dst,
                ip_id: packet.ip_id,
                src_port: d.src_port,
                dst_port: d.dst_port,
                udp_len: (UDP_HEADER_LEN + d.payload.len()).min(usize::from(u16::MAX)) as u16,
            };
            // The ICMP socket sets no DF: the hashed generator.
            let (src, dst, icmp) = (packet.dst, packet.src, Body::PortUnreachable(quoted));
            self.transmit(to, None, src, dst, icmp, SendReason::Icmp, Ident::Hashed);
            return;
        };
        let Some(udp) = self.sock_mut(sid).udp_mut() else { return };
        // A socket shut for reading still queues what comes (Linux's UDP
        // receive path does not look at sk_shutdown): only a full buffer drops.
        if udp.queued_bytes + d.payload.len() > udp.capacity {
            udp.dropped += 1;
            self.emit(TraceKind::Dropped {
                packet: packet.id,
                host: to,
                socket: sid,
                reason: DropReason::ReceiveBufferFull,
                cause: Cause::Arrival(packet.id).into(),
            });
            return;
        }
        udp.queued_bytes += d.payload.len();
        udp.queue.push_back((src, d.payload.clone()));
        udp.delivered += 1;
        self.mark_dirty(sid);
    }

    /// ICMP port unreachable reached the datagram's sender. Linux reports it as
    /// ECONNREFUSED on a *connected* UDP socket's next call and ignores it otherwise.
    pub(crate) fn icmp_arrive(&mut self, to: HostId, packet: &Packet) {
        let Body::PortUnreachable(q) = &packet.body else { return };
        let local = SocketAddrV4::new(q.src, q.src_port);
        let remote = SocketAddrV4::new(q.dst, q.dst_port);
        let target = self.hosts[to.0 as usize].port_holders(Protocol::Udp, q.src_port).find(|&sid| {
            let s = self.sock(sid);
            s.remote == Some(remote) && s.local.is_some_and(|l| l == local || l.ip().is_unspecified())
        });
        self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: target });
        if let Some(sid) = target {
            let cause = Cause::Arrival(packet.id).into();
            let sock = self.sock_mut(sid);
            if let Some(udp) = sock.udp_mut() {
                udp.error = Some(Errno::ECONNREFUSED);
            }
            sock.error_cause = Some(cause);
            self.emit(TraceKind::SocketError { host: to, socket: sid, errno: Errno::ECONNREFUSED, cause });
            self.mark_dirty(sid);
        }
    }
}
