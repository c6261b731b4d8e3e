//! The kernel's packets against the model's, flow by flow, packet by packet.
//!
//! - **Flows.** A TCP connection (or a UDP conversation, with the ICMP errors
//!   it draws) is named the same in both worlds by its ends: the client's
//!   address, the server's address and port — no ephemeral port, since the
//!   kernel and the model each pick their own — and its place among the flows
//!   with those ends, in order of their first packet (a TCP connection's SYN).
//! - **Numbers.** Sequence and acknowledgement numbers are made relative to
//!   each side's ISN (its SYN's seq), SACK edges too; a window is scaled by
//!   its sender's shift once both SYNs carried one (RFC 7323 §2.2; never on a
//!   SYN). TSval is not compared — its offset is random per connection
//!   (`secure_tcp_ts_off`) — but whether TSecr echoes a TSval the peer sent is.
//! - **Order, not time.** Loopback has no latency, so times mean nothing; each
//!   direction of a flow is aligned in order (an edit-distance alignment, so a
//!   packet one world sends and the other does not shows as just that), and
//!   the two directions are shown merged in the kernel's order.
//!
//! Every divergence carries the rule that explains it when one can be named
//! (the Linux function it follows), else "unexplained".

use super::capture::{flag, PacketRecord, RecordBody, TcpOptions};
use crate::net::addr::EPHEMERAL_PORTS;
use crate::net::{Ipv4Addr, SocketAddrV4};
use std::collections::HashMap;
use std::fmt;

/// What the diff calls a divergence without a rule.
pub const UNEXPLAINED: &str = "unexplained";

/// Longest direction aligned packet by packet (the alignment costs the
/// product of the two lengths); past it, packets are paired in order.
const MAX_ALIGNED: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
}

/// One flow's name in both worlds (see the module's header).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowKey {
    pub proto: Proto,
    /// The end that sent first: a TCP connection's SYN sender.
    pub client: Ipv4Addr,
    pub server: Ipv4Addr,
    /// The server's port, unless it is an ephemeral one (then each world has its own).
    pub server_port: Option<u16>,
    /// Its place among flows with the same ends, from 1.
    pub nth: usize,
}

impl FlowKey {
    /// `tcp client 10.0.0.2 > server 10.0.0.1:80 #1`, with each address's host name.
    pub fn describe(&self, names: &[(Ipv4Addr, String)]) -> String {
        let name = |ip: Ipv4Addr| match names.iter().find(|(a, _)| *a == ip) {
            Some((_, n)) => format!("{n} {ip}"),
            None => ip.to_string(),
        };
        let port = self.server_port.map_or(":(ephemeral)".to_string(), |p| format!(":{p}"));
        let proto = match self.proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        format!("{proto} {} > {}{port} #{}", name(self.client), name(self.server), self.nth)
    }
}

/// Which way a packet goes within its flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    FromClient,
    FromServer,
}

/// What a packet's TSecr holds, as the diff compares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// 0: nothing to echo yet (a SYN).
    Zero,
    /// A TSval the peer sent earlier in the flow.
    Peer,
    /// Anything else.
    Stray,
}

/// One packet as compared: numbers relative, window scaled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub dir: Dir,
    pub kind: ViewKind,
    pub ip: IpView,
}

/// The IPv4 header as compared: DF, and the IP ID by how it follows the one
/// before it in the same direction (its first value is random in both worlds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpView {
    pub df: bool,
    pub id: IdShape,
}

/// An IP ID against the last nonzero one of its flow's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdShape {
    /// 0: sent with DF from no connected socket (a listener's SYN-ACK, a RST
    /// for no socket, a TIME-WAIT reply, an unconnected datagram).
    Zero,
    /// The direction's first nonzero ID: a connected socket's counter starts.
    First,
    /// One past the last: the same counter, counting on.
    Next,
    /// Any other: another counter, or the hashed generator.
    Jump,
    /// Not compared: an ICMP error or a fragment, whose IDs come from the
    /// hashed generator in the kernel and a random stream in the model.
    Unchecked,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Tcp(TcpView),
    Udp {
        len: usize,
    },
    /// An IPv4 fragment: offset in bytes, MF, IP payload length (the IP ID is
    /// left out: the kernel's and the model's differ and mean nothing here).
    Fragment {
        offset: u16,
        more: bool,
        len: usize,
    },
    PortUnreachable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpView {
    pub flags: u8,
    pub seq: u32,
    /// With the ACK flag only.
    pub ack: Option<u32>,
    pub len: usize,
    pub window: u32,
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: Option<Echo>,
    pub sack: Vec<(u32, u32)>,
    pub other: Vec<u8>,
}

/// A field the two worlds may disagree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Kind,
    Flags,
    Seq,
    Ack,
    Len,
    Window,
    Mss,
    WindowScale,
    SackPermitted,
    Timestamps,
    SackBlocks,
    OtherOptions,
    /// The IPv4 header's DF flag.
    Df,
    /// How the IP ID follows the one before (see [`IdShape`]).
    IpId,
}

/// One row of a flow's comparison: a packet of both worlds, or of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub model: Option<View>,
    pub kernel: Option<View>,
    /// Fields that differ (empty when both are there and agree).
    pub differs: Vec<Field>,
    /// Why they differ; `None` when they agree.
    pub rule: Option<String>,
}

impl Step {
    pub fn agrees(&self) -> bool {
        self.rule.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowComparison {
    pub key: FlowKey,
    pub steps: Vec<Step>,
}

/// The two packet streams of one run, compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    pub flows: Vec<FlowComparison>,
}

impl Comparison {
    pub fn agreeing(&self) -> usize {
        self.flows.iter().flat_map(|f| &f.steps).filter(|s| s.agrees()).count()
    }

    pub fn divergent(&self) -> usize {
        self.flows.iter().flat_map(|f| &f.steps).filter(|s| !s.agrees()).count()
    }

    /// The first divergent step: its flow, its number in the flow (from 1) and the step.
    pub fn first_divergence(&self) -> Option<(&FlowKey, usize, &Step)> {
        self.flows
            .iter()
            .find_map(|f| f.steps.iter().enumerate().find(|(_, s)| !s.agrees()).map(|(i, s)| (&f.key, i + 1, s)))
    }
}

/// Compares the model's packets with the kernel's, both in script addresses
/// and in the order each world sent them.
pub fn compare(model: &[PacketRecord], kernel: &[PacketRecord]) -> Comparison {
    let model_flows = flows(model);
    let kernel_flows = flows(kernel);
    let mut keys: Vec<&FlowKey> = model_flows.iter().map(|f| &f.key).collect();
    for f in &kernel_flows {
        if !keys.contains(&&f.key) {
            keys.push(&f.key);
        }
    }
    let empty = Vec::new();
    let of = |all: &'_ [Flow], key: &FlowKey| -> Vec<View> {
        all.iter().find(|f| &f.key == key).map_or(empty.clone(), views)
    };
    let flows = keys
        .into_iter()
        .map(|key| FlowComparison {
            key: key.clone(),
            steps: align_flow(&of(&model_flows, key), &of(&kernel_flows, key)),
        })
        .collect();
    Comparison { flows }
}

/// One flow's packets in one world, in order.
struct Flow {
    key: FlowKey,
    client: SocketAddrV4,
    server: SocketAddrV4,
    /// The client's ISN, for telling a new connection on the same ends.
    client_isn: Option<u32>,
    packets: Vec<(Dir, PacketRecord)>,
}

fn is_fixed(port: u16) -> bool {
    !EPHEMERAL_PORTS.contains(&port)
}

/// Splits a stream into flows (see the module's header).
fn flows(records: &[PacketRecord]) -> Vec<Flow> {
    let mut out: Vec<Flow> = Vec::new();
    // The ends of each fragmented datagram, by (source, destination, IP ID),
    // as its first fragment names them: later fragments carry no ports.
    let mut datagram_ends: HashMap<(Ipv4Addr, Ipv4Addr, u16), (SocketAddrV4, SocketAddrV4)> = HashMap::new();
    for r in records {
        let (proto, src, dst) = match &r.body {
            RecordBody::Tcp(_) => (Proto::Tcp, r.src, r.dst),
            RecordBody::Udp { .. } => (Proto::Udp, r.src, r.dst),
            RecordBody::Fragment { ip_id, offset, .. } => {
                let key = (*r.src.ip(), *r.dst.ip(), *ip_id);
                if *offset == 0 {
                    datagram_ends.insert(key, (r.src, r.dst));
                }
                let (src, dst) = datagram_ends.get(&key).copied().unwrap_or((r.src, r.dst));
                (Proto::Udp, src, dst)
            }
            // The error goes back along the datagram's flow, the way it came.
            RecordBody::PortUnreachable { quoted_src, quoted_dst } => (Proto::Udp, *quoted_dst, *quoted_src),
        };
        let syn = match &r.body {
            RecordBody::Tcp(t) if t.flags & (flag::SYN | flag::ACK) == flag::SYN => Some(t.seq),
            _ => None,
        };
        let found = out.iter().rposition(|f| {
            f.key.proto == proto
                && ((f.client, f.server) == (src, dst) || (f.client, f.server) == (dst, src))
                // A SYN with another ISN opens a new connection on the same ends.
                && !matches!((syn, f.client_isn), (Some(isn), Some(old)) if isn != old)
        });
        let at = match found {
            Some(i) => i,
            None => {
                let server_port = is_fixed(dst.port()).then_some(dst.port());
                let same = |k: &FlowKey| {
                    (k.proto, k.client, k.server, k.server_port) == (proto, *src.ip(), *dst.ip(), server_port)
                };
                let nth = out.iter().filter(|f| same(&f.key)).count() + 1;
                let key = FlowKey { proto, client: *src.ip(), server: *dst.ip(), server_port, nth };
                out.push(Flow { key, client: src, server: dst, client_isn: syn, packets: Vec::new() });
                out.len() - 1
            }
        };
        let dir = if out[at].client == src { Dir::FromClient } else { Dir::FromServer };
        out[at].packets.push((dir, r.clone()));
    }
    out
}

/// A flow's packets as compared (see the module's header).
fn views(flow: &Flow) -> Vec<View> {
    let tcp = |d: Dir| {
        flow.packets.iter().filter(move |(dir, _)| *dir == d).filter_map(|(_, r)| match &r.body {
            RecordBody::Tcp(t) => Some(t),
            _ => None,
        })
    };
    let side = |d: Dir| if d == Dir::FromClient { 0 } else { 1 };
    // Each side's ISN: its SYN's seq, else its first segment's.
    let isn: [u32; 2] = [Dir::FromClient, Dir::FromServer]
        .map(|d| tcp(d).find(|t| t.flags & flag::SYN != 0).or_else(|| tcp(d).next()).map_or(0, |t| t.seq));
    let syn_scale = |d: Dir| tcp(d).find(|t| t.flags & flag::SYN != 0).and_then(|t| t.options.window_scale);
    let scaled = syn_scale(Dir::FromClient).is_some() && syn_scale(Dir::FromServer).is_some();
    let shift = [Dir::FromClient, Dir::FromServer].map(|d| if scaled { syn_scale(d).unwrap_or(0).min(14) } else { 0 });
    let mut sent_tsvals: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    let mut last_id: [Option<u16>; 2] = [None, None];
    flow.packets
        .iter()
        .map(|(dir, r)| {
            let (me, peer) = (side(*dir), 1 - side(*dir));
            let id = match (&r.body, r.ip.id) {
                (RecordBody::Fragment { .. } | RecordBody::PortUnreachable { .. }, _) => IdShape::Unchecked,
                // A counter that wraps from 65535 counts on to 0.
                (_, 0) if last_id[me] == Some(u16::MAX) => {
                    last_id[me] = Some(0);
                    IdShape::Next
                }
                (_, 0) => IdShape::Zero,
                (_, id) => {
                    let shape = match last_id[me] {
                        None => IdShape::First,
                        Some(last) if id == last.wrapping_add(1) => IdShape::Next,
                        Some(_) => IdShape::Jump,
                    };
                    last_id[me] = Some(id);
                    shape
                }
            };
            let ip = IpView { df: r.ip.df, id };
            let kind = match &r.body {
                RecordBody::Tcp(t) => {
                    let o: &TcpOptions = &t.options;
                    let timestamps = o.timestamps.map(|(val, ecr)| {
                        let echo = if ecr == 0 && t.flags & flag::ACK == 0 {
                            Echo::Zero
                        } else if sent_tsvals[peer].contains(&ecr) {
                            Echo::Peer
                        } else {
                            Echo::Stray
                        };
                        sent_tsvals[me].push(val);
                        echo
                    });
                    let window =
                        if t.flags & flag::SYN != 0 { u32::from(t.window) } else { u32::from(t.window) << shift[me] };
                    ViewKind::Tcp(TcpView {
                        flags: t.flags,
                        seq: t.seq.wrapping_sub(isn[me]),
                        ack: (t.flags & flag::ACK != 0).then(|| t.ack.wrapping_sub(isn[peer])),
                        len: t.len,
                        window,
                        mss: o.mss,
                        window_scale: o.window_scale,
                        sack_permitted: o.sack_permitted,
                        timestamps,
                        sack: o
                            .sack
                            .iter()
                            .map(|(l, r)| (l.wrapping_sub(isn[peer]), r.wrapping_sub(isn[peer])))
                            .collect(),
                        other: o.other.clone(),
                    })
                }
                RecordBody::Udp { len } => ViewKind::Udp { len: *len },
                RecordBody::Fragment { offset, more, len, .. } => {
                    ViewKind::Fragment { offset: *offset, more: *more, len: *len }
                }
                RecordBody::PortUnreachable { .. } => ViewKind::PortUnreachable,
            };
            View { dir: *dir, kind, ip }
        })
        .collect()
}

/// The fields on which two packets differ.
pub fn differing(m: &View, k: &View) -> Vec<Field> {
    let ip = [(Field::Df, m.ip.df != k.ip.df), (Field::IpId, !ids_agree(m, k))];
    let ip = ip.into_iter().filter(|(_, d)| *d).map(|(f, _)| f);
    let (ViewKind::Tcp(a), ViewKind::Tcp(b)) = (&m.kind, &k.kind) else {
        return if m.kind == k.kind && m.dir == k.dir { ip.collect() } else { vec![Field::Kind] };
    };
    let checks = [
        (Field::Flags, a.flags != b.flags),
        (Field::Seq, a.seq != b.seq),
        (Field::Ack, a.ack != b.ack),
        (Field::Len, a.len != b.len),
        (Field::Window, a.window != b.window),
        (Field::Mss, a.mss != b.mss),
        (Field::WindowScale, a.window_scale != b.window_scale),
        (Field::SackPermitted, a.sack_permitted != b.sack_permitted),
        (Field::Timestamps, a.timestamps != b.timestamps),
        (Field::SackBlocks, a.sack != b.sack),
        (Field::OtherOptions, a.other != b.other),
    ];
    checks.into_iter().filter(|(_, d)| *d).map(|(f, _)| f).chain(ip).collect()
}

/// Whether two packets are the same packet of the exchange, told differently
/// (so the alignment pairs them rather than showing one missing from each
/// side): the same kind of segment at the same place or of the same size.
fn same_packet(m: &View, k: &View) -> bool {
    match (&m.kind, &k.kind) {
        // A pure ACK is the same ACK when it acknowledges the same byte: pairing
        // ACKs of different bytes would hide the ones one world never sent.
        (ViewKind::Tcp(a), ViewKind::Tcp(b)) if is_pure_ack(m) && is_pure_ack(k) => a.ack == b.ack,
        (ViewKind::Tcp(a), ViewKind::Tcp(b)) => {
            a.flags & !flag::PSH == b.flags & !flag::PSH && (a.seq == b.seq || a.len == b.len)
        }
        (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Aligns one flow's two streams direction by direction and merges the rows
/// in the kernel's order; a packet only the model sent goes right after the
/// kernel's counterpart of the model's packet before it.
fn align_flow(model: &[View], kernel: &[View]) -> Vec<Step> {
    // (model position, kernel position) in the flow, per row.
    let mut rows: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for dir in [Dir::FromClient, Dir::FromServer] {
        let m: Vec<usize> = (0..model.len()).filter(|&i| model[i].dir == dir).collect();
        let k: Vec<usize> = (0..kernel.len()).filter(|&i| kernel[i].dir == dir).collect();
        let mv: Vec<&View> = m.iter().map(|&i| &model[i]).collect();
        let kv: Vec<&View> = k.iter().map(|&i| &kernel[i]).collect();
        rows.extend(align(&mv, &kv).into_iter().map(|(mi, ki)| (mi.map(|i| m[i]), ki.map(|i| k[i]))));
    }
    let paired: Vec<(usize, usize)> = rows.iter().filter_map(|&(m, k)| m.zip(k)).collect();
    let place = |&(m, k): &(Option<usize>, Option<usize>)| match (m, k) {
        (_, Some(k)) => (k * 2 + 2, m.unwrap_or(0)),
        (Some(m), None) => {
            let anchor = paired.iter().filter(|p| p.0 < m).map(|p| p.1 * 2 + 2).max().unwrap_or(0);
            (anchor + 1, m)
        }
        (None, None) => (0, 0),
    };
    rows.sort_by_key(place);
    rows.into_iter().map(|(m, k)| step(m.map(|i| model[i].clone()), k.map(|i| kernel[i].clone()))).collect()
}

fn step(model: Option<View>, kernel: Option<View>) -> Step {
    let differs = match (&model, &kernel) {
        (Some(m), Some(k)) => differing(m, k),
        _ => vec![],
    };
    let rule = match (&model, &kernel) {
        (Some(_), Some(_)) if differs.is_empty() => None,
        _ => Some(explain(model.as_ref(), kernel.as_ref(), &differs)),
    };
    Step { model, kernel, differs, rule }
}

/// Pairs `m` with `k` in order at the least cost: an unpaired packet costs
/// [`GAP`], a pair of the same packet told differently a little less than two
/// gaps, by how many fields differ. Returns (model index, kernel index) rows.
fn align(m: &[&View], k: &[&View]) -> Vec<(Option<usize>, Option<usize>)> {
    const GAP: u32 = 10;
    if m.len() > MAX_ALIGNED || k.len() > MAX_ALIGNED {
        return (0..m.len().max(k.len())).map(|i| ((i < m.len()).then_some(i), (i < k.len()).then_some(i))).collect();
    }
    let pair_cost = |a: &View, b: &View| -> Option<u32> {
        let d = differing(a, b);
        if d.is_empty() {
            Some(0)
        } else if same_packet(a, b) {
            Some(5 + (d.len() as u32).min(GAP + 4))
        } else {
            None
        }
    };
    let (n, w) = (m.len(), k.len());
    let mut cost = vec![0u32; (n + 1) * (w + 1)];
    let at = |i: usize, j: usize| i * (w + 1) + j;
    for i in 0..=n {
        for j in 0..=w {
            cost[at(i, j)] = match (i, j) {
                (0, _) => j as u32 * GAP,
                (_, 0) => i as u32 * GAP,
                _ => {
                    let skip = (cost[at(i - 1, j)] + GAP).min(cost[at(i, j - 1)] + GAP);
                    match pair_cost(m[i - 1], k[j - 1]) {
                        Some(c) => skip.min(cost[at(i - 1, j - 1)] + c),
                        None => skip,
                    }
                }
            };
        }
    }
    let mut rows = Vec::new();
    let (mut i, mut j) = (n, w);
    while i > 0 || j > 0 {
        let here = cost[at(i, j)];
        if i > 0 && j > 0 && pair_cost(m[i - 1], k[j - 1]).is_some_and(|c| cost[at(i - 1, j - 1)] + c == here) {
            rows.push((Some(i - 1), Some(j - 1)));
            i -= 1;
            j -= 1;
        } else if i > 0 && (j == 0 || cost[at(i - 1, j)] + GAP == here) {
            rows.push((Some(i - 1), None));
            i -= 1;
        } else {
            rows.push((None, Some(j - 1)));
            j -= 1;
        }
    }
    rows.reverse();
    rows
}

fn is_pure_ack(v: &View) -> bool {
    matches!(&v.kind, ViewKind::Tcp(t) if t.flags & !flag::PSH == flag::ACK && t.len == 0)
}

fn carries_data(v: &View) -> bool {
    matches!(&v.kind, ViewKind::Tcp(t) if t.len > 0)
}

/// The rule that explains a divergence, when one can be named.
pub fn explain(model: Option<&View>, kernel: Option<&View>, differs: &[Field]) -> String {
    match (model, kernel) {
        (Some(m), None) if is_pure_ack(m) => "model ACKs every segment; the kernel delays this ACK or lets the next \
                                              packet carry it (delayed ACK: __tcp_ack_snd_check, tcp_send_delayed_ack)"
            .into(),
        (Some(m), None) if carries_data(m) => "model cuts the data into segments the kernel does not (segment size \
                                               less options, Nagle, autocorking: tcp_sendmsg_locked, tcp_push)"
            .into(),
        (None, Some(k)) if is_pure_ack(k) && matches!(&k.kind, ViewKind::Tcp(t) if t.window == 0) => {
            "kernel sends a zero-window ACK the model does not: most often its answer to a zero-window probe \
             the model's rate limit held back (tcp_oow_rate_limited, one such ACK per tcp_invalid_ratelimit, \
             500 ms, counted in jiffies), the kernel's backed-off persist timer having fired later on the \
             timer wheel"
                .into()
        }
        (None, Some(k)) if is_pure_ack(k) => "kernel sends an ACK the model does not (a window update after a read, \
                                              tcp_cleanup_rbuf → tcp_send_ack, or a quick ACK)"
            .into(),
        (None, Some(k)) if carries_data(k) => "kernel cuts the data into segments the model does not (segment size \
                                               less options, Nagle, autocorking: tcp_sendmsg_locked, tcp_push)"
            .into(),
        (Some(_), None) => format!("{UNEXPLAINED}: the model sends a packet the kernel does not"),
        (None, Some(_)) => format!("{UNEXPLAINED}: the kernel sends a packet the model does not"),
        (None, None) => UNEXPLAINED.into(),
        (Some(m), Some(k)) => {
            let (a, b) = match (&m.kind, &k.kind) {
                (ViewKind::Tcp(a), ViewKind::Tcp(b)) => (a, b),
                // A datagram alike but for its IP header.
                _ if !differs.is_empty() && differs.iter().all(|f| matches!(f, Field::Df | Field::IpId)) => {
                    return differs.iter().map(|f| ip_rule(*f, m.ip, k.ip)).collect::<Vec<_>>().join("; ");
                }
                _ => return format!("{UNEXPLAINED}: different packets"),
            };
            let mut rules: Vec<String> = Vec::new();
            for f in differs {
                let rule = match f {
                    Field::Timestamps => match (a.timestamps, b.timestamps) {
                        (None, Some(_)) => {
                            "kernel segment carries timestamps, model has none (RFC 7323, tcp_timestamps 1)".into()
                        }
                        (Some(_), None) => "model segment carries timestamps, kernel has none".into(),
                        _ => "TSecr echoes a different TSval (tcp_store_ts_recent)".into(),
                    },
                    Field::SackPermitted if b.sack_permitted => {
                        "kernel SYN offers SACK (SACK_PERM, tcp_sack 1), model does not".into()
                    }
                    Field::SackPermitted => "model SYN offers SACK, kernel does not".into(),
                    Field::SackBlocks if a.sack.is_empty() && b.sack.first().is_some_and(|d| Some(d.1) <= b.ack) => {
                        "kernel reports a duplicate segment it received (D-SACK, RFC 2883: tcp_dsack_set), \
                         model does not"
                            .into()
                    }
                    Field::SackBlocks if a.sack.is_empty() => {
                        "kernel ACK carries SACK blocks, model's does not (tcp_sack_new_ofo_skb)".into()
                    }
                    Field::SackBlocks => "SACK blocks differ".into(),
                    Field::Mss => "MSS differs (the kernel's is lo's MTU − 40: tcp_advertise_mss)".into(),
                    Field::WindowScale => "window scale differs: the kernel's follows the larger of tcp_rmem[2] and \
                                           net.core.rmem_max (tcp_select_initial_window)"
                        .into(),
                    Field::Window => "advertised window differs: the kernel's follows its receive memory, scaling \
                                      ratio and growth (tcp_select_window, tcp_measure_rcv_mss, tcp_grow_window, \
                                      tcp_rcv_space_adjust)"
                        .into(),
                    Field::Len if b.timestamps.is_some() && a.timestamps.is_none() && b.len < a.len => {
                        "kernel segment carries 12 bytes of timestamps, so less data (tcp_current_mss)".into()
                    }
                    Field::Len => "data per segment differs (Nagle holds a small write while data is \
                                   unacknowledged and the next write joins its skb: tcp_nagle_test, \
                                   tcp_sendmsg_locked; on loopback the ACK is back before the next send())"
                        .into(),
                    Field::Flags if a.flags ^ b.flags == flag::PSH => {
                        "PSH differs (Linux sets PSH on a write's last segment, tcp_push, on a full skb once half \
                         the peer's largest window went unpushed, forced_push, and on the last segment of every GSO \
                         packet of two or more, __tcp_transmit_skb; an skb that takes the next one's bytes before it \
                         leaves takes its PSH to its new end, tcp_grow_skb; a packet is as long as the pacing rate \
                         sends in a millisecond at a path's RTT, tcp_tso_autosize, up to half the cwnd, \
                         tcp_cwnd_test: two segments at the model's 20 ms, half the cwnd on loopback)"
                            .into()
                    }
                    Field::Ack if b.ack > a.ack => {
                        "kernel acknowledges more at once (delayed ACK: __tcp_ack_snd_check)".into()
                    }
                    Field::Ack if b.ack < a.ack => {
                        "kernel acknowledges less: it had received less in order by then".into()
                    }
                    Field::Seq => "sequence differs: an earlier segment of this direction differed".into(),
                    Field::OtherOptions => format!("other options differ: model {:?}, kernel {:?}", a.other, b.other),
                    Field::Flags => format!("{UNEXPLAINED}: the flags differ"),
                    Field::Ack => format!("{UNEXPLAINED}: the ack differs"),
                    Field::Kind => format!("{UNEXPLAINED}: different packets"),
                    Field::Df | Field::IpId => ip_rule(*f, m.ip, k.ip),
                };
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
            if rules.is_empty() {
                UNEXPLAINED.into()
            } else {
                rules.join("; ")
            }
        }
    }
}

/// Whether two packets' IP IDs follow the same rule.
fn ids_agree(m: &View, k: &View) -> bool {
    match (m.ip.id, k.ip.id) {
        (a, b) if a == b => true,
        (IdShape::Unchecked, _) | (_, IdShape::Unchecked) => true,
        // An unconnected socket's datagrams come from the hashed generator,
        // which jumps by the jiffies gone by since its last use: whether it
        // counts on or jumps is the clock's doing, not a rule.
        (IdShape::Next | IdShape::Jump, IdShape::Next | IdShape::Jump) => !matches!(m.kind, ViewKind::Tcp(_)),
        _ => false,
    }
}

/// Why the IP headers differ: Linux's `ip_select_ident_segs` and `ip_dont_fragment`.
fn ip_rule(f: Field, m: IpView, k: IpView) -> String {
    match f {
        Field::Df => format!(
            "DF differs (model {}, kernel {}): Linux sets it where path MTU discovery may not cut the packet, on TCP \
             and on a UDP datagram that fits (ip_dont_fragment), not on a fragment or an ICMP error",
            m.df, k.df
        ),
        _ => format!(
            "IP ID differs (model {:?}, kernel {:?}): Linux numbers a connected socket's packets from its inet_id, \
             drawn when it connects (ip_select_ident_segs); TCP's replies from no connected socket (a listener's \
             SYN-ACK, a RST for no socket, a TIME-WAIT reply) carry 0, other packets the hashed generator's count",
            m.id, k.id
        ),
    }
}

impl fmt::Display for View {
    /// tcpdump's words: `> [S.] seq 0 ack 1 win 65535 len 0 <mss 1460,sackOK,TS,wscale 7>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.dir {
            Dir::FromClient => "client > server ",
            Dir::FromServer => "server > client ",
        })?;
        let t = match &self.kind {
            ViewKind::Tcp(t) => t,
            ViewKind::Udp { len } => return write!(f, "UDP, length {len}"),
            ViewKind::Fragment { offset, more, len } => {
                let mf = if *more { ", MF" } else { "" };
                return write!(f, "IP fragment, offset {offset}{mf}, length {len}");
            }
            ViewKind::PortUnreachable => return f.write_str("ICMP port unreachable"),
        };
        let mut flags = String::new();
        for (bit, c) in [
            (flag::SYN, 'S'),
            (flag::FIN, 'F'),
            (flag::RST, 'R'),
            (flag::PSH, 'P'),
            (flag::URG, 'U'),
            (flag::ECE, 'E'),
            (flag::CWR, 'W'),
            (flag::ACK, '.'),
        ] {
            if t.flags & bit != 0 {
                flags.push(c);
            }
        }
        write!(f, "[{flags}] seq {}", t.seq)?;
        if let Some(ack) = t.ack {
            write!(f, " ack {ack}")?;
        }
        write!(f, " win {} len {}", t.window, t.len)?;
        let mut options: Vec<String> = Vec::new();
        if let Some(mss) = t.mss {
            options.push(format!("mss {mss}"));
        }
        if t.sack_permitted {
            options.push("sackOK".into());
        }
        match t.timestamps {
            Some(Echo::Zero) => options.push("TS ecr 0".into()),
            Some(Echo::Peer) => options.push("TS ecr peer".into()),
            Some(Echo::Stray) => options.push("TS ecr stray".into()),
            None => {}
        }
        if let Some(ws) = t.window_scale {
            options.push(format!("wscale {ws}"));
        }
        if !t.sack.is_empty() {
            let blocks: Vec<String> = t.sack.iter().map(|(l, r)| format!("{{{l}:{r}}}")).collect();
            options.push(format!("sack {}", blocks.join("")));
        }
        for kind in &t.other {
            options.push(format!("opt-{kind}"));
        }
        if !options.is_empty() {
            write!(f, " <{}>", options.join(","))?;
        }
        Ok(())
    }
}

/// A lesson a fidelity table lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub lesson: String,
    /// Listed as `lesson.sock (varies)`: a timing race makes it agree in some
    /// runs and not in others, and the table says which race.
    pub varies: bool,
}

/// The suffix of a listed lesson whose result varies from run to run.
const VARIES: &str = " (varies)";

/// `--expect-divergent`: the lessons a fidelity table lists as not yet
/// agreeing packet by packet — its rows `| lesson.sock | ... |`, or
/// `| lesson.sock (varies) | ... |` for one that agrees only in some runs.
pub fn listed_divergent(table: &str) -> Vec<Listed> {
    table
        .lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|row| row.split('|').next())
        .map(|cell| cell.trim().trim_matches('`'))
        .filter_map(|cell| match cell.strip_suffix(VARIES) {
            Some(lesson) => Some(Listed { lesson: lesson.trim_matches('`').to_string(), varies: true }),
            None => cell.ends_with(".sock").then(|| Listed { lesson: cell.to_string(), varies: false }),
        })
        .filter(|l| l.lesson.ends_with(".sock"))
        .collect()
}

/// What one lesson's packet diff came to, for the table check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonResult {
    Agrees,
    Diverges,
    Skipped,
}

/// Whether a lesson's result keeps the fidelity table honest: a lesson outside
/// it must not diverge, and one in it must still diverge (so the table only
/// shrinks and never hides a regression); one listed as varying may do either,
/// but must still be compared. `None` when all is as listed.
pub fn against_table(lesson: &str, result: LessonResult, listed: &[Listed]) -> Option<String> {
    let row = listed.iter().find(|l| l.lesson == lesson);
    match (result, row) {
        (LessonResult::Skipped, Some(_)) => Some(format!("{lesson} is not compared (skipped) but the table lists it")),
        (LessonResult::Diverges, None) => Some(format!("{lesson} diverges and is not in the table")),
        (LessonResult::Agrees, Some(Listed { varies: false, .. })) => {
            Some(format!("{lesson} agrees now: take it out of the table"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::capture::{IpFacts, TcpRecord};
    use super::*;

    const CLIENT: [u8; 4] = [10, 0, 0, 2];
    const SERVER: [u8; 4] = [10, 0, 0, 1];

    /// A segment: `from_client`, flags, absolute seq and ack, payload length,
    /// window field, options.
    fn seg(from_client: bool, flags: u8, seq: u32, ack: u32, len: usize, options: TcpOptions) -> PacketRecord {
        let (c, s) = (SocketAddrV4::new(Ipv4Addr::from(CLIENT), 40000), SocketAddrV4::new(Ipv4Addr::from(SERVER), 80));
        let (src, dst) = if from_client { (c, s) } else { (s, c) };
        let body = RecordBody::Tcp(TcpRecord { flags, seq, ack, window: 1000, len, options });
        PacketRecord { src, dst, body, ip: IpFacts { df: true, id: 0 } }
    }

    fn syn_options(timestamps: Option<(u32, u32)>, sack: bool) -> TcpOptions {
        TcpOptions { mss: Some(1460), window_scale: Some(0), sack_permitted: sack, timestamps, ..TcpOptions::default() }
    }

    const S: u8 = flag::SYN;
    const SA: u8 = flag::SYN | flag::ACK;
    const A: u8 = flag::ACK;
    const PA: u8 = flag::PSH | flag::ACK;

    /// A handshake and two 100-byte writes from the client, the server ACKing
    /// each (the model) or only the second (`delayed`), with ISNs `c` and `s`.
    fn exchange(c: u32, s: u32, delayed: bool) -> Vec<PacketRecord> {
        let mut p = vec![
            seg(true, S, c, 0, 0, syn_options(None, false)),
            seg(false, SA, s, c + 1, 0, syn_options(None, false)),
            seg(true, A, c + 1, s + 1, 0, TcpOptions::default()),
            seg(true, PA, c + 1, s + 1, 100, TcpOptions::default()),
        ];
        if !delayed {
            p.push(seg(false, A, s + 1, c + 101, 0, TcpOptions::default()));
        }
        p.push(seg(true, PA, c + 101, s + 1, 100, TcpOptions::default()));
        p.push(seg(false, A, s + 1, c + 201, 0, TcpOptions::default()));
        p
    }

    /// `records` with these IP IDs, client's and server's packets in order.
    fn with_ids(mut records: Vec<PacketRecord>, client: &[u16], server: &[u16]) -> Vec<PacketRecord> {
        let (mut c, mut s) = (client.iter(), server.iter());
        for r in &mut records {
            let from_client = r.src.port() == 40000;
            let id = if from_client { c.next() } else { s.next() };
            r.ip.id = *id.expect("an ID for each packet");
        }
        records
    }

    /// IP IDs are compared by how each follows the one before in its
    /// direction (their first values are random in both worlds): a counter
    /// counting on agrees whatever its start, also through 65535 to 0, and a
    /// reply with 0 where the model counts on does not.
    #[test]
    fn ip_ids_are_compared_by_how_they_follow_one_another() {
        let (client, server) = ([100, 101, 102, 103], [0, 500, 501]);
        let model = with_ids(exchange(1000, 5000, false), &client, &server);
        let agree = |kernel: Vec<PacketRecord>| compare(&model, &kernel).divergent() == 0;
        assert!(agree(with_ids(exchange(77, 9000, false), &[7, 8, 9, 10], &[0, 40, 41])));
        assert!(agree(with_ids(exchange(77, 9000, false), &[65534, 65535, 0, 1], &[0, 65535, 0])), "wraps");
        let zero = with_ids(exchange(77, 9000, false), &[7, 8, 9, 10], &[0, 0, 41]);
        let c = compare(&model, &zero);
        let (_, _, step) = c.first_divergence().expect("a reply with 0");
        assert_eq!(step.differs, vec![Field::IpId]);
        assert!(
            step.rule.as_deref().is_some_and(|r| r.contains("IP ID differs (model First, kernel Zero)")),
            "{step:?}"
        );
        let jump = with_ids(exchange(77, 9000, false), &[7, 8, 30, 31], &[0, 40, 41]);
        assert_eq!(compare(&model, &jump).divergent(), 1, "a TCP counter does not jump");
    }

    #[test]
    fn the_same_exchange_with_other_isns_agrees_packet_by_packet() {
        let c = compare(&exchange(1000, 5000, false), &exchange(77, 0xffff_fff0, false));
        assert_eq!((c.agreeing(), c.divergent()), (7, 0), "{c:#?}");
        assert_eq!(c.flows.len(), 1);
        assert_eq!(c.flows[0].key.describe(&[]), "tcp 10.0.0.2 > 10.0.0.1:80 #1");
    }

    #[test]
    fn a_delayed_ack_shows_as_the_one_packet_the_kernel_did_not_send() {
        let c = compare(&exchange(1000, 5000, false), &exchange(77, 9000, true));
        assert_eq!((c.agreeing(), c.divergent()), (6, 1), "{c:#?}");
        let (key, n, step) = c.first_divergence().expect("a divergence");
        assert_eq!((key.nth, n), (1, 5));
        assert!(step.kernel.is_none());
        assert_eq!(
            step.model.as_ref().map(|v| v.to_string()).as_deref(),
            Some("server > client [.] seq 1 ack 101 win 1000 len 0")
        );
        let rule = step.rule.as_deref().unwrap_or("");
        assert!(rule.starts_with("model ACKs every segment; the kernel delays this ACK"), "{rule}");
    }

    #[test]
    fn a_zero_window_ack_only_the_kernel_sent_is_named_as_a_probe_answer() {
        // The server's buffer is full: both ACK the last data with window 0,
        // the client probes, and only the kernel's server answers the probe.
        let closed = |seq: u32, ack: u32| {
            let mut s = seg(false, A, seq, ack, 0, TcpOptions::default());
            if let RecordBody::Tcp(t) = &mut s.body {
                t.window = 0;
            }
            s
        };
        let probe = seg(true, A, 1100, 5001, 0, TcpOptions::default());
        let mut model = exchange(1000, 5000, true);
        model.extend([closed(5001, 1201), probe.clone()]);
        let mut kernel = exchange(1000, 5000, true);
        kernel.extend([closed(5001, 1201), probe, closed(5001, 1201)]);
        let c = compare(&model, &kernel);
        assert_eq!((c.agreeing(), c.divergent()), (8, 1), "{c:#?}");
        let (_, _, step) = c.first_divergence().expect("a divergence");
        assert!(step.model.is_none());
        let rule = step.rule.as_deref().unwrap_or("");
        assert!(rule.contains("zero-window probe") && rule.contains("tcp_oow_rate_limited"), "{rule}");
        // Any other ACK only the kernel sent keeps the general rule.
        let c = compare(&exchange(1000, 5000, true), &exchange(1000, 5000, false));
        let rule = c.first_divergence().and_then(|(_, _, step)| step.rule.clone()).unwrap_or_default();
        assert!(rule.starts_with("kernel sends an ACK the model does not"), "{rule}");
    }

    #[test]
    fn timestamps_on_the_kernels_segments_are_named_and_their_echo_checked() {
        let model = exchange(1000, 5000, false);
        let mut kernel = exchange(1, 2, false);
        // The kernel's packets carry timestamps: TSvals 10, 20, ... each side
        // echoing the peer's last.
        let mut last = [0u32, 0u32];
        for (i, p) in kernel.iter_mut().enumerate() {
            let from_client = p.src.port() == 40000 && *p.src.ip() == Ipv4Addr::from(CLIENT);
            let (me, peer) = if from_client { (0, 1) } else { (1, 0) };
            let val = 10 * (i as u32 + 1);
            if let RecordBody::Tcp(t) = &mut p.body {
                t.options.timestamps = Some((val, last[peer]));
            }
            last[me] = val;
        }
        let c = compare(&model, &kernel);
        assert_eq!(c.divergent(), 7, "every kernel packet carries them");
        let (_, n, step) = c.first_divergence().expect("a divergence");
        assert_eq!(n, 1);
        assert_eq!(step.differs, vec![Field::Timestamps]);
        assert_eq!(
            step.rule.as_deref(),
            Some("kernel segment carries timestamps, model has none (RFC 7323, tcp_timestamps 1)")
        );
        let shown = step.kernel.as_ref().map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(shown, "client > server [S] seq 0 win 1000 len 0 <mss 1460,TS ecr 0,wscale 0>");
        // The third packet (the client's ACK) echoes the server's TSval.
        let third = c.flows[0].steps[2].kernel.as_ref().map(|v| v.to_string()).unwrap_or_default();
        assert!(third.contains("TS ecr peer"), "{third}");
    }

    #[test]
    fn an_extra_option_and_a_missing_flow_are_divergences_with_their_rule() {
        let model = exchange(1000, 5000, false);
        let mut kernel = exchange(1, 2, false);
        if let RecordBody::Tcp(t) = &mut kernel[0].body {
            t.options.sack_permitted = true;
        }
        let c = compare(&model, &kernel);
        let (_, _, step) = c.first_divergence().expect("a divergence");
        assert_eq!(step.rule.as_deref(), Some("kernel SYN offers SACK (SACK_PERM, tcp_sack 1), model does not"));
        // A connection only the model makes: every packet of it diverges.
        let c = compare(&model, &[]);
        assert_eq!((c.agreeing(), c.divergent()), (0, 7));
    }

    #[test]
    fn windows_are_scaled_once_both_syns_carry_a_shift() {
        let mut p = exchange(1, 1, false);
        for r in &mut p[..2] {
            if let RecordBody::Tcp(t) = &mut r.body {
                t.options.window_scale = Some(3);
            }
        }
        let c = compare(&p, &p);
        let shown: Vec<String> =
            c.flows[0].steps.iter().filter_map(|s| s.kernel.as_ref()).map(|v| v.to_string()).collect();
        assert!(shown[0].contains("win 1000 "), "a SYN's window is never scaled: {}", shown[0]);
        assert!(shown[2].contains("win 8000 "), "{}", shown[2]);
    }

    #[test]
    fn the_table_lists_lessons_and_the_check_only_lets_it_shrink() {
        let table = "# Fidelity\n\n| lesson | first divergent packet | rule |\n|---|---|---|\n\
                     | `handshake.sock` | #1 ... | timestamps |\n| zero_window.sock | #4 | window |\n\
                     | tcp_vs_udp.sock (varies) | #18 | segment boundaries |\n";
        let listed = listed_divergent(table);
        let names: Vec<(&str, bool)> = listed.iter().map(|l| (l.lesson.as_str(), l.varies)).collect();
        assert_eq!(names, vec![("handshake.sock", false), ("zero_window.sock", false), ("tcp_vs_udp.sock", true)]);
        // A varying lesson may agree or diverge, but not go uncompared.
        assert_eq!(against_table("tcp_vs_udp.sock", LessonResult::Agrees, &listed), None);
        assert_eq!(against_table("tcp_vs_udp.sock", LessonResult::Diverges, &listed), None);
        assert!(against_table("tcp_vs_udp.sock", LessonResult::Skipped, &listed).is_some());
        assert_eq!(against_table("handshake.sock", LessonResult::Diverges, &listed), None);
        assert_eq!(against_table("tour.sock", LessonResult::Agrees, &listed), None);
        assert_eq!(against_table("udp_loss.sock", LessonResult::Skipped, &listed), None);
        assert_eq!(
            against_table("tour.sock", LessonResult::Diverges, &listed).as_deref(),
            Some("tour.sock diverges and is not in the table")
        );
        assert_eq!(
            against_table("handshake.sock", LessonResult::Agrees, &listed).as_deref(),
            Some("handshake.sock agrees now: take it out of the table")
        );
    }
}
