//! Evaluation of checked expressions ([`Ex`]) to values, at one sample.
//!
//! Invariants: evaluation never panics; a variable's value is its innermost
//! binding (a substitution or a derivative rebinds it on top of the
//! sample); the kind of every result equals the kind the checker gave the
//! expression (otherwise the step is reported unsupported, never judged).

use super::diff;
use super::funcs::FuncInst;
use super::value::{Res, Trouble, Val};
use nalgebra::DMatrix;

use crate::sema::hir::{BinOp, Builtin, Ex, Kind, Node};

/// What an evaluation sees: the dimension, the function instances, the
/// variable bindings and how many infinitesimals are in use.
pub(crate) struct Ctx<'a> {
    /// The dimension n.
    pub n: usize,
    /// Concrete instances of the declared functions, by key.
    pub funcs: &'a [(String, FuncInst)],
    /// Bindings, innermost last.
    pub env: Vec<(String, Val)>,
    /// Infinitesimals in use by enclosing derivatives.
    pub eps: usize,
}

impl<'a> Ctx<'a> {
    /// A context over a sample.
    pub fn new(n: usize, funcs: &'a [(String, FuncInst)], env: Vec<(String, Val)>) -> Ctx<'a> {
        Ctx {
            n,
            funcs,
            env,
            eps: 0,
        }
    }

    /// The innermost value of a variable.
    pub fn lookup(&self, key: &str) -> Res<&Val> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| Trouble::Unsupported(format!("the variable {key} has no value")))
    }

    /// Evaluates `f` with extra bindings in force.
    pub fn with<T>(
        &mut self,
        binds: Vec<(String, Val)>,
        f: impl FnOnce(&mut Ctx<'a>) -> Res<T>,
    ) -> Res<T> {
        let depth = self.env.len();
        self.env.extend(binds);
        let out = f(self);
        self.env.truncate(depth);
        out
    }

    fn func(&self, key: &str) -> Res<&'a FuncInst> {
        let funcs: &'a [(String, FuncInst)] = self.funcs;
        funcs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f)
            .ok_or_else(|| Trouble::Unsupported(format!("the function {key} has no instance")))
    }

    fn eval_all(&mut self, args: &[Ex]) -> Res<Vec<Val>> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    /// Evaluates a checked expression.
    pub fn eval(&mut self, e: &Ex) -> Res<Val> {
        let v = self.eval_node(e)?;
        if v.kind != e.kind {
            return Err(Trouble::Unsupported(format!(
                "internal: evaluated {} where the checker said {}",
                v.kind.word(),
                e.kind.word()
            )));
        }
        Ok(v)
    }

    fn eval_node(&mut self, e: &Ex) -> Res<Val> {
        match &e.node {
            Node::Num(r) => Val::scalar(r.to_f64()),
            Node::Zero => {
                let (r, c) = match e.kind {
                    Kind::Scalar => (1, 1),
                    Kind::Vector => (self.n, 1),
                    Kind::Covector => (1, self.n),
                    Kind::Matrix => (self.n, self.n),
                };
                Val::constant(e.kind, DMatrix::zeros(r, c))
            }
            Node::Var(k) => self.lookup(k).cloned(),
            Node::Identity => Val::identity(self.n),
            Node::Apply { func, derivs, args } => {
                let f = self.func(func)?;
                let args = self.eval_all(args)?;
                f.apply(*derivs, &args)
            }
            Node::GradFn { func, order, args } => {
                let f = self.func(func)?;
                let args = self.eval_all(args)?;
                f.grad(*order, &args)
            }
            Node::Builtin(b, x) => {
                let x = self.eval(x)?;
                match b {
                    Builtin::Sqrt => x.sqrt(),
                    Builtin::Exp => x.exp(),
                    Builtin::Log => x.log(),
                    Builtin::Sign => x.sign(),
                    Builtin::Abs => x.abs(),
                }
            }
            Node::Grad { wrt, order, body } => diff::grad(self, wrt, *order, body),
            Node::Norm(p, x) => self.eval(x)?.norm(*p),
            Node::Inner(a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                a.inner(&b)
            }
            Node::Transpose(x) => self.eval(x)?.transpose(),
            Node::Neg(x) => self.eval(x)?.neg(),
            Node::Bin(op, a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                match op {
                    BinOp::Add => a.add(&b, 1.0),
                    BinOp::Sub => a.add(&b, -1.0),
                    BinOp::Mul => a.mul(&b),
                    BinOp::Div => a.div(&b),
                    BinOp::Pow => a.pow(&b),
                }
            }
            Node::Subst(body, binds) => {
                let mut vals = Vec::with_capacity(binds.len());
                for (k, x) in binds {
                    vals.push((k.clone(), self.eval(x)?));
                }
                self.with(vals, |c| c.eval(body))
            }
        }
    }
}
