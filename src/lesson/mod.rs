//! The page's model of a lesson, plain Rust (no web), so `cargo test` runs it:
//!
//! - [`library`] — the lessons; [`scripts`] — `scenarios/*.sock` built in, and a
//!   script run turned into the commands the page replays.
//! - [`timeline`] — a lesson run into ticks, snapshots, exact time travel.
//! - [`edit`] — the learner's changes, anchored where they were made.
//! - [`branch`] — what-if branches of a lesson, one compared with the original at a time.
//! - [`session`] — the page's one state ([`session::AppState`]), every change to it
//!   ([`session::Action`]), loading in slices by a clock the caller gives.
//! - [`script_pane`] — where each script line stands at a step, and which lines are drawn.
//! - [`notice`] — what the page tells the learner, in either language.
//! - [`quiz`] — predict, then see: questions drawn from the next step, answers, scores.
//! - [`share`] — the state in the URL fragment (property tested and fuzzed).
//!
//! It reads the core (`net`), scripts and [`crate::view`]'s vocabulary (packet
//! numbering, picks); it knows nothing of Yew.

pub mod branch;
pub mod edit;
pub mod library;
pub mod notice;
pub mod quiz;
pub mod script_pane;
pub mod scripts;
pub mod session;
pub mod share;
pub mod timeline;
