//! `cargo xtask variance`: a paired A/A of one build against itself; per-benchmark noise floors.
use std::{collections::BTreeMap, fs, path::Path, process::ExitCode};

use serde::{Deserialize, Serialize};

use crate::{
    paired::{
        Engine, EngineConfig, Pair,
        verdict::{SetStats, set_stats},
    },
    paths::Paths,
    regress::build,
    report::{self, format_ns, short_sha},
    snapshot::{GitInfo, now_unix_s, write_atomically},
    stats,
    suite::Suite,
};

/// The seed's bar on run-to-run spread.
pub const SEED_BAR: f64 = 0.05;
/// SPEC.md's goal on run-to-run spread.
pub const GOAL_BAR: f64 = 0.02;

/// What `cargo xtask variance` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Paired rounds of the build against itself.
    pub rounds: usize,
    /// Criterion settings and round shape (the same as `regress` uses).
    pub engine: EngineConfig,
    /// Confidence of the intervals the floors come from.
    pub confidence: f64,
    /// Criterion filter.
    pub filter: Option<String>,
    /// The suite.
    pub suite: Suite,
    /// Output locations.
    pub paths: Paths,
    /// Show build output.
    pub progress: bool,
    /// Fewer rounds (`--quick`).
    pub quick: bool,
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
    /// The larger within-run CV of the two runs (paired A/A: the per-round log-ratio spread).
    pub cv: f64,
    /// Paired A/A: the largest change the interval still allows, `max(upper - 1, 1 - lower)`;
    /// `regress` never uses a smaller threshold for this benchmark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_floor: Option<f64>,
    /// Paired A/A: rounds measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
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
    /// Whether both runs were quick smoke passes (paired: fewer rounds).
    pub quick: bool,
    /// Whether this is a paired A/A (rounds of one build against itself): always, since the
    /// unpaired runs went; kept so the file reads as before.
    #[serde(default)]
    pub paired: bool,
    /// One row per benchmark present in both runs.
    pub rows: Vec<VarianceRow>,
}

impl VarianceSummary {
    /// A paired A/A: each benchmark's rounds of one build against itself.
    pub fn of_rounds(
        git: &GitInfo,
        quick: bool,
        rounds: &BTreeMap<String, Vec<Pair>>,
        confidence: f64,
    ) -> Self {
        let rows = rounds
            .iter()
            .filter_map(|(id, pairs)| {
                let set: SetStats = set_stats(pairs, confidence)?;
                let baseline: Vec<f64> = pairs.iter().map(|pair| pair.baseline_ns).collect();
                let candidate: Vec<f64> = pairs.iter().map(|pair| pair.candidate_ns).collect();
                let floor = match (set.lower, set.upper) {
                    (Some(lower), Some(upper)) => (upper - 1.0).max(1.0 - lower).max(0.0),
                    // Too few rounds for an interval: two spreads of one round.
                    _ => 2.0 * set.round_sd,
                };
                Some(VarianceRow {
                    id: id.clone(),
                    first_median_ns: stats::median(&baseline)?,
                    second_median_ns: stats::median(&candidate)?,
                    run_to_run: (set.ratio - 1.0).abs(),
                    cv: set.round_sd,
                    noise_floor: Some(floor),
                    rounds: Some(set.rounds),
                })
            })
            .collect();
        Self {
            sha: git.sha.clone(),
            dirty: git.dirty,
            created_unix_s: now_unix_s(),
            quick,
            paired: true,
            rows,
        }
    }

    /// The calibrated noise floor of each benchmark.
    pub fn floors(&self) -> BTreeMap<String, f64> {
        self.rows
            .iter()
            .filter_map(|row| Some((row.id.clone(), row.noise_floor?)))
            .collect()
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
                    row.noise_floor
                        .map(|floor| format!("{:.2}%", floor * 100.0))
                        .unwrap_or_default(),
                    verdict(row.run_to_run).to_owned(),
                ]
            })
            .collect();
        rows.sort_by(|a, b| a[0].cmp(&b[0]));
        let mut text = format!(
            "# Run-to-run variance (A/A) of `{}`, paired rounds of one build against itself\n\n\
             `run-to-run` is the A/A change (Hodges–Lehmann over rounds), `spread` the standard \
             deviation of one round's log-ratio, `floor` the largest change the interval allows: \
             `regress` never uses a smaller threshold.\n\n",
            short_sha(&self.sha),
        );
        text.push_str(&report::table(
            &[
                "benchmark",
                "side A",
                "side B",
                "run-to-run",
                "spread",
                "floor",
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

/// Runs the command: one build, rounds of it against itself, floors saved to `variance.json`.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let built = build::candidate(&config.suite, &config.paths, config.progress)?;
    let ids = built.list(config.filter.as_deref())?;
    if ids.is_empty() {
        return Err(crate::error::InputError::NoBenchmarks(
            config.filter.clone().unwrap_or_default(),
        )
        .into());
    }
    eprintln!(
        "variance: {} rounds of {} benchmarks, the build against itself",
        config.rounds,
        ids.len()
    );
    let mut engine = Engine::new(
        &built,
        &built,
        config.engine,
        config.paths.out.join("variance"),
    );
    engine.size(&ids)?;
    let mut rounds: BTreeMap<String, Vec<Pair>> = BTreeMap::new();
    for round in 0..config.rounds {
        for (id, pair) in engine.round(&ids)? {
            rounds.entry(id).or_default().push(pair);
        }
        eprintln!("variance: round {}/{}", round + 1, config.rounds);
    }
    let summary = VarianceSummary::of_rounds(
        &GitInfo::of(&config.paths.root),
        config.quick,
        &rounds,
        config.confidence,
    );
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
pub(crate) mod tests {
    use super::*;

    /// A paired A/A of `rounds` pairs per benchmark, `(id, baseline ns, candidate ns)`.
    pub(crate) fn summary(rounds: &[(&str, f64, f64)]) -> VarianceSummary {
        let git = GitInfo {
            sha: "0".repeat(40),
            dirty: false,
            branch: None,
        };
        let rounds: BTreeMap<String, Vec<Pair>> = rounds
            .iter()
            .map(|&(id, baseline_ns, candidate_ns)| {
                let pairs = (0..8)
                    .map(|round| Pair {
                        round,
                        baseline_ns,
                        // A little spread, so the set has an interval.
                        candidate_ns: candidate_ns * (1.0 + 1e-4 * round as f64),
                        paired_log_ratio: None,
                    })
                    .collect();
                (id.to_owned(), pairs)
            })
            .collect();
        VarianceSummary::of_rounds(&git, false, &rounds, 0.95)
    }

    #[test]
    fn run_to_run_change_is_the_relative_change_of_the_rounds() {
        let summary = summary(&[("g/x", 100.0, 103.0), ("g/y", 10.0, 10.0)]);
        assert_eq!(summary.rows.len(), 2);
        assert!(
            (summary.rows[0].run_to_run - 0.03035).abs() < 1e-3,
            "{summary:?}"
        );
        assert_eq!(summary.within(SEED_BAR), 2);
        assert_eq!(summary.within(GOAL_BAR), 1);
        assert!(summary.markdown().contains("< 5 % (seed)"));
    }
}
