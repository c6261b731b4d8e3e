//! Lines of text to [`Script`] statements, checking as much as can be checked
//! before running: hosts exist, names were bound earlier, links exist, limits.

use super::ast::*;
use super::error::{Found, ScriptError, ScriptErrorKind, Wanted};
use super::lexer::{lex_line, Tok, Token};
use super::limits::*;
use crate::net::tcp::congestion::CongestionControl;
use crate::net::tcp::segment::TcpFlags;
use crate::net::tcp::state::TcpState;
use crate::net::tcp::TcpConfig;
use crate::net::{Domain, Errno, Ipv4Addr, MsgFlags, Protocol, Shutdown, SockOpt, SocketAddrV4};
use std::collections::{HashMap, HashSet};

pub(crate) const KEYWORDS: [&str; 15] = [
    "seed",
    "host",
    "link",
    "tcp",
    "option",
    "expect",
    "run",
    "drop",
    "partition",
    "repair",
    "hold",
    "release",
    "loss",
    "title",
    "about",
];

/// Parses a whole script. A UTF-8 byte-order mark at its start (an editor's,
/// or a pasted file's) is not part of it; columns count from after it.
pub fn parse(text: &str) -> Result<Script, ScriptError> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(ScriptError::new(1, 1, ScriptErrorKind::ScriptTooLong { bytes: text.len() }));
    }
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut st = State::default();
    let mut script = Script { meta: Meta::default(), seed: None, statements: Vec::new() };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let source = strip_comment(raw).trim();
        if source.is_empty() {
            continue;
        }
        if let Some((key, value)) = meta_line(source) {
            let slot = match key {
                "title" | "title.en" => &mut script.meta.title_en,
                "title.ko" => &mut script.meta.title_ko,
                "about" | "about.en" => &mut script.meta.about_en,
                "about.ko" => &mut script.meta.about_ko,
                other => return Err(ScriptError::expected(line, 1, Wanted::MetaKey, Found::Token(other.to_string()))),
            };
            // The whole line is the text, '#' included.
            let value = raw.split_once(':').map_or(value, |(_, v)| v.trim());
            match slot {
                Some(s) => {
                    s.push(' ');
                    s.push_str(value);
                }
                None => *slot = Some(value.to_string()),
            }
            continue;
        }
        let toks = lex_line(raw, line)?;
        if toks.is_empty() {
            continue;
        }
        let mut p = P { toks: &toks, i: 0, line, end_col: raw.chars().count() + 1 };
        let kind = st.statement(&mut p)?;
        if let StmtKind::Seed { seed } = kind {
            script.seed = Some(seed);
        }
        script.statements.push(Statement { line, source: source.to_string(), kind });
    }
    Ok(script)
}

/// The UTF-8 byte-order mark, U+FEFF at the start of a text.
const BOM: char = '\u{feff}';
const BOM_BYTES: &[u8] = "\u{feff}".as_bytes();

/// A script file's bytes as the text [`parse`] reads: its byte-order mark, if it
/// starts with one, dropped, and bytes that are not UTF-8 refused at the line and
/// column (in characters, as [`parse`] counts them) of the first bad one.
pub fn decode(bytes: &[u8]) -> Result<&str, ScriptError> {
    let bytes = bytes.strip_prefix(BOM_BYTES).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let bad = &bytes[e.valid_up_to()..];
        // What the decoder could not read: the bad sequence, or an unfinished
        // one at the very end.
        let bad = &bad[..e.error_len().unwrap_or(bad.len())];
        // `good` is UTF-8: the decoder read it.
        let good = std::str::from_utf8(good).unwrap_or_default();
        let line_start = good.rfind('\n').map_or(0, |i| i + 1);
        let line = good.matches('\n').count() + 1;
        let col = good[line_start..].chars().count() + 1;
        ScriptError::new(line, col, ScriptErrorKind::InvalidUtf8 { bytes: bad.to_vec() })
    })
}

/// A name being declared is at most [`MAX_NAME_CHARS`] long.
fn short_name(p: &P, col: usize, what: Wanted, name: &str) -> R<()> {
    match name.chars().count() {
        chars if chars > MAX_NAME_CHARS => Err(p.err_at(col, ScriptErrorKind::NameTooLong { what, chars })),
        _ => Ok(()),
    }
}

/// The part of a line before a `#` that is not inside a string.
pub fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if c == '#' {
            return &line[..i];
        }
    }
    line
}

/// `title.en: Some text` → ("title.en", "Some text").
fn meta_line(source: &str) -> Option<(&str, &str)> {
    let (key, value) = source.split_once(':')?;
    let key = key.trim();
    (key.starts_with("title") || key.starts_with("about"))
        .then_some(())
        .filter(|_| key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .map(|_| (key, value.trim()))
}

/// What is known while reading: hosts, links and names bound so far.
#[derive(Default)]
struct State {
    hosts: HashMap<String, Vec<Ipv4Addr>>,
    ips: HashSet<Ipv4Addr>,
    links: HashSet<(String, String)>,
    names: HashSet<(String, String)>,
    /// The TCP settings so far, line by line as the runner will apply them, so
    /// a setting that contradicts an earlier one is refused where it is written.
    tcp: TcpConfig,
    built: bool,
    seeded: bool,
}

/// A cursor over one line's tokens.
struct P<'a> {
    toks: &'a [Token],
    i: usize,
    line: usize,
    end_col: usize,
}

type R<T> = Result<T, ScriptError>;

impl P<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.i + n).map(|t| &t.tok)
    }

    fn col(&self) -> usize {
        self.toks.get(self.i).map_or(self.end_col, |t| t.col)
    }

    fn found(&self) -> Found {
        self.peek().map_or(Found::EndOfLine, Tok::found)
    }

    /// `expected`, and the token here was not it.
    fn err(&self, expected: Wanted) -> ScriptError {
        ScriptError::expected(self.line, self.col(), expected, self.found())
    }

    fn err_at(&self, col: usize, kind: ScriptErrorKind) -> ScriptError {
        ScriptError::new(self.line, col, kind)
    }

    /// `expected`, and `found` at `col`.
    fn wrong(&self, col: usize, expected: Wanted, found: Found) -> ScriptError {
        ScriptError::expected(self.line, col, expected, found)
    }

    fn bump(&mut self) {
        self.i += 1;
    }

    fn word(&mut self, what: Wanted) -> R<(String, usize)> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let out = (w.clone(), self.col());
                self.bump();
                Ok(out)
            }
            _ => Err(self.err(what)),
        }
    }

    fn num(&mut self, what: Wanted) -> R<(String, usize)> {
        match self.peek() {
            Some(Tok::Num(n)) => {
                let out = (n.clone(), self.col());
                self.bump();
                Ok(out)
            }
            _ => Err(self.err(what)),
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.is_word(w);
        if yes {
            self.bump();
        }
        yes
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let yes = self.is_punct(c);
        if yes {
            self.bump();
        }
        yes
    }

    fn punct(&mut self, c: char) -> R<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.err(Wanted::Punct(c)))
        }
    }

    fn end(&self) -> R<()> {
        if self.peek().is_none() {
            Ok(())
        } else {
            Err(self.err(Wanted::EndOfLine))
        }
    }

    fn int<T: TryFrom<u64>>(&mut self, what: Wanted, max: u64) -> R<T> {
        let col = self.col();
        let (n, _) = self.num(what.clone())?;
        let Some(value) = parse_uint(&n) else {
            return Err(self.wrong(col, what, Found::Token(n)));
        };
        if value > max {
            return Err(self.err_at(col, ScriptErrorKind::OverLimit { what, value, max }));
        }
        T::try_from(value).map_err(|_| self.err_at(col, ScriptErrorKind::OutOfRange { what, value }))
    }

    fn duration(&mut self) -> R<u64> {
        let col = self.col();
        let (n, _) = self.num(Wanted::Duration)?;
        parse_duration(&n).map_err(|m| self.err_at(col, m))
    }

    fn percent(&mut self) -> R<f64> {
        let col = self.col();
        let (n, _) = self.num(Wanted::Percentage)?;
        let Some(v) = parse_decimal(&n).filter(|v| (0.0..=100.0).contains(v)) else {
            return Err(self.wrong(col, Wanted::PercentageInRange, Found::Token(n)));
        };
        self.punct('%')?;
        Ok(v / 100.0)
    }

    fn ip(&mut self) -> R<Ipv4Addr> {
        let col = self.col();
        let (n, _) = self.num(Wanted::Ipv4)?;
        n.parse::<Ipv4Addr>().map_err(|_| self.wrong(col, Wanted::Ipv4, Found::Token(n)))
    }

    fn onoff(&mut self) -> R<bool> {
        let col = self.col();
        let text = match self.peek() {
            Some(Tok::Word(w) | Tok::Num(w)) => w.to_ascii_lowercase(),
            _ => return Err(self.err(Wanted::OnOff)),
        };
        self.bump();
        match text.as_str() {
            "on" | "true" | "yes" | "1" => Ok(true),
            "off" | "false" | "no" | "0" => Ok(false),
            _ => Err(self.wrong(col, Wanted::OnOff, Found::Token(text))),
        }
    }
}

pub(crate) fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_decimal(s: &str) -> Option<f64> {
    let ok = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|&b| b == b'.').count() <= 1
        && s.bytes().next().is_some_and(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

/// `200ms`, `1.5s`, `10us`, `2min`, `1h` → microseconds (at most one day).
pub(crate) fn parse_duration(s: &str) -> Result<u64, ScriptErrorKind> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let mult: u128 = match unit {
        "us" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "min" => 60_000_000,
        "h" => 3_600_000_000,
        "" => return Err(expected(Wanted::DurationWithUnit, s)),
        _ => return Err(expected(Wanted::DurationUnit, s)),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() || frac.contains('.') || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
        return Err(expected(Wanted::DurationShape, s));
    }
    let too_long = || ScriptErrorKind::DurationTooLong { text: s.to_string() };
    let int: u128 = int.parse().map_err(|_| too_long())?;
    let frac_val: u128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| too_long())? };
    let scale = 10u128.pow(frac.len() as u32);
    let us = int.checked_mul(mult).ok_or_else(too_long)? + frac_val * mult / scale;
    if us > u128::from(MAX_TIME_US) {
        return Err(too_long());
    }
    Ok(us as u64)
}

/// `10mbit`, `512kbit`, `1gbit`, `9600bit` (also `bps`, `kbps`, ...) → bits per second.
fn parse_bandwidth(s: &str) -> Result<u64, ScriptErrorKind> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "bit" | "bps" => 1,
        "kbit" | "kbps" => 1_000,
        "mbit" | "mbps" => 1_000_000,
        "gbit" | "gbps" => 1_000_000_000,
        _ => return Err(expected(Wanted::BandwidthWithUnit, s)),
    };
    let n = parse_uint(num).ok_or_else(|| expected(Wanted::Bandwidth, s))?;
    match n.checked_mul(mult) {
        Some(v) if v > 0 && v <= 100_000_000_000 => Ok(v),
        _ => Err(ScriptErrorKind::BandwidthOutOfRange { text: s.to_string() }),
    }
}

/// `expected {what}, found '{token}'`, for a token read whole and found wanting.
fn expected(what: Wanted, token: &str) -> ScriptErrorKind {
    ScriptErrorKind::Expected { expected: what, found: Found::Token(token.to_string()) }
}

impl State {
    fn statement(&mut self, p: &mut P) -> R<StmtKind> {
        if p.eat_punct('+') {
            let us = p.duration()?;
            p.end()?;
            return Ok(StmtKind::Advance { us });
        }
        if matches!(p.peek(), Some(Tok::Word(_))) && p.peek_at(1) == Some(&Tok::Punct(':')) {
            return self.call_line(p);
        }
        let (kw, col) = p.word(Wanted::Statement)?;
        let kind = match kw.as_str() {
            "seed" => {
                if self.seeded {
                    return Err(p.wrong(col, Wanted::OneSeed, Found::SecondSeed));
                }
                if self.built {
                    return Err(p.wrong(col, Wanted::SeedFirst, Found::SeedLater));
                }
                self.seeded = true;
                StmtKind::Seed { seed: p.int(Wanted::SeedNumber, u64::MAX)? }
            }
            "host" => self.host(p)?,
            "link" => self.link(p)?,
            "tcp" => {
                let setting_col = p.col();
                let setting = tcp_setting(p)?;
                let mut tcp = self.tcp.clone();
                setting.apply(&mut tcp);
                if let Some(conflict) = tcp.conflict() {
                    return Err(p.err_at(setting_col, ScriptErrorKind::TcpSettingsConflict { conflict }));
                }
                self.tcp = tcp;
                StmtKind::Tcp { setting }
            }
            "option" => {
                // `option ack immediate|delayed`: the one switch between
                // Linux's ACK timing and an ACK for every segment.
                if !p.eat_word("ack") {
                    return Err(p.err(Wanted::AckOption));
                }
                let col = p.col();
                let setting = if p.eat_word("immediate") {
                    TcpSetting::DelayedAck(false)
                } else if p.eat_word("delayed") {
                    TcpSetting::DelayedAck(true)
                } else {
                    return Err(p.wrong(col, Wanted::AckOption, p.found()));
                };
                setting.apply(&mut self.tcp);
                StmtKind::Tcp { setting }
            }
            "run" => StmtKind::Run,
            "expect" => self.expect(p)?,
            "drop" => {
                if !p.eat_word("next") {
                    return Err(p.err(Wanted::DropNext));
                }
                let n = p.int(Wanted::PacketCount, 1_000_000)?;
                let _ = p.eat_word("packets") || p.eat_word("packet");
                let _ = p.eat_word("on");
                let (a, b, one_way) = self.path(p, true)?;
                StmtKind::Fault { a, b, one_way, fault: Fault::DropNext(n) }
            }
            "partition" | "repair" | "hold" | "release" => {
                let (a, b, one_way) = self.path(p, true)?;
                let fault = match kw.as_str() {
                    "partition" => Fault::Partition,
                    "repair" => Fault::Repair,
                    "hold" => Fault::Hold,
                    _ => Fault::Release,
                };
                StmtKind::Fault { a, b, one_way, fault }
            }
            "loss" => {
                let (a, b, one_way) = self.path(p, true)?;
                StmtKind::Fault { a, b, one_way, fault: Fault::Loss(p.percent()?) }
            }
            _ => {
                let e = if self.hosts.contains_key(&kw) {
                    p.wrong(col, Wanted::ColonAfterHost(kw), p.found())
                } else {
                    p.wrong(col, Wanted::StatementKeyword, Found::Token(kw))
                };
                return Err(e);
            }
        };
        if !matches!(kind, StmtKind::Seed { .. } | StmtKind::Tcp { .. }) {
            self.built = true;
        }
        p.end()?;
        Ok(kind)
    }

    fn host_name(&self, p: &mut P) -> R<String> {
        let col = p.col();
        let (name, _) = p.word(Wanted::HostName)?;
        if !self.hosts.contains_key(&name) {
            let mut declared: Vec<String> = self.hosts.keys().cloned().collect();
            declared.sort();
            return Err(p.wrong(col, Wanted::DeclaredHost, Found::UndeclaredHost { name, declared }));
        }
        Ok(name)
    }

    fn host(&mut self, p: &mut P) -> R<StmtKind> {
        let col = p.col();
        let (name, _) = p.word(Wanted::HostName)?;
        if KEYWORDS.contains(&name.as_str()) {
            return Err(p.wrong(col, Wanted::HostName, Found::Keyword(name)));
        }
        short_name(p, col, Wanted::HostName, &name)?;
        if self.hosts.contains_key(&name) && matches!(p.peek(), Some(Tok::Word(_))) {
            return Ok(StmtKind::HostTcp { host: name, setting: host_tcp_setting(p)? });
        }
        if self.hosts.contains_key(&name) {
            return Err(p.wrong(col, Wanted::NewHostName, Found::DeclaredAlready(name)));
        }
        if self.hosts.len() >= MAX_HOSTS {
            return Err(p.err_at(col, ScriptErrorKind::TooManyHosts));
        }
        let mut addrs = Vec::new();
        loop {
            let col = p.col();
            let ip = p.ip()?;
            if crate::net::addr::is_loopback(ip) {
                return Err(p.wrong(col, Wanted::NonLoopback, Found::Loopback(ip)));
            }
            if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
                return Err(p.wrong(col, Wanted::Unicast, Found::Address(ip)));
            }
            if !self.ips.insert(ip) || addrs.contains(&ip) {
                return Err(p.wrong(col, Wanted::UnusedAddress, Found::Taken(ip)));
            }
            addrs.push(ip);
            if addrs.len() > MAX_ADDRS_PER_HOST {
                return Err(p.err_at(col, ScriptErrorKind::TooManyAddresses));
            }
            if !p.eat_punct(',') {
                break;
            }
        }
        self.hosts.insert(name.clone(), addrs.clone());
        Ok(StmtKind::Host { name, addrs })
    }

    /// `a b`, `a > b`; with `must_be_linked`, a link must join them.
    fn path(&mut self, p: &mut P, must_be_linked: bool) -> R<(String, String, bool)> {
        let col = p.col();
        let a = self.host_name(p)?;
        let one_way = p.eat_punct('>');
        let bcol = p.col();
        let b = self.host_name(p)?;
        if a == b {
            return Err(p.wrong(bcol, Wanted::OtherHost(a), Found::Again(b)));
        }
        if must_be_linked && !self.links.contains(&key(&a, &b)) {
            return Err(p.wrong(col, Wanted::LinkBetween(a.clone(), b.clone()), Found::NoLink { a, b }));
        }
        Ok((a, b, one_way))
    }

    fn link(&mut self, p: &mut P) -> R<StmtKind> {
        let col = p.col();
        let (a, b, one_way) = self.path(p, false)?;
        if self.links.len() >= MAX_LINKS && !self.links.contains(&key(&a, &b)) {
            return Err(p.err_at(col, ScriptErrorKind::TooManyLinks));
        }
        self.links.insert(key(&a, &b));
        let mut settings = Vec::new();
        while p.peek().is_some() {
            let col = p.col();
            let (k, _) = p.word(Wanted::LinkSetting)?;
            settings.push(match k.as_str() {
                "latency" | "delay" => LinkSetting::Latency(p.duration()?),
                "jitter" => LinkSetting::Jitter(p.duration()?),
                "bandwidth" | "rate" => {
                    let c = p.col();
                    let (n, _) = p.num(Wanted::Bandwidth)?;
                    LinkSetting::Bandwidth(parse_bandwidth(&n).map_err(|m| p.err_at(c, m))?)
                }
                "loss" => LinkSetting::Loss(p.percent()?),
                "dup" | "duplicate" => LinkSetting::Dup(p.percent()?),
                "reorder" => LinkSetting::Reorder(p.percent()?),
                "reorder_delay" => LinkSetting::ReorderDelay(p.duration()?),
                "corrupt" => LinkSetting::Corrupt(p.percent()?),
                "truncate" => LinkSetting::Truncate(p.percent()?),
                "mtu" => {
                    let c = p.col();
                    let mtu: u32 = p.int(Wanted::Mtu, 65_535)?;
                    if mtu < 68 {
                        return Err(p.wrong(c, Wanted::MtuInRange, Found::Number(u64::from(mtu))));
                    }
                    LinkSetting::Mtu(mtu)
                }
                other => return Err(p.wrong(col, Wanted::LinkSetting, Found::Token(other.to_string()))),
            });
        }
        Ok(StmtKind::Link { a, b, one_way, settings })
    }

    fn fd_ref(&self, p: &mut P, host: &str) -> R<FdRef> {
        let col = p.col();
        match p.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                if !self.names.contains(&(host.to_string(), w.clone())) {
                    let wanted = Wanted::NamedDescriptor { host: host.to_string(), name: w.clone() };
                    return Err(p.wrong(col, wanted, Found::Token(w)));
                }
                p.bump();
                Ok(FdRef::Name(w))
            }
            Some(Tok::Num(_)) => Ok(FdRef::Num(p.int(Wanted::DescriptorNumber, i32::MAX as u64)?)),
            _ => Err(p.err(Wanted::Descriptor)),
        }
    }

    /// `IP:PORT`, `*:PORT` or `HOST:PORT`.
    fn addr(&self, p: &mut P) -> R<SocketAddrV4> {
        let col = p.col();
        let ip = match p.peek() {
            Some(Tok::Punct('*')) => {
                p.bump();
                Ipv4Addr::UNSPECIFIED
            }
            Some(Tok::Num(_)) => p.ip()?,
            Some(Tok::Word(w)) => match self.hosts.get(w).and_then(|a| a.first()) {
                Some(ip) => {
                    p.bump();
                    *ip
                }
                None => return Err(p.wrong(col, Wanted::AddressOrHost, Found::Token(w.clone()))),
            },
            _ => return Err(p.err(Wanted::Address)),
        };
        p.punct(':')?;
        let port = p.int(Wanted::PortNumber, 65_535)?;
        Ok(SocketAddrV4::new(ip, port))
    }

    fn data(&self, p: &mut P) -> R<Data> {
        match p.peek() {
            Some(Tok::Str(s)) => {
                let s = s.clone();
                if s.len() > MAX_PAYLOAD {
                    return Err(p.err(Wanted::PayloadAtMost(MAX_PAYLOAD)));
                }
                p.bump();
                Ok(Data::Text(s))
            }
            Some(Tok::Num(_)) => {
                let col = p.col();
                let n = p.int::<u64>(Wanted::ByteCount, u64::MAX)?;
                if n > MAX_PAYLOAD as u64 {
                    return Err(p.err_at(col, ScriptErrorKind::PayloadTooLarge { bytes: n }));
                }
                if !p.eat_word("bytes") && !p.eat_word("byte") {
                    return Err(p.err(Wanted::BytesWord));
                }
                Ok(Data::Bytes(n as usize))
            }
            _ => Err(p.err(Wanted::Data)),
        }
    }

    fn call_line(&mut self, p: &mut P) -> R<StmtKind> {
        let host = self.host_name(p)?;
        p.punct(':')?;
        self.built = true;
        let mut bind = None;
        if matches!(p.peek(), Some(Tok::Word(_))) && p.peek_at(1) == Some(&Tok::Punct('=')) {
            let col = p.col();
            let (name, _) = p.word(Wanted::Name)?;
            short_name(p, col, Wanted::Name, &name)?;
            p.punct('=')?;
            bind = Some((name, col));
        }
        let ccol = p.col();
        let (name, _) = p.word(Wanted::SocketCall)?;
        p.punct('(')?;
        let h = host.as_str();
        let call = match name.as_str() {
            "socket" => {
                let mut domain = Domain::Inet;
                if p.eat_word("inet6") {
                    domain = Domain::Inet6;
                    p.punct(',')?;
                } else if p.eat_word("inet") {
                    p.punct(',')?;
                }
                let col = p.col();
                let (proto, _) = p.word(Wanted::Protocol)?;
                let protocol = match proto.to_ascii_lowercase().as_str() {
                    "tcp" | "sock_stream" => Protocol::Tcp,
                    "udp" | "sock_dgram" => Protocol::Udp,
                    _ => return Err(p.wrong(col, Wanted::Protocol, Found::Token(proto))),
                };
                CallSpec::Socket { domain, protocol }
            }
            "connect"
                if p.peek_at(2).is_some_and(|t| matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("AF_UNSPEC"))) =>
            {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                p.bump();
                CallSpec::Disconnect { fd }
            }
            "bind" | "connect" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let addr = self.addr(p)?;
                if name == "bind" {
                    CallSpec::Bind { fd, addr }
                } else {
                    CallSpec::Connect { fd, addr }
                }
            }
            "listen" => {
                let fd = self.fd_ref(p, h)?;
                let backlog = if p.eat_punct(',') { p.int(Wanted::Backlog, u32::MAX as u64)? } else { 128 };
                CallSpec::Listen { fd, backlog }
            }
            "accept" => CallSpec::Accept { fd: self.fd_ref(p, h)? },
            "close" => CallSpec::Close { fd: self.fd_ref(p, h)? },
            "send" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                CallSpec::Send { fd, data: self.data(p)? }
            }
            "sendto" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let data = self.data(p)?;
                let addr = if p.eat_punct(',') { Some(self.addr(p)?) } else { None };
                CallSpec::SendTo { fd, data, addr }
            }
            "recv" | "recvfrom" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let len = p.int::<u64>(Wanted::BufferSize, MAX_PAYLOAD as u64)? as usize;
                let flags = if p.eat_punct(',') { msg_flags(p)? } else { MsgFlags::default() };
                let from = name == "recvfrom";
                match (flags == MsgFlags::default(), from) {
                    (true, false) => CallSpec::Recv { fd, len },
                    (true, true) => CallSpec::RecvFrom { fd, len },
                    (false, _) => CallSpec::RecvFlags { fd, len, flags, from },
                }
            }
            "getsockname" => CallSpec::GetSockName { fd: self.fd_ref(p, h)? },
            "getpeername" => CallSpec::GetPeerName { fd: self.fd_ref(p, h)? },
            "getsockopt" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let col = p.col();
                let (opt, _) = p.word(Wanted::GetSockOpt)?;
                if !opt.eq_ignore_ascii_case("SO_ERROR") {
                    return Err(p.wrong(col, Wanted::GetSockOpt, Found::Token(opt)));
                }
                CallSpec::GetSockError { fd }
            }
            "shutdown" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let col = p.col();
                let (how, _) = p.word(Wanted::ShutdownHow)?;
                let how = match how.to_ascii_lowercase().as_str() {
                    "rd" | "shut_rd" => Shutdown::Read,
                    "wr" | "shut_wr" => Shutdown::Write,
                    "rdwr" | "shut_rdwr" => Shutdown::Both,
                    _ => return Err(p.wrong(col, Wanted::ShutdownHow, Found::Token(how))),
                };
                CallSpec::Shutdown { fd, how }
            }
            "setsockopt" => {
                let fd = self.fd_ref(p, h)?;
                p.punct(',')?;
                let col = p.col();
                let (opt, _) = p.word(Wanted::SockOptWord)?;
                p.punct(',')?;
                let opt = match opt.to_ascii_uppercase().as_str() {
                    "SO_REUSEADDR" => SockOpt::ReuseAddr(p.onoff()?),
                    "O_NONBLOCK" => SockOpt::NonBlocking(p.onoff()?),
                    "TCP_NODELAY" => SockOpt::NoDelay(p.onoff()?),
                    "TCP_QUICKACK" => SockOpt::QuickAck(p.onoff()?),
                    "SO_RCVBUF" => SockOpt::RcvBuf(p.int::<u64>(Wanted::BufferSize, MAX_PAYLOAD as u64)? as usize),
                    "SO_SNDBUF" => SockOpt::SndBuf(p.int::<u64>(Wanted::BufferSize, MAX_PAYLOAD as u64)? as usize),
                    "SO_LINGER" => linger(p)?,
                    "TCP_CONGESTION" => SockOpt::Congestion(congestion_control(p)?),
                    _ => return Err(p.wrong(col, Wanted::SockOpt, Found::Token(opt))),
                };
                CallSpec::SetSockOpt { fd, opt }
            }
            other => return Err(p.wrong(ccol, Wanted::SocketCall, Found::Token(other.to_string()))),
        };
        p.punct(')')?;
        if let Some((n, col)) = &bind {
            if !call.returns_fd() {
                return Err(p.wrong(*col, Wanted::FdCall { name: n.clone() }, Found::Call(name)));
            }
            self.names.insert((host.clone(), n.clone()));
        }
        let expect = if p.eat_punct('=') { Some(result_expect(p)?) } else { None };
        p.end()?;
        Ok(StmtKind::Call(CallStmt { host, bind: bind.map(|(n, _)| n), call, expect }))
    }

    fn expect(&mut self, p: &mut P) -> R<StmtKind> {
        if p.peek_at(1) == Some(&Tok::Punct('>')) {
            return self.expect_packet(p);
        }
        let col = p.col();
        let (what, _) = p.word(Wanted::ExpectWhat)?;
        if what == "state" {
            let host = self.host_name(p)?;
            let fd = self.fd_ref(p, &host)?;
            let scol = p.col();
            let (s, _) = p.word(Wanted::TcpStateWord)?;
            let Some(state) = TcpState::from_name(&s) else {
                return Err(p.wrong(scol, Wanted::TcpState, Found::Token(s)));
            };
            let now = p.eat_word("now");
            return Ok(StmtKind::ExpectState { host, fd, state, now });
        }
        let counter = match what.as_str() {
            "sent" => Counter::Sent,
            "lost" => Counter::Lost,
            "duplicated" => Counter::Duplicated,
            "reordered" => Counter::Reordered,
            "delivered" => Counter::Delivered,
            "dropped" => Counter::Dropped,
            "cwnd" => Counter::Cwnd,
            "ssthresh" => Counter::Ssthresh,
            "unread" => Counter::Unread,
            other => return Err(p.wrong(col, Wanted::ExpectAfter, Found::Token(other.to_string()))),
        };
        let target = if counter.of_socket() {
            let host = self.host_name(p)?;
            let fd = self.fd_ref(p, &host)?;
            CountTarget::Socket { host, fd, mss: false, now: false }
        } else if matches!(p.peek(), Some(Tok::Word(_))) {
            let col = p.col();
            let (from, to, one_way) = self.path(p, false)?;
            if !one_way {
                return Err(p.err_at(col, ScriptErrorKind::Direction { from, to }));
            }
            CountTarget::Path { from, to }
        } else {
            CountTarget::All
        };
        let col = p.col();
        let (n, _) = p.num(Wanted::CountOrRange)?;
        let range = match n.split_once("..") {
            Some((lo, hi)) => (parse_uint(lo), parse_uint(hi)),
            None => (parse_uint(&n), parse_uint(&n)),
        };
        let range = match range {
            (Some(lo), Some(hi)) if lo <= hi => (lo, hi),
            _ => return Err(p.wrong(col, Wanted::CountOrRange, Found::Token(n))),
        };
        let target = match target {
            CountTarget::Socket { host, fd, .. } => {
                let mss = counter.of_congestion() && p.eat_word("mss");
                let now = p.eat_word("now");
                CountTarget::Socket { host, fd, mss, now }
            }
            t => t,
        };
        Ok(StmtKind::ExpectCount { counter, target, range })
    }

    fn expect_packet(&mut self, p: &mut P) -> R<StmtKind> {
        let (from, to, _) = self.path(p, false)?;
        let eventually = p.eat_word("eventually");
        let col = p.col();
        let kind = match p.peek() {
            Some(Tok::Flags(f)) => {
                let f = f.clone();
                p.bump();
                let Some(flags) = TcpFlags::from_tcpdump(&f) else {
                    return Err(p.wrong(col, Wanted::TcpFlags, Found::Token(format!("[{f}]"))));
                };
                PacketKind::Tcp(flags)
            }
            Some(Tok::Word(w)) if w == "udp" => {
                p.bump();
                PacketKind::Udp
            }
            Some(Tok::Word(w)) if w == "icmp" => {
                p.bump();
                PacketKind::Icmp
            }
            _ => return Err(p.err(Wanted::Packet)),
        };
        let mut pattern = PacketPattern {
            kind,
            seq: None,
            ack: None,
            raw_seq: None,
            raw_ack: None,
            len: None,
            win: None,
            sack: None,
        };
        let mut time = None;
        while p.peek().is_some() {
            let col = p.col();
            if p.eat_punct('+') {
                time = Some(packet_time(p, TimeRef::AfterPrevious)?);
                continue;
            }
            let (field, _) = p.word(Wanted::PacketField)?;
            let raw = p.eat_punct('=');
            match field.as_str() {
                "seq" if raw => pattern.raw_seq = Some(p.int(Wanted::SequenceNumber, u32::MAX as u64)?),
                "ack" if raw => pattern.raw_ack = Some(p.int(Wanted::AckNumber, u32::MAX as u64)?),
                _ if raw => return Err(p.wrong(col, Wanted::PacketField, Found::Token(format!("{field}=")))),
                "at" => time = Some(packet_time(p, TimeRef::Absolute)?),
                "seq" => pattern.seq = Some(p.int(Wanted::SequenceNumber, u32::MAX as u64)?),
                "ack" => pattern.ack = Some(p.int(Wanted::AckNumber, u32::MAX as u64)?),
                "len" | "length" => pattern.len = Some(p.int::<u64>(Wanted::Length, MAX_PAYLOAD as u64)? as usize),
                "win" => pattern.win = Some(p.int(Wanted::Window, u32::MAX as u64)?),
                "sack" => {
                    let mut blocks = Vec::new();
                    loop {
                        let left = p.int(Wanted::SackBlock, u32::MAX as u64)?;
                        if !p.eat_punct(':') {
                            return Err(p.err(Wanted::SackBlock));
                        }
                        blocks.push((left, p.int(Wanted::SackBlock, u32::MAX as u64)?));
                        if blocks.len() > 4 || !p.eat_punct(',') {
                            break;
                        }
                    }
                    pattern.sack = Some(blocks);
                }
                other => return Err(p.wrong(col, Wanted::PacketField, Found::Token(other.to_string()))),
            }
        }
        Ok(StmtKind::ExpectPacket(PacketExpect { from, to, eventually, pattern, time }))
    }
}

/// The duration after `at` or `+`, and its tolerance after `~` if given.
fn packet_time(p: &mut P, at: fn(u64) -> TimeRef) -> R<PacketTime> {
    let at = at(p.duration()?);
    let tolerance_us = if p.eat_punct('~') { p.duration()? } else { DEFAULT_PACKET_TOLERANCE_US };
    Ok(PacketTime { at, tolerance_us })
}

fn key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn result_expect(p: &mut P) -> R<ResultExpect> {
    let col = p.col();
    match p.peek().cloned() {
        Some(Tok::Punct('-')) => {
            p.bump();
            let (n, _) = p.num(Wanted::MinusOne)?;
            if n != "1" {
                return Err(p.wrong(col, Wanted::MinusOneErrno, Found::Negative(format!("-{n}"))));
            }
            errno(p)
        }
        Some(Tok::Word(_)) => errno(p),
        Some(Tok::Num(n)) if n.matches('.').count() == 3 && !n.contains("..") => {
            let ip = p.ip()?;
            p.punct(':')?;
            Ok(ResultExpect::Addr { ip, ports: port_range(p)? })
        }
        Some(Tok::Num(_)) => {
            let n = p.int::<u64>(Wanted::Number, i64::MAX as u64)?;
            let _ = p.eat_word("bytes") || p.eat_word("byte");
            if p.eat_word("from") {
                return Ok(ResultExpect::BytesFrom { len: n, from: sender(p)? });
            }
            Ok(ResultExpect::Int(n as i64))
        }
        Some(Tok::Flags(inside)) => {
            p.bump();
            match inside.trim() {
                "0" => Ok(ResultExpect::SockError(None)),
                name => match Errno::from_name(&name.to_ascii_uppercase()) {
                    Some(e) => Ok(ResultExpect::SockError(Some(e))),
                    None => Err(p.wrong(col, Wanted::SockErrorValue, Found::Token(format!("[{inside}]")))),
                },
            }
        }
        Some(Tok::Str(s)) => {
            p.bump();
            let from = if p.eat_word("from") { Some(sender(p)?) } else { None };
            Ok(ResultExpect::Data { data: s, from })
        }
        _ => Err(p.err(Wanted::Result)),
    }
}

/// `IP` or `IP:PORT` after `from`.
fn sender(p: &mut P) -> R<(Ipv4Addr, Option<u16>)> {
    let ip = p.ip()?;
    let port = if p.eat_punct(':') { Some(p.int(Wanted::Port, 65_535)?) } else { None };
    Ok((ip, port))
}

/// `80` or `32768..60999` (inclusive) after an address's `:`.
fn port_range(p: &mut P) -> R<(u16, u16)> {
    let col = p.col();
    let (n, _) = p.num(Wanted::PortOrRange)?;
    let (lo, hi) = n.split_once("..").unwrap_or((&n, &n));
    let port = |s: &str| parse_uint(s).and_then(|v| u16::try_from(v).ok());
    match (port(lo), port(hi)) {
        (Some(lo), Some(hi)) if lo <= hi => Ok((lo, hi)),
        _ => Err(p.wrong(col, Wanted::PortOrRange, Found::Token(n))),
    }
}

/// `MSG_PEEK`, `MSG_TRUNC`, `MSG_PEEK|MSG_TRUNC`, or `0`.
fn msg_flags(p: &mut P) -> R<MsgFlags> {
    let mut flags = MsgFlags::default();
    if matches!(p.peek(), Some(Tok::Num(n)) if n == "0") {
        p.bump();
        return Ok(flags);
    }
    loop {
        let col = p.col();
        let (w, _) = p.word(Wanted::MsgFlag)?;
        match w.to_ascii_uppercase().as_str() {
            "MSG_PEEK" => flags.peek = true,
            "MSG_TRUNC" => flags.trunc = true,
            _ => return Err(p.wrong(col, Wanted::MsgFlag, Found::Token(w))),
        }
        if !p.eat_punct('|') {
            return Ok(flags);
        }
    }
}

/// `{0, N}` or `{1, 0}` after `SO_LINGER`. `{1, N}` with N above zero (a
/// `close` that blocks until its data is acknowledged or N seconds pass) is
/// refused: the model has no lingering close.
fn linger(p: &mut P) -> R<SockOpt> {
    let col = p.col();
    p.punct('{')?;
    let on = p.onoff()?;
    p.punct(',')?;
    let secs: u32 = p.int(Wanted::LingerSeconds, u64::from(u32::MAX))?;
    p.punct('}')?;
    if on && secs > 0 {
        return Err(p.wrong(col, Wanted::Linger, Found::Token(format!("{{1, {secs}}}"))));
    }
    Ok(SockOpt::Linger { on, secs })
}

/// A congestion control by its Linux name, quoted as in C or bare: `"cubic"`, `reno`.
fn congestion_control(p: &mut P) -> R<CongestionControl> {
    let col = p.col();
    let name = match p.peek() {
        Some(Tok::Str(s)) => String::from_utf8_lossy(s).into_owned(),
        Some(Tok::Word(w)) => w.clone(),
        _ => return Err(p.err(Wanted::CongestionControl)),
    };
    p.bump();
    CongestionControl::from_name(&name.to_ascii_lowercase())
        .ok_or_else(|| p.wrong(col, Wanted::CongestionControl, Found::Token(name)))
}

fn errno(p: &mut P) -> R<ResultExpect> {
    let col = p.col();
    let (w, _) = p.word(Wanted::ErrnoWord)?;
    match Errno::from_name(&w.to_ascii_uppercase()) {
        Some(e) => Ok(ResultExpect::Errno(e)),
        None => Err(p.wrong(col, Wanted::Errno, Found::Token(w))),
    }
}

fn tcp_setting(p: &mut P) -> R<TcpSetting> {
    let col = p.col();
    let (k, _) = p.word(Wanted::TcpSettingWord)?;
    Ok(match k.as_str() {
        "syn_retries" => TcpSetting::SynRetries(p.int(Wanted::Count, 100)?),
        "syn_linear_timeouts" => TcpSetting::SynLinearTimeouts(p.int(Wanted::Count, 100)?),
        "synack_retries" => TcpSetting::SynackRetries(p.int(Wanted::Count, 100)?),
        "data_retries" | "retries2" => TcpSetting::DataRetries(p.int(Wanted::Count, 100)?),
        "rto_initial" => TcpSetting::RtoInitial(positive(p)?),
        "rto_min" => TcpSetting::RtoMin(positive(p)?),
        "rto_max" => TcpSetting::RtoMax(positive(p)?),
        "msl" => TcpSetting::Msl(p.duration()?),
        "fin_timeout" => TcpSetting::FinTimeout(p.duration()?),
        "initial_cwnd" => {
            let c = p.col();
            let n: u32 = p.int(Wanted::SegmentCount, 1000)?;
            if n == 0 {
                return Err(p.wrong(c, Wanted::OneSegment, Found::Number(0)));
            }
            TcpSetting::InitialCwnd(n)
        }
        "delayed_ack_time" => TcpSetting::DelayedAckTime(positive(p)?),
        "nagle" => TcpSetting::Nagle(p.onoff()?),
        "send_buffer" | "recv_buffer" => {
            let c = p.col();
            let n = p.int::<u64>(Wanted::SizeInBytes, MAX_PAYLOAD as u64)? as usize;
            if n == 0 {
                return Err(p.wrong(c, Wanted::OneByteBuffer, Found::Number(0)));
            }
            if k == "send_buffer" {
                TcpSetting::SendBuffer(n)
            } else {
                TcpSetting::RecvBuffer(n)
            }
        }
        "window_scaling" => TcpSetting::WindowScaling(p.onoff()?),
        "congestion" => TcpSetting::Congestion(congestion_control(p)?),
        other => return Err(p.wrong(col, Wanted::TcpSetting, Found::Token(other.to_string()))),
    })
}

/// A sysctl one host keeps apart from the others: `host NAME tcp_timestamps 0`.
fn host_tcp_setting(p: &mut P) -> R<HostTcpSetting> {
    let col = p.col();
    let (k, _) = p.word(Wanted::HostTcpSetting)?;
    Ok(match k.as_str() {
        "tcp_timestamps" => HostTcpSetting::Timestamps(p.onoff()?),
        "tcp_sack" => HostTcpSetting::Sack(p.onoff()?),
        "tcp_early_retrans" => {
            HostTcpSetting::EarlyRetrans(sysctl_switch(p, Wanted::EarlyRetrans, &["0", "1", "2"], &["3", "4"])?)
        }
        "tcp_frto" => HostTcpSetting::Frto(sysctl_switch(p, Wanted::Frto, &["0"], &["1", "2"])?),
        other => return Err(p.wrong(col, Wanted::HostTcpSetting, Found::Token(other.to_string()))),
    })
}

/// A sysctl Linux reads as a switch from a number: `off` lists the values
/// that turn it off, `on` those that turn it on (`tcp_early_retrans`: 0 to 2
/// off, 3 and 4 tail loss probes; `tcp_frto`: 0 off, 1 and 2 F-RTO).
fn sysctl_switch(p: &mut P, wanted: Wanted, off: &[&str], on: &[&str]) -> R<bool> {
    let col = p.col();
    let text = match p.peek() {
        Some(Tok::Num(w)) => w.clone(),
        _ => return Err(p.err(wanted)),
    };
    p.bump();
    if off.contains(&text.as_str()) {
        Ok(false)
    } else if on.contains(&text.as_str()) {
        Ok(true)
    } else {
        Err(p.wrong(col, wanted, Found::Token(text)))
    }
}

fn positive(p: &mut P) -> R<u64> {
    let c = p.col();
    let d = p.duration()?;
    if d == 0 {
        return Err(p.wrong(c, Wanted::DurationAboveZero, Found::Number(0)));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Bilingual, Lang};

    const HEAD: &str = "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 10ms\n";

    fn one(line: &str) -> StmtKind {
        let s = parse(&format!("{HEAD}server: l = socket(tcp)\nclient: c = socket(tcp)\n{line}")).unwrap();
        s.statements.last().unwrap().kind.clone()
    }

    fn err(text: &str) -> ScriptError {
        parse(text).unwrap_err()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("200ms"), Ok(200_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration("10us"), Ok(10));
        assert_eq!(parse_duration("2min"), Ok(120_000_000));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("25h").unwrap_err().to_string().contains("one simulated day"));
        assert!(parse_duration("99999999999999999999999999999s").is_err());
    }

    #[test]
    fn a_declared_host_takes_its_own_sysctl() {
        assert_eq!(
            one("host client tcp_sack 0"),
            StmtKind::HostTcp { host: "client".into(), setting: HostTcpSetting::Sack(false) }
        );
        assert_eq!(
            one("host server tcp_sack on"),
            StmtKind::HostTcp { host: "server".into(), setting: HostTcpSetting::Sack(true) }
        );
        let e = err(&format!("{HEAD}host client tcp_sak 0\n"));
        assert!(e.to_string().contains("tcp_sack"), "{e}");
        assert!(err(&format!("{HEAD}host nobody tcp_sack 0\n")).to_string().contains("IPv4"));
        assert!(err(&format!("{HEAD}host client 10.0.0.7\n")).to_string().contains("new host name"));
    }

    #[test]
    fn bandwidths() {
        assert_eq!(parse_bandwidth("10mbit"), Ok(10_000_000));
        assert_eq!(parse_bandwidth("512kbps"), Ok(512_000));
        assert!(parse_bandwidth("10").is_err());
        assert!(parse_bandwidth("0bit").is_err());
    }

    #[test]
    fn calls_and_results() {
        assert_eq!(
            one("client: connect(c, 10.0.0.1:80) = ECONNREFUSED"),
            StmtKind::Call(CallStmt {
                host: "client".into(),
                bind: None,
                call: CallSpec::Connect { fd: FdRef::Name("c".into()), addr: "10.0.0.1:80".parse().unwrap() },
                expect: Some(ResultExpect::Errno(Errno::ECONNREFUSED)),
            })
        );
        match one("client: send(c, 3000 bytes) = 3000") {
            StmtKind::Call(CallStmt { call: CallSpec::Send { data: Data::Bytes(3000), .. }, .. }) => {}
            k => panic!("{k:?}"),
        }
        match one("server: recvfrom(l, 100) = \"x\" from 10.0.0.2:5000") {
            StmtKind::Call(CallStmt {
                expect: Some(ResultExpect::Data { from: Some((_, Some(5000))), .. }), ..
            }) => {}
            k => panic!("{k:?}"),
        }
        match one("client: connect(c, server:80) = -1 ECONNREFUSED") {
            StmtKind::Call(CallStmt { call: CallSpec::Connect { addr, .. }, .. }) => {
                assert_eq!(addr, "10.0.0.1:80".parse().unwrap())
            }
            k => panic!("{k:?}"),
        }
        assert!(matches!(one("server: setsockopt(l, SO_REUSEADDR, 1)"), StmtKind::Call(_)));
        assert!(matches!(one("server: listen(3, 5) = 0"), StmtKind::Call(_)));
    }

    #[test]
    fn expectations() {
        match one("expect client > server [P.] seq 1 ack 1 len 5") {
            StmtKind::ExpectPacket(e) => {
                assert_eq!(e.pattern.kind, PacketKind::Tcp(TcpFlags::PSH | TcpFlags::ACK));
                assert_eq!((e.pattern.seq, e.pattern.ack, e.pattern.len), (Some(1), Some(1), Some(5)));
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(
            one("expect state client c SYN-SENT now"),
            StmtKind::ExpectState {
                host: "client".into(),
                fd: FdRef::Name("c".into()),
                state: TcpState::SynSent,
                now: true
            }
        );
        assert_eq!(
            one("expect lost client > server 2..5"),
            StmtKind::ExpectCount {
                counter: Counter::Lost,
                target: CountTarget::Path { from: "client".into(), to: "server".into() },
                range: (2, 5)
            }
        );
        assert_eq!(
            one("expect lost 3"),
            StmtKind::ExpectCount { counter: Counter::Lost, target: CountTarget::All, range: (3, 3) }
        );
    }

    #[test]
    fn metadata_and_comments() {
        let s = parse(
            "title.en: Hello # not a comment\nabout.ko: 하나\nabout.ko: 둘\n# only a comment\n\nseed 7 # comment\n",
        )
        .unwrap();
        assert_eq!(s.meta.title_en.as_deref(), Some("Hello # not a comment"));
        assert_eq!(s.meta.about_ko.as_deref(), Some("하나 둘"));
        assert_eq!(s.seed, Some(7));
        assert_eq!(s.statements[0].source, "seed 7");
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = err(&format!("{HEAD}clinet: c = socket(tcp)\n"));
        assert_eq!((e.line, e.col), (4, 1));
        assert!(e.message.starts_with("expected a declared host, found 'clinet'"), "{}", e.message);
        let e = err(&format!("{HEAD}client: send(c, \"x\")\n"));
        assert_eq!((e.line, e.col), (4, 14));
        let e = err(&format!("{HEAD}client: c = socket(tcp)\nclient: connect(c, 10.0.0.1) = 0\n"));
        assert_eq!((e.line, e.col), (5, 28));
        assert_eq!(e.message, "expected ':', found ')'");
        let e = err("host a 10.0.0.1\nhost b 10.0.0.1\n");
        assert_eq!((e.line, e.col), (2, 8));
        let e = err("host a 10.0.0.1\nseed 3\n");
        assert!(e.message.contains("before the first host"));
        let e = err(&format!("{HEAD}+10\n"));
        assert_eq!((e.line, e.col), (4, 2));
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_not_the_script() {
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\n";
        assert_eq!(parse(&format!("\u{feff}{text}")), parse(text));
        // Columns count from after it.
        let e = err("\u{feff}host a (\n");
        assert_eq!((e.line, e.col), (1, 8));
        // Anywhere else it is a character like any other, escaped in the message.
        let e = err("host a 10.0.0.1\n\u{feff}host b 10.0.0.2\n");
        assert_eq!(
            (e.line, e.col, e.message.as_str()),
            (2, 1, "expected a word, number, string or punctuation, found '\\u{feff}'")
        );
        assert_eq!(decode(b"\xef\xbb\xbfhost a 10.0.0.1\n"), Ok("host a 10.0.0.1\n"));
        assert_eq!(decode(b"host a 10.0.0.1\n"), Ok("host a 10.0.0.1\n"));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_where_they_are() {
        let at = |bytes: &[u8]| {
            let e = decode(bytes).unwrap_err();
            (e.line, e.col, e.message)
        };
        assert_eq!(
            at(b"host a 10.0.0.1\nhost b \xff10.0.0.2\n"),
            (2, 8, "invalid UTF-8: '\\xff' is not a character (a script is UTF-8 text)".to_string())
        );
        // Columns in characters: the Hangul before it is one column each; a BOM is none.
        assert_eq!(
            at("\u{feff}# 한글 ".as_bytes().iter().chain(b"\xc3\x28").copied().collect::<Vec<_>>().as_slice()).1,
            6
        );
        assert_eq!(at(b"a\r\nb\r\n\xc3\x28").0, 3);
        // An unfinished character at the very end, and a lone continuation byte.
        assert_eq!(
            at(b"host a\n\xe2\x82"),
            (2, 1, "invalid UTF-8: '\\xe2\\x82' is not a character (a script is UTF-8 text)".to_string())
        );
        assert_eq!(at(b"\x80").2, "invalid UTF-8: '\\x80' is not a character (a script is UTF-8 text)");
        let e = decode(b"\xff").unwrap_err();
        assert_eq!(e.kind.say(Lang::Ko), "UTF-8이 아닌 바이트 '\\xff': 스크립트는 UTF-8 텍스트여야 합니다");
    }

    #[test]
    fn names_are_at_most_forty_characters() {
        let at = "h".repeat(MAX_NAME_CHARS);
        let over = "h".repeat(MAX_NAME_CHARS + 1);
        assert!(parse(&format!("host {at} 10.0.0.1\n{at}: {at} = socket(tcp)\n")).is_ok());
        let e = err(&format!("host {over} 10.0.0.1\n"));
        assert_eq!(
            (e.line, e.col, e.message.as_str()),
            (1, 6, "a host name of 41 characters is over the limit of 40 characters")
        );
        assert_eq!(e.kind.say(Lang::Ko), "한도(40자)보다 긴 호스트 이름: 41자");
        let e = err(&format!("{HEAD}client: {} = socket(tcp)\n", "c".repeat(100_000)));
        assert_eq!(
            (e.line, e.col, e.message.as_str()),
            (4, 9, "a name of 100000 characters is over the limit of 40 characters")
        );
    }
}
