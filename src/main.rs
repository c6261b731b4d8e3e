//! The web entry point (wasm32): Trunk builds this binary for `index.html`.
//! It installs the panic safety net, then mounts [`socklab::ui::App`] on the page.

#[cfg(target_arch = "wasm32")]
fn main() {
    socklab::ui::install_panic_hook();
    yew::Renderer::<socklab::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("socklab-web is the browser page: build and open it with `make serve`.");
}
