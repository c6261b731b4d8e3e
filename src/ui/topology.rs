//! The network picture: hosts as boxes listing their sockets, ports on the box edge,
//! links with their settings, and the packets on their way.
//!
//! [`layout`] turns the core's read-only data into plain geometry (testable without a
//! browser); [`Topology`] draws it as SVG. Packets are keyed by id and placed with a
//! CSS transform, so stepping animates them along the link.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::on_activate;
use crate::lang::Lang;
use crate::net::{HostId, LinkId, SocketId, SocketView, World};
use crate::view::packets::{Fate, Numbering, PacketInfo};
use crate::view::related::Linked;
use crate::view::words::{analysis, tr, Text};

/// Geometry of the drawing, in SVG user units.
const MARGIN: f64 = 12.0;
const BOX_W: f64 = 250.0;
const GAP: f64 = 290.0;
const NAME_H: f64 = 52.0;
const SOCK_H: f64 = 40.0;
/// Extra height of a socket row with a blocked call.
const WAIT_H: f64 = 14.0;
const PAD_BOTTOM: f64 = 12.0;
const TOP: f64 = 64.0;
const LANE: f64 = 26.0;
/// A phone's column: hosts stacked, links running down between them.
const COLUMN_W: f64 = 300.0;
const COLUMN_BOX_W: f64 = 276.0;
const COLUMN_GAP: f64 = 190.0;
/// Below this many CSS pixels of window width the picture is drawn as a column:
/// side by side it would have to shrink its text below reading size.
pub const NARROW_PX: f64 = 600.0;

/// One host, placed, with its sockets.
#[derive(Clone, Debug, PartialEq)]
pub struct HostBox {
    pub id: HostId,
    pub name: String,
    pub addrs: Vec<String>,
    pub sockets: Vec<SocketView>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Which edge faces its link: ports are drawn there.
    pub port_right: bool,
    /// Port numbers written inside the box (a column has no room beside it).
    pub ports_inside: bool,
}

/// One link, placed: a line between two boxes, from the first (left or upper) one
/// at (x1, y1) to the other at (x2, y2).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkLine {
    pub id: LinkId,
    pub a: HostId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub latency: String,
    /// Loss, duplication, reordering, when any is set.
    pub faults: String,
    pub cut: bool,
    /// True when the link's first host is the first (left or upper) end.
    pub a_first: bool,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub hosts: Vec<HostBox>,
    pub links: Vec<LinkLine>,
    /// Hosts stacked in a column (a narrow screen), not side by side.
    pub column: bool,
}

/// Places the world's hosts in a row (a `column` on narrow screens), in id order,
/// and joins linked ones; link faults are named in `lang`.
pub fn layout(world: &World, lang: Lang, column: bool) -> Layout {
    let sockets: Vec<Vec<SocketView>> = world.hosts().map(|(id, _)| world.sockets_on(id)).collect();
    // Each socket's row has room for a blocked call whether or not one is blocked
    // now: a box (and the page under it) that grew and shrank as calls blocked and
    // returned made the browser lay out and repaint everything below on each step.
    let rows_h = |v: &Vec<SocketView>| v.len() as f64 * (SOCK_H + WAIT_H);
    let most = sockets.iter().map(rows_h).fold(SOCK_H, f64::max);
    let box_h = NAME_H + most + PAD_BOTTOM;
    let n = world.hosts().len();
    let nlinks = world.links().len();
    // Side by side the boxes share one height; stacked, each is as tall as it needs.
    let mut below = MARGIN;
    let hosts: Vec<HostBox> = world
        .hosts()
        .zip(sockets)
        .enumerate()
        .map(|(i, ((id, host), sockets))| {
            let h = if column { NAME_H + rows_h(&sockets).max(SOCK_H) + PAD_BOTTOM } else { box_h };
            let y = if column { below } else { TOP };
            below += h + COLUMN_GAP;
            HostBox {
                id,
                name: host.name.clone(),
                addrs: host.addrs.iter().map(|a| a.to_string()).collect(),
                sockets,
                x: if column { MARGIN } else { MARGIN + i as f64 * (BOX_W + GAP) },
                y,
                w: if column { COLUMN_BOX_W } else { BOX_W },
                h,
                port_right: column || i + 1 < n || n == 1,
                ports_inside: column,
            }
        })
        .collect();
    // Boxes by host id: a scan per link end was 80,000 comparisons a step at 200 hosts.
    let box_of: rustc_hash::FxHashMap<HostId, &HostBox> = hosts.iter().map(|h| (h.id, h)).collect();
    let links = world
        .links()
        .enumerate()
        .filter_map(|(k, (id, link))| {
            let a = *box_of.get(&link.a)?;
            let b = *box_of.get(&link.b)?;
            let a_first = (a.x, a.y) <= (b.x, b.y);
            let (first, second) = if a_first { (a, b) } else { (b, a) };
            // In a column, several links run side by side down the middle.
            let x = COLUMN_W / 2.0 + (k as f64 - (nlinks as f64 - 1.0) / 2.0) * 70.0;
            let ((x1, y1), (x2, y2)) = if column {
                ((x, first.y + first.h), (x, second.y))
            } else {
                let y = TOP + NAME_H + 14.0;
                ((first.x + first.w, y), (second.x, y))
            };
            let c = &link.dirs[0].config;
            let mut faults = Vec::new();
            if link.dirs.iter().any(|d| d.partitioned) {
                faults.push(tr(lang, Text::LinkCut).to_string());
            }
            if c.loss > 0.0 {
                faults.push(format!("{} {}%", tr(lang, Text::Loss).to_lowercase(), pct(c.loss)));
            }
            if c.duplicate > 0.0 {
                faults.push(format!("{} {}%", tr(lang, Text::Duplicate).to_lowercase(), pct(c.duplicate)));
            }
            if c.reorder > 0.0 {
                faults.push(format!("{} {}%", tr(lang, Text::Reorder).to_lowercase(), pct(c.reorder)));
            }
            Some(LinkLine {
                id,
                a: link.a,
                x1,
                y1,
                x2,
                y2,
                latency: format_latency(c.latency_us),
                faults: faults.join(" · "),
                cut: link.dirs.iter().any(|d| d.partitioned),
                a_first,
            })
        })
        .collect();
    let n = n.max(1) as f64;
    if column {
        let height = below - COLUMN_GAP + MARGIN;
        return Layout { width: COLUMN_W, height, hosts, links, column };
    }
    let width = 2.0 * MARGIN + n * BOX_W + (n - 1.0) * GAP;
    Layout { width, height: TOP + box_h + MARGIN, hosts, links, column }
}

/// The height of one socket's row.
fn row_h(v: &SocketView) -> f64 {
    if v.blocked.is_empty() {
        SOCK_H
    } else {
        SOCK_H + WAIT_H
    }
}

fn pct(p: f64) -> String {
    let v = (p * 100.0 * 10.0).round() / 10.0;
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A latency as people say it: `250 µs`, `10 ms`, `1.5 ms`, `2 s`.
pub fn format_latency(us: u64) -> String {
    fn trim(v: f64) -> String {
        let s = format!("{v:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    }
    if us < 1_000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{} ms", trim(us as f64 / 1_000.0))
    } else {
        format!("{} s", trim(us as f64 / 1_000_000.0))
    }
}

/// A simulated time as people say it: `0 ms`, `20 ms`, `1.25 s`.
pub fn format_time(us: u64) -> String {
    if us < 1_000_000 {
        let ms = us as f64 / 1_000.0;
        let s = format!("{ms:.3}");
        format!("{} ms", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        let s = format!("{:.3}", us as f64 / 1_000_000.0);
        format!("{} s", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Where a packet is drawn: centre x, y, and whether it is gone (lost/arrived).
#[derive(Clone, Debug, PartialEq)]
pub struct PacketMark {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub note: Option<String>,
    /// Which way it goes, drawn before the label in a column (`↓`, `↑`), else empty.
    pub way: &'static str,
}

/// Places the packets worth drawing after the first `end` trace events at time
/// `now`: those in flight, and those that arrived or were lost in the current tick
/// (`first..end`), at the receiver's edge or where they fell.
pub fn packet_marks(
    l: &Layout,
    packets: &[PacketInfo],
    first: usize,
    end: usize,
    now: u64,
    numbering: Numbering,
) -> Vec<PacketMark> {
    let mut lanes: rustc_hash::FxHashMap<(u32, bool), usize> = Default::default();
    // Links by id: a scan per packet was 120,000 comparisons a step with 600
    // packets on 200 links.
    let line_of: rustc_hash::FxHashMap<LinkId, &LinkLine> = l.links.iter().map(|x| (x.id, x)).collect();
    let mut out = Vec::new();
    // `packets` is in trace order, so those sent by `end` are a prefix.
    let sent = packets.partition_point(|p| p.index < end);
    for p in &packets[..sent] {
        let fate = p.fate_at(end);
        let fresh = p.fate_index.is_some_and(|f| f >= first && f < end);
        if !(fate == Fate::InFlight || fresh) {
            continue;
        }
        let crate::net::trace::Path::Link { link, .. } = p.path else { continue };
        let Some(&line) = line_of.get(&link) else { continue };
        let from_a = p.from == line.a;
        let rightwards = from_a == line.a_first;
        let frac = match fate {
            Fate::InFlight => {
                let span = p.arrival.saturating_sub(p.sent).max(1) as f64;
                (now.saturating_sub(p.sent) as f64 / span).clamp(0.0, 1.0)
            }
            Fate::Delivered | Fate::Discarded => 1.0,
            Fate::Lost(_) => {
                let span = p.arrival.saturating_sub(p.sent).max(1) as f64;
                (now.saturating_sub(p.sent) as f64 / span).clamp(0.5, 0.8)
            }
        };
        let label = p.label(numbering);
        let w = label_width(&label);
        let t = if rightwards { frac } else { 1.0 - frac };
        let lane = lanes.entry((link.0, rightwards)).or_insert(0);
        let (x, y) = if l.column {
            // Down the link, clear of both boxes; packets sent together step apart.
            let (lo, hi) = (line.y1 + 14.0, line.y2 - 14.0);
            let shift = *lane as f64 * 22.0 * if rightwards { -1.0 } else { 1.0 };
            (line.x1, (lo + t * (hi - lo) + shift).clamp(lo, hi))
        } else {
            let (lo, hi) = (line.x1 + w / 2.0 + 4.0, line.x2 - w / 2.0 - 4.0);
            let x = if lo < hi { lo + t * (hi - lo) } else { (line.x1 + line.x2) / 2.0 };
            let y =
                if rightwards { line.y1 - 24.0 - *lane as f64 * LANE } else { line.y1 + 24.0 + *lane as f64 * LANE };
            (x, y)
        };
        *lane += 1;
        let state = match fate {
            Fate::InFlight => "flying",
            Fate::Delivered => "arrived",
            Fate::Discarded => "discarded",
            Fate::Lost(_) => "lost",
        };
        let mut note = p.analysis.clone();
        if p.reordered {
            note = Some(note.map_or("late".into(), |n| format!("{n} · late")));
        }
        let way = match (l.column, rightwards) {
            (false, _) => "",
            (true, true) => "↓ ",
            (true, false) => "↑ ",
        };
        out.push(PacketMark { id: p.id, x, y, label, kind: p.kind(), state, note, way });
    }
    out
}

/// Rough width of a label at the packet font (12 px monospace).
pub fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * 7.3 + 18.0
}

#[derive(Properties)]
pub struct TopologyProps {
    pub world: Rc<World>,
    pub packets: Rc<Vec<PacketInfo>>,
    pub first: usize,
    pub end: usize,
    pub lang: Lang,
    /// How seq and ack are numbered on packet labels.
    pub numbering: Numbering,
    pub selected_packet: Option<u64>,
    pub selected_socket: Option<SocketId>,
    /// Packets the learner dropped (marked ✕ while still in flight).
    pub doomed: Rc<Vec<u64>>,
    /// What the learner picked and its partners: those packets are highlighted.
    #[prop_or_default]
    pub linked: Rc<Linked>,
    pub on_packet: Callback<u64>,
    pub on_socket: Callback<SocketId>,
}

impl PartialEq for TopologyProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.world, &o.world)
            && Rc::ptr_eq(&self.packets, &o.packets)
            && (self.first, self.end, self.lang, self.numbering) == (o.first, o.end, o.lang, o.numbering)
            && (self.selected_packet, self.selected_socket) == (o.selected_packet, o.selected_socket)
            && self.doomed == o.doomed
            && Rc::ptr_eq(&self.linked, &o.linked)
            && self.on_packet == o.on_packet
            && self.on_socket == o.on_socket
    }
}

fn window_is_narrow() -> bool {
    web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_some_and(|w| w < NARROW_PX)
}

/// Whether the window is narrow (a phone), kept up to date as it is resized.
#[hook]
fn use_narrow() -> bool {
    let narrow = use_state_eq(window_is_narrow);
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window();
            let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || narrow.set(window_is_narrow()));
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *narrow
}

/// Packets on the wire above which they jump from step to step instead of gliding.
/// Every glide is a running transform transition, and Chromium composites each one:
/// with 600 packets in flight (200 hosts) that was over half of every frame, and
/// play fell to 40 frames a second; at such a crowd the glide shows nothing a jump
/// does not (e2e/perf.test.mjs plays that lesson).
const CROWD: usize = 150;

/// Whether so many packets are on the wire that they should not glide.
fn is_crowded(marks: &[PacketMark]) -> bool {
    marks.iter().filter(|m| m.state == "flying").count() > CROWD
}

#[function_component]
pub fn Topology(props: &TopologyProps) -> Html {
    let column = use_narrow();
    let l = layout(&props.world, props.lang, column);
    let marks = packet_marks(&l, &props.packets, props.first, props.end, props.world.now(), props.numbering);
    let crowded = is_crowded(&marks);
    let lang = props.lang;
    html! {
        <div class="topo-scroll">
        <svg class={classes!("topology", column.then_some("column"), crowded.then_some("crowded"))}
             viewBox={format!("0 0 {} {}", l.width, l.height)}
             role="group" aria-label={tr(lang, Text::TopologyLabel)}>
            { for l.links.iter().map(|x| html! { <LinkView key={format!("l{}", x.id.0)} line={x.clone()} {lang} {column} /> }) }
            { for l.hosts.iter().map(|h| {
                // Only the host holding the selected socket hears of the selection:
                // the others, unchanged, skip their render.
                let selected = props.selected_socket.filter(|s| h.sockets.iter().any(|v| v.id == *s));
                html! { <HostView key={format!("h{}", h.id.0)} host={h.clone()} {lang} {selected} on_socket={props.on_socket.clone()} /> }
            }) }
            // Every child of the SVG is keyed (html! flattens the `for`s into one list,
            // patched by position if any child is unkeyed).
            <g key="packets" class="packets">
                { for marks.iter().map(|m| packet_mark(m, props)) }
            </g>
        </svg>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinkViewProps {
    line: LinkLine,
    lang: Lang,
    column: bool,
}

/// A link, redrawn only when it changed.
#[function_component]
fn LinkView(props: &LinkViewProps) -> Html {
    link_line(&props.line, props.lang, props.column)
}

#[derive(Properties, PartialEq)]
struct HostViewProps {
    host: HostBox,
    lang: Lang,
    /// The selected socket, when it is one of this host's.
    selected: Option<SocketId>,
    on_socket: Callback<SocketId>,
}

/// A host and its sockets, redrawn only when they changed (most hosts do not in a step).
#[function_component]
fn HostView(props: &HostViewProps) -> Html {
    host_box(&props.host, props)
}

fn link_line(l: &LinkLine, lang: Lang, column: bool) -> Html {
    // In a row the words sit above the gap; in a column beside the link, near its top.
    let (tx, ty, anchor) =
        if column { (l.x1 + 10.0, l.y1 + 20.0, "start") } else { ((l.x1 + l.x2) / 2.0, 22.0, "middle") };
    html! {
        <g class={classes!("link", l.cut.then_some("cut"))} data-link={l.id.0.to_string()}>
            <line x1={l.x1.to_string()} y1={l.y1.to_string()} x2={l.x2.to_string()} y2={l.y2.to_string()} />
            <text class="latency" x={tx.to_string()} y={ty.to_string()} text-anchor={anchor}>
                { format!("{} {}", l.latency, tr(lang, Text::OneWay)) }
            </text>
            if !l.faults.is_empty() {
                <text class="faults" x={tx.to_string()} y={(ty + 20.0).to_string()} text-anchor={anchor}>{ &l.faults }</text>
            }
        </g>
    }
}

fn host_box(h: &HostBox, props: &HostViewProps) -> Html {
    let cx = h.x + h.w / 2.0;
    let edge = if h.port_right { h.x + h.w } else { h.x };
    html! {
        <g class="host" data-host={h.name.clone()}>
            <rect class="host-box" x={h.x.to_string()} y={h.y.to_string()} width={h.w.to_string()}
                  height={h.h.to_string()} rx="10" />
            <text class="host-name" x={(h.x + 14.0).to_string()} y={(h.y + 24.0).to_string()}>{ &h.name }</text>
            <text class="host-addr" x={(h.x + 14.0).to_string()} y={(h.y + 42.0).to_string()}>
                { h.addrs.join(", ") }
            </text>
            if h.sockets.is_empty() {
                <text class="host-empty" x={cx.to_string()} y={(h.y + NAME_H + 24.0).to_string()} text-anchor="middle">
                    { tr(props.lang, Text::NoSockets) }
                </text>
            }
            { for h.sockets.iter().enumerate().map(|(i, s)| {
                let y = h.y + NAME_H + h.sockets[..i].iter().map(row_h).sum::<f64>();
                socket_row(h, s, y, edge, props)
            }) }
        </g>
    }
}

fn socket_row(h: &HostBox, s: &SocketView, y: f64, edge: f64, props: &HostViewProps) -> Html {
    let selected = props.selected == Some(s.id);
    let fd = s.fd.map_or("–".to_string(), |f| f.to_string());
    let state = match (s.state, &s.udp) {
        (Some(st), _) => st.name().to_string(),
        (None, Some(_)) => "UDP".to_string(),
        (None, None) => String::new(),
    };
    let local = s.local.map_or("*:*".to_string(), |a| a.to_string());
    let addrs = match s.remote {
        Some(r) => format!("{local} → {r}"),
        None => local,
    };
    let pick = {
        let on_socket = props.on_socket.clone();
        let id = s.id;
        Callback::from(move |_: ()| on_socket.emit(id))
    };
    let onclick = {
        let pick = pick.clone();
        move |_: MouseEvent| pick.emit(())
    };
    let port = s.local.map(|a| a.port());
    let blocked = s.blocked.iter().map(|c| format!("{c}()")).collect::<Vec<_>>().join(", ");
    html! {
        <g class={classes!("socket", selected.then_some("selected"))} data-socket={s.id.0.to_string()}
           data-fd={fd.clone()} data-state={state.clone()} role="button" tabindex="0"
           aria-label={format!("{} fd {fd} {} {state}", h.name, s.protocol.to_string().to_uppercase())}
           aria-pressed={selected.to_string()} {onclick} onkeydown={on_activate(pick)}>
            <rect class="socket-row" x={(h.x + 6.0).to_string()} y={(y + 2.0).to_string()}
                  width={(h.w - 12.0).to_string()} height={(row_h(s) - 4.0).to_string()} rx="6" />
            <text class="socket-head" x={(h.x + 14.0).to_string()} y={(y + 17.0).to_string()}>
                <tspan class="fd">{ format!("fd {fd}") }</tspan>
                <tspan>{ format!(" {} ", s.protocol.to_string().to_uppercase()) }</tspan>
                <tspan class="tcp-state">{ state }</tspan>
            </text>
            if !blocked.is_empty() {
                <text class="blocked" x={(h.x + 14.0).to_string()} y={(y + 46.0).to_string()}>
                    { format!("⋯ {} {blocked}", tr(props.lang, Text::Waits)) }
                </text>
            }
            <text class="socket-addr" x={(h.x + 14.0).to_string()} y={(y + 32.0).to_string()}>{ addrs }</text>
            if let Some(port) = port {
                <g class="port">
                    <rect x={(edge - 5.0).to_string()} y={(y + 14.0).to_string()} width="10" height="10" rx="2" />
                    <text class="port-label" x={(if h.port_right != h.ports_inside { edge + 8.0 } else { edge - 8.0 }).to_string()}
                          y={(y + 23.0).to_string()} text-anchor={if h.port_right != h.ports_inside { "start" } else { "end" }}>
                        { format!(":{port}") }
                    </text>
                </g>
            }
        </g>
    }
}

fn packet_mark(m: &PacketMark, props: &TopologyProps) -> Html {
    let shown = format!("{}{}", m.way, m.label);
    let w = label_width(&shown);
    let doomed = props.doomed.contains(&m.id) && m.state == "flying";
    let selected = props.selected_packet == Some(m.id);
    let linked = props.linked.has_packet(m.id);
    let on_packet = props.on_packet.clone();
    let id = m.id;
    let on_key = {
        let on_packet = props.on_packet.clone();
        Callback::from(move |_: ()| on_packet.emit(id))
    };
    let crossed = m.state == "lost" || doomed;
    html! {
        <g key={m.id.to_string()} class={classes!("pkt", m.kind, m.state, selected.then_some("selected"),
                                                  doomed.then_some("doomed"), linked.then_some("linked"))}
           style={format!("transform: translate({:.1}px, {:.1}px)", m.x, m.y)}
           data-packet={m.id.to_string()} data-label={m.label.clone()} data-state={m.state}
           role="button" tabindex="0" aria-label={m.label.clone()}
           onclick={move |_| on_packet.emit(id)} onkeydown={on_activate(on_key)}>
            <rect x={(-w / 2.0).to_string()} y="-10" width={w.to_string()} height="20" rx="10" />
            <text class="pkt-label" x="0" y="4" text-anchor="middle">{ shown }</text>
            if crossed {
                <text class="pkt-x" x={(w / 2.0 + 4.0).to_string()} y="6">{ "✕" }</text>
            }
            if let Some(note) = &m.note {
                <text class="pkt-note" x="0" y="-14" text-anchor="middle">{ analysis(props.lang, note) }</text>
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::LinkConfig;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn packets_stop_gliding_only_when_the_wire_is_crowded() {
        let mark = |id, state| PacketMark {
            id,
            x: 0.0,
            y: 0.0,
            label: String::new(),
            kind: "udp",
            state,
            note: None,
            way: "",
        };
        let flying: Vec<PacketMark> = (0..CROWD as u64).map(|i| mark(i, "flying")).collect();
        assert!(!is_crowded(&flying), "exactly CROWD packets still glide");
        let mut more = flying.clone();
        more.push(mark(CROWD as u64, "arrived"));
        assert!(!is_crowded(&more), "packets that arrived do not count");
        more.push(mark(CROWD as u64 + 1, "flying"));
        assert!(is_crowded(&more));
    }

    #[wasm_bindgen_test]
    fn latencies_and_times_read_naturally() {
        assert_eq!(format_latency(250), "250 µs");
        assert_eq!(format_latency(10_000), "10 ms");
        assert_eq!(format_latency(1_500), "1.5 ms");
        assert_eq!(format_latency(2_000_000), "2 s");
        assert_eq!(format_time(0), "0 ms");
        assert_eq!(format_time(20_000), "20 ms");
        assert_eq!(format_time(20_500), "20.5 ms");
        assert_eq!(format_time(60_090_000), "60.09 s");
    }

    #[wasm_bindgen_test]
    fn two_linked_hosts_sit_side_by_side() {
        let mut world = World::new(1);
        let a = world.add_host("a", &["10.0.0.2".parse().unwrap()]).unwrap();
        let b = world.add_host("b", &["10.0.0.1".parse().unwrap()]).unwrap();
        world.add_link(a, b, LinkConfig::default()).unwrap();
        let l = layout(&world, Lang::En, false);
        assert_eq!(l.hosts.len(), 2);
        assert_eq!(l.hosts[0].addrs, vec!["10.0.0.2".to_string()]);
        assert!(l.hosts[0].x + l.hosts[0].w < l.hosts[1].x);
        assert!(l.hosts[1].x + l.hosts[1].w <= l.width);
        assert_eq!(l.links.len(), 1);
        assert_eq!((l.links[0].x1, l.links[0].x2), (l.hosts[0].x + l.hosts[0].w, l.hosts[1].x));
        // On a phone: one above the other, the link running down between them,
        // and nothing wider than the column.
        let c = layout(&world, Lang::En, true);
        assert!(c.hosts[0].y + c.hosts[0].h < c.hosts[1].y);
        assert!(c.hosts.iter().all(|h| h.x + h.w <= c.width));
        assert_eq!((c.links[0].y1, c.links[0].y2), (c.hosts[0].y + c.hosts[0].h, c.hosts[1].y));
        assert_eq!(l.links[0].latency, "10 ms");
    }
}
