//! Confirmation, exit codes and rendering of `regress`.
use super::*;

fn comparison(id: &str, verdict: Verdict, ratio: Option<f64>) -> BenchmarkComparison {
    BenchmarkComparison {
        id: id.to_owned(),
        verdict,
        threshold: 0.05,
        baseline_median_ns: Some(100.0),
        candidate_median_ns: ratio.map(|r| 100.0 * r),
        ratio,
        ratio_lower: ratio.map(|r| r - 0.01),
        ratio_upper: ratio.map(|r| r + 0.01),
        p_value: Some(0.001),
        p_adjusted: Some(0.002),
        baseline_cv: Some(0.01),
        candidate_cv: Some(0.01),
        note: String::new(),
    }
}

#[test]
fn a_regression_that_repeats_stays_and_one_that_does_not_becomes_noisy() {
    let mut first = vec![
        comparison("a", Verdict::Regressed, Some(1.2)),
        comparison("b", Verdict::Regressed, Some(1.2)),
        comparison("c", Verdict::Unchanged, Some(1.0)),
    ];
    let second = vec![
        comparison("a", Verdict::Regressed, Some(1.19)),
        comparison("b", Verdict::Unchanged, Some(1.01)),
    ];
    apply_confirmations(&mut first, &second);
    assert_eq!(first[0].verdict, Verdict::Regressed);
    assert!(first[0].note.contains("confirmed"), "{}", first[0].note);
    assert_eq!(first[1].verdict, Verdict::Noisy);
    assert!(first[1].note.contains("not on re-run"), "{}", first[1].note);
    assert_eq!(first[2].verdict, Verdict::Unchanged);
    assert_eq!(exit_code_for(&first, false), EXIT_REGRESSED);
}

#[test]
fn exit_codes() {
    let clean = [
        comparison("a", Verdict::Unchanged, Some(1.0)),
        comparison("b", Verdict::Improved, Some(0.8)),
    ];
    assert_eq!(exit_code_for(&clean, true), EXIT_OK);
    let noisy = [comparison("a", Verdict::Noisy, Some(1.0))];
    assert_eq!(exit_code_for(&noisy, false), EXIT_OK);
    assert_eq!(exit_code_for(&noisy, true), EXIT_STRICT);
    let missing = [comparison("a", Verdict::Missing, None)];
    assert_eq!(exit_code_for(&missing, true), EXIT_STRICT);
    let new = [comparison("a", Verdict::New, None)];
    assert_eq!(exit_code_for(&new, true), EXIT_OK);
}

#[test]
fn tables_have_a_geometric_mean_row() {
    let report = RegressReport {
        baseline: "main".to_owned(),
        baseline_sha: "a".repeat(40),
        candidate_sha: "b".repeat(40),
        host_warning: Some("other host".to_owned()),
        benchmarks: vec![comparison("g/x", Verdict::Unchanged, Some(1.01))],
        geometric_mean_ratio: Some(1.01),
        exit_code: 0,
    };
    let table = render_table(&report);
    assert!(table.contains("geometric mean"), "{table}");
    assert!(table.contains("+1.0%"), "{table}");
    assert!(table.contains("UNCHANGED"), "{table}");
    let markdown = render_markdown(&report);
    assert!(markdown.contains("**Warning:** other host"), "{markdown}");
}
