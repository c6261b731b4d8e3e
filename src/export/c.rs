//! A plan as a C program (POSIX sockets, one pthread per host).

use super::{fmt_us, header_lines, kernel_state, Op, Payload, Plan, Want, What, Who, GRACE_MS};
use crate::net::syscall::{Shutdown, SockOpt};
use crate::net::{Errno, Ipv4Addr};
use std::fmt::Write;

/// The program's helpers, each with the name a use of it shows: a program carries
/// the ones it uses (and what those use), so a C compiler warns of none unused.
const HELPERS: &[(&str, &str)] = &[
    (
        "mu",
        r#"static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int at;              /* the index in LINES of the line whose turn it is */
static double started = -1; /* when that line's call began, if it may block */
static int busy;            /* calls running */
static int met, unmet;      /* expectations */"#,
    ),
    (
        "now",
        r#"static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}"#,
    ),
    (
        "wait_a_little",
        r#"/* Waits on cv for GRACE_MS at most; mu held. */
static void wait_a_little(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += GRACE_MS * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&cv, &mu, &t);
}"#,
    ),
    (
        "turn_of",
        r#"static int turn_of(int line) {
    for (int i = 0; i < NLINES; i++)
        if (LINES[i] == line)
            return i;
    return NLINES;
}"#,
    ),
    (
        "begin",
        r#"/* The lesson's order across the host threads: a line starts once the line
   before it has returned, or has blocked (is still running after GRACE_MS), as
   `socklab run --real` goes on past a call the kernel says would block. */
static void begin(int line, int may_block) {
    int i = turn_of(line);
    pthread_mutex_lock(&mu);
    while (at != i) {
        if (at == i - 1 && started >= 0 && now() - started >= GRACE_MS / 1000.0) {
            at = i; /* the line before blocks: go on without it */
            break;
        }
        wait_a_little();
    }
    started = may_block ? now() : -1;
    busy++;
    pthread_mutex_unlock(&mu);
}"#,
    ),
    (
        "end",
        r#"/* The line's call returned: the next line's turn, if it did not come yet. */
static void end(int line) {
    pthread_mutex_lock(&mu);
    if (at == turn_of(line)) {
        at++;
        started = -1;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}"#,
    ),
    (
        "settle",
        r#"/* Waits (at most `bound` seconds) until no other call is running. */
static void settle(double bound) {
    double until = now() + bound;
    pthread_mutex_lock(&mu);
    while (busy > 1 && now() < until)
        wait_a_little();
    pthread_mutex_unlock(&mu);
}"#,
    ),
    (
        "CALL",
        r#"/* Makes a call in its line's turn: r its value, e its errno. */
#define CALL(line, may_block, expr) (begin(line, may_block), r = (expr), e = errno, end(line))"#,
    ),
    (
        "addr",
        r#"static struct sockaddr *addr(struct sockaddr_in *sa, const char *ip, int port) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    inet_pton(AF_INET, ip, &sa->sin_addr);
    return (struct sockaddr *)sa;
}"#,
    ),
    (
        "report",
        r#"static void report(int line, const char *text, const char *got, int ok, const char *want) {
    pthread_mutex_lock(&mu);
    if (want) {
        if (ok)
            met++;
        else
            unmet++;
    }
    printf("line %d: %s  ->  %s%s%s\n", line, text, got, ok ? "" : "   <- the lesson expects ", ok ? "" : want);
    fflush(stdout);
    busy--; /* the line is done once it is reported */
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}"#,
    ),
    (
        "shown",
        r#"/* A call's value as the lesson writes it: a number, or the errno's name. */
static const char *shown(int r, int e, char *out) {
    if (r < 0)
        return errname(e);
    sprintf(out, "%d", r);
    return out;
}"#,
    ),
    (
        "check",
        r#"static void check(int line, const char *text, int r, int e) {
    char got[32];
    report(line, text, shown(r, e, got), 1, NULL);
}"#,
    ),
    (
        "check_int",
        r#"static void check_int(int line, const char *text, int r, int e, int want) {
    char got[32], wanted[32];
    sprintf(wanted, "%d", want);
    report(line, text, shown(r, e, got), r == want, wanted);
}"#,
    ),
    (
        "check_errno",
        r#"static void check_errno(int line, const char *text, int r, int e, int want) {
    char got[32];
    report(line, text, shown(r, e, got), r < 0 && e == want, errname(want));
}"#,
    ),
    (
        "check_data",
        r#"static void check_data(int line, const char *text, int r, int e, const char *buf, const char *want, int len) {
    char got[80];
    if (r < 0)
        strcpy(got, errname(e));
    else
        snprintf(got, sizeof got, "\"%.*s\"", r, buf);
    report(line, text, got, r == len && memcmp(buf, want, len) == 0, want);
}"#,
    ),
    (
        "check_from",
        r#"static void check_from(int line, const char *text, int r, int e, const char *buf, const char *data, int len,
                       const struct sockaddr_in *from, const char *ip, int port) {
    char got[120], host[INET_ADDRSTRLEN] = "?", wanted[120];
    inet_ntop(AF_INET, &from->sin_addr, host, sizeof host);
    if (r < 0)
        strcpy(got, errname(e));
    else
        snprintf(got, sizeof got, "%d bytes from %s:%d", r, host, ntohs(from->sin_port));
    snprintf(wanted, sizeof wanted, "%d bytes%s%s from %s:%d", len, data ? " " : "", data ? data : "", ip, port);
    int ok = r == len && (!data || memcmp(buf, data, len) == 0) && strcmp(host, ip) == 0 &&
             (port < 0 || ntohs(from->sin_port) == port);
    report(line, text, got, ok, wanted);
}"#,
    ),
    (
        "check_name",
        r#"static void check_name(int line, const char *text, int r, int e, const struct sockaddr_in *sa, const char *ip,
                       int lo, int hi) {
    char got[64], host[INET_ADDRSTRLEN] = "?", wanted[64];
    inet_ntop(AF_INET, &sa->sin_addr, host, sizeof host);
    int port = ntohs(sa->sin_port);
    if (r < 0)
        strcpy(got, errname(e));
    else
        snprintf(got, sizeof got, "%s:%d", host, port);
    snprintf(wanted, sizeof wanted, "%s:%d..%d", ip, lo, hi);
    report(line, text, got, r == 0 && strcmp(host, ip) == 0 && lo <= port && port <= hi, wanted);
}"#,
    ),
    (
        "check_so_error",
        r#"static void check_so_error(int line, const char *text, int r, int e, int value, int want) {
    char got[32], wanted[32];
    if (r < 0)
        strcpy(got, errname(e));
    else
        snprintf(got, sizeof got, "[%s]", value ? errname(value) : "0");
    snprintf(wanted, sizeof wanted, "[%s]", want ? errname(want) : "0");
    report(line, text, got, r == 0 && value == want, wanted);
}"#,
    ),
    (
        "pause_for",
        r#"static void pause_for(int line, const char *text, double seconds) {
    char slept[32];
    begin(line, 0);
    usleep((useconds_t)(seconds * 1e6));
    end(line);
    snprintf(slept, sizeof slept, "slept %g s", seconds);
    report(line, text, slept, 1, NULL);
}"#,
    ),
    (
        "run_until_settled",
        r#"static void run_until_settled(int line, const char *text) {
    begin(line, 0);
    settle(3);
    usleep(20000);
    end(line);
    report(line, text, "the blocked calls returned, or 3 s passed", 1, NULL);
}"#,
    ),
    (
        "finish",
        r#"/* Waits for every line's turn and the calls still running (3 s at most), then says how it went. */
static void finish(void) {
    begin(0, 0);
    settle(3);
    pthread_mutex_lock(&mu);
    if (unmet)
        printf("%d of %d expectations met\n", met, met + unmet);
    else
        printf("all %d expectations met\n", met);
    fflush(stdout);
    exit(unmet ? 1 : 0);
}"#,
    ),
    (
        "stuck",
        r#"static void stuck(int sig) {
    (void)sig;
    static const char msg[] = "still running after the watchdog's time: a line waits for a call that never returns\n";
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(2);
    _exit(2);
}"#,
    ),
    (
        "STATES",
        r#"static const char *STATES[] = {"?", "ESTABLISHED", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1", "FIN-WAIT-2",
                               "TIME-WAIT", "CLOSED", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "SYN-RECEIVED"};"#,
    ),
    (
        "table_state",
        r#"/* A connection that went on without its socket (TIME-WAIT after both FINs:
   tcp_time_wait hands it to a timewait sock, tcp_done leaves the socket CLOSE,
   which TCP_INFO reports) is in the kernel's table, as `ss` shows it:
   /proc/net/tcp by its local end (get_timewait4_sock); not listed: CLOSED. */
static int table_state(int s) {
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    char row[512], end[32];
    unsigned local, port, st;
    int found = 7;
    if (getsockname(s, (struct sockaddr *)&sa, &len) < 0)
        return 7;
    snprintf(end, sizeof end, "%08X:%04X", (unsigned)sa.sin_addr.s_addr, ntohs(sa.sin_port));
    FILE *table = fopen("/proc/net/tcp", "r");
    if (!table)
        return 7;
    while (fgets(row, sizeof row, table))
        if (sscanf(row, " %*d: %X:%X %*X:%*X %X", &local, &port, &st) == 3) {
            char this_end[32];
            snprintf(this_end, sizeof this_end, "%08X:%04X", local, port);
            if (strcmp(this_end, end) == 0)
                found = (int)st;
        }
    fclose(table);
    return found;
}"#,
    ),
    (
        "state",
        r#"/* The socket's TCP state as the kernel reports it (tcpi_state, from TCP_INFO). */
static void state(int line, const char *text, int s, int want) {
    struct tcp_info info;
    socklen_t len = sizeof info;
    begin(line, 0);
    int r = getsockopt(s, IPPROTO_TCP, TCP_INFO, &info, &len);
    int got = r < 0 ? 0 : info.tcpi_state == 7 ? table_state(s) : info.tcpi_state;
    end(line);
    report(line, text, got > 0 && got <= 12 ? STATES[got] : "(no state)", got == want || (want == 3 && got == 12),
           STATES[want]);
}"#,
    ),
    (
        "connect_from",
        r#"/* The source address the model's route picks for an unbound socket; on one
   kernel the route would pick 127.0.0.1 for every host (socklab's native/real.rs). */
static int connect_from(int s, const char *source, const struct sockaddr *to, socklen_t len) {
    struct sockaddr_in sa;
    int on = 1;
    setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on); /* the port is still picked at connect */
    if (bind(s, addr(&sa, source, 0), sizeof sa) < 0)
        return -1;
    return connect(s, to, len);
}"#,
    ),
    (
        "sendto_from",
        r#"/* An unbound UDP socket's first send binds it, even a send that fails (to NULL: a send()
   without an address); the source is the one the model's route picks, as in connect_from. */
static int sendto_from(int s, const char *source, const char *data, int n, const struct sockaddr *to, socklen_t len) {
    struct sockaddr_in sa;
    if (bind(s, addr(&sa, source, 0), sizeof sa) < 0)
        return -1;
    return sendto(s, data, n, MSG_NOSIGNAL, to, len);
}"#,
    ),
    (
        "set_int",
        r#"static int set_int(int s, int level, int option, int value) {
    return setsockopt(s, level, option, &value, sizeof value);
}"#,
    ),
    (
        "set_nonblocking",
        r#"static int set_nonblocking(int s, int on) {
    int flags = fcntl(s, F_GETFL);
    return flags < 0 ? -1 : fcntl(s, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0 ? -1 : 0;
}"#,
    ),
    (
        "set_linger",
        r#"static int set_linger(int s, int on, int secs) {
    struct linger l = {on, secs};
    return setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}"#,
    ),
    (
        "so_error",
        r#"static int so_error(int s, int *value) {
    socklen_t len = sizeof *value;
    return getsockopt(s, SOL_SOCKET, SO_ERROR, value, &len);
}"#,
    ),
    (
        "disconnect",
        r#"/* connect(fd, AF_UNSPEC): dissolves the socket's association. */
static int disconnect(int s) {
    struct sockaddr sa = {.sa_family = AF_UNSPEC};
    return connect(s, &sa, sizeof sa);
}"#,
    ),
];

/// A C string literal: printable ASCII as it is, anything else in octal (a hex
/// escape would swallow a following hex digit).
fn c_str(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'?' => out.push_str("\\?"),
            b' '..=b'~' => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('"');
    out
}

fn ip(plan: &Plan, ip: Ipv4Addr) -> String {
    plan.constant_of(ip).unwrap_or_else(|| c_str(ip.to_string().as_bytes()))
}

/// The bytes and their count.
fn payload(p: &Payload) -> String {
    match p {
        Payload::Alphabet(n) => format!("ALPHABET, {n}"),
        Payload::Text(t) => format!("{}, {}", c_str(t), t.len()),
    }
}

/// The call as a C expression (the value `r` takes).
fn expr(plan: &Plan, op: &Op, bind: Option<&str>) -> String {
    let to = |a: Ipv4Addr, port: u16| format!("addr(&sa, {}, {port}), sizeof sa", ip(plan, a));
    let call = match op {
        Op::Socket { udp: false } => "socket(AF_INET, SOCK_STREAM, 0)".into(),
        Op::Socket { udp: true } => "socket(AF_INET, SOCK_DGRAM, 0)".into(),
        Op::Bind { socket, ip: a, port } => format!("bind({socket}, {})", to(*a, *port)),
        Op::Listen { socket, backlog } => format!("listen({socket}, {backlog})"),
        Op::Accept { socket } => format!("accept({socket}, NULL, NULL)"),
        Op::Connect { socket, ip: a, port, source: None } => format!("connect({socket}, {})", to(*a, *port)),
        Op::Connect { socket, ip: a, port, source: Some(s) } => {
            format!("connect_from({socket}, {}, {})", ip(plan, *s), to(*a, *port))
        }
        Op::Send { socket, data } | Op::SendTo { socket, data, to: None, source: None } => {
            format!("send({socket}, {}, MSG_NOSIGNAL)", payload(data))
        }
        Op::SendTo { socket, data, to: None, source: Some(s) } => {
            format!("sendto_from({socket}, {}, {}, NULL, 0)", ip(plan, *s), payload(data))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: None } => {
            format!("sendto({socket}, {}, MSG_NOSIGNAL, {})", payload(data), to(*a, *port))
        }
        Op::SendTo { socket, data, to: Some((a, port)), source: Some(s) } => {
            format!("sendto_from({socket}, {}, {}, {})", ip(plan, *s), payload(data), to(*a, *port))
        }
        Op::Recv { socket, len, flags, from } => {
            let bits = flags.render();
            if *from {
                format!("recvfrom({socket}, buf, {len}, {bits}, (struct sockaddr *)&sa, (salen = sizeof sa, &salen))")
            } else {
                format!("recv({socket}, buf, {len}, {bits})")
            }
        }
        Op::Shutdown { socket, how } => {
            let how = match how {
                Shutdown::Read => "SHUT_RD",
                Shutdown::Write => "SHUT_WR",
                Shutdown::Both => "SHUT_RDWR",
            };
            format!("shutdown({socket}, {how})")
        }
        Op::Close { socket } => format!("close({socket})"),
        Op::SetOpt { socket, opt } => match opt {
            SockOpt::ReuseAddr(on) => format!("set_int({socket}, SOL_SOCKET, SO_REUSEADDR, {})", *on as u8),
            SockOpt::NonBlocking(on) => format!("set_nonblocking({socket}, {})", *on as u8),
            SockOpt::RcvBuf(n) => format!("set_int({socket}, SOL_SOCKET, SO_RCVBUF, {n})"),
            SockOpt::SndBuf(n) => format!("set_int({socket}, SOL_SOCKET, SO_SNDBUF, {n})"),
            SockOpt::NoDelay(on) => format!("set_int({socket}, IPPROTO_TCP, TCP_NODELAY, {})", *on as u8),
            SockOpt::QuickAck(on) => format!("set_int({socket}, IPPROTO_TCP, TCP_QUICKACK, {})", *on as u8),
            SockOpt::Linger { on, secs } => format!("set_linger({socket}, {}, {secs})", *on as u8),
            SockOpt::Congestion(c) => {
                let name = c.name();
                format!("setsockopt({socket}, IPPROTO_TCP, TCP_CONGESTION, \"{name}\", {})", name.len())
            }
        },
        Op::SockName { socket } => {
            format!("getsockname({socket}, (struct sockaddr *)&sa, (salen = sizeof sa, &salen))")
        }
        Op::PeerName { socket } => {
            format!("getpeername({socket}, (struct sockaddr *)&sa, (salen = sizeof sa, &salen))")
        }
        Op::SoError { socket } => format!("so_error({socket}, &value)"),
        Op::Disconnect { socket } => format!("disconnect({socket})"),
    };
    match bind {
        Some(name) => format!("{name} = {call}"),
        None => call,
    }
}

fn check(plan: &Plan, line: usize, text: &str, w: &Want) -> String {
    let port = |p: Option<u16>| p.map_or(-1, i32::from);
    match w {
        Want::Nothing | Want::Unchecked(_) => format!("check({line}, {text}, r, e);"),
        Want::Errno(errno) => format!("check_errno({line}, {text}, r, e, {});", errno.name()),
        Want::Int(n) => format!("check_int({line}, {text}, r, e, {n});"),
        Want::Data(d) => format!("check_data({line}, {text}, r, e, buf, {}, {});", c_str(d), d.len()),
        Want::From { data, len, ip: a, port: p } => {
            let (data, n) = match (data, len) {
                (Some(d), _) => (c_str(d), d.len() as u64),
                (None, Some(n)) => ("NULL".into(), *n),
                (None, None) => ("NULL".into(), 0),
            };
            format!("check_from({line}, {text}, r, e, buf, {data}, {n}, &sa, {}, {});", ip(plan, *a), port(*p))
        }
        Want::Addr { ip: a, lo, hi } => format!("check_name({line}, {text}, r, e, &sa, {}, {lo}, {hi});", ip(plan, *a)),
        Want::SoError(e) => {
            format!("check_so_error({line}, {text}, r, e, value, {});", e.map_or("0", |e| e.name()))
        }
    }
}

pub fn render(plan: &Plan) -> String {
    let file = format!("{}.c", plan.name);
    let build = format!("cc -pthread -o {0} {file} && unshare -rn sh -c 'ip link set lo up && ./{0}'", plan.name);
    let plain = format!("(or just: cc -pthread -o {0} {file} && ./{0})", plan.name);
    let mut out = String::from("/*\n");
    for l in header_lines(plan, &[&build, &plain]) {
        out.push_str(if l.is_empty() { " *\n" } else { " * " });
        if !l.is_empty() {
            out.push_str(&l.replace("*/", "* /"));
            out.push('\n');
        }
    }
    out.push_str(" */\n#define _GNU_SOURCE\n");
    for h in [
        "arpa/inet.h",
        "errno.h",
        "fcntl.h",
        "netinet/in.h",
        "netinet/tcp.h",
        "pthread.h",
        "signal.h",
        "stdio.h",
        "stdlib.h",
        "string.h",
        "sys/socket.h",
        "time.h",
        "unistd.h",
    ] {
        let _ = writeln!(out, "#include <{h}>");
    }
    out.push('\n');
    let order: Vec<String> = plan.order().iter().map(|l| l.to_string()).collect();
    let _ = writeln!(
        out,
        "\n/* The lines that take turns, in the lesson's order. */\nstatic const int LINES[] = {{{}}};",
        if order.is_empty() { "0".to_string() } else { order.join(", ") }
    );
    let _ = writeln!(out, "enum {{ NLINES = {} }};", order.len());
    let _ = writeln!(
        out,
        "#define GRACE_MS {GRACE_MS} /* a call still running after this is blocked: the next line may start */"
    );
    out.push_str("#define WATCHDOG_S 60 /* a program stuck longer says so and stops */\n");
    let alphabet = plan
        .steps
        .iter()
        .filter_map(|s| match &s.what {
            What::Call {
                op: Op::Send { data: Payload::Alphabet(n), .. } | Op::SendTo { data: Payload::Alphabet(n), .. },
                ..
            } => Some(*n),
            _ => None,
        })
        .max();
    if let Some(n) = alphabet {
        let _ = writeln!(out, "static char ALPHABET[{n}]; /* `N bytes` in a lesson: the alphabet, repeated */");
    }
    out.push_str(
        "\n/* The errnos the lesson speaks of, by name. */\nstatic const char *errname(int e) {\n    switch (e) {\n",
    );
    for e in Errno::ALL {
        let _ = writeln!(out, "    case {0}: return \"{0}\";", e.name());
    }
    out.push_str("    default: return strerror(e);\n    }\n}\n");
    let head = out;
    let mut out = String::new();
    for (h, host) in plan.hosts.iter().enumerate() {
        let steps: Vec<_> = plan.steps_of(Who::Host(h)).collect();
        let _ = write!(out, "\n/* The host {}: its calls, in the lesson's order. */\nstatic void *{}(void *unused) {{\n    (void)unused;\n", host.name, host.ident);
        let ops = || {
            steps.iter().filter_map(|s| match &s.what {
                What::Call { op, .. } => Some(op),
                _ => None,
            })
        };
        if ops().next().is_some() {
            out.push_str("    int r, e;\n");
        }
        if !host.sockets.is_empty() {
            let names: Vec<String> = host.sockets.iter().map(|s| format!("{s} = -1")).collect();
            let _ = writeln!(out, "    int {};", names.join(", "));
        }
        let needs_sa = ops().any(|op| {
            matches!(
                op,
                Op::Bind { .. }
                    | Op::Connect { .. }
                    | Op::SendTo { to: Some(_), .. }
                    | Op::SockName { .. }
                    | Op::PeerName { .. }
                    | Op::Recv { from: true, .. }
            )
        });
        if needs_sa {
            out.push_str("    struct sockaddr_in sa;\n");
        }
        if ops().any(|op| matches!(op, Op::SockName { .. } | Op::PeerName { .. } | Op::Recv { from: true, .. })) {
            out.push_str("    socklen_t salen;\n");
        }
        if ops().any(|op| matches!(op, Op::SoError { .. })) {
            out.push_str("    int value = 0;\n");
        }
        let recv = ops()
            .filter_map(|op| match op {
                Op::Recv { len, .. } => Some(*len),
                _ => None,
            })
            .max();
        if let Some(n) = recv {
            let _ = writeln!(out, "    static char buf[{}];", n.max(1));
        }
        for step in &steps {
            let line = step.line;
            let text = c_str(step.source.as_bytes());
            match &step.what {
                What::Call { op, want, bind } => {
                    if let Want::Unchecked(why) = want {
                        let _ = writeln!(out, "    /* line {line}: not checked: {} */", why.replace("*/", "* /"));
                    }
                    let _ = writeln!(
                        out,
                        "    CALL({line}, {}, {});",
                        op.may_block() as u8,
                        expr(plan, op, bind.as_deref())
                    );
                    let _ = writeln!(out, "    {}", check(plan, line, &text, want));
                }
                What::State { socket, state } => {
                    let _ = writeln!(out, "    state({line}, {text}, {socket}, {});", kernel_state(*state));
                }
                What::Note(why) => {
                    let _ = writeln!(
                        out,
                        "    /* line {line}: {}: {} */",
                        step.source.replace("*/", "* /"),
                        why.replace("*/", "* /")
                    );
                }
                What::Sleep { .. } | What::Settle => {}
            }
        }
        out.push_str("    return NULL;\n}\n");
    }
    out.push_str("\nint main(void) {\n");
    let n = plan.hosts.len();
    let _ = writeln!(out, "    pthread_t threads[{}];", n.max(1));
    out.push_str("    signal(SIGALRM, stuck);\n    alarm(WATCHDOG_S);\n");
    if alphabet.is_some() {
        out.push_str("    for (size_t i = 0; i < sizeof ALPHABET; i++)\n        ALPHABET[i] = 'a' + i % 26;\n");
    }
    for (i, host) in plan.hosts.iter().enumerate() {
        let _ = writeln!(out, "    pthread_create(&threads[{i}], NULL, {}, NULL);", host.ident);
    }
    if n == 0 {
        out.push_str("    (void)threads;\n");
    }
    for step in plan.steps_of(Who::Main) {
        let line = step.line;
        let source = step.source.replace("*/", "* /");
        match &step.what {
            What::Sleep { us, lesson_us } => {
                let capped = if us != lesson_us {
                    format!(
                        " /* the lesson waits {}; real time is capped as `socklab run --real` caps it */",
                        fmt_us(*lesson_us)
                    )
                } else {
                    String::new()
                };
                let text = c_str(step.source.as_bytes());
                let _ = writeln!(out, "    pause_for({line}, {text}, {});{capped}", *us as f64 / 1e6);
            }
            What::Settle => {
                let _ = writeln!(out, "    run_until_settled({line}, \"run\"); /* until the blocked calls return */");
            }
            What::Note(why) => {
                let _ = writeln!(out, "    /* line {line}: {source}: {} */", why.replace("*/", "* /"));
            }
            What::Call { .. } | What::State { .. } => {}
        }
    }
    out.push_str("    finish();\n}\n");
    let mut program = head;
    program.push_str(&plan.constants_for(&out, |name, real, what| format!("#define {name} \"{real}\" /* {what} */")));
    program.push('\n');
    program.push_str(&super::helpers_for(HELPERS, &out).join("\n\n"));
    program.push('\n');
    program.push_str(&out);
    program
}
