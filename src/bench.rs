//! Fixed benchmark workloads, the same natively and in wasm32, so figures can be
//! held against other simulators (turmoil, smoltcp) and against each other.
//!
//! Each workload runs the full core — every packet traced and every call
//! modelled — and reports `name value unit` lines. The caller passes a clock
//! (seconds) because wasm32 has no `std::time::Instant`.

use crate::net::{
    CallId, CallOutcome, CallValue, Domain, Fd, HostId, Ipv4Addr, LinkConfig, Protocol, SockOpt, SocketAddrV4, SysCall,
    TraceEvent, TraceKind, World,
};
use std::sync::Arc;

/// One reported figure.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value >= 100.0 {
            write!(f, "{} {:.0} {}", self.name, self.value, self.unit)
        } else {
            write!(f, "{} {:.3} {}", self.name, self.value, self.unit)
        }
    }
}

/// The workload names `run` accepts.
pub const WORKLOADS: [&str; 13] = [
    "tcp_echo",
    "tcp_bulk",
    "tcp_bulk_lo",
    "tcp_bulk_loss1",
    "tcp_connections",
    "tcp_connections_concurrent",
    "tcp_connections_concurrent_10",
    "tcp_connections_concurrent_100",
    "tcp_connections_concurrent_1000",
    "tcp_connections_concurrent_10000",
    "udp_loss",
    "events",
    "trace_bytes_per_event",
];

const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

/// Drives a world through blocking calls, keeping the trace as a view would.
struct Driver {
    world: World,
    trace: Vec<TraceEvent>,
    trace_events: u64,
    trace_bytes: u64,
    /// Packets the hosts sent.
    packets: u64,
    keep_trace: bool,
}

impl Driver {
    fn new(world: World) -> Driver {
        Driver { world, trace: Vec::new(), trace_events: 0, trace_bytes: 0, packets: 0, keep_trace: false }
    }

    /// Counts one traced event: its bytes, and the packet if it is a send.
    fn count(&mut self, e: &TraceEvent) {
        self.trace_events += 1;
        self.trace_bytes += std::mem::size_of::<TraceEvent>() as u64;
        if let TraceKind::Sent { packet, .. } = &e.kind {
            self.trace_bytes += packet.payload_len() as u64;
            self.packets += 1;
        }
    }

    fn absorb(&mut self) {
        let before = self.trace.len();
        self.world.drain_trace_into(&mut self.trace);
        let trace = std::mem::take(&mut self.trace);
        for e in &trace[before..] {
            self.count(e);
        }
        self.trace = trace;
        if !self.keep_trace {
            self.trace.clear();
        }
    }

    /// Starts a call: `Ok` when it finished at once (its value, or `None` for an
    /// error such as EAGAIN), `Err(id)` when it blocked.
    fn start(&mut self, host: HostId, call: SysCall) -> Result<Option<CallValue>, CallId> {
        let outcome = self.world.call(host, call);
        let id = self.world.last_call_id().unwrap_or(CallId(0));
        self.absorb();
        match outcome {
            Ok(CallOutcome::Done(result)) => Ok(result.ok()),
            Ok(CallOutcome::Blocked) => Err(id),
            Err(_) => Ok(None),
        }
    }

    /// Runs events until the call `id` returns; its value, if it succeeded.
    fn finish(&mut self, id: CallId) -> Option<CallValue> {
        loop {
            let before = self.trace.len();
            let ran = self.world.step_event();
            self.world.drain_trace_into(&mut self.trace);
            let mut found = None;
            let trace = std::mem::take(&mut self.trace);
            for e in &trace[before..] {
                self.count(e);
                if let TraceKind::Return { call, result, .. } = &e.kind {
                    if *call == id {
                        found = Some(result.clone().ok());
                    }
                }
            }
            self.trace = trace;
            if !self.keep_trace {
                self.trace.clear();
            }
            if let Some(v) = found {
                return v;
            }
            if !ran {
                return None;
            }
        }
    }

    fn call(&mut self, host: HostId, call: SysCall) -> Option<CallValue> {
        match self.start(host, call) {
            Ok(v) => v,
            Err(id) => self.finish(id),
        }
    }

    fn socket(&mut self, host: HostId, protocol: Protocol) -> Fd {
        match self.call(host, SysCall::Socket { domain: Domain::Inet, protocol }) {
            Some(CallValue::Fd(fd)) => fd,
            _ => -1,
        }
    }

    /// A TCP connection from `client` to the server's listener `l`: (client fd, server fd).
    fn connect(&mut self, client: HostId, server: HostId, l: Fd, buffers: Option<usize>) -> (Fd, Fd) {
        let c = self.socket(client, Protocol::Tcp);
        if let Some(n) = buffers {
            self.call(client, SysCall::SetSockOpt { fd: c, opt: SockOpt::SndBuf(n) });
            self.call(client, SysCall::SetSockOpt { fd: c, opt: SockOpt::RcvBuf(n) });
        }
        let pending = self.start(client, SysCall::Connect { fd: c, addr: SocketAddrV4::new(SERVER_IP, 80) });
        let a = match self.call(server, SysCall::Accept { fd: l }) {
            Some(CallValue::Accepted { fd, .. }) => fd,
            _ => -1,
        };
        if let Err(id) = pending {
            self.finish(id);
        }
        (c, a)
    }
}

/// A world with a server (10.0.0.1) listening on port 80 and `clients` client hosts.
fn star(clients: usize, link: LinkConfig, buffers: Option<usize>) -> (Driver, HostId, Vec<HostId>, Fd) {
    let mut world = World::new(1);
    let server = world.add_host("server", &[SERVER_IP]).unwrap_or(HostId(0));
    let mut hosts = Vec::with_capacity(clients);
    for i in 0..clients {
        let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 1, 0, 0)) + i as u32);
        if let Ok(h) = world.add_host(&format!("client{i}"), &[ip]) {
            let _ = world.add_link(h, server, link.clone());
            hosts.push(h);
        }
    }
    let mut d = Driver::new(world);
    let l = d.socket(server, Protocol::Tcp);
    if let Some(n) = buffers {
        d.call(server, SysCall::SetSockOpt { fd: l, opt: SockOpt::RcvBuf(n) });
        d.call(server, SysCall::SetSockOpt { fd: l, opt: SockOpt::SndBuf(n) });
    }
    d.call(server, SysCall::Bind { fd: l, addr: SocketAddrV4::new(SERVER_IP, 80) });
    d.call(server, SysCall::Listen { fd: l, backlog: 4096 });
    (d, server, hosts, l)
}

fn zero_latency() -> LinkConfig {
    LinkConfig { latency_us: 0, ..LinkConfig::default() }
}

/// When a receiver acknowledges: as Linux does, or every segment at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acks {
    /// Quick ACKs, then delayed ACKs that ride on the echo (the default).
    Linux,
    /// `option ack immediate`: a pure ACK for every segment.
    Immediate,
}

/// `tcp_echo`: 10,000 messages of 64 bytes, each echoed, ACKed as Linux does.
/// Returns messages echoed and events run.
pub fn tcp_echo(messages: usize) -> (u64, u64) {
    let (echoed, events, _) = tcp_echo_with(messages, Acks::Linux);
    (echoed, events)
}

/// `tcp_echo` with the ACKs `acks` says. Returns messages echoed, events run
/// and packets sent (the handshake included).
pub fn tcp_echo_with(messages: usize, acks: Acks) -> (u64, u64, u64) {
    let (mut d, server, clients, l) = star(1, zero_latency(), None);
    d.world.tcp_config_mut().delayed_ack = acks == Acks::Linux;
    let (c, a) = d.connect(clients[0], server, l, None);
    let msg: Arc<[u8]> = Arc::from(&[0x42u8; 64][..]);
    let mut echoed = 0;
    for _ in 0..messages {
        d.call(clients[0], SysCall::Send { fd: c, data: msg.clone() });
        let Some(CallValue::Data(got)) = d.call(server, SysCall::Recv { fd: a, len: 64 }) else { break };
        d.call(server, SysCall::Send { fd: a, data: got });
        if let Some(CallValue::Data(back)) = d.call(clients[0], SysCall::Recv { fd: c, len: 64 }) {
            echoed += u64::from(back.len() == 64);
        }
    }
    (echoed, d.world.events_run(), d.packets)
}

/// `tcp_bulk*`: `total` bytes in 64 KiB writes. Returns bytes received.
pub fn tcp_bulk(total: usize, link: LinkConfig) -> (u64, u64) {
    let buffers = Some(4 << 20);
    let (mut d, server, clients, l) = star(1, link, buffers);
    let client = clients[0];
    let (c, a) = d.connect(client, server, l, buffers);
    let chunk: Arc<[u8]> = Arc::from(vec![0x5au8; 64 << 10]);
    let read = SysCall::Recv { fd: a, len: 1 << 20 };
    let (mut written, mut received) = (0usize, 0u64);
    let (mut send_pending, mut recv_pending) = (None, None);
    let (mut closed, mut finished) = (false, false);
    d.keep_trace = true;
    while !finished {
        // Issue calls for as long as they finish at once; remember the one that blocks.
        while recv_pending.is_none() && !finished {
            match d.start(server, read.clone()) {
                Ok(Some(CallValue::Data(got))) if got.is_empty() => finished = true,
                Ok(Some(CallValue::Data(got))) => received += got.len() as u64,
                Ok(_) => finished = true,
                Err(id) => recv_pending = Some(id),
            }
        }
        while send_pending.is_none() && written < total && !finished {
            match d.start(client, SysCall::Send { fd: c, data: chunk.clone() }) {
                Ok(Some(_)) => written += chunk.len(),
                // A failed write ends the run short; the byte count shows it.
                Ok(None) => finished = true,
                Err(id) => send_pending = Some(id),
            }
        }
        if written >= total && send_pending.is_none() && !closed {
            d.call(client, SysCall::Close { fd: c });
            closed = true;
        }
        d.trace.clear();
        if finished || !d.world.step_event() {
            break;
        }
        d.absorb();
        for e in &d.trace {
            let TraceKind::Return { call, result, .. } = &e.kind else { continue };
            if Some(*call) == send_pending {
                send_pending = None;
                written += chunk.len();
            }
            if Some(*call) == recv_pending {
                recv_pending = None;
                match result {
                    Ok(CallValue::Data(got)) if !got.is_empty() => received += got.len() as u64,
                    _ => finished = true,
                }
            }
        }
    }
    (received, d.world.events_run())
}

/// `tcp_connections`: `n` client hosts each connect, echo 64 bytes and close.
/// Returns connections completed.
pub fn tcp_connections(n: usize) -> (u64, u64) {
    let (mut d, server, clients, l) = star(n, LinkConfig { latency_us: 100, ..LinkConfig::default() }, None);
    let msg: Arc<[u8]> = Arc::from(&[7u8; 64][..]);
    let mut done = 0;
    for &client in &clients {
        let (c, a) = d.connect(client, server, l, None);
        d.call(client, SysCall::Send { fd: c, data: msg.clone() });
        if let Some(CallValue::Data(got)) = d.call(server, SysCall::Recv { fd: a, len: 64 }) {
            d.call(server, SysCall::Send { fd: a, data: got });
        }
        if let Some(CallValue::Data(back)) = d.call(client, SysCall::Recv { fd: c, len: 64 }) {
            done += u64::from(back.len() == 64);
        }
        d.call(client, SysCall::Close { fd: c });
        d.call(server, SysCall::Close { fd: a });
    }
    d.world.run_until_idle(u64::MAX);
    d.absorb();
    (done, d.world.events_run())
}

/// `tcp_connections` at once: `n` client hosts connect together, the server
/// accepts them all, each exchanges a 64-byte echo, then all close. Returns
/// connections completed. Its cost per connection must not grow with `n`.
pub fn tcp_connections_concurrent(n: usize) -> (u64, u64) {
    let (mut d, server, clients, l) = star(n, LinkConfig { latency_us: 100, ..LinkConfig::default() }, None);
    // A server holding n connections raises its descriptor limit, as it would on Linux.
    let _ = d.world.set_fd_limit(server, n + 64);
    let nonblocking = |fd| SysCall::SetSockOpt { fd, opt: SockOpt::NonBlocking(true) };
    d.call(server, nonblocking(l));
    let mut client_fds = Vec::with_capacity(n);
    for &client in &clients {
        let c = d.socket(client, Protocol::Tcp);
        let _ = d.start(client, SysCall::Connect { fd: c, addr: SocketAddrV4::new(SERVER_IP, 80) });
        client_fds.push(c);
    }
    let mut accepted = Vec::with_capacity(n);
    while accepted.len() < n {
        let t = d.world.now() + 1_000;
        d.world.run_until(t);
        d.absorb();
        while let Some(CallValue::Accepted { fd, .. }) = d.call(server, SysCall::Accept { fd: l }) {
            d.call(server, nonblocking(fd));
            accepted.push(fd);
        }
        if d.world.is_idle() && accepted.len() < n {
            break;
        }
    }
    let msg: Arc<[u8]> = Arc::from(&[9u8; 64][..]);
    for (&client, &c) in clients.iter().zip(&client_fds) {
        d.call(client, SysCall::Send { fd: c, data: msg.clone() });
    }
    d.world.run_until_idle(u64::MAX);
    d.absorb();
    for &a in &accepted {
        if let Some(CallValue::Data(got)) = d.call(server, SysCall::Recv { fd: a, len: 64 }) {
            d.call(server, SysCall::Send { fd: a, data: got });
        }
    }
    d.world.run_until_idle(u64::MAX);
    d.absorb();
    let mut done = 0;
    for (&client, &c) in clients.iter().zip(&client_fds) {
        if let Some(CallValue::Data(back)) = d.call(client, SysCall::Recv { fd: c, len: 64 }) {
            done += u64::from(back.len() == 64);
        }
        d.call(client, SysCall::Close { fd: c });
    }
    for &a in &accepted {
        d.call(server, SysCall::Close { fd: a });
    }
    d.world.run_until_idle(u64::MAX);
    d.absorb();
    (done, d.world.events_run())
}

/// `udp_loss`: `n` datagrams of 512 bytes over a 10% loss link. Returns delivered.
pub fn udp_loss(n: usize) -> (u64, u64) {
    let (mut d, server, clients, _) =
        star(1, LinkConfig { latency_us: 1_000, loss: 0.1, ..LinkConfig::default() }, None);
    let s = d.socket(server, Protocol::Udp);
    d.call(server, SysCall::Bind { fd: s, addr: SocketAddrV4::new(SERVER_IP, 9) });
    d.call(server, SysCall::SetSockOpt { fd: s, opt: SockOpt::NonBlocking(true) });
    let u = d.socket(clients[0], Protocol::Udp);
    let dgram: Arc<[u8]> = Arc::from(&[1u8; 512][..]);
    let to = Some(SocketAddrV4::new(SERVER_IP, 9));
    let mut delivered = 0;
    for i in 0..n {
        d.call(clients[0], SysCall::SendTo { fd: u, data: dgram.clone(), addr: to });
        if i % 64 == 63 || i + 1 == n {
            let t = d.world.now() + 2_000;
            d.world.run_until(t);
            d.absorb();
            while let Some(CallValue::Data(_)) = d.call(server, SysCall::Recv { fd: s, len: 512 }) {
                delivered += 1;
            }
        }
    }
    (delivered, d.world.events_run())
}

/// Average bytes the trace holds per event (event record plus payload bytes it
/// keeps alive), measured on a lossy bulk transfer.
pub fn trace_bytes_per_event() -> f64 {
    let (mut d, server, clients, l) = star(1, LinkConfig { loss: 0.01, ..zero_latency() }, None);
    let (c, a) = d.connect(clients[0], server, l, None);
    for _ in 0..200 {
        d.call(clients[0], SysCall::Send { fd: c, data: Arc::from(&[3u8; 1000][..]) });
        d.call(server, SysCall::Recv { fd: a, len: 1000 });
    }
    d.trace_bytes as f64 / d.trace_events.max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Runs the named workloads (all when `names` is empty), `runs` times each, and
/// reports medians. `scale` divides the workload sizes (1 = the fixed sizes).
pub fn run(names: &[String], runs: usize, scale: usize, clock: &dyn Fn() -> f64) -> Vec<Figure> {
    let want = |n: &str| names.is_empty() || names.iter().any(|x| x == n);
    let scale = scale.max(1);
    let mut figures = Vec::new();
    let timed = |work: &dyn Fn() -> (u64, u64)| -> (f64, u64, f64) {
        let mut rates = Vec::new();
        let mut events = Vec::new();
        let mut last = 0;
        for _ in 0..runs.max(1) {
            let t0 = clock();
            let (count, ev) = work();
            let secs = (clock() - t0).max(1e-9);
            rates.push(count as f64 / secs);
            events.push(ev as f64 / secs);
            last = count;
        }
        (median(rates), last, median(events))
    };
    let mut total_events = Vec::new();
    if want("tcp_echo") {
        let (rate, _, ev) = timed(&|| tcp_echo(10_000 / scale));
        figures.push(Figure { name: "tcp_echo".into(), value: rate, unit: "msgs/s" });
        total_events.push(ev);
        let (rate, _, _) = timed(&|| {
            let (echoed, events, _) = tcp_echo_with(10_000 / scale, Acks::Immediate);
            (echoed, events)
        });
        figures.push(Figure { name: "tcp_echo_immediate_ack".into(), value: rate, unit: "msgs/s" });
        for (name, acks) in
            [("tcp_echo_packets_per_msg", Acks::Linux), ("tcp_echo_immediate_ack_packets_per_msg", Acks::Immediate)]
        {
            let (echoed, _, packets) = tcp_echo_with(10_000 / scale, acks);
            figures.push(Figure { name: name.into(), value: packets as f64 / echoed.max(1) as f64, unit: "packets" });
        }
    }
    let bulk = (64usize << 20) / scale;
    for (name, link) in [
        ("tcp_bulk", LinkConfig { latency_us: 1_000, ..LinkConfig::default() }),
        ("tcp_bulk_lo", LinkConfig { latency_us: 0, mtu: 65_535, ..LinkConfig::default() }),
        ("tcp_bulk_loss1", LinkConfig { latency_us: 1_000, loss: 0.01, ..LinkConfig::default() }),
    ] {
        if want(name) {
            let (rate, _, ev) = timed(&|| tcp_bulk(bulk, link.clone()));
            figures.push(Figure { name: name.into(), value: rate, unit: "bytes/s" });
            total_events.push(ev);
        }
    }
    if want("tcp_connections") {
        let (rate, _, ev) = timed(&|| tcp_connections(1_000 / scale));
        figures.push(Figure { name: "tcp_connections".into(), value: rate, unit: "conns/s" });
        total_events.push(ev);
    }
    // `tcp_connections_concurrent` runs every size; `tcp_connections_concurrent_N` one.
    let concurrent_sizes: Vec<usize> = [10usize, 100, 1_000, 10_000]
        .into_iter()
        .filter(|n| want("tcp_connections_concurrent") || want(&format!("tcp_connections_concurrent_{n}")))
        .collect();
    if !concurrent_sizes.is_empty() {
        for n in concurrent_sizes {
            // Named by the fixed size, as every workload is, whatever the scale.
            let (rate, _, ev) = timed(&|| tcp_connections_concurrent((n / scale).max(1)));
            figures.push(Figure { name: format!("tcp_connections_concurrent_{n}"), value: rate, unit: "conns/s" });
            figures.push(Figure {
                name: format!("tcp_connections_concurrent_{n}_events"),
                value: ev,
                unit: "events/s",
            });
        }
    }
    if want("udp_loss") {
        let (rate, delivered, ev) = timed(&|| udp_loss(100_000 / scale));
        figures.push(Figure { name: "udp_loss".into(), value: rate, unit: "dgrams/s" });
        figures.push(Figure { name: "udp_loss_delivered".into(), value: delivered as f64, unit: "dgrams" });
        total_events.push(ev);
    }
    if want("events") {
        let ev = if total_events.is_empty() {
            timed(&|| tcp_bulk(bulk / 4, LinkConfig { loss: 0.01, ..LinkConfig::default() })).2
        } else {
            median(total_events)
        };
        figures.push(Figure { name: "events".into(), value: ev, unit: "events/s" });
    }
    if want("trace_bytes_per_event") {
        figures.push(Figure { name: "trace_bytes_per_event".into(), value: trace_bytes_per_event(), unit: "bytes" });
    }
    figures
}

/// A fixed mixed run — TCP over a lossy, jittery, duplicating, reordering link,
/// plus UDP — whose whole trace is serialized and hashed (FNV-1a). Native and
/// wasm32 builds must give the same digest: that is the determinism promise.
pub fn reference_digest() -> u64 {
    let link = LinkConfig { loss: 0.1, duplicate: 0.05, reorder: 0.1, jitter_us: 4_000, ..LinkConfig::default() };
    let (mut d, server, clients, l) = star(2, link, None);
    d.keep_trace = true;
    let (c, a) = d.connect(clients[0], server, l, None);
    let u = d.socket(clients[1], Protocol::Udp);
    for i in 0..40u32 {
        let msg: Arc<[u8]> = Arc::from(format!("message {i}").into_bytes());
        d.call(clients[0], SysCall::Send { fd: c, data: msg.clone() });
        d.call(clients[1], SysCall::SendTo { fd: u, data: msg, addr: Some(SocketAddrV4::new(SERVER_IP, 9)) });
        d.call(server, SysCall::Recv { fd: a, len: 4096 });
    }
    d.call(clients[0], SysCall::Close { fd: c });
    d.world.run_until_idle(1_000_000);
    d.absorb();
    let json = serde_json::to_vec(&d.trace).unwrap_or_default();
    json.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_complete_their_work() {
        assert_eq!(tcp_echo(50).0, 50);
        // Linux's ACKs ride on the echoes: two packets a message once the
        // quick ACKs are spent, where an ACK for every segment takes four.
        let (echoed, _, linux) = tcp_echo_with(1000, Acks::Linux);
        let (_, _, immediate) = tcp_echo_with(1000, Acks::Immediate);
        assert_eq!(echoed, 1000);
        assert!(linux < 2 * 1000 + 50, "{linux} packets");
        assert!(immediate >= 4 * 1000, "{immediate} packets");
        assert_eq!(tcp_bulk(1 << 20, LinkConfig::default()).0, 1 << 20);
        assert_eq!(tcp_bulk(1 << 20, LinkConfig { mtu: 65_535, latency_us: 0, ..LinkConfig::default() }).0, 1 << 20);
        assert_eq!(tcp_bulk(1 << 20, LinkConfig { loss: 0.01, ..LinkConfig::default() }).0, 1 << 20);
        assert_eq!(tcp_connections(20).0, 20);
        assert_eq!(tcp_connections_concurrent(50).0, 50);
        // Past the default 1024 descriptors: every connection must still complete.
        assert_eq!(tcp_connections_concurrent(1_500).0, 1_500);
        let (delivered, _) = udp_loss(2_000);
        assert!((1_700..1_900).contains(&delivered), "{delivered}");
    }
}
