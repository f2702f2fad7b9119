//! Source spans and diagnostics.
//!
//! Invariants: a [`Span`] is a byte range into one source text, always on
//! char boundaries; rendering a [`Diagnostic`] never panics, whatever the
//! span (it is clamped), and always shows `file:line:column` (1-based,
//! columns counted in characters), the source line, and the span underlined.

use std::fmt::Write as _;

/// A byte range `start..end` into a source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A source file: its name as given and its text.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as the user gave it.
    pub name: String,
    /// The whole text.
    pub text: String,
}

impl Source {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    fn clamp(&self, pos: usize) -> usize {
        let mut p = pos.min(self.text.len());
        while !self.text.is_char_boundary(p) {
            p -= 1;
        }
        p
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, pos: usize) -> (usize, usize) {
        let pos = self.clamp(pos);
        let before = &self.text[..pos];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..pos].chars().count() + 1;
        (line, col)
    }

    /// `file:line:column` of a byte offset.
    pub fn location(&self, pos: usize) -> String {
        let (l, c) = self.line_col(pos);
        format!("{}:{}:{}", self.name, l, c)
    }

    /// The source text of a span (clamped).
    pub fn slice(&self, span: Span) -> &str {
        let s = self.clamp(span.start);
        let e = self.clamp(span.end.max(span.start));
        &self.text[s..e]
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The file cannot be checked.
    Error,
    /// Worth knowing; does not stop the check.
    Warning,
}

/// A message about a place in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Text under the underline (what was expected, in words).
    pub label: String,
    /// Extra advice, one line each.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: label.into(),
            notes: Vec::new(),
        }
    }

    /// The same diagnostic with a note added.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Renders the diagnostic as plain text in the style of rustc:
    /// message, location, the source line and the span underlined.
    pub fn render(&self, src: &Source) -> String {
        let mut out = String::new();
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let start = src.clamp(self.span.start);
        let end = src.clamp(self.span.end.max(self.span.start));
        let (line, col) = src.line_col(start);
        let _ = writeln!(out, "{word}: {}", self.message);
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{}:{}", src.name, line, col);
        let line_start = src.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src.text[start..]
            .find('\n')
            .map_or(src.text.len(), |i| start + i);
        // Long lines are shown as a window around the span.
        const CONTEXT: usize = 60;
        let before: Vec<char> = src.text[line_start..start].chars().collect();
        let (skip, lead_mark) = if before.len() > CONTEXT {
            (before.len() - CONTEXT, "…")
        } else {
            (0, "")
        };
        let visible = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_control() && c != '\t' {
                        '�'
                    } else {
                        c
                    }
                })
                .collect()
        };
        let lead_text: String = visible(&before[skip..].iter().collect::<String>());
        let span_text: String = src.text[start..end.min(line_end).max(start)]
            .chars()
            .collect();
        let width = span_text.chars().count().clamp(1, CONTEXT);
        let after_start = start + span_text.len();
        let after: Vec<char> = src.text[after_start..line_end].chars().collect();
        let span_shown: String = span_text.chars().take(CONTEXT).collect();
        let (after_shown, tail_mark) =
            if after.len() > CONTEXT || span_text.chars().count() > CONTEXT {
                (
                    after
                        .iter()
                        .take(CONTEXT.saturating_sub(width))
                        .collect::<String>(),
                    "…",
                )
            } else {
                (after.iter().collect::<String>(), "")
            };
        let text = format!(
            "{lead_mark}{lead_text}{}{}{tail_mark}",
            visible(&span_shown),
            visible(&after_shown)
        );
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {}", text.trim_end());
        let lead: String = lead_mark
            .chars()
            .chain(lead_text.chars())
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} | {lead}{} {}", "^".repeat(width), self.label);
        for note in &self.notes {
            let _ = writeln!(out, "{pad} = note: {note}");
        }
        out
    }
}
