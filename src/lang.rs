//! The two languages socklab speaks, and the one way of writing them.
//!
//! Every text a learner reads exists in English and Korean. It is written as a
//! pair, side by side, in one exhaustive `match`: each arm gives `(english,
//! korean)`, so a variant without a translation is a compile error, not a blank
//! or an English sentence on a Korean page. [`Bilingual`] is that idiom for
//! typed messages (parse errors, run failures); the page's fixed texts are the
//! same shape (`view::words::tr`). Nothing here knows the page: the CLI prints
//! the English half, the page the learner's language.
//!
//! The core (`net`) carries no prose; what its vocabulary means in words (an
//! errno's meaning) is said here, once, for the script's messages and the page.

use crate::net::Errno;

/// A language of the page and of the script's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    /// In the order the switch shows them.
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    /// The BCP 47 code, for `<html lang>` and for storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// Reads a stored code or a browser language such as `ko-KR`; `None` if neither language.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's name in itself, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ko => "한국어",
            Lang::En => "English",
        }
    }

    /// The stored choice if any, else the browser's language, else English.
    pub fn choose(stored: Option<&str>, browser: Option<&str>) -> Lang {
        stored.and_then(Lang::from_code).or_else(|| browser.and_then(Lang::from_code)).unwrap_or(Lang::En)
    }

    /// This language's half of an `(english, korean)` pair.
    pub fn pick<T>(self, (en, ko): (T, T)) -> T {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
}

/// A message that says itself in both languages.
///
/// Implement [`Bilingual::both`] as one exhaustive `match` whose arms are
/// `(english, korean)` pairs; a part that is itself bilingual is asked for its
/// pair and each half goes into its own language's sentence. The script's own
/// tokens, names and numbers stay verbatim in both halves.
pub trait Bilingual {
    /// `(english, korean)`.
    fn both(&self) -> (String, String);

    /// The message in `lang`.
    fn say(&self, lang: Lang) -> String {
        lang.pick(self.both())
    }
}

/// Implements `Display` as the English half of [`Bilingual::both`]: the CLI's
/// words, and the `message`/`expected`/`got` strings a report serialises.
#[macro_export]
macro_rules! display_in_english {
    ($($ty:ty),+ $(,)?) => {$(
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::lang::Bilingual::both(self).0)
            }
        }
    )+};
}

/// A Korean particle whose form depends on how the word before it ends: after a
/// final consonant (받침) one form, after a vowel the other. The words socklab
/// puts before a particle are often a script's own — a host's name, a call, an
/// errno, a number — so the form is chosen from the word as a Korean reader says
/// it aloud, not written as "을(를)".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Particle {
    /// 을/를, the object.
    Object,
    /// 이/가, the subject.
    Subject,
    /// 은/는, the topic.
    Topic,
    /// 으로/로, towards.
    Towards,
}

/// How a word's last syllable ends, as said aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Vowel,
    /// ㄹ, which takes 로 like a vowel.
    Rieul,
    Consonant,
}

impl Particle {
    /// `word` with this particle after it.
    pub fn after(self, word: &str) -> String {
        let form = match (self, ending(word)) {
            (Particle::Object, Some(Ending::Vowel)) => "를",
            (Particle::Object, Some(_)) => "을",
            (Particle::Subject, Some(Ending::Vowel)) => "가",
            (Particle::Subject, Some(_)) => "이",
            (Particle::Topic, Some(Ending::Vowel)) => "는",
            (Particle::Topic, Some(_)) => "은",
            (Particle::Towards, Some(Ending::Vowel | Ending::Rieul)) => "로",
            (Particle::Towards, Some(Ending::Consonant)) => "으로",
            // Nothing to read aloud: both forms, as Korean writes an unknown word.
            (Particle::Object, None) => "을(를)",
            (Particle::Subject, None) => "이(가)",
            (Particle::Topic, None) => "은(는)",
            (Particle::Towards, None) => "(으)로",
        };
        format!("{word}{form}")
    }
}

/// The ending of the last thing read aloud in `word`: a Hangul syllable by its
/// final jamo; a number by its last digit in Sino-Korean (일, 이, 삼 …; a
/// number ending in 0 ends in 영, 십, 백, 천 or 만, all closed); a capital
/// letter by its Korean name (엘, 엠, 엔, 알 are closed: "SYN을", "RST를");
/// a lower-case English word by its last sound, roughly ("listen을",
/// "server가"). Brackets and punctuation at the end are not read.
fn ending(word: &str) -> Option<Ending> {
    let trimmed = word.trim_end_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() && word.contains('"') {
        // `""`, the empty string a recv at end of stream returns, is read 빈 문자열.
        return Some(Ending::Rieul);
    }
    let mut chars = trimmed.chars().rev();
    let last = chars.next()?;
    let before = chars.next();
    Some(match last {
        '가'..='힣' => match (u32::from(last) - u32::from('가')) % 28 {
            0 => Ending::Vowel,
            8 => Ending::Rieul,
            _ => Ending::Consonant,
        },
        '0' if before.is_some_and(|c| c.is_ascii_digit()) => Ending::Consonant,
        '1' | '7' | '8' => Ending::Rieul,
        '0' | '3' | '6' => Ending::Consonant,
        '2' | '4' | '5' | '9' => Ending::Vowel,
        'L' | 'R' => Ending::Rieul,
        'M' | 'N' => Ending::Consonant,
        'A'..='Z' => Ending::Vowel,
        'l' => Ending::Rieul,
        'e' if before == Some('l') => Ending::Rieul,
        'm' | 'n' => Ending::Consonant,
        'g' if before == Some('n') => Ending::Consonant,
        _ => Ending::Vowel,
    })
}

/// What an errno means, in one line: `(english, korean)`. The page's
/// explanations and the script's failures say it after the errno's name.
pub fn errno_meaning(errno: Errno) -> (&'static str, &'static str) {
    match errno {
        Errno::EBADF => ("that file descriptor is not open", "열려 있지 않은 파일 디스크립터입니다"),
        Errno::EAGAIN => (
            "non-blocking socket: nothing to do right now, try again later (or UDP found no ephemeral port to bind)",
            "논블로킹 소켓: 지금은 할 일이 없으니 나중에 다시 시도하세요 (또는 UDP가 bind할 임시 포트를 찾지 못했습니다)",
        ),
        Errno::EINVAL => (
            "invalid for this socket's current state (already bound? not listening?)",
            "소켓의 지금 상태에서는 할 수 없습니다 (이미 bind했거나 listen하지 않았거나)",
        ),
        Errno::EPIPE => (
            "cannot send: this side has shut down writing or the connection is gone",
            "보낼 수 없습니다: 이쪽이 쓰기를 닫았거나 연결이 끊겼습니다",
        ),
        Errno::ENOTSOCK => ("that descriptor is not a socket", "그 디스크립터는 소켓이 아닙니다"),
        Errno::EDESTADDRREQ => (
            "no destination: an unconnected UDP socket needs sendto with an address",
            "목적지가 없습니다: 연결하지 않은 UDP 소켓은 주소와 함께 sendto해야 합니다",
        ),
        Errno::EMSGSIZE => (
            "datagram too large: UDP carries at most 65507 bytes in one datagram",
            "데이터그램이 너무 큽니다: UDP 하나에는 최대 65507바이트만 실립니다",
        ),
        Errno::EOPNOTSUPP => (
            "not supported by this protocol (UDP has no listen or accept)",
            "이 프로토콜은 지원하지 않습니다 (UDP에는 listen과 accept가 없습니다)",
        ),
        Errno::ENOPROTOOPT => (
            "no such option at this level: a UDP socket has no TCP options",
            "이 수준에는 그런 옵션이 없습니다: UDP 소켓에는 TCP 옵션이 없습니다",
        ),
        Errno::EAFNOSUPPORT => (
            "address family not supported: this lab speaks IPv4 only",
            "지원하지 않는 주소 체계입니다: 이 실험실은 IPv4만 다룹니다",
        ),
        Errno::EADDRINUSE => (
            "address already in use: another socket holds this protocol+IP+port (for port 0: every ephemeral port is taken)",
            "이미 사용 중인 주소입니다: 다른 소켓이 이 프로토콜+IP+포트를 쓰고 있습니다 (포트 0이면 임시 포트가 모두 쓰이고 있습니다)",
        ),
        Errno::EADDRNOTAVAIL => (
            "this host does not have that IP address, or no ephemeral port is left toward that destination",
            "이 호스트에는 그 IP 주소가 없거나, 그 목적지로 쓸 임시 포트가 남아 있지 않습니다",
        ),
        Errno::ENETUNREACH => (
            "no route: no link leads from this host to that address",
            "경로가 없습니다: 이 호스트에서 그 주소로 가는 링크가 없습니다",
        ),
        Errno::ECONNRESET => ("the peer reset the connection (RST)", "상대가 연결을 리셋했습니다 (RST)"),
        Errno::ECONNABORTED => (
            "the connection ended, and another call already took its error",
            "연결이 끝났지만 그 오류는 이미 다른 호출이 가져갔습니다",
        ),
        Errno::EISCONN => ("the socket is already connected", "이미 연결된 소켓입니다"),
        Errno::ENOTCONN => ("the socket is not connected", "연결되지 않은 소켓입니다"),
        Errno::ETIMEDOUT => ("no answer: retransmissions gave up", "응답이 없습니다: 재전송을 거듭하다 포기했습니다"),
        Errno::ECONNREFUSED => (
            "refused: nothing listens on that port (RST or ICMP port unreachable)",
            "거절되었습니다: 그 포트에서 듣고 있는 소켓이 없습니다 (RST 또는 ICMP port unreachable)",
        ),
        Errno::EALREADY => ("a connect is already in progress", "connect가 이미 진행 중입니다"),
        Errno::EINPROGRESS => (
            "non-blocking connect started; the handshake continues",
            "논블로킹 connect를 시작했습니다. 핸드셰이크는 계속됩니다",
        ),
        Errno::EMFILE => ("too many open file descriptors", "열린 파일 디스크립터가 너무 많습니다"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_browser_languages_are_read() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::from_code("en_US"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::choose(Some("en"), Some("ko-KR")), Lang::En);
        assert_eq!(Lang::choose(Some("garbage"), Some("ko-KR")), Lang::Ko);
        assert_eq!(Lang::choose(None, Some("de")), Lang::En);
    }

    #[test]
    fn a_pair_gives_each_language_its_own_half() {
        assert_eq!(Lang::En.pick(("refused", "거절")), "refused");
        assert_eq!(Lang::Ko.pick(("refused", "거절")), "거절");
    }

    #[test]
    fn a_korean_particle_takes_the_form_its_word_is_read_with() {
        use Particle::*;
        // Hangul by its final jamo; ㄹ takes 로.
        assert_eq!(Object.after("서버"), "서버를");
        assert_eq!(Object.after("패킷"), "패킷을");
        assert_eq!(Towards.after("서울"), "서울로");
        assert_eq!(Towards.after("집"), "집으로");
        // Numbers in Sino-Korean: 영, 일, 이, 삼 …, 십.
        assert_eq!(Object.after("#0"), "#0을");
        assert_eq!(Object.after("#2"), "#2를");
        assert_eq!(Object.after("#10"), "#10을");
        assert_eq!(Topic.after("connect(3, 10.0.0.1:81)"), "connect(3, 10.0.0.1:81)은");
        assert_eq!(Towards.after("port 81"), "port 81로");
        // Capitals by their letters' names; errnos and flags.
        assert_eq!(Object.after("SYN"), "SYN을");
        assert_eq!(Object.after("RST"), "RST를");
        assert_eq!(Object.after("ECONNREFUSED"), "ECONNREFUSED를");
        assert_eq!(Object.after("SYN seq=0"), "SYN seq=0을");
        // Lower-case English by its last sound.
        assert_eq!(Subject.after("server"), "server가");
        assert_eq!(Subject.after("client"), "client가");
        assert_eq!(Object.after("listen()"), "listen()을");
        assert_eq!(Towards.after("pool"), "pool로");
        // Nothing to read: both forms.
        assert_eq!(Object.after("\"\""), "\"\"을");
        assert_eq!(Object.after("()"), "()을(를)");
    }

    #[test]
    fn every_errno_means_something_in_each_language_and_the_korean_is_korean() {
        for errno in Errno::ALL {
            let (en, ko) = errno_meaning(errno);
            assert!(en.is_ascii() && !en.is_empty(), "{errno}: {en}");
            assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{errno}: {ko}");
        }
    }
}
