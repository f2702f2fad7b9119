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
//!    **Spheres.** Every perturbed point leaves a sphere constraint
//!    `‖u‖ = r` (2-norm, `=`, either side, not elementwise), so none of
//!    them is feasible. When, at the sample, u is `a·x + b` with a a
//!    nonzero number (`x − c`, `c − x`, `x + c`, `x`, also `2x − c`) and r
//!    does not depend on x and is positive — decided numerically: u and r
//!    are extracted as affine maps by [`super::conic::affine`] (automatic
//!    differentiation at `x_a`, verified at two further points), u's
//!    Jacobian must be `a·I` within `10⁻⁹·|a|` — the constraint is the
//!    sphere of radius `r/|a|` about `c = −b/a`, and the judge also tries
//!    points on it: (a) every point of the local check projected radially
//!    (the x' with `u(x') = r·u(x_p)/‖u(x_p)‖`); (b) the antipode of `x_a`
//!    (`u(x') = −u(x_a)`); (c) `c ± (r/a)·∇f(x_a)/‖∇f(x_a)‖`; (d) 64
//!    pseudo-random points (`u(x') = r·z/‖z‖`, z standard normal, from the
//!    same generator, so seeded from `x_a`). The first sphere constraint
//!    is used. Every candidate is re-checked by the evaluator (all
//!    constraints, the judge's tolerance) and compared with the same
//!    tolerance; the best feasible one that beats `x_a` refutes the step
//!    (shown as "on the sphere"). A wrongly recognised sphere can only
//!    waste candidates, never refute a right answer. A problem with a
//!    sphere skips stage 2 (in n = 1, `‖u‖` is affine near points on one
//!    side of the centre, and Clarabel would see only one of the sphere's
//!    two points).
//!
//!    Limits. For a linear objective (`⟨g, δ⟩`) ∇f is constant, so (c)
//!    contains the exact optimum, and (b) is it when `x_a` is the
//!    opposite stationary point (the maximiser claimed as the minimiser).
//!    A claim at angle φ from the optimum of a sphere of radius ρ is worse
//!    by `ρ‖g‖(1 − cos φ)`, so it passes only within the comparison
//!    tolerance: `φ ≲ 1.4·10⁻³·√(s/(ρ‖g‖))` rad, s = max(1, |objective
//!    values|). For other objectives the search is random. A claim where f
//!    still has a slope along the sphere is beaten by the projected steps
//!    (roughly when the slope times the step, 10⁻³ to 10⁻¹ times
//!    `1 + max|x_a|`, exceeds the tolerance); a stationary point of f on
//!    the sphere that is not the optimum (a local optimum, a saddle) is
//!    found only by (b), (c) or the random points. If the points that beat
//!    it by more than the tolerance fill a fraction q of the sphere, the 64
//!    points of one sample all miss them with probability `(1 − q)⁶⁴`: 1%
//!    for q = 7%, 53% for q = 1% (each of the 12 samples of a dimension
//!    draws afresh: 5·10⁻⁴ for q = 1% at all of them). A cap of angular
//!    radius φ has q = 7% at φ = 12.6°, 31°, 47° and q = 1% at φ = 1.8°,
//!    11.5°, 28° for n = 2, 3, 5: a wrong optimum whose better region is
//!    a cap smaller than about that (a slightly suboptimal local optimum,
//!    above all in n = 5) can pass.
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
/// Pseudo-random points of the sphere check.
const SPHERE_RANDOM: usize = 64;
/// How far the Jacobian of a sphere's `u` may be from `a·I`, relative to
/// `|a|` (the Jacobian is exact up to rounding).
const SPHERE_RTOL: f64 = 1e-9;

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

/// The sides `(u, r)` of a sphere constraint `‖u‖ = r` or `r = ‖u‖`
/// (2-norm, not elementwise); both orderings when both sides are 2-norms.
/// Whether u is `a·(x − c)` and r is free of x is decided per sample
/// ([`OptimizeProbe::sphere`]).
fn sphere_sides(c: &Constraint) -> Vec<(&Ex, &Ex)> {
    let f = &c.fact;
    if c.elementwise || f.op != RelOp::Eq {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (n, r) in [(&f.lhs, &f.rhs), (&f.rhs, &f.lhs)] {
        if let Node::Norm(NormP::Two, u) = &n.node {
            out.push((&**u, r));
        }
    }
    out
}

/// A sphere constraint at one sample: `‖u(x)‖ = r` with `u(x) = a·x + b`,
/// a a nonzero number, r > 0 (the sphere of radius `r/|a|` about
/// `c = −b/a`).
#[derive(Clone, Debug)]
struct Sphere {
    /// Which constraint.
    index: usize,
    a: f64,
    b: DMatrix<f64>,
    r: f64,
}

impl Sphere {
    /// `u(x)`.
    fn u(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        x * self.a + &self.b
    }

    /// The x with `u(x) = u`.
    fn x(&self, u: &DMatrix<f64>) -> DMatrix<f64> {
        (u - &self.b) / self.a
    }

    /// The point of the sphere in the direction `d` (in u-space) from its
    /// centre, if `d` has a direction.
    fn toward(&self, d: &DMatrix<f64>) -> Option<DMatrix<f64>> {
        let n = d.norm();
        (n.is_finite() && n > 0.0).then(|| self.x(&(d * (self.r / n))))
    }

    /// x projected radially onto the sphere.
    fn project(&self, x: &DMatrix<f64>) -> Option<DMatrix<f64>> {
        self.toward(&self.u(x))
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
    /// The sphere check.
    Sphere,
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
    /// Sides of the constraints that may be spheres, with their indices.
    spheres: Vec<(usize, &'a Ex, &'a Ex)>,
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
            spheres: constraints
                .iter()
                .enumerate()
                .flat_map(|(i, c)| sphere_sides(c).into_iter().map(move |(u, r)| (i, u, r)))
                .collect(),
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
            Finder::Sphere => ("on the sphere", "the other"),
        };
        let t = &self.var.text;
        let kind = self.var.kind;
        Look {
            holds: false,
            error,
            lhs: Shown::val(fa),
            rhs: Shown::val(fb),
            exact: false,
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

    /// The points of the local check (see the module docs), in the order
    /// they are tried, and `∇f(x_a)` (m×1) when it can be evaluated.
    fn nearby(
        &self,
        ctx: &mut Ctx<'_>,
        xa: &DMatrix<f64>,
        rng: &mut ChaCha8Rng,
    ) -> (Vec<DMatrix<f64>>, Option<DMatrix<f64>>) {
        let m = xa.len();
        let unit = |d: DMatrix<f64>| -> Option<DMatrix<f64>> {
            let n = d.norm();
            (n.is_finite() && n > 0.0).then(|| d / n)
        };
        let mut dirs = Vec::new();
        let mut grad = None;
        if let Ok(g) = conic::eval_at(ctx, self.var, &self.grad, xa) {
            let g = DMatrix::from_column_slice(m, 1, g.base().as_slice());
            if let Some(d) = unit(&g * -self.sign()) {
                dirs.push(d);
            }
            grad = Some(g);
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
        let mut tries = Vec::with_capacity(LOCAL_STEPS.len() * dirs.len());
        for t in LOCAL_STEPS {
            for d in &dirs {
                tries.push(xa + d * (t * size));
            }
        }
        (tries, grad)
    }

    /// The objective at y when y is feasible (the judge's tolerance) and
    /// the objective can be evaluated there.
    fn feasible_objective(&self, ctx: &mut Ctx<'_>, y: &DMatrix<f64>) -> Res<Option<Val>> {
        match self.violated(ctx, y, RTOL) {
            Ok(None) => {}
            Ok(Some(_)) | Err(Trouble::Invalid(_)) => return Ok(None),
            Err(e) => return Err(e),
        }
        self.objective_at(ctx, y)
    }

    /// The local check (see the module docs): the first of `tries` that is
    /// feasible and beats the claimed point, if any.
    fn local(
        &self,
        ctx: &mut Ctx<'_>,
        fa: &Val,
        tries: &[DMatrix<f64>],
    ) -> Res<Option<(DMatrix<f64>, Val, f64)>> {
        for y in tries {
            let Some(fy) = self.feasible_objective(ctx, y)? else {
                continue;
            };
            let (wins, margin) = self.beats(fa, &fy);
            if wins {
                return Ok(Some((y.clone(), fy, margin)));
            }
        }
        Ok(None)
    }

    /// The first constraint that is a sphere at this sample (see the module
    /// docs): u and r are extracted as affine maps by [`conic::affine`]
    /// (linearised at `points[0]`, verified at the others), u's Jacobian
    /// must be `a·I` (a ≠ 0, within `SPHERE_RTOL·|a|`) and r constant and
    /// positive. Errors count as "not a sphere": every candidate is
    /// re-checked by the evaluator anyway.
    fn sphere(&self, ctx: &mut Ctx<'_>, points: &[DMatrix<f64>]) -> Option<Sphere> {
        let m = points.first()?.len();
        for &(index, u, r) in &self.spheres {
            let Ok(Some(r)) = conic::affine(ctx, self.var, r, points) else {
                continue;
            };
            if r.rows() != 1 || !r.is_constant() {
                continue;
            }
            let r = r.b[0];
            if !(r.is_finite() && r > 0.0) {
                continue;
            }
            let Ok(Some(u)) = conic::affine(ctx, self.var, u, points) else {
                continue;
            };
            if u.a.shape() != (m, m) || u.b.shape() != (m, 1) {
                continue;
            }
            let a = u.a[(0, 0)];
            if !(a.is_finite() && a != 0.0) {
                continue;
            }
            let tol = SPHERE_RTOL * a.abs();
            let scaled = (0..m).all(|i| {
                (0..m).all(|j| {
                    let want = if i == j { a } else { 0.0 };
                    (u.a[(i, j)] - want).abs() <= tol
                })
            });
            if scaled && u.b.iter().all(|v| v.is_finite()) {
                return Some(Sphere {
                    index,
                    a,
                    b: u.b,
                    r,
                });
            }
        }
        None
    }

    /// The sphere check (see the module docs): the feasible candidate on
    /// the sphere with the best objective, if it beats the claimed point.
    #[allow(clippy::too_many_arguments)]
    fn on_sphere(
        &self,
        ctx: &mut Ctx<'_>,
        sphere: &Sphere,
        xa: &DMatrix<f64>,
        fa: &Val,
        grad: Option<&DMatrix<f64>>,
        tries: &[DMatrix<f64>],
        rng: &mut ChaCha8Rng,
    ) -> Res<Option<(DMatrix<f64>, Val, f64)>> {
        let m = xa.len();
        let mut cands = Vec::new();
        if let Some(g) = grad {
            cands.extend(sphere.toward(&-g));
            cands.extend(sphere.toward(g));
        }
        cands.extend(sphere.toward(&-sphere.u(xa)));
        cands.extend(tries.iter().filter_map(|y| sphere.project(y)));
        for _ in 0..SPHERE_RANDOM {
            let z = DMatrix::from_fn(m, 1, |_, _| normal(rng));
            cands.extend(sphere.toward(&z));
        }
        let mut best: Option<(DMatrix<f64>, Val, f64)> = None;
        for y in cands {
            let Some(fy) = self.feasible_objective(ctx, &y)? else {
                continue;
            };
            let (wins, margin) = self.beats(fa, &fy);
            let better = match &best {
                None => true,
                Some((_, fb, _)) => self.sign() * (fy.base_scalar() - fb.base_scalar()) < 0.0,
            };
            if wins && better {
                best = Some((y, fy, margin));
            }
        }
        Ok(best)
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
                exact: false,
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
        // A sphere (stage 3) skips Clarabel: in n = 1, `‖u‖` is affine near
        // points on one side of the centre, so the model would be one of
        // the sphere's two points.
        let sphere = if self.spheres.is_empty() {
            None
        } else {
            self.sphere(ctx, &points)
        };
        // 2. Clarabel.
        let model = match sphere {
            Some(_) => None,
            None => self.model(ctx, &points)?,
        };
        if let Some((obj, cones)) = model {
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
                                exact: false,
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
        let (tries, grad) = self.nearby(ctx, &xa, &mut rng);
        if let Some((y, fy, margin)) = self.local(ctx, &fa, &tries)? {
            let why = format!(
                "local check (not a convex problem Clarabel takes): a feasible {t} near the claimed one has a {} objective",
                self.better_word()
            );
            return Ok(self.beaten(&xa, &fa, &y, &fy, margin, Finder::Nearby, why));
        }
        if let Some(sph) = &sphere {
            let found = self.on_sphere(ctx, sph, &xa, &fa, grad.as_ref(), &tries, &mut rng)?;
            if let Some((y, fy, margin)) = found {
                let why = format!(
                    "sphere check (`{}` is not convex): a feasible {t} on the sphere has a {} objective",
                    self.constraints[sph.index].fact.text,
                    self.better_word()
                );
                return Ok(self.beaten(&xa, &fa, &y, &fy, margin, Finder::Sphere, why));
            }
        }
        Ok(Look {
            holds: true,
            error: 0.0,
            lhs: Shown::val(&fa),
            rhs: Shown::val(&fa),
            exact: false,
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

    /// Judges the last step at the dimensions `dims` only.
    fn run_at(text: &str, dims: &[usize]) -> Numeric {
        let p = crate::sema::check_file(&Source::new("t.drv", text)).expect("checks");
        let step = p.steps.last().expect("a step");
        crate::numeric::judge_at_dims(step, &Config::default(), dims)
    }

    /// Whether the outcome is a refutation by the sphere check.
    fn by_sphere(out: &Numeric) -> bool {
        match out {
            Numeric::Refuted { counterexample, .. } => counterexample
                .values
                .iter()
                .any(|b| b.name.ends_with("(on the sphere)")),
            _ => false,
        }
    }

    const SPHERE: &str = "let g, δ, c: vector\nlet ε: scalar > 0\n";

    #[test]
    fn a_wrong_optimum_on_a_sphere_is_refuted() {
        for step in [
            // The maximiser claimed as the minimiser.
            "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ = ε ⇒ δ = ε g/‖g‖",
            "minimize ⟨g, δ⟩ over δ subject to ε = ‖δ‖ ⇒ δ = ε g/‖g‖",
            // Off the origin, with the wrong sign.
            "maximize ⟨g, δ⟩ over δ subject to ‖δ − c‖ = ε ⇒ δ = c − ε g/‖g‖",
            "minimize ⟨g, δ⟩ over δ subject to ‖c − δ‖ = ε ⇒ δ = c + ε g/‖g‖",
            "minimize ⟨g, δ⟩ over δ subject to ‖δ + c‖ = ε ⇒ δ = −c + ε g/‖g‖",
            // Feasible but not stationary.
            "minimize ⟨g, δ⟩ over δ subject to ‖δ − c‖ = ε ⇒ δ = c + ε (g − c)/‖g − c‖",
        ] {
            let text = format!("{SPHERE}{step}\n");
            let (out, solver, local) = run(&text);
            assert!(by_sphere(&out), "{step}: {out:?}");
            assert!(
                solver == 0 && local >= 1,
                "{step}: {solver} by Clarabel, {local} locally"
            );
        }
    }

    #[test]
    fn a_right_optimum_on_a_sphere_agrees() {
        for step in [
            "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ = ε ⇒ δ = −ε g/‖g‖",
            "maximize ⟨g, δ⟩ over δ subject to ‖δ − c‖ = ε ⇒ δ = c + ε g/‖g‖",
            "minimize ⟨g, δ⟩ over δ subject to ε = ‖c − δ‖ ⇒ δ = c − ε g/‖g‖",
        ] {
            let text = format!("{SPHERE}{step}\n");
            let (out, solver, local) = run(&text);
            assert!(matches!(out, Numeric::Agrees { .. }), "{step}: {out:?}");
            // (A sphere skips Clarabel even in n = 1, where `‖δ‖` is affine
            // near three points on one side of the centre.)
            assert!(
                solver == 0 && local >= 48,
                "{step}: {solver} by Clarabel, {local} locally"
            );
        }
    }

    #[test]
    fn a_sphere_in_one_dimension_is_two_points() {
        let right =
            format!("{SPHERE}maximize ⟨g, δ⟩ over δ subject to ‖δ − c‖ = ε ⇒ δ = c + ε g/‖g‖\n");
        let out = run_at(&right, &[1]);
        assert!(
            matches!(out, Numeric::Agrees { samples, .. } if samples > 0),
            "{out:?}"
        );
        let wrong = right.replace("c + ε", "c − ε");
        let out = run_at(&wrong, &[1]);
        assert!(by_sphere(&out), "{out:?}");
        if let Numeric::Refuted { counterexample, .. } = &out {
            assert_eq!(counterexample.n, 1);
        }
    }

    #[test]
    fn non_linear_objectives_on_a_sphere() {
        let head = "let a, δ: vector\nlet ε: scalar > 0\n";
        // The nearest point of the sphere to a, and the farthest.
        let right = format!("{head}minimize ‖δ − a‖^2 over δ subject to ‖δ‖ = ε ⇒ δ = ε a/‖a‖\n");
        let (out, _, _) = run(&right);
        assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
        let (out, _, _) = run(&right.replace("= ε a", "= −ε a"));
        assert!(by_sphere(&out), "{out:?}");
        // A stationary point that is the maximum (the minimum is 0, on the
        // great sphere orthogonal to a; n = 1 has no such point).
        let (out, _, _) = run(&format!(
            "{head}minimize ⟨a, δ⟩^2 over δ subject to ‖δ‖ = ε ⇒ δ = ε a/‖a‖\n"
        ));
        assert!(by_sphere(&out), "{out:?}");
    }

    #[test]
    fn the_sphere_check_is_deterministic() {
        let text = format!(
            "{SPHERE}minimize ⟨g, δ⟩ + ‖δ‖^4 over δ subject to ‖δ − c‖ = ε ⇒ δ = c + ε g/‖g‖\n"
        );
        let (a, _, _) = run(&text);
        let (b, _, _) = run(&text);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(by_sphere(&a), "{a:?}");
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
            // Degenerate draws (g = 0: every feasible point is optimal) may
            // get the local check; the rest reach the solver.
            assert!(
                solver >= 80 && local * 5 <= solver,
                "{text}: {solver} by Clarabel, {local} locally"
            );
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
