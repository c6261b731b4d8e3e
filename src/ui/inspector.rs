//! The packet inspector: header fields and the real bytes (`crate::wire`), the field
//! under the pointer highlighted in both.

use yew::prelude::*;

use crate::lang::Lang;
use crate::net::packet::Body;
use crate::net::syscall::quote_bytes;
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::words::{analysis, field_name, tr, Text};
use crate::wire::{fields, to_bytes, Field};

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
        "payload" => quote_bytes(b),
        _ => int.to_string(),
    }
}

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

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub lang: Lang,
    pub numbering: Numbering,
    pub packet: Option<PacketInfo>,
    /// Whether it is on its way now (so it can still be dropped).
    pub in_flight: bool,
    pub doomed: bool,
    pub on_drop: Callback<u64>,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let lang = props.lang;
    let Some(p) = &props.packet else {
        return html! { <p class="muted">{ tr(lang, Text::InspectorEmpty) }</p> };
    };
    let bytes = match to_bytes(&p.packet) {
        Ok(b) => b,
        Err(e) => return html! { <p class="error">{ e.to_string() }</p> },
    };
    let fs = fields(&p.packet);
    let field_of = |i: usize| fs.iter().position(|f| i >= f.start && i < f.start + f.len);
    let set = |v: Option<usize>| {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(v))
    };
    // Tabbing through the fields shows their bytes, as the pointer does.
    let focus = |v: Option<usize>| {
        let hover = hover.clone();
        Callback::from(move |_: FocusEvent| hover.set(v))
    };
    let on_drop = props.on_drop.clone();
    let id = p.id;
    let on_close = props.on_close.clone();
    html! {
        <div class="inspector" data-packet={p.id.to_string()}>
            <div class="insp-head">
                <strong class="insp-label">{ p.label(props.numbering) }</strong>
                if let Some(a) = &p.analysis { <span class="tag">{ analysis(lang, a) }</span> }
                <button type="button" class="ghost" onclick={move |_| on_close.emit(())}
                        aria-label={tr(lang, Text::Close)}>{ "×" }</button>
            </div>
            <p class="summary"><code>{ p.packet.summary() }</code></p>
            if let Some(numbers) = both_numbers(p, lang) {
                <p class="numbers" id="numbers">{ numbers }</p>
            }
            if props.in_flight && !props.doomed {
                <button type="button" class="danger drop" onclick={move |_| on_drop.emit(id)}>
                    { tr(lang, Text::DropPacket) }
                </button>
            }
            if props.doomed { <p class="muted">{ tr(lang, Text::Doomed) }</p> }
            <table class="fields" onmouseleave={set(None)}>
                <tbody>
                { for fs.iter().enumerate().map(|(k, f)| {
                    let on = *hover == Some(k);
                    html! {
                        <tr class={classes!("field", f.layer.to_ascii_lowercase(), on.then_some("hot"))}
                            data-field={f.name} onmouseenter={set(Some(k))} tabindex="0"
                            onfocus={focus(Some(k))} onblur={focus(None)}>
                            <td class="layer">{ f.layer }</td>
                            <td class="fname">{ field_name(lang, f.name) }</td>
                            <td class="fvalue">{ field_value(f, &bytes, lang) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            <div class="hex" onmouseleave={set(None)} aria-label={tr(lang, Text::Bytes)}>
                { for bytes.chunks(16).enumerate().map(|(row, chunk)| html! {
                    <div class="hex-row">
                        <span class="offset">{ format!("{:04x}", row * 16) }</span>
                        { for chunk.iter().enumerate().map(|(c, b)| {
                            let i = row * 16 + c;
                            let f = field_of(i);
                            let on = f.is_some() && *hover == f;
                            let layer = f.and_then(|k| fs.get(k)).map_or("", |x| x.layer);
                            html! {
                                <span class={classes!("byte", layer.to_ascii_lowercase(), on.then_some("hot"))}
                                      onmouseenter={set(f)}>{ format!("{b:02x}") }</span>
                            }
                        }) }
                    </div>
                }) }
            </div>
        </div>
    }
}
