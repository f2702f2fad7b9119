//! The kind rules of the operators (see the table on [`hir::Node`]).
//!
//! Invariant: these functions are the only place that decides which kinds
//! an operator accepts; the resolver builds nodes only through them.

use super::hir::{BinOp, Kind};

/// The kind of `a op b`, or a message saying why it is ill-kinded.
pub fn binary(op: BinOp, a: Kind, b: Kind) -> Result<Kind, String> {
    use Kind::*;
    match op {
        BinOp::Add | BinOp::Sub => {
            if a == b {
                Ok(a)
            } else {
                let verb = if op == BinOp::Add { "add" } else { "subtract" };
                Err(format!("cannot {verb} {} and {}", a.word(), b.word()))
            }
        }
        BinOp::Mul => match (a, b) {
            (Scalar, k) | (k, Scalar) => Ok(k),
            (Covector, Vector) => Ok(Scalar),
            (Vector, Covector) => Ok(Matrix),
            (Matrix, Vector) => Ok(Vector),
            (Covector, Matrix) => Ok(Covector),
            (Matrix, Matrix) => Ok(Matrix),
            (Vector, Vector) => Err(
                "cannot multiply two vectors: write ⟨a, b⟩ or aᵀb for the inner product, a bᵀ for the outer product".into(),
            ),
            _ => Err(format!("cannot multiply {} by {}", a.word(), b.word())),
        },
        BinOp::Div => match b {
            Scalar => Ok(a),
            _ => Err(format!("cannot divide by {}: only by a scalar", b.word())),
        },
        BinOp::Pow => match (a, b) {
            (Scalar, Scalar) => Ok(Scalar),
            (Vector, _) => Err("cannot raise a vector to a power: write ‖v‖² for the squared norm".into()),
            (_, Scalar) => Err(format!("cannot raise {} to a power", a.word())),
            _ => Err("an exponent must be a scalar".into()),
        },
    }
}
