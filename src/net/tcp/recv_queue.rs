//! A connection's in-order received bytes, kept as shared slices of the segments
//! that carried them: a read of exactly one segment's bytes hands the same
//! buffer on without copying; other reads copy once.

use crate::net::packet::{empty_payload, gather_payload};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct RecvQueue {
    /// (buffer, start, end): the bytes `buffer[start..end]`, oldest first.
    chunks: VecDeque<(Arc<[u8]>, usize, usize)>,
    len: usize,
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
}
