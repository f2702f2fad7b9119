//! Helpers shared by test binaries that run engine jobs in-process and also
//! start child processes.

use std::io;
use std::process::{Command, Output, Stdio};

/// Like [`Command::output`], but the child is started inside
/// [`derive::engine::without_jobs`], so it never inherits the engine's
/// per-thread allowance from a job running on another test thread.
pub fn output(cmd: &mut Command) -> io::Result<Output> {
    let child = derive::engine::without_jobs(|| {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    })?;
    child.wait_with_output()
}
