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
    pub message: String,
}

impl ScriptError {
    pub fn new(line: usize, col: usize, message: impl Into<String>) -> ScriptError {
        ScriptError { line, col, message: message.into() }
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
