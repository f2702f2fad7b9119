//! Layout: a [`Drawing`] projected onto the page and turned into
//! primitives ([`Prim`]) that a backend only has to stroke, fill and write.
//!
//! Page coordinates are pixels of a [`WIDTH`]×[`HEIGHT`] canvas, y pointing
//! down. The plot area is a square, so circles stay circles and right
//! angles stay right (in 2-D; 3-D uses a fixed orthographic view from
//! azimuth 35°, elevation 25°, in which the silhouette of a sphere is still
//! a circle).
//!
//! Invariants: [`layout`] is a pure function of the drawing; every point of
//! every shape lies inside the plot area; sets are drawn first, then the
//! other items in the order written, then the labels; each item keeps one
//! colour from [`PALETTE`] for its shape and its label.

use super::{Drawing, NormP, Shape};

/// Canvas width in pixels.
pub const WIDTH: f64 = 560.0;
/// Canvas height in pixels.
pub const HEIGHT: f64 = 600.0;
/// The plot area: left, top, side.
pub const PLOT: (f64, f64, f64) = (30.0, 46.0, 500.0);

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// The colours of items, in order (Okabe–Ito, readable by colour-blind
/// readers and in grey print).
pub const PALETTE: [Rgb; 6] = [
    (0, 114, 178),
    (213, 94, 0),
    (0, 158, 115),
    (204, 121, 167),
    (230, 159, 0),
    (86, 180, 233),
];
/// Grid lines.
pub const GRID: Rgb = (225, 225, 225);
/// Axes and set boundaries.
pub const AXIS: Rgb = (120, 120, 120);
/// Text that is not a label.
pub const INK: Rgb = (40, 40, 40);

/// A point on the page.
pub type P = (f64, f64);

/// Horizontal anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HAlign {
    /// The text starts at the point.
    Left,
    /// The text is centred on the point.
    Center,
    /// The text ends at the point.
    Right,
}

/// Vertical anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    /// The text hangs below the point.
    Top,
    /// The text is centred on the point.
    Middle,
    /// The text sits on the point.
    Bottom,
}

/// What a backend draws.
#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    /// A polyline.
    Line {
        /// Its points.
        pts: Vec<P>,
        /// Stroke colour.
        color: Rgb,
        /// Stroke width in pixels.
        width: f64,
        /// Dashed.
        dashed: bool,
    },
    /// A filled polygon.
    Fill {
        /// Its corners.
        pts: Vec<P>,
        /// Fill colour.
        color: Rgb,
        /// Opacity in (0, 1].
        alpha: f64,
    },
    /// A circle, stroked and maybe filled.
    Circle {
        /// Centre.
        c: P,
        /// Radius in pixels.
        r: f64,
        /// Stroke colour.
        color: Rgb,
        /// Stroke width.
        width: f64,
        /// Fill colour and opacity.
        fill: Option<(Rgb, f64)>,
    },
    /// A text.
    Text {
        /// Anchor point.
        at: P,
        /// The text: a label in the file's Unicode syntax when `math`, plain
        /// words otherwise.
        text: String,
        /// Whether it is math (backends typeset it with [`crate::print`]).
        math: bool,
        /// Colour.
        color: Rgb,
        /// Size in pixels.
        size: f64,
        /// Horizontal anchor.
        h: HAlign,
        /// Vertical anchor.
        v: VAlign,
    },
}

/// A laid-out figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The title, plain text (may contain Unicode math).
    pub title: String,
    /// What was sampled, in words (`n = 2, seed 0; λ = 0.52`).
    pub caption: String,
    /// The primitives, back to front.
    pub prims: Vec<Prim>,
}

const AZIMUTH: f64 = 35.0;
const ELEVATION: f64 = 25.0;
const LABEL_SIZE: f64 = 17.0;

/// The page-plane coordinates of a point of ℝ² or ℝ³ (before scaling).
pub fn project(p: &[f64]) -> (f64, f64) {
    let x = p.first().copied().unwrap_or(0.0);
    let y = p.get(1).copied().unwrap_or(0.0);
    if p.len() < 3 {
        return (x, y);
    }
    let z = p[2];
    let (a, e) = (AZIMUTH.to_radians(), ELEVATION.to_radians());
    let u = -a.sin() * x + a.cos() * y;
    let v = -a.cos() * e.sin() * x - a.sin() * e.sin() * y + e.cos() * z;
    (u, v)
}

/// Numbers as printed in captions and ticks: at most 3 significant digits,
/// no trailing zeros, `−` for minus.
pub fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = usize::try_from((2 - mag).max(0)).unwrap_or(0);
    let mut s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    s.replace('-', "−")
}

/// A nice grid step (1, 2 or 5 times a power of ten) for a half-width.
fn grid_step(half: f64) -> f64 {
    let raw = half / 3.0;
    let p = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw {
            return m * p;
        }
    }
    10.0 * p
}

/// Corners of the ∞-ball (a square or cube) or 1-ball (a diamond or
/// octahedron) of radius r around c, and its edges as index pairs.
fn polytope(norm: NormP, c: &[f64], r: f64) -> (Vec<Vec<f64>>, Vec<(usize, usize)>) {
    let d = c.len();
    let mut pts = Vec::new();
    match norm {
        NormP::Inf => {
            for mask in 0..(1usize << d) {
                pts.push(
                    (0..d)
                        .map(|i| c[i] + if mask >> i & 1 == 1 { r } else { -r })
                        .collect(),
                );
            }
            let mut edges = Vec::new();
            for a in 0..pts.len() {
                for i in 0..d {
                    let b = a ^ (1 << i);
                    if a < b {
                        edges.push((a, b));
                    }
                }
            }
            (pts, edges)
        }
        _ => {
            for i in 0..d {
                for s in [1.0, -1.0] {
                    let mut p = c.to_vec();
                    p[i] += s * r;
                    pts.push(p);
                }
            }
            let mut edges = Vec::new();
            for a in 0..pts.len() {
                for b in a + 1..pts.len() {
                    if a / 2 != b / 2 {
                        edges.push((a, b));
                    }
                }
            }
            (pts, edges)
        }
    }
}

/// The convex hull of points (monotone chain), counter-clockwise.
fn hull(mut pts: Vec<P>) -> Vec<P> {
    pts.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: P, a: P, b: P| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut lower: Vec<P> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<P> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Maps page-plane coordinates to pixels.
struct View {
    cu: f64,
    cv: f64,
    scale: f64,
}

impl View {
    fn px(&self, (u, v): (f64, f64)) -> P {
        let (left, top, side) = PLOT;
        (
            left + side / 2.0 + (u - self.cu) * self.scale,
            top + side / 2.0 - (v - self.cv) * self.scale,
        )
    }
    fn at(&self, p: &[f64]) -> P {
        self.px(project(p))
    }
}

/// Extreme plane points of an item, for fitting the view.
fn extent(shape: &Shape, dim: usize) -> Vec<(f64, f64)> {
    match shape {
        Shape::Arrow { from, to } | Shape::Step { from, to, .. } => {
            vec![project(from), project(to)]
        }
        Shape::Point { at } => vec![project(at)],
        Shape::Set {
            norm,
            center,
            radius,
            ..
        } => {
            if *norm == NormP::Two {
                let (u, v) = project(center);
                vec![(u - radius, v - radius), (u + radius, v + radius)]
            } else {
                let mut c = center.clone();
                c.resize(dim, 0.0);
                polytope(*norm, &c, *radius)
                    .0
                    .iter()
                    .map(|p| project(p))
                    .collect()
            }
        }
    }
}

/// Rough size of a label on the page, for keeping labels apart.
fn text_box(at: P, text: &str, size: f64, h: HAlign, v: VAlign) -> (P, P) {
    let w = 0.62 * size * text.chars().count() as f64;
    let x0 = match h {
        HAlign::Left => at.0,
        HAlign::Center => at.0 - w / 2.0,
        HAlign::Right => at.0 - w,
    };
    let y0 = match v {
        VAlign::Top => at.1,
        VAlign::Middle => at.1 - size / 2.0,
        VAlign::Bottom => at.1 - size,
    };
    ((x0, y0), (x0 + w, y0 + size))
}

fn overlaps(a: &(P, P), b: &(P, P)) -> bool {
    a.0 .0 < b.1 .0 && b.0 .0 < a.1 .0 && a.0 .1 < b.1 .1 && b.0 .1 < a.1 .1
}

/// Where a label may go: its anchor point and alignment.
type Anchor = (P, HAlign, VAlign);

/// Whether the segment a–b meets the box (Liang–Barsky clipping).
fn hits(a: P, b: P, bx: &(P, P)) -> bool {
    let (d0, d1) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    let checks = [
        (-d0, a.0 - bx.0 .0),
        (d0, bx.1 .0 - a.0),
        (-d1, a.1 - bx.0 .1),
        (d1, bx.1 .1 - a.1),
    ];
    for (p, q) in checks {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// Places labels once every shape is known: each gets the first of its
/// candidate anchors whose box stays on the canvas and meets no label
/// placed before it and no drawn line; when every candidate conflicts, the
/// one with the fewest conflicts.
struct Labels {
    /// Requests in order: text, colour, candidate anchors.
    wanted: Vec<(String, Rgb, Vec<Anchor>)>,
    /// Drawn segments labels should not cover.
    lines: Vec<(P, P)>,
}

impl Labels {
    fn place(&mut self, text: &str, color: Rgb, candidates: &[Anchor]) {
        if !text.is_empty() && !candidates.is_empty() {
            self.wanted
                .push((text.to_string(), color, candidates.to_vec()));
        }
    }

    fn avoid(&mut self, pts: &[P]) {
        for w in pts.windows(2) {
            self.lines.push((w[0], w[1]));
        }
    }

    fn finish(self) -> Vec<Prim> {
        let mut placed: Vec<(P, P)> = Vec::new();
        let mut prims = Vec::new();
        for (text, color, candidates) in self.wanted {
            let conflicts = |(at, h, v): &(P, HAlign, VAlign)| {
                let b = text_box(*at, &text, LABEL_SIZE, *h, *v);
                let off = b.0 .0 < 2.0 || b.1 .0 > WIDTH - 2.0 || b.0 .1 < 30.0;
                let labels = placed.iter().filter(|p| overlaps(p, &b)).count();
                let lines = self.lines.iter().filter(|(a, c)| hits(*a, *c, &b)).count();
                100 * usize::from(off) + 10 * labels + lines
            };
            let mut best = (usize::MAX, candidates[0]);
            for c in &candidates {
                let k = conflicts(c);
                if k < best.0 {
                    best = (k, *c);
                }
                if k == 0 {
                    break;
                }
            }
            let (at, h, v) = best.1;
            placed.push(text_box(at, &text, LABEL_SIZE, h, v));
            prims.push(Prim::Text {
                at,
                text,
                math: true,
                color,
                size: LABEL_SIZE,
                h,
                v,
            });
        }
        prims
    }
}

/// Anchors around the head of an arrow pointing along `d` (page units):
/// beyond the tip first, then to either side.
fn tip_anchors(tip: P, d: P) -> Vec<Anchor> {
    let n = (d.0 * d.0 + d.1 * d.1).sqrt().max(1e-9);
    let (dx, dy) = (d.0 / n, d.1 / n);
    let off = 9.0;
    let beyond = (tip.0 + dx * off, tip.1 + dy * off);
    let h = if dx > 0.35 {
        HAlign::Left
    } else if dx < -0.35 {
        HAlign::Right
    } else {
        HAlign::Center
    };
    let v = if dy > 0.35 {
        VAlign::Top
    } else if dy < -0.35 {
        VAlign::Bottom
    } else {
        VAlign::Middle
    };
    let side = |s: f64| {
        let p = (tip.0 - dy * s * 14.0, tip.1 + dx * s * 14.0);
        let h = if -dy * s > 0.0 {
            HAlign::Left
        } else {
            HAlign::Right
        };
        (p, h, VAlign::Middle)
    };
    vec![
        (beyond, h, v),
        side(1.0),
        side(-1.0),
        ((tip.0, tip.1 - 12.0), HAlign::Center, VAlign::Bottom),
        ((tip.0, tip.1 + 12.0), HAlign::Center, VAlign::Top),
    ]
}

fn point_anchors(p: P) -> Vec<Anchor> {
    vec![
        ((p.0 + 8.0, p.1 - 6.0), HAlign::Left, VAlign::Bottom),
        ((p.0 - 8.0, p.1 - 6.0), HAlign::Right, VAlign::Bottom),
        ((p.0 + 8.0, p.1 + 6.0), HAlign::Left, VAlign::Top),
        ((p.0 - 8.0, p.1 + 6.0), HAlign::Right, VAlign::Top),
    ]
}

/// A shaft and a filled head.
fn arrow(out: &mut Vec<Prim>, from: P, to: P, color: Rgb, dashed: bool) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1e-9 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let head = 13.0_f64.min(0.45 * len);
    let half = 0.42 * head;
    let base = (to.0 - ux * head, to.1 - uy * head);
    out.push(Prim::Line {
        pts: vec![from, (base.0 + ux * 1.0, base.1 + uy * 1.0)],
        color,
        width: 2.2,
        dashed,
    });
    out.push(Prim::Fill {
        pts: vec![
            to,
            (base.0 - uy * half, base.1 + ux * half),
            (base.0 + uy * half, base.1 - ux * half),
        ],
        color,
        alpha: 1.0,
    });
}

/// Lays a drawing out on the page (see the module docs).
pub fn layout(d: &Drawing) -> Scene {
    // Fit: the origin and every extreme point, in a square with a margin.
    let mut pts = vec![(0.0, 0.0)];
    for it in &d.items {
        pts.extend(extent(&it.shape, d.dim));
    }
    let (mut u0, mut u1, mut v0, mut v1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (u, v) in &pts {
        u0 = u0.min(*u);
        u1 = u1.max(*u);
        v0 = v0.min(*v);
        v1 = v1.max(*v);
    }
    let half = ((u1 - u0).max(v1 - v0) / 2.0).max(1e-9) * 1.18;
    let view = View {
        cu: (u0 + u1) / 2.0,
        cv: (v0 + v1) / 2.0,
        scale: PLOT.2 / (2.0 * half),
    };
    let mut prims = Vec::new();
    let (left, top, side) = PLOT;
    // Grid and axes.
    if d.dim == 2 {
        let step = grid_step(half);
        let (lo_u, hi_u) = (view.cu - half, view.cu + half);
        let (lo_v, hi_v) = (view.cv - half, view.cv + half);
        let mut k = (lo_u / step).ceil() as i64;
        while (k as f64) * step <= hi_u {
            let x = view.px((k as f64 * step, 0.0)).0;
            prims.push(Prim::Line {
                pts: vec![(x, top), (x, top + side)],
                color: GRID,
                width: 1.0,
                dashed: false,
            });
            prims.push(tick(
                (x, top + side + 4.0),
                k as f64 * step,
                HAlign::Center,
                VAlign::Top,
            ));
            k += 1;
        }
        let mut k = (lo_v / step).ceil() as i64;
        while (k as f64) * step <= hi_v {
            let y = view.px((0.0, k as f64 * step)).1;
            prims.push(Prim::Line {
                pts: vec![(left, y), (left + side, y)],
                color: GRID,
                width: 1.0,
                dashed: false,
            });
            prims.push(tick(
                (left - 4.0, y),
                k as f64 * step,
                HAlign::Right,
                VAlign::Middle,
            ));
            k += 1;
        }
        let o = view.px((0.0, 0.0));
        prims.push(Prim::Line {
            pts: vec![(left, o.1), (left + side, o.1)],
            color: AXIS,
            width: 1.0,
            dashed: false,
        });
        prims.push(Prim::Line {
            pts: vec![(o.0, top), (o.0, top + side)],
            color: AXIS,
            width: 1.0,
            dashed: false,
        });
    } else {
        let reach = half * 0.9;
        for (i, name) in ["e₁", "e₂", "e₃"].iter().enumerate() {
            let mut e = vec![0.0; 3];
            e[i] = reach;
            let o = view.at(&[0.0, 0.0, 0.0]);
            let tip = view.at(&e);
            prims.push(Prim::Line {
                pts: vec![o, tip],
                color: AXIS,
                width: 1.0,
                dashed: true,
            });
            prims.push(Prim::Text {
                at: tip,
                text: (*name).to_string(),
                math: true,
                color: AXIS,
                size: 13.0,
                h: HAlign::Left,
                v: VAlign::Bottom,
            });
        }
    }
    prims.push(Prim::Line {
        pts: vec![
            (left, top),
            (left + side, top),
            (left + side, top + side),
            (left, top + side),
            (left, top),
        ],
        color: GRID,
        width: 1.0,
        dashed: false,
    });
    let mut labels = Labels {
        wanted: Vec::new(),
        lines: Vec::new(),
    };
    // Sets first, underneath.
    for it in &d.items {
        if let Shape::Set {
            norm,
            center,
            radius,
            filled,
        } = &it.shape
        {
            set(
                &mut prims,
                &mut labels,
                &view,
                d.dim,
                *norm,
                center,
                *radius,
                *filled,
                &it.label,
            );
        }
    }
    let mut color_i = 0;
    let mut named: Vec<(String, (i64, i64))> = Vec::new();
    for it in &d.items {
        let color = PALETTE[color_i % PALETTE.len()];
        match &it.shape {
            Shape::Set { .. } => continue,
            Shape::Arrow { from, to } => {
                let (a, b) = (view.at(from), view.at(to));
                arrow(&mut prims, a, b, color, false);
                labels.place(&it.label, color, &tip_anchors(b, (b.0 - a.0, b.1 - a.1)));
            }
            Shape::Point { at } => {
                let p = view.at(at);
                prims.push(dot(p, color));
                if !named.contains(&(it.label.clone(), px_key(p))) {
                    labels.place(&it.label, color, &point_anchors(p));
                    named.push((it.label.clone(), px_key(p)));
                }
            }
            Shape::Step {
                from,
                to,
                from_label,
            } => {
                let (a, b) = (view.at(from), view.at(to));
                // The dashed arrow stops short of the dots at its ends.
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let len = (dx * dx + dy * dy).sqrt();
                if len > 16.0 {
                    let (ux, uy) = (dx / len, dy / len);
                    let (a2, b2) = (
                        (a.0 + 5.0 * ux, a.1 + 5.0 * uy),
                        (b.0 - 6.0 * ux, b.1 - 6.0 * uy),
                    );
                    arrow(&mut prims, a2, b2, color, true);
                }
                prims.push(dot(a, INK));
                prims.push(dot(b, color));
                // A point already labelled (the end of an earlier step)
                // is not labelled twice.
                if !named.contains(&(from_label.clone(), px_key(a))) {
                    labels.place(from_label, INK, &point_anchors(a));
                    named.push((from_label.clone(), px_key(a)));
                }
                labels.place(&it.label, color, &tip_anchors(b, (b.0 - a.0, b.1 - a.1)));
                named.push((it.label.clone(), px_key(b)));
            }
        }
        color_i += 1;
    }
    for p in &prims {
        match p {
            // Shapes, not the grid or the axes (drawn 1 px wide).
            Prim::Line { pts, width, .. } if *width > 1.0 => labels.avoid(pts),
            Prim::Fill { pts, .. } => labels.avoid(pts),
            Prim::Circle { c, r, .. } if *r > 6.0 => {
                let ring: Vec<P> = (0..=48)
                    .map(|k| {
                        let t = std::f64::consts::TAU * f64::from(k) / 48.0;
                        (c.0 + r * t.cos(), c.1 + r * t.sin())
                    })
                    .collect();
                labels.avoid(&ring);
            }
            _ => {}
        }
    }
    prims.extend(labels.finish());
    Scene {
        title: d.title.clone(),
        caption: caption(d),
        prims,
    }
}

/// A page point rounded to whole pixels, to recognise a point drawn twice.
fn px_key(p: P) -> (i64, i64) {
    (p.0.round() as i64, p.1.round() as i64)
}

fn tick(at: P, x: f64, h: HAlign, v: VAlign) -> Prim {
    Prim::Text {
        at,
        text: number(x),
        math: false,
        color: AXIS,
        size: 11.0,
        h,
        v,
    }
}

fn dot(p: P, color: Rgb) -> Prim {
    Prim::Circle {
        c: p,
        r: 4.0,
        color,
        width: 1.0,
        fill: Some((color, 1.0)),
    }
}

#[allow(clippy::too_many_arguments)]
fn set(
    prims: &mut Vec<Prim>,
    labels: &mut Labels,
    view: &View,
    dim: usize,
    norm: NormP,
    center: &[f64],
    radius: f64,
    filled: bool,
    label: &str,
) {
    let fill = filled.then_some(((150, 150, 150), 0.18));
    let mut c = center.to_vec();
    c.resize(dim, 0.0);
    let cp = view.at(&c);
    let r = radius * view.scale;
    // The label sits outside the set, up and to the left.
    let diag = std::f64::consts::FRAC_1_SQRT_2;
    let anchors = |reach: f64| {
        vec![
            (
                (cp.0 - reach * diag - 4.0, cp.1 - reach * diag - 4.0),
                HAlign::Right,
                VAlign::Bottom,
            ),
            (
                (cp.0 + reach * diag + 4.0, cp.1 - reach * diag - 4.0),
                HAlign::Left,
                VAlign::Bottom,
            ),
            (
                (cp.0 - reach * diag - 4.0, cp.1 + reach * diag + 4.0),
                HAlign::Right,
                VAlign::Top,
            ),
        ]
    };
    if norm == NormP::Two {
        prims.push(Prim::Circle {
            c: cp,
            r,
            color: AXIS,
            width: 1.6,
            fill,
        });
        if dim == 3 {
            // The equator, for depth.
            let ring: Vec<P> = (0..=96)
                .map(|k| {
                    let t = std::f64::consts::TAU * f64::from(k) / 96.0;
                    view.at(&[c[0] + radius * t.cos(), c[1] + radius * t.sin(), c[2]])
                })
                .collect();
            prims.push(Prim::Line {
                pts: ring,
                color: AXIS,
                width: 1.0,
                dashed: true,
            });
        }
        labels.place(label, AXIS, &anchors(r));
        return;
    }
    let (corners, edges) = polytope(norm, &c, radius);
    let page: Vec<P> = corners.iter().map(|p| view.at(p)).collect();
    let outline = hull(page.clone());
    if let Some((color, alpha)) = fill {
        prims.push(Prim::Fill {
            pts: outline.clone(),
            color,
            alpha,
        });
    }
    if dim == 2 {
        let mut ring = outline.clone();
        if let Some(first) = outline.first() {
            ring.push(*first);
        }
        prims.push(Prim::Line {
            pts: ring,
            color: AXIS,
            width: 1.6,
            dashed: false,
        });
    } else {
        for (a, b) in edges {
            prims.push(Prim::Line {
                pts: vec![page[a], page[b]],
                color: AXIS,
                width: 1.2,
                dashed: false,
            });
        }
    }
    let reach = if norm == NormP::Inf {
        r * std::f64::consts::SQRT_2
    } else {
        r
    };
    labels.place(label, AXIS, &anchors(reach));
}

/// `n = 2, seed 0; λ = 0.52, α = 1.3`: the dimension, the seed and every
/// sampled scalar.
fn caption(d: &Drawing) -> String {
    let scalars: Vec<String> = d
        .vars
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(n, v)| format!("{n} = {}", number(v[0])))
        .collect();
    let mut s = format!("one instance: n = {}, seed {}", d.dim, d.seed);
    if !scalars.is_empty() {
        s.push_str("; ");
        s.push_str(&scalars.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-1.25), "−1.25");
        assert_eq!(number(1234.4), "1234");
        assert_eq!(number(0.000123456), "0.000123");
        assert_eq!(number(2.0), "2");
    }

    #[test]
    fn hull_of_a_square_has_four_corners() {
        let h = hull(vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (0.0, 1.0),
            (1.0, 1.0),
            (0.5, 0.5),
        ]);
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn polytopes() {
        let (p, e) = polytope(NormP::Inf, &[0.0, 0.0, 0.0], 1.0);
        assert_eq!((p.len(), e.len()), (8, 12));
        let (p, e) = polytope(NormP::One, &[0.0, 0.0, 0.0], 1.0);
        assert_eq!((p.len(), e.len()), (6, 12));
    }
}
