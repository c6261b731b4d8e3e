//! One sentence per step, for the page's live region (`aria-live="polite"`): what a
//! screen reader says when the learner steps, in the page's language.
//!
//! "client sends SYN, seq 0, to server port 80; client socket 3: CLOSED → SYN-SENT".
//! Each clause is read off one trace event and the facts it carries: the host a
//! packet goes `to`, the `socket` a state change or error is about, the call a
//! return belongs to (by its id), the descriptor a socket was returned as (the
//! `fd` of the last successful `Return` naming it). Nothing is guessed from the
//! order of events. Plain Rust, no web.

use std::ops::Range;

use crate::lang::{Lang, Particle};
use crate::net::link::Direction;
use crate::net::packet::Body;
use crate::net::syscall::render_result;
use crate::net::trace::{DropReason, LossReason, ReassemblyFailure, SendReason};
use crate::net::{CallId, FaultChange, HostId, LinkId, SocketId, TraceEvent, TraceKind};
use crate::script::time::format_time;
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::words::timer_name;

/// More clauses than this in one step (a crowd's arrivals) are counted, not read:
/// a sentence read aloud for a minute tells nobody anything.
const MAX_CLAUSES: usize = 6;

/// What the announcement reads from besides the step's events.
pub struct Context<'a> {
    pub lang: Lang,
    /// Every packet of the lesson (their labels, relative numbers and ports).
    pub packets: &'a [PacketInfo],
    pub numbering: Numbering,
    /// A host's name.
    pub host_name: &'a dyn Fn(HostId) -> String,
    /// A link's name, one way or both ([`crate::view::explain::link_name`]).
    pub link_name: &'a dyn Fn(LinkId, Option<Direction>) -> String,
}

/// The step made of `trace[step]` in one sentence, prefixed by its time; `trace`
/// holds everything up to the step's end (the calls and descriptors it names).
/// Empty when the step holds nothing worth saying.
pub fn announce(cx: &Context, trace: &[TraceEvent], step: Range<usize>) -> String {
    let Some(events) = trace.get(step.clone()) else { return String::new() };
    let mut clauses: Vec<String> = Vec::new();
    for e in events {
        if let Some(clause) = clause(cx, trace, events, e) {
            if clauses.last() != Some(&clause) {
                clauses.push(clause);
            }
        }
    }
    if clauses.is_empty() {
        return String::new();
    }
    let more = clauses.len().saturating_sub(MAX_CLAUSES);
    clauses.truncate(MAX_CLAUSES);
    let mut text = clauses.join("; ");
    if more > 0 {
        text.push_str(&cx.lang.pick((format!("; and {more} more"), format!("; 그 밖에 {more}건"))));
    }
    let time = events.first().map_or(0, |e| e.time);
    format!("{}: {text}.", format_time(time))
}

/// One event of a step, `trace[index]`, in words (the event list's row), or `None`
/// for an event the step's sentence leaves out (a window change; a call whose
/// return is in the same step, which says it). `trace` holds everything up to the
/// end of the step `step`.
pub fn describe(cx: &Context, trace: &[TraceEvent], step: Range<usize>, index: usize) -> Option<String> {
    let events = trace.get(step)?;
    clause(cx, trace, events, trace.get(index)?)
}

/// The descriptor `socket` was known by at the end of `trace`: the `fd` of the last
/// successful return that named it (`socket()`, `accept()`, or a call on it).
fn fd_of(trace: &[TraceEvent], socket: SocketId) -> Option<i32> {
    trace.iter().rev().find_map(|e| match &e.kind {
        TraceKind::Return { socket: Some(s), fd: Some(fd), result: Ok(_), .. } if *s == socket => Some(*fd),
        _ => None,
    })
}

/// "client socket 3", or for a connection no call has named yet (still in a
/// listener's queue) "client's new connection".
fn socket_words(cx: &Context, trace: &[TraceEvent], host: HostId, socket: SocketId) -> String {
    let host = (cx.host_name)(host);
    match fd_of(trace, socket) {
        Some(fd) => cx.lang.pick((format!("{host} socket {fd}"), format!("{host} 소켓 {fd}"))),
        None => cx.lang.pick((format!("{host}'s new connection"), format!("{host}의 새 연결"))),
    }
}

/// A packet as spoken: "SYN, seq 0", "5 bytes of data, seq 1, ack 1", "a UDP datagram of 5 bytes".
fn packet_words(cx: &Context, info: &PacketInfo) -> String {
    let ko = cx.lang == Lang::Ko;
    match &info.packet.body {
        Body::Tcp(s) => {
            let (seq_base, ack_base) = match (cx.numbering, info.isn) {
                (Numbering::Relative, Some(isn)) => (isn.own, isn.peer.unwrap_or(0)),
                _ => (0, 0),
            };
            let f = s.flags;
            let what = if f.rst() {
                "RST".to_string()
            } else if f.syn() && f.ack() {
                "SYN-ACK".to_string()
            } else if f.syn() {
                "SYN".to_string()
            } else if !s.payload.is_empty() {
                let fin = if f.fin() { " + FIN" } else { "" };
                match ko {
                    false => format!("{} bytes of data{fin}", s.payload.len()),
                    true => format!("데이터 {}바이트{fin}", s.payload.len()),
                }
            } else if f.fin() {
                "FIN".to_string()
            } else {
                "ACK".to_string()
            };
            let mut out = format!("{what}, seq {}", s.seq.wrapping_sub(seq_base));
            if f.ack() {
                out.push_str(&format!(", ack {}", s.ack.wrapping_sub(ack_base)));
            }
            out
        }
        Body::Udp(d) => match ko {
            false => format!("a UDP datagram of {} bytes", d.payload.len()),
            true => format!("UDP 데이터그램 {}바이트", d.payload.len()),
        },
        Body::PortUnreachable(q) => match ko {
            false => format!("ICMP port {} unreachable", q.dst_port),
            true => format!("ICMP 포트 {} 도달 불가", q.dst_port),
        },
        Body::Fragment(f) => match ko {
            false => format!("an IP fragment of {} bytes at offset {}", f.data.len(), f.offset),
            true => format!("IP 조각 {}바이트(오프셋 {})", f.data.len(), f.offset),
        },
    }
}

/// The packet with this id, as first sent (a duplicate's copy is its own packet).
fn packet<'a>(cx: &Context<'a>, id: u64) -> Option<&'a PacketInfo> {
    cx.packets.iter().find(|p| p.id == id)
}

/// The call with this id, as made (looked up by id, before or in the step).
fn call_made(trace: &[TraceEvent], call: CallId) -> Option<String> {
    trace.iter().rev().find_map(|e| match &e.kind {
        TraceKind::Call { call: c, syscall, .. } if *c == call => Some(syscall.render()),
        _ => None,
    })
}

fn clause(cx: &Context, trace: &[TraceEvent], step: &[TraceEvent], e: &TraceEvent) -> Option<String> {
    let lang = cx.lang;
    let name = cx.host_name;
    Some(match &e.kind {
        TraceKind::Call { call, host, syscall, .. } => {
            // A call that returns in this step is said once, with its result.
            if step.iter().any(|r| matches!(r.kind, TraceKind::Return { call: c, .. } if c == *call)) {
                return None;
            }
            let (host, call) = (name(*host), syscall.render());
            lang.pick((format!("{host} calls {call} and waits"), format!("{host}: {call} 호출, 기다림")))
        }
        TraceKind::Return { call, host, result, .. } => {
            let host = name(*host);
            let call = call_made(trace, *call).unwrap_or_else(|| "?".into());
            match result {
                Ok(_) => lang.pick((
                    format!("{host}: {call} returns {}", render_result(result)),
                    format!("{host}: {call} 반환값 {}", render_result(result)),
                )),
                Err(errno) => lang.pick((
                    format!("{host}: {call} fails with {}", errno.name()),
                    format!("{host}: {call} 실패, {}", errno.name()),
                )),
            }
        }
        TraceKind::Sent { host, packet: p, to, reason, .. } => {
            let info = packet(cx, p.id.0)?;
            let what = packet_words(cx, info);
            let from = name(*host);
            let again = reason.is_data_retransmission() || *reason == SendReason::HandshakeRetransmit;
            let port = match &p.body {
                Body::Tcp(s) => Some(s.dst_port),
                Body::Udp(d) => Some(d.dst_port),
                Body::Fragment(f) => f.udp_ports().map(|(_, dst)| dst),
                Body::PortUnreachable(_) => None,
            };
            let (to_en, to_ko) = match (to, port) {
                (Some(h), Some(port)) => {
                    (format!("to {} port {port}", name(*h)), format!("{} {port}번 포트로", name(*h)))
                }
                (Some(h), None) => (format!("to {}", name(*h)), Particle::Towards.after(&name(*h))),
                (None, _) => ("to nowhere (no route)".to_string(), "갈 곳 없이 (경로 없음)".to_string()),
            };
            let (again_en, again_ko) = if again { (" again", " 재전송") } else { ("", " 전송") };
            lang.pick((format!("{from} sends {what}{again_en}, {to_en}"), format!("{from}: {to_ko} {what}{again_ko}")))
        }
        TraceKind::Delivered { packet: p, host, .. } => {
            let what = packet_words(cx, packet(cx, p.0)?);
            let host = name(*host);
            lang.pick((format!("{what} reaches {host}"), format!("{what}: {host}에 도착")))
        }
        TraceKind::Lost { packet: p, reason, .. } => {
            let what = packet_words(cx, packet(cx, p.0)?);
            let (why_en, why_ko) = match reason {
                LossReason::Random => ("lost on the link", "링크에서 손실"),
                LossReason::DropNext | LossReason::DropById => ("dropped on the link", "링크에서 버려짐"),
                LossReason::Partition => ("lost: the link is cut", "손실: 링크가 끊김"),
                LossReason::NoRoute => ("lost: no route", "손실: 경로 없음"),
                LossReason::Checksum { .. } => ("dropped: bad checksum", "버려짐: 체크섬 오류"),
                LossReason::Truncated { .. } => ("dropped: cut short", "버려짐: 잘린 패킷"),
            };
            lang.pick((format!("{what} is {why_en}"), format!("{what}: {why_ko}")))
        }
        TraceKind::Duplicated { original, .. } => {
            let what = packet_words(cx, packet(cx, original.0)?);
            lang.pick((format!("the link duplicates {what}"), format!("링크가 복제: {what}")))
        }
        TraceKind::Reordered { packet: p, .. } => {
            let what = packet_words(cx, packet(cx, p.0)?);
            lang.pick((format!("the link holds back {what}"), format!("링크가 늦춤: {what}")))
        }
        TraceKind::Held { packet: p, .. } => {
            let what = packet_words(cx, packet(cx, p.0)?);
            lang.pick((format!("the link holds {what}"), format!("링크가 붙잡음: {what}")))
        }
        TraceKind::Dropped { host, socket, reason: DropReason::ReceiveBufferFull, .. } => {
            let who = socket_words(cx, trace, *host, *socket);
            lang.pick((
                format!("{who} discards a datagram: its receive buffer is full"),
                format!("{who}: 수신 버퍼가 가득 차 데이터그램 버림"),
            ))
        }
        TraceKind::Dropped { host, packet: p, reason: DropReason::AcceptQueueFull { backlog, waiting }, .. } => {
            let what = packet_words(cx, packet(cx, p.0)?);
            let host = name(*host);
            lang.pick((
                format!(
                    "{host}'s listener drops {what}: its accept queue is full ({waiting} waiting, backlog {backlog})"
                ),
                format!("{host}의 리스너가 버림: {what}. accept 큐가 가득 참 ({waiting}개 대기, backlog {backlog})"),
            ))
        }
        TraceKind::State { host, socket, from, to, .. } => {
            format!("{}: {} → {}", socket_words(cx, trace, *host, *socket), from.name(), to.name())
        }
        TraceKind::Timer { host, timer, .. } => {
            let host = name(*host);
            lang.pick((
                format!("{host}'s {} timer expires", timer_name(Lang::En, *timer)),
                format!("{host}: {} 타이머 만료", timer_name(Lang::Ko, *timer)),
            ))
        }
        TraceKind::SocketError { host, socket, errno, .. } => {
            let who = socket_words(cx, trace, *host, *socket);
            lang.pick((
                format!("{who} has a pending error, {}", errno.name()),
                format!("{who}: 대기 중인 오류 {}", errno.name()),
            ))
        }
        TraceKind::PortHeld { host, port, state, .. } => {
            let host = name(*host);
            let holder = state.map_or("UDP".to_string(), |s| s.name().to_string());
            lang.pick((
                format!("port {port} on {host} is still held by a socket in {holder}"),
                format!("{host} {port}번 포트: {holder} 소켓이 아직 사용 중"),
            ))
        }
        TraceKind::Truncated { host, datagram, read, .. } => {
            let host = name(*host);
            lang.pick((
                format!("{host} read {read} of a {datagram}-byte datagram; the rest is discarded"),
                format!("{host}: {datagram}바이트 데이터그램 중 {read}바이트만 읽고 나머지는 버림"),
            ))
        }
        TraceKind::Reassembled { host, fragments, .. } => {
            let host = name(*host);
            lang.pick((
                format!("{host} puts {} fragments together into the datagram", fragments.len()),
                format!("{host}: 조각 {}개를 데이터그램으로 재조립", fragments.len()),
            ))
        }
        TraceKind::FragmentsDiscarded { host, fragments, reason, .. } => {
            let host = name(*host);
            let n = fragments.len();
            match reason {
                ReassemblyFailure::Timeout => lang.pick((
                    format!("{host} gives up on a datagram after 30 s and throws away its {n} fragments"),
                    format!("{host}: 30초 동안 완성되지 않은 데이터그램의 조각 {n}개를 버림"),
                )),
                ReassemblyFailure::Overlap => lang.pick((
                    format!("{host} throws away a datagram's {n} fragments: one overlapped another"),
                    format!("{host}: 조각이 겹쳐 데이터그램의 조각 {n}개를 버림"),
                )),
            }
        }
        TraceKind::Fault { change: FaultChange::DropPacket(p), .. } => {
            lang.pick((format!("you drop packet #{}", p.0), format!("패킷 #{} 버리기", p.0)))
        }
        // Each change names its link and direction, as the explanation does
        // ("a link is cut" left the one-way cut of partition_timeout unsaid).
        TraceKind::Fault { link, dir, change } => {
            let link = (cx.link_name)(*link, *dir);
            match change {
                FaultChange::Partition => lang.pick((format!("the link {link} is cut"), format!("{link} 링크 끊김"))),
                FaultChange::Repair => lang.pick((format!("the link {link} is repaired"), format!("{link} 링크 복구"))),
                FaultChange::Hold => lang
                    .pick((format!("the link {link} holds packets back"), format!("{link} 링크가 패킷을 붙잡아 둠"))),
                FaultChange::Release => lang.pick((
                    format!("the link {link} releases the packets it held"),
                    format!("{link} 링크가 붙잡아 둔 패킷을 풀어 줌"),
                )),
                FaultChange::DropNext(n) => lang.pick((
                    format!("the link {link} will drop the next {n} packet{}", if *n == 1 { "" } else { "s" }),
                    format!("{link} 링크가 다음 패킷 {n}개를 버림"),
                )),
                _ => lang.pick((format!("the link {link}'s settings change"), format!("{link} 링크 설정 변경"))),
            }
        }
        // The window's size is for the plot, not for a sentence.
        TraceKind::Congestion { .. } => return None,
        TraceKind::LossConfirmed { host, .. } => {
            let host = name(*host);
            lang.pick((
                format!("{host}'s F-RTO finds the loss was real, and resending goes on"),
                format!("{host}: F-RTO가 손실이 진짜였다고 판정, 재전송 계속"),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::scripts::{prepare, script_text};
    use crate::lesson::timeline::Timeline;
    use crate::view::packets::packets;

    /// Every step's announcement of lesson `id` in `lang`.
    fn announced(id: &str, lang: Lang) -> Vec<String> {
        let p = prepare(script_text(id).expect("lesson"), None).expect("runs");
        let world = p.world.clone();
        let t = Timeline::run(p.world, p.commands, &[]);
        let all = packets(&t.trace);
        let host_name = |h: HostId| world.host_name(h).to_string();
        let link_name = |l, d| crate::view::explain::link_name(&world, l, d);
        let cx = Context {
            lang,
            packets: &all,
            numbering: Numbering::Relative,
            host_name: &host_name,
            link_name: &link_name,
        };
        t.ticks.iter().map(|tick| announce(&cx, &t.trace[..tick.end], tick.first..tick.end)).collect()
    }

    fn said<'a>(steps: &'a [String], part: &str) -> &'a String {
        steps.iter().find(|s| s.contains(part)).unwrap_or_else(|| panic!("no step says {part:?}: {steps:#?}"))
    }

    #[test]
    fn the_handshake_is_announced_packet_by_packet_in_english() {
        let steps = announced("handshake", Lang::En);
        said(&steps, "client sends SYN, seq 0, to server port 80");
        said(&steps, "server sends SYN-ACK, seq 0, ack 1, to client port ");
        said(&steps, "SYN, seq 0 reaches server");
        said(&steps, "client socket 3: SYN-SENT → ESTABLISHED");
        said(&steps, "server: accept(3) returns 4 from 10.0.0.2:");
        // Every step says something, and each is one sentence with its time first.
        assert!(steps.iter().all(|s| s.ends_with('.') && (s.contains(" ms: ") || s.contains(" s: "))), "{steps:#?}");
    }

    #[test]
    fn the_handshake_is_announced_in_korean() {
        let steps = announced("handshake", Lang::Ko);
        said(&steps, "client: server 80번 포트로 SYN, seq 0 전송");
        said(&steps, "client 소켓 3: SYN-SENT → ESTABLISHED");
        said(&steps, "server: accept(3) 반환값 4");
        said(&steps, "SYN, seq 0: server에 도착");
        assert!(steps.iter().all(|s| !s.contains(" sends ") && !s.contains(" returns ")), "{steps:#?}");
    }

    #[test]
    fn a_connection_still_in_the_accept_queue_is_named_by_its_host_not_a_descriptor() {
        // The server's new connection enters SYN-RECEIVED before accept() names it.
        let en = announced("handshake", Lang::En);
        said(&en, "server's new connection: LISTEN → SYN-RECEIVED");
        let ko = announced("handshake", Lang::Ko);
        said(&ko, "server의 새 연결: LISTEN → SYN-RECEIVED");
    }

    #[test]
    fn a_syn_dropped_at_a_full_accept_queue_is_not_called_a_datagram() {
        // backlog_overflow step 16 read "server socket 3 discards a datagram:
        // its receive buffer is full" where the explanation and the diagram
        // said the listener's accept queue was full.
        let en = announced("backlog_overflow", Lang::En);
        said(&en, "server's listener drops SYN, seq 0: its accept queue is full (2 waiting, backlog 1)");
        assert!(en.iter().all(|s| !s.contains("discards a datagram")), "{en:#?}");
        let ko = announced("backlog_overflow", Lang::Ko);
        said(&ko, "server의 리스너가 버림: SYN, seq 0. accept 큐가 가득 참 (2개 대기, backlog 1)");
    }

    #[test]
    fn a_lost_segment_and_its_retransmission_are_announced() {
        for lang in Lang::ALL {
            let steps = announced("loss_retransmission", lang);
            said(&steps, lang.pick((" is dropped on the link", ": 링크에서 버려짐")));
            said(&steps, lang.pick((" again, to server port 80", " 재전송")));
        }
    }

    #[test]
    fn a_refused_connect_names_its_errno() {
        for lang in Lang::ALL {
            let steps = announced("connection_refused", lang);
            said(&steps, lang.pick(("fails with ECONNREFUSED", "실패, ECONNREFUSED")));
            said(&steps, "RST");
        }
    }

    #[test]
    fn a_step_with_a_crowd_of_events_is_counted_not_read() {
        use crate::net::tcp::timers::TimerKind;
        let timer = |id: u64| TraceEvent {
            id,
            time: 2_000,
            kind: TraceKind::Timer { host: HostId(0), socket: SocketId(id as u32), timer: TimerKind::Retransmit },
        };
        let trace: Vec<TraceEvent> = (0..10).map(timer).collect();
        let name = |_: HostId| "client".to_string();
        for (lang, more) in [(Lang::En, "; and 4 more."), (Lang::Ko, "; 그 밖에 4건.")] {
            let cx = Context {
                lang,
                packets: &[],
                numbering: Numbering::Relative,
                host_name: &name,
                link_name: &|_, _| "client ↔ server".to_string(),
            };
            let said = announce(&cx, &trace, 0..10);
            // Identical clauses in a row are said once: the ten timers are one clause.
            assert!(said.starts_with("2 ms: client") && !said.contains("; "), "{said}");
            let distinct: Vec<TraceEvent> = (0..10)
                .map(|i| TraceEvent {
                    id: i,
                    time: 2_000,
                    kind: TraceKind::Fault {
                        link: crate::net::LinkId(0),
                        dir: None,
                        change: FaultChange::DropPacket(crate::net::PacketId(i)),
                    },
                })
                .collect();
            let said = announce(&cx, &distinct, 0..10);
            assert_eq!(said.matches("; ").count(), MAX_CLAUSES, "{said}");
            assert!(said.ends_with(more), "{said}");
        }
    }

    /// The events table and the live region said "a link's settings change"
    /// for a cut; then "a link is cut", without the one-way cut's direction.
    #[test]
    fn a_cut_and_a_repair_name_their_link_and_its_direction() {
        for (lang, cut, repaired) in [
            (Lang::En, "the link client → server is cut", "the link client ↔ server is repaired"),
            (Lang::Ko, "client → server 링크 끊김", "client ↔ server 링크 복구"),
        ] {
            let said = announced("partition_timeout", lang);
            assert!(said.iter().any(|s| s.contains(cut)), "{lang:?}: {cut}");
            assert!(said.iter().any(|s| s.contains(repaired)), "{lang:?}: {repaired}");
        }
    }

    #[test]
    fn nothing_is_said_outside_the_trace() {
        let cx = Context {
            lang: Lang::En,
            packets: &[],
            numbering: Numbering::Relative,
            host_name: &|_| String::new(),
            link_name: &|_, _| String::new(),
        };
        assert_eq!(announce(&cx, &[], 0..0), "");
        assert_eq!(announce(&cx, &[], 3..5), "");
    }
}
