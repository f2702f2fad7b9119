//! Admissible instances of a scope, for drawing figures (`crate::figure`).
//!
//! [`instances`] draws samples exactly as the judge does (the same
//! generators, domains, function instances and assumption constructors; see
//! the module docs of [`crate::numeric`]) in one fixed dimension, and
//! evaluates the requested expressions at each.
//!
//! Invariants: the result depends only on the scope, the expressions, the
//! seed, the id and the dimension (the generator is seeded like a step's,
//! from the seed and the id, then mixed with the dimension); every returned
//! instance satisfies every assumption of the scope and every declared
//! domain, and every value in it is finite.

use std::collections::BTreeSet;

use nalgebra::DMatrix;

use super::assume::{plan, realize, Reject};
use super::eval::Ctx;
use super::funcs::FuncInst;
use super::sample::{draw_matrix, draw_scalar_plain, draw_vector, rng_for, step_seed};
use super::value::{Trouble, Val};
use super::walk::{funcs_of, vars_of};
use crate::sema::hir::{Ex, Kind, Scope};

/// One admissible sample and the values of the requested expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Every variable the expressions and the assumptions mention, in
    /// declaration order: its spelling, its kind and its entries (one for
    /// a scalar, n for a vector, n² column by column for a matrix).
    pub vars: Vec<(String, Kind, Vec<f64>)>,
    /// The value of each requested expression, in the order asked, as
    /// entries like those of `vars`.
    pub values: Vec<Vec<f64>>,
}

/// Draws admissible samples of `scope` in dimension `n` until `count` of
/// them evaluate every expression of `exprs` to finite values, within a
/// budget of `40·count + 200` draws, and returns them in the order drawn.
/// `Err` says why none could be had (an unmet assumption, an undeclared
/// name, a construct the evaluator does not handle).
pub fn instances(
    scope: &Scope,
    id: &str,
    seed: u64,
    n: usize,
    exprs: &[&Ex],
    count: usize,
) -> Result<Vec<Instance>, String> {
    let mut all: Vec<&Ex> = exprs.to_vec();
    for f in &scope.assumptions {
        all.push(&f.lhs);
        all.push(&f.rhs);
    }
    let (mut vkeys, mut fkeys) = (BTreeSet::new(), BTreeSet::new());
    for e in &all {
        vars_of(e, &mut vkeys);
        funcs_of(e, &mut fkeys);
    }
    if let Some(k) = vkeys.iter().find(|k| scope.var(k).is_none()) {
        return Err(format!("the variable `{k}` is not declared"));
    }
    if let Some(k) = fkeys.iter().find(|k| scope.func(k).is_none()) {
        return Err(format!("the function `{k}` is not declared"));
    }
    let vars: Vec<_> = scope
        .vars
        .iter()
        .filter(|v| vkeys.contains(&v.key))
        .collect();
    let funcs: Vec<_> = scope
        .funcs
        .iter()
        .filter(|f| fkeys.contains(&f.key))
        .collect();
    let plan = plan(&scope.assumptions, scope);
    let mut rng = rng_for(step_seed(seed, id), n);
    let mut out = Vec::new();
    let mut why = String::from("no sample could be drawn");
    for _ in 0..40 * count + 200 {
        if out.len() >= count {
            break;
        }
        let mut env = Vec::with_capacity(vars.len());
        for v in &vars {
            let m = match v.kind {
                Kind::Scalar => match draw_scalar_plain(&v.domain, &mut rng) {
                    Some(x) => DMatrix::from_element(1, 1, x),
                    None => return Err(format!("the domain of {} is empty", v.text)),
                },
                Kind::Vector | Kind::Covector => draw_vector(n, &mut rng),
                Kind::Matrix => draw_matrix(n, &mut rng),
            };
            env.push((v.key.clone(), Val::constant(v.kind, m).map_err(trouble)?));
        }
        let mut insts = Vec::with_capacity(funcs.len());
        for f in &funcs {
            insts.push((
                f.key.clone(),
                FuncInst::draw(f, n, &mut rng).map_err(trouble)?,
            ));
        }
        let mut ctx = Ctx::new(n, &insts, env);
        if let Err(r) = realize(&mut ctx, &plan, scope) {
            why = match r {
                Reject::Assumption(i) => format!(
                    "no sample satisfies the assumption `{}`",
                    scope.assumptions.get(i).map_or("", |f| f.text.as_str())
                ),
                Reject::Domain(v) => format!("the assumptions force {v} out of its domain"),
                Reject::Trouble(t) => trouble(t),
                Reject::Together => "no sample satisfies the assumptions together".into(),
            };
            continue;
        }
        let mut values = Vec::with_capacity(exprs.len());
        for e in exprs {
            match ctx.eval(e) {
                Ok(v) if v.base().iter().all(|x| x.is_finite()) => {
                    values.push(v.base().iter().copied().collect())
                }
                Ok(_) => why = "a value is not finite at any sample".into(),
                Err(Trouble::Unsupported(w)) => return Err(format!("cannot evaluate {w}")),
                Err(Trouble::Invalid(w)) => why = format!("no sample where it is defined ({w})"),
            }
        }
        if values.len() < exprs.len() {
            continue;
        }
        let vars_out = vars
            .iter()
            .filter_map(|v| {
                let (_, val) = ctx.env.iter().rev().find(|(k, _)| *k == v.key)?;
                Some((v.text.clone(), v.kind, val.base().iter().copied().collect()))
            })
            .collect();
        out.push(Instance {
            vars: vars_out,
            values,
        });
    }
    if out.is_empty() {
        Err(why)
    } else {
        Ok(out)
    }
}

fn trouble(t: Trouble) -> String {
    match t {
        Trouble::Unsupported(w) => format!("cannot evaluate {w}"),
        Trouble::Invalid(w) => w.to_string(),
    }
}
