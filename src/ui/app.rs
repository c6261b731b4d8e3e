//! The page: one reducer ([`crate::lesson::session::AppState`]) owns the state; the views
//! below render it and dispatch [`Action`]s.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::console::Console;
use super::events::EventTable;
use super::inspector::Inspector;
use super::panels::{download, download_bytes, socket_choices, BreakIt, Buffers, LinkKnobs};
use super::quiz::QuizPanel;
use super::script_view::{SandboxEditor, ScriptLines};
use super::sequence::Sequence;
use super::state_machine::StateMachine;
use super::topology::Topology;
use crate::lang::Lang;
use crate::lesson::library::SANDBOX;
use crate::lesson::quiz::{self, Scores};
use crate::lesson::session::{Action, AppState};
use crate::lesson::share;
use crate::net::link::LinkSettings;
use crate::net::tcp::state::TcpState;
use crate::net::{SocketView, TraceKind};
use crate::script::time::format_time;
use crate::view::announce::{announce, Context};
use crate::view::explain::explain;
use crate::view::packets::{counts, Numbering};
use crate::view::topology::one_way_note;
use crate::view::words::{tr, Text};

/// Where the language choice is remembered.
pub const LANG_KEY: &str = "socklab.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered language, else the browser's, else English.
pub fn initial_lang() -> Lang {
    let stored = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    Lang::choose(stored.as_deref(), browser.as_deref())
}

/// Remembers a language the learner chose.
fn remember_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
}

/// Tells the document its language.
fn apply_lang(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
}

fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Writes the state into the address bar without adding a history entry.
fn write_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else { return };
    if current_fragment().trim_start_matches('#') == fragment {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// A sandbox script longer than this (bytes) makes the fragment costly to write.
const LONG_FRAGMENT_SCRIPT: usize = 8 * 1024;
/// How long the state must rest before a costly fragment is written.
const FRAGMENT_DELAY_MS: i32 = 200;

/// Side by side, the tag of the original run (this page's session); the
/// compared run's is "branch". Each side's panels carry it as `data-side`.
const ORIGINAL: &str = "original";

/// Runs `f` once after `ms` milliseconds; the returned function cancels it (an
/// effect's destructor), so only the last of quick successive changes runs.
fn after_ms(ms: i32, f: impl FnOnce() + 'static) -> impl FnOnce() {
    let window = web_sys::window();
    let callback = Closure::once(f);
    let handle = window.as_ref().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms).ok()
    });
    move || {
        if let (Some(w), Some(h)) = (&window, handle) {
            w.clear_timeout_with_handle(h);
        }
        drop(callback);
    }
}

/// The initial state: the shared link in the address bar, if any, else the first lesson.
fn initial_state() -> AppState {
    let lang = initial_lang();
    let restored = Reducible::reduce(Rc::new(AppState::new(lang)), Action::Restore(share::decode(&current_fragment())));
    let mut state = Rc::try_unwrap(restored).unwrap_or_else(|rc| rc.copy());
    let stored = storage().and_then(|s| s.get_item(quiz::STORAGE_KEY).ok().flatten());
    state.quiz.scores = Scores::decode(stored.as_deref().unwrap_or(""));
    state
}

/// A callback that dispatches `f(value)`, the same one on every render.
#[hook]
fn use_dispatch<T: 'static>(dispatcher: &UseReducerDispatcher<AppState>, f: fn(T) -> Action) -> Callback<T> {
    use_callback(dispatcher.clone(), move |value: T, d| d.dispatch(f(value)))
}

/// Pages handle these keys unless the focus is in a text field.
fn key_action(key: &str) -> Option<Action> {
    match key {
        "ArrowRight" => Some(Action::Forward),
        "ArrowLeft" => Some(Action::Back),
        " " | "Spacebar" => Some(Action::TogglePlay),
        "Home" => Some(Action::Start),
        "End" => Some(Action::End),
        _ => None,
    }
}

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(initial_state);
    let lang = state.lang;
    use_effect_with(lang, |lang| apply_lang(*lang));
    // The address bar and the share box follow the state. A sandbox fragment
    // carries the whole script: for a long one, writing it on every step (history,
    // a long input value to shape) cost more than the step itself, so it waits
    // until the state rests.
    let share_box = use_node_ref();
    {
        let key = (Rc::as_ptr(&state.lesson) as usize, state.seed, state.pos, state.edits.clone(), state.quiz.on);
        // What-if branches are in the link too.
        let key = (key, super::compare::branches_key(&state));
        let long = state.lesson.is_sandbox() && state.lesson.text().len() > LONG_FRAGMENT_SCRIPT;
        let state = state.clone();
        let share_box = share_box.clone();
        use_effect_with(key, move |_| {
            let show = move || {
                let fragment = state.fragment();
                write_fragment(&fragment);
                if let Some(input) = share_box.cast::<web_sys::HtmlInputElement>() {
                    input.set_value(&format!("#{fragment}"));
                }
            };
            let cancel = if long {
                Some(after_ms(FRAGMENT_DELAY_MS, show))
            } else {
                show();
                None
            };
            move || cancel.into_iter().for_each(|c| c())
        });
    }
    // Callbacks that only dispatch are made once, not per render: a view whose
    // other props are unchanged then skips its render (with 200 links, the
    // break-it sliders cost more than the step itself).
    let dispatcher = state.dispatcher();
    let on_link = use_dispatch(&dispatcher, |(link, settings)| Action::SetLink { link, settings });
    let on_cut = use_dispatch(&dispatcher, |(link, cut)| Action::CutLink { link, cut });
    let on_clear = use_dispatch(&dispatcher, |()| Action::ClearEdits);
    let on_run = use_dispatch(&dispatcher, Action::RunSandbox);
    let on_pick = use_dispatch(&dispatcher, Action::SelectSocket);
    let on_drop = use_dispatch(&dispatcher, Action::DropPacket);
    let on_close = use_dispatch(&dispatcher, |()| Action::SelectPacket(None));
    let on_call = use_dispatch(&dispatcher, |(host, line)| Action::ConsoleCall { host, line });
    let on_quiz = use_dispatch(&dispatcher, Action::Quiz);
    let on_skip = use_dispatch(&dispatcher, |()| Action::Forward);
    // Every lesson's quiz score is kept in the browser as the model writes it.
    use_effect_with(state.quiz.scores.clone(), |scores| {
        if let Some(s) = storage() {
            let _ = s.set_item(quiz::STORAGE_KEY, &scores.encode());
        }
    });
    // A long lesson is computed a slice per task: the browser handles input and
    // draws frames in between.
    {
        let key = state.pending_work();
        let dispatcher = state.dispatcher();
        use_effect_with(key, move |key| {
            let cancel = key.is_some().then(|| after_ms(0, move || dispatcher.dispatch(Action::LoadMore)));
            move || cancel.into_iter().for_each(|c| c())
        });
    }
    // Keyboard: → ← space Home End, anywhere but in a text field.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| {
                        let tag = el.tag_name().to_ascii_lowercase();
                        let kind = el.get_attribute("type").unwrap_or_default();
                        tag == "textarea" || tag == "select" || (tag == "input" && kind != "range")
                    })
                    .unwrap_or(false);
                let on_button = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.tag_name().eq_ignore_ascii_case("button"));
                if typing || (on_button && e.key() == " ") {
                    return;
                }
                if let Some(a) = key_action(&e.key()) {
                    e.prevent_default();
                    dispatcher.dispatch(a);
                }
            });
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(d) = &document {
                    let _ = d.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    // A link pasted into the address bar of the open page, or an edited
    // fragment, changes only the hash: the page follows it as it follows a
    // link opened anew. (The page writes its own fragment with
    // history.replaceState, which fires no hashchange.) It stayed on the old
    // lesson while the address and the share box said another.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let window = web_sys::window();
            let listener = Closure::<dyn Fn()>::new(move || {
                dispatcher.dispatch(Action::Restore(share::decode(&current_fragment())));
            });
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    // Play: one step every 700 ms while playing.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((state.playing, state.speed_ms), move |&(playing, speed)| {
            let window = web_sys::window();
            let mut handle = None;
            let tick = Closure::<dyn Fn()>::new(move || dispatcher.dispatch(Action::PlayTick));
            if playing {
                if let Some(w) = &window {
                    handle = w
                        .set_interval_with_callback_and_timeout_and_arguments_0(
                            tick.as_ref().unchecked_ref(),
                            speed as i32,
                        )
                        .ok();
                }
            }
            move || {
                if let (Some(w), Some(h)) = (&window, handle) {
                    w.clear_interval_with_handle(h);
                }
                drop(tick);
            }
        });
    }

    let timeline = state.timeline.clone();
    // Read off the timeline once, when it was installed (see `Views`).
    let all_packets = state.views.packets.clone();
    let seq = state.views.sequence.clone();
    let trace_rc = state.views.trace.clone();
    let pos = state.pos;
    let std::ops::Range { start: first, end } = timeline.step_span(pos);
    let now = state.world.now();
    // What the learner picked and its partners, highlighted in every view.
    let linked = state.linked.clone();
    // The selected socket's linked transitions by now: they change only when a
    // linked event comes into view, not on every step.
    let linked_transitions: Rc<Vec<(TcpState, TcpState)>> = {
        let (timeline, linked) = (timeline.clone(), linked.clone());
        let key = (Rc::as_ptr(&timeline) as usize, state.picked, state.selected_socket, linked.count_until(end));
        use_memo(key, move |&(_, _, socket, _)| {
            socket.map(|s| linked.transitions(&timeline.trace[..end], s)).unwrap_or_default()
        })
    };
    // The packets the learner doomed by now: the trace is read once per timeline,
    // and the list is made again only when a drop comes into view (the same `Rc`
    // meanwhile, so the network's props compare by identity).
    let doomed: Rc<Vec<u64>> = {
        let id = Rc::as_ptr(&timeline) as usize;
        let all = state.views.doomed.clone();
        use_memo((id, all.count_until(end)), move |_| all.until(end))
    };
    let d = |a: Action| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(a.clone()))
    };
    let on_packet = use_dispatch(&dispatcher, |id: u64| Action::SelectPacket(Some(id)));
    // The same callback for one timeline: the diagram's notes then skip their renders.
    let on_event = {
        let timeline = timeline.clone();
        let dispatcher = dispatcher.clone();
        use_memo(Rc::as_ptr(&timeline) as usize, move |_| {
            Callback::from(move |(event, socket)| {
                dispatcher.dispatch(Action::PickEvent { event, pos: timeline.position_of_event(event), socket })
            })
        })
    };
    let on_socket = {
        let state = state.clone();
        Callback::from(move |id| state.dispatch(Action::SelectSocket(Some(id))))
    };
    let on_lang = {
        let state = state.clone();
        Callback::from(move |l| {
            remember_lang(l);
            state.dispatch(Action::SetLang(l))
        })
    };
    let on_lesson = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                state.dispatch(Action::SelectLesson(sel.value()));
            }
        })
    };
    let on_seek = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Ok(p) = input.value().parse::<usize>() {
                    state.dispatch(Action::Seek(p));
                }
            }
        })
    };
    let on_speed = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(ms) = sel.value().parse::<u32>() {
                    state.dispatch(Action::SetSpeed(ms));
                }
            }
        })
    };
    let on_numbering = {
        let state = state.clone();
        let next = match state.numbering {
            Numbering::Relative => Numbering::Absolute,
            Numbering::Absolute => Numbering::Relative,
        };
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SetNumbering(next)))
    };
    let numbering = state.numbering;
    let (sent, delivered, lost) = counts(&all_packets, end);
    let explanation = explain(lang, timeline.events_of(pos), &state.world, &all_packets, numbering);
    // Side by side, each run's step said under its name; a side with nothing
    // at this time says so (the card followed the left run only, and kept its
    // last lines while only the right one moved).
    // A lesson told side by side names its two sides; a branch has none.
    let companion_sides = state
        .compared_branch()
        .filter(|b| b.companion)
        .and_then(|_| state.lesson.companion.as_ref())
        .map(|c| (c.side(0, lang).to_string(), c.side(1, lang).to_string()));
    let joint = state.joint_step();
    // Side by side: each run under its name, the original (this state) and the
    // compared one, with whether it moved in the joint step just taken.
    let sides: Option<[(&'static str, String, bool, &AppState); 2]> = state
        .joint_moved()
        .zip(state.compared.zip(state.compared_branch()))
        .map(|((left_moved, right_moved), (k, b))| {
            let (left, right) = super::compare::side_names(lang, companion_sides.clone(), k + 1);
            [(ORIGINAL, left, left_moved, &*state), ("branch", right, right_moved, &*b.run)]
        });
    let sides_explained = sides.as_ref().map(|sides| {
        sides.clone().map(|(side, name, moved, run)| {
            let lines = match (moved, side == ORIGINAL) {
                (false, _) => Vec::new(),
                (true, true) => explanation.clone(),
                (true, false) => {
                    explain(lang, run.timeline.events_of(run.pos), &run.world, &run.views.packets, numbering)
                }
            };
            (side, name, lines)
        })
    });
    // The live region's sentence: the step just taken, or where the lesson stands;
    // side by side, each run that moved, under its name (it read the original's
    // step alone, so a step that moved only the other run was silent).
    // Silent while playing: a step every 175 ms would queue sentences faster than
    // they can be spoken; pausing says the step it stopped at.
    let announcement = if state.playing {
        String::new()
    } else if joint.map_or(pos == 0, |(j, _)| j == 0) {
        tr(lang, Text::AtStart).to_string()
    } else if let Some(sides) = &sides {
        let said: Vec<String> = sides
            .iter()
            .filter(|(.., moved, _)| *moved)
            .map(|(_, name, _, run)| format!("{name}: {}", announce_step(lang, numbering, run)))
            .collect();
        said.join(" ")
    } else {
        announce_step(lang, numbering, &state)
    };
    let question = state.question().map(Rc::new);
    let reveal = state.quiz.revealed(pos).map(|answered| {
        quiz::reveal(
            lang,
            answered,
            timeline.trace_until(pos),
            timeline.events_of(pos),
            &state.world,
            &all_packets,
            numbering,
        )
    });

    // The selected socket, its last transition, the selected packet.
    let view = state.selected_socket.filter(|s| state.world.socket(*s).is_some()).map(|s| state.world.socket_view(s));
    let host_name = view.as_ref().map_or(String::new(), |v| state.world.host_name(v.host).to_string());
    let last_transition = state.selected_socket.and_then(|sock| {
        timeline.trace_until(pos).iter().rev().find_map(|e| match e.kind {
            TraceKind::State { socket, from, to, .. } if socket == sock => Some((from, to)),
            _ => None,
        })
    });
    // Side by side: the selected socket in each run (its counterpart in the
    // compared one), for the state machine and the buffers alike.
    let side_sockets = sides.as_ref().map(|sides| {
        sides.clone().map(|(side, name, _, run)| {
            let found = if side == ORIGINAL {
                view.clone()
            } else {
                view.as_ref().and_then(|v| counterpart(run, v, &host_name))
            };
            (side, name, found, run)
        })
    });
    let fsm_sides = side_sockets
        .as_ref()
        .filter(|_| view.is_some())
        .map(|sides| sides.clone().map(|(_, name, found, _)| (name, found.and_then(|v| v.state))));
    let fsm_caption = match &view {
        Some(v) => format!(
            "{host_name} · fd {} · {}",
            v.fd.map_or("–".into(), |f| f.to_string()),
            v.state.map_or(v.protocol.to_string().to_ascii_uppercase(), |s| s.name().to_string())
        ),
        None => tr(lang, Text::NoSocketSelected).to_string(),
    };
    let selected =
        state.selected_packet.and_then(|id| all_packets.iter().find(|p| p.id == id && p.index < end)).cloned();
    let in_flight = selected.as_ref().is_some_and(|p| state.world.in_flight().iter().any(|(q, _, _)| q.id.0 == p.id));
    let is_doomed = selected.as_ref().is_some_and(|p| doomed.contains(&p.id));
    let links: Vec<LinkKnobs> = state
        .world
        .links()
        .map(|(id, l)| LinkKnobs {
            id: id.0,
            name: format!("{} ↔ {}", state.world.host_name(l.a), state.world.host_name(l.b)),
            settings: LinkSettings::of(&l.dirs[0].config),
            cut: l.dirs.iter().any(|d| d.partitioned),
            one_way: one_way_note(&state.world, l, lang),
        })
        .collect();
    let on_download = {
        let state = state.clone();
        let name = format!("socklab-{}.json", state.lesson.id);
        Callback::from(move |_: MouseEvent| {
            let _ = download(&name, "application/json", &crate::lesson::branch::export_json(&state));
        })
    };
    let on_pcap = {
        let timeline = timeline.clone();
        let name = format!("socklab-{}.pcap", state.lesson.id);
        Callback::from(move |_: MouseEvent| {
            if let Ok(bytes) = crate::pcap::from_trace(&timeline.trace) {
                let _ = download_bytes(&name, "application/vnd.tcpdump.pcap", &bytes);
            }
        })
    };
    let total = timeline.len();

    html! {
        <div class="shell">
            <Header {lang} {on_lang} />
            { super::panic_trigger() }
            if let Some(n) = &state.notice {
                <div class="notice" role="alert">
                    <strong>{ tr(lang, Text::NoticeTitle) }</strong>{ " " }{ n }
                    <button type="button" class="ghost" onclick={d(Action::DismissNotice)}>{ tr(lang, Text::Close) }</button>
                </div>
            }
            <section class="card lesson" aria-label={tr(lang, Text::Lesson)}>
                <div class="lesson-pick">
                    <label for="lesson-select">{ tr(lang, Text::Lesson) }</label>
                    <select id="lesson-select" onchange={on_lesson}>
                        { for state.library.iter().map(|l| html! {
                            <option value={l.id.clone()} selected={l.id == state.lesson.id}>{ l.title(lang) }</option>
                        }) }
                        <option value={SANDBOX} selected={state.lesson.is_sandbox()}>
                            { crate::lesson::library::Lesson::sandbox("").title(lang).to_string() }
                        </option>
                    </select>
                </div>
                <p class="about">{ state.lesson.about(lang) }</p>
            </section>
            <section class="card controls" aria-label={tr(lang, Text::Controls)}>
                <div class="buttons">
                    <button type="button" onclick={d(Action::Start)} disabled={pos == 0} title="Home"
                            aria-label={tr(lang, Text::ToStart)}>{ "|◀" }</button>
                    <button type="button" id="step-back" onclick={d(Action::Back)} disabled={pos == 0} title="←"
                            aria-label={tr(lang, Text::StepBack)}>{ "◀ " }{ tr(lang, Text::Back) }</button>
                    <button type="button" id="play" class="primary" onclick={d(Action::TogglePlay)} title="space"
                            aria-pressed={state.playing.to_string()}>
                        { if state.playing { format!("❚❚ {}", tr(lang, Text::Pause)) } else { format!("▶ {}", tr(lang, Text::Play)) } }
                    </button>
                    <button type="button" id="step-forward" onclick={d(Action::Forward)} disabled={state.at_end()} title="→"
                            aria-label={tr(lang, Text::StepForward)}>{ tr(lang, Text::Step) }{ " ▶" }</button>
                    <button type="button" onclick={d(Action::End)} disabled={state.at_end()} title="End"
                            aria-label={tr(lang, Text::ToEnd)}>{ "▶|" }</button>
                    <select class="speed" aria-label={tr(lang, Text::Speed)} onchange={on_speed}>
                        { for [(1400u32, "0.5×"), (700, "1×"), (350, "2×"), (175, "4×")].into_iter().map(|(ms, label)| html! {
                            <option value={ms.to_string()} selected={state.speed_ms == ms}>{ label }</option>
                        }) }
                    </select>
                </div>
                <input type="range" class="scrubber" min="0" max={total.to_string()} value={pos.to_string()}
                       aria-label={tr(lang, Text::Scrubber)} oninput={on_seek} />
                <div class="where">
                    <span id="position" data-pos={pos.to_string()} data-total={total.to_string()}
                          data-events={end.to_string()} data-events-total={timeline.trace.len().to_string()}
                          data-loading={state.loading.as_ref().map(|_| "true")}
                          data-joint={joint.map(|(step, _)| step.to_string())}>
                        // Side by side, the steps both runs take together (each
                        // side's own count is above its diagram).
                        { match joint {
                            Some((step, last)) => format!("{} {step} / {last} {}", tr(lang, Text::StepWord), tr(lang, Text::Together)),
                            None => format!("{} {pos} / {total}", tr(lang, Text::StepWord)),
                        } }
                    </span>
                    if let Some((ticks, fraction)) = state.loading.as_ref().map(|l| l.progress()) {
                        <span id="loading" role="status">
                            <progress max="100" value={format!("{:.0}", fraction * 100.0)}></progress>
                            { format!(" ⏳ {ticks} …") }
                        </span>
                    }
                    <span>{ format!("t = {}", format_time(now)) }</span>
                    <span id="counts" data-sent={sent.to_string()} data-delivered={delivered.to_string()}
                          data-lost={lost.to_string()}>
                        { format!("{} {sent} · {} {delivered} · {} {lost}", tr(lang, Text::Sent), tr(lang, Text::Arrived), tr(lang, Text::Lost)) }
                    </span>
                </div>
                <p class="keys">{ tr(lang, Text::Keys) }</p>
                // Read out by screen readers on every step; the explanation below is
                // there to be read at leisure, not spoken over it.
                <p id="announce" class="sr-only" role="status" aria-live="polite" aria-atomic="true">
                    { announcement }
                </p>
            </section>
            <QuizPanel {lang} on={state.quiz.on} {question} {reveal} score={state.quiz.scores.of(&state.lesson.id)}
                       at_end={pos >= total} on_action={on_quiz} {on_skip} />
            if let (Some(c), Some((k, b))) = (&state.compare, state.compared.zip(state.compared_branch())) {
                <super::compare::CompareView {lang} {numbering} compare={super::Shared(c.clone())}
                    packets={all_packets.clone()} {first} {end} {now} branch={super::Shared(b.run.clone())}
                    number={k + 1} dispatcher={dispatcher.clone()}
                    sides={companion_sides.clone()}
                    at={format!(" · {pos} / {} · t = {}", timeline.len(), format_time(now))} />
            }
            <div class="content">
                <main class="views">
                    <section class="card network">
                        <h2>{ tr(lang, Text::NetworkTitle) }</h2>
                        <p class="caption">{ tr(lang, Text::NetworkCaption) }</p>
                        <Topology world={state.world.clone()} packets={all_packets.clone()} {first} {end} {lang} {numbering}
                                  selected_packet={state.selected_packet} selected_socket={state.selected_socket}
                                  doomed={doomed.clone()} linked={linked.clone()} on_packet={on_packet.clone()} {on_socket} />
                    </section>
                    <section class="card sequence-card">
                        <h2>
                            { tr(lang, Text::SequenceTitle) }
                            // seq/ack numbering means nothing to a run without a TCP segment.
                            if all_packets.iter().any(|p| p.isn.is_some()) {
                                <button type="button" class="chip numbering" id="numbering" onclick={on_numbering}
                                        aria-pressed={(numbering == Numbering::Absolute).to_string()}
                                        title={tr(lang, Text::NumberingHint)}>
                                    { tr(lang, if numbering == Numbering::Relative { Text::NumberingRelative } else { Text::NumberingAbsolute }) }
                                </button>
                            }
                        </h2>
                        <Sequence layout={seq.clone()} packets={all_packets.clone()} {first} {end} {now} {lang} {numbering}
                                  selected_packet={state.selected_packet} linked={linked.clone()} on_packet={on_packet.clone()}
                                  on_event={(*on_event).clone()} />
                    </section>
                    <section class="card events-card">
                        <h2>{ tr(lang, Text::EventsTitle) }</h2>
                        <EventTable {lang} timeline={timeline.clone()} world={state.world.clone()}
                                    packets={super::Shared(all_packets.clone())} {pos} {numbering}
                                    selected_packet={state.selected_packet} on_packet={on_packet.clone()} />
                    </section>
                    <section class="card script-card">
                        <h2>{ tr(lang, Text::ScriptTitle) }</h2>
                        if state.lesson.is_sandbox() {
                            <SandboxEditor {lang} text={state.sandbox_text.clone()} error={state.script_error.clone()}
                                           {on_run} />
                        }
                        if state.script_error.is_some() && state.report.is_some() {
                            <p class="stale-run" role="status">{ tr(lang, Text::StaleRun) }</p>
                        }
                        if let Some(report) = &state.report {
                            <ScriptLines {lang} report={report.clone()} calls={state.calls.clone()} edits={state.edits.clone()}
                                         setup_len={state.setup_len} {now} end={end} linked={linked.clone()} />
                        }
                    </section>
                    <div class="pair">
                        <section class="card fsm-card">
                            <h2>{ tr(lang, Text::StateMachineTitle) }</h2>
                            <SocketPicker {lang} choices={socket_choices(&state.world)} selected={state.selected_socket}
                                          {on_pick} />
                            <StateMachine {lang} current={view.as_ref().and_then(|v| v.state)} caption={fsm_caption}
                                          last={last_transition}
                                          linked={(*linked_transitions).clone()}
                                          sides={fsm_sides}
                                          udp={view.as_ref().is_some_and(|v| v.protocol == crate::net::Protocol::Udp)} />
                        </section>
                        <section class="card buffers-card">
                            <h2>{ tr(lang, Text::BuffersTitle) }</h2>
                            if let Some(sides) = &side_sockets {
                                // Side by side, the same socket in each run, under its name.
                                { for sides.iter().map(|(side, name, found, run)| {
                                    let run_end = run.timeline.trace_until(run.pos).len();
                                    let found = found.clone();
                                    let host = found.as_ref().map_or(String::new(), |v| run.world.host_name(v.host).to_string());
                                    let missing = found.is_none() && view.is_some();
                                    html! {
                                        <div class="buffers-side" data-side={*side}>
                                            <h3>{ name.clone() }</h3>
                                            if missing {
                                                <p class="muted no-counterpart">{ tr(lang, Text::NoCounterpart) }</p>
                                            } else {
                                                <Buffers {lang} view={found} {host} trace={run.views.trace.clone()} end={run_end} />
                                            }
                                        </div>
                                    }
                                }) }
                            } else {
                                <Buffers {lang} view={view.clone()} host={host_name.clone()} trace={trace_rc.clone()} {end} />
                            }
                        </section>
                    </div>
                </main>
                <aside class="side">
                    <section class="card explain">
                        <h2>{ tr(lang, Text::WhatHappened) }</h2>
                        if let Some(sides) = sides_explained.filter(|_| joint.is_some_and(|(j, _)| j > 0)) {
                            { for sides.into_iter().map(|(side, name, lines)| html! {
                                <div class="explain-side" data-side={side}>
                                    <h3>{ name }</h3>
                                    if lines.is_empty() {
                                        <p class="muted still">{ tr(lang, Text::SideStill) }</p>
                                    } else {
                                        <ul>{ for lines.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                                    }
                                </div>
                            }) }
                        } else if explanation.is_empty() {
                            <p class="muted">{ tr(lang, Text::AtStart) }</p>
                        } else {
                            <ul>{ for explanation.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                        }
                    </section>
                    <section class="card inspector-card">
                        <h2>{ tr(lang, Text::InspectorTitle) }</h2>
                        <Inspector {lang} {numbering} packet={selected} {in_flight} doomed={is_doomed}
                                   {on_drop} {on_close} />
                    </section>
                    <section class="card console-card">
                        <h2>{ tr(lang, Text::ConsoleTitle) }</h2>
                        <Console {lang} hosts={state.world.hosts().map(|(_, h)| h.name.clone()).collect::<Vec<_>>()}
                                 report={state.report.clone()} typed={state.console_line.clone()}
                                 {on_call} />
                    </section>
                    <section class="card break-card">
                        <h2>{ tr(lang, Text::BreakItTitle) }</h2>
                        <BreakIt {lang} {links} on_change={on_link} edits={state.edits.len()} {on_cut} {on_clear} />
                    </section>
                    <super::compare::Branches {lang} branches={super::compare::branch_items(&state)}
                        companion={state.lesson.companion.as_ref().map(|c| c.side(1, lang).to_string())}
                        compared={state.compared} can_branch={state.loading.is_none()}
                        dispatcher={dispatcher.clone()} pcaps={super::compare::branch_timelines(&state)}
                        lesson={state.lesson.id.clone()} />
                    <section class="card share-card">
                        <h2>{ tr(lang, Text::ShareTitle) }</h2>
                        <p class="caption">{ tr(lang, Text::ShareCaption) }</p>
                        <input class="share-url" type="text" readonly=true aria-label={tr(lang, Text::ShareTitle)}
                               ref={share_box} />
                        <div class="downloads">
                            <button type="button" onclick={on_download}>{ tr(lang, Text::DownloadJson) }</button>
                            <button type="button" onclick={on_pcap}>{ tr(lang, Text::DownloadPcap) }</button>
                        </div>
                    </section>
                    <super::export::ExportCode {lang} id={state.lesson.id.clone()} text={state.lesson.text().to_string()} />
                </aside>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SocketPickerProps {
    lang: Lang,
    choices: Vec<(crate::net::SocketId, String)>,
    selected: Option<crate::net::SocketId>,
    on_pick: Callback<Option<crate::net::SocketId>>,
}

/// The socket in `run` that is `picked` (a socket of the host named `host`
/// in another run): the one with the same protocol and addresses, else the
/// same descriptor. Socket ids need not match across two scripts: by id, the
/// compared run's state machine and buffers showed two different sockets.
fn counterpart(run: &AppState, picked: &SocketView, host: &str) -> Option<SocketView> {
    let sockets = run.world.sockets_on(run.world.host_by_name(host)?);
    let same = |s: &&SocketView| s.protocol == picked.protocol;
    let by_address = sockets.iter().filter(same).find(|s| (s.local, s.remote) == (picked.local, picked.remote));
    by_address.or_else(|| sockets.iter().filter(same).find(|s| s.fd.is_some() && s.fd == picked.fd)).cloned()
}

/// One run's step just taken in one sentence, for the live region.
fn announce_step(lang: Lang, numbering: Numbering, run: &AppState) -> String {
    let host_name = |h| run.world.host_name(h).to_string();
    let link_name = |l, d| crate::view::explain::link_name(&run.world, l, d);
    let cx = Context { lang, packets: &run.views.packets, numbering, host_name: &host_name, link_name: &link_name };
    announce(&cx, run.timeline.trace_until(run.pos), run.timeline.step_span(run.pos))
}

#[function_component]
fn SocketPicker(props: &SocketPickerProps) -> Html {
    let on_pick = props.on_pick.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            on_pick.emit(sel.value().parse::<u32>().ok().map(crate::net::SocketId));
        }
    });
    html! {
        <label class="socket-pick">
            <span>{ tr(props.lang, Text::Socket) }</span>
            <select {onchange}>
                if props.choices.is_empty() { <option value="">{ "–" }</option> }
                { for props.choices.iter().map(|(id, name)| html! {
                    <option value={id.0.to_string()} selected={props.selected == Some(*id)}>{ name }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    lang: Lang,
    on_lang: Callback<Lang>,
}

#[function_component]
fn Header(props: &HeaderProps) -> Html {
    html! {
        <header class="header">
            <div class="brand">
                <h1>{ "socklab" }</h1>
                <p class="tagline">{ tr(props.lang, Text::Tagline) }</p>
            </div>
            <div class="lang-switch" role="group" aria-label={tr(props.lang, Text::LanguageSwitch)}>
                { for Lang::ALL.into_iter().map(|l| {
                    let on_lang = props.on_lang.clone();
                    html! {
                        <button type="button" lang={l.code()} aria-pressed={(l == props.lang).to_string()}
                                class={classes!("lang", (l == props.lang).then_some("active"))}
                                onclick={move |_| on_lang.emit(l)}>
                            { l.native_name() }
                        </button>
                    }
                }) }
            </div>
        </header>
    }
}
