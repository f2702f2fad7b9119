//! The expression printer every output format shares: a syntax tree
//! ([`crate::syntax::ast`]) printed in the file's Unicode syntax or as
//! LaTeX math, so a formula looks the same in the text report, in figure
//! labels, in Markdown sheets (LaTeX inside `$…$`) and in LaTeX sheets.
//!
//! Invariants:
//! - printing is a pure function of the tree (spans are ignored);
//! - the Unicode form parses back to the same tree: parentheses are
//!   inserted exactly where the grammar's precedence needs them, names are
//!   printed from their canonical key (so `theta_t` and `θₜ` both print
//!   `θₜ`, which has the same key), and juxtaposed factors never fuse into
//!   one name or into a call;
//! - the LaTeX form uses only commands of the LaTeX kernel and amsmath/
//!   amssymb (`\lVert`, `\langle`, `\operatorname`, `\nabla`, …) and no
//!   literal `|` (so it is safe inside Markdown tables);
//! - [`math`] never fails: text that does not parse is transliterated
//!   character by character ([`latex_fallback`]), never dropped.
//!
//! Imports only `syntax`, `diag` and `rat`.

use crate::diag::Source;
use crate::rat::Rat;
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, NormP, Rel, RelOp, StmtKind};

/// Which notation to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// The file's own Unicode syntax (parses back).
    Unicode,
    /// LaTeX math mode.
    Latex,
}

/// Binding strength of a printed node: a child whose level is below what
/// its parent needs gets parentheses.
const SUM: u8 = 1;
const PREFIX: u8 = 2;
const PRODUCT: u8 = 3;
const POWER: u8 = 4;
const POSTFIX: u8 = 5;
const ATOM: u8 = 6;

const GREEK: &[(&str, char, &str)] = &[
    ("alpha", 'α', "\\alpha"),
    ("beta", 'β', "\\beta"),
    ("gamma", 'γ', "\\gamma"),
    ("delta", 'δ', "\\delta"),
    ("epsilon", 'ε', "\\varepsilon"),
    ("zeta", 'ζ', "\\zeta"),
    ("eta", 'η', "\\eta"),
    ("theta", 'θ', "\\theta"),
    ("iota", 'ι', "\\iota"),
    ("kappa", 'κ', "\\kappa"),
    ("lambda", 'λ', "\\lambda"),
    ("mu", 'μ', "\\mu"),
    ("nu", 'ν', "\\nu"),
    ("xi", 'ξ', "\\xi"),
    ("omicron", 'ο', "o"),
    ("pi", 'π', "\\pi"),
    ("rho", 'ρ', "\\rho"),
    ("sigma", 'σ', "\\sigma"),
    ("tau", 'τ', "\\tau"),
    ("upsilon", 'υ', "\\upsilon"),
    ("phi", 'φ', "\\varphi"),
    ("chi", 'χ', "\\chi"),
    ("psi", 'ψ', "\\psi"),
    ("omega", 'ω', "\\omega"),
    ("Gamma", 'Γ', "\\Gamma"),
    ("Delta", 'Δ', "\\Delta"),
    ("Theta", 'Θ', "\\Theta"),
    ("Lambda", 'Λ', "\\Lambda"),
    ("Xi", 'Ξ', "\\Xi"),
    ("Pi", 'Π', "\\Pi"),
    ("Sigma", 'Σ', "\\Sigma"),
    ("Phi", 'Φ', "\\Phi"),
    ("Psi", 'Ψ', "\\Psi"),
    ("Omega", 'Ω', "\\Omega"),
    ("ell", 'ℓ', "\\ell"),
];

const SUBSCRIPTS: &[(char, char)] = &[
    ('0', '₀'),
    ('1', '₁'),
    ('2', '₂'),
    ('3', '₃'),
    ('4', '₄'),
    ('5', '₅'),
    ('6', '₆'),
    ('7', '₇'),
    ('8', '₈'),
    ('9', '₉'),
    ('a', 'ₐ'),
    ('e', 'ₑ'),
    ('o', 'ₒ'),
    ('x', 'ₓ'),
    ('h', 'ₕ'),
    ('k', 'ₖ'),
    ('l', 'ₗ'),
    ('m', 'ₘ'),
    ('n', 'ₙ'),
    ('p', 'ₚ'),
    ('s', 'ₛ'),
    ('t', 'ₜ'),
    ('i', 'ᵢ'),
    ('j', 'ⱼ'),
    ('r', 'ᵣ'),
    ('u', 'ᵤ'),
    ('v', 'ᵥ'),
];

const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

const FRACTIONS: &[((i128, i128), char)] = &[
    ((1, 2), '½'),
    ((1, 3), '⅓'),
    ((2, 3), '⅔'),
    ((1, 4), '¼'),
    ((3, 4), '¾'),
    ((1, 5), '⅕'),
    ((1, 6), '⅙'),
    ((1, 8), '⅛'),
];

/// A name from its canonical key (`theta_t` → `θₜ` or `\theta_{t}`).
pub fn name(key: &str, style: Style) -> String {
    let (base, sub) = match key.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s)),
        _ => (key, None),
    };
    let greek = GREEK.iter().find(|(w, _, _)| *w == base);
    match style {
        Style::Unicode => {
            let mut out = greek.map_or_else(|| base.to_string(), |(_, c, _)| c.to_string());
            if let Some(sub) = sub {
                let subs: Option<String> = sub
                    .chars()
                    .map(|c| SUBSCRIPTS.iter().find(|(a, _)| *a == c).map(|(_, s)| *s))
                    .collect();
                match subs {
                    Some(s) => out.push_str(&s),
                    None => {
                        out.push('_');
                        out.push_str(sub);
                    }
                }
            }
            out
        }
        Style::Latex => {
            let mut out = match greek {
                Some((_, _, tex)) => tex.to_string(),
                None if base.chars().count() == 1 => base.to_string(),
                None => format!("\\mathit{{{}}}", latex_text(base)),
            };
            if let Some(sub) = sub {
                let sub = if sub.chars().count() == 1 || sub.chars().all(|c| c.is_ascii_digit()) {
                    sub.to_string()
                } else {
                    format!("\\mathit{{{}}}", latex_text(sub))
                };
                out.push_str(&format!("_{{{sub}}}"));
            }
            out
        }
    }
}

fn ident(id: &Ident, style: Style) -> String {
    name(&id.key, style)
}

/// A comparison operator.
pub fn rel_op(op: RelOp, style: Style) -> &'static str {
    match style {
        Style::Unicode => op.symbol(),
        Style::Latex => match op {
            RelOp::Eq => "=",
            RelOp::Ne => "\\neq",
            RelOp::Lt => "<",
            RelOp::Le => "\\leq",
            RelOp::Gt => ">",
            RelOp::Ge => "\\geq",
        },
    }
}

/// A relation `lhs op rhs`.
pub fn rel(r: &Rel, style: Style) -> String {
    format!(
        "{} {} {}",
        expr(&r.lhs, style),
        rel_op(r.op, style),
        expr(&r.rhs, style)
    )
}

/// An expression.
pub fn expr(e: &Expr, style: Style) -> String {
    Printer { style }.print(e).0
}

fn superscript(n: i128) -> String {
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for d in n.unsigned_abs().to_string().bytes() {
        s.push(SUPERSCRIPTS[usize::from(d - b'0')]);
    }
    s
}

struct Printer {
    style: Style,
}

impl Printer {
    fn latex(&self) -> bool {
        self.style == Style::Latex
    }

    fn paren(&self, s: &str) -> String {
        if self.latex() {
            format!("\\left({s}\\right)")
        } else {
            format!("({s})")
        }
    }

    /// The child printed, in parentheses when it binds less than `need`.
    fn at(&self, e: &Expr, need: u8) -> String {
        let (s, level) = self.print(e);
        if level < need {
            self.paren(&s)
        } else {
            s
        }
    }

    fn num(&self, r: &Rat) -> (String, u8) {
        if r.is_neg() {
            let (s, _) = self.num(&r.neg());
            let minus = if self.latex() { "-" } else { "−" };
            return (format!("{minus}{s}"), PREFIX);
        }
        if r.is_int() {
            return (r.numer().to_string(), ATOM);
        }
        if self.latex() {
            return (format!("\\frac{{{}}}{{{}}}", r.numer(), r.denom()), POWER);
        }
        let small = r.to_i64_pair().map(|(n, d)| (i128::from(n), i128::from(d)));
        match FRACTIONS.iter().find(|(nd, _)| Some(*nd) == small) {
            Some((_, c)) => (c.to_string(), ATOM),
            None => (format!("{}/{}", r.numer(), r.denom()), PRODUCT),
        }
    }

    fn args(&self, args: &[Expr]) -> String {
        let inner: Vec<String> = args.iter().map(|a| self.at(a, 0)).collect();
        self.paren(&inner.join(", "))
    }

    fn norm(&self, p: NormP, inner: &str) -> String {
        match (self.style, p) {
            (Style::Unicode, NormP::Two) => format!("‖{inner}‖"),
            (Style::Unicode, NormP::One) => format!("‖{inner}‖₁"),
            (Style::Unicode, NormP::Inf) => format!("‖{inner}‖∞"),
            (Style::Latex, NormP::Two) => format!("\\left\\lVert {inner}\\right\\rVert"),
            (Style::Latex, NormP::One) => format!("\\left\\lVert {inner}\\right\\rVert_{{1}}"),
            (Style::Latex, NormP::Inf) => {
                format!("\\left\\lVert {inner}\\right\\rVert_{{\\infty}}")
            }
        }
    }

    fn abs(&self, inner: &str) -> String {
        if self.latex() {
            format!("\\left\\lvert {inner}\\right\\rvert")
        } else {
            format!("|{inner}|")
        }
    }

    fn inner(&self, a: &Expr, b: &Expr) -> String {
        let (a, b) = (self.at(a, 0), self.at(b, 0));
        if self.latex() {
            format!("\\left\\langle {a}, {b}\\right\\rangle")
        } else {
            format!("⟨{a}, {b}⟩")
        }
    }

    /// Two factors side by side, so that they parse back as a product.
    fn juxtapose(&self, l: &str, r: &str, right_is_num: bool) -> String {
        if self.latex() {
            let sep = if right_is_num { " \\cdot " } else { " " };
            return format!("{l}{sep}{r}");
        }
        if right_is_num {
            return format!("{l}·{r}");
        }
        let last = l.chars().last().unwrap_or(' ');
        let first = r.chars().next().unwrap_or(' ');
        let greekish = |c: char| GREEK.iter().any(|(_, g, _)| *g == c);
        let tight = (last.is_ascii_digit() && !first.is_ascii_digit() && first != '.')
            || last == 'ᵀ'
            || ((greekish(last) || SUBSCRIPTS.iter().any(|(_, s)| *s == last)) && greekish(first));
        if tight {
            format!("{l}{r}")
        } else {
            format!("{l} {r}")
        }
    }

    fn print(&self, e: &Expr) -> (String, u8) {
        let latex = self.latex();
        match &e.kind {
            ExprKind::Num(r) => self.num(r),
            ExprKind::Name(id) => (ident(id, self.style), ATOM),
            ExprKind::Call { func, primes, args } => {
                let one = args.len() == 1;
                match func.key.as_str() {
                    "sqrt" if one => {
                        if latex {
                            return (format!("\\sqrt{{{}}}", self.at(&args[0], 0)), ATOM);
                        }
                        let (s, level) = self.print(&args[0]);
                        let simple = level == ATOM
                            && matches!(args[0].kind, ExprKind::Name(_) | ExprKind::Num(_));
                        let s = if simple { s } else { self.paren(&s) };
                        return (format!("√{s}"), ATOM);
                    }
                    "abs" if one => return (self.abs(&self.at(&args[0], 0)), ATOM),
                    "exp" | "log" | "ln" | "sign" | "sgn" if one && *primes == 0 => {
                        let f = match (func.key.as_str(), latex) {
                            ("exp", true) => "\\exp",
                            ("log" | "ln", true) => "\\log",
                            (_, true) => "\\operatorname{sign}",
                            ("exp", false) => "exp",
                            ("log" | "ln", false) => "log",
                            _ => "sign",
                        };
                        return (format!("{f}{}", self.args(args)), ATOM);
                    }
                    "dot" if args.len() == 2 => return (self.inner(&args[0], &args[1]), ATOM),
                    "norm" if !args.is_empty() && args.len() <= 2 => {
                        let p = match args.get(1).map(|a| &a.kind) {
                            Some(ExprKind::Num(r)) if *r == Rat::int(1) => NormP::One,
                            Some(ExprKind::Name(n)) if n.key == "inf" => NormP::Inf,
                            _ => NormP::Two,
                        };
                        return (self.norm(p, &self.at(&args[0], 0)), ATOM);
                    }
                    _ => {}
                }
                let marks = if latex {
                    "'".repeat(usize::from(*primes))
                } else {
                    "′".repeat(usize::from(*primes))
                };
                (
                    format!("{}{marks}{}", ident(func, self.style), self.args(args)),
                    ATOM,
                )
            }
            ExprKind::GradFn { order, func, args } => {
                let op = match (order, latex) {
                    (1, true) => "\\nabla ",
                    (_, true) => "\\nabla^{2} ",
                    (1, false) => "∇",
                    _ => "∇²",
                };
                (
                    format!("{op}{}{}", ident(func, self.style), self.args(args)),
                    ATOM,
                )
            }
            ExprKind::Grad { order, wrt, body } => {
                let w = ident(wrt, self.style);
                let op = match (order, latex) {
                    (1, true) => format!("\\nabla_{{{w}}}"),
                    (_, true) => format!("\\nabla^{{2}}_{{{w}}}"),
                    (1, false) => format!("∇_{w}"),
                    _ => format!("∇²_{w}"),
                };
                (format!("{op} {}", self.at(body, PREFIX)), PREFIX)
            }
            ExprKind::Norm(p, inner) => (self.norm(*p, &self.at(inner, 0)), ATOM),
            ExprKind::Abs(inner) => (self.abs(&self.at(inner, 0)), ATOM),
            ExprKind::Inner(a, b) => (self.inner(a, b), ATOM),
            ExprKind::Transpose(inner) => {
                let s = self.at(inner, ATOM);
                if latex {
                    (format!("{s}^{{\\top}}"), POSTFIX)
                } else {
                    (format!("{s}ᵀ"), POSTFIX)
                }
            }
            ExprKind::Neg(inner) => {
                let s = self.at(inner, PREFIX);
                (format!("{}{s}", if latex { "-" } else { "−" }), PREFIX)
            }
            ExprKind::Bin(op, a, b) => self.bin(*op, a, b),
            ExprKind::Subst(body, binds) => {
                let s = self.at(body, POSTFIX);
                let bs: Vec<String> = binds
                    .iter()
                    .map(|(id, v)| {
                        let asg = if latex { " \\mathrel{:=} " } else { " := " };
                        format!("{}{asg}{}", ident(id, self.style), self.at(v, 0))
                    })
                    .collect();
                if latex {
                    (format!("{s}\\left[{}\\right]", bs.join(", ")), POSTFIX)
                } else {
                    (format!("{s}[{}]", bs.join(", ")), POSTFIX)
                }
            }
        }
    }

    fn bin(&self, op: BinOp, a: &Expr, b: &Expr) -> (String, u8) {
        let latex = self.latex();
        match op {
            BinOp::Add | BinOp::Sub => {
                let l = self.at(a, SUM);
                // `a − (b + c)`, `a + (−b)`; but `a + α ∇_w R` needs none.
                let (r, rl) = self.print(b);
                let r = if rl == SUM || r.starts_with(['−', '-']) {
                    self.paren(&r)
                } else {
                    r
                };
                let sym = match (op, latex) {
                    (BinOp::Add, _) => "+",
                    (_, true) => "-",
                    _ => "−",
                };
                (format!("{l} {sym} {r}"), SUM)
            }
            BinOp::Mul => {
                // `(ε/2) g`, not `ε/2g`: a quotient as a left factor is
                // bracketed in Unicode (LaTeX's \frac is unambiguous).
                let l = match &a.kind {
                    ExprKind::Bin(BinOp::Div, _, _) if !latex => self.paren(&self.print(a).0),
                    ExprKind::Num(r) if !latex && !r.is_int() && self.num(r).1 < ATOM => {
                        self.paren(&self.num(r).0)
                    }
                    // `(wᵀx) w`, not `wᵀx w`.
                    ExprKind::Bin(BinOp::Mul, t, _) if matches!(t.kind, ExprKind::Transpose(_)) => {
                        self.paren(&self.print(a).0)
                    }
                    _ => self.at(a, PRODUCT),
                };
                // `α ∇_w R` is α·(∇_w R): a gradient may close a product
                // unbracketed, which leaves the product open to the right
                // (it binds like a prefix then).
                if let ExprKind::Grad { .. } = b.kind {
                    let r = self.print(b).0;
                    return (self.juxtapose(&l, &r, false), PREFIX);
                }
                let r = self.at(b, POWER);
                let right_num = matches!(b.kind, ExprKind::Num(_))
                    || (!latex && r.starts_with(|c: char| c.is_ascii_digit()));
                (self.juxtapose(&l, &r, right_num), PRODUCT)
            }
            BinOp::Div => {
                if latex {
                    let (l, r) = (self.at(a, 0), self.at(b, 0));
                    return (format!("\\frac{{{l}}}{{{r}}}"), POWER);
                }
                let l = self.at(a, PRODUCT);
                let r = self.at(b, POWER);
                (format!("{l}/{r}"), PRODUCT)
            }
            BinOp::Pow => {
                let base = self.at(a, ATOM);
                let int = match &b.kind {
                    ExprKind::Num(r) if r.is_int() => r.to_i128(),
                    ExprKind::Neg(x) => match &x.kind {
                        ExprKind::Num(r) if r.is_int() => r.to_i128().map(|v| -v),
                        _ => None,
                    },
                    _ => None,
                };
                if latex {
                    let exp = match int {
                        Some(n) => n.to_string(),
                        None => self.at(b, 0),
                    };
                    return (format!("{base}^{{{exp}}}"), POWER);
                }
                match int {
                    Some(n) => (format!("{base}{}", superscript(n)), POSTFIX),
                    None => (format!("{base}^{}", self.at(b, POSTFIX)), POWER),
                }
            }
        }
    }
}

/// Text for LaTeX text mode: the characters LaTeX treats specially are
/// escaped, and non-ASCII characters become math (`λ` → `$\lambda$`).
pub fn latex_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '#' | '$' | '%' | '&' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '<' => out.push_str("$<$"),
            '>' => out.push_str("$>$"),
            '|' => out.push_str("$\\vert$"),
            '—' => out.push_str("---"),
            '–' => out.push_str("--"),
            '’' => out.push('\''),
            '“' => out.push_str("``"),
            '”' => out.push_str("''"),
            c if c.is_ascii() => out.push(c),
            c => {
                out.push('$');
                out.push_str(&latex_fallback(&c.to_string()));
                out.push('$');
            }
        }
    }
    out
}

/// Unicode math text transliterated to LaTeX math character by character:
/// the fallback for text that does not parse. Characters with no LaTeX
/// counterpart become `?`; the result never breaks a LaTeX run.
pub fn latex_fallback(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some((_, _, tex)) = GREEK.iter().find(|(_, g, _)| *g == c) {
            out.push_str(tex);
            out.push(' ');
            continue;
        }
        if c == 'ϵ' || c == 'ϑ' || c == 'ϕ' || c == 'ς' {
            let t = match c {
                'ϵ' => "\\epsilon ",
                'ϑ' => "\\vartheta ",
                'ϕ' => "\\phi ",
                _ => "\\varsigma ",
            };
            out.push_str(t);
            continue;
        }
        let sub_of = |x: char| SUBSCRIPTS.iter().find(|(_, s)| *s == x).map(|(a, _)| *a);
        if let Some(a) = sub_of(c) {
            let mut sub = a.to_string();
            while let Some(a) = chars.peek().and_then(|x| sub_of(*x)) {
                sub.push(a);
                chars.next();
            }
            out.push_str(&format!("_{{{sub}}}"));
            continue;
        }
        if let Some(d) = SUPERSCRIPTS.iter().position(|s| *s == c) {
            let mut sup = d.to_string();
            while let Some(n) = chars
                .peek()
                .and_then(|x| SUPERSCRIPTS.iter().position(|s| s == x))
            {
                sup.push_str(&n.to_string());
                chars.next();
            }
            out.push_str(&format!("^{{{sup}}}"));
            continue;
        }
        let t: &str = match c {
            '⁻' => {
                let mut sup = String::from("-");
                while let Some(n) = chars
                    .peek()
                    .and_then(|x| SUPERSCRIPTS.iter().position(|s| s == x))
                {
                    sup.push_str(&n.to_string());
                    chars.next();
                }
                out.push_str(&format!("^{{{sup}}}"));
                continue;
            }
            '‖' => "\\Vert ",
            '|' => "\\vert ",
            '⟨' | '〈' => "\\langle ",
            '⟩' | '〉' => "\\rangle ",
            '−' => "-",
            '·' | '⋅' => "\\cdot ",
            '×' => "\\times ",
            '÷' => "/",
            '≤' => "\\leq ",
            '≥' => "\\geq ",
            '≠' => "\\neq ",
            '∈' => "\\in ",
            '∉' => "\\notin ",
            '∞' => "\\infty ",
            '∇' => "\\nabla ",
            'ᵀ' => "^{\\top}",
            '⇒' => "\\Rightarrow ",
            '⇔' | '⟺' => "\\Leftrightarrow ",
            '∀' => "\\forall ",
            '∑' => "\\sum ",
            '→' => "\\to ",
            '√' => "\\surd ",
            '′' => "'",
            '∪' => "\\cup ",
            '∩' => "\\cap ",
            'ℝ' => "\\mathbb{R}",
            '∅' => "\\emptyset ",
            '½' => "\\tfrac{1}{2}",
            '≔' => "\\mathrel{:=}",
            '{' => "\\{",
            '}' => "\\}",
            '#' => "\\#",
            '$' => "\\$",
            '%' => "\\%",
            '&' => "\\&",
            '\\' => "\\backslash ",
            '~' => "\\sim ",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            _ => "?",
        };
        out.push_str(t);
    }
    out
}

/// Parses `text` as one relation (`a = b`, `x < y`) or one expression of
/// the file's syntax, or `None`.
pub fn parse_math(text: &str) -> Option<Parsed> {
    let text = text.trim();
    if text.is_empty() || text.contains(['\n', '#', '{', '}']) {
        return None;
    }
    let one = |src: String| {
        let (file, diags) = crate::syntax::parse_file(&Source::new("", src));
        if !diags.is_empty() || file.stmts.len() != 1 {
            return None;
        }
        file.stmts.into_iter().next().map(|s| s.kind)
    };
    if let Some(StmtKind::Claim(r)) = one(format!("claim {text}")) {
        return Some(Parsed::Rel(r));
    }
    if let Some(StmtKind::Show(e)) = one(format!("show {text}")) {
        return Some(Parsed::Expr(e));
    }
    None
}

/// What [`parse_math`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// A relation.
    Rel(Rel),
    /// An expression.
    Expr(Expr),
}

/// Math written in the file's Unicode syntax (a statement's text, a
/// derived form), printed in `style`: parsed and printed when it parses
/// (so it looks like every other formula); otherwise, a relation chain or
/// a leading operator (`= λ w`) is split and each piece printed, and what
/// still does not parse is kept verbatim (Unicode) or transliterated
/// (LaTeX, [`latex_fallback`]).
pub fn math(text: &str, style: Style) -> String {
    let text = text.trim();
    match parse_math(text) {
        Some(Parsed::Rel(r)) => return rel(&r, style),
        Some(Parsed::Expr(e)) => return expr(&e, style),
        None => {}
    }
    // `= λ w`, `≤ 1`: a leading comparison.
    for (sym, op) in OPS {
        if let Some(rest) = text.strip_prefix(sym) {
            if parse_math(rest).is_some() {
                return format!("{} {}", rel_op(*op, style), math(rest, style));
            }
        }
    }
    // `(0, 1] ∪ (2, 3)`: intervals, and unions of them.
    if let Some(pieces) = split_union(text) {
        let cup = if style == Style::Latex {
            " \\cup "
        } else {
            " ∪ "
        };
        return pieces
            .iter()
            .map(|p| math(p, style))
            .collect::<Vec<_>>()
            .join(cup);
    }
    if let Some((open, lo, hi, close)) = interval(text) {
        return format!("{open}{}, {}{close}", math(lo, style), math(hi, style));
    }
    // `a = b = c`, `x ∈ (0, 1)`: split at the first top-level comparison.
    let split = split_top(text, &['⇔', '⟺', '⇒'])
        .or_else(|| split_top(text, &['=', '≠', '≤', '≥', '<', '>', '∈']));
    if let Some((l, sym, r)) = split {
        {
            let sym = match (style, OPS.iter().find(|(s, _)| *s == sym)) {
                (_, Some((_, op))) => rel_op(*op, style).to_string(),
                (Style::Latex, None) => latex_fallback(sym).trim().to_string(),
                (Style::Unicode, None) => sym.to_string(),
            };
            return format!("{} {sym} {}", math(l, style), math(r, style));
        }
    }
    match style {
        Style::Unicode => text.to_string(),
        Style::Latex => latex_fallback(text),
    }
}

const OPS: &[(&str, RelOp)] = &[
    ("=", RelOp::Eq),
    ("≠", RelOp::Ne),
    ("≤", RelOp::Le),
    ("≥", RelOp::Ge),
    ("<", RelOp::Lt),
    (">", RelOp::Gt),
];

/// Byte offsets of the characters of `text` outside brackets and bars.
fn top_level(text: &str) -> Vec<(usize, char)> {
    let mut depth = 0i32;
    let mut bars = 0usize;
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '⟨' | '〈' => depth += 1,
            ')' | ']' | '⟩' | '〉' => depth -= 1,
            '‖' | '|' => bars += 1,
            _ if depth == 0 && bars.is_multiple_of(2) => out.push((i, c)),
            _ => {}
        }
    }
    out
}

/// `A ∪ B ∪ …` split at its top-level unions (at least two pieces).
fn split_union(text: &str) -> Option<Vec<&str>> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for (i, c) in top_level(text) {
        if c == '∪' {
            pieces.push(text[from..i].trim());
            from = i + c.len_utf8();
        }
    }
    if pieces.is_empty() {
        return None;
    }
    pieces.push(text[from..].trim());
    Some(pieces)
}

/// `(lo, hi]` and the like: its brackets and ends (which must parse).
fn interval(text: &str) -> Option<(char, &str, &str, char)> {
    let open = text.chars().next().filter(|c| *c == '(' || *c == '[')?;
    let close = text.chars().last().filter(|c| *c == ')' || *c == ']')?;
    let inner = &text[1..text.len() - 1];
    let commas: Vec<usize> = top_level(inner)
        .into_iter()
        .filter(|(_, c)| *c == ',')
        .map(|(i, _)| i)
        .collect();
    let [at] = commas.as_slice() else {
        return None;
    };
    let (lo, hi) = (inner[..*at].trim(), inner[at + 1..].trim());
    let end_ok =
        |e: &str| parse_math(e).is_some() || matches!(e, "∞" | "−∞" | "-∞" | "inf" | "-inf");
    (end_ok(lo) && end_ok(hi)).then_some((open, lo, hi, close))
}

/// The first of `syms` outside brackets, surrounded by spaces.
fn split_top<'t>(text: &'t str, syms: &[char]) -> Option<(&'t str, &'t str, &'t str)> {
    let mut depth = 0i32;
    let mut bars = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '⟨' | '〈' => depth += 1,
            ')' | ']' | '⟩' | '〉' => depth -= 1,
            '‖' | '|' => bars += 1,
            _ => {}
        }
        if depth != 0 || bars % 2 == 1 {
            continue;
        }
        if !syms.contains(&c) {
            continue;
        }
        let sym = &text[i..i + c.len_utf8()];
        let (l, r) = (&text[..i], &text[i + c.len_utf8()..]);
        if l.ends_with(' ') && r.starts_with(' ') {
            return Some((l.trim(), sym, r.trim()));
        }
    }
    None
}

/// A piece of a line of prose with math in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Words.
    Text(String),
    /// Math in the file's Unicode syntax (print it with [`math`]).
    Math(String),
}

/// Splits a derived line such as `solution: θ = (θₜ − (ε/2) g)/(1 + λε)`
/// or `assuming 1 + λε ≠ 0` into words and math: a whitespace-separated
/// token is a word when it is an ASCII word of two or more letters (an
/// apostrophe, a leading `(`, a trailing `)`, `:`, `,`, `;`, `?` allowed);
/// consecutive other tokens form one piece of math, and punctuation that
/// closes a piece of math (outside its brackets) is set as words.
pub fn segments(line: &str) -> Vec<Segment> {
    let is_word = |t: &str| {
        let core = t
            .trim_start_matches('(')
            .trim_end_matches([':', ',', ';', '.', ')', '?', '!']);
        let letters = core.chars().filter(|c| c.is_ascii_alphabetic()).count();
        letters >= 2
            && core
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
    };
    let mut out: Vec<Segment> = Vec::new();
    let push = |out: &mut Vec<Segment>, word: bool, tok: &str| match (out.last_mut(), word) {
        (Some(Segment::Text(s)), true) | (Some(Segment::Math(s)), false) => {
            if !(word && tok.starts_with([',', ';', ':', '.'])) {
                s.push(' ');
            }
            s.push_str(tok);
        }
        (_, true) => out.push(Segment::Text(tok.to_string())),
        (_, false) => out.push(Segment::Math(tok.to_string())),
    };
    // Bracket depth within the current piece of math.
    let mut depth = 0i32;
    for tok in line.split_whitespace() {
        if is_word(tok) && depth <= 0 {
            push(&mut out, true, tok);
            depth = 0;
            continue;
        }
        for c in tok.chars() {
            match c {
                '(' | '[' | '⟨' | '〈' => depth += 1,
                ')' | ']' | '⟩' | '〉' => depth -= 1,
                _ => {}
            }
        }
        // Punctuation that closes a piece of math stays outside it (but a
        // comma inside `⟨a, b⟩` or `(0, 1)` is part of it).
        match tok.strip_suffix([':', ',', ';']) {
            Some(body) if !body.is_empty() && depth <= 0 => {
                push(&mut out, false, body);
                push(&mut out, true, &tok[body.len()..]);
            }
            _ => push(&mut out, false, tok),
        }
    }
    // `over a box`, `left − right`: a lone article or dash between words
    // is a word.
    // `A quadratic …`: a capital article opening the line is a word too.
    for i in 0..out.len().saturating_sub(1) {
        let lone = matches!(&out[i], Segment::Math(m) if m == "a" || m == "−")
            || (i == 0 && matches!(&out[i], Segment::Math(m) if m == "A"));
        let before = i == 0 || matches!(&out[i - 1], Segment::Text(_));
        let around = before && matches!(&out[i + 1], Segment::Text(_));
        if lone && around {
            if let Segment::Math(m) = &out[i] {
                out[i] = Segment::Text(m.clone());
            }
        }
    }
    let mut merged: Vec<Segment> = Vec::new();
    for seg in out {
        match (merged.last_mut(), seg) {
            (Some(Segment::Text(a)), Segment::Text(b)) => {
                if !b.starts_with([',', ';', ':', '.']) {
                    a.push(' ');
                }
                a.push_str(&b);
            }
            (_, seg) => merged.push(seg),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(src: &str) {
        let Some(p) = parse_math(src) else {
            panic!("{src} does not parse")
        };
        let printed = match &p {
            Parsed::Rel(r) => rel(r, Style::Unicode),
            Parsed::Expr(e) => expr(e, Style::Unicode),
        };
        let again = parse_math(&printed).unwrap_or_else(|| panic!("{printed} does not parse"));
        let reprinted = match &again {
            Parsed::Rel(r) => rel(r, Style::Unicode),
            Parsed::Expr(e) => expr(e, Style::Unicode),
        };
        assert_eq!(printed, reprinted, "{src}");
        // Same tree, spans aside: compare the LaTeX forms too.
        let tex = |p: &Parsed| match p {
            Parsed::Rel(r) => rel(r, Style::Latex),
            Parsed::Expr(e) => expr(e, Style::Latex),
        };
        assert_eq!(tex(&p), tex(&again), "{src}");
    }

    #[test]
    fn unicode_form_parses_back() {
        for src in [
            "∇_w R = λ w",
            "w − α ∇_w R = (1 − αλ) w",
            "y[w := c w] = y",
            "g = L'(y) (x/‖w‖ − (wᵀx) w/‖w‖³)",
            "⟨g, ∇_w R⟩ = 0",
            "(1 − αλ)² ‖w‖² − 2α(1 − αλ) ⟨w, g⟩ + α² ‖g‖²",
            "θ = θₜ − ε/(1 + λε) (g/2 + λθₜ)",
            "∇²_θ F = (2λ + 2/ε) I",
            "|θ − θₜ| ≤ ε",
            "‖δ‖∞ ≤ ε",
            "δ = ε sign(∇J(x))",
            "a − (b − c) − −d",
            "x^(1/2) + 2^3^x",
            "theta_t + w_1 + x_q",
            "(∇_w R) x + ∇_w (R x)",
            "½‖w‖² + 0.25",
            "exp(log(x)) + sqrt(x + 1) + norm(v, 1) + dot(a, b)",
        ] {
            round_trip(src);
        }
    }

    #[test]
    fn names_print_from_keys() {
        assert_eq!(name("theta_t", Style::Unicode), "θₜ");
        assert_eq!(name("theta_t", Style::Latex), "\\theta_{t}");
        assert_eq!(name("w_1", Style::Unicode), "w₁");
        assert_eq!(name("x_q", Style::Unicode), "x_q");
        assert_eq!(name("lr", Style::Latex), "\\mathit{lr}");
    }

    #[test]
    fn latex_forms() {
        assert_eq!(
            math("λ/2 ‖w‖²", Style::Latex),
            "\\frac{\\lambda}{2} \\left\\lVert w\\right\\rVert^{2}"
        );
        assert_eq!(
            math("θ = θₜ − ε sign(g)", Style::Latex),
            "\\theta = \\theta_{t} - \\varepsilon \\operatorname{sign}\\left(g\\right)"
        );
        assert!(!math("|x| + ‖v‖", Style::Latex).contains('|'));
    }

    #[test]
    fn fallbacks_never_fail() {
        assert_eq!(
            math("α ∈ (0, 2λ/(λ² + a²))", Style::Latex),
            "\\alpha \\in (0, \\frac{2 \\lambda}{\\lambda^{2} + a^{2}})"
        );
        assert_eq!(
            math("α ∈ (0, 1] ∪ (2, ∞)", Style::Unicode),
            "α ∈ (0, 1] ∪ (2, ∞)"
        );
        assert_eq!(latex_fallback("θₜ²"), "\\theta _{t}^{2}");
        assert_eq!(math("= λ w", Style::Unicode), "= λ w");
    }

    #[test]
    fn derived_lines_split_into_words_and_math() {
        assert_eq!(
            segments("solution: θ = (θₜ − (ε/2) g)/(1 + λε)"),
            vec![
                Segment::Text("solution:".into()),
                Segment::Math("θ = (θₜ − (ε/2) g)/(1 + λε)".into())
            ]
        );
        assert_eq!(
            segments("assuming 1 + λε ≠ 0"),
            vec![
                Segment::Text("assuming".into()),
                Segment::Math("1 + λε ≠ 0".into())
            ]
        );
        assert_eq!(
            segments("left − right = 0"),
            vec![
                Segment::Text("left − right".into()),
                Segment::Math("= 0".into())
            ]
        );
        assert_eq!(
            segments("objective: f(θ) = ⟨g, θ⟩, linear in θ"),
            vec![
                Segment::Text("objective:".into()),
                Segment::Math("f(θ) = ⟨g, θ⟩".into()),
                Segment::Text(", linear in".into()),
                Segment::Math("θ".into())
            ]
        );
        assert_eq!(
            segments("left side = ε sign(g)"),
            vec![
                Segment::Text("left side".into()),
                Segment::Math("= ε sign(g)".into())
            ]
        );
    }
}
