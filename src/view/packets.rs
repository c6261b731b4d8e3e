//! Each packet's story, read from the trace: who sent it when and why, where it was
//! going, and what became of it. Plain Rust, no web; the views draw these.

use crate::net::packet::{Body, Packet};
use crate::net::trace::{LossReason, Path, SendReason};
use crate::net::{HostId, SocketAddrV4, TraceEvent, TraceKind};
use crate::wireshark::{info_prefix, Analyzer};

#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    InFlight,
    Delivered,
    Lost(LossReason),
    /// Reached its socket but the receive buffer was full.
    Discarded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PacketInfo {
    pub id: u64,
    /// Index of its `Sent` (or `Duplicated`) event in the trace.
    pub index: usize,
    pub sent: u64,
    pub arrival: u64,
    pub from: HostId,
    /// The host it is going to, as the trace says (`None` when unroutable).
    pub to: Option<HostId>,
    pub path: Path,
    pub reason: SendReason,
    pub packet: Packet,
    pub fate: Fate,
    /// Index of the event that decided its fate.
    pub fate_index: Option<usize>,
    pub duplicate_of: Option<u64>,
    pub reordered: bool,
    /// Wireshark's analysis of it, as the Info column of the exported capture
    /// shows it (`[TCP Dup ACK 5#1]`, `[TCP ZeroWindow] [TCP Keep-Alive]`),
    /// with our packet numbers for Wireshark's frame numbers; `[Duplicate]`
    /// for a copy the link made, which no capture at a sender holds.
    pub analysis: Option<String>,
    /// For a TCP segment: the initial sequence numbers of its direction and
    /// of the other (from their SYNs, else the first seen), which relative
    /// seq and ack count from.
    pub isn: Option<Isns>,
    /// For an IPv4 fragment: which of its datagram's fragments it is, and how
    /// many there are (1-based: `(2, 45)` is the second of 45).
    pub fragment: Option<(u16, u16)>,
}

/// A TCP segment's two initial sequence numbers: its sender's and its receiver's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isns {
    pub own: u32,
    /// `None` until the other side has sent anything.
    pub peer: Option<u32>,
}

/// How sequence and acknowledgement numbers are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Numbering {
    /// Counted from each side's initial sequence number, as the script and
    /// Wireshark show them: a SYN is seq 0, its SYN-ACK ack 1.
    #[default]
    Relative,
    /// As sent, on the wire.
    Absolute,
}

impl PacketInfo {
    /// Whether it is on its way after the first `end` trace events.
    pub fn in_flight_at(&self, end: usize) -> bool {
        self.index < end && self.fate_index.is_none_or(|f| f >= end)
    }

    /// Its fate as known after the first `end` events.
    pub fn fate_at(&self, end: usize) -> Fate {
        match self.fate_index {
            Some(f) if f < end => self.fate.clone(),
            _ => Fate::InFlight,
        }
    }

    /// A short label, with seq and ack numbered as `numbering` says.
    pub fn label(&self, numbering: Numbering) -> String {
        if let (Body::Fragment(f), Some((nth, of))) = (&self.packet.body, self.fragment) {
            return format!("IP fragment {nth}/{of}, offset {}{}", f.offset, if f.more { ", MF" } else { "" });
        }
        match (numbering, self.isn) {
            (Numbering::Relative, Some(isn)) => self.packet.label_from(isn.own, isn.peer.unwrap_or(0)),
            _ => self.packet.label(),
        }
    }

    /// A class for the drawing: syn, synack, data, ack, fin, rst, udp, icmp, fragment.
    pub fn kind(&self) -> &'static str {
        match &self.packet.body {
            Body::Tcp(s) if s.flags.rst() => "rst",
            Body::Tcp(s) if s.flags.syn() && s.flags.ack() => "synack",
            Body::Tcp(s) if s.flags.syn() => "syn",
            Body::Tcp(s) if s.flags.fin() => "fin",
            Body::Tcp(s) if !s.payload.is_empty() => "data",
            Body::Tcp(_) => "ack",
            Body::Udp(_) => "udp",
            Body::PortUnreachable(_) => "icmp",
            Body::Fragment(_) => "fragment",
        }
    }
}

/// Every packet in `trace`, in the order sent.
pub fn packets(trace: &[TraceEvent]) -> Vec<PacketInfo> {
    let mut out: Vec<PacketInfo> = Vec::new();
    let mut by_id = rustc_hash::FxHashMap::default();
    // Wireshark's analysis over the packets as the exported capture holds
    // them: every sent packet, in order (a link's copies are not in it).
    let mut wireshark = Analyzer::default();
    let mut frame_ids: Vec<u64> = Vec::new();
    // Each direction's initial sequence number, by (source, destination): its
    // SYN's seq, else the first seq seen (Wireshark counts from one before
    // it: a refused connect's RST, seq 0 on the wire, reads "Seq=1" there).
    let mut isns: rustc_hash::FxHashMap<(SocketAddrV4, SocketAddrV4), u32> = Default::default();
    for (i, e) in trace.iter().enumerate() {
        match &e.kind {
            TraceKind::Sent { host, socket, path, reason, arrival, packet, to, .. } => {
                frame_ids.push(packet.id.0);
                let flags = wireshark.next(e.time, packet);
                let analysis = info_prefix(&flags, |frame| frame_ids.get(frame - 1).copied().unwrap_or(0));
                let isn = match &packet.body {
                    Body::Tcp(s) => {
                        let from = SocketAddrV4::new(packet.src, s.src_port);
                        let to = SocketAddrV4::new(packet.dst, s.dst_port);
                        let own = if s.flags.syn() {
                            // A new SYN on a pair (a reused 4-tuple) starts a new count.
                            *isns.entry((from, to)).and_modify(|v| *v = s.seq).or_insert(s.seq)
                        } else if socket.is_none() {
                            // The host's answer for no socket (a RST from a closed
                            // port) belongs to no connection on its side: counted
                            // from itself, not from an ISN a connection of the same
                            // pair once had, and it starts no count.
                            s.seq
                        } else {
                            *isns.entry((from, to)).or_insert(s.seq)
                        };
                        Some(Isns { own, peer: isns.get(&(to, from)).copied() })
                    }
                    _ => None,
                };
                by_id.insert(packet.id.0, out.len());
                out.push(PacketInfo {
                    id: packet.id.0,
                    index: i,
                    sent: e.time,
                    arrival: *arrival,
                    from: *host,
                    to: *to,
                    path: *path,
                    reason: *reason,
                    packet: Packet::clone(packet),
                    fate: Fate::InFlight,
                    fate_index: None,
                    duplicate_of: None,
                    reordered: false,
                    analysis,
                    isn,
                    fragment: None,
                });
            }
            TraceKind::Duplicated { original, copy, arrival, .. } => {
                if let Some(&o) = by_id.get(&original.0) {
                    let mut p: PacketInfo = out[o].clone();
                    p.id = copy.0;
                    p.packet.id = *copy;
                    p.index = i;
                    p.arrival = *arrival;
                    p.duplicate_of = Some(original.0);
                    p.fate = Fate::InFlight;
                    p.fate_index = None;
                    p.analysis = Some("[Duplicate]".into());
                    by_id.insert(copy.0, out.len());
                    out.push(p);
                }
            }
            TraceKind::Reordered { packet, extra_delay, .. } => {
                if let Some(&o) = by_id.get(&packet.0) {
                    out[o].reordered = true;
                    out[o].arrival = out[o].arrival.max(out[o].sent + extra_delay);
                }
            }
            TraceKind::Lost { packet, reason, .. } => set_fate(&mut out, &by_id, packet.0, Fate::Lost(*reason), i),
            TraceKind::Delivered { packet, .. } => set_fate(&mut out, &by_id, packet.0, Fate::Delivered, i),
            TraceKind::Dropped { packet, .. } => set_fate(&mut out, &by_id, packet.0, Fate::Discarded, i),
            _ => {}
        }
    }
    number_fragments(&mut out, &by_id);
    out
}

/// Numbers each datagram's fragments `1/n` to `n/n`. A datagram's fragments
/// leave in one burst (one `transmit`), offset 0 first, so each run of sent
/// fragments with one source and IP ID that starts at offset 0 is one
/// datagram. One pass, as drawing must stay cheap with 45 fragments a datagram.
fn number_fragments(out: &mut [PacketInfo], by_id: &rustc_hash::FxHashMap<u64, usize>) {
    let mut run: Option<(usize, crate::net::Ipv4Addr, u16)> = None;
    let close = |out: &mut [PacketInfo], run: Option<(usize, crate::net::Ipv4Addr, u16)>, end: usize| {
        let Some((start, ..)) = run else { return };
        let members: Vec<usize> = (start..end).filter(|&i| out[i].duplicate_of.is_none()).collect();
        let of = u16::try_from(members.len()).unwrap_or(u16::MAX);
        for (k, &i) in members.iter().enumerate() {
            out[i].fragment = Some((u16::try_from(k + 1).unwrap_or(u16::MAX), of));
        }
    };
    for i in 0..out.len() {
        if out[i].duplicate_of.is_some() {
            continue;
        }
        let Body::Fragment(f) = &out[i].packet.body else {
            close(out, run.take(), i);
            continue;
        };
        let here = (out[i].packet.src, out[i].packet.ip_id);
        let continues = f.offset != 0 && run.is_some_and(|(_, src, id)| (src, id) == here);
        if !continues {
            close(out, run.take(), i);
            run = Some((i, here.0, here.1));
        }
    }
    close(out, run.take(), out.len());
    // A link's copy of a fragment is numbered as its original.
    for i in 0..out.len() {
        let Some(original) = out[i].duplicate_of else { continue };
        if matches!(out[i].packet.body, Body::Fragment(_)) {
            out[i].fragment = by_id.get(&original).and_then(|&o| out[o].fragment);
        }
    }
}

fn set_fate(out: &mut [PacketInfo], by_id: &rustc_hash::FxHashMap<u64, usize>, id: u64, fate: Fate, i: usize) {
    if let Some(&o) = by_id.get(&id) {
        // Delivered then discarded: the discard is the end of the story.
        if out[o].fate_index.is_none() || fate == Fate::Discarded {
            out[o].fate = fate;
            out[o].fate_index = Some(i);
        }
    }
}

/// Counts after the first `end` events: (sent, delivered, lost).
pub fn counts(packets: &[PacketInfo], end: usize) -> (usize, usize, usize) {
    let sent = packets.iter().filter(|p| p.index < end && p.duplicate_of.is_none()).count();
    let delivered = packets.iter().filter(|p| matches!(p.fate_at(end), Fate::Delivered | Fate::Discarded)).count();
    let lost = packets.iter().filter(|p| matches!(p.fate_at(end), Fate::Lost(_))).count();
    (sent, delivered, lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::library::library;
    use crate::lesson::timeline::Timeline;

    /// A client reconnects from the same port to a server that has closed
    /// its listener: the RST-ACK its host sends for no socket was numbered from
    /// the ISN of the connection the pair had before (seq=3864822439).
    #[test]
    fn a_rst_for_no_socket_is_not_numbered_from_an_earlier_connections_isn() {
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
            client: c = socket(tcp)\nclient: bind(c, 10.0.0.2:5000) = 0\nclient: connect(c, 10.0.0.1:80) = 0\n\
            server: a = accept(l)\nserver: close(l) = 0\nserver: close(a) = 0\nclient: recv(c, 10) = \"\"\n\
            client: close(c) = 0\n+100ms\nclient: c2 = socket(tcp)\nclient: bind(c2, 10.0.0.2:5000) = 0\n\
            client: connect(c2, 10.0.0.1:80) = ECONNREFUSED\n";
        let p = crate::lesson::scripts::prepare(text, None).expect("runs");
        assert!(p.report.passed(), "{:?}", p.report.failures);
        let all = packets(&p.report.trace);
        let refused = all
            .iter()
            .rfind(|i| matches!(&i.packet.body, Body::Tcp(s) if s.flags.rst() && s.flags.ack()))
            .expect("the refusing RST");
        assert_eq!(refused.label(Numbering::Relative), "RST-ACK seq=0 ack=1");
    }

    #[test]
    fn the_tour_is_numbered_from_each_sides_isn_or_as_sent() {
        let lesson = library().into_iter().find(|l| l.id == "tour").expect("tour");
        let run = lesson.build(None, &[]).expect("build");
        let t = Timeline::run(run.world, run.commands, &run.later_edits);
        let p = packets(&t.trace);
        let relative: Vec<String> = p.iter().take(4).map(|q| q.label(Numbering::Relative)).collect();
        assert_eq!(relative, ["SYN seq=0", "SYN-ACK seq=0 ack=1", "ACK 1", "PSH 5 bytes seq=1"]);
        let Body::Tcp(syn) = &p[0].packet.body else { panic!("a SYN") };
        assert_eq!(p[0].label(Numbering::Absolute), format!("SYN seq={}", syn.seq));
        assert_eq!(p[1].isn.and_then(|i| i.peer), Some(syn.seq), "the SYN-ACK knows the client's ISN");
    }

    #[test]
    fn each_fragment_is_labelled_with_its_place_among_its_datagrams_fragments() {
        let lesson = library().into_iter().find(|l| l.id == "udp_size_limit").expect("udp_size_limit");
        let run = lesson.build(None, &[]).expect("build");
        let t = Timeline::run(run.world, run.commands, &run.later_edits);
        let p = packets(&t.trace);
        let labels: Vec<String> = p.iter().map(|q| q.label(Numbering::Relative)).collect();
        assert_eq!(labels.len(), 46, "45 fragments and the empty datagram");
        assert_eq!(labels[0], "IP fragment 1/45, offset 0, MF");
        assert_eq!(labels[1], "IP fragment 2/45, offset 1480, MF");
        assert_eq!(labels[44], "IP fragment 45/45, offset 65120");
        assert_eq!(labels[45], "UDP 0 bytes");
        assert_eq!(p[0].kind(), "fragment");
    }
}
