//! The script beside the diagrams: each line with what it did, the line that
//! matches the current moment marked; and the sandbox editor with errors at their line.

use std::rc::Rc;

use yew::prelude::*;

use super::i18n::{tr, Lang, Text};
use super::lesson::BuildError;
use crate::links::Linked;
use crate::net::socket::render_result;
use crate::script::shown::{excerpt, shown_up_to, MAX_LINE_CHARS};
use crate::script::{LineDetail, RunReport};

#[derive(Properties)]
pub struct ScriptLinesProps {
    pub lang: Lang,
    pub report: Rc<RunReport>,
    pub now: u64,
    pub end: usize,
    /// What the learner picked and its partners: the lines that made them are marked.
    #[prop_or_default]
    pub linked: Rc<Linked>,
}

impl PartialEq for ScriptLinesProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.report, &o.report)
            && (self.lang, self.now, self.end) == (o.lang, o.now, o.end)
            && Rc::ptr_eq(&self.linked, &o.linked)
    }
}

/// The index of the line that acted last by trace position `end`.
pub fn current_line(report: &RunReport, end: usize) -> Option<usize> {
    report.lines.iter().rposition(|l| l.trace_start < end && l.trace_end > l.trace_start)
}

/// At most this many script lines are drawn: thousands of lines (a generated
/// script) cost the browser more to lay out and paint than the rest of a step.
/// The list shows about fifteen at once, and the browser repaints every drawn line
/// when the current one moves (240 lines took 3 ms of each such step).
pub const MAX_LINES_SHOWN: usize = 80;

/// The lines to draw of `len`: all when they fit in `max`, else a window of `max`
/// lines around `center`, kept inside `0..len`. The window moves in jumps of a
/// quarter of `max`, not with every line: moving it replaces DOM nodes.
pub fn shown_lines(len: usize, center: usize, max: usize) -> std::ops::Range<usize> {
    if len <= max {
        return 0..len;
    }
    let jump = (max / 4).max(1);
    let start = (center / jump * jump).saturating_sub(max / 2).min(len - max);
    start..start + max
}

#[function_component]
pub fn ScriptLines(props: &ScriptLinesProps) -> Html {
    let report = &props.report;
    let current = current_line(report, props.end);
    let shown = shown_lines(report.lines.len(), current.unwrap_or(0), MAX_LINES_SHOWN);
    let hidden = |n: usize| html! { <li class="sline more" aria-hidden="true"><span class="ln">{ "⋮" }</span><span>{ n }</span></li> };
    // One component per line: a step changes the marks of a line or two, and a
    // line whose props are equal is not rendered again.
    html! {
        <ol class="script-lines" aria-label={tr(props.lang, Text::ScriptTitle)}>
            if shown.start > 0 { { hidden(shown.start) } }
            { for report.lines.iter().enumerate().skip(shown.start).take(shown.len()).map(|(i, l)| {
                let done = l.trace_start < props.end || l.time < props.now || (l.trace_start == l.trace_end && l.time <= props.now);
                let linked = l.trace_end > l.trace_start && props.linked.has_any(l.trace_start, l.trace_end - 1);
                html! { <ScriptLine key={i} report={report.clone()} index={i} current={current == Some(i)} {done} {linked} /> }
            }) }
            if shown.end < report.lines.len() { { hidden(report.lines.len() - shown.end) } }
            { for report.failures.iter().map(|f| html! { <li class="sline failed"><code>{ f.render("script") }</code></li> }) }
        </ol>
    }
}

#[derive(Properties)]
struct ScriptLineProps {
    report: Rc<RunReport>,
    /// Index into `report.lines`.
    index: usize,
    current: bool,
    done: bool,
    linked: bool,
}

impl PartialEq for ScriptLineProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.report, &o.report)
            && (self.index, self.current, self.done, self.linked) == (o.index, o.current, o.done, o.linked)
    }
}

#[function_component]
fn ScriptLine(props: &ScriptLineProps) -> Html {
    let Some(l) = props.report.lines.get(props.index) else { return html! {} };
    let outcome = match &l.detail {
        LineDetail::Call(c) => match &c.result {
            Some(r) => format!("→ {}", render_result(r)),
            None => "…".to_string(),
        },
        LineDetail::Expect { got } if !l.ok => format!("✗ {got}"),
        LineDetail::Expect { .. } => "✓".to_string(),
        _ => String::new(),
    };
    html! {
        <li class={classes!("sline", props.current.then_some("current"), (!l.ok).then_some("failed"),
                            props.done.then_some("done"), props.linked.then_some("linked"))}
            data-line={l.line.to_string()}>
            <span class="ln">{ l.line }</span>
            // The line as written, but nothing in it the page would obey (a bidi
            // override in a string would reorder how the code reads).
            <code class="src">{ shown_up_to(&l.source, MAX_LINE_CHARS).to_string() }</code>
            <span class="outcome">{ outcome }</span>
        </li>
    }
}

#[derive(Properties)]
pub struct SandboxProps {
    pub lang: Lang,
    pub text: Rc<str>,
    pub error: Option<BuildError>,
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
    let on_click = {
        let area = area.clone();
        let on_run = props.on_run.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = area.cast::<web_sys::HtmlTextAreaElement>() {
                on_run.emit(t.value());
            }
        })
    };
    let error = props.error.as_ref().map(|e| match e {
        BuildError::Script(s) => {
            // The line around the column, escaped and short, the caret under it.
            let line = props.text.strip_prefix('\u{feff}').unwrap_or(&props.text).lines().nth(s.line.saturating_sub(1));
            let (line, caret) = excerpt(line.unwrap_or(""), s.col);
            html! {
                <div class="script-error" role="alert" data-line={s.line.to_string()}>
                    <strong>{ format!("{} {}, {} {}: ", tr(props.lang, Text::Line), s.line, tr(props.lang, Text::Column), s.col) }</strong>
                    { &s.message }
                    <pre>{ format!("{:>4} | {line}\n     | {}^", s.line, " ".repeat(caret)) }</pre>
                </div>
            }
        }
        BuildError::World(w) => html! { <div class="script-error" role="alert">{ w }</div> },
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_long_script_shows_a_window_around_the_current_line() {
        assert_eq!(shown_lines(10, 7, 240), 0..10);
        assert_eq!(shown_lines(1000, 500, 240), 360..600);
        // The window stays put for nearby lines, and always holds the centre.
        assert_eq!(shown_lines(1000, 539, 240), 360..600);
        for center in 0..1000 {
            let r = shown_lines(1000, center, 240);
            assert!(r.contains(&center) && r.len() == 240, "{center}: {r:?}");
        }
        assert_eq!(shown_lines(1000, 3, 240), 0..240);
        assert_eq!(shown_lines(1000, 999, 240), 760..1000);
        assert_eq!(shown_lines(1000, usize::MAX, 240), 760..1000);
        assert_eq!(shown_lines(0, 0, 0), 0..0);
    }
}
