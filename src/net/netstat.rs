//! Read-only pictures of the world for views (turmoil calls these netstat):
//! each socket as a row of facts.

use super::addr::{Fd, HostId, Protocol, SocketAddrV4, SocketId};
use super::socket::Wait;
use super::tcp::conn::TcpStats;
use super::tcp::state::TcpState;
use super::World;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketView {
    pub id: SocketId,
    pub host: HostId,
    pub fd: Option<Fd>,
    pub protocol: Protocol,
    pub local: Option<SocketAddrV4>,
    pub remote: Option<SocketAddrV4>,
    pub state: Option<TcpState>,
    pub tcp: Option<TcpStats>,
    pub listen: Option<ListenView>,
    pub udp: Option<UdpView>,
    /// Names of the calls blocked on this socket (`accept`, `recv`, ...).
    pub blocked: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListenView {
    pub backlog: u32,
    pub syn_queue: usize,
    pub accept_queue: usize,
    pub overflows: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UdpView {
    pub queued: usize,
    pub queued_bytes: usize,
    pub capacity: usize,
    pub delivered: u64,
    pub dropped: u64,
}

impl World {
    /// The sockets of `host`: those with descriptors in fd order, then those
    /// without (connections waiting to be accepted, closed ones finishing TCP).
    pub fn sockets_on(&self, host: HostId) -> Vec<SocketView> {
        let mut views: Vec<SocketView> =
            self.sockets.iter().flatten().filter(|s| s.host == host).map(|s| self.socket_view(s.id)).collect();
        views.sort_by_key(|v| (v.fd.is_none(), v.fd, v.id));
        views
    }

    pub fn socket_view(&self, id: SocketId) -> SocketView {
        let s = self.sock(id);
        let tcp = s.tcp();
        SocketView {
            id,
            host: s.host,
            fd: s.fd,
            protocol: s.protocol(),
            local: s.local.or_else(|| tcp.and_then(|t| t.tcb.as_ref()).map(|c| c.local)),
            remote: s.remote,
            state: s.tcp_state(),
            tcp: tcp.and_then(|t| t.tcb.as_ref()).map(|c| c.stats()),
            listen: tcp.and_then(|t| t.listen.as_ref()).map(|q| ListenView {
                backlog: q.backlog,
                syn_queue: q.syn_queue.len(),
                accept_queue: q.accept_queue.len(),
                overflows: q.overflows,
            }),
            udp: s.udp().map(|u| UdpView {
                queued: u.queue.len(),
                queued_bytes: u.queued_bytes,
                capacity: u.capacity,
                delivered: u.delivered,
                dropped: u.dropped,
            }),
            blocked: s
                .waiters
                .iter()
                .map(|w| {
                    match w.wait {
                        Wait::Accept => "accept",
                        Wait::Connect => "connect",
                        Wait::Recv { from: true, .. } | Wait::RecvFlags { from: true, .. } => "recvfrom",
                        Wait::Recv { .. } | Wait::RecvFlags { .. } => "recv",
                        Wait::Send { .. } => "send",
                    }
                    .to_string()
                })
                .collect(),
        }
    }

    /// The socket a host's descriptor names, if open.
    pub fn socket_by_fd(&self, host: HostId, fd: Fd) -> Option<SocketId> {
        self.host(host).and_then(|h| h.socket_of(fd))
    }
}

impl World {
    /// The model's invariants: checked after every event by the property tests
    /// (and by anyone who wants to trust a run). Returns the first broken rule.
    ///
    /// - each host's bitmap of held ephemeral ports agrees with its port table, and
    ///   a destination it remembers `connect` ran out of ports toward still has none;
    /// - every connection-table entry names a live socket with that connection;
    /// - no two connected TCP sockets share a (local, remote) pair;
    /// - two sockets bound to overlapping addresses on one port both set
    ///   SO_REUSEADDR, unless one is a connection accepted from the other's port
    ///   or a connection that has ended (TIME-WAIT and friends keep the port);
    /// - each TCP connection's sequence numbers and buffers are in bounds;
    /// - a UDP receive queue stays within its capacity.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (hid, host) in self.hosts() {
            host.check_ports()?;
            if let Some((source, remote)) = host.connect_exhausted() {
                let how = super::calls::Autobind::Connect { source, remote };
                let free = host.free_ephemeral_port(Protocol::Tcp, 0, true);
                if let Some(port) = free.or_else(|| self.shared_ephemeral_port(hid, Protocol::Tcp, false, 0, true, how))
                {
                    return Err(format!("{}: port {port} is open toward {remote}, remembered as used up", host.name));
                }
            }
            for (&(local, remote), &sid) in &host.connections {
                let s = self.socket(sid).ok_or_else(|| format!("connection {local}->{remote} names a freed socket"))?;
                let tcb =
                    s.tcp().and_then(|t| t.tcb.as_ref()).ok_or_else(|| format!("{local}->{remote}: no TCP state"))?;
                if (tcb.local, tcb.remote) != (local, remote) || s.host != hid {
                    return Err(format!("connection table entry {local}->{remote} points at the wrong socket"));
                }
            }
            let unconnected: Vec<&super::socket::Socket> = self
                .sockets
                .iter()
                .flatten()
                .filter(|s| s.host == hid && s.local.is_some())
                .filter(|s| s.tcp().is_none_or(|t| t.tcb.is_none()))
                .collect();
            for (i, a) in unconnected.iter().enumerate() {
                for b in &unconnected[i + 1..] {
                    let (Some(la), Some(lb)) = (a.local, b.local) else { continue };
                    let overlap = la.port() == lb.port()
                        && a.protocol() == b.protocol()
                        && (la.ip() == lb.ip() || la.ip().is_unspecified() || lb.ip().is_unspecified());
                    if overlap && !(a.reuse_addr && b.reuse_addr) {
                        return Err(format!("{} and {} both hold {} {la}", a.id.0, b.id.0, a.protocol()));
                    }
                }
            }
        }
        for s in self.sockets.iter().flatten() {
            if let Some(tcb) = s.tcp().and_then(|t| t.tcb.as_ref()) {
                tcb.check_invariants().map_err(|e| format!("socket {}: {e}", s.id.0))?;
            }
            if let Some(u) = s.udp() {
                if u.queued_bytes > u.capacity {
                    return Err(format!(
                        "socket {}: UDP queue {} over capacity {}",
                        s.id.0, u.queued_bytes, u.capacity
                    ));
                }
            }
        }
        Ok(())
    }
}
