//! What each fuzz target does with its input, shared by the fuzzers (fuzz/,
//! through `#[path]`) and by tests/fuzz_regressions.rs, which replays crashers.
//! Every function panics exactly when its target should report a crash.

use socklab::net::PacketId;

/// Parsing yields a packet or an error; a packet that parses and serializes
/// (some parsed fields, such as an ICMP quote's length, may not fit a packet we
/// build: that is a typed error) parses back to itself.
pub fn packet_bytes(data: &[u8]) {
    if let Ok(packet) = socklab::wire::from_bytes(data, PacketId(0)) {
        if let Ok(bytes) = socklab::wire::to_bytes(&packet) {
            assert_eq!(socklab::wire::from_bytes(&bytes, PacketId(0)).expect("our own bytes parse"), packet);
        }
    }
}

/// Any text: decoding a URL fragment gives a shared state or an error, and a
/// state that decodes encodes to a fragment that decodes back to itself.
pub fn url_fragment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(Some(shared)) = socklab::lesson::share::decode(&text) {
        let again = socklab::lesson::share::encode(&shared);
        // A position that could not be read is left out, said once, and not
        // written back: the state re-encoded is the rest of it.
        let expected = socklab::lesson::share::Shared { bad_position: None, ..shared };
        assert_eq!(socklab::lesson::share::decode(&again), Ok(Some(expected)), "re-encoded as {again}");
    }
}

pub fn script_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(script) = socklab::script::parse(&text) {
        let options = socklab::script::RunOptions {
            pending_bound_us: 5_000_000,
            idle_bound_us: 10_000_000,
            max_events: 20_000,
            ..Default::default()
        };
        let _ = socklab::script::run(&script, &options);
    }
}

/// In world_commands, an op byte from here up changes a setting instead of
/// making a call (below it, `op % 14` picks a call or a wait, as it always has,
/// so the recorded crashers keep their meaning).
const SETTINGS_OPS: u8 = 224;

/// Changes one TCP setting (ops 224..=239) or one link setting (240..=255) of
/// the world to a value from `y` and `z`. The values reach past what scripts
/// allow together (an rto_min above rto_max, a zero initial RTO, a 68-byte MTU,
/// 100% loss): the core must take any configuration without panicking.
fn change_settings(world: &mut socklab::net::World, op: u8, x: u8, y: u8, z: u8) {
    use socklab::net::*;
    let wide = u64::from(u16::from_le_bytes([y, z]));
    let ms = |v: u64| v * 1_000;
    if op < 240 {
        let c = world.tcp_config_mut();
        match op % 16 {
            0 => c.rto_min_us = ms(wide % 3_000),
            1 => c.rto_max_us = ms(wide % 3_000),
            2 => c.rto_initial_us = ms(wide % 3_000),
            3 => c.syn_retries = u32::from(z % 8),
            4 => c.synack_retries = u32::from(z % 8),
            5 => c.data_retries = u32::from(z % 16),
            6 => c.msl_us = ms(wide % 5_000),
            7 => c.fin_timeout_us = ms(wide % 5_000),
            8 => c.initial_cwnd_segments = u32::from(z),
            9 => c.delayed_ack = z % 2 == 0,
            10 => c.delayed_ack_us = ms(wide % 500),
            11 => c.nagle = z % 2 == 0,
            12 => c.send_buffer = usize::from(u16::from_le_bytes([y, z])) * 4,
            13 => c.recv_buffer = usize::from(u16::from_le_bytes([y, z])) * 4,
            14 => c.window_scaling = z % 2 == 0,
            _ => *c = socklab::net::tcp::TcpConfig::default(),
        }
        return;
    }
    let Some((link, config)) =
        world.links().nth(usize::from(x) % 2).map(|(id, l)| (id, l.dir(Direction::AtoB).config.clone()))
    else {
        return;
    };
    let percent = |v: u8| f64::from(v % 101) / 100.0;
    // Ops 240..=247 and 248..=253 pick a setting by `op % 8`, as they always
    // have; 254 and 255 (once reorder_delay and mtu again, which 246 and 247
    // still reach) set corruption and truncation.
    let config = match op {
        254 => LinkConfig { corrupt: percent(z), ..config },
        255 => LinkConfig { truncate: percent(z), ..config },
        _ => match op % 8 {
            0 => LinkConfig { latency_us: ms(u64::from(z)), ..config },
            1 => LinkConfig { jitter_us: ms(u64::from(z) % 50), ..config },
            2 => LinkConfig { bandwidth_bps: wide * 1_000, ..config },
            3 => LinkConfig { loss: percent(z), ..config },
            4 => LinkConfig { duplicate: percent(z), ..config },
            5 => LinkConfig { reorder: percent(z), ..config },
            6 => LinkConfig { reorder_delay_us: ms(u64::from(z)), ..config },
            _ => LinkConfig { mtu: 68 + (wide as u32 % 9_000), ..config },
        },
    };
    let dir = match y % 3 {
        0 => Some(Direction::AtoB),
        1 => Some(Direction::BtoA),
        _ => None,
    };
    let _ = world.change_link(link, dir, FaultChange::Configure(config));
}

/// The world_commands target's interpretation of bytes as calls and waits, with
/// a bound on events per wait: an event storm fails the test instead of eating
/// all memory as it did under the fuzzer.
pub fn world_commands(data: &[u8]) {
    use socklab::net::*;
    use std::sync::Arc;
    let addr = |b: u8, port: u8| {
        let ip = match b % 5 {
            0 => Ipv4Addr::new(10, 0, 0, 1),
            1 => Ipv4Addr::new(10, 0, 0, 2),
            2 => Ipv4Addr::LOCALHOST,
            3 => Ipv4Addr::UNSPECIFIED,
            _ => Ipv4Addr::new(10, 0, 0, 3),
        };
        SocketAddrV4::new(ip, u16::from(port % 4) * 40)
    };
    let mut world = World::new(u64::from(data.first().copied().unwrap_or(0)));
    let hosts: Vec<HostId> = [("a", [10, 0, 0, 1]), ("b", [10, 0, 0, 2]), ("c", [10, 0, 0, 3])]
        .iter()
        .filter_map(|(n, ip)| world.add_host(n, &[Ipv4Addr::from(*ip)]).ok())
        .collect();
    let lossy = LinkConfig { loss: 0.2, duplicate: 0.1, reorder: 0.1, jitter_us: 2_000, ..LinkConfig::default() };
    let _ = world.add_link(hosts[0], hosts[1], lossy);
    let _ = world.add_link(hosts[1], hosts[2], LinkConfig::default());
    let mut events = 0u64;
    for chunk in data.chunks(4) {
        let [op, x, y, z] =
            [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0), *chunk.get(3).unwrap_or(&0)];
        let host = hosts[usize::from(x) % hosts.len()];
        let fd = i32::from(y % 8);
        if op >= SETTINGS_OPS {
            change_settings(&mut world, op, x, y, z);
            world.check_invariants().expect("invariants hold");
            continue;
        }
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
                while world.step_event_by(until) {
                    events += 1;
                    world.discard_trace();
                    // A storm of events in a few simulated seconds is a bug (an ACK
                    // war), and would otherwise only show as running out of memory.
                    assert!(events < 200_000, "event storm at t={}us", world.now());
                    world.check_invariants().expect("invariants hold");
                }
                continue;
            }
        };
        let _ = world.call(host, call);
        world.check_invariants().expect("invariants hold");
        world.discard_trace();
    }
    world.run_until_idle(50_000);
    world.check_invariants().expect("invariants hold");
}
