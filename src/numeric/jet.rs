//! Truncated hyper-dual numbers ("jets") whose coefficients are nalgebra
//! matrices: the arithmetic behind forward-mode differentiation.
//!
//! A jet with `m` infinitesimals ε₀ … ε_{m−1} (each with εᵢ² = 0, all
//! commuting, all independent) is the sum `Σ_S c[S] ε^S` over the subsets
//! `S` of `{0, …, m−1}`, stored as `c[mask]` with `c.len() == 2^m`. The
//! coefficient `c[0]` is the value; `c[{i}]` the directional derivative along
//! the direction seeded into εᵢ; `c[{i, j}]` the mixed second derivative.
//! Because εᵢ² = 0 exactly, the arithmetic is exact (no truncation error):
//! derivatives are as accurate as the values themselves.
//!
//! Invariants: `c.len()` is a power of two between 1 and `2^MAX_EPS`; all
//! coefficients of one jet have the same shape. A shorter jet is the longer
//! one padded with zeros (a jet over fewer infinitesimals), so binary
//! operations pad the shorter operand.

use nalgebra::DMatrix;

/// The most infinitesimals a jet may carry (nested derivatives of total
/// order at most 4); deeper nesting is reported as unsupported.
pub(crate) const MAX_EPS: usize = 4;

/// A jet over matrices. See the module docs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Jet {
    /// Coefficients by subset mask; `c[0]` is the value.
    pub c: Vec<DMatrix<f64>>,
}

fn is_zero(m: &DMatrix<f64>) -> bool {
    m.iter().all(|x| *x == 0.0)
}

impl Jet {
    /// The constant jet (no infinitesimal part) with value `m`.
    pub fn constant(m: DMatrix<f64>) -> Jet {
        Jet { c: vec![m] }
    }

    /// The constant scalar jet `x`.
    pub fn scalar(x: f64) -> Jet {
        Jet::constant(DMatrix::from_element(1, 1, x))
    }

    /// The value (the coefficient of no infinitesimal).
    pub fn base(&self) -> &DMatrix<f64> {
        &self.c[0]
    }

    /// The value of a 1×1 jet.
    pub fn base_scalar(&self) -> f64 {
        self.c[0].get(0).copied().unwrap_or(f64::NAN)
    }

    /// Whether every infinitesimal coefficient is exactly zero.
    pub fn is_constant(&self) -> bool {
        self.c.iter().skip(1).all(is_zero)
    }

    /// Whether the infinitesimal part touches entry `i` (column-major).
    pub fn varies_at(&self, i: usize) -> bool {
        self.c
            .iter()
            .skip(1)
            .any(|m| m.get(i).is_some_and(|x| *x != 0.0))
    }

    /// Whether every coefficient is finite.
    pub fn is_finite(&self) -> bool {
        self.c.iter().all(|m| m.iter().all(|x| x.is_finite()))
    }

    /// Applies a linear map to every coefficient.
    pub fn map(&self, f: impl Fn(&DMatrix<f64>) -> DMatrix<f64>) -> Jet {
        Jet {
            c: self.c.iter().map(f).collect(),
        }
    }

    /// `self + s·other`, padding the shorter jet.
    pub fn add_scaled(&self, other: &Jet, s: f64) -> Jet {
        let len = self.c.len().max(other.c.len());
        let zero = DMatrix::zeros(self.c[0].nrows(), self.c[0].ncols());
        let c = (0..len)
            .map(|i| {
                let a = self.c.get(i).unwrap_or(&zero);
                match other.c.get(i) {
                    Some(b) => a + b * s,
                    None => a.clone(),
                }
            })
            .collect();
        Jet { c }
    }

    /// The bilinear product `Σ_{S∩T=∅} f(a[S], b[T]) ε^{S∪T}`; `f` is a
    /// bilinear map of the coefficients (scaling, matrix product, …).
    pub fn product(
        a: &Jet,
        b: &Jet,
        f: impl Fn(&DMatrix<f64>, &DMatrix<f64>) -> DMatrix<f64>,
    ) -> Jet {
        let first = f(&a.c[0], &b.c[0]);
        let len = a.c.len().max(b.c.len());
        let mut c = vec![DMatrix::zeros(first.nrows(), first.ncols()); len];
        c[0] = first;
        for (i, ai) in a.c.iter().enumerate() {
            if i != 0 && is_zero(ai) {
                continue;
            }
            for (j, bj) in b.c.iter().enumerate() {
                if (i == 0 && j == 0) || i & j != 0 || (j != 0 && is_zero(bj)) {
                    continue;
                }
                c[i | j] += f(ai, bj);
            }
        }
        Jet { c }
    }

    /// For a scalar jet `a = a₀ + δ`: `Σ_k d[k]/k! δᵏ`, where `d[k]` is the
    /// k-th derivative of a function at `a₀` (`d` must hold at least
    /// `order + 1` entries, where `order` is the number of infinitesimals).
    /// Terms whose power of δ vanishes are skipped, so infinite higher
    /// derivatives of a constant argument do no harm.
    pub fn taylor(&self, d: &[f64]) -> Jet {
        let mut out = Jet::scalar(d.first().copied().unwrap_or(f64::NAN));
        if self.is_constant() {
            return out;
        }
        let mut delta = self.clone();
        delta.c[0] = DMatrix::zeros(1, 1);
        let mut power = delta.clone();
        let mut fact = 1.0;
        for (k, dk) in d.iter().enumerate().skip(1) {
            if power.c.iter().all(is_zero) {
                break;
            }
            fact *= k as f64;
            out = out.add_scaled(&power, dk / fact);
            power = Jet::product(&power, &delta, |x, y| x * y);
        }
        out
    }

    /// `self + ε_k · dir` (the value is unchanged, the new infinitesimal `k`
    /// is seeded with the direction `dir`, of the value's shape).
    pub fn seed(&self, k: usize, dir: DMatrix<f64>) -> Jet {
        let len = self.c.len().max(1 << (k + 1));
        let zero = DMatrix::zeros(self.c[0].nrows(), self.c[0].ncols());
        let mut c: Vec<DMatrix<f64>> = (0..len)
            .map(|i| self.c.get(i).cloned().unwrap_or_else(|| zero.clone()))
            .collect();
        c[1 << k] += dir;
        Jet { c }
    }

    /// The coefficient of `ε^bits` as a jet over the first `keep`
    /// infinitesimals: entry `S` is `c[S ∪ bits]` (missing ones are zero).
    /// `bits` must only contain infinitesimals `≥ keep`.
    pub fn extract(&self, bits: usize, keep: usize) -> Jet {
        let zero = DMatrix::zeros(self.c[0].nrows(), self.c[0].ncols());
        let c = (0..1usize << keep)
            .map(|s| {
                self.c
                    .get(s | bits)
                    .cloned()
                    .unwrap_or_else(|| zero.clone())
            })
            .collect();
        Jet { c }
    }

    /// Assembles a `rows × cols` jet from scalar jets given in column-major
    /// order (all of the same length).
    pub fn assemble(rows: usize, cols: usize, entries: &[Jet]) -> Jet {
        let len = entries.iter().map(|e| e.c.len()).max().unwrap_or(1);
        let c = (0..len)
            .map(|s| {
                DMatrix::from_fn(rows, cols, |i, j| {
                    entries
                        .get(j * rows + i)
                        .and_then(|e| e.c.get(s))
                        .and_then(|m| m.get(0).copied())
                        .unwrap_or(0.0)
                })
            })
            .collect();
        Jet { c }
    }

    /// Entry `i` (column-major) as a scalar jet.
    pub fn entry(&self, i: usize) -> Jet {
        Jet {
            c: self
                .c
                .iter()
                .map(|m| DMatrix::from_element(1, 1, m.get(i).copied().unwrap_or(0.0)))
                .collect(),
        }
    }

    /// Stacks the entries of several jets (each flattened column-major) into
    /// one column jet.
    pub fn vstack(parts: &[&Jet]) -> Jet {
        let len = parts.iter().map(|p| p.c.len()).max().unwrap_or(1);
        let rows: usize = parts.iter().map(|p| p.c[0].len()).sum();
        let c = (0..len)
            .map(|s| {
                let mut col = Vec::with_capacity(rows);
                for p in parts {
                    match p.c.get(s) {
                        Some(m) => col.extend(m.iter().copied()),
                        None => col.extend(std::iter::repeat_n(0.0, p.c[0].len())),
                    }
                }
                DMatrix::from_column_slice(rows, 1, &col)
            })
            .collect();
        Jet { c }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> DMatrix<f64> {
        DMatrix::from_element(1, 1, x)
    }

    #[test]
    fn product_of_seeded_scalars_gives_mixed_derivative() {
        // x = 3 + ε0, y = 5 + ε1: xy = 15 + 5ε0 + 3ε1 + ε0ε1.
        let x = Jet::scalar(3.0).seed(0, s(1.0));
        let y = Jet::scalar(5.0).seed(1, s(1.0));
        let p = Jet::product(&x, &y, |a, b| a * b);
        let got: Vec<f64> = p.c.iter().map(|m| m[(0, 0)]).collect();
        assert_eq!(got, vec![15.0, 5.0, 3.0, 1.0]);
    }

    #[test]
    fn taylor_of_square_matches_second_derivative() {
        // f(x) = x², x = 2 + ε0 + ε1: coefficient of ε0ε1 is f''(2) = 2.
        let x = Jet::scalar(2.0).seed(0, s(1.0)).seed(1, s(1.0));
        let f = x.taylor(&[4.0, 4.0, 2.0]);
        assert_eq!(f.extract(0b11, 0).base_scalar(), 2.0);
        assert_eq!(f.extract(0b01, 0).base_scalar(), 4.0);
        assert_eq!(f.base_scalar(), 4.0);
    }

    #[test]
    fn taylor_skips_vanishing_terms() {
        let x = Jet::scalar(0.0);
        let f = x.taylor(&[0.0, f64::INFINITY]);
        assert!(f.is_finite());
    }

    #[test]
    fn vstack_and_assemble_round_trip() {
        let a = Jet::scalar(1.0).seed(0, s(2.0));
        let b = Jet::scalar(3.0);
        let v = Jet::vstack(&[&a, &b]);
        assert_eq!(v.c[0].as_slice(), &[1.0, 3.0]);
        assert_eq!(v.c[1].as_slice(), &[2.0, 0.0]);
        let m = Jet::assemble(2, 1, &[v.entry(0), v.entry(1)]);
        assert_eq!(m, v);
    }
}
