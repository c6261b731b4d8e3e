//! The network picture: hosts as boxes, links as lines labelled with their latency.
//!
//! [`layout`] turns the core's read-only data into plain geometry (testable without a
//! browser); [`Topology`] draws that geometry as SVG and nothing more.

use yew::prelude::*;

use super::i18n::{tr, Lang, Text};
use crate::net::{HostId, LinkId, World};

/// Geometry of the drawing, in SVG user units.
const MARGIN: f64 = 16.0;
const BOX_W: f64 = 150.0;
const GAP: f64 = 112.0;
const NAME_H: f64 = 46.0;
const ADDR_H: f64 = 24.0;
const PAD_BOTTOM: f64 = 14.0;
const TOP: f64 = 16.0;

/// One host, placed.
#[derive(Clone, Debug, PartialEq)]
pub struct HostBox {
    pub id: HostId,
    pub name: String,
    pub addrs: Vec<String>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// One link, placed: a horizontal line between two boxes.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkLine {
    pub id: LinkId,
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
    pub latency: String,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub hosts: Vec<HostBox>,
    pub links: Vec<LinkLine>,
}

/// Places the world's hosts in a row, in id order, and joins linked ones.
pub fn layout(world: &World) -> Layout {
    let most_addrs = world.hosts().map(|(_, h)| h.addrs.len()).max().unwrap_or(0).max(1);
    let box_h = NAME_H + ADDR_H * most_addrs as f64 + PAD_BOTTOM;
    let hosts: Vec<HostBox> = world
        .hosts()
        .enumerate()
        .map(|(i, (id, host))| HostBox {
            id,
            name: host.name.clone(),
            addrs: host.addrs.iter().map(|a| a.to_string()).collect(),
            x: MARGIN + i as f64 * (BOX_W + GAP),
            y: TOP,
            w: BOX_W,
            h: box_h,
        })
        .collect();
    let links = world
        .links()
        .filter_map(|(id, link)| {
            let a = hosts.iter().find(|h| h.id == link.a)?;
            let b = hosts.iter().find(|h| h.id == link.b)?;
            let (left, right) = if a.x <= b.x { (a, b) } else { (b, a) };
            Some(LinkLine {
                id,
                x1: left.x + left.w,
                x2: right.x,
                y: TOP + box_h / 2.0,
                latency: format_latency(link.dirs[0].config.latency_us),
            })
        })
        .collect();
    let n = hosts.len().max(1) as f64;
    Layout { width: 2.0 * MARGIN + n * BOX_W + (n - 1.0) * GAP, height: TOP + box_h + MARGIN, hosts, links }
}

/// A latency as people say it: `250 µs`, `10 ms`, `1.5 ms`, `2 s`.
pub fn format_latency(us: u64) -> String {
    fn trim(v: f64) -> String {
        let s = format!("{v:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    }
    if us < 1_000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{} ms", trim(us as f64 / 1_000.0))
    } else {
        format!("{} s", trim(us as f64 / 1_000_000.0))
    }
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub layout: Layout,
    pub lang: Lang,
}

/// Draws a [`Layout`].
#[function_component]
pub fn Topology(props: &TopologyProps) -> Html {
    let Layout { width, height, hosts, links } = &props.layout;
    let one_way = tr(props.lang, Text::OneWay);
    html! {
        <svg class="topology" viewBox={format!("0 0 {width} {height}")} role="img"
             aria-label={tr(props.lang, Text::TopologyLabel)}>
            { for links.iter().map(|l| link_line(l, one_way)) }
            { for hosts.iter().map(host_box) }
        </svg>
    }
}

fn link_line(l: &LinkLine, one_way: &str) -> Html {
    let mid = (l.x1 + l.x2) / 2.0;
    html! {
        <g class="link" data-link={l.id.0.to_string()}>
            <line x1={l.x1.to_string()} y1={l.y.to_string()} x2={l.x2.to_string()} y2={l.y.to_string()} />
            <circle class="port" cx={l.x1.to_string()} cy={l.y.to_string()} r="4" />
            <circle class="port" cx={l.x2.to_string()} cy={l.y.to_string()} r="4" />
            <text class="latency" x={mid.to_string()} y={(l.y - 12.0).to_string()} text-anchor="middle">
                { &l.latency }
            </text>
            <text class="latency-note" x={mid.to_string()} y={(l.y + 24.0).to_string()} text-anchor="middle">
                { one_way }
            </text>
        </g>
    }
}

fn host_box(h: &HostBox) -> Html {
    let cx = h.x + h.w / 2.0;
    html! {
        <g class="host" data-host={h.name.clone()}>
            <rect x={h.x.to_string()} y={h.y.to_string()} width={h.w.to_string()} height={h.h.to_string()} rx="10" />
            <text class="host-name" x={cx.to_string()} y={(h.y + 31.0).to_string()} text-anchor="middle">
                { &h.name }
            </text>
            <line class="host-rule" x1={(h.x + 16.0).to_string()} x2={(h.x + h.w - 16.0).to_string()}
                  y1={(h.y + NAME_H).to_string()} y2={(h.y + NAME_H).to_string()} />
            { for h.addrs.iter().enumerate().map(|(i, a)| html! {
                <text class="host-addr" x={cx.to_string()} y={(h.y + NAME_H + 20.0 + ADDR_H * i as f64).to_string()}
                      text-anchor="middle">{ a }</text>
            }) }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::LinkConfig;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn latencies_read_naturally() {
        assert_eq!(format_latency(250), "250 µs");
        assert_eq!(format_latency(10_000), "10 ms");
        assert_eq!(format_latency(1_500), "1.5 ms");
        assert_eq!(format_latency(2_000_000), "2 s");
    }

    #[wasm_bindgen_test]
    fn two_linked_hosts_sit_side_by_side() {
        let mut world = World::new(1);
        let a = world.add_host("a", &["10.0.0.2".parse().unwrap()]).unwrap();
        let b = world.add_host("b", &["10.0.0.1".parse().unwrap()]).unwrap();
        world.add_link(a, b, LinkConfig::default()).unwrap();
        let l = layout(&world);
        assert_eq!(l.hosts.len(), 2);
        assert_eq!(l.hosts[0].addrs, vec!["10.0.0.2".to_string()]);
        assert!(l.hosts[0].x + l.hosts[0].w < l.hosts[1].x);
        assert!(l.hosts[1].x + l.hosts[1].w <= l.width);
        assert_eq!(l.links.len(), 1);
        assert_eq!((l.links[0].x1, l.links[0].x2), (l.hosts[0].x + l.hosts[0].w, l.hosts[1].x));
        assert_eq!(l.links[0].latency, "10 ms");
    }
}
