//! What the judges say about a step, and the verdict that combines them.
//!
//! Invariants: a [`Verdict`] is computed once, in `check`, from one
//! [`Symbolic`] and one [`Numeric`] outcome by [`combine`]; reports render
//! verdicts and never recompute them. `Proved` requires the symbolic judge
//! to have reduced the step to an exact identity and the numeric judge not
//! to object; any numeric counterexample to a proved step is a
//! [`Verdict::Disagreement`].

use serde::Serialize;

/// The symbolic judge's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Symbolic {
    /// The exact difference normalised to zero.
    Proved {
        /// What was derived (canonical forms), one line each.
        derived: Vec<String>,
        /// For solve and optimisation steps: the answer derived (or
        /// checked), as a relation in the file's own syntax, so that it can
        /// be parsed back and judged numerically.
        #[serde(skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
    },
    /// The judge could not decide; what it derived says how far it got.
    Undecided {
        /// What was derived, one line each.
        derived: Vec<String>,
        /// As for `Proved`.
        #[serde(skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
        /// Why it stays undecided, in one line (the construct or condition
        /// outside what it decides).
        why: String,
    },
    /// The judge shows exactly that the step is false, with a witness (so
    /// far: a solve step whose stated solutions miss a verified solution or
    /// include a value that is not one, all free of radicals and functions,
    /// so that a non-zero normal form means "different").
    Refuted {
        /// What was derived, one line each.
        derived: Vec<String>,
        /// As for `Proved`.
        #[serde(skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
        /// The witness, in words.
        why: String,
    },
    /// The step uses a construct this judge does not handle yet.
    Unsupported {
        /// What is not supported, in words.
        what: String,
    },
    /// The judge was switched off (testing the numeric judge alone).
    Off,
}

impl Symbolic {
    /// What was derived, one line each (empty when nothing was).
    pub fn derived(&self) -> &[String] {
        match self {
            Symbolic::Proved { derived, .. }
            | Symbolic::Undecided { derived, .. }
            | Symbolic::Refuted { derived, .. } => derived,
            _ => &[],
        }
    }
    /// The derived answer of a solve or optimisation step, if any.
    pub fn answer(&self) -> Option<&str> {
        match self {
            Symbolic::Proved { answer, .. }
            | Symbolic::Undecided { answer, .. }
            | Symbolic::Refuted { answer, .. } => answer.as_deref(),
            _ => None,
        }
    }
}

/// One named value of a counterexample, printed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Binding {
    /// The name as written in the file.
    pub name: String,
    /// Its value, printed (`[0.5, -1.25]` for vectors).
    pub value: String,
}

/// A sample that violates a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counterexample {
    /// The dimension n of the sample.
    pub n: usize,
    /// Every sampled value, in declaration order.
    pub values: Vec<Binding>,
    /// The left side's value, printed.
    pub lhs: String,
    /// The right side's value, printed.
    pub rhs: String,
    /// The error that broke the tolerance (absolute, or relative — see
    /// the numeric module docs).
    pub error: f64,
}

/// The numeric judge's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Numeric {
    /// Every sample agrees.
    Agrees {
        /// Samples evaluated.
        samples: usize,
        /// Largest relative error seen.
        max_error: f64,
    },
    /// A sample violates the step.
    Refuted {
        /// Samples evaluated before (and including) the counterexample.
        samples: usize,
        /// The smallest counterexample found.
        counterexample: Counterexample,
    },
    /// The step uses a construct this judge does not handle yet.
    Unsupported {
        /// What, in words.
        what: String,
    },
    /// No valid sample could be drawn (e.g. the assumptions cannot be met).
    Failed {
        /// Why, in words.
        why: String,
    },
}

/// The verdict of a step (DESIGN.md section 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Exact identity, and the numeric judge agrees.
    Proved,
    /// Only the numeric judge could decide; every sample agrees.
    Numeric,
    /// A sample violates the step.
    Refuted,
    /// The step could not be checked (unsupported construct, no samples).
    Error,
    /// The judges contradict each other: a bug in derive.
    Disagreement,
}

impl Verdict {
    /// Whether the step passes (`numeric` passes unless `strict`).
    pub fn passes(self, strict: bool) -> bool {
        match self {
            Verdict::Proved => true,
            Verdict::Numeric => !strict,
            _ => false,
        }
    }
    /// The verdict as one lower-case word.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Proved => "proved",
            Verdict::Numeric => "numeric",
            Verdict::Refuted => "refuted",
            Verdict::Error => "error",
            Verdict::Disagreement => "disagreement",
        }
    }
}

/// A symbolic `Unsupported` in words: a step past the budget says so
/// ("too large to check symbolically: …"), anything else is a construct
/// not supported yet.
fn unsupported(what: &str) -> String {
    if what.starts_with("too large") {
        what.to_string()
    } else {
        format!("not supported yet: {what}")
    }
}

/// Combines the two outcomes into a verdict and a one-line reason.
pub fn combine(s: &Symbolic, n: &Numeric) -> (Verdict, String) {
    use Numeric as N;
    use Symbolic as S;
    match (s, n) {
        (S::Proved { .. }, N::Refuted { .. }) => (
            Verdict::Disagreement,
            "the symbolic judge proved this step but a numeric sample violates it: this is a bug in derive, please report it".into(),
        ),
        (S::Refuted { why, .. }, N::Refuted { .. }) => (
            Verdict::Refuted,
            format!("a numeric sample violates the step, and the symbolic judge shows it: {why}"),
        ),
        (_, N::Refuted { .. }) => (Verdict::Refuted, "a numeric sample violates the step".into()),
        (S::Refuted { why, .. }, N::Agrees { .. }) => (
            Verdict::Refuted,
            format!("refuted by the symbolic judge: {why} (no numeric sample found it)"),
        ),
        (S::Refuted { why, .. }, _) => (
            Verdict::Refuted,
            format!("refuted by the symbolic judge: {why}"),
        ),
        (S::Proved { .. }, N::Agrees { .. }) => {
            (Verdict::Proved, "exact difference is 0; numeric samples agree".into())
        }
        (S::Proved { .. }, N::Unsupported { what }) => (
            Verdict::Proved,
            format!("exact difference is 0; the numeric judge could not check it ({what})"),
        ),
        (S::Proved { .. }, N::Failed { why }) => (
            Verdict::Error,
            format!("proved by the symbolic judge, but the numeric judge could not sample: {why}"),
        ),
        (S::Undecided { why, .. }, N::Agrees { .. }) => (
            Verdict::Numeric,
            format!("not decided by the symbolic judge ({why}); every numeric sample agrees"),
        ),
        (S::Off, N::Agrees { .. }) => (
            Verdict::Numeric,
            "symbolic judge off; every numeric sample agrees".into(),
        ),
        (S::Unsupported { what }, N::Agrees { .. }) => (
            Verdict::Numeric,
            format!("symbolic judge: {}; every numeric sample agrees", unsupported(what)),
        ),
        (S::Unsupported { what }, N::Failed { why }) => (
            Verdict::Error,
            format!("symbolic judge: {}; numeric judge: {why}", unsupported(what)),
        ),
        (_, N::Failed { why }) => (Verdict::Error, format!("numeric judge: {why}")),
        (S::Unsupported { what }, N::Unsupported { .. }) => (Verdict::Error, unsupported(what)),
        (_, N::Unsupported { what }) => (Verdict::Error, format!("not supported yet: {what}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proved() -> Symbolic {
        Symbolic::Proved {
            derived: vec![],
            answer: None,
        }
    }
    fn agrees() -> Numeric {
        Numeric::Agrees {
            samples: 4,
            max_error: 0.0,
        }
    }
    fn refuted() -> Numeric {
        Numeric::Refuted {
            samples: 1,
            counterexample: Counterexample {
                n: 1,
                values: vec![],
                lhs: "1".into(),
                rhs: "2".into(),
                error: 1.0,
            },
        }
    }

    #[test]
    fn a_proved_step_with_a_counterexample_is_a_disagreement() {
        assert_eq!(combine(&proved(), &refuted()).0, Verdict::Disagreement);
    }

    #[test]
    fn verdicts_follow_the_table() {
        let undecided = Symbolic::Undecided {
            derived: vec![],
            answer: None,
            why: "w".into(),
        };
        let unsupported = Symbolic::Unsupported { what: "x".into() };
        let n_unsupported = Numeric::Unsupported { what: "y".into() };
        assert_eq!(combine(&proved(), &agrees()).0, Verdict::Proved);
        assert_eq!(combine(&undecided, &agrees()).0, Verdict::Numeric);
        assert_eq!(combine(&undecided, &refuted()).0, Verdict::Refuted);
        assert_eq!(combine(&unsupported, &refuted()).0, Verdict::Refuted);
        assert_eq!(combine(&unsupported, &n_unsupported).0, Verdict::Error);
        assert_eq!(combine(&undecided, &n_unsupported).0, Verdict::Error);
        let failed = Numeric::Failed { why: "z".into() };
        assert_eq!(combine(&proved(), &failed).0, Verdict::Error);
        assert!(Verdict::Numeric.passes(false));
        assert!(!Verdict::Numeric.passes(true));
        assert!(!Verdict::Disagreement.passes(false));
    }

    #[test]
    fn a_symbolic_refutation_fails_the_step_whatever_the_samples_say() {
        let sym = Symbolic::Refuted {
            derived: vec![],
            answer: None,
            why: "the answer misses the solution x = 3".into(),
        };
        for n in [
            agrees(),
            refuted(),
            Numeric::Unsupported { what: "y".into() },
            Numeric::Failed { why: "z".into() },
        ] {
            let (v, why) = combine(&sym, &n);
            assert_eq!(v, Verdict::Refuted, "{n:?}");
            assert!(why.contains("misses the solution x = 3"), "{why}");
        }
    }
}
