//! What the page tells the learner above the lesson, said in either language.
//!
//! A notice keeps what happened (a failure, a parse error, a bad shared link), not
//! a sentence; [`Notice::text`] says it in the page's language when it is shown.

use crate::lang::{Bilingual, Lang};
use crate::lesson::share::ShareError;
use crate::script::{Failure, FailureKind, ScriptError};
use crate::view::packets::Labels;

/// Something the page tells the learner above the lesson. It keeps what
/// happened, not a sentence, so it is said in whichever language the page is in.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// An expectation of the lesson's own script failed, or a call of it
    /// never returned: the first one.
    ScriptStopped(Failure),
    /// The learner's `changes` made `expectations` of the lesson's
    /// expectations fail: an outcome of the experiment, said on each line.
    OutcomeChanged { changes: usize, expectations: usize },
    /// A script that does not parse.
    Build(ScriptError),
    /// A shared link that cannot be read.
    BadLink(ShareError),
    /// A shared link's position that could not be read: the lesson opens at its start.
    PositionIgnored(ShareError),
    /// A shared link that names a lesson the page does not have.
    UnknownLesson(String),
    /// Changes in a shared link on links the lesson does not have (their ids,
    /// ascending, without repeats), left out.
    IgnoredEdits { count: usize, links: Vec<u32> },
    /// Later changes of the learner's withdrawn, each by the packet it named
    /// (number, label): the change just made altered the run, and those
    /// numbers name other packets now.
    EditsWithdrawn(Vec<(u64, Labels)>),
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
            // By its line, as a script that does not parse is ("line 3, column
            // 5"), and as what it is: a call that stayed blocked to the end
            // was no expectation of a line without "= …".
            (Notice::ScriptStopped(failure), Lang::En) => {
                let what = match failure.kind {
                    FailureKind::Expectation => "an expectation failed",
                    FailureKind::Pending => "a call never returned",
                    FailureKind::Script => "the run could not go on",
                };
                format!("line {}: {what}: {failure}", failure.line)
            }
            // Each failure's Korean is with its parts (script::error), tested natively there.
            (Notice::ScriptStopped(failure), Lang::Ko) => {
                let what = match failure.kind {
                    FailureKind::Expectation => "기대가 어긋났습니다",
                    FailureKind::Pending => "호출이 끝내 반환되지 않았습니다",
                    FailureKind::Script => "실행을 이어 갈 수 없었습니다",
                };
                format!("{}행의 {what} — {}", failure.line, failure.say(Lang::Ko))
            }
            (Notice::OutcomeChanged { changes, expectations }, Lang::En) => format!(
                "{} the outcome: {} of the lesson no longer {} (marked on {})",
                if *changes == 1 { "your change altered" } else { "your changes altered" },
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
            (Notice::BadLink(e), Lang::Ko) => format!("공유 링크를 읽을 수 없습니다: {}", e.say(Lang::Ko)),
            (Notice::PositionIgnored(e), Lang::En) => format!("{e}; the lesson opens at its start"),
            (Notice::PositionIgnored(e), Lang::Ko) => format!("{}. 레슨을 처음부터 엽니다", e.say(Lang::Ko)),
            (Notice::UnknownLesson(name), Lang::En) => {
                format!("the shared link names an unknown lesson {}", crate::lesson::share::quote(name))
            }
            (Notice::UnknownLesson(name), Lang::Ko) => {
                format!("공유 링크가 가리키는 레슨이 없습니다: {}", crate::lesson::share::quote(name))
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
            (Notice::EditsWithdrawn(packets), Lang::En) => {
                let one = packets.len() == 1;
                format!(
                    "{} {} withdrawn: this change altered the run after it, and {} another packet now",
                    if one { "your later change to packet" } else { "your later changes to packets" },
                    packet_list(packets, lang),
                    if one { "that number names" } else { "those numbers name" }
                )
            }
            (Notice::EditsWithdrawn(packets), Lang::Ko) => format!(
                "나중에 한 변경을 거두었습니다 (패킷 {}): 이 변경이 그 뒤의 실행을 바꾸어, 그 번호는 이제 다른 패킷을 가리킵니다",
                packet_list(packets, lang)
            ),
        }
    }
}

/// `#4 (PSH 5 bytes seq=1), #6 (ACK 6)`: each packet's number and label in `lang`.
fn packet_list(packets: &[(u64, Labels)], lang: Lang) -> String {
    packets.iter().map(|(id, label)| format!("#{id} ({})", label.get(lang))).collect::<Vec<_>>().join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::error::{Found, ScriptErrorKind, Wanted};

    fn has_hangul(text: &str) -> bool {
        text.chars().any(|c| ('가'..='힣').contains(&c))
    }

    #[test]
    fn every_notice_reads_in_both_languages() {
        use crate::net::Errno;
        use crate::script::failure::{Expected, Got};
        use crate::script::FailureKind;
        let expected = Expected::Returns { call: "close(s)".into(), result: "7".into() };
        let failure = Failure::new(4, FailureKind::Expectation, expected, Got::Failed(Errno::EBADF));
        let mut notices = vec![
            Notice::ScriptStopped(failure),
            Notice::OutcomeChanged { changes: 1, expectations: 1 },
            Notice::OutcomeChanged { changes: 2, expectations: 3 },
            Notice::Build(ScriptError::expected(3, 5, Wanted::HostName, Found::EndOfLine)),
            Notice::Build(ScriptError::new(3, 5, ScriptErrorKind::TooManyHosts)),
            Notice::UnknownLesson("nope".into()),
            Notice::IgnoredEdits { count: 1, links: vec![3] },
            Notice::EditsWithdrawn(vec![(
                4,
                Labels { en: "PSH 5 bytes seq=1".into(), ko: "PSH 5바이트 seq=1".into() },
            )]),
            Notice::PositionIgnored(crate::lesson::share::ShareError::BadNumber { key: "position", value: "x".into() }),
        ];
        let bad_links = [
            "#lesson=a&x",
            "#lesson=a&colour=blue",
            "#lesson=a&lesson=b",
            "#lesson=a b",
            "#lesson=a&script=%ff",
            "#lesson=a&edits=1:melt:0",
            "#seed=1",
        ];
        for link in bad_links {
            match crate::lesson::share::decode(link) {
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
        let stopped = Notice::ScriptStopped(Failure::new(
            4,
            FailureKind::Expectation,
            expected,
            Got::Returned(crate::net::CallValue::Zero),
        ));
        assert_eq!(
            stopped.text(Lang::Ko),
            "4행의 기대가 어긋났습니다 — 기대한 결과: close(s)의 반환값 7 · 실제 결과: 0"
        );
        assert_eq!(stopped.text(Lang::En), "line 4: an expectation failed: expected close(s) to return 7, got 0");
        assert_eq!(
            Notice::OutcomeChanged { changes: 1, expectations: 1 }.text(Lang::En),
            "your change altered the outcome: one expectation of the lesson no longer holds (marked on its line)"
        );
        assert_eq!(
            Notice::OutcomeChanged { changes: 2, expectations: 5 }.text(Lang::En),
            "your changes altered the outcome: 5 expectations of the lesson no longer hold (marked on their lines)"
        );
    }

    #[test]
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
}
