//! Verdicts on synthetic samples with known shifts and noise.
use super::*;
use crate::{
    criterion::Estimate,
    snapshot::{GitInfo, Host, RunSettings},
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

fn verdict_of(factor: f64, noise: f64, seed: u64) -> BenchmarkComparison {
    let mut rng = XorShift64::new(seed);
    let base = snapshot(
        "base",
        vec![record("g/f", samples(&mut rng, 50, 1000.0, noise))],
    );
    let cand = snapshot(
        "cand",
        vec![record("g/f", samples(&mut rng, 50, 1000.0 * factor, noise))],
    );
    let mut result = compare(&base, &cand, &|_| Some(0.05), &CompareConfig::default());
    result.remove(0)
}

#[test]
fn identical_runs_are_unchanged() {
    let mut rng = XorShift64::new(1);
    let values = samples(&mut rng, 50, 1000.0, 0.01);
    let base = snapshot("base", vec![record("g/f", values.clone())]);
    let cand = snapshot("cand", vec![record("g/f", values)]);
    let result = compare(&base, &cand, &|_| Some(0.05), &CompareConfig::default());
    assert_eq!(result[0].verdict, Verdict::Unchanged, "{:?}", result[0]);
    assert_eq!(result[0].ratio, Some(1.0));
}

#[test]
fn same_distribution_is_unchanged() {
    assert_eq!(verdict_of(1.0, 0.01, 2).verdict, Verdict::Unchanged);
}

#[test]
fn ten_percent_slower_with_low_noise_regresses() {
    let comparison = verdict_of(1.10, 0.01, 3);
    assert_eq!(comparison.verdict, Verdict::Regressed, "{comparison:?}");
    assert!(comparison.ratio_lower.unwrap() > 1.05);
}

#[test]
fn ten_percent_slower_with_high_noise_is_noisy() {
    let comparison = verdict_of(1.10, 0.20, 4);
    assert_eq!(comparison.verdict, Verdict::Noisy, "{comparison:?}");
}

#[test]
fn ten_percent_faster_improves() {
    let comparison = verdict_of(0.90, 0.01, 5);
    assert_eq!(comparison.verdict, Verdict::Improved, "{comparison:?}");
}

#[test]
fn a_small_change_within_the_threshold_is_unchanged() {
    let comparison = verdict_of(1.02, 0.005, 6);
    assert_eq!(comparison.verdict, Verdict::Unchanged, "{comparison:?}");
}

#[test]
fn new_missing_and_ignored_benchmarks() {
    let mut rng = XorShift64::new(7);
    let base = snapshot(
        "base",
        vec![
            record("a/old", samples(&mut rng, 10, 10.0, 0.01)),
            record("a/kept", samples(&mut rng, 10, 10.0, 0.01)),
        ],
    );
    let cand = snapshot(
        "cand",
        vec![
            record("a/new", samples(&mut rng, 10, 10.0, 0.01)),
            record("a/kept", samples(&mut rng, 10, 100.0, 0.01)),
        ],
    );
    let ignore_kept = |id: &str| (id != "a/kept").then_some(0.05);
    let result = compare(&base, &cand, &ignore_kept, &CompareConfig::default());
    let verdicts: Vec<(&str, Verdict)> =
        result.iter().map(|c| (c.id.as_str(), c.verdict)).collect();
    assert_eq!(
        verdicts,
        [("a/new", Verdict::New), ("a/old", Verdict::Missing)]
    );
}

#[test]
fn holm_rarely_flags_any_of_fifty_null_benchmarks() {
    let config = CompareConfig {
        resamples: 200,
        ..CompareConfig::default()
    };
    let trials = 40;
    let mut trials_with_a_flag = 0;
    let mut raw_flags = 0;
    for trial in 0..trials {
        let mut rng = XorShift64::new(1000 + trial);
        let ids: Vec<String> = (0..50).map(|i| format!("null/bench/{i}")).collect();
        let base = snapshot(
            "base",
            ids.iter()
                .map(|id| record(id, samples(&mut rng, 30, 500.0, 0.02)))
                .collect(),
        );
        let cand = snapshot(
            "cand",
            ids.iter()
                .map(|id| record(id, samples(&mut rng, 30, 500.0, 0.02)))
                .collect(),
        );
        // A zero threshold makes the verdict rest on significance alone.
        let result = compare(&base, &cand, &|_| Some(0.0), &config);
        raw_flags += result.iter().filter(|c| c.p_value.unwrap() < 0.05).count();
        if result
            .iter()
            .any(|c| matches!(c.verdict, Verdict::Regressed | Verdict::Improved))
        {
            trials_with_a_flag += 1;
        }
    }
    // Uncorrected, about 5 % of the 2000 null tests are "significant"; Holm keeps the
    // familywise rate near 5 % of the 40 trials.
    assert!(
        raw_flags > 40,
        "the uncorrected test should flag some: {raw_flags}"
    );
    assert!(
        trials_with_a_flag <= 4,
        "{trials_with_a_flag} of {trials} trials flagged"
    );
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
    let result = compare(&base, &cand, &|_| Some(0.05), &CompareConfig::default());
    assert!((geometric_mean_ratio(&result).unwrap() - 1.0).abs() < 1e-9);
}
