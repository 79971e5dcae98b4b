//! Confirmation, exit codes, baseline precedence and rendering of `regress`.
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
        ..BenchmarkComparison::new(id, verdict, 0.05)
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
        mode: "paired",
        baseline_source: "git ref `main`".to_owned(),
        rounds_run: Some(10),
        engine: None,
        judging: None,
        budget_s: None,
        budget_exhausted: false,
        elapsed_s: 1.0,
        rounds: BTreeMap::new(),
        throughput: BTreeMap::new(),
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

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
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
    assert!(status.status.success(), "{status:?}");
}

#[test]
fn a_git_ref_wins_over_a_snapshot_of_the_same_name_unless_asked() {
    let repo = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(repo.path().join("a.txt"), "a").unwrap();
    git(repo.path(), &["add", "a.txt"]);
    git(repo.path(), &["commit", "-q", "-m", "a"]);
    std::fs::write(out.path().join("main.json"), "{}").unwrap();
    std::fs::write(out.path().join("saved.json"), "{}").unwrap();

    let main = resolve_source(repo.path(), out.path(), "main", false).unwrap();
    assert!(
        matches!(&main, BaselineSource::Commit { sha, shadowed: true } if sha.len() == 40),
        "{main:?}"
    );
    let head = resolve_source(repo.path(), out.path(), "HEAD", false).unwrap();
    assert!(matches!(
        head,
        BaselineSource::Commit {
            shadowed: false,
            ..
        }
    ));
    assert_eq!(
        resolve_source(repo.path(), out.path(), "main", true).unwrap(),
        BaselineSource::Snapshot(out.path().join("main.json"))
    );
    assert_eq!(
        resolve_source(repo.path(), out.path(), "saved", false).unwrap(),
        BaselineSource::Snapshot(out.path().join("saved.json"))
    );
    assert!(resolve_source(repo.path(), out.path(), "nothing", false).is_err());
    assert!(resolve_source(repo.path(), out.path(), "HEAD", true).is_err());
}

#[test]
fn an_unpaired_regression_never_gates_and_strict_counts_inconclusive() {
    let inconclusive = [comparison("a", Verdict::Inconclusive, Some(1.1))];
    assert_eq!(exit_code_for(&inconclusive, false), EXIT_OK);
    assert_eq!(exit_code_for(&inconclusive, true), EXIT_STRICT);
}

#[test]
fn thresholds_never_go_below_the_measured_noise_floor() {
    let config = RegressConfig::parse(
        r#"
        default_threshold = "5%"
        ignore = ["g/ignored"]
        [thresholds]
        "g/loose" = "15%"
        "#,
    )
    .unwrap();
    let ids: Vec<String> = ["g/quiet", "g/noisy", "g/loose", "g/ignored", "g/new"]
        .iter()
        .map(|id| (*id).to_owned())
        .collect();
    let floors = BTreeMap::from([
        ("g/quiet".to_owned(), 0.01),
        ("g/noisy".to_owned(), 0.12),
        ("g/loose".to_owned(), 0.03),
    ]);
    let chosen = thresholds(&ids, &config, &floors);
    assert_eq!(chosen["g/quiet"], 0.05);
    assert_eq!(chosen["g/noisy"], 0.12);
    assert_eq!(chosen["g/loose"], 0.15);
    assert_eq!(chosen["g/new"], 0.05);
    assert!(!chosen.contains_key("g/ignored"));
}
