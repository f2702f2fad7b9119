//! Vectors and matrices as combinations of atoms with scalar coefficients.
//!
//! A vector is `Σₖ cₖ·vₖ` over vector atoms vₖ; a matrix is
//! `c·I + Σ cᵢⱼ·vᵢ vⱼᵀ + Σ cₘ·Mₘ` over vector atoms and matrix atoms.
//!
//! Invariant (soundness): two combinations are *proved* equal only when the
//! coefficient of every basis element (atom, outer pair, matrix atom) has an
//! exact zero difference. Equal coefficients imply equal values for every
//! dimension and every value of the atoms, so this never proves a false
//! identity; it may miss identities that depend on relations between atoms
//! (e.g. n = 1), which the numeric judge then decides.

use std::collections::BTreeMap;

use crate::term::Term;

/// `Σₖ cₖ·vₖ`: vector atom index → coefficient. A covector is a `Lin` too
/// (its kind is kept by the caller).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lin(pub BTreeMap<usize, Term>);

impl Lin {
    /// The single atom `v` with coefficient 1.
    pub fn atom(v: usize) -> Lin {
        Lin(BTreeMap::from([(v, Term::int(1))]))
    }
    /// `a + b`.
    pub fn add(&self, b: &Lin) -> Lin {
        let mut out = self.0.clone();
        for (k, c) in &b.0 {
            let e = out.remove(k);
            out.insert(*k, plus(e, c.clone()));
        }
        Lin(out)
    }
    /// `c·a`.
    pub fn scale(&self, c: &Term) -> Lin {
        Lin(self
            .0
            .iter()
            .map(|(k, v)| (*k, Term::mul(c.clone(), v.clone())))
            .collect())
    }
    /// `−a`.
    pub fn neg(&self) -> Lin {
        self.scale(&Term::int(-1))
    }
    /// Applies `f` to every coefficient.
    pub fn map(&self, mut f: impl FnMut(&Term) -> Term) -> Lin {
        Lin(self.0.iter().map(|(k, v)| (*k, f(v))).collect())
    }
}

fn plus(a: Option<Term>, b: Term) -> Term {
    match a {
        Some(a) => Term::add(a, b),
        None => b,
    }
}

/// `c·I + Σ cᵢⱼ·vᵢ vⱼᵀ + Σ cₘ·Mₘ`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mat {
    /// Coefficient of the identity.
    pub id: Option<Term>,
    /// (i, j) → coefficient of vᵢ vⱼᵀ.
    pub outer: BTreeMap<(usize, usize), Term>,
    /// matrix atom → coefficient.
    pub atoms: BTreeMap<usize, Term>,
}

impl Mat {
    /// `c·I`.
    pub fn identity(c: Term) -> Mat {
        Mat {
            id: Some(c),
            ..Mat::default()
        }
    }
    /// The matrix atom `m`.
    pub fn atom(m: usize) -> Mat {
        Mat {
            atoms: BTreeMap::from([(m, Term::int(1))]),
            ..Mat::default()
        }
    }
    /// `u vᵀ`.
    pub fn outer(u: &Lin, v: &Lin) -> Mat {
        let mut out: BTreeMap<(usize, usize), Term> = BTreeMap::new();
        for (i, a) in &u.0 {
            for (j, b) in &v.0 {
                let e = out.remove(&(*i, *j));
                out.insert((*i, *j), plus(e, Term::mul(a.clone(), b.clone())));
            }
        }
        Mat {
            outer: out,
            ..Mat::default()
        }
    }
    /// `a + b`.
    pub fn add(&self, b: &Mat) -> Mat {
        let id = match (&self.id, &b.id) {
            (Some(x), Some(y)) => Some(Term::add(x.clone(), y.clone())),
            (x, y) => x.clone().or_else(|| y.clone()),
        };
        let mut outer = self.outer.clone();
        for (k, c) in &b.outer {
            let e = outer.remove(k);
            outer.insert(*k, plus(e, c.clone()));
        }
        let mut atoms = self.atoms.clone();
        for (k, c) in &b.atoms {
            let e = atoms.remove(k);
            atoms.insert(*k, plus(e, c.clone()));
        }
        Mat { id, outer, atoms }
    }
    /// Applies `f` to every coefficient.
    pub fn map(&self, mut f: impl FnMut(&Term) -> Term) -> Mat {
        Mat {
            id: self.id.as_ref().map(&mut f),
            outer: self.outer.iter().map(|(k, v)| (*k, f(v))).collect(),
            atoms: self.atoms.iter().map(|(k, v)| (*k, f(v))).collect(),
        }
    }
    /// `c·a`.
    pub fn scale(&self, c: &Term) -> Mat {
        self.map(|v| Term::mul(c.clone(), v.clone()))
    }
    /// Every coefficient, keyed by its basis element, for comparisons.
    pub fn coefficients(&self) -> Vec<(Basis, Term)> {
        let mut out = Vec::new();
        if let Some(c) = &self.id {
            out.push((Basis::Identity, c.clone()));
        }
        for (k, c) in &self.outer {
            out.push((Basis::Outer(k.0, k.1), c.clone()));
        }
        for (k, c) in &self.atoms {
            out.push((Basis::Atom(*k), c.clone()));
        }
        out
    }
}

/// A basis element of the matrix representation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// I.
    Identity,
    /// vᵢ vⱼᵀ.
    Outer(usize, usize),
    /// A matrix atom.
    Atom(usize),
}
