//! The JSON report: one document, `{"version", "files": [...], "summary"}`.
//!
//! Invariant: the output is one valid JSON value (non-finite numbers become
//! `null`), with fields in a fixed order, so the same reports give the same
//! bytes.

use serde::Serialize;

use super::Summary;
use crate::check::FileReport;
use crate::figure::FigureOut;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    seed: u64,
    strict: bool,
    files: &'a [FileReport],
    summary: Summary,
    exit_code: i32,
    /// Figures (only with `--figures` or figures in the files: absent when
    /// there are none, so reports without figures keep their bytes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    figures: Vec<FigureEntry<'a>>,
}

/// A figure of the JSON report: its file and what [`FigureOut`] says.
#[derive(Serialize)]
struct FigureEntry<'a> {
    file: &'a str,
    #[serde(flatten)]
    figure: &'a FigureOut,
}

/// Renders the reports as one JSON document followed by a newline.
pub fn render(files: &[FileReport], seed: u64, strict: bool) -> String {
    render_with_figures(files, &[], seed, strict)
}

/// [`render`], plus a `figures` array: `figures[i]` are the figures of
/// `files[i]` (missing entries mean none).
pub fn render_with_figures(
    files: &[FileReport],
    figures: &[&[FigureOut]],
    seed: u64,
    strict: bool,
) -> String {
    let figures = files
        .iter()
        .zip(figures)
        .flat_map(|(f, figs)| {
            figs.iter().map(move |figure| FigureEntry {
                file: &f.file,
                figure,
            })
        })
        .collect();
    let doc = Doc {
        version: 1,
        seed,
        strict,
        files,
        summary: Summary::of(files),
        exit_code: super::exit_code(files, strict),
        figures,
    };
    match serde_json::to_string_pretty(&doc) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
