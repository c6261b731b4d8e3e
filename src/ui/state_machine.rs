//! The TCP state diagram of RFC 9293 (figure 5): eleven states, the selected
//! socket's current one highlighted, its last transition drawn bold.

use yew::prelude::*;

use crate::lang::Lang;
use crate::net::tcp::state::TcpState;
use crate::net::tcp::state::TcpState::*;
use crate::view::words::{tr, Text};

const W: f64 = 520.0;
const H: f64 = 470.0;
const BW: f64 = 118.0;
const BH: f64 = 30.0;

/// Where each state sits.
pub fn position(s: TcpState) -> (f64, f64) {
    match s {
        Closed => (260.0, 28.0),
        Listen => (260.0, 100.0),
        SynReceived => (92.0, 172.0),
        SynSent => (428.0, 172.0),
        Established => (260.0, 244.0),
        FinWait1 => (92.0, 316.0),
        CloseWait => (428.0, 316.0),
        Closing => (260.0, 360.0),
        FinWait2 => (92.0, 388.0),
        LastAck => (428.0, 388.0),
        TimeWait => (260.0, 440.0),
    }
}

/// The diagram's arrows: from, to, what causes it / what is sent, and a bend.
pub const EDGES: [(TcpState, TcpState, &str, f64); 17] = [
    (Closed, Listen, "listen", 0.0),
    (Closed, SynSent, "connect / SYN", 0.0),
    (Listen, SynReceived, "SYN / SYN-ACK", 0.0),
    (Listen, SynSent, "send / SYN", 0.0),
    (SynSent, SynReceived, "SYN / SYN-ACK", 0.0),
    (SynReceived, Established, "ACK", 0.0),
    (SynSent, Established, "SYN-ACK / ACK", 0.0),
    (SynReceived, FinWait1, "close / FIN", 0.0),
    (Established, FinWait1, "close / FIN", 0.0),
    (Established, CloseWait, "FIN / ACK", 0.0),
    (FinWait1, FinWait2, "ACK", 0.0),
    (FinWait1, Closing, "FIN / ACK", 0.0),
    (Closing, TimeWait, "ACK", 0.0),
    (FinWait2, TimeWait, "FIN / ACK", 0.0),
    (CloseWait, LastAck, "close / FIN", 0.0),
    (LastAck, Closed, "ACK", -150.0),
    (TimeWait, Closed, "2 MSL timeout", 150.0),
];

/// The endpoint of the line from `a` toward `b` on `a`'s box edge.
fn clip(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if dx == 0.0 && dy == 0.0 {
        return a;
    }
    let tx = if dx != 0.0 { (BW / 2.0 + 3.0) / dx.abs() } else { f64::INFINITY };
    let ty = if dy != 0.0 { (BH / 2.0 + 3.0) / dy.abs() } else { f64::INFINITY };
    let t = tx.min(ty);
    (a.0 + dx * t, a.1 + dy * t)
}

/// Where along a straight edge its label sits, so labels clear the boxes.
fn label_at(from: TcpState, to: TcpState) -> f64 {
    match (from, to) {
        (Closed, SynSent) => 0.62,
        (Listen, SynSent) => 0.45,
        _ => 0.5,
    }
}

/// An edge's path and where its label (`label`, as drawn) is centred.
fn path(from: TcpState, to: TcpState, bend: f64, label: &str) -> (String, (f64, f64)) {
    let (a, b) = (position(from), position(to));
    if bend == 0.0 {
        let (p, q) = (clip(a, b), clip(b, a));
        let t = label_at(from, to);
        (format!("M {:.1} {:.1} L {:.1} {:.1}", p.0, p.1, q.0, q.1), (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t))
    } else {
        // Around the side: out of `from` sideways, into `to` sideways.
        let side = if bend > 0.0 { -1.0 } else { 1.0 };
        let p = (a.0 + side * BW / 2.0, a.1);
        let q = (b.0 + side * BW / 2.0, b.1);
        let cx = if side < 0.0 { 14.0 } else { W - 14.0 };
        // The label sits outside the curve, high on it, where no state is
        // beside it: at mid-height the left one ("2 MSL timeout") sat on
        // FIN-WAIT-1 and the right one ("ACK") under SYN-SENT, each read as
        // that state's arrow.
        let t = 0.78;
        let u = 1.0 - t;
        let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        let at = (w0 * p.0 + (w1 + w2) * cx + w3 * q.0, w0 * p.1 + w1 * p.1 + w2 * q.1 + w3 * q.1);
        // 11 px text: about 6.2 px a Latin letter, 11 a Hangul syllable.
        let half = label.chars().map(|c| if c.is_ascii() { 6.2 } else { 11.0 }).sum::<f64>() / 2.0;
        (
            format!("M {:.1} {:.1} C {cx:.1} {:.1}, {cx:.1} {:.1}, {:.1} {:.1}", p.0, p.1, p.1, q.1, q.0, q.1),
            (at.0 + side * (8.0 + half), at.1 + 4.0),
        )
    }
}

#[derive(Properties, PartialEq)]
pub struct StateMachineProps {
    pub lang: Lang,
    /// The selected socket's state, and a caption for it (`client fd 3`).
    pub current: Option<TcpState>,
    pub caption: String,
    /// The socket's last transition, if any.
    pub last: Option<(TcpState, TcpState)>,
    /// Its transitions linked to what the learner picked (a call, a packet).
    #[prop_or_default]
    pub linked: Vec<(TcpState, TcpState)>,
    /// The selected socket is a UDP socket, which has no states: the
    /// figure, TCP's, is shown faded under a note that says so.
    #[prop_or_default]
    pub udp: bool,
    /// Side by side: each run's name and the same socket's state in it
    /// (original, then the compared run), marked ● and ○.
    #[prop_or_default]
    pub sides: Option<[(String, Option<TcpState>); 2]>,
}

#[function_component]
pub fn StateMachine(props: &StateMachineProps) -> Html {
    let last = props.last;
    let is_last = |f: TcpState, t: TcpState| last == Some((f, t));
    let off_diagram = |&(f, t): &(TcpState, TcpState)| !EDGES.iter().any(|(a, b, _, _)| *a == f && *b == t);
    let extra = last.filter(off_diagram);
    // Linked transitions the figure has no arrow for (SYN-SENT → CLOSED on a RST).
    let linked_extra: Vec<(TcpState, TcpState)> =
        props.linked.iter().copied().filter(|e| off_diagram(e) && Some(*e) != extra).collect();
    // The figure in words: whose socket, its state (the caption), and its last change.
    let label = match last {
        Some((f, t)) => {
            format!("{}: {}, {} → {}", tr(props.lang, Text::StateMachineLabel), props.caption, f.name(), t.name())
        }
        None => format!("{}: {}", tr(props.lang, Text::StateMachineLabel), props.caption),
    };
    // Side by side, the other run's state is marked too (○, dashed).
    let other = props.sides.as_ref().and_then(|[_, (_, state)]| *state);
    let mark = |s: Option<TcpState>| s.map_or("–", |s| s.name());
    html! {
        <div class="fsm-wrap">
            <p class="caption">{ &props.caption }</p>
            if let Some([(left, here), (right, there)]) = &props.sides {
                <p class="fsm-sides">
                    <span class="side-here">{ format!("● {left}: {}", mark(*here)) }</span>
                    <span class="side-there">{ format!("○ {right}: {}", mark(*there)) }</span>
                </p>
            }
            if props.udp {
                <p class="fsm-udp-note">{ tr(props.lang, Text::UdpHasNoStates) }</p>
            }
            <svg class={classes!("fsm", props.udp.then_some("faded"))} viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label}>
                <defs>
                    <marker id="fsm-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6"
                            orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                    <marker id="fsm-head-hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5"
                            orient="auto-start-reverse">
                        <path class="hot" d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                { for EDGES.iter().map(|&(f, t, label, bend)| {
                    // Calls and flags read the same in both languages; the timeout does not.
                    let label = if t == Closed && f == TimeWait { tr(props.lang, Text::TwoMslTimeout) } else { label };
                    let (d, (mx, my)) = path(f, t, bend, label);
                    let hot = is_last(f, t);
                    let linked = props.linked.contains(&(f, t));
                    html! {
                        <g class={classes!("edge", hot.then_some("hot"), linked.then_some("linked"))}
                           data-from={f.name()} data-to={t.name()}>
                            <path d={d} marker-end={if hot { "url(#fsm-head-hot)" } else { "url(#fsm-head)" }} />
                            <text x={mx.to_string()} y={(my - 3.0).to_string()} text-anchor="middle">{ label }</text>
                        </g>
                    }
                }) }
                { for linked_extra.iter().map(|&(f, t)| html! {
                    <g class="edge linked extra" data-from={f.name()} data-to={t.name()}>
                        <path d={path(f, t, 0.0, "").0} marker-end="url(#fsm-head)" />
                    </g>
                }) }
                if let Some((f, t)) = extra {
                    <g class={classes!("edge", "hot", "extra", props.linked.contains(&(f, t)).then_some("linked"))}
                       data-from={f.name()} data-to={t.name()}>
                        <path d={path(f, t, 0.0, "").0} marker-end="url(#fsm-head-hot)" />
                    </g>
                }
                { for TcpState::ALL.iter().map(|&s| {
                    let (x, y) = position(s);
                    let on = props.current == Some(s);
                    let there = other == Some(s);
                    html! {
                        <g class={classes!("fsm-state", on.then_some("current"), there.then_some("other-run"))}
                           data-state={s.name()}>
                            if there {
                                <rect class="other-ring" x={(x - BW / 2.0 - 4.0).to_string()} y={(y - BH / 2.0 - 4.0).to_string()}
                                      width={(BW + 8.0).to_string()} height={(BH + 8.0).to_string()} rx="19" />
                            }
                            <rect x={(x - BW / 2.0).to_string()} y={(y - BH / 2.0).to_string()}
                                  width={BW.to_string()} height={BH.to_string()} rx="15" />
                            <text x={x.to_string()} y={(y + 5.0).to_string()} text-anchor="middle">
                                { if on { format!("● {}", s.name()) } else { s.name().to_string() } }
                            </text>
                        </g>
                    }
                }) }
            </svg>
        </div>
    }
}
