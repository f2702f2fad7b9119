//! Assumptions satisfied by construction.
//!
//! Every equality assumption gets, where its shape allows, a *constructor*
//! that changes one variable (its *target*) of a freely drawn sample so that
//! the assumption holds:
//! - `v = e` (v not in e): define v := e (so `‖g‖ = a` defines a from g);
//! - `‖v‖ = e`, `‖v‖ᵏ = e`, `⟨v, v⟩ = e`: rescale v to norm `e^(1/k)`
//!   (a negative e cannot be met: the draw is rejected);
//! - `⟨u, b⟩ = e`, `uᵀb = e` (u not in b, e): move u along b,
//!   `u := u + (e − ⟨u, b⟩)/‖b‖² · b` (for e = 0 the projection onto b⊥);
//! - any other scalar equation: Newton's method on one of its scalar
//!   variables, from the drawn value, with the derivative from a jet.
//!
//! Targets are chosen so that no two constructors change the same variable
//! where possible (a small backtracking search over the candidates, in the
//! order above), and the constructors are applied in rounds until every
//! constructed assumption holds (usually two rounds: `‖w‖ = 1, ‖g‖ = a,
//! ⟨g, w⟩ = 0` normalises w, defines a, projects g, and the second round
//! redefines a from the projected g). Inequalities, and equalities no
//! constructor fits, are left to rejection: the caller redraws, a bounded
//! number of times.
//!
//! Invariant: [`realize`] returns `Ok` only when *every* assumption holds
//! at the final sample within the tolerance (strict inequalities strictly)
//! and every scalar lies in its declared domain.

use std::collections::BTreeSet;

use nalgebra::DMatrix;

use super::eval::Ctx;
use super::sample::in_domain;
use super::tolerance::{compare, near_zero};
use super::value::{Trouble, Val};
use super::walk::vars;
use crate::sema::hir::{BinOp, Ex, Fact, Kind, Node, NormP, RelOp, Scope};

/// How one assumption is made to hold.
#[derive(Clone, Debug)]
pub(crate) enum Ctor<'a> {
    /// `target := expr`.
    Define { target: String, expr: &'a Ex },
    /// Rescale the vector `target` so that `‖target‖^power = expr`.
    ScaleNorm {
        target: String,
        expr: &'a Ex,
        power: f64,
    },
    /// Move the vector `target` along `other` so that `⟨target, other⟩ = value`.
    Project {
        target: String,
        other: &'a Ex,
        value: &'a Ex,
    },
    /// Solve the scalar equation `lhs = rhs` for the scalar `target`.
    Newton {
        target: String,
        lhs: &'a Ex,
        rhs: &'a Ex,
    },
}

impl Ctor<'_> {
    fn target(&self) -> &str {
        match self {
            Ctor::Define { target, .. }
            | Ctor::ScaleNorm { target, .. }
            | Ctor::Project { target, .. }
            | Ctor::Newton { target, .. } => target,
        }
    }
}

/// The constructors chosen for a step's assumptions.
#[derive(Clone, Debug)]
pub(crate) struct Plan<'a> {
    /// The assumptions.
    pub facts: &'a [Fact],
    /// (assumption index, constructor), in assumption order.
    pub ctors: Vec<(usize, Ctor<'a>)>,
}

/// Why a drawn sample was rejected.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reject {
    /// The assumption with this index does not hold.
    Assumption(usize),
    /// The constructors did not reach a common fixpoint (the constructed
    /// assumptions contradict each other, or the construction is too slow).
    Together,
    /// A constructed scalar left its domain (the variable's spelling).
    Domain(String),
    /// An assumption could not be evaluated.
    Trouble(Trouble),
}

fn as_var(e: &Ex) -> Option<&str> {
    match &e.node {
        Node::Var(k) => Some(k),
        _ => None,
    }
}

/// `‖v‖`, `‖v‖ᵏ`, `⟨v, v⟩`, `vᵀv` as (v, k).
fn as_norm_power(e: &Ex) -> Option<(&str, f64)> {
    match &e.node {
        Node::Norm(NormP::Two, x) => Some((as_var(x)?, 1.0)),
        Node::Bin(BinOp::Pow, b, p) => {
            let (v, k) = as_norm_power(b)?;
            match &p.node {
                Node::Num(r) if r.to_f64() > 0.0 => Some((v, k * r.to_f64())),
                _ => None,
            }
        }
        _ => {
            let (a, b) = as_inner(e)?;
            let (a, b) = (as_var(a)?, as_var(b)?);
            (a == b).then_some((a, 2.0))
        }
    }
}

/// `⟨a, b⟩` or `aᵀb` of two vectors.
fn as_inner(e: &Ex) -> Option<(&Ex, &Ex)> {
    match &e.node {
        Node::Inner(a, b) => Some((a, b)),
        Node::Bin(BinOp::Mul, t, b) if b.kind == Kind::Vector => match &t.node {
            Node::Transpose(a) if a.kind == Kind::Vector => Some((a, b)),
            _ => None,
        },
        _ => None,
    }
}

fn candidates<'a>(f: &'a Fact, scope: &Scope) -> Vec<Ctor<'a>> {
    let mut out = Vec::new();
    if f.op != RelOp::Eq {
        return out;
    }
    let declared = |k: &str| scope.var(k).is_some();
    let sides = [(&f.lhs, &f.rhs), (&f.rhs, &f.lhs)];
    for (p, e) in sides {
        if let Some(v) = as_var(p) {
            if declared(v) && !vars(e).contains(v) {
                out.push(Ctor::Define {
                    target: v.to_string(),
                    expr: e,
                });
            }
        }
    }
    for (p, e) in sides {
        if let Some((v, k)) = as_norm_power(p) {
            if declared(v) && !vars(e).contains(v) {
                out.push(Ctor::ScaleNorm {
                    target: v.to_string(),
                    expr: e,
                    power: k,
                });
            }
        }
    }
    for (p, e) in sides {
        if let Some((a, b)) = as_inner(p) {
            for (u, other) in [(a, b), (b, a)] {
                if let Some(t) = as_var(u) {
                    let mut used = vars(other);
                    used.extend(vars(e));
                    if declared(t) && !used.contains(t) {
                        out.push(Ctor::Project {
                            target: t.to_string(),
                            other,
                            value: e,
                        });
                    }
                }
            }
        }
    }
    if f.lhs.kind == Kind::Scalar {
        let mut all = vars(&f.lhs);
        all.extend(vars(&f.rhs));
        for v in all {
            if scope.var(&v).is_some_and(|d| d.kind == Kind::Scalar) {
                out.push(Ctor::Newton {
                    target: v,
                    lhs: &f.lhs,
                    rhs: &f.rhs,
                });
            }
        }
    }
    out
}

/// The factors of a product, flattened (`a·b·c` → a, b, c).
fn factors<'e>(e: &'e Ex, out: &mut Vec<&'e Ex>) {
    match &e.node {
        Node::Bin(BinOp::Mul, a, b) if a.kind == Kind::Scalar && b.kind == Kind::Scalar => {
            factors(a, out);
            factors(b, out);
        }
        _ => out.push(e),
    }
}

fn is_zero(e: &Ex) -> bool {
    matches!(&e.node, Node::Zero) || matches!(&e.node, Node::Num(r) if r.is_zero())
}

/// `a·b·… = 0` (either way round) as the product's factors and the zero side.
fn zero_product(f: &Fact) -> Option<(Vec<&Ex>, &Ex)> {
    if f.op != RelOp::Eq || f.lhs.kind != Kind::Scalar {
        return None;
    }
    let (p, z) = if is_zero(&f.rhs) {
        (&f.lhs, &f.rhs)
    } else if is_zero(&f.lhs) {
        (&f.rhs, &f.lhs)
    } else {
        return None;
    };
    let mut fs = Vec::new();
    factors(p, &mut fs);
    (fs.len() > 1).then_some((fs, z))
}

/// The plans for the assumptions' branches: an assumption `a·b = 0` holds
/// when a = 0 or when b = 0, and a sample should meet each. The first
/// product assumption gives one plan per factor, whose constructor zeroes
/// that factor (Newton's method on one of its scalar variables); without
/// one, the single [`plan`]. The search cycles through the plans.
pub(crate) fn plans<'a>(facts: &'a [Fact], scope: &Scope) -> Vec<Plan<'a>> {
    for (i, f) in facts.iter().enumerate() {
        let Some((fs, zero)) = zero_product(f) else {
            continue;
        };
        let mut out = Vec::new();
        for factor in fs {
            let cands: Vec<Ctor<'a>> = vars(factor)
                .into_iter()
                .filter(|v| scope.var(v).is_some_and(|d| d.kind == Kind::Scalar))
                .map(|v| Ctor::Newton {
                    target: v,
                    lhs: factor,
                    rhs: zero,
                })
                .collect();
            if !cands.is_empty() {
                out.push(plan_with(facts, scope, Some((i, cands))));
            }
        }
        if out.len() > 1 {
            return out;
        }
    }
    vec![plan(facts, scope)]
}

/// Chooses constructors for the assumptions (see the module docs).
pub(crate) fn plan<'a>(facts: &'a [Fact], scope: &Scope) -> Plan<'a> {
    plan_with(facts, scope, None)
}

/// [`plan`], with the candidates of one assumption given.
fn plan_with<'a>(
    facts: &'a [Fact],
    scope: &Scope,
    given: Option<(usize, Vec<Ctor<'a>>)>,
) -> Plan<'a> {
    let cands: Vec<(usize, Vec<Ctor<'a>>)> = facts
        .iter()
        .enumerate()
        .map(|(i, f)| match &given {
            Some((j, c)) if *j == i => (i, c.clone()),
            _ => (i, candidates(f, scope)),
        })
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let mut choice = vec![0usize; cands.len()];
    let mut budget = 10_000usize;
    let distinct = search(&cands, 0, &mut choice, &mut BTreeSet::new(), &mut budget);
    let ctors = cands
        .iter()
        .zip(&choice)
        .map(|((i, c), k)| (*i, c[if distinct { *k } else { 0 }].clone()))
        .collect();
    Plan { facts, ctors }
}

fn search(
    cands: &[(usize, Vec<Ctor<'_>>)],
    at: usize,
    choice: &mut [usize],
    used: &mut BTreeSet<String>,
    budget: &mut usize,
) -> bool {
    if at == cands.len() {
        return true;
    }
    for (k, c) in cands[at].1.iter().enumerate() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let t = c.target().to_string();
        if used.contains(&t) {
            continue;
        }
        used.insert(t.clone());
        choice[at] = k;
        if search(cands, at + 1, choice, used, budget) {
            return true;
        }
        used.remove(&t);
    }
    false
}

/// Most rounds of constructors before giving up on a draw.
const ROUNDS: usize = 100;

/// A round that moves no target by more than this (relative to its size)
/// has reached the fixpoint: every constructed assumption holds up to
/// rounding, not merely within the comparison tolerance.
const FIXPOINT: f64 = 1e-14;

fn relative_change(old: &DMatrix<f64>, new: &DMatrix<f64>) -> f64 {
    if old.shape() != new.shape() {
        return f64::INFINITY;
    }
    let size = old
        .iter()
        .chain(new.iter())
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    let diff = old
        .iter()
        .zip(new.iter())
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    if diff == 0.0 {
        0.0
    } else {
        diff / size
    }
}

fn set(ctx: &mut Ctx<'_>, key: &str, v: Val) -> Result<(), Trouble> {
    match ctx.env.iter_mut().rev().find(|(k, _)| k == key) {
        Some(slot) => {
            slot.1 = v;
            Ok(())
        }
        None => Err(Trouble::Unsupported(format!(
            "the variable {key} has no value"
        ))),
    }
}

fn fresh(v: &Val) -> Result<Val, Trouble> {
    // A constructed value starts a new sample value: its magnitude is its
    // own size (the construction is exact up to rounding of that size).
    Val::constant(v.kind, v.base().clone())
}

fn apply(ctx: &mut Ctx<'_>, c: &Ctor<'_>) -> Result<bool, Trouble> {
    match c {
        Ctor::Define { target, expr } => {
            let v = ctx.eval(expr)?;
            set(ctx, target, fresh(&v)?)?;
        }
        Ctor::ScaleNorm {
            target,
            expr,
            power,
        } => {
            let e = ctx.eval(expr)?.base_scalar();
            if e < 0.0 {
                return Ok(false);
            }
            let r = e.powf(1.0 / power);
            let v = ctx.lookup(target)?.base().clone();
            let norm = v.norm();
            let new = if r == 0.0 {
                v * 0.0
            } else if norm == 0.0 {
                // The zero vector has no direction: take the first axis.
                DMatrix::from_fn(v.nrows(), 1, |i, _| if i == 0 { r } else { 0.0 })
            } else {
                v * (r / norm)
            };
            set(ctx, target, Val::constant(Kind::Vector, new)?)?;
        }
        Ctor::Project {
            target,
            other,
            value,
        } => {
            let b = ctx.eval(other)?.base().clone();
            let e = ctx.eval(value)?.base_scalar();
            let u = ctx.lookup(target)?.base().clone();
            if b.shape() != u.shape() {
                return Ok(false);
            }
            let bb = b.dot(&b);
            if bb < 1e-12 {
                // ⟨u, 0⟩ = e holds already when e = 0, and never otherwise.
                return Ok(e == 0.0);
            }
            let new = &u + &b * ((e - u.dot(&b)) / bb);
            set(ctx, target, Val::constant(Kind::Vector, new)?)?;
        }
        Ctor::Newton { target, lhs, rhs } => {
            // Iterate until the step is at the rounding level of x, then
            // accept only if the equation holds.
            let mut last = false;
            for _ in 0..60 {
                let s = ctx.lookup(target)?.clone();
                let k = ctx.eps;
                let one = DMatrix::from_element(1, 1, 1.0);
                let seeded = Val::new(s.kind, s.jet.seed(k, one), s.mag + 1.0)?;
                ctx.eps += 1;
                let d = ctx.with(vec![(target.clone(), seeded)], |c| {
                    let l = c.eval(lhs)?;
                    let r = c.eval(rhs)?;
                    l.add(&r, -1.0)
                });
                ctx.eps -= 1;
                let d = d?;
                let f0 = d.base_scalar();
                let x = s.base_scalar();
                if f0 == 0.0 {
                    return Ok(true);
                }
                let f1 = d.jet.extract(1 << k, k).base_scalar();
                if f1 == 0.0 || !f1.is_finite() {
                    return Ok(false);
                }
                let step = f0 / f1;
                set(ctx, target, Val::scalar(x - step)?)?;
                last = near_zero(f0, d.mag);
                if step.abs() <= 4.0 * f64::EPSILON * x.abs() {
                    return Ok(last);
                }
            }
            return Ok(last);
        }
    }
    Ok(true)
}

fn holds(ctx: &mut Ctx<'_>, f: &Fact) -> Result<bool, Trouble> {
    let l = ctx.eval(&f.lhs)?;
    let r = ctx.eval(&f.rhs)?;
    Ok(compare(f.op, &l, &r).is_some_and(|c| c.holds))
}

/// Makes the sample in `ctx` satisfy the plan's assumptions (see the module
/// docs); `Err` names what failed.
pub(crate) fn realize(ctx: &mut Ctx<'_>, plan: &Plan<'_>, scope: &Scope) -> Result<(), Reject> {
    let lift = Reject::Trouble;
    if !plan.ctors.is_empty() {
        let mut fixed = false;
        for _ in 0..ROUNDS {
            let mut change: f64 = 0.0;
            for (i, c) in &plan.ctors {
                let old = ctx.lookup(c.target()).map_err(lift)?.base().clone();
                match apply(ctx, c) {
                    Ok(true) => {}
                    Ok(false) | Err(Trouble::Invalid(_)) => return Err(Reject::Assumption(*i)),
                    Err(t) => return Err(lift(t)),
                }
                let new = ctx.lookup(c.target()).map_err(lift)?.base();
                change = change.max(relative_change(&old, new));
            }
            if change <= FIXPOINT {
                fixed = true;
                break;
            }
        }
        if !fixed {
            return Err(Reject::Together);
        }
    }
    for (i, f) in plan.facts.iter().enumerate() {
        // An assumption met by rejection (no constructor) must hold
        // precisely where that can be told: the double-precision tolerance
        // would accept nearly parallel vectors for ⟨w, x⟩² = ‖w‖²‖x‖².
        let constructed = plan.ctors.iter().any(|(j, _)| *j == i);
        if !constructed && super::precise::holds(ctx, f) == Some(false) {
            return Err(Reject::Assumption(i));
        }
        match holds(ctx, f) {
            Ok(true) => {}
            Ok(false) | Err(Trouble::Invalid(_)) => return Err(Reject::Assumption(i)),
            Err(t) => return Err(lift(t)),
        }
    }
    for (k, v) in &ctx.env {
        if let Some(d) = scope.var(k) {
            if d.kind == Kind::Scalar && !in_domain(v.base_scalar(), &d.domain) {
                return Err(Reject::Domain(d.text.clone()));
            }
        }
    }
    Ok(())
}
