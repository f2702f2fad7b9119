//! `minimize`/`maximize f over v subject to …`: KKT conditions, exactly.
//!
//! Two problem classes are decided:
//! - no constraints: stationarity ∇f = 0 is solved (see `solve.rs`); the
//!   point is the unique minimiser (maximiser) when ∇²f = c·I with c > 0
//!   (c < 0) by the declared domains, otherwise only stationarity is
//!   established and the step is left to the numeric judge;
//! - a linear objective (∇f free of v) over one box (`|v − c| ≤ r
//!   elementwise`, `‖v − c‖∞ ≤ r`) or one ball (`‖v − c‖ ≤ r`), r > 0:
//!   the optimum is c ∓ r·sign(∇f) or c ∓ r·∇f/‖∇f‖. With the constraints
//!   squared, as on the sheet, the Lagrangian, stationarity, the
//!   multipliers, their signs and complementary slackness are verified
//!   exactly, component by component and by cases (gᵢ > 0, gᵢ < 0,
//!   gᵢ = 0) for the box. The problem is convex, so KKT is sufficient.
//!
//! - one equality: an affine one with an objective whose Hessian is c·I, or
//!   a sphere with a linear objective (see `equality.rs`).
//!
//! Invariant: "proved" needs the stated optimum to equal the derived one
//! exactly and every KKT check to pass; anything else is undecided or
//! unsupported, never proved.

use super::atoms::SAtom;
use super::lin::Lin;
use super::signs::Sign;
use super::solve::Outcome;
use super::subst::Rules;
use super::val::Val;
use super::{eng_err, Ctx, Res};
use crate::sema::hir::{Builtin, Constraint, Ex, Fact, Kind, Node, NormP, RelOp, Sense};
use crate::term::Term;

/// The feasible set of a recognised constraint.
enum Set {
    /// |v − c| ≤ r componentwise.
    Box { center: Lin, radius: Term },
    /// ‖v − c‖ ≤ r.
    Ball { center: Lin, radius: Term },
    /// ‖v − c‖ = r.
    Sphere { center: Lin, radius: Term },
}

/// An optimisation problem as written, for exact witnesses.
pub struct Problem<'p> {
    /// Direction.
    pub sense: Sense,
    /// The lowered objective.
    pub f: &'p Term,
    /// The constraints.
    pub constraints: &'p [Constraint],
}

impl Ctx<'_> {
    /// Judges an optimisation step. When the optimum could not be derived
    /// or matched, a stated answer is still refuted by an exact witness
    /// where one exists: a feasible point with a strictly better objective,
    /// or a constraint the stated point violates.
    pub fn optimize(
        &mut self,
        sense: Sense,
        objective: &Ex,
        var: &str,
        constraints: &[Constraint],
        answer: Option<&Fact>,
        rules: &Rules,
    ) -> Res<Outcome> {
        let out = self.optimize_derived(sense, objective, var, constraints, answer, rules);
        let undecided = match &out {
            Ok(o) => !o.proved && o.refuted.is_none(),
            Err(_) => true,
        };
        let Some(a) = answer.filter(|_| undecided) else {
            return out;
        };
        let Some(facts) = self.lowered_assumptions() else {
            return out;
        };
        let (Ok(Val::S(f)), Ok(claimed)) = (self.lower(objective), self.claimed_value(a, var))
        else {
            return out;
        };
        let prob = Problem {
            sense,
            f: &f,
            constraints,
        };
        match self.witness_optimum(&a.text, &prob, var, &claimed, None, &facts)? {
            Some(w) => {
                let mut derived = match out {
                    Ok(o) => o.derived,
                    Err(why) => vec![format!("the optimum was not derived: {why}")],
                };
                derived.push(w.clone());
                Ok(Outcome {
                    derived,
                    answer: None,
                    proved: false,
                    refuted: Some(w),
                })
            }
            None => out,
        }
    }

    fn optimize_derived(
        &mut self,
        sense: Sense,
        objective: &Ex,
        var: &str,
        constraints: &[Constraint],
        answer: Option<&Fact>,
        rules: &Rules,
    ) -> Res<Outcome> {
        let name = self
            .scope
            .var(var)
            .map_or_else(|| var.to_string(), |v| v.text.clone());
        let kind = self.scope.var(var).map(|v| v.kind);
        let Val::S(f) = self.lower(objective)? else {
            return Err("a non-scalar objective".into());
        };
        let word = if sense == Sense::Min {
            "minimiser"
        } else {
            "maximiser"
        };
        let f_shown = {
            let c = self.canonical(&Val::S(f.clone()), rules)?;
            self.show(&c)
        };
        if constraints.is_empty() {
            let grad = self.gradient_of(&f, var, kind, rules)?;
            let mut derived = vec![
                format!("objective: f({name}) = {f_shown}"),
                format!("stationarity: ∇f = {} = 0", self.show(&grad)),
            ];
            let hess = self.hessian_of(&grad, var, kind, rules)?;
            let convex = self.definite(&hess, sense);
            derived.push(match (&convex, sense) {
                (Some(c), Sense::Min) => format!("∇²f = {} I with {c} > 0: strictly convex, so the stationary point is the unique minimiser", self.show_t_paren(&self.id_coef(&hess))),
                (Some(c), Sense::Max) => format!("∇²f = {} I with {c} < 0: strictly concave, so the stationary point is the unique maximiser", self.show_t_paren(&self.id_coef(&hess))),
                (None, _) => format!("∇²f = {}: definiteness does not follow from the declared domains, so only stationarity is checked", self.show(&hess)),
            });
            let (sol, lines) = self.solve_zero(&grad, var, rules)?;
            derived.extend(lines);
            let text = format!("{name} = {}", self.show(&sol));
            derived.push(format!("{word}: {text}"));
            let prob = Problem {
                sense,
                f: &f,
                constraints,
            };
            return self.finish(
                derived,
                sol,
                text,
                var,
                answer,
                convex.is_some(),
                rules,
                &prob,
            );
        }
        if kind != Some(Kind::Vector) {
            return Err("constrained problems over a scalar".into());
        }
        let [c] = constraints else {
            return Err("more than one constraint".into());
        };
        if c.fact.op == RelOp::Eq && !is_norm(&c.fact) {
            let grad = self.gradient_of(&f, var, kind, rules)?;
            let hess = self.hessian_of(&grad, var, kind, rules)?;
            let found = self.affine_equality(sense, &grad, &hess, c, var, &name, rules)?;
            let mut derived = vec![format!(
                "objective: f({name}) = {f_shown}, ∇f = {}",
                self.show(&grad)
            )];
            derived.extend(found.derived);
            let text = format!("{name} = {}", self.show(&found.sol));
            derived.push(format!("{word}: {text}"));
            let prob = Problem {
                sense,
                f: &f,
                constraints,
            };
            return self.finish(
                derived,
                found.sol,
                text,
                var,
                answer,
                found.sufficient,
                rules,
                &prob,
            );
        }
        let set = self.recognise(c, var, rules)?;
        let t = self.var_vec(var);
        let Val::V(g) = self.gradient_of(&f, var, kind, rules)? else {
            return Err("a vector gradient".into());
        };
        if self.ldepends(&g, t) {
            return Err(
                "a constrained problem whose objective is not linear in the unknown".into(),
            );
        }
        let gname = self.component_name(&g);
        let mut derived = vec![format!(
            "objective: f({name}) = {f_shown}, linear in {name} with ∇f = {}",
            self.show_l(&g)
        )];
        let s = if sense == Sense::Min { -1 } else { 1 };
        let (sol, text) = match set {
            Set::Box { center, radius } => {
                let dir = self.elementwise(false, &g)?;
                let sol = center.add(&dir.scale(&Term::mul(Term::int(s), radius.clone())));
                let Val::V(sol) = self.canonical(&Val::V(sol), rules)? else {
                    return Err("a vector optimum".into());
                };
                let dv = self.canonical(&Val::V(sol.add(&center.neg())), rules)?;
                let r = self.show_t_paren(&radius);
                let vc = component(&self.show(&Val::V(Lin::atom(t).add(&center.neg()))));
                derived.push(format!(
                    "Lagrangian (constraints squared): L = {}f + Σᵢ μᵢ ({vc}² − {r}²)",
                    if s < 0 { "" } else { "−" }
                ));
                derived.push(format!(
                    "stationarity: {}{gname} + 2 μᵢ {vc} = 0 for every i",
                    if s < 0 { "" } else { "−" }
                ));
                derived.extend(self.box_cases(&radius, s, &gname, &vc)?);
                derived.push(format!("multipliers: μᵢ = |{gname}|/(2·{r}) ≥ 0"));
                let vv = self.show(&Val::V(Lin::atom(t).add(&center.neg())));
                derived.push(format!(
                    "active set: every i with {gname} ≠ 0; there {} = {}",
                    paren(&vv),
                    self.show(&dv)
                ));
                derived.push("convex: linear objective over a box, so KKT is sufficient".into());
                let text = format!("{name} = {}", self.show_l(&sol));
                derived.push(format!("{word}: {text}"));
                (sol, text)
            }
            Set::Sphere { center, radius } => {
                let (sol, text, lines) =
                    self.on_sphere(sense, &g, &center, &radius, var, &name, word, rules)?;
                derived.extend(lines);
                (sol, text)
            }
            Set::Ball { center, radius } => {
                let gn = self.norm(NormP::Two, &g)?;
                let dir = g.scale(&Term::pow(gn.clone(), Term::int(-1)));
                let sol = center.add(&dir.scale(&Term::mul(Term::int(s), radius.clone())));
                let Val::V(sol) = self.canonical(&Val::V(sol), rules)? else {
                    return Err("a vector optimum".into());
                };
                let r = self.show_t_paren(&radius);
                let vc = self.show(&Val::V(Lin::atom(t).add(&center.neg())));
                derived.push(format!(
                    "Lagrangian (constraint squared): L = {}f + μ (‖{vc}‖² − {r}²)",
                    if s < 0 { "" } else { "−" }
                ));
                // μ = ‖∇f‖/(2r); verify stationarity and slackness exactly.
                let mu = Term::div(gn.clone(), Term::mul(Term::int(2), radius.clone()));
                let dv = sol.add(&center.neg());
                if !self.kkt_on_sphere(&g.scale(&Term::int(-s)), &dv, &mu, &radius, rules)? {
                    return Err("a ball constraint whose KKT conditions do not check out".into());
                }
                let mu = self.canonical(&Val::S(mu), rules)?;
                derived.push(format!("stationarity: {}∇f + 2μ {} = 0 holds with μ = {} ≥ 0 (assuming ∇f ≠ 0; if ∇f = 0 every feasible point is optimal)", if s < 0 { "" } else { "−" }, paren(&vc), self.show(&mu)));
                derived.push(
                    "complementary slackness: the constraint is active, ‖·‖² − r² = 0".into(),
                );
                derived.push("convex: linear objective over a ball, so KKT is sufficient".into());
                let text = format!("{name} = {}", self.show_l(&sol));
                derived.push(format!("{word}: {text}"));
                (sol, text)
            }
        };
        let prob = Problem {
            sense,
            f: &f,
            constraints,
        };
        self.finish(derived, Val::V(sol), text, var, answer, true, rules, &prob)
    }

    /// A linear objective on a sphere (see `equality.rs`).
    #[allow(clippy::too_many_arguments)]
    fn on_sphere(
        &mut self,
        sense: Sense,
        g: &Lin,
        center: &Lin,
        radius: &Term,
        var: &str,
        name: &str,
        word: &str,
        rules: &Rules,
    ) -> Res<(Lin, String, Vec<String>)> {
        let found = self.sphere(sense, g, center, radius, var, name, rules)?;
        let Val::V(sol) = found.sol else {
            return Err("a vector optimum".into());
        };
        let text = format!("{name} = {}", self.show_l(&sol));
        let mut lines = found.derived;
        lines.push(format!("{word}: {text}"));
        Ok((sol, text, lines))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        mut derived: Vec<String>,
        sol: Val,
        text: String,
        var: &str,
        answer: Option<&Fact>,
        sufficient: bool,
        rules: &Rules,
        prob: &Problem,
    ) -> Res<Outcome> {
        match answer {
            None => Ok(Outcome {
                derived,
                answer: Some(text),
                proved: sufficient,
                refuted: None,
            }),
            Some(a) => {
                let raw = self.claimed_value(a, var)?;
                let claimed = self.canonical(&raw, rules)?;
                let d = self.sub(&claimed, &sol)?;
                let d = self.canonical(&d, rules)?;
                let same = super::is_zero(&d);
                let mut refuted = None;
                if !same {
                    derived.push(format!("stated − derived = {}", self.show(&d)));
                    refuted = self.optimum_witness(prob, var, &raw, &sol, &a.text)?;
                    if let Some(w) = &refuted {
                        derived.push(w.clone());
                    }
                }
                let name = self
                    .scope
                    .var(var)
                    .map_or_else(|| var.to_string(), |v| v.text.clone());
                Ok(Outcome {
                    derived,
                    answer: Some(format!("{name} = {}", self.show(&claimed))),
                    proved: same && sufficient,
                    refuted,
                })
            }
        }
    }

    /// An exact witness that the stated optimum is not one (see
    /// `witness.rs`), in words.
    fn optimum_witness(
        &mut self,
        prob: &Problem,
        var: &str,
        claimed: &Val,
        derived: &Val,
        text: &str,
    ) -> Res<Option<String>> {
        let Some(facts) = self.lowered_assumptions() else {
            return Ok(None);
        };
        self.witness_optimum(text, prob, var, claimed, Some(derived), &facts)
    }

    fn gradient_of(&mut self, f: &Term, var: &str, kind: Option<Kind>, rules: &Rules) -> Res<Val> {
        let g = match kind {
            Some(Kind::Vector) => {
                let t = self.var_vec(var);
                Val::V(self.grad(f, t)?)
            }
            Some(Kind::Scalar) => {
                let Term::Sym(s) = self.var_scalar(var) else {
                    return Err("a derivative".into());
                };
                Val::S(super::calculus::deriv(f, &s)?)
            }
            _ => return Err("optimising over a matrix".into()),
        };
        self.canonical(&g, rules)
    }

    fn hessian_of(&mut self, g: &Val, var: &str, kind: Option<Kind>, rules: &Rules) -> Res<Val> {
        let h = match (g, kind) {
            (Val::V(l), Some(Kind::Vector)) => {
                let t = self.var_vec(var);
                Val::M(self.jac(l, t)?)
            }
            (Val::S(d), Some(Kind::Scalar)) => {
                let Term::Sym(s) = self.var_scalar(var) else {
                    return Err("a derivative".into());
                };
                // A scalar "c·I": represent as the identity coefficient.
                let dd = super::calculus::deriv(d, &s)?;
                Val::M(super::lin::Mat::identity(dd))
            }
            _ => return Err("a Hessian".into()),
        };
        self.canonical(&h, rules)
    }

    fn id_coef(&self, h: &Val) -> Term {
        match h {
            Val::M(m) => m.id.clone().unwrap_or(Term::int(0)),
            _ => Term::int(0),
        }
    }

    /// `Some(c printed)` when ∇²f = c·I with the sign the sense needs.
    pub(super) fn definite(&self, h: &Val, sense: Sense) -> Option<String> {
        let Val::M(m) = h else { return None };
        if !m.outer.is_empty() || !m.atoms.is_empty() {
            return None;
        }
        let c = m.id.as_ref()?;
        let want = if sense == Sense::Min {
            Sign::Pos
        } else {
            Sign::Neg
        };
        (self.sign(c) == want).then(|| self.show_t(c))
    }

    /// `gᵢ` for a single atom, `(…)ᵢ` otherwise.
    fn component_name(&self, g: &Lin) -> String {
        component(&self.show_l(g))
    }

    /// Checks the box's KKT conditions by cases on the sign of one
    /// component gᵢ of ∇f, with exact algebra; returns the case lines.
    fn box_cases(&mut self, radius: &Term, s: i128, gname: &str, vc: &str) -> Res<Vec<String>> {
        let gi = self.atoms.scalar("kkt:g".into(), SAtom::Var("__gi".into()));
        let mu = self
            .atoms
            .scalar("kkt:mu".into(), SAtom::Var("__mu".into()));
        let (Term::Sym(gs), Term::Sym(ms)) = (&gi, &mu) else {
            return Err("a box constraint".into());
        };
        let (gs, ms) = (gs.clone(), ms.clone());
        let rname = self.show_t_paren(radius);
        let mut lines = Vec::new();
        for (case, sg, sgn) in [
            ("> 0", Sign::Pos, 1),
            ("< 0", Sign::Neg, -1),
            ("= 0", Sign::Zero, 0),
        ] {
            self.extra_signs.insert(gs.clone(), sg);
            // Component of the optimum minus the centre: s·r·sign(gᵢ).
            let dv = Term::Mul(vec![Term::int(s * sgn), radius.clone()]);
            // Stationarity of −s·f: (−s)·gᵢ + 2 μ dv = 0.
            let stat = Term::add(
                Term::mul(Term::int(-s), gi.clone()),
                Term::Mul(vec![Term::int(2), mu.clone(), dv.clone()]),
            );
            let line = if sgn == 0 {
                // gᵢ = 0: μ = 0 satisfies stationarity; the component is free.
                let at0 = self.subst_sym(&stat, &gs, &Term::int(0));
                let at0 = self.subst_sym(&at0, &ms, &Term::int(0));
                if !self.eng.is_zero(&at0).map_err(eng_err)? {
                    return Err("the case gᵢ = 0 of a box constraint".into());
                }
                format!(
                    "case {gname} = 0: μᵢ = 0, {vc} = 0 (inactive); every feasible {vc} is optimal"
                )
            } else {
                let sol = self
                    .eng
                    .solve_linear(std::slice::from_ref(&stat), std::slice::from_ref(&ms))
                    .map_err(eng_err)?
                    .and_then(|v| v.into_iter().next())
                    .ok_or("the multiplier of a box constraint")?;
                let sign_ok = self.sign(&sol).nonneg();
                let slack = Term::mul(
                    sol.clone(),
                    Term::sub(
                        Term::pow(dv.clone(), Term::int(2)),
                        Term::pow(radius.clone(), Term::int(2)),
                    ),
                );
                let slack_ok = self.eng.is_zero(&slack).map_err(eng_err)?;
                if !sign_ok || !slack_ok {
                    self.extra_signs.remove(&gs);
                    return Err("a box constraint whose multipliers fail the KKT conditions".into());
                }
                let shown = self.show_t(&sol).replace("__gi", gname);
                format!(
                    "case {gname} {case}: {vc} = {}{rname} (active), μᵢ = {shown} ≥ 0, complementary slackness holds",
                    if s * sgn > 0 { "" } else { "−" }
                )
            };
            lines.push(line);
        }
        self.extra_signs.remove(&gs);
        Ok(lines)
    }

    fn subst_sym(&self, t: &Term, s: &str, v: &Term) -> Term {
        match t {
            Term::Sym(x) if x == s => v.clone(),
            Term::Add(a) => Term::Add(a.iter().map(|x| self.subst_sym(x, s, v)).collect()),
            Term::Mul(a) => Term::Mul(a.iter().map(|x| self.subst_sym(x, s, v)).collect()),
            Term::Pow(a, b) => Term::pow(self.subst_sym(a, s, v), self.subst_sym(b, s, v)),
            Term::Fun(f, a) => Term::Fun(
                f.clone(),
                a.iter().map(|x| self.subst_sym(x, s, v)).collect(),
            ),
            _ => t.clone(),
        }
    }

    /// Recognises a box or a ball around a centre.
    fn recognise(&mut self, c: &Constraint, var: &str, rules: &Rules) -> Res<Set> {
        let f = &c.fact;
        let (small, op, big) = match f.op {
            RelOp::Le | RelOp::Lt => (&f.lhs, f.op, &f.rhs),
            RelOp::Ge | RelOp::Gt => (&f.rhs, f.op, &f.lhs),
            RelOp::Eq if matches!(f.lhs.node, Node::Norm(NormP::Two, _)) => (&f.lhs, f.op, &f.rhs),
            RelOp::Eq if matches!(f.rhs.node, Node::Norm(NormP::Two, _)) => (&f.rhs, f.op, &f.lhs),
            _ => return Err("a ≠ constraint".into()),
        };
        if matches!(op, RelOp::Lt | RelOp::Gt) {
            return Err("a strict constraint (the optimum may not be attained)".into());
        }
        let (inner, is_box) = match (&small.node, c.elementwise) {
            (Node::Builtin(Builtin::Abs, e), true) if e.kind == Kind::Vector => (e.as_ref(), true),
            (Node::Norm(NormP::Inf, e), false) => (e.as_ref(), true),
            (Node::Norm(NormP::Two, e), false) => (e.as_ref(), false),
            _ => {
                return Err(format!(
                    "the constraint {}: only boxes |v − c| ≤ r elementwise, ‖v − c‖∞ ≤ r and balls ‖v − c‖ ≤ r are handled",
                    f.text
                ))
            }
        };
        let Val::V(e) = self.lower(inner)? else {
            return Err("a constraint on a non-vector".into());
        };
        let Val::V(e) = self.canonical(&Val::V(e), rules)? else {
            return Err("a constraint".into());
        };
        let t = self.var_vec(var);
        let k = e.0.get(&t).cloned().unwrap_or(Term::int(0));
        let rest = Lin(e
            .0
            .iter()
            .filter(|(a, _)| **a != t)
            .map(|(a, c)| (*a, c.clone()))
            .collect());
        if self.ldepends(&rest, t) || !(k == Term::int(1) || k == Term::int(-1)) {
            return Err(format!(
                "the constraint {}: it must be centred, v − c with c free of v",
                f.text
            ));
        }
        // e = k·v + rest, so v − c = k·e with c = −k·rest.
        let center = rest.scale(&Term::mul(Term::int(-1), k));
        let Val::V(center) = self.canonical(&Val::V(center), rules)? else {
            return Err("a constraint".into());
        };
        let Val::S(radius) = self.lower(big)? else {
            return Err("a non-scalar radius".into());
        };
        let radius = self.eng.normalize(&rules.apply(&radius)).map_err(eng_err)?;
        if self.sign(&radius) != Sign::Pos {
            return Err(format!(
                "the radius {} of {}: declare it positive",
                self.show_t(&radius),
                f.text
            ));
        }
        Ok(if is_box {
            if op == RelOp::Eq {
                return Err(format!(
                    "the constraint {}: a box boundary as an equality",
                    f.text
                ));
            }
            Set::Box { center, radius }
        } else if op == RelOp::Eq {
            Set::Sphere { center, radius }
        } else {
            Set::Ball { center, radius }
        })
    }
}

/// Whether one side of the constraint is a 2-norm (a sphere).
fn is_norm(f: &Fact) -> bool {
    [&f.lhs, &f.rhs]
        .iter()
        .any(|e| matches!(e.node, Node::Norm(NormP::Two, _)))
}

/// `gᵢ` for a one-letter name, `(…)ᵢ` otherwise.
fn component(s: &str) -> String {
    if s.chars().count() == 1 {
        format!("{s}ᵢ")
    } else {
        format!("({s})ᵢ")
    }
}

/// `(a − b)` for a compound expression, `a` for a name.
fn paren(s: &str) -> String {
    if s.contains(' ') {
        format!("({s})")
    } else {
        s.to_string()
    }
}
