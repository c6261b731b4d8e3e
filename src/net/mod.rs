//! The core: a pure, deterministic world of hosts, links and sockets.
//!
//! Simulated time is an integer count of microseconds. Everything that happens
//! later is an event in one queue ordered by (time, sequence number); all
//! randomness comes from one seeded generator. Same inputs and seed, same trace —
//! natively and in wasm. The world is plain data: `snapshot()` is a clone and
//! going back is `restore()`.

pub mod addr;
pub mod fragment;
pub mod host;
pub mod link;
pub mod packet;
pub mod rng;
pub mod socket;
pub mod syscall;
pub mod tcp;
pub mod trace;
pub mod udp;

mod calls;
mod netstat;
mod queue;
mod sockcalls;

pub use addr::{CallId, Fd, HostId, Ipv4Addr, LinkId, PacketId, Protocol, SocketAddrV4, SocketId};
pub use link::{Direction, FaultChange, LinkConfig};
pub use netstat::{ListenView, SocketView, UdpView};
pub use syscall::{CallResult, CallValue, Domain, Errno, MsgFlags, Shutdown, SockOpt, SysCall};
pub use trace::{TraceEvent, TraceKind};

use host::{Host, MAX_FDS_HARD};
use link::Link;
use packet::{Body, Packet, UDP_HEADER_LEN};
use queue::EventQueue;
use rng::SimRng;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use socket::Socket;
use std::sync::Arc;
use tcp::conn::TcpOut;
use tcp::timers::TimerKind;
use tcp::{HostTcpSetting, TcpConfig};
use trace::{Cause, CauseId, LossReason, Path, ReassemblyFailure, SendReason};

/// Limits that keep a hostile script from exhausting memory or time.
pub const MAX_HOSTS: usize = 20_000;
pub const MAX_LINKS: usize = 40_000;

/// A change to the world, as a driver (script, page, test) asks for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    Call {
        host: HostId,
        call: SysCall,
    },
    /// Run events up to and including simulated time `until`.
    RunUntil {
        until: u64,
    },
    Link {
        link: LinkId,
        dir: Option<Direction>,
        change: FaultChange,
    },
}

/// What `call` gives back at once: the result, or that the call blocked.
#[derive(Clone, Debug, PartialEq)]
pub enum CallOutcome {
    Done(CallResult),
    /// The call waits; its `Return` appears in the trace when it completes.
    Blocked,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    DuplicateHost(String),
    AddressTaken(Ipv4Addr),
    LoopbackAddress(Ipv4Addr),
    UnknownHost(HostId),
    UnknownLink(LinkId),
    SameHost,
    DuplicateLink,
    TooMany(&'static str, usize),
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorldError::DuplicateHost(n) => write!(f, "a host named {n} exists already"),
            WorldError::AddressTaken(ip) => write!(f, "address {ip} belongs to another host"),
            WorldError::LoopbackAddress(ip) => write!(f, "{ip} is loopback; every host has 127.0.0.0/8 already"),
            WorldError::UnknownHost(h) => write!(f, "no host #{}", h.0),
            WorldError::UnknownLink(l) => write!(f, "no link #{}", l.0),
            WorldError::SameHost => write!(f, "a link joins two different hosts"),
            WorldError::DuplicateLink => write!(f, "those hosts are linked already"),
            WorldError::TooMany(what, max) => write!(f, "too many {what} (the limit is {max})"),
        }
    }
}

impl std::error::Error for WorldError {}

#[derive(Clone, Debug)]
enum Event {
    /// `damage`: the link flipped a bit or cut the packet short; the receiver
    /// drops it for that reason when it arrives.
    Arrive {
        to: HostId,
        path: Path,
        /// Shared with the trace's `Sent` record: a packet is built once.
        packet: Arc<Packet>,
        damage: Option<LossReason>,
    },
    Timer {
        socket: SocketId,
        kind: TimerKind,
    },
    /// `ipfrag_time` after the first fragment of a datagram reached `host`
    /// (`ip_expire`): the queue begun at `started` is dropped if incomplete.
    FragmentsExpire {
        host: HostId,
        key: fragment::FragKey,
        started: u64,
    },
}

/// The route a socket's last packet took (`World::socket_route`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteMemo {
    dst: Ipv4Addr,
    route: (Path, HostId),
}

/// Mixed into the world's seed for the IP IDs' stream.
const IDENT_STREAM: u64 = 0x1d5e_ed1d_5eed_1d5e;
/// Linux's jiffy at CONFIG_HZ 250, in µs: the hashed IP ID generator jumps
/// by the jiffies between two uses.
const JIFFY_US: u64 = 4_000;

/// How a packet's IP ID is chosen, as Linux's `ip_select_ident_segs` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ident {
    /// A connected socket's counter (`inet_id`): TCP numbers its packets
    /// from it, UDP from one past it (`atomic_add_return`).
    Socket(SocketId),
    /// A TCP reply from no connected socket: 0 (a listener's SYN-ACK, a RST
    /// for no socket, a TIME-WAIT reply), as the kernel's captures show.
    Zero,
    /// No connected socket otherwise (an unconnected datagram, an ICMP error,
    /// a fragment): Linux's hashed generator, a counter per destination.
    Hashed,
}

#[derive(Clone, Debug)]
pub struct World {
    now: u64,
    queue: EventQueue<Event>,
    pub(crate) rng: SimRng,
    /// The IP IDs' own random stream (each connection's first, and the hashed
    /// generator's), apart from `rng` so that they change no other draw.
    ident_rng: SimRng,
    /// The hashed generator's counters, by source and destination, with the
    /// jiffy each was last used in.
    hashed_idents: FxHashMap<(Ipv4Addr, Ipv4Addr), (u64, u16)>,
    pub(crate) hosts: Vec<Host>,
    pub(crate) links: Vec<Link>,
    pub(crate) sockets: Vec<Option<Socket>>,
    ip_owner: FxHashMap<Ipv4Addr, HostId>,
    host_names: FxHashMap<String, HostId>,
    link_between: FxHashMap<(HostId, HostId), LinkId>,
    next_packet: u64,
    next_call: u64,
    next_trace: u64,
    /// Binds made so far (see `Socket::bind_order`).
    binds: u64,
    events_run: u64,
    out: Vec<TraceEvent>,
    /// Packets to drop by id, whether already in flight or not yet sent.
    drop_ids: FxHashSet<PacketId>,
    /// Packets to hold back by so many µs more when they would arrive (the
    /// learner's what-if), and packets to deliver twice.
    delay_ids: FxHashMap<PacketId, u64>,
    duplicate_ids: FxHashSet<PacketId>,
    pub(crate) tcp_config: TcpConfig,
    /// Sockets touched by the current event, whose blocked calls may now finish.
    dirty: Vec<SocketId>,
    /// What the world is handling now: each root (a call, a packet's arrival, a
    /// timer's expiry) sets it before it acts, and every effect it emits names it.
    handling: Cause,
    /// The cause of a pending error the current call just collected (see
    /// [`World::collect_error`]): its `Return` names that instead of the call.
    collected_error: Option<CauseId>,
    scratch: TcpOut,
}

impl World {
    pub fn new(seed: u64) -> World {
        World {
            now: 0,
            queue: EventQueue::default(),
            rng: SimRng::new(seed),
            ident_rng: SimRng::new(seed ^ IDENT_STREAM),
            hashed_idents: FxHashMap::default(),
            hosts: Vec::new(),
            links: Vec::new(),
            sockets: Vec::new(),
            ip_owner: FxHashMap::default(),
            host_names: FxHashMap::default(),
            link_between: FxHashMap::default(),
            next_packet: 1,
            next_call: 1,
            next_trace: 1,
            binds: 0,
            events_run: 0,
            out: Vec::new(),
            drop_ids: FxHashSet::default(),
            delay_ids: FxHashMap::default(),
            duplicate_ids: FxHashSet::default(),
            tcp_config: TcpConfig::default(),
            dirty: Vec::new(),
            // Call ids start at 1: before the first root nothing is emitted.
            handling: Cause::Call(CallId(0)),
            collected_error: None,
            scratch: TcpOut::default(),
        }
    }

    // ----- building the world ----------------------------------------------------

    pub fn add_host(&mut self, name: &str, addrs: &[Ipv4Addr]) -> Result<HostId, WorldError> {
        if self.hosts.len() >= MAX_HOSTS {
            return Err(WorldError::TooMany("hosts", MAX_HOSTS));
        }
        if self.host_names.contains_key(name) {
            return Err(WorldError::DuplicateHost(name.to_string()));
        }
        for &ip in addrs {
            if addr::is_loopback(ip) {
                return Err(WorldError::LoopbackAddress(ip));
            }
            if self.ip_owner.contains_key(&ip) {
                return Err(WorldError::AddressTaken(ip));
            }
        }
        let id = HostId(self.hosts.len() as u32);
        for &ip in addrs {
            self.ip_owner.insert(ip, id);
        }
        self.host_names.insert(name.to_string(), id);
        self.hosts.push(Host::new(name.to_string(), addrs.to_vec()));
        Ok(id)
    }

    pub fn add_link(&mut self, a: HostId, b: HostId, config: LinkConfig) -> Result<LinkId, WorldError> {
        self.host_checked(a)?;
        self.host_checked(b)?;
        if a == b {
            return Err(WorldError::SameHost);
        }
        if self.link_between.contains_key(&(a, b)) {
            return Err(WorldError::DuplicateLink);
        }
        if self.links.len() >= MAX_LINKS {
            return Err(WorldError::TooMany("links", MAX_LINKS));
        }
        let id = LinkId(self.links.len() as u32);
        self.links.push(Link::new(a, b, config));
        self.link_between.insert((a, b), id);
        self.link_between.insert((b, a), id);
        Ok(id)
    }

    /// Stack-wide TCP settings for sockets created from now on.
    /// `setrlimit(RLIMIT_NOFILE)` for a host: a server with thousands of
    /// connections needs more than the default 1024 descriptors, as on Linux.
    pub fn set_fd_limit(&mut self, host: HostId, limit: usize) -> Result<(), WorldError> {
        if limit > MAX_FDS_HARD {
            return Err(WorldError::TooMany("descriptors per host", MAX_FDS_HARD));
        }
        self.host_checked(host)?;
        self.host_mut(host).set_fd_limit(limit);
        Ok(())
    }

    pub fn tcp_config_mut(&mut self) -> &mut TcpConfig {
        &mut self.tcp_config
    }

    pub fn tcp_config(&self) -> &TcpConfig {
        &self.tcp_config
    }

    /// The stack's settings with `host`'s own (`host NAME tcp_…`) applied:
    /// what its sockets start from.
    pub fn host_tcp_config(&self, host: HostId) -> TcpConfig {
        let mut cfg = self.tcp_config.clone();
        if let Some(h) = self.hosts.get(host.0 as usize) {
            for setting in &h.tcp_settings {
                setting.apply(&mut cfg);
            }
        }
        cfg
    }

    /// One host's own TCP setting (a sysctl of its network namespace), over
    /// the stack-wide ones, for connections it starts or accepts from now on.
    pub fn set_host_tcp(&mut self, host: HostId, setting: HostTcpSetting) -> Result<(), WorldError> {
        self.host_checked(host)?;
        self.host_mut(host).set_tcp(setting);
        Ok(())
    }

    // ----- reading the world -----------------------------------------------------

    /// Simulated time, in microseconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Events run so far.
    pub fn events_run(&self) -> u64 {
        self.events_run
    }

    pub fn hosts(&self) -> impl ExactSizeIterator<Item = (HostId, &Host)> {
        self.hosts.iter().enumerate().map(|(i, h)| (HostId(i as u32), h))
    }

    pub fn host(&self, id: HostId) -> Option<&Host> {
        self.hosts.get(id.0 as usize)
    }

    pub fn host_by_name(&self, name: &str) -> Option<HostId> {
        self.host_names.get(name).copied()
    }

    pub fn host_name(&self, id: HostId) -> &str {
        self.host(id).map_or("?", |h| h.name.as_str())
    }

    pub fn link_between(&self, a: HostId, b: HostId) -> Option<LinkId> {
        self.link_between.get(&(a, b)).copied()
    }

    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id.0 as usize)
    }

    pub fn links(&self) -> impl ExactSizeIterator<Item = (LinkId, &Link)> {
        self.links.iter().enumerate().map(|(i, l)| (LinkId(i as u32), l))
    }

    pub fn socket(&self, id: SocketId) -> Option<&Socket> {
        self.sockets.get(id.0 as usize).and_then(Option::as_ref)
    }

    /// The host that owns `ip`, if any (loopback addresses belong to every host).
    pub fn owner_of(&self, ip: Ipv4Addr) -> Option<HostId> {
        self.ip_owner.get(&ip).copied()
    }

    /// Time of the next queued event.
    pub fn next_event_time(&self) -> Option<u64> {
        self.queue.next_time()
    }

    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn snapshot(&self) -> World {
        self.clone()
    }

    pub fn restore(&mut self, snapshot: &World) {
        *self = snapshot.clone();
    }

    // ----- running -----------------------------------------------------------------

    /// Takes the trace events produced since the last take.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.out)
    }

    /// Hands the pending trace events to `sink` without allocating a new buffer.
    /// An empty sink trades buffers with the world instead of copying: a run of
    /// thousands of connections leaves megabytes of events pending, and copying
    /// them was 5% of its time (`perf`, 10,000 concurrent connections).
    pub fn drain_trace_into(&mut self, sink: &mut Vec<TraceEvent>) {
        if sink.is_empty() {
            std::mem::swap(sink, &mut self.out);
        } else {
            sink.append(&mut self.out);
        }
    }

    /// How many trace events wait to be drained.
    pub fn pending_trace_len(&self) -> usize {
        self.out.len()
    }

    /// Discards pending trace events (for drivers that only want outcomes).
    pub fn discard_trace(&mut self) {
        self.out.clear();
    }

    /// Runs exactly one event and returns the trace events produced since the last
    /// take (those it caused, after any left by earlier calls). Empty when idle.
    pub fn step(&mut self) -> Vec<TraceEvent> {
        self.step_event();
        self.take_trace()
    }

    /// Runs one event, leaving its trace pending. False when the queue is empty.
    pub fn step_event(&mut self) -> bool {
        self.step_event_by(u64::MAX)
    }

    /// Runs the next event that happens, if it is due at or before `deadline`,
    /// leaving its trace pending. False when none is.
    ///
    /// Superseded timers due by `deadline` are skipped on the way; the queue's head
    /// time alone cannot tell a caller whether a real event is due, because a
    /// cancelled timer may sit before a real event that is due long after.
    pub fn step_event_by(&mut self, deadline: u64) -> bool {
        while self.queue.next_time().is_some_and(|t| t <= deadline) {
            if self.pop_event() {
                return true;
            }
        }
        false
    }

    /// Takes one entry off the queue. False when it was a superseded timer.
    fn pop_event(&mut self) -> bool {
        let Some((time, event)) = self.queue.pop() else { return false };
        // The clock moves only for events that happen: a superseded timer leaves it.
        let ran = match event {
            Event::Arrive { to, path, packet, damage } => {
                self.now = self.now.max(time);
                self.handling = Cause::Arrival(packet.id);
                let tampered = (!self.delay_ids.is_empty() || !self.duplicate_ids.is_empty())
                    && self.tamper(to, path, &packet, damage);
                if !tampered {
                    self.arrive(to, &packet, damage);
                }
                true
            }
            Event::Timer { socket, kind } => self.timer_event(socket, kind, time),
            Event::FragmentsExpire { host, key, started } => self.fragments_expire(host, key, started, time),
        };
        if ran {
            self.events_run += 1;
            self.wake_dirty_now();
        }
        ran
    }

    /// Runs every event due at or before `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: u64) {
        while self.step_event_by(until) {}
        self.now = self.now.max(until);
    }

    /// Runs until no event is left or `max_events` have run. Returns events run.
    pub fn run_until_idle(&mut self, max_events: u64) -> u64 {
        let mut n = 0;
        while n < max_events && self.step_event() {
            n += 1;
        }
        n
    }

    pub fn apply(&mut self, command: Command) -> Result<Option<CallOutcome>, WorldError> {
        match command {
            Command::Call { host, call } => self.call(host, call).map(Some),
            Command::RunUntil { until } => {
                self.run_until(until);
                Ok(None)
            }
            Command::Link { link, dir, change } => self.change_link(link, dir, change).map(|_| None),
        }
    }

    // ----- faults ------------------------------------------------------------------

    /// Changes a link's settings or injects a fault, in one direction or both.
    /// The learner's controls for link `id` moved to `settings` (they show
    /// its first direction): what moved changes in both directions, the rest
    /// stays as each direction has it ([`LinkSettings::changed_from`]).
    pub fn apply_link_settings(&mut self, id: LinkId, settings: &link::LinkSettings) -> Result<(), WorldError> {
        let l = self.link(id).ok_or(WorldError::UnknownLink(id))?;
        let shown = link::LinkSettings::of(&l.dirs[0].config);
        let there = settings.changed_from(&shown, &l.dirs[0].config);
        let back = settings.changed_from(&shown, &l.dirs[1].config);
        if there == back {
            self.change_link(id, None, FaultChange::Configure(there))
        } else {
            self.change_link(id, Some(Direction::AtoB), FaultChange::Configure(there))?;
            self.change_link(id, Some(Direction::BtoA), FaultChange::Configure(back))
        }
    }

    pub fn change_link(&mut self, id: LinkId, dir: Option<Direction>, change: FaultChange) -> Result<(), WorldError> {
        if id.0 as usize >= self.links.len() {
            return Err(WorldError::UnknownLink(id));
        }
        let dirs: &[Direction] = match dir {
            Some(Direction::AtoB) => &[Direction::AtoB],
            Some(Direction::BtoA) => &[Direction::BtoA],
            None => &[Direction::AtoB, Direction::BtoA],
        };
        let mut released = Vec::new();
        for &d in dirs {
            let ld = self.links[id.0 as usize].dir_mut(d);
            match &change {
                FaultChange::Configure(cfg) => ld.config = cfg.clone(),
                FaultChange::DropNext(n) => ld.drop_next = *n,
                FaultChange::DropPacket(p) => {
                    self.drop_ids.insert(*p);
                }
                FaultChange::DelayPacket { packet, by } => {
                    self.delay_ids.insert(*packet, *by);
                }
                FaultChange::DuplicatePacket(p) => {
                    self.duplicate_ids.insert(*p);
                }
                FaultChange::Partition => ld.partitioned = true,
                FaultChange::Repair => ld.partitioned = false,
                FaultChange::Hold => ld.held = true,
                FaultChange::Release => {
                    ld.held = false;
                    released.extend(ld.held_packets.drain(..).map(|p| (d, p)));
                }
            }
        }
        self.emit(TraceKind::Fault { link: id, dir, change });
        for (d, packet) in released {
            let link = &self.links[id.0 as usize];
            let to = link.destination(d);
            let arrival = self.now + link.dir(d).config.latency_us;
            self.schedule(arrival, Event::Arrive { to, path: Path::Link { link: id, dir: d }, packet, damage: None });
        }
        Ok(())
    }

    /// Drops a packet by id: one in flight now, or one with that id sent later.
    pub fn drop_packet(&mut self, packet: PacketId) {
        self.drop_ids.insert(packet);
        if let Some(link) = self.link_carrying(packet) {
            self.emit(TraceKind::Fault { link, dir: None, change: FaultChange::DropPacket(packet) });
        }
    }

    /// Holds one packet back `by` µs more than the link would: in flight now,
    /// or sent later with that id. It is held when it would have arrived (a
    /// `Reordered` event caused by that arrival), like a router queue that
    /// keeps one packet longer: what a retransmission timer or a reordering
    /// receiver then does is the lesson.
    pub fn delay_packet(&mut self, packet: PacketId, by: u64) {
        self.delay_ids.insert(packet, by);
        if let Some(link) = self.link_carrying(packet) {
            self.emit(TraceKind::Fault { link, dir: None, change: FaultChange::DelayPacket { packet, by } });
        }
    }

    /// Delivers one packet twice: in flight now, or sent later with that id.
    /// The copy (a new packet id, as a link's own duplicate) is made when the
    /// original arrives (a `Duplicated` event caused by that arrival) and
    /// arrives 1 µs after it.
    pub fn duplicate_packet(&mut self, packet: PacketId) {
        self.duplicate_ids.insert(packet);
        if let Some(link) = self.link_carrying(packet) {
            self.emit(TraceKind::Fault { link, dir: None, change: FaultChange::DuplicatePacket(packet) });
        }
    }

    /// The learner's delay or duplicate of the packet arriving now: makes the
    /// copy and puts the arrival off. True when the arrival is put off.
    fn tamper(&mut self, to: HostId, path: Path, packet: &Arc<Packet>, damage: Option<LossReason>) -> bool {
        let cause = CauseId::from(Cause::Arrival(packet.id));
        if self.duplicate_ids.remove(&packet.id) {
            let copy_id = self.next_packet_id();
            let copy = Arc::new(Packet { id: copy_id, ..Packet::clone(packet) });
            let arrival = self.now + 1;
            self.emit(TraceKind::Duplicated { original: packet.id, copy: copy_id, arrival, cause });
            self.schedule(arrival, Event::Arrive { to, path, packet: copy, damage });
        }
        let Some(by) = self.delay_ids.remove(&packet.id) else { return false };
        self.emit(TraceKind::Reordered { packet: packet.id, extra_delay: by, cause });
        let arrival = self.now.saturating_add(by);
        self.schedule(arrival, Event::Arrive { to, path, packet: packet.clone(), damage });
        true
    }

    fn link_carrying(&self, packet: PacketId) -> Option<LinkId> {
        self.queue.iter().find_map(|(_, event)| match event {
            Event::Arrive { path: Path::Link { link, .. }, packet: p, .. } if p.id == packet => Some(*link),
            _ => None,
        })
    }

    /// Packets on their way now: (packet, path, arrival time), soonest first.
    pub fn in_flight(&self) -> Vec<(&Packet, Path, u64)> {
        let mut v: Vec<_> = self
            .queue
            .iter()
            .filter_map(|(time, event)| match event {
                Event::Arrive { path, packet, .. } => Some((&**packet, *path, time)),
                Event::Timer { .. } | Event::FragmentsExpire { .. } => None,
            })
            .collect();
        v.sort_by_key(|(p, _, t)| (*t, p.id));
        v
    }

    // ----- internals shared by the protocol modules ------------------------------

    pub(crate) fn host_checked(&self, id: HostId) -> Result<&Host, WorldError> {
        self.hosts.get(id.0 as usize).ok_or(WorldError::UnknownHost(id))
    }

    pub(crate) fn host_mut(&mut self, id: HostId) -> &mut Host {
        &mut self.hosts[id.0 as usize]
    }

    pub(crate) fn sock(&self, id: SocketId) -> &Socket {
        self.sockets[id.0 as usize].as_ref().expect("socket ids in tables always refer to live sockets")
    }

    pub(crate) fn sock_mut(&mut self, id: SocketId) -> &mut Socket {
        self.sockets[id.0 as usize].as_mut().expect("socket ids in tables always refer to live sockets")
    }

    pub(crate) fn insert_socket(&mut self, make: impl FnOnce(SocketId) -> Socket) -> SocketId {
        let id = SocketId(self.sockets.len() as u32);
        self.sockets.push(Some(make(id)));
        id
    }

    pub(crate) fn remove_socket(&mut self, id: SocketId) {
        self.sockets[id.0 as usize] = None;
    }

    /// Appends an event to the trace and returns its id.
    pub(crate) fn emit(&mut self, kind: TraceKind) -> u64 {
        let id = self.next_trace;
        self.next_trace += 1;
        self.out.push(TraceEvent { id, time: self.now, kind });
        id
    }

    /// What the world is handling now, for the effects it emits.
    pub(crate) fn handling(&self) -> Cause {
        self.handling
    }

    /// Starts handling call `call`: its effects name it until the next root.
    pub(crate) fn handle_call(&mut self, call: CallId) {
        self.handling = Cause::Call(call);
        self.collected_error = None;
    }

    /// A call took socket `sid`'s pending error: its return is caused by what
    /// caused the error (the RST, the ICMP, the timer), not by the call.
    pub(crate) fn collect_error(&mut self, sid: SocketId) {
        self.collected_error = self.sock_mut(sid).error_cause.take();
    }

    /// The cause a `Return` names: the collected error's, else `otherwise`.
    pub(crate) fn return_cause(&mut self, otherwise: Cause) -> CauseId {
        self.collected_error.take().unwrap_or_else(|| CauseId::from(otherwise))
    }

    /// Handles a SYN's arrival at a listener while `f` runs: the connection it
    /// creates, and what that connection sends, name it. Returns `f`'s value.
    pub(crate) fn handling_syn<T>(&mut self, syn: PacketId, f: impl FnOnce(&mut World) -> T) -> T {
        let outer = std::mem::replace(&mut self.handling, Cause::SynAtListener(syn));
        let value = f(self);
        self.handling = outer;
        value
    }

    /// Calls made so far.
    pub(crate) fn call_count(&self) -> u64 {
        self.next_call - 1
    }

    pub(crate) fn new_call_id(&mut self) -> CallId {
        let id = CallId(self.next_call);
        self.next_call += 1;
        id
    }

    pub(crate) fn mark_dirty(&mut self, id: SocketId) {
        if !self.dirty.contains(&id) {
            self.dirty.push(id);
        }
    }

    pub(crate) fn take_scratch(&mut self) -> TcpOut {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out
    }

    pub(crate) fn return_scratch(&mut self, out: TcpOut) {
        self.scratch = out;
    }

    fn schedule(&mut self, time: u64, event: Event) {
        // Linux's delayed-ACK timer fires on the first jiffy tick at or after
        // its expiry (tcp_delack_timer): a segment arriving at that instant is
        // taken first, and the ACK that then leaves covers it too.
        if matches!(event, Event::Timer { kind: TimerKind::DelayedAck, .. }) {
            self.queue.push_after_ties(time, event);
        } else {
            self.queue.push(time, event);
        }
    }

    /// Keeps one queued event per running timer: a new, earlier deadline gets its
    /// own event; a later one is re-queued when the earlier event comes up.
    pub(crate) fn sync_timers(&mut self, id: SocketId) {
        let Some(sock) = self.sockets[id.0 as usize].as_mut() else { return };
        // The connection's deadlines and the socket's queued events are two
        // fields of one socket: borrowed apart, nothing is copied.
        let socket::SocketKind::Tcp(tcp) = &sock.kind else { return };
        let Some(timers) = tcp.tcb.as_ref().map(|tcb| &tcb.timers) else { return };
        // Fixed-size: this runs after every segment, and must not allocate.
        let mut to_schedule = [None; TimerKind::ALL.len()];
        for kind in TimerKind::ALL {
            let Some(deadline) = timers.get(kind) else { continue };
            let queued = &mut sock.timer_events[kind.index()];
            if queued.is_none_or(|q| q > deadline) {
                *queued = Some(deadline);
                to_schedule[kind.index()] = Some((kind, deadline));
            }
        }
        for (kind, deadline) in to_schedule.into_iter().flatten() {
            self.schedule(deadline, Event::Timer { socket: id, kind });
        }
    }

    /// A timer event came up. Returns whether a timer really fired.
    fn timer_event(&mut self, id: SocketId, kind: TimerKind, time: u64) -> bool {
        let Some(sock) = self.sockets.get_mut(id.0 as usize).and_then(Option::as_mut) else { return false };
        if sock.timer_events[kind.index()] != Some(time) {
            return false; // superseded by an earlier event for the same timer
        }
        sock.timer_events[kind.index()] = None;
        let deadline = sock.tcp().and_then(|t| t.tcb.as_ref()).and_then(|tcb| tcb.timers.get(kind));
        match deadline {
            None => false,
            Some(d) if d > time => {
                sock.timer_events[kind.index()] = Some(d);
                self.schedule(d, Event::Timer { socket: id, kind });
                false
            }
            Some(_) => {
                let host = sock.host;
                self.now = self.now.max(time);
                let event = self.emit(TraceKind::Timer { host, socket: id, timer: kind });
                self.handling = Cause::Timer(event);
                self.tcp_timer(id, kind);
                true
            }
        }
    }

    fn next_packet_id(&mut self) -> PacketId {
        let id = PacketId(self.next_packet);
        self.next_packet += 1;
        id
    }

    /// The path from `from` to `dst`, and the host at its end.
    pub(crate) fn route(&self, from: HostId, dst: Ipv4Addr) -> Option<(Path, HostId)> {
        let host = &self.hosts[from.0 as usize];
        if host.owns(dst) {
            return Some((Path::Loopback { host: from }, from));
        }
        let owner = self.owner_of(dst)?;
        let link = self.link_between(from, owner)?;
        let dir = self.links[link.0 as usize].direction_from(from);
        Some((Path::Link { link, dir }, owner))
    }

    /// Whether a packet from `src` to `dst` would leave `from` over a link with
    /// a loopback source: Linux refuses that route (`__mkroute_output`: a
    /// 127.x source only on the loopback device), so a socket bound to
    /// 127.0.0.1 can reach its own host and no other; connect and sendto say
    /// EINVAL.
    pub(crate) fn loopback_source_leaves(&self, from: HostId, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        src.is_loopback() && matches!(self.route(from, dst), Some((Path::Link { .. }, _)))
    }

    /// `route` for a socket's packet, remembered on the socket: a connection
    /// sends every packet to one peer, and looking the peer's address and the
    /// link up in the world's tables cost a cache miss each once thousands of
    /// connections outgrow the caches (`perf`: 10% of the time at 10,000
    /// concurrent connections, 4% at 1,000). Hosts and links are never removed
    /// and an address never changes hands, so a route once found stays right;
    /// a socket's packets always leave from its own host.
    fn socket_route(&mut self, from: HostId, socket: Option<SocketId>, dst: Ipv4Addr) -> Option<(Path, HostId)> {
        let slot = socket.and_then(|s| self.sockets.get(s.0 as usize)).and_then(Option::as_ref);
        if let Some(memo) = slot.and_then(|s| s.route).filter(|m| m.dst == dst) {
            return Some(memo.route);
        }
        let route = self.route(from, dst);
        let sock = socket.and_then(|s| self.sockets.get_mut(s.0 as usize)).and_then(Option::as_mut);
        if let (Some(found), Some(sock)) = (route, sock) {
            sock.route = Some(RouteMemo { dst, route: found });
        }
        route
    }

    /// MTU of the path from `from` to `dst` (loopback when unroutable, so callers
    /// can still size segments).
    pub(crate) fn path_mtu(&self, from: HostId, dst: Ipv4Addr) -> u32 {
        self.route_mtu(from, self.route(from, dst))
    }

    fn route_mtu(&self, from: HostId, route: Option<(Path, HostId)>) -> u32 {
        match route {
            Some((Path::Link { link, .. }, _)) => self.links[link.0 as usize].mtu(),
            _ => self.hosts[from.0 as usize].loopback.config.mtu,
        }
    }

    /// Sends a packet from a host: through the link's faults and delays, into
    /// the queue. A UDP datagram larger than the path MTU leaves as IPv4
    /// fragments (`ip_fragment`), each a packet of its own that the link may
    /// lose, duplicate or reorder alone.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn transmit(
        &mut self,
        from: HostId,
        socket: Option<SocketId>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        body: Body,
        reason: SendReason,
        ident: Ident,
    ) {
        let id = self.next_packet_id();
        // Routed once: the MTU and every fragment's path come from the same look-up.
        let route = self.socket_route(from, socket, dst);
        let fragments = match &body {
            Body::Udp(d) => fragment::cut(src, dst, d, self.route_mtu(from, route)),
            _ => None,
        };
        let Some(fragments) = fragments else {
            let ip_id = self.ip_ident(ident, matches!(body, Body::Tcp(_)), src, dst);
            self.transmit_packet(from, socket, route, Packet { id, src, dst, ip_id, ttl: 64, body }, reason);
            return;
        };
        // Too big for DF: the fragments of one datagram all carry one IP ID
        // from the hashed generator (the receiver groups them by it).
        let ip_id = self.ip_ident(Ident::Hashed, false, src, dst);
        for (i, piece) in fragments.into_iter().enumerate() {
            let id = if i == 0 { id } else { self.next_packet_id() };
            let packet = Packet { id, src, dst, ip_id, ttl: 64, body: Body::Fragment(piece) };
            self.transmit_packet(from, socket, route, packet, reason);
        }
    }

    /// The next IP ID as `ident` says, for a packet from `src` to `dst`
    /// (`tcp`: TCP takes its counter's value, then counts on; UDP counts on
    /// first).
    fn ip_ident(&mut self, ident: Ident, tcp: bool, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        match ident {
            Ident::Zero => 0,
            // ip_idents_reserve: a counter per (hashed) source and destination,
            // one on per packet, and a random jump below the jiffies gone by
            // since its last use (a 4 ms jiffy, CONFIG_HZ 250 as Debian's).
            Ident::Hashed => {
                let jiffy = self.now / JIFFY_US;
                let drawn = self.ident_rng.next_u32();
                let (last, counter) = self.hashed_idents.entry((src, dst)).or_insert((jiffy, drawn as u16));
                let gone = jiffy - *last;
                let jump = if gone > 0 { (u64::from(drawn) % gone) as u16 } else { 0 };
                *last = jiffy;
                *counter = counter.wrapping_add(1).wrapping_add(jump);
                *counter
            }
            Ident::Socket(sid) => {
                let Some(sock) = self.sockets.get_mut(sid.0 as usize).and_then(Option::as_mut) else { return 0 };
                // Connected sockets drew theirs when they connected; a draw
                // here only covers a path that forgot to.
                let counter = sock.ip_ident.get_or_insert_with(|| self.ident_rng.next_u32() as u16);
                let before = *counter;
                *counter = before.wrapping_add(1);
                if tcp {
                    before
                } else {
                    *counter
                }
            }
        }
    }

    /// A connected socket's IP ID counter starts at random (`inet_id`).
    pub(crate) fn start_ip_ident(&mut self, sid: SocketId) {
        let drawn = self.ident_rng.next_u32() as u16;
        self.sock_mut(sid).ip_ident = Some(drawn);
    }

    /// Puts one packet on `route` (`World::route`'s answer for its destination).
    fn transmit_packet(
        &mut self,
        from: HostId,
        socket: Option<SocketId>,
        route: Option<(Path, HostId)>,
        packet: Packet,
        reason: SendReason,
    ) {
        let id = packet.id;
        // One allocation per packet, shared by its trace record and its arrival,
        // instead of a copy for each: it keeps both small enough to move cheaply.
        let packet = Arc::new(packet);
        let cause = CauseId::from(self.handling);
        let Some((path, to)) = route else {
            let now = self.now;
            self.emit(TraceKind::Sent {
                host: from,
                socket,
                path: Path::Loopback { host: from },
                reason,
                arrival: now,
                packet,
                to: None,
                cause,
            });
            self.emit(TraceKind::Lost { packet: id, reason: LossReason::NoRoute, cause });
            return;
        };
        let now = self.now;
        let size = packet.wire_len();
        let dir_state = match path {
            Path::Link { link, dir } => self.links[link.0 as usize].dir_mut(dir),
            Path::Loopback { host } => &mut self.hosts[host.0 as usize].loopback,
        };
        let depart = now.max(dir_state.busy_until) + dir_state.serialization_us(size);
        let config = dir_state.config.clone();
        let partitioned = dir_state.partitioned;
        let held = dir_state.held;
        let drop_next = dir_state.drop_next > 0;
        if drop_next {
            dir_state.drop_next -= 1;
        }
        if !partitioned && !held && !drop_next {
            dir_state.busy_until = depart;
        }
        let jitter = if config.jitter_us > 0 { self.rng.below(config.jitter_us + 1) } else { 0 };
        let mut arrival = depart + config.latency_us + jitter;
        self.emit(TraceKind::Sent {
            host: from,
            socket,
            path,
            reason,
            arrival,
            packet: packet.clone(),
            to: Some(to),
            cause,
        });
        let loss = if partitioned {
            Some(LossReason::Partition)
        } else if drop_next {
            Some(LossReason::DropNext)
        } else if !self.drop_ids.is_empty() && self.drop_ids.remove(&id) {
            Some(LossReason::DropById)
        } else if !held && self.rng.chance(config.loss) {
            Some(LossReason::Random)
        } else {
            None
        };
        if let Some(reason) = loss {
            self.emit(TraceKind::Lost { packet: id, reason, cause });
            return;
        }
        if held {
            self.emit(TraceKind::Held { packet: id, cause });
            if let Path::Link { link, dir } = path {
                self.links[link.0 as usize].dir_mut(dir).held_packets.push_back(packet);
            }
            return;
        }
        if config.reorder > 0.0 && self.rng.chance(config.reorder) {
            let extra = config.reorder_delay_us.max(config.latency_us).max(1);
            arrival += extra;
            self.emit(TraceKind::Reordered { packet: id, extra_delay: extra, cause });
        }
        // Damage travels with the packet and is found by the receiver. Nothing is
        // drawn when both probabilities are 0, so older traces stay identical.
        let mut damage = None;
        if config.corrupt > 0.0 && self.rng.chance(config.corrupt) {
            let bit = self.rng.below(size as u64 * 8) as u32;
            damage = Some(LossReason::Checksum { bit });
        }
        if damage.is_none() && config.truncate > 0.0 && self.rng.chance(config.truncate) {
            let kept = self.rng.below(size as u64) as u32;
            damage = Some(LossReason::Truncated { kept });
        }
        // A copy (netem's `duplicate`) arrives right behind its original, before
        // any packet sent after it: events due at one instant run in the order
        // they were queued.
        let copy = (config.duplicate > 0.0 && self.rng.chance(config.duplicate))
            .then(|| Arc::new(Packet { id: self.next_packet_id(), ..Packet::clone(&packet) }));
        self.schedule(arrival, Event::Arrive { to, path, packet, damage });
        if let Some(copy) = copy {
            self.emit(TraceKind::Duplicated { original: id, copy: copy.id, arrival, cause });
            self.schedule(arrival, Event::Arrive { to, path, packet: copy, damage: None });
        }
    }

    fn arrive(&mut self, to: HostId, packet: &Packet, damage: Option<LossReason>) {
        let cause = CauseId::from(self.handling);
        if !self.drop_ids.is_empty() && self.drop_ids.remove(&packet.id) {
            self.emit(TraceKind::Lost { packet: packet.id, reason: LossReason::DropById, cause });
            return;
        }
        if let Some(reason) = damage {
            self.emit(TraceKind::Lost { packet: packet.id, reason, cause });
            return;
        }
        match packet.body {
            Body::Tcp(_) => self.tcp_arrive(to, packet),
            Body::Udp(_) => self.udp_arrive(to, packet),
            Body::PortUnreachable(_) => self.icmp_arrive(to, packet),
            Body::Fragment(_) => self.fragment_arrive(to, packet),
        }
    }

    /// A fragment reached its destination host (`ip_defrag`): it joins its
    /// datagram's queue, and the one that completes the datagram delivers it.
    fn fragment_arrive(&mut self, to: HostId, packet: &Packet) {
        let Body::Fragment(piece) = &packet.body else { return };
        let cause = CauseId::from(self.handling);
        let key = fragment::FragKey { src: packet.src, dst: packet.dst, ip_id: packet.ip_id };
        let now = self.now;
        match self.hosts[to.0 as usize].reassembly.add(key, packet.id, piece, now) {
            fragment::Added::Queued { new_queue } => {
                self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: None });
                if new_queue {
                    let at = now + fragment::IPFRAG_TIME_US;
                    self.schedule(at, Event::FragmentsExpire { host: to, key, started: now });
                }
            }
            fragment::Added::Duplicate => {
                self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: None });
            }
            fragment::Added::Discarded { fragments } => {
                self.emit(TraceKind::Delivered { packet: packet.id, host: to, socket: None });
                self.emit(TraceKind::FragmentsDiscarded {
                    host: to,
                    src: packet.src,
                    ip_id: packet.ip_id,
                    fragments,
                    reason: ReassemblyFailure::Overlap,
                    cause: Some(cause),
                });
            }
            fragment::Added::Complete { bytes, fragments } => {
                self.emit(TraceKind::Reassembled { host: to, packet: packet.id, ip_id: packet.ip_id, fragments });
                // A datagram shorter than its UDP header cannot come of cut
                // fragments; one made of forged fragments is dropped.
                if bytes.len() < UDP_HEADER_LEN {
                    return;
                }
                let port = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
                let datagram = packet::UdpDatagram {
                    src_port: port(0),
                    dst_port: port(2),
                    payload: Arc::from(&bytes[UDP_HEADER_LEN..]),
                };
                let whole = Packet {
                    id: packet.id,
                    src: packet.src,
                    dst: packet.dst,
                    ip_id: packet.ip_id,
                    ttl: packet.ttl,
                    body: Body::Udp(datagram),
                };
                self.udp_arrive(to, &whole);
            }
        }
    }

    /// `ip_expire`: the datagram begun at `started` is still incomplete
    /// `ipfrag_time` later, and its fragments are thrown away. Returns whether
    /// it was (a completed datagram leaves its timer nothing to do).
    fn fragments_expire(&mut self, host: HostId, key: fragment::FragKey, started: u64, time: u64) -> bool {
        let Some(queue) = self.hosts[host.0 as usize].reassembly.expire(key, started) else { return false };
        self.now = self.now.max(time);
        self.emit(TraceKind::FragmentsDiscarded {
            host,
            src: key.src,
            ip_id: key.ip_id,
            fragments: queue.packets,
            reason: ReassemblyFailure::Timeout,
            cause: None,
        });
        true
    }

    pub(crate) fn pop_dirty(&mut self) -> Option<SocketId> {
        self.dirty.pop()
    }
}

/// The IP IDs and DF a run's packets carry, as Linux picks them
/// (`ip_select_ident_segs`), checked against kernel captures by
/// `socklab diff --packets`.
#[cfg(test)]
mod ident_tests {
    use super::packet::Body;
    use super::{HostId, Packet, SendReason, TraceKind};
    use crate::lesson::scripts::prepare;
    use crate::lesson::timeline::Timeline;

    /// Every packet of `text`'s run: sender, reason and packet.
    fn sent(text: &str) -> Vec<(HostId, SendReason, Packet)> {
        let p = prepare(text, None).expect("runs");
        assert!(p.report.passed(), "{:?}", p.report.failures);
        let t = Timeline::run(p.world, p.commands, &[]);
        t.trace
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { host, reason, packet, .. } => Some((*host, *reason, Packet::clone(packet))),
                _ => None,
            })
            .collect()
    }

    fn ids(packets: &[&Packet]) -> Vec<u16> {
        packets.iter().map(|p| p.ip_id).collect()
    }

    /// Counts on by one from its first value.
    fn counts_on(ids: &[u16]) -> bool {
        ids.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
    }

    #[test]
    fn a_connection_numbers_its_packets_and_the_listener_and_time_wait_answer_with_zero() {
        // The server closes first; the client's ACK of its FIN goes alone (its
        // close waits), so the server is orphaned in FIN-WAIT-2, a timewait
        // sock in Linux, when the client's FIN comes.
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
            client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n\
            client: send(c, \"hello\") = 5\nserver: recv(a, 10) = \"hello\"\nserver: close(a) = 0\n\
            client: recv(c, 10) = \"\"\n+300ms\nclient: close(c) = 0\n+1s\n";
        let all = sent(text);
        let (server, client) = (HostId(0), HostId(1));
        let tcp = |p: &Packet| match &p.body {
            Body::Tcp(s) => Some(s.flags),
            _ => None,
        };
        let synack = all.iter().find(|(_, _, p)| tcp(p).is_some_and(|f| f.syn() && f.ack())).expect("a SYN-ACK");
        assert_eq!(synack.2.ip_id, 0, "the listener's request sends the SYN-ACK");
        let from_client: Vec<&Packet> = all.iter().filter(|(h, ..)| *h == client).map(|(_, _, p)| p).collect();
        assert!(counts_on(&ids(&from_client)), "the client's counter, from its SYN on: {:?}", ids(&from_client));
        let from_server: Vec<&Packet> = all
            .iter()
            .filter(|(h, _, p)| *h == server && !tcp(p).is_some_and(|f| f.syn()))
            .map(|(_, _, p)| p)
            .collect();
        // The server's ACK of the client's FIN comes from its timewait sock.
        let (last, counted) = from_server.split_last().expect("server packets");
        assert_eq!(last.ip_id, 0, "{:?}", ids(&from_server));
        assert!(counts_on(&ids(counted)), "{:?}", ids(counted));
        assert!(all.iter().all(|(_, _, p)| crate::wire::to_bytes(p).is_ok_and(|b| b[6] & 0x40 != 0)), "DF on TCP");
    }

    #[test]
    fn datagrams_count_per_destination_or_per_connected_socket_and_fragments_and_errors_carry_no_df() {
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: s = socket(udp)\nserver: bind(s, 10.0.0.1:9) = 0\n\
            client: u = socket(udp)\nclient: sendto(u, \"a\", 10.0.0.1:9) = 1\nclient: sendto(u, \"b\", 10.0.0.1:9) = 1\n\
            client: c = socket(udp)\nclient: connect(c, 10.0.0.1:9) = 0\nclient: send(c, \"c\") = 1\n\
            client: send(c, \"d\") = 1\nclient: sendto(u, \"e\", 10.0.0.1:7) = 1\n+50ms\n";
        let all = sent(text);
        let datagrams: Vec<&Packet> =
            all.iter().filter(|(_, r, _)| *r == SendReason::Datagram).map(|(.., p)| p).collect();
        assert_eq!(datagrams.len(), 5);
        // Unconnected, in one instant: the hashed counter for that destination counts on.
        assert_eq!(datagrams[1].ip_id, datagrams[0].ip_id.wrapping_add(1));
        // Connected: its own counter.
        assert_eq!(datagrams[3].ip_id, datagrams[2].ip_id.wrapping_add(1));
        let df = |p: &Packet| crate::wire::to_bytes(p).is_ok_and(|b| b[6] & 0x40 != 0);
        assert!(datagrams.iter().all(|p| df(p)), "DF on a datagram that fits");
        let icmp = all.iter().find(|(.., p)| matches!(p.body, Body::PortUnreachable(_))).expect("port 7 refuses");
        assert!(!df(&icmp.2), "the ICMP socket sets no DF");
        let big = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: s = socket(udp)\nserver: bind(s, 10.0.0.1:9) = 0\nclient: u = socket(udp)\n\
            client: sendto(u, 3000 bytes, 10.0.0.1:9) = 3000\n+50ms\n";
        let pieces: Vec<Packet> =
            sent(big).into_iter().map(|(.., p)| p).filter(|p| matches!(p.body, Body::Fragment(_))).collect();
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.ip_id == pieces[0].ip_id && !df(p)), "one ID, no DF");
    }
}
