//! UDP as udp(7) describes it: boundaries kept, 65507-byte limit, ICMP errors
//! reported only on connected sockets, silent drops when the buffer is full.
mod common;
use common::*;
use socklab::net::trace::{DropReason, LossReason, Path};
use socklab::net::*;
use std::sync::Arc;

fn sendto(fd: Fd, data: &[u8], ip: Ipv4Addr, port: u16) -> SysCall {
    SysCall::SendTo { fd, data: Arc::from(data), addr: Some(SocketAddrV4::new(ip, port)) }
}

fn udp_pair(lab: &mut Lab) -> (Fd, Fd) {
    let s = lab.socket(lab.server, Protocol::Udp);
    lab.ok(lab.server, SysCall::Bind { fd: s, addr: SocketAddrV4::new(SERVER_IP, 53) });
    let c = lab.socket(lab.client, Protocol::Udp);
    (c, s)
}

#[test]
fn datagram_boundaries_are_kept_and_sender_is_reported() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    lab.ok(lab.client, sendto(c, b"one", SERVER_IP, 53));
    lab.ok(lab.client, sendto(c, b"two", SERVER_IP, 53));
    lab.run();
    let first = lab.ok(lab.server, SysCall::RecvFrom { fd: s, len: 100 });
    let CallValue::DataFrom { data, from } = first else { panic!("{first:?}") };
    assert_eq!(&data[..], b"one");
    assert_eq!(*from.ip(), CLIENT_IP);
    assert!(addr::EPHEMERAL_PORTS.contains(&from.port()), "sendto on an unbound socket binds it");
    assert_eq!(data_of(lab.ok(lab.server, recv(s, 100))), b"two");
}

fn data_of(v: CallValue) -> Vec<u8> {
    data(&v)
}

#[test]
fn a_short_read_truncates_the_datagram_and_the_rest_is_gone() {
    // udp(7): "If the buffer is too small, the datagram is truncated" (MSG_TRUNC).
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    lab.ok(lab.client, sendto(c, b"abcdef", SERVER_IP, 53));
    lab.ok(lab.client, sendto(c, b"next", SERVER_IP, 53));
    lab.run();
    assert_eq!(data_of(lab.ok(lab.server, recv(s, 3))), b"abc");
    assert_eq!(data_of(lab.ok(lab.server, recv(s, 100))), b"next");
    // The trace says what was cut, for the short result: once, for the read that cut.
    let sid = lab.world.socket_by_fd(lab.server, s).expect("the socket");
    let cut: Vec<(SocketId, u32, u32)> = lab
        .trace
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Truncated { socket, datagram, read, .. } => Some((socket, datagram, read)),
            _ => None,
        })
        .collect();
    assert_eq!(cut, vec![(sid, 6, 3)]);
}

#[test]
fn a_short_peek_cuts_nothing_and_a_short_msg_trunc_read_does() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    lab.ok(lab.client, sendto(c, b"abcdef", SERVER_IP, 53));
    lab.run();
    let read = |peek, trunc| SysCall::RecvFlags { fd: s, len: 2, flags: MsgFlags { peek, trunc }, from: false };
    lab.ok(lab.server, read(true, false));
    let truncated = |lab: &Lab| lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Truncated { .. })).count();
    assert_eq!(truncated(&lab), 0, "a peek leaves the datagram queued, whole");
    let got = lab.ok(lab.server, read(false, true));
    assert!(matches!(got, CallValue::Length { len: 6, .. }), "{got:?}");
    assert_eq!(truncated(&lab), 1, "MSG_TRUNC says the length; the rest is gone all the same");
}

#[test]
fn oversize_datagram_is_emsgsize_and_no_address_is_edestaddrreq() {
    // 65535 - 20 (IPv4) - 8 (UDP) = 65507; send(2): EDESTADDRREQ for an unconnected socket.
    let mut lab = Lab::new(1);
    let (c, _s) = udp_pair(&mut lab);
    let big = vec![0u8; 65_508];
    assert_eq!(lab.err(lab.client, sendto(c, &big, SERVER_IP, 53)), Errno::EMSGSIZE);
    let max = vec![0u8; 65_507];
    assert_eq!(lab.ok(lab.client, sendto(c, &max, SERVER_IP, 53)), CallValue::Sent(65_507));
    assert_eq!(lab.err(lab.client, send(c, b"x")), Errno::EDESTADDRREQ);
}

#[test]
fn port_unreachable_refuses_a_connected_socket_and_is_ignored_otherwise() {
    // udp(7)/ip(7): ICMP errors are reported to connected sockets only (without IP_RECVERR).
    let mut lab = Lab::new(1);
    let unconnected = lab.socket(lab.client, Protocol::Udp);
    lab.ok(lab.client, sendto(unconnected, b"x", SERVER_IP, 9));
    lab.run();
    assert!(lab.trace.iter().any(
        |e| matches!(&e.kind, TraceKind::Sent { packet, .. } if matches!(packet.body, packet::Body::PortUnreachable(_)))
    ));
    assert_eq!(lab.ok(lab.client, sendto(unconnected, b"y", SERVER_IP, 9)), CallValue::Sent(1));

    let connected = lab.socket(lab.client, Protocol::Udp);
    lab.ok(lab.client, connect(connected, SERVER_IP, 9));
    lab.ok(lab.client, send(connected, b"x"));
    lab.run();
    assert_eq!(lab.err(lab.client, send(connected, b"again")), Errno::ECONNREFUSED);
    // The error is reported once.
    assert_eq!(lab.ok(lab.client, send(connected, b"again")), CallValue::Sent(5));
}

#[test]
fn a_full_receive_buffer_drops_silently_and_traces_it() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    // 2000 bytes of data: above the floor Linux puts under SO_RCVBUF (1152 here).
    lab.ok(lab.server, SysCall::SetSockOpt { fd: s, opt: SockOpt::RcvBuf(2000) });
    for _ in 0..3 {
        lab.ok(lab.client, sendto(c, &[b'x'; 800], SERVER_IP, 53));
    }
    lab.run();
    let drops = lab
        .trace
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Dropped { reason: DropReason::ReceiveBufferFull, .. }))
        .count();
    assert_eq!(drops, 1);
    let view = lab.world.socket_view(lab.world.socket_by_fd(lab.server, s).unwrap());
    assert_eq!(view.udp.map(|u| (u.queued, u.dropped)), Some((2, 1)));
}

#[test]
fn loss_is_random_but_traced_and_seeded() {
    let cfg = LinkConfig { loss: 0.3, ..LinkConfig::default() };
    let run = |seed| {
        let mut lab = Lab::with_link(seed, cfg.clone());
        let (c, _s) = udp_pair(&mut lab);
        for i in 0..200u32 {
            lab.ok(lab.client, sendto(c, &i.to_be_bytes(), SERVER_IP, 53));
        }
        lab.run();
        lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Lost { reason: LossReason::Random, .. })).count()
    };
    let lost = run(7);
    assert!((30..90).contains(&lost), "{lost} of 200 lost at 30%");
    assert_eq!(lost, run(7), "same seed, same losses");
}

#[test]
fn shutdown_on_unconnected_udp_is_enotconn() {
    // inet_shutdown: an unconnected UDP socket is in TCP_CLOSE: ENOTCONN.
    let mut lab = Lab::new(1);
    let u = lab.socket(lab.client, Protocol::Udp);
    assert_eq!(lab.err(lab.client, SysCall::Shutdown { fd: u, how: Shutdown::Both }), Errno::ENOTCONN);
}

#[test]
fn a_sendto_that_fails_still_binds_the_socket() {
    // inet_send_prepare binds an unbound socket (inet_autobind) before
    // udp_sendmsg looks at the size or the destination: the failed call leaves a
    // port behind, and bind(2) then says EINVAL "already bound".
    let mut lab = Lab::new(1);
    let bound = |lab: &Lab, fd| lab.world.socket_view(lab.world.socket_by_fd(lab.client, fd).unwrap()).local;
    let too_big = lab.socket(lab.client, Protocol::Udp);
    assert_eq!(lab.err(lab.client, sendto(too_big, &[0; 65_508], SERVER_IP, 53)), Errno::EMSGSIZE);
    let no_destination = lab.socket(lab.client, Protocol::Udp);
    assert_eq!(lab.err(lab.client, send(no_destination, b"x")), Errno::EDESTADDRREQ);
    let no_route = lab.socket(lab.client, Protocol::Udp);
    assert_eq!(lab.err(lab.client, sendto(no_route, b"x", Ipv4Addr::new(8, 8, 8, 8), 53)), Errno::ENETUNREACH);
    for fd in [too_big, no_destination, no_route] {
        let local = bound(&lab, fd).expect("bound by the failed sendto");
        assert!(addr::EPHEMERAL_PORTS.contains(&local.port()), "{local}");
        let bind = SysCall::Bind { fd, addr: SocketAddrV4::new(CLIENT_IP, 5000) };
        assert_eq!(lab.err(lab.client, bind), Errno::EINVAL);
    }
    assert!(lab.trace.iter().all(|e| !matches!(e.kind, TraceKind::Sent { .. })), "nothing was sent");
}

#[test]
fn a_corrupted_datagram_never_reaches_recvfrom_and_is_counted() {
    // Every datagram has one bit flipped: each reaches the server's host, whose
    // UDP checksum drops it, so recvfrom finds nothing and each is a loss.
    let mut lab = Lab::with_link(5, LinkConfig { corrupt: 1.0, ..LinkConfig::default() });
    let (c, s) = udp_pair(&mut lab);
    for i in 0..5u32 {
        lab.ok(lab.client, sendto(c, &i.to_be_bytes(), SERVER_IP, 53));
    }
    lab.run();
    let before = lab.trace.len();
    assert_eq!(lab.call(lab.server, SysCall::RecvFrom { fd: s, len: 100 }), CallOutcome::Blocked);
    lab.run();
    assert!(!lab.trace[before..].iter().any(|e| matches!(e.kind, TraceKind::Return { .. })), "recvfrom still waits");
    let view = lab.world.socket_view(lab.world.socket_by_fd(lab.server, s).unwrap());
    assert_eq!(view.udp.map(|u| u.queued), Some(0));
    let bits: Vec<u32> = lab
        .trace
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Lost { reason: LossReason::Checksum { bit }, .. } => Some(bit),
            _ => None,
        })
        .collect();
    assert_eq!(bits.len(), 5, "each datagram is a checksum loss");
    assert!(bits.iter().all(|b| *b < 32 * 8), "a bit of the 32-byte IPv4+UDP packet");
    assert!(!lab.trace.iter().any(|e| matches!(e.kind, TraceKind::Delivered { .. })));
}

#[test]
fn a_script_counts_corrupted_and_truncated_packets_as_lost() {
    let text = r#"
seed 1
host server 10.0.0.1
host client 10.0.0.2
link client server latency 10ms
link client > server corrupt 100%
link server > client truncate 100%
server: u = socket(udp)
server: bind(u, 10.0.0.1:9000) = 0
client: s = socket(udp)
client: bind(s, 10.0.0.2:9001) = 0
client: sendto(s, "one", 10.0.0.1:9000) = 3
client: sendto(s, "two", 10.0.0.1:9000) = 3
server: sendto(u, "back", 10.0.0.2:9001) = 4
run
expect sent client > server 2
expect lost client > server 2
expect lost server > client 1
expect delivered server u 0
server: setsockopt(u, O_NONBLOCK, 1) = 0
server: recv(u, 100) = EAGAIN
link client server corrupt 0% truncate 0%
client: sendto(s, "three", 10.0.0.1:9000) = 5
run
server: recv(u, 100) = "three"
"#;
    let report = socklab::script::run(&socklab::script::parse(text).unwrap(), &socklab::script::RunOptions::default());
    assert!(report.passed(), "{:?}", report.failures);
    let timeline = socklab::script::render::timeline(&report);
    assert!(timeline.contains("bad checksum"), "{timeline}");
    assert!(timeline.contains("truncated: the link cut it to"), "{timeline}");
}

#[test]
fn msg_peek_leaves_the_datagram_and_msg_trunc_returns_its_full_length() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    let flagged = |len, peek, trunc| SysCall::RecvFlags { fd: s, len, flags: MsgFlags { peek, trunc }, from: true };
    assert_eq!(lab.call(lab.server, flagged(4, true, false)), CallOutcome::Blocked);
    lab.ok(lab.client, sendto(c, b"abcdefghij", SERVER_IP, 53));
    lab.ok(lab.client, sendto(c, b"xy", SERVER_IP, 53));
    lab.run();
    let client = SocketAddrV4::new(CLIENT_IP, {
        let Some(Ok(CallValue::DataFrom { from, data })) = lab.returned_last(lab.server) else { panic!() };
        assert_eq!(&data[..], b"abcd", "the blocked peek woke up peeking");
        from.port()
    });
    assert_eq!(
        lab.ok(lab.server, flagged(4, true, false)),
        CallValue::DataFrom { data: Arc::from(&b"abcd"[..]), from: client }
    );
    // udp_recvmsg: `if (flags & MSG_TRUNC) err = ulen` — 10, though 4 were copied.
    assert_eq!(
        lab.ok(lab.server, flagged(4, false, true)),
        CallValue::Length { len: 10, data: Arc::from(&b"abcd"[..]), from: Some(client) }
    );
    // The truncated datagram is gone; the next one is whole.
    assert_eq!(
        lab.ok(lab.server, SysCall::RecvFrom { fd: s, len: 100 }),
        CallValue::DataFrom { data: Arc::from(&b"xy"[..]), from: client }
    );
}

#[test]
fn connect_af_unspec_dissolves_a_udp_association_as_udp_disconnect_does() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    lab.ok(lab.client, SysCall::Connect { fd: c, addr: SocketAddrV4::new(SERVER_IP, 53) });
    let CallValue::Name(bound) = lab.ok(lab.client, SysCall::GetSockName { fd: c }) else { panic!() };
    assert_eq!(*bound.ip(), CLIENT_IP);
    assert_eq!(lab.ok(lab.client, SysCall::Disconnect { fd: c }), CallValue::Zero);
    // Autobound: the port is released (no SOCK_BINDPORT_LOCK) and the peer forgotten.
    let unbound = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);
    assert_eq!(lab.ok(lab.client, SysCall::GetSockName { fd: c }), CallValue::Name(unbound));
    assert_eq!(lab.err(lab.client, SysCall::GetPeerName { fd: c }), Errno::ENOTCONN);
    assert_eq!(lab.err(lab.client, SysCall::Send { fd: c, data: Arc::from(&b"x"[..]) }), Errno::EDESTADDRREQ);
    // Bound to 0.0.0.0:6000 by the application: the port stays, the address
    // connect chose goes back to 0.0.0.0, and anyone may send to it again.
    let u = lab.socket(lab.server, Protocol::Udp);
    lab.ok(lab.server, SysCall::Bind { fd: u, addr: SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 6000) });
    lab.ok(lab.server, SysCall::Connect { fd: u, addr: SocketAddrV4::new(CLIENT_IP, 7) });
    lab.ok(lab.server, SysCall::Disconnect { fd: u });
    assert_eq!(
        lab.ok(lab.server, SysCall::GetSockName { fd: u }),
        CallValue::Name(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 6000))
    );
    lab.ok(lab.client, sendto(c, b"hi", SERVER_IP, 6000));
    lab.run();
    assert_eq!(data(&lab.ok(lab.server, SysCall::Recv { fd: u, len: 10 })), b"hi");
    let _ = s;
}

/// A datagram larger than the link's MTU leaves as IPv4 fragments, each its
/// own packet with the datagram's one IP ID (`ip_do_fragment`), and the
/// receiver's socket sees the whole datagram once the last piece is in.
#[test]
fn a_datagram_larger_than_the_mtu_travels_in_fragments_and_arrives_whole() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    let payload: Vec<u8> = (0..65507u32).map(|i| (i % 253) as u8).collect();
    lab.ok(lab.client, sendto(c, &payload, SERVER_IP, 53));
    lab.run();
    let sent: Vec<&packet::Packet> = lab
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { packet, .. } => Some(&**packet),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 45);
    assert!(sent.iter().all(|p| p.ip_id == sent[0].ip_id && p.wire_len() <= 1500));
    let reassembled = lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Reassembled { .. })).count();
    assert_eq!(reassembled, 1);
    assert_eq!(data_of(lab.ok(lab.server, recv(s, 70000))), payload);
}

/// The link loses each fragment on its own, and one lost fragment loses the
/// datagram: the rest wait at the receiver until `ipfrag_time` (30 s) runs out.
#[test]
fn a_lost_fragment_loses_the_whole_datagram_after_30_seconds() {
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    lab.world.change_link(lab.link, None, FaultChange::DropNext(1)).unwrap();
    lab.ok(lab.client, sendto(c, &[7; 5000], SERVER_IP, 53));
    lab.run_for(29_000_000);
    assert!(lab.trace.iter().all(|e| !matches!(e.kind, TraceKind::FragmentsDiscarded { .. })), "not before 30 s");
    lab.run();
    let discarded: Vec<_> = lab
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::FragmentsDiscarded { fragments, reason, .. } => Some((e.time, fragments.len(), *reason)),
            _ => None,
        })
        .collect();
    // 4 fragments, the first dropped; the second arrived at 10 ms and started the queue.
    assert_eq!(discarded, [(30_010_000, 3, trace::ReassemblyFailure::Timeout)]);
    lab.ok(lab.server, SysCall::SetSockOpt { fd: s, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.server, recv(s, 70000)), Errno::EAGAIN);
}

/// Random loss hits fragments one by one: at 10% per packet, a 45-fragment
/// datagram survives with probability 0.9^45 ≈ 1%, a small one 90% of the time.
#[test]
fn random_loss_is_drawn_per_fragment() {
    let cfg = LinkConfig { loss: 0.1, ..LinkConfig::default() };
    let mut lab = Lab::with_link(3, cfg);
    let (c, s) = udp_pair(&mut lab);
    lab.ok(lab.server, SysCall::SetSockOpt { fd: s, opt: SockOpt::RcvBuf(8 << 20) });
    for _ in 0..20 {
        lab.ok(lab.client, sendto(c, &[1; 65507], SERVER_IP, 53));
    }
    lab.run();
    let sent = lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Sent { .. })).count();
    let lost = lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Lost { .. })).count();
    assert_eq!(sent, 20 * 45);
    assert!((45..135).contains(&lost), "{lost} of 900 fragments lost at 10%");
    let whole = lab.trace.iter().filter(|e| matches!(e.kind, TraceKind::Reassembled { .. })).count();
    assert!(whole <= 3, "{whole} of 20 big datagrams survived");
}

#[test]
fn one_socket_reaches_each_peer_it_sends_to_as_hosts_and_links_are_added() {
    // A socket remembers the route of its last datagram; sending to another
    // address, to a host whose link came later, or to itself must not reuse it.
    let mut lab = Lab::new(1);
    let (c, s) = udp_pair(&mut lab);
    let third_ip = Ipv4Addr::new(10, 0, 0, 3);
    let third = lab.world.add_host("third", &[third_ip]).unwrap();
    let t = lab.socket(third, Protocol::Udp);
    lab.ok(third, SysCall::Bind { fd: t, addr: SocketAddrV4::new(third_ip, 53) });
    let me = lab.socket(lab.client, Protocol::Udp);
    lab.ok(lab.client, SysCall::Bind { fd: me, addr: SocketAddrV4::new(CLIENT_IP, 53) });

    lab.ok(lab.client, sendto(c, b"to server", SERVER_IP, 53));
    assert_eq!(lab.err(lab.client, sendto(c, b"no link yet", third_ip, 53)), Errno::ENETUNREACH);
    let added = lab.world.add_link(lab.client, third, LinkConfig::default()).unwrap();
    lab.ok(lab.client, sendto(c, b"to third", third_ip, 53));
    lab.ok(lab.client, sendto(c, b"to myself", CLIENT_IP, 53));
    lab.ok(lab.client, sendto(c, b"server again", SERVER_IP, 53));
    lab.run();

    assert_eq!(data_of(lab.ok(lab.server, recv(s, 100))), b"to server");
    assert_eq!(data_of(lab.ok(lab.server, recv(s, 100))), b"server again");
    assert_eq!(data_of(lab.ok(third, recv(t, 100))), b"to third");
    assert_eq!(data_of(lab.ok(lab.client, recv(me, 100))), b"to myself");
    let paths: Vec<Path> = lab
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { path, .. } => Some(*path),
            _ => None,
        })
        .collect();
    assert_eq!(
        paths,
        [
            Path::Link { link: lab.link, dir: Direction::AtoB },
            Path::Link { link: added, dir: Direction::AtoB },
            Path::Loopback { host: lab.client },
            Path::Link { link: lab.link, dir: Direction::AtoB },
        ]
    );
}
