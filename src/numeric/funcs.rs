//! Random smooth concrete instances of declared (unknown) functions.
//!
//! A claim about an unspecified smooth `L` must hold for every `L`, so each
//! sample draws a fresh instance (several per step, one per sample):
//! - `scalar → scalar`: `L(t) = a·sin(b·t + c) + d·t² + e·t`, whose
//!   derivatives are known in closed form,
//!   `L⁽ᵏ⁾(t) = a·bᵏ·sin(b·t + c + kπ/2) + (polynomial part)`; the sine
//!   makes every derivative generic (no L‴ = 0 accident), the quadratic
//!   makes L' unbounded;
//! - any other function to a scalar (`J: vector → scalar`, several
//!   arguments, stacked into one vector z ∈ ℝᴺ):
//!   `J(z) = ⟨p, z⟩ + ½·s·zᵀQz + c·sin(⟨d, z⟩ + e)` with Q symmetric, so
//!   `∇J(z) = p + s·Q·z + c·cos(⟨d, z⟩ + e)·d` and
//!   `∇²J(z) = s·Q − c·sin(⟨d, z⟩ + e)·d·dᵀ`.
//!
//! The closed forms are evaluated with the same jet arithmetic as
//! everything else, so `∇_x J(x)` (differentiated by the judge) and `∇J(x)`
//! (the closed form) can be compared, and are, in the unit tests.
//! Coefficients are drawn with magnitudes between 0.1 and 2 and rounded to
//! 3 significant digits (the counterexample prints them exactly).
//! Functions returning vectors or matrices are not supported yet.

use std::f64::consts::{FRAC_PI_2, TAU};

use nalgebra::DMatrix;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::jet::Jet;
use super::print;
use super::sample::{log_uniform, normal, round_sig, sign};
use super::value::{Res, Trouble, Val};
use crate::sema::hir::{FuncDecl, Kind};

/// A concrete function standing in for a declared one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FuncInst {
    /// `a·sin(b·t + c) + d·t² + e·t`.
    Curve {
        /// Amplitude.
        a: f64,
        /// Frequency.
        b: f64,
        /// Phase.
        c: f64,
        /// Quadratic coefficient.
        d: f64,
        /// Linear coefficient.
        e: f64,
    },
    /// `⟨p, z⟩ + ½·s·zᵀQz + c·sin(⟨d, z⟩ + e)`, z the stacked arguments.
    Field {
        /// Linear part (N×1).
        p: DMatrix<f64>,
        /// Symmetric quadratic part (N×N).
        q: DMatrix<f64>,
        /// Quadratic scale.
        s: f64,
        /// Amplitude.
        c: f64,
        /// Direction of the sine (N×1).
        d: DMatrix<f64>,
        /// Phase.
        e: f64,
    },
}

fn r3(x: f64) -> f64 {
    round_sig(x, 3)
}

fn size(kind: Kind, n: usize) -> usize {
    match kind {
        Kind::Scalar => 1,
        Kind::Vector | Kind::Covector => n,
        Kind::Matrix => n * n,
    }
}

impl FuncInst {
    /// Draws an instance of `decl` for dimension `n`.
    pub fn draw(decl: &FuncDecl, n: usize, rng: &mut ChaCha8Rng) -> Res<FuncInst> {
        if decl.ret != Kind::Scalar {
            return Err(Trouble::Unsupported(format!(
                "functions returning {} ({})",
                decl.ret.word(),
                decl.text
            )));
        }
        if decl.params == [Kind::Scalar] {
            return Ok(FuncInst::Curve {
                a: r3(sign(rng) * log_uniform(rng, 0.5, 2.0)),
                b: r3(log_uniform(rng, 0.5, 2.0)),
                c: r3(rng.gen::<f64>() * TAU),
                d: r3(sign(rng) * log_uniform(rng, 0.1, 1.0)),
                e: r3(normal(rng)),
            });
        }
        let big_n: usize = decl.params.iter().map(|k| size(*k, n)).sum();
        if big_n == 0 {
            return Err(Trouble::Unsupported(format!(
                "a function without arguments ({})",
                decl.text
            )));
        }
        let root = (big_n as f64).sqrt();
        let p = DMatrix::from_fn(big_n, 1, |_, _| r3(normal(rng)));
        let b = DMatrix::from_fn(big_n, big_n, |_, _| normal(rng) / root);
        let q0 = b.transpose() * b;
        let q = DMatrix::from_fn(big_n, big_n, |i, j| r3(q0[(i.min(j), i.max(j))]));
        Ok(FuncInst::Field {
            p,
            q,
            s: r3(log_uniform(rng, 0.5, 2.0)),
            c: r3(sign(rng) * log_uniform(rng, 0.5, 2.0)),
            d: DMatrix::from_fn(big_n, 1, |_, _| r3(normal(rng) / root)),
            e: r3(rng.gen::<f64>() * TAU),
        })
    }

    /// `f(args)` or, for `derivs > 0`, the derivs-th derivative of a
    /// scalar → scalar function.
    pub fn apply(&self, derivs: u8, args: &[Val]) -> Res<Val> {
        match self {
            FuncInst::Curve { a, b, c, d, e } => {
                let [t] = args else {
                    return Err(Trouble::Unsupported("a call with the wrong arity".into()));
                };
                let k = i32::from(derivs);
                let u = t
                    .mul(&Val::scalar(*b)?)?
                    .add(&Val::scalar(*c)?, 1.0)?
                    .sin_shifted(f64::from(k) * FRAC_PI_2)?;
                let wave = u.mul(&Val::scalar(a * b.powi(k))?)?;
                let poly = match derivs {
                    0 => t
                        .mul(t)?
                        .mul(&Val::scalar(*d)?)?
                        .add(&t.mul(&Val::scalar(*e)?)?, 1.0)?,
                    1 => t.mul(&Val::scalar(2.0 * d)?)?.add(&Val::scalar(*e)?, 1.0)?,
                    2 => Val::scalar(2.0 * d)?,
                    _ => Val::scalar(0.0)?,
                };
                wave.add(&poly, 1.0)
            }
            FuncInst::Field { p, q, s, c, d, e } => {
                if derivs > 0 {
                    return Err(Trouble::Unsupported(
                        "primes on a function of several variables".into(),
                    ));
                }
                let z = stack(args)?;
                if z.base().nrows() != p.nrows() {
                    return Err(Trouble::Unsupported("a call with the wrong arity".into()));
                }
                let lin = Val::constant(Kind::Covector, p.transpose())?.mul(&z)?;
                let qz = Val::constant(Kind::Matrix, q.clone())?.mul(&z)?;
                let quad = z.transpose()?.mul(&qz)?.mul(&Val::scalar(s / 2.0)?)?;
                let wave = phase(d, *e, &z)?.sin_shifted(0.0)?.mul(&Val::scalar(*c)?)?;
                lin.add(&quad, 1.0)?.add(&wave, 1.0)
            }
        }
    }

    /// `∇f(x)` (order 1) or `∇²f(x)` (order 2), in closed form.
    pub fn grad(&self, order: u8, args: &[Val]) -> Res<Val> {
        match self {
            FuncInst::Curve { .. } => self.apply(order, args),
            FuncInst::Field { p, q, s, c, d, e } => {
                let [x] = args else {
                    return Err(Trouble::Unsupported(
                        "∇ of a function of several arguments".into(),
                    ));
                };
                if x.kind != Kind::Vector || x.base().nrows() != p.nrows() {
                    return Err(Trouble::Unsupported(
                        "∇ of a function of a non-vector argument".into(),
                    ));
                }
                let t = phase(d, *e, x)?;
                let dv = Val::constant(Kind::Vector, d.clone())?;
                let sq = Val::constant(Kind::Matrix, q * *s)?;
                match order {
                    1 => {
                        let cos = t.sin_shifted(FRAC_PI_2)?.mul(&Val::scalar(*c)?)?;
                        Val::constant(Kind::Vector, p.clone())?
                            .add(&sq.mul(x)?, 1.0)?
                            .add(&dv.mul(&cos)?, 1.0)
                    }
                    2 => {
                        let sin = t.sin_shifted(0.0)?.mul(&Val::scalar(*c)?)?;
                        let ddt = Val::constant(Kind::Matrix, d * d.transpose())?;
                        sq.add(&ddt.mul(&sin)?, -1.0)
                    }
                    _ => Err(Trouble::Unsupported(format!("∇ of order {order}"))),
                }
            }
        }
    }

    /// The instance as a formula, for counterexamples.
    pub fn describe(&self, name: &str) -> String {
        let n = print::num;
        match self {
            FuncInst::Curve { a, b, c, d, e } => format!(
                "{name}(t) = {}·sin({}·t + {}) {}·t² {}·t",
                n(*a),
                n(*b),
                n(*c),
                signed(*d),
                signed(*e)
            ),
            FuncInst::Field { p, q, s, c, d, e } => format!(
                "{name}(z) = ⟨p, z⟩ + ½·{}·zᵀQz {}·sin(⟨d, z⟩ + {}) with p = {}, Q = {}, d = {} (z: the arguments stacked)",
                n(*s),
                signed(*c),
                n(*e),
                print::value(Kind::Vector, p),
                print::value(Kind::Matrix, q),
                print::value(Kind::Vector, d)
            ),
        }
    }
}

/// `+ x` or `− |x|`, for formulas.
fn signed(x: f64) -> String {
    if x < 0.0 {
        format!("− {}", print::num(-x))
    } else {
        format!("+ {}", print::num(x))
    }
}

/// `⟨d, z⟩ + e`.
fn phase(d: &DMatrix<f64>, e: f64, z: &Val) -> Res<Val> {
    Val::constant(Kind::Covector, d.transpose())?
        .mul(z)?
        .add(&Val::scalar(e)?, 1.0)
}

/// The arguments stacked into one column vector.
fn stack(args: &[Val]) -> Res<Val> {
    if let [one] = args {
        if one.kind == Kind::Vector {
            return Ok(one.clone());
        }
    }
    let jets: Vec<&Jet> = args.iter().map(|a| &a.jet).collect();
    let mag = args.iter().fold(0.0_f64, |m, a| m.max(a.mag));
    Val::new(Kind::Vector, Jet::vstack(&jets), mag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::sample::rng_for;

    fn decl(params: Vec<Kind>) -> FuncDecl {
        FuncDecl {
            key: "f".into(),
            text: "f".into(),
            params,
            ret: Kind::Scalar,
        }
    }

    fn seeded(x: &Val, k: usize, dir: DMatrix<f64>) -> Val {
        Val::new(x.kind, x.jet.seed(k, dir), x.mag + 1.0).unwrap()
    }

    #[test]
    fn curve_derivatives_match_forward_mode() {
        let mut rng = rng_for(11, 1);
        for _ in 0..20 {
            let f = FuncInst::draw(&decl(vec![Kind::Scalar]), 1, &mut rng).unwrap();
            let t = Val::scalar(normal(&mut rng)).unwrap();
            let tt = seeded(
                &seeded(&t, 0, DMatrix::from_element(1, 1, 1.0)),
                1,
                DMatrix::from_element(1, 1, 1.0),
            );
            let v = f.apply(0, &[tt]).unwrap();
            let d1 = f.apply(1, std::slice::from_ref(&t)).unwrap().base_scalar();
            let d2 = f.apply(2, std::slice::from_ref(&t)).unwrap().base_scalar();
            assert!((v.jet.extract(1, 0).base_scalar() - d1).abs() < 1e-12 * (1.0 + d1.abs()));
            assert!((v.jet.extract(3, 0).base_scalar() - d2).abs() < 1e-12 * (1.0 + d2.abs()));
        }
    }

    #[test]
    fn field_gradient_and_hessian_match_forward_mode() {
        let mut rng = rng_for(12, 3);
        let n = 3;
        let f = FuncInst::draw(&decl(vec![Kind::Vector]), n, &mut rng).unwrap();
        let x = Val::constant(
            Kind::Vector,
            DMatrix::from_fn(n, 1, |_, _| normal(&mut rng)),
        )
        .unwrap();
        let g = f.grad(1, std::slice::from_ref(&x)).unwrap();
        let h = f.grad(2, std::slice::from_ref(&x)).unwrap();
        for i in 0..n {
            for j in 0..n {
                let ei = DMatrix::from_fn(n, 1, |r, _| f64::from(u8::from(r == i)));
                let ej = DMatrix::from_fn(n, 1, |r, _| f64::from(u8::from(r == j)));
                let xx = seeded(&seeded(&x, 0, ei), 1, ej);
                let v = f.apply(0, &[xx]).unwrap();
                let gi = v.jet.extract(1, 0).base_scalar();
                let hij = v.jet.extract(3, 0).base_scalar();
                assert!((gi - g.base()[i]).abs() < 1e-12 * (1.0 + gi.abs()));
                assert!((hij - h.base()[(i, j)]).abs() < 1e-12 * (1.0 + hij.abs()));
            }
        }
        assert!(f.describe("J").starts_with("J(z) = "));
    }

    #[test]
    fn vector_valued_functions_are_unsupported() {
        let mut rng = rng_for(1, 1);
        let mut d = decl(vec![Kind::Vector]);
        d.ret = Kind::Vector;
        assert!(matches!(
            FuncInst::draw(&d, 2, &mut rng),
            Err(Trouble::Unsupported(_))
        ));
    }
}
