//! Which trace events belong together, so that picking one thing on the page lights
//! up its partners everywhere: `connect()` ↔ the SYN it sent ↔ the state change it
//! caused (CLOSED → SYN-SENT) ↔ the segment that released it (SYN-ACK or RST) and the
//! state change that one caused ↔ the value or errno the call returned.
//!
//! A fold over the trace: every effect names its cause (the call being made, the
//! packet whose arrival was handled, the timer that expired), and a blocked call's
//! return names what released it, so partners are found by id, never by the order
//! or the instant of their events. Plain Rust, no web.
//!
//! [`Doomed`] answers, in the same way, which packets a fault dropped by a position.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::net::tcp::state::TcpState;
use crate::net::trace::{Cause, SendReason};
use crate::net::{CallId, FaultChange, PacketId, SocketId, SysCall, TraceEvent, TraceKind};

/// What the learner picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// A trace event (a call, a return, a state change, ...), by index.
    Event(usize),
    /// A packet, by id.
    Packet(u64),
}

/// The picked thing and its partners.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Linked {
    /// Trace indices, sorted.
    pub events: Vec<usize>,
    /// Packet ids, sorted.
    pub packets: Vec<u64>,
}

impl Linked {
    pub fn has_event(&self, i: usize) -> bool {
        self.events.binary_search(&i).is_ok()
    }

    /// Whether any of the events `first..=last` is linked (a note can show two).
    pub fn has_any(&self, first: usize, last: usize) -> bool {
        let k = self.events.partition_point(|&e| e < first);
        self.events.get(k).is_some_and(|&e| e <= last)
    }

    pub fn has_packet(&self, id: u64) -> bool {
        self.packets.binary_search(&id).is_ok()
    }

    /// How many of the linked events are among the first `end`: what is linked by
    /// then (its [`Linked::transitions`] too) changes only when this does.
    pub fn count_until(&self, end: usize) -> usize {
        self.events.partition_point(|&e| e < end)
    }

    /// The linked state changes of `socket`, as (from, to).
    pub fn transitions(&self, trace: &[TraceEvent], socket: SocketId) -> Vec<(TcpState, TcpState)> {
        self.events
            .iter()
            .filter_map(|&i| match trace.get(i).map(|e| &e.kind) {
                Some(TraceKind::State { socket: s, from, to, .. }) if *s == socket => Some((*from, *to)),
                _ => None,
            })
            .collect()
    }
}

/// The packets the learner doomed (a `DropPacket` fault), in trace order, each with
/// the index of its fault. Those doomed by the first `end` events are a prefix,
/// found by a binary search: the trace is read once, not on every step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doomed(Vec<(usize, u64)>);

impl Doomed {
    pub fn of(trace: &[TraceEvent]) -> Doomed {
        Doomed(
            trace
                .iter()
                .enumerate()
                .filter_map(|(i, e)| match &e.kind {
                    TraceKind::Fault { change: FaultChange::DropPacket(p), .. } => Some((i, p.0)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// How many packets the first `end` events doomed: the list by then changes
    /// only when this does.
    pub fn count_until(&self, end: usize) -> usize {
        self.0.partition_point(|&(i, _)| i < end)
    }

    /// The packets the first `end` events doomed, by id, in the order they were.
    pub fn until(&self, end: usize) -> Vec<u64> {
        self.0[..self.count_until(end)].iter().map(|&(_, p)| p).collect()
    }
}

/// Where each call's and each packet's events are, and what each root caused.
struct Index<'t> {
    trace: &'t [TraceEvent],
    /// Call id → (index of `Call`, index of `Return`).
    calls: FxHashMap<u64, (usize, Option<usize>)>,
    /// Packet id → (index of `Sent`/`Duplicated`, index of its fate).
    packets: FxHashMap<u64, (usize, Option<usize>)>,
    /// Trace event id → index, for causes that name a `Timer` event.
    by_id: FxHashMap<u64, usize>,
    /// Each cause's effects, in trace order.
    effects: FxHashMap<Cause, Vec<usize>>,
}

impl<'t> Index<'t> {
    fn new(trace: &'t [TraceEvent]) -> Index<'t> {
        let mut calls: FxHashMap<u64, (usize, Option<usize>)> = FxHashMap::default();
        let mut packets: FxHashMap<u64, (usize, Option<usize>)> = FxHashMap::default();
        let mut by_id = FxHashMap::default();
        let mut effects: FxHashMap<Cause, Vec<usize>> = FxHashMap::default();
        for (i, e) in trace.iter().enumerate() {
            if let Some(cause) = e.kind.cause() {
                effects.entry(Self::root(cause)).or_default().push(i);
            }
            match &e.kind {
                TraceKind::Call { call, .. } => {
                    calls.insert(call.0, (i, None));
                }
                TraceKind::Return { call, .. } => {
                    if let Some(c) = calls.get_mut(&call.0) {
                        c.1 = Some(i);
                    }
                }
                TraceKind::Sent { packet, .. } => {
                    packets.insert(packet.id.0, (i, None));
                }
                TraceKind::Duplicated { copy, .. } => {
                    packets.insert(copy.0, (i, None));
                }
                TraceKind::Delivered { packet, .. } | TraceKind::Lost { packet, .. } => {
                    if let Some(p) = packets.get_mut(&packet.0) {
                        p.1.get_or_insert(i);
                    }
                }
                // Delivered, then thrown away: the discard is the end of its story.
                TraceKind::Dropped { packet, .. } => {
                    if let Some(p) = packets.get_mut(&packet.0) {
                        p.1 = Some(i);
                    }
                }
                TraceKind::Timer { .. } => {
                    by_id.insert(e.id, i);
                }
                _ => {}
            }
        }
        Index { trace, calls, packets, by_id, effects }
    }

    /// A SYN's arrival at a listener is its arrival: one root, one key.
    fn root(cause: Cause) -> Cause {
        match cause {
            Cause::SynAtListener(p) => Cause::Arrival(p),
            other => other,
        }
    }

    fn kind(&self, i: usize) -> Option<&'t TraceKind> {
        self.trace.get(i).map(|e| &e.kind)
    }

    /// The event that started what `cause` names: the `Call`, the packet's arrival
    /// (its `Delivered`, or the loss found on arrival), the `Timer`.
    fn trigger(&self, cause: Cause) -> Option<usize> {
        match Self::root(cause) {
            Cause::Call(c) => self.calls.get(&c.0).map(|&(ci, _)| ci),
            Cause::Arrival(p) | Cause::SynAtListener(p) => self.packets.get(&p.0).and_then(|&(_, fate)| fate),
            Cause::Timer(id) => self.by_id.get(&id).copied(),
        }
    }

    /// The events `cause` brought about, in trace order.
    fn effects(&self, cause: Cause) -> impl Iterator<Item = usize> + '_ {
        self.effects.get(&Self::root(cause)).into_iter().flatten().copied()
    }

    /// The call that sent packet `p`, if a call did.
    fn sending_call(&self, p: u64) -> Option<u64> {
        let &(sent, _) = self.packets.get(&p)?;
        match self.kind(sent)?.cause()? {
            Cause::Call(c) => Some(c.0),
            _ => None,
        }
    }

    /// The blocked calls that packet `p`'s arrival released.
    fn released_by_packet(&self, p: u64) -> Vec<u64> {
        self.effects(Cause::Arrival(PacketId(p)))
            .filter_map(|j| match self.kind(j) {
                Some(TraceKind::Return { call, blocked: true, .. }) => Some(call.0),
                _ => None,
            })
            .collect()
    }
}

/// What one call brings into the picture: its events and its packets.
fn call_part(ix: &Index, call: u64, events: &mut FxHashSet<usize>, packets: &mut FxHashSet<u64>) {
    let Some(&(ci, ri)) = ix.calls.get(&call) else { return };
    events.insert(ci);
    let connect = matches!(ix.kind(ci), Some(TraceKind::Call { syscall: SysCall::Connect { .. }, .. }));
    let mut sockets: Vec<SocketId> = Vec::new();
    for j in ix.effects(Cause::Call(CallId(call))) {
        match ix.kind(j) {
            Some(TraceKind::Sent { packet, socket, .. }) => {
                packets.insert(packet.id.0);
                sockets.extend(*socket);
            }
            Some(TraceKind::State { .. } | TraceKind::SocketError { .. }) => {
                events.insert(j);
            }
            _ => {}
        }
    }
    let Some(ri) = ri else { return };
    events.insert(ri);
    let Some(TraceKind::Return { blocked: true, cause, .. }) = ix.kind(ri) else { return };
    let cause = cause.get();
    // A connect that waited: its SYN may have been sent again meanwhile.
    if connect {
        for j in ci + 1..ri {
            if let Some(TraceKind::Sent { packet, socket: Some(s), reason: SendReason::HandshakeRetransmit, .. }) =
                ix.kind(j)
            {
                if sockets.contains(s) {
                    packets.insert(packet.id.0);
                }
            }
        }
    }
    // What released it: a segment's arrival, a timer, another call.
    match cause {
        Cause::Arrival(p) | Cause::SynAtListener(p) => {
            packets.insert(p.0);
        }
        Cause::Timer(_) => {
            events.extend(ix.trigger(cause));
            events.extend(ix.effects(cause).filter(|&j| matches!(ix.kind(j), Some(TraceKind::State { .. }))));
        }
        Cause::Call(other) if other.0 != call => {
            if let Some(&(oc, or)) = ix.calls.get(&other.0) {
                events.insert(oc);
                events.extend(or);
            }
        }
        Cause::Call(_) => {}
    }
}

/// A packet's own events: sent, its fate, and the state changes (and errors) it caused.
fn packet_part(ix: &Index, p: u64, events: &mut FxHashSet<usize>) {
    let Some(&(sent, fate)) = ix.packets.get(&p) else { return };
    events.insert(sent);
    let Some(fate) = fate else { return };
    events.insert(fate);
    for j in ix.effects(Cause::Arrival(PacketId(p))) {
        if matches!(ix.kind(j), Some(TraceKind::State { .. } | TraceKind::SocketError { .. })) {
            events.insert(j);
        }
    }
}

/// The picked thing and everything linked to it, in `trace`.
pub fn linked(trace: &[TraceEvent], pick: Pick) -> Linked {
    let ix = Index::new(trace);
    let mut calls: Vec<u64> = Vec::new();
    let mut packets: FxHashSet<u64> = FxHashSet::default();
    let mut events: FxHashSet<usize> = FxHashSet::default();
    let by_packet = |p: u64, calls: &mut Vec<u64>, packets: &mut FxHashSet<u64>| {
        packets.insert(p);
        calls.extend(ix.sending_call(p));
        calls.extend(ix.released_by_packet(p));
    };
    // An effect brings in what caused it: the call, the packet, the timer.
    let by_cause =
        |cause: Cause, calls: &mut Vec<u64>, packets: &mut FxHashSet<u64>, events: &mut FxHashSet<usize>| match cause {
            Cause::Call(c) => calls.push(c.0),
            Cause::Arrival(p) | Cause::SynAtListener(p) => by_packet(p.0, calls, packets),
            Cause::Timer(_) => events.extend(ix.trigger(cause)),
        };
    match pick {
        Pick::Packet(p) => by_packet(p, &mut calls, &mut packets),
        Pick::Event(i) => {
            events.insert(i);
            match ix.kind(i) {
                Some(TraceKind::Call { call, .. } | TraceKind::Return { call, .. }) => calls.push(call.0),
                Some(TraceKind::State { cause, .. } | TraceKind::SocketError { cause, .. }) => {
                    by_cause(cause.get(), &mut calls, &mut packets, &mut events)
                }
                Some(TraceKind::Sent { packet, .. }) => by_packet(packet.id.0, &mut calls, &mut packets),
                Some(
                    TraceKind::Delivered { packet: id, .. }
                    | TraceKind::Lost { packet: id, .. }
                    | TraceKind::Dropped { packet: id, .. },
                ) => by_packet(id.0, &mut calls, &mut packets),
                Some(TraceKind::Timer { .. }) => {
                    for j in ix.effects(Cause::Timer(trace[i].id)) {
                        if let Some(TraceKind::Sent { packet, .. }) = ix.kind(j) {
                            packets.insert(packet.id.0);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for c in &calls {
        call_part(&ix, *c, &mut events, &mut packets);
    }
    for p in &packets {
        packet_part(&ix, *p, &mut events);
    }
    let mut events: Vec<usize> = events.into_iter().filter(|&i| i < trace.len()).collect();
    events.sort_unstable();
    let mut packets: Vec<u64> = packets.into_iter().collect();
    packets.sort_unstable();
    Linked { events, packets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::syscall::CallResult;
    use crate::net::{Domain, Errno, HostId, LinkConfig, Protocol, SocketAddrV4, World};
    use std::net::Ipv4Addr;

    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    /// A client connects to `port` on a server listening on 80.
    fn connect_to(port: u16) -> Vec<TraceEvent> {
        let mut w = connecting(port);
        w.run_until_idle(1_000);
        w.take_trace()
    }

    /// The world right after the client's `connect()` to `port`: its SYN is in flight.
    fn connecting(port: u16) -> World {
        let mut w = World::new(1);
        let c = w.add_host("client", &[Ipv4Addr::new(10, 0, 0, 2)]).expect("host");
        let s = w.add_host("server", &[SERVER]).expect("host");
        w.add_link(c, s, LinkConfig::default()).expect("link");
        let tcp = SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Tcp };
        let calls = [
            (s, tcp.clone()),
            (s, SysCall::Bind { fd: 3, addr: SocketAddrV4::new(SERVER, 80) }),
            (s, SysCall::Listen { fd: 3, backlog: 4 }),
            (c, tcp),
            (c, SysCall::Connect { fd: 3, addr: SocketAddrV4::new(SERVER, port) }),
        ];
        for (h, call) in calls {
            w.call(h, call).expect("call");
        }
        w
    }

    fn find(trace: &[TraceEvent], f: impl Fn(&TraceKind) -> bool) -> usize {
        trace.iter().position(|e| f(&e.kind)).expect("event")
    }

    fn connect_call(trace: &[TraceEvent]) -> usize {
        find(trace, |k| matches!(k, TraceKind::Call { syscall: SysCall::Connect { .. }, .. }))
    }

    fn returned(trace: &[TraceEvent], l: &Linked) -> Vec<CallResult> {
        l.events
            .iter()
            .filter_map(|&i| match &trace[i].kind {
                TraceKind::Return { host: HostId(0), result, .. } => Some(result.clone()),
                _ => None,
            })
            .collect()
    }

    fn states(trace: &[TraceEvent], l: &Linked) -> Vec<(TcpState, TcpState)> {
        l.events
            .iter()
            .filter_map(|&i| match &trace[i].kind {
                TraceKind::State { host: HostId(0), from, to, .. } => Some((*from, *to)),
                _ => None,
            })
            .collect()
    }

    fn flags(trace: &[TraceEvent], l: &Linked) -> Vec<String> {
        trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { packet, .. } if l.has_packet(packet.id.0) => {
                    Some(crate::view::packets::label(packet, 0, 0, None, crate::lang::Lang::En))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_refused_connect_links_its_syn_the_rst_its_states_and_the_errno() {
        let trace = connect_to(81);
        let l = linked(&trace, Pick::Event(connect_call(&trace)));
        let labels = flags(&trace, &l);
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert!(labels[0].starts_with("SYN"), "{labels:?}");
        assert!(labels[1].starts_with("RST"), "{labels:?}");
        assert_eq!(states(&trace, &l), [(TcpState::Closed, TcpState::SynSent), (TcpState::SynSent, TcpState::Closed)]);
        assert_eq!(returned(&trace, &l), [Err(Errno::ECONNREFUSED)]);
        // The same group, picked from its other end: the RST, the errno, the state.
        let rst = l.packets[1];
        assert_eq!(linked(&trace, Pick::Packet(rst)), l);
        let ret = find(&trace, |k| matches!(k, TraceKind::Return { host: HostId(0), blocked: true, .. }));
        assert_eq!(linked(&trace, Pick::Event(ret)), l);
        let syn_sent = find(&trace, |k| matches!(k, TraceKind::State { to: TcpState::SynSent, .. }));
        assert_eq!(linked(&trace, Pick::Event(syn_sent)), l);
    }

    #[test]
    fn a_connect_that_succeeds_returns_zero_after_the_syn_ack() {
        let trace = connect_to(80);
        let l = linked(&trace, Pick::Event(connect_call(&trace)));
        let labels = flags(&trace, &l);
        assert!(labels[0].starts_with("SYN seq"), "{labels:?}");
        assert!(labels[1].starts_with("SYN-ACK"), "{labels:?}");
        assert_eq!(
            states(&trace, &l),
            [(TcpState::Closed, TcpState::SynSent), (TcpState::SynSent, TcpState::Established)]
        );
        assert_eq!(returned(&trace, &l), [Ok(crate::net::CallValue::Zero)]);
        // The SYN's arrival made the server's half-open connection: it is linked too.
        assert!(l
            .events
            .iter()
            .any(|&i| matches!(&trace[i].kind, TraceKind::State { host: HostId(1), to: TcpState::SynReceived, .. })));
        let (first, last) = (l.events[0], l.events[l.events.len() - 1]);
        assert!(l.has_any(first, first) && l.has_any(0, trace.len()) && !l.has_any(last + 1, trace.len()));
    }

    #[test]
    fn a_blocked_recv_is_linked_to_the_segment_that_released_it() {
        let mut w = connecting(80);
        w.run_until_idle(1_000);
        let (c, s) = (HostId(0), HostId(1));
        w.call(s, SysCall::Accept { fd: 3 }).expect("accept");
        w.call(s, SysCall::Recv { fd: 4, len: 100 }).expect("recv");
        // The client's own calls come between: the recv waits past them.
        w.call(c, SysCall::GetSockName { fd: 3 }).expect("getsockname");
        w.call(c, SysCall::Send { fd: 3, data: std::sync::Arc::from(&b"hi"[..]) }).expect("send");
        w.run_until_idle(1_000);
        let trace = w.take_trace();
        let recv = find(&trace, |k| matches!(k, TraceKind::Call { syscall: SysCall::Recv { .. }, .. }));
        let data = trace
            .iter()
            .find_map(|e| match &e.kind {
                TraceKind::Sent { packet, reason: SendReason::Data, .. } => Some(packet.id.0),
                _ => None,
            })
            .expect("the data segment");
        let l = linked(&trace, Pick::Event(recv));
        assert!(l.has_packet(data), "{l:?}");
        let ret = find(&trace, |k| matches!(k, TraceKind::Return { blocked: true, host: HostId(1), .. }));
        assert!(l.has_event(ret));
        // From the packet's end: the send that sent it and the recv it released.
        let send = find(&trace, |k| matches!(k, TraceKind::Call { syscall: SysCall::Send { .. }, .. }));
        let from_packet = linked(&trace, Pick::Packet(data));
        assert!(from_packet.has_event(send) && from_packet.has_event(recv) && from_packet.has_event(ret));
    }

    #[test]
    fn an_unlinked_event_stands_alone() {
        let trace = connect_to(80);
        let socket = find(&trace, |k| matches!(k, TraceKind::Call { syscall: SysCall::Socket { .. }, .. }));
        let l = linked(&trace, Pick::Event(socket));
        // socket() and its return, nothing else.
        assert_eq!(l.events, [socket, socket + 1]);
        assert!(l.packets.is_empty());
        assert_eq!(linked(&trace, Pick::Event(trace.len() + 5)).events, Vec::<usize>::new());
    }

    #[test]
    fn linked_transitions_by_a_position_change_only_with_the_count_of_linked_events() {
        let trace = connect_to(80);
        let l = linked(&trace, Pick::Event(connect_call(&trace)));
        let client = trace
            .iter()
            .find_map(|e| match e.kind {
                TraceKind::State { host: HostId(0), socket, .. } => Some(socket),
                _ => None,
            })
            .expect("a client state change");
        assert_eq!(l.count_until(0), 0);
        assert_eq!(l.count_until(trace.len()), l.events.len());
        // What the page memoises on: the same count, the same transitions.
        let mut seen: FxHashMap<usize, Vec<(TcpState, TcpState)>> = FxHashMap::default();
        for end in 0..=trace.len() {
            let now = l.transitions(&trace[..end], client);
            assert_eq!(seen.entry(l.count_until(end)).or_insert_with(|| now.clone()), &now, "at {end}");
        }
        assert_eq!(seen[&l.events.len()], states(&trace, &l));
    }

    #[test]
    fn doomed_packets_are_those_whose_fault_came_before_the_position() {
        let mut w = connecting(80);
        let syn = w.in_flight().first().map(|(p, _, _)| p.id).expect("the SYN in flight");
        w.drop_packet(syn);
        w.run_until_idle(1_000);
        let trace = w.take_trace();
        let fault = find(&trace, |k| matches!(k, TraceKind::Fault { change: FaultChange::DropPacket(_), .. }));
        let d = Doomed::of(&trace);
        assert_eq!((d.count_until(fault), d.until(fault)), (0, vec![]));
        assert_eq!((d.count_until(fault + 1), d.until(fault + 1)), (1, vec![syn.0]));
        assert_eq!(d.until(trace.len() + 5), [syn.0]);
        assert_eq!(Doomed::of(&connect_to(80)).until(usize::MAX), Vec::<u64>::new());
    }
}
