//! Result and snapshot fixtures for the report, scorecard and variance tests.
use bench_scorecard::BenchmarkResult;

use super::{GitInfo, Host, RunSettings, SCHEMA_VERSION, Snapshot};
use crate::stats;

/// A benchmark of `samples_ns`, its median and mean exact (no interval), its group from `id`.
pub(crate) fn record(id: &str, samples_ns: Vec<f64>) -> BenchmarkResult {
    let median_ns = stats::median(&samples_ns).unwrap();
    let mean_ns = stats::mean(&samples_ns).unwrap();
    BenchmarkResult {
        full_id: id.to_owned(),
        group_id: id.split('/').next().unwrap().to_owned(),
        function_id: None,
        value_str: None,
        throughput: None,
        median_ns,
        median_ci_ns: (median_ns, median_ns),
        mean_ns,
        mean_ci_ns: (mean_ns, mean_ns),
        std_dev_ns: 0.0,
        sample_cv: Some(cv(&samples_ns, mean_ns)),
        samples_ns,
    }
}

/// Sample standard deviation over the mean.
fn cv(samples: &[f64], mean: f64) -> f64 {
    let squares: f64 = samples.iter().map(|v| (v - mean).powi(2)).sum();
    (squares / (samples.len() - 1) as f64).sqrt() / mean.abs()
}

/// A run named `name` of `benchmarks`, at commit `000...`, on this host.
pub(crate) fn snapshot(name: &str, mut benchmarks: Vec<BenchmarkResult>) -> Snapshot {
    benchmarks.sort_by(|a, b| a.full_id.cmp(&b.full_id));
    Snapshot {
        schema_version: SCHEMA_VERSION,
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
fn an_untracked_file_makes_the_tree_dirty() {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.path().join(".gitignore"), "ignored/\n").unwrap();
    git(&["add", ".gitignore"]);
    git(&["commit", "-q", "-m", "a"]);
    std::fs::create_dir(repo.path().join("ignored")).unwrap();
    std::fs::write(repo.path().join("ignored/x"), "x").unwrap();
    assert!(
        !GitInfo::of(repo.path()).dirty,
        "ignored files do not count"
    );
    std::fs::write(repo.path().join("new.rs"), "fn f() {}").unwrap();
    assert!(GitInfo::of(repo.path()).dirty);
}
