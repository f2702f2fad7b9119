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
    num_digits(x, 6)
}

/// A number as it is held: the shortest decimal that reads back as the same
/// `f64`. Sampled values print this way when the step was judged exactly, so
/// the printed value is the value judged (never rounded onto a domain's end).
pub(crate) fn exact(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return num(x);
    }
    let a = x.abs();
    if (1e-4..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A sampled value of the given kind, printed with [`exact`].
pub(crate) fn exact_value(kind: Kind, m: &DMatrix<f64>) -> String {
    let list = |it: &mut dyn Iterator<Item = f64>| {
        let parts: Vec<String> = it.map(exact).collect();
        format!("[{}]", parts.join(", "))
    };
    match kind {
        Kind::Scalar => exact(m.get(0).copied().unwrap_or(f64::NAN)),
        Kind::Vector | Kind::Covector => list(&mut m.iter().copied()),
        Kind::Matrix => {
            let rows: Vec<String> = (0..m.nrows())
                .map(|i| list(&mut m.row(i).iter().copied()))
                .collect();
            format!("[{}]", rows.join(", "))
        }
    }
}

/// A computed high-precision value: 12 significant digits, without the
/// binary-rounding tails (`8.19401262399e-40`, `0.3`).
pub(crate) fn num12(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return num(x);
    }
    let sci = format!("{x:.11e}");
    let r: f64 = sci.parse().unwrap_or(x);
    if (1e-4..1e15).contains(&r.abs()) {
        return format!("{r}");
    }
    let (m, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let m = if m.contains('.') {
        m.trim_end_matches('0').trim_end_matches('.')
    } else {
        m
    };
    format!("{m}e{e}")
}

/// A number with at most `digits` significant digits.
pub(crate) fn num_digits(x: f64, digits: i32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let r = round_sig(x, digits);
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
        assert_eq!(num12(8.194012623990001e-40), "8.19401262399e-40");
        assert_eq!(num12(0.1 + 0.2), "0.3");
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, -1.25]);
        assert_eq!(value(Kind::Matrix, &m), "[[1, 0], [0, -1.25]]");
        let v = DMatrix::from_column_slice(2, 1, &[0.5, -1.25]);
        assert_eq!(value(Kind::Vector, &v), "[0.5, -1.25]");
    }
}
