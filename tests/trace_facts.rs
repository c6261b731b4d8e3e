//! The trace says what the core knows when it emits an event: the socket a call
//! acts on (and the one `socket()`/`accept()` hand out), the host a packet is
//! going to, and what caused each effect — so no reader has to rebuild them.

mod common;

use common::*;
use socklab::net::trace::{Cause, DropReason, Path, SendReason};
use socklab::net::*;

fn call_id(trace: &[TraceEvent], f: impl Fn(&SysCall) -> bool) -> (CallId, Option<SocketId>) {
    trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Call { call, socket, syscall, .. } if f(syscall) => Some((*call, *socket)),
            _ => None,
        })
        .expect("the call")
}

fn return_of(trace: &[TraceEvent], call: CallId) -> &TraceKind {
    trace
        .iter()
        .map(|e| &e.kind)
        .find(|k| matches!(k, TraceKind::Return { call: c, .. } if *c == call))
        .expect("its return")
}

#[test]
fn a_call_names_its_descriptors_socket_and_socket_and_accept_name_the_one_they_hand_out() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    let (server, client) = (lab.server, lab.client);
    let world = &lab.world;
    let listener = world.socket_by_fd(server, 3);
    let accepted = world.socket_by_fd(server, a);
    assert_ne!(listener, accepted);
    let (accept, on) = call_id(&lab.trace, |s| matches!(s, SysCall::Accept { .. }));
    assert_eq!(on, listener, "accept() acts on the listener");
    match return_of(&lab.trace, accept) {
        TraceKind::Return { socket, fd, .. } => assert_eq!((*socket, *fd), (accepted, Some(a))),
        k => panic!("{k:?}"),
    }
    let (connect, on) = call_id(&lab.trace, |s| matches!(s, SysCall::Connect { .. }));
    assert_eq!(on, world.socket_by_fd(client, c));
    assert!(matches!(return_of(&lab.trace, connect), TraceKind::Return { socket, .. } if *socket == on));
    // socket() acts on no socket and returns the one it made.
    let (made, on) = call_id(&lab.trace, |s| matches!(s, SysCall::Socket { .. }));
    assert_eq!(on, None);
    assert!(matches!(return_of(&lab.trace, made), TraceKind::Return { socket, .. } if *socket == listener));
    // A descriptor that names nothing: no socket, on the call or its return.
    lab.err(client, SysCall::Close { fd: 42 });
    let (bad, on) = call_id(&lab.trace, |s| matches!(s, SysCall::Close { fd: 42 }));
    assert_eq!(on, None);
    assert!(matches!(return_of(&lab.trace, bad), TraceKind::Return { socket: None, .. }));
}

#[test]
fn a_blocked_recv_names_the_arrival_that_released_it() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    assert_eq!(lab.call(lab.server, recv(a, 100)), CallOutcome::Blocked);
    let (recv_call, _) = call_id(&lab.trace, |s| matches!(s, SysCall::Recv { .. }));
    lab.ok(lab.client, send(c, b"hello"));
    lab.run();
    let data = lab
        .trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Sent { packet, reason: SendReason::Data, .. } => Some(packet.id),
            _ => None,
        })
        .expect("the data segment");
    match return_of(&lab.trace, recv_call) {
        TraceKind::Return { blocked: true, cause, .. } => assert_eq!(cause.get(), Cause::Arrival(data)),
        k => panic!("{k:?}"),
    }
}

#[test]
fn a_retransmission_names_the_timer_that_expired() {
    let mut lab = Lab::new(1);
    lab.world.change_link(lab.link, None, FaultChange::Partition).unwrap();
    let c = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run_for(1_500_000);
    let timer = lab.trace.iter().find(|e| matches!(e.kind, TraceKind::Timer { .. })).expect("the SYN timer");
    let again = lab
        .trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Sent { reason: SendReason::HandshakeRetransmit, cause, .. } => Some(cause.get()),
            _ => None,
        })
        .expect("a second SYN");
    assert_eq!(again, Cause::Timer(timer.id));
}

#[test]
fn a_packet_says_which_host_it_goes_to_over_a_link_and_over_loopback() {
    let mut lab = Lab::new(1);
    let u = lab.socket(lab.client, Protocol::Udp);
    let to_server = SocketAddrV4::new(SERVER_IP, 9);
    let to_self = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9);
    let own_address = SocketAddrV4::new(CLIENT_IP, 9);
    for addr in [to_server, to_self, own_address] {
        lab.ok(lab.client, SysCall::SendTo { fd: u, data: std::sync::Arc::from(&b"x"[..]), addr: Some(addr) });
    }
    lab.run();
    let sent: Vec<(HostId, bool, Option<HostId>)> = lab
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { host, path, to, reason: SendReason::Datagram, .. } => {
                Some((*host, matches!(path, Path::Loopback { .. }), *to))
            }
            _ => None,
        })
        .collect();
    let (client, server) = (lab.client, lab.server);
    assert_eq!(sent, [(client, false, Some(server)), (client, true, Some(client)), (client, true, Some(client))]);
}

/// Every lesson: each effect's cause is something that happened before it (a call
/// made, a packet that arrived, a timer that expired), and every call's return
/// names a socket exactly when the world had one behind its descriptor.
#[test]
fn in_every_lesson_each_cause_names_an_earlier_call_arrival_or_timer() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("scenarios").flatten().map(|f| f.path()).collect();
    files.sort();
    let mut effects = 0;
    for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "sock")) {
        let text = std::fs::read_to_string(path).expect("read");
        let script = socklab::script::parse(&text).expect("parse");
        let report = socklab::script::run(&script, &socklab::script::RunOptions::default());
        let mut calls = std::collections::HashSet::new();
        let mut arrived = std::collections::HashSet::new();
        let mut timers = std::collections::HashSet::new();
        for e in &report.trace {
            if let Some(cause) = e.kind.cause() {
                effects += 1;
                let known = match cause {
                    Cause::Call(c) => calls.contains(&c),
                    Cause::Arrival(p) | Cause::SynAtListener(p) => arrived.contains(&p),
                    Cause::Timer(t) => timers.contains(&t),
                };
                // A packet's arrival may be its loss, found on arrival: it names itself.
                let itself =
                    matches!((&e.kind, cause), (TraceKind::Lost { packet, .. }, Cause::Arrival(p)) if *packet == p);
                assert!(known || itself, "{}: event {} names {cause:?}, not seen before", path.display(), e.id);
            }
            match &e.kind {
                TraceKind::Call { call, .. } => {
                    calls.insert(*call);
                }
                TraceKind::Delivered { packet, .. } => {
                    arrived.insert(*packet);
                }
                TraceKind::Timer { .. } => {
                    timers.insert(e.id);
                }
                _ => {}
            }
        }
    }
    assert!(effects > 1_000, "only {effects} effects");
}

#[test]
fn a_bind_refused_with_eaddrinuse_names_the_socket_holding_the_port_and_when_time_wait_frees_it() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    let (server, client) = (lab.server, lab.client);
    let listener = lab.world.socket_by_fd(server, 3);
    // The server closes first, so its connection ends in TIME-WAIT holding port 80.
    lab.ok(server, SysCall::Close { fd: 3 });
    lab.ok(server, SysCall::Close { fd: a });
    lab.ok(client, SysCall::Close { fd: c });
    lab.run_for(1_000_000);
    let fresh = lab.socket(server, Protocol::Tcp);
    let addr = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
    assert_eq!(lab.err(server, SysCall::Bind { fd: fresh, addr }), Errno::EADDRINUSE);
    // The last bind (the descriptor number is the closed listener's again).
    let (bind, on) = lab
        .trace
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            TraceKind::Call { call, socket, syscall: SysCall::Bind { .. }, .. } => Some((*call, *socket)),
            _ => None,
        })
        .expect("the bind");
    let held = lab
        .trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::PortHeld { socket, holder, port, state, free_at, cause, .. } => {
                Some((*socket, *holder, *port, *state, *free_at, cause.get(), e.time))
            }
            _ => None,
        })
        .expect("the clash is traced");
    let (socket, holder, port, state, free_at, cause, at) = held;
    assert_eq!((Some(socket), port, cause), (on, 80, Cause::Call(bind)));
    assert_ne!(Some(holder), listener, "the listener is gone; the TIME-WAIT connection holds the port");
    assert_eq!(state, Some(socklab::net::tcp::state::TcpState::TimeWait));
    let free_at = free_at.expect("TIME-WAIT frees the port at a known time");
    assert!(free_at > at && free_at - at <= 60_000_000, "{free_at} vs {at}");
}

#[test]
fn a_pending_error_collected_by_a_later_call_names_the_packet_that_caused_it() {
    let mut lab = Lab::new(1);
    let client = lab.client;
    let u = lab.socket(client, Protocol::Udp);
    let nobody = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 7777);
    lab.ok(client, SysCall::Connect { fd: u, addr: nobody });
    lab.ok(client, SysCall::Send { fd: u, data: std::sync::Arc::from(&b"ping"[..]) });
    lab.run_for(100_000);
    // The ICMP port unreachable arrived long before this call.
    let icmp = lab
        .trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::SocketError { cause, .. } => cause.get().arrival(),
            _ => None,
        })
        .expect("the ICMP set a pending error");
    assert_eq!(lab.err(client, SysCall::Recv { fd: u, len: 100 }), Errno::ECONNREFUSED);
    let (recv, _) = call_id(&lab.trace, |s| matches!(s, SysCall::Recv { .. }));
    match return_of(&lab.trace, recv) {
        TraceKind::Return { cause, .. } => assert_eq!(cause.get(), Cause::Arrival(icmp)),
        k => panic!("{k:?}"),
    }
    // Collected once: the next failure of its own names the call.
    lab.ok(client, SysCall::Send { fd: u, data: std::sync::Arc::from(&b"ping"[..]) });
    let sends: Vec<_> = lab
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Return { call, cause, .. } => Some((*call, cause.get())),
            _ => None,
        })
        .collect();
    let (last, cause) = sends.last().copied().expect("the send returned");
    assert_eq!(cause, Cause::Call(last));
}

/// The SYNs or final ACKs a listener dropped because its accept queue was full:
/// (packet, listener, backlog, waiting, cause).
fn listen_drops(trace: &[TraceEvent]) -> Vec<(PacketId, SocketId, u32, u32, Cause)> {
    trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Dropped {
                packet,
                socket,
                reason: DropReason::AcceptQueueFull { backlog, waiting },
                cause,
                ..
            } => Some((*packet, *socket, *backlog, *waiting, cause.get())),
            _ => None,
        })
        .collect()
}

fn tcp_flags_of(trace: &[TraceEvent], id: PacketId) -> String {
    trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Sent { packet, .. } if packet.id == id => match &packet.body {
                packet::Body::Tcp(seg) => Some(seg.flags.tcpdump()),
                _ => None,
            },
            _ => None,
        })
        .expect("the dropped packet was sent")
}

#[test]
fn a_syn_ignored_by_a_full_accept_queue_names_the_listener_and_the_queue() {
    let mut lab = Lab::new(1);
    let (server, client) = (lab.server, lab.client);
    // backlog 0: one finished connection waiting for accept() fills the queue.
    let l = lab.listener(80, 0);
    let listener = lab.world.socket_by_fd(server, l);
    let first = lab.socket(client, Protocol::Tcp);
    assert_eq!(lab.call(client, connect(first, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run_for(100_000);
    assert!(listen_drops(&lab.trace).is_empty(), "the first connection fits");
    let second = lab.socket(client, Protocol::Tcp);
    assert_eq!(lab.call(client, connect(second, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run_for(100_000);
    let drops = listen_drops(&lab.trace);
    let [(packet, on, backlog, waiting, cause)] = drops[..] else { panic!("{drops:?}") };
    assert_eq!((Some(on), backlog, waiting), (listener, 0, 1));
    assert_eq!(cause, Cause::Arrival(packet), "dropped on its arrival");
    assert_eq!(tcp_flags_of(&lab.trace, packet), "S");
    // No answer at all: the server sent nothing after the drop.
    let answered = lab
        .trace
        .iter()
        .skip_while(|e| !matches!(e.kind, TraceKind::Dropped { .. }))
        .any(|e| matches!(e.kind, TraceKind::Sent { host, .. } if host == server));
    assert!(!answered, "a SYN at a full queue gets no SYN-ACK and no RST");
}

#[test]
fn a_final_ack_that_finds_the_accept_queue_full_is_dropped_and_says_so() {
    let mut lab = Lab::new(1);
    let (server, client) = (lab.server, lab.client);
    let l = lab.listener(80, 0);
    let listener = lab.world.socket_by_fd(server, l);
    // Two SYNs at once: both are answered (the queue is empty then); the first
    // final ACK fills the queue, so the second is dropped.
    for _ in 0..2 {
        let fd = lab.socket(client, Protocol::Tcp);
        assert_eq!(lab.call(client, connect(fd, SERVER_IP, 80)), CallOutcome::Blocked);
    }
    lab.run_for(100_000);
    let drops = listen_drops(&lab.trace);
    let [(packet, on, backlog, waiting, cause)] = drops[..] else { panic!("{drops:?}") };
    assert_eq!((Some(on), backlog, waiting, cause), (listener, 0, 1, Cause::Arrival(packet)));
    assert_eq!(tcp_flags_of(&lab.trace, packet), ".");
}
