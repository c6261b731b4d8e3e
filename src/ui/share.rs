//! The shareable state in the URL fragment:
//! `#lesson=handshake&seed=1&pos=12&edits=3:link:0:0.3:0:0:10000;12:drop:5`.
//! Plain Rust, no web; parsing never panics and says what was wrong.

use super::timeline::{Edit, LinkSettings};

/// Everything a shared link restores.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub lesson: String,
    /// Overrides a script's own seed line when set.
    pub seed: Option<u64>,
    /// The sandbox's script text.
    pub script: Option<String>,
    pub pos: usize,
    pub edits: Vec<Edit>,
}

/// Limits that keep a hostile link from making the page do unbounded work.
const MAX_EDITS: usize = 200;
const MAX_SCRIPT: usize = 64 * 1024;

pub fn encode(s: &Shared) -> String {
    let mut out = format!("lesson={}", s.lesson);
    if let Some(seed) = s.seed {
        out.push_str(&format!("&seed={seed}"));
    }
    out.push_str(&format!("&pos={}", s.pos));
    if let Some(text) = &s.script {
        out.push_str("&script=");
        out.push_str(&String::from(js_sys::encode_uri_component(text)));
    }
    if !s.edits.is_empty() {
        let edits: Vec<String> = s
            .edits
            .iter()
            .map(|e| match e {
                Edit::Drop { at, packet } => format!("{at}:drop:{packet}"),
                Edit::Cut { at, link, cut } => format!("{at}:{}:{link}", if *cut { "cut" } else { "repair" }),
                Edit::Link { at, link, settings: l } => {
                    format!("{at}:link:{link}:{}:{}:{}:{}", l.loss, l.duplicate, l.reorder, l.latency_us)
                }
            })
            .collect();
        out.push_str("&edits=");
        out.push_str(&edits.join(";"));
    }
    out
}

/// Reads a fragment (with or without the leading `#`). `Ok(None)` for an empty one.
pub fn decode(fragment: &str) -> Result<Option<Shared>, String> {
    let f = fragment.trim_start_matches('#').trim();
    if f.is_empty() {
        return Ok(None);
    }
    let mut lesson = None;
    let mut seed = None;
    let mut script = None;
    let mut pos = 0usize;
    let mut edits = Vec::new();
    for part in f.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(|| format!("“{part}” is not key=value"))?;
        match key {
            "lesson" => {
                if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    return Err(format!("“{value}” is not a lesson name"));
                }
                lesson = Some(value.to_string());
            }
            "seed" => seed = Some(value.parse().map_err(|_| format!("seed “{value}” is not a number"))?),
            "script" => {
                let text =
                    js_sys::decode_uri_component(value).map_err(|_| "the script in the link is garbled".to_string())?;
                let text = String::from(text);
                if text.len() > MAX_SCRIPT {
                    return Err(format!("the script in the link is longer than {MAX_SCRIPT} bytes"));
                }
                script = Some(text);
            }
            "pos" => pos = value.parse().map_err(|_| format!("position “{value}” is not a number"))?,
            "edits" => {
                for e in value.split(';').filter(|e| !e.is_empty()) {
                    if edits.len() >= MAX_EDITS {
                        return Err(format!("more than {MAX_EDITS} changes"));
                    }
                    edits.push(decode_edit(e)?);
                }
            }
            _ => return Err(format!("unknown key “{key}”")),
        }
    }
    let lesson = lesson.ok_or("no lesson named")?;
    Ok(Some(Shared { lesson, seed, script, pos, edits }))
}

fn decode_edit(e: &str) -> Result<Edit, String> {
    let bad = || format!("change “{e}” is not understood");
    let parts: Vec<&str> = e.split(':').collect();
    let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
    let prob = |s: &str| match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(bad()),
    };
    match parts.as_slice() {
        [at, "drop", packet] => Ok(Edit::Drop { at: num(at)? as usize, packet: num(packet)? }),
        [at, kind @ ("cut" | "repair"), link] => Ok(Edit::Cut {
            at: num(at)? as usize,
            link: u32::try_from(num(link)?).map_err(|_| bad())?,
            cut: *kind == "cut",
        }),
        [at, "link", link, loss, dup, reorder, latency] => {
            let link = u32::try_from(num(link)?).map_err(|_| bad())?;
            let latency_us = num(latency)?;
            if latency_us > 10_000_000 {
                return Err(bad());
            }
            Ok(Edit::Link {
                at: num(at)? as usize,
                link,
                settings: LinkSettings {
                    loss: prob(loss)?,
                    duplicate: prob(dup)?,
                    reorder: prob(reorder)?,
                    latency_us,
                },
            })
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn state_round_trips_through_the_fragment() {
        let s = Shared {
            lesson: "sandbox".into(),
            seed: Some(7),
            script: Some("host a 10.0.0.1 # 50% & more\nhost b 10.0.0.2=\n".into()),
            pos: 12,
            edits: vec![
                Edit::Link {
                    at: 3,
                    link: 0,
                    settings: LinkSettings { loss: 0.25, duplicate: 0.0, reorder: 0.1, latency_us: 20_000 },
                },
                Edit::Drop { at: 5, packet: 4 },
                Edit::Cut { at: 6, link: 0, cut: true },
                Edit::Cut { at: 9, link: 0, cut: false },
            ],
        };
        let text = encode(&s);
        assert_eq!(decode(&format!("#{text}")), Ok(Some(s)));
        assert_eq!(decode(""), Ok(None));
        assert_eq!(decode("#"), Ok(None));
    }

    #[wasm_bindgen_test]
    fn malformed_fragments_are_explained_not_panicked_on() {
        for bad in [
            "#garbage",
            "#lesson=handshake&pos=x",
            "#lesson=<script>",
            "#lesson=a&edits=1:drop",
            "#lesson=a&edits=1:link:0:2:0:0:1",
            "#lesson=a&edits=1:link:99999999999:0:0:0:1",
            "#seed=1",
            "#lesson=a&colour=blue",
        ] {
            let r = decode(bad);
            assert!(matches!(&r, Err(m) if !m.is_empty()), "{bad} gave {r:?}");
        }
    }
}
