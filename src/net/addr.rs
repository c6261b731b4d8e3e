//! Addresses and identifiers: a socket is protocol + IPv4 address + port.

use serde::{Deserialize, Serialize};
pub use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::RangeInclusive;

/// The transport protocol of a socket. A port is unique per host *and* protocol:
/// TCP port 80 and UDP port 80 are two different things.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        })
    }
}

/// Linux's default `net.ipv4.ip_local_port_range`.
pub const EPHEMERAL_PORTS: RangeInclusive<u16> = 32768..=60999;

/// Index of a host in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HostId(pub u32);

/// Index of a socket in the world (stable for the socket's whole life, unlike its fd).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SocketId(pub u32);

/// Index of a link between two hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LinkId(pub u32);

/// A packet's identity, unique over the world's life; a duplicate gets its own id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PacketId(pub u64);

/// A socket call's identity, so a blocked call's completion can be matched with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CallId(pub u64);

/// A file descriptor, as a process sees it: the lowest free number from 3 up.
pub type Fd = i32;

/// Whether `ip` is in the loopback range 127.0.0.0/8.
pub fn is_loopback(ip: Ipv4Addr) -> bool {
    ip.octets()[0] == 127
}
