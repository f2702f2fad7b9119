//! The LaTeX backend: a [`Scene`] as a `picture` environment whose shapes
//! are PDF path operators (`\pdfliteral`) and whose labels are typeset by
//! LaTeX (math printed by [`crate::print`]).
//!
//! It needs nothing beyond the LaTeX kernel and the `color` package, so a
//! sheet that embeds it compiles with a bare `texlive-latex-base`; it needs
//! pdfTeX's `\pdfliteral` (the LaTeX sheet's preamble maps it to LuaTeX's
//! equivalent).
//!
//! Invariants: the output depends only on the scene; the picture is
//! [`SCALE`] times the canvas size in big points; translucent fills are
//! mixed with white (no transparency groups needed), and numbers are
//! written with at most two decimals.

use std::fmt::Write as _;

use super::scene::{layout, HAlign, Prim, Rgb, Scene, VAlign, HEIGHT, P, WIDTH};
use super::Drawing;
use crate::print::{self, Style};

/// Big points per canvas pixel.
pub const SCALE: f64 = 0.5;

/// Lays out and renders a drawing.
pub fn tex(d: &Drawing) -> String {
    render(&layout(d))
}

fn bp(x: f64) -> String {
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Canvas pixels left out at the top (title) and the bottom (caption).
const BAND: f64 = 40.0;

fn page((x, y): P) -> (f64, f64) {
    (x * SCALE, (HEIGHT - BAND - y) * SCALE)
}

fn color(c: Rgb, alpha: f64) -> String {
    let mix = |v: u8| bp((f64::from(v) / 255.0) * alpha + (1.0 - alpha));
    format!("{} {} {}", mix(c.0), mix(c.1), mix(c.2))
}

fn path(pts: &[P]) -> String {
    let mut s = String::new();
    for (i, p) in pts.iter().enumerate() {
        let (x, y) = page(*p);
        let op = if i == 0 { "m" } else { "l" };
        let _ = write!(s, "{} {} {op} ", bp(x), bp(y));
    }
    s
}

fn circle_path(c: P, r: f64) -> String {
    let (x, y) = page(c);
    let r = r * SCALE;
    let k = 0.5523 * r;
    let mut s = format!("{} {} m ", bp(x + r), bp(y));
    let arcs = [
        ((x + r, y + k), (x + k, y + r), (x, y + r)),
        ((x - k, y + r), (x - r, y + k), (x - r, y)),
        ((x - r, y - k), (x - k, y - r), (x, y - r)),
        ((x + k, y - r), (x + r, y - k), (x + r, y)),
    ];
    for (a, b, e) in arcs {
        let _ = write!(
            s,
            "{} {} {} {} {} {} c ",
            bp(a.0),
            bp(a.1),
            bp(b.0),
            bp(b.1),
            bp(e.0),
            bp(e.1)
        );
    }
    s.push_str("h ");
    s
}

/// Writes a scene as a `picture` (without title or caption: the sheet
/// typesets those).
pub fn render(scene: &Scene) -> String {
    let mut lit = String::from("q 1 J 1 j\n");
    let mut texts = String::new();
    for p in &scene.prims {
        match p {
            Prim::Line {
                pts,
                color: c,
                width,
                dashed,
            } => {
                let dash = if *dashed { "[3.5 2.5] 0 d" } else { "[] 0 d" };
                let _ = writeln!(
                    lit,
                    "{} RG {} w {dash} {}S",
                    color(*c, 1.0),
                    bp(width * SCALE),
                    path(pts)
                );
            }
            Prim::Fill {
                pts,
                color: c,
                alpha,
            } => {
                let _ = writeln!(lit, "{} rg {}h f", color(*c, *alpha), path(pts));
            }
            Prim::Circle {
                c,
                r,
                color: col,
                width,
                fill,
            } => {
                if let Some((f, a)) = fill {
                    let _ = writeln!(lit, "{} rg {}f", color(*f, *a), circle_path(*c, *r));
                }
                let _ = writeln!(
                    lit,
                    "{} RG {} w [] 0 d {}S",
                    color(*col, 1.0),
                    bp(width * SCALE),
                    circle_path(*c, *r)
                );
            }
            Prim::Text {
                at,
                text,
                math,
                color: c,
                size,
                h,
                v,
            } => {
                let (x, y) = page(*at);
                let pos = match (h, v) {
                    (HAlign::Center, VAlign::Middle) => String::new(),
                    _ => {
                        let h = match h {
                            HAlign::Left => "l",
                            HAlign::Center => "",
                            HAlign::Right => "r",
                        };
                        let v = match v {
                            VAlign::Top => "t",
                            VAlign::Middle => "",
                            VAlign::Bottom => "b",
                        };
                        format!("[{h}{v}]")
                    }
                };
                let body = if *math {
                    format!("${}$", print::math(text, Style::Latex))
                } else {
                    print::latex_text(text)
                };
                let font = if *size >= 16.0 {
                    "\\small"
                } else if *size >= 12.0 {
                    "\\scriptsize"
                } else {
                    "\\tiny"
                };
                let rgb = format!(
                    "{},{},{}",
                    bp(f64::from(c.0) / 255.0),
                    bp(f64::from(c.1) / 255.0),
                    bp(f64::from(c.2) / 255.0)
                );
                let _ = writeln!(
                    texts,
                    "\\put({},{}){{\\makebox(0,0){pos}{{{font}\\textcolor[rgb]{{{rgb}}}{{{body}}}}}}}%",
                    bp(x),
                    bp(y)
                );
            }
        }
    }
    lit.push('Q');
    let mut out = String::new();
    let _ = writeln!(out, "\\setlength{{\\unitlength}}{{1bp}}%");
    let _ = writeln!(
        out,
        "\\begin{{picture}}({},{})%",
        bp(WIDTH * SCALE),
        bp((HEIGHT - 2.0 * BAND) * SCALE)
    );
    let _ = writeln!(out, "\\put(0,0){{\\pdfliteral{{{}}}}}%", lit.trim_end());
    out.push_str(&texts);
    let _ = writeln!(out, "\\end{{picture}}%");
    out
}
