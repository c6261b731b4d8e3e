//! A connection's send buffer, kept as shared slices of the application's
//! writes: `send()` queues the caller's buffer without copying, and a segment
//! copies its bytes once (or shares a whole write that fits one segment).
//!
//! It also remembers where Linux's send queue carries the PSH flag. Linux
//! cuts each write into skbs of `size_goal` bytes (`tcp_sendmsg_locked`): a
//! write first fills the tail skb if that is still unsent (and takes its PSH
//! away, since the write goes on past it), then starts new ones. The tail skb
//! of every write gets PSH (`tcp_push` → `tcp_mark_push`), and so does a full
//! skb in the middle of a write once more than half the peer's largest window
//! was written since the last mark (`forced_push`). When an skb is cut for
//! sending, the PSH goes with its last piece (`tso_fragment`, `tcp_fragment`),
//! so a mark is a byte offset: the segment whose bytes reach it carries PSH.
//!
//! The unsent skbs' ends are kept too, since a packet never spans two skbs
//! and an skb's PSH is its own: before sending, the first unsent skb takes
//! bytes from the next one until it fills a packet (`tcp_grow_skb`), and its
//! PSH moves to its new end, where a swallowed skb's PSH joins it.
//!
//! And it counts the memory Linux charges the send buffer (`sk_wmem_queued`):
//! every byte queued, plus the bookkeeping of every skb that holds any, unsent
//! ones in the write queue and sent ones in the retransmission queue, where
//! each skb is one packet as it left (`tso_fragment` cuts an skb where its
//! packet ends).

use super::window::{SHARED_INFO, SK_BUFF};
use crate::net::packet::{empty_payload, gather_payload};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Chunk {
    /// Stream offset of `buf[start]`, counted from the first byte ever queued.
    at: u64,
    buf: Arc<[u8]>,
    start: usize,
    end: usize,
}

/// How `tcp_sendmsg_locked` cuts one write into skbs.
#[derive(Clone, Copy, Debug)]
pub struct SkbShape {
    /// `size_goal` (`tcp_xmit_size_goal`): the most bytes one skb takes.
    pub size_goal: usize,
    /// Half the peer's largest window (`max_window >> 1`), for `forced_push`.
    pub half_max_window: usize,
    /// Offset (from the queue's head) of the first byte not yet sent: an skb
    /// any of whose bytes left is no longer the write queue's tail.
    pub unsent_from: usize,
    /// The rest of a `send()` that waited for buffer space: its first part
    /// already copied (and marked) keeps its PSH.
    pub continuing: bool,
}

/// `MAX_TCP_HEADER`, cache-aligned, on x86-64: the head room every skb of a
/// write is allocated with (`tcp_stream_alloc_skb`).
const MAX_TCP_HEADER: u32 = 256;

/// The memory one skb costs beside its data (`skb->truesize` of an skb whose
/// data lies in page fragments): its head and the `sk_buff`. `ss -tm` on
/// Linux 6.18 shows it: each 1448-byte write that opens an skb adds 2280 to
/// `w`, a byte appended to an unsent skb adds 1.
pub const SKB_OVERHEAD: usize = (MAX_TCP_HEADER + SHARED_INFO + SK_BUFF) as usize;

/// `tcp_sndbuf_expand`: the send buffer for `segments` packets, twice over
/// (room for fast recovery, "Cubic needs 1.7 factor"), each the worst case of
/// an skb per segment with its head rounded up to a power of two: 46080
/// bytes for 10 segments of a 1460-byte `mss_clamp`.
pub fn sndbuf_for(mss_clamp: u32, segments: u32) -> usize {
    let per_mss = (mss_clamp + MAX_TCP_HEADER + SHARED_INFO).next_power_of_two() + SK_BUFF;
    2 * segments as usize * per_mss as usize
}

/// What one piece of a write did to the write queue's tail skb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The skb holds `size_goal` bytes: the next piece starts a new one.
    pub full: bool,
    /// More than half the peer's largest window went unpushed, so this skb
    /// was marked PSH and everything queued should go (`forced_push`).
    pub forced_push: bool,
}

#[derive(Clone, Debug, Default)]
pub struct SendQueue {
    /// The bytes `buf[start..end]` of each chunk, oldest first. The front chunk
    /// starts at `snd_una`: acknowledged bytes leave at once.
    chunks: VecDeque<Chunk>,
    /// Stream offset of the first queued byte.
    head: u64,
    len: usize,
    /// Stream offsets where an skb carrying PSH ends, ascending.
    push_ends: VecDeque<u64>,
    /// Stream offset where the last write's last skb starts.
    tail_skb: u64,
    /// Linux's `pushed_seq`: the stream offset of the last PSH mark.
    pushed: u64,
    /// Stream offsets where each segment sent (the first time) ends,
    /// ascending: Linux counts what the peer SACKs in these (`tcp_skb_pcount`).
    sent_ends: VecDeque<u64>,
    /// Stream offsets where the skbs of the write queue end, ascending (ends
    /// at or before the first unsent byte are stale until acknowledged).
    skb_ends: VecDeque<u64>,
    /// Stream offsets where the skbs of the retransmission queue end,
    /// ascending: each packet that left, as it left.
    packet_ends: VecDeque<u64>,
}

impl SendQueue {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.push_ends.clear();
        self.sent_ends.clear();
        self.skb_ends.clear();
        self.packet_ends.clear();
        self.head += self.len as u64;
        self.len = 0;
    }

    /// Bytes the write queue's tail skb takes before it holds `size_goal`
    /// (`tcp_sendmsg_locked` fills it whatever the memory): none when it is
    /// full, or when nothing is unsent (an skb any of whose bytes left is in
    /// the retransmission queue; the unsent rest of one is an skb of its own).
    pub fn tail_room(&self, shape: &SkbShape) -> usize {
        let end = self.head + self.len as u64;
        let unsent = self.head + shape.unsent_from as u64;
        if end <= unsent {
            return 0;
        }
        let tail_len = (end - self.tail_skb.max(unsent)) as usize;
        shape.size_goal.saturating_sub(tail_len)
    }

    /// Queues one piece of a `send()`, `buf[start..end]`: the room left in the
    /// tail skb ([`Self::tail_room`]) or one new skb of at most `size_goal`,
    /// as `tcp_sendmsg_locked` copies. A full skb with more to come is marked
    /// PSH once half the peer's largest window went unpushed (`forced_push`).
    pub fn write_piece(&mut self, buf: Arc<[u8]>, start: usize, end: usize, shape: SkbShape) -> Piece {
        let end_before = self.head + self.len as u64;
        self.push(buf, start, end);
        let end_after = self.head + self.len as u64;
        let size_goal = shape.size_goal.max(1) as u64;
        let unsent = self.head + shape.unsent_from as u64;
        let mut skb_start = if end_before > unsent { self.tail_skb.max(unsent) } else { end_before };
        if end_before - skb_start >= size_goal {
            skb_start = end_before;
        }
        if skb_start < end_before {
            // PSH is a flag of the skb, so it is at the skb's end: a new
            // send() going on in the skb the last one marked takes it away
            // ("if (!copied) TCP_SKB_CB(skb)->tcp_flags &= ~TCPHDR_PSH"); the
            // same send() going on there keeps it, now at the skb's new end.
            if self.push_ends.back() == Some(&end_before) {
                self.push_ends.pop_back();
                if shape.continuing && end_after > end_before {
                    self.push_ends.push_back(end_after);
                }
            }
            // The tail skb ends further on now.
            if self.skb_ends.back() == Some(&end_before) {
                self.skb_ends.pop_back();
            }
        }
        if end_after > end_before {
            self.skb_ends.push_back(end_after);
        }
        self.tail_skb = skb_start;
        let full = end_after - skb_start >= size_goal;
        let forced_push = full && end_after > self.pushed + shape.half_max_window as u64;
        if forced_push {
            self.mark_push(end_after);
        }
        Piece { full, forced_push }
    }

    /// The end of a `send()` (or of what it could copy before it waits):
    /// `tcp_push` marks the tail skb PSH.
    pub fn end_write(&mut self) {
        self.mark_push(self.head + self.len as u64);
    }

    /// Whether the write queue's tail skb is also its head (`skb ==
    /// tcp_send_head`): nothing unsent lies before it.
    pub fn tail_is_send_head(&self, unsent_from: usize) -> bool {
        let unsent = self.head + unsent_from as u64;
        self.skb_ends.len() - self.skb_ends.partition_point(|&end| end <= unsent) == 1
    }

    /// `sk_wmem_queued`: the data queued and each skb holding any of it, the
    /// write queue's (from `unsent_from`) and the retransmission queue's.
    pub fn memory(&self, unsent_from: usize) -> usize {
        self.len + SKB_OVERHEAD * (self.unsent_skbs(unsent_from) + self.packet_ends.len())
    }

    /// The memory of the write queue alone: the bytes never sent and their skbs.
    pub fn unsent_memory(&self, unsent_from: usize) -> usize {
        self.len.saturating_sub(unsent_from) + SKB_OVERHEAD * self.unsent_skbs(unsent_from)
    }

    fn unsent_skbs(&self, unsent_from: usize) -> usize {
        let unsent = self.head + unsent_from as u64;
        self.skb_ends.len() - self.skb_ends.partition_point(|&end| end <= unsent)
    }

    /// A packet of data `from..to` (offsets from the head) left, first time or
    /// again: it is one skb of the retransmission queue. A resend cut from a
    /// longer skb splits it (`tcp_fragment`); one that joins the skbs after it
    /// merges them (`tcp_retrans_try_collapse`).
    pub fn note_packet(&mut self, from: usize, to: usize) {
        let (from, to) = (self.head + from as u64, self.head + to as u64);
        if to <= from {
            return;
        }
        let first_inside = self.packet_ends.partition_point(|&end| end <= from);
        let past_inside = self.packet_ends.partition_point(|&end| end < to);
        self.packet_ends.drain(first_inside..past_inside);
        insert_sorted(&mut self.packet_ends, to);
    }

    /// `tcp_mark_push`: the skb ending at `at` carries PSH.
    fn mark_push(&mut self, at: u64) {
        if self.push_ends.back().is_none_or(|&last| last < at) {
            self.push_ends.push_back(at);
        }
        self.pushed = at;
    }

    /// Marks PSH on the skb ending at `end` (an offset from the head), wherever
    /// it lies: a window probe carries PSH in its skb (`tcp_write_wakeup`).
    pub fn mark_push_at(&mut self, end: usize) {
        let end = self.head + end as u64;
        insert_sorted(&mut self.push_ends, end);
        // The probe's bytes were cut from their skb into one of their own (tcp_fragment).
        insert_sorted(&mut self.skb_ends, end);
    }

    /// `tcp_grow_skb`: the unsent skb starting at `from` (an offset from the
    /// head) takes bytes from the front of the skb after it until it holds
    /// `want` bytes (a full packet), or the next skb runs out (then that skb
    /// is gone, and its PSH is the grown skb's). The grown skb's PSH moves to
    /// its new end. Returns how many bytes the skb holds, for a packet stops
    /// at its end; `None` when the queue does not know its skbs.
    pub fn grow_head(&mut self, from: usize, want: usize) -> Option<usize> {
        let from = self.head + from as u64;
        let index = self.skb_ends.partition_point(|&end| end <= from);
        let head_end = *self.skb_ends.get(index)?;
        let have = head_end - from;
        let missing = (want as u64).saturating_sub(have);
        let Some(&next_end) = self.skb_ends.get(index + 1) else { return Some(have as usize) };
        if missing == 0 {
            return Some(have as usize);
        }
        let new_end = head_end + missing.min(next_end - head_end);
        if new_end == next_end {
            self.skb_ends.remove(index);
        } else {
            self.skb_ends[index] = new_end;
        }
        if let Ok(mark) = self.push_ends.binary_search(&head_end) {
            self.push_ends.remove(mark);
            insert_sorted(&mut self.push_ends, new_end);
        }
        Some((new_end - from) as usize)
    }

    /// Whether a PSH mark lies in the bytes `offset..offset + len` or at their
    /// end: the segment carrying them carries PSH.
    pub fn reaches_push_mark(&self, offset: usize, len: usize) -> bool {
        if len == 0 {
            return false;
        }
        let from = self.head + offset as u64;
        let to = from + len as u64;
        let first = self.push_ends.partition_point(|&end| end <= from);
        self.push_ends.get(first).is_some_and(|&end| end <= to)
    }

    /// Appends `buf[start..end]` (clamped to the buffer).
    pub fn push(&mut self, buf: Arc<[u8]>, start: usize, end: usize) {
        let end = end.min(buf.len());
        if start >= end {
            return;
        }
        let at = self.head + self.len as u64;
        self.len += end - start;
        // A write that a full buffer took in pieces continues its previous chunk.
        if let Some(last) = self.chunks.back_mut() {
            if Arc::ptr_eq(&last.buf, &buf) && last.end == start {
                last.end = end;
                return;
            }
        }
        self.chunks.push_back(Chunk { at, buf, start, end });
    }

    /// Drops up to `n` bytes from the front (they were acknowledged).
    pub fn drain_front(&mut self, n: usize) {
        let mut left = n.min(self.len);
        self.len -= left;
        self.head += left as u64;
        while left > 0 {
            let Some(c) = self.chunks.front_mut() else { break };
            let here = left.min(c.end - c.start);
            c.start += here;
            c.at += here as u64;
            left -= here;
            if c.start == c.end {
                self.chunks.pop_front();
            }
        }
        while self.push_ends.front().is_some_and(|&end| end <= self.head) {
            self.push_ends.pop_front();
        }
        while self.sent_ends.front().is_some_and(|&end| end <= self.head) {
            self.sent_ends.pop_front();
        }
        while self.skb_ends.front().is_some_and(|&end| end <= self.head) {
            self.skb_ends.pop_front();
        }
        while self.packet_ends.front().is_some_and(|&end| end <= self.head) {
            self.packet_ends.pop_front();
        }
    }

    /// A segment of new data ending at `end` (an offset from the head) left.
    pub fn note_sent(&mut self, end: usize) {
        let end = self.head + end as u64;
        if self.sent_ends.back().is_none_or(|&last| last < end) {
            self.sent_ends.push_back(end);
        }
    }

    /// A segment sent before now ends at `end` (an offset from the head)
    /// too: a resend took only its front (`tcp_fragment`).
    pub fn split_sent_at(&mut self, end: usize) {
        let end = self.head + end as u64;
        if self.sent_ends.back().is_some_and(|&last| end < last) {
            insert_sorted(&mut self.sent_ends, end);
        }
    }

    /// Where the segments sent end, from the one holding `offset` on, as
    /// offsets from the head.
    pub fn sent_ends_after(&self, offset: usize) -> impl Iterator<Item = usize> + '_ {
        let at = self.head + offset as u64;
        let first = self.sent_ends.partition_point(|&end| end <= at);
        self.sent_ends.range(first..).map(move |&end| (end - self.head) as usize)
    }

    /// Where the skbs of the retransmission queue (the packets sent) end,
    /// from the one holding `offset` on, as offsets from the head.
    pub fn packet_ends_after(&self, offset: usize) -> impl Iterator<Item = usize> + '_ {
        let at = self.head + offset as u64;
        let first = self.packet_ends.partition_point(|&end| end <= at);
        self.packet_ends.range(first..).map(move |&end| (end - self.head) as usize)
    }

    /// How many segments sent are not yet acknowledged in full: Linux's
    /// `packets_out` (without a FIN of its own).
    pub fn segments_sent(&self) -> u32 {
        self.sent_ends.len() as u32
    }

    /// How many of the segments sent hold bytes of `from..to` (offsets from
    /// the head).
    pub fn segments_in(&self, from: usize, to: usize) -> u32 {
        let (from, to) = (self.head + from as u64, self.head + to as u64);
        if to <= from {
            return 0;
        }
        // Segment i holds the bytes after the end of segment i - 1 up to its own end.
        let first = self.sent_ends.partition_point(|&end| end <= from);
        let past = self.sent_ends.partition_point(|&end| end < to);
        let last = (past + 1).min(self.sent_ends.len());
        last.saturating_sub(first) as u32
    }

    /// The `len` bytes from `offset` (clamped to what is queued), for a segment.
    pub fn slice(&self, offset: usize, len: usize) -> Arc<[u8]> {
        let len = len.min(self.len.saturating_sub(offset));
        if len == 0 {
            return empty_payload();
        }
        // The chunk holding `offset`, by binary search: a bulk sender's buffer
        // holds thousands of chunks, and a linear scan per segment was quadratic.
        let abs = self.head + offset as u64;
        let index = self.chunks.partition_point(|c| c.at + (c.end - c.start) as u64 <= abs);
        let Some(first) = self.chunks.get(index) else { return empty_payload() };
        let skip = (abs - first.at) as usize;
        if skip == 0 && first.start == 0 && first.end == first.buf.len() && len == first.buf.len() {
            // The segment is exactly one whole write: share it.
            return first.buf.clone();
        }
        let parts = self.chunks.range(index..).enumerate().map(|(i, c)| {
            let from = if i == 0 { c.start + skip } else { c.start };
            &c.buf[from..c.end]
        });
        gather_payload(len, parts)
    }
}

/// Inserts `value` into the ascending `list` unless it is there already.
fn insert_sorted(list: &mut VecDeque<u64>, value: u64) {
    let at = list.partition_point(|&v| v < value);
    if list.get(at) != Some(&value) {
        list.insert(at, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(parts: &[&[u8]]) -> SendQueue {
        let mut q = SendQueue::default();
        for p in parts {
            q.push(Arc::from(*p), 0, p.len());
        }
        q
    }

    #[test]
    fn slices_cross_writes_and_share_a_whole_one() {
        let whole: Arc<[u8]> = Arc::from(&b"world"[..]);
        let mut q = queue(&[b"hello "]);
        q.push(whole.clone(), 0, 5);
        q.push(Arc::from(&b"xx!yy"[..]), 2, 3);
        assert_eq!(q.len(), 12);
        assert_eq!(&q.slice(0, 12)[..], b"hello world!");
        assert_eq!(&q.slice(4, 4)[..], b"o wo");
        assert!(Arc::ptr_eq(&q.slice(6, 5), &whole), "a whole write is handed on, not copied");
        assert_eq!(&q.slice(10, 100)[..], b"d!");
        assert_eq!(q.slice(12, 5).len(), 0);
    }

    #[test]
    fn a_write_taken_in_pieces_stays_one_chunk_and_slices_find_their_bytes() {
        let data: Arc<[u8]> = Arc::from((0..=255u8).collect::<Vec<u8>>());
        let mut q = SendQueue::default();
        for piece in 0..16 {
            q.push(data.clone(), piece * 16, piece * 16 + 16);
        }
        assert_eq!(q.chunks.len(), 1);
        q.push(Arc::from(&b"tail"[..]), 0, 4);
        q.drain_front(100);
        assert_eq!(q.len(), 160);
        assert_eq!(&q.slice(0, 3)[..], &[100, 101, 102]);
        assert_eq!(&q.slice(154, 10)[..], &[254, 255, b't', b'a', b'i', b'l']);
        assert!(Arc::ptr_eq(&q.slice(156, 4), &q.chunks[1].buf), "the whole tail write is shared");
    }

    /// One `send()` of `buf[start..end]` as the connection copies it, memory
    /// aside: the tail skb's room, then new skbs.
    fn write(q: &mut SendQueue, buf: Arc<[u8]>, start: usize, end: usize, shape: SkbShape) {
        let mut at = start;
        while at < end {
            let room = q.tail_room(&shape);
            let to = end.min(at + if room > 0 { room } else { shape.size_goal });
            q.write_piece(buf.clone(), at, to, SkbShape { continuing: shape.continuing || at > start, ..shape });
            at = to;
        }
        if end > start {
            q.end_write();
        }
    }

    fn marks(q: &SendQueue) -> Vec<u64> {
        q.push_ends.iter().copied().collect()
    }

    fn shape(size_goal: usize, half_max_window: usize, unsent_from: usize) -> SkbShape {
        SkbShape { size_goal, half_max_window, unsent_from, continuing: false }
    }

    #[test]
    fn the_rest_of_a_send_that_waited_for_space_keeps_the_first_parts_psh() {
        // One 30,000-byte send() into a 15,000-byte buffer: the first part is
        // copied and pushed (tcp_push before sk_stream_wait_memory); the rest,
        // copied after the wait, joins the unsent tail skb and takes no PSH
        // away ("if (!copied)" holds only for a call's first copy): the skb's
        // flag is at its new end.
        let data: Arc<[u8]> = Arc::from(vec![b'x'; 30_000]);
        let mut q = SendQueue::default();
        write(&mut q, data.clone(), 0, 15_000, shape(64_000, 1 << 30, 0));
        let rest = SkbShape { continuing: true, ..shape(64_000, 1 << 30, 0) };
        q.write_piece(data.clone(), 15_000, 20_000, rest);
        assert_eq!(marks(&q), [20_000], "the flag went with the skb's end");
        write(&mut q, data.clone(), 20_000, 30_000, rest);
        assert_eq!(marks(&q), [30_000]);
        // Had the first part's skb been full, the rest would start a new one
        // and the first part's PSH would stay where it is.
        let mut q = SendQueue::default();
        write(&mut q, data.clone(), 0, 15_000, shape(15_000, 1 << 30, 0));
        write(&mut q, data.clone(), 15_000, 30_000, SkbShape { continuing: true, ..shape(15_000, 1 << 30, 0) });
        assert_eq!(marks(&q), [15_000, 30_000]);
        // A new send() into the same unsent skb does move the mark.
        let mut q = SendQueue::default();
        write(&mut q, data.clone(), 0, 15_000, shape(64_000, 1 << 30, 0));
        write(&mut q, Arc::from(vec![b'y'; 15_000]), 0, 15_000, shape(64_000, 1 << 30, 0));
        assert_eq!(marks(&q), [30_000]);
    }

    #[test]
    fn a_probe_marks_its_own_end_among_the_marks_already_there() {
        let mut q = SendQueue::default();
        write(&mut q, Arc::from(vec![b'x'; 3000]), 0, 3000, shape(64_000, 1 << 30, 0));
        q.mark_push_at(500);
        q.mark_push_at(500);
        assert_eq!(marks(&q), [500, 3000]);
        assert!(q.reaches_push_mark(0, 500) && !q.reaches_push_mark(500, 1000));
    }

    #[test]
    fn every_write_ends_with_psh_and_a_write_into_the_unsent_tail_skb_moves_it() {
        let mut q = SendQueue::default();
        write(&mut q, Arc::from(&b"one"[..]), 0, 3, shape(1000, 30_000, 0));
        assert_eq!(marks(&q), [3]);
        // "one" left; "two!" starts a new skb, and "three" joins that one.
        write(&mut q, Arc::from(&b"two!"[..]), 0, 4, shape(1000, 30_000, 3));
        write(&mut q, Arc::from(&b"three"[..]), 0, 5, shape(1000, 30_000, 3));
        assert_eq!(marks(&q), [3, 12]);
        assert!(q.reaches_push_mark(0, 3) && !q.reaches_push_mark(3, 4) && q.reaches_push_mark(3, 9));
        // A segment reaching past a mark carries it (a resend joined to the next, tcp_retrans_try_collapse).
        assert!(q.reaches_push_mark(2, 5));
        q.drain_front(3);
        assert_eq!(marks(&q), [12]);
    }

    #[test]
    fn a_write_into_a_full_tail_skb_starts_a_new_one_and_the_old_psh_stays() {
        let mut q = SendQueue::default();
        write(&mut q, Arc::from(vec![1; 2000]), 0, 2000, shape(2000, 30_000, 0));
        write(&mut q, Arc::from(vec![2; 500]), 0, 500, shape(2000, 30_000, 0));
        assert_eq!(marks(&q), [2000, 2500]);
    }

    #[test]
    fn a_large_write_is_pushed_whenever_half_the_largest_window_went_unpushed() {
        // forced_push: skbs of 2896 bytes, half window 4096. The second full
        // skb ends at 5792 > 0 + 4096, the fourth at 11584 > 5792 + 4096, ...
        let mut q = SendQueue::default();
        write(&mut q, Arc::from(vec![0; 20_000]), 0, 20_000, shape(2896, 4096, 0));
        assert_eq!(marks(&q), [5792, 11_584, 17_376, 20_000]);
    }

    #[test]
    fn the_send_head_grows_into_the_next_skb_and_carries_its_psh_along() {
        // Skbs of 1000, pushed at 2000 and 4000 (half window 1000) and at the end.
        let mut q = SendQueue::default();
        write(&mut q, Arc::from(vec![0; 4500]), 0, 4500, shape(1000, 1000, 0));
        assert_eq!(marks(&q), [2000, 4000, 4500]);
        // A packet of two segments from 0: the first skb swallows the second,
        // whose PSH it now has at its end.
        assert_eq!(q.grow_head(0, 2000), Some(2000));
        assert_eq!(marks(&q), [2000, 4000, 4500]);
        // Cut at 2500 by the window (as tso_fragment would), the rest [2500,
        // 3000) takes half of the next skb: the mark at 4000 is that skb's
        // and stays; the grown skb had none to move.
        assert_eq!(q.grow_head(2500, 1000), Some(1000));
        assert_eq!(marks(&q), [2000, 4000, 4500]);
        // [3500, 4000) is pushed; grown by all of the last skb's 500 bytes,
        // its PSH moves to 4500, where the last skb's already is.
        assert_eq!(q.grow_head(3500, 1000), Some(1000));
        assert_eq!(marks(&q), [2000, 4500]);
        // The last skb grows no further, and a queue written without skbs knows none.
        assert_eq!(q.grow_head(4000, 2000), Some(500));
        assert_eq!(queue(&[b"abc"]).grow_head(0, 1000), None);
    }

    #[test]
    fn sacked_ranges_count_the_segments_they_were_sent_in() {
        let mut q = queue(&[&[0; 3000]]);
        for end in [5, 10, 15, 1463, 2911] {
            q.note_sent(end);
        }
        assert_eq!(q.segments_in(5, 15), 2, "two 5-byte segments");
        assert_eq!(q.segments_in(0, 1463), 4);
        assert_eq!(q.segments_in(16, 20), 1, "part of a segment is still a segment");
        assert_eq!(q.segments_sent(), 5);
        q.drain_front(10);
        assert_eq!(q.segments_sent(), 3, "the two acknowledged in full are gone");
        q.drain_front(2);
        assert_eq!(q.segments_sent(), 3, "one acknowledged in part is still out");
        q.drain_front(0);
        assert_eq!(q.segments_in(0, 3), 1);
        assert_eq!(q.segments_in(0, 2899), 3);
    }

    #[test]
    fn a_resend_cut_short_leaves_the_rest_a_segment_of_its_own() {
        // Two packets: one segment of 1448, then a GSO packet of two.
        let mut q = queue(&[&[0; 4344]]);
        for end in [1448, 2896, 4344] {
            q.note_sent(end);
        }
        q.note_packet(0, 1448);
        q.note_packet(1448, 4344);
        assert_eq!(q.packet_ends_after(0).collect::<Vec<_>>(), [1448, 4344]);
        assert_eq!(
            q.packet_ends_after(1448).collect::<Vec<_>>(),
            [4344],
            "the packet holding offset 1448 ends at 4344"
        );
        // The first goes again as 1436 bytes (SACK blocks took 12): the rest
        // is a segment and a packet of its own (tcp_fragment).
        q.split_sent_at(1436);
        q.note_packet(0, 1436);
        assert_eq!(q.segments_sent(), 4);
        assert_eq!(q.sent_ends_after(1436).collect::<Vec<_>>(), [1448, 2896, 4344]);
        assert_eq!(q.packet_ends_after(1436).collect::<Vec<_>>(), [1448, 4344]);
        // A cut at an end already there, or past the last, adds nothing.
        q.split_sent_at(2896);
        q.split_sent_at(5000);
        assert_eq!(q.segments_sent(), 4);
    }

    #[test]
    fn memory_counts_each_skb_of_both_queues_beside_the_data() {
        // Three writes of 1448 into skbs of 1448: 3 x 2280, as `ss -tm` shows.
        let mut q = SendQueue::default();
        for _ in 0..3 {
            let written = q.len();
            write(&mut q, Arc::from(vec![0; 1448]), 0, 1448, shape(1448, 1 << 30, written));
        }
        assert_eq!(q.memory(0), 3 * (1448 + SKB_OVERHEAD));
        // The first two leave as one packet: one skb of the retransmission queue.
        q.note_packet(0, 2896);
        assert_eq!(q.memory(2896), 3 * 1448 + 2 * SKB_OVERHEAD);
        // Resending its first segment alone splits it (tcp_fragment).
        q.note_packet(0, 1448);
        assert_eq!(q.memory(2896), 3 * 1448 + 3 * SKB_OVERHEAD);
        // Half of the first skb acknowledged: its bytes go, the skb stays.
        q.drain_front(700);
        assert_eq!(q.memory(2196), 3 * 1448 - 700 + 3 * SKB_OVERHEAD);
        q.drain_front(748);
        assert_eq!(q.memory(1448), 2 * 1448 + 2 * SKB_OVERHEAD);
        // A resend that joins what is left of the packet with nothing after it.
        q.note_packet(0, 1448);
        assert_eq!(q.memory(1448), 2 * 1448 + 2 * SKB_OVERHEAD);
    }

    #[test]
    fn the_send_buffer_is_sized_for_twice_the_window_with_power_of_two_heads() {
        assert_eq!(sndbuf_for(1460, 10), 46_080);
        // A 9000-byte MTU's segments need 16 KiB heads.
        assert_eq!(sndbuf_for(8960, 10), 2 * 10 * (16_384 + 256));
    }

    #[test]
    fn acknowledged_bytes_leave_from_the_front() {
        let mut q = queue(&[b"abc", b"defg", b"h"]);
        q.drain_front(4);
        assert_eq!(q.len(), 4);
        assert_eq!(&q.slice(0, 10)[..], b"efgh");
        q.drain_front(100);
        assert!(q.is_empty());
        assert_eq!(q.slice(0, 1).len(), 0);
    }
}
