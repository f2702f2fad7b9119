//! Snapshot tests driven by fixture files (in the style of minijinja and
//! Tera): every shipped derivation's full verbose report, and every error
//! fixture's rendered diagnostics. Each snapshot shows its input.

use derive::check::{check_source, Options};
use derive::diag::Source;
use derive::report::text::{render, Style};

fn read(path: &std::path::Path) -> (String, String) {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let name = format!(
        "{}/{}",
        path.parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    (name, String::from_utf8_lossy(&bytes).into_owned())
}

fn report(name: &str, text: &str) -> String {
    let src = Source::new(name, text);
    let rep = check_source(&src, &Options::default());
    let style = Style {
        verbose: true,
        ..Style::default()
    };
    render(&[rep], style)
}

/// Shows the input, then the output. Long inputs are shortened.
fn with_input(text: &str, out: &str) -> String {
    let shown: String = if text.len() > 2000 {
        let mut cut = 2000;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}… ({} bytes in all)", &text[..cut], text.len())
    } else {
        text.to_string()
    };
    format!("---- input ----\n{shown}\n---- output ----\n{out}")
}

#[test]
fn derivations() {
    let mut settings = insta::Settings::clone_current();
    // Float noise in the last digits must not churn snapshots.
    settings.add_filter(r"max error [0-9.e+-]+", "max error [redacted]");
    settings.bind(|| {
        insta::glob!("../derivations", "*.drv", |path| {
            let (name, text) = read(path);
            insta::assert_snapshot!(with_input(&text, &report(&name, &text)));
        });
    });
}

#[test]
fn errors() {
    insta::glob!("errors", "*.drv", |path| {
        let (name, text) = read(path);
        let shown = if text.chars().any(|c| c.is_control() && c != '\n') {
            format!("<{} bytes of binary data>", text.len())
        } else {
            text.clone()
        };
        insta::assert_snapshot!(with_input(&shown, &report(&name, &text)));
    });
}
