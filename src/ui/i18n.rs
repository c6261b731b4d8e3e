//! The page's words in Korean and English.
//!
//! Every string the page shows is a [`Text`]; [`tr`] is an exhaustive match, so a
//! text missing in one language is a compile error, not a blank on the page.
//! Plain Rust, no web: tested by the unit tests below.

/// The page's language.
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
}

/// Every text on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Text {
    Tagline,
    LanguageSwitch,
    NetworkTitle,
    NetworkCaption,
    TopologyLabel,
    OneWay,
    IdeasTitle,
    IdeaSocket,
    IdeaPort,
    ServerPath,
    ClientPath,
    WorldFailed,
    PanicTitle,
    PanicBody,
    PanicReset,
}

impl Text {
    pub const ALL: [Text; 15] = [
        Text::Tagline,
        Text::LanguageSwitch,
        Text::NetworkTitle,
        Text::NetworkCaption,
        Text::TopologyLabel,
        Text::OneWay,
        Text::IdeasTitle,
        Text::IdeaSocket,
        Text::IdeaPort,
        Text::ServerPath,
        Text::ClientPath,
        Text::WorldFailed,
        Text::PanicTitle,
        Text::PanicBody,
        Text::PanicReset,
    ];
}

/// The text in the language.
pub fn tr(lang: Lang, text: Text) -> &'static str {
    use Lang::*;
    use Text::*;
    match (text, lang) {
        (Tagline, En) => "A socket laboratory: hosts, ports and TCP/UDP sockets you can watch",
        (Tagline, Ko) => "소켓 실험실: 호스트, 포트, TCP/UDP 소켓을 눈으로 확인합니다",
        (LanguageSwitch, En) => "Language",
        (LanguageSwitch, Ko) => "언어",
        (NetworkTitle, En) => "Network",
        (NetworkTitle, Ko) => "네트워크",
        (NetworkCaption, En) => "Two hosts joined by one link, drawn from the simulated world.",
        (NetworkCaption, Ko) => "링크 하나로 연결된 두 호스트입니다. 시뮬레이션 세계에서 그대로 그립니다.",
        (TopologyLabel, En) => "Hosts and links of the simulated network",
        (TopologyLabel, Ko) => "시뮬레이션 네트워크의 호스트와 링크",
        (OneWay, En) => "one way",
        (OneWay, Ko) => "편도",
        (IdeasTitle, En) => "Key ideas",
        (IdeasTitle, Ko) => "핵심 개념",
        (IdeaSocket, En) => "A socket is named by its protocol, IP address and port.",
        (IdeaSocket, Ko) => "소켓은 프로토콜, IP 주소, 포트로 구별합니다.",
        (IdeaPort, En) => "A port is unique per host and protocol: TCP 80 and UDP 80 can live side by side.",
        (IdeaPort, Ko) => "포트는 호스트와 프로토콜마다 하나뿐입니다. TCP 80과 UDP 80은 함께 쓸 수 있습니다.",
        (ServerPath, En) => "Server",
        (ServerPath, Ko) => "서버",
        (ClientPath, En) => "Client",
        (ClientPath, Ko) => "클라이언트",
        (WorldFailed, En) => "The simulated world could not be built:",
        (WorldFailed, Ko) => "시뮬레이션 세계를 만들지 못했습니다:",
        (PanicTitle, En) => "Something went wrong",
        (PanicTitle, Ko) => "문제가 생겼습니다",
        (PanicBody, En) => "The page hit a bug and stopped. Reset to start again.",
        (PanicBody, Ko) => "페이지에 버그가 있어 멈췄습니다. 초기화하면 다시 시작합니다.",
        (PanicReset, En) => "Reset",
        (PanicReset, Ko) => "초기화",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn lookup_gives_the_right_language() {
        assert_eq!(tr(Lang::Ko, Text::IdeasTitle), "핵심 개념");
        assert_eq!(tr(Lang::En, Text::IdeasTitle), "Key ideas");
    }

    #[wasm_bindgen_test]
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
}
