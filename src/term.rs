//! The scalar term language shared by the symbolic judge and the engine.
//!
//! A [`Term`] is a scalar expression over opaque symbols and opaque function
//! applications. It is the only currency that crosses the engine boundary:
//! the symbolic judge builds terms, the engine normalises them with the
//! computer-algebra backend and hands terms back.
//!
//! Invariants:
//! - names are opaque strings chosen by the caller; the engine never
//!   interprets them (no function is "known" to it: `exp`, `abs`, `L'` are
//!   all uninterpreted), so no rewrite that needs a side condition can happen
//!   behind the caller's back;
//! - numbers are exact rationals, kept in lowest terms with a positive
//!   denominator;
//! - the derived `Ord` is a total, process-independent order: [`Term::sorted`]
//!   uses it so that printed forms never depend on the backend's internal
//!   symbol numbering.

pub use crate::rat::Rat;

/// A scalar expression. See the module docs for the invariants.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    /// An exact rational constant.
    Num(Rat),
    /// An opaque scalar symbol.
    Sym(String),
    /// A sum of at least two terms.
    Add(Vec<Term>),
    /// A product of at least two terms.
    Mul(Vec<Term>),
    /// `base ^ exponent`.
    Pow(Box<Term>, Box<Term>),
    /// An uninterpreted function applied to arguments.
    Fun(String, Vec<Term>),
}

// These build trees; they are not arithmetic on values, so they are not the
// std::ops traits.
#[allow(clippy::should_implement_trait)]
impl Term {
    /// The integer constant `n`.
    pub fn int(n: i128) -> Term {
        Term::Num(Rat::int(n))
    }
    /// A symbol.
    pub fn sym(name: &str) -> Term {
        Term::Sym(name.to_string())
    }
    /// `a + b`.
    pub fn add(a: Term, b: Term) -> Term {
        Term::Add(vec![a, b])
    }
    /// `a - b`.
    pub fn sub(a: Term, b: Term) -> Term {
        Term::Add(vec![a, Term::neg(b)])
    }
    /// `a * b`.
    pub fn mul(a: Term, b: Term) -> Term {
        Term::Mul(vec![a, b])
    }
    /// `-a`.
    pub fn neg(a: Term) -> Term {
        Term::Mul(vec![Term::int(-1), a])
    }
    /// `a / b`.
    pub fn div(a: Term, b: Term) -> Term {
        Term::Mul(vec![a, Term::pow(b, Term::int(-1))])
    }
    /// `a ^ b`.
    pub fn pow(a: Term, b: Term) -> Term {
        Term::Pow(Box::new(a), Box::new(b))
    }
    /// An uninterpreted function application.
    pub fn fun(name: &str, args: Vec<Term>) -> Term {
        Term::Fun(name.to_string(), args)
    }
    /// True when this is the constant zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, Term::Num(r) if r.is_zero())
    }

    /// The same term with the operands of every sum and product sorted by
    /// the derived order, so that equal normal forms print identically in
    /// every process.
    pub fn sorted(&self) -> Term {
        match self {
            Term::Num(_) | Term::Sym(_) => self.clone(),
            Term::Add(v) => {
                let mut v: Vec<Term> = v.iter().map(Term::sorted).collect();
                v.sort();
                Term::Add(v)
            }
            Term::Mul(v) => {
                let mut v: Vec<Term> = v.iter().map(Term::sorted).collect();
                v.sort();
                Term::Mul(v)
            }
            Term::Pow(a, b) => Term::pow(a.sorted(), b.sorted()),
            Term::Fun(f, args) => Term::Fun(f.clone(), args.iter().map(Term::sorted).collect()),
        }
    }
}
