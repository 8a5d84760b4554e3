//! `switchback test`: runs the cases of test files (see `crate::testing`) and reports each as
//! passed or failed, with what was expected and what happened; exits 1 if any failed.
//!
//! Every case runs in this process on the virtual clock (Wait states and retry back-offs take
//! no time), from a fixed start time and random seed, so a suite gives the same result on any
//! day. Task states answer from the case's mocks; one without a mock fails the case, unless
//! `--allow-real-calls` lets it call its integration as `switchback run` would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use clap::Args;
use serde_json::{Map, Value};
use switchback_engine::mock::Mocks;
use switchback_engine::run::TaskHandler;
use switchback_engine::{run_execution, Limits, RunOptions};

use super::input;
use super::tasks;
use crate::testing::coverage::Coverage;
use crate::testing::expect::{self, Ended};
use crate::testing::history::RunFacts;
use crate::testing::junit::{self, CaseResult, FileResult};
use crate::testing::suite::{self, Case, TestFile, DEFAULT_START_TIME};

#[derive(Args)]
pub struct TestArgs {
    /// Test files, or directories to search for `*.test.yaml`, `*.test.yml` and `*.test.json`
    /// [default: the current directory].
    pub paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to this file, for CI systems.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Let Task states without a mock call their integrations (configured as for `switchback
    /// run`); by default such a call fails the case.
    #[arg(long)]
    pub allow_real_calls: bool,
    /// Configuration file for the real calls [default: ./switchback.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also draw each definition's graph with what the suite did not cover marked, as
    /// `NAME.coverage.svg` in this directory.
    #[arg(long, value_name = "DIR")]
    pub coverage_svg: Option<PathBuf>,
}

/// The coverage of each definition tested, by its path.
type Coverages = BTreeMap<PathBuf, (Coverage, Value)>;

/// The random seed of every case: a suite reads the same on every run.
const SEED: u64 = 0x7e57_5eed;

pub fn run(args: TestArgs) -> Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = suite::find_test_files(&paths)?;
    if files.is_empty() {
        anyhow::bail!(
            "no test files found under {}: name them NAME.test.yaml (or .test.json) beside the definition",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let real_calls = match args.allow_real_calls {
        true => Some(real_calls(args.config.as_deref())?),
        false => None,
    };
    let mut results = Vec::new();
    let mut coverages = Coverages::new();
    for file in &files {
        let result = run_file(file, real_calls.clone(), &mut coverages);
        print_file(&result);
        results.push(result);
    }
    print_coverage(&coverages);
    if let Some(dir) = &args.coverage_svg {
        write_coverage_svgs(dir, &coverages)?;
    }
    let cases: usize = results.iter().map(|f| f.cases.len()).sum();
    let failed: usize = results
        .iter()
        .map(|f| f.cases.iter().filter(|c| !c.misses.is_empty()).count())
        .sum();
    let broken = results.iter().filter(|f| f.error.is_some()).count();
    println!(
        "\n{cases} case(s) in {} file(s): {} passed, {failed} failed{}",
        results.len(),
        cases - failed,
        if broken > 0 {
            format!(", {broken} file(s) could not run")
        } else {
            String::new()
        }
    );
    if let Some(path) = &args.junit {
        std::fs::write(path, junit::xml(&results))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if failed == 0 && broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The integrations real calls go to.
fn real_calls(config: Option<&Path>) -> Result<Arc<dyn TaskHandler>> {
    let config_file = tasks::run_config_file(config);
    let config = match &config_file {
        Some(path) => tasks::read_integrations_config(path)?,
        None => Default::default(),
    };
    Ok(Arc::new(tasks::integrations(
        config,
        config_file.as_deref(),
    )?))
}

/// Runs every case of one file, adding to the coverage of its definition.
fn run_file(
    path: &Path,
    real_calls: Option<Arc<dyn TaskHandler>>,
    coverages: &mut Coverages,
) -> FileResult {
    let shown = path.display().to_string();
    let loaded = match load(path) {
        Err(e) => {
            return FileResult {
                file: shown,
                cases: Vec::new(),
                error: Some(format!("{e:#}")),
            }
        }
        Ok(loaded) => loaded,
    };
    let (coverage, _) = coverages
        .entry(loaded.definition.clone())
        .or_insert_with(|| (Coverage::of(&loaded.doc), loaded.doc.clone()));
    FileResult {
        file: shown,
        cases: loaded
            .file
            .cases
            .iter()
            .enumerate()
            .map(|(i, case)| run_case(&loaded, i, case, real_calls.clone(), coverage))
            .collect(),
        error: None,
    }
}

/// A test file with its definition, read and checked.
struct Loaded {
    path: PathBuf,
    file: TestFile,
    /// The definition's path and document.
    definition: PathBuf,
    doc: Value,
    machine: switchback_asl::StateMachine,
    /// The definition's Task states.
    tasks: Vec<String>,
    /// The state machine's name (the definition file's, without extensions).
    name: String,
}

fn load(path: &Path) -> Result<Loaded> {
    let file = TestFile::read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let source = input::DefinitionSource {
        template: file.template.as_ref().map(|t| dir.join(t)),
        resource: file.resource.clone(),
        subs: file
            .substitutions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        subs_file: None,
    };
    let definition = match &source.template {
        Some(_) => None,
        None => Some(file.definition_path(path)?),
    };
    let (text, definition) = source.text(definition.as_deref())?;
    let machine = input::definition_text(&text, &definition)?;
    let doc = switchback_asl::load::parse_document(&text)
        .map_err(|e| anyhow!("{}: {e}", definition.display()))?;
    let tasks = suite::task_states(&doc);
    suite::check_mock_names(&file.mocks, &tasks).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let name = match &file.resource {
        Some(resource) => resource.clone(),
        None => definition
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap_or("StateMachine")
            .to_string(),
    };
    Ok(Loaded {
        path: path.to_path_buf(),
        file,
        definition,
        doc,
        machine,
        tasks,
        name,
    })
}

/// Runs one case and checks it.
fn run_case(
    loaded: &Loaded,
    index: usize,
    case: &Case,
    real_calls: Option<Arc<dyn TaskHandler>>,
    coverage: &mut Coverage,
) -> CaseResult {
    let started = Instant::now();
    let misses = match run_and_check(loaded, index, case, real_calls, coverage) {
        Ok(misses) => misses,
        Err(e) => vec![format!("the case could not run: {e:#}")],
    };
    CaseResult {
        name: case.name.clone(),
        misses,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn run_and_check(
    loaded: &Loaded,
    index: usize,
    case: &Case,
    real_calls: Option<Arc<dyn TaskHandler>>,
    coverage: &mut Coverage,
) -> Result<Vec<String>> {
    let (mocks, mocked) = case_mocks(loaded, case)?;
    let start = case
        .context
        .start_time
        .as_deref()
        .unwrap_or(DEFAULT_START_TIME);
    let start_time: jiff::Timestamp = start
        .parse()
        .with_context(|| format!("context.start_time '{start}' is not an RFC 3339 time"))?;
    let allowing_real_calls = real_calls.is_some();
    let options = RunOptions {
        mocks,
        tasks: real_calls,
        express: case.context.execution_type.as_deref() == Some("EXPRESS"),
        limits: Limits::default(),
        seed: SEED,
        execution_name: case
            .context
            .execution_name
            .clone()
            .unwrap_or_else(|| format!("case-{}", index + 1)),
        state_machine_name: loaded.name.clone(),
        start_time: Some(start_time),
        ..RunOptions::default()
    };
    let input = case.input.clone().unwrap_or(Value::Object(Map::new()));
    let outcome = run_execution(&loaded.machine, switchback_json::Json::from(input), options);
    let output = outcome.output.as_ref().map(|o| o.to_serde());
    let events: Vec<Value> = outcome.events.iter().map(|e| e.to_aws_json()).collect();
    let facts = RunFacts::of(&events);
    coverage.record(&events);
    let ended = Ended {
        status: outcome.status.as_str(),
        output: output.as_ref(),
        error: outcome.error.as_deref(),
        cause: outcome.cause.as_deref(),
    };
    let mut misses = Vec::new();
    if !allowing_real_calls {
        // A Task state that ran without a mock made no call: the case is not what it seems.
        for name in loaded.tasks.iter().filter(|t| !mocked(t)) {
            if facts.state(name).1 > 0 {
                misses.push(format!(
                    "the Task state '{name}' ran without a mock: mock it, or pass \
                     --allow-real-calls to call its integration"
                ));
            }
        }
    }
    misses.extend(expect::check(&case.expect, &ended, &facts));
    Ok(misses)
}

/// The mocks of a case, and which states they cover.
fn case_mocks(loaded: &Loaded, case: &Case) -> Result<(Mocks, impl Fn(&str) -> bool)> {
    let dir = loaded.path.parent().unwrap_or(Path::new("."));
    let doc = match &case.mock_file {
        Some(file) => {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read mock file {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("mock file {} is not valid JSON", path.display()))?
        }
        None => {
            suite::check_mock_names(&case.mocks, &loaded.tasks)?;
            let mut all = loaded.file.mocks.clone();
            all.extend(case.mocks.clone());
            Value::Object(all)
        }
    };
    let mocks =
        Mocks::from_json(&doc, case.test_case.as_deref()).map_err(|e| anyhow!("mocks: {e}"))?;
    let covered: Vec<String> = loaded
        .tasks
        .iter()
        .filter(|t| mocks.covers(t))
        .cloned()
        .collect();
    Ok((mocks, move |name: &str| covered.iter().any(|c| c == name)))
}

/// Prints what the suite covered of each definition, and what it did not.
fn print_coverage(coverages: &Coverages) {
    for (path, (coverage, _)) in coverages {
        println!("\ncoverage of {}: {}", path.display(), coverage.summary());
        let left = coverage.uncovered();
        if !left.is_empty() {
            println!("  not covered:");
            for item in left {
                println!("    - {item}");
            }
        }
    }
}

/// Writes `NAME.coverage.svg` for each definition into `dir`.
fn write_coverage_svgs(dir: &Path, coverages: &Coverages) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (path, (coverage, doc)) in coverages {
        let graph = switchback_graph::layout(doc)
            .map_err(|e| anyhow!("{}: cannot draw it: {e}", path.display()))?;
        let svg = graph.to_svg(&switchback_graph::SvgOptions {
            standalone_style: true,
        });
        let style = format!("<style>{}</style>", coverage.svg_style());
        // Last, so that its rules follow (and win over) the standalone ones.
        let svg = match svg.rfind("</svg>") {
            Some(at) => format!("{}{style}{}", &svg[..at], &svg[at..]),
            None => svg,
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap_or("definition");
        let out = dir.join(format!("{name}.coverage.svg"));
        std::fs::write(&out, svg).with_context(|| format!("cannot write {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// Prints one file's results as they come.
fn print_file(result: &FileResult) {
    println!("{}", result.file);
    if let Some(e) = &result.error {
        println!("  ERROR {e}");
        return;
    }
    for case in &result.cases {
        let ms = case.seconds * 1000.0;
        if case.misses.is_empty() {
            println!("  PASS  {} ({ms:.0} ms)", case.name);
        } else {
            println!("  FAIL  {} ({ms:.0} ms)", case.name);
            for miss in &case.misses {
                for (i, line) in miss.lines().enumerate() {
                    let lead = if i == 0 { "- " } else { "  " };
                    println!("        {lead}{line}");
                }
            }
        }
    }
}
