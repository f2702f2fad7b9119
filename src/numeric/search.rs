//! The search for a counterexample: draws, constructs, evaluates, compares,
//! dimension by dimension, and shrinks what it finds.
//!
//! Invariants: the outcome depends only on the step and the [`Config`]
//! (seeded per step and per dimension); dimensions are tried smallest
//! first and the search stops at the first violating sample, so a reported
//! counterexample has the smallest dimension in which one was found; a
//! `Refuted` always carries a sample that satisfies every assumption and
//! domain; an `Agrees` is only returned after enough valid samples.

use std::collections::{BTreeMap, BTreeSet};

use nalgebra::DMatrix;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::assume::{plans, realize, Plan, Reject};
use super::eval::Ctx;
use super::funcs::FuncInst;
use super::print;
use super::probe::{Look, Probe};
use super::sample::{
    draw_matrix, draw_scalar, draw_vector_among, in_domain_exact, rng_for, round_sig, special_for,
    step_seed, Spread, DIMS,
};
use super::value::{Res, Trouble, Val};
use super::walk::{funcs_of, has_dimension, vars_of};
use super::Config;
use crate::sema::hir::{Ex, FuncDecl, Kind, Step, VarDecl};
use crate::verdict::{Binding, Counterexample, Numeric};

/// Attempts per dimension: `BUDGET_FACTOR · per_dim + BUDGET_EXTRA`, so that
/// rejection sampling has room when an assumption is met by one draw in a
/// few.
const BUDGET_FACTOR: usize = 10;
const BUDGET_EXTRA: usize = 40;

/// One free draw: a value for every variable (declaration order) and an
/// instance of every function.
#[derive(Clone, Debug)]
struct Draw {
    /// Which of the assumptions' branch plans makes them hold.
    branch: usize,
    vals: Vec<(String, Kind, DMatrix<f64>)>,
    funcs: Vec<(String, FuncInst)>,
}

/// A sample where the step fails.
struct Violation {
    /// The free draw.
    draw: Draw,
    /// The sample after the assumptions were constructed.
    env: Vec<(String, Val)>,
    /// What the probe found.
    look: Look,
}

/// What the search checks at each sample.
#[derive(Clone, Copy)]
pub(crate) enum Task<'p> {
    /// The expression only has to evaluate (a `show` step): one valid
    /// sample suffices and nothing is compared.
    Show(&'p Ex),
    /// The probe must hold at every sample.
    Check(&'p dyn Probe),
}

/// What one attempt gave.
enum Trial {
    /// A valid sample; for checks, what the probe found.
    Valid(Option<Look>, Vec<(String, Val)>),
    /// The draw did not meet the assumptions.
    Rejected(Reject),
    /// The step cannot be evaluated at this sample.
    Invalid(&'static str),
    /// The step cannot be evaluated at all.
    Unsupported(String),
}

/// A step prepared for sampling.
pub(crate) struct Setup<'a> {
    step: &'a Step,
    vars: Vec<&'a VarDecl>,
    funcs: Vec<&'a FuncDecl>,
    plan: Plan<'a>,
    /// One plan per branch of the assumptions (see [`plans`]); `plan` is
    /// the first.
    branches: Vec<Plan<'a>>,
    dims: Vec<usize>,
    spread: Spread,
}

impl<'a> Setup<'a> {
    /// Collects what the goal expressions and the assumptions mention.
    /// `goal` must list every expression the task evaluates.
    pub fn new(step: &'a Step, goal: &[&Ex]) -> Result<Setup<'a>, Numeric> {
        let scope = &*step.scope;
        let mut exprs: Vec<&Ex> = goal.to_vec();
        for f in &scope.assumptions {
            exprs.push(&f.lhs);
            exprs.push(&f.rhs);
        }
        let mut vkeys = BTreeSet::new();
        let mut fkeys = BTreeSet::new();
        for e in &exprs {
            vars_of(e, &mut vkeys);
            funcs_of(e, &mut fkeys);
        }
        for k in &vkeys {
            if scope.var(k).is_none() {
                return Err(Numeric::Failed {
                    why: format!("the variable `{k}` is not declared"),
                });
            }
        }
        for k in &fkeys {
            if scope.func(k).is_none() {
                return Err(Numeric::Failed {
                    why: format!("the function `{k}` is not declared"),
                });
            }
        }
        let vars: Vec<&VarDecl> = scope
            .vars
            .iter()
            .filter(|v| vkeys.contains(&v.key))
            .collect();
        let funcs: Vec<&FuncDecl> = scope
            .funcs
            .iter()
            .filter(|f| fkeys.contains(&f.key))
            .collect();
        let dimensional = exprs.iter().any(|e| has_dimension(e))
            || vars.iter().any(|v| v.kind != Kind::Scalar)
            || funcs
                .iter()
                .any(|f| f.ret != Kind::Scalar || f.params.iter().any(|k| *k != Kind::Scalar));
        let dims = if dimensional { DIMS.to_vec() } else { vec![1] };
        let branches = plans(&scope.assumptions, scope);
        Ok(Setup {
            step,
            vars,
            funcs,
            plan: branches[0].clone(),
            branches,
            dims,
            spread: Spread::MODERATE,
        })
    }

    /// A free draw; `attempt` (the attempt's number in its dimension) picks
    /// the special values the first attempts take ([`special_for`]).
    fn draw(&self, n: usize, rng: &mut ChaCha8Rng, attempt: usize) -> Result<Draw, Numeric> {
        let branch = if self.branches.len() > 1 {
            rng.gen_range(0..self.branches.len())
        } else {
            0
        };
        let mut vals = Vec::with_capacity(self.vars.len());
        let mut vectors: Vec<DMatrix<f64>> = Vec::new();
        let mut scalars = 0usize;
        for v in &self.vars {
            let special = if v.kind == Kind::Scalar {
                scalars += 1;
                special_for(attempt, scalars - 1, self.spread)
                    .filter(|x| in_domain_exact(*x, &v.domain))
            } else {
                None
            };
            let m = match v.kind {
                Kind::Scalar if special.is_some() => {
                    DMatrix::from_element(1, 1, special.unwrap_or(0.0))
                }
                Kind::Scalar => match draw_scalar(&v.domain, rng, self.spread) {
                    Some(x) => DMatrix::from_element(1, 1, x),
                    None => {
                        return Err(Numeric::Failed {
                            why: format!("the domain of {} is empty", v.text),
                        })
                    }
                },
                Kind::Vector | Kind::Covector => {
                    let x = draw_vector_among(n, rng, &vectors, self.spread);
                    vectors.push(x.clone());
                    x
                }
                Kind::Matrix => draw_matrix(n, rng),
            };
            vals.push((v.key.clone(), v.kind, m));
        }
        let mut funcs = Vec::with_capacity(self.funcs.len());
        for f in &self.funcs {
            match FuncInst::draw(f, n, rng) {
                Ok(inst) => funcs.push((f.key.clone(), inst)),
                Err(Trouble::Unsupported(what)) => return Err(Numeric::Unsupported { what }),
                Err(Trouble::Invalid(why)) => return Err(Numeric::Failed { why: why.into() }),
            }
        }
        Ok(Draw {
            branch,
            vals,
            funcs,
        })
    }

    /// The draw with every variable rounded to `digits` significant digits,
    /// unless that leaves a domain or changes nothing.
    fn rounded(&self, d: &Draw, digits: i32) -> Option<Draw> {
        let mut out = d.clone();
        let mut changed = false;
        for ((_, kind, m), decl) in out.vals.iter_mut().zip(&self.vars) {
            let r = m.map(|x| round_sig(x, digits));
            if *kind == Kind::Scalar && !in_domain_exact(r[(0, 0)], &decl.domain) {
                return None;
            }
            changed |= r != *m;
            *m = r;
        }
        changed.then_some(out)
    }

    /// The same setup, sampling over the given spread.
    pub fn with_spread(mut self, spread: Spread) -> Setup<'a> {
        self.spread = spread;
        self
    }

    /// The same setup, sampling the given dimensions instead (for a step
    /// without a dimension this changes nothing).
    pub fn with_dims(mut self, dims: &[usize]) -> Setup<'a> {
        if self.dims != [1] && !dims.is_empty() {
            self.dims = dims.to_vec();
        }
        self
    }

    fn trial(&self, d: &Draw, n: usize, task: Task<'_>) -> Trial {
        let mut env = Vec::with_capacity(d.vals.len());
        for (k, kind, m) in &d.vals {
            match Val::constant(*kind, m.clone()) {
                Ok(v) => env.push((k.clone(), v)),
                Err(Trouble::Invalid(why)) => return Trial::Invalid(why),
                Err(Trouble::Unsupported(w)) => return Trial::Unsupported(w),
            }
        }
        let mut ctx = Ctx::new(n, &d.funcs, env);
        let plan = self.branches.get(d.branch).unwrap_or(&self.plan);
        match realize(&mut ctx, plan, &self.step.scope) {
            Ok(()) => {}
            Err(Reject::Trouble(Trouble::Unsupported(w))) => return Trial::Unsupported(w),
            Err(r) => return Trial::Rejected(r),
        }
        let res: Res<Option<Look>> = match task {
            Task::Check(p) => p.look(&mut ctx).map(Some),
            Task::Show(e) => ctx.eval(e).map(|_| None),
        };
        match res {
            Ok(c) => Trial::Valid(c, ctx.env),
            Err(Trouble::Invalid(why)) => Trial::Invalid(why),
            Err(Trouble::Unsupported(w)) => Trial::Unsupported(w),
        }
    }

    fn counterexample(&self, n: usize, v: &Violation, task: Task<'_>) -> Counterexample {
        let (d, env, look) = (&v.draw, &v.env, &v.look);
        let hidden = match task {
            Task::Check(p) => p.hidden(),
            Task::Show(_) => None,
        };
        let mut values = Vec::new();
        for v in &self.vars {
            if Some(v.key.as_str()) == hidden {
                continue;
            }
            if let Some((_, val)) = env.iter().rev().find(|(k, _)| *k == v.key) {
                let value = if look.exact {
                    print::exact_value(val.kind, val.base())
                } else {
                    print::value(val.kind, val.base())
                };
                values.push(Binding {
                    name: v.text.clone(),
                    value,
                });
            }
        }
        values.extend(look.extra.iter().map(|x| x.binding()));
        for f in &self.funcs {
            if let Some((_, inst)) = d.funcs.iter().find(|(k, _)| *k == f.key) {
                values.push(Binding {
                    name: f.text.clone(),
                    value: inst.describe(&f.text),
                });
            }
        }
        Counterexample {
            n,
            values,
            lhs: look.lhs.print(),
            rhs: look.rhs.print(),
            error: look.error,
        }
    }

    /// Samples until a violation, or `cfg.samples` valid samples, or the
    /// budget runs out.
    pub fn run(&self, cfg: &Config, task: Task<'_>) -> Numeric {
        let show = matches!(task, Task::Show(_));
        let seed = step_seed(cfg.seed, &self.step.id);
        let wanted = if show { 1 } else { cfg.samples.max(1) };
        let per_dim = wanted.div_ceil(self.dims.len()).max(1);
        let budget = BUDGET_FACTOR * per_dim + BUDGET_EXTRA;
        let mut total = 0usize;
        let mut max_error = 0.0_f64;
        let mut invalid_counted = 0usize;
        let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut rejects: BTreeMap<usize, usize> = BTreeMap::new();
        let mut domain_rejects: BTreeMap<String, usize> = BTreeMap::new();
        let mut together = 0usize;
        let mut other_rejects: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut attempts_total = 0usize;
        let mut base: Option<Draw> = None;
        for &n in &self.dims {
            let mut rng = rng_for(seed, n);
            let mut valid = 0usize;
            let mut invalid = 0usize;
            for attempt in 0..budget {
                if valid >= per_dim || total + valid >= wanted {
                    break;
                }
                attempts_total += 1;
                let d = match self.draw(n, &mut rng, attempt) {
                    Ok(d) => d,
                    Err(out) => return out,
                };
                match self.trial(&d, n, task) {
                    Trial::Valid(Some(look), env) if !look.holds => {
                        let found = Violation { draw: d, env, look };
                        let found = self.shrink(n, found, task);
                        return Numeric::Refuted {
                            samples: total + valid + 1,
                            counterexample: self.counterexample(n, &found, task),
                        };
                    }
                    Trial::Valid(c, _) => {
                        if base.is_none() && n == 1 {
                            base = Some(d.clone());
                        }
                        valid += 1;
                        if let Some(look) = c {
                            max_error = max_error.max(look.error);
                        }
                    }
                    Trial::Rejected(Reject::Assumption(i)) => *rejects.entry(i).or_default() += 1,
                    Trial::Rejected(Reject::Domain(v)) => {
                        *domain_rejects.entry(v).or_default() += 1
                    }
                    Trial::Rejected(Reject::Together) => together += 1,
                    Trial::Rejected(Reject::Trouble(Trouble::Invalid(why))) => {
                        *other_rejects.entry(why).or_default() += 1
                    }
                    Trial::Rejected(Reject::Trouble(Trouble::Unsupported(what)))
                    | Trial::Unsupported(what) => return Numeric::Unsupported { what },
                    Trial::Invalid(why) => {
                        invalid += 1;
                        *reasons.entry(why).or_default() += 1;
                    }
                }
            }
            if valid > 0 {
                invalid_counted += invalid;
            }
            total += valid;
            if total >= wanted {
                break;
            }
        }
        let most = |m: &BTreeMap<&'static str, usize>| {
            m.iter()
                .max_by_key(|(_, c)| **c)
                .map(|(w, _)| (*w).to_string())
                .unwrap_or_default()
        };
        if total == 0 {
            let why = if let Some((i, c)) = rejects.iter().max_by_key(|(_, c)| **c) {
                let text = self
                    .plan
                    .facts
                    .get(*i)
                    .map_or(String::new(), |f| f.text.clone());
                format!(
                    "no sample satisfies the assumption `{text}` ({c} of {attempts_total} draws failed it)"
                )
            } else if together > 0 {
                let texts: Vec<String> = self
                    .plan
                    .ctors
                    .iter()
                    .filter_map(|(i, _)| self.plan.facts.get(*i))
                    .map(|f| format!("`{}`", f.text))
                    .collect();
                format!(
                    "no sample satisfies the assumptions {} together",
                    texts.join(", ")
                )
            } else if let Some((v, _)) = domain_rejects.iter().max_by_key(|(_, c)| **c) {
                format!("the assumptions force {v} out of its domain")
            } else if !other_rejects.is_empty() {
                format!(
                    "the assumptions cannot be evaluated: {}",
                    most(&other_rejects)
                )
            } else {
                format!(
                    "no sample where the step can be evaluated ({})",
                    most(&reasons)
                )
            };
            return Numeric::Failed { why };
        }
        if show {
            return Numeric::Agrees {
                samples: 0,
                max_error: 0.0,
            };
        }
        if invalid_counted > 3 * total {
            return Numeric::Failed {
                why: format!(
                    "most samples lie outside the step's domain ({} of {} evaluations: {})",
                    invalid_counted,
                    invalid_counted + total,
                    most(&reasons)
                ),
            };
        }
        if 4 * total < wanted {
            return Numeric::Failed {
                why: format!("only {total} of {wanted} samples could be drawn and evaluated"),
            };
        }
        if let Some(b) = &base {
            if let Some(found) = self.directed(b, task) {
                let found = self.shrink(1, found, task);
                return Numeric::Refuted {
                    samples: total + 1,
                    counterexample: self.counterexample(1, &found, task),
                };
            }
        }
        Numeric::Agrees {
            samples: total,
            max_error,
        }
    }

    /// The directed search for an inequality between scalars (precisely
    /// evaluated, without assumptions): from a valid sample in n = 1, each
    /// scalar in turn is moved over a grid of its domain (0, ±10^(k/4) for
    /// |k| ≤ 60, the domain's ends and points just inside them), the margin
    /// of the relation is minimised from every grid minimum by golden
    /// section, and every sign change of the margin is bisected; the first
    /// point where the relation fails is returned.
    fn directed(&self, base: &Draw, task: Task<'_>) -> Option<Violation> {
        use crate::sema::hir::{Goal, RelOp};
        let Goal::Relation(fact) = &self.step.goal else {
            return None;
        };
        let sign = match fact.op {
            RelOp::Lt | RelOp::Le => -1.0,
            RelOp::Gt | RelOp::Ge => 1.0,
            _ => return None,
        };
        if self.spread != Spread::WIDE
            || !self.step.scope.assumptions.is_empty()
            || fact.lhs.kind != Kind::Scalar
        {
            return None;
        }
        let violation = |d: &Draw| -> Option<Violation> {
            match self.trial(d, 1, task) {
                Trial::Valid(Some(look), env) if !look.holds => Some(Violation {
                    draw: d.clone(),
                    env,
                    look,
                }),
                _ => None,
            }
        };
        for (i, decl) in self.vars.iter().enumerate() {
            if decl.kind != Kind::Scalar {
                continue;
            }
            let at = |x: f64| -> Draw {
                let mut d = base.clone();
                d.vals[i].2 = DMatrix::from_element(1, 1, x);
                d
            };
            let margin = |x: f64| -> Option<f64> {
                let d = at(x);
                let env: Vec<(String, Val)> = d
                    .vals
                    .iter()
                    .filter_map(|(k, kind, m)| {
                        Some((k.clone(), Val::constant(*kind, m.clone()).ok()?))
                    })
                    .collect();
                let ctx = Ctx::new(1, &d.funcs, env);
                super::precise::difference(&ctx, fact).map(|m| sign * m)
            };
            let mut grid: Vec<f64> = vec![0.0];
            for k in -60..=60 {
                let x = round_sig(10f64.powf(k as f64 / 4.0), 3);
                grid.push(x);
                grid.push(-x);
            }
            if let crate::sema::hir::Domain::Cmp(_, c)
            | crate::sema::hir::Domain::Interval { lo: c, .. } = &decl.domain
            {
                let c = c.to_f64();
                for k in [0.0, 1e-9, 1e-6, 1e-3] {
                    grid.push(c + k * c.abs().max(1.0));
                    grid.push(c - k * c.abs().max(1.0));
                }
            }
            if let crate::sema::hir::Domain::Interval { hi, .. } = &decl.domain {
                let c = hi.to_f64();
                for k in [0.0, 1e-9, 1e-6, 1e-3] {
                    grid.push(c - k * c.abs().max(1.0));
                }
            }
            grid.retain(|x| x.is_finite() && in_domain_exact(*x, &decl.domain));
            grid.sort_by(|a, b| a.total_cmp(b));
            grid.dedup();
            let pts: Vec<(f64, f64)> = grid
                .iter()
                .filter_map(|x| margin(*x).map(|m| (*x, m)))
                .collect();
            for (x, m) in &pts {
                if *m <= 0.0 {
                    if let Some(v) = violation(&at(*x)) {
                        return Some(v);
                    }
                }
            }
            for j in 1..pts.len().saturating_sub(1) {
                let (a, b, c) = (pts[j - 1], pts[j], pts[j + 1]);
                let mut cands = Vec::new();
                if b.1 <= a.1 && b.1 <= c.1 {
                    // Golden section on [a, c] for the minimum of the margin.
                    let (mut lo, mut hi) = (a.0, c.0);
                    let g = 0.618_033_988_749_895;
                    for _ in 0..80 {
                        let x1 = hi - g * (hi - lo);
                        let x2 = lo + g * (hi - lo);
                        match (margin(x1), margin(x2)) {
                            (Some(m1), Some(m2)) if m1 < m2 => hi = x2,
                            (Some(_), Some(_)) => lo = x1,
                            _ => break,
                        }
                    }
                    cands.push(0.5 * (lo + hi));
                }
                for (p, q) in [(a, b), (b, c)] {
                    if (p.1 > 0.0) != (q.1 > 0.0) {
                        let (mut lo, mut hi) = (p.0, q.0);
                        let pos_lo = p.1 > 0.0;
                        for _ in 0..80 {
                            let mid = 0.5 * (lo + hi);
                            match margin(mid) {
                                Some(m) if (m > 0.0) == pos_lo => lo = mid,
                                Some(_) => hi = mid,
                                None => break,
                            }
                        }
                        cands.push(lo);
                        cands.push(hi);
                    }
                }
                for x in cands {
                    for digits in [2, 4, 6, 9, 17] {
                        let r = round_sig(x, digits);
                        if in_domain_exact(r, &decl.domain) {
                            if let Some(v) = violation(&at(r)) {
                                return Some(v);
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// Tries the violating draw rounded to 1, then 2 significant digits, and
    /// keeps the first that still violates the step.
    fn shrink(&self, n: usize, found: Violation, task: Task<'_>) -> Violation {
        for digits in [1, 2] {
            let Some(small) = self.rounded(&found.draw, digits) else {
                continue;
            };
            if let Trial::Valid(Some(look), env) = self.trial(&small, n, task) {
                if !look.holds {
                    return Violation {
                        draw: small,
                        env,
                        look,
                    };
                }
            }
        }
        found
    }
}
