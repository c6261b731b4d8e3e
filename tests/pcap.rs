//! pcap export: a valid libpcap file with one record per packet sent.

use socklab::net::TraceKind;
use socklab::pcap;
use socklab::script::{self, RunOptions};

fn lesson(name: &str) -> script::RunReport {
    let path = format!("{}/scenarios/{name}.sock", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    script::run(&script::parse(&text).unwrap(), &RunOptions::default())
}

#[test]
fn header_and_one_record_per_sent_packet() {
    for name in ["handshake", "loss_retransmission", "udp_loss", "udp_connected_unreachable"] {
        let report = lesson(name);
        let bytes = pcap::from_trace(&report.trace).unwrap();
        assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "little-endian microsecond magic");
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 2);
        assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), 4);
        assert_eq!(u32::from_le_bytes(bytes[20..24].try_into().unwrap()), 101, "LINKTYPE_RAW");
        let records = pcap::read(&bytes).unwrap();
        assert_eq!(records.len(), report.sent_count(), "{name}");
        // Timestamps are the simulated send times, in trace order.
        let times: Vec<u64> =
            report.trace.iter().filter(|e| matches!(e.kind, TraceKind::Sent { .. })).map(|e| e.time).collect();
        assert_eq!(records.iter().map(|r| r.time_us).collect::<Vec<_>>(), times);
        for r in &records {
            assert_eq!(r.bytes[0] >> 4, 4, "IPv4");
            let total = u16::from_be_bytes([r.bytes[2], r.bytes[3]]) as usize;
            assert_eq!(total, r.bytes.len());
            assert!(socklab::wire::from_bytes(&r.bytes, socklab::net::PacketId(0)).is_ok());
        }
    }
}

#[test]
fn lost_packets_are_in_the_capture() {
    let report = lesson("loss_retransmission");
    let lost = report.trace.iter().filter(|e| matches!(e.kind, TraceKind::Lost { .. })).count();
    assert_eq!(lost, 1);
    let records = pcap::read(&pcap::from_trace(&report.trace).unwrap()).unwrap();
    assert_eq!(records.len(), report.sent_count());
}

#[test]
fn timestamps_go_to_the_wire_as_linux_lays_them_out_and_come_back() {
    // Linux's tcp_options_write: a SYN carries MSS, NOP NOP TS, NOP WS (40
    // bytes of TCP header); every later segment NOP NOP TS (32 bytes).
    let report = lesson("handshake");
    let records = pcap::read(&pcap::from_trace(&report.trace).unwrap()).unwrap();
    let sent: Vec<_> = report
        .trace
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { packet, .. } => Some(packet.clone()),
            _ => None,
        })
        .collect();
    assert!(records.len() >= 3);
    for (r, packet) in records.iter().zip(&sent) {
        let back = socklab::wire::from_bytes(&r.bytes, packet.id).unwrap();
        let (socklab::net::packet::Body::Tcp(seg), socklab::net::packet::Body::Tcp(ours)) = (&back.body, &packet.body)
        else {
            panic!("a TCP lesson")
        };
        assert!(seg.timestamps.is_some_and(|(tsval, _)| tsval != 0), "{}", packet.summary());
        assert_eq!(seg.timestamps, ours.timestamps);
        let data_offset = usize::from(r.bytes[20 + 12] >> 4) * 4;
        assert_eq!(data_offset, if seg.flags.syn() { 40 } else { 32 }, "{}", packet.summary());
    }
}
