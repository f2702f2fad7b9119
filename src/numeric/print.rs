//! Printing sampled values for counterexamples.
//!
//! Invariant: printing is deterministic and never panics; numbers show at
//! most 6 significant digits (sampled inputs have 3, so they print exactly),
//! `-0` prints as `0`, vectors as `[0.5, -1.25]`, matrices as rows
//! `[[1, 0], [0, 1]]`.

use nalgebra::DMatrix;

use super::sample::round_sig;
use crate::sema::hir::Kind;

/// A number with at most 6 significant digits.
pub(crate) fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let r = round_sig(x, 6);
    if r == 0.0 {
        return "0".into();
    }
    let a = r.abs();
    if (1e-4..1e9).contains(&a) {
        format!("{r}")
    } else {
        format!("{r:e}")
    }
}

/// A value of the given kind.
pub(crate) fn value(kind: Kind, m: &DMatrix<f64>) -> String {
    let list = |it: &mut dyn Iterator<Item = f64>| {
        let parts: Vec<String> = it.map(num).collect();
        format!("[{}]", parts.join(", "))
    };
    match kind {
        Kind::Scalar => num(m.get(0).copied().unwrap_or(f64::NAN)),
        Kind::Vector | Kind::Covector => list(&mut m.iter().copied()),
        Kind::Matrix => {
            let rows: Vec<String> = (0..m.nrows())
                .map(|i| list(&mut m.row(i).iter().copied()))
                .collect();
            format!("[{}]", rows.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(1.5e-7), "1.5e-7");
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, -1.25]);
        assert_eq!(value(Kind::Matrix, &m), "[[1, 0], [0, -1.25]]");
        let v = DMatrix::from_column_slice(2, 1, &[0.5, -1.25]);
        assert_eq!(value(Kind::Vector, &v), "[0.5, -1.25]");
    }
}
