//! Feature `native`: the same scripts on real kernel sockets over loopback, so
//! the model can be checked against Linux (`socklab diff`).
//!
//! - [`map`] gives each script address its own 127.b.h.x and refuses any other address;
//! - [`block`] picks the run's b: a block no socket is on, not even an earlier run's TIME-WAIT;
//! - [`real`] performs one host's calls on non-blocking socket2 sockets;
//! - [`state`] reads TCP states from the kernel, for `expect state`, and
//!   [`congestion`] its congestion window before each call, for `diff --packets`;
//! - [`netns`] sets the loopback-only namespace up as the model's config implies,
//!   [`links`] gives each host a namespace of its own joined by links with the
//!   lessons' latency and records what crosses them, and [`packets`] aligns
//!   those packets with the model's, for `socklab diff --packets`;
//! - this module walks a script as the simulator's runner does — each host one
//!   process thread, a blocked call pending until the kernel lets it finish —
//!   and records every call's outcome, and every line it cannot apply and why.

pub mod block;
pub mod capture;
pub mod clock;
pub mod congestion;
pub mod diff;
pub mod links;
pub mod map;
pub mod memory;
pub mod netns;
pub mod packets;
pub mod quickack_route;
pub mod real;
pub mod state;

use crate::net::syscall::{CallResult, CallValue, Domain, Errno, SysCall};
use crate::net::tcp::state::TcpState;
use crate::net::trace::Cause;
use crate::net::{CallId, Fd, HostId, Ipv4Addr, TraceEvent, TraceKind};
use crate::script::ast::{CallSpec, CallStmt, FdRef, ResultExpect, Script, StmtKind, TcpSetting};
use crate::script::runner::result_matches;
use map::AddressMap;
use real::{Attempt, NoState, RealProcess, RealResult, Resume, SocketSerial, SocketTcp};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long real time may run.
#[derive(Clone, Debug)]
pub struct NativeOptions {
    /// How long a blocked call may wait when its host is needed again, or at the end.
    pub pending_bound: Duration,
    /// The longest a `+duration` line really sleeps.
    pub advance_cap: Duration,
    /// The most wall-clock time a whole run may take (`--real-budget`). The two
    /// bounds above hold per line, so without this a long script of blocked
    /// reads would wait 3 s a line: 400 lines, 20 minutes.
    pub budget: Duration,
}

impl Default for NativeOptions {
    fn default() -> Self {
        NativeOptions {
            pending_bound: Duration::from_secs(3),
            advance_cap: Duration::from_secs(2),
            budget: Duration::from_secs(30),
        }
    }
}

/// When a run's budget is spent. Every wait of the run is cut to what is left.
#[derive(Clone, Copy)]
struct Deadline {
    /// `None`: a budget too large for the clock, as good as none.
    end: Option<Instant>,
}

impl Deadline {
    fn after(budget: Duration) -> Deadline {
        Deadline { end: Instant::now().checked_add(budget) }
    }

    /// `wait`, or less if the budget ends sooner.
    fn cap(self, wait: Duration) -> Duration {
        self.end.map_or(wait, |end| wait.min(end.saturating_duration_since(Instant::now())))
    }

    fn passed(self) -> bool {
        self.end.is_some_and(|end| Instant::now() >= end)
    }
}

/// Why a script does not run (or stops running) on real sockets. Every refusal
/// but [`Refusal::OverBudget`] comes before any socket exists; an over-budget
/// run's sockets are closed when it stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `ip` belongs to no host of the script (on line `line`, when known): the
    /// driver never lets the kernel reach beyond the script's own hosts.
    ForeignAddress { line: Option<usize>, ip: Ipv4Addr },
    /// The script's hosts have more addresses than one loopback block holds.
    TooManyAddresses { needed: usize },
    /// Every loopback block has sockets on it (see [`block`]).
    NoFreeBlock,
    /// A loopback block could not be claimed for a reason other than another
    /// run holding it (loopback down, say).
    LoopbackUnusable(String),
    /// The run passed its wall-clock budget ([`NativeOptions::budget`]):
    /// it stopped before line `before` ran, or (`None`) after its last line,
    /// still waiting for blocked calls.
    OverBudget { budget: Duration, before: Option<usize> },
}

impl Refusal {
    /// The same refusal, placed on a script line.
    pub fn at_line(self, line: usize) -> Refusal {
        match self {
            Refusal::ForeignAddress { ip, .. } => Refusal::ForeignAddress { line: Some(line), ip },
            other => other,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ForeignAddress { line, ip } => {
                if let Some(line) = line {
                    write!(f, "line {line}: ")?;
                }
                write!(
                    f,
                    "{ip} belongs to no host of this script; real sockets only reach the script's hosts on 127.0.0.0/8"
                )
            }
            Refusal::TooManyAddresses { needed } => {
                write!(f, "{needed} addresses: real sockets map at most {} into 127.0.0.0/8", map::MAX_MAPPED)
            }
            Refusal::NoFreeBlock => write!(
                f,
                "every loopback block (127.{}.0.0 to 127.{}.0.0) has sockets on it, earlier runs' TIME-WAIT \
                 among them (60 s on Linux); try again in a minute",
                block::BLOCKS.start(),
                block::BLOCKS.end()
            ),
            Refusal::LoopbackUnusable(why) => write!(f, "cannot use loopback: {why}"),
            Refusal::OverBudget { budget, before } => {
                write!(f, "the real run passed its wall-clock budget of {} (--real-budget) ", fmt_duration(*budget))?;
                match before {
                    Some(line) => write!(f, "before line {line} ran; its sockets are closed"),
                    None => write!(f, "waiting for its last blocked calls; its sockets are closed"),
                }
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// `30s`, `1.5s`, `300ms`: a budget as a person writes it.
pub fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() % 1_000_000 != 0 {
        format!("{}us", d.as_micros())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        // Whole milliseconds: f64's shortest form is exact enough (1.5, 30).
        format!("{}s", d.as_secs_f64())
    }
}

/// What became of one line on real sockets.
#[derive(Clone, Debug, PartialEq)]
pub enum NativeOutcome {
    /// Set-up the driver performed (a host) or did not need (a seed).
    Setup,
    /// A socket call and the kernel's answer (`None`: still blocked at the bound),
    /// or the driver's when `by_driver` says why the kernel was not asked, or
    /// was asked about a stand-in address instead of the script's.
    Call {
        host: String,
        rendered: String,
        result: Option<RealResult>,
        blocked: bool,
        expectation_ok: bool,
        by_driver: Option<&'static str>,
    },
    /// `expect state`: the state the line expects and the one the kernel
    /// reports (or why it reports none).
    State { host: String, fd: String, expected: TcpState, got: Result<TcpState, String> },
    /// Refused before any socket was touched (an address outside the script's hosts).
    Refused(String),
    /// A line that cannot apply to the kernel's loopback, and why.
    Skipped(String),
    /// Time really passed.
    Waited(Duration),
}

impl NativeOutcome {
    /// What the kernel answered, as `socklab diff` shows it.
    pub fn answer(&self) -> String {
        match self {
            NativeOutcome::Call { result: Some(result), .. } => result.render(),
            NativeOutcome::Call { result: None, .. } => "(still blocked)".into(),
            NativeOutcome::State { got: Ok(state), .. } => format!("state {state:?}"),
            NativeOutcome::State { got: Err(why), .. } | NativeOutcome::Refused(why) | NativeOutcome::Skipped(why) => {
                why.clone()
            }
            NativeOutcome::Setup => "(set-up)".into(),
            NativeOutcome::Waited(d) => format!("waited {}", fmt_duration(*d)),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NativeLine {
    pub line: usize,
    pub source: String,
    pub outcome: NativeOutcome,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NativeReport {
    /// `server 10.0.0.1 -> 127.0.0.2`, one line per host.
    pub mapping: Vec<String>,
    pub lines: Vec<NativeLine>,
    /// Sockets still open after the driver's final cleanup (always 0 unless broken).
    pub sockets_left_open: usize,
    /// The calls and their returns as trace events, as the simulator records
    /// them; times are real microseconds since the run began. A return whose
    /// errno the model does not name is left out (the line's outcome keeps it).
    pub trace: Vec<TraceEvent>,
    /// The loopback block the run held (see [`block`]); 0 before it claimed one.
    pub block: u8,
    /// Per-socket TCP settings the kernel refused (say, a congestion control it
    /// does not allow): its sockets then ran with its own default instead.
    pub kernel_notes: Vec<String>,
    /// The congestion window of each call's connection just before the call.
    pub congestion: Vec<congestion::KernelLine>,
}

/// Records Call and Return events with real timestamps. The kernel's sockets
/// have no ids in the model's sense, so the events name no socket, and a return
/// names its own call as its cause: the driver cannot see what released a call.
struct Tracer {
    start: Instant,
    events: Vec<TraceEvent>,
    next_call: u64,
}

impl Tracer {
    fn emit(&mut self, kind: TraceKind) {
        let time = self.start.elapsed().as_micros() as u64;
        self.events.push(TraceEvent { id: self.events.len() as u64 + 1, time, kind });
    }

    fn call(&mut self, host: usize, syscall: &SysCall) -> CallId {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.emit(TraceKind::Call { call, host: HostId(host as u32), socket: None, syscall: syscall.clone() });
        call
    }

    fn ret(&mut self, call: CallId, host: usize, syscall: &SysCall, result: &RealResult, blocked: bool) {
        if let Some(result) = as_call_result(result) {
            let fd = match &result {
                Ok(CallValue::Fd(fd) | CallValue::Accepted { fd, .. }) => Some(*fd),
                _ => syscall.fd(),
            };
            let (host, cause) = (HostId(host as u32), Cause::Call(call).into());
            self.emit(TraceKind::Return { call, host, socket: None, fd, result, blocked, cause });
        }
    }
}

impl NativeReport {
    pub fn skipped(&self) -> impl Iterator<Item = &NativeLine> {
        self.lines.iter().filter(|l| matches!(l.outcome, NativeOutcome::Skipped(_)))
    }

    /// Lines whose `= ...` or `expect state` expectation the kernel did not meet.
    pub fn failed_expectations(&self) -> impl Iterator<Item = &NativeLine> {
        self.lines.iter().filter(|l| match &l.outcome {
            NativeOutcome::Call { expectation_ok, .. } => !expectation_ok,
            NativeOutcome::State { expected, got, .. } => got.as_ref() != Ok(expected),
            _ => false,
        })
    }
}

/// A call waiting for the kernel.
struct Pending {
    index: usize,
    id: CallId,
    call: SysCall,
    resume: Resume,
    bind: Option<String>,
    expect: Option<ResultExpect>,
}

struct HostState {
    process: RealProcess,
    names: HashMap<String, Fd>,
    /// The socket each name was given, for its state after the descriptor closes.
    sockets: HashMap<String, SocketSerial>,
    pending: Option<Pending>,
}

/// `option ack immediate`: the run's addresses get a `quickack 1` route.
fn quickack_route_outcome(route: &mut Option<quickack_route::QuickAckRoute>, block: u8) -> Result<(), String> {
    if route.is_none() {
        *route = Some(quickack_route::QuickAckRoute::install(block)?);
    }
    Ok(())
}

/// Runs `script` on real sockets. Refuses it (see [`Refusal`]) before any socket
/// exists when it cannot run on loopback, or, its sockets closed, when it
/// passes its wall-clock budget.
pub fn run(script: &Script, options: &NativeOptions) -> Result<NativeReport, Refusal> {
    let mut hooks = RunHooks {
        at_script_end: &mut || {},
        on_fault: &mut |_| Err("faults cannot be injected into the kernel's loopback".into()),
        links: None,
        pace: None,
    };
    run_observed(script, options, &mut hooks)
}

/// A script's `fault` line between two hosts, in the kernel's terms: each
/// host's addresses are its 127.b.h.0/24 (see [`map`]).
pub struct KernelFault<'a> {
    pub a: Ipv4Addr,
    pub b: Ipv4Addr,
    /// The two hosts' indices, in script order.
    pub hosts: (usize, usize),
    /// Only from `a` to `b`; else both ways.
    pub one_way: bool,
    pub fault: &'a crate::script::ast::Fault,
}

/// What a caller adds to a run (see [`run_observed`]).
pub struct RunHooks<'a> {
    /// Called once the script's last line has run and its blocked calls have
    /// settled, before the driver closes what the script left open: the
    /// packets of that clean-up are the driver's, not the script's, so a
    /// packet capture stops there.
    pub at_script_end: &'a mut dyn FnMut(),
    /// Reproduces a `fault` line on the kernel's side, or says why it cannot
    /// (the line is then skipped).
    pub on_fault: &'a mut dyn FnMut(&KernelFault) -> Result<(), String>,
    /// Hosts in namespaces of their own joined by delayed links (see
    /// [`links`]); without, every host's sockets share this namespace's `lo`.
    pub links: Option<&'a links::Links>,
    /// When the model ran each statement (simulated µs, by statement index):
    /// each line then runs as long after the one before as it did in the
    /// model (each gap cut to `advance_cap`), so over links with the model's
    /// latency a read, a write or a close meets the same packets in both
    /// worlds. Without, lines run one after another at once.
    pub pace: Option<&'a [Option<u64>]>,
}

/// The kernel's clock for a paced run (see [`RunHooks::pace`]).
struct Pacer<'a> {
    model_times: &'a [Option<u64>],
    start: Instant,
    /// The model's time of the last paced line, and when the kernel ran it
    /// (from `start`).
    model_at: u64,
    kernel_at: Duration,
    longest_gap: Duration,
}

impl Pacer<'_> {
    /// How long to wait before statement `index` runs.
    fn wait_before(&mut self, index: usize) -> Duration {
        let Some(model) = self.model_times.get(index).copied().flatten() else { return Duration::ZERO };
        self.move_to(model)
    }

    /// How long a `+duration` line of `us` waits: until the model's clock
    /// has moved on by `us` from where the line began.
    fn advance(&mut self, us: u64) -> Duration {
        self.move_to(self.model_at.saturating_add(us))
    }

    /// The line waited for its host's blocked call, as the model's did: the
    /// model's clock is where that call ended, and the kernel's is now, even
    /// when the kernel's call took longer (its first sockets open slower). The
    /// lines after keep their gaps from here, instead of running at once to
    /// make the lag up.
    fn caught_up(&mut self) {
        self.kernel_at = self.kernel_at.max(self.start.elapsed());
    }

    /// Moves the model's clock to `model` and the kernel's by as much (each
    /// gap cut to `longest_gap`); returns how long until the kernel's clock
    /// gets there.
    fn move_to(&mut self, model: u64) -> Duration {
        let gap = Duration::from_micros(model.saturating_sub(self.model_at));
        self.model_at = self.model_at.max(model);
        self.kernel_at += gap.min(self.longest_gap);
        (self.start + self.kernel_at).saturating_duration_since(Instant::now())
    }
}

/// [`run`] with the caller's [`RunHooks`].
pub fn run_observed(script: &Script, options: &NativeOptions, hooks: &mut RunHooks) -> Result<NativeReport, Refusal> {
    let hosts = script_hosts(script);
    // Every address the script names is checked before any socket exists: one
    // that belongs to no script host refuses the whole run. Which block the
    // addresses land in does not matter to that.
    let loopback_only = map::loopback_only();
    let map = AddressMap::new(&hosts, *block::BLOCKS.start(), loopback_only)?;
    for st in &script.statements {
        if let StmtKind::Call(c) = &st.kind {
            if let Some(addr) = c.call.addr() {
                map.check(addr).map_err(|r| r.at_line(st.line))?;
            }
        }
    }
    // A block of loopback addresses no socket is on, held until the run ends
    // (the links hold their own).
    let links = hooks.links;
    let (block, claim) = match links {
        Some(links) => (links.block(), None),
        None => {
            let claim = block::claim()?;
            (claim.block(), Some(claim))
        }
    };
    let map = AddressMap::new(&hosts, block, loopback_only)?;
    let mut tracer = Tracer { start: Instant::now(), events: Vec::new(), next_call: 0 };
    let index: HashMap<&str, usize> = hosts.iter().enumerate().map(|(i, (n, _))| (n.as_str(), i)).collect();
    // Every TCP socket runs the model's congestion control (the kernel's
    // default here may be one the model does not have, bbr) and Nagle as the
    // model's config has it.
    let tcp = SocketTcp::of(&script_tcp_config(script));
    let mut states: Vec<HostState> = hosts
        .iter()
        .enumerate()
        .map(|(h, _)| HostState {
            process: RealProcess::with_tcp(tcp).in_namespace(links.and_then(|l| l.namespace(h))),
            names: HashMap::new(),
            sockets: HashMap::new(),
            pending: None,
        })
        .collect();
    let mut report = NativeReport { mapping: map.describe(), block, ..NativeReport::default() };
    // `option ack immediate`'s route, held until the run ends.
    let mut quickack_route = None;
    let deadline = Deadline::after(options.budget);
    let over_budget = |before| Refusal::OverBudget { budget: options.budget, before };

    let mut pacer = hooks.pace.map(|model_times| Pacer {
        model_times,
        start: Instant::now(),
        model_at: 0,
        kernel_at: Duration::ZERO,
        longest_gap: options.advance_cap,
    });

    // Returning early drops `states`, which closes every socket of the run.
    for (stmt, st) in script.statements.iter().enumerate() {
        if deadline.passed() {
            return Err(over_budget(Some(st.line)));
        }
        if let Some(pacer) = &mut pacer {
            let wait = deadline.cap(pacer.wait_before(stmt));
            poll_for(&mut states, &map, &mut report, &mut tracer, wait);
        }
        let outcome = match &st.kind {
            StmtKind::Seed { .. } | StmtKind::Host { .. } => NativeOutcome::Setup,
            StmtKind::Link { a, b, one_way, settings } => match (links, index.get(a.as_str()), index.get(b.as_str())) {
                (None, ..) => NativeOutcome::Skipped("the kernel's loopback has no link to shape".into()),
                (Some(links), Some(&a), Some(&b)) => match links.configure(a, b, *one_way, settings)[..] {
                    [] => NativeOutcome::Setup,
                    ref ignored => NativeOutcome::Skipped(format!("not reproduced: {}", ignored.join(", "))),
                },
                _ => NativeOutcome::Refused(format!("no host named {a} or {b}")),
            },
            StmtKind::Tcp { setting: TcpSetting::DelayedAck(on_time) } if links.is_some() => {
                match links.map(|l| l.ack_every_segment(!on_time)) {
                    Some(Err(why)) => NativeOutcome::Skipped(why),
                    _ => NativeOutcome::Setup,
                }
            }
            StmtKind::Tcp { setting: TcpSetting::DelayedAck(false) } if loopback_only => {
                match quickack_route_outcome(&mut quickack_route, block) {
                    Ok(()) => NativeOutcome::Setup,
                    Err(why) => NativeOutcome::Skipped(why),
                }
            }
            StmtKind::Tcp { setting: TcpSetting::DelayedAck(false) } => NativeOutcome::Skipped(
                "an ACK for every segment needs a quickack route, added only in a loopback-only namespace".into(),
            ),
            StmtKind::Tcp { setting: TcpSetting::DelayedAck(true) } => {
                // Linux's own ACK timing: no quickack route.
                quickack_route = None;
                NativeOutcome::Setup
            }
            StmtKind::Tcp { .. } | StmtKind::HostTcp { .. } => {
                NativeOutcome::Skipped("the kernel's TCP settings are left as they are".into())
            }
            StmtKind::Fault { a, b, one_way, fault } => {
                let host = |name: &String| index.get(name.as_str()).copied();
                let net = |h: Option<usize>| h.and_then(|h| map.host_network(h));
                let (ha, hb) = (host(a), host(b));
                match (net(ha), net(hb), ha.zip(hb)) {
                    (Some(a), Some(b), Some(hosts)) => {
                        let outcome = match (hooks.on_fault)(&KernelFault { a, b, hosts, one_way: *one_way, fault }) {
                            Ok(()) => NativeOutcome::Setup,
                            Err(why) => NativeOutcome::Skipped(why),
                        };
                        // The links took a moment to settle (the model's fault
                        // took none): the lines after keep their gaps from now.
                        if let Some(pacer) = &mut pacer {
                            pacer.caught_up();
                        }
                        outcome
                    }
                    _ => NativeOutcome::Refused(format!("no host named {a} or {b}")),
                }
            }
            StmtKind::ExpectPacket(_) => NativeOutcome::Skipped("packets on loopback are not observed".into()),
            StmtKind::ExpectCount { .. } => NativeOutcome::Skipped("the kernel keeps no such counter for us".into()),
            StmtKind::ExpectState { host, fd, state, now } => {
                let Some(&h) = index.get(host.as_str()) else {
                    report.lines.push(line(st, NativeOutcome::Refused(format!("no host named {host}"))));
                    continue;
                };
                // As the model's runner does: without `now`, the host's blocked
                // call finishes first (or is abandoned at the bound).
                if !now && states[h].pending.is_some() {
                    let bound = deadline.cap(options.pending_bound);
                    poll_host_until_free(&mut states, h, &map, &mut report, &mut tracer, bound);
                    if let Some(pacer) = &mut pacer {
                        pacer.caught_up();
                    }
                } else {
                    poll_once(&mut states, &map, &mut report, &mut tracer);
                }
                let got = state_of(&states[h], fd);
                NativeOutcome::State { host: host.clone(), fd: fd.to_string(), expected: *state, got }
            }
            StmtKind::Advance { us } => {
                // Paced, the wait ends when the model's does after the line
                // began, however late the kernel began it.
                let wait = match &mut pacer {
                    Some(pacer) => pacer.advance(*us),
                    None => Duration::from_micros(*us).min(options.advance_cap),
                };
                let wait = deadline.cap(wait);
                poll_for(&mut states, &map, &mut report, &mut tracer, wait);
                NativeOutcome::Waited(wait)
            }
            StmtKind::Run => {
                let t0 = Instant::now();
                poll_until_settled(&mut states, &map, &mut report, &mut tracer, options.pending_bound, deadline);
                NativeOutcome::Waited(t0.elapsed())
            }
            StmtKind::Call(c) => {
                let Some(&h) = index.get(c.host.as_str()) else {
                    report.lines.push(line(st, NativeOutcome::Refused(format!("no host named {}", c.host))));
                    continue;
                };
                // The host's thread must finish its previous call first.
                if states[h].pending.is_some() {
                    let bound = deadline.cap(options.pending_bound);
                    poll_host_until_free(&mut states, h, &map, &mut report, &mut tracer, bound);
                    if deadline.passed() {
                        return Err(over_budget(Some(st.line)));
                    }
                    if let Some(pacer) = &mut pacer {
                        pacer.caught_up();
                    }
                }
                if let Some(reading) = window_before_call(&states[h], h, c, &map) {
                    report.congestion.push(congestion::KernelLine { stmt, reading });
                }
                let idx = report.lines.len();
                report.lines.push(line(st, NativeOutcome::Setup));
                let outcome = start_call(&mut states[h], h, c, idx, &map, &mut tracer);
                report.lines[idx].outcome = outcome;
                continue;
            }
        };
        report.lines.push(line(st, outcome));
    }
    poll_until_settled(&mut states, &map, &mut report, &mut tracer, options.pending_bound, deadline);
    if deadline.passed() {
        return Err(over_budget(None));
    }
    (hooks.at_script_end)();
    for s in &mut states {
        s.process.close_all();
    }
    let mut notes: Vec<String> = states.iter().flat_map(|s| s.process.tcp_notes().iter().cloned()).collect();
    notes.sort();
    notes.dedup();
    report.kernel_notes = notes;
    report.sockets_left_open = states.iter().map(|s| s.process.open_count()).sum();
    // Only now may another run take the block (while its TIME-WAIT sockets
    // last, the scan still finds them there).
    drop(claim);
    report.trace = tracer.events;
    Ok(report)
}

/// The script's hosts, in order, with their addresses.
pub fn script_hosts(script: &Script) -> Vec<(String, Vec<Ipv4Addr>)> {
    script
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Host { name, addrs } => Some((name.clone(), addrs.clone())),
            _ => None,
        })
        .collect()
}

/// The stack-wide TCP settings the model runs `script` with: the defaults,
/// then its `tcp` lines in order, as the runner applies them.
pub fn script_tcp_config(script: &Script) -> crate::net::tcp::TcpConfig {
    let mut config = crate::net::tcp::TcpConfig::default();
    for st in &script.statements {
        if let StmtKind::Tcp { setting } = &st.kind {
            setting.apply(&mut config);
        }
    }
    config
}

fn line(st: &crate::script::ast::Statement, outcome: NativeOutcome) -> NativeLine {
    NativeLine { line: st.line, source: st.source.clone(), outcome }
}

/// The kernel's TCP state of the socket `fd` names, as the model's runner
/// resolves it: a name means the socket it was given, open or closed; a
/// number the socket open on it.
fn state_of(state: &HostState, fd: &FdRef) -> Result<TcpState, String> {
    let serial = match fd {
        FdRef::Num(n) => state.process.serial_of(*n).ok_or_else(|| format!("descriptor {n} is not open"))?,
        FdRef::Name(name) => *state.sockets.get(name).ok_or_else(|| format!("no socket named {name}"))?,
    };
    state.process.tcp_state(serial).map_err(|e| match e {
        NoState::NotTcp => format!("{fd} is not a TCP socket"),
        NoState::Unreadable(why) => format!("the kernel did not say: {why}"),
    })
}

fn resolve(state: &HostState, fd: &FdRef) -> Option<Fd> {
    match fd {
        FdRef::Num(n) => Some(*n),
        FdRef::Name(name) => state.names.get(name).copied(),
    }
}

/// Why a line's call does not reach the kernel.
enum NotForKernel {
    /// It cannot run at all (a descriptor or an address the script lacks).
    Refused(String),
    /// The driver answers `errno` itself, as the model does, because the
    /// kernel's answer would come from a world wider than the script's: `why`.
    Answered { rendered: String, errno: Errno, why: &'static str },
}

/// The call a script line makes, with descriptors resolved; or why the kernel
/// does not see it.
fn to_syscall(state: &HostState, host: usize, spec: &CallSpec, map: &AddressMap) -> Result<SysCall, NotForKernel> {
    if let CallSpec::Socket { domain: Domain::Inet6, protocol } = spec {
        // The model speaks IPv4 only (calls.rs open_socket: EAFNOSUPPORT). The
        // kernel would open a real IPv6 socket, outside the 127.0.0.0/8 the
        // driver keeps every address in, and the run would leave the model.
        return Err(NotForKernel::Answered {
            rendered: SysCall::Socket { domain: Domain::Inet6, protocol: *protocol }.render(),
            errno: Errno::EAFNOSUPPORT,
            why: "the lab speaks IPv4 only; no IPv6 socket was opened",
        });
    }
    if let Some(addr) = spec.addr() {
        map.check(addr).map_err(|r| NotForKernel::Refused(r.to_string()))?;
    }
    if let CallSpec::Bind { fd, addr } = spec {
        if let map::BindAddress::Driver { errno, why } = map.bind_address(host, *addr.ip()) {
            return Err(NotForKernel::Answered { rendered: format!("bind({fd}, {addr})"), errno, why });
        }
    }
    let fd = |_: &mut (), r: &FdRef| {
        resolve(state, r).ok_or_else(|| NotForKernel::Refused(format!("no descriptor named {r}")))
    };
    spec.try_map(&mut (), fd, |_, data| Ok(Arc::from(data.bytes())))
}

/// The congestion window of the connection a call line is about to use, if
/// it names an open TCP socket past its handshake.
fn window_before_call(
    state: &HostState,
    host: usize,
    c: &CallStmt,
    map: &AddressMap,
) -> Option<congestion::KernelReading> {
    let fd = to_syscall(state, host, &c.call, map).ok()?.fd()?;
    state.process.congestion(fd)
}

fn start_call(
    state: &mut HostState,
    host: usize,
    c: &CallStmt,
    idx: usize,
    map: &AddressMap,
    tracer: &mut Tracer,
) -> NativeOutcome {
    let call = match to_syscall(state, host, &c.call, map) {
        Ok(call) => call,
        Err(NotForKernel::Answered { rendered, errno, why }) => {
            let mut outcome =
                finish_call(state, &c.host, rendered, RealResult::Err(errno), false, None, c.expect.as_ref());
            if let NativeOutcome::Call { by_driver, .. } = &mut outcome {
                *by_driver = Some(why);
            }
            return outcome;
        }
        Err(NotForKernel::Refused(why)) => return NativeOutcome::Refused(why),
    };
    let rendered = call.render();
    let stand_in = state.process.stand_in(&call, map, host);
    let id = tracer.call(host, &call);
    match state.process.attempt(&call, None, map, host) {
        Attempt::Done(result) => {
            tracer.ret(id, host, &call, &result, false);
            let mut outcome =
                finish_call(state, &c.host, rendered, result, false, c.bind.as_deref(), c.expect.as_ref());
            if let NativeOutcome::Call { by_driver, .. } = &mut outcome {
                *by_driver = stand_in;
            }
            outcome
        }
        Attempt::Again(resume) => {
            let nonblocking = call.fd().is_some_and(|fd| state.process.is_nonblocking(fd));
            if nonblocking {
                let errno = if matches!(resume, Resume::Connect) { Errno::EINPROGRESS } else { Errno::EAGAIN };
                let result = RealResult::Err(errno);
                tracer.ret(id, host, &call, &result, false);
                return finish_call(state, &c.host, rendered, result, false, None, c.expect.as_ref());
            }
            state.pending =
                Some(Pending { index: idx, id, call, resume, bind: c.bind.clone(), expect: c.expect.clone() });
            NativeOutcome::Call {
                host: c.host.clone(),
                rendered,
                result: None,
                blocked: true,
                expectation_ok: true,
                by_driver: None,
            }
        }
    }
}

fn finish_call(
    state: &mut HostState,
    host: &str,
    rendered: String,
    result: RealResult,
    blocked: bool,
    bind: Option<&str>,
    expect: Option<&ResultExpect>,
) -> NativeOutcome {
    if let (Some(name), RealResult::Ok(CallValue::Fd(fd) | CallValue::Accepted { fd, .. })) = (bind, &result) {
        state.names.insert(name.to_string(), *fd);
        if let Some(serial) = state.process.serial_of(*fd) {
            state.sockets.insert(name.to_string(), serial);
        }
    }
    let expectation_ok = match (expect, as_call_result(&result)) {
        (None, _) => true,
        (Some(e), Some(r)) => result_matches(e, &r),
        (Some(_), None) => false,
    };
    NativeOutcome::Call {
        host: host.to_string(),
        rendered,
        result: Some(result),
        blocked,
        expectation_ok,
        by_driver: None,
    }
}

/// The kernel's answer in the model's terms, when the model has a name for it.
pub fn as_call_result(r: &RealResult) -> Option<CallResult> {
    match r {
        RealResult::Ok(v) => Some(Ok(v.clone())),
        RealResult::Err(e) => Some(Err(*e)),
        RealResult::OtherErrno(_) => None,
    }
}

/// Retries every blocked call once; true when any finished.
fn poll_once(states: &mut [HostState], map: &AddressMap, report: &mut NativeReport, tracer: &mut Tracer) -> bool {
    let mut progressed = false;
    for (h, state) in states.iter_mut().enumerate() {
        let Some(p) = state.pending.take() else { continue };
        match state.process.attempt(&p.call, Some(&p.resume), map, h) {
            Attempt::Done(result) => {
                tracer.ret(p.id, h, &p.call, &result, true);
                let host = match &report.lines[p.index].outcome {
                    NativeOutcome::Call { host, .. } => host.clone(),
                    _ => String::new(),
                };
                report.lines[p.index].outcome =
                    finish_call(state, &host, p.call.render(), result, true, p.bind.as_deref(), p.expect.as_ref());
                progressed = true;
            }
            Attempt::Again(resume) => state.pending = Some(Pending { resume, ..p }),
        }
    }
    progressed
}

fn any_pending(states: &[HostState]) -> bool {
    states.iter().any(|s| s.pending.is_some())
}

/// Lets real time pass, retrying blocked calls meanwhile.
fn poll_for(
    states: &mut [HostState],
    map: &AddressMap,
    report: &mut NativeReport,
    tracer: &mut Tracer,
    wait: Duration,
) {
    let end = Instant::now() + wait;
    loop {
        poll_once(states, map, report, tracer);
        let now = Instant::now();
        if now >= end {
            break;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(1)));
    }
}

/// Waits (bounded, and within the run's budget) until no call is blocked, then
/// a moment more for the kernel to finish what those calls set going.
fn poll_until_settled(
    states: &mut [HostState],
    map: &AddressMap,
    report: &mut NativeReport,
    tracer: &mut Tracer,
    bound: Duration,
    deadline: Deadline,
) {
    let end = Instant::now() + deadline.cap(bound);
    while any_pending(states) && Instant::now() < end {
        if !poll_once(states, map, report, tracer) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    poll_for(states, map, report, tracer, deadline.cap(Duration::from_millis(20)));
}

fn poll_host_until_free(
    states: &mut [HostState],
    host: usize,
    map: &AddressMap,
    report: &mut NativeReport,
    tracer: &mut Tracer,
    bound: Duration,
) {
    let end = Instant::now() + bound;
    while states[host].pending.is_some() && Instant::now() < end {
        if !poll_once(states, map, report, tracer) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    // Still blocked at the bound: the call is abandoned (the report keeps it as
    // pending) so the host's thread can go on, as the simulator's runner fails it.
    states[host].pending = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_as_they_are_written() {
        assert_eq!(fmt_duration(Duration::from_secs(30)), "30s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(fmt_duration(Duration::from_micros(1500)), "1500us");
        let over = Refusal::OverBudget { budget: Duration::from_secs(2), before: Some(7) };
        assert_eq!(
            over.to_string(),
            "the real run passed its wall-clock budget of 2s (--real-budget) before line 7 ran; its sockets are closed"
        );
    }
}
