//! When two computed values count as equal, and when a relation holds.
//!
//! Both sides are evaluated in double precision with exact derivatives
//! (jets, no finite differences), so the only error is rounding: about
//! `u ≈ 1.1·10⁻¹⁶` times the size of the terms per operation. Each value
//! carries that size as its magnitude (see [`super::value`]), so the test is
//!
//! ```text
//! |l − r| ≤ ATOL + RTOL · (mag(l) + mag(r))      componentwise, max over components
//! ```
//!
//! with `RTOL = 1e-8` and `ATOL = 1e-12`. `RTOL` leaves a margin of about
//! 10⁶ over the rounding of a ~100-operation formula (so a true identity is
//! never refuted by rounding, even after cancellation, which the magnitude
//! keeps), while a wrong formula differs by a sizeable fraction of its
//! terms at a generic sample and is caught. torch.autograd.gradcheck uses
//! atol 1e-5 / rtol 1e-3 because it differentiates by finite differences in
//! lower precision; ours are exact formulas, so we can be four orders
//! tighter. The *error* reported is the scaled error
//! `|l − r| / (ATOL/RTOL + mag(l) + mag(r))`: a step passes a sample when
//! it is at most `RTOL`.
//!
//! Inequalities compare `d = l − r` with the same tolerance `t`: `≤` holds
//! when `d ≤ t`, `≥` when `d ≥ −t` (a tie within rounding counts as equal,
//! which satisfies them); `<` holds when `d < −t`, `>` when `d > t`, `≠` when
//! `|d| > t` (a tie violates a strict relation, since equality does).

use crate::sema::hir::RelOp;

use super::value::Val;

/// Relative tolerance, against the magnitude of the terms involved.
pub const RTOL: f64 = 1e-8;
/// Absolute floor of the tolerance (values that are exactly zero terms).
pub const ATOL: f64 = 1e-12;

/// Whether `x`, computed from terms of size `mag`, cannot be told from 0.
pub(crate) fn near_zero(x: f64, mag: f64) -> bool {
    x.abs() <= ATOL + RTOL * mag
}

/// The outcome of comparing two values at one sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Comparison {
    /// Whether the relation holds at this sample.
    pub holds: bool,
    /// The scaled error (equalities) or the scaled violation (0 when an
    /// inequality holds).
    pub error: f64,
}

/// [`compare`], with differing shapes as an unsupported step.
pub(crate) fn compare_sides(
    op: RelOp,
    l: &Val,
    r: &Val,
) -> Result<Comparison, super::value::Trouble> {
    compare(op, l, r)
        .ok_or_else(|| super::value::Trouble::Unsupported("sides of different shapes".to_string()))
}

/// Compares `l op r`; `None` when the shapes differ (never for checked
/// programs).
pub(crate) fn compare(op: RelOp, l: &Val, r: &Val) -> Option<Comparison> {
    let (a, b) = (l.base(), r.base());
    if a.shape() != b.shape() {
        return None;
    }
    let scale = ATOL / RTOL + l.mag + r.mag;
    let tol = RTOL * scale;
    let diffs = a.iter().zip(b.iter()).map(|(x, y)| x - y);
    let out = match op {
        RelOp::Eq => {
            let e = diffs.fold(0.0_f64, |m, d| m.max(d.abs())) / scale;
            Comparison {
                holds: e <= RTOL,
                error: e,
            }
        }
        RelOp::Ne => {
            let e = diffs.fold(0.0_f64, |m, d| m.max(d.abs()));
            Comparison {
                holds: e > tol,
                error: if e > tol { 0.0 } else { (tol - e) / scale },
            }
        }
        _ => {
            // Inequalities are between scalars; take the worst component.
            let mut worst = 0.0_f64;
            let mut holds = true;
            for d in diffs {
                let (ok, viol) = match op {
                    RelOp::Lt => (d < -tol, d + tol),
                    RelOp::Le => (d <= tol, d - tol),
                    RelOp::Gt => (d > tol, tol - d),
                    _ => (d >= -tol, -d - tol),
                };
                if !ok {
                    holds = false;
                    worst = worst.max(viol.max(0.0) / scale);
                }
            }
            Comparison {
                holds,
                error: worst,
            }
        }
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64, mag: f64) -> Val {
        let mut v = Val::scalar(x).unwrap();
        v.mag = mag;
        v
    }

    #[test]
    fn equality_uses_the_magnitude_of_the_terms() {
        // A difference of 1e-9 is rounding for terms of size 1e3 …
        assert!(
            compare(RelOp::Eq, &s(1e-9, 1e3), &s(0.0, 0.0))
                .unwrap()
                .holds
        );
        // … but a real difference for terms of size 1.
        assert!(
            !compare(RelOp::Eq, &s(1e-6, 1.0), &s(0.0, 0.0))
                .unwrap()
                .holds
        );
    }

    #[test]
    fn ties_satisfy_weak_and_violate_strict_inequalities() {
        let a = s(1.0, 1.0);
        let b = s(1.0 + 1e-15, 1.0);
        assert!(compare(RelOp::Le, &b, &a).unwrap().holds);
        assert!(compare(RelOp::Ge, &a, &b).unwrap().holds);
        assert!(!compare(RelOp::Lt, &a, &b).unwrap().holds);
        assert!(!compare(RelOp::Ne, &a, &b).unwrap().holds);
        assert!(compare(RelOp::Lt, &a, &s(2.0, 2.0)).unwrap().holds);
        assert!(!compare(RelOp::Gt, &a, &s(2.0, 2.0)).unwrap().holds);
    }
}
