//! Function processes left behind by a server that was killed.
//!
//! A function runs as a process of its own (`[functions.NAME] command`). When the server dies
//! of SIGKILL, the kernel kills each function's first process (`PR_SET_PDEATHSIG`, set by the
//! integrations), but not what that process started: a shell wrapper's `sleep` or `python3`
//! lives on. The restarted server dispatches the unfinished task again, so without this the old
//! invocation could run beside the new one.
//!
//! So every function process of a server carries a mark in its environment (inherited from the
//! server: [`MARKER`] set to the data directory), and a server that starts on a data directory
//! (holding its lock, so no live server owns it) first kills every process that still carries
//! that directory's mark. An environment variable survives `fork` and `exec` into every
//! descendant and cannot be confused with a reused process id. Linux only (`/proc`); elsewhere
//! only the first process of each invocation is covered.

use std::path::{Path, PathBuf};

/// The environment variable that marks a server's function processes.
pub const MARKER: &str = "SWITCHBACK_SERVE_DATA_DIR";

/// The form of the data directory the mark holds (absolute, so that both servers write it
/// alike whatever their working directory).
fn marked(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// Marks the function processes this server will start. Call it before any thread starts:
/// the environment is process-wide.
pub fn mark_function_processes(dir: &Path) {
    std::env::set_var(MARKER, marked(dir));
}

/// Kills (SIGKILL) every process that carries `dir`'s mark, except this one; returns how many.
/// Call it while holding the data directory's lock, before any execution resumes.
#[cfg(target_os = "linux")]
pub fn kill_leftovers(dir: &Path) -> usize {
    let mut wanted = format!("{MARKER}=").into_bytes();
    wanted.extend_from_slice(marked(dir).as_os_str().as_encoded_bytes());
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut killed = 0;
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        // Another user's process, or one that just ended: not ours to judge.
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|var| var == wanted.as_slice())
        {
            let Ok(pid) = libc::pid_t::try_from(pid) else {
                continue;
            };
            // SAFETY: `kill` has no memory-safety preconditions; the worst outcome of a
            // stale pid is ESRCH.
            if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                killed += 1;
            }
        }
    }
    killed
}

/// Elsewhere there is no `/proc` to look in.
#[cfg(not(target_os = "linux"))]
pub fn kill_leftovers(_dir: &Path) -> usize {
    0
}
