//! `cargo xtask variance`: the same code measured twice; run-to-run change and CV per benchmark.
use std::{fs, path::Path, process::ExitCode};

use serde::{Deserialize, Serialize};

use crate::{
    measure::{MeasureConfig, measure},
    paths::Paths,
    report::{self, format_ns, short_sha},
    snapshot::{Snapshot, write_atomically},
    stats,
    suite::{Suite, Timing},
};

/// The seed's bar on run-to-run spread.
pub const SEED_BAR: f64 = 0.05;
/// SPEC.md's goal on run-to-run spread.
pub const GOAL_BAR: f64 = 0.02;

/// What `cargo xtask variance` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Measurement settings.
    pub timing: Timing,
    /// Criterion filter.
    pub filter: Option<String>,
    /// The suite.
    pub suite: Suite,
    /// Output locations.
    pub paths: Paths,
    /// Show a progress bar.
    pub progress: bool,
}

/// Run-to-run spread of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceRow {
    /// Benchmark id.
    pub id: String,
    /// Median of the first run, ns.
    pub first_median_ns: f64,
    /// Median of the second run, ns.
    pub second_median_ns: f64,
    /// `|second / first - 1|`.
    pub run_to_run: f64,
    /// The larger within-run CV of the two runs.
    pub cv: f64,
}

/// Both runs' spread, saved as `variance.json` and read back by the bench scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceSummary {
    /// Commit measured.
    pub sha: String,
    /// Whether the tree was dirty.
    pub dirty: bool,
    /// When the second run finished.
    pub created_unix_s: u64,
    /// Whether both runs were quick smoke passes.
    pub quick: bool,
    /// One row per benchmark present in both runs.
    pub rows: Vec<VarianceRow>,
}

impl VarianceSummary {
    /// Compares two runs of the same code.
    pub fn of(first: &Snapshot, second: &Snapshot) -> Self {
        let rows = first
            .benchmarks
            .iter()
            .filter_map(|a| {
                let b = second.get(&a.id)?;
                (a.median_ns > 0.0).then(|| VarianceRow {
                    id: a.id.clone(),
                    first_median_ns: a.median_ns,
                    second_median_ns: b.median_ns,
                    run_to_run: (b.median_ns / a.median_ns - 1.0).abs(),
                    cv: a.cv.max(b.cv),
                })
            })
            .collect();
        Self {
            sha: second.git.sha.clone(),
            dirty: second.git.dirty,
            created_unix_s: second.created_unix_s,
            quick: second.settings.quick,
            rows,
        }
    }

    /// The largest run-to-run change.
    pub fn worst(&self) -> Option<&VarianceRow> {
        self.rows
            .iter()
            .max_by(|a, b| a.run_to_run.total_cmp(&b.run_to_run))
    }

    /// Median run-to-run change.
    pub fn median_change(&self) -> Option<f64> {
        let changes: Vec<f64> = self.rows.iter().map(|row| row.run_to_run).collect();
        stats::median(&changes)
    }

    /// How many benchmarks stay within `bar`.
    pub fn within(&self, bar: f64) -> usize {
        self.rows.iter().filter(|row| row.run_to_run < bar).count()
    }

    /// The summary as Markdown.
    pub fn markdown(&self) -> String {
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                vec![
                    row.id.clone(),
                    format_ns(row.first_median_ns),
                    format_ns(row.second_median_ns),
                    format!("{:.2}%", row.run_to_run * 100.0),
                    format!("{:.2}%", row.cv * 100.0),
                    verdict(row.run_to_run).to_owned(),
                ]
            })
            .collect();
        rows.sort_by(|a, b| a[0].cmp(&b[0]));
        let mut text = format!(
            "# Run-to-run variance (A/A) of `{}`{}\n\n",
            short_sha(&self.sha),
            if self.quick { ", quick runs" } else { "" }
        );
        text.push_str(&report::table(
            &[
                "benchmark",
                "run 1",
                "run 2",
                "run-to-run",
                "CV (max)",
                "bar",
            ],
            &rows,
        ));
        let total = self.rows.len();
        text.push_str(&format!(
            "\n{} of {total} within the seed's < 5 %, {} of {total} within our < 2 %; median change {}, worst {}.\n",
            self.within(SEED_BAR),
            self.within(GOAL_BAR),
            self.median_change().map_or_else(|| "n/a".to_owned(), |m| format!("{:.2}%", m * 100.0)),
            self.worst().map_or_else(
                || "n/a".to_owned(),
                |row| format!("{:.2}% ({})", row.run_to_run * 100.0, row.id)
            ),
        ));
        text
    }
}

fn verdict(change: f64) -> &'static str {
    if change < GOAL_BAR {
        "< 2 % (goal)"
    } else if change < SEED_BAR {
        "< 5 % (seed)"
    } else {
        "over 5 %"
    }
}

/// Runs the command.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let measure_config = |name: &str| MeasureConfig {
        suite: config.suite.clone(),
        filter: config.filter.clone(),
        timing: config.timing,
        name: name.to_owned(),
        target_dir: config.paths.target.clone(),
        criterion_home: config.paths.criterion_home.clone(),
        html: false,
        progress: config.progress,
        show_build: config.progress,
        log_file: config.paths.out.join("logs").join(format!("{name}.log")),
        git_dir: config.paths.root.clone(),
    };
    eprintln!("variance: first run");
    let first = measure(&measure_config("variance-a"))?;
    eprintln!("variance: second run of the same build");
    let second = measure(&measure_config("variance-b"))?;
    let summary = VarianceSummary::of(&first, &second);
    write_atomically(
        &config.paths.out.join("variance.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    let markdown = summary.markdown();
    fs::write(config.paths.out.join("variance.md"), &markdown)?;
    println!("{markdown}");
    Ok(ExitCode::SUCCESS)
}

/// The latest `variance.json`, if one was written and still parses.
pub fn load_latest(out: &Path) -> Option<VarianceSummary> {
    let text = fs::read_to_string(out.join("variance.json")).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::{record, snapshot};

    #[test]
    fn run_to_run_change_is_the_relative_median_difference() {
        let first = snapshot(
            "a",
            vec![
                record("g/x", vec![100.0, 101.0, 99.0]),
                record("g/y", vec![10.0, 10.0, 10.5]),
            ],
        );
        let second = snapshot(
            "b",
            vec![
                record("g/x", vec![103.0, 104.0, 102.0]),
                record("g/z", vec![1.0, 1.0]),
            ],
        );
        let summary = VarianceSummary::of(&first, &second);
        assert_eq!(summary.rows.len(), 1);
        assert!((summary.rows[0].run_to_run - 0.03).abs() < 1e-12);
        assert_eq!(summary.within(SEED_BAR), 1);
        assert_eq!(summary.within(GOAL_BAR), 0);
        assert!(summary.markdown().contains("< 5 % (seed)"));
    }
}
