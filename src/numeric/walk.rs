//! What a step mentions: variables, functions, whether it has a dimension.
//!
//! Invariant: these walks are purely syntactic over the checked tree; a
//! variable "occurs" when it is read (`Var`), differentiated against
//! (`Grad::wrt`, whose value is the point of evaluation) or rebound
//! (`Subst`, whose body reads it at the new value, itself computed from the
//! sample).

use std::collections::BTreeSet;

use crate::sema::hir::{Ex, Kind, Node};

/// Calls `f` on every sub-expression, parents first.
pub(crate) fn visit(e: &Ex, f: &mut dyn FnMut(&Ex)) {
    f(e);
    match &e.node {
        Node::Num(_) | Node::Var(_) | Node::Identity | Node::Zero => {}
        Node::Apply { args, .. } | Node::GradFn { args, .. } => {
            for a in args {
                visit(a, f);
            }
        }
        Node::Builtin(_, x) | Node::Norm(_, x) | Node::Transpose(x) | Node::Neg(x) => visit(x, f),
        Node::Grad { body, .. } => visit(body, f),
        Node::Inner(a, b) | Node::Bin(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        Node::Subst(body, binds) => {
            visit(body, f);
            for (_, x) in binds {
                visit(x, f);
            }
        }
    }
}

/// Adds the variables `e` mentions to `out`.
pub(crate) fn vars_of(e: &Ex, out: &mut BTreeSet<String>) {
    visit(e, &mut |x| match &x.node {
        Node::Var(k) | Node::Grad { wrt: k, .. } => {
            out.insert(k.clone());
        }
        Node::Subst(_, binds) => {
            for (k, _) in binds {
                out.insert(k.clone());
            }
        }
        _ => {}
    });
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
