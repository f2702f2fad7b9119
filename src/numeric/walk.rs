//! What a step mentions: variables, functions, whether it has a dimension.
//!
//! Invariant: these walks are purely syntactic over the checked tree; a
//! variable "occurs" when evaluating the expression reads its sampled
//! value (see [`vars_of`]).

use std::collections::BTreeSet;

use crate::sema::hir::{Ex, Kind, Node};

/// Calls `f` on every sub-expression, parents first.
pub(crate) fn visit(e: &Ex, f: &mut dyn FnMut(&Ex)) {
    f(e);
    visit_children(e, &mut |x| visit(x, f));
}

/// Calls `f` on the direct children of `e`.
fn visit_children(e: &Ex, f: &mut dyn FnMut(&Ex)) {
    match &e.node {
        Node::Num(_) | Node::Var(_) | Node::Identity | Node::Zero => {}
        Node::Apply { args, .. } | Node::GradFn { args, .. } => {
            for a in args {
                f(a);
            }
        }
        Node::Builtin(_, x) | Node::Norm(_, x) | Node::Transpose(x) | Node::Neg(x) => f(x),
        Node::Grad { body, .. } => f(body),
        Node::Inner(a, b) | Node::Bin(_, a, b) => {
            f(a);
            f(b);
        }
        Node::Subst(body, binds) => {
            f(body);
            for (_, x) in binds {
                f(x);
            }
        }
    }
}

/// Adds the variables `e` reads to `out`: its free variables, where the
/// variable of `∇_w` counts (its value is the point of evaluation) and a
/// variable rebound by a substitution does not, unless the new values read
/// it.
pub(crate) fn vars_of(e: &Ex, out: &mut BTreeSet<String>) {
    match &e.node {
        Node::Var(k) => {
            out.insert(k.clone());
        }
        Node::Grad { wrt, body, .. } => {
            out.insert(wrt.clone());
            vars_of(body, out);
        }
        Node::Subst(body, binds) => {
            let mut inner = BTreeSet::new();
            vars_of(body, &mut inner);
            for (k, x) in binds {
                inner.remove(k);
                vars_of(x, out);
            }
            out.extend(inner);
        }
        _ => visit_children(e, &mut |x| vars_of(x, out)),
    }
}

/// The variables `e` mentions.
pub(crate) fn vars(e: &Ex) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    vars_of(e, &mut out);
    out
}

/// Adds the functions `e` calls to `out`.
pub(crate) fn funcs_of(e: &Ex, out: &mut BTreeSet<String>) {
    visit(e, &mut |x| {
        if let Node::Apply { func, .. } | Node::GradFn { func, .. } = &x.node {
            out.insert(func.clone());
        }
    });
}

/// Whether some sub-expression is not a scalar (then the dimension n
/// matters).
pub(crate) fn has_dimension(e: &Ex) -> bool {
    let mut found = false;
    visit(e, &mut |x| found |= x.kind != Kind::Scalar);
    found
}
