//! Which socket each trace event is about, and what each socket was (host, protocol,
//! local and remote address, listening or accepted), read from the trace alone.
//!
//! A fold over the trace: every event that is about a socket names it (a call and its
//! return name the socket the call acts on, and `socket()` and `accept()` return the
//! socket their descriptor refers to), so nothing here depends on how the core hands
//! out socket ids. The page's sequence diagram draws one lifeline per [`Endpoint`];
//! [`crate::view::related`] uses [`Endpoints::socket_of`] to tie calls to their packets.
//! Plain Rust, no web.

use rustc_hash::FxHashMap;

use crate::net::packet::{Body, Packet};
use crate::net::tcp::state::TcpState;
use crate::net::trace::Cause;
use crate::net::{
    CallId, CallValue, Fd, HostId, PacketId, Protocol, SocketAddrV4, SocketId, SysCall, TraceEvent, TraceKind,
};

/// One socket over its whole life.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub id: SocketId,
    pub host: HostId,
    pub protocol: Protocol,
    /// The most specific local address it ever had (a packet's source beats `bind`'s
    /// wildcard).
    pub local: Option<SocketAddrV4>,
    /// Its local address over time: (trace index from which it holds, address). A
    /// socket that connects again after a refusal gets a new port.
    pub locals: Vec<(usize, SocketAddrV4)>,
    /// The peer of a connected socket.
    pub remote: Option<SocketAddrV4>,
    /// It called `listen` successfully: the trace index from which it listens.
    pub listening: Option<usize>,
    /// The listener whose SYN queue it was born in.
    pub accepted_from: Option<SocketId>,
    /// The descriptor it was first known by (`None` for a connection never accepted),
    /// and the trace index from which it had it.
    pub fd: Option<Fd>,
    pub fd_from: usize,
    /// Trace index of its first event (the `socket()` return, or the SYN's arrival).
    pub born: usize,
    /// Trace index of the event after which it no longer exists, if it ends.
    pub died: Option<usize>,
}

/// Every socket of a trace, and the socket each event is about.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoints {
    /// In order of birth.
    pub list: Vec<Endpoint>,
    /// Per trace event: the socket it is about; `None` when it is about a host with
    /// no socket (a RST for a closed port, a call on a bad descriptor) or about no host.
    pub socket_of: Vec<Option<SocketId>>,
    /// The socket each successful `accept()` handed out, by call.
    pub accepted: FxHashMap<u64, SocketId>,
}

impl Endpoints {
    pub fn get(&self, id: SocketId) -> Option<&Endpoint> {
        self.list.iter().find(|e| e.id == id)
    }

    fn get_mut(&mut self, id: SocketId) -> Option<&mut Endpoint> {
        self.list.iter_mut().find(|e| e.id == id)
    }
}

/// The ports of a TCP segment or UDP datagram: (source, destination).
fn ports(p: &Packet) -> Option<(SocketAddrV4, SocketAddrV4)> {
    let (s, d) = match &p.body {
        Body::Tcp(seg) => (seg.src_port, seg.dst_port),
        Body::Udp(d) => (d.src_port, d.dst_port),
        // Only the first fragment has ports; the datagram is the socket's once reassembled.
        Body::Fragment(f) => f.udp_ports()?,
        Body::PortUnreachable(_) => return None,
    };
    Some((SocketAddrV4::new(p.src, s), SocketAddrV4::new(p.dst, d)))
}

/// What the walk remembers about one call until it returns.
struct PendingCall {
    index: usize,
    host: HostId,
    syscall: SysCall,
    socket: Option<SocketId>,
}

struct Walk {
    out: Endpoints,
    fds: FxHashMap<(HostId, Fd), SocketId>,
    calls: FxHashMap<u64, PendingCall>,
    /// Where each packet was delivered (the listener, for a SYN).
    delivered_to: FxHashMap<u64, SocketId>,
    packets: FxHashMap<u64, Packet>,
    state: FxHashMap<SocketId, TcpState>,
}

impl Walk {
    fn born(&mut self, id: SocketId, host: HostId, protocol: Protocol, index: usize) -> &mut Endpoint {
        if self.out.get(id).is_none() {
            self.out.list.push(Endpoint {
                id,
                host,
                protocol,
                local: None,
                locals: Vec::new(),
                remote: None,
                listening: None,
                accepted_from: None,
                fd: None,
                fd_from: index,
                born: index,
                died: None,
            });
        }
        let k = self.out.list.iter().position(|e| e.id == id).unwrap_or(self.out.list.len() - 1);
        &mut self.out.list[k]
    }

    /// A socket the trace names that the walk has not seen born (the world had it
    /// before the trace began): it exists from here on.
    fn seen(&mut self, id: SocketId, host: HostId, protocol: Protocol, index: usize) {
        if self.out.get(id).is_none() {
            self.born(id, host, protocol, index);
        }
    }

    /// A socket with no descriptor and no TCP state left is gone.
    fn maybe_died(&mut self, id: SocketId, index: usize) {
        let has_fd = self.fds.values().any(|&s| s == id);
        let alive_tcp = self.state.get(&id).is_some_and(|s| *s != TcpState::Closed);
        if let Some(e) = self.out.get_mut(id) {
            if !has_fd && !alive_tcp && e.died.is_none() {
                e.died = Some(index);
            }
        }
    }

    fn call(&mut self, i: usize, call: CallId, host: HostId, socket: Option<SocketId>, syscall: &SysCall) {
        self.out.socket_of[i] = socket;
        if let (Some(s), SysCall::Connect { addr, .. }) = (socket, syscall) {
            if let Some(e) = self.out.get_mut(s) {
                e.remote = Some(*addr);
            }
        }
        self.calls.insert(call.0, PendingCall { index: i, host, syscall: syscall.clone(), socket });
    }

    /// A return: `socket` is the one the call acted on, or the one the descriptor
    /// that `socket()` or `accept()` returned refers to.
    fn ret(&mut self, i: usize, call: CallId, socket: Option<SocketId>, value: Option<&CallValue>) {
        let Some(c) = self.calls.remove(&call.0) else { return };
        // `accept()`'s return is drawn on the listener it was called on; the new
        // connection is in `accepted`.
        self.out.socket_of[i] = if matches!(c.syscall, SysCall::Accept { .. }) { c.socket } else { socket };
        let Some(value) = value else { return };
        match (&c.syscall, value, socket) {
            (SysCall::Socket { protocol, .. }, CallValue::Fd(fd), Some(id)) => {
                self.born(id, c.host, *protocol, c.index).fd = Some(*fd);
                self.fds.insert((c.host, *fd), id);
                self.out.socket_of[c.index] = Some(id);
            }
            (SysCall::Accept { .. }, CallValue::Accepted { fd, .. }, Some(child)) => {
                if let Some(e) = self.out.get_mut(child) {
                    e.fd = Some(*fd);
                    e.fd_from = i;
                }
                self.fds.insert((c.host, *fd), child);
                self.out.accepted.insert(call.0, child);
            }
            (SysCall::Bind { addr, .. }, _, _) => {
                if let Some(e) = c.socket.and_then(|s| self.out.get_mut(s)) {
                    // A packet's source address is more specific than a wildcard bind.
                    if e.local.is_none() {
                        e.local = Some(*addr);
                        e.locals.push((i, *addr));
                    }
                }
            }
            (SysCall::Listen { .. }, _, _) => {
                if let Some(e) = c.socket.and_then(|s| self.out.get_mut(s)) {
                    e.listening.get_or_insert(i);
                }
            }
            (SysCall::Close { fd }, _, _) => {
                self.fds.remove(&(c.host, *fd));
                if let Some(s) = c.socket {
                    self.maybe_died(s, i);
                }
            }
            _ => {}
        }
    }

    fn sent(&mut self, i: usize, host: HostId, socket: Option<SocketId>, packet: &Packet) {
        self.out.socket_of[i] = socket;
        self.packets.insert(packet.id.0, packet.clone());
        let (Some(s), Some((src, dst)), Some(proto)) = (socket, ports(packet), packet.protocol()) else { return };
        self.seen(s, host, proto, i);
        if let Some(e) = self.out.get_mut(s) {
            e.local = Some(src);
            if e.locals.last().is_none_or(|&(_, a)| a != src) {
                e.locals.push((i, src));
            }
            // An unconnected UDP socket's destination is not its peer.
            if proto == Protocol::Tcp {
                e.remote = Some(dst);
            }
        }
    }

    fn state(&mut self, i: usize, host: HostId, socket: SocketId, to: TcpState, cause: Cause) {
        self.out.socket_of[i] = Some(socket);
        if let Cause::SynAtListener(PacketId(p)) = cause {
            let listener = self.delivered_to.get(&p).copied();
            let addrs = self.packets.get(&p).and_then(ports);
            let e = self.born(socket, host, Protocol::Tcp, i);
            e.accepted_from = listener;
            if let Some((src, dst)) = addrs {
                e.local = Some(dst);
                e.locals.push((i, dst));
                e.remote = Some(src);
            }
        }
        self.seen(socket, host, Protocol::Tcp, i);
        self.state.insert(socket, to);
        if to == TcpState::Listen {
            if let Some(e) = self.out.get_mut(socket) {
                e.listening.get_or_insert(i);
            }
        }
        if to == TcpState::Closed {
            self.maybe_died(socket, i);
        }
    }
}

/// Walks `trace` (of a world that had no sockets when it began, as every lesson's
/// does: set-up makes hosts and links only).
pub fn endpoints(trace: &[TraceEvent]) -> Endpoints {
    let mut w = Walk {
        out: Endpoints { socket_of: vec![None; trace.len()], ..Endpoints::default() },
        fds: FxHashMap::default(),
        calls: FxHashMap::default(),
        delivered_to: FxHashMap::default(),
        packets: FxHashMap::default(),
        state: FxHashMap::default(),
    };
    for (i, e) in trace.iter().enumerate() {
        match &e.kind {
            TraceKind::Call { call, host, socket, syscall } => w.call(i, *call, *host, *socket, syscall),
            TraceKind::Return { call, socket, result, .. } => w.ret(i, *call, *socket, result.as_ref().ok()),
            TraceKind::Sent { host, socket, packet, .. } => w.sent(i, *host, *socket, packet),
            TraceKind::Delivered { packet, socket, .. } => {
                w.out.socket_of[i] = *socket;
                if let Some(s) = socket {
                    w.delivered_to.insert(packet.0, *s);
                }
            }
            TraceKind::State { host, socket, to, cause, .. } => w.state(i, *host, *socket, *to, cause.get()),
            TraceKind::Dropped { socket, .. }
            | TraceKind::Timer { socket, .. }
            | TraceKind::Congestion { socket, .. }
            | TraceKind::LossConfirmed { socket, .. }
            | TraceKind::SocketError { socket, .. }
            | TraceKind::PortHeld { socket, .. }
            | TraceKind::Truncated { socket, .. } => w.out.socket_of[i] = Some(*socket),
            TraceKind::Duplicated { .. }
            | TraceKind::Reordered { .. }
            | TraceKind::Held { .. }
            | TraceKind::Lost { .. }
            | TraceKind::Reassembled { .. }
            | TraceKind::FragmentsDiscarded { .. }
            | TraceKind::Fault { .. } => {}
        }
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Domain, LinkConfig, World};
    use std::net::Ipv4Addr;

    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    fn world() -> (World, HostId, HostId) {
        let mut w = World::new(1);
        let c = w.add_host("client", &[CLIENT]).expect("host");
        let s = w.add_host("server", &[SERVER]).expect("host");
        w.add_link(c, s, LinkConfig::default()).expect("link");
        (w, c, s)
    }

    fn call(w: &mut World, h: HostId, c: SysCall) {
        w.call(h, c).expect("call");
    }

    fn tcp() -> SysCall {
        SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Tcp }
    }

    #[test]
    fn the_listener_and_the_accepted_connection_are_two_endpoints() {
        let (mut w, c, s) = world();
        let port80 = SocketAddrV4::new(SERVER, 80);
        call(&mut w, s, tcp());
        call(&mut w, s, SysCall::Bind { fd: 3, addr: port80 });
        call(&mut w, s, SysCall::Listen { fd: 3, backlog: 4 });
        call(&mut w, s, SysCall::Accept { fd: 3 });
        call(&mut w, c, tcp());
        call(&mut w, c, SysCall::Connect { fd: 3, addr: port80 });
        w.run_until_idle(1_000);
        let trace = w.take_trace();
        let e = endpoints(&trace);
        assert_eq!(e.list.len(), 3, "{:#?}", e.list);
        let listener = &e.list[0];
        assert_eq!((listener.host, listener.fd, listener.listening.is_some()), (s, Some(3), true));
        assert_eq!(listener.local, Some(port80));
        let client = &e.list[1];
        assert_eq!((client.host, client.fd, client.remote), (c, Some(3), Some(port80)));
        assert_eq!(client.local.map(|a| *a.ip()), Some(CLIENT));
        let child = &e.list[2];
        assert_eq!((child.host, child.fd, child.accepted_from), (s, Some(4), Some(listener.id)));
        assert_eq!(child.local, Some(port80));
        assert_eq!(child.remote, client.local);
        // Every event that names a socket agrees with the descriptor table.
        for (i, ev) in trace.iter().enumerate() {
            let named = match &ev.kind {
                TraceKind::State { socket, .. } => Some(*socket),
                TraceKind::Sent { socket, .. } => *socket,
                _ => None,
            };
            if named.is_some() {
                assert_eq!(e.socket_of[i], named, "event {i}: {:?}", ev.kind);
            }
        }
        // accept() returned the child.
        assert_eq!(e.accepted.values().copied().collect::<Vec<_>>(), vec![child.id]);
    }

    #[test]
    fn a_closed_udp_socket_dies_and_a_bad_descriptor_names_no_socket() {
        let (mut w, c, _) = world();
        call(&mut w, c, SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Udp });
        call(&mut w, c, SysCall::Close { fd: 3 });
        call(&mut w, c, SysCall::Close { fd: 3 });
        let trace = w.take_trace();
        let e = endpoints(&trace);
        assert_eq!(e.list.len(), 1);
        assert_eq!(e.list[0].protocol, Protocol::Udp);
        assert_eq!(e.list[0].died, Some(3));
        assert_eq!(e.socket_of[4..], [None, None]);
    }

    #[test]
    fn a_socket_that_connects_again_after_a_refusal_shows_both_ports_in_turn() {
        let (mut w, c, s) = world();
        call(&mut w, s, tcp());
        call(&mut w, s, SysCall::Bind { fd: 3, addr: SocketAddrV4::new(SERVER, 80) });
        call(&mut w, s, SysCall::Listen { fd: 3, backlog: 4 });
        call(&mut w, c, tcp());
        for port in [81, 80] {
            call(&mut w, c, SysCall::Connect { fd: 3, addr: SocketAddrV4::new(SERVER, port) });
            w.run_until_idle(1_000);
        }
        let e = endpoints(&w.take_trace());
        let client = e.list.iter().find(|x| x.host == c).expect("client socket");
        let ports: Vec<u16> = client.locals.iter().map(|(_, a)| a.port()).collect();
        assert_eq!(ports.len(), 2, "{:?}", client.locals);
        assert_ne!(ports[0], ports[1]);
        assert_eq!(client.local.map(|a| a.port()), Some(ports[1]));
        // The listener's address is the one it bound, from bind()'s return (event 3) on.
        assert_eq!(e.list[0].locals, vec![(3, SocketAddrV4::new(SERVER, 80))]);
    }

    /// A refused `socket()` (EMFILE) used up a socket id in the core: the sockets
    /// after it are still the ones the world made, and `accept()` still names its
    /// new connection.
    #[test]
    fn sockets_made_after_a_refused_socket_call_are_the_worlds_own() {
        let (mut w, c, s) = world();
        w.set_fd_limit(s, 4).expect("limit");
        call(&mut w, s, tcp());
        call(&mut w, s, tcp());
        w.set_fd_limit(s, 64).expect("limit");
        let port80 = SocketAddrV4::new(SERVER, 80);
        call(&mut w, s, tcp());
        call(&mut w, s, SysCall::Bind { fd: 4, addr: port80 });
        call(&mut w, s, SysCall::Listen { fd: 4, backlog: 4 });
        call(&mut w, c, tcp());
        call(&mut w, c, SysCall::Connect { fd: 3, addr: port80 });
        w.run_until_idle(1_000);
        call(&mut w, s, SysCall::Accept { fd: 4 });
        let trace = w.take_trace();
        assert!(trace
            .iter()
            .any(|e| matches!(e.kind, TraceKind::Return { result: Err(crate::net::Errno::EMFILE), .. })));
        let e = endpoints(&trace);
        let listener = w.socket_by_fd(s, 4).expect("the listener");
        let child = w.socket_by_fd(s, 5).expect("the accepted connection");
        let l = e.get(listener).expect("the listener's endpoint");
        assert_eq!((l.fd, l.listening.is_some(), l.local), (Some(4), true, Some(port80)));
        assert_eq!(e.get(child).map(|x| (x.fd, x.accepted_from)), Some((Some(5), Some(listener))));
        assert_eq!(e.accepted.values().copied().collect::<Vec<_>>(), [child]);
        assert_eq!(e.list.iter().filter(|x| x.host == s).count(), 3, "{:#?}", e.list);
    }

    /// Every lesson script, statement by statement: each open descriptor's socket,
    /// as the world knows it, is the one the walk worked out.
    #[test]
    fn every_scenario_agrees_with_the_worlds_descriptor_tables() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir).expect("scenarios").flatten().map(|f| f.path()).collect();
        files.sort();
        let mut checked = 0;
        for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "sock")) {
            let text = std::fs::read_to_string(path).expect("read");
            let script = crate::script::parse(&text).expect("parse");
            let mut runner = crate::script::Runner::new(&script, crate::script::RunOptions::default());
            while runner.step().is_some() {
                let trace = runner.trace();
                let e = endpoints(trace);
                let world = runner.world();
                for (h, host) in world.hosts() {
                    for (fd, sid) in host.open_fds() {
                        // The last call on this descriptor is about the socket it names now.
                        let last = trace.iter().rposition(|ev| match &ev.kind {
                            TraceKind::Return { host, fd: Some(f), result: Ok(_), .. } => *host == h && *f == fd,
                            _ => false,
                        });
                        if let Some(i) = last {
                            let got = match &trace[i].kind {
                                TraceKind::Return { call, .. } => e.accepted.get(&call.0).copied().or(e.socket_of[i]),
                                _ => None,
                            };
                            assert_eq!(got, Some(sid), "{}: {} fd {fd}", path.display(), host.name);
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} descriptors checked");
    }
}
