//! Splits one line of a script into tokens, each with its 1-based column.
//!
//! A line is words (`server`, `connect`, `SYN-SENT`), numbers with an optional
//! unit or dots (`5`, `200ms`, `10.0.0.1`, `10mbit`), double-quoted strings with C
//! escapes, tcpdump flag groups in brackets (`[S.]`) and single punctuation
//! characters. `#` outside a string starts a comment.

use super::error::{Found, ScriptError, Wanted};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// Letters, digits, `_`, `-` and `.`, starting with a letter or `_`.
    Word(String),
    /// Starts with a digit: `5`, `1.5s`, `10.0.0.1`, `10mbit`.
    Num(String),
    /// A double-quoted string, escapes already decoded.
    Str(Vec<u8>),
    /// The inside of `[...]`.
    Flags(String),
    Punct(char),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub col: usize,
}

impl Tok {
    /// The token as an error names what it met.
    pub fn found(&self) -> Found {
        match self {
            Tok::Word(w) | Tok::Num(w) => Found::Token(w.clone()),
            Tok::Str(s) => Found::Str(crate::net::syscall::quote_bytes(s)),
            Tok::Flags(f) => Found::Token(format!("[{f}]")),
            Tok::Punct(c) => Found::Token(c.to_string()),
        }
    }
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Tokens of one line (comment stripped). `line` is only used for errors.
pub fn lex_line(text: &str, line: usize) -> Result<Vec<Token>, ScriptError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            break;
        } else if is_word_start(c) {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            out.push(Token { tok: Tok::Word(chars[start..i].iter().collect()), col });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token { tok: Tok::Num(chars[start..i].iter().collect()), col });
        } else if c == '"' {
            let (bytes, next) = lex_string(&chars, i, line)?;
            out.push(Token { tok: Tok::Str(bytes), col });
            i = next;
        } else if c == '[' {
            let start = i + 1;
            let Some(len) = chars[start..].iter().position(|&c| c == ']') else {
                return Err(ScriptError::expected(line, col, Wanted::FlagsClose, Found::EndOfLine));
            };
            out.push(Token { tok: Tok::Flags(chars[start..start + len].iter().collect()), col });
            i = start + len + 1;
        } else if matches!(
            c,
            ':' | '=' | '(' | ')' | ',' | '>' | '<' | '+' | '-' | '%' | '*' | '/' | '{' | '}' | '|' | '~'
        ) {
            out.push(Token { tok: Tok::Punct(c), col });
            i += 1;
        } else {
            return Err(ScriptError::expected(line, col, Wanted::Token, Found::Token(c.to_string())));
        }
    }
    Ok(out)
}

/// Reads a string starting at the opening quote; returns its bytes and the index
/// after the closing quote.
fn lex_string(chars: &[char], open: usize, line: usize) -> Result<(Vec<u8>, usize), ScriptError> {
    let mut bytes = Vec::new();
    let mut i = open + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(ScriptError::expected(line, open + 1, Wanted::StringClose, Found::EndOfLine));
        };
        match c {
            '"' => return Ok((bytes, i + 1)),
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(ScriptError::expected(line, i + 1, Wanted::EscapeAfterBackslash, Found::EndOfLine));
                };
                match e {
                    'n' => bytes.push(b'\n'),
                    'r' => bytes.push(b'\r'),
                    't' => bytes.push(b'\t'),
                    '0' => bytes.push(0),
                    '\\' => bytes.push(b'\\'),
                    '"' => bytes.push(b'"'),
                    'x' => {
                        let hex: String = chars.iter().skip(i + 2).take(2).collect();
                        let Some(b) = (hex.len() == 2).then(|| u8::from_str_radix(&hex, 16).ok()).flatten() else {
                            return Err(ScriptError::expected(line, i + 1, Wanted::HexDigits, Found::Token(hex)));
                        };
                        bytes.push(b);
                        i += 2;
                    }
                    other => {
                        return Err(ScriptError::expected(
                            line,
                            i + 1,
                            Wanted::Escape,
                            Found::Token(format!("\\{other}")),
                        ))
                    }
                }
                i += 2;
            }
            c => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex_line(s, 1).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn a_call_line() {
        assert_eq!(
            toks("server: bind(l, 10.0.0.1:80) = 0  # comment"),
            vec![
                Tok::Word("server".into()),
                Tok::Punct(':'),
                Tok::Word("bind".into()),
                Tok::Punct('('),
                Tok::Word("l".into()),
                Tok::Punct(','),
                Tok::Num("10.0.0.1".into()),
                Tok::Punct(':'),
                Tok::Num("80".into()),
                Tok::Punct(')'),
                Tok::Punct('='),
                Tok::Num("0".into()),
            ]
        );
    }

    #[test]
    fn strings_flags_and_columns() {
        let t = lex_line(r#"expect a > b [S.] "x\n\x41#""#, 3).unwrap();
        assert_eq!(t[4].tok, Tok::Flags("S.".into()));
        assert_eq!(t[4].col, 14);
        assert_eq!(t[5].tok, Tok::Str(b"x\nA#".to_vec()));
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = lex_line("send(c, \"abc", 4).unwrap_err();
        assert_eq!((e.line, e.col), (4, 9));
        let e = lex_line("a ; b", 2).unwrap_err();
        assert_eq!(e.col, 3);
        let e = lex_line(r#""\q""#, 1).unwrap_err();
        assert!(e.message.contains("escape"), "{}", e.message);
        let e = lex_line(r#""\x4""#, 1).unwrap_err();
        assert!(e.message.contains("hex"), "{}", e.message);
    }

    #[test]
    fn non_ascii_never_panics() {
        assert!(lex_line("é ü 中", 1).is_err());
        assert_eq!(toks("\"中\""), vec![Tok::Str("中".as_bytes().to_vec())]);
    }
}
