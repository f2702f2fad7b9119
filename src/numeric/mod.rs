//! The numeric judge: checks a step on random instances, independently of
//! the symbolic judge (it reads only the checked program, [`crate::sema::hir`]).
//!
//! # What it does
//!
//! For a relation `lhs op rhs` it draws random samples, makes the
//! assumptions hold, evaluates both sides and compares them. A sample where
//! the relation fails is a counterexample ([`Numeric::Refuted`]); if every
//! sample agrees the judge says [`Numeric::Agrees`]. It never proves
//! anything: it can only find counterexamples or fail to.
//!
//! # Exact and high-precision decisions ([`precise`], [`num`])
//!
//! A relation without unknown functions and derivatives is decided by the
//! *precise evaluator*, at every sample whose assumptions hold precisely:
//! - each sampled `f64` is read as the exact rational its shortest decimal
//!   denotes (the value the counterexample prints, so a printed sample is
//!   always inside its declared domain);
//! - a rational step (`+ − × ÷`, integer powers, roots of squares, `|·|`,
//!   `sign`, norms whose squares are squares) is evaluated in exact
//!   rational arithmetic: equality and order are exact, with no tolerance
//!   (`1.0000000003 = 1`, `10^25 = 10^25 + 10^17` are refuted,
//!   `μ < μ + 1/10^11` holds);
//! - otherwise (`exp`, `log`, roots of non-squares) in 256-bit floats with a
//!   rigorous absolute error bound per value (exact terms carry none, so
//!   terms that cancel do not enlarge it; see [`num`]): the sides differ
//!   when `|l − r|` exceeds the sum of their bounds (about 10⁻⁷⁰ of their
//!   size), otherwise they count as equal (ties satisfy `≤`, `≥` and violate
//!   `<`, `>`, `≠`). `exp(x/10^7) = 1 + x/10^7` is refuted.
//! - A side that is undefined (`log` of a non-positive number, a negative
//!   number under a root or to a non-integer power) while the other side
//!   is defined is a counterexample, printed as `undefined (why)`. A pole
//!   (a division by zero, such as `x/‖w‖` at w = 0) is an isolated point
//!   where an identity with a denominator is not meant: the sample is
//!   invalid, as it is where both sides are undefined, or where a value
//!   leaves the range the error bounds can express (`exp(−10⁶)`).
//!
//! Where the evaluator cannot decide (a sign within the bound, a value out
//! of the `f64` exponent range, assumptions that hold only in double
//! precision, such as a vector normalised by a division), the
//! double-precision judge below decides.
//!
//! # Sampling ([`sample`], [`assume`], [`funcs`])
//!
//! - The generator (ChaCha8) is seeded from [`Config::seed`] and an FNV-1a
//!   hash of the step's id, mixed with the dimension: the same seed and step
//!   give the same samples, whatever the steps around it.
//! - Dimensions n = 1, …, 8, 10, 16 are tried in that order, a tenth of the
//!   samples each (a step without vectors uses n = 1 only); the search stops
//!   at the first violating sample, so counterexamples are as small as
//!   possible; they are then *shrunk* by rounding the drawn values to 1 or 2
//!   significant digits when the rounded sample still violates the step.
//! - The first attempts of each dimension give every scalar a special
//!   value (`sample::special_for`): first all scalars the same one (ties
//!   such as s = t), then distinct ones, cycling through 0, ±1, ±2, ±½, ±3,
//!   4, ±10, ±0.1, ±100, ±1000, 10⁻³, ±10⁶, ±10⁻⁶, 10⁹, ±10¹², 10⁻⁹, 10⁻¹²
//!   (those in the domain and the spread).
//! - Scalars (for steps the precise evaluator decides): magnitudes
//!   log-uniform over 10⁻⁶ … 10⁶ with a random sign, one time in four a
//!   special value (0, ±1, ±2, ±½, ±3, ±10, ±10⁻³, 100), one time in eight
//!   far out (10⁻¹⁵ … 10¹⁵); in a one-sided
//!   domain offsets from the end of the same kind, or just inside it
//!   (10⁻⁹, 10⁻⁶, 10⁻³ of its size), and the end itself when closed (one
//!   time in eight); in an interval uniformly, just inside either end, at
//!   a closed end, or at a special value inside. Steps judged in double
//!   precision (derivatives, unknown functions, solve and optimisation) use
//!   the moderate spread 10⁻² … 10², just inside by 10⁻³ … 10⁻¹. Every
//!   value is checked to be in its domain exactly, as it prints.
//! - Vectors: one time in ten each the zero vector, a multiple of the
//!   all-ones vector, of a basis vector, a multiple of an earlier vector of
//!   the sample (parallel), or an earlier-orthogonal one; otherwise normal
//!   components times a log-uniform scale (10⁻³ … 10³, one time in five
//!   10⁻⁶ … 10⁶; moderate: 10⁻¹ … 10, one time in five 10⁻² … 10²).
//!   Matrices have standard normal entries. Drawn values have 3 significant
//!   digits.
//! - Assumptions are made true by construction where their shape allows
//!   (`‖w‖ = 1` by normalising (the zero vector becomes the first axis),
//!   `⟨g, w⟩ = 0` by projecting, `‖g‖ = a` by defining a from g, any scalar
//!   equation by Newton's method) and by rejection otherwise (at most
//!   `10·k + 40` draws for k samples per dimension). Every assumption and
//!   domain is verified on the final sample before it is used; if none can
//!   be found the outcome is [`Numeric::Failed`], naming the assumption —
//!   never a pass. An assumption met by rejection must also hold
//!   *precisely* where the precise evaluator can tell (the double-precision
//!   tolerance would accept nearly parallel vectors for
//!   `⟨w, x⟩² = ‖w‖²‖x‖²`).
//! - Branches: an assumption `a·b·… = 0` holds when any factor is 0; each
//!   sample picks a factor (seeded) and Newton's method zeroes it, so
//!   `assume s t = 0` gives samples with s = 0 and samples with t = 0.
//!
//! # Directed search (`search`)
//!
//! When every sample of a scalar inequality without assumptions agrees
//! (and the precise evaluator decides it), each scalar in turn is moved
//! from the first valid sample over a grid of its domain (0, ±10^(k/4)
//! for |k| ≤ 60, the domain's ends and points just inside them); the
//! margin of the relation is minimised by golden section from every grid
//! minimum and every sign change is bisected, and the relation is checked
//! precisely at the points found (rounded to 2, 4, 6, 9 and 17 digits).
//! `(λ − 50)² > 1` is refuted at λ = 50, `log λ > −30` below e⁻³⁰.
//! - Unknown functions get a fresh random smooth instance per sample
//!   (`a·sin(b·t + c) + d·t² + e·t`; `⟨p, x⟩ + ½·s·xᵀQx + c·sin(⟨d, x⟩ + e)`)
//!   whose derivatives `L'`, `L''`, `∇J`, `∇²J` are closed forms.
//!
//! # Derivatives ([`diff`], [`jet`])
//!
//! `∇_w e` and `∇²_w e` are computed by forward-mode automatic
//! differentiation over the evaluator: values are truncated hyper-dual
//! numbers (jets) whose coefficients are nalgebra matrices, with up to four
//! independent nilpotent infinitesimals (enough for a Hessian inside a
//! Hessian). This is exact up to rounding — no step size to choose and no
//! truncation error, unlike central differences (whose best error for a
//! gradient, with h ≈ 1e-5, is about 1e-10 relative, and 1e-6 for a
//! Hessian by differences of differences; nested derivatives would lose
//! another five digits per level). It shares nothing with the symbolic
//! judge's rules: the body is *evaluated*, not rewritten. Kinks (`|x|`,
//! `sign`, the 1- and ∞-norms, `‖·‖` at 0) are never differentiated across:
//! a sample whose varying argument is within rounding of a kink is redrawn.
//!
//! # Double-precision tolerance ([`tolerance`])
//!
//! Steps (and samples) the precise evaluator leaves undecided are judged in
//! double precision. Each value carries the magnitude of the terms it was
//! computed from (sums add magnitudes, so cancellation keeps them).
//! Equality holds at a sample when `|l − r| ≤ 1e-12 + 1e-8·(mag(l) +
//! mag(r))` in every component; the reported *error* is `|l − r| / (1e-4 +
//! mag(l) + mag(r))`, which must stay ≤ 1e-8. (gradcheck's atol 1e-5 /
//! rtol 1e-3 are for finite differences in low precision; exact formulas
//! in double precision allow a tolerance 10⁵ times tighter while keeping a
//! 10⁶ margin over rounding.) Inequalities use the same tolerance as a
//! margin: ties satisfy `≤`, `≥` and violate `<`, `>`, `≠`. This path can
//! still be fooled by differences below 10⁻⁸ relative (see "Not yet").
//!
//! # Invalid samples
//!
//! A sample where the step cannot be evaluated (in the precise evaluator:
//! both sides undefined; in double precision: a division by zero, `log` of
//! a non-positive number, a negative base to a non-integer power, a kink
//! under a derivative, an overflow) is redrawn. A dimension where no sample
//! is valid is skipped. If more than three quarters of the evaluated
//! samples are invalid, or fewer than a quarter of the requested samples
//! could be drawn, the outcome is `Failed` with the reason.

//! # Instances for figures ([`instances`])
//!
//! `crate::figure` draws one instance of a figure's scope: [`instances`]
//! samples it with the machinery above (same seeding, domains, function
//! instances and assumption constructors) in one given dimension and
//! evaluates the figure's expressions there. It judges nothing.
//!
//! # Solving and optimising (`solve`, `optimize`, `conic`)
//!
//! Each step has a *probe* (`probe`) that the search runs at every valid
//! sample; a relation's probe compares its two sides. A `solve` or
//! `minimize`/`maximize` step is checked only against a claimed answer
//! (`⇒ …`, written by the user or derived by the symbolic judge); without
//! one the outcome is [`Numeric::Unsupported`].
//! - `solve E = F for x ⇒ x = e₁ or x = e₂ …`: every stated value is
//!   substituted and `E = F` compared, as for a claim; a value outside x's
//!   declared domain is refuted. For a scalar x the domain is also scanned
//!   for sign changes of E − F, and a root not among the stated ones
//!   refutes the step (roots where E − F keeps its sign can be missed). For
//!   a vector x only one answer is taken, and uniqueness is not checked.
//! - `solve P op Q for α ⇒ α op₂ r`: at each sample, about 100 values of α
//!   in its domain (spread uniformly and logarithmically, next to r, next
//!   to the domain's bounds, and next to the true set's boundaries found by
//!   bisection) must give `P op Q` and `α op₂ r` the same truth value;
//!   values within rounding of a boundary are not counted, so `α ≤ r` for
//!   `α < r` is not told apart.
//! - `minimize`/`maximize f over x subject to … ⇒ x = e`: the answer must be
//!   feasible (constraints with the tolerance above, elementwise ones
//!   componentwise), and no worse than the optimum that Clarabel finds for
//!   the sampled problem, re-evaluated by the evaluator. The problem data
//!   are extracted by automatic differentiation (the model is verified at
//!   two further points) when the objective is a convex quadratic and the
//!   constraints are boxes (`|u| ≤ b` elementwise, `‖u‖∞ ≤ b`), balls
//!   (`‖u‖ ≤ b`, `‖u‖² ≤ b`), ℓ₁-balls or affine, with u and b affine.
//!   Other problems get a local check: no feasible point near the answer
//!   (along the gradient, the axes and random directions) is better.
//!   Objective values are compared with a relative tolerance of 10⁻⁶
//!   against the magnitude of the objective (the solver's own tolerances
//!   are 10⁻⁸).
//!
//! # Not yet
//!
//! - Steps with unknown functions or derivatives, and solve / optimisation
//!   probes, are judged in double precision only, with the tolerance above.
//! - The directed search covers scalar inequalities without assumptions
//!   only, one variable at a time; a strict inequality tight only at an
//!   irrational point (`λ log λ > −1/e`) is not refuted.
//! - Both sides undefined at a point is an invalid sample, not a report of
//!   the missing declaration.
//! - Only the first zero-product assumption is split into branches;
//!   equality assumptions on matrices (`S w = λ w`, `Qᵀ Q = I`) have no
//!   constructor; `s² + t² = 0` is met by rejection only.
//! - Values beyond the f64 exponent range (`exp(1000)`, `x^(2^32)`) make a
//!   sample invalid, so steps made only of them fail.
//! - Function instances are a bounded family; optima are checked locally
//!   outside the convex cases Clarabel solves; vector solutions are not
//!   checked for uniqueness.
//!
//! Functions returning vectors or matrices, and derivatives nested beyond
//! total order 4 are reported as unsupported, as are optimisation over
//! matrices and answers that do not give the unknown explicitly.
//! Inequality assumptions (`a < b`) are met by rejection only, so a very
//! narrow one fails the step instead of being sampled into.

mod assume;
mod conic;
mod diff;
mod eval;
mod funcs;
mod instance;
mod jet;
mod num;
mod optimize;
mod precise;
mod print;
mod probe;
mod sample;
mod search;
mod solve;
mod tolerance;
mod value;
mod walk;

#[cfg(test)]
mod tests;

pub use instance::{instances, Instance};
pub use sample::DIMS;
pub use tolerance::{ATOL, RTOL};

use crate::sema::hir::{Ex, Goal, Step};
use crate::verdict::Numeric;

use probe::{Probe, RelationProbe};
use search::{Setup, Task};

/// How the numeric judge samples.
///
/// Invariant: the judge's outcome for a step is a function of the step and
/// this configuration only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The seed; each step mixes it with its own id.
    pub seed: u64,
    /// Valid samples wanted per step (spread evenly over [`DIMS`]).
    pub samples: usize,
}

impl Default for Config {
    /// Seed 0 and 100 samples: 10 per dimension. A false identity between
    /// analytic expressions fails at almost every point, so one generic
    /// sample refutes it; the others are there for claims that fail only on
    /// part of the space (inequalities, signs, absolute values, wrong only
    /// for some n, or at special points, which a quarter of the draws are):
    /// if a claim fails on a quarter of the sample space, 100 samples all
    /// miss it with probability 0.75¹⁰⁰ ≈ 10⁻¹³. A sample costs microseconds (a Hessian
    /// in n = 5 takes 15 evaluations), so a step takes a few milliseconds in a
    /// release build.
    fn default() -> Config {
        Config {
            seed: 0,
            samples: 100,
        }
    }
}

/// Judges one step numerically. Never panics.
///
/// - `Relation`: [`Numeric::Agrees`] when every valid sample satisfies the
///   relation, [`Numeric::Refuted`] with the smallest counterexample
///   found, [`Numeric::Failed`] when no valid samples can be drawn,
///   [`Numeric::Unsupported`] for constructs this judge cannot evaluate.
/// - `Show`: `Agrees { samples: 0, max_error: 0 }` when the expression can
///   be evaluated at some sample (nothing is compared), `Failed` otherwise.
/// - `Solve`, `Optimize` with an answer: like a relation, with the checks
///   of the module docs at every sample; without an answer: `Unsupported`.
pub fn judge(step: &Step, cfg: &Config) -> Numeric {
    judge_in(step, cfg, None)
}

/// [`judge`] sampling the dimensions `dims` instead of [`DIMS`] (a step
/// without vectors still uses n = 1 only). For benchmarks: the outcome
/// that reports rely on is [`judge`]'s.
#[doc(hidden)]
pub fn judge_at_dims(step: &Step, cfg: &Config, dims: &[usize]) -> Numeric {
    judge_in(step, cfg, Some(dims))
}

fn judge_in(step: &Step, cfg: &Config, dims: Option<&[usize]>) -> Numeric {
    let scope = &*step.scope;
    // Relations the precise evaluator decides are sampled widely; the rest
    // (judged in double precision) moderately.
    let spread = match &step.goal {
        Goal::Relation(f) if precise::supports(&f.lhs) && precise::supports(&f.rhs) => {
            sample::Spread::WIDE
        }
        _ => sample::Spread::MODERATE,
    };
    let run = |goal: &[&Ex], task: Task<'_>| match Setup::new(step, goal) {
        Ok(s) => {
            let s = s.with_spread(spread);
            match dims {
                Some(d) => s.with_dims(d).run(cfg, task),
                None => s.run(cfg, task),
            }
        }
        Err(out) => out,
    };
    let check = |goal: &[&Ex], p: &dyn Probe| run(goal, Task::Check(p));
    match &step.goal {
        Goal::Relation(fact) => check(
            &[&fact.lhs, &fact.rhs],
            &RelationProbe(fact, &scope.assumptions),
        ),
        Goal::Show(e) => run(&[e], Task::Show(e)),
        Goal::Solve { answer: None, .. } => Numeric::Unsupported {
            what: "a solve step without an answer to check".into(),
        },
        Goal::Optimize { answer: None, .. } => Numeric::Unsupported {
            what: "an optimisation step without an optimum to check".into(),
        },
        Goal::Solve {
            rel,
            var,
            answer: Some(ans),
        } => match solve::probe(scope, rel, var, ans) {
            Ok(p) => {
                let mut goal: Vec<&Ex> = vec![&rel.lhs, &rel.rhs];
                for a in ans {
                    goal.push(&a.lhs);
                    goal.push(&a.rhs);
                }
                check(&goal, &*p)
            }
            Err(what) => Numeric::Unsupported { what },
        },
        Goal::Optimize {
            sense,
            objective,
            var,
            constraints,
            answer: Some(ans),
        } => match optimize::OptimizeProbe::new(scope, *sense, objective, var, constraints, ans) {
            Ok(p) => {
                let mut goal: Vec<&Ex> = vec![objective, &ans.lhs, &ans.rhs];
                for c in constraints {
                    goal.push(&c.fact.lhs);
                    goal.push(&c.fact.rhs);
                }
                check(&goal, &p)
            }
            Err(what) => Numeric::Unsupported { what },
        },
    }
}
