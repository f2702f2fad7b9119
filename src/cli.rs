//! The command line: clap arguments become a checked [`Config`] once, then
//! [`run`] does the work and returns the exit code.
//!
//! Invariants: stdout carries only the report (with `--format json`, one
//! JSON document and nothing else); notes and waiting messages go to
//! stderr; usage errors exit with 2.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, FileReport, Options};
use crate::diag::Source;
use crate::report::{self, text::Style};

const ABOUT: &str = "Checks mathematical derivations step by step, with an exact symbolic judge and an independent numeric judge.";

const TOP_HELP: &str = "\
Example:
  derive check derivations/            check every .drv file in a directory
  derive check --verbose a.drv         also show what each step derived
  derive check --format json a.drv     one JSON document, for CI

See `derive check --help` for the verdicts and exit codes.";

const CHECK_HELP: &str = "\
Every claim, calc link, solve and minimize statement gets a verdict:
  proved        the exact difference normalises to 0 (and samples agree)
  numeric       only the numeric judge could decide; every sample agrees
  refuted       a sample violates the step (the counterexample is shown)
  error         the step could not be checked (e.g. not supported yet)
  disagreement  the judges contradict each other (a bug in derive)

Exit codes: 0 all steps pass, 1 a step fails, 2 usage, parse or kind error.

Example:
  derive check derivations/
  derive check --format json --seed 7 assignment3.drv
  derive check --figures out/ --format markdown derivations/ > sheet.md
  derive check --format latex assignment3.drv > sheet.tex && pdflatex sheet.tex";

/// derive: checks derivations from machine learning, step by step.
#[derive(Parser, Debug)]
#[command(name = "derive", version, about = ABOUT, long_about = None, after_help = TOP_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check .drv files (or directories of them) and report every step.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories (searched recursively for *.drv).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Seed of the numeric judge's samples (same seed, same output).
    #[arg(long, default_value_t = crate::numeric::Config::default().seed)]
    seed: u64,
    /// Numeric samples per step.
    #[arg(long, default_value_t = crate::numeric::Config::default().samples as u64,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    samples: u64,
    /// Treat `numeric` verdicts (not proved by the symbolic judge) as failures.
    #[arg(long)]
    strict: bool,
    /// Print only failing steps and the summary.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Print what was derived for every step.
    #[arg(long, short)]
    verbose: bool,
    /// Switch the symbolic judge off (for testing the numeric judge alone).
    #[arg(long, hide = true)]
    no_symbolic: bool,
    /// Draw every `figure` statement into DIR, one SVG each
    /// (FILE-PART.svg), and say where each went.
    #[arg(long, value_name = "DIR")]
    figures: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// A solution sheet in Markdown (math in `$…$`, figures linked).
    Markdown,
    /// A solution sheet as a standalone LaTeX document (pdflatex).
    Latex,
}

/// A checked configuration.
#[derive(Debug)]
pub struct Config {
    files: Vec<PathBuf>,
    format: Format,
    options: Options,
    style: Style,
    figures: Option<PathBuf>,
}

impl Config {
    fn from_args(a: CheckArgs) -> Result<Config> {
        let mut files = Vec::new();
        for p in &a.paths {
            collect(p, &mut files)?;
        }
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Ok(Config {
            files,
            format: a.format,
            options: Options {
                seed: a.seed,
                samples: usize::try_from(a.samples).unwrap_or(usize::MAX),
                symbolic: !a.no_symbolic,
            },
            style: Style {
                color,
                quiet: a.quiet,
                verbose: a.verbose,
                strict: a.strict,
            },
            figures: a.figures,
        })
    }
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("cannot list {}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        let before = out.len();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "drv") {
                collect(&e, out)?;
            }
        }
        if out.len() == before && p.read_dir().is_ok() && out.is_empty() {
            bail!("no .drv files in {}", p.display());
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Parses the arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let Command::Check(args) = cli.command;
    let config = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("derive: {e:#}");
            return 2;
        }
    };
    match run(&config) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("derive: {e:#}");
            2
        }
    }
}

/// Checks every file of the configuration and prints the report.
pub fn run(config: &Config) -> Result<i32> {
    let mut reports: Vec<FileReport> = Vec::new();
    // Never hold the stdout lock while judging: the engine flushes stdout
    // from its own thread when it starts.
    let stdout = std::io::stdout;
    let sheet = matches!(config.format, Format::Markdown | Format::Latex);
    let mut writer = match &config.figures {
        Some(d) => Some(
            crate::figure::Writer::new(d)
                .with_context(|| format!("cannot create {}", d.display()))?,
        ),
        None => None,
    };
    // Per report: its source and its figures (for sheets and --figures).
    let mut extras: Vec<(Source, Vec<crate::figure::FigureOut>)> = Vec::new();
    for path in &config.files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let src = Source::new(name.clone(), String::from_utf8_lossy(e.as_bytes()));
                let d = crate::diag::Diagnostic::error(
                    crate::diag::Span::new(at, at + 1),
                    "the file is not valid UTF-8",
                    "invalid byte here",
                );
                let report = FileReport {
                    file: name,
                    diagnostics: vec![d.render(&src)],
                    steps: Vec::new(),
                };
                if config.format == Format::Text {
                    let mut out = stdout().lock();
                    out.write_all(report::text::render_file(&report, config.style).as_bytes())?;
                }
                reports.push(report);
                extras.push((src, Vec::new()));
                continue;
            }
        };
        let src = Source::new(name, text);
        let report = check::check_source(&src, &config.options);
        let mut figs = Vec::new();
        if sheet || writer.is_some() {
            figs = crate::figure::figures(&src, config.options.seed);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&mut figs)
                .with_context(|| format!("cannot write the figures of {}", src.name))?;
        }
        if config.format == Format::Text {
            // Stream text per file so a long run shows progress.
            let mut out = stdout().lock();
            out.write_all(report::text::render_file(&report, config.style).as_bytes())?;
            out.write_all(report::sheet::figure_lines(&figs).as_bytes())?;
            out.flush()?;
        }
        reports.push(report);
        extras.push((src, figs));
    }
    match config.format {
        Format::Text => {
            let summary = report::text::summary(&reports, config.style.strict);
            stdout().lock().write_all(summary.as_bytes())?;
        }
        Format::Json => {
            let figs: Vec<&[crate::figure::FigureOut]> =
                extras.iter().map(|(_, f)| f.as_slice()).collect();
            let doc = report::json::render_with_figures(
                &reports,
                &figs,
                config.options.seed,
                config.style.strict,
            );
            stdout().lock().write_all(doc.as_bytes())?;
        }
        Format::Markdown | Format::Latex => {
            let inputs: Vec<report::sheet::SheetInput> = reports
                .iter()
                .zip(&extras)
                .map(|(r, (src, figs))| report::sheet::SheetInput {
                    report: r,
                    source: src,
                    figures: figs,
                    seed: config.options.seed,
                    strict: config.style.strict,
                })
                .collect();
            let doc = if config.format == Format::Markdown {
                report::markdown::render(&inputs)
            } else {
                report::latex::render(&inputs)
            };
            stdout().lock().write_all(doc.as_bytes())?;
        }
    }
    stdout().lock().flush()?;
    Ok(report::exit_code(&reports, config.style.strict))
}

/// [`main`] on a thread with a large stack, so that deeply nested (but
/// accepted) input cannot overflow the stack of the main thread.
pub fn main_on_big_stack() -> i32 {
    let worker = std::thread::Builder::new()
        .name("derive-main".into())
        .stack_size(256 << 20)
        .spawn(main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("derive: internal error (the worker thread failed); please report it");
            2
        }
    }
}
