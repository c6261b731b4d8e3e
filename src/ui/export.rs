//! The lesson as real code, from the page: the lesson on screen, or the
//! sandbox's script, downloaded as a Python, C or Rust program that makes the
//! same socket calls on real sockets ([`crate::export`]).

use super::panels::download;
use crate::export::{for_download, Language};
use crate::lang::Lang;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub lang: Lang,
    /// The lesson's id, the program's file name.
    pub id: AttrValue,
    /// The lesson's script as written.
    pub text: AttrValue,
}

/// One button per language; a script that cannot be exported says why.
#[function_component(ExportCode)]
pub fn export_code(props: &ExportProps) -> Html {
    let lang = props.lang;
    let problem = use_state(|| None::<String>);
    let button = |language: Language| {
        let (id, text, problem) = (props.id.clone(), props.text.clone(), problem.clone());
        let onclick = Callback::from(move |_: MouseEvent| match for_download(&id, &text, language) {
            Ok((name, program)) => {
                problem.set(None);
                let _ = download(&name, "text/plain", &program);
            }
            Err(why) => problem.set(Some(why)),
        });
        let label =
            lang.pick((format!("Download as {}", language.label()), format!("{} 코드로 내려받기", language.label())));
        html! {
            <button type="button" data-export={language.name()} {onclick}>{ label }</button>
        }
    };
    html! {
        <section class="card export-card">
            <h2>{ lang.pick(("The lesson as real code", "실제 코드로 보는 레슨")) }</h2>
            <p class="caption">
                { lang.pick((
                    "A short program that makes this lesson's socket calls on real sockets and checks what the \
                     lesson expects. Its first lines say how to run it.",
                    "이 레슨의 소켓 호출을 실제 소켓으로 하고, 레슨이 기대하는 결과를 확인하는 짧은 프로그램입니다. \
                     실행 방법은 프로그램 첫 줄에 있습니다.",
                )) }
            </p>
            <div class="downloads">
                { for Language::ALL.into_iter().map(button) }
            </div>
            if let Some(why) = &*problem {
                <p class="caption export-problem" role="status">
                    { lang.pick(("Cannot export: ", "내보낼 수 없습니다: ")) }{ why }
                </p>
            }
        </section>
    }
}
