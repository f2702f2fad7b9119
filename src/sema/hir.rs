//! The checked program: what both judges read, and the only thing they share.
//!
//! Invariants (established by `sema::resolve`):
//! - every name is resolved: [`Node::Var`] names a declared scalar, vector
//!   or matrix of the step's [`Scope`]; [`Node::Apply`] and [`Node::GradFn`]
//!   name a declared function; definitions are already expanded (a `def`
//!   with parameters becomes a [`Node::Subst`] of its body);
//! - every [`Ex`] carries its [`Kind`], and the kinds of its children are the
//!   ones its node accepts (see [`Node`]); judges may rely on this and never
//!   re-check kinds;
//! - spans point into the step's own source file.

use std::sync::Arc;

use crate::diag::Span;
use crate::rat::Rat;
pub use crate::syntax::ast::{BinOp, Domain, NormP, RelOp, Sense};

/// The kind of an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A real number.
    Scalar,
    /// A column vector in ℝⁿ.
    Vector,
    /// A row vector (a transposed vector), only ever multiplied on the right.
    Covector,
    /// An n×n matrix.
    Matrix,
}

impl Kind {
    /// The kind in words, for messages.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Scalar => "a scalar",
            Kind::Vector => "a vector",
            Kind::Covector => "a transposed vector",
            Kind::Matrix => "a matrix",
        }
    }
}

/// Functions every file knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// √x (scalar).
    Sqrt,
    /// eˣ (scalar).
    Exp,
    /// natural logarithm (scalar).
    Log,
    /// sign, elementwise on vectors; sign(0) = 0.
    Sign,
    /// |x|, elementwise on vectors.
    Abs,
}

impl Builtin {
    /// The name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sqrt => "sqrt",
            Builtin::Exp => "exp",
            Builtin::Log => "log",
            Builtin::Sign => "sign",
            Builtin::Abs => "abs",
        }
    }
}

/// A checked expression node. Children's kinds, by node:
/// - `Bin(Add|Sub)`: both sides of the node's kind;
/// - `Bin(Mul)`: scalar·X, X·scalar, covector·vector (→ scalar),
///   vector·covector (→ matrix), matrix·vector, covector·matrix,
///   matrix·matrix;
/// - `Bin(Div)`: X / scalar; `Bin(Pow)`: scalar ^ scalar;
/// - `Norm`, `Inner`: vectors, giving a scalar; `Transpose`: vector →
///   covector, matrix → matrix;
/// - `Builtin(Sqrt|Exp|Log)`: scalar; `Builtin(Sign|Abs)`: scalar or vector;
/// - `Grad{order:1}`: scalar body, result of the variable's kind;
///   `Grad{order:2}`: scalar body, vector variable → matrix, scalar
///   variable → scalar;
/// - `Apply`: arguments of the declared parameter kinds; `derivs > 0` only
///   for functions scalar → scalar;
/// - `GradFn`: a function of one vector to a scalar: order 1 gives a vector,
///   order 2 a matrix.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// An exact constant.
    Num(Rat),
    /// A declared variable, by key.
    Var(String),
    /// The identity matrix `I`.
    Identity,
    /// The zero of the node's kind (the `0` in `∇_θ F = 0` when the other
    /// side is a vector or a matrix).
    Zero,
    /// `f(args)`, or its `derivs`-th derivative `f'(x)`, `f''(x)`.
    Apply {
        /// The declared function's key.
        func: String,
        /// Number of primes.
        derivs: u8,
        /// Arguments.
        args: Vec<Ex>,
    },
    /// `∇f(x)` (order 1) or `∇²f(x)` (order 2) of a declared function.
    GradFn {
        /// The declared function's key.
        func: String,
        /// 1 or 2.
        order: u8,
        /// The point.
        args: Vec<Ex>,
    },
    /// A built-in function of one argument.
    Builtin(Builtin, Box<Ex>),
    /// `∇_wrt body` (order 1) or `∇²_wrt body` (order 2).
    Grad {
        /// The variable's key.
        wrt: String,
        /// 1 or 2.
        order: u8,
        /// The differentiated scalar expression.
        body: Box<Ex>,
    },
    /// A p-norm of a vector.
    Norm(NormP, Box<Ex>),
    /// ⟨a, b⟩.
    Inner(Box<Ex>, Box<Ex>),
    /// aᵀ.
    Transpose(Box<Ex>),
    /// −a.
    Neg(Box<Ex>),
    /// a ∘ b.
    Bin(BinOp, Box<Ex>, Box<Ex>),
    /// `body[v := value, …]`, simultaneous; each value has its variable's kind.
    Subst(Box<Ex>, Vec<(String, Ex)>),
}

/// A checked expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Ex {
    /// What it is.
    pub node: Node,
    /// Its kind.
    pub kind: Kind,
    /// Where it was written (for an expanded definition: where it was used).
    pub span: Span,
}

/// A declared variable.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDecl {
    /// Canonical key.
    pub key: String,
    /// Spelling at the declaration (used in reports).
    pub text: String,
    /// Scalar, Vector or Matrix.
    pub kind: Kind,
    /// For scalars: the set it ranges over. Always [`Domain::Any`] otherwise.
    pub domain: Domain,
}

/// The name as written of a variable or function key: a part's
/// declaration that shadows a file-level name gets the fresh key
/// `name@k` (lexical scoping, see `sema::resolve`); `written_name` gives
/// `name` back.
pub fn written_name(key: &str) -> &str {
    key.split_once('@').map_or(key, |(n, _)| n)
}

/// A declared function.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl {
    /// Canonical key.
    pub key: String,
    /// Spelling at the declaration.
    pub text: String,
    /// Parameter kinds.
    pub params: Vec<Kind>,
    /// Result kind.
    pub ret: Kind,
}

/// A relation between two checked expressions of the same kind (for
/// inequalities: scalars).
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    /// Left side.
    pub lhs: Ex,
    /// Comparison.
    pub op: RelOp,
    /// Right side.
    pub rhs: Ex,
    /// Source text as written.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// What is visible at a step: declarations in order, and the assumptions in
/// force (the step's part's and the file's).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scope {
    /// Variables, outermost first; keys are unique. A part's declaration
    /// that shadows a file-level name has a fresh key (see
    /// [`written_name`]); the shadowed variable stays, since outer
    /// definitions and assumptions may mention it.
    pub vars: Vec<VarDecl>,
    /// Functions, likewise.
    pub funcs: Vec<FuncDecl>,
    /// Assumptions in force, in the order they were made.
    pub assumptions: Vec<Fact>,
}

impl Scope {
    /// The variable with this key.
    pub fn var(&self, key: &str) -> Option<&VarDecl> {
        self.vars.iter().find(|v| v.key == key)
    }
    /// The function with this key.
    pub fn func(&self, key: &str) -> Option<&FuncDecl> {
        self.funcs.iter().find(|f| f.key == key)
    }
}

/// One constraint of an optimisation step.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The relation.
    pub fact: Fact,
    /// Meant component by component.
    pub elementwise: bool,
}

/// What a step asks.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// `lhs op rhs` must hold for every admissible value (a claim, or one
    /// link of a calc chain).
    Relation(Fact),
    /// `solve rel for var`, checking `answer` if given.
    Solve {
        /// The equation or inequality.
        rel: Fact,
        /// The unknown's key.
        var: String,
        /// The claimed solutions (`x = 1 or x = 2`; empty for `no
        /// solution`): the solution set is exactly these.
        answer: Option<Vec<Fact>>,
    },
    /// `minimize/maximize objective over var subject to constraints`.
    Optimize {
        /// Direction.
        sense: Sense,
        /// The scalar objective.
        objective: Ex,
        /// The decision variable's key.
        var: String,
        /// The constraints.
        constraints: Vec<Constraint>,
        /// The claimed optimum.
        answer: Option<Fact>,
    },
    /// `show e`: derive and display a canonical form.
    Show(Ex),
}

/// How an empty solution set is written, in answers and read-back text.
pub const NO_SOLUTION: &str = "no solution";

/// One checkable step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Stable identity: depends only on the part, the statement's own text
    /// and its occurrence number among identical statements of the part.
    /// Seeds the numeric judge.
    pub id: String,
    /// The part's name, if any.
    pub part: Option<String>,
    /// Where the step is (for a calc link: the link).
    pub span: Span,
    /// The step's source text, whitespace collapsed.
    pub text: String,
    /// What is visible.
    pub scope: Arc<Scope>,
    /// What to check.
    pub goal: Goal,
}

/// A part of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
}

/// A checked file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// Parts in order.
    pub parts: Vec<Part>,
    /// Steps in source order.
    pub steps: Vec<Step>,
    /// Figures in source order (not steps: nothing in them is judged).
    pub figures: Vec<Figure>,
}

/// What one figure item draws. Every expression is a vector unless said
/// otherwise (checked by the resolver).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// An arrow from `at` (the origin when `None`) to `at + vector`.
    Arrow {
        /// The vector drawn.
        vector: Ex,
        /// Its tail.
        at: Option<Ex>,
    },
    /// A dot at a point.
    Point(Ex),
    /// Two points and a dashed arrow from the first to the second.
    Step {
        /// The start.
        from: Ex,
        /// The end.
        to: Ex,
        /// The start's label (the item's label is the end's).
        from_label: String,
    },
    /// The set `{var : ‖var − center‖_norm op radius}`: its boundary for
    /// `=`, the region for `≤` and `<`. `radius` is a scalar; neither it nor
    /// `center` mentions `var`.
    Set {
        /// The key of the vector variable the set lives in.
        var: String,
        /// Which norm (`|v − c| ≤ r elementwise` is the ∞-norm).
        norm: NormP,
        /// The centre (the origin when `None`).
        center: Option<Ex>,
        /// The radius (a scalar).
        radius: Ex,
        /// Whether the region is drawn (`≤`, `<`) or only its boundary (`=`).
        filled: bool,
    },
}

/// One item of a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureItem {
    /// What it draws.
    pub shape: Shape,
    /// Its label: the one written in quotes, else the item's expression (or
    /// relation) as written, whitespace collapsed.
    pub label: String,
    /// Where it was written.
    pub span: Span,
}

/// A `figure` statement, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Stable identity: the part and the figure's number within it
    /// (`b/figure#1`); seeds the drawn instance.
    pub id: String,
    /// The part's name, if any.
    pub part: Option<String>,
    /// 1-based number among the figures of its part (of the file, outside
    /// parts).
    pub index: usize,
    /// The title written, if any.
    pub title: Option<String>,
    /// 2, or 3 for `in ℝ³`.
    pub dim: usize,
    /// Where the statement is.
    pub span: Span,
    /// The items in the order written.
    pub items: Vec<FigureItem>,
    /// What is visible at the figure, with the figure's own `assume` items
    /// appended to the assumptions.
    pub scope: Arc<Scope>,
}
