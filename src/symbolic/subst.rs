//! Substitution `e[w := c w]` and assumptions as rewrites of atoms.
//!
//! Invariants: substitution rebuilds every atom that mentions a replaced
//! variable from its structure (⟨w, x⟩[w := c w] = c⟨w, x⟩,
//! ‖w‖[w := c w] = |c|‖w‖ with |c| simplified only by declared signs), so
//! it is exact; an assumption is used only when one side is a single atom
//! (or an atom squared, for norms), and then only as "this atom equals that
//! term", which holds at every admissible point.

use std::collections::{BTreeSet, HashMap};

use super::atoms::{Arg, MAtom, SAtom, VAtom};
use super::calculus::symbols;
use super::lin::{Lin, Mat};
use super::val::Val;
use super::{Ctx, Res};
use crate::sema::hir::NormP;
use crate::term::Term;

/// What each substituted variable becomes, by key.
pub type Sigma = HashMap<String, Val>;

impl Ctx<'_> {
    /// σ applied to a value.
    pub fn subst(&mut self, v: &Val, s: &Sigma) -> Res<Val> {
        Ok(match v {
            Val::S(t) => Val::S(self.subst_t(t, s)?),
            Val::V(l) => Val::V(self.subst_l(l, s)?),
            Val::C(l) => Val::C(self.subst_l(l, s)?),
            Val::M(m) => Val::M(self.subst_m(m, s)?),
        })
    }

    fn subst_t(&mut self, t: &Term, s: &Sigma) -> Res<Term> {
        Ok(match t {
            Term::Num(_) => t.clone(),
            Term::Sym(name) => {
                let Some(atom) = self.atoms.satom(name).cloned() else {
                    return Ok(t.clone());
                };
                match atom {
                    SAtom::Var(k) => match s.get(&k) {
                        Some(Val::S(x)) => x.clone(),
                        _ => t.clone(),
                    },
                    SAtom::Gram(i, j) => {
                        let (a, b) = (self.subst_v(i, s)?, self.subst_v(j, s)?);
                        self.inner(&a, &b)?
                    }
                    SAtom::Norm(p, i) => {
                        let a = self.subst_v(i, s)?;
                        self.norm(p, &a)?
                    }
                    SAtom::NormOf(p, l) => {
                        let a = self.subst_l(&l, s)?;
                        self.norm(p, &a)?
                    }
                    SAtom::Apply(f, args) => {
                        let args = self.subst_args(&args, s)?;
                        self.apply_atom(&f, args)?
                    }
                }
            }
            Term::Add(v) => Term::Add(v.iter().map(|x| self.subst_t(x, s)).collect::<Res<_>>()?),
            Term::Mul(v) => Term::Mul(v.iter().map(|x| self.subst_t(x, s)).collect::<Res<_>>()?),
            Term::Pow(a, b) => Term::pow(self.subst_t(a, s)?, self.subst_t(b, s)?),
            Term::Fun(f, v) => Term::Fun(
                f.clone(),
                v.iter().map(|x| self.subst_t(x, s)).collect::<Res<_>>()?,
            ),
        })
    }

    fn subst_args(&mut self, args: &[Arg], s: &Sigma) -> Res<Vec<Arg>> {
        args.iter()
            .map(|a| {
                Ok(match a {
                    Arg::S(t) => Arg::S(self.subst_t(t, s)?),
                    Arg::V(l) => Arg::V(self.subst_l(l, s)?),
                })
            })
            .collect()
    }

    fn subst_l(&mut self, l: &Lin, s: &Sigma) -> Res<Lin> {
        let mut out = Lin::default();
        for (k, c) in &l.0 {
            let v = self.subst_v(*k, s)?;
            let c = self.subst_t(c, s)?;
            out = out.add(&v.scale(&c));
        }
        Ok(out)
    }

    fn subst_v(&mut self, i: usize, s: &Sigma) -> Res<Lin> {
        Ok(match self.atoms.vectors[i].clone() {
            VAtom::Var(k) => match s.get(&k) {
                Some(Val::V(l)) => l.clone(),
                _ => Lin::atom(i),
            },
            VAtom::Sign(l) => {
                let l = self.subst_l(&l, s)?;
                self.elementwise(false, &l)?
            }
            VAtom::Abs(l) => {
                let l = self.subst_l(&l, s)?;
                self.elementwise(true, &l)?
            }
            VAtom::GradFn(f, args) => {
                let args = self.subst_args(&args, s)?;
                self.gradfn(&f, args)?
            }
            VAtom::MatVec(m, v) => {
                let m = self.subst_matom(m, s)?;
                let v = self.subst_v(v, s)?;
                self.matvec(&m, &v)?
            }
        })
    }

    fn subst_matom(&mut self, m: usize, s: &Sigma) -> Res<Mat> {
        Ok(match self.atoms.matrices[m].clone() {
            MAtom::Var(k) => match s.get(&k) {
                Some(Val::M(x)) => x.clone(),
                _ => Mat::atom(m),
            },
            MAtom::HessFn(f, args) => {
                let args = self.subst_args(&args, s)?;
                self.hessfn(&f, args)?
            }
            MAtom::Transposed(a) => {
                let x = self.subst_matom(a, s)?;
                self.transpose(&x)
            }
        })
    }

    fn subst_m(&mut self, m: &Mat, s: &Sigma) -> Res<Mat> {
        let mut out = Mat::default();
        if let Some(c) = &m.id {
            out = out.add(&Mat::identity(self.subst_t(c, s)?));
        }
        for ((i, j), c) in &m.outer {
            let (u, v) = (self.subst_v(*i, s)?, self.subst_v(*j, s)?);
            let c = self.subst_t(c, s)?;
            out = out.add(&Mat::outer(&u, &v).scale(&c));
        }
        for (a, c) in &m.atoms {
            let x = self.subst_matom(*a, s)?;
            let c = self.subst_t(c, s)?;
            out = out.add(&x.scale(&c));
        }
        Ok(out)
    }
}

/// Atom rewrites drawn from assumptions: symbol → term.
#[derive(Default, Debug)]
pub struct Rules {
    map: Vec<(String, Term)>,
}

impl Rules {
    /// Adds `lhs = rhs` if one side is a lone atom (or a norm squared);
    /// returns whether the assumption could be used.
    pub fn learn(&mut self, ctx: &Ctx<'_>, lhs: &Term, rhs: &Term) -> bool {
        for (a, b) in [(lhs, rhs), (rhs, lhs)] {
            match a {
                Term::Sym(s) if !mentions_sym(b, s) => {
                    self.map.push((s.clone(), b.clone()));
                    return true;
                }
                Term::Pow(base, e) if **e == Term::int(2) => {
                    if let Term::Sym(s) = base.as_ref() {
                        let is_norm =
                            matches!(ctx.atoms.satom(s), Some(SAtom::Norm(NormP::Two, _)));
                        if is_norm && !mentions_sym(b, s) {
                            let root = Term::pow(b.clone(), super::val::half());
                            self.map.push((s.clone(), root));
                            return true;
                        }
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Rewrites every symbol with a rule, to a fixed point (bounded).
    pub fn apply(&self, t: &Term) -> Term {
        let mut cur = t.clone();
        for _ in 0..8 {
            let next = self.once(&cur);
            if next == cur {
                break;
            }
            cur = next;
        }
        cur
    }

    fn once(&self, t: &Term) -> Term {
        match t {
            Term::Num(_) => t.clone(),
            Term::Sym(s) => self
                .map
                .iter()
                .find(|(k, _)| k == s)
                .map_or_else(|| t.clone(), |(_, v)| v.clone()),
            Term::Add(v) => Term::Add(v.iter().map(|x| self.once(x)).collect()),
            Term::Mul(v) => Term::Mul(v.iter().map(|x| self.once(x)).collect()),
            Term::Pow(a, b) => Term::pow(self.once(a), self.once(b)),
            Term::Fun(f, v) => Term::Fun(f.clone(), v.iter().map(|x| self.once(x)).collect()),
        }
    }
}

fn mentions_sym(t: &Term, s: &str) -> bool {
    let mut set = BTreeSet::new();
    symbols(t, &mut set);
    set.contains(s)
}
