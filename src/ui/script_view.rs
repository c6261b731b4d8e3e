//! The script beside the diagrams: each line with what it did, the line that
//! matches the current moment marked; and the sandbox editor with errors at their line.

use std::rc::Rc;

use yew::prelude::*;

use super::i18n::{tr, Lang, Text};
use super::lesson::BuildError;
use crate::net::socket::render_result;
use crate::script::{LineDetail, RunReport};

#[derive(Properties)]
pub struct ScriptLinesProps {
    pub lang: Lang,
    pub report: Rc<RunReport>,
    pub now: u64,
    pub end: usize,
}

impl PartialEq for ScriptLinesProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.report, &o.report) && (self.lang, self.now, self.end) == (o.lang, o.now, o.end)
    }
}

/// The index of the line that acted last by trace position `end`.
pub fn current_line(report: &RunReport, end: usize) -> Option<usize> {
    report.lines.iter().rposition(|l| l.trace_start < end && l.trace_end > l.trace_start)
}

#[function_component]
pub fn ScriptLines(props: &ScriptLinesProps) -> Html {
    let report = &props.report;
    let current = current_line(report, props.end);
    html! {
        <ol class="script-lines" aria-label={tr(props.lang, Text::ScriptTitle)}>
            { for report.lines.iter().enumerate().map(|(i, l)| {
                let done = l.trace_start < props.end || l.time < props.now || (l.trace_start == l.trace_end && l.time <= props.now);
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
                    <li class={classes!("sline", (current == Some(i)).then_some("current"), (!l.ok).then_some("failed"),
                                        done.then_some("done"))}
                        data-line={l.line.to_string()}>
                        <span class="ln">{ l.line }</span>
                        <code class="src">{ &l.source }</code>
                        <span class="outcome">{ outcome }</span>
                    </li>
                }
            }) }
            { for report.failures.iter().map(|f| html! { <li class="sline failed"><code>{ f.render("script") }</code></li> }) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
pub struct SandboxProps {
    pub lang: Lang,
    pub text: Rc<str>,
    pub error: Option<BuildError>,
    pub on_run: Callback<String>,
}

#[function_component]
pub fn SandboxEditor(props: &SandboxProps) -> Html {
    let area = use_node_ref();
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
            let line = props.text.lines().nth(s.line.saturating_sub(1)).unwrap_or("").to_string();
            html! {
                <div class="script-error" role="alert" data-line={s.line.to_string()}>
                    <strong>{ format!("{} {}, {} {}: ", tr(props.lang, Text::Line), s.line, tr(props.lang, Text::Column), s.col) }</strong>
                    { &s.message }
                    <pre>{ format!("{:>4} | {line}\n     | {}^", s.line, " ".repeat(s.col.saturating_sub(1))) }</pre>
                </div>
            }
        }
        BuildError::World(w) => html! { <div class="script-error" role="alert">{ w }</div> },
    });
    html! {
        <div class="sandbox">
            <textarea ref={area} class="script-text" spellcheck="false" rows="14"
                      aria-label={tr(props.lang, Text::ScriptTitle)} value={props.text.to_string()} />
            { error.unwrap_or_default() }
            <button type="button" class="primary" id="run-script" onclick={on_click}>{ tr(props.lang, Text::RunScript) }</button>
        </div>
    }
}
