//! The sequence diagram: one lifeline per socket (grouped under its host), time
//! flowing down, each packet a slanted arrow from the sending socket's lifeline at its
//! send time to the receiving socket's lifeline at its arrival, calls, returns and
//! state changes as notes on the socket's lifeline.
//!
//! [`seq_layout`] places the *whole* lesson once (plain Rust, testable); the view
//! shows what has happened up to the current position, so nothing jumps as you step.

use std::rc::Rc;

use rustc_hash::FxHashMap;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::i18n::{analysis, tr, Lang, Text};
use super::packets::{Fate, Numbering, PacketInfo};
use super::topology::{format_time, label_width};
use super::{on_activate, Shared};
use crate::endpoints::{endpoints, Endpoint, Endpoints};
use crate::links::Linked;
use crate::net::packet::Body;
use crate::net::socket::render_result;
use crate::net::{FaultChange, HostId, Protocol, SocketId, TraceEvent, TraceKind, World};

/// Room for the time column on the left.
const TIME_W: f64 = 64.0;
/// Room for notes beside the outermost lifelines.
const NOTE_W: f64 = 230.0;
/// The first host's notes run left, towards the time column: a little more room.
const NOTE_W_LEFT: f64 = 270.0;
/// Between two lifelines of one host.
const LANE_GAP: f64 = 130.0;
/// Between two hosts' groups of lifelines: room for a packet's label.
const HOST_GAP: f64 = 280.0;
/// The lifelines' labels take the top this high, in a header that stays in view.
const HEAD: f64 = 64.0;
const TOP: f64 = 76.0;
const SLOT: f64 = 19.0;
/// How far above the current event the diagram is drawn, in SVG units.
const WINDOW: f64 = 1400.0;
/// The longest packet on its way drawn dashed, in SVG units.
const LONG_DASHED_LINE: f64 = 3000.0;
/// A packet on its way is drawn this far below the current event, give or take
/// a stride (see `arrow_geometry`).
const REACH_STRIDE: f64 = 600.0;

/// What a lifeline stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaneOf {
    Socket(SocketId),
    /// The host itself: packets no socket sent or took (a RST for a closed port,
    /// ICMP), calls on descriptors that name no socket.
    Host(HostId),
}

/// The role a socket plays, for its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Listening,
    Accepted,
    Other,
}

/// One lifeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub of: LaneOf,
    pub host: HostId,
    pub x: f64,
    /// Its local address over time (from trace index, `10.0.0.1:80`); empty for a
    /// host's own lane.
    pub addrs: Vec<(usize, String)>,
    /// Its descriptor, from the trace index where it got it.
    pub fd: Option<(usize, i32)>,
    pub role: Role,
    pub protocol: Option<Protocol>,
    /// Trace index from which it exists, and after which it is gone.
    pub born: usize,
    pub died: Option<usize>,
}

/// A host's name over its lifelines.
#[derive(Clone, Debug, PartialEq)]
pub struct HostHead {
    pub host: HostId,
    pub name: String,
    pub x1: f64,
    pub x2: f64,
    /// When its first lifeline appears.
    pub born: usize,
}

/// What a note says, in either language.
#[derive(Clone, Debug, PartialEq)]
pub enum Say {
    /// Code, a state name: the same in every language.
    Code(String),
    Timer(&'static str),
    Error(&'static str),
    BufferFull,
    LinkSettings(String),
    DropPacket(u64),
    Fault(FaultWord),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultWord {
    Cut,
    Repaired,
    Held,
    Released,
    DropNext(u32),
}

impl Say {
    pub fn text(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            Say::Code(s) => s.clone(),
            Say::Timer(t) if ko => format!("{t} 타이머 만료"),
            Say::Timer(t) => format!("{t} timer fires"),
            Say::Error(e) if ko => format!("오류 {e}"),
            Say::Error(e) => format!("error {e}"),
            Say::BufferFull => format!("✕ {}", tr(lang, Text::DroppedFull)),
            Say::LinkSettings(s) if ko => format!("링크: {s}"),
            Say::LinkSettings(s) => format!("link: {s}"),
            Say::DropPacket(p) if ko => format!("✂ 패킷 #{p} 버리기"),
            Say::DropPacket(p) => format!("✂ drop packet #{p}"),
            Say::Fault(w) => match (w, ko) {
                (FaultWord::Cut, false) => "✂ link cut".into(),
                (FaultWord::Cut, true) => "✂ 링크 끊김".into(),
                (FaultWord::Repaired, false) => "link repaired".into(),
                (FaultWord::Repaired, true) => "링크 복구".into(),
                (FaultWord::Held, false) => "link holds packets".into(),
                (FaultWord::Held, true) => "링크가 패킷을 붙잡음".into(),
                (FaultWord::Released, false) => "link releases packets".into(),
                (FaultWord::Released, true) => "링크가 패킷을 놓아줌".into(),
                (FaultWord::DropNext(n), false) => format!("link drops the next {n}"),
                (FaultWord::DropNext(n), true) => format!("링크가 다음 {n}개를 버림"),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Trace indices this note shows (a call and its immediate return share one).
    pub first: usize,
    pub last: usize,
    /// The lifeline it sits on (a dot marks it there), and its socket.
    pub lane_x: f64,
    pub socket: Option<SocketId>,
    pub x: f64,
    pub y: f64,
    pub say: Say,
    pub kind: &'static str,
    pub anchor_end: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: u64,
    /// Its packet's place in the lesson's packets.
    pub packet: usize,
    pub index: usize,
    pub fate_index: Option<usize>,
    pub x1: f64,
    pub y1: f64,
    /// Where it ends once its fate is known (arrival, or where it fell).
    pub x2: f64,
    pub y2: f64,
    /// The lane it heads for (where a lost one would have arrived): while it is on
    /// its way it points there, so that it does not tell of its loss in advance.
    pub aim_x: f64,
    pub sent: u64,
    pub arrival: u64,
    pub lost: bool,
}

/// A blocked call, drawn as a bar on its lifeline from the call to its return.
#[derive(Clone, Debug, PartialEq)]
pub struct Wait {
    pub call_index: usize,
    /// Index of the `Return` event, once there is one.
    pub return_index: Option<usize>,
    pub x: f64,
    pub y1: f64,
    pub y2: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimeMark {
    pub index: usize,
    pub y: f64,
    pub text: String,
    pub gap: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeqLayout {
    pub width: f64,
    pub height: f64,
    pub hosts: Vec<HostHead>,
    pub lanes: Vec<Lane>,
    pub notes: Vec<Note>,
    pub arrows: Vec<Arrow>,
    pub times: Vec<TimeMark>,
    pub waits: Vec<Wait>,
    /// The y where each trace event sits (for scrolling to the current one).
    pub event_y: Vec<f64>,
    /// And the x to keep in view for it: its lifeline, or the middle of its arrow.
    pub event_x: Vec<f64>,
}

fn gap(dt_us: u64) -> f64 {
    match dt_us {
        0 => 0.0,
        d if d > 1_000_000 => 44.0,
        d => 12.0 + (d as f64 / 1_000.0 * 2.5).min(48.0),
    }
}

fn lane_of(ends: &Endpoints, i: usize, host: HostId) -> LaneOf {
    ends.socket_of.get(i).copied().flatten().map_or(LaneOf::Host(host), LaneOf::Socket)
}

/// The socket on `host` a packet to `dst` from `src` would reach: the connection,
/// else a listener or bound socket on that port (the core's demultiplexing, read
/// from what the trace showed of each socket).
fn receiver(ends: &Endpoints, host: HostId, p: &PacketInfo) -> LaneOf {
    let (src_port, dst_port, proto) = match &p.packet.body {
        Body::Tcp(s) => (s.src_port, s.dst_port, Protocol::Tcp),
        Body::Udp(d) => (d.src_port, d.dst_port, Protocol::Udp),
        Body::PortUnreachable(q) => (q.dst_port, q.src_port, Protocol::Udp),
    };
    let src = crate::net::SocketAddrV4::new(p.packet.src, src_port);
    let mine = |e: &&Endpoint| {
        e.host == host
            && e.protocol == proto
            && e.local.is_some_and(|l| l.port() == dst_port && (*l.ip() == p.packet.dst || l.ip().is_unspecified()))
    };
    let all: Vec<&Endpoint> = ends.list.iter().filter(mine).collect();
    all.iter()
        .find(|e| e.remote == Some(src))
        .or_else(|| all.iter().find(|e| e.listening || e.protocol == Protocol::Udp))
        .map_or(LaneOf::Host(host), |e| LaneOf::Socket(e.id))
}

/// The lifelines, grouped by host in the world's order: a host's own lane first
/// (when anything needs it), then its sockets in order of birth.
fn lanes(trace: &[TraceEvent], ends: &Endpoints, world: &World) -> (Vec<HostHead>, Vec<Lane>) {
    let n = world.hosts().len();
    let mut host_born: FxHashMap<HostId, usize> = FxHashMap::default();
    for (i, e) in trace.iter().enumerate() {
        let Some(h) = e.kind.host() else { continue };
        let orphan = ends.socket_of.get(i).is_none_or(Option::is_none)
            && !matches!(e.kind, TraceKind::Call { syscall: crate::net::SysCall::Socket { .. }, .. });
        if orphan {
            host_born.entry(h).or_insert(i);
        }
    }
    let mut heads = Vec::new();
    let mut out = Vec::new();
    let mut x = TIME_W + if n > 1 { NOTE_W_LEFT } else { 20.0 };
    for (hid, host) in world.hosts() {
        let first = out.len();
        let sockets: Vec<&Endpoint> = ends.list.iter().filter(|e| e.host == hid).collect();
        // A host with nothing at all still shows its lifeline.
        if host_born.contains_key(&hid) || sockets.is_empty() {
            out.push(Lane {
                of: LaneOf::Host(hid),
                host: hid,
                x,
                addrs: Vec::new(),
                fd: None,
                role: Role::Other,
                protocol: None,
                born: host_born.get(&hid).copied().unwrap_or(0),
                died: None,
            });
            x += LANE_GAP;
        }
        for e in sockets {
            let role = if e.listening {
                Role::Listening
            } else if e.accepted_from.is_some() {
                Role::Accepted
            } else {
                Role::Other
            };
            out.push(Lane {
                of: LaneOf::Socket(e.id),
                host: hid,
                x,
                addrs: e.locals.iter().map(|(i, a)| (*i, a.to_string())).collect(),
                fd: e.fd.map(|f| (e.fd_from, f)),
                role,
                protocol: Some(e.protocol),
                born: e.born,
                died: e.died,
            });
            x += LANE_GAP;
        }
        let group = &out[first..];
        heads.push(HostHead {
            host: hid,
            name: host.name.clone(),
            x1: group.first().map_or(x, |l| l.x),
            x2: group.last().map_or(x, |l| l.x),
            born: group.iter().map(|l| l.born).min().unwrap_or(0),
        });
        x += HOST_GAP - LANE_GAP;
    }
    (heads, out)
}

/// Places every event of `trace` (with its `packets`).
pub fn seq_layout(trace: &[TraceEvent], packets: &[PacketInfo], world: &World) -> SeqLayout {
    let ends = endpoints(trace);
    let (hosts, lanes) = lanes(trace, &ends, world);
    let n = world.hosts().len();
    let first_host = world.hosts().next().map(|(h, _)| h);
    let lane_x: FxHashMap<LaneOf, f64> = lanes.iter().map(|l| (l.of, l.x)).collect();
    let x_of = |of: LaneOf, host: HostId| {
        lane_x.get(&of).or_else(|| lane_x.get(&LaneOf::Host(host))).copied().unwrap_or(TIME_W + NOTE_W)
    };
    // The first host's notes go to the left of its lifelines, everyone else's to the right.
    let left = |h: HostId| n > 1 && first_host == Some(h);
    let mid = (lanes.first().map_or(0.0, |l| l.x) + lanes.last().map_or(0.0, |l| l.x)) / 2.0;
    let by_id: FxHashMap<u64, usize> = packets.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut notes: Vec<Note> = Vec::new();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut times: Vec<TimeMark> = Vec::new();
    let mut event_y = Vec::with_capacity(trace.len());
    let mut event_x = Vec::with_capacity(trace.len());
    let mut call_note: FxHashMap<u64, (usize, String)> = FxHashMap::default();
    let mut waits: Vec<Wait> = Vec::new();
    let mut call_at: FxHashMap<u64, (usize, f64, f64)> = FxHashMap::default();
    let mut arrow_of: FxHashMap<u64, usize> = FxHashMap::default();
    let mut y = TOP;
    let mut band_time: Option<u64> = None;
    let mut slots: Vec<usize> = vec![0; n.max(1)];
    let mut band_y = y;

    for (i, e) in trace.iter().enumerate() {
        if band_time != Some(e.time) {
            let used = slots.iter().copied().max().unwrap_or(0) as f64 * SLOT;
            let dt = band_time.map_or(0, |t| e.time.saturating_sub(t));
            if band_time.is_some() {
                y = band_y + used + gap(dt);
            }
            band_y = y;
            slots.iter_mut().for_each(|s| *s = 0);
            times.push(TimeMark { index: i, y: band_y + 12.0, text: format_time(e.time), gap: dt > 1_000_000 });
            band_time = Some(e.time);
        }
        // Notes of one host never share a row, whichever of its lifelines they are on.
        let mut slot_y = |h: HostId| -> f64 {
            let k = h.0 as usize;
            if k >= slots.len() {
                return band_y;
            }
            let v = band_y + slots[k] as f64 * SLOT + 12.0;
            slots[k] += 1;
            v
        };
        let note_at = |h: HostId, y: f64, say: Say, kind: &'static str| {
            let lane = lane_of(&ends, i, h);
            let lx = x_of(lane, h);
            Note {
                first: i,
                last: i,
                lane_x: lx,
                socket: match lane {
                    LaneOf::Socket(s) => Some(s),
                    LaneOf::Host(_) => None,
                },
                x: if left(h) { lx - 12.0 } else { lx + 12.0 },
                y: y + 4.0,
                say,
                kind,
                anchor_end: left(h),
            }
        };
        let mut ey = band_y + 12.0;
        match &e.kind {
            TraceKind::Call { call, host, syscall, .. } => {
                ey = slot_y(*host);
                let text = syscall.render();
                call_note.insert(call.0, (notes.len(), text.clone()));
                let lx = x_of(lane_of(&ends, i, *host), *host);
                call_at.insert(call.0, (i, ey, if left(*host) { lx - 5.0 } else { lx + 5.0 }));
                notes.push(note_at(*host, ey, Say::Code(text), "call"));
            }
            TraceKind::Return { call, host, result, blocked, .. } => {
                let shown = render_result(result);
                let kind = if result.is_err() { "err" } else { "ret" };
                match call_note.get(&call.0) {
                    Some((k, _)) if !*blocked && notes.get(*k).is_some_and(|n| n.last + 4 >= i) => {
                        let note = &mut notes[*k];
                        if let Say::Code(t) = &mut note.say {
                            *t = format!("{t} = {shown}");
                        }
                        note.last = i;
                        note.kind = kind;
                        ey = note.y - 4.0;
                    }
                    found => {
                        ey = slot_y(*host);
                        if let Some(&(ci, cy, x)) = call_at.get(&call.0).filter(|_| *blocked) {
                            waits.push(Wait { call_index: ci, return_index: Some(i), x, y1: cy, y2: ey });
                        }
                        let name = found.map_or("call".to_string(), |(_, t)| t.clone());
                        notes.push(note_at(*host, ey, Say::Code(format!("{name} = {shown}")), kind));
                    }
                }
            }
            TraceKind::State { host, to, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, Say::Code(to.name().to_string()), "state"));
            }
            TraceKind::Timer { host, timer, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, Say::Timer(timer.name()), "timer"));
            }
            TraceKind::SocketError { host, errno, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, Say::Error(errno.name()), "err"));
            }
            TraceKind::Dropped { host, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, Say::BufferFull, "err"));
            }
            TraceKind::Fault { change, .. } => {
                let say = match change {
                    FaultChange::Configure(c) => {
                        let mut s = format!(
                            "{} · loss {}% · dup {}% · reorder {}%",
                            super::topology::format_latency(c.latency_us),
                            (c.loss * 100.0).round(),
                            (c.duplicate * 100.0).round(),
                            (c.reorder * 100.0).round()
                        );
                        // Script words, the same in both languages; shown only when set.
                        for (word, p) in [("corrupt", c.corrupt), ("truncate", c.truncate)] {
                            if p > 0.0 {
                                s.push_str(&format!(" · {word} {}%", (p * 100.0).round()));
                            }
                        }
                        Say::LinkSettings(s)
                    }
                    FaultChange::DropPacket(p) => Say::DropPacket(p.0),
                    FaultChange::Partition => Say::Fault(FaultWord::Cut),
                    FaultChange::Repair => Say::Fault(FaultWord::Repaired),
                    FaultChange::Hold => Say::Fault(FaultWord::Held),
                    FaultChange::Release => Say::Fault(FaultWord::Released),
                    FaultChange::DropNext(k) => Say::Fault(FaultWord::DropNext(*k)),
                };
                notes.push(Note {
                    first: i,
                    last: i,
                    lane_x: mid,
                    socket: None,
                    x: mid,
                    y: ey + 4.0,
                    say,
                    kind: "fault",
                    anchor_end: false,
                });
                slots.iter_mut().for_each(|s| *s += 1);
            }
            TraceKind::Sent { host, packet, .. } => {
                ey = slot_y(*host);
                if let Some(&k) = by_id.get(&packet.id.0) {
                    let p = &packets[k];
                    let x1 = x_of(lane_of(&ends, i, *host), *host);
                    let x2 = p.to.map_or(x1, |to| x_of(receiver(&ends, to, p), to));
                    arrow_of.insert(p.id, arrows.len());
                    arrows.push(new_arrow(k, p, x1, ey, x2));
                }
            }
            TraceKind::Duplicated { copy, .. } => {
                if let Some(&k) = by_id.get(&copy.0) {
                    let p = &packets[k];
                    let original = p.duplicate_of.and_then(|o| arrow_of.get(&o)).map(|&a| arrows[a].clone());
                    let (x1, y1, x2) = original.map_or((mid, ey, mid), |a| (a.x1, a.y1, a.x2));
                    arrow_of.insert(p.id, arrows.len());
                    arrows.push(new_arrow(k, p, x1, y1, x2));
                }
            }
            TraceKind::Delivered { packet, host, .. } => {
                ey = slot_y(*host);
                if let Some(&a) = arrow_of.get(&packet.0) {
                    arrows[a].y2 = ey;
                    arrows[a].x2 = x_of(lane_of(&ends, i, *host), *host);
                    arrows[a].aim_x = arrows[a].x2;
                }
            }
            TraceKind::Lost { packet, .. } => {
                if let Some(&a) = arrow_of.get(&packet.0) {
                    let ar = &mut arrows[a];
                    ar.lost = true;
                    let same_time = ar.index + 8 > i && trace.get(ar.index).is_some_and(|s| s.time == e.time);
                    ar.x2 = ar.x1 + (ar.x2 - ar.x1) * 0.55;
                    ar.y2 = if same_time { ar.y1 + 26.0 } else { ey };
                    ey = ar.y2;
                }
            }
            _ => {}
        }
        event_y.push(ey);
        let ex = match arrows.last().filter(|a| a.index == i) {
            Some(a) => (a.x1 + a.x2) / 2.0,
            None => e.kind.host().map_or(mid, |h| x_of(lane_of(&ends, i, h), h)),
        };
        event_x.push(ex);
    }
    // Calls still blocked when the trace ends wait to the bottom.
    for (&call, &(ci, cy, x)) in call_at.iter() {
        let returned =
            trace[ci + 1..].iter().any(|e| matches!(&e.kind, TraceKind::Return { call: r, .. } if r.0 == call));
        if !returned {
            waits.push(Wait { call_index: ci, return_index: None, x, y1: cy, y2: f64::INFINITY });
        }
    }
    waits.sort_by_key(|w| w.call_index);
    let used = slots.iter().copied().max().unwrap_or(0) as f64 * SLOT;
    // Wide enough for the longest note on the right (within reason: a long send()
    // is cut rather than squeezing everything else).
    let last_x = lanes.last().map_or(TIME_W + NOTE_W, |l| l.x);
    let right = notes
        .iter()
        .filter(|n| !n.anchor_end && n.kind != "fault")
        .map(|n| n.x + label_width(&n.say.text(Lang::En)) - 10.0)
        .fold(last_x + NOTE_W, f64::max);
    let width = right.min(last_x + 1.6 * NOTE_W).ceil();
    SeqLayout { width, height: band_y + used + 40.0, hosts, lanes, notes, arrows, times, waits, event_y, event_x }
}

fn new_arrow(packet: usize, p: &PacketInfo, x1: f64, y1: f64, x2: f64) -> Arrow {
    Arrow {
        id: p.id,
        packet,
        index: p.index,
        fate_index: p.fate_index,
        x1,
        y1,
        x2,
        y2: y1 + 30.0,
        aim_x: x2,
        sent: p.sent,
        arrival: p.arrival,
        lost: matches!(p.fate, Fate::Lost(_)),
    }
}

#[derive(Properties)]
pub struct SequenceProps {
    pub layout: Rc<SeqLayout>,
    pub packets: Rc<Vec<PacketInfo>>,
    pub first: usize,
    pub end: usize,
    pub now: u64,
    pub lang: Lang,
    /// How seq and ack are numbered on packet labels.
    pub numbering: Numbering,
    pub selected_packet: Option<u64>,
    /// What the learner picked and its partners, highlighted (nothing by default).
    #[prop_or_default]
    pub linked: Rc<Linked>,
    pub on_packet: Callback<u64>,
    /// A note was picked (clicked, or Enter on it): the trace index it shows, and
    /// the socket it is about.
    pub on_event: Callback<(usize, Option<SocketId>)>,
}

/// The layout and packets by identity (see [`Shared`]), the rest by value.
impl PartialEq for SequenceProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.layout, &other.layout)
            && Rc::ptr_eq(&self.packets, &other.packets)
            && (self.first, self.end, self.now, self.lang, self.numbering, self.selected_packet)
                == (other.first, other.end, other.now, other.lang, other.numbering, other.selected_packet)
            && self.linked == other.linked
            && self.on_packet == other.on_packet
            && self.on_event == other.on_event
    }
}

/// A lifeline's key among its siblings. `html!` flattens every `for` of a tag into
/// one child list, and a list with any unkeyed child is patched by position, where
/// a keyed element whose key differs is re-created: so every child of the diagram's
/// SVGs has a key, unique across kinds (`l` lifeline, `w` wait, `t` time, `a` arrow,
/// `n` note, `h` host), or each step would rebuild the whole diagram.
fn lane_key(of: LaneOf) -> u64 {
    match of {
        LaneOf::Socket(s) => u64::from(s.0) << 1,
        LaneOf::Host(h) => (u64::from(h.0) << 1) | 1,
    }
}

/// A lifeline's label after the first `end` events: its address then, and
/// `fd 3 · listening` (no spoilers: an accepted socket has no fd before accept()).
fn lane_label(lane: &Lane, lang: Lang, end: usize) -> (String, String) {
    if let LaneOf::Host(_) = lane.of {
        return (tr(lang, Text::NoSocketLane).to_string(), String::new());
    }
    let proto = match lane.protocol {
        Some(Protocol::Udp) => "UDP ",
        _ => "",
    };
    let fd = lane.fd.filter(|(from, _)| *from < end).map(|(_, f)| format!("fd {f}"));
    let detail = match (fd, lane.role) {
        // A connection still in the listener's queues: accept() has not handed it out.
        (None, Role::Accepted) => tr(lang, Text::NotAccepted).to_string(),
        (None, _) => tr(lang, Text::NoFd).to_string(),
        (Some(fd), Role::Listening) => format!("{fd} · {}", tr(lang, Text::Listening)),
        (Some(fd), Role::Accepted) => format!("{fd} · {}", tr(lang, Text::Accepted)),
        (Some(fd), Role::Other) => fd,
    };
    let addr = lane.addrs.iter().rev().find(|(from, _)| *from < end).map_or("*:*", |(_, a)| a.as_str());
    (addr.to_string(), format!("{proto}{detail}"))
}

/// Scrolls the diagram's box in the next frame so that the current event, at
/// (`focus_x`, `focus_y`) in SVG units, is in view: reading the layout during the
/// step would force it in the middle of the step.
fn scroll_to_focus(scroller: NodeRef, width: f64, focus_x: f64, focus_y: f64) {
    let scroll = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(el) = scroller.cast::<web_sys::Element>() {
            let svg_w = el.first_element_child().map_or(0, |c| c.client_width());
            let scale = f64::from(svg_w.max(el.client_width())).max(1.0) / width;
            let top = focus_y * scale - f64::from(el.client_height()) * 0.6;
            // Narrower than the diagram (a phone): follow the action sideways too.
            let left = focus_x * scale - f64::from(el.client_width()) / 2.0;
            // One call for both: with smooth scrolling, setting scrollLeft after
            // scrollTop replaced the vertical scroll, and the diagram never moved.
            el.scroll_to_with_x_and_y(left.max(0.0), top.max(0.0));
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(scroll.unchecked_ref());
    }
}

#[function_component]
pub fn Sequence(props: &SequenceProps) -> Html {
    let l = &props.layout;
    let end = props.end;
    let width = l.width;
    let scroller = use_node_ref();
    // Keep the current event in view.
    let focus_y = if end == 0 { 0.0 } else { l.event_y.get(end - 1).copied().unwrap_or(0.0) };
    let focus_x = end.checked_sub(1).and_then(|i| l.event_x.get(i)).copied().unwrap_or(width / 2.0);
    {
        let scroller = scroller.clone();
        use_effect_with((end, focus_y as i64), move |_| scroll_to_focus(scroller, width, focus_x, focus_y));
    }
    let bottom = (focus_y + 30.0).max(TOP + 20.0);
    // Only what is near the current event is drawn: long lessons stay fast. Drawn
    // elements are keyed components, so moving the window adds and removes a few,
    // and those whose props did not change skip their render.
    let (lo, hi) = (focus_y - WINDOW, focus_y + 60.0);
    let near = |y1: f64, y2: f64| y1.max(y2) >= lo && y1.min(y2) <= hi;
    // The SVG is as tall as the whole lesson, always: a viewBox that grew with each
    // step made the browser lay out and repaint every element of the diagram on
    // every step. What has not happened yet is cut off by the box around it, whose
    // height is the only size a step changes.
    let full = diagram_height(l);
    let shown = (bottom + 24.0).min(full);
    let layout = Shared(props.layout.clone());
    let packets = Shared(props.packets.clone());
    let y_of = |i: usize| l.event_y.get(i).copied().unwrap_or(TOP);
    // Below 74% the notes' text would be too small to read: scroll sideways instead.
    let min_width = (width * 0.74).round();
    let labels: Vec<(usize, (String, String))> = l
        .lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| lane.born < end)
        .map(|(k, lane)| (k, lane_label(lane, props.lang, end)))
        .collect();
    html! {
        <div class="seq-scroll" ref={scroller} tabindex="0" aria-label={tr(props.lang, Text::SequenceTitle)}>
            <svg class="seq-head" viewBox={format!("0 0 {width} {HEAD}")}
                 style={format!("aspect-ratio: {width} / {HEAD}; min-width: {min_width}px")} aria-hidden="true">
                { for l.hosts.iter().filter(|h| h.born < end).map(|h| html! {
                    <g key={format!("h{}", h.host.0)} class="host-head" data-host={h.name.clone()}>
                        <text class="lane-host" x={((h.x1 + h.x2) / 2.0).to_string()} y="18" text-anchor="middle">{ &h.name }</text>
                        <line x1={(h.x1 - 46.0).to_string()} x2={(h.x2 + 46.0).to_string()} y1="26" y2="26" />
                    </g>
                }) }
                { for labels.iter().map(|(k, (addr, detail))| html! {
                    <LaneHead key={format!("l{}", lane_key(l.lanes[*k].of))} layout={layout.clone()} lane={*k}
                              addr={addr.clone()} detail={detail.clone()} />
                }) }
            </svg>
            <div class="seq-clip" style={format!("aspect-ratio: {width} / {}; min-width: {min_width}px", shown - HEAD)}>
            <svg class="sequence" viewBox={format!("0 {HEAD} {width} {}", full - HEAD)}
                 style={format!("aspect-ratio: {width} / {}; min-width: {min_width}px", full - HEAD)} role="group"
                 aria-label={tr(props.lang, Text::SequenceLabel)}>
                <defs key="defs">
                    <marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                            orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                { for labels.iter().map(|(k, (addr, detail))| {
                    let lane = &l.lanes[*k];
                    let born_y = if lane.born == 0 { HEAD } else { y_of(lane.born) - 8.0 };
                    let gone = lane.died.filter(|&d| d < end).map(|d| y_of(d) + 6.0);
                    html! {
                        <Lifeline key={format!("l{}", lane_key(lane.of))} layout={layout.clone()} lane={*k}
                                  addr={addr.clone()} detail={detail.clone()} {born_y} {gone} {full} />
                    }
                }) }
                { for l.waits.iter().filter(|w| w.call_index < end).filter_map(|w| {
                    let done = w.return_index.is_some_and(|r| r < end);
                    let y2 = if done { w.y2 } else { bottom - 6.0 };
                    near(w.y1, y2).then_some((w, done, y2))
                }).map(|(w, done, y2)| {
                    let linked = props.linked.has_event(w.call_index);
                    html! {
                        <line key={format!("w{}", w.call_index)} class={classes!("wait", (!done).then_some("waiting"), linked.then_some("linked"))}
                              x1={w.x.to_string()} x2={w.x.to_string()} y1={w.y1.to_string()} y2={y2.to_string()} />
                    }
                }) }
                { for l.times.iter().enumerate().filter(|(_, t)| t.index < end && near(t.y, t.y)).map(|(k, t)| html! {
                    <TimeLabel key={format!("t{}", t.index)} layout={layout.clone()} index={k} />
                }) }
                { for l.arrows.iter().enumerate()
                    .filter(|(_, a)| a.index < end && (near(a.y1, a.y2) || a.fate_index.is_none_or(|f| f >= end)))
                    .map(|(k, a)| arrow(k, a, props, &layout, &packets, bottom)) }
                { for l.notes.iter().enumerate().filter(|(_, n)| n.first < end && near(n.y, n.y)).map(|(k, n)| note(k, n, props, &layout)) }
            </svg>
            </div>
        </div>
    }
}

/// The height of the whole diagram in SVG units: every event, and room below the
/// last for a packet still on its way and the margin under it.
fn diagram_height(l: &SeqLayout) -> f64 {
    let last = l.event_y.iter().copied().fold(l.height, f64::max);
    (last + 60.0).max(TOP + 44.0)
}

#[derive(Properties, PartialEq)]
struct LaneProps {
    layout: Shared<SeqLayout>,
    /// Which of the layout's lanes.
    lane: usize,
    addr: String,
    detail: String,
    /// Where it begins, and where it ends if its socket is gone.
    #[prop_or_default]
    born_y: f64,
    #[prop_or_default]
    gone: Option<f64>,
    #[prop_or_default]
    full: f64,
}

/// A lifeline's label in the header that stays in view.
#[function_component]
fn LaneHead(props: &LaneProps) -> Html {
    let Some(lane) = props.layout.lanes.get(props.lane) else { return html! {} };
    html! {
        <g class={classes!("lane-label", matches!(lane.of, LaneOf::Host(_)).then_some("host-lane"))}>
            <text class="lane-name" x={lane.x.to_string()} y="42" text-anchor="middle">{ &props.addr }</text>
            <text class="lane-detail" x={lane.x.to_string()} y="56" text-anchor="middle">{ &props.detail }</text>
        </g>
    }
}

/// A lifeline, drawn to the end of the lesson (the box around the diagram cuts it):
/// a step changes no lifeline unless its label does.
#[function_component]
fn Lifeline(props: &LaneProps) -> Html {
    let l = &props.layout;
    let Some(lane) = l.lanes.get(props.lane) else { return html! {} };
    let host = l.hosts.iter().find(|h| h.host == lane.host).map_or("", |h| h.name.as_str());
    let title = format!("{host} {} {}", props.addr, props.detail);
    let x = lane.x.to_string();
    html! {
        <g class={classes!("lane", matches!(lane.of, LaneOf::Host(_)).then_some("host-lane"))}
           data-lane={format!("{host} {}", props.addr)} data-detail={props.detail.clone()}>
            <title>{ title.trim().to_string() }</title>
            if props.born_y > HEAD {
                <line class="unborn" x1={x.clone()} x2={x.clone()} y1={HEAD.to_string()} y2={props.born_y.to_string()} />
            }
            <line x1={x.clone()} x2={x.clone()} y1={props.born_y.to_string()} y2={props.gone.unwrap_or(props.full).to_string()} />
            if let Some(g) = props.gone {
                <line class="end" x1={(lane.x - 9.0).to_string()} x2={(lane.x + 9.0).to_string()}
                      y1={g.to_string()} y2={g.to_string()} />
            }
        </g>
    }
}

#[derive(Properties, PartialEq)]
struct TimeProps {
    layout: Shared<SeqLayout>,
    index: usize,
}

/// A time in the left column.
#[function_component]
fn TimeLabel(props: &TimeProps) -> Html {
    let Some(t) = props.layout.times.get(props.index) else { return html! {} };
    html! {
        <text class={classes!("time", t.gap.then_some("gap"))} x="6" y={(t.y + 4.0).to_string()}>
            { if t.gap { format!("⋯ {}", t.text) } else { t.text.clone() } }
        </text>
    }
}

fn note(k: usize, n: &Note, props: &SequenceProps, layout: &Shared<SeqLayout>) -> Html {
    let end = props.end;
    html! {
        <SeqNote key={format!("n{}", n.first)} layout={layout.clone()} index={k} lang={props.lang}
                 current={n.last >= props.first && n.first < end}
                 linked={props.linked.has_any(n.first, n.last.min(end.saturating_sub(1)))}
                 at={n.last.min(end.saturating_sub(1))} on_event={props.on_event.clone()} />
    }
}

#[derive(Properties, PartialEq)]
struct NoteProps {
    layout: Shared<SeqLayout>,
    /// Which of the layout's notes.
    index: usize,
    lang: Lang,
    current: bool,
    linked: bool,
    /// The trace index a pick goes to: the last event of the note shown so far.
    at: usize,
    on_event: Callback<(usize, Option<SocketId>)>,
}

#[function_component]
fn SeqNote(props: &NoteProps) -> Html {
    let Some(n) = props.layout.notes.get(props.index) else { return html! {} };
    let pick = {
        let on_event = props.on_event.clone();
        let (at, socket) = (props.at, n.socket);
        Callback::from(move |_: ()| on_event.emit((at, socket)))
    };
    let onclick = {
        let pick = pick.clone();
        move |_: MouseEvent| pick.emit(())
    };
    let text = n.say.text(props.lang);
    html! {
        <g class={classes!("note", n.kind, props.current.then_some("current"), props.linked.then_some("linked"))}
           data-first={n.first.to_string()} role="button" tabindex="0" aria-label={text.clone()}
           {onclick} onkeydown={on_activate(pick)}>
            if n.kind != "fault" {
                <circle class="dot" cx={n.lane_x.to_string()} cy={(n.y - 4.0).to_string()} r="3" />
            }
            <text x={n.x.to_string()} y={n.y.to_string()}
                  text-anchor={if n.anchor_end { "end" } else if n.kind == "fault" { "middle" } else { "start" }}>
                { text }
            </text>
        </g>
    }
}

fn arrow(
    k: usize,
    a: &Arrow,
    props: &SequenceProps,
    layout: &Shared<SeqLayout>,
    packets: &Shared<Vec<PacketInfo>>,
    bottom: f64,
) -> Html {
    let end = props.end;
    let known = a.fate_index.is_some_and(|f| f < end);
    let (tip, label_at) = arrow_geometry(a, known, props.now, bottom);
    html! {
        <SeqArrow key={format!("a{}", a.id)} layout={layout.clone()} index={k} packets={packets.clone()}
                  {tip} {label_at} {known} lang={props.lang} numbering={props.numbering}
                  current={a.index >= props.first || a.fate_index.is_some_and(|f| f >= props.first && f < end)}
                  selected={props.selected_packet == Some(a.id)} linked={props.linked.has_packet(a.id)}
                  on_packet={props.on_packet.clone()} />
    }
}

/// Where an arrow's shaft ends and where its label sits, with the diagram drawn
/// down to `bottom`.
///
/// A packet whose fate the lesson holds is drawn to where it will end, and the box
/// around the diagram cuts it at the current event: as the lesson goes on it grows
/// towards its end without a single attribute changing (with hundreds of packets on
/// their way, moving every head made a step several times slower). Only its label
/// moves, one attribute, to where the shaft meets the bottom: below every note so
/// far, for at the middle it would sit on the notes of the moment it was sent. A
/// packet still on its way when the lesson ends reaches down to `bottom`, as far
/// along as its time in flight.
fn arrow_geometry(a: &Arrow, known: bool, now: u64, bottom: f64) -> ((f64, f64), (f64, f64)) {
    if known {
        return ((a.x2, a.y2), ((a.x1 + a.x2) / 2.0, (a.y1 + a.y2) / 2.0));
    }
    let (tip_x, tip_y) = if a.fate_index.is_some() {
        // Cut well below the box's edge, at a height that moves in long strides: a
        // dashed line tens of thousands of units long (a crowd's arrival can be far
        // down) took the browser seconds to draw.
        let reach = ((bottom / REACH_STRIDE).floor() + 2.0) * REACH_STRIDE;
        if a.y2 > reach && a.y2 > a.y1 {
            let along = (reach - a.y1) / (a.y2 - a.y1);
            (a.x1 + (a.aim_x - a.x1) * along, reach)
        } else {
            (a.aim_x, a.y2)
        }
    } else {
        let span = a.arrival.saturating_sub(a.sent).max(1) as f64;
        let f = (now.saturating_sub(a.sent) as f64 / span).clamp(0.05, 0.95);
        (a.x1 + (a.x2 - a.x1) * f, (bottom + 4.0).max(a.y1 + 8.0))
    };
    let label_y = (bottom - 4.0).clamp(a.y1.min(tip_y), a.y1.max(tip_y));
    let along = if tip_y > a.y1 { (label_y - a.y1) / (tip_y - a.y1) } else { 1.0 };
    let label_x = (a.x1 + (a.x1 + (tip_x - a.x1) * along)) / 2.0;
    ((tip_x, tip_y), (label_x, label_y))
}

#[derive(Properties, PartialEq)]
struct ArrowProps {
    layout: Shared<SeqLayout>,
    /// Which of the layout's arrows.
    index: usize,
    packets: Shared<Vec<PacketInfo>>,
    /// Where its shaft ends, and the centre of its label.
    tip: (f64, f64),
    label_at: (f64, f64),
    /// Whether its fate is known (else it is on its way).
    known: bool,
    lang: Lang,
    numbering: Numbering,
    current: bool,
    selected: bool,
    linked: bool,
    on_packet: Callback<u64>,
}

#[function_component]
fn SeqArrow(props: &ArrowProps) -> Html {
    let Some(a) = props.layout.arrows.get(props.index) else { return html! {} };
    let Some(p) = props.packets.get(a.packet) else { return html! {} };
    let (x2, y2) = props.tip;
    let known = props.known;
    let lost = known && a.lost;
    let pick = {
        let on_packet = props.on_packet.clone();
        let id = a.id;
        Callback::from(move |_: ()| on_packet.emit(id))
    };
    let onclick = {
        let pick = pick.clone();
        move |_: MouseEvent| pick.emit(())
    };
    let (mx, my) = props.label_at;
    // A dashed line thousands of units long (across a crowd of lifelines) is slow
    // to draw: such a packet on its way is drawn faint instead (style.css).
    let long = !known && (x2 - a.x1).hypot(y2 - a.y1) > LONG_DASHED_LINE;
    let label = p.label(props.numbering);
    let w = label_width(&label);
    html! {
        <g class={classes!("arrow", p.kind(), (!known).then_some("flying"), long.then_some("long"), lost.then_some("lost"),
                           props.current.then_some("current"), props.selected.then_some("selected"),
                           props.linked.then_some("linked"), p.analysis.is_some().then_some("analysed"))}
           data-packet={a.id.to_string()} data-label={label.clone()} role="button" tabindex="0"
           aria-label={label.clone()} {onclick} onkeydown={on_activate(pick)}>
            <line class="hit" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            <line class="shaft" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  marker-end={(!lost).then_some("url(#arrowhead)")} />
            <g class="arrow-tag" transform={format!("translate({mx} {my})")}>
                <rect class="label-bg" x={(-w / 2.0).to_string()} y="-10" width={w.to_string()} height="17" rx="4" />
                <text class="arrow-label" x="0" y="3" text-anchor="middle">{ &label }</text>
                if let Some(word) = &p.analysis {
                    <text class="analysis" x="0" y="19" text-anchor="middle">
                        { format!("[{}]", analysis(props.lang, word)) }
                    </text>
                }
            </g>
            if lost {
                <text class="lost-x" x={x2.to_string()} y={(y2 + 6.0).to_string()} text-anchor="middle">{ "✕" }</text>
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::lesson::library;
    use crate::ui::packets::packets;
    use crate::ui::timeline::Timeline;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_tour_has_a_lifeline_per_socket_and_the_syn_ack_leaves_the_accepted_one() {
        let lesson = library().into_iter().find(|l| l.id == "tour").expect("tour");
        let run = lesson.build(None, &[]).expect("build");
        let world = run.world.clone();
        let t = Timeline::run(run.world, run.commands, &[]);
        let p = packets(&t.trace);
        let l = seq_layout(&t.trace, &p, &world);
        let roles: Vec<(u32, Role, Option<i32>)> =
            l.lanes.iter().map(|x| (x.host.0, x.role, x.fd.map(|f| f.1))).collect();
        // The server (host 0) has two lifelines: the listener and the socket accept() returned.
        assert_eq!(roles, [(0, Role::Listening, Some(3)), (0, Role::Accepted, Some(4)), (1, Role::Other, Some(3))]);
        assert_eq!(l.hosts.len(), 2);
        let x = |k: usize| l.lanes[k].x;
        let synack = p.iter().position(|q| q.kind() == "synack").expect("SYN-ACK");
        assert_eq!((l.arrows[synack].x1, l.arrows[synack].x2), (x(1), x(2)));
        assert_eq!((l.arrows[0].x1, l.arrows[0].x2), (x(2), x(0)), "the SYN goes to the listener");
        assert!(l.width >= x(2) + NOTE_W);
    }
}
