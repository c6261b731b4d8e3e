//! The network picture, drawn as SVG from its geometry ([`crate::view::topology`]).
//! Packets are keyed by id and placed with a CSS transform, so stepping animates
//! them along the link.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::on_activate;
use crate::lang::Lang;
use crate::net::{SocketId, SocketView, World};
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::related::Linked;
use crate::view::topology::{
    is_crowded, label_width, layout, packet_marks, row_h, Deck, HostBox, LinkLine, PacketMark, NAME_H, WORDS_STEP,
};
use crate::view::words::{analysis, tr, Text};

/// Below this many CSS pixels of window width the picture is drawn as a column:
/// side by side it would have to shrink its text below reading size.
pub const NARROW_PX: f64 = 600.0;

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

#[function_component]
pub fn Topology(props: &TopologyProps) -> Html {
    let column = use_narrow();
    let l = layout(&props.world, props.lang, column);
    let marks =
        packet_marks(&l, &props.packets, props.first, props.end, props.world.now(), props.lang, props.numbering);
    let crowded = is_crowded(&marks);
    let lang = props.lang;
    // What the picture shows, for a screen reader: its hosts and links (the sockets
    // and packets inside are buttons with labels of their own).
    let summary = format!(
        "{}: {}; {}",
        tr(lang, Text::TopologyLabel),
        l.hosts.iter().map(|h| format!("{} {}", h.name, h.addrs.join(" "))).collect::<Vec<_>>().join(", "),
        l.links
            .iter()
            .map(|k| format!("{} {} {}", tr(lang, Text::OnTheLink), k.latency, tr(lang, Text::OneWay)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        <div class="topo-scroll">
        <svg class={classes!("topology", column.then_some("column"), crowded.then_some("crowded"))}
             viewBox={format!("0 0 {} {}", l.width, l.height)}
             role="group" aria-label={summary}>
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
            // The links' settings over everything: a packet passing under them
            // (a phone's column has no room beside the line) leaves them readable.
            <g key="link-words" class="link-words">
                { for l.links.iter().map(|x| html! { <LinkWords key={format!("w{}", x.id.0)} line={x.clone()} {lang} {column} /> }) }
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

/// A link's line, redrawn only when it changed.
#[function_component]
fn LinkView(props: &LinkViewProps) -> Html {
    let l = &props.line;
    html! {
        <g class={classes!("link", l.cut.then_some("cut"))} data-link={l.id.0.to_string()}>
            <line x1={l.x1.to_string()} y1={l.y1.to_string()} x2={l.x2.to_string()} y2={l.y2.to_string()} />
        </g>
    }
}

/// A link's words (latency, faults), redrawn only when they changed.
#[function_component]
fn LinkWords(props: &LinkViewProps) -> Html {
    let l = &props.line;
    let (x, y, anchor) = l.words_at(props.column);
    html! {
        <g data-link={l.id.0.to_string()}>
            <text class="latency" x={x.to_string()} y={y.to_string()} text-anchor={anchor}>
                { format!("{} {}", l.latency, tr(props.lang, Text::OneWay)) }
            </text>
            { for l.fault_lines(props.column).into_iter().enumerate().map(|(k, line)| html! {
                <text class="faults" x={x.to_string()} y={(y + (k + 1) as f64 * WORDS_STEP).to_string()}
                      text-anchor={anchor}>{ line }</text>
            }) }
        </g>
    }
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
    // A UDP socket has no state to show (its protocol already reads "UDP").
    let state = s.state.map_or(String::new(), |st| st.name().to_string());
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
    let proto = s.protocol.to_string().to_ascii_uppercase();
    // Its name is the host's and then every word it shows, in the order shown: a
    // speech-input user who says what they see finds it (WCAG 2.5.3, label in name).
    let mut spoken = vec![h.name.clone(), format!("fd {fd} {proto} {state}")];
    if !blocked.is_empty() {
        spoken.push(format!("⋯ {} {blocked}", tr(props.lang, Text::Waits)));
    }
    spoken.push(addrs.clone());
    if let Some(port) = port {
        spoken.push(format!(":{port}"));
    }
    html! {
        <g class={classes!("socket", selected.then_some("selected"))} data-socket={s.id.0.to_string()}
           data-fd={fd.clone()} data-state={state.clone()} role="button" tabindex="0"
           aria-label={spoken.join(" ")}
           aria-pressed={selected.to_string()} {onclick} onkeydown={on_activate(pick)}>
            <rect class="socket-row" x={(h.x + 6.0).to_string()} y={(y + 2.0).to_string()}
                  width={(h.w - 12.0).to_string()} height={(row_h(s) - 4.0).to_string()} rx="6" />
            <text class="socket-head" x={(h.x + 14.0).to_string()} y={(y + 17.0).to_string()}>
                <tspan class="fd">{ format!("fd {fd}") }</tspan>
                <tspan>{ format!(" {proto} ") }</tspan>
                <tspan class="tcp-state">{ state }</tspan>
            </text>
            if !blocked.is_empty() {
                <text class="blocked" x={(h.x + 14.0).to_string()} y={(y + 46.0).to_string()}>
                    // Each text leads with a space the drawing drops (SVG strips it) and
                    // the accessible text keeps, so the words do not run together.
                    { format!(" ⋯ {} {blocked}", tr(props.lang, Text::Waits)) }
                </text>
            }
            <text class="socket-addr" x={(h.x + 14.0).to_string()} y={(y + 32.0).to_string()}>{ format!(" {addrs}") }</text>
            if let Some(port) = port {
                <g class="port">
                    <rect x={(edge - 5.0).to_string()} y={(y + 14.0).to_string()} width="10" height="10" rx="2" />
                    <text class="port-label" x={(if h.port_right != h.ports_inside { edge + 8.0 } else { edge - 8.0 }).to_string()}
                          y={(y + 23.0).to_string()} text-anchor={if h.port_right != h.ports_inside { "start" } else { "end" }}>
                        { format!(" :{port}") }
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
    // Named by what it shows (label in name), its analysis word included.
    let name = match &m.note {
        Some(note) => format!("{shown} {}", analysis(props.lang, note)),
        None => shown.clone(),
    };
    html! {
        <g key={m.id.to_string()} class={classes!("pkt", m.kind, m.state, selected.then_some("selected"),
                                                  doomed.then_some("doomed"), linked.then_some("linked"))}
           style={format!("transform: translate({:.1}px, {:.1}px)", m.x, m.y)}
           data-packet={m.id.to_string()} data-label={m.label.clone()} data-state={m.state}
           role="button" tabindex="0" aria-label={name}
           onclick={move |_| on_packet.emit(id)} onkeydown={on_activate(on_key)}>
            <rect x={(-w / 2.0).to_string()} y="-10" width={w.to_string()} height="20" rx="10" />
            <text class="pkt-label" x="0" y="4" text-anchor="middle">{ shown }</text>
            if crossed {
                <text class="pkt-x" x={(w / 2.0 + 4.0).to_string()} y="6">{ "✕" }</text>
            }
            if let Some(deck) = m.deck {
                <text class="pkt-deck" x={if deck.before { -(w / 2.0 + Deck::GAP) } else { w / 2.0 + Deck::GAP }.to_string()}
                      y="4" text-anchor={if deck.before { "end" } else { "start" }}>{ format!("×{}", deck.count) }</text>
            }
            if let Some(note) = m.note.as_ref().filter(|_| !m.packed) {
                <text class="pkt-note" x="0" y="-14" text-anchor="middle">{ analysis(props.lang, note) }</text>
            }
        </g>
    }
}
