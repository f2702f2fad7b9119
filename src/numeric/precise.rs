//! The precise evaluator: checked expressions evaluated at a sample in exact
//! rational arithmetic where the step is rational, and in 256-bit floats
//! with a rigorous error bound otherwise (see [`super::num`]).
//!
//! A sample's values are `f64`s; each is read as the exact rational its
//! shortest decimal denotes (the value a counterexample prints), so a
//! rational step at a sample is decided exactly: `1.0000000003 = 1` and
//! `10^25 = 10^25 + 10^17` are refuted, `|0.2 + 0.1 − 0.3| < 1/10^25`
//! holds. Everything the evaluator cannot do ([`Node::Apply`],
//! [`Node::GradFn`], [`Node::Grad`]: unknown functions and derivatives)
//! gives [`Fail::GiveUp`] and the double-precision judge decides instead.
//!
//! Invariant: [`decide`] returns `Some` only when every assumption in
//! scope holds *precisely* at the sample (exactly, or beyond doubt within
//! the error bound). A sample whose assumptions were only met in `f64`
//! (a vector normalised by a division) is left to the double-precision
//! judge, whose tolerance is built for such samples.

use std::cmp::Ordering;

use super::eval::Ctx;
use super::num::{q_of_f64, q_of_rat, Fail, Num, R};
use super::probe::{Look, Shown};
use crate::sema::hir::{BinOp, Builtin, Ex, Fact, Kind, Node, NormP, RelOp};

/// A precise value: its kind and entries (row-major, `rows × cols`).
#[derive(Clone, Debug)]
pub(crate) struct PVal {
    kind: Kind,
    rows: usize,
    cols: usize,
    e: Vec<Num>,
}

impl PVal {
    fn scalar(x: Num) -> PVal {
        PVal {
            kind: Kind::Scalar,
            rows: 1,
            cols: 1,
            e: vec![x],
        }
    }

    fn zeros(kind: Kind, rows: usize, cols: usize) -> PVal {
        PVal {
            kind,
            rows,
            cols,
            e: vec![Num::int(0); rows * cols],
        }
    }

    fn get(&self, i: usize, j: usize) -> &Num {
        &self.e[i * self.cols + j]
    }

    fn map(&self, f: impl Fn(&Num) -> R<Num>) -> R<PVal> {
        Ok(PVal {
            kind: self.kind,
            rows: self.rows,
            cols: self.cols,
            e: self.e.iter().map(f).collect::<R<Vec<_>>>()?,
        })
    }

    fn one(&self) -> R<&Num> {
        if self.e.len() == 1 {
            Ok(&self.e[0])
        } else {
            Err(Fail::Foreign)
        }
    }

    /// Printed like the double-precision values (`[a, b]`, rows of rows).
    pub fn print(&self) -> String {
        let row = |i: usize| -> String {
            let parts: Vec<String> = (0..self.cols).map(|j| self.get(i, j).print()).collect();
            format!("[{}]", parts.join(", "))
        };
        match self.kind {
            Kind::Scalar => self.e[0].print(),
            Kind::Vector => {
                let parts: Vec<String> = self.e.iter().map(Num::print).collect();
                format!("[{}]", parts.join(", "))
            }
            Kind::Covector => row(0),
            Kind::Matrix => {
                let rows: Vec<String> = (0..self.rows).map(row).collect();
                format!("[{}]", rows.join(", "))
            }
        }
    }
}

fn sum(xs: impl Iterator<Item = R<Num>>) -> R<Num> {
    let mut acc = Num::int(0);
    for x in xs {
        acc = acc.add(&x?)?;
    }
    Ok(acc)
}

/// An evaluation environment: the dimension and the bindings, innermost last.
struct Env {
    n: usize,
    vars: Vec<(String, PVal)>,
}

impl Env {
    /// Evaluates `e`; a result of another kind than the checker gave gives
    /// up (the double-precision judge then reports the step unsupported).
    fn eval(&mut self, e: &Ex) -> R<PVal> {
        let v = self.eval_node(e)?;
        if v.kind != e.kind {
            return Err(Fail::Foreign);
        }
        Ok(v)
    }

    fn eval_node(&mut self, e: &Ex) -> R<PVal> {
        match &e.node {
            Node::Num(r) => Ok(PVal::scalar(Num::Q(q_of_rat(r).ok_or(Fail::Foreign)?))),
            Node::Zero => {
                let (r, c) = match e.kind {
                    Kind::Scalar => (1, 1),
                    Kind::Vector => (self.n, 1),
                    Kind::Covector => (1, self.n),
                    Kind::Matrix => (self.n, self.n),
                };
                Ok(PVal::zeros(e.kind, r, c))
            }
            Node::Identity => {
                let mut m = PVal::zeros(Kind::Matrix, self.n, self.n);
                for i in 0..self.n {
                    m.e[i * self.n + i] = Num::int(1);
                }
                Ok(m)
            }
            Node::Var(k) => self
                .vars
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .ok_or(Fail::Foreign),
            Node::Apply { .. } | Node::GradFn { .. } | Node::Grad { .. } => Err(Fail::Foreign),
            Node::Builtin(b, x) => {
                let x = self.eval(x)?;
                match b {
                    Builtin::Sqrt => Ok(PVal::scalar(x.one()?.sqrt()?)),
                    Builtin::Exp => Ok(PVal::scalar(x.one()?.exp()?)),
                    Builtin::Log => Ok(PVal::scalar(x.one()?.ln()?)),
                    Builtin::Sign => x.map(Num::sign),
                    Builtin::Abs => x.map(Num::abs),
                }
            }
            Node::Norm(p, x) => {
                let x = self.eval(x)?;
                let v = match p {
                    NormP::Two => sum(x.e.iter().map(|a| a.mul(a)))?.sqrt()?,
                    NormP::One => sum(x.e.iter().map(Num::abs))?,
                    NormP::Inf => {
                        let mut m = Num::int(0);
                        for a in &x.e {
                            m = m.max(&a.abs()?)?;
                        }
                        m
                    }
                };
                Ok(PVal::scalar(v))
            }
            Node::Inner(a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                if a.e.len() != b.e.len() {
                    return Err(Fail::Foreign);
                }
                Ok(PVal::scalar(sum(a
                    .e
                    .iter()
                    .zip(&b.e)
                    .map(|(x, y)| x.mul(y)))?))
            }
            Node::Transpose(x) => {
                let x = self.eval(x)?;
                let kind = match x.kind {
                    Kind::Vector => Kind::Covector,
                    Kind::Covector => Kind::Vector,
                    k => k,
                };
                let mut e = Vec::with_capacity(x.e.len());
                for j in 0..x.cols {
                    for i in 0..x.rows {
                        e.push(x.get(i, j).clone());
                    }
                }
                Ok(PVal {
                    kind,
                    rows: x.cols,
                    cols: x.rows,
                    e,
                })
            }
            Node::Neg(x) => self.eval(x)?.map(|a| Ok(a.neg())),
            Node::Bin(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match op {
                    BinOp::Add | BinOp::Sub => {
                        if a.rows != b.rows || a.cols != b.cols {
                            return Err(Fail::Foreign);
                        }
                        let e =
                            a.e.iter()
                                .zip(&b.e)
                                .map(|(x, y)| {
                                    if *op == BinOp::Add {
                                        x.add(y)
                                    } else {
                                        x.sub(y)
                                    }
                                })
                                .collect::<R<Vec<_>>>()?;
                        Ok(PVal { e, ..a })
                    }
                    BinOp::Mul => mul(&a, &b, e.kind),
                    BinOp::Div => {
                        let s = b.one()?.clone();
                        a.map(|x| x.div(&s))
                    }
                    BinOp::Pow => Ok(PVal::scalar(a.one()?.pow(b.one()?)?)),
                }
            }
            Node::Subst(body, binds) => {
                let mut vals = Vec::with_capacity(binds.len());
                for (k, x) in binds {
                    vals.push((k.clone(), self.eval(x)?));
                }
                let depth = self.vars.len();
                self.vars.extend(vals);
                let out = self.eval(body);
                self.vars.truncate(depth);
                out
            }
        }
    }
}

/// Products, dispatched on shapes (scalar·X, X·scalar, matrix products).
fn mul(a: &PVal, b: &PVal, kind: Kind) -> R<PVal> {
    if a.kind == Kind::Scalar {
        let s = a.one()?.clone();
        return b.map(|x| s.mul(x));
    }
    if b.kind == Kind::Scalar {
        let s = b.one()?.clone();
        return a.map(|x| x.mul(&s));
    }
    if a.cols != b.rows {
        return Err(Fail::Foreign);
    }
    let mut e = Vec::with_capacity(a.rows * b.cols);
    for i in 0..a.rows {
        for j in 0..b.cols {
            e.push(sum((0..a.cols).map(|k| a.get(i, k).mul(b.get(k, j))))?);
        }
    }
    Ok(PVal {
        kind,
        rows: a.rows,
        cols: b.cols,
        e,
    })
}

/// The outcome of comparing two precise values.
enum Cmp {
    /// Whether the relation holds, and the scaled error shown.
    Decided(bool, f64),
    /// Undecidable within the error bound.
    Unsure,
}

fn compare(op: RelOp, l: &PVal, r: &PVal) -> R<Cmp> {
    if l.e.len() != r.e.len() {
        return Err(Fail::GiveUp);
    }
    let mut holds = true;
    let mut worst = 0.0_f64;
    for (x, y) in l.e.iter().zip(&r.e) {
        let d = x.sub(y)?;
        let (dv, _) = d.approx();
        let scale = 1.0 + x.approx().0.abs() + y.approx().0.abs();
        // The sign of l − r: certain, or a tie within the error bound
        // (which counts as equality, as in the double-precision judge).
        let s = d.signum().unwrap_or(Ordering::Equal);
        let ok = match op {
            RelOp::Eq => s == Ordering::Equal,
            RelOp::Ne => s != Ordering::Equal,
            RelOp::Lt => s == Ordering::Less,
            RelOp::Le => s != Ordering::Greater,
            RelOp::Gt => s == Ordering::Greater,
            RelOp::Ge => s != Ordering::Less,
        };
        if op == RelOp::Ne && !ok {
            // `≠` needs *some* component to differ.
            continue;
        }
        if !ok {
            holds = false;
            worst = worst.max(dv.abs() / scale);
        } else if op == RelOp::Eq {
            worst = worst.max(dv.abs() / scale);
        }
    }
    if op == RelOp::Ne {
        let any =
            l.e.iter()
                .zip(&r.e)
                .map(|(x, y)| x.sub(y).map(|d| d.signum()))
                .collect::<R<Vec<_>>>()?;
        if any.iter().any(|s| s.is_none())
            && !any
                .iter()
                .any(|s| *s == Some(Ordering::Greater) || *s == Some(Ordering::Less))
        {
            return Ok(Cmp::Unsure);
        }
        let differs = any
            .iter()
            .any(|s| matches!(s, Some(Ordering::Greater | Ordering::Less)));
        return Ok(Cmp::Decided(
            differs,
            if differs { 0.0 } else { f64::MIN_POSITIVE },
        ));
    }
    Ok(Cmp::Decided(
        holds,
        if holds && op != RelOp::Eq { 0.0 } else { worst },
    ))
}

fn env_of(ctx: &Ctx<'_>) -> R<Env> {
    let mut vars = Vec::with_capacity(ctx.env.len());
    for (k, v) in &ctx.env {
        let m = v.base();
        let mut e = Vec::with_capacity(m.len());
        for i in 0..m.nrows() {
            for j in 0..m.ncols() {
                e.push(Num::Q(q_of_f64(m[(i, j)]).ok_or(Fail::GiveUp)?));
            }
        }
        vars.push((
            k.clone(),
            PVal {
                kind: v.kind,
                rows: m.nrows(),
                cols: m.ncols(),
                e,
            },
        ));
    }
    Ok(Env { n: ctx.n, vars })
}

/// Whether `fact` can be evaluated by this evaluator at all (no unknown
/// functions, no derivatives).
pub(crate) fn supports(e: &Ex) -> bool {
    let mut ok = true;
    super::walk::visit(e, &mut |x| {
        if matches!(
            x.node,
            Node::Apply { .. } | Node::GradFn { .. } | Node::Grad { .. }
        ) {
            ok = false;
        }
    });
    ok
}

/// Decides `fact` at the sample in `ctx`, precisely (see the module docs);
/// `None` leaves it to the double-precision judge. A point where one side
/// is defined and the other is not is a violation (the sides print as
/// `undefined (…)`); where neither is, the sample is `Err(why)`: invalid.
pub(crate) fn decide(
    ctx: &Ctx<'_>,
    fact: &Fact,
    assumptions: &[Fact],
) -> Option<Result<Look, &'static str>> {
    if !supports(&fact.lhs) || !supports(&fact.rhs) {
        return None;
    }
    let mut env = env_of(ctx).ok()?;
    for a in assumptions {
        let l = env.eval(&a.lhs).ok()?;
        let r = env.eval(&a.rhs).ok()?;
        match compare(a.op, &l, &r).ok()? {
            Cmp::Decided(true, _) => {}
            _ => return None,
        }
    }
    let l = env.eval(&fact.lhs);
    let r = env.eval(&fact.rhs);
    let undefined = |why: &str| Shown::Text(format!("undefined ({why})"));
    match (l, r) {
        (Err(Fail::Foreign), _) | (_, Err(Fail::Foreign)) => None,
        // Beyond what the bounds can express: an invalid sample, not a
        // question for double precision (which would round to 0 or ∞).
        (Err(Fail::GiveUp), _) | (_, Err(Fail::GiveUp)) => Some(Err(GAVE_UP)),
        (Err(Fail::Undefined(a)), Err(Fail::Undefined(_))) => Some(Err(a)),
        // A pole (a division by zero) is an isolated point where an
        // identity with a denominator is not meant: skipped, like a point
        // where both sides are undefined.
        (Err(Fail::Undefined(POLE)), _) | (_, Err(Fail::Undefined(POLE))) => Some(Err(POLE)),
        (Err(Fail::Undefined(why)), Ok(r)) => Some(Ok(Look {
            holds: false,
            error: 1.0,
            lhs: undefined(why),
            rhs: Shown::Text(r.print()),
            extra: Vec::new(),
            exact: true,
        })),
        (Ok(l), Err(Fail::Undefined(why))) => Some(Ok(Look {
            holds: false,
            error: 1.0,
            lhs: Shown::Text(l.print()),
            rhs: undefined(why),
            extra: Vec::new(),
            exact: true,
        })),
        (Ok(l), Ok(r)) => match compare(fact.op, &l, &r).ok()? {
            Cmp::Decided(holds, error) => Some(Ok(Look {
                holds,
                error,
                lhs: Shown::Text(l.print()),
                rhs: Shown::Text(r.print()),
                extra: Vec::new(),
                exact: true,
            })),
            Cmp::Unsure => Some(Err(GAVE_UP)),
        },
    }
}

/// Why a sample the precise evaluator cannot decide is invalid.
const GAVE_UP: &str = "a value beyond the range of the error bounds, or a sign within them";
/// A division by zero.
const POLE: &str = "a division by zero";

/// Whether `fact` holds precisely at the sample in `ctx`; `None` when the
/// precise evaluator cannot tell.
pub(crate) fn holds(ctx: &Ctx<'_>, fact: &Fact) -> Option<bool> {
    if !supports(&fact.lhs) || !supports(&fact.rhs) {
        return None;
    }
    let mut env = env_of(ctx).ok()?;
    let l = env.eval(&fact.lhs).ok()?;
    let r = env.eval(&fact.rhs).ok()?;
    match compare(fact.op, &l, &r).ok()? {
        Cmp::Decided(h, _) => Some(h),
        Cmp::Unsure => None,
    }
}

/// `lhs − rhs` of a scalar relation at the sample, approximately (for the
/// directed search, which only uses it to steer); `None` where the precise
/// evaluator cannot evaluate it.
pub(crate) fn difference(ctx: &Ctx<'_>, fact: &Fact) -> Option<f64> {
    let mut env = env_of(ctx).ok()?;
    let l = env.eval(&fact.lhs).ok()?;
    let r = env.eval(&fact.rhs).ok()?;
    let d = l.one().ok()?.sub(r.one().ok()?).ok()?;
    Some(d.approx().0)
}
