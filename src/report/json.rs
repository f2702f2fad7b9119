//! The JSON report: one document, `{"version", "files": [...], "summary"}`.
//!
//! Invariant: the output is one valid JSON value (non-finite numbers become
//! `null`), with fields in a fixed order, so the same reports give the same
//! bytes.

use serde::Serialize;

use super::Summary;
use crate::check::FileReport;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    seed: u64,
    strict: bool,
    files: &'a [FileReport],
    summary: Summary,
    exit_code: i32,
}

/// Renders the reports as one JSON document followed by a newline.
pub fn render(files: &[FileReport], seed: u64, strict: bool) -> String {
    let doc = Doc {
        version: 1,
        seed,
        strict,
        files,
        summary: Summary::of(files),
        exit_code: super::exit_code(files, strict),
    };
    match serde_json::to_string_pretty(&doc) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
