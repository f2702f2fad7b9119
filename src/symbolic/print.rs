//! Prints symbolic values the way they are written on paper.
//!
//! Invariant: printing is a pure function of the value, the atom registry
//! and the scope (declared spellings), so it is deterministic.

use super::atoms::{Arg, MAtom, SAtom, VAtom};
use super::lin::{Lin, Mat};
use super::val::Val;
use super::Ctx;
use crate::rat::Rat;
use crate::sema::hir::NormP;
use crate::term::Term;

const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

fn superscript(n: i128) -> String {
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for d in n.unsigned_abs().to_string().bytes() {
        s.push(SUP[(d - b'0') as usize]);
    }
    s
}

fn norm_sub(p: NormP) -> &'static str {
    match p {
        NormP::One => "₁",
        NormP::Two => "",
        NormP::Inf => "∞",
    }
}

impl Ctx<'_> {
    fn var_text(&self, key: &str) -> String {
        self.scope
            .var(key)
            .map_or_else(|| key.to_string(), |v| v.text.clone())
    }

    fn fn_text(&self, key: &str) -> String {
        self.scope
            .func(key)
            .map_or_else(|| key.to_string(), |f| f.text.clone())
    }

    /// A value, printed.
    pub fn show(&self, v: &Val) -> String {
        match v {
            Val::S(t) => self.show_t(t),
            Val::V(l) => self.show_l(l),
            Val::C(l) => {
                let s = self.show_l(l);
                if l.0.len() == 1 && !s.contains(' ') {
                    format!("{s}ᵀ")
                } else {
                    format!("({s})ᵀ")
                }
            }
            Val::M(m) => self.show_m(m),
        }
    }

    /// A combination of vectors, printed.
    pub fn show_l(&self, l: &Lin) -> String {
        let items: Vec<(Term, String)> =
            l.0.iter()
                .filter(|(_, c)| !c.is_zero())
                .map(|(k, c)| (c.clone(), self.show_v(*k)))
                .collect();
        self.show_combination(items)
    }

    fn show_m(&self, m: &Mat) -> String {
        let mut items = Vec::new();
        if let Some(c) = &m.id {
            items.push((c.clone(), "I".to_string()));
        }
        for ((i, j), c) in &m.outer {
            items.push((
                c.clone(),
                format!("{} {}ᵀ", self.show_v(*i), self.show_v(*j)),
            ));
        }
        for (a, c) in &m.atoms {
            items.push((c.clone(), self.show_matom(*a)));
        }
        let items = items.into_iter().filter(|(c, _)| !c.is_zero()).collect();
        self.show_combination(items)
    }

    fn show_combination(&self, items: Vec<(Term, String)>) -> String {
        if items.is_empty() {
            return "0".into();
        }
        let mut out = String::new();
        for (i, (c, basis)) in items.iter().enumerate() {
            let (neg, c) = split_sign(&Self::tidy(c));
            if i > 0 {
                out.push_str(if neg { " − " } else { " + " });
            } else if neg {
                out.push('−');
            }
            match &c {
                Term::Add(_) => {
                    out.push_str(&self.show_prec(&c, 3));
                    out.push(' ');
                    out.push_str(basis);
                }
                Term::Mul(fs) => {
                    let (num, den) = self.split_mul(fs);
                    if num != "1" {
                        out.push_str(&num);
                        out.push(' ');
                    }
                    out.push_str(basis);
                    if let Some(d) = den {
                        out.push('/');
                        out.push_str(&d);
                    }
                }
                Term::Pow(..) => {
                    let (num, den) = self.split_mul(std::slice::from_ref(&c));
                    if num != "1" {
                        out.push_str(&num);
                        out.push(' ');
                    }
                    out.push_str(basis);
                    if let Some(d) = den {
                        out.push('/');
                        out.push_str(&d);
                    }
                }
                _ if c == Term::int(1) => out.push_str(basis),
                _ => {
                    out.push_str(&self.show_prec(&c, 3));
                    out.push(' ');
                    out.push_str(basis);
                }
            }
        }
        out
    }

    fn show_v(&self, i: usize) -> String {
        match &self.atoms.vectors[i] {
            VAtom::Var(k) => self.var_text(k),
            VAtom::Sign(l) => format!("sign({})", self.show_l(l)),
            VAtom::Abs(l) => format!("|{}|", self.show_l(l)),
            VAtom::GradFn(f, args) => format!("∇{}({})", self.fn_text(f), self.show_args(args)),
            VAtom::MatVec(m, v) => format!("{} {}", self.show_matom(*m), self.show_v(*v)),
        }
    }

    fn show_matom(&self, m: usize) -> String {
        match &self.atoms.matrices[m] {
            MAtom::Var(k) => self.var_text(k),
            MAtom::HessFn(f, args) => format!("∇²{}({})", self.fn_text(f), self.show_args(args)),
            MAtom::Transposed(a) => format!("{}ᵀ", self.show_matom(*a)),
        }
    }

    fn show_args(&self, args: &[Arg]) -> String {
        args.iter()
            .map(|a| match a {
                Arg::S(t) => self.show_t(t),
                Arg::V(l) => self.show_l(l),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A scalar term, printed.
    pub fn show_t(&self, t: &Term) -> String {
        self.show_prec(t, 0)
    }

    /// −(a − b) is printed as (b − a): a product of −1 and one sum
    /// becomes the negated sum.
    fn tidy(t: &Term) -> Term {
        if let Term::Mul(fs) = t {
            if fs.len() == 2 && fs[0] == Term::int(-1) {
                if let Term::Add(ts) = &fs[1] {
                    return Term::Add(
                        ts.iter()
                            .map(|x| Term::neg(x.clone()))
                            .map(|x| simplify_neg(&x))
                            .collect(),
                    );
                }
            }
        }
        t.clone()
    }

    /// Precedences: 0 sum, 2 product, 3 power base, 4 atom.
    fn show_prec(&self, t: &Term, ctx: u8) -> String {
        let t = &Self::tidy(t);
        let (s, own) = match t {
            Term::Num(r) => (r.to_string(), if r.is_neg() || !r.is_int() { 1 } else { 4 }),
            Term::Sym(s) => (self.show_sym(s), 4),
            Term::Add(v) => {
                let mut out = String::new();
                for (i, x) in v.iter().enumerate() {
                    let (neg, x) = split_sign(x);
                    if i > 0 {
                        out.push_str(if neg { " − " } else { " + " });
                    } else if neg {
                        out.push('−');
                    }
                    out.push_str(&self.show_prec(&x, 1));
                }
                (out, 0)
            }
            Term::Mul(v) => (self.show_mul(v), 2),
            Term::Pow(b, e) => match e.as_ref() {
                Term::Num(r) if *r == super::val::half_rat() => {
                    (format!("√{}", self.show_prec(b, 4)), 3)
                }
                Term::Num(r) if r.is_int() && r.is_neg() => {
                    let inv = if *r == Rat::int(-1) {
                        (**b).clone()
                    } else {
                        Term::pow((**b).clone(), Term::Num(r.neg()))
                    };
                    (format!("1/{}", self.show_prec(&inv, 3)), 2)
                }
                Term::Num(r) if r.to_i128().is_some() => {
                    let k = r.to_i128().unwrap_or(1);
                    (format!("{}{}", self.show_prec(b, 4), superscript(k)), 3)
                }
                _ => (
                    format!("{}^{}", self.show_prec(b, 4), self.show_prec(e, 4)),
                    3,
                ),
            },
            Term::Fun(f, args) => {
                let a: Vec<String> = args.iter().map(|x| self.show_t(x)).collect();
                let a = a.join(", ");
                let s = match f.as_str() {
                    "abs" => format!("|{a}|"),
                    "sign" | "exp" | "log" => format!("{f}({a})"),
                    other => match other.strip_prefix("fn:").and_then(|r| r.rsplit_once(':')) {
                        Some((g, k)) => {
                            let k: usize = k.parse().unwrap_or(0);
                            format!("{}{}({a})", self.fn_text(g), "′".repeat(k))
                        }
                        None => format!("{other}({a})"),
                    },
                };
                (s, 4)
            }
        };
        if own < ctx {
            format!("({s})")
        } else {
            s
        }
    }

    fn show_mul(&self, v: &[Term]) -> String {
        let (num, den) = self.split_mul(v);
        match den {
            Some(d) => format!("{num}/{d}"),
            None => num,
        }
    }

    /// A product as (numerator, denominator): `2·α·λ`, `‖w‖³`.
    fn split_mul(&self, v: &[Term]) -> (String, Option<String>) {
        let mut coef = Rat::int(1);
        let mut num = Vec::new();
        let mut den = Vec::new();
        for f in v {
            match f {
                Term::Num(r) => {
                    coef = coef.mul(r);
                }
                Term::Pow(b, e) => match e.as_ref() {
                    Term::Num(r) if r.is_neg() => {
                        let pos = r.neg();
                        if pos.is_one() {
                            den.push((**b).clone());
                        } else {
                            den.push(Term::pow((**b).clone(), Term::Num(pos)));
                        }
                    }
                    _ => num.push(f.clone()),
                },
                _ => num.push(f.clone()),
            }
        }
        let mut s = String::new();
        if *coef.numer() == (-1).into() {
            s.push('−');
        } else if *coef.numer() != 1.into() {
            s.push_str(&coef.numer().to_string());
        }
        let body: Vec<String> = num.iter().map(|x| self.show_prec(x, 3)).collect();
        if !body.is_empty() {
            if !s.is_empty() && s != "−" {
                s.push('·');
            }
            s.push_str(&body.join("·"));
        } else if s.is_empty() || s == "−" {
            s.push('1');
        }
        if !coef.is_int() {
            let d = Rat::from_big(coef.denom().clone(), 1.into()).unwrap_or_else(Rat::one);
            den.insert(0, Term::Num(d));
        }
        let d = match den.len() {
            0 => None,
            1 => Some(self.show_prec(&den[0], 3)),
            _ => {
                let inner: Vec<String> = den.iter().map(|x| self.show_prec(x, 3)).collect();
                Some(format!("({})", inner.join("·")))
            }
        };
        (s, d)
    }

    fn show_sym(&self, s: &str) -> String {
        match self.atoms.satom(s) {
            Some(SAtom::Var(k)) => self.var_text(k),
            Some(SAtom::Gram(i, j)) => format!("⟨{}, {}⟩", self.show_v(*i), self.show_v(*j)),
            Some(SAtom::Norm(p, i)) => format!("‖{}‖{}", self.show_v(*i), norm_sub(*p)),
            Some(SAtom::NormOf(p, l)) => format!("‖{}‖{}", self.show_l(l), norm_sub(*p)),
            Some(SAtom::Apply(f, args)) => format!("{}({})", self.fn_text(f), self.show_args(args)),
            None => s.to_string(),
        }
    }
}

/// Splits a leading negative sign off a term: (true, −t) when t is "negative-looking".
fn split_sign(t: &Term) -> (bool, Term) {
    match t {
        Term::Num(r) if r.is_neg() => (true, Term::Num(r.neg())),
        Term::Mul(v) => match v
            .iter()
            .position(|f| matches!(f, Term::Num(r) if r.is_neg()))
        {
            Some(i) => {
                let mut v = v.clone();
                if let Term::Num(r) = &v[i] {
                    v[i] = Term::Num(r.neg());
                }
                v.retain(|f| *f != Term::int(1));
                let t = match v.len() {
                    0 => Term::int(1),
                    1 => v.remove(0),
                    _ => Term::Mul(v),
                };
                (true, t)
            }
            None => (false, t.clone()),
        },
        _ => (false, t.clone()),
    }
}

/// −1·(−1·x) → x and −1·n → −n, so that negating a sum's terms prints well.
fn simplify_neg(t: &Term) -> Term {
    match t {
        Term::Mul(v) if v.len() == 2 && v[0] == Term::int(-1) => match &v[1] {
            Term::Num(r) => Term::Num(r.neg()),
            Term::Mul(w) => {
                let mut w = w.clone();
                match w.iter().position(|f| matches!(f, Term::Num(_))) {
                    Some(i) => {
                        if let Term::Num(r) = &w[i] {
                            w[i] = Term::Num(r.neg());
                        }
                        w.retain(|f| *f != Term::int(1));
                        match w.len() {
                            0 => Term::int(1),
                            1 => w.remove(0),
                            _ => Term::Mul(w),
                        }
                    }
                    None => t.clone(),
                }
            }
            _ => t.clone(),
        },
        _ => t.clone(),
    }
}
