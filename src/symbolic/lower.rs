//! From checked expressions to symbolic values.
//!
//! Invariant: lowering is exact: the value denotes the same function of the
//! declared variables as the expression, in every dimension (definitions
//! were expanded by `sema`; `e[v := x]` is lowered as "lower e, then
//! substitute", so ∇ inside a substitution differentiates before the point
//! is moved).

use super::atoms::{Arg, MAtom, SAtom, VAtom};
use super::calculus::fn_name;
use super::lin::{Lin, Mat};
use super::subst::Sigma;
use super::val::Val;
use super::{Ctx, Res};
use crate::sema::hir::{BinOp, Builtin, Ex, Kind, Node};
use crate::term::Term;

impl Ctx<'_> {
    /// The vector atom of a declared vector variable.
    pub fn var_vec(&mut self, key: &str) -> usize {
        self.atoms
            .vector(format!("var:{key}"), VAtom::Var(key.to_string()))
    }

    /// The symbol of a declared scalar variable.
    pub fn var_scalar(&mut self, key: &str) -> Term {
        self.atoms
            .scalar(format!("var:{key}"), SAtom::Var(key.to_string()))
    }

    /// Lowers a checked expression, within the step's budget: every value
    /// built stays under [`crate::engine::Budget::INPUT_NODES`] terms and
    /// the step's time (so nested gradients cannot exhaust memory).
    pub fn lower(&mut self, e: &Ex) -> Res<Val> {
        let v = self.lower_node(e)?;
        self.eng.check_time().map_err(super::eng_err)?;
        let nodes = v.size();
        if nodes > crate::engine::Budget::INPUT_NODES {
            return Err(format!(
                "too large to check symbolically: an expression of more than {} terms",
                crate::engine::Budget::INPUT_NODES
            ));
        }
        Ok(v)
    }

    fn lower_node(&mut self, e: &Ex) -> Res<Val> {
        Ok(match &e.node {
            Node::Num(r) => Val::S(Term::Num(r.clone())),
            Node::Var(k) => match e.kind {
                Kind::Vector => Val::V(Lin::atom(self.var_vec(k))),
                Kind::Matrix => {
                    let m = self.atoms.matrix(format!("var:{k}"), MAtom::Var(k.clone()));
                    Val::M(Mat::atom(m))
                }
                _ => Val::S(self.var_scalar(k)),
            },
            Node::Identity => Val::M(Mat::identity(Term::int(1))),
            Node::Zero => match e.kind {
                Kind::Vector => Val::V(Lin::default()),
                Kind::Matrix => Val::M(Mat::default()),
                Kind::Covector => Val::C(Lin::default()),
                Kind::Scalar => Val::S(Term::int(0)),
            },
            Node::Apply { func, derivs, args } => {
                let args = self.args(args)?;
                if args.iter().all(|a| matches!(a, Arg::S(_))) {
                    let ts = args
                        .into_iter()
                        .filter_map(|a| match a {
                            Arg::S(t) => Some(t),
                            Arg::V(_) => None,
                        })
                        .collect();
                    Val::S(Term::Fun(fn_name(func, *derivs), ts))
                } else {
                    Val::S(self.apply_atom(func, args)?)
                }
            }
            Node::GradFn { func, order, args } => {
                let args = self.args(args)?;
                if *order == 1 {
                    Val::V(self.gradfn(func, args)?)
                } else {
                    Val::M(self.hessfn(func, args)?)
                }
            }
            Node::Builtin(b, x) => {
                let v = self.lower(x)?;
                match (b, v) {
                    (Builtin::Sqrt, Val::S(t)) => Val::S(self.sqrt(&t)?),
                    (Builtin::Exp, Val::S(t)) => Val::S(Term::fun("exp", vec![t])),
                    (Builtin::Log, Val::S(t)) => Val::S(Term::fun("log", vec![t])),
                    (Builtin::Abs, Val::S(t)) => Val::S(self.abs(&t)?),
                    (Builtin::Sign, Val::S(t)) => Val::S(self.sign_term(&t)),
                    (Builtin::Abs, Val::V(l)) => Val::V(self.elementwise(true, &l)?),
                    (Builtin::Sign, Val::V(l)) => Val::V(self.elementwise(false, &l)?),
                    _ => return Err(format!("{} of this kind", b.name())),
                }
            }
            Node::Grad { wrt, order, body } => {
                let Val::S(t) = self.lower(body)? else {
                    return Err("∇ of a non-scalar".into());
                };
                // Normalised at once, so nested gradients stay small.
                let g = self.gradient(&t, wrt, *order, e.kind)?;
                self.canonical(&g, &super::subst::Rules::default())?
            }
            Node::Norm(p, x) => {
                let Val::V(l) = self.lower(x)? else {
                    return Err("a norm of a non-vector".into());
                };
                Val::S(self.norm(*p, &l)?)
            }
            Node::Inner(a, b) => {
                let (Val::V(x), Val::V(y)) = (self.lower(a)?, self.lower(b)?) else {
                    return Err("an inner product of non-vectors".into());
                };
                Val::S(self.inner(&x, &y)?)
            }
            Node::Transpose(x) => match self.lower(x)? {
                Val::V(l) => Val::C(l),
                Val::M(m) => Val::M(self.transpose(&m)),
                _ => return Err("a transpose of this kind".into()),
            },
            Node::Neg(x) => {
                let v = self.lower(x)?;
                self.scale(&v, &Term::int(-1))
            }
            Node::Bin(op, a, b) => {
                let (x, y) = (self.lower(a)?, self.lower(b)?);
                self.bin(*op, x, y)?
            }
            Node::Subst(body, binds) => {
                let mut sigma = Sigma::new();
                for (k, v) in binds {
                    let val = self.lower(v)?;
                    sigma.insert(k.clone(), val);
                }
                let b = self.lower(body)?;
                self.subst(&b, &sigma)?
            }
        })
    }

    fn args(&mut self, args: &[Ex]) -> Res<Vec<Arg>> {
        let mut out = Vec::new();
        for a in args {
            out.push(match self.lower(a)? {
                Val::S(t) => Arg::S(t),
                Val::V(l) => Arg::V(l),
                _ => return Err("a function of a matrix".into()),
            });
        }
        Ok(out)
    }

    fn gradient(&mut self, t: &Term, wrt: &str, order: u8, kind: Kind) -> Res<Val> {
        let var_kind = self.scope.var(wrt).map(|v| v.kind);
        if var_kind == Some(Kind::Vector) {
            let w = self.var_vec(wrt);
            let g = self.grad(t, w)?;
            if order == 1 {
                return Ok(Val::V(g));
            }
            return Ok(Val::M(self.jac(&g, w)?));
        }
        // A scalar variable: ordinary derivatives. Atoms other than the
        // variable itself must not depend on it.
        let s = self.var_scalar(wrt);
        let Term::Sym(name) = &s else {
            return Err("a derivative".into());
        };
        let mut d = t.clone();
        for _ in 0..order {
            self.check_scalar_dependence(&d, name)?;
            d = super::calculus::deriv(&d, name)?;
        }
        debug_assert_eq!(kind, Kind::Scalar);
        Ok(Val::S(d))
    }

    fn check_scalar_dependence(&self, t: &Term, name: &str) -> Res<()> {
        let mut syms = std::collections::BTreeSet::new();
        super::calculus::symbols(t, &mut syms);
        for s in syms {
            if s != name && self.sym_hides(&s, name) {
                return Err(
                    "a derivative with respect to a scalar inside a vector expression".into(),
                );
            }
        }
        Ok(())
    }

    /// c·v for any value.
    pub fn scale(&self, v: &Val, c: &Term) -> Val {
        match v {
            Val::S(t) => Val::S(Term::mul(c.clone(), t.clone())),
            Val::V(l) => Val::V(l.scale(c)),
            Val::C(l) => Val::C(l.scale(c)),
            Val::M(m) => Val::M(m.scale(c)),
        }
    }

    fn bin(&mut self, op: BinOp, a: Val, b: Val) -> Res<Val> {
        use Val::*;
        Ok(match op {
            BinOp::Add => match (a, b) {
                (S(x), S(y)) => S(Term::add(x, y)),
                (V(x), V(y)) => V(x.add(&y)),
                (C(x), C(y)) => C(x.add(&y)),
                (M(x), M(y)) => M(x.add(&y)),
                _ => return Err("a sum of different kinds".into()),
            },
            BinOp::Sub => self.sub(&a, &b)?,
            BinOp::Mul => match (a, b) {
                (S(c), v) | (v, S(c)) => self.scale(&v, &c),
                (C(x), V(y)) => S(self.inner(&x, &y)?),
                (V(x), C(y)) => M(Mat::outer(&x, &y)),
                (M(m), V(v)) => V(self.matvec(&m, &v)?),
                (C(v), M(m)) => {
                    let mt = self.transpose(&m);
                    C(self.matvec(&mt, &v)?)
                }
                (M(x), M(y)) => M(self.matmul(&x, &y)?),
                _ => return Err("this product".into()),
            },
            BinOp::Div => match b {
                S(c) => self.scale(&a, &Term::pow(c, Term::int(-1))),
                _ => return Err("division by a non-scalar".into()),
            },
            BinOp::Pow => match (a, b) {
                // (b^r)^n = b^(r·n) for an integer n, wherever b^r is defined.
                (S(Term::Pow(base, r)), S(Term::Num(n))) if n.is_int() => match r.as_ref() {
                    Term::Num(r) => S(Term::pow(*base, Term::Num(r.mul(&n)))),
                    _ => S(Term::pow(Term::Pow(base, r), Term::Num(n))),
                },
                (S(x), S(y)) => S(Term::pow(x, y)),
                _ => return Err("a power of a non-scalar".into()),
            },
        })
    }
}
