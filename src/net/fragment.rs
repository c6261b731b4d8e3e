//! IPv4 fragmentation of UDP datagrams larger than the path MTU, and their
//! reassembly at the receiver, as Linux does both.
//!
//! Cutting follows `ip_do_fragment` / `__ip_append_data` (net/ipv4/ip_output.c):
//! every fragment but the last carries the largest multiple of 8 bytes that
//! fits the MTU after the 20-byte IP header, the first starts with the UDP
//! header (its length and checksum cover the whole datagram), all share one IP
//! ID, MF is set on all but the last, and DF is clear (the socket default
//! `IP_PMTUDISC_WANT` fragments locally).
//!
//! Reassembly follows `ip_defrag` / `ip_frag_queue` / `ip_frag_reasm`
//! (net/ipv4/ip_fragment.c): one queue per (source, destination, protocol, IP
//! ID), a fragment wholly inside data already queued is a duplicate and
//! dropped alone, one that overlaps part of it discards the whole queue
//! (`inet_frag_queue_insert` → `IPFRAG_OVERLAP`), and a queue not complete
//! `ipfrag_time` (30 s) after its first fragment came is dropped (`ip_expire`).
//! `ip_expire` also answers with ICMP time exceeded (fragment reassembly) when
//! the first fragment was among those held; the model sends no such ICMP yet.

use super::addr::{Ipv4Addr, PacketId};
use super::packet::{IpFragment, UdpDatagram, IPV4_HEADER_LEN, UDP_HEADER_LEN};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `net.ipv4.ipfrag_time`: how long an incomplete datagram waits, in µs.
pub const IPFRAG_TIME_US: u64 = 30_000_000;

/// The datagram's UDP header and payload as bytes, with the checksum over the
/// pseudo-header (RFC 768), as the first fragment carries them.
fn udp_bytes(src: Ipv4Addr, dst: Ipv4Addr, d: &UdpDatagram) -> Vec<u8> {
    let len = UDP_HEADER_LEN + d.payload.len();
    // Callers cut only datagrams that passed the EMSGSIZE check, whose length fits.
    let len16 = u16::try_from(len).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&d.src_port.to_be_bytes());
    out.extend_from_slice(&d.dst_port.to_be_bytes());
    out.extend_from_slice(&len16.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&d.payload);
    let mut sum: u64 = 0;
    for half in [src.octets(), dst.octets()] {
        sum += u64::from(u16::from_be_bytes([half[0], half[1]])) + u64::from(u16::from_be_bytes([half[2], half[3]]));
    }
    sum += 17 + u64::from(len16);
    for pair in out.chunks(2) {
        sum += u64::from(u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    // A computed 0 is sent as 0xffff: 0 means "no checksum" for UDP over IPv4.
    let checksum = match !(sum as u16) {
        0 => 0xffff,
        c => c,
    };
    out[6..8].copy_from_slice(&checksum.to_be_bytes());
    out
}

/// The fragments a datagram from `src` to `dst` leaves in over a path of
/// `mtu`, or `None` when it fits in one packet.
pub fn cut(src: Ipv4Addr, dst: Ipv4Addr, d: &UdpDatagram, mtu: u32) -> Option<Vec<IpFragment>> {
    let ip_payload = UDP_HEADER_LEN + d.payload.len();
    let mtu = mtu as usize;
    if IPV4_HEADER_LEN + ip_payload <= mtu {
        return None;
    }
    // `maxfraglen` in `__ip_append_data`: the data of each fragment but the
    // last is a multiple of 8, as the offset field counts 8-byte units. An MTU
    // below 28 still carries 8 bytes a fragment (Linux refuses such an MTU).
    let per_fragment = (mtu.saturating_sub(IPV4_HEADER_LEN) & !7).max(8);
    let bytes = udp_bytes(src, dst, d);
    let fragments = bytes
        .chunks(per_fragment)
        .enumerate()
        .map(|(i, chunk)| IpFragment {
            offset: u16::try_from(i * per_fragment).unwrap_or(u16::MAX),
            more: (i + 1) * per_fragment < bytes.len(),
            data: Arc::from(chunk),
        })
        .collect();
    Some(fragments)
}

/// The fields that say which datagram a fragment belongs to (`ipqhashfn`'s
/// key: the protocol is always UDP here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FragKey {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ip_id: u16,
}

/// One incomplete datagram: the pieces so far, by offset.
#[derive(Clone, Debug)]
pub struct FragQueue {
    /// When its first fragment arrived: `ip_expire` runs `ipfrag_time` later.
    pub started: u64,
    parts: BTreeMap<usize, Arc<[u8]>>,
    /// The datagram's length, known once the last fragment (MF clear) came.
    total: Option<usize>,
    /// The largest end seen so far (`q.len` before the last fragment came).
    end: usize,
    /// The fragments queued, for the trace.
    pub packets: Vec<PacketId>,
}

impl FragQueue {
    pub fn received_bytes(&self) -> usize {
        self.parts.values().map(|p| p.len()).sum()
    }

    /// Whether the first fragment (the one with the UDP header) arrived: only
    /// then does `ip_expire` answer with ICMP time exceeded.
    pub fn has_first(&self) -> bool {
        self.parts.contains_key(&0)
    }
}

/// What became of a fragment handed to [`Reassembly::add`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// Queued; the datagram is not complete yet. `new_queue` when it is the
    /// first of its datagram to arrive (the 30 s timer starts).
    Queued { new_queue: bool },
    /// It held only bytes already queued: dropped alone (`IPFRAG_DUP`).
    Duplicate,
    /// It contradicts what is queued (overlaps part of a piece, or ends
    /// elsewhere than the last fragment said): the whole datagram is dropped
    /// (`ip_frag_queue`'s `discard_qp`). `fragments` were queued.
    Discarded { fragments: Vec<PacketId> },
    /// The datagram is whole: its IP payload (UDP header first) and the
    /// fragments it came in.
    Complete { bytes: Vec<u8>, fragments: Vec<PacketId> },
}

/// A host's reassembly queues (`ipv4.fqdir`).
#[derive(Clone, Debug, Default)]
pub struct Reassembly {
    queues: BTreeMap<FragKey, FragQueue>,
}

impl Reassembly {
    /// Adds fragment `packet`, arriving at `now`.
    pub fn add(&mut self, key: FragKey, packet: PacketId, frag: &IpFragment, now: u64) -> Added {
        let new_queue = !self.queues.contains_key(&key);
        let queue = self.queues.entry(key).or_insert_with(|| FragQueue {
            started: now,
            parts: BTreeMap::new(),
            total: None,
            end: 0,
            packets: Vec::new(),
        });
        let start = usize::from(frag.offset);
        let end = start + frag.data.len();
        // ip_frag_queue: the last fragment fixes the length; nothing may end
        // past it, and a second "last" must agree with the first.
        let contradicts = if frag.more {
            queue.total.is_some_and(|total| end > total)
        } else {
            end < queue.end || queue.total.is_some_and(|total| total != end)
        };
        let before = queue.parts.range(..=start).next_back().map(|(&s, p)| (s, s + p.len()));
        let after = queue.parts.range(start..).find(|(&s, _)| s != start || frag.data.is_empty()).map(|(&s, _)| s);
        let inside = before.is_some_and(|(s, e)| s <= start && end <= e);
        if inside && !contradicts {
            return Added::Duplicate;
        }
        let overlaps = before.is_some_and(|(_, e)| e > start) || after.is_some_and(|s| s < end);
        if contradicts || overlaps {
            let mut dropped = self.queues.remove(&key).map(|q| q.packets).unwrap_or_default();
            dropped.push(packet);
            return Added::Discarded { fragments: dropped };
        }
        if !frag.more {
            queue.total = Some(end);
        }
        queue.end = queue.end.max(end);
        queue.parts.insert(start, frag.data.clone());
        queue.packets.push(packet);
        let complete = queue.total.is_some_and(|total| queue.received_bytes() == total);
        if !complete {
            return Added::Queued { new_queue };
        }
        let Some(queue) = self.queues.remove(&key) else { return Added::Queued { new_queue } };
        // The pieces neither overlap nor leave gaps (checked above), so in
        // offset order they are the datagram.
        let bytes = queue.parts.values().flat_map(|p| p.iter().copied()).collect();
        Added::Complete { bytes, fragments: queue.packets }
    }

    /// `ip_expire`: drops `key`'s queue if it is still the one started at
    /// `started` (a datagram completed and a new one with the same ID began
    /// has a timer of its own).
    pub fn expire(&mut self, key: FragKey, started: u64) -> Option<FragQueue> {
        if self.queues.get(&key)?.started != started {
            return None;
        }
        self.queues.remove(&key)
    }

    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn datagram(len: usize) -> UdpDatagram {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        UdpDatagram { src_port: 40000, dst_port: 9000, payload: Arc::from(payload) }
    }

    fn key() -> FragKey {
        FragKey { src: A, dst: B, ip_id: 7 }
    }

    #[test]
    fn the_largest_datagram_leaves_in_45_fragments_at_mtu_1500() {
        let frags = cut(A, B, &datagram(65507), 1500).expect("too big for one packet");
        assert_eq!(frags.len(), 45);
        // 1480 bytes of IP payload each, the first holding the UDP header.
        assert_eq!(frags[0].data.len(), 1480);
        assert_eq!(frags[0].udp_ports(), Some((40000, 9000)));
        assert_eq!(&frags[0].data[4..6], &65515u16.to_be_bytes(), "the UDP length covers the whole datagram");
        for (i, f) in frags.iter().enumerate() {
            assert_eq!(usize::from(f.offset), i * 1480);
            assert_eq!(f.offset % 8, 0);
            assert_eq!(f.more, i < 44);
        }
        assert_eq!(frags[44].data.len(), 65515 - 44 * 1480);
        assert_eq!(frags[1].udp_ports(), None, "later fragments carry no UDP header");
    }

    #[test]
    fn a_datagram_that_fits_is_not_cut_and_odd_mtus_round_down_to_8() {
        assert_eq!(cut(A, B, &datagram(1472), 1500), None);
        let frags = cut(A, B, &datagram(1473), 1500).expect("one byte too many");
        assert_eq!(frags.iter().map(|f| f.data.len()).collect::<Vec<_>>(), [1480, 1]);
        // MTU 1006: 986 bytes after the header, 984 of them a multiple of 8.
        let frags = cut(A, B, &datagram(2000), 1006).expect("cut");
        assert_eq!(
            frags.iter().map(|f| (f.offset, f.data.len())).collect::<Vec<_>>(),
            [(0, 984), (984, 984), (1968, 40)]
        );
    }

    #[test]
    fn the_checksum_verifies_over_the_pseudo_header() {
        let bytes = udp_bytes(A, B, &datagram(999));
        let header =
            etherparse::Ipv4Header::new(bytes.len() as u16, 64, etherparse::IpNumber::UDP, A.octets(), B.octets())
                .expect("header");
        let udp = etherparse::UdpHeader::from_slice(&bytes).expect("udp").0;
        assert_eq!(udp.calc_checksum_ipv4(&header, &bytes[8..]).expect("sum"), udp.checksum);
    }

    fn reassemble(order: &[usize], frags: &[IpFragment]) -> Vec<Added> {
        let mut r = Reassembly::default();
        order.iter().map(|&i| r.add(key(), PacketId(i as u64), &frags[i], 5)).collect()
    }

    #[test]
    fn fragments_in_any_order_make_the_datagram_once_all_are_in() {
        let d = datagram(5000);
        let frags = cut(A, B, &d, 1500).expect("cut");
        assert_eq!(frags.len(), 4);
        let out = reassemble(&[3, 1, 0, 2], &frags);
        assert_eq!(out[0], Added::Queued { new_queue: true });
        assert_eq!(out[1], Added::Queued { new_queue: false });
        let Added::Complete { bytes, fragments } = &out[3] else { panic!("{:?}", out[3]) };
        assert_eq!(&bytes[8..], &d.payload[..]);
        assert_eq!(fragments, &[PacketId(3), PacketId(1), PacketId(0), PacketId(2)]);
    }

    #[test]
    fn a_duplicate_is_dropped_alone_and_an_overlap_drops_the_datagram() {
        let frags = cut(A, B, &datagram(5000), 1500).expect("cut");
        let out = reassemble(&[0, 0, 1, 2, 3], &frags);
        assert_eq!(out[1], Added::Duplicate);
        assert!(matches!(out[4], Added::Complete { .. }));
        // A piece straddling two queued ones: the whole queue goes.
        let mut r = Reassembly::default();
        r.add(key(), PacketId(1), &frags[0], 0);
        let straddle = IpFragment { offset: 1000, more: true, data: Arc::from(vec![0; 800]) };
        assert_eq!(
            r.add(key(), PacketId(9), &straddle, 0),
            Added::Discarded { fragments: vec![PacketId(1), PacketId(9)] }
        );
        assert!(r.is_empty());
    }

    #[test]
    fn a_missing_fragment_leaves_the_queue_until_it_expires() {
        let frags = cut(A, B, &datagram(5000), 1500).expect("cut");
        let mut r = Reassembly::default();
        for (i, f) in frags.iter().enumerate().skip(1) {
            r.add(key(), PacketId(i as u64), f, 100);
        }
        assert!(r.expire(key(), 99).is_none(), "a timer of an older queue does not drop this one");
        let q = r.expire(key(), 100).expect("expired");
        assert_eq!(q.packets.len(), 3);
        assert!(!q.has_first());
        assert!(r.is_empty());
    }
}
