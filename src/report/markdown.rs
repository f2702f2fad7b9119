//! The Markdown solution sheet (`derive check --format markdown`): renders
//! on a repository host, math in `$…$` (inline) and ```` ```math ```` blocks
//! (chains), verdicts as a symbol and a word, figures linked.
//!
//! Invariants: rendered from [`super::sheet`] outlines only (so from the
//! reports, never recomputed); the same reports give the same bytes; inline
//! math never contains a `$`, a backtick or a line break, and words outside
//! math are escaped, so the document's structure cannot be broken by a
//! formula or a derived line.

use std::fmt::Write as _;

use super::sheet::{build, verdict_mark, Block, Judged, Piece, SheetInput};

/// Escapes Markdown's special characters in words.
fn words(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\`*_[]<>#|$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline math: `$…$`, spaced so that it is recognised as math.
fn math(m: &str) -> String {
    let m = m.replace(['$', '`', '\n'], " ");
    format!("${}$", m.trim())
}

fn pieces(ps: &[Piece]) -> String {
    super::sheet::join(ps, words, math)
}

/// Words with math in them (titles), with the math in `$…$`.
fn prose(s: &str) -> String {
    pieces(&super::sheet::pieces(s))
}

fn verdict(j: &Option<Judged<'_>>) -> String {
    match j {
        Some(j) => {
            let (sym, word) = verdict_mark(j.step.verdict);
            format!("{sym} **{word}**")
        }
        None => "· **not checked**".into(),
    }
}

/// The details under a step: reason (when it does not pass), notes,
/// counterexample; as nested list items.
fn details(out: &mut String, j: &Option<Judged<'_>>, strict: bool, indent: &str) {
    let Some(j) = j else {
        return;
    };
    let s = j.step;
    if !s.verdict.passes(strict) || s.verdict == crate::verdict::Verdict::Numeric {
        let _ = writeln!(out, "{indent}- _{}_", words(&s.reason));
    }
    for n in &j.notes {
        let _ = writeln!(out, "{indent}- {}", pieces(n));
    }
    if let crate::verdict::Numeric::Refuted {
        counterexample: c, ..
    } = &s.numeric
    {
        let vals: Vec<String> = c
            .values
            .iter()
            .map(|b| format!("{} = `{}`", pieces(&super::sheet::pieces(&b.name)), b.value))
            .collect();
        let _ = writeln!(
            out,
            "{indent}- counterexample (n = {}): {}; left side `{}`, right side `{}`",
            c.n,
            vals.join(", "),
            c.lhs,
            c.rhs
        );
    }
}

fn figure(out: &mut String, f: &crate::figure::FigureOut) {
    let alt = words(&f.title);
    let title = prose(&f.title);
    match (&f.path, &f.error, &f.drawing) {
        (_, Some(e), _) => {
            let _ = writeln!(
                out,
                "> **Figure** (line {}): {title}: not drawn: {}\n",
                f.line,
                words(e)
            );
        }
        (Some(p), _, d) => {
            let _ = writeln!(out, "![{alt}]({})\n", p.replace(' ', "%20"));
            let cap = d
                .as_ref()
                .map(|d| format!(" _{}._", words(&crate::figure::scene::layout(d).caption)))
                .unwrap_or_default();
            let _ = writeln!(out, "**Figure** (line {}): {title}.{cap}\n", f.line);
        }
        (None, _, _) => {
            let _ = writeln!(
                out,
                "> **Figure** (line {}): {title}; run `derive check --figures DIR` to draw it.\n",
                f.line
            );
        }
    }
}

/// Renders the sheets of several files as one Markdown document.
pub fn render(inputs: &[SheetInput<'_>]) -> String {
    let mut out = String::new();
    for (k, input) in inputs.iter().enumerate() {
        if k > 0 {
            out.push_str("\n---\n\n");
        }
        let sheet = build(*input);
        let title = sheet.heading();
        let _ = writeln!(out, "# {}\n", words(&title));
        let _ = writeln!(
            out,
            "Checked by derive from `{}` (seed {}): {}.\n",
            sheet.file, sheet.seed, sheet.summary
        );
        if !sheet.diagnostics.is_empty() {
            out.push_str("The file was not checked:\n\n```text\n");
            for d in sheet.diagnostics {
                out.push_str(d.trim_end());
                out.push('\n');
            }
            out.push_str("```\n\n");
            continue;
        }
        for sec in &sheet.sections {
            if let Some(p) = &sec.part {
                match &sec.title {
                    Some(t) => {
                        let _ = writeln!(out, "## Part {} — {}\n", words(p), prose(t));
                    }
                    None => {
                        let _ = writeln!(out, "## Part {}\n", words(p));
                    }
                }
            }
            for b in &sec.blocks {
                match b {
                    Block::Context { word, math: ms } => {
                        let list: Vec<String> = ms.iter().map(|m| math(m)).collect();
                        let _ = writeln!(out, "{word} {}.\n", list.join(", "));
                    }
                    Block::Step {
                        lines,
                        judged,
                        line,
                    } => {
                        let body: Vec<String> = lines.iter().map(|l| math(l)).collect();
                        let _ = writeln!(
                            out,
                            "- {} (line {line}): {}",
                            verdict(judged),
                            body.join(" ")
                        );
                        details(&mut out, judged, input.strict, "  ");
                        out.push('\n');
                    }
                    Block::Calc { first, links, line } => {
                        let _ = writeln!(out, "Calculation (line {line}):\n");
                        out.push_str("```math\n\\begin{aligned}\n");
                        for (i, (op, e, j)) in links.iter().enumerate() {
                            let lhs = if i == 0 { first.as_str() } else { "" };
                            let tag = match j {
                                Some(j) => {
                                    let (sym, word) = verdict_mark(j.step.verdict);
                                    format!("\\text{{{sym} {word}}}")
                                }
                                None => "\\text{not checked}".into(),
                            };
                            let end = if i + 1 < links.len() { " \\\\" } else { "" };
                            let _ = writeln!(out, "{lhs} &{op} {e} && {tag}{end}");
                        }
                        out.push_str("\\end{aligned}\n```\n\n");
                        let mut any = false;
                        for (i, (_, _, j)) in links.iter().enumerate() {
                            let mut d = String::new();
                            details(&mut d, j, input.strict, "  ");
                            if !d.is_empty() {
                                let _ = writeln!(out, "- step {}:", i + 1);
                                out.push_str(&d);
                                any = true;
                            }
                        }
                        if any {
                            out.push('\n');
                        }
                    }
                    Block::Figure(f) => figure(&mut out, f),
                }
            }
        }
    }
    out
}
