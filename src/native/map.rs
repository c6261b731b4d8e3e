//! Script addresses to loopback addresses: each script host gets its own
//! 127.0.0.x, and nothing the kernel is given ever leaves 127.0.0.0/8.

use crate::net::addr::is_loopback;
use crate::net::{Ipv4Addr, SocketAddrV4};

/// Why an address was refused before reaching the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

#[derive(Clone, Debug, Default)]
pub struct AddressMap {
    /// Per script host (by index): its name, its script addresses, and its loopback address.
    hosts: Vec<(String, Vec<Ipv4Addr>, Ipv4Addr)>,
}

impl AddressMap {
    /// Host `i` of the script gets 127.0.0.(i + 2); 127.0.0.1 stays free for
    /// whatever else the machine runs.
    pub fn new(hosts: &[(String, Vec<Ipv4Addr>)]) -> Result<AddressMap, Refusal> {
        if hosts.len() > 250 {
            return Err(Refusal(format!("{} hosts: real sockets map at most 250 hosts into 127.0.0.0/8", hosts.len())));
        }
        let hosts = hosts
            .iter()
            .enumerate()
            .map(|(i, (name, addrs))| (name.clone(), addrs.clone(), Ipv4Addr::new(127, 0, 0, i as u8 + 2)))
            .collect();
        Ok(AddressMap { hosts })
    }

    /// Lines such as `client 10.0.0.2 -> 127.0.0.3`.
    pub fn describe(&self) -> Vec<String> {
        self.hosts
            .iter()
            .map(|(name, addrs, lo)| {
                let addrs: Vec<String> = addrs.iter().map(ToString::to_string).collect();
                format!("{name} {} -> {lo}", if addrs.is_empty() { "(no address)".into() } else { addrs.join(", ") })
            })
            .collect()
    }

    pub fn loopback_of(&self, host: usize) -> Option<Ipv4Addr> {
        self.hosts.get(host).map(|h| h.2)
    }

    /// Whether `host` may bind `ip`: the wildcard, loopback, or one of its own.
    pub fn owns(&self, host: usize, ip: Ipv4Addr) -> bool {
        ip.is_unspecified() || is_loopback(ip) || self.hosts.get(host).is_some_and(|h| h.1.contains(&ip))
    }

    /// Checks that `addr` names something a script host may reach: the wildcard,
    /// loopback, or an address of some script host. Everything else is refused.
    pub fn check(&self, addr: SocketAddrV4) -> Result<(), Refusal> {
        let ip = *addr.ip();
        if ip.is_unspecified() || is_loopback(ip) || self.hosts.iter().any(|h| h.1.contains(&ip)) {
            Ok(())
        } else {
            Err(Refusal(format!(
                "{ip} belongs to no host of this script; real sockets only reach the script's hosts on 127.0.0.0/8"
            )))
        }
    }

    /// The loopback address a script address stands for, as seen from `host`:
    /// a script host's address becomes that host's 127.0.0.x; the wildcard and
    /// loopback addresses become the calling host's own (so a wildcard bind never
    /// opens a public interface). Anything unchecked also lands on loopback.
    pub fn to_real(&self, host: usize, addr: SocketAddrV4) -> SocketAddrV4 {
        let ip = *addr.ip();
        let own = self.loopback_of(host).unwrap_or(Ipv4Addr::LOCALHOST);
        let mapped = self.hosts.iter().find(|h| h.1.contains(&ip)).map_or(own, |h| h.2);
        debug_assert!(is_loopback(mapped));
        SocketAddrV4::new(mapped, addr.port())
    }

    /// Back from loopback to the script's address (the host's first one).
    pub fn to_script(&self, real: SocketAddrV4) -> SocketAddrV4 {
        let ip = self.hosts.iter().find(|h| h.2 == *real.ip()).and_then(|h| h.1.first().copied()).unwrap_or(*real.ip());
        SocketAddrV4::new(ip, real.port())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> AddressMap {
        AddressMap::new(&[
            ("server".into(), vec![Ipv4Addr::new(10, 0, 0, 1)]),
            ("client".into(), vec![Ipv4Addr::new(10, 0, 0, 2)]),
        ])
        .unwrap()
    }

    #[test]
    fn hosts_map_to_their_own_loopback_addresses_and_back() {
        let m = map();
        let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
        assert_eq!(m.to_real(1, a), SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 80));
        assert_eq!(m.to_script(m.to_real(1, a)), a);
        let any = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 80);
        assert_eq!(m.to_real(1, any), SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 3), 80));
        assert_eq!(m.describe(), vec!["server 10.0.0.1 -> 127.0.0.2", "client 10.0.0.2 -> 127.0.0.3"]);
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
