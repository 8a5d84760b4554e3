//! `switchback serve`: the Step Functions API over HTTP, durable on embedded SQLite.
//!
//! Startup: resolve the settings ([`super::config`]), lock and open the data directory, bind
//! the listener, start the execution runtime (which resumes every RUNNING execution), then
//! serve. On SIGTERM or Ctrl-C (SIGINT): stop accepting, let the requests in flight finish
//! (for at most [`DRAIN_LIMIT`], or until a second signal), stop the runtime's workers, close
//! the store (the writer commits what is queued), and exit 0.

use std::fs::File;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use switchback_api::hosts::HostPolicy;
use switchback_api::{router, ApiConfig, AppState};
use switchback_runtime::{Runtime, RuntimeConfig, Services};
use switchback_store::{executions, Store, StoreConfig};
use tokio::sync::watch;

pub use super::config::ServeArgs;
use super::config::{DataLocation, Settings};

/// How long requests in flight may take to finish after the first stop signal.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// The file, inside the data directory, that one server at a time holds locked.
const LOCK_FILE: &str = "switchback.lock";

/// Runs the server until a stop signal; returns once everything is flushed and closed.
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    survive_file_size_limit();
    let settings = Settings::resolve(&args)?;
    if let Some(file) = &settings.config_file {
        tracing::info!(file = %file.display(), "configuration file read");
    }
    // Before any thread starts (the integrations start theirs below): the function processes
    // inherit the mark, so that a restart after a crash can find what they left running.
    if let DataLocation::Dir(dir) = &settings.data {
        super::leftovers::mark_function_processes(dir);
    }

    // Functions, connections and mocks are checked before anything starts: a mistake in a
    // file stops the server with a message naming the file and the field.
    let integrations = super::tasks::integrations(
        settings.integrations.clone(),
        settings.config_file.as_deref(),
    )?;
    let mocks = match &settings.mock_config {
        Some(path) => {
            let config = super::tasks::mock_config(path)?;
            tracing::info!(file = %path.display(), "mock configuration read");
            Some(Arc::new(config))
        }
        None => None,
    };

    // The data directory first: a second server on the same directory must stop here.
    let (store, _lock) = open_store(&settings)?;
    // Holding the lock: what still carries this directory's mark was started by a server that
    // died, and must not run beside the invocations dispatched again below.
    if let DataLocation::Dir(dir) = &settings.data {
        let killed = super::leftovers::kill_leftovers(dir);
        if killed > 0 {
            tracing::warn!(
                processes = killed,
                "killed function processes left running by a server that was killed"
            );
        }
    }
    let resumed = store
        .read_blocking(executions::running)
        .map(|running| running.len())
        .map_err(|e| anyhow!("cannot read the store in {}: {e}", settings.data.describe()))?;

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("switchback-http")
        .build()
        .context("cannot start the HTTP runtime")?;

    // Bind before starting the workers, so that a busy port costs no resumed execution.
    let listener = tokio.block_on(bind(&settings.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listener's address")?;

    // Idle until the child starter is installed: see `Runtime::start_idle`.
    let runtime = Runtime::start_idle(
        store.clone(),
        RuntimeConfig {
            identity: settings.identity(),
            limits: settings.limits(),
            workers: settings.workers,
            retention: settings.retention(),
            clock: switchback_engine::Clock::system().faster(settings.time_scale),
            ..RuntimeConfig::default()
        },
        Services {
            tasks: Some(super::tasks::shared(integrations)),
            mocks,
        },
    )
    .map_err(|e| anyhow!("cannot start the execution runtime: {e}"))?;

    let state = AppState {
        store: store.clone(),
        runtime: runtime.clone(),
        config: Arc::new(ApiConfig {
            identity: settings.identity(),
            hosts: HostPolicy::new(Some(addr), settings.allowed_hosts.clone()),
            auth: settings
                .auth
                .clone()
                .map(|keys| Arc::new(switchback_api::sessions::Auth::new(keys))),
            ..ApiConfig::default()
        }),
    };
    // What resumed tasks need is in place; now the stored executions go on.
    switchback_api::child_start::ApiChildStarter::install(&state);
    runtime
        .resume_stored()
        .map_err(|e| anyhow!("cannot resume the stored executions: {e}"))?;
    warn_about_access(&settings, addr);

    let served = tokio.block_on(async {
        // Signal handlers are in place before the server says it is ready: a SIGTERM sent
        // right after the first answer must drain, not kill.
        let stops = watch_stop_signals()?;
        tracing::info!(
            addr = %addr,
            data_dir = %settings.data.describe(),
            executions_resumed = resumed,
            workers = settings.workers,
            region = %settings.region,
            account_id = %settings.account_id,
            "listening"
        );
        eprintln!(
            "switchback: serving the Step Functions API and the console on http://{addr} (data: {})",
            settings.data.describe()
        );
        let app = switchback_console::router(state.clone(), console_closing(stops.clone()))
            .merge(router(state));
        close_long_polls(runtime.clone(), stops.clone());
        serve(listener, app, stops).await
    });

    // HTTP is done: no request can reach the runtime any more.
    runtime.shutdown();
    store.close_blocking();
    drop(tokio);
    served?;
    tracing::info!("stopped");
    eprintln!("switchback: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ignores `SIGXFSZ`. A write past the process's file-size limit (`ulimit -f`, a systemd
/// `LimitFSIZE=`) would otherwise kill the server on the spot, like a crash; ignored, the
/// write fails with `EFBIG` and the store treats it as a full disk: writes are refused, reads
/// keep working, and writes resume once the limit is raised. (Processes the server starts,
/// such as local functions, inherit the disposition: they get `EFBIG` too, not the signal.)
fn survive_file_size_limit() {
    #[cfg(unix)]
    // SAFETY: sets one signal's disposition to "ignore"; no handler code is involved.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Says, loudly, when the server can be reached from other machines without authentication
/// (anyone who reaches it can run workflows, and workflows run commands), and when the file
/// holding the access keys can be read by other users.
fn warn_about_access(settings: &Settings, addr: std::net::SocketAddr) {
    if settings.auth.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            addr = %addr,
            "listening on a non-loopback address without authentication: anyone who can reach \
             this address can create and run workflows; add access keys under [auth] in \
             switchback.toml to require signed requests"
        );
        eprintln!(
            "switchback: WARNING: listening on {addr} without authentication: anyone who can \
             reach this address can create and run workflows (and the commands they call). \
             To require signed requests, add to switchback.toml:\n    [auth]\n    \
             [[auth.keys]]\n    access_key_id = \"...\"\n    secret_access_key = \"...\"\n\
             or listen on 127.0.0.1 only (--listen 127.0.0.1:{})",
            addr.port()
        );
    }
    if !addr.ip().is_loopback() && settings.allowed_hosts.is_empty() {
        eprintln!(
            "switchback: requests must name this server by IP address or localhost; to reach it \
             by a host name, list the name with --allowed-hosts (or allowed_hosts in \
             switchback.toml)"
        );
    }
    if let Some(keys) = &settings.auth {
        tracing::info!(keys = ?keys, "SigV4 authentication on");
        #[cfg(unix)]
        if let Some(file) = &settings.config_file {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(file) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(
                        file = %file.display(),
                        "the configuration file holds secret access keys and other users can \
                         read it: chmod 600 it"
                    );
                }
            }
        }
    }
}

/// Opens the store of `settings`, with the data directory's lock when it is on disk.
fn open_store(settings: &Settings) -> Result<(Store, Option<DirLock>)> {
    match &settings.data {
        DataLocation::InMemory => {
            let store = Store::open(StoreConfig::in_memory())
                .map_err(|e| anyhow!("cannot open an in-memory store: {e}"))?;
            Ok((store, None))
        }
        DataLocation::Dir(dir) => {
            create_private_dir(dir).map_err(|e| {
                anyhow!(
                    "cannot create the data directory {}: {e}. Make it writable by this user, \
                     pass --data-dir to use another directory, or --in-memory to keep nothing",
                    dir.display()
                )
            })?;
            let lock = DirLock::acquire(dir)?;
            let config = StoreConfig::on_disk(dir).with_synchronous(settings.fsync.synchronous());
            // The database holds every workflow's inputs and outputs: the files the store
            // creates are for this user only (SQLite gives its -wal and -shm files the mode
            // of the database file).
            let store = with_private_umask(|| Store::open(config)).map_err(|e| {
                if e.is_full() {
                    // The error names the directory and says what to do.
                    return anyhow!("cannot open the store: {e}");
                }
                anyhow!(
                    "cannot open the store in the data directory {}: {e}. Check that this user \
                     can write the directory and its files and that it is on a local file \
                     system, or pass --data-dir to use another directory",
                    dir.display()
                )
            })?;
            make_files_private(dir);
            Ok((store, Some(lock)))
        }
    }
}

/// Creates the data directory (and its missing parents) readable by this user only (0700).
/// An existing directory keeps its mode, with a warning when others may enter it: it may be
/// shared on purpose, and the files inside are private anyway.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        if let Ok(meta) = std::fs::metadata(dir) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    data_dir = %dir.display(),
                    mode = format!("{:o}", meta.permissions().mode() & 0o777),
                    "other users can enter the data directory: chmod 700 it"
                );
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Runs `f` (which creates the store's files) with the process's umask at 0o077, so nothing
/// it creates is readable by others, then puts the umask back (children the server spawns,
/// such as local functions, keep the user's).
fn with_private_umask<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(unix)]
    {
        // SAFETY: umask only swaps the process's file-creation mask; it cannot fail.
        let previous = unsafe { libc::umask(0o077) };
        let result = f();
        // SAFETY: as above.
        unsafe { libc::umask(previous) };
        result
    }
    #[cfg(not(unix))]
    {
        f()
    }
}

/// The server's files in the data directory, made 0600: files of an older server, created
/// under a wider umask, are tightened too.
fn make_files_private(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = name == LOCK_FILE || name.starts_with(switchback_store::DATABASE_FILE);
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if ours && meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                if let Err(e) =
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))
                {
                    tracing::warn!(file = %entry.path().display(), error = %e, "cannot make the file private");
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Binds the listener, with errors that say what to do.
async fn bind(listen: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                anyhow!("address {listen} in use: pass --listen to choose another port")
            }
            std::io::ErrorKind::PermissionDenied => anyhow!(
                "permission denied to listen on {listen}: ports below 1024 need privileges; \
                 pass --listen to choose another port"
            ),
            std::io::ErrorKind::AddrNotAvailable => anyhow!(
                "cannot listen on {listen}: that address is not one of this machine's; \
                 pass --listen with a local address, e.g. 127.0.0.1:8083"
            ),
            _ => anyhow!("cannot listen on {listen}: {e}"),
        })
}

/// A flag that turns true at the first stop signal, so the console's live streams end and
/// do not hold up the drain.
fn console_closing(mut stops: watch::Receiver<u32>) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        if stops.wait_for(|n| *n >= 1).await.is_ok() {
            let _ = tx.send(true);
        }
        // Keep the sender until the streams have seen it.
        tx.closed().await;
    });
    rx
}

/// At the first stop signal, answers the `GetActivityTask` long polls (with no task), so that
/// the drain does not wait a minute for them.
fn close_long_polls(runtime: Runtime, mut stops: watch::Receiver<u32>) {
    tokio::spawn(async move {
        if stops.wait_for(|n| *n >= 1).await.is_ok() {
            runtime.begin_shutdown();
        }
    });
}

/// Serves until the first stop signal, then drains for at most [`DRAIN_LIMIT`] (a second
/// signal stops waiting).
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stops: watch::Receiver<u32>,
) -> Result<()> {
    let mut first = stops.clone();
    let graceful = async move {
        let _ = first.wait_for(|n| *n >= 1).await;
    };
    let server = axum::serve(listener, app).with_graceful_shutdown(graceful);

    let mut later = stops;
    let give_up = async move {
        if later.wait_for(|n| *n >= 1).await.is_err() {
            return std::future::pending().await;
        }
        tokio::select! {
            _ = later.wait_for(|n| *n >= 2) => {
                tracing::warn!("second stop signal: not waiting for the requests in flight");
            }
            () = tokio::time::sleep(DRAIN_LIMIT) => {
                tracing::warn!(
                    limit_s = DRAIN_LIMIT.as_secs(),
                    "requests still in flight after the drain limit: stopping anyway"
                );
            }
        }
    };

    tokio::select! {
        result = server.into_future() => result.context("the HTTP server failed"),
        () = give_up => Ok(()),
    }
}

/// Installs the handlers of SIGTERM and SIGINT (Ctrl-C); the returned receiver counts the
/// signals received.
fn watch_stop_signals() -> Result<watch::Receiver<u32>> {
    let (count, receiver) = watch::channel(0u32);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term =
            signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
        let mut int =
            signal(SignalKind::interrupt()).context("cannot install the SIGINT handler")?;
        tokio::spawn(async move {
            loop {
                let name = tokio::select! {
                    Some(()) = term.recv() => "SIGTERM",
                    Some(()) = int.recv() => "SIGINT",
                    else => return,
                };
                count.send_modify(|n| *n += 1);
                let n = *count.borrow();
                tracing::info!(signal = name, "stop signal received");
                if n == 1 {
                    eprintln!(
                        "switchback: {name} received, finishing the requests in flight \
                         (again to stop at once)"
                    );
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                count.send_modify(|n| *n += 1);
                tracing::info!(signal = "Ctrl-C", "stop signal received");
            }
        });
    }
    Ok(receiver)
}

/// An exclusive lock on the data directory, held for the life of the process (the operating
/// system releases it when the process ends, however it ends). Two servers on one directory
/// would both resume the same executions.
struct DirLock {
    _file: File,
}

impl DirLock {
    fn acquire(dir: &Path) -> Result<DirLock> {
        let path: PathBuf = dir.join(LOCK_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(|e| {
            anyhow!(
                "cannot open {}: {e}. Make the data directory writable by this user, or \
                     pass --data-dir to use another directory",
                path.display()
            )
        })?;
        if !try_lock(&file)? {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another process".to_string()
            } else {
                format!("another process (pid {holder})")
            };
            return Err(anyhow!(
                "the data directory {} is in use by {who}: stop that server first, or pass \
                 --data-dir to use another directory",
                dir.display()
            ));
        }
        // For the message above, in the next server that tries.
        use std::io::{Seek, Write};
        let _ = file.set_len(0);
        let _ = file.seek(std::io::SeekFrom::Start(0));
        let _ = writeln!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(DirLock { _file: file })
    }
}

/// Takes an exclusive, non-blocking `flock` on `file`: false if another holds it.
#[cfg(unix)]
fn try_lock(file: &File) -> Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor that `file` keeps open for the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(anyhow!("cannot lock the data directory: {error}"))
    }
}

/// Elsewhere there is no lock: one server per directory is up to the operator.
#[cfg(not(unix))]
fn try_lock(_file: &File) -> Result<bool> {
    Ok(true)
}
