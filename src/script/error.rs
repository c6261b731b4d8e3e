//! Errors of the scenario language: parse errors carry line and column, run
//! failures carry the line whose expectation did not hold.
//!
//! A parse error is typed ([`ScriptErrorKind`]): what the parser wanted
//! ([`Wanted`]) and what it met ([`Found`]), or a limit that was passed. Each
//! says itself in English (`Display`, the CLI's and the message's words) and in
//! Korean ([`ScriptErrorKind::korean`], the page's), the script's own tokens and
//! keywords kept verbatim in both.
//!
//! A run failure is typed the same way: what the line expected ([`Expected`])
//! and what the run met ([`Got`]), each in English (`Display`, the failure's
//! `expected` and `got`) and in Korean ([`Failure::korean`]); the script's calls,
//! names, patterns, states, errnos and numbers verbatim in both.

use super::limits::{MAX_ADDRS_PER_HOST, MAX_HOSTS, MAX_LINKS, MAX_PAYLOAD, MAX_SCRIPT_BYTES, MAX_TOTAL_PAYLOAD};
use super::render::{fmt_dur, fmt_time};
use crate::net::socket::quote_bytes;
use crate::net::{CallValue, Errno, Fd, Ipv4Addr, WorldError};
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
    Count,
    SegmentCount,
    /// At least one segment.
    OneSegment,
    SizeInBytes,
    /// A buffer of at least one byte.
    OneByteBuffer,
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

const STATEMENTS: &str = "seed, host, link, tcp, expect, run, drop, partition, repair, loss, +TIME";
const LINK_SETTINGS: &str = "latency, jitter, bandwidth, loss, dup, reorder, reorder_delay, mtu";
const SOCKET_CALLS: &str =
    "socket, bind, listen, accept, connect, send, recv, sendto, recvfrom, shutdown, close, setsockopt";
const SOCK_OPTS: &str = "SO_REUSEADDR, O_NONBLOCK, SO_RCVBUF, SO_SNDBUF";
const COUNTERS: &str = "HOST > HOST, state, sent, lost, duplicated, reordered, delivered, dropped, cwnd";
const TCP_STATES: &str = "LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, CLOSED";
const TCP_FLAGS: &str = "[S], [S.], [.], [P.], [F.], [R]";
const TCP_SETTINGS: &str = "syn_retries, synack_retries, data_retries, rto_initial, rto_min, rto_max, msl, fin_timeout, initial_cwnd, delayed_ack, delayed_ack_time, nagle, send_buffer, recv_buffer, window_scaling";
const ESCAPES: &str = "\\n \\r \\t \\0 \\\\ \\\" \\xHH";

fn errno_names() -> String {
    Errno::ALL.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for ScriptErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptErrorKind::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            ScriptErrorKind::Direction { from, to } => write!(f, "expected a direction like {from} > {to}"),
            ScriptErrorKind::OverLimit { what, value, max } => write!(f, "{what} {value} is over the limit of {max}"),
            ScriptErrorKind::OutOfRange { what, value } => write!(f, "{what} {value} is out of range"),
            ScriptErrorKind::ScriptTooLong { bytes } => {
                write!(f, "script is {bytes} bytes; the limit is {MAX_SCRIPT_BYTES} bytes (4 MiB)")
            }
            ScriptErrorKind::TooManyHosts => write!(f, "too many hosts: the limit is {MAX_HOSTS}"),
            ScriptErrorKind::TooManyAddresses => {
                write!(f, "too many addresses: the limit is {MAX_ADDRS_PER_HOST} per host")
            }
            ScriptErrorKind::TooManyLinks => write!(f, "too many links: the limit is {MAX_LINKS}"),
            ScriptErrorKind::PayloadTooLarge { bytes } => {
                write!(f, "payload of {bytes} bytes is over the limit of {MAX_PAYLOAD} bytes (16 MiB)")
            }
            ScriptErrorKind::DurationTooLong { text } => {
                write!(f, "duration {text} is over the limit of one simulated day")
            }
            ScriptErrorKind::BandwidthOutOfRange { text } => {
                write!(f, "bandwidth {text} is out of range (1bit to 100gbit)")
            }
        }
    }
}

impl ScriptErrorKind {
    /// The error in Korean; the script's tokens, keywords and names as written.
    pub fn korean(&self) -> String {
        match self {
            ScriptErrorKind::Expected { expected, found } => {
                format!("여기에 와야 할 것: {} · 실제로 있는 것: {}", expected.korean(), found.korean())
            }
            ScriptErrorKind::Direction { from, to } => format!("{from} > {to}처럼 방향을 적어야 합니다"),
            ScriptErrorKind::OverLimit { what, value, max } => {
                format!("한도를 넘는 {}: {value} (한도 {max})", what.korean())
            }
            ScriptErrorKind::OutOfRange { what, value } => format!("범위를 벗어난 {}: {value}", what.korean()),
            ScriptErrorKind::ScriptTooLong { bytes } => {
                format!("스크립트가 {bytes}바이트로, 한도 {MAX_SCRIPT_BYTES}바이트(4 MiB)를 넘습니다")
            }
            ScriptErrorKind::TooManyHosts => format!("호스트가 너무 많습니다: 한도는 {MAX_HOSTS}개입니다"),
            ScriptErrorKind::TooManyAddresses => {
                format!("주소가 너무 많습니다: 호스트 하나에 {MAX_ADDRS_PER_HOST}개까지입니다")
            }
            ScriptErrorKind::TooManyLinks => format!("링크가 너무 많습니다: 한도는 {MAX_LINKS}개입니다"),
            ScriptErrorKind::PayloadTooLarge { bytes } => {
                format!("보낼 데이터 {bytes}바이트가 한도 {MAX_PAYLOAD}바이트(16 MiB)를 넘습니다")
            }
            ScriptErrorKind::DurationTooLong { text } => format!("시뮬레이션 시간으로 하루를 넘는 시간: {text}"),
            ScriptErrorKind::BandwidthOutOfRange { text } => {
                format!("범위(1bit~100gbit)를 벗어난 대역폭: {text}")
            }
        }
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wanted::FlagsClose => f.write_str("']' to close the flags"),
            Wanted::Token => f.write_str("a word, number, string or punctuation"),
            Wanted::StringClose => f.write_str("'\"' to close the string"),
            Wanted::EscapeAfterBackslash => f.write_str("an escape after '\\'"),
            Wanted::HexDigits => f.write_str("two hex digits after '\\x'"),
            Wanted::Escape => write!(f, "an escape ({ESCAPES})"),
            Wanted::MetaKey => f.write_str("title.en, title.ko, about.en or about.ko"),
            Wanted::Punct(c) => write!(f, "'{c}'"),
            Wanted::EndOfLine => f.write_str("end of line"),
            Wanted::Duration => f.write_str("a duration like 200ms"),
            Wanted::DurationWithUnit => f.write_str("a duration with a unit (us, ms, s, min, h) like 200ms"),
            Wanted::DurationUnit => f.write_str("a duration unit us, ms, s, min or h"),
            Wanted::DurationShape => f.write_str("a duration like 200ms or 1.5s"),
            Wanted::DurationAboveZero => f.write_str("a duration above zero"),
            Wanted::Percentage => f.write_str("a percentage like 5%"),
            Wanted::PercentageInRange => f.write_str("a percentage from 0% to 100%"),
            Wanted::Ipv4 => f.write_str("an IPv4 address like 10.0.0.1"),
            Wanted::OnOff => f.write_str("on or off"),
            Wanted::Bandwidth => f.write_str("a bandwidth like 10mbit"),
            Wanted::BandwidthWithUnit => f.write_str("a bandwidth like 10mbit (bit, kbit, mbit, gbit)"),
            Wanted::Statement => {
                f.write_str("a statement (host, link, a call like 'client: ...', expect, +200ms, ...)")
            }
            Wanted::StatementKeyword => write!(f, "a statement ({STATEMENTS} or HOST: call)"),
            Wanted::OneSeed => f.write_str("one seed line"),
            Wanted::SeedFirst => f.write_str("seed before the first host, link or call"),
            Wanted::SeedNumber => f.write_str("a seed number"),
            Wanted::DropNext => f.write_str("'next' (drop next N on a > b)"),
            Wanted::PacketCount => f.write_str("a packet count"),
            Wanted::ColonAfterHost(h) => write!(f, "':' after host {h} (like '{h}: s = socket(tcp)')"),
            Wanted::HostName => f.write_str("a host name"),
            Wanted::DeclaredHost => f.write_str("a declared host"),
            Wanted::NewHostName => f.write_str("a new host name"),
            Wanted::NonLoopback => f.write_str("a non-loopback address"),
            Wanted::Unicast => f.write_str("a unicast address"),
            Wanted::UnusedAddress => f.write_str("an unused address"),
            Wanted::OtherHost(a) => write!(f, "a host other than {a}"),
            Wanted::LinkBetween(a, b) => write!(f, "a link between {a} and {b}"),
            Wanted::LinkSetting => write!(f, "a link setting ({LINK_SETTINGS})"),
            Wanted::Mtu => f.write_str("an MTU"),
            Wanted::MtuInRange => f.write_str("an MTU from 68 to 65535"),
            Wanted::NamedDescriptor { host, name } => {
                write!(f, "a descriptor named on {host} earlier (like '{host}: {name} = socket(tcp)')")
            }
            Wanted::DescriptorNumber => f.write_str("a descriptor number"),
            Wanted::Descriptor => f.write_str("a descriptor (a name like c, or a number)"),
            Wanted::AddressOrHost => f.write_str("an address like 10.0.0.1:80 or HOST:80"),
            Wanted::Address => f.write_str("an address like 10.0.0.1:80"),
            Wanted::PortNumber => f.write_str("a port number"),
            Wanted::Port => f.write_str("a port"),
            Wanted::PayloadAtMost(n) => write!(f, "a payload of at most {n} bytes"),
            Wanted::ByteCount => f.write_str("a byte count"),
            Wanted::BytesWord => f.write_str("'bytes' (like send(c, 3000 bytes))"),
            Wanted::Data => f.write_str("data: a string like \"hello\" or a size like 3000 bytes"),
            Wanted::Name => f.write_str("a name"),
            Wanted::SocketCall => write!(f, "a socket call ({SOCKET_CALLS})"),
            Wanted::Protocol => f.write_str("tcp or udp"),
            Wanted::Backlog => f.write_str("a backlog"),
            Wanted::BufferSize => f.write_str("a buffer size"),
            Wanted::ShutdownHow => f.write_str("rd, wr or rdwr"),
            Wanted::SockOptWord => write!(f, "an option ({SOCK_OPTS}, TCP_NODELAY)"),
            Wanted::SockOpt => write!(f, "{SOCK_OPTS} or TCP_NODELAY"),
            Wanted::FdCall { name } => {
                write!(f, "a call that returns a descriptor (socket or accept) after '{name} ='")
            }
            Wanted::ExpectWhat => f.write_str("what to expect: HOST > HOST [flags], state, sent, lost, delivered, ..."),
            Wanted::ExpectAfter => write!(f, "{COUNTERS} or unread after expect"),
            Wanted::TcpStateWord => f.write_str("a TCP state like ESTABLISHED"),
            Wanted::TcpState => write!(f, "a TCP state ({TCP_STATES})"),
            Wanted::CountOrRange => f.write_str("a count like 3 or a range like 2..5"),
            Wanted::TcpFlags => write!(f, "tcpdump flags like {TCP_FLAGS}"),
            Wanted::Packet => f.write_str("a packet: TCP flags like [S.], or udp, or icmp"),
            Wanted::PacketField => f.write_str("seq, ack, len or win"),
            Wanted::SequenceNumber => f.write_str("a sequence number"),
            Wanted::AckNumber => f.write_str("an acknowledgement number"),
            Wanted::Length => f.write_str("a length"),
            Wanted::Window => f.write_str("a window"),
            Wanted::MinusOne => f.write_str("1 (as in -1 ECONNREFUSED)"),
            Wanted::MinusOneErrno => f.write_str("-1 followed by an errno"),
            Wanted::Number => f.write_str("a number"),
            Wanted::Result => f.write_str("a result: a number, a string like \"hello\", or an errno like ECONNREFUSED"),
            Wanted::ErrnoWord => f.write_str("an errno like ECONNREFUSED"),
            Wanted::Errno => write!(f, "an errno ({})", errno_names()),
            Wanted::TcpSettingWord => f.write_str("a TCP setting like syn_retries"),
            Wanted::TcpSetting => write!(f, "a TCP setting ({TCP_SETTINGS})"),
            Wanted::Count => f.write_str("a count"),
            Wanted::SegmentCount => f.write_str("a segment count"),
            Wanted::OneSegment => f.write_str("at least 1 segment"),
            Wanted::SizeInBytes => f.write_str("a size in bytes"),
            Wanted::OneByteBuffer => f.write_str("a buffer of at least 1 byte"),
        }
    }
}

impl Wanted {
    /// What was wanted, in Korean: a noun phrase; the script's keywords as written.
    pub fn korean(&self) -> String {
        match self {
            Wanted::FlagsClose => "플래그를 닫는 ']'".into(),
            Wanted::Token => "단어, 숫자, 문자열 또는 구두점".into(),
            Wanted::StringClose => "문자열을 닫는 '\"'".into(),
            Wanted::EscapeAfterBackslash => "'\\' 뒤의 이스케이프 문자".into(),
            Wanted::HexDigits => "'\\x' 뒤의 16진수 두 자리".into(),
            Wanted::Escape => format!("이스케이프 문자 ({ESCAPES})"),
            Wanted::MetaKey => "title.en, title.ko, about.en 또는 about.ko".into(),
            Wanted::Punct(c) => format!("'{c}'"),
            Wanted::EndOfLine => "줄 끝".into(),
            Wanted::Duration => "200ms 같은 시간".into(),
            Wanted::DurationWithUnit => "단위(us, ms, s, min, h)가 붙은 시간 (예: 200ms)".into(),
            Wanted::DurationUnit => "시간 단위 us, ms, s, min 또는 h".into(),
            Wanted::DurationShape => "200ms나 1.5s 같은 시간".into(),
            Wanted::DurationAboveZero => "0보다 긴 시간".into(),
            Wanted::Percentage => "5% 같은 백분율".into(),
            Wanted::PercentageInRange => "0%에서 100% 사이의 백분율".into(),
            Wanted::Ipv4 => "10.0.0.1 같은 IPv4 주소".into(),
            Wanted::OnOff => "on 또는 off".into(),
            Wanted::Bandwidth => "10mbit 같은 대역폭".into(),
            Wanted::BandwidthWithUnit => "10mbit 같은 대역폭 (bit, kbit, mbit, gbit)".into(),
            Wanted::Statement => "문장 (host, link, 'client: ...' 같은 호출, expect, +200ms, ...)".into(),
            Wanted::StatementKeyword => format!("문장 ({STATEMENTS} 또는 HOST: 호출)"),
            Wanted::OneSeed => "seed 줄 하나".into(),
            Wanted::SeedFirst => "첫 host, link, 호출보다 앞에 오는 seed".into(),
            Wanted::SeedNumber => "시드 번호".into(),
            Wanted::DropNext => "'next' ('drop next N on a > b'처럼)".into(),
            Wanted::PacketCount => "패킷 수".into(),
            Wanted::ColonAfterHost(h) => format!("호스트 {h} 뒤의 ':' ('{h}: s = socket(tcp)'처럼)"),
            Wanted::HostName => "호스트 이름".into(),
            Wanted::DeclaredHost => "선언된 호스트".into(),
            Wanted::NewHostName => "새 호스트 이름".into(),
            Wanted::NonLoopback => "루프백이 아닌 주소".into(),
            Wanted::Unicast => "유니캐스트 주소".into(),
            Wanted::UnusedAddress => "아직 쓰이지 않은 주소".into(),
            Wanted::OtherHost(a) => format!("{a} 말고 다른 호스트"),
            Wanted::LinkBetween(a, b) => format!("{a}, {b} 사이의 링크"),
            Wanted::LinkSetting => format!("링크 설정 ({LINK_SETTINGS})"),
            Wanted::Mtu => "MTU".into(),
            Wanted::MtuInRange => "68에서 65535 사이의 MTU".into(),
            Wanted::NamedDescriptor { host, name } => {
                format!("{host}에서 앞서 이름 붙인 디스크립터 ('{host}: {name} = socket(tcp)'처럼)")
            }
            Wanted::DescriptorNumber => "디스크립터 번호".into(),
            Wanted::Descriptor => "디스크립터 (c 같은 이름 또는 숫자)".into(),
            Wanted::AddressOrHost => "10.0.0.1:80 또는 HOST:80 같은 주소".into(),
            Wanted::Address => "10.0.0.1:80 같은 주소".into(),
            Wanted::PortNumber => "포트 번호".into(),
            Wanted::Port => "포트".into(),
            Wanted::PayloadAtMost(n) => format!("{n}바이트 이하의 데이터"),
            Wanted::ByteCount => "바이트 수".into(),
            Wanted::BytesWord => "'bytes' (send(c, 3000 bytes)처럼)".into(),
            Wanted::Data => "데이터: \"hello\" 같은 문자열 또는 3000 bytes 같은 크기".into(),
            Wanted::Name => "이름".into(),
            Wanted::SocketCall => format!("소켓 호출 ({SOCKET_CALLS})"),
            Wanted::Protocol => "tcp 또는 udp".into(),
            Wanted::Backlog => "백로그 크기".into(),
            Wanted::BufferSize => "버퍼 크기".into(),
            Wanted::ShutdownHow => "rd, wr 또는 rdwr".into(),
            Wanted::SockOptWord => format!("옵션 ({SOCK_OPTS}, TCP_NODELAY)"),
            Wanted::SockOpt => format!("{SOCK_OPTS} 또는 TCP_NODELAY"),
            Wanted::FdCall { name } => {
                format!("'{name} =' 뒤에 올, 디스크립터를 돌려주는 호출 (socket 또는 accept)")
            }
            Wanted::ExpectWhat => "기대할 대상: HOST > HOST [플래그], state, sent, lost, delivered, ...".into(),
            Wanted::ExpectAfter => format!("expect 뒤에 올 {COUNTERS} 또는 unread"),
            Wanted::TcpStateWord => "ESTABLISHED 같은 TCP 상태".into(),
            Wanted::TcpState => format!("TCP 상태 ({TCP_STATES})"),
            Wanted::CountOrRange => "3 같은 개수 또는 2..5 같은 범위".into(),
            Wanted::TcpFlags => format!("{TCP_FLAGS} 같은 tcpdump 플래그"),
            Wanted::Packet => "패킷: [S.] 같은 TCP 플래그, udp 또는 icmp".into(),
            Wanted::PacketField => "seq, ack, len 또는 win".into(),
            Wanted::SequenceNumber => "순서 번호".into(),
            Wanted::AckNumber => "확인 응답 번호".into(),
            Wanted::Length => "길이".into(),
            Wanted::Window => "윈도 크기".into(),
            Wanted::MinusOne => "1 (-1 ECONNREFUSED처럼)".into(),
            Wanted::MinusOneErrno => "-1과 그 뒤의 errno".into(),
            Wanted::Number => "숫자".into(),
            Wanted::Result => "결과: 숫자, \"hello\" 같은 문자열 또는 ECONNREFUSED 같은 errno".into(),
            Wanted::ErrnoWord => "ECONNREFUSED 같은 errno".into(),
            Wanted::Errno => format!("errno ({})", errno_names()),
            Wanted::TcpSettingWord => "syn_retries 같은 TCP 설정".into(),
            Wanted::TcpSetting => format!("TCP 설정 ({TCP_SETTINGS})"),
            Wanted::Count => "횟수".into(),
            Wanted::SegmentCount => "세그먼트 수".into(),
            Wanted::OneSegment => "1 이상의 세그먼트 수".into(),
            Wanted::SizeInBytes => "바이트 단위 크기".into(),
            Wanted::OneByteBuffer => "1바이트 이상의 버퍼".into(),
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::EndOfLine => f.write_str("end of line"),
            Found::Token(t) => write!(f, "'{t}'"),
            Found::Str(q) => write!(f, "string {q}"),
            Found::Call(w) | Found::Negative(w) => f.write_str(w),
            Found::Number(n) => write!(f, "{n}"),
            Found::Address(ip) => write!(f, "{ip}"),
            Found::Keyword(k) => write!(f, "keyword '{k}'"),
            Found::DeclaredAlready(h) => write!(f, "'{h}' declared already"),
            Found::UndeclaredHost { name, declared } if declared.is_empty() => {
                write!(f, "'{name}' (no hosts are declared yet (host NAME IP))")
            }
            Found::UndeclaredHost { name, declared } => {
                write!(f, "'{name}' (declared hosts: {})", declared.join(", "))
            }
            Found::Loopback(ip) => write!(f, "{ip} (every host has 127.0.0.1)"),
            Found::Taken(ip) => write!(f, "{ip} taken by another host"),
            Found::Again(h) => write!(f, "{h} again"),
            Found::NoLink { a, b } => write!(f, "none (add: link {a} {b})"),
            Found::SecondSeed => f.write_str("a second"),
            Found::SeedLater => f.write_str("it later"),
        }
    }
}

impl Found {
    /// What was met, in Korean; tokens and names as written.
    pub fn korean(&self) -> String {
        match self {
            Found::EndOfLine => "줄 끝".into(),
            Found::Token(t) => format!("'{t}'"),
            Found::Str(q) => format!("문자열 {q}"),
            Found::Call(w) | Found::Negative(w) => w.clone(),
            Found::Number(n) => n.to_string(),
            Found::Address(ip) => ip.to_string(),
            Found::Keyword(k) => format!("키워드 '{k}'"),
            Found::DeclaredAlready(h) => format!("이미 선언된 '{h}'"),
            Found::UndeclaredHost { name, declared } if declared.is_empty() => {
                format!("'{name}' (아직 선언된 호스트가 없습니다 — host NAME IP)")
            }
            Found::UndeclaredHost { name, declared } => format!("'{name}' (선언된 호스트: {})", declared.join(", ")),
            Found::Loopback(ip) => format!("{ip} (모든 호스트에 127.0.0.1이 이미 있습니다)"),
            Found::Taken(ip) => format!("다른 호스트가 이미 쓰는 {ip}"),
            Found::Again(h) => format!("같은 호스트 {h}"),
            Found::NoLink { a, b } => format!("없음 (추가할 줄: link {a} {b})"),
            Found::SecondSeed => "두 번째 seed 줄".into(),
            Found::SeedLater => "그보다 뒤의 seed 줄".into(),
        }
    }
}

/// Why a run failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A call's result, a packet, a state or a counter was not what the line said.
    Expectation,
    /// A call never finished within the bound.
    Pending,
    /// The script asked for something the world cannot do (a limit, a name that
    /// failed to bind, an address clash found while running).
    Script,
}

/// An expectation that did not hold: `FILE:LINE: expected …, got …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub line: usize,
    pub kind: FailureKind,
    /// In English: `parts.expected` said in English.
    pub expected: String,
    /// In English: `parts.got` said in English.
    pub got: String,
    /// What was expected and what came instead, with their parts, for a reader
    /// that says them in another language (boxed: a failure stays small).
    #[serde(skip)]
    pub parts: Box<FailureParts>,
}

/// The typed halves of a [`Failure`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureParts {
    pub expected: Expected,
    pub got: Got,
}

impl Failure {
    /// A failure of `kind` on `line`; `expected` and `got` are its parts in English.
    pub fn new(line: usize, kind: FailureKind, expected: Expected, got: Got) -> Failure {
        Failure {
            line,
            kind,
            expected: expected.to_string(),
            got: got.to_string(),
            parts: Box::new(FailureParts { expected, got }),
        }
    }

    /// `FILE:LINE: expected …, got …`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}: {self}", self.line)
    }

    /// The failure in Korean, without its line; the script's calls, names,
    /// patterns, states and errnos as written.
    pub fn korean(&self) -> String {
        format!("기대한 결과: {} · 실제 결과: {}", self.parts.expected.korean(), self.parts.got.korean())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.got)
    }
}

/// What a line expected, or what the run needed, when it failed. Calls, names,
/// patterns and states are the script's, rendered as it writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A host the script declared, whose `host` line failed.
    HostNamed(String),
    /// `call` to return `result` (the line's `= …`, as written).
    Returns { call: String, result: String },
    /// `call` to return at all (it stayed blocked).
    Return { call: String },
    /// No more than `max` events in one run.
    EventLimit { max: u64 },
    /// A `host` line's host to join the world.
    HostAdded(String),
    /// `+TIME` to stay within one simulated day.
    WithinDay,
    /// `expect state HOST FD STATE`.
    State { fd: String, host: String, state: String },
    /// A link between two hosts (to add, or to fault).
    LinkBetween(String, String),
    /// A descriptor reference that names a descriptor on `host`.
    NamesDescriptor { fd: String, host: String },
    /// No more than [`MAX_TOTAL_PAYLOAD`] bytes sent by one script.
    PayloadTotal,
    /// `call` to run on `host`.
    RunsOn { call: String, host: String },
    /// A blocked call's id in the trace (the world's bookkeeping).
    CallId,
    /// `expect FROM > TO PATTERN`.
    Packet { from: String, to: String, pattern: String },
    /// `expect COUNTER [FROM > TO] RANGE`: a count of packets.
    Count { counter: String, path: Option<(String, String)>, range: (u64, u64) },
    /// `expect COUNTER HOST FD RANGE [mss]`: a count on one socket.
    SocketCount { counter: String, host: String, fd: String, range: (u64, u64), mss: bool },
}

/// What the run met instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Got {
    /// Nothing.
    Nothing,
    /// No such host: its `host` line failed.
    HostLineFailed,
    /// A call returned this value.
    Returned(CallValue),
    /// A call failed with this errno.
    Failed(Errno),
    /// More events than the limit.
    MoreEvents,
    /// The call was still pending at `at` (µs) and nothing was left to happen.
    PendingIdle { at: u64 },
    /// The call was still pending after `bound` (µs).
    PendingAfter { bound: u64 },
    /// The world refused.
    World(WorldError),
    /// `+step` (µs) would reach `reach` (µs).
    PastDay { step: u64, reach: u64 },
    /// A name bound to a call (`call` on `line`) that returned `value`, no descriptor.
    NameReturned { call: String, line: usize, value: CallValue },
    /// A name bound to a call (`call` on `line`) that failed with `errno`.
    NameFailed { call: String, line: usize, errno: Errno },
    /// A name whose call (`call` on `line`) is still blocked.
    NameBlocked { name: String, call: String, line: usize },
    /// A name not bound yet.
    NameUnbound(String),
    /// This descriptor number is not open.
    NotOpen(Fd),
    /// A UDP socket, asked for its TCP state.
    NoState { fd: String },
    /// This TCP state.
    State { state: String, blocked: Option<Blocked> },
    /// This many bytes sent by the script so far.
    Bytes(u64),
    /// A packet from `from` to `to`, and maybe a matching one later.
    Packet { from: String, to: String, seen: SeenPacket, later: Option<u64> },
    /// No packet (`matching`: none that matched) from `from` to `to`; `within`
    /// the bound (µs), or `None`: nothing was left to happen.
    NoPacket { matching: bool, from: String, to: String, within: Option<u64> },
    /// A count; for `cwnd … mss`, the window in bytes.
    Count { value: u64, mss_bytes: Option<u64>, blocked: Option<Blocked> },
    /// The descriptor's socket is closed and gone.
    ClosedAndGone { fd: String },
    /// The descriptor's socket is not a TCP connection (`tcp`), or not a UDP socket.
    NotA { fd: String, tcp: bool },
}

/// A packet as seen: its number, when, and whether it was lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenPacket {
    pub shape: PacketShape,
    pub id: u64,
    /// µs.
    pub at: u64,
    pub lost: bool,
}

/// A packet in expectation syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PacketShape {
    /// TCP or UDP, as an expectation writes it: `[P.] seq 1 ack 1 len 5 win 502`.
    Written(String),
    /// An ICMP port unreachable about this port.
    PortUnreachable(u16),
}

/// A call still blocked on the host an observation looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// µs.
    pub at: u64,
    pub call: String,
    pub line: usize,
}

fn shown_range((lo, hi): (u64, u64)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}..{hi}")
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::HostNamed(name) => write!(f, "a host named {name}"),
            Expected::Returns { call, result } => write!(f, "{call} to return {result}"),
            Expected::Return { call } => write!(f, "{call} to return"),
            Expected::EventLimit { max } => write!(f, "at most {max} events in one run"),
            Expected::HostAdded(name) => write!(f, "host {name} to be added"),
            Expected::WithinDay => f.write_str("simulated time to stay within one day"),
            Expected::State { fd, host, state } => write!(f, "{fd} on {host} in state {state}"),
            Expected::LinkBetween(a, b) => write!(f, "a link between {a} and {b}"),
            Expected::NamesDescriptor { fd, host } => write!(f, "{fd} to name a descriptor on {host}"),
            Expected::PayloadTotal => write!(f, "at most {MAX_TOTAL_PAYLOAD} bytes (64 MiB) sent by one script"),
            Expected::RunsOn { call, host } => write!(f, "{call} to run on {host}"),
            Expected::CallId => f.write_str("a call id in the trace"),
            Expected::Packet { from, to, pattern } => write!(f, "{from} > {to} {pattern}"),
            Expected::Count { counter, path, range } => {
                f.write_str(counter)?;
                if let Some((from, to)) = path {
                    write!(f, " {from} > {to}")?;
                }
                write!(f, " {}", shown_range(*range))
            }
            Expected::SocketCount { counter, host, fd, range, mss } => {
                write!(f, "{counter} {host} {fd} {}{}", shown_range(*range), if *mss { " mss" } else { "" })
            }
        }
    }
}

impl Expected {
    /// What was expected, in Korean; the script's text as written.
    pub fn korean(&self) -> String {
        match self {
            Expected::HostNamed(name) => format!("이름이 {name}인 호스트"),
            Expected::Returns { call, result } => format!("{call}의 반환값 {result}"),
            Expected::Return { call } => format!("{call} 호출의 반환"),
            Expected::EventLimit { max } => format!("한 번 실행에 이벤트 최대 {max}개"),
            Expected::HostAdded(name) => format!("호스트 {name} 추가"),
            Expected::WithinDay => "하루 안에 머무는 시뮬레이션 시간".into(),
            Expected::State { fd, host, state } => format!("{host}의 {fd} 상태 {state}"),
            Expected::LinkBetween(a, b) => format!("{a}, {b} 사이의 링크"),
            Expected::NamesDescriptor { fd, host } => format!("{host}의 디스크립터를 가리키는 {fd}"),
            Expected::PayloadTotal => {
                format!("스크립트 하나가 보내는 데이터 최대 {MAX_TOTAL_PAYLOAD}바이트(64 MiB)")
            }
            Expected::RunsOn { call, host } => format!("{host}에서 {call} 실행"),
            Expected::CallId => "트레이스에 남은 호출 번호".into(),
            Expected::Packet { from, to, pattern } => format!("{from} > {to} {pattern} 패킷"),
            Expected::Count { counter, path, range } => {
                let path = path.as_ref().map(|(from, to)| format!(" {from} > {to}")).unwrap_or_default();
                format!("{counter}{path} 값 {}", shown_range(*range))
            }
            Expected::SocketCount { counter, host, fd, range, mss } => {
                format!("{counter} {host} {fd} 값 {}{}", shown_range(*range), if *mss { " mss" } else { "" })
            }
        }
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            " (at {}s; {} on line {} is still blocked — add +TIME or run to let it finish)",
            fmt_time(self.at),
            self.call,
            self.line
        )
    }
}

impl Blocked {
    /// The note in Korean, with its leading space.
    fn korean(&self) -> String {
        format!(
            " ({}s 시점; {}행의 {} 호출이 아직 막혀 있음 — +TIME이나 run을 넣어 끝나게 하세요)",
            fmt_time(self.at),
            self.line,
            self.call
        )
    }
}

/// A note, or nothing.
fn note(blocked: &Option<Blocked>) -> String {
    blocked.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn note_ko(blocked: &Option<Blocked>) -> String {
    blocked.as_ref().map(Blocked::korean).unwrap_or_default()
}

impl fmt::Display for PacketShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PacketShape::Written(text) => f.write_str(text),
            PacketShape::PortUnreachable(port) => write!(f, "icmp (port {port} unreachable)"),
        }
    }
}

impl PacketShape {
    fn korean(&self) -> String {
        match self {
            PacketShape::Written(text) => text.clone(),
            PacketShape::PortUnreachable(port) => format!("icmp (포트 {port} 도달 불가)"),
        }
    }
}

/// A call's value in Korean: numbers and data as written.
fn value_korean(v: &CallValue) -> String {
    match v {
        CallValue::Zero | CallValue::Fd(_) | CallValue::Sent(_) | CallValue::Data(_) => v.render(),
        CallValue::Accepted { fd, peer } => format!("{fd} (상대 {peer})"),
        CallValue::DataFrom { data, from } => format!("{} ({from}에서 옴)", quote_bytes(data)),
    }
}

/// The world's refusal in Korean.
fn world_korean(e: &WorldError) -> String {
    match e {
        WorldError::DuplicateHost(n) => format!("이미 있는 호스트 이름 {n}"),
        WorldError::AddressTaken(ip) => format!("다른 호스트의 주소 {ip}"),
        WorldError::LoopbackAddress(ip) => format!("루프백 주소 {ip} (모든 호스트에 127.0.0.0/8이 이미 있음)"),
        WorldError::UnknownHost(h) => format!("없는 호스트 #{}", h.0),
        WorldError::UnknownLink(l) => format!("없는 링크 #{}", l.0),
        WorldError::SameHost => "같은 호스트끼리의 링크 (링크는 서로 다른 두 호스트를 잇습니다)".into(),
        WorldError::DuplicateLink => "이미 링크로 이어진 두 호스트".into(),
        WorldError::TooMany(what, max) => {
            let what = match *what {
                "hosts" => "호스트",
                "links" => "링크",
                "descriptors per host" => "호스트당 디스크립터",
                // A limit the world names without a translation here: as the world says it.
                other => other,
            };
            format!("너무 많은 {what} (한도 {max})")
        }
    }
}

impl fmt::Display for Got {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Nothing => f.write_str("none"),
            Got::HostLineFailed => f.write_str("none (its host line failed)"),
            Got::Returned(v) => f.write_str(&v.render()),
            Got::Failed(e) => write!(f, "{e} ({})", e.explain()),
            Got::MoreEvents => f.write_str("more (the event limit)"),
            Got::PendingIdle { at } => {
                write!(f, "call still pending at {}s and nothing left to happen", fmt_time(*at))
            }
            Got::PendingAfter { bound } => write!(f, "call still pending after {}", fmt_dur(*bound)),
            Got::World(e) => write!(f, "{e}"),
            Got::PastDay { step, reach } => write!(f, "+{} would reach {}", fmt_dur(*step), fmt_dur(*reach)),
            Got::NameReturned { call, line, value } => write!(f, "{call} on line {line} returned {}", value.render()),
            Got::NameFailed { call, line, errno } => write!(f, "{call} on line {line} failed with {errno}"),
            Got::NameBlocked { name, call, line } => write!(
                f,
                "{name} not bound yet: {call} on line {line} is still blocked (add +TIME or run to let it return)"
            ),
            Got::NameUnbound(name) => write!(f, "{name} is not bound yet"),
            Got::NotOpen(n) => write!(f, "descriptor {n} is not open"),
            Got::NoState { fd } => write!(f, "{fd} is a UDP socket, which has no state"),
            Got::State { state, blocked } => write!(f, "{state}{}", note(blocked)),
            Got::Bytes(n) => write!(f, "{n} bytes"),
            Got::Packet { from, to, seen, later } => {
                write!(
                    f,
                    "{from} > {to} {} (#{} at {}s{})",
                    seen.shape,
                    seen.id,
                    fmt_time(seen.at),
                    if seen.lost { ", lost" } else { "" }
                )?;
                if let Some(id) = later {
                    write!(
                        f,
                        "; a matching packet comes later (#{id}), write 'expect {from} > {to} eventually ...' to skip to it"
                    )?;
                }
                Ok(())
            }
            Got::NoPacket { matching, from, to, within } => {
                let what = if *matching { "no matching packet" } else { "no packet" };
                match within {
                    None => write!(f, "{what} from {from} to {to} (nothing left to happen)"),
                    Some(bound) => write!(f, "{what} from {from} to {to} within {}", fmt_dur(*bound)),
                }
            }
            Got::Count { value, mss_bytes, blocked } => {
                write!(f, "{value}")?;
                if let Some(bytes) = mss_bytes {
                    write!(f, " mss ({bytes} bytes)")?;
                }
                f.write_str(&note(blocked))
            }
            Got::ClosedAndGone { fd } => write!(f, "{fd} is closed and gone"),
            Got::NotA { fd, tcp } => {
                write!(f, "{fd} is not {}", if *tcp { "a TCP connection" } else { "a UDP socket" })
            }
        }
    }
}

impl Got {
    /// What the run met, in Korean; the script's text, states, errnos and
    /// numbers as written.
    pub fn korean(&self) -> String {
        match self {
            Got::Nothing => "없음".into(),
            Got::HostLineFailed => "없음 (그 host 줄이 실패했습니다)".into(),
            Got::Returned(v) => value_korean(v),
            Got::Failed(e) => format!("{e} ({})", e.explain_ko()),
            Got::MoreEvents => "그보다 많은 이벤트 (이벤트 한도)".into(),
            Got::PendingIdle { at } => {
                format!("{}s 시점에도 끝나지 않은 호출 (더 일어날 일이 없음)", fmt_time(*at))
            }
            Got::PendingAfter { bound } => format!("{} 뒤에도 끝나지 않은 호출", fmt_dur(*bound)),
            Got::World(e) => world_korean(e),
            Got::PastDay { step, reach } => {
                format!("+{} 뒤의 시각 {} (하루를 넘음)", fmt_dur(*step), fmt_dur(*reach))
            }
            Got::NameReturned { call, line, value } => {
                format!("디스크립터가 아닌 값: {line}행의 {call} 반환값 {}", value_korean(value))
            }
            Got::NameFailed { call, line, errno } => format!("{line}행의 {call} 호출이 {errno} 오류로 실패함"),
            Got::NameBlocked { name, call, line } => format!(
                "아직 묶이지 않은 이름 {name}: {line}행의 {call} 호출이 아직 막혀 있음 (+TIME이나 run을 넣어 반환되게 하세요)"
            ),
            Got::NameUnbound(name) => format!("아직 묶이지 않은 이름 {name}"),
            Got::NotOpen(n) => format!("열려 있지 않은 디스크립터 {n}"),
            Got::NoState { fd } => format!("{fd}: 상태가 없는 UDP 소켓"),
            Got::State { state, blocked } => format!("{state}{}", note_ko(blocked)),
            Got::Bytes(n) => format!("{n}바이트"),
            Got::Packet { from, to, seen, later } => {
                let mut out = format!(
                    "{from} > {to} {} (#{}, {}s 시점{})",
                    seen.shape.korean(),
                    seen.id,
                    fmt_time(seen.at),
                    if seen.lost { ", 손실됨" } else { "" }
                );
                if let Some(id) = later {
                    out.push_str(&format!(
                        "; 맞는 패킷은 뒤에 옵니다 (#{id}). 'expect {from} > {to} eventually ...'라고 쓰면 그 패킷으로 건너뜁니다"
                    ));
                }
                out
            }
            Got::NoPacket { matching, from, to, within } => {
                let what = if *matching { "맞는 패킷" } else { "패킷" };
                match within {
                    None => format!("{from} > {to} {what} 없음 (더 일어날 일이 없음)"),
                    Some(bound) => format!("{} 동안 {from} > {to} {what} 없음", fmt_dur(*bound)),
                }
            }
            Got::Count { value, mss_bytes, blocked } => {
                let mss = mss_bytes.map(|b| format!(" mss ({b}바이트)")).unwrap_or_default();
                format!("{value}{mss}{}", note_ko(blocked))
            }
            Got::ClosedAndGone { fd } => format!("{fd}: 닫혀서 사라진 소켓"),
            Got::NotA { fd, tcp } => format!("{fd}: {}", if *tcp { "TCP 연결이 아님" } else { "UDP 소켓이 아님" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_hangul(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    /// One of each [`Wanted`], in declaration order. `ordinal` is an exhaustive
    /// match, so a new variant needs an ordinal; the test then asks for its sample.
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
            MinusOne,
            MinusOneErrno,
            Number,
            Result,
            ErrnoWord,
            Errno,
            TcpSettingWord,
            TcpSetting,
            Count,
            SegmentCount,
            OneSegment,
            SizeInBytes,
            OneByteBuffer,
        ]
    }

    fn ordinal(w: &Wanted) -> usize {
        use Wanted::*;
        match w {
            FlagsClose => 0,
            Token => 1,
            StringClose => 2,
            EscapeAfterBackslash => 3,
            HexDigits => 4,
            Escape => 5,
            MetaKey => 6,
            Punct(_) => 7,
            EndOfLine => 8,
            Duration => 9,
            DurationWithUnit => 10,
            DurationUnit => 11,
            DurationShape => 12,
            DurationAboveZero => 13,
            Percentage => 14,
            PercentageInRange => 15,
            Ipv4 => 16,
            OnOff => 17,
            Bandwidth => 18,
            BandwidthWithUnit => 19,
            Statement => 20,
            StatementKeyword => 21,
            OneSeed => 22,
            SeedFirst => 23,
            SeedNumber => 24,
            DropNext => 25,
            PacketCount => 26,
            ColonAfterHost(_) => 27,
            HostName => 28,
            DeclaredHost => 29,
            NewHostName => 30,
            NonLoopback => 31,
            Unicast => 32,
            UnusedAddress => 33,
            OtherHost(_) => 34,
            LinkBetween(..) => 35,
            LinkSetting => 36,
            Mtu => 37,
            MtuInRange => 38,
            NamedDescriptor { .. } => 39,
            DescriptorNumber => 40,
            Descriptor => 41,
            AddressOrHost => 42,
            Address => 43,
            PortNumber => 44,
            Port => 45,
            PayloadAtMost(_) => 46,
            ByteCount => 47,
            BytesWord => 48,
            Data => 49,
            Name => 50,
            SocketCall => 51,
            Protocol => 52,
            Backlog => 53,
            BufferSize => 54,
            ShutdownHow => 55,
            SockOptWord => 56,
            SockOpt => 57,
            FdCall { .. } => 58,
            ExpectWhat => 59,
            ExpectAfter => 60,
            TcpStateWord => 61,
            TcpState => 62,
            CountOrRange => 63,
            TcpFlags => 64,
            Packet => 65,
            PacketField => 66,
            SequenceNumber => 67,
            AckNumber => 68,
            Length => 69,
            Window => 70,
            MinusOne => 71,
            MinusOneErrno => 72,
            Number => 73,
            Result => 74,
            ErrnoWord => 75,
            Errno => 76,
            TcpSettingWord => 77,
            TcpSetting => 78,
            Count => 79,
            SegmentCount => 80,
            OneSegment => 81,
            SizeInBytes => 82,
            OneByteBuffer => 83,
        }
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

    fn found_ordinal(f: &Found) -> usize {
        match f {
            Found::EndOfLine => 0,
            Found::Token(_) => 1,
            Found::Str(_) => 2,
            Found::Call(_) => 3,
            Found::Negative(_) => 4,
            Found::Number(_) => 5,
            Found::Address(_) => 6,
            Found::Keyword(_) => 7,
            Found::DeclaredAlready(_) => 8,
            Found::UndeclaredHost { .. } => 9,
            Found::Loopback(_) => 10,
            Found::Taken(_) => 11,
            Found::Again(_) => 12,
            Found::NoLink { .. } => 13,
            Found::SecondSeed => 14,
            Found::SeedLater => 15,
        }
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
        ]);
        kinds
    }

    fn kind_ordinal(k: &ScriptErrorKind) -> usize {
        match k {
            ScriptErrorKind::Expected { .. } => 0,
            ScriptErrorKind::Direction { .. } => 1,
            ScriptErrorKind::OverLimit { .. } => 2,
            ScriptErrorKind::OutOfRange { .. } => 3,
            ScriptErrorKind::ScriptTooLong { .. } => 4,
            ScriptErrorKind::TooManyHosts => 5,
            ScriptErrorKind::TooManyAddresses => 6,
            ScriptErrorKind::TooManyLinks => 7,
            ScriptErrorKind::PayloadTooLarge { .. } => 8,
            ScriptErrorKind::DurationTooLong { .. } => 9,
            ScriptErrorKind::BandwidthOutOfRange { .. } => 10,
        }
    }

    /// The words a Korean message may keep in Latin letters: the script's
    /// syntax (keywords, calls, options, states, errnos, units, placeholders)
    /// and the samples' own names; quoted text is not asked about. No English
    /// description word is here.
    fn is_syntax(word: &str) -> bool {
        const SYNTAX: &[&str] = &[
            "title",
            "about",
            "en",
            "ko",
            "seed",
            "host",
            "link",
            "tcp",
            "expect",
            "run",
            "drop",
            "partition",
            "repair",
            "loss",
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
            "state",
            "sent",
            "lost",
            "duplicated",
            "reordered",
            "delivered",
            "dropped",
            "cwnd",
            "unread",
            "TCP",
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
            "errno",
            "hello",
            "syn_retries",
            "synack_retries",
            "data_retries",
            "rto_initial",
            "rto_min",
            "rto_max",
            "msl",
            "fin_timeout",
            "initial_cwnd",
            "delayed_ack",
            "delayed_ack_time",
            "nagle",
            "send_buffer",
            "recv_buffer",
            "window_scaling",
            "n",
            "r",
            "t",
            "xHH",
            "x",
            "MiB",
            "zed",
            "yon",
            "xu",
        ];
        SYNTAX.contains(&word)
            || TCP_STATES.split(", ").any(|s| s.split('-').any(|part| part == word))
            || Errno::ALL.iter().any(|e| e.name() == word)
    }

    #[test]
    fn every_kind_says_itself_in_english_and_in_korean() {
        let mut wanted: Vec<usize> = every_wanted().iter().map(ordinal).collect();
        wanted.sort_unstable();
        assert_eq!(wanted, (0..=ordinal(&Wanted::OneByteBuffer)).collect::<Vec<_>>(), "a Wanted has no sample");
        let mut found: Vec<usize> = every_found().iter().map(found_ordinal).collect();
        found.dedup();
        assert_eq!(found, (0..=found_ordinal(&Found::SeedLater)).collect::<Vec<_>>(), "a Found has no sample");
        let mut kinds: Vec<usize> = every_kind().iter().map(kind_ordinal).collect();
        kinds.dedup();
        assert_eq!(kinds, (0..=10).collect::<Vec<_>>(), "a ScriptErrorKind has no sample");

        for kind in every_kind() {
            let (en, ko) = (kind.to_string(), kind.korean());
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
            "2:1: expected a statement (seed, host, link, tcp, expect, run, drop, partition, repair, loss, +TIME or HOST: call), found 'bogus'"
        );
        assert_eq!(e.message, e.kind.to_string());
        assert_eq!(ScriptError::new(1, 1, ScriptErrorKind::TooManyLinks).message, "too many links: the limit is 10000");
    }

    fn ko(text: &str) -> String {
        match super::super::parse(text) {
            Err(e) => e.kind.korean(),
            Ok(s) => panic!("{text} parses: {s:?}"),
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

    /// One of each [`Expected`], in declaration order; `expected_ordinal` is an
    /// exhaustive match, so a new variant needs an ordinal, then a sample here.
    fn every_expected() -> Vec<Expected> {
        vec![
            Expected::HostNamed("zed".into()),
            Expected::Returns { call: "close(c)".into(), result: "7".into() },
            Expected::Return { call: "accept(c)".into() },
            Expected::EventLimit { max: 5_000_000 },
            Expected::HostAdded("zed".into()),
            Expected::WithinDay,
            Expected::State { fd: "c".into(), host: "zed".into(), state: "ESTABLISHED".into() },
            Expected::LinkBetween("zed".into(), "yon".into()),
            Expected::NamesDescriptor { fd: "c".into(), host: "zed".into() },
            Expected::PayloadTotal,
            Expected::RunsOn { call: "close(c)".into(), host: "zed".into() },
            Expected::CallId,
            Expected::Packet { from: "zed".into(), to: "yon".into(), pattern: "[S.] seq 0 ack 1".into() },
            Expected::Count { counter: "lost".into(), path: None, range: (2, 2) },
            Expected::Count { counter: "sent".into(), path: Some(("zed".into(), "yon".into())), range: (2, 5) },
            Expected::SocketCount {
                counter: "cwnd".into(),
                host: "zed".into(),
                fd: "c".into(),
                range: (10, 10),
                mss: true,
            },
            Expected::SocketCount {
                counter: "unread".into(),
                host: "zed".into(),
                fd: "c".into(),
                range: (0, 3),
                mss: false,
            },
        ]
    }

    fn expected_ordinal(e: &Expected) -> usize {
        match e {
            Expected::HostNamed(_) => 0,
            Expected::Returns { .. } => 1,
            Expected::Return { .. } => 2,
            Expected::EventLimit { .. } => 3,
            Expected::HostAdded(_) => 4,
            Expected::WithinDay => 5,
            Expected::State { .. } => 6,
            Expected::LinkBetween(..) => 7,
            Expected::NamesDescriptor { .. } => 8,
            Expected::PayloadTotal => 9,
            Expected::RunsOn { .. } => 10,
            Expected::CallId => 11,
            Expected::Packet { .. } => 12,
            Expected::Count { .. } => 13,
            Expected::SocketCount { .. } => 14,
        }
    }

    /// One of each [`Got`] (each shape of the ones with options), every errno,
    /// every value and every world error.
    fn every_got() -> Vec<Got> {
        use crate::net::{HostId, LinkId, SocketAddrV4};
        let peer = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 40_000);
        let blocked = Some(Blocked { at: 1_250_000, call: "accept(l)".into(), line: 7 });
        let values = [
            CallValue::Zero,
            CallValue::Fd(3),
            CallValue::Accepted { fd: 4, peer },
            CallValue::Sent(5),
            CallValue::Data(b"hello\n".to_vec().into()),
            CallValue::DataFrom { data: b"x".to_vec().into(), from: peer },
        ];
        let worlds = [
            WorldError::DuplicateHost("zed".into()),
            WorldError::AddressTaken(Ipv4Addr::new(10, 0, 0, 1)),
            WorldError::LoopbackAddress(Ipv4Addr::LOCALHOST),
            WorldError::UnknownHost(HostId(9)),
            WorldError::UnknownLink(LinkId(9)),
            WorldError::SameHost,
            WorldError::DuplicateLink,
            WorldError::TooMany("hosts", MAX_HOSTS),
            WorldError::TooMany("links", MAX_LINKS),
            WorldError::TooMany("descriptors per host", 1024),
        ];
        let seen = |shape, lost| SeenPacket { shape, id: 3, at: 20_000, lost };
        let mut got = vec![Got::Nothing, Got::HostLineFailed];
        got.extend(values.iter().cloned().map(Got::Returned));
        got.extend(Errno::ALL.into_iter().map(Got::Failed));
        got.extend([Got::MoreEvents, Got::PendingIdle { at: 1_250_000 }, Got::PendingAfter { bound: 120_000_000 }]);
        got.extend(worlds.into_iter().map(Got::World));
        got.push(Got::PastDay { step: 25 * 3_600_000_000, reach: 25 * 3_600_000_000 });
        got.extend(values.iter().cloned().map(|value| Got::NameReturned { call: "recv(c, 5)".into(), line: 7, value }));
        got.extend([
            Got::NameFailed { call: "socket(tcp)".into(), line: 7, errno: Errno::EMFILE },
            Got::NameBlocked { name: "a".into(), call: "accept(l)".into(), line: 7 },
            Got::NameUnbound("a".into()),
            Got::NotOpen(5),
            Got::NoState { fd: "u".into() },
            Got::State { state: "SYN-SENT".into(), blocked: None },
            Got::State { state: "LISTEN".into(), blocked: blocked.clone() },
            Got::Bytes(70_000_000),
            Got::Packet {
                from: "zed".into(),
                to: "yon".into(),
                seen: seen(PacketShape::Written("[S] seq 0 len 0 win 65535".into()), false),
                later: None,
            },
            Got::Packet {
                from: "zed".into(),
                to: "yon".into(),
                seen: seen(PacketShape::PortUnreachable(53), true),
                later: Some(9),
            },
            Got::NoPacket { matching: false, from: "zed".into(), to: "yon".into(), within: None },
            Got::NoPacket { matching: true, from: "zed".into(), to: "yon".into(), within: Some(120_000_000) },
            Got::Count { value: 0, mss_bytes: None, blocked: None },
            Got::Count { value: 2, mss_bytes: Some(2920), blocked },
            Got::ClosedAndGone { fd: "c".into() },
            Got::NotA { fd: "c".into(), tcp: true },
            Got::NotA { fd: "u".into(), tcp: false },
        ]);
        got
    }

    fn got_ordinal(g: &Got) -> usize {
        match g {
            Got::Nothing => 0,
            Got::HostLineFailed => 1,
            Got::Returned(_) => 2,
            Got::Failed(_) => 3,
            Got::MoreEvents => 4,
            Got::PendingIdle { .. } => 5,
            Got::PendingAfter { .. } => 6,
            Got::World(_) => 7,
            Got::PastDay { .. } => 8,
            Got::NameReturned { .. } => 9,
            Got::NameFailed { .. } => 10,
            Got::NameBlocked { .. } => 11,
            Got::NameUnbound(_) => 12,
            Got::NotOpen(_) => 13,
            Got::NoState { .. } => 14,
            Got::State { .. } => 15,
            Got::Bytes(_) => 16,
            Got::Packet { .. } => 17,
            Got::NoPacket { .. } => 18,
            Got::Count { .. } => 19,
            Got::ClosedAndGone { .. } => 20,
            Got::NotA { .. } => 21,
        }
    }

    /// Latin words a failure's Korean may keep besides the script's syntax:
    /// the samples' names and the protocol's own terms.
    fn is_run_word(word: &str) -> bool {
        const WORDS: &[&str] =
            &["l", "a", "u", "mss", "eventually", "UDP", "ICMP", "RST", "port", "unreachable", "IP", "IPv4"];
        WORDS.contains(&word) || is_syntax(word)
    }

    /// The Latin words left in `ko` outside quotes (quoted text is the script's).
    fn latin_words(ko: &str) -> Vec<String> {
        let unquoted: String = ko.split('\'').step_by(2).collect::<Vec<_>>().join(" ");
        let unquoted: String = unquoted.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        unquoted
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && !w.starts_with(|c: char| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_failure_says_itself_in_english_and_in_korean() {
        let mut expected: Vec<usize> = every_expected().iter().map(expected_ordinal).collect();
        expected.dedup();
        assert_eq!(
            expected,
            (0..=expected_ordinal(&Expected::SocketCount {
                counter: String::new(),
                host: String::new(),
                fd: String::new(),
                range: (0, 0),
                mss: false
            }))
                .collect::<Vec<_>>(),
            "an Expected has no sample"
        );
        let mut got: Vec<usize> = every_got().iter().map(got_ordinal).collect();
        got.dedup();
        assert_eq!(
            got,
            (0..=got_ordinal(&Got::NotA { fd: String::new(), tcp: false })).collect::<Vec<_>>(),
            "a Got has no sample"
        );

        for e in every_expected() {
            let (en, ko) = (e.to_string(), e.korean());
            assert!(!en.trim().is_empty() && !has_hangul(&en), "{e:?}: {en}");
            assert!(has_hangul(&ko), "{e:?}: {ko}");
            for word in latin_words(&ko) {
                assert!(is_run_word(&word), "{e:?}: '{word}' is left in English in {ko}");
            }
        }
        for g in every_got() {
            let (en, ko) = (g.to_string(), g.korean());
            assert!(!en.trim().is_empty() && !has_hangul(&en), "{g:?}: {en}");
            // A bare number or string is the same in both languages.
            if !matches!(g, Got::Returned(CallValue::Zero | CallValue::Fd(_) | CallValue::Sent(_) | CallValue::Data(_)))
                && !matches!(g, Got::State { blocked: None, .. } | Got::Count { mss_bytes: None, blocked: None, .. })
            {
                assert!(has_hangul(&ko), "{g:?}: {ko}");
            }
            for word in latin_words(&ko) {
                assert!(is_run_word(&word), "{g:?}: '{word}' is left in English in {ko}");
            }
        }
        // Every failure, framed, reads in Korean.
        for (e, g) in every_expected().into_iter().zip(every_got().into_iter().cycle()) {
            let f = Failure::new(3, FailureKind::Expectation, e, g);
            assert!(has_hangul(&f.korean()), "{f:?}");
            assert_eq!(f.to_string(), format!("expected {}, got {}", f.expected, f.got));
            assert_eq!((f.expected.clone(), f.got.clone()), (f.parts.expected.to_string(), f.parts.got.to_string()));
        }
        // The checker catches English.
        for word in ["none", "pending", "blocked", "within", "returned", "descriptor", "packet", "matching"] {
            assert!(!is_run_word(word), "{word}");
        }
    }

    #[test]
    fn the_page_and_a_failure_explain_errnos_in_korean() {
        for e in Errno::ALL {
            assert!(has_hangul(e.explain_ko()), "{e}");
            assert_eq!(Got::Failed(e).to_string(), format!("{} ({})", e.name(), e.explain()));
        }
    }

    #[test]
    fn a_packet_shows_as_the_renderer_writes_it() {
        // PacketShape::PortUnreachable says in English what describe_packet writes.
        use crate::net::packet::{Body, Packet};
        let head = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";
        let s = super::super::parse(&format!(
            "{head}client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:53) = 1\nexpect server > client [S]\n"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let r = super::super::run(&s, &super::super::RunOptions::default());
        let icmp: Vec<&Packet> = r
            .trace
            .iter()
            .filter_map(|e| match &e.kind {
                crate::net::TraceKind::Sent { packet, .. } if matches!(packet.body, Body::PortUnreachable(_)) => {
                    Some(packet)
                }
                _ => None,
            })
            .collect();
        assert_eq!(icmp.len(), 1);
        let written = super::super::render::describe_packet(icmp[0], 0, 0);
        assert_eq!(PacketShape::PortUnreachable(53).to_string(), written);
        assert_eq!(r.failures.len(), 1);
        assert_eq!(
            r.failures[0].to_string(),
            "expected server > client [S], got server > client icmp (port 53 unreachable) (#2 at 0.010000s)"
        );
        assert_eq!(
            r.failures[0].korean(),
            "기대한 결과: server > client [S] 패킷 · 실제 결과: server > client icmp (포트 53 도달 불가) (#2, 0.010000s 시점)"
        );
    }

    /// The first failure of `body` after two linked hosts, in English and in Korean.
    fn run_fails(body: &str) -> (String, String) {
        let head = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";
        let s = match super::super::parse(&format!("{head}{body}")) {
            Ok(s) => s,
            Err(e) => panic!("{body}: {e}"),
        };
        let r = super::super::run(&s, &super::super::RunOptions::default());
        match r.failures.first() {
            Some(f) => (f.render("t.sock"), f.korean()),
            None => panic!("{body} passes"),
        }
    }

    #[test]
    fn run_failures_read_in_korean() {
        let listen = "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n";
        assert_eq!(
            run_fails("client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n"),
            (
                "t.sock:5: expected connect(c, 10.0.0.1:80) to return 0, got ECONNREFUSED (refused: nothing listens on that port (RST or ICMP port unreachable))".into(),
                "기대한 결과: connect(c, 10.0.0.1:80)의 반환값 0 · 실제 결과: ECONNREFUSED (거절되었습니다: 그 포트에서 듣고 있는 소켓이 없습니다 (RST 또는 ICMP port unreachable))".into()
            )
        );
        assert_eq!(
            run_fails("client: s = socket(tcp)\nclient: close(s) = 7\n"),
            (
                "t.sock:5: expected close(s) to return 7, got 0".into(),
                "기대한 결과: close(s)의 반환값 7 · 실제 결과: 0".into()
            )
        );
        assert_eq!(
            run_fails(&format!("{listen}server: a = accept(l)\nserver: close(l)\n")).1,
            "기대한 결과: accept(l) 호출의 반환 · 실제 결과: 0.000000s 시점에도 끝나지 않은 호출 (더 일어날 일이 없음)"
        );
        assert_eq!(
            run_fails(&format!(
                "{listen}client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80)\nexpect client > server [S.]\n"
            ))
            .1,
            "기대한 결과: client > server [S.] 패킷 · 실제 결과: client > server [S] seq 0 len 0 win 65535 (#1, 0.000000s 시점)"
        );
        assert_eq!(
            run_fails(&format!(
                "{listen}server: a = accept(l)\nexpect state server l LISTEN now\nexpect state server l ESTABLISHED now\n"
            )),
            (
                "t.sock:9: expected l on server in state ESTABLISHED, got LISTEN (at 0.000000s; accept(l) on line 7 is still blocked — add +TIME or run to let it finish)".into(),
                "기대한 결과: server의 l 상태 ESTABLISHED · 실제 결과: LISTEN (0.000000s 시점; 7행의 accept(l) 호출이 아직 막혀 있음 — +TIME이나 run을 넣어 끝나게 하세요)".into()
            )
        );
        assert_eq!(
            run_fails("client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:53) = 1\nexpect lost 2\n"),
            ("t.sock:6: expected lost 2, got 0".into(), "기대한 결과: lost 값 2 · 실제 결과: 0".into())
        );
    }
}
