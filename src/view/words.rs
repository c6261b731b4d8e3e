//! The page's words in Korean and English.
//!
//! Every string the page shows is a [`Text`]; [`tr`] is an exhaustive match, so a
//! text missing in one language is a compile error, not a blank on the page.
//! Plain Rust, no web: tested by the unit tests below.

use crate::lang::Lang;
use crate::net::tcp::timers::TimerKind;

/// Every text on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Text {
    Tagline,
    LanguageSwitch,
    NetworkTitle,
    NetworkCaption,
    TopologyLabel,
    OneWay,
    NoSockets,
    SequenceTitle,
    NumberingRelative,
    NumberingAbsolute,
    NumberingHint,
    SequenceLabel,
    StateMachineTitle,
    StateMachineLabel,
    InspectorTitle,
    InspectorEmpty,
    Close,
    DropPacket,
    Doomed,
    Bytes,
    CwndPlot,
    NoSocketSelected,
    SendBuffer,
    RecvBuffer,
    SynQueue,
    AcceptQueue,
    Delivered,
    DroppedFull,
    AcceptQueueFull,
    Queued,
    NoBuffersYet,
    BuffersTitle,
    BreakItTitle,
    BreakItCaption,
    Loss,
    Duplicate,
    Reorder,
    Delay,
    UndoChanges,
    NoticeTitle,
    Lesson,
    Controls,
    ToStart,
    StepBack,
    Back,
    Play,
    Pause,
    StepForward,
    Step,
    ToEnd,
    Scrubber,
    StepWord,
    Sent,
    Arrived,
    Lost,
    Keys,
    WhatHappened,
    AtStart,
    EventsTitle,
    EventTime,
    EventWhere,
    EventWhat,
    EventPacket,
    Inspect,
    OnTheLink,
    Socket,
    RepairLink,
    CutLink,
    Speed,
    DownloadPcap,
    Call,
    LineBlocked,
    StaleRun,
    Together,
    SideStill,
    /// Side by side: the compared run has no socket like the selected one.
    NoCounterpart,
    ConsoleInput,
    Host,
    ConsoleCaption,
    ConsoleTitle,
    Column,
    Line,
    RunScript,
    ScriptTitle,
    Waits,
    ShareTitle,
    ShareCaption,
    DownloadJson,
    WorldFailed,
    PanicTitle,
    PanicBody,
    PanicReset,
    NoSocketLane,
    NoFd,
    Listening,
    Accepted,
    InFlight,
    Unsent,
    SkbBookkeeping,
    Buffered,
    OutOfOrder,
    PeerWindow,
    HalfOpen,
    Ready,
    Overflows,
    QueuedBytes,
    NotAccepted,
    TwoMslTimeout,
    UdpHasNoStates,
    LinkCut,
}

impl Text {
    pub const ALL: [Text; 110] = [
        Text::Tagline,
        Text::LanguageSwitch,
        Text::NetworkTitle,
        Text::NetworkCaption,
        Text::TopologyLabel,
        Text::OneWay,
        Text::NoSockets,
        Text::SequenceTitle,
        Text::NumberingRelative,
        Text::NumberingAbsolute,
        Text::NumberingHint,
        Text::SequenceLabel,
        Text::StateMachineTitle,
        Text::StateMachineLabel,
        Text::InspectorTitle,
        Text::InspectorEmpty,
        Text::Close,
        Text::DropPacket,
        Text::Doomed,
        Text::Bytes,
        Text::CwndPlot,
        Text::NoSocketSelected,
        Text::SendBuffer,
        Text::RecvBuffer,
        Text::SynQueue,
        Text::AcceptQueue,
        Text::Delivered,
        Text::DroppedFull,
        Text::AcceptQueueFull,
        Text::Queued,
        Text::NoBuffersYet,
        Text::BuffersTitle,
        Text::BreakItTitle,
        Text::BreakItCaption,
        Text::Loss,
        Text::Duplicate,
        Text::Reorder,
        Text::Delay,
        Text::UndoChanges,
        Text::NoticeTitle,
        Text::Lesson,
        Text::Controls,
        Text::ToStart,
        Text::StepBack,
        Text::Back,
        Text::Play,
        Text::Pause,
        Text::StepForward,
        Text::Step,
        Text::ToEnd,
        Text::Scrubber,
        Text::StepWord,
        Text::Sent,
        Text::Arrived,
        Text::Lost,
        Text::Keys,
        Text::WhatHappened,
        Text::AtStart,
        Text::EventsTitle,
        Text::EventTime,
        Text::EventWhere,
        Text::EventWhat,
        Text::EventPacket,
        Text::Inspect,
        Text::OnTheLink,
        Text::Socket,
        Text::RepairLink,
        Text::CutLink,
        Text::Speed,
        Text::DownloadPcap,
        Text::Call,
        Text::LineBlocked,
        Text::StaleRun,
        Text::Together,
        Text::SideStill,
        Text::NoCounterpart,
        Text::ConsoleInput,
        Text::Host,
        Text::ConsoleCaption,
        Text::ConsoleTitle,
        Text::Column,
        Text::Line,
        Text::RunScript,
        Text::ScriptTitle,
        Text::Waits,
        Text::ShareTitle,
        Text::ShareCaption,
        Text::DownloadJson,
        Text::WorldFailed,
        Text::PanicTitle,
        Text::PanicBody,
        Text::PanicReset,
        Text::NoSocketLane,
        Text::NoFd,
        Text::Listening,
        Text::Accepted,
        Text::InFlight,
        Text::Unsent,
        Text::SkbBookkeeping,
        Text::Buffered,
        Text::OutOfOrder,
        Text::PeerWindow,
        Text::HalfOpen,
        Text::Ready,
        Text::Overflows,
        Text::QueuedBytes,
        Text::NotAccepted,
        Text::TwoMslTimeout,
        Text::UdpHasNoStates,
        Text::LinkCut,
    ];
}

/// The text in the language.
pub fn tr(lang: Lang, text: Text) -> &'static str {
    let (en, ko) = match text {
        Text::Tagline => (
            "A socket laboratory: hosts, ports and TCP/UDP sockets you can watch",
            "소켓 실험실: 호스트, 포트, TCP/UDP 소켓을 눈으로 확인합니다",
        ),
        Text::LanguageSwitch => ("Language", "언어"),
        Text::NetworkTitle => ("Network", "네트워크"),
        Text::NetworkCaption => (
            "Hosts with their sockets, and the packets on the wire right now. Click a packet or a socket.",
            "호스트와 소켓, 그리고 지금 선 위에 있는 패킷입니다. 패킷이나 소켓을 눌러 보세요.",
        ),
        Text::TopologyLabel => ("Hosts, sockets, links and packets in flight", "호스트, 소켓, 링크, 이동 중인 패킷"),
        Text::OneWay => ("one way", "편도"),
        // Not "yet": a host whose sockets all closed shows it too.
        Text::NoSockets => ("no sockets", "소켓 없음"),
        Text::SequenceTitle => ("Sequence diagram", "시퀀스 다이어그램"),
        Text::NumberingRelative => ("seq/ack: relative", "seq/ack: 상대값"),
        Text::NumberingAbsolute => ("seq/ack: absolute", "seq/ack: 절댓값"),
        Text::NumberingHint => (
            "Relative numbers count from each side's initial sequence number, as the script and Wireshark show them; click for the numbers as sent",
            "상대값은 각 쪽의 초기 순서 번호(ISN)부터 셉니다. 스크립트와 Wireshark가 보여 주는 방식입니다. 눌러서 실제로 보낸 번호를 봅니다",
        ),
        Text::SequenceLabel => (
            "Each packet as an arrow from sender to receiver, time flowing down",
            "보낸 쪽에서 받는 쪽으로 가는 화살표가 패킷이며, 시간은 아래로 흐릅니다",
        ),
        Text::StateMachineTitle => ("TCP state machine", "TCP 상태 기계"),
        Text::StateMachineLabel => (
            "The eleven TCP states of RFC 9293 with the selected socket's state highlighted",
            "RFC 9293의 TCP 상태 11개와 선택한 소켓의 현재 상태",
        ),
        Text::InspectorTitle => ("Packet inspector", "패킷 검사기"),
        Text::InspectorEmpty => (
            "Click a packet in the network or the sequence diagram to see its headers and bytes.",
            "네트워크나 시퀀스 다이어그램에서 패킷을 누르면 헤더와 바이트를 볼 수 있습니다.",
        ),
        Text::Close => ("Close", "닫기"),
        Text::DropPacket => ("✂ Drop this packet", "✂ 이 패킷 버리기"),
        Text::Doomed => ("You dropped this packet: it will never arrive.", "버린 패킷입니다. 도착하지 않습니다."),
        Text::Bytes => ("Packet bytes in hexadecimal", "패킷 바이트 (16진수)"),
        Text::CwndPlot => {
            ("Congestion window and slow-start threshold over time", "시간에 따른 혼잡 윈도와 슬로 스타트 임계값")
        }
        Text::NoSocketSelected => ("No socket selected.", "선택한 소켓이 없습니다."),
        Text::SendBuffer => ("Send buffer", "송신 버퍼"),
        Text::RecvBuffer => ("Receive buffer", "수신 버퍼"),
        Text::SynQueue => ("SYN queue", "SYN 큐"),
        Text::AcceptQueue => ("Accept queue", "accept 큐"),
        Text::Delivered => ("datagrams delivered", "도착한 데이터그램"),
        Text::DroppedFull => ("dropped (buffer full)", "버림 (버퍼 가득)"),
        Text::AcceptQueueFull => ("dropped (accept queue full)", "버림 (accept 큐 가득)"),
        Text::Queued => ("waiting to be read", "읽기 대기"),
        Text::NoBuffersYet => (
            // A TCP socket bound to 127.0.0.1 read "not … bound": a TCP
            // socket's buffers come with a connection or a listen, a UDP
            // socket's with its binding.
            "No buffers to show yet: a TCP socket has them once it connects or listens, a UDP socket once it is bound.",
            "아직 보여 줄 버퍼가 없습니다. TCP 소켓은 연결하거나 listen하면, UDP 소켓은 bind하면 버퍼가 생깁니다.",
        ),
        Text::BuffersTitle => ("Buffers and windows", "버퍼와 윈도"),
        Text::BreakItTitle => ("Break it", "망가뜨려 보기"),
        Text::BreakItCaption => (
            "Changes apply from the current step on, in both directions, and become part of the shared link.",
            "바꾼 설정은 지금 단계부터 양방향에 적용되고, 공유 링크에도 담깁니다.",
        ),
        Text::Loss => ("Loss", "손실"),
        Text::Duplicate => ("Duplicate", "중복"),
        Text::Reorder => ("Reorder", "순서 바뀜"),
        Text::Delay => ("Delay", "지연"),
        Text::UndoChanges => ("Undo all", "모두 되돌리기"),
        Text::NoticeTitle => ("Note:", "알림:"),
        Text::Lesson => ("Lesson", "수업"),
        Text::Controls => ("Step controls", "단계 조작"),
        Text::ToStart => ("Jump to start", "처음으로"),
        Text::StepBack => ("Step back", "한 단계 뒤로"),
        Text::Back => ("Back", "뒤로"),
        Text::Play => ("Play", "재생"),
        Text::Pause => ("Pause", "일시 정지"),
        Text::StepForward => ("Step forward", "다음 단계로"),
        Text::Step => ("Step", "다음"),
        Text::ToEnd => ("Jump to end", "끝으로"),
        Text::Scrubber => ("Position in the lesson", "수업 안의 위치"),
        Text::StepWord => ("step", "단계"),
        Text::Sent => ("sent", "보냄"),
        Text::Arrived => ("arrived", "도착"),
        Text::Lost => ("lost", "손실"),
        Text::Keys => (
            "Keys: → step · ← back · space play/pause · Home start · End end · Tab to a packet, socket or note, Enter picks it",
            "키: → 다음 · ← 뒤로 · 스페이스 재생/정지 · Home 처음 · End 끝 · Tab으로 패킷·소켓·메모에 가서 Enter로 고르기",
        ),
        Text::EventsTitle => ("Events", "사건 목록"),
        Text::EventTime => ("Time", "시각"),
        Text::EventWhere => ("Where", "어디서"),
        Text::EventWhat => ("What happened", "일어난 일"),
        Text::EventPacket => ("Packet", "패킷"),
        Text::Inspect => ("Inspect", "살펴보기"),
        Text::OnTheLink => ("link", "링크"),
        Text::WhatHappened => ("What just happened", "방금 일어난 일"),
        Text::AtStart => (
            "Nothing has happened yet. Press Step (or →) to make the first socket call.",
            "아직 아무 일도 없습니다. 다음(또는 →)을 눌러 첫 소켓 호출을 해 보세요.",
        ),
        Text::Waits => ("blocked in", "대기 중:"),
        Text::ScriptTitle => ("Script", "스크립트"),
        Text::RunScript => ("▶ Run script", "▶ 스크립트 실행"),
        Text::Line => ("line", "줄"),
        Text::Column => ("column", "열"),
        Text::ConsoleTitle => ("Socket console", "소켓 콘솔"),
        Text::ConsoleCaption => ("Make a call on a host: it goes into the script at this step (copied into the sandbox), the lesson runs again, and the page moves to where the call returns.", "호스트에서 소켓 호출을 해 보세요. 호출이 지금 단계의 자리에 스크립트로 들어가고(샌드박스로 복사), 레슨이 다시 실행된 뒤 호출이 돌아온 곳으로 이동합니다."),
        Text::Host => ("Host", "호스트"),
        Text::ConsoleInput => ("Socket call", "소켓 호출"),
        Text::Call => ("Call", "호출"),
        Text::LineBlocked => ("… blocked", "… 기다리는 중"),
        Text::Together => ("(both runs)", "(두 실행 함께)"),
        Text::SideStill => ("Nothing happens on this side at this time.", "이 시각에 이쪽에서는 아무 일도 일어나지 않습니다."),
        Text::NoCounterpart => (
            "This run has no such socket now (none of that host with the same addresses or descriptor).",
            "이 실행에는 지금 그런 소켓이 없습니다 (그 호스트에 주소나 디스크립터가 같은 소켓이 없습니다).",
        ),
        Text::StaleRun => (
            "The script above has an error and did not run: the lines below and the diagrams are still the last run's.",
            "위 스크립트에 오류가 있어 실행되지 않았습니다. 아래 줄과 그림은 아직 마지막 실행의 것입니다.",
        ),
        Text::DownloadPcap => ("Download capture (pcap)", "캡처 내려받기 (pcap)"),
        Text::Speed => ("Playback speed", "재생 속도"),
        Text::CutLink => ("✂ Cut the link", "✂ 링크 끊기"),
        Text::RepairLink => ("Repair the link", "링크 복구"),
        Text::Socket => ("Socket", "소켓"),
        Text::ShareTitle => ("Share", "공유"),
        Text::ShareCaption => (
            "The address bar holds the lesson, seed, your changes and this step: copy it to share exactly this.",
            "주소창에 수업, 시드, 변경 사항, 현재 단계가 담겨 있습니다. 복사해서 그대로 공유하세요.",
        ),
        Text::DownloadJson => ("Download trace (JSON)", "트레이스 내려받기 (JSON)"),
        Text::WorldFailed => ("The simulated world could not be built:", "시뮬레이션 세계를 만들지 못했습니다:"),
        Text::PanicTitle => ("Something went wrong", "문제가 생겼습니다"),
        Text::PanicBody => (
            "The page hit a bug and stopped. Reset to start again.",
            "페이지에 버그가 있어 멈췄습니다. 초기화하면 다시 시작합니다.",
        ),
        Text::PanicReset => ("Reset", "초기화"),
        Text::NoSocketLane => ("(no socket)", "(소켓 없음)"),
        Text::NoFd => ("no fd yet", "fd 아직 없음"),
        Text::Listening => ("listening", "리스닝"),
        Text::Accepted => ("from accept()", "accept()로 받음"),
        Text::InFlight => ("sent, not yet ACKed", "보냈고 아직 ACK 안 됨"),
        Text::Unsent => ("unsent", "아직 안 보냄"),
        Text::SkbBookkeeping => ("skb bookkeeping", "skb 관리 정보"),
        Text::Buffered => ("buffered", "읽기 대기"),
        Text::OutOfOrder => ("out-of-order", "순서 어긋남"),
        Text::PeerWindow => ("peer wnd", "상대 윈도"),
        Text::HalfOpen => ("half-open", "반쯤 열림"),
        Text::Ready => ("ready", "준비됨"),
        Text::Overflows => ("overflows", "넘침"),
        Text::QueuedBytes => ("queued", "대기 중"),
        Text::NotAccepted => ("not accepted yet", "아직 accept 전"),
        Text::TwoMslTimeout => ("2 MSL timeout", "2 MSL 타임아웃"),
        Text::UdpHasNoStates => (
            "UDP keeps no connection state: a UDP socket is bound, perhaps connected to one peer, and that is all. The diagram is TCP's.",
            "UDP는 연결 상태를 두지 않습니다. UDP 소켓은 bind되고, 상대 하나에 connect될 수도 있을 뿐입니다. 아래 그림은 TCP의 것입니다.",
        ),
        Text::LinkCut => ("✂ cut", "✂ 끊김"),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// A header field's name (as `crate::wire::fields` gives it, in English) in `lang`.
pub fn field_name(lang: Lang, name: &'static str) -> &'static str {
    if lang == Lang::En {
        return name;
    }
    match name {
        "version / IHL" => "버전 / 헤더 길이",
        "total length" => "전체 길이",
        "identification" => "식별자",
        "flags / fragment offset" => "플래그 / 단편 오프셋",
        "protocol" => "프로토콜",
        "header checksum" => "헤더 체크섬",
        "source address" => "출발지 주소",
        "destination address" => "목적지 주소",
        "source port" => "출발지 포트",
        "destination port" => "목적지 포트",
        "sequence number" => "순서 번호",
        "acknowledgment number" => "확인 응답 번호",
        "data offset / flags" => "데이터 오프셋 / 플래그",
        "window" => "윈도",
        "checksum" => "체크섬",
        "urgent pointer" => "긴급 포인터",
        "options" => "옵션",
        "MSS option" => "MSS 옵션",
        "SACK-permitted option" => "SACK 허용 옵션",
        "window scale option" => "윈도 스케일 옵션",
        "SACK option" => "SACK 옵션",
        "timestamps option" => "타임스탬프 옵션",
        "NOP padding" => "NOP 채움",
        "payload" => "페이로드",
        "length" => "길이",
        "type" => "타입",
        "code" => "코드",
        "unused" => "미사용",
        "quoted datagram" => "인용한 데이터그램",
        "fragment data" => "조각 데이터",
        "payload (first part)" => "페이로드 (앞부분)",
        // Acronyms read the same in both languages (TTL, DSCP / ECN).
        other => other,
    }
}

/// A TCP timer's name in a sentence of `lang` ("the {name} timer"): Korean
/// says 재전송 and 지연 ACK; the states' names stay as Linux prints them.
pub fn timer_name(lang: Lang, kind: TimerKind) -> &'static str {
    match (lang, kind) {
        (Lang::Ko, TimerKind::Retransmit) => "재전송",
        (Lang::Ko, TimerKind::Persist) => "제로 윈도 탐색",
        (Lang::Ko, TimerKind::DelayedAck) => "지연 ACK",
        (Lang::Ko, TimerKind::Reorder) => "RACK 재정렬 대기",
        (Lang::Ko, TimerKind::LossProbe) => "꼬리 손실 탐색",
        (Lang::Ko, TimerKind::SackCompress) => "SACK 압축",
        (_, kind) => kind.name(),
    }
}

/// Wireshark's analysis words (`[TCP Retransmission]`, `[TCP Dup ACK 5#2]`, ...) in `lang`.
pub fn analysis(lang: Lang, word: &str) -> String {
    if lang == Lang::En {
        return word.to_string();
    }
    const KO: [(&str, &str); 16] = [
        ("Fast Retransmission", "빠른 재전송"),
        ("Spurious Retransmission", "불필요한 재전송"),
        ("Retransmission", "재전송"),
        ("Dup ACK", "중복 ACK"),
        ("Keep-Alive", "킵얼라이브"),
        ("ZeroWindowProbeAck", "제로 윈도 탐색 ACK"),
        ("ZeroWindowProbe", "제로 윈도 탐색"),
        ("ZeroWindow", "제로 윈도"),
        ("Window Update", "윈도 업데이트"),
        ("Window Full", "윈도 가득 참"),
        ("Out-Of-Order", "순서 어긋남"),
        ("Previous segment not captured", "앞 세그먼트가 캡처되지 않음"),
        ("ACKed unseen segment", "보지 못한 세그먼트를 ACK"),
        ("Port numbers reused", "포트 번호 재사용"),
        ("Duplicate", "중복"),
        ("late", "늦게 옴"),
    ];
    let mut out = word.to_string();
    // Longest first: "Fast Retransmission" before "Retransmission".
    for (en, ko) in KO {
        if out.contains(en) {
            out = out.replace(en, ko);
        }
    }
    out
}

/// Why a receiver advertises a window of 0 while its buffer still has room:
/// Linux offers no window smaller than a segment (`__tcp_select_window`,
/// receiver-side silly window avoidance). `None` unless that is the case:
/// zero_window showed "rwnd 0 B" beside 4344 of 5120 B buffered.
pub fn zero_window_note(lang: Lang, t: &crate::net::tcp::conn::TcpStats) -> Option<String> {
    let free = t.recv_capacity.saturating_sub(t.recv_buffered + t.recv_out_of_order);
    let below_a_segment = free > 0 && free < t.mss as usize;
    if t.advertised_window != 0 || !below_a_segment || t.state != crate::net::tcp::state::TcpState::Established {
        return None;
    }
    let mss = t.mss;
    Some(match lang {
        Lang::En => format!("rwnd 0 with {free} B free: less than a segment ({mss} B), and Linux offers no window smaller than that (silly window avoidance); the sender waits and probes."),
        Lang::Ko => format!("{free} B가 비어 있지만 rwnd는 0: 세그먼트 하나({mss} B)보다 작아, 리눅스는 그보다 작은 윈도를 내놓지 않습니다 (silly window 회피). 보낸 쪽은 기다리며 탐색합니다."),
    })
}

/// The congestion window as the buffers panel gives it. Before the handshake
/// has told the sender the MSS there is none in bytes: Linux holds 10 segments
/// of a size it does not know yet and sets the window when the connection is
/// established (`tcp_init_transfer`); "0 B" read as a window that lets nothing go.
pub fn cwnd_text(lang: Lang, t: &crate::net::tcp::conn::TcpStats) -> String {
    match (t.cwnd, lang) {
        (0, Lang::En) => "– (set when the handshake completes)".into(),
        (0, Lang::Ko) => "– (핸드셰이크가 끝나면 정해짐)".into(),
        (cwnd, _) => format!("{cwnd} B"),
    }
}

/// A script's line, as the page names it ("line 6", "6행").
pub fn line_number(lang: Lang, line: usize) -> String {
    match lang {
        Lang::En => format!("line {line}"),
        Lang::Ko => format!("{line}행"),
    }
}

/// How many of the learner's changes are in this run, as a sentence.
pub fn changes_made(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 change of yours is in this run.".into(),
        (Lang::En, n) => format!("{n} changes of yours are in this run."),
        (Lang::Ko, n) => format!("{n}개의 변경이 이 실행에 들어 있습니다."),
    }
}

/// Room for an analysis word as drawn (11 px bold) in either language, the
/// wider of the two, so that a layout made once holds after a language switch.
pub fn analysis_width(word: &str) -> f64 {
    let chars = |text: &str| text.chars().count() as f64;
    (chars(word) * 7.3).max(chars(&analysis(Lang::Ko, word)) * 11.5) + 18.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for text in Text::ALL {
            for lang in Lang::ALL {
                assert!(!tr(lang, text).trim().is_empty(), "{text:?} is empty in {lang:?}");
            }
            assert_ne!(tr(Lang::Ko, text), tr(Lang::En, text), "{text:?} is not translated");
        }
    }

    #[test]
    fn field_names_and_analysis_words_read_in_korean() {
        assert_eq!(field_name(Lang::Ko, "sequence number"), "순서 번호");
        assert_eq!(field_name(Lang::En, "sequence number"), "sequence number");
        assert_eq!(field_name(Lang::Ko, "TTL"), "TTL");
        assert_eq!(analysis(Lang::Ko, "[TCP Fast Retransmission]"), "[TCP 빠른 재전송]");
        assert_eq!(analysis(Lang::Ko, "[TCP Dup ACK 5#3] · late"), "[TCP 중복 ACK 5#3] · 늦게 옴");
        assert_eq!(analysis(Lang::Ko, "[TCP ZeroWindow] [TCP Keep-Alive]"), "[TCP 제로 윈도] [TCP 킵얼라이브]");
        assert_eq!(analysis(Lang::Ko, "[TCP ZeroWindowProbeAck]"), "[TCP 제로 윈도 탐색 ACK]");
        assert_eq!(analysis(Lang::En, "[TCP Dup ACK 5#3]"), "[TCP Dup ACK 5#3]");
    }

    /// Every TCP socket's numbers at every step of lesson `id`, as the
    /// buffers panel reads them.
    fn tcp_stats_each_step(id: &str) -> Vec<crate::net::tcp::conn::TcpStats> {
        let lesson = crate::lesson::library::library().into_iter().find(|l| l.id == id).expect("lesson");
        let run = lesson.build(None, &[]).expect("builds");
        let t = crate::lesson::timeline::Timeline::run(run.world, run.commands, &[]);
        let mut world = t.world_at(0);
        let mut out = Vec::new();
        for pos in 1..=t.len() {
            t.advance(&mut world, pos - 1);
            for (host, _) in world.hosts() {
                out.extend(world.sockets_on(host).into_iter().filter_map(|v| v.tcp));
            }
        }
        out
    }

    #[test]
    fn a_connecting_socket_s_cwnd_waits_for_the_handshake() {
        use crate::net::tcp::state::TcpState;
        // The handshake lesson: the client in SYN-SENT had "cwnd 0 B".
        let seen: Vec<(TcpState, String)> = tcp_stats_each_step("handshake")
            .iter()
            .filter(|tcp| tcp.state != TcpState::Listen)
            .map(|tcp| (tcp.state, cwnd_text(Lang::En, tcp)))
            .collect();
        let syn_sent: Vec<&String> = seen.iter().filter(|(s, _)| *s == TcpState::SynSent).map(|(_, c)| c).collect();
        assert!(
            !syn_sent.is_empty() && syn_sent.iter().all(|c| c.as_str() == "– (set when the handshake completes)"),
            "{seen:?}"
        );
        assert!(seen.iter().any(|(s, c)| *s == TcpState::Established && c == "14480 B"), "{seen:?}");
    }

    #[test]
    fn a_zero_window_with_room_left_says_why() {
        // zero_window: the receiver advertises 0 with 776 of 5120 B free.
        let notes: Vec<String> =
            tcp_stats_each_step("zero_window").iter().filter_map(|tcp| zero_window_note(Lang::En, tcp)).collect();
        assert!(
            notes.iter().any(|n| n.starts_with("rwnd 0 with 776 B free: less than a segment (1448 B)")),
            "{notes:?}"
        );
    }

    #[test]
    fn the_count_of_a_learner_s_changes_agrees_with_its_noun() {
        // It read "1 change(s) of yours in this run."
        assert_eq!(changes_made(Lang::En, 1), "1 change of yours is in this run.");
        assert_eq!(changes_made(Lang::En, 3), "3 changes of yours are in this run.");
        assert_eq!(changes_made(Lang::Ko, 3), "3개의 변경이 이 실행에 들어 있습니다.");
    }

    #[test]
    fn lookup_gives_the_right_language() {
        assert_eq!(tr(Lang::Ko, Text::NetworkTitle), "네트워크");
        assert_eq!(tr(Lang::En, Text::NetworkTitle), "Network");
    }
}
