//! Where a lesson goes on the sequence diagram: one lifeline per socket (grouped
//! under its host), time flowing down, each packet a slanted arrow from the sending
//! socket's lifeline at its send time to the receiving socket's lifeline at its
//! arrival, calls, returns and state changes as notes on the socket's lifeline.
//!
//! [`seq_layout`] places the *whole* lesson once, when its timeline is installed;
//! the page (`ui::sequence`) shows what has happened up to the current position, so
//! nothing jumps as you step.

use rustc_hash::FxHashMap;

use crate::lang::{Lang, Particle};
use crate::net::packet::Body;
use crate::net::syscall::render_result;
use crate::net::tcp::timers::TimerKind;
use crate::net::trace::DropReason;
use crate::net::{FaultChange, HostId, Protocol, SocketId, TraceEvent, TraceKind, World};
use crate::script::time::format_time;
use crate::view::endpoints::{endpoints, Endpoint, Endpoints};
use crate::view::packets::{Fate, Numbering, PacketInfo};
use crate::view::topology::label_width;
use crate::view::words::{analysis_width, timer_name, tr, Text};

/// Room for the time column on the left.
pub const TIME_W: f64 = 64.0;
/// Room for notes beside the outermost lifelines.
pub const NOTE_W: f64 = 230.0;
/// The first host's notes run left, towards the time column: a little more room.
pub const NOTE_W_LEFT: f64 = 270.0;
/// Between two lifelines of one host.
pub const LANE_GAP: f64 = 130.0;
/// Between two hosts' groups of lifelines: room for a packet's label.
pub const HOST_GAP: f64 = 280.0;
/// The lifelines' labels take the top this high, in a header that stays in view.
pub const HEAD: f64 = 64.0;
pub const TOP: f64 = 76.0;
pub const SLOT: f64 = 19.0;

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
    /// From this trace index (its `listen()`): before it, the label says
    /// nothing of a listener to come (a quiz asked which state follows CLOSED
    /// beside "fd 3 · listening").
    Listening {
        from: usize,
    },
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
    Timer(TimerKind),
    Error(&'static str),
    BufferFull,
    /// A SYN or final ACK dropped at a listener whose accept queue is full.
    AcceptQueueFull,
    LinkSettings(String),
    DropPacket(u64),
    /// The learner delays a packet by so many µs.
    DelayPacket(u64, u64),
    DuplicatePacket(u64),
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
            Say::Timer(t) if ko => format!("{} 타이머 만료", timer_name(lang, *t)),
            Say::Timer(t) => format!("{} timer fires", timer_name(lang, *t)),
            Say::Error(e) if ko => format!("오류 {e}"),
            Say::Error(e) => format!("error {e}"),
            Say::BufferFull => format!("✕ {}", tr(lang, Text::DroppedFull)),
            Say::AcceptQueueFull => format!("✕ {}", tr(lang, Text::AcceptQueueFull)),
            Say::LinkSettings(s) if ko => format!("링크: {s}"),
            Say::LinkSettings(s) => format!("link: {s}"),
            Say::DropPacket(p) if ko => format!("✂ 패킷 #{p} 버리기"),
            Say::DropPacket(p) => format!("✂ drop packet #{p}"),
            Say::DelayPacket(p, by) if ko => {
                format!("» 패킷 {} {} 늦추기", Particle::Object.after(&format!("#{p}")), format_time(*by))
            }
            Say::DelayPacket(p, by) => format!("» delay packet #{p} by {}", format_time(*by)),
            Say::DuplicatePacket(p) if ko => format!("×2 패킷 #{p} 복제"),
            Say::DuplicatePacket(p) => format!("×2 duplicate packet #{p}"),
            Say::Fault(w) => match (w, ko) {
                (FaultWord::Cut, false) => "✂ link cut".into(),
                (FaultWord::Cut, true) => "✂ 링크 끊김".into(),
                (FaultWord::Repaired, false) => "link repaired".into(),
                (FaultWord::Repaired, true) => "링크 복구".into(),
                (FaultWord::Held, false) => "link holds packets".into(),
                (FaultWord::Held, true) => "링크가 패킷을 붙잡음".into(),
                (FaultWord::Released, false) => "link releases packets".into(),
                (FaultWord::Released, true) => "링크가 패킷을 놓아줌".into(),
                (FaultWord::DropNext(1), false) => "link drops the next packet".into(),
                (FaultWord::DropNext(n), false) => format!("link drops the next {n} packets"),
                (FaultWord::DropNext(n), true) => format!("링크가 다음 패킷 {n}개를 버림"),
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
    /// The whole text, when `say` was shortened to fit beside its lifeline.
    pub full: Option<String>,
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
    /// How far along its shaft its label sits once its fate is known (0 at the
    /// sender, 1 at the tip): the middle unless another packet's label is there.
    pub label_t: f64,
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

impl SeqLayout {
    /// How far down the diagram is shown after the first `end` events: below
    /// the lowest of them. Events of one instant share rows across lanes, so
    /// the current event can sit above earlier ones (the tour's client calls
    /// socket() at the server's socket() row): shown down to the current
    /// event alone, the server's listen() and accept() vanished for a step.
    pub fn bottom(&self, end: usize) -> f64 {
        let lowest = self.event_y[..end.min(self.event_y.len())].iter().copied().fold(0.0, f64::max);
        (lowest + 30.0).max(TOP + 20.0)
    }
}

pub(crate) fn gap(dt_us: u64) -> f64 {
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
        // A later fragment names no port: it goes to the host, not a socket,
        // until the datagram is put together.
        Body::Fragment(f) => {
            let (src, dst) = f.udp_ports().unwrap_or_default();
            (src, dst, Protocol::Udp)
        }
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
        .or_else(|| all.iter().find(|e| e.listening.is_some() || e.protocol == Protocol::Udp))
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
            let role = if let Some(from) = e.listening {
                Role::Listening { from }
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
                full: None,
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
                notes.push(note_at(*host, ey, Say::Timer(*timer), "timer"));
            }
            TraceKind::SocketError { host, errno, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, Say::Error(errno.name()), "err"));
            }
            TraceKind::Dropped { host, reason, .. } => {
                ey = slot_y(*host);
                let say = match reason {
                    DropReason::ReceiveBufferFull => Say::BufferFull,
                    DropReason::AcceptQueueFull { .. } => Say::AcceptQueueFull,
                };
                notes.push(note_at(*host, ey, say, "err"));
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
                    FaultChange::DelayPacket { packet, by } => Say::DelayPacket(packet.0, *by),
                    FaultChange::DuplicatePacket(p) => Say::DuplicatePacket(p.0),
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
                    full: None,
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
    for n in &mut notes {
        // Left of the first host's lifelines the start of a note was cut off
        // (what was called), right of the last its end: shorten it instead.
        let room = if n.anchor_end { n.x - TIME_W } else { width - n.x };
        if let Say::Code(text) = &mut n.say {
            if let Some(short) = fit_note(text, room) {
                n.full = Some(std::mem::replace(text, short));
            }
        }
    }
    place_labels(&mut arrows, packets, &notes);
    SeqLayout { width, height: band_y + used + 40.0, hosts, lanes, notes, arrows, times, waits, event_y, event_x }
}

/// The notes' 12 px monospace, per character, in SVG units.
const NOTE_CHAR_W: f64 = 7.3;

/// How far across the current event reaches, in SVG units: its dot and the
/// note beside it (the note, drawn in `lang`, that shows trace index
/// `end - 1`), or its dot alone. A phone's diagram, scrolled to keep only the
/// dot in view, cut the note beside it: "TIME-WAIT" read "IT".
pub fn focus_span(l: &SeqLayout, end: usize, lang: Lang) -> Option<(f64, f64)> {
    let at = end.checked_sub(1)?;
    let dot = *l.event_x.get(at)?;
    // Notes are in trace order; the one holding `at` starts at or before it.
    let k = l.notes.partition_point(|n| n.first <= at);
    let note = l.notes[..k].iter().rev().take(8).find(|n| n.first <= at && at <= n.last);
    Some(match note {
        Some(n) => {
            let (lo, hi) = note_span(n, lang);
            (lo.min(dot), hi.max(dot))
        }
        None => (dot, dot),
    })
}

/// How far across the whole current step (trace indices `first..end`)
/// reaches: every event's dot and every note it shows. A step's last event
/// can be an ACK leaving one host while the state it explains ("CLOSE-WAIT")
/// is noted beside the other.
pub fn step_span(l: &SeqLayout, first: usize, end: usize, lang: Lang) -> Option<(f64, f64)> {
    let dots = l.event_x.get(first..end)?.iter().copied();
    let k = l.notes.partition_point(|n| n.first < end);
    let notes = l.notes[..k].iter().rev().take_while(|n| n.last + 64 >= first).filter(|n| n.last >= first);
    let ends = dots.flat_map(|x| [x, x]).chain(notes.flat_map(|n| {
        let (lo, hi) = note_span(n, lang);
        [lo, hi]
    }));
    ends.fold(None, |span, x| match span {
        None => Some((x, x)),
        Some((lo, hi)) => Some((x.min(lo), x.max(hi))),
    })
}

/// Where a note's text lies across, as drawn beside its lifeline.
fn note_span(n: &Note, lang: Lang) -> (f64, f64) {
    let w = n.say.text(lang).chars().count() as f64 * NOTE_CHAR_W;
    match (n.anchor_end, n.kind) {
        (true, _) => (n.x - w, n.x),
        (false, "fault") => (n.x - w / 2.0, n.x + w / 2.0),
        (false, _) => (n.x, n.x + w),
    }
}

/// A call's note shortened to fit `room` SVG units, or `None` when it fits.
/// The bytes in quotes give way first (how many there were stays in the
/// `…(N bytes)` after them), so that the call and what it returned stay.
fn fit_note(text: &str, room: f64) -> Option<String> {
    let max = ((room / NOTE_CHAR_W).floor().max(0.0) as usize).max(12);
    let chars: Vec<char> = text.chars().collect();
    let excess = chars.len().checked_sub(max).filter(|&e| e > 0)?;
    let open = chars.iter().position(|&c| c == '"');
    let close = chars.iter().rposition(|&c| c == '"');
    if let (Some(open), Some(close)) = (open, close) {
        let inside = close.saturating_sub(open + 1);
        // Room for at least four bytes and the ellipsis.
        if inside >= excess + 5 {
            let keep = inside - excess - 1;
            let mut short: String = chars[..=open + keep].iter().collect();
            short.push('…');
            short.extend(&chars[close..]);
            return Some(short);
        }
    }
    let mut short: String = chars[..max - 1].iter().collect();
    short.push('…');
    Some(short)
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
        label_t: 0.5,
    }
}

/// Where along their shafts the labels go: packets that cross, or leave close
/// together, would put their labels on one spot at the middle (a segment and the
/// ACK coming back, a fast retransmission among dup ACKs). Each label, in the
/// order sent, takes the first place along its shaft, from the middle outwards,
/// that no label placed before it covers, or the least covered one; then labels
/// still covered look again among all the others, which lets the earlier of two
/// crossing packets make room. Placed once for the whole lesson, so nothing moves
/// as the learner steps. The notes of link changes between the lifelines are
/// in the way from the start: "link repaired" and "PSH 5 bytes seq=1" were
/// drawn over each other.
fn place_labels(arrows: &mut [Arrow], packets: &[PacketInfo], notes: &[Note]) {
    let sizes: Vec<(f64, f64)> = arrows.iter().map(|a| packets.get(a.packet).map_or((0.0, 0.0), label_size)).collect();
    let mut placed = PlacedLabels::default();
    for (i, n) in notes.iter().filter(|n| n.kind == "fault").enumerate() {
        let (lo, hi) = Lang::ALL
            .iter()
            .map(|&lang| note_span(n, lang))
            .fold((f64::MAX, f64::MIN), |(lo, hi), (a, b)| (lo.min(a), hi.max(b)));
        // Keys past the arrows': an obstacle is never moved.
        placed.put(usize::MAX - i, LabelBox { x1: lo, x2: hi, y1: n.y - 11.0, y2: n.y + 4.0 });
    }
    for (k, a) in arrows.iter_mut().enumerate() {
        a.label_t = placed.best_place(a, sizes[k]);
        placed.put(k, LabelBox::at(a, a.label_t, sizes[k]));
    }
    for _ in 0..2 {
        for (k, a) in arrows.iter_mut().enumerate() {
            if placed.covered(k) {
                placed.remove(k);
                a.label_t = placed.best_place(a, sizes[k]);
                placed.put(k, LabelBox::at(a, a.label_t, sizes[k]));
            }
        }
    }
}

/// The labels placed so far, indexed by rows of the diagram so that a candidate
/// place is checked only against the labels near it.
#[derive(Default)]
struct PlacedLabels {
    boxes: FxHashMap<usize, LabelBox>,
    rows: FxHashMap<i64, Vec<usize>>,
}

impl PlacedLabels {
    /// Rows of the index, in SVG units.
    const ROW: f64 = 40.0;
    /// From the middle outwards, never so near an end that it sits on a lifeline.
    const ALONG: [f64; 11] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85, 0.1, 0.9];

    fn rows_of(b: &LabelBox) -> std::ops::RangeInclusive<i64> {
        (b.y1 / Self::ROW).floor() as i64..=(b.y2 / Self::ROW).floor() as i64
    }

    /// How much of `b` the labels placed cover (a label in two rows counts twice:
    /// only nothing and less matter).
    fn overlap(&self, b: &LabelBox, except: Option<usize>) -> f64 {
        Self::rows_of(b)
            .flat_map(|r| self.rows.get(&r).into_iter().flatten())
            .filter(|&&k| Some(k) != except)
            .filter_map(|k| self.boxes.get(k))
            .map(|other| b.overlap(other))
            .sum()
    }

    fn best_place(&self, a: &Arrow, size: (f64, f64)) -> f64 {
        let mut best = (f64::INFINITY, 0.5);
        for t in Self::ALONG {
            let covered = self.overlap(&LabelBox::at(a, t, size), None);
            if covered < best.0 {
                best = (covered, t);
            }
            if covered == 0.0 {
                break;
            }
        }
        best.1
    }

    fn covered(&self, k: usize) -> bool {
        self.boxes.get(&k).is_some_and(|b| self.overlap(b, Some(k)) > 0.0)
    }

    fn put(&mut self, k: usize, b: LabelBox) {
        for r in Self::rows_of(&b) {
            self.rows.entry(r).or_default().push(k);
        }
        self.boxes.insert(k, b);
    }

    fn remove(&mut self, k: usize) {
        if let Some(b) = self.boxes.remove(&k) {
            for r in Self::rows_of(&b) {
                if let Some(row) = self.rows.get_mut(&r) {
                    row.retain(|&x| x != k);
                }
            }
        }
    }
}

/// A label's width and height in SVG units, the widest it can be drawn: either
/// numbering and language, a Δ when a comparison marks it, and its analysis word
/// in English or Korean on a second line (see `SeqArrow`).
fn label_size(p: &PacketInfo) -> (f64, f64) {
    let label = |lang, n| label_width(&p.label(lang, n)) + 2.0 * 7.3;
    let mut width = [Lang::En, Lang::Ko]
        .into_iter()
        .flat_map(|lang| [label(lang, Numbering::Relative), label(lang, Numbering::Absolute)])
        .fold(0.0, f64::max);
    let mut height = 17.0;
    if let Some(word) = &p.analysis {
        width = width.max(analysis_width(word));
        height += 16.0;
    }
    (width, height)
}

/// A packet on its way is drawn this far below the current event, give or take
/// a stride (see `arrow_geometry`).
const REACH_STRIDE: f64 = 600.0;

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
pub fn arrow_geometry(a: &Arrow, known: bool, now: u64, bottom: f64) -> ((f64, f64), (f64, f64)) {
    if known {
        let t = a.label_t;
        return ((a.x2, a.y2), (a.x1 + (a.x2 - a.x1) * t, a.y1 + (a.y2 - a.y1) * t));
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

/// The label of a packet still on its way, which sits where its shaft meets
/// the diagram's current bottom ([`arrow_geometry`]): where the shaft
/// starts and where it is drawn to, and the packet, for the label's size.
#[derive(Clone, Copy, Debug)]
pub struct FlyingLabel {
    pub packet: usize,
    pub x1: f64,
    pub y1: f64,
    pub tip: (f64, f64),
}

impl FlyingLabel {
    /// The label's centre at height `y` of the shaft: halfway between where
    /// it left and where the shaft is at that height.
    fn at(&self, y: f64) -> (f64, f64) {
        let (tip_x, tip_y) = self.tip;
        let along = if tip_y > self.y1 { (y - self.y1) / (tip_y - self.y1) } else { 1.0 };
        ((self.x1 + (self.x1 + (tip_x - self.x1) * along)) / 2.0, y)
    }
}

/// Where the labels of packets on their way go, `None` for one left unlabelled.
/// Each sits where its shaft meets `bottom`, so packets crossing there (a
/// segment and an ACK coming the other way) or leaving together (a burst)
/// would put their labels on one spot. The newest packet, the one the
/// current step is about, keeps its label there; an older one whose label
/// another would cover moves up its shaft, step by step, to the first spot
/// where it covers no label, neither a flying one nor one of the packets
/// that have landed (`landed`: each one's packet and label's centre). Only
/// when no spot is free does it go without (the tour's "hello" went without
/// beside the FIN leaving after it). It gets its label where it lands, and
/// its accessible name always says it.
pub fn place_flying_labels(
    labels: &[FlyingLabel],
    packets: &[PacketInfo],
    bottom: f64,
    landed: &[(usize, (f64, f64))],
) -> Vec<Option<(f64, f64)>> {
    let size = |packet: usize| packets.get(packet).map_or((0.0, 0.0), label_size);
    let mut placed: Vec<LabelBox> = landed
        .iter()
        .map(|&(packet, (x, y))| {
            let (w, h) = size(packet);
            LabelBox { x1: x - w / 2.0, x2: x + w / 2.0, y1: y - 10.0, y2: y - 10.0 + h }
        })
        .collect();
    let mut at = vec![None; labels.len()];
    for (k, l) in labels.iter().enumerate().rev() {
        let (w, h) = size(l.packet);
        let (top, low) = (l.y1.min(l.tip.1), l.y1.max(l.tip.1));
        let first = (bottom - 4.0).clamp(top, low);
        // Up the shaft from the bottom, a line's height at a time, while the
        // label stays below where the shaft starts.
        let mut y = first;
        while y >= top + 10.0 || y == first {
            let (x, y_at) = l.at(y);
            let b = LabelBox { x1: x - w / 2.0, x2: x + w / 2.0, y1: y_at - 10.0, y2: y_at - 10.0 + h };
            if !placed.iter().any(|p| b.overlap(p) > 0.0) {
                placed.push(b);
                at[k] = Some((x, y_at));
                break;
            }
            y -= 14.0;
        }
    }
    at
}

/// The box a label covers, drawn centred on its point of the shaft.
struct LabelBox {
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

impl LabelBox {
    fn at(a: &Arrow, t: f64, (w, h): (f64, f64)) -> Self {
        let (x, y) = (a.x1 + (a.x2 - a.x1) * t, a.y1 + (a.y2 - a.y1) * t);
        // As drawn: the label's box from 10 above its point, the analysis below.
        LabelBox { x1: x - w / 2.0, x2: x + w / 2.0, y1: y - 10.0, y2: y - 10.0 + h }
    }

    fn overlap(&self, other: &LabelBox) -> f64 {
        let w = self.x2.min(other.x2) - self.x1.max(other.x1);
        let h = self.y2.min(other.y2) - self.y1.max(other.y1);
        if w > 0.0 && h > 0.0 {
            w * h
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::library::library;
    use crate::view::played::Played;

    #[test]
    fn the_tour_has_a_lifeline_per_socket_and_the_syn_ack_leaves_the_accepted_one() {
        let Played { world, timeline: t, packets: p } = crate::view::played::by_id("tour");
        let l = seq_layout(&t.trace, &p, &world);
        let roles: Vec<(u32, Role, Option<i32>)> =
            l.lanes.iter().map(|x| (x.host.0, x.role, x.fd.map(|f| f.1))).collect();
        // The server (host 0) has two lifelines: the listener and the socket accept() returned.
        assert!(matches!(roles[0], (0, Role::Listening { .. }, Some(3))), "{roles:?}");
        assert_eq!(roles[1..], [(0, Role::Accepted, Some(4)), (1, Role::Other, Some(3))]);
        assert_eq!(l.hosts.len(), 2);
        let x = |k: usize| l.lanes[k].x;
        let synack = p.iter().position(|q| q.kind() == "synack").expect("SYN-ACK");
        assert_eq!((l.arrows[synack].x1, l.arrows[synack].x2), (x(1), x(2)));
        assert_eq!((l.arrows[0].x1, l.arrows[0].x2), (x(2), x(0)), "the SYN goes to the listener");
        assert!(l.width >= x(2) + NOTE_W);
    }

    /// Pairs of labels that cover each other, drawn where the layout puts them.
    fn crowded_labels(l: &SeqLayout, p: &[PacketInfo]) -> usize {
        let boxes: Vec<LabelBox> =
            l.arrows.iter().map(|a| LabelBox::at(a, a.label_t, label_size(&p[a.packet]))).collect();
        (0..boxes.len()).map(|i| (i + 1..boxes.len()).filter(|&j| boxes[i].overlap(&boxes[j]) > 0.0).count()).sum()
    }

    /// The tour with its link cut at 20 ms and repaired at 30 ms: the note
    /// "link repaired" and the label "PSH 5 bytes seq=1" were drawn over each
    /// other ("link repairedbytes seq=1").
    #[test]
    fn a_link_change_s_note_is_clear_of_every_packet_label() {
        use crate::lesson::session::{Action, AppState};
        let fragment = crate::lesson::share::decode("#lesson=tour&pos=0&edits=24:cut:0;39:repair:0");
        let s = std::rc::Rc::new(AppState::new(Lang::En)).reduce(Action::Restore(fragment), &|| 0.0);
        let (l, p) = (&s.views.sequence, &s.views.packets);
        let faults: Vec<&Note> = l.notes.iter().filter(|n| n.kind == "fault").collect();
        assert_eq!(faults.len(), 2, "the cut and the repair");
        for n in faults {
            for lang in Lang::ALL {
                let (x1, x2) = note_span(n, lang);
                let note = LabelBox { x1, x2, y1: n.y - 11.0, y2: n.y + 4.0 };
                for a in &l.arrows {
                    let label = LabelBox::at(a, a.label_t, label_size(&p[a.packet]));
                    assert_eq!(
                        note.overlap(&label),
                        0.0,
                        "{} over {}",
                        n.say.text(lang),
                        p[a.packet].label(lang, Numbering::Relative)
                    );
                }
            }
        }
    }

    #[test]
    fn no_packet_label_covers_another_in_any_lesson() {
        let mut crowded_at_the_middle = Vec::new();
        for lesson in library() {
            let Played { world, timeline: t, packets: p } = crate::view::played::lesson(&lesson);
            let mut l = seq_layout(&t.trace, &p, &world);
            assert_eq!(crowded_labels(&l, &p), 0, "{}: labels cover each other", lesson.id);
            l.arrows.iter_mut().for_each(|a| a.label_t = 0.5);
            if crowded_labels(&l, &p) > 0 {
                crowded_at_the_middle.push(lesson.id);
            }
        }
        // Where every label sat at its middle, these lessons had labels on labels
        // (a segment crossing its ACK, a retransmission among dup ACKs).
        for id in ["fast_retransmit", "simultaneous_open", "http_vs_persistent"] {
            assert!(crowded_at_the_middle.iter().any(|c| c == id), "{id} no longer crowds: {crowded_at_the_middle:?}");
        }
    }

    #[test]
    fn what_has_happened_stays_in_view_as_the_lesson_steps_on() {
        // The tour at step 5: the client's socket() shares the server's first
        // row, and the diagram, shown down to it, hid the server's listen()
        // and accept() until step 6.
        let mut hidden = Vec::new();
        for lesson in library() {
            let Played { world, timeline: t, packets: p } = crate::view::played::lesson(&lesson);
            let l = seq_layout(&t.trace, &p, &world);
            for end in 1..=t.trace.len() {
                let bottom = l.bottom(end);
                let notes = l.notes.iter().filter(|n| n.first < end && n.y > bottom - 10.0);
                let arrows = l.arrows.iter().filter(|a| a.index < end && a.y1 > bottom - 10.0);
                if let Some(first) = notes.map(|n| n.first).chain(arrows.map(|a| a.index)).min() {
                    hidden.push((lesson.id.clone(), end, first));
                }
            }
        }
        assert!(
            hidden.is_empty(),
            "(lesson, step, event) cut off below the diagram: {:?}",
            &hidden[..hidden.len().min(8)]
        );
    }

    /// Steps of every lesson where the labels of packets on their way, as the
    /// page places them at the diagram's bottom, cover each other; with
    /// `spread` false each sits where its shaft meets the bottom.
    fn flying_labels_on_each_other(spread: bool) -> Vec<(String, usize)> {
        let mut crowded = Vec::new();
        for lesson in library() {
            let Played { world, timeline: t, packets: p } = crate::view::played::lesson(&lesson);
            let l = seq_layout(&t.trace, &p, &world);
            for end in 1..=t.trace.len() {
                // As the page draws step `end` (ui/sequence.rs).
                let bottom = l.bottom(end);
                let now = t.trace[end - 1].time;
                let flying: Vec<FlyingLabel> = l
                    .arrows
                    .iter()
                    .filter(|a| a.index < end && a.fate_index.is_none_or(|f| f >= end))
                    .map(|a| {
                        let (tip, _) = arrow_geometry(a, false, now, bottom);
                        FlyingLabel { packet: a.packet, x1: a.x1, y1: a.y1, tip }
                    })
                    .collect();
                let spots: Vec<Option<(f64, f64)>> = if spread {
                    place_flying_labels(&flying, &p, bottom, &[])
                } else {
                    flying
                        .iter()
                        .map(|f| Some(f.at((bottom - 4.0).clamp(f.y1.min(f.tip.1), f.y1.max(f.tip.1)))))
                        .collect()
                };
                if spread && !flying.is_empty() {
                    assert!(
                        spots.last().is_some_and(Option::is_some),
                        "{} step {end}: the newest is labelled",
                        lesson.id
                    );
                }
                let boxes: Vec<LabelBox> = flying
                    .iter()
                    .zip(&spots)
                    .filter_map(|(f, spot)| {
                        let (x, y) = (*spot)?;
                        let (w, h) = label_size(&p[f.packet]);
                        Some(LabelBox { x1: x - w / 2.0, x2: x + w / 2.0, y1: y - 10.0, y2: y - 10.0 + h })
                    })
                    .collect();
                let covered = (0..boxes.len()).any(|i| (0..i).any(|j| boxes[i].overlap(&boxes[j]) > 0.0));
                if covered {
                    crowded.push((lesson.id.to_string(), end));
                }
            }
        }
        crowded
    }

    #[test]
    fn labels_of_packets_on_their_way_never_lie_on_each_other_at_the_bottom() {
        // A segment and the ACK coming the other way cross at the diagram's
        // bottom, and a burst leaves together; their labels sat on one spot
        // there in these lessons.
        let at_the_bottom = flying_labels_on_each_other(false);
        for id in ["tcp_vs_udp", "fast_retransmit", "tail_loss_probe"] {
            assert!(at_the_bottom.iter().any(|(c, _)| c == id), "{id} no longer crowds: {at_the_bottom:?}");
        }
        assert_eq!(flying_labels_on_each_other(true), Vec::<(String, usize)>::new());
    }

    #[test]
    fn an_older_packet_on_its_way_moves_its_label_up_its_shaft_rather_than_losing_it() {
        // The tour, as the FIN leaves: "hello" (PSH 5 bytes seq=1) was still on
        // its way and its label, at the same bottom spot as the FIN's, was
        // left out: a bare dashed arrow.
        let Played { world, timeline: t, packets: p } = crate::view::played::by_id("tour");
        let l = seq_layout(&t.trace, &p, &world);
        let fin =
            p.iter().position(|q| q.label(Lang::En, Numbering::Relative) == "FIN seq=6").expect("the client's FIN");
        let end = p[fin].index + 1;
        let (bottom, now) = (l.bottom(end), t.trace[end - 1].time);
        let flying: Vec<FlyingLabel> = l
            .arrows
            .iter()
            .filter(|a| a.index < end && a.fate_index.is_none_or(|f| f >= end))
            .map(|a| FlyingLabel { packet: a.packet, x1: a.x1, y1: a.y1, tip: arrow_geometry(a, false, now, bottom).0 })
            .collect();
        let labels: Vec<String> = flying.iter().map(|f| p[f.packet].label(Lang::En, Numbering::Relative)).collect();
        assert_eq!(labels, ["PSH 5 bytes seq=1", "FIN seq=6"]);
        let spots = place_flying_labels(&flying, &p, bottom, &[]);
        assert!(spots.iter().all(Option::is_some), "{spots:?}");
        let fin_spot = spots[1].expect("the FIN's");
        assert_eq!(
            fin_spot,
            flying[1].at((bottom - 4.0).clamp(flying[1].y1.min(flying[1].tip.1), flying[1].y1.max(flying[1].tip.1)))
        );
    }

    #[test]
    fn a_timer_note_reads_in_the_page_s_language() {
        let Played { world, timeline: t, packets: p } = crate::view::played::by_id("loss_retransmission");
        let l = seq_layout(&t.trace, &p, &world);
        let timers: Vec<(String, String)> = l
            .notes
            .iter()
            .filter(|n| matches!(n.say, Say::Timer(_)))
            .map(|n| (n.say.text(Lang::En), n.say.text(Lang::Ko)))
            .collect();
        assert!(timers.contains(&("retransmission timer fires".into(), "재전송 타이머 만료".into())), "{timers:?}");
    }

    #[test]
    fn a_long_note_gives_up_bytes_not_the_call() {
        let text =
            r#"recv(4, 10000) = "cdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn"…(4344 bytes)"#;
        let short = fit_note(text, 40.0 * 7.3).expect("shortened");
        assert_eq!(short, r#"recv(4, 10000) = "cdefghi…"…(4344 bytes)"#);
        assert_eq!(short.chars().count(), 40);
        assert_eq!(fit_note("close(3) = 0", 300.0), None);
        // Nothing quoted: the end goes.
        assert_eq!(fit_note("getsockname(3) = 10.0.0.2:55682", 20.0 * 7.3).as_deref(), Some("getsockname(3) = 10…"));
    }

    #[test]
    fn the_zero_window_reads_keep_their_call_in_view() {
        let Played { world, timeline: t, packets: p } = crate::view::played::by_id("zero_window");
        let l = seq_layout(&t.trace, &p, &world);
        let reads: Vec<&Note> =
            l.notes.iter().filter(|n| matches!(&n.say, Say::Code(t) if t.starts_with("recv(4, 10000) = "))).collect();
        assert!(reads.len() >= 2, "{} reads", reads.len());
        for n in reads {
            let text = n.say.text(Lang::En);
            assert!(n.x - label_width(&text) + 18.0 >= TIME_W, "{text} runs off the left edge");
            assert!(n.full.as_deref().is_some_and(|f| f.len() > text.len()), "the whole text is kept");
        }
    }
}
