//! Wrong claims must be refuted: never proved, never passed as numeric.

use derive::check::{check_source, Options};
use derive::diag::Source;
use derive::verdict::{Numeric, Verdict};

fn check_all_refuted(path: &str, min: usize, symbolic: bool) {
    let text = std::fs::read_to_string(path).expect("fixture");
    let src = Source::new(path, text);
    let opts = Options {
        symbolic,
        ..Options::default()
    };
    let rep = check_source(&src, &opts);
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
    assert!(rep.steps.len() >= min, "only {} steps", rep.steps.len());
    let mut bad = Vec::new();
    for s in &rep.steps {
        if s.verdict != Verdict::Refuted {
            bad.push(format!(
                "{} {}: {}",
                s.location,
                s.statement,
                s.verdict.word()
            ));
            continue;
        }
        if let Numeric::Refuted { counterexample, .. } = &s.numeric {
            if counterexample.n > 3 {
                bad.push(format!(
                    "{}: counterexample of dimension {}",
                    s.location, counterexample.n
                ));
            }
        }
    }
    assert!(bad.is_empty(), "not refuted:\n{}", bad.join("\n"));
}

#[test]
fn wrong_scalar_claims_are_refuted() {
    check_all_refuted("tests/wrong/scalar.drv", 20, true);
}

#[test]
fn wrong_vector_claims_are_refuted() {
    check_all_refuted("tests/wrong/vector.drv", 40, true);
}

#[test]
fn wrong_vector_claims_are_refuted_by_the_numeric_judge_alone() {
    check_all_refuted("tests/wrong/vector.drv", 40, false);
}

#[test]
fn wrong_scalar_claims_are_refuted_by_the_numeric_judge_alone() {
    check_all_refuted("tests/wrong/scalar.drv", 20, false);
}

#[test]
fn wrong_answers_to_solve_and_optimisation_steps_are_refuted() {
    check_all_refuted("tests/wrong/solving.drv", 20, true);
}
