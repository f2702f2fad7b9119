//! The computer-algebra engine: the only module of derive that uses the
//! Symbolica crate.
//!
//! Everything crosses this boundary as a [`Term`]; no backend type leaks out.
//! Invariants kept here:
//!
//! - **One backend thread per user.** Symbolica in restricted mode aborts the
//!   process when a second thread of the same user (in this or another
//!   process) touches it. [`run`] therefore takes a process-wide mutex and a
//!   per-user file lock, runs the job on a fresh thread, joins it (which
//!   releases the backend's per-thread allowance) and only then releases the
//!   locks. No other code path calls the backend; a [`Session`] cannot leave
//!   its job thread (it is neither `Send` nor `Sync`).
//! - **Children never hold the allowance.** The backend's per-thread
//!   allowance is an open file descriptor (close-on-exec). A child process
//!   forked while a job runs holds a copy of it until it calls `exec`, and a
//!   job started in that window finds the allowance taken and the backend
//!   aborts. Code that runs jobs and starts processes in one process starts
//!   them inside [`without_jobs`] (`Command::spawn` returns after `exec`).
//! - **stdout stays ours.** The backend prints a restricted-mode banner on
//!   stdout the first time it is used in a process. That first use happens
//!   with file descriptor 1 pointed at stderr, so the banner reaches the user
//!   on stderr and stdout carries only derive's own output. derive adds its
//!   own one-line note ([`licence_note`]) once per process while the backend
//!   runs unlicensed.
//! - **Nothing is interpreted.** Every name of a [`Term`] is mapped to a
//!   generated backend symbol (`x0`, `x1`, … in derive's namespace), never to
//!   a builtin such as `exp`, `log`, `sqrt` or `abs`, so every function stays
//!   uninterpreted. A symbol in a result that derive did not create is an
//!   error, never a guess.
//! - **Deterministic output.** Within one call the generated symbols are
//!   assigned in the sorted order of the names they stand for, and every
//!   returned term is [`Term::sorted`]; results do not depend on which jobs
//!   ran before in the process.
//! - **No panics escape.** A panic in the backend becomes
//!   [`EngineError::Backend`] for that one call; a panic in the job becomes
//!   [`EngineError::Panicked`].

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use symbolica::coefficient::CoefficientView;
use symbolica::license::LicenseManager;
use symbolica::prelude::*;
use symbolica::solve::{SolutionCondition, SolveCoverage, SolveError};
use symbolica::GLOBAL_SETTINGS;

use crate::term::{Rat, Term};

#[path = "engine_lock.rs"]
mod lock;

/// The environment variable that carries a Symbolica license key.
pub const LICENSE_ENV: &str = "SYMBOLICA_LICENSE";

/// What derive says on stderr, once per process, while Symbolica is unlicensed.
pub const LICENCE_NOTE: &str = "note: Symbolica runs in restricted mode (non-commercial use, one engine thread per user); set SYMBOLICA_LICENSE to a license key to lift this.";

/// Printed once on stderr when another derive process holds the engine for
/// more than about a second.
const WAITING_MESSAGE: &str =
    "derive: waiting for the Symbolica engine (another derive process is using it)…";

/// Stack size of the job thread: deep expressions recurse deeply.
const JOB_STACK: usize = 64 << 20;

/// Errors of the engine. Every failure is one of these; nothing panics.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The job closure passed to [`run`] panicked; carries the panic message.
    #[error("the engine job panicked: {0}")]
    Panicked(String),
    /// The backend failed (panicked) inside one operation, e.g. when it had to
    /// invert an expression that is identically zero.
    #[error("the algebra backend failed: {0}")]
    Backend(String),
    /// A rational number in a result could not be read back.
    #[error("a number in the result could not be read: {0}")]
    Overflow(String),
    /// The input or the result is past the step's budget (see
    /// [`Budget`]): too many terms, too large a power or number, or the
    /// step's time is up. The engine refuses before it starts the work.
    #[error("too large to check symbolically: {0}")]
    TooLarge(String),
    /// A result contains a number that is not an exact rational: infinity or
    /// an undefined value (division by zero), a complex or a floating-point
    /// number.
    #[error("the result contains a number that is not an exact rational (division by zero, complex or floating-point): {0}")]
    NotRational(String),
    /// A result contains a symbol or function derive did not create (for
    /// instance a builtin constant).
    #[error("the result contains a symbol derive did not create: {0}")]
    UnknownSymbol(String),
    /// The input is malformed (a zero denominator, repeated unknowns, …).
    #[error("invalid input to the engine: {0}")]
    InvalidInput(String),
    /// [`Session::solve_linear`] was given a system that is not linear in
    /// its unknowns.
    #[error("the system is not linear in the requested unknowns")]
    NotLinear,
    /// The solver reported an error that is not "no unique solution".
    #[error("the solver failed: {0}")]
    Solver(String),
    /// The per-user engine lock could not be taken.
    #[error("{0}")]
    Lock(String),
    /// The job thread could not be started.
    #[error("could not start the engine thread: {0}")]
    Spawn(String),
    /// stdout could not be redirected around the backend's first use.
    #[error("could not redirect stdout around the engine's start-up: {0}")]
    Redirect(String),
    /// [`run`] was called from inside a job, which would deadlock.
    #[error("engine::run was called from inside an engine job")]
    Reentrant,
}

/// [`LICENCE_NOTE`] unless the environment carries a license key
/// (`SYMBOLICA_LICENSE` set and non-empty). For callers that want to show
/// the note themselves; [`run`] already prints it once per process on stderr
/// whenever the backend is actually unlicensed.
pub fn licence_note() -> Option<&'static str> {
    match licence_key() {
        Some(_) => None,
        None => Some(LICENCE_NOTE),
    }
}

fn licence_key() -> Option<String> {
    std::env::var(LICENSE_ENV)
        .ok()
        .filter(|k| !k.trim().is_empty())
}

static ENGINE: Mutex<()> = Mutex::new(());
static FIRST_USE_DONE: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// True on a job thread, for the whole life of the thread.
    static IN_JOB: Cell<bool> = const { Cell::new(false) };
}

/// Runs `job` on a fresh thread that is the only thread using the backend.
///
/// Concurrent callers in this process queue on a process-wide mutex;
/// concurrent derive processes of the same user queue on an advisory file
/// lock in the temporary directory (after about a second of waiting, one line
/// on stderr says so). Both are taken before the job thread starts and
/// released only after it has ended, so the backend's per-thread allowance is
/// free again before the next job starts. A panic in `job` is returned as
/// [`EngineError::Panicked`]. Calling `run` from inside a job returns
/// [`EngineError::Reentrant`] instead of deadlocking.
pub fn run<R: Send>(job: impl FnOnce(&mut Session) -> R + Send) -> Result<R, EngineError> {
    if IN_JOB.with(Cell::get) {
        return Err(EngineError::Reentrant);
    }
    lock::install_quiet_panic_hook();
    let _process = ENGINE.lock().unwrap_or_else(PoisonError::into_inner);
    let _user = lock::UserLock::acquire(WAITING_MESSAGE).map_err(EngineError::Lock)?;
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("derive-engine".to_string())
            .stack_size(JOB_STACK)
            .spawn_scoped(scope, move || {
                IN_JOB.with(|f| f.set(true));
                first_use_in_process()?;
                let mut session = Session {
                    symbols: Vec::new(),
                    deadline: None,
                    _not_send: PhantomData,
                };
                Ok(job(&mut session))
            })
            .map_err(|e| EngineError::Spawn(e.to_string()))?;
        // `join` waits until the thread has fully ended, thread-local
        // destructors included.
        handle.join().unwrap_or_else(|payload| {
            Err(EngineError::Panicked(lock::panic_message(payload.as_ref())))
        })
    })
}

/// Runs `f` while no engine job runs in this process, and returns its value.
///
/// Start child processes inside it (`Command::spawn`, which returns once the
/// child has called `exec`; wait for the child outside). Between `fork` and
/// `exec` a child holds a copy of every descriptor of its parent, the
/// backend's per-thread allowance included, and a job starting in that window
/// would make the backend abort the whole process. Takes only the
/// process-wide mutex, not the per-user lock. Inside a job it simply runs `f`:
/// no other job can start before the calling job ends.
pub fn without_jobs<R>(f: impl FnOnce() -> R) -> R {
    if IN_JOB.with(Cell::get) {
        return f();
    }
    let _process = ENGINE.lock().unwrap_or_else(PoisonError::into_inner);
    f()
}

/// On the first job of the process: registers the license key, if any, and
/// makes the backend's first use (which prints its banner) with stdout
/// pointed at stderr; then prints [`LICENCE_NOTE`] if the backend is
/// unlicensed. Runs on the job thread, under both locks.
fn first_use_in_process() -> Result<(), EngineError> {
    if FIRST_USE_DONE.load(Ordering::SeqCst) {
        return Ok(());
    }
    // The backend's default log subscriber writes to stdout; without it, its
    // log messages (e.g. "created infinity") are dropped. Such conditions
    // reach the caller as errors anyway.
    GLOBAL_SETTINGS
        .initialize_tracing
        .store(false, Ordering::SeqCst);
    let licensed = {
        let _redirect = lock::StdoutToStderr::start().map_err(EngineError::Redirect)?;
        // The backend's first use happens below, inside the redirect; it
        // prints the banner at most once per process.
        FIRST_USE_DONE.store(true, Ordering::SeqCst);
        if let Some(key) = licence_key() {
            if let Err(e) = LicenseManager::set_license_key(&key) {
                let reason = e.lines().rev().find(|l| !l.trim().is_empty());
                eprintln!(
                    "warning: the key in {LICENSE_ENV} was not accepted: {}",
                    reason.unwrap_or("no reason given").trim()
                );
            }
        }
        let warm_up = try_symbol!("x0").map_err(|e| EngineError::Backend(e.to_string()))?;
        let _ = (Atom::var(warm_up) + Atom::num(1)).together();
        LicenseManager::is_licensed()
    };
    if !licensed {
        eprintln!("{LICENCE_NOTE}");
    }
    Ok(())
}

/// Runs one backend operation; a panic inside becomes [`EngineError::Backend`]
/// and is not printed.
fn guarded<T>(op: impl FnOnce() -> Result<T, EngineError>) -> Result<T, EngineError> {
    lock::catch_quietly(op).unwrap_or_else(|message| Err(EngineError::Backend(message)))
}

/// A unique solution of a linear system (see [`Session::solve_linear_guarded`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearSolution {
    /// `values[i]` is the value of the `i`-th unknown, in canonical form
    /// (sorted); it contains none of the unknowns.
    pub values: Vec<Term>,
    /// The solution is the unique one wherever every term here is nonzero
    /// (e.g. the determinant of the system). Canonical, sorted, without
    /// duplicates and without nonzero constants; empty when the solution
    /// holds unconditionally.
    pub nonzero: Vec<Term>,
}

/// Per-job access to the backend. Only [`run`] creates one, on the job
/// thread; it cannot be sent to another thread.
///
/// Holds the cache of generated backend symbols (`x0`, `x1`, …). The mapping
/// from names to those symbols is rebuilt for every call, from the sorted
/// names of that call's input, so a result depends only on the input.
pub struct Session {
    symbols: Vec<Symbol>,
    deadline: Option<std::time::Instant>,
    _not_send: PhantomData<*const ()>,
}

/// The limits every engine call keeps, so that no step hangs, exhausts
/// memory or holds the engine (which other derive processes wait for).
/// Invariant: every public operation of [`Session`] checks its input
/// against them before the backend sees it, and its result after.
pub struct Budget;

impl Budget {
    /// Most nodes in one input term.
    pub const INPUT_NODES: usize = 20_000;
    /// Most nodes in one result term.
    pub const RESULT_NODES: usize = 200_000;
    /// Largest integer exponent on a symbol or function application.
    pub const EXPONENT: u64 = (1 << 31) - 1;
    /// Highest degree [`Session::factor`] accepts.
    pub const FACTOR_DEGREE: u64 = 256;
    /// Most terms the expansion of one power of a sum may have.
    pub const EXPANDED_TERMS: f64 = 20_000.0;
    /// Most bits the expansion of one power of a sum may have (terms
    /// times the bits of its largest coefficient).
    pub const EXPANDED_BITS: f64 = 4.0e5;
    /// Time of one step's symbolic work, set by [`Session::set_deadline`].
    pub const STEP_TIME: std::time::Duration = std::time::Duration::from_secs(4);
}

/// Checks `t` against [`Budget`]: its size, its powers, and constant
/// exponents (evaluated exactly within the size limits of [`Rat::pow`]).
pub fn within_budget(t: &Term) -> Result<(), EngineError> {
    let nodes = size(t);
    if nodes > Budget::INPUT_NODES {
        return Err(EngineError::TooLarge(format!(
            "an expression of {nodes} terms (at most {})",
            Budget::INPUT_NODES
        )));
    }
    powers_within_budget(t)
}

/// The largest integer exponent (in absolute value) anywhere in `t`
/// (saturating).
fn max_exponent(t: &Term) -> u64 {
    match t {
        Term::Num(_) | Term::Sym(_) => 0,
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => {
            v.iter().map(max_exponent).max().unwrap_or(0)
        }
        Term::Pow(b, e) => {
            let here = match e.as_ref() {
                Term::Num(r) => u64::try_from(r.numer().magnitude()).unwrap_or(u64::MAX),
                _ => 0,
            };
            here.max(max_exponent(b)).max(max_exponent(e))
        }
    }
}

/// Node count of a term.
pub fn size(t: &Term) -> usize {
    match t {
        Term::Num(_) | Term::Sym(_) => 1,
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => 1 + v.iter().map(size).sum::<usize>(),
        Term::Pow(a, b) => 1 + size(a) + size(b),
    }
}

/// The exact value of a constant term, `Err` when a power in it is too
/// large to compute, `Ok(None)` when it is not constant.
fn constant(t: &Term) -> Result<Option<Rat>, EngineError> {
    Ok(match t {
        Term::Num(r) => Some(r.clone()),
        Term::Sym(_) | Term::Fun(..) => None,
        Term::Add(v) => {
            let mut acc = Rat::zero();
            for x in v {
                match constant(x)? {
                    Some(c) => acc = acc.add(&c),
                    None => return Ok(None),
                }
            }
            Some(acc)
        }
        Term::Mul(v) => {
            let mut acc = Rat::one();
            for x in v {
                match constant(x)? {
                    Some(c) => acc = acc.mul(&c),
                    None => return Ok(None),
                }
            }
            Some(acc)
        }
        Term::Pow(b, e) => match (constant(b)?, constant(e)?) {
            (Some(b), Some(e)) if e.is_int() => match b.pow(&e) {
                Some(p) => Some(p),
                None if b.is_zero() => return Ok(None),
                None => {
                    return Err(EngineError::TooLarge(format!(
                        "a number of more than {} bits ({}^{})",
                        crate::rat::MAX_POW_BITS,
                        b,
                        short(&e)
                    )))
                }
            },
            _ => None,
        },
    })
}

/// A number shown briefly (`10^9` stays readable, 400 digits do not).
fn short(r: &Rat) -> String {
    let s = r.to_string();
    if s.len() > 24 {
        format!("{}… ({} digits)", &s[..12], s.len())
    } else {
        s
    }
}

fn powers_within_budget(t: &Term) -> Result<(), EngineError> {
    match t {
        Term::Num(_) | Term::Sym(_) => Ok(()),
        Term::Add(v) | Term::Mul(v) | Term::Fun(_, v) => {
            v.iter().try_for_each(powers_within_budget)
        }
        Term::Pow(b, e) => {
            powers_within_budget(b)?;
            powers_within_budget(e)?;
            let Some(k) = constant(e)? else {
                return Ok(());
            };
            if constant(b)?.is_some() {
                // A constant power: `constant` computed it within limits,
                // or it is an exact root the backend keeps symbolic.
                return constant(t).map(|_| ());
            }
            let k_abs = k.numer().magnitude().clone();
            let too_big = |what: String| Err(EngineError::TooLarge(what));
            if k_abs > num_bigint::BigUint::from(Budget::EXPONENT) {
                return too_big(format!(
                    "a power with exponent {} (at most {})",
                    short(&k),
                    Budget::EXPONENT
                ));
            }
            if let Term::Add(terms) = b.as_ref() {
                // Terms of the expansion: C(k + m − 1, m − 1).
                let m = terms.len() as f64;
                let kk: f64 = k_abs.to_string().parse().unwrap_or(f64::INFINITY);
                let mut count = 1.0f64;
                let mut i = 1.0;
                while i < m && count <= Budget::EXPANDED_TERMS {
                    count *= (kk + i) / i;
                    i += 1.0;
                }
                // Its coefficients have up to about k·log₂(m) bits each.
                if count > Budget::EXPANDED_TERMS || count * kk * m.log2() > Budget::EXPANDED_BITS {
                    return too_big(format!(
                        "a power of a sum of {} terms with exponent {} (its expansion has more than {} terms)",
                        terms.len(),
                        short(&k),
                        Budget::EXPANDED_TERMS
                    ));
                }
            }
            Ok(())
        }
    }
}

impl Session {
    /// Sets the time by which the current step's symbolic work must end
    /// (`None`: no limit). Calls after it fail with
    /// [`EngineError::TooLarge`].
    pub fn set_deadline(&mut self, deadline: Option<std::time::Instant>) {
        self.deadline = deadline;
    }

    /// `Err(TooLarge)` once the step's deadline has passed.
    pub fn check_time(&self) -> Result<(), EngineError> {
        match self.deadline {
            Some(d) if std::time::Instant::now() > d => Err(EngineError::TooLarge(format!(
                "the step's time ({} s) is up",
                Budget::STEP_TIME.as_secs()
            ))),
            _ => Ok(()),
        }
    }

    /// Canonical form of `t`: the backend's `together()` (one fraction of
    /// expanded, coprime numerator and denominator), converted back and
    /// [`Term::sorted`]. Arguments of functions are brought to the same
    /// canonical form first, so `f((x^2-1)/(x-1)) - f(x+1)` normalises to 0.
    pub fn normalize(&mut self, t: &Term) -> Result<Term, EngineError> {
        self.unary(t, |a| a.together())
    }

    /// True iff the canonical form of `t` is exactly 0, i.e. `t` is zero as a
    /// rational function of its symbols and (uninterpreted) function
    /// applications. Errors when the canonical form is undefined (division
    /// by zero).
    pub fn is_zero(&mut self, t: &Term) -> Result<bool, EngineError> {
        let names = self.names(std::slice::from_ref(t), &[])?;
        guarded(|| {
            let canonical = to_atom(t, &names)?.together();
            check_defined(canonical.as_view())?;
            Ok(canonical.is_zero())
        })
    }

    /// `expand()` of `t` (products and integer powers of sums multiplied
    /// out), converted back and sorted; function arguments canonical.
    pub fn expand(&mut self, t: &Term) -> Result<Term, EngineError> {
        self.unary(t, |a| a.expand())
    }

    /// Factorised form of a polynomial or rational term over the rationals,
    /// converted back and sorted; function arguments canonical.
    pub fn factor(&mut self, t: &Term) -> Result<Term, EngineError> {
        let degree = max_exponent(t);
        if degree > Budget::FACTOR_DEGREE {
            return Err(EngineError::TooLarge(format!(
                "factoring a polynomial of degree {degree} (at most {})",
                Budget::FACTOR_DEGREE
            )));
        }
        self.unary(t, |a| a.factor())
    }

    /// Solves the linear system `eqs[i] = 0` for the symbols `vars`.
    /// `Ok(Some(values))` gives `values[i]` for `vars[i]`; `Ok(None)` when the
    /// system has no unique solution (inconsistent or underdetermined).
    /// The solution is the generic one: with symbolic coefficients it holds
    /// where the conditions of [`Session::solve_linear_guarded`] hold.
    /// Errors with [`EngineError::NotLinear`] when an equation is not linear
    /// in `vars`.
    pub fn solve_linear(
        &mut self,
        eqs: &[Term],
        vars: &[String],
    ) -> Result<Option<Vec<Term>>, EngineError> {
        Ok(self.solve_linear_guarded(eqs, vars)?.map(|s| s.values))
    }

    /// Like [`Session::solve_linear`], and also returns the expressions that
    /// must be nonzero for the solution to be the unique one.
    pub fn solve_linear_guarded(
        &mut self,
        eqs: &[Term],
        vars: &[String],
    ) -> Result<Option<LinearSolution>, EngineError> {
        if vars.is_empty() {
            return Err(EngineError::InvalidInput("no unknowns to solve for".into()));
        }
        let distinct: BTreeSet<&String> = vars.iter().collect();
        if distinct.len() != vars.len() {
            return Err(EngineError::InvalidInput(
                "an unknown is listed twice".into(),
            ));
        }
        if eqs.is_empty() {
            return Ok(None);
        }
        let names = self.names(eqs, vars)?;
        guarded(|| solve(eqs, vars, &names))
    }

    /// Applies `op` to `t` in the backend and converts the result back.
    fn unary(&mut self, t: &Term, op: fn(&Atom) -> Atom) -> Result<Term, EngineError> {
        let names = self.names(std::slice::from_ref(t), &[])?;
        guarded(|| {
            let result = op(&to_atom(t, &names)?);
            let back = from_view(result.as_view(), &names)?;
            let nodes = size(&back);
            if nodes > Budget::RESULT_NODES {
                return Err(EngineError::TooLarge(format!(
                    "a result of {nodes} terms (at most {})",
                    Budget::RESULT_NODES
                )));
            }
            Ok(back.sorted())
        })
    }

    /// The generated symbol number `i`; creates `x0..=xi` in order, so that
    /// the backend's symbol order agrees with the numbering.
    fn symbol(&mut self, i: usize) -> Result<Symbol, EngineError> {
        while self.symbols.len() <= i {
            let name = format!("x{}", self.symbols.len());
            let s = guarded(|| {
                try_symbol!(name.as_str()).map_err(|e| EngineError::Backend(e.to_string()))
            })?;
            self.symbols.push(s);
        }
        Ok(self.symbols[i])
    }

    /// The name mapping for one call: every symbol and function name of
    /// `terms`, plus `extra` symbols, numbered in sorted order.
    fn names<'t>(
        &mut self,
        terms: &'t [Term],
        extra: &'t [String],
    ) -> Result<Names<'t>, EngineError> {
        self.check_time()?;
        terms.iter().try_for_each(within_budget)?;
        let mut keys = BTreeSet::new();
        for t in terms {
            collect_names(t, &mut keys);
        }
        keys.extend(extra.iter().map(|v| (Kind::Sym, v.as_str())));
        let mut names = Names::default();
        for (i, (kind, name)) in keys.into_iter().enumerate() {
            let s = self.symbol(i)?;
            match kind {
                Kind::Sym => names.syms.insert(name, s),
                Kind::Fun => names.funs.insert(name, s),
            };
            names.back.insert(s, (kind, name));
        }
        Ok(names)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Sym,
    Fun,
}

/// One call's mapping between opaque names and generated backend symbols.
#[derive(Default)]
struct Names<'t> {
    syms: HashMap<&'t str, Symbol>,
    funs: HashMap<&'t str, Symbol>,
    back: HashMap<Symbol, (Kind, &'t str)>,
}

impl Names<'_> {
    fn get(&self, kind: Kind, name: &str) -> Result<Symbol, EngineError> {
        let map = match kind {
            Kind::Sym => &self.syms,
            Kind::Fun => &self.funs,
        };
        map.get(name)
            .copied()
            .ok_or_else(|| EngineError::InvalidInput(format!("unmapped name {name}")))
    }

    fn name_of(&self, kind: Kind, s: Symbol) -> Result<String, EngineError> {
        match self.back.get(&s) {
            Some((k, name)) if *k == kind => Ok((*name).to_string()),
            _ => Err(EngineError::UnknownSymbol(s.get_name().to_string())),
        }
    }
}

fn collect_names<'t>(t: &'t Term, keys: &mut BTreeSet<(Kind, &'t str)>) {
    match t {
        Term::Num(_) => {}
        Term::Sym(s) => {
            keys.insert((Kind::Sym, s));
        }
        Term::Add(v) | Term::Mul(v) => v.iter().for_each(|x| collect_names(x, keys)),
        Term::Pow(a, b) => {
            collect_names(a, keys);
            collect_names(b, keys);
        }
        Term::Fun(f, args) => {
            keys.insert((Kind::Fun, f));
            args.iter().for_each(|x| collect_names(x, keys));
        }
    }
}

/// Builds the backend expression of `t`; function arguments are brought to
/// canonical form (`together`).
fn to_atom(t: &Term, names: &Names) -> Result<Atom, EngineError> {
    let all = |v: &[Term]| {
        v.iter()
            .map(|x| to_atom(x, names))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match t {
        Term::Num(r) => big_number(r),
        Term::Sym(s) => Atom::var(names.get(Kind::Sym, s)?),
        Term::Add(v) if v.is_empty() => Atom::num(0),
        Term::Add(v) => Atom::add_many(all(v)?),
        Term::Mul(v) if v.is_empty() => Atom::num(1),
        Term::Mul(v) => Atom::mul_many(all(v)?),
        Term::Pow(a, b) => to_atom(a, names)?.pow(to_atom(b, names)?),
        Term::Fun(f, args) => {
            let args: Vec<Atom> = all(args)?.iter().map(|a| a.together()).collect();
            names.get(Kind::Fun, f)?.call_args(args)
        }
    })
}

/// Converts a backend expression back to a [`Term`] (not yet sorted).
fn from_view(v: AtomView<'_>, names: &Names) -> Result<Term, EngineError> {
    let all = |it: &mut dyn Iterator<Item = AtomView<'_>>| {
        it.map(|x| from_view(x, names))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match v {
        AtomView::Num(n) => Term::Num(coefficient(n.get_coeff_view(), v)?),
        AtomView::Var(x) => Term::Sym(names.name_of(Kind::Sym, x.get_symbol())?),
        AtomView::Fun(f) => Term::Fun(
            names.name_of(Kind::Fun, f.get_symbol())?,
            all(&mut f.iter())?,
        ),
        AtomView::Pow(p) => {
            let (base, exp) = p.get_base_exp();
            Term::pow(from_view(base, names)?, from_view(exp, names)?)
        }
        AtomView::Mul(m) => nary(all(&mut m.iter())?, Term::Mul, 1),
        AtomView::Add(a) => nary(all(&mut a.iter())?, Term::Add, 0),
    })
}

/// A sum or product of `items`, keeping [`Term`]'s "at least two operands".
fn nary(mut items: Vec<Term>, make: fn(Vec<Term>) -> Term, unit: i128) -> Term {
    match items.len() {
        0 => Term::int(unit),
        1 => items.remove(0),
        _ => make(items),
    }
}

/// The exact rational value of a backend number.
fn coefficient(c: CoefficientView<'_>, whole: AtomView<'_>) -> Result<Rat, EngineError> {
    match c {
        CoefficientView::Natural(num, den, 0, _) => Rat::new(i128::from(num), i128::from(den))
            .ok_or_else(|| EngineError::NotRational(whole.to_string())),
        CoefficientView::Large(re, im) if im.is_zero() => {
            let printed = re.to_rat().to_string();
            parse_rational(&printed).ok_or(EngineError::Overflow(printed))
        }
        _ => Err(EngineError::NotRational(whole.to_string())),
    }
}

/// Parses `p` or `p/q` into a [`Rat`] (integers of any size).
fn parse_rational(s: &str) -> Option<Rat> {
    Rat::parse_fraction(s)
}

/// The backend number of an exact rational of any size: small ones
/// directly, large ones as exact arithmetic on base-2³² digits, split in
/// halves (hi·2^(32k) + lo), so that building one costs a few large
/// multiplications, not one per digit.
fn big_number(r: &Rat) -> Atom {
    if let Some(pair) = r.to_i64_pair() {
        return Atom::num(pair);
    }
    fn build(words: &[u32]) -> Atom {
        match words {
            [] => Atom::num(0),
            [w] => Atom::num(i64::from(*w)),
            _ => {
                let mid = words.len() / 2;
                let shift = Atom::num(2).pow(Atom::num(32 * mid as i64));
                build(&words[mid..]) * shift + build(&words[..mid])
            }
        }
    }
    let int = |n: &num_bigint::BigInt| {
        let (sign, words) = n.to_u32_digits();
        let v = build(&words);
        if sign == num_bigint::Sign::Minus {
            -v
        } else {
            v
        }
    };
    int(r.numer()) / int(r.denom())
}

/// Errors when `v` contains infinity or an undefined number.
fn check_defined(v: AtomView<'_>) -> Result<(), EngineError> {
    let undefined = |c: CoefficientView<'_>| {
        matches!(
            c,
            CoefficientView::Infinity(_) | CoefficientView::Indeterminate
        )
    };
    match v {
        AtomView::Num(n) if undefined(n.get_coeff_view()) => {
            Err(EngineError::NotRational(v.to_string()))
        }
        AtomView::Num(_) | AtomView::Var(_) => Ok(()),
        AtomView::Fun(f) => f.iter().try_for_each(check_defined),
        AtomView::Pow(p) => p.iter().try_for_each(check_defined),
        AtomView::Mul(m) => m.iter().try_for_each(check_defined),
        AtomView::Add(a) => a.iter().try_for_each(check_defined),
    }
}

/// The body of [`Session::solve_linear_guarded`], inside [`guarded`].
fn solve(
    eqs: &[Term],
    vars: &[String],
    names: &Names,
) -> Result<Option<LinearSolution>, EngineError> {
    let system = eqs
        .iter()
        .map(|e| to_atom(e, names))
        .collect::<Result<Vec<_>, _>>()?;
    let unknowns = vars
        .iter()
        .map(|v| names.get(Kind::Sym, v))
        .collect::<Result<Vec<_>, _>>()?;
    // Linear iff every second derivative in the unknowns vanishes.
    for e in &system {
        for &x in &unknowns {
            let dx = e.derivative(x);
            for &y in &unknowns {
                if !dx.derivative(y).together().is_zero() {
                    return Err(EngineError::NotLinear);
                }
            }
        }
    }
    let unknown_atoms: Vec<Atom> = unknowns.iter().map(|&s| Atom::var(s)).collect();
    let set = match AtomView::solve(&system).wrt(&unknown_atoms) {
        Ok(set) => set,
        Err(SolveError::NonLinearSystem) => return Err(EngineError::NotLinear),
        Err(
            SolveError::Inconsistent
            | SolveError::Underdetermined { .. }
            | SolveError::NotPoint
            | SolveError::NonSquareSystem
            | SolveError::EmptySystem,
        ) => return Ok(None),
        Err(e) => return Err(EngineError::Solver(e.to_string())),
    };
    let mut nonzero: Vec<&Atom> = match set.coverage() {
        SolveCoverage::Complete => Vec::new(),
        SolveCoverage::Generic => set.coverage_guard().iter().collect(),
        _ => return Ok(None),
    };
    let branch = match (set.len(), set.get(0)) {
        (1, Some(b)) if b.free_variables().is_empty() => b,
        _ => return Ok(None),
    };
    for condition in branch.conditions() {
        match condition {
            SolutionCondition::NonZero(a) => nonzero.push(a),
            _ => return Ok(None),
        }
    }
    let mut values = Vec::with_capacity(unknowns.len());
    for &s in &unknowns {
        match branch.get(&PolyVariable::Symbol(s)) {
            Some(a) => values.push(from_view(a.together().as_view(), names)?.sorted()),
            None => return Ok(None),
        }
    }
    let mut guards = BTreeSet::new();
    for a in nonzero {
        match from_view(a.together().as_view(), names)?.sorted() {
            Term::Num(r) if r.is_zero() => return Ok(None),
            Term::Num(_) => {}
            g => {
                guards.insert(g);
            }
        }
    }
    Ok(Some(LinearSolution {
        values,
        nonzero: guards.into_iter().collect(),
    }))
}
