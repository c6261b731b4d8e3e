//! Two runs of one lesson side by side: the original and a what-if branch of it
//! (the same script, the learner's further edits). What differs, read from the
//! two traces and the two script reports, never from the order of events alone:
//! packets only one run sent, packets whose fate differs, TCP states that differ,
//! script lines whose call returned something else, bytes each receiving
//! application got, and when the last packet arrived. Each difference is a
//! sentence in both languages ([`Bilingual`]).
//!
//! Two different scripts can be compared the same way (a lesson told side by
//! side: TCP and UDP, a connection per request and one kept open); there the
//! [`Tally`] of each run — what it cost on the wire and what it delivered —
//! says more than the list of packets.
//!
//! [`on_shared_axis`] places the two sequence diagrams on one time axis: an
//! instant sits at the same height on both sides.
//!
//! Plain Rust: the page (`ui::compare`) draws it, `cargo test` checks it.

use rustc_hash::FxHashMap;

use crate::lang::{Bilingual, Lang, Particle};
use crate::net::packet::Body;
use crate::net::syscall::{render_result, CallValue};
use crate::net::tcp::state::TcpState;
use crate::net::trace::SendReason;
use crate::net::{SocketId, TraceEvent, TraceKind};
use crate::script::time::format_time;
use crate::script::{LineDetail, RunReport};
use crate::view::endpoints::endpoints;
use crate::view::packets::{Fate, Labels, Numbering, PacketInfo};
use crate::view::sequence::{SeqLayout, TOP};

/// One run, as the comparison reads it.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub trace: &'a [TraceEvent],
    pub packets: &'a [PacketInfo],
    /// The script run's report (its lines' call results), when there is one.
    pub report: Option<&'a RunReport>,
    /// Host names, by host id.
    pub hosts: &'a [String],
}

/// Which run a difference is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Original,
    Branch,
}

/// A packet's fate, in the comparison's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FateWord {
    Delivered,
    Lost,
    /// Reached its socket, whose buffer was full.
    Discarded,
    /// Still on its way when the run ended.
    InFlight,
}

impl FateWord {
    fn of(fate: &Fate) -> FateWord {
        match fate {
            Fate::Delivered => FateWord::Delivered,
            Fate::Lost(_) => FateWord::Lost,
            Fate::Discarded => FateWord::Discarded,
            Fate::InFlight => FateWord::InFlight,
        }
    }

    fn both(self) -> (&'static str, &'static str) {
        match self {
            FateWord::Delivered => ("delivered", "도착"),
            FateWord::Lost => ("lost", "손실"),
            FateWord::Discarded => ("discarded at a full buffer", "버퍼가 가득 차 버려짐"),
            FateWord::InFlight => ("still on its way", "아직 가는 중"),
        }
    }
}

/// What a packet was sent for, as a noun.
fn reason_words(reason: SendReason) -> (&'static str, &'static str) {
    match reason {
        SendReason::Handshake => ("a handshake segment", "핸드셰이크 세그먼트"),
        SendReason::HandshakeRetransmit => ("a handshake retransmission", "핸드셰이크 재전송"),
        SendReason::Data => ("data", "데이터"),
        SendReason::FrtoNewData => ("new data after a timeout (F-RTO)", "타임아웃 뒤의 새 데이터 (F-RTO)"),
        SendReason::Retransmit => ("a retransmission", "재전송"),
        SendReason::FastRetransmit => ("a fast retransmission", "빠른 재전송"),
        SendReason::TailLossProbe { .. } => ("a tail loss probe", "꼬리 손실 탐색"),
        SendReason::Ack => ("an ACK", "ACK"),
        SendReason::AckTwoSegments => ("an ACK of two segments", "두 세그먼트의 ACK"),
        SendReason::AckHoleFilled => ("an ACK of a filled hole", "메워진 빈틈의 ACK"),
        SendReason::AckTimerDue => ("an ACK its timer was about to send", "타이머가 곧 보낼 ACK"),
        SendReason::AckOnRead => ("an ACK a read sent", "읽기가 보낸 ACK"),
        SendReason::QuickAck => ("a quick ACK", "빠른 ACK"),
        SendReason::DelayedAck { .. } => ("a delayed ACK", "지연 ACK"),
        SendReason::DataWithAck => ("data carrying an ACK", "ACK를 실은 데이터"),
        SendReason::DupAck => ("a duplicate ACK", "중복 ACK"),
        SendReason::WindowUpdate => ("a window update", "윈도 갱신"),
        SendReason::ZeroWindowProbe => ("a zero-window probe", "제로 윈도 탐사"),
        SendReason::Fin => ("a FIN", "FIN"),
        SendReason::Reset => ("a RST", "RST"),
        SendReason::Datagram => ("a datagram", "데이터그램"),
        SendReason::Icmp => ("an ICMP error", "ICMP 오류"),
    }
}

/// One thing that differs between the two runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    /// A packet only one run sent.
    OnlyIn { side: Which, packet: u64, reason: SendReason, label: Labels, from: String, to: String },
    /// A packet both runs sent (the branch's id) that ended otherwise.
    Fate { packet: u64, label: Labels, original: FateWord, branch: FateWord },
    /// A socket went through other TCP states.
    States { socket: String, original: Vec<TcpState>, branch: Vec<TcpState> },
    /// A script line's call returned something else (`None`: it never returned).
    Call { line: usize, call: String, original: Option<String>, branch: Option<String> },
    /// The bytes a socket's application received.
    Bytes { socket: String, original: usize, branch: usize },
    /// When the last packet arrived (µs).
    LastDelivery { original: u64, branch: u64 },
}

fn states_text(states: &[TcpState]) -> String {
    if states.is_empty() {
        return "–".into();
    }
    states.iter().map(|s| s.name()).collect::<Vec<_>>().join(" → ")
}

impl Bilingual for Difference {
    fn both(&self) -> (String, String) {
        match self {
            Difference::OnlyIn { side, packet, reason, label, from, to } => {
                let (what_en, what_ko) = reason_words(*reason);
                match side {
                    Which::Branch => (
                        format!("Only in the branch: packet #{packet}, {what_en} ({}) from {from} to {to}.", label.en),
                        format!(
                            "브랜치에만 있음: 패킷 #{packet}, {from}에서 {} 가는 {what_ko} ({}).",
                            Particle::Towards.after(to),
                            label.ko
                        ),
                    ),
                    Which::Original => (
                        format!(
                            "Only in the original: packet #{packet}, {what_en} ({}) from {from} to {to}.",
                            label.en
                        ),
                        format!(
                            "원래 실행에만 있음: 패킷 #{packet}, {from}에서 {} 가는 {what_ko} ({}).",
                            Particle::Towards.after(to),
                            label.ko
                        ),
                    ),
                }
            }
            Difference::Fate { packet, label, original, branch } => {
                let ((o_en, o_ko), (b_en, b_ko)) = (original.both(), branch.both());
                (
                    format!("Packet #{packet} ({}) is {b_en} in the branch, {o_en} in the original.", label.en),
                    format!("패킷 #{packet} ({}): 브랜치에서는 {b_ko}, 원래 실행에서는 {o_ko}.", label.ko),
                )
            }
            Difference::States { socket, original, branch } => {
                let (o, b) = (states_text(original), states_text(branch));
                (
                    format!("{socket} goes {b} in the branch, {o} in the original."),
                    format!("{socket}의 상태: 브랜치에서는 {b}, 원래 실행에서는 {o}."),
                )
            }
            Difference::Call { line, call, original, branch } => {
                let en = |r: &Option<String>| r.clone().unwrap_or_else(|| "no return (still blocked)".into());
                let ko = |r: &Option<String>| r.clone().unwrap_or_else(|| "반환 없음 (아직 대기 중)".into());
                (
                    format!("Line {line}, {call}: {} in the branch, {} in the original.", en(branch), en(original)),
                    format!("{line}행 {call}: 브랜치에서는 {}, 원래 실행에서는 {}.", ko(branch), ko(original)),
                )
            }
            Difference::Bytes { socket, original, branch } => (
                format!("{socket} received {branch} bytes in the branch, {original} in the original."),
                format!(
                    "{} 받은 바이트: 브랜치에서는 {branch}, 원래 실행에서는 {original}.",
                    Particle::Subject.after(socket)
                ),
            ),
            Difference::LastDelivery { original, branch } => {
                let (o, b) = (format_time(*original), format_time(*branch));
                let later = branch > original;
                let delta = format_time(branch.abs_diff(*original));
                let (en_word, ko_word) = if later { ("later", "늦게") } else { ("earlier", "일찍") };
                (
                    format!("The last packet arrives at {b} in the branch, {o} in the original ({delta} {en_word})."),
                    format!("마지막 패킷 도착: 브랜치에서는 {b}, 원래 실행에서는 {o} ({delta} {ko_word})."),
                )
            }
        }
    }
}

/// The two runs compared: the differences in order of kind (packets, states,
/// calls, bytes, time), and the trace events and packets on each side that
/// show them (the diagrams mark those).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    pub differences: Vec<Difference>,
    /// What each run cost and delivered: (original, branch).
    pub tallies: (Tally, Tally),
    /// Packet ids to mark on each side, sorted.
    pub original_packets: Vec<u64>,
    pub branch_packets: Vec<u64>,
    /// Trace indices to mark on each side (states and returns that differ), sorted.
    pub original_events: Vec<usize>,
    pub branch_events: Vec<usize>,
    /// Whether the diagrams mark what differs: not when the two runs, each
    /// with packets, share none (TCP beside UDP), where every packet and state
    /// would be marked and the marks would say nothing.
    pub marked: bool,
}

impl Comparison {
    /// The differences in `lang`, one sentence each.
    pub fn sentences(&self, lang: Lang) -> Vec<String> {
        self.differences.iter().map(|d| d.say(lang)).collect()
    }
}

/// What makes two packets of the two runs the same packet: who sent it to whom
/// and why, its ports, and its flags, relative seq and ack and length (ids and
/// absolute numbers may shift once the runs part).
fn signature(p: &PacketInfo) -> (u32, Option<u32>, std::mem::Discriminant<SendReason>, u16, u16, String) {
    let (sp, dp) = match &p.packet.body {
        Body::Tcp(s) => (s.src_port, s.dst_port),
        Body::Udp(d) => (d.src_port, d.dst_port),
        Body::PortUnreachable(q) => (q.dst_port, q.src_port),
        // Later fragments carry no ports; their offset (in the label) tells them apart.
        Body::Fragment(f) => f.udp_ports().unwrap_or_default(),
    };
    (p.from.0, p.to.map(|h| h.0), std::mem::discriminant(&p.reason), sp, dp, p.label(Lang::En, Numbering::Relative))
}

/// Pairs each packet of `a` with the same packet of `b` (the k-th of a
/// signature with the k-th): `pairs[i]` is the index in `b` of `a[i]`'s partner.
fn pair_packets(a: &[PacketInfo], b: &[PacketInfo]) -> Vec<Option<usize>> {
    let mut by_sig: FxHashMap<_, std::collections::VecDeque<usize>> = FxHashMap::default();
    for (j, p) in b.iter().enumerate() {
        by_sig.entry(signature(p)).or_default().push_back(j);
    }
    a.iter().map(|p| by_sig.get_mut(&signature(p)).and_then(|q| q.pop_front())).collect()
}

/// Each socket's TCP states in order, with the trace index of each change.
fn states_by_socket(trace: &[TraceEvent]) -> FxHashMap<SocketId, Vec<(usize, TcpState)>> {
    let mut out: FxHashMap<SocketId, Vec<(usize, TcpState)>> = FxHashMap::default();
    for (i, e) in trace.iter().enumerate() {
        if let TraceKind::State { socket, to, .. } = e.kind {
            out.entry(socket).or_default().push((i, to));
        }
    }
    out
}

/// Bytes each socket's application took in receive calls.
fn received_by_socket(trace: &[TraceEvent]) -> FxHashMap<SocketId, usize> {
    let mut out: FxHashMap<SocketId, usize> = FxHashMap::default();
    for e in trace {
        if let TraceKind::Return { socket: Some(socket), result: Ok(value), .. } = &e.kind {
            let n = match value {
                CallValue::Data(d) | CallValue::DataFrom { data: d, .. } => d.len(),
                CallValue::Length { len, .. } => *len,
                _ => continue,
            };
            *out.entry(*socket).or_default() += n;
        }
    }
    out
}

/// A call line's result: its line number, rendered result (`None` while
/// pending), and its call's id.
type CallLine = (usize, Option<String>, Option<u64>);

/// Each call line's result by (its text, which time that text occurs).
fn call_results(report: &RunReport) -> FxHashMap<(String, usize), CallLine> {
    let mut seen: FxHashMap<String, usize> = FxHashMap::default();
    let mut out = FxHashMap::default();
    for l in &report.lines {
        if let LineDetail::Call(rec) = &l.detail {
            let k = seen.entry(rec.rendered.clone()).or_default();
            out.insert(
                (rec.rendered.clone(), *k),
                (l.line, rec.result.as_ref().map(render_result), rec.call_id.map(|c| c.0)),
            );
            *k += 1;
        }
    }
    out
}

/// The trace index of the return of call `call`.
fn return_index(trace: &[TraceEvent], call: u64) -> Option<usize> {
    trace.iter().position(|e| matches!(&e.kind, TraceKind::Return { call: c, .. } if c.0 == call))
}

/// What one run cost on the wire and what it delivered, counted off its trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Packets put on the wire by the hosts (a link's duplicates not counted).
    pub packets: usize,
    /// Their bytes on the wire: IP header, TCP or UDP header and payload.
    pub wire_bytes: usize,
    /// Connections opened: SYNs sent, retransmissions not counted.
    pub handshakes: usize,
    /// Segments sent again (timeout or fast retransmit).
    pub retransmissions: usize,
    /// Packets the network lost.
    pub lost: usize,
    /// Bytes the applications received (their receive calls).
    pub delivered: usize,
    /// When the last packet arrived (µs), if one did.
    pub last_delivery: Option<u64>,
}

impl Tally {
    pub fn of(trace: &[TraceEvent]) -> Tally {
        let mut t = Tally { last_delivery: last_delivery(trace), ..Tally::default() };
        for e in trace {
            match &e.kind {
                TraceKind::Sent { packet, reason, .. } => {
                    t.packets += 1;
                    t.wire_bytes += packet.wire_len();
                    match reason {
                        SendReason::Handshake if matches!(&packet.body, Body::Tcp(s) if s.flags.syn() && !s.flags.ack()) => {
                            t.handshakes += 1
                        }
                        reason if reason.is_data_retransmission() => t.retransmissions += 1,
                        _ => {}
                    }
                }
                TraceKind::Lost { .. } => t.lost += 1,
                _ => {}
            }
        }
        t.delivered = received_by_socket(trace).values().sum();
        t
    }

    /// Wire bytes per byte delivered (`None` when nothing was delivered).
    pub fn overhead(&self) -> Option<f64> {
        (self.delivered > 0).then(|| self.wire_bytes as f64 / self.delivered as f64)
    }
}

fn last_delivery(trace: &[TraceEvent]) -> Option<u64> {
    trace.iter().rev().find(|e| matches!(e.kind, TraceKind::Delivered { .. })).map(|e| e.time)
}

/// Compares the original run `a` with the branch `b`.
pub fn compare(a: Side, b: Side) -> Comparison {
    let mut c = Comparison { tallies: (Tally::of(a.trace), Tally::of(b.trace)), ..Comparison::default() };
    let host = |side: &Side, h: Option<crate::net::HostId>| {
        h.and_then(|h| side.hosts.get(h.0 as usize).cloned()).unwrap_or_else(|| "?".into())
    };
    // Packets: only on one side, or both with another fate.
    let a_to_b = pair_packets(a.packets, b.packets);
    c.marked = a.packets.is_empty() || b.packets.is_empty() || a_to_b.iter().any(Option::is_some);
    let mut b_paired = vec![false; b.packets.len()];
    let mut fates = Vec::new();
    for (i, partner) in a_to_b.iter().enumerate() {
        let p = &a.packets[i];
        match partner {
            Some(j) => {
                b_paired[*j] = true;
                let q = &b.packets[*j];
                let (fa, fb) = (FateWord::of(&p.fate), FateWord::of(&q.fate));
                if fa != fb {
                    c.original_packets.push(p.id);
                    c.branch_packets.push(q.id);
                    fates.push(Difference::Fate {
                        packet: q.id,
                        label: Labels::of(q, Numbering::Relative),
                        original: fa,
                        branch: fb,
                    });
                }
            }
            None => {
                c.original_packets.push(p.id);
                c.differences.push(Difference::OnlyIn {
                    side: Which::Original,
                    packet: p.id,
                    reason: p.reason,
                    label: Labels::of(p, Numbering::Relative),
                    from: host(&a, Some(p.from)),
                    to: host(&a, p.to),
                });
            }
        }
    }
    for (q, _) in b.packets.iter().zip(&b_paired).filter(|(_, paired)| !**paired) {
        c.branch_packets.push(q.id);
        c.differences.push(Difference::OnlyIn {
            side: Which::Branch,
            packet: q.id,
            reason: q.reason,
            label: Labels::of(q, Numbering::Relative),
            from: host(&b, Some(q.from)),
            to: host(&b, q.to),
        });
    }
    // The branch's own packets first: what the learner's change brought.
    c.differences.sort_by_key(|d| !matches!(d, Difference::OnlyIn { side: Which::Branch, .. }));
    c.differences.extend(fates);

    // Sockets, named by host and local address (as the branch knows them).
    let ends = endpoints(b.trace);
    let ends_a = endpoints(a.trace);
    let name = |id: SocketId| {
        let e = ends.list.iter().find(|e| e.id == id).or_else(|| ends_a.list.iter().find(|e| e.id == id));
        match e {
            Some(e) => {
                let h = host(&b, Some(e.host));
                e.local.map_or(format!("{h} socket {}", id.0), |l| format!("{h} {l}"))
            }
            None => format!("socket {}", id.0),
        }
    };
    let (sa, sb) = (states_by_socket(a.trace), states_by_socket(b.trace));
    let mut sockets: Vec<SocketId> = sa.keys().chain(sb.keys()).copied().collect();
    sockets.sort_unstable();
    sockets.dedup();
    for s in &sockets {
        let (xa, xb) = (sa.get(s).map_or(&[][..], Vec::as_slice), sb.get(s).map_or(&[][..], Vec::as_slice));
        let (ta, tb): (Vec<TcpState>, Vec<TcpState>) =
            (xa.iter().map(|(_, t)| *t).collect(), xb.iter().map(|(_, t)| *t).collect());
        if ta != tb {
            let common = ta.iter().zip(&tb).take_while(|(x, y)| x == y).count();
            c.original_events.extend(xa[common..].iter().map(|(i, _)| *i));
            c.branch_events.extend(xb[common..].iter().map(|(i, _)| *i));
            c.differences.push(Difference::States { socket: name(*s), original: ta, branch: tb });
        }
    }

    // Script lines whose call returned otherwise (matched by their text).
    if let (Some(ra), Some(rb)) = (a.report, b.report) {
        let (ca, cb) = (call_results(ra), call_results(rb));
        let mut lines: Vec<_> = cb.iter().filter_map(|(k, vb)| ca.get(k).map(|va| (k, va, vb))).collect();
        lines.sort_by_key(|(_, _, vb)| vb.0);
        for ((call, _), va, vb) in lines {
            if va.1 != vb.1 {
                c.original_events.extend(va.2.and_then(|id| return_index(a.trace, id)));
                c.branch_events.extend(vb.2.and_then(|id| return_index(b.trace, id)));
                c.differences.push(Difference::Call {
                    line: vb.0,
                    call: call.clone(),
                    original: va.1.clone(),
                    branch: vb.1.clone(),
                });
            }
        }
    }

    // Bytes each receiving application got.
    let (ba, bb) = (received_by_socket(a.trace), received_by_socket(b.trace));
    let mut receivers: Vec<SocketId> = ba.keys().chain(bb.keys()).copied().collect();
    receivers.sort_unstable();
    receivers.dedup();
    for s in receivers {
        let (x, y) = (ba.get(&s).copied().unwrap_or(0), bb.get(&s).copied().unwrap_or(0));
        if x != y {
            c.differences.push(Difference::Bytes { socket: name(s), original: x, branch: y });
        }
    }

    // Time taken.
    if let (Some(x), Some(y)) = (last_delivery(a.trace), last_delivery(b.trace)) {
        if x != y {
            c.differences.push(Difference::LastDelivery { original: x, branch: y });
        }
    }
    for v in [&mut c.original_packets, &mut c.branch_packets] {
        v.sort_unstable();
        v.dedup();
    }
    for v in [&mut c.original_events, &mut c.branch_events] {
        v.sort_unstable();
        v.dedup();
    }
    if !c.marked {
        for v in [&mut c.original_packets, &mut c.branch_packets] {
            v.clear();
        }
        for v in [&mut c.original_events, &mut c.branch_events] {
            v.clear();
        }
    }
    c
}

/// One instant's band on a diagram: its time, where it starts and how tall it is.
struct Band {
    time: u64,
    y: f64,
    height: f64,
}

/// The bands of `layout` (its time marks) with the times of `trace`.
fn bands(layout: &SeqLayout, trace: &[TraceEvent]) -> Vec<Band> {
    // A time mark sits 12 units below its band's top (see `seq_layout`).
    let starts: Vec<(u64, f64)> =
        layout.times.iter().filter_map(|t| trace.get(t.index).map(|e| (e.time, t.y - 12.0))).collect();
    let last_bottom = layout.height - 40.0;
    starts
        .iter()
        .enumerate()
        .map(|(k, &(time, y))| {
            // A band's notes end where the next band's gap begins; the gap is
            // the one seq_layout leaves for that time step.
            let bottom = match starts.get(k + 1) {
                Some(&(next, ny)) => ny - crate::view::sequence::gap(next - time),
                None => last_bottom,
            };
            Band { time, y, height: (bottom - y).max(0.0) }
        })
        .collect()
}

/// Moves every height of `layout` by `map` (old y to new y).
fn remap(layout: &SeqLayout, map: &dyn Fn(f64) -> f64, height: f64) -> SeqLayout {
    let mut l = layout.clone();
    for n in &mut l.notes {
        n.y = map(n.y - 4.0) + 4.0;
    }
    for a in &mut l.arrows {
        a.y1 = map(a.y1);
        a.y2 = map(a.y2);
    }
    for t in &mut l.times {
        t.y = map(t.y);
    }
    for w in &mut l.waits {
        w.y1 = map(w.y1);
        if w.y2.is_finite() {
            w.y2 = map(w.y2);
        }
    }
    for y in &mut l.event_y {
        *y = map(*y);
    }
    l.height = height;
    l
}

/// The two diagrams on one time axis: each instant either run has gets a band
/// as tall as the taller of the two, at the same height on both sides, and the
/// gaps between instants are the gaps of the time between them.
pub fn on_shared_axis(
    a: &SeqLayout,
    trace_a: &[TraceEvent],
    b: &SeqLayout,
    trace_b: &[TraceEvent],
) -> (SeqLayout, SeqLayout) {
    let (ba, bb) = (bands(a, trace_a), bands(b, trace_b));
    let mut times: Vec<u64> = ba.iter().chain(&bb).map(|band| band.time).collect();
    times.sort_unstable();
    times.dedup();
    let tallest = |t: u64| {
        let of = |v: &[Band]| v.iter().find(|band| band.time == t).map_or(0.0, |band| band.height);
        of(&ba).max(of(&bb))
    };
    let mut start: FxHashMap<u64, f64> = FxHashMap::default();
    let mut y = TOP;
    let mut prev: Option<u64> = None;
    for &t in &times {
        if let Some(p) = prev {
            y += tallest(p) + crate::view::sequence::gap(t - p);
        }
        start.insert(t, y);
        prev = Some(t);
    }
    let height = y + prev.map_or(0.0, tallest) + 40.0;
    let mapper = |bands: Vec<Band>| {
        let start = start.clone();
        move |old: f64| {
            // The band the height belongs to: the last that starts at or above it.
            let k = bands.partition_point(|band| band.y <= old);
            match k.checked_sub(1).and_then(|k| bands.get(k)) {
                Some(band) => start.get(&band.time).map_or(old, |s| s + (old - band.y)),
                None => old,
            }
        }
    };
    let (ma, mb) = (mapper(ba), mapper(bb));
    let (mut la, mut lb) = (remap(a, &ma, height), remap(b, &mb, height));
    // One width too: each diagram is scaled to its box's width, so a narrower
    // one (UDP's two lanes beside TCP's three) was drawn larger, its instants lower.
    let width = la.width.max(lb.width);
    (la.width, lb.width) = (width, width);
    (la, lb)
}

/// The heading over the right-hand run's packets on their way: a branch's,
/// or a lesson told side by side's right side, by its name ("RTO only").
pub fn in_flight_heading(lang: Lang, right_side: Option<&str>) -> String {
    match right_side {
        None => Word::InFlight.say(lang),
        Some(side) => {
            lang.pick((format!("In flight on the {side} side now:"), format!("지금 {side} 쪽에서 가는 중인 패킷:")))
        }
    }
}

/// The comparison's own words on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    BranchesTitle,
    BranchesCaption,
    NewBranch,
    Compare,
    Comparing,
    StopComparing,
    Delete,
    BranchPcap,
    /// "branch 2 · from step 9 · 1 change"
    BranchLabel {
        number: usize,
        from: usize,
        changes: usize,
        console: usize,
    },
    Original,
    BranchSide(usize),
    CompareTitle,
    /// With `marked`, what Δ marks (see [`Comparison::marked`]).
    CompareCaption {
        marked: bool,
    },
    WhatChanged,
    NoDifference,
    InFlight,
    NothingInFlight,
    Drop,
    Delay,
    Duplicate,
    /// The tally table: its title and one row per count.
    TallyTitle,
    TallyPackets,
    TallyWireBytes,
    TallyHandshakes,
    TallyRetransmissions,
    TallyLost,
    TallyDelivered,
    TallyOverhead,
    TallyLastArrival,
}

impl Bilingual for Word {
    fn both(&self) -> (String, String) {
        let (en, ko): (String, String) = match *self {
            Word::BranchesTitle => ("What if? Branches".into(), "만약에? 브랜치".into()),
            Word::BranchesCaption => (
                "Branch at this step, change the branch (drop, delay or duplicate a segment, change a link, \
                 type a call) and compare it with the original side by side."
                    .into(),
                "이 단계에서 갈라져 나온 브랜치를 바꿔 보고(세그먼트 버리기·늦추기·복제, 링크 바꾸기, \
                 호출 입력) 원래 실행과 나란히 비교하세요."
                    .into(),
            ),
            Word::NewBranch => ("Branch here".into(), "여기서 브랜치 만들기".into()),
            Word::Compare => ("Compare".into(), "비교".into()),
            Word::Comparing => ("compared".into(), "비교 중".into()),
            Word::StopComparing => ("Original only".into(), "원래 실행만 보기".into()),
            Word::Delete => ("Delete".into(), "삭제".into()),
            Word::BranchPcap => ("pcap".into(), "pcap".into()),
            Word::BranchLabel { number, from, changes, console } => {
                let calls_en = if console > 0 { format!(", {console} typed calls") } else { String::new() };
                let calls_ko = if console > 0 { format!(", 입력한 호출 {console}개") } else { String::new() };
                (
                    format!("Branch {number} · from step {from} · {changes} changes{calls_en}"),
                    format!("브랜치 {number} · {from}단계에서 · 변경 {changes}개{calls_ko}"),
                )
            }
            Word::Original => ("Original".into(), "원래 실행".into()),
            Word::BranchSide(n) => (format!("Branch {n}"), format!("브랜치 {n}")),
            Word::CompareTitle => ("Original and branch, side by side".into(), "원래 실행과 브랜치 나란히 보기".into()),
            Word::CompareCaption { marked } => {
                // Side by side or stacked (a phone), an instant is as far down
                // each diagram: "at the same height" read wrong when stacked.
                let (en, ko) = (
                    "Both diagrams share one time axis: an instant is as far down in each.",
                    "두 다이어그램은 시간 축을 함께 씁니다. 같은 순간은 각 다이어그램의 같은 깊이에 있습니다.",
                );
                if marked {
                    (format!("{en} Δ marks what differs."), format!("{ko} Δ 표시는 달라진 것입니다."))
                } else {
                    (en.into(), ko.into())
                }
            }
            Word::WhatChanged => ("What changed".into(), "무엇이 달라졌나".into()),
            Word::NoDifference => ("No difference yet.".into(), "아직 차이가 없습니다.".into()),
            Word::InFlight => ("In flight in the branch now:".into(), "지금 브랜치에서 가는 중인 패킷:".into()),
            Word::NothingInFlight => {
                ("No packet is on its way at this step.".into(), "이 단계에서 가는 중인 패킷이 없습니다.".into())
            }
            Word::Drop => ("Drop".into(), "버리기".into()),
            Word::Delay => ("Delay 300 ms".into(), "300 ms 늦추기".into()),
            Word::Duplicate => ("Duplicate".into(), "복제".into()),
            // Whole runs, whatever the step: beside the header's counts so
            // far, the totals read as a contradiction.
            Word::TallyTitle => ("The whole runs, counted".into(), "두 실행 전체를 세어 보면".into()),
            Word::TallyPackets => ("packets on the wire".into(), "선 위의 패킷".into()),
            Word::TallyWireBytes => {
                ("bytes on the wire (headers included)".into(), "선 위의 바이트 (헤더 포함)".into())
            }
            Word::TallyHandshakes => ("handshakes (SYNs)".into(), "핸드셰이크 (SYN)".into()),
            Word::TallyRetransmissions => ("retransmissions".into(), "재전송".into()),
            Word::TallyLost => ("packets lost".into(), "잃은 패킷".into()),
            Word::TallyDelivered => ("bytes the applications received".into(), "애플리케이션이 받은 바이트".into()),
            Word::TallyOverhead => ("wire bytes per byte received".into(), "받은 바이트당 선 위의 바이트".into()),
            Word::TallyLastArrival => ("last packet arrived at".into(), "마지막 패킷 도착 시각".into()),
        };
        (en, ko)
    }
}
