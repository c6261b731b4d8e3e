//! The learner's changes to a lesson: the model's type; the URL codec
//! ([`crate::lesson::share`]) serialises it, the timeline replays it.

use crate::net::link::LinkSettings;

/// A change the learner made, anchored where it was made: `at` is the number
/// of trace events the page had shown (after the script's set-up lines). The
/// lesson's script runs again with the change applied there (see
/// [`crate::script::Intervention`]), so everything after it is the changed run.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Drop one packet (in flight at `at`).
    Drop { at: usize, packet: u64 },
    /// Hold one packet (in flight at `at`) back `by` µs more when it would arrive.
    Delay { at: usize, packet: u64, by: u64 },
    /// Have the link deliver one packet (in flight at `at`) twice.
    Duplicate { at: usize, packet: u64 },
    /// Change a link's settings from `at` on.
    Link { at: usize, link: u32, settings: LinkSettings },
    /// Cut a link (both directions), or repair it.
    Cut { at: usize, link: u32, cut: bool },
}

impl Edit {
    pub fn at(&self) -> usize {
        match self {
            Edit::Drop { at, .. }
            | Edit::Delay { at, .. }
            | Edit::Duplicate { at, .. }
            | Edit::Link { at, .. }
            | Edit::Cut { at, .. } => *at,
        }
    }

    /// The packet this edit names by its number, when it names one.
    pub fn packet(&self) -> Option<u64> {
        match self {
            Edit::Drop { packet, .. } | Edit::Delay { packet, .. } | Edit::Duplicate { packet, .. } => Some(*packet),
            Edit::Link { .. } | Edit::Cut { .. } => None,
        }
    }

    /// The link this edit is on, when it names one (a packet's edits name none:
    /// the packet is found wherever it travels).
    pub fn link(&self) -> Option<u32> {
        match self {
            Edit::Link { link, .. } | Edit::Cut { link, .. } => Some(*link),
            Edit::Drop { .. } | Edit::Delay { .. } | Edit::Duplicate { .. } => None,
        }
    }
}
