//! Script addresses to loopback addresses: each script address gets its own
//! 127.b.0.x, and nothing the kernel is given ever leaves 127.0.0.0/8.

use super::Refusal;
use crate::net::addr::is_loopback;
use crate::net::{Ipv4Addr, SocketAddrV4};

/// Addresses one run may map: 127.b.0.2 up to 127.b.0.251 of its block.
pub const MAX_MAPPED: usize = 250;

#[derive(Clone, Debug, Default)]
pub struct AddressMap {
    /// Per script host, by index.
    hosts: Vec<MappedHost>,
}

#[derive(Clone, Debug)]
struct MappedHost {
    name: String,
    /// Each script address with the loopback address that stands for it.
    addrs: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// Where the host's wildcard and 127.0.0.1 go: its first address's, or one of
    /// its own when it has none.
    own: Ipv4Addr,
}

impl AddressMap {
    /// Every script address gets its own 127.`block`.0.x, from .2 up, so two
    /// addresses of one host stay two addresses (.1 is the block's claim, see
    /// [`super::block`]). Each run takes a block no socket is on (1..=250;
    /// 127.0.0.0/24 stays free for whatever else the machine runs), so an
    /// earlier script's TIME-WAIT sockets cannot block the next script's binds.
    pub fn new(hosts: &[(String, Vec<Ipv4Addr>)], block: u8) -> Result<AddressMap, Refusal> {
        let needed: usize = hosts.iter().map(|(_, a)| a.len().max(1)).sum();
        if needed > MAX_MAPPED {
            return Err(Refusal::TooManyAddresses { needed });
        }
        let block = block.clamp(1, 250);
        let mut next = 2u8;
        let mut take = || {
            let ip = Ipv4Addr::new(127, block, 0, next);
            next = next.saturating_add(1);
            ip
        };
        let hosts = hosts
            .iter()
            .map(|(name, addrs)| {
                let pairs: Vec<(Ipv4Addr, Ipv4Addr)> = addrs.iter().map(|&a| (a, take())).collect();
                let own = pairs.first().map_or_else(&mut take, |p| p.1);
                MappedHost { name: name.clone(), addrs: pairs, own }
            })
            .collect();
        Ok(AddressMap { hosts })
    }

    /// Lines such as `client 10.0.0.2 -> 127.1.0.3`.
    pub fn describe(&self) -> Vec<String> {
        self.hosts
            .iter()
            .map(|h| {
                if h.addrs.is_empty() {
                    format!("{} (no address) -> {}", h.name, h.own)
                } else {
                    let p: Vec<String> = h.addrs.iter().map(|(s, r)| format!("{s} -> {r}")).collect();
                    format!("{} {}", h.name, p.join(", "))
                }
            })
            .collect()
    }

    /// The loopback address a host's wildcard and 127.0.0.1 binds go to (its first).
    pub fn loopback_of(&self, host: usize) -> Option<Ipv4Addr> {
        self.hosts.get(host).map(|h| h.own)
    }

    /// Whether `host` may bind `ip`: the wildcard, loopback, or one of its own.
    pub fn owns(&self, host: usize, ip: Ipv4Addr) -> bool {
        ip.is_unspecified()
            || is_loopback(ip)
            || self.hosts.get(host).is_some_and(|h| h.addrs.iter().any(|p| p.0 == ip))
    }

    /// Checks that `addr` names something a script host may reach: the wildcard,
    /// loopback, or an address of some script host. Everything else is refused.
    pub fn check(&self, addr: SocketAddrV4) -> Result<(), Refusal> {
        let ip = *addr.ip();
        if ip.is_unspecified() || is_loopback(ip) || self.real_of(ip).is_some() {
            Ok(())
        } else {
            Err(Refusal::ForeignAddress { line: None, ip })
        }
    }

    fn real_of(&self, ip: Ipv4Addr) -> Option<Ipv4Addr> {
        self.hosts.iter().flat_map(|h| &h.addrs).find(|p| p.0 == ip).map(|p| p.1)
    }

    /// The loopback address a script address stands for, as seen from `host`: a
    /// script address becomes its own 127.0.0.x; the wildcard and loopback
    /// addresses become the calling host's first (so a wildcard bind never opens
    /// a public interface — and covers only that one address of a multi-address
    /// host). Anything unchecked also lands on loopback.
    pub fn to_real(&self, host: usize, addr: SocketAddrV4) -> SocketAddrV4 {
        let own = self.loopback_of(host).unwrap_or(Ipv4Addr::LOCALHOST);
        let mapped = self.real_of(*addr.ip()).unwrap_or(own);
        debug_assert!(is_loopback(mapped));
        SocketAddrV4::new(mapped, addr.port())
    }

    /// Back from loopback to the script's address.
    pub fn to_script(&self, real: SocketAddrV4) -> SocketAddrV4 {
        let ip = self
            .hosts
            .iter()
            .find_map(|h| {
                h.addrs.iter().find(|p| p.1 == *real.ip()).map(|p| p.0).or((h.own == *real.ip()).then_some(h.own))
            })
            .unwrap_or(*real.ip());
        SocketAddrV4::new(ip, real.port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> AddressMap {
        AddressMap::new(
            &[("server".into(), vec![Ipv4Addr::new(10, 0, 0, 1)]), ("client".into(), vec![Ipv4Addr::new(10, 0, 0, 2)])],
            1,
        )
        .unwrap()
    }

    #[test]
    fn hosts_map_to_their_own_loopback_addresses_and_back() {
        let m = map();
        let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
        assert_eq!(m.to_real(1, a), SocketAddrV4::new(Ipv4Addr::new(127, 1, 0, 2), 80));
        assert_eq!(m.to_script(m.to_real(1, a)), a);
        let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 80);
        assert_eq!(m.to_real(1, any), SocketAddrV4::new(Ipv4Addr::new(127, 1, 0, 3), 80));
        assert_eq!(m.describe(), vec!["server 10.0.0.1 -> 127.1.0.2", "client 10.0.0.2 -> 127.1.0.3"]);
        let two =
            AddressMap::new(&[("s".into(), vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 3)])], 2).unwrap();
        assert_ne!(
            two.to_real(0, SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 53)),
            two.to_real(0, SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 3), 53)),
            "two addresses of one host stay two addresses"
        );
    }

    #[test]
    fn foreign_addresses_are_refused() {
        let m = map();
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(8, 8, 8, 8), 53)).is_err());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 9), 53)).is_err());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 53)).is_ok());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 53)).is_ok());
    }
}
