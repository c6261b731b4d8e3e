//! Shared helpers for behaviour tests: a two-host world and short call wrappers.
#![allow(dead_code)]

use socklab::net::trace::{Path, SendReason};
use socklab::net::*;
use std::sync::Arc;

pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

pub struct Lab {
    pub world: World,
    pub server: HostId,
    pub client: HostId,
    pub link: LinkId,
    pub trace: Vec<TraceEvent>,
}

impl Lab {
    pub fn new(seed: u64) -> Lab {
        Lab::with_link(seed, LinkConfig::default())
    }

    pub fn with_link(seed: u64, cfg: LinkConfig) -> Lab {
        let mut world = World::new(seed);
        let server = world.add_host("server", &[SERVER_IP]).unwrap();
        let client = world.add_host("client", &[CLIENT_IP]).unwrap();
        let link = world.add_link(client, server, cfg).unwrap();
        Lab { world, server, client, link, trace: Vec::new() }
    }

    pub fn call(&mut self, host: HostId, call: SysCall) -> CallOutcome {
        let r = self.world.call(host, call).unwrap();
        self.collect();
        r
    }

    /// A call that must finish at once.
    pub fn now(&mut self, host: HostId, call: SysCall) -> CallResult {
        match self.call(host, call.clone()) {
            CallOutcome::Done(r) => r,
            CallOutcome::Blocked => panic!("{} blocked", call.render()),
        }
    }

    pub fn ok(&mut self, host: HostId, call: SysCall) -> CallValue {
        let rendered = call.render();
        self.now(host, call).unwrap_or_else(|e| panic!("{rendered} failed: {e}"))
    }

    pub fn err(&mut self, host: HostId, call: SysCall) -> Errno {
        let rendered = call.render();
        match self.now(host, call) {
            Err(e) => e,
            Ok(v) => panic!("{rendered} succeeded with {v:?}"),
        }
    }

    pub fn socket(&mut self, host: HostId, protocol: Protocol) -> Fd {
        match self.ok(host, SysCall::Socket { domain: Domain::Inet, protocol }) {
            CallValue::Fd(fd) => fd,
            v => panic!("socket returned {v:?}"),
        }
    }

    pub fn collect(&mut self) {
        let mut t = self.world.take_trace();
        self.trace.append(&mut t);
    }

    pub fn run(&mut self) {
        self.world.run_until_idle(1_000_000);
        self.collect();
    }

    pub fn run_for(&mut self, us: u64) {
        let t = self.world.now() + us;
        self.world.run_until(t);
        self.collect();
    }

    /// A listening TCP server on 10.0.0.1:port.
    pub fn listener(&mut self, port: u16, backlog: u32) -> Fd {
        let l = self.socket(self.server, Protocol::Tcp);
        self.ok(self.server, SysCall::Bind { fd: l, addr: SocketAddrV4::new(SERVER_IP, port) });
        self.ok(self.server, SysCall::Listen { fd: l, backlog });
        l
    }

    /// Client connects and the server accepts: returns (client fd, server fd).
    pub fn connected_pair(&mut self, port: u16) -> (Fd, Fd) {
        let l = self.listener(port, 16);
        let c = self.socket(self.client, Protocol::Tcp);
        assert_eq!(self.call(self.client, connect(c, SERVER_IP, port)), CallOutcome::Blocked);
        self.run();
        assert_eq!(self.returned_last(self.client), Some(Ok(CallValue::Zero)));
        let a = match self.ok(self.server, SysCall::Accept { fd: l }) {
            CallValue::Accepted { fd, .. } => fd,
            v => panic!("{v:?}"),
        };
        (c, a)
    }

    /// The result of the last `Return` on a host.
    pub fn returned_last(&self, host: HostId) -> Option<CallResult> {
        self.trace.iter().rev().find_map(|e| match &e.kind {
            TraceKind::Return { host: h, result, .. } if *h == host => Some(result.clone()),
            _ => None,
        })
    }

    /// tcpdump-style flags of every TCP segment sent so far, as "client>[S]".
    pub fn segments(&self) -> Vec<String> {
        self.trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { host, packet, .. } => match &packet.body {
                    socklab::net::packet::Body::Tcp(s) => Some(format!(
                        "{}>[{}]{}",
                        self.world.host_name(*host),
                        s.flags.tcpdump(),
                        if s.payload.is_empty() { String::new() } else { format!("{}", s.payload.len()) }
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    pub fn sent_reasons(&self) -> Vec<SendReason> {
        self.trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { reason, .. } => Some(*reason),
                _ => None,
            })
            .collect()
    }

    pub fn state(&self, host: HostId, fd: Fd) -> Option<socklab::net::tcp::state::TcpState> {
        let sid = self.world.socket_by_fd(host, fd)?;
        self.world.socket_view(sid).state
    }

    pub fn is_loopback(path: &Path) -> bool {
        matches!(path, Path::Loopback { .. })
    }
}

pub fn connect(fd: Fd, ip: Ipv4Addr, port: u16) -> SysCall {
    SysCall::Connect { fd, addr: SocketAddrV4::new(ip, port) }
}

pub fn send(fd: Fd, data: &[u8]) -> SysCall {
    SysCall::Send { fd, data: Arc::from(data) }
}

pub fn recv(fd: Fd, len: usize) -> SysCall {
    SysCall::Recv { fd, len }
}

pub fn data(v: &CallValue) -> Vec<u8> {
    match v {
        CallValue::Data(d) | CallValue::DataFrom { data: d, .. } => d.to_vec(),
        other => panic!("expected data, got {other:?}"),
    }
}
