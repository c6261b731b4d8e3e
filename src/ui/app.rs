//! The app shell: one reducer owns the UI state; small components render it.

use std::rc::Rc;

use yew::prelude::*;

use super::i18n::{tr, Lang, Text};
use super::topology::{layout, Topology};
use crate::net::{LinkConfig, World, WorldError};

/// Where the language choice is remembered.
pub const LANG_KEY: &str = "socklab.lang";

/// The first world the page shows: a client and a server joined by one link.
pub fn demo_world() -> Result<World, WorldError> {
    let mut world = World::new(1);
    let client = world.add_host("client", &[[10, 0, 0, 2].into()])?;
    let server = world.add_host("server", &[[10, 0, 0, 1].into()])?;
    world.add_link(client, server, LinkConfig::default())?;
    Ok(world)
}

/// Everything the page shows is a function of this.
pub struct AppState {
    pub lang: Lang,
    /// The simulated world, or why it could not be built.
    pub world: Rc<Result<World, String>>,
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        AppState { lang, world: Rc::new(demo_world().map_err(|e| e.to_string())) }
    }
}

pub enum Action {
    SetLang(Lang),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::SetLang(lang) if lang != self.lang => Rc::new(AppState { lang, world: self.world.clone() }),
            Action::SetLang(_) => self,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered language, else the browser's, else English.
pub fn initial_lang() -> Lang {
    let stored = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    Lang::choose(stored.as_deref(), browser.as_deref())
}

/// Remembers the choice and tells the document its language. Failures (private mode,
/// no storage) only mean the choice is not remembered.
fn apply_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
}

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::new(initial_lang()));
    let lang = state.lang;
    use_effect_with(lang, |lang| apply_lang(*lang));
    let on_lang = {
        let state = state.clone();
        Callback::from(move |l| state.dispatch(Action::SetLang(l)))
    };
    html! {
        <div class="shell">
            <Header {lang} {on_lang} />
            <div class="content">
                <main class="card network">
                    <h2>{ tr(lang, Text::NetworkTitle) }</h2>
                    <p class="caption">{ tr(lang, Text::NetworkCaption) }</p>
                    { match &*state.world {
                        Ok(world) => html! { <Topology layout={layout(world)} {lang} /> },
                        Err(e) => html! {
                            <p class="error" role="alert">{ tr(lang, Text::WorldFailed) }{ " " }{ e }</p>
                        },
                    } }
                </main>
                <Ideas {lang} />
            </div>
        </div>
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

#[derive(Properties, PartialEq)]
struct IdeasProps {
    lang: Lang,
}

#[function_component]
fn Ideas(props: &IdeasProps) -> Html {
    let lang = props.lang;
    let path = |steps: &[&'static str]| -> Html {
        html! {
            <ol class="path">
                { for steps.iter().map(|s| html! { <li><code>{ *s }</code></li> }) }
            </ol>
        }
    };
    html! {
        <aside class="card ideas">
            <h2>{ tr(lang, Text::IdeasTitle) }</h2>
            <ul class="idea-list">
                <li>{ tr(lang, Text::IdeaSocket) }</li>
                <li>{ tr(lang, Text::IdeaPort) }</li>
            </ul>
            <h3>{ tr(lang, Text::ServerPath) }</h3>
            { path(&["socket", "bind", "listen", "accept"]) }
            <h3>{ tr(lang, Text::ClientPath) }</h3>
            { path(&["socket", "connect", "send / recv"]) }
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_demo_world_has_a_client_and_a_server() {
        let world = demo_world().expect("demo world");
        let names: Vec<&str> = world.hosts().map(|(_, h)| h.name.as_str()).collect();
        assert_eq!(names, ["client", "server"]);
        assert_eq!(world.links().len(), 1);
    }

    #[wasm_bindgen_test]
    fn switching_language_keeps_the_world() {
        let state = Rc::new(AppState::new(Lang::En));
        let world = state.world.clone();
        let next = state.reduce(Action::SetLang(Lang::Ko));
        assert_eq!(next.lang, Lang::Ko);
        assert!(Rc::ptr_eq(&world, &next.world));
    }
}
