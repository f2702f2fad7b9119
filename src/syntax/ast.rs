//! The syntax tree of a derivation file, exactly as written.
//!
//! Invariants: every node carries the byte span of its source text; names
//! are kept as written ([`Ident::text`]) and in canonical ASCII form
//! ([`Ident::key`], so `θₜ` and `theta_t` are the same name); nothing here
//! is resolved or kind-checked (that is `sema`'s job).

use crate::diag::Span;
use crate::rat::Rat;

/// A name as written, with its canonical key.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// Canonical ASCII key: `lambda`, `theta_t`, `w_1`.
    pub key: String,
    /// The spelling in the source.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// Which p-norm `‖·‖ₚ` denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NormP {
    /// ‖v‖₁.
    One,
    /// ‖v‖ or ‖v‖₂.
    Two,
    /// ‖v‖∞.
    Inf,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`.
    Add,
    /// `−`.
    Sub,
    /// `*`, `·`, or juxtaposition.
    Mul,
    /// `/`.
    Div,
    /// `^` or a superscript.
    Pow,
}

/// An expression as written.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An exact number literal (`2`, `0.5`, `½`).
    Num(Rat),
    /// A name: a variable, a definition, or `I`.
    Name(Ident),
    /// `f(a, b)` or `L'(y)`: `primes` counts the derivative marks.
    Call {
        /// The function name.
        func: Ident,
        /// Number of primes (`L''` has 2).
        primes: u8,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `∇J(x)` (order 1) or `∇²J(x)` (order 2).
    GradFn {
        /// 1 for ∇, 2 for ∇².
        order: u8,
        /// The differentiated function.
        func: Ident,
        /// Where it is evaluated.
        args: Vec<Expr>,
    },
    /// `∇_w e` (order 1) or `∇²_w e` (order 2).
    Grad {
        /// 1 for ∇, 2 for ∇².
        order: u8,
        /// The variable differentiated against.
        wrt: Ident,
        /// The differentiated expression.
        body: Box<Expr>,
    },
    /// `‖v‖`, `‖v‖₁`, `‖v‖∞`.
    Norm(NormP, Box<Expr>),
    /// `|x|`.
    Abs(Box<Expr>),
    /// `⟨a, b⟩`.
    Inner(Box<Expr>, Box<Expr>),
    /// `vᵀ`.
    Transpose(Box<Expr>),
    /// `−e`.
    Neg(Box<Expr>),
    /// `a ∘ b`.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `e[w := c w, …]`: simultaneous substitution.
    Subst(Box<Expr>, Vec<(Ident, Expr)>),
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelOp {
    /// `=`.
    Eq,
    /// `≠`.
    Ne,
    /// `<`.
    Lt,
    /// `≤`.
    Le,
    /// `>`.
    Gt,
    /// `≥`.
    Ge,
}

impl RelOp {
    /// The operator as printed in reports.
    pub fn symbol(self) -> &'static str {
        match self {
            RelOp::Eq => "=",
            RelOp::Ne => "≠",
            RelOp::Lt => "<",
            RelOp::Le => "≤",
            RelOp::Gt => ">",
            RelOp::Ge => "≥",
        }
    }
}

/// `lhs op rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rel {
    /// Left side.
    pub lhs: Expr,
    /// The comparison.
    pub op: RelOp,
    /// Right side.
    pub rhs: Expr,
    /// The whole relation.
    pub span: Span,
}

/// The kind of a declared name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KindSpec {
    /// A real number.
    Scalar,
    /// A vector in ℝⁿ.
    Vector,
    /// An n×n matrix.
    Matrix,
    /// A smooth function with the given argument and result kinds.
    Function(Vec<KindSpec>, Box<KindSpec>),
}

/// The set a declared scalar ranges over.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// All reals.
    Any,
    /// `> 0`, `≥ 0`, …: the scalar compared to a constant.
    Cmp(RelOp, Rat),
    /// `in (lo, hi]` and the like.
    Interval {
        /// Lower end.
        lo: Rat,
        /// Whether `lo` belongs to the set.
        lo_closed: bool,
        /// Upper end.
        hi: Rat,
        /// Whether `hi` belongs to the set.
        hi_closed: bool,
    },
}

/// Minimise or maximise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sense {
    /// `minimize`.
    Min,
    /// `maximize`.
    Max,
}

/// One constraint of an optimisation problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The relation.
    pub rel: Rel,
    /// Whether it is meant component by component.
    pub elementwise: bool,
}

/// What one item of a figure draws.
#[derive(Clone, Debug, PartialEq)]
pub enum FigShape {
    /// `arrow v` (from the origin) or `arrow v at p` (from the point p).
    Arrow {
        /// The vector drawn.
        vector: Expr,
        /// Where its tail is, if not at the origin.
        at: Option<Expr>,
    },
    /// `point p`: a dot at p.
    Point(Expr),
    /// `step p to q`: the points p and q and a dashed arrow from p to q.
    Step {
        /// The start.
        from: Expr,
        /// The end.
        to: Expr,
    },
    /// `set ‖v − c‖ = r`, `set ‖v − c‖∞ ≤ r`, `set |v − c| ≤ r elementwise`:
    /// a sphere, ball, box or diamond in the coordinates of v.
    Set {
        /// The relation that defines the set.
        rel: Rel,
        /// Whether `elementwise` was written.
        elementwise: bool,
    },
    /// `assume r, …`: assumptions that hold in the drawn instance only.
    Assume(Vec<Rel>),
}

/// One item of a figure, with its optional label (`"∇R"`).
#[derive(Clone, Debug, PartialEq)]
pub struct FigItem {
    /// What it draws.
    pub shape: FigShape,
    /// The label written in double quotes, if any.
    pub label: Option<String>,
    /// Where it was written.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let a, b: kind domain`.
    Let {
        /// The declared names.
        names: Vec<Ident>,
        /// Their kind.
        kind: KindSpec,
        /// Their domain (scalars only).
        domain: Domain,
        /// Where the domain was written, if it was.
        domain_span: Option<Span>,
    },
    /// `def f(params) = body`.
    Def {
        /// The defined name.
        name: Ident,
        /// Its parameters (declared variables).
        params: Vec<Ident>,
        /// Its value.
        body: Expr,
    },
    /// `assume r, s, …`.
    Assume(Vec<Rel>),
    /// `claim r`.
    Claim(Rel),
    /// `calc e op₁ e₁ op₂ e₂ …`.
    Calc {
        /// The first expression.
        first: Expr,
        /// Each link: the relation to the previous expression.
        links: Vec<(RelOp, Expr)>,
    },
    /// `solve r for v [⇒ answer]`.
    Solve {
        /// The equation or inequality.
        rel: Rel,
        /// The unknown.
        var: Ident,
        /// The claimed solutions, if given: `x = 1 or x = 2`; empty for
        /// `no solution`.
        answer: Option<Vec<Rel>>,
    },
    /// `minimize f over v subject to … [⇒ answer]`.
    Optimize {
        /// Minimise or maximise.
        sense: Sense,
        /// The objective.
        objective: Expr,
        /// The decision variable.
        var: Ident,
        /// The constraints.
        constraints: Vec<Constraint>,
        /// The claimed optimum, if given.
        answer: Option<Rel>,
    },
    /// `show e`.
    Show(Expr),
    /// `figure "title" in ℝ³ { item; … }`: a drawing of one sampled
    /// instance (see [`FigItem`]).
    Figure {
        /// Its title, if written.
        title: Option<String>,
        /// 2 for a plane drawing (the default), 3 for `in ℝ³`.
        dim: u8,
        /// The items, in the order written (later items are drawn on top).
        items: Vec<FigItem>,
    },
    /// `part a "title" { … }`.
    Part {
        /// Its name.
        name: Ident,
        /// Its title.
        title: Option<String>,
        /// Its statements.
        body: Vec<Stmt>,
    },
}

/// A statement with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Where it was written.
    pub span: Span,
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Its top-level statements.
    pub stmts: Vec<Stmt>,
}
