//! Parse errors of the scenario language, with line and column.
//!
//! A parse error is typed ([`ScriptErrorKind`]): what the parser wanted
//! ([`Wanted`]) and what it met ([`Found`]), or a limit that was passed. Each
//! says itself in English (`Display`, the CLI's and the message's words) and in
//! Korean ([`ScriptErrorKind::korean`], the page's), the script's own tokens and
//! keywords kept verbatim in both.
//!
//! Run failures, typed the same way, are in [`super::failure`].

use super::limits::{MAX_ADDRS_PER_HOST, MAX_HOSTS, MAX_LINKS, MAX_NAME_CHARS, MAX_PAYLOAD, MAX_SCRIPT_BYTES};
use super::shown::{listed, shown};
use super::time::fmt_dur;
use crate::lang::{Bilingual, Lang};
use crate::net::tcp::TcpConfigConflict;
use crate::net::{Errno, Ipv4Addr};
use serde::Serialize;
use std::fmt;

/// A script that cannot be read: `FILE:LINE:COL: expected …, found …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
    /// In English: `kind` said in English.
    pub message: String,
    /// What went wrong, with its parts, for a reader that says it in another
    /// language (boxed: an error stays small on the parser's `Result`s).
    #[serde(skip)]
    pub kind: Box<ScriptErrorKind>,
}

impl ScriptError {
    /// An error of `kind` at `line`, `col`; its message is the kind in English.
    pub fn new(line: usize, col: usize, kind: ScriptErrorKind) -> ScriptError {
        ScriptError { line, col, message: kind.to_string(), kind: Box::new(kind) }
    }

    /// `expected {expected}, found {found}`.
    pub fn expected(line: usize, col: usize, expected: Wanted, found: Found) -> ScriptError {
        ScriptError::new(line, col, ScriptErrorKind::Expected { expected, found })
    }

    /// `FILE:LINE:COL: message`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line, self.col, self.message)
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ScriptError {}

crate::display_in_english!(ScriptErrorKind, Wanted, Found);

/// What kind of error a [`ScriptError`] is, with its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptErrorKind {
    /// `expected {expected}, found {found}`: the common kind, where the parser
    /// or lexer wanted one thing and met another.
    Expected { expected: Wanted, found: Found },
    /// `expected a direction like A > B`: a counter on a path needs its direction.
    Direction { from: String, to: String },
    /// A number read as `what` is above `max`.
    OverLimit { what: Wanted, value: u64, max: u64 },
    /// A number read as `what` does not fit its type.
    OutOfRange { what: Wanted, value: u64 },
    /// The script's text has `bytes` bytes, more than [`MAX_SCRIPT_BYTES`].
    ScriptTooLong { bytes: usize },
    /// More than [`MAX_HOSTS`] hosts.
    TooManyHosts,
    /// More than [`MAX_ADDRS_PER_HOST`] addresses on one host.
    TooManyAddresses,
    /// More than [`MAX_LINKS`] links.
    TooManyLinks,
    /// A send of `bytes` bytes, more than [`MAX_PAYLOAD`].
    PayloadTooLarge { bytes: u64 },
    /// A duration (as written) past one simulated day.
    DurationTooLong { text: String },
    /// A bandwidth (as written) outside 1bit to 100gbit.
    BandwidthOutOfRange { text: String },
    /// A `tcp` setting that contradicts the settings before it.
    TcpSettingsConflict { conflict: TcpConfigConflict },
    /// The script's bytes are not UTF-8 here: `bytes` are the ones that are not
    /// a character (at most 3, an unfinished one at the end included).
    InvalidUtf8 { bytes: Vec<u8> },
    /// A host or descriptor name (`what`) of `chars` characters, more than
    /// [`MAX_NAME_CHARS`].
    NameTooLong { what: Wanted, chars: usize },
}

/// What the parser wanted where it stopped: a description, or the script's own
/// words to choose from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// `']'` closing `[flags`.
    FlagsClose,
    /// Any token.
    Token,
    /// `'"'` closing a string.
    StringClose,
    /// A character after `\`.
    EscapeAfterBackslash,
    /// Two hex digits after `\x`.
    HexDigits,
    /// One of the string escapes.
    Escape,
    /// `title.en`, `title.ko`, `about.en` or `about.ko`.
    MetaKey,
    /// This punctuation.
    Punct(char),
    /// Nothing more on the line.
    EndOfLine,
    Duration,
    /// A duration, its unit missing.
    DurationWithUnit,
    /// A duration, its unit unknown.
    DurationUnit,
    /// A duration, its number malformed.
    DurationShape,
    DurationAboveZero,
    Percentage,
    PercentageInRange,
    Ipv4,
    /// `on` or `off`.
    OnOff,
    /// `tcp_early_retrans`'s value.
    EarlyRetrans,
    /// `tcp_frto`'s value.
    Frto,
    Bandwidth,
    /// A bandwidth, its unit unknown.
    BandwidthWithUnit,
    /// A statement, where a line starts.
    Statement,
    /// A statement, a word met at its start being none.
    StatementKeyword,
    /// One `seed` line, not two.
    OneSeed,
    /// `seed` before hosts, links and calls.
    SeedFirst,
    SeedNumber,
    /// `next` in `drop next N on a > b`.
    DropNext,
    PacketCount,
    /// `':'` after this host's name, starting a call.
    ColonAfterHost(String),
    HostName,
    DeclaredHost,
    NewHostName,
    NonLoopback,
    Unicast,
    UnusedAddress,
    /// A host other than this one.
    OtherHost(String),
    /// A link between these two hosts.
    LinkBetween(String, String),
    LinkSetting,
    Mtu,
    MtuInRange,
    /// A descriptor bound on `host` earlier; `name` is the word met.
    NamedDescriptor {
        host: String,
        name: String,
    },
    DescriptorNumber,
    Descriptor,
    /// `IP:PORT` or `HOST:PORT`.
    AddressOrHost,
    Address,
    PortNumber,
    Port,
    /// A string of at most this many bytes.
    PayloadAtMost(usize),
    ByteCount,
    /// `bytes` after a byte count.
    BytesWord,
    /// A string or a byte count.
    Data,
    Name,
    SocketCall,
    /// `tcp` or `udp`.
    Protocol,
    Backlog,
    BufferSize,
    /// `rd`, `wr` or `rdwr`.
    ShutdownHow,
    /// A socket option, as a word.
    SockOptWord,
    /// A congestion control name `TCP_CONGESTION` takes.
    CongestionControl,
    /// One of the socket options.
    SockOpt,
    /// `socket` or `accept` after `name =`.
    FdCall {
        name: String,
    },
    /// What follows `expect`, where it starts.
    ExpectWhat,
    /// What follows `expect`, the word met being none.
    ExpectAfter,
    TcpStateWord,
    TcpState,
    CountOrRange,
    TcpFlags,
    /// TCP flags, `udp` or `icmp`.
    Packet,
    /// `seq`, `ack`, `len` or `win`.
    PacketField,
    SequenceNumber,
    AckNumber,
    Length,
    Window,
    /// `sack LEFT:RIGHT,...` in a packet expectation.
    SackBlock,
    /// `1` after `-`.
    MinusOne,
    /// `-1` then an errno.
    MinusOneErrno,
    Number,
    /// A call's result.
    Result,
    ErrnoWord,
    /// One of [`Errno::ALL`].
    Errno,
    TcpSettingWord,
    TcpSetting,
    /// `ack immediate` or `ack delayed` after `option`.
    AckOption,
    /// A sysctl a `host` line sets for one host.
    HostTcpSetting,
    Count,
    SegmentCount,
    /// At least one segment.
    OneSegment,
    SizeInBytes,
    /// A buffer of at least one byte.
    OneByteBuffer,
    /// What `getsockopt` reads: `SO_ERROR`.
    GetSockOpt,
    /// `[ECONNREFUSED]` or `[0]`: the error `getsockopt(SO_ERROR)` reads.
    SockErrorValue,
    /// A port, or a range of ports like `32768..60999`.
    PortOrRange,
    /// `MSG_PEEK`, `MSG_TRUNC` or `0`.
    MsgFlag,
    LingerSeconds,
    /// `{0, N}` or `{1, 0}`: the lingering close `{1, N}` is not modelled.
    Linger,
}

/// What the parser met instead: a token as written, or a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Nothing: the line ended.
    EndOfLine,
    /// A word, number, punctuation or flags token as written: `'x'`.
    Token(String),
    /// A string, quoted and escaped as it would be written.
    Str(String),
    /// A word met where a call returning a descriptor belongs (unquoted).
    Call(String),
    /// A negative number as written, like `-5`.
    Negative(String),
    /// A number read.
    Number(u64),
    /// An address read.
    Address(Ipv4Addr),
    /// A keyword where a name belongs.
    Keyword(String),
    /// A host name declared already.
    DeclaredAlready(String),
    /// A word that names no host; `declared` are the hosts so far, sorted.
    UndeclaredHost { name: String, declared: Vec<String> },
    /// A loopback address, which every host has.
    Loopback(Ipv4Addr),
    /// An address another host (or this one) has.
    Taken(Ipv4Addr),
    /// The same host a second time.
    Again(String),
    /// No link between the two hosts.
    NoLink { a: String, b: String },
    /// A second `seed` line.
    SecondSeed,
    /// A `seed` line after hosts, links or calls.
    SeedLater,
}

const STATEMENTS: &str = "seed, host, link, tcp, option, expect, run, drop, partition, repair, loss, +TIME";
const HOST_TCP_SETTINGS: &str = "tcp_timestamps, tcp_sack, tcp_early_retrans, tcp_frto";
const LINK_SETTINGS: &str = "latency, jitter, bandwidth, loss, dup, reorder, reorder_delay, mtu, corrupt, truncate";
const SOCKET_CALLS: &str = "socket, bind, listen, accept, connect, send, recv, sendto, recvfrom, shutdown, close, setsockopt, getsockopt, getsockname, getpeername";
const SOCK_OPTS: &str = "SO_REUSEADDR, O_NONBLOCK, SO_RCVBUF, SO_SNDBUF, SO_LINGER";
const COUNTERS: &str = "HOST > HOST, state, sent, lost, duplicated, reordered, delivered, dropped, cwnd, ssthresh";
const TCP_STATES: &str = "LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, CLOSED";
const TCP_FLAGS: &str = "[S], [S.], [.], [P.], [F.], [R]";
const TCP_SETTINGS: &str = "syn_retries, syn_linear_timeouts, synack_retries, data_retries, rto_initial, rto_min, rto_max, msl, fin_timeout, initial_cwnd, delayed_ack_time, nagle, send_buffer, recv_buffer, window_scaling";
const ESCAPES: &str = "\\n \\r \\t \\0 \\\\ \\\" \\xHH";

/// Bytes as `\xHH` escapes, as the script's strings write them: `\xc3\x28`.
fn hex_escaped(bytes: &[u8]) -> String {
    bytes.iter().take(4).map(|b| format!("\\x{b:02x}")).collect()
}

fn errno_names() -> String {
    Errno::ALL.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
}

impl Bilingual for ScriptErrorKind {
    fn both(&self) -> (String, String) {
        match self {
            ScriptErrorKind::Expected { expected, found } => (format!("expected {expected}, found {found}"), {
                format!("여기에 와야 할 것: {} · 실제로 있는 것: {}", expected.say(Lang::Ko), found.say(Lang::Ko))
            }),
            ScriptErrorKind::Direction { from, to } => ({
                format!("expected a direction like {} > {}", shown(from), shown(to))
            }, {
                format!("{} > {}처럼 방향을 적어야 합니다", shown(from), shown(to))
            }),
            ScriptErrorKind::OverLimit { what, value, max } => (format!("{what} {value} is over the limit of {max}"), {
                format!("한도를 넘는 {}: {value} (한도 {max})", what.say(Lang::Ko))
            }),
            ScriptErrorKind::OutOfRange { what, value } => (format!("{what} {value} is out of range"), format!("범위를 벗어난 {}: {value}", what.say(Lang::Ko))),
            ScriptErrorKind::ScriptTooLong { bytes } => ({
                format!("script is {bytes} bytes; the limit is {MAX_SCRIPT_BYTES} bytes (4 MiB)")
            }, {
                format!("스크립트가 {bytes}바이트로, 한도 {MAX_SCRIPT_BYTES}바이트(4 MiB)를 넘습니다")
            }),
            ScriptErrorKind::TooManyHosts => (format!("too many hosts: the limit is {MAX_HOSTS}"), format!("호스트가 너무 많습니다: 한도는 {MAX_HOSTS}개입니다")),
            ScriptErrorKind::TooManyAddresses => ({
                format!("too many addresses: the limit is {MAX_ADDRS_PER_HOST} per host")
            }, {
                format!("주소가 너무 많습니다: 호스트 하나에 {MAX_ADDRS_PER_HOST}개까지입니다")
            }),
            ScriptErrorKind::TooManyLinks => (format!("too many links: the limit is {MAX_LINKS}"), format!("링크가 너무 많습니다: 한도는 {MAX_LINKS}개입니다")),
            ScriptErrorKind::PayloadTooLarge { bytes } => ({
                format!("payload of {bytes} bytes is over the limit of {MAX_PAYLOAD} bytes (16 MiB)")
            }, {
                format!("보낼 데이터 {bytes}바이트가 한도 {MAX_PAYLOAD}바이트(16 MiB)를 넘습니다")
            }),
            ScriptErrorKind::DurationTooLong { text } => ({
                format!("duration {} is over the limit of one simulated day", shown(text))
            }, {
                format!("시뮬레이션 시간으로 하루를 넘는 시간: {}", shown(text))
            }),
            ScriptErrorKind::BandwidthOutOfRange { text } => ({
                format!("bandwidth {} is out of range (1bit to 100gbit)", shown(text))
            }, {
                format!("범위(1bit~100gbit)를 벗어난 대역폭: {}", shown(text))
            }),
            ScriptErrorKind::TcpSettingsConflict { conflict } => (match *conflict {
                TcpConfigConflict::RtoMinAboveMax { rto_min_us, rto_max_us } => format!("rto_min {} is above rto_max {}: a retransmission timeout must be at least rto_min and at most rto_max",
                    fmt_dur(rto_min_us),
                    fmt_dur(rto_max_us)
                ),
                TcpConfigConflict::RtoInitialAboveMax { rto_initial_us, rto_max_us } => format!("rto_initial {} is above rto_max {}: the first retransmission timeout would already be past its ceiling",
                    fmt_dur(rto_initial_us),
                    fmt_dur(rto_max_us)
                ),
            }, match *conflict {
                TcpConfigConflict::RtoMinAboveMax { rto_min_us, rto_max_us } => format!(
                    "rto_min {}가 rto_max {}보다 큽니다: 재전송 타임아웃은 rto_min 이상, rto_max 이하여야 합니다",
                    fmt_dur(rto_min_us),
                    fmt_dur(rto_max_us)
                ),
                TcpConfigConflict::RtoInitialAboveMax { rto_initial_us, rto_max_us } => format!(
                    "rto_initial {}가 rto_max {}보다 큽니다: 첫 재전송 타임아웃이 이미 상한을 넘습니다",
                    fmt_dur(rto_initial_us),
                    fmt_dur(rto_max_us)
                ),
            }),
            ScriptErrorKind::InvalidUtf8 { bytes } => ({
                format!("invalid UTF-8: '{}' is not a character (a script is UTF-8 text)", hex_escaped(bytes))
            }, {
                format!("UTF-8이 아닌 바이트 '{}': 스크립트는 UTF-8 텍스트여야 합니다", hex_escaped(bytes))
            }),
            ScriptErrorKind::NameTooLong { what, chars } => ({
                format!("{what} of {chars} characters is over the limit of {MAX_NAME_CHARS} characters")
            }, {
                format!("한도({MAX_NAME_CHARS}자)보다 긴 {}: {chars}자", what.say(Lang::Ko))
            }),
        }
    }
}

impl Bilingual for Wanted {
    fn both(&self) -> (String, String) {
        match self {
            Wanted::FlagsClose => ("']' to close the flags".into(), "플래그를 닫는 ']'".into()),
            Wanted::Token => ("a word, number, string or punctuation".into(), "단어, 숫자, 문자열 또는 구두점".into()),
            Wanted::StringClose => ("'\"' to close the string".into(), "문자열을 닫는 '\"'".into()),
            Wanted::EscapeAfterBackslash => ("an escape after '\\'".into(), "'\\' 뒤의 이스케이프 문자".into()),
            Wanted::HexDigits => ("two hex digits after '\\x'".into(), "'\\x' 뒤의 16진수 두 자리".into()),
            Wanted::Escape => (format!("an escape ({ESCAPES})"), format!("이스케이프 문자 ({ESCAPES})")),
            Wanted::MetaKey => {
                ("title.en, title.ko, about.en or about.ko".into(), "title.en, title.ko, about.en 또는 about.ko".into())
            }
            Wanted::Punct(c) => (format!("'{c}'"), format!("'{c}'")),
            Wanted::EndOfLine => ("end of line".into(), "줄 끝".into()),
            Wanted::Duration => ("a duration like 200ms".into(), "200ms 같은 시간".into()),
            Wanted::DurationWithUnit => (
                "a duration with a unit (us, ms, s, min, h) like 200ms".into(),
                "단위(us, ms, s, min, h)가 붙은 시간 (예: 200ms)".into(),
            ),
            Wanted::DurationUnit => {
                ("a duration unit us, ms, s, min or h".into(), "시간 단위 us, ms, s, min 또는 h".into())
            }
            Wanted::DurationShape => ("a duration like 200ms or 1.5s".into(), "200ms나 1.5s 같은 시간".into()),
            Wanted::DurationAboveZero => ("a duration above zero".into(), "0보다 긴 시간".into()),
            Wanted::Percentage => ("a percentage like 5%".into(), "5% 같은 백분율".into()),
            Wanted::PercentageInRange => ("a percentage from 0% to 100%".into(), "0%에서 100% 사이의 백분율".into()),
            Wanted::Ipv4 => ("an IPv4 address like 10.0.0.1".into(), "10.0.0.1 같은 IPv4 주소".into()),
            Wanted::OnOff => ("on or off".into(), "on 또는 off".into()),
            Wanted::EarlyRetrans => (
                "0 (no tail loss probe) or 3 (Linux's default: probe)".into(),
                "0 (꼬리 손실 탐색 없음) 또는 3 (리눅스 기본: 탐색)".into(),
            ),
            Wanted::Frto => (
                "0 (no F-RTO) or 2 (Linux's default: new data after a timeout)".into(),
                "0 (타임아웃 뒤 새 데이터 없음) 또는 2 (리눅스 기본: 타임아웃 뒤 새 데이터 먼저)".into(),
            ),
            Wanted::Bandwidth => ("a bandwidth like 10mbit".into(), "10mbit 같은 대역폭".into()),
            Wanted::BandwidthWithUnit => (
                "a bandwidth like 10mbit (bit, kbit, mbit, gbit)".into(),
                "10mbit 같은 대역폭 (bit, kbit, mbit, gbit)".into(),
            ),
            Wanted::Statement => (
                { "a statement (host, link, a call like 'client: ...', expect, +200ms, ...)".into() },
                "문장 (host, link, 'client: ...' 같은 호출, expect, +200ms, ...)".into(),
            ),
            Wanted::StatementKeyword => {
                (format!("a statement ({STATEMENTS} or HOST: call)"), format!("문장 ({STATEMENTS} 또는 HOST: 호출)"))
            }
            Wanted::OneSeed => ("one seed line".into(), "seed 줄 하나".into()),
            Wanted::SeedFirst => {
                ("seed before the first host, link or call".into(), "첫 host, link, 호출보다 앞에 오는 seed".into())
            }
            Wanted::SeedNumber => ("a seed number".into(), "시드 번호".into()),
            Wanted::DropNext => ("'next' (drop next N on a > b)".into(), "'next' ('drop next N on a > b'처럼)".into()),
            Wanted::PacketCount => ("a packet count".into(), "패킷 수".into()),
            Wanted::ColonAfterHost(h) => (
                {
                    let h = shown(h);
                    format!("':' after host {h} (like '{h}: s = socket(tcp)')")
                },
                {
                    let h = shown(h);
                    format!("호스트 {h} 뒤의 ':' ('{h}: s = socket(tcp)'처럼)")
                },
            ),
            Wanted::HostName => ("a host name".into(), "호스트 이름".into()),
            Wanted::DeclaredHost => ("a declared host".into(), "선언된 호스트".into()),
            Wanted::NewHostName => ("a new host name".into(), "새 호스트 이름".into()),
            Wanted::NonLoopback => ("a non-loopback address".into(), "루프백이 아닌 주소".into()),
            Wanted::Unicast => ("a unicast address".into(), "유니캐스트 주소".into()),
            Wanted::UnusedAddress => ("an unused address".into(), "아직 쓰이지 않은 주소".into()),
            Wanted::OtherHost(a) => {
                (format!("a host other than {}", shown(a)), format!("{} 말고 다른 호스트", shown(a)))
            }
            Wanted::LinkBetween(a, b) => (
                format!("a link between {} and {}", shown(a), shown(b)),
                format!("{}, {} 사이의 링크", shown(a), shown(b)),
            ),
            Wanted::LinkSetting => {
                (format!("a link setting ({LINK_SETTINGS})"), format!("링크 설정 ({LINK_SETTINGS})"))
            }
            Wanted::Mtu => ("an MTU".into(), "MTU".into()),
            Wanted::MtuInRange => ("an MTU from 68 to 65535".into(), "68에서 65535 사이의 MTU".into()),
            Wanted::NamedDescriptor { host, name } => (
                {
                    let (host, name) = (shown(host), shown(name));
                    format!("a descriptor named on {host} earlier (like '{host}: {name} = socket(tcp)')")
                },
                {
                    let (host, name) = (shown(host), shown(name));
                    format!("{host}에서 앞서 이름 붙인 디스크립터 ('{host}: {name} = socket(tcp)'처럼)")
                },
            ),
            Wanted::DescriptorNumber => ("a descriptor number".into(), "디스크립터 번호".into()),
            Wanted::Descriptor => {
                ("a descriptor (a name like c, or a number)".into(), "디스크립터 (c 같은 이름 또는 숫자)".into())
            }
            Wanted::AddressOrHost => {
                ("an address like 10.0.0.1:80 or HOST:80".into(), "10.0.0.1:80 또는 HOST:80 같은 주소".into())
            }
            Wanted::Address => ("an address like 10.0.0.1:80".into(), "10.0.0.1:80 같은 주소".into()),
            Wanted::PortNumber => ("a port number".into(), "포트 번호".into()),
            Wanted::Port => ("a port".into(), "포트".into()),
            Wanted::PayloadAtMost(n) => (format!("a payload of at most {n} bytes"), format!("{n}바이트 이하의 데이터")),
            Wanted::ByteCount => ("a byte count".into(), "바이트 수".into()),
            Wanted::BytesWord => {
                ("'bytes' (like send(c, 3000 bytes))".into(), "'bytes' (send(c, 3000 bytes)처럼)".into())
            }
            Wanted::Data => (
                "data: a string like \"hello\" or a size like 3000 bytes".into(),
                "데이터: \"hello\" 같은 문자열 또는 3000 bytes 같은 크기".into(),
            ),
            Wanted::Name => ("a name".into(), "이름".into()),
            Wanted::SocketCall => (format!("a socket call ({SOCKET_CALLS})"), format!("소켓 호출 ({SOCKET_CALLS})")),
            Wanted::Protocol => ("tcp or udp".into(), "tcp 또는 udp".into()),
            Wanted::Backlog => ("a backlog".into(), "백로그 크기".into()),
            Wanted::BufferSize => ("a buffer size".into(), "버퍼 크기".into()),
            Wanted::ShutdownHow => ("rd, wr or rdwr".into(), "rd, wr 또는 rdwr".into()),
            Wanted::SockOptWord => (
                format!("an option ({SOCK_OPTS}, TCP_NODELAY, TCP_QUICKACK, TCP_CONGESTION)"),
                format!("옵션 ({SOCK_OPTS}, TCP_NODELAY, TCP_QUICKACK, TCP_CONGESTION)"),
            ),
            Wanted::SockOpt => (
                format!("{SOCK_OPTS}, TCP_NODELAY, TCP_QUICKACK or TCP_CONGESTION"),
                format!("{SOCK_OPTS}, TCP_NODELAY, TCP_QUICKACK 또는 TCP_CONGESTION"),
            ),
            Wanted::CongestionControl => ("\"reno\" or \"cubic\"".into(), "\"reno\" 또는 \"cubic\"".into()),
            Wanted::FdCall { name } => (
                {
                    let name = shown(name);
                    format!("a call that returns a descriptor (socket or accept) after '{name} ='")
                },
                {
                    let name = shown(name);
                    format!("'{name} =' 뒤에 올, 디스크립터를 돌려주는 호출 (socket 또는 accept)")
                },
            ),
            Wanted::ExpectWhat => (
                "what to expect: HOST > HOST [flags], state, sent, lost, delivered, ...".into(),
                "기대할 대상: HOST > HOST [플래그], state, sent, lost, delivered, ...".into(),
            ),
            Wanted::ExpectAfter => {
                (format!("{COUNTERS} or unread after expect"), format!("expect 뒤에 올 {COUNTERS} 또는 unread"))
            }
            Wanted::TcpStateWord => ("a TCP state like ESTABLISHED".into(), "ESTABLISHED 같은 TCP 상태".into()),
            Wanted::TcpState => (format!("a TCP state ({TCP_STATES})"), format!("TCP 상태 ({TCP_STATES})")),
            Wanted::CountOrRange => {
                ("a count like 3 or a range like 2..5".into(), "3 같은 개수 또는 2..5 같은 범위".into())
            }
            Wanted::TcpFlags => (format!("tcpdump flags like {TCP_FLAGS}"), format!("{TCP_FLAGS} 같은 tcpdump 플래그")),
            Wanted::Packet => (
                "a packet: TCP flags like [S.], or udp, or icmp".into(),
                "패킷: [S.] 같은 TCP 플래그, udp 또는 icmp".into(),
            ),
            Wanted::PacketField => (
                "seq, ack, seq=, ack=, len, win, sack, at TIME or +TIME".into(),
                "seq, ack, seq=, ack=, len, win, sack, at 시간 또는 +시간".into(),
            ),
            Wanted::SequenceNumber => ("a sequence number".into(), "순서 번호".into()),
            Wanted::AckNumber => ("an acknowledgement number".into(), "확인 응답 번호".into()),
            Wanted::Length => ("a length".into(), "길이".into()),
            Wanted::Window => ("a window".into(), "윈도 크기".into()),
            Wanted::SackBlock => (
                "a SACK block like 1461:2921 (blocks separated by commas)".into(),
                "1461:2921 같은 SACK 블록 (여러 개는 쉼표로 구분)".into(),
            ),
            Wanted::MinusOne => ("1 (as in -1 ECONNREFUSED)".into(), "1 (-1 ECONNREFUSED처럼)".into()),
            Wanted::MinusOneErrno => ("-1 followed by an errno".into(), "-1과 그 뒤의 errno".into()),
            Wanted::Number => ("a number".into(), "숫자".into()),
            Wanted::Result => (
                "a result: a number, a string like \"hello\", or an errno like ECONNREFUSED".into(),
                "결과: 숫자, \"hello\" 같은 문자열 또는 ECONNREFUSED 같은 errno".into(),
            ),
            Wanted::ErrnoWord => ("an errno like ECONNREFUSED".into(), "ECONNREFUSED 같은 errno".into()),
            Wanted::Errno => (format!("an errno ({})", errno_names()), format!("errno ({})", errno_names())),
            Wanted::TcpSettingWord => ("a TCP setting like syn_retries".into(), "syn_retries 같은 TCP 설정".into()),
            Wanted::TcpSetting => (format!("a TCP setting ({TCP_SETTINGS})"), format!("TCP 설정 ({TCP_SETTINGS})")),
            Wanted::AckOption => ("ack immediate or ack delayed".into(), "ack immediate 또는 ack delayed".into()),
            Wanted::HostTcpSetting => (
                format!("a host's TCP setting ({HOST_TCP_SETTINGS})"),
                format!("호스트의 TCP 설정 ({HOST_TCP_SETTINGS})"),
            ),
            Wanted::Count => ("a count".into(), "횟수".into()),
            Wanted::SegmentCount => ("a segment count".into(), "세그먼트 수".into()),
            Wanted::OneSegment => ("at least 1 segment".into(), "1 이상의 세그먼트 수".into()),
            Wanted::SizeInBytes => ("a size in bytes".into(), "바이트 단위 크기".into()),
            Wanted::OneByteBuffer => ("a buffer of at least 1 byte".into(), "1바이트 이상의 버퍼".into()),
            Wanted::GetSockOpt => {
                ("SO_ERROR (getsockopt(s, SO_ERROR))".into(), "SO_ERROR (getsockopt(s, SO_ERROR))".into())
            }
            Wanted::SockErrorValue => (
                "the error SO_ERROR reads, like [ECONNREFUSED], or [0] for none".into(),
                "SO_ERROR가 읽은 오류: [ECONNREFUSED] 같은 것, 없으면 [0]".into(),
            ),
            Wanted::PortOrRange => (
                "a port like 80 or a range like 32768..60999".into(),
                "80 같은 포트 또는 32768..60999 같은 포트 범위".into(),
            ),
            Wanted::MsgFlag => {
                ("MSG_PEEK, MSG_TRUNC (joined with |) or 0".into(), "MSG_PEEK, MSG_TRUNC (|로 잇기) 또는 0".into())
            }
            Wanted::LingerSeconds => ("a linger time in seconds".into(), "SO_LINGER의 초 단위 시간".into()),
            Wanted::Linger => {
                ({ "{0, N} or {1, 0} (a close that lingers, {1, N} with N above 0, is not modelled)".into() }, {
                    "{0, N} 또는 {1, 0} (N이 0보다 큰 {1, N}, 곧 데이터를 기다리며 머무는 close는 모델에 없습니다)"
                        .into()
                })
            }
        }
    }
}

impl Bilingual for Found {
    fn both(&self) -> (String, String) {
        match self {
            Found::EndOfLine => ("end of line".into(), "줄 끝".into()),
            Found::Token(t) => (format!("'{}'", shown(t)), format!("'{}'", shown(t))),
            Found::Str(q) => (format!("string {}", shown(q)), format!("문자열 {}", shown(q))),
            Found::Call(w) | Found::Negative(w) => (format!("{}", shown(w)), shown(w).to_string()),
            Found::Number(n) => (format!("{n}"), n.to_string()),
            Found::Address(ip) => (format!("{ip}"), ip.to_string()),
            Found::Keyword(k) => (format!("keyword '{}'", shown(k)), format!("키워드 '{}'", shown(k))),
            Found::DeclaredAlready(h) => {
                (format!("'{}' declared already", shown(h)), format!("이미 선언된 '{}'", shown(h)))
            }
            Found::UndeclaredHost { name, declared } if declared.is_empty() => {
                ({ format!("'{}' (no hosts are declared yet (host NAME IP))", shown(name)) }, {
                    format!("'{}' (아직 선언된 호스트가 없습니다 — host NAME IP)", shown(name))
                })
            }
            Found::UndeclaredHost { name, declared } => (
                {
                    let declared = listed(declared, |n| format!("… and {n} more"));
                    format!("'{}' (declared hosts: {declared})", shown(name))
                },
                {
                    let declared = listed(declared, |n| format!("… 외 {n}개"));
                    format!("'{}' (선언된 호스트: {declared})", shown(name))
                },
            ),
            Found::Loopback(ip) => {
                (format!("{ip} (every host has 127.0.0.1)"), format!("{ip} (모든 호스트에 127.0.0.1이 이미 있습니다)"))
            }
            Found::Taken(ip) => (format!("{ip} taken by another host"), format!("다른 호스트가 이미 쓰는 {ip}")),
            Found::Again(h) => (format!("{} again", shown(h)), format!("같은 호스트 {}", shown(h))),
            Found::NoLink { a, b } => (
                format!("none (add: link {} {})", shown(a), shown(b)),
                format!("없음 (추가할 줄: link {} {})", shown(a), shown(b)),
            ),
            Found::SecondSeed => ("a second".into(), "두 번째 seed 줄".into()),
            Found::SeedLater => ("it later".into(), "그보다 뒤의 seed 줄".into()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::script::shown::MAX_QUOTED_CHARS;

    pub(crate) fn has_hangul(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    /// A sample of each [`Wanted`], in declaration order. That each has both
    /// languages the compiler checks (`Bilingual::both` is one exhaustive match of
    /// pairs); these samples check that the Korean half is Korean.
    fn every_wanted() -> Vec<Wanted> {
        use Wanted::*;
        vec![
            FlagsClose,
            Token,
            StringClose,
            EscapeAfterBackslash,
            HexDigits,
            Escape,
            MetaKey,
            Punct(':'),
            EndOfLine,
            Duration,
            DurationWithUnit,
            DurationUnit,
            DurationShape,
            DurationAboveZero,
            Percentage,
            PercentageInRange,
            Ipv4,
            OnOff,
            EarlyRetrans,
            Frto,
            Bandwidth,
            BandwidthWithUnit,
            Statement,
            StatementKeyword,
            OneSeed,
            SeedFirst,
            SeedNumber,
            DropNext,
            PacketCount,
            ColonAfterHost("zed".into()),
            HostName,
            DeclaredHost,
            NewHostName,
            NonLoopback,
            Unicast,
            UnusedAddress,
            OtherHost("zed".into()),
            LinkBetween("zed".into(), "yon".into()),
            LinkSetting,
            Mtu,
            MtuInRange,
            NamedDescriptor { host: "zed".into(), name: "fd".into() },
            DescriptorNumber,
            Descriptor,
            AddressOrHost,
            Address,
            PortNumber,
            Port,
            PayloadAtMost(MAX_PAYLOAD),
            ByteCount,
            BytesWord,
            Data,
            Name,
            SocketCall,
            Protocol,
            Backlog,
            BufferSize,
            ShutdownHow,
            SockOptWord,
            SockOpt,
            CongestionControl,
            FdCall { name: "fd".into() },
            ExpectWhat,
            ExpectAfter,
            TcpStateWord,
            TcpState,
            CountOrRange,
            TcpFlags,
            Packet,
            PacketField,
            SequenceNumber,
            AckNumber,
            Length,
            Window,
            SackBlock,
            MinusOne,
            MinusOneErrno,
            Number,
            Result,
            ErrnoWord,
            Errno,
            TcpSettingWord,
            TcpSetting,
            AckOption,
            HostTcpSetting,
            Count,
            SegmentCount,
            OneSegment,
            SizeInBytes,
            OneByteBuffer,
            GetSockOpt,
            SockErrorValue,
            PortOrRange,
            MsgFlag,
            LingerSeconds,
            Linger,
        ]
    }

    /// Every [`Found`], both shapes of the undeclared host.
    fn every_found() -> Vec<Found> {
        let ip = Ipv4Addr::new(10, 0, 0, 9);
        vec![
            Found::EndOfLine,
            Found::Token("(".into()),
            Found::Str("\"x\"".into()),
            Found::Call("send".into()),
            Found::Negative("-5".into()),
            Found::Number(0),
            Found::Address(ip),
            Found::Keyword("run".into()),
            Found::DeclaredAlready("zed".into()),
            Found::UndeclaredHost { name: "zed".into(), declared: vec![] },
            Found::UndeclaredHost { name: "zed".into(), declared: vec!["yon".into(), "xu".into()] },
            Found::Loopback(Ipv4Addr::LOCALHOST),
            Found::Taken(ip),
            Found::Again("zed".into()),
            Found::NoLink { a: "zed".into(), b: "yon".into() },
            Found::SecondSeed,
            Found::SeedLater,
        ]
    }

    /// Every kind: each wanted and each found framed, and each other kind.
    fn every_kind() -> Vec<ScriptErrorKind> {
        let mut kinds: Vec<ScriptErrorKind> = every_wanted()
            .into_iter()
            .map(|expected| ScriptErrorKind::Expected { expected, found: Found::Token("zz".into()) })
            .collect();
        kinds.extend(
            every_found().into_iter().map(|found| ScriptErrorKind::Expected { expected: Wanted::HostName, found }),
        );
        kinds.extend([
            ScriptErrorKind::Direction { from: "zed".into(), to: "yon".into() },
            ScriptErrorKind::OverLimit { what: Wanted::PortNumber, value: 70_000, max: 65_535 },
            ScriptErrorKind::OutOfRange { what: Wanted::DescriptorNumber, value: 1 << 40 },
            ScriptErrorKind::ScriptTooLong { bytes: 5 << 20 },
            ScriptErrorKind::TooManyHosts,
            ScriptErrorKind::TooManyAddresses,
            ScriptErrorKind::TooManyLinks,
            ScriptErrorKind::PayloadTooLarge { bytes: 17_000_000 },
            ScriptErrorKind::DurationTooLong { text: "25h".into() },
            ScriptErrorKind::BandwidthOutOfRange { text: "0bit".into() },
            ScriptErrorKind::TcpSettingsConflict {
                conflict: TcpConfigConflict::RtoMinAboveMax { rto_min_us: 200_000, rto_max_us: 100_000 },
            },
            ScriptErrorKind::TcpSettingsConflict {
                conflict: TcpConfigConflict::RtoInitialAboveMax { rto_initial_us: 1_000_000, rto_max_us: 500_000 },
            },
            ScriptErrorKind::InvalidUtf8 { bytes: vec![0xe2, 0x82] },
            ScriptErrorKind::NameTooLong { what: Wanted::HostName, chars: 41 },
        ]);
        kinds
    }

    /// The words a Korean message may keep in Latin letters: the script's
    /// syntax (the parser's keywords, calls, options, states, errnos, units, placeholders)
    /// and the samples' own names; quoted text is not asked about. No English
    /// description word is here.
    pub(crate) fn is_syntax(word: &str) -> bool {
        const SYNTAX: &[&str] = &[
            "en",
            "ko",
            "TIME",
            "HOST",
            "NAME",
            "IP",
            "next",
            "N",
            "on",
            "off",
            "us",
            "ms",
            "s",
            "min",
            "h",
            "IPv4",
            "mbit",
            "kbit",
            "gbit",
            "bit",
            "bytes",
            "client",
            "latency",
            "jitter",
            "bandwidth",
            "dup",
            "reorder",
            "reorder_delay",
            "mtu",
            "corrupt",
            "truncate",
            "MTU",
            "socket",
            "bind",
            "listen",
            "accept",
            "connect",
            "send",
            "recv",
            "sendto",
            "recvfrom",
            "shutdown",
            "close",
            "setsockopt",
            "getsockopt",
            "getsockname",
            "getpeername",
            "SO_LINGER",
            "SO_ERROR",
            "MSG_PEEK",
            "MSG_TRUNC",
            "at",
            "AF_UNSPEC",
            "udp",
            "rd",
            "wr",
            "rdwr",
            "c",
            "SO_REUSEADDR",
            "O_NONBLOCK",
            "SO_RCVBUF",
            "SO_SNDBUF",
            "TCP_NODELAY",
            "TCP_QUICKACK",
            "TCP_CONGESTION",
            "reno",
            "cubic",
            "state",
            "sent",
            "lost",
            "duplicated",
            "reordered",
            "delivered",
            "dropped",
            "cwnd",
            "ssthresh",
            "unread",
            "TCP",
            "SACK",
            "tcpdump",
            "S",
            "P",
            "F",
            "R",
            "icmp",
            "seq",
            "ack",
            "len",
            "win",
            "sack",
            "errno",
            "hello",
            "syn_retries",
            "tcp_sack",
            "tcp_early_retrans",
            "tcp_frto",
            "syn_linear_timeouts",
            "synack_retries",
            "data_retries",
            "rto_initial",
            "rto_min",
            "rto_max",
            "msl",
            "fin_timeout",
            "initial_cwnd",
            "delayed_ack_time",
            "option",
            "immediate",
            "delayed",
            "nagle",
            "send_buffer",
            "recv_buffer",
            "window_scaling",
            "tcp_timestamps",
            "n",
            "r",
            "t",
            "xHH",
            "x",
            "MiB",
            "UTF",
            "zed",
            "yon",
            "xu",
        ];
        SYNTAX.contains(&word)
            || crate::script::parser::KEYWORDS.contains(&word)
            || TCP_STATES.split(", ").any(|s| s.split('-').any(|part| part == word))
            || Errno::ALL.iter().any(|e| e.name() == word)
    }

    #[test]
    fn every_kind_says_itself_in_english_and_in_korean() {
        for kind in every_kind() {
            let (en, ko) = (kind.to_string(), kind.say(Lang::Ko));
            assert!(!en.trim().is_empty() && !has_hangul(&en), "{kind:?}: {en}");
            assert!(has_hangul(&ko), "{kind:?}: {ko}");
            // Quoted text is the script's, as written.
            let unquoted: String = ko.split('\'').step_by(2).collect::<Vec<_>>().join(" ");
            let latin = unquoted
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && !w.starts_with(|c: char| c.is_ascii_digit()));
            for word in latin {
                assert!(is_syntax(word), "{kind:?}: '{word}' is left in English in {ko}");
            }
        }
        // The checker catches English.
        assert!(!is_syntax("expected") && !is_syntax("found") && !is_syntax("line") && !is_syntax("the"));
    }

    #[test]
    fn messages_are_the_kind_in_english() {
        let e = ScriptError::expected(2, 1, Wanted::StatementKeyword, Found::Token("bogus".into()));
        assert_eq!(
            e.to_string(),
            "2:1: expected a statement (seed, host, link, tcp, option, expect, run, drop, partition, repair, loss, +TIME or HOST: call), found 'bogus'"
        );
        assert_eq!(e.message, e.kind.to_string());
        assert_eq!(ScriptError::new(1, 1, ScriptErrorKind::TooManyLinks).message, "too many links: the limit is 10000");
    }

    fn ko(text: &str) -> String {
        match super::super::parse(text) {
            Err(e) => e.kind.say(Lang::Ko),
            Ok(s) => panic!("{text} parses: {s:?}"),
        }
    }

    /// Script text a hostile script may put anywhere a message quotes it: a
    /// terminal escape, a bidi override, and far more than a message should hold.
    fn hostile() -> String {
        format!("\x1b[2J\u{202e}\r\x07\0{}", "x".repeat(100_000))
    }

    /// Whether `text` is safe to print: no control, no bidi override, and short.
    fn safe(text: &str) -> bool {
        !text.chars().any(crate::script::shown::needs_escape) && text.chars().count() <= 1500
    }

    #[test]
    fn every_kind_quotes_script_text_escaped_and_bounded() {
        let h = hostile;
        let wanted = [
            Wanted::ColonAfterHost(h()),
            Wanted::OtherHost(h()),
            Wanted::LinkBetween(h(), h()),
            Wanted::NamedDescriptor { host: h(), name: h() },
            Wanted::FdCall { name: h() },
        ];
        let found = [
            Found::Token(h()),
            Found::Str(h()),
            Found::Call(h()),
            Found::Negative(h()),
            Found::Keyword(h()),
            Found::DeclaredAlready(h()),
            Found::UndeclaredHost { name: h(), declared: vec![] },
            Found::UndeclaredHost { name: h(), declared: vec![h(); MAX_HOSTS] },
            Found::Again(h()),
            Found::NoLink { a: h(), b: h() },
        ];
        let mut kinds: Vec<ScriptErrorKind> = wanted
            .into_iter()
            .map(|expected| ScriptErrorKind::Expected { expected, found: Found::EndOfLine })
            .chain(found.into_iter().map(|found| ScriptErrorKind::Expected { expected: Wanted::HostName, found }))
            .collect();
        kinds.extend([
            ScriptErrorKind::Direction { from: h(), to: h() },
            ScriptErrorKind::DurationTooLong { text: h() },
            ScriptErrorKind::BandwidthOutOfRange { text: h() },
        ]);
        for kind in kinds {
            let (en, ko) = (kind.to_string(), kind.say(Lang::Ko));
            assert!(safe(&en), "{en:.300?}");
            assert!(safe(&ko), "{ko:.300?}");
            assert!(en.contains("\\x1b[2J\\u{202e}\\r\\x07\\x00xxx") && en.contains("x…"), "{en:.300}");
            assert!(ko.contains("\\x1b[2J\\u{202e}\\r\\x07\\x00xxx") && ko.contains("x…"), "{ko:.300}");
        }
    }

    #[test]
    fn parse_errors_quote_the_script_escaped_and_bounded() {
        let head = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";
        let long = "w".repeat(100_000);
        let w40 = "w".repeat(MAX_QUOTED_CHARS);
        let en = |text: &str| match super::super::parse(text) {
            Err(e) => {
                assert!(safe(&e.message) && safe(&e.kind.say(Lang::Ko)), "{:.300?}", e.message);
                e.message
            }
            Ok(_) => panic!("{text:.300?} parses"),
        };
        assert_eq!(
            en(&format!("{long}\n")),
            format!("expected a statement ({STATEMENTS} or HOST: call), found '{w40}…'")
        );
        assert_eq!(
            en(&format!("{head}expect client > server [{long}]\n")),
            format!("expected tcpdump flags like {TCP_FLAGS}, found '[{}…'", &w40[1..])
        );
        assert_eq!(
            en(&format!("{head}partition client {long}\n")),
            format!("expected a declared host, found '{w40}…' (declared hosts: client, server)")
        );
        let many: String = (0..20).map(|i| format!("host h{i:02} 10.0.1.{}\n", i + 1)).collect();
        assert_eq!(
            en(&format!("{many}partition h00 nobody\n")),
            "expected a declared host, found 'nobody' (declared hosts: h00, h01, h02, h03, h04, h05, h06, h07, … and 12 more)"
        );
        assert_eq!(
            en(&format!("host \"{}\"\n", "x".repeat(100))),
            format!("expected a host name, found string \"{}…", "x".repeat(MAX_QUOTED_CHARS - 1))
        );
        // A terminal escape, a bell, a bidi override: written as escapes.
        assert_eq!(en("host a 10.0.0.1\x1b[2J\n"), "expected a word, number, string or punctuation, found '\\x1b'");
        assert_eq!(
            en("\u{202e}host a 10.0.0.1\n"),
            "expected a word, number, string or punctuation, found '\\u{202e}'"
        );
        assert_eq!(
            en(&format!("{head}expect client > server [\x1b]\n")),
            format!("expected tcpdump flags like {TCP_FLAGS}, found '[\\x1b]'")
        );
        assert_eq!(
            en(&format!("{head}client: c = socket(udp)\nclient: send(c, \"\\\x07\")\n")),
            "expected an escape (\\n \\r \\t \\0 \\\\ \\\" \\xHH), found '\\\\x07'"
        );
        assert_eq!(
            en(&format!("{head}client: c = socket(udp)\nclient: send(c, \"\\x\r\x1b\")\n")),
            "expected two hex digits after '\\x', found '\\r\\x1b'"
        );
        assert_eq!(
            ko("host a 10.0.0.1\x1b[2J\n"),
            "여기에 와야 할 것: 단어, 숫자, 문자열 또는 구두점 · 실제로 있는 것: '\\x1b'"
        );
    }

    #[test]
    fn the_fuzzing_dictionary_holds_every_word_of_the_language() {
        // The script_parser fuzzer starts from fuzz/script.dict: a word missing
        // there (a new setting, say) is a statement it may never reach.
        let dict = include_str!("../../fuzz/script.dict");
        let entries: Vec<&str> =
            dict.lines().filter_map(|l| l.strip_prefix('"').and_then(|l| l.strip_suffix('"'))).collect();
        let lists = [
            STATEMENTS,
            LINK_SETTINGS,
            SOCKET_CALLS,
            SOCK_OPTS,
            // The words of the calls' other arguments: getsockopt's option,
            // recv's flags, connect's address family.
            "SO_ERROR, MSG_PEEK, MSG_TRUNC, AF_UNSPEC",
            COUNTERS,
            TCP_STATES,
            TCP_FLAGS,
            TCP_SETTINGS,
            HOST_TCP_SETTINGS,
        ];
        let listed = lists.iter().flat_map(|l| l.split(", ")).flat_map(str::split_whitespace);
        let words: Vec<String> = listed
            .filter(|w| !matches!(*w, "HOST" | "+TIME"))
            .map(str::to_string)
            .chain(
                crate::script::parser::KEYWORDS
                    .iter()
                    .filter(|k| !matches!(**k, "title" | "about"))
                    .map(|k| k.to_string()),
            )
            .chain(Errno::ALL.iter().map(|e| e.name().to_string()))
            .collect();
        for word in &words {
            assert!(entries.contains(&word.as_str()), "fuzz/script.dict lacks {word:?}");
        }
    }

    #[test]
    fn parse_errors_read_in_korean() {
        let head = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";
        assert_eq!(
            ko("host a 10.0.0.1\nhost b (\n"),
            "여기에 와야 할 것: 10.0.0.1 같은 IPv4 주소 · 실제로 있는 것: '('"
        );
        assert_eq!(ko("host run 10.0.0.9\n"), "여기에 와야 할 것: 호스트 이름 · 실제로 있는 것: 키워드 'run'");
        assert_eq!(
            ko(&format!("{head}partition client nobody\n")),
            "여기에 와야 할 것: 선언된 호스트 · 실제로 있는 것: 'nobody' (선언된 호스트: client, server)"
        );
        assert_eq!(
            ko(&format!("{head}host third 10.0.0.5\npartition client third\n")),
            "여기에 와야 할 것: client, third 사이의 링크 · 실제로 있는 것: 없음 (추가할 줄: link client third)"
        );
        assert_eq!(
            ko(&format!("{head}host c2 10.0.0.2\n")),
            "여기에 와야 할 것: 아직 쓰이지 않은 주소 · 실제로 있는 것: 다른 호스트가 이미 쓰는 10.0.0.2"
        );
        assert_eq!(
            ko(&format!("{head}client: c = socket(udp)\nclient: send(c, \"abc)\n")),
            "여기에 와야 할 것: 문자열을 닫는 '\"' · 실제로 있는 것: 줄 끝"
        );
        assert_eq!(
            ko(&format!("{head}seed 1\n")),
            "여기에 와야 할 것: 첫 host, link, 호출보다 앞에 오는 seed · 실제로 있는 것: 그보다 뒤의 seed 줄"
        );
        assert_eq!(
            ko(&format!("{head}client: c = socket(udp)\nclient: bind(c, *:70000)\n")),
            "한도를 넘는 포트 번호: 70000 (한도 65535)"
        );
        assert_eq!(ko(&format!("{head}expect sent client server 3\n")), "client > server처럼 방향을 적어야 합니다");
        assert_eq!(ko("+25h\n"), "시뮬레이션 시간으로 하루를 넘는 시간: 25h");
    }
}
