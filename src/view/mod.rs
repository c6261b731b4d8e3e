//! What a trace means and where it goes on a diagram, plain Rust (no web):
//!
//! - [`announce`] — each step in one sentence, for the live region.
//! - [`endpoints`] — which socket each event is about.
//! - [`related`] — which calls, packets and state changes belong together (a pick's
//!   partners), and the packets the learner doomed.
//! - [`packets`] — each packet's story; [`explain`] — what happened, in words.
//! - [`sequence`], [`topology`] — the diagrams' layouts, plain geometry; [`plot`]
//!   the step plots'.
//! - [`words`] — every text of the page in Korean and English.

pub mod announce;
pub mod compare;
pub mod endpoints;
pub mod explain;
pub mod packets;
pub mod plot;
pub mod related;
pub mod sequence;
pub mod topology;
pub mod words;
