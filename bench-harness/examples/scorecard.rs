//! Prints the suite's measured medians and the criteria scorecard as Markdown, from
//! `target/criterion` and `target/llmkg-bench/measurements` (run after
//! `cargo bench -p bench-harness`): `cargo run -p bench-harness --example scorecard`.
//! With `--rules`, prints only the criteria table ([`bench_harness::RULES`]) for the docs.

use anyhow::Context as _;

use bench_harness::suite;
use bench_harness::{
    CriterionResults, Inputs, MemoryMeasurement, Unit, available_cores, criterion_dir, evaluate,
    measurements_dir, rules_markdown,
};

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|arg| arg == "--rules") {
        print!("{}", rules_markdown());
        return Ok(());
    }
    let results = CriterionResults::load(&criterion_dir()).context("loading Criterion results")?;
    let memory =
        MemoryMeasurement::load_all(&measurements_dir()).context("loading measurements")?;
    println!(
        "| benchmark | median / iteration | elements | median / element | 95% CI half-width |"
    );
    println!("|---|---|---|---|---|");
    for group in suite::GROUPS {
        let mut in_group: Vec<_> = results.iter().filter(|r| r.group_id == group).collect();
        in_group.sort_by(|a, b| {
            (&a.function_id, a.size().unwrap_or(f64::MAX))
                .partial_cmp(&(&b.function_id, b.size().unwrap_or(f64::MAX)))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for result in in_group {
            println!(
                "| `{}` | {} | {} | {} | {:.1} % |",
                result.full_id,
                Unit::Nanoseconds.format(result.median_ns),
                result
                    .elements()
                    .map_or_else(|| "-".to_owned(), |e| e.to_string()),
                Unit::Nanoseconds.format(result.per_element_ns()),
                result.relative_ci_half_width() * 100.0,
            );
        }
    }
    println!();
    for measurement in &memory {
        println!("- `{}`: {measurement:?}", measurement.file_name());
    }
    println!();
    let inputs = Inputs::new(&results, &memory, available_cores());
    println!("{}", evaluate(&inputs));
    Ok(())
}
