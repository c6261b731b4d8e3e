//! `socklab`: the command-line driver of the simulator (feature `native`).
//!
//! - `socklab check FILE...`   run scripts, report failed expectations
//! - `socklab run FILE`        print the timeline (text or JSON lines), write a pcap
//! - `socklab scenarios [DIR]` list the lesson library
//!
//! Exit status: 0 all passed, 1 an expectation failed, 2 usage or parse error.
//! Each subcommand is one variant of `Command` and one function, so new ones
//! (bench, diff) slot in beside them.

use clap::{Parser, Subcommand, ValueEnum};
use socklab::script::{self, RunOptions, RunReport, Script};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        /// Drive real OS sockets instead of the simulator (not available yet).
        #[arg(long)]
        real: bool,
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
        /// Drive real OS sockets instead of the simulator (not available yet).
        #[arg(long)]
        real: bool,
    },
    /// List the lesson library with titles.
    Scenarios {
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `println!` that stops quietly when stdout is closed (`socklab scenarios | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A failure the user must fix before anything runs (exit 2).
struct Usage(String);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check { files, real, seed, quiet } => check(&files, real, seed, quiet),
        Command::Run { file, seed, format, pcap, real } => run(&file, seed, format, pcap.as_deref(), real),
        Command::Scenarios { dir } => scenarios(&dir),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Usage(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

fn no_real() -> Result<u8, Usage> {
    Err(Usage(
        "socklab: --real (running the script on real OS sockets) is not available yet; \
         it arrives with the native-sockets driver. Run without --real to use the simulator."
            .into(),
    ))
}

fn load(path: &Path) -> Result<(String, Script), Usage> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Usage(format!("{name}: cannot read: {e}")))?;
    let script = script::parse(&text).map_err(|e| Usage(e.render(&name)))?;
    Ok((name, script))
}

fn options(seed: Option<u64>) -> RunOptions {
    RunOptions { seed, ..RunOptions::default() }
}

fn check(files: &[PathBuf], real: bool, seed: Option<u64>, quiet: bool) -> Result<u8, Usage> {
    if real {
        return no_real();
    }
    let mut code = 0u8;
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    for path in files {
        let (name, script) = match load(path) {
            Ok(x) => x,
            Err(Usage(msg)) => {
                eprintln!("{msg}");
                errors += 1;
                code = 2;
                continue;
            }
        };
        let report = script::run(&script, &options(seed));
        if report.passed() {
            passed += 1;
            if !quiet {
                say!(
                    "ok    {name}  ({} lines, {}s simulated)",
                    report.lines.len(),
                    script::render::fmt_time(report.end_time)
                );
            }
        } else {
            failed += 1;
            code = code.max(1);
            for f in &report.failures {
                say!("{}", f.render(&name));
            }
        }
    }
    if files.len() > 1 || !quiet {
        say!("{passed} passed, {failed} failed, {errors} could not be read");
    }
    Ok(code)
}

fn run(file: &Path, seed: Option<u64>, format: Format, pcap: Option<&Path>, real: bool) -> Result<u8, Usage> {
    if real {
        return no_real();
    }
    let (name, script) = load(file)?;
    let report = script::run(&script, &options(seed));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        Format::Text => write_text(&mut out, &report),
        Format::Json => write_json(&mut out, &report),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(Usage(format!("cannot write output: {e}")));
        }
    }
    if let Some(path) = pcap {
        let bytes = socklab::pcap::from_trace(&report.trace).map_err(|e| Usage(format!("{name}: {e}")))?;
        std::fs::write(path, bytes).map_err(|e| Usage(format!("{}: cannot write: {e}", path.display())))?;
    }
    for f in &report.failures {
        eprintln!("{}", f.render(&name));
    }
    Ok(if report.passed() { 0 } else { 1 })
}

fn write_text(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    if let Some(t) = &report.meta.title_en {
        writeln!(out, "# {t}")?;
    }
    writeln!(out, "# seed {}, hosts: {}", report.seed, report.hosts.join(", "))?;
    out.write_all(script::render::timeline(report).as_bytes())?;
    writeln!(
        out,
        "# end at {}s{}; {}",
        script::render::fmt_time(report.end_time),
        if report.idle { ", idle" } else { ", still busy (bound reached)" },
        if report.passed() {
            "all expectations hold".to_string()
        } else {
            format!("{} failure(s)", report.failures.len())
        }
    )
}

fn write_json(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    let head = serde_json::json!({
        "event": "world", "seed": report.seed, "hosts": report.hosts, "links": report.links, "meta": report.meta,
    });
    writeln!(out, "{head}")?;
    for e in &report.trace {
        writeln!(out, "{}", serde_json::to_string(e).map_err(std::io::Error::other)?)?;
    }
    let tail = serde_json::json!({
        "event": "result", "passed": report.passed(), "failures": report.failures,
        "end_time": report.end_time, "idle": report.idle, "lines": report.lines,
    });
    writeln!(out, "{tail}")
}

fn scenarios(dir: &Path) -> Result<u8, Usage> {
    let entries = std::fs::read_dir(dir).map_err(|e| Usage(format!("{}: cannot list: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sock"))
        .collect();
    files.sort();
    let width = files.iter().filter_map(|p| p.file_stem()).map(|s| s.len()).max().unwrap_or(0);
    let mut code = 0;
    for path in &files {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match load(path) {
            Ok((_, s)) => say!(
                "{stem:<width$}  {}  /  {}",
                s.meta.title_en.as_deref().unwrap_or("(no title.en)"),
                s.meta.title_ko.as_deref().unwrap_or("(no title.ko)")
            ),
            Err(Usage(msg)) => {
                eprintln!("{msg}");
                code = 2;
            }
        }
    }
    Ok(code)
}
