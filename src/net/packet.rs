//! What travels on a link: an IPv4 packet carrying TCP, UDP or an ICMP error.
//! The parsed form lives here; `crate::wire` turns it into bytes.

use super::addr::{Ipv4Addr, PacketId, Protocol};
use super::tcp::segment::TcpSegment;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The payload of a segment that carries none. Shared, so the pure ACKs and
/// empty reads on every hot path cost a reference count, not an allocation.
pub fn empty_payload() -> Arc<[u8]> {
    static EMPTY: std::sync::LazyLock<Arc<[u8]>> = std::sync::LazyLock::new(|| Arc::from(&[][..]));
    EMPTY.clone()
}

/// `len` bytes gathered from `parts` (zero-filled if they hold fewer) into one
/// shared buffer with a single copy. Building a `Vec` and converting it would
/// copy every payload byte twice, which halved bulk throughput.
pub fn gather_payload<'a>(len: usize, parts: impl Iterator<Item = &'a [u8]>) -> Arc<[u8]> {
    let mut buf = Arc::<[u8]>::new_uninit_slice(len);
    let Some(dst) = Arc::get_mut(&mut buf) else {
        // Unreachable for a fresh Arc; the safe way costs a second copy.
        let mut v: Vec<u8> = parts.flat_map(|p| p.iter().copied()).take(len).collect();
        v.resize(len, 0);
        return Arc::from(v);
    };
    let mut filled = 0;
    for part in parts {
        let take = part.len().min(len - filled);
        let to = &mut dst[filled..filled + take];
        // A byte-by-byte loop here became memcpy natively but stayed a byte loop in
        // wasm32 (no SIMD): tcp_bulk_lo ran at 1.6 GB/s there against 28 natively.
        // SAFETY: `to` and `part[..take]` are `take` bytes long, in different
        // allocations (the Arc is fresh), and MaybeUninit<u8> is laid out as u8.
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), to.as_mut_ptr().cast::<u8>(), take) };
        filled += take;
    }
    for d in &mut dst[filled..] {
        d.write(0);
    }
    // SAFETY: every one of the `len` elements was written just above.
    unsafe { buf.assume_init() }
}

pub const IPV4_HEADER_LEN: usize = 20;
pub const UDP_HEADER_LEN: usize = 8;
/// Largest UDP payload in one IPv4 datagram: 65535 − 20 − 8.
pub const UDP_MAX_PAYLOAD: usize = 65507;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub id: PacketId,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    /// IPv4 identification field.
    pub ip_id: u16,
    pub ttl: u8,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Tcp(TcpSegment),
    Udp(UdpDatagram),
    /// ICMP destination unreachable, code 3 (port unreachable), quoting the
    /// datagram that caused it.
    PortUnreachable(Quoted),
    /// A piece of a UDP datagram larger than the path MTU, which IPv4 cut
    /// (Linux's `ip_do_fragment`); the receiver puts the pieces together.
    Fragment(IpFragment),
}

/// One IPv4 fragment: `data` is its slice of the datagram's IP payload (the
/// UDP header and payload), starting `offset` bytes in. The first fragment's
/// data begins with the UDP header; the rest carry payload bytes only. All the
/// fragments of one datagram share its `ip_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpFragment {
    /// Where `data` starts in the IP payload, in bytes: always a multiple of
    /// 8, as the header's fragment offset field counts in 8-byte units.
    pub offset: u16,
    /// The MF ("more fragments") flag: clear only on the last fragment.
    pub more: bool,
    pub data: Arc<[u8]>,
}

impl IpFragment {
    /// The UDP ports, which only the first fragment carries.
    pub fn udp_ports(&self) -> Option<(u16, u16)> {
        if self.offset != 0 || self.data.len() < UDP_HEADER_LEN {
            return None;
        }
        let port = |at: usize| u16::from_be_bytes([self.data[at], self.data[at + 1]]);
        Some((port(0), port(2)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UdpDatagram {
    pub src_port: u16,
    pub dst_port: u16,
    pub payload: Arc<[u8]>,
}

/// The start of the offending datagram an ICMP error carries (its addresses and ports).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quoted {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ip_id: u16,
    pub src_port: u16,
    pub dst_port: u16,
    /// UDP length field of the quoted datagram.
    pub udp_len: u16,
}

impl Packet {
    /// Total IPv4 length in bytes, headers included.
    pub fn wire_len(&self) -> usize {
        IPV4_HEADER_LEN
            + match &self.body {
                Body::Tcp(seg) => seg.header_len() + seg.payload.len(),
                Body::Udp(d) => UDP_HEADER_LEN + d.payload.len(),
                // ICMP header (8) + quoted IPv4 header (20) + 8 bytes of the datagram.
                Body::PortUnreachable(_) => 8 + IPV4_HEADER_LEN + 8,
                Body::Fragment(f) => f.data.len(),
            }
    }

    pub fn protocol(&self) -> Option<Protocol> {
        match self.body {
            Body::Tcp(_) => Some(Protocol::Tcp),
            Body::Udp(_) | Body::Fragment(_) => Some(Protocol::Udp),
            Body::PortUnreachable(_) => None,
        }
    }

    pub fn payload_len(&self) -> usize {
        match &self.body {
            Body::Tcp(seg) => seg.payload.len(),
            Body::Udp(d) => d.payload.len(),
            Body::PortUnreachable(_) => 0,
            Body::Fragment(f) => f.data.len(),
        }
    }

    /// A one-line tcpdump-style summary: `10.0.0.2.40000 > 10.0.0.1.80: Flags [S], seq 1000, win 65535, length 0`.
    pub fn summary(&self) -> String {
        match &self.body {
            Body::Tcp(s) => {
                let mut out = format!(
                    "{}.{} > {}.{}: Flags [{}], seq {}",
                    self.src,
                    s.src_port,
                    self.dst,
                    s.dst_port,
                    s.flags.tcpdump(),
                    s.seq
                );
                if !s.payload.is_empty() {
                    out.push_str(&format!(":{}", s.seq.wrapping_add(s.payload.len() as u32)));
                }
                if s.flags.ack() {
                    out.push_str(&format!(", ack {}", s.ack));
                }
                out.push_str(&format!(", win {}", s.window));
                let mut options = Vec::new();
                if let Some(mss) = s.mss {
                    options.push(format!("mss {mss}"));
                }
                // tcpdump's option words, in the order they are on the wire
                // (without its nop fillers).
                if s.sack_permitted {
                    options.push("sackOK".into());
                }
                if let Some((tsval, tsecr)) = s.timestamps {
                    options.push(format!("TS val {tsval} ecr {tsecr}"));
                }
                if let Some(ws) = s.window_scale {
                    options.push(format!("wscale {ws}"));
                }
                if !s.sack_blocks.is_empty() {
                    let blocks: Vec<String> = s.sack_blocks.iter().map(|(l, r)| format!("{{{l}:{r}}}")).collect();
                    options.push(format!("sack {} {}", s.sack_blocks.len(), blocks.join("")));
                }
                if !options.is_empty() {
                    out.push_str(&format!(", options [{}]", options.join(",")));
                }
                out.push_str(&format!(", length {}", s.payload.len()));
                out
            }
            Body::Udp(d) => {
                format!("{}.{} > {}.{}: UDP, length {}", self.src, d.src_port, self.dst, d.dst_port, d.payload.len())
            }
            Body::PortUnreachable(q) => {
                format!("{} > {}: ICMP {} udp port {} unreachable", self.src, self.dst, q.dst, q.dst_port)
            }
            // As tcpdump writes a fragment: `(id, offset, flags [+])`, `+` for MF.
            Body::Fragment(f) => format!(
                "{} > {}: ip-proto-17 (frag {}:{}@{}{}), length {}",
                self.src,
                self.dst,
                self.ip_id,
                f.data.len(),
                f.offset,
                if f.more { "+" } else { "" },
                f.data.len()
            ),
        }
    }
}
