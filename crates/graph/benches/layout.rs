//! Layout + SVG time for generated machines of 10, 100 and 300 states.
//!
//! `cargo bench -p switchback-graph` (no harness: it prints one line per size).

#[path = "../tests/common/gen.rs"]
mod gen;

use std::time::Instant;

use switchback_graph::{layout, SvgOptions};

fn main() {
    for n in [10, 100, 150, 300, 1000] {
        let def = gen::generated_machine(n);
        // Warm up, and find the real state count.
        let states = match layout(&def) {
            Ok(g) => g.state_count(),
            Err(e) => {
                eprintln!("layout failed: {e}");
                std::process::exit(1);
            }
        };
        let runs = if n <= 100 { 200 } else { 40 };
        let mut best = f64::INFINITY;
        let mut total = 0.0;
        let mut bytes = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let svg = layout(&def)
                .map(|g| g.to_svg(&SvgOptions::default()))
                .unwrap_or_default();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            bytes = svg.len();
            best = best.min(ms);
            total += ms;
        }
        println!(
            "states {states:4}  layout+svg: mean {:7.3} ms  best {:7.3} ms  ({runs} runs, svg {} KiB)",
            total / runs as f64,
            best,
            bytes / 1024
        );
    }
}
