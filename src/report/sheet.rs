//! The outline of a solution sheet, shared by the Markdown
//! ([`super::markdown`]) and LaTeX ([`super::latex`]) renderers.
//!
//! A sheet follows the file: its sections are the file's top-level runs and
//! its parts, in order; their blocks are the declarations, definitions and
//! assumptions (as context), every checked statement with the verdicts of
//! its steps, and every figure. Formulas come from the syntax tree, printed
//! as LaTeX by [`crate::print`]; what the symbolic judge derived is printed
//! from its Unicode text the same way.
//!
//! Invariants: verdicts, reasons, derived forms and counterexamples are
//! read from the [`FileReport`] and never recomputed (a step is matched to
//! its report by its line and column); a report step that no statement
//! claims is still shown, at the end of its part; the outline is a pure
//! function of its inputs.

use crate::check::{FileReport, StepReport};
use crate::diag::Source;
use crate::figure::FigureOut;
use crate::print::{self, Segment, Style};
use crate::sema::hir::NO_SOLUTION;
use crate::syntax::ast::{self, Domain, KindSpec, Sense, Stmt, StmtKind};
use crate::verdict::Verdict;

/// What the sheet is made from: one checked file.
#[derive(Clone, Copy, Debug)]
pub struct SheetInput<'a> {
    /// The file's report.
    pub report: &'a FileReport,
    /// The file itself (for titles, declarations and formulas).
    pub source: &'a Source,
    /// Its figures, drawn (and written, when their `path` is set).
    pub figures: &'a [FigureOut],
    /// The run's seed.
    pub seed: u64,
    /// Whether `numeric` counts as failing.
    pub strict: bool,
}

/// A piece of prose with math: words, or LaTeX math.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Plain words (not escaped).
    Text(String),
    /// LaTeX math (without `$`).
    Math(String),
}

/// One verdict, with what the judges said.
#[derive(Clone, Debug)]
pub struct Judged<'a> {
    /// The step's report.
    pub step: &'a StepReport,
    /// Lines to show under it (derived forms, the answer), each a list of
    /// pieces.
    pub notes: Vec<Vec<Piece>>,
}

/// A block of a section.
#[derive(Clone, Debug)]
pub enum Block<'a> {
    /// `Let …`, `Define …`, `Assume …`: a lead word and LaTeX formulas.
    Context {
        /// "Let", "Define" or "Assume".
        word: &'static str,
        /// The formulas.
        math: Vec<String>,
    },
    /// A statement checked as one step (claim, solve, minimize, show).
    Step {
        /// The statement, as LaTeX lines (one or more, to be aligned at
        /// their start).
        lines: Vec<String>,
        /// Its verdict, when the report has it.
        judged: Option<Judged<'a>>,
        /// 1-based line.
        line: usize,
    },
    /// A calc chain: its first expression, then each link with its verdict.
    Calc {
        /// The first expression (LaTeX).
        first: String,
        /// `(operator, expression, verdict)` per link.
        links: Vec<(String, String, Option<Judged<'a>>)>,
        /// 1-based line.
        line: usize,
    },
    /// A figure.
    Figure(&'a FigureOut),
}

/// A part of the file (or a top-level run of statements).
#[derive(Clone, Debug)]
pub struct Section<'a> {
    /// The part's name.
    pub part: Option<String>,
    /// The part's title.
    pub title: Option<String>,
    /// Its blocks in source order.
    pub blocks: Vec<Block<'a>>,
}

/// A sheet.
#[derive(Clone, Debug)]
pub struct Sheet<'a> {
    /// The file's path.
    pub file: &'a str,
    /// The file's first comment line, if it starts with one.
    pub title: Option<String>,
    /// Diagnostics (the file was not judged when there are any).
    pub diagnostics: &'a [String],
    /// The sections.
    pub sections: Vec<Section<'a>>,
    /// The run's seed.
    pub seed: u64,
    /// Steps that pass / all steps, and the verdict counts, in words.
    pub summary: String,
}

impl Sheet<'_> {
    /// The sheet's heading: its title, or the file's path.
    pub fn heading(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.file.to_string())
    }
}

/// The symbol and word of a verdict, as the sheets show it.
pub fn verdict_mark(v: Verdict) -> (&'static str, &'static str) {
    let sym = match v {
        Verdict::Proved => "✓",
        Verdict::Numeric => "≈",
        Verdict::Refuted => "✗",
        Verdict::Error => "⚠",
        Verdict::Disagreement => "‼",
    };
    (sym, v.word())
}

fn latex(e: &ast::Expr) -> String {
    print::expr(e, Style::Latex)
}

fn rel(r: &ast::Rel) -> String {
    print::rel(r, Style::Latex)
}

/// A line of Unicode text with math in it, as pieces.
/// Joins rendered pieces with single spaces, except before punctuation
/// that continues a text piece. Both sheet formats use it, so their
/// spacing agrees.
pub fn join(ps: &[Piece], text: impl Fn(&str) -> String, math: impl Fn(&str) -> String) -> String {
    let mut line = String::new();
    for p in ps {
        let (o, punct) = match p {
            Piece::Text(t) => (text(t), t.starts_with([',', ';', ':', '.', ')'])),
            Piece::Math(m) => (math(m), false),
        };
        if !line.is_empty() && !punct {
            line.push(' ');
        }
        line.push_str(&o);
    }
    line
}

pub fn pieces(line: &str) -> Vec<Piece> {
    print::segments(line)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => Piece::Text(t),
            Segment::Math(m) => Piece::Math(print::math(&m, Style::Latex)),
        })
        .collect()
}

fn kind_set(k: &KindSpec) -> String {
    match k {
        KindSpec::Scalar => "\\mathbb{R}".into(),
        KindSpec::Vector => "\\mathbb{R}^{n}".into(),
        KindSpec::Matrix => "\\mathbb{R}^{n \\times n}".into(),
        KindSpec::Function(args, ret) => {
            let a: Vec<String> = args.iter().map(kind_set).collect();
            format!("{} \\to {}", a.join(" \\times "), kind_set(ret))
        }
    }
}

fn rat(r: &crate::rat::Rat) -> String {
    let e = ast::Expr {
        kind: ast::ExprKind::Num(r.clone()),
        span: crate::diag::Span::new(0, 0),
    };
    latex(&e)
}

fn declaration(names: &[ast::Ident], kind: &KindSpec, domain: &Domain) -> String {
    let ns: Vec<String> = names
        .iter()
        .map(|n| print::name(&n.key, Style::Latex))
        .collect();
    let ns = ns.join(", ");
    match (kind, domain) {
        (KindSpec::Function(..), _) => format!("{ns} \\colon {}", kind_set(kind)),
        (KindSpec::Scalar, Domain::Cmp(op, c)) => {
            format!("{ns} {} {}", print::rel_op(*op, Style::Latex), rat(c))
        }
        (
            KindSpec::Scalar,
            Domain::Interval {
                lo,
                lo_closed,
                hi,
                hi_closed,
            },
        ) => format!(
            "{ns} \\in {}{}, {}{}",
            if *lo_closed { "[" } else { "(" },
            rat(lo),
            rat(hi),
            if *hi_closed { "]" } else { ")" }
        ),
        _ => format!("{ns} \\in {}", kind_set(kind)),
    }
}

/// What is shown under a step: the derived lines of solve, optimisation
/// and show steps (and of any step that did not pass), then the answer.
fn judged<'a>(step: &'a StepReport, always: bool, strict: bool) -> Judged<'a> {
    let mut notes = Vec::new();
    if always || !step.verdict.passes(strict) {
        for d in step.symbolic.derived() {
            notes.push(pieces(d));
        }
    }
    if let Some(a) = step.symbolic.answer() {
        // `x = 1 or x = 2`: the alternatives as math, `or` as a word.
        let mut line = vec![Piece::Text("answer:".into())];
        if a == NO_SOLUTION {
            line.push(Piece::Text(NO_SOLUTION.into()));
        }
        for (i, alt) in a.split(" or ").enumerate().filter(|_| a != NO_SOLUTION) {
            if i > 0 {
                line.push(Piece::Text("or".into()));
            }
            line.push(Piece::Math(print::math(alt, Style::Latex)));
        }
        if !notes.contains(&line) {
            notes.push(line);
        }
    }
    Judged { step, notes }
}

struct Builder<'a> {
    input: SheetInput<'a>,
    used: Vec<bool>,
    figures_used: Vec<bool>,
}

impl<'a> Builder<'a> {
    fn at(&self, pos: usize) -> (usize, usize) {
        self.input.source.line_col(pos)
    }

    fn take(&mut self, pos: usize, always: bool) -> Option<Judged<'a>> {
        let (line, column) = self.at(pos);
        let steps = &self.input.report.steps;
        let i = steps
            .iter()
            .enumerate()
            .position(|(i, s)| !self.used[i] && s.line == line && s.column == column)?;
        self.used[i] = true;
        Some(judged(&steps[i], always, self.input.strict))
    }

    /// A checked statement as a step block: its lines, then `⇒ answer`, with
    /// the verdicts of the steps it produced.
    fn step(
        &mut self,
        out: &mut Vec<Block<'a>>,
        mut lines: Vec<String>,
        answer: Option<&[ast::Rel]>,
        s: &Stmt,
        always: bool,
    ) {
        match answer {
            None => {}
            Some([]) => lines.push(format!("\\Rightarrow\\ \\text{{{NO_SOLUTION}}}")),
            Some(alts) => {
                let alts: Vec<String> = alts.iter().map(rel).collect();
                lines.push(format!("\\Rightarrow\\ {}", alts.join(" \\ \\text{or}\\ ")));
            }
        }
        let judged = self.take(s.span.start, always);
        let line = self.at(s.span.start).0;
        out.push(Block::Step {
            lines,
            judged,
            line,
        });
    }

    fn block(&mut self, s: &Stmt, out: &mut Vec<Block<'a>>) {
        let line = self.at(s.span.start).0;
        match &s.kind {
            StmtKind::Let {
                names,
                kind,
                domain,
                ..
            } => push_context(out, "Let", declaration(names, kind, domain)),
            StmtKind::Def { name, params, body } => {
                let n = print::name(&name.key, Style::Latex);
                let ps: Vec<String> = params
                    .iter()
                    .map(|p| print::name(&p.key, Style::Latex))
                    .collect();
                let head = if ps.is_empty() {
                    n
                } else {
                    format!("{n}\\left({}\\right)", ps.join(", "))
                };
                push_context(out, "Define", format!("{head} := {}", latex(body)));
            }
            StmtKind::Assume(rels) => {
                for r in rels {
                    push_context(out, "Assume", rel(r));
                }
            }
            StmtKind::Claim(r) => {
                self.step(out, vec![rel(r)], None, s, false);
            }
            StmtKind::Show(e) => {
                self.step(out, vec![latex(e)], None, s, true);
            }
            StmtKind::Solve {
                rel: r,
                var,
                answer,
            } => {
                let lines = vec![format!(
                    "\\text{{solve }} {} \\text{{ for }} {}",
                    rel(r),
                    print::name(&var.key, Style::Latex)
                )];
                self.step(out, lines, answer.as_deref(), s, true);
            }
            StmtKind::Optimize {
                sense,
                objective,
                var,
                constraints,
                answer,
            } => {
                let op = match sense {
                    Sense::Min => "\\min",
                    Sense::Max => "\\max",
                };
                let mut lines = vec![format!(
                    "{op}_{{{}}}\\ {}",
                    print::name(&var.key, Style::Latex),
                    latex(objective)
                )];
                for (i, c) in constraints.iter().enumerate() {
                    let lead = if i == 0 {
                        "\\text{subject to } "
                    } else {
                        "\\phantom{\\text{subject to }} "
                    };
                    let ew = if c.elementwise {
                        " \\quad \\text{elementwise}"
                    } else {
                        ""
                    };
                    lines.push(format!("{lead}{}{ew}", rel(&c.rel)));
                }
                self.step(
                    out,
                    lines,
                    answer.as_ref().map(std::slice::from_ref),
                    s,
                    true,
                );
            }
            StmtKind::Calc { first, links } => {
                let mut prev = first.span.start;
                let mut out_links = Vec::new();
                for (op, e) in links {
                    let judged = self.take(prev, false);
                    out_links.push((
                        print::rel_op(*op, Style::Latex).to_string(),
                        latex(e),
                        judged,
                    ));
                    prev = e.span.start;
                }
                out.push(Block::Calc {
                    first: latex(first),
                    links: out_links,
                    line,
                });
            }
            StmtKind::Figure { .. } => {
                let figs = self.input.figures;
                if let Some(i) =
                    (0..figs.len()).find(|i| !self.figures_used[*i] && figs[*i].line == line)
                {
                    self.figures_used[i] = true;
                    out.push(Block::Figure(&figs[i]));
                }
            }
            StmtKind::Part { .. } => {}
        }
    }

    /// Report steps no statement claimed, for the part `part`.
    fn leftovers(&mut self, part: Option<&str>, out: &mut Vec<Block<'a>>) {
        let steps = &self.input.report.steps;
        for (i, s) in steps.iter().enumerate() {
            if !self.used[i] && s.part.as_deref() == part {
                self.used[i] = true;
                out.push(Block::Step {
                    lines: vec![print::math(&s.statement, Style::Latex)],
                    judged: Some(judged(s, true, self.input.strict)),
                    line: s.line,
                });
            }
        }
    }
}

/// Consecutive declarations of the same kind share one block.
fn push_context(out: &mut Vec<Block<'_>>, word: &'static str, math: String) {
    if let Some(Block::Context { word: w, math: m }) = out.last_mut() {
        if *w == word {
            m.push(math);
            return;
        }
    }
    out.push(Block::Context {
        word,
        math: vec![math],
    });
}

/// The first line of the file, when it is a comment.
fn first_comment(text: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let t = line.strip_prefix('#')?.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Builds the outline of one file's sheet.
pub fn build<'a>(input: SheetInput<'a>) -> Sheet<'a> {
    let report = input.report;
    let s = super::Summary::of(std::slice::from_ref(report));
    let passing = report
        .steps
        .iter()
        .filter(|st| st.verdict.passes(input.strict))
        .count();
    let summary = format!(
        "{passing} of {} steps pass: {} proved, {} numeric, {} refuted, {} error, {} disagreement",
        s.steps, s.proved, s.numeric, s.refuted, s.error, s.disagreement
    );
    let mut sheet = Sheet {
        file: &report.file,
        title: first_comment(&input.source.text),
        diagnostics: &report.diagnostics,
        sections: Vec::new(),
        seed: input.seed,
        summary,
    };
    if report.has_errors() {
        return sheet;
    }
    let (file, _) = crate::syntax::parse_file(input.source);
    let mut b = Builder {
        input,
        used: vec![false; report.steps.len()],
        figures_used: vec![false; input.figures.len()],
    };
    let mut top: Vec<Block<'a>> = Vec::new();
    for st in &file.stmts {
        if let StmtKind::Part { name, title, body } = &st.kind {
            if !top.is_empty() {
                sheet.sections.push(Section {
                    part: None,
                    title: None,
                    blocks: std::mem::take(&mut top),
                });
            }
            let mut blocks = Vec::new();
            for s in body {
                b.block(s, &mut blocks);
            }
            b.leftovers(Some(&name.text), &mut blocks);
            sheet.sections.push(Section {
                part: Some(name.text.clone()),
                title: title.clone(),
                blocks,
            });
        } else {
            b.block(st, &mut top);
        }
    }
    b.leftovers(None, &mut top);
    if !top.is_empty() {
        sheet.sections.push(Section {
            part: None,
            title: None,
            blocks: top,
        });
    }
    let rest: Vec<usize> = (0..report.steps.len()).filter(|i| !b.used[*i]).collect();
    if !rest.is_empty() {
        let mut blocks = Vec::new();
        for i in rest {
            let st = &report.steps[i];
            b.used[i] = true;
            blocks.push(Block::Step {
                lines: vec![print::math(&st.statement, Style::Latex)],
                judged: Some(judged(st, true, input.strict)),
                line: st.line,
            });
        }
        sheet.sections.push(Section {
            part: None,
            title: None,
            blocks,
        });
    }
    sheet
}

/// The lines the text report adds under a file for its figures: where each
/// was written, or why it was not drawn (nothing for figures not asked
/// for).
pub fn figure_lines(figs: &[FigureOut]) -> String {
    let mut out = String::new();
    for f in figs {
        let part = f
            .part
            .as_deref()
            .map_or(String::new(), |p| format!("part {p}, "));
        let what = match (&f.path, &f.error) {
            (_, Some(e)) => format!("not drawn: {e}"),
            (Some(p), None) => p.clone(),
            (None, None) => continue,
        };
        out.push_str(&format!(
            "  figure ({part}line {}) \"{}\": {what}\n",
            f.line, f.title
        ));
    }
    out
}
