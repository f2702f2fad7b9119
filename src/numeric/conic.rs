//! Sampled optimisation problems in conic form, solved by Clarabel.
//!
//! # Extraction
//!
//! At one sample every parameter has a value, so the objective and the
//! constraints are functions of the decision variable x ∈ ℝᵐ alone (m = n
//! for a vector, 1 for a scalar). Their data are read off by the judge's
//! own forward-mode differentiation ([`super::jet`]), at a base point x₀
//! (the claimed optimum, or the next check point when the function cannot
//! be differentiated there, as `‖θ − θₜ‖²` at `θ = θₜ`):
//! - **objective**: `f(x₀)`, `∇f(x₀)` and `∇²f(x₀)` give the quadratic model
//!   `½ xᵀPx + qᵀx + c`. The model is exact when f is quadratic; this is
//!   *verified* by comparing model and f at two further points
//!   `x₀ + s·dⱼ` (s = 1 + max|x₀|, dⱼ pseudo-random unit directions seeded
//!   from x₀). A maximisation is turned into the minimisation of −f, and
//!   P must be positive semidefinite (smallest eigenvalue ≥ −10⁻⁹·‖P‖):
//!   Clarabel solves convex problems only.
//! - **affine maps** `u(x) = A x + b` (the insides of constraints): the
//!   value and the Jacobian at x₀ (one pass per component of x), verified
//!   at the same two points.
//!
//! A map is accepted when, at both check points, every component agrees
//! within `10⁻⁹·(magnitudes of the terms) + 10⁻¹²`: a quadratic or affine
//! function passes up to rounding, while a function with any curvature of
//! its own fails at points a unit away.
//!
//! # Cones
//!
//! Constraints are recognised by their shape (`a ≤ b` after moving the
//! larger side right, so `ε ≥ ‖δ‖` is `‖δ‖ ≤ ε`), with u and b affine:
//! - `|u| ≤ b` elementwise, or `‖u‖∞ ≤ b`: the box `−b ≤ u ≤ b`, two
//!   blocks of linear inequalities;
//! - `‖u‖ ≤ b`: a second-order cone `(b, u) ∈ Q^{k+1}`; `‖u‖² ≤ b` with
//!   b constant in x: `‖u‖ ≤ √b`;
//! - `‖u‖₁ ≤ b`: auxiliary variables s with `−s ≤ u ≤ s`, `Σ s ≤ b`;
//! - `a ≤ b`, `a < b` (the closure), `a = b`, elementwise or not, with
//!   a − b affine: linear inequalities or equalities;
//! - a scalar decision variable's declared domain: one or two bounds.
//!
//! Anything else (a non-convex or non-affine constraint, `≠`) makes the
//! problem one this module does not take (`None`), and the caller falls
//! back to a local check.
//!
//! # Solving
//!
//! Clarabel (interior point, default tolerances 10⁻⁸ on gap and
//! feasibility, silent, at most 200 iterations) returns an optimum, a ray
//! along which the objective decreases without bound (the problem is
//! unbounded), or a certificate of infeasibility. Its answers are never
//! trusted on their own: the caller re-evaluates the objective and the
//! constraints at the returned point with the ordinary evaluator.

use std::panic::{catch_unwind, AssertUnwindSafe};

use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSettings, DefaultSolver, IPSolver, SolverStatus, SupportedConeT};
use nalgebra::{DMatrix, SymmetricEigen};

use super::eval::Ctx;
use super::value::{Res, Trouble, Val};
use crate::sema::hir::{Ex, Kind, VarDecl};

/// Agreement required of an extracted model at the check points, relative
/// to the magnitudes of the terms.
const MODEL_RTOL: f64 = 1e-9;
/// Absolute floor of the model tolerance.
const MODEL_ATOL: f64 = 1e-12;

/// `x ↦ a·x + b` (`a` is k×m, `b` k×1).
#[derive(Clone, Debug)]
pub(crate) struct Affine {
    /// The linear part.
    pub a: DMatrix<f64>,
    /// The constant part.
    pub b: DMatrix<f64>,
}

impl Affine {
    /// Rows.
    pub fn rows(&self) -> usize {
        self.b.nrows()
    }

    /// `self − other`, a one-row side repeated to the other's rows
    /// (elementwise comparisons of a vector with a scalar); `None` when the
    /// shapes do not fit.
    pub fn minus(&self, other: &Affine) -> Option<Affine> {
        let k = self.rows().max(other.rows());
        let a = broadcast(&self.a, k)? - broadcast(&other.a, k)?;
        let b = broadcast(&self.b, k)? - broadcast(&other.b, k)?;
        Some(Affine { a, b })
    }

    /// `−self`.
    pub fn neg(&self) -> Affine {
        Affine {
            a: -&self.a,
            b: -&self.b,
        }
    }

    /// Whether the map does not depend on x.
    pub fn is_constant(&self) -> bool {
        self.a.iter().all(|x| *x == 0.0)
    }

    /// The affine map repeated to `k` rows (a scalar bound for a vector).
    #[cfg(test)]
    pub fn rows_to(&self, k: usize) -> Option<Affine> {
        Some(Affine {
            a: broadcast(&self.a, k)?,
            b: broadcast(&self.b, k)?,
        })
    }
}

fn broadcast(m: &DMatrix<f64>, k: usize) -> Option<DMatrix<f64>> {
    if m.nrows() == k {
        Some(m.clone())
    } else if m.nrows() == 1 {
        Some(DMatrix::from_fn(k, m.ncols(), |_, j| m[(0, j)]))
    } else {
        None
    }
}

/// A convex constraint in conic form.
#[derive(Clone, Debug)]
pub(crate) enum Cone {
    /// `u(x) ≤ 0` componentwise.
    NonPos(Affine),
    /// `u(x) = 0`.
    Zero(Affine),
    /// `‖u(x)‖₂ ≤ t(x)` (t one row).
    Soc {
        /// The bound.
        t: Affine,
        /// The vector.
        u: Affine,
    },
    /// `‖u(x)‖₁ ≤ t(x)` (t one row).
    L1 {
        /// The bound.
        t: Affine,
        /// The vector.
        u: Affine,
    },
}

/// `½ xᵀPx + qᵀx` (+ a constant, dropped), to be minimised.
#[derive(Clone, Debug)]
pub(crate) struct Quadratic {
    /// Symmetric positive semidefinite m×m.
    pub p: DMatrix<f64>,
    /// m×1.
    pub q: DMatrix<f64>,
}

/// What Clarabel found.
#[derive(Clone, Debug)]
pub(crate) enum Solved {
    /// An optimal x (m×1).
    Optimum(DMatrix<f64>),
    /// A direction of unbounded decrease (m×1).
    Unbounded(DMatrix<f64>),
    /// The constraints admit no point.
    Infeasible,
    /// No decision (iteration limit, numerical trouble, bad data).
    Failed,
}

/// The decision variable's value for a flat x.
pub(crate) fn bind(var: &VarDecl, x: &DMatrix<f64>) -> Res<Val> {
    match var.kind {
        Kind::Scalar => Val::scalar(x[0]),
        Kind::Vector => Val::constant(Kind::Vector, x.clone()),
        k => Err(Trouble::Unsupported(format!(
            "optimisation over {} ({})",
            k.word(),
            var.text
        ))),
    }
}

/// Evaluates `e` with the decision variable bound to `x`.
pub(crate) fn eval_at(ctx: &mut Ctx<'_>, var: &VarDecl, e: &Ex, x: &DMatrix<f64>) -> Res<Val> {
    let v = bind(var, x)?;
    ctx.with(vec![(var.key.clone(), v)], |c| c.eval(e))
}

/// A value flattened to a column (k×1).
fn flat(v: &Val) -> DMatrix<f64> {
    let m = v.base();
    DMatrix::from_column_slice(m.len(), 1, m.as_slice())
}

/// The value (flattened, k×1), the Jacobian (k×m) and the magnitude of `e`
/// at `x`, by one forward pass per component of x.
fn linearize(
    ctx: &mut Ctx<'_>,
    var: &VarDecl,
    e: &Ex,
    x: &DMatrix<f64>,
) -> Res<(DMatrix<f64>, DMatrix<f64>, f64)> {
    let m = x.len();
    let base = bind(var, x)?;
    let k = ctx.eps;
    if k >= super::jet::MAX_EPS {
        return Err(Trouble::Unsupported(
            "derivatives nested too deeply".to_string(),
        ));
    }
    let mut value = None;
    let mut cols = Vec::with_capacity(m);
    let mut mag: f64 = 0.0;
    for i in 0..m {
        let (r, c) = base.base().shape();
        let mut dir = DMatrix::zeros(r, c);
        dir[i] = 1.0;
        let seeded = Val::new(base.kind, base.jet.seed(k, dir), base.mag + 1.0)?;
        ctx.eps += 1;
        let out = ctx.with(vec![(var.key.clone(), seeded)], |c| c.eval(e));
        ctx.eps -= 1;
        let out = out?;
        mag = mag.max(out.mag);
        if value.is_none() {
            value = Some(flat(&out));
        }
        let d = out.jet.extract(1 << k, k);
        let dm = d.base();
        cols.push(DMatrix::from_column_slice(dm.len(), 1, dm.as_slice()));
    }
    let value = value.ok_or(Trouble::Invalid("an empty decision variable"))?;
    let rows = value.nrows();
    let mut jac = DMatrix::zeros(rows, m);
    for (j, c) in cols.iter().enumerate() {
        if c.nrows() != rows {
            return Err(Trouble::Unsupported(
                "a constraint of varying shape".to_string(),
            ));
        }
        jac.set_column(j, &c.column(0));
    }
    Ok((value, jac, mag))
}

/// `e` as an affine map of x, linearised at one of `points` and verified
/// at the others (see the module docs); the first point where `e` can be
/// differentiated is the base (a kink such as `‖θ − θₜ‖` at `θ = θₜ` moves
/// it to the next). `Ok(None)` when it is not affine.
pub(crate) fn affine(
    ctx: &mut Ctx<'_>,
    var: &VarDecl,
    e: &Ex,
    points: &[DMatrix<f64>],
) -> Res<Option<Affine>> {
    for (i, x0) in points.iter().enumerate() {
        let checks: Vec<DMatrix<f64>> = others(points, i);
        match affine_at(ctx, var, e, x0, &checks)? {
            Based::Yes(a) => return Ok(Some(a)),
            Based::No => return Ok(None),
            Based::Kink => {}
        }
    }
    Ok(None)
}

/// The points other than the `i`-th.
fn others(points: &[DMatrix<f64>], i: usize) -> Vec<DMatrix<f64>> {
    points
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, p)| p.clone())
        .collect()
}

/// A model built at one base point.
enum Based<T> {
    /// The model, verified.
    Yes(T),
    /// The function does not have the form.
    No,
    /// The function cannot be differentiated at the base point.
    Kink,
}

fn affine_at(
    ctx: &mut Ctx<'_>,
    var: &VarDecl,
    e: &Ex,
    x0: &DMatrix<f64>,
    checks: &[DMatrix<f64>],
) -> Res<Based<Affine>> {
    let (v0, jac, mag0) = match linearize(ctx, var, e, x0) {
        Ok(t) => t,
        Err(Trouble::Invalid(_)) => return Ok(Based::Kink),
        Err(t) => return Err(t),
    };
    for p in checks {
        let v = match eval_at(ctx, var, e, p) {
            Ok(v) => v,
            Err(Trouble::Invalid(_)) => return Ok(Based::No),
            Err(t) => return Err(t),
        };
        let dx = p - x0;
        let pred = &v0 + &jac * &dx;
        let got = flat(&v);
        if got.shape() != pred.shape() {
            return Ok(Based::No);
        }
        let spread = jac.abs() * dx.abs();
        for i in 0..got.len() {
            let tol = MODEL_ATOL + MODEL_RTOL * (mag0 + v.mag + spread[i]);
            if (got[i] - pred[i]).abs() > tol {
                return Ok(Based::No);
            }
        }
    }
    let b = &v0 - &jac * x0;
    Ok(Based::Yes(Affine { a: jac, b }))
}

/// The objective `sign·f` as a convex quadratic, expanded at the first of
/// `points` where it can be differentiated and verified at the others;
/// `Ok(None)` when it is not quadratic or not convex. `grad` and `hess` are
/// `∇f` and `∇²f` with respect to the decision variable.
pub(crate) fn quadratic(
    ctx: &mut Ctx<'_>,
    var: &VarDecl,
    (f, grad, hess): (&Ex, &Ex, &Ex),
    sign: f64,
    points: &[DMatrix<f64>],
) -> Res<Option<Quadratic>> {
    for (i, x0) in points.iter().enumerate() {
        let checks = others(points, i);
        match quadratic_at(ctx, var, (f, grad, hess), sign, x0, &checks)? {
            Based::Yes(q) => return Ok(Some(q)),
            Based::No => return Ok(None),
            Based::Kink => {}
        }
    }
    Ok(None)
}

fn quadratic_at(
    ctx: &mut Ctx<'_>,
    var: &VarDecl,
    (f, grad, hess): (&Ex, &Ex, &Ex),
    sign: f64,
    x0: &DMatrix<f64>,
    checks: &[DMatrix<f64>],
) -> Res<Based<Quadratic>> {
    let m = x0.len();
    let at = |ctx: &mut Ctx<'_>, e: &Ex, x: &DMatrix<f64>| -> Res<Option<Val>> {
        match eval_at(ctx, var, e, x) {
            Ok(v) => Ok(Some(v)),
            Err(Trouble::Invalid(_)) => Ok(None),
            Err(t) => Err(t),
        }
    };
    let (Some(f0), Some(g0), Some(h0)) = (at(ctx, f, x0)?, at(ctx, grad, x0)?, at(ctx, hess, x0)?)
    else {
        return Ok(Based::Kink);
    };
    let g = flat(&g0);
    let h = h0.base().clone();
    if g.len() != m || h.shape() != (m, m) {
        return Ok(Based::No);
    }
    let h = (&h + h.transpose()) * 0.5;
    for p in checks {
        let Some(fp) = at(ctx, f, p)? else {
            return Ok(Based::No);
        };
        let dx = p - x0;
        let model = f0.base_scalar() + g.dot(&dx) + 0.5 * (dx.transpose() * &h * &dx)[(0, 0)];
        let l1 = dx.abs().sum();
        let tol = MODEL_ATOL + MODEL_RTOL * (f0.mag + fp.mag + g0.mag * l1 + h0.mag * l1 * l1);
        if (fp.base_scalar() - model).abs() > tol {
            return Ok(Based::No);
        }
    }
    let p = &h * sign;
    let size = p.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    if size > 0.0 {
        let eig = SymmetricEigen::new(p.clone());
        let least = eig.eigenvalues.iter().fold(f64::INFINITY, |a, x| a.min(*x));
        if least < -1e-9 * size {
            return Ok(Based::No);
        }
    }
    let q = (&g - &h * x0) * sign;
    Ok(Based::Yes(Quadratic { p, q }))
}

/// One block of rows `A x + s = b`, `s ∈ cone`.
struct Block {
    cone: SupportedConeT<f64>,
    a: DMatrix<f64>,
    b: Vec<f64>,
}

/// Dense → compressed sparse columns (exact zeros dropped).
fn csc(m: &DMatrix<f64>, upper: bool) -> CscMatrix<f64> {
    let (rows, cols) = m.shape();
    let mut colptr = Vec::with_capacity(cols + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for j in 0..cols {
        for i in 0..rows {
            if upper && i > j {
                continue;
            }
            let x = m[(i, j)];
            if x != 0.0 {
                rowval.push(i);
                nzval.push(x);
            }
        }
        colptr.push(nzval.len());
    }
    CscMatrix::new(rows, cols, colptr, rowval, nzval)
}

/// Pads a k×m block with zero columns up to `total`.
fn widen(a: &DMatrix<f64>, total: usize) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(a.nrows(), total);
    out.view_mut((0, 0), (a.nrows(), a.ncols())).copy_from(a);
    out
}

/// Minimises `obj` subject to `cons` with Clarabel.
pub(crate) fn solve(obj: &Quadratic, cons: &[Cone]) -> Solved {
    let m = obj.q.len();
    let aux: usize = cons
        .iter()
        .map(|c| match c {
            Cone::L1 { u, .. } => u.rows(),
            _ => 0,
        })
        .sum();
    let total = m + aux;
    let mut blocks = Vec::new();
    let mut next_aux = m;
    for c in cons {
        match c {
            Cone::NonPos(u) => blocks.push(Block {
                cone: SupportedConeT::NonnegativeConeT(u.rows()),
                a: widen(&u.a, total),
                b: (-&u.b).iter().copied().collect(),
            }),
            Cone::Zero(u) => blocks.push(Block {
                cone: SupportedConeT::ZeroConeT(u.rows()),
                a: widen(&u.a, total),
                b: (-&u.b).iter().copied().collect(),
            }),
            Cone::Soc { t, u } => {
                let k = u.rows();
                let mut a = DMatrix::zeros(k + 1, total);
                a.view_mut((0, 0), (1, m)).copy_from(&(-&t.a));
                a.view_mut((1, 0), (k, m)).copy_from(&(-&u.a));
                let mut b = vec![t.b[0]];
                b.extend(u.b.iter().copied());
                blocks.push(Block {
                    cone: SupportedConeT::SecondOrderConeT(k + 1),
                    a,
                    b,
                });
            }
            Cone::L1 { t, u } => {
                let k = u.rows();
                let off = next_aux;
                next_aux += k;
                let mut a = DMatrix::zeros(2 * k + 1, total);
                let mut b = vec![0.0; 2 * k + 1];
                for i in 0..k {
                    for j in 0..m {
                        a[(i, j)] = u.a[(i, j)];
                        a[(k + i, j)] = -u.a[(i, j)];
                    }
                    a[(i, off + i)] = -1.0;
                    a[(k + i, off + i)] = -1.0;
                    b[i] = -u.b[i];
                    b[k + i] = u.b[i];
                    a[(2 * k, off + i)] = 1.0;
                }
                for j in 0..m {
                    a[(2 * k, j)] = -t.a[(0, j)];
                }
                b[2 * k] = t.b[0];
                blocks.push(Block {
                    cone: SupportedConeT::NonnegativeConeT(2 * k + 1),
                    a,
                    b,
                });
            }
        }
    }
    let rows: usize = blocks.iter().map(|b| b.b.len()).sum();
    let mut a = DMatrix::zeros(rows, total);
    let mut b = Vec::with_capacity(rows);
    let mut cones = Vec::with_capacity(blocks.len());
    let mut at = 0;
    for blk in blocks {
        let k = blk.b.len();
        a.view_mut((at, 0), (k, total)).copy_from(&blk.a);
        b.extend(blk.b);
        cones.push(blk.cone);
        at += k;
    }
    let p = widen(&obj.p, total);
    let mut p_full = DMatrix::zeros(total, total);
    p_full.view_mut((0, 0), (m, total)).copy_from(&p);
    let mut q = vec![0.0; total];
    q[..m].copy_from_slice(obj.q.as_slice());
    if !a
        .iter()
        .chain(p_full.iter())
        .chain(q.iter())
        .chain(b.iter())
        .all(|x| x.is_finite())
    {
        return Solved::Failed;
    }
    let pm = csc(&p_full, true);
    let am = csc(&a, false);
    let run = catch_unwind(AssertUnwindSafe(|| {
        let settings = DefaultSettings::<f64> {
            verbose: false,
            max_iter: 200,
            ..DefaultSettings::default()
        };
        let mut solver = DefaultSolver::new(&pm, &q, &am, &b, &cones, settings).ok()?;
        solver.solve();
        Some((solver.solution.status, solver.solution.x.clone()))
    }));
    let Ok(Some((status, x))) = run else {
        return Solved::Failed;
    };
    let head = || DMatrix::from_column_slice(m, 1, &x[..m.min(x.len())]);
    if x.len() < m {
        return Solved::Failed;
    }
    match status {
        SolverStatus::Solved | SolverStatus::AlmostSolved => Solved::Optimum(head()),
        SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => {
            Solved::Unbounded(head())
        }
        SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => Solved::Infeasible,
        SolverStatus::MaxIterations | SolverStatus::MaxTime => Solved::Failed,
        _ => Solved::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aff(a: &[f64], rows: usize, b: &[f64]) -> Affine {
        Affine {
            a: DMatrix::from_row_slice(rows, a.len() / rows, a),
            b: DMatrix::from_column_slice(rows, 1, b),
        }
    }

    fn optimum(s: Solved) -> DMatrix<f64> {
        match s {
            Solved::Optimum(x) => x,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn box_linear_program() {
        // min x − 2y  s.t. |x| ≤ 1, |y| ≤ 1  →  (−1, 1).
        let obj = Quadratic {
            p: DMatrix::zeros(2, 2),
            q: DMatrix::from_column_slice(2, 1, &[1.0, -2.0]),
        };
        let u = aff(&[1.0, 0.0, 0.0, 1.0], 2, &[0.0, 0.0]);
        let one = aff(&[0.0, 0.0], 1, &[1.0]).rows_to(2).unwrap();
        let cons = vec![
            Cone::NonPos(u.minus(&one).unwrap()),
            Cone::NonPos(u.neg().minus(&one).unwrap()),
        ];
        let x = optimum(solve(&obj, &cons));
        assert!(
            (x[0] + 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6,
            "{x}"
        );
    }

    #[test]
    fn ball_and_l1_and_unconstrained() {
        let obj = Quadratic {
            p: DMatrix::zeros(2, 2),
            q: DMatrix::from_column_slice(2, 1, &[3.0, 4.0]),
        };
        let u = aff(&[1.0, 0.0, 0.0, 1.0], 2, &[0.0, 0.0]);
        let t = aff(&[0.0, 0.0], 1, &[1.0]);
        let x = optimum(solve(
            &obj,
            &[Cone::Soc {
                t: t.clone(),
                u: u.clone(),
            }],
        ));
        assert!(
            (x[0] + 0.6).abs() < 1e-6 && (x[1] + 0.8).abs() < 1e-6,
            "{x}"
        );
        let x = optimum(solve(&obj, &[Cone::L1 { t, u }]));
        assert!(x[0].abs() < 1e-6 && (x[1] + 1.0).abs() < 1e-6, "{x}");
        let quad = Quadratic {
            p: DMatrix::identity(2, 2) * 2.0,
            q: DMatrix::from_column_slice(2, 1, &[2.0, -4.0]),
        };
        let x = optimum(solve(&quad, &[]));
        assert!(
            (x[0] + 1.0).abs() < 1e-6 && (x[1] - 2.0).abs() < 1e-6,
            "{x}"
        );
        assert!(matches!(solve(&obj, &[]), Solved::Unbounded(_)));
    }
}
