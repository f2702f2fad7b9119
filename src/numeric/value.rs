//! Numeric values of checked expressions and the operations on them.
//!
//! A [`Val`] is a jet (see [`super::jet`]) of nalgebra matrices tagged with
//! its [`Kind`]: a scalar is 1×1, a vector n×1, a covector 1×n, a matrix
//! n×n. Every value also carries its *magnitude*: an estimate of the size of
//! the terms that were combined to compute it, propagated as
//! - leaves: the largest absolute entry;
//! - `a ± b`: `mag(a) + mag(b)` (so cancellation keeps the size of the
//!   cancelled terms);
//! - products: `mag(a)·mag(b)·k`, `k` the length of the contraction;
//! - `a / b`: `(mag(a) + |a/b|·mag(b)) / |b|` (the relative uncertainty of
//!   the denominator carries into the quotient);
//! - smooth `f(a)`: `|f(a)| + |f′(a)|·mag(a)` (first-order propagation,
//!   with `f′` taken at `|a| ≥ ε·mag(a)` so that a pole or a root at the
//!   edge of the rounding uncertainty gives a large magnitude, not ∞).
//!
//! The tolerance ([`super::tolerance`]) compares differences to these
//! magnitudes. Invariant: every `Val` an operation returns is finite, with a
//! finite, non-negative magnitude; anything else is a [`Trouble::Invalid`]
//! sample.

use nalgebra::DMatrix;

use super::jet::Jet;
use super::tolerance::near_zero;
use crate::sema::hir::{Kind, NormP};

/// Why an evaluation stopped.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Trouble {
    /// The sample lies outside the expression's domain (a pole, the log of a
    /// negative number, a kink under a derivative, …): draw another one.
    Invalid(&'static str),
    /// The construct cannot be evaluated by this judge: give up on the step.
    Unsupported(String),
}

/// The result of an evaluation.
pub(crate) type Res<T> = Result<T, Trouble>;

/// A value with its kind and magnitude. See the module docs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Val {
    /// Scalar, Vector, Covector or Matrix.
    pub kind: Kind,
    /// The value and its infinitesimal parts.
    pub jet: Jet,
    /// The size of the terms it was computed from (≥ 0, finite).
    pub mag: f64,
}

/// The unit roundoff-sized guard used when a derivative is evaluated at the
/// edge of a value's rounding uncertainty.
const EPS: f64 = 1e-15;

fn amax(m: &DMatrix<f64>) -> f64 {
    m.iter().fold(0.0, |acc, x| acc.max(x.abs()))
}

impl Val {
    /// Wraps a jet, checking finiteness.
    pub fn new(kind: Kind, jet: Jet, mag: f64) -> Res<Val> {
        if !jet.is_finite() {
            return Err(Trouble::Invalid(
                "a value is not finite (a pole or an overflow)",
            ));
        }
        if !mag.is_finite() {
            return Err(Trouble::Invalid(
                "a value is too ill-conditioned to evaluate",
            ));
        }
        Ok(Val { kind, jet, mag })
    }

    /// A constant value (a sampled variable, a function coefficient): its
    /// magnitude is its largest entry.
    pub fn constant(kind: Kind, m: DMatrix<f64>) -> Res<Val> {
        let mag = amax(&m);
        Val::new(kind, Jet::constant(m), mag)
    }

    /// The scalar `x`.
    pub fn scalar(x: f64) -> Res<Val> {
        Val::constant(Kind::Scalar, DMatrix::from_element(1, 1, x))
    }

    /// The n×n identity.
    pub fn identity(n: usize) -> Res<Val> {
        Val::constant(Kind::Matrix, DMatrix::identity(n, n))
    }

    /// The value without infinitesimals.
    pub fn base(&self) -> &DMatrix<f64> {
        self.jet.base()
    }

    /// The value of a scalar.
    pub fn base_scalar(&self) -> f64 {
        self.jet.base_scalar()
    }

    fn expect_scalar(&self, what: &str) -> Res<()> {
        if self.kind == Kind::Scalar && self.base().len() == 1 {
            Ok(())
        } else {
            Err(Trouble::Unsupported(format!(
                "{what} of {} (expected a scalar)",
                self.kind.word()
            )))
        }
    }

    /// `self + s·other` for `s = ±1`.
    pub fn add(&self, other: &Val, s: f64) -> Res<Val> {
        if self.kind != other.kind || self.base().shape() != other.base().shape() {
            return Err(Trouble::Unsupported(format!(
                "a sum of {} and {}",
                self.kind.word(),
                other.kind.word()
            )));
        }
        Val::new(
            self.kind,
            self.jet.add_scaled(&other.jet, s),
            self.mag + other.mag,
        )
    }

    /// `−self`.
    pub fn neg(&self) -> Res<Val> {
        Val::new(self.kind, self.jet.map(|m| -m), self.mag)
    }

    /// `selfᵀ`: vector ↔ covector, matrix → matrix.
    pub fn transpose(&self) -> Res<Val> {
        let kind = match self.kind {
            Kind::Vector => Kind::Covector,
            Kind::Covector => Kind::Vector,
            Kind::Matrix => Kind::Matrix,
            Kind::Scalar => Kind::Scalar,
        };
        Val::new(kind, self.jet.map(|m| m.transpose()), self.mag)
    }

    /// The product, dispatched on kinds: scalar·X, X·scalar,
    /// covector·vector (inner product), vector·covector (outer product),
    /// matrix·vector, covector·matrix, matrix·matrix.
    pub fn mul(&self, other: &Val) -> Res<Val> {
        use Kind::*;
        let scale = |s: &Val, x: &Val| -> Res<Val> {
            let jet = Jet::product(&s.jet, &x.jet, |a, b| b * a[(0, 0)]);
            Val::new(x.kind, jet, s.mag * x.mag)
        };
        match (self.kind, other.kind) {
            (Scalar, _) => scale(self, other),
            (_, Scalar) => scale(other, self),
            (Covector, Vector)
            | (Matrix, Vector)
            | (Covector, Matrix)
            | (Matrix, Matrix)
            | (Vector, Covector) => {
                let kind = match (self.kind, other.kind) {
                    (Covector, Vector) => Scalar,
                    (Matrix, Vector) => Vector,
                    (Covector, Matrix) => Covector,
                    _ => Matrix,
                };
                if self.base().ncols() != other.base().nrows() {
                    return Err(Trouble::Unsupported(format!(
                        "a product of {} and {} of mismatched sizes",
                        self.kind.word(),
                        other.kind.word()
                    )));
                }
                let k = self.base().ncols() as f64;
                let jet = Jet::product(&self.jet, &other.jet, |a, b| a * b);
                Val::new(kind, jet, self.mag * other.mag * k)
            }
            _ => Err(Trouble::Unsupported(format!(
                "a product of {} and {}",
                self.kind.word(),
                other.kind.word()
            ))),
        }
    }

    /// ⟨self, other⟩ of two vectors.
    pub fn inner(&self, other: &Val) -> Res<Val> {
        self.transpose()?.mul(other)
    }

    /// A smooth scalar function given its derivatives at the value:
    /// `d[k]` is the k-th derivative (`d` holds at least two entries and one
    /// more than the number of infinitesimals). `slope` is |f′| at the edge
    /// of the rounding uncertainty, for the magnitude.
    fn smooth(&self, d: &[f64], slope: f64) -> Res<Val> {
        self.expect_scalar("a scalar function")?;
        let jet = self.jet.taylor(d);
        let mag = d[0].abs() + slope * self.mag;
        Val::new(Kind::Scalar, jet, mag)
    }

    fn order(&self) -> usize {
        self.jet.c.len().trailing_zeros() as usize
    }

    /// The base value moved away from 0 to the edge of its uncertainty.
    fn guarded(&self) -> f64 {
        let x = self.base_scalar();
        let floor = EPS * self.mag;
        if x.abs() >= floor {
            x
        } else if x < 0.0 {
            -floor
        } else {
            floor
        }
    }

    /// 1/self (scalar); invalid when the value cannot be told from 0.
    pub fn recip(&self) -> Res<Val> {
        self.expect_scalar("a division by")?;
        let x = self.base_scalar();
        if near_zero(x, self.mag) {
            return Err(Trouble::Invalid("a division by zero"));
        }
        let m = self.order();
        let mut d = Vec::with_capacity(m + 2);
        let mut fall = 1.0;
        for k in 0..m.max(1) + 1 {
            d.push(fall * x.powi(-(k as i32) - 1));
            fall *= -((k + 1) as f64);
        }
        let q = 1.0 / x;
        let jet = self.jet.taylor(&d);
        Val::new(Kind::Scalar, jet, q.abs() + q * q * self.mag)
    }

    /// self / s, with `s` a scalar.
    pub fn div(&self, s: &Val) -> Res<Val> {
        let r = s.recip()?;
        let out = self.mul(&r)?;
        // mag(a/b) = (mag a + |a/b| mag b) / |b|
        let b = s.base_scalar().abs();
        let q = amax(out.base());
        let mag = (self.mag + q * s.mag) / b;
        Val::new(out.kind, out.jet, mag)
    }

    /// `self^p` for a constant exponent `p`.
    fn powf_const(&self, p: f64) -> Res<Val> {
        let x = self.base_scalar();
        let int = p.fract() == 0.0 && p.abs() < 1e9;
        if x < 0.0 && !int {
            return Err(Trouble::Invalid("a negative number to a non-integer power"));
        }
        if x == 0.0 && p < 0.0 {
            return Err(Trouble::Invalid("a division by zero"));
        }
        if p < 0.0 && near_zero(x, self.mag) {
            return Err(Trouble::Invalid("a division by zero"));
        }
        let m = self.order();
        let mut d = Vec::with_capacity(m + 2);
        let mut fall = 1.0;
        for k in 0..m.max(1) + 1 {
            let e = p - k as f64;
            let dk = if fall == 0.0 {
                0.0
            } else if int {
                fall * x.powi(e as i32)
            } else {
                fall * x.powf(e)
            };
            d.push(dk);
            fall *= e;
        }
        let g = self.guarded().abs();
        // An exact zero (magnitude 0) has no uncertainty to propagate.
        let slope = if p == 0.0 || self.mag == 0.0 {
            0.0
        } else {
            (p * g.powf(p - 1.0)).abs()
        };
        let mag = d[0].abs() + slope * self.mag;
        let jet = self.jet.taylor(&d);
        Val::new(Kind::Scalar, jet, mag)
    }

    /// `self ^ e` (scalars). A constant exponent is a power (integer
    /// exponents allow negative bases); a varying exponent means
    /// `exp(e · log self)` and needs a positive base.
    pub fn pow(&self, e: &Val) -> Res<Val> {
        self.expect_scalar("a power")?;
        e.expect_scalar("an exponent")?;
        if e.jet.is_constant() {
            let out = self.powf_const(e.base_scalar())?;
            // The exponent's own uncertainty: |x^p log x| · mag(p).
            let x = self.base_scalar();
            let extra = if x > 0.0 {
                (out.base_scalar() * x.ln()).abs() * e.mag
            } else {
                0.0
            };
            let mag = out.mag + extra;
            return Val::new(Kind::Scalar, out.jet, mag);
        }
        if self.base_scalar() <= 0.0 {
            return Err(Trouble::Invalid(
                "a power with a varying exponent of a non-positive base",
            ));
        }
        e.mul(&self.log()?)?.exp()
    }

    /// √self.
    pub fn sqrt(&self) -> Res<Val> {
        self.expect_scalar("sqrt")?;
        let x = self.base_scalar();
        if x < 0.0 {
            return Err(Trouble::Invalid("the square root of a negative number"));
        }
        let out = self.powf_const(0.5)?;
        let g = self.guarded().abs();
        let mag = if self.mag == 0.0 {
            x.sqrt()
        } else {
            x.sqrt() + self.mag / (2.0 * g.sqrt())
        };
        Val::new(Kind::Scalar, out.jet, mag)
    }

    /// eˢᵉˡᶠ.
    pub fn exp(&self) -> Res<Val> {
        self.expect_scalar("exp")?;
        let v = self.base_scalar().exp();
        let d = vec![v; self.order().max(1) + 1];
        self.smooth(&d, v)
    }

    /// ln self; invalid for a non-positive argument.
    pub fn log(&self) -> Res<Val> {
        self.expect_scalar("log")?;
        let x = self.base_scalar();
        if x <= 0.0 || near_zero(x, self.mag) {
            return Err(Trouble::Invalid("the logarithm of a non-positive number"));
        }
        let m = self.order().max(1);
        let mut d = vec![x.ln()];
        let mut fact = 1.0;
        for k in 1..=m {
            let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
            d.push(sign * fact / x.powi(k as i32));
            fact *= k as f64;
        }
        self.smooth(&d, 1.0 / self.guarded().abs())
    }

    /// sin(self + shift) (`shift` lets callers take derivatives of sine).
    pub fn sin_shifted(&self, shift: f64) -> Res<Val> {
        self.expect_scalar("sin")?;
        let x = self.base_scalar() + shift;
        let m = self.order().max(1);
        let d: Vec<f64> = (0..=m)
            .map(|k| (x + k as f64 * std::f64::consts::FRAC_PI_2).sin())
            .collect();
        self.smooth(&d, 1.0)
    }

    /// Elementwise sign (sign(0) = 0). Discontinuous at 0: a value that
    /// cannot be told from 0 (and is not an exact zero of exact terms) is
    /// an invalid sample.
    pub fn sign(&self) -> Res<Val> {
        let base = self.base();
        for x in base.iter() {
            if near_zero(*x, self.mag) && !(*x == 0.0 && self.mag == 0.0) {
                return Err(Trouble::Invalid(
                    "sign of a value that cannot be told from 0 (a discontinuity)",
                ));
            }
        }
        let s = base.map(|x| if x == 0.0 { 0.0 } else { x.signum() });
        let mag = amax(&s);
        Val::new(self.kind, Jet::constant(s), mag)
    }

    fn kink_at(&self, i: usize, x: f64) -> bool {
        near_zero(x, self.mag) && self.jet.varies_at(i)
    }

    /// Elementwise |self|: `sign(x₀) ⊙ x`, exact away from 0; a component at
    /// (or within rounding of) 0 under a derivative is a kink: invalid.
    pub fn abs(&self) -> Res<Val> {
        let base = self.base().clone();
        for (i, x) in base.iter().enumerate() {
            if self.kink_at(i, *x) {
                return Err(Trouble::Invalid("a kink of |·| under a derivative"));
            }
        }
        let s = base.map(|x| if x < 0.0 { -1.0 } else { 1.0 });
        Val::new(self.kind, self.jet.map(|m| m.component_mul(&s)), self.mag)
    }

    /// A p-norm of a vector.
    pub fn norm(&self, p: NormP) -> Res<Val> {
        if self.kind != Kind::Vector {
            return Err(Trouble::Unsupported(format!(
                "the norm of {}",
                self.kind.word()
            )));
        }
        let base = self.base().clone();
        let n = base.len() as f64;
        match p {
            NormP::Two => {
                if self.jet.is_constant() {
                    let v = base.norm();
                    return Val::new(Kind::Scalar, Jet::scalar(v), n.sqrt() * self.mag);
                }
                if base.iter().all(|x| *x == 0.0) {
                    return Err(Trouble::Invalid("the kink of ‖·‖ at 0 under a derivative"));
                }
                let sq = self.inner(self)?;
                let out = sq.sqrt()?;
                Val::new(Kind::Scalar, out.jet, n.sqrt() * self.mag)
            }
            NormP::One => {
                let a = self.abs()?;
                let ones = DMatrix::from_element(1, base.len(), 1.0);
                let jet = a.jet.map(|m| &ones * m);
                Val::new(Kind::Scalar, jet, n * self.mag)
            }
            NormP::Inf => {
                let mut best = 0;
                for (i, x) in base.iter().enumerate() {
                    if x.abs() > base[best].abs() {
                        best = i;
                    }
                }
                let top = base.get(best).map_or(0.0, |x| x.abs());
                if !self.jet.is_constant() {
                    let tie = base
                        .iter()
                        .enumerate()
                        .any(|(i, x)| i != best && near_zero(top - x.abs(), self.mag));
                    if tie || near_zero(top, self.mag) {
                        return Err(Trouble::Invalid("a kink of ‖·‖∞ under a derivative"));
                    }
                }
                let s = if base.get(best).is_some_and(|x| *x < 0.0) {
                    -1.0
                } else {
                    1.0
                };
                let jet = self.jet.entry(best).map(|m| m * s);
                Val::new(Kind::Scalar, jet, self.mag)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vecv(xs: &[f64]) -> Val {
        Val::constant(Kind::Vector, DMatrix::from_column_slice(xs.len(), 1, xs)).unwrap()
    }

    #[test]
    fn products_dispatch_on_kinds() {
        let v = vecv(&[1.0, 2.0]);
        let c = v.transpose().unwrap();
        let s = c.mul(&v).unwrap();
        assert_eq!(s.kind, Kind::Scalar);
        assert_eq!(s.base_scalar(), 5.0);
        let m = v.mul(&c).unwrap();
        assert_eq!(m.kind, Kind::Matrix);
        assert_eq!(m.base()[(1, 0)], 2.0);
        let mv = m.mul(&v).unwrap();
        assert_eq!(mv.base().as_slice(), &[5.0, 10.0]);
    }

    #[test]
    fn magnitude_keeps_cancelled_terms() {
        let a = Val::scalar(1e6).unwrap();
        let d = a.add(&a, -1.0).unwrap();
        assert_eq!(d.base_scalar(), 0.0);
        assert_eq!(d.mag, 2e6);
    }

    #[test]
    fn bad_domains_are_invalid() {
        let m = Val::scalar(-2.0).unwrap();
        let half = Val::scalar(0.5).unwrap();
        assert!(matches!(m.pow(&half), Err(Trouble::Invalid(_))));
        assert!(matches!(m.log(), Err(Trouble::Invalid(_))));
        assert!(matches!(
            Val::scalar(0.0).unwrap().recip(),
            Err(Trouble::Invalid(_))
        ));
        let three = Val::scalar(3.0).unwrap();
        assert_eq!(m.pow(&three).unwrap().base_scalar(), -8.0);
    }

    #[test]
    fn exact_zeros_stay_valid() {
        let z = Val::scalar(0.0).unwrap();
        assert_eq!(z.sqrt().unwrap().base_scalar(), 0.0);
        let half = Val::scalar(0.5).unwrap();
        assert_eq!(z.pow(&half).unwrap().base_scalar(), 0.0);
        // Under a derivative, √ at 0 is a kink: invalid, not infinite.
        let seeded = Val::new(
            Kind::Scalar,
            z.jet.seed(0, DMatrix::from_element(1, 1, 1.0)),
            1.0,
        )
        .unwrap();
        assert!(matches!(seeded.sqrt(), Err(Trouble::Invalid(_))));
    }

    #[test]
    fn norms() {
        let v = vecv(&[3.0, -4.0]);
        assert_eq!(v.norm(NormP::Two).unwrap().base_scalar(), 5.0);
        assert_eq!(v.norm(NormP::One).unwrap().base_scalar(), 7.0);
        assert_eq!(v.norm(NormP::Inf).unwrap().base_scalar(), 4.0);
        assert_eq!(v.sign().unwrap().base().as_slice(), &[1.0, -1.0]);
    }
}
