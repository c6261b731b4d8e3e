//! The page's language: English or Korean.
//!
//! The page says everything in one of the two ([`crate::view::words`] for its texts,
//! each model type's own `text(lang)` for what it reports).

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
}
