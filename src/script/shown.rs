//! Script text as a message shows it: escaped and bounded.
//!
//! A message that quotes the script (a token, a string, a name, a title) must
//! not hand the reader's terminal or page anything but visible text, and must
//! not grow with the script: a 4 MiB word is quoted as its first
//! [`MAX_QUOTED_CHARS`] characters and `…`. Control characters, which a
//! terminal obeys (ESC starts a colour or a cursor move, CR rewrites the line,
//! BEL rings) and bidirectional overrides, which reorder what follows them
//! (Trojan Source, CVE-2021-42574), are written as escapes instead:
//! `\n`, `\r`, `\t`, `\x1b` below U+0080, as the script's own strings and
//! [`quote_bytes`](crate::net::syscall::quote_bytes) write them, and `\u{202e}`
//! above. Everything else, Hangul included, is shown as it is.

use std::fmt;

/// The most characters of script text one message quotes.
pub const MAX_QUOTED_CHARS: usize = 40;

/// The most characters of one piece of script text a report line quotes whole:
/// a statement as written, a title, a note. Longer than any call the model
/// renders (a 40-character name, 64 bytes of data as `\xHH`, an address).
pub const MAX_LINE_CHARS: usize = 400;

/// The most names one message lists (the declared hosts, say).
pub const MAX_LISTED: usize = 8;

/// Whether `c` is written as an escape: a C0 or C1 control, DEL, a
/// bidirectional formatting character, a line or paragraph separator, or a
/// byte-order mark (invisible, and a zero-width no-break space inside text).
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}' | '\u{feff}'
        )
}

/// `text`, escaped, at most `max` of its characters (an escape counts as one),
/// then `…` if there was more.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    text: &'a str,
    max: usize,
}

/// `c`, or its escape.
fn write_char(out: &mut impl fmt::Write, c: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if needs_escape(c) && (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c if needs_escape(c) => write!(out, "\\u{{{:x}}}", c as u32),
        c => out.write_char(c),
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.text.chars();
        for c in chars.by_ref().take(self.max) {
            write_char(f, c)?;
        }
        if chars.next().is_some() {
            f.write_str("…")?;
        }
        Ok(())
    }
}

/// A line of the script around its column `col` (1-based, in characters), as
/// an error shows it with a caret under that column: escaped, at most half of
/// [`MAX_LINE_CHARS`] either side (as much as the script pane shows of a
/// line; the page's error box scrolls to the caret, so a wide screen shows
/// the whole line, not 40 characters of it), `…` where it is cut. Returns the
/// excerpt and the caret's offset in it (in characters).
pub fn excerpt(line: &str, col: usize) -> (String, usize) {
    const REACH: usize = MAX_LINE_CHARS / 2;
    let chars: Vec<char> = line.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(REACH);
    let end = chars.len().min(at + REACH);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for &c in &chars[start..at] {
        let _ = write_char(&mut out, c);
    }
    let caret = out.chars().count();
    for &c in &chars[at..end] {
        let _ = write_char(&mut out, c);
    }
    if end < chars.len() {
        out.push('…');
    }
    (out, caret)
}

/// A token, a name or a string as a message quotes it: escaped, at most
/// [`MAX_QUOTED_CHARS`] characters.
pub fn shown(text: &str) -> Shown<'_> {
    Shown { text, max: MAX_QUOTED_CHARS }
}

/// `text` escaped, at most `max` characters.
pub fn shown_up_to(text: &str, max: usize) -> Shown<'_> {
    Shown { text, max }
}

/// `text` escaped, whole: for text whose length is bounded already (a file's
/// name, a message built of bounded parts).
pub fn escaped(text: &str) -> Shown<'_> {
    Shown { text, max: usize::MAX }
}

/// At most [`MAX_LISTED`] names, each [`shown`], joined by `, `; `more` says how
/// many were left out (given their count).
pub fn listed(names: &[String], more: impl Fn(usize) -> String) -> String {
    let mut out: Vec<String> = names.iter().take(MAX_LISTED).map(|n| shown(n).to_string()).collect();
    if names.len() > MAX_LISTED {
        out.push(more(names.len() - MAX_LISTED));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(shown("\x1b[31mred\x07\0\r\n\t\x7f").to_string(), "\\x1b[31mred\\x07\\x00\\r\\n\\t\\x7f");
        assert_eq!(
            shown("a\u{202e}b\u{2066}\u{2069}\u{85}\u{9b}").to_string(),
            "a\\u{202e}b\\u{2066}\\u{2069}\\u{85}\\u{9b}"
        );
        assert_eq!(shown("\u{feff}\u{200f}\u{2028}").to_string(), "\\u{feff}\\u{200f}\\u{2028}");
        // Text, Hangul and the script's own backslashes stay as written.
        assert_eq!(shown("클라이언트 é \\q").to_string(), "클라이언트 é \\q");
        for c in (0..0x20u32).chain(0x7f..0xa0).chain(0x202a..0x202f).chain(0x2066..0x206a) {
            let c = char::from_u32(c).unwrap();
            assert!(!shown(&c.to_string()).to_string().chars().any(|s| s == c), "{c:?}");
        }
    }

    #[test]
    fn an_excerpt_keeps_its_caret_under_the_column() {
        assert_eq!(excerpt("host a (", 8), ("host a (".to_string(), 7));
        // Escapes before the column move the caret with them.
        assert_eq!(excerpt("a\x1b\u{202e} ;", 5), ("a\\x1b\\u{202e} ;".to_string(), 14));
        // A long line: the column's neighbourhood, cut with '…' on either side.
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let (text, caret) = excerpt(&line, 1001);
        let reach = MAX_LINE_CHARS / 2;
        assert_eq!(text, format!("…{}X{}…", "a".repeat(reach), "b".repeat(reach - 1)));
        // A line as long as a wide screen shows is shown whole.
        let line = format!("client: send(c, \"{}\")", "x".repeat(150));
        assert_eq!(excerpt(&line, 160).0, line);
        assert_eq!(text.chars().nth(caret), Some('X'));
        // At the end of the line (an error that wanted more), and past it.
        assert_eq!(excerpt("abc", 4), ("abc".to_string(), 3));
        assert_eq!(excerpt("abc", 99), ("abc".to_string(), 3));
        assert_eq!(excerpt("", 1), (String::new(), 0));
    }

    #[test]
    fn quotes_are_bounded() {
        let long = "x".repeat(10_000);
        assert_eq!(shown(&long).to_string(), format!("{}…", "x".repeat(MAX_QUOTED_CHARS)));
        assert_eq!(shown(&long[..MAX_QUOTED_CHARS]).to_string(), "x".repeat(MAX_QUOTED_CHARS));
        // Characters, not bytes; an escape is one character of the 40.
        let wide = "한".repeat(100);
        assert_eq!(shown(&wide).to_string().chars().count(), MAX_QUOTED_CHARS + 1);
        assert_eq!(shown(&"\x1b".repeat(100)).to_string(), format!("{}…", "\\x1b".repeat(MAX_QUOTED_CHARS)));
        assert_eq!(shown_up_to("abcdef", 3).to_string(), "abc…");
        assert_eq!(escaped(&long).to_string(), long);
        let names: Vec<String> = (0..20).map(|i| format!("h{i}")).collect();
        assert_eq!(listed(&names[..2], |n| format!("{n} more")), "h0, h1");
        assert_eq!(listed(&names, |n| format!("… {n} more")), "h0, h1, h2, h3, h4, h5, h6, h7, … 12 more");
    }
}
