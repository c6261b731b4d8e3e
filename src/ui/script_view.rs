//! The script beside the diagrams: each line with what it did, the line that
//! matches the current moment marked; and the sandbox editor with errors at their line.

use std::rc::Rc;

use yew::prelude::*;

use crate::lang::{Bilingual, Lang};
use crate::lesson::edit::Edit;
use crate::lesson::script_pane::{
    change_before, describe_edit, line_outcome, line_stage, shown_lines, LineStage, MAX_LINES_SHOWN,
};
use crate::lesson::scripts::CallAt;
use crate::lesson::session::current_line;
use crate::script::shown::{excerpt, shown_up_to, MAX_LINE_CHARS};
use crate::script::RunReport;
use crate::view::related::Linked;
use crate::view::words::{line_number, tr, Text};

#[derive(Properties)]
pub struct ScriptLinesProps {
    pub lang: Lang,
    pub report: Rc<RunReport>,
    /// Where each line's call is in the report's trace.
    pub calls: Rc<Vec<CallAt>>,
    /// The learner's edits, in the order the run applied them.
    pub edits: Vec<Edit>,
    /// The report's trace index of the timeline's first event.
    pub setup_len: usize,
    pub now: u64,
    /// Timeline trace events shown so far.
    pub end: usize,
    /// What the learner picked and its partners: the lines that made them are marked.
    #[prop_or_default]
    pub linked: Rc<Linked>,
}

impl PartialEq for ScriptLinesProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.report, &o.report)
            && (self.lang, self.now, self.end, self.setup_len) == (o.lang, o.now, o.end, o.setup_len)
            && Rc::ptr_eq(&self.calls, &o.calls)
            && self.edits == o.edits
            && Rc::ptr_eq(&self.linked, &o.linked)
    }
}

/// Scrolls the script's box, in the next frame (after the lines are laid out),
/// only as far as it takes for the current line to be in view; the page itself
/// does not move.
fn keep_current_in_view(lines: NodeRef) {
    use wasm_bindgen::JsCast;
    let scroll = wasm_bindgen::closure::Closure::once_into_js(move || {
        let Some(list) = lines.cast::<web_sys::HtmlElement>() else { return };
        let Some(line) = list.query_selector(".sline.current").ok().flatten() else { return };
        let Ok(line) = line.dyn_into::<web_sys::HtmlElement>() else { return };
        // Offsets are from the list (position: relative): a line's place in it.
        let (top, bottom) = (line.offset_top(), line.offset_top() + line.offset_height());
        let (view_top, view_h) = (list.scroll_top(), list.client_height());
        let air = line.offset_height();
        if top < view_top {
            list.set_scroll_top((top - air).max(0));
        } else if bottom > view_top + view_h {
            list.set_scroll_top(bottom - view_h + air);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(scroll.unchecked_ref());
    }
}

#[function_component]
pub fn ScriptLines(props: &ScriptLinesProps) -> Html {
    let report = &props.report;
    // The report's trace index of the current step.
    let end = props.end + props.setup_len;
    let current = current_line(report, end);
    let shown = shown_lines(report.lines.len(), current.unwrap_or(0), MAX_LINES_SHOWN);
    let hidden = |n: usize| html! { <li class="sline more" aria-hidden="true"><span class="ln">{ "⋮" }</span><span>{ n }</span></li> };
    // The current line stays in the box as the lesson steps (on a phone, lines
    // wrap and the box showed the lines before it, the current one just below).
    let lines = use_node_ref();
    {
        let lines = lines.clone();
        use_effect_with((current, props.lang, Rc::as_ptr(report) as usize), move |_| keep_current_in_view(lines));
    }
    // One component per line: a step changes the marks of a line or two, and a
    // line whose props are equal is not rendered again.
    html! {
        <ol class="script-lines" ref={lines} tabindex="0" aria-label={tr(props.lang, Text::ScriptTitle)}>
            if shown.start > 0 { { hidden(shown.start) } }
            { for report.lines.iter().enumerate().skip(shown.start).take(shown.len()).map(|(i, l)| {
                let stage = line_stage(report, &props.calls, i, end, props.now);
                // The diagrams' trace starts after the set-up lines' events.
                let linked = l.trace_end > l.trace_start.max(props.setup_len)
                    && props.linked.has_any(l.trace_start.saturating_sub(props.setup_len), l.trace_end - 1 - props.setup_len);
                let change = (!l.ok && stage == LineStage::Done)
                    .then(|| change_before(report, &props.edits, l.trace_end))
                    .flatten()
                    .map(|(edit, time)| (describe_edit(&edit, props.lang), time));
                html! { <ScriptLine key={i} report={report.clone()} index={i} current={current == Some(i)} {stage} {linked}
                                    {change} lang={props.lang} /> }
            }) }
            if shown.end < report.lines.len() { { hidden(report.lines.len() - shown.end) } }
            // The failures, once the run has reached them.
            // (Lines are in file order, one per statement: a failure's line is found by bisection.)
            { for report.failures.iter().filter(|f| {
                let i = report.lines.partition_point(|l| l.line < f.line);
                report.lines.get(i).is_some_and(|l| l.line == f.line)
                    && line_stage(report, &props.calls, i, end, props.now) == LineStage::Done
            }).map(|f| {
                let class = if props.edits.is_empty() { "failed" } else { "changed" };
                // In the page's language (the notice above it already was).
                let said = format!("{}: {}", line_number(props.lang, f.line), f.say(props.lang));
                html! { <li class={classes!("sline", "failure", class)}><code>{ said }</code></li> }
            }) }
        </ol>
    }
}

#[derive(Properties)]
struct ScriptLineProps {
    report: Rc<RunReport>,
    /// Index into `report.lines`.
    index: usize,
    current: bool,
    stage: LineStage,
    linked: bool,
    /// For a line whose expectation no longer holds: the learner's change it
    /// follows from, in words, and when it was made (µs).
    change: Option<(String, u64)>,
    lang: Lang,
}

impl PartialEq for ScriptLineProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.report, &o.report)
            && (self.index, self.current, self.stage, self.linked, self.lang)
                == (o.index, o.current, o.stage, o.linked, o.lang)
            && self.change == o.change
    }
}

#[function_component]
fn ScriptLine(props: &ScriptLineProps) -> Html {
    let Some(l) = props.report.lines.get(props.index) else { return html! {} };
    let lang = props.lang;
    let outcome = line_outcome(&props.report, props.index, props.stage, lang);
    let done = props.stage == LineStage::Done;
    // A line that no longer holds because of the learner's change is an
    // outcome of the experiment, not an error.
    let verdict = match (&props.change, done && !l.ok) {
        (Some(_), true) => Some("changed"),
        (None, true) => Some("failed"),
        _ => None,
    };
    let because = props.change.as_ref().filter(|_| done && !l.ok).map(|(what, time)| match lang {
        Lang::En => format!("— after your change at {:.3} s: {what}", *time as f64 / 1e6),
        Lang::Ko => format!("— {:.3}초에 바꾼 조건 때문: {what}", *time as f64 / 1e6),
    });
    html! {
        <li class={classes!("sline", props.current.then_some("current"), verdict,
                            done.then_some("done"), (props.stage == LineStage::Blocked).then_some("blocked"),
                            props.linked.then_some("linked"))}
            data-line={l.line.to_string()}>
            <span class="ln">{ l.line }</span>
            // The line as written, but nothing in it the page would obey (a bidi
            // override in a string would reorder how the code reads).
            <code class="src">{ shown_up_to(&l.source, MAX_LINE_CHARS).to_string() }</code>
            <span class="outcome">{ outcome }</span>
            if let Some(because) = because {
                <span class="because">{ because }</span>
            }
        </li>
    }
}

#[derive(Properties)]
pub struct SandboxProps {
    pub lang: Lang,
    pub text: Rc<str>,
    pub error: Option<crate::script::ScriptError>,
    pub on_run: Callback<String>,
}

/// The text by identity first: a generated script is 100 KB, compared on every step.
impl PartialEq for SandboxProps {
    fn eq(&self, o: &Self) -> bool {
        (Rc::ptr_eq(&self.text, &o.text) || self.text == o.text)
            && (self.lang, &self.error, &self.on_run) == (o.lang, &o.error, &o.on_run)
    }
}

/// The script in the editor, by identity: a new script (a run, a shared link, a
/// lesson opened in the sandbox) is a new `Rc`, and only then is the textarea written.
#[derive(Clone)]
struct Script(Rc<str>);

impl PartialEq for Script {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

/// The editor's text is not tied to the page's language: without this, switching
/// language restyles the textarea (its locale, and `:lang(ko)`'s line breaking), and
/// the browser lays out and shapes its whole text again, 100 ms and more for a
/// generated script of 240,000 characters. `lang=""` says the language of the code
/// is unknown (assistive tools use their own); the line breaking is pinned to the
/// browser's default for a textarea.
const EDITOR_STYLE: &str = "word-break: normal; overflow-wrap: break-word";

#[function_component]
pub fn SandboxEditor(props: &SandboxProps) -> Html {
    let area = use_node_ref();
    // The textarea is the learner's, not a controlled value: it is written once per
    // script, and only when it does not hold that script already (after Run it does).
    // A controlled value was copied and compared with the textarea's on every render
    // (240 KB each for a generated script), and a render for another reason (a
    // language switch) put the last run script back over the learner's unsaved edits.
    {
        let area = area.clone();
        use_effect_with(Script(props.text.clone()), move |Script(text)| {
            if let Some(t) = area.cast::<web_sys::HtmlTextAreaElement>() {
                if t.value() != **text {
                    t.set_value(text);
                }
            }
        });
    }
    // A long line scrolls in its box: the caret is brought into view, a
    // third of the way across (on a phone it was past the box's right edge).
    let excerpt_box = use_node_ref();
    {
        let excerpt_box = excerpt_box.clone();
        use_effect_with(props.error.clone(), move |_| {
            if let Some(pre) = excerpt_box.cast::<web_sys::HtmlElement>() {
                let caret = pre
                    .query_selector(".caret-pad")
                    .ok()
                    .flatten()
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                    .map_or(0, |pad| pad.offset_left() + pad.offset_width());
                pre.set_scroll_left((caret - pre.client_width() / 3).max(0));
            }
        });
    }
    let on_click = {
        let area = area.clone();
        let on_run = props.on_run.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = area.cast::<web_sys::HtmlTextAreaElement>() {
                on_run.emit(t.value());
            }
        })
    };
    let error = props.error.as_ref().map(|s| {
        // The line around the column, escaped and short, the caret under it:
        // below the same text as before the column, kept unseen, for a count
        // of spaces put it early under wide characters ("안녕").
        let line = props.text.strip_prefix('\u{feff}').unwrap_or(&props.text).lines().nth(s.line.saturating_sub(1));
        let (line, caret) = excerpt(line.unwrap_or(""), s.col);
        let before: String = line.chars().take(caret).collect();
        html! {
            <div class="script-error" role="alert" data-line={s.line.to_string()}>
                <strong>{ format!("{} {}, {} {}: ", tr(props.lang, Text::Line), s.line, tr(props.lang, Text::Column), s.col) }</strong>
                // In the page's language (the message is its English).
                { s.kind.say(props.lang) }
                <pre ref={excerpt_box.clone()}>
                    { format!("{:>4} | {line}\n     | ", s.line) }
                    <span class="caret-pad" aria-hidden="true">{ before }</span>{ "^" }
                </pre>
            </div>
        }
    });
    html! {
        <div class="sandbox">
            <textarea ref={area} class="script-text" spellcheck="false" rows="14" lang="" style={EDITOR_STYLE}
                      aria-label={tr(props.lang, Text::ScriptTitle)} />
            { error.unwrap_or_default() }
            <button type="button" class="primary" id="run-script" onclick={on_click}>{ tr(props.lang, Text::RunScript) }</button>
        </div>
    }
}
