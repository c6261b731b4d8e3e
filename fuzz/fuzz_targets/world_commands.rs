//! Any bytes, read as socket calls and waits on three hosts: the world never
//! panics, every call ends in a value or an errno, the model's invariants hold
//! after every event, and no wait turns into an event storm.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socklab::net::*;
use std::sync::Arc;

fn addr(b: u8, port: u8) -> SocketAddrV4 {
    let ip = match b % 5 {
        0 => Ipv4Addr::new(10, 0, 0, 1),
        1 => Ipv4Addr::new(10, 0, 0, 2),
        2 => Ipv4Addr::LOCALHOST,
        3 => Ipv4Addr::UNSPECIFIED,
        _ => Ipv4Addr::new(10, 0, 0, 3),
    };
    SocketAddrV4::new(ip, u16::from(port % 4) * 40)
}

fuzz_target!(|data: &[u8]| {
    let mut world = World::new(u64::from(data.first().copied().unwrap_or(0)));
    let hosts: Vec<HostId> = [(("a"), [10, 0, 0, 1]), ("b", [10, 0, 0, 2]), ("c", [10, 0, 0, 3])]
        .iter()
        .filter_map(|(n, ip)| world.add_host(n, &[Ipv4Addr::from(*ip)]).ok())
        .collect();
    let lossy = LinkConfig { loss: 0.2, duplicate: 0.1, reorder: 0.1, jitter_us: 2_000, ..LinkConfig::default() };
    let _ = world.add_link(hosts[0], hosts[1], lossy);
    let _ = world.add_link(hosts[1], hosts[2], LinkConfig::default());
    for chunk in data.chunks(4) {
        let [op, x, y, z] =
            [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)];
        let host = hosts[usize::from(x) % hosts.len()];
        let fd = i32::from(y % 8);
        let call = match op % 14 {
            0 => SysCall::Socket {
                domain: Domain::Inet,
                protocol: if z % 2 == 0 { Protocol::Tcp } else { Protocol::Udp },
            },
            1 => SysCall::Bind { fd, addr: addr(z, z >> 4) },
            2 => SysCall::Listen { fd, backlog: u32::from(z % 4) },
            3 => SysCall::Accept { fd },
            4 => SysCall::Connect { fd, addr: addr(z, z >> 4) },
            5 => SysCall::Send { fd, data: Arc::from(vec![z; usize::from(z) * 8]) },
            6 => SysCall::Recv { fd, len: usize::from(z) * 16 },
            7 => SysCall::SendTo { fd, data: Arc::from(vec![z; usize::from(z)]), addr: Some(addr(z, z >> 4)) },
            8 => SysCall::RecvFrom { fd, len: usize::from(z) },
            9 => SysCall::Shutdown { fd, how: [Shutdown::Read, Shutdown::Write, Shutdown::Both][usize::from(z % 3)] },
            10 => SysCall::Close { fd },
            11 => SysCall::SetSockOpt { fd, opt: SockOpt::NonBlocking(z % 2 == 0) },
            12 => SysCall::SetSockOpt { fd, opt: SockOpt::RcvBuf(usize::from(z) * 64) },
            _ => {
                let until = world.now() + u64::from(z) * 10_000;
                let mut events = 0u32;
                while world.next_event_time().is_some_and(|t| t <= until) {
                    world.step_event();
                    world.discard_trace();
                    events += 1;
                    // A storm of events in a few simulated seconds is a bug (an ACK
                    // war), and would otherwise only show as running out of memory.
                    assert!(events < 200_000, "event storm at t={}us", world.now());
                    if let Err(broken) = world.check_invariants() {
                        panic!("invariant broken: {broken}");
                    }
                }
                continue;
            }
        };
        let _ = world.call(host, call);
        if let Err(broken) = world.check_invariants() {
            panic!("invariant broken: {broken}");
        }
        world.discard_trace();
    }
    world.run_until_idle(50_000);
    if let Err(broken) = world.check_invariants() {
        panic!("invariant broken: {broken}");
    }
});
