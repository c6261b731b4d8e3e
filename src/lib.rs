//! socklab: a socket laboratory.
//!
//! Crate map (see `../shared/DESIGN.md`):
//! - [`net`] — the pure, deterministic core: the simulated world of hosts, links and
//!   TCP/UDP sockets. No I/O, no web dependencies.
//! - [`wire`] — packets to real IPv4 + TCP/UDP/ICMP bytes and back (etherparse).
//! - [`script`] — the scenario language: lexer, parser, runner, expectations, report.
//! - [`lang`] — the page's language (English or Korean).
//! - [`lesson`] — the page's model of a lesson, plain Rust: lessons and library, the
//!   timeline (snapshots, time travel), edits, the session state and its reduce logic,
//!   loading in slices, notices, the URL codec.
//! - [`view`] — what a trace means and where it goes on a diagram, plain Rust:
//!   endpoints, related events, packet stories, explanations, layouts, the page's words.
//! - [`export`] — the lesson as real code: a script as a runnable Python, C or Rust
//!   program making the same socket calls on real sockets (`socklab export`, the page's download).
//! - `ui` — the Yew page (wasm32 only): components and the one reducer, nothing else.
//!
//! Dependencies point one way: `net` knows nothing of its drivers or views, and
//! nothing below `ui` knows Yew, so `cargo test` sees all of it.

pub mod bench;
pub mod export;
pub mod lang;
pub mod lesson;
#[cfg(feature = "native")]
pub mod native;
pub mod net;
pub mod pcap;
pub mod script;
pub mod view;
pub mod wire;
pub mod wireshark;

#[cfg(target_arch = "wasm32")]
pub mod ui;
