//! The shareable state in the URL fragment:
//! `#lesson=handshake&seed=1&pos=12&quiz=1&edits=3:link:0:0.3:0:0:10000;12:drop:5`,
//! and the learner's changes ([`Edit`], the model's own type) it carries.
//! What-if branches follow as `&branches=12!14:drop:9!~20!!15:client%3A%20close(c)&compare=0:13`:
//! branches split by `~`, each `from!edits!console lines` (a console line is
//! `line:text`, its text escaped so `!`, `~`, `;` and `:` stay syntax), and the
//! compared branch with its position. The
//! format only grew: a link made before branches existed opens as it did.
//!
//! Plain Rust with no web dependency, so the format is unit tested, property
//! tested and fuzzed natively (fuzz target `url_fragment`); the page (`ui`) reads
//! and writes `location.hash` with it. Decoding never panics: anything a link can
//! hold is either a [`Shared`] within the limits below or a [`ShareError`] that
//! says what was wrong.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::lang::{Bilingual, Particle};
use crate::script::shown::shown;

/// The longest fragment read at all, in bytes: room for a [`MAX_SCRIPT_BYTES`]
/// script whose every byte is escaped (3 characters each) plus [`MAX_EDITS`]
/// changes, and [`MAX_BRANCHES`] branches of as many changes and
/// [`MAX_BRANCH_LINES`] console lines each. Checked first, so a hostile link
/// costs no more work than this.
pub const MAX_FRAGMENT_BYTES: usize = 3 * MAX_SCRIPT_BYTES + 64 * 1024 + MAX_BRANCHES * 32 * 1024;
/// The longest sandbox script a link may carry (after decoding), in bytes.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;
/// The most changes a link may carry: each one is a step the page replays.
pub const MAX_EDITS: usize = 200;
/// The most what-if branches a link may carry: each one is a lesson run.
pub const MAX_BRANCHES: usize = 8;
/// The most console lines one branch may carry.
pub const MAX_BRANCH_LINES: usize = 8;
/// The longest console line a branch may carry (after decoding), in bytes.
pub const MAX_CONSOLE_LINE_BYTES: usize = 256;
/// The longest lesson name, in characters (lesson ids are short words).
pub const MAX_LESSON_NAME: usize = 64;
// The learner's link settings are the core's, their edits the model's; the codec
// only serialises them.
use crate::lesson::edit::Edit;
use crate::net::link::LinkSettings;
pub use crate::net::link::MAX_LATENCY_US;
/// Link ids are below this: a world never has more links
/// ([`crate::net::MAX_LINKS`]), so a larger id names none.
pub const MAX_LINK_ID: u32 = crate::net::MAX_LINKS as u32;

/// Everything a shared link restores.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub lesson: String,
    /// Overrides a script's own seed line when set.
    pub seed: Option<u64>,
    /// The sandbox's script text.
    pub script: Option<String>,
    pub pos: usize,
    pub edits: Vec<Edit>,
    /// Opens in quiz mode (a teacher's link): `quiz=1`; links without it open as before.
    pub quiz: bool,
    /// The learner's what-if branches.
    pub branches: Vec<SharedBranch>,
    /// The branch compared with the original, if any, and its position.
    pub compare: Option<(usize, usize)>,
    /// A position that could not be read, left out: the lesson opens at its
    /// start rather than not at all (a mistyped `pos=-2` lost the lesson).
    /// Never written by [`encode`].
    pub bad_position: Option<ShareError>,
}

/// A what-if branch as a link carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedBranch {
    /// The original's position where the learner branched.
    pub from: usize,
    /// Its changes (the original's at the time, then its own).
    pub edits: Vec<Edit>,
    /// Console lines typed in it, in order: (the script line it became, its text).
    pub lines: Vec<(usize, String)>,
}

/// Why a fragment is not a shared state. Offending text is quoted shortened
/// (see [`ShareError`]'s `Display`), so a hostile link cannot flood the notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is longer than [`MAX_FRAGMENT_BYTES`].
    TooLong(usize),
    /// A part without `=`.
    NotKeyValue(String),
    UnknownKey(String),
    /// A key given twice: which one counts would be a guess.
    DuplicateKey(String),
    /// Not a lesson id: empty, longer than [`MAX_LESSON_NAME`], or other than
    /// letters, digits, `-` and `_`.
    BadLesson(String),
    /// `seed` or `pos` that is not a number in range, or `quiz` other than 0 or 1.
    BadNumber {
        key: &'static str,
        value: String,
    },
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8.
    GarbledScript,
    /// The decoded script is longer than [`MAX_SCRIPT_BYTES`].
    ScriptTooLong(usize),
    /// More than [`MAX_EDITS`] changes.
    TooManyEdits,
    /// A change that does not parse, or is out of bounds, and why.
    BadEdit {
        edit: String,
        problem: EditProblem,
    },
    /// No `lesson=` part.
    NoLesson,
    /// More than [`MAX_BRANCHES`] branches, or a branch with more than
    /// [`MAX_BRANCH_LINES`] console lines.
    TooManyBranches,
    /// A branch that is not `from!edits!lines` (or a console line in it longer
    /// than [`MAX_CONSOLE_LINE_BYTES`]), or `compare` naming no branch.
    BadBranch(String),
}

/// What is wrong with a change in a link ([`ShareError::BadEdit`]); the page
/// says it in either language, `Display` in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditProblem {
    /// Its position is not a number in range.
    Position,
    /// Its link is not a link number (below [`MAX_LINK_ID`]).
    Link,
    /// A probability is not a number from 0 to 1.
    Probability,
    /// Its packet is not a number.
    Packet,
    /// Its latency (or a packet's delay) is not a number of microseconds up to [`MAX_LATENCY_US`].
    Latency,
    /// It is none of the four shapes a change has.
    Shape,
}

impl Bilingual for EditProblem {
    fn both(&self) -> (String, String) {
        let (en, ko) = match self {
            EditProblem::Position => ("its position is not a number in range", "위치가 범위 안의 숫자가 아닙니다"),
            EditProblem::Link => ("its link is not a link number", "링크 번호가 올바르지 않습니다"),
            EditProblem::Probability => {
                ("a probability is not a number from 0 to 1", "확률이 0에서 1 사이의 숫자가 아닙니다")
            }
            EditProblem::Packet => ("its packet is not a number", "패킷 번호가 숫자가 아닙니다"),
            EditProblem::Latency => (
                "its latency is not a number of microseconds up to 10 s (MAX_LATENCY_US)",
                "지연 시간이 10초 이하의 마이크로초 값이 아닙니다",
            ),
            EditProblem::Shape => (
                "expected at:drop:packet, at:delay:packet:µs, at:dup:packet, at:cut:link, at:repair:link or \
                 at:link:link:loss:dup:reorder:latency",
                "형식은 위치:drop:패킷, 위치:delay:패킷:마이크로초, 위치:dup:패킷, 위치:cut:링크, 위치:repair:링크, \
                 위치:link:링크:손실:중복:순서바뀜:지연 중 하나입니다",
            ),
        };
        (en.into(), ko.into())
    }
}

/// `text` for a message: its control characters and bidi overrides escaped,
/// shortened with `…` past
/// [`MAX_QUOTED_CHARS`](crate::script::shown::MAX_QUOTED_CHARS) characters, as
/// the script's errors quote it (the page's Korean messages quote the same way).
/// The browser percent-encodes a fragment, but a link may arrive decoded, and
/// its text is anyone's.
pub fn quote(text: &str) -> String {
    format!("“{}”", shown(text))
}

/// What is wrong with the link, without saying that it is the link (the page's
/// notice says so).
impl Bilingual for ShareError {
    fn both(&self) -> (String, String) {
        match self {
            ShareError::TooLong(n) => (
                format!("the link is {n} bytes long; the limit is {MAX_FRAGMENT_BYTES} bytes (MAX_FRAGMENT_BYTES)"),
                format!("링크가 {n}바이트로, 한도 {MAX_FRAGMENT_BYTES}바이트를 넘습니다"),
            ),
            ShareError::NotKeyValue(part) => (
                format!("{} is not key=value", quote(part)),
                format!("키=값 형식이 아닌 부분이 있습니다: {}", quote(part)),
            ),
            ShareError::UnknownKey(key) => {
                (format!("unknown key {}", quote(key)), format!("알 수 없는 키입니다: {}", quote(key)))
            }
            ShareError::DuplicateKey(key) => {
                (format!("the key {} is given twice", quote(key)), format!("같은 키가 두 번 나옵니다: {}", quote(key)))
            }
            ShareError::BadLesson(name) => (
                format!(
                    "{} is not a lesson name (letters, digits, - and _, at most {MAX_LESSON_NAME} characters)",
                    quote(name)
                ),
                format!(
                    "레슨 이름이 올바르지 않습니다: {} (영문자, 숫자, -, _로 {MAX_LESSON_NAME}자 이하)",
                    quote(name)
                ),
            ),
            ShareError::BadNumber { key, value } => (
                format!("{key} {} is not a number in range", quote(value)),
                format!("{key} 값이 범위 안의 숫자가 아닙니다: {}", quote(value)),
            ),
            ShareError::GarbledScript => (
                "the script in the link is garbled (a bad %-escape, or bytes that are not UTF-8)".into(),
                "링크 안의 스크립트가 깨져 있습니다 (잘못된 %-이스케이프 또는 UTF-8이 아닌 바이트)".into(),
            ),
            ShareError::ScriptTooLong(n) => (
                format!(
                    "the script in the link is {n} bytes long; the limit is {MAX_SCRIPT_BYTES} bytes (MAX_SCRIPT_BYTES)"
                ),
                format!("링크 안의 스크립트가 {n}바이트로, 한도 {MAX_SCRIPT_BYTES}바이트를 넘습니다"),
            ),
            ShareError::TooManyEdits => {
                (format!("more than {MAX_EDITS} changes (MAX_EDITS)"), format!("변경이 {MAX_EDITS}개보다 많습니다"))
            }
            ShareError::BadEdit { edit, problem } => {
                let (en, ko) = problem.both();
                (
                    format!("change {} is not understood: {en}", quote(edit)),
                    format!("변경 {} 이해할 수 없습니다 — {ko}", Particle::Object.after(&quote(edit))),
                )
            }
            ShareError::NoLesson => ("no lesson named".into(), "레슨 이름이 없습니다".into()),
            ShareError::TooManyBranches => (
                format!(
                    "more than {MAX_BRANCHES} branches (MAX_BRANCHES) or {MAX_BRANCH_LINES} console lines in one \
                     (MAX_BRANCH_LINES)"
                ),
                format!("브랜치가 {MAX_BRANCHES}개보다 많거나 한 브랜치의 콘솔 줄이 {MAX_BRANCH_LINES}개보다 많습니다"),
            ),
            ShareError::BadBranch(b) => (
                format!("branch {} is not understood: expected from!changes!lines", quote(b)),
                format!("브랜치 {} 이해할 수 없습니다 — 형식은 위치!변경!줄입니다", Particle::Object.after(&quote(b))),
            ),
        }
    }
}

crate::display_in_english!(ShareError, EditProblem);

impl std::error::Error for ShareError {}

/// What `encodeURIComponent` leaves as it is: letters, digits and `-_.!~*'()`.
/// Everything else, `&`, `=`, `;`, `%` and `#` included, is escaped, so a script
/// never breaks the fragment's own syntax.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The fragment for `s`, without the leading `#`. `decode` gives `s` back when
/// `s` is within the limits and its lesson is a lesson name.
pub fn encode(s: &Shared) -> String {
    let mut out = format!("lesson={}", s.lesson);
    if let Some(seed) = s.seed {
        out.push_str(&format!("&seed={seed}"));
    }
    out.push_str(&format!("&pos={}", s.pos));
    if s.quiz {
        out.push_str("&quiz=1");
    }
    if let Some(text) = &s.script {
        out.push_str("&script=");
        out.extend(utf8_percent_encode(text, COMPONENT));
    }
    if !s.edits.is_empty() {
        out.push_str("&edits=");
        out.push_str(&encode_edits(&s.edits));
    }
    if !s.branches.is_empty() {
        let branches: Vec<String> = s
            .branches
            .iter()
            .map(|b| {
                let lines: Vec<String> = b
                    .lines
                    .iter()
                    .map(|(at, text)| format!("{at}:{}", utf8_percent_encode(text, BRANCH_TEXT)))
                    .collect();
                format!("{}!{}!{}", b.from, encode_edits(&b.edits), lines.join(";"))
            })
            .collect();
        out.push_str("&branches=");
        out.push_str(&branches.join("~"));
    }
    if let Some((k, pos)) = s.compare {
        out.push_str(&format!("&compare={k}:{pos}"));
    }
    out
}

/// What a console line's text escapes in a branch: the component's set and
/// the branch syntax's own `!` and `~`.
const BRANCH_TEXT: &AsciiSet = &COMPONENT.add(b'!').add(b'~');

/// A list of changes: `at:kind:...`, split by `;`.
fn encode_edits(edits: &[Edit]) -> String {
    let edits: Vec<String> = edits
        .iter()
        .map(|e| match e {
            Edit::Drop { at, packet } => format!("{at}:drop:{packet}"),
            Edit::Delay { at, packet, by } => format!("{at}:delay:{packet}:{by}"),
            Edit::Duplicate { at, packet } => format!("{at}:dup:{packet}"),
            Edit::Cut { at, link, cut } => format!("{at}:{}:{link}", if *cut { "cut" } else { "repair" }),
            // `{:?}` writes a tiny probability as `1e-300`, where `{}` would
            // write 300 zeros: a decoded state re-encodes within the limits.
            Edit::Link { at, link, settings: l } => {
                format!("{at}:link:{link}:{:?}:{:?}:{:?}:{}", l.loss, l.duplicate, l.reorder, l.latency_us)
            }
        })
        .collect();
    edits.join(";")
}

/// Reads a fragment (with or without the leading `#`). `Ok(None)` for an empty one.
pub fn decode(fragment: &str) -> Result<Option<Shared>, ShareError> {
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(ShareError::TooLong(fragment.len()));
    }
    let f = fragment.trim_start_matches('#').trim();
    if f.is_empty() {
        return Ok(None);
    }
    let mut lesson = None;
    let mut seed = None;
    let mut script = None;
    let mut pos = None;
    let mut edits: Option<Vec<Edit>> = None;
    let mut quiz = None;
    let mut branches: Option<Vec<SharedBranch>> = None;
    let mut compare: Option<(usize, usize)> = None;
    let mut bad_position = None;
    for part in f.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(|| ShareError::NotKeyValue(part.to_string()))?;
        let number = |key: &'static str| ShareError::BadNumber { key, value: value.to_string() };
        let fresh = match key {
            "lesson" => lesson.replace(decode_lesson(value)?).is_none(),
            "seed" => seed.replace(value.parse::<u64>().map_err(|_| number("seed"))?).is_none(),
            "script" => script.replace(decode_script(value)?).is_none(),
            "pos" => match value.parse::<usize>() {
                Ok(p) => pos.replace(p).is_none(),
                Err(_) => bad_position.replace(number("position")).is_none(),
            },
            "edits" => edits.replace(decode_edits(value)?).is_none(),
            "quiz" => quiz
                .replace(match value {
                    "1" => true,
                    "0" => false,
                    _ => return Err(number("quiz")),
                })
                .is_none(),
            "branches" => branches.replace(decode_branches(value)?).is_none(),
            "compare" => {
                let (k, p) = value.split_once(':').ok_or_else(|| number("compare"))?;
                let k = k.parse::<usize>().map_err(|_| number("compare"))?;
                compare.replace((k, p.parse::<usize>().map_err(|_| number("compare"))?)).is_none()
            }
            _ => return Err(ShareError::UnknownKey(key.to_string())),
        };
        if !fresh {
            return Err(ShareError::DuplicateKey(key.to_string()));
        }
    }
    let branches = branches.unwrap_or_default();
    if let Some((k, pos)) = compare.filter(|(k, _)| *k >= branches.len()) {
        return Err(ShareError::BadBranch(format!("compare={k}:{pos}")));
    }
    Ok(Some(Shared {
        lesson: lesson.ok_or(ShareError::NoLesson)?,
        seed,
        script,
        pos: pos.unwrap_or(0),
        edits: edits.unwrap_or_default(),
        quiz: quiz.unwrap_or(false),
        branches,
        compare,
        bad_position,
    }))
}

fn decode_branches(value: &str) -> Result<Vec<SharedBranch>, ShareError> {
    let mut out = Vec::new();
    for b in value.split('~') {
        if out.len() >= MAX_BRANCHES {
            return Err(ShareError::TooManyBranches);
        }
        let bad = || ShareError::BadBranch(b.to_string());
        let mut parts = b.split('!');
        let (Some(from), Some(edits), Some(lines), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let from = from.parse::<usize>().map_err(|_| bad())?;
        let edits = decode_edits(edits)?;
        let mut decoded = Vec::new();
        for line in lines.split(';').filter(|l| !l.is_empty()) {
            if decoded.len() >= MAX_BRANCH_LINES {
                return Err(ShareError::TooManyBranches);
            }
            let (at, text) = line.split_once(':').ok_or_else(bad)?;
            let at = at.parse::<usize>().map_err(|_| bad())?;
            let text = decode_script(text)?;
            if text.len() > MAX_CONSOLE_LINE_BYTES {
                return Err(bad());
            }
            decoded.push((at, text));
        }
        out.push(SharedBranch { from, edits, lines: decoded });
    }
    Ok(out)
}

fn decode_lesson(value: &str) -> Result<String, ShareError> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if value.is_empty() || value.len() > MAX_LESSON_NAME || !value.chars().all(name_char) {
        return Err(ShareError::BadLesson(value.to_string()));
    }
    Ok(lesson_now_named(value).to_string())
}

/// A lesson's name today for a name the page once used: the UDP tour was
/// `udp-ten` on the page while its file and the command line said `udp_ten`.
/// Links shared and quiz scores stored before it took the file's name still
/// find it.
pub fn lesson_now_named(name: &str) -> &str {
    if name == "udp-ten" {
        "udp_ten"
    } else {
        name
    }
}

/// Undoes `encodeURIComponent` as strictly as `decodeURIComponent` does: a `%`
/// must start an escape of two hex digits, and the bytes must be UTF-8.
fn decode_script(value: &str) -> Result<String, ShareError> {
    let bytes = value.as_bytes();
    let escapes_ok = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)));
    if !escapes_ok {
        return Err(ShareError::GarbledScript);
    }
    let text = percent_decode_str(value).decode_utf8().map_err(|_| ShareError::GarbledScript)?;
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(ShareError::ScriptTooLong(text.len()));
    }
    Ok(text.into_owned())
}

fn decode_edits(value: &str) -> Result<Vec<Edit>, ShareError> {
    let mut edits = Vec::new();
    for e in value.split(';').filter(|e| !e.is_empty()) {
        if edits.len() >= MAX_EDITS {
            return Err(ShareError::TooManyEdits);
        }
        edits.push(decode_edit(e)?);
    }
    Ok(edits)
}

fn decode_edit(e: &str) -> Result<Edit, ShareError> {
    let bad = |problem: EditProblem| ShareError::BadEdit { edit: e.to_string(), problem };
    // A position is a usize: on wasm32 that is 32 bits, and a larger number must
    // be refused, not wrapped around to some other position.
    let at = |s: &str| s.parse::<usize>().map_err(|_| bad(EditProblem::Position));
    let link = |s: &str| match s.parse::<u32>() {
        Ok(id) if id < MAX_LINK_ID => Ok(id),
        _ => Err(bad(EditProblem::Link)),
    };
    // `contains` is false for NaN, and infinities are outside 0..=1.
    let prob = |s: &str| match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(bad(EditProblem::Probability)),
    };
    let parts: Vec<&str> = e.split(':').collect();
    match parts.as_slice() {
        [pos, "drop", packet] => {
            Ok(Edit::Drop { at: at(pos)?, packet: packet.parse().map_err(|_| bad(EditProblem::Packet))? })
        }
        [pos, "delay", packet, by] => {
            let by = match by.parse::<u64>() {
                Ok(us) if us <= MAX_LATENCY_US => us,
                _ => return Err(bad(EditProblem::Latency)),
            };
            Ok(Edit::Delay { at: at(pos)?, packet: packet.parse().map_err(|_| bad(EditProblem::Packet))?, by })
        }
        [pos, "dup", packet] => {
            Ok(Edit::Duplicate { at: at(pos)?, packet: packet.parse().map_err(|_| bad(EditProblem::Packet))? })
        }
        [pos, kind @ ("cut" | "repair"), id] => Ok(Edit::Cut { at: at(pos)?, link: link(id)?, cut: *kind == "cut" }),
        [pos, "link", id, loss, dup, reorder, latency] => {
            let latency_us = match latency.parse::<u64>() {
                Ok(us) if us <= MAX_LATENCY_US => us,
                _ => return Err(bad(EditProblem::Latency)),
            };
            Ok(Edit::Link {
                at: at(pos)?,
                link: link(id)?,
                settings: LinkSettings {
                    loss: prob(loss)?,
                    duplicate: prob(dup)?,
                    reorder: prob(reorder)?,
                    latency_us,
                },
            })
        }
        _ => Err(bad(EditProblem::Shape)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Shared {
        Shared {
            lesson: "sandbox".into(),
            seed: Some(7),
            script: Some("host a 10.0.0.1 # 50% & more\nhost b 10.0.0.2=\n한국어 ;:#".into()),
            pos: 12,
            branches: vec![],
            compare: None,
            bad_position: None,
            edits: vec![
                Edit::Link {
                    at: 3,
                    link: 0,
                    settings: LinkSettings { loss: 0.25, duplicate: 0.0, reorder: 0.1, latency_us: 20_000 },
                },
                Edit::Drop { at: 5, packet: 4 },
                Edit::Delay { at: 5, packet: 6, by: 200_000 },
                Edit::Duplicate { at: 6, packet: 7 },
                Edit::Cut { at: 6, link: 0, cut: true },
                Edit::Cut { at: 9, link: 0, cut: false },
            ],
            quiz: true,
        }
    }

    #[test]
    fn state_round_trips_through_the_fragment() {
        let s = sample();
        let text = encode(&s);
        assert_eq!(decode(&format!("#{text}")), Ok(Some(s.clone())));
        assert_eq!(decode(&text), Ok(Some(s)));
        assert_eq!(decode(""), Ok(None));
        assert_eq!(decode("#"), Ok(None));
        assert_eq!(decode("#  "), Ok(None));
    }

    #[test]
    fn branches_round_trip_and_their_console_lines_keep_the_syntax_characters() {
        let s = Shared {
            branches: vec![
                SharedBranch { from: 12, edits: vec![Edit::Drop { at: 14, packet: 9 }], lines: vec![] },
                SharedBranch {
                    from: 20,
                    edits: vec![],
                    lines: vec![(15, "client: send(c, \"a!b~c;d:e\")".into()), (16, "server: close(a)".into())],
                },
            ],
            compare: Some((1, 30)),
            ..sample()
        };
        let text = encode(&s);
        assert!(text.contains("&branches=12!14:drop:9!~20!!15:client%3A%20send"), "{text}");
        assert!(text.ends_with("&compare=1:30"), "{text}");
        assert_eq!(decode(&text), Ok(Some(s)));
        // A compared branch that does not exist, and broken branches, are named.
        assert!(matches!(decode("lesson=a&compare=0:1"), Err(ShareError::BadBranch(_))));
        assert!(matches!(decode("lesson=a&branches=1!0:drop:1!&compare=1:0"), Err(ShareError::BadBranch(_))));
        assert!(matches!(decode("lesson=a&branches=1!!&compare=0"), Err(ShareError::BadNumber { .. })));
        assert!(matches!(decode("lesson=a&branches=x!!"), Err(ShareError::BadBranch(_))));
        let many = ["0!!"; MAX_BRANCHES + 1].join("~");
        assert_eq!(decode(&format!("lesson=a&branches={many}")), Err(ShareError::TooManyBranches));
    }

    /// A link made before branches existed (this very text) opens as it did.
    #[test]
    fn a_link_from_before_branches_still_opens() {
        let old = "#lesson=handshake&seed=3&pos=12&edits=3:link:0:0.3:0.0:0.0:10000;12:drop:5";
        let s = decode(old).expect("decodes").expect("not empty");
        assert_eq!((s.lesson.as_str(), s.seed, s.pos, s.edits.len()), ("handshake", Some(3), 12, 2));
        assert!(s.branches.is_empty() && s.compare.is_none());
        assert_eq!(format!("#{}", encode(&s)), old);
    }

    #[test]
    fn the_script_is_escaped_like_encode_uri_component() {
        let s = Shared { script: Some("a b&c=d;e%f#g-_.!~*'()".into()), edits: vec![], ..sample() };
        assert!(encode(&s).ends_with("&script=a%20b%26c%3Dd%3Be%25f%23g-_.!~*'()"), "{}", encode(&s));
    }

    #[test]
    fn probabilities_are_written_short_and_exact() {
        let settings = LinkSettings { loss: 0.3, duplicate: 5e-324, reorder: 1.0, latency_us: 0 };
        let s = Shared { script: None, edits: vec![Edit::Link { at: 4, link: 0, settings }], ..sample() };
        let text = encode(&s);
        assert!(text.ends_with("&edits=4:link:0:0.3:5e-324:1.0:0"), "{text}");
        assert_eq!(decode(&text), Ok(Some(s)));
    }

    #[test]
    fn minimal_fragments_take_defaults() {
        let old_udp_tour = decode("lesson=udp-ten").expect("decodes").expect("not empty");
        assert_eq!(old_udp_tour.lesson, "udp_ten", "a link shared under the UDP tour's old id opens it");
        let s = decode("lesson=tour").expect("decodes").expect("not empty");
        assert_eq!(
            s,
            Shared {
                lesson: "tour".into(),
                seed: None,
                script: None,
                pos: 0,
                edits: vec![],
                quiz: false,
                branches: vec![],
                compare: None,
                bad_position: None,
            }
        );
    }

    #[test]
    fn quiz_mode_rides_in_the_link_and_links_without_it_open_as_before() {
        let old = "#lesson=handshake&seed=1&pos=12&edits=12:drop:5";
        let s = decode(old).expect("an old link decodes").expect("not empty");
        assert!(!s.quiz && s.pos == 12 && s.edits.len() == 1);
        // Off, the link is written as it always was.
        assert_eq!(format!("#{}", encode(&s)), old);
        let teacher = Shared { quiz: true, ..s };
        let text = encode(&teacher);
        assert_eq!(text, "lesson=handshake&seed=1&pos=12&quiz=1&edits=12:drop:5");
        assert_eq!(decode(&text), Ok(Some(teacher)));
        assert!(decode("lesson=tour&quiz=0").is_ok_and(|s| s.is_some_and(|s| !s.quiz)));
        assert!(matches!(decode("lesson=tour&quiz=yes"), Err(ShareError::BadNumber { key: "quiz", .. })));
        assert!(matches!(decode("lesson=tour&quiz=1&quiz=1"), Err(ShareError::DuplicateKey(_))));
    }

    #[test]
    fn a_bad_position_is_left_out_and_said_while_the_rest_of_the_link_is_read() {
        for (bad, value) in [("#lesson=handshake&pos=x", "x"), ("#lesson=handshake&pos=-1&quiz=1", "-1")] {
            let s = decode(bad).expect("decodes").expect("not empty");
            assert_eq!((s.lesson.as_str(), s.pos), ("handshake", 0));
            assert_eq!(s.bad_position, Some(ShareError::BadNumber { key: "position", value: value.into() }));
            assert!(!encode(&s).contains(value), "the bad position is not written back");
        }
        assert!(decode("#lesson=handshake&pos=-1&quiz=1").is_ok_and(|s| s.is_some_and(|s| s.quiz)));
    }

    #[test]
    fn malformed_fragments_are_explained_not_panicked_on() {
        type Expected = fn(&ShareError) -> bool;
        let cases: &[(&str, Expected)] = &[
            ("#garbage", |e| matches!(e, ShareError::NotKeyValue(_))),
            ("#lesson=a&seed=18446744073709551616", |e| matches!(e, ShareError::BadNumber { key: "seed", .. })),
            ("#lesson=<script>", |e| matches!(e, ShareError::BadLesson(_))),
            ("#lesson=", |e| matches!(e, ShareError::BadLesson(_))),
            ("#lesson=a&edits=1:drop", |e| matches!(e, ShareError::BadEdit { problem: EditProblem::Shape, .. })),
            ("#lesson=a&edits=1:drop:x", |e| matches!(e, ShareError::BadEdit { problem: EditProblem::Packet, .. })),
            ("#lesson=a&edits=1:link:0:2:0:0:1", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Probability, .. })
            }),
            ("#lesson=a&edits=1:link:0:NaN:0:0:1", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Probability, .. })
            }),
            ("#lesson=a&edits=1:link:0:inf:0:0:1", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Probability, .. })
            }),
            ("#lesson=a&edits=1:link:0:-0.5:0:0:1", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Probability, .. })
            }),
            ("#lesson=a&edits=1:link:0:0:0:0:10000001", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Latency, .. })
            }),
            ("#lesson=a&edits=1:link:99999999999:0:0:0:1", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Link, .. })
            }),
            ("#lesson=a&edits=1:cut:40000", |e| matches!(e, ShareError::BadEdit { problem: EditProblem::Link, .. })),
            ("#lesson=a&edits=99999999999999999999:cut:0", |e| {
                matches!(e, ShareError::BadEdit { problem: EditProblem::Position, .. })
            }),
            ("#lesson=a&edits=1:melt:0", |e| matches!(e, ShareError::BadEdit { problem: EditProblem::Shape, .. })),
            ("#seed=1", |e| *e == ShareError::NoLesson),
            ("#lesson=a&colour=blue", |e| matches!(e, ShareError::UnknownKey(_))),
            ("#lesson=a&lesson=b", |e| matches!(e, ShareError::DuplicateKey(_))),
            ("#lesson=a&pos=1&pos=2", |e| matches!(e, ShareError::DuplicateKey(_))),
            ("#lesson=a&script=%", |e| *e == ShareError::GarbledScript),
            ("#lesson=a&script=%4", |e| *e == ShareError::GarbledScript),
            ("#lesson=a&script=%zz", |e| *e == ShareError::GarbledScript),
            ("#lesson=a&script=%FF%FE", |e| *e == ShareError::GarbledScript),
        ];
        for (bad, expected) in cases {
            let r = decode(bad);
            match &r {
                Err(e) => {
                    assert!(expected(e), "{bad} gave {e:?}");
                    assert!(!e.to_string().is_empty());
                }
                Ok(_) => panic!("{bad} decoded to {r:?}"),
            }
        }
    }

    #[test]
    fn messages_quote_offending_text_shortened() {
        let long = "x".repeat(10_000);
        let e = decode(&format!("lesson=a&{long}")).expect_err("not key=value");
        assert!(e.to_string().chars().count() < 100, "{e}");
        assert!(e.to_string().contains('…'));
        // A link's text that a terminal or the page would obey is shown escaped.
        let e = decode("lesson=a&\u{202e}txt.exe\x1b[2J").expect_err("not key=value");
        assert_eq!(e.to_string(), "“\\u{202e}txt.exe\\x1b[2J” is not key=value");
    }

    #[test]
    fn limits_are_enforced_and_named() {
        // A link with a huge script: refused before any decoding.
        let huge = format!("lesson=sandbox&script={}", "a".repeat(MAX_FRAGMENT_BYTES));
        let e = decode(&huge).expect_err("too long");
        assert!(matches!(e, ShareError::TooLong(_)) && e.to_string().contains("MAX_FRAGMENT_BYTES"), "{e}");

        // A script just over its own limit, escaped so the fragment still fits.
        let over = format!("lesson=sandbox&script={}", "%41".repeat(MAX_SCRIPT_BYTES + 1));
        let e = decode(&over).expect_err("script too long");
        assert_eq!(e, ShareError::ScriptTooLong(MAX_SCRIPT_BYTES + 1));
        assert!(e.to_string().contains("MAX_SCRIPT_BYTES"), "{e}");
        let at_limit = format!("lesson=sandbox&script={}", "%41".repeat(MAX_SCRIPT_BYTES));
        assert!(decode(&at_limit).is_ok());

        // Many changes.
        let edits = |n: usize| vec!["0:drop:1"; n].join(";");
        assert!(decode(&format!("lesson=a&edits={}", edits(MAX_EDITS))).is_ok());
        let e = decode(&format!("lesson=a&edits={}", edits(MAX_EDITS + 1))).expect_err("too many");
        assert_eq!(e, ShareError::TooManyEdits);
        assert!(e.to_string().contains("MAX_EDITS"), "{e}");

        // Link settings at their bounds are fine; past them are not.
        let link = |lat: u64| format!("lesson=a&edits=0:link:{}:1:0:0:{lat}", MAX_LINK_ID - 1);
        assert!(decode(&link(MAX_LATENCY_US)).is_ok());
        assert!(matches!(decode(&link(MAX_LATENCY_US + 1)), Err(ShareError::BadEdit { .. })));
        let long_name = format!("lesson={}", "a".repeat(MAX_LESSON_NAME + 1));
        assert!(matches!(decode(&long_name), Err(ShareError::BadLesson(_))));
    }
}
