//! Solution sheets: Markdown and LaTeX sheets of the three assignments are
//! snapshotted (each snapshot shows its input), and the LaTeX sheet is
//! compiled with pdflatex where it is installed.

use std::io::Write as _;
mod common;

use std::process::Command;

use derive::check::{check_source, FileReport, Options};
use derive::diag::Source;
use derive::figure::{self, FigureOut};
use derive::report::sheet::SheetInput;
use derive::report::{latex, markdown};

const FILES: [&str; 4] = [
    "derivations/assignment1.drv",
    "derivations/assignment2.drv",
    "derivations/assignment3.drv",
    "derivations/equations.drv",
];

/// The report and the figures of a file, figures "written" to `figures/`
/// (the sheets link them there; nothing is written).
fn checked(path: &str) -> (Source, FileReport, Vec<FigureOut>) {
    let text = std::fs::read_to_string(path).expect("readable");
    let src = Source::new(path, text);
    let report = check_source(&src, &Options::default());
    let mut figs = figure::figures(&src, 0);
    for f in &mut figs {
        f.path = Some(format!("figures/{}", f.file_name));
    }
    (src, report, figs)
}

fn input<'a>(c: &'a (Source, FileReport, Vec<FigureOut>)) -> SheetInput<'a> {
    SheetInput {
        report: &c.1,
        source: &c.0,
        figures: &c.2,
        seed: 0,
        strict: false,
    }
}

fn with_input(text: &str, out: &str) -> String {
    format!("---- input ----\n{text}\n---- output ----\n{out}")
}

#[test]
fn sheets_of_the_assignments() {
    let mut settings = insta::Settings::clone_current();
    // The shapes of a figure are numbers; the SVG tests look at them. The
    // labels, the caption (the sampled values) and the layout stay.
    settings.add_filter(r"\\pdfliteral\{q [^}]*\}", r"\pdfliteral{…shapes…}");
    settings.add_filter(r"\\put\([-0-9.]+,[-0-9.]+\)", r"\put(x,y)");
    settings.bind(|| {
        for path in FILES {
            let c = checked(path);
            let stem = path
                .trim_start_matches("derivations/")
                .trim_end_matches(".drv");
            let md = markdown::render(&[input(&c)]);
            insta::assert_snapshot!(format!("markdown-{stem}"), with_input(&c.0.text, &md));
            let tex = latex::render(&[input(&c)]);
            insta::assert_snapshot!(format!("latex-{stem}"), with_input(&c.0.text, &tex));
        }
    });
}

#[test]
fn alternatives_are_separate_formulas_joined_by_the_word_or() {
    let c = checked("derivations/equations.drv");
    let md = markdown::render(&[input(&c)]);
    assert!(md.contains("answer: $t = 1$ or $t = 2$"), "{md}");
    assert!(!md.contains(" or \\"), "{md}");
    let tex = latex::render(&[input(&c)]);
    assert!(tex.contains("\\ \\text{or}\\ "), "{tex}");
}

#[test]
fn markdown_math_never_breaks_out_of_its_dollars() {
    for path in FILES {
        let c = checked(path);
        let md = markdown::render(&[input(&c)]);
        let mut in_block = false;
        for line in md.lines() {
            if line.starts_with("```") {
                in_block = !in_block;
                continue;
            }
            if in_block {
                continue;
            }
            // Unescaped dollars pair up on every line.
            let dollars = line
                .match_indices('$')
                .filter(|(i, _)| *i == 0 || !line[..*i].ends_with('\\'))
                .count();
            assert_eq!(dollars % 2, 0, "{path}: {line}");
        }
        assert!(
            md.contains(
                "![w, g = ∇\\_w L and ∇\\_w R on the unit circle](figures/assignment1-b.svg)"
            ) || !path.ends_with("1.drv"),
            "{md}"
        );
    }
}

#[test]
fn the_latex_sheet_compiles_with_pdflatex() {
    let found = common::output(Command::new("pdflatex").arg("--version"));
    if found.map(|o| !o.status.success()).unwrap_or(true) {
        // Written straight to stderr, past the test harness's capture, so
        // the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the_latex_sheet_compiles_with_pdflatex: pdflatex is not installed \
             (apt-get install texlive-latex-base)"
        );
        return;
    }
    let checked: Vec<_> = FILES.iter().map(|p| checked(p)).collect();
    let inputs: Vec<SheetInput> = checked.iter().map(input).collect();
    let tex = latex::render(&inputs);
    let dir = std::env::temp_dir().join(format!("derive-sheet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("sheet.tex"), &tex).expect("written");
    let out = common::output(
        Command::new("pdflatex")
            .args(["-interaction=nonstopmode", "-halt-on-error", "sheet.tex"])
            .current_dir(&dir),
    )
    .expect("pdflatex runs");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pdflatex failed:\n{log}");
    let pdf = std::fs::metadata(dir.join("sheet.pdf")).expect("a PDF");
    assert!(pdf.len() > 10_000);
    assert!(
        !log.contains("Overfull \\hbox"),
        "a line is too wide:\n{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
