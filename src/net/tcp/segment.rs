//! A TCP segment's parsed representation (the bytes live in `crate::wire`).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::sync::Arc;

/// TCP control bits, as on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    pub const FIN: TcpFlags = TcpFlags(0x01);
    pub const SYN: TcpFlags = TcpFlags(0x02);
    pub const RST: TcpFlags = TcpFlags(0x04);
    pub const PSH: TcpFlags = TcpFlags(0x08);
    pub const ACK: TcpFlags = TcpFlags(0x10);

    pub fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn syn(self) -> bool {
        self.contains(Self::SYN)
    }
    pub fn ack(self) -> bool {
        self.contains(Self::ACK)
    }
    pub fn fin(self) -> bool {
        self.contains(Self::FIN)
    }
    pub fn rst(self) -> bool {
        self.contains(Self::RST)
    }
    pub fn psh(self) -> bool {
        self.contains(Self::PSH)
    }

    /// tcpdump's notation: `S`, `S.`, `.`, `P.`, `F.`, `R`, `R.`.
    pub fn tcpdump(self) -> String {
        let mut s = String::new();
        if self.syn() {
            s.push('S');
        }
        if self.fin() {
            s.push('F');
        }
        if self.psh() {
            s.push('P');
        }
        if self.rst() {
            s.push('R');
        }
        if self.ack() {
            s.push('.');
        }
        if s.is_empty() {
            s.push_str("none");
        }
        s
    }

    /// Parses tcpdump's notation back (`S.`, `P.`, `R`, ...).
    pub fn from_tcpdump(text: &str) -> Option<TcpFlags> {
        if text == "none" {
            return Some(TcpFlags(0));
        }
        let mut bits = 0u8;
        for c in text.chars() {
            bits |= match c {
                'S' => Self::SYN.0,
                'F' => Self::FIN.0,
                'P' => Self::PSH.0,
                'R' => Self::RST.0,
                '.' => Self::ACK.0,
                _ => return None,
            };
        }
        Some(TcpFlags(bits))
    }
}

impl std::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | rhs.0)
    }
}

/// One TCP segment: header fields and payload. `seq` and `ack` wrap at 2^32.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpSegment {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The window field as sent (already scaled down by the sender's shift).
    pub window: u16,
    /// MSS option (SYN only).
    pub mss: Option<u16>,
    /// Window-scale option (SYN only).
    pub window_scale: Option<u8>,
    /// RFC 7323 timestamps option: (TSval, TSecr). Absent from traces written
    /// before socklab knew it, hence the default.
    #[serde(default)]
    pub timestamps: Option<(u32, u32)>,
    /// SACK-permitted option (RFC 2018 §2, SYN only).
    #[serde(default)]
    pub sack_permitted: bool,
    /// SACK blocks (RFC 2018 §3): `(left edge, right edge)` of data the sender
    /// of this segment holds beyond its ACK, most recent first.
    #[serde(default)]
    pub sack_blocks: SackBlocks,
    pub payload: Arc<[u8]>,
}

/// Linux's `TCP_NUM_SACKS`: the most SACK blocks a segment carries (40
/// option bytes hold 4; with the timestamp option only 3 fit).
pub const MAX_SACK_BLOCKS: usize = 4;

/// A segment's SACK blocks (at most [`MAX_SACK_BLOCKS`]; more are dropped),
/// behind one pointer: nearly every segment has none, and a segment is
/// copied into the trace each time it is sent, so the blocks cost those
/// segments 8 bytes rather than a `Vec`'s 24.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(u32, u32)>", into = "Vec<(u32, u32)>")]
pub struct SackBlocks(Option<Box<Blocks>>);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Blocks {
    len: usize,
    edges: [(u32, u32); MAX_SACK_BLOCKS],
}

impl FromIterator<(u32, u32)> for SackBlocks {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(blocks: I) -> SackBlocks {
        let mut b = Blocks::default();
        for (slot, block) in b.edges.iter_mut().zip(blocks) {
            *slot = block;
            b.len += 1;
        }
        SackBlocks((b.len > 0).then(|| Box::new(b)))
    }
}

impl From<Vec<(u32, u32)>> for SackBlocks {
    fn from(blocks: Vec<(u32, u32)>) -> SackBlocks {
        blocks.into_iter().collect()
    }
}

impl From<SackBlocks> for Vec<(u32, u32)> {
    fn from(blocks: SackBlocks) -> Vec<(u32, u32)> {
        blocks.to_vec()
    }
}

impl std::ops::Deref for SackBlocks {
    type Target = [(u32, u32)];
    fn deref(&self) -> &[(u32, u32)] {
        self.0.as_deref().map_or(&[], |b| &b.edges[..b.len])
    }
}

impl PartialEq<Vec<(u32, u32)>> for SackBlocks {
    fn eq(&self, other: &Vec<(u32, u32)>) -> bool {
        **self == other[..]
    }
}

impl TcpSegment {
    /// The sequence number, for the machine's wrap-aware arithmetic.
    pub fn seq_number(&self) -> SeqNumber {
        SeqNumber(self.seq)
    }

    /// The acknowledgement number, for the machine's wrap-aware arithmetic.
    pub fn ack_number(&self) -> SeqNumber {
        SeqNumber(self.ack)
    }

    /// The first SACK block, if it reports data received twice (RFC 2883,
    /// `tcp_check_dsack`): it starts below the ACK, or lies inside the
    /// second block. An empty block reports nothing.
    pub fn dsack_block(&self) -> Option<(SeqNumber, SeqNumber)> {
        let &(left, right) = self.sack_blocks.first()?;
        let (left, right) = (SeqNumber(left), SeqNumber(right));
        let inside_second =
            self.sack_blocks.get(1).is_some_and(|&(l, r)| SeqNumber(l) <= left && right <= SeqNumber(r));
        ((left < self.ack_number() || inside_second) && left < right).then_some((left, right))
    }

    /// Whether it occupies sequence space other than a SYN's: the segments
    /// a receiver can take for duplicates (`tcp_send_dupack` and
    /// `tcp_data_queue` count the FIN in `end_seq`).
    pub fn carries_data_or_fin(&self) -> bool {
        !self.payload.is_empty() || self.flags.fin()
    }

    /// Sequence space the segment occupies: payload plus one each for SYN and FIN.
    pub fn seq_len(&self) -> u32 {
        self.payload.len() as u32 + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }

    /// The RST that answers this segment when no connection may take it, built
    /// from the segment alone as Linux's `tcp_v4_send_reset` does: if it carried
    /// an ACK, `[R]` numbered with that ACK; otherwise `[R.]` with seq 0
    /// acknowledging all it occupied. Window 0, no options, no data.
    pub fn reset_reply(&self) -> TcpSegment {
        let (seq, ack, flags) = if self.flags.ack() {
            (self.ack, 0, TcpFlags::RST)
        } else {
            (0, self.seq.wrapping_add(self.seq_len()), TcpFlags::RST | TcpFlags::ACK)
        };
        TcpSegment {
            src_port: self.dst_port,
            dst_port: self.src_port,
            seq,
            ack,
            flags,
            window: 0,
            mss: None,
            window_scale: None,
            timestamps: None,
            sack_permitted: false,
            sack_blocks: SackBlocks::default(),
            payload: Arc::from(&[][..]),
        }
    }

    /// Bytes of TCP header, options included.
    pub fn header_len(&self) -> usize {
        let mut len = 20;
        if self.mss.is_some() {
            len += 4;
        }
        if self.window_scale.is_some() {
            len += 4; // NOP + 3-byte option keeps 32-bit alignment
        }
        if self.timestamps.is_some() {
            // Linux's tcp_options_write: NOP, NOP, then the 10-byte option
            // (TCPOLEN_TSTAMP_ALIGNED), in a SYN as in any other segment.
            len += 12;
        }
        if self.sack_permitted && self.timestamps.is_none() {
            // tcp_options_write: NOP, NOP, SACK_PERM without timestamps (with
            // them SACK_PERM takes the two NOPs' place before TS, adding nothing).
            len += 4;
        }
        if !self.sack_blocks.is_empty() {
            // NOP, NOP, kind, length, then 8 bytes a block.
            len += 4 + 8 * self.sack_blocks.len();
        }
        len
    }
}

/// A sequence or acknowledgement number inside the machine: arithmetic and
/// comparison modulo 2^32 (RFC 9293 §3.4), so that no comparison of two raw
/// `u32`s, wrong once the numbers wrap, can be written by mistake. `a < b`
/// means `a` comes before `b` within 2^31 (Linux's `before()`); the order is
/// not total, so `Ord` is not implemented. Segments keep plain `u32`s: the
/// wire and the trace see the same numbers as before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SeqNumber(pub u32);

impl SeqNumber {
    /// Signed distance from `base` to `self`: negative when `self` comes first.
    pub fn offset_from(self, base: SeqNumber) -> i32 {
        self.0.wrapping_sub(base.0) as i32
    }
}

impl PartialOrd for SeqNumber {
    fn partial_cmp(&self, other: &SeqNumber) -> Option<Ordering> {
        Some(self.offset_from(*other).cmp(&0))
    }
}

impl std::ops::Add<u32> for SeqNumber {
    type Output = SeqNumber;
    fn add(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_add(n))
    }
}

impl std::ops::AddAssign<u32> for SeqNumber {
    fn add_assign(&mut self, n: u32) {
        *self = *self + n;
    }
}

impl std::ops::Sub<u32> for SeqNumber {
    type Output = SeqNumber;
    fn sub(self, n: u32) -> SeqNumber {
        SeqNumber(self.0.wrapping_sub(n))
    }
}

/// `a - b`: the distance forward from `b` to `a`, modulo 2^32 (the number of
/// sequence numbers from `b` up to, not including, `a`).
impl std::ops::Sub<SeqNumber> for SeqNumber {
    type Output = u32;
    fn sub(self, from: SeqNumber) -> u32 {
        self.0.wrapping_sub(from.0)
    }
}

impl std::fmt::Display for SeqNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_compare_and_count_across_the_wrap() {
        let old = SeqNumber(u32::MAX - 5);
        let new = SeqNumber(3);
        assert!(old < new, "3 comes 9 after 2^32 - 6");
        assert!(new > old && new >= old);
        assert!(SeqNumber(7) <= SeqNumber(7) && SeqNumber(7) >= SeqNumber(7));
        assert_eq!(old + 9, new);
        assert_eq!(new - 9, old);
        assert_eq!(new - old, 9);
        assert_eq!((old.offset_from(new), new.offset_from(old)), (-9, 9));
        // Raw u32s would say the opposite: 4294967290 > 3.
        assert!(old.0 > new.0);
        // Half the space ahead still counts as after; beyond it, before.
        assert!(SeqNumber(0) < SeqNumber(0x7FFF_FFFF));
        assert!(SeqNumber(0) > SeqNumber(0x8000_0001));
    }

    #[test]
    fn flags_round_trip_through_tcpdump_notation() {
        for f in [
            TcpFlags::SYN,
            TcpFlags::SYN | TcpFlags::ACK,
            TcpFlags::ACK,
            TcpFlags::PSH | TcpFlags::ACK,
            TcpFlags::FIN | TcpFlags::ACK,
            TcpFlags::RST,
            TcpFlags::RST | TcpFlags::ACK,
        ] {
            assert_eq!(TcpFlags::from_tcpdump(&f.tcpdump()), Some(f));
        }
        assert_eq!((TcpFlags::SYN | TcpFlags::ACK).tcpdump(), "S.");
        assert_eq!(TcpFlags::from_tcpdump("X"), None);
    }
}
