//! What a run produced: what each line did, the calls it made and how the world
//! answered, the trace, and any failure. Plain data, serialisable, for the CLI,
//! the page and the tests to read.

use super::ast::Meta;
use super::failure::Failure;
use crate::net::{CallId, CallResult, Command, HostId, SysCall, TraceEvent, TraceKind};
use serde::Serialize;

/// An intervention as it happened: applied when the trace held `at` events, at
/// simulated time `time`; `applied` is false when the world refused it (a link
/// the lesson lacks).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Intervened {
    /// Index into the interventions the run was given.
    pub index: usize,
    pub at: usize,
    pub time: u64,
    pub applied: bool,
}

/// A command the runner gave the world, and where in the run: when the trace
/// held `at` events, at simulated time `time`. Replayed in order from the same
/// world, these remake the run (the page's timeline does so).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issued {
    pub at: usize,
    pub time: u64,
    pub what: IssuedKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IssuedKind {
    /// A script's call, or a change to a link (a `fault` line, or a `link`
    /// line's settings). Time passing is not a command: the anchors carry it.
    Command { command: Command },
    /// The intervention of this index in those the run was given (see
    /// [`Intervened`]), applied.
    Intervention { index: usize },
}

/// What one statement did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineOutcome {
    /// Index into `Script::statements`.
    pub stmt: usize,
    pub line: usize,
    pub source: String,
    /// Simulated time when the statement acted (after any wait for its host).
    pub time: u64,
    /// The trace events `trace[trace_start..trace_end]` happened while it ran.
    pub trace_start: usize,
    pub trace_end: usize,
    /// False when this line's expectation failed.
    pub ok: bool,
    pub detail: LineDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum LineDetail {
    /// seed, host, link, tcp.
    Setup,
    Call(CallRecord),
    Advance {
        to: u64,
    },
    Run {
        until: u64,
        idle: bool,
    },
    Fault,
    /// An expectation; `got` is what was seen (a packet, a state, a count).
    Expect {
        got: String,
    },
    /// Not run: its host is still blocked in the call on `blocked_line`, which
    /// never returned (a run that goes on after failures; see `keep_going`).
    NotReached {
        blocked_line: usize,
    },
}

/// A socket call as the script made it and as the world answered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallRecord {
    pub host: String,
    pub host_id: HostId,
    /// With the script's names: `connect(c, 10.0.0.1:80)`.
    pub rendered: String,
    /// With descriptor numbers, as the world saw it.
    pub call: SysCall,
    pub call_id: Option<CallId>,
    /// The call had to wait in simulated time.
    pub blocked: bool,
    /// `None` while still pending.
    pub result: Option<CallResult>,
    pub returned_at: Option<u64>,
    /// The `= ...` part, if any.
    pub expected: Option<String>,
}

/// Everything a run produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub seed: u64,
    pub meta: Meta,
    /// Host names, indexed by `HostId`.
    pub hosts: Vec<String>,
    /// Link ends (host names), indexed by `LinkId`.
    pub links: Vec<(String, String)>,
    pub lines: Vec<LineOutcome>,
    pub trace: Vec<TraceEvent>,
    pub failures: Vec<Failure>,
    pub end_time: u64,
    /// Nothing was left to happen when the run ended.
    pub idle: bool,
    /// The commands the run gave the world, in the order it gave them.
    pub commands: Vec<Issued>,
    /// The interventions the run was given, as they happened, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervened: Vec<Intervened>,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Packets that left a host (lost ones included).
    pub fn sent_count(&self) -> usize {
        self.trace.iter().filter(|e| matches!(e.kind, TraceKind::Sent { .. })).count()
    }

    pub fn host_name(&self, id: HostId) -> &str {
        self.hosts.get(id.0 as usize).map_or("?", String::as_str)
    }
}
