//! A host: its name and addresses, its file-descriptor table, and which ports its
//! sockets hold (a port is unique per host and protocol).

use super::addr::{is_loopback, Fd, Ipv4Addr, Protocol, SocketAddrV4, SocketId};
use super::link::{LinkConfig, LinkDirection};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

/// Linux's default `RLIMIT_NOFILE` soft limit.
pub const MAX_FDS: usize = 1024;
/// The first descriptor a socket gets: 0, 1 and 2 are stdin, stdout and stderr.
pub const FIRST_FD: Fd = 3;

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    /// The host's own addresses; 127.0.0.0/8 is always its loopback besides these.
    pub addrs: Vec<Ipv4Addr>,
    /// `fds[fd]` is the socket behind descriptor `fd`.
    fds: Vec<Option<SocketId>>,
    /// Sockets holding each (protocol, port). A set, so a server with thousands of
    /// connections on one port frees each in O(log n); ordered by socket id, so a
    /// listener comes before the connections it accepted.
    ports: BTreeMap<(Protocol, u16), BTreeSet<SocketId>>,
    /// Listening TCP sockets by port: the SYN path must not scan every connection.
    listeners: FxHashMap<u16, Vec<SocketId>>,
    /// Connected TCP sockets by (local, remote) address: the demultiplexing table.
    pub connections: FxHashMap<(SocketAddrV4, SocketAddrV4), SocketId>,
    /// The loopback path inside this host.
    pub loopback: LinkDirection,
}

impl Host {
    pub fn new(name: String, addrs: Vec<Ipv4Addr>) -> Host {
        let config = LinkConfig { latency_us: 0, mtu: 65_536, ..LinkConfig::default() };
        Host {
            name,
            addrs,
            fds: vec![None; FIRST_FD as usize],
            ports: BTreeMap::new(),
            listeners: FxHashMap::default(),
            connections: FxHashMap::default(),
            loopback: LinkDirection::new(config),
        }
    }

    /// Whether `ip` reaches this host itself (one of its addresses, or loopback).
    pub fn owns(&self, ip: Ipv4Addr) -> bool {
        is_loopback(ip) || self.addrs.contains(&ip)
    }

    /// Whether a socket may bind `ip`: one of ours, loopback, or the wildcard.
    pub fn can_bind(&self, ip: Ipv4Addr) -> bool {
        ip.is_unspecified() || self.owns(ip)
    }

    /// The source address for packets to `dst` (Linux picks the outgoing
    /// interface's primary address).
    pub fn source_for(&self, dst: Ipv4Addr) -> Ipv4Addr {
        if is_loopback(dst) || self.addrs.contains(&dst) {
            dst
        } else {
            self.addrs.first().copied().unwrap_or(Ipv4Addr::LOCALHOST)
        }
    }

    pub fn socket_of(&self, fd: Fd) -> Option<SocketId> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get(i).copied().flatten())
    }

    /// The lowest free descriptor, as POSIX requires; `None` past the limit (EMFILE).
    pub fn allocate_fd(&mut self, socket: SocketId) -> Option<Fd> {
        let free = self.fds.iter().skip(FIRST_FD as usize).position(Option::is_none);
        let index = match free {
            Some(i) => i + FIRST_FD as usize,
            None if self.fds.len() < MAX_FDS => {
                self.fds.push(None);
                self.fds.len() - 1
            }
            None => return None,
        };
        self.fds[index] = Some(socket);
        Fd::try_from(index).ok()
    }

    pub fn release_fd(&mut self, fd: Fd) {
        if let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i)) {
            *slot = None;
        }
        while self.fds.len() > FIRST_FD as usize && self.fds.last() == Some(&None) {
            self.fds.pop();
        }
    }

    /// Open descriptors and their sockets, in fd order.
    pub fn open_fds(&self) -> impl Iterator<Item = (Fd, SocketId)> + '_ {
        self.fds.iter().enumerate().filter_map(|(i, s)| s.map(|s| (i as Fd, s)))
    }

    pub fn port_holders(&self, protocol: Protocol, port: u16) -> impl Iterator<Item = SocketId> + '_ {
        self.ports.get(&(protocol, port)).into_iter().flatten().copied()
    }

    pub fn hold_port(&mut self, protocol: Protocol, port: u16, socket: SocketId) {
        self.ports.entry((protocol, port)).or_default().insert(socket);
    }

    pub fn release_port(&mut self, protocol: Protocol, port: u16, socket: SocketId) {
        if let Some(holders) = self.ports.get_mut(&(protocol, port)) {
            holders.remove(&socket);
            if holders.is_empty() {
                self.ports.remove(&(protocol, port));
            }
        }
    }

    pub fn listeners_on(&self, port: u16) -> &[SocketId] {
        self.listeners.get(&port).map_or(&[], Vec::as_slice)
    }

    pub fn add_listener(&mut self, port: u16, socket: SocketId) {
        self.listeners.entry(port).or_default().push(socket);
    }

    pub fn remove_listener(&mut self, port: u16, socket: SocketId) {
        if let Some(l) = self.listeners.get_mut(&port) {
            l.retain(|&s| s != socket);
            if l.is_empty() {
                self.listeners.remove(&port);
            }
        }
    }

    pub fn port_in_use(&self, protocol: Protocol, port: u16) -> bool {
        self.ports.contains_key(&(protocol, port))
    }
}
