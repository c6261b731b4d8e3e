//! Predict, then see: the quiz mode's model, plain Rust.
//!
//! Before a step that reveals something worth predicting, the page asks one
//! [`Question`] about it: the next TCP segment's flags and relative seq/ack, the
//! next TCP state of a socket, or what a call returns. Every fact comes from the
//! trace event that the step holds (its `Sent` packet, its `State` change, its
//! `Return` and the `Call` with the same id), never from the order of events.
//! The wrong choices are what a learner could plausibly expect at that point:
//! the neighbouring flag sets and an ack off by one, the states the TCP diagram
//! reaches from the current one, the errnos Linux returns from that call on that
//! kind of socket. The order of the choices is fixed per question (rotated by
//! the revealing event's id), so the same lesson asks the same way every time.
//!
//! Answering steps on and reveals; [`Quiz`] keeps this run's answers and every
//! lesson's [`Score`], which the page persists as [`Scores::encode`] under
//! [`STORAGE_KEY`] (the ui layer does the storing).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::lang::{Bilingual, Lang, Particle};
use crate::lesson::timeline::Timeline;
use crate::net::packet::Body;
use crate::net::tcp::segment::TcpFlags;
use crate::net::tcp::state::TcpState;
use crate::net::tcp::timers::TimerKind;
use crate::net::trace::Cause;
use crate::net::{Errno, Protocol, SysCall, TraceEvent, TraceKind, World};
use crate::view::explain::explain;
use crate::view::packets::{Labels, Numbering, PacketInfo};
use crate::view::words::timer_name;

/// Where the page keeps every lesson's score (browser local storage).
pub const STORAGE_KEY: &str = "socklab.quiz";
/// A question offers at least this many choices, or it is not asked.
pub const MIN_CHOICES: usize = 3;
/// A question offers at most this many choices.
pub const MAX_CHOICES: usize = 4;
/// The most lessons a stored score list keeps (a stored value is anyone's text).
const MAX_STORED_LESSONS: usize = 256;

/// One possible answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A TCP segment in tcpdump's notation with relative numbers:
    /// `[S.] seq 0 ack 1` (`ack` only with the ACK flag, `len` only with data).
    Segment { flags: TcpFlags, seq: u32, ack: Option<u32>, len: usize },
    /// The socket's next TCP state.
    State(TcpState),
    /// The call returns this value.
    Returns(i64),
    /// The call succeeds with a value not known in advance: `recv` returns the
    /// bytes that arrived, `accept` a new descriptor.
    Succeeds,
    /// The call returns −1 with this errno.
    Fails(Errno),
}

impl Bilingual for Answer {
    fn both(&self) -> (String, String) {
        match self {
            Answer::Segment { flags, seq, ack, len } => {
                let mut text = format!("[{}] seq {seq}", flags.tcpdump());
                if let Some(ack) = ack {
                    text.push_str(&format!(" ack {ack}"));
                }
                if *len > 0 {
                    text.push_str(&format!(" len {len}"));
                }
                (text.clone(), text)
            }
            Answer::State(state) => (state.name().to_string(), state.name().to_string()),
            // The question asks what the call returns: the choice is the value
            // ("you picked returns 0" read wrong in the verdict).
            Answer::Returns(n) => (n.to_string(), n.to_string()),
            Answer::Succeeds => ("succeeds (returns > 0)".into(), "성공 (0보다 큰 값 반환)".into()),
            Answer::Fails(errno) => (format!("−1 {}", errno.name()), format!("−1 {}", errno.name())),
        }
    }
}

/// What a question asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum About {
    /// The next TCP segment `from` sends (to `to`).
    Segment { from: String, to: String },
    /// The next state of `host`'s socket, now in `from`, when `trigger`
    /// happens.
    State { host: String, from: TcpState, trigger: Option<Trigger> },
    /// What `host`'s `call` (as the script writes it) returns.
    Call { host: String, call: String },
}

impl Bilingual for About {
    fn both(&self) -> (String, String) {
        match self {
            About::Segment { from, to } => (
                format!("What TCP segment does {from} send to {to} next? (flags, relative seq/ack)"),
                format!("{} {to}에게 보낼 다음 TCP 세그먼트는? (플래그, 상대 seq/ack)", Particle::Subject.after(from)),
            ),
            About::State { host, from, trigger } => {
                let (what_en, what_ko) = trigger.as_ref().map(|t| t.say(host)).unwrap_or_default();
                let (state_en, state_ko) = match from {
                    TcpState::Listen => (
                        format!("{host}'s listener is in LISTEN. Which state does it go to next?"),
                        format!("{host}의 리스너는 지금 LISTEN 상태입니다. 다음 상태는?"),
                    ),
                    _ => (
                        format!("{host}'s socket is in {from}. Which state does it go to next?"),
                        format!("{host}의 소켓은 지금 {from} 상태입니다. 다음 상태는?"),
                    ),
                };
                let join = |a: String, b: String| if a.is_empty() { b } else { format!("{a} {b}") };
                (join(what_en, state_en), join(what_ko, state_ko))
            }
            About::Call { host, call } => (
                format!("What does {host}'s {call} return?"),
                format!("{host}의 {} 무엇을 돌려줄까요?", Particle::Topic.after(call)),
            ),
        }
    }
}

/// What makes the socket change state in the step a state question asks
/// about, named in the question: from CLOSED both listen() and connect() lead
/// on, and the state alone did not say which arrow to follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The host calls this (as the trace renders it: "listen(3, 5)").
    Call(String),
    /// This packet reaches the host, labelled as the diagrams label it.
    Arrival(Labels),
    /// This timer of the socket fires.
    Timer(TimerKind),
}

impl Trigger {
    /// The trigger as the question's first sentence, about `host`.
    fn say(&self, host: &str) -> (String, String) {
        match self {
            Trigger::Call(call) => (
                format!("{host} calls {call}."),
                format!("{} {} 호출합니다.", Particle::Subject.after(host), Particle::Object.after(call)),
            ),
            Trigger::Arrival(label) => (
                format!("{} reaches {host}.", label.get(Lang::En)),
                format!("{} {host}에 도착합니다.", Particle::Subject.after(label.get(Lang::Ko))),
            ),
            Trigger::Timer(kind) => (
                format!("{host}'s {} timer fires.", timer_name(Lang::En, *kind)),
                format!("{}의 {} 타이머가 만료됩니다.", host, timer_name(Lang::Ko, *kind)),
            ),
        }
    }
}

/// One question, asked before step `step` and answered by it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The position that reveals the answer (the question is asked at `step - 1`).
    pub step: usize,
    /// The id of the trace event that holds the answer.
    pub event: u64,
    pub about: About,
    /// Between [`MIN_CHOICES`] and [`MAX_CHOICES`], the right one among them.
    pub choices: Vec<Answer>,
    /// Index of the right choice.
    pub right: usize,
}

impl Question {
    pub fn answer(&self) -> Option<&Answer> {
        self.choices.get(self.right)
    }
}

/// The question to ask at position `pos`, about step `pos + 1`, if that step
/// reveals something worth predicting. One per step, about the most telling
/// thing it holds: a call that fails, else the first TCP segment sent, else the
/// first state change, else a call that returns.
///
/// `world` is the world at `pos` (the sockets' protocols, the hosts' names);
/// `packets` the timeline's packets (their initial sequence numbers).
pub fn question_at(timeline: &Timeline, packets: &[PacketInfo], world: &World, pos: usize) -> Option<Question> {
    let step = pos + 1;
    if step > timeline.len() {
        return None;
    }
    let events = timeline.events_of(step);
    let ask = |(about, answer, others, event): Draft| {
        Some(arrange(step, event, about, answer, others)).filter(|q| q.choices.len() >= MIN_CHOICES)
    };
    let calls = || events.iter().filter_map(|e| call_question(timeline, step, world, e));
    let failed = calls().filter(|(_, failed)| *failed).find_map(|(d, _)| ask(d));
    let segment = || events.iter().filter_map(|e| segment_question(packets, world, e)).find_map(ask);
    let state = || events.iter().filter_map(|e| state_question(timeline, step, packets, world, e)).find_map(ask);
    let returned = || calls().find_map(|(d, _)| ask(d));
    failed.or_else(segment).or_else(state).or_else(returned)
}

/// A question's parts before its choices are put in order.
type Draft = (About, Answer, Vec<Answer>, u64);

/// The right answer and up to three distractors (the first that differ from
/// it, duplicates left out), rotated by the event's id: a fixed order per
/// question, with the right answer not always first.
fn arrange(step: usize, event: u64, about: About, answer: Answer, others: Vec<Answer>) -> Question {
    let mut choices = vec![answer.clone()];
    for other in others {
        if choices.len() == MAX_CHOICES {
            break;
        }
        if !choices.contains(&other) {
            choices.push(other);
        }
    }
    let turn = (event as usize).wrapping_mul(7).wrapping_add(step) % choices.len();
    choices.rotate_left(turn);
    let right = choices.iter().position(|c| *c == answer).unwrap_or(0);
    Question { step, event, about, choices, right }
}

/// A question about the TCP segment `e` sends, if it is one.
fn segment_question(packets: &[PacketInfo], world: &World, e: &TraceEvent) -> Option<Draft> {
    let TraceKind::Sent { host, packet, to, .. } = &e.kind else { return None };
    let Body::Tcp(s) = &packet.body else { return None };
    let info = packets.iter().find(|p| p.id == packet.id.0 && p.duplicate_of.is_none())?;
    let isn = info.isn?;
    let seq = s.seq.wrapping_sub(isn.own);
    // Relative ack needs the peer's first sequence number; without it the
    // numbers would be the wire's, which no learner can predict.
    let ack = match (s.flags.ack(), isn.peer) {
        (true, Some(peer)) => Some(s.ack.wrapping_sub(peer)),
        (true, None) => return None,
        (false, _) => None,
    };
    let len = s.payload.len();
    let right = Answer::Segment { flags: s.flags, seq, ack, len };
    let mut others: Vec<Answer> = neighbour_flags(s.flags)
        .iter()
        .take(2)
        .map(|&flags| {
            // A flag set with ACK carries the ack a learner would expect (the
            // right one, or 1 after the peer's SYN); one without carries none.
            let ack = TcpFlags(flags.0).ack().then(|| ack.unwrap_or(1));
            Answer::Segment { flags, seq, ack, len }
        })
        .collect();
    // The classic slip: the ack names the last byte received, not the next expected.
    others.push(match ack {
        Some(a) if a > 0 => Answer::Segment { flags: s.flags, seq, ack: Some(a - 1), len },
        Some(a) => Answer::Segment { flags: s.flags, seq, ack: Some(a + 1), len },
        None => Answer::Segment { flags: s.flags, seq: seq.wrapping_add(1), ack, len },
    });
    let about = About::Segment {
        from: world.host_name(*host).to_string(),
        to: to.map_or_else(|| packet.dst.to_string(), |h| world.host_name(h).to_string()),
    };
    Some((about, right, others, e.id))
}

/// The flag sets a learner could expect instead of `flags`, most plausible first.
fn neighbour_flags(flags: TcpFlags) -> Vec<TcpFlags> {
    let (s, a, r, f, p) = (TcpFlags::SYN.0, TcpFlags::ACK.0, TcpFlags::RST.0, TcpFlags::FIN.0, TcpFlags::PSH.0);
    let list: &[u8] = match flags.0 {
        // SYN-ACK: a plain SYN back, a bare ACK, or a refusal.
        x if x == s | a => &[s, a, r | a],
        // SYN: already answering, a bare ACK, or a reset.
        x if x == s => &[s | a, a, r],
        // A refusal: the accepting SYN-ACK, a bare RST without ACK, a bare ACK.
        x if x == r | a => &[s | a, r, a],
        x if x == r => &[r | a, a, f | a],
        x if x == f | a => &[a, r | a, p | a],
        x if x == p | a => &[a, f | a, r | a],
        x if x == a => &[p | a, f | a, r | a],
        _ => &[a, r | a, f | a],
    };
    list.iter().map(|&x| TcpFlags(x)).filter(|&x| x != flags).collect()
}

/// A question about the state change `e` (an event of step `step`), if it
/// is one with enough choices, naming what causes it.
fn state_question(
    timeline: &Timeline,
    step: usize,
    packets: &[PacketInfo],
    world: &World,
    e: &TraceEvent,
) -> Option<Draft> {
    let TraceKind::State { host, from, to, cause, .. } = &e.kind else { return None };
    let others: Vec<Answer> = next_states(*from).iter().map(|&s| Answer::State(s)).collect();
    if others.iter().filter(|a| **a != Answer::State(*to)).count() < MIN_CHOICES - 1 {
        return None;
    }
    let so_far = timeline.trace_until(step);
    let trigger = match cause.get() {
        Cause::Call(id) => so_far.iter().rev().find_map(|c| match &c.kind {
            TraceKind::Call { call, syscall, .. } if *call == id => Some(Trigger::Call(syscall.render())),
            _ => None,
        }),
        Cause::Arrival(packet) | Cause::SynAtListener(packet) => {
            packets.iter().find(|p| p.id == packet.0).map(|p| Trigger::Arrival(Labels::of(p, Numbering::Relative)))
        }
        Cause::Timer(id) => so_far.iter().rev().find_map(|t| match t.kind {
            TraceKind::Timer { timer, .. } if t.id == id => Some(Trigger::Timer(timer)),
            _ => None,
        }),
    };
    let about = About::State { host: world.host_name(*host).to_string(), from: *from, trigger };
    Some((about, Answer::State(*to), others, e.id))
}

/// The states a socket in `from` can go to next: the arrows of the TCP state
/// diagram (RFC 793 §3.2, figure 6, as Linux follows it in
/// `tcp_rcv_state_process` and `tcp_set_state`), plus CLOSED, which a reset or
/// an abort reaches from any state. Where that leaves fewer than three, the
/// state a learner most often confuses it with (the other side's state in the
/// same close) is offered too. TIME-WAIT has one way on (CLOSED, after 2 MSL):
/// no question.
fn next_states(from: TcpState) -> &'static [TcpState] {
    use TcpState::*;
    match from {
        // connect, listen; skipping the handshake is the confusion.
        Closed => &[SynSent, Listen, Established],
        Listen => &[SynReceived, SynSent, Closed],
        SynSent => &[Established, SynReceived, Closed],
        SynReceived => &[Established, FinWait1, Closed],
        Established => &[FinWait1, CloseWait, Closed],
        // tcp_rcv_state_process: the ACK of our FIN (FIN-WAIT-2), the peer's
        // FIN first (CLOSING), or both in one segment (TIME-WAIT).
        FinWait1 => &[FinWait2, Closing, TimeWait, Closed],
        FinWait2 => &[TimeWait, Closed, CloseWait],
        CloseWait => &[LastAck, Closed, FinWait2],
        Closing => &[TimeWait, Closed, LastAck],
        LastAck => &[Closed, TimeWait, Closing],
        TimeWait => &[Closed],
    }
}

/// A question about the call that `e` (an event of step `step`) returns from,
/// if it is one worth asking, and whether it failed.
fn call_question(timeline: &Timeline, step: usize, world: &World, e: &TraceEvent) -> Option<(Draft, bool)> {
    let TraceKind::Return { call, host, result, .. } = &e.kind else { return None };
    // The call is found by its id (it may have been made steps earlier, when it
    // blocked), looking back from its return: the nearest is found first.
    let (syscall, socket) = timeline.trace_until(step).iter().rev().find_map(|c| match &c.kind {
        TraceKind::Call { call: id, syscall, socket, .. } if id == call => Some((syscall, *socket)),
        _ => None,
    })?;
    let protocol = world.socket(socket?)?.protocol();
    let outcomes = outcomes(syscall, protocol)?;
    let right = match result {
        Err(errno) => Answer::Fails(*errno),
        Ok(value) => Answer::Returns(value.as_int()),
    };
    let mut others = vec![outcomes.success.clone()];
    others.extend(outcomes.also.iter().cloned());
    others.extend(outcomes.errnos.iter().map(|&e| Answer::Fails(e)));
    // When the call succeeded, "succeeds" is the right answer said vaguely.
    if matches!(right, Answer::Returns(n) if n > 0) {
        others.retain(|a| *a != Answer::Succeeds);
    }
    let about = About::Call { host: world.host_name(*host).to_string(), call: syscall.render() };
    let failed = result.is_err();
    // Calls whose only news is "0" (close, getsockname, ...) are asked about only when they fail.
    if !failed && !outcomes.ask_on_success {
        return None;
    }
    Some(((about, right, others, e.id), failed))
}

/// What a call can return on one kind of socket.
struct Outcomes {
    /// Its success: a fixed value, or [`Answer::Succeeds`].
    success: Answer,
    /// Another value worth offering (0 from `recv`: the peer closed).
    also: Vec<Answer>,
    /// The errnos Linux returns from it on this kind of socket, most telling first.
    errnos: &'static [Errno],
    /// Whether a success is worth a question.
    ask_on_success: bool,
}

/// The outcomes of `call` on a `protocol` socket; `None` for calls the quiz
/// does not ask about (`socket`, options, names).
fn outcomes(call: &SysCall, protocol: Protocol) -> Option<Outcomes> {
    use Errno::*;
    let tcp = protocol == Protocol::Tcp;
    let o = |success: Answer, also: Vec<Answer>, errnos: &'static [Errno], ask_on_success: bool| Outcomes {
        success,
        also,
        errnos,
        ask_on_success,
    };
    Some(match call {
        // __inet_stream_connect: the handshake's end (sock_error: ECONNREFUSED
        // from a RST, ETIMEDOUT when the SYN retries ran out, else
        // ECONNABORTED), EINPROGRESS on a non-blocking socket, EISCONN;
        // tcp_v4_connect: ENETUNREACH.
        SysCall::Connect { .. } if tcp => o(
            Answer::Returns(0),
            vec![],
            &[ECONNREFUSED, ETIMEDOUT, ENETUNREACH, ECONNABORTED, EINPROGRESS, EISCONN],
            true,
        ),
        // ip4_datagram_connect: no handshake, so only the route can fail it
        // (ENETUNREACH); inet_autobind: EAGAIN when no ephemeral port is free.
        SysCall::Connect { .. } => o(Answer::Returns(0), vec![], &[ENETUNREACH, EAGAIN, EAFNOSUPPORT], true),
        // inet_csk_accept: EINVAL when not listening, EAGAIN when non-blocking
        // and the accept queue is empty.
        SysCall::Accept { .. } if tcp => o(Answer::Succeeds, vec![], &[EAGAIN, EINVAL], true),
        // sock_no_accept: a datagram socket has no connections to accept.
        SysCall::Accept { .. } => o(Answer::Succeeds, vec![], &[EOPNOTSUPP], true),
        // tcp_recvmsg_locked: 0 once the peer's FIN is read, the pending error
        // (ECONNRESET, ETIMEDOUT), EAGAIN when non-blocking, ENOTCONN in LISTEN.
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } | SysCall::RecvFlags { .. } if tcp => {
            o(Answer::Succeeds, vec![Answer::Returns(0)], &[ECONNRESET, EAGAIN, ETIMEDOUT, ENOTCONN], true)
        }
        // udp_recvmsg (__skb_recv_udp): the pending ICMP error (ECONNREFUSED),
        // EAGAIN when non-blocking; an empty datagram reads as 0.
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } | SysCall::RecvFlags { .. } => {
            o(Answer::Succeeds, vec![Answer::Returns(0)], &[ECONNREFUSED, EAGAIN], true)
        }
        // tcp_sendmsg_locked: EPIPE after shutdown or on a dead connection
        // (sk_stream_wait_connect), the pending ECONNRESET, EAGAIN when the
        // buffer is full and the socket non-blocking.
        SysCall::Send { data, .. } | SysCall::SendTo { data, .. } if tcp => {
            o(Answer::Returns(data.len() as i64), vec![], &[EPIPE, ECONNRESET, EAGAIN], true)
        }
        // udp_sendmsg: EDESTADDRREQ without a peer, EMSGSIZE past 65507 bytes,
        // the pending ICMP error (ECONNREFUSED) on a connected socket.
        SysCall::Send { data, .. } | SysCall::SendTo { data, .. } => {
            o(Answer::Returns(data.len() as i64), vec![], &[ECONNREFUSED, EDESTADDRREQ, EMSGSIZE], true)
        }
        // __inet_bind: EADDRINUSE (inet_csk_get_port / udp_v4_get_port),
        // EINVAL when already bound, EADDRNOTAVAIL for an address not the host's.
        SysCall::Bind { .. } => o(Answer::Returns(0), vec![], &[EADDRINUSE, EINVAL, EADDRNOTAVAIL], true),
        // inet_listen: EINVAL unless unconnected; inet_csk_listen_start: EADDRINUSE.
        SysCall::Listen { .. } if tcp => o(Answer::Returns(0), vec![], &[EINVAL, EADDRINUSE], true),
        // sock_no_listen.
        SysCall::Listen { .. } => o(Answer::Returns(0), vec![], &[EOPNOTSUPP, EINVAL], true),
        // inet_shutdown: ENOTCONN on a socket with no connection.
        SysCall::Shutdown { .. } => o(Answer::Returns(0), vec![], &[ENOTCONN, EINVAL], false),
        SysCall::Close { .. } => o(Answer::Returns(0), vec![], &[EBADF], false),
        SysCall::Socket { .. }
        | SysCall::SetSockOpt { .. }
        | SysCall::GetSockName { .. }
        | SysCall::GetPeerName { .. }
        | SysCall::GetSockError { .. }
        | SysCall::Disconnect { .. } => return None,
    })
}

/// A lesson's tally.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub right: u32,
    pub wrong: u32,
}

impl Bilingual for Score {
    fn both(&self) -> (String, String) {
        let Score { right, wrong } = self;
        (format!("{right} right · {wrong} wrong"), format!("맞힘 {right} · 틀림 {wrong}"))
    }
}

/// Every lesson's score, by lesson id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scores(pub BTreeMap<String, Score>);

impl Scores {
    pub fn of(&self, lesson: &str) -> Score {
        self.0.get(lesson).copied().unwrap_or_default()
    }

    /// What the page stores: `handshake=3:1;tour=0:2`.
    pub fn encode(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|(id, s)| format!("{id}={}:{}", s.right, s.wrong)).collect();
        parts.join(";")
    }

    /// Reads what [`Scores::encode`] wrote. A stored value may be anything
    /// (another version, a hand edit): entries that do not read are left out.
    pub fn decode(text: &str) -> Scores {
        let entry = |part: &str| -> Option<(String, Score)> {
            let (id, tally) = part.split_once('=')?;
            let (right, wrong) = tally.split_once(':')?;
            let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if id.is_empty() || id.len() > crate::lesson::share::MAX_LESSON_NAME || !id.chars().all(name_char) {
                return None;
            }
            let id = crate::lesson::share::lesson_now_named(id);
            Some((id.to_string(), Score { right: right.parse().ok()?, wrong: wrong.parse().ok()? }))
        };
        // A lesson stored under its old name and its new one is one lesson:
        // its tallies add up.
        let mut scores = BTreeMap::new();
        for (id, score) in text.split(';').filter_map(entry).take(MAX_STORED_LESSONS) {
            let total: &mut Score = scores.entry(id).or_default();
            total.right = total.right.saturating_add(score.right);
            total.wrong = total.wrong.saturating_add(score.wrong);
        }
        Scores(scores)
    }
}

/// The learner's answer to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    pub question: Rc<Question>,
    pub choice: usize,
}

impl Answered {
    pub fn is_right(&self) -> bool {
        self.choice == self.question.right
    }
}

/// What the learner does in quiz mode.
#[derive(Clone, Debug, PartialEq)]
pub enum QuizAction {
    /// Quiz mode on or off.
    Turn(bool),
    /// Pick choice `n` of the question asked now; the step follows and reveals it.
    Answer(usize),
    /// Forget the lesson's score (and this run's answers).
    ResetScore,
}

/// The quiz's part of the page's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quiz {
    pub on: bool,
    /// This run's answers by the step that reveals them: a question counts
    /// once, however often the learner comes back to it.
    pub answers: BTreeMap<usize, Answered>,
    pub scores: Scores,
}

impl Quiz {
    /// The quiz after `action` in lesson `lesson`, with `asked` the question
    /// asked now; and whether the page steps on (an answer was taken).
    pub fn after(&self, action: QuizAction, lesson: &str, asked: Option<Question>) -> (Quiz, bool) {
        let mut quiz = self.clone();
        match action {
            QuizAction::Turn(on) => quiz.on = on,
            QuizAction::ResetScore => {
                quiz.scores.0.remove(lesson);
                quiz.answers.clear();
            }
            QuizAction::Answer(choice) => {
                let Some(question) = asked.filter(|q| choice < q.choices.len() && self.on) else {
                    return (quiz, false);
                };
                if !quiz.answers.contains_key(&question.step) {
                    let answered = Answered { question: Rc::new(question), choice };
                    let score = quiz.scores.0.entry(lesson.to_string()).or_default();
                    if answered.is_right() {
                        score.right = score.right.saturating_add(1);
                    } else {
                        score.wrong = score.wrong.saturating_add(1);
                    }
                    quiz.answers.insert(answered.question.step, answered);
                }
                return (quiz, true);
            }
        }
        (quiz, false)
    }

    /// The answer the step at `pos` reveals, if the learner gave one.
    pub fn revealed(&self, pos: usize) -> Option<&Answered> {
        self.answers.get(&pos).filter(|_| self.on)
    }

    /// A new run of a lesson: its questions are new.
    pub fn new_run(&mut self) {
        self.answers.clear();
    }
}

/// An answer revealed: right or wrong, the right answer, and the step's explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reveal {
    pub right: bool,
    pub verdict: String,
    pub explanation: Vec<String>,
}

/// The reveal of `answered` in `lang`: `so_far` the trace up to the end of its
/// step, `events` its step's events, `world`
/// the world after it (the hosts' names). The explanation ([`explain`]) is the
/// answer's own event, with the timer behind it when a timer caused it (the
/// step's other events are in the page's "what just happened").
pub fn reveal(
    lang: Lang,
    answered: &Answered,
    so_far: &[TraceEvent],
    events: &[TraceEvent],
    world: &World,
    packets: &[PacketInfo],
    numbering: Numbering,
) -> Reveal {
    let q = &answered.question;
    let say = |n: usize| q.choices.get(n).map(|a| a.say(lang)).unwrap_or_default();
    let (answer, picked) = (say(q.right), say(answered.choice));
    let verdict = lang.pick(if answered.is_right() {
        (format!("Right! The answer is {answer}."), format!("정답입니다! 답은 {answer}입니다."))
    } else {
        (
            format!("Not quite: you picked {picked}; the answer is {answer}."),
            format!("아쉽습니다. 고른 답은 {picked}, 정답은 {answer}입니다."),
        )
    });
    let answer_event = events.iter().find(|e| e.id == q.event);
    let timer = answer_event.and_then(|e| match e.kind.cause() {
        Some(Cause::Timer(id)) => Some(id),
        _ => None,
    });
    // A call that returns at once is told by its call, with the first packet
    // it sent (what it did, and what it returned): its return alone says
    // nothing, and a right answer of 0 or 5 came without a reason.
    let call = answer_event.and_then(|e| match e.kind {
        TraceKind::Return { call, blocked: false, .. } => Some(call),
        _ => None,
    });
    let made = |e: &TraceEvent| matches!(e.kind, TraceKind::Call { call: id, .. } if Some(id) == call);
    let first_sent = call.and_then(|id| {
        events.iter().find(|e| matches!(e.kind, TraceKind::Sent { .. }) && e.kind.cause() == Some(Cause::Call(id)))
    });
    let own: Vec<TraceEvent> = events
        .iter()
        .filter(|e| e.id == q.event || Some(e.id) == timer || made(e) || Some(e.id) == first_sent.map(|s| s.id))
        .cloned()
        .collect();
    let mut explanation = explain(lang, &own, world, packets, numbering);
    // A choice the same but for PSH is a fair distractor only if the reveal
    // says why the segment carries it (the tour's first data segment).
    if let Some(Answer::Segment { flags, seq, ack, len }) = q.answer() {
        let without = Answer::Segment { flags: TcpFlags(flags.0 & !TcpFlags::PSH.0), seq: *seq, ack: *ack, len: *len };
        if flags.psh() && q.choices.contains(&without) {
            explanation.push(lang.pick((
                "It carries PSH because it ends the data a send() handed over: Linux marks the last segment of each write (tcp_push). The receiving kernel makes bytes readable as they arrive, PSH or not.".to_string(),
                "PSH가 붙은 것은 send() 한 번이 넘긴 데이터가 이 세그먼트에서 끝나기 때문입니다. 리눅스는 쓰기마다 마지막 세그먼트에 PSH를 표시합니다 (tcp_push). 받는 쪽 커널은 PSH가 있든 없든 도착한 바이트를 읽을 수 있게 합니다.".to_string(),
            )));
        }
    }
    let before = &so_far[..so_far.len().saturating_sub(events.len())];
    if let Some(errno) = answer_event.and_then(|e| cleared_error(before, e)) {
        let name = errno.name();
        explanation.push(lang.pick((
            format!(
                "The {name} the call before it returned was the socket's pending error: reported once, then cleared, so this call succeeds."
            ),
            format!(
                "앞선 호출이 돌려준 {} 소켓에 대기 중이던 오류였습니다. 한 번 알린 뒤 지워지므로 이 호출은 성공합니다.",
                Particle::Topic.after(name)
            ),
        )));
    }
    Reveal { right: answered.is_right(), verdict, explanation }
}

/// The error the socket of a call that succeeds (`ret`, its return) reported
/// by the call before it, when that error was the socket's pending one
/// (SO_ERROR: an ICMP port unreachable on a connected UDP socket): a socket's
/// pending error is reported once and cleared, which the learner who picked
/// the same error again needs told. `before`: the trace before `ret`'s step.
fn cleared_error(before: &[TraceEvent], ret: &TraceEvent) -> Option<Errno> {
    let TraceKind::Return { socket: Some(socket), result: Ok(_), .. } = ret.kind else { return None };
    let on_socket = |e: &TraceEvent| matches!(e.kind, TraceKind::Return { socket: Some(s), .. } if s == socket);
    let last = before.iter().rposition(on_socket)?;
    let TraceKind::Return { result: Err(errno), .. } = before[last].kind else { return None };
    let pending = before[..last].iter().rev().take_while(|e| !on_socket(e)).any(|e| {
        matches!(e.kind, TraceKind::SocketError { socket: s, errno: pending, .. } if s == socket && pending == errno)
    });
    pending.then_some(errno)
}

/// The quiz panel's fixed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuizText {
    Title,
    Mode,
    On,
    Off,
    /// What quiz mode does, while it is off.
    Intro,
    Skip,
    ResetScore,
    Score,
    NoQuestion,
    AtEnd,
}

impl QuizText {
    pub fn say(self, lang: Lang) -> &'static str {
        lang.pick(match self {
            QuizText::Title => ("Predict, then see", "예측하고 확인하기"),
            QuizText::Mode => ("Quiz mode", "퀴즈 모드"),
            QuizText::On => ("on", "켜짐"),
            QuizText::Off => ("off", "꺼짐"),
            QuizText::Intro => (
                "Turn on quiz mode to predict each step before it happens: the next segment, the next state, what a call returns.",
                "퀴즈 모드를 켜면 각 단계가 일어나기 전에 예측해 볼 수 있습니다: 다음 세그먼트, 다음 상태, 호출의 반환값.",
            ),
            QuizText::Skip => ("Skip: just step", "건너뛰기: 그냥 진행"),
            QuizText::ResetScore => ("Reset score", "점수 초기화"),
            QuizText::Score => ("Score in this lesson", "이 레슨의 점수"),
            QuizText::NoQuestion => (
                "Nothing to predict in the next step: step on.",
                "다음 단계에는 예측할 것이 없습니다. 진행하세요.",
            ),
            QuizText::AtEnd => ("The lesson is over.", "레슨이 끝났습니다."),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::library::library;
    use crate::view::packets::packets;

    struct Run {
        timeline: Timeline,
        packets: Vec<PacketInfo>,
    }

    fn run(id: &str) -> Run {
        let lesson = library().into_iter().find(|l| l.id == id).expect("lesson");
        let prepared = lesson.build(None, &[]).expect("build");
        let timeline = Timeline::run(prepared.world, prepared.commands, &prepared.later_edits);
        let packets = packets(&timeline.trace);
        Run { timeline, packets }
    }

    /// Every question the lesson asks, in order.
    fn questions(id: &str) -> Vec<Question> {
        let r = run(id);
        (0..r.timeline.len())
            .filter_map(|pos| question_at(&r.timeline, &r.packets, &r.timeline.world_at(pos), pos))
            .collect()
    }

    fn seg(flags: &str, seq: u32, ack: Option<u32>) -> Answer {
        Answer::Segment { flags: TcpFlags::from_tcpdump(flags).expect("flags"), seq, ack, len: 0 }
    }

    #[test]
    fn the_syn_ack_question_offers_its_neighbours_and_an_ack_off_by_one() {
        let qs = questions("handshake");
        let q = qs.iter().find(|q| q.answer() == Some(&seg("S.", 0, Some(1)))).expect("a SYN-ACK question");
        assert_eq!(q.about, About::Segment { from: "server".into(), to: "client".into() });
        let mut choices = q.choices.clone();
        choices.sort_by_key(|c| c.say(Lang::En));
        let mut want = vec![seg("S.", 0, Some(1)), seg("S", 0, None), seg(".", 0, Some(1)), seg("S.", 0, Some(0))];
        want.sort_by_key(|c| c.say(Lang::En));
        assert_eq!(choices, want);
        assert_eq!(q.choices[q.right].say(Lang::En), "[S.] seq 0 ack 1");
        // The facts are the trace's: the question's event is the SYN-ACK's sending.
        let r = run("handshake");
        let sent = r.timeline.events_of(q.step).iter().find(|e| e.id == q.event).expect("in its step");
        assert!(
            matches!(&sent.kind, TraceKind::Sent { packet, .. } if matches!(&packet.body, Body::Tcp(s) if s.flags.syn() && s.flags.ack()))
        );
    }

    #[test]
    fn a_refused_connect_asks_for_its_errno_among_what_connect_can_return() {
        let qs = questions("connection_refused");
        let q = qs
            .iter()
            .find(|q| q.answer() == Some(&Answer::Fails(Errno::ECONNREFUSED)))
            .expect("an ECONNREFUSED question");
        assert_eq!(q.about, About::Call { host: "client".into(), call: "connect(3, 10.0.0.1:81)".into() });
        assert_eq!(q.choices.len(), 4);
        for plausible in [Answer::Returns(0), Answer::Fails(Errno::ETIMEDOUT), Answer::Fails(Errno::ENETUNREACH)] {
            assert!(q.choices.contains(&plausible), "{plausible:?} in {:?}", q.choices);
        }
        assert_eq!(
            q.about.say(Lang::Ko),
            "client의 connect(3, 10.0.0.1:81)은 무엇을 돌려줄까요?",
            "asked in Korean too"
        );
        // The refusing RST is asked about before: [R.] ack 1, with SYN-ACK as a distractor.
        let rst = qs.iter().find(|q| q.answer() == Some(&seg("R.", 0, Some(1)))).expect("the RST question");
        assert!(rst.choices.contains(&seg("S.", 0, Some(1))) && rst.choices.contains(&seg("R", 0, None)));
    }

    #[test]
    fn a_question_about_a_listener_calls_it_a_listener() {
        // It asked "server's socket is in LISTEN. Which state does it go to
        // next?": a listener is not a connection, and the lessons teach that
        // it keeps listening while connections come and go.
        let listener: Vec<Question> = crate::lesson::library::library()
            .iter()
            .flat_map(|l| questions(&l.id))
            .filter(|q| matches!(q.about, About::State { from: TcpState::Listen, .. }))
            .collect();
        assert!(!listener.is_empty());
        for q in listener {
            let (en, ko) = (q.about.say(Lang::En), q.about.say(Lang::Ko));
            assert!(en.ends_with(" server's listener is in LISTEN. Which state does it go to next?"), "{en}");
            assert!(ko.ends_with(" server의 리스너는 지금 LISTEN 상태입니다. 다음 상태는?"), "{ko}");
        }
    }

    /// "server's socket is in CLOSED. Which state does it go to next?" had
    /// two right answers among its choices (LISTEN after listen(), SYN-SENT
    /// after connect()). Every state question of every lesson names what
    /// happens: the call, the packet that arrives, or the timer.
    #[test]
    fn a_state_question_names_what_makes_the_state_change() {
        let state_questions: Vec<Question> = crate::lesson::library::library()
            .iter()
            .flat_map(|l| questions(&l.id))
            .filter(|q| matches!(q.about, About::State { .. }))
            .collect();
        assert!(state_questions.len() > 20, "{}", state_questions.len());
        for q in &state_questions {
            let About::State { from, trigger, .. } = &q.about else { continue };
            let trigger = trigger.as_ref().unwrap_or_else(|| panic!("no trigger: {}", q.about.say(Lang::En)));
            if *from == TcpState::Closed {
                assert!(matches!(trigger, Trigger::Call(_)), "{}", q.about.say(Lang::En));
            }
        }
        let handshake = questions("handshake");
        let closed = handshake
            .iter()
            .find(|q| matches!(q.about, About::State { from: TcpState::Closed, .. }))
            .expect("a question from CLOSED");
        asks(
            &closed.about,
            "server calls listen(3, 5). server's socket is in CLOSED. Which state does it go to next?",
            "server가 listen(3, 5)를 호출합니다. server의 소켓은 지금 CLOSED 상태입니다. 다음 상태는?",
        );
    }

    /// The question `about` asks, in English and in Korean.
    fn asks(about: &About, en: &str, ko: &str) {
        assert_eq!((about.say(Lang::En).as_str(), about.say(Lang::Ko).as_str()), (en, ko));
    }

    #[test]
    fn a_state_question_offers_the_states_reachable_in_the_diagram() {
        let qs = questions("handshake");
        let q = qs
            .iter()
            .find(|q| matches!(q.about, About::State { from: TcpState::SynReceived, .. }))
            .expect("the server's SYN-RECEIVED → ESTABLISHED question");
        assert_eq!(q.answer(), Some(&Answer::State(TcpState::Established)));
        let mut choices = q.choices.clone();
        choices.sort_by_key(|c| c.say(Lang::En));
        let want: Vec<Answer> =
            [TcpState::Closed, TcpState::Established, TcpState::FinWait1].into_iter().map(Answer::State).collect();
        assert_eq!(choices, want);
        asks(
            &q.about,
            "ACK 1 reaches server. server's socket is in SYN-RECEIVED. Which state does it go to next?",
            "ACK 1이 server에 도착합니다. server의 소켓은 지금 SYN-RECEIVED 상태입니다. 다음 상태는?",
        );
    }

    #[test]
    fn every_lesson_asks_well_formed_questions_the_same_way_every_time() {
        for lesson in library() {
            let qs = questions(&lesson.id);
            assert!(!qs.is_empty(), "{} asks nothing", lesson.id);
            for q in &qs {
                assert!((MIN_CHOICES..=MAX_CHOICES).contains(&q.choices.len()), "{}: {q:?}", lesson.id);
                let texts: std::collections::BTreeSet<String> = q.choices.iter().map(|c| c.say(Lang::En)).collect();
                assert_eq!(texts.len(), q.choices.len(), "{}: choices repeat: {q:?}", lesson.id);
                assert!(q.right < q.choices.len());
            }
            assert_eq!(qs, questions(&lesson.id), "{} asks differently the second time", lesson.id);
            // The right answer is not always the first choice.
            if qs.len() >= 4 {
                assert!(qs.iter().any(|q| q.right != 0), "{}", lesson.id);
            }
        }
    }

    #[test]
    fn a_question_counts_once_right_or_wrong_and_reset_forgets_the_lesson() {
        let r = run("handshake");
        let pos = (0..r.timeline.len())
            .find(|&p| question_at(&r.timeline, &r.packets, &r.timeline.world_at(p), p).is_some())
            .expect("the lesson asks");
        let world = r.timeline.world_at(pos);
        let asked = || question_at(&r.timeline, &r.packets, &world, pos);
        let q = asked().expect("asked");
        let wrong = (q.right + 1) % q.choices.len();
        let quiz = Quiz { on: true, ..Quiz::default() };
        // Off: an answer is not taken.
        let (off, stepped) = Quiz::default().after(QuizAction::Answer(q.right), "handshake", asked());
        assert!(!stepped && off.scores.of("handshake") == Score::default());
        let (quiz, stepped) = quiz.after(QuizAction::Answer(wrong), "handshake", asked());
        assert!(stepped);
        assert_eq!(quiz.scores.of("handshake"), Score { right: 0, wrong: 1 });
        // Back and answered again: the first answer stands.
        let (quiz, _) = quiz.after(QuizAction::Answer(q.right), "handshake", asked());
        assert_eq!(quiz.scores.of("handshake"), Score { right: 0, wrong: 1 });
        assert!(quiz.revealed(q.step).is_some_and(|a| !a.is_right()));
        // A choice the question does not have changes nothing.
        let (same, stepped) = quiz.after(QuizAction::Answer(9), "handshake", asked());
        assert!(!stepped && same == quiz);
        let mut next_run = quiz.clone();
        next_run.new_run();
        let (next_run, _) = next_run.after(QuizAction::Answer(q.right), "handshake", asked());
        assert_eq!(next_run.scores.of("handshake"), Score { right: 1, wrong: 1 });
        let (reset, _) = next_run.after(QuizAction::ResetScore, "handshake", None);
        assert_eq!(reset.scores.of("handshake"), Score::default());
        assert!(reset.answers.is_empty());
    }

    /// A right answer of 0 or 5 came with no reason at all, and the second
    /// send on a connected UDP socket whose ICMP error the first one took
    /// (udp_connected_unreachable) did not say why ECONNREFUSED, the natural
    /// guess, was wrong the second time.
    #[test]
    fn every_reveal_gives_a_reason_and_a_cleared_error_is_told() {
        let mut told_cleared = 0;
        for lesson in crate::lesson::library::library() {
            let r = run(&lesson.id);
            for pos in 0..r.timeline.len() {
                let Some(q) = question_at(&r.timeline, &r.packets, &r.timeline.world_at(pos), pos) else { continue };
                let world = r.timeline.world_at(q.step);
                let answered = Answered { question: Rc::new(q.clone()), choice: q.right };
                let (so_far, events) = (r.timeline.trace_until(q.step), r.timeline.events_of(q.step));
                for lang in [Lang::En, Lang::Ko] {
                    let said = reveal(lang, &answered, so_far, events, &world, &r.packets, Numbering::Relative);
                    assert!(!said.explanation.is_empty(), "{}: {}", lesson.id, q.about.say(lang));
                    let cleared = lang.pick(("reported once, then cleared", "한 번 알린 뒤 지워지므로"));
                    if said.explanation.iter().any(|l| l.contains(cleared)) {
                        told_cleared += 1;
                        // A send that succeeds after a recv or a send took the error.
                        let sent = matches!(q.answer(), Some(Answer::Returns(n)) if *n > 0);
                        assert!(sent, "{}: {}", lesson.id, q.about.say(lang));
                    }
                }
            }
        }
        assert!(
            told_cleared >= 4,
            "udp_connected_unreachable's sends after an error, in both languages: {told_cleared}"
        );
    }

    /// The tour asks for its first data segment among choices that differ
    /// only by PSH; the reveal said nothing of why PSH is set.
    #[test]
    fn a_psh_answer_beside_its_twin_without_psh_says_why_it_is_set() {
        let r = run("tour");
        let q = (0..r.timeline.len())
            .filter_map(|pos| question_at(&r.timeline, &r.packets, &r.timeline.world_at(pos), pos))
            .find(|q| matches!(q.answer(), Some(Answer::Segment { flags, len, .. }) if flags.psh() && *len > 0))
            .expect("a data segment question");
        let wrong = q.choices.iter().position(|c| matches!(c, Answer::Segment { flags, .. } if !flags.psh()));
        let answered = Answered { question: Rc::new(q.clone()), choice: wrong.expect("a choice without PSH") };
        let world = r.timeline.world_at(q.step);
        let (so_far, events) = (r.timeline.trace_until(q.step), r.timeline.events_of(q.step));
        for lang in [Lang::En, Lang::Ko] {
            let said = reveal(lang, &answered, so_far, events, &world, &r.packets, Numbering::Relative);
            let why = lang.pick(("It carries PSH because it ends the data a send() handed over", "PSH가 붙은 것은"));
            assert!(said.explanation.iter().any(|l| l.starts_with(why)), "{:?}", said.explanation);
        }
    }

    #[test]
    fn scores_are_stored_as_text_and_garbage_is_left_out() {
        let mut scores = Scores::default();
        scores.0.insert("handshake".into(), Score { right: 3, wrong: 1 });
        scores.0.insert("tour".into(), Score { right: 0, wrong: 2 });
        assert_eq!(scores.encode(), "handshake=3:1;tour=0:2");
        assert_eq!(Scores::decode(&scores.encode()), scores);
        let messy = Scores::decode("handshake=3:1;;x;<b>=1:1;tour=0:-2;udp_ten=1:99999999999;tour=0:2");
        assert_eq!(messy, scores);
        assert_eq!(Scores::decode(""), Scores::default());
    }

    #[test]
    fn scores_stored_under_the_udp_tour_s_old_name_count_for_it() {
        // A learner who answered on the page while the tour was `udp-ten`,
        // then again after the rename.
        let stored = Scores::decode("handshake=1:0;udp-ten=2:1;udp_ten=1:1");
        assert_eq!(stored.of("udp_ten"), Score { right: 3, wrong: 2 });
        assert_eq!(stored.of("udp-ten"), Score::default());
        assert_eq!(stored.encode(), "handshake=1:0;udp_ten=3:2");
    }

    #[test]
    fn the_reveal_says_right_or_wrong_with_the_answer_and_the_explanation_in_both_languages() {
        let r = run("connection_refused");
        let pos = (0..r.timeline.len())
            .find(|&p| {
                question_at(&r.timeline, &r.packets, &r.timeline.world_at(p), p)
                    .is_some_and(|q| q.answer() == Some(&Answer::Fails(Errno::ECONNREFUSED)))
            })
            .expect("asked");
        let q = question_at(&r.timeline, &r.packets, &r.timeline.world_at(pos), pos).expect("asked");
        let right = q.right;
        let wrong = q.choices.iter().position(|c| *c == Answer::Returns(0)).expect("0 offered");
        let quiz = Quiz { on: true, ..Quiz::default() };
        let (quiz, _) = quiz.after(QuizAction::Answer(wrong), "connection_refused", Some(q.clone()));
        let world = r.timeline.world_at(q.step);
        let events = r.timeline.events_of(q.step);
        let answered = quiz.revealed(q.step).expect("revealed");
        let en =
            reveal(Lang::En, answered, r.timeline.trace_until(q.step), events, &world, &r.packets, Numbering::Relative);
        assert_eq!(en.verdict, "Not quite: you picked 0; the answer is −1 ECONNREFUSED.");
        assert_eq!(en.explanation.len(), 1, "the answer's own event: {en:?}");
        assert!(
            en.explanation[0].starts_with("The call returns −1 ECONNREFUSED")
                && en.explanation[0].contains("Cause: RST")
        );
        let ko =
            reveal(Lang::Ko, answered, r.timeline.trace_until(q.step), events, &world, &r.packets, Numbering::Relative);
        assert_eq!(ko.verdict, "아쉽습니다. 고른 답은 0, 정답은 −1 ECONNREFUSED입니다.");
        assert!(ko.explanation.iter().any(|l| l.contains("원인: server가 보낸 RST")), "{ko:?}");
        let so_far = r.timeline.trace_until(q.step);
        let right = Answered { question: Rc::new(q), choice: right };
        let en = reveal(Lang::En, &right, so_far, events, &world, &r.packets, Numbering::Relative);
        assert!(en.right && en.verdict == "Right! The answer is −1 ECONNREFUSED.", "{}", en.verdict);
    }
}
