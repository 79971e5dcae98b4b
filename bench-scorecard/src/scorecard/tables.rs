//! The scorecard's tables besides the criteria: anchor ratios, growth fits, scaling rows and
//! benchmarks with two modes.

use crate::bimodality::bimodality;
use crate::fit::fit_power_law;
use crate::paired::{PairedRatios, PairedStatistic};
use crate::results::CriterionResults;
use crate::suite::{self, full_id};

use super::{AnchorRatio, Bimodal, Growth, MAX_SCALING_CI_HALF_WIDTH, Scaling};

/// The scaling of `function` at `threads` against its one-thread run.
pub(super) fn scaling_at(
    results: &CriterionResults,
    function: &str,
    threads: usize,
    cores: usize,
) -> Option<Scaling> {
    let one = results.get(&full_id(suite::CONCURRENCY_GROUP, function, 1))?;
    let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let many = results.get(&id)?;
    let rate_one = one.elements_per_second().filter(|rate| *rate > 0.0)?;
    let rate_many = many.elements_per_second()?;
    let (one_low, one_high) = one.elements_per_second_ci()?;
    let (many_low, many_high) = many.elements_per_second_ci()?;
    let speedup = rate_many / rate_one;
    let widest_half_width = one
        .relative_ci_half_width()
        .max(many.relative_ci_half_width());
    let two_modes = [one, many]
        .iter()
        .any(|r| bimodality(&r.samples_ns).is_some());
    Some(Scaling {
        id,
        function: function.to_owned(),
        threads,
        speedup,
        // One thread against itself is exactly 1; the baseline's own spread shows in the others.
        speedup_interval: if threads == 1 {
            (1.0, 1.0)
        } else {
            (many_low / one_high, many_high / one_low)
        },
        efficiency: speedup / threads as f64,
        widest_half_width,
        tight: widest_half_width <= MAX_SCALING_CI_HALF_WIDTH && !two_modes,
        within_cores: threads <= cores,
    })
}

pub(super) fn scaling(results: &CriterionResults, cores: usize) -> Vec<Scaling> {
    suite::CONCURRENT_SERIES
        .iter()
        .flat_map(|function| {
            suite::THREAD_COUNTS
                .iter()
                .filter_map(move |&threads| scaling_at(results, function, threads, cores))
        })
        .collect()
}

pub(super) fn bimodal(results: &CriterionResults) -> Vec<Bimodal> {
    results
        .iter()
        .filter_map(|r| {
            Some(Bimodal {
                id: r.full_id.clone(),
                modes: bimodality(&r.samples_ns)?,
            })
        })
        .collect()
}

pub(super) fn anchor_ratios(
    results: &CriterionResults,
    paired: Option<&PairedRatios>,
) -> Vec<AnchorRatio> {
    let pairs = [
        (suite::STORE_ADD, suite::HASHMAP_ADD),
        (suite::STORE_GET, suite::HASHMAP_GET),
        (suite::STORE_ADD, suite::DASHMAP_ADD),
        (suite::STORE_GET, suite::DASHMAP_GET),
    ];
    let mut ratios = Vec::new();
    for (function, anchor) in pairs {
        for size in suite::STORE_SIZES {
            ratios.extend(ratio(
                results,
                paired,
                suite::STORE_GROUP,
                function,
                anchor,
                size,
            ));
        }
    }
    for size in suite::SCALING_STORE_SIZES {
        ratios.extend(ratio(
            results,
            paired,
            suite::SCALABILITY_GROUP,
            suite::SCALING_STORE_GET,
            suite::SCALING_HASHMAP_GET,
            size,
        ));
    }
    for peer in suite::CONCURRENT_PEERS
        .iter()
        .chain([&suite::CONCURRENT_UNSHARED])
    {
        for threads in suite::THREAD_COUNTS {
            ratios.extend(ratio(
                results,
                paired,
                suite::CONCURRENCY_GROUP,
                suite::CONCURRENT_PRESPAWNED,
                peer,
                threads,
            ));
        }
    }
    ratios
}

/// The paired figure of `group/function/size` against `group/anchor/size` where one was
/// measured, else the ratio of their medians.
fn ratio(
    results: &CriterionResults,
    paired: Option<&PairedRatios>,
    group: &str,
    function: &str,
    anchor: &str,
    size: usize,
) -> Option<AnchorRatio> {
    let benchmark = full_id(group, function, size);
    let anchor = full_id(group, anchor, size);
    if let Some(figure) =
        paired.and_then(|p| p.find(&benchmark, &anchor, PairedStatistic::TimeRatio))
    {
        return Some(AnchorRatio {
            ratio: figure.median,
            paired_interval: Some(figure.interval),
            benchmark,
            anchor,
        });
    }
    let value = results.get(&benchmark)?.median_ns / results.get(&anchor)?.median_ns;
    value.is_finite().then_some(AnchorRatio {
        benchmark,
        anchor,
        ratio: value,
        paired_interval: None,
    })
}

/// The growth series the scorecard fits.
pub const GROWTH_SERIES: [&str; 4] = [
    suite::SCALING_STORE_GET,
    suite::SCALING_STORE_ADD,
    suite::SCALING_HASHMAP_GET,
    suite::SCALING_DETECT,
];

pub(super) fn growth_fits(results: &CriterionResults) -> Vec<Growth> {
    GROWTH_SERIES
        .iter()
        .map(|function| {
            let points = results.series(suite::SCALABILITY_GROUP, function);
            Growth {
                series: format!("{}/{function}", suite::SCALABILITY_GROUP),
                fit: fit_power_law(&points).map_err(|e| e.to_string()),
            }
        })
        .collect()
}
