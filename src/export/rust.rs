//! A plan as a Rust program: socket2 for every socket (a lesson's socket(),
//! bind() and listen(backlog) are separate calls, which std::net's
//! `TcpListener::bind` folds into one), libc for what socket2 does not say
//! (TCP_INFO, IP_BIND_ADDRESS_NO_PORT, MSG_NOSIGNAL), one thread per host.

use super::{fmt_us, header_lines, kernel_state, payload_bytes, Op, Payload, Plan, Want, What, Who, GRACE_MS};
use crate::net::syscall::{Shutdown, SockOpt};
use crate::net::{Errno, Ipv4Addr};
use std::fmt::Write;

/// The program's helpers, each with the name a use of it shows; the first
/// (the shared state and the order) every program carries.
const HELPERS: &[(&str, &str)] = &[
    (
        "ORDER",
        r#"/// The lesson's order across the host threads: a line starts once the line
/// before it has returned, or has blocked (is still running after GRACE), as
/// `socklab run --real` goes on past a call the kernel says would block.
struct Turns {
    /// The index in LINES of the line whose turn it is.
    at: usize,
    /// When that line's call began, if it may block.
    started: Option<Instant>,
    /// Lines begun and not yet reported.
    busy: usize,
    met: usize,
    unmet: usize,
}

static ORDER: Mutex<Turns> = Mutex::new(Turns { at: 0, started: None, busy: 0, met: 0, unmet: 0 });
static TURN: Condvar = Condvar::new();

fn turns() -> MutexGuard<'static, Turns> {
    ORDER.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn turn_of(line: usize) -> usize {
    LINES.iter().position(|&l| l == line).unwrap_or(LINES.len())
}

fn begin(line: usize, may_block: bool) {
    let i = turn_of(line);
    let mut t = turns();
    while t.at != i {
        if t.at + 1 == i && t.started.is_some_and(|s| s.elapsed() >= GRACE) {
            t.at = i; // the line before blocks: go on without it
            break;
        }
        t = TURN.wait_timeout(t, GRACE).unwrap_or_else(|poisoned| poisoned.into_inner()).0;
    }
    t.started = may_block.then(Instant::now);
    t.busy += 1;
}

/// The line's call returned: the next line's turn, if it did not come yet.
fn end(line: usize) {
    let mut t = turns();
    if t.at == turn_of(line) {
        t.at += 1;
        t.started = None;
    }
    TURN.notify_all();
}

/// Waits (at most `bound`) until no other line is running.
fn settle(bound: Duration) {
    let until = Instant::now() + bound;
    let mut t = turns();
    while t.busy > 1 && Instant::now() < until {
        t = TURN.wait_timeout(t, GRACE).unwrap_or_else(|poisoned| poisoned.into_inner()).0;
    }
}

/// Prints a line's outcome, counts its expectation (`ok`: `None` when it has
/// none) and ends the line.
fn report(line: usize, text: &str, got: &str, ok: Option<bool>, want: &str) {
    let mut t = turns();
    match ok {
        Some(true) => t.met += 1,
        Some(false) => t.unmet += 1,
        None => {}
    }
    let said = if ok == Some(false) { format!("   <- the lesson expects {want}") } else { String::new() };
    println!("line {line}: {text}  ->  {got}{said}");
    t.busy -= 1;
    TURN.notify_all();
}

/// Waits for every line's turn and the calls still running (3 s at most), then says how it went.
fn finish() -> ! {
    begin(0, false);
    settle(Duration::from_secs(3));
    let t = turns();
    if t.unmet > 0 {
        println!("{} of {} expectations met", t.met, t.met + t.unmet);
    } else {
        println!("all {} expectations met", t.met);
    }
    std::process::exit(if t.unmet > 0 { 1 } else { 0 })
}

/// A host's sockets stay open until the program ends, as the lesson leaves them.
fn keep_open() {
    loop {
        std::thread::park();
    }
}"#,
    ),
    (
        "call",
        r#"/// What a call returned, as the lesson writes it (a lesson meets some of these).
#[allow(dead_code)]
enum Got {
    Int(i64),
    Socket,
    /// A receive: the bytes copied, what the call returned, and the sender.
    Received(Vec<u8>, usize, Option<SocketAddrV4>),
    Addr(SocketAddrV4),
    SoError(i32),
}

/// What the lesson expects a call to return (a lesson uses some of these).
#[allow(dead_code)]
enum Want {
    Nothing,
    Errno(i32),
    Int(i64),
    Data(&'static [u8]),
    /// A datagram: its bytes or only its length, and its sender (port optional).
    From(Option<&'static [u8]>, Option<usize>, Ipv4Addr, Option<u16>),
    Addr(Ipv4Addr, u16, u16),
    SoError(i32),
}

/// A call's value in the lesson's terms.
trait Value {
    fn got(&self) -> Got;
}

impl Value for () {
    fn got(&self) -> Got {
        Got::Int(0)
    }
}

impl Value for usize {
    fn got(&self) -> Got {
        Got::Int(*self as i64)
    }
}

impl Value for Socket {
    fn got(&self) -> Got {
        Got::Socket
    }
}

impl Value for SocketAddrV4 {
    fn got(&self) -> Got {
        Got::Addr(*self)
    }
}

fn matches(got: &Result<Got, i32>, want: &Want) -> bool {
    match (got, want) {
        (_, Want::Nothing) => true,
        (Err(e), Want::Errno(w)) => e == w,
        (Ok(Got::Int(n)), Want::Int(w)) => n == w,
        (Ok(Got::Received(_, len, _)), Want::Int(w)) => *len as i64 == *w,
        (Ok(Got::Received(data, _, _)), Want::Data(w)) => data == w,
        (Ok(Got::Received(data, len, Some(from))), Want::From(bytes, size, ip, port)) => {
            bytes.is_none_or(|b| data == b)
                && size.is_none_or(|s| *len == s)
                && from.ip() == ip
                && port.is_none_or(|p| from.port() == p)
        }
        (Ok(Got::Addr(a)), Want::Addr(ip, lo, hi)) => a.ip() == ip && (*lo..=*hi).contains(&a.port()),
        (Ok(Got::SoError(e)), Want::SoError(w)) => e == w,
        _ => false,
    }
}

fn shown(got: &Result<Got, i32>) -> String {
    match got {
        Err(e) => errname(*e),
        Ok(Got::Int(n)) => n.to_string(),
        Ok(Got::Socket) => "a socket".into(),
        Ok(Got::Received(data, _, None)) => format!("{:?}", String::from_utf8_lossy(data)),
        Ok(Got::Received(data, _, Some(from))) => format!("{:?} from {from}", String::from_utf8_lossy(data)),
        Ok(Got::Addr(a)) => a.to_string(),
        Ok(Got::SoError(0)) => "[0]".into(),
        Ok(Got::SoError(e)) => format!("[{}]", errname(*e)),
    }
}

fn wanted(want: &Want) -> String {
    match want {
        Want::Nothing => String::new(),
        Want::Errno(e) => errname(*e),
        Want::Int(n) => n.to_string(),
        Want::Data(d) => format!("{:?}", String::from_utf8_lossy(d)),
        Want::From(d, n, ip, port) => format!("{d:?} {n:?} from {ip}:{port:?}"),
        Want::Addr(ip, lo, hi) => format!("{ip}:{lo}..{hi}"),
        Want::SoError(0) => "[0]".into(),
        Want::SoError(e) => format!("[{}]", errname(*e)),
    }
}

/// Makes line `line`'s call in its turn and checks what it returned; its
/// value, if it succeeded.
fn call<T: Value>(line: usize, text: &str, may_block: bool, want: Want, f: impl FnOnce() -> io::Result<T>) -> Option<T> {
    begin(line, may_block);
    let result = f();
    end(line);
    let got = result.as_ref().map(Value::got).map_err(|e| e.raw_os_error().unwrap_or(0));
    let ok = (!matches!(want, Want::Nothing)).then(|| matches(&got, &want));
    report(line, text, &shown(&got), ok, &wanted(&want));
    result.ok()
}

/// The socket a name holds; EBADF when its call failed or it was closed, as
/// a C program's -1 would give.
fn sock(s: &Option<Socket>) -> io::Result<&Socket> {
    s.as_ref().ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
}

fn at(ip: Ipv4Addr, port: u16) -> SockAddr {
    SocketAddrV4::new(ip, port).into()
}"#,
    ),
    (
        "close",
        r#"fn close(s: &mut Option<Socket>) -> io::Result<()> {
    s.take().map(drop).ok_or_else(|| io::Error::from_raw_os_error(libc::EBADF))
}"#,
    ),
    (
        "name_of",
        r#"fn name_of(a: io::Result<SockAddr>) -> io::Result<SocketAddrV4> {
    a.map(|a| a.as_socket_ipv4().unwrap_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)))
}"#,
    ),
    (
        "so_error",
        r#"struct SoError(i32);

impl Value for SoError {
    fn got(&self) -> Got {
        Got::SoError(self.0)
    }
}

/// getsockopt(SO_ERROR): reads and clears the socket's pending error.
fn so_error(s: &Socket) -> io::Result<SoError> {
    s.take_error().map(|e| SoError(e.and_then(|e| e.raw_os_error()).unwrap_or(0)))
}"#,
    ),
    (
        "recv",
        r#"struct Received(Vec<u8>, usize, Option<SocketAddrV4>);

impl Value for Received {
    fn got(&self) -> Got {
        Got::Received(self.0.clone(), self.1, self.2)
    }
}

/// recv/recvfrom with `flags`: the bytes copied, what the call returned
/// (more than the bytes with MSG_TRUNC), and the sender.
fn recv(s: &Socket, len: usize, flags: i32, from: bool) -> io::Result<Received> {
    let mut buf = vec![std::mem::MaybeUninit::new(0u8); len];
    let (n, sender) = if from {
        let (n, a) = s.recv_from_with_flags(&mut buf, flags)?;
        (n, a.as_socket_ipv4())
    } else {
        (s.recv_with_flags(&mut buf, flags)?, None)
    };
    // SAFETY: every byte of `buf` was initialised (to 0) before the call.
    let data = buf[..n.min(len)].iter().map(|b| unsafe { b.assume_init() }).collect();
    Ok(Received(data, n, sender))
}"#,
    ),
    (
        "alphabet",
        r#"/// `N bytes` in a lesson: the alphabet, repeated.
fn alphabet(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}"#,
    ),
    (
        "connect_from",
        r#"/// The source address the model's route picks for an unbound socket; on one
/// kernel the route would pick 127.0.0.1 for every host (socklab's native/real.rs).
fn connect_from(s: &Socket, source: Ipv4Addr, to: SockAddr) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: an int option, given with its true size, on a socket we own. The
    // port is still the kernel's choice at connect.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_BIND_ADDRESS_NO_PORT,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    s.bind(&at(source, 0))?;
    s.connect(&to)
}"#,
    ),
    (
        "sendto_from",
        r#"/// An unbound UDP socket's first send binds it, even a send that fails (`to` None: a
/// send() without an address); the source is the one the model's route picks.
fn sendto_from(s: &Socket, source: Ipv4Addr, data: &[u8], to: Option<SockAddr>) -> io::Result<usize> {
    s.bind(&at(source, 0))?;
    match to {
        Some(to) => s.send_to_with_flags(data, &to, libc::MSG_NOSIGNAL),
        None => s.send_with_flags(data, libc::MSG_NOSIGNAL),
    }
}"#,
    ),
    (
        "state",
        r#"const STATES: [&str; 13] = [
    "?", "ESTABLISHED", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED", "CLOSE-WAIT",
    "LAST-ACK", "LISTEN", "CLOSING", "SYN-RECEIVED",
];

/// A connection that went on without its socket (TIME-WAIT after both FINs:
/// tcp_time_wait hands it to a timewait sock, tcp_done leaves the socket CLOSE,
/// which TCP_INFO reports) is in the kernel's table, as `ss` shows it:
/// /proc/net/tcp by its local end (get_timewait4_sock); not listed: CLOSED.
fn table_state(s: &Socket) -> u8 {
    let Ok(local) = name_of(s.local_addr()) else { return 7 };
    let end = format!("{:08X}:{:04X}", u32::from(*local.ip()).swap_bytes(), local.port());
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let row = table.lines().skip(1).map(|r| r.split_whitespace().collect::<Vec<_>>()).find(|f| f.get(1) == Some(&end.as_str()));
    row.and_then(|f| u8::from_str_radix(f.get(3)?, 16).ok()).unwrap_or(7)
}

/// The socket's TCP state as the kernel reports it (tcpi_state, from TCP_INFO).
fn tcp_state(s: &Socket) -> u8 {
    use std::os::fd::AsRawFd;
    // SAFETY: tcp_info is plain old data, all zeroes a valid value; the
    // kernel writes at most `len` bytes of it.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(s.as_raw_fd(), libc::IPPROTO_TCP, libc::TCP_INFO, (&mut info as *mut libc::tcp_info).cast(), &mut len)
    };
    match (rc, info.tcpi_state) {
        (0, 7) => table_state(s),
        (0, state) => state,
        _ => 0,
    }
}

fn state(line: usize, text: &str, s: &Option<Socket>, want: u8) {
    begin(line, false);
    let got = s.as_ref().map_or(0, tcp_state);
    end(line);
    let ok = got == want || (want == 3 && got == 12);
    report(line, text, STATES.get(usize::from(got)).unwrap_or(&"(no state)"), Some(ok), STATES[usize::from(want)]);
}"#,
    ),
    (
        "pause",
        r#"fn pause(line: usize, text: &str, time: Duration) {
    begin(line, false);
    std::thread::sleep(time);
    end(line);
    report(line, text, &format!("slept {time:?}"), None, "");
}"#,
    ),
    (
        "run_until_settled",
        r#"fn run_until_settled(line: usize) {
    begin(line, false);
    settle(Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(20));
    end(line);
    report(line, "run", "the blocked calls returned, or 3 s passed", None, "");
}"#,
    ),
];

fn ip(plan: &Plan, ip: Ipv4Addr) -> String {
    plan.constant_of(ip).unwrap_or_else(|| {
        let [a, b, c, d] = ip.octets();
        format!("Ipv4Addr::new({a}, {b}, {c}, {d})")
    })
}

fn bytes(b: &[u8]) -> String {
    format!("b\"{}\"", b.escape_ascii())
}

fn payload(p: &Payload) -> String {
    match p {
        Payload::Alphabet(n) => format!("&alphabet({n})"),
        Payload::Text(_) => bytes(&payload_bytes(p)),
    }
}

fn errno_const(e: Errno) -> String {
    format!("libc::{}", e.name())
}

/// The call as a closure's body, an `io::Result`.
fn expr(plan: &Plan, op: &Op) -> String {
    let to = |a: Ipv4Addr, port: u16| format!("at({}, {port})", ip(plan, a));
    match op {
        Op::Socket { udp: false } => "Socket::new(Domain::IPV4, Type::STREAM, None)".into(),
        Op::Socket { udp: true } => "Socket::new(Domain::IPV4, Type::DGRAM, None)".into(),
        Op::Bind { socket, ip: a, port } => format!("sock(&{socket})?.bind(&{})", to(*a, *port)),
        Op::Listen { socket, backlog } => format!("sock(&{socket})?.listen({backlog})"),
        Op::Accept { socket } => format!("sock(&{socket})?.accept().map(|(s, _)| s)"),
        Op::Connect { socket, ip: a, port, source: None } => format!("sock(&{socket})?.connect(&{})", to(*a, *port)),
        Op::Connect { socket, ip: a, port, source: Some(s) } => {
            format!("connect_from(sock(&{socket})?, {}, {})", ip(plan, *s), to(*a, *port))
        }
        Op::Send { socket, data } | Op::SendTo { socket, data, to: None, source: None } => {
            format!("sock(&{socket})?.send_with_flags({}, libc::MSG_NOSIGNAL)", payload(data))
        }
        Op::SendTo { socket, data, to: None, source: Some(s) } => {
            format!("sendto_from(sock(&{socket})?, {}, {}, None)", ip(plan, *s), payload(data))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: None } => {
            format!("sock(&{socket})?.send_to_with_flags({}, &{}, libc::MSG_NOSIGNAL)", payload(data), to(*a, *port))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: Some(s) } => {
            format!("sendto_from(sock(&{socket})?, {}, {}, Some({}))", ip(plan, *s), payload(data), to(*a, *port))
        }
        Op::Recv { socket, len, flags, from } => {
            let bits = match (flags.peek, flags.trunc) {
                (false, false) => "0",
                (true, false) => "libc::MSG_PEEK",
                (false, true) => "libc::MSG_TRUNC",
                (true, true) => "libc::MSG_PEEK | libc::MSG_TRUNC",
            };
            format!("recv(sock(&{socket})?, {len}, {bits}, {from})")
        }
        Op::Shutdown { socket, how } => {
            let how = match how {
                Shutdown::Read => "Read",
                Shutdown::Write => "Write",
                Shutdown::Both => "Both",
            };
            format!("sock(&{socket})?.shutdown(std::net::Shutdown::{how})")
        }
        Op::Close { socket } => format!("close(&mut {socket})"),
        Op::SetOpt { socket, opt } => match opt {
            SockOpt::ReuseAddr(on) => format!("sock(&{socket})?.set_reuse_address({on})"),
            SockOpt::NonBlocking(on) => format!("sock(&{socket})?.set_nonblocking({on})"),
            SockOpt::RcvBuf(n) => format!("sock(&{socket})?.set_recv_buffer_size({n})"),
            SockOpt::SndBuf(n) => format!("sock(&{socket})?.set_send_buffer_size({n})"),
            SockOpt::NoDelay(on) => format!("sock(&{socket})?.set_tcp_nodelay({on})"),
            SockOpt::QuickAck(on) => format!("sock(&{socket})?.set_tcp_quickack({on})"),
            SockOpt::Linger { on: false, .. } => format!("sock(&{socket})?.set_linger(None)"),
            SockOpt::Linger { on: true, secs } => {
                format!("sock(&{socket})?.set_linger(Some(Duration::from_secs({secs})))")
            }
            SockOpt::Congestion(c) => format!("sock(&{socket})?.set_tcp_congestion(b\"{}\")", c.name()),
        },
        Op::SockName { socket } => format!("name_of(sock(&{socket})?.local_addr())"),
        Op::PeerName { socket } => format!("name_of(sock(&{socket})?.peer_addr())"),
        Op::SoError { socket } => format!("so_error(sock(&{socket})?)"),
        // export() refuses it for Rust before rendering.
        Op::Disconnect { socket } => format!("sock(&{socket})?.connect(&at(Ipv4Addr::UNSPECIFIED, 0))"),
    }
}

fn want(plan: &Plan, w: &Want) -> String {
    let opt = |p: Option<String>| p.map_or("None".into(), |p| format!("Some({p})"));
    match w {
        Want::Nothing | Want::Unchecked(_) => "Want::Nothing".into(),
        Want::Errno(e) => format!("Want::Errno({})", errno_const(*e)),
        Want::Int(n) => format!("Want::Int({n})"),
        Want::Data(d) => format!("Want::Data({})", bytes(d)),
        Want::From { data, len, ip: a, port } => format!(
            "Want::From({}, {}, {}, {})",
            opt(data.as_deref().map(bytes)),
            opt(len.map(|l| l.to_string())),
            ip(plan, *a),
            opt(port.map(|p| p.to_string()))
        ),
        Want::Addr { ip: a, lo, hi } => format!("Want::Addr({}, {lo}, {hi})", ip(plan, *a)),
        Want::SoError(e) => format!("Want::SoError({})", e.map_or("0".into(), errno_const)),
    }
}

pub fn render(plan: &Plan) -> String {
    let file = format!("{}.rs", plan.name);
    let build = format!(
        "cargo new {0} && cd {0} && cargo add socket2@0.6 libc@0.2 && cp ../{file} src/main.rs && cargo build",
        plan.name
    );
    let run = format!("unshare -rn sh -c 'ip link set lo up && target/debug/{}'", plan.name);
    let plain = "(or just: cargo run)".to_string();
    let mut head = String::new();
    for l in header_lines(plan, &[&build, &run, &plain]) {
        head.push_str(if l.is_empty() { "//!\n" } else { "//! " });
        if !l.is_empty() {
            head.push_str(&l);
            head.push('\n');
        }
    }
    head.push_str("\nuse socket2::{Domain, SockAddr, Socket, Type};\nuse std::io;\n");
    head.push_str("use std::net::{Ipv4Addr, SocketAddrV4};\n");
    head.push_str("use std::sync::{Condvar, Mutex, MutexGuard};\nuse std::time::{Duration, Instant};\n\n");
    let order: Vec<String> = plan.order().iter().map(|l| l.to_string()).collect();
    let _ = writeln!(
        head,
        "\n/// The lines that take turns, in the lesson's order.\nconst LINES: &[usize] = &[{}];",
        order.join(", ")
    );
    let _ = writeln!(
        head,
        "/// A call still running after this is blocked: the next line may start.\nconst GRACE: Duration = Duration::from_millis({GRACE_MS});"
    );
    head.push_str(
        "/// A program stuck longer says so and stops.\nconst WATCHDOG: Duration = Duration::from_secs(60);\n",
    );
    head.push_str("\n/// The errnos the lesson speaks of, by name.\nfn errname(e: i32) -> String {\n    match e {\n");
    for e in Errno::ALL {
        let _ = writeln!(head, "        libc::{0} => \"{0}\".into(),", e.name());
    }
    head.push_str("        _ => io::Error::from_raw_os_error(e).to_string(),\n    }\n}\n");

    let mut out = String::new();
    for (h, host) in plan.hosts.iter().enumerate() {
        let steps: Vec<_> = plan.steps_of(Who::Host(h)).collect();
        let _ =
            write!(out, "\n/// The host {}: its calls, in the lesson's order.\nfn {}() {{\n", host.name, host.ident);
        // Each name's socket is declared where this host first gives it
        // (mutable when given again or closed), or up front, empty, when a line
        // uses it before that (a C program's -1).
        let mut declared: Vec<String> = Vec::new();
        let given_again_or_closed = |name: &str| {
            let gives =
                steps.iter().filter(|s| matches!(&s.what, What::Call { bind: Some(b), .. } if b == name)).count();
            let closes =
                steps.iter().any(|s| matches!(&s.what, What::Call { op: Op::Close { socket }, .. } if socket == name));
            gives > 1 || closes
        };
        for step in &steps {
            for used in socket_of(&step.what) {
                let given_before = steps
                    .iter()
                    .take_while(|s| s.line < step.line)
                    .any(|s| matches!(&s.what, What::Call { bind: Some(b), .. } if b == used));
                if !given_before && !declared.iter().any(|d| d == used) {
                    let given_later =
                        steps.iter().any(|s| matches!(&s.what, What::Call { bind: Some(b), .. } if b == used));
                    let m = if given_later || given_again_or_closed(used) { "mut " } else { "" };
                    let _ = writeln!(out, "    let {m}{used}: Option<Socket> = None;");
                    declared.push(used.to_string());
                }
            }
        }
        // A socket no line uses again is held under `_name`, open until the end.
        let unused = |name: &str| !steps.iter().any(|s| socket_of(&s.what).contains(&name));
        for step in &steps {
            let line = step.line;
            let text = format!("{:?}", step.source);
            match &step.what {
                What::Call { op, want: w, bind } => {
                    if let Want::Unchecked(why) = w {
                        let _ = writeln!(out, "    // line {line}: not checked: {why}");
                    }
                    let call =
                        format!("call({line}, {text}, {}, {}, || {})", op.may_block(), want(plan, w), expr(plan, op));
                    let bind = bind.as_ref().map(|b| if unused(b) { format!("_{b}") } else { b.clone() });
                    match &bind {
                        Some(b) if declared.iter().any(|d| d == b) => {
                            let _ = writeln!(out, "    {b} = {call};");
                        }
                        Some(b) => {
                            let m = if given_again_or_closed(b.trim_start_matches('_')) { "mut " } else { "" };
                            let _ = writeln!(out, "    let {m}{b} = {call};");
                            declared.push(b.clone());
                        }
                        None => {
                            let _ = writeln!(out, "    {call};");
                        }
                    }
                }
                What::State { socket, state } => {
                    let _ = writeln!(out, "    state({line}, {text}, &{socket}, {});", kernel_state(*state));
                }
                What::Note(why) => {
                    let _ = writeln!(out, "    // line {line}: {}: {why}", step.source);
                }
                What::Sleep { .. } | What::Settle => {}
            }
        }
        out.push_str("    keep_open();\n}\n");
    }
    out.push_str("\nfn main() {\n    std::thread::spawn(|| {\n        std::thread::sleep(WATCHDOG);\n");
    out.push_str(
        "        println!(\"still running after {WATCHDOG:?}: a line waits for a call that never returns\");\n",
    );
    out.push_str("        std::process::exit(2);\n    });\n");
    for host in &plan.hosts {
        let _ = writeln!(out, "    std::thread::spawn({});", host.ident);
    }
    for step in plan.steps_of(Who::Main) {
        let line = step.line;
        match &step.what {
            What::Sleep { us, lesson_us } => {
                let capped = if us != lesson_us {
                    format!(
                        " // the lesson waits {}; real time is capped as `socklab run --real` caps it",
                        fmt_us(*lesson_us)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(out, "    pause({line}, {:?}, Duration::from_micros({us}));{capped}", step.source);
            }
            What::Settle => {
                let _ = writeln!(out, "    run_until_settled({line}); // until the blocked calls return");
            }
            What::Note(why) => {
                let _ = writeln!(out, "    // line {line}: {}: {why}", step.source);
            }
            What::Call { .. } | What::State { .. } => {}
        }
    }
    out.push_str("    finish();\n}\n");
    let mut program = head;
    program.push_str(&plan.constants_for(&out, |name, real, what| {
        let [a, b, c, d] = real.octets();
        format!("const {name}: Ipv4Addr = Ipv4Addr::new({a}, {b}, {c}, {d}); // {what}")
    }));
    program.push('\n');
    program.push_str(&super::helpers_for(HELPERS, &out).join("\n\n"));
    program.push('\n');
    program.push_str(&out);
    program
}

/// The socket names a step uses.
fn socket_of(what: &What) -> Vec<&str> {
    match what {
        What::State { socket, .. } => vec![socket],
        What::Call { op, .. } => match op {
            Op::Socket { .. } => vec![],
            Op::Bind { socket, .. }
            | Op::Listen { socket, .. }
            | Op::Accept { socket }
            | Op::Connect { socket, .. }
            | Op::Send { socket, .. }
            | Op::SendTo { socket, .. }
            | Op::Recv { socket, .. }
            | Op::Shutdown { socket, .. }
            | Op::Close { socket }
            | Op::SetOpt { socket, .. }
            | Op::SockName { socket }
            | Op::PeerName { socket }
            | Op::SoError { socket }
            | Op::Disconnect { socket } => vec![socket],
        },
        _ => vec![],
    }
}
