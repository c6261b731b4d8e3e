//! The page's model of a lesson, plain Rust.

pub mod edit;
pub mod library;
pub mod notice;
pub mod scripts;
pub mod session;
pub mod share;
pub mod timeline;
