//! The sequence diagram, drawn from its layout ([`crate::view::sequence`]): the
//! view shows what has happened up to the current position of the whole lesson
//! placed once, so nothing jumps as you step.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{on_activate, Shared};
use crate::lang::Lang;
use crate::net::{Protocol, SocketId};
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::related::Linked;
use crate::view::sequence::{
    arrow_geometry, focus_span, place_flying_labels, step_span, FlyingLabel, Lane, LaneOf, Note, Role, SeqLayout, HEAD,
    TOP,
};
use crate::view::topology::label_width;
use crate::view::words::{analysis, analysis_width, tr, Text};

/// How far above the current event the diagram is drawn, in SVG units.
const WINDOW: f64 = 1400.0;
/// The longest packet on its way drawn dashed, in SVG units.
const LONG_DASHED_LINE: f64 = 3000.0;

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
    /// What differs from the run it is compared with (a what-if branch): marked
    /// with a Δ as well as a colour (nothing by default).
    #[prop_or_default]
    pub differs: Rc<Linked>,
    /// A note was picked (clicked, or Enter on it): the trace index it shows, and
    /// the socket it is about.
    pub on_event: Callback<(usize, Option<SocketId>)>,
    /// One of two diagrams on one time axis (a comparison): what both keep in
    /// view, so that an instant is as far down in each on the screen too
    /// (`None`: this diagram's own current event).
    #[prop_or_default]
    pub together: Option<Together>,
}

/// What two diagrams on one time axis keep in view alike, in SVG units: the
/// lower of their current events, and the lower of the heights they are cut
/// at. Each scrolled to its own current event, and their boxes were as tall
/// as their own runs: the same instant sat 25 px apart (the tour's branch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Together {
    focus_y: f64,
    shown: f64,
}

impl Together {
    /// For diagrams drawn up to their `end`s.
    pub fn of(sides: &[(&SeqLayout, usize)]) -> Together {
        let fold = |f: &dyn Fn(&SeqLayout, usize) -> f64| sides.iter().map(|&(l, end)| f(l, end)).fold(0.0, f64::max);
        Together { focus_y: fold(&focus_y), shown: fold(&shown_height) }
    }
}

/// The height of the diagram's current event (the last drawn up to `end`).
fn focus_y(l: &SeqLayout, end: usize) -> f64 {
    end.checked_sub(1).and_then(|i| l.event_y.get(i)).copied().unwrap_or(0.0)
}

/// How far down the diagram is drawn up to `end`: just below its lowest event.
fn shown_height(l: &SeqLayout, end: usize) -> f64 {
    (l.bottom(end) + 24.0).min(diagram_height(l))
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
            && Rc::ptr_eq(&self.differs, &other.differs)
            && self.together == other.together
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
        (Some(fd), Role::Listening { from }) if from < end => format!("{fd} · {}", tr(lang, Text::Listening)),
        (Some(fd), Role::Accepted) => format!("{fd} · {}", tr(lang, Text::Accepted)),
        (Some(fd), Role::Other | Role::Listening { .. }) => fd,
    };
    let addr = lane.addrs.iter().rev().find(|(from, _)| *from < end).map_or("*:*", |(_, a)| a.as_str());
    (addr.to_string(), format!("{proto}{detail}"))
}

/// Scrolls the diagram's box in the next frame so that the current event, at
/// height `focus_y`, is in view, and across `spans` (SVG units) the whole
/// step's dots and notes when they fit, else the last event's dot and note:
/// reading the layout during the step would force it in the middle of the step.
fn scroll_to_focus(scroller: NodeRef, width: f64, spans: [(f64, f64); 2], focus_y: f64) {
    let scroll = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(el) = scroller.cast::<web_sys::Element>() {
            let svg_w = el.first_element_child().map_or(0, |c| c.client_width());
            let scale = f64::from(svg_w.max(el.client_width())).max(1.0) / width;
            let top = focus_y * scale - f64::from(el.client_height()) * 0.6;
            // Narrower than the diagram (a phone, many lanes): follow the action
            // sideways too, but only as far as it takes. Centred on each event,
            // the diagram slid sideways at every step, and the times at its left
            // edge went out of view ("40 ms" read "0 ms") though the event fitted.
            // The notes beside the step's events are kept in view with them:
            // the dot alone kept "TIME-WAIT" to "IT".
            let view_w = f64::from(el.client_width());
            // The whole step when it fits, else its last event.
            let [step, last] = spans;
            let span = if (step.1 - step.0) * scale + 24.0 <= view_w { step } else { last };
            let (lo, hi) = (span.0 * scale, span.1 * scale);
            // A dot alone keeps room around it for its arrow; a note reaches far enough.
            let dot = hi - lo < 1.0;
            let margin = if dot { (view_w / 4.0).min(120.0) } else { 12.0f64.min(view_w / 8.0) };
            let now = f64::from(el.scroll_left());
            // Scrolled sideways, the times cover the box's left edge: what is
            // shown starts to their right.
            let cover = TIMES_COVER * scale;
            // What fits from the left edge keeps the times there in view.
            let left = if hi + if dot { margin } else { 0.0 } <= view_w {
                0.0
            } else if hi - lo + 2.0 * margin + cover > view_w {
                // Wider than the box: from its start, but never past its last
                // dot (the current event), which the times may not hide.
                (lo - margin - cover).max(hi + 12.0 - view_w)
            } else if now + margin + cover <= lo && hi + margin <= now + view_w {
                now
            } else if lo < now + margin + cover {
                lo - margin - cover
            } else {
                hi + margin - view_w
            };
            // One call for both: with smooth scrolling, setting scrollLeft after
            // scrollTop replaced the vertical scroll, and the diagram never moved.
            el.scroll_to_with_x_and_y(left.max(0.0), top.max(0.0));
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(scroll.unchecked_ref());
    }
}

/// How much of the diagram's left edge the times cover once it is scrolled
/// sideways, in SVG units: the widest time ("⋯ 12.345 s") and its backdrop.
const TIMES_COVER: f64 = 56.0;

/// Sets `--seq-x`, how far the diagram `width` SVG units wide is scrolled
/// sideways, in SVG units, on the scrolled box: the times' group follows it.
fn keep_times_in_view(e: Event, width: f64) {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let svg_w = el.first_element_child().map_or(0, |c| c.client_width());
    let scale = f64::from(svg_w.max(el.client_width())).max(1.0) / width;
    let x = f64::from(el.scroll_left()) / scale;
    // The box has no style of its own (the page never sets one on it).
    let _ = el.set_attribute("style", &format!("--seq-x: {x:.1}px"));
}

#[function_component]
pub fn Sequence(props: &SequenceProps) -> Html {
    let l = &props.layout;
    let end = props.end;
    let width = l.width;
    let scroller = use_node_ref();
    // Keep the current event in view.
    let focus_y = props.together.map_or_else(|| focus_y(l, end), |t| t.focus_y);
    let middle = (width / 2.0, width / 2.0);
    let last = focus_span(l, end, props.lang).unwrap_or(middle);
    let spans = [step_span(l, props.first.min(end.saturating_sub(1)), end, props.lang).unwrap_or(last), last];
    {
        let scroller = scroller.clone();
        use_effect_with((end, focus_y as i64, props.lang), move |_| scroll_to_focus(scroller, width, spans, focus_y));
    }
    let bottom = l.bottom(end);
    // Only what is near the current event is drawn: long lessons stay fast. Drawn
    // elements are keyed components, so moving the window adds and removes a few,
    // and those whose props did not change skip their render.
    let (lo, hi) = (focus_y - WINDOW, bottom + 30.0);
    let near = |y1: f64, y2: f64| y1.max(y2) >= lo && y1.min(y2) <= hi;
    // The SVG is as tall as the whole lesson, always: a viewBox that grew with each
    // step made the browser lay out and repaint every element of the diagram on
    // every step. What has not happened yet is cut off by the box around it, whose
    // height is the only size a step changes.
    let full = diagram_height(l);
    let shown = shown_height(l, end);
    // Room below the cut, for a diagram beside a longer one to scroll as far.
    let pad = props.together.map_or(0.0, |t| t.shown - shown);
    let layout = Shared(props.layout.clone());
    let packets = Shared(props.packets.clone());
    let y_of = |i: usize| l.event_y.get(i).copied().unwrap_or(TOP);
    // Below 74% the notes' text would be too small to read: scroll sideways instead.
    let min_width = (width * 0.74).round();
    // The arrows near the current event and those still on their way, with
    // where each shaft ends and its label sits; the labels of packets on
    // their way are placed together, so that two crossing at the bottom do
    // not lie on each other.
    let mut drawn: Vec<Drawn> = l
        .arrows
        .iter()
        .enumerate()
        .filter(|(_, a)| a.index < end && (near(a.y1, a.y2) || a.fate_index.is_none_or(|f| f >= end)))
        .map(|(k, a)| {
            let (tip, label_at) = arrow_geometry(a, a.fate_index.is_some_and(|f| f < end), props.now, bottom);
            Drawn { arrow: k, tip, label_at: Some(label_at) }
        })
        .collect();
    let flying: Vec<usize> =
        (0..drawn.len()).filter(|&i| l.arrows[drawn[i].arrow].fate_index.is_none_or(|f| f >= end)).collect();
    let landed: Vec<(usize, (f64, f64))> = drawn
        .iter()
        .enumerate()
        .filter(|(i, _)| !flying.contains(i))
        .filter_map(|(_, d)| Some((l.arrows[d.arrow].packet, d.label_at?)))
        .collect();
    let spots = place_flying_labels(
        &flying
            .iter()
            .map(|&i| {
                let a = &l.arrows[drawn[i].arrow];
                FlyingLabel { packet: a.packet, x1: a.x1, y1: a.y1, tip: drawn[i].tip }
            })
            .collect::<Vec<_>>(),
        &props.packets,
        bottom,
        &landed,
    );
    for (&i, spot) in flying.iter().zip(spots) {
        drawn[i].label_at = spot;
    }
    let labels: Vec<(usize, (String, String))> = l
        .lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| lane.born < end)
        .map(|(k, lane)| (k, lane_label(lane, props.lang, end)))
        .collect();
    html! {
        <div class="seq-scroll" ref={scroller} tabindex="0" role="region" aria-label={tr(props.lang, Text::SequenceTitle)}
             onscroll={Callback::from(move |e: Event| keep_times_in_view(e, width))}>
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
                { for drawn.iter().map(|d| arrow(d, props, &layout, &packets, false)) }
                // The arrows' words over every shaft: a later arrow drew its
                // shaft through an earlier one's "[TCP Dup ACK 2#1]".
                { for drawn.iter().filter(|d| d.label_at.is_some()).map(|d| arrow(d, props, &layout, &packets, true)) }
                { for l.notes.iter().enumerate().filter(|(_, n)| n.first < end && near(n.y, n.y)).map(|(k, n)| note(k, n, props, &layout)) }
                // The times, over everything, stay at the box's left edge when
                // the diagram scrolls sideways (`--seq-x`, set on scroll): on a
                // phone, following the action took them out of view ("ms").
                <g key="times" class="times" aria-hidden="true">
                    <rect key="backdrop" class="times-backdrop" x="0" y={HEAD.to_string()} width={TIMES_COVER.to_string()}
                          height={(full - HEAD).to_string()} />
                    { for l.times.iter().enumerate().filter(|(_, t)| t.index < end && near(t.y, t.y)).map(|(k, t)| html! {
                        <TimeLabel key={format!("t{}", t.index)} layout={layout.clone()} index={k} />
                    }) }
                </g>
            </svg>
            </div>
            if pad > 0.0 {
                <div class="seq-pad" aria-hidden="true"
                     style={format!("aspect-ratio: {width} / {pad}; min-width: {min_width}px")}></div>
            }
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
                 differs={props.differs.has_any(n.first, n.last)}
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
    #[prop_or_default]
    differs: bool,
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
    let text = if props.differs { format!("Δ {}", n.say.text(props.lang)) } else { n.say.text(props.lang) };
    // A note shortened to fit is read out, and shown on hover, whole.
    let whole = n.full.as_ref().map(|full| if props.differs { format!("Δ {full}") } else { full.clone() });
    html! {
        <g class={classes!("note", n.kind, props.current.then_some("current"), props.linked.then_some("linked"),
                           props.differs.then_some("differs"))}
           data-first={n.first.to_string()} role="button" tabindex="0" aria-label={whole.clone().unwrap_or(text.clone())}
           {onclick} onkeydown={on_activate(pick)}>
            if let Some(whole) = whole {
                <title>{ whole }</title>
            }
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

/// One arrow as this step draws it: which of the layout's, where its shaft
/// ends and where its label sits.
struct Drawn {
    arrow: usize,
    tip: (f64, f64),
    /// `None`: drawn without its label (a packet on its way, with no room).
    label_at: Option<(f64, f64)>,
}

/// An arrow's shaft, or (`words`) its label and Wireshark's word, drawn in a
/// second pass above every shaft.
fn arrow(
    d: &Drawn,
    props: &SequenceProps,
    layout: &Shared<SeqLayout>,
    packets: &Shared<Vec<PacketInfo>>,
    words: bool,
) -> Html {
    let (k, tip, label_at) = (d.arrow, d.tip, d.label_at);
    let Some(a) = layout.arrows.get(k) else { return html! {} };
    let end = props.end;
    let known = a.fate_index.is_some_and(|f| f < end);
    html! {
        <SeqArrow key={format!("{}{}", if words { "t" } else { "a" }, a.id)} layout={layout.clone()} index={k}
                  packets={packets.clone()} {words}
                  {tip} {label_at} {known} lang={props.lang} numbering={props.numbering}
                  current={a.index >= props.first || a.fate_index.is_some_and(|f| f >= props.first && f < end)}
                  selected={props.selected_packet == Some(a.id)} linked={props.linked.has_packet(a.id)}
                  differs={props.differs.has_packet(a.id)}
                  on_packet={props.on_packet.clone()} />
    }
}

#[derive(Properties, PartialEq)]
struct ArrowProps {
    layout: Shared<SeqLayout>,
    /// Which of the layout's arrows.
    index: usize,
    packets: Shared<Vec<PacketInfo>>,
    /// Its words only (label, Wireshark's word), else its shaft only.
    words: bool,
    /// Where its shaft ends, and the centre of its label (none drawn when `None`).
    tip: (f64, f64),
    label_at: Option<(f64, f64)>,
    /// Whether its fate is known (else it is on its way).
    known: bool,
    lang: Lang,
    numbering: Numbering,
    current: bool,
    selected: bool,
    linked: bool,
    #[prop_or_default]
    differs: bool,
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
    let (mx, my) = props.label_at.unwrap_or((0.0, 0.0));
    // A dashed line thousands of units long (across a crowd of lifelines) is slow
    // to draw: such a packet on its way is drawn faint instead (style.css).
    let long = !known && (x2 - a.x1).hypot(y2 - a.y1) > LONG_DASHED_LINE;
    let label = if props.differs {
        format!("Δ {}", p.label(props.lang, props.numbering))
    } else {
        p.label(props.lang, props.numbering)
    };
    let w = label_width(&label);
    // Named by what it shows (label in name), its analysis word included.
    let spoken = match &p.analysis {
        Some(word) => format!("{label} {}", analysis(props.lang, word)),
        None => label.clone(),
    };
    let class = classes!(
        if props.words { "arrow-words" } else { "arrow" },
        p.kind(),
        (!known).then_some("flying"),
        long.then_some("long"),
        lost.then_some("lost"),
        props.current.then_some("current"),
        props.selected.then_some("selected"),
        props.linked.then_some("linked"),
        p.analysis.is_some().then_some("analysed"),
        props.differs.then_some("differs")
    );
    if props.words {
        // A click on the words picks the packet, as one on its arrow does; the
        // arrow is named and focused, so the words are hidden from assistive technology.
        let word = p.analysis.as_ref().map(|word| analysis(props.lang, word));
        let word_w = p.analysis.as_deref().map_or(0.0, analysis_width) - 8.0;
        return html! {
            <g {class} data-packet={a.id.to_string()} data-label={label.clone()} aria-hidden="true" {onclick}>
                <g class="arrow-tag" transform={format!("translate({mx} {my})")}>
                    <rect class="label-bg" x={(-w / 2.0).to_string()} y="-10" width={w.to_string()} height="17" rx="4" />
                    <text class="arrow-label" x="0" y="3" text-anchor="middle">{ &label }</text>
                    if let Some(word) = word {
                        <rect class="analysis-bg" x={(-word_w / 2.0).to_string()} y="9" width={word_w.to_string()}
                              height="14" rx="3" />
                        <text class="analysis" x="0" y="19" text-anchor="middle">{ word }</text>
                    }
                </g>
            </g>
        };
    }
    html! {
        <g {class} data-packet={a.id.to_string()} data-label={label.clone()} role="button" tabindex="0"
           aria-label={spoken} {onclick} onkeydown={on_activate(pick)}>
            <line class="hit" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
            <line class="shaft" x1={a.x1.to_string()} y1={a.y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                  marker-end={(!lost).then_some("url(#arrowhead)")} />
            if lost {
                <text class="lost-x" x={x2.to_string()} y={(y2 + 6.0).to_string()} text-anchor="middle">{ "✕" }</text>
            }
        </g>
    }
}
