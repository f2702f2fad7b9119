//! Optimisation under one equality constraint, exactly.
//!
//! - **An affine equality** d(v) = 0, d(v) = ⟨a, v⟩ − β with a and β free
//!   of v (e.g. `⟨a, θ⟩ = b`), and an objective whose Hessian is c·I: the
//!   Lagrangian L = f + ν·d gives stationarity ∇f + ν a = 0, solved for v
//!   as a function of ν; the constraint then fixes ν. Both conditions are
//!   verified by substitution. With c > 0 (c < 0 when maximising) the
//!   problem is convex, so the KKT point is the unique optimum; otherwise
//!   only stationarity is established and the step is not proved.
//! - **A sphere** ‖v − c‖ = r (r > 0) with a linear objective: the sphere
//!   is not convex, but it lies inside the ball ‖v − c‖ ≤ r, whose optimum
//!   c ∓ r·∇f/‖∇f‖ lies on the sphere, so that point is optimal over the
//!   sphere too. The two stationary points of L = f + ν(‖v − c‖² − r²)
//!   (ν = ±‖∇f‖/(2r)) are shown, with the one the sense picks.
//!
//! Invariant: an optimum is returned only after stationarity and
//! feasibility have normalised to zero at it; `sufficient` is true only
//! when the argument above applies (convexity, or the ball for the sphere).

use super::lin::Lin;
use super::signs::Sign;
use super::subst::{Rules, Sigma};
use super::val::Val;
use super::{eng_err, Ctx, Res};
use crate::sema::hir::{Constraint, Sense};
use crate::term::Term;

/// What an equality-constrained problem gave.
pub struct Found {
    /// The optimum.
    pub sol: Val,
    /// Report lines.
    pub derived: Vec<String>,
    /// Whether the KKT point is provably the optimum.
    pub sufficient: bool,
}

impl Ctx<'_> {
    /// `optimise f over v subject to d(v) = 0`, d affine in v (see the
    /// module docs). `grad` is ∇f, `hess` ∇²f (canonical).
    #[allow(clippy::too_many_arguments)]
    pub fn affine_equality(
        &mut self,
        sense: Sense,
        grad: &Val,
        hess: &Val,
        c: &Constraint,
        var: &str,
        name: &str,
        rules: &Rules,
    ) -> Res<Found> {
        let t = self.var_vec(var);
        let (Val::S(l), Val::S(r)) = (self.lower(&c.fact.lhs)?, self.lower(&c.fact.rhs)?) else {
            return Err(format!(
                "the constraint {}: only a scalar equality ⟨a, v⟩ = b or a sphere ‖v − c‖ = r is handled",
                c.fact.text
            ));
        };
        let d = Val::S(Term::sub(l, r));
        let Val::S(d) = self.canonical(&d, rules)? else {
            return Err("a scalar constraint".into());
        };
        let a = self.grad(&d, t)?;
        let Val::V(a) = self.canonical(&Val::V(a), rules)? else {
            return Err("a gradient".into());
        };
        if a.0.is_empty() || self.ldepends(&a, t) {
            return Err(format!(
                "the constraint {}: it must be affine in {name}, ⟨a, {name}⟩ = b with a ≠ 0",
                c.fact.text
            ));
        }
        let Val::V(g) = grad else {
            return Err("a vector gradient".into());
        };
        let nu = self
            .atoms
            .scalar("kkt:nu".into(), super::atoms::SAtom::Var("__nu".into()));
        let Term::Sym(nu_sym) = nu.clone() else {
            return Err("a multiplier".into());
        };
        let mut derived = vec![
            format!(
                "Lagrangian: L = f + ν·({}); the constraint's gradient is {}",
                self.show_t(&d),
                self.show_l(&a)
            ),
            format!(
                "stationarity: ∇f + ν a = {} = 0",
                self.show_l(&g.add(&a.scale(&nu))).replace("__nu", "ν")
            ),
        ];
        // v as a function of ν, then ν from the constraint.
        let stat = Val::V(g.add(&a.scale(&nu)));
        let stat = self.canonical(&stat, rules)?;
        let (v_of_nu, _) = self.solve_zero(&stat, var, rules)?;
        let mut sigma = Sigma::new();
        sigma.insert(var.to_string(), v_of_nu.clone());
        let Val::S(dn) = self.subst(&Val::S(d.clone()), &sigma)? else {
            return Err("a scalar constraint".into());
        };
        let dn = self.eng.normalize(&rules.apply(&dn)).map_err(eng_err)?;
        let solved = self
            .eng
            .solve_linear_guarded(std::slice::from_ref(&dn), std::slice::from_ref(&nu_sym))
            .map_err(|e| format!("the multiplier of {}: {e}", c.fact.text))?
            .ok_or_else(|| format!("the multiplier of {}: no unique value", c.fact.text))?;
        for g in &solved.nonzero {
            if !matches!(self.sign(g), Sign::Pos | Sign::Neg) {
                derived.push(format!("assuming {} ≠ 0", self.show_t(g)));
            }
        }
        let nu_val = solved.values.into_iter().next().unwrap_or(Term::int(0));
        let mut at = Sigma::new();
        at.insert("__nu".to_string(), Val::S(nu_val.clone()));
        let sol = self.subst(&v_of_nu, &at)?;
        let sol = self.canonical(&sol, rules)?;
        // Verify stationarity and feasibility at the point found.
        let mut x = Sigma::new();
        x.insert(var.to_string(), sol.clone());
        let stat_at = self.subst(&stat, &x)?;
        let stat_at = self.subst(&stat_at, &at)?;
        let feas = self.subst(&Val::S(d.clone()), &x)?;
        if !super::is_zero(&self.canonical(&stat_at, rules)?)
            || !super::is_zero(&self.canonical(&feas, rules)?)
        {
            return Err(format!(
                "the KKT point under {} does not check out",
                c.fact.text
            ));
        }
        let nu_c = self.canonical(&Val::S(nu_val), rules)?;
        let nu_shown = self.show(&nu_c);
        derived.push(format!(
            "the constraint fixes the multiplier: ν = {nu_shown}"
        ));
        derived.push(format!(
            "feasibility: {} = 0 holds at the point",
            self.show_t(&d)
        ));
        let sufficient = match self.definite(hess, sense) {
            Some(cc) => {
                let (rel, shape, who) = if sense == Sense::Min {
                    (">", "convex", "minimiser")
                } else {
                    ("<", "concave", "maximiser")
                };
                let hess_shown = if cc == "1" {
                    "∇²f = I".to_string()
                } else {
                    format!("∇²f = {cc} I with {cc} {rel} 0")
                };
                derived.push(format!(
                    "{hess_shown} and an affine constraint: {shape}, so the KKT point is the unique {who}"
                ));
                true
            }
            None => {
                derived.push(format!(
                    "∇²f = {}: definiteness does not follow from the declared domains, so only stationarity is checked",
                    self.show(hess)
                ));
                false
            }
        };
        Ok(Found {
            sol,
            derived,
            sufficient,
        })
    }

    /// Whether `grad + 2·mult·dv = 0` and `‖dv‖² = radius²` normalise to
    /// zero: stationarity of a linear objective and an active constraint
    /// `‖v − c‖ (≤ or =) radius` at `v = c + dv`.
    pub fn kkt_on_sphere(
        &mut self,
        grad: &Lin,
        dv: &Lin,
        mult: &Term,
        radius: &Term,
        rules: &Rules,
    ) -> Res<bool> {
        let stat = grad.add(&dv.scale(&Term::mul(Term::int(2), mult.clone())));
        let stat = self.canonical(&Val::V(stat), rules)?;
        let slack = Term::sub(self.inner(dv, dv)?, Term::pow(radius.clone(), Term::int(2)));
        let slack = self.canonical(&Val::S(slack), rules)?;
        Ok(super::is_zero(&stat) && super::is_zero(&slack))
    }

    /// Stationary points of a linear objective on the sphere
    /// ‖v − center‖ = radius, and the optimum by the ball argument.
    #[allow(clippy::too_many_arguments)]
    pub fn sphere(
        &mut self,
        sense: Sense,
        g: &Lin,
        center: &Lin,
        radius: &Term,
        var: &str,
        name: &str,
        rules: &Rules,
    ) -> Res<Found> {
        let s: i128 = if sense == Sense::Min { -1 } else { 1 };
        let gn = self.norm(crate::sema::hir::NormP::Two, g)?;
        let dir = g.scale(&Term::pow(gn.clone(), Term::int(-1)));
        let sol = center.add(&dir.scale(&Term::mul(Term::int(s), radius.clone())));
        let Val::V(sol) = self.canonical(&Val::V(sol), rules)? else {
            return Err("a vector optimum".into());
        };
        let dv = sol.add(&center.neg());
        // ν from stationarity ∇f + 2ν(v − c) = 0 at the optimum: ν = −s‖∇f‖/(2r).
        let nu = Term::div(
            Term::mul(Term::int(-s), gn.clone()),
            Term::mul(Term::int(2), radius.clone()),
        );
        if !self.kkt_on_sphere(g, &dv, &nu, radius, rules)? {
            return Err("a sphere constraint whose KKT conditions do not check out".into());
        }
        let t = self.var_vec(var);
        let vc = self.show(&Val::V(Lin::atom(t).add(&center.neg())));
        let pvc = if vc.contains(' ') {
            format!("({vc})")
        } else {
            vc.clone()
        };
        let r = self.show_t_paren(radius);
        let gshow = self.show_l(g);
        let nu = self.canonical(&Val::S(nu), rules)?;
        let other = center.add(&dir.scale(&Term::mul(Term::int(-s), radius.clone())));
        let other = self.canonical(&Val::V(other), rules)?;
        let derived = vec![
            format!("Lagrangian: L = f + ν (‖{vc}‖² − {r}²), ν of either sign"),
            format!(
                "stationarity: {gshow} + 2ν {pvc} = 0, so {vc} = −{gshow}/(2ν), and ‖{vc}‖ = {r} gives ν = ±‖{gshow}‖/(2·{r}) (assuming {gshow} ≠ 0)"
            ),
            format!(
                "stationary points: {name} = {} (ν = {}) and {name} = {}",
                self.show_l(&sol),
                self.show(&nu),
                self.show(&other)
            ),
            format!(
                "not convex (a sphere), but the sphere lies in the ball ‖{vc}‖ ≤ {r}, whose {} {} lies on the sphere: it is optimal over the sphere too",
                if sense == Sense::Min { "minimiser" } else { "maximiser" },
                self.show_l(&sol)
            ),
        ];
        Ok(Found {
            sol: Val::V(sol),
            derived,
            sufficient: true,
        })
    }
}
