//! `switchback graph`: the workflow drawing of a definition, as the console draws it (SVG), or
//! as Graphviz DOT or Mermaid text for documentation.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::{Args, ValueEnum};
use switchback_asl::load::parse_document;
use switchback_graph::SvgOptions;

/// The output formats.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// A standalone SVG image (styles included).
    Svg,
    /// Graphviz DOT (`dot -Tpng`).
    Dot,
    /// A Mermaid flowchart (Markdown on GitHub, GitLab and many wikis renders it).
    Mermaid,
}

#[derive(Args)]
pub struct GraphArgs {
    /// The state machine definition (JSON or YAML); or give --template and --resource.
    #[arg(required_unless_present = "template")]
    pub definition: Option<PathBuf>,
    #[command(flatten)]
    pub source: super::input::DefinitionSource,
    /// The output format.
    #[arg(long, value_enum, default_value = "svg")]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

pub fn run(args: GraphArgs) -> Result<ExitCode> {
    let (text, origin) = args.source.text(args.definition.as_deref())?;
    let document = parse_document(&text).map_err(|e| anyhow!("{}: {e}", origin.display()))?;
    let graph = switchback_graph::layout(&document).map_err(|e| {
        anyhow!(
            "{}: cannot draw this definition: {e} (`switchback validate` lists its faults)",
            origin.display()
        )
    })?;
    let drawing = match args.format {
        Format::Svg => graph.to_svg(&SvgOptions {
            standalone_style: true,
        }),
        Format::Dot => graph.to_dot(),
        Format::Mermaid => graph.to_mermaid(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, drawing)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{drawing}"),
    }
    Ok(ExitCode::SUCCESS)
}
