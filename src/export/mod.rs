//! The lesson as real code: a script becomes a short program that makes the
//! same socket calls on real sockets, in Python ([`python`]), C ([`c`]) or
//! Rust ([`rust`]). Plain Rust, no I/O: the CLI (`socklab export`) and the page
//! (a download) both call [`export`].
//!
//! The program follows the rules `socklab run --real` follows (src/native), so
//! it does what that driver does:
//! - each host is one thread, making its calls in the script's order;
//! - the script's order holds across hosts: a line starts once the line before
//!   it has returned, or has blocked (still running after [`GRACE_MS`]; the
//!   driver learns that from EAGAIN on a non-blocking socket, a program with
//!   blocking calls from the clock);
//! - host h's i-th address is 127.1.h.(i+2), its 127.0.0.1 is 127.1.h.1, and
//!   0.0.0.0 stays the kernel's wildcard (native/map.rs, in a loopback-only
//!   namespace); an unbound socket that connects or sends is first bound to
//!   the source the model's route picks (native/real.rs `autobind`);
//! - `+duration` really sleeps, at most [`SLEEP_CAP_US`]; `run` waits for the
//!   blocked calls (at most 3 s), then 20 ms more.
//!
//! Expectations become checks the program makes and counts; what a program
//! cannot check (packets on the wire, counters, descriptor numbers, a line the
//! lesson marks `#! kernel:`) and what real sockets cannot do (faults, link
//! settings) become comments saying so.

pub mod c;
pub mod python;
pub mod rust;

use crate::net::addr::is_loopback;
use crate::net::syscall::{Call, Domain, MsgFlags, Shutdown, SockOpt};
use crate::net::tcp::state::TcpState;
use crate::net::{Errno, Ipv4Addr, Protocol};
use crate::script::ast::{CallStmt, Data, FdRef, LinkSetting, ResultExpect, Script, StmtKind, TcpSetting};
use std::collections::HashMap;
use std::fmt;

/// A call still running this long after it began is blocked: the next line
/// may start. Calls on loopback that do not block return in microseconds.
pub const GRACE_MS: u64 = 50;
/// The longest a `+duration` line really sleeps (`socklab run --real`'s cap).
pub const SLEEP_CAP_US: u64 = 2_000_000;
/// The marker of a line whose kernel outcome differs from the model's
/// (native/diff.rs reads the same marker).
pub const DIVERGENCE_NOTE: &str = "#! kernel:";
/// The marker, on a line of its own, of a lesson that needs links with
/// latency (SYNs crossing in flight): it is skipped where hosts share `lo`
/// (`socklab diff`, the exported programs) and compared by `diff --packets`,
/// whose hosts have links of their own.
pub const LOOPBACK_NOTE: &str = "#! loopback:";

/// Why a lesson cannot run where every host shares `lo`, if its text says so
/// in a lesson-wide note (`#! kernel:` or `#! loopback:` on a line of its own).
pub fn loopback_note(source: &str) -> Option<String> {
    source
        .lines()
        .map(str::trim_start)
        .find_map(|l| l.strip_prefix(DIVERGENCE_NOTE).or_else(|| l.strip_prefix(LOOPBACK_NOTE)))
        .map(|why| format!("the lesson says: {}", why.trim()))
}

/// The languages a script exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Python,
    C,
    Rust,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Python, Language::C, Language::Rust];

    /// The name the CLI's `--to` takes.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::C => "c",
            Language::Rust => "rust",
        }
    }

    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::C => "C",
            Language::Rust => "Rust",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Language::Python => "py",
            Language::C => "c",
            Language::Rust => "rs",
        }
    }
}

/// Why a script does not export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// A descriptor written as a number: a real process numbers its
    /// descriptors itself, so only names carry over.
    DescriptorNumber { line: usize, fd: i32 },
    /// An address that belongs to no host of the script: the program only
    /// reaches the script's hosts, on 127.0.0.0/8 (as native/map.rs refuses it).
    ForeignAddress { line: usize, ip: Ipv4Addr },
    /// More hosts, or more addresses on one host, than 127.1.0.0/16 maps.
    TooManyAddresses { needed: usize },
    /// `connect(fd, AF_UNSPEC)`, which Python's and Rust's socket APIs cannot say.
    Disconnect { line: usize, language: Language },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::DescriptorNumber { line, fd } => write!(
                f,
                "line {line}: descriptor {fd} is a number; a real program numbers its own descriptors, so name it \
                 (s = socket(tcp))"
            ),
            ExportError::ForeignAddress { line, ip } => write!(
                f,
                "line {line}: {ip} belongs to no host of this script; the program only reaches the script's hosts \
                 on 127.0.0.0/8"
            ),
            ExportError::TooManyAddresses { needed } => {
                write!(f, "{needed} hosts or addresses: the program maps at most {MAX_MAPPED} into 127.1.0.0/16")
            }
            ExportError::Disconnect { line, language } => {
                write!(f, "line {line}: connect(fd, AF_UNSPEC) has no spelling in {}'s socket API", language.label())
            }
        }
    }
}

impl std::error::Error for ExportError {}

/// Hosts, and addresses per host, that 127.1.h.x holds (x from 2 to 251).
pub const MAX_MAPPED: usize = 250;

/// `script` (whose text is `source`, for its `#! kernel:` notes) as a program
/// in `language`; `name` is the lesson's file name without `.sock`.
pub fn export(script: &Script, source: &str, name: &str, language: Language) -> Result<String, ExportError> {
    if language != Language::C {
        if let Some(line) = script.statements.iter().find_map(|s| match &s.kind {
            StmtKind::Call(CallStmt { call: Call::Disconnect { .. }, .. }) => Some(s.line),
            _ => None,
        }) {
            return Err(ExportError::Disconnect { line, language });
        }
    }
    let plan = Plan::new(script, source, name)?;
    Ok(match language {
        Language::Python => python::render(&plan),
        Language::C => c::render(&plan),
        Language::Rust => rust::render(&plan),
    })
}

/// A lesson's program as the page offers it: its file name (the lesson's id
/// made a file name, `udp_ten` → `udp_ten.py`, any other character an `_`)
/// and its text, or why it cannot
/// be exported (a script that does not parse says its first error).
pub fn for_download(id: &str, text: &str, language: Language) -> Result<(String, String), String> {
    let name = id.replace(|c: char| !(c.is_ascii_alphanumeric() || c == '_'), "_");
    let script = crate::script::parse(text).map_err(|e| e.to_string())?;
    let program = export(&script, text, &name, language).map_err(|e| e.to_string())?;
    Ok((format!("{name}.{}", language.extension()), program))
}

/// Why real sockets on loopback cannot run `script` as written, if they can't:
/// faults and lossy links change what calls return, and the kernel's loopback
/// has neither. Packet and counter expectations only observe.
pub fn beyond_loopback(script: &Script) -> Option<String> {
    script.statements.iter().find_map(|s| {
        let why = match &s.kind {
            StmtKind::Fault { .. } => "injects a fault",
            StmtKind::Link { settings, .. } if settings.iter().any(is_lossy) => {
                "makes a link lose, duplicate, reorder, corrupt or truncate"
            }
            _ => return None,
        };
        Some(format!("line {}: the script {why}, which the kernel's loopback cannot do", s.line))
    })
}

fn is_lossy(setting: &LinkSetting) -> bool {
    matches!(setting, LinkSetting::Loss(p) | LinkSetting::Dup(p) | LinkSetting::Reorder(p)
        | LinkSetting::Corrupt(p) | LinkSetting::Truncate(p) if *p > 0.0)
}

/// Why the exported program of `script` (text `source`) cannot be expected to
/// do what the lesson says, if it can't: [`beyond_loopback`], or a lesson-wide
/// note (see [`loopback_note`]: the whole lesson depends on something loopback
/// cannot give). The lessons `socklab diff` compares are the others.
pub fn not_runnable(script: &Script, source: &str) -> Option<String> {
    beyond_loopback(script).or_else(|| loopback_note(source))
}

/// A script in the terms every language renders: hosts with loopback
/// addresses, and the lines in order, each made a step or a comment.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The lesson's file name without `.sock`.
    pub name: String,
    pub title: Option<String>,
    pub hosts: Vec<PlanHost>,
    pub steps: Vec<Step>,
    /// Why the program cannot do what the lesson says ([`not_runnable`]).
    pub not_runnable: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PlanHost {
    pub name: String,
    /// The host's name as an identifier in every language.
    pub ident: String,
    /// Each script address with the loopback address that stands for it.
    pub addrs: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// Where the host's 127.0.0.1 goes.
    pub loopback: Ipv4Addr,
    /// The socket names the host binds, in the order they first appear, as identifiers.
    pub sockets: Vec<String>,
}

/// Who makes a step: a host's thread, or the main thread (time passing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Host(usize),
    Main,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub line: usize,
    /// The line as written.
    pub source: String,
    pub who: Who,
    pub what: What,
}

impl Step {
    /// Whether the step takes its turn in the script's order (a comment doesn't).
    pub fn ordered(&self) -> bool {
        !matches!(self.what, What::Note(_))
    }
}

#[derive(Clone, Debug)]
pub enum What {
    /// A socket call; `bind`: the name given the descriptor it returns.
    Call { op: Op, want: Want, bind: Option<String> },
    /// `expect state`: the socket's TCP state, from TCP_INFO.
    State { socket: String, state: TcpState },
    /// `+duration`: real time passes (`lesson_us`: what the lesson waits).
    Sleep { us: u64, lesson_us: u64 },
    /// `run`: the blocked calls return (bounded).
    Settle,
    /// A line the program cannot perform or check, and why: a comment.
    Note(String),
}

/// A call with its descriptors as identifiers and its addresses on loopback.
#[derive(Clone, Debug)]
pub enum Op {
    Socket {
        udp: bool,
    },
    Bind {
        socket: String,
        ip: Ipv4Addr,
        port: u16,
    },
    Listen {
        socket: String,
        backlog: u32,
    },
    Accept {
        socket: String,
    },
    /// `source`: bind this address first (port 0, IP_BIND_ADDRESS_NO_PORT).
    Connect {
        socket: String,
        ip: Ipv4Addr,
        port: u16,
        source: Option<Ipv4Addr>,
    },
    Send {
        socket: String,
        data: Payload,
    },
    SendTo {
        socket: String,
        data: Payload,
        to: Option<(Ipv4Addr, u16)>,
        source: Option<Ipv4Addr>,
    },
    Recv {
        socket: String,
        len: usize,
        flags: MsgFlags,
        from: bool,
    },
    Shutdown {
        socket: String,
        how: Shutdown,
    },
    Close {
        socket: String,
    },
    SetOpt {
        socket: String,
        opt: SockOpt,
    },
    SockName {
        socket: String,
    },
    PeerName {
        socket: String,
    },
    SoError {
        socket: String,
    },
    Disconnect {
        socket: String,
    },
}

impl Op {
    /// Whether the call may wait for the other side (the others return at once).
    pub fn may_block(&self) -> bool {
        matches!(self, Op::Accept { .. } | Op::Connect { .. } | Op::Send { .. } | Op::SendTo { .. } | Op::Recv { .. })
    }
}

/// What `send` carries: text, or `N bytes` of the alphabet repeated.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Text(Vec<u8>),
    Alphabet(usize),
}

/// What the program checks a call returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Want {
    /// The line expects nothing.
    Nothing,
    Errno(Errno),
    /// The integer C sees: 0, a byte count (a receive's length: 0 is the end of the stream).
    Int(i64),
    /// A receive's bytes.
    Data(Vec<u8>),
    /// A datagram's bytes (or only its length) and its sender (port optional).
    From {
        data: Option<Vec<u8>>,
        len: Option<u64>,
        ip: Ipv4Addr,
        port: Option<u16>,
    },
    /// getsockname/getpeername: the address, its port within `lo..=hi`.
    Addr {
        ip: Ipv4Addr,
        lo: u16,
        hi: u16,
    },
    /// getsockopt(SO_ERROR)'s value (0: none).
    SoError(Option<Errno>),
    /// An expectation the program does not check, and why.
    Unchecked(String),
}

/// The kernel's number for a TCP state (include/net/tcp_states.h), which
/// `tcpi_state` reports; SYN-RECEIVED is 3 (or 12, TCP_NEW_SYN_RECV, for a
/// listener's request socket, which no descriptor names).
pub fn kernel_state(state: TcpState) -> u8 {
    match state {
        TcpState::Established => 1,
        TcpState::SynSent => 2,
        TcpState::SynReceived => 3,
        TcpState::FinWait1 => 4,
        TcpState::FinWait2 => 5,
        TcpState::TimeWait => 6,
        TcpState::Closed => 7,
        TcpState::CloseWait => 8,
        TcpState::LastAck => 9,
        TcpState::Listen => 10,
        TcpState::Closing => 11,
    }
}

/// Words no identifier may be in Python, C or Rust (and the programs' own names).
const RESERVED: &[&str] = &[
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "case",
    "char",
    "class",
    "const",
    "continue",
    "crate",
    "def",
    "default",
    "del",
    "do",
    "double",
    "dyn",
    "elif",
    "else",
    "enum",
    "except",
    "extern",
    "false",
    "finally",
    "float",
    "fn",
    "for",
    "from",
    "global",
    "goto",
    "if",
    "impl",
    "import",
    "in",
    "int",
    "is",
    "lambda",
    "let",
    "long",
    "loop",
    "main",
    "match",
    "mod",
    "move",
    "mut",
    "none",
    "nonlocal",
    "not",
    "or",
    "pass",
    "pub",
    "raise",
    "ref",
    "register",
    "return",
    "self",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "super",
    "switch",
    "trait",
    "true",
    "try",
    "type",
    "typedef",
    "union",
    "unsafe",
    "unsigned",
    "use",
    "void",
    "where",
    "while",
    "with",
    "yield",
    // The programs' own helpers and modules.
    "buf",
    "call",
    "check",
    "errno",
    "order",
    "r",
    "e",
    "sa",
    "socket",
    "state",
    "time",
    "threading",
    "io",
    "std",
    "socket2",
    "libc",
    "thread",
];

/// A script name as an identifier of every language: `[a-z0-9_]`, not a
/// reserved word, not starting with a digit.
fn ident(name: &str) -> String {
    let mut id: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    if RESERVED.contains(&id.as_str()) {
        id.push('_');
    }
    id
}

/// What the plan knows of one socket name while walking the script.
#[derive(Clone, Copy, Default)]
struct Known {
    udp: bool,
    /// Bound, by bind or accept or an earlier automatic bind: no source to pick.
    bound: bool,
    closed: bool,
}

impl Plan {
    pub fn new(script: &Script, source: &str, name: &str) -> Result<Plan, ExportError> {
        let mut hosts: Vec<PlanHost> = Vec::new();
        for st in &script.statements {
            if let StmtKind::Host { name, addrs } = &st.kind {
                let h = hosts.len() + 1;
                if h > MAX_MAPPED || addrs.len() > MAX_MAPPED {
                    return Err(ExportError::TooManyAddresses { needed: h.max(addrs.len()) });
                }
                // Both at most MAX_MAPPED (250), so each fits in a u8 with room.
                let (h8, block) = (h as u8, 1);
                let addrs = addrs.iter().zip(2u8..).map(|(&a, x)| (a, Ipv4Addr::new(127, block, h8, x))).collect();
                let mut id = ident(name);
                if hosts.iter().any(|o: &PlanHost| o.ident == id) {
                    id = format!("{id}_{h}");
                }
                hosts.push(PlanHost {
                    name: name.clone(),
                    ident: id,
                    addrs,
                    loopback: Ipv4Addr::new(127, block, h8, 1),
                    sockets: Vec::new(),
                });
            }
        }
        let raw: Vec<&str> = source.lines().collect();
        let mut known: Vec<HashMap<String, Known>> = vec![HashMap::new(); hosts.len()];
        let mut steps = Vec::new();
        for st in &script.statements {
            let note = raw
                .get(st.line.wrapping_sub(1))
                .and_then(|l| l.split_once(DIVERGENCE_NOTE))
                .map(|(_, r)| r.trim().to_string());
            let host_of = |name: &str| hosts.iter().position(|h| h.name == name);
            let (who, what) = match &st.kind {
                StmtKind::Seed { .. } | StmtKind::Host { .. } => continue,
                StmtKind::Link { settings, .. } => {
                    let why = if settings.iter().any(is_lossy) {
                        "real sockets on loopback cannot lose, duplicate, reorder or corrupt packets: this program's \
                         link has none of that"
                    } else {
                        "loopback has no link to shape: the kernel's own latency (microseconds) stands in"
                    };
                    (Who::Main, What::Note(why.into()))
                }
                StmtKind::Tcp { setting: TcpSetting::DelayedAck(false) } => (
                    Who::Main,
                    What::Note(
                        "Linux ACKs every segment only with a route marked quickack 1 \
                         (ip route replace local 127.0.0.0/8 dev lo table local quickack 1, as root)"
                            .into(),
                    ),
                ),
                StmtKind::Tcp { .. } | StmtKind::HostTcp { .. } => {
                    (Who::Main, What::Note("the kernel's TCP settings are left as they are".into()))
                }
                StmtKind::Fault { .. } => {
                    (Who::Main, What::Note("a fault real sockets cannot make: on loopback every packet arrives".into()))
                }
                StmtKind::ExpectPacket(_) => (
                    Who::Main,
                    What::Note("a packet on the wire: this program cannot see it (tcpdump -i lo can)".into()),
                ),
                StmtKind::ExpectCount { .. } => {
                    (Who::Main, What::Note("a counter the kernel does not keep for a program".into()))
                }
                StmtKind::Advance { us } => (Who::Main, What::Sleep { us: (*us).min(SLEEP_CAP_US), lesson_us: *us }),
                StmtKind::Run => (Who::Main, What::Settle),
                StmtKind::ExpectState { host, fd, state, now } => {
                    let Some(h) = host_of(host) else { continue };
                    let socket = socket_name(st.line, fd)?;
                    let k = known[h].get(&socket).copied().unwrap_or_default();
                    let what = if let Some(why) = &note {
                        What::Note(format!("the model says {}; Linux differs: {why}", state.name()))
                    } else if *now {
                        What::Note(format!(
                            "the model says {} while the host's call is still blocked; a thread cannot look at its \
                             own socket while it waits",
                            state.name()
                        ))
                    } else if k.closed {
                        What::Note(format!(
                            "the model says {}; the program closed the socket, so only `ss -tan` can tell",
                            state.name()
                        ))
                    } else if k.udp {
                        What::Note(format!("the model says {}; a UDP socket has no TCP state", state.name()))
                    } else {
                        What::State { socket: ident(&socket), state: *state }
                    };
                    (Who::Host(h), what)
                }
                StmtKind::Call(c) => {
                    let Some(h) = host_of(&c.host) else { continue };
                    let what = plan_call(&hosts, h, c, st.line, note.as_deref(), &mut known[h])?;
                    (Who::Host(h), what)
                }
            };
            if let (Who::Host(h), What::Call { bind: Some(name), .. }) = (who, &what) {
                if !hosts[h].sockets.contains(name) {
                    hosts[h].sockets.push(name.clone());
                }
            }
            steps.push(Step { line: st.line, source: st.source.clone(), who, what });
        }
        let title = script.meta.title_en.clone();
        Ok(Plan { name: name.to_string(), title, hosts, steps, not_runnable: not_runnable(script, source) })
    }

    /// The script lines that take a turn, in order.
    pub fn order(&self) -> Vec<usize> {
        self.steps.iter().filter(|s| s.ordered()).map(|s| s.line).collect()
    }

    /// The steps a host's thread makes (or the main thread's), comments included.
    pub fn steps_of(&self, who: Who) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.who == who)
    }

    /// The constant that names a loopback address, with the script address it
    /// stands for: `("SERVER", "server's 10.0.0.1")`.
    pub fn constants(&self) -> Vec<(String, Ipv4Addr, String)> {
        let mut out = Vec::new();
        for h in &self.hosts {
            let upper = h.ident.to_ascii_uppercase();
            for (i, (script, real)) in h.addrs.iter().enumerate() {
                let name = if i == 0 { upper.clone() } else { format!("{upper}_{}", i + 1) };
                out.push((name, *real, format!("{}'s {script}", h.name)));
            }
            out.push((format!("{upper}_LO"), h.loopback, format!("{}'s 127.0.0.1", h.name)));
        }
        out
    }

    /// The constants `code` uses, each as `line` writes it (name, address, what
    /// it stands for), one a line.
    pub fn constants_for(&self, code: &str, line: impl Fn(&str, Ipv4Addr, &str) -> String) -> String {
        let used = |name: &str| {
            code.match_indices(name).any(|(at, _)| {
                let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                !word(code[..at].chars().next_back()) && !word(code[at + name.len()..].chars().next())
            })
        };
        self.constants().iter().filter(|c| used(&c.0)).map(|(n, ip, what)| line(n, *ip, what) + "\n").collect()
    }

    /// The constant for a loopback address, if one names it.
    pub fn constant_of(&self, ip: Ipv4Addr) -> Option<String> {
        self.constants().into_iter().find(|c| c.1 == ip).map(|c| c.0)
    }

    /// Whether any call of the plan is one `test` picks.
    pub fn uses<F: Fn(&Op) -> bool>(&self, test: F) -> bool {
        self.steps.iter().any(|s| matches!(&s.what, What::Call { op, .. } if test(op)))
    }

    /// Whether the plan reads any TCP state.
    pub fn has_states(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.what, What::State { .. }))
    }
}

fn socket_name(line: usize, fd: &FdRef) -> Result<String, ExportError> {
    match fd {
        FdRef::Name(n) => Ok(n.clone()),
        FdRef::Num(n) => Err(ExportError::DescriptorNumber { line, fd: *n }),
    }
}

/// Where a script address goes, seen from host `h` (native/map.rs `to_real`):
/// any host's address to its loopback address; loopback and the wildcard to
/// the host's own 127.1.h.1 (Linux sends to 0.0.0.0 as to itself).
fn to_real(hosts: &[PlanHost], h: usize, ip: Ipv4Addr, line: usize) -> Result<Ipv4Addr, ExportError> {
    if let Some(real) = hosts.iter().flat_map(|x| &x.addrs).find(|p| p.0 == ip).map(|p| p.1) {
        return Ok(real);
    }
    if is_loopback(ip) || ip.is_unspecified() {
        return Ok(hosts[h].loopback);
    }
    Err(ExportError::ForeignAddress { line, ip })
}

/// What host `h`'s bind to `ip` gives the kernel (native/map.rs `bind_address`,
/// in a loopback-only namespace): its own address's stand-in, its 127.1.h.1
/// for loopback, the wildcard as it is, and another host's address as written
/// (no interface has it: the kernel answers EADDRNOTAVAIL).
fn bind_address(hosts: &[PlanHost], h: usize, ip: Ipv4Addr, line: usize) -> Result<Ipv4Addr, ExportError> {
    if let Some(real) = hosts[h].addrs.iter().find(|p| p.0 == ip).map(|p| p.1) {
        Ok(real)
    } else if is_loopback(ip) {
        Ok(hosts[h].loopback)
    } else if ip.is_unspecified() || hosts.iter().any(|x| x.addrs.iter().any(|p| p.0 == ip)) {
        Ok(ip)
    } else {
        Err(ExportError::ForeignAddress { line, ip })
    }
}

/// The source the model's route picks for host `h` towards `dest` (none: no
/// destination yet) (native/map.rs `source_for`): the destination itself
/// when it is loopback or the host's own, else the host's first address.
fn source_for(hosts: &[PlanHost], h: usize, dest: Option<Ipv4Addr>) -> Ipv4Addr {
    let host = &hosts[h];
    if dest.is_some_and(|d| is_loopback(d) || d.is_unspecified()) {
        return host.loopback;
    }
    host.addrs.iter().find(|p| Some(p.0) == dest).or(host.addrs.first()).map_or(host.loopback, |p| p.1)
}

fn plan_call(
    hosts: &[PlanHost],
    h: usize,
    c: &CallStmt,
    line: usize,
    note: Option<&str>,
    known: &mut HashMap<String, Known>,
) -> Result<What, ExportError> {
    let name = |fd: &FdRef| socket_name(line, fd);
    // The source an unbound socket is given before it connects or sends
    // (native/real.rs `autobind`); the socket is bound from then on.
    let source = |known: &mut HashMap<String, Known>, socket: &str, dest: Option<Ipv4Addr>| {
        let k = known.entry(socket.to_string()).or_default();
        (!std::mem::replace(&mut k.bound, true)).then(|| source_for(hosts, h, dest))
    };
    let op = match &c.call {
        Call::Socket { domain: Domain::Inet6, .. } => {
            return Ok(What::Note(
                "socket(inet6): the lab speaks IPv4 only and answers EAFNOSUPPORT; a real program would open an \
                 IPv6 socket, so this line is left out"
                    .into(),
            ))
        }
        Call::Socket { protocol, .. } => Op::Socket { udp: *protocol == Protocol::Udp },
        Call::Bind { fd, addr } => {
            let socket = name(fd)?;
            known.entry(socket.clone()).or_default().bound = true;
            Op::Bind { socket, ip: bind_address(hosts, h, *addr.ip(), line)?, port: addr.port() }
        }
        Call::Listen { fd, backlog } => Op::Listen { socket: name(fd)?, backlog: *backlog },
        Call::Accept { fd } => Op::Accept { socket: name(fd)? },
        Call::Connect { fd, addr } => {
            let socket = name(fd)?;
            let ip = to_real(hosts, h, *addr.ip(), line)?;
            let source = source(known, &socket, Some(*addr.ip()));
            Op::Connect { socket, ip, port: addr.port(), source }
        }
        // A UDP send binds an unbound socket before anything else
        // (inet_send_prepare → inet_autobind), even one that then fails with
        // EDESTADDRREQ: a later sendto must not bind it again (EINVAL).
        Call::Send { fd, data } | Call::SendTo { fd, data, addr: None } => {
            let socket = name(fd)?;
            let udp = known.get(&socket).is_some_and(|k| k.udp);
            match udp.then(|| source(known, &socket, None)).flatten() {
                Some(s) => Op::SendTo { socket, data: payload(data), to: None, source: Some(s) },
                None => Op::Send { socket, data: payload(data) },
            }
        }
        Call::SendTo { fd, data, addr: Some(a) } => {
            let socket = name(fd)?;
            let to = Some((to_real(hosts, h, *a.ip(), line)?, a.port()));
            let source = match known.get(&socket) {
                Some(k) if k.udp => source(known, &socket, Some(*a.ip())),
                _ => None,
            };
            Op::SendTo { socket, data: payload(data), to, source }
        }
        Call::Recv { fd, len } => Op::Recv { socket: name(fd)?, len: *len, flags: MsgFlags::default(), from: false },
        Call::RecvFrom { fd, len } => Op::Recv { socket: name(fd)?, len: *len, flags: MsgFlags::default(), from: true },
        Call::RecvFlags { fd, len, flags, from } => {
            Op::Recv { socket: name(fd)?, len: *len, flags: *flags, from: *from }
        }
        Call::Shutdown { fd, how } => Op::Shutdown { socket: name(fd)?, how: *how },
        Call::Close { fd } => {
            let socket = name(fd)?;
            known.entry(socket.clone()).or_default().closed = true;
            Op::Close { socket }
        }
        Call::SetSockOpt { fd, opt } => Op::SetOpt { socket: name(fd)?, opt: *opt },
        Call::GetSockName { fd } => Op::SockName { socket: name(fd)? },
        Call::GetPeerName { fd } => Op::PeerName { socket: name(fd)? },
        Call::GetSockError { fd } => Op::SoError { socket: name(fd)? },
        Call::Disconnect { fd } => Op::Disconnect { socket: name(fd)? },
    };
    if let Some(bound) = &c.bind {
        let udp = matches!(op, Op::Socket { udp: true });
        // An accepted socket is bound; a new one is not, until it binds.
        known.insert(bound.clone(), Known { udp, bound: matches!(op, Op::Accept { .. }), closed: false });
    }
    let want = match (&c.expect, note) {
        (None, _) => Want::Nothing,
        (Some(e), Some(why)) => Want::Unchecked(format!("the model says {e}; Linux differs: {why}")),
        (Some(e), None) => want(hosts, h, e, &op, line)?,
    };
    let op = rename(op);
    Ok(What::Call { op, want, bind: c.bind.as_deref().map(ident) })
}

/// The op with its socket names as identifiers.
fn rename(op: Op) -> Op {
    match op {
        Op::Socket { udp } => Op::Socket { udp },
        Op::Bind { socket, ip, port } => Op::Bind { socket: ident(&socket), ip, port },
        Op::Listen { socket, backlog } => Op::Listen { socket: ident(&socket), backlog },
        Op::Accept { socket } => Op::Accept { socket: ident(&socket) },
        Op::Connect { socket, ip, port, source } => Op::Connect { socket: ident(&socket), ip, port, source },
        Op::Send { socket, data } => Op::Send { socket: ident(&socket), data },
        Op::SendTo { socket, data, to, source } => Op::SendTo { socket: ident(&socket), data, to, source },
        Op::Recv { socket, len, flags, from } => Op::Recv { socket: ident(&socket), len, flags, from },
        Op::Shutdown { socket, how } => Op::Shutdown { socket: ident(&socket), how },
        Op::Close { socket } => Op::Close { socket: ident(&socket) },
        Op::SetOpt { socket, opt } => Op::SetOpt { socket: ident(&socket), opt },
        Op::SockName { socket } => Op::SockName { socket: ident(&socket) },
        Op::PeerName { socket } => Op::PeerName { socket: ident(&socket) },
        Op::SoError { socket } => Op::SoError { socket: ident(&socket) },
        Op::Disconnect { socket } => Op::Disconnect { socket: ident(&socket) },
    }
}

fn payload(data: &Data) -> Payload {
    match data {
        Data::Text(t) => Payload::Text(t.clone()),
        Data::Bytes(n) => Payload::Alphabet(*n),
    }
}

/// An expectation as the program checks it, its addresses on loopback.
fn want(hosts: &[PlanHost], h: usize, e: &ResultExpect, op: &Op, line: usize) -> Result<Want, ExportError> {
    // A sender or a name: the wildcard stays itself (getsockname of a
    // wildcard socket), any other address its loopback stand-in.
    let real = |ip: Ipv4Addr| if ip.is_unspecified() { Ok(ip) } else { to_real(hosts, h, ip, line) };
    Ok(match e {
        ResultExpect::Errno(errno) => Want::Errno(*errno),
        ResultExpect::Int(n) if matches!(op, Op::Socket { .. } | Op::Accept { .. }) => Want::Unchecked(format!(
            "the model numbers each host's descriptors from 3 and says {n}; one process numbers them for every host"
        )),
        ResultExpect::Int(n) if matches!(op, Op::SoError { .. }) => {
            Want::Unchecked(format!("getsockopt returned {n}; the program checks the error it read"))
        }
        ResultExpect::Int(n) => Want::Int(*n),
        ResultExpect::Data { data, from: None } => Want::Data(data.clone()),
        ResultExpect::Data { data, from: Some((ip, port)) } => {
            Want::From { data: Some(data.clone()), len: None, ip: real(*ip)?, port: *port }
        }
        ResultExpect::BytesFrom { len, from: (ip, port) } => {
            Want::From { data: None, len: Some(*len), ip: real(*ip)?, port: *port }
        }
        ResultExpect::Addr { ip, ports: (lo, hi) } => Want::Addr { ip: real(*ip)?, lo: *lo, hi: *hi },
        ResultExpect::SockError(e) => Want::SoError(*e),
    })
}

/// The bytes of a payload, for a language that spells them out.
pub fn payload_bytes(p: &Payload) -> Vec<u8> {
    match p {
        Payload::Text(t) => t.clone(),
        Payload::Alphabet(n) => (0..*n).map(|i| b'a' + (i % 26) as u8).collect(),
    }
}

/// `300ms`, `2s`, `60s`: a duration in a comment.
pub fn fmt_us(us: u64) -> String {
    crate::script::time::fmt_dur(us)
}

/// The header's first lines, the same in every language: what the program
/// is, where it comes from, and what it cannot do.
pub fn header_lines(plan: &Plan, run: &[&str]) -> Vec<String> {
    let mut out = vec![match &plan.title {
        Some(t) => format!("{}.sock: {t}", plan.name),
        None => format!("{}.sock", plan.name),
    }];
    out.push("Made by socklab export: the lesson's socket calls on real sockets, one thread per host,".into());
    out.push("in the lesson's order; its expectations are checked, what a program cannot check is a comment.".into());
    out.push(String::new());
    out.push("Run it (Linux) in a network namespace of its own, where only loopback exists:".into());
    for r in run {
        out.push(format!("    {r}"));
    }
    out.push("Each host's addresses are loopback addresses (below); 0.0.0.0 is every host's.".into());
    if let Some(why) = &plan.not_runnable {
        out.push(String::new());
        out.push(format!("Real sockets cannot do what this lesson shows: {why}."));
        out.push("The program makes its calls, but their outcomes will differ from the lesson's.".into());
    }
    out
}

/// Whether `text` uses `name`: the name called, indexed or passed, as a word of its own.
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && matches!(after, Some('(' | '[' | ')'))
    })
}

/// The helpers `code` uses, and those they use, in the order they are defined
/// (each after what it uses); the first (the shared state) always: a program
/// carries no helper it does not use, so its compiler warns of none.
pub(crate) fn helpers_for(helpers: &[(&str, &'static str)], code: &str) -> Vec<&'static str> {
    let mut used = vec![false; helpers.len()];
    used[0] = true;
    loop {
        let known: String = helpers.iter().zip(&used).filter(|(_, u)| **u).map(|(h, _)| h.1).collect();
        let more: Vec<usize> = (0..helpers.len())
            .filter(|&i| !used[i] && (mentions(code, helpers[i].0) || mentions(&known, helpers[i].0)))
            .collect();
        if more.is_empty() {
            break;
        }
        for i in more {
            used[i] = true;
        }
    }
    helpers.iter().zip(&used).filter(|(_, u)| **u).map(|(h, _)| h.1).collect()
}

#[cfg(test)]
mod tests;
