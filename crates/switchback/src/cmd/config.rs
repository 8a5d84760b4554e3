//! The settings of `switchback serve`: flags, `SWITCHBACK_*` environment variables, a TOML
//! configuration file, and defaults, in that order of precedence.
//!
//! Clap reads the flags and the variables (a flag beats its variable). Every setting is an
//! `Option` there, so that "not given" stays visible; [`Settings::resolve`] then fills what is
//! still missing from the configuration file (`--config FILE`, or `./switchback.toml` when it
//! exists), and the rest from the defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;
use switchback_types::Identity;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use switchback_api::hosts::AllowedHost;
use switchback_api::sigv4::Keys;
use switchback_engine::Limits;
use switchback_store::Synchronous;

/// The configuration file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "switchback.toml";
/// The default address: AWS's local emulator uses port 8083 too.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8083";
/// The default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./.switchback";
pub const DEFAULT_REGION: &str = Identity::DEFAULT_REGION;
pub const DEFAULT_ACCOUNT_ID: &str = Identity::DEFAULT_ACCOUNT;
/// How long closed executions are kept by default (AWS: 90 days).
pub const DEFAULT_RETENTION_DAYS: u64 = 90;

/// `switchback serve`'s flags. Each is also read from the `SWITCHBACK_*` variable named in
/// its help, and from the configuration file under the key named there.
#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// TOML configuration file [default: ./switchback.toml when it exists].
    #[arg(long, env = "SWITCHBACK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to serve the API on, HOST:PORT [default: 127.0.0.1:8083] (file: listen).
    #[arg(long, env = "SWITCHBACK_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Directory of the SQLite database [default: ./.switchback] (file: data_dir).
    #[arg(long, env = "SWITCHBACK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep nothing on disk: everything is lost when the server stops (file: in_memory).
    #[arg(
        long,
        env = "SWITCHBACK_IN_MEMORY",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new(),
    )]
    pub in_memory: Option<bool>,
    /// Region in every ARN [default: us-east-1] (file: region).
    #[arg(long, env = "SWITCHBACK_REGION")]
    pub region: Option<String>,
    /// Account id in every ARN, 12 digits [default: 123456789012] (file: account_id).
    #[arg(long, env = "SWITCHBACK_ACCOUNT_ID", value_name = "ID")]
    pub account_id: Option<String>,
    /// fsync every commit (on), or only at checkpoints (off: a power cut may lose the last
    /// commits, a crash of the process loses nothing) [default: on] (file: fsync).
    #[arg(long, env = "SWITCHBACK_FSYNC", value_name = "on|off")]
    pub fsync: Option<Fsync>,
    /// Largest state input/output in bytes [default: 262144, AWS's] (file: max_payload_bytes).
    #[arg(long, env = "SWITCHBACK_MAX_PAYLOAD_BYTES", value_name = "N")]
    pub max_payload_bytes: Option<usize>,
    /// Most history events per execution [default: 25000, AWS's] (file: max_history_events).
    #[arg(long, env = "SWITCHBACK_MAX_HISTORY_EVENTS", value_name = "N")]
    pub max_history_events: Option<usize>,
    /// Bytes of values one JSONata expression or intrinsic call may build; past it the state
    /// fails [default: 67108864, 64 MiB] (file: max_evaluation_memory_bytes).
    #[arg(long, env = "SWITCHBACK_MAX_EVALUATION_MEMORY_BYTES", value_name = "N")]
    pub max_evaluation_memory_bytes: Option<usize>,
    /// Largest file a Distributed Map's ResultWriter writes before going on in the next
    /// [default: 5368709120, AWS's 5 GiB] (file: max_result_file_bytes).
    #[arg(long, env = "SWITCHBACK_MAX_RESULT_FILE_BYTES", value_name = "N")]
    pub max_result_file_bytes: Option<u64>,
    /// Run the clock N times faster than real time, so that Wait states, retry back-offs and
    /// timeouts pass quickly: for test suites that drive the server, never for production
    /// [default: 1] (file: time_scale).
    #[arg(long, env = "SWITCHBACK_TIME_SCALE", value_name = "N")]
    pub time_scale: Option<u32>,
    /// Days closed executions are kept [default: 90, AWS's] (file: retention_days).
    #[arg(long, env = "SWITCHBACK_RETENTION_DAYS", value_name = "DAYS")]
    pub retention_days: Option<u64>,
    /// Threads that run executions [default: the number of cores] (file: workers).
    #[arg(long, env = "SWITCHBACK_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
    /// AWS's mock configuration file: start `stateMachineArn#TestCase` to run with a test
    /// case's mocked responses (file: mock_config).
    #[arg(long, env = "SFN_MOCK_CONFIG", value_name = "FILE")]
    pub mock_config: Option<PathBuf>,
    /// Host names served besides localhost, 127.0.0.1, [::1] and the listening address,
    /// comma-separated: NAME (any port), NAME:PORT, or * for any host. Requests naming
    /// another host are refused, against DNS rebinding [default: none] (file: allowed_hosts).
    #[arg(
        long,
        env = "SWITCHBACK_ALLOWED_HOSTS",
        value_name = "HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Option<Vec<String>>,
}

/// `--fsync`: how hard commits sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// fsync on every commit (SQLite `synchronous=FULL`).
    On,
    /// fsync at checkpoints only (SQLite `synchronous=NORMAL`).
    Off,
}

impl Fsync {
    /// The store's sync level.
    pub fn synchronous(self) -> Synchronous {
        match self {
            Fsync::On => Synchronous::Full,
            Fsync::Off => Synchronous::Normal,
        }
    }
}

/// The configuration file: the same settings as the flags, under the flags' names with `_`
/// for `-`. An unknown key is an error (a typo must not be silently ignored).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub in_memory: Option<bool>,
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub fsync: Option<Fsync>,
    pub max_payload_bytes: Option<usize>,
    pub max_history_events: Option<usize>,
    pub max_evaluation_memory_bytes: Option<usize>,
    pub max_result_file_bytes: Option<u64>,
    pub time_scale: Option<u32>,
    pub retention_days: Option<u64>,
    pub workers: Option<usize>,
    pub mock_config: Option<PathBuf>,
    /// Host names served besides the loopback names and the listening address.
    pub allowed_hosts: Option<Vec<String>>,
    /// `[auth]`: the access keys every API request must be signed with (SigV4).
    pub auth: Option<AuthFile>,
    /// `[functions.NAME]`: what each function runs.
    #[serde(default)]
    pub functions: std::collections::BTreeMap<String, switchback_integrations::FunctionConfig>,
    /// `[lambda]`: the default Lambda Invoke API endpoint.
    #[serde(default)]
    pub lambda: switchback_integrations::LambdaConfig,
    /// `[connections.NAME]`: credentials for `http:invoke`.
    #[serde(default)]
    pub connections: std::collections::BTreeMap<String, switchback_integrations::ConnectionConfig>,
    /// `[http]`: the HTTP Task's allowed hosts.
    #[serde(default)]
    pub http: switchback_integrations::HttpConfig,
    /// `[aws]`: whether and where Task states call AWS services.
    #[serde(default)]
    pub aws: switchback_integrations::AwsConfig,
}

/// `[auth]`: SigV4 authentication, off when absent.
///
/// ```toml
/// [auth]
/// [[auth.keys]]
/// access_key_id = "AKIAIOSFODNN7EXAMPLE"
/// secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// The keys accepted; at least one.
    #[serde(default)]
    pub keys: Vec<KeyFile>,
}

/// One access key of `[[auth.keys]]`. Its `Debug` hides the secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

impl FileSettings {
    /// Parses the text of a configuration file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<FileSettings> {
        toml::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "configuration file {}: {}",
                origin.display(),
                e.to_string().trim_end()
            )
        })
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataLocation {
    /// A directory holding `switchback.db`.
    Dir(PathBuf),
    /// Nothing on disk that outlives the process.
    InMemory,
}

impl DataLocation {
    /// For messages: the directory, or "in memory".
    pub fn describe(&self) -> String {
        match self {
            DataLocation::Dir(dir) => dir.display().to_string(),
            DataLocation::InMemory => "in memory, not persisted".to_string(),
        }
    }
}

/// Every setting of the server, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    pub listen: String,
    pub data: DataLocation,
    pub region: String,
    pub account_id: String,
    pub fsync: Fsync,
    pub max_payload_bytes: usize,
    pub max_history_events: usize,
    pub max_evaluation_memory_bytes: usize,
    pub max_result_file_bytes: u64,
    /// How many times faster than real time the clock runs (1: real time).
    pub time_scale: u32,
    pub retention_days: u64,
    pub workers: usize,
    /// AWS's mock configuration file, if any.
    pub mock_config: Option<PathBuf>,
    /// The integration tables of the configuration file.
    pub integrations: switchback_integrations::IntegrationsConfig,
    /// Hosts served besides the loopback names and the listening address.
    pub allowed_hosts: Vec<AllowedHost>,
    /// The access keys of SigV4 authentication; `None`: authentication is off.
    pub auth: Option<Keys>,
}

impl Settings {
    /// The region and account of this server's ARNs.
    pub fn identity(&self) -> Identity {
        Identity::new(&self.region, &self.account_id)
    }

    /// Resolves the settings: reads the configuration file, then applies the precedence
    /// flag > variable > file > default, and checks the values.
    pub fn resolve(args: &ServeArgs) -> Result<Settings> {
        let (file, path) = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the configuration file {}", path.display())
                })?;
                (FileSettings::parse(&text, path)?, Some(path.clone()))
            }
            None => {
                let path = PathBuf::from(DEFAULT_CONFIG_FILE);
                match std::fs::read_to_string(&path) {
                    Ok(text) => (FileSettings::parse(&text, &path)?, Some(path)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        (FileSettings::default(), None)
                    }
                    Err(e) => {
                        return Err(e).with_context(|| {
                            format!("cannot read the configuration file {}", path.display())
                        })
                    }
                }
            }
        };
        Settings::combine(args, file, path)
    }

    /// Combines flags (and variables) with the file's settings. A relative `data_dir` from
    /// the file is taken relative to the file's directory; from a flag or a variable,
    /// relative to the working directory.
    pub fn combine(
        args: &ServeArgs,
        file: FileSettings,
        config_file: Option<PathBuf>,
    ) -> Result<Settings> {
        let file_dir = config_file
            .as_deref()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty());
        let in_memory = args.in_memory.or(file.in_memory).unwrap_or(false);
        let data_dir = match (&args.data_dir, &file.data_dir) {
            (Some(dir), _) => Some(dir.clone()),
            (None, Some(dir)) => Some(match file_dir {
                Some(base) if dir.is_relative() => base.join(dir),
                _ => dir.clone(),
            }),
            (None, None) => None,
        };
        let data = if in_memory {
            if let Some(dir) = &data_dir {
                tracing::warn!(
                    data_dir = %dir.display(),
                    "in_memory is set: the data directory is not used"
                );
            }
            DataLocation::InMemory
        } else {
            let dir = data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
            if dir.as_os_str().is_empty() {
                bail!("the data directory is empty: pass --data-dir DIR");
            }
            DataLocation::Dir(dir)
        };

        let listen = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        check_listen(&listen)?;

        let region = args
            .region
            .clone()
            .or(file.region)
            .unwrap_or_else(|| DEFAULT_REGION.to_string());
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            bail!(
                "invalid region {region:?}: use lowercase letters, digits and '-', e.g. us-east-1"
            );
        }

        let account_id = args
            .account_id
            .clone()
            .or(file.account_id)
            .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
        if account_id.len() != 12 || !account_id.chars().all(|c| c.is_ascii_digit()) {
            bail!(
                "invalid account id {account_id:?}: an account id is 12 digits, e.g. 123456789012"
            );
        }

        let defaults = Limits::default();
        let max_payload_bytes = args
            .max_payload_bytes
            .or(file.max_payload_bytes)
            .unwrap_or(defaults.max_payload_bytes);
        let max_history_events = args
            .max_history_events
            .or(file.max_history_events)
            .unwrap_or(defaults.max_history_events);
        if max_payload_bytes == 0 {
            bail!("max_payload_bytes must be at least 1");
        }
        if max_history_events == 0 {
            bail!("max_history_events must be at least 1");
        }
        let max_evaluation_memory_bytes = args
            .max_evaluation_memory_bytes
            .or(file.max_evaluation_memory_bytes)
            .unwrap_or(defaults.max_evaluation_memory_bytes);
        if max_evaluation_memory_bytes == 0 {
            bail!("max_evaluation_memory_bytes must be at least 1");
        }
        let max_result_file_bytes = args
            .max_result_file_bytes
            .or(file.max_result_file_bytes)
            .unwrap_or(defaults.max_result_file_bytes);
        if max_result_file_bytes < MIN_RESULT_FILE_BYTES {
            bail!(
                "max_result_file_bytes must be at least {MIN_RESULT_FILE_BYTES} (S3's smallest \
                 part of a multipart upload)"
            );
        }

        let time_scale = args.time_scale.or(file.time_scale).unwrap_or(1);
        if time_scale == 0 {
            bail!("time_scale must be at least 1 (1 is real time)");
        }
        let retention_days = args
            .retention_days
            .or(file.retention_days)
            .unwrap_or(DEFAULT_RETENTION_DAYS);
        if retention_days == 0 {
            bail!("retention_days must be at least 1");
        }
        // Keeps `retention()` far from overflowing a Duration.
        if retention_days > 1_000_000 {
            bail!("retention_days must be at most 1000000");
        }

        let workers = args
            .workers
            .or(file.workers)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        if workers == 0 {
            bail!("workers must be at least 1");
        }

        let mock_config = match (&args.mock_config, &file.mock_config) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(p)) => Some(match file_dir {
                Some(base) if p.is_relative() => base.join(p),
                _ => p.clone(),
            }),
            (None, None) => None,
        };
        let integrations = switchback_integrations::IntegrationsConfig {
            functions: file.functions,
            lambda: file.lambda,
            connections: file.connections,
            http: file.http,
            aws: file.aws,
        };

        let allowed_hosts = args
            .allowed_hosts
            .clone()
            .or(file.allowed_hosts)
            .unwrap_or_default()
            .iter()
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                AllowedHost::parse(entry).map_err(|e| anyhow::anyhow!("allowed_hosts: {e}"))
            })
            .collect::<Result<Vec<_>>>()?;
        let auth = match file.auth {
            None => None,
            Some(auth) => Some(
                Keys::new(
                    auth.keys
                        .into_iter()
                        .map(|k| (k.access_key_id, k.secret_access_key)),
                )
                .map_err(|e| anyhow::anyhow!("[auth]: {e}"))?,
            ),
        };

        Ok(Settings {
            allowed_hosts,
            auth,
            mock_config,
            integrations,
            config_file,
            listen,
            data,
            region,
            account_id,
            fsync: args.fsync.or(file.fsync).unwrap_or(Fsync::On),
            max_payload_bytes,
            max_history_events,
            max_evaluation_memory_bytes,
            max_result_file_bytes,
            time_scale,
            retention_days,
            workers,
        })
    }

    /// The payload and history limits of executions.
    pub fn limits(&self) -> Limits {
        Limits {
            max_payload_bytes: self.max_payload_bytes,
            max_history_events: self.max_history_events,
            max_evaluation_memory_bytes: self.max_evaluation_memory_bytes,
            max_result_file_bytes: self.max_result_file_bytes,
        }
    }

    /// How long closed executions are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_days * 24 * 3600)
    }
}

/// The smallest `max_result_file_bytes`: 5 MiB, S3's smallest part of a multipart upload.
const MIN_RESULT_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// `HOST:PORT`, where HOST is an IP address or a name (`localhost:8083`); IPv6 in brackets.
fn check_listen(listen: &str) -> Result<()> {
    match listen.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => bail!("invalid listen address {listen:?}: expected HOST:PORT, e.g. 127.0.0.1:8083"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FileSettings {
        FileSettings::parse(text, Path::new("switchback.toml")).unwrap()
    }

    #[test]
    fn defaults() {
        let s = Settings::combine(&ServeArgs::default(), FileSettings::default(), None).unwrap();
        assert_eq!(s.listen, "127.0.0.1:8083");
        assert_eq!(s.data, DataLocation::Dir(PathBuf::from("./.switchback")));
        assert_eq!(s.region, "us-east-1");
        assert_eq!(s.account_id, "123456789012");
        assert_eq!(s.fsync, Fsync::On);
        assert_eq!(s.max_payload_bytes, 262_144);
        assert_eq!(s.max_history_events, 25_000);
        assert_eq!(s.retention(), Duration::from_secs(90 * 86400));
        assert!(s.workers >= 1);
    }

    #[test]
    fn every_key_of_the_file_is_read() {
        let f = file(
            r#"
            listen = "0.0.0.0:9000"
            data_dir = "/var/lib/switchback"
            in_memory = false
            region = "eu-west-3"
            account_id = "000000000000"
            fsync = "off"
            max_payload_bytes = 1000
            max_history_events = 50000
            retention_days = 7
            workers = 3
            "#,
        );
        let s = Settings::combine(&ServeArgs::default(), f, None).unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(
            s.data,
            DataLocation::Dir(PathBuf::from("/var/lib/switchback"))
        );
        assert_eq!(s.region, "eu-west-3");
        assert_eq!(s.account_id, "000000000000");
        assert_eq!(s.fsync, Fsync::Off);
        assert_eq!(s.fsync.synchronous(), Synchronous::Normal);
        assert_eq!(s.max_payload_bytes, 1000);
        assert_eq!(s.max_history_events, 50000);
        assert_eq!(s.retention_days, 7);
        assert_eq!(s.workers, 3);
    }

    #[test]
    fn flags_beat_the_file() {
        let args = ServeArgs {
            listen: Some("127.0.0.1:1".into()),
            region: Some("us-west-2".into()),
            workers: Some(1),
            fsync: Some(Fsync::On),
            ..ServeArgs::default()
        };
        let f = file("listen = \"127.0.0.1:2\"\nregion = \"eu-west-1\"\nworkers = 4\nfsync = \"off\"\nretention_days = 3");
        let s = Settings::combine(&args, f, None).unwrap();
        assert_eq!(s.listen, "127.0.0.1:1");
        assert_eq!(s.region, "us-west-2");
        assert_eq!(s.workers, 1);
        assert_eq!(s.fsync, Fsync::On);
        // Not given as a flag: the file's.
        assert_eq!(s.retention_days, 3);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = FileSettings::parse(
            "listen = \"127.0.0.1:1\"\nlisten_port = 3\n",
            Path::new("x.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("x.toml"), "{e}");
        assert!(e.contains("listen_port"), "{e}");
    }

    #[test]
    fn bad_values_are_refused() {
        let e = FileSettings::parse("fsync = \"sometimes\"", Path::new("x.toml")).unwrap_err();
        assert!(e.to_string().contains("sometimes"), "{e}");
        let e = FileSettings::parse("workers = \"two\"", Path::new("x.toml")).unwrap_err();
        assert!(e.to_string().contains("workers"), "{e}");
        for text in [
            "workers = 0",
            "account_id = \"42\"",
            "region = \"US East\"",
            "listen = \"8083\"",
            "retention_days = 0",
        ] {
            assert!(
                Settings::combine(&ServeArgs::default(), file(text), None).is_err(),
                "{text} was accepted"
            );
        }
    }

    #[test]
    fn allowed_hosts_and_auth() {
        let s = Settings::combine(&ServeArgs::default(), FileSettings::default(), None).unwrap();
        assert!(s.allowed_hosts.is_empty());
        assert!(s.auth.is_none());
        let f = file(
            r#"
            allowed_hosts = ["sfn.example.com", "box:9000"]
            [auth]
            [[auth.keys]]
            access_key_id = "AKIAONE"
            secret_access_key = "s1"
            [[auth.keys]]
            access_key_id = "AKIATWO"
            secret_access_key = "s2"
            "#,
        );
        let s = Settings::combine(&ServeArgs::default(), f.clone(), None).unwrap();
        let shown: Vec<String> = s.allowed_hosts.iter().map(|h| h.to_string()).collect();
        assert_eq!(shown, ["sfn.example.com", "box:9000"]);
        let keys = s.auth.expect("keys");
        assert_eq!(keys.secret("AKIATWO"), Some("s2"));
        assert!(!format!("{f:?}").contains("s2"), "a secret in Debug");
        // The flag (or variable) replaces the file's list.
        let args = ServeArgs {
            allowed_hosts: Some(vec!["other".into()]),
            ..ServeArgs::default()
        };
        let s = Settings::combine(&args, f, None).unwrap();
        assert_eq!(s.allowed_hosts.len(), 1);
        for bad in [
            "allowed_hosts = [\"a b\"]",
            "allowed_hosts = [\"*.example.com\"]",
            "[auth]",
            "[auth]\n[[auth.keys]]\naccess_key_id = \"a\"\nsecret_access_key = \"\"",
        ] {
            assert!(
                Settings::combine(&ServeArgs::default(), file(bad), None).is_err(),
                "{bad} was accepted"
            );
        }
        assert!(FileSettings::parse(
            "[auth]\n[[auth.keys]]\naccess_key_id = \"a\"\nsecret = \"x\"",
            Path::new("x.toml")
        )
        .is_err());
    }

    #[test]
    fn in_memory_wins_over_a_data_dir() {
        let args = ServeArgs {
            in_memory: Some(true),
            ..ServeArgs::default()
        };
        let s = Settings::combine(&args, file("data_dir = \"d\""), None).unwrap();
        assert_eq!(s.data, DataLocation::InMemory);
        // A flag can also turn off what the file turned on.
        let args = ServeArgs {
            in_memory: Some(false),
            ..ServeArgs::default()
        };
        let s = Settings::combine(&args, file("in_memory = true"), None).unwrap();
        assert_eq!(s.data, DataLocation::Dir(PathBuf::from(DEFAULT_DATA_DIR)));
    }

    #[test]
    fn a_relative_data_dir_of_the_file_is_relative_to_the_file() {
        let f = file("data_dir = \"data\"");
        let s = Settings::combine(
            &ServeArgs::default(),
            f.clone(),
            Some(PathBuf::from("/etc/switchback/switchback.toml")),
        )
        .unwrap();
        assert_eq!(
            s.data,
            DataLocation::Dir(PathBuf::from("/etc/switchback/data"))
        );
        let s = Settings::combine(
            &ServeArgs::default(),
            f,
            Some(PathBuf::from("switchback.toml")),
        )
        .unwrap();
        assert_eq!(s.data, DataLocation::Dir(PathBuf::from("data")));
        // From a flag: as given.
        let args = ServeArgs {
            data_dir: Some(PathBuf::from("mine")),
            ..ServeArgs::default()
        };
        let s = Settings::combine(
            &args,
            file("data_dir = \"data\""),
            Some(PathBuf::from("/etc/switchback/switchback.toml")),
        )
        .unwrap();
        assert_eq!(s.data, DataLocation::Dir(PathBuf::from("mine")));
    }
}
