//! Property tests of the shared-link fragment (src/lesson/share.rs): any state within
//! the limits survives encode → decode exactly, and no text makes decode panic.

use proptest::prelude::*;
use socklab::lesson::edit::Edit;
use socklab::lesson::share::{
    self, Shared, SharedBranch, MAX_BRANCHES, MAX_BRANCH_LINES, MAX_CONSOLE_LINE_BYTES, MAX_EDITS, MAX_LATENCY_US,
    MAX_LESSON_NAME, MAX_LINK_ID, MAX_SCRIPT_BYTES,
};
use socklab::net::link::LinkSettings;

/// Probabilities as the page makes them (0, 1, round numbers) and any other in 0..=1,
/// subnormals included.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), (0u32..=100).prop_map(|p| f64::from(p) / 100.0), 0.0f64..=1.0, Just(5e-324),]
}

fn edit() -> impl Strategy<Value = Edit> {
    let link = 0..MAX_LINK_ID;
    prop_oneof![
        (any::<usize>(), any::<u64>()).prop_map(|(at, packet)| Edit::Drop { at, packet }),
        (any::<usize>(), any::<u64>(), 0..=MAX_LATENCY_US).prop_map(|(at, packet, by)| Edit::Delay { at, packet, by }),
        (any::<usize>(), any::<u64>()).prop_map(|(at, packet)| Edit::Duplicate { at, packet }),
        (any::<usize>(), link.clone(), any::<bool>()).prop_map(|(at, link, cut)| Edit::Cut { at, link, cut }),
        (any::<usize>(), link, probability(), probability(), probability(), 0..=MAX_LATENCY_US).prop_map(
            |(at, link, loss, duplicate, reorder, latency_us)| Edit::Link {
                at,
                link,
                settings: LinkSettings { loss, duplicate, reorder, latency_us },
            }
        ),
    ]
}

/// A branch: any changes, and console lines of any text (the branch syntax's
/// own `!~;:` included).
fn branch() -> impl Strategy<Value = SharedBranch> {
    (
        any::<usize>(),
        proptest::collection::vec(edit(), 0..=8),
        proptest::collection::vec(
            (any::<usize>(), prop_oneof!["\\PC{0,40}", "[!~;:&=%# ]{0,20}"]),
            0..=MAX_BRANCH_LINES,
        ),
    )
        .prop_map(|(from, edits, lines)| SharedBranch { from, edits, lines })
}

fn shared() -> impl Strategy<Value = Shared> {
    (
        proptest::string::string_regex(&format!("[A-Za-z0-9_-]{{1,{MAX_LESSON_NAME}}}")).expect("a valid regex"),
        any::<Option<u64>>(),
        // Any Unicode text, the fragment's own `&=;%#` and whitespace included.
        proptest::option::of(prop_oneof![any::<String>(), "[ &=;:%#+\\n\\t]{0,40}"]),
        any::<usize>(),
        proptest::collection::vec(edit(), 0..=MAX_EDITS),
        any::<bool>(),
        proptest::collection::vec(branch(), 0..=3),
        any::<(usize, usize)>(),
    )
        .prop_map(|(lesson, seed, script, pos, edits, quiz, branches, (k, p))| {
            let compare = (!branches.is_empty()).then(|| (k % branches.len(), p));
            Shared { lesson, seed, script, pos, edits, quiz, branches, compare, bad_position: None }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encode_then_decode_gives_the_same_state(s in shared()) {
        let text = share::encode(&s);
        prop_assert_eq!(share::decode(&format!("#{text}")), Ok(Some(s)));
    }

    #[test]
    fn decoding_any_text_never_panics(text in any::<String>()) {
        let _ = share::decode(&text);
    }

    /// Text made of the fragment's own syntax reaches past the first check.
    #[test]
    fn decoding_near_fragments_never_panics_and_round_trips(
        parts in proptest::collection::vec(prop_oneof![
            Just("lesson=".to_string()), Just("&".to_string()), Just("pos=".to_string()),
            Just("seed=".to_string()), Just("script=".to_string()), Just("edits=".to_string()), Just("quiz=".to_string()),
            Just(";".to_string()), Just(":".to_string()), Just("drop".to_string()), Just("link".to_string()),
            Just("cut".to_string()), Just("%".to_string()), "[0-9a-fA-F.e+-]{1,6}", "\\PC{0,4}",
            Just("branches=".to_string()), Just("compare=".to_string()), Just("!".to_string()),
            Just("~".to_string()), Just("delay".to_string()), Just("dup".to_string()),
        ], 0..40)
    ) {
        let text = parts.concat();
        if let Ok(Some(s)) = share::decode(&text) {
            let again = share::encode(&s);
            prop_assert_eq!(share::decode(&again), Ok(Some(s)));
        }
    }
}

/// The largest state the limits allow still re-encodes into a fragment that
/// decodes: a script of multi-byte characters (every byte escaped) and the most
/// changes, each with the longest numbers.
#[test]
fn the_largest_state_fits_its_own_fragment() {
    let script = "가".repeat(MAX_SCRIPT_BYTES / "가".len());
    let settings =
        LinkSettings { loss: 1.2345678901234567e-300, duplicate: 0.1, reorder: 5e-324, latency_us: MAX_LATENCY_US };
    let s = Shared {
        lesson: "x".repeat(MAX_LESSON_NAME),
        seed: Some(u64::MAX),
        script: Some(script),
        pos: usize::MAX,
        edits: vec![Edit::Link { at: usize::MAX, link: MAX_LINK_ID - 1, settings }; MAX_EDITS],
        quiz: true,
        branches: vec![
            SharedBranch {
                from: usize::MAX,
                edits: vec![Edit::Link { at: usize::MAX, link: MAX_LINK_ID - 1, settings }; MAX_EDITS],
                lines: vec![(usize::MAX, "가".repeat(MAX_CONSOLE_LINE_BYTES / "가".len())); MAX_BRANCH_LINES],
            };
            MAX_BRANCHES
        ],
        compare: Some((MAX_BRANCHES - 1, usize::MAX)),
        bad_position: None,
    };
    let text = share::encode(&s);
    assert!(text.len() <= share::MAX_FRAGMENT_BYTES, "{} bytes", text.len());
    assert_eq!(share::decode(&text), Ok(Some(s)));
}
