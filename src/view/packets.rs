//! Each packet's story, read from the trace: who sent it when and why, where it was
//! going, and what became of it. Plain Rust, no web; the views draw these.

use crate::lang::Lang;
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
    /// For a TCP segment after a handshake that agreed on window scaling: the
    /// shift its window field is scaled by, as Wireshark reads it.
    pub window_shift: Option<u8>,
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

    /// A short label in `lang`, with seq and ack numbered as `numbering` says.
    pub fn label(&self, lang: Lang, numbering: Numbering) -> String {
        let fragment = self.fragment;
        let (seq_base, ack_base) = match (numbering, self.isn) {
            (Numbering::Relative, Some(isn)) => (isn.own, isn.peer.unwrap_or(0)),
            _ => (0, 0),
        };
        label(&self.packet, seq_base, ack_base, fragment, lang)
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

/// A packet's short label for a diagram, in `lang`: `SYN seq=1000`, `ACK 1001`,
/// `PSH 5 bytes seq=1` (data with the PSH flag), `1448 bytes seq=1` (data
/// without it), `UDP 5 bytes`; seq counted from `seq_base` and ack from
/// `ack_base` (the two initial sequence numbers for relative numbers as
/// Wireshark shows them, 0 and 0 for the numbers as sent). `fragment`: which
/// of its datagram's fragments an IPv4 fragment is, and of how many.
pub fn label(packet: &Packet, seq_base: u32, ack_base: u32, fragment: Option<(u16, u16)>, lang: Lang) -> String {
    match &packet.body {
        Body::Tcp(s) => {
            let f = s.flags;
            let (seq, ack) = (s.seq.wrapping_sub(seq_base), s.ack.wrapping_sub(ack_base));
            if f.rst() && f.ack() {
                // A RST that answers a segment also acknowledges it, as
                // Wireshark's [RST, ACK] says: connection_refused's refusal
                // read "RST seq=0" where the capture has ack 1.
                format!("RST-ACK seq={seq} ack={ack}")
            } else if f.rst() {
                format!("RST seq={seq}")
            } else if f.syn() && f.ack() {
                format!("SYN-ACK seq={seq} ack={ack}")
            } else if f.syn() {
                format!("SYN seq={seq}")
            } else if f.fin() && !s.payload.is_empty() {
                // The last data and the FIN in one segment (as a retransmission
                // after close() often is).
                let push = if f.psh() { "PSH+" } else { "" };
                format!("{push}FIN {} seq={seq}", byte_count(s.payload.len(), lang))
            } else if f.fin() {
                format!("FIN seq={seq}")
            } else if !s.payload.is_empty() {
                // PSH is named only when set: in a burst Linux sets it on
                // a write's last segment and a GSO packet's, not on every one.
                let push = if f.psh() { "PSH " } else { "" };
                format!("{push}{} seq={seq}", byte_count(s.payload.len(), lang))
            } else {
                format!("ACK {ack}")
            }
        }
        Body::Udp(d) => format!("UDP {}", byte_count(d.payload.len(), lang)),
        Body::PortUnreachable(q) => {
            lang.pick((format!("ICMP port {} unreachable", q.dst_port), format!("ICMP 포트 {} 도달 불가", q.dst_port)))
        }
        Body::Fragment(f) => {
            let nth = fragment.map_or(String::new(), |(nth, of)| format!(" {nth}/{of}"));
            let more = if f.more { ", MF" } else { "" };
            lang.pick((
                format!("IP fragment{nth}, offset {}{more}", f.offset),
                format!("IP 조각{nth}, 오프셋 {}{more}", f.offset),
            ))
        }
    }
}

/// A payload's size in a label or a sentence: "1 byte", "5 bytes"; "5바이트".
pub fn byte_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En if n == 1 => "1 byte".into(),
        Lang::En => format!("{n} bytes"),
        Lang::Ko => format!("{n}바이트"),
    }
}

/// A packet's label in both languages, for what is said later in either (a
/// notice, a comparison's sentences) after the language may have changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    pub en: String,
    pub ko: String,
}

impl Labels {
    pub fn of(p: &PacketInfo, numbering: Numbering) -> Labels {
        Labels { en: p.label(Lang::En, numbering), ko: p.label(Lang::Ko, numbering) }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
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
            TraceKind::Sent { host, path, reason, arrival, packet, to, .. } => {
                frame_ids.push(packet.id.0);
                let flags = wireshark.next(e.time, packet);
                let analysis = info_prefix(&flags, |frame| frame_ids.get(frame - 1).copied().unwrap_or(0));
                let window_shift = wireshark.window_shift(packet);
                let isn = match &packet.body {
                    Body::Tcp(s) => {
                        let from = SocketAddrV4::new(packet.src, s.src_port);
                        let to = SocketAddrV4::new(packet.dst, s.dst_port);
                        if s.flags.syn() && !s.flags.ack() {
                            // A connection's first SYN on a pair (a reused 4-tuple)
                            // starts a new stream, as Wireshark's tcp.stream: the
                            // other way's count is the new connection's, not the one
                            // the pair had before (a refused reconnect's RST-ACK is
                            // numbered from itself). A simultaneous open's SYN-ACKs
                            // set each side's again.
                            isns.remove(&(to, from));
                        }
                        let own = if s.flags.syn() {
                            *isns.entry((from, to)).and_modify(|v| *v = s.seq).or_insert(s.seq)
                        } else {
                            // The host's answer for no socket too: a RST for a
                            // copy of a segment of a connection already closed is
                            // numbered in that connection's stream ("seq=2" after
                            // its FIN), as Wireshark numbers it.
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
                    window_shift,
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
                    // Held back on top of the link's latency: the Sent event's
                    // arrival is the one it would have had.
                    out[o].arrival += extra_delay;
                }
            }
            TraceKind::Lost { packet, reason, .. } => set_fate(&mut out, &by_id, packet.0, Fate::Lost(*reason), i),
            TraceKind::Delivered { packet, .. } => {
                set_fate(&mut out, &by_id, packet.0, Fate::Delivered, i);
                // A packet a held link kept arrives a latency after its
                // release, which its sending could not know.
                if let Some(&o) = by_id.get(&packet.0) {
                    out[o].arrival = e.time;
                }
            }
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
    use crate::net::tcp::segment::{TcpFlags, TcpSegment};
    use crate::net::PacketId;
    use std::net::Ipv4Addr;
    use std::sync::Arc;

    fn tcp(flags: TcpFlags, payload: &[u8]) -> Packet {
        let seg = TcpSegment {
            src_port: 40000,
            dst_port: 80,
            seq: 1000,
            ack: 2000,
            flags,
            window: 100,
            mss: None,
            window_scale: None,
            timestamps: None,
            sack_permitted: false,
            sack_blocks: Default::default(),
            payload: Arc::from(payload),
        };
        let (src, dst) = (Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 1));
        Packet { id: PacketId(1), src, dst, ip_id: 1, ttl: 64, body: Body::Tcp(seg) }
    }

    /// A packet's arrival is when the trace delivers it, in every lesson: a
    /// packet the link held back to reorder it arrived, by its arrival, a
    /// latency early, before the packets that overtook it (tcp_reordering's
    /// explanation said nothing overtook them).
    #[test]
    fn each_delivered_packet_arrives_when_the_trace_delivers_it() {
        let mut reordered = 0;
        for lesson in library() {
            let run = lesson.build(None, &[]).expect("builds");
            let t = Timeline::run(run.world, run.commands, &[]);
            for p in packets(&t.trace) {
                let (Fate::Delivered, Some(i)) = (&p.fate, p.fate_index) else { continue };
                assert_eq!(p.arrival, t.trace[i].time, "{} #{} ({:?})", lesson.id, p.id, p.reason);
                reordered += usize::from(p.reordered);
            }
        }
        assert!(reordered > 0, "the lessons reorder packets");
    }

    #[test]
    fn labels_name_what_a_segment_carries() {
        let en = |p: Packet| label(&p, 0, 0, None, Lang::En);
        assert_eq!(en(tcp(TcpFlags::SYN, b"")), "SYN seq=1000");
        assert_eq!(en(tcp(TcpFlags::SYN | TcpFlags::ACK, b"")), "SYN-ACK seq=1000 ack=2000");
        assert_eq!(en(tcp(TcpFlags::ACK, b"")), "ACK 2000");
        assert_eq!(en(tcp(TcpFlags::PSH | TcpFlags::ACK, b"hello")), "PSH 5 bytes seq=1000");
        assert_eq!(en(tcp(TcpFlags::ACK, b"hello")), "5 bytes seq=1000", "no PSH flag, none named");
        assert_eq!(en(tcp(TcpFlags::ACK, b"h")), "1 byte seq=1000");
        assert_eq!(en(tcp(TcpFlags::FIN | TcpFlags::ACK, b"hello")), "FIN 5 bytes seq=1000");
        assert_eq!(en(tcp(TcpFlags::FIN | TcpFlags::ACK, b"")), "FIN seq=1000");
        assert_eq!(en(tcp(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK, b"hello")), "PSH+FIN 5 bytes seq=1000");
        assert_eq!(en(tcp(TcpFlags::RST, b"")), "RST seq=1000");
        assert_eq!(en(tcp(TcpFlags::RST | TcpFlags::ACK, b"")), "RST-ACK seq=1000 ack=2000");
    }

    /// A Korean page's labels said "1448 bytes" in the middle of Korean
    /// sentences and on every arrow; the flags and numbers stay as Wireshark
    /// writes them.
    #[test]
    fn labels_count_bytes_in_the_pages_language() {
        let ko = |p: Packet| label(&p, 0, 0, None, Lang::Ko);
        assert_eq!(ko(tcp(TcpFlags::PSH | TcpFlags::ACK, b"hello")), "PSH 5바이트 seq=1000");
        assert_eq!(ko(tcp(TcpFlags::ACK, b"h")), "1바이트 seq=1000");
        assert_eq!(ko(tcp(TcpFlags::ACK, b"")), "ACK 2000");
        let played = |id| crate::view::played::by_id(id).packets;
        let dns = played("udp_connected_unreachable");
        let icmp = dns.iter().find(|p| matches!(p.packet.body, Body::PortUnreachable(_))).expect("an ICMP error");
        assert!(icmp.label(Lang::Ko, Numbering::Relative).contains("도달 불가"), "{icmp:?}");
        assert!(icmp.label(Lang::En, Numbering::Relative).contains("unreachable"));
        let cut = played("udp_fragment_loss");
        let first = cut.iter().find(|p| matches!(p.packet.body, Body::Fragment(_))).expect("a fragment");
        assert!(first.label(Lang::Ko, Numbering::Relative).starts_with("IP 조각 1/"), "{first:?}");
        assert!(first.label(Lang::En, Numbering::Relative).starts_with("IP fragment 1/"));
    }

    #[test]
    fn relative_labels_count_from_the_initial_sequence_numbers() {
        let from = |p: Packet, seq, ack| label(&p, seq, ack, None, Lang::En);
        assert_eq!(from(tcp(TcpFlags::SYN | TcpFlags::ACK, b""), 1000, 1999), "SYN-ACK seq=0 ack=1");
        assert_eq!(from(tcp(TcpFlags::PSH | TcpFlags::ACK, b"hello"), 999, 0), "PSH 5 bytes seq=1");
        // Sequence space wraps: an ISN near 2^32 still counts up from 0.
        assert_eq!(from(tcp(TcpFlags::ACK, b""), 0, u32::MAX - 5), "ACK 2006");
    }

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
        assert_eq!(refused.label(Lang::En, Numbering::Relative), "RST-ACK seq=0 ack=1");
    }

    /// The tour with a link that copies packets: a copy of the client's last
    /// ACK reaches the server after its connection closed, and the server's
    /// host answers with a RST for no socket. It read "seq=0" (counted from
    /// itself, "its ISN 3204977057 + 0") where Wireshark, in the connection's
    /// stream, reads Seq=2: the server's ISN + 2, after its FIN.
    #[test]
    fn a_rst_for_a_copy_after_the_close_is_numbered_in_its_connections_stream() {
        use crate::lesson::session::{Action, AppState};
        let fragment = crate::lesson::share::decode("#lesson=tour&pos=0&edits=24:link:0:0.0:0.5:0.0:10000");
        let s = std::rc::Rc::new(AppState::new(Lang::En)).reduce(Action::Restore(fragment), &|| 0.0);
        let all = &s.views.packets;
        let tcp = |i: &PacketInfo| match &i.packet.body {
            Body::Tcp(t) => Some(t.clone()),
            _ => None,
        };
        let syn_ack = all.iter().find_map(|i| tcp(i).filter(|t| t.flags.syn() && t.flags.ack())).expect("a SYN-ACK");
        let rst = all.iter().find(|i| tcp(i).is_some_and(|t| t.flags.rst())).expect("the server's RST");
        let seq = tcp(rst).map(|t| t.seq.wrapping_sub(syn_ack.seq)).expect("tcp");
        assert_eq!(seq, 2, "the server's ISN + 2: its SYN and its FIN");
        assert_eq!(rst.isn.map(|i| i.own), Some(syn_ack.seq));
        assert_eq!(rst.label(Lang::En, Numbering::Relative), "RST seq=2");
    }

    #[test]
    fn the_tour_is_numbered_from_each_sides_isn_or_as_sent() {
        let lesson = library().into_iter().find(|l| l.id == "tour").expect("tour");
        let run = lesson.build(None, &[]).expect("build");
        let t = Timeline::run(run.world, run.commands, &run.later_edits);
        let p = packets(&t.trace);
        let relative: Vec<String> = p.iter().take(4).map(|q| q.label(Lang::En, Numbering::Relative)).collect();
        assert_eq!(relative, ["SYN seq=0", "SYN-ACK seq=0 ack=1", "ACK 1", "PSH 5 bytes seq=1"]);
        let Body::Tcp(syn) = &p[0].packet.body else { panic!("a SYN") };
        assert_eq!(p[0].label(Lang::En, Numbering::Absolute), format!("SYN seq={}", syn.seq));
        assert_eq!(p[1].isn.and_then(|i| i.peer), Some(syn.seq), "the SYN-ACK knows the client's ISN");
    }

    #[test]
    fn each_fragment_is_labelled_with_its_place_among_its_datagrams_fragments() {
        let lesson = library().into_iter().find(|l| l.id == "udp_size_limit").expect("udp_size_limit");
        let run = lesson.build(None, &[]).expect("build");
        let t = Timeline::run(run.world, run.commands, &run.later_edits);
        let p = packets(&t.trace);
        let labels: Vec<String> = p.iter().map(|q| q.label(Lang::En, Numbering::Relative)).collect();
        assert_eq!(labels.len(), 46, "45 fragments and the empty datagram");
        assert_eq!(labels[0], "IP fragment 1/45, offset 0, MF");
        assert_eq!(labels[1], "IP fragment 2/45, offset 1480, MF");
        assert_eq!(labels[44], "IP fragment 45/45, offset 65120");
        assert_eq!(labels[45], "UDP 0 bytes");
        assert_eq!(p[0].kind(), "fragment");
    }
}
