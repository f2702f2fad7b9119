//! Exact rational numbers, the one value type shared by every layer.
//!
//! Invariants: a [`Rat`] is arbitrary precision (no operation wraps or
//! overflows) and always in lowest terms with a positive denominator, so
//! structural equality is numeric equality; its [`Ord`] is the numeric
//! order. Operations whose result could be astronomically large (powers)
//! take a size limit and say `None` past it, so no caller can exhaust memory
//! by writing `7^(10^9)`.

use std::fmt;

use num_bigint::{BigInt, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// An exact rational number in lowest terms (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rat(BigRational);

/// Largest number of bits a power may produce (numerator plus denominator).
pub const MAX_POW_BITS: u64 = 1 << 16;

impl Rat {
    /// The rational `num/den` in lowest terms, or `None` when `den == 0`.
    pub fn new(num: i128, den: i128) -> Option<Rat> {
        if den == 0 {
            return None;
        }
        Some(Rat(BigRational::new(num.into(), den.into())))
    }
    /// The rational `num/den` of two big integers, `None` when `den == 0`.
    pub fn from_big(num: BigInt, den: BigInt) -> Option<Rat> {
        if den.is_zero() {
            return None;
        }
        Some(Rat(BigRational::new(num, den)))
    }
    /// The integer `n`.
    pub fn int(n: i128) -> Rat {
        Rat(BigRational::from_integer(n.into()))
    }
    /// Zero.
    pub fn zero() -> Rat {
        Rat(BigRational::zero())
    }
    /// One.
    pub fn one() -> Rat {
        Rat(BigRational::one())
    }
    /// Parses a decimal literal such as `2`, `0.5`, `-1.25` or
    /// `123456789012345678901234567890` exactly; `None` when it is not one.
    pub fn parse_decimal(text: &str) -> Option<Rat> {
        let text = text.replace('−', "-");
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = format!("{int}{frac}");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut num: BigInt = digits.parse().ok()?;
        let den = num_traits::pow(BigInt::from(10), frac.len());
        if neg {
            num = -num;
        }
        Rat::from_big(num, den)
    }
    /// Parses `p` or `p/q` (integers of any size, optional sign).
    pub fn parse_fraction(text: &str) -> Option<Rat> {
        let (n, d) = text.split_once('/').unwrap_or((text, "1"));
        let n: BigInt = n.trim().parse().ok()?;
        let d: BigInt = d.trim().parse().ok()?;
        Rat::from_big(n, d)
    }
    /// The numerator (carries the sign).
    pub fn numer(&self) -> &BigInt {
        self.0.numer()
    }
    /// The denominator (positive).
    pub fn denom(&self) -> &BigInt {
        self.0.denom()
    }
    /// The underlying big rational.
    pub fn big(&self) -> &BigRational {
        &self.0
    }
    /// True when this is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
    /// True when this is one.
    pub fn is_one(&self) -> bool {
        self.0.is_one()
    }
    /// True when this is below zero.
    pub fn is_neg(&self) -> bool {
        self.0.is_negative()
    }
    /// True when this is above zero.
    pub fn is_pos(&self) -> bool {
        self.0.is_positive()
    }
    /// −1, 0 or 1.
    pub fn signum(&self) -> i32 {
        match self.0.numer().sign() {
            Sign::Minus => -1,
            Sign::NoSign => 0,
            Sign::Plus => 1,
        }
    }
    /// True when this is an integer.
    pub fn is_int(&self) -> bool {
        self.0.is_integer()
    }
    /// True when this is an even integer.
    pub fn is_even(&self) -> bool {
        self.is_int() && (self.0.numer() % 2u32).is_zero()
    }
    /// The value as an `i128` when it is an integer that fits.
    pub fn to_i128(&self) -> Option<i128> {
        if self.is_int() {
            self.0.numer().to_i128()
        } else {
            None
        }
    }
    /// The value as an `i64` when it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_i128().and_then(|v| i64::try_from(v).ok())
    }
    /// The numerator and denominator as `i64` when both fit.
    pub fn to_i64_pair(&self) -> Option<(i64, i64)> {
        Some((self.0.numer().to_i64()?, self.0.denom().to_i64()?))
    }
    /// The value as a float (nearest; ±inf or 0 past f64's range).
    pub fn to_f64(&self) -> f64 {
        match self.0.to_f64() {
            Some(f) if f.is_finite() => f,
            _ if self.0.numer().bits() > self.0.denom().bits() => {
                if self.is_neg() {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            _ => 0.0,
        }
    }
    /// The exact value of a finite float, `None` for ±inf and NaN.
    pub fn from_f64(x: f64) -> Option<Rat> {
        BigRational::from_float(x).map(Rat)
    }
    /// `self + other`.
    pub fn add(&self, other: &Rat) -> Rat {
        Rat(&self.0 + &other.0)
    }
    /// `self − other`.
    pub fn sub(&self, other: &Rat) -> Rat {
        Rat(&self.0 - &other.0)
    }
    /// `self · other`.
    pub fn mul(&self, other: &Rat) -> Rat {
        Rat(&self.0 * &other.0)
    }
    /// `self / other`, `None` when other is 0.
    pub fn div(&self, other: &Rat) -> Option<Rat> {
        if other.is_zero() {
            None
        } else {
            Some(Rat(&self.0 / &other.0))
        }
    }
    /// `−self`.
    pub fn neg(&self) -> Rat {
        Rat(-&self.0)
    }
    /// `|self|`.
    pub fn abs(&self) -> Rat {
        Rat(self.0.abs())
    }
    /// `self ^ e` for an integer e, `None` for 0 to a negative power or when
    /// the result would need more than [`MAX_POW_BITS`] bits.
    pub fn pow(&self, e: &Rat) -> Option<Rat> {
        if !e.is_int() {
            return None;
        }
        if self.is_zero() {
            return match e.signum() {
                -1 => None,
                0 => Some(Rat::one()),
                _ => Some(Rat::zero()),
            };
        }
        if self.0.abs().is_one() {
            let odd = !e.is_even();
            return Some(if self.is_neg() && odd {
                Rat::int(-1)
            } else {
                Rat::one()
            });
        }
        let k = e.0.numer().abs().to_u64()?;
        let bits = self.0.numer().bits() + self.0.denom().bits();
        if bits.checked_mul(k)? > MAX_POW_BITS {
            return None;
        }
        let p = num_traits::pow(self.0.clone(), k as usize);
        if e.is_neg() {
            Some(Rat(p.recip()))
        } else {
            Some(Rat(p))
        }
    }
    /// The exact `q`-th root for q = 2 or more, when it is rational (and
    /// real: an even root of a negative number is `None`).
    pub fn root(&self, q: u32) -> Option<Rat> {
        if q == 0 {
            return None;
        }
        if self.is_neg() && q.is_multiple_of(2) {
            return None;
        }
        let n = self.0.numer().abs();
        let d = self.0.denom().clone();
        let rn = n.nth_root(q);
        let rd = d.nth_root(q);
        if num_traits::pow(rn.clone(), q as usize) != n
            || num_traits::pow(rd.clone(), q as usize) != d
        {
            return None;
        }
        let r = BigRational::new(rn, rd);
        Some(Rat(if self.is_neg() { -r } else { r }))
    }
    /// A short decimal rendering (at most `digits` significant digits), for
    /// the approximate value shown beside an exact one.
    pub fn approx(&self, digits: usize) -> String {
        let f = self.to_f64();
        if f == 0.0 || (1e-4..1e6).contains(&f.abs()) {
            let s = format!("{:.*}", digits, f);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        } else {
            format!("{:.*e}", digits.saturating_sub(1), f)
        }
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_integer() {
            write!(f, "{}", self.0.numer())
        } else {
            write!(f, "{}/{}", self.0.numer(), self.0.denom())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i128, d: i128) -> Rat {
        Rat::new(n, d).unwrap()
    }

    #[test]
    fn the_order_is_numeric() {
        assert!(q(3, 10) < q(1, 2));
        assert!(q(-1, 2) < q(1, 3));
        assert!(q(2, 3) > q(3, 5));
        assert!(Rat::parse_decimal("0.3").unwrap() < Rat::parse_decimal("0.5").unwrap());
        assert_eq!(q(2, 4), q(1, 2));
        assert_eq!(q(1, -2), q(-1, 2));
    }

    #[test]
    fn arithmetic_never_wraps() {
        let big = Rat::parse_decimal("18446744073709551616").unwrap();
        let p = big.mul(&big).mul(&big);
        assert_eq!(
            p.to_string(),
            "6277101735386680763835789423207666416102355444464034512896"
        );
        let three = Rat::int(3);
        let t200 = three.pow(&Rat::int(200)).unwrap();
        assert!(!t200.add(&Rat::one()).sub(&t200).is_zero());
        assert_eq!(Rat::int(7).pow(&Rat::int(1_000_000_000)), None);
        assert_eq!(
            Rat::int(-1).pow(&Rat::int(1_000_000_001)),
            Some(Rat::int(-1))
        );
        assert_eq!(Rat::zero().pow(&Rat::int(-1)), None);
    }

    #[test]
    fn decimals_and_roots_are_exact() {
        assert_eq!(
            Rat::parse_decimal("1.0000000003").unwrap(),
            q(10000000003, 10000000000)
        );
        assert_eq!(Rat::parse_decimal("-1.25").unwrap(), q(-5, 4));
        assert_eq!(Rat::parse_decimal("."), None);
        assert_eq!(q(9, 4).root(2), Some(q(3, 2)));
        assert_eq!(q(2, 1).root(2), None);
        assert_eq!(q(-8, 27).root(3), Some(q(-2, 3)));
        assert_eq!(q(-4, 1).root(2), None);
        assert_eq!(Rat::parse_fraction("-3/6"), Some(q(-1, 2)));
    }

    #[test]
    fn huge_values_convert_to_floats() {
        let big = Rat::int(10).pow(&Rat::int(400)).unwrap();
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert_eq!(big.pow(&Rat::int(-1)).unwrap().to_f64(), 0.0);
        assert!((q(1, 3).to_f64() - 1.0 / 3.0).abs() < 1e-16);
    }
}
