//! Benchmarks of the numeric judge (`cargo bench --bench numeric`).
//!
//! - `files`: every step of a derivation file (parsed and checked once,
//!   outside the timing) judged with the default configuration; the
//!   throughput is in samples (the valid samples the judge evaluated, as
//!   its outcomes report them), so divan's `item/s` column is samples per
//!   second.
//! - `gradient_step` / `hessian_step`: the proximal objective's gradient
//!   and Hessian claims of assignment 3, judged in one dimension n at a
//!   time (one sample), for n = 2, 8, 64, 512: how the cost of a sample
//!   grows with n. A gradient takes n forward passes over vectors of length
//!   n (O(n²)); a Hessian n(n+1)/2 passes with two infinitesimals (O(n³)).

use derive::diag::Source;
use derive::numeric::{judge, judge_at_dims, Config};
use derive::sema::check_file;
use derive::sema::hir::Step;
use derive::verdict::Numeric;
use divan::counter::ItemsCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// The checked steps of a source text.
fn steps(name: &str, text: &str) -> Vec<Step> {
    match check_file(&Source::new(name, text)) {
        Ok(p) => p.steps,
        Err(_) => Vec::new(),
    }
}

/// The steps of `derivations/<file>` (all `.drv` files for `all`).
fn file_steps(file: &str) -> Vec<Step> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/derivations");
    let mut paths: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "drv"))
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file != "all" && name != file {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&p) {
            out.extend(steps(name, &text));
        }
    }
    out
}

/// Valid samples an outcome reports.
fn samples(n: &Numeric) -> usize {
    match n {
        Numeric::Agrees { samples, .. } | Numeric::Refuted { samples, .. } => *samples,
        _ => 0,
    }
}

#[divan::bench(args = ["assignment1.drv", "assignment2.drv", "assignment3.drv", "all"], sample_count = 20)]
fn files(bencher: Bencher, file: &str) {
    let steps = file_steps(file);
    let cfg = Config::default();
    let total: usize = steps.iter().map(|s| samples(&judge(s, &cfg))).sum();
    bencher.counter(ItemsCount::new(total)).bench_local(|| {
        for s in &steps {
            black_box(judge(black_box(s), &cfg));
        }
    });
}

const PROX: &str = "let θ, θₜ, g: vector
let λ, ε: scalar > 0
def F(θ) = ⟨g, θ − θₜ⟩ + λ‖θ‖² + (1/ε)‖θ − θₜ‖²
";

fn one_step(claim: &str) -> Step {
    let text = format!("{PROX}{claim}\n");
    steps("bench.drv", &text)
        .pop()
        .expect("the benchmark's step checks")
}

fn at_dim(bencher: Bencher, claim: &str, n: usize) {
    let step = one_step(claim);
    let cfg = Config {
        seed: 0,
        samples: 1,
    };
    let once = judge_at_dims(&step, &cfg, &[n]);
    assert!(
        matches!(once, Numeric::Agrees { samples: 1, .. }),
        "{claim} at n = {n}: {once:?}"
    );
    bencher
        .counter(ItemsCount::new(1usize))
        .bench_local(|| black_box(judge_at_dims(black_box(&step), &cfg, &[n])));
}

#[divan::bench(args = [2, 8, 64, 512], sample_count = 10, sample_size = 1)]
fn gradient_step(bencher: Bencher, n: usize) {
    at_dim(bencher, "claim ∇_θ F = g + 2λθ + (2/ε)(θ − θₜ)", n);
}

#[divan::bench(args = [2, 8, 64, 512], sample_count = 3, sample_size = 1)]
fn hessian_step(bencher: Bencher, n: usize) {
    at_dim(bencher, "claim ∇²_θ F = (2λ + 2/ε) I", n);
}
