//! The lessons the page offers: every lesson is a script (`scenarios/*.sock`, or
//! the learner's own), run by the script runner with the learner's changes.
//! Plain Rust, no web.

use std::rc::Rc;

use crate::lang::Lang;
use crate::lesson::edit::Edit;
use crate::lesson::scripts::{self, Prepared, ScriptRun, SCRIPTS};
use crate::script::ScriptError;

/// Where a lesson's script comes from.
#[derive(Clone)]
pub enum Source {
    /// A script from `scenarios/`.
    Script(&'static str),
    /// The learner's own script.
    Sandbox(Rc<str>),
}

/// One lesson: its id (for links), words in both languages, and its source.
#[derive(Clone)]
pub struct Lesson {
    pub id: String,
    pub title_en: String,
    pub title_ko: String,
    pub about_en: String,
    pub about_ko: String,
    pub source: Source,
    /// A lesson told side by side: the script run beside this one.
    pub companion: Option<Companion>,
}

/// The right-hand run of a lesson told side by side, and the two sides' names.
#[derive(Clone)]
pub struct Companion {
    pub lesson: Rc<Lesson>,
    /// (English, Korean) names of the left side (this lesson) and the right.
    pub sides: [(&'static str, &'static str); 2],
}

impl Companion {
    /// The name of side 0 (left) or 1 (right) in `lang`.
    pub fn side(&self, which: usize, lang: Lang) -> &'static str {
        let (en, ko) = self.sides[which.min(1)];
        lang.pick((en, ko))
    }
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.text() == other.text()
    }
}

impl std::fmt::Debug for Lesson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lesson({})", self.id)
    }
}

impl Lesson {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.title_en,
            Lang::Ko => &self.title_ko,
        }
    }

    pub fn about(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.about_en,
            Lang::Ko => &self.about_ko,
        }
    }

    /// The lesson's script.
    pub fn text(&self) -> &str {
        match &self.source {
            Source::Script(t) => t,
            Source::Sandbox(t) => t,
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.source, Source::Sandbox(_))
    }

    /// The whole run at once, with the learner's `edits`; `seed` overrides
    /// the script's own seed line.
    pub fn build(&self, seed: Option<u64>, edits: &[Edit]) -> Result<Prepared, ScriptError> {
        Ok(self.start(seed, edits)?.finish())
    }

    /// Parses the script (so its errors show at once) and runs its set-up
    /// lines; the rest runs in slices ([`ScriptRun::run_for`]).
    pub fn start(&self, seed: Option<u64>, edits: &[Edit]) -> Result<ScriptRun, ScriptError> {
        scripts::start(self.text(), seed, edits)
    }

    /// A lesson from a script's text (its title and about lines).
    pub fn from_script(id: &str, text: &'static str) -> Lesson {
        let meta = crate::script::parse(text).map(|s| s.meta).unwrap_or_default();
        let en = meta.title_en.clone().unwrap_or_else(|| id.replace('_', " "));
        Lesson {
            id: id.to_string(),
            title_ko: meta.title_ko.unwrap_or_else(|| en.clone()),
            title_en: en,
            about_en: meta.about_en.unwrap_or_default(),
            about_ko: meta.about_ko.unwrap_or_default(),
            source: Source::Script(text),
            companion: scripts::COMPANIONS
                .iter()
                .find(|c| c.lesson == id)
                .map(|c| Companion { lesson: Rc::new(Lesson::from_script(c.id, c.text)), sides: c.sides }),
        }
    }

    /// The learner's own script.
    pub fn sandbox(text: &str) -> Lesson {
        Lesson {
            id: SANDBOX.to_string(),
            title_en: "Sandbox: your own script".into(),
            title_ko: "샌드박스: 직접 쓰는 스크립트".into(),
            about_en: "Edit the script and run it: hosts, links, socket calls, faults and expectations. \
                       Errors are shown at their line."
                .into(),
            about_ko: "스크립트를 고치고 실행해 보세요. 호스트, 링크, 소켓 호출, 장애, 기대값을 쓸 수 있습니다. \
                       오류는 해당 줄에 표시됩니다."
                .into(),
            source: Source::Sandbox(Rc::from(text)),
            companion: None,
        }
    }
}

/// The id of the sandbox lesson.
pub const SANDBOX: &str = "sandbox";

/// The whole library: the two tours, the handshake, then every other lesson.
pub fn library() -> Vec<Lesson> {
    let mut out: Vec<Lesson> = SCRIPTS.iter().map(|(id, t)| Lesson::from_script(id, t)).collect();
    out.sort_by_key(|l| ["tour", "udp_ten", "handshake"].iter().position(|id| *id == l.id).unwrap_or(3));
    out
}
