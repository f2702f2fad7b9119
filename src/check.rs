//! Runs both judges over every step of a file and combines their outcomes.
//!
//! Invariants: each step's verdict is computed here exactly once, by
//! [`verdict::combine`]; the symbolic judge's steps of one file run inside
//! one engine job (one engine thread), the numeric judge runs outside it and
//! never sees the symbolic outcome; a file with diagnostics is not judged.

use serde::Serialize;

use crate::diag::Source;
use crate::engine;
use crate::numeric;
use crate::sema::{self, hir};
use crate::symbolic;
use crate::verdict::{self, Numeric, Symbolic, Verdict};

/// How to judge.
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed of the numeric judge.
    pub seed: u64,
    /// Samples per step for the numeric judge.
    pub samples: usize,
    /// Whether the symbolic judge runs (off only to test the numeric judge
    /// alone).
    pub symbolic: bool,
}

impl Default for Options {
    fn default() -> Options {
        let n = numeric::Config::default();
        Options {
            seed: n.seed,
            samples: n.samples,
            symbolic: true,
        }
    }
}

/// The outcome of one step.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    /// `file:line:column`.
    pub location: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// The part, if any.
    pub part: Option<String>,
    /// The statement as written (whitespace collapsed).
    pub statement: String,
    /// The combined verdict.
    pub verdict: Verdict,
    /// Why, in one line.
    pub reason: String,
    /// The symbolic judge's outcome.
    pub symbolic: Symbolic,
    /// The numeric judge's outcome.
    pub numeric: Numeric,
}

/// The outcome of one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// The path as given.
    pub file: String,
    /// Rendered diagnostics (parse and kind errors); non-empty means the
    /// file was not judged.
    pub diagnostics: Vec<String>,
    /// Steps in source order.
    pub steps: Vec<StepReport>,
}

impl FileReport {
    /// Whether the file has usage-level errors (exit code 2).
    pub fn has_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }
    /// Whether every step passes.
    pub fn passes(&self, strict: bool) -> bool {
        !self.has_errors() && self.steps.iter().all(|s| s.verdict.passes(strict))
    }
}

/// Checks one source file.
pub fn check_source(src: &Source, opts: &Options) -> FileReport {
    let program = match sema::check_file(src) {
        Ok(p) => p,
        Err(diags) => {
            return FileReport {
                file: src.name.clone(),
                diagnostics: diags.iter().map(|d| d.render(src)).collect(),
                steps: Vec::new(),
            }
        }
    };
    let symbolic = judge_symbolic(&program, opts);
    let ncfg = numeric::Config {
        seed: opts.seed,
        samples: opts.samples,
    };
    let steps = program
        .steps
        .iter()
        .zip(symbolic)
        .map(|(step, sym)| {
            let num = numeric::judge(step, &ncfg);
            let (verdict, reason) = verdict::combine(&sym, &num);
            let (line, column) = src.line_col(step.span.start);
            StepReport {
                location: format!("{}:{}:{}", src.name, line, column),
                line,
                column,
                part: step.part.clone(),
                statement: step.text.clone(),
                verdict,
                reason,
                symbolic: sym,
                numeric: num,
            }
        })
        .collect();
    FileReport {
        file: src.name.clone(),
        diagnostics: Vec::new(),
        steps,
    }
}

fn judge_symbolic(program: &hir::Program, opts: &Options) -> Vec<Symbolic> {
    if !opts.symbolic {
        return vec![Symbolic::Off; program.steps.len()];
    }
    let job = engine::run(|session| {
        program
            .steps
            .iter()
            .map(|s| symbolic::judge(s, session))
            .collect::<Vec<_>>()
    });
    match job {
        Ok(v) => v,
        Err(e) => {
            let what = format!("the algebra engine failed: {e}");
            vec![Symbolic::Unsupported { what }; program.steps.len()]
        }
    }
}
