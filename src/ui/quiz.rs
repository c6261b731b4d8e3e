//! The quiz panel (predict, then see): the question asked before the next step,
//! its choices as buttons, the reveal after the step, the lesson's score. The
//! questions, answers and words are the model's ([`crate::lesson::quiz`]); this
//! only draws them and sends [`QuizAction`]s.

use std::rc::Rc;

use yew::prelude::*;

use crate::lang::{Bilingual, Lang};
use crate::lesson::quiz::{Question, QuizAction, QuizText, Reveal, Score};

#[derive(Properties, PartialEq)]
pub struct QuizPanelProps {
    pub lang: Lang,
    pub on: bool,
    /// The question asked now, about the next step.
    pub question: Option<Rc<Question>>,
    /// The answer this step reveals, when the learner gave one.
    pub reveal: Option<Reveal>,
    pub score: Score,
    pub at_end: bool,
    pub on_action: Callback<QuizAction>,
    /// Step on without answering.
    pub on_skip: Callback<()>,
}

#[function_component]
pub fn QuizPanel(props: &QuizPanelProps) -> Html {
    let lang = props.lang;
    let say = |t: QuizText| t.say(lang);
    let toggle = {
        let (on_action, on) = (props.on_action.clone(), props.on);
        Callback::from(move |_: MouseEvent| on_action.emit(QuizAction::Turn(!on)))
    };
    let reset = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(QuizAction::ResetScore))
    };
    let skip = {
        let on_skip = props.on_skip.clone();
        Callback::from(move |_: MouseEvent| on_skip.emit(()))
    };
    let reveal = props.reveal.as_ref().map(|r| {
        let (mark, class) = if r.right { ("✓", "right") } else { ("✗", "wrong") };
        html! {
            <div id="quiz-reveal" class={classes!("quiz-reveal", class)} role="status">
                <p class="verdict"><span class="mark" aria-hidden="true">{ mark }</span>{ &r.verdict }</p>
                <ul>{ for r.explanation.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
            </div>
        }
    });
    let question = match &props.question {
        Some(q) => {
            let prompt = q.about.say(lang);
            html! {
                <fieldset class="quiz-question">
                    <legend id="quiz-prompt">{ prompt }</legend>
                    <div class="quiz-choices">
                        { for q.choices.iter().enumerate().map(|(i, choice)| {
                            let on_action = props.on_action.clone();
                            html! {
                                <button type="button" class="quiz-choice" data-choice={i.to_string()}
                                        onclick={move |_| on_action.emit(QuizAction::Answer(i))}>
                                    { choice.say(lang) }
                                </button>
                            }
                        }) }
                    </div>
                    <button type="button" id="quiz-skip" class="ghost" onclick={skip}>{ say(QuizText::Skip) }</button>
                </fieldset>
            }
        }
        None => html! {
            <p class="muted quiz-none">{ say(if props.at_end { QuizText::AtEnd } else { QuizText::NoQuestion }) }</p>
        },
    };
    html! {
        <section class="card quiz-card" id="quiz" aria-labelledby="quiz-title">
            <div class="quiz-head">
                <h2 id="quiz-title">{ say(QuizText::Title) }</h2>
                <button type="button" id="quiz-toggle" class={classes!("quiz-toggle", props.on.then_some("active"))}
                        aria-pressed={props.on.to_string()} onclick={toggle}>
                    { format!("{}: {}", say(QuizText::Mode), say(if props.on { QuizText::On } else { QuizText::Off })) }
                </button>
                if props.on {
                    <span id="quiz-score" class="quiz-score">
                        { format!("{}: {}", say(QuizText::Score), props.score.say(lang)) }
                    </span>
                    <button type="button" id="quiz-reset" class="ghost" onclick={reset}>{ say(QuizText::ResetScore) }</button>
                }
            </div>
            if props.on {
                { for reveal }
                { question }
            } else {
                <p class="caption quiz-off">{ say(QuizText::Intro) }</p>
            }
        </section>
    }
}
