//! Runs a [`Script`] in a fresh world: one process thread per host, blocked calls
//! that finish later, expectations checked as the timeline unfolds.
//!
//! Time only moves when a line asks for it: `+200ms`, `run`, a line for a host
//! whose previous call is still blocked, or an `expect` waiting for a packet.

use super::ast::*;
use super::budget::Budget;
use super::failure::{Blocked, Expected, Failure, FailureKind, Got};
use super::limits::*;
use super::packets::{PacketLog, Scan, SentRec, Wanted};
use super::render::render_call;
use super::report::{CallRecord, Intervened, Issued, IssuedKind, LineDetail, LineOutcome, RunReport};
use crate::net::link::{LinkConfig, LinkSettings};
use crate::net::{
    CallId, CallOutcome, CallResult, CallValue, Command, Direction, FaultChange, Fd, HostId, LinkId, PacketId,
    SocketId, SysCall, TraceEvent, TraceKind, World,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// How a run is bounded and seeded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunOptions {
    /// Overrides the script's `seed` line.
    pub seed: Option<u64>,
    /// How long a blocked call may stay pending when a line needs its host.
    pub pending_bound_us: u64,
    /// How long `run` and the end of the script run before giving up on idleness.
    pub idle_bound_us: u64,
    /// Events one run may process.
    pub max_events: u64,
    /// Bytes the run's record may hold (trace, packet records, payloads).
    pub max_record_bytes: u64,
    /// Go on after a failure (to see every failure, or to explore). A host
    /// whose call never returns stays in it, as a program would: its later
    /// lines are not run ([`LineDetail::NotReached`]); the other hosts go on.
    /// Stops only at the event limit.
    pub keep_going: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: None,
            pending_bound_us: 120_000_000,
            idle_bound_us: 600_000_000,
            max_events: MAX_EVENTS,
            max_record_bytes: MAX_RECORD_BYTES,
            keep_going: false,
        }
    }
}

/// A change made to a run from outside its script: what a learner does on the
/// page (change a link, cut it, drop a packet) while a lesson runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Set a link's loss, duplication, reordering and latency, both directions.
    Link { link: LinkId, settings: LinkSettings },
    /// Cut a link (both directions), or repair it.
    Cut { link: LinkId, cut: bool },
    /// Drop one packet, in flight or still to be sent.
    DropPacket(PacketId),
    /// Hold one packet back `by` µs more when it would arrive.
    DelayPacket { packet: PacketId, by: u64 },
    /// Deliver one packet twice.
    DuplicatePacket(PacketId),
}

/// A [`Change`] and where in the run it happens: once the run's trace holds
/// `after_events` events. Runs are deterministic, so the same run reaches the
/// same trace length at the same point, and the change lands exactly where the
/// learner made it; what follows is the script running on from there: blocked
/// calls wait, expectations judge the changed run.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    pub after_events: usize,
    pub change: Change,
}

/// The seed a script runs with when it has no `seed` line.
pub const DEFAULT_SEED: u64 = 1;

/// Runs a script to the end.
pub fn run(script: &Script, options: &RunOptions) -> RunReport {
    Runner::new(script, options.clone()).finish()
}

/// The script a runner reads: borrowed (the CLI, tests), or shared, so that a
/// runner can outlive the caller's borrow (the page keeps one across frames).
#[derive(Clone, Debug)]
enum ScriptRef<'s> {
    Borrowed(&'s Script),
    Shared(Arc<Script>),
}

impl std::ops::Deref for ScriptRef<'_> {
    type Target = Script;

    fn deref(&self) -> &Script {
        match self {
            ScriptRef::Borrowed(s) => s,
            ScriptRef::Shared(s) => s,
        }
    }
}

/// Where a run stands; [`Runner::run_for`] goes on from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Running the script's statements.
    Statements,
    /// After the last statement: letting every pending call finish.
    Pending,
    /// Then running the world until it is idle.
    Idle,
    Done,
}

#[derive(Clone, Debug)]
struct Binding {
    fd: Fd,
    sid: Option<SocketId>,
}

#[derive(Clone, Debug)]
struct Pending {
    host: HostId,
    call: CallId,
    outcome: usize,
    line: usize,
    issued: u64,
    bind: Option<String>,
    expect: Option<ResultExpect>,
    rendered: String,
}

/// A machine's `net.core.rmem_max` and `net.core.wmem_max` (see
/// [`Runner::with_mem_max`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreMemMax {
    pub rmem_max: usize,
    pub wmem_max: usize,
}

/// Executes a script one statement at a time.
pub struct Runner<'s> {
    script: ScriptRef<'s>,
    opts: RunOptions,
    world: World,
    seed: u64,
    next: usize,
    trace: Vec<TraceEvent>,
    scanned: usize,
    hosts: HashMap<String, HostId>,
    host_names: Vec<String>,
    names: HashMap<(HostId, String), Result<Binding, Got>>,
    pending: Vec<Pending>,
    lines: Vec<LineOutcome>,
    /// Every packet sent, and how far the packet expectations got.
    packets: PacketLog,
    failures: Vec<Failure>,
    total_payload: usize,
    events: u64,
    cur_line: usize,
    cur_outcome: Option<usize>,
    /// The event limit was reached: nothing more runs, even with `keep_going`.
    halted: bool,
    stage: Stage,
    /// Units of work (world events and statements) left before the run
    /// pauses, and whether it did.
    budget: Budget,
    /// The outcome (index into `lines`) of the statement a pause interrupted; it
    /// goes on, not starts again, when the run resumes.
    interrupted: Option<usize>,
    /// The deadline of the wait a pause interrupted (computed from the clock when
    /// the wait began, so it must not be computed again on resuming).
    wait_deadline: Option<u64>,
    /// Changes from outside the script still to come, earliest anchor first.
    interventions: Vec<Intervention>,
    intervened: Vec<Intervened>,
    /// The commands given to the world so far, with their anchors.
    commands: Vec<Issued>,
    /// Hosts whose call never returned (with `keep_going`), and its line.
    stuck: HashMap<HostId, usize>,
}

impl<'s> Runner<'s> {
    pub fn new(script: &'s Script, opts: RunOptions) -> Runner<'s> {
        Runner::with_script(ScriptRef::Borrowed(script), opts)
    }

    /// A runner that holds its script, for a caller that runs it a slice at a time
    /// ([`Runner::run_for`]) and cannot keep a borrow alive in between.
    pub fn shared(script: Arc<Script>, opts: RunOptions) -> Runner<'static> {
        Runner::with_script(ScriptRef::Shared(script), opts)
    }

    fn with_script(script: ScriptRef<'s>, opts: RunOptions) -> Runner<'s> {
        let seed = opts.seed.or(script.seed).unwrap_or(DEFAULT_SEED);
        Runner {
            script,
            opts,
            world: World::new(seed),
            seed,
            next: 0,
            trace: Vec::new(),
            scanned: 0,
            hosts: HashMap::new(),
            host_names: Vec::new(),
            names: HashMap::new(),
            pending: Vec::new(),
            lines: Vec::new(),
            packets: PacketLog::default(),
            failures: Vec::new(),
            total_payload: 0,
            events: 0,
            cur_line: 0,
            cur_outcome: None,
            halted: false,
            stage: Stage::Statements,
            budget: Budget::default(),
            interrupted: None,
            wait_deadline: None,
            interventions: Vec::new(),
            intervened: Vec::new(),
            commands: Vec::new(),
            stuck: HashMap::new(),
        }
    }

    /// Gives the run changes from outside its script (see [`Intervention`]),
    /// replacing any given before. Those anchored before the trace as it stands
    /// apply at the next step.
    pub fn set_interventions(&mut self, mut interventions: Vec<Intervention>) {
        // Stable: changes at the same anchor keep the order they were made in.
        interventions.sort_by_key(|i| i.after_events);
        self.interventions = interventions;
        self.intervened.clear();
    }

    /// Applies every intervention whose anchor the trace has reached.
    fn intervene(&mut self) {
        self.absorb();
        while let Some(next) = self.interventions.get(self.intervened.len()) {
            if next.after_events > self.trace.len() {
                break;
            }
            let applied = match &next.change {
                Change::Link { link, settings } => self.world.apply_link_settings(*link, settings).is_ok(),
                Change::Cut { link, cut } => {
                    let change = if *cut { FaultChange::Partition } else { FaultChange::Repair };
                    self.world.change_link(*link, None, change).is_ok()
                }
                Change::DropPacket(packet) => {
                    self.world.drop_packet(*packet);
                    true
                }
                Change::DelayPacket { packet, by } => {
                    self.world.delay_packet(*packet, *by);
                    true
                }
                Change::DuplicatePacket(packet) => {
                    self.world.duplicate_packet(*packet);
                    true
                }
            };
            let (index, at, time) = (self.intervened.len(), self.trace.len(), self.world.now());
            self.intervened.push(Intervened { index, at, time, applied });
            if applied {
                self.commands.push(Issued { at, time, what: IssuedKind::Intervention { index } });
            }
            self.absorb();
        }
    }

    /// Runs with the machine's `net.core.rmem_max` and `wmem_max` in place
    /// of Linux's defaults: `diff --packets` compares the model with a
    /// namespace that cannot set its own (read-only in a child namespace,
    /// copied from the one that made it); they cap SO_RCVBUF and SO_SNDBUF,
    /// and rmem_max chooses the window-scale shift.
    pub fn with_mem_max(mut self, limits: CoreMemMax) -> Runner<'s> {
        let cfg = self.world.tcp_config_mut();
        cfg.rmem_max = limits.rmem_max;
        cfg.wmem_max = limits.wmem_max;
        self
    }

    /// The world as it stands (read-only; snapshot it for time travel).
    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    pub fn lines(&self) -> &[LineOutcome] {
        &self.lines
    }

    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// Statements started so far (the one a pause interrupted included).
    pub fn statements_started(&self) -> usize {
        self.next
    }

    /// The statement `step` will run next (or go on with), unless the run is over or failed.
    pub fn next_statement(&self) -> Option<&Statement> {
        if self.stopped() {
            return None;
        }
        let index = match self.interrupted {
            Some(oi) => self.lines.get(oi)?.stmt,
            None => self.next,
        };
        self.script.statements.get(index)
    }

    /// Runs the next statement (to its end, also one a [`Runner::run_for`] pause
    /// interrupted); returns the index of its outcome in `lines()`, or `None`
    /// when there is nothing left or a failure stopped the run.
    pub fn step(&mut self) -> Option<usize> {
        self.budget.limit(None);
        self.budget.resume();
        self.run_statement()
    }

    /// Goes on with the run for at most `budget` units of work (a world event or
    /// a statement is one), through its end: the statements, every pending call,
    /// then the world until idle. True once the run is complete, and then
    /// [`Runner::finish`] only collects the report. A run done in any number of
    /// slices of any size is the same as one done at once.
    pub fn run_for(&mut self, budget: u64) -> bool {
        self.budget.limit(Some(budget));
        let done = self.advance_stages();
        self.budget.limit(None);
        done
    }

    /// Runs what is left: remaining statements, then every pending call to its
    /// end (bounded), then the world until idle (bounded).
    pub fn finish(mut self) -> RunReport {
        self.budget.limit(None);
        self.advance_stages();
        // Changes anchored where the run ended; later ones are the caller's to
        // apply, should it run the world on.
        if !self.stopped() {
            self.intervene();
        }
        self.absorb();
        let links = self
            .world
            .links()
            .map(|(_, l)| (self.world.host_name(l.a).to_string(), self.world.host_name(l.b).to_string()))
            .collect();
        RunReport {
            seed: self.seed,
            meta: self.script.meta.clone(),
            hosts: self.host_names,
            links,
            lines: self.lines,
            idle: self.world.is_idle(),
            end_time: self.world.now(),
            trace: self.trace,
            failures: self.failures,
            commands: self.commands,
            intervened: self.intervened,
        }
    }

    /// Starts the next statement, or goes on with the interrupted one; `None`
    /// when there is nothing left, a failure stopped the run, or the budget ran
    /// out (then `paused` is set).
    fn run_statement(&mut self) -> Option<usize> {
        let script = self.script.clone();
        let oi = match self.interrupted.take() {
            Some(oi) => oi,
            None => {
                let st = script.statements.get(self.next).filter(|_| !self.stopped())?;
                self.intervene();
                if !self.budget.spend() {
                    return None;
                }
                self.next += 1;
                self.absorb();
                let oi = self.lines.len();
                self.lines.push(LineOutcome {
                    stmt: self.next - 1,
                    line: st.line,
                    source: st.source.clone(),
                    time: self.world.now(),
                    trace_start: self.trace.len(),
                    trace_end: self.trace.len(),
                    ok: true,
                    detail: LineDetail::Setup,
                });
                oi
            }
        };
        let st = script.statements.get(self.lines.get(oi)?.stmt)?;
        self.cur_line = st.line;
        self.cur_outcome = Some(oi);
        self.exec(&st.kind, oi);
        self.absorb();
        self.cur_outcome = None;
        if self.budget.paused() {
            self.interrupted = Some(oi);
            return None;
        }
        self.wait_deadline = None;
        if let Some(l) = self.lines.get_mut(oi) {
            l.trace_end = self.trace.len();
        }
        Some(oi)
    }

    /// Goes through the stages of a run as far as the budget allows; true at the end.
    fn advance_stages(&mut self) -> bool {
        self.budget.resume();
        if self.stage == Stage::Statements {
            while self.run_statement().is_some() {}
            if self.budget.paused() {
                return false;
            }
            self.stage = Stage::Pending;
        }
        if self.stage == Stage::Pending {
            if !self.stopped() {
                self.cur_line = self.script.statements.last().map_or(0, |s| s.line);
                // Oldest call first. Calls that finished during an earlier slice
                // are gone from `pending`, so a resumed wait starts where it stopped.
                let mut order: Vec<(CallId, HostId)> = self.pending.iter().map(|p| (p.call, p.host)).collect();
                order.sort();
                for (_, host) in order {
                    if !self.wait_host(host) && (self.stopped() || self.budget.paused()) {
                        break;
                    }
                }
                if self.budget.paused() {
                    return false;
                }
            }
            self.stage = Stage::Idle;
        }
        if self.stage == Stage::Idle {
            if !self.stopped() {
                let deadline = self.wait_deadline_from(self.opts.idle_bound_us);
                while self.step_world(deadline) {}
                if self.budget.paused() {
                    return false;
                }
            }
            self.wait_deadline = None;
            self.stage = Stage::Done;
        }
        true
    }

    /// The deadline of a wait of `span` from now, or of the wait a pause interrupted.
    fn wait_deadline_from(&mut self, span: u64) -> u64 {
        let now = self.world.now();
        *self.wait_deadline.get_or_insert_with(|| now.saturating_add(span).min(MAX_TIME_US))
    }

    // ----- bookkeeping ------------------------------------------------------------

    /// Whether the run has stopped: a failure (unless `keep_going`) or the event limit.
    fn stopped(&self) -> bool {
        self.halted || (!self.opts.keep_going && !self.failures.is_empty())
    }

    fn fail(&mut self, line: usize, kind: FailureKind, expected: Expected, got: Got) {
        self.failures.push(Failure::new(line, kind, expected, got));
    }

    /// Fails the current statement.
    fn fail_here(&mut self, kind: FailureKind, expected: Expected, got: Got) {
        if let Some(l) = self.cur_outcome.and_then(|oi| self.lines.get_mut(oi)) {
            l.ok = false;
        }
        self.fail(self.cur_line, kind, expected, got);
    }

    fn host(&self, name: &str) -> Option<HostId> {
        self.hosts.get(name).copied()
    }

    /// A host the parser vouched for but the world does not know (its `host`
    /// line failed): fails the run and returns None.
    fn host_or_fail(&mut self, name: &str) -> Option<HostId> {
        let h = self.host(name);
        if h.is_none() {
            self.fail_here(FailureKind::Script, Expected::HostNamed(name.to_string()), Got::HostLineFailed);
        }
        h
    }

    /// Moves new trace events into the report and reacts to them: packets are
    /// recorded for expectations, returns complete pending calls.
    fn absorb(&mut self) {
        self.grow_trace_within_budget();
        self.world.drain_trace_into(&mut self.trace);
        while self.scanned < self.trace.len() {
            let i = self.scanned;
            self.scanned += 1;
            let time = self.trace[i].time;
            match &self.trace[i].kind {
                TraceKind::Sent { host, to, packet, .. } => {
                    // The trace says where the packet was going (`None`: no route).
                    self.packets.record(time, *host, *to, (**packet).clone());
                }
                TraceKind::Lost { packet, .. } => {
                    let packet = *packet;
                    self.packets.mark(packet, Counter::Lost);
                }
                TraceKind::Duplicated { original, .. } => {
                    let original = *original;
                    self.packets.mark(original, Counter::Duplicated);
                }
                TraceKind::Reordered { packet, .. } => {
                    let packet = *packet;
                    self.packets.mark(packet, Counter::Reordered);
                }
                TraceKind::Return { call, result, .. } => {
                    if let Some(pos) = self.pending.iter().position(|p| p.call == *call) {
                        let result = result.clone();
                        let p = self.pending.remove(pos);
                        self.complete(p, result, time);
                    }
                }
                _ => {}
            }
        }
    }

    /// What the run's record holds on the heap, in bytes: the trace's
    /// allocation as it stands (capacity, not length: a Vec holds up to twice
    /// what it uses) and the packet log's. Counted, not measured, so it is the
    /// same on every machine and in wasm.
    fn record_bytes(&self) -> u64 {
        (self.trace.capacity() * std::mem::size_of::<TraceEvent>()) as u64 + self.packets.heap_bytes()
    }

    /// Makes room for the events waiting in the world. A full Vec doubles,
    /// which near the record budget would take the trace up to twice past it
    /// before the check ahead of the next step sees it; the trace doubles
    /// instead only as far as the budget allows (further only by what the
    /// waiting events need, and that check then stops the run).
    fn grow_trace_within_budget(&mut self) {
        let needed = self.trace.len() + self.world.pending_trace_len();
        if needed <= self.trace.capacity() {
            return;
        }
        let size = std::mem::size_of::<TraceEvent>() as u64;
        let budget_events = self.opts.max_record_bytes.saturating_sub(self.packets.heap_bytes()) / size;
        let budget_events = usize::try_from(budget_events).unwrap_or(usize::MAX);
        let target = self.trace.capacity().saturating_mul(2).min(budget_events).max(needed);
        self.trace.reserve_exact(target - self.trace.len());
    }

    /// A blocked call returned.
    fn complete(&mut self, p: Pending, result: CallResult, time: u64) {
        if self.stuck.get(&p.host) == Some(&p.line) {
            self.returned_after_all(p.host, p.line, time);
        }
        if let Some(LineOutcome { detail: LineDetail::Call(rec), .. }) = self.lines.get_mut(p.outcome) {
            rec.result = Some(result.clone());
            rec.returned_at = Some(time);
        }
        self.bind_name(p.host, p.bind.as_deref(), &result, &p.rendered, p.line);
        self.check_result(p.expect.as_ref(), &result, &p.rendered, p.line, p.outcome);
    }

    /// A call the run gave up on (`keep_going`: its host's next line could not
    /// wait) that another host's later line woke after all. The failure that
    /// said it was still pending now also says when it returned, so the page
    /// never shows the line both returned and pending; its result is checked
    /// like any other; and the host's later lines run, as its program would go on.
    fn returned_after_all(&mut self, host: HostId, line: usize, time: u64) {
        self.stuck.remove(&host);
        let Some(f) = self.failures.iter_mut().find(|f| f.line == line && f.kind == FailureKind::Pending) else {
            return;
        };
        let got = match f.parts.got {
            Got::PendingIdle { at, .. } => Got::PendingIdle { at, returned: Some(time) },
            Got::PendingAfter { bound, .. } => Got::PendingAfter { bound, returned: Some(time) },
            _ => return,
        };
        *f = Failure::new(line, FailureKind::Pending, f.parts.expected.clone(), got);
    }

    fn bind_name(&mut self, host: HostId, name: Option<&str>, result: &CallResult, rendered: &str, line: usize) {
        let Some(name) = name else { return };
        let binding = match result {
            Ok(CallValue::Fd(fd)) | Ok(CallValue::Accepted { fd, .. }) => {
                Ok(Binding { fd: *fd, sid: self.world.socket_by_fd(host, *fd) })
            }
            Ok(v) => Err(Got::NameReturned { call: rendered.to_string(), line, value: v.clone() }),
            Err(e) => Err(Got::NameFailed { call: rendered.to_string(), line, errno: *e }),
        };
        self.names.insert((host, name.to_string()), binding);
    }

    fn check_result(
        &mut self,
        expect: Option<&ResultExpect>,
        got: &CallResult,
        rendered: &str,
        line: usize,
        outcome: usize,
    ) {
        let Some(expect) = expect else { return };
        if result_matches(expect, got) {
            return;
        }
        if let Some(l) = self.lines.get_mut(outcome) {
            l.ok = false;
        }
        let got = match got {
            Ok(v) => Got::Returned(v.clone()),
            Err(e) => Got::Failed(*e),
        };
        let expected = Expected::Returns { call: rendered.to_string(), result: expect.to_string() };
        self.fail(line, FailureKind::Expectation, expected, got);
    }

    // ----- running the world ---------------------------------------------------------

    /// Runs one event if one is due by `deadline`. False when none is, or the run failed.
    fn step_world(&mut self, deadline: u64) -> bool {
        if self.stopped() {
            return false;
        }
        self.intervene();
        // A cheap early out; `step_event_by` below is what keeps the deadline.
        match self.world.next_event_time() {
            Some(t) if t <= deadline => {}
            _ => return false,
        }
        if self.events >= self.opts.max_events {
            let max = self.opts.max_events;
            self.halted = true;
            self.fail_here(FailureKind::Script, Expected::EventLimit { max }, Got::MoreEvents);
            return false;
        }
        if self.record_bytes() > self.opts.max_record_bytes {
            let max_bytes = self.opts.max_record_bytes;
            self.halted = true;
            let got = Got::LargerRecord { events: self.events };
            self.fail_here(FailureKind::Script, Expected::RecordLimit { max_bytes }, got);
            return false;
        }
        if !self.budget.spend() {
            return false;
        }
        if !self.world.step_event_by(deadline) {
            // Only superseded timers were due: nothing happened by the deadline.
            return false;
        }
        self.events += 1;
        self.absorb();
        true
    }

    /// Lets `host`'s blocked call finish before its next line. False on failure.
    fn wait_host(&mut self, host: HostId) -> bool {
        if let Some(&blocked_line) = self.stuck.get(&host) {
            // The host never came back from its call: a program would not be here.
            if let Some(oi) = self.cur_outcome {
                self.set_detail(oi, LineDetail::NotReached { blocked_line });
            }
            return false;
        }
        let Some(p) = self.pending.iter().find(|p| p.host == host) else { return !self.stopped() };
        let (call, line, outcome, rendered) = (p.call, p.line, p.outcome, p.rendered.clone());
        let deadline = p.issued.saturating_add(self.opts.pending_bound_us).min(MAX_TIME_US);
        while self.pending.iter().any(|p| p.call == call) {
            if !self.step_world(deadline) {
                if self.stopped() || self.budget.paused() {
                    return false;
                }
                let got = if self.world.is_idle() {
                    Got::PendingIdle { at: self.world.now(), returned: None }
                } else {
                    Got::PendingAfter { bound: self.opts.pending_bound_us, returned: None }
                };
                if let Some(l) = self.lines.get_mut(outcome) {
                    l.ok = false;
                }
                self.fail(line, FailureKind::Pending, Expected::Return { call: rendered }, got);
                if self.opts.keep_going {
                    // The host stays in the call; the run goes on with the others.
                    self.stuck.insert(host, line);
                    if let Some(oi) = self.cur_outcome.filter(|&oi| oi != outcome) {
                        self.set_detail(oi, LineDetail::NotReached { blocked_line: line });
                    }
                }
                return false;
            }
        }
        !self.stopped()
    }

    // ----- statements ------------------------------------------------------------------

    fn exec(&mut self, kind: &StmtKind, oi: usize) {
        match kind {
            StmtKind::Seed { .. } => {}
            StmtKind::Host { name, addrs } => match self.world.add_host(name, addrs) {
                Ok(id) => {
                    self.hosts.insert(name.clone(), id);
                    self.host_names.push(name.clone());
                }
                Err(e) => self.fail_here(FailureKind::Script, Expected::HostAdded(name.clone()), Got::World(e)),
            },
            StmtKind::Link { a, b, one_way, settings } => self.link(a, b, *one_way, settings),
            StmtKind::Tcp { setting } => self.tcp(setting),
            StmtKind::HostTcp { host, setting } => self.host_tcp(host, *setting),
            StmtKind::Call(c) => self.call(c, oi),
            StmtKind::Advance { us } => {
                let target = *self.wait_deadline.get_or_insert(self.world.now().saturating_add(*us));
                if target > MAX_TIME_US {
                    self.fail_here(FailureKind::Script, Expected::WithinDay, Got::PastDay { step: *us, reach: target });
                    return;
                }
                while self.step_world(target) {}
                if self.budget.paused() {
                    return;
                }
                if !self.stopped() {
                    self.world.run_until(target);
                }
                self.set_detail(oi, LineDetail::Advance { to: self.world.now() });
            }
            StmtKind::Run => {
                let deadline = self.wait_deadline_from(self.opts.idle_bound_us);
                while self.step_world(deadline) {}
                if self.budget.paused() {
                    return;
                }
                let idle = self.world.is_idle();
                self.set_detail(oi, LineDetail::Run { until: self.world.now(), idle });
            }
            StmtKind::Fault { a, b, one_way, fault } => {
                self.fault(a, b, *one_way, fault);
                self.set_detail(oi, LineDetail::Fault);
            }
            StmtKind::ExpectPacket(e) => self.expect_packet(e, oi),
            StmtKind::ExpectState { host, fd, state, now } => {
                let Some(h) = self.host_or_fail(host) else { return };
                if !now && !self.wait_host(h) {
                    return;
                }
                self.set_time(oi);
                let expected = Expected::State { fd: fd.to_string(), host: host.clone(), state: state.to_string() };
                let got = match self.resolve(h, fd) {
                    Err(why) => {
                        self.fail_here(FailureKind::Script, expected, why);
                        return;
                    }
                    Ok((n, None)) => {
                        self.fail_here(FailureKind::Expectation, expected, Got::NotOpen(n));
                        return;
                    }
                    Ok((_, Some(sid))) => match self.world.socket(sid) {
                        None => crate::net::tcp::state::TcpState::Closed,
                        Some(s) => match s.tcp_state() {
                            Some(st) => st,
                            None => {
                                self.fail_here(FailureKind::Script, expected, Got::NoState { fd: fd.to_string() });
                                return;
                            }
                        },
                    },
                };
                self.set_detail(oi, LineDetail::Expect { got: got.to_string() });
                if got != *state {
                    let blocked = self.pending_hint(h);
                    self.fail_here(FailureKind::Expectation, expected, Got::State { state: got.to_string(), blocked });
                }
            }
            StmtKind::ExpectCount { counter, target, range } => self.expect_count(*counter, target, *range, oi),
        }
    }

    /// For a failed observation: note a call still blocked on that host, since
    /// observations do not wait for it.
    fn pending_hint(&self, host: HostId) -> Option<Blocked> {
        self.pending.iter().find(|p| p.host == host).map(|p| Blocked {
            at: self.world.now(),
            call: p.rendered.clone(),
            line: p.line,
        })
    }

    fn set_detail(&mut self, oi: usize, detail: LineDetail) {
        if let Some(l) = self.lines.get_mut(oi) {
            l.detail = detail;
        }
    }

    fn set_time(&mut self, oi: usize) {
        let now = self.world.now();
        if let Some(l) = self.lines.get_mut(oi) {
            l.time = now;
        }
    }

    fn link(&mut self, a: &str, b: &str, one_way: bool, settings: &[LinkSetting]) {
        let (Some(ha), Some(hb)) = (self.host_or_fail(a), self.host_or_fail(b)) else { return };
        let id = match self.world.link_between(ha, hb) {
            Some(id) => id,
            None => {
                let mut cfg = LinkConfig::default();
                if !one_way {
                    LinkSetting::apply_all(settings, &mut cfg);
                }
                match self.world.add_link(ha, hb, cfg) {
                    Ok(_) if !one_way => return,
                    Ok(id) => id,
                    Err(e) => {
                        let expected = Expected::LinkBetween(a.to_string(), b.to_string());
                        self.fail_here(FailureKind::Script, expected, Got::World(e));
                        return;
                    }
                }
            }
        };
        let Some(link) = self.world.link(id) else { return };
        let dirs = if one_way { vec![link.direction_from(ha)] } else { vec![Direction::AtoB, Direction::BtoA] };
        for d in dirs {
            let Some(mut cfg) = self.world.link(id).map(|l| l.dir(d).config.clone()) else { return };
            LinkSetting::apply_all(settings, &mut cfg);
            self.change_link(id, Some(d), FaultChange::Configure(cfg));
        }
    }

    fn tcp(&mut self, setting: &TcpSetting) {
        setting.apply(self.world.tcp_config_mut());
    }

    fn host_tcp(&mut self, host: &str, setting: HostTcpSetting) {
        let Some(id) = self.host_or_fail(host) else { return };
        if let Err(e) = self.world.set_host_tcp(id, setting) {
            self.fail_here(FailureKind::Script, Expected::HostAdded(host.to_string()), Got::World(e));
        }
    }

    fn fault(&mut self, a: &str, b: &str, one_way: bool, fault: &Fault) {
        let (Some(ha), Some(hb)) = (self.host_or_fail(a), self.host_or_fail(b)) else { return };
        let Some(id) = self.world.link_between(ha, hb) else {
            self.fail_here(FailureKind::Script, Expected::LinkBetween(a.to_string(), b.to_string()), Got::Nothing);
            return;
        };
        let Some(link) = self.world.link(id) else { return };
        let dir = one_way.then(|| link.direction_from(ha));
        let change = match *fault {
            Fault::DropNext(n) => FaultChange::DropNext(n),
            Fault::Partition => FaultChange::Partition,
            Fault::Repair => FaultChange::Repair,
            Fault::Hold => FaultChange::Hold,
            Fault::Release => FaultChange::Release,
            Fault::Loss(p) => {
                let dirs = match dir {
                    Some(d) => vec![d],
                    None => vec![Direction::AtoB, Direction::BtoA],
                };
                for d in dirs {
                    let Some(mut cfg) = self.world.link(id).map(|l| l.dir(d).config.clone()) else { return };
                    cfg.loss = p;
                    self.change_link(id, Some(d), FaultChange::Configure(cfg));
                }
                return;
            }
        };
        self.change_link(id, dir, change);
    }

    /// Changes a link, as a `link` or `fault` line asks; a change the world
    /// refuses (no such link) does nothing, as the line's own check said why.
    fn change_link(&mut self, link: LinkId, dir: Option<Direction>, change: FaultChange) {
        // The events before the change are the run's so far: its anchor.
        self.absorb();
        let (at, time) = (self.trace.len(), self.world.now());
        if self.world.change_link(link, dir, change.clone()).is_ok() {
            let command = Command::Link { link, dir, change };
            self.commands.push(Issued { at, time, what: IssuedKind::Command { command } });
        }
    }

    /// A descriptor reference → (fd, the socket it named when bound).
    fn resolve(&self, host: HostId, fd: &FdRef) -> Result<(Fd, Option<SocketId>), Got> {
        match fd {
            FdRef::Num(n) => Ok((*n, self.world.socket_by_fd(host, *n))),
            FdRef::Name(name) => match self.names.get(&(host, name.clone())) {
                Some(Ok(b)) => Ok((b.fd, b.sid)),
                Some(Err(why)) => Err(why.clone()),
                None => Err(match self.pending.iter().find(|p| p.host == host && p.bind.as_deref() == Some(name)) {
                    Some(p) => Got::NameBlocked { name: name.clone(), call: p.rendered.clone(), line: p.line },
                    None => Got::NameUnbound(name.clone()),
                }),
            },
        }
    }

    fn fd_of(&mut self, host: HostId, fd: &FdRef) -> Option<Fd> {
        match self.resolve(host, fd) {
            Ok((n, _)) => Some(n),
            Err(why) => {
                let hn = self.host_names.get(host.0 as usize).cloned().unwrap_or_default();
                self.fail_here(FailureKind::Script, Expected::NamesDescriptor { fd: fd.to_string(), host: hn }, why);
                None
            }
        }
    }

    fn payload(&mut self, data: &Data) -> Option<Arc<[u8]>> {
        self.total_payload = self.total_payload.saturating_add(data.len());
        if self.total_payload > MAX_TOTAL_PAYLOAD {
            self.fail_here(FailureKind::Script, Expected::PayloadTotal, Got::Bytes(self.total_payload as u64));
            return None;
        }
        Some(Arc::from(data.bytes()))
    }

    /// The call with its descriptor names resolved and its bytes made; `None`
    /// when a name does not resolve or the bytes pass the run's total (the
    /// run failed and says why).
    fn make_syscall(&mut self, host: HostId, call: &CallSpec) -> Option<SysCall> {
        let fd = |runner: &mut Self, fd: &FdRef| runner.fd_of(host, fd).ok_or(());
        let data = |runner: &mut Self, data: &Data| runner.payload(data).ok_or(());
        call.try_map(self, fd, data).ok()
    }

    fn call(&mut self, c: &CallStmt, oi: usize) {
        let Some(host) = self.host_or_fail(&c.host) else { return };
        if !self.wait_host(host) {
            return;
        }
        // A change made where the wait for this host ended comes before the call.
        self.intervene();
        self.set_time(oi);
        let Some(syscall) = self.make_syscall(host, &c.call) else { return };
        let rendered = render_call(&c.call);
        self.absorb();
        let before = self.trace.len();
        let outcome = match self.world.call(host, syscall.clone()) {
            Ok(o) => o,
            Err(e) => {
                let expected = Expected::RunsOn { call: rendered, host: c.host.clone() };
                self.fail_here(FailureKind::Script, expected, Got::World(e));
                return;
            }
        };
        let command = Command::Call { host, call: syscall.clone() };
        self.commands.push(Issued { at: before, time: self.world.now(), what: IssuedKind::Command { command } });
        self.absorb();
        let call_id = self.trace[before..].iter().find_map(|e| match e.kind {
            TraceKind::Call { call, host: h, .. } if h == host => Some(call),
            _ => None,
        });
        let now = self.world.now();
        let mut rec = CallRecord {
            host: c.host.clone(),
            host_id: host,
            rendered: rendered.clone(),
            call: syscall,
            call_id,
            blocked: false,
            result: None,
            returned_at: None,
            expected: c.expect.as_ref().map(ToString::to_string),
        };
        match outcome {
            CallOutcome::Done(result) => {
                rec.result = Some(result.clone());
                rec.returned_at = Some(now);
                self.set_detail(oi, LineDetail::Call(rec));
                self.bind_name(host, c.bind.as_deref(), &result, &rendered, self.cur_line);
                self.check_result(c.expect.as_ref(), &result, &rendered, self.cur_line, oi);
            }
            CallOutcome::Blocked => {
                rec.blocked = true;
                self.set_detail(oi, LineDetail::Call(rec));
                match call_id {
                    Some(call) => self.pending.push(Pending {
                        host,
                        call,
                        outcome: oi,
                        line: self.cur_line,
                        issued: now,
                        bind: c.bind.clone(),
                        expect: c.expect.clone(),
                        rendered,
                    }),
                    None => self.fail_here(FailureKind::Script, Expected::CallId, Got::Nothing),
                }
            }
        }
    }

    fn expect_packet(&mut self, e: &PacketExpect, oi: usize) {
        let (Some(a), Some(b)) = (self.host_or_fail(&e.from), self.host_or_fail(&e.to)) else { return };
        let deadline = self.wait_deadline_from(self.opts.pending_bound_us);
        let pattern = match e.time {
            Some(t) => format!("{} {t}", e.pattern),
            None => e.pattern.to_string(),
        };
        let expected = || Expected::Packet { from: e.from.clone(), to: e.to.clone(), pattern: pattern.clone() };
        // When the packet must have been sent: `+TIME` counts from the packet the
        // previous packet expectation matched (the start of the run before any).
        let at = e.time.map(|t| match t.at {
            TimeRef::Absolute(us) => (us, t.tolerance_us),
            TimeRef::AfterPrevious(us) => {
                (self.packets.last_matched_at().unwrap_or(0).saturating_add(us), t.tolerance_us)
            }
        });
        let want = Wanted { from: a, to: b, pattern: &e.pattern, eventually: e.eventually, at };
        let shown = |r: &SentRec| format!("{} > {} {}", e.from, e.to, r.describe());
        let mut start = self.packets.cursor();
        loop {
            match self.packets.scan(&want, start) {
                Scan::Found(index) => {
                    let Some(r) = self.packets.get(index) else { return };
                    let (time, got) = (r.time, shown(r));
                    let late = (!want.on_time(time)).then(|| r.seen());
                    self.packets.take(index);
                    self.set_time(oi);
                    self.set_detail(oi, LineDetail::Expect { got });
                    if let (Some(seen), Some((at, tolerance_us))) = (late, at) {
                        let got = Got::PacketTime { from: e.from.clone(), to: e.to.clone(), seen, at, tolerance_us };
                        self.fail_here(FailureKind::Expectation, expected(), got);
                    }
                    return;
                }
                Scan::Wrong { index, later } => {
                    let Some(r) = self.packets.get(index) else { return };
                    let got = Got::Packet {
                        from: e.from.clone(),
                        to: e.to.clone(),
                        seen: r.seen(),
                        later: later.and_then(|k| self.packets.get(k)).map(|r| r.packet.id.0),
                    };
                    self.set_detail(oi, LineDetail::Expect { got: shown(r) });
                    self.fail_here(FailureKind::Expectation, expected(), got);
                    return;
                }
                Scan::NotYet { next } => start = next,
            }
            if !self.step_world(deadline) {
                // Resumed, the scan starts again at the cursor: what it passed
                // over before did not match and cannot have changed since.
                if self.stopped() || self.budget.paused() {
                    return;
                }
                // A packet of the right shape at another time is the nearest miss:
                // say when it left.
                let nearest = self.packets.nearest(&want).zip(at).map(|(r, (at, tolerance_us))| Got::PacketTime {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    seen: r.seen(),
                    at,
                    tolerance_us,
                });
                let got = nearest.unwrap_or_else(|| Got::NoPacket {
                    matching: e.eventually,
                    from: e.from.clone(),
                    to: e.to.clone(),
                    within: (!self.world.is_idle()).then_some(self.opts.pending_bound_us),
                });
                self.set_detail(oi, LineDetail::Expect { got: got.to_string() });
                self.fail_here(FailureKind::Expectation, expected(), got);
                return;
            }
        }
    }

    fn expect_count(&mut self, counter: Counter, target: &CountTarget, range: (u64, u64), oi: usize) {
        let counter_name = counter.name().to_string();
        let (value, expected, mss_bytes): (u64, Expected, Option<u64>) = match target {
            CountTarget::All | CountTarget::Path { .. } => {
                let path = match target {
                    CountTarget::Path { from, to } => {
                        let (Some(a), Some(b)) = (self.host_or_fail(from), self.host_or_fail(to)) else { return };
                        Some((a, b, (from.clone(), to.clone())))
                    }
                    _ => None,
                };
                let n = self.packets.count(counter, path.as_ref().map(|(a, b, _)| (*a, *b)));
                (n, Expected::Count { counter: counter_name, path: path.map(|p| p.2), range }, None)
            }
            CountTarget::Socket { host, fd, mss, now } => {
                let Some(h) = self.host_or_fail(host) else { return };
                if !now && !self.wait_host(h) {
                    return;
                }
                self.set_time(oi);
                let expected = Expected::SocketCount {
                    counter: counter_name,
                    host: host.clone(),
                    fd: fd.to_string(),
                    range,
                    mss: *mss,
                };
                let sid = match self.resolve(h, fd) {
                    Ok((_, Some(sid))) => sid,
                    Ok((n, None)) => {
                        self.fail_here(FailureKind::Expectation, expected, Got::NotOpen(n));
                        return;
                    }
                    Err(why) => {
                        self.fail_here(FailureKind::Script, expected, why);
                        return;
                    }
                };
                if self.world.socket(sid).is_none() {
                    self.fail_here(FailureKind::Expectation, expected, Got::ClosedAndGone { fd: fd.to_string() });
                    return;
                }
                let view = self.world.socket_view(sid);
                let value = match counter {
                    Counter::Delivered | Counter::Dropped => {
                        view.udp.as_ref().map(|u| if counter == Counter::Delivered { u.delivered } else { u.dropped })
                    }
                    Counter::Unread => match (&view.udp, &view.tcp) {
                        (Some(u), _) => Some(u.queued_bytes as u64),
                        (None, Some(t)) => Some(t.recv_buffered as u64),
                        (None, None) => Some(0),
                    },
                    _ => view.tcp.as_ref().map(|t| {
                        let bytes = if counter == Counter::Ssthresh { t.ssthresh } else { t.cwnd };
                        if *mss {
                            u64::from(bytes) / u64::from(t.mss.max(1))
                        } else {
                            u64::from(bytes)
                        }
                    }),
                };
                let Some(value) = value else {
                    let got = Got::NotA { fd: fd.to_string(), tcp: counter.of_congestion() };
                    self.fail_here(FailureKind::Script, expected, got);
                    return;
                };
                let mss_bytes = match (counter, *mss) {
                    (Counter::Cwnd, true) => Some(view.tcp.map_or(0, |t| u64::from(t.cwnd))),
                    (Counter::Ssthresh, true) => Some(view.tcp.map_or(0, |t| u64::from(t.ssthresh))),
                    _ => None,
                };
                (value, expected, mss_bytes)
            }
        };
        self.set_detail(oi, LineDetail::Expect { got: Got::Count { value, mss_bytes, blocked: None }.to_string() });
        if value < range.0 || value > range.1 {
            let blocked = match target {
                CountTarget::Socket { host, .. } => self.host(host).and_then(|h| self.pending_hint(h)),
                _ => None,
            };
            self.fail_here(FailureKind::Expectation, expected, Got::Count { value, mss_bytes, blocked });
        }
    }
}

/// Whether a call's result meets a line's `= ...` expectation.
pub fn result_matches(expect: &ResultExpect, got: &CallResult) -> bool {
    match (expect, got) {
        (ResultExpect::Errno(e), Err(g)) => e == g,
        (ResultExpect::Int(n), Ok(v)) => v.as_int() == *n,
        (ResultExpect::Data { data, from: None }, Ok(CallValue::Data(d) | CallValue::DataFrom { data: d, .. })) => {
            d[..] == data[..]
        }
        (ResultExpect::Data { data, from: Some((ip, port)) }, Ok(CallValue::DataFrom { data: d, from })) => {
            d[..] == data[..] && from.ip() == ip && port.is_none_or(|p| from.port() == p)
        }
        (ResultExpect::BytesFrom { len, from: (ip, port) }, Ok(v)) => {
            let sender = match v {
                CallValue::DataFrom { from, .. } | CallValue::Length { from: Some(from), .. } => Some(from),
                _ => None,
            };
            sender.is_some_and(|from| from.ip() == ip && port.is_none_or(|p| from.port() == p))
                && u64::try_from(v.as_int()) == Ok(*len)
        }
        (ResultExpect::Addr { ip, ports: (lo, hi) }, Ok(CallValue::Name(addr))) => {
            addr.ip() == ip && (*lo..=*hi).contains(&addr.port())
        }
        (ResultExpect::SockError(e), Ok(CallValue::SockError(g))) => e == g,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse;

    const SCRIPT: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
        server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
        server: a = accept(l)\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n\
        drop next 1 on client server\nclient: send(c, \"hi\") = 2\n+1s\nserver: recv(a, 10) = \"hi\"\n";

    #[test]
    fn the_report_lists_each_command_where_the_runner_gave_it() {
        let script = parse(SCRIPT).expect("parses");
        let mut runner = Runner::new(&script, RunOptions::default());
        // A drop of a packet never sent changes nothing the trace shows: its
        // anchor is the runner's own clock, not the next event's.
        let drop = Intervention { after_events: 12, change: Change::DropPacket(PacketId(999)) };
        runner.set_interventions(vec![drop]);
        let report = runner.finish();
        assert!(report.passed(), "{:?}", report.failures);
        let calls = report.lines.iter().filter(|l| matches!(l.detail, LineDetail::Call(_))).count();
        let (mut issued_calls, mut links, mut interventions) = (0, 0, 0);
        for issued in &report.commands {
            let event = report.trace.get(issued.at);
            match &issued.what {
                IssuedKind::Command { command: Command::Call { host, call } } => {
                    issued_calls += 1;
                    let Some(TraceEvent { time, kind: TraceKind::Call { host: h, syscall: c, .. }, .. }) = event else {
                        panic!("no Call event at {}: {event:?}", issued.at)
                    };
                    assert_eq!((h, c, *time), (host, call, issued.time));
                }
                IssuedKind::Command { command: Command::Link { link, dir, change } } => {
                    links += 1;
                    let Some(TraceEvent { time, kind: TraceKind::Fault { link: l, dir: d, change: c }, .. }) = event
                    else {
                        panic!("no Fault event at {}: {event:?}", issued.at)
                    };
                    assert_eq!((l, d, c, *time), (link, dir, change, issued.time));
                }
                IssuedKind::Command { command } => panic!("not a command the runner gives: {command:?}"),
                IssuedKind::Intervention { index } => {
                    interventions += 1;
                    let done = &report.intervened[*index];
                    assert_eq!((done.at, done.time), (issued.at, issued.time));
                    assert!(done.at >= 12);
                    let before = done.at.checked_sub(1).and_then(|i| report.trace.get(i)).map(|e| e.time);
                    assert_eq!(Some(issued.time), before, "the clock of the event before it");
                }
            }
        }
        // The link line's settings come with the link; the fault is a command.
        assert_eq!((issued_calls, links, interventions), (calls, 1, 1));
        let anchors: Vec<usize> = report.commands.iter().map(|c| c.at).collect();
        assert!(anchors.windows(2).all(|w| w[0] <= w[1]), "in the order given: {anchors:?}");
    }

    /// The server's recv waits for data the client sends only on a later line:
    /// in the script's order the server's next line cannot run, and the run says
    /// so; then the client's send wakes the recv after all.
    #[test]
    fn a_call_given_up_on_that_returns_later_is_said_to_have_returned_and_its_host_goes_on() {
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
            client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
            server: recv(a, 10) = \"\"\nserver: send(a, \"x\") = 1\nclient: send(c, \"hi\") = 2\n+50ms\n\
            server: close(a) = 0\n";
        let script = parse(text).expect("parses");
        let report = Runner::new(&script, RunOptions { keep_going: true, ..RunOptions::default() }).finish();
        let line = |n: usize| report.lines.iter().find(|l| l.line == n).expect("the line ran");
        let LineDetail::Call(recv) = &line(10).detail else { panic!("recv is a call: {:?}", line(10)) };
        assert_eq!(recv.result, Some(Ok(CallValue::Data(Arc::from(&b"hi"[..])))), "the client's send woke it");
        let returned = recv.returned_at.expect("it returned");
        assert!(matches!(line(11).detail, LineDetail::NotReached { blocked_line: 10 }), "{:?}", line(11));
        let LineDetail::Call(close) = &line(14).detail else { panic!("close is a call: {:?}", line(14)) };
        assert_eq!(close.result, Some(Ok(CallValue::Zero)), "the server goes on once its recv returned");
        let on_recv: Vec<&Failure> = report.failures.iter().filter(|f| f.line == 10).collect();
        assert_eq!(on_recv.len(), 2, "{on_recv:?}");
        assert!(
            matches!(on_recv[0].parts.got, Got::PendingIdle { returned: Some(t), .. } if t == returned),
            "{on_recv:?}"
        );
        assert!(on_recv[0].got.contains("it returned only at"), "{}", on_recv[0].got);
        assert!(!on_recv[0].got.contains("nothing left to happen"), "not beside a result: {}", on_recv[0].got);
        assert_eq!(on_recv[1].got, "\"hi\"", "its result is checked too");
        assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
    }
}
