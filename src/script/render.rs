//! Text for people: calls as the script wrote them, packets as expectations
//! write them, and the readable timeline `socklab run` prints.

use super::ast::{CallSpec, Data, FdRef};
use super::report::{LineDetail, RunReport};
use super::shown::shown;
use super::time::{fmt_dur, fmt_time};
use crate::net::packet::{Body, Packet};
use crate::net::syscall::{quote_bytes, render_result};
use crate::net::tcp::segment::TcpSegment;
use crate::net::trace::{DropReason, LossReason, ReassemblyFailure, SendReason};
use crate::net::{CallId, Direction, FaultChange, TraceEvent, TraceKind};
use crate::wireshark::{info_prefix, Analyzer};
use std::collections::{HashMap, HashSet};

fn data(d: &Data) -> String {
    match d {
        Data::Text(t) => quote_bytes(t),
        Data::Bytes(n) => format!("{n} bytes"),
    }
}

/// A call with the script's own names: `connect(c, 10.0.0.1:80)`; a name
/// [`shown`] as a message quotes it (at most 40 characters).
pub fn render_call(c: &CallSpec) -> String {
    let fd = |fd: &FdRef| match fd {
        FdRef::Name(n) => shown(n).to_string(),
        FdRef::Num(n) => n.to_string(),
    };
    c.render_with(fd, data)
}

/// A packet in expectation syntax, with relative seq/ack: `[P.] seq 1 ack 1 len 5 win 502`.
pub fn describe_packet(p: &Packet, rel_seq: u32, rel_ack: u32) -> String {
    match &p.body {
        Body::Tcp(s) => {
            let mut out = format!("[{}] seq {rel_seq}", s.flags.tcpdump());
            if s.flags.ack() {
                out.push_str(&format!(" ack {rel_ack}"));
            }
            out.push_str(&format!(" len {} win {}", s.payload.len(), s.window));
            if !s.sack_blocks.is_empty() {
                out.push_str(&format!(" sack {}", super::ast::sack_text(&relative_sack(s, rel_ack))));
            }
            out
        }
        Body::Udp(d) => format!("udp len {}", d.payload.len()),
        Body::PortUnreachable(q) => format!("icmp (port {} unreachable)", q.dst_port),
        // `udp` matches a fragment too: it is a piece of a UDP datagram.
        Body::Fragment(f) => {
            format!("udp len {} (IP fragment, offset {}{})", f.data.len(), f.offset, if f.more { ", MF" } else { "" })
        }
    }
}

/// A segment's SACK blocks relative to the peer's initial sequence number,
/// as its `ack` is `rel_ack`.
pub fn relative_sack(s: &TcpSegment, rel_ack: u32) -> Vec<(u32, u32)> {
    let peer_isn = s.ack.wrapping_sub(rel_ack);
    s.sack_blocks.iter().map(|&(l, r)| (l.wrapping_sub(peer_isn), r.wrapping_sub(peer_isn))).collect()
}

fn reason_note(r: SendReason) -> &'static str {
    match r {
        SendReason::HandshakeRetransmit => "  (handshake retransmission)",
        SendReason::Retransmit => "  (retransmission: timer expired)",
        SendReason::FastRetransmit => "  (fast retransmission: duplicate ACKs or SACK blocks showed it lost)",
        SendReason::TailLossProbe { new_data: false } => {
            "  (tail loss probe: no ACK for two round trips, the last segment again)"
        }
        SendReason::TailLossProbe { new_data: true } => {
            "  (tail loss probe: no ACK for two round trips, one new segment)"
        }
        SendReason::DupAck => "  (duplicate ACK)",
        SendReason::WindowUpdate => "  (window update)",
        SendReason::ZeroWindowProbe => "  (zero-window probe)",
        SendReason::QuickAck => "  (quick ACK)",
        SendReason::AckTwoSegments => "  (ACK now: more than one full segment unacknowledged)",
        SendReason::AckHoleFilled => "  (ACK now: the hole is filled)",
        SendReason::AckTimerDue => "  (ACK now: its delayed-ACK timer was about to fire)",
        SendReason::AckOnRead => "  (ACK sent by the application's read)",
        SendReason::DelayedAck { .. } => "  (delayed ACK: its timer ran out)",
        SendReason::DataWithAck => "  (the ACK rides on this data)",
        SendReason::FrtoNewData => "  (F-RTO: new data, not the next resend, to test the timeout)",
        _ => "",
    }
}

fn loss_note(r: LossReason) -> String {
    match r {
        LossReason::Random => "random loss on the link".into(),
        LossReason::DropNext => "dropped by a 'drop next' fault".into(),
        LossReason::DropById => "dropped by id".into(),
        LossReason::Partition => "the link is partitioned".into(),
        LossReason::NoRoute => "no route to the destination".into(),
        LossReason::Checksum { bit } => {
            format!("bad checksum at the receiver: the link flipped bit {bit} (byte {}, bit {})", bit / 8, bit % 8)
        }
        LossReason::Truncated { kept } => {
            format!("truncated: the link cut it to {kept} bytes, the receiver dropped it")
        }
    }
}

/// The readable timeline: one line per trace event, `time host event detail`;
/// a host's name [`shown`] (at most 40 characters), so a long one neither
/// floods its lines nor pads every other line to its length.
pub fn timeline(report: &RunReport) -> String {
    let width = report.hosts.iter().map(|h| shown(h).to_string().chars().count()).max().unwrap_or(4).max(4);
    let mut call_line: HashMap<CallId, usize> = HashMap::new();
    for l in &report.lines {
        if let LineDetail::Call(rec) = &l.detail {
            if let Some(id) = rec.call_id {
                call_line.insert(id, l.line);
            }
        }
    }
    let mut calls: HashMap<CallId, String> = HashMap::new();
    let mut out = String::new();
    // Each sent packet also gets Wireshark's analysis of the exported capture.
    let mut wireshark = Analyzer::default();
    let mut frame_ids: Vec<u64> = Vec::new();
    // IP fragments (and a link's copies of them): their arrival reaches the
    // host's reassembly, not a socket.
    let mut fragments: HashSet<u64> = HashSet::new();
    for e in &report.trace {
        match &e.kind {
            TraceKind::Sent { packet, .. } if matches!(packet.body, Body::Fragment(_)) => {
                fragments.insert(packet.id.0);
            }
            TraceKind::Duplicated { original, copy, .. } if fragments.contains(&original.0) => {
                fragments.insert(copy.0);
            }
            _ => {}
        }
        out.push_str(&event_line(report, e, width, &call_line, &mut calls, &fragments));
        if let TraceKind::Sent { packet, .. } = &e.kind {
            frame_ids.push(packet.id.0);
            let flags = wireshark.next(e.time, packet);
            if let Some(prefix) = info_prefix(&flags, |frame| frame_ids.get(frame - 1).copied().unwrap_or(0)) {
                out.push_str("  ");
                out.push_str(&prefix);
            }
        }
        out.push('\n');
    }
    out
}

fn event_line(
    report: &RunReport,
    e: &TraceEvent,
    width: usize,
    call_line: &HashMap<CallId, usize>,
    calls: &mut HashMap<CallId, String>,
    fragments: &HashSet<u64>,
) -> String {
    let host = shown(e.kind.host().map_or("-", |h| report.host_name(h))).to_string();
    let (what, text) = match &e.kind {
        TraceKind::Call { call, syscall, .. } => {
            let r = syscall.render();
            calls.insert(*call, r.clone());
            let line = call_line.get(call).map(|l| format!("    # line {l}")).unwrap_or_default();
            ("call", format!("{r}{line}"))
        }
        TraceKind::Return { call, result, blocked, .. } => {
            let c = calls.get(call).cloned().unwrap_or_else(|| format!("call {}", call.0));
            let note = if *blocked { "  (was blocked)" } else { "" };
            ("return", format!("{c} = {}{note}", render_result(result)))
        }
        TraceKind::Sent { packet, reason, .. } => {
            ("send", format!("#{} {}{}", packet.id.0, packet.summary(), reason_note(*reason)))
        }
        TraceKind::Duplicated { original, copy, .. } => ("dup", format!("#{} copied as #{}", original.0, copy.0)),
        TraceKind::Reordered { packet, extra_delay, .. } => {
            ("reorder", format!("#{} held back {} so later packets pass it", packet.0, fmt_dur(*extra_delay)))
        }
        TraceKind::Held { packet, .. } => ("held", format!("#{} waits on a held link", packet.0)),
        TraceKind::Lost { packet, reason, .. } => ("lost", format!("#{} {}", packet.0, loss_note(*reason))),
        TraceKind::Delivered { packet, socket, .. } => (
            "arrive",
            match socket {
                Some(s) => format!("#{} to socket {}", packet.0, s.0),
                None if fragments.contains(&packet.0) => format!("#{} held for reassembly", packet.0),
                None => format!("#{} (no socket wants it)", packet.0),
            },
        ),
        TraceKind::Dropped { packet, reason: DropReason::ReceiveBufferFull, .. } => {
            ("drop", format!("#{} receive buffer full", packet.0))
        }
        TraceKind::Dropped { packet, socket, reason: DropReason::AcceptQueueFull { backlog, waiting }, .. } => (
            "drop",
            format!("#{} accept queue of socket {} full (backlog {backlog}, {waiting} waiting)", packet.0, socket.0),
        ),
        TraceKind::State { socket, from, to, .. } => ("state", format!("socket {}: {from} -> {to}", socket.0)),
        TraceKind::Timer { socket, timer, .. } => {
            ("timer", format!("socket {}: {} timer fired", socket.0, timer.name()))
        }
        TraceKind::Congestion { socket, cwnd, ssthresh, .. } => {
            let ss = if *ssthresh >= crate::net::tcp::conn::SSTHRESH_INFINITE {
                "inf".to_string()
            } else {
                ssthresh.to_string()
            };
            ("cwnd", format!("socket {}: cwnd {cwnd} ssthresh {ss}", socket.0))
        }
        TraceKind::LossConfirmed { socket, .. } => {
            ("frto", format!("socket {}: F-RTO: the loss was real (RFC 5682 step 3a); the resends go on", socket.0))
        }
        TraceKind::SocketError { socket, errno, .. } => ("error", format!("socket {}: {errno} pending", socket.0)),
        TraceKind::PortHeld { socket, holder, port, state, free_at, .. } => {
            let state = state.map(|s| format!(" {}", s.name())).unwrap_or_default();
            let until = free_at.map(|t| format!(" until {}s", fmt_time(t))).unwrap_or_default();
            ("port", format!("socket {}: port {port} held by socket {}{state}{until}", socket.0, holder.0))
        }
        TraceKind::Truncated { socket, datagram, read, .. } => {
            ("trunc", format!("socket {}: read {read} of a {datagram}-byte datagram, the rest discarded", socket.0))
        }
        TraceKind::Reassembled { packet, ip_id, fragments, .. } => (
            "reasm",
            format!("#{} completes IP datagram {ip_id}: {} fragments put together", packet.0, fragments.len()),
        ),
        TraceKind::FragmentsDiscarded { ip_id, fragments, reason, .. } => (
            "reasm",
            format!(
                "IP datagram {ip_id} dropped with its {} fragments: {}",
                fragments.len(),
                match reason {
                    ReassemblyFailure::Timeout => "incomplete after 30 s (ipfrag_time)",
                    ReassemblyFailure::Overlap => "a fragment overlapped another",
                }
            ),
        ),
        TraceKind::Fault { link, dir, change } => {
            let (a, b) = report.links.get(link.0 as usize).cloned().unwrap_or_default();
            let (a, b) = (shown(&a), shown(&b));
            let path = match dir {
                None => format!("{a} <-> {b}"),
                Some(Direction::AtoB) => format!("{a} > {b}"),
                Some(Direction::BtoA) => format!("{b} > {a}"),
            };
            let c = match change {
                FaultChange::Configure(c) => format!(
                    "latency {} jitter {} loss {}% dup {}% reorder {}% mtu {}{}",
                    fmt_dur(c.latency_us),
                    fmt_dur(c.jitter_us),
                    c.loss * 100.0,
                    c.duplicate * 100.0,
                    c.reorder * 100.0,
                    c.mtu,
                    if c.bandwidth_bps > 0 { format!(" bandwidth {}bit", c.bandwidth_bps) } else { String::new() }
                ),
                FaultChange::DropNext(n) => format!("drop the next {n}"),
                FaultChange::DropPacket(p) => format!("drop packet #{}", p.0),
                FaultChange::DelayPacket { packet, by } => format!("delay packet #{} by {}", packet.0, fmt_dur(*by)),
                FaultChange::DuplicatePacket(p) => format!("duplicate packet #{}", p.0),
                FaultChange::Partition => "partition".into(),
                FaultChange::Repair => "repair".into(),
                FaultChange::Hold => "hold".into(),
                FaultChange::Release => "release".into(),
            };
            ("fault", format!("{path}: {c}"))
        }
    };
    format!("{:>12}  {host:<width$}  {what:<7} {text}", fmt_time(e.time))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fragment's arrival is held for reassembly; the datagram it completes
    /// goes to the socket; the timeline says which is which.
    #[test]
    fn the_timeline_tells_a_held_fragment_from_a_datagram_nobody_wants() {
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms mtu 1500\n\
                    b: u = socket(udp)\nb: bind(u, 10.0.0.2:9) = 0\na: s = socket(udp)\n\
                    a: sendto(s, 3000 bytes, 10.0.0.2:9) = 3000\na: sendto(s, \"x\", 10.0.0.2:10) = 1\n";
        let script = crate::script::parse(text).expect("parse");
        let report = crate::script::run(&script, &crate::script::RunOptions::default());
        let lines = timeline(&report);
        let says = |what: &str| lines.lines().filter(|l| l.contains(what)).count();
        assert_eq!(says("held for reassembly"), 2, "{lines}");
        assert_eq!(says("#3 to socket"), 1, "the third fragment completes the datagram: {lines}");
        assert_eq!(says("completes IP datagram"), 1, "{lines}");
        assert_eq!(says("#4 (no socket wants it)"), 1, "the datagram to port 10: {lines}");
    }
}
