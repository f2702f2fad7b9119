//! `minimize`/`maximize f over x subject to … ⇒ x = e`: the numeric second
//! opinion on a claimed optimum.
//!
//! At each sample (parameters drawn, assumptions made true) the claimed
//! optimum `x_a = e` is evaluated and checked in three stages:
//!
//! 1. **Feasibility.** Every constraint is evaluated at `x_a` with the
//!    judge's tolerance ([`super::tolerance`]): `≤` allows a tie within
//!    rounding, `<` does not, `=` must hold within it. An elementwise
//!    constraint (`|θ − θₜ| ≤ ε elementwise`) compares every component (a
//!    scalar side is repeated); a scalar decision variable must also lie in
//!    its declared domain. A violated constraint refutes the step; the
//!    counterexample names it and shows both of its sides at `x_a`.
//! 2. **Comparison with Clarabel.** When the sampled problem is convex and
//!    of a form [`super::conic`] extracts (a quadratic objective, verified
//!    at two further points; boxes, balls, ℓ₁-balls, affine constraints),
//!    Clarabel solves it independently. Its point x* is re-evaluated with
//!    the ordinary evaluator; the step is refuted when x* is feasible within
//!    a loose tolerance (`10⁻⁶` relative, the solver's points lie on the
//!    boundary only up to its own tolerance of about 10⁻⁸) and its
//!    objective beats the claimed one by more than
//!    `10⁻⁶·max(1, magnitudes of both objective values)`. The solver's
//!    tolerances are 10⁻⁸, so a correct answer keeps a margin of 100 over
//!    solver error, while a wrong optimum is typically off by a sizeable
//!    fraction of the objective. If the solver finds the problem unbounded,
//!    points along its ray from `x_a` are tried and the first feasible one
//!    that beats the claimed objective refutes the step. Counterexamples
//!    show the claimed point, the solver's point and both objective values.
//! 3. **Local check (fallback).** When the problem is not one Clarabel can
//!    take (a non-quadratic or non-convex objective, a constraint of another
//!    shape) or the solver gives no usable answer, the judge tries feasible
//!    points near `x_a`: along −∇f (+∇f when maximising), ± each coordinate
//!    (at most 16) and 8 pseudo-random directions seeded from `x_a`, at
//!    distances `10⁻¹, 10⁻², 10⁻³` times `1 + max|x_a|`. A feasible point
//!    that beats the claimed objective by the same tolerance refutes the
//!    step. This is weaker: it can only find that `x_a` is not a local
//!    optimum, so a local but not global optimum of a non-convex problem
//!    passes.
//!
//! Every refutation rests on points evaluated by the ordinary evaluator (a
//! feasible point with a better objective, or a violated constraint), never
//! on the solver's model alone. The answer must give the decision variable
//! explicitly (`x = e`, e not mentioning x); otherwise, and for matrix
//! decision variables, the step is unsupported.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::conic::{self, Affine, Cone, Quadratic, Solved};
use super::eval::Ctx;
use super::probe::{Extra, Look, Probe, Shown};
use super::sample::{fnv1a, in_domain, normal};
use super::solve::{answer_value, explicit};
use super::tolerance::{ATOL, RTOL};
use super::value::{Res, Trouble, Val};
use crate::sema::hir::{
    Builtin, Constraint, Domain, Ex, Fact, Kind, Node, NormP, RelOp, Scope, Sense, VarDecl,
};

/// Relative tolerance of the comparison of objective values, and of the
/// feasibility of the solver's points.
pub(crate) const OPT_RTOL: f64 = 1e-6;

/// Steps of the local check, times `1 + max|x_a|`.
const LOCAL_STEPS: [f64; 3] = [1e-1, 1e-2, 1e-3];
/// Pseudo-random directions of the local check.
const LOCAL_RANDOM: usize = 8;
/// Coordinates tried (both signs) by the local check.
const LOCAL_AXES: usize = 16;

/// The shape of a constraint `a ≤ b` (see [`super::conic`]).
#[derive(Clone, Debug)]
enum Shape<'a> {
    /// `|u| ≤ b` elementwise or `‖u‖∞ ≤ b`.
    Box { u: &'a Ex, b: &'a Ex },
    /// `‖u‖ ≤ b`.
    Ball { u: &'a Ex, b: &'a Ex },
    /// `‖u‖² ≤ b`.
    BallSq { u: &'a Ex, b: &'a Ex },
    /// `‖u‖₁ ≤ b`.
    L1 { u: &'a Ex, b: &'a Ex },
    /// `a ≤ b` or `a = b` with a − b affine.
    Linear { a: &'a Ex, b: &'a Ex, eq: bool },
    /// Nothing convex (`≠`).
    Other,
}

fn shape(c: &Constraint) -> Shape<'_> {
    let f = &c.fact;
    let (a, b) = match f.op {
        RelOp::Le | RelOp::Lt => (&f.lhs, &f.rhs),
        RelOp::Ge | RelOp::Gt => (&f.rhs, &f.lhs),
        RelOp::Eq => {
            return Shape::Linear {
                a: &f.lhs,
                b: &f.rhs,
                eq: true,
            }
        }
        RelOp::Ne => return Shape::Other,
    };
    match &a.node {
        Node::Builtin(Builtin::Abs, u) => Shape::Box { u, b },
        Node::Norm(NormP::Inf, u) => Shape::Box { u, b },
        Node::Norm(NormP::Two, u) => Shape::Ball { u, b },
        Node::Norm(NormP::One, u) => Shape::L1 { u, b },
        Node::Bin(crate::sema::hir::BinOp::Pow, base, p) if matches!(&p.node, Node::Num(r) if r.to_f64() == 2.0) => {
            match &base.node {
                Node::Norm(NormP::Two, u) => Shape::BallSq { u, b },
                _ => Shape::Linear { a, b, eq: false },
            }
        }
        _ => Shape::Linear { a, b, eq: false },
    }
}

#[cfg(test)]
thread_local! {
    /// How the samples of this thread were decided: by Clarabel, by the
    /// local check (unit tests check that the sheet's problems reach the
    /// solver).
    static DECIDED: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// Counts a sample decided by Clarabel (`true`) or the local check.
fn decided(by_solver: bool) {
    #[cfg(test)]
    DECIDED.with(|d| {
        let (s, l) = d.get();
        d.set(if by_solver { (s + 1, l) } else { (s, l + 1) });
    });
    let _ = by_solver;
}

/// A violated constraint: its index (`None` for the decision variable's
/// domain), both sides at the point, and the scaled violation.
type Violation = (Option<usize>, Shown, Shown, f64);

/// Who found a better point.
#[derive(Clone, Copy, Debug)]
enum Finder {
    /// Clarabel.
    Solver,
    /// The local check.
    Nearby,
}

/// Checks a claimed optimum (see the module docs).
pub(crate) struct OptimizeProbe<'a> {
    sense: Sense,
    objective: &'a Ex,
    /// `∇_x f` and `∇²_x f`, built once.
    grad: Ex,
    hess: Ex,
    var: &'a VarDecl,
    constraints: &'a [Constraint],
    shapes: Vec<Shape<'a>>,
    value: &'a Ex,
}

impl<'a> OptimizeProbe<'a> {
    /// The probe, or why the step cannot be checked.
    pub fn new(
        scope: &'a Scope,
        sense: Sense,
        objective: &'a Ex,
        var: &'a str,
        constraints: &'a [Constraint],
        answer: &'a Fact,
    ) -> Result<OptimizeProbe<'a>, String> {
        let decl = scope
            .var(var)
            .ok_or_else(|| format!("the decision variable `{var}` is not declared"))?;
        if !matches!(decl.kind, Kind::Scalar | Kind::Vector) {
            return Err(format!(
                "optimisation over {} ({})",
                decl.kind.word(),
                decl.text
            ));
        }
        let Some((RelOp::Eq, value)) = explicit(answer, var) else {
            return Err(format!(
                "an optimum that does not give {} explicitly (write `{} = …`)",
                decl.text, decl.text
            ));
        };
        let grad_of = |order: u8, kind: Kind| Ex {
            node: Node::Grad {
                wrt: var.to_string(),
                order,
                body: Box::new(objective.clone()),
            },
            kind,
            span: objective.span,
        };
        let hess_kind = if decl.kind == Kind::Vector {
            Kind::Matrix
        } else {
            Kind::Scalar
        };
        Ok(OptimizeProbe {
            sense,
            objective,
            grad: grad_of(1, decl.kind),
            hess: grad_of(2, hess_kind),
            var: decl,
            constraints,
            shapes: constraints.iter().map(shape).collect(),
            value,
        })
    }

    /// +1 when minimising, −1 when maximising: the judge minimises
    /// `sign·f`.
    fn sign(&self) -> f64 {
        match self.sense {
            Sense::Min => 1.0,
            Sense::Max => -1.0,
        }
    }

    fn better_word(&self) -> &'static str {
        match self.sense {
            Sense::Min => "smaller",
            Sense::Max => "larger",
        }
    }

    /// The objective at x, when it can be evaluated there.
    fn objective_at(&self, ctx: &mut Ctx<'_>, x: &DMatrix<f64>) -> Res<Option<Val>> {
        match conic::eval_at(ctx, self.var, self.objective, x) {
            Ok(v) if v.kind == Kind::Scalar => Ok(Some(v)),
            Ok(_) => Err(Trouble::Unsupported(
                "an objective that is not a scalar".to_string(),
            )),
            Err(Trouble::Invalid(_)) => Ok(None),
            Err(t) => Err(t),
        }
    }

    /// The first violated constraint at x (index, both sides, scaled
    /// violation), with relative tolerance `rtol` (`RTOL`: the judge's
    /// tolerance, strict `<` as written; larger: the closure, loosely).
    /// `Ok(None)` when x is feasible; `Err(Invalid)` when a constraint
    /// cannot be evaluated at x.
    fn violated(&self, ctx: &mut Ctx<'_>, x: &DMatrix<f64>, rtol: f64) -> Res<Option<Violation>> {
        if self.var.kind == Kind::Scalar && !in_domain(x[0], &self.var.domain) {
            let loose_ok = rtol > RTOL && near_domain(x[0], &self.var.domain, rtol);
            if !loose_ok {
                return Ok(Some((
                    None,
                    Shown::num(x[0]),
                    Shown::Text(format!("outside the domain of {}", self.var.text)),
                    1.0,
                )));
            }
        }
        for (i, c) in self.constraints.iter().enumerate() {
            let v = bind_val(self.var, x)?;
            let (l, r) = ctx.with(vec![(self.var.key.clone(), v)], |cx| {
                Ok((cx.eval(&c.fact.lhs)?, cx.eval(&c.fact.rhs)?))
            })?;
            let (ok, viol) = satisfied(c.fact.op, &l, &r, rtol)?;
            if !ok {
                return Ok(Some((Some(i), Shown::val(&l), Shown::val(&r), viol)));
            }
        }
        Ok(None)
    }

    /// The sampled problem in conic form, if it has one (see
    /// [`super::conic`]).
    fn model(
        &self,
        ctx: &mut Ctx<'_>,
        points: &[DMatrix<f64>],
    ) -> Res<Option<(Quadratic, Vec<Cone>)>> {
        let f = (self.objective, &self.grad, &self.hess);
        let Some(obj) = conic::quadratic(ctx, self.var, f, self.sign(), points)? else {
            return Ok(None);
        };
        let m = obj.q.len();
        let mut cones = Vec::new();
        if self.var.kind == Kind::Scalar {
            let (lo, hi) = domain_bounds(&self.var.domain);
            if let Some(l) = lo {
                cones.push(Cone::NonPos(Affine {
                    a: DMatrix::from_element(1, 1, -1.0),
                    b: DMatrix::from_element(1, 1, l),
                }));
            }
            if let Some(h) = hi {
                cones.push(Cone::NonPos(Affine {
                    a: DMatrix::from_element(1, 1, 1.0),
                    b: DMatrix::from_element(1, 1, -h),
                }));
            }
        }
        for s in &self.shapes {
            let mut aff = |e: &Ex| conic::affine(ctx, self.var, e, points);
            let cone = match s {
                Shape::Other => return Ok(None),
                Shape::Box { u, b } => {
                    let (Some(u), Some(b)) = (aff(u)?, aff(b)?) else {
                        return Ok(None);
                    };
                    let (Some(hi), Some(lo)) = (u.minus(&b), u.neg().minus(&b)) else {
                        return Ok(None);
                    };
                    cones.push(Cone::NonPos(hi));
                    Cone::NonPos(lo)
                }
                Shape::Ball { u, b } | Shape::L1 { u, b } => {
                    let (Some(u), Some(t)) = (aff(u)?, aff(b)?) else {
                        return Ok(None);
                    };
                    if t.rows() != 1 {
                        return Ok(None);
                    }
                    if matches!(s, Shape::Ball { .. }) {
                        Cone::Soc { t, u }
                    } else {
                        Cone::L1 { t, u }
                    }
                }
                Shape::BallSq { u, b } => {
                    let (Some(u), Some(t)) = (aff(u)?, aff(b)?) else {
                        return Ok(None);
                    };
                    if t.rows() != 1 || !t.is_constant() || t.b[0] < 0.0 {
                        return Ok(None);
                    }
                    let t = Affine {
                        a: DMatrix::zeros(1, m),
                        b: DMatrix::from_element(1, 1, t.b[0].sqrt()),
                    };
                    Cone::Soc { t, u }
                }
                Shape::Linear { a, b, eq } => {
                    let (Some(a), Some(b)) = (aff(a)?, aff(b)?) else {
                        return Ok(None);
                    };
                    let Some(h) = a.minus(&b) else {
                        return Ok(None);
                    };
                    if *eq {
                        Cone::Zero(h)
                    } else {
                        Cone::NonPos(h)
                    }
                }
            };
            cones.push(cone);
        }
        Ok(Some((obj, cones)))
    }

    /// A refutation: the claimed point is beaten by `better`, found by
    /// `who` (`Solver` or `Nearby`).
    #[allow(clippy::too_many_arguments)]
    fn beaten(
        &self,
        xa: &DMatrix<f64>,
        fa: &Val,
        better: &DMatrix<f64>,
        fb: &Val,
        error: f64,
        who: Finder,
        why: String,
    ) -> Look {
        let (point, at) = match who {
            Finder::Solver => ("solver", "the solver's"),
            Finder::Nearby => ("nearby", "the nearby"),
        };
        let t = &self.var.text;
        let kind = self.var.kind;
        Look {
            holds: false,
            error,
            lhs: Shown::val(fa),
            rhs: Shown::val(fb),
            extra: vec![
                Extra::new(format!("{t} (claimed)"), Shown::Value(kind, xa.clone())),
                Extra::new(format!("{t} ({point})"), Shown::Value(kind, better.clone())),
                Extra::new(format!("objective at the claimed {t}"), Shown::val(fa)),
                Extra::new(format!("objective at {at} {t}"), Shown::val(fb)),
                Extra::new("why", Shown::Text(why)),
            ],
        }
    }

    /// The tolerance of a comparison of two objective values.
    fn tol(fa: &Val, fb: &Val) -> (f64, f64) {
        let scale = 1f64.max(fa.mag).max(fb.mag);
        (OPT_RTOL * scale, scale)
    }

    /// Whether `fb` beats `fa` beyond the tolerance; the scaled margin.
    fn beats(&self, fa: &Val, fb: &Val) -> (bool, f64) {
        let (tol, scale) = Self::tol(fa, fb);
        let gain = self.sign() * (fa.base_scalar() - fb.base_scalar());
        (gain > tol, gain.max(0.0) / scale)
    }

    /// The local check (see the module docs): a feasible nearby point that
    /// beats the claimed one, if any.
    fn local(
        &self,
        ctx: &mut Ctx<'_>,
        xa: &DMatrix<f64>,
        fa: &Val,
        rng: &mut ChaCha8Rng,
    ) -> Res<Option<(DMatrix<f64>, Val, f64)>> {
        let m = xa.len();
        let unit = |d: DMatrix<f64>| -> Option<DMatrix<f64>> {
            let n = d.norm();
            (n.is_finite() && n > 0.0).then(|| d / n)
        };
        let mut dirs = Vec::new();
        if let Ok(g) = conic::eval_at(ctx, self.var, &self.grad, xa) {
            let g = DMatrix::from_column_slice(m, 1, g.base().as_slice());
            if let Some(d) = unit(g * -self.sign()) {
                dirs.push(d);
            }
        }
        for i in 0..m.min(LOCAL_AXES) {
            for s in [1.0, -1.0] {
                let mut d = DMatrix::zeros(m, 1);
                d[i] = s;
                dirs.push(d);
            }
        }
        for _ in 0..LOCAL_RANDOM {
            if let Some(d) = unit(DMatrix::from_fn(m, 1, |_, _| normal(rng))) {
                dirs.push(d);
            }
        }
        let size = 1.0 + xa.amax();
        for t in LOCAL_STEPS {
            for d in &dirs {
                let y = xa + d * (t * size);
                match self.violated(ctx, &y, RTOL) {
                    Ok(None) => {}
                    Ok(Some(_)) | Err(Trouble::Invalid(_)) => continue,
                    Err(e) => return Err(e),
                }
                let Some(fy) = self.objective_at(ctx, &y)? else {
                    continue;
                };
                let (wins, margin) = self.beats(fa, &fy);
                if wins {
                    return Ok(Some((y, fy, margin)));
                }
            }
        }
        Ok(None)
    }
}

/// The decision variable's value for a flat x.
fn bind_val(var: &VarDecl, x: &DMatrix<f64>) -> Res<Val> {
    conic::bind(var, x)
}

/// The finite bounds of a domain as closed bounds (the closure).
fn domain_bounds(d: &Domain) -> (Option<f64>, Option<f64>) {
    match d {
        Domain::Any => (None, None),
        Domain::Cmp(op, c) => {
            let c = c.to_f64();
            match op {
                RelOp::Gt | RelOp::Ge => (Some(c), None),
                RelOp::Lt | RelOp::Le => (None, Some(c)),
                RelOp::Eq => (Some(c), Some(c)),
                RelOp::Ne => (None, None),
            }
        }
        Domain::Interval { lo, hi, .. } => (Some(lo.to_f64()), Some(hi.to_f64())),
    }
}

/// Whether x lies in the closure of the domain, within `rtol`.
fn near_domain(x: f64, d: &Domain, rtol: f64) -> bool {
    let (lo, hi) = domain_bounds(d);
    let slack = |b: f64| rtol * (1.0 + b.abs().max(x.abs()));
    lo.is_none_or(|l| x >= l - slack(l)) && hi.is_none_or(|h| x <= h + slack(h))
}

/// `l op r` componentwise (a one-entry side repeated), with relative
/// tolerance `rtol`: the judge's rules for `rtol = RTOL` (see
/// [`super::tolerance`]); for a larger `rtol`, strict relations are
/// replaced by their closures. Returns whether it holds and the scaled
/// violation.
fn satisfied(op: RelOp, l: &Val, r: &Val, rtol: f64) -> Res<(bool, f64)> {
    let (a, b) = (l.base(), r.base());
    let k = a.len().max(b.len());
    let pick = |m: &DMatrix<f64>, i: usize| -> Option<f64> {
        if m.len() == k {
            m.get(i).copied()
        } else if m.len() == 1 {
            m.get(0).copied()
        } else {
            None
        }
    };
    let scale = ATOL / RTOL + l.mag + r.mag;
    let tol = rtol * scale;
    let loose = rtol > RTOL;
    let mut ok = true;
    let mut worst: f64 = 0.0;
    for i in 0..k {
        let (Some(x), Some(y)) = (pick(a, i), pick(b, i)) else {
            return Err(Trouble::Unsupported(
                "a constraint whose sides differ in size".to_string(),
            ));
        };
        let d = x - y;
        let (holds, viol) = match op {
            RelOp::Eq => (d.abs() <= tol, d.abs() - tol),
            RelOp::Ne => (d.abs() > tol, tol - d.abs()),
            RelOp::Le => (d <= tol, d - tol),
            RelOp::Lt if loose => (d <= tol, d - tol),
            RelOp::Lt => (d < -tol, d + tol),
            RelOp::Ge => (d >= -tol, -d - tol),
            RelOp::Gt if loose => (d >= -tol, -d - tol),
            RelOp::Gt => (d > tol, tol - d),
        };
        if !holds {
            ok = false;
            worst = worst.max(viol.max(0.0) / scale);
        }
    }
    Ok((ok, worst))
}

/// A generator seeded from the bits of x (deterministic per sample).
fn rng_from(x: &DMatrix<f64>) -> ChaCha8Rng {
    let mut bytes = Vec::with_capacity(8 * x.len());
    for v in x.iter() {
        bytes.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    ChaCha8Rng::seed_from_u64(fnv1a(&bytes))
}

impl Probe for OptimizeProbe<'_> {
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look> {
        let xa_val = answer_value(ctx, self.var, self.value)?;
        let xa = DMatrix::from_column_slice(xa_val.base().len(), 1, xa_val.base().as_slice());
        let t = &self.var.text;
        let kind = self.var.kind;
        // 1. Feasibility.
        if let Some((i, l, r, viol)) = self.violated(ctx, &xa, RTOL)? {
            let what = match i {
                Some(i) => format!("`{}`", self.constraints[i].fact.text),
                None => format!("the domain of {t}"),
            };
            return Ok(Look {
                holds: false,
                error: viol,
                lhs: l,
                rhs: r,
                extra: vec![
                    Extra::new(format!("{t} (claimed)"), Shown::Value(kind, xa.clone())),
                    Extra::new(
                        "why",
                        Shown::Text(format!("the claimed optimum violates {what}")),
                    ),
                ],
            });
        }
        let Some(fa) = self.objective_at(ctx, &xa)? else {
            return Err(Trouble::Invalid(
                "the objective cannot be evaluated at the claimed optimum",
            ));
        };
        let mut rng = rng_from(&xa);
        let size = 1.0 + xa.amax();
        let m = xa.len();
        let mut points = vec![xa.clone()];
        for _ in 0..2 {
            let d = DMatrix::from_fn(m, 1, |_, _| normal(&mut rng));
            let n = d.norm().max(1e-300);
            points.push(&xa + d * (size / n));
        }
        // 2. Clarabel.
        if let Some((obj, cones)) = self.model(ctx, &points)? {
            match conic::solve(&obj, &cones) {
                Solved::Optimum(xs) => {
                    let feasible = matches!(self.violated(ctx, &xs, OPT_RTOL), Ok(None));
                    if feasible {
                        if let Some(fs) = self.objective_at(ctx, &xs)? {
                            decided(true);
                            let (wins, margin) = self.beats(&fa, &fs);
                            if wins {
                                let why = format!(
                                    "Clarabel finds a feasible {t} with a {} objective",
                                    self.better_word()
                                );
                                return Ok(self.beaten(
                                    &xa,
                                    &fa,
                                    &xs,
                                    &fs,
                                    margin,
                                    Finder::Solver,
                                    why,
                                ));
                            }
                            let (_, scale) = Self::tol(&fa, &fs);
                            let behind = self.sign() * (fa.base_scalar() - fs.base_scalar());
                            return Ok(Look {
                                holds: true,
                                error: behind.max(0.0) / scale,
                                lhs: Shown::val(&fa),
                                rhs: Shown::val(&fs),
                                extra: Vec::new(),
                            });
                        }
                    }
                }
                Solved::Unbounded(ray) => {
                    let n = ray.norm();
                    if n.is_finite() && n > 0.0 {
                        for k in 0..6 {
                            let y = &xa + &ray * (size * 10f64.powi(k) / n);
                            if !matches!(self.violated(ctx, &y, RTOL), Ok(None)) {
                                continue;
                            }
                            let Some(fy) = self.objective_at(ctx, &y)? else {
                                continue;
                            };
                            let (wins, margin) = self.beats(&fa, &fy);
                            if wins {
                                decided(true);
                                let why = format!(
                                    "the problem is unbounded: Clarabel finds a feasible ray along which the objective gets ever {}",
                                    self.better_word()
                                );
                                return Ok(self.beaten(
                                    &xa,
                                    &fa,
                                    &y,
                                    &fy,
                                    margin,
                                    Finder::Solver,
                                    why,
                                ));
                            }
                        }
                    }
                }
                Solved::Infeasible | Solved::Failed => {}
            }
        }
        // 3. Local check.
        decided(false);
        if let Some((y, fy, margin)) = self.local(ctx, &xa, &fa, &mut rng)? {
            let why = format!(
                "local check (not a convex problem Clarabel takes): a feasible {t} near the claimed one has a {} objective",
                self.better_word()
            );
            return Ok(self.beaten(&xa, &fa, &y, &fy, margin, Finder::Nearby, why));
        }
        Ok(Look {
            holds: true,
            error: 0.0,
            lhs: Shown::val(&fa),
            rhs: Shown::val(&fa),
            extra: Vec::new(),
        })
    }

    fn hidden(&self) -> Option<&str> {
        Some(&self.var.key)
    }
}

#[cfg(test)]
mod tests {
    use super::DECIDED;
    use crate::diag::Source;
    use crate::numeric::{judge, Config};
    use crate::verdict::Numeric;

    /// Judges the last step; how many samples Clarabel and the local check
    /// decided.
    fn run(text: &str) -> (Numeric, usize, usize) {
        let p = crate::sema::check_file(&Source::new("t.drv", text)).expect("checks");
        DECIDED.with(|d| d.set((0, 0)));
        let out = judge(p.steps.last().expect("a step"), &Config::default());
        let (s, l) = DECIDED.with(|d| d.get());
        (out, s, l)
    }

    #[test]
    fn the_sheets_problems_reach_the_solver() {
        for text in [
            "let θ, θₜ, g: vector\nlet ε: scalar > 0\n\
             minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε sign(g)\n",
            "let x, δ: vector\nlet ε: scalar > 0\nlet J: function vector -> scalar\n\
             maximize J(x) + ⟨∇J(x), δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = ε sign(∇J(x))\n",
            "let g, δ: vector\nlet ε: scalar > 0\n\
             minimize ⟨g, δ⟩ over δ subject to ‖δ‖ ≤ ε ⇒ δ = −ε g/‖g‖\n",
            "let g, δ: vector\nlet ε: scalar > 0\n\
             minimize ⟨g, δ⟩ over δ subject to ‖δ‖₁ ≤ ε ⇒ δ = −ε g/‖g‖\n",
            "let g, θ: vector\nlet λ: scalar > 0\n\
             minimize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −g/λ\n",
            "let θ, θₜ, g: vector\nlet λ, ε: scalar > 0\n\
             def F(θ) = ⟨g, θ − θₜ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖²\n\
             minimize F(θ) over θ ⇒ θ = θₜ − ε/(1 + λε) (g/2 + λθₜ)\n",
            "let x, c: scalar > 0\nminimize (x + c)^2 over x ⇒ x = 0\n",
        ] {
            let (out, solver, local) = run(text);
            if text.contains("‖δ‖₁") {
                // −ε g/‖g‖ is feasible but not optimal over the ℓ₁ ball.
                assert!(matches!(out, Numeric::Refuted { .. }), "{text}: {out:?}");
                continue;
            }
            if text.contains("x = 0") {
                // The domain x > 0 excludes the claimed optimum.
                assert!(matches!(out, Numeric::Refuted { .. }), "{text}: {out:?}");
                continue;
            }
            assert!(matches!(out, Numeric::Agrees { .. }), "{text}: {out:?}");
            assert!(solver >= 40 && local == 0, "{text}: {solver} by Clarabel, {local} locally");
        }
    }

    #[test]
    fn non_convex_problems_get_the_local_check() {
        let (out, solver, local) = run("let g, θ: vector\nlet λ: scalar > 0\n\
             minimize ‖θ‖⁴ − ⟨g, θ⟩ over θ ⇒ θ = 0\n"
            .replace("‖θ‖⁴", "‖θ‖^4")
            .as_str());
        assert!(matches!(out, Numeric::Refuted { .. }), "{out:?}");
        // (The shrinking of the counterexample runs the check again.)
        assert!(
            solver == 0 && local >= 1,
            "{solver} by Clarabel, {local} locally"
        );
    }
}
