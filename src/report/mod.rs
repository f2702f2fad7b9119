//! Renders reports. Rendering reads verdicts and never recomputes them.

pub mod json;
pub mod latex;
pub mod markdown;
pub mod sheet;
pub mod text;

use crate::check::FileReport;
use crate::verdict::Verdict;

/// Counts of verdicts over some files.
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Files with parse or kind errors.
    pub files_with_errors: usize,
    /// Steps checked.
    pub steps: usize,
    /// Proved steps.
    pub proved: usize,
    /// Numeric-only steps.
    pub numeric: usize,
    /// Refuted steps.
    pub refuted: usize,
    /// Steps that could not be checked.
    pub error: usize,
    /// Steps where the judges disagree.
    pub disagreement: usize,
}

impl Summary {
    /// Counts the verdicts of `files`.
    pub fn of(files: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for f in files {
            if f.has_errors() {
                s.files_with_errors += 1;
            }
            for st in &f.steps {
                s.steps += 1;
                match st.verdict {
                    Verdict::Proved => s.proved += 1,
                    Verdict::Numeric => s.numeric += 1,
                    Verdict::Refuted => s.refuted += 1,
                    Verdict::Error => s.error += 1,
                    Verdict::Disagreement => s.disagreement += 1,
                }
            }
        }
        s
    }
}

/// The process exit code for these reports: 2 if any file has parse or
/// kind errors, else 1 if any step fails, else 0.
pub fn exit_code(files: &[FileReport], strict: bool) -> i32 {
    if files.iter().any(FileReport::has_errors) {
        2
    } else if files.iter().all(|f| f.passes(strict)) {
        0
    } else {
        1
    }
}
