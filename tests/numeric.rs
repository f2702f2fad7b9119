//! The numeric judge on parsed and checked derivation files.

use derive::diag::Source;
use derive::numeric::{judge, Config};
use derive::sema::{check_file, hir::Program};
use derive::verdict::{Counterexample, Numeric};

fn program(text: &str) -> Program {
    let src = Source::new("test.drv", text);
    match check_file(&src) {
        Ok(p) => p,
        Err(ds) => {
            let shown: Vec<String> = ds.iter().map(|d| d.render(&src)).collect();
            panic!("does not check:\n{}", shown.join("\n"));
        }
    }
}

/// Every step's text and outcome.
fn judge_all(text: &str, cfg: &Config) -> Vec<(String, Numeric)> {
    program(text)
        .steps
        .iter()
        .map(|s| (s.text.clone(), judge(s, cfg)))
        .collect()
}

fn only(text: &str) -> Numeric {
    let mut all = judge_all(text, &Config::default());
    assert_eq!(all.len(), 1, "expected one step");
    all.remove(0).1
}

fn refuted(out: &Numeric) -> &Counterexample {
    match out {
        Numeric::Refuted { counterexample, .. } => counterexample,
        other => panic!("expected a counterexample, got {other:?}"),
    }
}

fn agrees(out: &Numeric) {
    assert!(
        matches!(out, Numeric::Agrees { samples, .. } if *samples > 0),
        "expected agreement, got {out:?}"
    );
}

/// Parses a printed value (`0.5` or `[0.5, -1]`) into numbers.
fn numbers(s: &str) -> Vec<f64> {
    s.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|x| x.trim().parse::<f64>().unwrap_or(f64::NAN))
        .collect()
}

fn value<'a>(c: &'a Counterexample, name: &str) -> &'a str {
    &c.values
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no value for {name} in {c:?}"))
        .value
}

#[test]
fn wrong_gradient_of_the_norm_is_refuted_with_a_small_counterexample() {
    let out = only("let w: vector\nclaim ∇_w ‖w‖ = w\n");
    let c = refuted(&out);
    assert!(c.n <= 2, "{c:?}");
    assert_eq!(numbers(value(c, "w")).len(), c.n);
    assert!(c.error > 1e-8);
}

#[test]
fn correct_gradient_of_the_norm_agrees() {
    agrees(&only("let w: vector\nclaim ∇_w ‖w‖ = w/‖w‖\n"));
}

#[test]
fn weight_decay_gradient_agrees() {
    agrees(&only(
        "let w, x: vector\nlet λ: scalar > 0\nclaim ∇_w (λ/2 ‖w‖²) = λ w\n",
    ));
}

const MIXED: &str = "
let w, x, g: vector
let λ, α: scalar > 0
let a: scalar ≥ 0
let L: function scalar -> scalar
claim ∇_w ‖w‖ = w
claim ∇_w L(wᵀx) = L'(wᵀx) x
claim ∇_w L(wᵀx) = L'(wᵀx) w
claim (1 − αλ)² + α²a² − 1 = α((λ² + a²)α − 2λ)
claim (1 − αλ)² + α²a² − 1 = α((λ² + a²)α + 2λ)
claim ‖w + x‖² ≤ 2‖w‖² + 2‖x‖²
claim ‖w + x‖ ≥ ‖w‖ + ‖x‖
";

#[test]
fn the_same_seed_gives_identical_outcomes() {
    let cfg = Config {
        seed: 42,
        samples: 48,
    };
    let a = judge_all(MIXED, &cfg);
    let b = judge_all(MIXED, &cfg);
    assert_eq!(a, b);
    // A step's samples depend on the step only, not on its neighbours.
    let alone = judge_all("let w, x: vector\nclaim ∇_w ‖w‖ = w\n", &cfg);
    assert_eq!(alone[0].1, a[0].1);
}

#[test]
fn another_seed_gives_other_samples_and_the_same_verdicts() {
    let a = judge_all(
        MIXED,
        &Config {
            seed: 1,
            samples: 48,
        },
    );
    let b = judge_all(
        MIXED,
        &Config {
            seed: 2,
            samples: 48,
        },
    );
    let mut differ = 0;
    for ((text, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(
            std::mem::discriminant(x),
            std::mem::discriminant(y),
            "{text}: {x:?} vs {y:?}"
        );
        if let (
            Numeric::Refuted {
                counterexample: p, ..
            },
            Numeric::Refuted {
                counterexample: q, ..
            },
        ) = (x, y)
        {
            differ += usize::from(p.values != q.values);
        }
    }
    assert!(
        differ >= 2,
        "the counterexamples should differ between seeds"
    );
    let verdicts: Vec<bool> = a
        .iter()
        .map(|(_, x)| matches!(x, Numeric::Agrees { .. }))
        .collect();
    assert_eq!(verdicts, [false, true, false, true, false, true, false]);
}

#[test]
fn unit_norm_and_orthogonality_hold_on_the_samples() {
    // A false claim under the assumptions shows the sample it used.
    let text = "
let w, g: vector
let a: scalar ≥ 0
assume ‖w‖ = 1, ‖g‖ = a, ⟨g, w⟩ = 0
claim a = 0
claim ‖w‖ = 1
claim ⟨g, w⟩ = 0
claim ‖g‖² = a²
claim ⟨w, w + g⟩ = 1
";
    let all = judge_all(text, &Config::default());
    let c = refuted(&all[0].1);
    assert!(c.n >= 2, "in n = 1, g ⊥ w forces a = 0: {c:?}");
    let w = numbers(value(c, "w"));
    let g = numbers(value(c, "g"));
    let a = numbers(value(c, "a"))[0];
    let dot: f64 = w.iter().zip(&g).map(|(x, y)| x * y).sum();
    let nw = w.iter().map(|x| x * x).sum::<f64>().sqrt();
    let ng = g.iter().map(|x| x * x).sum::<f64>().sqrt();
    // Printed with 6 significant digits.
    assert!((nw - 1.0).abs() < 1e-5, "‖w‖ = {nw}");
    assert!(dot.abs() < 1e-5, "⟨g, w⟩ = {dot}");
    assert!((ng - a).abs() < 1e-5 * (1.0 + a), "‖g‖ = {ng}, a = {a}");
    for (text, out) in &all[1..] {
        assert!(matches!(out, Numeric::Agrees { .. }), "{text}: {out:?}");
    }
}

#[test]
fn the_shrinking_calc_of_assignment_one_agrees_and_a_dropped_assumption_is_caught() {
    let with = "
let w, g: vector
let λ, α: scalar > 0
let a: scalar ≥ 0
assume ‖w‖ = 1, ‖g‖ = a, ⟨g, w⟩ = 0
calc ‖w − α (g + λ w)‖²
   = ‖(1 − αλ) w − α g‖²
   = (1 − αλ)² ‖w‖² − 2α(1 − αλ) ⟨w, g⟩ + α² ‖g‖²
   = (1 − αλ)² + α² a²
";
    for (text, out) in judge_all(with, &Config::default()) {
        assert!(matches!(out, Numeric::Agrees { .. }), "{text}: {out:?}");
    }
    let without = with.replace("assume ‖w‖ = 1, ", "assume ");
    let all = judge_all(&without, &Config::default());
    assert!(matches!(all[0].1, Numeric::Agrees { .. }));
    assert!(matches!(all[1].1, Numeric::Agrees { .. }));
    let c = refuted(&all[2].1);
    assert!(c.n <= 3);
}

#[test]
fn a_scalar_identity_agrees_and_its_sign_flip_is_refuted() {
    let head = "let λ, α: scalar > 0\nlet a: scalar ≥ 0\n";
    agrees(&only(&format!(
        "{head}claim (1 − αλ)² + α²a² − 1 = α((λ² + a²)α − 2λ)\n"
    )));
    let c = refuted(&only(&format!(
        "{head}claim (1 − αλ)² + α²a² − 1 = α((λ² + a²)α + 2λ)\n"
    )))
    .clone();
    assert_eq!(c.n, 1);
    let names: Vec<&str> = c.values.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["λ", "α", "a"]);
}

const WRONG_SCALAR: &str = "
let α, λ, ε: scalar > 0
let a: scalar ≥ 0
let x, y, t: scalar
let p: scalar in (0, 1)
let L: function scalar -> scalar
claim (1 − αλ)² + α²a² − 1 = α((λ² − a²)α − 2λ)
claim (1 − αλ)² + α²a² − 1 = (λ² + a²)α − 2λ
claim (1 − αλ)² = 1 − 2αλ + αλ²
claim (1 − αλ)² = 1 − αλ + α²λ²
claim (x + y)² = x² + y²
claim (x − y)² = x² − 2x y − y²
claim x³ − y³ = (x − y)(x² + y²)
claim 1/(1 + λε) = 1 + λε/(1 + λε)
claim 1 − ε/(1 + λε) λ = 1/(1 − λε)
claim ε/(1 + λε) · ½ = ε/(2 + λε)
claim λ/α = α/λ
claim sqrt(λ²) = −λ
claim sqrt(x²) = x
claim |x| = x
claim (L(t) + 1)² − L(t)² = 2 L(t)
claim L(t) = L(2t)
claim exp(t) < 1
claim α/(α + λ) > 1
claim log(exp(α)) = 2α
claim exp(α + λ) = exp(α) + exp(λ)
claim log(α λ) = log(α) log(λ)
claim α² a² ≤ −1
claim p² > p
claim x² ≥ x
claim a > 0
claim α + λ ≠ λ + α
claim ∇_t L(t)² = 2 L(t)
claim ∇_t L(2t) = L'(2t)
claim ∇²_t L(t) = L'(t)²
claim ∇_x x³ = 3x
claim ∇_x |x| = 1
claim ∇_α (1 − αλ)² = 2(1 − αλ)
";

#[test]
fn wrong_scalar_claims_are_all_refuted() {
    let all = judge_all(WRONG_SCALAR, &Config::default());
    assert!(all.len() >= 20, "{}", all.len());
    let mut bad = Vec::new();
    for (text, out) in &all {
        match out {
            Numeric::Refuted { counterexample, .. } if counterexample.n <= 3 => {}
            other => bad.push(format!("{text}: {other:?}")),
        }
    }
    assert!(bad.is_empty(), "not refuted:\n{}", bad.join("\n"));
}

const WRONG_VECTOR: &str = "
let w, x, g, u, v, θ, θₜ, δ: vector
let λ, α, ε, c: scalar > 0
let t: scalar
let s: scalar ≥ 0
let A: matrix
let L: function scalar -> scalar
let J: function vector -> scalar
def F(θ) = ⟨g, θ − θₜ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖²

part grads {
  claim ∇_w ‖w‖ = w
  claim ∇_w ‖w‖ = −w/‖w‖
  claim ∇_w ‖w‖ = w/‖w‖²
  claim ∇_w ‖w‖³ = 3w
  claim ∇_w ‖w‖² = w
  claim ∇_w ½‖w‖² = 2w
  claim ∇_w (λ/2 ‖w‖²) = λ² w
  claim ∇_w (λ/2 ‖w‖²) = λ x
  claim ∇_w (wᵀx) = w
  claim ∇_w (wᵀx/‖w‖) = x/‖w‖
  claim ∇_w (wᵀx/‖w‖) = x/‖w‖ + (wᵀx) w/‖w‖³
  claim ∇_w (wᵀx/‖w‖) = x/‖w‖ − (wᵀx) w/‖w‖²
  claim ∇_w (wᵀx/‖w‖) = x/‖w‖ − (wᵀx) x/‖w‖³
  claim ∇_w (wᵀx/‖w‖) = x/‖w‖³ − (wᵀx) w/‖w‖³
  claim ∇_w L(wᵀx) = L(wᵀx) x
  claim ∇_w L(wᵀx) = L'(wᵀx) w
  claim ∇_w L(wᵀx/‖w‖) = L'(wᵀx/‖w‖) x/‖w‖
  claim ∇_w ⟨g, w⟩² = 2 ⟨g, w⟩ w
  claim ∇_θ F = g + 2λθ + (1/ε)(θ − θₜ)
  claim ∇_θ F = g + 2λθ − (2/ε)(θ − θₜ)
  claim ∇_θ F = g + 2λθ
  claim ∇_θ F = g + 2λθ + (2/ε)(θ + θₜ)
  claim ∇_θ F = g + λθ + (2/ε)(θ − θₜ)
  claim ∇²_θ F = (λ + 1/ε) I
  claim ∇²_θ F = (2λ + 2/ε) I + g gᵀ
  claim ∇²_w ‖w‖ = I/‖w‖
  claim ∇²_w ‖w‖ = (I + w wᵀ/‖w‖²)/‖w‖
  claim ∇²_w ½‖w‖² = 2 I
  claim ∇²_w (wᵀx)² = 2 w wᵀ
  claim ∇_δ (J(x) + ⟨∇J(x), δ⟩) = δ
  claim ∇_x J(x) = ∇J(δ)
  claim ∇²_x J(x) = ∇J(x) ∇J(x)ᵀ
  claim ∇_θ ‖θ − θₜ‖₁ = sign(θ + θₜ)
  claim (∇_w ‖w‖²)[w := c w] = 2w
  claim ∇_w (‖w‖²[w := c w]) = 2 c w
}

part algebra {
  claim ‖u + v‖² = ‖u‖² + ‖v‖²
  claim ‖u − v‖² = ‖u‖² + 2⟨u, v⟩ + ‖v‖²
  claim ‖u + v‖ = ‖u‖ + ‖v‖
  claim ⟨u, v⟩ = ‖u‖ ‖v‖
  claim ‖w‖³ = ‖w‖
  claim ‖c w‖ = c² ‖w‖
  claim ‖t w‖ = t ‖w‖
  claim (wᵀx/‖w‖)[w := t w] = wᵀx/‖w‖
  claim (I − w wᵀ) g = g
  claim (u vᵀ) x = ⟨u, x⟩ v
  claim A(u + v) = A u + v
  claim (A u)ᵀ v = uᵀ A v
  claim ⟨sign(g), g⟩ = ‖g‖
  claim |u| = u
  claim ‖δ‖∞ = ‖δ‖₁
  claim ⟨u, v⟩ u = ⟨u, u⟩ v
}

part unit {
  assume ‖w‖ = 1, ‖g‖ = s, ⟨g, w⟩ = 0
  claim ‖w − α g‖² = 1 − α² s²
  claim ‖w − α g‖² = 1 + α s²
  claim ⟨w + g, w⟩ = 0
  claim ‖g‖ = 1
  claim ⟨g, x⟩ = 0
  claim ‖(1 − αλ) w − α g‖² = (1 − αλ)² + α s²
}

part dropped_unit_norm {
  assume ‖g‖ = s, ⟨g, w⟩ = 0
  claim ‖(1 − αλ) w − α g‖² = (1 − αλ)² + α² s²
  claim ‖w‖ = 1
}

part dropped_orthogonality {
  assume ‖w‖ = 1, ‖g‖ = s
  claim ‖w − α g‖² = 1 + α² s²
}
";

#[test]
fn wrong_vector_claims_are_all_refuted_in_dimension_at_most_3() {
    let all = judge_all(WRONG_VECTOR, &Config::default());
    assert!(all.len() >= 40, "{}", all.len());
    let mut bad = Vec::new();
    for (text, out) in &all {
        match out {
            Numeric::Refuted { counterexample, .. } if counterexample.n <= 3 => {}
            other => bad.push(format!("{text}: {other:?}")),
        }
    }
    assert!(bad.is_empty(), "not refuted:\n{}", bad.join("\n"));
}

/// The claims of the sheet's assignments (and the right versions of the
/// wrong claims above) all agree, solve and optimise steps included
/// (tests/numeric_solve.rs has their wrong variants).
#[test]
fn the_assignments_agree() {
    for path in [
        "derivations/assignment1.drv",
        "derivations/assignment2.drv",
        "derivations/assignment3.drv",
    ] {
        let text = std::fs::read_to_string(path).expect(path);
        let p = program(&text);
        for s in &p.steps {
            let out = judge(s, &Config::default());
            assert!(matches!(out, Numeric::Agrees { .. }), "{}: {out:?}", s.text);
        }
    }
}

const RIGHT: &str = "
let w, x, g, u, v, θ, θₜ, δ: vector
let λ, α, ε, c: scalar > 0
let t: scalar
let A: matrix
let L: function scalar -> scalar
let J: function vector -> scalar
def F(θ) = ⟨g, θ − θₜ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖²
claim ∇_w ‖w‖³ = 3‖w‖ w
claim ∇_w (wᵀx/‖w‖) = x/‖w‖ − (wᵀx) w/‖w‖³
claim ∇_w L(wᵀx) = L'(wᵀx) x
claim ∇_θ F = g + 2λθ + (2/ε)(θ − θₜ)
claim ∇²_θ F = (2λ + 2/ε) I
claim ∇²_w ‖w‖ = (I − w wᵀ/‖w‖²)/‖w‖
claim ∇²_w (wᵀx)² = 2 x xᵀ
claim ∇_x J(x) = ∇J(x)
claim ∇²_x J(x) = ∇²J(x)
claim ∇_θ ‖θ − θₜ‖₁ = sign(θ − θₜ)
claim ∇_θ ‖θ‖∞ = ∇_θ ‖θ‖∞
claim ∇_t |t| = sign(t)
claim ∇_t L(2t) = 2 L'(2t)
claim ∇²_t L(t)² = 2 L'(t)² + 2 L(t) L''(t)
claim (∇_w ‖w‖²)[w := c w] = 2 c w
claim ‖t w‖ = |t| ‖w‖
claim (A u)ᵀ v = uᵀ Aᵀ v
claim ⟨sign(g), g⟩ = ‖g‖₁
claim ‖δ‖∞ ≤ ‖δ‖₁
claim ‖u + v‖ ≤ ‖u‖ + ‖v‖
claim ⟨u, v⟩ ≤ ‖u‖ ‖v‖
claim sqrt(t²) = |t|
claim (t²)^(1/2) = |t|
claim exp(log(c)) = c
";

#[test]
fn right_claims_agree() {
    for (text, out) in judge_all(RIGHT, &Config::default()) {
        assert!(
            matches!(out, Numeric::Agrees { samples: 100, .. }),
            "{text}: {out:?}"
        );
    }
}

#[test]
fn a_step_that_divides_by_a_vector_forced_to_zero_in_n1_skips_that_dimension() {
    // A pole is skipped (not a counterexample), unlike a root or logarithm
    // of a negative number.
    let out = only("let w, g: vector\nassume ‖w‖ = 1, ⟨g, w⟩ = 0\nclaim ⟨g/‖g‖, w⟩ = 0\n");
    match out {
        Numeric::Agrees { samples, .. } => assert!(samples >= 36, "{samples}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn orthogonality_to_two_vectors_is_met_in_every_dimension() {
    // In n = 1 the only vector orthogonal to w and x is 0: still a sample.
    let out = only("let w, x, g: vector\nassume ⟨g, w⟩ = 0, ⟨g, x⟩ = 0\nclaim ⟨g, w − 2x⟩ = 0\n");
    assert!(
        matches!(out, Numeric::Agrees { samples: 100, .. }),
        "{out:?}"
    );
    let out = only("let w, x, g: vector\nassume ⟨g, w⟩ = 0, ⟨g, x⟩ = 0\nclaim ⟨g, g⟩ = 0\n");
    let c = refuted(&out);
    // In n = 1 only w = x = 0 leaves g free.
    assert!(
        c.n >= 2 || c.values.iter().any(|b| b.name == "w" && b.value == "[0]"),
        "{c:?}"
    );
}

#[test]
fn unsatisfiable_assumptions_fail_and_name_the_assumption() {
    let out = only("let w: vector\nlet a: scalar > 0\nassume ‖w‖ = −a\nclaim ‖w‖ = 0\n");
    match out {
        Numeric::Failed { why } => assert!(why.contains("‖w‖ = −a"), "{why}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    let out = only("let x, y: scalar\nassume x < y, y < x\nclaim x = y\n");
    assert!(matches!(out, Numeric::Failed { .. }), "{out:?}");
    let out = only("let w: vector\nassume ‖w‖ = 1, ‖w‖ = 2\nclaim ‖w‖ = 1\n");
    match out {
        Numeric::Failed { why } => {
            assert!(why.contains("‖w‖ = 1") && why.contains("‖w‖ = 2"), "{why}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_step_outside_its_domain_everywhere_fails() {
    // One side undefined everywhere, the other defined: refuted, saying why.
    let out = only("let x: scalar < 0\nclaim x^(1/2) = 1\n");
    let c = refuted(&out);
    assert!(c.lhs.starts_with("undefined (the square root"), "{c:?}");
    // Both sides undefined everywhere: no sample, never a pass.
    let out = only("let x: scalar < 0\nclaim x^(1/2) = log(x)\n");
    assert!(matches!(out, Numeric::Failed { .. }), "{out:?}");
    // Half of the samples are outside the domain: still judged.
    agrees(&only("let x: scalar\nclaim log(x²) = 2 log(|x|)\n"));
    let out = only("let x: scalar\nclaim log(x) = 2 log(x)\n");
    assert_eq!(refuted(&out).n, 1);
}

#[test]
fn show_solve_and_optimise() {
    let all = judge_all(
        "let w, g, θ, θₜ: vector\nlet ε: scalar > 0\nshow ∇_w ‖w‖\n\
         minimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − ε sign(g)\n",
        &Config::default(),
    );
    assert_eq!(
        all[0].1,
        Numeric::Agrees {
            samples: 0,
            max_error: 0.0
        }
    );
    assert!(matches!(all[1].1, Numeric::Agrees { samples, .. } if samples > 0));
}

#[test]
fn unknown_functions_get_printed_instances_in_counterexamples() {
    let c = refuted(&only(
        "let t: scalar\nlet L: function scalar -> scalar\nclaim L(t) = L(2t)\n",
    ))
    .clone();
    assert!(value(&c, "L").starts_with("L(t) = "), "{c:?}");
}

#[test]
fn every_branch_of_a_zero_product_assumption_is_sampled() {
    // s t = 0 holds with s = 0 and with t = 0: neither `s = 0` nor `t = 0`
    // follows, and each is refuted at a sample of the other branch.
    let out = only("let s, t: scalar\nassume s t = 0\nclaim s = 0\n");
    let c = refuted(&out);
    assert!(
        c.values.iter().any(|b| b.name == "t" && b.value == "0"),
        "{c:?}"
    );
    let out = only("let s, t: scalar\nassume s t = 0\nclaim t = 0\n");
    let c = refuted(&out);
    assert!(
        c.values.iter().any(|b| b.name == "s" && b.value == "0"),
        "{c:?}"
    );
    agrees(&only("let s, t: scalar\nassume s t = 0\nclaim s² t = 0\n"));
}

#[test]
fn tolerance_no_longer_hides_small_differences() {
    for text in [
        "claim 1.0000000003 = 1\n",
        "claim 10^25 = 10^25 + 10^17\n",
        "let x: scalar\nclaim (x + 10^8)² − 10^16 − 2·10^8 x = x² + 2\n",
        "let x: scalar\nclaim exp(x/10^7) = 1 + x/10^7\n",
        "let x: scalar\nclaim log(1 + x²/10^10) = x²/10^10\n",
    ] {
        refuted(&only(text));
    }
    for text in [
        "let μ: scalar\nclaim μ < μ + 1/10^11\n",
        "let μ: scalar\nclaim 10^8 μ + 1 > 10^8 μ\n",
        "let a: scalar in (1, 1.0000001)\nclaim a > 1\n",
        "claim |0.2 + 0.1 − 0.3| < 1/10^25\n",
    ] {
        agrees(&only(text));
    }
}

#[test]
fn counterexamples_stay_inside_narrow_domains_as_printed() {
    let out = only("let a: scalar in (1, 1.0000001)\nclaim a < 1.00000005\n");
    let c = refuted(&out);
    let a = &c.values[0].value;
    assert!(a.starts_with("1.0000000") && a != "1", "{c:?}");
}

#[test]
fn special_points_and_dimensions_are_sampled() {
    for text in [
        "let t: scalar\nclaim sign(t)² = 1\n",
        "let t: scalar\nclaim exp(t) > 1 + t\n",
        "let w: vector\nclaim ‖sign(w)‖∞ = 1\n",
        "let w: vector\nclaim ‖w‖₁ ≤ √6 ‖w‖\n",
        "let w: vector\nclaim ‖w‖ ≤ 3‖w‖∞\n",
        "let x: scalar\nclaim |x − 300| = 300 − x\n",
        "let p: scalar in (0, 1)\nclaim p < 0.998\n",
        "let a: scalar > −0.002\nclaim √(a²) = a\n",
        "let u, v: vector\nclaim ⟨u, v⟩ < 80\n",
        "let s, t: scalar\nclaim √(s t) = √s √t\n",
    ] {
        refuted(&only(text));
    }
}

#[test]
fn the_directed_search_finds_narrow_violations_of_inequalities() {
    // Violated only on [49, 51], far from every special value.
    let c = refuted(&only("let λ: scalar > 0\nclaim (λ − 50)² > 1\n")).clone();
    let l: f64 = c.values[0].value.parse().unwrap();
    assert!((49.0..=51.0).contains(&l), "{c:?}");
    // Violated only below e⁻³⁰.
    refuted(&only("let λ: scalar > 0\nclaim log(λ) > −30\n"));
    // True inequalities stay true under the search.
    agrees(&only("let λ: scalar > 0\nclaim (λ − 50)² + 1 > 0\n"));
    agrees(&only("let t: scalar\nclaim t² − 2t + 1 ≥ 0\n"));
}
