//! Packets as real bytes: IPv4 with TCP, UDP or ICMP, checksums included, built
//! and parsed with etherparse. The inspector shows these bytes and pcap files hold them.

use crate::net::packet::{Body, IpFragment, Packet, Quoted, UdpDatagram};
use crate::net::tcp::segment::{TcpFlags, TcpSegment};
use crate::net::{Ipv4Addr, PacketId};
use etherparse::{Icmpv4Type, IpNumber, Ipv4Header, PacketBuilder, SlicedPacket, TcpOptionElement, TransportSlice};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// etherparse could not build the packet (a field out of range).
    Build(String),
    /// The bytes are not an IPv4 packet we understand.
    Parse(String),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Build(e) => write!(f, "cannot build packet: {e}"),
            WireError::Parse(e) => write!(f, "cannot parse packet: {e}"),
        }
    }
}

impl std::error::Error for WireError {}

/// Serializes a packet to IPv4 bytes with valid header, TCP/UDP and ICMP checksums.
pub fn to_bytes(packet: &Packet) -> Result<Vec<u8>, WireError> {
    let ip = |proto: IpNumber, payload_len: usize| -> Result<Ipv4Header, WireError> {
        let mut h = Ipv4Header::new(payload_len as u16, packet.ttl, proto, packet.src.octets(), packet.dst.octets())
            .map_err(|e| WireError::Build(e.to_string()))?;
        h.identification = packet.ip_id;
        // Linux sets DF on what it may not cut (path MTU discovery, on by
        // default for TCP and UDP alike: ip_dont_fragment); a datagram it did
        // cut has none, and the ICMP socket sets none (IP_PMTUDISC_DONT).
        h.dont_fragment = matches!(packet.body, Body::Tcp(_) | Body::Udp(_));
        if let Body::Fragment(frag) = &packet.body {
            h.more_fragments = frag.more;
            // The field counts 8-byte units (`ip_do_fragment`: `offset >> 3`).
            h.fragment_offset =
                etherparse::IpFragOffset::try_new(frag.offset / 8).map_err(|e| WireError::Build(e.to_string()))?;
        }
        h.header_checksum = h.calc_header_checksum();
        Ok(h)
    };
    let mut out = Vec::with_capacity(packet.wire_len());
    match &packet.body {
        Body::Tcp(seg) => {
            let mut builder = PacketBuilder::ip(etherparse::IpHeaders::Ipv4(ip(IpNumber::TCP, 0)?, Default::default()))
                .tcp(seg.src_port, seg.dst_port, seg.seq, seg.window);
            if seg.flags.syn() {
                builder = builder.syn();
            }
            if seg.flags.ack() {
                builder = builder.ack(seg.ack);
            }
            if seg.flags.fin() {
                builder = builder.fin();
            }
            if seg.flags.rst() {
                builder = builder.rst();
            }
            if seg.flags.psh() {
                builder = builder.psh();
            }
            let mut options = Vec::new();
            if let Some(mss) = seg.mss {
                options.push(TcpOptionElement::MaximumSegmentSize(mss));
            }
            // Linux's layout (tcp_options_write): with timestamps, SACK_PERM
            // takes the place of the two NOPs that align TS (MSS, SACK_PERM,
            // TS, NOP, WS); without them, NOP, NOP, SACK_PERM, then NOP, WS.
            match (seg.timestamps, seg.sack_permitted) {
                (Some((tsval, tsecr)), true) => {
                    options.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
                    options.push(TcpOptionElement::Timestamp(tsval, tsecr));
                }
                (Some((tsval, tsecr)), false) => {
                    options.extend([TcpOptionElement::Noop, TcpOptionElement::Noop]);
                    options.push(TcpOptionElement::Timestamp(tsval, tsecr));
                }
                (None, true) => {
                    options.extend([TcpOptionElement::Noop, TcpOptionElement::Noop]);
                    options.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
                }
                (None, false) => {}
            }
            if let Some(ws) = seg.window_scale {
                options.push(TcpOptionElement::Noop);
                options.push(TcpOptionElement::WindowScale(ws));
            }
            if let Some((&first, rest)) = seg.sack_blocks.split_first() {
                options.extend([TcpOptionElement::Noop, TcpOptionElement::Noop]);
                let mut more = [None; 3];
                for (slot, &block) in more.iter_mut().zip(rest) {
                    *slot = Some(block);
                }
                options.push(TcpOptionElement::SelectiveAcknowledgement(first, more));
            }
            if !options.is_empty() {
                builder = builder.options(&options).map_err(|e| WireError::Build(e.to_string()))?;
            }
            builder.write(&mut out, &seg.payload).map_err(|e| WireError::Build(e.to_string()))?;
        }
        Body::Udp(d) => {
            PacketBuilder::ip(etherparse::IpHeaders::Ipv4(ip(IpNumber::UDP, 0)?, Default::default()))
                .udp(d.src_port, d.dst_port)
                .write(&mut out, &d.payload)
                .map_err(|e| WireError::Build(e.to_string()))?;
        }
        // A fragment's data is a slice of the datagram's UDP bytes, checksum
        // and all: it goes out as it is, behind its own IP header.
        Body::Fragment(frag) => {
            let header = ip(IpNumber::UDP, frag.data.len())?;
            header.write(&mut out).map_err(|e| WireError::Build(e.to_string()))?;
            out.extend_from_slice(&frag.data);
        }
        Body::PortUnreachable(q) => {
            let quoted = quoted_bytes(q)?;
            PacketBuilder::ip(etherparse::IpHeaders::Ipv4(ip(IpNumber::ICMP, 0)?, Default::default()))
                .icmpv4(Icmpv4Type::DestinationUnreachable(etherparse::icmpv4::DestUnreachableHeader::Port))
                .write(&mut out, &quoted)
                .map_err(|e| WireError::Build(e.to_string()))?;
        }
    }
    Ok(out)
}

/// The original datagram's IPv4 header and first 8 bytes (its UDP header), as an
/// ICMP error quotes them (RFC 792).
fn quoted_bytes(q: &Quoted) -> Result<Vec<u8>, WireError> {
    let mut h = Ipv4Header::new(q.udp_len, 64, IpNumber::UDP, q.src.octets(), q.dst.octets())
        .map_err(|e| WireError::Build(e.to_string()))?;
    h.identification = q.ip_id;
    let mut out = h.to_bytes().to_vec();
    out.extend_from_slice(&q.src_port.to_be_bytes());
    out.extend_from_slice(&q.dst_port.to_be_bytes());
    out.extend_from_slice(&q.udp_len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

/// Parses IPv4 bytes back into a packet (with the given id; ids are not on the wire).
pub fn from_bytes(bytes: &[u8], id: PacketId) -> Result<Packet, WireError> {
    let sliced = SlicedPacket::from_ip(bytes).map_err(|e| WireError::Parse(e.to_string()))?;
    let Some(etherparse::NetSlice::Ipv4(ipv4)) = &sliced.net else {
        return Err(WireError::Parse("not IPv4".into()));
    };
    let header = ipv4.header();
    let src = Ipv4Addr::from(header.source());
    let dst = Ipv4Addr::from(header.destination());
    if header.more_fragments() || header.fragments_offset().value() != 0 {
        if header.protocol() != IpNumber::UDP {
            return Err(WireError::Parse("a fragment of something other than UDP".into()));
        }
        let body = Body::Fragment(IpFragment {
            offset: header.fragments_offset().value() * 8,
            more: header.more_fragments(),
            data: Arc::from(ipv4.payload().payload),
        });
        return Ok(Packet { id, src, dst, ip_id: header.identification(), ttl: header.ttl(), body });
    }
    let body = match &sliced.transport {
        Some(TransportSlice::Tcp(tcp)) => {
            let mut mss = None;
            let mut window_scale = None;
            let mut timestamps = None;
            let mut sack_permitted = false;
            let mut sack_blocks = Vec::new();
            for option in tcp.options_iterator() {
                match option.map_err(|e| WireError::Parse(e.to_string()))? {
                    TcpOptionElement::MaximumSegmentSize(m) => mss = Some(m),
                    TcpOptionElement::WindowScale(w) => window_scale = Some(w),
                    TcpOptionElement::Timestamp(tsval, tsecr) => timestamps = Some((tsval, tsecr)),
                    TcpOptionElement::SelectiveAcknowledgementPermitted => sack_permitted = true,
                    TcpOptionElement::SelectiveAcknowledgement(first, more) => {
                        sack_blocks.push(first);
                        sack_blocks.extend(more.into_iter().flatten());
                    }
                    _ => {}
                }
            }
            let mut flags = 0u8;
            for (on, bit) in [
                (tcp.fin(), TcpFlags::FIN),
                (tcp.syn(), TcpFlags::SYN),
                (tcp.rst(), TcpFlags::RST),
                (tcp.psh(), TcpFlags::PSH),
                (tcp.ack(), TcpFlags::ACK),
            ] {
                if on {
                    flags |= bit.0;
                }
            }
            Body::Tcp(TcpSegment {
                src_port: tcp.source_port(),
                dst_port: tcp.destination_port(),
                seq: tcp.sequence_number(),
                // Without the ACK flag the field means nothing; our segments carry 0 there.
                ack: if tcp.ack() { tcp.acknowledgment_number() } else { 0 },
                flags: TcpFlags(flags),
                window: tcp.window_size(),
                mss,
                window_scale,
                timestamps,
                sack_permitted,
                sack_blocks: sack_blocks.into(),
                payload: Arc::from(tcp.payload()),
            })
        }
        Some(TransportSlice::Udp(udp)) => Body::Udp(UdpDatagram {
            src_port: udp.source_port(),
            dst_port: udp.destination_port(),
            payload: Arc::from(udp.payload()),
        }),
        Some(TransportSlice::Icmpv4(icmp)) => {
            let q = icmp.payload();
            let inner = Ipv4Header::from_slice(q).map_err(|e| WireError::Parse(e.to_string()))?.0;
            let rest = q
                .get(inner.header_len()..inner.header_len() + 8)
                .ok_or_else(|| WireError::Parse("short ICMP quote".into()))?;
            Body::PortUnreachable(Quoted {
                src: Ipv4Addr::from(inner.source),
                dst: Ipv4Addr::from(inner.destination),
                ip_id: inner.identification,
                src_port: u16::from_be_bytes([rest[0], rest[1]]),
                dst_port: u16::from_be_bytes([rest[2], rest[3]]),
                udp_len: u16::from_be_bytes([rest[4], rest[5]]),
            })
        }
        _ => return Err(WireError::Parse("unsupported transport".into())),
    };
    Ok(Packet { id, src, dst, ip_id: header.identification(), ttl: header.ttl(), body })
}

/// A named byte range of a serialized packet, for the inspector's highlighting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub layer: &'static str,
    pub name: &'static str,
    pub start: usize,
    pub len: usize,
}

/// The TCP options' byte ranges, from the TCP header's start, in the order
/// `to_bytes` writes them (each with the NOPs that align it).
fn option_fields(seg: &TcpSegment) -> Vec<(&'static str, usize, usize)> {
    let mut at = 20;
    let mut v = Vec::new();
    let mut add = |name, len| {
        v.push((name, at, len));
        at += len;
    };
    if seg.mss.is_some() {
        add("MSS option", 4);
    }
    // As tcp_options_write lays them out (see `to_bytes`): with timestamps,
    // SACK_PERM (2 bytes) stands where the two NOPs before TS would.
    match (seg.timestamps.is_some(), seg.sack_permitted) {
        (true, sack_permitted) => {
            add(if sack_permitted { "SACK-permitted option" } else { "NOP padding" }, 2);
            add("timestamps option", 2);
            add("TSval", 4);
            add("TSecr", 4);
        }
        (false, true) => add("SACK-permitted option", 4),
        (false, false) => {}
    }
    if seg.window_scale.is_some() {
        add("window scale option", 4);
    }
    if !seg.sack_blocks.is_empty() {
        add("SACK option", 4 + 8 * seg.sack_blocks.len());
    }
    v
}

/// The header fields of a serialized packet and where their bytes are.
pub fn fields(packet: &Packet) -> Vec<Field> {
    let f = |layer, name, start, len| Field { layer, name, start, len };
    let mut v = vec![
        f("IPv4", "version / IHL", 0, 1),
        f("IPv4", "DSCP / ECN", 1, 1),
        f("IPv4", "total length", 2, 2),
        f("IPv4", "identification", 4, 2),
        f("IPv4", "flags / fragment offset", 6, 2),
        f("IPv4", "TTL", 8, 1),
        f("IPv4", "protocol", 9, 1),
        f("IPv4", "header checksum", 10, 2),
        f("IPv4", "source address", 12, 4),
        f("IPv4", "destination address", 16, 4),
    ];
    let t = 20;
    match &packet.body {
        Body::Tcp(seg) => {
            v.extend([
                f("TCP", "source port", t, 2),
                f("TCP", "destination port", t + 2, 2),
                f("TCP", "sequence number", t + 4, 4),
                f("TCP", "acknowledgment number", t + 8, 4),
                f("TCP", "data offset / flags", t + 12, 2),
                f("TCP", "window", t + 14, 2),
                f("TCP", "checksum", t + 16, 2),
                f("TCP", "urgent pointer", t + 18, 2),
            ]);
            v.extend(option_fields(seg).into_iter().map(|(name, at, len)| f("TCP", name, t + at, len)));
            if !seg.payload.is_empty() {
                v.push(f("TCP", "payload", t + seg.header_len(), seg.payload.len()));
            }
        }
        Body::Udp(d) => {
            v.extend([
                f("UDP", "source port", t, 2),
                f("UDP", "destination port", t + 2, 2),
                f("UDP", "length", t + 4, 2),
                f("UDP", "checksum", t + 6, 2),
            ]);
            if !d.payload.is_empty() {
                v.push(f("UDP", "payload", t + 8, d.payload.len()));
            }
        }
        Body::Fragment(frag) if frag.offset == 0 && frag.data.len() >= 8 => {
            v.extend([
                f("UDP", "source port", t, 2),
                f("UDP", "destination port", t + 2, 2),
                f("UDP", "length", t + 4, 2),
                f("UDP", "checksum", t + 6, 2),
            ]);
            if frag.data.len() > 8 {
                v.push(f("UDP", "payload (first part)", t + 8, frag.data.len() - 8));
            }
        }
        Body::Fragment(frag) => v.push(f("IPv4", "fragment data", t, frag.data.len())),
        Body::PortUnreachable(_) => {
            v.extend([
                f("ICMP", "type", t, 1),
                f("ICMP", "code", t + 1, 1),
                f("ICMP", "checksum", t + 2, 2),
                f("ICMP", "unused", t + 4, 4),
                f("ICMP", "quoted datagram", t + 8, 28),
            ]);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(seg: TcpSegment) -> Packet {
        let (src, dst) = (Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 1));
        Packet { id: PacketId(1), src, dst, ip_id: 0, ttl: 64, body: Body::Tcp(seg) }
    }

    fn segment() -> TcpSegment {
        TcpSegment {
            src_port: 40000,
            dst_port: 80,
            seq: 1000,
            ack: 0,
            flags: TcpFlags::SYN,
            window: 65535,
            mss: Some(1460),
            window_scale: Some(7),
            timestamps: None,
            sack_permitted: true,
            sack_blocks: Default::default(),
            payload: Arc::from(&[][..]),
        }
    }

    #[test]
    fn a_syn_offers_sack_in_linux_option_order_and_reads_back() {
        let packet = tcp(segment());
        let bytes = to_bytes(&packet).unwrap();
        // tcp_options_write without timestamps: MSS, NOP, NOP, SACK_PERM, NOP, WS.
        assert_eq!(&bytes[40..52], &[2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]);
        assert_eq!(from_bytes(&bytes, PacketId(1)).unwrap(), packet);
        let names: Vec<_> = fields(&packet)
            .into_iter()
            .filter(|f| f.name.ends_with("option"))
            .map(|f| (f.name, f.start, f.len))
            .collect();
        assert_eq!(
            names,
            vec![("MSS option", 40, 4), ("SACK-permitted option", 44, 4), ("window scale option", 48, 4)]
        );
    }

    #[test]
    fn sack_blocks_are_written_after_two_nops_and_read_back_in_order() {
        let seg = TcpSegment {
            flags: TcpFlags::ACK,
            ack: 5000,
            mss: None,
            window_scale: None,
            sack_permitted: false,
            sack_blocks: vec![(7000, 8000), (5500, 6000), (9000, 9500), (10_000, 10_001)].into(),
            ..segment()
        };
        let packet = tcp(seg);
        let bytes = to_bytes(&packet).unwrap();
        assert_eq!(bytes.len(), 20 + 20 + 4 + 32);
        assert_eq!(&bytes[40..44], &[1, 1, 5, 34]);
        assert_eq!(&bytes[44..52], &[0, 0, 0x1b, 0x58, 0, 0, 0x1f, 0x40]);
        assert_eq!(from_bytes(&bytes, PacketId(1)).unwrap(), packet);
        let sack = fields(&packet).into_iter().find(|f| f.name == "SACK option").unwrap();
        assert_eq!((sack.start, sack.len), (40, 36));
    }
    use crate::net::fragment;

    /// A fragment's MF flag, offset (in 8-byte units on the wire) and shared
    /// IP ID survive the round trip, DF is clear, and etherparse reads the
    /// header as a fragment of a UDP datagram.
    #[test]
    fn fragments_round_trip_with_flags_offset_and_id() {
        let (src, dst) = (Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 1));
        let d = UdpDatagram { src_port: 40000, dst_port: 9000, payload: Arc::from(vec![9u8; 3000]) };
        let pieces = fragment::cut(src, dst, &d, 1500).expect("cut");
        for (i, piece) in pieces.into_iter().enumerate() {
            let packet = Packet { id: PacketId(1), src, dst, ip_id: 77, ttl: 64, body: Body::Fragment(piece) };
            let bytes = to_bytes(&packet).expect("bytes");
            assert_eq!(bytes.len(), packet.wire_len());
            let header = Ipv4Header::from_slice(&bytes).expect("header").0;
            assert_eq!(header.fragment_offset.value(), i as u16 * 185, "1480 bytes = 185 units");
            assert_eq!(header.more_fragments, i < 2);
            assert!(!header.dont_fragment);
            assert_eq!(header.identification, 77);
            assert_eq!(header.header_checksum, header.calc_header_checksum());
            assert_eq!(from_bytes(&bytes, PacketId(1)).expect("parse"), packet);
        }
    }
}
