//! Exact derivatives: ∂/∂(atom) of scalar terms, ∇ with respect to a vector
//! atom, Jacobians of combinations, Hessians.
//!
//! The chain rule runs over atoms: ∇_w c = Σₛ ∂c/∂s · ∇_w s, with
//! ∇⟨w, v⟩ = v, ∇‖w‖ = w/‖w‖, ∇‖w‖₁ = sign(w), ∇f(u) = Jᵤᵀ ∇f(u),
//! and ∂(v)/∂w = I for the atom w itself, 0 for atoms not built from w.
//!
//! Invariant: every rule is exact where the expression is differentiable;
//! |x| differentiates to sign(x) (exact away from 0, where |x| has no
//! derivative); anything else that depends on the variable in a way not
//! listed (sign(w), ‖w‖∞, a function of several vectors) is reported as
//! unsupported, never guessed.

use std::collections::BTreeSet;

use super::atoms::{Arg, MAtom, SAtom, VAtom};
use super::lin::{Lin, Mat};
use super::val::sum;
use super::{Ctx, Res};
use crate::sema::hir::NormP;
use crate::term::Term;

/// The name of the `k`-th derivative of user function `f` inside terms.
pub fn fn_name(f: &str, k: u8) -> String {
    format!("fn:{f}:{k}")
}

pub fn parse_fn_name(name: &str) -> Option<(&str, u8)> {
    let rest = name.strip_prefix("fn:")?;
    let (f, k) = rest.rsplit_once(':')?;
    Some((f, k.parse().ok()?))
}

/// Every symbol a term mentions, in order.
pub fn symbols(t: &Term, out: &mut BTreeSet<String>) {
    match t {
        Term::Num(_) => {}
        Term::Sym(s) => {
            out.insert(s.clone());
        }
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => v.iter().for_each(|x| symbols(x, out)),
        Term::Pow(a, b) => {
            symbols(a, out);
            symbols(b, out);
        }
    }
}

pub fn mentions(t: &Term, s: &str) -> bool {
    match t {
        Term::Num(_) => false,
        Term::Sym(x) => x == s,
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => v.iter().any(|x| mentions(x, s)),
        Term::Pow(a, b) => mentions(a, s) || mentions(b, s),
    }
}

/// ∂t/∂s for the symbol `s`.
pub fn deriv(t: &Term, s: &str) -> Res<Term> {
    if !mentions(t, s) {
        return Ok(Term::int(0));
    }
    Ok(match t {
        Term::Num(_) => Term::int(0),
        Term::Sym(x) => Term::int(if x == s { 1 } else { 0 }),
        Term::Add(v) => sum(v.iter().map(|x| deriv(x, s)).collect::<Res<_>>()?),
        Term::Mul(v) => {
            let mut terms = Vec::new();
            for i in 0..v.len() {
                if !mentions(&v[i], s) {
                    continue;
                }
                let mut f = v.clone();
                f[i] = deriv(&v[i], s)?;
                terms.push(Term::Mul(f));
            }
            sum(terms)
        }
        Term::Pow(b, e) => {
            if !mentions(e, s) {
                // d(bᵉ) = e·b^(e−1)·b'
                Term::Mul(vec![
                    (**e).clone(),
                    Term::pow((**b).clone(), Term::add((**e).clone(), Term::int(-1))),
                    deriv(b, s)?,
                ])
            } else {
                // d(bᵉ) = bᵉ·(e'·log b + e·b'/b)
                Term::mul(
                    t.clone(),
                    Term::add(
                        Term::mul(deriv(e, s)?, Term::fun("log", vec![(**b).clone()])),
                        Term::Mul(vec![
                            (**e).clone(),
                            deriv(b, s)?,
                            Term::pow((**b).clone(), Term::int(-1)),
                        ]),
                    ),
                )
            }
        }
        Term::Fun(f, args) => {
            if args.len() != 1 {
                return Err(format!(
                    "partial derivatives of the function {}",
                    parse_fn_name(f).map_or(f.as_str(), |p| p.0)
                ));
            }
            let a = &args[0];
            let outer = match f.as_str() {
                "exp" => t.clone(),
                "log" => Term::pow(a.clone(), Term::int(-1)),
                "abs" => Term::fun("sign", vec![a.clone()]),
                "sign" => return Err("the derivative of sign(·), which has a jump at 0".into()),
                other => match parse_fn_name(other) {
                    Some((g, k)) => Term::fun(&fn_name(g, k.saturating_add(1)), vec![a.clone()]),
                    None => return Err(format!("the derivative of {other}")),
                },
            };
            Term::mul(outer, deriv(a, s)?)
        }
    })
}

impl Ctx<'_> {
    /// Whether the atom behind symbol `s` is built from the scalar symbol
    /// `name` (e.g. ⟨sign(c w), x⟩ hides c).
    pub fn sym_hides(&self, s: &str, name: &str) -> bool {
        match self.atoms.satom(s) {
            Some(SAtom::Var(_)) | None => false,
            Some(SAtom::Gram(i, j)) => self.vhides(*i, name) || self.vhides(*j, name),
            Some(SAtom::Norm(_, i)) => self.vhides(*i, name),
            Some(SAtom::NormOf(_, l)) => self.lhides(l, name),
            Some(SAtom::Apply(_, args)) => self.args_hide(args, name),
        }
    }

    fn thides(&self, t: &Term, name: &str) -> bool {
        let mut syms = BTreeSet::new();
        symbols(t, &mut syms);
        syms.iter().any(|s| s == name || self.sym_hides(s, name))
    }

    fn lhides(&self, l: &Lin, name: &str) -> bool {
        l.0.iter()
            .any(|(k, c)| self.vhides(*k, name) || self.thides(c, name))
    }

    fn args_hide(&self, args: &[Arg], name: &str) -> bool {
        args.iter().any(|a| match a {
            Arg::S(t) => self.thides(t, name),
            Arg::V(l) => self.lhides(l, name),
        })
    }

    fn vhides(&self, i: usize, name: &str) -> bool {
        match &self.atoms.vectors[i] {
            VAtom::Var(_) => false,
            VAtom::Sign(l) | VAtom::Abs(l) => self.lhides(l, name),
            VAtom::GradFn(_, args) => self.args_hide(args, name),
            VAtom::MatVec(m, v) => self.mhides(*m, name) || self.vhides(*v, name),
        }
    }

    fn mhides(&self, m: usize, name: &str) -> bool {
        match &self.atoms.matrices[m] {
            MAtom::Var(_) => false,
            MAtom::HessFn(_, args) => self.args_hide(args, name),
            MAtom::Transposed(a) => self.mhides(*a, name),
        }
    }

    /// Whether vector atom `i` is built from vector atom `w`.
    pub fn vdepends(&self, i: usize, w: usize) -> bool {
        if i == w {
            return true;
        }
        match &self.atoms.vectors[i] {
            VAtom::Var(_) => false,
            VAtom::Sign(l) | VAtom::Abs(l) => self.ldepends(l, w),
            VAtom::GradFn(_, args) => self.args_depend(args, w),
            VAtom::MatVec(m, v) => self.mdepends(*m, w) || self.vdepends(*v, w),
        }
    }

    fn mdepends(&self, m: usize, w: usize) -> bool {
        match &self.atoms.matrices[m] {
            MAtom::Var(_) => false,
            MAtom::HessFn(_, args) => self.args_depend(args, w),
            MAtom::Transposed(a) => self.mdepends(*a, w),
        }
    }

    fn args_depend(&self, args: &[Arg], w: usize) -> bool {
        args.iter().any(|a| match a {
            Arg::S(t) => self.tdepends(t, w),
            Arg::V(l) => self.ldepends(l, w),
        })
    }

    /// Whether a combination depends on atom `w`.
    pub fn ldepends(&self, l: &Lin, w: usize) -> bool {
        l.0.iter()
            .any(|(k, c)| self.vdepends(*k, w) || self.tdepends(c, w))
    }

    /// Whether a term depends on vector atom `w`.
    pub fn tdepends(&self, t: &Term, w: usize) -> bool {
        let mut syms = BTreeSet::new();
        symbols(t, &mut syms);
        syms.iter().any(|s| match self.atoms.satom(s) {
            Some(SAtom::Var(_)) | None => false,
            Some(SAtom::Gram(i, j)) => self.vdepends(*i, w) || self.vdepends(*j, w),
            Some(SAtom::Norm(_, i)) => self.vdepends(*i, w),
            Some(SAtom::NormOf(_, l)) => self.ldepends(l, w),
            Some(SAtom::Apply(_, args)) => self.args_depend(args, w),
        })
    }

    /// ∇_w t for the vector atom `w`.
    pub fn grad(&mut self, t: &Term, w: usize) -> Res<Lin> {
        let mut syms = BTreeSet::new();
        symbols(t, &mut syms);
        let mut out = Lin::default();
        for s in syms {
            let Some(atom) = self.atoms.satom(&s).cloned() else {
                continue;
            };
            let g = match atom {
                SAtom::Var(_) => continue,
                SAtom::Gram(i, j) => {
                    let a = self.jac_atom_t(i, w, &Lin::atom(j))?;
                    let b = self.jac_atom_t(j, w, &Lin::atom(i))?;
                    a.add(&b)
                }
                SAtom::Norm(NormP::Two, i) => {
                    let n = self.norm_atom(NormP::Two, i);
                    self.jac_atom_t(i, w, &Lin::atom(i))?
                        .scale(&Term::pow(n, Term::int(-1)))
                }
                SAtom::Norm(NormP::One, i) => {
                    let sg = self.elementwise(false, &Lin::atom(i))?;
                    self.jac_atom_t(i, w, &sg)?
                }
                SAtom::Norm(NormP::Inf, i) if !self.vdepends(i, w) => continue,
                SAtom::Norm(..) => return Err("the gradient of ‖·‖∞".into()),
                SAtom::NormOf(_, l) => {
                    if self.ldepends(&l, w) {
                        return Err("the gradient of a 1- or ∞-norm of a combination".into());
                    }
                    continue;
                }
                SAtom::Apply(f, args) => {
                    if !self.args_depend(&args, w) {
                        continue;
                    }
                    match args.as_slice() {
                        [Arg::V(u)] => {
                            let gf = self.gradfn(&f, args.clone())?;
                            let j = self.jac(u, w)?;
                            let jt = self.transpose(&j);
                            self.matvec(&jt, &gf)?
                        }
                        _ => return Err("the gradient of a function of several arguments".into()),
                    }
                }
            };
            let d = deriv(t, &s)?;
            out = out.add(&g.scale(&d));
        }
        Ok(out)
    }

    /// (∂vᵢ/∂w)ᵀ x for atom i.
    fn jac_atom_t(&mut self, i: usize, w: usize, x: &Lin) -> Res<Lin> {
        match self.jac_atom(i, w)? {
            None => Ok(Lin::default()),
            Some(j) => {
                let jt = self.transpose(&j);
                self.matvec(&jt, x)
            }
        }
    }

    /// ∂vᵢ/∂w for atom i; `None` when it does not depend on w.
    fn jac_atom(&mut self, i: usize, w: usize) -> Res<Option<Mat>> {
        if i == w {
            return Ok(Some(Mat::identity(Term::int(1))));
        }
        if !self.vdepends(i, w) {
            return Ok(None);
        }
        match self.atoms.vectors[i].clone() {
            VAtom::GradFn(f, args) => match args.as_slice() {
                [Arg::V(u)] => {
                    let h = self.hessfn(&f, args.clone())?;
                    let j = self.jac(u, w)?;
                    Ok(Some(self.matmul(&h, &j)?))
                }
                _ => Err("the Jacobian of a gradient of several arguments".into()),
            },
            VAtom::Sign(_) => Err("the derivative of sign(·), which has a jump at 0".into()),
            VAtom::Abs(_) => Err("the Jacobian of an elementwise |·|".into()),
            VAtom::MatVec(m, v) if !self.mdepends(m, w) => {
                // ∂(M v)/∂w = M ∂v/∂w for a constant matrix M.
                match self.jac_atom(v, w)? {
                    Some(j) => Ok(Some(self.matmul(&Mat::atom(m), &j)?)),
                    None => Ok(None),
                }
            }
            VAtom::MatVec(..) | VAtom::Var(_) => Err("the Jacobian of a matrix product".into()),
        }
    }

    /// The Jacobian ∂v/∂w of a combination: Σₖ vₖ (∇cₖ)ᵀ + cₖ ∂vₖ/∂w.
    pub fn jac(&mut self, v: &Lin, w: usize) -> Res<Mat> {
        let mut out = Mat::default();
        for (k, c) in v.0.clone() {
            let gc = self.grad(&c, w)?;
            if !gc.0.is_empty() {
                out = out.add(&Mat::outer(&Lin::atom(k), &gc));
            }
            if let Some(j) = self.jac_atom(k, w)? {
                out = out.add(&j.scale(&c));
            }
        }
        Ok(out)
    }
}
