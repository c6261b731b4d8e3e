//! The page (wasm32 only): Yew components over the model ([`crate::lesson`]) and
//! what it means ([`crate::view`]); nothing here but drawing and the browser.
//!
//! - [`state`] — the one reducer: Yew's `Reducible` over
//!   [`crate::lesson::session::AppState::reduce`], timed by the browser's clock.
//! - [`app`] — the page; [`compare`] — what-if branches side by side; [`topology`],
//!   [`sequence`], [`state_machine`], [`inspector`], [`panels`], [`script_view`],
//!   [`console`], [`events`], [`quiz`] — the views; [`export`] — the lesson as a
//!   Python, C or Rust program, to download.
//!
//! [`install_panic_hook`] is the safety net: a panic is logged to the console and a
//! banner with a reset button replaces the blank page a dead app would leave;
//! [`panic_trigger`] is the crash button of its end-to-end test, in test builds only.
//! [`Shared`] and [`on_activate`] are small helpers the views share.

pub mod app;
pub mod compare;
pub mod console;
pub mod events;
pub mod export;
pub mod inspector;
pub mod panels;
pub mod quiz;
pub mod script_view;
pub mod sequence;
pub mod state;
pub mod state_machine;
pub mod topology;

pub use app::App;

use std::rc::Rc;

use crate::view::words::{tr, Text};
use yew::prelude::*;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The id of the banner element, for styling and for tests.
pub const PANIC_BANNER_ID: &str = "panic-banner";

/// Logs panics to the browser console and shows [`show_panic_banner`].
///
/// Installed with [`yew::set_custom_panic_hook`], not `std::panic::set_hook`:
/// `yew::Renderer::render` replaces any hook it was not told about with its own
/// console-only one, and the banner never came up (a panic left a dead page).
/// It may run before or after `render`: Yew keeps a hook set this way.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panic_banner(&info.to_string());
    }));
}

/// Puts a visible error banner with a reset button at the top of the page.
///
/// Built with plain DOM calls and an inline `onclick`, so it works even though the
/// wasm instance that panicked can no longer run callbacks. Reset forgets nothing but
/// the broken page: it reloads.
pub fn show_panic_banner(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    if document.get_element_by_id(PANIC_BANNER_ID).is_some() {
        return; // the first panic is the one worth reading
    }
    let lang = app::initial_lang();
    let build = || -> Result<web_sys::Element, wasm_bindgen::JsValue> {
        let banner = document.create_element("div")?;
        banner.set_id(PANIC_BANNER_ID);
        banner.set_attribute("role", "alert")?;
        let title = document.create_element("strong")?;
        title.set_text_content(Some(tr(lang, Text::PanicTitle)));
        let body_text = document.create_element("p")?;
        body_text.set_text_content(Some(tr(lang, Text::PanicBody)));
        let detail = document.create_element("pre")?;
        detail.set_text_content(Some(message));
        let reset = document.create_element("button")?;
        reset.set_attribute("type", "button")?;
        reset.set_attribute("onclick", "location.reload()")?;
        reset.set_text_content(Some(tr(lang, Text::PanicReset)));
        for child in [&title, &body_text, &detail, &reset] {
            banner.append_child(child)?;
        }
        Ok(banner)
    };
    if let Ok(banner) = build() {
        let _ = body.insert_before(&banner, body.first_child().as_ref());
    }
}

/// The crash button of the banner's end-to-end test (e2e/panic.test.mjs). Only the
/// cargo feature `panic-trigger` builds it, into a test build of its own: the shipped
/// page has no way to crash on purpose. Its click panics inside a Yew callback, where
/// a bug in a view would.
#[cfg(feature = "panic-trigger")]
pub fn panic_trigger() -> Html {
    html! {
        <button type="button" id="panic-trigger" class="ghost"
                onclick={|_: MouseEvent| panic!("a deliberate panic from #panic-trigger (feature panic-trigger)")}>
            { "panic!()" }
        </button>
    }
}

/// Nothing: the shipped page has no crash button (see the feature `panic-trigger`).
#[cfg(not(feature = "panic-trigger"))]
pub fn panic_trigger() -> Html {
    Html::default()
}

/// An `Rc` compared by identity, for props. Props that hold the lesson's layout or
/// packets are equal when they hold the same ones: comparing their thousands of
/// elements on every render cost more than drawing the few that changed.
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Enter or space on a focused diagram element (a `role="button"` in an SVG) acts
/// as a click, as it would on a real button.
pub fn on_activate(cb: Callback<()>) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            e.stop_propagation();
            cb.emit(());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn shared_is_equal_by_identity_not_by_value() {
        let a = Shared(Rc::new(vec![1, 2, 3]));
        assert!(a == a.clone());
        assert!(a != Shared(Rc::new(vec![1, 2, 3])));
        assert_eq!(a.len(), 3);
    }
}
