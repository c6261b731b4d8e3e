//! Side panels: buffers and windows of the selected socket, "break it" link
//! controls, and share/export.

use std::rc::Rc;

use yew::prelude::*;

use crate::lang::Lang;
use crate::net::link::LinkSettings;
use crate::net::{SocketId, SocketView, TraceEvent, TraceKind};
use crate::view::plot::step_path;
use crate::view::topology::format_latency;
use crate::view::words::{changes_made, cwnd_text, tr, zero_window_note, Text};

/// A buffer as a bar: `parts` are (CSS class, words, bytes).
/// A buffer or queue's fill: `unit` names what it counts ("B" for bytes;
/// empty for the listener's queues, which count connections).
fn bar(label: &str, parts: &[(&'static str, &str, usize)], capacity: usize, unit: &str) -> Html {
    let cap = capacity.max(parts.iter().map(|p| p.2).sum::<usize>()).max(1) as f64;
    let nums = format!(
        "{} / {capacity}{}{unit}",
        parts.iter().map(|(_, words, n)| format!("{words} {n}")).collect::<Vec<_>>().join(" · "),
        if unit.is_empty() { "" } else { " " }
    );
    html! {
        <div class="bar-row">
            <div class="bar-label">{ label }</div>
            // The bar says in words what its lengths show.
            <div class="bar" role="img" aria-label={format!("{label}: {nums}")}>
                { for parts.iter().filter(|p| p.2 > 0).map(|(class, _, n)| html! {
                    <span class={classes!("seg", *class)} style={format!("width: {:.2}%", *n as f64 / cap * 100.0)}></span>
                }) }
            </div>
            <div class="bar-nums">{ nums }</div>
        </div>
    }
}

/// cwnd and ssthresh over time, as a small step plot.
type Point = (u64, u32, u32);

fn cwnd_plot(points: &[Point], lang: Lang) -> Html {
    if points.is_empty() {
        return html! {};
    }
    let (w, h) = (300.0, 110.0);
    let t0 = points[0].0 as f64;
    let t1 = (points.last().map_or(0, |p| p.0) as f64).max(t0 + 1.0);
    let cap = |v: u32| if v >= 1 << 30 { None } else { Some(v) };
    let peak = points.iter().flat_map(|p| [Some(p.1), cap(p.2)]).flatten().max().unwrap_or(1).max(1);
    // Headroom above the peak; the legend names the peak, not the axis's top
    // ("15928 B max" read as a window the connection never had).
    let maxv = f64::from(peak) * 1.1;
    let x = |t: u64| 30.0 + (t as f64 - t0) / (t1 - t0) * (w - 40.0);
    let y = |v: u32| h - 16.0 - (f64::from(v) / maxv) * (h - 26.0);
    let steps = |f: &dyn Fn(&Point) -> Option<u32>| step_path(points.iter().map(|p| (x(p.0), f(p).map(y))), w - 10.0);
    html! {
        <svg class="cwnd" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={tr(lang, Text::CwndPlot)}>
            <line class="axis" x1="30" y1={(h - 16.0).to_string()} x2={(w - 10.0).to_string()} y2={(h - 16.0).to_string()} />
            <path class="cwnd-line" d={steps(&|p| Some(p.1))} />
            <path class="ssthresh-line" d={steps(&|p| cap(p.2))} />
            <text class="legend" x="34" y="12">{ "— cwnd" }</text>
            <text class="legend ss" x="110" y="12">{ "- - ssthresh" }</text>
            <text class="legend" x="4" y={(h - 4.0).to_string()}>
                { if lang == Lang::Ko { format!("최고 {peak} B") } else { format!("peak {peak} B") } }
            </text>
        </svg>
    }
}

#[derive(Properties)]
pub struct BuffersProps {
    pub lang: Lang,
    pub view: Option<SocketView>,
    pub host: String,
    pub trace: Rc<Vec<TraceEvent>>,
    pub end: usize,
}

/// The trace by identity: comparing its thousands of events on every step cost
/// more than the panel's render.
impl PartialEq for BuffersProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
            && (self.lang, self.end, &self.host, &self.view) == (other.lang, other.end, &other.host, &other.view)
    }
}

/// Every congestion change of `socket` in `trace`: (trace index, point).
fn congestion_of(trace: &[TraceEvent], socket: Option<SocketId>) -> Vec<(usize, Point)> {
    trace
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.kind {
            TraceKind::Congestion { socket: s, cwnd, ssthresh, .. } if Some(s) == socket => {
                Some((i, (e.time, cwnd, ssthresh)))
            }
            _ => None,
        })
        .collect()
}

#[function_component]
pub fn Buffers(props: &BuffersProps) -> Html {
    let lang = props.lang;
    // Found once per lesson and socket, not on every step.
    let congestion = {
        let trace = props.trace.clone();
        let socket = props.view.as_ref().map(|v| v.id);
        use_memo((Rc::as_ptr(&trace) as usize, socket), move |_| congestion_of(&trace, socket))
    };
    // Drawn again only when a point is added: on most steps none is.
    let shown = congestion.partition_point(|(i, _)| *i < props.end);
    let plot = {
        let congestion = congestion.clone();
        use_memo((Rc::as_ptr(&congestion) as usize, shown, lang), move |&(_, shown, lang)| {
            let points: Vec<Point> = congestion[..shown].iter().map(|(_, p)| *p).collect();
            cwnd_plot(&points, lang)
        })
    };
    let Some(v) = &props.view else {
        return html! { <p class="muted">{ tr(lang, Text::NoSocketSelected) }</p> };
    };
    let who = format!(
        "{} · fd {} · {}",
        props.host,
        v.fd.map_or("–".into(), |f| f.to_string()),
        v.local.map_or("*:*".into(), |a| a.to_string())
    );
    html! {
        <div class="buffers" data-socket={v.id.0.to_string()}>
            <p class="caption">{ who }</p>
            if let Some(t) = &v.tcp {
                // Linux counts the send buffer in memory: each skb's bookkeeping
                // beside the data, against sk_sndbuf.
                { bar(tr(lang, Text::SendBuffer), &[("in-flight", tr(lang, Text::InFlight), t.send_in_flight),
                      ("unsent", tr(lang, Text::Unsent), t.send_unsent),
                      ("bookkeeping", tr(lang, Text::SkbBookkeeping),
                       t.send_memory.saturating_sub(t.send_in_flight + t.send_unsent))], t.send_buffer, "B") }
                { bar(tr(lang, Text::RecvBuffer), &[("buffered", tr(lang, Text::Buffered), t.recv_buffered),
                      ("out-of-order", tr(lang, Text::OutOfOrder), t.recv_out_of_order)], t.recv_capacity, "B") }
                if let Some(note) = zero_window_note(lang, t) {
                    <p class="caption window-note">{ note }</p>
                }
                <dl class="nums">
                    <dt>{ "rwnd" }</dt><dd>{ format!("{} B", t.advertised_window) }</dd>
                    <dt>{ tr(lang, Text::PeerWindow) }</dt><dd>{ format!("{} B", t.snd_wnd) }</dd>
                    <dt>{ "cwnd" }</dt><dd>{ cwnd_text(lang, t) }</dd>
                    <dt>{ "ssthresh" }</dt>
                    <dd>{ if t.ssthresh >= 1 << 30 { "∞".to_string() } else { format!("{} B", t.ssthresh) } }</dd>
                    <dt>{ "RTO" }</dt><dd>{ format_latency(t.rto_us) }</dd>
                    <dt>{ "SRTT" }</dt><dd>{ t.srtt_us.map_or("–".into(), format_latency) }</dd>
                </dl>
                { (*plot).clone() }
            }
            if let Some(q) = &v.listen {
                { bar(tr(lang, Text::SynQueue), &[("half-open", tr(lang, Text::HalfOpen), q.syn_queue)], q.backlog as usize, "") }
                { bar(tr(lang, Text::AcceptQueue), &[("ready", tr(lang, Text::Ready), q.accept_queue)], q.backlog as usize, "") }
                if q.overflows > 0 { <p class="muted">{ format!("{} {}", tr(lang, Text::Overflows), q.overflows) }</p> }
            }
            if let Some(u) = &v.udp {
                { bar(tr(lang, Text::RecvBuffer), &[("queued", tr(lang, Text::QueuedBytes), u.queued_bytes)], u.capacity, "B") }
                <dl class="nums udp-stats">
                    <dt>{ tr(lang, Text::Delivered) }</dt><dd data-delivered={u.delivered.to_string()}>{ u.delivered }</dd>
                    <dt>{ tr(lang, Text::DroppedFull) }</dt><dd>{ u.dropped }</dd>
                    <dt>{ tr(lang, Text::Queued) }</dt><dd>{ u.queued }</dd>
                </dl>
            }
            if v.tcp.is_none() && v.listen.is_none() && v.udp.is_none() {
                <p class="muted">{ tr(lang, Text::NoBuffersYet) }</p>
            }
        </div>
    }
}

/// One link's controls: its id, its name ("client ↔ server"), the settings
/// they show (the first direction's), whether it is cut, and a note when the
/// lesson set one direction apart.
#[derive(Clone, PartialEq)]
pub struct LinkKnobs {
    pub id: u32,
    pub name: String,
    pub settings: LinkSettings,
    pub cut: bool,
    pub one_way: Option<String>,
}

#[derive(Properties, PartialEq)]
pub struct BreakItProps {
    pub lang: Lang,
    pub links: Vec<LinkKnobs>,
    pub on_change: Callback<(u32, LinkSettings)>,
    pub on_cut: Callback<(u32, bool)>,
    pub edits: usize,
    pub on_clear: Callback<()>,
}

#[function_component]
pub fn BreakIt(props: &BreakItProps) -> Html {
    let lang = props.lang;
    html! {
        <div class="break-it">
            <p class="caption">{ tr(lang, Text::BreakItCaption) }</p>
            { for props.links.iter().map(|LinkKnobs { id, name, settings: s, cut, one_way }| {
                let (id, s, cut) = (*id, *s, *cut);
                let on_cut = props.on_cut.clone();
                let slider = |label: &'static str, key: &'static str, value: f64, max: f64, step: f64, unit: &'static str,
                              set: fn(&mut LinkSettings, f64)| {
                    let on_change = props.on_change.clone();
                    let onchange = Callback::from(move |e: Event| {
                        let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
                        let Ok(v) = input.value().parse::<f64>() else { return };
                        let mut next = s;
                        set(&mut next, v);
                        on_change.emit((id, next));
                    });
                    let shown = if unit == "%" { format!("{}%", value.round()) } else { format!("{value} {unit}") };
                    html! {
                        <label class="slider">
                            <span class="slider-name">{ label }</span>
                            <input type="range" min="0" max={max.to_string()} step={step.to_string()}
                                   value={value.to_string()} data-link={id.to_string()} data-knob={key}
                                   {onchange} />
                            <output>{ shown }</output>
                        </label>
                    }
                };
                html! {
                    <fieldset class="link-knobs" data-link={id.to_string()}>
                        <legend>{ name }</legend>
                        if let Some(note) = one_way {
                            <p class="caption one-way">{ note }</p>
                        }
                        { slider(tr(lang, Text::Loss), "loss", (s.loss * 100.0).round(), 100.0, 5.0, "%", |s, v| s.loss = v / 100.0) }
                        { slider(tr(lang, Text::Duplicate), "duplicate", (s.duplicate * 100.0).round(), 100.0, 5.0, "%", |s, v| s.duplicate = v / 100.0) }
                        { slider(tr(lang, Text::Reorder), "reorder", (s.reorder * 100.0).round(), 100.0, 5.0, "%", |s, v| s.reorder = v / 100.0) }
                        { slider(tr(lang, Text::Delay), "delay", (s.latency_us / 1000) as f64, 200.0, 1.0, "ms", |s, v| s.latency_us = (v.max(0.0) * 1000.0) as u64) }
                        <button type="button" class={classes!("cut", (!cut).then_some("danger"))} data-link={id.to_string()}
                                onclick={move |_| on_cut.emit((id, !cut))}>
                            { if cut { tr(lang, Text::RepairLink) } else { tr(lang, Text::CutLink) } }
                        </button>
                    </fieldset>
                }
            }) }
            if props.edits > 0 {
                <p class="edits">
                    { changes_made(lang, props.edits) }
                    { " " }
                    <button type="button" class="ghost" onclick={let c = props.on_clear.clone(); move |_| c.emit(())}>
                        { tr(lang, Text::UndoChanges) }
                    </button>
                </p>
            }
        </div>
    }
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    offer(name, mime, js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text)))
}

/// Offers `bytes` as a file download.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    offer(name, mime, js_sys::Array::of1(&js_sys::Uint8Array::from(bytes)))
}

fn offer(name: &str, mime: &str, parts: js_sys::Array) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Which socket ids exist, for the selection list.
pub fn socket_choices(world: &crate::net::World) -> Vec<(SocketId, String)> {
    world
        .hosts()
        .flat_map(|(h, host)| {
            world.sockets_on(h).into_iter().map(move |v| {
                (
                    v.id,
                    format!(
                        "{} fd {} {}",
                        host.name,
                        v.fd.map_or("–".into(), |f| f.to_string()),
                        v.state.map_or(v.protocol.to_string().to_ascii_uppercase(), |s| s.name().to_string())
                    ),
                )
            })
        })
        .collect()
}
