//! A TCP segment's parsed representation (the bytes live in `crate::wire`).

use serde::{Deserialize, Serialize};
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
    pub payload: Arc<[u8]>,
}

impl TcpSegment {
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
        len
    }
}

/// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
pub mod seq {
    /// `a < b` in sequence space.
    pub fn lt(a: u32, b: u32) -> bool {
        (a.wrapping_sub(b) as i32) < 0
    }
    pub fn le(a: u32, b: u32) -> bool {
        (a.wrapping_sub(b) as i32) <= 0
    }
    pub fn gt(a: u32, b: u32) -> bool {
        lt(b, a)
    }
    pub fn ge(a: u32, b: u32) -> bool {
        le(b, a)
    }
    /// Distance from `from` forward to `to`.
    pub fn diff(to: u32, from: u32) -> u32 {
        to.wrapping_sub(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_comparisons_wrap() {
        assert!(seq::lt(u32::MAX - 5, 3));
        assert!(seq::gt(3, u32::MAX - 5));
        assert!(seq::le(7, 7));
        assert_eq!(seq::diff(3, u32::MAX - 1), 5);
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
