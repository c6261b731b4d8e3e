//! The page's words in Korean and English.
//!
//! Every string the page shows is a [`Text`]; [`tr`] is an exhaustive match, so a
//! text missing in one language is a compile error, not a blank on the page.
//! Plain Rust, no web: tested by the unit tests below.

use crate::lang::Bilingual;
use crate::script::{Failure, ScriptError};
use crate::share::{EditProblem, ShareError};

pub use crate::lang::Lang;

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
    Queued,
    NoBuffersYet,
    BuffersTitle,
    BreakItTitle,
    BreakItCaption,
    Loss,
    Duplicate,
    Reorder,
    Delay,
    ChangesMade,
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
    Socket,
    RepairLink,
    CutLink,
    Speed,
    DownloadPcap,
    Call,
    LineBlocked,
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
    Buffered,
    OutOfOrder,
    PeerWindow,
    HalfOpen,
    Ready,
    Overflows,
    QueuedBytes,
    NotAccepted,
    TwoMslTimeout,
    LinkCut,
}

impl Text {
    pub const ALL: [Text; 97] = [
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
        Text::Queued,
        Text::NoBuffersYet,
        Text::BuffersTitle,
        Text::BreakItTitle,
        Text::BreakItCaption,
        Text::Loss,
        Text::Duplicate,
        Text::Reorder,
        Text::Delay,
        Text::ChangesMade,
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
        Text::Socket,
        Text::RepairLink,
        Text::CutLink,
        Text::Speed,
        Text::DownloadPcap,
        Text::Call,
        Text::LineBlocked,
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
        Text::Buffered,
        Text::OutOfOrder,
        Text::PeerWindow,
        Text::HalfOpen,
        Text::Ready,
        Text::Overflows,
        Text::QueuedBytes,
        Text::NotAccepted,
        Text::TwoMslTimeout,
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
        Text::NoSockets => ("no sockets yet", "아직 소켓 없음"),
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
            ("Congestion window and slow-start threshold over time", "시간에 따른 혼잡 윈도와 slow-start 임계값")
        }
        Text::NoSocketSelected => ("No socket selected.", "선택한 소켓이 없습니다."),
        Text::SendBuffer => ("Send buffer", "송신 버퍼"),
        Text::RecvBuffer => ("Receive buffer", "수신 버퍼"),
        Text::SynQueue => ("SYN queue", "SYN 큐"),
        Text::AcceptQueue => ("Accept queue", "accept 큐"),
        Text::Delivered => ("datagrams delivered", "도착한 데이터그램"),
        Text::DroppedFull => ("dropped (buffer full)", "버림 (버퍼 가득)"),
        Text::Queued => ("waiting to be read", "읽기 대기"),
        Text::NoBuffersYet => (
            "This socket has no buffers yet: it is not connected, listening or bound.",
            "이 소켓은 아직 버퍼가 없습니다. 연결, listen, bind 전입니다.",
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
        Text::ChangesMade => ("change(s) of yours in this run.", "개의 변경이 이 실행에 들어 있습니다."),
        Text::UndoChanges => ("Undo all", "모두 되돌리기"),
        Text::NoticeTitle => ("Note:", "알림:"),
        Text::Lesson => ("Lesson", "수업"),
        Text::Controls => ("Step controls", "단계 조작"),
        Text::ToStart => ("Jump to start", "처음으로"),
        Text::StepBack => ("Step back", "한 단계 뒤로"),
        Text::Back => ("Back", "뒤로"),
        Text::Play => ("Play", "재생"),
        Text::Pause => ("Pause", "일시 정지"),
        Text::StepForward => ("Step forward", "한 단계 앞으로"),
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
        Text::InFlight => ("in-flight", "전송 중"),
        Text::Unsent => ("unsent", "아직 안 보냄"),
        Text::Buffered => ("buffered", "읽기 대기"),
        Text::OutOfOrder => ("out-of-order", "순서 어긋남"),
        Text::PeerWindow => ("peer wnd", "상대 윈도"),
        Text::HalfOpen => ("half-open", "반쯤 열림"),
        Text::Ready => ("ready", "준비됨"),
        Text::Overflows => ("overflows", "넘침"),
        Text::QueuedBytes => ("queued", "대기 중"),
        Text::NotAccepted => ("not accepted yet", "아직 accept 전"),
        Text::TwoMslTimeout => ("2 MSL timeout", "2 MSL 타임아웃"),
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
        "payload" => "페이로드",
        "length" => "길이",
        "type" => "타입",
        "code" => "코드",
        "unused" => "미사용",
        "quoted datagram" => "인용한 데이터그램",
        // Acronyms read the same in both languages (TTL, DSCP / ECN).
        other => other,
    }
}

/// Wireshark's analysis words (`Retransmission`, `Dup ACK #2`, ...) in `lang`.
pub fn analysis(lang: Lang, word: &str) -> String {
    if lang == Lang::En {
        return word.to_string();
    }
    const KO: [(&str, &str); 8] = [
        ("Fast Retransmission", "빠른 재전송"),
        ("Retransmission", "재전송"),
        ("Dup ACK", "중복 ACK"),
        ("Keep-Alive", "킵얼라이브"),
        ("Zero Window", "제로 윈도"),
        ("Window Update", "윈도 업데이트"),
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

/// Something the page tells the learner above the lesson. It keeps what
/// happened, not a sentence, so it is said in whichever language the page is in.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// An expectation of the lesson's own script failed (run in lesson file
    /// `lesson`): the first one.
    ScriptStopped { lesson: String, failure: Failure },
    /// The learner's `changes` made `expectations` of the lesson's
    /// expectations fail: an outcome of the experiment, said on each line.
    OutcomeChanged { changes: usize, expectations: usize },
    /// A script that does not parse.
    Build(ScriptError),
    /// A shared link that cannot be read.
    BadLink(ShareError),
    /// A shared link that names a lesson the page does not have.
    UnknownLesson(String),
    /// Changes in a shared link on links the lesson does not have (their ids,
    /// ascending, without repeats), left out.
    IgnoredEdits { count: usize, links: Vec<u32> },
}

/// The notices on show and the language to say them in; `Display` writes them
/// in that language, one after the other.
#[derive(Clone, Debug, PartialEq)]
pub struct Notices {
    pub lang: Lang,
    pub items: Vec<Notice>,
}

impl std::fmt::Display for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, notice) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(" · ")?;
            }
            f.write_str(&notice.text(self.lang))?;
        }
        Ok(())
    }
}

impl Notice {
    /// The notice as a sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Notice::ScriptStopped { lesson, failure }, Lang::En) => {
                format!("an expectation failed: {}", failure.render(lesson))
            }
            // Each failure's Korean is with its parts (script::error), tested natively there.
            (Notice::ScriptStopped { failure, .. }, Lang::Ko) => {
                format!("{}행의 기대가 어긋났습니다 — {}", failure.line, failure.say(Lang::Ko))
            }
            (Notice::OutcomeChanged { changes, expectations }, Lang::En) => format!(
                "{} changed the outcome: {} of the lesson no longer {} (marked on {})",
                if *changes == 1 { "your change" } else { "your changes" },
                if *expectations == 1 { "one expectation".to_string() } else { format!("{expectations} expectations") },
                if *expectations == 1 { "holds" } else { "hold" },
                if *expectations == 1 { "its line" } else { "their lines" },
            ),
            (Notice::OutcomeChanged { changes, expectations }, Lang::Ko) => format!(
                "바꾼 조건 {changes}개 때문에 결과가 달라졌습니다: 레슨의 기대 {expectations}개가 더 이상 맞지 않습니다 (해당 줄에 표시)"
            ),
            (Notice::Build(e), Lang::En) => format!("line {}, column {}: {}", e.line, e.col, e.message),
            // Each parse error's Korean is with its kind (script::error), tested natively there.
            (Notice::Build(e), Lang::Ko) => format!("스크립트 {}행 {}열: {}", e.line, e.col, e.kind.say(Lang::Ko)),
            (Notice::BadLink(e), Lang::En) => e.to_string(),
            (Notice::BadLink(e), Lang::Ko) => share_error_ko(e),
            (Notice::UnknownLesson(name), Lang::En) => {
                format!("the shared link names an unknown lesson {}", crate::share::quote(name))
            }
            (Notice::UnknownLesson(name), Lang::Ko) => {
                format!("공유 링크가 가리키는 레슨이 없습니다: {}", crate::share::quote(name))
            }
            (Notice::IgnoredEdits { count, links }, Lang::En) => format!(
                "{count} {} in the shared link ignored: this lesson has no link {}",
                if *count == 1 { "change" } else { "changes" },
                link_list(links, " or ")
            ),
            (Notice::IgnoredEdits { count, links }, Lang::Ko) => format!(
                "공유 링크의 변경 {count}개를 적용하지 않았습니다: 이 레슨에는 {} 링크가 없습니다",
                link_list(links, ", ")
            ),
        }
    }
}

/// `#0, #3 or #7`: at most five ids, then `…`.
fn link_list(links: &[u32], last_sep: &str) -> String {
    const SHOWN: usize = 5;
    let ids: Vec<String> = links.iter().take(SHOWN).map(|l| format!("#{l}")).collect();
    let mut out = match ids.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{last_sep}{last}", rest.join(", ")),
        None => String::new(),
    };
    if links.len() > SHOWN {
        out.push_str(", …");
    }
    out
}

/// A share-link error in Korean (its `Display` is the English).
fn share_error_ko(e: &ShareError) -> String {
    use crate::share::{quote, MAX_EDITS, MAX_FRAGMENT_BYTES, MAX_LESSON_NAME, MAX_SCRIPT_BYTES};
    let link = "공유 링크를 읽을 수 없습니다";
    match e {
        ShareError::TooLong(n) => format!("{link}: 링크가 {n}바이트로, 한도 {MAX_FRAGMENT_BYTES}바이트를 넘습니다"),
        ShareError::NotKeyValue(part) => format!("{link}: 키=값 형식이 아닌 부분이 있습니다: {}", quote(part)),
        ShareError::UnknownKey(key) => format!("{link}: 알 수 없는 키입니다: {}", quote(key)),
        ShareError::DuplicateKey(key) => format!("{link}: 같은 키가 두 번 나옵니다: {}", quote(key)),
        ShareError::BadLesson(name) => format!(
            "{link}: 레슨 이름이 올바르지 않습니다: {} (영문자, 숫자, -, _로 {MAX_LESSON_NAME}자 이하)",
            quote(name)
        ),
        ShareError::BadNumber { key, value } => {
            format!("{link}: {key} 값이 범위 안의 숫자가 아닙니다: {}", quote(value))
        }
        ShareError::GarbledScript => {
            format!("{link}: 링크 안의 스크립트가 깨져 있습니다 (잘못된 %-이스케이프 또는 UTF-8이 아닌 바이트)")
        }
        ShareError::ScriptTooLong(n) => {
            format!("{link}: 링크 안의 스크립트가 {n}바이트로, 한도 {MAX_SCRIPT_BYTES}바이트를 넘습니다")
        }
        ShareError::TooManyEdits => format!("{link}: 변경이 {MAX_EDITS}개보다 많습니다"),
        ShareError::BadEdit { edit, problem } => {
            let why = match problem {
                EditProblem::Position => "위치가 범위 안의 숫자가 아닙니다",
                EditProblem::Link => "링크 번호가 올바르지 않습니다",
                EditProblem::Probability => "확률이 0에서 1 사이의 숫자가 아닙니다",
                EditProblem::Packet => "패킷 번호가 숫자가 아닙니다",
                EditProblem::Latency => "지연 시간이 10초 이하의 마이크로초 값이 아닙니다",
                EditProblem::Shape => {
                    "형식은 위치:drop:패킷, 위치:cut:링크, 위치:repair:링크, 위치:link:링크:손실:중복:순서바뀜:지연 중 하나입니다"
                }
            };
            format!("{link}: 변경 {}을(를) 이해할 수 없습니다 — {why}", quote(edit))
        }
        ShareError::NoLesson => format!("{link}: 레슨 이름이 없습니다"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::error::{Found, ScriptError, ScriptErrorKind, Wanted};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_text_exists_in_both_languages() {
        for text in Text::ALL {
            for lang in Lang::ALL {
                assert!(!tr(lang, text).trim().is_empty(), "{text:?} is empty in {lang:?}");
            }
            assert_ne!(tr(Lang::Ko, text), tr(Lang::En, text), "{text:?} is not translated");
        }
    }

    #[wasm_bindgen_test]
    fn field_names_and_analysis_words_read_in_korean() {
        assert_eq!(field_name(Lang::Ko, "sequence number"), "순서 번호");
        assert_eq!(field_name(Lang::En, "sequence number"), "sequence number");
        assert_eq!(field_name(Lang::Ko, "TTL"), "TTL");
        assert_eq!(analysis(Lang::Ko, "Fast Retransmission"), "빠른 재전송");
        assert_eq!(analysis(Lang::Ko, "Dup ACK #3 · late"), "중복 ACK #3 · 늦게 옴");
        assert_eq!(analysis(Lang::Ko, "Keep-Alive"), "킵얼라이브");
        assert_eq!(analysis(Lang::En, "Dup ACK #3"), "Dup ACK #3");
    }

    fn has_hangul(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    #[wasm_bindgen_test]
    fn every_notice_reads_in_both_languages() {
        use crate::net::Errno;
        use crate::script::failure::{Expected, Got};
        use crate::script::FailureKind;
        let expected = Expected::Returns { call: "close(s)".into(), result: "7".into() };
        let failure = Failure::new(4, FailureKind::Expectation, expected, Got::Failed(Errno::EBADF));
        let mut notices = vec![
            Notice::ScriptStopped { lesson: "l".into(), failure },
            Notice::OutcomeChanged { changes: 1, expectations: 1 },
            Notice::OutcomeChanged { changes: 2, expectations: 3 },
            Notice::Build(ScriptError::expected(3, 5, Wanted::HostName, Found::EndOfLine)),
            Notice::Build(ScriptError::new(3, 5, ScriptErrorKind::TooManyHosts)),
            Notice::UnknownLesson("nope".into()),
            Notice::IgnoredEdits { count: 1, links: vec![3] },
        ];
        let bad_links = [
            "#lesson=a&x",
            "#lesson=a&colour=blue",
            "#lesson=a&lesson=b",
            "#lesson=a b",
            "#lesson=a&pos=x",
            "#lesson=a&script=%ff",
            "#lesson=a&edits=1:melt:0",
            "#seed=1",
        ];
        for link in bad_links {
            match crate::share::decode(link) {
                Err(e) => notices.push(Notice::BadLink(e)),
                Ok(s) => panic!("{link} decodes to {s:?}"),
            }
        }
        for notice in notices {
            let (en, ko) = (notice.text(Lang::En), notice.text(Lang::Ko));
            assert!(!has_hangul(&en) && has_hangul(&ko), "{notice:?}: {en} / {ko}");
        }
        let e = Notice::Build(ScriptError::expected(3, 5, Wanted::HostName, Found::EndOfLine));
        assert_eq!(e.text(Lang::Ko), "스크립트 3행 5열: 여기에 와야 할 것: 호스트 이름 · 실제로 있는 것: 줄 끝");
        assert_eq!(e.text(Lang::En), "line 3, column 5: expected a host name, found end of line");
        let expected = Expected::Returns { call: "close(s)".into(), result: "7".into() };
        let stopped = Notice::ScriptStopped {
            lesson: "l.sock".into(),
            failure: Failure::new(4, FailureKind::Expectation, expected, Got::Returned(crate::net::CallValue::Zero)),
        };
        assert_eq!(
            stopped.text(Lang::Ko),
            "4행의 기대가 어긋났습니다 — 기대한 결과: close(s)의 반환값 7 · 실제 결과: 0"
        );
        assert_eq!(stopped.text(Lang::En), "an expectation failed: l.sock:4: expected close(s) to return 7, got 0");
        assert_eq!(
            Notice::OutcomeChanged { changes: 1, expectations: 1 }.text(Lang::En),
            "your change changed the outcome: one expectation of the lesson no longer holds (marked on its line)"
        );
        assert_eq!(
            Notice::OutcomeChanged { changes: 2, expectations: 5 }.text(Lang::En),
            "your changes changed the outcome: 5 expectations of the lesson no longer hold (marked on their lines)"
        );
    }

    #[wasm_bindgen_test]
    fn ignored_changes_name_at_most_five_links() {
        let links: Vec<u32> = (10..17).collect();
        let n = Notice::IgnoredEdits { count: 9, links };
        assert_eq!(
            n.text(Lang::En),
            "9 changes in the shared link ignored: this lesson has no link #10, #11, #12, #13 or #14, …"
        );
        let one = Notice::IgnoredEdits { count: 1, links: vec![2] };
        assert_eq!(one.text(Lang::En), "1 change in the shared link ignored: this lesson has no link #2");
        let both = Notices { lang: Lang::Ko, items: vec![one, Notice::UnknownLesson("x".into())] };
        assert!(both.to_string().contains(" · "), "{both}");
    }

    #[wasm_bindgen_test]
    fn lookup_gives_the_right_language() {
        assert_eq!(tr(Lang::Ko, Text::NetworkTitle), "네트워크");
        assert_eq!(tr(Lang::En, Text::NetworkTitle), "Network");
    }
}
