//! Properties of the core, over random inputs (proptest).
mod common;
use common::*;
use proptest::prelude::*;
use socklab::net::tcp::state::TcpState;
use socklab::net::*;
use std::sync::Arc;

fn arb_call(max_fd: Fd) -> impl Strategy<Value = SysCall> {
    let fd = 0..max_fd;
    let ip = prop_oneof![
        Just(SERVER_IP),
        Just(CLIENT_IP),
        Just(Ipv4Addr::LOCALHOST),
        Just(Ipv4Addr::UNSPECIFIED),
        Just(Ipv4Addr::new(8, 8, 8, 8))
    ];
    let port = prop_oneof![Just(0u16), Just(80), Just(81), 1u16..70];
    let addr = (ip, port).prop_map(|(ip, port)| SocketAddrV4::new(ip, port));
    let bytes = prop::collection::vec(any::<u8>(), 0..64).prop_map(Arc::<[u8]>::from);
    prop_oneof![
        (any::<bool>(), any::<bool>()).prop_map(|(tcp, v6)| SysCall::Socket {
            domain: if v6 { Domain::Inet6 } else { Domain::Inet },
            protocol: if tcp { Protocol::Tcp } else { Protocol::Udp }
        }),
        (fd.clone(), addr.clone()).prop_map(|(fd, addr)| SysCall::Bind { fd, addr }),
        (fd.clone(), 0u32..5).prop_map(|(fd, backlog)| SysCall::Listen { fd, backlog }),
        fd.clone().prop_map(|fd| SysCall::Accept { fd }),
        (fd.clone(), addr.clone()).prop_map(|(fd, addr)| SysCall::Connect { fd, addr }),
        (fd.clone(), bytes.clone()).prop_map(|(fd, data)| SysCall::Send { fd, data }),
        (fd.clone(), 0usize..100).prop_map(|(fd, len)| SysCall::Recv { fd, len }),
        (fd.clone(), bytes, prop::option::of(addr)).prop_map(|(fd, data, addr)| SysCall::SendTo { fd, data, addr }),
        (fd.clone(), 0usize..100).prop_map(|(fd, len)| SysCall::RecvFrom { fd, len }),
        (fd.clone(), 0u8..3).prop_map(|(fd, h)| SysCall::Shutdown {
            fd,
            how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][h as usize]
        }),
        fd.clone().prop_map(|fd| SysCall::Close { fd }),
        (fd, any::<bool>(), 0u8..3).prop_map(|(fd, on, which)| SysCall::SetSockOpt {
            fd,
            opt: match which {
                0 => SockOpt::ReuseAddr(on),
                1 => SockOpt::NonBlocking(on),
                _ => SockOpt::RcvBuf(if on { 4096 } else { 0 }),
            }
        }),
    ]
}

/// Invariants that must hold after every event.
fn check_invariants(world: &World) {
    if let Err(broken) = world.check_invariants() {
        panic!("model invariant broken at t={}us: {broken}", world.now());
    }
}

/// Every packet delivered or lost was sent (or is a link's duplicate), each ends
/// at most once, and nothing ends before it started.
fn check_packet_conservation(trace: &[TraceEvent]) {
    let mut started = std::collections::HashSet::new();
    let mut ended = std::collections::HashSet::new();
    for e in trace {
        match &e.kind {
            TraceKind::Sent { packet, .. } => assert!(started.insert(packet.id), "packet {:?} sent twice", packet.id),
            TraceKind::Duplicated { original, copy, .. } => {
                assert!(started.contains(original));
                assert!(started.insert(*copy));
            }
            TraceKind::Delivered { packet, .. } | TraceKind::Lost { packet, .. } => {
                assert!(started.contains(packet), "packet {packet:?} ended without being sent");
                assert!(ended.insert(*packet), "packet {packet:?} ended twice");
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// Random calls on random hosts, interleaved with time, never panic; every
    /// call ends in a value or an errno; the model's invariants hold throughout.
    #[test]
    fn random_calls_never_panic(seed in any::<u64>(), calls in prop::collection::vec((any::<bool>(), arb_call(8), 0u64..50_000), 1..60)) {
        let mut lab = Lab::new(seed);
        for (on_server, call, wait) in calls {
            let host = if on_server { lab.server } else { lab.client };
            let _ = lab.world.call(host, call).unwrap();
            check_invariants(&lab.world);
            let until = lab.world.now() + wait;
            while lab.world.next_event_time().is_some_and(|t| t <= until) {
                lab.world.step_event();
                check_invariants(&lab.world);
            }
            lab.world.run_until(until);
        }
        lab.world.run_until_idle(200_000);
        check_invariants(&lab.world);
        lab.collect();
        check_packet_conservation(&lab.trace);
    }

    /// Same seed and inputs, same trace — byte for byte once serialized.
    #[test]
    fn same_seed_same_trace(seed in any::<u64>(), loss in 0.0f64..0.2, n in 1usize..20) {
        let run = || {
            let mut lab = Lab::with_link(seed, LinkConfig { loss, jitter_us: 3_000, duplicate: 0.1, reorder: 0.1, ..LinkConfig::default() });
            // No assertions inside: a handshake may fail on a lossy link, and
            // that too must happen identically twice.
            let l = lab.listener(80, 4);
            let c = lab.socket(lab.client, Protocol::Tcp);
            lab.call(lab.client, connect(c, SERVER_IP, 80));
            lab.call(lab.server, SysCall::Accept { fd: l });
            lab.run_for(2_000_000);
            for i in 0..n {
                lab.call(lab.client, send(c, format!("message {i}").as_bytes()));
                lab.call(lab.server, recv(4, 1000));
            }
            lab.run();
            serde_json::to_string(&lab.trace).unwrap()
        };
        prop_assert_eq!(run(), run());
    }

    /// UDP on a clean link loses, duplicates and reorders nothing; on a faulty one
    /// every datagram that does not arrive once, in order, has a fault in the trace.
    #[test]
    fn udp_changes_nothing_unless_a_fault_says_so(seed in any::<u64>(), faulty in any::<bool>(), n in 1u32..80) {
        let cfg = if faulty {
            LinkConfig { loss: 0.2, duplicate: 0.2, reorder: 0.2, reorder_delay_us: 15_000, ..LinkConfig::default() }
        } else {
            LinkConfig::default()
        };
        let mut lab = Lab::with_link(seed, cfg);
        let s = lab.socket(lab.server, Protocol::Udp);
        lab.ok(lab.server, SysCall::Bind { fd: s, addr: SocketAddrV4::new(SERVER_IP, 9) });
        let c = lab.socket(lab.client, Protocol::Udp);
        for i in 0..n {
            lab.ok(lab.client, SysCall::SendTo { fd: c, data: Arc::from(&i.to_be_bytes()[..]), addr: Some(SocketAddrV4::new(SERVER_IP, 9)) });
            lab.run_for(1_000);
        }
        lab.run();
        let mut got = Vec::new();
        while let CallOutcome::Done(Ok(v)) = lab.call(lab.server, SysCall::SetSockOpt { fd: s, opt: SockOpt::NonBlocking(true) }).clone() {
            let _ = v;
            match lab.call(lab.server, recv(s, 10)) {
                CallOutcome::Done(Ok(v)) => got.push(u32::from_be_bytes(data(&v).try_into().unwrap())),
                _ => break,
            }
        }
        check_packet_conservation(&lab.trace);
        let count = |f: fn(&TraceKind) -> bool| lab.trace.iter().filter(|e| f(&e.kind)).count();
        let lost = count(|k| matches!(k, TraceKind::Lost { .. }));
        let dups = count(|k| matches!(k, TraceKind::Duplicated { .. }));
        let reordered = count(|k| matches!(k, TraceKind::Reordered { .. }));
        if !faulty {
            prop_assert_eq!(got, (0..n).collect::<Vec<_>>());
        } else {
            prop_assert_eq!(got.len() + lost, n as usize + dups);
            if reordered == 0 {
                prop_assert!(got.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }

    /// Packets survive the trip to real bytes and back.
    #[test]
    fn wire_round_trip(seed in any::<u64>(), payload in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut lab = Lab::new(seed);
        let (c, a) = lab.connected_pair(80);
        lab.call(lab.client, send(c, &payload));
        lab.call(lab.server, SysCall::Close { fd: a });
        let u = lab.socket(lab.client, Protocol::Udp);
        lab.call(lab.client, SysCall::SendTo { fd: u, data: Arc::from(&payload[..payload.len().min(1400)]), addr: Some(SocketAddrV4::new(SERVER_IP, 7)) });
        lab.run();
        for e in &lab.trace {
            if let TraceKind::Sent { packet, .. } = &e.kind {
                let bytes = socklab::wire::to_bytes(packet).unwrap();
                prop_assert_eq!(bytes.len(), packet.wire_len());
                let back = socklab::wire::from_bytes(&bytes, packet.id).unwrap();
                prop_assert_eq!(&back, packet);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

    /// TCP delivers exactly the bytes written, in order, once — over loss,
    /// duplication, reordering and jitter — or reports an error; never silent
    /// loss or corruption. After close both ends reach CLOSED or TIME-WAIT.
    #[test]
    fn tcp_delivers_every_byte_in_order_once(
        seed in any::<u64>(),
        payload in prop::collection::vec(any::<u8>(), 0..12_000),
        loss in 0.0f64..0.45,
        duplicate in 0.0f64..0.3,
        reorder in 0.0f64..0.3,
        jitter_us in 0u64..20_000,
    ) {
        let cfg = LinkConfig { loss, duplicate, reorder, reorder_delay_us: 25_000, jitter_us, ..LinkConfig::default() };
        let mut lab = Lab::with_link(seed, cfg);
        lab.world.tcp_config_mut().syn_retries = 30;
        lab.world.tcp_config_mut().synack_retries = 30;
        lab.world.tcp_config_mut().data_retries = 30;
        lab.world.tcp_config_mut().rto_max_us = 4_000_000;
        let l = lab.listener(80, 4);
        let c = lab.socket(lab.client, Protocol::Tcp);
        lab.call(lab.client, connect(c, SERVER_IP, 80));
        lab.call(lab.server, SysCall::Accept { fd: l });
        lab.world.run_until(lab.world.now() + 600_000_000);
        lab.collect();
        let accepted = lab.trace.iter().find_map(|e| match &e.kind {
            TraceKind::Return { result: Ok(CallValue::Accepted { fd, .. }), .. } => Some(*fd),
            _ => None,
        });
        let Some(a) = accepted else {
            // The handshake itself gave up: that must be a reported error.
            prop_assert!(matches!(lab.returned_last(lab.client), Some(Err(Errno::ETIMEDOUT))));
            return Ok(());
        };
        let sent = lab.call(lab.client, send(c, &payload));
        lab.call(lab.client, SysCall::Close { fd: c });
        let mut got = Vec::new();
        let mut error = None;
        loop {
            match lab.call(lab.server, recv(a, 4096)) {
                CallOutcome::Done(Ok(v)) => { let d = data(&v); if d.is_empty() { break } got.extend(d); }
                CallOutcome::Done(Err(e)) => { error = Some(e); break }
                CallOutcome::Blocked => {
                    lab.world.run_until(lab.world.now() + 600_000_000);
                    lab.collect();
                    match lab.returned_last(lab.server) {
                        Some(Ok(v)) => { let d = data(&v); if d.is_empty() { break } got.extend(d); }
                        Some(Err(e)) => { error = Some(e); break }
                        None => { prop_assert!(false, "recv never returned"); }
                    }
                }
            }
        }
        prop_assert!(got.len() <= payload.len());
        prop_assert_eq!(&got[..], &payload[..got.len()], "received bytes are a prefix of what was sent");
        if error.is_none() {
            prop_assert_eq!(got.len(), payload.len(), "EOF only after every byte");
        }
        if loss < 0.2 {
            prop_assert_eq!(error, None, "with generous retries a lossy link still delivers");
        }
        prop_assert!(matches!(sent, CallOutcome::Done(_) | CallOutcome::Blocked));
        lab.call(lab.server, SysCall::Close { fd: a });
        lab.world.run_until_idle(1_000_000);
        lab.collect();
        check_invariants(&lab.world);
        check_packet_conservation(&lab.trace);
        for (host, _) in lab.world.hosts() {
            for v in lab.world.sockets_on(host) {
                prop_assert!(matches!(v.state, Some(TcpState::Listen) | Some(TcpState::TimeWait) | Some(TcpState::Closed)), "{:?}", v);
            }
        }
    }
}
