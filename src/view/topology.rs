//! Where things go in the network picture: hosts as boxes listing their sockets,
//! ports on the box edge, links with their settings, and the packets on their way.
//!
//! [`layout`] and [`packet_marks`] turn the core's read-only data into plain
//! geometry; the page (`ui::topology`) draws it as SVG.

use crate::lang::Lang;
use crate::net::{HostId, LinkId, SocketView, World};
use crate::view::packets::{Fate, Numbering, PacketInfo};
use crate::view::words::{analysis_width, tr, Text};

/// Geometry of the drawing, in SVG user units.
pub const MARGIN: f64 = 12.0;
pub const BOX_W: f64 = 250.0;
pub const GAP: f64 = 290.0;
pub const NAME_H: f64 = 52.0;
pub const SOCK_H: f64 = 40.0;
/// Extra height of a socket row with a blocked call.
pub const WAIT_H: f64 = 14.0;
pub const PAD_BOTTOM: f64 = 12.0;
pub const TOP: f64 = 64.0;
pub const LANE: f64 = 26.0;
/// A phone's column: hosts stacked, links running down between them.
pub const COLUMN_W: f64 = 300.0;
pub const COLUMN_BOX_W: f64 = 276.0;
pub const COLUMN_GAP: f64 = 190.0;

/// One host, placed, with its sockets.
#[derive(Clone, Debug, PartialEq)]
pub struct HostBox {
    pub id: HostId,
    pub name: String,
    pub addrs: Vec<String>,
    pub sockets: Vec<SocketView>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Which edge faces its link: ports are drawn there.
    pub port_right: bool,
    /// Port numbers written inside the box (a column has no room beside it).
    pub ports_inside: bool,
}

/// One link, placed: a line between two boxes, from the first (left or upper) one
/// at (x1, y1) to the other at (x2, y2).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkLine {
    pub id: LinkId,
    pub a: HostId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub latency: String,
    /// Loss, duplication, reordering, when any is set.
    /// Cut, loss, duplication, reordering, when any is set: one line each
    /// in a column, one line together side by side ([`LinkLine::fault_lines`]).
    pub faults: Vec<String>,
    pub cut: bool,
    /// True when the link's first host is the first (left or upper) end.
    pub a_first: bool,
    /// Side by side, the height the link's words and packets may use, from
    /// `band_top` (the words' top) to `band_bottom`: the whole drawing for
    /// two hosts, the link's own slice of it in a star.
    pub band_top: f64,
    pub band_bottom: f64,
    /// In a column, how far below the first link's words this link's go:
    /// links side by side there wrote their words over one another.
    pub words_below: f64,
    /// Side by side: how far from each end (first box, second box) packets
    /// above the line, and below it, keep clear of the port numbers written
    /// beside the boxes there. A host's other sockets have their ports down
    /// the same edge, and a packet arriving at the server was drawn over its
    /// accepted socket's ":80".
    pub ports_above: (f64, f64),
    pub ports_below: (f64, f64),
}

/// A link's words: its latency, and its faults on the line below. Side by side
/// they sit above the gap between the boxes, from the drawing's top; in a
/// column beside the line, from its upper end. These are the first line's
/// baseline from there and the step to the next line.
pub const WORDS_BASELINE: f64 = 22.0;
pub const WORDS_STEP: f64 = 20.0;
/// How far the words reach below their baseline (descenders).
const WORDS_DESCENT: f64 = 5.0;

impl LinkLine {
    /// Where the link's first line of words starts, and how it is anchored.
    pub fn words_at(&self, column: bool) -> (f64, f64, &'static str) {
        if column {
            // Right of the middle they would run off the column: left of the line.
            let y = self.y1 + self.words_below + WORDS_BASELINE;
            if self.x1 > COLUMN_W / 2.0 {
                (self.x1 - 10.0, y, "end")
            } else {
                (self.x1 + 10.0, y, "start")
            }
        } else {
            ((self.x1 + self.x2) / 2.0, self.band_top + WORDS_BASELINE, "middle")
        }
    }

    /// In a column, how far down the line packets' middles go: below the
    /// link's words, which sit beside the line's top (a pill there lay under
    /// "10 ms one way"), and clear of the lower box; never less than a pill's
    /// room when the words take most of a short line.
    pub fn column_travel(&self) -> (f64, f64) {
        let hi = self.y2 - 14.0;
        // Room for a pill's upper half and the Wireshark word above it.
        let below_words = self.words_bottom(true) + 12.0 + Stack::NOTE_H;
        let lo = below_words.min(hi - 24.0).max(self.y1 + 14.0);
        (lo, hi)
    }

    /// The lines of faults under the latency: side by side one, its faults
    /// joined; in a column one each, as the column is narrow ("duplicate 20%
    /// → server · reorder 30% → server" was cut at "→ se" on a phone).
    pub fn fault_lines(&self, column: bool) -> Vec<String> {
        match (column, self.faults.is_empty()) {
            (_, true) => Vec::new(),
            (true, false) => self.faults.clone(),
            (false, false) => vec![self.faults.join(" · ")],
        }
    }

    /// The lowest point of the link's words.
    pub fn words_bottom(&self, column: bool) -> f64 {
        let lines = self.fault_lines(column).len() as f64 * WORDS_STEP;
        self.words_at(column).1 + lines + WORDS_DESCENT
    }
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub hosts: Vec<HostBox>,
    pub links: Vec<LinkLine>,
    /// Hosts stacked in a column (a narrow screen), not side by side.
    pub column: bool,
}

/// Places the world's hosts in a row (a `column` on narrow screens), in id order,
/// and joins linked ones; link faults are named in `lang`.
pub fn layout(world: &World, lang: Lang, column: bool) -> Layout {
    let sockets: Vec<Vec<SocketView>> = world.hosts().map(|(id, _)| world.sockets_on(id)).collect();
    // Each socket's row has room for a blocked call whether or not one is blocked
    // now: a box (and the page under it) that grew and shrank as calls blocked and
    // returned made the browser lay out and repaint everything below on each step.
    let rows_h = |v: &Vec<SocketView>| v.len() as f64 * (SOCK_H + WAIT_H);
    let most = sockets.iter().map(rows_h).fold(SOCK_H, f64::max);
    let box_h = NAME_H + most + PAD_BOTTOM;
    let n = world.hosts().len();
    let hub = star_hub(world);
    // Stacked, a star's hub goes second, under its first leaf: its links to
    // the leaves above and below it run straight between neighbours, where in
    // id order every link but the first ran down behind the boxes between.
    let column_order: Vec<usize> = {
        let mut order: Vec<usize> = (0..n).collect();
        if let Some(hub) = hub.filter(|_| column) {
            let at = hub.0 as usize;
            order.remove(at);
            order.insert(1.min(order.len()), at);
        }
        order
    };
    let hub = if column { None } else { hub };
    // A star's leaves, each as tall as the tallest of them, one under another
    // right of the hub, which is as tall as their column.
    let leaf_h = |sockets: &Vec<SocketView>| NAME_H + rows_h(sockets).max(SOCK_H) + PAD_BOTTOM;
    let leaves_h = sockets
        .iter()
        .enumerate()
        .filter(|&(i, _)| hub.is_some_and(|hub| hub.0 as usize != i))
        .map(|(_, v)| leaf_h(v))
        .fold(0.0, f64::max);
    let leaves = n.saturating_sub(1) as f64;
    let star_h = (leaves * leaves_h + (leaves - 1.0).max(0.0) * TOP).max(box_h);
    // Side by side the boxes share one height; stacked, each is as tall as it needs.
    let mut below = MARGIN;
    let mut leaf = 0.0;
    let hosts: Vec<HostBox> = world
        .hosts()
        .zip(sockets)
        .enumerate()
        .map(|(i, ((id, host), sockets))| {
            let (x, y, h, port_right) = if column {
                // Placed in `column_order`, below: here, only the height.
                (MARGIN, 0.0, leaf_h(&sockets), true)
            } else if let Some(hub) = hub {
                if hub == id {
                    (MARGIN, TOP, star_h.max(leaf_h(&sockets)), true)
                } else {
                    // Each leaf's gap above it holds its link's words and packets.
                    leaf += 1.0;
                    (MARGIN + BOX_W + GAP, TOP + (leaf - 1.0) * (leaves_h + TOP), leaves_h, false)
                }
            } else {
                (MARGIN + i as f64 * (BOX_W + GAP), TOP, box_h, i + 1 < n || n == 1)
            };
            HostBox {
                id,
                name: host.name.clone(),
                addrs: host.addrs.iter().map(|a| a.to_string()).collect(),
                sockets,
                x,
                y,
                w: if column { COLUMN_BOX_W } else { BOX_W },
                h,
                port_right,
                ports_inside: column,
            }
        })
        .collect();
    let mut hosts = hosts;
    if column {
        for &i in &column_order {
            hosts[i].y = below;
            below += hosts[i].h + COLUMN_GAP;
        }
    }
    let height = if column {
        below - COLUMN_GAP + MARGIN
    } else {
        hosts.iter().map(|h| h.y + h.h).fold(TOP + box_h, f64::max) + MARGIN
    };
    // Boxes by host id: a scan per link end was 80,000 comparisons a step at 200 hosts.
    let box_of: rustc_hash::FxHashMap<HostId, &HostBox> = hosts.iter().map(|h| (h.id, h)).collect();
    let (tracks, words_rank) = if column { column_tracks(world, &box_of) } else { Default::default() };
    let links = world
        .links()
        .enumerate()
        .filter_map(|(k, (id, link))| {
            let a = *box_of.get(&link.a)?;
            let b = *box_of.get(&link.b)?;
            let a_first = (a.x, a.y) <= (b.x, b.y);
            let (first, second) = if a_first { (a, b) } else { (b, a) };
            // In a column, links whose spans overlap run side by side: the
            // first down the middle, the next right of it, then left, …
            let track = tracks.get(k).copied().unwrap_or(0);
            let side = if track % 2 == 1 { 1.0 } else { -1.0 };
            let x = COLUMN_W / 2.0 + side * track.div_ceil(2) as f64 * 70.0;
            let ((x1, y1), (x2, y2)) = if column {
                ((x, first.y + first.h), (x, second.y))
            } else {
                // Level with the far box's first socket (both boxes' in a row).
                let y = second.y + NAME_H + 14.0;
                ((first.x + first.w, y), (second.x, y))
            };
            // Side by side: in a star, from the previous leaf's bottom to this
            // one's; else the whole drawing.
            let (band_top, band_bottom) = match hub {
                Some(_) if second.y + second.h + MARGIN < height => (second.y - TOP, second.y + second.h),
                Some(_) => (second.y - TOP, height - 2.0),
                None => (0.0, height - 2.0),
            };
            let c = &link.dirs[0].config;
            let mut faults = Vec::new();
            if link.dirs.iter().any(|d| d.partitioned) {
                faults.push(tr(lang, Text::LinkCut).to_string());
            }
            // A one-way fault says which way: towards the host's name side by
            // side; in a column as the packets' pills do, ↑ or ↓.
            faults.extend(faults_by_direction(link, lang).into_iter().map(|(text, towards)| match towards {
                None => text,
                Some(h) if column => format!("{text} {}", if h == first.id { "↑" } else { "↓" }),
                Some(h) => format!("{text} → {}", world.host_name(h)),
            }));
            Some(LinkLine {
                id,
                a: link.a,
                x1,
                y1,
                x2,
                y2,
                latency: format_latency(c.latency_us),
                faults,
                cut: link.dirs.iter().any(|d| d.partitioned),
                a_first,
                band_top,
                band_bottom,
                words_below: words_rank.get(k).map_or(0.0, |&r| r as f64 * (2.0 * WORDS_STEP + 6.0)),
                ports_above: (
                    port_room(first, first.port_right, band_top, y1 - 12.0),
                    port_room(second, !second.port_right, band_top, y1 - 12.0),
                ),
                ports_below: (
                    port_room(first, first.port_right, y1 + 12.0, band_bottom),
                    port_room(second, !second.port_right, y1 + 12.0, band_bottom),
                ),
            })
        })
        .collect();
    let columns = if hub.is_some() { 2.0 } else { n.max(1) as f64 };
    let width = if column { COLUMN_W } else { 2.0 * MARGIN + columns * BOX_W + (columns - 1.0) * GAP };
    Layout { width, height, hosts, links, column }
}

/// A link's loss, duplication and reordering in `lang` ("loss 30%"), each
/// with the host it goes towards when only one direction has it (and the
/// delays, when they differ): a lesson's one-way fault (`link client > server
/// reorder 5%`) read as the link's both ways.
fn faults_by_direction(link: &crate::net::link::Link, lang: Lang) -> Vec<(String, Option<HostId>)> {
    let (there, back) = (&link.dirs[0].config, &link.dirs[1].config);
    let fields = [
        (Text::Loss, there.loss, back.loss),
        (Text::Duplicate, there.duplicate, back.duplicate),
        (Text::Reorder, there.reorder, back.reorder),
    ];
    let mut out = Vec::new();
    for (name, there, back) in fields {
        // ASCII case only: Korean has none, and the Unicode case tables
        // cost the page about 15 KB of gzipped wasm.
        let name = tr(lang, name).to_ascii_lowercase();
        if there == back {
            if there > 0.0 {
                out.push((format!("{name} {}%", pct(there)), None));
            }
            continue;
        }
        for (p, towards) in [(there, link.b), (back, link.a)] {
            if p > 0.0 {
                out.push((format!("{name} {}%", pct(p)), Some(towards)));
            }
        }
    }
    if there.latency_us != back.latency_us {
        for (us, towards) in [(there.latency_us, link.b), (back.latency_us, link.a)] {
            out.push((format!("{} {}", tr(lang, Text::Delay).to_ascii_lowercase(), format_latency(us)), Some(towards)));
        }
    }
    out
}

/// For the link's controls, when the lesson set a direction apart: what
/// only one way has, which direction the controls show, and that a control
/// moved sets both ways. `None` when both directions are alike.
pub fn one_way_note(world: &World, link: &crate::net::link::Link, lang: Lang) -> Option<String> {
    let one_way: Vec<String> = faults_by_direction(link, lang)
        .into_iter()
        .filter_map(|(text, towards)| Some(format!("{text} → {}", world.host_name(towards?))))
        .collect();
    if one_way.is_empty() {
        return None;
    }
    let (a, b) = (world.host_name(link.a), world.host_name(link.b));
    let list = one_way.join(", ");
    Some(match lang {
        Lang::En => format!("One way only, as the lesson set it: {list}. The controls show {a} → {b}; a control you move sets both ways."),
        Lang::Ko => format!("레슨이 한 방향에만 둔 설정: {list}. 조절기는 {a} → {b} 방향 값을 보여 주고, 움직인 조절기는 두 방향 모두에 적용됩니다."),
    })
}

/// A column's links, each given a track (0 down the middle) that no link
/// whose span overlaps its own has, and a rank among the links leaving the
/// same box, whose words stack in that order.
fn column_tracks(world: &World, box_of: &rustc_hash::FxHashMap<HostId, &HostBox>) -> (Vec<usize>, Vec<usize>) {
    let spans: Vec<(f64, f64)> = world
        .links()
        .map(|(_, link)| match (box_of.get(&link.a), box_of.get(&link.b)) {
            (Some(a), Some(b)) => {
                let (first, second) = if a.y <= b.y { (a, b) } else { (b, a) };
                (first.y + first.h, second.y)
            }
            _ => (0.0, 0.0),
        })
        .collect();
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&i, &j| spans[i].0.total_cmp(&spans[j].0).then(i.cmp(&j)));
    let (mut tracks, mut ranks) = (vec![0; spans.len()], vec![0; spans.len()]);
    for (done, &k) in order.iter().enumerate() {
        let before = &order[..done];
        let overlaps = |j: &&usize| spans[**j].0 < spans[k].1 && spans[k].0 < spans[**j].1;
        let taken: Vec<usize> = before.iter().filter(overlaps).map(|&j| tracks[j]).collect();
        tracks[k] = (0..).find(|t| !taken.contains(t)).unwrap_or(0);
        ranks[k] = before.iter().filter(|&&j| spans[j].0 == spans[k].0).count();
    }
    (tracks, ranks)
}

/// How far out from `h`'s edge its port numbers between heights `top` and
/// `bottom` reach, if its ports are drawn beside the edge that `faces` the
/// link (as `ui::topology` draws them: 8 past the edge, 11 px bold monospace,
/// from 14 to 25 below the row's top).
fn port_room(h: &HostBox, faces: bool, top: f64, bottom: f64) -> f64 {
    if !faces || h.ports_inside {
        return 0.0;
    }
    let mut row_top = h.y + NAME_H;
    let mut room: f64 = 0.0;
    for s in &h.sockets {
        let (text_top, text_bottom) = (row_top + 14.0, row_top + 25.0);
        if let Some(local) = s.local {
            if text_bottom > top && text_top < bottom {
                let chars = format!(":{}", local.port()).chars().count() as f64;
                room = room.max(8.0 + chars * PORT_CHAR_W + 4.0);
            }
        }
        row_top += row_h(s);
    }
    room
}

/// The width of one character of a port number as drawn.
const PORT_CHAR_W: f64 = 6.7;

/// The hub of a star: with three hosts or more, the one host every link
/// joins, each other host linked to it alone (a server and its clients).
/// Drawn in a row, a star's links ran behind the boxes between, and a
/// client's packets travelled past the others.
fn star_hub(world: &World) -> Option<HostId> {
    let n = world.hosts().len();
    if n < 3 || world.links().len() != n - 1 {
        return None;
    }
    let (_, first) = world.links().next()?;
    [first.a, first.b].into_iter().find(|&hub| {
        let mut leaves: Vec<HostId> = world
            .links()
            .filter_map(|(_, l)| match (l.a == hub, l.b == hub) {
                (true, false) => Some(l.b),
                (false, true) => Some(l.a),
                _ => None,
            })
            .collect();
        leaves.sort_unstable();
        leaves.dedup();
        leaves.len() == n - 1
    })
}

/// The height of one socket's row.
pub fn row_h(v: &SocketView) -> f64 {
    if v.blocked.is_empty() {
        SOCK_H
    } else {
        SOCK_H + WAIT_H
    }
}

fn pct(p: f64) -> String {
    let v = (p * 100.0 * 10.0).round() / 10.0;
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
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

/// Where a packet is drawn: centre x, y, and whether it is gone (lost/arrived).
#[derive(Clone, Debug, PartialEq)]
pub struct PacketMark {
    pub id: u64,
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub note: Option<String>,
    /// Which way it goes, drawn before the label in a column (`↓`, `↑`), else empty.
    pub way: &'static str,
    /// One of a burst packed closer than its word needs (see `fit_rows`):
    /// the word is left out of the drawing, not out of its name.
    pub packed: bool,
    /// On the outermost packet of a packed burst: how many packets it holds.
    pub deck: Option<Deck>,
}

/// The count a packed burst shows beside its outermost packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deck {
    pub count: usize,
    /// Written before the packet, not after it: after it, it would run into
    /// the host box at the line's end.
    pub before: bool,
}

impl Deck {
    /// The gap between a packet and its count.
    pub const GAP: f64 = 6.0;

    /// The count's width at the packet font, as drawn (`×N`).
    pub fn width(&self) -> f64 {
        label_width(&format!("×{}", self.count)) - 18.0
    }
}

/// Places the packets worth drawing after the first `end` trace events at time
/// `now`: those in flight, and those that arrived or were lost in the current tick
/// (`first..end`), at the receiver's edge or where they fell; labelled in `lang`.
pub fn packet_marks(
    l: &Layout,
    packets: &[PacketInfo],
    first: usize,
    end: usize,
    now: u64,
    lang: Lang,
    numbering: Numbering,
) -> Vec<PacketMark> {
    let mut stacks: rustc_hash::FxHashMap<(u32, bool), Stack> = Default::default();
    let mut rows: rustc_hash::FxHashMap<(u32, bool), Rows> = Default::default();
    // Marks beside a link's line (side by side): which, their side of which
    // link, and their row there.
    let mut beside_line: Vec<(usize, (u32, bool), usize)> = Vec::new();
    // Marks on a link's line (a phone's column): which, and the link.
    let mut along_line: Vec<(usize, u32)> = Vec::new();
    // Links by id: a scan per packet was 120,000 comparisons a step with 600
    // packets on 200 links.
    let line_of: rustc_hash::FxHashMap<LinkId, &LinkLine> = l.links.iter().map(|x| (x.id, x)).collect();
    let mut out = Vec::new();
    // `packets` is in trace order, so those sent by `end` are a prefix.
    let sent = packets.partition_point(|p| p.index < end);
    for p in &packets[..sent] {
        let fate = p.fate_at(end);
        let fresh = p.fate_index.is_some_and(|f| f >= first && f < end);
        if !(fate == Fate::InFlight || fresh) {
            continue;
        }
        let crate::net::trace::Path::Link { link, .. } = p.path else { continue };
        let Some(&line) = line_of.get(&link) else { continue };
        let from_a = p.from == line.a;
        let rightwards = from_a == line.a_first;
        let frac = match fate {
            Fate::InFlight => {
                let span = p.arrival.saturating_sub(p.sent).max(1) as f64;
                (now.saturating_sub(p.sent) as f64 / span).clamp(0.0, 1.0)
            }
            Fate::Delivered | Fate::Discarded => 1.0,
            Fate::Lost(_) => {
                let span = p.arrival.saturating_sub(p.sent).max(1) as f64;
                (now.saturating_sub(p.sent) as f64 / span).clamp(0.5, 0.8)
            }
        };
        let label = p.label(lang, numbering);
        let w = label_width(&label);
        let t = if rightwards { frac } else { 1.0 - frac };
        let mut note = p.analysis.clone();
        if p.reordered {
            note = Some(note.map_or("late".into(), |n| format!("{n} · late")));
        }
        let (x, y) = if l.column {
            // Down the link, clear of both boxes; packets sent together step apart.
            let (lo, hi) = line.column_travel();
            let stack = stacks.entry((link.0, rightwards)).or_default();
            let shift = stack.next(22.0, note.is_some(), rightwards) * if rightwards { -1.0 } else { 1.0 };
            along_line.push((out.len(), link.0));
            (line.x1, (lo + t * (hi - lo) + shift).clamp(lo, hi))
        } else {
            // The pill and its word: the word may be the wider.
            let half = w.max(note.as_deref().map_or(0.0, analysis_width)) / 2.0 + 3.0;
            // Rightwards above the line, leftwards below it (`fit_rows`); where
            // port numbers are written on that side, the pill and its word
            // keep clear of them.
            let (clear1, clear2) = if rightwards { line.ports_above } else { line.ports_below };
            let (mut lo, mut hi) = (line.x1 + w / 2.0 + 4.0, line.x2 - w / 2.0 - 4.0);
            if clear1 > 0.0 {
                lo = lo.max(line.x1 + clear1 + half + 1.0);
            }
            if clear2 > 0.0 {
                hi = hi.min(line.x2 - clear2 - half - 1.0);
            }
            let x = if lo < hi { lo + t * (hi - lo) } else { (line.x1 + clear1 + line.x2 - clear2) / 2.0 };
            // The row is set once every packet on this side is known (fit_rows).
            let row =
                rows.entry((link.0, rightwards)).or_default().place(out.len(), x - half, x + half, note.is_some());
            beside_line.push((out.len(), (link.0, rightwards), row));
            (x, line.y1)
        };
        let state = match fate {
            Fate::InFlight => "flying",
            Fate::Delivered => "arrived",
            Fate::Discarded => "discarded",
            Fate::Lost(_) => "lost",
        };
        let way = match (l.column, rightwards) {
            (false, _) => "",
            (true, true) => "↓ ",
            (true, false) => "↑ ",
        };
        out.push(PacketMark { id: p.id, x, y, label, kind: p.kind(), state, note, way, packed: false, deck: None });
    }
    fit_rows(&line_of, &rows, &beside_line, &mut out);
    spread_along_lines(&line_of, &along_line, &mut out);
    out
}

/// In a phone's column both directions share the line, and packets at its
/// ends are held inside it: packets sent together piled up there, one on
/// another. Each link's packets are pushed apart along the line, in order, far
/// enough for their words; if they do not fit between the boxes they become a
/// deck there, without words, its count beside the packet at the far end.
fn spread_along_lines(
    line_of: &rustc_hash::FxHashMap<LinkId, &LinkLine>,
    along_line: &[(usize, u32)],
    out: &mut [PacketMark],
) {
    /// A pill's height and the air between two.
    const PILL: f64 = 24.0;
    let mut by_link: rustc_hash::FxHashMap<u32, Vec<usize>> = Default::default();
    for &(k, link) in along_line {
        by_link.entry(link).or_default().push(k);
    }
    for (link, mut marks) in by_link {
        let Some(line) = line_of.get(&LinkId(link)) else { continue };
        let (lo, hi) = line.column_travel();
        marks.sort_by(|&a, &b| out[a].y.total_cmp(&out[b].y).then(a.cmp(&b)));
        // The room mark `i` needs above it: a pill, and its word if it has one.
        let gap = |m: &PacketMark| PILL + if m.note.is_some() { Stack::NOTE_H } else { 0.0 };
        for i in 1..marks.len() {
            let floor = out[marks[i - 1]].y + gap(&out[marks[i]]);
            out[marks[i]].y = out[marks[i]].y.max(floor);
        }
        let Some(&last) = marks.last() else { continue };
        out[last].y = out[last].y.min(hi);
        for i in (0..marks.len() - 1).rev() {
            let ceiling = out[marks[i + 1]].y - gap(&out[marks[i + 1]]);
            out[marks[i]].y = out[marks[i]].y.min(ceiling);
        }
        if out[marks[0]].y < lo {
            // A deck: as close as it takes, down to a top edge each, and what
            // still does not fit piles at the far end, under its count.
            let step = ((hi - lo) / (marks.len().max(2) - 1) as f64).clamp(DECK, PILL);
            for (i, &k) in marks.iter().enumerate() {
                out[k].y = (lo + i as f64 * step).min(hi);
                out[k].packed = true;
            }
            out[last].deck = Some(Deck { count: marks.len(), before: false });
        }
    }
}

/// The closest packets come in a deck: each one's edge still shows.
const DECK: f64 = 4.0;

/// Rows away from the line for the packets on one side of a link, in view:
/// one `LANE` apart, with room for the words if any packet there has one. If
/// that runs out of the drawing (a burst of labelled ACKs over a short box,
/// a window of segments), the rows close up to fit, down to a fanned deck, and
/// the words are left out, so no packet is drawn off the edge and no word lies
/// on another packet.
fn fit_rows(
    line_of: &rustc_hash::FxHashMap<LinkId, &LinkLine>,
    rows: &rustc_hash::FxHashMap<(u32, bool), Rows>,
    beside_line: &[(usize, (u32, bool), usize)],
    out: &mut [PacketMark],
) {
    for &(k, (link, upwards), row) in beside_line {
        let (Some(side), Some(line)) = (rows.get(&(link, upwards)), line_of.get(&LinkId(link))) else { continue };
        let word = if side.noted { Stack::NOTE_H } else { 0.0 };
        // Below the line the first row's words would sit on the port numbers.
        let base = if upwards { 0.0 } else { word };
        let last = side.rows.len().saturating_sub(1) as f64;
        // From the first row's middle to the last one's, within the drawing and,
        // above the line, below the link's words (latency, faults): a burst
        // of ACKs drawn over them hid the link's settings.
        let top = line.words_bottom(false) + 3.0;
        let room =
            if upwards { line.y1 - 24.0 - top - 10.0 - word } else { line.band_bottom - 10.0 - (line.y1 + 24.0) };
        let natural = base + last * (LANE + word);
        let shift = if natural <= room {
            base + row as f64 * (LANE + word)
        } else {
            out[k].packed = true;
            if side.last_row_opener == k {
                let mut deck = Deck { count: side.packets, before: false };
                // Near the right-hand box the count goes before the packet.
                let half = label_width(&out[k].label) / 2.0;
                deck.before = out[k].x + half + Deck::GAP + deck.width() > line.x2
                    && out[k].x - half - Deck::GAP - deck.width() >= line.x1;
                out[k].deck = Some(deck);
            }
            let plain_room = if upwards { room + word } else { room };
            let pitch = (plain_room / last.max(1.0)).clamp(DECK, LANE);
            (row as f64 * pitch).min(plain_room.max(0.0))
        };
        out[k].y = if upwards { line.y1 - 24.0 - shift } else { line.y1 + 24.0 + shift };
    }
}

/// Rows beside one direction of a link: a packet takes the first row where it
/// overlaps no packet already there, so packets spread along the link share a
/// row and only those side by side stack.
#[derive(Default)]
struct Rows {
    rows: Vec<Vec<(f64, f64)>>,
    /// Some packet here has a word above it.
    noted: bool,
    packets: usize,
    /// The mark that opened the outermost row: it carries a deck's count.
    last_row_opener: usize,
}

impl Rows {
    /// The row for packet mark `mark`, covering `from..to` along the line.
    fn place(&mut self, mark: usize, from: f64, to: f64, noted: bool) -> usize {
        self.noted |= noted;
        let free = |row: &Vec<(f64, f64)>| row.iter().all(|&(a, b)| to <= a || b <= from);
        let row = self.rows.iter().position(free).unwrap_or(self.rows.len());
        if row == self.rows.len() {
            self.rows.push(Vec::new());
            self.last_row_opener = mark;
        }
        self.rows[row].push((from, to));
        self.packets += 1;
        row
    }
}

/// Packets on one direction of a link in a phone's column, stepped apart
/// along the line as they were sent (`spread_along_lines` then settles them).
#[derive(Default)]
struct Stack {
    count: usize,
    offset: f64,
    last_noted: bool,
}

impl Stack {
    /// Height of the Wireshark word drawn above a packet (`PacketMark::note`).
    const NOTE_H: f64 = 12.0;

    /// How far from the first the next packet goes, `step` apart; a word above
    /// a packet takes room between it and the one above it: above the last one
    /// when the stack grows `upwards`, above this one when it grows down.
    fn next(&mut self, step: f64, noted: bool, upwards: bool) -> f64 {
        let word_between = if upwards { self.last_noted } else { noted };
        if self.count > 0 {
            self.offset += step + if word_between { Self::NOTE_H } else { 0.0 };
        } else if word_between {
            // Below the line, the first one's word would sit on the line and
            // the port numbers beside it.
            self.offset = Self::NOTE_H;
        }
        self.count += 1;
        self.last_noted = noted;
        self.offset
    }
}

/// Rough width of a label at the packet font (12 px monospace).
pub fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * 7.3 + 18.0
}

/// Packets on the wire above which they jump from step to step instead of gliding.
/// Every glide is a running transform transition, and Chromium composites each one:
/// with 600 packets in flight (200 hosts) that was over half of every frame, and
/// play fell to 40 frames a second; at such a crowd the glide shows nothing a jump
/// does not (e2e/perf.test.mjs plays that lesson).
pub const CROWD: usize = 150;

/// Whether so many packets are on the wire that they should not glide.
pub fn is_crowded(marks: &[PacketMark]) -> bool {
    marks.iter().filter(|m| m.state == "flying").count() > CROWD
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::edit::Edit;
    use crate::net::LinkConfig;

    #[test]
    fn packets_stop_gliding_only_when_the_wire_is_crowded() {
        let mark = |id, state| PacketMark {
            id,
            x: 0.0,
            y: 0.0,
            label: String::new(),
            kind: "udp",
            state,
            note: None,
            way: "",
            packed: false,
            deck: None,
        };
        let flying: Vec<PacketMark> = (0..CROWD as u64).map(|i| mark(i, "flying")).collect();
        assert!(!is_crowded(&flying), "exactly CROWD packets still glide");
        let mut more = flying.clone();
        more.push(mark(CROWD as u64, "arrived"));
        assert!(!is_crowded(&more), "packets that arrived do not count");
        more.push(mark(CROWD as u64 + 1, "flying"));
        assert!(is_crowded(&more));
    }

    #[test]
    fn latencies_read_naturally() {
        assert_eq!(format_latency(250), "250 µs");
        assert_eq!(format_latency(10_000), "10 ms");
        assert_eq!(format_latency(1_500), "1.5 ms");
        assert_eq!(format_latency(2_000_000), "2 s");
    }

    #[test]
    fn two_linked_hosts_sit_side_by_side() {
        let mut world = World::new(1);
        let a = world.add_host("a", &["10.0.0.2".parse().unwrap()]).unwrap();
        let b = world.add_host("b", &["10.0.0.1".parse().unwrap()]).unwrap();
        world.add_link(a, b, LinkConfig::default()).unwrap();
        let l = layout(&world, Lang::En, false);
        assert_eq!(l.hosts.len(), 2);
        assert_eq!(l.hosts[0].addrs, vec!["10.0.0.2".to_string()]);
        assert!(l.hosts[0].x + l.hosts[0].w < l.hosts[1].x);
        assert!(l.hosts[1].x + l.hosts[1].w <= l.width);
        assert_eq!(l.links.len(), 1);
        assert_eq!((l.links[0].x1, l.links[0].x2), (l.hosts[0].x + l.hosts[0].w, l.hosts[1].x));
        // On a phone: one above the other, the link running down between them,
        // and nothing wider than the column.
        let c = layout(&world, Lang::En, true);
        assert!(c.hosts[0].y + c.hosts[0].h < c.hosts[1].y);
        assert!(c.hosts.iter().all(|h| h.x + h.w <= c.width));
        assert_eq!((c.links[0].y1, c.links[0].y2), (c.hosts[0].y + c.hosts[0].h, c.hosts[1].y));
        assert_eq!(l.links[0].latency, "10 ms");
    }

    #[test]
    fn packets_leaving_together_keep_their_wireshark_words_clear_and_in_view() {
        // fast_retransmit's receiver answers nine segments with nine ACKs at
        // once, most of them labelled (Window Update, Dup ACK): stacked 26
        // apart, each word sat on the packet above it, and the fourth packet
        // went off the top of the drawing.
        let crate::view::played::Played { world, timeline: t, packets: p } =
            crate::view::played::by_id("fast_retransmit");
        let l = layout(&world, Lang::En, false);
        // What a mark covers: its pill, and the word above it.
        let cover = |m: &PacketMark| {
            let w = label_width(&m.label);
            (m.x - w / 2.0, m.x + w / 2.0, m.y - if m.note.is_some() && !m.packed { 22.0 } else { 10.0 }, m.y + 10.0)
        };
        let (mut labelled_pairs_apart, mut decks_seen) = (0, 0);
        for end in 1..=t.trace.len() {
            let now = t.trace[end - 1].time;
            let marks = packet_marks(&l, &p, end - 1, end, now, Lang::En, Numbering::Relative);
            let boxes: Vec<_> = marks.iter().map(cover).collect();
            for b in &boxes {
                assert!(b.2 >= 0.0 && b.3 <= l.height, "step {end}: {b:?} is drawn outside 0..{}", l.height);
            }
            // A packed burst says how many packets it holds, once.
            let packed_above = marks.iter().filter(|m| m.packed && m.y < l.links[0].y1).count();
            let decks: Vec<usize> =
                marks.iter().filter(|m| m.y < l.links[0].y1).filter_map(|m| m.deck.map(|d| d.count)).collect();
            if packed_above > 0 {
                assert_eq!(decks, vec![packed_above], "step {end}");
                decks_seen += 1;
            }
            // Unless packed into a deck, no packet or word lies on another.
            for (i, m) in marks.iter().enumerate().filter(|(_, m)| !m.packed) {
                for (j, n) in marks.iter().enumerate().filter(|&(j, n)| j != i && !n.packed) {
                    let (a, b) = (boxes[i], boxes[j]);
                    let apart = a.1 <= b.0 || b.1 <= a.0 || a.3 <= b.2 || b.3 <= a.2;
                    assert!(apart, "step {end}: {} at {a:?} and {} at {b:?}", m.label, n.label);
                }
            }
            // Two labelled packets leaving together have room for both words.
            let above = |m: &PacketMark| m.note.is_some() && m.y < l.links[0].y1;
            let labelled: Vec<_> = boxes.iter().zip(&marks).filter(|(_, m)| above(m)).map(|(b, _)| *b).collect();
            if let [a, b] = labelled[..] {
                assert!(a.3 <= b.2 || b.3 <= a.2, "step {end}: {a:?} and {b:?} overlap");
                labelled_pairs_apart += 1;
            }
        }
        assert!(labelled_pairs_apart > 0, "the lesson has two labelled ACKs leaving together");
        assert!(decks_seen > 0, "the burst of nine ACKs is drawn as a deck");
    }

    #[test]
    fn no_packet_or_its_word_covers_a_port_number_beside_a_box() {
        // zero_window at step 19: the client's keep-alive probe, arriving
        // below the line, lay on the server's accepted socket's ":80".
        let mut checked = 0;
        for lesson in crate::lesson::library::library() {
            let run = lesson.build(None, &[]).expect("build");
            let t = crate::lesson::timeline::Timeline::run(run.world, run.commands, &[]);
            let p = crate::view::packets::packets(&t.trace);
            let mut world = t.world_at(0);
            for pos in 1..=t.len() {
                t.advance(&mut world, pos - 1);
                let tick = &t.ticks[pos - 1];
                let l = layout(&world, Lang::En, false);
                // Each port number as drawn: (left, right, top, bottom).
                let mut numbers = Vec::new();
                for h in &l.hosts {
                    let edge = if h.port_right { h.x + h.w } else { h.x };
                    let mut row_top = h.y + NAME_H;
                    for sock in &h.sockets {
                        if let Some(local) = sock.local {
                            let w = format!(":{}", local.port()).chars().count() as f64 * PORT_CHAR_W;
                            let (from, to) =
                                if h.port_right { (edge + 8.0, edge + 8.0 + w) } else { (edge - 8.0 - w, edge - 8.0) };
                            numbers.push((from, to, row_top + 14.0, row_top + 25.0, h.name.clone(), local.port()));
                        }
                        row_top += row_h(sock);
                    }
                }
                for m in packet_marks(&l, &p, tick.first, tick.end, tick.time, Lang::En, Numbering::Relative) {
                    let half = label_width(&m.label) / 2.0;
                    let mut drawn = vec![(m.x - half, m.x + half, m.y - 10.0, m.y + 10.0)];
                    if let (Some(note), false) = (&m.note, m.packed) {
                        let half = analysis_width(note) / 2.0;
                        drawn.push((m.x - half, m.x + half, m.y - 24.0, m.y - 12.0));
                    }
                    for (a, b, top, bottom) in drawn {
                        for (from, to, t, u, host, port) in &numbers {
                            let apart = b <= *from || *to <= a || bottom <= *t || *u <= top;
                            assert!(apart, "{} step {pos}: {} at {m:?} covers {host}'s :{port}", lesson.id, m.label);
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn a_burst_of_packets_leaves_the_links_settings_and_the_hosts_in_view() {
        // slow_start's window of ACKs, over the lesson's link and over one a
        // learner made slow and lossy (as the share link `edits=0:link:0:0.05:0:0:200000`),
        // was drawn over "50 ms one way" and "loss 5%", and a deck's count ran
        // into the client's box.
        let lesson = crate::lesson::library::library().into_iter().find(|l| l.id == "slow_start").expect("slow_start");
        let slow_and_lossy = Edit::Link {
            at: 0,
            link: 0,
            settings: crate::net::link::LinkSettings { loss: 0.05, duplicate: 0.0, reorder: 0.0, latency_us: 200_000 },
        };
        let (mut tall_bursts, mut counts_before) = (0, 0);
        for edits in [vec![], vec![slow_and_lossy]] {
            let run = lesson.build(None, &edits).expect("build");
            let t = crate::lesson::timeline::Timeline::run(run.world, run.commands, &edits);
            let p = crate::view::packets::packets(&t.trace);
            let l = layout(&t.world_at(1), Lang::En, false);
            let line = &l.links[0];
            assert_eq!(line.faults.is_empty(), edits.is_empty());
            let words_bottom = line.words_bottom(false);
            for end in 1..=t.trace.len() {
                let now = t.trace[end - 1].time;
                let marks = packet_marks(&l, &p, end - 1, end, now, Lang::En, Numbering::Relative);
                let above: Vec<&PacketMark> = marks.iter().filter(|m| m.y < line.y1).collect();
                tall_bursts += usize::from(above.len() >= 20);
                for m in above {
                    let top = m.y - if m.note.is_some() && !m.packed { 22.0 } else { 10.0 };
                    assert!(top > words_bottom, "step {end}: {} at {top} covers the link's words", m.label);
                }
                for m in &marks {
                    let Some(deck) = m.deck else { continue };
                    let half = label_width(&m.label) / 2.0;
                    let (from, to) = if deck.before {
                        (m.x - half - Deck::GAP - deck.width(), m.x)
                    } else {
                        (m.x, m.x + half + Deck::GAP + deck.width())
                    };
                    assert!(
                        from >= line.x1 && to <= line.x2,
                        "step {end}: ×{} at {from}..{to} is in a box",
                        deck.count
                    );
                    counts_before += usize::from(deck.before);
                }
            }
        }
        assert!(tall_bursts > 0, "some step has twenty ACKs or more above the line");
        assert!(counts_before > 0, "some deck near the right-hand box shows its count before it");
    }

    #[test]
    fn a_server_and_its_clients_are_drawn_as_a_star() {
        // In a row, backlog_overflow's links to bob and carol ran behind the
        // boxes between, and bob's packets were drawn between alice and bob.
        let mut leaves_seen = 0;
        for id in ["accept_new_socket", "backlog_overflow", "http_vs_persistent"] {
            let crate::view::played::Played { world, timeline: t, packets: p } = crate::view::played::by_id(id);
            let l = layout(&world, Lang::En, false);
            let hub = &l.hosts[0];
            assert_eq!(hub.name, "server", "{id}");
            let leaves = &l.hosts[1..];
            leaves_seen += leaves.len();
            for (i, leaf) in leaves.iter().enumerate() {
                assert!(hub.x + hub.w < leaf.x, "{id}: {} is right of the server", leaf.name);
                assert_eq!(leaf.x, leaves[0].x, "{id}: the clients share a column");
                if let Some(next) = leaves.get(i + 1) {
                    assert!(leaf.y + leaf.h < next.y, "{id}: {} is above {}", leaf.name, next.name);
                }
                assert!(hub.y <= leaf.y && leaf.y + leaf.h <= hub.y + hub.h, "{id}: the server spans its clients");
                assert!(leaf.y + leaf.h <= l.height && hub.x + hub.w <= l.width, "{id}: in the drawing");
            }
            for (k, line) in l.links.iter().enumerate() {
                // From the server's edge straight to its own client, past no other box.
                let (_, link) = world.links().find(|&(x, _)| x == line.id).expect("the link");
                let client = if link.a == hub.id { link.b } else { link.a };
                let leaf = leaves.iter().find(|h| h.id == client).expect("ends at a client");
                assert_eq!(line.x2, leaf.x, "{id}: link {k} ends at its client");
                assert_eq!((line.x1, line.y1), (hub.x + hub.w, line.y2), "{id}: link {k} is level");
                let own = l.hosts.iter().find(|h| h.id != hub.id && (h.y..h.y + h.h).contains(&line.y1));
                assert_eq!(own.map(|h| h.id), Some(leaf.id), "{id}: link {k} meets its client");
                // Its words and packets keep to its own slice of the drawing.
                let words = (line.words_at(false).1 - 14.0, line.words_bottom(false));
                assert!(line.band_top <= words.0 && words.1 < line.y1, "{id}: link {k}'s words above it");
                for other in &l.links[k + 1..] {
                    assert!(line.band_bottom <= other.band_top + 1e-9, "{id}: link {k}'s slice is its own");
                }
            }
            let link_of = |id: u64| match p.iter().find(|x| x.id == id).map(|x| x.path) {
                Some(crate::net::trace::Path::Link { link, .. }) => l.links.iter().find(|x| x.id == link),
                _ => None,
            };
            for end in 1..=t.trace.len() {
                let now = t.trace[end - 1].time;
                for m in packet_marks(&l, &p, end - 1, end, now, Lang::En, Numbering::Relative) {
                    let line = link_of(m.id).expect("a packet on a link");
                    let w = label_width(&m.label) / 2.0;
                    assert!(line.x1 <= m.x - w && m.x + w <= line.x2, "{id} step {end}: {} off its link", m.label);
                    let (top, bottom) = (m.y - 10.0, m.y + 10.0);
                    assert!(
                        line.band_top <= top && bottom <= line.band_bottom,
                        "{id} step {end}: {} off its slice",
                        m.label
                    );
                }
            }
        }
        assert_eq!(leaves_seen, 7, "two, three and two clients");
    }

    #[test]
    fn on_a_phone_a_server_and_two_clients_are_stacked_with_every_link_between_neighbours() {
        // accept_new_socket and the other three-host lessons: in id order the
        // server's second link ran down behind the first client's box, one of
        // three lines side by side over the whole column.
        let mut stars = 0;
        for lesson in crate::lesson::library::library() {
            let run = lesson.build(None, &[]).expect("build");
            let t = crate::lesson::timeline::Timeline::run(run.world, run.commands, &[]);
            let world = t.world_at(t.len());
            let Some(hub) = star_hub(&world) else { continue };
            stars += 1;
            let l = layout(&world, Lang::En, true);
            let behind = |line: &LinkLine| {
                l.hosts
                    .iter()
                    .filter(|h| h.y > line.y1 && h.y + h.h < line.y2)
                    .map(|h| h.name.clone())
                    .collect::<Vec<_>>()
            };
            let leaves = world.hosts().len() - 1;
            let crossing: Vec<_> = l.links.iter().map(behind).filter(|b| !b.is_empty()).collect();
            // Two leaves: none; three (backlog_overflow): one link passes one box.
            assert_eq!(crossing.len(), leaves.saturating_sub(2), "{}: {crossing:?}", lesson.id);
            assert_eq!(l.hosts.iter().filter(|h| h.y < l.hosts[hub.0 as usize].y).count(), 1, "{}", lesson.id);
            // Lines whose spans overlap are apart; and no line leaves the column.
            for (i, a) in l.links.iter().enumerate() {
                assert!((MARGIN..=COLUMN_W - MARGIN).contains(&a.x1), "{}: a line at {}", lesson.id, a.x1);
                for b in &l.links[i + 1..] {
                    if a.y1 < b.y2 && b.y1 < a.y2 {
                        assert!((a.x1 - b.x1).abs() >= 70.0, "{}: lines at {} and {}", lesson.id, a.x1, b.x1);
                    }
                }
            }
        }
        assert!(stars >= 3, "{stars}");
    }

    #[test]
    fn on_a_phone_packets_on_the_line_never_lie_on_each_other() {
        // In the column both directions share the line and packets at its ends
        // were held there: fast_retransmit's nine ACKs lay on one spot.
        let cover = |m: &PacketMark| {
            let w = label_width(&m.label);
            (m.x - w / 2.0, m.x + w / 2.0, m.y - if m.note.is_some() && !m.packed { 22.0 } else { 10.0 }, m.y + 10.0)
        };
        let (mut seen_bursts, mut big_decks) = (0, 0);
        for id in ["fast_retransmit", "tcp_vs_udp", "slow_start", "tour"] {
            let crate::view::played::Played { world, timeline: t, packets: p } = crate::view::played::by_id(id);
            let l = layout(&world, Lang::En, true);
            for end in 1..=t.trace.len() {
                let now = t.trace[end - 1].time;
                let marks = packet_marks(&l, &p, end - 1, end, now, Lang::En, Numbering::Relative);
                seen_bursts += usize::from(marks.len() >= 5);
                // However many, every packet stays between the boxes, and a
                // deck says how many it holds.
                let (lo, hi) = (l.links[0].y1 + 14.0, l.links[0].y2 - 14.0);
                assert!(marks.iter().all(|m| (lo..=hi).contains(&m.y)), "{id} step {end}: a packet off the line");
                // No packet or its word lies under the link's words ("10 ms
                // one way" was drawn over the tour's "PSH 5 bytes").
                let words_bottom = l.links[0].words_bottom(true);
                for m in &marks {
                    assert!(cover(m).2 >= words_bottom, "{id} step {end}: {} under the link's words", m.label);
                }
                if marks.iter().any(|m| m.packed) {
                    let decks: Vec<usize> = marks.iter().filter_map(|m| m.deck.map(|d| d.count)).collect();
                    assert_eq!(decks, vec![marks.len()], "{id} step {end}");
                    big_decks += usize::from(marks.len() >= 50);
                }
                for (i, a) in marks.iter().enumerate() {
                    for b in &marks[i + 1..] {
                        if a.packed && b.packed {
                            continue;
                        }
                        let (x, y) = (cover(a), cover(b));
                        let apart = x.1 <= y.0 || y.1 <= x.0 || x.3 <= y.2 || y.3 <= x.2;
                        assert!(apart, "{id} step {end}: {} at {x:?} and {} at {y:?}", a.label, b.label);
                    }
                }
            }
        }
        assert!(seen_bursts > 0, "some step has five packets on the line");
        assert!(big_decks > 0, "slow_start's window is a deck of fifty or more");
    }
}
