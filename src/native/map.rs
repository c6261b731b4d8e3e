//! Script addresses to loopback addresses, chosen so the kernel, not the
//! driver, judges every bind and connect it can.
//!
//! The mapping, in a run that holds block b (see [`super::block`]):
//! - host number h (1 for the script's first host) owns 127.b.h.0/24;
//! - its i-th script address (from 0) is 127.b.h.(i+2): two addresses of one
//!   host stay two addresses, so the kernel judges same-port binds on them;
//! - its 127.0.0.1 (any 127.x.y.z it names) is 127.b.h.1, an address of its own,
//!   so `127.0.0.1:80` and `10.0.0.1:80` are two binds to the kernel as on Linux;
//! - its wildcard 0.0.0.0 is the kernel's own 0.0.0.0 when the run is in a
//!   network namespace whose only interface is loopback ([`loopback_only`]):
//!   the kernel then judges wildcard-versus-specific conflicts itself
//!   (`inet_csk_bind_conflict`), and an unbound socket's automatic bind is the
//!   kernel's too. Outside such a namespace a wildcard would open every
//!   interface of the machine, so the host's first address stands in for it and
//!   the driver says so on every such line;
//! - another host's address, bound by this host, is given to the kernel as
//!   written when no interface has it (in the loopback-only namespace): the
//!   kernel answers EADDRNOTAVAIL itself (`inet_bind` → `inet_addr_valid_or_nonlocal`).
//!   Outside such a namespace the driver answers it.
//!
//! What one kernel cannot separate (the limits of this mapping): every host
//! shares the kernel's wildcard, so a wildcard socket holds its port on every
//! host's addresses, and receives what is sent there when no other socket
//! does; a socket bound to the wildcard picks its source address by route
//! (127.0.0.1) when it connects or sends. Scripts that lean on those cases
//! diverge from the model for that reason, and only that.

use super::Refusal;
use crate::net::addr::is_loopback;
use crate::net::{Errno, Ipv4Addr, SocketAddrV4};

/// Hosts one run may map, and addresses one host may have: host h's addresses
/// are 127.b.h.2 up to 127.b.h.251.
pub const MAX_MAPPED: usize = 250;

#[derive(Clone, Debug, Default)]
pub struct AddressMap {
    /// Per script host, by index.
    hosts: Vec<MappedHost>,
    /// The run is in a namespace whose only interface is loopback, with no
    /// address outside 127.0.0.0/8: the kernel may be given 0.0.0.0 and any
    /// script address that is not local.
    loopback_only: bool,
}

#[derive(Clone, Debug)]
struct MappedHost {
    name: String,
    /// Each script address with the loopback address that stands for it.
    addrs: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// Where the host's 127.0.0.1 goes: 127.b.h.1.
    loopback: Ipv4Addr,
}

/// What a bind's address becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindAddress {
    /// The kernel binds this address and judges the call.
    Kernel(Ipv4Addr),
    /// The kernel binds this address, which stands in for the script's
    /// (outside a loopback-only namespace, the host's first address for the
    /// wildcard): the answer is the kernel's to a different question.
    StandIn { real: Ipv4Addr, why: &'static str },
    /// The driver answers without the kernel, and why.
    Driver { errno: Errno, why: &'static str },
}

/// Why a wildcard is not the kernel's outside a loopback-only namespace.
pub const WILDCARD_STAND_IN: &str =
    "outside a loopback-only network namespace the host's first address stands in for 0.0.0.0";

impl AddressMap {
    /// Gives each host its own 127.`block`.h.0/24 (see the module's header).
    /// `loopback_only`: what [`loopback_only`] says of the run's namespace.
    pub fn new(hosts: &[(String, Vec<Ipv4Addr>)], block: u8, loopback_only: bool) -> Result<AddressMap, Refusal> {
        let most = hosts.iter().map(|(_, a)| a.len()).max().unwrap_or(0).max(hosts.len());
        if most > MAX_MAPPED {
            return Err(Refusal::TooManyAddresses { needed: most });
        }
        let block = block.clamp(1, 250);
        let hosts = hosts
            .iter()
            .zip(1u8..)
            .map(|((name, addrs), h)| {
                let addrs = addrs.iter().zip(2u8..).map(|(&a, x)| (a, Ipv4Addr::new(127, block, h, x))).collect();
                MappedHost { name: name.clone(), addrs, loopback: Ipv4Addr::new(127, block, h, 1) }
            })
            .collect();
        Ok(AddressMap { hosts, loopback_only })
    }

    /// Lines such as `client 10.0.0.2 -> 127.1.2.2, 127.0.0.1 -> 127.1.2.1`,
    /// and what the wildcard is.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .hosts
            .iter()
            .map(|h| {
                let mut p: Vec<String> = h.addrs.iter().map(|(s, r)| format!("{s} -> {r}")).collect();
                p.push(format!("127.0.0.1 -> {}", h.loopback));
                format!("{} {}", h.name, p.join(", "))
            })
            .collect();
        lines.push(if self.loopback_only {
            "0.0.0.0 -> 0.0.0.0 (the kernel's wildcard, shared by every host)".into()
        } else {
            format!("0.0.0.0 -> each host's first address ({WILDCARD_STAND_IN})")
        });
        lines
    }

    /// The source address `host`'s automatic bind takes towards the script
    /// address `dest` (none: no destination yet), as the model's
    /// `Host::source_for` picks it by route: the destination itself when it
    /// is loopback or one of the host's own, else the host's first address.
    /// On one kernel the route would say 127.0.0.1 for every destination, so
    /// the driver binds this address before the kernel picks the port.
    pub fn source_for(&self, host: usize, dest: Option<Ipv4Addr>) -> Ipv4Addr {
        let Some(h) = self.hosts.get(host) else { return Ipv4Addr::LOCALHOST };
        let own = |ip: Ipv4Addr| h.addrs.iter().find(|p| p.0 == ip).map(|p| p.1);
        match dest {
            Some(ip) if is_loopback(ip) || ip.is_unspecified() => h.loopback,
            Some(ip) if own(ip).is_some() => own(ip).unwrap_or(h.loopback),
            _ => h.addrs.first().map_or(h.loopback, |p| p.1),
        }
    }

    /// The network of the `host`-th script host's loopback addresses,
    /// 127.b.h.0 (a /24).
    pub fn host_network(&self, host: usize) -> Option<Ipv4Addr> {
        let [a, b, h, _] = self.hosts.get(host)?.loopback.octets();
        Some(Ipv4Addr::new(a, b, h, 0))
    }

    /// Whether the kernel may be given the wildcard (see the module's header).
    pub fn kernel_wildcard(&self) -> bool {
        self.loopback_only
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

    fn loopback_of(&self, host: usize) -> Ipv4Addr {
        self.hosts.get(host).map_or(Ipv4Addr::LOCALHOST, |h| h.loopback)
    }

    /// What `host`'s bind to `ip` gives the kernel (see the module's header).
    /// `ip` has passed [`AddressMap::check`].
    pub fn bind_address(&self, host: usize, ip: Ipv4Addr) -> BindAddress {
        let own = self.hosts.get(host).and_then(|h| h.addrs.iter().find(|p| p.0 == ip)).map(|p| p.1);
        match own {
            Some(real) => BindAddress::Kernel(real),
            None if is_loopback(ip) => BindAddress::Kernel(self.loopback_of(host)),
            None if ip.is_unspecified() && self.loopback_only => BindAddress::Kernel(Ipv4Addr::UNSPECIFIED),
            None if ip.is_unspecified() => {
                BindAddress::StandIn { real: self.source_for(host, None), why: WILDCARD_STAND_IN }
            }
            // No interface of a loopback-only namespace has a script address.
            None if self.loopback_only => BindAddress::Kernel(ip),
            None => BindAddress::Driver {
                errno: Errno::EADDRNOTAVAIL,
                why: "another host's address; outside a loopback-only network namespace every 127.0.0.0/8 \
                      address is this kernel's, so the driver answers for the host",
            },
        }
    }

    /// The loopback address a destination stands for, as seen from `host`: a
    /// script address becomes its own 127.b.h.x, the host's loopback its
    /// 127.b.h.1; the wildcard too, since Linux sends to 0.0.0.0 as to the host
    /// itself (`ip_route_output_key_hash_rcu`: no daddr → loopback). Anything
    /// unchecked also lands on the host's loopback.
    pub fn to_real(&self, host: usize, addr: SocketAddrV4) -> SocketAddrV4 {
        let mapped = self.real_of(*addr.ip()).unwrap_or_else(|| self.loopback_of(host));
        debug_assert!(is_loopback(mapped));
        SocketAddrV4::new(mapped, addr.port())
    }

    /// Back from loopback to the script's address.
    pub fn to_script(&self, real: SocketAddrV4) -> SocketAddrV4 {
        let ip = self
            .hosts
            .iter()
            .find_map(|h| {
                h.addrs
                    .iter()
                    .find(|p| p.1 == *real.ip())
                    .map(|p| p.0)
                    .or((h.loopback == *real.ip()).then_some(Ipv4Addr::LOCALHOST))
            })
            .unwrap_or(*real.ip());
        SocketAddrV4::new(ip, real.port())
    }
}

/// Whether this process's network namespace has loopback as its only
/// interface and no IPv4 address outside 127.0.0.0/8 (`unshare -n`, then
/// `ip link set lo up`): there the kernel's wildcard reaches only loopback, and
/// a bind to any other address fails. Anything unreadable answers no.
pub fn loopback_only() -> bool {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return false;
    }
    let mut only = true;
    let mut at = list;
    while !at.is_null() {
        // SAFETY: `at` is a node of the list getifaddrs returned, not yet freed.
        let entry = unsafe { &*at };
        if entry.ifa_flags & libc::IFF_LOOPBACK as libc::c_uint == 0 {
            only = false;
        }
        // SAFETY: ifa_addr is null or points to a sockaddr of its family; an
        // AF_INET one is a sockaddr_in.
        if !entry.ifa_addr.is_null() && i32::from(unsafe { (*entry.ifa_addr).sa_family }) == libc::AF_INET {
            let sin = unsafe { &*(entry.ifa_addr as *const libc::sockaddr_in) };
            if !is_loopback(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))) {
                only = false;
            }
        }
        at = entry.ifa_next;
    }
    // SAFETY: the list getifaddrs allocated, freed once.
    unsafe { libc::freeifaddrs(list) };
    only
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(loopback_only: bool) -> AddressMap {
        AddressMap::new(
            &[
                ("server".into(), vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 3)]),
                ("client".into(), vec![Ipv4Addr::new(10, 0, 0, 2)]),
            ],
            1,
            loopback_only,
        )
        .unwrap()
    }

    #[test]
    fn hosts_map_to_their_own_loopback_addresses_and_back() {
        let m = map(true);
        let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80);
        assert_eq!(m.to_real(1, a), SocketAddrV4::new(Ipv4Addr::new(127, 1, 1, 2), 80));
        assert_eq!(m.to_script(m.to_real(1, a)), a);
        let lo = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 80);
        assert_eq!(m.to_real(1, lo), SocketAddrV4::new(Ipv4Addr::new(127, 1, 2, 1), 80));
        assert_eq!(m.to_script(m.to_real(1, lo)), lo);
        assert_eq!(m.source_for(1, Some(Ipv4Addr::new(10, 0, 0, 1))), Ipv4Addr::new(127, 1, 2, 2));
        assert_eq!(m.source_for(0, Some(Ipv4Addr::new(10, 0, 0, 3))), Ipv4Addr::new(127, 1, 1, 3));
        assert_eq!(m.source_for(0, Some(Ipv4Addr::LOCALHOST)), Ipv4Addr::new(127, 1, 1, 1));
        assert_eq!(m.host_network(1), Some(Ipv4Addr::new(127, 1, 2, 0)));
        assert_eq!(m.host_network(2), None);
        assert_eq!(
            m.describe(),
            vec![
                "server 10.0.0.1 -> 127.1.1.2, 10.0.0.3 -> 127.1.1.3, 127.0.0.1 -> 127.1.1.1",
                "client 10.0.0.2 -> 127.1.2.2, 127.0.0.1 -> 127.1.2.1",
                "0.0.0.0 -> 0.0.0.0 (the kernel's wildcard, shared by every host)",
            ]
        );
    }

    #[test]
    fn binds_go_to_the_kernel_in_a_loopback_only_namespace_and_say_so_outside() {
        let m = map(true);
        let client = Ipv4Addr::new(10, 0, 0, 2);
        assert_eq!(m.bind_address(0, Ipv4Addr::new(10, 0, 0, 3)), BindAddress::Kernel(Ipv4Addr::new(127, 1, 1, 3)));
        assert_eq!(m.bind_address(0, Ipv4Addr::UNSPECIFIED), BindAddress::Kernel(Ipv4Addr::UNSPECIFIED));
        assert_eq!(m.bind_address(0, Ipv4Addr::LOCALHOST), BindAddress::Kernel(Ipv4Addr::new(127, 1, 1, 1)));
        assert_eq!(m.bind_address(0, client), BindAddress::Kernel(client), "the kernel finds it is not local");
        let outside = map(false);
        assert!(matches!(outside.bind_address(0, Ipv4Addr::UNSPECIFIED), BindAddress::StandIn { .. }));
        assert!(matches!(outside.bind_address(0, client), BindAddress::Driver { errno: Errno::EADDRNOTAVAIL, .. }));
    }

    #[test]
    fn foreign_addresses_are_refused() {
        let m = map(true);
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(8, 8, 8, 8), 53)).is_err());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 9), 53)).is_err());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 53)).is_ok());
        assert!(m.check(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 53)).is_ok());
    }
}
