//! The lessons the page offers: a world to build and the socket calls to make in it,
//! at simulated times. Plain Rust, no web.

use std::rc::Rc;
use std::sync::Arc;

use super::i18n::Lang;
use super::scripts::{self, Prepared, ScriptRun, SCRIPTS};
use super::timeline::Cmd;
use crate::net::{Command, Domain, HostId, Ipv4Addr, LinkConfig, Protocol, SocketAddrV4, SysCall, World, WorldError};
use crate::script::{RunReport, ScriptError};

/// A lesson's world and its commands.
pub type Built = (World, Vec<Command>);

/// Where a lesson comes from.
#[derive(Clone)]
pub enum Source {
    /// Built in Rust (the tour).
    Builtin(fn(u64) -> Result<Built, WorldError>),
    /// A script from `scenarios/`.
    Script(&'static str),
    /// The learner's own script.
    Sandbox(Rc<str>),
}

/// One lesson: its id (for links), words in both languages, and its source.
#[derive(Clone)]
pub struct Lesson {
    pub id: String,
    pub title_en: String,
    pub title_ko: String,
    pub about_en: String,
    pub about_ko: String,
    pub source: Source,
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.text() == other.text()
    }
}

impl std::fmt::Debug for Lesson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lesson({})", self.id)
    }
}

/// What running a lesson gives the page.
pub struct Run {
    pub world: World,
    pub commands: Vec<Cmd>,
    /// The script runner's report (per-line outcomes), for script lessons.
    pub report: Option<RunReport>,
}

impl From<Prepared> for Run {
    fn from(p: Prepared) -> Run {
        Run { world: p.world, commands: p.commands, report: Some(p.report) }
    }
}

/// A lesson on its way to the page: built at once, or a script still to run.
pub enum Start {
    Ready(Box<Run>),
    /// A script, parsed and with its set-up lines run; the rest runs in slices.
    Script(Box<ScriptRun>),
}

/// Why a lesson could not be run.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildError {
    Script(ScriptError),
    World(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Script(e) => write!(f, "line {}, column {}: {}", e.line, e.col, e.message),
            BuildError::World(e) => f.write_str(e),
        }
    }
}

impl Lesson {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.title_en,
            Lang::Ko => &self.title_ko,
        }
    }

    pub fn about(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.about_en,
            Lang::Ko => &self.about_ko,
        }
    }

    /// The script text, for script and sandbox lessons.
    pub fn text(&self) -> Option<&str> {
        match &self.source {
            Source::Builtin(_) => None,
            Source::Script(t) => Some(t),
            Source::Sandbox(t) => Some(t),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.source, Source::Sandbox(_))
    }

    /// The world and the commands; `seed` overrides a script's own seed line.
    pub fn build(&self, seed: Option<u64>) -> Result<Run, BuildError> {
        Ok(match self.start(seed)? {
            Start::Ready(run) => *run,
            Start::Script(run) => run.finish().into(),
        })
    }

    /// Starts building the lesson: a built-in one is built at once; a script is
    /// parsed (so its errors show at once) and left to run in slices.
    pub fn start(&self, seed: Option<u64>) -> Result<Start, BuildError> {
        let text = match &self.source {
            Source::Builtin(f) => {
                return f(seed.unwrap_or(1))
                    .map(|(world, commands)| {
                        Start::Ready(Box::new(Run {
                            world,
                            commands: commands.into_iter().map(Cmd::Do).collect(),
                            report: None,
                        }))
                    })
                    .map_err(|e| BuildError::World(e.to_string()));
            }
            Source::Script(t) => t,
            Source::Sandbox(t) => &**t,
        };
        scripts::start(text, seed).map(|run| Start::Script(Box::new(run))).map_err(BuildError::Script)
    }

    /// A lesson from a script's text (its title and about lines).
    pub fn from_script(id: &str, text: &'static str) -> Lesson {
        let meta = crate::script::parse(text).map(|s| s.meta).unwrap_or_default();
        let en = meta.title_en.clone().unwrap_or_else(|| id.replace('_', " "));
        Lesson {
            id: id.to_string(),
            title_ko: meta.title_ko.unwrap_or_else(|| en.clone()),
            title_en: en,
            about_en: meta.about_en.unwrap_or_default(),
            about_ko: meta.about_ko.unwrap_or_default(),
            source: Source::Script(text),
        }
    }

    /// The learner's own script.
    pub fn sandbox(text: &str) -> Lesson {
        Lesson {
            id: SANDBOX.to_string(),
            title_en: "Sandbox: your own script".into(),
            title_ko: "샌드박스: 직접 쓰는 스크립트".into(),
            about_en: "Edit the script and run it: hosts, links, socket calls, faults and expectations. \
                       Errors are shown at their line."
                .into(),
            about_ko: "스크립트를 고치고 실행해 보세요. 호스트, 링크, 소켓 호출, 장애, 기대값을 쓸 수 있습니다. \
                       오류는 해당 줄에 표시됩니다."
                .into(),
            source: Source::Sandbox(Rc::from(text)),
        }
    }
}

/// The id of the sandbox lesson.
pub const SANDBOX: &str = "sandbox";

/// The whole library: the built-in tour, then every script (the handshake first).
pub fn library() -> Vec<Lesson> {
    let mut out: Vec<Lesson> = BUILTIN
        .iter()
        .map(|(id, te, tk, ae, ak, f)| Lesson {
            id: id.to_string(),
            title_en: te.to_string(),
            title_ko: tk.to_string(),
            about_en: ae.to_string(),
            about_ko: ak.to_string(),
            source: Source::Builtin(*f),
        })
        .collect();
    let mut scripts: Vec<Lesson> = SCRIPTS.iter().map(|(id, t)| Lesson::from_script(id, t)).collect();
    scripts.sort_by_key(|l| l.id != "handshake");
    out.extend(scripts);
    out
}

type BuiltinEntry =
    (&'static str, &'static str, &'static str, &'static str, &'static str, fn(u64) -> Result<Built, WorldError>);

pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// The built-in tour, in the order the picker shows it.
const BUILTIN: [BuiltinEntry; 2] = [
    (
        "tour",
        "Tour — TCP: handshake, hello, goodbye",
        "둘러보기 — TCP: 연결, 인사, 작별",
        "The server binds port 80, listens and waits in accept(). The client's connect() sends a SYN; \
                   the server answers SYN-ACK; the client's ACK completes the three-way handshake. The client \
                   sends \"hello\", the server reads it, and both sides close with FIN and ACK. Step through \
                   it and watch each socket's state change.",
        "서버는 80번 포트에 bind하고 listen한 뒤 accept()에서 기다립니다. 클라이언트의 connect()가 SYN을 \
                   보내고, 서버가 SYN-ACK로 답하고, 클라이언트의 ACK로 3-way 핸드셰이크가 끝납니다. 클라이언트가 \
                   \"hello\"를 보내고 서버가 읽은 뒤, 양쪽이 FIN과 ACK로 연결을 닫습니다. 한 단계씩 넘기며 각 \
                   소켓의 상태가 어떻게 바뀌는지 보세요.",
        handshake,
    ),
    (
        "udp-ten",
        "Tour — UDP: ten datagrams, raise the loss yourself",
        "둘러보기 — UDP: 데이터그램 열 개, 손실률을 직접 올려 보기",
        "The client sends ten datagrams to a UDP server, one every 5 ms. UDP has no handshake, no \
                   acknowledgements and no retransmission: raise the link's loss and count how many reach the \
                   server's receive buffer.",
        "클라이언트가 UDP 서버에 5 ms마다 데이터그램을 하나씩, 모두 열 개 보냅니다. UDP에는 핸드셰이크도, \
                   확인 응답도, 재전송도 없습니다. 링크의 손실률을 올리고 서버의 수신 버퍼에 몇 개가 도착하는지 \
                   세어 보세요.",
        udp_loss,
    ),
];

const MS: u64 = 1_000;

fn two_hosts(seed: u64) -> Result<(World, HostId, HostId), WorldError> {
    let mut world = World::new(seed);
    let client = world.add_host("client", &[CLIENT_IP])?;
    let server = world.add_host("server", &[SERVER_IP])?;
    world.add_link(client, server, LinkConfig { latency_us: 10 * MS, ..LinkConfig::default() })?;
    Ok((world, client, server))
}

fn at(ms: u64) -> Command {
    Command::RunUntil { until: ms * MS }
}

fn call(host: HostId, call: SysCall) -> Command {
    Command::Call { host, call }
}

fn tcp_socket() -> SysCall {
    SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Tcp }
}

/// Handshake, "hello", and an orderly close, between 10.0.0.2 and 10.0.0.1:80.
fn handshake(seed: u64) -> Result<Built, WorldError> {
    let (world, c, s) = two_hosts(seed)?;
    let server = SocketAddrV4::new(SERVER_IP, 80);
    let cmds = vec![
        call(s, tcp_socket()),
        call(s, SysCall::Bind { fd: 3, addr: server }),
        call(s, SysCall::Listen { fd: 3, backlog: 16 }),
        call(s, SysCall::Accept { fd: 3 }),
        call(c, tcp_socket()),
        call(c, SysCall::Connect { fd: 3, addr: server }),
        at(30),
        call(s, SysCall::Recv { fd: 4, len: 100 }),
        at(40),
        call(c, SysCall::Send { fd: 3, data: Arc::from(&b"hello"[..]) }),
        at(70),
        call(c, SysCall::Close { fd: 3 }),
        at(80),
        call(s, SysCall::Recv { fd: 4, len: 100 }),
        at(90),
        call(s, SysCall::Close { fd: 4 }),
    ];
    Ok((world, cmds))
}

/// Ten datagrams from the client to 10.0.0.1:9000, 5 ms apart.
fn udp_loss(seed: u64) -> Result<Built, WorldError> {
    let (world, c, s) = two_hosts(seed)?;
    let server = SocketAddrV4::new(SERVER_IP, 9000);
    let udp = SysCall::Socket { domain: Domain::Inet, protocol: Protocol::Udp };
    let mut cmds = vec![call(s, udp.clone()), call(s, SysCall::Bind { fd: 3, addr: server }), call(c, udp)];
    for i in 1..=10u64 {
        cmds.push(at(5 * i));
        let data: Arc<[u8]> = Arc::from(format!("ping {i}").as_bytes());
        cmds.push(call(c, SysCall::SendTo { fd: 3, data, addr: Some(server) }));
    }
    Ok((world, cmds))
}
