//! Snapshot and record fixtures for the report tests, and the geometric mean of rows.
use super::*;
use crate::{
    criterion::Estimate,
    snapshot::{BenchmarkRecord, GitInfo, Host, RunSettings, Snapshot},
    stats::XorShift64,
};

/// `count` samples around `center` with Gaussian noise of relative size `noise`.
fn samples(rng: &mut XorShift64, count: usize, center: f64, noise: f64) -> Vec<f64> {
    (0..count)
        .map(|_| {
            // Box-Muller from two uniforms in (0, 1].
            let u1 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 + f64::EPSILON;
            let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let gaussian = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            (center * (1.0 + noise * gaussian)).max(center * 0.01)
        })
        .collect()
}

pub(crate) fn record(id: &str, samples_ns: Vec<f64>) -> BenchmarkRecord {
    let median_ns = stats::median(&samples_ns).unwrap();
    let mean_ns = stats::mean(&samples_ns).unwrap();
    BenchmarkRecord {
        id: id.to_owned(),
        group: id.split('/').next().unwrap().to_owned(),
        function: None,
        value: None,
        throughput: None,
        iters: vec![1.0; samples_ns.len()],
        cv: stats::coefficient_of_variation(&samples_ns).unwrap(),
        samples_ns,
        median_ns,
        mean: Estimate {
            point_ns: mean_ns,
            lower_ns: mean_ns,
            upper_ns: mean_ns,
            confidence_level: 0.95,
        },
        median_ci: Estimate {
            point_ns: median_ns,
            lower_ns: median_ns,
            upper_ns: median_ns,
            confidence_level: 0.95,
        },
        std_dev_ns: 0.0,
        throughput_per_s: None,
    }
}

pub(crate) fn snapshot(name: &str, mut benchmarks: Vec<BenchmarkRecord>) -> Snapshot {
    benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
    Snapshot {
        schema_version: crate::snapshot::SCHEMA_VERSION,
        name: name.to_owned(),
        started_unix_s: 0,
        created_unix_s: 0,
        git: GitInfo {
            sha: "0".repeat(40),
            dirty: false,
            branch: None,
        },
        rustc: "rustc test".to_owned(),
        criterion_version: "0.8.2".to_owned(),
        host: Host::current(),
        settings: RunSettings {
            quick: false,
            filter: None,
            warm_up_s: None,
            measurement_s: None,
            sample_size: None,
        },
        benchmarks,
    }
}

#[test]
fn geometric_mean_of_two_opposite_changes_is_one() {
    let mut rng = XorShift64::new(8);
    let a = samples(&mut rng, 20, 100.0, 0.0);
    let base = snapshot(
        "b",
        vec![record("x/1", a.clone()), record("x/2", a.clone())],
    );
    let cand = snapshot(
        "c",
        vec![
            record("x/1", a.iter().map(|v| v * 2.0).collect()),
            record("x/2", a.iter().map(|v| v * 0.5).collect()),
        ],
    );
    let result: Vec<BenchmarkComparison> = base
        .benchmarks
        .iter()
        .zip(&cand.benchmarks)
        .map(|(b, c)| BenchmarkComparison {
            ratio: Some(c.median_ci.point_ns / b.median_ci.point_ns),
            ..BenchmarkComparison::new(&b.id, Verdict::Unchanged, 0.05)
        })
        .collect();
    assert!((geometric_mean_ratio(&result).unwrap() - 1.0).abs() < 1e-9);
}
