//! A host: its name and addresses, its file-descriptor table, and which ports its
//! sockets hold (a port is unique per host and protocol).

use super::addr::{is_loopback, Fd, Ipv4Addr, Protocol, SocketAddrV4, SocketId};
use super::link::{LinkConfig, LinkDirection};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

/// Linux's default `RLIMIT_NOFILE` soft limit.
pub const MAX_FDS: usize = 1024;
/// The most a host's descriptor limit can be raised to (Linux's default hard
/// limit under systemd is far higher; this keeps a hostile script bounded).
pub const MAX_FDS_HARD: usize = 1 << 20;
/// The first descriptor a socket gets: 0, 1 and 2 are stdin, stdout and stderr.
pub const FIRST_FD: Fd = 3;

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    /// The host's own addresses; 127.0.0.0/8 is always its loopback besides these.
    pub addrs: Vec<Ipv4Addr>,
    /// `fds[fd]` is the socket behind descriptor `fd`.
    fds: Vec<Option<SocketId>>,
    /// Free descriptors below `fds.len()`, so the lowest is found in O(log n)
    /// and a server with thousands of connections does not scan its table.
    free_fds: BTreeSet<usize>,
    /// This host's `RLIMIT_NOFILE`: descriptors at or above it give EMFILE.
    fd_limit: usize,
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
            free_fds: BTreeSet::new(),
            fd_limit: MAX_FDS,
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
        let index = match self.free_fds.first() {
            Some(&i) if i < self.fd_limit => {
                self.free_fds.remove(&i);
                i
            }
            Some(_) => return None,
            None if self.fds.len() < self.fd_limit => {
                self.fds.push(None);
                self.fds.len() - 1
            }
            None => return None,
        };
        self.fds[index] = Some(socket);
        Fd::try_from(index).ok()
    }

    pub fn release_fd(&mut self, fd: Fd) {
        let Some(index) = usize::try_from(fd).ok().filter(|&i| i >= FIRST_FD as usize) else { return };
        let Some(slot) = self.fds.get_mut(index) else { return };
        if slot.take().is_none() {
            return;
        }
        self.free_fds.insert(index);
        // Trailing free slots leave the table, so `free_fds` only holds holes.
        while self.fds.len() > FIRST_FD as usize && self.fds.last() == Some(&None) {
            self.fds.pop();
            self.free_fds.remove(&self.fds.len());
        }
    }

    /// Lowering the limit below open descriptors keeps them, as Linux does; new ones fail.
    pub(crate) fn set_fd_limit(&mut self, limit: usize) {
        self.fd_limit = limit;
    }

    pub fn fd_limit(&self) -> usize {
        self.fd_limit
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

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        Host::new("h".into(), vec![Ipv4Addr::new(10, 0, 0, 1)])
    }

    #[test]
    fn descriptors_are_lowest_free_first() {
        let mut h = host();
        let fds: Vec<Fd> = (0..5).map(|i| h.allocate_fd(SocketId(i)).unwrap_or(-1)).collect();
        assert_eq!(fds, [3, 4, 5, 6, 7]);
        h.release_fd(5);
        h.release_fd(4);
        assert_eq!(h.allocate_fd(SocketId(10)), Some(4));
        assert_eq!(h.allocate_fd(SocketId(11)), Some(5));
        assert_eq!(h.allocate_fd(SocketId(12)), Some(8));
        // Freeing the top shrinks the table; the hole below it is reused next.
        h.release_fd(8);
        h.release_fd(6);
        h.release_fd(7);
        assert_eq!(h.allocate_fd(SocketId(13)), Some(6));
        assert_eq!(h.open_fds().count(), 4);
    }

    #[test]
    fn the_descriptor_limit_gives_emfile_and_can_be_raised() {
        let mut h = host();
        let opened = (0..2000).filter_map(|i| h.allocate_fd(SocketId(i))).count();
        assert_eq!(opened, MAX_FDS - FIRST_FD as usize);
        h.set_fd_limit(2000);
        assert_eq!(h.allocate_fd(SocketId(5000)), Some(1024));
        // Lowered below the open descriptors: they stay, a freed low one is not reusable.
        h.set_fd_limit(10);
        h.release_fd(500);
        assert_eq!(h.allocate_fd(SocketId(5001)), None);
        h.release_fd(4);
        assert_eq!(h.allocate_fd(SocketId(5002)), Some(4));
    }
}
