//! Run failures of the scenario language: a line whose expectation did not hold,
//! a call that never finished, or something the world cannot do.
//!
//! A failure is typed: what the line expected ([`Expected`]) and what the run met
//! ([`Got`]), each in English (`Display`, the failure's `expected` and `got`) and
//! in Korean ([`Failure::korean`]); the script's calls, names, patterns, states,
//! errnos and numbers verbatim in both. Parse errors are in [`super::error`].

use super::limits::MAX_TOTAL_PAYLOAD;
use super::shown::shown;
use super::time::{fmt_dur, format_time};
use crate::lang::{errno_meaning, Bilingual};
use crate::net::syscall::quote_bytes;
use crate::net::{CallValue, Errno, Fd, WorldError};
use serde::Serialize;

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
}

/// Without its line; the script's calls, names, patterns, states and errnos as
/// written in both languages.
impl Bilingual for Failure {
    fn both(&self) -> (String, String) {
        let (expected, got) = (self.parts.expected.both(), self.parts.got.both());
        (
            format!("expected {}, got {}", expected.0, got.0),
            format!("기대한 결과: {} · 실제 결과: {}", expected.1, got.1),
        )
    }
}

crate::display_in_english!(Failure, Expected, Got, PacketShape, Blocked);

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
    /// No more than `max_bytes` held by the run's record (trace, packets and
    /// their payloads): the memory ceiling beside the event limit.
    RecordLimit { max_bytes: u64 },
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
    /// A record bigger than the limit, after `events` events.
    LargerRecord { events: u64 },
    /// The call was still pending at `at` (µs) and nothing was left to happen;
    /// `returned`: it did return later (µs), woken by another host's later line.
    PendingIdle { at: u64, returned: Option<u64> },
    /// The call was still pending after `bound` (µs); `returned` as above.
    PendingAfter { bound: u64, returned: Option<u64> },
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
    /// The packet from `from` to `to` had the shape expected but was sent
    /// outside `at` ± `tolerance_us` (µs).
    PacketTime { from: String, to: String, seen: SeenPacket, at: u64, tolerance_us: u64 },
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

impl Bilingual for Expected {
    fn both(&self) -> (String, String) {
        match self {
            Expected::HostNamed(name) => {
                (format!("a host named {}", shown(name)), format!("이름이 {}인 호스트", shown(name)))
            }
            Expected::Returns { call, result } => {
                (format!("{call} to return {result}"), format!("{call}의 반환값 {result}"))
            }
            Expected::Return { call } => (format!("{call} to return"), format!("{call} 호출의 반환")),
            Expected::EventLimit { max } => {
                (format!("at most {max} events in one run"), format!("한 번 실행에 이벤트 최대 {max}개"))
            }
            Expected::HostAdded(name) => {
                (format!("host {} to be added", shown(name)), format!("호스트 {} 추가", shown(name)))
            }
            Expected::WithinDay => {
                ("simulated time to stay within one day".into(), "하루 안에 머무는 시뮬레이션 시간".into())
            }
            Expected::State { fd, host, state } => (
                format!("{} on {} in state {state}", shown(fd), shown(host)),
                format!("{}의 {} 상태 {state}", shown(host), shown(fd)),
            ),
            Expected::LinkBetween(a, b) => (
                format!("a link between {} and {}", shown(a), shown(b)),
                format!("{}, {} 사이의 링크", shown(a), shown(b)),
            ),
            Expected::NamesDescriptor { fd, host } => {
                ({ format!("{} to name a descriptor on {}", shown(fd), shown(host)) }, {
                    format!("{}의 디스크립터를 가리키는 {}", shown(host), shown(fd))
                })
            }
            Expected::PayloadTotal => (format!("at most {MAX_TOTAL_PAYLOAD} bytes (64 MiB) sent by one script"), {
                format!("스크립트 하나가 보내는 데이터 최대 {MAX_TOTAL_PAYLOAD}바이트(64 MiB)")
            }),
            Expected::RunsOn { call, host } => {
                (format!("{call} to run on {}", shown(host)), format!("{}에서 {call} 실행", shown(host)))
            }
            Expected::CallId => ("a call id in the trace".into(), "트레이스에 남은 호출 번호".into()),
            Expected::Packet { from, to, pattern } => (
                format!("{} > {} {pattern}", shown(from), shown(to)),
                format!("{} > {} {pattern} 패킷", shown(from), shown(to)),
            ),
            Expected::Count { counter, path, range } => (
                {
                    let path =
                        path.as_ref().map(|(from, to)| format!(" {} > {}", shown(from), shown(to))).unwrap_or_default();
                    format!("{counter}{path} {}", shown_range(*range))
                },
                {
                    let path =
                        path.as_ref().map(|(from, to)| format!(" {} > {}", shown(from), shown(to))).unwrap_or_default();
                    format!("{counter}{path} 값 {}", shown_range(*range))
                },
            ),
            Expected::SocketCount { counter, host, fd, range, mss } => (
                {
                    let (host, fd) = (shown(host), shown(fd));
                    format!("{counter} {host} {fd} {}{}", shown_range(*range), if *mss { " mss" } else { "" })
                },
                {
                    let (host, fd) = (shown(host), shown(fd));
                    format!("{counter} {host} {fd} 값 {}{}", shown_range(*range), if *mss { " mss" } else { "" })
                },
            ),
            Expected::RecordLimit { max_bytes } => {
                ({ format!("a run's record (trace and packets) of at most {} MiB", max_bytes >> 20) }, {
                    format!("실행 기록(트레이스와 패킷) 최대 {} MiB", max_bytes >> 20)
                })
            }
        }
    }
}

impl Bilingual for Blocked {
    /// The note with its leading space.
    fn both(&self) -> (String, String) {
        let at = format_time(self.at);
        let (call, line) = (&self.call, self.line);
        (
            format!(" (at {at}; {call} on line {line} is still blocked — add +TIME or run to let it finish)"),
            format!(" ({at} 시점; {line}행의 {call} 호출이 아직 막혀 있음 — +TIME이나 run을 넣어 끝나게 하세요)"),
        )
    }
}

/// A note in both languages, or nothing.
fn note(blocked: &Option<Blocked>) -> (String, String) {
    blocked.as_ref().map(Bilingual::both).unwrap_or_default()
}

impl Bilingual for PacketShape {
    fn both(&self) -> (String, String) {
        match self {
            PacketShape::Written(text) => (String::from(text), text.clone()),
            PacketShape::PortUnreachable(port) => {
                (format!("icmp (port {port} unreachable)"), format!("icmp (포트 {port} 도달 불가)"))
            }
        }
    }
}

/// A call's value in Korean: numbers and data as written.
/// For a call the run gave up on: that it returned after all, and when. The
/// host's next line could not wait for it, so that line was not run; another
/// host's later line woke the call.
fn returned_later(returned: Option<u64>) -> (String, String) {
    match returned {
        None => (String::new(), String::new()),
        Some(t) => (
            format!("; it returned only at {}, woken by a later line of another host", format_time(t)),
            format!("; 다른 호스트의 뒤쪽 줄 때문에 {}에야 반환됨", format_time(t)),
        ),
    }
}

fn value_korean(v: &CallValue) -> String {
    match v {
        CallValue::Zero | CallValue::Fd(_) | CallValue::Sent(_) | CallValue::Data(_) => v.render(),
        CallValue::Accepted { fd, peer } => format!("{fd} (상대 {peer})"),
        CallValue::DataFrom { data, from } => format!("{} ({from}에서 옴)", quote_bytes(data)),
        CallValue::Name(_) | CallValue::SockError(_) => v.render(),
        CallValue::Length { len, data, from } => {
            let mut out = format!("{len}바이트");
            if !data.is_empty() {
                out.push_str(&format!(" (복사된 것: {})", quote_bytes(data)));
            }
            if let Some(from) = from {
                out.push_str(&format!(" ({from}에서 옴)"));
            }
            out
        }
    }
}

/// The world's refusal: `(english, korean)`. In English, the world's own words,
/// except that a host's name is quoted as a message quotes it.
fn world_words(e: &WorldError) -> (String, String) {
    let english = match e {
        WorldError::DuplicateHost(n) => format!("a host named {} exists already", shown(n)),
        other => other.to_string(),
    };
    (english, world_korean(e))
}

/// The world's refusal in Korean.
fn world_korean(e: &WorldError) -> String {
    match e {
        WorldError::DuplicateHost(n) => format!("이미 있는 호스트 이름 {}", shown(n)),
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

impl Bilingual for Got {
    fn both(&self) -> (String, String) {
        match self {
            Got::Nothing => ("none".into(), "없음".into()),
            Got::HostLineFailed => ("none (its host line failed)".into(), "없음 (그 host 줄이 실패했습니다)".into()),
            Got::Returned(v) => (String::from(&v.render()), value_korean(v)),
            Got::Failed(e) => {
                let (en, ko) = errno_meaning(*e);
                (format!("{e} ({en})"), format!("{e} ({ko})"))
            }
            Got::MoreEvents => ("more (the event limit)".into(), "그보다 많은 이벤트 (이벤트 한도)".into()),
            Got::LargerRecord { events } => ({
                format!("more after {events} events (the memory limit): send less, or lower the loss and duplication")
            }, {
                format!("이벤트 {events}개 뒤에 그보다 큰 기록 (메모리 한도): 보내는 양을 줄이거나 손실과 복제를 낮추세요")
            }),
            Got::PendingIdle { at, returned: None } => (
                format!("call still pending at {} and nothing left to happen", format_time(*at)),
                format!("{} 시점에도 끝나지 않은 호출 (더 일어날 일이 없음)", format_time(*at)),
            ),
            // Woken after all, by a line the script has after its host's next
            // one: "nothing left to happen" read as a contradiction beside the
            // result the call got.
            Got::PendingIdle { at, returned: Some(t) } => (
                format!(
                    "call still pending at {}, when its host's next line had to wait for it and nothing else could happen first; it returned only at {}, woken by a later line of another host: put that line before this host's next one",
                    format_time(*at),
                    format_time(*t)
                ),
                format!(
                    "{} 시점에 끝나지 않은 호출: 같은 호스트의 다음 줄이 이 호출을 기다려야 했고 그 전에 일어날 일이 없었음. 다른 호스트의 뒤쪽 줄 때문에 {}에야 반환됨: 그 줄을 이 호스트의 다음 줄보다 앞에 두세요",
                    format_time(*at),
                    format_time(*t)
                ),
            ),
            Got::PendingAfter { bound, returned } => {
                let (en, ko) = returned_later(*returned);
                (format!("call still pending after {}{en}", fmt_dur(*bound)), format!("{} 뒤에도 끝나지 않은 호출{ko}", fmt_dur(*bound)))
            }
            Got::World(e) => world_words(e),
            Got::PastDay { step, reach } => (format!("+{} would reach {}", fmt_dur(*step), fmt_dur(*reach)), {
                format!("+{} 뒤의 시각 {} (하루를 넘음)", fmt_dur(*step), fmt_dur(*reach))
            }),
            Got::NameReturned { call, line, value } => (format!("{call} on line {line} returned {}", value.render()), {
                format!("디스크립터가 아닌 값: {line}행의 {call} 반환값 {}", value_korean(value))
            }),
            Got::NameFailed { call, line, errno } => (format!("{call} on line {line} failed with {errno}"), format!("{line}행의 {call} 호출이 {errno} 오류로 실패함")),
            Got::NameBlocked { name, call, line } => (format!("{} not bound yet: {call} on line {line} is still blocked (add +TIME or run to let it return)",
                shown(name)
            ), format!(
                "아직 묶이지 않은 이름 {}: {line}행의 {call} 호출이 아직 막혀 있음 (+TIME이나 run을 넣어 반환되게 하세요)",
                shown(name)
            )),
            Got::NameUnbound(name) => (format!("{} is not bound yet", shown(name)), format!("아직 묶이지 않은 이름 {}", shown(name))),
            Got::NotOpen(n) => (format!("descriptor {n} is not open"), format!("열려 있지 않은 디스크립터 {n}")),
            // After "got": the state there is none of, then why.
            Got::NoState { fd } => (
                format!("no state: {} is a UDP socket, and UDP has no states", shown(fd)),
                format!("상태 없음: {}는 UDP 소켓이고 UDP에는 상태가 없음", shown(fd)),
            ),
            Got::State { state, blocked } => {
                let (en, ko) = note(blocked);
                (format!("{state}{en}"), format!("{state}{ko}"))
            }
            Got::Bytes(n) => (format!("{n} bytes"), format!("{n}바이트")),
            Got::Packet { from, to, seen, later } => {
                let (from, to) = (shown(from), shown(to));
                let (shape, id, at) = (seen.shape.both(), seen.id, format_time(seen.at));
                let (lost_en, lost_ko) = if seen.lost { (", lost", ", 손실됨") } else { ("", "") };
                let (later_en, later_ko) = match later {
                    Some(id) => (
                        format!("; a matching packet comes later (#{id}), write 'expect {from} > {to} eventually ...' to skip to it"),
                        format!("; 맞는 패킷은 뒤에 옵니다 (#{id}). 'expect {from} > {to} eventually ...'라고 쓰면 그 패킷으로 건너뜁니다"),
                    ),
                    None => Default::default(),
                };
                (
                    format!("{from} > {to} {} (#{id} at {at}{lost_en}){later_en}", shape.0),
                    format!("{from} > {to} {} (#{id}, {at} 시점{lost_ko}){later_ko}", shape.1),
                )
            }
            Got::PacketTime { from, to, seen, at, tolerance_us } => {
                let (from, to) = (shown(from), shown(to));
                let (shape, id, sent) = (seen.shape.both(), seen.id, format_time(seen.at));
                let (off, late) = (fmt_dur(seen.at.abs_diff(*at)), seen.at >= *at);
                let (at, tolerance) = (format_time(*at), fmt_dur(*tolerance_us));
                (
                    format!(
                        "{from} > {to} {} (#{id}) sent at {sent}, {off} {}: expected at {at} ±{tolerance}",
                        shape.0,
                        if late { "late" } else { "early" }
                    ),
                    format!(
                        "{from} > {to} {} (#{id}): {sent}에 보냄, 기대한 {at} ±{tolerance}보다 {off} {}",
                        shape.1,
                        if late { "늦음" } else { "이름" }
                    ),
                )
            }
            Got::NoPacket { matching, from, to, within } => ({
                let what = if *matching { "no matching packet" } else { "no packet" };
                let (from, to) = (shown(from), shown(to));
                match within {
                    None => format!("{what} from {from} to {to} (nothing left to happen)"),
                    Some(bound) => format!("{what} from {from} to {to} within {}", fmt_dur(*bound)),
                }
            }, {
                let what = if *matching { "맞는 패킷" } else { "패킷" };
                let (from, to) = (shown(from), shown(to));
                match within {
                    None => format!("{from} > {to} {what} 없음 (더 일어날 일이 없음)"),
                    Some(bound) => format!("{} 동안 {from} > {to} {what} 없음", fmt_dur(*bound)),
                }
            }),
            Got::Count { value, mss_bytes, blocked } => ({
                let mss = mss_bytes.map(|b| format!(" mss ({b} bytes)")).unwrap_or_default();
                format!("{value}{mss}{}", note(blocked).0)
            }, {
                let mss = mss_bytes.map(|b| format!(" mss ({b}바이트)")).unwrap_or_default();
                format!("{value}{mss}{}", note(blocked).1)
            }),
            Got::ClosedAndGone { fd } => (format!("{} is closed and gone", shown(fd)), format!("{}: 닫혀서 사라진 소켓", shown(fd))),
            Got::NotA { fd, tcp } => ({
                format!("{} is not {}", shown(fd), if *tcp { "a TCP connection" } else { "a UDP socket" })
            }, format!("{}: {}", shown(fd), if *tcp { "TCP 연결이 아님" } else { "UDP 소켓이 아님" })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::net::Ipv4Addr;
    use crate::script::error::tests::{has_hangul, is_syntax};
    use crate::script::limits::{MAX_HOSTS, MAX_LINKS};

    /// A sample of each [`Expected`], in declaration order: the compiler checks that
    /// each has both languages; these check that the Korean half is Korean.
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
            Expected::RecordLimit { max_bytes: 256 << 20 },
        ]
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
            CallValue::Name(peer),
            CallValue::SockError(None),
            CallValue::SockError(Some(Errno::ECONNREFUSED)),
            CallValue::Length { len: 10, data: b"abcd".to_vec().into(), from: Some(peer) },
            CallValue::Length { len: 3, data: Vec::new().into(), from: None },
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
        got.extend([
            Got::MoreEvents,
            Got::PendingIdle { at: 1_250_000, returned: None },
            Got::PendingIdle { at: 1_250_000, returned: Some(1_500_000) },
            Got::PendingAfter { bound: 120_000_000, returned: None },
            Got::PendingAfter { bound: 120_000_000, returned: Some(130_000_000) },
        ]);
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
            Got::LargerRecord { events: 1_234_567 },
            Got::PacketTime {
                from: "zed".into(),
                to: "yon".into(),
                seen: seen(PacketShape::Written("[S] seq 0 len 0 win 65535".into()), false),
                at: 1_000_000,
                tolerance_us: 1_000,
            },
        ]);
        got
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
        for e in every_expected() {
            let (en, ko) = (e.to_string(), e.say(Lang::Ko));
            assert!(!en.trim().is_empty() && !has_hangul(&en), "{e:?}: {en}");
            assert!(has_hangul(&ko), "{e:?}: {ko}");
            for word in latin_words(&ko) {
                assert!(is_run_word(&word), "{e:?}: '{word}' is left in English in {ko}");
            }
        }
        for g in every_got() {
            let (en, ko) = (g.to_string(), g.say(Lang::Ko));
            assert!(!en.trim().is_empty() && !has_hangul(&en), "{g:?}: {en}");
            // A bare number or string is the same in both languages.
            if !matches!(
                g,
                Got::Returned(
                    CallValue::Zero
                        | CallValue::Fd(_)
                        | CallValue::Sent(_)
                        | CallValue::Data(_)
                        | CallValue::Name(_)
                        | CallValue::SockError(_)
                )
            ) && !matches!(g, Got::State { blocked: None, .. } | Got::Count { mss_bytes: None, blocked: None, .. })
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
            assert!(has_hangul(&f.say(Lang::Ko)), "{f:?}");
            assert_eq!(f.to_string(), format!("expected {}, got {}", f.expected, f.got));
            assert_eq!((f.expected.clone(), f.got.clone()), (f.parts.expected.to_string(), f.parts.got.to_string()));
        }
        // The checker catches English.
        for word in ["none", "pending", "blocked", "within", "returned", "descriptor", "packet", "matching"] {
            assert!(!is_run_word(word), "{word}");
        }
    }

    /// Every name-bearing part of a failure, the names hostile: a terminal
    /// escape, a bidi override and 100 000 more characters.
    #[test]
    fn failures_quote_names_escaped_and_bounded() {
        use crate::script::shown::needs_escape;
        let h = || format!("\x1b[2J\u{202e}{}", "x".repeat(100_000));
        let expected = [
            Expected::HostNamed(h()),
            Expected::HostAdded(h()),
            Expected::State { fd: h(), host: h(), state: "LISTEN".into() },
            Expected::LinkBetween(h(), h()),
            Expected::NamesDescriptor { fd: h(), host: h() },
            Expected::RunsOn { call: "close(c)".into(), host: h() },
            Expected::Packet { from: h(), to: h(), pattern: "[S]".into() },
            Expected::Count { counter: "sent".into(), path: Some((h(), h())), range: (1, 1) },
            Expected::SocketCount { counter: "cwnd".into(), host: h(), fd: h(), range: (1, 1), mss: true },
        ];
        let seen = SeenPacket { shape: PacketShape::PortUnreachable(53), id: 3, at: 0, lost: false };
        let got = [
            Got::World(WorldError::DuplicateHost(h())),
            Got::NameBlocked { name: h(), call: "accept(l)".into(), line: 7 },
            Got::NameUnbound(h()),
            Got::NoState { fd: h() },
            Got::Packet { from: h(), to: h(), seen: seen.clone(), later: Some(9) },
            Got::PacketTime { from: h(), to: h(), seen, at: 0, tolerance_us: 1 },
            Got::NoPacket { matching: true, from: h(), to: h(), within: None },
            Got::ClosedAndGone { fd: h() },
            Got::NotA { fd: h(), tcp: true },
        ];
        let texts = expected
            .iter()
            .flat_map(|e| [e.to_string(), e.say(Lang::Ko)])
            .chain(got.iter().flat_map(|g| [g.to_string(), g.say(Lang::Ko)]));
        for text in texts {
            assert!(!text.chars().any(needs_escape) && text.chars().count() < 1000, "{text:.300?}");
            assert!(text.contains("\\x1b[2J\\u{202e}xxx") && text.contains("x…"), "{text:.300}");
        }
        // As a run says it: a name is declared at most 40 characters long, and
        // quoted whole.
        let name = "w".repeat(crate::script::limits::MAX_NAME_CHARS);
        let (en, ko) = run_fails(&format!("client: {name} = socket(tcp)\nclient: close({name}) = 7\n"));
        assert_eq!(en, format!("t.sock:5: expected close({name}) to return 7, got 0"));
        assert_eq!(ko, format!("기대한 결과: close({name})의 반환값 7 · 실제 결과: 0"));
    }

    #[test]
    fn the_page_and_a_failure_explain_errnos_in_korean() {
        for e in Errno::ALL {
            assert_eq!(Got::Failed(e).to_string(), format!("{} ({})", e.name(), errno_meaning(e).0));
            assert_eq!(Got::Failed(e).say(Lang::Ko), format!("{} ({})", e.name(), errno_meaning(e).1));
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
                    Some(&**packet)
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
            "expected server > client [S], got server > client icmp (port 53 unreachable) (#2 at 10 ms)"
        );
        assert_eq!(
            r.failures[0].say(Lang::Ko),
            "기대한 결과: server > client [S] 패킷 · 실제 결과: server > client icmp (포트 53 도달 불가) (#2, 10 ms 시점)"
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
            Some(f) => (f.render("t.sock"), f.say(Lang::Ko)),
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
            "기대한 결과: accept(l) 호출의 반환 · 실제 결과: 0 ms 시점에도 끝나지 않은 호출 (더 일어날 일이 없음)"
        );
        assert_eq!(
            run_fails(&format!(
                "{listen}client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80)\nexpect client > server [S.]\n"
            ))
            .1,
            "기대한 결과: client > server [S.] 패킷 · 실제 결과: client > server [S] seq 0 len 0 win 64240 (#1, 0 ms 시점)"
        );
        assert_eq!(
            run_fails(&format!(
                "{listen}server: a = accept(l)\nexpect state server l LISTEN now\nexpect state server l ESTABLISHED now\n"
            )),
            (
                "t.sock:9: expected l on server in state ESTABLISHED, got LISTEN (at 0 ms; accept(l) on line 7 is still blocked — add +TIME or run to let it finish)".into(),
                "기대한 결과: server의 l 상태 ESTABLISHED · 실제 결과: LISTEN (0 ms 시점; 7행의 accept(l) 호출이 아직 막혀 있음 — +TIME이나 run을 넣어 끝나게 하세요)".into()
            )
        );
        assert_eq!(
            run_fails("client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:53) = 1\nexpect lost 2\n"),
            ("t.sock:6: expected lost 2, got 0".into(), "기대한 결과: lost 값 2 · 실제 결과: 0".into())
        );
    }
}
