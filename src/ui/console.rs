//! The socket console: make a call on a host, one line at a time. Each line is
//! appended to the script (the lesson's, copied into the sandbox) and run, so the
//! call becomes part of the shareable state like everything else; the console
//! shows what that line did.

use std::rc::Rc;

use yew::prelude::*;

use crate::lang::{errno_meaning, Lang};
use crate::net::syscall::render_result;
use crate::script::{LineDetail, RunReport};
use crate::view::words::{tr, Text};

#[derive(Properties)]
pub struct ConsoleProps {
    pub lang: Lang,
    pub hosts: Vec<String>,
    pub report: Option<Rc<RunReport>>,
    /// The script line the learner's last console call became, and its text.
    pub typed: Option<(usize, String)>,
    /// (host, line) to append and run.
    pub on_call: Callback<(String, String)>,
}

impl PartialEq for ConsoleProps {
    fn eq(&self, o: &Self) -> bool {
        self.lang == o.lang
            && self.hosts == o.hosts
            && match (&self.report, &o.report) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.typed == o.typed
            && self.on_call == o.on_call
    }
}

const EXAMPLES: [&str; 6] = [
    "s = socket(tcp)",
    "bind(s, 10.0.0.1:8080)",
    "listen(s, 5)",
    "connect(s, 10.0.0.1:80)",
    "send(s, \"hi\")",
    "close(s)",
];

/// What the learner's console line (`line`, reading `text`) did in the run:
/// what was called and what came back, explained. `None` before the run that
/// holds it is shown.
pub fn typed_call(report: &RunReport, line: usize, text: &str, lang: Lang) -> Option<String> {
    report.lines.iter().filter(|l| l.line == line && l.source.trim() == text).find_map(|l| match &l.detail {
        LineDetail::Call(c) => {
            let result = c.result.as_ref().map_or("… (blocked)".to_string(), render_result);
            let why = match &c.result {
                Some(Err(e)) => format!(" — {}", lang.pick(errno_meaning(*e))),
                _ => String::new(),
            };
            Some(format!("{}: {} = {result}{why}", c.host, c.rendered))
        }
        LineDetail::NotReached { blocked_line } => Some(match lang {
            Lang::En => format!("{text}: not run — the host is still blocked in the call on line {blocked_line}"),
            Lang::Ko => format!("{text}: 실행되지 않음 — 이 호스트는 아직 {blocked_line}행의 호출에서 멈춰 있습니다"),
        }),
        _ => None,
    })
}

#[function_component]
pub fn Console(props: &ConsoleProps) -> Html {
    let host = use_state(|| props.hosts.first().cloned().unwrap_or_default());
    let input = use_node_ref();
    let lang = props.lang;
    let submit = {
        let host = host.clone();
        let input = input.clone();
        let on_call = props.on_call.clone();
        let first = props.hosts.first().cloned().unwrap_or_default();
        move || {
            let Some(el) = input.cast::<web_sys::HtmlInputElement>() else { return };
            let line = el.value().trim().to_string();
            if line.is_empty() {
                return;
            }
            let h = if host.is_empty() { first.clone() } else { (*host).clone() };
            on_call.emit((h, line));
        }
    };
    let onsubmit = {
        let submit = submit.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            submit();
        })
    };
    let onchange = {
        let host = host.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                host.set(sel.value());
            }
        })
    };
    html! {
        <div class="console">
            <p class="caption">{ tr(lang, Text::ConsoleCaption) }</p>
            <form class="console-row" {onsubmit}>
                <select aria-label={tr(lang, Text::Host)} {onchange}>
                    { for props.hosts.iter().map(|h| html! {
                        <option value={h.clone()} selected={*h == *host}>{ h }</option>
                    }) }
                </select>
                <input ref={input.clone()} type="text" id="console-input" spellcheck="false"
                       placeholder="connect(s, 10.0.0.1:80)" aria-label={tr(lang, Text::ConsoleInput)} />
                <button type="submit" class="primary">{ tr(lang, Text::Call) }</button>
            </form>
            <div class="chips">
                { for EXAMPLES.iter().map(|ex| {
                    let input = input.clone();
                    let text = ex.to_string();
                    html! {
                        <button type="button" class="chip" onclick={move |_| {
                            if let Some(el) = input.cast::<web_sys::HtmlInputElement>() {
                                el.set_value(&text);
                                let _ = el.focus();
                            }
                        }}>{ *ex }</button>
                    }
                }) }
            </div>
            if let Some(out) = props.report.as_ref().zip(props.typed.as_ref()).and_then(|(r, (line, text))| typed_call(r, *line, text, lang)) {
                <p class="console-out" id="console-out"><code>{ out }</code></p>
            }
        </div>
    }
}
