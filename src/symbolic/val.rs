//! Values of the symbolic representation and the algebra on them.
//!
//! Invariant: every operation here is an identity of real vector algebra
//! (bilinearity of ⟨·,·⟩, ‖v‖² = ⟨v, v⟩, (u vᵀ) w = ⟨v, w⟩ u, …) valid in
//! every dimension; conditional rewrites (|c| = c) go through `signs.rs`,
//! which uses only declared domains.

use super::atoms::{Arg, MAtom, SAtom, VAtom};
use super::lin::{Lin, Mat};
use super::{Ctx, Res};
use crate::rat::Rat;
use crate::sema::hir::NormP;
use crate::term::Term;

/// A lowered expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// A scalar.
    S(Term),
    /// A vector.
    V(Lin),
    /// A transposed vector.
    C(Lin),
    /// A matrix.
    M(Mat),
}

impl Val {
    /// Total number of term nodes in every coefficient (the budget's
    /// measure of size).
    pub fn size(&self) -> usize {
        let terms = |l: &Lin| l.0.values().map(crate::engine::size).sum::<usize>();
        match self {
            Val::S(t) => crate::engine::size(t),
            Val::V(l) | Val::C(l) => terms(l),
            Val::M(m) => {
                m.id.iter().map(crate::engine::size).sum::<usize>()
                    + m.outer.values().map(crate::engine::size).sum::<usize>()
                    + m.atoms.values().map(crate::engine::size).sum::<usize>()
            }
        }
    }
}

/// ½ as a term.
pub fn half() -> Term {
    Term::Num(half_rat())
}

/// ½.
pub fn half_rat() -> Rat {
    Rat::new(1, 2).unwrap_or_else(Rat::one)
}

impl Ctx<'_> {
    /// ⟨a, b⟩, expanded bilinearly into Gram atoms and squared norms.
    pub fn inner(&mut self, a: &Lin, b: &Lin) -> Res<Term> {
        let mut terms = Vec::new();
        for (i, ca) in &a.0 {
            for (j, cb) in &b.0 {
                let g = self.gram(*i, *j)?;
                terms.push(Term::Mul(vec![ca.clone(), cb.clone(), g]));
            }
        }
        Ok(sum(terms))
    }

    /// ⟨vᵢ, vⱼ⟩ of two atoms.
    pub fn gram(&mut self, i: usize, j: usize) -> Res<Term> {
        if i == j {
            let n = self.norm_atom(NormP::Two, i);
            return Ok(Term::pow(n, Term::int(2)));
        }
        // ⟨v, sign(v)⟩ = ‖v‖₁.
        for (x, y) in [(i, j), (j, i)] {
            if let VAtom::Sign(l) = &self.atoms.vectors[y] {
                if *l == Lin::atom(x) {
                    return Ok(self.norm_atom(NormP::One, x));
                }
            }
        }
        let (a, b) = (i.min(j), i.max(j));
        Ok(self
            .atoms
            .scalar(format!("gram:{a},{b}"), SAtom::Gram(a, b)))
    }

    /// ‖vᵢ‖ₚ of one atom.
    pub fn norm_atom(&mut self, p: NormP, i: usize) -> Term {
        self.atoms
            .scalar(format!("norm:{p:?}:{i}"), SAtom::Norm(p, i))
    }

    /// ‖v‖ₚ of a combination.
    pub fn norm(&mut self, p: NormP, v: &Lin) -> Res<Term> {
        let live: Vec<(&usize, &Term)> = v.0.iter().collect();
        if live.len() == 1 {
            let (i, c) = live[0];
            let (i, c) = (*i, c.clone());
            let a = self.abs(&c)?;
            let n = self.norm_atom(p, i);
            return Ok(Term::mul(a, n));
        }
        if live.is_empty() {
            return Ok(Term::int(0));
        }
        match p {
            NormP::Two => {
                let sq = self.inner(v, v)?;
                Ok(Term::pow(sq, half()))
            }
            _ => {
                let key = format!("normof:{p:?}:{}", self.canon(v)?);
                Ok(self.atoms.scalar(key, SAtom::NormOf(p, v.clone())))
            }
        }
    }

    /// An elementwise function (sign or |·|) of a vector, as an atom.
    pub fn elementwise(&mut self, abs: bool, v: &Lin) -> Res<Lin> {
        let key = format!("{}:{}", if abs { "abs" } else { "sign" }, self.canon(v)?);
        let atom = if abs {
            VAtom::Abs(v.clone())
        } else {
            VAtom::Sign(v.clone())
        };
        Ok(Lin::atom(self.atoms.vector(key, atom)))
    }

    /// The canonical key of function arguments.
    pub fn canon_args(&mut self, args: &[Arg]) -> Res<String> {
        let mut parts = Vec::new();
        for a in args {
            parts.push(match a {
                Arg::S(t) => format!("{:?}", self.eng.normalize(t).map_err(super::eng_err)?),
                Arg::V(l) => self.canon(l)?,
            });
        }
        Ok(parts.join(";"))
    }

    /// f(args) for a declared function with a vector argument.
    pub fn apply_atom(&mut self, f: &str, args: Vec<Arg>) -> Res<Term> {
        let key = format!("apply:{f}({})", self.canon_args(&args)?);
        Ok(self.atoms.scalar(key, SAtom::Apply(f.to_string(), args)))
    }

    /// ∇f(args) as a vector atom.
    pub fn gradfn(&mut self, f: &str, args: Vec<Arg>) -> Res<Lin> {
        let key = format!("gradfn:{f}({})", self.canon_args(&args)?);
        Ok(Lin::atom(
            self.atoms.vector(key, VAtom::GradFn(f.to_string(), args)),
        ))
    }

    /// ∇²f(args) as a matrix atom.
    pub fn hessfn(&mut self, f: &str, args: Vec<Arg>) -> Res<Mat> {
        let key = format!("hessfn:{f}({})", self.canon_args(&args)?);
        Ok(Mat::atom(
            self.atoms.matrix(key, MAtom::HessFn(f.to_string(), args)),
        ))
    }

    /// The canonical key of a combination: normalised coefficients.
    pub fn canon(&mut self, v: &Lin) -> Res<String> {
        let mut parts = Vec::new();
        for (k, c) in &v.0 {
            let n = self.eng.normalize(c).map_err(super::eng_err)?;
            if !n.is_zero() {
                parts.push(format!("{k}*{n:?}"));
            }
        }
        Ok(parts.join("+"))
    }

    /// M v.
    pub fn matvec(&mut self, m: &Mat, v: &Lin) -> Res<Lin> {
        let mut out = Lin::default();
        if let Some(c) = &m.id {
            out = out.add(&v.scale(c));
        }
        for ((i, j), c) in &m.outer {
            let ip = self.inner(&Lin::atom(*j), v)?;
            out = out.add(&Lin::atom(*i).scale(&Term::mul(c.clone(), ip)));
        }
        for (a, c) in &m.atoms {
            for (k, d) in &v.0 {
                let idx = self
                    .atoms
                    .vector(format!("matvec:{a},{k}"), VAtom::MatVec(*a, *k));
                out = out.add(&Lin::atom(idx).scale(&Term::mul(c.clone(), d.clone())));
            }
        }
        Ok(out)
    }

    /// Mᵀ.
    pub fn transpose(&mut self, m: &Mat) -> Mat {
        let mut out = Mat {
            id: m.id.clone(),
            ..Mat::default()
        };
        for ((i, j), c) in &m.outer {
            out.outer.insert((*j, *i), c.clone());
        }
        for (a, c) in &m.atoms {
            let t = match self.atoms.matrices[*a].clone() {
                MAtom::HessFn(..) => *a,
                MAtom::Transposed(b) => b,
                MAtom::Var(_) => self.atoms.matrix(format!("T:{a}"), MAtom::Transposed(*a)),
            };
            out.atoms.insert(t, c.clone());
        }
        out
    }

    /// A B.
    pub fn matmul(&mut self, a: &Mat, b: &Mat) -> Res<Mat> {
        let mut out = Mat::default();
        if let Some(c) = &a.id {
            out = out.add(&b.scale(c));
        }
        let bt = self.transpose(b);
        for ((i, j), c) in &a.outer {
            // (vᵢ vⱼᵀ) B = vᵢ (Bᵀ vⱼ)ᵀ
            let row = self.matvec(&bt, &Lin::atom(*j))?;
            out = out.add(&Mat::outer(&Lin::atom(*i), &row).scale(c));
        }
        for (m, c) in &a.atoms {
            if b.atoms.is_empty() {
                let mut part = Mat::default();
                if let Some(d) = &b.id {
                    part = part.add(&Mat::atom(*m).scale(d));
                }
                for ((i, j), d) in &b.outer {
                    let col = self.matvec(&Mat::atom(*m), &Lin::atom(*i))?;
                    part = part.add(&Mat::outer(&col, &Lin::atom(*j)).scale(d));
                }
                out = out.add(&part.scale(c));
            } else {
                return Err("products of two matrix atoms".into());
            }
        }
        Ok(out)
    }

    /// `a − b` of two values of the same kind.
    pub fn sub(&mut self, a: &Val, b: &Val) -> Res<Val> {
        let m1 = Term::int(-1);
        Ok(match (a, b) {
            (Val::S(x), Val::S(y)) => Val::S(Term::sub(x.clone(), y.clone())),
            (Val::V(x), Val::V(y)) => Val::V(x.add(&y.neg())),
            (Val::C(x), Val::C(y)) => Val::C(x.add(&y.neg())),
            (Val::M(x), Val::M(y)) => Val::M(x.add(&y.scale(&m1))),
            _ => return Err("a comparison of different kinds".into()),
        })
    }
}

/// The sum of terms (0 when empty).
pub fn sum(mut terms: Vec<Term>) -> Term {
    match terms.len() {
        0 => Term::int(0),
        1 => terms.pop().unwrap_or(Term::int(0)),
        _ => Term::Add(terms),
    }
}
