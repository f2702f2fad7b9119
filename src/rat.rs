//! Exact rational numbers, the one value type shared by every layer.
//!
//! Invariant: a [`Rat`] is always in lowest terms with a positive
//! denominator, so structural equality is numeric equality.

use std::fmt;

/// An exact rational number `num/den` in lowest terms, `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rat {
    /// Numerator, carrying the sign.
    pub num: i128,
    /// Denominator, always positive.
    pub den: i128,
}

impl Rat {
    /// The rational `num/den` in lowest terms, or `None` when `den == 0`.
    pub fn new(num: i128, den: i128) -> Option<Rat> {
        if den == 0 {
            return None;
        }
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()) as i128;
        let g = if g == 0 { 1 } else { g };
        let s = if den < 0 { -1 } else { 1 };
        Some(Rat {
            num: s * (num / g),
            den: s * (den / g),
        })
    }
    /// The integer `n`.
    pub fn int(n: i128) -> Rat {
        Rat { num: n, den: 1 }
    }
    /// Parses a decimal literal such as `2`, `0.5` or `-1.25` exactly;
    /// `None` when it does not fit.
    pub fn parse_decimal(text: &str) -> Option<Rat> {
        let text = text.replace('−', "-");
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = format!("{int}{frac}");
        let mut num: i128 = digits.parse().ok()?;
        let den = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        if neg {
            num = -num;
        }
        Rat::new(num, den)
    }
    /// True when this is zero.
    pub fn is_zero(&self) -> bool {
        self.num == 0
    }
    /// True when this is an integer.
    pub fn is_int(&self) -> bool {
        self.den == 1
    }
    /// The value as a float.
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}
