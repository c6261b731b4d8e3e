//! Plain-language explanations of what just happened, in Korean and English.
//! Plain Rust, no web.

use crate::lang::{errno_meaning, Lang, Particle};
use crate::net::link::Direction;
use crate::net::packet::Body;
use crate::net::syscall::{render_result, CallResult, CallValue};
use crate::net::tcp::congestion::{CongestionControl, CwndChange, Undone, SSTHRESH_INFINITE};
use crate::net::tcp::segment::{SeqNumber, TcpSegment};
use crate::net::tcp::state::TcpState;
use crate::net::tcp::timers::TimerKind;
use crate::net::trace::{Cause, DropReason, LossReason, ReassemblyFailure, SendReason};
use crate::net::{
    Errno, FaultChange, HostId, LinkId, Shutdown, SockOpt, SocketId, SysCall, TraceEvent, TraceKind, World,
};
use crate::script::time::format_time;
use crate::view::packets::{byte_count, label, Fate, Numbering, PacketInfo};
use crate::view::topology::format_latency;
use crate::view::words::timer_name;

/// `lang`'s half of a sentence written in both (the one idiom, [`Lang::pick`]).
fn pick(lang: Lang, en: String, ko: String) -> String {
    lang.pick((en, ko))
}

/// What the rest of a call's step shows about it: the call's words depend on
/// it (a recv that returns at once does not wait; a close that aborts sends
/// RST, not FIN; a UDP connect sends nothing).
#[derive(Clone, Copy, Default)]
struct CallSeen<'a> {
    /// Its result, when it returned in the same step without waiting.
    returned: Option<&'a CallResult>,
    /// The first packet its host sent after it in the step.
    sent: Option<&'a Body>,
    /// A listener of its host closed in the step (LISTEN → CLOSED).
    listener_closed: bool,
    /// Its socket is a UDP socket (an empty read is an empty datagram, not
    /// the end of a stream).
    udp: bool,
    /// Its socket's TCP state at the end of the step, while the socket is
    /// there: after `close`, a connection the kernel keeps to finish its goodbye.
    kept: Option<TcpState>,
    /// Its socket went to CLOSED in the step, from this state.
    closed_from: Option<TcpState>,
    /// Why a read of its TCP socket would return end-of-stream at the end of
    /// the step, in `tcp_recvmsg`'s order.
    stream_end: Option<StreamEnd>,
}

/// Why a TCP read returns "" (`tcp_recvmsg`): a learner read "the peer has
/// finished sending (its FIN arrived)" after their own SHUT_RD and after a
/// reset already reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StreamEnd {
    /// The peer's FIN is in (SOCK_DONE).
    PeerFin,
    /// This side shut down reading (RCV_SHUTDOWN).
    ShutForReading,
    /// The connection is over, its error (if any) already reported.
    Over,
}

fn stream_end(world: &World, socket: Option<SocketId>) -> Option<StreamEnd> {
    let tcp = socket.and_then(|s| world.socket(s)).and_then(|s| s.tcp())?;
    let tcb = tcp.tcb.as_deref();
    if tcb.is_some_and(|t| t.fin_received) {
        Some(StreamEnd::PeerFin)
    } else if tcp.read_shutdown || tcb.is_some_and(|t| t.read_shutdown) {
        Some(StreamEnd::ShutForReading)
    } else if tcp.done || tcb.is_some_and(|t| t.state == TcpState::Closed) {
        Some(StreamEnd::Over)
    } else {
        None
    }
}

impl<'a> CallSeen<'a> {
    fn of(events: &'a [TraceEvent], call: &TraceEvent, world: &World) -> CallSeen<'a> {
        let TraceKind::Call { call: id, host, socket, .. } = call.kind else { return CallSeen::default() };
        let after = events.iter().skip_while(|e| e.id != call.id).skip(1);
        let kept = socket.and_then(|s| world.socket(s)).and_then(|s| s.tcp_state());
        let stream_end = stream_end(world, socket);
        let mut seen = CallSeen { udp: is_udp(world, socket), kept, stream_end, ..CallSeen::default() };
        for e in after {
            match &e.kind {
                // A listener's own LISTEN → CLOSED is a listener closing too
                // (four_way_close's close(l) read "it had no connection to end").
                TraceKind::State { socket: s, from, to: TcpState::Closed, .. } if Some(*s) == socket => {
                    seen.closed_from = Some(*from);
                    seen.listener_closed |= *from == TcpState::Listen;
                }
                TraceKind::Return { call: c, result, blocked: false, .. } if *c == id => seen.returned = Some(result),
                TraceKind::Sent { host: h, packet, .. } if *h == host && seen.sent.is_none() => {
                    seen.sent = Some(&packet.body)
                }
                TraceKind::State { host: h, from: TcpState::Listen, to: TcpState::Closed, .. } if *h == host => {
                    seen.listener_closed = true
                }
                _ => {}
            }
        }
        seen
    }

    fn sent_flags(&self) -> Option<crate::net::tcp::segment::TcpFlags> {
        match self.sent {
            Some(Body::Tcp(seg)) => Some(seg.flags),
            _ => None,
        }
    }
}

fn is_udp(world: &World, socket: Option<SocketId>) -> bool {
    socket.and_then(|s| world.socket(s)).is_some_and(|s| s.protocol() == crate::net::Protocol::Udp)
}

/// What a call that failed at once tried to do, said as a try: the sentence
/// of its success ("it gets the lowest free descriptor", "names its socket")
/// stood beside the errno that said otherwise. `None` for calls whose own
/// sentence already fits a failure.
fn refused_text(call: &SysCall, seen: &CallSeen) -> Option<(&'static str, &'static str)> {
    if !matches!(seen.returned, Some(Err(_))) {
        return None;
    }
    Some(match call {
        SysCall::Socket { .. } => {
            ("asks the kernel for a new socket, and is refused", "커널에 새 소켓을 요청하지만 거절됩니다")
        }
        SysCall::Bind { .. } => (
            "tries to name its socket with an address and port, and is refused",
            "소켓에 주소와 포트를 붙이려 하지만 거절됩니다",
        ),
        SysCall::Listen { .. } => {
            ("tries to make the socket a listener, and is refused", "소켓을 리스너로 바꾸려 하지만 거절됩니다")
        }
        SysCall::Close { .. } => {
            ("tries to give up a descriptor, and is refused", "디스크립터를 반납하려 하지만 거절됩니다")
        }
        SysCall::Send { .. } | SysCall::SendTo { .. } if !seen.udp => (
            "tries to hand bytes to the kernel, which refuses them: nothing is sent",
            "바이트를 커널에 넘기려 하지만 커널이 거절합니다. 아무것도 보내지 않습니다",
        ),
        SysCall::Connect { .. } if seen.sent.is_none() => {
            ("asks to connect, and is refused", "연결을 요청하지만 거절됩니다")
        }
        SysCall::SetSockOpt { .. } => ("tries to set an option, and is refused", "옵션을 설정하려 하지만 거절됩니다"),
        _ => return None,
    })
}

fn call_text(lang: Lang, host: &str, call: &SysCall, seen: CallSeen) -> String {
    let r = call.render();
    let returned_data = |empty: bool| matches!(seen.returned, Some(Ok(CallValue::Data(d))) if d.is_empty() == empty);
    let udp_sent = matches!(seen.sent, Some(Body::Udp(_) | Body::Fragment(_)));
    if let Some((en, ko)) = refused_text(call, &seen) {
        return calls_it(lang, host, &r, (en, ko));
    }
    let (en, ko) = match call {
        SysCall::Socket { .. } => (
            "asks the kernel for a new socket; it gets the lowest free descriptor",
            "커널에 새 소켓을 요청합니다. 비어 있는 가장 작은 디스크립터 번호를 받습니다",
        ),
        SysCall::Bind { .. } => (
            "names its socket with an address and port, so others can find it",
            "소켓에 주소와 포트를 붙여, 다른 쪽이 찾아올 수 있게 합니다",
        ),
        SysCall::Listen { .. } => (
            "turns the socket into a listener: the kernel will now answer SYNs on that port",
            "소켓을 리스너로 바꿉니다. 이제 커널이 그 포트로 오는 SYN에 답합니다",
        ),
        SysCall::Accept { .. } if matches!(seen.returned, Some(Ok(_))) => (
            "takes a finished handshake from the accept queue: a new socket, with a new descriptor, for that connection; the listener keeps listening",
            "accept 큐에서 핸드셰이크를 마친 연결을 꺼냅니다. 그 연결을 위한 새 소켓과 새 디스크립터가 생기고, 리스너는 계속 듣습니다",
        ),
        SysCall::Accept { .. } if seen.returned.is_some() => {
            ("looks for a finished handshake in the accept queue", "accept 큐에서 핸드셰이크를 마친 연결을 찾습니다")
        }
        SysCall::Accept { .. } => (
            "finds no finished handshake in the accept queue, so it waits for one",
            "accept 큐에 핸드셰이크를 마친 연결이 없어, 올 때까지 기다립니다",
        ),
        SysCall::Connect { .. } if seen.sent_flags().is_some_and(|f| f.syn()) => match seen.returned {
            Some(Err(_)) => (
                "starts the three-way handshake: the kernel sends a SYN, and a non-blocking socket does not wait for the answer",
                "3-way 핸드셰이크를 시작합니다. 커널이 SYN을 보내고, 논블로킹 소켓이라 답을 기다리지 않습니다",
            ),
            _ => (
                "starts the three-way handshake: the kernel sends a SYN and the call waits for the answer",
                "3-way 핸드셰이크를 시작합니다. 커널이 SYN을 보내고 호출은 답을 기다립니다",
            ),
        },
        // A second connect() collects what a non-blocking one started
        // (__inet_stream_connect): it read as a UDP connect.
        SysCall::Connect { .. } if matches!(seen.returned, Some(Ok(_))) && !seen.udp => (
            "collects the outcome of the handshake an earlier non-blocking connect() started: it has completed, so this one returns 0 (the next says EISCONN)",
            "앞서 논블로킹 connect()가 시작한 핸드셰이크의 결과를 가져옵니다. 핸드셰이크가 끝났으므로 0을 돌려줍니다 (다음 connect()는 EISCONN)",
        ),
        SysCall::Connect { .. } if matches!(seen.returned, Some(Ok(_))) => (
            "records the peer's address: nothing goes on the wire; a UDP socket now sends there and hears only from there",
            "상대 주소를 기록합니다. 선 위로는 아무것도 나가지 않습니다. UDP 소켓은 이제 그곳으로 보내고 그곳에서 온 것만 받습니다",
        ),
        SysCall::Connect { .. } => ("asks to connect to the address", "그 주소로 연결을 요청합니다"),
        SysCall::SendTo { .. } | SysCall::Send { .. } if seen.udp && matches!(seen.returned, Some(Err(_))) => (
            "tries to hand a datagram to the kernel, which refuses it: nothing is sent",
            "데이터그램을 커널에 넘기려 하지만 커널이 거절합니다. 아무것도 보내지 않습니다",
        ),
        SysCall::SendTo { .. } | SysCall::Send { .. } if udp_sent => (
            "hands a datagram to the kernel, which sends it at once as one UDP datagram",
            "데이터그램을 커널에 넘기고, 커널은 곧바로 UDP 데이터그램 하나로 보냅니다",
        ),
        SysCall::Send { .. } | SysCall::SendTo { .. } => (
            "hands bytes to the kernel; the kernel decides when they go on the wire",
            "바이트를 커널에 넘깁니다. 언제 내보낼지는 커널이 정합니다",
        ),
        // A read of no bytes takes the next datagram whatever it holds: it
        // read "reads an empty datagram" beside "the datagram holds 5 bytes".
        SysCall::Recv { len: 0, .. } | SysCall::RecvFrom { len: 0, .. } if returned_data(true) && seen.udp => (
            "asks for no bytes: it still takes the next datagram off the queue, whole, and gets none of it",
            "0바이트를 요청합니다. 그래도 다음 데이터그램을 통째로 큐에서 꺼내고, 그 내용은 하나도 받지 않습니다",
        ),
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } if returned_data(true) && seen.udp => {
            ("reads an empty datagram", "빈 데이터그램을 읽습니다")
        }
        // A read of no bytes returns at once only when data waits (it waits
        // for a byte otherwise, sock_rcvlowat): "" here is not the end.
        SysCall::Recv { len: 0, .. } | SysCall::RecvFrom { len: 0, .. } if returned_data(true) => (
            "asks for no bytes: data is waiting, so it returns 0 at once and leaves the data where it is (with nothing waiting it would wait, or say EAGAIN)",
            "0바이트를 요청합니다. 기다리는 데이터가 있으므로 곧바로 0을 돌려주고 데이터는 그대로 둡니다 (기다리는 데이터가 없으면 기다리거나 EAGAIN을 돌려줍니다)",
        ),
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } if returned_data(true) => match seen.stream_end {
            Some(StreamEnd::ShutForReading) => (
                "finds nothing to read, and this side has shut down reading (shutdown with rd): it returns \"\", the end of the stream, whatever the peer sends",
                "읽을 것이 없고, 이쪽이 읽기를 닫았습니다 (rd로 shutdown). 상대가 무엇을 보내든 \"\"를 돌려줍니다. 스트림의 끝입니다",
            ),
            Some(StreamEnd::Over) => (
                "finds nothing to read on a connection that is over (its error, if any, was reported once already): it returns \"\", the end of the stream",
                "끝난 연결이라 읽을 것이 없습니다 (오류가 있었다면 이미 한 번 알렸습니다). \"\"를 돌려줍니다. 스트림의 끝입니다",
            ),
            Some(StreamEnd::PeerFin) | None => (
                "finds nothing to read and the peer has finished sending (its FIN arrived): it returns \"\", the end of the stream",
                "읽을 것이 없고 상대가 보내기를 마쳤습니다 (FIN이 도착했습니다). \"\"를 돌려줍니다. 스트림의 끝입니다",
            ),
        },
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } if returned_data(false) => {
            let n = match seen.returned {
                Some(Ok(CallValue::Data(d))) => d.len(),
                _ => 0,
            };
            return pick(
                lang,
                format!("{host} calls {r}: it reads {} that {} arrived.", byte_count(n, Lang::En), if n == 1 { "has" } else { "have" }),
                format!("{} {} 호출합니다: 도착한 {n}바이트를 읽습니다.", Particle::Subject.after(host), Particle::Object.after(&r)),
            );
        }
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } if seen.returned.is_some() => {
            ("looks for data that has arrived", "도착한 데이터를 찾습니다")
        }
        SysCall::Recv { .. } | SysCall::RecvFrom { .. } => {
            ("finds nothing to read, so it waits", "읽을 것이 없어 기다립니다")
        }
        // inet_shutdown disconnects a socket whose SYN is unanswered,
        // whatever `how` says (tcp_disconnect).
        SysCall::Shutdown { .. } if seen.closed_from == Some(TcpState::SynSent) => (
            "gives the handshake up: a shutdown while the SYN is unanswered disconnects the socket, whichever direction it names; no RST goes out, ECONNRESET waits for SO_ERROR, and the socket may connect again",
            "핸드셰이크를 포기합니다. SYN에 답이 오기 전의 shutdown은 어느 방향을 말하든 소켓의 연결을 끊습니다. RST는 나가지 않고, ECONNRESET이 SO_ERROR를 기다리며, 소켓은 다시 connect할 수 있습니다",
        ),
        SysCall::Shutdown { how: Shutdown::Read, .. } => (
            "shuts down reading: once what has arrived is read, its reads return end-of-stream",
            "읽기를 닫습니다. 이미 도착한 것을 다 읽으면 읽기가 스트림의 끝을 돌려줍니다",
        ),
        SysCall::Shutdown { how: Shutdown::Write, .. } => (
            "shuts down writing: the kernel sends FIN after the data already queued; reading goes on",
            "쓰기를 닫습니다. 커널은 이미 쌓인 데이터 뒤에 FIN을 보내고, 읽기는 계속됩니다",
        ),
        SysCall::Shutdown { .. } => (
            "shuts down both directions: FIN goes after the data already queued, and its reads return end-of-stream once what has arrived is read",
            "양쪽 방향을 모두 닫습니다. 이미 쌓인 데이터 뒤에 FIN이 나가고, 도착한 것을 다 읽으면 읽기가 스트림의 끝을 돌려줍니다",
        ),
        // A listener's close resets what waits in its accept queue: that
        // RST is not the unread-data abort below.
        SysCall::Close { .. } if seen.listener_closed && seen.sent_flags().is_some_and(|f| f.rst()) => (
            "gives up the listener: it stops listening, and each connection still waiting in its accept queue is reset (RST)",
            "리스너를 반납합니다. 더는 듣지 않고, accept 큐에서 기다리던 연결은 모두 RST로 끊깁니다",
        ),
        SysCall::Close { .. } if seen.sent_flags().is_some_and(|f| f.rst()) => (
            "gives up the descriptor, and the connection is aborted with RST, not ended with FIN: bytes it never read were still in its receive buffer (or SO_LINGER was 0), which Linux discards, and it tells the peer at once",
            "디스크립터를 반납하고, 연결은 FIN이 아니라 RST로 끊깁니다. 읽지 않은 바이트가 수신 버퍼에 남아 있었기 때문입니다 (또는 SO_LINGER가 0). 리눅스는 그 바이트를 버리고 곧바로 상대에게 알립니다",
        ),
        // From CLOSE-WAIT the peer began the goodbye; this FIN answers it.
        SysCall::Close { .. } if seen.sent_flags().is_some_and(|f| f.fin()) && seen.kept == Some(TcpState::LastAck) => (
            "gives up the descriptor, and the kernel answers the peer's goodbye with its own FIN (the peer's FIN came first), then waits for the last ACK",
            "디스크립터를 반납하고, 커널이 상대의 작별에 자기 FIN으로 답합니다 (상대의 FIN이 먼저 왔습니다). 그리고 마지막 ACK를 기다립니다",
        ),
        SysCall::Close { .. } if seen.sent_flags().is_some_and(|f| f.fin()) => (
            "gives up the descriptor, and the kernel starts the goodbye with FIN",
            "디스크립터를 반납하고, 커널이 FIN으로 작별을 시작합니다",
        ),
        SysCall::Close { .. } if seen.listener_closed => (
            "gives up the listener: it stops listening; having no connection of its own, it sends nothing",
            "리스너를 반납합니다. 더는 듣지 않습니다. 자기 연결이 없으니 아무것도 보내지 않습니다",
        ),
        SysCall::Close { .. } if seen.closed_from == Some(TcpState::SynSent) => (
            "gives up the descriptor and its connection attempt: no answer to the SYN has come, and Linux sends nothing",
            "디스크립터와 함께 연결 시도를 포기합니다. SYN에 대한 답이 아직 없고, 리눅스는 아무것도 보내지 않습니다",
        ),
        SysCall::Close { .. } => match seen.kept.filter(|&s| s != TcpState::Closed) {
            // Orphaned: FIN-WAIT-2 or TIME-WAIT after a shutdown, or a FIN
            // still queued behind unsent data.
            Some(state) => {
                let state = state.to_string();
                return pick(
                    lang,
                    format!("{host} calls {r}: it gives up the descriptor; the kernel keeps the connection ({state}) until its goodbye is over."),
                    format!(
                        "{} {} 호출합니다: 디스크립터를 반납합니다. 커널은 작별이 끝날 때까지 연결({state})을 유지합니다.",
                        Particle::Subject.after(host),
                        Particle::Object.after(&r)
                    ),
                );
            }
            None => (
                "gives up the descriptor, and the socket is gone: it had no connection to end (none was made, or it was already over), so nothing goes on the wire",
                "디스크립터를 반납하고 소켓이 사라집니다. 끝낼 연결이 없었으므로 (연결된 적이 없거나 이미 끝났습니다) 선 위로는 아무것도 나가지 않습니다",
            ),
        },
        // Each option says what it does; O_NONBLOCK is a file flag, which
        // udp_loss's "setsockopt(3, O_NONBLOCK, 1): it changes a socket option"
        // misnamed (the exported C sets it with fcntl).
        SysCall::SetSockOpt { opt, .. } => match opt {
            SockOpt::NonBlocking(true) => (
                "makes its socket non-blocking: a call that would wait returns at once instead, with EAGAIN (a read, a write, an accept) or EINPROGRESS (a connect). O_NONBLOCK is a file status flag, not a socket option: in C, fcntl(fd, F_SETFL, flags | O_NONBLOCK) with the flags F_GETFL read; scripts write it with the options",
                "소켓을 논블로킹으로 만듭니다. 기다려야 할 호출이 곧바로 돌아옵니다: 읽기, 쓰기, accept는 EAGAIN, connect는 EINPROGRESS. O_NONBLOCK은 소켓 옵션이 아니라 파일 상태 플래그입니다. C에서는 F_GETFL로 읽은 플래그에 더해 fcntl(fd, F_SETFL, flags | O_NONBLOCK)이고, 스크립트에서는 옵션과 함께 씁니다",
            ),
            SockOpt::NonBlocking(false) => (
                "makes its socket blocking again: calls wait until they can finish (in C, fcntl clears O_NONBLOCK)",
                "소켓을 다시 블로킹으로 만듭니다. 호출이 끝날 수 있을 때까지 기다립니다 (C에서는 fcntl로 O_NONBLOCK을 지웁니다)",
            ),
            SockOpt::ReuseAddr(_) => (
                "sets SO_REUSEADDR: bind may take a port another socket holds when both set it and neither listens (a connection in TIME-WAIT counts only if its own socket had set it)",
                "SO_REUSEADDR를 설정합니다. 다른 소켓이 잡은 포트라도 둘 다 이 옵션을 켰고 어느 쪽도 listen하지 않으면 bind할 수 있습니다 (TIME-WAIT 연결은 그 소켓도 옵션을 켰을 때만)",
            ),
            SockOpt::RcvBuf(_) => (
                "sets SO_RCVBUF, its receive buffer's size: Linux doubles the value for its bookkeeping, and the window it advertises follows the room left",
                "SO_RCVBUF로 수신 버퍼 크기를 정합니다. 리눅스는 관리 정보를 위해 값을 두 배로 잡고, 알리는 윈도는 남은 자리를 따릅니다",
            ),
            SockOpt::SndBuf(_) => (
                "sets SO_SNDBUF, its send buffer's size (Linux doubles it): a send blocks once the buffer is full",
                "SO_SNDBUF로 송신 버퍼 크기를 정합니다 (리눅스는 두 배로 잡습니다). 버퍼가 가득 차면 send가 기다립니다",
            ),
            SockOpt::NoDelay(true) => (
                "sets TCP_NODELAY: Nagle's algorithm is off, so small writes leave at once instead of waiting for outstanding data's ACK",
                "TCP_NODELAY를 설정합니다. 네이글 알고리즘이 꺼져 작은 쓰기가 앞선 데이터의 ACK를 기다리지 않고 곧바로 나갑니다",
            ),
            SockOpt::NoDelay(false) => (
                "clears TCP_NODELAY: Nagle's algorithm holds a small write while data is unacknowledged",
                "TCP_NODELAY를 끕니다. 확인되지 않은 데이터가 있는 동안 네이글 알고리즘이 작은 쓰기를 붙잡아 둡니다",
            ),
            SockOpt::QuickAck(true) => (
                "sets TCP_QUICKACK: an ACK it owes goes now, and the next ones go at once for a while",
                "TCP_QUICKACK를 설정합니다. 빚진 ACK를 지금 보내고, 한동안 다음 ACK도 곧바로 보냅니다",
            ),
            SockOpt::QuickAck(false) => (
                "clears TCP_QUICKACK: its ACKs wait again for data to ride on (delayed ACK)",
                "TCP_QUICKACK를 끕니다. ACK가 다시 실어 보낼 데이터를 기다립니다 (지연 ACK)",
            ),
            SockOpt::Linger { on: true, secs: 0 } => (
                "sets SO_LINGER {1, 0}: close will abort the connection with RST and discard unsent data, instead of ending it with FIN",
                "SO_LINGER {1, 0}을 설정합니다. close가 FIN으로 끝내는 대신 RST로 연결을 끊고 보내지 않은 데이터를 버립니다",
            ),
            SockOpt::Linger { on: false, .. } => (
                "turns SO_LINGER off: close returns at once and the kernel finishes the connection in the background",
                "SO_LINGER를 끕니다. close가 곧바로 돌아오고 커널이 뒤에서 연결을 마무리합니다",
            ),
            SockOpt::Linger { .. } => (
                "sets SO_LINGER with a timeout: on Linux a blocking close would then wait up to that long for its unsent data to be acknowledged; socklab does not model that wait, and its close returns at once",
                "제한 시간이 있는 SO_LINGER를 설정합니다. 리눅스에서는 블로킹 close가 보내지 않은 데이터가 확인될 때까지 그만큼 기다립니다. socklab은 그 기다림을 모델링하지 않아 close가 곧바로 돌아옵니다",
            ),
            SockOpt::Congestion(_) => (
                "sets TCP_CONGESTION: the congestion control its window follows",
                "TCP_CONGESTION을 설정합니다. 혼잡 윈도가 따를 혼잡 제어 알고리즘을 고릅니다",
            ),
        },
        SysCall::GetSockName { .. } => (
            "asks which address and port its socket has (0.0.0.0:0 before any bind; asking binds nothing)",
            "소켓이 가진 주소와 포트를 묻습니다 (bind 전에는 0.0.0.0:0이고, 묻는다고 bind되지는 않습니다)",
        ),
        SysCall::GetPeerName { .. } => ("asks who is at the other end", "상대편 끝의 주소를 묻습니다"),
        SysCall::GetSockError { .. } => (
            "reads the socket's pending error, which clears it",
            "소켓에 쌓인 오류를 읽습니다. 읽으면 지워집니다",
        ),
        SysCall::RecvFlags { .. } => (
            "reads with flags: MSG_PEEK leaves the data queued, MSG_TRUNC reports or discards past the buffer",
            "플래그를 붙여 읽습니다. MSG_PEEK는 데이터를 큐에 남기고, MSG_TRUNC는 버퍼를 넘는 길이를 알려 주거나 버립니다",
        ),
        SysCall::Disconnect { .. } if seen.udp => (
            "dissolves the socket's association (AF_UNSPEC): it forgets its peer, and hears from anyone again",
            "소켓의 연결 관계를 풉니다 (AF_UNSPEC). 상대를 잊고, 다시 누구에게서나 받습니다",
        ),
        SysCall::Disconnect { .. } if seen.sent_flags().is_some_and(|f| f.rst()) => (
            "dissolves the socket's association (AF_UNSPEC): the connection is aborted with RST, and the socket may connect again",
            "소켓의 연결 관계를 풉니다 (AF_UNSPEC). 연결은 RST로 끊기고, 소켓은 다시 connect할 수 있습니다",
        ),
        // tcp_disconnect sends RST only where tcp_need_reset says so: not
        // from SYN-SENT, not for a listener.
        SysCall::Disconnect { .. } => (
            "dissolves the socket's association (AF_UNSPEC): a handshake under way or a listening socket ends without a word (no RST), and the socket may connect again",
            "소켓의 연결 관계를 풉니다 (AF_UNSPEC). 진행 중인 핸드셰이크나 리스닝은 아무 패킷 없이 (RST 없이) 끝나고, 소켓은 다시 connect할 수 있습니다",
        ),
    };
    calls_it(lang, host, &r, (en, ko))
}

/// "HOST calls CALL: it …", the sentence every call is said in.
fn calls_it(lang: Lang, host: &str, rendered: &str, (en, ko): (&str, &str)) -> String {
    pick(
        lang,
        format!("{host} calls {rendered}: it {en}."),
        format!("{} {} 호출합니다: {ko}.", Particle::Subject.after(host), Particle::Object.after(rendered)),
    )
}

/// Why a host sends a RST, from what happened before it in the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResetWhy {
    /// Its application closed or disconnected the socket: that abort.
    Call,
    /// Its application closed a listener: a connection still waiting in the
    /// accept queue is reset (inet_csk_listen_stop).
    ListenerClosed,
    /// New data reached a connection its application had closed or shut
    /// for reading (tcp_rcv_state_process: TCPABORTONDATA).
    DataAfterShutdown,
    /// No socket wants the segment.
    NoSocket,
}

fn reset_why(events: &[TraceEvent], sent: &TraceEvent, host: HostId) -> ResetWhy {
    let before = || events.iter().take_while(|c| c.id != sent.id);
    let listener_closed = before().any(|c| {
        matches!(c.kind, TraceKind::State { host: h, from: TcpState::Listen, to: TcpState::Closed, .. } if h == host)
    });
    let called = before().any(|c| {
        matches!(&c.kind, TraceKind::Call { host: h, syscall: SysCall::Close { .. } | SysCall::Disconnect { .. }, .. } if *h == host)
    });
    let delivered =
        before().any(|c| matches!(c.kind, TraceKind::Delivered { host: h, socket: Some(_), .. } if h == host));
    match (listener_closed, called, delivered) {
        (true, _, _) => ResetWhy::ListenerClosed,
        (false, true, _) => ResetWhy::Call,
        (false, false, true) => ResetWhy::DataAfterShutdown,
        (false, false, false) => ResetWhy::NoSocket,
    }
}

fn send_text(lang: Lang, host: &str, reason: SendReason, body: &Body, label: &str, reset: ResetWhy) -> String {
    let (en, ko): (&str, &str) = match (reason, body) {
        (SendReason::Handshake, Body::Tcp(s)) if s.flags.syn() && s.flags.ack() => (
            "answers the SYN with a SYN-ACK: it acknowledges the SYN's sequence number + 1 and offers its own",
            "SYN에 SYN-ACK로 답합니다. 그 SYN의 순서 번호 + 1을 확인하고 자기 순서 번호를 내놓습니다",
        ),
        (SendReason::Handshake, _) => (
            "opens with a SYN carrying its initial sequence number (chosen at random)",
            "무작위로 고른 초기 순서 번호를 담은 SYN으로 시작합니다",
        ),
        (SendReason::HandshakeRetransmit, _) => (
            "got no answer before its timer ran out, so it sends the handshake segment again (Retransmission)",
            "타이머가 끝나도록 답이 없어 핸드셰이크 세그먼트를 다시 보냅니다 (재전송)",
        ),
        (SendReason::Data, _) => {
            ("sends data; the sequence number counts bytes", "데이터를 보냅니다. 순서 번호는 바이트 수를 셉니다")
        }
        (SendReason::FrtoNewData, _) => (
            "sends new data, not the next resend: the first resend after its latest timeout was acknowledged, and F-RTO now tests whether that timeout was spurious; an ACK of data never resent will show the originals got through (RFC 5682)",
            "다음 재전송 대신 새 데이터를 보냅니다. 마지막 타임아웃 뒤 첫 재전송이 확인되었으니, F-RTO가 그 타임아웃이 불필요했는지 시험합니다. 재전송한 적 없는 데이터의 ACK가 오면 원래 세그먼트가 도착했다는 뜻입니다 (RFC 5682)",
        ),
        (SendReason::Retransmit, _) => (
            "heard no ACK before the retransmission timeout, so it sends the same bytes again (Retransmission)",
            "재전송 타임아웃 전에 ACK를 받지 못해 같은 바이트를 다시 보냅니다 (재전송)",
        ),
        (SendReason::FastRetransmit, _) => (
            "learned a segment was lost — from three duplicate ACKs, or with SACK from RACK: a segment sent after it has arrived and it has waited that one's round trip (plus a quarter of the shortest RTT while fewer than three are SACKed, in case it was only reordered) — and resends just that hole at once (Fast Retransmission)",
            "세그먼트를 잃었다는 것을 알았습니다. 중복 ACK 세 개로, 또는 SACK이 있으면 RACK으로: 그 뒤에 보낸 세그먼트가 도착했고 그 세그먼트의 왕복 시간만큼 기다렸습니다 (SACK된 세그먼트가 셋보다 적으면 순서만 바뀐 것일 수 있어 가장 짧은 RTT의 1/4을 더 기다립니다). 그래서 그 빈틈만 바로 다시 보냅니다 (빠른 재전송)",
        ),
        (SendReason::TailLossProbe { new_data: false }, _) => (
            "heard no ACK for two round trips after its last send, so instead of waiting for the RTO it sends its last segment again to draw an ACK whose SACK blocks would show any hole (Tail Loss Probe)",
            "마지막으로 보낸 뒤 두 왕복 시간 동안 ACK가 없어, RTO를 기다리는 대신 마지막 세그먼트를 다시 보내 ACK를 끌어냅니다. 그 ACK의 SACK 블록이 빈틈을 보여 줍니다 (꼬리 손실 탐색)",
        ),
        (SendReason::TailLossProbe { new_data: true }, _) => (
            "heard no ACK for two round trips after its last send, so instead of waiting for the RTO it sends one new segment past the congestion window to draw an ACK (Tail Loss Probe)",
            "마지막으로 보낸 뒤 두 왕복 시간 동안 ACK가 없어, RTO를 기다리는 대신 혼잡 윈도를 넘어 새 세그먼트 하나를 보내 ACK를 끌어냅니다 (꼬리 손실 탐색)",
        ),
        (SendReason::Ack, _) => (
            "acknowledges: \"I have every byte before this number\"",
            "확인 응답을 보냅니다: \"이 번호 앞의 바이트는 모두 받았습니다\"",
        ),
        (SendReason::AckTwoSegments, _) => (
            "acknowledges at once, not delayed: more than one full-sized segment is unacknowledged and the window it would advertise keeps up, and Linux does not hold back the ACK of more than one full segment (__tcp_ack_snd_check)",
            "지연 없이 곧바로 확인합니다. 확인되지 않은 데이터가 꽉 찬 세그먼트 하나보다 많고 알릴 윈도가 줄지 않으니, 리눅스는 꽉 찬 세그먼트 하나가 넘는 데이터의 ACK를 미루지 않습니다 (__tcp_ack_snd_check)",
        ),
        (SendReason::AckHoleFilled, _) => (
            "acknowledges at once: this segment filled the hole before data it held out of order, so the ACK jumps past all of it (RFC 5681 §4.2 says it should be immediate)",
            "곧바로 확인합니다. 이 세그먼트가 순서가 어긋나 붙잡아 둔 데이터 앞의 빈틈을 메웠으니 ACK가 그 데이터를 모두 넘어갑니다 (RFC 5681 §4.2는 즉시 ACK를 권고합니다)",
        ),
        (SendReason::AckTimerDue, _) => (
            "acknowledges now: its delayed-ACK timer would have fired within a quarter of its timeout anyway, so Linux sends the ACK at once (tcp_send_delayed_ack)",
            "지금 확인합니다. 지연 ACK 타이머가 어차피 제한 시간의 1/4 안에 울릴 참이라 리눅스는 곧바로 ACK를 보냅니다 (tcp_send_delayed_ack)",
        ),
        (SendReason::AckOnRead, _) => (
            "sends the ACK it was holding back because its application read the data: Linux acknowledges on a read (tcp_cleanup_rbuf) once more than a full segment is unacknowledged, or when the read empties the buffer of a short segment, the end of a message, outside request/response (pingpong) mode",
            "애플리케이션이 데이터를 읽어서 미뤄 두었던 ACK를 보냅니다. 리눅스는 읽을 때 (tcp_cleanup_rbuf) 확인되지 않은 데이터가 한 세그먼트보다 많거나, 요청/응답(핑퐁) 모드가 아닐 때 읽기가 짧은 세그먼트(메시지의 끝)를 버퍼에서 비우면 ACK를 보냅니다",
        ),
        (SendReason::QuickAck, _) => (
            // tcp_incr_quickack is called at the first data, after a silence
            // longer than the RTO (tcp_event_data_recv) and after a segment
            // seen twice or out of the window: "at connection start" was said
            // of partition_timeout's ACKs 3.57 s in.
            "acknowledges at once: quick-ACK mode (Linux ACKs the next segments at once at a connection's start, after a silence longer than the RTO, and after a segment that came twice; otherwise ACKs wait)",
            "바로 확인 응답을 보냅니다: 빠른 ACK 모드 (리눅스는 연결 시작, RTO보다 긴 침묵 뒤, 두 번 온 세그먼트 뒤에 오는 세그먼트들에 곧바로 ACK하고, 그 밖에는 기다립니다)",
        ),
        (SendReason::DelayedAck { .. }, _) => (
            "nothing came to ride on, so the timer sends it alone",
            "실어 보낼 것이 오지 않아 타이머가 ACK만 따로 보냅니다",
        ),
        (SendReason::DataWithAck, _) => (
            "sends data, and the ACK rides on the reply (pingpong): the ACK it held back goes in the same segment",
            "데이터를 보내고, ACK가 응답에 실려 갑니다 (핑퐁): 미뤄 두었던 ACK가 같은 세그먼트에 담깁니다",
        ),
        (SendReason::DupAck, Body::Tcp(s)) if reports_duplicate(s) => (
            "got a segment it already had — a retransmission, or a SYN-ACK repeating a SYN it has seen — and says so at once: the ACK's first SACK block names the duplicate (D-SACK)",
            "이미 받은 세그먼트를 다시 받았습니다. 재전송이거나, 이미 본 SYN을 다시 담은 SYN-ACK입니다. 그래서 곧바로 알립니다: ACK의 첫 SACK 블록이 중복된 부분을 가리킵니다 (D-SACK)",
        ),
        (SendReason::DupAck, _) => (
            "got data out of order and repeats its last ACK (Dup ACK): the sender learns a gap exists",
            "순서가 어긋난 데이터를 받아 마지막 ACK를 반복합니다 (중복 ACK). 보낸 쪽은 빈틈이 있음을 알게 됩니다",
        ),
        (SendReason::WindowUpdate, _) => (
            "has room in its receive buffer again and says so (Window Update)",
            "수신 버퍼에 다시 자리가 생겨 이를 알립니다 (윈도 업데이트)",
        ),
        (SendReason::ZeroWindowProbe, _) => (
            "probes a zero window, asking whether there is room yet",
            "윈도가 0인 상대에게 자리가 났는지 탐색합니다",
        ),
        (SendReason::Fin, _) => {
            ("sends FIN: \"I have nothing more to send\"", "FIN을 보냅니다: \"더 보낼 것이 없습니다\"")
        }
        (SendReason::Reset, _) if reset == ResetWhy::ListenerClosed => (
            "sends RST: its listener closed, and this connection, still waiting in the accept queue for an accept() that will never come, is reset with it",
            "RST를 보냅니다. 리스너가 닫혔고, accept 큐에서 오지 않을 accept()를 기다리던 이 연결도 함께 끊깁니다",
        ),
        (SendReason::Reset, _) if reset == ResetWhy::Call => (
            "sends RST: the application's call aborted the connection, which ends here, at once, without FIN; the peer learns it at once (a socket that still holds it fails its next call with ECONNRESET, after reading what had already arrived)",
            "RST를 보냅니다. 애플리케이션의 호출이 연결을 끊었고, 연결은 FIN 없이 여기서 곧바로 끝납니다. 상대는 곧바로 압니다 (연결을 쥔 소켓은 이미 도착한 것을 읽은 뒤 다음 호출이 ECONNRESET으로 실패합니다)",
        ),
        (SendReason::Reset, _) if reset == ResetWhy::DataAfterShutdown => (
            "sends RST: new data reached a connection whose application has closed it or shut down reading, so nobody will ever read it; Linux answers such data with RST and ends the connection (RFC 1122 §4.2.2.13)",
            "RST를 보냅니다. 애플리케이션이 닫았거나 읽기를 닫은 연결에 새 데이터가 왔으니 아무도 읽지 않을 것입니다. 리눅스는 이런 데이터에 RST로 답하고 연결을 끝냅니다 (RFC 1122 §4.2.2.13)",
        ),
        (SendReason::Reset, _) => (
            "sends RST: no socket wants this segment (nothing listens there, or the connection is gone)",
            "RST를 보냅니다. 이 세그먼트를 받을 소켓이 없습니다 (듣는 소켓이 없거나 연결이 사라졌습니다)",
        ),
        (SendReason::Datagram, Body::Fragment(_)) => (
            "sends one IP fragment of a UDP datagram too big for the link's MTU: IPv4 cut it into pieces of at most MTU − 20 bytes (a multiple of 8), all with the same IP ID, MF set on all but the last. If any piece is lost, the whole datagram is lost",
            "링크의 MTU보다 큰 UDP 데이터그램의 IP 조각 하나를 보냅니다. IPv4가 데이터그램을 최대 MTU − 20바이트(8의 배수) 크기 조각으로 나누었고, 모든 조각은 같은 IP ID를 가지며 마지막 조각을 뺀 모두에 MF가 켜져 있습니다. 조각 하나라도 잃으면 데이터그램 전체를 잃습니다",
        ),
        (SendReason::Datagram, _) => (
            "sends a UDP datagram: no handshake, no acknowledgement, no retransmission",
            "UDP 데이터그램을 보냅니다. 핸드셰이크도, 확인 응답도, 재전송도 없습니다",
        ),
        // A socket bound there but connected to another peer takes nothing
        // from this sender either (__udp4_lib_lookup matches the peer too).
        (SendReason::Icmp, _) => (
            "reports with ICMP port unreachable that no socket there takes this datagram: none is bound to that port, or the one bound there is connected to another peer",
            "ICMP port unreachable로 이 데이터그램을 받을 소켓이 없다고 알립니다. 그 포트에 bind한 소켓이 없거나, 있는 소켓이 다른 상대에 connect되어 있습니다",
        ),
    };
    if let SendReason::DelayedAck { delay_ms: 0 } = reason {
        // tcp_send_delayed_ack has no floor: ato is 0 until the first data
        // segment (tcp_event_data_recv), so a FIN's ACK on a connection that
        // carried no data is due at once. "ACK delayed 0 ms" said nothing.
        return pick(
            lang,
            format!("{host} → {label}: the delayed ACK is due at once: this connection has received no data yet, so Linux's delayed-ACK timeout (ato) is still 0 (it is set at the first data segment), and the timer runs out at the kernel's next clock tick."),
            format!("{host} → {label}: 지연 ACK가 곧바로 나갑니다. 이 연결은 아직 데이터를 받지 않아 리눅스의 지연 ACK 시간(ato)이 아직 0이고 (첫 데이터 세그먼트에서 정해집니다), 타이머는 커널의 다음 클록 틱에 만료됩니다."),
        );
    }
    if let SendReason::DelayedAck { delay_ms } = reason {
        let delay = format_time(u64::from(delay_ms) * 1_000);
        return pick(
            lang,
            format!("{host} → {label}: ACK delayed {delay} (delayed ACK: Linux waits for more data or a reply to ride on); {en}."),
            format!("{host} → {label}: ACK를 {delay} 늦췄습니다 (지연 ACK: 리눅스는 데이터가 더 오거나 실어 보낼 응답을 기다립니다). {ko}."),
        );
    }
    pick(lang, format!("{host} → {label}: it {en}."), format!("{host} → {label}: {ko}."))
}

/// What a pure ACK tells the host it reaches, as Wireshark's words and its
/// own numbers say it: a zero window, a duplicate naming a hole, or the bytes
/// now acknowledged. `None` for other packets ("A packet reaches …" says it).
/// Learners met the zero window's ACK and the duplicates of fast retransmit
/// as bare arrivals.
fn arrival_text(
    lang: Lang,
    p: &PacketInfo,
    (numbering, packets): (Numbering, &[PacketInfo]),
    host: &str,
) -> Option<String> {
    if let Body::PortUnreachable(_) = &p.packet.body {
        // udp_connected_unreachable: the unconnected socket's ICMP arrived as a
        // bare "A packet reaches client.", where the lesson's point lies.
        let label = p.label(lang, numbering);
        return Some(pick(
            lang,
            format!("{label} reaches {host}: its kernel tells only a UDP socket connected to that address (its next call fails with ECONNREFUSED); an unconnected socket is never told."),
            format!("{label}: {}에 도착합니다. 커널은 그 주소로 connect된 UDP 소켓에만 알립니다 (다음 호출이 ECONNREFUSED로 실패합니다). connect하지 않은 소켓은 알 수 없습니다.", host),
        ));
    }
    let Body::Tcp(seg) = &p.packet.body else { return None };
    let f = seg.flags;
    if !f.ack() || f.syn() || f.fin() || f.rst() || !seg.payload.is_empty() {
        return None;
    }
    let label = p.label(lang, numbering);
    let analysis = p.analysis.as_deref().unwrap_or("");
    let ack_base = match (numbering, p.isn) {
        (Numbering::Relative, Some(isn)) => isn.peer.unwrap_or(0),
        _ => 0,
    };
    let acked = seg.ack.wrapping_sub(ack_base);
    let (en, ko) = if seg.window == 0 {
        (
            format!("its window is 0: the receiver's buffer is full, so {host} must stop sending new data and probe the window now and then until it opens (persist timer)"),
            format!("윈도가 0입니다. 받는 쪽 버퍼가 가득 찼으니 {} 새 데이터를 멈추고, 윈도가 열릴 때까지 가끔 탐색합니다 (지속 타이머)", Particle::Topic.after(host)),
        )
    } else if reports_duplicate(seg) {
        (
            "its first SACK block is a D-SACK: the receiver got those bytes (or the SYN) twice; had the sender resent them, it learns the resend was not needed".to_string(),
            "첫 SACK 블록이 D-SACK입니다. 받는 쪽이 그 바이트(또는 SYN)를 두 번 받았습니다. 보낸 쪽이 그것을 재전송했다면, 그 재전송이 필요 없었다는 것을 압니다".to_string(),
        )
    } else if analysis.contains("Dup ACK") && seg.sack_blocks.is_empty() && !data_sent_towards(p, packets) {
        // backlog_overflow's answers to a resent SYN-ACK read "three such
        // duplicates tell server a segment was lost": nothing was in flight.
        (
            format!("it repeats the last acknowledgement ({acked}), answering a segment that came again; Wireshark calls it a Dup ACK, but {host} has sent no data, so it tells of no loss"),
            format!("마지막 확인 응답({acked})을 되풀이해 다시 온 세그먼트에 답합니다. Wireshark는 중복 ACK라 부르지만 {} 보낸 데이터가 없으니 손실을 알리는 것이 아닙니다", Particle::Topic.after(host)),
        )
    } else if analysis.contains("Dup ACK") && seg.sack_blocks.is_empty() {
        // No SACK block: nothing says what the receiver holds beyond it (a
        // duplicate SYN-ACK's answer read "its SACK block says").
        (
            // New data leaving on a duplicate read as plain "it sends data".
            format!("it repeats the last acknowledgement ({acked}); while data is outstanding, three such duplicates in a row tell {host} a segment was lost. With no SACK block to say what arrived, Linux counts each duplicate as one segment that reached the peer (tcp_add_reno_sack): it leaves the count of what is in flight, so new data may go in its place"),
            format!("마지막 확인 응답({acked})을 되풀이합니다. 보낸 데이터가 남아 있을 때 이런 중복이 세 번 이어지면 {} 세그먼트를 잃었다고 봅니다. 무엇이 도착했는지 알려 줄 SACK 블록이 없으니, 리눅스는 중복 ACK 하나를 상대에게 도착한 세그먼트 하나로 셉니다 (tcp_add_reno_sack). 그만큼 전송 중인 양에서 빠지므로 그 자리에 새 데이터가 나갈 수 있습니다", Particle::Topic.after(host)),
        )
    } else if !analysis.contains("Dup ACK") && !seg.sack_blocks.is_empty() {
        // It moves the acknowledgement on: no repeat, though a hole remains.
        (
            format!("every byte before {acked} has arrived, and its SACK block names bytes the receiver holds beyond a hole that starts there; {host} need not send those again"),
            format!("{acked}번 앞의 바이트가 모두 도착했고, SACK 블록은 그 자리에서 시작하는 빈틈 너머에 받는 쪽이 가진 바이트를 알려 줍니다. {} 그 바이트를 다시 보낼 필요가 없습니다", Particle::Topic.after(host)),
        )
    } else if analysis.contains("Dup ACK") || !seg.sack_blocks.is_empty() {
        (
            format!("it repeats the last acknowledgement: the receiver still lacks the bytes from {acked} on, though its SACK block says it holds some beyond them; {host} counts it towards finding the hole lost"),
            format!("마지막 확인 응답을 되풀이합니다. 받는 쪽은 아직 {acked}번부터의 바이트가 없지만, SACK 블록을 보면 그 뒤의 바이트 일부는 가지고 있습니다. {} 이것으로 빈틈을 잃었는지 판단합니다", Particle::Topic.after(host)),
        )
    } else {
        (
            format!("every byte before {acked} has arrived; {host} may forget them and send more"),
            format!(
                "{acked}번 앞의 바이트가 모두 도착했습니다. {} 그 바이트를 잊고 더 보낼 수 있습니다",
                Particle::Subject.after(host)
            ),
        )
    };
    // Wireshark's words as the diagram shows them in `lang` ("[TCP 중복 ACK
    // 17#1]" on the arrow read "[TCP Dup ACK 17#1]" in the Korean card).
    let tag =
        if analysis.is_empty() { String::new() } else { format!(" {}", crate::view::words::analysis(lang, analysis)) };
    Some(pick(
        lang,
        format!("{label}{tag} reaches {host}: {en}."),
        format!("{label}{tag}: {}에 도착합니다. {ko}.", host),
    ))
}

/// A zero-window probe reaching the receiver: a segment one byte below what it
/// expects, which it answers with an ACK showing its window, unless it
/// answered such a segment less than 500 ms ago (tcp_oow_rate_limited,
/// `tcp_invalid_ratelimit`). zero_window's probe at 620 ms went unanswered and
/// read "every byte before 1 has arrived".
fn probe_arrival_text(lang: Lang, label: &str, seq: u32, host: &str, answered: bool) -> String {
    let (en, ko) = if answered {
        (
            format!("{host} answers at once with an ACK that shows its window (RFC 9293 §3.8.6.1)"),
            format!("{} 곧바로 자기 윈도를 보여 주는 ACK로 답합니다 (RFC 9293 §3.8.6.1)", Particle::Topic.after(host)),
        )
    } else {
        (
            format!("{host} says nothing this time: Linux answers such out-of-window segments at most once every 500 ms (tcp_invalid_ratelimit), and its last answer went less than 500 ms ago; the sender's probe timer tries again later"),
            format!("이번에는 {} 답하지 않습니다. 리눅스는 이런 윈도 밖 세그먼트에 500 ms에 한 번까지만 답하는데 (tcp_invalid_ratelimit) 마지막 답을 보낸 지 500 ms가 안 되었습니다. 보내는 쪽의 탐색 타이머가 나중에 다시 시도합니다", Particle::Subject.after(host)),
        )
    };
    pick(
        lang,
        format!("{label} reaches {host}: a zero-window probe, seq {seq}, one byte below the {} {host} expects next, asking whether its window has opened; {en}.", seq.wrapping_add(1)),
        format!("{label}: {}에 도착합니다. 제로 윈도 탐색입니다. seq {seq}로 {} 다음에 기다리는 {}보다 한 바이트 앞이며, 윈도가 열렸는지 묻습니다. {ko}.", host, Particle::Subject.after(host), seq.wrapping_add(1)),
    )
}

/// Why Wireshark names a duplicate ACK "Window Update": it counts an ACK as a
/// duplicate only when its window is the previous one's, and this one's grew
/// (the receiver's buffer grows as the connection runs). With a leading
/// space, or nothing.
fn window_update_text(lang: Lang, p: &PacketInfo, reason: SendReason) -> String {
    let updated = p.analysis.as_deref().is_some_and(|a| a.contains("Window Update"));
    if reason != SendReason::DupAck || !updated {
        return String::new();
    }
    let hole = matches!(&p.packet.body, Body::Tcp(seg) if !reports_duplicate(seg));
    let (en, ko) = if hole {
        (
            " To the sender it still reports the hole, through its SACK block.",
            " 보낸 쪽에게는 SACK 블록으로 여전히 빈틈을 알립니다.",
        )
    } else {
        ("", "")
    };
    pick(
        lang,
        format!(" Wireshark labels it [TCP Window Update], not a Dup ACK: its window differs from the previous ACK's, and Wireshark counts an ACK as a duplicate only when the window is unchanged.{en}"),
        format!(
            " Wireshark는 이것을 중복 ACK가 아니라 [{}](TCP Window Update)로 표시합니다. 윈도가 앞 ACK와 다르고, Wireshark는 윈도가 같은 ACK만 중복으로 셉니다.{ko}",
            crate::view::words::analysis(Lang::Ko, "TCP Window Update")
        ),
    )
}

/// RFC 2883: a first SACK block at or below the ACK is a D-SACK, naming bytes
/// (or a SYN) that arrived twice.
fn reports_duplicate(seg: &TcpSegment) -> bool {
    seg.sack_blocks.iter().next().is_some_and(|&(_, end)| SeqNumber(end) <= SeqNumber(seg.ack))
}

/// What a segment's SACK options say, with a leading space, or nothing: a SYN
/// offering SACK, or an ACK's blocks (numbered from `peer_isn`, the ISN of
/// the side whose bytes they name).
/// Why Wireshark calls a resend spurious though its sender had to send it:
/// the capture holds an ACK of these bytes sent before the resend, which the
/// sender `host` never had (lost on the way, or still on its way). On a cut
/// link every timeout's resend was so labelled with nothing to say why.
fn spurious_text(lang: Lang, p: &PacketInfo, packets: &[PacketInfo], host: &str) -> Option<String> {
    if !p.analysis.as_deref().is_some_and(|a| a.contains("Spurious Retransmission")) {
        return None;
    }
    let Body::Tcp(seg) = &p.packet.body else { return None };
    let end = SeqNumber(seg.seq) + seg.payload.len() as u32;
    let ack = sent_before(p, packets).iter().rfind(|q| {
        let Body::Tcp(ack) = &q.packet.body else { return false };
        (q.packet.src, q.packet.dst, ack.src_port, ack.dst_port)
            == (p.packet.dst, p.packet.src, seg.dst_port, seg.src_port)
            && ack.flags.ack()
            && SeqNumber(ack.ack) >= end
    })?;
    let (en, ko) = match ack.fate_at(p.index) {
        Fate::Lost(_) => ("was lost on the way", "가는 길에 사라졌습니다"),
        Fate::InFlight => ("was still on its way", "아직 오는 중이었습니다"),
        Fate::Delivered | Fate::Discarded => return None,
    };
    Some(pick(
        lang,
        format!(
            " Wireshark marks it a Spurious Retransmission: the capture holds an ACK of these bytes (packet #{}) sent before it. That ACK {en}, so {host} could not know.",
            ack.id
        ),
        format!(
            " Wireshark는 이것을 불필요한 재전송(Spurious Retransmission)으로 표시합니다. 캡처에는 이보다 먼저 보낸 이 바이트의 ACK(패킷 #{})가 있기 때문입니다. 그 ACK는 {ko}. 그래서 {} 알 수 없었습니다.",
            ack.id,
            Particle::Topic.after(host)
        ),
    ))
}

/// Whether `socket` becomes ESTABLISHED among `events`.
fn established_in(events: &[TraceEvent], socket: SocketId) -> bool {
    events
        .iter()
        .any(|e| matches!(e.kind, TraceKind::State { socket: s, to: TcpState::Established, .. } if s == socket))
}

/// Why `host`'s congestion window (and slow-start threshold) changed, by the
/// rule the trace names, with the values it left.
fn cwnd_change_text(
    lang: Lang,
    host: &str,
    why: CwndChange,
    (control, initial_segments): (CongestionControl, u32),
    cwnd: u32,
    ssthresh: u32,
) -> String {
    let ss = if ssthresh >= SSTHRESH_INFINITE { "∞".to_string() } else { format!("{ssthresh} B") };
    let (algo, beta) = match control {
        CongestionControl::Cubic => ("CUBIC", "0.7"),
        CongestionControl::Reno => ("Reno", "0.5"),
    };
    let (topic, subject) = (Particle::Topic.after(host), Particle::Subject.after(host));
    match why {
        CwndChange::Start => {
            let (then_en, then_ko) = if ssthresh >= SSTHRESH_INFINITE {
                ("ssthresh is ∞, so it begins in slow start".to_string(), "ssthresh가 ∞라 슬로 스타트로 시작합니다".to_string())
            } else {
                (format!("ssthresh is {ss}"), format!("ssthresh는 {ss}입니다"))
            };
            pick(
                lang,
                format!("{host}'s congestion window (cwnd) starts at {cwnd} B, what it may have in flight before ACKs come back ({initial_segments} segments; 1 after more than one handshake retransmission); {then_en}."),
                format!("{host}의 혼잡 윈도(cwnd)가 {cwnd} B로 시작합니다. ACK가 돌아오기 전에 보내 둘 수 있는 양입니다 ({initial_segments} 세그먼트, 핸드셰이크 재전송이 두 번 이상이었으면 1). {then_ko}."),
            )
        }
        CwndChange::SlowStart if cwnd >= ssthresh => pick(
            lang,
            format!("Slow start: each segment acknowledged lets {host} send one more, so cwnd grows to {cwnd} B and reaches ssthresh ({ss}): from here it grows by congestion avoidance."),
            format!("슬로 스타트: ACK된 세그먼트 하나마다 {subject} 하나를 더 보낼 수 있어 cwnd가 {cwnd} B로 커지고 ssthresh({ss})에 닿습니다. 이제부터는 혼잡 회피로 커집니다."),
        ),
        CwndChange::SlowStart => pick(
            lang,
            format!("Slow start: each segment acknowledged lets {host} send one more, so cwnd grows to {cwnd} B. Below ssthresh ({ss}) it doubles every round trip."),
            format!("슬로 스타트: ACK된 세그먼트 하나마다 {subject} 하나를 더 보낼 수 있어 cwnd가 {cwnd} B로 커집니다. ssthresh({ss})보다 작은 동안 왕복마다 두 배가 됩니다."),
        ),
        CwndChange::Avoidance => match control {
            CongestionControl::Reno => pick(
                lang,
                format!("Congestion avoidance (Reno): at ssthresh ({ss}) and above, cwnd grows by about one segment per round trip; now {cwnd} B."),
                format!("혼잡 회피 (Reno): ssthresh({ss}) 이상에서는 cwnd가 왕복마다 세그먼트 하나쯤 커집니다. 지금 {cwnd} B."),
            ),
            CongestionControl::Cubic => pick(
                lang,
                format!("Congestion avoidance (CUBIC): cwnd grows along CUBIC's curve, slowly near the window where the last loss was and faster away from it; now {cwnd} B."),
                format!("혼잡 회피 (CUBIC): cwnd가 CUBIC 곡선을 따라 커집니다. 마지막 손실 때의 윈도 근처에서는 천천히, 멀어지면 빠르게. 지금 {cwnd} B."),
            ),
        },
        CwndChange::Recovery => pick(
            lang,
            format!("In recovery {host} sets cwnd ACK by ACK from what has left the network, now {cwnd} B: it keeps sending without flooding the path."),
            format!("복구 중에 {topic} ACK마다 네트워크를 떠난 양에 맞춰 cwnd를 정합니다. 지금 {cwnd} B. 경로를 넘치게 하지 않으면서 계속 보냅니다."),
        ),
        CwndChange::RecoveryEnd => pick(
            lang,
            format!("Recovery is over: everything sent before the loss is acknowledged. cwnd goes on from ssthresh ({ss}); now {cwnd} B."),
            format!("복구가 끝났습니다. 손실 전에 보낸 것이 모두 ACK되었습니다. cwnd는 ssthresh({ss})에서 이어 갑니다. 지금 {cwnd} B."),
        ),
        CwndChange::HyStart => pick(
            lang,
            format!("HyStart ends slow start early: round trips grow (a queue is filling) or ACKs return as a long train. ssthresh = {ss}, so cwnd ({cwnd} B) now grows by congestion avoidance, not doubling."),
            format!("HyStart가 슬로 스타트를 일찍 끝냅니다. 왕복 시간이 늘거나(큐가 차는 중) ACK가 긴 열차처럼 돌아옵니다. ssthresh = {ss}, 이제 cwnd({cwnd} B)는 두 배가 아니라 혼잡 회피로 커집니다."),
        ),
        CwndChange::AppLimited => pick(
            lang,
            format!("{host} left its congestion window unused for an RTO (the application sent less): Linux shrinks cwnd halfway toward what was used, to {cwnd} B, since a window not used is not known to be safe (RFC 2861)."),
            format!("{topic} RTO 동안 혼잡 윈도를 다 쓰지 않았습니다 (애플리케이션이 덜 보냄). 쓰지 않은 윈도는 안전한지 알 수 없어, 리눅스는 쓴 만큼 쪽으로 절반 줄여 cwnd를 {cwnd} B로 만듭니다 (RFC 2861)."),
        ),
        CwndChange::IdleRestart => pick(
            lang,
            format!("{host} sent nothing for longer than an RTO: what it knew of the path may be stale, so cwnd restarts at {cwnd} B (slow start after idle, RFC 2861)."),
            format!("{topic} RTO보다 오래 아무것도 보내지 않았습니다. 경로에 대해 알던 것이 낡았을 수 있어 cwnd를 {cwnd} B로 다시 시작합니다 (유휴 후 슬로 스타트, RFC 2861)."),
        ),
        CwndChange::FastRecovery | CwndChange::DupAckRecovery => {
            // Proportional rate reduction (RFC 6937, tcp_cwnd_reduction) sets
            // cwnd from what is in flight: above ssthresh it sends about one
            // segment for every two that leave; below it (more was lost than
            // the cut) it grows back as slow start would. delayed_ack's cwnd
            // of 1448 B under an ssthresh of 10136 B read "down toward".
            let (way_en, way_ko) = if cwnd > ssthresh {
                (format!("down toward ssthresh, sending about {beta} of a segment for each that leaves"), format!("ssthresh 쪽으로 줄어듭니다. 세그먼트 하나가 떠날 때마다 {beta}개쯤 보냅니다"))
            } else if cwnd < ssthresh {
                ("and, with less in flight than ssthresh allows (most of what is outstanding is SACKed or marked lost, or the application sent little), grows back up toward ssthresh as slow start would".to_string(), "전송 중인 데이터가 ssthresh가 허용하는 것보다 적어서 (남은 데이터 대부분이 SACK되었거나 잃은 것으로 표시되었거나, 애플리케이션이 적게 보냈습니다) 슬로 스타트처럼 ssthresh 쪽으로 다시 커집니다".to_string())
            } else {
                ("at ssthresh".to_string(), "ssthresh에 맞춰집니다".to_string())
            };
            // Without SACK, Linux counts duplicates as SACKed segments; the
            // text said NewReno's inflation while the kernel sent new data
            // before the resend.
            let (found_en, found_ko) = if why == CwndChange::DupAckRecovery {
                (format!("Three duplicate ACKs and no SACK: the third says the segment after the last acknowledged byte is lost (tcp_newreno_mark_lost), and {host} resends it (fast retransmit)."), format!("중복 ACK 세 개, SACK 없음: 세 번째 중복 ACK는 마지막으로 확인된 바이트 다음 세그먼트를 잃었다고 알리고 (tcp_newreno_mark_lost), {topic} 그것을 다시 보냅니다 (빠른 재전송)."))
            } else {
                (format!("{host} finds a loss before its retransmission timeout (three duplicate ACKs, SACK, or RACK's reordering timer)."), format!("{topic} 재전송 타임아웃 전에 손실을 찾았습니다 (중복 ACK 세 개, SACK, 또는 RACK의 재정렬 타이머)."))
            };
            pick(
                lang,
                format!("{found_en} ssthresh = cwnd × {beta} ({algo}) = {ss}, and fast recovery begins; cwnd ({cwnd} B) now follows what leaves the network, ACK by ACK (proportional rate reduction, RFC 6937), {way_en}."),
                format!("{found_ko} ssthresh = cwnd × {beta} ({algo}) = {ss}, 빠른 복구가 시작됩니다. 이제 cwnd({cwnd} B)는 ACK마다 네트워크를 떠난 양을 따라 (비례 속도 감소, RFC 6937) {way_ko}."),
            )
        }
        CwndChange::ProbeRepair => pick(
            lang,
            format!("The tail loss probe repaired a real loss: cwnd and ssthresh drop at once to {cwnd} B (× {beta}, {algo})."),
            format!("꼬리 손실 탐색(TLP)이 실제 손실을 고쳤습니다. cwnd와 ssthresh가 곧바로 {cwnd} B로 줄어듭니다 (× {beta}, {algo})."),
        ),
        CwndChange::Timeout => pick(
            lang,
            format!("Linux takes a timeout as a sign of heavy congestion: cwnd = one segment ({cwnd} B), ssthresh = {ss}, and slow start begins again."),
            format!("리눅스는 타임아웃을 심한 혼잡의 신호로 봅니다. cwnd = 세그먼트 하나({cwnd} B), ssthresh = {ss}, 슬로 스타트를 다시 시작합니다."),
        ),
        CwndChange::Undo(proof) => {
            let (en, ko) = match proof {
                Undone::TimeoutByTimestamp => (
                    format!("This ACK echoes a timestamp {host} sent before its first resend: the original got through, so the timeout was spurious (Eifel detection)."),
                    format!("이 ACK는 {subject} 첫 재전송 전에 보낸 타임스탬프를 되돌려 줍니다. 원래 세그먼트가 도착했으니 타임아웃은 불필요했습니다 (Eifel 탐지)."),
                ),
                Undone::TimeoutByFrto => (
                    // Linux's test is what the ACK covers (FLAG_ORIG_SACK_ACKED in
                    // tcp_process_loss), whether or not new data went: "sent new
                    // data" stood beside an ACK after two resends and no new data.
                    format!("F-RTO: this ACK covers data {host} never resent after the timeout: the originals got through, so the timeout was spurious (RFC 5682; Linux checks the ACKs that follow a timeout, tcp_process_loss)."),
                    format!("F-RTO: 이 ACK는 {topic} 타임아웃 뒤 재전송한 적 없는 데이터까지 확인합니다. 원래 세그먼트가 도착했으니 타임아웃은 불필요했습니다 (RFC 5682, 리눅스는 타임아웃 뒤에 오는 ACK를 살핍니다, tcp_process_loss)."),
                ),
                Undone::RecoveryByTimestamp => (
                    "This ACK echoes a timestamp from before the resend: the original arrived, only late or out of order, so the recovery was not needed.".to_string(),
                    "이 ACK는 재전송 전의 타임스탬프를 되돌려 줍니다. 원래 세그먼트가 늦거나 순서가 바뀌어 도착했을 뿐이라 복구는 필요 없었습니다.".to_string(),
                ),
                Undone::RecoveryByDsack => (
                    "D-SACK reported every resend of the recovery arriving twice: nothing was lost, only reordered, so the recovery was not needed.".to_string(),
                    "D-SACK이 복구 중의 재전송마다 두 번 도착했다고 알렸습니다. 잃은 것 없이 순서만 바뀌었으니 복구는 필요 없었습니다.".to_string(),
                ),
            };
            pick(
                lang,
                format!("{en} The window cut is undone: cwnd and ssthresh go back to what they were before it, and with what this ACK delivered cwnd is now {cwnd} B, ssthresh {ss}."),
                format!("{ko} 윈도 축소를 되돌립니다. cwnd와 ssthresh가 축소 전 값으로 돌아가고, 이 ACK가 전한 만큼 더해 cwnd는 이제 {cwnd} B, ssthresh는 {ss}입니다."),
            )
        }
    }
}

/// The packets sent before `p` (the list is in the order sent).
/// Whether the host `p` goes to sent any data the other way before it.
fn data_sent_towards(p: &PacketInfo, packets: &[PacketInfo]) -> bool {
    sent_before(p, packets).iter().any(|q| {
        (q.packet.src, q.packet.dst) == (p.packet.dst, p.packet.src)
            && matches!(&q.packet.body, Body::Tcp(s) if !s.payload.is_empty())
    })
}

fn sent_before<'a>(p: &PacketInfo, packets: &'a [PacketInfo]) -> &'a [PacketInfo] {
    &packets[..packets.partition_point(|q| q.index < p.index)]
}

/// Whether `p`, an ACK, acknowledges more than the last ACK its sender sent
/// the same way.
fn acks_further(p: &PacketInfo, packets: &[PacketInfo]) -> bool {
    let Body::Tcp(seg) = &p.packet.body else { return false };
    sent_before(p, packets)
        .iter()
        .rev()
        .find_map(|q| match &q.packet.body {
            Body::Tcp(s)
                if s.flags.ack()
                    && (q.packet.src, q.packet.dst, s.src_port, s.dst_port)
                        == (p.packet.src, p.packet.dst, seg.src_port, seg.dst_port) =>
            {
                Some(SeqNumber(seg.ack) > SeqNumber(s.ack))
            }
            _ => None,
        })
        .unwrap_or(false)
}

/// A SYN or SYN-ACK sent again: by its timer, after how long since the last
/// and by which rule the wait grows; or a SYN-ACK answering the peer's SYN come
/// again (the first SYN-ACK was lost), which no timer sent (syn_timeout's SYNs
/// all read alike, the intervals that are its lesson unsaid).
fn handshake_resend_text(
    lang: Lang,
    host: &str,
    p: &PacketInfo,
    packets: &[PacketInfo],
    label: &str,
    (by_timer, syn_rule): (bool, &crate::net::tcp::TcpConfig),
) -> String {
    let Body::Tcp(seg) = &p.packet.body else { return String::new() };
    if !by_timer {
        return pick(
            lang,
            format!("{host} → {label}: the peer's SYN came again, so the SYN-ACK that answered it was lost; it sends the SYN-ACK again (Retransmission)."),
            format!("{host} → {label}: 상대의 SYN이 다시 왔으니 그에 답한 SYN-ACK를 잃은 것입니다. SYN-ACK를 다시 보냅니다 (재전송)."),
        );
    }
    let previous = sent_before(p, packets).iter().rfind(|q| {
        matches!(&q.packet.body, Body::Tcp(s) if s.flags.syn() && s.flags.ack() == seg.flags.ack()
            && (s.src_port, s.dst_port) == (seg.src_port, seg.dst_port))
            && (q.packet.src, q.packet.dst) == (p.packet.src, p.packet.dst)
    });
    let what = if seg.flags.ack() { "SYN-ACK" } else { "SYN" };
    let (waited_en, waited_ko) = previous.map_or_else(Default::default, |q| {
        let waited = format_latency(p.sent.saturating_sub(q.sent));
        (format!(" {waited} after its previous {what}"), format!(" 직전 {what} 뒤 {waited} 만에"))
    });
    // The host's own settings: "Linux waits 1 s" stood beside a 300 ms wait
    // a script's `tcp rto_initial 300ms` had set.
    let (rule_en, rule_ko) = if seg.flags.ack() {
        ("each wait is twice the last".to_string(), "기다림은 매번 두 배가 됩니다".to_string())
    } else {
        let (linear, first) = (syn_rule.syn_linear_timeouts, format_latency(syn_rule.rto_initial_us));
        match linear {
            0 => (
                format!("Linux waits {first} before the first resend, then doubles the wait each time (tcp_syn_linear_timeouts = 0)"),
                format!("리눅스는 첫 재전송 전에 {first} 기다리고, 그 뒤로는 매번 기다림을 두 배로 늘립니다 (tcp_syn_linear_timeouts = 0)"),
            ),
            n => (
                format!("Linux waits {first} before the first resend and before each of the {n} after it (tcp_syn_linear_timeouts = {n}), then doubles the wait each time"),
                format!("리눅스는 첫 재전송과 그 뒤 {n}번의 재전송(tcp_syn_linear_timeouts = {n}) 전에 {first}씩 기다리고, 그 뒤로는 매번 기다림을 두 배로 늘립니다"),
            ),
        }
    };
    pick(
        lang,
        format!("{host} → {label}: no answer came before its timer ran out, so it sends the {what} again{waited_en} (Retransmission); {rule_en}."),
        format!("{host} → {label}: 타이머가 끝나도록 답이 없어{waited_ko} {what}을 다시 보냅니다 (재전송). {rule_ko}."),
    )
}

/// Why Wireshark calls a first SYN-ACK a retransmission: in a simultaneous
/// open each side answers the other's SYN with its own SYN again, now with an
/// ACK, so its sequence number is one the capture has already seen.
fn repeated_syn_text(lang: Lang, p: &PacketInfo) -> Option<String> {
    let Body::Tcp(seg) = &p.packet.body else { return None };
    let repeated = p.reason == SendReason::Handshake
        && seg.flags.syn()
        && seg.flags.ack()
        && p.analysis.as_deref().is_some_and(|a| a.contains("Retransmission"));
    repeated.then(|| {
        pick(
            lang,
            " Wireshark marks it a Retransmission: its sequence number is the one this side's own SYN carried. In a simultaneous open the SYN-ACK is that SYN again, now acknowledging the peer's; nothing was lost.".into(),
            " Wireshark는 이것을 재전송(Retransmission)으로 표시합니다. 순서 번호가 이쪽이 먼저 보낸 SYN의 것과 같기 때문입니다. 동시 열기에서 SYN-ACK는 그 SYN을 다시 보내며 상대의 SYN을 확인하는 것입니다. 잃은 것은 없습니다.".into(),
        )
    })
}

fn sack_text(lang: Lang, seg: &TcpSegment, peer_isn: u32) -> String {
    if seg.sack_permitted {
        return pick(
            lang,
            " It offers SACK (SACK_PERM): after a loss the receiver may name the bytes it holds beyond the hole."
                .into(),
            " SACK를 제안합니다 (SACK_PERM). 손실이 생기면 받는 쪽이 빈틈 너머에 가진 바이트를 알려 줄 수 있습니다."
                .into(),
        );
    }
    if seg.sack_blocks.is_empty() {
        return String::new();
    }
    let blocks: Vec<String> = seg
        .sack_blocks
        .iter()
        .map(|&(l, r)| format!("{}–{}", l.wrapping_sub(peer_isn), r.wrapping_sub(peer_isn)))
        .collect();
    let blocks = blocks.join(", ");
    if reports_duplicate(seg) {
        return pick(
            lang,
            format!(" SACK {blocks}: the first block is a D-SACK, what the receiver got twice."),
            format!(" SACK {blocks}: 첫 블록은 D-SACK입니다. 받는 쪽이 두 번 받은 부분입니다."),
        );
    }
    if seg.sack_blocks.len() == 1 {
        pick(
            lang,
            format!(" SACK {blocks}: the receiver has these bytes (a block's right edge is the first byte it does not hold), the hole is before them."),
            format!(" SACK {blocks}: 받는 쪽이 이 바이트를 가지고 있고 (블록의 오른쪽 끝은 가지고 있지 않은 첫 바이트입니다), 빈틈은 그 앞입니다."),
        )
    } else {
        pick(
            lang,
            format!(" SACK {blocks}: the receiver has these bytes (the newest block first; a block's right edge is the first byte it does not hold); the holes are between and before them."),
            format!(" SACK {blocks}: 받는 쪽이 이 바이트들을 가지고 있습니다 (가장 최근 블록이 먼저, 블록의 오른쪽 끝은 가지고 있지 않은 첫 바이트). 빈틈은 그 사이와 앞입니다."),
        )
    }
}

fn state_text(lang: Lang, host: &str, from: TcpState, to: TcpState) -> String {
    // A listener never leaves LISTEN for a SYN: the kernel makes a new
    // connection for it (a request socket beside the listener), and that one
    // is in SYN-RECEIVED. Said as the others, it read as the listener's move.
    match (from, to) {
        (TcpState::Listen, TcpState::SynReceived) => {
            return pick(
                lang,
                format!("A SYN reached {host}'s listener: the kernel makes a new connection for it, which goes LISTEN → SYN-RECEIVED: it answered the SYN and waits for the final ACK. The listener itself stays in LISTEN."),
                format!("SYN이 {host}의 리스너에 도착했습니다. 커널이 그 SYN을 위한 새 연결을 만들고, 새 연결은 LISTEN → SYN-RECEIVED로 갑니다. SYN에 답했고 마지막 ACK를 기다립니다. 리스너 자신은 LISTEN에 머뭅니다."),
            );
        }
        (TcpState::Listen, TcpState::Closed) => {
            return pick(
                lang,
                format!("{host}'s listener goes LISTEN → CLOSED: it no longer accepts connections; those it already accepted live on (any still waiting in its accept queue are reset)."),
                format!("{host}의 리스너: LISTEN → CLOSED. 더는 연결을 받지 않습니다. 이미 accept한 연결은 그대로 남습니다 (accept 큐에서 기다리던 연결은 RST로 끊깁니다)."),
            );
        }
        _ => {}
    }
    let why_en = match to {
        TcpState::Listen => "waiting for SYNs",
        TcpState::SynSent => "its SYN is out, waiting for SYN-ACK",
        TcpState::SynReceived => "it answered a SYN and waits for the final ACK",
        TcpState::Established => "the handshake is complete; data can flow both ways",
        TcpState::FinWait1 => "it sent FIN and waits for its ACK",
        TcpState::FinWait2 => "its FIN is acknowledged; it waits for the peer's FIN",
        TcpState::CloseWait => "the peer is done sending; this side may still send, then close",
        TcpState::Closing => "both sides sent FIN at once",
        TcpState::LastAck => "it sent its own FIN and waits for the last ACK",
        TcpState::TimeWait => "it waits 2 MSL so stray segments die out before the port is reused",
        TcpState::Closed => "the connection is gone",
    };
    let why_ko = match to {
        TcpState::Listen => "SYN을 기다립니다",
        TcpState::SynSent => "SYN을 보냈고 SYN-ACK를 기다립니다",
        TcpState::SynReceived => "SYN에 답했고 마지막 ACK를 기다립니다",
        TcpState::Established => "핸드셰이크가 끝났습니다. 이제 양쪽으로 데이터가 오갈 수 있습니다",
        TcpState::FinWait1 => "FIN을 보냈고 그 ACK를 기다립니다",
        TcpState::FinWait2 => "FIN이 확인되었고 상대의 FIN을 기다립니다",
        TcpState::CloseWait => "상대가 보내기를 마쳤습니다. 이쪽은 더 보낸 뒤 닫을 수 있습니다",
        TcpState::Closing => "양쪽이 동시에 FIN을 보냈습니다",
        TcpState::LastAck => "자기 FIN을 보냈고 마지막 ACK를 기다립니다",
        TcpState::TimeWait => "떠도는 세그먼트가 사라지도록 2 MSL 동안 기다린 뒤 포트를 놓습니다",
        TcpState::Closed => "연결이 끝났습니다",
    };
    pick(
        lang,
        format!("{host}'s socket goes {} → {}: {why_en}.", from.name(), to.name()),
        format!("{host}의 소켓: {} → {}. {why_ko}.", from.name(), to.name()),
    )
}

/// What made a call fail, from the trace's cause link (never guessed from the
/// order of events): ` Cause: …` in each language, with its leading space, or
/// `None` when the call failed by itself (its cause is the call).
fn cause_of_error(
    cause: Cause,
    events: &[TraceEvent],
    packets: &[PacketInfo],
    numbering: Numbering,
    name: &dyn Fn(HostId) -> String,
) -> Option<(String, String)> {
    match cause {
        Cause::Arrival(id) | Cause::SynAtListener(id) => {
            let info = packets.iter().find(|p| p.id == id.0)?;
            let from = name(info.from);
            let (en, ko) = (info.label(Lang::En, numbering), info.label(Lang::Ko, numbering));
            Some((
                format!(" Cause: {en} from {from} (packet #{}).", id.0),
                format!(" 원인: {} 보낸 {ko} (패킷 #{}).", Particle::Subject.after(&from), id.0),
            ))
        }
        Cause::Timer(event) => {
            let timer = events.iter().find_map(|e| match e.kind {
                TraceKind::Timer { timer, .. } if e.id == event => Some(timer),
                _ => None,
            })?;
            let (en, ko) = match timer {
                TimerKind::Retransmit => (
                    "the retransmission timer ran out with every retry used",
                    "재전송 타이머가 만료되었고 재시도를 모두 썼습니다",
                ),
                TimerKind::Persist => ("the zero-window probe timer ran out", "제로 윈도 탐색 타이머가 만료되었습니다"),
                TimerKind::TimeWait => ("TIME-WAIT ended", "TIME-WAIT가 끝났습니다"),
                TimerKind::DelayedAck => ("the delayed-ACK timer ran out", "지연 ACK 타이머가 만료되었습니다"),
                TimerKind::FinWait2 => ("FIN-WAIT-2 gave up waiting", "FIN-WAIT-2가 기다리기를 포기했습니다"),
                TimerKind::Reorder => ("RACK's reordering wait ran out", "RACK 재정렬 대기 시간이 끝났습니다"),
                TimerKind::LossProbe => ("the tail loss probe timer ran out", "꼬리 손실 탐색 타이머가 만료되었습니다"),
                TimerKind::SackCompress => ("the SACK compression timer ran out", "SACK 압축 타이머가 만료되었습니다"),
            };
            Some((format!(" Cause: {en}."), format!(" 원인: {ko}.")))
        }
        Cause::Call(_) => None,
    }
}

/// What `errno` means from the call that returned it: EAGAIN from a read or an
/// accept only means nothing is there yet (its general meaning also names a
/// bind's lack of ephemeral ports, which a read never meets).
fn meaning_for(errno: Errno, call: Option<&SysCall>) -> (&'static str, &'static str) {
    match (errno, call) {
        (Errno::EAGAIN, Some(SysCall::Recv { .. } | SysCall::RecvFrom { .. } | SysCall::RecvFlags { .. })) => (
            "non-blocking socket: nothing has arrived to read yet; try again later",
            "논블로킹 소켓: 아직 읽을 것이 도착하지 않았습니다. 나중에 다시 시도하세요",
        ),
        (Errno::EAGAIN, Some(SysCall::Send { .. } | SysCall::SendTo { .. })) => (
            "non-blocking socket: its send buffer is full; try again once ACKs have freed room (a UDP socket that had to bind first found no ephemeral port)",
            "논블로킹 소켓: 송신 버퍼가 가득 찼습니다. ACK가 자리를 비우면 다시 시도하세요 (먼저 bind해야 했던 UDP 소켓이라면 임시 포트를 찾지 못했습니다)",
        ),
        (Errno::EISCONN, Some(SysCall::Connect { .. })) => (
            "the socket is already connected, or listening: a TCP socket makes one connection, and a listener makes none",
            "이미 연결되었거나 듣고 있는 소켓입니다. TCP 소켓은 연결을 하나만 맺고, 리스너는 연결을 맺지 않습니다",
        ),
        (Errno::EAGAIN, Some(SysCall::Accept { .. })) => (
            "non-blocking socket: no handshake has finished yet; try again later",
            "논블로킹 소켓: 아직 핸드셰이크를 마친 연결이 없습니다. 나중에 다시 시도하세요",
        ),
        // The general meaning (already bound? not listening?) misleads here:
        // the model's connect and sendto are EINVAL for these reasons only.
        (Errno::EINVAL, Some(SysCall::Connect { .. })) => (
            "the socket is bound to a loopback address (127.x), which reaches only its own host: Linux sends from it over no link",
            "이 소켓은 루프백 주소(127.x)에 bind되어 자기 호스트에만 닿습니다. 리눅스는 그 주소로 링크를 건너 보내지 않습니다",
        ),
        (Errno::EINVAL, Some(SysCall::SendTo { .. })) => (
            "no datagram goes to port 0, and one from a loopback address (127.x) reaches only its own host",
            "포트 0으로는 데이터그램을 보낼 수 없고, 루프백 주소(127.x)에서 보낸 데이터그램은 자기 호스트에만 닿습니다",
        ),
        (Errno::ENOTCONN, Some(SysCall::Shutdown { .. })) => (
            "the socket is not connected (a connection in TIME-WAIT is the kernel's, no longer the descriptor's); Linux records the shutdown all the same, and a connection this socket makes later keeps it",
            "연결되지 않은 소켓입니다 (TIME-WAIT 연결은 디스크립터가 아니라 커널의 것입니다). 그래도 리눅스는 shutdown을 기록하므로 이 소켓이 나중에 맺는 연결에도 그대로 적용됩니다",
        ),
        _ => errno_meaning(errno),
    }
}

/// Whether a call's failure `errno` on `socket` is the pending error the same
/// step set on it (`sock_error` hands `sk_err` to the waiting call and clears
/// it): the step has already said why, so the return need not say it again.
fn took_pending_error(events: &[TraceEvent], ret: &TraceEvent, socket: Option<SocketId>, errno: Errno) -> bool {
    events.iter().take_while(|e| e.id != ret.id).any(|e| {
        matches!(e.kind, TraceKind::SocketError { socket: s, errno: pending, .. } if Some(s) == socket && pending == errno)
    })
}

/// A link as the learner sees it: one way ("client → server") or both
/// ("client ↔ server").
pub fn link_name(world: &World, link: LinkId, dir: Option<Direction>) -> String {
    let Some(l) = world.link(link) else { return format!("#{}", link.0) };
    let (a, b) = (world.host_name(l.a), world.host_name(l.b));
    match dir {
        None => format!("{a} ↔ {b}"),
        Some(Direction::AtoB) => format!("{a} → {b}"),
        Some(Direction::BtoA) => format!("{b} → {a}"),
    }
}

/// A change of link `name` (the learner's or the script's), what it does to
/// the packets: a cut read "You change the link; packets sent from now on see
/// the new settings", as a new loss rate did. The packet-by-packet changes
/// (drop, delay, duplicate one) are said with their packet.
fn link_change_text(name: &str, change: &FaultChange) -> (String, String) {
    match change {
        FaultChange::Partition => (
            format!("The link {name} is cut: every packet sent across it from now on is lost, until it is repaired; those already on their way still arrive."),
            format!("{name} 링크가 끊깁니다. 이제부터 이 링크로 보내는 패킷은 복구될 때까지 모두 사라집니다. 이미 가는 중인 패킷은 도착합니다."),
        ),
        FaultChange::Repair => (
            format!("The link {name} is repaired: packets sent from now on get across again."),
            format!("{name} 링크가 복구됩니다. 이제부터 보내는 패킷은 다시 건너갑니다."),
        ),
        FaultChange::Hold => (
            format!("The link {name} holds back every packet sent across it from now on, until it releases them."),
            format!("{name} 링크가 이제부터 보내는 패킷을 풀어 줄 때까지 모두 붙잡아 둡니다."),
        ),
        FaultChange::Release => (
            format!("The link {name} releases the packets it held: each arrives one link latency from now."),
            format!("{name} 링크가 붙잡아 둔 패킷을 풀어 줍니다. 각각 지금부터 링크 지연 시간 뒤에 도착합니다."),
        ),
        FaultChange::DropNext(n) => (
            format!("The link {name} will drop the next {n} packet{} sent across it.", if *n == 1 { "" } else { "s" }),
            format!("{name} 링크가 다음에 보내는 패킷 {n}개를 버립니다."),
        ),
        _ => (
            format!("The link {name}'s settings change: packets sent from now on see the new ones."),
            format!("{name} 링크의 설정이 바뀝니다. 지금부터 보내는 패킷에 적용됩니다."),
        ),
    }
}

/// Fragments of one datagram sent one after another in a step: whose, how
/// many in all, the last one said, and the line that says the rest (its
/// place in the explanation and the first fragment it names).
struct FragmentRun {
    host: HostId,
    of: u16,
    last: u16,
    rest: Option<(usize, u16)>,
}

/// One sentence per noteworthy event of the current step.
pub fn explain(
    lang: Lang,
    events: &[TraceEvent],
    world: &World,
    packets: &[PacketInfo],
    numbering: Numbering,
) -> Vec<String> {
    let name = |h: crate::net::HostId| world.host_name(h).to_string();
    let mut out = Vec::new();
    // A datagram cut into fragments is sent as many packets in one step: the
    // first is explained, the rest said in one line (45 near-identical lines
    // made the card 7,400 px tall).
    let mut fragments: Option<FragmentRun> = None;
    for e in events {
        if let TraceKind::Sent { host, packet, .. } = &e.kind {
            let nth = packets.iter().rfind(|p| p.id == packet.id.0).and_then(|p| p.fragment);
            match (nth, &mut fragments) {
                (Some((nth, of)), Some(run)) if run.host == *host && run.of == of && nth == run.last + 1 => {
                    run.last = nth;
                    let first = run.rest.map_or(nth, |(_, first)| first);
                    let line = pick(
                        lang,
                        format!("{} → IP fragments {first}–{nth} of {of}: the rest of the same datagram, each cut and sent the same way.", name(*host)),
                        format!("{} → IP 조각 {first}–{nth}/{of}: 같은 데이터그램의 나머지 조각을 같은 방식으로 잘라 보냅니다.", name(*host)),
                    );
                    match run.rest {
                        Some((at, _)) => out[at] = line,
                        None => {
                            run.rest = Some((out.len(), nth));
                            out.push(line);
                        }
                    }
                    continue;
                }
                (Some((nth, of)), _) => fragments = Some(FragmentRun { host: *host, of, last: nth, rest: None }),
                (None, _) => {}
            }
        }
        let line = match &e.kind {
            TraceKind::Call { host, syscall, .. } => call_text(lang, &name(*host), syscall, CallSeen::of(events, e, world)),
            TraceKind::Return { call: returning, host, socket, result, blocked, cause, .. } => match result {
                Err(errno) if took_pending_error(events, e, *socket, *errno) => pick(
                    lang,
                    format!(
                        "The call returns −1 {}: it takes the error that became pending above, and clears it.",
                        errno.name()
                    ),
                    format!(
                        "호출이 −1 {} 돌려줍니다: 위에서 생긴 대기 중인 오류를 가져가며 지웁니다.",
                        Particle::Object.after(errno.name())
                    ),
                ),
                Err(errno) => {
                    let (cause_en, cause_ko) =
                        cause_of_error(cause.get(), events, packets, numbering, &name).unwrap_or_default();
                    let made_by = events.iter().find_map(|c| match &c.kind {
                        TraceKind::Call { call: id, syscall, .. } if id == returning => Some(syscall),
                        _ => None,
                    });
                    let (meaning_en, meaning_ko) = meaning_for(*errno, made_by);
                    pick(
                        lang,
                        format!("The call returns −1 {}: {meaning_en}.{cause_en}", errno.name()),
                        format!(
                            "호출이 −1 {} 돌려줍니다: {meaning_ko}.{cause_ko}",
                            Particle::Object.after(errno.name())
                        ),
                    )
                }
                Ok(CallValue::Data(d)) if *blocked && d.is_empty() && !is_udp(world, *socket) => pick(
                    lang,
                    format!(
                        "{}'s waiting call returns \"\": the peer has finished sending (its FIN arrived), the end of the stream.",
                        name(*host)
                    ),
                    format!(
                        "{}에서 기다리던 호출이 \"\"를 돌려줍니다. 상대가 보내기를 마쳤습니다 (FIN이 도착했습니다). 스트림의 끝입니다.",
                        name(*host)
                    ),
                ),
                Ok(_) if *blocked => pick(
                    lang,
                    format!(
                        "{}'s waiting call returns {}: what it waited for has happened.",
                        name(*host),
                        render_result(result)
                    ),
                    format!(
                        "{}에서 기다리던 호출이 {} 돌려줍니다. 기다리던 일이 일어났습니다.",
                        name(*host),
                        Particle::Object.after(&render_result(result))
                    ),
                ),
                Ok(_) => continue,
            },
            TraceKind::Sent { host, reason, packet, .. } => {
                // The label as the diagrams show it (relative numbers by default).
                let label = packets
                    .iter()
                    .rfind(|p| p.id == packet.id.0 && p.duplicate_of.is_none())
                    .map_or_else(|| label(packet, 0, 0, None, lang), |p| p.label(lang, numbering));
                let info = packets.iter().rfind(|p| p.id == packet.id.0 && p.duplicate_of.is_none());
                let peer_isn = match (numbering, info.and_then(|p| p.isn)) {
                    (Numbering::Relative, Some(isn)) => isn.peer.unwrap_or(0),
                    _ => 0,
                };
                let reset = reset_why(events, e, *host);
                let by_timer = events.iter().take_while(|c| c.id != e.id).any(|c| {
                    matches!(&c.kind, TraceKind::Timer { host: h, timer: TimerKind::Retransmit, .. } if h == host)
                });
                let mut line = match (reason, info) {
                    (SendReason::HandshakeRetransmit, Some(p)) => {
                        let cfg = world.host_tcp_config(*host);
                        handshake_resend_text(lang, &name(*host), p, packets, &label, (by_timer, &cfg))
                    }
                    // After a timeout everything sent is presumed lost and goes
                    // again as ACKs make room; only the first resend is the
                    // timer's (partition_timeout's later resends said "heard no
                    // ACK before the retransmission timeout" on an ACK's arrival).
                    (SendReason::Retransmit, Some(_)) if !by_timer => pick(
                        lang,
                        format!("{} → {label}: it resends more of what the timeout marked lost: after a timeout every byte sent and not acknowledged is presumed lost, and goes again as ACKs make room in cwnd (Retransmission).", name(*host)),
                        format!("{} → {label}: 타임아웃이 잃은 것으로 표시한 바이트를 이어서 다시 보냅니다. 타임아웃 뒤에는 보냈지만 확인되지 않은 바이트를 모두 잃은 것으로 보고, ACK가 cwnd에 자리를 내주는 대로 다시 보냅니다 (재전송).", name(*host)),
                    ),
                    // Sent at once for data still held beyond a hole, it moves the
                    // acknowledgement on: no repeat (partition_timeout's ACKs as the
                    // resends fill the hole were called Dup ACKs).
                    (SendReason::DupAck, Some(p)) if acks_further(p, packets) => pick(
                        lang,
                        format!("{} → {label}: it acknowledges the bytes that came in order at once, not delayed: it still holds data beyond a hole, which its SACK block names.", name(*host)),
                        format!("{} → {label}: 순서대로 들어온 바이트를 지연 없이 곧바로 확인합니다. 빈틈 너머의 데이터를 아직 가지고 있고, SACK 블록이 그것을 가리킵니다.", name(*host)),
                    ),
                    _ => send_text(lang, &name(*host), *reason, &packet.body, &label, reset),
                };
                if let Body::Tcp(seg) = &packet.body {
                    line.push_str(&sack_text(lang, seg, peer_isn));
                }
                if let Some(why) = info.and_then(|p| spurious_text(lang, p, packets, &name(*host))) {
                    line.push_str(&why);
                }
                if let Some(why) = info.and_then(|p| repeated_syn_text(lang, p)) {
                    line.push_str(&why);
                }
                if let Some(p) = info {
                    line.push_str(&window_update_text(lang, p, *reason));
                }
                line
            }
            TraceKind::Truncated { host, datagram, read, .. } => {
                let rest = datagram.saturating_sub(*read) as usize;
                pick(
                    lang,
                    format!(
                        "The datagram holds {} but the call asked for {}: {} gets the first {read} and the other {} are discarded. One read takes one whole datagram; what does not fit is not kept for the next call (Linux flags it MSG_TRUNC).",
                        byte_count(*datagram as usize, Lang::En),
                        byte_count(*read as usize, Lang::En),
                        name(*host),
                        byte_count(rest, Lang::En)
                    ),
                    format!(
                        "데이터그램은 {datagram}바이트인데 호출은 {read}바이트만 요청했습니다. {} 앞의 {read}바이트를 받고 나머지 {rest}바이트는 버려집니다. 읽기 한 번은 데이터그램 하나를 통째로 가져가며, 들어가지 않은 부분은 다음 호출을 위해 남겨 두지 않습니다 (리눅스는 MSG_TRUNC로 표시합니다).",
                        Particle::Subject.after(&name(*host))
                    ),
                )
            }
            TraceKind::Reassembled { host, fragments, .. } => pick(
                lang,
                format!(
                    "The last missing fragment is in: {} puts the {} fragments together by their offsets and hands the whole datagram to UDP.",
                    name(*host),
                    fragments.len()
                ),
                format!(
                    "빠졌던 마지막 조각이 도착했습니다. {} 조각 {}개를 오프셋 순서로 이어 붙여 데이터그램 전체를 UDP에 넘깁니다.",
                    Particle::Subject.after(&name(*host)),
                    fragments.len()
                ),
            ),
            TraceKind::FragmentsDiscarded { host, fragments, reason: ReassemblyFailure::Timeout, .. } => pick(
                lang,
                format!(
                    "{} waited 30 seconds (ipfrag_time) for the missing fragments: it throws away the {} it holds, and the datagram is lost though most of it arrived. Nobody retransmits it.",
                    name(*host),
                    fragments.len()
                ),
                format!(
                    "{} 빠진 조각을 30초(ipfrag_time) 동안 기다렸습니다. 가진 조각 {}개를 버리고, 대부분 도착했는데도 데이터그램을 잃습니다. 아무도 다시 보내지 않습니다.",
                    Particle::Topic.after(&name(*host)),
                    fragments.len()
                ),
            ),
            TraceKind::FragmentsDiscarded { host, fragments, reason: ReassemblyFailure::Overlap, .. } => pick(
                lang,
                format!(
                    "A fragment overlaps one {} already holds: it throws away all {} fragments of the datagram.",
                    name(*host),
                    fragments.len()
                ),
                format!(
                    "조각이 {} 이미 가진 조각과 겹칩니다. 데이터그램의 조각 {}개를 모두 버립니다.",
                    Particle::Subject.after(&name(*host)),
                    fragments.len()
                ),
            ),
            TraceKind::Delivered { host, socket: None, packet }
                if packets
                    .iter()
                    .any(|p| p.id == packet.0 && matches!(p.packet.body, Body::Fragment(_))) =>
            {
                pick(
                    lang,
                    format!("An IP fragment reaches {}: it waits there until every piece of its datagram has come.", name(*host)),
                    format!("IP 조각이 {}에 도착합니다. 데이터그램의 조각이 모두 올 때까지 기다립니다.", name(*host)),
                )
            }
            TraceKind::Delivered { host, packet, .. }
                if packets.iter().rfind(|p| p.id == packet.0).is_some_and(|p| p.reason == SendReason::ZeroWindowProbe) =>
            {
                // Its answer, if any, is sent in the same step, caused by it.
                let answered = events.iter().any(|c| {
                    matches!(&c.kind, TraceKind::Sent { host: h, .. } if h == host)
                        && c.kind.cause() == Some(Cause::Arrival(*packet))
                });
                let probe = packets.iter().rfind(|p| p.id == packet.0);
                let label = probe.map_or_else(String::new, |p| {
                    let word = p.analysis.as_deref().map(|w| format!(" {}", crate::view::words::analysis(lang, w)));
                    format!("{}{}", p.label(lang, numbering), word.unwrap_or_default())
                });
                // Its seq as the diagrams number it: one below what the receiver expects.
                let seq = probe.map_or(0, |p| match (&p.packet.body, numbering, p.isn) {
                    (Body::Tcp(s), Numbering::Relative, Some(isn)) => s.seq.wrapping_sub(isn.own),
                    (Body::Tcp(s), _, _) => s.seq,
                    _ => 0,
                });
                probe_arrival_text(lang, &label, seq, &name(*host), answered)
            }
            TraceKind::Delivered { host, packet, .. } => {
                let info = packets.iter().rfind(|p| p.id == packet.0);
                match info.and_then(|p| arrival_text(lang, p, (numbering, packets), &name(*host))) {
                    Some(line) => line,
                    // Named as the diagrams label it: "A packet reaches server"
                    // said which only by the highlight.
                    None => match info {
                        Some(p) => {
                            let label = p.label(lang, numbering);
                            pick(
                                lang,
                                format!("{label} reaches {}.", name(*host)),
                                format!("{label}: {}에 도착합니다.", name(*host)),
                            )
                        }
                        None => pick(
                            lang,
                            format!("A packet reaches {}.", name(*host)),
                            format!("패킷이 {}에 도착합니다.", name(*host)),
                        ),
                    },
                }
            }
            TraceKind::Lost { reason, .. } => match reason {
                LossReason::Random => pick(
                    lang,
                    "The link loses the packet (random loss). Nobody is told.".into(),
                    "링크가 패킷을 잃어버립니다 (무작위 손실). 아무도 알려 주지 않습니다.".into(),
                ),
                LossReason::DropById => pick(
                    lang,
                    "The packet you dropped never arrives. Nobody is told.".into(),
                    "당신이 버린 패킷은 도착하지 않습니다. 아무도 알려 주지 않습니다.".into(),
                ),
                LossReason::Partition => {
                    pick(lang, "The link is cut: the packet is lost.".into(), "링크가 끊겨 패킷을 잃었습니다.".into())
                }
                LossReason::DropNext => {
                    pick(lang, "A planned fault drops the packet.".into(), "계획된 장애가 패킷을 버립니다.".into())
                }
                LossReason::NoRoute => pick(
                    lang,
                    "No link leads to that address: the packet goes nowhere.".into(),
                    "그 주소로 가는 링크가 없어 패킷은 어디에도 가지 못합니다.".into(),
                ),
                LossReason::Checksum { bit } => pick(
                    lang,
                    format!(
                        "The link flipped bit {} of byte {}: the packet arrives, but its checksum no longer adds up, so the receiver silently drops it.",
                        bit % 8,
                        bit / 8
                    ),
                    format!(
                        "링크가 {}번째 바이트의 비트 {} 뒤집었습니다. 패킷은 도착하지만 체크섬이 맞지 않아 받는 쪽이 조용히 버립니다.",
                        bit / 8,
                        Particle::Object.after(&(bit % 8).to_string())
                    ),
                ),
                LossReason::Truncated { kept } => pick(
                    lang,
                    format!(
                        "The link cut the packet short after {kept} bytes: it arrives shorter than its header says, so the receiver drops it."
                    ),
                    format!(
                        "링크가 패킷을 {kept}바이트에서 잘랐습니다. 헤더가 말하는 길이보다 짧게 도착해 받는 쪽이 버립니다."
                    ),
                ),
            },
            TraceKind::Duplicated { .. } => pick(
                lang,
                "The link delivers a second copy of the packet (duplicate).".into(),
                "링크가 패킷의 사본을 하나 더 보냅니다 (중복).".into(),
            ),
            TraceKind::Reordered { packet, extra_delay, .. } => {
                // Whether anything sent after it on its way arrives first: the
                // last datagrams of udp_reorder_dup were held back with
                // nothing behind them, and were said to be overtaken.
                let held = packets.iter().rfind(|p| p.id == packet.0);
                let overtaking = held.map_or(0, |h| {
                    packets
                        .iter()
                        .filter(|q| q.index > h.index && q.from == h.from && q.to == h.to)
                        .filter(|q| q.fate == Fate::Delivered && q.arrival < h.arrival)
                        .count()
                });
                let by = format_latency(*extra_delay);
                match overtaking {
                    0 => pick(
                        lang,
                        format!("The link holds this packet back {by} to reorder it, but nothing sent after it arrives sooner: it still arrives in order."),
                        format!("링크가 순서를 바꾸려고 이 패킷을 {by} 붙잡아 두지만, 뒤에 보낸 패킷 중 먼저 도착하는 것이 없어 순서대로 도착합니다."),
                    ),
                    n => pick(
                        lang,
                        format!(
                            "The link holds this packet back {by}: {n} {} sent after it {} first (reordering).",
                            if n == 1 { "packet" } else { "packets" },
                            if n == 1 { "arrives" } else { "arrive" }
                        ),
                        format!("링크가 이 패킷을 {by} 붙잡아 둡니다. 뒤에 보낸 패킷 {n}개가 먼저 도착합니다 (순서 바뀜)."),
                    ),
                }
            }
            TraceKind::Dropped { host, reason: DropReason::ReceiveBufferFull, .. } => pick(
                lang,
                format!("{}'s receive buffer is full: the datagram is thrown away.", name(*host)),
                format!("{}의 수신 버퍼가 가득 차 데이터그램을 버립니다.", name(*host)),
            ),
            TraceKind::Dropped { host, packet, reason: DropReason::AcceptQueueFull { backlog, waiting }, .. } => {
                let host = name(*host);
                let syn = packets
                    .iter()
                    .find(|p| p.id == packet.0)
                    .is_none_or(|p| matches!(&p.packet.body, Body::Tcp(seg) if seg.flags.syn()));
                let (what_en, what_ko, retry_en, retry_ko) = if syn {
                    ("SYN", "SYN", "the client sends its SYN again when its timer runs out", "클라이언트는 타이머가 끝나면 SYN을 다시 보냅니다")
                } else {
                    (
                        "handshake's final ACK",
                        "핸드셰이크의 마지막 ACK",
                        "the server's SYN-ACK timer will ask again",
                        "서버의 SYN-ACK 타이머가 다시 묻습니다",
                    )
                };
                pick(
                    lang,
                    format!(
                        "{host}'s accept queue is full ({waiting} connections wait for accept(), backlog {backlog}): the {what_en} is dropped without an answer, no RST; {retry_en}."
                    ),
                    format!(
                        "{host}의 accept 큐가 가득 찼습니다 (연결 {waiting}개가 accept()를 기다림, backlog {backlog}). {} 답 없이 버리며 RST도 보내지 않습니다. {retry_ko}.",
                        Particle::Object.after(what_ko)
                    ),
                )
            }
            // A connect() from another socket took the four-tuple over
            // (tcp_twsk_unique); "the connection is gone" said not why.
            TraceKind::State { host, socket, from: TcpState::TimeWait, to: TcpState::Closed, .. }
                if events.iter().any(|c| {
                    matches!(&c.kind, TraceKind::Call { host: h, socket: s, syscall: SysCall::Connect { .. }, .. }
                        if h == host && *s != Some(*socket))
                }) =>
            {
                pick(
                    lang,
                    format!("{}'s connection in TIME-WAIT ends early: a connect() from the same address and port takes its four-tuple over. Linux allows it when both ends used timestamps, which keep the old connection's stray segments out (PAWS); the new connection starts its sequence numbers 65537 past the old one's.", name(*host)),
                    format!("{}의 TIME-WAIT 연결이 일찍 끝납니다. 같은 주소와 포트에서 한 connect()가 그 4-튜플을 넘겨받습니다. 양쪽이 타임스탬프를 썼다면 리눅스는 이를 허용합니다. 타임스탬프가 옛 연결의 떠도는 세그먼트를 걸러 주기 때문입니다 (PAWS). 새 연결은 옛 연결보다 65537 뒤에서 순서 번호를 시작합니다.", name(*host)),
                )
            }
            // A connection made by a listener shut for writing: no call
            // closed it, so "it sent FIN" alone left the FIN unexplained.
            TraceKind::State { host, socket, from: TcpState::Established, to: TcpState::FinWait1, .. }
                if events.iter().any(|c| {
                    matches!(&c.kind, TraceKind::State { socket: s, from: TcpState::SynReceived, to: TcpState::Established, .. }
                        if s == socket)
                }) =>
            {
                pick(
                    lang,
                    format!("{}'s new connection goes ESTABLISHED → FIN-WAIT-1 as its handshake completes: its listener was shut for writing (shutdown(SHUT_WR) before listen()), and a connection a listener makes is a copy of it, shutdown included (Linux's sk_clone_lock), so it sends its FIN at once and waits for its ACK.", name(*host)),
                    format!("{}의 새 연결이 핸드셰이크를 마치자마자 ESTABLISHED → FIN-WAIT-1로 갑니다. 리스너가 쓰기 쪽으로 닫혀 있었고 (listen() 전에 shutdown(SHUT_WR)), 리스너가 만드는 연결은 shutdown까지 리스너를 그대로 복사하므로 (리눅스의 sk_clone_lock), 곧바로 FIN을 보내고 그 ACK를 기다립니다.", name(*host)),
                )
            }
            TraceKind::State { host, from, to, .. } => state_text(lang, &name(*host), *from, *to),
            // Linux keeps the reordering timer armed across the resend it led
            // to (tcp_xmit_retransmit_queue leaves ICSK_TIME_REO_TIMEOUT in
            // place), so it may expire with nothing left to call lost.
            TraceKind::Timer { host, timer: TimerKind::Reorder, .. }
                if !events.iter().any(|r| {
                    matches!(&r.kind, TraceKind::Sent { host: h, reason, .. } if h == host && reason.is_data_retransmission())
                }) =>
            {
                pick(
                    lang,
                    format!("{}'s RACK reordering timer expires and finds no segment left to call lost: the hole it was waiting on has been resent already. Nothing is sent; the retransmission timer takes over.", name(*host)),
                    format!("{}의 RACK 재정렬 대기 타이머가 만료되지만, 잃은 것으로 볼 세그먼트가 남아 있지 않습니다. 기다리던 빈틈은 이미 다시 보냈습니다. 아무것도 보내지 않고, 재전송 타이머가 이어받습니다.", name(*host)),
                )
            }
            TraceKind::Timer { host, timer: TimerKind::Reorder, .. } => pick(
                lang,
                format!("{}'s RACK reordering timer expires: a segment sent before one the peer SACKed has waited that one's round trip and a quarter of the shortest RTT more, so it was lost, not just overtaken.", name(*host)),
                format!("{}의 RACK 재정렬 대기 타이머가 만료됩니다: 상대가 SACK한 세그먼트보다 먼저 보낸 세그먼트가 그 왕복 시간에 가장 짧은 RTT의 1/4을 더 기다려도 오지 않았으니, 순서만 바뀐 것이 아니라 잃은 것입니다.", name(*host)),
            ),
            TraceKind::Timer { host, timer, .. } => pick(
                lang,
                format!("{}'s {} timer expires.", name(*host), timer_name(Lang::En, *timer)),
                format!("{}의 {} 타이머가 만료됩니다.", name(*host), timer_name(Lang::Ko, *timer)),
            ),
            TraceKind::PortHeld { host, port, state, free_at, .. } => {
                let host = name(*host);
                let (held_en, held_ko) = match (state, free_at) {
                    (Some(state), Some(free)) => {
                        let (at, left) = (format_time(*free), format_time(free.saturating_sub(e.time)));
                        (
                            format!("by a socket in {} until {at} ({left} from now)", state.name()),
                            format!("{} 상태의 소켓이 {at}까지 ({left} 뒤까지)", state.name()),
                        )
                    }
                    // A TCP socket only bound is in no state of a connection:
                    // "held by a socket in CLOSED" read as a socket that is gone.
                    (Some(TcpState::Closed), None) => {
                        ("by another socket bound to it".to_string(), "그 포트에 bind한 다른 소켓이".to_string())
                    }
                    (Some(state), None) => {
                        (format!("by a socket in {}", state.name()), format!("{} 상태의 소켓이", state.name()))
                    }
                    (None, _) => ("by another UDP socket".to_string(), "다른 UDP 소켓이".to_string()),
                };
                pick(
                    lang,
                    format!("Port {port} on {host} is still held {held_en}: the new socket cannot bind it."),
                    format!("{host}의 {port}번 포트는 {held_ko} 아직 잡고 있어서 새 소켓이 bind할 수 없습니다."),
                )
            }
            // A connection its application closed (an orphan, with no
            // descriptor) that gives up: the tour with its link cut after
            // close() said an error "becomes pending" on a socket nobody holds.
            TraceKind::SocketError { host, socket, errno, .. }
                if world.socket(*socket).is_none_or(|s| {
                    s.fd.is_none() && s.tcp().and_then(|t| t.tcb.as_ref()).is_none_or(|t| t.orphaned)
                }) =>
            {
                // Reset by the peer, it gave nothing up and retried nothing.
                if *errno == Errno::ECONNRESET {
                    pick(
                        lang,
                        format!(
                            "{}'s connection, closed by its application and kept by the kernel to finish, is reset by the peer's RST and ends: ECONNRESET. No descriptor is left to report it to, so nobody hears of it.",
                            name(*host)
                        ),
                        format!(
                            "애플리케이션이 닫고 커널이 마무리하던 {}의 연결이 상대의 RST로 끊겨 끝납니다: ECONNRESET. 알려 줄 디스크립터가 없어 아무도 모릅니다.",
                            name(*host)
                        ),
                    )
                } else {
                pick(
                    lang,
                    format!(
                        "{}'s connection, closed by its application and kept by the kernel to finish, gives up: {} ({}). No descriptor is left to report it to, so nobody hears of it; Linux retries an orphan's segments fewer times than a socket's (tcp_orphan_retries).",
                        name(*host),
                        errno.name(),
                        errno_meaning(*errno).0
                    ),
                    format!(
                        "애플리케이션이 닫고 커널이 마무리하던 {}의 연결이 포기합니다: {} ({}). 알려 줄 디스크립터가 없어 아무도 모릅니다. 리눅스는 이런 고아 연결의 세그먼트를 소켓보다 적게 재전송합니다 (tcp_orphan_retries).",
                        name(*host),
                        errno.name(),
                        errno_meaning(*errno).1
                    ),
                )
                }
            }
            // ECONNRESET from a segment that is no RST: this side reset the
            // connection itself (data after its shutdown for reading); "the
            // peer reset the connection" said otherwise.
            TraceKind::SocketError { host, errno: Errno::ECONNRESET, cause, .. }
                if matches!(cause.get(), Cause::Arrival(id) if packets.iter().any(|p| {
                    p.id == id.0 && matches!(&p.packet.body, Body::Tcp(seg) if !seg.flags.rst())
                })) =>
            {
                let (cause_en, cause_ko) =
                    cause_of_error(cause.get(), events, packets, numbering, &name).unwrap_or_default();
                pick(
                    lang,
                    format!("An error becomes pending on {}'s socket: ECONNRESET. This side reset the connection itself: new data came after it had shut down reading, and Linux answers such data with RST.{cause_en}", name(*host)),
                    format!("{}의 소켓에 오류가 생깁니다: ECONNRESET. 이쪽이 스스로 연결을 끊었습니다. 읽기를 닫은 뒤 새 데이터가 왔고, 리눅스는 이런 데이터에 RST로 답합니다.{cause_ko}", name(*host)),
                )
            }
            TraceKind::SocketError { host, errno, cause, .. } => {
                let (cause_en, cause_ko) =
                    cause_of_error(cause.get(), events, packets, numbering, &name).unwrap_or_default();
                pick(
                    lang,
                    format!(
                        "An error becomes pending on {}'s socket: {} ({}).{cause_en}",
                        name(*host),
                        errno.name(),
                        errno_meaning(*errno).0
                    ),
                    format!(
                        "{}의 소켓에 오류가 생깁니다: {} ({}).{cause_ko}",
                        name(*host),
                        errno.name(),
                        errno_meaning(*errno).1
                    ),
                )
            }
            TraceKind::Fault { change: FaultChange::DropPacket(p), .. } => pick(
                lang,
                format!("You drop packet #{}: it will vanish on the link.", p.0),
                format!("패킷 {} 버립니다. 링크 위에서 사라집니다.", Particle::Object.after(&format!("#{}", p.0))),
            ),
            TraceKind::Fault { change: FaultChange::DelayPacket { packet, by }, .. } => pick(
                lang,
                format!(
                    "You delay packet #{}: the link holds it {} longer when it would arrive.",
                    packet.0,
                    format_time(*by)
                ),
                format!(
                    "패킷 {} 늦춥니다. 도착할 때 링크가 {} 더 붙잡습니다.",
                    Particle::Object.after(&format!("#{}", packet.0)),
                    format_time(*by)
                ),
            ),
            TraceKind::Fault { change: FaultChange::DuplicatePacket(p), .. } => pick(
                lang,
                format!("You duplicate packet #{}: the link will deliver it twice.", p.0),
                format!("패킷 {} 복제합니다. 링크가 두 번 전달합니다.", Particle::Object.after(&format!("#{}", p.0))),
            ),
            TraceKind::Fault { link, dir, change } => {
                let (en, ko) = link_change_text(&link_name(world, *link, *dir), change);
                pick(lang, en, ko)
            }
            // The window a server sets on the SYN is said once, where the
            // connection is established and the transfer starts with it
            // (tcp_init_transfer), not on the SYN and again on the ACK.
            TraceKind::Congestion { why: Some(CwndChange::Start), socket, .. }
                if !established_in(events, *socket) =>
            {
                continue
            }
            TraceKind::Congestion { host, why: Some(why), control, cwnd, ssthresh, .. } => {
                let initial = world.host_tcp_config(*host).initial_cwnd_segments;
                cwnd_change_text(lang, &name(*host), *why, (*control, initial), *cwnd, *ssthresh)
            }
            TraceKind::Congestion { why: None, .. } | TraceKind::Held { .. } => continue,
            TraceKind::LossConfirmed { host, .. } => pick(
                lang,
                format!("F-RTO's verdict: this ACK shows the new data arrived (a SACK block, or a duplicate ACK without SACK) but not the bytes right after the first resend. Those were really lost, not delayed: the timeout was not spurious (RFC 5682 step 3a). {} keeps the timeout's smaller window and goes on resending.", name(*host)),
                format!("F-RTO의 판정: 이 ACK는 새 데이터가 도착했음을 보여 주지만 (SACK 블록, SACK이 없으면 중복 ACK) 첫 재전송 바로 뒤의 바이트는 아닙니다. 그 바이트는 늦은 것이 아니라 정말 잃었습니다. 타임아웃은 불필요하지 않았습니다 (RFC 5682 3a 단계). {} 타임아웃의 작아진 윈도를 유지하고 재전송을 이어 갑니다.", Particle::Subject.after(&name(*host))),
            ),
        };
        if out.last() != Some(&line) {
            out.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::scripts::{prepare, script_text};
    use crate::lesson::timeline::Timeline;
    use crate::net::Errno;
    use crate::view::packets::packets;

    /// Every change of a congestion window in every lesson says the rule
    /// that made it, in both languages, on the step where it happens; and the
    /// lessons about those rules show them (slow_start grew cwnd with no word
    /// on the page, and spurious_timeout's undo was a jump in the plot).
    #[test]
    fn every_congestion_window_change_in_every_lesson_says_its_rule() {
        let mut seen: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
        for lesson in crate::lesson::library::library() {
            let run = lesson.build(None, &[]).expect("builds");
            let world = run.world.clone();
            let t = Timeline::run(run.world, run.commands, &[]);
            let all = packets(&t.trace);
            for pos in 1..=t.ticks.len() {
                let events = t.events_of(pos);
                for e in events {
                    let TraceKind::Congestion { host, why, control, cwnd, ssthresh, .. } = &e.kind else { continue };
                    let why = why.unwrap_or_else(|| panic!("{}: a change without its rule at step {pos}", lesson.id));
                    let TraceKind::Congestion { socket, .. } = e.kind else { continue };
                    for lang in Lang::ALL {
                        let initial = world.host_tcp_config(*host).initial_cwnd_segments;
                        let line =
                            cwnd_change_text(lang, world.host_name(*host), why, (*control, initial), *cwnd, *ssthresh);
                        let lines = explain(lang, events, &world, &all, Numbering::Relative);
                        // A server's window is set on the SYN, and said where it
                        // is established.
                        let said = why != CwndChange::Start || established_in(events, socket);
                        assert_eq!(lines.contains(&line), said, "{} step {pos}: {line} in {lines:?}", lesson.id);
                    }
                    let name = format!("{why:?}");
                    seen.entry(lesson.id.to_string())
                        .or_default()
                        .insert(name.split('(').next().unwrap_or_default().to_string());
                    seen.entry(lesson.id.to_string()).or_default().insert(name);
                }
            }
        }
        let shows = |id: &str, rule: &str| seen.get(id).is_some_and(|rules| rules.contains(rule));
        assert!(shows("slow_start", "SlowStart") && shows("slow_start", "Start"), "{seen:?}");
        assert!(shows("spurious_timeout", "Timeout") && shows("spurious_timeout", "Undo"), "{seen:?}");
        assert!(shows("partition_timeout", "Timeout"), "{seen:?}");
        assert!(shows("fast_retransmit", "FastRecovery") && shows("tcp_reordering", "Recovery"), "{seen:?}");
    }

    /// udp_boundaries: recvfrom(u, 2) returned "th" of "three" with only
    /// "the waiting call returns" said; where the "ree" went was the lesson.
    #[test]
    fn a_short_udp_read_says_the_rest_of_the_datagram_is_discarded() {
        let told: Vec<String> = explained("udp_boundaries", Lang::En)
            .into_iter()
            .flat_map(|(_, lines)| lines)
            .filter(|l| l.contains("discarded"))
            .collect();
        assert_eq!(
            told,
            ["The datagram holds 5 bytes but the call asked for 2 bytes: server gets the first 2 and the other 3 bytes are discarded. One read takes one whole datagram; what does not fit is not kept for the next call (Linux flags it MSG_TRUNC)."]
        );
    }

    /// partition_timeout: once the link is repaired and the first resend is
    /// acknowledged, the client sends new data rather than the next resend
    /// (F-RTO), which read as plain "it sends data" in the middle of a recovery.
    #[test]
    fn new_data_after_a_timeout_is_said_to_be_f_rtos_test() {
        let mut said = 0;
        for (pos, (events, lines)) in explained("partition_timeout", Lang::En).into_iter().enumerate() {
            let frto = events
                .iter()
                .filter(|e| matches!(e.kind, TraceKind::Sent { reason: SendReason::FrtoNewData, .. }))
                .count();
            let told = lines.iter().filter(|l| l.contains("F-RTO now tests whether that timeout was spurious")).count();
            assert_eq!(told, frto, "step {}: {lines:?}", pos + 1);
            said += told;
        }
        assert!(said > 0, "the lesson's client sends new data under F-RTO");
    }

    /// partition_timeout: the duplicate ACK that SACKs F-RTO's new data but
    /// not the bytes after the first resend is F-RTO's verdict, "the loss was
    /// real" (RFC 5682 step 3a); the resends that followed were told without it.
    #[test]
    fn f_rtos_verdict_that_the_loss_was_real_is_said_where_the_ack_arrives() {
        for (lang, verdict) in [(Lang::En, "F-RTO's verdict"), (Lang::Ko, "F-RTO의 판정")] {
            let mut said = Vec::new();
            for (pos, (events, lines)) in explained("partition_timeout", lang).into_iter().enumerate() {
                let judged = events.iter().any(|e| matches!(e.kind, TraceKind::LossConfirmed { .. }));
                let told = lines.iter().filter(|l| l.starts_with(verdict)).count();
                assert_eq!(told, usize::from(judged), "step {}: {lines:?}", pos + 1);
                if judged {
                    // The ACK that judges arrives in the same step, and the
                    // resend it lets go follows.
                    assert!(events.iter().any(|e| matches!(e.kind, TraceKind::Delivered { .. })), "step {}", pos + 1);
                    said.push(pos + 1);
                }
            }
            assert_eq!(said.len(), 1, "one verdict in the lesson: {said:?}");
        }
    }

    #[test]
    fn a_resend_wireshark_calls_spurious_says_where_the_ack_that_covered_it_went() {
        // slow_start with its link cut at step 40 (edits=40:cut:0): every
        // timeout's resend read "[TCP Spurious Retransmission]" with nothing
        // to say why. The server's ACK of those bytes was sent, then lost on
        // the cut link.
        let cut = [crate::lesson::edit::Edit::Cut { at: 40, link: 0, cut: true }];
        let mut said = std::collections::BTreeMap::new();
        for (id, edits) in [("slow_start", &cut[..])] {
            let lesson = crate::lesson::library::library().into_iter().find(|l| l.id == id).expect("lesson");
            let run = lesson.build(None, edits).expect("builds");
            let world = run.world.clone();
            let t = Timeline::run(run.world, run.commands, edits);
            let all = packets(&t.trace);
            for pos in 1..=t.ticks.len() {
                let events = t.events_of(pos);
                let lines = explain(Lang::En, events, &world, &all, Numbering::Relative);
                for e in events {
                    let TraceKind::Sent { packet, .. } = &e.kind else { continue };
                    let info = all.iter().find(|p| p.id == packet.id.0).expect("the packet");
                    if !info.analysis.as_deref().is_some_and(|a| a.contains("Spurious")) {
                        continue;
                    }
                    let why = lines.iter().find_map(|l| l.split("That ACK ").nth(1)).unwrap_or("nothing");
                    *said.entry((id, why.split(',').next().unwrap_or_default().to_string())).or_insert(0) += 1;
                }
            }
        }
        let said: Vec<_> = said.into_iter().collect();
        assert!(said.iter().any(|((id, why), _)| *id == "slow_start" && why == "was lost on the way"), "{said:?}");
        assert!(said.iter().all(|((_, why), _)| why != "nothing"), "{said:?}");
    }

    #[test]
    fn korean_explanations_fit_their_particles_to_the_words_before_them() {
        // They read "client이(가) 보낸", "−1 ECONNREFUSED을(를) 돌려줍니다",
        // "server이(가) …": a Korean reader says each word aloud, and the
        // particle after it has one right form.
        let mut both_forms = Vec::new();
        for lesson in crate::lesson::library::library() {
            for (_, lines) in explained(&lesson.id, Lang::Ko) {
                both_forms.extend(
                    lines
                        .into_iter()
                        .filter(|l| ["을(를)", "이(가)", "은(는)", "(으)로"].iter().any(|f| l.contains(f))),
                );
            }
        }
        both_forms.dedup();
        assert!(both_forms.is_empty(), "{both_forms:#?}");
    }

    #[test]
    fn a_step_says_the_cause_of_an_error_once() {
        // fast_retransmit with its link cut at step 10: the client's connect
        // times out, and the step said "Cause: the retransmission timer ran out
        // …" under the pending error and again under the call's −1 ETIMEDOUT.
        let cut = [crate::lesson::edit::Edit::Cut { at: 10, link: 0, cut: true }];
        let lesson = crate::lesson::library::library().into_iter().find(|l| l.id == "fast_retransmit").expect("lesson");
        let run = lesson.build(None, &cut).expect("builds");
        let world = run.world.clone();
        let t = Timeline::run(run.world, run.commands, &cut);
        let all = packets(&t.trace);
        let mut timed_out = false;
        for pos in 1..=t.ticks.len() {
            let events = t.events_of(pos);
            timed_out |= failing_with(events, Errno::ETIMEDOUT);
            for lang in Lang::ALL {
                let lines = explain(lang, events, &world, &all, Numbering::Relative);
                let causes: Vec<&str> = lines
                    .iter()
                    .filter_map(|l| l.split(" Cause: ").nth(1).or_else(|| l.split(" 원인: ").nth(1)))
                    .collect();
                let mut unique = causes.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(causes.len(), unique.len(), "step {pos}: {lines:#?}");
            }
        }
        assert!(timed_out, "the cut link times the connect out");
    }

    #[test]
    fn a_call_is_explained_by_what_its_step_shows() {
        // A learner's review: four_way_close's recv returning "" and
        // backlog_overflow's accept returning 4 at once were said to wait;
        // rst_on_close_unread's close() "finishes the goodbye with FIN" and its
        // RST went "because no socket wants this segment"; the handshake's
        // listener was said to go LISTEN → SYN-RECEIVED itself.
        let (mut immediate, mut aborts, mut eof, mut children) = (0, 0, 0, 0);
        for lesson in crate::lesson::library::library() {
            for (events, lines) in explained(&lesson.id, Lang::En) {
                for line in &lines {
                    if line.contains(" calls ") {
                        let call = line.split(" calls ").nth(1).and_then(|c| c.split("): it").next()).unwrap_or("");
                        let returned_now = events.iter().any(|e| {
                            matches!(e.kind, TraceKind::Return { blocked: false, .. })
                                && events.iter().any(|c| matches!(&c.kind, TraceKind::Call { syscall, .. } if syscall.render().starts_with(call) && !call.is_empty()))
                        });
                        if returned_now && (call.starts_with("recv") || call.starts_with("accept")) {
                            immediate += 1;
                            assert!(!line.contains("waits"), "{}: {line}", lesson.id);
                        }
                    }
                    eof += usize::from(line.contains("the end of the stream"));
                    let rst_after_close = line.contains("→ RST")
                        && events
                            .iter()
                            .any(|e| matches!(&e.kind, TraceKind::Call { syscall: SysCall::Close { .. }, .. }));
                    if rst_after_close {
                        aborts += 1;
                        assert!(!line.contains("no socket wants"), "{}: {line}", lesson.id);
                        assert!(
                            lines.iter().any(|l| l.contains("aborted with RST, not ended with FIN")),
                            "{}: {lines:#?}",
                            lesson.id
                        );
                    }
                    if line.contains("LISTEN → SYN-RECEIVED") {
                        children += 1;
                        assert!(line.contains("The listener itself stays in LISTEN"), "{}: {line}", lesson.id);
                    }
                }
            }
        }
        assert!(immediate > 20 && aborts >= 1 && eof >= 3 && children >= 10, "{immediate} {aborts} {eof} {children}");
        // A read that returns at once says how much it read (slow_start's
        // last recv of 300000 bytes said only "reads what has arrived").
        let slow: Vec<String> = explained("slow_start", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(
            slow.iter().any(|l| l.ends_with("it reads 300000 bytes that have arrived.")),
            "{:#?}",
            &slow[slow.len() - 5..]
        );
    }

    #[test]
    fn a_refused_datagram_and_a_one_byte_read_say_what_happened() {
        // A learner's review: udp_size_limit's sendto of 65508 bytes, refused
        // with EMSGSIZE, read "the kernel decides when they go on the wire";
        // udp_reorder_dup's reads said "it reads 1 bytes".
        let big: Vec<String> = explained("udp_size_limit", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let refused: Vec<&String> =
            big.iter().filter(|l| l.contains("calls sendto(") && l.contains("(65508 bytes)")).collect();
        assert!(!refused.is_empty(), "{big:#?}");
        assert!(refused.iter().all(|l| l.contains("which refuses it: nothing is sent")), "{refused:#?}");
        assert!(big.iter().any(|l| l.contains("(65507 bytes)") && l.contains("sends it at once")), "{big:#?}");
        let unreachable: Vec<String> =
            explained("udp_connected_unreachable", Lang::Ko).into_iter().flat_map(|(_, l)| l).collect();
        assert!(unreachable.iter().any(|l| l.contains("커널이 거절합니다")), "{unreachable:#?}");
        let dup: Vec<String> = explained("udp_reorder_dup", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(dup.iter().any(|l| l.ends_with("it reads 1 byte that has arrived.")), "{dup:#?}");
        assert!(dup.iter().all(|l| !l.contains(" 1 bytes")), "{dup:#?}");
    }

    #[test]
    fn a_held_back_packet_is_said_to_be_overtaken_only_when_it_is() {
        // A learner's review: udp_reorder_dup's last datagrams, held back with
        // nothing sent after them, were said to be overtaken.
        let lines: Vec<String> = explained("udp_reorder_dup", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let held: Vec<&String> = lines.iter().filter(|l| l.starts_with("The link holds this packet back")).collect();
        assert!(held.iter().any(|l| l.contains("sent after it arrives first (reordering)")), "{held:#?}");
        assert!(held.iter().any(|l| l.ends_with("it still arrives in order.")), "{held:#?}");
        // tcp_reordering's two held segments are overtaken by what follows
        // (the SACK blocks show it); they were said to arrive in order, their
        // arrival counted without the time the link held them.
        let lines: Vec<String> = explained("tcp_reordering", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let held: Vec<&String> = lines.iter().filter(|l| l.starts_with("The link holds this packet back")).collect();
        assert!(!held.is_empty());
        assert!(held.iter().all(|l| l.contains("packets sent after it arrive first (reordering)")), "{held:#?}");
        // An ICMP port unreachable says whom the kernel tells.
        let icmp: Vec<String> =
            explained("udp_connected_unreachable", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(
            icmp.iter().any(|l| l.contains("reaches client: its kernel tells only a UDP socket connected")),
            "{icmp:#?}"
        );
    }

    #[test]
    fn an_empty_read_a_shutdown_while_connecting_and_a_time_wait_taken_over_say_why() {
        // A learner's own SHUT_RD, a reset already reported and a read of no
        // bytes with data waiting all read "the peer has finished sending
        // (its FIN arrived)".
        let calls = |name: &str| {
            let path = format!("{}/tests/calls/{name}.sock", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).expect("a kept script");
            explained_text(&text, Lang::En).into_iter().flat_map(|(_, l)| l).collect::<Vec<String>>()
        };
        let said = |lines: &[String], call: &str, part: &str| {
            let line = lines.iter().find(|l| l.contains(call)).unwrap_or_else(|| panic!("{call}: {lines:#?}"));
            assert!(line.contains(part), "{line}");
        };
        let shut = calls("shutdown_before_connect");
        said(&shut, "client calls recv(3, 10)", "this side has shut down reading");
        assert!(!shut.iter().any(|l| l.contains("recv(3, 10)") && l.contains("FIN arrived")), "{shut:#?}");
        let reset = calls("accept_returns_a_connection_reset_in_the_queue");
        let empty: Vec<&String> = reset.iter().filter(|l| l.contains("server calls recv(4, 10)")).collect();
        assert_eq!(empty.len(), 2, "{reset:#?}");
        assert!(empty[1].contains("a connection that is over"), "{}", empty[1]);
        let gave_up = calls("shutdown_while_connecting");
        said(&gave_up, "client calls shutdown(4, rd)", "gives the handshake up");
        let taken = calls("connect_over_time_wait");
        assert!(taken.iter().any(|l| l.contains("connection in TIME-WAIT ends early: a connect()")), "{taken:#?}");
        // UDP: a read of no bytes takes a datagram; an empty one is read as such.
        let udp = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms\nb: r = socket(udp)\n\
                   b: bind(r, 10.0.0.2:7) = 0\na: s = socket(udp)\na: sendto(s, \"hello\", 10.0.0.2:7) = 5\n\
                   a: sendto(s, \"\", 10.0.0.2:7) = 0\n+5ms\nb: recv(r, 0) = \"\"\nb: recv(r, 10) = \"\"\n";
        let udp: Vec<String> = explained_text(udp, Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        said(&udp, "b calls recv(3, 0)", "takes the next datagram off the queue, whole");
        said(&udp, "b calls recv(3, 10)", "reads an empty datagram");
        let zero = calls("recv_of_no_bytes");
        said(&zero, "client calls recv(3, 0): it asks", "data is waiting, so it returns 0 at once");
        // The peer's FIN still reads as such (half_close).
        let half: Vec<String> = explained("half_close", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(half.iter().any(|l| l.contains("the peer has finished sending (its FIN arrived)")), "{half:#?}");
    }

    #[test]
    fn resets_refusals_and_shutdowns_say_what_happened() {
        // From a review that held each sentence against the trace.
        const H: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";
        const L: &str = "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                         client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n";
        let lines = |body: &str| -> Vec<String> {
            explained_text(&format!("{H}{body}"), Lang::En).into_iter().flat_map(|(_, l)| l).collect()
        };
        let has = |lines: &[String], part: &str| assert!(lines.iter().any(|l| l.contains(part)), "{part}: {lines:#?}");
        let lacks =
            |lines: &[String], part: &str| assert!(!lines.iter().any(|l| l.contains(part)), "{part}: {lines:#?}");
        // A TCP connect() that collects a finished handshake read as UDP's.
        let collect = lines(&format!(
            "{L}client: n = socket(tcp)\nclient: setsockopt(n, O_NONBLOCK, 1) = 0\n\
             client: connect(n, 10.0.0.1:80) = EINPROGRESS\n+50ms\nclient: connect(n, 10.0.0.1:80) = 0\n"
        ));
        has(&collect, "collects the outcome of the handshake");
        lacks(&collect, "a UDP socket now sends there");
        // shutdown(rdwr) closes both ways; the late data is answered by this
        // side's RST, and its ECONNRESET is its own doing.
        let both = lines(&format!(
            "{L}client: shutdown(c, rdwr) = 0\n+30ms\nserver: send(a, \"late\") = 4\n+50ms\nclient: recv(c, 10)\n"
        ));
        has(&both, "shuts down both directions");
        has(&both, "This side reset the connection itself");
        has(&both, "new data reached a connection whose application has closed it or shut down reading");
        lacks(&both, "no socket wants this segment");
        // Data to a socket closed by its application.
        let closed = lines(&format!("{L}server: close(a) = 0\n+50ms\nclient: send(c, \"hello\") = 5\n+50ms\n"));
        has(&closed, "new data reached a connection whose application has closed it");
        lacks(&closed, "no socket wants this segment");
        // A listener's close resets its queued connection; the orphan that
        // the RST then reaches was reset, not worn out by retries.
        let listener = lines(
            "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
             client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n+30ms\nserver: close(l) = 0\n+30ms\n",
        );
        has(&listener, "each connection still waiting in its accept queue is reset (RST)");
        has(&listener, "its listener closed, and this connection");
        lacks(&listener, "bytes it never read");
        let orphan = lines(&format!(
            "{L}client: close(c) = 0\n+50ms\nserver: setsockopt(a, SO_LINGER, {{1, 0}}) = 0\nserver: close(a) = 0\n+50ms\n"
        ));
        has(&orphan, "is reset by the peer's RST and ends");
        lacks(&orphan, "tcp_orphan_retries");
        // connect(AF_UNSPEC) from SYN-SENT sends nothing.
        let unspec = lines(
            "client: c = socket(tcp)\nclient: setsockopt(c, O_NONBLOCK, 1) = 0\npartition client > server\n\
             client: connect(c, 10.0.0.1:80) = EINPROGRESS\nclient: connect(c, AF_UNSPEC) = 0\n",
        );
        has(&unspec, "ends without a word (no RST)");
        lacks(&unspec, "aborts with RST");
        // A script's own TCP settings are the ones said.
        let tuned = explained_text(
            "tcp initial_cwnd 4\ntcp syn_linear_timeouts 0\ntcp rto_initial 300ms\n\
             host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
             server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
             client: c = socket(tcp)\ndrop next 2 on client > server\nclient: connect(c, 10.0.0.1:80) = 0\n\
             server: a = accept(l)\nclient: send(c, 20000 bytes) = 20000\n+1s\n",
            Lang::En,
        );
        let tuned: Vec<String> = tuned.into_iter().flat_map(|(_, l)| l).collect();
        has(
            &tuned,
            "Linux waits 300 ms before the first resend, then doubles the wait each time (tcp_syn_linear_timeouts = 0)",
        );
        has(&tuned, "(4 segments; 1 after more than one handshake retransmission)");
        lacks(&tuned, "Linux waits 1 s");
        // backlog_overflow: answers to a resent SYN-ACK are no loss signal.
        let lesson = script_text("backlog_overflow").expect("lesson");
        assert!(lesson.contains("server: listen(l, 1) = 0"));
        let text = lesson.replace("server: listen(l, 1) = 0", "server: listen(l, 0) = 0");
        let backlog: Vec<String> = explained_text(&text, Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        has(&backlog, "Wireshark calls it a Dup ACK, but server has sent no data, so it tells of no loss");
        lacks(&backlog, "three such duplicates in a row tell server a segment was lost");
        // An ICMP port unreachable names both reasons no socket took the datagram.
        let icmp: Vec<String> =
            explained("udp_connected_unreachable", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        has(&icmp, "no socket there takes this datagram: none is bound to that port, or the one bound there is connected to another peer");
        // A connect() on a listener: EISCONN says listening too.
        let listening = lines(
            "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                               server: connect(l, 10.0.0.2:80) = EISCONN\n",
        );
        has(&listening, "the socket is already connected, or listening");
        // F-RTO's verdict is what an ACK covers: it said "sent new data" after
        // two resends and none.
        let frto = explained_text(
            &format!(
                "seed 7\nhost server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms loss 20%\n{L}\
                 client: send(c, 8000 bytes) = 8000\n+3s\nserver: recv(a, 10000)\n"
            ),
            Lang::En,
        );
        let frto: Vec<String> = frto.into_iter().flat_map(|(_, l)| l).collect();
        has(&frto, "F-RTO: this ACK covers data client never resent after the timeout");
        // A connection whose listener was shut for writing sends its FIN
        // with no call behind it, and says why.
        let path = format!(
            "{}/tests/calls/accepted_connections_inherit_the_listeners_shutdown.sock",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("the kept script");
        let inherited: Vec<String> = explained_text(&text, Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        has(&inherited, "its listener was shut for writing (shutdown(SHUT_WR) before listen())");
        // A close in CLOSE-WAIT answers the peer's goodbye.
        let half: Vec<String> = explained("half_close", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        has(&half, "answers the peer's goodbye with its own FIN");
        // Without SACK the duplicates count as SACKed segments, as in Linux.
        let path = format!("{}/tests/faults/recovery_without_sack.sock", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the kept script");
        let reno: Vec<String> = explained_text(&text, Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        has(
            &reno,
            "Three duplicate ACKs and no SACK: the third says the segment after the last acknowledged byte is lost",
        );
        has(&reno, "proportional rate reduction");
        has(&reno, "it leaves the count of what is in flight, so new data may go in its place");
        lacks(&reno, "ssthresh + 3 segments");
        lacks(&reno, "Linux differs here");
        // A port held by a socket that is only bound.
        let bound = lines(
            "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: m = socket(tcp)\n\
                           server: bind(m, 10.0.0.1:80) = EADDRINUSE\n",
        );
        has(&bound, "Port 80 on server is still held by another socket bound to it");
        lacks(&bound, "in CLOSED");
        // Calls refused at once are said as tries.
        let refused = lines(
            "server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: m = socket(tcp)\n\
             server: bind(m, 10.0.0.1:80) = EADDRINUSE\nserver: close(99) = EBADF\n",
        );
        has(
            &refused,
            "server calls bind(4, 10.0.0.1:80): it tries to name its socket with an address and port, and is refused",
        );
        has(&refused, "server calls close(99): it tries to give up a descriptor, and is refused");
    }

    #[test]
    fn einval_and_enotconn_say_what_the_call_met() {
        // EINVAL's general meaning ("already bound? not listening?") would
        // send a learner looking in the wrong place for a loopback source
        // and a port 0; an unconnected shutdown is recorded all the same.
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 1ms\n\
                    client: c = socket(tcp)\nclient: bind(c, 127.0.0.1:0) = 0\n\
                    client: connect(c, 10.0.0.1:80) = EINVAL\n\
                    client: u = socket(udp)\nclient: sendto(u, \"x\", 10.0.0.1:0) = EINVAL\n\
                    client: d = socket(tcp)\nclient: shutdown(d, wr) = ENOTCONN\n";
        for lang in [Lang::En, Lang::Ko] {
            let lines: Vec<String> = explained_text(text, lang).into_iter().flat_map(|(_, l)| l).collect();
            let said = |part: &str| lines.iter().any(|l| l.contains(part));
            let (loopback, port, shutdown) = match lang {
                Lang::En => (
                    "bound to a loopback address (127.x)",
                    "no datagram goes to port 0",
                    "records the shutdown all the same",
                ),
                Lang::Ko => {
                    ("루프백 주소(127.x)에 bind되어", "포트 0으로는 데이터그램을 보낼 수 없고", "shutdown을 기록하므로")
                }
            };
            assert!(said(loopback) && said(port) && said(shutdown), "{lines:#?}");
        }
    }

    #[test]
    fn a_close_that_sends_nothing_says_why() {
        // A learner's review: the tour with its connect refused explained the
        // last close() as "the kernel still finishes the goodbye with FIN";
        // nothing was sent, for there was no connection.
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 1ms\n\
                    server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                    client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:81) = ECONNREFUSED\n\
                    client: recv(c, 100) = ENOTCONN\nclient: close(c) = 0\n\
                    client: d = socket(tcp)\nclient: connect(d, 10.0.0.1:80) = 0\n\
                    client: shutdown(d, wr) = 0\n+100ms\nclient: close(d) = 0\n";
        let lines: Vec<String> = explained_text(text, Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let closes: Vec<&String> = lines.iter().filter(|l| l.contains(" calls close(")).collect();
        assert_eq!(closes.len(), 2, "{lines:#?}");
        assert!(closes[0].contains("the socket is gone: it had no connection to end"), "{closes:#?}");
        // A listener that handed out a connection gives up the listener, not
        // "a connection never made".
        let lines: Vec<String> = explained("four_way_close", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let listener = lines.iter().find(|l| l.contains("server calls close(3)")).expect("the listener's close");
        assert!(listener.contains("gives up the listener: it stops listening"), "{listener}");
        assert!(
            closes[1].contains("the kernel keeps the connection (FIN-WAIT-2) until its goodbye is over"),
            "{closes:#?}"
        );
        let ko: Vec<String> = explained_text(text, Lang::Ko).into_iter().flat_map(|(_, l)| l).collect();
        assert!(ko.iter().any(|l| l.contains("연결(FIN-WAIT-2)을 유지합니다")), "{ko:#?}");
        // No lesson's close claims a FIN it does not send.
        for lesson in crate::lesson::library::library() {
            for (events, lines) in explained(&lesson.id, Lang::En) {
                let fin = events.iter().any(|e| matches!(&e.kind, TraceKind::Sent { packet, .. } if matches!(&packet.body, Body::Tcp(t) if t.flags.fin())));
                for line in lines.iter().filter(|l| l.contains(" calls close(") && l.contains("goodbye with FIN")) {
                    assert!(fin, "{}: {line}", lesson.id);
                }
            }
        }
    }

    #[test]
    fn the_acks_that_matter_say_what_they_tell_their_sender() {
        // A learner's review: zero_window's window-0 ACK and fast_retransmit's
        // duplicates arrived as bare "A packet reaches client."; three of
        // those duplicates are Wireshark's [TCP Window Update] with nothing to
        // say why; and the RACK timer "proved" a loss after the hole was resent.
        let zero: Vec<String> = explained("zero_window", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(zero.iter().any(|l| l.contains("[TCP ZeroWindow] reaches client: its window is 0")), "{zero:#?}");
        let fr = explained("fast_retransmit", Lang::En);
        let lines: Vec<&String> = fr.iter().flat_map(|(_, l)| l).collect();
        assert!(lines.iter().any(|l| l.contains("reaches client: it repeats the last acknowledgement")), "{lines:#?}");
        assert!(
            lines.iter().any(|l| l.contains("Wireshark labels it [TCP Window Update], not a Dup ACK")),
            "{lines:#?}"
        );
        for (events, lines) in &fr {
            let resent = events
                .iter()
                .any(|e| matches!(&e.kind, TraceKind::Sent { reason, .. } if reason.is_data_retransmission()));
            if !resent {
                assert!(!lines.iter().any(|l| l.contains("so it was lost")), "{lines:#?}");
            }
        }
        assert!(lines.iter().any(|l| l.contains("finds no segment left to call lost")), "{lines:#?}");
    }

    #[test]
    fn a_datagram_sent_as_many_fragments_is_explained_once_not_per_fragment() {
        // udp_fragment_loss step 6: 45 near-identical lines, a card 7,400 px tall.
        for lang in Lang::ALL {
            let steps = explained("udp_fragment_loss", lang);
            let (events, lines) = steps
                .iter()
                .max_by_key(|(events, _)| events.iter().filter(|e| matches!(e.kind, TraceKind::Sent { .. })).count())
                .expect("steps");
            let sent = events.iter().filter(|e| matches!(e.kind, TraceKind::Sent { .. })).count();
            assert!(sent >= 40, "{sent}");
            assert!(lines.len() <= 6, "{lines:#?}");
            let rest = lang.pick(("IP fragments 2–45 of 45", "IP 조각 2–45/45"));
            assert!(lines.iter().any(|l| l.contains(rest)), "{lines:#?}");
        }
    }

    /// Fast recovery's cwnd follows what is in flight toward ssthresh, from
    /// above or from below: delayed_ack's cwnd of 1448 B under an ssthresh of
    /// 10136 B read "down toward ssthresh".
    #[test]
    fn fast_recovery_says_which_way_cwnd_goes() {
        let (mut down, mut up) = (0, 0);
        for lesson in crate::lesson::library::library() {
            for (events, lines) in explained_text(lesson.text(), Lang::En) {
                for e in &events {
                    let TraceKind::Congestion { why: Some(CwndChange::FastRecovery), cwnd, ssthresh, .. } = e.kind
                    else {
                        continue;
                    };
                    let line = lines.iter().find(|l| l.contains("fast recovery begins")).expect("said");
                    assert_eq!(line.contains("down toward ssthresh"), cwnd > ssthresh, "{}: {line}", lesson.id);
                    assert_eq!(
                        line.contains("grows back up toward ssthresh"),
                        cwnd < ssthresh,
                        "{}: {line}",
                        lesson.id
                    );
                    down += usize::from(cwnd > ssthresh);
                    up += usize::from(cwnd < ssthresh);
                }
            }
        }
        // Every lesson's recovery starts below ssthresh (PRR's first ACK sets
        // cwnd from the little left in flight), where every one said "down".
        assert!(up > 0, "{down} down, {up} up");
    }

    /// Every arrival names its packet as the diagrams label it: data, SYNs
    /// and FINs arrived as "A packet reaches server", named by the highlight.
    #[test]
    fn every_arrival_names_its_packet() {
        for lesson in crate::lesson::library::library() {
            for lang in Lang::ALL {
                for (pos, (_, lines)) in explained_text(lesson.text(), lang).into_iter().enumerate() {
                    let bare = lines.iter().find(|l| l.starts_with(lang.pick(("A packet reaches", "패킷이 "))));
                    assert!(bare.is_none(), "{} step {}: {bare:?}", lesson.id, pos + 1);
                }
            }
        }
    }

    /// Each ACK sent at once says why, in every lesson: more than one full
    /// segment unacknowledged, a hole filled, the timer about to fire, or the
    /// application's read (delayed_ack's ACK after a read and tcp_reordering's
    /// ACK of a filled hole said only "it acknowledges").
    #[test]
    fn each_ack_sent_at_once_says_why() {
        let phrase = |r: SendReason| match r {
            SendReason::AckTwoSegments => Some("more than one full-sized segment is unacknowledged"),
            SendReason::AckHoleFilled => Some("this segment filled the hole"),
            SendReason::AckTimerDue => Some("its delayed-ACK timer would have fired"),
            SendReason::AckOnRead => Some("because its application read the data"),
            _ => None,
        };
        let mut seen = std::collections::BTreeSet::new();
        for lesson in crate::lesson::library::library() {
            for (pos, (events, lines)) in explained_text(lesson.text(), Lang::En).into_iter().enumerate() {
                for e in &events {
                    let TraceKind::Sent { reason, .. } = e.kind else { continue };
                    let Some(want) = phrase(reason) else { continue };
                    assert!(lines.iter().any(|l| l.contains(want)), "{} step {}: {lines:#?}", lesson.id, pos + 1);
                    seen.insert(format!("{reason:?}"));
                }
            }
        }
        for shown in ["AckHoleFilled", "AckOnRead"] {
            assert!(seen.contains(shown), "a lesson shows {shown}: {seen:?}");
        }
    }

    /// udp_loss's O_NONBLOCK is named a file flag set with fcntl, as the
    /// exported C sets it; it read "it changes a socket option".
    #[test]
    fn a_nonblocking_flag_is_not_called_a_socket_option() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("udp_loss", lang).into_iter().flat_map(|(_, l)| l).collect();
            let set: Vec<&String> = lines.iter().filter(|l| l.contains("O_NONBLOCK, 1)")).collect();
            assert!(!set.is_empty(), "{lines:#?}");
            assert!(set.iter().all(|l| l.contains("fcntl(fd, F_SETFL, flags | O_NONBLOCK)")), "{set:#?}");
            assert!(set.iter().all(|l| l.contains("EAGAIN")), "{set:#?}");
        }
    }

    /// A connection whose application closed it gives up on a cut link with
    /// nobody to tell: it read "an error becomes pending on client's socket",
    /// a socket no descriptor held any more. A socket still held is told.
    #[test]
    fn an_orphan_that_gives_up_has_nobody_to_tell() {
        let script = |close: &str| {
            format!(
                "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
                 server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
                 client: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\nserver: a = accept(l)\n+50ms\npartition client server\n\
                 client: send(c, \"hi\") = 2\n{close}+300s\n"
            )
        };
        for (close, orphan) in [("client: close(c) = 0\n", true), ("", false)] {
            let lines: Vec<String> =
                explained_text(&script(close), Lang::En).into_iter().flat_map(|(_, l)| l).collect();
            let gave_up: Vec<&String> = lines.iter().filter(|l| l.contains("ETIMEDOUT")).collect();
            assert_eq!(gave_up.len(), 1, "{lines:#?}");
            assert_eq!(gave_up[0].contains("nobody hears of it"), orphan, "{gave_up:?}");
            assert_eq!(gave_up[0].starts_with("An error becomes pending on client's socket"), !orphan, "{gave_up:?}");
        }
    }

    /// zero_window: each probe that reaches the server says whether it is
    /// answered; the one at 620 ms is not (the server answered one 330 ms
    /// before, and Linux answers at most one a 500 ms), and the card said of
    /// every probe "every byte before 1 has arrived".
    #[test]
    fn a_zero_window_probe_says_whether_it_is_answered_and_why_not() {
        for lang in Lang::ALL {
            let (mut answered, mut silent) = (0, 0);
            for (events, lines) in explained("zero_window", lang) {
                let probe =
                    lines.iter().filter(|l| l.contains(lang.pick(("a zero-window probe", "제로 윈도 탐색입니다"))));
                for line in probe {
                    let sent_answer = events.iter().any(|e| matches!(e.kind, TraceKind::Sent { .. }));
                    let says_silent = line.contains("tcp_invalid_ratelimit");
                    assert_eq!(says_silent, !sent_answer, "{line}");
                    assert!(!line.contains(lang.pick(("every byte before", "앞의 바이트가 모두"))), "{line}");
                    // Its numbers, as the diagram numbers them: seq N, one below N + 1.
                    if lang == Lang::En {
                        let seq: u32 = line
                            .split("probe, seq ")
                            .nth(1)
                            .and_then(|r| r.split(',').next())
                            .and_then(|n| n.parse().ok())
                            .expect("the probe's seq");
                        assert!(
                            line.contains(&format!("one byte below the {} server expects next", seq + 1)),
                            "{line}"
                        );
                    }
                    answered += usize::from(sent_answer);
                    silent += usize::from(says_silent);
                }
            }
            assert!(answered > 0 && silent > 0, "{lang:?}: {answered} answered, {silent} silent");
        }
    }

    /// The Korean page's explanations quote packets by their Korean labels and
    /// Wireshark's words as the Korean diagram shows them: they said "1448
    /// bytes" and "[TCP Dup ACK 17#1]" in the middle of Korean sentences.
    #[test]
    fn korean_explanations_quote_packets_in_korean() {
        let mut quoted = 0;
        for lesson in crate::lesson::library::library() {
            let p = prepare(lesson.text(), None).expect("runs");
            let t = Timeline::run(p.world, p.commands, &[]);
            let all = packets(&t.trace);
            let labels = all
                .iter()
                .map(|p| p.label(Lang::En, Numbering::Relative))
                .filter(|l| l.contains("byte") || l.contains("fragment") || l.contains("unreachable"));
            // Wireshark's words, which the Korean diagram translates.
            let words = all
                .iter()
                .filter_map(|p| p.analysis.clone())
                .filter(|w| crate::view::words::analysis(Lang::Ko, w) != *w);
            let english: Vec<String> = labels.chain(words).collect();
            for (pos, (_, lines)) in explained_text(lesson.text(), Lang::Ko).into_iter().enumerate() {
                for line in lines {
                    let found = english.iter().find(|l| line.contains(l.as_str()));
                    assert!(found.is_none(), "{} step {}: {found:?} in {line}", lesson.id, pos + 1);
                    quoted += usize::from(line.contains("바이트 seq="));
                }
            }
        }
        assert!(quoted > 0, "the lessons quote data segments");
    }

    /// Every step's explanation of lesson `id`, in `lang`, with the step's events.
    fn explained(id: &str, lang: Lang) -> Vec<(Vec<TraceEvent>, Vec<String>)> {
        explained_text(script_text(id).expect("lesson"), lang)
    }

    fn explained_text(text: &str, lang: Lang) -> Vec<(Vec<TraceEvent>, Vec<String>)> {
        let p = prepare(text, None).expect("runs");
        let t = Timeline::run(p.world, p.commands, &[]);
        let all = packets(&t.trace);
        // Each step explained with the world as the page has it: at the step's end.
        let mut world = t.world_at(0);
        (1..=t.ticks.len())
            .map(|pos| {
                t.advance(&mut world, pos - 1);
                let events = t.events_of(pos).to_vec();
                let lines = explain(lang, &events, &world, &all, Numbering::Relative);
                (events, lines)
            })
            .collect()
    }

    /// A cut link read "You change the link; packets sent from now on see the
    /// new settings", as a new loss rate did, and a script's partition said
    /// "You". partition_timeout cuts one way and heals it.
    #[test]
    fn a_cut_link_and_its_repair_are_said_as_such_in_both_languages() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("partition_timeout", lang).into_iter().flat_map(|(_, l)| l).collect();
            let (cut, repaired) = lang.pick((
                (
                    "The link client → server is cut: every packet sent across it from now on is lost",
                    "The link client ↔ server is repaired",
                ),
                ("client → server 링크가 끊깁니다.", "client ↔ server 링크가 복구됩니다."),
            ));
            assert!(lines.iter().any(|l| l.starts_with(cut)), "{lang:?}: {cut}");
            assert!(lines.iter().any(|l| l.starts_with(repaired)), "{lang:?}: {repaired}");
            assert!(!lines.iter().any(|l| l.starts_with("You change the link")));
        }
    }

    fn failing_with(events: &[TraceEvent], want: Errno) -> bool {
        events.iter().any(|e| matches!(e.kind, TraceKind::Return { result: Err(errno), .. } if errno == want))
    }

    #[test]
    fn the_fragment_lessons_explain_fragments_their_reassembly_and_the_timeout() {
        for lang in Lang::ALL {
            let lines: Vec<String> = ["udp_size_limit", "udp_fragment_loss"]
                .into_iter()
                .flat_map(|id| explained(id, lang))
                .flat_map(|(_, l)| l)
                .collect();
            let says = |text: &str| lines.iter().any(|l| l.contains(text));
            let (cut, waits, whole, gives_up) = lang.pick((
                (
                    "sends one IP fragment of a UDP datagram too big for the link's MTU",
                    "An IP fragment reaches server: it waits there",
                    "puts the 45 fragments together",
                    "waited 30 seconds (ipfrag_time) for the missing fragments: it throws away the 44",
                ),
                (
                    "MTU보다 큰 UDP 데이터그램의 IP 조각 하나를 보냅니다",
                    "IP 조각이 server에 도착합니다",
                    "조각 45개를 오프셋 순서로",
                    "가진 조각 44개를 버리고",
                ),
            ));
            for text in [cut, waits, whole, gives_up] {
                assert!(says(text), "{text}: {lines:#?}");
            }
        }
    }

    #[test]
    fn the_delayed_ack_lesson_says_why_each_ack_went_when_it_did() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("delayed_ack", lang).into_iter().flat_map(|(_, l)| l).collect();
            let says = |text: &str| lines.iter().any(|l| l.contains(text));
            let (quick, delayed, rides) = lang.pick((
                (
                    "quick-ACK mode (Linux ACKs the next segments at once at a connection's start",
                    "ACK delayed 40 ms (delayed ACK: Linux waits for more data or a reply to ride on)",
                    "the ACK rides on the reply (pingpong)",
                ),
                (
                    "빠른 ACK 모드 (리눅스는 연결 시작",
                    "ACK를 40 ms 늦췄습니다 (지연 ACK",
                    "ACK가 응답에 실려 갑니다 (핑퐁)",
                ),
            ));
            assert!(says(quick), "{lines:#?}");
            assert!(says(delayed), "{lines:#?}");
            assert!(says(rides), "{lines:#?}");
        }
    }

    #[test]
    fn a_lost_segment_is_found_by_racks_reordering_timer_and_the_page_says_so() {
        // The tour's "hello" is two full segments, and the first is dropped:
        // the second, sent at the same instant, is SACKed. RACK waits a
        // quarter of the RTT in case the first was only overtaken, then
        // resends it without waiting for an RTO.
        let text = script_text("tour")
            .expect("lesson")
            .replace(
                "client: send(c, \"hello\") = 5",
                "drop next 1 on client > server\nclient: send(c, 2896 bytes) = 2896",
            )
            .replace("server: recv(a, 100) = \"hello\"", "server: recv(a, 3000) = 2896 bytes");
        for lang in Lang::ALL {
            let steps = explained_text(&text, lang);
            let fired = steps
                .iter()
                .position(|(events, _)| {
                    events.iter().any(|e| matches!(e.kind, TraceKind::Timer { timer: TimerKind::Reorder, .. }))
                })
                .expect("RACK's timer fires");
            let lines = steps[fired].1.join("\n");
            let (timer, resend) = lang.pick((
                (
                    "client's RACK reordering timer expires: a segment sent before one the peer SACKed",
                    "(Fast Retransmission)",
                ),
                ("client의 RACK 재정렬 대기 타이머가 만료됩니다", "(빠른 재전송)"),
            ));
            assert!(lines.contains(timer), "{lines}");
            assert!(lines.contains(resend), "the hole goes again at once: {lines}");
        }
    }

    #[test]
    fn a_refused_connect_is_explained_by_the_rst_that_refused_it() {
        for lang in Lang::ALL {
            let steps = explained("connection_refused", lang);
            let (_, lines) =
                steps.iter().find(|(events, _)| failing_with(events, Errno::ECONNREFUSED)).expect("refused");
            let line = lines.iter().find(|l| l.contains("ECONNREFUSED")).expect("said");
            // The RST as the diagrams label it, and who sent it.
            let cause = lang.pick((
                "Cause: RST-ACK seq=0 ack=1 from server (packet #",
                "원인: server가 보낸 RST-ACK seq=0 ack=1 (패킷 #",
            ));
            assert!(line.contains(cause), "{line}");
        }
    }

    #[test]
    fn a_connect_that_timed_out_is_explained_by_its_last_retransmission_timer() {
        for lang in Lang::ALL {
            let steps = explained("syn_timeout", lang);
            let (_, lines) =
                steps.iter().find(|(events, _)| failing_with(events, Errno::ETIMEDOUT)).expect("timed out");
            let line = lines.iter().find(|l| l.contains("ETIMEDOUT")).expect("said");
            let cause = lang.pick(("Cause: the retransmission timer ran out", "원인: 재전송 타이머가 만료"));
            assert!(line.contains(cause), "{line}");
        }
    }

    #[test]
    fn a_syn_ignored_at_a_full_accept_queue_is_explained_by_the_queue() {
        for lang in Lang::ALL {
            let steps = explained("backlog_overflow", lang);
            let (_, lines) = steps
                .iter()
                .find(|(events, _)| events.iter().any(|e| matches!(e.kind, TraceKind::Dropped { .. })))
                .expect("carol's SYN is dropped");
            let said = lang.pick((
                "server's accept queue is full (2 connections wait for accept(), backlog 1): the SYN is dropped without an answer",
                "server의 accept 큐가 가득 찼습니다 (연결 2개가 accept()를 기다림, backlog 1). SYN을 답 없이 버리며",
            ));
            assert!(lines.iter().any(|l| l.contains(said)), "{lines:?}");
        }
    }

    #[test]
    fn a_bind_refused_by_a_time_wait_socket_says_so_with_the_time_left() {
        for lang in Lang::ALL {
            let steps = explained("four_way_close", lang);
            let (_, lines) = steps.iter().find(|(events, _)| failing_with(events, Errno::EADDRINUSE)).expect("refused");
            let held = lines.iter().find(|l| l.contains("TIME-WAIT")).expect("the holder is named");
            let said = lang.pick((
                "Port 80 on server is still held by a socket in TIME-WAIT until ",
                "server의 80번 포트는 TIME-WAIT 상태의 소켓이 ",
            ));
            assert!(held.starts_with(said) && held.contains(lang.pick(("s from now)", "s 뒤까지)"))), "{held}");
        }
    }

    #[test]
    fn a_udp_error_collected_by_a_later_call_is_explained_by_the_icmp_behind_it() {
        for lang in Lang::ALL {
            let steps = explained("udp_connected_unreachable", lang);
            // The recv comes 30 ms after the ICMP: its step holds no arrival, only the call.
            let (events, lines) =
                steps.iter().find(|(events, _)| failing_with(events, Errno::ECONNREFUSED)).expect("refused");
            assert!(!events.iter().any(|e| matches!(e.kind, TraceKind::Delivered { .. })), "{events:?}");
            let line = lines.iter().find(|l| l.contains("ECONNREFUSED")).expect("said");
            let cause = lang.pick(("Cause: ICMP", "원인: server가 보낸 ICMP"));
            assert!(line.contains(cause), "{line}");
        }
    }

    #[test]
    fn a_duplicate_ack_says_what_its_sack_block_says_and_a_syn_offers_sack() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("fast_retransmit", lang).into_iter().flat_map(|(_, l)| l).collect();
            let block = lang.pick((
                "SACK 1449–2897: the receiver has these bytes (a block's right edge is the first byte it does not hold), the hole is before them.",
                "SACK 1449–2897: 받는 쪽이 이 바이트를 가지고 있고 (블록의 오른쪽 끝은 가지고 있지 않은 첫 바이트입니다), 빈틈은 그 앞입니다.",
            ));
            assert!(lines.iter().any(|l| l.contains(block)), "{lines:?}");
            let offer = lang.pick(("It offers SACK (SACK_PERM)", "SACK를 제안합니다 (SACK_PERM)"));
            assert_eq!(lines.iter().filter(|l| l.contains(offer)).count(), 2, "the SYN and the SYN-ACK");
        }
    }

    #[test]
    fn a_simultaneous_opens_extra_ack_is_explained_as_a_d_sack_of_the_repeated_syn() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("simultaneous_open", lang).into_iter().flat_map(|(_, l)| l).collect();
            let why = lang.pick(("a SYN-ACK repeating a SYN it has seen", "이미 본 SYN을 다시 담은 SYN-ACK"));
            let block = lang.pick(("SACK 0–1: the first block is a D-SACK", "SACK 0–1: 첫 블록은 D-SACK"));
            let both = lines.iter().filter(|l| l.contains(why) && l.contains(block)).count();
            assert_eq!(both, 2, "one ACK each way: {lines:?}");
            assert!(!lines.iter().any(|l| l.contains("SACK 0–1") && l.contains(lang.pick(("hole", "빈틈")))));
        }
    }

    /// simultaneous_open's SYN-ACKs are "[TCP Retransmission]" in their
    /// labels, with nothing said of why.
    #[test]
    fn a_simultaneous_opens_syn_ack_says_why_wireshark_calls_it_a_retransmission() {
        for lang in Lang::ALL {
            let lines: Vec<String> = explained("simultaneous_open", lang).into_iter().flat_map(|(_, l)| l).collect();
            let why = lang.pick((
                "In a simultaneous open the SYN-ACK is that SYN again",
                "동시 열기에서 SYN-ACK는 그 SYN을 다시",
            ));
            assert_eq!(lines.iter().filter(|l| l.contains(why)).count(), 2, "one SYN-ACK each way: {lines:?}");
        }
        // A SYN-ACK that answers a SYN is no retransmission.
        let lines: Vec<String> = explained("handshake", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        assert!(!lines.iter().any(|l| l.contains("simultaneous open")), "{lines:?}");
    }

    /// syn_timeout's lesson is the intervals between SYNs: 1 s four more
    /// times after the first, then doubling. Each SYN sent again said only
    /// that its timer ran out.
    #[test]
    fn each_syn_sent_again_says_how_long_it_waited_and_why() {
        let waits: Vec<String> = explained("syn_timeout", Lang::En)
            .into_iter()
            .flat_map(|(_, lines)| lines)
            .filter_map(|l| Some(l.split("sends the SYN again ").nth(1)?.split(" after").next()?.to_string()))
            .collect();
        assert_eq!(waits, ["1 s", "1 s", "1 s", "1 s", "1 s", "2 s", "4 s"]);
        let ko: Vec<String> = explained("syn_timeout", Lang::Ko).into_iter().flat_map(|(_, l)| l).collect();
        assert_eq!(ko.iter().filter(|l| l.contains("tcp_syn_linear_timeouts")).count(), 7, "{ko:?}");
    }

    /// A SYN-ACK lost on the way: the client's SYN comes again, and the
    /// server's SYN-ACK goes again in answer, not by its timer.
    #[test]
    fn a_syn_ack_sent_again_for_a_repeated_syn_is_not_said_to_be_its_timers() {
        let text = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n\
            server: l = socket(tcp)\nserver: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\n\
            drop next 1 on server > client\nclient: c = socket(tcp)\nclient: connect(c, 10.0.0.1:80) = 0\n";
        let steps = explained_text(text, Lang::En);
        let answered: Vec<&(Vec<TraceEvent>, Vec<String>)> =
            steps.iter().filter(|(_, lines)| lines.iter().any(|l| l.contains("the peer's SYN came again"))).collect();
        assert_eq!(answered.len(), 1, "{steps:?}");
        let (events, lines) = answered[0];
        assert!(events.iter().all(|e| !matches!(e.kind, TraceKind::Timer { .. })), "no timer in that step");
        assert!(lines.iter().all(|l| !l.contains("timer")), "{lines:?}");
        // The client answers the SYN-ACK it already had with a duplicate ACK
        // that carries no SACK block, and is not said to carry one.
        let all: Vec<&String> = steps.iter().flat_map(|(_, l)| l).collect();
        let dup = all.iter().find(|l| l.contains("[TCP Dup ACK") && l.contains("reaches server"));
        let dup = dup.unwrap_or_else(|| panic!("no duplicate ACK: {all:?}"));
        assert!(dup.contains("it repeats the last acknowledgement (1)") && !dup.contains("SACK"), "{dup}");
    }

    /// partition_timeout after the repair: each resend fills the hole a
    /// little further, and the server's ACK moves on at once (data beyond the
    /// hole is held). Both its sending and its arrival were told as a repeat
    /// of the last ACK (Dup ACK), which Wireshark does not call them.
    #[test]
    fn an_ack_that_moves_on_past_a_filled_hole_is_not_told_as_a_repeat() {
        let lines: Vec<String> = explained("partition_timeout", Lang::En).into_iter().flat_map(|(_, l)| l).collect();
        let sent: Vec<&String> = lines.iter().filter(|l| l.starts_with("server → ACK 17377")).collect();
        assert!(
            !sent.is_empty() && sent.iter().all(|l| l.contains("at once, not delayed") && !l.contains("repeats")),
            "{sent:?}"
        );
        let arrived: Vec<&String> = lines.iter().filter(|l| l.starts_with("ACK 17377 reaches client")).collect();
        assert!(!arrived.is_empty(), "{lines:?}");
        assert!(
            arrived.iter().all(|l| l.contains("every byte before 17377 has arrived") && !l.contains("repeats")),
            "{arrived:?}"
        );
        // A real duplicate is still told as one.
        assert!(lines.iter().any(|l| l.contains("[TCP Dup ACK") && l.contains("it repeats the last acknowledgement")));
    }

    /// partition_timeout: the timer sends one resend; the rest go as ACKs
    /// come back, and were each said to follow a timeout with no ACK heard.
    #[test]
    fn only_a_timers_resend_is_said_to_follow_no_ack() {
        let steps = explained("partition_timeout", Lang::En);
        let (mut by_timer, mut by_ack) = (0, 0);
        for (events, lines) in &steps {
            let timer = events.iter().any(|e| matches!(e.kind, TraceKind::Timer { timer: TimerKind::Retransmit, .. }));
            let resends =
                events.iter().filter(|e| matches!(e.kind, TraceKind::Sent { reason: SendReason::Retransmit, .. }));
            let told_timer =
                lines.iter().filter(|l| l.contains("heard no ACK before the retransmission timeout")).count();
            let told_ack = lines.iter().filter(|l| l.contains("resends more of what the timeout marked lost")).count();
            if timer {
                assert_eq!((told_timer, told_ack), (resends.count(), 0), "{lines:?}");
                by_timer += told_timer;
            } else {
                assert_eq!((told_timer, told_ack), (0, resends.count()), "{lines:?}");
                by_ack += told_ack;
            }
        }
        assert!(by_timer > 0 && by_ack > 0, "{by_timer} {by_ack}");
    }

    #[test]
    fn a_call_that_fails_by_itself_names_no_cause() {
        let steps = explained("socket_address", Lang::En);
        let failed: Vec<&String> = steps
            .iter()
            .filter(|(events, _)| failing_with(events, Errno::EADDRINUSE))
            .flat_map(|(_, lines)| lines.iter().filter(|l| l.contains("EADDRINUSE")))
            .collect();
        assert!(!failed.is_empty(), "the lesson has a bind that fails");
        assert!(failed.iter().all(|l| !l.contains("Cause:")), "{failed:?}");
    }
}
