//! The atoms of the symbolic representation and their registry.
//!
//! A scalar [`Term`] mentions scalar atoms as `Term::Sym("s<i>")`; vectors
//! and matrices are combinations of vector and matrix atoms (see `lin.rs`).
//!
//! Invariants: an atom is registered once per canonical key, so two
//! occurrences of the same atom are the same symbol; atoms are structural
//! (they keep the combinations they were built from), so substitution can
//! rebuild them; registration order is the order of first use, which is a
//! function of the step alone, so symbol names are deterministic.

use std::collections::HashMap;

use super::lin::Lin;
use crate::sema::hir::NormP;
use crate::term::Term;

/// A scalar atom: an independent symbol of the scalar algebra.
#[derive(Clone, Debug, PartialEq)]
pub enum SAtom {
    /// A declared scalar variable, by key.
    Var(String),
    /// ⟨a, b⟩ of two distinct vector atoms (`a < b`).
    Gram(usize, usize),
    /// ‖a‖ₚ of one vector atom.
    Norm(NormP, usize),
    /// ‖v‖₁ or ‖v‖∞ of a combination that is not a single atom.
    NormOf(NormP, Lin),
    /// f(v₁, …) for a declared function with vector arguments.
    Apply(String, Vec<Arg>),
}

/// An argument of a function application kept inside an atom.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// A scalar.
    S(Term),
    /// A vector.
    V(Lin),
}

/// A vector atom.
#[derive(Clone, Debug, PartialEq)]
pub enum VAtom {
    /// A declared vector variable, by key.
    Var(String),
    /// sign(v), elementwise.
    Sign(Lin),
    /// |v|, elementwise.
    Abs(Lin),
    /// ∇f(x) of a declared function.
    GradFn(String, Vec<Arg>),
    /// M v for a matrix atom M that does not simplify.
    MatVec(usize, usize),
}

/// A matrix atom.
#[derive(Clone, Debug, PartialEq)]
pub enum MAtom {
    /// A declared matrix variable, by key.
    Var(String),
    /// ∇²f(x) of a declared function (symmetric).
    HessFn(String, Vec<Arg>),
    /// The transpose of a non-symmetric matrix atom.
    Transposed(usize),
}

/// The registry of a step's atoms.
#[derive(Default, Debug)]
pub struct Atoms {
    /// Scalar atoms, indexed by `s<i>`.
    pub scalars: Vec<SAtom>,
    /// Vector atoms.
    pub vectors: Vec<VAtom>,
    /// Matrix atoms.
    pub matrices: Vec<MAtom>,
    skeys: HashMap<String, usize>,
    vkeys: HashMap<String, usize>,
    mkeys: HashMap<String, usize>,
}

/// The symbol name of scalar atom `i`.
pub fn sym_name(i: usize) -> String {
    format!("s{i}")
}

/// The scalar atom index of a symbol name.
pub fn sym_index(name: &str) -> Option<usize> {
    name.strip_prefix('s')?.parse().ok()
}

impl Atoms {
    /// The symbol for a scalar atom with canonical key `key`.
    pub fn scalar(&mut self, key: String, atom: SAtom) -> Term {
        let n = self.scalars.len();
        let i = *self.skeys.entry(key).or_insert(n);
        if i == n {
            self.scalars.push(atom);
        }
        Term::Sym(sym_name(i))
    }

    /// The index of a vector atom with canonical key `key`.
    pub fn vector(&mut self, key: String, atom: VAtom) -> usize {
        let n = self.vectors.len();
        let i = *self.vkeys.entry(key).or_insert(n);
        if i == n {
            self.vectors.push(atom);
        }
        i
    }

    /// The index of a matrix atom with canonical key `key`.
    pub fn matrix(&mut self, key: String, atom: MAtom) -> usize {
        let n = self.matrices.len();
        let i = *self.mkeys.entry(key).or_insert(n);
        if i == n {
            self.matrices.push(atom);
        }
        i
    }

    /// The scalar atom a symbol stands for.
    pub fn satom(&self, name: &str) -> Option<&SAtom> {
        sym_index(name).and_then(|i| self.scalars.get(i))
    }
}
