//! Every packet — the kernel's, as the links recorded it (see
//! [`super::links`]), and the model's — read into one record type, so the two
//! streams are compared field by field from the same parser.
//!
//! The model's packets go through [`crate::wire::to_bytes`] into the same
//! [`parse`]: whatever the model puts on the wire is what gets compared.

use crate::net::packet::IPV4_HEADER_LEN;
use crate::net::{Ipv4Addr, SocketAddrV4};
use etherparse::{SlicedPacket, TransportSlice};
use std::fmt;

/// One packet the kernel sent: when it entered its link (µs from the links'
/// start) and its IPv4 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub time_us: u64,
    pub ip: Vec<u8>,
}

/// The frames as a libpcap file (LINKTYPE_RAW, as `socklab run --pcap` writes).
pub fn to_pcap(frames: &[Frame]) -> Vec<u8> {
    let mut out = crate::pcap::global_header();
    for f in frames {
        crate::pcap::push_record(&mut out, f.time_us, &f.ip);
    }
    out
}

/// TCP flag bits as in the header's 13th byte.
pub mod flag {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
    pub const ECE: u8 = 0x40;
    pub const CWR: u8 = 0x80;
}

/// A TCP segment's options, as the diff compares them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// TSval and TSecr.
    pub timestamps: Option<(u32, u32)>,
    /// SACK blocks, left and right edges as sent.
    pub sack: Vec<(u32, u32)>,
    /// Kinds of any other option (an unknown or malformed one ends the list).
    pub other: Vec<u8>,
}

/// One TCP segment's header fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpRecord {
    pub flags: u8,
    pub seq: u32,
    /// Only meaningful with the ACK flag.
    pub ack: u32,
    pub window: u16,
    pub len: usize,
    pub options: TcpOptions,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordBody {
    Tcp(TcpRecord),
    /// A datagram's payload length.
    Udp {
        len: usize,
    },
    /// An IPv4 fragment of a datagram larger than the MTU (`ip_fragment`):
    /// its IP ID (which groups the fragments of one datagram), offset in bytes,
    /// MF flag and IP payload length. The first fragment's record has the UDP
    /// ports; a later one's ports are 0 (it carries none).
    Fragment {
        ip_id: u16,
        offset: u16,
        more: bool,
        len: usize,
    },
    /// ICMP port unreachable, quoting the datagram's source and destination.
    PortUnreachable {
        quoted_src: SocketAddrV4,
        quoted_dst: SocketAddrV4,
    },
}

/// One packet, kernel's or model's, in the terms the diff compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketRecord {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub body: RecordBody,
    pub ip: IpFacts,
}

/// What the IPv4 header says that the diff compares: DF and the IP ID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpFacts {
    pub df: bool,
    pub id: u16,
}

/// Bytes that are not an IPv4 TCP, UDP or ICMP port-unreachable packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read packet: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

/// Reads IPv4 bytes into a record.
pub fn parse(ip: &[u8]) -> Result<PacketRecord, ParseError> {
    if let Some(fragment) = udp_fragment(ip)? {
        return Ok(fragment);
    }
    let sliced = SlicedPacket::from_ip(ip).map_err(|e| ParseError(e.to_string()))?;
    let Some(etherparse::NetSlice::Ipv4(ipv4)) = &sliced.net else {
        return Err(ParseError("not IPv4".into()));
    };
    let header = ipv4.header();
    let (src_ip, dst_ip) = (Ipv4Addr::from(header.source()), Ipv4Addr::from(header.destination()));
    let ip = IpFacts { df: header.dont_fragment(), id: header.identification() };
    let (body, ports) = match &sliced.transport {
        Some(TransportSlice::Tcp(tcp)) => {
            let flags = [
                (tcp.fin(), flag::FIN),
                (tcp.syn(), flag::SYN),
                (tcp.rst(), flag::RST),
                (tcp.psh(), flag::PSH),
                (tcp.ack(), flag::ACK),
                (tcp.urg(), flag::URG),
                (tcp.ece(), flag::ECE),
                (tcp.cwr(), flag::CWR),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .fold(0, |all, (_, bit)| all | bit);
            let record = TcpRecord {
                flags,
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                window: tcp.window_size(),
                len: tcp.payload().len(),
                options: tcp_options(tcp.options()),
            };
            (RecordBody::Tcp(record), (tcp.source_port(), tcp.destination_port()))
        }
        Some(TransportSlice::Udp(udp)) => {
            let body = RecordBody::Udp { len: udp.payload().len() };
            (body, (udp.source_port(), udp.destination_port()))
        }
        Some(TransportSlice::Icmpv4(icmp)) => {
            // Type 3 code 3, quoting the datagram's IPv4 header and its first 8 bytes.
            let bytes = icmp.slice();
            if bytes.first() != Some(&3) || bytes.get(1) != Some(&3) {
                return Err(ParseError("an ICMP message other than port unreachable".into()));
            }
            let quote = icmp.payload();
            let ihl = usize::from(quote.first().copied().unwrap_or(0) & 0x0f) * 4;
            let at = |i: usize| quote.get(i).copied().ok_or_else(|| ParseError("short ICMP quote".into()));
            if ihl < IPV4_HEADER_LEN {
                return Err(ParseError("short ICMP quote".into()));
            }
            let ip_at = |i: usize| -> Result<Ipv4Addr, ParseError> {
                Ok(Ipv4Addr::new(at(i)?, at(i + 1)?, at(i + 2)?, at(i + 3)?))
            };
            let port_at = |i: usize| -> Result<u16, ParseError> { Ok(u16::from_be_bytes([at(i)?, at(i + 1)?])) };
            let quoted_src = SocketAddrV4::new(ip_at(12)?, port_at(ihl)?);
            let quoted_dst = SocketAddrV4::new(ip_at(16)?, port_at(ihl + 2)?);
            (RecordBody::PortUnreachable { quoted_src, quoted_dst }, (0, 0))
        }
        _ => return Err(ParseError("neither TCP, UDP nor ICMP".into())),
    };
    Ok(PacketRecord { src: SocketAddrV4::new(src_ip, ports.0), dst: SocketAddrV4::new(dst_ip, ports.1), body, ip })
}

/// A fragment of a datagram larger than the MTU (`ip_fragment`), read as a
/// packet of its own so the kernel's and the model's fragments are compared
/// one by one. Only the first (offset 0) holds the UDP header and so the
/// ports. `None`: not a fragment.
fn udp_fragment(ip: &[u8]) -> Result<Option<PacketRecord>, ParseError> {
    let (header, rest) = etherparse::Ipv4Header::from_slice(ip).map_err(|e| ParseError(e.to_string()))?;
    let offset = header.fragment_offset.value();
    if !header.more_fragments && offset == 0 {
        return Ok(None);
    }
    if header.protocol != etherparse::IpNumber::UDP {
        return Err(ParseError("a fragment of something other than UDP".into()));
    }
    let data = rest.get(..usize::from(header.payload_len().unwrap_or(0))).unwrap_or(rest);
    let ports = match data {
        [a, b, c, d, ..] if offset == 0 => (u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *d])),
        _ => (0, 0),
    };
    Ok(Some(PacketRecord {
        src: SocketAddrV4::new(Ipv4Addr::from(header.source), ports.0),
        dst: SocketAddrV4::new(Ipv4Addr::from(header.destination), ports.1),
        body: RecordBody::Fragment {
            ip_id: header.identification,
            offset: offset * 8,
            more: header.more_fragments,
            len: data.len(),
        },
        ip: IpFacts { df: header.dont_fragment, id: header.identification },
    }))
}

/// Walks the option bytes kind by kind (RFC 9293 §3.1: kinds 0 and 1 are one
/// byte, every other kind carries its length).
fn tcp_options(bytes: &[u8]) -> TcpOptions {
    let mut o = TcpOptions::default();
    let mut rest = bytes;
    while let Some(&kind) = rest.first() {
        match kind {
            0 => break,
            1 => {
                rest = &rest[1..];
                continue;
            }
            _ => {}
        }
        let len = rest.get(1).map_or(0, |l| usize::from(*l));
        let Some(body) = rest.get(2..len.max(2)).filter(|_| len >= 2) else {
            o.other.push(kind);
            break;
        };
        let u32_at = |i: usize| body.get(i..i + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
        match (kind, body.len()) {
            (2, 2) => o.mss = Some(u16::from_be_bytes([body[0], body[1]])),
            (3, 1) => o.window_scale = Some(body[0]),
            (4, 0) => o.sack_permitted = true,
            (5, n) if n % 8 == 0 => {
                o.sack = (0..n / 8).filter_map(|i| u32_at(i * 8).zip(u32_at(i * 8 + 4))).collect();
            }
            (8, 8) => o.timestamps = u32_at(0).zip(u32_at(4)),
            _ => o.other.push(kind),
        }
        rest = &rest[len..];
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SYN this machine's kernel sent (Linux 6.18, MTU 1500, captured by
    /// `diff --packets --pcap-real` on the handshake lesson):
    /// 127.57.2.2:43446 → 127.57.1.2:80, options in `tcp_options_write`'s
    /// order — MSS 1460, SACK_PERM packed with the timestamps, NOP, wscale 10.
    fn kernel_syn() -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&[
            0x45, 0x00, 0x00, 0x3c, 0xd3, 0xaf, 0x40, 0x00, 0x40, 0x06, 0x65, 0x96, 0x7f, 0x39, 0x02, 0x02, 0x7f, 0x39,
            0x01, 0x02, 0xa9, 0xb6, 0x00, 0x50, 0x22, 0xd5, 0xf9, 0x46, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
            0x01, 0xa5, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xd9, 0xc9, 0xfe, 0x51, 0x00, 0x00,
            0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
        ]);
        f
    }

    #[test]
    fn a_captured_syn_reads_with_all_its_options() {
        let r = parse(&kernel_syn()).expect("parses");
        assert_eq!(r.src, SocketAddrV4::new(Ipv4Addr::new(127, 57, 2, 2), 43446));
        assert_eq!(r.dst, SocketAddrV4::new(Ipv4Addr::new(127, 57, 1, 2), 80));
        let RecordBody::Tcp(t) = r.body else { panic!("not TCP: {:?}", r.body) };
        assert_eq!((t.flags, t.seq, t.window, t.len), (flag::SYN, 0x22d5_f946, 64240, 0));
        assert_eq!(
            t.options,
            TcpOptions {
                mss: Some(1460),
                window_scale: Some(10),
                sack_permitted: true,
                timestamps: Some((0xd9c9_fe51, 0)),
                sack: vec![],
                other: vec![],
            }
        );
    }

    #[test]
    fn sack_blocks_and_unknown_options_are_read_and_bad_bytes_are_errors() {
        let o = tcp_options(&[1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40]);
        assert_eq!(o.sack, vec![(10, 20), (30, 40)]);
        let o = tcp_options(&[30, 4, 0, 0, 2, 4, 5, 0xb4]);
        assert_eq!((o.other, o.mss), (vec![30], Some(1460)));
        // A length that runs past the end stops the walk without a panic.
        let o = tcp_options(&[8, 10, 0, 0]);
        assert_eq!(o.other, vec![8]);
        assert_eq!(tcp_options(&[2, 0]).other, vec![2]);
        assert!(parse(&[0x45, 0, 0]).is_err());
    }

    #[test]
    fn each_fragment_of_a_datagram_reads_as_a_packet_of_its_own() {
        let ip = |more: bool, offset: u16, payload: &[u8]| {
            let mut h = etherparse::Ipv4Header::new(
                payload.len() as u16,
                64,
                etherparse::IpNumber::UDP,
                [127, 1, 2, 2],
                [127, 1, 1, 2],
            )
            .unwrap();
            h.more_fragments = more;
            h.fragment_offset = etherparse::IpFragOffset::try_new(offset).unwrap();
            let mut out = h.to_bytes().to_vec();
            out.extend_from_slice(payload);
            out
        };
        // UDP header: ports 40000 → 9000, length 8 + 65507.
        let mut first = Vec::new();
        for v in [40000u16, 9000, 65515, 0] {
            first.extend_from_slice(&v.to_be_bytes());
        }
        first.extend_from_slice(&[0; 1472]);
        let r = parse(&ip(true, 0, &first)).unwrap();
        assert_eq!(r.body, RecordBody::Fragment { ip_id: 0, offset: 0, more: true, len: 1480 });
        assert_eq!(r.dst, SocketAddrV4::new(Ipv4Addr::new(127, 1, 1, 2), 9000));
        let later = parse(&ip(false, 185, &[0; 395])).unwrap();
        assert_eq!(later.body, RecordBody::Fragment { ip_id: 0, offset: 1480, more: false, len: 395 });
        assert_eq!(later.dst.port(), 0, "a later fragment carries no ports");
    }

    #[test]
    fn the_models_bytes_read_back_through_the_same_parser() {
        let script = crate::script::parse(
            "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 1ms\nserver: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\n\
             server: listen(l, 5) = 0\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n",
        )
        .unwrap();
        let report = crate::script::run(&script, &crate::script::RunOptions::default());
        let syn = report
            .trace
            .iter()
            .find_map(|e| match &e.kind {
                crate::net::TraceKind::Sent { packet, .. } => Some(packet.clone()),
                _ => None,
            })
            .expect("the model sent a SYN");
        let bytes = crate::wire::to_bytes(&syn).unwrap();
        let r = parse(&bytes).unwrap();
        assert_eq!(r.dst, SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80));
        let RecordBody::Tcp(t) = r.body else { panic!("not TCP") };
        assert_eq!(t.flags, flag::SYN);
        assert_eq!(t.options.mss, Some(1460));
        let frames = [Frame { time_us: 1_500_000, ip: bytes }];
        let records = crate::pcap::read(&to_pcap(&frames)).unwrap();
        assert_eq!(records[0].time_us, 1_500_000);
    }
}
