//! The packet log a run keeps for its expectations: every packet that left a
//! host, with its sequence numbers made relative to the connection's initial
//! ones, whether it was lost, duplicated or reordered, the counters
//! `expect sent|lost|duplicated|reordered` read, and the matching of
//! `expect A > B PATTERN` lines against it. It knows nothing of the world: the
//! runner tells it where each packet was going.

use super::ast::{Counter, PacketKind, PacketPattern};
use super::failure::{PacketShape, SeenPacket};
use super::render::{describe_packet, relative_sack};
use super::time::format_time;
use crate::net::packet::{Body, Packet};
use crate::net::{HostId, PacketId, SocketAddrV4};
use std::collections::{HashMap, HashSet};

/// A packet that left a host, with what the expectations need to know.
#[derive(Clone, Debug)]
pub struct SentRec {
    pub time: u64,
    pub from: HostId,
    /// The host it was going to; `None` when no host has its address.
    pub to: Option<HostId>,
    pub packet: Packet,
    pub rel_seq: u32,
    pub rel_ack: u32,
    pub lost: bool,
    pub duplicated: bool,
    pub reordered: bool,
}

impl SentRec {
    fn goes(&self, from: HostId, to: HostId) -> bool {
        self.from == from && self.to == Some(to)
    }

    /// The SACK blocks, relative to the peer's initial sequence number as `rel_ack` is.
    pub fn rel_sack(&self) -> Vec<(u32, u32)> {
        match &self.packet.body {
            Body::Tcp(s) => relative_sack(s, self.rel_ack),
            _ => Vec::new(),
        }
    }

    /// The packet as a failure shows it.
    pub fn seen(&self) -> SeenPacket {
        let shape = match &self.packet.body {
            Body::PortUnreachable(q) => PacketShape::PortUnreachable(q.dst_port),
            Body::Tcp(_) | Body::Udp(_) | Body::Fragment(_) => {
                PacketShape::Written(describe_packet(&self.packet, self.rel_seq, self.rel_ack))
            }
        };
        SeenPacket { shape, id: self.packet.id.0, at: self.time, lost: self.lost }
    }

    /// The packet as an expectation line's outcome shows it:
    /// `[S] seq 0 len 0 win 65535 (#1 at 0 ms)`.
    pub fn describe(&self) -> String {
        let mut s = describe_packet(&self.packet, self.rel_seq, self.rel_ack);
        s.push_str(&format!(
            " (#{} at {}{})",
            self.packet.id.0,
            format_time(self.time),
            if self.lost { ", lost" } else { "" }
        ));
        s
    }
}

/// What a packet expectation looks for: a packet from one host to another of
/// a shape, and, when the line gives a time, sent within a tolerance of it.
#[derive(Clone, Copy, Debug)]
pub struct Wanted<'p> {
    pub from: HostId,
    pub to: HostId,
    pub pattern: &'p PacketPattern,
    /// `expect eventually`: skip packets that do not match.
    pub eventually: bool,
    /// When it must have been sent, and how far off it may be.
    pub at: Option<(u64, u64)>,
}

impl Wanted<'_> {
    pub fn on_time(&self, sent: u64) -> bool {
        self.at.is_none_or(|(at, tolerance)| sent.abs_diff(at) <= tolerance)
    }
}

/// Where a scan of the log for a [`Wanted`] packet stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// The packet at this index is the one (it may still be off time: an
    /// expectation without `eventually` takes the next packet of the right
    /// shape and then says it came at the wrong time).
    Found(usize),
    /// The packet at this index is the next on the path and not of the
    /// shape; `later` is a packet after it that is.
    Wrong { index: usize, later: Option<usize> },
    /// Nothing yet: the scan went through the log; go on from `next` once
    /// more packets were sent.
    NotYet { next: usize },
}

/// Packets sent, lost, duplicated and reordered: what a packet counter reads.
#[derive(Clone, Copy, Debug, Default)]
struct PacketCounts {
    sent: u64,
    lost: u64,
    duplicated: u64,
    reordered: u64,
}

impl PacketCounts {
    fn add(&mut self, counter: Counter) {
        match counter {
            Counter::Lost => self.lost += 1,
            Counter::Duplicated => self.duplicated += 1,
            Counter::Reordered => self.reordered += 1,
            _ => self.sent += 1,
        }
    }

    /// The count `expect COUNTER` compares; the counters of one socket
    /// (delivered, cwnd, …) are not packet counts and read as all sent, as the
    /// scan they replace did.
    fn get(&self, counter: Counter) -> u64 {
        match counter {
            Counter::Lost => self.lost,
            Counter::Duplicated => self.duplicated,
            Counter::Reordered => self.reordered,
            _ => self.sent,
        }
    }
}

/// Every packet a run sent, in order, and how far the expectations got.
#[derive(Clone, Debug, Default)]
pub struct PacketLog {
    sent: Vec<SentRec>,
    by_id: HashMap<PacketId, usize>,
    /// The initial sequence number of each direction of a connection (from
    /// its SYN), that `seq`/`ack` in a pattern count from.
    isn: HashMap<(SocketAddrV4, SocketAddrV4), u32>,
    /// The packet counters, kept as packets go, for all packets and per (from,
    /// to): rescanning `sent` for each `expect COUNTER` line was 1.6 ms a line
    /// on a large run.
    counts: PacketCounts,
    counts_by_path: HashMap<(HostId, HostId), PacketCounts>,
    /// Heap bytes the records' payloads hold (see [`PacketLog::heap_bytes`]).
    payload_bytes: u64,
    /// Packets before this index are behind the expectations.
    cursor: usize,
    /// Packets at or after the cursor already matched (same-instant packets
    /// may be expected in any order).
    matched: HashSet<usize>,
    /// When the packet the last expectation matched was sent: what `+TIME` on
    /// the next one counts from.
    last_matched_at: Option<u64>,
}

impl PacketLog {
    /// Logs a packet `from` sent at `time`, going to `to`.
    pub fn record(&mut self, time: u64, from: HostId, to: Option<HostId>, packet: Packet) {
        let (mut rel_seq, mut rel_ack) = (0, 0);
        if let Body::Tcp(s) = &packet.body {
            let me = SocketAddrV4::new(packet.src, s.src_port);
            let peer = SocketAddrV4::new(packet.dst, s.dst_port);
            if s.flags.syn() {
                self.isn.insert((me, peer), s.seq);
            }
            rel_seq = s.seq.wrapping_sub(self.isn.get(&(me, peer)).copied().unwrap_or(0));
            rel_ack = s.ack.wrapping_sub(self.isn.get(&(peer, me)).copied().unwrap_or(0));
        }
        self.by_id.insert(packet.id, self.sent.len());
        self.counts.add(Counter::Sent);
        if let Some(to) = to {
            self.counts_by_path.entry((from, to)).or_default().add(Counter::Sent);
        }
        self.payload_bytes += payload_heap_bytes(&packet);
        self.sent.push(SentRec {
            time,
            from,
            to,
            packet,
            rel_seq,
            rel_ack,
            lost: false,
            duplicated: false,
            reordered: false,
        });
    }

    /// Marks a logged packet lost, duplicated or reordered, counting it once.
    pub fn mark(&mut self, id: PacketId, counter: Counter) {
        let Some(r) = self.by_id.get(&id).and_then(|&r| self.sent.get_mut(r)) else { return };
        let flag = match counter {
            Counter::Lost => &mut r.lost,
            Counter::Duplicated => &mut r.duplicated,
            _ => &mut r.reordered,
        };
        if std::mem::replace(flag, true) {
            return;
        }
        let path = r.to.map(|to| (r.from, to));
        self.counts.add(counter);
        if let Some(path) = path {
            self.counts_by_path.entry(path).or_default().add(counter);
        }
    }

    /// What a packet counter reads, for all packets or those from one host to another.
    pub fn count(&self, counter: Counter, path: Option<(HostId, HostId)>) -> u64 {
        match path {
            Some(path) => self.counts_by_path.get(&path).copied().unwrap_or_default().get(counter),
            None => self.counts.get(counter),
        }
    }

    pub fn get(&self, index: usize) -> Option<&SentRec> {
        self.sent.get(index)
    }

    /// Where a scan for the next expectation starts.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// When the packet the last expectation matched was sent.
    pub fn last_matched_at(&self) -> Option<u64> {
        self.last_matched_at
    }

    /// What the log holds on the heap, in bytes: its allocations as they stand
    /// (capacity, not length: a Vec holds up to twice what it uses) and the
    /// payloads the records keep alive. Counted, not measured, so it is the
    /// same on every machine and in wasm.
    pub fn heap_bytes(&self) -> u64 {
        let sent = self.sent.capacity() * std::mem::size_of::<SentRec>();
        // A hash table entry: key, value and a control byte.
        let by_id = self.by_id.capacity() * (std::mem::size_of::<(PacketId, usize)>() + 1);
        (sent + by_id) as u64 + self.payload_bytes
    }

    /// The packets on `want`'s path not matched yet, from `start` on.
    fn open_on_path(&self, want: &Wanted, start: usize) -> impl Iterator<Item = (usize, &SentRec)> {
        let (from, to) = (want.from, want.to);
        self.sent.iter().enumerate().skip(start).filter(move |(i, r)| r.goes(from, to) && !self.matched.contains(i))
    }

    /// Looks for `want` from index `start` on (the cursor, or where the last
    /// scan stopped: what it passed over did not match and cannot change).
    pub fn scan(&self, want: &Wanted, start: usize) -> Scan {
        for (i, r) in self.open_on_path(want, start) {
            // `eventually` skips to a packet of the right shape sent at the
            // right time; otherwise the next packet must be both.
            if pattern_matches(want.pattern, r) && (!want.eventually || want.on_time(r.time)) {
                return Scan::Found(i);
            }
            if !want.eventually {
                let later = self.open_on_path(want, i + 1).find(|(_, r)| pattern_matches(want.pattern, r));
                return Scan::Wrong { index: i, later: later.map(|(k, _)| k) };
            }
        }
        Scan::NotYet { next: self.sent.len() }
    }

    /// Takes the packet at `index` as an expectation's match: everything sent
    /// before its instant is behind the expectations from now on; packets of
    /// that same instant stay open to later lines.
    pub fn take(&mut self, index: usize) {
        let Some(t) = self.sent.get(index).map(|r| r.time) else { return };
        let start = self.sent[..index].iter().rposition(|x| x.time < t).map_or(0, |k| k + 1);
        if start > self.cursor {
            self.matched.retain(|&m| m >= start);
            self.cursor = start;
        }
        self.matched.insert(index);
        self.last_matched_at = Some(t);
    }

    /// For a timed expectation that found nothing: the open packet of the
    /// right shape sent nearest the time, the nearest miss.
    pub fn nearest(&self, want: &Wanted) -> Option<&SentRec> {
        let (at, _) = want.at?;
        self.open_on_path(want, self.cursor)
            .filter(|(_, r)| pattern_matches(want.pattern, r))
            .min_by_key(|(_, r)| r.time.abs_diff(at))
            .map(|(_, r)| r)
    }
}

/// The heap bytes a packet's payload holds: the bytes, rounded up to the
/// allocator's 8, and the Arc's two counts.
fn payload_heap_bytes(packet: &Packet) -> u64 {
    let len = match &packet.body {
        Body::Tcp(s) => s.payload.len(),
        Body::Udp(u) => u.payload.len(),
        Body::Fragment(f) => f.data.len(),
        _ => 0,
    };
    if len == 0 {
        0
    } else {
        (len.div_ceil(8) * 8 + 16) as u64
    }
}

fn pattern_matches(p: &PacketPattern, r: &SentRec) -> bool {
    let kind_ok = match (&p.kind, &r.packet.body) {
        (PacketKind::Tcp(f), Body::Tcp(s)) => s.flags == *f,
        // A fragment is a piece of a UDP datagram; `len` is its share of the
        // IP payload.
        (PacketKind::Udp, Body::Udp(_) | Body::Fragment(_)) => true,
        (PacketKind::Icmp, Body::PortUnreachable(_)) => true,
        _ => false,
    };
    let (win, raw_seq, raw_ack) = match &r.packet.body {
        Body::Tcp(s) => (Some(u32::from(s.window)), Some(s.seq), Some(s.ack)),
        _ => (None, None, None),
    };
    kind_ok
        && p.seq.is_none_or(|s| s == r.rel_seq)
        && p.ack.is_none_or(|a| a == r.rel_ack)
        && p.raw_seq.is_none_or(|s| Some(s) == raw_seq)
        && p.raw_ack.is_none_or(|a| Some(a) == raw_ack)
        && p.len.is_none_or(|l| l == r.packet.payload_len())
        && p.win.is_none_or(|w| Some(w) == win)
        && p.sack.as_ref().is_none_or(|blocks| *blocks == r.rel_sack())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::packet::UdpDatagram;
    use crate::net::tcp::segment::{TcpFlags, TcpSegment};
    use crate::net::Ipv4Addr;
    use std::sync::Arc;

    const CLIENT: HostId = HostId(0);
    const SERVER: HostId = HostId(1);
    const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn tcp(id: u64, from_client: bool, flags: TcpFlags, seq: u32, ack: u32, len: usize) -> Packet {
        let (src, dst, src_port, dst_port) =
            if from_client { (CLIENT_IP, SERVER_IP, 40000, 80) } else { (SERVER_IP, CLIENT_IP, 80, 40000) };
        let segment = TcpSegment {
            src_port,
            dst_port,
            seq,
            ack,
            flags,
            window: 502,
            mss: None,
            window_scale: None,
            timestamps: None,
            sack_permitted: false,
            sack_blocks: Default::default(),
            payload: Arc::from(vec![b'x'; len]),
        };
        Packet { id: PacketId(id), src, dst, ip_id: 0, ttl: 64, body: Body::Tcp(segment) }
    }

    fn udp(id: u64) -> Packet {
        let datagram = UdpDatagram { src_port: 5000, dst_port: 53, payload: Arc::from(&b"q"[..]) };
        Packet { id: PacketId(id), src: CLIENT_IP, dst: SERVER_IP, ip_id: 0, ttl: 64, body: Body::Udp(datagram) }
    }

    fn pattern(kind: PacketKind) -> PacketPattern {
        PacketPattern { kind, seq: None, ack: None, raw_seq: None, raw_ack: None, len: None, win: None, sack: None }
    }

    fn wanted(pattern: &PacketPattern, eventually: bool, at: Option<(u64, u64)>) -> Wanted<'_> {
        Wanted { from: CLIENT, to: SERVER, pattern, eventually, at }
    }

    /// A handshake and one data segment: client SYN at 0, server SYN-ACK at 10,
    /// client ACK and 5 bytes both at 20.
    fn handshake() -> PacketLog {
        let mut log = PacketLog::default();
        log.record(0, CLIENT, Some(SERVER), tcp(1, true, TcpFlags::SYN, 1000, 0, 0));
        log.record(10, SERVER, Some(CLIENT), tcp(2, false, TcpFlags::SYN | TcpFlags::ACK, 7000, 1001, 0));
        log.record(20, CLIENT, Some(SERVER), tcp(3, true, TcpFlags::ACK, 1001, 7001, 0));
        log.record(20, CLIENT, Some(SERVER), tcp(4, true, TcpFlags::PSH | TcpFlags::ACK, 1001, 7001, 5));
        log
    }

    #[test]
    fn sequence_numbers_count_from_each_directions_syn() {
        let log = handshake();
        let rel = |i| log.get(i).map(|r| (r.rel_seq, r.rel_ack));
        assert_eq!(rel(0), Some((0, 0)));
        assert_eq!(rel(1), Some((0, 1)));
        assert_eq!(rel(2), Some((1, 1)));
        let mut data = pattern(PacketKind::Tcp(TcpFlags::PSH | TcpFlags::ACK));
        data.seq = Some(1);
        data.ack = Some(1);
        data.len = Some(5);
        assert_eq!(log.scan(&wanted(&data, true, None), 0), Scan::Found(3));
        data.raw_seq = Some(1000);
        assert_eq!(log.scan(&wanted(&data, true, None), 0), Scan::NotYet { next: 4 });
    }

    #[test]
    fn a_packet_marked_twice_counts_once_and_on_its_path_only() {
        let mut log = handshake();
        log.record(30, CLIENT, None, udp(5));
        log.mark(PacketId(1), Counter::Lost);
        log.mark(PacketId(1), Counter::Lost);
        log.mark(PacketId(5), Counter::Duplicated);
        log.mark(PacketId(99), Counter::Reordered);
        assert_eq!(log.count(Counter::Sent, None), 5);
        assert_eq!(log.count(Counter::Lost, None), 1);
        assert_eq!(log.count(Counter::Duplicated, None), 1);
        assert_eq!(log.count(Counter::Reordered, None), 0);
        assert_eq!(log.count(Counter::Sent, Some((CLIENT, SERVER))), 3);
        assert_eq!(log.count(Counter::Lost, Some((CLIENT, SERVER))), 1);
        // The datagram went nowhere known: counted in all, on no path.
        assert_eq!(log.count(Counter::Duplicated, Some((CLIENT, SERVER))), 0);
        assert_eq!(log.count(Counter::Sent, Some((SERVER, CLIENT))), 1);
        assert!(log.get(0).is_some_and(|r| r.lost));
    }

    #[test]
    fn the_next_packet_on_the_path_must_match_unless_eventually() {
        let log = handshake();
        let ack = pattern(PacketKind::Tcp(TcpFlags::ACK));
        // The client's first packet is the SYN, not an ACK; one comes later.
        assert_eq!(log.scan(&wanted(&ack, false, None), 0), Scan::Wrong { index: 0, later: Some(2) });
        assert_eq!(log.scan(&wanted(&ack, true, None), 0), Scan::Found(2));
        let udp = pattern(PacketKind::Udp);
        assert_eq!(log.scan(&wanted(&udp, true, None), 0), Scan::NotYet { next: 4 });
        assert_eq!(log.scan(&wanted(&udp, false, None), 0), Scan::Wrong { index: 0, later: None });
    }

    #[test]
    fn packets_of_one_instant_may_be_expected_in_any_order() {
        let mut log = handshake();
        let syn = pattern(PacketKind::Tcp(TcpFlags::SYN));
        assert_eq!(log.scan(&wanted(&syn, false, None), 0), Scan::Found(0));
        log.take(0);
        // The data segment first, then the bare ACK sent at the same instant.
        let data = pattern(PacketKind::Tcp(TcpFlags::PSH | TcpFlags::ACK));
        assert_eq!(log.scan(&wanted(&data, true, None), log.cursor()), Scan::Found(3));
        log.take(3);
        assert_eq!(log.cursor(), 2, "everything before the instant of #4 is behind");
        assert_eq!(log.last_matched_at(), Some(20));
        let ack = pattern(PacketKind::Tcp(TcpFlags::ACK));
        assert_eq!(log.scan(&wanted(&ack, false, None), log.cursor()), Scan::Found(2));
        log.take(2);
        // Both taken: nothing of the client's is open any more.
        assert_eq!(log.scan(&wanted(&ack, true, None), log.cursor()), Scan::NotYet { next: 4 });
    }

    #[test]
    fn a_timed_expectation_skips_off_time_packets_only_with_eventually_and_names_the_nearest() {
        let log = handshake();
        let ack = pattern(PacketKind::Tcp(TcpFlags::ACK));
        // Wanted at 50 ± 5: the ACK at 20 is the right shape at the wrong time.
        let late = wanted(&ack, false, Some((50, 5)));
        assert_eq!(log.scan(&wanted(&ack, false, Some((50, 5))), 1), Scan::Found(2));
        assert!(!late.on_time(20) && late.on_time(45) && late.on_time(55) && !late.on_time(56));
        assert_eq!(log.scan(&wanted(&ack, true, Some((50, 5))), 0), Scan::NotYet { next: 4 });
        assert_eq!(log.nearest(&wanted(&ack, true, Some((50, 5)))).map(|r| r.packet.id), Some(PacketId(3)));
        assert!(log.nearest(&wanted(&ack, true, None)).is_none(), "no time, no near miss");
    }

    #[test]
    fn the_log_counts_its_payloads_on_the_heap() {
        let mut log = PacketLog::default();
        let empty = log.heap_bytes();
        log.record(0, CLIENT, Some(SERVER), tcp(1, true, TcpFlags::ACK, 1, 1, 0));
        assert!(log.heap_bytes() > empty, "the record itself");
        assert_eq!(log.payload_bytes, 0, "no payload, nothing held for it");
        log.record(0, CLIENT, Some(SERVER), tcp(2, true, TcpFlags::ACK, 1, 1, 9));
        // 9 bytes round up to 16, and the Arc's two counts.
        assert_eq!(log.payload_bytes, 32);
    }
}
