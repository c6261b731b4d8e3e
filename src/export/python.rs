//! A plan as a Python 3 program (the `socket` module, one thread per host).

use super::{fmt_us, header_lines, kernel_state, payload_bytes, Op, Payload, Plan, Want, What, Who, GRACE_MS};
use crate::net::syscall::{Shutdown, SockOpt};
use crate::net::Ipv4Addr;
use std::fmt::Write;

/// The helpers every program carries: the lesson's order across threads, the
/// checks and the final count.
const PRELUDE: &str = r#"
class Order:
    """The lesson's order across the host threads: a line starts once the line
    before it has returned, or has blocked (is still running after GRACE), as
    `socklab run --real` goes on past a call the kernel says would block."""

    def __init__(self, lines):
        self.lines, self.at, self.started, self.busy = lines, 0, None, 0
        self.cv = threading.Condition()

    def begin(self, line, may_block=False):
        i = self.lines.index(line) if line else len(self.lines)
        with self.cv:
            while self.at != i:
                blocked = self.started is not None and time.monotonic() - self.started >= GRACE
                if self.at == i - 1 and blocked:
                    self.at = i  # the line before blocks: go on without it
                    break
                self.cv.wait(GRACE)
            self.started = time.monotonic() if may_block else None
            self.busy += 1

    def end(self, line):
        """The line's call returned: the next line's turn, if it did not come yet."""
        i = self.lines.index(line)
        with self.cv:
            if self.at == i:
                self.at, self.started = i + 1, None
            self.cv.notify_all()

    def done(self):
        """The line is reported: it no longer counts as running."""
        with self.cv:
            self.busy -= 1
            self.cv.notify_all()

    def settle(self, bound):
        """Waits (at most `bound` seconds) until no other call is running."""
        with self.cv:
            self.cv.wait_for(lambda: self.busy <= 1, bound)


order = Order(LINES)
tally = {"met": 0, "unmet": 0}
print_lock = threading.Lock()


class Err(int):
    """The errno a call failed with."""


class SoErr(int):
    """The error getsockopt(SO_ERROR) read (0: none)."""


Addr = collections.namedtuple("Addr", "ip lo hi")
From = collections.namedtuple("From", "data length ip port")
STATES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT",
          7: "CLOSED", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING", 12: "SYN-RECEIVED"}


def show(value):
    if isinstance(value, Err):
        return errno.errorcode.get(value, str(int(value)))
    if isinstance(value, SoErr):
        return "[" + errno.errorcode.get(value, str(int(value))) + "]" if value else "[0]"
    if isinstance(value, socket.socket):
        return "a socket"
    if isinstance(value, str):
        return value
    return repr(value)


def matches(got, want):
    if isinstance(want, (Err, SoErr)) or isinstance(got, (Err, SoErr)):
        return type(got) is type(want) and int(got) == int(want)
    if isinstance(want, Addr):
        return isinstance(got, tuple) and got[0] == want.ip and want.lo <= got[1] <= want.hi
    if isinstance(want, From):
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], tuple)):
            return False
        data, (ip, port) = got
        size = data if isinstance(data, int) else len(data)
        return ((want.data is None or data == want.data) and (want.length is None or size == want.length)
                and ip == want.ip and (want.port is None or port == want.port))
    if isinstance(want, bytes):
        return (got[0] if isinstance(got, tuple) else got) == want
    if isinstance(got, tuple):
        got = got[0]
    if isinstance(got, bytes):
        got = len(got)
    return got == want


def report(line, text, got, want):
    ok = want is None or matches(got, want)
    with print_lock:
        tally["met" if ok else "unmet"] += want is not None
        said = "" if ok else "   <- the lesson expects " + show(want)
        print(f"line {line}: {text}  ->  {show(got)}{said}", flush=True)
    order.done()


def call(line, text, fn, want=None, may_block=False):
    """Makes line `line`'s call in its turn and checks what it returned."""
    order.begin(line, may_block)
    try:
        got = fn()
    except OSError as e:
        got = Err(e.errno)
    except Exception as e:  # a name whose socket never came: its own call failed
        got = e
    finally:
        order.end(line)
    report(line, text, 0 if got is None else got, want)
    return got


def pause(line, text, seconds):
    order.begin(line)
    time.sleep(seconds)
    order.end(line)
    report(line, text, f"slept {seconds} s", None)


def settle(line):
    order.begin(line)
    order.settle(3)
    time.sleep(0.02)
    order.end(line)
    report(line, "run", "the blocked calls returned, or 3 s passed", None)


def finish():
    """Waits for every line's turn and the calls still running (3 s at most), then says how it went."""
    order.begin(None)
    order.settle(3)
    with print_lock:
        met, unmet = tally["met"], tally["unmet"]
        print(f"{met} of {met + unmet} expectations met" if unmet else f"all {met} expectations met", flush=True)
    os._exit(1 if unmet else 0)


def keep_open():
    """A host's sockets stay open until the program ends, as the lesson leaves them."""
    threading.Event().wait()


def stuck():
    print(f"still running after {WATCHDOG} s: a line waits for a call that never returns", flush=True)
    os._exit(2)
"#;

/// What only some programs need.
const STATE_HELPER: &str = r#"

def state(line, text, s, want):
    """The socket's TCP state as the kernel reports it (tcpi_state, TCP_INFO's first byte)."""
    order.begin(line)
    try:
        got = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
        if got == 7:
            got = table_state(s.getsockname())
    except Exception as e:
        got = e
    finally:
        order.end(line)
    ok = got == want or (want == 3 and got == 12)
    with print_lock:
        tally["met" if ok else "unmet"] += 1
        said = "" if ok else "   <- the lesson expects " + STATES[want]
        print(f"line {line}: {text}  ->  {STATES.get(got, show(got))}{said}", flush=True)
    order.done()
"#;

/// A connection the kernel keeps after its socket let go of it.
const TABLE_HELPER: &str = r#"

def table_state(local):
    """A connection that went on without its socket (TIME-WAIT after both FINs:
    tcp_time_wait hands it to a timewait sock, tcp_done leaves the socket CLOSE,
    which TCP_INFO reports) is in the kernel's table, as `ss` shows it:
    /proc/net/tcp by its local end (get_timewait4_sock); not listed: CLOSED."""
    end = socket.inet_aton(local[0])[::-1].hex().upper() + ":%04X" % local[1]
    with open("/proc/net/tcp") as table:
        for row in table.readlines()[1:]:
            fields = row.split()
            if fields[1] == end:
                return int(fields[3], 16)
    return 7
"#;

const SOURCE_HELPERS: &str = r#"

# The source address the model's route picks for an unbound socket; on one
# kernel the route would pick 127.0.0.1 for every host (socklab's native/real.rs).
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def connect_from(s, source, addr):
    s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)  # the port is still picked at connect
    s.bind((source, 0))
    return s.connect(addr)


def sendto_from(s, source, data, addr):
    """An unbound UDP socket's first send binds it, even a send that fails (addr None: a
    send() without an address); the source is the one the model's route picks."""
    s.bind((source, 0))
    return s.send(data) if addr is None else s.sendto(data, addr)
"#;

const ALPHABET_HELPER: &str = r#"

def alphabet(n):
    """`N bytes` in a lesson: the alphabet, repeated."""
    return bytes(ord("a") + i % 26 for i in range(n))
"#;

const TRUNC_HELPER: &str = r#"

def recv_trunc(s, size, flags, sender):
    """A receive whose value is what the call returned, not the bytes copied (MSG_TRUNC)."""
    buf = bytearray(size)
    if sender:
        return s.recvfrom_into(buf, size, flags)
    return s.recv_into(buf, size, flags)
"#;

const NOTHING_HELPER: &str = r#"

def recv_nothing(s, flags, sender):
    """A receive of no bytes as the kernel answers it: Python's recv(0) and recv_into of an
    empty buffer return at once without asking, where the kernel waits for a byte of a TCP
    stream (EAGAIN if non-blocking) and takes a whole UDP datagram; recvmsg asks."""
    data, _, _, address = s.recvmsg(0, 0, flags)
    return (data, address) if sender else data
"#;

/// A Python string literal of `text`.
fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// A Python bytes literal.
fn py_bytes(bytes: &[u8]) -> String {
    // escape_ascii writes \\, \", \', \n, \t, \r and \xNN: Python's escapes too.
    format!("b\"{}\"", bytes.escape_ascii())
}

fn payload(p: &Payload) -> String {
    match p {
        Payload::Alphabet(n) => format!("alphabet({n})"),
        Payload::Text(_) => py_bytes(&payload_bytes(p)),
    }
}

fn ip(plan: &Plan, ip: Ipv4Addr) -> String {
    match plan.constant_of(ip) {
        Some(name) => name,
        None => py_str(&ip.to_string()),
    }
}

fn errno_name(e: crate::net::Errno) -> String {
    format!("errno.{}", e.name())
}

/// The call as a Python expression.
fn expr(plan: &Plan, op: &Op) -> String {
    let addr = |a: Ipv4Addr, port: u16| format!("({}, {port})", ip(plan, a));
    match op {
        Op::Socket { udp: false } => "socket.socket(socket.AF_INET, socket.SOCK_STREAM)".into(),
        Op::Socket { udp: true } => "socket.socket(socket.AF_INET, socket.SOCK_DGRAM)".into(),
        Op::Bind { socket, ip: a, port } => format!("{socket}.bind({})", addr(*a, *port)),
        Op::Listen { socket, backlog } => format!("{socket}.listen({backlog})"),
        Op::Accept { socket } => format!("{socket}.accept()[0]"),
        Op::Connect { socket, ip: a, port, source: None } => format!("{socket}.connect({})", addr(*a, *port)),
        Op::Connect { socket, ip: a, port, source: Some(s) } => {
            format!("connect_from({socket}, {}, {})", ip(plan, *s), addr(*a, *port))
        }
        Op::Send { socket, data } | Op::SendTo { socket, data, to: None, source: None } => {
            format!("{socket}.send({})", payload(data))
        }
        Op::SendTo { socket, data, to: None, source: Some(s) } => {
            format!("sendto_from({socket}, {}, {}, None)", ip(plan, *s), payload(data))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: None } => {
            format!("{socket}.sendto({}, {})", payload(data), addr(*a, *port))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: Some(s) } => {
            format!("sendto_from({socket}, {}, {}, {})", ip(plan, *s), payload(data), addr(*a, *port))
        }
        Op::Recv { socket, len, flags, from } => {
            let bits = match (flags.peek, flags.trunc) {
                (false, false) => String::new(),
                (true, false) => ", socket.MSG_PEEK".into(),
                (false, true) => ", socket.MSG_TRUNC".into(),
                (true, true) => ", socket.MSG_PEEK | socket.MSG_TRUNC".into(),
            };
            let sender = if *from { "True" } else { "False" };
            match (flags.trunc, from) {
                (true, _) => format!("recv_trunc({socket}, {len}{bits}, {sender})"),
                (false, _) if *len == 0 => {
                    let flags = if flags.peek { "socket.MSG_PEEK" } else { "0" };
                    format!("recv_nothing({socket}, {flags}, {sender})")
                }
                (false, true) => format!("{socket}.recvfrom({len}{bits})"),
                (false, false) => format!("{socket}.recv({len}{bits})"),
            }
        }
        Op::Shutdown { socket, how } => {
            let how = match how {
                Shutdown::Read => "SHUT_RD",
                Shutdown::Write => "SHUT_WR",
                Shutdown::Both => "SHUT_RDWR",
            };
            format!("{socket}.shutdown(socket.{how})")
        }
        Op::Close { socket } => format!("{socket}.close()"),
        Op::SetOpt { socket, opt } => match opt {
            SockOpt::ReuseAddr(on) => {
                format!("{socket}.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, {})", *on as u8)
            }
            SockOpt::NonBlocking(on) => format!("{socket}.setblocking({})", if *on { "False" } else { "True" }),
            SockOpt::RcvBuf(n) => format!("{socket}.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, {n})"),
            SockOpt::SndBuf(n) => format!("{socket}.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, {n})"),
            SockOpt::NoDelay(on) => {
                format!("{socket}.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, {})", *on as u8)
            }
            SockOpt::QuickAck(on) => {
                format!("{socket}.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, {})", *on as u8)
            }
            SockOpt::Linger { on, secs } => format!(
                "{socket}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", {}, {secs}))",
                *on as u8
            ),
            SockOpt::Congestion(c) => {
                format!("{socket}.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b\"{}\")", c.name())
            }
        },
        Op::SockName { socket } => format!("{socket}.getsockname()"),
        Op::PeerName { socket } => format!("{socket}.getpeername()"),
        Op::SoError { socket } => format!("SoErr({socket}.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))"),
        // export() refuses it for Python before rendering.
        Op::Disconnect { socket } => format!("{socket}.connect(None)"),
    }
}

fn want(plan: &Plan, w: &Want) -> Option<String> {
    let port = |p: Option<u16>| p.map_or("None".into(), |p| p.to_string());
    Some(match w {
        Want::Nothing | Want::Unchecked(_) => return None,
        Want::Errno(e) => format!("Err({})", errno_name(*e)),
        Want::Int(n) => n.to_string(),
        Want::Data(d) => py_bytes(d),
        Want::From { data, len, ip: a, port: p } => format!(
            "From({}, {}, {}, {})",
            data.as_deref().map_or("None".into(), py_bytes),
            len.map_or("None".into(), |l| l.to_string()),
            ip(plan, *a),
            port(*p)
        ),
        Want::Addr { ip: a, lo, hi } => format!("Addr({}, {lo}, {hi})", ip(plan, *a)),
        Want::SoError(e) => format!("SoErr({})", e.map_or("0".into(), errno_name)),
    })
}

pub fn render(plan: &Plan) -> String {
    let file = format!("{}.py", plan.name);
    let run =
        [format!("unshare -rn sh -c 'ip link set lo up && python3 {file}'"), format!("(or just: python3 {file})")];
    let run: Vec<&str> = run.iter().map(String::as_str).collect();
    let mut out = String::from("#!/usr/bin/env python3\n");
    for l in header_lines(plan, &run) {
        out.push_str(if l.is_empty() { "#\n" } else { "# " });
        if !l.is_empty() {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out.push_str("\nimport collections\nimport errno\nimport os\nimport socket\nimport struct\nimport threading\nimport time\n\n");
    out.push_str(CONSTANTS);
    let order = plan.order();
    let lines: Vec<String> = order.iter().map(|l| l.to_string()).collect();
    let _ = writeln!(out, "\n# The lines that take turns, in the lesson's order.\nLINES = [{}]", lines.join(", "));
    let _ = writeln!(
        out,
        "GRACE = {}  # a call still running after {GRACE_MS} ms is blocked: the next line may start",
        GRACE_MS as f64 / 1000.0
    );
    out.push_str("WATCHDOG = 60  # seconds: a program stuck longer says so and stops\n");
    out.push_str(PRELUDE);
    if plan.has_states() {
        out.push_str(STATE_HELPER);
        out.push_str(TABLE_HELPER);
    }
    if plan.uses(|op| matches!(op, Op::Connect { source: Some(_), .. } | Op::SendTo { source: Some(_), .. })) {
        out.push_str(SOURCE_HELPERS);
    }
    if plan.uses(|op| {
        matches!(op, Op::Send { data: Payload::Alphabet(_), .. } | Op::SendTo { data: Payload::Alphabet(_), .. })
    }) {
        out.push_str(ALPHABET_HELPER);
    }
    if plan.uses(|op| matches!(op, Op::Recv { flags, .. } if flags.trunc)) {
        out.push_str(TRUNC_HELPER);
    }
    if plan.uses(|op| matches!(op, Op::Recv { flags, len: 0, .. } if !flags.trunc)) {
        out.push_str(NOTHING_HELPER);
    }
    for (h, host) in plan.hosts.iter().enumerate() {
        let _ = write!(
            out,
            "\n\ndef {}():\n    \"\"\"The host {}: its calls, in the lesson's order.\"\"\"\n",
            host.ident, host.name
        );
        let mut any = false;
        for step in plan.steps_of(Who::Host(h)) {
            any = true;
            let (line, text) = (step.line, py_str(&step.source));
            match &step.what {
                What::Call { op, want: w, bind } => {
                    if let Want::Unchecked(why) = w {
                        let _ = writeln!(out, "    # line {line}: not checked: {why}");
                    }
                    let assign = bind.as_ref().map_or(String::new(), |b| format!("{b} = "));
                    let mut args = format!("{line}, {text}, lambda: {}", expr(plan, op));
                    if let Some(w) = want(plan, w) {
                        let _ = write!(args, ", want={w}");
                    }
                    if op.may_block() {
                        args.push_str(", may_block=True");
                    }
                    let _ = writeln!(out, "    {assign}call({args})");
                }
                What::State { socket, state } => {
                    let _ = writeln!(out, "    state({line}, {text}, {socket}, {})", kernel_state(*state));
                }
                What::Note(why) => {
                    let _ = writeln!(out, "    # line {line}: {}: {why}", step.source);
                }
                What::Sleep { .. } | What::Settle => {}
            }
        }
        if any {
            out.push_str("    keep_open()\n");
        } else {
            out.push_str("    pass\n");
        }
    }
    out.push_str("\n\ndef main():\n");
    out.push_str("    watchdog = threading.Timer(WATCHDOG, stuck)\n    watchdog.daemon = True\n    watchdog.start()\n");
    let hosts: Vec<&str> = plan.hosts.iter().map(|h| h.ident.as_str()).collect();
    let _ = writeln!(
        out,
        "    for host in ({}{}):\n        threading.Thread(target=host, daemon=True).start()",
        hosts.join(", "),
        if hosts.len() == 1 { "," } else { "" }
    );
    for step in plan.steps_of(Who::Main) {
        let line = step.line;
        match &step.what {
            What::Sleep { us, lesson_us } => {
                let capped = if us != lesson_us {
                    format!(
                        "  # the lesson waits {}; real time is capped as `socklab run --real` caps it",
                        fmt_us(*lesson_us)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(out, "    pause({line}, {}, {}){capped}", py_str(&step.source), *us as f64 / 1e6);
            }
            What::Settle => {
                let _ = writeln!(out, "    settle({line})  # run: until the blocked calls return");
            }
            What::Note(why) => {
                let _ = writeln!(out, "    # line {line}: {}: {why}", step.source);
            }
            What::Call { .. } | What::State { .. } => {}
        }
    }
    out.push_str("    finish()\n\n\nif __name__ == \"__main__\":\n    main()\n");
    let constants =
        plan.constants_for(&out, |name, real, what| format!("{name} = {}  # {what}", py_str(&real.to_string())));
    out.replacen(CONSTANTS, &constants, 1)
}

/// Where the constants go, once the program says which it uses.
const CONSTANTS: &str = "@@constants@@\n";
