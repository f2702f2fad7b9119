//! derive: checks derivations from machine learning step by step, with two
//! independent judges.
//!
//! # Code map
//! Data flows top to bottom; a module may import only modules listed above
//! it, with the exceptions named.
//!
//! - `rat`: exact rationals of any size (numeric order, never wrapping),
//!   the one value type every layer shares.
//! - `diag`: spans, sources, diagnostics and their rendering.
//! - `syntax`: grammar (grammar/derive.pest), syntax tree, parser. Knows
//!   nothing of kinds, judges or the engine.
//! - `print`: the expression printer every output format shares (the file's
//!   Unicode syntax, which parses back, and LaTeX math), from `syntax::ast`;
//!   imports only `syntax`, `diag` and `rat`.
//! - `sema`: name resolution, definition expansion, kind checking; produces
//!   `sema::hir::Program`, the checked program: the only thing the two
//!   judges share.
//! - `term`: the scalar term language that crosses the engine boundary.
//! - `engine`: the only module that uses the Symbolica crate. Runs every job
//!   on a thread of its own under a process lock and a per-user file lock
//!   (`engine_lock`), keeps the restricted-mode banner off stdout. Code
//!   that runs jobs and starts child processes starts them inside
//!   `engine::without_jobs`, so no child inherits the backend's allowance.
//!   Every call keeps `engine::Budget` (size, powers, the step's time).
//! - `symbolic`: the symbolic judge (vectors as combinations of atoms,
//!   calculus, assumptions); reaches the backend only through `engine`.
//! - `numeric`: the numeric judge; evaluates `sema::hir` with nalgebra and
//!   solves sampled optimisation problems with Clarabel.
//!   Never imports `symbolic`, `term` or `engine`.
//! - `figure`: `figure` statements drawn: one instance sampled through
//!   `numeric::instances`, laid out, written as SVG (plotters) or as a LaTeX
//!   picture; imports `sema`, `numeric`, `print`, `syntax`, `diag`, never
//!   `symbolic`, `term` or `engine`.
//! - `verdict`: the judges' outcomes and the one function that combines them.
//! - `check`: runs both judges over a file's steps.
//! - `report`: text and JSON rendering of verdicts; never recomputes. Also
//!   the Markdown and LaTeX solution sheets (`report::sheet` is their shared
//!   outline, built from a `check::FileReport`, the file and its figures).
//! - `cli`: clap arguments → checked config → run → exit code. `main.rs`
//!   only calls it.
//!
//! # Invariants
//! - Soundness: "proved" only when the exact difference normalises to 0;
//!   "refuted" by the symbolic judge only with an exact witness checked
//!   in rational arithmetic.
//! - Scoping is lexical (`sema::resolve`): a shadowing `let` is a fresh
//!   variable.
//! - Determinism: same file, seed and options → same bytes out.
//! - Parsing and checking never panic on any input.

pub mod check;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod figure;
pub mod numeric;
pub mod print;
pub mod rat;
pub mod report;
pub mod sema;
pub mod symbolic;
pub mod syntax;
pub mod term;
pub mod verdict;
