//! socklab: a socket laboratory.
//!
//! Crate map (see `../shared/DESIGN.md`):
//! - [`net`] — the pure, deterministic core: the simulated world of hosts, links and
//!   TCP/UDP sockets. No I/O, no web dependencies.
//! - [`wire`] — packets to real IPv4 + TCP/UDP/ICMP bytes and back (etherparse).
//! - [`share`] — the page's state in a URL fragment (plain Rust, fuzzed natively).
//! - [`endpoints`], [`links`] — what a trace means for the page: which socket each
//!   event is about, and which calls, packets and state changes belong together.
//! - `ui` — the Yew page (wasm32 only).
//!
//! Dependencies point one way: `net` knows nothing of its drivers or views.

pub mod bench;
pub mod endpoints;
pub mod lang;
pub mod links;
#[cfg(feature = "native")]
pub mod native;
pub mod net;
pub mod pcap;
pub mod script;
pub mod share;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod ui;
