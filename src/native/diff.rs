//! `socklab diff`: one script in both worlds — the model and the kernel — and its
//! call outcomes and TCP states compared line by line. Every compared line says
//! who answered on the real side: the kernel, or the driver (which never counts
//! as agreement: it says nothing about the kernel). With `--packets`
//! ([`diff_packets`]) the two worlds' packets are compared instead.

use super::capture::{parse, to_pcap, PacketRecord, RecordBody};
use super::links::{Fate, Fates, Links};
use super::map::AddressMap;
use super::packets::{compare as compare_packets, Comparison};
use super::real::RealResult;
use super::{NativeOptions, NativeOutcome, NativeReport};
use crate::net::addr::EPHEMERAL_PORTS;
use crate::net::syscall::{render_result, CallResult, CallValue};
use crate::net::{Ipv4Addr, SocketAddrV4};
use crate::script::ast::{Fault, Script, StmtKind};
use crate::script::{LineDetail, RunOptions, RunReport};

/// The marker a lesson puts on a call line whose kernel outcome is known to
/// differ from the model's, followed by the reason: `#! kernel: ...`. On a line
/// of its own it marks the whole lesson as not comparable.
pub use crate::export::DIVERGENCE_NOTE;

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Agree,
    Diverge,
    /// Differs, and the lesson says why (`#! kernel: reason`).
    Annotated(String),
    /// Not compared: the driver refused or skipped the line.
    NotCompared(String),
    /// Not compared: the driver, not the kernel, gave the real side's answer
    /// (or the kernel answered about a stand-in address), for this reason.
    ByDriver(&'static str),
}

/// What a compared line is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A socket call's return.
    Call,
    /// An `expect state` line's TCP state.
    State,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LineDiff {
    pub line: usize,
    pub kind: LineKind,
    /// The call as rendered, or `state HOST FD` for a state line.
    pub call: String,
    pub model: String,
    pub kernel: String,
    pub verdict: Verdict,
    /// The driver answered this call itself, as the model does, without the
    /// kernel (say, `socket(inet6, ...)`: no real IPv6 socket is opened), and why.
    /// Such a line is never counted as agreement (its verdict is
    /// [`Verdict::ByDriver`]): it says nothing about the kernel.
    pub by_driver: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DiffReport {
    /// The script injects faults or expects packets: the kernel's loopback can't
    /// do either, so its call outcomes are not comparable.
    NotComparable(String),
    Compared {
        mapping: Vec<String>,
        lines: Vec<LineDiff>,
        skipped: Vec<(usize, String)>,
    },
}

impl DiffReport {
    pub fn divergences(&self) -> usize {
        match self {
            DiffReport::NotComparable(_) => 0,
            DiffReport::Compared { lines, .. } => lines.iter().filter(|l| l.verdict == Verdict::Diverge).count(),
        }
    }

    /// Lines the driver answered without the kernel.
    pub fn by_driver(&self) -> usize {
        match self {
            DiffReport::NotComparable(_) => 0,
            DiffReport::Compared { lines, .. } => lines.iter().filter(|l| l.by_driver.is_some()).count(),
        }
    }
}

/// Why a script's outcomes cannot be compared with the kernel's, if they can't:
/// faults and lossy links change what calls return, and the kernel's loopback
/// has neither (the same rule decides which lessons' exported programs
/// `make test` runs). Packet and counter expectations only observe, so a
/// script with them is compared call by call, those lines skipped.
pub fn not_comparable(script: &Script) -> Option<String> {
    crate::export::beyond_loopback(script)
}

/// Runs `script` (whose text is `source`) in the model and on real sockets.
pub fn diff(script: &Script, source: &str, options: &NativeOptions) -> Result<DiffReport, super::Refusal> {
    if let Some(why) = not_comparable(script) {
        return Ok(DiffReport::NotComparable(why));
    }
    // A lesson-wide note on a line of its own: the whole lesson depends on
    // something loopback cannot give (say, SYNs crossing in flight).
    if let Some(why) = crate::export::loopback_note(source) {
        return Ok(DiffReport::NotComparable(why));
    }
    // SO_RCVBUF and SO_SNDBUF stop at this machine's ceilings on its sockets.
    let mut runner = crate::script::Runner::new(script, RunOptions::default());
    if let Ok(limits) = super::netns::core_mem_max() {
        runner = runner.with_mem_max(limits);
    }
    let model = runner.finish();
    let kernel = super::run(script, options)?;
    Ok(compare(&model, &kernel, source))
}

fn compare(model: &RunReport, kernel: &NativeReport, source: &str) -> DiffReport {
    let raw: Vec<&str> = source.lines().collect();
    let mut lines = Vec::new();
    let mut skipped = Vec::new();
    for k in &kernel.lines {
        let note = raw.get(k.line.wrapping_sub(1)).and_then(|l| l.split_once(DIVERGENCE_NOTE)).map(|(_, r)| r.trim());
        let model_line = model.lines.iter().find(|l| l.line == k.line);
        let model_call = model_line.and_then(|l| match &l.detail {
            LineDetail::Call(c) => Some(c),
            _ => None,
        });
        let verdict = |agree: bool, by_driver: Option<&'static str>| match (by_driver, agree, note) {
            (Some(why), _, _) => Verdict::ByDriver(why),
            (None, true, _) => Verdict::Agree,
            (None, false, Some(reason)) => Verdict::Annotated(reason.to_string()),
            (None, false, None) => Verdict::Diverge,
        };
        match (&k.outcome, model_call) {
            (NativeOutcome::Call { rendered, result, by_driver, .. }, Some(m)) => {
                lines.push(LineDiff {
                    line: k.line,
                    kind: LineKind::Call,
                    call: rendered.clone(),
                    model: m.result.as_ref().map_or("(still blocked)".into(), render_result),
                    kernel: result.as_ref().map_or("(still blocked)".into(), RealResult::render),
                    verdict: verdict(same(m.result.as_ref(), result.as_ref()), *by_driver),
                    by_driver: *by_driver,
                });
            }
            (NativeOutcome::State { host, fd, got, .. }, _) => {
                // What the model's runner saw on this line; nothing when the line
                // failed before looking (a name it could not resolve, say).
                let model_state = model_line.and_then(|l| match &l.detail {
                    LineDetail::Expect { got } => Some(got.clone()),
                    _ => None,
                });
                let kernel = match got {
                    Ok(state) => state.name().to_string(),
                    Err(why) => format!("(none: {why})"),
                };
                let verdict = match (&model_state, got) {
                    // Neither world has a state to give (a name still waiting
                    // for its call, say): nothing to compare.
                    (None, Err(why)) => Verdict::NotCompared(format!("no state in either world: {why}")),
                    _ => verdict(model_state.as_deref() == Some(kernel.as_str()), None),
                };
                lines.push(LineDiff {
                    line: k.line,
                    kind: LineKind::State,
                    call: format!("state {host} {fd}"),
                    model: model_state.unwrap_or_else(|| "(none)".into()),
                    kernel,
                    verdict,
                    by_driver: None,
                });
            }
            (NativeOutcome::Refused(why), _) => {
                lines.push(LineDiff {
                    line: k.line,
                    kind: LineKind::Call,
                    call: k.source.clone(),
                    model: model_call.and_then(|m| m.result.as_ref()).map_or("-".into(), render_result),
                    kernel: "(refused)".into(),
                    verdict: Verdict::NotCompared(why.clone()),
                    by_driver: None,
                });
            }
            (NativeOutcome::Skipped(why), _) => skipped.push((k.line, why.clone())),
            _ => {}
        }
    }
    DiffReport::Compared { mapping: kernel.mapping.clone(), lines, skipped }
}

/// Whether two outcomes agree at the level a program can rely on: the same
/// errno, the same bytes, the same descriptor — but not the same ephemeral port,
/// which the kernel and the model each pick at random.
fn same(model: Option<&CallResult>, kernel: Option<&RealResult>) -> bool {
    match (model, kernel) {
        (None, None) => true,
        (Some(Err(a)), Some(RealResult::Err(b))) => a == b,
        (Some(Ok(a)), Some(RealResult::Ok(b))) => same_value(a, b),
        _ => false,
    }
}

fn same_value(a: &CallValue, b: &CallValue) -> bool {
    let same_addr = |x: &SocketAddrV4, y: &SocketAddrV4| {
        x.ip() == y.ip()
            && (x.port() == y.port() || (EPHEMERAL_PORTS.contains(&x.port()) && EPHEMERAL_PORTS.contains(&y.port())))
    };
    match (a, b) {
        (CallValue::Accepted { fd: f1, peer: p1 }, CallValue::Accepted { fd: f2, peer: p2 }) => {
            f1 == f2 && same_addr(p1, p2)
        }
        (CallValue::DataFrom { data: d1, from: a1 }, CallValue::DataFrom { data: d2, from: a2 }) => {
            d1 == d2 && same_addr(a1, a2)
        }
        (CallValue::Name(a1), CallValue::Name(a2)) => same_addr(a1, a2),
        (CallValue::Length { len: l1, data: d1, from: f1 }, CallValue::Length { len: l2, data: d2, from: f2 }) => {
            l1 == l2
                && d1 == d2
                && match (f1, f2) {
                    (Some(a1), Some(a2)) => same_addr(a1, a2),
                    (None, None) => true,
                    _ => false,
                }
        }
        _ => a == b,
    }
}

/// Why `diff --packets` could not compare a script's packets.
#[derive(Debug)]
pub enum PacketRefusal {
    /// The driver refused the script (see [`super::Refusal`]).
    Run(super::Refusal),
    /// The namespace could not be set up.
    Setup(super::netns::SetupError),
    /// The capture failed, or lost frames.
    Capture(String),
}

impl std::fmt::Display for PacketRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PacketRefusal::Run(r) => r.fmt(f),
            PacketRefusal::Setup(e) => e.fmt(f),
            PacketRefusal::Capture(why) => write!(f, "capture on lo: {why}"),
        }
    }
}

impl std::error::Error for PacketRefusal {}

#[derive(Clone, Debug, PartialEq)]
pub enum PacketDiffReport {
    /// Not compared, and why (as [`DiffReport::NotComparable`]).
    NotComparable(String),
    Compared {
        /// What the namespace was set to, one line each.
        setup: Vec<String>,
        mapping: Vec<String>,
        /// Host names by script address, for showing flows.
        names: Vec<(Ipv4Addr, String)>,
        comparison: Comparison,
        /// Per-socket settings the kernel refused.
        kernel_notes: Vec<String>,
        /// Lines whose expectation the kernel's answer did not meet, with
        /// that answer (what `socklab diff` compares; here only for telling).
        unmet: Vec<(usize, String)>,
        /// The kernel's capture, as a libpcap file.
        pcap: Vec<u8>,
        /// Each call's connection's congestion window just before the call, in
        /// both worlds (see [`super::congestion`]).
        congestion: Vec<super::congestion::Row>,
        /// Where the model's run stopped and why, when a failure stopped it
        /// (a line whose expectation did not hold, or a call that waits for
        /// what never comes). The kernel's run goes on past that line, so
        /// what it sends after it has no partner in the model's packets.
        model_stopped: Option<String>,
    },
}

/// The longest Linux holds an ACK back (`TCP_DELACK_MAX`, 200 ms), and a
/// margin for the timer's slack.
const HELD_ACK_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// `socklab diff --packets`: runs `script` (text `source`) in the model and on
/// real sockets in this loopback-only namespace, set up as the model's config
/// implies, each host in a namespace of its own joined by links (see
/// [`super::netns`], [`super::links`]), records the kernel's packets on the
/// links and compares them with the model's (see [`super::packets`]).
pub fn diff_packets(script: &Script, source: &str, options: &NativeOptions) -> Result<PacketDiffReport, PacketRefusal> {
    // Drops, partitions, held packets and lossy links are reproduced on the
    // kernel's links.
    if let Some(why) = source.lines().find_map(|l| l.trim_start().strip_prefix(DIVERGENCE_NOTE)) {
        return Ok(PacketDiffReport::NotComparable(format!("the lesson says: {}", why.trim())));
    }
    let super::netns::Plan { done: mut setup, mtu, sysctls } =
        super::netns::prepare(script).map_err(PacketRefusal::Setup)?;
    let hosts = super::script_hosts(script);
    let sysctls_of = |h: usize| sysctls.get(h).cloned().unwrap_or_default();
    let links = Links::start(&hosts, mtu, &sysctls_of).map_err(PacketRefusal::Setup)?;
    if script.statements.iter().any(|s| is_drop(&s.kind)) {
        setup.push("drops: the link drops the next N packets it carries that way, as the model's does".into());
    }
    let limits = super::netns::core_mem_max().map_err(PacketRefusal::Setup)?;
    setup.push(format!(
        "core/rmem_max = {}, core/wmem_max = {} (the namespace's, read-only: the model runs with them)",
        limits.rmem_max, limits.wmem_max
    ));
    let model = crate::script::Runner::new(script, RunOptions::default()).with_mem_max(limits).finish();
    let model_packets = model_records(&model).map_err(PacketRefusal::Capture)?;
    let fates = model_fates(&model);
    if !fates.is_empty() {
        setup.push(format!(
            "link faults: the links replay what the model's did to {} packets (lost, late, copied, damaged), \
             by their place on each link",
            fates.len()
        ));
    }
    links.replay(fates);
    // The links' record is read when the script ends, before the driver
    // closes what the script left open (those packets are the driver's) —
    // but not before an ACK the kernel holds back has left and crossed its
    // link: the model runs its delayed-ACK timer out after the last line, so
    // the kernel gets as long.
    let mut pace = vec![None; script.statements.len()];
    for line in &model.lines {
        if let Some(slot) = pace.get_mut(line.stmt) {
            *slot = Some(line.time);
        }
    }
    let mut frames = Vec::new();
    let mut hooks = super::RunHooks {
        at_script_end: &mut || {
            std::thread::sleep(HELD_ACK_WAIT + links.longest_latency());
            frames = links.stop_recording();
        },
        on_fault: &mut |f: &super::KernelFault| {
            let (a, b) = f.hosts;
            let ways = if f.one_way { vec![(a, b)] } else { vec![(a, b), (b, a)] };
            for (from, to) in ways {
                match f.fault {
                    Fault::DropNext(n) => links.drop_next(*n, from, to),
                    Fault::Partition => links.partition(from, to, true),
                    Fault::Repair => links.partition(from, to, false),
                    // Its losses are the model's, replayed (`Links::replay`).
                    Fault::Loss(_) => {}
                    Fault::Hold => links.hold(from, to, true),
                    Fault::Release => links.hold(from, to, false),
                }
            }
            Ok(())
        },
        links: Some(&links),
        pace: Some(&pace),
    };
    // A call the model blocked in (a connect through a partition, 19 s of
    // SYNs) may block as long on the kernel, and a second more.
    let options = NativeOptions {
        pending_bound: options.pending_bound.max(longest_blocked_call(&model) + std::time::Duration::from_secs(1)),
        ..options.clone()
    };
    let kernel = super::run_observed(script, &options, &mut hooks).map_err(PacketRefusal::Run)?;
    drop(links);
    let map = AddressMap::new(&hosts, kernel.block, super::map::loopback_only()).map_err(PacketRefusal::Run)?;
    let kernel_packets = kernel_records(&frames, kernel.block, &map);
    let unmet = kernel.failed_expectations().map(|l| (l.line, l.outcome.answer())).collect();
    let names = hosts.iter().flat_map(|(name, addrs)| addrs.iter().map(move |a| (*a, name.clone()))).collect();
    Ok(PacketDiffReport::Compared {
        setup,
        mapping: kernel.mapping,
        names,
        comparison: compare_packets(&model_packets, &kernel_packets),
        unmet,
        kernel_notes: kernel.kernel_notes,
        pcap: to_pcap(&frames),
        congestion: super::congestion::rows(&model, &kernel.congestion),
        model_stopped: model_stopped(&model),
    })
}

/// The failure that stopped the model's run, said as the line it stopped
/// on: a run with the default options stops at its first failure.
fn model_stopped(model: &RunReport) -> Option<String> {
    model.failures.first().map(|f| {
        format!(
            "the model's run stopped at line {}: expected {}, got {}; the kernel's went on, so what it sent \
             after that line has no partner here",
            f.line, f.expected, f.got
        )
    })
}

fn is_drop(kind: &StmtKind) -> bool {
    matches!(kind, StmtKind::Fault { fault: Fault::DropNext(_), .. })
}

/// The longest a call of the model's run was blocked.
fn longest_blocked_call(model: &RunReport) -> std::time::Duration {
    use crate::net::TraceKind;
    let mut started = std::collections::HashMap::new();
    let mut longest = 0;
    for e in &model.trace {
        match &e.kind {
            TraceKind::Call { call, .. } => {
                started.insert(*call, e.time);
            }
            TraceKind::Return { call, blocked: true, .. } => {
                if let Some(at) = started.get(call) {
                    longest = longest.max(e.time.saturating_sub(*at));
                }
            }
            _ => {}
        }
    }
    std::time::Duration::from_micros(longest)
}

/// What the model's links did to each packet a random fault touched (see
/// [`Fates`]): lost at random, held past later ones, copied, corrupted or
/// cut short. Drops by a script's line are the line's to reproduce.
fn model_fates(model: &RunReport) -> Fates {
    use crate::net::trace::LossReason;
    use crate::net::TraceKind;
    /// A packet the model sent: its [`Fates`] key, when it left, and how
    /// long after that it arrives.
    struct Placed {
        key: (usize, usize, u64),
        sent_at: u64,
        after: u64,
    }
    let host = |h: crate::net::HostId| h.0 as usize;
    let mut placed = std::collections::HashMap::new();
    let mut sent_per_link: std::collections::HashMap<(usize, usize), u64> = Default::default();
    let mut fates = Fates::new();
    for e in &model.trace {
        match &e.kind {
            TraceKind::Sent { host: from, to: Some(to), packet, arrival, .. } => {
                let (from, to) = (host(*from), host(*to));
                let place = sent_per_link.entry((from, to)).or_default();
                let after = arrival.saturating_sub(e.time);
                placed.insert(packet.id, Placed { key: (from, to, *place), sent_at: e.time, after });
                *place += 1;
            }
            TraceKind::Reordered { packet, extra_delay, .. } => {
                if let Some(p) = placed.get_mut(packet) {
                    p.after += extra_delay;
                    let fate = fates.entry(p.key).or_insert_with(|| Fate::Delivered(vec![p.after]));
                    if let Fate::Delivered(delays) = fate {
                        delays[0] = p.after;
                    }
                }
            }
            TraceKind::Duplicated { original, arrival, .. } => {
                if let Some(p) = placed.get(original) {
                    let fate = fates.entry(p.key).or_insert_with(|| Fate::Delivered(vec![p.after]));
                    if let Fate::Delivered(delays) = fate {
                        delays.push(arrival.saturating_sub(p.sent_at));
                    }
                }
            }
            TraceKind::Lost { packet, reason, .. } => {
                if let Some(p) = placed.get(packet) {
                    let fate = match *reason {
                        LossReason::Random => Fate::Lost,
                        LossReason::Checksum { bit } => Fate::Corrupted { bit, after_us: p.after },
                        LossReason::Truncated { kept } => Fate::Truncated { kept, after_us: p.after },
                        _ => continue,
                    };
                    fates.insert(p.key, fate);
                }
            }
            _ => {}
        }
    }
    fates
}

/// Every packet the model's hosts sent to another host, in trace order,
/// through the wire bytes. One a host sends itself (to its own address,
/// 127.0.0.1 or 0.0.0.0) goes over the loopback inside that host's
/// namespace on the kernel's side, where no link records it.
fn model_records(model: &RunReport) -> Result<Vec<PacketRecord>, String> {
    model
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            crate::net::TraceKind::Sent { host, to, packet, .. } if *to != Some(*host) => Some(packet),
            _ => None,
        })
        .map(|p| {
            let bytes = crate::wire::to_bytes(p).map_err(|e| format!("model packet: {e}"))?;
            parse(&bytes).map_err(|e| format!("model packet: {e}"))
        })
        .collect()
}

/// The captured packets between the run's own addresses (both ends in its
/// block 127.`block`.0.0/16), in script addresses.
fn kernel_records(frames: &[super::capture::Frame], block: u8, map: &AddressMap) -> Vec<PacketRecord> {
    let ours = |a: &SocketAddrV4| a.ip().octets()[..2] == [127, block];
    frames
        .iter()
        .filter_map(|f| parse(&f.ip).ok())
        .filter(|r| ours(&r.src) && ours(&r.dst))
        .map(|mut r| {
            r.src = map.to_script(r.src);
            r.dst = map.to_script(r.dst);
            if let RecordBody::PortUnreachable { quoted_src, quoted_dst } = &mut r.body {
                *quoted_src = map.to_script(*quoted_src);
                *quoted_dst = map.to_script(*quoted_dst);
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Errno, Ipv4Addr};
    use std::sync::Arc;

    #[test]
    fn ephemeral_ports_may_differ_but_addresses_and_bytes_may_not() {
        let peer = |port| CallValue::Accepted { fd: 4, peer: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), port) };
        assert!(same_value(&peer(40000), &peer(51234)));
        assert!(!same_value(&peer(80), &peer(51234)));
        let data = |d: &[u8]| CallValue::Data(Arc::from(d));
        assert!(same(Some(&Ok(data(b"hi"))), Some(&RealResult::Ok(data(b"hi")))));
        assert!(!same(Some(&Ok(data(b"hi"))), Some(&RealResult::Ok(data(b"ho")))));
        assert!(same(Some(&Err(Errno::EPIPE)), Some(&RealResult::Err(Errno::EPIPE))));
        assert!(!same(Some(&Err(Errno::EPIPE)), Some(&RealResult::OtherErrno(200))));
        assert!(same(None, None));
    }

    #[test]
    fn faults_and_lossy_links_make_a_script_not_comparable() {
        let s = crate::script::parse("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b loss 5%\n").unwrap();
        assert!(not_comparable(&s).is_some());
        let s = crate::script::parse("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 5ms\n").unwrap();
        assert!(not_comparable(&s).is_none());
    }
}
