//! Regression tests for the soundness fixes of the symbolic judge: lexical
//! scoping, exact arithmetic of any size, the numeric order of rationals,
//! exact witnesses, and the budget of every step.

use derive::check::{check_source, FileReport, Options};
use derive::diag::Source;
use derive::verdict::{Symbolic, Verdict};

fn check(text: &str) -> FileReport {
    let src = Source::new("test.drv", text.to_string());
    check_source(&src, &Options::default())
}

fn only(text: &str) -> (Verdict, Symbolic, String) {
    let rep = check(text);
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
    assert_eq!(rep.steps.len(), 1, "{:?}", rep.steps);
    let s = &rep.steps[0];
    (s.verdict, s.symbolic.clone(), s.reason.clone())
}

fn refuted_by_symbolic(text: &str) -> String {
    let (v, sym, reason) = only(text);
    assert_eq!(v, Verdict::Refuted, "{reason}");
    match sym {
        Symbolic::Refuted { why, .. } => why,
        other => panic!("not refuted by the symbolic judge: {other:?}"),
    }
}

#[test]
fn a_part_that_shadows_a_name_gets_a_fresh_variable() {
    let rep = check(
        "let u: vector\nlet t: scalar\nassume ‖u‖ = 1\ndef q = t²\n\
         claim ‖2u‖ = 2\n\
         part p {\n  let u: vector\n  claim ‖2u‖ = 2\n  claim ‖2u‖ = 2‖u‖\n}\n\
         part r {\n  let t: scalar > 0\n  claim √q = t\n  claim √q = |t|\n  claim t > 0\n}\n",
    );
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
    let v: Vec<Verdict> = rep.steps.iter().map(|s| s.verdict).collect();
    // The file's u is a unit vector; the part's u is not; q is the square
    // of the file's t, of any sign; the part's t is positive.
    assert_eq!(
        v,
        [
            Verdict::Proved,
            Verdict::Refuted,
            Verdict::Proved,
            Verdict::Refuted,
            Verdict::Refuted,
            Verdict::Proved
        ],
        "{:#?}",
        rep.steps
    );
}

#[test]
fn huge_numbers_never_wrap() {
    let why = refuted_by_symbolic(
        "let x: scalar\nclaim (x^18446744073709551616)^18446744073709551616 = 1\n",
    );
    assert!(why.contains("x = 0"), "{why}");
    let why = refuted_by_symbolic("claim 3^200 + 1 = 3^200\n");
    assert!(why.contains("exact witness"), "{why}");
    let (v, _, reason) =
        only("claim 123456789012345678901234567890 + 1 = 123456789012345678901234567891\n");
    assert_eq!(v, Verdict::Proved, "{reason}");
}

#[test]
fn intervals_are_ordered_by_value() {
    let (v, _, reason) = only("let a: scalar in (0.3, 0.5)\nclaim a² < 1\n");
    assert!(v.passes(false), "{reason}");
    let rep = check("let a: scalar in (0.5, 0.3)\nclaim a = a\n");
    assert!(!rep.diagnostics.is_empty(), "an empty interval is an error");
}

#[test]
fn exact_non_zero_differences_are_refuted_with_a_witness() {
    for text in [
        "claim 1000000007/1000000000 = 1\n",
        "let x: scalar\nclaim x + 1/10^11 = x\n",
        "let x: scalar\nclaim (x + 10^11) − 10^11 = 3x\n",
        "let w: vector\nclaim ∇_w ½‖w‖² = w + w/10^12\n",
        "let θ, g: vector\nsolve 2θ − g = 0 for θ ⇒ θ = (1 + 1/10^12) g/2\n",
        "let x: scalar\nclaim (x − 1/3)² > 0\n",
        "let α, λ: scalar > 0\nsolve (1 − αλ)² < 1 for α ⇒ α ≤ 2/λ\n",
        "let α, λ: scalar > 0\nsolve (1 − αλ)² ≤ 1 for α ⇒ α < 2/λ\n",
        "let t: scalar\nsolve 3t − 1 > 0 for t ⇒ t ≥ 1/3\n",
        "let c, t: scalar\nsolve c t = c for t ⇒ t = 1\n",
        "let θ, θₜ, g: vector\nlet ε: scalar > 0\nminimize ⟨g, θ − θₜ⟩ over θ subject to |θ − θₜ| ≤ ε elementwise ⇒ θ = θₜ − (1 + 1/10^11) ε sign(g)\n",
        "let θ, θₜ, g: vector\nlet λ, ε: scalar > 0\nminimize ⟨g, θ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖² over θ ⇒ θ = (θₜ − (ε/2) g) / (1 + λε + 1/10^10)\n",
        "let t: scalar\nclaim log(t²) = 2 log(t)\n",
        "let t: scalar\nclaim t^(1/2) t^(1/2) = t\n",
        "let c, t: scalar\nsolve exp(t) = c for t ⇒ t = log(c)\n",
    ] {
        let why = refuted_by_symbolic(text);
        assert!(why.contains("exact witness"), "{text}: {why}");
    }
}

#[test]
fn true_steps_with_tiny_gaps_are_not_refuted_by_the_symbolic_judge() {
    for text in [
        "let μ: scalar\nclaim μ < μ + 1/10^11\n",
        "let μ: scalar\nclaim 10^8 μ + 1 > 10^8 μ\n",
        "let x: scalar\nclaim x² + 1/10^8 > x²\n",
        "let α, λ: scalar > 0\nsolve (1 − αλ)² < 1 for α ⇒ α < 2/λ\n",
        "let t: scalar > 0\nclaim log(t²) = 2 log(t)\n",
        "let t: scalar\nclaim t/t = 1\n",
    ] {
        let (_, sym, reason) = only(text);
        assert!(
            !matches!(sym, Symbolic::Refuted { .. }),
            "{text}: {sym:?} {reason}"
        );
    }
}

#[test]
fn undecided_steps_say_why_in_one_line() {
    let (_, sym, reason) =
        only("let L: function scalar -> scalar\nlet t: scalar\nclaim L(t)² ≥ 0\n");
    if let Symbolic::Undecided { why, .. } = &sym {
        assert!(!why.is_empty());
        assert!(reason.contains(why.as_str()), "{reason}");
    }
}

#[test]
fn steps_past_the_budget_end_quickly_as_errors_and_release_the_engine() {
    let rep = check(
        "let x, t: scalar\nlet w: vector\n\
         claim 7^(10^9) = 7^(10^9)\n\
         claim (x + t)^(10^4) = x^(10^4) + t^(10^4)\n\
         claim ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ⟨w, ∇_w ‖w‖²⟩⟩⟩⟩⟩⟩⟩⟩ = 511 w\n",
    );
    let v: Vec<Verdict> = rep.steps.iter().map(|s| s.verdict).collect();
    assert_eq!(v[0], Verdict::Error, "{:?}", rep.steps[0]);
    assert!(
        rep.steps[0].reason.contains("too large"),
        "{}",
        rep.steps[0].reason
    );
    assert_eq!(v[1], Verdict::Refuted);
    assert_eq!(v[2], Verdict::Refuted);
    // The engine is free again: a later file is judged normally.
    let (v, _, _) = only("let x: scalar\nclaim (x + 1)² = x² + 2x + 1\n");
    assert_eq!(v, Verdict::Proved);
}
