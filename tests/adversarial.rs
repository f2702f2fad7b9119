//! The adversarial corpus (`tests/adversarial/`): every wrong step fails,
//! every true step passes, with both judges and with the numeric judge
//! alone; wrong steps about rational functions and wrong answers are
//! refuted by the symbolic judge itself.
//!
//! `tests/adversarial/known-gaps.txt` lists, one per line as
//! `MODE FILE:LINE reason`, the steps that are not decided yet: MODE
//! `both` for the two judges together, `numeric` for the numeric judge
//! alone, `symbolic` for the symbolic judge's own refutations. A listed
//! step must still be a gap (the test fails when it is fixed, so the list
//! stays true), and no other step may be one.

use std::collections::BTreeSet;
use std::path::Path;

use derive::check::{check_source, FileReport, Options};
use derive::diag::Source;
use derive::verdict::{Symbolic, Verdict};

fn files(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(Path::new("tests/adversarial").join(dir))
        .expect("corpus folder")
        .filter_map(|e| e.ok())
        .map(|e| e.path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".drv"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no files in tests/adversarial/{dir}");
    out
}

fn check(path: &str, symbolic: bool) -> FileReport {
    let text = std::fs::read_to_string(path).expect("fixture");
    let src = Source::new(path, text);
    let opts = Options {
        symbolic,
        ..Options::default()
    };
    let rep = check_source(&src, &opts);
    assert!(rep.diagnostics.is_empty(), "{path}: {:?}", rep.diagnostics);
    rep
}

/// The gaps listed for `mode`, as `FILE:LINE`.
fn gaps(mode: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string("tests/adversarial/known-gaps.txt").unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let m = it.next()?;
            let at = it.next()?;
            (m == mode).then(|| at.to_string())
        })
        .collect()
}

fn place(path: &str, line: usize) -> String {
    let name = path.trim_start_matches("tests/adversarial/");
    format!("{name}:{line}")
}

/// Checks one side of the corpus; returns the offending steps.
fn run(dir: &str, symbolic: bool, mode: &str) -> Vec<String> {
    let listed = gaps(mode);
    let mut bad = Vec::new();
    let mut seen_gaps = BTreeSet::new();
    let mut steps = 0;
    for f in files(dir) {
        let rep = check(&f, symbolic);
        for s in &rep.steps {
            steps += 1;
            let at = place(&f, s.line);
            let ok = if dir == "wrong" {
                !s.verdict.passes(false)
            } else {
                s.verdict.passes(false)
            };
            if s.verdict == Verdict::Disagreement {
                bad.push(format!("{at} {}: disagreement: {}", s.statement, s.reason));
            } else if listed.contains(&at) {
                seen_gaps.insert(at.clone());
                if ok {
                    bad.push(format!(
                        "{at} is listed in known-gaps.txt but is decided now: remove it"
                    ));
                }
            } else if !ok {
                bad.push(format!("{at} {}: {}", s.statement, s.verdict.word()));
            }
        }
    }
    let prefix = format!("{dir}/");
    for g in listed.iter().filter(|g| g.starts_with(&prefix)) {
        if !seen_gaps.contains(g) {
            bad.push(format!("{g} is listed in known-gaps.txt but is no step"));
        }
    }
    let min = if dir == "wrong" { 300 } else { 150 };
    assert!(
        steps >= min,
        "only {steps} steps in tests/adversarial/{dir}"
    );
    bad
}

#[test]
fn every_wrong_step_fails() {
    let bad = run("wrong", true, "both");
    assert!(bad.is_empty(), "wrong steps that pass:\n{}", bad.join("\n"));
}

#[test]
fn every_true_step_passes() {
    let bad = run("true", true, "both");
    assert!(bad.is_empty(), "true steps that fail:\n{}", bad.join("\n"));
}

#[test]
fn every_wrong_step_fails_with_the_numeric_judge_alone() {
    let bad = run("wrong", false, "numeric");
    assert!(bad.is_empty(), "wrong steps that pass:\n{}", bad.join("\n"));
}

#[test]
fn every_true_step_passes_with_the_numeric_judge_alone() {
    let bad = run("true", false, "numeric");
    assert!(bad.is_empty(), "true steps that fail:\n{}", bad.join("\n"));
}

/// Wrong rational-function steps (`wrong/rational-*.drv`) and wrong answers
/// (`wrong/answers-*.drv`) are refuted by the symbolic judge itself, with an
/// exact witness in its reason.
#[test]
fn the_symbolic_judge_refutes_wrong_rational_steps_and_answers_itself() {
    let listed = gaps("symbolic");
    let mut bad = Vec::new();
    let mut n = 0;
    for f in files("wrong") {
        let name = f.rsplit('/').next().unwrap_or("");
        if !(name.starts_with("rational-") || name.starts_with("answers-")) {
            continue;
        }
        let rep = check(&f, true);
        for s in &rep.steps {
            n += 1;
            let at = place(&f, s.line);
            let refuted = matches!(&s.symbolic, Symbolic::Refuted { why, .. } if why.contains("witness") || why.contains("is not a solution") || why.contains("misses"));
            if listed.contains(&at) {
                if refuted {
                    bad.push(format!(
                        "{at} is listed in known-gaps.txt but is refuted now: remove it"
                    ));
                }
            } else if !refuted {
                bad.push(format!("{at} {}: symbolic {:?}", s.statement, s.symbolic));
            }
        }
    }
    assert!(n >= 150, "only {n} rational and answer steps");
    assert!(
        bad.is_empty(),
        "not refuted by the symbolic judge:\n{}",
        bad.join("\n")
    );
}
