//! Export of a `regress` run in Bencher Metric Format (BMF JSON), for `bencher run --adapter json`.
//!
//! Per benchmark: `latency` (ns per iteration) with `value` and a `lower_value` / `upper_value`
//! spread, `throughput` (declared work per second) where the benchmark declares it, and, for the
//! instruction-count lane, `instructions`.
use serde_json::{Map, Value, json};

use super::{RegressReport, Rows};
use crate::stats;

/// The candidate side of `report` as BMF.
pub fn export(report: &RegressReport) -> Value {
    let mut benchmarks = Map::new();
    if let Rows::Instructions(rows) = &report.benchmarks {
        for row in rows {
            if let Some(count) = row.candidate_instructions {
                let measures = json!({"instructions": {"value": count}});
                benchmarks.insert(row.id.clone(), measures);
            }
        }
    }
    let Rows::Time(rows) = &report.benchmarks else {
        return Value::Object(benchmarks);
    };
    for row in rows {
        let mut measures = Map::new();
        let latency = match report.rounds.get(&row.id) {
            // Paired: the median over rounds of the candidate's medians, with their range.
            Some(rounds) => {
                let values: Vec<f64> = rounds
                    .first
                    .iter()
                    .chain(&rounds.second)
                    .map(|pair| pair.candidate_ns)
                    .collect();
                stats::median(&values).map(|median| {
                    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
                    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (median, low, high)
                })
            }
            None => row
                .candidate_median_ns
                .map(|median| (median, median, median)),
        };
        if let Some((value, low, high)) = latency {
            measures.insert(
                "latency".to_owned(),
                json!({"value": value, "lower_value": low, "upper_value": high}),
            );
            if let Some(throughput) = report.throughput.get(&row.id)
                && low > 0.0
            {
                let work = throughput.per_iteration() as f64 * 1e9;
                measures.insert(
                    "throughput".to_owned(),
                    json!({"value": work / value, "lower_value": work / high, "upper_value": work / low}),
                );
            }
        }
        if !measures.is_empty() {
            benchmarks.insert(row.id.clone(), Value::Object(measures));
        }
    }
    Value::Object(benchmarks)
}
