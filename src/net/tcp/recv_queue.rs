//! A connection's received bytes. The in-order ones are kept as shared slices
//! of the segments that carried them: a read of exactly one segment's bytes
//! hands the same buffer on without copying; other reads copy once. Bytes that
//! arrived ahead of a hole wait in a reassembly queue (Linux's
//! `out_of_order_queue`) until the hole is filled.
//!
//! Positions are stream offsets (bytes since the peer's SYN, as `u64`), so the
//! reassembly queue's keys never wrap as sequence numbers do.
//!
//! Beside the queue it keeps the SACK blocks an ACK reports about it (RFC 2018
//! §4), in Linux's order: not sorted by sequence, but the block holding the
//! segment that arrived last first, then the others by how recently they
//! grew (`tcp_sack_new_ofo_skb`), so a sender that reads only the first
//! blocks of a lossy stream of ACKs still learns the newest facts.

use super::segment::MAX_SACK_BLOCKS;
use crate::net::packet::{empty_payload, gather_payload};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct RecvQueue {
    /// (buffer, start, end): the bytes `buffer[start..end]`, oldest first.
    chunks: VecDeque<(Arc<[u8]>, usize, usize)>,
    len: usize,
    /// Segments received ahead of a hole, by the stream offset of their first byte.
    out_of_order: BTreeMap<u64, Vec<u8>>,
    out_of_order_len: usize,
    /// SACK blocks `(start, end)` over the reassembly queue, as stream
    /// offsets, most recent first; at most [`MAX_SACK_BLOCKS`].
    sack_blocks: Vec<(u64, u64)>,
    /// Bytes the last [`RecvQueue::drain_out_of_order`] found twice, the
    /// in-order data having brought them again, as stream offsets.
    duplicate: Option<(u64, u64)>,
}

impl RecvQueue {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `buf[start..end]` (clamped to the buffer).
    pub fn push(&mut self, buf: Arc<[u8]>, start: usize, end: usize) {
        let end = end.min(buf.len());
        if start < end {
            self.len += end - start;
            self.chunks.push_back((buf, start, end));
        }
    }

    /// Bytes held in the reassembly queue.
    pub fn out_of_order_len(&self) -> usize {
        self.out_of_order_len
    }

    /// Where the data waiting beyond a hole ends (`ooo_last_skb`'s end), as
    /// a stream offset.
    pub fn out_of_order_end(&self) -> Option<u64> {
        self.out_of_order.last_key_value().map(|(&at, data)| at + data.len() as u64)
    }

    /// Whether a hole is waiting to be filled.
    pub fn has_out_of_order(&self) -> bool {
        !self.out_of_order.is_empty()
    }

    /// Whether the `len` bytes at stream offset `at` all wait in one segment
    /// already (`tcp_data_queue_ofo`'s "all the bits are present").
    pub fn holds_out_of_order(&self, at: u64, len: usize) -> bool {
        let end = at + len as u64;
        self.out_of_order.range(..=at).next_back().is_some_and(|(&from, held)| from + held.len() as u64 >= end)
    }

    /// The `len` bytes at `at`, all waiting already, arrived again: nothing
    /// is kept, but the SACK block holding them moves to the front
    /// (`tcp_data_queue_ofo` still calls `tcp_sack_new_ofo_skb`).
    pub fn out_of_order_again(&mut self, at: u64, len: usize) {
        self.sack_new_ofo(at, at + len as u64);
    }

    /// Keeps `data`, which starts at stream offset `at` beyond the next expected
    /// byte, until the bytes before it arrive. A second segment starting at the
    /// same offset adds nothing (the first one's bytes are kept). Either way
    /// the SACK block holding what is kept at `at` moves to the front.
    pub fn insert_out_of_order(&mut self, at: u64, data: &[u8]) {
        let held = match self.out_of_order.entry(at) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                self.out_of_order_len += data.len();
                slot.insert(data.to_vec()).len()
            }
            std::collections::btree_map::Entry::Occupied(slot) => slot.get().len(),
        };
        if held > 0 {
            self.sack_new_ofo(at, at + held as u64);
        }
    }

    /// A FIN waits at stream offset `at`, beyond a hole: its sequence number
    /// is SACKed with the data before it (`tcp_sack_new_ofo_skb` takes the
    /// skb's `end_seq`, FIN included).
    pub fn note_fin_ahead(&mut self, at: u64) {
        self.sack_new_ofo(at, at + 1);
    }

    /// The SACK blocks, most recent first, as stream offsets `(start, end)`.
    pub fn sack_blocks(&self) -> &[(u64, u64)] {
        &self.sack_blocks
    }

    /// Linux's `tcp_sack_new_ofo_skb`: the bytes `start..end` arrived out of
    /// order. A block they touch or overlap grows over them (`tcp_sack_extend`)
    /// and moves to the front, swallowing any other block it now reaches
    /// (`tcp_sack_maybe_coalesce`); otherwise they open a new block at the
    /// front, and the oldest block is forgotten when there are already
    /// [`MAX_SACK_BLOCKS`].
    fn sack_new_ofo(&mut self, start: u64, end: u64) {
        let touches = |&(s, e): &(u64, u64)| start <= e && s <= end;
        if let Some(i) = self.sack_blocks.iter().position(touches) {
            let (s, e) = self.sack_blocks.remove(i);
            let (mut s, mut e) = (s.min(start), e.max(end));
            // tcp_sack_maybe_coalesce: the grown block may now reach others.
            self.sack_blocks.retain(|&(bs, be)| {
                let merge = bs <= e && s <= be;
                if merge {
                    s = s.min(bs);
                    e = e.max(be);
                }
                !merge
            });
            self.sack_blocks.insert(0, (s, e));
        } else {
            self.sack_blocks.truncate(MAX_SACK_BLOCKS - 1);
            self.sack_blocks.insert(0, (start, end));
        }
    }

    /// Linux's `tcp_sack_remove`: blocks the in-order data has reached
    /// (`next` at or past their start) are no longer news.
    fn sack_remove(&mut self, next: u64) {
        if self.out_of_order.is_empty() {
            self.sack_blocks.clear();
        } else {
            self.sack_blocks.retain(|&(start, _)| start > next);
        }
    }

    /// The in-order data now reaches stream offset `next`: moves every waiting
    /// segment that starts at or before it into the in-order bytes (their
    /// overlap with what is already there dropped). Each was taken only while
    /// the buffer's memory allowed, so all of it joins (`tcp_ofo_queue`).
    /// Returns how many bytes were appended; `next` moves on by as many.
    /// A waiting segment that starts before `next` came again with the
    /// in-order data: the first such overlap is kept for a D-SACK
    /// ([`RecvQueue::take_duplicate`]), as `tcp_ofo_queue` reports it.
    pub fn drain_out_of_order(&mut self, mut next: u64) -> u64 {
        let mut appended = 0;
        let mut dsack_high = next;
        while let Some((&at, _)) = self.out_of_order.first_key_value() {
            if at > next {
                break;
            }
            let Some((at, data)) = self.out_of_order.pop_first() else { break };
            self.out_of_order_len -= data.len();
            if at < dsack_high {
                let end = at + data.len() as u64;
                if self.duplicate.is_none() {
                    self.duplicate = Some((at, dsack_high));
                }
                dsack_high = dsack_high.min(end);
            }
            let skip = (next - at) as usize;
            if skip < data.len() {
                let fresh = &data[skip..];
                let n = fresh.len();
                self.push(Arc::from(fresh), 0, n);
                next += n as u64;
                appended += n as u64;
            }
        }
        self.sack_remove(next);
        appended
    }

    /// The bytes the last drain found twice (see
    /// [`RecvQueue::drain_out_of_order`]), once.
    pub fn take_duplicate(&mut self) -> Option<(u64, u64)> {
        self.duplicate.take()
    }

    /// The reassembly queue's own consistency, with `next` the stream offset
    /// of the next expected byte: its count is right and nothing in it could
    /// have been delivered.
    pub fn check_out_of_order(&self, next: u64) -> Result<(), String> {
        let held: usize = self.out_of_order.values().map(Vec::len).sum();
        if held != self.out_of_order_len || self.out_of_order.keys().next().is_some_and(|&at| at <= next) {
            return Err("out-of-order queue inconsistent".into());
        }
        Ok(())
    }

    /// Copies up to `max` bytes from the front, leaving them queued (`MSG_PEEK`).
    pub fn peek(&self, max: usize) -> Arc<[u8]> {
        let n = max.min(self.len);
        if n == 0 {
            return empty_payload();
        }
        gather_payload(n, self.chunks.iter().map(|(buf, start, end)| &buf[*start..*end]))
    }

    /// Takes up to `max` bytes from the front.
    pub fn take(&mut self, max: usize) -> Arc<[u8]> {
        let n = max.min(self.len);
        if n == 0 {
            return empty_payload();
        }
        if let Some((buf, start, end)) = self.chunks.front() {
            if *start == 0 && *end == buf.len() && n == buf.len() {
                // The reader takes exactly one whole segment: share it.
                self.len -= n;
                return self.chunks.pop_front().map_or_else(empty_payload, |c| c.0);
            }
        }
        let out = gather_payload(n, self.chunks.iter().map(|(buf, start, end)| &buf[*start..*end]));
        let mut left = n;
        while left > 0 {
            let Some((_, start, end)) = self.chunks.front_mut() else { break };
            let here = left.min(*end - *start);
            *start += here;
            left -= here;
            if *start == *end {
                self.chunks.pop_front();
            }
        }
        self.len -= n;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cross_chunks_in_order_and_share_whole_segments() {
        let mut q = RecvQueue::default();
        let a: Arc<[u8]> = Arc::from(&b"hello"[..]);
        q.push(a.clone(), 0, 5);
        q.push(Arc::from(&b"xxworldyy"[..]), 2, 7);
        assert_eq!(q.len(), 10);
        let first = q.take(5);
        assert!(Arc::ptr_eq(&first, &a), "a whole segment is handed on, not copied");
        assert_eq!(&q.take(3)[..], b"wor");
        assert_eq!(&q.take(100)[..], b"ld");
        assert!(q.is_empty());
        assert_eq!(q.take(10).len(), 0);
    }

    #[test]
    fn segments_ahead_of_a_hole_wait_then_join_in_order_without_their_overlap() {
        // Expected next: offset 0. "def" at 3 and "fghij" at 5 (both hold "f")
        // arrive first; "abc" at 0 fills the hole.
        let mut q = RecvQueue::default();
        q.insert_out_of_order(5, b"fghij");
        q.insert_out_of_order(3, b"def");
        q.insert_out_of_order(3, b"XYZ");
        assert_eq!((q.len(), q.out_of_order_len()), (0, 8), "a second copy at 3 adds nothing");
        assert_eq!(q.drain_out_of_order(0), 0, "nothing starts at 0 yet");
        assert!(q.check_out_of_order(0).is_ok());
        q.push(Arc::from(&b"abc"[..]), 0, 3);
        // def at 3 → next 6; "fghij" at 5 skips 1 byte ("f") → next 10.
        assert_eq!(q.drain_out_of_order(3), 7);
        assert_eq!((q.len(), q.out_of_order_len(), q.has_out_of_order()), (10, 0, false));
        assert_eq!(&q.take(100)[..], b"abcdefghij");
    }

    #[test]
    fn a_retransmission_that_brings_waiting_bytes_again_reports_them_once() {
        // 0..5 lost; 5..10, 10..15 and 15..21 wait. A resend of 0..15 brings
        // 5..15 again: tcp_ofo_queue's D-SACK is [5, 15), the first waiting
        // segment's start to where the in-order data reached.
        let mut q = RecvQueue::default();
        q.insert_out_of_order(5, b"fghij");
        q.insert_out_of_order(10, b"klmno");
        q.insert_out_of_order(15, b"pqrstu");
        q.push(Arc::from(&b"abcdefghijklmno"[..]), 0, 15);
        assert_eq!(q.drain_out_of_order(15), 6);
        assert_eq!(q.take_duplicate(), Some((5, 15)));
        assert_eq!(q.take_duplicate(), None, "once");
        assert_eq!(&q.take(100)[..], b"abcdefghijklmnopqrstu");
    }

    #[test]
    fn reassembly_stops_at_the_next_hole() {
        let mut q = RecvQueue::default();
        q.insert_out_of_order(0, b"0123");
        q.insert_out_of_order(4, b"4567");
        q.insert_out_of_order(10, b"ab");
        // "0123" and "4567" join; "ab" at 10 waits behind the hole at 8.
        assert_eq!(q.drain_out_of_order(0), 8);
        assert_eq!((q.len(), q.out_of_order_len()), (8, 2));
        assert!(q.check_out_of_order(8).is_ok());
        assert!(q.check_out_of_order(10).is_err(), "a segment at the next byte should have been delivered");
        // A segment wholly behind `next` is dropped.
        q.insert_out_of_order(2, b"23");
        assert_eq!(q.drain_out_of_order(8), 0);
        // Reported as tcp_ofo_queue does: from its start to where the
        // in-order data reached.
        assert_eq!(q.take_duplicate(), Some((2, 8)));
        assert_eq!(q.out_of_order_len(), 2);
    }

    #[test]
    fn bytes_already_waiting_are_recognised_and_only_move_their_sack_block_up() {
        let mut q = RecvQueue::default();
        q.insert_out_of_order(10, b"abcdef");
        q.insert_out_of_order(30, b"xyz");
        assert_eq!(q.sack_blocks(), [(30, 33), (10, 16)]);
        assert!(q.holds_out_of_order(10, 6), "the same segment again");
        assert!(q.holds_out_of_order(12, 3), "a part of it");
        assert!(!q.holds_out_of_order(12, 5), "running past its end");
        assert!(!q.holds_out_of_order(8, 4), "starting before it");
        assert!(!q.holds_out_of_order(20, 2), "in the gap between");
        q.out_of_order_again(12, 3);
        assert_eq!(q.sack_blocks(), [(10, 16), (30, 33)], "the block it lies in comes first");
        assert_eq!(q.out_of_order_len(), 9, "nothing is kept twice");
    }
}
