//! A parsed script: statements in file order, each with its line and source text.

use crate::net::link::LinkConfig;
use crate::net::syscall::Call;
use crate::net::tcp::congestion::CongestionControl;
use crate::net::tcp::segment::TcpFlags;
use crate::net::tcp::state::TcpState;
pub use crate::net::tcp::HostTcpSetting;
use crate::net::tcp::TcpConfig;
use crate::net::{Errno, Ipv4Addr};
use serde::Serialize;

/// Lesson metadata a page can show.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Meta {
    pub title_en: Option<String>,
    pub title_ko: Option<String>,
    pub about_en: Option<String>,
    pub about_ko: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Script {
    pub meta: Meta,
    /// The `seed` line's value, if there is one.
    pub seed: Option<u64>,
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    /// 1-based line in the file.
    pub line: usize,
    /// The line as written, comment and surrounding space removed.
    pub source: String,
    pub kind: StmtKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "stmt", rename_all = "snake_case")]
pub enum StmtKind {
    Seed {
        seed: u64,
    },
    Host {
        name: String,
        addrs: Vec<Ipv4Addr>,
    },
    /// `host client tcp_timestamps 0`: one host's own TCP sysctl.
    HostTcp {
        host: String,
        setting: HostTcpSetting,
    },
    /// Creates the link, or changes it when it exists. `one_way`: only `a > b`.
    Link {
        a: String,
        b: String,
        one_way: bool,
        settings: Vec<LinkSetting>,
    },
    Tcp {
        setting: TcpSetting,
    },
    Call(CallStmt),
    /// `+200ms`
    Advance {
        us: u64,
    },
    /// `run`: until nothing is left to happen (bounded).
    Run,
    Fault {
        a: String,
        b: String,
        one_way: bool,
        fault: Fault,
    },
    ExpectPacket(PacketExpect),
    /// `now`: look at once instead of waiting for a blocked call on that host.
    ExpectState {
        host: String,
        fd: FdRef,
        state: TcpState,
        now: bool,
    },
    ExpectCount {
        counter: Counter,
        target: CountTarget,
        range: (u64, u64),
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkSetting {
    Latency(u64),
    Jitter(u64),
    Bandwidth(u64),
    Loss(f64),
    Dup(f64),
    Reorder(f64),
    ReorderDelay(u64),
    Mtu(u32),
    Corrupt(f64),
    Truncate(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TcpSetting {
    SynRetries(u32),
    SynLinearTimeouts(u32),
    SynackRetries(u32),
    DataRetries(u32),
    RtoInitial(u64),
    RtoMin(u64),
    RtoMax(u64),
    Msl(u64),
    FinTimeout(u64),
    InitialCwnd(u32),
    DelayedAck(bool),
    DelayedAckTime(u64),
    Nagle(bool),
    SendBuffer(usize),
    RecvBuffer(usize),
    WindowScaling(bool),
    /// `net.ipv4.tcp_congestion_control`.
    Congestion(CongestionControl),
}

impl StmtKind {
    /// A line that builds the world (seed, hosts and their settings, links,
    /// stack settings) rather than acting in it: the page applies these before
    /// its first step.
    pub fn is_setup(&self) -> bool {
        matches!(
            self,
            StmtKind::Seed { .. }
                | StmtKind::Host { .. }
                | StmtKind::HostTcp { .. }
                | StmtKind::Link { .. }
                | StmtKind::Tcp { .. }
        )
    }
}

impl LinkSetting {
    /// Writes `settings` into `cfg` in order, as a `link` line reads.
    pub fn apply_all(settings: &[LinkSetting], cfg: &mut LinkConfig) {
        for s in settings {
            match *s {
                LinkSetting::Latency(v) => cfg.latency_us = v,
                LinkSetting::Jitter(v) => cfg.jitter_us = v,
                LinkSetting::Bandwidth(v) => cfg.bandwidth_bps = v,
                LinkSetting::Loss(v) => cfg.loss = v,
                LinkSetting::Dup(v) => cfg.duplicate = v,
                LinkSetting::Reorder(v) => cfg.reorder = v,
                LinkSetting::ReorderDelay(v) => cfg.reorder_delay_us = v,
                LinkSetting::Mtu(v) => cfg.mtu = v,
                LinkSetting::Corrupt(v) => cfg.corrupt = v,
                LinkSetting::Truncate(v) => cfg.truncate = v,
            }
        }
    }
}

impl TcpSetting {
    /// Writes this setting into `cfg`: what the runner does, and what the parser
    /// does on its own copy to find settings that contradict each other.
    pub fn apply(&self, cfg: &mut TcpConfig) {
        match *self {
            TcpSetting::SynRetries(n) => cfg.syn_retries = n,
            TcpSetting::SynLinearTimeouts(n) => cfg.syn_linear_timeouts = n,
            TcpSetting::SynackRetries(n) => cfg.synack_retries = n,
            TcpSetting::DataRetries(n) => cfg.data_retries = n,
            TcpSetting::RtoInitial(us) => cfg.rto_initial_us = us,
            TcpSetting::RtoMin(us) => cfg.rto_min_us = us,
            TcpSetting::RtoMax(us) => cfg.rto_max_us = us,
            TcpSetting::Msl(us) => cfg.msl_us = us,
            TcpSetting::FinTimeout(us) => cfg.fin_timeout_us = us,
            TcpSetting::InitialCwnd(n) => cfg.initial_cwnd_segments = n,
            TcpSetting::DelayedAck(on) => cfg.delayed_ack = on,
            TcpSetting::DelayedAckTime(us) => cfg.delayed_ack_us = us,
            TcpSetting::Nagle(on) => cfg.nagle = on,
            TcpSetting::SendBuffer(n) => {
                cfg.send_buffer = n;
                cfg.send_buffer_max = n;
            }
            TcpSetting::RecvBuffer(n) => cfg.set_recv_buffer(n),
            TcpSetting::WindowScaling(on) => cfg.window_scaling = on,
            TcpSetting::Congestion(c) => cfg.congestion = c,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    DropNext(u32),
    Partition,
    Repair,
    Hold,
    Release,
    Loss(f64),
}

/// A descriptor as a script names it: a name bound by `x = socket(...)` or
/// `x = accept(...)`, or a plain number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum FdRef {
    Name(String),
    Num(i32),
}

impl std::fmt::Display for FdRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FdRef::Name(n) => f.write_str(n),
            FdRef::Num(n) => write!(f, "{n}"),
        }
    }
}

/// What `send`/`sendto` carry: text, or `N bytes` of a repeating alphabet.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Data {
    Text(Vec<u8>),
    Bytes(usize),
}

impl Data {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Data::Text(t) => t.clone(),
            Data::Bytes(n) => (0..*n).map(|i| b'a' + (i % 26) as u8).collect(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Data::Text(t) => t.len(),
            Data::Bytes(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A call as a script writes it: descriptors by name or number, bytes as text
/// or a count. The world's [`SysCall`](crate::net::SysCall) is the same
/// [`Call`] with numbers and bytes.
pub type CallSpec = Call<FdRef, Data>;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallStmt {
    pub host: String,
    /// `a = accept(l)`: the name bound to the returned descriptor.
    pub bind: Option<String>,
    pub call: CallSpec,
    pub expect: Option<ResultExpect>,
}

/// What a call must return: `= 0`, `= "hello"`, `= ECONNREFUSED`, ...
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultExpect {
    Errno(Errno),
    /// The integer C would see: 0, a byte count, a descriptor.
    Int(i64),
    /// Exactly these bytes; with `from`, the sender's address (port optional).
    Data {
        data: Vec<u8>,
        from: Option<(Ipv4Addr, Option<u16>)>,
    },
    /// `= 5 bytes from 10.0.0.2:5000`: a datagram of this length (the call's
    /// value) and its sender (port optional).
    BytesFrom {
        len: u64,
        from: (Ipv4Addr, Option<u16>),
    },
    /// `= 10.0.0.2:5000` or `= 10.0.0.2:32768..60999`: the address
    /// `getsockname`/`getpeername` gave, its port within `ports` (inclusive).
    Addr {
        ip: Ipv4Addr,
        ports: (u16, u16),
    },
    /// `= [ECONNREFUSED]`, `= [0]`: the error `getsockopt(SO_ERROR)` read.
    SockError(Option<Errno>),
}

impl std::fmt::Display for ResultExpect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResultExpect::Errno(e) => write!(f, "{e}"),
            ResultExpect::Int(n) => write!(f, "{n}"),
            ResultExpect::Data { data, from } => {
                f.write_str(&crate::net::syscall::quote_bytes(data))?;
                match from {
                    Some((ip, Some(port))) => write!(f, " from {ip}:{port}"),
                    Some((ip, None)) => write!(f, " from {ip}"),
                    None => Ok(()),
                }
            }
            ResultExpect::BytesFrom { len, from: (ip, port) } => match port {
                Some(port) => write!(f, "{len} bytes from {ip}:{port}"),
                None => write!(f, "{len} bytes from {ip}"),
            },
            ResultExpect::Addr { ip, ports: (lo, hi) } if lo == hi => write!(f, "{ip}:{lo}"),
            ResultExpect::Addr { ip, ports: (lo, hi) } => write!(f, "{ip}:{lo}..{hi}"),
            ResultExpect::SockError(None) => f.write_str("[0]"),
            ResultExpect::SockError(Some(e)) => write!(f, "[{e}]"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketExpect {
    pub from: String,
    pub to: String,
    /// Skip packets in that direction until one matches.
    pub eventually: bool,
    pub pattern: PacketPattern,
    /// `at 1s`, `+0.2s`: when the packet must have been sent.
    pub time: Option<PacketTime>,
}

/// When an expected packet must leave its sender, within `tolerance_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PacketTime {
    pub at: TimeRef,
    /// µs either side; `~ 10ms` on the line, else [`DEFAULT_PACKET_TOLERANCE_US`].
    pub tolerance_us: u64,
}

/// What a packet's time is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeRef {
    /// `at 1s`: since the start of the run.
    Absolute(u64),
    /// `+0.2s`: since the packet the previous packet expectation matched.
    AfterPrevious(u64),
}

/// The tolerance of a packet time without `~`: 1 ms, well under the smallest
/// timer a lesson states (a 200 ms RTO floor, a 40 ms delayed ACK), and above
/// the microsecond a bandwidth's rounding can move a packet.
pub const DEFAULT_PACKET_TOLERANCE_US: u64 = 1_000;

impl std::fmt::Display for PacketTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::script::time::fmt_dur;
        match self.at {
            TimeRef::Absolute(us) => write!(f, "at {}", fmt_dur(us))?,
            TimeRef::AfterPrevious(us) => write!(f, "+{}", fmt_dur(us))?,
        }
        if self.tolerance_us != DEFAULT_PACKET_TOLERANCE_US {
            write!(f, " ~{}", fmt_dur(self.tolerance_us))?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketPattern {
    pub kind: PacketKind,
    /// Relative to the sender's initial sequence number (the SYN is 0), as Wireshark shows.
    pub seq: Option<u32>,
    /// Relative to the receiver's initial sequence number.
    pub ack: Option<u32>,
    /// `seq= N`: the sequence number field as sent.
    pub raw_seq: Option<u32>,
    /// `ack= N`: the acknowledgement number field as sent.
    pub raw_ack: Option<u32>,
    /// Payload bytes.
    pub len: Option<usize>,
    /// The window field as sent.
    pub win: Option<u32>,
    /// `sack 1461:2921,4381:5841`: the SACK blocks, in order, relative like `ack`.
    pub sack: Option<Vec<(u32, u32)>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketKind {
    Tcp(TcpFlags),
    Udp,
    Icmp,
}

impl std::fmt::Display for PacketPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PacketKind::Tcp(flags) => write!(f, "[{}]", flags.tcpdump())?,
            PacketKind::Udp => f.write_str("udp")?,
            PacketKind::Icmp => f.write_str("icmp")?,
        }
        if let Some(s) = self.seq {
            write!(f, " seq {s}")?;
        }
        if let Some(a) = self.ack {
            write!(f, " ack {a}")?;
        }
        if let Some(s) = self.raw_seq {
            write!(f, " seq= {s}")?;
        }
        if let Some(a) = self.raw_ack {
            write!(f, " ack= {a}")?;
        }
        if let Some(l) = self.len {
            write!(f, " len {l}")?;
        }
        if let Some(w) = self.win {
            write!(f, " win {w}")?;
        }
        if let Some(blocks) = &self.sack {
            write!(f, " sack {}", sack_text(blocks))?;
        }
        Ok(())
    }
}

/// SACK blocks as a script writes them: `1461:2921,4381:5841`.
pub fn sack_text(blocks: &[(u32, u32)]) -> String {
    blocks.iter().map(|(l, r)| format!("{l}:{r}")).collect::<Vec<_>>().join(",")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    /// Packets sent.
    Sent,
    /// Packets the network lost.
    Lost,
    /// Packets the link duplicated.
    Duplicated,
    /// Packets the link held back so later ones passed them.
    Reordered,
    /// Datagrams a UDP socket received into its buffer.
    Delivered,
    /// Datagrams a UDP socket discarded because its buffer was full.
    Dropped,
    /// A TCP socket's congestion window, in bytes (or `N mss`).
    Cwnd,
    /// The slow-start threshold, bytes (or segments with `mss`).
    Ssthresh,
    /// Bytes waiting in a socket's receive buffer.
    Unread,
}

impl Counter {
    pub fn name(self) -> &'static str {
        match self {
            Counter::Sent => "sent",
            Counter::Lost => "lost",
            Counter::Duplicated => "duplicated",
            Counter::Reordered => "reordered",
            Counter::Delivered => "delivered",
            Counter::Dropped => "dropped",
            Counter::Cwnd => "cwnd",
            Counter::Ssthresh => "ssthresh",
            Counter::Unread => "unread",
        }
    }

    /// The congestion controller's figures, which `mss` may count in segments.
    pub fn of_congestion(self) -> bool {
        matches!(self, Counter::Cwnd | Counter::Ssthresh)
    }

    /// Counters about one socket rather than about packets on a path.
    pub fn of_socket(self) -> bool {
        matches!(self, Counter::Delivered | Counter::Dropped | Counter::Cwnd | Counter::Ssthresh | Counter::Unread)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountTarget {
    /// Every packet in the world.
    All,
    /// Packets from one host to another.
    Path { from: String, to: String },
    /// One socket; `mss`: the number counts maximum segments, not bytes;
    /// `now`: look at once instead of waiting for a blocked call on that host.
    Socket { host: String, fd: FdRef, mss: bool, now: bool },
}
