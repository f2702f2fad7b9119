//! Resolves names, expands definitions, checks kinds, and cuts the file
//! into steps.
//!
//! Invariants: scopes are the file and each part (a part sees the file's
//! declarations and assumptions made before it, never another part's);
//! a name is declared at most once per scope; a definition is expanded at
//! each use, so judges never see a `def`; a failed declaration poisons its
//! name, so one mistake is reported once, not at every use.
//!
//! Scoping is lexical: a part's `let` of a name the file already declared
//! binds a *fresh* variable (its key is `name@k`, see [`hir::written_name`]),
//! so the file's `def`s and `assume`s keep meaning the outer one. The outer
//! variable stays in the step's scope (shown as `name (outer)`) because
//! outer definitions and assumptions may still mention it.

use std::collections::HashMap;
use std::sync::Arc;

use super::hir::{self, Builtin, Ex, Fact, FuncDecl, Goal, Kind, Node, Scope, Step, VarDecl};
use super::kinds;
use crate::diag::{Diagnostic, Source, Span};
use crate::syntax::ast::{self, BinOp, Domain, ExprKind, Ident, KindSpec, NormP, RelOp, StmtKind};

/// What a name stands for.
#[derive(Clone, Debug)]
enum Entry {
    Var(VarDecl),
    Func(FuncDecl),
    Def {
        params: Vec<(String, Kind)>,
        body: Ex,
    },
    /// A declaration that failed: uses are silently ill-formed.
    Poisoned,
}

#[derive(Default)]
struct Frame {
    names: HashMap<String, (Entry, Span)>,
    /// Written keys in declaration order.
    order: Vec<String>,
    assumptions: Vec<Fact>,
    part: Option<String>,
}

struct Resolver<'a> {
    src: &'a Source,
    frames: Vec<Frame>,
    diags: Vec<Diagnostic>,
    program: hir::Program,
    /// Occurrences of each (part, text), for stable step identities.
    seen: HashMap<(Option<String>, String), usize>,
    /// Fresh keys handed out to shadowing declarations.
    fresh: usize,
    /// Current expression nesting.
    depth: usize,
    /// Whether the nesting error was reported already.
    too_deep: bool,
}

/// Deepest expression nesting accepted (operators and brackets alike).
const MAX_DEPTH: usize = 256;

type R<T> = Result<T, ()>;

const BUILTINS: &[&str] = &[
    "sqrt", "exp", "log", "sign", "abs", "norm", "dot", "grad", "hess",
];

/// Resolves a parsed file into a program; returns it with every diagnostic.
pub fn resolve(src: &Source, file: &ast::File) -> (hir::Program, Vec<Diagnostic>) {
    let mut r = Resolver {
        src,
        frames: vec![Frame::default()],
        diags: Vec::new(),
        program: hir::Program::default(),
        seen: HashMap::new(),
        fresh: 0,
        depth: 0,
        too_deep: false,
    };
    for s in &file.stmts {
        r.stmt(s);
    }
    (r.program, r.diags)
}

/// Resolves one parsed relation against the declarations of a step's
/// scope (no definitions: read-back answers mention declared names only).
pub fn resolve_rel(src: &Source, scope: &Scope, rel: &ast::Rel) -> Result<Fact, Vec<Diagnostic>> {
    let mut frame = Frame::default();
    // Outermost first, so an inner declaration of a name replaces the
    // outer one, as in the step itself.
    for v in &scope.vars {
        let name = hir::written_name(&v.key).to_string();
        frame
            .names
            .insert(name, (Entry::Var(v.clone()), Span::default()));
    }
    for f in &scope.funcs {
        let name = hir::written_name(&f.key).to_string();
        frame
            .names
            .insert(name, (Entry::Func(f.clone()), Span::default()));
    }
    let mut r = Resolver {
        src,
        frames: vec![frame],
        diags: Vec::new(),
        program: hir::Program::default(),
        seen: HashMap::new(),
        fresh: 0,
        depth: 0,
        too_deep: false,
    };
    match r.fact(rel, false) {
        Ok(f) if r.diags.is_empty() => Ok(f),
        _ => Err(r.diags),
    }
}

impl Resolver<'_> {
    fn err(&mut self, span: Span, msg: impl Into<String>, label: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, msg, label));
    }

    fn lookup(&self, key: &str) -> Option<&Entry> {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.names.get(key).map(|(e, _)| e))
    }

    fn declare(&mut self, id: &Ident, mut entry: Entry) {
        if BUILTINS.contains(&id.key.as_str()) {
            self.err(
                id.span,
                format!(
                    "`{}` is a built-in function and cannot be redeclared",
                    id.text
                ),
                "choose another name",
            );
            return;
        }
        let here = self.frames.len() - 1;
        if let Some((_, prev)) = self.frames[here].names.get(&id.key) {
            let (line, _) = self.src.line_col(prev.start);
            let msg = format!("`{}` is already declared on line {line}", id.text);
            self.err(id.span, msg, "declared twice in the same scope");
            return;
        }
        // Shadowing an outer name: a fresh variable (lexical scoping).
        let shadows = self.frames[..here]
            .iter()
            .any(|f| f.names.contains_key(&id.key));
        if shadows {
            self.fresh += 1;
            let key = format!("{}@{}", id.key, self.fresh);
            match &mut entry {
                Entry::Var(v) => v.key = key,
                Entry::Func(f) => f.key = key,
                _ => {}
            }
        }
        let frame = &mut self.frames[here];
        frame.names.insert(id.key.clone(), (entry, id.span));
        frame.order.push(id.key.clone());
    }

    fn scope(&self) -> Scope {
        let mut scope = Scope::default();
        for (i, frame) in self.frames.iter().enumerate() {
            let shadowed = |key: &str| {
                self.frames[i + 1..]
                    .iter()
                    .any(|f| f.names.contains_key(key))
            };
            for key in &frame.order {
                let outer = |text: &str| {
                    if shadowed(key) {
                        format!("{text} (outer)")
                    } else {
                        text.to_string()
                    }
                };
                match frame.names.get(key).map(|(e, _)| e) {
                    Some(Entry::Var(v)) => scope.vars.push(VarDecl {
                        text: outer(&v.text),
                        ..v.clone()
                    }),
                    Some(Entry::Func(f)) => scope.funcs.push(FuncDecl {
                        text: outer(&f.text),
                        ..f.clone()
                    }),
                    _ => {}
                }
            }
        }
        for f in &self.frames {
            scope.assumptions.extend(f.assumptions.iter().cloned());
        }
        scope
    }

    fn text(&self, span: Span) -> String {
        self.src
            .slice(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn push_step(&mut self, span: Span, text: String, goal: Goal) {
        let part = self.frames.last().and_then(|f| f.part.clone());
        let n = self.seen.entry((part.clone(), text.clone())).or_insert(0);
        *n += 1;
        let id = format!("{}/{}#{}", part.as_deref().unwrap_or(""), text, n);
        let scope = Arc::new(self.scope());
        self.program.steps.push(Step {
            id,
            part,
            span,
            text,
            scope,
            goal,
        });
    }

    // ───────────────────────────── statements ─────────────────────────────

    fn stmt(&mut self, s: &ast::Stmt) {
        match &s.kind {
            StmtKind::Let {
                names,
                kind,
                domain,
                domain_span,
            } => self.let_stmt(names, kind, domain, *domain_span),
            StmtKind::Def { name, params, body } => self.def_stmt(name, params, body),
            StmtKind::Assume(rels) => {
                for rel in rels {
                    if let Ok(f) = self.fact(rel, false) {
                        self.frames.last_mut().expect("frame").assumptions.push(f);
                    }
                }
            }
            StmtKind::Claim(rel) => {
                if let Ok(f) = self.fact(rel, false) {
                    let text = self.text(s.span);
                    self.push_step(s.span, text, Goal::Relation(f));
                }
            }
            StmtKind::Calc { first, links } => {
                let Ok(mut prev) = self.expr(first) else {
                    return;
                };
                for (op, e) in links {
                    let Ok(cur) = self.expr(e) else {
                        return;
                    };
                    let span = prev.span.join(cur.span);
                    let text = format!(
                        "{} {} {}",
                        self.text(prev.span),
                        op.symbol(),
                        self.text(cur.span)
                    );
                    if let Ok(fact) =
                        self.relate(prev.clone(), *op, cur.clone(), span, text.clone())
                    {
                        self.push_step(span, text, Goal::Relation(fact));
                    }
                    prev = cur;
                }
            }
            StmtKind::Solve { rel, var, answer } => {
                let rel = self.fact(rel, false);
                let v = self.decision_var(var);
                let answer = answer
                    .as_ref()
                    .map(|alts| {
                        // Resolve every alternative, so that all errors are reported.
                        let facts: Vec<_> = alts.iter().map(|a| self.fact(a, false)).collect();
                        facts.into_iter().collect::<Result<Vec<_>, _>>()
                    })
                    .transpose();
                if let (Ok(rel), Ok(var), Ok(answer)) = (rel, v, answer) {
                    let text = self.text(s.span);
                    self.push_step(s.span, text, Goal::Solve { rel, var, answer });
                }
            }
            StmtKind::Optimize {
                sense,
                objective,
                var,
                constraints,
                answer,
            } => {
                let obj = self.expr(objective);
                if let Ok(o) = &obj {
                    if o.kind != Kind::Scalar {
                        let msg = format!("the objective must be a scalar, not {}", o.kind.word());
                        self.err(o.span, msg, "not a scalar");
                    }
                }
                let v = self.decision_var(var);
                let mut cs = Vec::new();
                let mut ok = true;
                for c in constraints {
                    match self.fact(&c.rel, c.elementwise) {
                        Ok(fact) => cs.push(hir::Constraint {
                            fact,
                            elementwise: c.elementwise,
                        }),
                        Err(()) => ok = false,
                    }
                }
                let answer = answer.as_ref().map(|a| self.fact(a, false)).transpose();
                if let (Ok(objective), Ok(var), Ok(answer), true) = (obj, v, answer, ok) {
                    if objective.kind == Kind::Scalar {
                        let text = self.text(s.span);
                        let goal = Goal::Optimize {
                            sense: *sense,
                            objective,
                            var,
                            constraints: cs,
                            answer,
                        };
                        self.push_step(s.span, text, goal);
                    }
                }
            }
            StmtKind::Show(e) => {
                if let Ok(e) = self.expr(e) {
                    let text = self.text(s.span);
                    self.push_step(s.span, text, Goal::Show(e));
                }
            }
            StmtKind::Figure { title, dim, items } => {
                self.figure(s.span, title.clone(), *dim, items)
            }
            StmtKind::Part { name, title, body } => {
                if self.program.parts.iter().any(|p| p.name == name.text) {
                    let msg = format!("part `{}` appears twice", name.text);
                    self.err(name.span, msg, "part names must be unique");
                }
                self.program.parts.push(hir::Part {
                    name: name.text.clone(),
                    title: title.clone(),
                });
                self.frames.push(Frame {
                    part: Some(name.text.clone()),
                    ..Frame::default()
                });
                for s in body {
                    self.stmt(s);
                }
                self.frames.pop();
            }
        }
    }

    // ────────────────────────────── figures ───────────────────────────────

    /// Checks a `figure` and adds it to the program: arrows, points and
    /// steps are vectors, sets have the shape `‖v − c‖ₚ op r` (see
    /// [`hir::Shape::Set`]), `assume` items are facts of the figure alone.
    fn figure(&mut self, span: Span, title: Option<String>, dim: u8, items: &[ast::FigItem]) {
        let mut extra = Vec::new();
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let label = |r: &Self, text: Span| item.label.clone().unwrap_or_else(|| r.text(text));
            let shape = match &item.shape {
                ast::FigShape::Assume(rels) => {
                    for rel in rels {
                        match self.fact(rel, false) {
                            Ok(f) => extra.push(f),
                            Err(()) => ok = false,
                        }
                    }
                    continue;
                }
                ast::FigShape::Arrow { vector, at } => {
                    let v = self.fig_vector(vector, "an arrow");
                    let a = at
                        .as_ref()
                        .map(|a| self.fig_vector(a, "the tail of an arrow"));
                    match (v, a.transpose()) {
                        (Ok(vector), Ok(at)) => Some((
                            hir::Shape::Arrow { vector, at },
                            label(self, vector_span(item)),
                        )),
                        _ => None,
                    }
                }
                ast::FigShape::Point(p) => self
                    .fig_vector(p, "a point")
                    .ok()
                    .map(|p| (hir::Shape::Point(p), label(self, vector_span(item)))),
                ast::FigShape::Step { from, to } => {
                    let f = self.fig_vector(from, "the start of a step");
                    let t = self.fig_vector(to, "the end of a step");
                    match (f, t) {
                        (Ok(f), Ok(t)) => Some((
                            hir::Shape::Step {
                                from: f,
                                to: t,
                                from_label: self.text(from.span),
                            },
                            label(self, to.span),
                        )),
                        _ => None,
                    }
                }
                ast::FigShape::Set { rel, elementwise } => self
                    .fig_set(rel, *elementwise)
                    .ok()
                    .map(|set| (set, label(self, rel.span))),
            };
            match shape {
                Some((shape, label)) => out.push(hir::FigureItem {
                    shape,
                    label,
                    span: item.span,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return;
        }
        let part = self.frames.last().and_then(|f| f.part.clone());
        let index = 1 + self
            .program
            .figures
            .iter()
            .filter(|f| f.part == part)
            .count();
        let mut scope = self.scope();
        scope.assumptions.extend(extra);
        self.program.figures.push(hir::Figure {
            id: format!("{}/figure#{index}", part.as_deref().unwrap_or("")),
            part,
            index,
            title,
            dim: usize::from(dim),
            span,
            items: out,
            scope: Arc::new(scope),
        });
    }

    fn fig_vector(&mut self, e: &ast::Expr, what: &str) -> R<Ex> {
        let x = self.expr(e)?;
        if x.kind != Kind::Vector {
            let msg = format!("{what} in a figure must be a vector, not {}", x.kind.word());
            self.err(x.span, msg, "not a vector");
            return Err(());
        }
        Ok(x)
    }

    /// `‖v − c‖ₚ op r` or `|v − c| op r elementwise` with op `=`, `≤`, `<`.
    fn fig_set(&mut self, rel: &ast::Rel, elementwise: bool) -> R<hir::Shape> {
        let f = self.fact(rel, elementwise)?;
        let bad = |r: &mut Self| {
            r.diags.push(
                Diagnostic::error(
                    rel.span,
                    "a set in a figure must be a sphere, ball or box of a vector",
                    "not a set derive can draw",
                )
                .with_note(
                    "write `set ‖v‖ = r`, `set ‖v − c‖ ≤ r`, `set ‖v − c‖∞ ≤ r` or `set |v − c| ≤ r elementwise`",
                ),
            );
            Err(())
        };
        let filled = match f.op {
            RelOp::Eq => false,
            RelOp::Le | RelOp::Lt => true,
            _ => return bad(self),
        };
        let (norm, inner) = match &f.lhs.node {
            Node::Norm(p, inner) => (*p, inner.as_ref()),
            Node::Builtin(Builtin::Abs, inner) if elementwise && inner.kind == Kind::Vector => {
                (NormP::Inf, inner.as_ref())
            }
            _ => return bad(self),
        };
        let (var, center) = match &inner.node {
            Node::Var(v) => (v.clone(), None),
            Node::Bin(BinOp::Sub, a, c) => match &a.node {
                Node::Var(v) => (v.clone(), Some(c.as_ref().clone())),
                _ => return bad(self),
            },
            _ => return bad(self),
        };
        let mentions = |e: &Ex| mentions_var(e, &var);
        if f.rhs.kind != Kind::Scalar || mentions(&f.rhs) || center.as_ref().is_some_and(mentions) {
            return bad(self);
        }
        Ok(hir::Shape::Set {
            var,
            norm,
            center,
            radius: f.rhs,
            filled,
        })
    }

    fn let_stmt(&mut self, names: &[Ident], kind: &KindSpec, domain: &Domain, dspan: Option<Span>) {
        let simple = |k: &KindSpec| match k {
            KindSpec::Vector => Kind::Vector,
            KindSpec::Matrix => Kind::Matrix,
            _ => Kind::Scalar,
        };
        if let (Some(sp), false) = (dspan, matches!(kind, KindSpec::Scalar)) {
            self.err(
                sp,
                "only scalars can have a domain",
                "remove this, or declare a scalar",
            );
        }
        for id in names {
            let entry = match kind {
                KindSpec::Function(params, ret) => {
                    if matches!(ret.as_ref(), KindSpec::Function(..)) {
                        self.err(
                            id.span,
                            "functions returning functions are not supported",
                            "here",
                        );
                        self.declare(id, Entry::Poisoned);
                        continue;
                    }
                    Entry::Func(FuncDecl {
                        key: id.key.clone(),
                        text: id.text.clone(),
                        params: params.iter().map(simple).collect(),
                        ret: simple(ret),
                    })
                }
                k => Entry::Var(VarDecl {
                    key: id.key.clone(),
                    text: id.text.clone(),
                    kind: simple(k),
                    domain: if matches!(k, KindSpec::Scalar) {
                        domain.clone()
                    } else {
                        Domain::Any
                    },
                }),
            };
            self.declare(id, entry);
        }
    }

    fn def_stmt(&mut self, name: &Ident, params: &[Ident], body: &ast::Expr) {
        let mut ps = Vec::new();
        let mut ok = true;
        for p in params {
            match self.lookup(&p.key) {
                Some(Entry::Var(v)) => ps.push((v.key.clone(), v.kind)),
                _ => {
                    let msg = format!("parameter `{}` is not a declared variable", p.text);
                    let label = format!("declare it first, e.g. `let {}: vector`", p.text);
                    self.err(p.span, msg, label);
                    ok = false;
                }
            }
        }
        let entry = match (self.expr(body), ok) {
            (Ok(body), true) => match measure(&body) {
                Some(_) => Entry::Def { params: ps, body },
                None => {
                    let msg = format!(
                        "`{}` expands to more than {MAX_NODES} terms or {MAX_EXPANDED_DEPTH} levels",
                        name.text
                    );
                    self.err(name.span, msg, "too large to check");
                    Entry::Poisoned
                }
            },
            _ => Entry::Poisoned,
        };
        self.declare(name, entry);
    }

    fn decision_var(&mut self, id: &Ident) -> R<String> {
        match self.lookup(&id.key) {
            Some(Entry::Var(v)) if v.kind != Kind::Matrix => Ok(v.key.clone()),
            Some(Entry::Poisoned) => Err(()),
            _ => {
                let msg = format!("`{}` is not a declared scalar or vector variable", id.text);
                self.err(id.span, msg, "the unknown must be declared with `let`");
                Err(())
            }
        }
    }

    fn fact(&mut self, rel: &ast::Rel, elementwise: bool) -> R<Fact> {
        let l = self.expr(&rel.lhs);
        let r = self.expr(&rel.rhs);
        let (l, r) = (l?, r?);
        let text = self.text(rel.span);
        if elementwise {
            let ok = l.kind == r.kind
                || (l.kind == Kind::Vector && r.kind == Kind::Scalar)
                || (l.kind == Kind::Scalar && r.kind == Kind::Vector);
            if !ok || l.kind == Kind::Matrix || l.kind == Kind::Covector {
                let msg = format!(
                    "cannot compare {} with {} elementwise",
                    l.kind.word(),
                    r.kind.word()
                );
                self.err(rel.span, msg, "compare vectors or scalars");
                return Err(());
            }
            return Ok(Fact {
                lhs: l,
                op: rel.op,
                rhs: r,
                text,
                span: rel.span,
            });
        }
        self.relate(l, rel.op, r, rel.span, text)
    }

    fn relate(&mut self, l: Ex, op: RelOp, r: Ex, span: Span, text: String) -> R<Fact> {
        let (lk, rk) = (l.kind, r.kind);
        let (l, r) = (zero_as(l, rk), zero_as(r, lk));
        if l.kind != r.kind {
            let msg = format!(
                "the two sides differ in kind: {} {} {}",
                l.kind.word(),
                op.symbol(),
                r.kind.word()
            );
            self.err(span, msg, "both sides must be of the same kind");
            return Err(());
        }
        if !matches!(op, RelOp::Eq | RelOp::Ne) && l.kind != Kind::Scalar {
            let msg = format!(
                "cannot order {}: inequalities compare scalars",
                l.kind.word()
            );
            self.diags
                .push(Diagnostic::error(span, msg, "not scalars").with_note(
                    "for a bound on every component, use it as a constraint with `elementwise`",
                ));
            return Err(());
        }
        Ok(Fact {
            lhs: l,
            op,
            rhs: r,
            text,
            span,
        })
    }

    // ──────────────────────────── expressions ─────────────────────────────

    /// Resolves an expression, refusing nesting deeper than [`MAX_DEPTH`]
    /// (so that no later recursion, symbolic or numeric, can overflow).
    fn expr(&mut self, e: &ast::Expr) -> R<Ex> {
        self.depth += 1;
        let out = if self.depth > MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let msg = format!("expression nested more than {MAX_DEPTH} levels deep");
                self.err(e.span, msg, "split it with `def`");
            }
            Err(())
        } else {
            self.expr_inner(e)
        };
        self.depth -= 1;
        out
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> R<Ex> {
        let span = e.span;
        let mk = |node: Node, kind: Kind| Ok(Ex { node, kind, span });
        match &e.kind {
            ExprKind::Num(r) => mk(Node::Num(r.clone()), Kind::Scalar),
            ExprKind::Name(id) => self.name(id, span),
            ExprKind::Call { func, primes, args } => self.call(func, *primes, args, span),
            ExprKind::GradFn { order, func, args } => {
                let args = self.exprs(args)?;
                match self.lookup(&func.key).cloned() {
                    Some(Entry::Func(f)) if f.params == [Kind::Vector] && f.ret == Kind::Scalar => {
                        self.check_args(&f, &args, span)?;
                        let kind = if *order == 1 {
                            Kind::Vector
                        } else {
                            Kind::Matrix
                        };
                        mk(
                            Node::GradFn {
                                func: f.key,
                                order: *order,
                                args,
                            },
                            kind,
                        )
                    }
                    Some(Entry::Poisoned) => Err(()),
                    Some(Entry::Func(_)) => {
                        self.err(
                            func.span,
                            format!("∇{} needs a function of one vector to a scalar", func.text),
                            "for a function of a scalar write its derivative with a prime, L'(y)",
                        );
                        Err(())
                    }
                    _ => {
                        let msg = format!("`{}` is not a declared function", func.text);
                        self.err(
                            func.span,
                            msg,
                            "declare it: `let J: function vector -> scalar`",
                        );
                        Err(())
                    }
                }
            }
            ExprKind::Grad { order, wrt, body } => {
                let body = self.expr(body)?;
                let var = match self.lookup(&wrt.key) {
                    Some(Entry::Var(v)) => v.clone(),
                    Some(Entry::Poisoned) => return Err(()),
                    _ => {
                        let msg = format!("cannot differentiate with respect to `{}`", wrt.text);
                        self.err(
                            wrt.span,
                            msg,
                            "expected a declared scalar or vector variable",
                        );
                        return Err(());
                    }
                };
                if var.kind == Kind::Matrix {
                    self.err(
                        wrt.span,
                        "gradients with respect to a matrix are not supported",
                        "a matrix",
                    );
                    return Err(());
                }
                if body.kind != Kind::Scalar {
                    let msg = format!(
                        "∇ of {} (a Jacobian) is not supported: ∇ applies to a scalar expression",
                        body.kind.word()
                    );
                    self.err(body.span, msg, "not a scalar");
                    return Err(());
                }
                let kind = match (order, var.kind) {
                    (1, k) => k,
                    (_, Kind::Vector) => Kind::Matrix,
                    _ => Kind::Scalar,
                };
                mk(
                    Node::Grad {
                        wrt: var.key,
                        order: *order,
                        body: Box::new(body),
                    },
                    kind,
                )
            }
            ExprKind::Norm(p, inner) => {
                let v = self.expr(inner)?;
                if v.kind != Kind::Vector {
                    let label = if v.kind == Kind::Scalar {
                        "for the absolute value of a scalar write |x|"
                    } else {
                        "a norm applies to a vector"
                    };
                    let msg = format!("‖·‖ of {}", v.kind.word());
                    self.err(v.span, msg, label);
                    return Err(());
                }
                mk(Node::Norm(*p, Box::new(v)), Kind::Scalar)
            }
            ExprKind::Abs(inner) => {
                let v = self.expr(inner)?;
                self.builtin(Builtin::Abs, v, span)
            }
            ExprKind::Inner(a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                let (a, b) = (a?, b?);
                self.inner(a, b, span)
            }
            ExprKind::Transpose(inner) => {
                let v = self.expr(inner)?;
                let kind = match v.kind {
                    Kind::Vector => Kind::Covector,
                    Kind::Matrix => Kind::Matrix,
                    k => {
                        let msg = format!("cannot transpose {}", k.word());
                        self.err(span, msg, "ᵀ applies to vectors and matrices");
                        return Err(());
                    }
                };
                mk(Node::Transpose(Box::new(v)), kind)
            }
            ExprKind::Neg(inner) => {
                let v = self.expr(inner)?;
                let kind = v.kind;
                mk(Node::Neg(Box::new(v)), kind)
            }
            ExprKind::Bin(op, a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                let (a, b) = (a?, b?);
                self.bin(*op, a, b, span)
            }
            ExprKind::Subst(body, binds) => {
                let body = self.expr(body)?;
                let mut out = Vec::new();
                for (id, val) in binds {
                    let val = self.expr(val)?;
                    match self.lookup(&id.key) {
                        Some(Entry::Var(v)) if v.kind == val.kind => out.push((v.key.clone(), val)),
                        Some(Entry::Var(v)) => {
                            let msg = format!(
                                "`{}` is {} but is replaced by {}",
                                id.text,
                                v.kind.word(),
                                val.kind.word()
                            );
                            self.err(val.span, msg, "kinds must match");
                            return Err(());
                        }
                        Some(Entry::Poisoned) => return Err(()),
                        _ => {
                            let msg = format!("`{}` is not a declared variable", id.text);
                            self.err(id.span, msg, "only declared variables can be substituted");
                            return Err(());
                        }
                    }
                }
                let kind = body.kind;
                mk(Node::Subst(Box::new(body), out), kind)
            }
        }
    }

    fn exprs(&mut self, es: &[ast::Expr]) -> R<Vec<Ex>> {
        let rs: Vec<R<Ex>> = es.iter().map(|e| self.expr(e)).collect();
        rs.into_iter().collect()
    }

    fn bin(&mut self, op: BinOp, a: Ex, b: Ex, span: Span) -> R<Ex> {
        match kinds::binary(op, a.kind, b.kind) {
            Ok(kind) => Ok(Ex {
                node: Node::Bin(op, Box::new(a), Box::new(b)),
                kind,
                span,
            }),
            Err(msg) => {
                self.err(span, msg, "kinds do not fit");
                Err(())
            }
        }
    }

    fn inner(&mut self, a: Ex, b: Ex, span: Span) -> R<Ex> {
        if a.kind != Kind::Vector || b.kind != Kind::Vector {
            let msg = format!("⟨·, ·⟩ of {} and {}", a.kind.word(), b.kind.word());
            self.err(span, msg, "an inner product takes two vectors");
            return Err(());
        }
        Ok(Ex {
            node: Node::Inner(Box::new(a), Box::new(b)),
            kind: Kind::Scalar,
            span,
        })
    }

    fn builtin(&mut self, f: Builtin, v: Ex, span: Span) -> R<Ex> {
        let ok = match f {
            Builtin::Sign | Builtin::Abs => matches!(v.kind, Kind::Scalar | Kind::Vector),
            _ => v.kind == Kind::Scalar,
        };
        if !ok {
            let msg = format!("{} of {}", f.name(), v.kind.word());
            let label = match f {
                Builtin::Sign | Builtin::Abs => "takes a scalar or a vector (elementwise)",
                _ => "takes a scalar",
            };
            self.err(span, msg, label);
            return Err(());
        }
        let kind = v.kind;
        Ok(Ex {
            node: Node::Builtin(f, Box::new(v)),
            kind,
            span,
        })
    }

    fn name(&mut self, id: &Ident, span: Span) -> R<Ex> {
        match self.lookup(&id.key).cloned() {
            Some(Entry::Var(v)) => Ok(Ex {
                node: Node::Var(v.key),
                kind: v.kind,
                span,
            }),
            Some(Entry::Def { body, .. }) => Ok(Ex { span, ..body }),
            Some(Entry::Func(f)) => {
                let msg = format!("`{}` is a function: apply it to an argument", id.text);
                self.err(span, msg, format!("e.g. `{}(y)`", f.text));
                Err(())
            }
            Some(Entry::Poisoned) => Err(()),
            None if id.key == "I" => Ok(Ex {
                node: Node::Identity,
                kind: Kind::Matrix,
                span,
            }),
            None => {
                let mut d = Diagnostic::error(
                    span,
                    format!("undefined name `{}`", id.text),
                    "not declared with `let` or `def`",
                );
                if let Some(split) = self.split_hint(&id.text) {
                    d = d.with_note(format!(
                        "a Latin name is a whole word; for a product write `{split}`"
                    ));
                }
                self.diags.push(d);
                Err(())
            }
        }
    }

    /// `wx` → `w x` when every letter is a declared name.
    fn split_hint(&self, text: &str) -> Option<String> {
        let letters: Vec<String> = text.chars().map(|c| c.to_string()).collect();
        if letters.len() < 2 || letters.iter().any(|l| self.lookup(l).is_none()) {
            return None;
        }
        Some(letters.join(" "))
    }

    fn check_args(&mut self, f: &FuncDecl, args: &[Ex], span: Span) -> R<()> {
        if args.len() != f.params.len() {
            let msg = format!(
                "`{}` takes {} argument{}, not {}",
                f.text,
                f.params.len(),
                if f.params.len() == 1 { "" } else { "s" },
                args.len()
            );
            self.err(span, msg, "wrong number of arguments");
            return Err(());
        }
        for (a, k) in args.iter().zip(&f.params) {
            if a.kind != *k {
                let msg = format!(
                    "`{}` expects {} here, not {}",
                    f.text,
                    k.word(),
                    a.kind.word()
                );
                self.err(a.span, msg, "wrong kind of argument");
                return Err(());
            }
        }
        Ok(())
    }

    fn call(&mut self, func: &Ident, primes: u8, args: &[ast::Expr], span: Span) -> R<Ex> {
        let builtin = match func.key.as_str() {
            "sqrt" => Some(Builtin::Sqrt),
            "exp" => Some(Builtin::Exp),
            "log" | "ln" => Some(Builtin::Log),
            "sign" | "sgn" => Some(Builtin::Sign),
            "abs" => Some(Builtin::Abs),
            _ => None,
        };
        if let Some(b) = builtin {
            if primes > 0 || args.len() != 1 {
                let msg = format!("`{}` takes one argument and no primes", func.text);
                self.err(span, msg, "built-in function");
                return Err(());
            }
            let v = self.expr(&args[0])?;
            return self.builtin(b, v, span);
        }
        match func.key.as_str() {
            "dot" => {
                if args.len() != 2 {
                    self.err(span, "`dot` takes two vectors", "dot(a, b)");
                    return Err(());
                }
                let (a, b) = (self.expr(&args[0]), self.expr(&args[1]));
                let (a, b) = (a?, b?);
                return self.inner(a, b, span);
            }
            "norm" => {
                let p = match args.get(1).map(|a| &a.kind) {
                    None => Some(NormP::Two),
                    Some(ExprKind::Num(r)) if *r == crate::rat::Rat::int(1) => Some(NormP::One),
                    Some(ExprKind::Num(r)) if *r == crate::rat::Rat::int(2) => Some(NormP::Two),
                    Some(ExprKind::Name(n)) if n.key == "inf" => Some(NormP::Inf),
                    _ => None,
                };
                let Some(p) = p.filter(|_| args.len() <= 2 && !args.is_empty()) else {
                    self.err(
                        span,
                        "`norm` takes a vector and optionally 1, 2 or inf",
                        "norm(v), norm(v, 1), norm(v, inf)",
                    );
                    return Err(());
                };
                let v = self.expr(&args[0])?;
                if v.kind != Kind::Vector {
                    let msg = format!("norm of {}", v.kind.word());
                    self.err(
                        v.span,
                        msg,
                        "for the absolute value of a scalar write |x| or abs(x)",
                    );
                    return Err(());
                }
                return Ok(Ex {
                    node: Node::Norm(p, Box::new(v)),
                    kind: Kind::Scalar,
                    span,
                });
            }
            _ => {}
        }
        match self.lookup(&func.key).cloned() {
            Some(Entry::Func(f)) => {
                let args = self.exprs(args)?;
                self.check_args(&f, &args, span)?;
                if primes > 0 && !(f.params == [Kind::Scalar] && f.ret == Kind::Scalar) {
                    let msg = format!("`{}′` needs a function of one scalar to a scalar", f.text);
                    self.err(func.span, msg, "for a function of a vector write ∇J(x)");
                    return Err(());
                }
                Ok(Ex {
                    node: Node::Apply {
                        func: f.key,
                        derivs: primes,
                        args,
                    },
                    kind: f.ret,
                    span,
                })
            }
            Some(Entry::Def { params, body }) if !params.is_empty() && primes == 0 => {
                let args = self.exprs(args)?;
                if args.len() != params.len() {
                    let msg = format!(
                        "`{}` takes {} argument(s), not {}",
                        func.text,
                        params.len(),
                        args.len()
                    );
                    self.err(span, msg, "wrong number of arguments");
                    return Err(());
                }
                let mut binds = Vec::new();
                for ((key, kind), a) in params.into_iter().zip(args) {
                    if a.kind != kind {
                        let msg = format!(
                            "`{}` expects {} here, not {}",
                            func.text,
                            kind.word(),
                            a.kind.word()
                        );
                        self.err(a.span, msg, "wrong kind of argument");
                        return Err(());
                    }
                    binds.push((key, a));
                }
                let kind = body.kind;
                Ok(Ex {
                    node: Node::Subst(Box::new(body), binds),
                    kind,
                    span,
                })
            }
            Some(Entry::Poisoned) => Err(()),
            Some(Entry::Var(_)) | Some(Entry::Def { .. }) | None
                if primes == 0 && args.len() == 1 && self.lookup(&func.key).is_some() =>
            {
                // `2α(1 − αλ)`: a name touching a parenthesis is a product.
                let name = self.name(func, func.span)?;
                let arg = self.expr(&args[0])?;
                self.bin(BinOp::Mul, name, arg, span)
            }
            _ => {
                let (msg, label) = if self.lookup(&func.key).is_some() {
                    (
                        format!("`{}` is not a function", func.text),
                        "cannot be applied".to_string(),
                    )
                } else {
                    (
                        format!("undefined function `{}`", func.text),
                        format!("declare it: `let {}: function scalar -> scalar`", func.text),
                    )
                };
                self.err(func.span, msg, label);
                Err(())
            }
        }
    }
}

/// The span of a figure item's main expression (its vector or point).
fn vector_span(item: &ast::FigItem) -> Span {
    match &item.shape {
        ast::FigShape::Arrow { vector, .. } => vector.span,
        ast::FigShape::Point(p) => p.span,
        _ => item.span,
    }
}

/// Whether `e` mentions the variable `key` (substitutions that rebind it
/// count as mentions: the check is only used to reject sets).
fn mentions_var(e: &Ex, key: &str) -> bool {
    let kids: Vec<&Ex> = match &e.node {
        Node::Var(k) => return k == key,
        Node::Num(_) | Node::Identity | Node::Zero => return false,
        Node::Apply { args, .. } | Node::GradFn { args, .. } => args.iter().collect(),
        Node::Builtin(_, a) | Node::Norm(_, a) | Node::Transpose(a) | Node::Neg(a) => vec![a],
        Node::Grad { wrt, body, .. } => return wrt == key || mentions_var(body, key),
        Node::Inner(a, b) | Node::Bin(_, a, b) => vec![a, b],
        Node::Subst(body, binds) => {
            let mut v: Vec<&Ex> = vec![body];
            v.extend(binds.iter().map(|(_, x)| x));
            return binds.iter().any(|(k, _)| k == key) || v.iter().any(|x| mentions_var(x, key));
        }
    };
    kids.iter().any(|x| mentions_var(x, key))
}

/// A literal `0` compared with a vector or matrix is that kind's zero.
fn zero_as(e: Ex, kind: Kind) -> Ex {
    match e.node {
        Node::Num(r) if r.is_zero() && kind != Kind::Scalar && kind != Kind::Covector => Ex {
            node: Node::Zero,
            kind,
            span: e.span,
        },
        _ => e,
    }
}

/// Most nodes an expanded definition may have.
const MAX_NODES: usize = 200_000;
/// Deepest an expanded definition may be.
const MAX_EXPANDED_DEPTH: usize = 1_000;

/// `Some((nodes, depth))` of an expression, `None` as soon as either bound
/// is exceeded (definitions that use definitions can grow exponentially).
fn measure(e: &Ex) -> Option<(usize, usize)> {
    fn go(e: &Ex, depth: usize, nodes: &mut usize) -> Option<usize> {
        *nodes += 1;
        if *nodes > MAX_NODES || depth > MAX_EXPANDED_DEPTH {
            return None;
        }
        let kids: Vec<&Ex> = match &e.node {
            Node::Num(_) | Node::Var(_) | Node::Identity | Node::Zero => vec![],
            Node::Apply { args, .. } | Node::GradFn { args, .. } => args.iter().collect(),
            Node::Builtin(_, a)
            | Node::Grad { body: a, .. }
            | Node::Norm(_, a)
            | Node::Transpose(a)
            | Node::Neg(a) => vec![a.as_ref()],
            Node::Inner(a, b) | Node::Bin(_, a, b) => vec![a.as_ref(), b.as_ref()],
            Node::Subst(b, binds) => std::iter::once(b.as_ref())
                .chain(binds.iter().map(|(_, v)| v))
                .collect(),
        };
        let mut d = depth;
        for k in kids {
            d = d.max(go(k, depth + 1, nodes)?);
        }
        Some(d)
    }
    let mut nodes = 0;
    let d = go(e, 0, &mut nodes)?;
    Some((nodes, d))
}
