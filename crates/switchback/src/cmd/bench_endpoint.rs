//! `switchback bench --endpoint URL`: the same figures as the in-process bench, measured
//! through the Step Functions API of any endpoint (a `switchback serve`, or anything else that
//! speaks AWS JSON 1.0 over plain HTTP).
//!
//! It creates the state machine under a unique name, keeps `--concurrency` executions in
//! flight until `--executions` have ended, and deletes the state machine. STANDARD executions
//! are started with `StartExecution` and polled with `DescribeExecution` for metadata only
//! (from 1 ms, backing off); EXPRESS ones run with `StartSyncExecution`. Latency is
//! start-to-end as the client sees it: from sending the start request to seeing the execution
//! ended.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use switchback_engine::history::{EventType, StateEvent};
use switchback_engine::ExecutionStatus;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use serde_json::{json, Value};
use switchback_client::{Client, ExecutionInput, Poll, StateMachineType};

use super::bench::BenchArgs;
use super::input;

/// Any role ARN: Switchback accepts any, and the bench does not call other services.
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/switchback-bench";

/// How many failed executions are logged one by one (the rest are only counted).
const FAILURES_LOGGED: usize = 5;

/// The state machine type to bench, spelled as the API spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum MachineType {
    /// Durable executions: StartExecution, then DescribeExecution until ended.
    #[value(name = "STANDARD", alias = "standard")]
    Standard,
    /// In-memory executions: StartSyncExecution.
    #[value(name = "EXPRESS", alias = "express")]
    Express,
}

impl MachineType {
    fn api(self) -> StateMachineType {
        match self {
            MachineType::Standard => StateMachineType::Standard,
            MachineType::Express => StateMachineType::Express,
        }
    }
}

/// What one execution of the definition does, counted from a history.
#[derive(Clone, Copy)]
struct Profile {
    /// States entered (`*StateEntered` events).
    transitions: usize,
    /// Map iterations started.
    map_items: usize,
    /// History events.
    events: usize,
}

/// One measured execution.
struct Sample {
    succeeded: bool,
    /// Client-side start-to-end.
    latency: Duration,
    /// `stopDate - startDate` as the server reported it, when it did.
    server_ms: Option<f64>,
}

/// Runs the endpoint bench for `args` against `endpoint`.
pub fn run(args: &BenchArgs, endpoint: &str) -> Result<ExitCode> {
    if args.flags.mock.is_some() || args.flags.test_case.is_some() {
        bail!("--mock and --test-case apply to the in-process bench only: with --endpoint, Task states run as the endpoint is configured");
    }
    let text = std::fs::read_to_string(&args.definition)
        .with_context(|| format!("cannot read definition {}", args.definition.display()))?;
    // The API takes JSON only: a YAML definition is converted here.
    let document = switchback_asl::load::parse_document(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.definition.display()))?;
    let definition = document.to_string();
    let input =
        input::execution_input(args.input.as_deref(), args.input_file.as_deref())?.to_serde();
    let client = Client::new(endpoint)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let report = runtime.block_on(bench(args, &client, &definition, input))?;
    report.print(args);
    Ok(if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Creates the state machine, measures, and deletes it whatever happened.
async fn bench(
    args: &BenchArgs,
    client: &Client,
    definition: &str,
    input: Value,
) -> Result<Report> {
    let kind = args.machine_type.api();
    let name = unique_name("switchback-bench");
    let arn = client
        .create_state_machine(&name, definition, ROLE_ARN, kind)
        .await
        .with_context(|| {
            format!(
                "cannot create the bench state machine on {}",
                client.endpoint()
            )
        })?;
    let result = measure(args, client, &arn, definition, input).await;
    if let Err(e) = client.delete_state_machine(&arn).await {
        tracing::warn!(%arn, error = %e, "could not delete the bench's state machine");
    }
    result
}

async fn measure(
    args: &BenchArgs,
    client: &Client,
    arn: &str,
    definition: &str,
    input: Value,
) -> Result<Report> {
    let kind = args.machine_type;
    // A warm-up execution, which must succeed (as in the in-process bench), and the count of
    // states per execution.
    let profile = match kind {
        MachineType::Standard => Some(standard_profile(client, arn, &input).await?),
        MachineType::Express => {
            let warm = one_execution(client, kind, arn, &ExecutionInput::new(&input)).await?;
            if !warm.0 {
                bail!("the warm-up execution did not succeed: {}", warm.1);
            }
            express_profile(client, definition, &input).await
        }
    };
    let counter = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    // Encoded once: escaping a large input for every request would take the server's cores.
    let input = Arc::new(ExecutionInput::new(&input));
    let start = Instant::now();
    let mut workers = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency.min(args.executions) {
        let (client, arn, input) = (client.clone(), arn.to_string(), input.clone());
        let (counter, failures, total) = (counter.clone(), failures.clone(), args.executions);
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while counter.fetch_add(1, Ordering::Relaxed) < total {
                samples.push(measured_execution(&client, kind, &arn, &input, &failures).await);
            }
            samples
        }));
    }
    let mut samples = Vec::with_capacity(args.executions);
    for w in workers {
        samples.extend(w.await.context("a bench task panicked")?);
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(Report::new(args, samples, seconds, profile))
}

/// One execution, timed; an API error counts as a failed execution.
async fn measured_execution(
    client: &Client,
    kind: MachineType,
    arn: &str,
    input: &ExecutionInput,
    failures: &AtomicUsize,
) -> Sample {
    let t0 = Instant::now();
    let (succeeded, detail, server_ms) = match one_execution(client, kind, arn, input).await {
        Ok((ok, detail, server_ms)) => (ok, detail, server_ms),
        Err(e) => (false, format!("{e:#}"), None),
    };
    let latency = t0.elapsed();
    if !succeeded && failures.fetch_add(1, Ordering::Relaxed) < FAILURES_LOGGED {
        tracing::warn!(%detail, "execution failed");
    }
    Sample {
        succeeded,
        latency,
        server_ms,
    }
}

/// Runs one execution to its end: (succeeded, a description when it did not, server duration).
async fn one_execution(
    client: &Client,
    kind: MachineType,
    arn: &str,
    input: &ExecutionInput,
) -> Result<(bool, String, Option<f64>)> {
    let ended = match kind {
        MachineType::Standard => {
            let execution = client.start_execution_encoded(arn, None, input).await?;
            // The status, dates, error and cause are all the bench reads.
            client.wait_for_end(&execution, &Poll::default()).await?
        }
        MachineType::Express => client.start_sync_execution_encoded(arn, input).await?,
    };
    let status = ended.get("status").and_then(Value::as_str).unwrap_or("");
    let server_ms = match (
        ended.get("startDate").and_then(Value::as_f64),
        ended.get("stopDate").and_then(Value::as_f64),
    ) {
        // Epoch seconds with millisecond precision: round away the float noise of the subtraction.
        (Some(a), Some(b)) => Some(((b - a) * 1e6).round() / 1e3),
        _ => None,
    };
    let detail = format!(
        "{status}: {}: {}",
        ended.get("error").and_then(Value::as_str).unwrap_or(""),
        ended.get("cause").and_then(Value::as_str).unwrap_or("")
    );
    let succeeded = status.parse() == Ok(ExecutionStatus::Succeeded);
    Ok((succeeded, detail, server_ms))
}

/// Runs one STANDARD execution of `arn`, which must succeed, and counts its history.
async fn standard_profile(client: &Client, arn: &str, input: &Value) -> Result<Profile> {
    let execution = client.start_execution(arn, None, input).await?;
    let ended = client
        .wait_for_execution(&execution, &Poll::default())
        .await?;
    let status = ended.get("status").and_then(Value::as_str).unwrap_or("?");
    if status.parse() != Ok(ExecutionStatus::Succeeded) {
        bail!(
            "the warm-up execution did not succeed ({}: {}: {}); bench measures succeeding executions",
            status,
            ended.get("error").and_then(Value::as_str).unwrap_or(""),
            ended.get("cause").and_then(Value::as_str).unwrap_or("")
        );
    }
    let events = client.get_execution_history(&execution).await?;
    let types: Vec<EventType> = events
        .iter()
        .filter_map(|e| e.get("type")?.as_str()?.parse().ok())
        .collect();
    let count = |wanted: fn(EventType) -> bool| types.iter().filter(|t| wanted(**t)).count();
    Ok(Profile {
        transitions: count(|t| matches!(t.state_event(), Some(StateEvent::Entered(_)))),
        map_items: count(|t| t == EventType::MapIterationStarted),
        events: events.len(),
    })
}

/// An Express execution has no history to read, so the states per execution are counted on a
/// STANDARD twin of the definition, run once (the same definition takes the same path for the
/// same input). `None` when the twin cannot run there: the bench then prints no transitions/s
/// rather than a guess.
async fn express_profile(client: &Client, definition: &str, input: &Value) -> Option<Profile> {
    let name = unique_name("switchback-bench-twin");
    let twin = match client
        .create_state_machine(&name, definition, ROLE_ARN, StateMachineType::Standard)
        .await
    {
        Ok(arn) => arn,
        Err(e) => {
            tracing::warn!(error = %e, "no STANDARD twin to count states: state transitions/s not reported");
            return None;
        }
    };
    let profile = standard_profile(client, &twin, input).await;
    if let Err(e) = client.delete_state_machine(&twin).await {
        tracing::warn!(arn = %twin, error = %e, "could not delete the STANDARD twin");
    }
    match profile {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!(error = %e, "the STANDARD twin did not run: state transitions/s not reported");
            None
        }
    }
}

/// A state machine name no other bench run uses (names are 1-80 characters).
fn unique_name(prefix: &str) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("{prefix}-{}-{millis}", std::process::id())
}

/// The figures a bench run prints.
struct Report {
    executions: usize,
    failed: usize,
    seconds: f64,
    profile: Option<Profile>,
    /// Sorted client-side latencies of the successful executions, in ms.
    latencies_ms: Vec<f64>,
    /// Sorted server-side durations of the successful executions, in ms.
    server_ms: Vec<f64>,
}

impl Report {
    fn new(
        args: &BenchArgs,
        samples: Vec<Sample>,
        seconds: f64,
        profile: Option<Profile>,
    ) -> Report {
        let ok: Vec<&Sample> = samples.iter().filter(|s| s.succeeded).collect();
        let mut latencies_ms: Vec<f64> = ok.iter().map(|s| s.latency.as_secs_f64() * 1e3).collect();
        let mut server_ms: Vec<f64> = ok.iter().filter_map(|s| s.server_ms).collect();
        latencies_ms.sort_by(f64::total_cmp);
        server_ms.sort_by(f64::total_cmp);
        Report {
            executions: args.executions,
            failed: samples.len() - ok.len(),
            seconds,
            profile,
            latencies_ms,
            server_ms,
        }
    }

    fn print(&self, args: &BenchArgs) {
        let succeeded = (self.executions - self.failed) as f64;
        let executions_per_s = self.executions as f64 / self.seconds;
        let transitions_per_s = self
            .profile
            .map(|p| succeeded * p.transitions as f64 / self.seconds);
        let items_per_s = self
            .profile
            .filter(|p| p.map_items > 0)
            .map(|p| succeeded * p.map_items as f64 / self.seconds);
        let lat = |q: f64| percentile(&self.latencies_ms, q);
        let srv = |q: f64| percentile(&self.server_ms, q);
        let kind = args.machine_type.api().as_str();
        let endpoint = args.endpoint.as_deref().unwrap_or("");
        if args.json {
            println!(
                "{}",
                json!({
                    "endpoint": endpoint,
                    "type": kind,
                    "executions": self.executions,
                    "failed_executions": self.failed,
                    "concurrency": args.concurrency,
                    "seconds": self.seconds,
                    "executions_per_s": executions_per_s,
                    "state_transitions_per_s": transitions_per_s,
                    "map_items_per_s": items_per_s.unwrap_or(0.0),
                    "events_per_execution": self.profile.map(|p| p.events),
                    "latency_p50_ms": lat(0.50),
                    "latency_p99_ms": lat(0.99),
                    "latency_max_ms": lat(1.0),
                    "server_duration_p50_ms": srv(0.50),
                    "server_duration_p99_ms": srv(0.99),
                })
            );
            return;
        }
        println!("endpoint: {endpoint}");
        println!("type: {kind}");
        println!("executions: {}", self.executions);
        println!("failed executions: {}", self.failed);
        println!("concurrency: {}", args.concurrency);
        println!("seconds: {:.3}", self.seconds);
        println!("executions/s: {executions_per_s:.0}");
        if let Some(t) = transitions_per_s {
            println!("state transitions/s: {t:.0}");
        }
        if let Some(i) = items_per_s {
            println!("map items/s: {i:.0}");
        }
        if let Some(p) = self.profile {
            println!("events per execution: {}", p.events);
        }
        for (label, value) in [
            ("latency p50 ms", lat(0.50)),
            ("latency p99 ms", lat(0.99)),
            ("latency max ms", lat(1.0)),
            ("server duration p50 ms", srv(0.50)),
            ("server duration p99 ms", srv(0.99)),
        ] {
            if let Some(v) = value {
                println!("{label}: {v:.2}");
            }
        }
    }
}

/// The nearest-rank percentile `q` (0 < q <= 1) of sorted values; `None` when there are none.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.50), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile(&v, 1.0), Some(100.0));
        assert_eq!(percentile(&[7.0], 0.5), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
