//! The lessons the page offers: a world to build and the socket calls to make in it,
//! at simulated times. Plain Rust, no web.

use std::sync::Arc;

use super::i18n::Lang;
use crate::net::{Command, Domain, HostId, Ipv4Addr, LinkConfig, Protocol, SocketAddrV4, SysCall, World, WorldError};

/// A lesson's world and its commands.
pub type Built = (World, Vec<Command>);

/// One lesson: its id (for links), words in both languages, and how to build it.
#[derive(Clone, Copy)]
pub struct Lesson {
    pub id: &'static str,
    pub title_en: &'static str,
    pub title_ko: &'static str,
    pub about_en: &'static str,
    pub about_ko: &'static str,
    build: fn(u64) -> Result<Built, WorldError>,
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl std::fmt::Debug for Lesson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lesson({})", self.id)
    }
}

impl Lesson {
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.title_en,
            Lang::Ko => self.title_ko,
        }
    }

    pub fn about(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.about_en,
            Lang::Ko => self.about_ko,
        }
    }

    /// The world and the commands, for `seed`.
    pub fn build(&self, seed: u64) -> Result<(World, Vec<Command>), String> {
        (self.build)(seed).map_err(|e| e.to_string())
    }
}

pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// The library, in the order the picker shows it.
pub const LESSONS: [Lesson; 2] = [
    Lesson {
        id: "handshake",
        title_en: "TCP: handshake, hello, goodbye",
        title_ko: "TCP: 연결, 인사, 작별",
        about_en: "The server binds port 80, listens and waits in accept(). The client's connect() sends a SYN; \
                   the server answers SYN-ACK; the client's ACK completes the three-way handshake. The client \
                   sends \"hello\", the server reads it, and both sides close with FIN and ACK. Step through \
                   it and watch each socket's state change.",
        about_ko: "서버는 80번 포트에 bind하고 listen한 뒤 accept()에서 기다립니다. 클라이언트의 connect()가 SYN을 \
                   보내고, 서버가 SYN-ACK로 답하고, 클라이언트의 ACK로 3-way 핸드셰이크가 끝납니다. 클라이언트가 \
                   \"hello\"를 보내고 서버가 읽은 뒤, 양쪽이 FIN과 ACK로 연결을 닫습니다. 한 단계씩 넘기며 각 \
                   소켓의 상태가 어떻게 바뀌는지 보세요.",
        build: handshake,
    },
    Lesson {
        id: "udp-loss",
        title_en: "UDP: datagrams that may never arrive",
        title_ko: "UDP: 도착하지 않을 수도 있는 데이터그램",
        about_en: "The client sends ten datagrams to a UDP server, one every 5 ms. UDP has no handshake, no \
                   acknowledgements and no retransmission: raise the link's loss and count how many reach the \
                   server's receive buffer.",
        about_ko: "클라이언트가 UDP 서버에 5 ms마다 데이터그램을 하나씩, 모두 열 개 보냅니다. UDP에는 핸드셰이크도, \
                   확인 응답도, 재전송도 없습니다. 링크의 손실률을 올리고 서버의 수신 버퍼에 몇 개가 도착하는지 \
                   세어 보세요.",
        build: udp_loss,
    },
];

/// The lesson with this id.
pub fn lesson(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.id == id)
}

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
