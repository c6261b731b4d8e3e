//! What a trace means and where it goes on a diagram, plain Rust (no web):
//!
//! - [`announce`] — each step in one sentence, for the live region.
//! - [`endpoints`] — which socket each event is about.
//! - [`related`] — which calls, packets and state changes belong together (a pick's
//!   partners), and the packets the learner doomed.
//! - [`packets`] — each packet's story; [`explain`] — what happened, in words;
//!   [`fields`] — each header field's value, for the packet inspector.
//! - [`sequence`], [`topology`] — the diagrams' layouts, plain geometry; [`plot`]
//!   the step plots'.
//! - [`words`] — every text of the page in Korean and English.

pub mod announce;
pub mod compare;
pub mod endpoints;
pub mod explain;
pub mod fields;
pub mod packets;
pub mod plot;
pub mod related;
pub mod sequence;
pub mod topology;
pub mod words;

/// Lessons played to the end for the views' tests: the world as built, the
/// trace, and its packets.
#[cfg(test)]
pub(crate) mod played {
    use crate::lesson::library::{library, Lesson};
    use crate::lesson::timeline::Timeline;
    use crate::net::World;
    use crate::view::packets::{packets, PacketInfo};

    pub struct Played {
        pub world: World,
        pub timeline: Timeline,
        pub packets: Vec<PacketInfo>,
    }

    pub fn lesson(lesson: &Lesson) -> Played {
        let run = lesson.build(None, &[]).expect("build");
        let world = run.world.clone();
        let timeline = Timeline::run(run.world, run.commands, &[]);
        let packets = packets(&timeline.trace);
        Played { world, timeline, packets }
    }

    pub fn by_id(id: &str) -> Played {
        lesson(&library().into_iter().find(|l| l.id == id).expect("a lesson of that id"))
    }
}
