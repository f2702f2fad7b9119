//! Name resolution and kind checking: from the syntax tree to the checked
//! program ([`hir::Program`]) that both judges read.
//!
//! Invariant: [`check_file`] either returns a program whose every
//! expression satisfies the invariants documented in [`hir`], or every
//! diagnostic it found (parse errors first); it never panics.

pub mod hir;
mod kinds;
mod resolve;

use crate::diag::{Diagnostic, Source};

/// Parses and checks a whole file.
pub fn check_file(src: &Source) -> Result<hir::Program, Vec<Diagnostic>> {
    let (file, mut diags) = crate::syntax::parse_file(src);
    let (program, more) = resolve::resolve(src, &file);
    diags.extend(more);
    if diags.is_empty() {
        Ok(program)
    } else {
        diags.sort_by_key(|d| d.span.start);
        diags.dedup();
        Err(diags)
    }
}

/// Reads a relation written in the file's syntax (an answer the symbolic
/// judge derived) back into a checked fact, in the scope of a step.
pub fn read_relation(text: &str, scope: &hir::Scope) -> Result<hir::Fact, Vec<Diagnostic>> {
    let src = Source::new("<derived answer>", text);
    let rel = crate::syntax::parse_rel(&src).map_err(|d| vec![d])?;
    resolve::resolve_rel(&src, scope, &rel)
}

/// Reads alternatives (`x = 1 or x = 2`, the solutions the symbolic judge
/// derived) back into checked facts, in the scope of a step.
pub fn read_alternatives(
    text: &str,
    scope: &hir::Scope,
) -> Result<Vec<hir::Fact>, Vec<Diagnostic>> {
    let src = Source::new("<derived answer>", text);
    let rels = crate::syntax::parse_alternatives(&src).map_err(|d| vec![d])?;
    rels.iter()
        .map(|rel| resolve::resolve_rel(&src, scope, rel))
        .collect()
}
