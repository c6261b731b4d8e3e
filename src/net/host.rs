//! A host: its name and addresses, its file-descriptor table, and which ports its
//! sockets hold (a port is unique per host and protocol).

use super::addr::{is_loopback, Fd, Ipv4Addr, Protocol, SocketAddrV4, SocketId, EPHEMERAL_PORTS};
use super::fragment::Reassembly;
use super::link::{LinkConfig, LinkDirection};
use super::tcp::HostTcpSetting;
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
    /// The ports of the ephemeral range that `ports` holds, TCP's then UDP's, so
    /// the search for a free one reads a bitmap instead of the table.
    ephemeral: [EphemeralPorts; 2],
    /// Counts every port a socket gives up. With every port held, only that can
    /// open a port for a `connect` that found none.
    port_releases: u64,
    /// The last (source, peer) `connect` found no port toward, at `port_releases`:
    /// a program retrying it is answered without reading the range again.
    connect_exhausted: Option<(u64, Ipv4Addr, SocketAddrV4)>,
    /// Listening TCP sockets by port: the SYN path must not scan every connection.
    listeners: FxHashMap<u16, Vec<SocketId>>,
    /// Connected TCP sockets by (local, remote) address: the demultiplexing table.
    pub connections: FxHashMap<(SocketAddrV4, SocketAddrV4), SocketId>,
    /// The loopback path inside this host.
    pub loopback: LinkDirection,
    /// This host's own TCP sysctls, applied over the stack-wide settings.
    pub tcp_settings: Vec<HostTcpSetting>,
    /// Datagrams whose fragments are arriving.
    pub(crate) reassembly: Reassembly,
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
            ephemeral: [EphemeralPorts::default(), EphemeralPorts::default()],
            port_releases: 0,
            connect_exhausted: None,
            listeners: FxHashMap::default(),
            connections: FxHashMap::default(),
            loopback: LinkDirection::new(config),
            tcp_settings: Vec::new(),
            reassembly: Reassembly::default(),
        }
    }

    /// Sets one TCP sysctl for this host, replacing an earlier value of it.
    pub fn set_tcp(&mut self, setting: HostTcpSetting) {
        let same = |s: &HostTcpSetting| std::mem::discriminant(s) == std::mem::discriminant(&setting);
        match self.tcp_settings.iter_mut().find(|s| same(s)) {
            Some(s) => *s = setting,
            None => self.tcp_settings.push(setting),
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

    /// Ports `from..=to` that sockets of `protocol` hold, in order, with their holders.
    pub fn ports_held_in(
        &self,
        protocol: Protocol,
        from: u16,
        to: u16,
    ) -> impl Iterator<Item = (u16, impl Iterator<Item = SocketId> + '_)> + '_ {
        self.ports.range((protocol, from)..=(protocol, to)).map(|(&(_, port), holders)| (port, holders.iter().copied()))
    }

    pub fn hold_port(&mut self, protocol: Protocol, port: u16, socket: SocketId) {
        let holders = self.ports.entry((protocol, port)).or_default();
        if holders.is_empty() {
            self.ephemeral[protocol_index(protocol)].set(port, true);
        }
        holders.insert(socket);
    }

    pub fn release_port(&mut self, protocol: Protocol, port: u16, socket: SocketId) {
        if let Some(holders) = self.ports.get_mut(&(protocol, port)) {
            if holders.remove(&socket) {
                self.port_releases += 1;
            }
            if holders.is_empty() {
                self.ports.remove(&(protocol, port));
                self.ephemeral[protocol_index(protocol)].set(port, false);
            }
        }
    }

    /// The first ephemeral port no socket of `protocol` holds, in the order the
    /// model searches: from offset `start` of the range upwards and round, ports
    /// of the wanted parity first (`even`), then the others.
    pub fn free_ephemeral_port(&self, protocol: Protocol, start: u32, even: bool) -> Option<u16> {
        let ports = &self.ephemeral[protocol_index(protocol)];
        ports.first_free(start, even).or_else(|| ports.first_free(start, !even))
    }

    /// Whether `connect` from `source` to `remote` found no port, and no port has
    /// been given up since.
    pub(crate) fn connect_exhausted_toward(&self, source: Ipv4Addr, remote: SocketAddrV4) -> bool {
        self.connect_exhausted == Some((self.port_releases, source, remote))
    }

    pub(crate) fn remember_connect_exhausted(&mut self, source: Ipv4Addr, remote: SocketAddrV4) {
        self.connect_exhausted = Some((self.port_releases, source, remote));
    }

    /// The (source, peer) remembered as out of ports, while that still holds.
    pub(crate) fn connect_exhausted(&self) -> Option<(Ipv4Addr, SocketAddrV4)> {
        self.connect_exhausted.filter(|&(at, _, _)| at == self.port_releases).map(|(_, s, r)| (s, r))
    }

    /// Whether `ports` and the ephemeral bitmaps agree (for `World::check_invariants`).
    pub(crate) fn check_ports(&self) -> Result<(), String> {
        for protocol in [Protocol::Tcp, Protocol::Udp] {
            let range = (protocol, *EPHEMERAL_PORTS.start())..=(protocol, *EPHEMERAL_PORTS.end());
            let held: Vec<u16> = self.ports.range(range).map(|(&(_, port), _)| port).collect();
            let bitmap = &self.ephemeral[protocol_index(protocol)];
            if !bitmap.is_consistent() || bitmap.held() as usize != held.len() {
                return Err(format!("{}: {protocol} ephemeral bitmap disagrees with the port table", self.name));
            }
            if let Some(port) = held.iter().find(|&&p| !bitmap.is_held(p)) {
                return Err(format!("{}: {protocol} port {port} held but free in the bitmap", self.name));
            }
        }
        Ok(())
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

fn protocol_index(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Tcp => 0,
        Protocol::Udp => 1,
    }
}

/// Which ports of the ephemeral range (`EPHEMERAL_PORTS`) one protocol's sockets
/// hold on a host: a bitmap by offset in the range, of which only the 64-port
/// words holding a port are stored (sorted by word), and a count.
///
/// `bind(port 0)`, `listen` and `connect` take the first free port from a random
/// offset. Asking the port table about every candidate cost up to 28,232 ordered
/// lookups a call once the range filled, so holding every port one call at a
/// time took 8-12 s (bind or connect, release build); over the bitmap a search
/// reads at most the range's 442 words, and a full range is known from the count
/// at once: the same fill takes 25-60 ms. A host with a few connections stores a
/// few words, not the whole 3.5 KB bitmap, so snapshots of many hosts stay small.
#[derive(Clone, Debug, Default)]
struct EphemeralPorts {
    /// (word index, bits): bit `b` of word `w` is offset `64 w + b`; no zero words.
    words: Vec<(u16, u64)>,
    held: u32,
}

/// Bits at even offsets of a word (offset parity is bit parity: 64 is even).
const EVEN_BITS: u64 = 0x5555_5555_5555_5555;

impl EphemeralPorts {
    fn span() -> u32 {
        u32::from(*EPHEMERAL_PORTS.end()) - u32::from(*EPHEMERAL_PORTS.start()) + 1
    }

    fn offset(port: u16) -> Option<u32> {
        EPHEMERAL_PORTS.contains(&port).then(|| u32::from(port - *EPHEMERAL_PORTS.start()))
    }

    fn held(&self) -> u32 {
        self.held
    }

    fn is_held(&self, port: u16) -> bool {
        let Some(o) = Self::offset(port) else { return false };
        let w = (o / 64) as u16;
        self.words.binary_search_by_key(&w, |&(k, _)| k).is_ok_and(|i| self.words[i].1 & (1 << (o % 64)) != 0)
    }

    /// Marks `port` held or free; ports outside the range are not tracked.
    fn set(&mut self, port: u16, held: bool) {
        let Some(o) = Self::offset(port) else { return };
        let (w, bit) = ((o / 64) as u16, 1u64 << (o % 64));
        match self.words.binary_search_by_key(&w, |&(k, _)| k) {
            Ok(i) => {
                let was = self.words[i].1 & bit != 0;
                if held && !was {
                    self.words[i].1 |= bit;
                    self.held += 1;
                } else if !held && was {
                    self.words[i].1 &= !bit;
                    self.held -= 1;
                    if self.words[i].1 == 0 {
                        self.words.remove(i);
                    }
                }
            }
            Err(i) if held => {
                self.words.insert(i, (w, bit));
                self.held += 1;
            }
            Err(_) => {}
        }
    }

    /// The first free port at offset `start` or after, wrapping round to the
    /// range's beginning, whose number is even (or odd); `None` if none is free.
    fn first_free(&self, start: u32, even: bool) -> Option<u16> {
        let span = Self::span();
        if self.held == span {
            return None;
        }
        let first = u32::from(*EPHEMERAL_PORTS.start());
        // The wanted parity of the offset, from the parity of the port number.
        let odd_offsets = (first % 2 == 0) != even;
        let parity = if odd_offsets { !EVEN_BITS } else { EVEN_BITS };
        let start = start.min(span);
        let found = self.first_clear(start, span, parity).or_else(|| self.first_clear(0, start, parity));
        found.map(|o| (first + o) as u16)
    }

    /// The lowest offset in `from..to` whose bit is clear and in `parity`.
    fn first_clear(&self, from: u32, to: u32, parity: u64) -> Option<u32> {
        if from >= to {
            return None;
        }
        let mut i = self.words.partition_point(|&(k, _)| u32::from(k) < from / 64);
        for w in from / 64..=(to - 1) / 64 {
            let bits = match self.words.get(i) {
                Some(&(k, bits)) if u32::from(k) == w => {
                    i += 1;
                    bits
                }
                _ => 0,
            };
            let base = w * 64;
            let low = from.saturating_sub(base).min(64);
            let high = (to - base).min(64);
            let in_range = (u64::MAX >> (64 - (high - low))) << low;
            let free = !bits & parity & in_range;
            if free != 0 {
                return Some(base + free.trailing_zeros());
            }
        }
        None
    }

    /// Words sorted, none zero, and the count matching the bits.
    fn is_consistent(&self) -> bool {
        self.words.windows(2).all(|p| p[0].0 < p[1].0)
            && self.words.iter().all(|&(_, b)| b != 0)
            && self.words.iter().map(|&(_, b)| b.count_ones()).sum::<u32>() == self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::rng::SimRng;

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

    /// The search the bitmap replaced: each candidate looked up in the port table.
    fn scan(h: &Host, protocol: Protocol, start: u32, even: bool) -> Option<u16> {
        let lo = u32::from(*EPHEMERAL_PORTS.start());
        let span = EphemeralPorts::span();
        let pick = |parity_pass: bool| {
            (0..span)
                .map(|i| lo + (start + i) % span)
                .find(|&p| ((p % 2 == 0) == even) == parity_pass && !h.port_in_use(protocol, p as u16))
        };
        pick(true).or_else(|| pick(false)).map(|p| p as u16)
    }

    #[test]
    fn the_ephemeral_bitmap_picks_the_port_the_table_scan_picked() {
        // Lessons and the reference digest depend on which port is chosen: the
        // bitmap must agree with the old scan at every fill, up to a full range.
        let (lo, hi) = (*EPHEMERAL_PORTS.start(), *EPHEMERAL_PORTS.end());
        let span = EphemeralPorts::span();
        let mut rng = SimRng::new(7);
        let mut h = host();
        let mut free: Vec<u16> = EPHEMERAL_PORTS.collect();
        let mut next_socket = 0;
        let check = |h: &Host, rng: &mut SimRng| {
            for _ in 0..8 {
                let start = rng.below(u64::from(span)) as u32;
                let even = rng.below(2) == 0;
                for protocol in [Protocol::Tcp, Protocol::Udp] {
                    assert_eq!(h.free_ephemeral_port(protocol, start, even), scan(h, protocol, start, even));
                }
            }
            for start in [0, 1, 63, 64, span - 2, span - 1] {
                assert_eq!(h.free_ephemeral_port(Protocol::Tcp, start, true), scan(h, Protocol::Tcp, start, true));
                assert_eq!(h.free_ephemeral_port(Protocol::Tcp, start, false), scan(h, Protocol::Tcp, start, false));
            }
            h.check_ports().unwrap();
        };
        // Ports outside the range and a second holder of a port change nothing.
        h.hold_port(Protocol::Tcp, 80, SocketId(1_000_000));
        h.hold_port(Protocol::Tcp, lo - 1, SocketId(1_000_001));
        h.hold_port(Protocol::Tcp, hi + 1, SocketId(1_000_002));
        while !free.is_empty() {
            let i = rng.below(free.len() as u64) as usize;
            let port = free.swap_remove(i);
            h.hold_port(Protocol::Tcp, port, SocketId(next_socket));
            next_socket += 1;
            if free.len() % 997 == 0 || free.len() < 40 {
                check(&h, &mut rng);
            }
        }
        assert_eq!(h.free_ephemeral_port(Protocol::Tcp, 5, true), None);
        assert!(h.free_ephemeral_port(Protocol::Udp, 5, true).is_some(), "UDP has its own ports");
        // Freed again one by one, the range's ends first: each is found from anywhere.
        let holders: Vec<(u16, SocketId)> =
            h.ports.iter().filter(|(k, _)| k.0 == Protocol::Tcp).map(|(k, v)| (k.1, *v.first().unwrap())).collect();
        for &(port, sid) in holders.iter().filter(|(p, _)| [lo, hi, lo + 64, lo + 65].contains(p)) {
            h.release_port(Protocol::Tcp, port, sid);
            assert_eq!(h.free_ephemeral_port(Protocol::Tcp, span / 2, port % 2 == 0), Some(port));
            check(&h, &mut rng);
            h.hold_port(Protocol::Tcp, port, sid);
        }
        for (n, &(port, sid)) in holders.iter().enumerate() {
            h.release_port(Protocol::Tcp, port, sid);
            if n % 1009 == 0 {
                check(&h, &mut rng);
            }
        }
        assert_eq!(h.ephemeral[0].words, []);
        assert_eq!(h.free_ephemeral_port(Protocol::Tcp, 0, false), Some(lo + 1));
    }
}
