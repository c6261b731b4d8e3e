//! The scenario language: a plain-text timeline of hosts, links, socket calls,
//! faults and expectations, in the spirit of packetdrill. See `docs/script.md`.
//!
//! ```
//! let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
//!             server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
//!             client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
//!             expect client > server [S]\nexpect server > client [S.]\nexpect client > server [.]\n";
//! let script = socklab::script::parse(text).unwrap();
//! let report = socklab::script::run(&script, &socklab::script::RunOptions::default());
//! assert!(report.passed(), "{:?}", report.failures);
//! ```
//!
//! - [`parse`] reads text into a [`Script`] (errors carry line and column);
//!   [`decode`] makes a file's bytes that text, or says where they are not UTF-8;
//! - [`run`] executes it in a fresh [`World`](crate::net::World) and returns a
//!   [`RunReport`]: the trace, what each line did, and any failure;
//! - [`Runner`] does the same one statement at a time, for a page that steps, or
//!   a slice of work at a time ([`Runner::run_for`]), for a page that must keep
//!   answering while a long script runs.
//!
//! Nothing here does I/O; the CLI reads files and the page fetches them.

pub mod ast;
pub mod budget;
pub mod error;
pub mod failure;
pub mod lexer;
pub mod limits;
pub mod packets;
pub mod parser;
pub mod render;
pub mod report;
pub mod runner;
pub mod shown;
pub mod time;

pub use ast::{Meta, Script, Statement, StmtKind};
pub use error::{ScriptError, ScriptErrorKind};
pub use failure::{Failure, FailureKind};
pub use parser::{decode, parse};
pub use report::{CallRecord, Intervened, Issued, IssuedKind, LineDetail, LineOutcome, RunReport};
pub use runner::{run, Change, CoreMemMax, Intervention, RunOptions, Runner};
