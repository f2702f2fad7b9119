//! `solve E = F for v` and `solve P < Q for α`.
//!
//! Equations: E − F is lowered; for a vector unknown θ the answer is sought
//! as θ = Σ xₖ bₖ over the other vector atoms (an ansatz), the coefficient
//! equations are solved exactly by the engine, and the result is verified
//! by substituting it back (so an answer is reported only when it *is* a
//! solution). Uniqueness is claimed only when the equation is affine in θ
//! with Jacobian c·I and the sign of c follows from the declared domains.
//!
//! Inequalities in one scalar unknown: P − Q is factored; every factor must
//! be free of the unknown with a known sign, or linear in it with a
//! leading coefficient of known sign; the roots and the domain's ends are
//! ordered by signs that follow from the declared domains (otherwise the
//! missing sign condition is named); a sign chart gives the solution set.
//!
//! Invariant: "proved" is returned only when the stated answer is exactly
//! the set (or the solution) derived, with every condition used shown in
//! the derived lines.

use std::cmp::Ordering;

use super::atoms::SAtom;
use super::calculus::{deriv, symbols};
use super::lin::Lin;
use super::signs::Sign;
use super::subst::{Rules, Sigma};
use super::val::Val;
use super::{eng_err, Ctx, Res};
use crate::rat::Rat;
use crate::sema::hir::{Domain, Fact, Kind, Node, RelOp, NO_SOLUTION};
use crate::term::Term;

/// How a line that establishes uniqueness starts.
const UNIQUE: &str = "unique:";

/// What a solve or optimisation step established.
pub struct Outcome {
    /// Lines for the report.
    pub derived: Vec<String>,
    /// The answer in the file's syntax.
    pub answer: Option<String>,
    /// Whether the step is proved.
    pub proved: bool,
    /// An exact witness that the step is false (never with `proved`).
    pub refuted: Option<String>,
}

/// One end of an interval: a point and whether it belongs to the set.
#[derive(Clone, Debug)]
pub(super) struct End {
    pub(super) at: Term,
    pub(super) closed: bool,
}

/// A piece of a solution set on the real line: (lo, hi), `None` = infinite.
#[derive(Clone, Debug)]
struct Piece {
    lo: Option<End>,
    hi: Option<End>,
}

/// How a condition that the declared domains do not give is reported.
pub(super) const ASSUMING: &str = "assuming ";

impl Ctx<'_> {
    /// Judges `solve rel for var [⇒ answer]`.
    pub fn solve(
        &mut self,
        rel: &Fact,
        var: &str,
        answer: Option<&[Fact]>,
        rules: &Rules,
    ) -> Res<Outcome> {
        if rel.op == RelOp::Eq {
            self.solve_equation(rel, var, answer, rules)
        } else if rel.op == RelOp::Ne {
            Err("solving a ≠ relation".into())
        } else {
            let answer = match answer {
                None => None,
                Some([one]) => Some(one),
                Some([]) => return Err("an inequality answered with `no solution`".into()),
                Some(_) => return Err("an inequality answered by alternatives (`or`)".into()),
            };
            self.solve_inequality(rel, var, answer, rules)
        }
    }

    pub(super) fn var_text_of(&self, key: &str) -> String {
        self.scope
            .var(key)
            .map_or_else(|| key.to_string(), |v| v.text.clone())
    }

    // ───────────────────────────── equations ──────────────────────────────

    /// Solves `d = 0` for the vector or scalar variable `var`; returns the
    /// solution value and lines describing uniqueness.
    pub fn solve_zero(&mut self, d: &Val, var: &str, rules: &Rules) -> Res<(Val, Vec<String>)> {
        let kind = self.scope.var(var).map(|v| v.kind);
        match (d, kind) {
            (Val::V(lin), Some(Kind::Vector)) => self.solve_vector(lin, var, rules),
            (Val::S(t), Some(Kind::Scalar)) => self.solve_scalar(t, var, rules),
            _ => Err("solving for an unknown of another kind than the equation".into()),
        }
    }

    fn solve_vector(&mut self, d: &Lin, var: &str, rules: &Rules) -> Res<(Val, Vec<String>)> {
        let t = self.var_vec(var);
        let name = self.var_text_of(var);
        let basis: Vec<usize> = d.0.keys().copied().filter(|k| *k != t).collect();
        for k in &basis {
            if self.vdepends(*k, t) {
                return Err(format!(
                    "an equation in which {name} appears inside {}",
                    self.show_l(&Lin::atom(*k))
                ));
            }
        }
        let mut ansatz = Lin::default();
        let mut unknowns = Vec::new();
        for k in &basis {
            let x = self
                .atoms
                .scalar(format!("unknown:{k}"), SAtom::Var(format!("__x{k}")));
            if let Term::Sym(s) = &x {
                unknowns.push(s.clone());
            }
            ansatz = ansatz.add(&Lin::atom(*k).scale(&x));
        }
        let mut sigma = Sigma::new();
        sigma.insert(var.to_string(), Val::V(ansatz.clone()));
        let e = self.subst(&Val::V(d.clone()), &sigma)?;
        let Val::V(e) = self.canonical(&e, rules)? else {
            return Err("a vector equation".into());
        };
        let mut lines = Vec::new();
        let answer = if basis.is_empty() {
            Lin::default()
        } else {
            let eqs: Vec<Term> = basis
                .iter()
                .map(|k| e.0.get(k).cloned().unwrap_or(Term::int(0)))
                .collect();
            let sol = self
                .eng
                .solve_linear_guarded(&eqs, &unknowns)
                .map_err(|err| format!("solving the coefficient equations: {err}"))?;
            let Some(sol) = sol else {
                return Err(format!(
                    "an equation with no unique solution of the form {name} = Σ cₖ·(other vectors)"
                ));
            };
            lines.extend(self.guards(&sol.nonzero));
            let mut a = Lin::default();
            for (k, v) in basis.iter().zip(sol.values) {
                a = a.add(&Lin::atom(*k).scale(&v));
            }
            a
        };
        let Val::V(answer) = self.canonical(&Val::V(answer), rules)? else {
            return Err("a vector equation".into());
        };
        // Verify by substitution, and decide uniqueness from the Jacobian.
        let mut check = Sigma::new();
        check.insert(var.to_string(), Val::V(answer.clone()));
        let back = self.subst(&Val::V(d.clone()), &check)?;
        if !super::is_zero(&self.canonical(&back, rules)?) {
            return Err("an equation whose candidate solution does not check out".into());
        }
        let j = self.jac(d, t)?;
        let j = self.canonical(&Val::M(j), rules)?;
        lines.push(self.uniqueness(&j, &name));
        Ok((Val::V(answer), lines))
    }

    fn uniqueness(&mut self, j: &Val, name: &str) -> String {
        if let Val::M(m) = j {
            if m.outer.is_empty() && m.atoms.is_empty() {
                if let Some(c) = &m.id {
                    let s = self.sign(c);
                    if matches!(s, Sign::Pos | Sign::Neg) {
                        return format!(
                            "{UNIQUE} the equation is affine in {name} with Jacobian {} I, and {} {} 0",
                            self.show_t_paren(c),
                            self.show_t(c),
                            if s == Sign::Pos { ">" } else { "<" }
                        );
                    }
                }
            }
            return format!(
                "uniqueness not established: the Jacobian in {name} is {}",
                self.show(j)
            );
        }
        "uniqueness not established".into()
    }

    /// "assuming c ≠ 0" for each condition of a linear solution whose sign
    /// the declared domains do not settle.
    fn guards(&self, nonzero: &[Term]) -> Vec<String> {
        nonzero
            .iter()
            .filter(|c| !matches!(self.sign(c), Sign::Pos | Sign::Neg))
            .map(|c| format!("{ASSUMING}{} ≠ 0", self.show_t(c)))
            .collect()
    }

    /// `c` parenthesised when it is a sum.
    pub fn show_t_paren(&self, c: &Term) -> String {
        let s = self.show_t(c);
        if matches!(c, Term::Add(_)) {
            format!("({s})")
        } else {
            s
        }
    }

    fn solve_scalar(&mut self, d: &Term, var: &str, rules: &Rules) -> Res<(Val, Vec<String>)> {
        let x = self.var_scalar(var);
        let Term::Sym(s) = &x else {
            return Err("a scalar equation".into());
        };
        let name = self.var_text_of(var);
        let d = self.eng.normalize(&rules.apply(d)).map_err(eng_err)?;
        match self
            .eng
            .solve_linear_guarded(std::slice::from_ref(&d), std::slice::from_ref(s))
        {
            Ok(Some(sol)) => {
                let mut lines = self.guards(&sol.nonzero);
                lines.push(format!("{UNIQUE} the equation is linear in {name}"));
                let v = sol.values.into_iter().next().unwrap_or(Term::int(0));
                Ok((Val::S(v), lines))
            }
            Ok(None) => Err(format!("an equation without a unique solution for {name}")),
            Err(_) => Err(format!("an equation that is not linear in {name}")),
        }
    }

    fn solve_equation(
        &mut self,
        rel: &Fact,
        var: &str,
        answer: Option<&[Fact]>,
        rules: &Rules,
    ) -> Res<Outcome> {
        let l = self.lower(&rel.lhs)?;
        let r = self.lower(&rel.rhs)?;
        let raw = self.sub(&l, &r)?;
        let d = self.canonical(&raw, rules)?;
        let name = self.var_text_of(var);
        let mut derived = vec![format!("equation: {} = 0", self.show(&d))];
        match answer {
            None => {
                let (sols, lines) = self.all_solutions(&d, &raw, var, rules)?;
                derived.extend(lines);
                if sols.is_empty() {
                    derived.push(format!("no solution for {name}"));
                    return Ok(Outcome {
                        derived,
                        answer: Some(NO_SOLUTION.to_string()),
                        proved: true,
                        refuted: None,
                    });
                }
                let text = self.alternatives_text(&name, &sols);
                derived.insert(1, format!("solution: {text}"));
                Ok(Outcome {
                    derived,
                    answer: Some(text),
                    proved: true,
                    refuted: None,
                })
            }
            Some(alts) => {
                let mut claimed = Vec::new();
                let mut raw_claimed = Vec::new();
                let mut all_solve = true;
                let mut refuted = None;
                for a in alts {
                    let c = self.claimed_value(a, var)?;
                    raw_claimed.push(c.clone());
                    let c = self.canonical(&c, rules)?;
                    let mut sigma = Sigma::new();
                    sigma.insert(var.to_string(), c.clone());
                    let back = self.subst(&d, &sigma)?;
                    let back = self.canonical(&back, rules)?;
                    let ok = match &back {
                        Val::S(t) if !t.is_zero() => self.zero_with_radicals(t)?,
                        other => super::is_zero(other),
                    };
                    all_solve &= ok;
                    let value = if ok {
                        "0".to_string()
                    } else {
                        self.show(&back)
                    };
                    if let (false, Val::S(b), Val::S(cv), None) = (ok, &back, &c, &refuted) {
                        if super::roots::plain(b) && super::roots::plain(cv) {
                            refuted = Some(format!(
                                "{name} = {} is not a solution: the equation's left side there is {value}",
                                self.show(&c)
                            ));
                        }
                    }
                    derived.push(format!(
                        "at {name} = {} the equation's left side is {value}",
                        self.show(&c),
                    ));
                    claimed.push(c);
                }
                let text = self.alternatives_text(&name, &claimed);
                let mut proved = false;
                if all_solve {
                    match self.all_solutions(&d, &raw, var, rules) {
                        Ok((sols, lines)) => {
                            derived.extend(lines);
                            let (same, missing) =
                                self.same_set(&claimed, &sols, &name, &mut derived)?;
                            proved = same;
                            refuted = refuted.or(missing);
                        }
                        Err(why) => derived.push(format!("completeness not established ({why})")),
                    }
                }
                // A solution set stated under conditions that the declared
                // domains do not give ("assuming c ≠ 0") is not proved: where
                // a condition fails the set may be different.
                if proved && derived.iter().any(|l| l.starts_with(ASSUMING)) {
                    proved = false;
                    derived.push(
                        "not proved: the solutions hold only under the conditions above, which do not follow from the declared domains".into(),
                    );
                }
                if refuted.is_none() {
                    refuted = self.undefined_answer(alts, var);
                    if refuted.is_some() {
                        proved = false;
                    }
                }
                if !proved && refuted.is_none() {
                    refuted = self.solutions_witness(rel, &l, &r, var, &raw_claimed, &d)?;
                    if let Some(w) = &refuted {
                        derived.push(w.clone());
                    }
                }
                Ok(Outcome {
                    derived,
                    answer: Some(text),
                    proved,
                    refuted,
                })
            }
        }
    }

    /// A point where a stated solution is undefined (a root or logarithm
    /// of a negative number) though the parameters are admissible.
    fn undefined_answer(&self, alts: &[Fact], var: &str) -> Option<String> {
        let points = super::witness::scalar_points(self.scope, &format!("answer {var}"), 60);
        for a in alts {
            let is_var = |e: &crate::sema::hir::Ex| matches!(&e.node, Node::Var(k) if k == var);
            let value = if is_var(&a.lhs) { &a.rhs } else { &a.lhs };
            if !super::defined::may_be_undefined(value) {
                continue;
            }
            if let Some((p, why)) = super::defined::undefined_at(self.scope, value, &points) {
                let mut keys = std::collections::BTreeSet::new();
                super::var_keys(value, &mut keys);
                let at: Vec<String> = self
                    .scope
                    .vars
                    .iter()
                    .filter(|v| v.key != var && keys.contains(&v.key))
                    .filter_map(|v| p.get(&v.key).map(|x| format!("{} = {x}", v.text)))
                    .collect();
                return Some(format!(
                    "exact witness at {}: the stated solution {} is undefined there ({why})",
                    at.join(", "),
                    a.text
                ));
            }
        }
        None
    }

    /// An exact witness that the stated solutions are not the solution
    /// set (see `witness.rs`): a stated value that does not solve the
    /// equation, or, for a scalar unknown, a value that solves it without
    /// being stated.
    fn solutions_witness(
        &mut self,
        rel: &Fact,
        l: &Val,
        r: &Val,
        var: &str,
        stated: &[Val],
        d: &Val,
    ) -> Res<Option<String>> {
        let Some(facts) = self.lowered_assumptions() else {
            return Ok(None);
        };
        let seed = format!("solve {}", rel.text);
        if self.scope.var(var).map(|v| v.kind) == Some(Kind::Scalar) {
            let mut zeros = Vec::new();
            if let Val::S(t) = d {
                if let Ok(fac) = self.eng.factor(t) {
                    zeros.extend(
                        factor_list(&fac)
                            .into_iter()
                            .map(|(b, _)| b)
                            .filter(|b| !matches!(b, Term::Num(_)))
                            .take(8),
                    );
                }
            }
            let eq = super::witness::Rel {
                l: l.clone(),
                op: RelOp::Eq,
                r: r.clone(),
            };
            return self.witness_solutions(&seed, &eq, var, stated, &zeros, &facts);
        }
        // A vector unknown: each stated value substituted must solve it.
        let name = self.var_text_of(var);
        for s in stated {
            let mut sigma = Sigma::new();
            sigma.insert(var.to_string(), s.clone());
            let goal = super::witness::Rel {
                l: self.subst(l, &sigma)?,
                op: RelOp::Eq,
                r: self.subst(r, &sigma)?,
            };
            if let Some(w) = self.witness(&seed, &goal, &facts, &[])? {
                return Ok(Some(format!(
                    "the stated {name} = {} does not solve the equation: {}",
                    self.show(s),
                    w.line()
                )));
            }
        }
        Ok(None)
    }

    /// Every solution of `d = 0` for `var` with the lines that justify
    /// completeness; an error when completeness cannot be established.
    fn all_solutions(
        &mut self,
        d: &Val,
        raw: &Val,
        var: &str,
        rules: &Rules,
    ) -> Res<(Vec<Val>, Vec<String>)> {
        if let (Val::S(t), Val::S(raw)) = (d, raw) {
            if self.scope.var(var).map(|v| v.kind) == Some(Kind::Scalar) {
                // A linear equation without a domain to respect: its one root.
                let free = self.scope.var(var).map(|v| &v.domain) == Some(&Domain::Any);
                let linear = if free {
                    self.solve_scalar(t, var, rules).ok()
                } else {
                    None
                };
                let (roots, mut lines) = match linear {
                    Some((Val::S(r), lines)) => (vec![r], lines),
                    _ => {
                        let found = self.scalar_roots(t, var, rules)?;
                        (found.roots, found.lines)
                    }
                };
                let roots = self.drop_poles(roots, raw, var, rules, &mut lines)?;
                return Ok((roots.into_iter().map(Val::S).collect(), lines));
            }
        }
        let (sol, lines) = self.solve_zero(d, var, rules)?;
        if !lines.iter().any(|l| l.starts_with(UNIQUE)) {
            return Err(lines
                .last()
                .cloned()
                .unwrap_or_else(|| "uniqueness not established".into()));
        }
        Ok((vec![sol], lines))
    }

    /// Whether the stated solutions are exactly the derived ones; adds a line
    /// for each one missing or extra.
    fn same_set(
        &mut self,
        claimed: &[Val],
        sols: &[Val],
        name: &str,
        derived: &mut Vec<String>,
    ) -> Res<(bool, Option<String>)> {
        let mut same = true;
        let mut witness = None;
        // Free of radicals and functions, a non-zero difference means the
        // values differ: then a missing solution refutes the answer.
        let all_plain = claimed
            .iter()
            .chain(sols)
            .all(|v| matches!(v, Val::S(t) if super::roots::plain(t)));
        for s in sols {
            if !self.val_in(claimed, s)? {
                if all_plain && witness.is_none() {
                    witness = Some(format!(
                        "the answer misses the solution {name} = {}",
                        self.show(s)
                    ));
                }
                derived.push(format!("missing the solution {name} = {}", self.show(s)));
                same = false;
            }
        }
        for c in claimed {
            if !self.val_in(sols, c)? {
                derived.push(format!(
                    "{name} = {} is not among the solutions in the domain of {name}",
                    self.show(c)
                ));
                same = false;
            }
        }
        if same && claimed.is_empty() {
            derived.push(format!("there is no solution for {name}"));
        } else if same {
            derived.push(format!("these are all the solutions for {name}"));
        }
        Ok((same, witness))
    }

    fn val_in(&mut self, set: &[Val], v: &Val) -> Res<bool> {
        for s in set {
            let d = self.sub(s, v)?;
            let d = self.canonical(&d, &Rules::default())?;
            if super::is_zero(&d) {
                return Ok(true);
            }
            // √(4a)/2 and √a: square factors out of every radicand, then
            // radicals reduced (sound: both are exact rewrites).
            if let Val::S(t) = &d {
                let t = self.canon_radicals(t)?;
                if t.is_zero() || self.zero_with_radicals(&t)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// `x = a or x = b …` in the file's syntax.
    fn alternatives_text(&self, name: &str, sols: &[Val]) -> String {
        if sols.is_empty() {
            return NO_SOLUTION.to_string();
        }
        sols.iter()
            .map(|s| format!("{name} = {}", self.show(s)))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The value of `var = expr` (or `expr = var`).
    pub fn claimed_value(&mut self, a: &Fact, var: &str) -> Res<Val> {
        let is_var = |e: &crate::sema::hir::Ex| matches!(&e.node, Node::Var(k) if k == var);
        if a.op != RelOp::Eq {
            return Err("an answer that is not of the form v = …".into());
        }
        if is_var(&a.lhs) {
            self.lower(&a.rhs)
        } else if is_var(&a.rhs) {
            self.lower(&a.lhs)
        } else {
            Err(format!(
                "an answer that does not state {} = …",
                self.var_text_of(var)
            ))
        }
    }

    // ──────────────────────────── inequalities ────────────────────────────

    fn solve_inequality(
        &mut self,
        rel: &Fact,
        var: &str,
        answer: Option<&Fact>,
        rules: &Rules,
    ) -> Res<Outcome> {
        if self.scope.var(var).map(|v| v.kind) != Some(Kind::Scalar) {
            return Err("an inequality in a non-scalar unknown".into());
        }
        let name = self.var_text_of(var);
        let (Val::S(p), Val::S(q)) = (self.lower(&rel.lhs)?, self.lower(&rel.rhs)?) else {
            return Err("an inequality between non-scalars".into());
        };
        let d = self
            .eng
            .normalize(&rules.apply(&Term::sub(p, q)))
            .map_err(eng_err)?;
        let x = self.var_scalar(var);
        let Term::Sym(s) = x.clone() else {
            return Err("an inequality".into());
        };
        let f = self.eng.factor(&d).map_err(eng_err)?;
        let mut derived = vec![format!(
            "{} ⟺ {} {} 0",
            rel.text,
            self.show_t(&f),
            rel.op.symbol()
        )];
        // Factors: constant sign, or linear a·x + b.
        let mut const_sign = Sign::Pos;
        let mut roots: Vec<(Term, i128, bool)> = Vec::new(); // (root, multiplicity·sign(a) parity, denominator)
        let mut lead_signs = Sign::Pos;
        for (base, exp) in factor_list(&f) {
            if !mentions(&base, &s) && !self.hides(&base, &s) {
                let sg = self.sign(&Term::pow(base.clone(), Term::int(exp)));
                if !matches!(sg, Sign::Pos | Sign::Neg) {
                    return Err(format!(
                        "deciding the sign of {}: it does not follow from the declared domains",
                        self.show_t(&base)
                    ));
                }
                const_sign = mul_sign(const_sign, sg);
                continue;
            }
            let a = self.eng.normalize(&deriv(&base, &s)?).map_err(eng_err)?;
            if mentions(&a, &s) || self.hides(&a, &s) {
                return Err(format!(
                    "a factor that is not linear in {name}: {}",
                    self.show_t(&base)
                ));
            }
            let mut zero = Sigma::new();
            zero.insert(var.to_string(), Val::S(Term::int(0)));
            let Val::S(b) = self.subst(&Val::S(base.clone()), &zero)? else {
                return Err("an inequality".into());
            };
            let sa = self.sign(&a);
            if !matches!(sa, Sign::Pos | Sign::Neg) {
                return Err(format!(
                    "deciding the sign of {}, the coefficient of {name} in {}: declare it",
                    self.show_t(&a),
                    self.show_t(&base)
                ));
            }
            let root = self
                .eng
                .normalize(&Term::neg(Term::div(b, a)))
                .map_err(eng_err)?;
            if exp % 2 != 0 && sa == Sign::Neg {
                lead_signs = mul_sign(lead_signs, Sign::Neg);
            }
            roots.push((root, exp, exp < 0));
        }
        let overall = mul_sign(const_sign, lead_signs);
        // The domain of the unknown.
        let domain = self
            .scope
            .var(var)
            .map(|v| v.domain.clone())
            .unwrap_or(Domain::Any);
        let (dlo, dhi) = domain_ends(&domain);
        // Critical points inside the domain, ordered.
        let mut points: Vec<Term> = Vec::new();
        for (r, _, _) in &roots {
            if !points.contains(r) {
                points.push(r.clone());
            }
        }
        let mut inside = Vec::new();
        // Roots outside the domain: true when left of it (x > r throughout).
        let mut outside: Vec<(Term, bool)> = Vec::new();
        for p in points {
            let left = match &dlo {
                Some(lo) => matches!(
                    (self.compare(&p, &lo.at)?, lo.closed),
                    (Ordering::Less, _) | (Ordering::Equal, false)
                ),
                None => false,
            };
            let right = match &dhi {
                Some(hi) if !left => matches!(
                    (self.compare(&p, &hi.at)?, hi.closed),
                    (Ordering::Greater, _) | (Ordering::Equal, false)
                ),
                _ => false,
            };
            if left || right {
                outside.push((p, left));
                continue;
            }
            inside.push(p);
        }
        let mut sorted: Vec<Term> = Vec::new();
        for p in inside {
            let mut at = sorted.len();
            for (i, q) in sorted.iter().enumerate() {
                if self.compare(&p, q)? == Ordering::Less {
                    at = i;
                    break;
                }
            }
            if sorted.iter().any(|q| q == &p) {
                continue;
            }
            sorted.insert(at, p);
        }
        // Sign chart.
        let want = rel.op;
        let holds = |sg: i32| -> bool {
            match want {
                RelOp::Lt => sg < 0,
                RelOp::Le => sg <= 0,
                RelOp::Gt => sg > 0,
                RelOp::Ge => sg >= 0,
                _ => false,
            }
        };
        let base_sign: i32 = if overall == Sign::Pos { 1 } else { -1 };
        // Sign on the open interval just right of sorted[i-1] (i = 0: leftmost).
        let sign_between = |i: usize| -> i32 {
            let mut sg = base_sign;
            for (r, exp, _) in &roots {
                let pos = sorted.iter().position(|q| q == r);
                // x > r on interval i iff r is among sorted[..i], or r lies left of the domain.
                let right_of_r = match pos {
                    Some(k) => k < i,
                    None => outside.iter().any(|(q, left)| q == r && *left),
                };
                if !right_of_r && exp.rem_euclid(2) == 1 {
                    sg = -sg;
                }
            }
            sg
        };
        let mut pieces: Vec<Piece> = Vec::new();
        let n = sorted.len();
        for i in 0..=n {
            let lo = if i == 0 {
                dlo.clone()
            } else {
                Some(End {
                    at: sorted[i - 1].clone(),
                    closed: false,
                })
            };
            let hi = if i == n {
                dhi.clone()
            } else {
                Some(End {
                    at: sorted[i].clone(),
                    closed: false,
                })
            };
            if holds(sign_between(i)) {
                pieces.push(Piece { lo, hi });
            }
            if i < n {
                let p = &sorted[i];
                let pole = roots.iter().any(|(r, _, den)| *den && r == p);
                if !pole && holds(0) {
                    pieces.push(Piece {
                        lo: Some(End {
                            at: p.clone(),
                            closed: true,
                        }),
                        hi: Some(End {
                            at: p.clone(),
                            closed: true,
                        }),
                    });
                }
            }
        }
        let pieces = merge(pieces);
        let set = self.show_set(&pieces, &name, &dlo, &dhi);
        derived.push(format!("solution set within the domain of {name}: {set}"));
        let derived_answer = self.as_relation(&pieces, &name, &dlo, &dhi);
        match answer {
            None => Ok(Outcome {
                derived,
                answer: derived_answer,
                proved: true,
                refuted: None,
            }),
            Some(a) => {
                let claimed = self.claimed_piece(a, var, &dlo, &dhi)?;
                let same = pieces.len() == 1 && self.same_piece(&pieces[0], &claimed)?;
                let mut refuted = None;
                if !same {
                    derived.push("the stated answer is not this set".into());
                    refuted = self.answer_witness(rel, a, var, &pieces, &claimed)?;
                    if let Some(w) = &refuted {
                        derived.push(w.clone());
                    }
                }
                let text = self.as_relation(std::slice::from_ref(&claimed), &name, &dlo, &dhi);
                Ok(Outcome {
                    derived,
                    answer: text,
                    proved: same,
                    refuted,
                })
            }
        }
    }

    /// An exact point where the inequality and the stated answer disagree,
    /// in words; tried at the ends of the derived and the stated sets.
    fn answer_witness(
        &mut self,
        rel: &Fact,
        answer: &Fact,
        var: &str,
        pieces: &[Piece],
        claimed: &Piece,
    ) -> Res<Option<String>> {
        let Some(facts) = self.lowered_assumptions() else {
            return Ok(None);
        };
        let mut ends = Vec::new();
        for p in pieces.iter().chain(std::iter::once(claimed)) {
            for e in [&p.lo, &p.hi].into_iter().flatten() {
                ends.push(e.at.clone());
            }
        }
        let lower = |ctx: &mut Self, f: &Fact| -> Res<super::witness::Rel> {
            Ok(super::witness::Rel {
                l: ctx.lower(&f.lhs)?,
                op: f.op,
                r: ctx.lower(&f.rhs)?,
            })
        };
        let r = lower(self, rel)?;
        let a = lower(self, answer)?;
        let seed = format!("{} ⇒ {}", rel.text, answer.text);
        Ok(self
            .witness_iff(&seed, &r, &a, var, &ends, &facts)?
            .map(|(w, rel_holds)| {
                let (yes, no) = if rel_holds {
                    (&rel.text, &answer.text)
                } else {
                    (&answer.text, &rel.text)
                };
                format!("exact witness at {}: {yes} holds but {no} does not", w.at())
            }))
    }

    pub(super) fn hides(&self, t: &Term, s: &str) -> bool {
        let mut syms = std::collections::BTreeSet::new();
        symbols(t, &mut syms);
        syms.iter().any(|x| x != s && self.sym_hides(x, s))
    }

    /// Orders two terms by the sign of their difference.
    fn compare(&mut self, a: &Term, b: &Term) -> Res<Ordering> {
        let d = self
            .eng
            .normalize(&Term::sub(a.clone(), b.clone()))
            .map_err(eng_err)?;
        match self.sign(&d) {
            Sign::Zero => Ok(Ordering::Equal),
            Sign::Pos => Ok(Ordering::Greater),
            Sign::Neg => Ok(Ordering::Less),
            _ if d.is_zero() => Ok(Ordering::Equal),
            _ => Err(format!(
                "ordering {} and {}: the sign of {} does not follow from the declared domains",
                self.show_t(a),
                self.show_t(b),
                self.show_t(&d)
            )),
        }
    }

    fn show_set(
        &self,
        pieces: &[Piece],
        name: &str,
        _dlo: &Option<End>,
        _dhi: &Option<End>,
    ) -> String {
        if pieces.is_empty() {
            return "empty".into();
        }
        pieces
            .iter()
            .map(|p| {
                let lo = p.lo.as_ref().map_or("(−∞".to_string(), |e| {
                    format!("{}{}", if e.closed { "[" } else { "(" }, self.show_t(&e.at))
                });
                let hi = p.hi.as_ref().map_or("∞)".to_string(), |e| {
                    format!("{}{}", self.show_t(&e.at), if e.closed { "]" } else { ")" })
                });
                format!("{name} ∈ {lo}, {hi}")
            })
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The set as one relation, when it is the domain cut at one point.
    fn as_relation(
        &self,
        pieces: &[Piece],
        name: &str,
        dlo: &Option<End>,
        dhi: &Option<End>,
    ) -> Option<String> {
        let [p] = pieces else { return None };
        let same_end = |a: &Option<End>, b: &Option<End>| match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => x.at == y.at && x.closed == y.closed,
            _ => false,
        };
        if same_end(&p.lo, dlo) {
            if let Some(h) = &p.hi {
                let op = if h.closed { "≤" } else { "<" };
                return Some(format!("{name} {op} {}", self.show_t(&h.at)));
            }
        }
        if same_end(&p.hi, dhi) {
            if let Some(l) = &p.lo {
                let op = if l.closed { "≥" } else { ">" };
                return Some(format!("{name} {op} {}", self.show_t(&l.at)));
            }
        }
        None
    }

    fn claimed_piece(
        &mut self,
        a: &Fact,
        var: &str,
        dlo: &Option<End>,
        dhi: &Option<End>,
    ) -> Res<Piece> {
        let is_var = |e: &crate::sema::hir::Ex| matches!(&e.node, Node::Var(k) if k == var);
        let (op, other) = if is_var(&a.lhs) {
            (a.op, &a.rhs)
        } else if is_var(&a.rhs) {
            (flip(a.op), &a.lhs)
        } else {
            return Err("an answer that does not compare the unknown with a bound".into());
        };
        let Val::S(b) = self.lower(other)? else {
            return Err("a non-scalar bound".into());
        };
        let b = self.eng.normalize(&b).map_err(eng_err)?;
        Ok(match op {
            RelOp::Lt | RelOp::Le => Piece {
                lo: dlo.clone(),
                hi: Some(End {
                    at: b,
                    closed: op == RelOp::Le,
                }),
            },
            RelOp::Gt | RelOp::Ge => Piece {
                lo: Some(End {
                    at: b,
                    closed: op == RelOp::Ge,
                }),
                hi: dhi.clone(),
            },
            _ => return Err("an answer of the form v = … to an inequality".into()),
        })
    }

    fn same_piece(&mut self, a: &Piece, b: &Piece) -> Res<bool> {
        let mut same_end = |x: &Option<End>, y: &Option<End>| -> Res<bool> {
            Ok(match (x, y) {
                (None, None) => true,
                (Some(p), Some(q)) => {
                    p.closed == q.closed
                        && self
                            .eng
                            .is_zero(&Term::sub(p.at.clone(), q.at.clone()))
                            .map_err(eng_err)?
                }
                _ => false,
            })
        };
        Ok(same_end(&a.lo, &b.lo)? && same_end(&a.hi, &b.hi)?)
    }
}

fn flip(op: RelOp) -> RelOp {
    match op {
        RelOp::Lt => RelOp::Gt,
        RelOp::Le => RelOp::Ge,
        RelOp::Gt => RelOp::Lt,
        RelOp::Ge => RelOp::Le,
        o => o,
    }
}

fn mul_sign(a: Sign, b: Sign) -> Sign {
    match (a, b) {
        (Sign::Pos, x) | (x, Sign::Pos) => x,
        (Sign::Neg, Sign::Neg) => Sign::Pos,
        _ => Sign::Unknown,
    }
}

pub(super) fn mentions(t: &Term, s: &str) -> bool {
    let mut syms = std::collections::BTreeSet::new();
    symbols(t, &mut syms);
    syms.contains(s)
}

/// A factored term as (base, exponent) pairs; numbers become a base with
/// exponent 1.
pub(super) fn factor_list(t: &Term) -> Vec<(Term, i128)> {
    let one = |t: &Term| -> (Term, i128) {
        match t {
            Term::Pow(b, e) => match e.as_ref() {
                Term::Num(r) if r.to_i128().is_some() => ((**b).clone(), r.to_i128().unwrap_or(1)),
                _ => (t.clone(), 1),
            },
            _ => (t.clone(), 1),
        }
    };
    match t {
        Term::Mul(v) => v.iter().map(one).collect(),
        _ => vec![one(t)],
    }
}

/// The ends of a domain.
pub(super) fn domain_ends(d: &Domain) -> (Option<End>, Option<End>) {
    let num = |r: &Rat| Term::Num(r.clone());
    match d {
        Domain::Any => (None, None),
        Domain::Cmp(op, c) => match op {
            RelOp::Gt => (
                Some(End {
                    at: num(c),
                    closed: false,
                }),
                None,
            ),
            RelOp::Ge => (
                Some(End {
                    at: num(c),
                    closed: true,
                }),
                None,
            ),
            RelOp::Lt => (
                None,
                Some(End {
                    at: num(c),
                    closed: false,
                }),
            ),
            RelOp::Le => (
                None,
                Some(End {
                    at: num(c),
                    closed: true,
                }),
            ),
            _ => (None, None),
        },
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => (
            Some(End {
                at: num(lo),
                closed: *lo_closed,
            }),
            Some(End {
                at: num(hi),
                closed: *hi_closed,
            }),
        ),
    }
}

/// Joins adjacent pieces: (a, p) ∪ [p, p] ∪ (p, b) = (a, b).
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for p in pieces {
        if let Some(last) = out.last_mut() {
            if let (Some(h), Some(l)) = (&last.hi, &p.lo) {
                if h.at == l.at && (h.closed || l.closed) {
                    last.hi = p.hi.clone();
                    continue;
                }
            }
        }
        out.push(p);
    }
    out
}
