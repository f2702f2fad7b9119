//! The symbolic judge: proves steps exactly, for every dimension n at once.
//!
//! # Representation
//! A scalar is a [`Term`] over *scalar atoms*: declared scalars, Gram atoms
//! ⟨u, v⟩ of two distinct vector atoms, norms ‖v‖ (with ⟨v, v⟩ = ‖v‖²),
//! and applications of declared functions. A vector is a combination
//! Σ cₖ·vₖ of *vector atoms* (declared vectors, sign(v), ∇J(x), …) with
//! scalar coefficients; a matrix is c·I + Σ c·u vᵀ + Σ c·M (see `lin.rs`).
//! Inner products expand bilinearly; ∇ runs the chain rule over atoms
//! (`calculus.rs`); assumptions rewrite atoms (`subst.rs`); the engine
//! normalises every scalar coefficient exactly.
//!
//! # Soundness
//! A step is *proved* only when, after exact lowering, every coefficient of
//! (left − right) normalises to 0 in the engine. Atoms are treated as
//! independent symbols; an identity that holds for independent symbols holds
//! for every specialisation of them, so no false step is proved. The judge
//! may fail to prove a true step (one that needs n = 1, say); it then says
//! *undecided* and the numeric judge decides. Conditional rewrites (|c| = c)
//! are made only where declared domains give the condition (`signs.rs`).
//!
//! Solving (`solve.rs`, every root of a scalar equation in `roots.rs`) and
//! optimisation (`optimize.rs`, equality constraints in `equality.rs`)
//! verify what they find by substituting it back.
//!
//! # Deciding
//! The judge *refutes* a step only with an exact witness (`witness.rs`):
//! a point — rational scalars in their domains, a dimension n and rational
//! vectors with rational norms — where every assumption holds exactly and
//! the sides as written (lowered, before any assumption rewrite) evaluate
//! exactly to values that break the relation; or where a stated solve
//! answer and the equation or inequality disagree (the stated set compared
//! with the truth endpoint by endpoint, parameters tried where a
//! coefficient vanishes); or where a stated optimum is infeasible or worse
//! than a feasible point. Independently of any normal form, such a point
//! shows the step false. On rational functions of independent scalar atoms
//! a non-zero difference is non-zero at almost every point, so the search
//! (special values, domain ends, zeros of the difference's linear factors,
//! random rationals) finds one. `defined.rs` refutes a side undefined (an
//! even root or logarithm of a negative number) where the other is
//! defined, evaluating the checked program itself, not the lowering.
//!
//! # Budget
//! Every step runs under [`crate::engine::Budget`]: a deadline, and limits
//! on term size and powers that the engine checks before the backend sees
//! a term; lowering checks the size of every value it builds.
//!
//! Invariant: this module never imports the numeric judge, and it reaches
//! the computer-algebra backend only through [`crate::engine::Session`].

mod atoms;
mod calculus;
mod defined;
mod equality;
mod lin;
mod lower;
mod optimize;
mod print;
mod roots;
mod signs;
mod solve;
mod subst;
mod val;
mod witness;

use crate::engine::{EngineError, Session};
use crate::sema::hir::{Ex, Goal, Kind, Node, RelOp, Scope, Step};
use crate::term::Term;
use crate::verdict::Symbolic;
use atoms::Atoms;
use lin::{Lin, Mat};
use signs::Sign;
use subst::Rules;
use val::Val;

/// Why a step could not be lowered: a construct in words.
pub type Res<T> = Result<T, String>;

fn eng_err(e: EngineError) -> String {
    match e {
        EngineError::TooLarge(_) => e.to_string(),
        e => format!("the algebra engine failed: {e}"),
    }
}

/// The state of judging one step.
pub struct Ctx<'a> {
    atoms: Atoms,
    scope: &'a Scope,
    eng: &'a mut Session,
    /// Signs of auxiliary symbols (the case split of a KKT check).
    extra_signs: std::collections::HashMap<String, Sign>,
}

/// Judges one step with the engine session of the running job.
pub fn judge(step: &Step, eng: &mut Session) -> Symbolic {
    eng.set_deadline(Some(
        std::time::Instant::now() + crate::engine::Budget::STEP_TIME,
    ));
    let out = judge_within(step, eng);
    eng.set_deadline(None);
    out
}

fn judge_within(step: &Step, eng: &mut Session) -> Symbolic {
    let mut ctx = Ctx {
        atoms: Atoms::default(),
        scope: &step.scope,
        eng,
        extra_signs: std::collections::HashMap::new(),
    };
    match ctx.judge(step) {
        Ok(s) => s,
        Err(what) => Symbolic::Unsupported { what },
    }
}

impl Ctx<'_> {
    fn judge(&mut self, step: &Step) -> Res<Symbolic> {
        let (rules, mut derived) = self.assumptions()?;
        // A refutation rests on "non-zero normal form"; an equality
        // assumption the rules do not capture could make it zero.
        let exact = !self
            .scope
            .assumptions
            .iter()
            .any(|f| f.op == RelOp::Eq && derived.iter().any(|l| l.contains(&f.text)));
        match &step.goal {
            Goal::Relation(f) => {
                let raw_l = self.lower(&f.lhs)?;
                let raw_r = self.lower(&f.rhs)?;
                let canon = self
                    .canonical(&raw_l, &rules)
                    .and_then(|l| Ok((l, self.canonical(&raw_r, &rules)?)));
                let (l, r) = match canon {
                    Ok(lr) => lr,
                    // Past the budget: an exact witness at small values may
                    // still exist (x = 0 for x^(2^64) = 1).
                    Err(why) => {
                        let goal = witness::Rel {
                            l: raw_l,
                            op: f.op,
                            r: raw_r,
                        };
                        let zero = Val::S(Term::int(0));
                        return match self.refute(&step.id, &goal, &zero)? {
                            Some(w) => {
                                let line = w.line();
                                derived.push(line.clone());
                                Ok(Symbolic::Refuted {
                                    derived,
                                    answer: None,
                                    why: line,
                                })
                            }
                            None => Err(why),
                        };
                    }
                };
                derived.push(format!("left side = {}", self.show(&l)));
                derived.push(format!("right side = {}", self.show(&r)));
                let d = self.sub(&l, &r)?;
                let d = self.canonical(&d, &rules)?;
                derived.push(format!("left − right = {}", self.show(&d)));
                if let Some(why) = self.undefined_side(&step.id, &f.lhs, &f.rhs) {
                    derived.push(why.clone());
                    return Ok(Symbolic::Refuted {
                        derived,
                        answer: None,
                        why,
                    });
                }
                let holds = match f.op {
                    RelOp::Eq => is_zero(&d),
                    op => match &d {
                        Val::S(t) => self.order_holds(op, t),
                        _ => false,
                    },
                };
                if holds {
                    return Ok(Symbolic::Proved {
                        derived,
                        answer: None,
                    });
                }
                let goal = witness::Rel {
                    l: raw_l,
                    op: f.op,
                    r: raw_r,
                };
                match self.refute(&step.id, &goal, &d)? {
                    Some(w) => {
                        let why = w.line();
                        derived.push(why.clone());
                        Ok(Symbolic::Refuted {
                            derived,
                            answer: None,
                            why,
                        })
                    }
                    None => {
                        let why = self.why_undecided(&d, f.op);
                        Ok(Symbolic::Undecided {
                            derived,
                            answer: None,
                            why,
                        })
                    }
                }
            }
            Goal::Show(e) => {
                let v = self.lower(e)?;
                let v = self.canonical(&v, &rules)?;
                derived.push(format!("= {}", self.show(&v)));
                Ok(Symbolic::Proved {
                    derived,
                    answer: None,
                })
            }
            Goal::Solve { rel, var, answer } => {
                let mut o = self.solve(rel, var, answer.as_deref(), &rules)?;
                if !exact {
                    if let Some(why) = o.refuted.take() {
                        o.derived.push(format!(
                            "not refuted by the symbolic judge ({why}): an equality assumption it does not use might change that"
                        ));
                    }
                }
                Ok(outcome(derived, o))
            }
            Goal::Optimize {
                sense,
                objective,
                var,
                constraints,
                answer,
            } => {
                let o =
                    self.optimize(*sense, objective, var, constraints, answer.as_ref(), &rules)?;
                Ok(outcome(derived, o))
            }
        }
    }

    /// An exact witness against `goal` (see `witness.rs`), with the zeros
    /// of the factors of the difference `d` as special points. `None` when
    /// an assumption cannot be evaluated at points (then no point can be
    /// shown to satisfy it) or no point was found.
    fn refute(
        &mut self,
        seed: &str,
        goal: &witness::Rel,
        d: &Val,
    ) -> Res<Option<witness::Witness>> {
        let Some(facts) = self.lowered_assumptions() else {
            return Ok(None);
        };
        let mut zeros = Vec::new();
        // Only polynomials in some symbol: the backend would factor a
        // constant as an integer, which can take very long.
        let symbolic = |t: &Term| {
            let mut syms = std::collections::BTreeSet::new();
            calculus::symbols(t, &mut syms);
            !syms.is_empty()
        };
        if let Val::S(t) = d {
            if !symbolic(t) {
                return self.witness(seed, goal, &facts, &zeros);
            }
            if let Ok(fac) = self.eng.factor(t) {
                for (b, _) in solve::factor_list(&fac) {
                    if !matches!(b, Term::Num(_)) && zeros.len() < 8 {
                        zeros.push(b);
                    }
                }
            }
        }
        self.witness(seed, goal, &facts, &zeros)
    }

    /// An exact point where one side of a scalar relation is defined and
    /// the other is not (see `defined.rs`), in words.
    fn undefined_side(&self, seed: &str, l: &Ex, r: &Ex) -> Option<String> {
        if l.kind != Kind::Scalar || r.kind != Kind::Scalar {
            return None;
        }
        if !defined::may_be_undefined(l) && !defined::may_be_undefined(r) {
            return None;
        }
        let points = witness::scalar_points(self.scope, seed, 60);
        let (p, left, why) = defined::mismatch(self.scope, l, r, &points)?;
        let mut keys = std::collections::BTreeSet::new();
        var_keys(l, &mut keys);
        var_keys(r, &mut keys);
        let at: Vec<String> = self
            .scope
            .vars
            .iter()
            .filter(|v| keys.contains(&v.key))
            .filter_map(|v| p.get(&v.key).map(|x| format!("{} = {x}", v.text)))
            .collect();
        let (bad, good) = if left {
            ("left", "right")
        } else {
            ("right", "left")
        };
        Some(format!(
            "exact witness at {}: the {bad} side is undefined there ({why}) while the {good} side is defined",
            at.join(", ")
        ))
    }

    /// Every assumption in scope, lowered as it is written (no rewrites);
    /// `None` when one cannot be lowered (then no point can be shown to
    /// satisfy it).
    pub(crate) fn lowered_assumptions(&mut self) -> Option<Vec<witness::Rel>> {
        let mut facts = Vec::new();
        for f in &self.scope.assumptions.clone() {
            let (Ok(l), Ok(r)) = (self.lower(&f.lhs), self.lower(&f.rhs)) else {
                return None;
            };
            facts.push(witness::Rel { l, op: f.op, r });
        }
        Some(facts)
    }

    /// Why a relation with difference `d` stays undecided, in one line.
    fn why_undecided(&self, d: &Val, op: RelOp) -> String {
        let mut what = Vec::new();
        let mut funs = std::collections::BTreeSet::new();
        let mut terms = Vec::new();
        match d {
            Val::S(t) => terms.push(t.clone()),
            Val::V(l) | Val::C(l) => terms.extend(l.0.values().cloned()),
            Val::M(_) => what.push("matrices".to_string()),
        }
        for t in &terms {
            fun_names(t, &mut funs);
        }
        let atoms_of = |pred: fn(&atoms::SAtom) -> bool| self.atoms.scalars.iter().any(pred);
        if funs.iter().any(|f| f == "exp" || f == "log") {
            what.push("exp or log away from 0 and 1".into());
        }
        if funs
            .iter()
            .any(|f| !matches!(f.as_str(), "exp" | "log" | "abs" | "sign"))
            || atoms_of(|a| matches!(a, atoms::SAtom::Apply(..)))
        {
            what.push("unknown functions".into());
        }
        if !self.scope.assumptions.is_empty() {
            what.push("assumptions no drawn point satisfied".into());
        }
        let kind = if op == RelOp::Eq {
            "the exact difference is not 0 for independent atoms"
        } else {
            "the sign of the difference does not follow from the declared domains"
        };
        if what.is_empty() {
            format!("{kind}, and no exact witness was found")
        } else {
            format!(
                "{kind}, and no exact witness was found ({})",
                what.join("; ")
            )
        }
    }

    /// Learns atom rewrites from the assumptions in scope.
    fn assumptions(&mut self) -> Res<(Rules, Vec<String>)> {
        let mut rules = Rules::default();
        let mut notes = Vec::new();
        let facts = self.scope.assumptions.clone();
        for f in &facts {
            let used = if f.op == RelOp::Eq && f.lhs.kind == Kind::Scalar {
                let l = self.lower(&f.lhs)?;
                let r = self.lower(&f.rhs)?;
                match (l, r) {
                    (Val::S(l), Val::S(r)) => {
                        let l = rules.apply(&l);
                        let r = rules.apply(&r);
                        let l = self.eng.normalize(&l).map_err(eng_err)?;
                        let r = self.eng.normalize(&r).map_err(eng_err)?;
                        rules.learn(self, &l, &r)
                    }
                    _ => false,
                }
            } else {
                false
            };
            if !used {
                notes.push(format!(
                    "assumption {} not used by the symbolic judge",
                    f.text
                ));
            }
        }
        Ok((rules, notes))
    }

    /// Applies the assumption rewrites and normalises every coefficient.
    fn canonical(&mut self, v: &Val, rules: &Rules) -> Res<Val> {
        let mut norm = |t: &Term| -> Res<Term> {
            let t = rules.apply(t);
            self.eng.normalize(&t).map_err(eng_err)
        };
        Ok(match v {
            Val::S(t) => Val::S(norm(t)?),
            Val::V(l) => Val::V(canon_lin(l, &mut norm)?),
            Val::C(l) => Val::C(canon_lin(l, &mut norm)?),
            Val::M(m) => {
                let mut out = Mat::default();
                if let Some(c) = &m.id {
                    let c = norm(c)?;
                    if !c.is_zero() {
                        out.id = Some(c);
                    }
                }
                for (k, c) in &m.outer {
                    let c = norm(c)?;
                    if !c.is_zero() {
                        out.outer.insert(*k, c);
                    }
                }
                for (k, c) in &m.atoms {
                    let c = norm(c)?;
                    if !c.is_zero() {
                        out.atoms.insert(*k, c);
                    }
                }
                Val::M(out)
            }
        })
    }

    /// Whether `d op 0` follows from the declared signs.
    fn order_holds(&self, op: RelOp, d: &Term) -> bool {
        let s = self.sign(d);
        match op {
            RelOp::Lt => s == Sign::Neg,
            RelOp::Le => s.nonpos(),
            RelOp::Gt => s == Sign::Pos,
            RelOp::Ge => s.nonneg(),
            RelOp::Ne => matches!(s, Sign::Pos | Sign::Neg),
            RelOp::Eq => s == Sign::Zero,
        }
    }
}

fn outcome(mut derived: Vec<String>, o: solve::Outcome) -> Symbolic {
    derived.extend(o.derived);
    if let Some(why) = o.refuted {
        Symbolic::Refuted {
            derived,
            answer: o.answer,
            why,
        }
    } else if o.proved {
        Symbolic::Proved {
            derived,
            answer: o.answer,
        }
    } else {
        // The last line that says what is missing, else a generic reason.
        let why = derived
            .iter()
            .rev()
            .find(|l| {
                l.starts_with("not ")
                    || l.contains("not established")
                    || l.contains("does not follow")
                    || l.starts_with("stated − derived")
                    || l.starts_with("the stated answer is not")
            })
            .cloned()
            .unwrap_or_else(|| "the stated answer was not matched exactly, and no exact witness against it was found".into());
        Symbolic::Undecided {
            derived,
            answer: o.answer,
            why,
        }
    }
}

/// Keys of the variables an expression mentions.
pub(super) fn var_keys(e: &Ex, out: &mut std::collections::BTreeSet<String>) {
    match &e.node {
        Node::Var(k) => {
            out.insert(k.clone());
        }
        Node::Num(_) | Node::Identity | Node::Zero => {}
        Node::Apply { args, .. } | Node::GradFn { args, .. } => {
            args.iter().for_each(|a| var_keys(a, out))
        }
        Node::Builtin(_, a) | Node::Norm(_, a) | Node::Transpose(a) | Node::Neg(a) => {
            var_keys(a, out)
        }
        Node::Grad { body, .. } => var_keys(body, out),
        Node::Inner(a, b) | Node::Bin(_, a, b) => {
            var_keys(a, out);
            var_keys(b, out);
        }
        Node::Subst(body, binds) => {
            var_keys(body, out);
            binds.iter().for_each(|(_, v)| var_keys(v, out));
        }
    }
}

/// Names of the functions applied anywhere in `t`.
fn fun_names(t: &Term, out: &mut std::collections::BTreeSet<String>) {
    match t {
        Term::Num(_) | Term::Sym(_) => {}
        Term::Add(v) | Term::Mul(v) => v.iter().for_each(|x| fun_names(x, out)),
        Term::Pow(a, b) => {
            fun_names(a, out);
            fun_names(b, out);
        }
        Term::Fun(f, v) => {
            out.insert(f.clone());
            v.iter().for_each(|x| fun_names(x, out));
        }
    }
}

fn canon_lin(l: &Lin, norm: &mut impl FnMut(&Term) -> Res<Term>) -> Res<Lin> {
    let mut out = Lin::default();
    for (k, c) in &l.0 {
        let c = norm(c)?;
        if !c.is_zero() {
            out.0.insert(*k, c);
        }
    }
    Ok(out)
}

fn is_zero(v: &Val) -> bool {
    match v {
        Val::S(t) => t.is_zero(),
        Val::V(l) | Val::C(l) => l.0.is_empty(),
        Val::M(m) => m.id.is_none() && m.outer.is_empty() && m.atoms.is_empty(),
    }
}
