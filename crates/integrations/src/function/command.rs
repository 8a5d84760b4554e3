//! Functions run as local commands: one process per invocation.
//!
//! The contract is the smallest one any language can meet: the event is JSON on stdin (closed
//! after it), the result is JSON on stdout, exit 0. Everything else is reported the way Lambda
//! reports it, so a definition's `Retry`/`Catch` behave as on AWS:
//!
//! - exit non-zero with a JSON object with `errorType` on stdout (or as the last line of
//!   stderr): the function's own error (`errorType` is the error name, the object the cause),
//!   as Lambda's runtimes report an exception;
//! - exit non-zero otherwise: `Runtime.ExitError`, `RequestId: ID Error: Runtime exited with
//!   error: exit status N`, with the end of stderr added to the cause so the user sees why;
//! - still running after `timeout_seconds`: the process is killed and the error is
//!   `Sandbox.Timedout`, `RequestId: ID Error: Task timed out after N.00 seconds`;
//! - cannot be started: `Runtime.InvalidEntrypoint`, with the config field to fix.
//!
//! The process inherits Switchback's environment plus what Lambda sets
//! (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_VERSION`, `AWS_REQUEST_ID`), the
//! `SWITCHBACK_IDEMPOTENCY_KEY` of the attempt, `SWITCHBACK_TASK_TOKEN` for
//! `.waitForTaskToken`, and the configured `env`. stderr is the function's log: each line is
//! logged (tracing target `switchback::function`) and its end is kept for errors.
//!
//! # No invocation outlives its call, or the server
//!
//! An invocation is one process *group*: the process is started as the leader of a new group
//! (`setpgid(0, 0)`), and its children (a shell's commands, a worker pool) join it unless they
//! leave on purpose (`setsid`). The whole group is killed (`kill(-pgid, SIGKILL)`) when the
//! invocation times out, when the call is dropped (the engine's `TimeoutSeconds`, a stopped
//! execution), and when the process exits, so a background process it left behind does not
//! run on beside the next invocation. Killing only the leader, as before, left a shell
//! wrapper's `sleep` or `node` running after `Sandbox.Timedout`.
//!
//! On Linux the process also asks the kernel for `SIGKILL` when Switchback dies
//! (`PR_SET_PDEATHSIG`, set between fork and exec), so a server killed with `kill -9`, or
//! crashing, takes its running invocations with it and a restarted server never finds an old
//! invocation still running beside the retry of the same task. The signal is the kernel's
//! and reaches the group's leader only (the setting is not inherited by the leader's own
//! children): a wrapper script should `exec` its program. Strictly, the kernel sends it when
//! the *thread* that started the process ends; these are the integrations' runtime worker
//! threads, which end only when the integrations shut down, when every call is cancelled
//! anyway. Elsewhere (macOS, BSD) there is no such setting; timeouts and cancellation still
//! kill the group.
//!
//! # Concurrency
//!
//! At most `[lambda] max_concurrency` invocations of command functions run at once (default
//! 4 per core), across all functions: each process costs memory and a core, and a `Map` with a
//! thousand items must not fork a thousand interpreters. Past the limit an invocation waits for
//! a slot; if it waits longer than its function's `timeout_seconds`, it fails as Lambda fails
//! a throttled invocation, `Lambda.TooManyRequestsException` (which `Retry` can handle, as on
//! AWS). An `Event` invocation waits as long as it takes, as Lambda queues asynchronous
//! invocations; a `DryRun` takes no slot.

use std::process::{ExitStatus, Stdio};
use std::sync::Arc;

use bytes::Bytes;
use switchback_engine::task::TaskOutcome;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::result::{
    lambda_error_payload, service_exception_cause, Invocation, InvocationType, InvokeResponse,
};
use crate::config::CommandFunction;

/// The slots of `[lambda] max_concurrency`, shared by every command function.
#[derive(Debug, Clone)]
pub(crate) struct Slots {
    semaphore: Arc<Semaphore>,
    /// The limit, for messages.
    limit: usize,
}

impl Slots {
    /// `limit` slots; the configuration checks that it is between 1 and
    /// [`Semaphore::MAX_PERMITS`].
    pub fn new(limit: usize) -> Slots {
        let limit = limit.clamp(1, Semaphore::MAX_PERMITS);
        Slots {
            semaphore: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    /// Waits for a slot, for at most `function`'s timeout. `Err` is Lambda's throttling error.
    async fn acquire(
        &self,
        function: &CommandFunction,
        invocation: &Invocation,
        config_file: &str,
    ) -> Result<OwnedSemaphorePermit, TaskOutcome> {
        let wait = self.semaphore.clone().acquire_owned();
        match tokio::time::timeout(function.timeout, wait).await {
            Ok(Ok(permit)) => Ok(permit),
            // Err(Closed) cannot happen (the semaphore is never closed); refuse all the same.
            Ok(Err(_)) | Err(_) => Err(TaskOutcome::Failed {
                error: "Lambda.TooManyRequestsException".into(),
                cause: format!(
                    "{} Switchback runs at most {} invocations of local functions at once (`max_concurrency` in the [lambda] table of {config_file}), and this invocation of {} waited {} s, its function's timeout, for one to finish.",
                    service_exception_cause(
                        "Rate Exceeded.",
                        429,
                        "TooManyRequestsException",
                        &invocation.request_id,
                    ),
                    self.limit,
                    invocation.function.name,
                    function.timeout.as_secs()
                ),
            }),
        }
    }

    /// Waits for a slot for as long as it takes (asynchronous invocations).
    async fn acquire_patiently(&self) -> Option<OwnedSemaphorePermit> {
        self.semaphore.clone().acquire_owned().await.ok()
    }
}

/// Lambda's limit on a synchronous response (6 MB).
const MAX_RESPONSE_BYTES: usize = 6_291_556;
/// How much of the end of stderr is kept for error causes and `LogResult` (as Lambda's 4 KB).
const LOG_TAIL_BYTES: usize = 4096;

/// Invokes `function` as Lambda would for `invocation`'s invocation type, in one of `slots`.
/// `Err` is how the task ends when the invocation is throttled.
pub(crate) async fn invoke(
    function: &CommandFunction,
    invocation: Invocation,
    config_file: &str,
    slots: &Slots,
) -> Result<InvokeResponse, TaskOutcome> {
    match invocation.invocation_type {
        InvocationType::RequestResponse => {
            let _slot = slots.acquire(function, &invocation, config_file).await?;
            Ok(run(function, &invocation, config_file).await)
        }
        InvocationType::DryRun => Ok(InvokeResponse::local(
            &invocation,
            204,
            Bytes::new(),
            None,
            None,
        )),
        InvocationType::Event => {
            // Accepted now, run in the background (this is always called on the integrations'
            // runtime, which outlives the call).
            let accepted = InvokeResponse::local(&invocation, 202, Bytes::new(), None, None);
            let function = function.clone();
            let config_file = config_file.to_string();
            let slots = slots.clone();
            tokio::spawn(async move {
                let Some(_slot) = slots.acquire_patiently().await else {
                    return;
                };
                let response = run(&function, &invocation, &config_file).await;
                if response.function_error.is_some() {
                    tracing::warn!(
                        target: "switchback::function",
                        function = %invocation.function.name,
                        request_id = %invocation.request_id,
                        "asynchronous invocation failed: {}",
                        String::from_utf8_lossy(&response.payload)
                    );
                }
            });
            Ok(accepted)
        }
    }
}

/// Runs the process once and waits for it (or its timeout).
async fn run(
    function: &CommandFunction,
    invocation: &Invocation,
    config_file: &str,
) -> InvokeResponse {
    let request_id = &invocation.request_id;
    let mut command = tokio::process::Command::new(&function.program);
    command
        .args(&function.args)
        .current_dir(&function.cwd)
        .env("AWS_LAMBDA_FUNCTION_NAME", &invocation.function.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REQUEST_ID", request_id)
        .env("SWITCHBACK_IDEMPOTENCY_KEY", &*invocation.idempotency_key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match &invocation.task_token {
        Some(token) => command.env("SWITCHBACK_TASK_TOKEN", &**token),
        None => command.env_remove("SWITCHBACK_TASK_TOKEN"),
    };
    match &invocation.client_context {
        Some(context) => command.env("SWITCHBACK_CLIENT_CONTEXT", context),
        None => command.env_remove("SWITCHBACK_CLIENT_CONTEXT"),
    };
    command.envs(function.env.iter().map(|(k, v)| (k, v)));
    own_process_group(&mut command);

    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let payload = lambda_error_payload(
                "Runtime.InvalidEntrypoint",
                format!(
                    "RequestId: {request_id} Error: fork/exec {}: {e}",
                    function.program.display()
                ),
                &[(
                    "hint",
                    format!(
                        "Switchback could not start `{}` (working directory {}). Check `{}` in {config_file}.",
                        function.display,
                        function.cwd.display(),
                        function.field
                    ),
                )],
            );
            return InvokeResponse::local(invocation, 200, payload, Some("Unhandled"), None);
        }
    };

    // Declared after `child`, so dropped before it: the group is killed while its leader is
    // not yet reaped, and its id cannot have been reused.
    let mut group = ProcessGroup::of(&child);

    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut stderr_tail = Vec::new();
    let event = invocation.event.clone();
    let name = invocation.function.name.as_str();

    let finished = async {
        let write = async {
            if let Some(mut stdin) = stdin {
                // A function may exit without reading its event: that is not an error here.
                let _ = stdin.write_all(&event).await;
                let _ = stdin.shutdown().await;
            }
        };
        let read = async {
            match stdout {
                Some(stdout) => read_capped(stdout, MAX_RESPONSE_BYTES).await,
                None => (Vec::new(), 0),
            }
        };
        let log = async {
            if let Some(stderr) = stderr {
                read_log(stderr, &mut stderr_tail, name, request_id).await;
            }
        };
        let ((), (output, total), ()) = tokio::join!(write, read, log);
        let status = child.wait().await;
        (output, total, status)
    };

    let (output, total, status) = match tokio::time::timeout(function.timeout, finished).await {
        Ok(done) => done,
        Err(_) => {
            group.kill();
            let _ = child.start_kill();
            let _ = child.wait().await;
            let payload = lambda_error_payload(
                "Sandbox.Timedout",
                format!(
                    "RequestId: {request_id} Error: Task timed out after {:.2} seconds",
                    function.timeout.as_secs_f64()
                ),
                &[("stderr", tail_text(&stderr_tail))],
            );
            let log = log_result(invocation, &stderr_tail);
            return InvokeResponse::local(invocation, 200, payload, Some("Unhandled"), log);
        }
    };
    // What the function left running in the background ends with the invocation.
    group.kill();
    let log = log_result(invocation, &stderr_tail);

    let status = match status {
        Ok(status) => status,
        Err(e) => {
            let payload = lambda_error_payload(
                "Runtime.ExitError",
                format!("RequestId: {request_id} Error: Runtime exited with error: {e}"),
                &[("stderr", tail_text(&stderr_tail))],
            );
            return InvokeResponse::local(invocation, 200, payload, Some("Unhandled"), log);
        }
    };

    if status.success() {
        if total > MAX_RESPONSE_BYTES {
            let payload = lambda_error_payload(
                "Function.ResponseSizeTooLarge",
                format!(
                    "Response payload size ({total} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
                ),
                &[],
            );
            return InvokeResponse::local(invocation, 200, payload, Some("Unhandled"), log);
        }
        return InvokeResponse::local(invocation, 200, Bytes::from(output), None, log);
    }

    // The function's own error: a JSON object with `errorType`, on stdout or as the last line
    // of stderr (where a handler that prints its result may have put it).
    let handled = error_object(&output).or_else(|| {
        let tail = String::from_utf8_lossy(&stderr_tail).into_owned();
        tail.lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .and_then(|line| error_object(line.as_bytes()))
    });
    let payload = match handled {
        Some(text) => Bytes::from(text),
        None => lambda_error_payload(
            "Runtime.ExitError",
            format!(
                "RequestId: {request_id} Error: Runtime exited with error: {}",
                exit_description(status)
            ),
            &[("stderr", tail_text(&stderr_tail))],
        ),
    };
    InvokeResponse::local(invocation, 200, payload, Some("Unhandled"), log)
}

/// Starts the process as the leader of a new process group and, on Linux, has the kernel kill
/// it when Switchback dies (see the module docs).
fn own_process_group(command: &mut tokio::process::Command) {
    #[cfg(unix)]
    command.process_group(0);
    #[cfg(target_os = "linux")]
    {
        // SAFETY: the closure runs in the forked child before exec, where only
        // async-signal-safe calls are allowed; prctl and getppid are system calls that
        // allocate nothing and take no lock, and the errors returned carry only an OS code.
        let parent = std::process::id();
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                // Switchback died between fork and prctl: the signal will never come. (An OS
                // error code, not a message: allocating is not safe here.)
                if u32::try_from(libc::getppid()).ok() != Some(parent) {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// An invocation's process group, killed once: on timeout, when the process has exited, or
/// when dropped (a cancelled call).
struct ProcessGroup {
    /// The group's id (the leader's pid), until killed.
    #[cfg_attr(not(unix), allow(dead_code))]
    pgid: Option<i32>,
}

impl ProcessGroup {
    fn of(child: &tokio::process::Child) -> ProcessGroup {
        // Never 0 or 1 (or negative): kill(-1) would signal every process we may signal.
        let pgid = child
            .id()
            .and_then(|pid| i32::try_from(pid).ok())
            .filter(|pid| *pid > 1);
        ProcessGroup { pgid }
    }

    /// Sends SIGKILL to every process of the group (ESRCH, no process left, is fine).
    fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid.take() {
            // SAFETY: kill has no memory-safety preconditions; `pgid` > 1, so `-pgid` names
            // exactly this group.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads all of `reader`, keeping at most `cap` bytes (and one more, to tell that it was
/// over), and returns the bytes kept and the total read.
async fn read_capped(mut reader: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, usize) {
    let mut kept = Vec::new();
    let mut total = 0usize;
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                total += n;
                if kept.len() <= cap {
                    kept.extend_from_slice(&buffer[..n]);
                }
            }
        }
    }
    (kept, total)
}

/// Logs each line of the function's stderr and keeps its end in `tail`.
async fn read_log(
    reader: impl AsyncRead + Unpin,
    tail: &mut Vec<u8>,
    function: &str,
    request_id: &str,
) {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                tracing::info!(
                    target: "switchback::function",
                    function,
                    request_id,
                    "{}",
                    String::from_utf8_lossy(&line).trim_end()
                );
                tail.extend_from_slice(&line);
                if tail.len() > 2 * LOG_TAIL_BYTES {
                    let cut = tail.len() - LOG_TAIL_BYTES;
                    tail.drain(..cut);
                }
            }
        }
    }
}

/// The last [`LOG_TAIL_BYTES`] of the log, as text.
fn tail_text(tail: &[u8]) -> String {
    let start = tail.len().saturating_sub(LOG_TAIL_BYTES);
    String::from_utf8_lossy(&tail[start..]).trim().to_string()
}

/// `LogResult` for `LogType: Tail`: the end of the log, base64.
fn log_result(invocation: &Invocation, tail: &[u8]) -> Option<String> {
    use base64::Engine as _;
    invocation.log_tail.then(|| {
        let start = tail.len().saturating_sub(LOG_TAIL_BYTES);
        base64::engine::general_purpose::STANDARD.encode(&tail[start..])
    })
}

/// The text, trimmed, if it is a JSON object with a string `errorType`.
fn error_object(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("errorType")?.as_str()?;
    Some(text)
}

/// How the process ended, as Lambda words it (`exit status 1`, `signal: killed`).
fn exit_description(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            let name = match signal {
                1 => "hangup".to_string(),
                2 => "interrupt".to_string(),
                6 => "aborted".to_string(),
                7 => "bus error".to_string(),
                9 => "killed".to_string(),
                11 => "segmentation fault".to_string(),
                13 => "broken pipe".to_string(),
                15 => "terminated".to_string(),
                other => other.to_string(),
            };
            return format!("signal: {name}");
        }
    }
    status.to_string()
}
