//! Links between two hosts: per direction latency, jitter, bandwidth, loss,
//! duplication, reordering, corruption, truncation and MTU, plus deterministic one-shot faults.

use super::addr::{HostId, PacketId};
use super::packet::Packet;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;

/// Which way along a link: from its first host to its second (`AtoB`) or back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    AtoB,
    BtoA,
}

impl Direction {
    pub fn index(self) -> usize {
        match self {
            Direction::AtoB => 0,
            Direction::BtoA => 1,
        }
    }
}

/// The settings of one direction of a link. Probabilities are 0.0..=1.0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// One-way propagation delay, microseconds.
    pub latency_us: u64,
    /// Uniform random extra delay in `0..=jitter_us`.
    pub jitter_us: u64,
    /// Bits per second; 0 means no serialization delay.
    pub bandwidth_bps: u64,
    pub loss: f64,
    pub duplicate: f64,
    /// Probability that a packet is held back by `reorder_delay_us` so later ones pass it.
    pub reorder: f64,
    pub reorder_delay_us: u64,
    pub mtu: u32,
    /// Probability that one bit of a packet is flipped on the way: it still
    /// arrives, and the receiver's checksum drops it (`LossReason::Checksum`).
    #[serde(default)]
    pub corrupt: f64,
    /// Probability that a packet is cut short on the way: it still arrives, and
    /// the receiver's length check drops it (`LossReason::Truncated`).
    #[serde(default)]
    pub truncate: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            latency_us: 10_000,
            jitter_us: 0,
            bandwidth_bps: 0,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay_us: 0,
            mtu: 1500,
            corrupt: 0.0,
            truncate: 0.0,
        }
    }
}

/// A change to a link, as it appears in the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FaultChange {
    Configure(LinkConfig),
    DropNext(u32),
    DropPacket(PacketId),
    /// The learner holds one packet back `by` µs more when it would arrive.
    DelayPacket {
        packet: PacketId,
        by: u64,
    },
    /// The learner has the link deliver one packet twice.
    DuplicatePacket(PacketId),
    Partition,
    Repair,
    Hold,
    Release,
}

/// The largest one-way latency a learner's change may set, microseconds (10 s).
pub const MAX_LATENCY_US: u64 = 10_000_000;

/// The learner's settings for a link, applied to both directions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkSettings {
    pub loss: f64,
    pub duplicate: f64,
    pub reorder: f64,
    pub latency_us: u64,
}

impl LinkSettings {
    pub fn of(config: &LinkConfig) -> LinkSettings {
        LinkSettings {
            loss: config.loss,
            duplicate: config.duplicate,
            reorder: config.reorder,
            latency_us: config.latency_us,
        }
    }

    /// One direction's configuration `dir` after the learner moved the link's
    /// controls from `shown` (what they showed) to these settings: only what
    /// was moved changes, in both directions alike. A lesson's one-way fault
    /// (`link client > server reorder 5%`) stays one-way when another control
    /// moves; the whole of `shown` went to both directions, so moving the
    /// delay made the ACKs coming back reorder too.
    pub fn changed_from(&self, shown: &LinkSettings, dir: &LinkConfig) -> LinkConfig {
        let own = LinkSettings::of(dir);
        let moved = |new: f64, was: f64, own: f64| if new == was { own } else { new };
        LinkSettings {
            loss: moved(self.loss, shown.loss, own.loss),
            duplicate: moved(self.duplicate, shown.duplicate, own.duplicate),
            reorder: moved(self.reorder, shown.reorder, own.reorder),
            latency_us: if self.latency_us == shown.latency_us { own.latency_us } else { self.latency_us },
        }
        .apply_to(dir)
    }

    /// `base` with these settings; probabilities clamped to 0..=1 and latency to
    /// [`MAX_LATENCY_US`], since settings also come from a page's controls and links.
    pub fn apply_to(&self, base: &LinkConfig) -> LinkConfig {
        let p = |v: f64| if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
        LinkConfig {
            loss: p(self.loss),
            duplicate: p(self.duplicate),
            reorder: p(self.reorder),
            latency_us: self.latency_us.min(MAX_LATENCY_US),
            ..base.clone()
        }
    }
}

/// One direction's configuration and live fault state.
#[derive(Clone, Debug)]
pub struct LinkDirection {
    pub config: LinkConfig,
    pub partitioned: bool,
    pub drop_next: u32,
    pub held: bool,
    pub held_packets: VecDeque<Arc<Packet>>,
    /// When the sender's end of the link is free again (bandwidth model).
    pub busy_until: u64,
}

impl LinkDirection {
    pub fn new(config: LinkConfig) -> Self {
        LinkDirection {
            config,
            partitioned: false,
            drop_next: 0,
            held: false,
            held_packets: VecDeque::new(),
            busy_until: 0,
        }
    }

    /// Time on the wire for `bytes` at this direction's bandwidth.
    pub fn serialization_us(&self, bytes: usize) -> u64 {
        if self.config.bandwidth_bps == 0 {
            0
        } else {
            (bytes as u64 * 8 * 1_000_000).div_ceil(self.config.bandwidth_bps)
        }
    }
}

#[derive(Clone, Debug)]
pub struct Link {
    pub a: HostId,
    pub b: HostId,
    pub dirs: [LinkDirection; 2],
}

impl Link {
    pub fn new(a: HostId, b: HostId, config: LinkConfig) -> Self {
        Link { a, b, dirs: [LinkDirection::new(config.clone()), LinkDirection::new(config)] }
    }

    /// The direction that leads away from `from`.
    pub fn direction_from(&self, from: HostId) -> Direction {
        if from == self.a {
            Direction::AtoB
        } else {
            Direction::BtoA
        }
    }

    pub fn destination(&self, dir: Direction) -> HostId {
        match dir {
            Direction::AtoB => self.b,
            Direction::BtoA => self.a,
        }
    }

    pub fn dir(&self, dir: Direction) -> &LinkDirection {
        &self.dirs[dir.index()]
    }

    pub fn dir_mut(&mut self, dir: Direction) -> &mut LinkDirection {
        &mut self.dirs[dir.index()]
    }

    /// The smaller MTU of the two directions: what a TCP peer can count on.
    pub fn mtu(&self) -> u32 {
        self.dirs[0].config.mtu.min(self.dirs[1].config.mtu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_serialized_before_corruption_existed_still_loads() {
        let old = r#"{"latency_us":5000,"jitter_us":0,"bandwidth_bps":0,"loss":0.1,"duplicate":0.0,"reorder":0.0,"reorder_delay_us":0,"mtu":1500}"#;
        let c: LinkConfig = serde_json::from_str(old).unwrap();
        assert_eq!(c, LinkConfig { latency_us: 5_000, loss: 0.1, ..LinkConfig::default() });
        assert_eq!((c.corrupt, c.truncate), (0.0, 0.0));
    }

    #[test]
    fn a_moved_control_leaves_a_one_way_fault_one_way() {
        let there = LinkConfig { reorder: 0.05, latency_us: 10_000, ..LinkConfig::default() };
        let back = LinkConfig { latency_us: 10_000, ..LinkConfig::default() };
        let shown = LinkSettings::of(&there);
        let moved = LinkSettings { latency_us: 11_000, ..shown };
        let (there, back) = (moved.changed_from(&shown, &there), moved.changed_from(&shown, &back));
        assert_eq!((there.reorder, there.latency_us), (0.05, 11_000));
        assert_eq!((back.reorder, back.latency_us), (0.0, 11_000));
        // The one-way control itself, moved, sets both directions.
        let both = LinkSettings { reorder: 0.1, ..moved };
        assert_eq!((both.changed_from(&moved, &there).reorder, both.changed_from(&moved, &back).reorder), (0.1, 0.1));
    }

    #[test]
    fn settings_from_a_page_are_clamped_when_applied() {
        let wild = LinkSettings { loss: f64::NAN, duplicate: 7.0, reorder: -1.0, latency_us: u64::MAX };
        let c = wild.apply_to(&LinkConfig::default());
        assert_eq!((c.loss, c.duplicate, c.reorder, c.latency_us), (0.0, 1.0, 0.0, MAX_LATENCY_US));
        assert_eq!(LinkSettings::of(&c).apply_to(&c), c);
    }
}
