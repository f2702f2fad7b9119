//! Seeded, reproducible sampling: dimensions, scalars in their domains,
//! vectors, matrices.
//!
//! - **Seeding.** A step's generator is ChaCha8 seeded with FNV-1a (64-bit,
//!   written here, so it never changes with the Rust version) of the
//!   configured seed's little-endian bytes followed by the step's `id`, and
//!   then mixed with the dimension: the samples of a step depend on the seed,
//!   the step's identity and the dimension only, never on other steps or on
//!   what was drawn in another dimension.
//! - **Dimensions.** n ∈ [`DIMS`] = 1, 2, 3, 5, smallest first, so that the
//!   first counterexample found is a small one; 5 is there to catch claims
//!   that only hold in low dimension.
//! - **Scalars.** Offsets from a domain's boundary (and magnitudes of
//!   unconstrained scalars, with a random sign) are log-uniform in
//!   [0.1, 10]: never closer than 0.1 to a boundary, so nothing blows up
//!   by accident, while spanning two decades so that a claim that is only
//!   true near 1 is caught. A closed boundary (`≥ 0`, `[0, 1]`) is hit
//!   exactly with probability 1/8, since boundary values (a = 0) are where
//!   special cases hide. Intervals are sampled uniformly, 1% of their width
//!   away from open ends.
//! - **Vectors** have independent standard normal components times a
//!   log-uniform scale in [0.5, 2], redrawn while the norm is below
//!   0.3 (no accidental zero norms, also in n = 1). **Matrices** have
//!   standard normal entries.
//! - Everything drawn is rounded to 3 significant digits, so that printed
//!   counterexamples are short and exact; shrinking rounds them further.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sema::hir::{Domain, RelOp};

/// The dimensions tried, smallest first (so the first counterexample found
/// has the smallest dimension tried); each gets an equal share of samples.
pub const DIMS: [usize; 4] = [1, 2, 3, 5];

/// 64-bit FNV-1a.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The seed of a step: FNV-1a of the configured seed and the step's id.
pub(crate) fn step_seed(seed: u64, id: &str) -> u64 {
    let mut bytes = seed.to_le_bytes().to_vec();
    bytes.extend_from_slice(id.as_bytes());
    fnv1a(&bytes)
}

/// The generator for dimension `n` of a step.
pub(crate) fn rng_for(step_seed: u64, n: usize) -> ChaCha8Rng {
    let mut bytes = step_seed.to_le_bytes().to_vec();
    bytes.extend_from_slice(&(n as u64).to_le_bytes());
    ChaCha8Rng::seed_from_u64(fnv1a(&bytes))
}

/// A standard normal number (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A number log-uniform in `[lo, hi]` (`0 < lo ≤ hi`).
pub(crate) fn log_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    let t: f64 = rng.gen();
    (lo.ln() + t * (hi.ln() - lo.ln())).exp()
}

/// A random sign.
pub(crate) fn sign(rng: &mut ChaCha8Rng) -> f64 {
    if rng.gen::<bool>() {
        1.0
    } else {
        -1.0
    }
}

/// `x` rounded to `digits` significant digits.
pub(crate) fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32;
    let p = digits - 1 - e;
    let r = if p >= 0 {
        let f = 10f64.powi(p);
        (x * f).round() / f
    } else {
        let f = 10f64.powi(-p);
        (x / f).round() * f
    };
    if r.is_finite() {
        r
    } else {
        x
    }
}

/// Whether `x` lies in the domain.
pub(crate) fn in_domain(x: f64, d: &Domain) -> bool {
    match d {
        Domain::Any => x.is_finite(),
        Domain::Cmp(op, c) => {
            let c = c.to_f64();
            match op {
                RelOp::Eq => x == c,
                RelOp::Ne => x != c,
                RelOp::Lt => x < c,
                RelOp::Le => x <= c,
                RelOp::Gt => x > c,
                RelOp::Ge => x >= c,
            }
        }
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => {
            let (lo, hi) = (lo.to_f64(), hi.to_f64());
            (if *lo_closed { x >= lo } else { x > lo })
                && (if *hi_closed { x <= hi } else { x < hi })
        }
    }
}

/// Draws a scalar from its domain; `None` when the domain is empty.
pub(crate) fn draw_scalar(d: &Domain, rng: &mut ChaCha8Rng) -> Option<f64> {
    let boundary_hit = rng.gen_range(0..8) == 0;
    let off = log_uniform(rng, 0.1, 10.0);
    let sgn = sign(rng);
    let x = match d {
        Domain::Any => sgn * off,
        Domain::Cmp(op, c) => {
            let c = c.to_f64();
            match op {
                RelOp::Eq => c,
                RelOp::Ne => c + sgn * off,
                RelOp::Gt => c + off,
                RelOp::Ge if boundary_hit => c,
                RelOp::Ge => c + off,
                RelOp::Lt => c - off,
                RelOp::Le if boundary_hit => c,
                RelOp::Le => c - off,
            }
        }
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => {
            let (l, h) = (lo.to_f64(), hi.to_f64());
            if l > h || (l == h && !(*lo_closed && *hi_closed)) {
                return None;
            }
            let w = h - l;
            let t: f64 = rng.gen();
            if boundary_hit && *lo_closed && sgn < 0.0 {
                l
            } else if boundary_hit && *hi_closed && sgn > 0.0 {
                h
            } else {
                l + w * (0.01 + 0.98 * t)
            }
        }
    };
    let r = round_sig(x, 3);
    if in_domain(r, d) {
        Some(r)
    } else if in_domain(x, d) {
        Some(x)
    } else {
        None
    }
}

/// Draws a vector in ℝⁿ (see the module docs).
pub(crate) fn draw_vector(n: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    let scale = log_uniform(rng, 0.5, 2.0);
    let mut v = DMatrix::zeros(n, 1);
    for _ in 0..64 {
        v = DMatrix::from_fn(n, 1, |_, _| round_sig(scale * normal(rng), 3));
        if v.norm() >= 0.3 {
            break;
        }
    }
    v
}

/// Draws an n×n matrix with standard normal entries.
pub(crate) fn draw_matrix(n: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    DMatrix::from_fn(n, n, |_, _| round_sig(normal(rng), 3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rat::Rat;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn seeds_depend_on_seed_and_id() {
        assert_eq!(step_seed(1, "a"), step_seed(1, "a"));
        assert_ne!(step_seed(1, "a"), step_seed(2, "a"));
        assert_ne!(step_seed(1, "a"), step_seed(1, "b"));
    }

    #[test]
    fn scalars_stay_in_their_domains_and_away_from_open_boundaries() {
        let mut rng = rng_for(7, 1);
        let pos = Domain::Cmp(RelOp::Gt, Rat::int(0));
        let nonneg = Domain::Cmp(RelOp::Ge, Rat::int(0));
        let unit = Domain::Interval {
            lo: Rat::int(0),
            lo_closed: false,
            hi: Rat::int(1),
            hi_closed: true,
        };
        let mut zeros = 0;
        for _ in 0..2000 {
            let x = draw_scalar(&pos, &mut rng).unwrap();
            assert!((0.1 - 1e-12..=10.0 + 1e-9).contains(&x), "{x}");
            let y = draw_scalar(&nonneg, &mut rng).unwrap();
            assert!(y >= 0.0);
            zeros += usize::from(y == 0.0);
            let z = draw_scalar(&unit, &mut rng).unwrap();
            assert!(z > 0.0 && z <= 1.0);
        }
        assert!(zeros > 100 && zeros < 400, "{zeros}");
        let empty = Domain::Interval {
            lo: Rat::int(1),
            lo_closed: true,
            hi: Rat::int(0),
            hi_closed: true,
        };
        assert_eq!(draw_scalar(&empty, &mut rng), None);
    }

    #[test]
    fn vectors_are_not_degenerate() {
        let mut rng = rng_for(3, 1);
        for _ in 0..500 {
            assert!(draw_vector(1, &mut rng).norm() >= 0.3);
        }
    }

    #[test]
    fn rounding() {
        assert_eq!(round_sig(0.123456, 3), 0.123);
        assert_eq!(round_sig(-1234.5, 2), -1200.0);
        assert_eq!(round_sig(0.0, 3), 0.0);
    }
}
