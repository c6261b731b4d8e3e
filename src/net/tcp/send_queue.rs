//! A connection's send buffer, kept as shared slices of the application's
//! writes: `send()` queues the caller's buffer without copying, and a segment
//! copies its bytes once (or shares a whole write that fits one segment).

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

#[derive(Clone, Debug, Default)]
pub struct SendQueue {
    /// The bytes `buf[start..end]` of each chunk, oldest first. The front chunk
    /// starts at `snd_una`: acknowledged bytes leave at once.
    chunks: VecDeque<Chunk>,
    /// Stream offset of the first queued byte.
    head: u64,
    len: usize,
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
        self.head += self.len as u64;
        self.len = 0;
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
