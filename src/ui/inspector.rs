//! The packet inspector: header fields and the real bytes (`crate::wire`), the field
//! under the pointer highlighted in both.

use yew::prelude::*;

use crate::lang::Lang;
use crate::view::fields::{both_numbers, field_value, window_value};
use crate::view::packets::{Numbering, PacketInfo};
use crate::view::words::{analysis, field_name, tr, Text};
use crate::wire::{fields, to_bytes};

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
                <strong class="insp-label">{ p.label(props.lang, props.numbering) }</strong>
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
                            <td class="fvalue">{
                                match f.name {
                                    "window" => window_value(p, field_value(f, &bytes, lang), lang),
                                    _ => field_value(f, &bytes, lang),
                                }
                            }</td>
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
