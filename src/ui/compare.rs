//! What-if branches on the page: the card that makes, picks and deletes them,
//! and the original and the compared branch side by side (two sequence
//! diagrams on one time axis, what differs marked Δ, the "what changed" list).
//! The model is [`crate::lesson::branch`] and [`crate::view::compare`]; these
//! components only draw it and dispatch.

use std::rc::Rc;

use yew::prelude::*;

use super::panels::download_bytes;
use super::sequence::{Sequence, Together};
use super::Shared;
use crate::lang::{Bilingual, Lang};
use crate::lesson::branch::Compared;
use crate::lesson::session::{Action, AppState};
use crate::script::time::format_time;
use crate::view::compare::{in_flight_heading, Tally, Word};
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::words::{tr, Text};

/// How long the page's "delay" holds a segment back, µs: longer than the
/// lessons' round trips, shorter than a retransmission timeout of 1 s.
pub const DELAY_US: u64 = 300_000;

fn say(lang: Lang, w: Word) -> String {
    w.say(lang)
}

/// The two sides' names: a lesson's own (told side by side), else the
/// original and the branch by its number.
pub fn side_names(lang: Lang, sides: Option<(String, String)>, number: usize) -> (String, String) {
    sides.unwrap_or_else(|| (say(lang, Word::Original), say(lang, Word::BranchSide(number))))
}

#[derive(Properties, PartialEq)]
pub struct BranchesProps {
    pub lang: Lang,
    pub branches: Vec<BranchItem>,
    /// The name of the lesson's companion run, for a lesson told side by side.
    pub companion: Option<String>,
    pub compared: Option<usize>,
    /// A branch can be made now (the lesson is computed).
    pub can_branch: bool,
    pub dispatcher: UseReducerDispatcher<AppState>,
    /// Each branch's trace as a capture, made when asked for.
    pub pcaps: Shared<Vec<Rc<crate::lesson::timeline::Timeline>>>,
    pub lesson: String,
}

/// The branches card: make one here, compare one, delete one, download its capture.
#[function_component]
pub fn Branches(props: &BranchesProps) -> Html {
    let lang = props.lang;
    let d = |a: Action| {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(a.clone()))
    };
    html! {
        <section class="card branches-card" aria-label={say(lang, Word::BranchesTitle)}>
            <h2>{ say(lang, Word::BranchesTitle) }</h2>
            <p class="caption">{ say(lang, Word::BranchesCaption) }</p>
            <div class="downloads">
                <button type="button" id="new-branch" class="primary" onclick={d(Action::NewBranch)}
                        disabled={!props.can_branch}>{ "↳ " }{ say(lang, Word::NewBranch) }</button>
                if props.compared.is_some() {
                    <button type="button" id="stop-comparing" onclick={d(Action::CompareBranch(None))}>
                        { say(lang, Word::StopComparing) }
                    </button>
                }
            </div>
            if !props.branches.is_empty() {
                <ul class="branch-list">
                    { for props.branches.iter().enumerate().map(|(k, &(from, changes, console, companion))| {
                        let on = props.compared == Some(k);
                        let pcap = {
                            let timeline = props.pcaps.0.get(k).cloned();
                            let name = format!("socklab-{}-branch-{}.pcap", props.lesson, k + 1);
                            Callback::from(move |_: MouseEvent| {
                                if let Some(bytes) = timeline.as_ref().and_then(|t| crate::pcap::from_trace(&t.trace).ok()) {
                                    let _ = download_bytes(&name, "application/vnd.tcpdump.pcap", &bytes);
                                }
                            })
                        };
                        html! {
                            <li class={classes!("branch", on.then_some("on"))} data-branch={k.to_string()}>
                                <span class="branch-name">
                                    { if on { "▸ " } else { "" } }
                                    { props.companion.clone().filter(|_| companion).unwrap_or_else(|| {
                                        say(lang, Word::BranchLabel { number: k + 1, from, changes, console })
                                    }) }
                                    if on { <em>{ format!(" ({})", say(lang, Word::Comparing)) }</em> }
                                </span>
                                <span class="branch-actions">
                                    <button type="button" class="chip" aria-pressed={on.to_string()}
                                            onclick={d(Action::CompareBranch(Some(k)))}>{ say(lang, Word::Compare) }</button>
                                    <button type="button" class="chip" onclick={pcap}
                                            aria-label={format!("{} {}", say(lang, Word::BranchSide(k + 1)), say(lang, Word::BranchPcap))}>
                                        { "⤓ " }{ say(lang, Word::BranchPcap) }
                                    </button>
                                    <button type="button" class="chip ghost" onclick={d(Action::DeleteBranch(k))}
                                            aria-label={format!("{} {}", say(lang, Word::Delete), say(lang, Word::BranchSide(k + 1)))}>
                                        { "✕ " }{ say(lang, Word::Delete) }
                                    </button>
                                </span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub lang: Lang,
    pub numbering: Numbering,
    pub compare: Shared<Compared>,
    /// The original's packets and where it stands.
    pub packets: Rc<Vec<PacketInfo>>,
    pub first: usize,
    pub end: usize,
    pub now: u64,
    /// The compared branch's own session.
    pub branch: Shared<AppState>,
    pub number: usize,
    /// For a lesson told side by side: the two sides' names (left, right).
    pub sides: Option<(String, String)>,
    /// Where the original stands, in words (" · 9 / 21 · t = 30 ms").
    pub at: String,
    pub dispatcher: UseReducerDispatcher<AppState>,
}

/// The original and the compared branch side by side, and what changed.
#[function_component]
pub fn CompareView(props: &CompareProps) -> Html {
    let lang = props.lang;
    let c = &props.compare.0;
    let b = &props.branch.0;
    let std::ops::Range { start: b_first, end: b_end } = b.timeline.step_span(b.pos);
    let sentences = c.comparison.sentences(lang);
    let dispatcher = props.dispatcher.clone();
    let on_packet = use_callback(dispatcher.clone(), |id: u64, d| d.dispatch(Action::SelectPacket(Some(id))));
    // The page's inspector and picks are the original's: the branch's diagram is read, not picked.
    let on_event = use_callback((), |_: (usize, Option<crate::net::SocketId>), _| ());
    let on_branch_packet = use_callback((), |_: u64, _| ());
    // A packet the learner dropped is on its way still, but offers nothing more.
    let doomed = b.views.doomed.until(b_end);
    let in_flight: Vec<(u64, String)> = b
        .world
        .in_flight()
        .iter()
        .filter_map(|(p, _, _)| {
            let info = b.views.packets.iter().find(|i| i.id == p.id.0)?;
            Some((p.id.0, format!("#{} {}", p.id.0, info.label(props.lang, props.numbering))))
        })
        .collect();
    let act = |a: Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(a.clone()))
    };
    let branch_now = b.world.now();
    let together = Some(Together::of(&[(&c.original_layout, props.end), (&c.branch_layout, b_end)]));
    html! {
        <section class="card compare-card" id="compare" aria-label={say(lang, Word::CompareTitle)}>
            // A lesson told side by side is titled by its two sides, not as a branch.
            <h2>{ props.sides.as_ref().map_or_else(|| say(lang, Word::CompareTitle), |(left, right)| format!("{left} ↔ {right}")) }</h2>
            <p class="caption">{ say(lang, Word::CompareCaption { marked: c.comparison.marked }) }</p>
            <div class="compare-body">
                <div class="compare-grid">
                    <div class="compare-side" data-side="original">
                        <h3>
                            { props.sides.as_ref().map_or_else(|| say(lang, Word::Original), |(left, _)| left.clone()) }
                            <span class="muted side-at">{ props.at.clone() }</span>
                        </h3>
                        <Sequence layout={c.original_layout.clone()} packets={props.packets.clone()} first={props.first}
                                  end={props.end} now={props.now} {lang} numbering={props.numbering}
                                  selected_packet={None::<u64>} on_packet={on_packet.clone()} on_event={on_event.clone()}
                                  differs={c.original_marks.clone()} {together} />
                    </div>
                    <div class="compare-side" data-side="branch">
                        <h3>
                            { props.sides.as_ref().map_or_else(|| format!("↳ {}", say(lang, Word::BranchSide(props.number))), |(_, right)| right.clone()) }
                            <span class="muted side-at" id="branch-at">
                                { format!(" · {} / {} · t = {}", b.pos, b.timeline.len(), format_time(branch_now)) }
                            </span>
                        </h3>
                        <Sequence layout={c.branch_layout.clone()} packets={b.views.packets.clone()} first={b_first}
                                  end={b_end} now={branch_now} {lang} numbering={props.numbering}
                                  selected_packet={None::<u64>} on_packet={on_branch_packet} on_event={on_event}
                                  differs={c.branch_marks.clone()} {together} />
                    </div>
                </div>
                <div class="compare-side-panel">
                    <Tallies {lang} tallies={c.comparison.tallies.clone()} sides={props.sides.clone()} number={props.number} />
                    <div class="compare-changes">
                        // Two different scripts differ packet by packet; their counts tell the story.
                        if props.sides.is_some() {
                        } else if sentences.is_empty() {
                            <h3>{ say(lang, Word::WhatChanged) }</h3>
                            <p class="muted" id="what-changed-empty">{ say(lang, Word::NoDifference) }</p>
                        } else {
                            <h3>{ say(lang, Word::WhatChanged) }</h3>
                            <ul id="what-changed" class="what-changed">
                                { for sentences.iter().map(|l| html! { <li>{ "Δ " }{ l }</li> }) }
                            </ul>
                        }
                        <h3>{ in_flight_heading(lang, props.sides.as_ref().map(|(_, right)| right.as_str())) }</h3>
                        if in_flight.is_empty() {
                            <p class="muted">{ say(lang, Word::NothingInFlight) }</p>
                        } else {
                            <ul class="branch-flight">
                                { for in_flight.iter().map(|(id, label)| html! {
                                    <li data-packet={id.to_string()}>
                                        <span class="mono">{ label }</span>
                                        if doomed.contains(id) {
                                            <span class="muted doomed">{ tr(lang, Text::Doomed) }</span>
                                        } else {
                                        <span class="branch-actions">
                                            <button type="button" class="chip" onclick={act(Action::DropPacket(*id))}>
                                                { "✂ " }{ say(lang, Word::Drop) }
                                            </button>
                                            <button type="button" class="chip" onclick={act(Action::DelayPacket { packet: *id, by: DELAY_US })}>
                                                { "» " }{ say(lang, Word::Delay) }
                                            </button>
                                            <button type="button" class="chip" onclick={act(Action::DuplicatePacket(*id))}>
                                                { "×2 " }{ say(lang, Word::Duplicate) }
                                            </button>
                                        </span>
                                        }
                                    </li>
                                }) }
                            </ul>
                        }
                    </div>
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TalliesProps {
    lang: Lang,
    tallies: (Tally, Tally),
    sides: Option<(String, String)>,
    number: usize,
}

/// The two runs' costs, counted, side by side (a table a screen reader walks).
#[function_component]
fn Tallies(props: &TalliesProps) -> Html {
    let lang = props.lang;
    let (a, b) = &props.tallies;
    let (left, right) = side_names(lang, props.sides.clone(), props.number);
    let count = |n: usize| n.to_string();
    let time = |t: Option<u64>| t.map_or_else(|| "–".to_string(), format_time);
    let ratio = |r: Option<f64>| r.map_or_else(|| "–".to_string(), |r| format!("{r:.1}"));
    let rows: [(Word, String, String); 8] = [
        (Word::TallyPackets, count(a.packets), count(b.packets)),
        (Word::TallyWireBytes, count(a.wire_bytes), count(b.wire_bytes)),
        (Word::TallyHandshakes, count(a.handshakes), count(b.handshakes)),
        (Word::TallyRetransmissions, count(a.retransmissions), count(b.retransmissions)),
        (Word::TallyLost, count(a.lost), count(b.lost)),
        (Word::TallyDelivered, count(a.delivered), count(b.delivered)),
        (Word::TallyOverhead, ratio(a.overhead()), ratio(b.overhead())),
        (Word::TallyLastArrival, time(a.last_delivery), time(b.last_delivery)),
    ];
    html! {
        <table class="tally" id="tally">
            <caption>{ say(lang, Word::TallyTitle) }</caption>
            <thead>
                <tr><th scope="col"></th><th scope="col">{ left }</th><th scope="col">{ right }</th></tr>
            </thead>
            <tbody>
                { for rows.iter().map(|(word, x, y)| html! {
                    <tr class={classes!((x != y).then_some("differs"))}>
                        <th scope="row">{ say(lang, *word) }</th>
                        <td>{ x }</td>
                        <td>{ if x != y { format!("{y} Δ") } else { y.clone() } }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// A branch as the branches card shows it: (where it was made, its changes, its
/// typed calls, whether it is the lesson's companion run).
pub type BranchItem = (usize, usize, usize, bool);

/// The branches card's summary of `state`'s branches.
pub fn branch_items(state: &AppState) -> Vec<BranchItem> {
    state.branches.iter().map(|b| (b.from, b.run.edits.len(), b.lines.len(), b.companion)).collect()
}

/// Each branch's timeline, for its capture.
pub fn branch_timelines(state: &AppState) -> Shared<Vec<Rc<crate::lesson::timeline::Timeline>>> {
    Shared(Rc::new(state.branches.iter().map(|b| b.run.timeline.clone()).collect()))
}

/// What of the branches the shared link carries changed: the compared one and
/// its position, and each branch's changes and typed calls.
pub fn branches_key(state: &AppState) -> (Option<usize>, Option<usize>, Vec<BranchItem>) {
    (state.compared, state.compared_branch().map(|b| b.run.pos), branch_items(state))
}
