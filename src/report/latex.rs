//! The LaTeX solution sheet (`derive check --format latex`): one standalone
//! document a person compiles with `pdflatex sheet.tex`.
//!
//! It needs only what `texlive-latex-base` installs (amsmath, amssymb,
//! color, geometry); figures are drawn in the document itself
//! ([`crate::figure::tex`]), so no image files are needed.
//!
//! Invariants: rendered from [`super::sheet`] outlines only (so from the
//! reports, never recomputed); the same reports give the same bytes; every
//! word outside math goes through [`print::latex_text`] and every formula
//! through [`crate::print`](mod@crate::print), so no input can inject LaTeX.

use std::fmt::Write as _;

use super::sheet::{build, Block, Judged, Piece, SheetInput};
use crate::print;
use crate::verdict::{Numeric, Verdict};

const PREAMBLE: &str = r"\documentclass[11pt]{article}
\usepackage[a4paper,margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{color}
% Figures are drawn with PDF literals: pdfTeX has \pdfliteral, LuaTeX its
% own spelling of it.
\ifdefined\pdfliteral\else\ifdefined\pdfextension
  \protected\def\pdfliteral{\pdfextension literal}\fi\fi
\definecolor{proved}{rgb}{0,0.45,0.2}
\definecolor{numeric}{rgb}{0.6,0.45,0}
\definecolor{failed}{rgb}{0.75,0,0}
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
% Long counterexample values are unbreakable: let lines stretch instead.
\sloppy
\allowdisplaybreaks
";

fn text(s: &str) -> String {
    print::latex_text(s)
}

fn verdict_tex(v: Verdict) -> String {
    let (color, mark) = match v {
        Verdict::Proved => ("proved", "\\checkmark"),
        Verdict::Numeric => ("numeric", "$\\approx$"),
        Verdict::Refuted => ("failed", "$\\times$"),
        Verdict::Error => ("failed", "!"),
        Verdict::Disagreement => ("failed", "!!"),
    };
    format!("\\textcolor{{{color}}}{{{mark}~\\textbf{{{}}}}}", v.word())
}

fn verdict_of(j: &Option<Judged<'_>>) -> String {
    match j {
        Some(j) => verdict_tex(j.step.verdict),
        None => "\\textbf{not checked}".into(),
    }
}

fn pieces(ps: &[Piece]) -> String {
    super::sheet::join(ps, text, |m: &str| format!("${m}$"))
}

fn details(out: &mut String, j: &Option<Judged<'_>>, strict: bool) {
    let Some(j) = j else {
        return;
    };
    let s = j.step;
    let mut items = Vec::new();
    if !s.verdict.passes(strict) || s.verdict == Verdict::Numeric {
        items.push(format!("\\emph{{{}}}", text(&s.reason)));
    }
    for n in &j.notes {
        items.push(pieces(n));
    }
    if let Numeric::Refuted {
        counterexample: c, ..
    } = &s.numeric
    {
        let vals: Vec<String> = c
            .values
            .iter()
            .map(|b| format!("{} = \\texttt{{{}}}", prose(&b.name), text(&b.value)))
            .collect();
        items.push(format!(
            "counterexample ($n = {}$): {}; left side \\texttt{{{}}}, right side \\texttt{{{}}}",
            c.n,
            vals.join(", "),
            text(&c.lhs),
            text(&c.rhs)
        ));
    }
    if items.is_empty() {
        return;
    }
    out.push_str("\\begin{itemize}\n");
    for i in items {
        let _ = writeln!(out, "\\item {i}");
    }
    out.push_str("\\end{itemize}\n");
}

/// Words with math in them (titles), typeset.
fn prose(s: &str) -> String {
    pieces(&super::sheet::pieces(s))
}

fn figure(out: &mut String, f: &crate::figure::FigureOut) {
    // A minipage keeps the title, the picture and the caption together.
    let _ = writeln!(
        out,
        "\\par\\noindent\\begin{{minipage}}{{\\linewidth}}\\centering\n\\textbf{{Figure (line {}):}} {}\\\\[4pt]",
        f.line,
        prose(&f.title)
    );
    match (&f.drawing, &f.error) {
        (Some(d), _) => {
            out.push_str(&crate::figure::tex::tex(d));
            let cap = crate::figure::scene::layout(d).caption;
            let _ = writeln!(out, "\\\\[2pt]{{\\footnotesize {}}}", text(&cap));
            if let Some(p) = &f.path {
                let _ = writeln!(out, "\\\\{{\\footnotesize SVG: \\texttt{{{}}}}}", text(p));
            }
        }
        (None, Some(e)) => {
            let _ = writeln!(out, "not drawn: {}", text(e));
        }
        (None, None) => {}
    }
    out.push_str("\\end{minipage}\\par\\medskip\n\n");
}

/// Renders the sheets of several files as one LaTeX document.
pub fn render(inputs: &[SheetInput<'_>]) -> String {
    let mut out = String::from(PREAMBLE);
    out.push_str("\\begin{document}\n\n");
    for input in inputs {
        let sheet = build(*input);
        let title = sheet.heading();
        let _ = writeln!(out, "\\section*{{{}}}\n", text(&title));
        let _ = writeln!(
            out,
            "Checked by \\textsf{{derive}} from \\texttt{{{}}} (seed {}): {}.\n",
            text(sheet.file),
            sheet.seed,
            text(&sheet.summary)
        );
        if !sheet.diagnostics.is_empty() {
            // Monospaced lines, not verbatim: a diagnostic quotes the file,
            // Unicode and all, which verbatim cannot typeset.
            out.push_str("The file was not checked:\n\n{\\ttfamily\\small\n");
            let lines: Vec<String> = sheet
                .diagnostics
                .iter()
                .flat_map(|d| d.lines())
                .map(|l| {
                    let t = text(l).replace(' ', "~");
                    if t.is_empty() {
                        "~".to_string()
                    } else {
                        t
                    }
                })
                .collect();
            out.push_str(&lines.join("\\\\\n"));
            out.push_str("\n}\n\n");
            continue;
        }
        for sec in &sheet.sections {
            if let Some(p) = &sec.part {
                let head = match &sec.title {
                    Some(t) => format!("Part {} --- {}", text(p), prose(t)),
                    None => format!("Part {}", text(p)),
                };
                let _ = writeln!(out, "\\subsection*{{{head}}}\n");
            }
            for b in &sec.blocks {
                match b {
                    Block::Context { word, math } => {
                        let list: Vec<String> = math.iter().map(|m| format!("${m}$")).collect();
                        let _ = writeln!(out, "{word} {}.\n", list.join(", "));
                    }
                    Block::Step {
                        lines,
                        judged,
                        line,
                    } => {
                        let _ = writeln!(
                            out,
                            "{} \\hfill {{\\footnotesize line {line}}}",
                            verdict_of(judged)
                        );
                        if lines.len() == 1 {
                            let _ = writeln!(out, "\\[ {} \\]", lines[0]);
                        } else {
                            out.push_str("\\begin{align*}\n");
                            let body: Vec<String> =
                                lines.iter().map(|l| format!("& {l}")).collect();
                            out.push_str(&body.join(" \\\\\n"));
                            out.push_str("\n\\end{align*}\n");
                        }
                        details(&mut out, judged, input.strict);
                        out.push('\n');
                    }
                    Block::Calc { first, links, line } => {
                        let _ = writeln!(out, "Calculation \\hfill {{\\footnotesize line {line}}}");
                        out.push_str("\\begin{align*}\n");
                        let rows: Vec<String> = links
                            .iter()
                            .enumerate()
                            .map(|(i, (op, e, j))| {
                                let lhs = if i == 0 { first.as_str() } else { "" };
                                format!("{lhs} &{op} {e} && \\text{{{}}}", verdict_of(j))
                            })
                            .collect();
                        out.push_str(&rows.join(" \\\\\n"));
                        out.push_str("\n\\end{align*}\n");
                        for (i, (_, _, j)) in links.iter().enumerate() {
                            let mut d = String::new();
                            details(&mut d, j, input.strict);
                            if !d.is_empty() {
                                let _ = writeln!(out, "Step {}:", i + 1);
                                out.push_str(&d);
                            }
                        }
                        out.push('\n');
                    }
                    Block::Figure(f) => figure(&mut out, f),
                }
            }
        }
    }
    out.push_str("\\end{document}\n");
    out
}
