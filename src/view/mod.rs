//! What a trace means and where it goes on a diagram, plain Rust.

pub mod endpoints;
pub mod explain;
pub mod packets;
pub mod related;
pub mod sequence;
pub mod topology;
pub mod words;
