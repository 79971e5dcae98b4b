//! The parser against real Criterion 0.8.2 output checked in under `xtask/tests/fixtures/criterion`.
use std::path::PathBuf;

use super::*;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion")
}

#[test]
fn reads_a_sized_benchmark() {
    let benchmark = read_benchmark_dir_with(
        &fixture().join("tiny_sum/sum/64/fixture"),
        SampleValues::Durations,
    )
    .unwrap();
    assert_eq!(benchmark.id, "tiny_sum/sum/64");
    assert_eq!(benchmark.group, "tiny_sum");
    assert_eq!(benchmark.function.as_deref(), Some("sum"));
    assert_eq!(benchmark.value.as_deref(), Some("64"));
    assert_eq!(benchmark.throughput, Some(Throughput::Elements(64)));
    assert_eq!(benchmark.iters.len(), 10);
    // First sample: 1656977 ns over 1547 iterations.
    assert!((benchmark.per_iteration_ns[0] - 1_656_977.0 / 1547.0).abs() < 1e-9);
    assert!((benchmark.mean.point_ns - 1_498.397_742_148_141_3).abs() < 1e-6);
    assert_eq!(benchmark.mean.confidence_level, 0.95);
    assert!(benchmark.median.lower_ns <= benchmark.median.point_ns);
}

#[test]
fn reads_every_benchmark_of_a_baseline_and_filters_by_id() {
    let all = read_baseline(&fixture(), "fixture", None).unwrap();
    let ids: Vec<&str> = all.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids,
        ["tiny_other/xor", "tiny_sum/sum/256", "tiny_sum/sum/64"]
    );
    assert_eq!(all[0].function, None);
    assert_eq!(all[0].throughput, None);

    let wanted: BTreeSet<String> = ["tiny_sum/sum/256".to_owned()].into();
    let some = read_baseline(&fixture(), "fixture", Some(&wanted)).unwrap();
    assert_eq!(some.len(), 1);
    assert!(
        read_baseline(&fixture(), "no-such-baseline", None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn corrupt_files_are_typed_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let source = fixture().join("tiny_sum/sum/64/fixture");
    for name in ["benchmark.json", "sample.json", "estimates.json"] {
        std::fs::copy(source.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("sample.json"),
        r#"{"iters":[1.0],"times":[]}"#,
    )
    .unwrap();
    let error = read_benchmark_dir_with(dir.path(), SampleValues::Durations).unwrap_err();
    assert!(
        matches!(error, InputError::CorruptCriterion { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("sample.json"), "{error}");

    std::fs::write(dir.path().join("estimates.json"), "{ truncated").unwrap();
    let error = read_benchmark_dir_with(dir.path(), SampleValues::Durations).unwrap_err();
    assert!(error.to_string().contains("estimates.json"), "{error}");
}

#[test]
fn the_workspace_locks_the_criterion_series_we_parse() {
    let lock = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let version = locked_version(&lock).unwrap();
    assert!(version.starts_with("0.8."), "{version}");
}

#[test]
fn another_criterion_series_is_refused() {
    assert_eq!(
        locked_version_in("[[package]]\nname = \"criterion\"\nversion = \"0.9.1\"\n").as_deref(),
        Some("0.9.1")
    );
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(
        &lock,
        "[[package]]\nname = \"criterion\"\nversion = \"0.9.1\"\n",
    )
    .unwrap();
    assert!(matches!(
        locked_version(&lock),
        Err(InputError::CriterionVersion { .. })
    ));
}
