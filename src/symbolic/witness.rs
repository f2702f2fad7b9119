//! Exact witnesses: a concrete point at which a step fails, found by the
//! symbolic judge and checked in exact rational arithmetic.
//!
//! A *point* gives every declared scalar a rational value in its declared
//! domain and every declared vector rational components in one dimension
//! n. Vectors are drawn so that their 2-norms are rational too (a rational
//! unit vector from the inverse stereographic projection of a rational
//! point, times a rational length, or a multiple of a basis vector), so
//! that Gram atoms and norms evaluate exactly.
//!
//! Soundness: a witness is reported only when, at the point, every
//! assumption in scope evaluates exactly and holds, every value lies in
//! its declared domain, both sides evaluate exactly (no rounding anywhere:
//! a power is taken only when the result is rational, `exp` and `log` only
//! at 0 and 1) and the relation fails. The sides evaluated are the lowered
//! sides *before* assumptions are applied as rewrites, so the witness does
//! not rest on the rewrites either. Evaluation never exceeds
//! [`crate::rat::MAX_POW_BITS`] per power, so it stays cheap.
//!
//! The search is deterministic: its generator is seeded from the step's
//! identity alone.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::atoms::{sym_index, SAtom, VAtom};
use super::lin::Lin;
use super::val::Val;
use super::{Ctx, Res};
use crate::rat::Rat;
use crate::sema::hir::{Domain, Kind, NormP, RelOp, Scope};
use crate::term::Term;

/// A concrete point: values of the declared variables, by key.
#[derive(Clone, Debug, Default)]
pub struct Point {
    /// The dimension of every vector.
    pub n: usize,
    /// Scalars by key.
    pub scalars: HashMap<String, Rat>,
    /// Vectors by key.
    pub vectors: HashMap<String, Vec<Rat>>,
    /// Unknown functions of one scalar, by key: the coefficients c₀, c₁, …
    /// of the polynomial instance Σ cₖ tᵏ (a smooth function, so a
    /// counterexample with it is a counterexample for the step).
    pub funcs: HashMap<String, Vec<Rat>>,
}

/// An exact value of either side.
#[derive(Clone, Debug, PartialEq)]
pub enum Exact {
    /// A scalar.
    S(Rat),
    /// A vector (or covector).
    V(Vec<Rat>),
}

/// A witness found: the point, printed, and both sides' exact values.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The dimension.
    pub n: usize,
    /// `name = value`, in declaration order.
    pub values: Vec<(String, String)>,
    /// The left side's exact value.
    pub lhs: String,
    /// The right side's exact value.
    pub rhs: String,
}

impl Witness {
    /// The point alone: "α = 2, λ = 1" (with n for vectors).
    pub fn at(&self) -> String {
        let at = self
            .values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        if self.values.iter().any(|(_, v)| v.starts_with('[')) {
            format!("n = {}, {at}", self.n)
        } else {
            at
        }
    }

    /// One line: "at x = 1/3: left side = 0, right side = 1".
    pub fn line(&self) -> String {
        let at = self
            .values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let n = if self.values.iter().any(|(_, v)| v.starts_with('[')) {
            format!("n = {}, ", self.n)
        } else {
            String::new()
        };
        let at = if self.values.is_empty() {
            String::new()
        } else {
            format!(" at {n}{at}")
        };
        format!(
            "exact witness{at}: left side = {}, right side = {}",
            brief(&self.lhs),
            brief(&self.rhs)
        )
    }
}

/// A side of a relation to check at points: lowered, before assumptions.
pub struct Rel {
    /// Left.
    pub l: Val,
    /// Comparison.
    pub op: RelOp,
    /// Right.
    pub r: Val,
}

/// How many points the search tries.
const TRIES: usize = 160;

impl Ctx<'_> {
    /// Searches for a point where `goal` fails while every relation in
    /// `facts` (the lowered assumptions) holds. `zeros` are scalar terms
    /// (factors of the difference) whose zeros in one declared scalar are
    /// tried as special points.
    pub fn witness(
        &mut self,
        seed_text: &str,
        goal: &Rel,
        facts: &[Rel],
        zeros: &[Term],
    ) -> Res<Option<Witness>> {
        let scope = self.scope;
        let mut rng = ChaCha8Rng::seed_from_u64(fnv(seed_text));
        let linear = self.linear_zeros(zeros, scope)?;
        for k in 0..TRIES {
            let n = [1, 2, 3, 2, 4, 1, 3, 5][k % 8];
            let mut p = draw(scope, n, k, &mut rng);
            self.settle(&mut p, facts, scope);
            if let Some(w) = self.fails_at(&p, goal, facts) {
                return Ok(Some(w));
            }
            // Zeros of linear factors in one variable, the others as drawn.
            for (key, f0, f1) in &linear {
                let Some(d) = scope.var(key).map(|v| v.domain.clone()) else {
                    continue;
                };
                let mut q = p.clone();
                q.scalars.insert(key.clone(), Rat::zero());
                let (Some(a), Some(b)) = (self.at_point(&q, f0), self.at_point(&q, f1)) else {
                    continue;
                };
                let Some(x) = a.neg().div(&b) else { continue };
                if !in_domain(&x, &d) {
                    continue;
                }
                q.scalars.insert(key.clone(), x);
                self.settle(&mut q, facts, scope);
                if let Some(w) = self.fails_at(&q, goal, facts) {
                    return Ok(Some(w));
                }
            }
        }
        Ok(None)
    }

    /// Searches for a point where `rel` and `answer` (two relations about
    /// the scalar unknown `var`) have different truth values: the stated
    /// answer set is then not the solution set. `ends` are the ends of both
    /// sets (terms in the parameters); the unknown is tried at each end, just
    /// beside it and between ends. Returns the witness and whether `rel`
    /// holds there.
    pub fn witness_iff(
        &mut self,
        seed_text: &str,
        rel: &Rel,
        answer: &Rel,
        var: &str,
        ends: &[Term],
        facts: &[Rel],
    ) -> Res<Option<(Witness, bool)>> {
        let scope = self.scope;
        let Some(domain) = scope.var(var).map(|v| v.domain.clone()) else {
            return Ok(None);
        };
        let mut rng = ChaCha8Rng::seed_from_u64(fnv(seed_text));
        for k in 0..TRIES / 2 {
            let mut p = draw(scope, [1, 2, 3][k % 3], k, &mut rng);
            self.settle(&mut p, facts, scope);
            let mut xs: Vec<Rat> = ends.iter().filter_map(|e| self.at_point(&p, e)).collect();
            xs.sort();
            xs.dedup();
            let mut cands = Vec::new();
            for (i, x) in xs.iter().enumerate() {
                cands.push(x.clone());
                let scale = if x.abs() > Rat::one() {
                    x.abs()
                } else {
                    Rat::one()
                };
                for e in [1, 3, 6, 12] {
                    let d = scale.mul(&Rat::int(10).pow(&Rat::int(-e)).unwrap_or_else(Rat::one));
                    cands.push(x.add(&d));
                    cands.push(x.sub(&d));
                }
                if let Some(next) = xs.get(i + 1) {
                    cands.push(x.add(next).mul(&super::val::half_rat()));
                }
            }
            cands.extend(specials(&domain));
            for x in cands.into_iter().filter(|x| in_domain(x, &domain)) {
                let mut q = p.clone();
                q.scalars.insert(var.to_string(), x);
                if let Some(found) = self.differs_at(&q, rel, answer, facts) {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// The witness at `p` if the assumptions and domains hold there and
    /// `a` and `b` have different truth values (with `a`'s truth).
    fn differs_at(&self, p: &Point, a: &Rel, b: &Rel, facts: &[Rel]) -> Option<(Witness, bool)> {
        if !self.in_domains(p) {
            return None;
        }
        let mut used = std::collections::BTreeSet::new();
        if !self.facts_hold(p, facts, &mut used) {
            return None;
        }
        let (al, ar) = (
            self.value_using(p, &a.l, &mut used)?,
            self.value_using(p, &a.r, &mut used)?,
        );
        let (bl, br) = (
            self.value_using(p, &b.l, &mut used)?,
            self.value_using(p, &b.r, &mut used)?,
        );
        let ta = holds(&al, a.op, &ar)?;
        let tb = holds(&bl, b.op, &br)?;
        if ta == tb {
            return None;
        }
        Some((
            Witness {
                n: p.n,
                values: self.shown_values(p, &used),
                lhs: show(&al),
                rhs: show(&ar),
            },
            ta,
        ))
    }

    /// Whether every relation of `facts` evaluates exactly at `p` and
    /// holds; the variables read are added to `used`.
    fn facts_hold(
        &self,
        p: &Point,
        facts: &[Rel],
        used: &mut std::collections::BTreeSet<String>,
    ) -> bool {
        facts.iter().all(|f| {
            match (
                self.value_using(p, &f.l, used),
                self.value_using(p, &f.r, used),
            ) {
                (Some(a), Some(b)) => holds(&a, f.op, &b) == Some(true),
                _ => false,
            }
        })
    }

    fn in_domains(&self, p: &Point) -> bool {
        self.scope.vars.iter().all(|v| {
            p.scalars
                .get(&v.key)
                .is_none_or(|x| in_domain(x, &v.domain))
        })
    }

    fn shown_values(
        &self,
        p: &Point,
        used: &std::collections::BTreeSet<String>,
    ) -> Vec<(String, String)> {
        let mut values = Vec::new();
        for v in self.scope.vars.iter().filter(|v| used.contains(&v.key)) {
            if let Some(x) = p.scalars.get(&v.key) {
                values.push((v.text.clone(), x.to_string()));
            } else if let Some(x) = p.vectors.get(&v.key) {
                values.push((v.text.clone(), show_vec(x)));
            }
        }
        for f in self.scope.funcs.iter().filter(|f| used.contains(&f.key)) {
            if let Some(c) = p.funcs.get(&f.key) {
                values.push((format!("{}(t)", f.text), show_poly(c)));
            }
        }
        values
    }

    /// Searches for a point where the set of solutions of `eq` in the
    /// scalar unknown `var` differs from the stated values `stated`: a
    /// value in the unknown's domain that solves the equation but is not
    /// stated (or the reverse). Parameters are also tried at the zeros of
    /// the linear factors in `zeros` (where a coefficient vanishes and
    /// every value may solve).
    pub fn witness_solutions(
        &mut self,
        seed_text: &str,
        eq: &Rel,
        var: &str,
        stated: &[Val],
        zeros: &[Term],
        facts: &[Rel],
    ) -> Res<Option<String>> {
        let scope = self.scope;
        let Some(domain) = scope.var(var).map(|v| v.domain.clone()) else {
            return Ok(None);
        };
        let linear: Vec<_> = self
            .linear_zeros(zeros, scope)?
            .into_iter()
            .filter(|(k, _, _)| k != var)
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(fnv(seed_text));
        for k in 0..TRIES / 4 {
            let p0 = draw(scope, 1, k, &mut rng);
            let mut variants = vec![p0.clone()];
            for (key, f0, f1) in &linear {
                let mut q = p0.clone();
                q.scalars.insert(key.clone(), Rat::zero());
                let (Some(a), Some(b)) = (self.at_point(&q, f0), self.at_point(&q, f1)) else {
                    continue;
                };
                if let Some(x) = a.neg().div(&b) {
                    q.scalars.insert(key.clone(), x);
                    variants.push(q);
                }
            }
            for mut p in variants {
                self.settle(&mut p, facts, scope);
                let mut vals = Vec::new();
                for s in stated {
                    match self.value(&p, s) {
                        Some(Exact::S(v)) => vals.push(v),
                        _ => vals.clear(),
                    }
                }
                if vals.len() != stated.len() {
                    continue;
                }
                let name = scope.var(var).map_or(var, |v| v.text.as_str());
                if let Some(x) = vals.iter().find(|x| !in_domain(x, &domain)) {
                    if self.in_domains(&p) {
                        let mut used = std::collections::BTreeSet::new();
                        let facts_hold = self.facts_hold(&p, facts, &mut used);
                        for s in stated {
                            let _ = self.value_using(&p, s, &mut used);
                        }
                        if facts_hold {
                            let at = Witness {
                                n: p.n,
                                values: self.shown_values(&p, &used),
                                lhs: String::new(),
                                rhs: String::new(),
                            }
                            .at();
                            let at = if at.is_empty() {
                                String::new()
                            } else {
                                format!(" at {at}")
                            };
                            return Ok(Some(format!(
                                "exact witness{at}: the stated {name} = {x} lies outside the declared domain of {name}"
                            )));
                        }
                    }
                }
                let mut cands = vals.clone();
                cands.extend(specials(&domain));
                for x in cands.into_iter().filter(|x| in_domain(x, &domain)) {
                    let mut q = p.clone();
                    q.scalars.insert(var.to_string(), x.clone());
                    if !self.in_domains(&q) {
                        continue;
                    }
                    let mut used = std::collections::BTreeSet::new();
                    if !self.facts_hold(&q, facts, &mut used) {
                        continue;
                    }
                    let (Some(l), Some(r)) = (
                        self.value_using(&q, &eq.l, &mut used),
                        self.value_using(&q, &eq.r, &mut used),
                    ) else {
                        continue;
                    };
                    let Some(solves) = holds(&l, RelOp::Eq, &r) else {
                        continue;
                    };
                    let listed = vals.contains(&x);
                    if solves != listed {
                        used.remove(var);
                        let at = Witness {
                            n: q.n,
                            values: self.shown_values(&q, &used),
                            lhs: String::new(),
                            rhs: String::new(),
                        }
                        .at();
                        let name = scope.var(var).map_or(var, |v| v.text.as_str());
                        let at = if at.is_empty() {
                            String::new()
                        } else {
                            format!(" at {at}")
                        };
                        return Ok(Some(if solves {
                            format!("exact witness{at}: {name} = {x} solves the equation (left side = {}, right side = {}) but is not a stated solution", show(&l), show(&r))
                        } else {
                            format!("exact witness{at}: the stated {name} = {x} does not solve the equation (left side = {}, right side = {})", show(&l), show(&r))
                        }));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Searches for a point where the stated optimum `claimed` of `prob`
    /// is infeasible, or feasible but strictly worse than the feasible
    /// point `derived`; either shows exactly that it is not an optimum.
    pub fn witness_optimum(
        &mut self,
        seed_text: &str,
        prob: &super::optimize::Problem,
        var: &str,
        claimed: &Val,
        derived: Option<&Val>,
        facts: &[Rel],
    ) -> Res<Option<String>> {
        let mut cons = Vec::new();
        for c in prob.constraints {
            cons.push((
                Rel {
                    l: self.lower(&c.fact.lhs)?,
                    op: c.fact.op,
                    r: self.lower(&c.fact.rhs)?,
                },
                c.elementwise,
                c.fact.text.clone(),
            ));
        }
        let scope = self.scope;
        let mut rng = ChaCha8Rng::seed_from_u64(fnv(seed_text));
        let f = Val::S(prob.f.clone());
        for k in 0..TRIES / 2 {
            let mut p = draw(scope, [1, 2, 3][k % 3], k, &mut rng);
            self.settle(&mut p, facts, scope);
            if !self.in_domains(&p) {
                continue;
            }
            let Some(c) = self.value(&p, claimed) else {
                continue;
            };
            // The points to compare with: the derived optimum, or (when
            // the judge derived none) special values and drawn vectors.
            let others: Vec<Exact> = match derived {
                Some(d) => self.value(&p, d).into_iter().collect(),
                None => match scope.var(var).map(|v| (v.kind, v.domain.clone())) {
                    Some((Kind::Scalar, dom)) => specials(&dom).into_iter().map(Exact::S).collect(),
                    Some((Kind::Vector, _)) => {
                        (0..6).map(|_| Exact::V(vector(p.n, &mut rng))).collect()
                    }
                    _ => Vec::new(),
                },
            };
            let with = |x: &Exact| {
                let mut q = p.clone();
                match x {
                    Exact::S(v) => {
                        q.scalars.insert(var.to_string(), v.clone());
                    }
                    Exact::V(v) => {
                        q.vectors.insert(var.to_string(), v.clone());
                    }
                }
                q
            };
            let pc = with(&c);
            let facts_hold =
                |q: &Point| self.facts_hold(q, facts, &mut std::collections::BTreeSet::new());
            if !facts_hold(&pc) {
                continue;
            }
            let mut used = std::collections::BTreeSet::new();
            let feasible = |q: &Point,
                            used: &mut std::collections::BTreeSet<String>|
             -> Option<Option<String>> {
                for (r, elementwise, text) in &cons {
                    let a = self.value_using(q, &r.l, used)?;
                    let b = self.value_using(q, &r.r, used)?;
                    let ok = if *elementwise {
                        holds_elementwise(&a, r.op, &b)?
                    } else {
                        holds(&a, r.op, &b)?
                    };
                    if !ok {
                        return Some(Some(text.clone()));
                    }
                }
                Some(None)
            };
            let at = |used: &std::collections::BTreeSet<String>| {
                let mut u = used.clone();
                u.remove(var);
                let w = Witness {
                    n: p.n,
                    values: self.shown_values(&p, &u),
                    lhs: String::new(),
                    rhs: String::new(),
                };
                w.at()
            };
            match feasible(&pc, &mut used) {
                Some(Some(broken)) => {
                    return Ok(Some(format!(
                        "exact witness at {}: the stated point {} violates {broken}",
                        at(&used),
                        show(&c)
                    )))
                }
                Some(None) => {}
                None => continue,
            }
            let Some(Exact::S(fc)) = self.value_using(&pc, &f, &mut used) else {
                continue;
            };
            for d in others.iter().filter(|d| **d != c) {
                let pd = with(d);
                if !facts_hold(&pd) || feasible(&pd, &mut used) != Some(None) {
                    continue;
                }
                let Some(Exact::S(fd)) = self.value_using(&pd, &f, &mut used) else {
                    continue;
                };
                let worse = match prob.sense {
                    crate::sema::hir::Sense::Min => fc > fd,
                    crate::sema::hir::Sense::Max => fc < fd,
                };
                if worse {
                    return Ok(Some(format!(
                        "exact witness at {}: the stated point {} has objective {fc}, the feasible point {} has {fd}",
                        at(&used),
                        show(&c),
                        show(d)
                    )));
                }
            }
        }
        Ok(None)
    }

    /// For each factor linear in a declared scalar x: (x, f at x = 0 as a
    /// term, ∂f/∂x), so that x = −f(0)/f' is its zero.
    fn linear_zeros(&mut self, zeros: &[Term], scope: &Scope) -> Res<Vec<(String, Term, Term)>> {
        let mut out = Vec::new();
        for f in zeros {
            for v in scope.vars.iter().filter(|v| v.kind == Kind::Scalar) {
                let Some(sym) = self.var_symbol(&v.key) else {
                    continue;
                };
                let Term::Sym(s) = &sym else { continue };
                let d = super::calculus::deriv(f, s)?;
                let d = self.eng.normalize(&d).map_err(super::eng_err)?;
                if d.is_zero() || super::calculus::mentions(&d, s) {
                    continue;
                }
                let f0 = replace_sym(f, s, &Term::int(0));
                out.push((v.key.clone(), f0, d));
                if out.len() > 24 {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// The symbol of a declared scalar, if the step registered it.
    fn var_symbol(&self, key: &str) -> Option<Term> {
        self.atoms
            .scalars
            .iter()
            .position(|a| matches!(a, SAtom::Var(k) if k == key))
            .map(|i| Term::Sym(super::atoms::sym_name(i)))
    }

    /// Makes simple equality assumptions hold: `x = e` (or `e = x`) for a
    /// declared scalar x sets x to the value of e, when it is in x's domain.
    fn settle(&mut self, p: &mut Point, facts: &[Rel], scope: &Scope) {
        for _ in 0..2 {
            for f in facts.iter().filter(|f| f.op == RelOp::Eq) {
                for (a, b) in [(&f.l, &f.r), (&f.r, &f.l)] {
                    let Val::S(Term::Sym(s)) = a else { continue };
                    let Some(SAtom::Var(k)) = self.atoms.satom(s).cloned() else {
                        continue;
                    };
                    let Some(Exact::S(v)) = self.value(p, b) else {
                        continue;
                    };
                    let ok = scope.var(&k).is_some_and(|d| in_domain(&v, &d.domain));
                    if ok {
                        p.scalars.insert(k, v);
                        break;
                    }
                }
            }
        }
    }

    /// The witness at `p`, if the assumptions hold there and the goal fails.
    fn fails_at(&mut self, p: &Point, goal: &Rel, facts: &[Rel]) -> Option<Witness> {
        if !self.in_domains(p) {
            return None;
        }
        let mut used = std::collections::BTreeSet::new();
        if !self.facts_hold(p, facts, &mut used) {
            return None;
        }
        let l = self.value_using(p, &goal.l, &mut used)?;
        let r = self.value_using(p, &goal.r, &mut used)?;
        if holds(&l, goal.op, &r)? {
            return None;
        }
        Some(Witness {
            n: p.n,
            values: self.shown_values(p, &used),
            lhs: show(&l),
            rhs: show(&r),
        })
    }

    /// The exact value of a lowered side at `p`; `None` where it is
    /// undefined there or not exactly computable.
    pub fn value(&self, p: &Point, v: &Val) -> Option<Exact> {
        self.value_using(p, v, &mut std::collections::BTreeSet::new())
    }

    /// As [`Ctx::value`], adding the keys of the variables read to `used`.
    fn value_using(
        &self,
        p: &Point,
        v: &Val,
        used: &mut std::collections::BTreeSet<String>,
    ) -> Option<Exact> {
        let mut e = Evaluator {
            ctx: self,
            p,
            memo: HashMap::new(),
            vmemo: HashMap::new(),
            used,
        };
        match v {
            Val::S(t) => e.term(t).map(Exact::S),
            Val::V(l) | Val::C(l) => e.lin(l).map(Exact::V),
            Val::M(_) => None,
        }
    }

    fn at_point(&self, p: &Point, t: &Term) -> Option<Rat> {
        match self.value(p, &Val::S(t.clone())) {
            Some(Exact::S(r)) => Some(r),
            _ => None,
        }
    }
}

/// Evaluates terms and atoms at one point, memoising atoms.
struct Evaluator<'c, 'a, 'p> {
    ctx: &'c Ctx<'a>,
    p: &'p Point,
    memo: HashMap<usize, Option<Rat>>,
    vmemo: HashMap<usize, Option<Vec<Rat>>>,
    used: &'p mut std::collections::BTreeSet<String>,
}

impl Evaluator<'_, '_, '_> {
    fn term(&mut self, t: &Term) -> Option<Rat> {
        match t {
            Term::Num(r) => Some(r.clone()),
            Term::Sym(s) => self.scalar_atom(sym_index(s)?),
            Term::Add(v) => {
                let mut acc = Rat::zero();
                for x in v {
                    acc = acc.add(&self.term(x)?);
                }
                Some(acc)
            }
            Term::Mul(v) => {
                let mut acc = Rat::one();
                for x in v {
                    acc = acc.mul(&self.term(x)?);
                }
                Some(acc)
            }
            Term::Pow(b, e) => {
                let b = self.term(b)?;
                let e = self.term(e)?;
                power(&b, &e)
            }
            Term::Fun(f, args) => {
                let [a] = args.as_slice() else { return None };
                let a = self.term(a)?;
                match f.as_str() {
                    "abs" => Some(a.abs()),
                    "sign" => Some(Rat::int(i128::from(a.signum()))),
                    "exp" if a.is_zero() => Some(Rat::one()),
                    "log" if a.is_one() => Some(Rat::zero()),
                    name => {
                        let (key, k) = super::calculus::parse_fn_name(name)?;
                        let c = self.p.funcs.get(key)?;
                        self.used.insert(key.to_string());
                        Some(poly_derivative_at(c, k, &a))
                    }
                }
            }
        }
    }

    fn scalar_atom(&mut self, i: usize) -> Option<Rat> {
        if let Some(v) = self.memo.get(&i) {
            return v.clone();
        }
        let atom = self.ctx.atoms.scalars.get(i)?.clone();
        let v = match atom {
            SAtom::Var(k) => {
                let v = self.p.scalars.get(&k).cloned();
                self.used.insert(k);
                v
            }
            SAtom::Gram(a, b) => {
                let (a, b) = (self.vector_atom(a)?, self.vector_atom(b)?);
                Some(dot(&a, &b))
            }
            SAtom::Norm(p, a) => {
                let a = self.vector_atom(a)?;
                norm(p, &a)
            }
            SAtom::NormOf(p, l) => {
                let a = self.lin(&l)?;
                norm(p, &a)
            }
            SAtom::Apply(..) => None,
        };
        self.memo.insert(i, v.clone());
        v
    }

    fn vector_atom(&mut self, i: usize) -> Option<Vec<Rat>> {
        if let Some(v) = self.vmemo.get(&i) {
            return v.clone();
        }
        let atom = self.ctx.atoms.vectors.get(i)?.clone();
        let v = match atom {
            VAtom::Var(k) => {
                let v = self.p.vectors.get(&k).cloned();
                self.used.insert(k);
                v
            }
            VAtom::Sign(l) => self
                .lin(&l)
                .map(|v| v.iter().map(|x| Rat::int(i128::from(x.signum()))).collect()),
            VAtom::Abs(l) => self.lin(&l).map(|v| v.iter().map(Rat::abs).collect()),
            VAtom::GradFn(..) | VAtom::MatVec(..) => None,
        };
        self.vmemo.insert(i, v.clone());
        v
    }

    fn lin(&mut self, l: &Lin) -> Option<Vec<Rat>> {
        let mut acc = vec![Rat::zero(); self.p.n];
        for (k, c) in &l.0 {
            let c = self.term(c)?;
            let v = self.vector_atom(*k)?;
            if v.len() != acc.len() {
                return None;
            }
            for (a, x) in acc.iter_mut().zip(&v) {
                *a = a.add(&c.mul(x));
            }
        }
        Some(acc)
    }
}

/// The k-th derivative of Σ cᵢ tⁱ at t = a.
fn poly_derivative_at(c: &[Rat], k: u8, a: &Rat) -> Rat {
    let k = usize::from(k);
    let mut acc = Rat::zero();
    let mut pow = Rat::one();
    for (i, ci) in c.iter().enumerate().skip(k) {
        // i!/(i − k)! · cᵢ · a^(i − k)
        let mut f = Rat::one();
        for j in (i - k + 1)..=i {
            f = f.mul(&Rat::int(j as i128));
        }
        acc = acc.add(&ci.mul(&f).mul(&pow));
        pow = pow.mul(a);
    }
    acc
}

/// `b^e` when it is rational: integer e, or e = p/q with an exact q-th root.
fn power(b: &Rat, e: &Rat) -> Option<Rat> {
    if e.is_int() {
        return b.pow(e);
    }
    let q = u32::try_from(e.denom()).ok()?;
    let root = b.root(q)?;
    let p = Rat::from_big(e.numer().clone(), 1.into())?;
    root.pow(&p)
}

fn dot(a: &[Rat], b: &[Rat]) -> Rat {
    a.iter()
        .zip(b)
        .fold(Rat::zero(), |acc, (x, y)| acc.add(&x.mul(y)))
}

fn norm(p: NormP, v: &[Rat]) -> Option<Rat> {
    match p {
        NormP::Two => dot(v, v).root(2),
        NormP::One => Some(v.iter().fold(Rat::zero(), |a, x| a.add(&x.abs()))),
        NormP::Inf => Some(v.iter().map(Rat::abs).max().unwrap_or_else(Rat::zero)),
    }
}

/// Whether `l op r` holds; `None` when the values cannot be compared
/// (an order between vectors, or different lengths).
fn holds(l: &Exact, op: RelOp, r: &Exact) -> Option<bool> {
    match (l, r) {
        (Exact::S(a), Exact::S(b)) => Some(match op {
            RelOp::Eq => a == b,
            RelOp::Ne => a != b,
            RelOp::Lt => a < b,
            RelOp::Le => a <= b,
            RelOp::Gt => a > b,
            RelOp::Ge => a >= b,
        }),
        (Exact::V(a), Exact::V(b)) if a.len() == b.len() => match op {
            RelOp::Eq => Some(a == b),
            RelOp::Ne => Some(a != b),
            _ => None,
        },
        // A vector side against the zero scalar (`∇f = 0`).
        (Exact::V(a), Exact::S(z)) | (Exact::S(z), Exact::V(a)) if z.is_zero() => match op {
            RelOp::Eq => Some(a.iter().all(Rat::is_zero)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `l op r` holds in every component (`r` a vector or a scalar
/// bound for every component).
fn holds_elementwise(l: &Exact, op: RelOp, r: &Exact) -> Option<bool> {
    let comp = |a: &Rat, b: &Rat| holds(&Exact::S(a.clone()), op, &Exact::S(b.clone()));
    match (l, r) {
        (Exact::V(a), Exact::V(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .try_fold(true, |acc, (x, y)| Some(acc && comp(x, y)?)),
        (Exact::V(a), Exact::S(b)) => a.iter().try_fold(true, |acc, x| Some(acc && comp(x, b)?)),
        (Exact::S(a), Exact::V(b)) => b.iter().try_fold(true, |acc, y| Some(acc && comp(a, y)?)),
        (Exact::S(_), Exact::S(_)) => holds(l, op, r),
        _ => None,
    }
}

/// Whether `x` lies in the domain.
pub fn in_domain(x: &Rat, d: &Domain) -> bool {
    match d {
        Domain::Any => true,
        Domain::Cmp(op, c) => match op {
            RelOp::Gt => x > c,
            RelOp::Ge => x >= c,
            RelOp::Lt => x < c,
            RelOp::Le => x <= c,
            RelOp::Eq => x == c,
            RelOp::Ne => x != c,
        },
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => {
            (if *lo_closed { x >= lo } else { x > lo })
                && (if *hi_closed { x <= hi } else { x < hi })
        }
    }
}

/// A long exact value shown by its size and leading digits (the
/// comparison was exact; the report need not print 20 000 digits).
fn brief(s: &str) -> String {
    if s.len() <= 120 {
        return s.to_string();
    }
    let (num, den) = s.split_once('/').unwrap_or((s, ""));
    let head = |d: &str| {
        let digits = d.trim_start_matches('-').len();
        if digits > 40 {
            format!("{}…({digits} digits)", &d[..d.len().min(24)])
        } else {
            d.to_string()
        }
    };
    if den.is_empty() {
        head(num)
    } else {
        format!("{}/{}", head(num), head(den))
    }
}

fn show(v: &Exact) -> String {
    match v {
        Exact::S(r) => r.to_string(),
        Exact::V(v) => show_vec(v),
    }
}

/// Σ cₖ tᵏ, highest power first (`0` for none).
fn show_poly(c: &[Rat]) -> String {
    let mut out = String::new();
    for (k, ck) in c.iter().enumerate().rev() {
        if ck.is_zero() {
            continue;
        }
        let mag = ck.abs();
        let sign = if ck.is_neg() { "−" } else { "+" };
        if out.is_empty() {
            if ck.is_neg() {
                out.push('−');
            }
        } else {
            out.push_str(&format!(" {sign} "));
        }
        let coef = if mag.is_one() && k > 0 {
            String::new()
        } else if mag.is_int() {
            mag.to_string()
        } else {
            format!("({mag})")
        };
        out.push_str(&match k {
            0 => mag.to_string(),
            1 => format!("{coef}t"),
            _ => format!("{coef}t^{k}"),
        });
    }
    if out.is_empty() {
        "0".into()
    } else {
        out
    }
}

fn show_vec(v: &[Rat]) -> String {
    let parts: Vec<String> = v.iter().map(Rat::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// `t` with the symbol `s` replaced by `by`.
fn replace_sym(t: &Term, s: &str, by: &Term) -> Term {
    match t {
        Term::Sym(x) if x == s => by.clone(),
        Term::Num(_) | Term::Sym(_) => t.clone(),
        Term::Add(v) => Term::Add(v.iter().map(|x| replace_sym(x, s, by)).collect()),
        Term::Mul(v) => Term::Mul(v.iter().map(|x| replace_sym(x, s, by)).collect()),
        Term::Pow(a, b) => Term::pow(replace_sym(a, s, by), replace_sym(b, s, by)),
        Term::Fun(f, v) => Term::Fun(f.clone(), v.iter().map(|x| replace_sym(x, s, by)).collect()),
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

// ───────────────────────────── drawing points ─────────────────────────────

/// `count` points of the scope's scalars (special values first, then
/// random rationals), seeded from `seed_text`.
pub fn scalar_points(scope: &Scope, seed_text: &str, count: usize) -> Vec<HashMap<String, Rat>> {
    let mut rng = ChaCha8Rng::seed_from_u64(fnv(seed_text));
    (0..count)
        .map(|k| draw(scope, 1, k, &mut rng).scalars)
        .collect()
}

/// Special values tried first (then random rationals), filtered by domain.
fn specials(d: &Domain) -> Vec<Rat> {
    let q = |n: i128, m: i128| Rat::new(n, m).unwrap_or_else(Rat::one);
    let ten = |k: i128| Rat::int(10).pow(&Rat::int(k)).unwrap_or_else(Rat::one);
    let mut out = vec![
        q(7, 5),
        q(-3, 2),
        Rat::zero(),
        Rat::one(),
        Rat::int(-1),
        Rat::int(2),
        Rat::int(-2),
        q(1, 2),
        q(-1, 2),
        Rat::int(3),
        q(1, 3),
        ten(1),
        ten(-1),
        Rat::int(-10),
        ten(3),
        ten(-3),
        ten(6),
        ten(-6),
        ten(12),
        ten(-12),
        ten(20),
    ];
    let eps = [ten(-1), ten(-3), ten(-6), ten(-12), Rat::one()];
    match d {
        Domain::Any => {}
        Domain::Cmp(_, c) => {
            out.insert(0, c.clone());
            for e in &eps {
                out.push(c.add(e));
                out.push(c.sub(e));
            }
            out.push(c.add(&ten(6)));
            out.push(c.sub(&ten(6)));
        }
        Domain::Interval { lo, hi, .. } => {
            let w = hi.sub(lo);
            let mid = lo.add(hi).mul(&q(1, 2));
            out.insert(0, mid);
            out.push(lo.clone());
            out.push(hi.clone());
            for e in &eps {
                out.push(lo.add(&w.mul(e)));
                out.push(hi.sub(&w.mul(e)));
            }
        }
    }
    out.retain(|x| in_domain(x, d));
    out
}

fn random_rat(rng: &mut ChaCha8Rng) -> Rat {
    let n: i128 = rng.gen_range(-40..=40);
    let d: i128 = rng.gen_range(1..=9);
    Rat::new(n, d).unwrap_or_else(Rat::one)
}

/// A scalar in `d`: a special value (the k-th, early on), or a random one.
fn scalar(d: &Domain, k: usize, rng: &mut ChaCha8Rng) -> Rat {
    let sp = specials(d);
    if !sp.is_empty() && (k < sp.len() || rng.gen_bool(0.5)) {
        if k < sp.len() {
            return sp[(k + rng.gen_range(0..3)) % sp.len()].clone();
        }
        return sp[rng.gen_range(0..sp.len())].clone();
    }
    for _ in 0..20 {
        let x = random_rat(rng);
        if in_domain(&x, d) {
            return x;
        }
    }
    sp.first().cloned().unwrap_or_else(Rat::zero)
}

/// A vector with a rational 2-norm: a rational unit vector (inverse
/// stereographic projection) times a rational length, or a multiple of a
/// basis vector, or (rarely) zero.
fn vector(n: usize, rng: &mut ChaCha8Rng) -> Vec<Rat> {
    let roll: u32 = rng.gen_range(0..10);
    if roll == 0 {
        return vec![Rat::zero(); n];
    }
    let len = loop {
        let x = random_rat(rng).abs();
        if !x.is_zero() {
            break x;
        }
    };
    if roll <= 3 || n == 1 {
        let mut v = vec![Rat::zero(); n];
        let i = rng.gen_range(0..n);
        v[i] = if rng.gen_bool(0.5) { len } else { len.neg() };
        return v;
    }
    // u = (2t, |t|² − 1)/(|t|² + 1) for t ∈ ℚⁿ⁻¹.
    let t: Vec<Rat> = (0..n - 1).map(|_| random_rat(rng)).collect();
    let s = dot(&t, &t);
    let den = s.add(&Rat::one());
    let mut u: Vec<Rat> = t
        .iter()
        .map(|x| x.mul(&Rat::int(2)).div(&den).unwrap_or_else(Rat::zero))
        .collect();
    u.push(s.sub(&Rat::one()).div(&den).unwrap_or_else(Rat::zero));
    u.iter().map(|x| x.mul(&len)).collect()
}

/// A polynomial instance of an unknown function: special shapes first
/// (0, t, t², 1 + t, an odd cubic), then random ones of degree ≤ 4 with
/// coefficients from ±1/9 to ±10⁴.
fn polynomial(k: usize, rng: &mut ChaCha8Rng) -> Vec<Rat> {
    let i = Rat::int;
    let special: [Vec<Rat>; 5] = [
        vec![],
        vec![i(0), i(1)],
        vec![i(0), i(0), i(1)],
        vec![i(1), i(1)],
        vec![i(0), i(-1), i(0), i(1)],
    ];
    if k < 2 * special.len() {
        return special[k % special.len()].clone();
    }
    let degree = rng.gen_range(1..=4);
    let scale = [1, 10, 100, 10_000][rng.gen_range(0..4)];
    (0..=degree)
        .map(|_| random_rat(rng).mul(&Rat::int(scale)))
        .collect()
}

fn draw(scope: &Scope, n: usize, k: usize, rng: &mut ChaCha8Rng) -> Point {
    let mut p = Point {
        n,
        ..Point::default()
    };
    for f in &scope.funcs {
        if f.params == [Kind::Scalar] && f.ret == Kind::Scalar {
            p.funcs.insert(f.key.clone(), polynomial(k, rng));
        }
    }
    for v in &scope.vars {
        match v.kind {
            Kind::Scalar => {
                let x = scalar(&v.domain, k, rng);
                p.scalars.insert(v.key.clone(), x);
            }
            Kind::Vector => {
                p.vectors.insert(v.key.clone(), vector(n, rng));
            }
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_vectors_have_rational_norms() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for n in 1..6 {
            for _ in 0..50 {
                let v = vector(n, &mut rng);
                assert_eq!(v.len(), n);
                assert!(norm(NormP::Two, &v).is_some(), "{v:?}");
            }
        }
    }

    #[test]
    fn powers_are_taken_only_when_exact() {
        let q = |n, d| Rat::new(n, d).unwrap();
        assert_eq!(power(&q(4, 9), &q(1, 2)), Some(q(2, 3)));
        assert_eq!(power(&q(4, 9), &q(-3, 2)), Some(q(27, 8)));
        assert_eq!(power(&q(2, 1), &q(1, 2)), None);
        assert_eq!(power(&q(-4, 1), &q(1, 2)), None);
        assert_eq!(power(&q(0, 1), &q(-1, 1)), None);
        assert_eq!(
            power(
                &Rat::zero(),
                &Rat::parse_decimal("18446744073709551616").unwrap()
            ),
            Some(Rat::zero())
        );
    }

    #[test]
    fn specials_stay_in_the_domain() {
        let d = Domain::Interval {
            lo: Rat::one(),
            lo_closed: false,
            hi: Rat::parse_decimal("1.0000001").unwrap(),
            hi_closed: false,
        };
        let sp = specials(&d);
        assert!(!sp.is_empty());
        assert!(sp.iter().all(|x| in_domain(x, &d)));
        let pos = Domain::Cmp(RelOp::Gt, Rat::zero());
        assert!(specials(&pos).iter().all(Rat::is_pos));
    }
}
