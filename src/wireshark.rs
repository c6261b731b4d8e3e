//! Wireshark's TCP sequence analysis, run over our packets as a capture holds
//! them, so the page labels a segment exactly as Wireshark labels the same
//! segment in the exported pcap: "TCP Dup ACK 5#1", "TCP Retransmission",
//! "TCP Window Update", ...
//!
//! The rules are Wireshark 4.0's `tcp_analyze_sequence_number`
//! (epan/dissectors/packet-tcp.c), read and written here in our words. They
//! look only at the packets, never at why a host sent them: a label is what an
//! engineer reading a real capture would see, and `tools/pcap-check` holds
//! every lesson's labels against `tshark`'s, frame by frame.

use crate::net::packet::{Body, Packet};
use crate::net::tcp::segment::{SeqNumber, TcpSegment};
use crate::net::SocketAddrV4;
use rustc_hash::FxHashMap;

/// One of Wireshark's analysis flags (`tcp.analysis.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    /// "Previous segment not captured": data starts past the highest sequence seen.
    LostSegment,
    /// "ACKed unseen segment": the ACK covers data never seen.
    AckedUnseen,
    WindowUpdate,
    WindowFull,
    KeepAlive,
    KeepAliveAck,
    ZeroWindowProbe,
    ZeroWindowProbeAck,
    ZeroWindow,
    /// The `count`th duplicate of the ACK in frame `of` (1-based, as in the capture).
    DupAck {
        of: usize,
        count: u32,
    },
    /// A new SYN, with a new initial sequence number, on a pair of ports
    /// already seen: a new conversation.
    PortsReused,
}

impl Flag {
    /// The words inside Wireshark's Info-column brackets, e.g. `TCP Dup ACK 5#1`.
    /// `frame_name` turns a capture frame number into the number the reader sees.
    pub fn label(self, frame_name: impl Fn(usize) -> u64) -> String {
        match self {
            Flag::Retransmission => "TCP Retransmission".into(),
            Flag::FastRetransmission => "TCP Fast Retransmission".into(),
            Flag::SpuriousRetransmission => "TCP Spurious Retransmission".into(),
            Flag::OutOfOrder => "TCP Out-Of-Order".into(),
            Flag::LostSegment => "TCP Previous segment not captured".into(),
            Flag::AckedUnseen => "TCP ACKed unseen segment".into(),
            Flag::WindowUpdate => "TCP Window Update".into(),
            Flag::WindowFull => "TCP Window Full".into(),
            Flag::KeepAlive => "TCP Keep-Alive".into(),
            Flag::KeepAliveAck => "TCP Keep-Alive ACK".into(),
            Flag::ZeroWindowProbe => "TCP ZeroWindowProbe".into(),
            Flag::ZeroWindowProbeAck => "TCP ZeroWindowProbeAck".into(),
            Flag::ZeroWindow => "TCP ZeroWindow".into(),
            Flag::DupAck { of, count } => format!("TCP Dup ACK {}#{count}", frame_name(of)),
            Flag::PortsReused => "TCP Port numbers reused".into(),
        }
    }
}

/// Wireshark's out-of-order threshold before a handshake round trip is known.
const DEFAULT_OOO_THRESHOLD_US: u64 = 3_000;
/// A retransmission this soon after the other side's last packet, when that
/// side has sent two duplicate ACKs or more, is "fast".
const FAST_RETRANSMISSION_WINDOW_US: u64 = 20_000;

/// Whether a direction's window is scaled, as Wireshark learns it from the SYNs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum WindowScale {
    /// No handshake seen.
    #[default]
    Unknown,
    /// A SYN went without the option: neither side scales.
    NotUsed,
    Shift(u8),
}

/// What Wireshark remembers about one direction of a conversation.
#[derive(Clone, Debug, Default)]
struct Flow {
    /// The sequence number after the highest segment seen (0: none yet).
    next_seq: u32,
    next_seq_time: u64,
    /// The sequence number the other side is expected to acknowledge up to.
    max_seq_to_be_acked: u32,
    /// The ack field of this side's last packet (whether or not ACK was set).
    last_ack: u32,
    /// When this side last sent anything.
    last_ack_time: u64,
    /// The last frame whose ack differed from the one before: what "Dup ACK N#" names.
    last_non_dup_ack: usize,
    /// Duplicate ACKs of `last_ack` so far; -1 right after an "ACKed unseen
    /// segment" was forgiven, so the next duplicate counts from 1 again.
    dup_ack_count: i32,
    /// The raw (unscaled) window of this side's last packet.
    window: u16,
    win_scale: WindowScale,
    /// This side has sent a SYN and not yet a plain ACK: its window is still unscaled.
    is_first_ack: bool,
    last_flags: Vec<Flag>,
    /// The sequence number of this side's SYN, which a new SYN on the same
    /// ports must repeat to belong to the same conversation.
    syn_seq: Option<u32>,
}

#[derive(Clone, Debug, Default)]
struct Conversation {
    /// Flow 0 belongs to the lower of the two addresses.
    flows: [Flow; 2],
    /// Packets seen in this conversation.
    packets: u64,
    /// When a SYN (without ACK) last came after the conversation's first packet.
    resent_syn_time: Option<u64>,
    /// From that SYN to the first plain ACK: Wireshark 4.0's `ts_first_rtt`,
    /// its out-of-order threshold. Checked against tshark 4.0.17, which finds
    /// it only after a retransmitted SYN: the SYN that opens a conversation
    /// is not timed.
    first_rtt: Option<u64>,
}

/// The order of the labels in the Info column, left to right: Wireshark
/// prepends each one it prints, so the last printed stands first.
const INFO_ORDER: [fn(&Flag) -> bool; 15] = [
    |f| matches!(f, Flag::ZeroWindowProbeAck),
    |f| matches!(f, Flag::ZeroWindow),
    |f| matches!(f, Flag::ZeroWindowProbe),
    |f| matches!(f, Flag::DupAck { .. }),
    |f| matches!(f, Flag::KeepAliveAck),
    |f| matches!(f, Flag::KeepAlive),
    |f| matches!(f, Flag::WindowFull),
    |f| matches!(f, Flag::WindowUpdate),
    |f| matches!(f, Flag::AckedUnseen),
    |f| matches!(f, Flag::LostSegment),
    |f| matches!(f, Flag::OutOfOrder),
    |f| matches!(f, Flag::SpuriousRetransmission),
    |f| matches!(f, Flag::FastRetransmission),
    |f| matches!(f, Flag::Retransmission),
    |f| matches!(f, Flag::PortsReused),
];

/// Wireshark's analysis run frame by frame over a capture, in order.
#[derive(Clone, Debug, Default)]
pub struct Analyzer {
    conversations: FxHashMap<(SocketAddrV4, SocketAddrV4), Conversation>,
    frames: usize,
}

impl Analyzer {
    /// The next frame's flags, in the order Wireshark shows them in the Info
    /// column; `time` in microseconds. Frame numbers count from 1.
    pub fn next(&mut self, time: u64, packet: &Packet) -> Vec<Flag> {
        self.frames += 1;
        let Body::Tcp(seg) = &packet.body else {
            return Vec::new();
        };
        let from = SocketAddrV4::new(packet.src, seg.src_port);
        let to = SocketAddrV4::new(packet.dst, seg.dst_port);
        let (key, forward) = if from <= to { ((from, to), 0) } else { ((to, from), 1) };
        let conv = self.conversations.entry(key).or_default();
        analyze_segment(conv, forward, self.frames, time, seg)
    }
}

impl Analyzer {
    /// The shift Wireshark scales `packet`'s window by (its "Window size
    /// scaling factor"), once the SYNs it has seen say both sides scale; `None`
    /// for a SYN (never scaled), a segment before its handshake was seen, a
    /// connection without scaling, or a packet that is not TCP.
    pub fn window_shift(&self, packet: &Packet) -> Option<u8> {
        let Body::Tcp(seg) = &packet.body else { return None };
        if seg.flags.syn() {
            return None;
        }
        let from = SocketAddrV4::new(packet.src, seg.src_port);
        let to = SocketAddrV4::new(packet.dst, seg.dst_port);
        let (key, forward) = if from <= to { ((from, to), 0) } else { ((to, from), 1) };
        match self.conversations.get(&key)?.flows[forward].win_scale {
            WindowScale::Shift(shift) => Some(shift),
            WindowScale::Unknown | WindowScale::NotUsed => None,
        }
    }
}

/// Each frame's flags (see [`Analyzer::next`]).
pub fn analyze(frames: &[(u64, &Packet)]) -> Vec<Vec<Flag>> {
    let mut analyzer = Analyzer::default();
    frames.iter().map(|(time, packet)| analyzer.next(*time, packet)).collect()
}

/// The Info-column prefix Wireshark writes for `flags`, e.g.
/// `[TCP ZeroWindow] [TCP Keep-Alive]`; `frame_name` as for [`Flag::label`].
pub fn info_prefix(flags: &[Flag], frame_name: impl Fn(usize) -> u64) -> Option<String> {
    if flags.is_empty() {
        return None;
    }
    let labels: Vec<String> = flags.iter().map(|f| format!("[{}]", f.label(&frame_name))).collect();
    Some(labels.join(" "))
}

/// One segment against its conversation's state.
fn analyze_segment(conv: &mut Conversation, fwd_index: usize, frame: usize, time: u64, seg: &TcpSegment) -> Vec<Flag> {
    let flags = seg.flags;
    let syn_fin_rst = flags.syn() || flags.fin() || flags.rst();
    let seglen = seg.payload.len() as u32;
    let mut found: Vec<Flag> = Vec::new();
    if flags.syn() && !flags.ack() {
        // A new SYN on the same ports with another ISN is a new conversation.
        if conv.flows[fwd_index].syn_seq.is_some_and(|isn| isn != seg.seq) {
            *conv = Conversation::default();
            found.push(Flag::PortsReused);
        }
        conv.flows[fwd_index].syn_seq = Some(seg.seq);
    }
    let first_rtt = conv.first_rtt;
    let [low, high] = &mut conv.flows;
    let (fwd, rev) = if fwd_index == 0 { (low, high) } else { (high, low) };
    let window = seg.window;
    let seq = SeqNumber(seg.seq);
    let ack = SeqNumber(seg.ack);
    let next_seq = SeqNumber(fwd.next_seq);
    let same_place = seq == next_seq && ack == SeqNumber(fwd.last_ack) && !syn_fin_rst;

    'forward: {
        if seglen == 1 && seq == next_seq && rev.window == 0 {
            found.push(Flag::ZeroWindowProbe);
            break 'forward;
        }
        if window == 0 && !syn_fin_rst {
            found.push(Flag::ZeroWindow);
        }
        if fwd.next_seq != 0 && seq > next_seq && !flags.rst() {
            found.push(Flag::LostSegment);
        }
        if seglen <= 1 && !syn_fin_rst && seq == next_seq - 1 {
            found.push(Flag::KeepAlive);
        }
        if seglen == 0 && window != 0 && window != fwd.window && same_place {
            found.push(Flag::WindowUpdate);
        }
        if seglen > 0 && !syn_fin_rst && rev.win_scale != WindowScale::Unknown {
            let shift = match rev.win_scale {
                WindowScale::Shift(s) if !rev.is_first_ack => s,
                _ => 0,
            };
            if seq + seglen == SeqNumber(rev.last_ack) + (u32::from(rev.window) << shift) {
                found.push(Flag::WindowFull);
            }
        }
        let repeats = seglen == 0 && window == fwd.window && same_place;
        if repeats && window != 0 && rev.last_flags.contains(&Flag::KeepAlive) {
            found.push(Flag::KeepAliveAck);
            break 'forward;
        }
        if repeats && window == 0 && rev.last_flags.contains(&Flag::ZeroWindowProbe) {
            found.push(Flag::ZeroWindowProbeAck);
            break 'forward;
        }
        if repeats && window != 0 {
            fwd.dup_ack_count = if fwd.dup_ack_count == -1 { 1 } else { fwd.dup_ack_count + 1 };
            found.push(Flag::DupAck { of: fwd.last_non_dup_ack, count: fwd.dup_ack_count.max(1) as u32 });
        }
    }
    if ack != SeqNumber(fwd.last_ack) {
        fwd.last_non_dup_ack = frame;
        fwd.dup_ack_count = 0;
    }
    if flags.ack() && rev.max_seq_to_be_acked != 0 && ack > SeqNumber(rev.max_seq_to_be_acked) {
        if SeqNumber(rev.max_seq_to_be_acked) > SeqNumber(rev.next_seq) {
            rev.max_seq_to_be_acked = rev.next_seq;
            found.push(Flag::AckedUnseen);
        } else {
            if rev.dup_ack_count == 0 {
                found.push(Flag::AckedUnseen);
            }
            rev.dup_ack_count = -1;
        }
    }
    let occupies = u32::from(flags.syn() || flags.fin());
    if (seglen > 0 || occupies > 0) && !found.contains(&Flag::KeepAlive) {
        let mut not_advancing = fwd.next_seq != 0 && seq < next_seq;
        if seglen > 1 && seq == next_seq - 1 {
            not_advancing = false;
        }
        let ooo_threshold = first_rtt.unwrap_or(DEFAULT_OOO_THRESHOLD_US);
        if seglen > 0 && rev.last_ack != 0 && seq + seglen <= SeqNumber(rev.last_ack) {
            found.push(Flag::SpuriousRetransmission);
        } else if not_advancing
            && rev.dup_ack_count >= 2
            && SeqNumber(rev.last_ack) == seq
            && time.saturating_sub(rev.last_ack_time) < FAST_RETRANSMISSION_WINDOW_US
        {
            found.push(Flag::FastRetransmission);
        } else if not_advancing
            && time.saturating_sub(fwd.next_seq_time) < ooo_threshold
            && next_seq != seq + seglen + occupies
        {
            found.push(Flag::OutOfOrder);
        } else if not_advancing {
            found.push(Flag::Retransmission);
        }
    }

    // Remember where this direction has got to.
    let probe = found.contains(&Flag::ZeroWindowProbe);
    let next = seq + seglen + occupies;
    if (next > next_seq || fwd.next_seq == 0) && !probe {
        fwd.next_seq = next.0;
        fwd.next_seq_time = time;
    }
    if (seg.seq == fwd.max_seq_to_be_acked || fwd.max_seq_to_be_acked == 0) && !probe {
        fwd.max_seq_to_be_acked = fwd.next_seq;
    }
    fwd.window = window;
    fwd.last_ack = seg.ack;
    fwd.last_ack_time = time;
    fwd.last_flags = found.clone();
    note_handshake(conv, fwd_index, time, seg);
    conv.packets += 1;
    found.sort_by_key(|f| INFO_ORDER.iter().position(|is| is(f)));
    found
}

/// After a segment's analysis: window scaling from the SYNs, the first-ACK
/// marks, and the handshake's round trip.
fn note_handshake(conv: &mut Conversation, fwd_index: usize, time: u64, seg: &TcpSegment) {
    let flags = seg.flags;
    let rev_index = 1 - fwd_index;
    if flags.syn() {
        conv.flows[fwd_index].is_first_ack = true;
        match seg.window_scale {
            Some(shift) => {
                if flags.ack() && conv.flows[rev_index].win_scale == WindowScale::NotUsed {
                    conv.flows[fwd_index].win_scale = WindowScale::NotUsed;
                } else {
                    conv.flows[fwd_index].win_scale = WindowScale::Shift(shift);
                }
            }
            None => {
                conv.flows[fwd_index].win_scale = WindowScale::NotUsed;
                conv.flows[rev_index].win_scale = WindowScale::NotUsed;
            }
        }
        if !flags.ack() && conv.packets > 0 {
            conv.resent_syn_time = Some(time);
        }
    } else if flags.ack() {
        if conv.flows[fwd_index].is_first_ack {
            conv.flows[fwd_index].is_first_ack = false;
        }
        if conv.first_rtt.is_none() {
            if let Some(syn) = conv.resent_syn_time {
                conv.first_rtt = Some(time.saturating_sub(syn));
            }
        }
    }
}

/// Frame-by-frame labels for hand-made captures; `tools/pcap-check` holds
/// every lesson's labels against tshark itself.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::addr::{Ipv4Addr, PacketId};
    use crate::net::tcp::segment::TcpFlags;
    use std::sync::Arc;

    const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    /// A segment from the client (`up`) or the server, with a payload of `len` bytes.
    fn packet(up: bool, flags: TcpFlags, seq: u32, ack: u32, window: u16, len: usize) -> Packet {
        let (src, dst, sport, dport) = if up { (CLIENT, SERVER, 40000, 80) } else { (SERVER, CLIENT, 80, 40000) };
        let segment = TcpSegment {
            src_port: sport,
            dst_port: dport,
            seq,
            ack,
            flags,
            window,
            mss: flags.syn().then_some(1460),
            window_scale: None,
            timestamps: None,
            sack_permitted: false,
            sack_blocks: Default::default(),
            payload: Arc::from(vec![b'x'; len]),
        };
        Packet { id: PacketId(0), src, dst, ip_id: 0, ttl: 64, body: Body::Tcp(segment) }
    }

    fn labels(frames: &[(u64, Packet)]) -> Vec<String> {
        let refs: Vec<(u64, &Packet)> = frames.iter().map(|(t, p)| (*t, p)).collect();
        analyze(&refs).iter().map(|f| info_prefix(f, |n| n as u64).unwrap_or_default()).collect()
    }

    fn handshake() -> Vec<(u64, Packet)> {
        vec![
            (0, packet(true, TcpFlags::SYN, 100, 0, 65535, 0)),
            (10_000, packet(false, TcpFlags::SYN | TcpFlags::ACK, 500, 101, 65535, 0)),
            (20_000, packet(true, TcpFlags::ACK, 101, 501, 65535, 0)),
        ]
    }

    #[test]
    fn duplicate_acks_name_the_frame_whose_ack_they_repeat_and_count_from_one() {
        let a = TcpFlags::ACK;
        let mut frames = handshake();
        frames.extend([
            (20_000, packet(true, a, 101, 501, 65535, 100)), // 4: data
            (20_000, packet(true, a, 301, 501, 65535, 100)), // 5: 201..301 was lost
            (30_000, packet(false, a, 501, 201, 65535, 0)),  // 6: ack 201
            (30_000, packet(false, a, 501, 201, 65535, 0)),  // 7: dup of 6
            (30_000, packet(false, a, 501, 201, 65535, 0)),  // 8: dup of 6
            (30_001, packet(true, a, 201, 501, 65535, 100)), // 9: the hole, at once
        ]);
        let l = labels(&frames);
        assert_eq!(l[4], "[TCP Previous segment not captured]");
        assert_eq!(l[6], "[TCP Dup ACK 6#1]");
        assert_eq!(l[7], "[TCP Dup ACK 6#2]");
        assert_eq!(l[8], "[TCP Fast Retransmission]");
        assert!(l[..4].iter().all(String::is_empty), "{l:?}");
    }

    #[test]
    fn a_changed_window_is_an_update_and_a_zero_window_is_probed_and_kept_alive() {
        let a = TcpFlags::ACK;
        let mut frames = handshake();
        frames.extend([
            (20_000, packet(true, a, 101, 501, 65535, 100)), // 4
            (30_000, packet(false, a, 501, 201, 0, 0)),      // 5: window full
            (40_000, packet(true, a, 200, 501, 65535, 0)),   // 6: probe one below
            (50_000, packet(false, a, 501, 201, 0, 0)),      // 7: its answer
            (60_000, packet(false, a, 501, 201, 4000, 0)),   // 8: room again
        ]);
        let l = labels(&frames);
        assert_eq!(l[4], "[TCP ZeroWindow]");
        assert_eq!(l[5], "[TCP Keep-Alive]");
        assert_eq!(l[6], "[TCP ZeroWindow]");
        assert_eq!(l[7], "[TCP Window Update]");
    }

    #[test]
    fn a_resent_segment_already_acknowledged_is_spurious_a_late_one_a_retransmission() {
        let a = TcpFlags::ACK;
        let mut frames = handshake();
        frames.extend([
            (20_000, packet(true, a, 101, 501, 65535, 100)),  // 4
            (30_000, packet(false, a, 501, 201, 65535, 0)),   // 5: acked
            (40_000, packet(true, a, 101, 501, 65535, 100)),  // 6: sent again anyway
            (40_000, packet(true, a, 201, 501, 65535, 100)),  // 7
            (300_000, packet(true, a, 201, 501, 65535, 100)), // 8: the timer's copy
        ]);
        let l = labels(&frames);
        assert_eq!(l[5], "[TCP Spurious Retransmission]");
        assert_eq!(l[6], "");
        assert_eq!(l[7], "[TCP Retransmission]");
    }

    #[test]
    fn a_new_syn_with_a_new_isn_on_the_same_ports_is_a_new_conversation() {
        let mut frames = handshake();
        frames.push((30_000, packet(true, TcpFlags::SYN, 100, 0, 65535, 0)));
        frames.push((40_000, packet(true, TcpFlags::SYN, 9_000, 0, 65535, 0)));
        let l = labels(&frames);
        assert_eq!(l[3], "[TCP Retransmission]");
        assert_eq!(l[4], "[TCP Port numbers reused]");
    }
}
