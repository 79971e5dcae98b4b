//! The memory lane of `regress`: allocations, bytes allocated and bytes retained per iteration
//! of every benchmark, and the memory benches' bytes per stored exception, for both builds.
//!
//! The counting allocator's counts do not depend on the machine's load, so each side runs once
//! per quantity (both sides at the same time); a change beyond the threshold is measured again
//! in fresh processes (up to four per side) and counts only when every candidate value lies beyond every baseline
//! value, so a count that moves between processes of one build (a per-process hash seed) is
//! INCONCLUSIVE, never a regression.
use std::{
    collections::{BTreeMap, BTreeSet},
    ffi::OsStr,
    fs,
    path::Path,
};

use anyhow::Context;
use bench_scorecard::{CriterionResults, MemoryMeasurement, SampleValues};
use serde::Serialize;

use crate::{compare::Verdict, stats, suite::BuiltSuite, suite::exact_filter};

/// The quantities, as `LLMKG_BENCH_MEASURE` names them, with the smallest absolute change
/// per iteration that counts (an allocation, a small block's bytes).
const QUANTITIES: [(&str, f64); 3] = [
    ("allocations", 0.5),
    ("allocated-bytes", 16.0),
    ("retained-bytes", 16.0),
];

/// Processes per side at most, for a quantity that changed: see [`run`].
const PASSES: usize = 4;

/// One quantity of one benchmark on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryRow {
    /// Benchmark id, or `memory_usage/<figure>/<size>` for a memory bench's own figure.
    pub id: String,
    /// `allocations`, `allocated-bytes`, `retained-bytes` (per iteration) or
    /// `bytes-per-exception`.
    pub quantity: String,
    /// Baseline values, one per process.
    pub baseline: Vec<f64>,
    /// Candidate values, one per process.
    pub candidate: Vec<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub note: String,
}

/// What the lane found.
#[derive(Debug, Default)]
pub struct MemoryResult {
    /// Rows that changed or could not be decided, then a count of the unchanged ones.
    pub rows: Vec<MemoryRow>,
    /// Seconds spent.
    pub elapsed_s: f64,
}

/// Runs the lane over `ids` with relative threshold `threshold`.
pub fn run(
    baseline: &BuiltSuite,
    candidate: &BuiltSuite,
    ids: &[String],
    threshold: f64,
    work_dir: &Path,
) -> anyhow::Result<MemoryResult> {
    let started = std::time::Instant::now();
    let mut values: BTreeMap<(String, String), [Vec<f64>; 2]> = BTreeMap::new();
    let collect =
        |values: &mut BTreeMap<(String, String), [Vec<f64>; 2]>, ids: &[String], pass: usize| {
            for (quantity, _) in QUANTITIES {
                let [base, cand] = measure_both(
                    baseline,
                    candidate,
                    ids,
                    quantity,
                    &work_dir.join(format!("pass-{pass}")),
                )?;
                for (side, found) in [base, cand].into_iter().enumerate() {
                    for (id, value) in found {
                        let quantity =
                            if id.starts_with("memory_usage/") && id.contains("_bytes_per_") {
                                "bytes-per-exception"
                            } else {
                                quantity
                            };
                        values.entry((id, quantity.to_owned())).or_default()[side].push(value);
                    }
                }
            }
            anyhow::Ok(())
        };
    collect(&mut values, ids, 0)?;
    let minimum = |quantity: &str| {
        QUANTITIES
            .iter()
            .chain(&[("bytes-per-exception", 1.0)])
            .find(|(name, _)| *name == quantity)
            .map_or(0.0, |(_, minimum)| *minimum)
    };
    // More passes of fresh processes for whatever the passes so far call a change, up to
    // [`PASSES`]: a count with two modes across processes (a hash seed, a thread interleaving)
    // lands all of one side's processes in one mode and all of the other's in the other with
    // probability 2 / 4^n over n passes, 12.5 % at two passes, under 1 % at four. A memory
    // bench's own figure comes from the `memory_usage` benchmarks' processes.
    for pass in 1..PASSES {
        let flagged: BTreeSet<String> = values
            .iter()
            .filter(|((_, quantity), [base, cand])| {
                matches!(
                    judge(base, cand, threshold, minimum(quantity)).0,
                    Verdict::Regressed | Verdict::Improved | Verdict::Inconclusive
                )
            })
            .map(|((id, _), _)| id.clone())
            .collect();
        let figure_flagged = flagged.iter().any(|id| !ids.contains(id));
        let rerun: Vec<String> = ids
            .iter()
            .filter(|id| {
                flagged.contains(id.as_str()) || (figure_flagged && id.starts_with("memory_usage/"))
            })
            .cloned()
            .collect();
        if rerun.is_empty() {
            break;
        }
        collect(&mut values, &rerun, pass)?;
    }
    // Bytes retained move with allocation sizes (a table that grows once every so many
    // iterations), so they are judged against the bytes an iteration allocates as well.
    let allocated: BTreeMap<String, f64> = values
        .iter()
        .filter(|((_, quantity), _)| quantity == "allocated-bytes")
        .filter_map(|((id, _), [base, _])| Some((id.clone(), stats::median(base)?)))
        .collect();
    let rows = values
        .into_iter()
        .map(|((id, quantity), [base, cand])| {
            let minimum = if quantity == "retained-bytes" {
                minimum(&quantity).max(threshold * allocated.get(&id).copied().unwrap_or(0.0))
            } else {
                minimum(&quantity)
            };
            let per = if quantity == "bytes-per-exception" {
                "exception"
            } else {
                "iteration"
            };
            let (verdict, note) = judge_per(&base, &cand, threshold, minimum, per);
            MemoryRow {
                id,
                quantity,
                baseline: base,
                candidate: cand,
                verdict,
                note,
            }
        })
        .collect();
    Ok(MemoryResult {
        rows,
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}

/// The verdict of one quantity from each side's values (one per process).
pub fn judge(base: &[f64], cand: &[f64], threshold: f64, minimum: f64) -> (Verdict, String) {
    judge_per(base, cand, threshold, minimum, "iteration")
}

/// [`judge`], the note naming what the values are per (`iteration`, `exception`).
fn judge_per(
    base: &[f64],
    cand: &[f64],
    threshold: f64,
    minimum: f64,
    per: &str,
) -> (Verdict, String) {
    let (Some(b), Some(c)) = (stats::median(base), stats::median(cand)) else {
        return (Verdict::Missing, "not measured on one side".to_owned());
    };
    let allowed = (threshold * b.abs()).max(minimum);
    let spread = |values: &[f64]| {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        high - low
    };
    let change = c - b;
    let describe = || {
        if b.abs() > 0.0 {
            format!(
                "{change:+.1} per {per} ({:+.1} %)",
                change / b.abs() * 100.0
            )
        } else {
            format!("{change:+.1} per {per}")
        }
    };
    if change.abs() <= allowed {
        return (Verdict::Unchanged, describe());
    }
    if base.len() < 2 || cand.len() < 2 {
        // Beyond the threshold once: counted again in fresh processes before it can count.
        return (
            Verdict::Inconclusive,
            format!("{}; not yet counted again in fresh processes", describe()),
        );
    }
    let cand_low = cand.iter().copied().fold(f64::INFINITY, f64::min);
    let cand_high = cand.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let base_low = base.iter().copied().fold(f64::INFINITY, f64::min);
    let base_high = base.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if cand_low - base_high > allowed {
        (
            Verdict::Regressed,
            format!("{}; in every process", describe()),
        )
    } else if base_low - cand_high > allowed {
        (
            Verdict::Improved,
            format!("{}; in every process", describe()),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "{}; moves between processes of one build (by {:.1} and {:.1})",
                describe(),
                spread(base),
                spread(cand)
            ),
        )
    }
}

/// Both sides at once (counts do not depend on load), one quantity: per benchmark the median
/// per-iteration value, plus each side's memory-bench figures.
fn measure_both(
    baseline: &BuiltSuite,
    candidate: &BuiltSuite,
    ids: &[String],
    quantity: &str,
    work_dir: &Path,
) -> anyhow::Result<[BTreeMap<String, f64>; 2]> {
    let sides = [("baseline", baseline), ("candidate", candidate)];
    let mut children = Vec::new();
    for (label, built) in sides {
        let home = work_dir.join(quantity).join(label);
        if home.exists() {
            fs::remove_dir_all(&home)?;
        }
        let measurements = home.join("measurements");
        fs::create_dir_all(&measurements)?;
        let args: Vec<String> = [
            "--bench",
            "--color",
            "never",
            "--noplot",
            "--save-baseline",
            "memory",
            "--warm-up-time",
            "0.01",
            "--measurement-time",
            "0.02",
            "--sample-size",
            "10",
            "--nresamples",
            "100",
            &exact_filter(ids.iter().map(String::as_str)),
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        let log = work_dir
            .join("logs")
            .join(format!("{quantity}-{label}.log"));
        let child = built.spawn(
            &args,
            &[
                ("CRITERION_HOME", home.as_os_str()),
                ("LLMKG_BENCH_MEASURE", OsStr::new(quantity)),
                ("LLMKG_MEASUREMENTS_DIR", measurements.as_os_str()),
            ],
            &log,
        )?;
        children.push((label, child, home, measurements, log));
    }
    let mut results: [BTreeMap<String, f64>; 2] = Default::default();
    for (index, (label, mut child, home, measurements, log)) in children.into_iter().enumerate() {
        let stderr = child.stderr.take().map(std::io::read_to_string);
        let status = child.wait()?;
        let stderr = stderr.transpose()?.unwrap_or_default();
        fs::write(log.with_extension("stderr.log"), &stderr)?;
        if !status.success() {
            anyhow::bail!(
                "memory lane, {quantity}, {label} side failed ({status}):\n{}",
                crate::suite::tail(&stderr, 20)
            );
        }
        let read = CriterionResults::load_baseline(&home, "memory", SampleValues::Signed);
        let read = read.with_context(|| format!("reading {}", home.display()))?;
        for benchmark in ids.iter().filter_map(|id| read.get(id)) {
            if let Some(value) = stats::median(&benchmark.samples_ns) {
                results[index].insert(benchmark.full_id.clone(), value);
            }
        }
        if quantity == QUANTITIES[0].0 {
            results[index].extend(bench_figures(&measurements));
        }
    }
    Ok(results)
}

/// The memory benches' own figures (bytes per stored exception), keyed
/// `memory_usage/store_bytes_per_exception/<n>`.
fn bench_figures(dir: &Path) -> BTreeMap<String, f64> {
    MemoryMeasurement::load_all(dir)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|measurement| match measurement {
            MemoryMeasurement::StoreMemory {
                n_exceptions,
                bytes_per_exception,
                ..
            } => Some((
                format!("memory_usage/store_bytes_per_exception/{n_exceptions}"),
                bytes_per_exception,
            )),
            MemoryMeasurement::OptimizerMemory {
                n_exceptions,
                optimized_bytes,
                ..
            } => Some((
                format!("memory_usage/optimizer_bytes_per_exception/{n_exceptions}"),
                optimized_bytes as f64 / n_exceptions.max(1) as f64,
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_counts_are_unchanged_and_small_moves_are_noise() {
        assert_eq!(judge(&[200.0], &[200.0], 0.01, 0.5).0, Verdict::Unchanged);
        // 0.3 allocations per iteration: under one allocation, no change.
        assert_eq!(judge(&[10.0], &[10.3], 0.01, 0.5).0, Verdict::Unchanged);
        // 64 bytes more per exception on 175: a regression, confirmed in every process.
        let (verdict, note) = judge(&[174.7, 174.7], &[238.7, 238.7], 0.01, 1.0);
        assert_eq!(verdict, Verdict::Regressed, "{note}");
        assert_eq!(
            judge(&[238.7, 238.7], &[174.7, 174.7], 0.01, 1.0).0,
            Verdict::Improved
        );
    }

    #[test]
    fn a_count_that_moves_between_processes_is_inconclusive() {
        let (verdict, note) = judge(&[100.0, 130.0], &[125.0, 126.0], 0.01, 0.5);
        assert_eq!(verdict, Verdict::Inconclusive, "{note}");
        assert!(note.contains("moves between processes"), "{note}");
    }

    #[test]
    fn a_change_seen_in_one_pass_only_is_not_a_verdict_yet() {
        let (verdict, note) = judge(&[100.0], &[130.0], 0.01, 0.5);
        assert_eq!(verdict, Verdict::Inconclusive, "{note}");
        assert!(note.contains("fresh processes"), "{note}");
    }

    #[test]
    fn a_side_without_the_figure_is_missing() {
        assert_eq!(judge(&[], &[1.0], 0.01, 0.5).0, Verdict::Missing);
    }
}
