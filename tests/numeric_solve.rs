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
