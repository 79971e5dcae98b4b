//! End-to-end runs of the `xtask` binary: `bench`, lock-step `regress` and `variance` on a tiny
//! fixture suite, bad baselines, a missing valgrind.
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn xtask(out: &Path, args: &[&str]) -> Command {
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-bench/Cargo.toml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args).args([
        "--suite-manifest",
        fixture.to_str().unwrap(),
        "--suite-package",
        "tiny-bench",
        "--suite-bench",
        "tiny",
        // The dev profile reuses the Criterion that the workspace's tests already built.
        "--suite-profile",
        "dev",
        "--quick-budget-s",
        "0.4",
        "--out-dir",
        out.to_str().unwrap(),
        "--criterion-home",
        out.join("criterion").to_str().unwrap(),
    ]);
    command.env_remove("TINY_BENCH_SLOWDOWN");
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("xtask starts");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_command() {
    let (code, stdout, _) = run(Command::new(env!("CARGO_BIN_EXE_xtask")).arg("--help"));
    assert_eq!(code, 0);
    for command in ["bench", "regress", "variance"] {
        assert!(stdout.contains(command), "{stdout}");
    }
}

#[test]
fn a_missing_baseline_exits_2_and_says_what_to_run() {
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&mut xtask(
        out.path(),
        &["regress", "--baseline", "no-such-baseline-or-ref"],
    ));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("no baseline commit named `no-such-baseline-or-ref`"),
        "{stderr}"
    );
    assert!(stderr.contains("cannot tell the code from"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_saved_snapshot_is_not_a_baseline() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("saved.json"), "{}").unwrap();
    let (code, _, stderr) = run(&mut xtask(out.path(), &["regress", "--baseline", "saved"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("saved.json"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bench_then_variance_on_a_tiny_filter() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path();

    let (code, stdout, stderr) = run(&mut xtask(
        out,
        &[
            "bench", "--quick", "--filter", "tiny_sum", "--save", "e2e-base",
        ],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("## Scorecard") && stdout.contains("tiny_sum/sum/64"),
        "{stdout}"
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("e2e-base.json")).unwrap()).unwrap();
    let benchmarks = snapshot["benchmarks"].as_array().unwrap();
    assert_eq!(
        benchmarks.len(),
        2,
        "the filter selects the two tiny_sum sizes"
    );
    assert_eq!(benchmarks[0]["samples_ns"].as_array().unwrap().len(), 10);
    assert!(benchmarks[0]["median_ns"].as_f64().unwrap() > 0.0);
    assert!(out.join("history.jsonl").is_file() && out.join("report.md").is_file());
    // Criterion's own baseline layout, readable by third-party tools.
    assert!(
        out.join("criterion/tiny_sum/sum/64/e2e-base/sample.json")
            .is_file()
    );

    // The same build against itself in paired rounds: a noise floor per benchmark, then shown
    // by the next report.
    let (code, stdout, stderr) = run(&mut xtask(
        out,
        &["variance", "--quick", "--filter", "tiny_sum"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Run-to-run variance"), "{stdout}");
    let variance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("variance.json")).unwrap()).unwrap();
    assert_eq!(variance["rows"].as_array().unwrap().len(), 2, "{variance}");
    assert_eq!(variance["paired"], true, "{variance}");
    assert!(
        variance["rows"][0]["noise_floor"].as_f64().unwrap() >= 0.0,
        "{variance}"
    );
    let (code, stdout, stderr) = run(&mut xtask(
        out,
        &[
            "bench",
            "--quick",
            "--filter",
            "tiny_sum/sum/64",
            "--save",
            "e2e-after",
        ],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("cargo xtask variance at"), "{stdout}");

    // A filter that starts with `-` is a filter for the bench binary, not one of its flags.
    let (code, stdout, stderr) = run(&mut xtask(
        out,
        &["bench", "--list", "--filter", "-?tiny_other"],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "tiny_other/xor", "{stderr}");
}

/// A paired run of the fixture against HEAD: short settings, six rounds a set.
fn paired(out: &Path, extra: &[&str]) -> Command {
    let mut args = vec![
        "regress",
        "--baseline",
        "HEAD",
        "--quick",
        "--rounds",
        "6",
        "--budget",
        "120s",
        "--filter",
        "tiny_sum/sum/256",
        "--format",
        "json",
        // The fixture counts no allocations: the memory lane has its own tests.
        "--lanes",
        "time",
    ];
    args.extend_from_slice(extra);
    xtask(out, &args)
}

#[test]
fn paired_a_a_passes_and_an_injected_slowdown_fails() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path();
    for attempt in 0..3 {
        let (code, stdout, stderr) = run(&mut paired(out, &["--threshold", "25%"]));
        assert_eq!(code, 0, "A/A attempt {attempt}: {stdout}{stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["lanes"], "time");
        // Both builds took their samples in turns, nearly always alternating.
        for turns in report["turns"].as_array().unwrap() {
            assert_eq!(
                turns["connected"],
                serde_json::json!([true, true]),
                "{turns}"
            );
            let total = turns["turns"][0].as_u64().unwrap() + turns["turns"][1].as_u64().unwrap();
            let alternations = turns["alternations"].as_u64().unwrap();
            assert!(total > 0 && alternations * 10 >= total * 8, "{turns}");
        }
        let only = &report["benchmarks"][0];
        assert_eq!(only["id"], "tiny_sum/sum/256");
        assert!(
            !matches!(only["verdict"].as_str(), Some("REGRESSED" | "IMPROVED")),
            "A/A attempt {attempt}: {only}"
        );
        assert!(only["rounds"].as_u64().unwrap() >= 6, "{only}");
    }
    // The baseline's build was cached by SHA and is reused.
    let (_, _, stderr) = run(&mut paired(out, &["--threshold", "25%"]));
    assert!(stderr.contains("cached in"), "{stderr}");

    // Twenty-one times the work on the candidate side only: regressed, confirmed, exit 1.
    let (code, stdout, stderr) =
        run(paired(out, &["--threshold", "25%"]).env("TINY_BENCH_SLOWDOWN", "20"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let only = &report["benchmarks"][0];
    assert_eq!(only["verdict"], "REGRESSED", "{only}");
    assert!(only["confirm_rounds"].as_u64().unwrap() >= 6, "{only}");
    assert!(only["ratio_lower"].as_f64().unwrap() > 1.25, "{only}");
    assert!(
        only["note"]
            .as_str()
            .unwrap()
            .contains("confirmed by an independent set"),
        "{only}"
    );
    assert_eq!(report["exit_code"], 1);

    // The same run in Bencher Metric Format, written next to the JSON.
    let bmf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("regress.bmf.json")).unwrap())
            .unwrap();
    let latency = &bmf["tiny_sum/sum/256"]["latency"];
    let (low, value, high) = (
        latency["lower_value"].as_f64().unwrap(),
        latency["value"].as_f64().unwrap(),
        latency["upper_value"].as_f64().unwrap(),
    );
    assert!(0.0 < low && low <= value && value <= high, "{bmf}");
    assert!(
        bmf["tiny_sum/sum/256"]["throughput"]["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn the_instruction_count_lane_without_valgrind_exits_2_with_the_install_command() {
    let out = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["regress", "--baseline", "HEAD", "--icount"][..],
        &["bench", "--icount"][..],
    ] {
        let (code, stdout, stderr) = run(xtask(out.path(), args).env("PATH", empty.path()));
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("apt-get install valgrind"), "{stderr}");
    }
}
