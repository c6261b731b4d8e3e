//! A connection's send buffer, kept as shared slices of the application's
//! writes: `send()` queues the caller's buffer without copying, and a segment
//! copies its bytes once (or shares a whole write that fits one segment).

use crate::net::packet::{empty_payload, gather_payload};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct SendQueue {
    /// (buffer, start, end): the bytes `buffer[start..end]`, oldest first. The
    /// front chunk starts at `snd_una`: acknowledged bytes leave at once.
    chunks: VecDeque<(Arc<[u8]>, usize, usize)>,
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
        self.len = 0;
    }

    /// Appends `buf[start..end]` (clamped to the buffer).
    pub fn push(&mut self, buf: Arc<[u8]>, start: usize, end: usize) {
        let end = end.min(buf.len());
        if start < end {
            self.len += end - start;
            self.chunks.push_back((buf, start, end));
        }
    }

    /// Drops up to `n` bytes from the front (they were acknowledged).
    pub fn drain_front(&mut self, n: usize) {
        let mut left = n.min(self.len);
        self.len -= left;
        while left > 0 {
            let Some((_, start, end)) = self.chunks.front_mut() else { break };
            let here = left.min(*end - *start);
            *start += here;
            left -= here;
            if *start == *end {
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
        // Find the chunk holding `offset`.
        let mut skip = offset;
        let mut index = 0;
        while let Some((_, start, end)) = self.chunks.get(index) {
            if skip < end - start {
                break;
            }
            skip -= end - start;
            index += 1;
        }
        if let Some((buf, start, end)) = self.chunks.get(index) {
            if skip == 0 && *start == 0 && *end == buf.len() && len == buf.len() {
                // The segment is exactly one whole write: share it.
                return buf.clone();
            }
        }
        let parts = self.chunks.range(index..).enumerate().map(|(i, (buf, start, end))| {
            let from = if i == 0 { start + skip } else { *start };
            &buf[from..*end]
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
