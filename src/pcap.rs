//! Trace → libpcap file: every packet that left a host, as real IPv4 bytes
//! (LINKTYPE_RAW), timestamped with simulated time.
//!
//! The capture point is each sender's side of the wire, like `tcpdump` on the
//! sending host: a packet the network later loses is in the file (so Wireshark
//! sees the original *and* its retransmission); a copy the link makes
//! (`Duplicated`) is not, since no host sent it. No I/O here: bytes in, bytes out.

use crate::net::{TraceEvent, TraceKind};

/// libpcap's magic for microsecond timestamps, written little-endian.
pub const MAGIC: u32 = 0xa1b2_c3d4;
/// LINKTYPE_RAW: each record is an IPv4 (or IPv6) packet with no link header.
pub const LINKTYPE_RAW: u32 = 101;
pub const SNAPLEN: u32 = 262_144;
pub const GLOBAL_HEADER_LEN: usize = 24;
pub const RECORD_HEADER_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcapError {
    /// A packet could not be serialized (see `crate::wire`).
    Wire(String),
    /// Bytes that are not a libpcap file this module wrote.
    Format(String),
}

impl std::fmt::Display for PcapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PcapError::Wire(e) => write!(f, "cannot serialize packet: {e}"),
            PcapError::Format(e) => write!(f, "not a pcap file: {e}"),
        }
    }
}

impl std::error::Error for PcapError {}

/// The 24-byte global header.
pub fn global_header() -> Vec<u8> {
    let mut out = Vec::with_capacity(GLOBAL_HEADER_LEN);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
    out
}

/// Appends one record: 16-byte header, then the packet bytes.
pub fn push_record(out: &mut Vec<u8>, time_us: u64, bytes: &[u8]) {
    let secs = (time_us / 1_000_000).min(u64::from(u32::MAX)) as u32;
    let usecs = (time_us % 1_000_000) as u32;
    let orig = bytes.len() as u32;
    let incl = orig.min(SNAPLEN);
    out.extend_from_slice(&secs.to_le_bytes());
    out.extend_from_slice(&usecs.to_le_bytes());
    out.extend_from_slice(&incl.to_le_bytes());
    out.extend_from_slice(&orig.to_le_bytes());
    out.extend_from_slice(&bytes[..incl as usize]);
}

/// A libpcap file of every `Sent` packet in `trace`, in trace order.
pub fn from_trace(trace: &[TraceEvent]) -> Result<Vec<u8>, PcapError> {
    let mut out = global_header();
    for e in trace {
        if let TraceKind::Sent { packet, .. } = &e.kind {
            let bytes = crate::wire::to_bytes(packet).map_err(|err| PcapError::Wire(err.to_string()))?;
            push_record(&mut out, e.time, &bytes);
        }
    }
    Ok(out)
}

/// One record read back: time in microseconds and the packet bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub time_us: u64,
    pub bytes: Vec<u8>,
}

/// Reads a little-endian, microsecond, LINKTYPE_RAW file (what `from_trace` writes).
pub fn read(bytes: &[u8]) -> Result<Vec<Record>, PcapError> {
    let u32_at = |b: &[u8], i: usize| -> Result<u32, PcapError> {
        b.get(i..i + 4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| PcapError::Format(format!("truncated at byte {i}")))
    };
    if u32_at(bytes, 0)? != MAGIC {
        return Err(PcapError::Format("bad magic".into()));
    }
    if u32_at(bytes, 20)? != LINKTYPE_RAW {
        return Err(PcapError::Format("link type is not RAW (101)".into()));
    }
    let mut records = Vec::new();
    let mut i = GLOBAL_HEADER_LEN;
    while i < bytes.len() {
        let secs = u32_at(bytes, i)?;
        let usecs = u32_at(bytes, i + 4)?;
        let incl = u32_at(bytes, i + 8)? as usize;
        let start = i + RECORD_HEADER_LEN;
        let data = bytes
            .get(start..start.saturating_add(incl))
            .ok_or_else(|| PcapError::Format(format!("record at byte {i} is truncated")))?;
        records.push(Record { time_us: u64::from(secs) * 1_000_000 + u64::from(usecs), bytes: data.to_vec() });
        i = start + incl;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_records_round_trip() {
        let mut out = global_header();
        assert_eq!(out.len(), GLOBAL_HEADER_LEN);
        push_record(&mut out, 1_250_000, &[0x45, 0, 0, 20]);
        let recs = read(&out).unwrap();
        assert_eq!(recs, vec![Record { time_us: 1_250_000, bytes: vec![0x45, 0, 0, 20] }]);
        assert!(read(&out[..30]).is_err());
        assert!(read(&[0; 24]).is_err());
    }
}
