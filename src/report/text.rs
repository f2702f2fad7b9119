//! The text report: one line per step, details under failing steps, a
//! summary line.
//!
//! Invariant: colour codes appear only when [`Style::color`] is set (the CLI
//! sets it for a terminal without NO_COLOR); otherwise the output is plain
//! and deterministic.

use std::fmt::Write as _;

use super::Summary;
use crate::check::{FileReport, StepReport};
use crate::verdict::{Numeric, Verdict};

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Only failing steps and the summary.
    pub quiet: bool,
    /// Everything derived, for every step.
    pub verbose: bool,
    /// `numeric` counts as a failure.
    pub strict: bool,
}

fn paint(style: Style, v: Verdict, s: &str) -> String {
    if !style.color {
        return s.to_string();
    }
    let code = match v {
        Verdict::Proved => "32",
        Verdict::Numeric => "33",
        Verdict::Refuted | Verdict::Disagreement => "1;31",
        Verdict::Error => "35",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// Renders the reports of several files.
pub fn render(files: &[FileReport], style: Style) -> String {
    let mut out = String::new();
    for f in files {
        out.push_str(&render_file(f, style));
    }
    out.push_str(&summary(files, style.strict));
    out
}

/// The closing summary line.
pub fn summary(files: &[FileReport], strict: bool) -> String {
    let mut out = String::new();
    let s = Summary::of(files);
    let code = super::exit_code(files, strict);
    let status = match code {
        0 => "ok",
        1 => "FAILED",
        _ => "ERRORS",
    };
    let _ = writeln!(
        out,
        "{status}: {} file{}, {} step{}: {} proved, {} numeric, {} refuted, {} error, {} disagreement{}",
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.steps,
        if s.steps == 1 { "" } else { "s" },
        s.proved,
        s.numeric,
        s.refuted,
        s.error,
        s.disagreement,
        if s.files_with_errors > 0 {
            format!("; {} file(s) with errors", s.files_with_errors)
        } else {
            String::new()
        }
    );
    out
}

/// Renders one file's report.
pub fn render_file(f: &FileReport, style: Style) -> String {
    let mut out = String::new();
    if f.has_errors() {
        for d in &f.diagnostics {
            out.push_str(d);
            out.push('\n');
        }
        return out;
    }
    let _ = writeln!(out, "{}", f.file);
    let mut part: Option<&str> = None;
    for s in &f.steps {
        let fails = !s.verdict.passes(style.strict);
        if style.quiet && !fails {
            continue;
        }
        if s.part.as_deref() != part {
            part = s.part.as_deref();
            if let Some(p) = part {
                let _ = writeln!(out, "  part {p}");
            }
        }
        step(&mut out, s, style);
    }
    out
}

fn step(out: &mut String, s: &StepReport, style: Style) {
    let word = format!("{:<12}", s.verdict.word());
    let _ = writeln!(
        out,
        "    {} {:>5}:{:<3} {}",
        paint(style, s.verdict, &word),
        s.line,
        s.column,
        s.statement
    );
    let detail = style.verbose || s.verdict != Verdict::Proved;
    if !detail {
        return;
    }
    if s.verdict != Verdict::Proved {
        let _ = writeln!(out, "        {}", s.reason);
    }
    let derived = s.symbolic.derived();
    if style.verbose || s.verdict == Verdict::Disagreement {
        for d in derived {
            let _ = writeln!(out, "        {d}");
        }
    }
    match &s.numeric {
        Numeric::Refuted {
            samples,
            counterexample: c,
        } => {
            let _ = writeln!(
                out,
                "        counterexample (n = {}, sample {} of the run):",
                c.n, samples
            );
            for b in &c.values {
                let _ = writeln!(out, "          {} = {}", b.name, b.value);
            }
            let _ = writeln!(out, "          left side  = {}", c.lhs);
            let _ = writeln!(out, "          right side = {}", c.rhs);
            let _ = writeln!(out, "          error      = {:.3e}", c.error);
        }
        Numeric::Agrees { samples, max_error } if style.verbose => {
            let _ = writeln!(
                out,
                "        numeric: {samples} samples agree, max error {max_error:.1e}"
            );
        }
        Numeric::Failed { why } if style.verbose => {
            let _ = writeln!(out, "        numeric: {why}");
        }
        _ => {}
    }
}
