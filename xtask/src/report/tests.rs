//! Tests of the report's formatting and of `report.md` rendered from small runs.
use super::*;

#[test]
fn durations_pick_a_readable_unit() {
    assert_eq!(format_ns(12.345), "12.35 ns");
    assert_eq!(format_ns(1_234.0), "1.234 µs");
    assert_eq!(format_ns(250_000_000.0), "250.0 ms");
    assert_eq!(format_ns(f64::NAN), "n/a");
}

#[test]
fn tables_are_padded_markdown() {
    let text = table(
        &["a", "bb"],
        &[vec!["long cell".to_owned(), "x|y".to_owned()]],
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "| a         | bb   |");
    assert_eq!(lines[1], "|-----------|------|");
    assert_eq!(lines[2], "| long cell | x\\|y |");
}

#[test]
fn the_report_marks_two_mode_rows_and_hides_untrusted_efficiencies() {
    use crate::snapshot::tests::{record, snapshot};
    let id = "concurrent_operations/prespawned_store_adds/1";
    let run = snapshot("run", vec![record(id, vec![1.0, 2.0])]);
    let mut scorecard = crate::plot::tests::empty_scorecard();
    scorecard.scaling = vec![bench_scorecard::Scaling {
        id: "concurrent_operations/prespawned_store_adds/2".to_owned(),
        function: "prespawned_store_adds".to_owned(),
        threads: 2,
        speedup: 5.18,
        speedup_interval: (4.0, 6.0),
        efficiency: 2.59,
        widest_half_width: 0.3,
        tight: false,
        within_cores: true,
    }];
    scorecard.bimodal = vec![bench_scorecard::Bimodal {
        id: id.to_owned(),
        modes: bench_scorecard::Modes {
            low_ns: 460_000.0,
            high_ns: 2_200_000.0,
            low_count: 4,
            high_count: 6,
            separation: 3.0,
        },
    }];
    let text = markdown(&BenchReport {
        snapshot: &run,
        scorecard: &scorecard,
        growth: &[],
        plots: &[],
        criterion_html: None,
    });
    assert!(text.contains("## Benchmarks with two modes"), "{text}");
    assert!(text.contains("4 x 460.0 µs"), "{text}");
    assert!(text.contains("2 (see above)"), "{text}");
    assert!(text.contains("not shown: medians ±30 %"), "{text}");
    assert!(!text.contains("259"), "{text}");
}

/// A small run with a sized series, concurrency rows and two modes, evaluated and rendered
/// as `cargo xtask bench` does: every section of `report.md`, byte for byte.
#[test]
fn a_small_run_renders_the_pinned_report() {
    use crate::snapshot::tests::{record, snapshot};
    use bench_scorecard::Throughput;
    use bench_scorecard::suite::{self as ids, full_id};

    let sized = |group: &str, function: &str, size: usize, elements: u64, ns: f64| {
        let mut record = record(
            &full_id(group, function, size),
            vec![ns * 0.99, ns, ns * 1.01],
        );
        record.group_id = group.to_owned();
        record.function_id = Some(function.to_owned());
        record.value_str = Some(size.to_string());
        record.throughput = Some(Throughput::Elements(elements));
        record
    };
    let mut benchmarks = vec![
        sized(ids::DETECTION_GROUP, ids::DETECT, 1_000, 1_000, 80_000.0),
        sized(ids::STORE_GROUP, ids::STORE_ADD, 1_000, 1_000, 150_000.0),
        sized(ids::STORE_GROUP, ids::HASHMAP_ADD, 1_000, 1_000, 100_000.0),
        sized(
            ids::CONCURRENCY_GROUP,
            ids::CONCURRENT_PRESPAWNED,
            1,
            1_000,
            1_000.0,
        ),
        sized(
            ids::CONCURRENCY_GROUP,
            ids::CONCURRENT_PRESPAWNED,
            2,
            2_000,
            1_100.0,
        ),
        sized(
            ids::CONCURRENCY_GROUP,
            ids::CONCURRENT_UNSHARED,
            1,
            1_000,
            900.0,
        ),
        sized(
            ids::CONCURRENCY_GROUP,
            ids::CONCURRENT_UNSHARED,
            2,
            2_000,
            1_000.0,
        ),
    ];
    for (size, ns) in [(100, 5_000.0), (1_000, 52_000.0), (10_000, 540_000.0)] {
        benchmarks.push(sized(
            ids::SCALABILITY_GROUP,
            ids::SCALING_STORE_GET,
            size,
            size as u64,
            ns,
        ));
    }
    let mut two_modes: Vec<f64> = vec![1_000.0; 12];
    two_modes.extend([3_000.0; 12]);
    benchmarks.push(record(
        "exception_handler/resolve_cache_hit/single",
        two_modes,
    ));
    let mut run = snapshot("pinned", benchmarks);
    run.host.cpu_model = "test cpu".to_owned();
    run.host.logical_cores = 2;
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::paths::Paths::new(dir.path().to_owned(), dir.path().join("target"));
    let evaluation = crate::harness::evaluate(&run, &paths, None);
    let text = markdown(&BenchReport {
        snapshot: &run,
        scorecard: &evaluation.scorecard,
        growth: &evaluation.growth,
        plots: &[("Growth with data size".to_owned(), "growth.svg".to_owned())],
        criterion_html: Some("../criterion/report/index.html".to_owned()),
    });
    let pinned = include_str!("../../tests/fixtures/pinned_report.md");
    assert_eq!(
        text, pinned,
        "report.md changed; review the diff before updating the pin"
    );
}

#[test]
fn changes_are_signed() {
    assert_eq!(format_change(1.05), "+5.0%");
    assert_eq!(format_change(0.9), "-10.0%");
}
