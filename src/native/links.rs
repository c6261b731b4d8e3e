//! Links with the lessons' latency on the kernel's side of `socklab diff
//! --packets`. On `lo` a round trip takes 10–30 µs, and whatever in Linux's
//! TCP follows the RTT (how many segments a GSO packet holds and so where PSH
//! goes, Nagle joining writes while an ACK is on its way, RACK's and the
//! probes' timers, the delayed-ACK timer against the next segment) comes out
//! as it never would over the lessons' links. `netem` is not available here,
//! so the links are this module's own:
//!
//! - every script host gets a network namespace of its own inside the run's
//!   loopback-only one, made by `unshare(CLONE_NEWNET)` from the driver's
//!   thread and entered again only to open a socket or read a table there
//!   ([`HostNamespace::within`]); every other call works on the socket's fd
//!   from any namespace;
//! - the host's 127.b.h.x addresses (see [`super::map`]) sit on a TUN device
//!   of that namespace, with a route to the rest of the block through it
//!   (`route_localnet`, since Linux otherwise keeps 127.0.0.0/8 off any device
//!   but `lo`), and its own TCP sysctls: a host's `tcp_sack 0` is that host's
//!   alone here, as in the model;
//! - a relay thread reads each packet from the sender's device, records it
//!   (it is the wire: the capture the diff reads), drops it when a script's
//!   `drop next` says so, and writes it to the receiver's device when the
//!   link's latency has passed, in order per link. TUN devices take no GSO
//!   packets, so the kernel cuts its GSO packets into segments before they
//!   reach a link, as a NIC does on the wire.
//!
//! Nothing leaves the run's namespace: the TUN devices' only other end is the
//! relay.

use super::block::{self, BlockClaim};
use super::capture::Frame;
use super::map::AddressMap;
use super::netns::{SetupError, Sysctl};
use crate::net::link::LinkConfig;
use crate::net::Ipv4Addr;
use crate::script::ast::LinkSetting;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest the relay sleeps without looking at the stop flag.
const RELAY_TICK: Duration = Duration::from_millis(5);

/// The longest [`Wire::settle`] waits for the relay (which takes microseconds).
const SETTLE_LIMIT: Duration = Duration::from_secs(1);

/// One script host's network namespace, and the one the driver's thread
/// returns to.
pub struct HostNamespace {
    namespace: OwnedFd,
    home: Arc<OwnedFd>,
}

impl HostNamespace {
    /// Runs `f` with this thread inside the host's namespace: sockets made
    /// there are the host's, and `/proc/thread-self/net` shows its tables.
    pub fn within<T>(&self, f: impl FnOnce() -> T) -> io::Result<T> {
        enter(&self.namespace)?;
        let out = f();
        enter(&self.home)?;
        Ok(out)
    }
}

fn enter(namespace: &OwnedFd) -> io::Result<()> {
    // SAFETY: setns on an open namespace fd changes only this thread's namespace.
    match unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// What the relay and the driver share.
struct Wire {
    state: Mutex<WireState>,
    stop: AtomicBool,
    /// Wakes the relay from its wait (an eventfd).
    wake: OwnedFd,
    /// Requests to read every device (see [`Wire::settle`]), numbered from 1.
    requested: AtomicU64,
    /// The last request the relay had seen when it began a pass over the
    /// devices that it has since finished.
    served: Mutex<u64>,
    /// Signalled when `served` moves on.
    settled: Condvar,
}

struct WireState {
    /// One-way latency in µs, `[from][to]` by host index; none where no
    /// `link` line joins the two, and the model finds no route either.
    latency_us: Vec<Vec<Option<u64>>>,
    /// Packets still to drop, `[from][to]`.
    drop_next: Vec<Vec<u32>>,
    /// Links cut by a `partition` line until `repair`, `[from][to]`.
    partitioned: Vec<Vec<bool>>,
    /// Links that keep what they carry (`hold`) until `release`, `[from][to]`.
    holding: Vec<Vec<bool>>,
    /// What held links keep, as (from, to, packet), oldest first; and what a
    /// `release` let go, for the relay to send on with the link's latency.
    kept: Vec<(usize, usize, Vec<u8>)>,
    released: Vec<(usize, usize, Vec<u8>)>,
    /// Packets each host has sent each other so far, `[from][to]`.
    sent: Vec<Vec<u64>>,
    /// What the model's links did to packets, by their place on the link.
    fates: Fates,
    /// Every packet a host sent to another, as it entered the link.
    frames: Vec<Frame>,
    recording: bool,
}

impl Wire {
    /// Returns once the relay has read every packet the hosts had sent when
    /// this was called: a change to the links (a drop, a latency) then holds
    /// from the next packet a host sends, as a script line's does in the model,
    /// and not from one still queued on a device.
    fn settle(&self) {
        let request = self.requested.fetch_add(1, Ordering::AcqRel) + 1;
        let one: u64 = 1;
        // SAFETY: writes 8 bytes, as an eventfd takes them.
        unsafe { libc::write(self.wake.as_raw_fd(), (&one as *const u64).cast(), 8) };
        // A pass that began after the request was made read the devices after
        // the packets were on them.
        // The driver waits asleep: spinning, it would hold the one CPU the
        // relay runs on for milliseconds.
        let served = self.served.lock().unwrap_or_else(PoisonError::into_inner);
        let waited = self.settled.wait_timeout_while(served, SETTLE_LIMIT, |served| *served < request);
        drop(waited);
    }

    fn state(&self) -> MutexGuard<'_, WireState> {
        // The relay never panics while holding the lock; should it, its
        // numbers are still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the model's link did to one packet, for the kernel's link to do the
/// same to the packet in the same place (see [`Fates`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Lost on the way (the link's random loss).
    Lost,
    /// Delivered once per delay, each µs after its sending: a packet held
    /// past later ones, or one the link copied.
    Delivered(Vec<u64>),
    /// Delivered after `after_us` with one bit flipped, counted from the
    /// first bit of the IPv4 header: the receiver's checksum drops it.
    Corrupted { bit: u32, after_us: u64 },
    /// Delivered after `after_us` cut short after `kept` bytes: the
    /// receiver's length check drops it.
    Truncated { kept: u32, after_us: u64 },
}

/// The model's random link faults, replayed: each faulted packet's [`Fate`]
/// by (sending host, receiving host, its place among the packets the one sent
/// the other, from 0). The kernel's packets meet the same faults as long as
/// each link carries the same packets in the same order, which holds where
/// the rest of the diff agrees.
pub type Fates = std::collections::HashMap<(usize, usize, u64), Fate>;

/// The run's hosts, each in its namespace, joined by delayed links.
pub struct Links {
    claim: BlockClaim,
    hosts: Vec<Arc<HostNamespace>>,
    devices: Vec<String>,
    sources: Vec<Ipv4Addr>,
    wire: Arc<Wire>,
    relay: Option<JoinHandle<()>>,
}

impl Links {
    /// Makes one namespace per host of `hosts` (in script order), with its
    /// addresses under the map of a block claimed now, a device of `mtu` and
    /// the sysctls `sysctls_of(host index)`, and starts the relay. Two hosts
    /// are joined once a `link` line says so ([`Links::configure`]), as the
    /// model's link's default ([`LinkConfig::default`]) with the line's
    /// settings; until then their packets are lost, as the model's are.
    pub fn start(
        hosts: &[(String, Vec<Ipv4Addr>)],
        mtu: u32,
        sysctls_of: &dyn Fn(usize) -> Vec<Sysctl>,
    ) -> Result<Links, SetupError> {
        let failed = |what: &str, e: String| SetupError::Failed(what.to_string(), e);
        let claim = block::claim().map_err(|e| failed("claim a block of loopback addresses", e.to_string()))?;
        let map =
            AddressMap::new(hosts, claim.block(), true).map_err(|e| failed("map the addresses", e.to_string()))?;
        let home = Arc::new(open_namespace().map_err(|e| failed("open this thread's namespace", e.to_string()))?);
        let mut namespaces = Vec::new();
        let mut tuns = Vec::new();
        let mut devices = Vec::new();
        let mut sources = Vec::new();
        for (h, (_, addrs)) in hosts.iter().enumerate() {
            let device = format!("socklab{h}");
            let own: Vec<Ipv4Addr> =
                addrs.iter().map(|&a| *map.to_real(h, crate::net::SocketAddrV4::new(a, 0)).ip()).collect();
            let loopback = map.source_for(h, Some(Ipv4Addr::LOCALHOST));
            let source = map.source_for(h, None);
            // SAFETY: unshare(CLONE_NEWNET) moves only this thread to a new namespace.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(failed("unshare(CLONE_NEWNET)", io::Error::last_os_error().to_string()));
            }
            let made = (|| {
                let namespace = open_namespace().map_err(|e| failed("open the new namespace", e.to_string()))?;
                let tun = open_tun(&device).map_err(|e| failed(&format!("open TUN {device}"), e.to_string()))?;
                set_up_host(&device, mtu, loopback, &own, claim.block(), source)?;
                for s in sysctls_of(h) {
                    write_sysctl(s.name, &s.value)?;
                }
                Ok((namespace, tun))
            })();
            enter(&home).map_err(|e| failed("return to the run's namespace", e.to_string()))?;
            let (namespace, tun) = made?;
            namespaces.push(Arc::new(HostNamespace { namespace, home: Arc::clone(&home) }));
            tuns.push(tun);
            devices.push(device);
            sources.push(source);
        }
        let n = hosts.len();
        let wire = Arc::new(Wire {
            state: Mutex::new(WireState {
                latency_us: vec![vec![None; n]; n],
                drop_next: vec![vec![0; n]; n],
                partitioned: vec![vec![false; n]; n],
                holding: vec![vec![false; n]; n],
                kept: Vec::new(),
                released: Vec::new(),
                sent: vec![vec![0; n]; n],
                fates: Fates::new(),
                frames: Vec::new(),
                recording: true,
            }),
            stop: AtomicBool::new(false),
            wake: eventfd().map_err(|e| failed("eventfd", e.to_string()))?,
            requested: AtomicU64::new(0),
            served: Mutex::new(0),
            settled: Condvar::new(),
        });
        let started = Instant::now();
        let relay_wire = Arc::clone(&wire);
        let block = claim.block();
        let relay = std::thread::Builder::new()
            .name("socklab-links".into())
            .spawn(move || relay(tuns, block, &relay_wire, started))
            .map_err(|e| failed("start the relay", e.to_string()))?;
        Ok(Links { claim, hosts: namespaces, devices, sources, wire, relay: Some(relay) })
    }

    /// The block of loopback addresses the hosts' addresses are in.
    pub fn block(&self) -> u8 {
        self.claim.block()
    }

    /// The `host`-th script host's namespace.
    pub fn namespace(&self, host: usize) -> Option<Arc<HostNamespace>> {
        self.hosts.get(host).cloned()
    }

    /// A `link` line between hosts `a` and `b` (indices): its latency from
    /// `a` to `b`, and back unless `one_way`. The MTU is set once for the run,
    /// and the random faults (loss, duplication, reordering, corruption,
    /// truncation) are replayed packet by packet from the model's run
    /// ([`Links::replay`]); returned are the settings not reproduced.
    pub fn configure(&self, a: usize, b: usize, one_way: bool, settings: &[LinkSetting]) -> Vec<String> {
        self.wire.settle();
        let mut state = self.wire.state();
        let ways = if one_way { vec![(a, b)] } else { vec![(a, b), (b, a)] };
        let mut ignored = Vec::new();
        for (from, to) in ways {
            let Some(latency) = state.latency_us.get_mut(from).and_then(|row| row.get_mut(to)) else { continue };
            let default = LinkConfig::default().latency_us;
            let mut config = LinkConfig { latency_us: latency.unwrap_or(default), ..LinkConfig::default() };
            LinkSetting::apply_all(settings, &mut config);
            *latency = Some(config.latency_us);
        }
        for s in settings {
            match s {
                LinkSetting::Latency(_)
                | LinkSetting::Mtu(_)
                | LinkSetting::Loss(_)
                | LinkSetting::Dup(_)
                | LinkSetting::Reorder(_)
                | LinkSetting::ReorderDelay(_)
                | LinkSetting::Corrupt(_)
                | LinkSetting::Truncate(_) => {}
                other => ignored.push(format!("{other:?}")),
            }
        }
        ignored
    }

    /// From now on, the links do to each packet what [`Fates`] says the
    /// model's did to the packet in its place.
    pub fn replay(&self, fates: Fates) {
        self.wire.state().fates = fates;
    }

    /// Drops the next `n` packets from host `from` to host `to` (indices).
    pub fn drop_next(&self, n: u32, from: usize, to: usize) {
        self.wire.settle();
        if let Some(count) = self.wire.state().drop_next.get_mut(from).and_then(|row| row.get_mut(to)) {
            *count += n;
        }
    }

    /// Cuts the link from host `from` to host `to` (`partition`), or joins it
    /// again (`repair`): while cut, it loses every packet, as the model's does.
    pub fn partition(&self, from: usize, to: usize, cut: bool) {
        self.wire.settle();
        if let Some(link) = self.wire.state().partitioned.get_mut(from).and_then(|row| row.get_mut(to)) {
            *link = cut;
        }
    }

    /// Keeps what the link from host `from` to host `to` carries from now on
    /// (`hold`), or lets it all go (`release`): each kept packet then takes
    /// the link's latency from the release, as the model's link does.
    pub fn hold(&self, from: usize, to: usize, on: bool) {
        self.wire.settle();
        let mut state = self.wire.state();
        if let Some(link) = state.holding.get_mut(from).and_then(|row| row.get_mut(to)) {
            *link = on;
        }
        if !on {
            let (going, staying) =
                std::mem::take(&mut state.kept).into_iter().partition(|&(f, t, _)| (f, t) == (from, to));
            state.kept = staying;
            state.released.extend::<Vec<_>>(going);
            drop(state);
            // The relay sends them on at its next pass; wake it for that.
            self.wire.settle();
        }
    }

    /// `option ack immediate` (`on`) or Linux's ACK timing: the route to the
    /// other hosts with or without `quickack 1` (see [`super::quickack_route`]).
    pub fn ack_every_segment(&self, on: bool) -> Result<(), String> {
        for ((host, device), source) in self.hosts.iter().zip(&self.devices).zip(&self.sources) {
            let route = route_args(self.claim.block(), device, *source, on);
            host.within(|| command("ip", &route.iter().map(String::as_str).collect::<Vec<_>>()))
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The packets the hosts sent each other so far, with times from the
    /// links' start; later packets (the driver's clean-up) are not recorded.
    pub fn stop_recording(&self) -> Vec<Frame> {
        let mut state = self.wire.state();
        state.recording = false;
        std::mem::take(&mut state.frames)
    }

    /// The longest one-way latency of any link now.
    pub fn longest_latency(&self) -> Duration {
        let most = self.wire.state().latency_us.iter().flatten().flatten().copied().max().unwrap_or(0);
        Duration::from_micros(most)
    }
}

impl Drop for Links {
    /// Stops the relay; the namespaces go with the last socket in them.
    fn drop(&mut self) {
        self.wire.stop.store(true, Ordering::Relaxed);
        if let Some(relay) = self.relay.take() {
            let _ = relay.join();
        }
    }
}

fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd returns a new fd or -1.
    let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is new and owned here alone.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn open_namespace() -> io::Result<OwnedFd> {
    Ok(File::open("/proc/thread-self/ns/net")?.into())
}

/// `TUNSETIFF` (`_IOW('T', 202, int)`), which the libc crate does not name.
const TUNSETIFF: libc::c_ulong = 0x4004_54CA;

/// A TUN device named `name` in this thread's namespace, non-blocking, its
/// packets plain IPv4 (no packet-information header).
fn open_tun(name: &str) -> io::Result<OwnedFd> {
    let file = std::fs::OpenOptions::new().read(true).write(true).open("/dev/net/tun")?;
    let fd: OwnedFd = file.into();
    // struct ifreq: 16 bytes of name, then the flags (a short), padded to 40.
    let mut request = [0u8; 40];
    let bytes = name.as_bytes();
    if bytes.len() >= libc::IFNAMSIZ {
        return Err(io::Error::other(format!("device name {name} too long")));
    }
    request[..bytes.len()].copy_from_slice(bytes);
    let flags = (libc::IFF_TUN | libc::IFF_NO_PI) as u16;
    request[16..18].copy_from_slice(&flags.to_ne_bytes());
    // SAFETY: TUNSETIFF reads and writes one struct ifreq, which `request` holds.
    if unsafe { libc::ioctl(fd.as_raw_fd(), TUNSETIFF, request.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl on an fd this function owns.
    let set = unsafe {
        let old = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, old | libc::O_NONBLOCK)
    };
    if set != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}

/// `ip route replace 127.b.0.0/16 dev DEVICE src SOURCE [quickack 1]`.
fn route_args(block: u8, device: &str, source: Ipv4Addr, quickack: bool) -> Vec<String> {
    let mut args: Vec<String> = ["route", "replace", &format!("127.{block}.0.0/16"), "dev", device, "src"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(source.to_string());
    if quickack {
        args.extend(["quickack".to_string(), "1".to_string()]);
    }
    args
}

/// Gives the namespace this thread is in its addresses and route: `lo` up
/// with only 127.0.0.1 and the host's `loopback` (not all of 127.0.0.0/8,
/// which would keep the other hosts' addresses local), the host's `own`
/// addresses on `device`, and the rest of the block through it.
fn set_up_host(
    device: &str,
    mtu: u32,
    loopback: Ipv4Addr,
    own: &[Ipv4Addr],
    block: u8,
    source: Ipv4Addr,
) -> Result<(), SetupError> {
    command("ip", &["link", "set", "lo", "up"])?;
    command("ip", &["addr", "del", "127.0.0.1/8", "dev", "lo"])?;
    command("ip", &["addr", "add", "127.0.0.1/32", "dev", "lo"])?;
    command("ip", &["addr", "add", &format!("{loopback}/32"), "dev", "lo"])?;
    write_sysctl("ipv4/conf/all/route_localnet", "1")?;
    write_sysctl(&format!("ipv4/conf/{device}/route_localnet"), "1")?;
    for a in own {
        command("ip", &["addr", "add", &format!("{a}/32"), "dev", device])?;
    }
    command("ip", &["link", "set", device, "mtu", &mtu.to_string(), "up"])?;
    let route = route_args(block, device, source, false);
    command("ip", &route.iter().map(String::as_str).collect::<Vec<_>>())
}

fn write_sysctl(name: &str, value: &str) -> Result<(), SetupError> {
    let path = format!("/proc/sys/net/{name}");
    std::fs::write(&path, value).map_err(|e| SetupError::Failed(format!("write {path}"), e.to_string()))
}

fn command(tool: &'static str, args: &[&str]) -> Result<(), SetupError> {
    super::netns::command(tool, args)
}

/// A packet on its way: when it arrives, in what order it was sent, where.
type Held = Reverse<(Instant, u64, usize, Vec<u8>)>;

/// The links: moves packets between the hosts' devices `tuns` (by host
/// index) until told to stop.
fn relay(tuns: Vec<OwnedFd>, block: u8, wire: &Wire, started: Instant) {
    // A packet is due at a microsecond; the default 50 µs of timer slack
    // would deliver each one that much later, and lengthen every RTT.
    // SAFETY: prctl with an integer argument changes only this thread's slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    let mut held: BinaryHeap<Held> = BinaryHeap::new();
    let mut sent = 0u64;
    let mut buffer = vec![0u8; 65_536];
    // The devices by host index, then the wake-up.
    let mut polls: Vec<libc::pollfd> = tuns
        .iter()
        .map(AsRawFd::as_raw_fd)
        .chain([wire.wake.as_raw_fd()])
        .map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 })
        .collect();
    let mut count = [0u8; 8];
    while !wire.stop.load(Ordering::Relaxed) {
        let wait = held
            .peek()
            .map_or(RELAY_TICK, |Reverse((due, ..))| due.saturating_duration_since(Instant::now()).min(RELAY_TICK));
        let timeout = libc::timespec { tv_sec: 0, tv_nsec: wait.subsec_nanos().into() };
        // SAFETY: `polls` is a live array of pollfd of the length given.
        unsafe { libc::ppoll(polls.as_mut_ptr(), polls.len() as libc::nfds_t, &timeout, std::ptr::null()) };
        let (devices, wake) = polls.split_at(tuns.len());
        if wake.iter().any(|p| p.revents & libc::POLLIN != 0) {
            // SAFETY: reads the eventfd's 8-byte count into `count`.
            unsafe { libc::read(wire.wake.as_raw_fd(), count.as_mut_ptr().cast(), count.len()) };
        }
        let serving = wire.requested.load(Ordering::Acquire);
        // Every device is read until empty, ready or not, so a pass answers
        // what was sent before it began (see [`Wire::settle`]).
        for (from, p) in devices.iter().enumerate() {
            // SAFETY: reads into `buffer`, at most its length.
            while let Ok(n @ 1..) =
                usize::try_from(unsafe { libc::read(p.fd, buffer.as_mut_ptr().cast(), buffer.len()) })
            {
                let packet = buffer[..n].to_vec();
                let Some(to) = destination(&packet, block, tuns.len()) else { continue };
                let mut state = wire.state();
                if state.recording {
                    let time_us = started.elapsed().as_micros().try_into().unwrap_or(u64::MAX);
                    state.frames.push(Frame { time_us, ip: packet.clone() });
                }
                let place = state.sent[from][to];
                state.sent[from][to] += 1;
                if state.partitioned[from][to] {
                    continue;
                }
                if state.drop_next[from][to] > 0 {
                    state.drop_next[from][to] -= 1;
                    continue;
                }
                if state.holding[from][to] {
                    state.kept.push((from, to, packet));
                    continue;
                }
                let now = Instant::now();
                let fate = state.fates.remove(&(from, to, place));
                // No link: no route, as in the model.
                let Some(latency) = state.latency_us[from][to] else { continue };
                drop(state);
                for (after_us, packet) in deliveries(fate, latency, packet) {
                    sent += 1;
                    held.push(Reverse((now + Duration::from_micros(after_us), sent, to, packet)));
                }
            }
        }
        let now = Instant::now();
        let mut state = wire.state();
        for (from, to, packet) in std::mem::take(&mut state.released) {
            let Some(latency) = state.latency_us[from][to] else { continue };
            sent += 1;
            held.push(Reverse((now + Duration::from_micros(latency), sent, to, packet)));
        }
        drop(state);
        let mut served = wire.served.lock().unwrap_or_else(PoisonError::into_inner);
        if *served < serving {
            *served = serving;
            wire.settled.notify_all();
        }
        drop(served);
        let now = Instant::now();
        while held.peek().is_some_and(|Reverse((due, ..))| *due <= now) {
            let Some(Reverse((_, _, to, packet))) = held.pop() else { break };
            // SAFETY: writes `packet`, whole, to the receiver's device; a full
            // queue loses it, as a wire's would.
            unsafe { libc::write(tuns[to].as_raw_fd(), packet.as_ptr().cast(), packet.len()) };
        }
    }
}

/// When a packet reaches the other end (µs after its sending), in what form:
/// as the link's latency says, or as the model's link did to it.
fn deliveries(fate: Option<Fate>, latency_us: u64, packet: Vec<u8>) -> Vec<(u64, Vec<u8>)> {
    match fate {
        None => vec![(latency_us, packet)],
        Some(Fate::Lost) => Vec::new(),
        Some(Fate::Delivered(delays)) => delays.into_iter().map(|d| (d, packet.clone())).collect(),
        Some(Fate::Corrupted { bit, after_us }) => {
            let mut damaged = packet;
            if let Some(byte) = damaged.get_mut((bit / 8) as usize) {
                *byte ^= 0x80 >> (bit % 8);
            }
            vec![(after_us, damaged)]
        }
        Some(Fate::Truncated { kept, after_us }) => {
            let mut short = packet;
            short.truncate(kept as usize);
            vec![(after_us, short)]
        }
    }
}

/// The host index an IPv4 packet is for: its destination 127.`block`.h.x is
/// host h - 1 (see [`super::map`]).
fn destination(packet: &[u8], block: u8, hosts: usize) -> Option<usize> {
    if packet.len() < 20 || packet[0] >> 4 != 4 {
        return None;
    }
    let [a, b, h, _] = [packet[16], packet[17], packet[18], packet[19]];
    let host = usize::from(h).checked_sub(1)?;
    (a == 127 && b == block && host < hosts).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packet_goes_to_the_host_its_destination_names() {
        let mut packet = vec![0u8; 40];
        packet[0] = 0x45;
        packet[16..20].copy_from_slice(&[127, 7, 2, 2]);
        assert_eq!(destination(&packet, 7, 2), Some(1));
        assert_eq!(destination(&packet, 8, 2), None, "another run's block");
        assert_eq!(destination(&packet, 7, 1), None, "no such host");
        packet[16..20].copy_from_slice(&[127, 7, 0, 2]);
        assert_eq!(destination(&packet, 7, 2), None);
    }

    #[test]
    fn a_fate_delivers_late_copies_damaged_or_not_at_all() {
        let packet = vec![0x45, 0, 0, 20];
        assert_eq!(deliveries(None, 10_000, packet.clone()), vec![(10_000, packet.clone())]);
        assert!(deliveries(Some(Fate::Lost), 10_000, packet.clone()).is_empty());
        let copies = deliveries(Some(Fate::Delivered(vec![35_000, 12_000])), 10_000, packet.clone());
        assert_eq!(copies, vec![(35_000, packet.clone()), (12_000, packet.clone())]);
        // Bit 9: the second byte's second bit.
        let damaged = deliveries(Some(Fate::Corrupted { bit: 9, after_us: 10_000 }), 10_000, packet.clone());
        assert_eq!(damaged, vec![(10_000, vec![0x45, 0x40, 0, 20])]);
        let short = deliveries(Some(Fate::Truncated { kept: 2, after_us: 10_000 }), 10_000, packet);
        assert_eq!(short, vec![(10_000, vec![0x45, 0])]);
    }

    #[test]
    fn the_route_carries_quickack_only_for_an_ack_per_segment() {
        let source = Ipv4Addr::new(127, 3, 1, 2);
        assert_eq!(
            route_args(3, "socklab0", source, false).join(" "),
            "route replace 127.3.0.0/16 dev socklab0 src 127.3.1.2"
        );
        assert!(route_args(3, "socklab0", source, true).join(" ").ends_with("quickack 1"));
    }
}
