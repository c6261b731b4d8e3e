//! `socklab`: the command-line driver of the simulator (feature `native`).
//!
//! - `socklab check FILE...`   run scripts, report failed expectations
//! - `socklab run FILE`        print the timeline (text or JSON lines), write a pcap
//! - `socklab scenarios [DIR]` list the lesson library
//! - `socklab diff FILE...`    run scripts in the model and on real loopback sockets,
//!   compare every call's outcome; with `--packets`, every packet instead
//! - `socklab bench [NAME...]` the fixed benchmark workloads
//! - `socklab export --to python|c|rust FILE` the script as a runnable program on
//!   real sockets, on standard output
//!
//! `--real` on check and run drives real sockets on loopback (src/native), each
//! script within a wall-clock budget (`--real-budget`, 30 s by default; diff too).
//! Exit status: 0 all passed, 1 an expectation failed (or a divergence), 2 an error:
//! usage, a file that cannot be read or parsed, a script refused on real sockets,
//! output that cannot be written. Each subcommand is one variant of `Command` and
//! one function.

use clap::{Parser, Subcommand, ValueEnum};
use socklab::native::NativeOptions;
use socklab::script::limits::MAX_SCRIPT_BYTES;
use socklab::script::shown::{escaped, shown, shown_up_to, MAX_LINE_CHARS};
use socklab::script::{self, RunOptions, RunReport, Script};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "socklab",
    version,
    about = "A socket laboratory: run scenario scripts in a deterministic simulated network"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scripts and check their expectations (exit 0 pass, 1 fail, 2 error).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Drive real OS sockets on loopback instead of the simulator.
        #[arg(long)]
        real: bool,
        /// With --real: the most wall-clock time one script may take on real
        /// sockets (like 30s, 500ms, 2m; default 30s); past it the script is refused.
        #[arg(long, value_name = "DURATION", value_parser = parse_budget, requires = "real")]
        real_budget: Option<Duration>,
        /// Override each script's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Print only failures.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run one script and print its timeline.
    Run {
        file: PathBuf,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write every packet on the wire to this libpcap file.
        #[arg(long, value_name = "OUT")]
        pcap: Option<PathBuf>,
        /// Drive real OS sockets on loopback instead of the simulator.
        #[arg(long)]
        real: bool,
        /// With --real: the most wall-clock time one script may take on real
        /// sockets (like 30s, 500ms, 2m; default 30s); past it the script is refused.
        #[arg(long, value_name = "DURATION", value_parser = parse_budget, requires = "real")]
        real_budget: Option<Duration>,
    },
    /// Run scripts in the model and on real loopback sockets and compare every
    /// call's outcome, or with --packets every packet (exit 0 all agree, 1 a
    /// divergence, 2 error).
    Diff {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the agreeing lines (with --packets: every packet and the set-up) too.
        #[arg(long, short)]
        verbose: bool,
        /// Compare the packets instead: capture the kernel's on lo and align them
        /// with the model's, connection by connection (only inside a
        /// loopback-only network namespace: `unshare -n`).
        #[arg(long)]
        packets: bool,
        /// With --packets and one file: keep the kernel's capture as this libpcap file.
        #[arg(long, value_name = "OUT", requires = "packets")]
        pcap_real: Option<PathBuf>,
        /// With --packets: the lessons this file's table lists (rows `| lesson.sock | ...`)
        /// must diverge and every other lesson must agree; exit 1 otherwise.
        #[arg(long, value_name = "TABLE", requires = "packets")]
        expect_divergent: Option<PathBuf>,
        /// The most wall-clock time one script may take on real sockets (like 30s,
        /// 500ms, 2m; default 30s); past it the script is refused.
        #[arg(long, value_name = "DURATION", value_parser = parse_budget)]
        real_budget: Option<Duration>,
    },
    /// Print the script as a runnable program making the same socket calls on real
    /// sockets (exit 0; 2 when it cannot be exported; 3 with --runnable when real
    /// sockets cannot do what the lesson shows).
    Export {
        file: PathBuf,
        /// The program's language.
        #[arg(long, value_enum)]
        to: ExportTo,
        /// Print nothing (and exit 3) when real sockets cannot do what the lesson
        /// shows: faults, lossy links, a lesson-wide `#! kernel:` note.
        #[arg(long)]
        runnable: bool,
    },
    /// Run the fixed benchmark workloads and print `name value unit` lines.
    Bench {
        /// Workloads to run (all when none are named).
        names: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Runs of each workload; the median is reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Divide the workload sizes by this (1 = the fixed sizes).
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// What a rate is per: wall seconds (the figures' meaning) or this thread's CPU
        /// seconds (steady on a busy machine; used for the scaling table).
        #[arg(long, value_enum, default_value_t = Clock::Wall)]
        clock: Clock,
    },
    /// List the lesson library with titles.
    Scenarios {
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportTo {
    Python,
    C,
    Rust,
}

#[derive(Clone, Copy, ValueEnum)]
enum Clock {
    Wall,
    Cpu,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The first write to stdout that failed for a reason other than a closed pipe
/// (a full disk, `> /dev/full`): the report is incomplete, so the exit status
/// must say so even when every script passed.
static WRITE_FAILED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Notes a failed write to stdout. A closed pipe (`socklab scenarios | head`) is
/// the reader saying it has enough, not an error.
fn write_failed(e: &std::io::Error) {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        let _ = WRITE_FAILED.set(e.to_string());
    }
}

/// `println!` that notes a failed write (see [`WRITE_FAILED`]) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            write_failed(&e);
        }
    }};
}

/// `eprintln!` that does not panic when stderr cannot be written: every message
/// on stderr comes with a non-zero exit status, which still tells.
macro_rules! warn {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// A failure the user must fix before anything runs (exit 2).
struct Usage(String);

fn main() -> ExitCode {
    socklab::native::memory::keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print here too (to stdout, exit 0).
            if let Err(w) = e.print() {
                write_failed(&w);
            }
            let code = if e.use_stderr() { 2 } else { 0 };
            return ExitCode::from(exit_status(Ok(code)));
        }
    };
    let result = match cli.command {
        Command::Check { files, real, real_budget, seed, quiet } => {
            check(&files, real.then(|| real_options(real_budget)), seed, quiet)
        }
        Command::Run { file, seed, format, pcap, real, real_budget } => {
            run(&file, seed, format, pcap.as_deref(), real.then(|| real_options(real_budget)))
        }
        Command::Scenarios { dir } => scenarios(&dir),
        Command::Diff { files, verbose, packets: true, pcap_real, expect_divergent, real_budget } => {
            diff_packets(&files, verbose, pcap_real.as_deref(), expect_divergent.as_deref(), &real_options(real_budget))
        }
        Command::Diff { files, verbose, real_budget, .. } => diff(&files, verbose, &real_options(real_budget)),
        Command::Export { file, to, runnable } => export(&file, to, runnable),
        Command::Bench { names, format, runs, scale, clock } => bench(&names, format, runs, scale, clock),
    };
    ExitCode::from(exit_status(result))
}

/// `--real-budget`: a number and a unit, `ms`, `s` or `m` (`30s`, `1.5m`).
fn parse_budget(text: &str) -> Result<Duration, String> {
    let at = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(at);
    let bad = || format!("{text:?} is not a duration like 30s, 500ms or 2m");
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(bad()),
    };
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(format!("{text:?}: the budget must be above zero")),
        Err(_) => Err(bad()),
    }
}

/// How real runs are bounded: the driver's defaults, with the user's budget.
fn real_options(budget: Option<Duration>) -> NativeOptions {
    let defaults = NativeOptions::default();
    NativeOptions { budget: budget.unwrap_or(defaults.budget), ..defaults }
}

/// The exit status of a command's result, after the last of its output is
/// flushed: 2 when any of that output could not be written.
fn exit_status(result: Result<u8, Usage>) -> u8 {
    let code = match result {
        Ok(code) => code,
        Err(Usage(msg)) => {
            warn!("{msg}");
            2
        }
    };
    if let Err(e) = std::io::stdout().flush() {
        write_failed(&e);
    }
    match WRITE_FAILED.get() {
        Some(e) => {
            warn!("socklab: cannot write the output to stdout: {e}");
            code.max(2)
        }
        None => code,
    }
}

/// Why a script file did not become a [`Script`].
enum LoadError {
    Read(std::io::Error),
    /// Longer than [`MAX_SCRIPT_BYTES`]: `bytes` is the file's size when it has
    /// one (a regular file), else how far reading went before it stopped.
    TooLong {
        bytes: usize,
        exact: bool,
    },
    Parse(script::ScriptError),
}

impl LoadError {
    fn render(&self, name: &str) -> String {
        match self {
            LoadError::Read(e) => format!("{name}: cannot read: {e}"),
            LoadError::TooLong { bytes, exact } => {
                let e = script::ScriptError::new(1, 1, script::ScriptErrorKind::ScriptTooLong { bytes: *bytes });
                if *exact {
                    e.render(name)
                } else {
                    format!("{}; reading stopped there, {name} may be longer", e.render(name))
                }
            }
            LoadError::Parse(e) => e.render(name),
        }
    }
}

/// A script file's text (its byte-order mark dropped), reading at most
/// [`MAX_SCRIPT_BYTES`] + 1 bytes: the parser refuses anything longer anyway,
/// and the file may be endless (`/dev/zero`, a pipe) or far bigger than memory.
fn read_script(path: &Path) -> Result<String, LoadError> {
    let file = std::fs::File::open(path).map_err(LoadError::Read)?;
    let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    let cap = MAX_SCRIPT_BYTES as u64 + 1;
    let mut bytes = Vec::with_capacity(size.unwrap_or(0).min(cap) as usize);
    file.take(cap).read_to_end(&mut bytes).map_err(LoadError::Read)?;
    if bytes.len() > MAX_SCRIPT_BYTES {
        // A regular file says how long it is; anything else was read only this far.
        let (bytes, exact) = match size.and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n > MAX_SCRIPT_BYTES => (n, true),
            _ => (bytes.len(), false),
        };
        return Err(LoadError::TooLong { bytes, exact });
    }
    // Not UTF-8: FILE:LINE:COL of the first bad byte. A byte-order mark is dropped.
    script::decode(&bytes).map(str::to_string).map_err(LoadError::Parse)
}

/// A script file: its name as shown (escaped: a file name may hold a terminal
/// escape too), its text and the script.
fn load(path: &Path) -> Result<(String, String, Script), Usage> {
    let name = escaped(&path.display().to_string()).to_string();
    let loaded = read_script(path).and_then(|text| match script::parse(&text) {
        Ok(script) => Ok((text, script)),
        Err(e) => Err(LoadError::Parse(e)),
    });
    match loaded {
        Ok((text, script)) => Ok((name, text, script)),
        Err(e) => Err(Usage(e.render(&name))),
    }
}

/// The files of a batch that could not be read or that the kernel refused:
/// each is warned about and counted, and the batch goes on without it.
#[derive(Default)]
struct Setbacks {
    unreadable: usize,
    refused: usize,
}

impl Setbacks {
    /// The file's name, text and script, or `None` once it is warned about.
    fn load(&mut self, path: &Path) -> Option<(String, String, Script)> {
        match load(path) {
            Ok(loaded) => Some(loaded),
            Err(Usage(msg)) => {
                warn!("{msg}");
                self.unreadable += 1;
                None
            }
        }
    }

    /// What the kernel side reported, or `None` once its refusal is warned about.
    fn ran<T, E: std::fmt::Display>(&mut self, name: &str, outcome: Result<T, E>) -> Option<T> {
        match outcome {
            Ok(report) => Some(report),
            Err(r) => {
                warn!("{name}: refused: {}", shown_up_to(&r.to_string(), MAX_LINE_CHARS));
                self.refused += 1;
                None
            }
        }
    }

    /// The exit code: 2 after any setback, else 1 if anything failed.
    fn code(&self, failed: bool) -> u8 {
        if self.unreadable + self.refused > 0 {
            2
        } else {
            u8::from(failed)
        }
    }
}

fn options(seed: Option<u64>) -> RunOptions {
    RunOptions { seed, ..RunOptions::default() }
}

/// `real`: the options of a run on real sockets, or `None` for the simulator.
fn check(files: &[PathBuf], real: Option<NativeOptions>, seed: Option<u64>, quiet: bool) -> Result<u8, Usage> {
    if let Some(options) = real {
        return check_real(files, &options, quiet);
    }
    let mut setbacks = Setbacks::default();
    let (mut passed, mut failed) = (0, 0);
    for path in files {
        let Some((name, _, script)) = setbacks.load(path) else { continue };
        let report = script::run(&script, &options(seed));
        if report.passed() {
            passed += 1;
            if !quiet {
                say!(
                    "ok    {name}  ({} lines, {}s simulated)",
                    report.lines.len(),
                    script::time::fmt_time(report.end_time)
                );
            }
        } else {
            failed += 1;
            for f in &report.failures {
                say!("{}", f.render(&name));
            }
        }
    }
    if files.len() > 1 || !quiet {
        say!("{passed} passed, {failed} failed, {} could not be read", setbacks.unreadable);
    }
    Ok(setbacks.code(failed > 0))
}

fn run(
    file: &Path,
    seed: Option<u64>,
    format: Format,
    pcap: Option<&Path>,
    real: Option<NativeOptions>,
) -> Result<u8, Usage> {
    if let Some(options) = real {
        if pcap.is_some() {
            return Err(Usage("socklab: --pcap needs the simulator: real loopback packets are not captured".into()));
        }
        return run_real(file, format, &options);
    }
    let (name, _, script) = load(file)?;
    let report = script::run(&script, &options(seed));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        Format::Text => write_text(&mut out, &report),
        Format::Json => write_json(&mut out, &report),
    };
    if let Err(e) = written {
        write_failed(&e);
    }
    if let Some(path) = pcap {
        let bytes = socklab::pcap::from_trace(&report.trace).map_err(|e| Usage(format!("{name}: {e}")))?;
        std::fs::write(path, bytes)
            .map_err(|e| Usage(format!("{}: cannot write: {e}", escaped(&path.display().to_string()))))?;
    }
    for f in &report.failures {
        warn!("{}", f.render(&name));
    }
    Ok(if report.passed() { 0 } else { 1 })
}

fn write_text(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    if let Some(t) = &report.meta.title_en {
        writeln!(out, "# {}", shown_up_to(t, MAX_LINE_CHARS))?;
    }
    let hosts: Vec<String> = report.hosts.iter().map(|h| shown(h).to_string()).collect();
    writeln!(out, "# seed {}, hosts: {}", report.seed, hosts.join(", "))?;
    out.write_all(script::render::timeline(report).as_bytes())?;
    writeln!(
        out,
        "# end at {}s{}; {}",
        script::time::fmt_time(report.end_time),
        if report.idle { ", idle" } else { ", still busy (bound reached)" },
        if report.passed() {
            "all expectations hold".to_string()
        } else {
            format!("{} failure(s)", report.failures.len())
        }
    )
}

fn write_json(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    // serde_json writes in small pieces; stdout's line buffer would pass each on.
    let out = &mut std::io::BufWriter::with_capacity(1 << 16, out);
    let head = serde_json::json!({
        "event": "world", "seed": report.seed, "hosts": report.hosts, "links": report.links, "meta": report.meta,
    });
    write_json_line(out, &head)?;
    for e in &report.trace {
        write_json_line(out, e)?;
    }
    let tail = JsonTail {
        end_time: report.end_time,
        event: "result",
        failures: &report.failures,
        idle: report.idle,
        lines: &report.lines,
        passed: report.passed(),
    };
    write_json_line(out, &tail)?;
    out.flush()
}

/// The last line of `run --format json`, serialized from the report as it is:
/// built as a `serde_json::Value`, a 16 MB `send` line's data became 16 million
/// 32-byte values (2.25 GB at the peak for four of them). Fields in the
/// alphabetical order the `Value` map wrote them in.
#[derive(serde::Serialize)]
struct JsonTail<'a> {
    end_time: u64,
    event: &'static str,
    failures: &'a [socklab::script::Failure],
    idle: bool,
    lines: &'a [socklab::script::LineOutcome],
    passed: bool,
}

/// Writes `value` as one line of JSON with every character a terminal obeys
/// written as a `\uXXXX` escape: serde_json escapes the C0 controls but writes
/// DEL, the C1 controls and bidi overrides as they are. The value read back is
/// the same. Streamed: a line can be hundreds of megabytes (a 16 MB `send`'s
/// data), and neither it nor its escaped copy is ever held whole.
fn write_json_line(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut escaper = TerminalSafe { out, partial: Vec::new() };
    serde_json::to_writer(&mut escaper, value).map_err(std::io::Error::other)?;
    escaper.out.write_all(&escaper.partial)?;
    escaper.out.write_all(b"\n")
}

/// The writer behind [`write_json_line`]: passes JSON through, escaping the
/// characters `shown::needs_escape` names. A character serde_json wrote in two
/// pieces waits in `partial` for its other bytes.
struct TerminalSafe<'w, W: Write> {
    out: &'w mut W,
    partial: Vec<u8>,
}

impl<W: Write> Write for TerminalSafe<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes = if self.partial.is_empty() {
            buf
        } else {
            self.partial.extend_from_slice(buf);
            joined = std::mem::take(&mut self.partial);
            &joined[..]
        };
        let (text, rest) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, &[][..]),
            // Valid up to a character cut short at the end: keep its bytes.
            Err(e) if e.error_len().is_none() => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                (std::str::from_utf8(valid).unwrap_or_default(), rest)
            }
            // Not UTF-8 at all (serde_json never writes that): as it is.
            Err(_) => {
                self.out.write_all(bytes)?;
                return Ok(buf.len());
            }
        };
        let mut plain = 0;
        for (at, c) in text.char_indices() {
            if socklab::script::shown::needs_escape(c) {
                // Outside a string JSON has only ASCII punctuation and spaces,
                // which never need it: `c` is inside a string, where `\uXXXX`
                // means `c`.
                self.out.write_all(&text.as_bytes()[plain..at])?;
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(self.out, "\\u{unit:04x}")?;
                }
                plain = at + c.len_utf8();
            }
        }
        self.out.write_all(&text.as_bytes()[plain..])?;
        self.partial = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn scenarios(dir: &Path) -> Result<u8, Usage> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Usage(format!("{}: cannot list: {e}", escaped(&dir.display().to_string()))))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sock"))
        .collect();
    files.sort();
    let stem = |p: &PathBuf| escaped(&p.file_stem().unwrap_or_default().to_string_lossy()).to_string();
    let width = files.iter().map(|p| stem(p).chars().count()).max().unwrap_or(0);
    // A title is the script's text: escaped, and bounded.
    let title = |t: &Option<String>, none: &str| {
        t.as_deref().map_or(none.to_string(), |t| shown_up_to(t, MAX_LINE_CHARS).to_string())
    };
    let mut code = 0;
    for path in &files {
        let stem = stem(path);
        match load(path) {
            Ok((_, _, s)) => say!(
                "{stem:<width$}  {}  /  {}",
                title(&s.meta.title_en, "(no title.en)"),
                title(&s.meta.title_ko, "(no title.ko)")
            ),
            Err(Usage(msg)) => {
                warn!("{msg}");
                code = 2;
            }
        }
    }
    Ok(code)
}

/// `check --real`: each script on real sockets; its `= ...` expectations checked
/// against the kernel's answers, the lines it cannot apply listed.
fn check_real(files: &[PathBuf], options: &NativeOptions, quiet: bool) -> Result<u8, Usage> {
    let mut setbacks = Setbacks::default();
    let (mut passed, mut failed) = (0, 0);
    for path in files {
        let Some((name, _, script)) = setbacks.load(path) else { continue };
        let Some(report) = setbacks.ran(&name, socklab::native::run(&script, options)) else { continue };
        let failures: Vec<_> = report.failed_expectations().collect();
        if failures.is_empty() {
            passed += 1;
            if !quiet {
                say!("ok    {name}  (real sockets; {} lines skipped)", report.skipped().count());
            }
        } else {
            failed += 1;
            for l in failures {
                let got = match &l.outcome {
                    socklab::native::NativeOutcome::Call { result, .. } => {
                        result.as_ref().map_or("still blocked".into(), |r| r.render())
                    }
                    socklab::native::NativeOutcome::State { got, .. } => {
                        got.as_ref().map_or_else(|why| format!("no state ({why})"), |s| s.name().to_string())
                    }
                    _ => continue,
                };
                let (source, got) = (shown_up_to(&l.source, MAX_LINE_CHARS), escaped(&got));
                say!("{name}:{}: expected {source}, got {got} (real sockets)", l.line);
            }
        }
    }
    say!("{passed} passed, {failed} failed, {} could not be read, {} refused", setbacks.unreadable, setbacks.refused);
    Ok(setbacks.code(failed > 0))
}

/// `run --real`: the address mapping, then every line and what the kernel did.
fn run_real(file: &Path, format: Format, options: &NativeOptions) -> Result<u8, Usage> {
    use socklab::native::NativeOutcome;
    let (name, _, script) = load(file)?;
    let report = socklab::native::run(&script, options)
        .map_err(|r| Usage(format!("{name}: refused: {}", shown_up_to(&r.to_string(), MAX_LINE_CHARS))))?;
    match format {
        Format::Text => {
            say!("# {name} on real sockets; hosts mapped to loopback:");
            for m in &report.mapping {
                say!("#   {}", shown_up_to(m, MAX_LINE_CHARS));
            }
            for l in &report.lines {
                let what = match &l.outcome {
                    NativeOutcome::Setup => continue,
                    NativeOutcome::Call { host, rendered, result, blocked, by_driver, .. } => format!(
                        "{}: {} = {}{}{}",
                        shown(host),
                        shown_up_to(rendered, MAX_LINE_CHARS),
                        escaped(&result.as_ref().map_or("(still blocked at the bound)".into(), |r| r.render())),
                        if *blocked { "  (was blocked)" } else { "" },
                        by_driver.map_or(String::new(), |why| format!("  (answered by the driver: {why})"))
                    ),
                    NativeOutcome::State { host, fd, got, .. } => format!(
                        "state {} {} = {}",
                        shown(host),
                        shown(fd),
                        got.as_ref().map_or_else(
                            |why| format!("(none: {})", shown_up_to(why, MAX_LINE_CHARS)),
                            |s| s.name().to_string()
                        )
                    ),
                    NativeOutcome::Refused(why) => format!("refused: {}", shown_up_to(why, MAX_LINE_CHARS)),
                    NativeOutcome::Skipped(why) => format!("skipped: {}", shown_up_to(why, MAX_LINE_CHARS)),
                    NativeOutcome::Waited(d) => format!("waited {} ms", d.as_millis()),
                };
                say!("{:>5}  {what}", l.line);
            }
        }
        Format::Json => {
            for l in &report.lines {
                let by_driver = match &l.outcome {
                    NativeOutcome::Call { by_driver, .. } => *by_driver,
                    _ => None,
                };
                let (kind, detail) = match &l.outcome {
                    NativeOutcome::Setup => ("setup", String::new()),
                    NativeOutcome::Call { result, .. } => {
                        ("call", result.as_ref().map_or("pending".into(), |r| r.render()))
                    }
                    NativeOutcome::State { got, .. } => {
                        ("state", got.as_ref().map_or_else(|why| format!("none: {why}"), |s| s.name().to_string()))
                    }
                    NativeOutcome::Refused(w) => ("refused", w.clone()),
                    NativeOutcome::Skipped(w) => ("skipped", w.clone()),
                    NativeOutcome::Waited(d) => ("waited", format!("{}ms", d.as_millis())),
                };
                let json = serde_json::json!({
                    "line": l.line, "source": l.source, "outcome": kind, "detail": detail, "by_driver": by_driver,
                });
                if let Err(e) = write_json_line(&mut std::io::stdout().lock(), &json) {
                    write_failed(&e);
                }
            }
        }
    }
    Ok(if report.failed_expectations().next().is_none() { 0 } else { 1 })
}

/// `export`: the script as a program on standard output.
fn export(path: &Path, to: ExportTo, runnable: bool) -> Result<u8, Usage> {
    use socklab::export::Language;
    let (name, text, script) = load(path)?;
    if runnable {
        if let Some(why) = socklab::export::not_runnable(&script, &text) {
            warn!("{name}: not exported: {}", shown_up_to(&why, MAX_LINE_CHARS));
            return Ok(3);
        }
    }
    let language = match to {
        ExportTo::Python => Language::Python,
        ExportTo::C => Language::C,
        ExportTo::Rust => Language::Rust,
    };
    let stem = path.file_stem().map_or("lesson".into(), |s| s.to_string_lossy().into_owned());
    let program = socklab::export::export(&script, &text, &stem, language)
        .map_err(|e| Usage(format!("{name}: cannot export: {e}")))?;
    if let Err(e) = std::io::stdout().lock().write_all(program.as_bytes()) {
        write_failed(&e);
    }
    Ok(0)
}

/// `diff`: the model and the kernel, call by call.
fn diff(files: &[PathBuf], verbose: bool, options: &NativeOptions) -> Result<u8, Usage> {
    use socklab::native::diff::{DiffReport, LineKind, Verdict};
    let mut setbacks = Setbacks::default();
    let (mut agreed, mut diverged) = (0, 0);
    for path in files {
        let Some((name, text, script)) = setbacks.load(path) else { continue };
        let Some(report) = setbacks.ran(&name, socklab::native::diff::diff(&script, &text, options)) else { continue };
        match &report {
            DiffReport::NotComparable(why) => say!("skip  {name}: {}", shown_up_to(why, MAX_LINE_CHARS)),
            DiffReport::Compared { lines, skipped, .. } => {
                let agree =
                    |kind: LineKind| lines.iter().filter(|l| l.kind == kind && l.verdict == Verdict::Agree).count();
                let (calls, states) = (agree(LineKind::Call), agree(LineKind::State));
                let noted = lines.iter().filter(|l| matches!(l.verdict, Verdict::Annotated(_))).count();
                let bad = report.divergences();
                // A line the driver answered says nothing about the kernel: it is
                // counted apart and never as agreement.
                let by_driver = match report.by_driver() {
                    0 => String::new(),
                    n => format!(", {n} answered by the driver (not compared)"),
                };
                say!(
                    "{}  {name}: {calls} calls and {states} states agree with the kernel{by_driver}, {bad} diverge, \
                     {noted} annotated, {} lines not applicable",
                    if bad == 0 { "ok  " } else { "DIFF" },
                    skipped.len()
                );
                for l in lines {
                    // The call as rendered, or the line as written when the driver refused it.
                    let call = shown_up_to(&l.call, MAX_LINE_CHARS);
                    let (model, kernel) = (escaped(&l.model), escaped(&l.kernel));
                    match &l.verdict {
                        Verdict::Agree if !verbose => {}
                        Verdict::Agree => say!("      {name}:{}: {call} = {model} (model and kernel agree)", l.line),
                        Verdict::Diverge => say!("      {name}:{}: {call}: model {model}, kernel {kernel}", l.line),
                        Verdict::Annotated(why) => say!(
                            "      {name}:{}: {call}: model {model}, kernel {kernel} (known: {})",
                            l.line,
                            shown_up_to(why, MAX_LINE_CHARS)
                        ),
                        Verdict::ByDriver(why) => say!(
                            "      {name}:{}: {call}: model {model}, driver {kernel} (answered by the driver, not \
                             compared: {why})",
                            l.line
                        ),
                        Verdict::NotCompared(why) => {
                            say!("      {name}:{}: not compared: {}", l.line, shown_up_to(why, MAX_LINE_CHARS))
                        }
                    }
                }
                if bad == 0 {
                    agreed += 1;
                } else {
                    diverged += 1;
                }
            }
        }
    }
    say!("{agreed} passed, {diverged} failed, {} could not be read, {} refused", setbacks.unreadable, setbacks.refused);
    Ok(setbacks.code(diverged > 0))
}

/// `diff --packets`: the model's packets and the kernel's, flow by flow.
fn diff_packets(
    files: &[PathBuf],
    verbose: bool,
    pcap_real: Option<&Path>,
    expect_divergent: Option<&Path>,
    options: &NativeOptions,
) -> Result<u8, Usage> {
    use socklab::native::packets::{against_table, listed_divergent, LessonResult};
    if pcap_real.is_some() && files.len() != 1 {
        return Err(Usage("socklab diff: --pcap-real keeps one capture: give one file".into()));
    }
    let listed = match expect_divergent {
        Some(table) => {
            let text = std::fs::read_to_string(table).map_err(|e| {
                Usage(format!("socklab diff: cannot read {}: {e}", escaped(&table.display().to_string())))
            })?;
            Some(listed_divergent(&text))
        }
        None => None,
    };
    let mut setbacks = Setbacks::default();
    let (mut agreed, mut diverged, mut off_table, mut again) = (0, 0, 0, 0);
    for path in files {
        let Some((name, text, script)) = setbacks.load(path) else { continue };
        let lesson = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
        let mut attempt = 1;
        let (result, wrong) = loop {
            let outcome = socklab::native::diff::diff_packets(&script, &text, options);
            let Some(report) = setbacks.ran(&name, outcome) else { break (None, None) };
            let result = show_packet_report(&name, &report, verbose, listed.is_some(), pcap_real)?;
            let wrong = listed.as_ref().and_then(|listed| against_table(&lesson, result, listed));
            match wrong {
                // The kernel's side is timed by the machine: under load its ACKs
                // and sends can batch differently from one run to the next (a
                // busy CPU 0 showed PSH and delayed-ACK differences that a quiet
                // one never does). A model that is wrong is wrong every time, so
                // a result off the table is only believed when it repeats.
                Some(wrong) if attempt < TABLE_ATTEMPTS => {
                    say!(
                        "      attempt {attempt} of {TABLE_ATTEMPTS} is not as the table says ({wrong}); the kernel's \
                         timing varies with the machine's load, so the lesson runs again"
                    );
                    attempt += 1;
                }
                _ => break (Some(result), wrong),
            }
        };
        match result {
            Some(LessonResult::Agrees) => agreed += 1,
            Some(LessonResult::Diverges) => diverged += 1,
            Some(LessonResult::Skipped) | None => {}
        }
        if let Some(wrong) = wrong {
            say!("      FIDELITY TABLE: {wrong} (in each of {attempt} runs)");
            off_table += 1;
        } else if attempt > 1 {
            say!("      as the table says on attempt {attempt} of {TABLE_ATTEMPTS}");
            again += 1;
        }
    }
    let (unreadable, refused) = (setbacks.unreadable, setbacks.refused);
    match &listed {
        // The stage counts lessons as the table expects them.
        Some(_) => say!(
            "{} passed, {off_table} failed ({agreed} agree, {diverged} diverge as listed or not, {again} as listed \
             only on a later attempt, {unreadable} could not be read, {refused} refused)",
            files.len().saturating_sub(off_table + unreadable + refused)
        ),
        None => say!("{agreed} passed, {diverged} failed, {unreadable} could not be read, {refused} refused"),
    }
    Ok(setbacks.code(if listed.is_some() { off_table > 0 } else { diverged > 0 }))
}

/// How often `diff --packets --expect-divergent` runs a lesson whose result
/// is not as the fidelity table says before it believes the result. Three
/// were not enough: gso_packets_keep_the_last_acks_pacing_rate met a late
/// window update in each of three runs of one CI stage (its script raced a
/// kernel timer's 4 ms tick; it no longer does, see docs/fidelity.md).
const TABLE_ATTEMPTS: usize = 5;

/// Prints one lesson's packet diff (`checking_table`: one line of why per
/// divergence, the packets only with `-v`) and keeps the kernel's capture in
/// `pcap_real`; says whether the lesson agreed.
fn show_packet_report(
    name: &str,
    report: &socklab::native::diff::PacketDiffReport,
    verbose: bool,
    checking_table: bool,
    pcap_real: Option<&Path>,
) -> Result<socklab::native::packets::LessonResult, Usage> {
    use socklab::native::congestion::Verdict;
    use socklab::native::diff::PacketDiffReport;
    use socklab::native::packets::LessonResult;
    let result = match report {
        PacketDiffReport::NotComparable(why) => {
            say!("skip  {name}: {}", shown_up_to(why, MAX_LINE_CHARS));
            LessonResult::Skipped
        }
        PacketDiffReport::Compared {
            setup,
            mapping,
            names,
            comparison,
            kernel_notes,
            unmet,
            pcap,
            congestion,
            model_stopped,
        } => {
            let bad = comparison.divergent();
            let windows_off = congestion.iter().filter(|r| !r.agrees()).count();
            let slack = congestion.iter().filter(|r| r.verdict == Verdict::AgreesWithinTimerSlack).count();
            let slack = if slack > 0 { format!(" ({slack} within a timer's slack)") } else { String::new() };
            say!(
                "{}  {name}: packets: {} agree, {bad} diverge ({} flows); cwnd before {} calls: {} agree{slack}, \
                 {windows_off} differ",
                if bad == 0 && windows_off == 0 { "ok  " } else { "DIFF" },
                comparison.agreeing(),
                comparison.flows.len(),
                congestion.len(),
                congestion.len() - windows_off,
            );
            if verbose {
                for line in setup.iter().chain(mapping) {
                    say!("      {line}");
                }
                for (line, answer) in unmet {
                    say!("      line {line}: the kernel did not meet the expectation: {answer}");
                }
            }
            for note in kernel_notes {
                say!("      kernel: {}", shown_up_to(note, MAX_LINE_CHARS));
            }
            if let Some(why) = model_stopped {
                say!("      model: {}", shown_up_to(why, MAX_LINE_CHARS));
            }
            let show_step = |n: usize, step: &socklab::native::packets::Step| {
                let side = |v: &Option<socklab::native::packets::View>| {
                    v.as_ref().map_or("(none)".to_string(), |v| v.to_string())
                };
                match &step.rule {
                    None => say!("        #{n} {}", side(&step.model)),
                    Some(rule) => {
                        say!("        #{n} model  {}", side(&step.model));
                        say!("           kernel {}", side(&step.kernel));
                        say!("           rule: {rule}");
                    }
                }
            };
            if verbose {
                for row in congestion.iter() {
                    let mark = match row.verdict {
                        Verdict::Agrees => "  ",
                        Verdict::AgreesWithinTimerSlack => "≈ ",
                        Verdict::Differs => "≠ ",
                    };
                    say!("      {mark} {row}");
                }
                for flow in &comparison.flows {
                    say!("      {}", flow.key.describe(names));
                    for (i, step) in flow.steps.iter().enumerate() {
                        show_step(i + 1, step);
                    }
                }
            } else if let Some((key, n, step)) = comparison.first_divergence() {
                if checking_table {
                    // Checking the table: one line of why, the packets with -v.
                    let rule = step.rule.as_deref().unwrap_or_default();
                    say!("      first divergence: {}, packet {n}: {rule}", key.describe(names));
                } else {
                    say!("      first divergence: {}", key.describe(names));
                    show_step(n, step);
                }
            }
            if let Some(row) = congestion.iter().find(|r| !r.agrees()).filter(|_| !verbose) {
                say!("      first window that differs: {row}");
            }
            if let Some(out) = pcap_real {
                std::fs::write(out, pcap).map_err(|e| {
                    Usage(format!("socklab diff: cannot write {}: {e}", escaped(&out.display().to_string())))
                })?;
            }
            if bad == 0 && windows_off == 0 {
                LessonResult::Agrees
            } else {
                LessonResult::Diverges
            }
        }
    };
    Ok(result)
}

/// `bench`: the workloads of `socklab::bench`, median of `runs`.
fn bench(names: &[String], format: Format, runs: usize, scale: usize, clock: Clock) -> Result<u8, Usage> {
    if let Some(bad) = names.iter().find(|n| !socklab::bench::WORKLOADS.contains(&n.as_str())) {
        return Err(Usage(format!(
            "socklab bench: no workload named {}; there are: {}",
            shown(bad),
            socklab::bench::WORKLOADS.join(", ")
        )));
    }
    let start = std::time::Instant::now();
    let wall = move || start.elapsed().as_secs_f64();
    let cpu = || socklab::native::clock::thread_cpu_seconds().unwrap_or(0.0);
    let clock: &dyn Fn() -> f64 = match clock {
        Clock::Wall => &wall,
        Clock::Cpu if socklab::native::clock::thread_cpu_seconds().is_some() => &cpu,
        Clock::Cpu => return Err(Usage("socklab bench: this system has no per-thread CPU clock".into())),
    };
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    if let Format::Text = format {
        say!("build {build} {}", std::env::consts::ARCH);
    }
    for figure in socklab::bench::run(names, runs, scale, clock) {
        match format {
            Format::Text => say!("{figure}"),
            Format::Json => say!(
                "{}",
                serde_json::json!({ "build": build, "name": figure.name, "value": figure.value, "unit": figure.unit })
            ),
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_what_a_terminal_obeys_even_when_written_in_pieces() {
        let value = serde_json::json!({ "s": "a\u{1b}[2J\u{202e}é\u{85}z" });
        let mut out = Vec::new();
        write_json_line(&mut out, &value).expect("written");
        assert_eq!(String::from_utf8(out).expect("utf-8"), "{\"s\":\"a\\u001b[2J\\u202eé\\u0085z\"}\n");
        // Byte by byte: every multi-byte character arrives cut in pieces.
        let mut out = Vec::new();
        let mut writer = TerminalSafe { out: &mut out, partial: Vec::new() };
        for b in "é\u{202e}x".as_bytes() {
            writer.write_all(&[*b]).expect("written");
        }
        assert_eq!(out, "é\\u202ex".as_bytes());
    }

    #[test]
    fn budgets_take_a_unit() {
        assert_eq!(parse_budget("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_budget("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_budget("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_budget("2m"), Ok(Duration::from_secs(120)));
        for bad in ["", "30", "s", "3x", "1.2.3s", "-1s", "0s", "0ms", "1e9999s", "99999999999999999999999m"] {
            assert!(parse_budget(bad).is_err(), "{bad:?}");
        }
    }
}
