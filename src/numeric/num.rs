//! Exact and high-precision scalars for the precise evaluator
//! ([`super::precise`]).
//!
//! A [`Num`] is either an exact rational ([`Num::Q`], arbitrary precision,
//! `num-rational`) or a binary float of [`PREC`] bits with a rigorous
//! absolute error bound ([`Num::F`], `astro-float`). Operations stay exact
//! as long as they can (`+ − × ÷`, integer powers, square roots of squares,
//! `exp 0`, `log 1`, `|·|`, `sign`) and fall back to floats otherwise
//! (`exp`, `log`, roots of non-squares, rationals that grow past
//! [`MAX_BITS`]).
//!
//! # Error bounds
//!
//! Exact values have error 0. A float result's bound is the propagated
//! bound of its arguments plus one rounding, `|result|·U` with
//! `U = 2^(8 − PREC)` (a generous unit roundoff; astro-float rounds each
//! operation to within one ulp). The propagation is first order with
//! explicit slack for the second-order terms:
//! - `a ± b`: `e_a + e_b`;
//! - `a·b`: `|a|e_b + |b|e_a + e_a e_b`;
//! - `a/b`: `(e_a + |a/b| e_b)/(|b| − e_b)` (undecided when `|b| ≤ e_b`);
//! - `√a`: `e_a/(√(a − e_a) + √a)`; `exp a`: `exp(a)·(exp(e_a) − 1)`;
//!   `log a`: `−log(1 − e_a/a)`.
//!
//! Terms that cancel exactly do not enlarge the bound: exact rationals
//! carry no error, and a float's error is absolute, not relative to the
//! size of the terms. The bounds themselves are computed in `f64` with a
//! factor 2 of slack (they are tiny, about 10⁻⁷⁰ of the values, so their
//! own rounding does not matter); a value whose size leaves the `f64`
//! range is [`Fail::GiveUp`].
//!
//! Invariant: for every `Num::F(v, e)`, the true value lies in `[v − e, v + e]`.

use std::cmp::Ordering;

use astro_float::{BigFloat, Consts, RoundingMode, Sign};
use num_bigint::{BigInt, Sign as BSign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Working precision of floats, in bits (about 77 decimal digits).
pub(crate) const PREC: usize = 256;
/// The unit roundoff assumed per operation, 2^(8 − PREC).
const U: f64 = 4.3e-75;
/// Rationals whose numerator or denominator exceeds this many bits are
/// turned into floats.
pub(crate) const MAX_BITS: u64 = 4096;
const RM: RoundingMode = RoundingMode::ToEven;

thread_local! {
    static CONSTS: std::cell::RefCell<Option<Consts>> = const { std::cell::RefCell::new(None) };
}

fn with_cc<T>(f: impl FnOnce(&mut Consts) -> T) -> Option<T> {
    CONSTS.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Consts::new().ok();
        }
        c.as_mut().map(f)
    })
}

/// Why a precise evaluation stopped.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fail {
    /// The expression is undefined at this point (certainly).
    Undefined(&'static str),
    /// The precise evaluator cannot decide here (a construct it does not
    /// evaluate, a sign within the error bound, a value out of range): the
    /// double-precision path decides instead.
    GiveUp,
    /// Not for this evaluator at all (unknown functions, derivatives, a
    /// kind or shape the checker should have excluded): the
    /// double-precision judge decides the step.
    Foreign,
}

/// The result of a precise operation.
pub(crate) type R<T> = Result<T, Fail>;

/// An exact rational or a float with an error bound (see the module docs).
#[derive(Clone, Debug)]
pub(crate) enum Num {
    /// Exact.
    Q(BigRational),
    /// A float and a bound on its absolute error.
    F(BigFloat, f64),
}

/// `n / 10^k` or `n · 10^k`.
fn pow10(k: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), k as usize)
}

/// The exact rational value of a decimal literal `[-]d[.ddd][e±k]`.
pub(crate) fn parse_decimal(s: &str) -> Option<BigRational> {
    let s = s.trim().replace('−', "-");
    let (mant, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().ok()?),
        None => (s.clone(), 0),
    };
    let (neg, body) = match mant.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, mant.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: BigInt = digits.parse().ok()?;
    if neg {
        n = -n;
    }
    let e = exp - frac.len() as i32;
    if e.unsigned_abs() > 4000 {
        return None;
    }
    Some(if e >= 0 {
        BigRational::from_integer(n * pow10(e as u32))
    } else {
        BigRational::new(n, pow10((-e) as u32))
    })
}

/// The exact value of an `f64` *as printed* (its shortest round-trip
/// decimal): the value a counterexample shows is the value judged.
pub(crate) fn q_of_f64(x: f64) -> Option<BigRational> {
    if !x.is_finite() {
        return None;
    }
    parse_decimal(&format!("{x:e}"))
}

/// The exact value of a [`crate::rat::Rat`], read from its display
/// (`p/q` or `p`).
pub(crate) fn q_of_rat(r: &crate::rat::Rat) -> Option<BigRational> {
    let s = r.to_string();
    match s.split_once('/') {
        Some((p, q)) => {
            let q: BigInt = q.trim().parse().ok()?;
            if q.is_zero() {
                return None;
            }
            Some(BigRational::new(p.trim().parse().ok()?, q))
        }
        None => Some(BigRational::from_integer(s.trim().parse().ok()?)),
    }
}

fn bf_of_int(n: &BigInt) -> BigFloat {
    let (s, digits) = n.to_u64_digits();
    if digits.is_empty() {
        return BigFloat::from_u64(0, PREC);
    }
    let sign = if s == BSign::Minus {
        Sign::Neg
    } else {
        Sign::Pos
    };
    BigFloat::from_words(&digits, sign, (64 * digits.len()) as i32)
}

/// A rational as a float (one rounding).
fn bf_of_q(q: &BigRational) -> BigFloat {
    let n = bf_of_int(q.numer());
    if q.denom().is_one() {
        let mut n = n;
        if n.precision().unwrap_or(0) > PREC {
            let _ = n.set_precision(PREC, RM);
        }
        return n;
    }
    n.div(&bf_of_int(q.denom()), PREC, RM)
}

/// A float's value as `f64` (NaN for NaN, ±∞ past the range).
pub(crate) fn f64_of_bf(v: &BigFloat) -> f64 {
    if v.is_nan() {
        return f64::NAN;
    }
    if v.is_inf_pos() {
        return f64::INFINITY;
    }
    if v.is_inf_neg() {
        return f64::NEG_INFINITY;
    }
    let Some((m, _, s, e, _)) = v.as_raw_parts() else {
        return f64::NAN;
    };
    let Some(top) = m.last() else { return 0.0 };
    if *top == 0 {
        return 0.0;
    }
    let mut x = *top as f64 / 18_446_744_073_709_551_616.0;
    if m.len() > 1 {
        x += m[m.len() - 2] as f64 / 18_446_744_073_709_551_616.0 / 18_446_744_073_709_551_616.0;
    }
    let x = if e > 1100 {
        f64::INFINITY
    } else if e < -1100 {
        0.0
    } else {
        x * 2f64.powi(e)
    };
    if s == Sign::Neg {
        -x
    } else {
        x
    }
}

fn too_big(q: &BigRational) -> bool {
    q.numer().bits() > MAX_BITS || q.denom().bits() > MAX_BITS
}

/// A float result with the given propagated error, checked for range.
fn float(v: BigFloat, err: f64) -> R<Num> {
    let a = f64_of_bf(&v).abs();
    let e = 2.0 * (err + a * U);
    // Bounds are f64s: a value beyond the f64 range (above, or below it
    // without being 0) cannot carry one.
    if !a.is_finite() || !e.is_finite() || a > 1e300 || (a < 1e-290 && !v.is_zero()) {
        return Err(Fail::GiveUp);
    }
    Ok(Num::F(v, e))
}

fn exact(q: BigRational) -> R<Num> {
    if too_big(&q) {
        float(bf_of_q(&q), 0.0)
    } else {
        Ok(Num::Q(q))
    }
}

impl Num {
    /// An integer.
    pub fn int(k: i64) -> Num {
        Num::Q(BigRational::from_integer(BigInt::from(k)))
    }

    /// Whether the value is exact.
    #[cfg(test)]
    pub fn is_exact(&self) -> bool {
        matches!(self, Num::Q(_))
    }

    /// The value (nearest `f64`) and its error bound.
    pub fn approx(&self) -> (f64, f64) {
        match self {
            Num::Q(q) => (q.to_f64().unwrap_or(f64::NAN), 0.0),
            Num::F(v, e) => (f64_of_bf(v), *e),
        }
    }

    fn bf(&self) -> (BigFloat, f64) {
        match self {
            Num::Q(q) => (bf_of_q(q), 0.0),
            Num::F(v, e) => (v.clone(), *e),
        }
    }

    /// The sign, when it is certain.
    pub fn signum(&self) -> Option<Ordering> {
        match self {
            Num::Q(q) => Some(q.cmp(&BigRational::zero())),
            Num::F(v, e) => {
                let x = f64_of_bf(v);
                if x.abs() <= *e {
                    None
                } else if x > 0.0 {
                    Some(Ordering::Greater)
                } else {
                    Some(Ordering::Less)
                }
            }
        }
    }

    /// `self + other`.
    pub fn add(&self, o: &Num) -> R<Num> {
        match (self, o) {
            (Num::Q(a), Num::Q(b)) => exact(a + b),
            _ => {
                let ((a, ea), (b, eb)) = (self.bf(), o.bf());
                float(a.add(&b, PREC, RM), ea + eb)
            }
        }
    }

    /// `−self`.
    pub fn neg(&self) -> Num {
        match self {
            Num::Q(a) => Num::Q(-a),
            Num::F(v, e) => Num::F(v.neg(), *e),
        }
    }

    /// `self − other`.
    pub fn sub(&self, o: &Num) -> R<Num> {
        self.add(&o.neg())
    }

    /// `self · other`.
    pub fn mul(&self, o: &Num) -> R<Num> {
        match (self, o) {
            (Num::Q(a), Num::Q(b)) => exact(a * b),
            (Num::Q(a), _) | (_, Num::Q(a)) if a.is_zero() => Ok(Num::int(0)),
            _ => {
                let ((a, ea), (b, eb)) = (self.bf(), o.bf());
                let (x, y) = (f64_of_bf(&a).abs(), f64_of_bf(&b).abs());
                float(a.mul(&b, PREC, RM), x * eb + y * ea + ea * eb)
            }
        }
    }

    /// `self / other`.
    pub fn div(&self, o: &Num) -> R<Num> {
        match o.signum() {
            Some(Ordering::Equal) => return Err(Fail::Undefined("a division by zero")),
            None => return Err(Fail::GiveUp),
            _ => {}
        }
        match (self, o) {
            (Num::Q(a), Num::Q(b)) => exact(a / b),
            _ => {
                let ((a, ea), (b, eb)) = (self.bf(), o.bf());
                let q = a.div(&b, PREC, RM);
                let (qa, ba) = (f64_of_bf(&q).abs(), f64_of_bf(&b).abs());
                float(q, (ea + qa * eb) / (ba - eb))
            }
        }
    }

    /// `self^k` for an integer `k`.
    pub fn powi(&self, k: i64) -> R<Num> {
        if k == 0 {
            return Ok(Num::int(1));
        }
        if k < 0 {
            return Num::int(1).div(&self.powi(-k)?);
        }
        if let Num::Q(q) = self {
            let bits = q.numer().bits().max(q.denom().bits());
            if bits.saturating_mul(k as u64) <= MAX_BITS {
                return exact(num_traits::pow(q.clone(), k as usize));
            }
        }
        if k > 1 << 20 {
            return Err(Fail::GiveUp);
        }
        // Repeated squaring keeps the error propagation per multiplication.
        let mut base = self.clone();
        let mut acc = Num::int(1);
        let mut k = k as u64;
        while k > 0 {
            if k & 1 == 1 {
                acc = acc.mul(&base)?;
            }
            k >>= 1;
            if k > 0 {
                base = base.mul(&base)?;
            }
        }
        Ok(acc)
    }

    /// `|self|`.
    pub fn abs(&self) -> R<Num> {
        match self.signum() {
            Some(Ordering::Less) => Ok(self.neg()),
            Some(_) => Ok(self.clone()),
            None => Err(Fail::GiveUp),
        }
    }

    /// `sign(self)`, sign(0) = 0.
    pub fn sign(&self) -> R<Num> {
        match self.signum() {
            Some(Ordering::Less) => Ok(Num::int(-1)),
            Some(Ordering::Equal) => Ok(Num::int(0)),
            Some(Ordering::Greater) => Ok(Num::int(1)),
            None => Err(Fail::GiveUp),
        }
    }

    /// `√self`.
    pub fn sqrt(&self) -> R<Num> {
        match self.signum() {
            Some(Ordering::Less) => {
                return Err(Fail::Undefined("the square root of a negative number"))
            }
            Some(Ordering::Equal) => return Ok(Num::int(0)),
            None => return Err(Fail::GiveUp),
            _ => {}
        }
        if let Num::Q(q) = self {
            let (n, d) = (q.numer().sqrt(), q.denom().sqrt());
            if &(&n * &n) == q.numer() && &(&d * &d) == q.denom() {
                return exact(BigRational::new(n, d));
            }
        }
        let (a, ea) = self.bf();
        let x = f64_of_bf(&a);
        let r = a.sqrt(PREC, RM);
        let s = f64_of_bf(&r);
        float(r, ea / ((x - ea).max(0.0).sqrt() + s))
    }

    /// `exp(self)`.
    pub fn exp(&self) -> R<Num> {
        if let Num::Q(q) = self {
            if q.is_zero() {
                return Ok(Num::int(1));
            }
        }
        let (a, ea) = self.bf();
        if f64_of_bf(&a).abs() > 600.0 {
            return Err(Fail::GiveUp);
        }
        let r = with_cc(|cc| a.exp(PREC, RM, cc)).ok_or(Fail::GiveUp)?;
        let v = f64_of_bf(&r).abs();
        float(r, v * ea.exp_m1() * 1.01)
    }

    /// `log(self)` (natural).
    pub fn ln(&self) -> R<Num> {
        match self.signum() {
            Some(Ordering::Greater) => {}
            Some(_) => return Err(Fail::Undefined("the logarithm of a non-positive number")),
            None => return Err(Fail::GiveUp),
        }
        if let Num::Q(q) = self {
            if q.is_one() {
                return Ok(Num::int(0));
            }
        }
        let (a, ea) = self.bf();
        let x = f64_of_bf(&a);
        if ea >= x / 2.0 {
            return Err(Fail::GiveUp);
        }
        let r = with_cc(|cc| a.ln(PREC, RM, cc)).ok_or(Fail::GiveUp)?;
        // astro-float's logarithm is accurate to about one unit of the
        // argument's scale, not of a result near 0: an absolute U more.
        float(r, -(-ea / x).ln_1p() * 1.01 + 2.0 * U)
    }

    /// `self^e`: integer exponents allow any base (0 only to a positive
    /// power); other exponents need a positive base (`0^e = 0` for `e > 0`).
    pub fn pow(&self, e: &Num) -> R<Num> {
        if let Num::Q(q) = e {
            if q.is_integer() {
                let k = q.numer().to_i64().ok_or(Fail::GiveUp)?;
                return self.powi(k);
            }
            if q.denom() == &BigInt::from(2) {
                let k = q.numer().to_i64().ok_or(Fail::GiveUp)?;
                return self.sqrt()?.powi(k);
            }
        }
        match (self.signum(), e.signum()) {
            (Some(Ordering::Less), _) => {
                Err(Fail::Undefined("a negative number to a non-integer power"))
            }
            (Some(Ordering::Equal), Some(Ordering::Greater)) => Ok(Num::int(0)),
            (Some(Ordering::Equal), Some(_)) => Err(Fail::Undefined("a division by zero")),
            (Some(Ordering::Greater), _) => e.mul(&self.ln()?)?.exp(),
            _ => Err(Fail::GiveUp),
        }
    }

    /// The larger of two values (for ‖·‖∞; near ties either is within the
    /// error bound).
    pub fn max(&self, o: &Num) -> R<Num> {
        match (self, o) {
            (Num::Q(a), Num::Q(b)) => Ok(Num::Q(a.max(b).clone())),
            _ => {
                let ((a, ea), (b, eb)) = (self.approx(), o.approx());
                let e = ea.max(eb);
                let pick = if a >= b { self } else { o };
                let (v, _) = pick.bf();
                float(v, e)
            }
        }
    }

    /// Printed: a rational exactly (`p/q` or an integer; a terminating
    /// decimal as such when short), a float with 12 significant digits.
    pub fn print(&self) -> String {
        match self {
            Num::Q(q) => print_q(q),
            Num::F(v, _) => super::print::num12(f64_of_bf(v)),
        }
    }
}

/// A rational, printed exactly: an integer, a decimal when the denominator
/// is 2ᵃ5ᵇ and the decimal has at most 24 digits, else `p/q`.
pub(crate) fn print_q(q: &BigRational) -> String {
    if q.is_integer() {
        return q.numer().to_string();
    }
    let mut d = q.denom().clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let mut k = 0u32;
    let (mut a, mut b) = (0u32, 0u32);
    while (&d % &two).is_zero() {
        d /= &two;
        a += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        b += 1;
    }
    if d.is_one() {
        k = a.max(b);
    }
    if d.is_one() && k <= 24 {
        let scaled = q * BigRational::from_integer(pow10(k));
        let n = scaled.to_integer();
        let neg = n.is_negative();
        let digits = n.abs().to_string();
        let k = k as usize;
        let digits = if digits.len() <= k {
            format!("{}{}", "0".repeat(k + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (i, f) = digits.split_at(digits.len() - k);
        let f = f.trim_end_matches('0');
        return format!("{}{}.{}", if neg { "-" } else { "" }, i, f);
    }
    format!("{}/{}", q.numer(), q.denom())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Num {
        Num::Q(parse_decimal(s).unwrap())
    }

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(print_q(&parse_decimal("1.25e-3").unwrap()), "0.00125");
        assert_eq!(print_q(&parse_decimal("-4e2").unwrap()), "-400");
        assert_eq!(print_q(&q_of_f64(0.1).unwrap()), "0.1");
        assert_eq!(print_q(&q_of_f64(1.0000001).unwrap()), "1.0000001");
        let third = BigRational::new(BigInt::from(1), BigInt::from(3));
        assert_eq!(print_q(&third), "1/3");
    }

    #[test]
    fn floats_convert_both_ways() {
        let x = bf_of_q(&parse_decimal("-1234.5").unwrap());
        assert_eq!(f64_of_bf(&x), -1234.5);
        let big = bf_of_q(&parse_decimal("1e25").unwrap());
        assert_eq!(f64_of_bf(&big), 1e25);
        assert_eq!(f64_of_bf(&bf_of_int(&BigInt::from(0))), 0.0);
    }

    #[test]
    fn exactness_is_kept_where_possible() {
        assert!(q("2.25").sqrt().unwrap().is_exact());
        assert_eq!(q("2.25").sqrt().unwrap().print(), "1.5");
        assert!(!q("2").sqrt().unwrap().is_exact());
        assert!(q("0").exp().unwrap().is_exact());
        assert_eq!(
            q("-2").ln().err(),
            Some(Fail::Undefined("the logarithm of a non-positive number"))
        );
        assert_eq!(
            q("0").pow(&q("-1")).err(),
            Some(Fail::Undefined("a division by zero"))
        );
    }

    #[test]
    fn values_beyond_the_f64_range_give_up() {
        assert_eq!(q("-600000").exp().err(), Some(Fail::GiveUp));
        assert!(q("-600").exp().unwrap().signum() == Some(Ordering::Greater));
    }

    #[test]
    fn a_logarithm_near_one_is_not_trusted_below_its_absolute_accuracy() {
        // log(1 + 10⁻⁴⁰) = 10⁻⁴⁰ − 5·10⁻⁸¹: a tie within the bound, not a
        // difference of either sign.
        let y = q("1e-40");
        let d = q("1").add(&y).unwrap().ln().unwrap().sub(&y).unwrap();
        assert_eq!(d.signum(), None);
    }

    #[test]
    fn a_logarithm_keeps_the_error_of_its_argument() {
        // log(exp(x)) − x is within its bound (the argument's error carries).
        let x = q("-3e-6");
        let d = x.exp().unwrap().ln().unwrap().sub(&x).unwrap();
        assert_eq!(d.signum(), None);
    }

    #[test]
    fn tiny_differences_of_transcendentals_are_resolved() {
        // exp(x/10^7) − (1 + x/10^7) ≈ 5·10⁻¹⁵ at x = 1: far above the bound.
        let x = q("1e-7");
        let d = x.exp().unwrap().sub(&q("1").add(&x).unwrap()).unwrap();
        let (v, e) = d.approx();
        assert!(v > 4e-15 && e < 1e-60, "{v} {e}");
        // √2·√2 − 2 is within its bound.
        let s = q("2").sqrt().unwrap();
        let d = s.mul(&s).unwrap().sub(&q("2")).unwrap();
        let (v, e) = d.approx();
        assert!(v.abs() <= e && e < 1e-60, "{v} {e}");
    }
}
