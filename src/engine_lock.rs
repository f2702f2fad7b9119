//! Process plumbing for the engine: the per-user lock that serialises engine
//! jobs across processes, the temporary redirection of stdout to stderr, and
//! quiet capture of panics.
//!
//! This file is included by `src/engine.rs` as its private submodule `lock`;
//! it knows nothing of the computer-algebra backend itself.
//!
//! Invariants:
//! - [`UserLock`] holds an exclusive `flock` on one file per user
//!   (`$TMPDIR/derive-engine-<uid>.lock`) for as long as it lives; dropping
//!   it closes the file, which releases the lock. The file descriptor is
//!   close-on-exec, so child processes never inherit the lock.
//! - [`StdoutToStderr`] points file descriptor 1 at file descriptor 2 for as
//!   long as it lives and restores the original descriptor on drop (also
//!   while unwinding), flushing Rust's stdout buffer on both edges.
//! - [`catch_quietly`] turns a panic of its operation into an error message
//!   without printing it; panics elsewhere still reach the previous hook.

use std::any::Any;
use std::cell::Cell;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

/// How long [`UserLock::acquire`] polls quietly before it says it is waiting.
const QUIET_WAIT: Duration = Duration::from_secs(1);
/// Poll interval while waiting quietly.
const POLL: Duration = Duration::from_millis(20);

/// The numeric user id of this process.
fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The lock file shared by every process of this user.
pub(super) fn lock_path() -> PathBuf {
    std::env::temp_dir().join(format!("derive-engine-{}.lock", uid()))
}

/// An exclusive per-user advisory lock; released when dropped.
#[derive(Debug)]
pub(super) struct UserLock {
    _file: File,
}

impl UserLock {
    /// Blocks until this process holds the per-user lock. If the lock is not
    /// free within about a second, prints `waiting_message` once on stderr
    /// and then blocks without further output.
    ///
    /// Errors (as a human-readable message) only when the lock file cannot be
    /// opened or locked at all.
    pub(super) fn acquire(waiting_message: &str) -> Result<UserLock, String> {
        let path = lock_path();
        let file = open_lock_file(&path).map_err(|e| {
            format!(
                "cannot open the engine lock file {}: {e} (set TMPDIR to a writable directory)",
                path.display()
            )
        })?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(UserLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < QUIET_WAIT => {
                    std::thread::sleep(POLL)
                }
                Err(TryLockError::WouldBlock) => break,
                Err(TryLockError::Error(e)) => {
                    return Err(format!("cannot lock {}: {e}", path.display()))
                }
            }
        }
        eprintln!("{waiting_message}");
        file.lock()
            .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        Ok(UserLock { _file: file })
    }
}

#[cfg(unix)]
fn open_lock_file(path: &std::path::Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_lock_file(path: &std::path::Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// While alive, everything written to file descriptor 1 goes to file
/// descriptor 2. Restores descriptor 1 on drop.
#[derive(Debug)]
pub(super) struct StdoutToStderr {
    saved: libc::c_int,
}

impl StdoutToStderr {
    /// Flushes stdout, then points descriptor 1 at descriptor 2.
    pub(super) fn start() -> Result<StdoutToStderr, String> {
        flush_all();
        // SAFETY: dup/dup2 only manipulate this process's descriptor table;
        // every return value is checked.
        unsafe {
            let saved = libc::dup(1);
            if saved < 0 {
                return Err(format!(
                    "dup(1) failed: {}",
                    std::io::Error::last_os_error()
                ));
            }
            if libc::dup2(2, 1) < 0 {
                let err = std::io::Error::last_os_error();
                libc::close(saved);
                return Err(format!("dup2(2, 1) failed: {err}"));
            }
            Ok(StdoutToStderr { saved })
        }
    }
}

impl Drop for StdoutToStderr {
    fn drop(&mut self) {
        flush_all();
        // SAFETY: `saved` is a descriptor this guard owns (from dup above).
        unsafe {
            libc::dup2(self.saved, 1);
            libc::close(self.saved);
        }
    }
}

/// Flushes Rust's stdout buffer and every C stdio stream.
fn flush_all() {
    let _ = std::io::stdout().flush();
    // SAFETY: fflush(NULL) flushes all open C output streams; always valid.
    unsafe {
        libc::fflush(std::ptr::null_mut());
    }
}

thread_local! {
    /// True while an operation runs under [`catch_quietly`] on this thread.
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the current panic hook, once per process, so that panics inside
/// [`catch_quietly`] are not printed; all other panics are passed on.
pub(super) fn install_quiet_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info)
            }
        }));
    });
}

/// Runs `op`; a panic inside becomes `Err(message)` and is not printed
/// (once [`install_quiet_panic_hook`] has run).
pub(super) fn catch_quietly<T>(op: impl FnOnce() -> T) -> Result<T, String> {
    let was_quiet = QUIET_PANICS.with(|q| q.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(op));
    QUIET_PANICS.with(|q| q.set(was_quiet));
    outcome.map_err(|payload| panic_message(payload.as_ref()))
}

/// The message of a panic payload.
pub(super) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
