//! Figures: a drawing of one sampled instance of a part's objects, for every
//! `figure` statement (grammar/README.md, "Figures").
//!
//! # How a figure is made
//!
//! 1. [`draw`] samples the figure's scope with the numeric judge's machinery
//!    ([`crate::numeric::instances`]) in dimension 2 (3 for `in ℝ³`), with
//!    every assumption in force (the part's and the figure's own `assume`
//!    items), seeded from the run's seed and the figure's id; among the
//!    first [`CANDIDATES`] admissible samples it keeps the one whose drawn
//!    lengths are most alike ([`spread`]), so that no arrow is a dot next to
//!    a giant. The result is a [`Drawing`]: coordinates in ℝ² or ℝ³.
//! 2. [`scene::layout`] projects it to the page (3-D: a fixed orthographic
//!    view), fits the view, and places shapes and labels: a [`scene::Scene`]
//!    of primitives in page coordinates.
//! 3. A backend writes the scene: [`svg::render`] (plotters' SVG backend;
//!    text as `<text>` elements, no fonts needed) or [`tex::render`] (a
//!    LaTeX `picture` with PDF path literals, labels typeset by LaTeX).
//!
//! Labels are the names of the file, printed by [`crate::print`] (Unicode
//! in SVG, LaTeX math in sheets).
//!
//! # Invariants
//! - Determinism: the same figure and seed give the same drawing, scene and
//!   bytes; a figure's instance depends only on the seed, its id and its
//!   scope, never on the steps or figures around it.
//! - Every drawn instance satisfies every assumption in force (the numeric
//!   judge's construction checks them), so the picture shows a case the
//!   derivation is about.
//! - Imports `sema`, `numeric` (sampling only), `print`, `syntax` and
//!   `diag`; never `symbolic`, `engine` or `term`.

pub mod scene;
pub mod svg;
pub mod tex;

use std::path::Path;

use serde::Serialize;

use crate::diag::Source;
use crate::numeric;
use crate::sema::{self, hir};

pub use hir::NormP;

/// Admissible samples compared before one is drawn.
pub const CANDIDATES: usize = 16;

/// One item of a drawing, in the coordinates of ℝ² or ℝ³.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// An arrow from `from` to `to`.
    Arrow {
        /// The tail.
        from: Vec<f64>,
        /// The head.
        to: Vec<f64>,
    },
    /// A dot.
    Point {
        /// Where.
        at: Vec<f64>,
    },
    /// Two points joined by a dashed arrow.
    Step {
        /// The start.
        from: Vec<f64>,
        /// The end.
        to: Vec<f64>,
        /// The start's label.
        from_label: String,
    },
    /// `{x : ‖x − center‖_norm ≤ radius}` (or its boundary).
    Set {
        /// Which norm.
        norm: NormP,
        /// The centre.
        center: Vec<f64>,
        /// The radius (≥ 0).
        radius: f64,
        /// The region (`≤`) or only the boundary (`=`).
        filled: bool,
    },
}

/// A drawn item and its label (as written in the file, Unicode syntax).
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// What is drawn.
    pub shape: Shape,
    /// Its label.
    pub label: String,
}

/// A figure's sampled instance, ready to lay out.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// The figure's id (`b/figure#1`).
    pub id: String,
    /// Its part, if any.
    pub part: Option<String>,
    /// Its number within the part.
    pub index: usize,
    /// Its title (the one written, else `figure` and the part).
    pub title: String,
    /// 2 or 3.
    pub dim: usize,
    /// The run's seed.
    pub seed: u64,
    /// The sampled values of every variable involved, in declaration order:
    /// spelling and entries (one for a scalar, `dim` for a vector).
    pub vars: Vec<(String, Vec<f64>)>,
    /// The items, in the order written.
    pub items: Vec<Item>,
}

impl Drawing {
    /// The sampled value of the variable spelled `name`.
    pub fn var(&self, name: &str) -> Option<&[f64]> {
        self.vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// A figure of a file: where it is, its drawing (or why there is none) and
/// where it was written.
#[derive(Clone, Debug, Serialize)]
pub struct FigureOut {
    /// The part, if any.
    pub part: Option<String>,
    /// Its number within the part.
    pub index: usize,
    /// Its title.
    pub title: String,
    /// 1-based line of the `figure` statement.
    pub line: usize,
    /// The SVG file name derive gives it ([`file_name`]).
    pub file_name: String,
    /// Where the SVG was written, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why it could not be drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The drawing, when there is one.
    #[serde(skip)]
    pub drawing: Option<Drawing>,
}

/// Checks `src` and draws every figure in it (none when the file has
/// parse or kind errors: the report shows those).
pub fn figures(src: &Source, seed: u64) -> Vec<FigureOut> {
    let Ok(program) = sema::check_file(src) else {
        return Vec::new();
    };
    program
        .figures
        .iter()
        .map(|f| {
            let drawing = draw(f, seed);
            let title = title_of(f);
            FigureOut {
                part: f.part.clone(),
                index: f.index,
                line: src.line_col(f.span.start).0,
                file_name: file_name(&src.name, f.part.as_deref(), f.index),
                path: None,
                error: drawing.as_ref().err().cloned(),
                drawing: drawing.ok(),
                title,
            }
        })
        .collect()
}

/// Writes figures as SVG files into one directory, keeping their names
/// unique across the files of a run (a clash gets `-2`, `-3`, … before
/// `.svg`, in the order written).
#[derive(Debug)]
pub struct Writer {
    dir: std::path::PathBuf,
    used: std::collections::BTreeSet<String>,
}

impl Writer {
    /// A writer into `dir`, which is created if needed.
    pub fn new(dir: &Path) -> std::io::Result<Writer> {
        std::fs::create_dir_all(dir)?;
        Ok(Writer {
            dir: dir.to_path_buf(),
            used: Default::default(),
        })
    }

    /// Writes every drawn figure and records its path (and final file
    /// name) in it; a figure that cannot be rendered gets an `error`.
    pub fn write(&mut self, figs: &mut [FigureOut]) -> std::io::Result<()> {
        for f in figs.iter_mut() {
            let Some(d) = &f.drawing else {
                continue;
            };
            let svg = match svg::svg(d) {
                Ok(s) => s,
                Err(e) => {
                    f.error = Some(e);
                    continue;
                }
            };
            let stem = f.file_name.trim_end_matches(".svg").to_string();
            let mut name = f.file_name.clone();
            let mut k = 2;
            while self.used.contains(&name) {
                name = format!("{stem}-{k}.svg");
                k += 1;
            }
            self.used.insert(name.clone());
            let path = self.dir.join(&name);
            std::fs::write(&path, svg)?;
            f.file_name = name;
            f.path = Some(path.display().to_string());
        }
        Ok(())
    }
}

fn title_of(f: &hir::Figure) -> String {
    match (&f.title, &f.part) {
        (Some(t), _) if !t.trim().is_empty() => t.clone(),
        (_, Some(p)) => format!("part {p}"),
        _ => "figure".into(),
    }
}

/// The SVG file name of a figure: the file's stem, the part, and the
/// figure's number when it is not the part's first (`assignment1-b.svg`,
/// `assignment1-b-2.svg`, `notes-figure.svg` outside parts). Only ASCII
/// letters, digits, `-` and `_` appear (Greek part names are spelled out).
pub fn file_name(file: &str, part: Option<&str>, index: usize) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map_or_else(|| "figure".into(), |s| s.to_string_lossy().into_owned());
    let mut name = clean(&stem);
    name.push('-');
    name.push_str(&part.map_or_else(|| "figure".into(), clean));
    if index > 1 {
        name.push_str(&format!("-{index}"));
    }
    name.push_str(".svg");
    name
}

fn clean(s: &str) -> String {
    crate::syntax::names::key(s)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The expressions an item needs evaluated, in a fixed order.
fn needs(shape: &hir::Shape) -> Vec<&hir::Ex> {
    match shape {
        hir::Shape::Arrow { vector, at } => {
            let mut v = vec![vector];
            v.extend(at);
            v
        }
        hir::Shape::Point(p) => vec![p],
        hir::Shape::Step { from, to, .. } => vec![from, to],
        hir::Shape::Set { center, radius, .. } => {
            let mut v = vec![radius];
            v.extend(center);
            v
        }
    }
}

/// Samples a figure's instance (see the module docs).
pub fn draw(fig: &hir::Figure, seed: u64) -> Result<Drawing, String> {
    let exprs: Vec<&hir::Ex> = fig.items.iter().flat_map(|i| needs(&i.shape)).collect();
    let found = numeric::instances(&fig.scope, &fig.id, seed, fig.dim, &exprs, CANDIDATES)?;
    let drawings: Vec<Drawing> = found.iter().map(|inst| build(fig, seed, inst)).collect();
    let mut best: Option<(f64, Drawing)> = None;
    for d in drawings {
        let s = spread(&d);
        if best.as_ref().is_none_or(|(b, _)| s < *b) {
            best = Some((s, d));
        }
    }
    best.map(|(_, d)| d)
        .ok_or_else(|| "no instance could be drawn".to_string())
}

fn build(fig: &hir::Figure, seed: u64, inst: &numeric::Instance) -> Drawing {
    let zero = vec![0.0; fig.dim];
    let mut vals = inst.values.iter().cloned();
    let mut next = || vals.next().unwrap_or_else(|| zero.clone());
    let items = fig
        .items
        .iter()
        .map(|item| {
            let shape = match &item.shape {
                hir::Shape::Arrow { vector, at } => {
                    let v = next();
                    let _ = vector;
                    let from = if at.is_some() { next() } else { zero.clone() };
                    let to = from.iter().zip(&v).map(|(a, b)| a + b).collect();
                    Shape::Arrow { from, to }
                }
                hir::Shape::Point(_) => Shape::Point { at: next() },
                hir::Shape::Step { from_label, .. } => {
                    let from = next();
                    let to = next();
                    Shape::Step {
                        from,
                        to,
                        from_label: from_label.clone(),
                    }
                }
                hir::Shape::Set {
                    norm,
                    center,
                    filled,
                    ..
                } => {
                    let radius = next().first().copied().unwrap_or(0.0).max(0.0);
                    let center = if center.is_some() {
                        next()
                    } else {
                        zero.clone()
                    };
                    Shape::Set {
                        norm: *norm,
                        center,
                        radius,
                        filled: *filled,
                    }
                }
            };
            Item {
                shape,
                label: item.label.clone(),
            }
        })
        .collect();
    Drawing {
        id: fig.id.clone(),
        part: fig.part.clone(),
        index: fig.index,
        title: title_of(fig),
        dim: fig.dim,
        seed,
        vars: inst
            .vars
            .iter()
            .map(|(n, _, v)| (n.clone(), v.clone()))
            .collect(),
        items,
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// How unlike the drawn lengths are: `ln(longest / shortest)` over arrows,
/// steps, radii and points away from the origin; degenerate (near-zero)
/// lengths count as a large spread. Smaller is better.
pub fn spread(d: &Drawing) -> f64 {
    let mut lens = Vec::new();
    for it in &d.items {
        match &it.shape {
            Shape::Arrow { from, to } | Shape::Step { from, to, .. } => {
                let v: Vec<f64> = to.iter().zip(from).map(|(a, b)| a - b).collect();
                lens.push(norm(&v));
            }
            Shape::Point { at } => {
                let n = norm(at);
                if n > 0.0 {
                    lens.push(n);
                }
            }
            Shape::Set { radius, .. } => lens.push(*radius),
        }
    }
    let max = lens.iter().copied().fold(0.0_f64, f64::max);
    if max == 0.0 {
        return 0.0;
    }
    let min = lens.iter().copied().fold(f64::INFINITY, f64::min);
    if min < 1e-6 * max {
        return 100.0;
    }
    (max / min).ln()
}
