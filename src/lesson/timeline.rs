//! The page's model of time: a lesson's commands run into a list of *ticks*, each one
//! atomic change of the world (a socket call, the events of one instant, a fault the
//! learner added) with the trace events it produced.
//!
//! Position `p` means "after the first `p` ticks". The world at any position is
//! rebuilt by restoring the nearest snapshot (one every [`SNAPSHOT_EVERY`] ticks) and
//! replaying ticks, so going back is exact: no undoing by hand. Plain Rust, no web.

use crate::lesson::edit::Edit;
use crate::net::trace::TraceEvent;
use crate::net::{Command, FaultChange, LinkId, PacketId, World};

/// A snapshot of the world is kept every this many ticks.
pub const SNAPSHOT_EVERY: usize = 64;
/// A lesson stops after this many ticks (a runaway script cannot freeze the page).
pub const MAX_TICKS: usize = 20_000;

/// One step of work on the world; replaying the same ops gives the same world.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Cmd(Command),
    Edit(Edit),
    /// Run exactly one event.
    Step,
}

/// What a lesson asks of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Do(Command),
    /// The learner's edit, where the script run met it.
    Edit(Edit),
    /// Run single events (none later than `time`) until the trace holds `len`
    /// events, then move the clock to `time` if that skips no event: a
    /// script's call lands mid-instant exactly where the runner made it.
    CatchUp {
        len: usize,
        time: u64,
    },
}

/// One atomic change: its ops, the trace range it produced and the clock after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub ops: Vec<Op>,
    /// `trace[first..end]` are this tick's events.
    pub first: usize,
    pub end: usize,
    /// Simulated time after the tick, microseconds.
    pub time: u64,
    /// The learner's edit, when this tick is one.
    pub edit: bool,
}

/// A lesson run to its end: every tick, the whole trace, and snapshots.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub ticks: Vec<Tick>,
    pub trace: Vec<TraceEvent>,
    snapshots: Vec<World>,
    /// Why the run stopped early or a command failed, if it did.
    pub warning: Option<String>,
}

fn apply(world: &mut World, op: &Op) -> Result<(), String> {
    match op {
        Op::Cmd(c) => world.apply(c.clone()).map(|_| ()).map_err(|e| e.to_string()),
        Op::Edit(Edit::Cut { link, cut, .. }) => {
            let change = if *cut { FaultChange::Partition } else { FaultChange::Repair };
            world.change_link(LinkId(*link), None, change).map_err(|e| e.to_string())
        }
        Op::Step => {
            world.step_event();
            Ok(())
        }
        Op::Edit(Edit::Drop { packet, .. }) => {
            world.drop_packet(PacketId(*packet));
            Ok(())
        }
        Op::Edit(Edit::Delay { packet, by, .. }) => {
            world.delay_packet(PacketId(*packet), *by);
            Ok(())
        }
        Op::Edit(Edit::Duplicate { packet, .. }) => {
            world.duplicate_packet(PacketId(*packet));
            Ok(())
        }
        Op::Edit(Edit::Link { link, settings, .. }) => {
            world.apply_link_settings(LinkId(*link), settings).map_err(|e| e.to_string())
        }
    }
}

/// A timeline being built a slice at a time ([`Builder::work`]), so that a long
/// lesson can be computed between the browser's frames instead of freezing it.
pub struct Builder {
    world: World,
    commands: std::iter::Peekable<std::vec::IntoIter<Cmd>>,
    edits: std::iter::Peekable<std::vec::IntoIter<Edit>>,
    pending: Vec<Op>,
    t: Timeline,
    total_commands: usize,
    done: bool,
}

impl Builder {
    /// Starts running `commands` on `world` (a [`Command::RunUntil`] advances the
    /// clock; a call happens after every event due by then); the run goes on
    /// until nothing is left to happen, with the learner's `edits` applied
    /// where the trace reaches their anchors (a script run places the edits it
    /// reached among its commands; these are the ones after its end).
    pub fn new(mut world: World, commands: Vec<Cmd>, edits: &[Edit]) -> Builder {
        world.discard_trace();
        let mut edits: Vec<Edit> = edits.to_vec();
        edits.sort_by_key(Edit::at); // stable: same-position edits keep their order
        let t = Timeline { ticks: Vec::new(), trace: Vec::new(), snapshots: vec![world.snapshot()], warning: None };
        let total_commands = commands.len();
        Builder {
            world,
            commands: commands.into_iter().peekable(),
            edits: edits.into_iter().peekable(),
            pending: Vec::new(),
            t,
            total_commands,
            done: false,
        }
    }

    /// Does at most `budget` units of work (a unit is one tick or one command's
    /// bookkeeping); true once the timeline is complete.
    pub fn work(&mut self, budget: usize) -> bool {
        for _ in 0..budget {
            if self.done {
                break;
            }
            self.done = !self.advance();
        }
        self.done
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Ticks made so far.
    pub fn ticks(&self) -> usize {
        self.t.ticks.len()
    }

    /// The share of the lesson's commands used so far, 0.0 to 1.0 (what is left
    /// after the last command, running until idle, is not known in advance).
    pub fn fraction(&self) -> f64 {
        if self.done || self.total_commands == 0 {
            return if self.done { 1.0 } else { 0.0 };
        }
        (self.total_commands - self.commands.len()) as f64 / self.total_commands as f64
    }

    /// The whole timeline: the rest of the work, done now.
    pub fn finish(mut self) -> Timeline {
        while !self.work(usize::MAX) {}
        self.t
    }

    /// One unit of work; false when there is nothing left to do.
    fn advance(&mut self) -> bool {
        let (world, t, pending) = (&mut self.world, &mut self.t, &mut self.pending);
        if t.ticks.len() >= MAX_TICKS {
            t.warning = Some(format!("stopped after {MAX_TICKS} steps"));
            return false;
        }
        // The learner's edits anchored here come first.
        if let Some(edit) = self.edits.next_if(|e| e.at() <= t.trace.len()) {
            t.push(world, pending, Op::Edit(edit), true);
            return true;
        }
        let next_event = world.next_event_time();
        let op = match self.commands.peek() {
            Some(Cmd::CatchUp { len, time }) => {
                if t.trace.len() < *len && next_event.is_some_and(|e| e <= *time) {
                    Op::Step
                } else {
                    // Caught up: what is left before `time` made no trace in the
                    // runner (superseded timers), so the clock may move on.
                    let time = *time;
                    self.commands.next();
                    if world.now() < time {
                        let op = Op::Cmd(Command::RunUntil { until: time });
                        let _ = apply(world, &op);
                        pending.push(op);
                    }
                    return true;
                }
            }
            Some(Cmd::Do(_) | Cmd::Edit(_)) => match self.commands.next() {
                Some(Cmd::Do(c)) => Op::Cmd(c),
                Some(Cmd::Edit(edit)) => {
                    t.push(world, pending, Op::Edit(edit), true);
                    return true;
                }
                _ => return true,
            },
            // After the script's last command the world runs on an event a
            // step, as it did while the script ran: so a step is the same unit
            // everywhere, and a change made at step p lands at step p.
            None => match next_event {
                Some(_) => Op::Step,
                // Edits anchored past the end still apply, at the end.
                None => match self.edits.next() {
                    Some(edit) => {
                        t.push(world, pending, Op::Edit(edit), true);
                        return true;
                    }
                    None => return false,
                },
            },
        };
        t.push(world, pending, op, false);
        true
    }
}

impl Timeline {
    /// Runs `commands` on `world` with the learner's `edits` to the end, at once
    /// (see [`Builder`]).
    pub fn run(world: World, commands: Vec<Cmd>, edits: &[Edit]) -> Timeline {
        Builder::new(world, commands, edits).finish()
    }

    /// Applies `op` (after any pending clock moves) as one tick; a tick that
    /// produced nothing to see is folded into the next one.
    fn push(&mut self, world: &mut World, pending: &mut Vec<Op>, op: Op, edit: bool) {
        if let Err(e) = apply(world, &op) {
            if self.warning.is_none() {
                self.warning = Some(e);
            }
        }
        pending.push(op);
        let first = self.trace.len();
        world.drain_trace_into(&mut self.trace);
        if self.trace.len() == first && !edit {
            return; // nothing observable (a superseded timer): fold into the next tick
        }
        let ops = std::mem::take(pending);
        self.ticks.push(Tick { ops, first, end: self.trace.len(), time: world.now(), edit });
        if self.ticks.len() % SNAPSHOT_EVERY == 0 {
            self.snapshots.push(world.snapshot());
        }
    }

    /// Number of positions minus one: the last position.
    pub fn len(&self) -> usize {
        self.ticks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }

    /// The world at position `pos` (clamped): nearest snapshot, then replay.
    pub fn world_at(&self, pos: usize) -> World {
        let pos = pos.min(self.ticks.len());
        let s = (pos / SNAPSHOT_EVERY).min(self.snapshots.len().saturating_sub(1));
        let Some(snap) = self.snapshots.get(s) else { return World::new(0) };
        let mut w = snap.snapshot();
        for tick in &self.ticks[s * SNAPSHOT_EVERY..pos] {
            Self::replay(&mut w, tick);
        }
        w
    }

    /// Moves a world at position `pos` on by one tick.
    pub fn advance(&self, world: &mut World, pos: usize) {
        if let Some(tick) = self.ticks.get(pos) {
            Self::replay(world, tick);
        }
    }

    fn replay(world: &mut World, tick: &Tick) {
        for op in &tick.ops {
            let _ = apply(world, op);
        }
        world.discard_trace();
    }

    /// The trace events up to position `pos`.
    pub fn trace_until(&self, pos: usize) -> &[TraceEvent] {
        let end = match pos {
            0 => 0,
            p => self.ticks.get(p - 1).map_or(self.trace.len(), |t| t.end),
        };
        &self.trace[..end]
    }

    /// The trace indices of the step that led to position `pos` (empty at
    /// the start, where its end is 0).
    pub fn step_span(&self, pos: usize) -> std::ops::Range<usize> {
        let end = self.trace_until(pos).len();
        let first = pos.checked_sub(1).and_then(|i| self.ticks.get(i)).map_or(end, |t| t.first);
        first..end
    }

    /// The events of the tick that led to position `pos`.
    pub fn events_of(&self, pos: usize) -> &[TraceEvent] {
        match pos.checked_sub(1).and_then(|i| self.ticks.get(i)) {
            Some(t) => &self.trace[t.first..t.end],
            None => &[],
        }
    }

    /// Simulated time at position `pos`.
    pub fn time_at(&self, pos: usize) -> u64 {
        pos.checked_sub(1).and_then(|i| self.ticks.get(i)).map_or(0, |t| t.time)
    }

    /// The position right after the tick holding trace event index `i`.
    pub fn position_of_event(&self, i: usize) -> usize {
        self.ticks.partition_point(|t| t.end <= i) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::library::library;
    use crate::net::link::LinkSettings;
    use crate::net::packet::Body;
    use crate::net::trace::SendReason;
    use crate::net::{HostId, SocketView};

    fn run(id: &str, edits: &[Edit]) -> Timeline {
        let lesson = library().into_iter().find(|l| l.id == id).expect("lesson");
        let run = lesson.build(None, edits).expect("build");
        Timeline::run(run.world, run.commands, &run.later_edits)
    }

    fn views(w: &World) -> Vec<SocketView> {
        (0..w.hosts().len() as u32).flat_map(|h| w.sockets_on(HostId(h))).collect()
    }

    fn flags(t: &Timeline, end: usize) -> Vec<String> {
        t.trace[..end]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { packet, .. } => match &packet.body {
                    Body::Tcp(s) => Some(s.flags.tcpdump()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    use crate::net::TraceKind;

    #[test]
    fn the_handshake_lesson_opens_with_syn_synack_ack_and_closes() {
        let t = run("tour", &[]);
        assert!(t.warning.is_none(), "{:?}", t.warning);
        let all = flags(&t, t.trace.len());
        assert_eq!(&all[..3], ["S", "S.", "."]);
        assert!(all.iter().any(|f| f.contains('F')), "{all:?}");
        let end = t.world_at(t.len());
        assert!(end.is_idle());
    }

    #[test]
    fn every_position_is_the_same_forwards_and_by_snapshot() {
        let t = run("tour", &[]);
        let mut w = t.world_at(0);
        for pos in 0..=t.len() {
            let direct = t.world_at(pos);
            assert_eq!(views(&w), views(&direct), "position {pos}");
            assert_eq!(w.now(), direct.now());
            assert_eq!(w.now(), t.time_at(pos).max(w.now()));
            t.advance(&mut w, pos);
        }
    }

    #[test]
    fn snapshots_make_long_runs_exact_too() {
        // A 100% lossy link: the SYN is retransmitted until connect gives up.
        let edits = [Edit::Link {
            at: 0,
            link: 0,
            settings: LinkSettings { loss: 1.0, duplicate: 0.0, reorder: 0.0, latency_us: 10_000 },
        }];
        let t = run("tour", &edits);
        let mut w = t.world_at(0);
        for pos in 0..=t.len() {
            if pos % 7 == 0 || pos == t.len() {
                assert_eq!(views(&w), views(&t.world_at(pos)), "position {pos}");
            }
            t.advance(&mut w, pos);
        }
        assert!(t.ticks[0].edit);
    }

    #[test]
    fn dropping_the_data_segment_brings_a_retransmission() {
        // The position right after "hello" was sent.
        let (packet, at, pos) = tour_data();
        let dropped = run("tour", &[Edit::Drop { at, packet }]);
        let reasons: Vec<SendReason> = dropped
            .trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { reason, .. } => Some(*reason),
                _ => None,
            })
            .collect();
        assert!(reasons.iter().any(|r| r.is_data_retransmission()), "{reasons:?}");
        assert!(dropped.ticks[pos].edit);
    }

    /// The tour's "hello" segment: its packet id and the anchor right after it was sent.
    fn tour_data() -> (u64, usize, usize) {
        let t = run("tour", &[]);
        let data = t
            .trace
            .iter()
            .position(|e| matches!(&e.kind, TraceKind::Sent { reason: SendReason::Data, .. }))
            .expect("a data segment");
        let TraceKind::Sent { packet, .. } = &t.trace[data].kind else { unreachable!() };
        let pos = t.position_of_event(data);
        (packet.id.0, t.trace_until(pos).len(), pos)
    }

    #[test]
    fn delaying_the_data_segment_past_its_timer_brings_a_spurious_retransmission() {
        let (packet, at, pos) = tour_data();
        let delayed = run("tour", &[Edit::Delay { at, packet, by: 2_000_000 }]);
        assert!(delayed.ticks[pos].edit);
        let id = crate::net::PacketId(packet);
        // The trace says who held it, and that its arrival was what was held.
        let held = delayed.trace.iter().find_map(|e| match &e.kind {
            TraceKind::Reordered { packet: p, extra_delay, cause } if *p == id => Some((*extra_delay, cause.get())),
            _ => None,
        });
        assert_eq!(held, Some((2_000_000, crate::net::trace::Cause::Arrival(id))));
        let retransmitted = delayed
            .trace
            .iter()
            .position(|e| matches!(&e.kind, TraceKind::Sent { reason, .. } if reason.is_data_retransmission()))
            .expect("a retransmission");
        let arrived = delayed
            .trace
            .iter()
            .position(|e| matches!(&e.kind, TraceKind::Delivered { packet: p, .. } if *p == id))
            .expect("the original arrives in the end");
        assert!(retransmitted < arrived, "the timer fired before the late original arrived");
    }

    #[test]
    fn duplicating_the_data_segment_delivers_a_copy_that_the_receiver_acknowledges_again() {
        let (packet, at, _) = tour_data();
        let plain = run("tour", &[]);
        let twice = run("tour", &[Edit::Duplicate { at, packet }]);
        let id = crate::net::PacketId(packet);
        let copy = twice
            .trace
            .iter()
            .find_map(|e| match &e.kind {
                TraceKind::Duplicated { original, copy, cause, .. } if *original == id => {
                    assert_eq!(cause.get(), crate::net::trace::Cause::Arrival(id));
                    Some(*copy)
                }
                _ => None,
            })
            .expect("a copy");
        assert!(twice.trace.iter().any(|e| matches!(&e.kind, TraceKind::Delivered { packet: p, .. } if *p == copy)));
        // The receiver answers the copy, old data by then, with an immediate ACK of
        // its own (tcp_data_queue: "A retransmit ... Force an immediate ack").
        let acks = |t: &Timeline| {
            t.trace
                .iter()
                .filter(|e| matches!(&e.kind, TraceKind::Sent { reason: SendReason::Ack | SendReason::DupAck, .. }))
                .count()
        };
        assert_eq!(acks(&twice), acks(&plain) + 1);
    }

    #[test]
    fn built_a_slice_at_a_time_the_timeline_is_the_same() {
        let lesson = library().into_iter().find(|l| l.id == "tour").expect("lesson");
        let edits = [Edit::Cut { at: 3, link: 0, cut: true }, Edit::Cut { at: 9, link: 0, cut: false }];
        let whole = run("tour", &edits);
        let built = lesson.build(None, &edits).expect("build");
        let mut b = Builder::new(built.world, built.commands, &built.later_edits);
        let mut slices = 0;
        let mut last = 0.0;
        while !b.work(3) {
            slices += 1;
            assert!(b.fraction() >= last && b.fraction() <= 1.0, "{} after {last}", b.fraction());
            last = b.fraction();
        }
        assert!(slices > 5, "{slices} slices");
        assert!(b.is_done() && b.fraction() == 1.0 && b.ticks() == whole.len());
        let sliced = b.finish();
        assert_eq!(
            (sliced.ticks, sliced.trace, sliced.warning),
            (whole.ticks.clone(), whole.trace.clone(), whole.warning.clone())
        );
    }

    /// A change made at any step lands at that step: the edited run's tick at
    /// the learner's position is the change, and every tick before it is the
    /// same as in the run without it.
    #[test]
    fn a_change_lands_exactly_where_it_was_made_at_every_step() {
        for id in ["tour", "udp_ten", "handshake", "four_way_close"] {
            let plain = run(id, &[]);
            for pos in 0..=plain.len() {
                let at = plain.trace_until(pos).len();
                let edited = run(id, &[Edit::Cut { at, link: 0, cut: true }]);
                assert!(
                    edited.ticks.get(pos).is_some_and(|t| t.edit),
                    "{id}: the cut made at step {pos} (after {at} events) is not tick {pos}: edit ticks {:?}; plain ticks {:?}; events {:?}",
                    edited.ticks.iter().position(|t| t.edit),
                    plain.ticks.iter().map(|t| (t.first, t.end, t.time)).collect::<Vec<_>>(),
                    plain.trace.iter().skip(at.saturating_sub(2)).take(4).map(|e| (e.time, format!("{:?}", e.kind).chars().take(60).collect::<String>())).collect::<Vec<_>>()
                );
                assert_eq!(edited.trace_until(pos), plain.trace_until(pos), "{id}: the run before step {pos} changed");
            }
        }
    }

    #[test]
    fn a_lossy_link_delivers_fewer_datagrams() {
        let delivered = |t: &Timeline| t.trace.iter().filter(|e| matches!(e.kind, TraceKind::Delivered { .. })).count();
        assert_eq!(delivered(&run("udp_ten", &[])), 10);
        let lossy = [Edit::Link {
            at: 0,
            link: 0,
            settings: LinkSettings { loss: 0.5, duplicate: 0.0, reorder: 0.0, latency_us: 10_000 },
        }];
        let n = delivered(&run("udp_ten", &lossy));
        assert!(n < 10, "{n} delivered");
    }
}
