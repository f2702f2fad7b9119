//! From source text to [`ast::File`], one statement at a time.
//!
//! Invariants: parsing never panics and never recurses without bound (pest's
//! stack guard and call limit stop pathological input with a diagnostic);
//! every error is reported with a span and in words (see `words.rs`); after
//! an error the driver resumes at the next line that starts a statement, so
//! one run reports every independent error in the file.

use std::num::NonZeroUsize;
use std::sync::LazyLock;

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use super::names;
use super::words::word;
use crate::diag::{Diagnostic, Source, Span};
use crate::rat::Rat;

/// The pest parser generated from grammar/derive.pest.
#[derive(Parser)]
#[grammar = "../grammar/derive.pest"]
pub struct DeriveParser;

/// Most rule calls one statement may take before it is rejected.
const CALL_LIMIT: usize = 2_000_000;
/// Deepest bracket nesting accepted.
const MAX_DEPTH: usize = 200;
/// Most norm or absolute-value bars in one statement.
const MAX_BARS: usize = 4000;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::grad_op))
        .op(Op::infix(Rule::mul, Assoc::Left)
            | Op::infix(Rule::div, Assoc::Left)
            | Op::infix(Rule::implicit, Assoc::Left))
        .op(Op::infix(Rule::pow, Assoc::Right))
        .op(Op::postfix(Rule::sup_pow) | Op::postfix(Rule::transpose) | Op::postfix(Rule::subst))
});

const STMT_KEYWORDS: &[&str] = &[
    "let", "def", "assume", "claim", "calc", "solve", "minimize", "minimise", "maximize",
    "maximise", "show", "part", "figure",
];

/// Parses a whole file. Returns the statements that parsed and every
/// diagnostic; the file is usable only when the diagnostics are empty.
pub fn parse_file(src: &Source) -> (File, Vec<Diagnostic>) {
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    pest::set_error_detail(true);
    let text = src.text.as_str();
    let mut diags = Vec::new();
    let mut top: Vec<Stmt> = Vec::new();
    // Open parts: (name, title, start, statements so far).
    let mut open: Vec<(Ident, Option<String>, usize, Vec<Stmt>)> = Vec::new();
    let mut pos = 0;
    loop {
        pos = skip_trivia(text, pos);
        if pos >= text.len() {
            break;
        }
        let rest = &text[pos..];
        if rest.starts_with('}') {
            match open.pop() {
                Some((name, title, start, body)) => {
                    let stmt = Stmt {
                        kind: StmtKind::Part { name, title, body },
                        span: Span::new(start, pos + 1),
                    };
                    push(&mut open, &mut top, stmt);
                }
                None => diags.push(Diagnostic::error(
                    Span::new(pos, pos + 1),
                    "unmatched `}`",
                    "no part is open here",
                )),
            }
            pos += 1;
            continue;
        }
        if let Some(d) = guard(text, pos) {
            diags.push(d);
            pos = recover(text, pos);
            continue;
        }
        if starts_with_word(rest, "or") || rest.starts_with('∨') {
            // `or` that the statement before could not take: a dangling one
            // (`x = 1 or`), or alternatives after an optimum.
            let len = if rest.starts_with('∨') {
                '∨'.len_utf8()
            } else {
                2
            };
            diags.push(Diagnostic::error(
                Span::new(pos, pos + len),
                "`or` must join the solutions of a `solve` step, as in `⇒ x = 1 or x = 2`",
                "expected another solution `x = …` after `or`, and only after `solve … ⇒`",
            ));
            pos = recover(text, pos);
            continue;
        }
        let is_part = starts_with_word(rest, "part");
        let rule = if is_part { Rule::part_head } else { Rule::stmt };
        match DeriveParser::parse(rule, rest) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else {
                    pos = recover(text, pos);
                    continue;
                };
                let end = pos + pair.as_span().end();
                let b = Builder { base: pos };
                if is_part {
                    if !open.is_empty() {
                        diags.push(Diagnostic::error(
                            b.span(&pair),
                            "parts cannot be nested",
                            "close the open part with `}` first",
                        ));
                    }
                    let mut inner = pair.into_inner();
                    let _kw = inner.next();
                    let name = inner.next().map(|p| b.ident(p));
                    let title = inner
                        .next()
                        .and_then(|t| t.into_inner().next())
                        .map(|t| t.as_str().to_string());
                    if let Some(name) = name {
                        open.push((name, title, pos, Vec::new()));
                    }
                } else {
                    match b.stmt(pair) {
                        Ok(stmt) => push(&mut open, &mut top, stmt),
                        Err(d) => diags.push(d),
                    }
                }
                pos = end.max(pos + 1);
            }
            Err(e) => {
                diags.push(pest_error(text, pos, &e));
                pos = if starts_with_word(rest, "figure") {
                    recover_figure(text, pos)
                } else {
                    recover(text, pos)
                };
            }
        }
    }
    for (name, _, start, body) in open.into_iter().rev() {
        diags.push(Diagnostic::error(
            Span::new(start, start + 4),
            format!("part `{}` is never closed", name.text),
            "expected `}` before the end of the file",
        ));
        top.extend(body);
    }
    (File { stmts: top }, diags)
}

fn push(open: &mut [(Ident, Option<String>, usize, Vec<Stmt>)], top: &mut Vec<Stmt>, s: Stmt) {
    match open.last_mut() {
        Some((_, _, _, body)) => body.push(s),
        None => top.push(s),
    }
}

fn starts_with_word(s: &str, w: &str) -> bool {
    s.starts_with(w)
        && !s[w.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Skips whitespace and comments.
fn skip_trivia(text: &str, mut pos: usize) -> usize {
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with('#') {
            pos += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return pos;
        }
    }
}

/// The start of the next line (after `pos`'s line) that begins with a
/// statement keyword or `}`; the end of the text if there is none.
fn recover(text: &str, pos: usize) -> usize {
    let mut p = pos;
    while let Some(nl) = text[p..].find('\n') {
        p += nl + 1;
        let line = text[p..].trim_start();
        let at = p + (text[p..].len() - line.len());
        if line.starts_with('}') || STMT_KEYWORDS.iter().any(|k| starts_with_word(line, k)) {
            return at;
        }
    }
    text.len()
}

/// After an error in a figure: just past the `}` that closes its item
/// block (its items may start lines with `assume`, and its `}` must not be
/// taken for the end of a part); [`recover`] when there is no such `}`.
fn recover_figure(text: &str, pos: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in text[pos..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return pos + i + 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            _ => {}
        }
    }
    recover(text, pos)
}

/// Rejects statements nested too deeply for a person to mean them, before
/// pest sees them.
fn guard(text: &str, pos: usize) -> Option<Diagnostic> {
    let end = recover(text, pos);
    let mut depth = 0usize;
    let mut bars = 0usize;
    for (i, c) in text[pos..end].char_indices() {
        match c {
            '(' | '[' | '⟨' | '〈' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let at = pos + i;
                    return Some(Diagnostic::error(
                        Span::new(at, at + c.len_utf8()),
                        format!("brackets nested more than {MAX_DEPTH} deep"),
                        "nested too deeply to check",
                    ));
                }
            }
            ')' | ']' | '⟩' | '〉' | '}' => depth = depth.saturating_sub(1),
            '‖' | '|' => {
                bars += 1;
                if bars > MAX_BARS {
                    let at = pos + i;
                    return Some(Diagnostic::error(
                        Span::new(at, at + c.len_utf8()),
                        format!(
                            "more than {MAX_BARS} norm or absolute-value bars in one statement"
                        ),
                        "too many bars to check",
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Turns a pest error into a diagnostic in words.
fn pest_error(text: &str, base: usize, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = base
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let mut at = at.min(text.len());
    // At the end of the input or of a line, point just after the last token.
    let mut at_end = None;
    if text[at..].trim().is_empty() {
        at_end = Some("the end of the file");
    } else if text[at..]
        .trim_start_matches([' ', '\t'])
        .starts_with(['\n', '\r', '#'])
    {
        at_end = Some("the end of the line");
    }
    if at_end.is_some() {
        at = base + text[base..at].trim_end().len();
    }
    let found = if at_end.is_some() {
        ""
    } else {
        found_at(text, at)
    };
    let end = (at + found.len()).max(at);
    let mut expected: Vec<&'static str> = Vec::new();
    let mut literals: Vec<String> = Vec::new();
    match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            for r in positives {
                if let Some(w) = word(*r) {
                    if !expected.contains(&w) {
                        expected.push(w);
                    }
                }
            }
        }
        ErrorVariant::CustomError { message } => {
            let msg = if message.contains("limit") {
                "this statement is too complex to parse".to_string()
            } else {
                message.clone()
            };
            return Diagnostic::error(Span::new(at, end), msg, "here");
        }
    }
    if let Some(att) = e.parse_attempts() {
        for t in att.expected_tokens() {
            let s = t.to_string();
            let keep = matches!(
                s.as_str(),
                ")" | "]" | "‖" | "|" | "⟩" | "〉" | "," | ":" | "{" | "}" | "=" | "⇒" | ":="
            );
            // A bar is expected as a closing bar only when one is open.
            let bars = text[base..at].matches(s.as_str()).count();
            let bar = s == "|" || s == "‖";
            if keep && !(bar && bars % 2 == 0) && !literals.contains(&s) {
                literals.push(s);
            }
        }
    }
    if expected.contains(&"an expression") {
        expected.retain(|w| *w != "a name");
    }
    let mut parts: Vec<String> = literals.iter().map(|l| format!("`{l}`")).collect();
    parts.extend(expected.iter().map(|s| s.to_string()));
    if parts.is_empty() {
        parts.push("something else".into());
    }
    let list = join_words(&parts);
    let found_words = if let Some(end) = at_end {
        end.to_string()
    } else if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    Diagnostic::error(
        Span::new(at, end),
        format!("expected {list}, found {found_words}"),
        format!("expected {list}"),
    )
}

fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The token-ish text at `at`: a word, or one character.
fn found_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let Some(c) = rest.chars().next() else {
        return "";
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        let n = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[..n]
    } else if c == '\n' {
        ""
    } else {
        &rest[..c.len_utf8()]
    }
}

/// Builds AST nodes from pairs of one statement parsed at offset `base`.
struct Builder {
    base: usize,
}

type Built<T> = Result<T, Diagnostic>;

impl Builder {
    /// The span of a pair without the whitespace and comments pest lets a
    /// compound rule swallow at its end: it ends with its last token.
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        let leaves = p.clone().into_inner().flatten();
        let last = leaves
            .filter(|q| q.clone().into_inner().next().is_none())
            .map(|q| q.as_span().end())
            .max();
        // Closing literals (`)`, `‖`, …) are not pairs: step over them.
        let text = s.get_input();
        let mut end = last.unwrap_or(s.end()).max(s.start());
        loop {
            let next = skip_trivia(text, end);
            match text[next..].chars().next() {
                Some(c) if next < s.end() && ")]‖|⟩〉}".contains(c) => {
                    end = next + c.len_utf8()
                }
                _ => break,
            }
        }
        Span::new(self.base + s.start(), self.base + end.max(s.start()))
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident {
            key: names::key(p.as_str()),
            text: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn stmt(&self, p: Pair<Rule>) -> Built<Stmt> {
        let span = self.span(&p);
        let inner = p.into_inner().next().ok_or_else(|| internal(span))?;
        let rule = inner.as_rule();
        let mut it = inner.into_inner();
        let kind = match rule {
            Rule::let_stmt => {
                it.next(); // `let`
                let mut names = Vec::new();
                let mut kind = KindSpec::Scalar;
                let mut domain = Domain::Any;
                let mut domain_span = None;
                for q in it {
                    match q.as_rule() {
                        Rule::ident => names.push(self.ident(q)),
                        Rule::domain => {
                            domain_span = Some(self.span(&q));
                            domain = self.domain(q)?;
                        }
                        _ => kind = self.kind(q),
                    }
                }
                StmtKind::Let {
                    names,
                    kind,
                    domain,
                    domain_span,
                }
            }
            Rule::def_stmt => {
                it.next();
                let name = self.ident(it.next().ok_or_else(|| internal(span))?);
                let mut params = Vec::new();
                let mut body = None;
                for q in it {
                    match q.as_rule() {
                        Rule::params => params = q.into_inner().map(|x| self.ident(x)).collect(),
                        _ => body = Some(self.expr(q)?),
                    }
                }
                StmtKind::Def {
                    name,
                    params,
                    body: body.ok_or_else(|| internal(span))?,
                }
            }
            Rule::assume_stmt => {
                it.next();
                StmtKind::Assume(it.map(|q| self.rel(q)).collect::<Built<_>>()?)
            }
            Rule::claim_stmt => {
                it.next();
                StmtKind::Claim(self.rel(it.next().ok_or_else(|| internal(span))?)?)
            }
            Rule::calc_stmt => {
                it.next();
                let first = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                let mut links = Vec::new();
                for l in it {
                    let mut li = l.into_inner();
                    let op = rel_op(li.next().ok_or_else(|| internal(span))?.as_str());
                    let e = self.expr(li.next().ok_or_else(|| internal(span))?)?;
                    links.push((op, e));
                }
                StmtKind::Calc { first, links }
            }
            Rule::solve_stmt => {
                it.next();
                let rel = self.rel(it.next().ok_or_else(|| internal(span))?)?;
                it.next(); // `for`
                let var = self.ident(it.next().ok_or_else(|| internal(span))?);
                let answer = match it.next() {
                    Some(a) => Some(
                        self.alternatives(a.into_inner().next().ok_or_else(|| internal(span))?)?,
                    ),
                    None => None,
                };
                StmtKind::Solve { rel, var, answer }
            }
            Rule::opt_stmt => {
                let sense = match it.next().map(|q| q.as_rule()) {
                    Some(Rule::maximize) => Sense::Max,
                    _ => Sense::Min,
                };
                let objective = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                it.next(); // `over`
                let var = self.ident(it.next().ok_or_else(|| internal(span))?);
                let mut constraints = Vec::new();
                let mut answer = None;
                for q in it {
                    match q.as_rule() {
                        Rule::constraints => {
                            for c in q.into_inner() {
                                if c.as_rule() != Rule::constraint {
                                    continue;
                                }
                                let mut ci = c.into_inner();
                                let rel = self.rel(ci.next().ok_or_else(|| internal(span))?)?;
                                constraints.push(Constraint {
                                    rel,
                                    elementwise: ci.next().is_some(),
                                });
                            }
                        }
                        _ => answer = Some(self.answer(q)?),
                    }
                }
                StmtKind::Optimize {
                    sense,
                    objective,
                    var,
                    constraints,
                    answer,
                }
            }
            Rule::show_stmt => {
                it.next();
                StmtKind::Show(self.expr(it.next().ok_or_else(|| internal(span))?)?)
            }
            Rule::figure_stmt => self.figure(it)?,
            _ => return Err(internal(span)),
        };
        Ok(Stmt { kind, span })
    }

    /// `figure "title" in ℝ³ { item; … }` (after the statement's pair).
    fn figure(&self, it: Pairs<Rule>) -> Built<StmtKind> {
        let mut title = None;
        let mut dim = 2;
        let mut items = Vec::new();
        for q in it {
            match q.as_rule() {
                Rule::title => title = q.into_inner().next().map(|t| t.as_str().to_string()),
                Rule::fig_space if q.as_str().contains(['³', '3']) => dim = 3,
                Rule::fig_item => items.push(self.fig_item(q)?),
                _ => {} // `figure`
            }
        }
        Ok(StmtKind::Figure { title, dim, items })
    }

    fn fig_item(&self, p: Pair<Rule>) -> Built<FigItem> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let shape = it.next().ok_or_else(|| internal(span))?;
        let label = it
            .next()
            .and_then(|l| l.into_inner().next())
            .map(|t| t.as_str().to_string());
        let rule = shape.as_rule();
        let mut si = shape.into_inner();
        si.next(); // the item's word
        let mut next = || si.next().ok_or_else(|| internal(span));
        let shape = match rule {
            Rule::fig_arrow => {
                let vector = self.expr(next()?)?;
                let at = match next() {
                    Ok(_at) => Some(self.expr(next()?)?),
                    Err(_) => None,
                };
                FigShape::Arrow { vector, at }
            }
            Rule::fig_step => {
                let from = self.expr(next()?)?;
                next()?; // `to`
                let to = self.expr(next()?)?;
                FigShape::Step { from, to }
            }
            Rule::fig_point => FigShape::Point(self.expr(next()?)?),
            Rule::fig_set => {
                let rel = self.rel(next()?)?;
                FigShape::Set {
                    rel,
                    elementwise: next().is_ok(),
                }
            }
            Rule::fig_assume => {
                let mut rels = Vec::new();
                while let Ok(q) = next() {
                    rels.push(self.rel(q)?);
                }
                FigShape::Assume(rels)
            }
            _ => return Err(internal(span)),
        };
        Ok(FigItem { shape, label, span })
    }

    fn kind(&self, p: Pair<Rule>) -> KindSpec {
        match p.as_rule() {
            Rule::vector_kind => KindSpec::Vector,
            Rule::matrix_kind => KindSpec::Matrix,
            Rule::function_kind => {
                let mut ks: Vec<KindSpec> = p.into_inner().map(|q| self.kind(q)).collect();
                let ret = ks.pop().unwrap_or(KindSpec::Scalar);
                KindSpec::Function(ks, Box::new(ret))
            }
            _ => KindSpec::Scalar,
        }
    }

    fn domain(&self, p: Pair<Rule>) -> Built<Domain> {
        let span = self.span(&p);
        let inner = p.into_inner().next().ok_or_else(|| internal(span))?;
        match inner.as_rule() {
            Rule::cmp_domain => {
                let mut it = inner.into_inner();
                let op = rel_op(it.next().ok_or_else(|| internal(span))?.as_str());
                let n = self.number(it.next().ok_or_else(|| internal(span))?)?;
                Ok(Domain::Cmp(op, n))
            }
            _ => {
                let mut it = inner.into_inner();
                it.next(); // `in`
                let lo_closed = it.next().map(|q| q.as_str()) == Some("[");
                let lo = self.number(it.next().ok_or_else(|| internal(span))?)?;
                let hi = self.number(it.next().ok_or_else(|| internal(span))?)?;
                let hi_closed = it.next().map(|q| q.as_str()) == Some("]");
                if lo >= hi {
                    return Err(Diagnostic::error(
                        span,
                        "empty interval",
                        "the lower end must be below the upper end",
                    ));
                }
                Ok(Domain::Interval {
                    lo,
                    lo_closed,
                    hi,
                    hi_closed,
                })
            }
        }
    }

    fn number(&self, p: Pair<Rule>) -> Built<Rat> {
        Rat::parse_decimal(p.as_str()).ok_or_else(|| {
            Diagnostic::error(
                self.span(&p),
                "number too large",
                "numbers must fit in 38 digits",
            )
        })
    }

    fn answer(&self, p: Pair<Rule>) -> Built<Rel> {
        let span = self.span(&p);
        self.rel(p.into_inner().next().ok_or_else(|| internal(span))?)
    }

    /// `rel or rel or …`.
    fn alternatives(&self, p: Pair<Rule>) -> Built<Vec<Rel>> {
        p.into_inner()
            .filter(|q| q.as_rule() == Rule::rel)
            .map(|q| self.rel(q))
            .collect()
    }

    fn rel(&self, p: Pair<Rule>) -> Built<Rel> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let lhs = self.expr(it.next().ok_or_else(|| internal(span))?)?;
        let op = rel_op(it.next().ok_or_else(|| internal(span))?.as_str());
        let rhs = self.expr(it.next().ok_or_else(|| internal(span))?)?;
        Ok(Rel { lhs, op, rhs, span })
    }

    fn expr(&self, p: Pair<Rule>) -> Built<Expr> {
        self.fold(p.into_inner())
    }

    fn fold(&self, pairs: Pairs<Rule>) -> Built<Expr> {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).join(rhs.span);
                let kind = match op.as_rule() {
                    Rule::neg => ExprKind::Neg(Box::new(rhs)),
                    _ => {
                        let order =
                            if op.as_str().starts_with("∇²") || op.as_str().starts_with("hess") {
                                2
                            } else {
                                1
                            };
                        let wrt = op
                            .into_inner()
                            .find(|q| q.as_rule() == Rule::ident)
                            .map(|q| self.ident(q))
                            .ok_or_else(|| internal(span))?;
                        ExprKind::Grad {
                            order,
                            wrt,
                            body: Box::new(rhs),
                        }
                    }
                };
                Ok(Expr { kind, span })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let span = lhs.span.join(self.span(&op));
                let kind = match op.as_rule() {
                    Rule::sup_pow => {
                        let n = superscript_value(op.as_str()).ok_or_else(|| {
                            Diagnostic::error(self.span(&op), "exponent too large", "here")
                        })?;
                        let e = Expr {
                            kind: ExprKind::Num(Rat::int(n)),
                            span: self.span(&op),
                        };
                        ExprKind::Bin(BinOp::Pow, Box::new(lhs), Box::new(e))
                    }
                    Rule::transpose => ExprKind::Transpose(Box::new(lhs)),
                    _ => {
                        let mut binds = Vec::new();
                        for b in op.into_inner() {
                            let mut bi = b.into_inner();
                            let name = self.ident(bi.next().ok_or_else(|| internal(span))?);
                            let val = self.expr(bi.next().ok_or_else(|| internal(span))?)?;
                            binds.push((name, val));
                        }
                        ExprKind::Subst(Box::new(lhs), binds)
                    }
                };
                Ok(Expr { kind, span })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = lhs.span.join(rhs.span);
                let bop = match op.as_rule() {
                    Rule::add => BinOp::Add,
                    Rule::sub => BinOp::Sub,
                    Rule::div => BinOp::Div,
                    Rule::pow => BinOp::Pow,
                    _ => BinOp::Mul,
                };
                Ok(Expr {
                    kind: ExprKind::Bin(bop, Box::new(lhs), Box::new(rhs)),
                    span,
                })
            })
            .parse(pairs)
    }

    fn primary(&self, p: Pair<Rule>) -> Built<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::number => ExprKind::Num(self.number(p)?),
            Rule::fraction => ExprKind::Num(fraction_value(p.as_str())),
            Rule::ident => ExprKind::Name(self.ident(p)),
            Rule::paren => {
                let inner = p.into_inner().next().ok_or_else(|| internal(span))?;
                return Ok(Expr {
                    span,
                    ..self.expr(inner)?
                });
            }
            Rule::norm => {
                let mut it = p.into_inner();
                let e = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                let np = match it.next().map(|q| q.as_str().to_string()).as_deref() {
                    Some("₁" | "_1") => NormP::One,
                    Some("∞" | "_inf" | "_∞") => NormP::Inf,
                    _ => NormP::Two,
                };
                ExprKind::Norm(np, Box::new(e))
            }
            Rule::abs => {
                let e = self.expr(p.into_inner().next().ok_or_else(|| internal(span))?)?;
                ExprKind::Abs(Box::new(e))
            }
            Rule::root => {
                let inner = p.into_inner().next().ok_or_else(|| internal(span))?;
                let arg = self.primary(inner)?;
                let func = Ident {
                    key: "sqrt".into(),
                    text: "√".into(),
                    span: Span::new(span.start, span.start + '√'.len_utf8()),
                };
                ExprKind::Call {
                    func,
                    primes: 0,
                    args: vec![arg],
                }
            }
            Rule::inner => {
                let mut it = p.into_inner();
                let a = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                let b = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                ExprKind::Inner(Box::new(a), Box::new(b))
            }
            Rule::grad_call => {
                let mut it = p.into_inner();
                let order = match it.next().map(|q| q.as_rule()) {
                    Some(Rule::hess_word) => 2,
                    _ => 1,
                };
                let body = self.expr(it.next().ok_or_else(|| internal(span))?)?;
                let wrt = self.ident(it.next().ok_or_else(|| internal(span))?);
                ExprKind::Grad {
                    order,
                    wrt,
                    body: Box::new(body),
                }
            }
            Rule::grad_fn => {
                let mut it = p.into_inner();
                let order = match it.next().map(|q| q.as_rule()) {
                    Some(Rule::hess_sym) => 2,
                    _ => 1,
                };
                let (func, primes) = self.fname(it.next().ok_or_else(|| internal(span))?)?;
                if primes > 0 {
                    return Err(Diagnostic::error(
                        span,
                        "∇ of a derivative is not supported",
                        "write ∇ of the function itself",
                    ));
                }
                let args = self.args(it.next().ok_or_else(|| internal(span))?)?;
                ExprKind::GradFn { order, func, args }
            }
            Rule::call => {
                let mut it = p.into_inner();
                let (func, primes) = self.fname(it.next().ok_or_else(|| internal(span))?)?;
                let args = self.args(it.next().ok_or_else(|| internal(span))?)?;
                ExprKind::Call { func, primes, args }
            }
            _ => return Err(internal(span)),
        };
        Ok(Expr { kind, span })
    }

    fn fname(&self, p: Pair<Rule>) -> Built<(Ident, u8)> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let id = self.ident(it.next().ok_or_else(|| internal(span))?);
        let primes = it.next().map_or(0, |q| q.as_str().chars().count());
        let primes = u8::try_from(primes)
            .map_err(|_| Diagnostic::error(span, "too many derivative marks", "at most 255"))?;
        Ok((id, primes))
    }

    fn args(&self, p: Pair<Rule>) -> Built<Vec<Expr>> {
        p.into_inner().map(|q| self.expr(q)).collect()
    }
}

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(
        span,
        "internal error: unexpected parse tree",
        "please report this input",
    )
}

fn rel_op(s: &str) -> RelOp {
    match s {
        "≤" | "<=" => RelOp::Le,
        "≥" | ">=" => RelOp::Ge,
        "≠" | "!=" => RelOp::Ne,
        "<" => RelOp::Lt,
        ">" => RelOp::Gt,
        _ => RelOp::Eq,
    }
}

fn superscript_value(s: &str) -> Option<i128> {
    let mut neg = false;
    let mut v: i128 = 0;
    for c in s.chars() {
        let d = match c {
            '⁻' => {
                neg = true;
                continue;
            }
            '⁰' => 0,
            '¹' => 1,
            '²' => 2,
            '³' => 3,
            '⁴' => 4,
            '⁵' => 5,
            '⁶' => 6,
            '⁷' => 7,
            '⁸' => 8,
            _ => 9,
        };
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -v } else { v })
}

fn fraction_value(s: &str) -> Rat {
    let (n, d) = match s {
        "½" => (1, 2),
        "⅓" => (1, 3),
        "⅔" => (2, 3),
        "¼" => (1, 4),
        "¾" => (3, 4),
        "⅕" => (1, 5),
        "⅙" => (1, 6),
        _ => (1, 8),
    };
    Rat::new(n, d).unwrap_or_else(Rat::one)
}

/// Parses alternatives (`x = 1 or x = 2`, one relation or more) that must
/// fill the whole text; used to read back solutions the symbolic judge
/// derived.
pub fn parse_alternatives(src: &Source) -> Result<Vec<Rel>, Diagnostic> {
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let text = src.text.as_str();
    if let Some(d) = guard(text, 0) {
        return Err(d);
    }
    let mut pairs =
        DeriveParser::parse(Rule::alternatives, text).map_err(|e| pest_error(text, 0, &e))?;
    let pair = pairs
        .next()
        .ok_or_else(|| internal(Span::new(0, text.len())))?;
    let end = pair.as_span().end();
    let b = Builder { base: 0 };
    let alts = b.alternatives(pair)?;
    if skip_trivia(text, end) < text.len() {
        return Err(Diagnostic::error(
            Span::new(end, text.len()),
            "unexpected text after the solutions",
            "expected `or` or the end",
        ));
    }
    Ok(alts)
}

/// Parses one relation (`θ = θₜ − ε sign(g)`) that must fill the whole
/// text; used to read back answers the symbolic judge derived.
pub fn parse_rel(src: &Source) -> Result<Rel, Diagnostic> {
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let text = src.text.as_str();
    if let Some(d) = guard(text, 0) {
        return Err(d);
    }
    let mut pairs = DeriveParser::parse(Rule::rel, text).map_err(|e| pest_error(text, 0, &e))?;
    let pair = pairs
        .next()
        .ok_or_else(|| internal(Span::new(0, text.len())))?;
    let b = Builder { base: 0 };
    let rel = b.rel(pair)?;
    if skip_trivia(text, rel.span.end) < text.len() {
        let at = rel.span.end;
        return Err(Diagnostic::error(
            Span::new(at, text.len()),
            "unexpected text after the relation",
            "expected the end",
        ));
    }
    Ok(rel)
}
