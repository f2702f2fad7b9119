//! The numeric judge on `solve` and `minimize`/`maximize` steps: the
//! sheet's answers agree, wrong answers are refuted with a counterexample,
//! and the outcome depends only on the step and the seed.

use derive::diag::Source;
use derive::numeric::{judge, Config};
use derive::sema::{check_file, hir::Program};
use derive::verdict::{Counterexample, Numeric};

fn program(text: &str) -> Program {
    let src = Source::new("solve.drv", text);
    match check_file(&src) {
        Ok(p) => p,
        Err(ds) => {
            let shown: Vec<String> = ds.iter().map(|d| d.render(&src)).collect();
            panic!("does not check:\n{}", shown.join("\n"));
        }
    }
}

/// The outcome of the last step of `text` (declarations, then the step).
fn last(text: &str, cfg: &Config) -> Numeric {
    let p = program(text);
    let step = p.steps.last().expect("a step");
    judge(step, cfg)
}

fn outcome(text: &str) -> Numeric {
    last(text, &Config::default())
}

fn agrees(text: &str) {
    let out = outcome(text);
    assert!(
        matches!(out, Numeric::Agrees { samples, .. } if samples >= 12),
        "expected agreement for\n{text}\ngot {out:?}"
    );
}

fn refuted(text: &str) -> Counterexample {
    match outcome(text) {
        Numeric::Refuted { counterexample, .. } => counterexample,
        other => panic!("expected a counterexample for\n{text}\ngot {other:?}"),
    }
}

fn value<'a>(c: &'a Counterexample, name: &str) -> &'a str {
    &c.values
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no value for {name} in {c:?}"))
        .value
}

fn has(c: &Counterexample, name: &str) -> bool {
    c.values.iter().any(|b| b.name == name)
}

const PROX: &str = "let θ, θₜ, g: vector
let λ, ε: scalar > 0
def F(θ) = ⟨g, θ − θₜ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖²
";

const SHRINK: &str = "let w, g: vector
let λ, α: scalar > 0
let a: scalar ≥ 0
assume ‖w‖ = 1, ‖g‖ = a, ⟨g, w⟩ = 0
def R = λ/2 ‖w‖²
def w₁ = w − α (g + ∇_w R)
";

const STEP: &str = "let λ, α: scalar > 0\n";

const BOX: &str = "let θ, θₜ, g: vector
let ε: scalar > 0
";

const FGSM: &str = "let x, δ: vector
let ε: scalar > 0
let J: function vector -> scalar
";

const BALL: &str = "let g, δ, θ: vector
let ε, λ: scalar > 0
";

fn with(head: &str, step: &str) -> String {
    format!("{head}{step}\n")
}

// ───────────────────────────── the sheet ──────────────────────────────

#[test]
fn proximal_stationary_point_agrees() {
    agrees(&with(
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − (ε/2) g) / (1 + λε)",
    ));
}

#[test]
fn proximal_stationary_point_with_the_wrong_gradient_factor_is_refuted() {
    let c = refuted(&with(
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − ε g) / (1 + λε)",
    ));
    // The unknown's value from the answer is shown, the drawn one is not.
    assert!(has(&c, "θ (the answer)"), "{c:?}");
    assert!(!has(&c, "θ"), "{c:?}");
    assert!(has(&c, "θₜ") && has(&c, "g") && has(&c, "λ"), "{c:?}");
    assert!(c.n <= 2, "{c:?}");
}

#[test]
fn norm_shrinks_for_small_steps_agrees() {
    agrees(&with(SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < 2λ / (λ² + a²)"));
}

#[test]
fn norm_shrink_with_half_the_bound_is_refuted() {
    let c = refuted(&with(SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < λ / (λ² + a²)"));
    // α, both truth values, the bound, P and Q are shown.
    let alpha: f64 = value(&c, "α").parse().unwrap();
    assert!(alpha > 0.0, "{c:?}");
    assert_eq!(value(&c, "‖w₁‖² < 1"), "true");
    assert_eq!(value(&c, "α < λ / (λ² + a²)"), "false");
    assert!(has(&c, "λ / (λ² + a²)"), "{c:?}");
    let p: f64 = c.lhs.parse().unwrap();
    assert!(p < 1.0, "{c:?}");
    assert_eq!(c.rhs, "1");
}

#[test]
fn gradient_descent_step_size_bound_agrees() {
    agrees(&with(STEP, "solve (1 − αλ)² < 1 for α ⇒ α < 2/λ"));
    agrees(&with(STEP, "solve 2/λ > α for α ⇒ α < 2/λ"));
    agrees(&with(STEP, "solve (1 − αλ)² ≥ 1 for α ⇒ α ≥ 2/λ"));
}

#[test]
fn box_trust_region_agrees() {
    agrees(&with(
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε sign(g)",
    ));
}

#[test]
fn fgsm_agrees() {
    agrees(&with(
        FGSM,
        "maximize J(x) + ⟨∇J(x), δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = ε sign(∇J(x))",
    ));
}

#[test]
fn steepest_descent_in_a_ball_agrees() {
    agrees(&with(
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ ≤ ε ⇒ δ = −ε g/‖g‖",
    ));
    agrees(&with(
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ‖δ‖² ≤ ε² ⇒ δ = −ε g/‖g‖",
    ));
    agrees(&with(
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ε ≥ ‖δ‖ ⇒ δ = −ε g/‖g‖",
    ));
}

#[test]
fn ridge_agrees() {
    agrees(&with(BALL, "minimize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −g/λ"));
}

#[test]
fn proximal_step_agrees() {
    agrees(&with(
        PROX,
        "minimize F(θ) over θ ⇒ θ = θₜ − ε/(1 + λε) (g/2 + λθₜ)",
    ));
}

#[test]
fn the_assignment_files_agree_at_every_step() {
    for path in [
        "derivations/assignment1.drv",
        "derivations/assignment2.drv",
        "derivations/assignment3.drv",
        "derivations/optimisation.drv",
    ] {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let p = program(&text);
        for s in &p.steps {
            let out = judge(s, &Config::default());
            let unanswered = matches!(
                &s.goal,
                derive::sema::hir::Goal::Solve { answer: None, .. }
                    | derive::sema::hir::Goal::Optimize { answer: None, .. }
            );
            if unanswered {
                assert!(
                    matches!(out, Numeric::Unsupported { .. }),
                    "{path}: {}",
                    s.text
                );
            } else {
                assert!(
                    matches!(out, Numeric::Agrees { .. }),
                    "{path}: {}: {out:?}",
                    s.text
                );
            }
        }
    }
}

// ─────────────────────────── more that agree ──────────────────────────

#[test]
fn other_right_answers_agree() {
    // The box again, as an ∞-norm ball.
    agrees(
        "let g, δ: vector\nlet ε: scalar > 0\n\
         minimize ⟨g, δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = −ε sign(g)\n",
    );
    // An ℓ₁ ball in one dimension is the interval.
    agrees(
        "let g: scalar\nlet δ: scalar\nlet ε: scalar > 0\n\
         minimize g δ over δ subject to |δ| ≤ ε ⇒ δ = −ε sign(g)\n",
    );
    // A scalar decision variable whose domain acts as a constraint.
    agrees("let x, c: scalar > 0\nminimize (x − c)^2 over x ⇒ x = c\n");
    agrees("let x, c: scalar > 0\nminimize (x + c)^2 over x subject to x ≥ c ⇒ x = c\n");
    // A linear equation in a scalar.
    agrees("let a, b, x: scalar > 0\nsolve a x = b for x ⇒ x = b/a\n");
    // A non-convex objective: the local check.
    agrees("let x: scalar\nminimize (x − 1)^4 − (x − 1)^2 over x subject to x ≥ 2 ⇒ x = 2\n");
}

// ──────────────────────── several solutions ───────────────────────────

const X: &str = "let x: scalar\n";
const X_POS: &str = "let x: scalar > 0\n";
const A_POS: &str = "let x: scalar\nlet a: scalar > 0\n";

fn unsupported(text: &str) -> String {
    match outcome(text) {
        Numeric::Unsupported { what } => what,
        other => panic!("expected unsupported for\n{text}\ngot {other:?}"),
    }
}

fn num(c: &Counterexample, name: &str) -> f64 {
    value(c, name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number in {c:?}"))
}

#[test]
fn all_the_roots_of_a_quadratic_agree_in_either_order() {
    agrees(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 1 or x = 2"));
    agrees(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 2 or x = 1"));
    agrees(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 2 ∨ x = 1"));
    agrees(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ 1 = x or x = 2"));
}

#[test]
fn a_missing_root_is_refuted_and_shown() {
    let c = refuted(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 2"));
    let other = num(&c, "x (another solution)");
    assert!((other - 1.0).abs() < 1e-9, "{c:?}");
    assert_eq!(num(&c, "x (the answer)"), 2.0, "{c:?}");
    // E and F at the other root: equal.
    let (l, r): (f64, f64) = (c.lhs.parse().unwrap(), c.rhs.parse().unwrap());
    assert!((l - r).abs() < 1e-9, "{c:?}");
    // The sampled value of the unknown means nothing and is not shown.
    assert!(!has(&c, "x"), "{c:?}");
}

#[test]
fn a_wrong_alternative_is_refuted() {
    let c = refuted(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 1 or x = 3"));
    assert_eq!(num(&c, "x (answer 2)"), 3.0, "{c:?}");
    assert!(!has(&c, "x (another solution)"), "{c:?}");
    let c = refuted(&with(X, "solve x² − 3x + 2 = 0 for x ⇒ x = 3 or x = 1"));
    assert_eq!(num(&c, "x (answer 1)"), 3.0, "{c:?}");
}

#[test]
fn the_declared_domain_decides_how_many_roots_there_are() {
    agrees(&with(X_POS, "solve x² = 4 for x ⇒ x = 2"));
    let c = refuted(&with(X, "solve x² = 4 for x ⇒ x = 2"));
    assert!(
        (num(&c, "x (another solution)") + 2.0).abs() < 1e-9,
        "{c:?}"
    );
    // A stated root outside the domain is refuted.
    let c = refuted(&with(X_POS, "solve x² = 4 for x ⇒ x = 2 or x = −2"));
    assert_eq!(num(&c, "x (answer 2)"), -2.0, "{c:?}");
}

#[test]
fn square_roots_of_a_parameter() {
    agrees(&with(A_POS, "solve x^2 = a for x ⇒ x = √a or x = −√a"));
    agrees(&with(A_POS, "solve x^2 = a for x ⇒ x = −√a or x = √a"));
    let c = refuted(&with(A_POS, "solve x^2 = a for x ⇒ x = √a"));
    let a = num(&c, "a");
    let other = num(&c, "x (another solution)");
    assert!(
        a > 0.0 && (other + a.sqrt()).abs() < 1e-6 * a.sqrt().max(1.0),
        "{c:?}"
    );
}

#[test]
fn a_sign_change_across_a_pole_is_not_a_root() {
    agrees(&with(X, "solve (x − 2)/(x − 1) = 0 for x ⇒ x = 2"));
    agrees(&with(X, "solve 1/(x − 1) = 1 for x ⇒ x = 2"));
    agrees(&with(X, "solve (x² − 1)/(x − 1) = 0 for x ⇒ x = −1"));
    // A stated value where the equation is undefined does not hide a wrong
    // one.
    let c = refuted(&with(
        X,
        "solve (x − 1)²/(x − 1) = 0 for x ⇒ x = 1 or x = 2",
    ));
    assert_eq!(num(&c, "x (answer 2)"), 2.0, "{c:?}");
    // … but a root next to the pole still counts.
    let c = refuted(&with(X, "solve (x − 2)(x − 1.5)/(x − 1) = 0 for x ⇒ x = 2"));
    assert!(
        (num(&c, "x (another solution)") - 1.5).abs() < 1e-9,
        "{c:?}"
    );
}

#[test]
fn three_roots_of_a_cubic() {
    agrees(&with(
        X,
        "solve x³ − x = 0 for x ⇒ x = -1 or x = 0 or x = 1",
    ));
    agrees(&with(
        X,
        "solve x³ − x = 0 for x ⇒ x = 1 or x = -1 or x = 0",
    ));
    let c = refuted(&with(X, "solve x³ − x = 0 for x ⇒ x = 0 or x = 1"));
    assert!(
        (num(&c, "x (another solution)") + 1.0).abs() < 1e-9,
        "{c:?}"
    );
    assert_eq!(num(&c, "x (answer 1)"), 0.0, "{c:?}");
    assert_eq!(num(&c, "x (answer 2)"), 1.0, "{c:?}");
    refuted(&with(X, "solve x³ − x = 0 for x ⇒ x = -1 or x = 1"));
}

#[test]
fn a_multiple_root_written_out_is_one_root() {
    // Rounding makes (x − 1)⁵ written out flat within the tolerance near 1:
    // the bisection stops some 10⁻⁴ away from 1, which is still 1.
    agrees(&with(
        X,
        "solve x^5 − 5x^4 + 10x^3 − 10x^2 + 5x − 1 = 0 for x ⇒ x = 1",
    ));
    agrees(&with(X, "solve 27x³ − 27x² + 9x − 1 = 0 for x ⇒ x = 1/3"));
    agrees(&with(X, "solve (x − 1)^3 = 0 for x ⇒ x = 1"));
    // Two close but distinct roots are told apart.
    let c = refuted(&with(X, "solve (x − 1)(x − 1.001) = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 1.001).abs() < 1e-9,
        "{c:?}"
    );
}

#[test]
fn a_touching_root_is_found() {
    // x = 3 is a double root: (x − 1)(x − 3)² does not change sign there.
    let c = refuted(&with(X, "solve (x − 1)(x − 3)² = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 3.0).abs() < 1e-6,
        "{c:?}"
    );
    assert_eq!(num(&c, "x (the answer)"), 1.0, "{c:?}");
    let (l, r): (f64, f64) = (c.lhs.parse().unwrap(), c.rhs.parse().unwrap());
    assert!((l - r).abs() < 1e-9, "{c:?}");
    agrees(&with(X, "solve (x − 1)(x − 3)² = 0 for x ⇒ x = 1 or x = 3"));
    agrees(&with(X, "solve (x − 1)(x − 3)² = 0 for x ⇒ x = 3 or x = 1"));
}

#[test]
fn a_double_root_alone_agrees_and_a_missing_one_is_refuted() {
    agrees(&with(X, "solve (x − 2)² = 0 for x ⇒ x = 2"));
    agrees(&with(X, "solve x² − 4x + 4 = 0 for x ⇒ x = 2"));
    agrees(&with(
        X,
        "solve x^4 − 4x^3 + 6x^2 − 4x + 1 = 0 for x ⇒ x = 1",
    ));
    agrees(&with(X, "solve x²(x − 1) = 0 for x ⇒ x = 1 or x = 0"));
    let c = refuted(&with(X, "solve x²(x − 1) = 0 for x ⇒ x = 1"));
    assert!(num(&c, "x (another solution)").abs() < 1e-6, "{c:?}");
    // A touching root that depends on a parameter, and one close to a
    // stated root.
    let c = refuted(&with(A_POS, "solve (x − a)²(x + 1) = 0 for x ⇒ x = −1"));
    let a = num(&c, "a");
    assert!(
        (num(&c, "x (another solution)") - a).abs() < 1e-6 * a.max(1.0),
        "{c:?}"
    );
    agrees(&with(
        A_POS,
        "solve (x − a)²(x + 1) = 0 for x ⇒ x = −1 or x = a",
    ));
    let c = refuted(&with(X, "solve (x − 1)(x − 1.001)² = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 1.001).abs() < 1e-6,
        "{c:?}"
    );
}

#[test]
fn a_minimum_that_only_comes_close_to_zero_is_not_a_root() {
    // x² + 1/1000 has no real root, but |E − F| has a local minimum of
    // about 10⁻³ near 0 (next to half-decade grid points): far above the
    // tolerance, so it is not a root and the one real root is the answer.
    agrees(&with(X, "solve (x − 1)(x² + 1/1000) = 0 for x ⇒ x = 1"));
    agrees(&with(
        X,
        "solve (x − 5)((x − 3)² + 1/1000) = 0 for x ⇒ x = 5",
    ));
    agrees(&with(X, "solve (x − 1)(x² + 1/1000000) = 0 for x ⇒ x = 1"));
    agrees(&with(
        X,
        "solve x² + 1/1000 = x² + 1/1000 + x for x ⇒ x = 0",
    ));
    // Flat stretches of E − F (constant for |x| > 1) are no minima either.
    agrees(&with(X, "solve |x + 1| − |x − 1| = 1 for x ⇒ x = 1/2"));
}

#[test]
fn the_flat_neighbourhood_of_a_stated_multiple_root_is_that_root() {
    // (x − 1)⁸ written out holds within the tolerance for |x − 1| up to
    // about 0.2, with rounding noise inside: no other root there.
    agrees(&with(
        X,
        "solve x^8 − 8x^7 + 28x^6 − 56x^5 + 70x^4 − 56x^3 + 28x^2 − 8x + 1 = 0 for x ⇒ x = 1",
    ));
    agrees(&with(
        X,
        "solve 81x^4 − 108x^3 + 54x^2 − 12x + 1 = 0 for x ⇒ x = 1/3",
    ));
    // … but a touching root written out is still found.
    let c = refuted(&with(X, "solve x³ − 7x² + 15x − 9 = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 3.0).abs() < 1e-6,
        "{c:?}"
    );
    agrees(&with(
        X,
        "solve x³ − 7x² + 15x − 9 = 0 for x ⇒ x = 1 or x = 3",
    ));
}

#[test]
fn roots_far_out_and_near_a_bound_are_found() {
    let c = refuted(&with(X, "solve (x − 1)(x − 5000) = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 5000.0).abs() < 1e-6,
        "{c:?}"
    );
    let c = refuted(&with(X_POS, "solve (x − 1)(x − 0.001) = 0 for x ⇒ x = 1"));
    assert!(
        (num(&c, "x (another solution)") - 0.001).abs() < 1e-12,
        "{c:?}"
    );
}

#[test]
fn a_linear_equation_in_a_parameter_has_one_root() {
    agrees("let a, b, x: scalar > 0\nsolve a x = b for x ⇒ x = b/a\n");
    agrees("let a, b: scalar > 0\nlet x: scalar\nsolve a x + b = 0 for x ⇒ x = −b/a\n");
}

#[test]
fn roots_where_an_assumption_fails_do_not_count() {
    // x = −2 solves x² = 4 but violates the assumption.
    agrees("let x, c: scalar\nassume x > c − c\nsolve x² = 4 for x ⇒ x = 2\n");
}

#[test]
fn a_vector_solve_with_one_answer_is_unchanged() {
    agrees(&with(
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − (ε/2) g) / (1 + λε)",
    ));
    agrees("let w, b: vector\nlet λ: scalar > 0\nsolve λ w = b for w ⇒ w = b/λ\n");
    let c = refuted("let w, b: vector\nlet λ: scalar > 0\nsolve λ w = b for w ⇒ w = λ b\n");
    assert!(has(&c, "w (the answer)"), "{c:?}");
}

#[test]
fn several_answers_for_a_vector_or_an_inequality_are_unsupported() {
    let what = unsupported("let w, b: vector\nsolve w = b for w ⇒ w = b or w = −b\n");
    assert!(what.contains("several solutions"), "{what}");
    assert!(what.contains("a vector"), "{what}");
    // Answers that do not give the unknown explicitly, or an inequality
    // among the alternatives of an equation.
    let what = unsupported(&with(X, "solve x² = 1 for x ⇒ x = 1 or x² = 1"));
    assert!(what.contains("explicitly"), "{what}");
    let what = unsupported(&with(X, "solve x² = 1 for x ⇒ x = 1 or x < 0"));
    assert!(what.contains("inequality"), "{what}");
}

#[test]
fn several_solutions_same_seed_same_outcome() {
    for t in [
        with(A_POS, "solve x^2 = a for x ⇒ x = √a"),
        with(A_POS, "solve x^2 = a for x ⇒ x = √a or x = −√a"),
    ] {
        for seed in [0, 7] {
            let cfg = Config {
                seed,
                ..Config::default()
            };
            assert_eq!(last(&t, &cfg), last(&t, &cfg), "{t}");
        }
    }
}

// ───────────────────────────── wrong answers ──────────────────────────

/// Wrong answers, each of which must be refuted.
const WRONG: &[(&str, &str)] = &[
    // solve, equations
    (PROX, "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − ε g) / (1 + λε)"),
    (
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − (ε/2) g) / (1 − λε)",
    ),
    (
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ + (ε/2) g) / (1 + λε)",
    ),
    (PROX, "solve ∇_θ F = 0 for θ ⇒ θ = θₜ − (ε/2) g"),
    (
        PROX,
        "solve ∇_θ F = 0 for θ ⇒ θ = (θₜ − (ε/2) g) / (1 + 2λε)",
    ),
    (STEP, "solve α λ = 2 for α ⇒ α = λ/2"),
    // solve, inequalities: wrong root, wrong direction, wrong factor
    (SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < λ / (λ² + a²)"),
    (SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α > 2λ / (λ² + a²)"),
    (SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < 2 / λ"),
    (SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < 2λ / (λ² + a²) + 0.001"),
    (SHRINK, "solve ‖w₁‖² > 1 for α ⇒ α < 2λ / (λ² + a²)"),
    (STEP, "solve (1 − αλ)² < 1 for α ⇒ α < 1/λ"),
    (STEP, "solve (1 − αλ)² < 1 for α ⇒ α > 2/λ"),
    (STEP, "solve (1 − αλ)² < 1 for α ⇒ α < 2λ"),
    (STEP, "solve (1 − αλ)² < 1 for α ⇒ α < 2/λ²"),
    (
        STEP,
        "solve (1 − αλ)² < 1 for α ⇒ α < 2/λ · (1 + 1/1000000)",
    ),
    ("let λ, α: scalar\n", "solve (1 − αλ)² < 1 for α ⇒ α < 2/λ"),
    // optimisation: worse, infeasible, wrong sign, missing case
    (
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ + ε sign(g)",
    ),
    (
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − 2ε sign(g)",
    ),
    (
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε g",
    ),
    (
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε g/‖g‖",
    ),
    (
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = −ε sign(g)",
    ),
    (
        FGSM,
        "maximize J(x) + ⟨∇J(x), δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = −ε sign(∇J(x))",
    ),
    (
        FGSM,
        "maximize J(x) + ⟨∇J(x), δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = ε ∇J(x)",
    ),
    (
        FGSM,
        "maximize J(x) + ⟨∇J(x), δ⟩ over δ subject to ‖δ‖∞ ≤ ε ⇒ δ = ε sign(x)",
    ),
    (
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ ≤ ε ⇒ δ = ε g/‖g‖",
    ),
    (BALL, "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ ≤ ε ⇒ δ = −ε g"),
    (
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ‖δ‖ ≤ ε ⇒ δ = −ε sign(g)",
    ),
    (
        BALL,
        "minimize ⟨g, δ⟩ over δ subject to ‖δ‖₁ ≤ ε ⇒ δ = −ε sign(g)",
    ),
    (BALL, "minimize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = g/λ"),
    (BALL, "minimize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −λ g"),
    (BALL, "maximize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −g/λ"),
    (BALL, "minimize ⟨g, δ⟩ over δ ⇒ δ = −g"),
    (PROX, "minimize F(θ) over θ ⇒ θ = θₜ − ε/(1 + λε) (g + λθₜ)"),
    (PROX, "minimize F(θ) over θ ⇒ θ = θₜ − ε (g/2 + λθₜ)"),
    (PROX, "minimize F(θ) over θ ⇒ θ = θₜ"),
    (
        "let x, c: scalar > 0\n",
        "minimize (x + c)² over x ⇒ x = −c",
    ),
];

#[test]
fn wrong_answers_are_refuted() {
    assert!(WRONG.len() >= 20);
    let mut bad = Vec::new();
    for (head, step) in WRONG {
        let text = with(head, step);
        match outcome(&text) {
            Numeric::Refuted { counterexample, .. } => {
                if counterexample.n > 3 {
                    bad.push(format!(
                        "{step}: counterexample in n = {}",
                        counterexample.n
                    ));
                }
            }
            other => bad.push(format!("{step}: {other:?}")),
        }
    }
    assert!(bad.is_empty(), "not refuted:\n{}", bad.join("\n"));
}

#[test]
fn an_infeasible_optimum_names_the_violated_constraint() {
    let c = refuted(&with(
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − 2ε sign(g)",
    ));
    assert!(value(&c, "why").contains("violates `|θ − θₜ| ≤ ε"), "{c:?}");
    assert!(has(&c, "θ (claimed)"), "{c:?}");
    assert!(!has(&c, "θ"), "{c:?}");
}

#[test]
fn a_worse_optimum_shows_the_solvers_point_and_both_values() {
    let c = refuted(&with(
        BOX,
        "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ + ε sign(g)",
    ));
    assert!(value(&c, "why").contains("Clarabel"), "{c:?}");
    assert!(has(&c, "θ (claimed)") && has(&c, "θ (solver)"), "{c:?}");
    let claimed: f64 = value(&c, "objective at the claimed θ").parse().unwrap();
    let solver: f64 = value(&c, "objective at the solver's θ").parse().unwrap();
    assert!(solver < claimed, "{c:?}");
    assert_eq!(c.lhs.parse::<f64>().unwrap(), claimed);
}

#[test]
fn a_non_convex_problem_gets_the_local_check() {
    let c = refuted(&with(BALL, "maximize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −g/λ"));
    assert!(value(&c, "why").starts_with("local check"), "{c:?}");
}

#[test]
fn steps_without_an_answer_or_with_an_implicit_one_are_unsupported() {
    for step in [
        "solve ∇_θ F = 0 for θ",
        "minimize F(θ) over θ",
        "solve ∇_θ F = 0 for θ ⇒ θ = θ − ∇_θ F",
    ] {
        let out = outcome(&with(PROX, step));
        assert!(
            matches!(out, Numeric::Unsupported { .. }),
            "{step}: {out:?}"
        );
    }
}

#[test]
fn same_seed_same_outcome() {
    let texts = [
        with(SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < λ / (λ² + a²)"),
        with(SHRINK, "solve ‖w₁‖² < 1 for α ⇒ α < 2λ / (λ² + a²)"),
        with(
            BOX,
            "minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε g",
        ),
        with(
            PROX,
            "minimize F(θ) over θ ⇒ θ = θₜ − ε/(1 + λε) (g/2 + λθₜ)",
        ),
        with(BALL, "maximize λ/2 ‖θ‖² + ⟨g, θ⟩ over θ ⇒ θ = −g/λ"),
    ];
    for seed in [0, 7] {
        let cfg = Config {
            seed,
            ..Config::default()
        };
        for t in &texts {
            assert_eq!(last(t, &cfg), last(t, &cfg), "{t}");
        }
    }
}
