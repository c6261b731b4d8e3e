//! Browser test of the panic safety net as the page sets it up (src/main.rs): the
//! hook, then `yew::Renderer::render`, then a panic in a component's callback.
//!
//! `tests/browser.rs` checks the banner itself by calling `show_panic_banner`; only
//! a real panic after `render` shows whether the hook survived Yew, which replaces a
//! hook installed with `std::panic::set_hook`. A test binary of its own: panics abort
//! on wasm32, and the wasm instance that panicked is not fit to run other tests.
#![cfg(target_arch = "wasm32")]

use socklab::ui::{install_panic_hook, PANIC_BANNER_ID};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const MESSAGE: &str = "a deliberate panic from a click";

/// A component whose button panics, as a bug in a view's callback would.
#[function_component]
fn Boom() -> Html {
    html! { <button type="button" id="boom" onclick={|_: MouseEvent| panic!("{MESSAGE}")}>{ "boom" }</button> }
}

/// Lets Yew's scheduler render.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_panic_in_a_callback_after_render_shows_the_banner() {
    let document = web_sys::window().unwrap().document().unwrap();
    install_panic_hook();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<Boom>::with_root(root.clone()).render();
    settle().await;
    let boom: web_sys::HtmlElement =
        root.query_selector("#boom").unwrap().expect("the boom button").dyn_into().unwrap();
    // The click runs Yew's listener, which panics and traps; the browser reports the
    // trap as an uncaught error of that listener, and `click` returns here. Nothing
    // below awaits: the panicked instance's futures executor is not to be trusted.
    boom.click();
    let banner = document.get_element_by_id(PANIC_BANNER_ID);
    // A failed assert would panic a second time, which aborts without a message: the
    // checks are read first and the test fails through one plain value.
    let found = banner.as_ref().map(|b| (b.get_attribute("role"), b.text_content().unwrap_or_default()));
    let ok = matches!(&found, Some((Some(role), text)) if role == "alert" && text.contains(MESSAGE));
    if !ok {
        web_sys::console::error_1(&format!("no panic banner after a panic in a callback: {found:?}").into());
    }
    assert!(ok);
}
