//! Exit codes, baseline resolution, thresholds and rendering of `regress`.
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
        ..BenchmarkComparison::new(id, verdict, 0.05)
    }
}

#[test]
fn exit_codes() {
    use Verdict::*;
    assert_eq!(exit_code_for(&[Unchanged, Improved], true), EXIT_OK);
    assert_eq!(exit_code_for(&[Inconclusive], false), EXIT_OK);
    assert_eq!(exit_code_for(&[Inconclusive], true), EXIT_STRICT);
    assert_eq!(exit_code_for(&[Missing], true), EXIT_STRICT);
    assert_eq!(exit_code_for(&[New], true), EXIT_OK);
    assert_eq!(
        exit_code_for(&[Inconclusive, Regressed], true),
        EXIT_REGRESSED
    );
}

#[test]
fn tables_have_a_geometric_mean_row() {
    let report = RegressReport {
        lanes: Lanes::TimeAndMemory,
        memory: vec![memory_lane::MemoryRow {
            id: "memory_usage/store_bytes_per_exception/1000".to_owned(),
            quantity: "bytes-per-exception".to_owned(),
            baseline: vec![174.7, 174.7],
            candidate: vec![238.7, 238.7],
            verdict: Verdict::Regressed,
            note: "+64.0 per iteration (+36.6 %); in every process".to_owned(),
        }],
        turns: vec![crate::paired::lockstep::TurnReport {
            turns: [100, 100],
            alternations: 199,
            connected: [true, true],
            warm_up_turns: [12, 12],
        }],
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
        benchmarks: Rows::Time(vec![comparison("g/x", Verdict::Unchanged, Some(1.01))]),
        geometric_mean_ratio: Some(1.01),
        lane_errors: Vec::new(),
        exit_code: 0,
    };
    let table = render_table(&report);
    assert!(table.contains("geometric mean"), "{table}");
    assert!(table.contains("+1.0%"), "{table}");
    assert!(table.contains("UNCHANGED"), "{table}");
    assert!(
        table.contains("99.5 % of 200 samples alternated"),
        "{table}"
    );
    assert!(
        table.contains("memory REGRESSED") && table.contains("238.7"),
        "{table}"
    );
    let markdown = render_markdown(&report);
    assert!(markdown.contains("**Warning:** other host"), "{markdown}");
    assert!(markdown.contains("bytes-per-exception"), "{markdown}");
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
fn a_baseline_is_a_commit_and_a_saved_snapshot_is_refused() {
    let repo = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(repo.path().join("a.txt"), "a").unwrap();
    git(repo.path(), &["add", "a.txt"]);
    git(repo.path(), &["commit", "-q", "-m", "a"]);
    std::fs::write(out.path().join("saved.json"), "{}").unwrap();
    let main = resolve_commit(repo.path(), out.path(), "main").unwrap();
    assert_eq!(main.len(), 40);
    assert_eq!(
        resolve_commit(repo.path(), out.path(), "HEAD").unwrap(),
        main
    );
    let refused = resolve_commit(repo.path(), out.path(), "saved").unwrap_err();
    assert!(refused.to_string().contains("saved"), "{refused}");
    assert!(resolve_commit(repo.path(), out.path(), "--help").is_err());
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

#[test]
fn a_commit_that_only_touches_the_gate_reuses_its_parents_build() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.path().join("xtask")).unwrap();
    std::fs::write(repo.path().join("lib.rs"), "fn a() {}").unwrap();
    std::fs::write(repo.path().join("xtask/main.rs"), "fn main() {}").unwrap();
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "a"]);
    let key = |rev: &str| {
        let sha = resolve_commit(repo.path(), repo.path(), rev).unwrap();
        build::build_key(repo.path(), &sha, "bench").unwrap()
    };
    let first = key("HEAD");
    std::fs::write(repo.path().join("xtask/main.rs"), "fn main() { }").unwrap();
    git(repo.path(), &["commit", "-q", "-am", "gate only"]);
    assert_eq!(key("HEAD"), first);
    std::fs::write(repo.path().join("lib.rs"), "fn b() {}").unwrap();
    git(repo.path(), &["commit", "-q", "-am", "code"]);
    assert_ne!(key("HEAD"), first);
    let sha = resolve_commit(repo.path(), repo.path(), "HEAD").unwrap();
    assert_ne!(
        build::build_key(repo.path(), &sha, "dev").unwrap(),
        build::build_key(repo.path(), &sha, "bench").unwrap()
    );
}

#[test]
fn a_second_comparison_in_one_target_folder_is_refused_while_the_first_runs() {
    let out = tempfile::tempdir().unwrap();
    let first = RunLock::take(out.path()).unwrap();
    let second = RunLock::take(out.path()).unwrap_err();
    assert!(
        second.to_string().contains("another `cargo xtask regress`"),
        "{second}"
    );
    assert!(second.to_string().contains("regress.lock"), "{second}");
    drop(first);
    RunLock::take(out.path()).unwrap();
}
