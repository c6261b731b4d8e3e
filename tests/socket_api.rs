//! Every socket call and errno of the model, each checked against the Linux
//! behaviour it models. Sources: the Linux man pages (socket(2), bind(2),
//! listen(2), accept(2), connect(2), send(2), recv(2), shutdown(2), close(2),
//! udp(7), tcp(7), ip(7)) and the kernel code paths named beside each test.
mod common;
use common::*;
use socklab::net::tcp::state::TcpState;
use socklab::net::*;
use std::sync::Arc;

fn bind(fd: Fd, ip: Ipv4Addr, port: u16) -> SysCall {
    SysCall::Bind { fd, addr: SocketAddrV4::new(ip, port) }
}

#[test]
fn socket_returns_lowest_free_descriptor_from_three() {
    // POSIX: "the lowest-numbered file descriptor not currently open".
    let mut lab = Lab::new(1);
    let a = lab.socket(lab.server, Protocol::Tcp);
    let b = lab.socket(lab.server, Protocol::Udp);
    assert_eq!((a, b), (3, 4));
    lab.ok(lab.server, SysCall::Close { fd: a });
    assert_eq!(lab.socket(lab.server, Protocol::Tcp), 3);
}

#[test]
fn ipv6_socket_is_eafnosupport() {
    // socket(2): EAFNOSUPPORT "The implementation does not support the specified address family."
    let mut lab = Lab::new(1);
    let r = lab.err(lab.server, SysCall::Socket { domain: Domain::Inet6, protocol: Protocol::Tcp });
    assert_eq!(r, Errno::EAFNOSUPPORT);
}

#[test]
fn calls_on_a_closed_descriptor_are_ebadf() {
    let mut lab = Lab::new(1);
    let s = lab.socket(lab.server, Protocol::Tcp);
    lab.ok(lab.server, SysCall::Close { fd: s });
    for call in [
        bind(s, SERVER_IP, 80),
        SysCall::Listen { fd: s, backlog: 1 },
        SysCall::Accept { fd: s },
        connect(s, SERVER_IP, 80),
        send(s, b"x"),
        recv(s, 1),
        SysCall::Close { fd: s },
        SysCall::Shutdown { fd: s, how: Shutdown::Both },
    ] {
        assert_eq!(lab.err(lab.server, call), Errno::EBADF);
    }
}

#[test]
fn a_port_is_unique_per_host_and_protocol() {
    // bind(2) EADDRINUSE; TCP and UDP have separate port spaces (inet_csk_get_port
    // vs udp_lib_get_port use per-protocol hash tables).
    let mut lab = Lab::new(1);
    let t1 = lab.socket(lab.server, Protocol::Tcp);
    let t2 = lab.socket(lab.server, Protocol::Tcp);
    let u1 = lab.socket(lab.server, Protocol::Udp);
    lab.ok(lab.server, bind(t1, SERVER_IP, 80));
    lab.ok(lab.server, bind(u1, SERVER_IP, 80));
    assert_eq!(lab.err(lab.server, bind(t2, SERVER_IP, 80)), Errno::EADDRINUSE);
    // The wildcard overlaps every address.
    assert_eq!(lab.err(lab.server, bind(t2, Ipv4Addr::UNSPECIFIED, 80)), Errno::EADDRINUSE);
    // Another host may use the same port.
    let c = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, bind(c, CLIENT_IP, 80));
}

#[test]
fn bind_twice_is_einval_and_foreign_address_is_eaddrnotavail() {
    // bind(2): EINVAL "The socket is already bound to an address."
    // EADDRNOTAVAIL "A nonexistent interface was requested or the requested address was not local."
    let mut lab = Lab::new(1);
    let s = lab.socket(lab.server, Protocol::Tcp);
    assert_eq!(lab.err(lab.server, bind(s, CLIENT_IP, 80)), Errno::EADDRNOTAVAIL);
    assert_eq!(lab.err(lab.server, bind(s, Ipv4Addr::new(8, 8, 8, 8), 80)), Errno::EADDRNOTAVAIL);
    lab.ok(lab.server, bind(s, Ipv4Addr::LOCALHOST, 80));
    assert_eq!(lab.err(lab.server, bind(s, SERVER_IP, 81)), Errno::EINVAL);
}

#[test]
fn bind_port_zero_picks_an_ephemeral_port() {
    // ip(7): "If the port is 0, an ephemeral port is chosen" from ip_local_port_range 32768–60999.
    let mut lab = Lab::new(3);
    let s = lab.socket(lab.server, Protocol::Udp);
    lab.ok(lab.server, bind(s, SERVER_IP, 0));
    let sid = lab.world.socket_by_fd(lab.server, s).unwrap();
    let port = lab.world.socket_view(sid).local.unwrap().port();
    assert!(addr::EPHEMERAL_PORTS.contains(&port), "{port}");
}

#[test]
fn so_reuseaddr_lets_two_sockets_bind_unless_one_listens() {
    // inet_bind_conflict: no conflict when both sockets set SO_REUSEADDR and the
    // existing one is not in LISTEN; listen() re-checks and fails with EADDRINUSE.
    let mut lab = Lab::new(1);
    let a = lab.socket(lab.server, Protocol::Tcp);
    let b = lab.socket(lab.server, Protocol::Tcp);
    for fd in [a, b] {
        lab.ok(lab.server, SysCall::SetSockOpt { fd, opt: SockOpt::ReuseAddr(true) });
    }
    lab.ok(lab.server, bind(a, SERVER_IP, 80));
    lab.ok(lab.server, bind(b, SERVER_IP, 80));
    lab.ok(lab.server, SysCall::Listen { fd: a, backlog: 1 });
    assert_eq!(lab.err(lab.server, SysCall::Listen { fd: b, backlog: 1 }), Errno::EADDRINUSE);
    let c = lab.socket(lab.server, Protocol::Tcp);
    lab.ok(lab.server, SysCall::SetSockOpt { fd: c, opt: SockOpt::ReuseAddr(true) });
    assert_eq!(lab.err(lab.server, bind(c, SERVER_IP, 80)), Errno::EADDRINUSE, "a listener blocks even SO_REUSEADDR");
}

#[test]
fn listen_without_bind_picks_an_ephemeral_port_and_udp_cannot_listen() {
    // listen(2): "If the socket is unbound, it is bound to an ephemeral port" (inet_autobind);
    // EOPNOTSUPP "The socket is not of a type that supports the listen() operation."
    let mut lab = Lab::new(1);
    let t = lab.socket(lab.server, Protocol::Tcp);
    lab.ok(lab.server, SysCall::Listen { fd: t, backlog: 5 });
    let v = lab.world.socket_view(lab.world.socket_by_fd(lab.server, t).unwrap());
    assert!(addr::EPHEMERAL_PORTS.contains(&v.local.unwrap().port()));
    assert_eq!(v.state, Some(TcpState::Listen));
    let u = lab.socket(lab.server, Protocol::Udp);
    assert_eq!(lab.err(lab.server, SysCall::Listen { fd: u, backlog: 5 }), Errno::EOPNOTSUPP);
    assert_eq!(lab.err(lab.server, SysCall::Accept { fd: u }), Errno::EOPNOTSUPP);
}

#[test]
fn accept_on_a_non_listening_socket_is_einval() {
    // accept(2): EINVAL "Socket is not listening for connections".
    let mut lab = Lab::new(1);
    let t = lab.socket(lab.server, Protocol::Tcp);
    assert_eq!(lab.err(lab.server, SysCall::Accept { fd: t }), Errno::EINVAL);
}

#[test]
fn nonblocking_calls_say_eagain_and_einprogress() {
    // accept(2)/recv(2): EAGAIN on a non-blocking socket with nothing ready;
    // connect(2): EINPROGRESS "The socket is nonblocking and the connection cannot be completed immediately."
    let mut lab = Lab::new(1);
    let l = lab.listener(80, 5);
    lab.ok(lab.server, SysCall::SetSockOpt { fd: l, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.server, SysCall::Accept { fd: l }), Errno::EAGAIN);
    let c = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
    // A second connect while the handshake runs: EALREADY.
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EALREADY);
    assert_eq!(lab.err(lab.client, recv(c, 10)), Errno::EAGAIN);
    lab.run();
    // __inet_stream_connect: the socket stays SS_CONNECTING until a connect()
    // collects the finished handshake; only the one after it says EISCONN.
    assert_eq!(lab.ok(lab.client, connect(c, SERVER_IP, 80)), CallValue::Zero);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EISCONN);
    let accepted = lab.ok(lab.server, SysCall::Accept { fd: l });
    assert!(matches!(accepted, CallValue::Accepted { fd: 4, .. }), "{accepted:?}");
}

#[test]
fn connect_on_listener_and_twice_is_eisconn() {
    // __inet_stream_connect: a socket not in TCP_CLOSE gives EISCONN.
    let mut lab = Lab::new(1);
    let (c, _) = lab.connected_pair(80);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EISCONN);
    let l2 = lab.socket(lab.server, Protocol::Tcp);
    lab.ok(lab.server, SysCall::Listen { fd: l2, backlog: 1 });
    assert_eq!(lab.err(lab.server, connect(l2, CLIENT_IP, 80)), Errno::EISCONN);
}

#[test]
fn connect_to_a_closed_port_is_refused_by_rst() {
    // tcp_reset in SYN-SENT: ECONNREFUSED.
    let mut lab = Lab::new(1);
    let c = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 9)), CallOutcome::Blocked);
    lab.run();
    assert_eq!(lab.returned_last(lab.client), Some(Err(Errno::ECONNREFUSED)));
    assert_eq!(lab.segments(), vec!["client>[S]", "server>[R.]"]);
    // The socket can try again.
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 9)), CallOutcome::Blocked);
}

fn nonblocking_socket(lab: &mut Lab) -> Fd {
    let c = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(true) });
    c
}

#[test]
fn a_refused_nonblocking_connect_reports_its_error_once_then_connects_anew() {
    // __inet_stream_connect, SS_CONNECTING with the connection in TCP_CLOSE:
    // sock_error() (ECONNREFUSED) once, and the socket is SS_UNCONNECTED again,
    // so the next connect() sends a new SYN (observed on Linux 6.18).
    let mut lab = Lab::new(1);
    let c = nonblocking_socket(&mut lab);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::EINPROGRESS);
    lab.run();
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::ECONNREFUSED);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::EINPROGRESS);
    lab.run();
    assert_eq!(lab.segments(), vec!["client>[S]", "server>[R.]", "client>[S]", "server>[R.]"]);
}

#[test]
fn a_nonblocking_connect_whose_error_was_read_elsewhere_collects_econnaborted() {
    // sock_error() finds nothing left (here recv() took it): -ECONNABORTED, as
    // Linux 6.18 answers after SO_ERROR read the ECONNREFUSED.
    let mut lab = Lab::new(1);
    let c = nonblocking_socket(&mut lab);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::EINPROGRESS);
    lab.run();
    assert_eq!(lab.err(lab.client, recv(c, 1)), Errno::ECONNREFUSED);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::ECONNABORTED);
}

#[test]
fn a_connection_reset_before_connect_collected_it_reports_econnreset() {
    let mut lab = Lab::new(1);
    let l = lab.listener(80, 5);
    let c = nonblocking_socket(&mut lab);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
    lab.run();
    let CallValue::Accepted { fd: a, .. } = lab.ok(lab.server, SysCall::Accept { fd: l }) else { panic!() };
    // The server closes with unread data: a RST (tcp_disconnect's active reset).
    lab.ok(lab.client, send(c, b"x"));
    lab.run();
    lab.ok(lab.server, SysCall::Close { fd: a });
    lab.run();
    assert_eq!(lab.state(lab.client, c), Some(TcpState::Closed));
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::ECONNRESET);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
}

#[test]
fn connect_after_a_collected_connection_ended_is_eisconn() {
    // Once connect() returned 0 the socket is SS_CONNECTED for good: a reset
    // connection does not make it connectable again (Linux 6.18: EISCONN).
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    lab.ok(lab.client, send(c, b"x"));
    lab.run();
    lab.ok(lab.server, SysCall::Close { fd: a });
    lab.run();
    assert_eq!(lab.state(lab.client, c), Some(TcpState::Closed));
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EISCONN);
}

#[test]
fn a_blocking_connect_on_a_pending_nonblocking_one_waits_and_collects_it() {
    // SS_CONNECTING with a timeout: EALREADY is not returned; the call waits
    // for the handshake and reports it (Linux 6.18: 0).
    let mut lab = Lab::new(1);
    lab.listener(80, 5);
    let c = nonblocking_socket(&mut lab);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(false) });
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run();
    assert_eq!(lab.returned_last(lab.client), Some(Ok(CallValue::Zero)));
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EISCONN);
}

#[test]
fn connect_without_a_route_is_enetunreach() {
    // connect(2): ENETUNREACH "Network is unreachable" (no route to the destination).
    let mut lab = Lab::new(1);
    let c = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.err(lab.client, connect(c, Ipv4Addr::new(192, 0, 2, 1), 80)), Errno::ENETUNREACH);
}

#[test]
fn send_and_recv_on_unconnected_tcp() {
    // tcp_sendmsg -> sk_stream_wait_connect returns EPIPE outside SYN-SENT/SYN-RECV;
    // tcp_recvmsg on a never-connected socket: ENOTCONN.
    let mut lab = Lab::new(1);
    let s = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.err(lab.client, send(s, b"x")), Errno::EPIPE);
    assert_eq!(lab.err(lab.client, recv(s, 1)), Errno::ENOTCONN);
    assert_eq!(lab.err(lab.client, SysCall::Shutdown { fd: s, how: Shutdown::Write }), Errno::ENOTCONN);
}

#[test]
fn send_after_shutdown_write_is_epipe() {
    // send(2): EPIPE "The local end has been shut down on a connection oriented socket."
    let mut lab = Lab::new(1);
    let (c, _a) = lab.connected_pair(80);
    lab.ok(lab.client, SysCall::Shutdown { fd: c, how: Shutdown::Write });
    assert_eq!(lab.err(lab.client, send(c, b"x")), Errno::EPIPE);
}

#[test]
fn a_blocking_udp_recv_shut_for_reading_reads_end_of_stream_even_unconnected() {
    // inet_shutdown records SHUT_RD on an unconnected socket after its
    // ENOTCONN; a read that would wait then returns 0
    // (__skb_wait_for_more_packets: RCV_SHUTDOWN), a non-blocking one is
    // EAGAIN (it never waits). The model blocked forever. (`socklab diff`
    // cannot compare this: its driver makes a blocking call of non-blocking
    // tries, see tests/calls/shutdown_before_connect.sock for the rest.)
    let mut lab = Lab::new(1);
    let u = lab.socket(lab.client, Protocol::Udp);
    lab.ok(lab.client, bind(u, CLIENT_IP, 5000));
    assert_eq!(lab.err(lab.client, SysCall::Shutdown { fd: u, how: Shutdown::Read }), Errno::ENOTCONN);
    assert_eq!(lab.ok(lab.client, recv(u, 10)), CallValue::Data(Arc::from(&b""[..])));
    lab.ok(lab.client, SysCall::SetSockOpt { fd: u, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.client, recv(u, 10)), Errno::EAGAIN);
}

#[test]
fn a_socket_bound_to_loopback_reaches_its_own_host_and_no_other() {
    // __mkroute_output: a 127.x source may only leave by the loopback
    // device, so connect() and sendto() toward another host are EINVAL.
    // The model sent a SYN and a datagram from 127.0.0.1 over the link.
    // (`socklab diff` cannot compare this: on its single kernel every
    // script address is on lo.)
    let mut lab = Lab::new(1);
    let loopback = Ipv4Addr::new(127, 0, 0, 1);
    let c = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, bind(c, loopback, 0));
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINVAL);
    let u = lab.socket(lab.client, Protocol::Udp);
    lab.ok(lab.client, bind(u, loopback, 0));
    let to = |ip| Some(SocketAddrV4::new(ip, 9));
    let sendto = |ip| SysCall::SendTo { fd: u, data: Arc::from(&b"x"[..]), addr: to(ip) };
    assert_eq!(lab.err(lab.client, sendto(SERVER_IP)), Errno::EINVAL);
    assert_eq!(lab.err(lab.client, SysCall::Connect { fd: u, addr: SocketAddrV4::new(SERVER_IP, 9) }), Errno::EINVAL);
    assert!(lab.segments().is_empty(), "nothing left the host: {:?}", lab.segments());
    // Its own host it reaches, by any of its addresses.
    assert_eq!(lab.ok(lab.client, sendto(loopback)), CallValue::Sent(1));
    assert_eq!(lab.ok(lab.client, sendto(CLIENT_IP)), CallValue::Sent(1));
}

#[test]
fn blocking_recv_waits_and_is_traced_as_blocked() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    assert_eq!(lab.call(lab.server, recv(a, 100)), CallOutcome::Blocked);
    assert_eq!(lab.world.blocked_calls().len(), 1);
    lab.ok(lab.client, send(c, b"ping"));
    lab.run();
    let ret = lab.trace.iter().rev().find_map(|e| match &e.kind {
        TraceKind::Return { result, blocked, .. } => Some((result.clone(), *blocked)),
        _ => None,
    });
    assert_eq!(ret, Some((Ok(CallValue::Data(Arc::from(&b"ping"[..]))), true)));
    assert!(lab.world.blocked_calls().is_empty());
}

#[test]
fn accept_returns_a_new_socket_while_the_listener_keeps_listening() {
    let mut lab = Lab::new(1);
    let l = lab.listener(80, 5);
    let c1 = lab.socket(lab.client, Protocol::Tcp);
    let c2 = lab.socket(lab.client, Protocol::Tcp);
    lab.call(lab.client, connect(c1, SERVER_IP, 80));
    lab.call(lab.client, connect(c2, SERVER_IP, 80));
    lab.run();
    let a1 = lab.ok(lab.server, SysCall::Accept { fd: l });
    let a2 = lab.ok(lab.server, SysCall::Accept { fd: l });
    let (CallValue::Accepted { fd: f1, peer: p1 }, CallValue::Accepted { fd: f2, peer: p2 }) = (a1, a2) else {
        panic!()
    };
    assert_eq!((f1, f2), (4, 5));
    assert_ne!(p1.port(), p2.port());
    assert_eq!(lab.state(lab.server, l), Some(TcpState::Listen));
    assert_eq!(lab.state(lab.server, f1), Some(TcpState::Established));
}

#[test]
fn close_with_unread_data_sends_rst_and_peer_sees_econnreset_then_epipe() {
    // tcp_close: "As outlined in RFC 2525, section 2.17, we send a RST here because
    // data was lost." The peer's next call gets ECONNRESET (sk_err), later EPIPE.
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    lab.ok(lab.client, send(c, b"unread"));
    lab.run();
    lab.ok(lab.server, SysCall::Close { fd: a });
    lab.run();
    assert_eq!(lab.segments().last().map(String::as_str), Some("server>[R.]"));
    assert_eq!(lab.err(lab.client, send(c, b"more")), Errno::ECONNRESET);
    assert_eq!(lab.err(lab.client, send(c, b"more")), Errno::EPIPE);
    assert_eq!(data(&lab.ok(lab.client, recv(c, 10))), b"");
}

#[test]
fn too_many_descriptors_is_emfile() {
    // RLIMIT_NOFILE 1024: descriptors 0..1023, three taken by stdio.
    let mut lab = Lab::new(1);
    for _ in 3..1024 {
        lab.socket(lab.server, Protocol::Udp);
    }
    let r = lab.err(lab.server, SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Udp });
    assert_eq!(r, Errno::EMFILE);
}

/// Every port of `ip_local_port_range` (28,232 by Linux's default).
fn ephemeral_count() -> usize {
    usize::from(*addr::EPHEMERAL_PORTS.end() - *addr::EPHEMERAL_PORTS.start()) + 1
}

fn local_port(lab: &Lab, host: HostId, fd: Fd) -> u16 {
    let sid = lab.world.socket_by_fd(host, fd).unwrap();
    lab.world.socket_view(sid).local.expect("bound").port()
}

/// Binds `count` new sockets of `protocol` on `host` to `ip:0`; their ports and fds.
fn bind_ephemeral(lab: &mut Lab, host: HostId, protocol: Protocol, ip: Ipv4Addr, count: usize) -> Vec<(u16, Fd)> {
    (0..count)
        .map(|_| {
            let s = lab.socket(host, protocol);
            lab.ok(host, bind(s, ip, 0));
            (local_port(lab, host, s), s)
        })
        .collect()
}

#[test]
fn bind_port_zero_past_the_ephemeral_range_is_eaddrinuse() {
    // __inet_bind: when inet_csk_get_port finds no port for port 0, bind says
    // EADDRINUSE; listen()'s autobind (inet_csk_listen_start) says the same, and
    // only connect() (__inet_hash_connect) says EADDRNOTAVAIL. The search skips a
    // port only where a holder's address overlaps (inet_csk_bind_conflict), so
    // another address of the host still has every port.
    let mut lab = Lab::new(1);
    let n = ephemeral_count();
    lab.world.set_fd_limit(lab.server, n + 100).unwrap();
    let server = lab.server;
    let held = bind_ephemeral(&mut lab, server, Protocol::Tcp, SERVER_IP, n);
    let ports: std::collections::BTreeSet<u16> = held.iter().map(|&(p, _)| p).collect();
    assert_eq!(ports.len(), n, "every bind(0) got its own port");
    assert!(ports.iter().all(|p| addr::EPHEMERAL_PORTS.contains(p)));
    let s = lab.socket(lab.server, Protocol::Tcp);
    assert_eq!(lab.err(lab.server, bind(s, SERVER_IP, 0)), Errno::EADDRINUSE);
    assert_eq!(lab.err(lab.server, bind(s, Ipv4Addr::UNSPECIFIED, 0)), Errno::EADDRINUSE);
    let t = lab.socket(lab.server, Protocol::Tcp);
    assert_eq!(lab.err(lab.server, SysCall::Listen { fd: t, backlog: 1 }), Errno::EADDRINUSE);
    assert_eq!(lab.err(lab.server, connect(t, CLIENT_IP, 80)), Errno::EADDRNOTAVAIL);
    lab.ok(lab.server, bind(s, Ipv4Addr::LOCALHOST, 0));
    assert!(addr::EPHEMERAL_PORTS.contains(&local_port(&lab, lab.server, s)));
    // UDP has its own ports.
    let u = lab.socket(lab.server, Protocol::Udp);
    lab.ok(lab.server, bind(u, SERVER_IP, 0));
    // A port given back is found again.
    let (port, fd) = held[n / 2];
    lab.ok(lab.server, SysCall::Close { fd });
    lab.ok(lab.server, bind(t, SERVER_IP, 0));
    assert_eq!(local_port(&lab, lab.server, t), port);
}

#[test]
fn connect_runs_out_of_ports_per_destination_not_per_host() {
    // __inet_hash_connect: a port that connect() chose may be chosen again by
    // another connect() while the four-tuple differs (check_established); a port
    // that bind() holds is never shared. So the range is used up for one
    // destination (EADDRNOTAVAIL) and still open toward another, and bind(port 0)
    // still finds every port on an address no connection uses.
    let mut lab = Lab::new(1);
    let n = ephemeral_count();
    lab.world.set_fd_limit(lab.client, n + 100).unwrap();
    let nonblocking = |lab: &mut Lab| {
        let c = lab.socket(lab.client, Protocol::Tcp);
        lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(true) });
        c
    };
    let mut to_80 = std::collections::BTreeMap::new();
    for _ in 0..n {
        let c = nonblocking(&mut lab);
        assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
        to_80.insert(local_port(&lab, lab.client, c), c);
    }
    assert_eq!(to_80.len(), n, "toward one destination every connection has its own port");
    let c = nonblocking(&mut lab);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EADDRNOTAVAIL);
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 81)), Errno::EINPROGRESS);
    let shared = local_port(&lab, lab.client, c);
    assert!(to_80.contains_key(&shared), "a port shared with a connection to :80");
    let s = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.err(lab.client, bind(s, Ipv4Addr::UNSPECIFIED, 0)), Errno::EADDRINUSE);
    assert_eq!(lab.err(lab.client, SysCall::Listen { fd: s, backlog: 1 }), Errno::EADDRINUSE);
    lab.ok(lab.client, bind(s, Ipv4Addr::LOCALHOST, 0));
    // Two connections on one port, told apart by their peers.
    lab.world.check_invariants().expect("invariants hold");
    // The connection to :80 on the shared port ends: the port stays held (by the
    // one to :81), but toward :80 it is open again, and it is the only one.
    let d = nonblocking(&mut lab);
    assert_eq!(lab.err(lab.client, connect(d, SERVER_IP, 80)), Errno::EADDRNOTAVAIL);
    lab.ok(lab.client, SysCall::Close { fd: to_80[&shared] });
    assert_eq!(lab.err(lab.client, connect(d, SERVER_IP, 80)), Errno::EINPROGRESS);
    assert_eq!(local_port(&lab, lab.client, d), shared);
    let e = nonblocking(&mut lab);
    assert_eq!(lab.err(lab.client, connect(e, SERVER_IP, 80)), Errno::EADDRNOTAVAIL);
    lab.world.check_invariants().expect("invariants hold");
}

#[test]
fn udp_autobind_past_the_ephemeral_range_is_eagain() {
    // inet_autobind: when udp_lib_get_port finds no port for a socket that sendto()
    // or connect() must bind first, the call fails with EAGAIN (inet_send_prepare,
    // inet_dgram_connect), where bind(port 0) says EADDRINUSE.
    let mut lab = Lab::new(1);
    let n = ephemeral_count();
    lab.world.set_fd_limit(lab.client, n + 100).unwrap();
    let client = lab.client;
    bind_ephemeral(&mut lab, client, Protocol::Udp, Ipv4Addr::UNSPECIFIED, n);
    let u = lab.socket(lab.client, Protocol::Udp);
    let to = SocketAddrV4::new(SERVER_IP, 53);
    let sendto = SysCall::SendTo { fd: u, data: Arc::from(&b"x"[..]), addr: Some(to) };
    assert_eq!(lab.err(lab.client, sendto), Errno::EAGAIN);
    assert_eq!(lab.err(lab.client, SysCall::Connect { fd: u, addr: to }), Errno::EAGAIN);
    assert_eq!(lab.err(lab.client, bind(u, CLIENT_IP, 0)), Errno::EADDRINUSE);
    // TCP has its own ports.
    let t = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, bind(t, CLIENT_IP, 0));
}

// ----- getsockname, getpeername, SO_ERROR, SO_LINGER, MSG_PEEK/MSG_TRUNC, AF_UNSPEC -----

fn name(v: CallValue) -> SocketAddrV4 {
    match v {
        CallValue::Name(a) => a,
        v => panic!("{v:?}"),
    }
}

/// Every TCP segment sent so far: (host name, segment).
fn tcp_sent(lab: &Lab) -> Vec<(String, socklab::net::tcp::segment::TcpSegment)> {
    lab.trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { host, packet, .. } => match &packet.body {
                socklab::net::packet::Body::Tcp(s) => Some((lab.world.host_name(*host).to_string(), s.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn getsockname_and_getpeername_name_the_two_ends_as_inet_getname_does() {
    let mut lab = Lab::new(1);
    let l = lab.listener(80, 5);
    // A listener has its address and no peer (inet_getname: !inet_dport).
    assert_eq!(name(lab.ok(lab.server, SysCall::GetSockName { fd: l })), SocketAddrV4::new(SERVER_IP, 80));
    assert_eq!(lab.err(lab.server, SysCall::GetPeerName { fd: l }), Errno::ENOTCONN);
    let c = lab.socket(lab.client, Protocol::Tcp);
    // Before any bind: 0.0.0.0:0.
    assert_eq!(name(lab.ok(lab.client, SysCall::GetSockName { fd: c })), SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0));
    assert_eq!(lab.err(lab.client, SysCall::GetPeerName { fd: c }), Errno::ENOTCONN);
    // While the SYN is unanswered there is a source but no peer yet (TCPF_SYN_SENT).
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 80)), Errno::EINPROGRESS);
    let mine = name(lab.ok(lab.client, SysCall::GetSockName { fd: c }));
    assert_eq!(*mine.ip(), CLIENT_IP);
    assert!((32768..=60999).contains(&mine.port()), "an ephemeral port: {mine}");
    assert_eq!(lab.err(lab.client, SysCall::GetPeerName { fd: c }), Errno::ENOTCONN);
    lab.run();
    assert_eq!(name(lab.ok(lab.client, SysCall::GetPeerName { fd: c })), SocketAddrV4::new(SERVER_IP, 80));
    let a = match lab.ok(lab.server, SysCall::Accept { fd: l }) {
        CallValue::Accepted { fd, .. } => fd,
        v => panic!("{v:?}"),
    };
    assert_eq!(name(lab.ok(lab.server, SysCall::GetSockName { fd: a })), SocketAddrV4::new(SERVER_IP, 80));
    assert_eq!(name(lab.ok(lab.server, SysCall::GetPeerName { fd: a })), mine);
}

#[test]
fn a_refused_connect_keeps_its_name_and_so_error_reads_the_error_once() {
    let mut lab = Lab::new(1);
    let c = lab.socket(lab.client, Protocol::Tcp);
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::NonBlocking(true) });
    assert_eq!(lab.err(lab.client, connect(c, SERVER_IP, 9)), Errno::EINPROGRESS);
    let before = name(lab.ok(lab.client, SysCall::GetSockName { fd: c }));
    lab.run();
    // sock_error: read and clear.
    assert_eq!(lab.ok(lab.client, SysCall::GetSockError { fd: c }), CallValue::SockError(Some(Errno::ECONNREFUSED)));
    assert_eq!(lab.ok(lab.client, SysCall::GetSockError { fd: c }), CallValue::SockError(None));
    // Linux 6.18 still names the address the connect used; no peer.
    assert_eq!(name(lab.ok(lab.client, SysCall::GetSockName { fd: c })), before);
    assert_eq!(lab.err(lab.client, SysCall::GetPeerName { fd: c }), Errno::ENOTCONN);
}

#[test]
fn close_with_so_linger_zero_resets_instead_of_closing() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    lab.ok(lab.client, send(c, b"abc"));
    lab.run_for(100_000);
    assert_eq!(data(&lab.ok(lab.server, recv(a, 10))), b"abc");
    let before = tcp_sent(&lab).len();
    let last_from_client = tcp_sent(&lab).iter().rev().find(|(h, _)| h == "client").map(|(_, s)| s.clone()).unwrap();
    let last_from_server = tcp_sent(&lab).iter().rev().find(|(h, _)| h == "server").map(|(_, s)| s.clone()).unwrap();
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::Linger { on: true, secs: 0 } });
    lab.ok(lab.client, SysCall::Close { fd: c });
    lab.run();
    let after: Vec<_> = tcp_sent(&lab).split_off(before);
    // tcp_disconnect → tcp_send_active_reset: one RST carrying ACK, at the next
    // sequence number (after the 3 bytes), acknowledging all the server sent; no FIN.
    assert_eq!(after.len(), 1, "{after:?}");
    let (host, rst) = &after[0];
    assert_eq!(host, "client");
    assert_eq!(rst.flags.tcpdump(), "R.");
    assert_eq!(rst.seq, last_from_client.seq.wrapping_add(3));
    assert_eq!(rst.ack, last_from_server.seq);
    assert!(rst.payload.is_empty());
    // No TIME-WAIT anywhere: the client's socket is gone at once.
    assert!(!lab.trace.iter().any(|e| matches!(e.kind, TraceKind::State { to: TcpState::TimeWait, .. })));
    assert_eq!(lab.err(lab.server, recv(a, 10)), Errno::ECONNRESET);
    // {0, N} is an ordinary close again: FIN, not RST.
    let mut lab = Lab::new(1);
    let (c, _) = lab.connected_pair(80);
    lab.ok(lab.client, SysCall::SetSockOpt { fd: c, opt: SockOpt::Linger { on: false, secs: 5 } });
    lab.ok(lab.client, SysCall::Close { fd: c });
    lab.run_for(100_000);
    assert_eq!(lab.segments().iter().filter(|s| s.starts_with("client>[F")).count(), 1, "{:?}", lab.segments());
}

#[test]
fn connect_af_unspec_on_tcp_resets_the_connection_and_lets_it_connect_again() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    let before = tcp_sent(&lab).len();
    let port = name(lab.ok(lab.client, SysCall::GetSockName { fd: c })).port();
    assert_eq!(lab.ok(lab.client, SysCall::Disconnect { fd: c }), CallValue::Zero);
    let after: Vec<_> = tcp_sent(&lab).split_off(before);
    assert_eq!(after.iter().map(|(h, s)| format!("{h}>[{}]", s.flags.tcpdump())).collect::<Vec<_>>(), ["client>[R.]"]);
    assert_eq!(lab.state(lab.client, c), Some(TcpState::Closed));
    // tcp_disconnect leaves ECONNRESET for SO_ERROR, and inet_reset_saddr the address.
    assert_eq!(lab.ok(lab.client, SysCall::GetSockError { fd: c }), CallValue::SockError(Some(Errno::ECONNRESET)));
    assert_eq!(
        name(lab.ok(lab.client, SysCall::GetSockName { fd: c })),
        SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)
    );
    assert_eq!(lab.err(lab.client, SysCall::GetPeerName { fd: c }), Errno::ENOTCONN);
    lab.run_for(100_000);
    assert_eq!(lab.err(lab.server, recv(a, 10)), Errno::ECONNRESET);
    // The same socket connects again (the listener is still there).
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run_for(100_000);
    assert_eq!(lab.returned_last(lab.client), Some(Ok(CallValue::Zero)));
}

#[test]
fn connect_af_unspec_on_a_listener_stops_it_listening_but_keeps_its_port() {
    let mut lab = Lab::new(1);
    let l = lab.listener(80, 5);
    assert_eq!(lab.ok(lab.server, SysCall::Disconnect { fd: l }), CallValue::Zero);
    assert_eq!(lab.state(lab.server, l), Some(TcpState::Closed));
    assert_eq!(name(lab.ok(lab.server, SysCall::GetSockName { fd: l })), SocketAddrV4::new(SERVER_IP, 80));
    let c = lab.socket(lab.client, Protocol::Tcp);
    assert_eq!(lab.call(lab.client, connect(c, SERVER_IP, 80)), CallOutcome::Blocked);
    lab.run_for(100_000);
    assert_eq!(lab.returned_last(lab.client), Some(Err(Errno::ECONNREFUSED)));
}

#[test]
fn msg_peek_leaves_tcp_bytes_queued_and_msg_trunc_discards_them() {
    let mut lab = Lab::new(1);
    let (c, a) = lab.connected_pair(80);
    let peek = |len| SysCall::RecvFlags { fd: a, len, flags: MsgFlags { peek: true, trunc: false }, from: false };
    let trunc = |len| SysCall::RecvFlags { fd: a, len, flags: MsgFlags { peek: false, trunc: true }, from: false };
    // With nothing there a peek waits like recv, and wakes up still peeking.
    assert_eq!(lab.call(lab.server, peek(5)), CallOutcome::Blocked);
    lab.ok(lab.client, send(c, b"hello world"));
    lab.run_for(100_000);
    assert_eq!(lab.returned_last(lab.server).map(|r| r.map(|v| data(&v))), Some(Ok(b"hello".to_vec())));
    assert_eq!(data(&lab.ok(lab.server, peek(5))), b"hello");
    // MSG_PEEK|MSG_TRUNC: the count, nothing copied, nothing taken.
    let both = SysCall::RecvFlags { fd: a, len: 4, flags: MsgFlags { peek: true, trunc: true }, from: false };
    assert_eq!(lab.ok(lab.server, both).as_int(), 4);
    // tcp_recvmsg_locked with MSG_TRUNC: consumed, not copied.
    assert_eq!(lab.ok(lab.server, trunc(3)), CallValue::Length { len: 3, data: Arc::from(&b""[..]), from: None });
    assert_eq!(data(&lab.ok(lab.server, recv(a, 100))), b"lo world");
}
