//! Tests of the engine boundary: exact normalisation, soundness (nothing is
//! interpreted), determinism, the linear solver, and the serialisation of
//! backend use across threads and processes.

use std::process::{Command, Stdio};
use std::time::Duration;

use derive::engine::{self, EngineError};
use derive::term::{Rat, Term};

// ---------------------------------------------------------------------------
// A tiny expression reader, for readable tests only:
// numbers, names (letters, digits, `_`, `'`), calls `f(a, b)`, + - * / ^, ( ).

fn t(src: &str) -> Term {
    let toks = lex(src);
    let mut p = Reader { toks, pos: 0 };
    let e = p.sum();
    assert_eq!(p.pos, p.toks.len(), "trailing input in {src:?}");
    e
}

fn lex(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cs: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < cs.len() && (cs[i].is_alphanumeric() || cs[i] == '_' || cs[i] == '\'') {
                i += 1;
            }
            out.push(cs[start..i].iter().collect());
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

struct Reader {
    toks: Vec<String>,
    pos: usize,
}

impl Reader {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }
    fn next(&mut self) -> String {
        self.pos += 1;
        self.toks[self.pos - 1].clone()
    }
    fn sum(&mut self) -> Term {
        let mut terms = vec![self.product()];
        while let Some(op) = self.peek().filter(|o| *o == "+" || *o == "-") {
            let neg = op == "-";
            self.next();
            let p = self.product();
            terms.push(if neg { Term::neg(p) } else { p });
        }
        if terms.len() == 1 {
            terms.remove(0)
        } else {
            Term::Add(terms)
        }
    }
    fn product(&mut self) -> Term {
        let mut acc = self.unary();
        while let Some(op) = self.peek().filter(|o| *o == "*" || *o == "/") {
            let div = op == "/";
            self.next();
            let f = self.unary();
            acc = if div {
                Term::div(acc, f)
            } else {
                Term::mul(acc, f)
            };
        }
        acc
    }
    fn unary(&mut self) -> Term {
        if self.peek() == Some("-") {
            self.next();
            return Term::neg(self.unary());
        }
        let base = self.atom();
        if self.peek() == Some("^") {
            self.next();
            return Term::pow(base, self.unary());
        }
        base
    }
    fn atom(&mut self) -> Term {
        let tok = self.next();
        if tok == "(" {
            let e = self.sum();
            assert_eq!(self.next(), ")");
            return e;
        }
        if let Ok(n) = tok.parse::<i128>() {
            return Term::int(n);
        }
        if self.peek() == Some("(") {
            self.next();
            let mut args = vec![self.sum()];
            while self.peek() == Some(",") {
                self.next();
                args.push(self.sum());
            }
            assert_eq!(self.next(), ")");
            return Term::fun(&tok, args);
        }
        Term::sym(&tok)
    }
}

/// Replaces symbols by terms.
fn subst(term: &Term, map: &[(&str, Term)]) -> Term {
    match term {
        Term::Sym(s) => map
            .iter()
            .find(|(n, _)| n == s)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| term.clone()),
        Term::Num(_) => term.clone(),
        Term::Add(v) => Term::Add(v.iter().map(|x| subst(x, map)).collect()),
        Term::Mul(v) => Term::Mul(v.iter().map(|x| subst(x, map)).collect()),
        Term::Pow(a, b) => Term::pow(subst(a, map), subst(b, map)),
        Term::Fun(f, args) => Term::Fun(f.clone(), args.iter().map(|x| subst(x, map)).collect()),
    }
}

fn zero(src: &str) -> bool {
    let term = t(src);
    engine::run(move |s| s.is_zero(&term))
        .expect("engine job")
        .expect("is_zero")
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Exact identities.

#[test]
fn proves_the_norm_identity_of_assignment_1() {
    assert!(zero("(1 - a*l)^2 + a^2*b^2 - 1 - a*((l^2 + b^2)*a - 2*l)"));
}

#[test]
fn together_proves_rational_identities() {
    assert!(zero("1/(1 + l*a) - 1 + l*a/(1 + l*a)"));
    assert!(zero("(x^2 - y^2)/(x - y) - x - y"));
}

#[test]
fn distinct_symbols_are_not_equal() {
    assert!(!zero("x - y"));
    assert!(!zero("x - 2*x"));
}

#[test]
fn square_root_of_a_square_is_not_simplified() {
    // (x²)^½ = x needs x ≥ 0: the engine must not assume it.
    assert!(!zero("(x^2)^(1/2) - x"));
    assert!(!zero("(c^2*n^2)^(1/2) - c*n"));
}

#[test]
fn every_function_is_uninterpreted() {
    assert!(zero("f(x) - f(x)"));
    assert!(!zero("f(x) - f(y)"));
    assert!(!zero("exp(a)*exp(b) - exp(a + b)"));
    assert!(!zero("log(a*b) - log(a) - log(b)"));
    assert!(!zero("sqrt(x^2) - x"));
    assert!(!zero("abs(x)^2 - x^2"));
    assert!(!zero("sin(x)^2 + cos(x)^2 - 1"));
    assert!(!zero("exp(0) - 1"));
}

#[test]
fn names_of_builtin_constants_are_plain_symbols() {
    assert!(!zero("i*i + 1"));
    assert!(!zero("e - exp(1)"));
    assert!(!zero("pi - 3"));
    assert!(zero("i - i"));
}

#[test]
fn function_arguments_are_compared_up_to_normal_form() {
    assert!(zero("f(a + b) - f(b + a)"));
    assert!(zero("g((x^2 - 1)/(x - 1), y) - g(x + 1, y)"));
    assert!(!zero("g(x, y) - g(y, x)"));
}

#[test]
fn a_name_may_be_both_a_symbol_and_a_function() {
    assert!(!zero("f*f(x) - f(x)"));
    assert!(zero("f*f(f) - f(f)*f"));
}

// ---------------------------------------------------------------------------
// Normal forms.

#[test]
fn normalize_returns_a_sorted_canonical_term() {
    let n = engine::run(|s| s.normalize(&t("b + a + a")))
        .unwrap()
        .unwrap();
    assert_eq!(
        n,
        Term::Add(vec![Term::Mul(vec![Term::int(2), t("a")]), t("b")]).sorted()
    );
    assert_eq!(n, n.sorted());
    let n = engine::run(|s| s.normalize(&t("x/2 - x/2 + 3/6")))
        .unwrap()
        .unwrap();
    assert_eq!(n, Term::Num(Rat::new(1, 2).unwrap()));
}

#[test]
fn normalize_is_deterministic() {
    let src = "1/(w - v) + f(q, p)^2/(p + q) - L'(y)*(x/n - s*w/n^3)";
    let first = engine::run(|s| s.normalize(&t(src))).unwrap().unwrap();
    // A different history: other names first, in another job.
    engine::run(|s| {
        for e in ["zz + yy + aa", "g(k) - h(m)", "u^3 - t^2"] {
            s.normalize(&t(e)).unwrap();
        }
    })
    .unwrap();
    let second = engine::run(|s| {
        s.normalize(&t("omega + alpha")).unwrap();
        s.normalize(&t(src))
    })
    .unwrap()
    .unwrap();
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    let check = Term::sub(first.clone(), t(src));
    assert!(engine::run(move |s| s.is_zero(&check)).unwrap().unwrap());
}

#[test]
fn expand_multiplies_out() {
    let (e, ok) = engine::run(|s| {
        let e = s.expand(&t("(a + b)^2")).unwrap();
        let ok = s
            .is_zero(&Term::sub(e.clone(), t("a^2 + 2*a*b + b^2")))
            .unwrap();
        (e, ok)
    })
    .unwrap();
    assert!(ok);
    assert!(matches!(&e, Term::Add(v) if v.len() == 3), "{e:?}");
}

#[test]
fn factor_factorises() {
    let (f, ok) = engine::run(|s| {
        let f = s.factor(&t("6*x^2 - 6*y^2")).unwrap();
        let ok = s
            .is_zero(&Term::sub(f.clone(), t("6*x^2 - 6*y^2")))
            .unwrap();
        (f, ok)
    })
    .unwrap();
    assert!(ok);
    match &f {
        Term::Mul(v) => {
            assert_eq!(v.len(), 3, "{f:?}");
            assert!(v.contains(&Term::int(6)), "{f:?}");
        }
        other => panic!("not a product: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Errors instead of panics.

#[test]
fn division_by_zero_is_an_error_and_the_session_survives() {
    let (a, b, c, after) = engine::run(|s| {
        let a = s.normalize(&t("1/(x - x)"));
        let b = s.is_zero(&t("1/((a + b)^2 - a^2 - 2*a*b - b^2)"));
        let c = s.factor(&t("1/((a + b)^2 - a^2 - 2*a*b - b^2)"));
        let after = s.is_zero(&t("x - x"));
        (a, b, c, after)
    })
    .unwrap();
    assert!(matches!(a, Err(EngineError::NotRational(_))), "{a:?}");
    assert!(b.is_err(), "{b:?}");
    assert!(c.is_err(), "{c:?}");
    assert_eq!(after, Ok(true));
}

#[test]
fn numbers_of_any_size_stay_exact() {
    let big = Term::mul(Term::int(i128::MAX), Term::int(i128::MAX));
    let r = engine::run(move |s| s.normalize(&big)).unwrap();
    let want = Rat::parse_fraction(
        "28948022309329048855892746252171976962977213799489202546401021394546514198529",
    )
    .unwrap();
    assert_eq!(r, Ok(Term::Num(want)));
    let fits = Term::mul(Term::int(i64::MAX as i128), Term::int(4));
    let r = engine::run(move |s| s.normalize(&fits)).unwrap();
    assert_eq!(r, Ok(Term::int(i64::MAX as i128 * 4)));
    // 3^200 + 1 − 3^200 is exactly 1.
    let d = t("3^200 + 1 - 3^200");
    let r = engine::run(move |s| s.normalize(&d)).unwrap();
    assert_eq!(r, Ok(Term::int(1)));
}

#[test]
fn a_zero_denominator_cannot_be_built() {
    // Rat keeps a positive denominator by construction: 1/0 is not a Rat.
    assert_eq!(Rat::new(1, 0), None);
    let r = engine::run(|s| s.normalize(&t("1/0"))).unwrap();
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn complex_results_are_not_rationals() {
    let r = engine::run(|s| s.normalize(&t("(-4)^(1/2)"))).unwrap();
    assert!(matches!(r, Err(EngineError::NotRational(_))), "{r:?}");
}

// ---------------------------------------------------------------------------
// The linear solver.

#[test]
fn solves_a_2x2_system() {
    let eqs = vec![t("x + y - 3"), t("x - y - 1")];
    let sol = engine::run(move |s| s.solve_linear(&eqs, &names(&["x", "y"])))
        .unwrap()
        .unwrap();
    assert_eq!(sol, Some(vec![Term::int(2), Term::int(1)]));
}

#[test]
fn solves_a_parametric_system_and_reports_its_guard() {
    let eqs = vec![t("c*x + y - 1"), t("x + c*y - 2")];
    let (sol, checks) = engine::run(move |s| {
        let sol = s
            .solve_linear_guarded(&eqs, &names(&["x", "y"]))
            .unwrap()
            .expect("a unique generic solution");
        let map = [("x", sol.values[0].clone()), ("y", sol.values[1].clone())];
        let checks: Vec<bool> = eqs
            .iter()
            .map(|e| s.is_zero(&subst(e, &map)).unwrap())
            .collect();
        (sol, checks)
    })
    .unwrap();
    assert_eq!(checks, vec![true, true]);
    assert_eq!(sol.nonzero.len(), 1, "{sol:?}");
    let guard = sol.nonzero[0].clone();
    // The guard is ±(c² − 1).
    let ok = engine::run(move |s| {
        s.is_zero(&Term::sub(guard.clone(), t("c^2 - 1"))).unwrap()
            || s.is_zero(&Term::add(guard, t("c^2 - 1"))).unwrap()
    })
    .unwrap();
    assert!(ok);
}

#[test]
fn solves_the_proximal_step() {
    // (1 + λε) θ − (θₜ − (ε/2) g) = 0, with θ, θₜ, g as scalars.
    let eqs = vec![t("(1 + lambda*eps)*theta - (theta_t - eps/2*g)")];
    let (sol, ok) = engine::run(move |s| {
        let sol = s
            .solve_linear_guarded(&eqs, &names(&["theta"]))
            .unwrap()
            .unwrap();
        let claimed = t("(theta_t - eps/2*g)/(1 + lambda*eps)");
        let ok = s
            .is_zero(&Term::sub(sol.values[0].clone(), claimed))
            .unwrap();
        (sol, ok)
    })
    .unwrap();
    assert!(ok, "{sol:?}");
    assert_eq!(sol.nonzero.len(), 1, "{sol:?}");
}

#[test]
fn no_unique_solution_is_none() {
    let r = engine::run(|s| {
        (
            s.solve_linear(&[t("x + y - 1"), t("x + y - 2")], &names(&["x", "y"])),
            s.solve_linear(&[t("x + y - 1"), t("2*x + 2*y - 2")], &names(&["x", "y"])),
            s.solve_linear(&[t("x + y - 1")], &names(&["x", "y"])),
            s.solve_linear(&[], &names(&["x"])),
        )
    })
    .unwrap();
    assert_eq!(r.0, Ok(None));
    assert_eq!(r.1, Ok(None));
    assert_eq!(r.2, Ok(None));
    assert_eq!(r.3, Ok(None));
}

#[test]
fn nonlinear_systems_and_bad_unknowns_are_errors() {
    let r = engine::run(|s| {
        (
            s.solve_linear(&[t("x^2 - 1")], &names(&["x"])),
            s.solve_linear(&[t("x*y - 1"), t("x - y")], &names(&["x", "y"])),
            s.solve_linear(&[t("f(x) - 1")], &names(&["x"])),
            s.solve_linear(&[t("x - 1")], &names(&["x", "x"])),
            s.solve_linear(&[t("x - 1")], &[]),
        )
    })
    .unwrap();
    assert_eq!(r.0, Err(EngineError::NotLinear));
    assert_eq!(r.1, Err(EngineError::NotLinear));
    assert_eq!(r.2, Err(EngineError::NotLinear));
    assert!(matches!(r.3, Err(EngineError::InvalidInput(_))));
    assert!(matches!(r.4, Err(EngineError::InvalidInput(_))));
}

// ---------------------------------------------------------------------------
// Serialisation of backend use.

#[test]
fn many_threads_share_the_engine() {
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for j in 0..3 {
                    let e = t(&format!("(a{i} + b)^2 - a{i}^2 - 2*a{i}*b - b^2 + {j}"));
                    let n = engine::run(move |s| s.normalize(&e)).unwrap().unwrap();
                    assert_eq!(n, Term::int(j));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn a_panicking_job_is_an_error() {
    let r: Result<(), _> = engine::run(|_| panic!("boom in a job"));
    assert_eq!(r, Err(EngineError::Panicked("boom in a job".to_string())));
    // The engine is usable afterwards.
    assert!(zero("x - x"));
}

#[test]
fn run_inside_a_job_is_refused() {
    let r = engine::run(|_| engine::run(|_| ()));
    assert_eq!(r, Ok(Err(EngineError::Reentrant)));
}

#[test]
fn licence_note_follows_the_environment() {
    let key = std::env::var("SYMBOLICA_LICENSE").unwrap_or_default();
    if key.trim().is_empty() {
        let note = engine::licence_note().expect("a note without a key");
        assert!(note.contains("restricted mode"));
        assert!(note.contains("SYMBOLICA_LICENSE"));
    } else {
        assert_eq!(engine::licence_note(), None);
    }
}

/// Helper for [`processes_queue_for_the_engine`]: holds the engine for a while.
#[test]
#[ignore = "helper process of processes_queue_for_the_engine"]
fn engine_holder_process() {
    let hold = std::env::var("DERIVE_ENGINE_TEST_HOLD_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1200);
    let r = engine::run(move |s| {
        let z = s.is_zero(&t("(x + 1)^2 - x^2 - 2*x - 1"));
        std::thread::sleep(Duration::from_millis(hold));
        z
    });
    println!("holder-result {r:?}");
}

#[test]
fn processes_queue_for_the_engine() {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            // Started outside any job of this process (other tests run jobs
            // meanwhile): see `engine::without_jobs`.
            engine::without_jobs(|| {
                Command::new(&exe)
                    .args([
                        "--ignored",
                        "--exact",
                        "engine_holder_process",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env("DERIVE_ENGINE_TEST_HOLD_MS", "1200")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
        })
        .collect();
    let mut waited = false;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "status {:?}\n{stdout}\n{stderr}",
            out.status
        );
        assert!(
            stdout.contains("holder-result Ok(Ok(true))"),
            "{stdout}\n{stderr}"
        );
        // The backend's banner never reaches stdout.
        assert!(!stdout.contains("Symbolica"), "{stdout}");
        if let Some(note) = engine::licence_note() {
            assert!(stderr.contains(note), "{stderr}");
        }
        waited |= stderr.contains("waiting for the Symbolica engine");
    }
    assert!(waited, "no process reported waiting");
}

/// Child processes started while jobs run on other threads: each is started
/// inside `engine::without_jobs`, so no child inherits the backend's thread
/// allowance between fork and exec, and no job finds it taken (which made the
/// backend abort the whole test process, about one run in ten, before).
#[test]
fn starting_processes_while_jobs_run_never_aborts() {
    let spawner = std::thread::spawn(|| {
        for _ in 0..600 {
            let child = engine::without_jobs(|| {
                Command::new("true")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
            });
            child.expect("true starts").wait().expect("true ends");
        }
    });
    for i in 0..600 {
        let e = t(&format!("(a + {i})^2 - a^2 - {}*a - {}", 2 * i, i * i));
        assert_eq!(engine::run(move |s| s.is_zero(&e)), Ok(Ok(true)));
    }
    spawner.join().unwrap();
}
