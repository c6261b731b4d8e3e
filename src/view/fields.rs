//! What the packet inspector says of each header field: its value read from
//! the packet's real bytes (`crate::wire`), as a person would say it.

use crate::lang::Lang;
use crate::net::packet::Body;
use crate::net::syscall::quote_bytes;
use crate::view::packets::{byte_count, PacketInfo};
use crate::wire::Field;

/// A field's value, read from its bytes, as a person would say it in `lang`.
pub fn field_value(f: &Field, bytes: &[u8], lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let Some(b) = bytes.get(f.start..f.start + f.len) else { return "?".into() };
    let int = b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    match f.name {
        "source address" | "destination address" if b.len() == 4 => format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]),
        "version / IHL" if ko => format!("IPv{} · {}바이트", b[0] >> 4, (b[0] & 0x0f) * 4),
        "version / IHL" => format!("IPv{} · {} bytes", b[0] >> 4, (b[0] & 0x0f) * 4),
        "protocol" => match int {
            6 => "6 (TCP)".into(),
            17 => "17 (UDP)".into(),
            1 => "1 (ICMP)".into(),
            n => n.to_string(),
        },
        "flags / fragment offset" => {
            // Bit 0x2000 is MF; the low 13 bits count the offset in 8-byte units.
            let (more, offset) = (int & 0x2000 != 0, (int & 0x1fff) * 8);
            if int & 0x4000 != 0 {
                if ko { "DF (단편화 금지)" } else { "DF (don't fragment)" }.into()
            } else if more || offset != 0 {
                let mf = match (more, ko) {
                    (true, false) => ", MF (more fragments)",
                    (true, true) => ", MF (뒤에 조각이 더 있음)",
                    (false, _) => "",
                };
                if ko {
                    format!("조각 오프셋 {offset}바이트{mf}")
                } else {
                    format!("fragment offset {offset} bytes{mf}")
                }
            } else {
                format!("0x{int:04x}")
            }
        }
        "data offset / flags" if b.len() == 2 => {
            let mut names = Vec::new();
            for (bit, name) in
                [(0x02, "SYN"), (0x10, "ACK"), (0x08, "PSH"), (0x01, "FIN"), (0x04, "RST"), (0x20, "URG")]
            {
                if b[1] & bit != 0 {
                    names.push(name);
                }
            }
            let names = match (names.is_empty(), ko) {
                (false, _) => names.join(" "),
                (true, false) => "none".into(),
                (true, true) => "없음".into(),
            };
            let len = (b[0] >> 4) * 4;
            if ko {
                format!("헤더 {len}바이트 · {names}")
            } else {
                format!("header {len} bytes · {names}")
            }
        }
        "header checksum" | "checksum" => format!("0x{int:04x}"),
        "MSS option" if b.len() == 4 => format!("MSS {}", u16::from_be_bytes([b[2], b[3]])),
        "window scale option" if b.len() == 4 && ko => format!("시프트 {}", b[3]),
        "window scale option" if b.len() == 4 => format!("shift {}", b[3]),
        "SACK-permitted option" => "SACK_PERM".into(),
        // Two NOPs (kind 1) that align the timestamps.
        "NOP padding" => "NOP NOP".into(),
        // The option's kind and length; its values are the next two fields.
        "timestamps option" if b.len() == 2 && ko => format!("종류 {} · 길이 {}", b[0], b[1]),
        "timestamps option" if b.len() == 2 => format!("kind {} · length {}", b[0], b[1]),

        // NOP, NOP, kind 5, length, then each block's left and right edge,
        // as Wireshark names them.
        "SACK option" if b.len() > 4 => b[4..]
            .chunks_exact(8)
            .map(|e| {
                let left = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
                let right = u32::from_be_bytes([e[4], e[5], e[6], e[7]]);
                format!("SLE={left} SRE={right}")
            })
            .collect::<Vec<_>>()
            .join(" · "),
        "options" | "quoted datagram" | "unused" => hex(b),
        // The first 64 bytes as the script quotes them, and the size in the
        // page's language (the script's "…(1448 bytes)" stayed English).
        "payload" if b.len() > QUOTED => format!("{}…({})", quote_bytes(&b[..QUOTED]), byte_count(b.len(), lang)),
        "payload" => quote_bytes(b),
        _ => int.to_string(),
    }
}

/// The window field of `p`, `raw` as read from its bytes, with what it stands
/// for once window scaling is agreed (`63 × 2^10 = 64512 B`): the buffers
/// panel says the scaled window, and the field alone read as another number.
pub fn window_value(p: &PacketInfo, raw: String, lang: Lang) -> String {
    let Body::Tcp(seg) = &p.packet.body else { return raw };
    match p.window_shift.filter(|&shift| shift > 0) {
        Some(shift) => {
            let bytes = u64::from(seg.window) << shift;
            match lang {
                Lang::En => format!("{raw} × 2^{shift} = {bytes} B"),
                Lang::Ko => format!("{raw} × 2^{shift} = {bytes}바이트"),
            }
        }
        None => raw,
    }
}

/// The payload bytes the inspector quotes, as `quote_bytes` shows at most.
const QUOTED: usize = 64;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

/// A TCP segment's seq and ack both ways: relative, and as the initial
/// sequence number plus that (`seq 1 = its ISN 3208790322 + 1`).
pub fn both_numbers(p: &PacketInfo, lang: Lang) -> Option<String> {
    let (Body::Tcp(s), Some(isn)) = (&p.packet.body, p.isn) else { return None };
    let (own, their) = match lang {
        Lang::En => ("its ISN", "their ISN"),
        Lang::Ko => ("자기 ISN", "상대 ISN"),
    };
    let seq = s.seq.wrapping_sub(isn.own);
    let mut out = format!("seq {seq} = {own} {} + {seq}", isn.own);
    if let Some(peer) = isn.peer.filter(|_| s.flags.ack()) {
        let ack = s.ack.wrapping_sub(peer);
        out.push_str(&format!(" · ack {ack} = {their} {peer} + {ack}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{fields, to_bytes};

    /// The window field says what it stands for once both SYNs agreed on
    /// scaling, by the sender's own shift: "window 63" stood beside a buffers
    /// panel saying 64512 B.
    #[test]
    fn a_scaled_window_says_the_bytes_it_stands_for() {
        let packets = &crate::view::played::by_id("fast_retransmit").packets;
        let syn_shift = |from| {
            packets.iter().find_map(|p| match &p.packet.body {
                Body::Tcp(s) if s.flags.syn() && p.from == from => s.window_scale,
                _ => None,
            })
        };
        let mut scaled = 0;
        for p in packets {
            let Body::Tcp(seg) = &p.packet.body else { continue };
            let raw = seg.window.to_string();
            if seg.flags.syn() {
                assert_eq!(p.window_shift, None, "a SYN's window is never scaled");
                assert_eq!(window_value(p, raw.clone(), Lang::En), raw);
                continue;
            }
            let shift = syn_shift(p.from).expect("both SYNs offer scaling");
            assert_eq!(p.window_shift, Some(shift));
            let bytes = u64::from(seg.window) << shift;
            assert_eq!(window_value(p, raw.clone(), Lang::En), format!("{raw} × 2^{shift} = {bytes} B"));
            assert_eq!(window_value(p, raw.clone(), Lang::Ko), format!("{raw} × 2^{shift} = {bytes}바이트"));
            scaled += 1;
        }
        assert!(scaled > 0);
    }

    /// A long payload is quoted in part, its size said in the page's language.
    #[test]
    fn a_long_payload_says_its_size_in_the_pages_language() {
        let packets = &crate::view::played::by_id("fast_retransmit").packets;
        let p = packets
            .iter()
            .find(|p| matches!(&p.packet.body, Body::Tcp(s) if s.payload.len() == 1448))
            .expect("a full segment");
        let bytes = to_bytes(&p.packet).expect("bytes");
        let payload = fields(&p.packet).into_iter().find(|f| f.name == "payload").expect("a payload field");
        assert!(field_value(&payload, &bytes, Lang::En).ends_with("\"…(1448 bytes)"));
        assert!(field_value(&payload, &bytes, Lang::Ko).ends_with("\"…(1448바이트)"));
    }

    #[test]
    fn every_option_reads_as_what_it_says_not_as_its_bytes_taken_for_a_number() {
        // A SYN's timestamps option showed "2058": its kind and length bytes
        // (08 0a) read as one number.
        let mut options_seen = 0;
        for id in ["handshake", "fast_retransmit", "tcp_reordering"] {
            for p in &crate::view::played::by_id(id).packets {
                let Body::Tcp(seg) = &p.packet.body else { continue };
                let bytes = to_bytes(&p.packet).expect("bytes");
                for f in fields(&p.packet) {
                    let value = field_value(&f, &bytes, Lang::En);
                    match f.name {
                        "timestamps option" => assert_eq!(value, "kind 8 · length 10"),
                        "NOP padding" => assert_eq!(value, "NOP NOP"),
                        "TSval" => assert_eq!(Some(value), seg.timestamps.map(|(val, _)| val.to_string())),
                        "TSecr" => assert_eq!(Some(value), seg.timestamps.map(|(_, ecr)| ecr.to_string())),
                        name if name.ends_with("option") => {
                            assert!(value.parse::<u64>().is_err(), "{id}: {name} reads {value}");
                        }
                        _ => continue,
                    }
                    options_seen += 1;
                }
            }
        }
        assert!(options_seen > 100, "the lessons' segments carry options ({options_seen})");
        let ko = |name, b: &[u8]| field_value(&Field { layer: "TCP", name, start: 0, len: b.len() }, b, Lang::Ko);
        assert_eq!(ko("timestamps option", &[8, 10]), "종류 8 · 길이 10");
    }
}
