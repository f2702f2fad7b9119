//! The SVG backend: a [`Scene`] written with plotters' SVG backend.
//!
//! Invariants: the output is one well-formed SVG document of
//! [`WIDTH`]×[`HEIGHT`] pixels whose bytes depend only on the scene; text
//! is written as `<text>` elements (the viewer picks the font, nothing is
//! rasterised, no font files are read); math labels are printed in the
//! file's Unicode syntax by [`crate::print`].

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::scene::{layout, HAlign, Prim, Rgb, Scene, VAlign, HEIGHT, INK, P, WIDTH};
use super::Drawing;
use crate::print::{self, Style};

/// Lays out and renders a drawing.
pub fn svg(d: &Drawing) -> Result<String, String> {
    render(&layout(d))
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn px(p: P) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

fn stroke(c: Rgb, width: f64) -> ShapeStyle {
    ShapeStyle {
        color: rgb(c).to_rgba(),
        filled: false,
        stroke_width: width.round().max(1.0) as u32,
    }
}

/// The polyline cut into dashes of 7 px with gaps of 5 px.
fn dashes(pts: &[P]) -> Vec<Vec<P>> {
    let (on, off) = (7.0, 5.0);
    let mut out = Vec::new();
    let mut cur: Vec<P> = Vec::new();
    let mut pos = 0.0_f64; // position within the on/off period
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut t = 0.0;
        while t < len {
            let drawing = pos < on;
            let left = if drawing { on - pos } else { on + off - pos };
            let step = left.min(len - t);
            let p0 = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            let t1 = t + step;
            let p1 = (a.0 + (b.0 - a.0) * t1 / len, a.1 + (b.1 - a.1) * t1 / len);
            if drawing {
                if cur.is_empty() {
                    cur.push(p0);
                }
                cur.push(p1);
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            pos = (pos + step) % (on + off);
            if pos >= on && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            t = t1;
        }
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out
}

fn text_style(size: f64, math: bool, color: Rgb, h: HAlign, v: VAlign) -> TextStyle<'static> {
    let font = if math {
        ("serif", size * 1.24, FontStyle::Italic).into_font()
    } else {
        ("sans-serif", size * 1.24).into_font()
    };
    let h = match h {
        HAlign::Left => HPos::Left,
        HAlign::Center => HPos::Center,
        HAlign::Right => HPos::Right,
    };
    let v = match v {
        VAlign::Top => VPos::Top,
        VAlign::Middle => VPos::Center,
        VAlign::Bottom => VPos::Bottom,
    };
    TextStyle {
        font,
        color: rgb(color).to_backend_color(),
        pos: Pos::new(h, v),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The text of a label as SVG markup: `∇_w R` with `w` set as a subscript
/// (smaller, lowered by `tspan`s with pixel offsets, which every viewer
/// supports).
fn label_markup(text: &str, size: f64) -> String {
    let shift = bp(0.3 * size);
    let mut out = String::new();
    let mut plain = String::new();
    let mut lowered = false;
    let mut chars = text.chars().peekable();
    let flush = |out: &mut String, plain: &mut String, lowered: &mut bool| {
        if plain.is_empty() {
            return;
        }
        if *lowered {
            out.push_str(&format!("<tspan dy=\"-{shift}\">{}</tspan>", escape(plain)));
            *lowered = false;
        } else {
            out.push_str(&escape(plain));
        }
        plain.clear();
    };
    while let Some(c) = chars.next() {
        let starts_sub = c == '_'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || !n.is_ascii());
        if !starts_sub {
            plain.push(c);
            continue;
        }
        flush(&mut out, &mut plain, &mut lowered);
        let mut sub = String::new();
        while let Some(n) = chars.peek() {
            let greek_first = sub.is_empty() && !n.is_ascii() && n.is_alphabetic();
            if n.is_ascii_alphanumeric() || greek_first {
                sub.push(*n);
                chars.next();
                if greek_first {
                    break;
                }
            } else {
                break;
            }
        }
        let dy = if lowered {
            "0".to_string()
        } else {
            shift.clone()
        };
        out.push_str(&format!(
            "<tspan dy=\"{dy}\" font-size=\"{}\">{}</tspan>",
            bp(0.72 * size),
            escape(&sub)
        ));
        lowered = true;
    }
    flush(&mut out, &mut plain, &mut lowered);
    out
}

fn bp(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Writes a scene as SVG.
pub fn render(scene: &Scene) -> Result<String, String> {
    let svg = draw(scene)?;
    // Math labels were drawn as placeholders: put their markup in.
    let mut out = svg.replace(TITLE, &label_markup(&scene.title, 18.0));
    for (k, (text, size)) in math_labels(scene).iter().enumerate() {
        out = out.replace(&placeholder(k), &label_markup(text, *size));
    }
    Ok(out)
}

/// The title's placeholder (its subscripts are set like a label's).
const TITLE: &str = "\u{E000}title\u{E001}";

/// `\u{E000}k\u{E001}`: private-use characters plotters passes through.
fn placeholder(k: usize) -> String {
    format!("\u{E000}{k}\u{E001}")
}

/// The math labels of a scene in drawing order, printed, with their size.
fn math_labels(scene: &Scene) -> Vec<(String, f64)> {
    scene
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Text {
                text,
                math: true,
                size,
                ..
            } => Some((print::math(text, Style::Unicode), *size)),
            _ => None,
        })
        .collect()
}

fn draw(scene: &Scene) -> Result<String, String> {
    let mut buf = String::new();
    let mut math_k = 0;
    {
        let size = (WIDTH as u32, HEIGHT as u32);
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<_>| format!("drawing the SVG failed: {e}");
        root.fill(&WHITE).map_err(err)?;
        let title = text_style(18.0, false, INK, HAlign::Center, VAlign::Middle);
        root.draw(&Text::new(TITLE, (WIDTH as i32 / 2, 22), title))
            .map_err(err)?;
        let cap = text_style(12.5, false, INK, HAlign::Center, VAlign::Middle);
        let at = (WIDTH as i32 / 2, HEIGHT as i32 - 16);
        root.draw(&Text::new(scene.caption.clone(), at, cap))
            .map_err(err)?;
        for p in &scene.prims {
            match p {
                Prim::Line {
                    pts,
                    color,
                    width,
                    dashed,
                } => {
                    let runs = if *dashed {
                        dashes(pts)
                    } else {
                        vec![pts.clone()]
                    };
                    for run in runs {
                        let run: Vec<(i32, i32)> = run.into_iter().map(px).collect();
                        root.draw(&PathElement::new(run, stroke(*color, *width)))
                            .map_err(err)?;
                    }
                }
                Prim::Fill { pts, color, alpha } => {
                    let pts: Vec<(i32, i32)> = pts.iter().copied().map(px).collect();
                    root.draw(&Polygon::new(pts, rgb(*color).mix(*alpha).filled()))
                        .map_err(err)?;
                }
                Prim::Circle {
                    c,
                    r,
                    color,
                    width,
                    fill,
                } => {
                    let r = r.round().max(1.0) as u32;
                    if let Some((f, a)) = fill {
                        root.draw(&Circle::new(px(*c), r, rgb(*f).mix(*a).filled()))
                            .map_err(err)?;
                    }
                    root.draw(&Circle::new(px(*c), r, stroke(*color, *width)))
                        .map_err(err)?;
                }
                Prim::Text {
                    at,
                    text,
                    math,
                    color,
                    size,
                    h,
                    v,
                } => {
                    let shown = if *math {
                        math_k += 1;
                        placeholder(math_k - 1)
                    } else {
                        text.clone()
                    };
                    let style = text_style(*size, *math, *color, *h, *v);
                    root.draw(&Text::new(shown, px(*at), style)).map_err(err)?;
                }
            }
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscripts_become_tspans() {
        assert_eq!(
            label_markup("∇_w R", 10.0),
            "∇<tspan dy=\"3\" font-size=\"7.2\">w</tspan><tspan dy=\"-3\"> R</tspan>"
        );
        assert_eq!(label_markup("a<b", 10.0), "a&lt;b");
        assert_eq!(
            label_markup("x_1", 10.0),
            "x<tspan dy=\"3\" font-size=\"7.2\">1</tspan>"
        );
    }

    #[test]
    fn dashes_alternate() {
        let d = dashes(&[(0.0, 0.0), (24.0, 0.0)]);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], vec![(0.0, 0.0), (7.0, 0.0)]);
        assert_eq!(d[1], vec![(12.0, 0.0), (19.0, 0.0)]);
    }
}
