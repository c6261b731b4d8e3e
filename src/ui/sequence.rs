//! The sequence diagram: one lifeline per host, time flowing down, each packet a
//! slanted arrow from its send time to its arrival, calls, returns and state changes
//! as notes on the lifelines.
//!
//! [`seq_layout`] places the *whole* lesson once (plain Rust, testable); the view
//! shows what has happened up to the current position, so nothing jumps as you step.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::i18n::{tr, Lang, Text};
use super::packets::{Fate, PacketInfo};
use super::topology::{format_time, label_width};
use crate::net::socket::render_result;
use crate::net::{FaultChange, HostId, TraceEvent, TraceKind, World};

pub const WIDTH: f64 = 920.0;
const FIRST_LANE: f64 = 390.0;
const LAST_LANE: f64 = 620.0;
const TOP: f64 = 44.0;
const SLOT: f64 = 19.0;
/// How far above the current event the diagram is drawn, in SVG units.
const WINDOW: f64 = 1400.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub host: HostId,
    pub name: String,
    pub x: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Trace indices this note shows (a call and its immediate return share one).
    pub first: usize,
    pub last: usize,
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub kind: &'static str,
    pub anchor_end: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: u64,
    pub index: usize,
    pub fate_index: Option<usize>,
    pub x1: f64,
    pub y1: f64,
    /// Where it ends once its fate is known (arrival, or where it fell).
    pub x2: f64,
    pub y2: f64,
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
    pub height: f64,
    pub lanes: Vec<Lane>,
    pub notes: Vec<Note>,
    pub arrows: Vec<Arrow>,
    pub times: Vec<TimeMark>,
    pub waits: Vec<Wait>,
    /// The y where each trace event sits (for scrolling to the current one).
    pub event_y: Vec<f64>,
}

fn gap(dt_us: u64) -> f64 {
    match dt_us {
        0 => 0.0,
        d if d > 1_000_000 => 44.0,
        d => 12.0 + (d as f64 / 1_000.0 * 2.5).min(48.0),
    }
}

/// Places every event of `trace` (with its `packets`).
pub fn seq_layout(trace: &[TraceEvent], packets: &[PacketInfo], world: &World) -> SeqLayout {
    let n = world.hosts().len();
    let lanes: Vec<Lane> = world
        .hosts()
        .enumerate()
        .map(|(i, (id, h))| Lane {
            host: id,
            name: h.name.clone(),
            x: if n <= 1 { FIRST_LANE } else { FIRST_LANE + i as f64 * (LAST_LANE - FIRST_LANE) / (n - 1) as f64 },
        })
        .collect();
    let lane_x = |h: HostId| lanes.iter().find(|l| l.host == h).map_or(FIRST_LANE, |l| l.x);
    let left = |h: HostId| lanes.first().is_some_and(|l| l.host == h) && n > 1;
    let by_id: rustc_hash::FxHashMap<u64, usize> = packets.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut notes: Vec<Note> = Vec::new();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut times: Vec<TimeMark> = Vec::new();
    let mut event_y = Vec::with_capacity(trace.len());
    let mut call_note: rustc_hash::FxHashMap<u64, (usize, String)> = Default::default();
    let mut waits: Vec<Wait> = Vec::new();
    let mut call_at: rustc_hash::FxHashMap<u64, (usize, f64, HostId)> = Default::default();
    let mut arrow_of: rustc_hash::FxHashMap<u64, usize> = Default::default();
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
        let mut slot_y = |h: HostId| -> f64 {
            let k = h.0 as usize;
            if k >= slots.len() {
                return band_y;
            }
            let v = band_y + slots[k] as f64 * SLOT + 12.0;
            slots[k] += 1;
            v
        };
        let note_at = |h: HostId, y: f64, text: String, kind: &'static str| Note {
            first: i,
            last: i,
            x: if left(h) { lane_x(h) - 12.0 } else { lane_x(h) + 12.0 },
            y: y + 4.0,
            text,
            kind,
            anchor_end: left(h),
        };
        let mut ey = band_y + 12.0;
        match &e.kind {
            TraceKind::Call { call, host, syscall } => {
                ey = slot_y(*host);
                let text = syscall.render();
                call_note.insert(call.0, (notes.len(), text.clone()));
                call_at.insert(call.0, (i, ey, *host));
                notes.push(note_at(*host, ey, text, "call"));
            }
            TraceKind::Return { call, host, result, blocked, .. } => {
                let shown = render_result(result);
                let kind = if result.is_err() { "err" } else { "ret" };
                match call_note.get(&call.0) {
                    Some((k, _)) if !*blocked && notes.get(*k).is_some_and(|n| n.last + 4 >= i) => {
                        let note = &mut notes[*k];
                        note.text = format!("{} = {shown}", note.text);
                        note.last = i;
                        note.kind = kind;
                        ey = note.y - 4.0;
                    }
                    found => {
                        ey = slot_y(*host);
                        if let Some(&(ci, cy, h)) = call_at.get(&call.0).filter(|_| *blocked) {
                            let side = if left(h) { -5.0 } else { 5.0 };
                            waits.push(Wait {
                                call_index: ci,
                                return_index: Some(i),
                                x: lane_x(h) + side,
                                y1: cy,
                                y2: ey,
                            });
                        }
                        let name = found.map_or("call".to_string(), |(_, t)| t.clone());
                        notes.push(note_at(*host, ey, format!("{name} = {shown}"), kind));
                    }
                }
            }
            TraceKind::State { host, to, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, to.name().to_string(), "state"));
            }
            TraceKind::Timer { host, timer, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, format!("{} timer fires", timer.name()), "timer"));
            }
            TraceKind::SocketError { host, errno, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, format!("error {}", errno.name()), "err"));
            }
            TraceKind::Dropped { host, .. } => {
                ey = slot_y(*host);
                notes.push(note_at(*host, ey, "✕ receive buffer full".into(), "err"));
            }
            TraceKind::Fault { change, .. } => {
                let text = match change {
                    FaultChange::Configure(c) => format!(
                        "link: {} · loss {}% · dup {}% · reorder {}%",
                        super::topology::format_latency(c.latency_us),
                        (c.loss * 100.0).round(),
                        (c.duplicate * 100.0).round(),
                        (c.reorder * 100.0).round()
                    ),
                    FaultChange::DropPacket(p) => format!("✂ drop packet #{}", p.0),
                    other => format!("link: {other:?}"),
                };
                notes.push(Note {
                    first: i,
                    last: i,
                    x: (FIRST_LANE + LAST_LANE) / 2.0,
                    y: ey + 4.0,
                    text,
                    kind: "fault",
                    anchor_end: false,
                });
                slots.iter_mut().for_each(|s| *s += 1);
            }
            TraceKind::Sent { host, packet, .. } => {
                ey = slot_y(*host);
                if let Some(&k) = by_id.get(&packet.id.0) {
                    let p = &packets[k];
                    arrow_of.insert(p.id, arrows.len());
                    arrows.push(new_arrow(p, lane_x(p.from), ey, p.to.map_or(lane_x(p.from), lane_x)));
                }
            }
            TraceKind::Duplicated { copy, .. } => {
                if let Some(&k) = by_id.get(&copy.0) {
                    let p = &packets[k];
                    let y1 = arrow_of.get(&p.duplicate_of.unwrap_or(0)).map_or(ey, |&a| arrows[a].y1);
                    arrow_of.insert(p.id, arrows.len());
                    arrows.push(new_arrow(p, lane_x(p.from), y1, p.to.map_or(lane_x(p.from), lane_x)));
                }
            }
            TraceKind::Delivered { packet, host, .. } => {
                ey = slot_y(*host);
                if let Some(&a) = arrow_of.get(&packet.0) {
                    arrows[a].y2 = ey;
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
    }
    // Calls still blocked when the trace ends wait to the bottom.
    for (_, &(ci, cy, h)) in call_at.iter() {
        let returned = waits.iter().any(|w| w.call_index == ci)
            || trace.iter().skip(ci + 1).any(|e| match (&e.kind, &trace[ci].kind) {
                (TraceKind::Return { call: r, .. }, TraceKind::Call { call: c, .. }) => r == c,
                _ => false,
            });
        if !returned {
            let side = if left(h) { -5.0 } else { 5.0 };
            waits.push(Wait { call_index: ci, return_index: None, x: lane_x(h) + side, y1: cy, y2: f64::INFINITY });
        }
    }
    waits.sort_by_key(|w| w.call_index);
    let used = slots.iter().copied().max().unwrap_or(0) as f64 * SLOT;
    SeqLayout { height: band_y + used + 40.0, lanes, notes, arrows, times, waits, event_y }
}

fn new_arrow(p: &PacketInfo, x1: f64, y1: f64, x2: f64) -> Arrow {
    Arrow {
        id: p.id,
        index: p.index,
        fate_index: p.fate_index,
        x1,
        y1,
        x2,
        y2: y1 + 30.0,
        sent: p.sent,
        arrival: p.arrival,
        lost: matches!(p.fate, Fate::Lost(_)),
    }
}

#[derive(Properties, PartialEq)]
pub struct SequenceProps {
    pub layout: Rc<SeqLayout>,
    pub packets: Rc<Vec<PacketInfo>>,
    pub first: usize,
    pub end: usize,
    pub now: u64,
    pub lang: Lang,
    pub selected_packet: Option<u64>,
    pub on_packet: Callback<u64>,
    /// Jump to the moment of a trace event (a note was clicked).
    pub on_event: Callback<usize>,
}

#[function_component]
pub fn Sequence(props: &SequenceProps) -> Html {
    let l = &props.layout;
    let end = props.end;
    let scroller = use_node_ref();
    // Keep the current event in view.
    let focus_y = if end == 0 { 0.0 } else { l.event_y.get(end - 1).copied().unwrap_or(0.0) };
    {
        let scroller = scroller.clone();
        use_effect_with((end, focus_y as i64), move |_| {
            // Scroll in the next frame: reading the layout now would force it
            // in the middle of the step.
            let scroll = wasm_bindgen::closure::Closure::once_into_js(move || {
                if let Some(el) = scroller.cast::<web_sys::Element>() {
                    let scale = f64::from(el.client_width()).max(1.0) / WIDTH;
                    let scale = scale.max(720.0 / WIDTH);
                    let target = focus_y * scale - f64::from(el.client_height()) * 0.6;
                    el.set_scroll_top(target.max(0.0) as i32);
                }
            });
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(scroll.unchecked_ref());
            }
        });
    }
    let bottom = (focus_y + 30.0).max(TOP + 20.0);
    // Only what is near the current event is drawn: long lessons stay fast.
    let (lo, hi) = (focus_y - WINDOW, focus_y + 60.0);
    let near = |y1: f64, y2: f64| y1.max(y2) >= lo && y1.min(y2) <= hi;
    let height = bottom + 24.0;
    let by_id: rustc_hash::FxHashMap<u64, &PacketInfo> = props.packets.iter().map(|p| (p.id, p)).collect();
    html! {
        <div class="seq-scroll" ref={scroller} tabindex="0" aria-label={tr(props.lang, Text::SequenceTitle)}>
            <svg class="sequence" viewBox={format!("0 0 {WIDTH} {height}")}
                 style={format!("aspect-ratio: {WIDTH} / {height}")} role="img"
                 aria-label={tr(props.lang, Text::SequenceLabel)}>
                <defs>
                    <marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                            orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                { for l.lanes.iter().map(|lane| html! {
                    <g class="lane">
                        <text class="lane-name" x={lane.x.to_string()} y="22" text-anchor="middle">{ &lane.name }</text>
                        <line x1={lane.x.to_string()} x2={lane.x.to_string()} y1="32" y2={bottom.to_string()} />
                    </g>
                }) }
                { for l.waits.iter().filter(|w| w.call_index < end).map(|w| {
                    let done = w.return_index.is_some_and(|r| r < end);
                    let y2 = if done { w.y2 } else { bottom - 6.0 };
                    html! {
                        <line class={classes!("wait", (!done).then_some("waiting"))} x1={w.x.to_string()} x2={w.x.to_string()}
                              y1={w.y1.to_string()} y2={y2.to_string()} />
                    }
                }) }
                { for l.times.iter().filter(|t| t.index < end && near(t.y, t.y)).map(|t| html! {
                    <text class={classes!("time", t.gap.then_some("gap"))} x="6" y={(t.y + 4.0).to_string()}>
                        { if t.gap { format!("⋯ {}", t.text) } else { t.text.clone() } }
                    </text>
                }) }
                { for l.arrows.iter().filter(|a| a.index < end && (near(a.y1, a.y2) || a.fate_index.is_none_or(|f| f >= end))).map(|a| {
                    match by_id.get(&a.id) {
                        Some(p) => arrow(a, p, props, bottom),
                        None => html! {},
                    }
                }) }
                { for l.notes.iter().filter(|n| n.first < end && near(n.y, n.y)).map(|n| {
                    let current = n.last >= props.first && n.first < end;
                    let on_event = props.on_event.clone();
                    let at = n.last.min(end.saturating_sub(1));
                    html! {
                        <text class={classes!("note", n.kind, current.then_some("current"))}
                              onclick={move |_| on_event.emit(at)}
                              x={n.x.to_string()} y={n.y.to_string()}
                              text-anchor={if n.anchor_end { "end" } else if n.kind == "fault" { "middle" } else { "start" }}>
                            { &n.text }
                        </text>
                    }
                }) }
            </svg>
        </div>
    }
}

fn arrow(a: &Arrow, p: &PacketInfo, props: &SequenceProps, bottom: f64) -> Html {
    let end = props.end;
    let known = a.fate_index.is_some_and(|f| f < end);
    let (x2, y2) = if known {
        (a.x2, a.y2)
    } else {
        let span = a.arrival.saturating_sub(a.sent).max(1) as f64;
        let f = (props.now.saturating_sub(a.sent) as f64 / span).clamp(0.05, 0.95);
        (a.x1 + (a.x2 - a.x1) * f, a.y1 + (bottom - 10.0 - a.y1).max(8.0))
    };
    let lost = known && a.lost;
    let current = a.index >= props.first || a.fate_index.is_some_and(|f| f >= props.first && f < end);
    let selected = props.selected_packet == Some(a.id);
    let on_packet = props.on_packet.clone();
    let id = a.id;
    let (mx, my) = ((a.x1 + x2) / 2.0, (a.y1 + y2) / 2.0);
    let label = p.label();
    let w = label_width(&label);
    html! {
        <g class={classes!("arrow", p.kind(), (!known).then_some("flying"), lost.then_some("lost"),
                           current.then_some("current"), selected.then_some("selected"),
                           p.analysis.is_some().then_some("analysed"))}
           data-packet={a.id.to_string()} data-label={label.clone()} onclick={move |_| on_packet.emit(id)}>
            <line class="hit" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            <line class="shaft" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  marker-end={(!lost).then_some("url(#arrowhead)")} />
            <rect class="label-bg" x={(mx - w / 2.0).to_string()} y={(my - 10.0).to_string()}
                  width={w.to_string()} height="17" rx="4" />
            <text class="arrow-label" x={mx.to_string()} y={(my + 3.0).to_string()} text-anchor="middle">{ &label }</text>
            if let Some(word) = &p.analysis {
                <text class="analysis" x={mx.to_string()} y={(my + 19.0).to_string()} text-anchor="middle">
                    { format!("[{word}]") }
                </text>
            }
            if lost {
                <text class="lost-x" x={x2.to_string()} y={(y2 + 6.0).to_string()} text-anchor="middle">{ "✕" }</text>
            }
        </g>
    }
}
