//! `solve … for x ⇒ answer`: the numeric second opinion on a claimed
//! solution.
//!
//! # Equations in a scalar ([`RootsProbe`])
//!
//! `solve E = F for x ⇒ x = e₁ or … or x = eₖ` (x a scalar; `∨` for `or`;
//! k ≥ 1, each alternative `x = eᵢ` or `eᵢ = x`) claims that the solution
//! set of `E = F` in x's declared domain is exactly `{e₁, …, eₖ}`; the
//! order of the alternatives does not matter. At each sample:
//! - *Each stated value is a solution*: every eᵢ is evaluated, must lie in
//!   x's declared domain, and is bound to x (a substitution: everything in
//!   E and F that reads x, including the point of a `∇_x`, sees it); then
//!   `E = F` is compared with the usual tolerance (see [`super::tolerance`]).
//!   The first alternative that fails is the counterexample, shown as
//!   `x (the answer)` (one alternative) or `x (answer i)` (several). An
//!   alternative where E or F cannot be evaluated (x = 1 in
//!   `(x − 1)²/(x − 1) = 0`) makes the sample invalid, as for a claim,
//!   unless another alternative fails at the same sample.
//! - *There are no others*: x is scanned over its declared domain for roots
//!   of `E − F` (every component, when the sides are vectors). The points
//!   tried are those of the inequality grid below, with 100 points spread
//!   uniformly over a range that covers 0, every stated root and the finite
//!   bounds with a margin (`S = max(1, |stated roots|, |finite bounds|)`);
//!   half-decades `S·10ᵏ` just inside finite bounds, and out to `S·10¹²` on
//!   unbounded sides; the closed bounds; and each stated root shifted by
//!   relative offsets ±10⁻², …, ±10⁻⁶ (so that a second root close to a
//!   stated one shows as a sign change of its own). Points where `E − F`
//!   cannot be evaluated or is not finite, or where an assumption that
//!   mentions x fails, are skipped. A component's sign is decided where it
//!   exceeds the equality tolerance. Between neighbouring points where it
//!   is decided with opposite signs, bisection (on the raw sign, until the
//!   two ends are neighbouring doubles or after 100 halvings) finds a
//!   point b; b is a root only when `E = F` holds there within the
//!   equality tolerance, so a sign change across a pole (`1/(x − 1)`) or a
//!   jump is not a root, and a bisection that meets a point that cannot be
//!   evaluated is given up. At most 16 sign changes are bisected per
//!   sample.
//! - *Roots where `E − F` touches 0*: on the same grid, a point where
//!   `|E − F|` (the largest component's size) is strictly smaller than at
//!   both neighbours, all three evaluated, is a minimum. Its bracket runs
//!   to the nearest points at or beyond the neighbours where `E = F` fails
//!   (every point up to them evaluated; otherwise the minimum is dropped),
//!   and no component's decided sign may differ among the bracket's ends
//!   and the minimum (a sign change is the bisection's). A bracket that
//!   contains a stated root and where `E = F` holds at every grid point
//!   inside is that root's flat neighbourhood (`(x − 1)⁸` written out
//!   holds within the tolerance out to |x − 1| ≈ 0.2) and is skipped; so is
//!   the same bracket again. Golden-section search (80 steps, starting from
//!   the grid point and keeping the lowest point seen) refines the minimum
//!   of `|E − F|` in the bracket to a point b; b is a root only when
//!   `E = F` holds there within the equality tolerance (so a minimum that
//!   only comes close to 0, like that of x² + 10⁻³ near 0, is not one),
//!   and a search that meets a point that cannot be evaluated is given up.
//!   At most 16 minima are refined per sample, after the sign changes.
//! - A root b is one of the stated ones when it is within
//!   `10⁻⁶·max(1, |b|, |eᵢ|)` of some eᵢ, or within `10⁻²·max(1, |b|, |eᵢ|)`
//!   of it with `E = F` holding within the tolerance at the three quarter
//!   points between them (the flat, rounding-dominated neighbourhood of a
//!   root of odd multiplicity written out, like `(x − 1)⁵` expanded). Any
//!   other root refutes the step: the counterexample shows
//!   `x (another solution)` = b, E and F there, and every stated root; its
//!   error is b's distance from the nearest stated root, relative to
//!   `max(1, |b|, |eᵢ|)` and at most 1.
//!
//! So `solve x² = 4 for x ⇒ x = 2` is refuted for `let x: scalar` (x = −2
//! is a root) and agrees for `let x: scalar > 0`; `solve (x − 1)(x − 3)² =
//! 0 for x ⇒ x = 1` is refuted too (x = 3, a root of even multiplicity,
//! shows as a minimum of `|E − F|`). Limitations: a root is seen only
//! through a sign change of some component of `E − F` or a strict local
//! minimum of `|E − F|` at a grid point, so roots closer together than the
//! grid spacing (or than the square root of the tolerance) can hide one
//! another (two touching roots between the same grid points, a touching
//! root next to a sign change), as can a touching root inside a stated
//! root's flat neighbourhood; also missed are roots beyond `S·10¹²`, roots
//! past the 16th sign change or the 16th minimum, and solution sets that
//! contain an interval. What it does report is a point where `E = F` holds
//! within the tolerance and `E − F` either changes sign nearby or exceeds
//! the tolerance with the same sign on both sides, away from every stated
//! root.
//!
//! # Equations in a vector or matrix ([`EquationProbe`])
//!
//! `solve E = F for x ⇒ x = e` (x a vector or a matrix, exactly one
//! alternative): at each sample the answer `e` is evaluated and bound to x,
//! and `E = F` is compared with the usual tolerance. This checks that the
//! answer *is* a solution; it does not check that it is the only one.
//! Several alternatives for a vector or matrix unknown are unsupported.
//!
//! # Inequalities ([`InequalityProbe`])
//!
//! `solve P op Q for α ⇒ α op₂ r` (α a scalar, op and op₂ among `<`, `≤`,
//! `>`, `≥`; op₂ may also be `=` or `≠`) claims that the solution set of
//! `P op Q` in α's declared domain is `{α : α op₂ r}` (one alternative
//! only: several, `α < a or α > b`, are unsupported). At each sample of
//! the other variables, r is evaluated and many values of α in its domain
//! are tried:
//! - about 50 points spread uniformly over the interesting range (the
//!   domain's finite part, or `[min(r, 0) − 2S, max(r, 0) + 2S]` with
//!   `S = max(1, |r|, |finite bounds|)`);
//! - half-decades `S·10ᵏ`, k = −6 … 3, away from each finite bound (just
//!   inside it, and far out on an unbounded side), and the closed bounds
//!   themselves;
//! - r shifted by relative offsets ±10⁻³ and ±10⁻⁶;
//! - the boundaries of the true solution set the grid reveals: where the
//!   truth of `P op Q` changes between neighbouring points, bisection (60
//!   halvings) finds the boundary b, and b shifted by ±10⁻³ and ±10⁻⁶
//!   (relative) is tried too, so a claimed bound that is close to, but not
//!   at, the true one is caught.
//!
//! A point counts only when both sides are decided: `P op Q` when
//! `|P − Q|` exceeds the equality tolerance (a tie within rounding is not
//! decided), `α op₂ r` when `|α − r| > 10⁻⁹·max(|α|, |r|)`; points where
//! P or Q cannot be evaluated, or where an assumption that mentions α fails,
//! are skipped. Every counted point must give the same truth value on both
//! sides; otherwise the sample is a counterexample showing the variables,
//! α, both truth values, r, P and Q. Consequences: a claimed set that
//! differs from the true one only at boundary points (`α ≤ r` for `α < r`)
//! is not refuted numerically; rounding decides there.

use super::eval::Ctx;
use super::probe::{Extra, Look, Probe, Shown};
use super::sample::in_domain;
use super::tolerance::{compare, compare_sides, ATOL, RTOL};
use super::value::{Res, Trouble, Val};
use super::walk::vars;
use crate::sema::hir::{Domain, Ex, Fact, Kind, Node, RelOp, Scope, VarDecl};

/// The answer `x op e` (or `e op x`) as `(op, e)` with x on the left, when
/// `e` does not mention x.
pub(crate) fn explicit<'a>(answer: &'a Fact, var: &str) -> Option<(RelOp, &'a Ex)> {
    let is_var = |e: &Ex| matches!(&e.node, Node::Var(k) if k == var);
    let (op, e) = if is_var(&answer.lhs) {
        (answer.op, &answer.rhs)
    } else if is_var(&answer.rhs) {
        (flip(answer.op), &answer.lhs)
    } else {
        return None;
    };
    (!vars(e).contains(var)).then_some((op, e))
}

/// `a op b` ⇔ `b flip(op) a`.
pub(crate) fn flip(op: RelOp) -> RelOp {
    match op {
        RelOp::Lt => RelOp::Gt,
        RelOp::Le => RelOp::Ge,
        RelOp::Gt => RelOp::Lt,
        RelOp::Ge => RelOp::Le,
        other => other,
    }
}

/// The value of the answer's expression as a fresh binding of the unknown
/// (its kind must be the unknown's).
pub(crate) fn answer_value(ctx: &mut Ctx<'_>, var: &VarDecl, e: &Ex) -> Res<Val> {
    let v = ctx.eval(e)?;
    if v.kind != var.kind {
        return Err(Trouble::Unsupported(format!(
            "the answer gives {} for {}, which is {}",
            v.kind.word(),
            var.text,
            var.kind.word()
        )));
    }
    Ok(v)
}

/// Whether every assumption in `facts` holds at the current bindings.
fn hold(c: &mut Ctx<'_>, facts: &[&Fact]) -> Res<bool> {
    for f in facts {
        let l = c.eval(&f.lhs)?;
        let r = c.eval(&f.rhs)?;
        if !compare(f.op, &l, &r).is_some_and(|x| x.holds) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The failed look of an answer `x` (shown as `name`) outside the domain
/// of the unknown.
fn outside_domain(var: &VarDecl, x: &Val, name: String) -> Look {
    Look {
        holds: false,
        error: 1.0,
        lhs: Shown::val(x),
        rhs: Shown::Text(format!("outside the domain of {}", var.text)),
        exact: false,
        extra: vec![Extra::new(name, Shown::val(x))],
    }
}

/// Checks `solve E = F for x ⇒ x = e` with x a vector or a matrix (see the
/// module docs).
pub(crate) struct EquationProbe<'a> {
    /// `E = F`.
    pub rel: &'a Fact,
    /// The unknown.
    pub var: &'a VarDecl,
    /// The answer's expression `e`.
    pub value: &'a Ex,
}

impl Probe for EquationProbe<'_> {
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look> {
        let x = answer_value(ctx, self.var, self.value)?;
        let name = format!("{} (the answer)", self.var.text);
        if self.var.kind == Kind::Scalar && !in_domain(x.base_scalar(), &self.var.domain) {
            return Ok(outside_domain(self.var, &x, name));
        }
        let key = self.var.key.clone();
        let (l, r) = ctx.with(vec![(key, x.clone())], |c| {
            Ok((c.eval(&self.rel.lhs)?, c.eval(&self.rel.rhs)?))
        })?;
        let c = compare_sides(RelOp::Eq, &l, &r)?;
        Ok(Look {
            holds: c.holds,
            error: c.error,
            lhs: Shown::val(&l),
            rhs: Shown::val(&r),
            exact: false,
            extra: if c.holds {
                Vec::new()
            } else {
                vec![Extra::new(name, Shown::val(&x))]
            },
        })
    }

    fn hidden(&self) -> Option<&str> {
        Some(&self.var.key)
    }
}

/// Checks `solve E = F for x ⇒ x = e₁ or … or x = eₖ` with x a scalar: every
/// eᵢ is a solution, and the scan finds no other (see the module docs).
pub(crate) struct RootsProbe<'a> {
    /// `E = F`.
    pub rel: &'a Fact,
    /// The scalar unknown.
    pub var: &'a VarDecl,
    /// The stated solutions' expressions eᵢ, in the order written.
    pub values: Vec<&'a Ex>,
    /// Assumptions that mention x (checked at every value of x scanned).
    pub assumptions: Vec<&'a Fact>,
}

/// Uniformly spread points of the root scan.
const ROOT_UNIFORM: usize = 100;
/// Relative offsets tried around each stated root: they split the
/// neighbourhood of a stated root so that a second root close to it shows
/// as a sign change of its own.
const ROOT_OFFSETS: [f64; 5] = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];
/// Half-decades `S·10^(k/2)` tried on unbounded sides beyond the
/// inequality grid's `S·10³` (up to `S·10¹²`).
const FAR: std::ops::RangeInclusive<i32> = 7..=24;
/// At most this many sign changes are bisected per sample.
const MAX_BRACKETS: usize = 16;
/// At most this many halvings per bisection.
const HALVINGS: usize = 100;
/// At most this many strict local minima of `|E − F|` are refined per
/// sample.
const MAX_MINIMA: usize = 16;
/// Golden-section steps per refined minimum (each shrinks the bracket by
/// about 0.618, so 80 reach the spacing of doubles from any grid bracket).
const GOLDEN_STEPS: usize = 80;
/// `2 − φ`: where golden-section search places its next point, as a
/// fraction of the larger part of the bracket.
const GOLDEN: f64 = 0.381_966_011_250_105_1;
/// A root this close (relative) to a stated one is that one.
const SAME_ROOT: f64 = 1e-6;
/// A root this close (relative) to a stated one is that one when `E = F`
/// holds between them (a flat, rounding-dominated neighbourhood).
const SAME_FLAT_ROOT: f64 = 1e-2;

/// `E − F` at one value of x in the scan.
#[derive(Clone)]
struct Gap {
    /// E.
    lhs: Val,
    /// F.
    rhs: Val,
    /// `E − F`, componentwise.
    diff: Vec<f64>,
    /// The equality tolerance (see [`super::tolerance`]).
    tol: f64,
}

impl Gap {
    /// Whether `E = F` holds within the tolerance.
    fn holds(&self) -> bool {
        self.diff.iter().all(|d| d.abs() <= self.tol)
    }

    /// The decided sign of component `i`.
    fn sign(&self, i: usize) -> Option<bool> {
        let d = self.diff[i];
        (d.abs() > self.tol).then_some(d > 0.0)
    }

    /// `|E − F|`: the largest component's size.
    fn size(&self) -> f64 {
        self.diff.iter().fold(0.0, |m, d| m.max(d.abs()))
    }
}

/// The bracket `(lo, hi)` (indices into the scan's points) of a touching
/// root at grid point `k`, when `|E − F|` has a strict local minimum there:
/// smaller than at both neighbours, all three evaluated. The bracket's ends
/// are the nearest points at or beyond the neighbours where `E = F` fails
/// (every point up to them evaluated), and no component's decided sign
/// differs between the ends and `k` (a sign change is the bisection's).
fn valley(pts: &[(f64, Option<Gap>)], k: usize) -> Option<(usize, usize)> {
    let m = pts.get(k)?.1.as_ref()?;
    let left = pts.get(k.checked_sub(1)?)?.1.as_ref()?;
    let right = pts.get(k + 1)?.1.as_ref()?;
    if !(m.size() < left.size() && m.size() < right.size()) {
        return None;
    }
    let mut lo = k - 1;
    while pts[lo].1.as_ref()?.holds() {
        lo = lo.checked_sub(1)?;
    }
    let mut hi = k + 1;
    while pts.get(hi)?.1.as_ref()?.holds() {
        hi += 1;
    }
    let (a, z) = (pts[lo].1.as_ref()?, pts[hi].1.as_ref()?);
    let n = m.diff.len();
    if a.diff.len() != n || z.diff.len() != n {
        return None;
    }
    let agree = (0..n).all(|i| {
        let s: Vec<bool> = [a, m, z].iter().filter_map(|g| g.sign(i)).collect();
        s.windows(2).all(|w| w[0] == w[1])
    });
    agree.then_some((lo, hi))
}

/// One stated solution checked at a sample.
enum Stated {
    /// It lies in the domain and solves `E = F`: its value, the scaled
    /// error, E and F there.
    Solves {
        x: f64,
        error: f64,
        lhs: Val,
        rhs: Val,
    },
    /// It does not: the counterexample.
    Fails(Look),
}

impl RootsProbe<'_> {
    /// How the i-th stated solution is named in a counterexample.
    fn name(&self, i: usize) -> String {
        if self.values.len() == 1 {
            format!("{} (the answer)", self.var.text)
        } else {
            format!("{} (answer {})", self.var.text, i + 1)
        }
    }

    /// Checks the i-th stated solution `e`: in x's domain, and `E = F`
    /// when it is bound to x.
    fn stated(&self, ctx: &mut Ctx<'_>, i: usize, e: &Ex) -> Res<Stated> {
        let x = answer_value(ctx, self.var, e)?;
        let name = self.name(i);
        if !in_domain(x.base_scalar(), &self.var.domain) {
            return Ok(Stated::Fails(outside_domain(self.var, &x, name)));
        }
        let key = self.var.key.clone();
        let (l, r) = ctx.with(vec![(key, x.clone())], |c| {
            Ok((c.eval(&self.rel.lhs)?, c.eval(&self.rel.rhs)?))
        })?;
        let c = compare_sides(RelOp::Eq, &l, &r)?;
        if !c.holds {
            return Ok(Stated::Fails(Look {
                holds: false,
                error: c.error,
                lhs: Shown::val(&l),
                rhs: Shown::val(&r),
                exact: false,
                extra: vec![Extra::new(name, Shown::val(&x))],
            }));
        }
        Ok(Stated::Solves {
            x: x.base_scalar(),
            error: c.error,
            lhs: l,
            rhs: r,
        })
    }

    /// `E − F` at x; `Ok(None)` where it cannot be evaluated or is not
    /// finite, or where an assumption that mentions x fails.
    fn gap(&self, ctx: &mut Ctx<'_>, x: f64) -> Res<Option<Gap>> {
        if !x.is_finite() {
            return Ok(None);
        }
        let v = Val::scalar(x)?;
        let out = ctx.with(vec![(self.var.key.clone(), v)], |c| {
            if !hold(c, &self.assumptions)? {
                return Ok(None);
            }
            Ok(Some((c.eval(&self.rel.lhs)?, c.eval(&self.rel.rhs)?)))
        });
        let (lhs, rhs) = match out {
            Ok(Some(lr)) => lr,
            Ok(None) | Err(Trouble::Invalid(_)) => return Ok(None),
            Err(t) => return Err(t),
        };
        if lhs.base().shape() != rhs.base().shape() {
            return Err(Trouble::Unsupported(
                "sides of different shapes".to_string(),
            ));
        }
        let diff: Vec<f64> = lhs
            .base()
            .iter()
            .zip(rhs.base().iter())
            .map(|(a, b)| a - b)
            .collect();
        if diff.iter().any(|d| !d.is_finite()) {
            return Ok(None);
        }
        let tol = RTOL * (ATOL / RTOL + lhs.mag + rhs.mag);
        Ok(Some(Gap {
            lhs,
            rhs,
            diff,
            tol,
        }))
    }

    /// Bisects component `i` of `E − F` between `a` (sign `sa`) and `b`
    /// (the other sign); the root there, if `E = F` holds at the end.
    fn bisect(
        &self,
        ctx: &mut Ctx<'_>,
        i: usize,
        mut a: f64,
        mut b: f64,
        sa: bool,
    ) -> Res<Option<(f64, Gap)>> {
        for _ in 0..HALVINGS {
            let mid = a + 0.5 * (b - a);
            if mid <= a.min(b) || mid >= a.max(b) {
                break;
            }
            let Some(g) = self.gap(ctx, mid)? else {
                return Ok(None);
            };
            let d = g.diff[i];
            if d == 0.0 {
                return Ok(g.holds().then_some((mid, g)));
            }
            if (d > 0.0) == sa {
                a = mid;
            } else {
                b = mid;
            }
        }
        for x in [a + 0.5 * (b - a), a, b] {
            if let Some(g) = self.gap(ctx, x)? {
                if g.holds() {
                    return Ok(Some((x, g)));
                }
            }
        }
        Ok(None)
    }

    /// Golden-section search for the minimum of `|E − F|` in the bracket
    /// `lo < mid < hi`, starting from the grid minimum `mid` (with
    /// `E − F` = `g`) and keeping the lowest point seen; the root there, if
    /// `E = F` holds at that point.
    fn refine(
        &self,
        ctx: &mut Ctx<'_>,
        mut lo: f64,
        mut hi: f64,
        mid: f64,
        g: Gap,
    ) -> Res<Option<(f64, Gap)>> {
        let (mut b, mut best) = (mid, g);
        for _ in 0..GOLDEN_STEPS {
            let x = if hi - b > b - lo {
                b + GOLDEN * (hi - b)
            } else {
                b - GOLDEN * (b - lo)
            };
            if x <= lo || x >= hi || x == b {
                break;
            }
            let Some(gx) = self.gap(ctx, x)? else {
                return Ok(None);
            };
            if gx.size() < best.size() {
                if x > b {
                    lo = b;
                } else {
                    hi = b;
                }
                b = x;
                best = gx;
            } else if x > b {
                hi = x;
            } else {
                lo = x;
            }
        }
        Ok(best.holds().then_some((b, best)))
    }

    /// Whether the root `b` is the stated root `r` (see the module docs).
    fn same_root(&self, ctx: &mut Ctx<'_>, b: f64, r: f64) -> Res<bool> {
        let size = 1f64.max(b.abs()).max(r.abs());
        let dist = (b - r).abs();
        if dist <= SAME_ROOT * size {
            return Ok(true);
        }
        if dist > SAME_FLAT_ROOT * size {
            return Ok(false);
        }
        for t in [0.25, 0.5, 0.75] {
            match self.gap(ctx, r + (b - r) * t)? {
                Some(g) if g.holds() => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// A root of `E = F` in x's domain that is none of `roots`, with E and F
    /// there.
    fn other_root(&self, ctx: &mut Ctx<'_>, roots: &[f64]) -> Res<Option<(f64, Gap)>> {
        let dom = &self.var.domain;
        let b = bounds(dom);
        let s = scale(b, roots);
        let mut xs: Vec<f64> = spread(b, roots, ROOT_UNIFORM)
            .into_iter()
            .map(|p| p.0)
            .collect();
        // Further out on unbounded sides than the inequality grid goes.
        for k in FAR {
            let far = s * 10f64.powf(f64::from(k) / 2.0);
            match b {
                (Some((l, _)), None) => xs.push(l + far),
                (None, Some((h, _))) => xs.push(h - far),
                (None, None) => xs.extend([far, -far]),
                (Some(_), Some(_)) => {}
            }
        }
        for &r in roots {
            for rel in ROOT_OFFSETS {
                let d = offset(r, rel, s);
                xs.push(r - d);
                xs.push(r + d);
            }
        }
        xs.retain(|x| x.is_finite() && in_domain(*x, dom));
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        // Every grid point, with `E − F` where it can be evaluated.
        let mut pts = Vec::with_capacity(xs.len());
        for x in xs {
            pts.push((x, self.gap(ctx, x)?));
        }
        let comps = pts
            .iter()
            .find_map(|p| p.1.as_ref())
            .map_or(0, |g| g.diff.len());
        let mut brackets = 0;
        'comps: for i in 0..comps {
            // Neighbouring points where component i's sign is decided.
            let decided: Vec<(f64, bool)> = pts
                .iter()
                .filter_map(|(x, g)| g.as_ref().and_then(|g| g.sign(i)).map(|s| (*x, s)))
                .collect();
            for w in decided.windows(2) {
                if w[0].1 == w[1].1 {
                    continue;
                }
                if brackets >= MAX_BRACKETS {
                    break 'comps;
                }
                brackets += 1;
                let Some((root, g)) = self.bisect(ctx, i, w[0].0, w[1].0, w[0].1)? else {
                    continue;
                };
                if let Some(found) = self.unknown(ctx, root, g, roots)? {
                    return Ok(Some(found));
                }
            }
        }
        // Roots where `E − F` touches 0 without changing sign: strict local
        // minima of |E − F| on the grid, refined (see the module docs).
        let mut minima = 0;
        let mut last = None;
        for k in 1..pts.len().saturating_sub(1) {
            let Some((lo, hi)) = valley(&pts, k) else {
                continue;
            };
            if last == Some((lo, hi)) {
                continue;
            }
            last = Some((lo, hi));
            // A stated root's own flat neighbourhood: E = F holds at every
            // grid point between the ends.
            let (a, z) = (pts[lo].0, pts[hi].0);
            let flat = pts[lo + 1..hi]
                .iter()
                .all(|p| p.1.as_ref().is_some_and(Gap::holds));
            if flat && roots.iter().any(|r| a <= *r && *r <= z) {
                continue;
            }
            if minima >= MAX_MINIMA {
                break;
            }
            minima += 1;
            let Some(m) = pts[k].1.clone() else {
                continue;
            };
            let Some((root, g)) = self.refine(ctx, a, z, pts[k].0, m)? else {
                continue;
            };
            if let Some(found) = self.unknown(ctx, root, g, roots)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The root `root` (with E and F there), when it lies in x's domain and
    /// is none of the stated `roots`.
    fn unknown(
        &self,
        ctx: &mut Ctx<'_>,
        root: f64,
        g: Gap,
        roots: &[f64],
    ) -> Res<Option<(f64, Gap)>> {
        if !in_domain(root, &self.var.domain) {
            return Ok(None);
        }
        for &r in roots {
            if self.same_root(ctx, root, r)? {
                return Ok(None);
            }
        }
        Ok(Some((root, g)))
    }
}

impl Probe for RootsProbe<'_> {
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look> {
        let mut roots = Vec::with_capacity(self.values.len());
        let mut worst = 0.0_f64;
        let mut shown = (Shown::Text(String::new()), Shown::Text(String::new()));
        // An alternative that cannot be evaluated at this sample makes the
        // sample invalid, unless another one is refuted outright.
        let mut invalid = None;
        for (i, e) in self.values.iter().enumerate() {
            match self.stated(ctx, i, e) {
                Ok(Stated::Solves { x, error, lhs, rhs }) => {
                    worst = worst.max(error);
                    roots.push(x);
                    shown = (Shown::val(&lhs), Shown::val(&rhs));
                }
                Ok(Stated::Fails(look)) => return Ok(look),
                Err(Trouble::Invalid(why)) => invalid = invalid.or(Some(why)),
                Err(t) => return Err(t),
            }
        }
        if let Some(why) = invalid {
            return Err(Trouble::Invalid(why));
        }
        if let Some((b, g)) = self.other_root(ctx, &roots)? {
            // The error: how far the extra root is from the nearest stated
            // one, relative to its size (at most 1).
            let near = roots
                .iter()
                .map(|r| (b - r).abs() / 1f64.max(b.abs()).max(r.abs()))
                .fold(f64::INFINITY, f64::min);
            let mut extra = vec![Extra::new(
                format!("{} (another solution)", self.var.text),
                Shown::num(b),
            )];
            for (i, r) in roots.iter().enumerate() {
                extra.push(Extra::new(self.name(i), Shown::num(*r)));
            }
            return Ok(Look {
                holds: false,
                error: near.min(1.0),
                lhs: Shown::val(&g.lhs),
                rhs: Shown::val(&g.rhs),
                exact: false,
                extra,
            });
        }
        Ok(Look {
            holds: true,
            error: worst,
            lhs: shown.0,
            rhs: shown.1,
            exact: false,
            extra: Vec::new(),
        })
    }

    fn hidden(&self) -> Option<&str> {
        Some(&self.var.key)
    }
}

/// Checks `solve P op Q for α ⇒ α op₂ r` (see the module docs).
pub(crate) struct InequalityProbe<'a> {
    /// `P op Q`.
    pub rel: &'a Fact,
    /// The scalar unknown α.
    pub var: &'a VarDecl,
    /// op₂.
    pub claim_op: RelOp,
    /// r.
    pub bound: &'a Ex,
    /// The answer as written.
    pub answer: &'a Fact,
    /// Assumptions that mention α (checked at every value of α).
    pub assumptions: Vec<&'a Fact>,
}

/// Relative offsets tried around the claimed bound and around the true
/// boundaries found.
const OFFSETS: [f64; 2] = [1e-3, 1e-6];
/// Points closer than this (relative) to the claimed bound are not decided.
const CLAIM_TIE: f64 = 1e-9;
/// Uniformly spread points.
const UNIFORM: usize = 48;
/// At most this many boundaries of the true set are located by bisection.
const MAX_BOUNDARIES: usize = 8;

/// One value of α tried.
#[derive(Clone, Debug)]
struct Point {
    alpha: f64,
    /// 0 uniform, 1 logarithmic, 2 next to a boundary: a counterexample is
    /// taken from the lowest tier that has one (ordinary values first).
    tier: u8,
    /// The decided truth of `P op Q`, with P, Q and the scaled |P − Q|.
    truth: Option<(bool, Val, Val, f64)>,
}

/// The bounds of a scalar domain: `(lo, lo closed)`, `(hi, hi closed)`.
type Bounds = (Option<(f64, bool)>, Option<(f64, bool)>);

fn bounds(d: &Domain) -> Bounds {
    match d {
        Domain::Any => (None, None),
        Domain::Cmp(op, c) => {
            let c = c.to_f64();
            match op {
                RelOp::Gt => (Some((c, false)), None),
                RelOp::Ge => (Some((c, true)), None),
                RelOp::Lt => (None, Some((c, false))),
                RelOp::Le => (None, Some((c, true))),
                RelOp::Eq => (Some((c, true)), Some((c, true))),
                RelOp::Ne => (None, None),
            }
        }
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => (
            Some((lo.to_f64(), *lo_closed)),
            Some((hi.to_f64(), *hi_closed)),
        ),
    }
}

/// A relative offset of `x`, with an absolute floor `scale` near 0.
fn offset(x: f64, rel: f64, scale: f64) -> f64 {
    rel * if x.abs() > 1e-12 * scale {
        x.abs()
    } else {
        scale
    }
}

/// `max(1, |finite points|, |finite bounds|)`: the scale of the grid.
fn scale(b: Bounds, rs: &[f64]) -> f64 {
    let (lo, hi) = b;
    let mut s: f64 = 1.0;
    for x in rs
        .iter()
        .copied()
        .chain([lo.map(|l| l.0), hi.map(|h| h.0)].into_iter().flatten())
    {
        if x.is_finite() {
            s = s.max(x.abs());
        }
    }
    s
}

/// The grid without offsets around particular points: half-decades away
/// from the bounds (or from 0, both ways, when there are none), the closed
/// bounds, and `uniform` points spread over the interesting range, which
/// covers every finite point of `rs` (see the module docs).
fn spread(b: Bounds, rs: &[f64], uniform: usize) -> Vec<(f64, u8)> {
    let (lo, hi) = b;
    let s = scale(b, rs);
    let finite = || rs.iter().copied().filter(|x| x.is_finite());
    let (r_min, r_max) = (
        finite().fold(f64::INFINITY, f64::min),
        finite().fold(f64::NEG_INFINITY, f64::max),
    );
    let mut pts = Vec::new();
    let halves: Vec<f64> = (-12..=6).map(|i| 10f64.powf(f64::from(i) / 2.0)).collect();
    match (lo, hi) {
        (Some((l, _)), Some((h, _))) => {
            let w = h - l;
            for k in halves.iter().filter(|k| **k <= 0.5) {
                pts.push((l + w * k, 1));
                pts.push((h - w * k, 1));
            }
        }
        (Some((l, _)), None) => {
            for k in &halves {
                pts.push((l + s * k, 1));
            }
            pts.push((l + s * 1e6, 1));
        }
        (None, Some((h, _))) => {
            for k in &halves {
                pts.push((h - s * k, 1));
            }
            pts.push((h - s * 1e6, 1));
        }
        (None, None) => {
            for k in &halves {
                pts.push((s * k, 1));
                pts.push((-s * k, 1));
            }
            pts.push((0.0, 1));
        }
    }
    for (x, closed) in [lo, hi].into_iter().flatten() {
        if closed {
            pts.push((x, 1));
        }
    }
    // `f64::max`/`min` ignore the infinities that stand for "no point".
    let (a, z) = match (lo, hi) {
        (Some((l, _)), Some((h, _))) => (l, h),
        (Some((l, _)), None) => (l, r_max.max(l) + 2.0 * s),
        (None, Some((h, _))) => (r_min.min(h) - 2.0 * s, h),
        (None, None) => (r_min.min(0.0) - 2.0 * s, r_max.max(0.0) + 2.0 * s),
    };
    for i in 1..=uniform {
        let t = i as f64 / (uniform + 1) as f64;
        pts.push((a + (z - a) * t, 0));
    }
    pts
}

/// The values of α tried before bisection (see the module docs).
fn grid(b: Bounds, r: f64) -> Vec<(f64, u8)> {
    let s = scale(b, &[r]);
    let mut pts = spread(b, &[r], UNIFORM);
    for rel in OFFSETS {
        let d = offset(r, rel, s);
        pts.push((r - d, 2));
        pts.push((r + d, 2));
    }
    pts
}

impl InequalityProbe<'_> {
    /// `α op₂ r`, when decided.
    fn claimed(&self, alpha: f64, r: f64) -> Option<bool> {
        let size = alpha.abs().max(r.abs());
        if (alpha - r).abs() <= CLAIM_TIE * size {
            return None;
        }
        Some(match self.claim_op {
            RelOp::Lt | RelOp::Le => alpha < r,
            RelOp::Gt | RelOp::Ge => alpha > r,
            RelOp::Eq => false,
            RelOp::Ne => true,
        })
    }

    /// `P op Q` at α, when decided; `Ok(None)` for a tie, a point outside
    /// the expressions' domain, or one where an assumption fails.
    fn truth(&self, ctx: &mut Ctx<'_>, alpha: f64) -> Res<Option<(bool, Val, Val, f64)>> {
        let a = Val::scalar(alpha)?;
        let out = ctx.with(vec![(self.var.key.clone(), a)], |c| {
            if !hold(c, &self.assumptions)? {
                return Ok(None);
            }
            let p = c.eval(&self.rel.lhs)?;
            let q = c.eval(&self.rel.rhs)?;
            Ok(Some((p, q)))
        });
        let (p, q) = match out {
            Ok(Some(pq)) => pq,
            Ok(None) | Err(Trouble::Invalid(_)) => return Ok(None),
            Err(t) => return Err(t),
        };
        let d = p.base_scalar() - q.base_scalar();
        let scale = ATOL / RTOL + p.mag + q.mag;
        if !d.is_finite() || d.abs() <= RTOL * scale {
            return Ok(None);
        }
        let holds = match self.rel.op {
            RelOp::Lt | RelOp::Le => d < 0.0,
            RelOp::Gt | RelOp::Ge => d > 0.0,
            RelOp::Ne => true,
            RelOp::Eq => false,
        };
        Ok(Some((holds, p, q, d.abs() / scale)))
    }

    fn point(&self, ctx: &mut Ctx<'_>, alpha: f64, tier: u8) -> Res<Point> {
        Ok(Point {
            alpha,
            tier,
            truth: self.truth(ctx, alpha)?,
        })
    }

    /// Bisects between two decided points of different truth; the
    /// boundary's estimate.
    fn boundary(&self, ctx: &mut Ctx<'_>, mut a: f64, mut b: f64) -> Res<f64> {
        let ta = self.truth(ctx, a)?.map(|t| t.0);
        for _ in 0..60 {
            let mid = 0.5 * (a + b);
            if mid <= a.min(b) || mid >= a.max(b) {
                break;
            }
            match self.truth(ctx, mid)?.map(|t| t.0) {
                None => return Ok(mid),
                Some(t) if Some(t) == ta => a = mid,
                Some(_) => b = mid,
            }
        }
        Ok(0.5 * (a + b))
    }
}

impl Probe for InequalityProbe<'_> {
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look> {
        let r = ctx.eval(self.bound)?;
        if r.kind != Kind::Scalar {
            return Err(Trouble::Unsupported(format!(
                "the answer bounds {} by {}",
                self.var.text,
                r.kind.word()
            )));
        }
        let rv = r.base_scalar();
        let dom = &self.var.domain;
        let b = bounds(dom);
        let mut cands = grid(b, rv);
        cands.retain(|(x, _)| x.is_finite() && in_domain(*x, dom));
        cands.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        cands.dedup_by(|x, y| x.0 == y.0);
        let mut pts = Vec::with_capacity(cands.len() + 4 * MAX_BOUNDARIES);
        for (x, tier) in cands {
            pts.push(self.point(ctx, x, tier)?);
        }
        // Boundaries of the true solution set between decided neighbours.
        let decided: Vec<(f64, bool)> = pts
            .iter()
            .filter_map(|p| p.truth.as_ref().map(|t| (p.alpha, t.0)))
            .collect();
        let mut found = 0;
        let scale = 1f64.max(rv.abs());
        for w in decided.windows(2) {
            if w[0].1 == w[1].1 || found >= MAX_BOUNDARIES {
                continue;
            }
            found += 1;
            let bd = self.boundary(ctx, w[0].0, w[1].0)?;
            for rel in OFFSETS {
                let d = offset(bd, rel, scale);
                for x in [bd - d, bd + d] {
                    if x.is_finite() && in_domain(x, dom) {
                        pts.push(self.point(ctx, x, 2)?);
                    }
                }
            }
        }
        if pts.iter().all(|p| p.truth.is_none()) {
            return Err(Trouble::Invalid(
                "no value of the unknown gives a decided truth value",
            ));
        }
        let mut worst: Option<(&Point, bool)> = None;
        for p in &pts {
            let (Some(t), Some(c)) = (&p.truth, self.claimed(p.alpha, rv)) else {
                continue;
            };
            if t.0 != c && worst.is_none_or(|(w, _)| p.tier < w.tier) {
                worst = Some((p, c));
            }
        }
        let Some((p, claimed)) = worst else {
            return Ok(Look {
                holds: true,
                error: 0.0,
                lhs: Shown::Text(String::new()),
                rhs: Shown::Text(String::new()),
                exact: false,
                extra: Vec::new(),
            });
        };
        let Some((truth, pv, qv, err)) = &p.truth else {
            return Err(Trouble::Invalid("internal: undecided point"));
        };
        let yes_no = |b: bool| Shown::Text(if b { "true" } else { "false" }.to_string());
        Ok(Look {
            holds: false,
            error: *err,
            lhs: Shown::val(pv),
            rhs: Shown::val(qv),
            exact: false,
            extra: vec![
                Extra::new(self.var.text.clone(), Shown::num(p.alpha)),
                Extra::new(self.rel.text.clone(), yes_no(*truth)),
                Extra::new(self.answer.text.clone(), yes_no(claimed)),
                Extra::new(self.bound_text(), Shown::val(&r)),
            ],
        })
    }

    fn hidden(&self) -> Option<&str> {
        Some(&self.var.key)
    }
}

impl InequalityProbe<'_> {
    /// How the bound is named in a counterexample.
    fn bound_text(&self) -> String {
        let t = &self.answer.text;
        // The answer's text is `α op r`: show the part after the operator.
        for sym in ["<=", ">=", "≤", "≥", "!=", "≠", "<", ">", "="] {
            if let Some(i) = t.find(sym) {
                let (l, r) = (t[..i].trim(), t[i + sym.len()..].trim());
                if l == self.var.text {
                    return r.to_string();
                }
                if r == self.var.text {
                    return l.to_string();
                }
            }
        }
        "the bound".to_string()
    }
}

/// The assumptions in `scope` that mention `var`.
pub(crate) fn assumptions_on<'a>(scope: &'a Scope, var: &str) -> Vec<&'a Fact> {
    scope
        .assumptions
        .iter()
        .filter(|f| vars(&f.lhs).contains(var) || vars(&f.rhs).contains(var))
        .collect()
}

/// The claimed solution (the alternatives `answers`, never empty), as a
/// probe, or why it cannot be checked: a [`RootsProbe`] for an equation in
/// a scalar, an [`EquationProbe`] for an equation in a vector or a matrix
/// with one alternative, an [`InequalityProbe`] for an inequality in a
/// scalar with one alternative.
pub(crate) fn probe<'a>(
    scope: &'a Scope,
    rel: &'a Fact,
    var: &'a str,
    answers: &'a [Fact],
) -> Result<Box<dyn Probe + 'a>, String> {
    let decl = scope
        .var(var)
        .ok_or_else(|| format!("the unknown `{var}` is not declared"))?;
    let mut given = Vec::with_capacity(answers.len());
    for answer in answers {
        let Some((op, e)) = explicit(answer, var) else {
            return Err(format!(
                "an answer that does not give {} explicitly (write `{} = …` or `{} < …`)",
                decl.text, decl.text, decl.text
            ));
        };
        given.push((answer, op, e));
    }
    let Some(&(answer, op, e)) = given.first() else {
        // `⇒ no solution`: the scan must find no root.
        return match (rel.op, decl.kind) {
            (RelOp::Eq, Kind::Scalar) => Ok(Box::new(RootsProbe {
                rel,
                var: decl,
                values: Vec::new(),
                assumptions: assumptions_on(scope, var),
            })),
            _ => Err(format!(
                "`no solution` for {}, unless it is a scalar equation",
                decl.text
            )),
        };
    };
    let several = given.len() > 1;
    match (rel.op, decl.kind) {
        (RelOp::Eq, Kind::Scalar | Kind::Vector | Kind::Matrix) => {
            if given.iter().any(|g| g.1 != RelOp::Eq) {
                return Err("an equation solved by an inequality".to_string());
            }
            if decl.kind == Kind::Scalar {
                return Ok(Box::new(RootsProbe {
                    rel,
                    var: decl,
                    values: given.iter().map(|g| g.2).collect(),
                    assumptions: assumptions_on(scope, var),
                }));
            }
            if several {
                return Err(format!(
                    "several solutions (`{} = a or {} = b`) for {}, which is {}: \
                     only a scalar unknown can have several",
                    decl.text,
                    decl.text,
                    decl.text,
                    decl.kind.word()
                ));
            }
            Ok(Box::new(EquationProbe {
                rel,
                var: decl,
                value: e,
            }))
        }
        (RelOp::Lt | RelOp::Le | RelOp::Gt | RelOp::Ge, Kind::Scalar) => {
            if several {
                return Err(format!(
                    "several answers (`{} < a or {} > b`) to an inequality",
                    decl.text, decl.text
                ));
            }
            Ok(Box::new(InequalityProbe {
                rel,
                var: decl,
                claim_op: op,
                bound: e,
                answer,
                assumptions: assumptions_on(scope, var),
            }))
        }
        (RelOp::Ne, _) => Err("solving a relation `≠`".to_string()),
        (_, k) => Err(format!("solving an inequality for {}", k.word())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rat::Rat;

    #[test]
    fn the_grid_reaches_both_sides_of_the_bound_and_stays_in_the_domain() {
        let pos = Domain::Cmp(RelOp::Gt, Rat::int(0));
        let r = 0.25;
        let mut pts: Vec<f64> = grid(bounds(&pos), r).into_iter().map(|p| p.0).collect();
        pts.retain(|x| in_domain(*x, &pos));
        assert!(pts.iter().any(|x| *x < r && *x > r * (1.0 - 2e-6)));
        assert!(pts.iter().any(|x| *x > r && *x < r * (1.0 + 2e-6)));
        assert!(pts.iter().any(|x| *x > 0.0 && *x < 1e-5), "just inside 0");
        assert!(pts.iter().any(|x| *x > 1e5), "far out");
        assert!(pts.iter().filter(|x| **x > r).count() > 20);
        let any = grid(bounds(&Domain::Any), -3.0);
        assert!(any.iter().any(|p| p.0 < -1e3) && any.iter().any(|p| p.0 > 1e3));
    }

    #[test]
    fn offsets_have_a_floor_at_zero() {
        assert_eq!(offset(2.0, 1e-3, 1.0), 2e-3);
        assert_eq!(offset(0.0, 1e-3, 5.0), 5e-3);
    }

    #[test]
    fn flipping_relations() {
        assert_eq!(flip(RelOp::Lt), RelOp::Gt);
        assert_eq!(flip(RelOp::Ge), RelOp::Le);
        assert_eq!(flip(RelOp::Eq), RelOp::Eq);
    }
}
