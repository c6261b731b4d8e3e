//! Browser tests: the page's components in headless Chromium (wasm-bindgen-test).
//!
//! Run by `make test` as
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver
//!  cargo test --target wasm32-unknown-unknown --tests`.
#![cfg(target_arch = "wasm32")]

use socklab::ui::{app::LANG_KEY, show_panic_banner, App, PANIC_BANNER_ID};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Lets Yew's scheduler render.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Lets the page render until `done` holds, for at most two seconds: a fixed
/// wait of one render failed under load (CI with other work on the machine).
async fn settle_until(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        settle().await;
    }
    done()
}

async fn mount_app() -> web_sys::Element {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item(LANG_KEY, "en").unwrap();
    // A fresh start: no shared state left in the address bar by an earlier test.
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)).unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn the_app_draws_both_hosts_from_the_core() {
    let root = mount_app().await;
    let hosts = root.query_selector_all("svg [data-host]").unwrap();
    assert_eq!(hosts.length(), 2);
    let text = root.text_content().unwrap();
    for expected in ["socklab", "client", "server", "10.0.0.2", "10.0.0.1", "10 ms", "Sequence diagram"] {
        assert!(text.contains(expected), "{expected:?} missing from {text:?}");
    }
}

fn click(root: &web_sys::Element, selector: &str) {
    let el: web_sys::HtmlElement =
        root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).dyn_into().unwrap();
    el.click();
}

#[wasm_bindgen_test]
async fn stepping_shows_the_syn_in_flight_and_back_removes_it() {
    let root = mount_app().await;
    let position = || root.query_selector("#position").unwrap().unwrap().get_attribute("data-pos").unwrap();
    assert_eq!(position(), "0");
    for _ in 0..6 {
        click(&root, "#step-forward");
        settle().await;
    }
    assert_eq!(position(), "6");
    let flying = root.query_selector(".topology .pkt.flying").unwrap().expect("a packet in flight");
    assert!(flying.get_attribute("data-label").unwrap().starts_with("SYN seq="));
    click(&root, "#step-back");
    let no_packet = || root.query_selector(".topology .pkt").unwrap().is_none();
    assert!(
        settle_until(|| position() == "5" && no_packet()).await,
        "at {}, a packet drawn: {}",
        position(),
        !no_packet()
    );
}

#[wasm_bindgen_test]
async fn the_language_switch_shows_korean_and_remembers_it() {
    let root = mount_app().await;
    let korean: web_sys::HtmlElement =
        root.query_selector("button[lang=ko]").unwrap().expect("a 한국어 button").dyn_into().unwrap();
    korean.click();
    settle().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("시퀀스 다이어그램"), "no Korean in {text:?}");
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(storage.get_item(LANG_KEY).unwrap().as_deref(), Some("ko"));
    storage.set_item(LANG_KEY, "en").unwrap();
}

#[wasm_bindgen_test]
fn a_panic_banner_offers_a_reset() {
    show_panic_banner("boom at src/ui/test.rs:1");
    let banner = document().get_element_by_id(PANIC_BANNER_ID).expect("banner");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(banner.text_content().unwrap().contains("boom"));
    let reset = banner.query_selector("button").unwrap().expect("reset button");
    assert_eq!(reset.get_attribute("onclick").as_deref(), Some("location.reload()"));
    banner.remove();
}

/// The browser build simulates exactly what the native build does: the reference
/// run's trace digest equals the one recorded natively (tests/determinism.rs).
#[wasm_bindgen_test]
fn the_wasm_trace_matches_the_native_trace() {
    let digest = format!("{:016x}", socklab::bench::reference_digest());
    assert_eq!(digest, include_str!("reference_digest.txt").trim());
}
