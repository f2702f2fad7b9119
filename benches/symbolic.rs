//! Benchmark of the symbolic judge on growing inputs (issue: symbolic
//! vector calculus). Run with `cargo bench --bench symbolic`.
//!
//! Two families, for k = 1, 2, 4, 8, 16:
//! - `norm-sum`: claim ∇_w ‖Σₖ cₖ (w + vₖ)‖² = 2 (Σₖ cₖ) Σₖ cₖ (w + vₖ);
//! - `quotients`: claim ∇_w Πₖ (wᵀxₖ/‖w‖) = (the product rule written out);
//! - `roots`: solve Πₖ (t − k) = 0 for t, the product multiplied out, in
//!   derive mode (factor, k roots, each verified by substitution).
//!
//! All the Symbolica work of one measurement runs inside one engine job, as
//! `derive check` does; the time per step is the median of several runs.

use std::time::Instant;

use derive::diag::Source;
use derive::engine;
use derive::sema::check_file;
use derive::symbolic;
use derive::verdict::Symbolic;

fn norm_sum(k: usize) -> String {
    let vs: Vec<String> = (1..=k).map(|i| format!("v{i}")).collect();
    let cs: Vec<String> = (1..=k).map(|i| format!("c{i}")).collect();
    let sum: Vec<String> = (0..k)
        .map(|i| format!("{} (w + {})", cs[i], vs[i]))
        .collect();
    let csum = cs.join(" + ");
    format!(
        "let w, {}: vector\nlet {}: scalar\nclaim ∇_w ‖{}‖² = 2 ({csum}) ({})\n",
        vs.join(", "),
        cs.join(", "),
        sum.join(" + "),
        sum.join(" + ")
    )
}

fn quotients(k: usize) -> String {
    let xs: Vec<String> = (1..=k).map(|i| format!("x{i}")).collect();
    let q = |i: usize| format!("(wᵀ{}/‖w‖)", xs[i]);
    let prod: Vec<String> = (0..k).map(q).collect();
    // ∇ (wᵀx/‖w‖) = x/‖w‖ − (wᵀx) w/‖w‖³
    let terms: Vec<String> = (0..k)
        .map(|i| {
            let others: Vec<String> = (0..k).filter(|j| *j != i).map(q).collect();
            let d = format!("({}/‖w‖ − (wᵀ{}) w/‖w‖³)", xs[i], xs[i]);
            if others.is_empty() {
                d
            } else {
                format!("{} {d}", others.join(" "))
            }
        })
        .collect();
    format!(
        "let w, {}: vector\nclaim ∇_w {} = {}\n",
        xs.join(", "),
        prod.join(" "),
        terms.join(" + ")
    )
}

fn roots(k: usize) -> String {
    // Coefficients of Π_{i=1..k} (t − i), lowest degree first.
    let mut c: Vec<i128> = vec![1];
    for i in 1..=k as i128 {
        let mut next = vec![0i128; c.len() + 1];
        for (d, ci) in c.iter().enumerate() {
            next[d + 1] += ci;
            next[d] -= i * ci;
        }
        c = next;
    }
    let terms: Vec<String> = c
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, ci)| **ci != 0)
        .map(|(d, ci)| match d {
            0 => format!("({ci})"),
            1 => format!("({ci}) t"),
            _ => format!("({ci}) t^{d}"),
        })
        .collect();
    format!("let t: scalar\nsolve {} = 0 for t\n", terms.join(" + "))
}

fn measure(name: &str, k: usize, text: &str) {
    let src = Source::new(format!("{name}-{k}"), text);
    let program = check_file(&src).expect("benchmark input parses");
    let step = &program.steps[0];
    let runs = if k >= 16 { 5 } else { 9 };
    let (times, proved) = engine::run(|s| {
        let mut times = Vec::new();
        let mut proved = true;
        for _ in 0..runs {
            let t = Instant::now();
            let v = symbolic::judge(step, s);
            times.push(t.elapsed().as_secs_f64());
            proved &= matches!(v, Symbolic::Proved { .. });
        }
        (times, proved)
    })
    .expect("engine runs");
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = sorted[sorted.len() / 2];
    println!(
        "{name:<10} k = {k:>2}: {:>10.3} ms per step (median of {runs}){}",
        median * 1e3,
        if proved { "" } else { "  [NOT PROVED]" }
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing
    // special: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let ks: &[usize] = if quick { &[1, 2] } else { &[1, 2, 4, 8, 16] };
    for &k in ks {
        measure("norm-sum", k, &norm_sum(k));
    }
    for &k in ks {
        measure("quotients", k, &quotients(k));
    }
    for &k in ks {
        measure("roots", k, &roots(k));
    }
}
