//! How each [`Figure`] of a rule is computed from the inputs, and the [`Check`] it becomes.

use crate::memory::MemoryMeasurement;
use crate::paired::{MAX_PAIRED_CI_HALF_WIDTH, PairedRatio, PairedStatistic};
use crate::results::{BenchmarkResult, CriterionResults};
use crate::rules::{Bar, Bench, Figure, Rule};
use crate::suite::{self, full_id};

use super::tables::scaling_at;
use super::{Check, Growth, Inputs, MAX_SCALING_CI_HALF_WIDTH, RunToRun, Verdict};

/// `rule` judged against what `inputs` (and the growth fits made from them) measured.
pub(super) fn check(rule: &Rule, inputs: &Inputs<'_>, growth: &[Growth]) -> Check {
    Check::new(rule, measure(rule.figure, inputs, growth))
}

/// A figure computed for a rule, or why there is none.
enum Measured {
    Value {
        value: f64,
        source: String,
        note: Option<String>,
    },
    Missing {
        source: String,
        why: Verdict,
    },
}

impl Measured {
    fn value(value: f64, source: String) -> Self {
        Measured::Value {
            value,
            source,
            note: None,
        }
    }

    fn or_missing(value: Option<f64>, source: String) -> Self {
        match value {
            Some(value) => Measured::value(value, source),
            None => Measured::not_measured(format!("no result for {source}"), source),
        }
    }

    fn not_measured(why: String, source: String) -> Self {
        Measured::Missing {
            source,
            why: Verdict::NotMeasured(why),
        }
    }
}

impl Check {
    fn new(rule: &Rule, measured: Measured) -> Self {
        let (source, value, note, seed_verdict, goal_verdict) = match measured {
            Measured::Value {
                value,
                source,
                note,
            } => (
                source,
                Some(value),
                note,
                Verdict::of(rule.seed, value),
                Verdict::of(rule.goal, value),
            ),
            Measured::Missing { source, why } => {
                let verdict_for = |bar: Bar| {
                    if bar == Bar::None {
                        Verdict::NoBar
                    } else {
                        why.clone()
                    }
                };
                (
                    source,
                    None,
                    None,
                    verdict_for(rule.seed),
                    verdict_for(rule.goal),
                )
            }
        };
        Check {
            name: rule.name.to_owned(),
            source,
            value,
            note,
            unit: rule.unit,
            seed_bar: rule.seed,
            seed_verdict,
            goal_bar: rule.goal,
            goal_verdict,
            figure: rule.figure,
        }
    }
}

fn measure(figure: Figure, inputs: &Inputs<'_>, growth: &[Growth]) -> Measured {
    let results = inputs.results;
    let bench_value = |bench: Bench, value: fn(&BenchmarkResult) -> Option<f64>| {
        let id = bench.id();
        Measured::or_missing(results.get(&id).and_then(value), id)
    };
    match figure {
        Figure::MedianTime(bench) => bench_value(bench, |r| Some(r.median_ns)),
        Figure::PerElementTime(bench) => bench_value(bench, |r| Some(r.per_element_ns())),
        Figure::ElementsPerSecond(bench) => {
            bench_value(bench, BenchmarkResult::elements_per_second)
        }
        Figure::WorstPerElement {
            group,
            function,
            sizes,
        } => worst_of(group, function, sizes, |id| {
            results.get(id).map(BenchmarkResult::per_element_ns)
        }),
        Figure::WorstAnchorRatio {
            group,
            function,
            anchor,
            sizes,
        } => worst_anchor_ratio(inputs, group, function, anchor, sizes),
        Figure::OptimizerMemorySaved => {
            memory_figure(inputs.memory, "optimizer_memory", |m| match m {
                MemoryMeasurement::OptimizerMemory {
                    n_exceptions,
                    saved_fraction,
                    ..
                } => Some((*n_exceptions, *saved_fraction)),
                _ => None,
            })
        }
        Figure::StoreBytesPerException => {
            memory_figure(inputs.memory, "store_memory", |m| match m {
                MemoryMeasurement::StoreMemory {
                    n_exceptions,
                    bytes_per_exception,
                    ..
                } => Some((*n_exceptions, *bytes_per_exception)),
                _ => None,
            })
        }
        Figure::ScalingEfficiency { function, threads } => {
            let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
            match efficiency_of(results, function, threads, inputs.cores) {
                Ok(efficiency) => Measured::value(efficiency, id),
                Err(why) => Measured::Missing { source: id, why },
            }
        }
        Figure::EfficiencyOfCeiling {
            function,
            ceiling,
            threads,
        } => {
            let source = format!(
                "{} / {}",
                full_id(suite::CONCURRENCY_GROUP, function, threads),
                full_id(suite::CONCURRENCY_GROUP, ceiling, threads)
            );
            let medians = efficiency_of(results, function, threads, inputs.cores)
                .and_then(|own| Ok((own, efficiency_of(results, ceiling, threads, inputs.cores)?)));
            let paired = inputs.paired.and_then(|paired| {
                paired.find(
                    &full_id(suite::CONCURRENCY_GROUP, function, threads),
                    &full_id(suite::CONCURRENCY_GROUP, ceiling, threads),
                    PairedStatistic::EfficiencyRatio,
                )
            });
            match (paired, medians) {
                (_, Err(why @ Verdict::NotMeasurableHere(_))) => Measured::Missing { source, why },
                (Some(figure), _) if !figure.is_tight() => too_wide(figure, source),
                (Some(figure), medians) => Measured::Value {
                    value: figure.median,
                    source,
                    note: Some(paired_note(
                        figure,
                        &match medians {
                            Ok((own, ceiling_efficiency)) => {
                                format!("{:.3}", own / ceiling_efficiency)
                            }
                            Err(_) => "not judged".to_owned(),
                        },
                    )),
                },
                (None, Ok((own, ceiling_efficiency))) => Measured::Value {
                    value: own / ceiling_efficiency,
                    source,
                    note: Some(format!(
                        "{own:.3} against the ceiling's {ceiling_efficiency:.3}"
                    )),
                },
                (None, Err(why)) => Measured::Missing { source, why },
            }
        }
        Figure::EfficiencyOfBestPeer {
            function,
            peers,
            threads,
        } => best_peer(results, function, peers, threads, inputs.cores),
        Figure::WithinRunWorst => {
            let worst = suite_results(results)
                .map(|r| (r.full_id.clone(), r.relative_ci_half_width()))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            match worst {
                Some((id, value)) => Measured::value(value, id),
                None => Measured::not_measured("no suite benchmark".to_owned(), "suite".to_owned()),
            }
        }
        Figure::WithinRunMedian => {
            let mut half_widths: Vec<f64> = suite_results(results)
                .map(BenchmarkResult::relative_ci_half_width)
                .collect();
            half_widths.sort_by(f64::total_cmp);
            Measured::or_missing(
                half_widths.get(half_widths.len() / 2).copied(),
                "suite".to_owned(),
            )
        }
        Figure::RunToRunWorst => run_to_run(inputs.run_to_run),
        Figure::GrowthExponent { function } => {
            let series = format!("{}/{function}", suite::SCALABILITY_GROUP);
            let fit = growth
                .iter()
                .find(|g| g.series == series)
                .and_then(|g| g.fit.as_ref().ok());
            Measured::or_missing(fit.map(|f| f.exponent), series)
        }
    }
}

/// The largest value over `group/function/size`.
fn worst_of(
    group: &str,
    function: &str,
    sizes: &[usize],
    value: impl Fn(&str) -> Option<f64>,
) -> Measured {
    let ids: Vec<String> = sizes
        .iter()
        .map(|&size| full_id(group, function, size))
        .collect();
    let worst = ids
        .iter()
        .filter_map(|id| Some((id.clone(), value(id)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match worst {
        Some((id, value)) => Measured::value(value, id),
        None => Measured::or_missing(None, ids.join(", ")),
    }
}

/// The largest ratio of `group/function/size` to `group/anchor/size` over `sizes`: each
/// size's paired figure where one was measured, else the ratio of the two medians.
fn worst_anchor_ratio(
    inputs: &Inputs<'_>,
    group: &str,
    function: &str,
    anchor: &str,
    sizes: &[usize],
) -> Measured {
    let results = inputs.results;
    let ratios: Vec<(String, f64, Option<f64>, Option<&PairedRatio>)> = sizes
        .iter()
        .filter_map(|&size| {
            let id = full_id(group, function, size);
            let anchor_id = full_id(group, anchor, size);
            let medians = results
                .get(&id)
                .zip(results.get(&anchor_id))
                .map(|(own, anchor)| own.median_ns / anchor.median_ns)
                .filter(|ratio| ratio.is_finite());
            let paired = inputs
                .paired
                .and_then(|paired| paired.find(&id, &anchor_id, PairedStatistic::TimeRatio));
            let value = paired.map(|figure| figure.median).or(medians)?;
            Some((id, value, medians, paired))
        })
        .collect();
    // A wide figure at any size could hide the worst one.
    if let Some((id, _, _, Some(figure))) = ratios
        .iter()
        .find(|(_, _, _, paired)| paired.is_some_and(|figure| !figure.is_tight()))
    {
        return too_wide(figure, id.clone());
    }
    let worst = ratios.into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
    match worst {
        Some((id, value, medians, Some(figure))) => Measured::Value {
            value,
            source: id,
            note: Some(paired_note(
                figure,
                &medians.map_or_else(|| "not measured".to_owned(), |m| format!("{m:.3}")),
            )),
        },
        Some((id, value, _, None)) => Measured::Value {
            value,
            source: id,
            note: Some("ratio of medians".to_owned()),
        },
        None => {
            let ids: Vec<String> = sizes
                .iter()
                .map(|&size| full_id(group, function, size))
                .collect();
            Measured::or_missing(None, ids.join(", "))
        }
    }
}

/// A paired figure whose interval is too wide to judge.
fn too_wide(figure: &PairedRatio, source: String) -> Measured {
    Measured::not_measured(
        format!(
            "paired {}: too noisy to judge, the interval is ±{:.0} % (> {:.0} %)",
            figure.describe(),
            figure.relative_half_width() * 100.0,
            MAX_PAIRED_CI_HALF_WIDTH * 100.0
        ),
        source,
    )
}

/// A paired row's note: the figure's interval and rounds, and the medians' ratio beside it.
fn paired_note(figure: &PairedRatio, medians: &str) -> String {
    format!(
        "paired, 95% CI [{:.3}, {:.3}] over {} rounds; medians' ratio {medians}",
        figure.interval.0, figure.interval.1, figure.rounds
    )
}

/// The value of the largest measurement `(n, value)` written to `<file_stem>_<n>.json`.
fn memory_figure(
    memory: &[MemoryMeasurement],
    file_stem: &str,
    pick: impl Fn(&MemoryMeasurement) -> Option<(u64, f64)>,
) -> Measured {
    match memory.iter().filter_map(pick).max_by_key(|m| m.0) {
        Some((n, value)) => Measured::value(value, format!("{file_stem}_{n}.json")),
        None => Measured::not_measured(
            format!("no {} measurement", file_stem.replace('_', " ")),
            format!("{file_stem}_*.json"),
        ),
    }
}

fn suite_results(results: &CriterionResults) -> impl Iterator<Item = &BenchmarkResult> {
    results
        .iter()
        .filter(|r| suite::GROUPS.contains(&r.group_id.as_str()))
}

/// The scaling efficiency of `function` at `threads`, when it can be judged.
fn efficiency_of(
    results: &CriterionResults,
    function: &str,
    threads: usize,
    cores: usize,
) -> Result<f64, Verdict> {
    if threads > cores {
        return Err(Verdict::NotMeasurableHere(format!(
            "{threads} threads on {cores} cores: not measurable here"
        )));
    }
    let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let row = scaling_at(results, function, threads, cores)
        .ok_or_else(|| Verdict::NotMeasured(format!("no result for {id}")))?;
    if !row.tight {
        return Err(Verdict::NotMeasured(format!(
            "{:.3}, too noisy to judge: a median's 95% interval is ±{:.0} % (> {:.0} %) or has two modes",
            row.efficiency,
            row.widest_half_width * 100.0,
            MAX_SCALING_CI_HALF_WIDTH * 100.0
        )));
    }
    Ok(row.efficiency)
}

fn best_peer(
    results: &CriterionResults,
    function: &str,
    peers: &[&str],
    threads: usize,
    cores: usize,
) -> Measured {
    let source = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let own = match efficiency_of(results, function, threads, cores) {
        Ok(own) => own,
        Err(why) => return Measured::Missing { source, why },
    };
    let best = peers
        .iter()
        .filter_map(|peer| Some((*peer, efficiency_of(results, peer, threads, cores).ok()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((peer, peer_efficiency)) => Measured::Value {
            value: own / peer_efficiency,
            source: format!(
                "{source} / {}",
                full_id(suite::CONCURRENCY_GROUP, peer, threads)
            ),
            note: Some(format!("{own:.3} against {peer}'s {peer_efficiency:.3}")),
        },
        None => Measured::not_measured(
            format!("no peer with a tight efficiency at {threads} threads"),
            source,
        ),
    }
}

fn run_to_run(run_to_run: Option<&RunToRun>) -> Measured {
    let source = "cargo xtask variance".to_owned();
    let Some(run_to_run) = run_to_run else {
        return Measured::not_measured(
            "measured across runs by `cargo xtask variance`, not run yet".to_owned(),
            source,
        );
    };
    let Some(worst) = run_to_run
        .rows
        .iter()
        .max_by(|a, b| a.change.total_cmp(&b.change))
    else {
        return Measured::not_measured(
            "the variance run compared no benchmark".to_owned(),
            run_to_run.source.clone(),
        );
    };
    let under = |bar: f64| run_to_run.rows.iter().filter(|r| r.change < bar).count();
    Measured::Value {
        value: worst.change,
        source: run_to_run.source.clone(),
        note: Some(format!(
            "{}; {} of {} under 5 %, {} under 2 %",
            worst.id,
            under(0.05),
            run_to_run.rows.len(),
            under(0.02)
        )),
    }
}
