//! The symbolic judge on scalar equations: every solution, or a clear reason.

use derive::check::{check_source, Options, StepReport};
use derive::diag::Source;
use derive::verdict::{Numeric, Symbolic, Verdict};

/// Checks `text` and returns its steps.
fn steps(text: &str) -> Vec<StepReport> {
    let src = Source::new("solving.drv", text);
    let rep = check_source(&src, &Options::default());
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
    rep.steps
}

fn one(text: &str) -> StepReport {
    let mut s = steps(text);
    assert_eq!(s.len(), 1);
    s.remove(0)
}

#[test]
fn every_root_of_a_quadratic_with_parameters_is_derived() {
    let s = one("let x: scalar\nlet a, b: scalar > 0\nsolve x² + 2b x = a for x");
    assert_eq!(s.verdict, Verdict::Proved, "{s:?}");
    assert_eq!(
        s.symbolic.answer(),
        Some("x = −b − √(a + b²) or x = −b + √(a + b²)")
    );
}

#[test]
fn the_same_roots_written_differently_are_the_same_set() {
    let s =
        one("let x: scalar\nlet a: scalar > 0\nsolve x² = a for x ⇒ x = √(4a)/2 or x = −√(4a)/2");
    assert_eq!(s.verdict, Verdict::Proved, "{s:?}");
}

#[test]
fn a_missed_double_root_is_refuted_by_the_symbolic_judge() {
    let s = one("let x: scalar\nsolve (x − 1)(x − 3)² = 0 for x ⇒ x = 1");
    assert_eq!(s.verdict, Verdict::Refuted, "{s:?}");
    match &s.symbolic {
        Symbolic::Refuted { why, .. } => assert!(why.contains("x = 3"), "{why}"),
        other => panic!("not a symbolic refutation: {other:?}"),
    }
}

#[test]
fn roots_outside_the_domain_and_at_poles_are_not_solutions() {
    let s = one("let x: scalar > 0\nsolve x² = 4 for x");
    assert_eq!(s.symbolic.answer(), Some("x = 2"), "{s:?}");
    let s = one("let t: scalar\nsolve (t − 1)²/(t − 1) = 0 for t");
    assert_eq!(s.symbolic.answer(), Some("no solution"), "{s:?}");
    assert!(
        s.symbolic.derived().iter().any(|l| l.contains("excluded")),
        "{s:?}"
    );
    // Stating the pole as a solution is not proved.
    let s = one("let t: scalar\nsolve (t − 1)²/(t − 1) = 0 for t ⇒ t = 1");
    assert_ne!(s.verdict, Verdict::Proved, "{s:?}");
}

#[test]
fn what_cannot_be_decided_is_named_never_passed() {
    let s = one("let x, c: scalar\nsolve x² = c for x");
    assert_eq!(s.verdict, Verdict::Error, "{s:?}");
    assert!(s.reason.contains("discriminant"), "{}", s.reason);
    let s = one("let x: scalar\nsolve x³ = 2 for x");
    assert_eq!(s.verdict, Verdict::Error, "{s:?}");
    assert!(s.reason.contains("degree 3"), "{}", s.reason);
}

#[test]
fn an_incomplete_answer_is_never_proved() {
    for text in [
        "let x: scalar\nsolve x² = 4 for x ⇒ x = 2",
        "let x: scalar\nsolve x³ − x = 0 for x ⇒ x = 0 or x = 1",
        "let x: scalar\nsolve x² − 3x + 2 = 0 for x ⇒ x = 1 or x = 2 or x = 3",
    ] {
        let s = one(text);
        assert_eq!(s.verdict, Verdict::Refuted, "{text}: {s:?}");
        assert!(!matches!(s.symbolic, Symbolic::Proved { .. }), "{text}");
    }
}

#[test]
fn no_symbolic_refutation_past_an_assumption_it_cannot_use() {
    // `a b + a = 1` is not a rewrite the symbolic judge learns, so the
    // non-zero form 1 − a − a·b proves nothing; the samples decide.
    let s = one("let x, a, b: scalar\nassume a b + a = 1\nsolve x = a b + a for x ⇒ x = 1");
    assert_eq!(s.verdict, Verdict::Numeric, "{s:?}");
    assert!(!matches!(s.symbolic, Symbolic::Refuted { .. }), "{s:?}");
}

#[test]
fn no_solution_is_an_answer_both_judges_check() {
    for text in [
        "let t: scalar\nlet a: scalar > 0\nsolve t² + a = 0 for t ⇒ no solution",
        "let t: scalar\nlet a: scalar > 0\nsolve t² + a = 0 for t ⇒ ∅",
    ] {
        let s = one(text);
        assert_eq!(s.verdict, Verdict::Proved, "{text}: {s:?}");
        assert!(matches!(s.numeric, Numeric::Agrees { .. }), "{s:?}");
    }
    // Derived, shown, and read back for the numeric judge.
    let s = one("let t: scalar\nlet a: scalar > 0\nsolve t² + a = 0 for t");
    assert_eq!(s.symbolic.answer(), Some("no solution"));
    assert!(matches!(s.numeric, Numeric::Agrees { .. }), "{s:?}");
    // Wrong: there are two.
    let s = one("let t: scalar\nlet a: scalar > 0\nsolve t² = a for t ⇒ no solution");
    assert_eq!(s.verdict, Verdict::Refuted, "{s:?}");
}
