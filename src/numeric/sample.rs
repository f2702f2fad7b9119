//! Seeded, reproducible sampling: dimensions, scalars in their domains,
//! vectors, matrices.
//!
//! - **Seeding.** A step's generator is ChaCha8 seeded with FNV-1a (64-bit,
//!   written here, so it never changes with the Rust version) of the
//!   configured seed's little-endian bytes followed by the step's `id`, and
//!   then mixed with the dimension: the samples of a step depend on the seed,
//!   the step's identity and the dimension only, never on other steps or on
//!   what was drawn in another dimension.
//! - **Dimensions.** n ∈ [`DIMS`] = 1, …, 8, 10, 16, smallest first, so
//!   that the first counterexample found is a small one; 10 and 16 catch
//!   claims such as `‖w‖ ≤ 3‖w‖∞` that fail only from n = 10 on.
//! - **Scalars** ([`draw_scalar`], for judging): log-uniform magnitudes over
//!   a [`Spread`] (10⁻⁶ … 10⁶ when the precise evaluator decides the step,
//!   10⁻² … 10² otherwise), special values, the closed ends of a domain and
//!   points just inside every finite end; each value lies in its domain
//!   exactly as it prints ([`in_domain_exact`]). [`draw_scalar_plain`] is
//!   the gentle distribution figures use (offsets from a bound log-uniform
//!   in [0.1, 10], closed ends one time in eight, intervals 1% of their
//!   width away from open ends).
//! - **Vectors** ([`draw_vector_among`]): zero, all-ones, basis, parallel
//!   and orthogonal to an earlier vector of the sample, or normal
//!   components times a log-uniform scale. [`draw_vector`] is the gentle
//!   one (norm ≥ 0.3) for figures. **Matrices** have standard normal
//!   entries.
//! - Drawn values are rounded to 3 significant digits (offsets from a
//!   domain's end are rounded before they are added), so that printed
//!   counterexamples are short and exact; shrinking rounds them further.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::sema::hir::{Domain, RelOp};

/// The dimensions tried, smallest first (so the first counterexample found
/// has the smallest dimension tried); each gets an equal share of samples.
pub const DIMS: [usize; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 10, 16];

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

/// Draws a scalar from its domain the gentle way (offsets from bounds
/// log-uniform in [0.1, 10], 3 significant digits): for figures, which
/// show one typical instance. `None` when the domain is empty.
pub(crate) fn draw_scalar_plain(d: &Domain, rng: &mut ChaCha8Rng) -> Option<f64> {
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

/// Draws a vector in ℝⁿ the gentle way (normal components, norm ≥ 0.3):
/// for figures and unit tests.
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

/// Whether `x`, read exactly as the decimal it prints as, lies in the
/// domain (exact rational comparison with the domain's ends).
pub(crate) fn in_domain_exact(x: f64, d: &Domain) -> bool {
    use super::num::{q_of_f64, q_of_rat};
    let Some(q) = q_of_f64(x) else { return false };
    let cmp = |op: RelOp, c: &crate::rat::Rat| -> bool {
        let Some(c) = q_of_rat(c) else { return false };
        match op {
            RelOp::Eq => q == c,
            RelOp::Ne => q != c,
            RelOp::Lt => q < c,
            RelOp::Le => q <= c,
            RelOp::Gt => q > c,
            RelOp::Ge => q >= c,
        }
    };
    match d {
        Domain::Any => true,
        Domain::Cmp(op, c) => cmp(*op, c),
        Domain::Interval {
            lo,
            lo_closed,
            hi,
            hi_closed,
        } => {
            cmp(if *lo_closed { RelOp::Ge } else { RelOp::Gt }, lo)
                && cmp(if *hi_closed { RelOp::Le } else { RelOp::Lt }, hi)
        }
    }
}

/// Small special values an unconstrained scalar takes one time in four.
const SPECIAL: [f64; 14] = [
    0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 10.0, -10.0, 1e-3, -1e-3, 100.0,
];

/// The special values the first attempts of a dimension cycle through
/// ([`special_for`]): small integers, halves, and powers of ten over 24
/// decades.
const CORNERS: [f64; 28] = [
    0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 10.0, -10.0, 0.1, -0.1, 100.0, -100.0, 1000.0,
    -1000.0, 1e-3, 1e6, -1e6, 1e-6, -1e-6, 1e9, 1e12, -1e12, 1e-9, 1e-12, 4.0,
];

/// The special value the scalar `index` of a sample takes at attempt
/// `attempt` of a dimension, if any: during the first `CORNERS.len()`
/// attempts every scalar takes the same value (ties such as s = t), during
/// the next ones scalar i is shifted by i places (distinct values); later
/// attempts have none. Values outside the spread (other than 0) are left
/// out.
pub(crate) fn special_for(attempt: usize, index: usize, sp: Spread) -> Option<f64> {
    let len = CORNERS.len();
    if attempt >= 2 * len {
        return None;
    }
    let x = CORNERS[(attempt + index * (attempt / len)) % len];
    (x == 0.0 || (sp.lo..=sp.hi).contains(&x.abs())).then_some(x)
}

/// How far samples spread: [`Spread::WIDE`] for steps the precise
/// evaluator decides (no rounding to fear), [`Spread::MODERATE`] for steps
/// judged in double precision (derivatives, unknown functions, solve and
/// optimisation probes), whose tolerance is built for moderate magnitudes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Spread {
    /// Log-uniform magnitudes (and offsets from domain ends) over [lo, hi].
    pub lo: f64,
    /// See `lo`.
    pub hi: f64,
    /// Relative distances "just inside" a domain's end.
    pub inside: [f64; 3],
    /// The range of the far-out draws (one in eight).
    pub far: (f64, f64),
}

impl Spread {
    /// 10⁻⁶ … 10⁶, just inside by 10⁻⁹, 10⁻⁶, 10⁻³.
    pub const WIDE: Spread = Spread {
        lo: 1e-6,
        hi: 1e6,
        inside: [1e-9, 1e-6, 1e-3],
        far: (1e-15, 1e15),
    };
    /// 10⁻² … 10², just inside by 10⁻³, 10⁻², 10⁻¹.
    pub const MODERATE: Spread = Spread {
        lo: 1e-2,
        hi: 1e2,
        inside: [1e-3, 1e-2, 1e-1],
        far: (1e-2, 1e2),
    };
}

/// An offset from a domain's end: just inside (relative to the end's size),
/// small integers, or log-uniform over the spread.
fn offset(rng: &mut ChaCha8Rng, end: f64, sp: Spread) -> f64 {
    let size = end.abs().max(1.0);
    match rng.gen_range(0..8) {
        0 => size * sp.inside[rng.gen_range(0..3)],
        1 => [0.5, 1.0, 2.0, 10.0][rng.gen_range(0..4)],
        // Far out, one time in eight: 10⁻¹⁵ … 10¹⁵ (spread permitting).
        2 => round_sig(log_uniform(rng, sp.far.0, sp.far.1), 3),
        _ => round_sig(log_uniform(rng, sp.lo, sp.hi), 3),
    }
}

/// Draws a scalar from its domain for judging (see the module docs): log-uniform
/// magnitudes over 10⁻⁶ … 10⁶, special values (0, ±1, small integers), the
/// closed ends of the domain, points just inside every finite end. The value
/// is in the domain *exactly* as it prints. `None` when the domain is empty.
pub(crate) fn draw_scalar(d: &Domain, rng: &mut ChaCha8Rng, sp: Spread) -> Option<f64> {
    for _ in 0..16 {
        let x = draw_scalar_once(d, rng, sp)?;
        if x.is_finite() && in_domain_exact(x, d) {
            return Some(x);
        }
    }
    draw_scalar_plain(d, rng)
}

fn draw_scalar_once(d: &Domain, rng: &mut ChaCha8Rng, sp: Spread) -> Option<f64> {
    let sgn = sign(rng);
    let x = match d {
        Domain::Any => match rng.gen_range(0..8) {
            0 | 1 => SPECIAL[rng.gen_range(0..SPECIAL.len())],
            // Far out, one time in eight: 10⁻¹⁵ … 10¹⁵ (spread permitting).
            2 => sgn * round_sig(log_uniform(rng, sp.far.0, sp.far.1), 3),
            _ => sgn * round_sig(log_uniform(rng, sp.lo, sp.hi), 3),
        },
        Domain::Cmp(op, c) => {
            let c = c.to_f64();
            let hit = rng.gen_range(0..8) == 0;
            match op {
                RelOp::Eq => c,
                RelOp::Ne => c + sgn * offset(rng, c, sp),
                RelOp::Ge | RelOp::Le if hit => c,
                RelOp::Gt | RelOp::Ge => c + offset(rng, c, sp),
                RelOp::Lt | RelOp::Le => c - offset(rng, c, sp),
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
            match rng.gen_range(0..8) {
                0 if *lo_closed => l,
                1 if *hi_closed => h,
                2 | 3 => {
                    let k = [sp.inside[0], sp.inside[1], sp.inside[2], 1e-2][rng.gen_range(0..4)];
                    if sgn < 0.0 {
                        l + w * k
                    } else {
                        h - w * k
                    }
                }
                4 => {
                    // A special value inside, if any.
                    let inside: Vec<f64> = SPECIAL
                        .iter()
                        .copied()
                        .filter(|x| in_domain(*x, d))
                        .collect();
                    if inside.is_empty() {
                        l + w * rng.gen::<f64>()
                    } else {
                        inside[rng.gen_range(0..inside.len())]
                    }
                }
                _ => {
                    let t: f64 = rng.gen();
                    let x = l + w * t;
                    let r = round_sig(x, 3);
                    if in_domain(r, d) {
                        r
                    } else {
                        x
                    }
                }
            }
        }
    };
    Some(x)
}

/// Draws a vector in ℝⁿ for judging, given the vectors drawn before it in
/// the same sample: one time in ten each the zero vector, a multiple of
/// the all-ones vector, of a basis vector, a vector parallel to an earlier
/// one, or one orthogonal to it; otherwise normal components, scaled by a
/// factor log-uniform over 10⁻³ … 10³ (one time in five over 10⁻⁶ … 10⁶).
pub(crate) fn draw_vector_among(
    n: usize,
    rng: &mut ChaCha8Rng,
    earlier: &[DMatrix<f64>],
    sp: Spread,
) -> DMatrix<f64> {
    let scale = if rng.gen_range(0..5) == 0 {
        round_sig(log_uniform(rng, sp.lo, sp.hi), 2)
    } else {
        round_sig(log_uniform(rng, sp.lo.sqrt(), sp.hi.sqrt()), 2)
    };
    let sgn = sign(rng);
    let pick = rng.gen_range(0..10);
    let gauss =
        |rng: &mut ChaCha8Rng| DMatrix::from_fn(n, 1, |_, _| round_sig(scale * normal(rng), 3));
    match pick {
        0 => DMatrix::zeros(n, 1),
        1 => DMatrix::from_element(n, 1, sgn * scale),
        2 => {
            let k = rng.gen_range(0..n);
            DMatrix::from_fn(n, 1, |i, _| if i == k { sgn * scale } else { 0.0 })
        }
        3 | 4 if !earlier.is_empty() => {
            let u = &earlier[rng.gen_range(0..earlier.len())];
            if pick == 3 {
                let c = sgn * [1.0, 2.0, 0.5, 10.0][rng.gen_range(0..4)];
                u.map(|x| x * c)
            } else {
                let v = gauss(rng);
                let uu = u.dot(u);
                if uu == 0.0 {
                    v
                } else {
                    &v - u * (u.dot(&v) / uu)
                }
            }
        }
        _ => gauss(rng),
    }
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
    fn scalars_stay_in_their_domains_and_cover_decades_and_ends() {
        let mut rng = rng_for(7, 1);
        let pos = Domain::Cmp(RelOp::Gt, Rat::int(0));
        let nonneg = Domain::Cmp(RelOp::Ge, Rat::int(0));
        let unit = Domain::Interval {
            lo: Rat::int(0),
            lo_closed: false,
            hi: Rat::int(1),
            hi_closed: true,
        };
        let narrow = Domain::Interval {
            lo: Rat::int(1),
            lo_closed: false,
            hi: Rat::new(10_000_001, 10_000_000).unwrap(),
            hi_closed: false,
        };
        let (mut zeros, mut tiny, mut huge, mut near_one, mut any_zero) = (0, 0, 0, 0, 0);
        for _ in 0..2000 {
            let x = draw_scalar(&pos, &mut rng, Spread::WIDE).unwrap();
            assert!(in_domain_exact(x, &pos), "{x}");
            tiny += usize::from(x < 1e-4);
            huge += usize::from(x > 1e4);
            let y = draw_scalar(&nonneg, &mut rng, Spread::WIDE).unwrap();
            assert!(y >= 0.0);
            zeros += usize::from(y == 0.0);
            let z = draw_scalar(&unit, &mut rng, Spread::WIDE).unwrap();
            assert!(z > 0.0 && z <= 1.0);
            near_one += usize::from(z < 1.0 && z > 0.999);
            let a = draw_scalar(&narrow, &mut rng, Spread::WIDE).unwrap();
            assert!(in_domain_exact(a, &narrow), "{a}");
            assert!(super::super::print::exact(a) != "1", "{a}");
            any_zero +=
                usize::from(draw_scalar(&Domain::Any, &mut rng, Spread::WIDE).unwrap() == 0.0);
        }
        assert!(zeros > 100 && zeros < 400, "{zeros}");
        assert!(tiny > 50 && huge > 50, "{tiny} {huge}");
        assert!(near_one > 50, "{near_one}");
        assert!(any_zero > 10, "{any_zero}");
        let empty = Domain::Interval {
            lo: Rat::int(1),
            lo_closed: true,
            hi: Rat::int(0),
            hi_closed: true,
        };
        assert_eq!(draw_scalar(&empty, &mut rng, Spread::WIDE), None);
    }

    #[test]
    fn special_vectors_occur() {
        let mut rng = rng_for(5, 3);
        let u = DMatrix::from_column_slice(3, 1, &[1.0, -2.0, 0.5]);
        let (mut zero, mut parallel, mut orthogonal) = (0, 0, 0);
        for _ in 0..500 {
            let v = draw_vector_among(3, &mut rng, std::slice::from_ref(&u), Spread::WIDE);
            zero += usize::from(v.iter().all(|x| *x == 0.0));
            let c = u.dot(&v).abs() / (u.norm() * v.norm()).max(1e-300);
            parallel += usize::from(v.norm() > 0.0 && (c - 1.0).abs() < 1e-12);
            orthogonal += usize::from(v.norm() > 0.0 && c < 1e-9);
        }
        assert!(
            zero > 20 && parallel > 20 && orthogonal > 20,
            "{zero} {parallel} {orthogonal}"
        );
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
