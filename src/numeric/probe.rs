//! What the search checks at one sample: a [`Probe`].
//!
//! The search ([`super::search`]) draws a sample, makes the assumptions
//! hold, and hands the evaluation context to the step's probe, which says
//! whether the step holds there ([`Look`]). A relation is one probe
//! ([`RelationProbe`]); `solve` ([`super::solve`]) and `minimize` /
//! `maximize` ([`super::optimize`]) are others.
//!
//! Invariants: a probe is a pure function of the sample in the context (no
//! hidden randomness: anything it draws is seeded from the sample's values),
//! so the judge's outcome stays a function of the step and the
//! configuration; it reports a sample it cannot evaluate as
//! [`Trouble::Invalid`] (the search draws another) and a construct it
//! cannot handle at all as [`Trouble::Unsupported`].

use nalgebra::DMatrix;

use super::eval::Ctx;
use super::print;
use super::tolerance::compare_sides;
use super::value::{Res, Val};
use crate::sema::hir::{Fact, Kind};
use crate::verdict::Binding;

/// A value for a counterexample, printed only when one is reported.
#[derive(Clone, Debug)]
pub(crate) enum Shown {
    /// A computed value of a kind.
    Value(Kind, DMatrix<f64>),
    /// Text printed already.
    Text(String),
}

impl Shown {
    /// A computed value.
    pub fn val(v: &Val) -> Shown {
        Shown::Value(v.kind, v.base().clone())
    }

    /// A scalar.
    pub fn num(x: f64) -> Shown {
        Shown::Value(Kind::Scalar, DMatrix::from_element(1, 1, x))
    }

    /// The printed form.
    pub fn print(&self) -> String {
        match self {
            Shown::Value(k, m) => print::value(*k, m),
            Shown::Text(t) => t.clone(),
        }
    }
}

/// A named value a probe adds to its counterexample.
#[derive(Clone, Debug)]
pub(crate) struct Extra {
    /// The name shown.
    pub name: String,
    /// The value.
    pub value: Shown,
}

impl Extra {
    /// A named value.
    pub fn new(name: impl Into<String>, value: Shown) -> Extra {
        Extra {
            name: name.into(),
            value,
        }
    }

    /// The printed binding.
    pub fn binding(&self) -> Binding {
        Binding {
            name: self.name.clone(),
            value: self.value.print(),
        }
    }
}

/// What a probe found at one sample.
#[derive(Clone, Debug)]
pub(crate) struct Look {
    /// Whether the step holds at this sample.
    pub holds: bool,
    /// The scaled error (see the tolerance docs of each probe).
    pub error: f64,
    /// The counterexample's "left side".
    pub lhs: Shown,
    /// The counterexample's "right side".
    pub rhs: Shown,
    /// Further values shown in a counterexample, after the sampled ones.
    pub extra: Vec<Extra>,
    /// Whether the step was judged in exact (or high-precision) arithmetic
    /// at the sample's printed values: the counterexample then prints them
    /// in full.
    pub exact: bool,
}

/// A check at one sample (see the module docs).
pub(crate) trait Probe {
    /// Checks the step at the sample in `ctx` (assumptions already hold).
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look>;

    /// A variable whose sampled value means nothing (the unknown of a
    /// `solve`, the decision variable of an optimisation): it is left out
    /// of the counterexample's sampled values.
    fn hidden(&self) -> Option<&str> {
        None
    }
}

/// `lhs op rhs` at the sample (claims and calc links), with the
/// assumptions in force (for the precise judge, which decides only where
/// they hold precisely).
pub(crate) struct RelationProbe<'a>(pub &'a Fact, pub &'a [Fact]);

impl Probe for RelationProbe<'_> {
    fn look(&self, ctx: &mut Ctx<'_>) -> Res<Look> {
        let f = self.0;
        match super::precise::decide(ctx, f, self.1) {
            Some(Ok(look)) => return Ok(look),
            Some(Err(why)) => return Err(super::value::Trouble::Invalid(why)),
            None => {}
        }
        let l = ctx.eval(&f.lhs)?;
        let r = ctx.eval(&f.rhs)?;
        let c = compare_sides(f.op, &l, &r)?;
        Ok(Look {
            holds: c.holds,
            error: c.error,
            lhs: Shown::val(&l),
            rhs: Shown::val(&r),
            exact: false,
            extra: Vec::new(),
        })
    }
}
