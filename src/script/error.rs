//! Errors of the scenario language: parse errors carry line and column, run
//! failures carry the line whose expectation did not hold.

use serde::Serialize;

/// A script that cannot be read: `FILE:LINE:COL: expected …, found …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
    /// In English.
    pub message: String,
    /// The message's parts, for a reader that says it in another language.
    #[serde(skip)]
    pub kind: ScriptErrorKind,
}

/// What kind of error a [`ScriptError`] is, with its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptErrorKind {
    /// `expected {expected}, found {found}`: the common kind, where the parser
    /// or lexer wanted one thing and met another.
    Expected { expected: String, found: String },
    /// Anything else: the message says it.
    Other,
}

impl ScriptError {
    /// An error with `message`; one in the house shape `expected X, found Y`
    /// (most of the parser's) keeps its two parts in `kind`.
    pub fn new(line: usize, col: usize, message: impl Into<String>) -> ScriptError {
        let message = message.into();
        let kind = message.strip_prefix("expected ").and_then(|rest| rest.split_once(", found ")).map_or(
            ScriptErrorKind::Other,
            |(expected, found)| ScriptErrorKind::Expected { expected: expected.to_string(), found: found.to_string() },
        );
        ScriptError { line, col, message, kind }
    }

    /// `expected {expected}, found {found}`, keeping both parts.
    pub fn expected(line: usize, col: usize, expected: impl Into<String>, found: impl Into<String>) -> ScriptError {
        let (expected, found) = (expected.into(), found.into());
        ScriptError {
            line,
            col,
            message: format!("expected {expected}, found {found}"),
            kind: ScriptErrorKind::Expected { expected, found },
        }
    }

    /// `FILE:LINE:COL: message`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// Why a run failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A call's result, a packet, a state or a counter was not what the line said.
    Expectation,
    /// A call never finished within the bound.
    Pending,
    /// The script asked for something the world cannot do (a limit, a name that
    /// failed to bind, an address clash found while running).
    Script,
}

/// An expectation that did not hold: `FILE:LINE: expected …, got …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub line: usize,
    pub kind: FailureKind,
    pub expected: String,
    pub got: String,
}

impl Failure {
    /// `FILE:LINE: expected …, got …`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}: {self}", self.line)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_and_found_are_kept_apart_however_the_error_was_made() {
        let made = ScriptError::new(2, 1, "expected a statement (seed, host, +TIME), found 'bogus'");
        let kind =
            ScriptErrorKind::Expected { expected: "a statement (seed, host, +TIME)".into(), found: "'bogus'".into() };
        assert_eq!(made.kind, kind);
        assert_eq!(ScriptError::expected(2, 1, "a statement (seed, host, +TIME)", "'bogus'"), made);
        assert_eq!(ScriptError::new(1, 1, "script is too long").kind, ScriptErrorKind::Other);
        assert_eq!(made.to_string(), "2:1: expected a statement (seed, host, +TIME), found 'bogus'");
    }
}
