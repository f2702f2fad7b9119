//! Signs from declared domains, and the conditional rewrites they allow.
//!
//! Invariant (soundness): a rewrite here is applied only when the sign it
//! needs follows from declared domains (`λ: scalar > 0`), from norms being
//! non-negative, or from exact arithmetic; otherwise |x|, sign(x) and √x
//! stay as uninterpreted functions.

use super::atoms::SAtom;
use super::val::half;
use super::{Ctx, Res};
use crate::rat::Rat;
use crate::sema::hir::{Domain, RelOp};
use crate::term::Term;

/// What is known of a scalar's sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// > 0.
    Pos,
    /// ≥ 0.
    Nonneg,
    /// < 0.
    Neg,
    /// ≤ 0.
    Nonpos,
    /// = 0.
    Zero,
    /// Nothing.
    Unknown,
}

impl Sign {
    fn of_rat(r: &Rat) -> Sign {
        match r.signum() {
            1 => Sign::Pos,
            -1 => Sign::Neg,
            _ => Sign::Zero,
        }
    }
    fn flip(self) -> Sign {
        match self {
            Sign::Pos => Sign::Neg,
            Sign::Neg => Sign::Pos,
            Sign::Nonneg => Sign::Nonpos,
            Sign::Nonpos => Sign::Nonneg,
            s => s,
        }
    }
    fn times(self, o: Sign) -> Sign {
        use Sign::*;
        match (self, o) {
            (Zero, _) | (_, Zero) => Zero,
            (Unknown, _) | (_, Unknown) => Unknown,
            (Pos, x) => x,
            (x, Pos) => x,
            (Neg, x) => x.flip(),
            (x, Neg) => x.flip(),
            (Nonneg, Nonneg) | (Nonpos, Nonpos) => Nonneg,
            _ => Nonpos,
        }
    }
    fn plus(self, o: Sign) -> Sign {
        use Sign::*;
        match (self, o) {
            (Zero, x) | (x, Zero) => x,
            (Pos, Pos) | (Pos, Nonneg) | (Nonneg, Pos) => Pos,
            (Nonneg, Nonneg) => Nonneg,
            (Neg, Neg) | (Neg, Nonpos) | (Nonpos, Neg) => Neg,
            (Nonpos, Nonpos) => Nonpos,
            _ => Unknown,
        }
    }
    /// Non-negative for sure.
    pub fn nonneg(self) -> bool {
        matches!(self, Sign::Pos | Sign::Nonneg | Sign::Zero)
    }
    /// Non-positive for sure.
    pub fn nonpos(self) -> bool {
        matches!(self, Sign::Neg | Sign::Nonpos | Sign::Zero)
    }
}

/// The sign a domain gives its scalar.
pub fn domain_sign(d: &Domain) -> Sign {
    let zero = Rat::int(0);
    match d {
        Domain::Any => Sign::Unknown,
        Domain::Cmp(op, c) => match op {
            RelOp::Gt if *c >= zero => Sign::Pos,
            RelOp::Ge if *c > zero => Sign::Pos,
            RelOp::Ge if *c == zero => Sign::Nonneg,
            RelOp::Lt if *c <= zero => Sign::Neg,
            RelOp::Le if *c < zero => Sign::Neg,
            RelOp::Le if *c == zero => Sign::Nonpos,
            RelOp::Eq => Sign::of_rat(c),
            _ => Sign::Unknown,
        },
        Domain::Interval {
            lo, lo_closed, hi, ..
        } => {
            if *lo > zero || (*lo == zero && !lo_closed) {
                Sign::Pos
            } else if *lo == zero {
                Sign::Nonneg
            } else if *hi <= zero {
                Sign::Nonpos
            } else {
                Sign::Unknown
            }
        }
    }
}

impl Ctx<'_> {
    /// What the declared domains say of `t`'s sign.
    pub fn sign(&self, t: &Term) -> Sign {
        match t {
            Term::Num(r) => Sign::of_rat(r),
            Term::Sym(s) if self.extra_signs.contains_key(s) => self.extra_signs[s],
            Term::Sym(s) => match self.atoms.satom(s) {
                Some(SAtom::Var(k)) => self
                    .scope
                    .var(k)
                    .map_or(Sign::Unknown, |v| domain_sign(&v.domain)),
                Some(SAtom::Norm(..)) | Some(SAtom::NormOf(..)) => Sign::Nonneg,
                _ => Sign::Unknown,
            },
            Term::Add(v) => v.iter().map(|x| self.sign(x)).fold(Sign::Zero, Sign::plus),
            Term::Mul(v) => v.iter().map(|x| self.sign(x)).fold(Sign::Pos, Sign::times),
            Term::Pow(b, e) => {
                let sb = self.sign(b);
                match e.as_ref() {
                    Term::Num(r) if r.is_even() => {
                        if matches!(sb, Sign::Pos | Sign::Neg) {
                            Sign::Pos
                        } else {
                            Sign::Nonneg
                        }
                    }
                    Term::Num(r) if r.is_int() && r.is_neg() && sb == Sign::Zero => Sign::Unknown,
                    Term::Num(r) if r.is_int() => sb,
                    _ => match sb {
                        Sign::Pos => Sign::Pos,
                        Sign::Nonneg | Sign::Zero => Sign::Nonneg,
                        _ => Sign::Unknown,
                    },
                }
            }
            Term::Fun(f, _) => match f.as_str() {
                "exp" => Sign::Pos,
                "abs" => Sign::Nonneg,
                _ => Sign::Unknown,
            },
        }
    }

    /// |t|, simplified where the sign is known.
    pub fn abs(&mut self, t: &Term) -> Res<Term> {
        let s = self.sign(t);
        if s.nonneg() {
            return Ok(t.clone());
        }
        if s.nonpos() {
            return Ok(Term::neg(t.clone()));
        }
        if let Term::Mul(fs) = t {
            if fs.iter().any(|f| self.sign(f) != Sign::Unknown) {
                let mut out = Vec::new();
                for f in fs {
                    out.push(self.abs(f)?);
                }
                return Ok(Term::Mul(out));
            }
        }
        Ok(Term::fun("abs", vec![t.clone()]))
    }

    /// sign(t), simplified where the sign is known.
    pub fn sign_term(&self, t: &Term) -> Term {
        match self.sign(t) {
            Sign::Pos => Term::int(1),
            Sign::Neg => Term::int(-1),
            Sign::Zero => Term::int(0),
            _ => Term::fun("sign", vec![t.clone()]),
        }
    }

    /// √t: √(b²) = |b|; otherwise t^½.
    pub fn sqrt(&mut self, t: &Term) -> Res<Term> {
        if let Term::Pow(b, e) = t {
            if let Term::Num(r) = e.as_ref() {
                if r.is_even() && r.is_pos() {
                    let a = self.abs(b)?;
                    return Ok(Term::pow(a, Term::Num(r.mul(&super::val::half_rat()))));
                }
            }
        }
        Ok(Term::pow(t.clone(), half()))
    }
}
