//! Every real root of a scalar equation `d(x) = 0`, exactly.
//!
//! `d` is normalised and factored over ℚ (parameters included). A factor
//! free of x must be non-zero (its sign from the declared domains, or an
//! explicit "assuming … ≠ 0" line); a factor with a negative exponent is a
//! denominator, whose zeros are excluded; every other factor must be a
//! polynomial in x of degree 1 (root −c₀/c₁) or 2 (roots
//! (−c₁ ± √D)/(2c₂), D = c₁² − 4c₂c₀, real when D ≥ 0 follows from the
//! declared domains, none when D < 0 does). Roots outside x's declared
//! domain are dropped; where membership does not follow from the declared
//! signs the step is not decided.
//!
//! Invariant: the returned set is complete (no real root in the domain is
//! missing, up to the conditions stated in the lines) and every member is
//! verified by substituting it back into `d` and normalising to 0.

use std::cmp::Ordering;

use super::calculus::deriv;
use super::signs::Sign;
use super::solve::{domain_ends, factor_list, mentions};
use super::subst::{Rules, Sigma};
use super::val::Val;
use super::{eng_err, Ctx, Res};
use crate::rat::Rat;
use crate::sema::hir::{Domain, RelOp};
use crate::term::Term;

/// Highest degree in x of a factor that is solved exactly.
const MAX_DEGREE: usize = 2;

/// The real roots of a scalar equation in the unknown's domain.
pub struct Roots {
    /// Distinct roots, in ascending order where the declared signs order
    /// them, otherwise in the order of the factors.
    pub roots: Vec<Term>,
    /// Conditions and facts used, for the report.
    pub lines: Vec<String>,
}

impl Ctx<'_> {
    /// Every real root of `d = 0` for the scalar unknown `var` (see the
    /// module docs); an error names what could not be decided.
    pub fn scalar_roots(&mut self, d: &Term, var: &str, rules: &Rules) -> Res<Roots> {
        let x = self.var_scalar(var);
        let Term::Sym(s) = &x else {
            return Err("a scalar equation".into());
        };
        let name = self.var_text_of(var);
        let d = self.eng.normalize(&rules.apply(d)).map_err(eng_err)?;
        if d.is_zero() {
            return Err(format!("an equation that holds for every {name}"));
        }
        let f = self.eng.factor(&d).map_err(eng_err)?;
        let mut lines = Vec::new();
        let mut found: Vec<Term> = Vec::new();
        let mut dens: Vec<Term> = Vec::new();
        for (base, exp) in factor_list(&f) {
            if !mentions(&base, s) && !self.hides(&base, s) {
                self.nonzero(&base, &mut lines)?;
                continue;
            }
            if exp < 0 {
                dens.push(base);
                continue;
            }
            let c = self.coefficients(&base, s, &name)?;
            let shown = self.show_t(&base);
            match c.len() - 1 {
                1 => {
                    self.nonzero(&c[1], &mut lines)?;
                    found.push(self.nf(&Term::neg(Term::div(c[0].clone(), c[1].clone())))?);
                }
                2 => {
                    self.nonzero(&c[2], &mut lines)?;
                    let disc = self.nf(&Term::sub(
                        Term::pow(c[1].clone(), Term::int(2)),
                        Term::mul(Term::int(4), Term::mul(c[2].clone(), c[0].clone())),
                    ))?;
                    let sd = self.sign(&disc);
                    if sd == Sign::Neg {
                        lines.push(format!(
                            "{shown} = 0 has no real root: its discriminant {} is negative",
                            self.show_t(&disc)
                        ));
                        continue;
                    }
                    if !sd.nonneg() {
                        return Err(format!(
                            "deciding whether {shown} = 0 has real roots: the sign of its discriminant {} does not follow from the declared domains",
                            self.show_t(&disc)
                        ));
                    }
                    let root = self.square_root(&disc)?;
                    let two_a = Term::mul(Term::int(2), c[2].clone());
                    for sgn in [-1, 1] {
                        let num = Term::add(
                            Term::neg(c[1].clone()),
                            Term::mul(Term::int(sgn), root.clone()),
                        );
                        found.push(self.nf(&Term::div(num, two_a.clone()))?);
                    }
                }
                k => {
                    return Err(format!(
                        "the roots of {shown}, of degree {k} in {name} (only degrees 1 and 2 are solved)"
                    ))
                }
            }
        }
        // Distinct, in the domain, not poles, and verified.
        let domain = self
            .scope
            .var(var)
            .map(|v| v.domain.clone())
            .unwrap_or(Domain::Any);
        let mut roots: Vec<Term> = Vec::new();
        for r in found {
            if self.contains(&roots, &r)? {
                continue;
            }
            if !self.in_domain(&r, &domain, &name)? {
                lines.push(format!(
                    "{name} = {} is outside the domain of {name}",
                    self.show_t(&r)
                ));
                continue;
            }
            if self.is_pole(&dens, var, &r, &mut lines)? {
                lines.push(format!(
                    "{name} = {} is excluded: a denominator vanishes there",
                    self.show_t(&r)
                ));
                continue;
            }
            let back = self.at(&d, var, &r)?;
            if !back.is_zero() && !self.zero_with_radicals(&back)? {
                return Err(format!(
                    "verifying the root {name} = {} by substitution",
                    self.show_t(&r)
                ));
            }
            roots.push(r);
        }
        self.ascending(&mut roots);
        Ok(Roots { roots, lines })
    }

    /// √t with square factors of its numeric coefficient taken out
    /// (√(4a) = 2√a, √8 = 2√2); t ≥ 0 is the caller's to establish.
    fn square_root(&mut self, t: &Term) -> Res<Term> {
        let (coef, rest): (Rat, Vec<Term>) = match t {
            Term::Num(r) => (r.clone(), Vec::new()),
            Term::Mul(v) => match v.split_first() {
                Some((Term::Num(r), rest)) => (r.clone(), rest.to_vec()),
                _ => (Rat::int(1), v.clone()),
            },
            _ => (Rat::int(1), vec![t.clone()]),
        };
        if !coef.is_pos() {
            return self.sqrt(t);
        }
        // √(p/q) = √(p·q)/q, then p·q = out²·inside.
        let (Some(num), Some(den)) = (
            i128::try_from(coef.numer()).ok(),
            i128::try_from(coef.denom()).ok(),
        ) else {
            return self.sqrt(t);
        };
        let (out, inside) = match num.checked_mul(den) {
            Some(pq) => square_part(pq),
            None => return self.sqrt(t),
        };
        let mut under = rest;
        if inside != 1 {
            under.insert(0, Term::int(inside));
        }
        let root = match under.len() {
            0 => Term::int(1),
            1 => self.sqrt(&under[0])?,
            _ => self.sqrt(&Term::Mul(under))?,
        };
        self.nf(&Term::mul(Term::div(Term::int(out), Term::int(den)), root))
    }

    /// Whether `t`, which may contain square roots of one radicand b, is 0:
    /// it is expanded and normalised; if that is not 0,
    /// √b becomes a symbol r, the numerator is expanded, r² becomes b, and
    /// both coefficients of the result A + B·r must normalise to 0 (a
    /// sufficient condition). False when there is no radical or several.
    pub fn zero_with_radicals(&mut self, t: &Term) -> Res<bool> {
        // The backend keeps (√b)² = b as a sum in parentheses: expand first.
        let expanded = self.eng.expand(t).map_err(eng_err)?;
        if self.nf(&expanded)?.is_zero() {
            return Ok(true);
        }
        let mut bases = Vec::new();
        radicands(t, &mut bases);
        let [b] = bases.as_slice() else {
            return Ok(false);
        };
        let b = b.clone();
        let r = "__radical";
        let with_r = self.nf(&lift(t, &b, r))?;
        let num = match &with_r {
            Term::Mul(v) => Term::Mul(
                v.iter()
                    .filter(|f| !matches!(f, Term::Pow(_, e) if matches!(e.as_ref(), Term::Num(q) if q.is_neg())))
                    .cloned()
                    .collect(),
            ),
            other => other.clone(),
        };
        let expanded = self.eng.expand(&num).map_err(eng_err)?;
        let reduced = self.nf(&reduce(&expanded, &b, r))?;
        let coef = self.nf(&deriv(&reduced, r)?)?;
        let rest = self.nf(&replace(&reduced, r, &Term::int(0)))?;
        Ok(coef.is_zero() && rest.is_zero())
    }

    /// Removes the roots at which a denominator of the equation as written
    /// (`raw`, before normalisation cancelled common factors) vanishes:
    /// (x − 1)²/(x − 1) = 0 has no solution. Adds "assuming … ≠ 0" where a
    /// denominator's value at a root has no known sign.
    pub fn drop_poles(
        &mut self,
        roots: Vec<Term>,
        raw: &Term,
        var: &str,
        rules: &Rules,
        lines: &mut Vec<String>,
    ) -> Res<Vec<Term>> {
        let x = self.var_scalar(var);
        let Term::Sym(s) = &x else {
            return Ok(roots);
        };
        let mut dens = Vec::new();
        denominators(&rules.apply(raw), &mut dens);
        dens.retain(|d| mentions(d, s) || self.hides(d, s));
        let name = self.var_text_of(var);
        let mut kept = Vec::new();
        for r in roots {
            if self.is_pole(&dens, var, &r, lines)? {
                lines.push(format!(
                    "{name} = {} is excluded: a denominator of the equation vanishes there",
                    self.show_t(&r)
                ));
            } else {
                kept.push(r);
            }
        }
        Ok(kept)
    }

    /// Whether one of the denominators `dens` vanishes at `var = r`; adds
    /// "assuming … ≠ 0" for a denominator whose value there has no known
    /// sign.
    fn is_pole(
        &mut self,
        dens: &[Term],
        var: &str,
        r: &Term,
        lines: &mut Vec<String>,
    ) -> Res<bool> {
        let mut pole = false;
        for den in dens {
            let at = self.at(den, var, r)?;
            if at.is_zero() {
                pole = true;
            } else if !matches!(self.sign(&at), Sign::Pos | Sign::Neg) {
                let line = format!("assuming {} ≠ 0", self.show_t(&at));
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        Ok(pole)
    }

    /// `t` with square factors taken out of every square root
    /// (√(4a) = 2√a), normalised.
    pub fn canon_radicals(&mut self, t: &Term) -> Res<Term> {
        let out = match t {
            Term::Pow(b, e) if matches!(e.as_ref(), Term::Num(q) if *q == Rat::new(1, 2).unwrap_or(Rat::int(0))) =>
            {
                let b = self.canon_radicals(b)?;
                if self.sign(&b).nonneg() {
                    self.square_root(&b)?
                } else {
                    Term::pow(b, (**e).clone())
                }
            }
            Term::Pow(b, e) => Term::pow(self.canon_radicals(b)?, (**e).clone()),
            Term::Add(v) => Term::Add(
                v.iter()
                    .map(|x| self.canon_radicals(x))
                    .collect::<Res<Vec<_>>>()?,
            ),
            Term::Mul(v) => Term::Mul(
                v.iter()
                    .map(|x| self.canon_radicals(x))
                    .collect::<Res<Vec<_>>>()?,
            ),
            other => other.clone(),
        };
        self.nf(&out)
    }

    /// Whether `r` equals (exactly) one of `set`.
    pub fn contains(&mut self, set: &[Term], r: &Term) -> Res<bool> {
        for q in set {
            if self.nf(&Term::sub(q.clone(), r.clone()))?.is_zero() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn nf(&mut self, t: &Term) -> Res<Term> {
        self.eng.normalize(t).map_err(eng_err)
    }

    /// `t` with the unknown replaced by `r`, normalised.
    fn at(&mut self, t: &Term, var: &str, r: &Term) -> Res<Term> {
        let mut sigma = Sigma::new();
        sigma.insert(var.to_string(), Val::S(r.clone()));
        match self.subst(&Val::S(t.clone()), &sigma)? {
            Val::S(v) => self.nf(&v),
            _ => Err("a scalar equation".into()),
        }
    }

    /// Records that `c` must be non-zero: nothing when its sign is known,
    /// an "assuming c ≠ 0" line otherwise; an error when it is zero.
    fn nonzero(&self, c: &Term, lines: &mut Vec<String>) -> Res<()> {
        match self.sign(c) {
            Sign::Pos | Sign::Neg => Ok(()),
            Sign::Zero => Err(format!(
                "an equation with the factor {} = 0",
                self.show_t(c)
            )),
            _ => {
                let line = format!("assuming {} ≠ 0", self.show_t(c));
                if !lines.contains(&line) {
                    lines.push(line);
                }
                Ok(())
            }
        }
    }

    /// c₀ … c_k of a polynomial factor in the symbol `s`; an error when the
    /// factor is not a polynomial of degree ≤ [`MAX_DEGREE`] + 1 (degree 3
    /// is reported by the caller with its degree).
    fn coefficients(&mut self, base: &Term, s: &str, name: &str) -> Res<Vec<Term>> {
        let mut derivs = vec![base.clone()];
        loop {
            let last = derivs.last().cloned().unwrap_or(Term::int(0));
            let next = self.nf(&deriv(&last, s)?)?;
            if next.is_zero() {
                if mentions(&last, s) || self.hides(&last, s) {
                    break;
                }
                let mut out = Vec::new();
                let mut fact: i128 = 1;
                for (k, dk) in derivs.iter().enumerate() {
                    if k > 0 {
                        fact *= k as i128;
                    }
                    let v = match self.at_zero(dk, s)? {
                        Some(v) => v,
                        None => break,
                    };
                    out.push(self.nf(&Term::div(v, Term::Num(Rat::int(fact))))?);
                }
                if out.len() == derivs.len() {
                    return Ok(out);
                }
                break;
            }
            derivs.push(next);
            if derivs.len() > MAX_DEGREE + 2 {
                break;
            }
        }
        if derivs.len() > MAX_DEGREE + 2 {
            if let Some(k) = self.degree_hint(base, s)? {
                return Err(format!(
                    "the roots of {}, of degree {k} in {name} (only degrees 1 and 2 are solved)",
                    self.show_t(base)
                ));
            }
        }
        Err(format!(
            "an equation that is not polynomial in {name}: {}",
            self.show_t(base)
        ))
    }

    /// `t` at s = 0, or `None` when that is undefined.
    fn at_zero(&mut self, t: &Term, s: &str) -> Res<Option<Term>> {
        let z = replace(t, s, &Term::int(0));
        Ok(self.eng.normalize(&z).ok())
    }

    /// The degree of a polynomial factor of degree above 2 (for the message).
    fn degree_hint(&mut self, base: &Term, s: &str) -> Res<Option<usize>> {
        let mut t = base.clone();
        for k in 0..16 {
            let next = self.nf(&deriv(&t, s)?)?;
            if next.is_zero() {
                return Ok((!(mentions(&t, s) || self.hides(&t, s))).then_some(k));
            }
            t = next;
        }
        Ok(None)
    }

    /// Whether `r` lies in `domain`; an error when the declared signs do not
    /// decide it.
    fn in_domain(&mut self, r: &Term, domain: &Domain, name: &str) -> Res<bool> {
        if let Domain::Cmp(RelOp::Ne, c) = domain {
            let d = self.nf(&Term::sub(r.clone(), Term::Num(c.clone())))?;
            return match self.sign(&d) {
                Sign::Pos | Sign::Neg => Ok(true),
                _ if d.is_zero() => Ok(false),
                _ => Err(self.membership(r, name)),
            };
        }
        let (lo, hi) = domain_ends(domain);
        for (end, above) in [(lo, true), (hi, false)] {
            let Some(end) = end else { continue };
            let d = self.nf(&Term::sub(r.clone(), end.at.clone()))?;
            let ord = match self.sign(&d) {
                Sign::Pos => Ordering::Greater,
                Sign::Neg => Ordering::Less,
                _ if d.is_zero() => Ordering::Equal,
                Sign::Zero => Ordering::Equal,
                _ => return Err(self.membership(r, name)),
            };
            let ok = match ord {
                Ordering::Equal => end.closed,
                Ordering::Greater => above,
                Ordering::Less => !above,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn membership(&self, r: &Term, name: &str) -> String {
        format!(
            "deciding whether the root {} lies in the domain of {name}: declare the signs that settle it",
            self.show_t(r)
        )
    }

    /// Sorts ascending when every pair is ordered by the declared signs;
    /// otherwise leaves the order as it is.
    fn ascending(&mut self, roots: &mut [Term]) {
        let n = roots.len();
        let mut sorted = roots.to_vec();
        for i in 1..n {
            let mut j = i;
            while j > 0 {
                let d = match self.nf(&Term::sub(sorted[j - 1].clone(), sorted[j].clone())) {
                    Ok(d) => d,
                    Err(_) => return,
                };
                match self.sign(&d) {
                    Sign::Pos => {
                        sorted.swap(j - 1, j);
                        j -= 1;
                    }
                    Sign::Neg => break,
                    _ => return,
                }
            }
        }
        roots.clone_from_slice(&sorted);
    }
}

/// `t` with the symbol `s` replaced by `by`.
fn replace(t: &Term, s: &str, by: &Term) -> Term {
    match t {
        Term::Sym(x) if x == s => by.clone(),
        Term::Num(_) | Term::Sym(_) => t.clone(),
        Term::Add(v) => Term::Add(v.iter().map(|x| replace(x, s, by)).collect()),
        Term::Mul(v) => Term::Mul(v.iter().map(|x| replace(x, s, by)).collect()),
        Term::Pow(b, e) => Term::Pow(Box::new(replace(b, s, by)), Box::new(replace(e, s, by))),
        Term::Fun(f, args) => {
            Term::Fun(f.clone(), args.iter().map(|x| replace(x, s, by)).collect())
        }
    }
}

/// `n = out² · inside` with `out` as large as trial division up to 10⁶
/// finds (n > 0).
fn square_part(n: i128) -> (i128, i128) {
    let mut out = 1;
    let mut inside = n;
    let mut k: i128 = 2;
    while k <= 1_000_000 && k * k <= inside {
        while inside % (k * k) == 0 {
            inside /= k * k;
            out *= k;
        }
        k += 1;
    }
    (out, inside)
}

fn is_half(e: &Term) -> bool {
    matches!(e, Term::Num(q) if *q.denom() == 2.into())
}

/// The distinct radicands b of the powers b^(k/2) in `t`.
fn radicands(t: &Term, out: &mut Vec<Term>) {
    match t {
        Term::Pow(b, e) if is_half(e) => {
            if !out.contains(b) {
                out.push((**b).clone());
            }
            radicands(b, out);
        }
        Term::Pow(b, e) => {
            radicands(b, out);
            radicands(e, out);
        }
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => v.iter().for_each(|x| radicands(x, out)),
        Term::Num(_) | Term::Sym(_) => {}
    }
}

/// `t` with every b^(k/2) written as r^k (r stands for √b).
fn lift(t: &Term, b: &Term, r: &str) -> Term {
    match t {
        Term::Pow(base, e) if is_half(e) && **base == *b => {
            let Term::Num(q) = e.as_ref() else {
                return t.clone();
            };
            Term::pow(Term::sym(r), Term::Num(q.mul(&Rat::int(2))))
        }
        Term::Pow(base, e) => Term::pow(lift(base, b, r), lift(e, b, r)),
        Term::Add(v) => Term::Add(v.iter().map(|x| lift(x, b, r)).collect()),
        Term::Mul(v) => Term::Mul(v.iter().map(|x| lift(x, b, r)).collect()),
        Term::Fun(f, v) => Term::Fun(f.clone(), v.iter().map(|x| lift(x, b, r)).collect()),
        Term::Num(_) | Term::Sym(_) => t.clone(),
    }
}

/// An expanded polynomial in r with r² replaced by b: r^k becomes
/// b^(k/2) (k even) or b^((k−1)/2)·r (k odd).
fn reduce(t: &Term, b: &Term, r: &str) -> Term {
    match t {
        Term::Pow(base, e) if matches!(base.as_ref(), Term::Sym(x) if x == r) => match e.as_ref() {
            Term::Num(q) if q.to_i128().is_some_and(|k| k >= 0) => {
                let k = q.to_i128().unwrap_or(0);
                let even = Term::pow(b.clone(), Term::int(k / 2));
                if k % 2 == 0 {
                    even
                } else {
                    Term::mul(even, Term::sym(r))
                }
            }
            _ => t.clone(),
        },
        Term::Add(v) => Term::Add(v.iter().map(|x| reduce(x, b, r)).collect()),
        Term::Mul(v) => Term::Mul(v.iter().map(|x| reduce(x, b, r)).collect()),
        _ => t.clone(),
    }
}

/// The bases b of every power b^k with k < 0 in `t` (denominators).
fn denominators(t: &Term, out: &mut Vec<Term>) {
    match t {
        Term::Pow(b, e) => {
            if matches!(e.as_ref(), Term::Num(q) if q.is_neg()) && !out.contains(b) {
                out.push((**b).clone());
            }
            denominators(b, out);
            denominators(e, out);
        }
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => {
            v.iter().for_each(|x| denominators(x, out))
        }
        Term::Num(_) | Term::Sym(_) => {}
    }
}

/// Whether `t` is a rational function of its symbols: no fractional powers,
/// no function applications. For such terms a non-zero normal form means
/// "not identically zero".
pub fn plain(t: &Term) -> bool {
    match t {
        Term::Num(_) | Term::Sym(_) => true,
        Term::Add(v) | Term::Mul(v) => v.iter().all(plain),
        Term::Pow(b, e) => matches!(e.as_ref(), Term::Num(q) if q.is_int()) && plain(b),
        Term::Fun(..) => false,
    }
}
