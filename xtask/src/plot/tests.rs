//! Tests of the SVG charts, the history reader and the report's plots.
use bench_scorecard::Scaling;

use super::*;

#[test]
fn writes_an_svg_with_every_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growth.svg");
    let series = [Series {
        label: "store/get".to_owned(),
        points: vec![
            Point::new(100.0, 50.0),
            Point {
                interval: Some((50.0, 60.0)),
                ..Point::new(1000.0, 55.0)
            },
            Point::new(10000.0, 61.0),
        ],
        reference: false,
    }];
    let chart = Chart {
        title: "Growth",
        x_label: "n",
        y_label: "ns",
        log_x: true,
        log_y: true,
        y_in_ns: true,
        ..Chart::default()
    };
    line_chart(&path, &chart, &series).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..60.min(svg.len())]);
    assert!(svg.contains("store/get") && svg.contains("Growth"));

    let empty = line_chart(&dir.path().join("empty.svg"), &chart, &[]);
    assert!(empty.is_err());
}

#[test]
fn history_keeps_one_point_per_commit_in_first_seen_order() {
    let text = [
        r#"{"git":{"sha":"aaaaaaaaaa"},"median_ns":{"x":1.0}}"#,
        r#"{"git":{"sha":"bbbbbbbbbb"},"median_ns":{"x":2.0}}"#,
        "not json",
        r#"{"git":{"sha":"aaaaaaaaaa"},"median_ns":{"x":3.0}}"#,
        // A filtered run of the same commit: `x` keeps its latest median above.
        r#"{"git":{"sha":"aaaaaaaaaa"},"median_ns":{"y":4.0}}"#,
    ]
    .join("\n");
    let commits = history_by_commit(&text);
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0].0, "aaaaaaa");
    assert_eq!(commits[0].1["x"], 3.0);
    assert_eq!(commits[0].1["y"], 4.0);
    assert_eq!(commits[1].1["x"], 2.0);
}

#[test]
fn the_report_plots_are_drawn_from_an_evaluation() {
    use crate::report::GrowthRow;
    let dir = tempfile::tempdir().unwrap();
    let scaling = |function: &str, threads: usize, speedup: f64, tight: bool| Scaling {
        id: format!("concurrent_operations/{function}/{threads}"),
        function: function.to_owned(),
        threads,
        speedup,
        speedup_interval: (speedup * 0.95, speedup * 1.05),
        efficiency: speedup / threads as f64,
        widest_half_width: 0.05,
        tight,
        within_cores: threads <= 2,
    };
    let mut scorecard = empty_scorecard();
    scorecard.scaling = vec![
        scaling(ids::CONCURRENT_UNSHARED, 1, 1.0, true),
        scaling(ids::CONCURRENT_UNSHARED, 2, 1.6, true),
        scaling(ids::CONCURRENT_PRESPAWNED, 1, 1.0, true),
        scaling(ids::CONCURRENT_PRESPAWNED, 2, 5.2, false),
    ];
    let evaluation = Evaluation {
        scorecard,
        growth: vec![GrowthRow {
            series: "scalability/store_get".to_owned(),
            sizes: vec![100.0, 1000.0],
            per_element_ns: vec![50.0, 52.0],
            per_element_ci_ns: vec![(49.0, 51.0), (51.0, 53.0)],
            exponent: 0.02,
            r_squared: 1.0,
        }],
        warnings: Vec::new(),
    };
    std::fs::write(
        dir.path().join("history.jsonl"),
        r#"{"git":{"sha":"abcdef123"},"median_ns":{"exception_store/get_exception/1000":5000.0}}"#,
    )
    .unwrap();
    let plots = draw_report_plots(&evaluation, dir.path());
    let names: Vec<&str> = plots.iter().map(|p| p.1.as_str()).collect();
    assert_eq!(names, ["growth.svg", "scaling.svg", "history.svg"]);
    let scaling_svg = std::fs::read_to_string(dir.path().join("scaling.svg")).unwrap();
    assert!(scaling_svg.contains("(ceiling)"), "the ceiling is drawn");
    let growth_svg = std::fs::read_to_string(dir.path().join("growth.svg")).unwrap();
    assert!(growth_svg.contains("time per element"));
    let history_svg = std::fs::read_to_string(dir.path().join("history.svg")).unwrap();
    assert!(history_svg.contains("abcdef1"));
}

/// The scorecard of a run with no results.
pub(crate) fn empty_scorecard() -> bench_scorecard::Scorecard {
    let results = bench_scorecard::CriterionResults::default();
    bench_scorecard::evaluate(&bench_scorecard::Inputs::new(&results, &[], 2))
}
