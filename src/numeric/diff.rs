//! `∇_w e` and `∇²_w e` by forward-mode differentiation over the evaluator.
//!
//! To differentiate a scalar body with respect to `w` at its current value
//! `w₀`, the judge rebinds `w := w₀ + ε_k·eᵢ` (a fresh infinitesimal `k`,
//! see [`super::jet`]), evaluates the body, and reads the coefficient of
//! `ε_k`: the partial derivative along `eᵢ`, exact up to rounding (no step
//! size, no truncation error). One pass per component gives the gradient.
//! For the Hessian, `w := w₀ + ε_k·eᵢ + ε_{k+1}·eⱼ` and the coefficient of
//! `ε_k·ε_{k+1}` is `∂²/∂wᵢ∂wⱼ`; the n(n+1)/2 passes with i ≤ j fill the
//! symmetric matrix. A scalar `w` takes one pass (an ordinary derivative).
//!
//! Because the body is evaluated by the same evaluator, everything inside
//! it (norms, unknown functions, substitutions, even nested ∇) is
//! differentiated consistently; infinitesimals of enclosing derivatives
//! ride along in the lower bits, so nested derivatives compose. Kinks are
//! never differentiated across: `|·|`, `sign`, the 1- and ∞-norms and `‖·‖`
//! at 0 report an invalid sample when a varying argument is within rounding
//! of the kink, and the sample is redrawn.

use nalgebra::DMatrix;

use super::eval::Ctx;
use super::jet::{Jet, MAX_EPS};
use super::value::{Res, Trouble, Val};
use crate::sema::hir::{Ex, Kind};

/// Evaluates `∇_wrt body` (order 1) or `∇²_wrt body` (order 2).
pub(crate) fn grad(ctx: &mut Ctx<'_>, wrt: &str, order: u8, body: &Ex) -> Res<Val> {
    let order = usize::from(order);
    if order == 0 || order > 2 {
        return Err(Trouble::Unsupported(format!("∇ of order {order}")));
    }
    let k = ctx.eps;
    if k + order > MAX_EPS {
        return Err(Trouble::Unsupported(format!(
            "derivatives nested deeper than total order {MAX_EPS}"
        )));
    }
    let w = ctx.lookup(wrt)?.clone();
    let (rows, cols) = w.base().shape();
    let unit = |i: usize| {
        let mut m = DMatrix::zeros(rows, cols);
        if let Some(x) = m.get_mut(i) {
            *x = 1.0;
        }
        m
    };
    let mut mag: f64 = 0.0;
    let mut pass = |ctx: &mut Ctx<'_>, dirs: &[DMatrix<f64>]| -> Res<Jet> {
        let mut jet = w.jet.clone();
        for (j, d) in dirs.iter().enumerate() {
            jet = jet.seed(k + j, d.clone());
        }
        let seeded = Val::new(w.kind, jet, w.mag + 1.0)?;
        ctx.eps += dirs.len();
        let out = ctx.with(vec![(wrt.to_string(), seeded)], |c| c.eval(body));
        ctx.eps -= dirs.len();
        let out = out?;
        if out.kind != Kind::Scalar {
            return Err(Trouble::Unsupported(format!(
                "∇ of {} (expected a scalar body)",
                out.kind.word()
            )));
        }
        mag = mag.max(out.mag);
        let bits = dirs
            .iter()
            .enumerate()
            .fold(0usize, |b, (j, _)| b | (1 << (k + j)));
        Ok(out.jet.extract(bits, k))
    };
    let size = rows * cols;
    let (kind, jet) = match (w.kind, order) {
        (Kind::Scalar, 1) => (Kind::Scalar, pass(ctx, &[unit(0)])?),
        (Kind::Scalar, 2) => (Kind::Scalar, pass(ctx, &[unit(0), unit(0)])?),
        (Kind::Vector | Kind::Matrix, 1) => {
            let mut entries = Vec::with_capacity(size);
            for i in 0..size {
                entries.push(pass(ctx, &[unit(i)])?);
            }
            (w.kind, Jet::assemble(rows, cols, &entries))
        }
        (Kind::Vector, 2) => {
            let n = size;
            let mut entries = vec![Jet::scalar(0.0); n * n];
            for i in 0..n {
                for j in i..n {
                    let h = pass(ctx, &[unit(i), unit(j)])?;
                    entries[j * n + i] = h.clone();
                    entries[i * n + j] = h;
                }
            }
            (Kind::Matrix, Jet::assemble(n, n, &entries))
        }
        _ => {
            return Err(Trouble::Unsupported(format!(
                "∇ of order {order} with respect to {}",
                w.kind.word()
            )))
        }
    };
    Val::new(kind, jet, mag)
}
