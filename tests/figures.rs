//! Figures: `derive check --figures DIR` writes one valid SVG per `figure`
//! statement; drawings are deterministic for a seed; the drawn instance
//! satisfies the part's assumptions; bad figures are reported, not drawn.

mod common;

use std::process::Command;

use derive::diag::Source;
use derive::figure::{self, Drawing, FigureOut, Shape};

fn figures_of(path: &str, seed: u64) -> Vec<FigureOut> {
    let text = std::fs::read_to_string(path).expect("readable");
    figure::figures(&Source::new(path, text), seed)
}

fn drawing(path: &str, seed: u64) -> Drawing {
    let figs = figures_of(path, seed);
    assert_eq!(figs.len(), 1, "{path}: one figure");
    let f = &figs[0];
    assert!(f.error.is_none(), "{path}: {:?}", f.error);
    f.drawing.clone().expect("drawn")
}

/// Parses an SVG document and checks what every figure must have.
fn check_svg(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    for attr in ["width", "height", "viewBox"] {
        assert!(root.attribute(attr).is_some(), "svg has {attr}");
    }
    let shapes = root
        .descendants()
        .filter(|n| matches!(n.tag_name().name(), "polyline" | "polygon" | "circle"))
        .count();
    assert!(shapes > 5, "shapes are drawn ({shapes})");
    for n in root.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if matches!(a.name(), "x" | "y" | "cx" | "cy" | "r") {
                let v: f64 = a.value().parse().expect("numeric coordinate");
                assert!(v.is_finite());
            }
        }
    }
    // The text of every <text>, tspans joined.
    root.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn check_with_figures_writes_one_valid_svg_per_figure() {
    let dir = std::env::temp_dir().join(format!("derive-figures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = common::output(
        Command::new(env!("CARGO_BIN_EXE_derive"))
            .args(["check", "--figures"])
            .arg(&dir)
            .args([
                "derivations/assignment1.drv",
                "derivations/assignment2.drv",
                "derivations/assignment3.drv",
            ])
            .env("NO_COLOR", "1"),
    )
    .expect("derive runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory was created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "assignment1-b.svg",
            "assignment2-a.svg",
            "assignment3-figure.svg"
        ]
    );
    for name in &names {
        let path = dir.join(name);
        // The report says where each figure went.
        assert!(
            stdout.contains(&path.display().to_string()),
            "{name} is reported:\n{stdout}"
        );
        let svg = std::fs::read_to_string(&path).expect("readable");
        let texts = check_svg(&svg);
        assert!(
            texts.iter().any(|t| t.contains("one instance")),
            "{texts:?}"
        );
    }
    let a1 = check_svg(&std::fs::read_to_string(dir.join("assignment1-b.svg")).unwrap());
    for label in ["w", "g", "∇wR", "‖w‖ = 1"] {
        assert!(
            a1.iter()
                .any(|t| t.replace(' ', "") == label.replace(' ', "")),
            "label {label} in {a1:?}"
        );
    }
    // The JSON report lists every figure and where it went.
    let out = common::output(
        Command::new(env!("CARGO_BIN_EXE_derive"))
            .args(["check", "--format", "json", "--figures"])
            .arg(&dir)
            .arg("derivations/assignment1.drv"),
    )
    .expect("derive runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let figs = doc["figures"].as_array().expect("a figures array");
    assert_eq!(figs.len(), 1);
    assert_eq!(figs[0]["part"], "b");
    assert_eq!(figs[0]["file"], "derivations/assignment1.drv");
    let path = figs[0]["path"].as_str().expect("a path");
    assert!(path.ends_with("assignment1-b.svg"));
    check_svg(&std::fs::read_to_string(path).expect("written"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn figures_are_deterministic_for_a_seed() {
    for path in [
        "derivations/assignment1.drv",
        "derivations/assignment2.drv",
        "derivations/assignment3.drv",
    ] {
        let a = figure::svg::svg(&drawing(path, 7)).expect("renders");
        let b = figure::svg::svg(&drawing(path, 7)).expect("renders");
        assert_eq!(a, b, "{path}: same seed, same bytes");
        let c = figure::svg::svg(&drawing(path, 8)).expect("renders");
        assert_ne!(a, c, "{path}: another seed, another instance");
        assert_eq!(
            figure::tex::tex(&drawing(path, 7)),
            figure::tex::tex(&drawing(path, 7))
        );
    }
}

fn vec_of(shape: &Shape) -> (Vec<f64>, Vec<f64>) {
    match shape {
        Shape::Arrow { from, to } => (
            from.clone(),
            to.iter().zip(from).map(|(t, f)| t - f).collect(),
        ),
        other => panic!("not an arrow: {other:?}"),
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn the_drawn_instance_satisfies_the_assumptions() {
    for seed in [0, 1, 2, 3, 42] {
        let d = drawing("derivations/assignment1.drv", seed);
        assert_eq!(d.dim, 2);
        let w = d.var("w").expect("w was sampled").to_vec();
        assert!((dot(&w, &w).sqrt() - 1.0).abs() < 1e-9, "‖w‖ = 1: {w:?}");
        // set ‖w‖ = 1, arrow w, arrow g at w, arrow ∇_w R at w
        assert!(matches!(
            &d.items[0].shape,
            Shape::Set { radius, filled: false, .. } if (*radius - 1.0).abs() < 1e-12
        ));
        let (o, wv) = vec_of(&d.items[1].shape);
        assert_eq!(o, vec![0.0, 0.0]);
        assert_eq!(wv, w);
        let (at, g) = vec_of(&d.items[2].shape);
        assert_eq!(at, w, "g is drawn at w");
        assert!(dot(&g, &w).abs() < 1e-9, "g ⊥ w (tangent): {g:?}");
        let (_, r) = vec_of(&d.items[3].shape);
        let lambda = d.var("λ").expect("λ was sampled")[0];
        assert!(lambda > 0.0);
        for i in 0..2 {
            assert!((r[i] - lambda * w[i]).abs() < 1e-9, "∇_w R = λ w");
        }
        assert_eq!(d.items[3].label, "∇_w R");
    }
}

#[test]
fn the_box_figure_puts_the_solution_on_a_corner() {
    let d = drawing("derivations/assignment2.drv", 0);
    let eps = d.var("ε").expect("ε")[0];
    let theta_t = d.var("θₜ").expect("θₜ").to_vec();
    let g = d.var("g").expect("g").to_vec();
    let Shape::Set {
        center,
        radius,
        filled: true,
        ..
    } = &d.items[0].shape
    else {
        panic!("a filled box first: {:?}", d.items[0]);
    };
    assert_eq!(center, &theta_t);
    assert!((radius - eps).abs() < 1e-12);
    let Shape::Step { from, to, .. } = &d.items[2].shape else {
        panic!("a step: {:?}", d.items[2]);
    };
    assert_eq!(from, &theta_t);
    for i in 0..2 {
        assert!((to[i] - (theta_t[i] - eps * g[i].signum())).abs() < 1e-12);
    }
}

fn check_text(text: &str) -> (Vec<FigureOut>, String) {
    let src = Source::new("t.drv", text);
    let rep = derive::check::check_source(
        &src,
        &derive::check::Options {
            symbolic: false,
            ..Default::default()
        },
    );
    (figure::figures(&src, 0), rep.diagnostics.join("\n"))
}

#[test]
fn ill_formed_figures_are_diagnosed() {
    let (_, d) = check_text("let w: vector\nlet a: scalar\nfigure { arrow a }\n");
    assert!(
        d.contains("an arrow in a figure must be a vector, not a scalar"),
        "{d}"
    );
    let (_, d) = check_text("let w: vector\nfigure { set ⟨w, w⟩ = 1 }\n");
    assert!(d.contains("a sphere, ball or box"), "{d}");
    let (_, d) = check_text("let w: vector\nfigure { arrow w at }\n");
    assert!(d.contains("expected"), "{d}");
    // An error inside a figure does not close the part around it.
    let (_, d) = check_text(
        "let w: vector\npart a {\n  figure \"x\" {\n    arrow w at;\n    assume ‖w‖ = 1\n  }\n  claim w = w\n}\n",
    );
    assert_eq!(d.matches("error").count(), 1, "{d}");
    // `at` is reserved.
    let (_, d) = check_text("let at: vector\n");
    assert!(d.contains("expected"), "{d}");
}

#[test]
fn a_figure_whose_assumptions_cannot_hold_is_not_drawn() {
    let (figs, d) = check_text("let w: vector\nfigure { assume ‖w‖ = −1; arrow w }\n");
    assert!(d.is_empty(), "{d}");
    assert_eq!(figs.len(), 1);
    let e = figs[0].error.as_deref().expect("not drawn");
    assert!(e.contains("‖w‖ = −1"), "{e}");
    assert!(figs[0].drawing.is_none());
}

#[test]
fn three_dimensional_figures_project_spheres_and_boxes() {
    let text = "let u, c: vector\nlet r: scalar > 0\n\
                figure \"in space\" in ℝ³ { assume ‖u‖ = 1; set ‖u‖ = 1; arrow u; \
                set ‖u − c‖∞ ≤ r; point c; set ‖u‖₁ ≤ 1 }\n";
    let (figs, d) = check_text(text);
    assert!(d.is_empty(), "{d}");
    let dr = figs[0].drawing.as_ref().expect("drawn");
    assert_eq!(dr.dim, 3);
    assert_eq!(dr.var("u").map(<[f64]>::len), Some(3));
    let svg = figure::svg::svg(dr).expect("renders");
    let texts = check_svg(&svg);
    for axis in ["e₁", "e₂", "e₃"] {
        assert!(texts.iter().any(|t| t == axis), "{texts:?}");
    }
    let tex = figure::tex::tex(dr);
    assert!(tex.contains("\\pdfliteral{") && tex.contains("\\begin{picture}"));
}

#[test]
fn file_names_follow_the_file_and_part() {
    assert_eq!(
        figure::file_name("derivations/assignment1.drv", Some("b"), 1),
        "assignment1-b.svg"
    );
    assert_eq!(
        figure::file_name("x/notes.drv", Some("λ"), 2),
        "notes-lambda-2.svg"
    );
    assert_eq!(figure::file_name("notes.drv", None, 1), "notes-figure.svg");
}
