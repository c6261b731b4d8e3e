//! The event list: the last events up to the current step as a real `<table>`
//! (caption, column headers), which a screen reader walks row by row and column by
//! column; a packet's row has a button that opens it in the inspector, so every
//! packet the diagrams let a mouse pick can be picked from the keyboard here too.
//! The words are [`crate::view::announce`]'s, the live region's.

use std::rc::Rc;

use yew::prelude::*;

use super::Shared;
use crate::lang::Lang;
use crate::lesson::timeline::Timeline;
use crate::net::{TraceKind, World};
use crate::script::time::format_time;
use crate::view::announce::{describe, Context};
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::words::{tr, Text};

/// How many events the table shows: the recent past is what a step is read
/// against, and a table of a whole long lesson would cost more than the step.
const ROWS: usize = 24;

#[derive(Properties)]
pub struct EventTableProps {
    pub lang: Lang,
    pub timeline: Rc<Timeline>,
    /// The world now (host names only).
    pub world: Rc<World>,
    pub packets: Shared<Vec<PacketInfo>>,
    /// The timeline position: events of the first `pos` steps are shown.
    pub pos: usize,
    pub numbering: Numbering,
    pub selected_packet: Option<u64>,
    pub on_packet: Callback<u64>,
}

impl PartialEq for EventTableProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &o.timeline)
            && Rc::ptr_eq(&self.world, &o.world)
            && self.packets == o.packets
            && (self.lang, self.pos, self.numbering, self.selected_packet)
                == (o.lang, o.pos, o.numbering, o.selected_packet)
            && self.on_packet == o.on_packet
    }
}

/// One row: (step, trace index, time, where, what, packet id).
type Row = (usize, usize, u64, String, String, Option<u64>);

#[function_component]
pub fn EventTable(props: &EventTableProps) -> Html {
    let lang = props.lang;
    // The newest rows are at the bottom: keep them in view as the lesson steps,
    // and when the rows are written again (another language or numbering wraps
    // them anew: in Korean the current step fell below the box).
    let scroller = use_node_ref();
    {
        let scroller = scroller.clone();
        let written = (props.pos, Rc::as_ptr(&props.timeline) as usize, props.lang, props.numbering);
        use_effect_with(written, move |_| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let world = &props.world;
    let host_name = |h| world.host_name(h).to_string();
    let link_name = |l, d| crate::view::explain::link_name(world, l, d);
    let cx = Context {
        lang,
        packets: &props.packets,
        numbering: props.numbering,
        host_name: &host_name,
        link_name: &link_name,
    };
    let trace = &props.timeline.trace;
    // Newest step first while collecting, then put back in order.
    let mut rows: Vec<Row> = Vec::new();
    for step in (1..=props.pos.min(props.timeline.ticks.len())).rev() {
        let Some(tick) = props.timeline.ticks.get(step - 1) else { break };
        let upto = &trace[..tick.end.min(trace.len())];
        for i in (tick.first..tick.end).rev() {
            let Some(what) = describe(&cx, upto, tick.first..tick.end, i) else { continue };
            let e = &trace[i];
            let place = e.kind.host().map_or_else(|| tr(lang, Text::OnTheLink).to_string(), &host_name);
            let packet = match &e.kind {
                TraceKind::Sent { packet, .. } => Some(packet.id.0),
                TraceKind::Delivered { packet, .. }
                | TraceKind::Lost { packet, .. }
                | TraceKind::Reordered { packet, .. }
                | TraceKind::Held { packet, .. }
                | TraceKind::Dropped { packet, .. } => Some(packet.0),
                TraceKind::Duplicated { copy, .. } => Some(copy.0),
                _ => None,
            };
            rows.push((step, i, e.time, place, what, packet));
        }
        if rows.len() >= ROWS {
            break;
        }
    }
    rows.truncate(ROWS);
    rows.reverse();
    let caption = match (rows.first(), lang) {
        (None, _) => tr(lang, Text::AtStart).to_string(),
        (Some(first), Lang::En) => format!("Events of steps {} to {}, the current step's marked ▶", first.0, props.pos),
        (Some(first), Lang::Ko) => format!("{}–{}단계의 사건 (지금 단계는 ▶ 표시)", first.0, props.pos),
    };
    html! {
        <div class="events-scroll" ref={scroller} tabindex="0" role="region" aria-label={tr(lang, Text::EventsTitle)}>
            <table class="events" id="events">
                <caption>{ caption }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ tr(lang, Text::StepWord) }</th>
                        <th scope="col">{ tr(lang, Text::EventTime) }</th>
                        <th scope="col" class="where-col">{ tr(lang, Text::EventWhere) }</th>
                        <th scope="col">{ tr(lang, Text::EventWhat) }</th>
                        <th scope="col">{ tr(lang, Text::EventPacket) }</th>
                    </tr>
                </thead>
                <tbody>
                { for rows.into_iter().map(|(step, index, time, place, what, packet)| {
                    let current = step == props.pos;
                    let selected = packet.is_some() && packet == props.selected_packet;
                    html! {
                        <EventRow key={index} {lang} {step} {index} {time} {place} {what} {packet} {current} {selected}
                                  on_packet={props.on_packet.clone()} />
                    }
                }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct EventRowProps {
    lang: Lang,
    step: usize,
    /// Its trace index.
    index: usize,
    time: u64,
    place: String,
    what: String,
    packet: Option<u64>,
    current: bool,
    selected: bool,
    on_packet: Callback<u64>,
}

/// One event: a row that a step leaves alone unless it became or stopped being
/// the current step's or the selected packet's.
#[function_component]
fn EventRow(props: &EventRowProps) -> Html {
    let (lang, step, current) = (props.lang, props.step, props.current);
    html! {
        <tr data-event={props.index.to_string()}
            class={classes!(current.then_some("current"), props.selected.then_some("selected"))}
            aria-current={current.then_some("step")}>
            <th scope="row">{ if current { format!("▶ {step}") } else { step.to_string() } }</th>
            <td class="num">{ format_time(props.time) }</td>
            <td class="where-col">{ &props.place }</td>
            <td class="what">{ &props.what }</td>
            <td>
                if let Some(id) = props.packet {
                    <button type="button" class="chip inspect" data-packet={id.to_string()}
                            aria-pressed={props.selected.to_string()}
                            aria-label={format!("{} #{id}", tr(lang, Text::Inspect))}
                            onclick={let on = props.on_packet.clone(); move |_| on.emit(id)}>
                        { format!("#{id}") }
                    </button>
                }
            </td>
        </tr>
    }
}
