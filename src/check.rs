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

/// Stack for checking one file: deeply nested (but accepted) input must
/// not overflow whatever thread the caller runs on.
const CHECK_STACK: usize = 256 << 20;

/// Checks one source file. Runs on a thread of its own with a large stack
/// (the caller's thread may be small); never panics on any input.
pub fn check_source(src: &Source, opts: &Options) -> FileReport {
    let run = || check_here(src, opts);
    let joined = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("derive-check".into())
            .stack_size(CHECK_STACK)
            .spawn_scoped(scope, run)
            .map(|h| h.join())
    });
    match joined {
        Ok(Ok(report)) => report,
        _ => FileReport {
            file: src.name.clone(),
            diagnostics: vec![format!(
                "error: internal error while checking {}: please report this input\n",
                src.name
            )],
            steps: Vec::new(),
        },
    }
}

fn check_here(src: &Source, opts: &Options) -> FileReport {
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
            let num = match with_derived_answer(step, &sym) {
                Ok(Some(s)) => numeric::judge(&s, &ncfg),
                Ok(None) => numeric::judge(step, &ncfg),
                Err(why) => Numeric::Failed { why },
            };
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

/// For a solve or optimisation step without a stated answer, the same step
/// with the answer the symbolic judge derived, read back from its text, so
/// that the numeric judge checks it independently. The numeric judge sees
/// only the checked relation, never the symbolic judge's internals.
fn with_derived_answer(step: &hir::Step, sym: &Symbolic) -> Result<Option<hir::Step>, String> {
    let Some(text) = sym.answer() else {
        return Ok(None);
    };
    let mut s = step.clone();
    let read = match &mut s.goal {
        hir::Goal::Solve { answer: None, .. } => {
            sema::read_alternatives(text, &step.scope).map(|alts| {
                if let hir::Goal::Solve { answer, .. } = &mut s.goal {
                    *answer = Some(alts);
                }
            })
        }
        hir::Goal::Optimize { answer: None, .. } => {
            sema::read_relation(text, &step.scope).map(|fact| {
                if let hir::Goal::Optimize { answer, .. } = &mut s.goal {
                    *answer = Some(fact);
                }
            })
        }
        _ => return Ok(None),
    };
    match read {
        Ok(()) => Ok(Some(s)),
        Err(d) => Err(format!(
            "the derived answer `{text}` could not be read back: {}",
            d.first().map_or("", |d| d.message.as_str())
        )),
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
