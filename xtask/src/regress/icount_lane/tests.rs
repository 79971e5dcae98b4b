use super::*;

#[test]
fn reads_the_summary_line() {
    let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 123456\nfn=main\n";
    assert_eq!(parse_total(text), Some(123_456));
    assert_eq!(parse_total("events: Ir\ntotals: 42\n"), Some(42));
    assert_eq!(parse_total("events: Ir\n"), None);
}

#[test]
fn self_costs_skip_inclusive_call_lines_and_resolve_compressed_names() {
    let text = "events: Ir\n\
        fl=(1) src/lib.rs\n\
        fn=(1) llmkg::ExceptionStore::get_exception\n\
        10 100\n\
        +1 50\n\
        cfn=(2) core::hash::hash\n\
        calls=3 20\n\
        11 900\n\
        fn=(2)\n\
        20 300\n\
        fn=(1)\n\
        * 5\n\
        fn=(3) main\n\
        1 7\n";
    let functions = parse_functions(text);
    assert_eq!(functions["llmkg::ExceptionStore::get_exception"], 155);
    assert_eq!(functions["core::hash::hash"], 300);
    assert_eq!(functions["main"], 7);
    assert_eq!(functions.len(), 3);
}

#[test]
fn the_table_shows_the_change_since_the_previous_run() {
    let before = IcountRun {
        sha: "a".repeat(40),
        dirty: false,
        created_unix_s: 0,
        rows: vec![("g/x".to_owned(), Some(1000))],
    };
    let now = IcountRun {
        rows: vec![("g/x".to_owned(), Some(1100)), ("g/big".to_owned(), None)],
        ..before.clone()
    };
    let text = markdown(&now, Some(&before));
    assert!(text.contains("+10.0%"), "{text}");
    assert!(text.contains("not run in test mode"), "{text}");
}

fn row(id: &str, instructions: Option<u64>, functions: &[(&str, u64)]) -> IcountRow {
    IcountRow {
        id: id.to_owned(),
        instructions,
        functions: functions
            .iter()
            .map(|(name, count)| ((*name).to_owned(), *count))
            .collect(),
    }
}

#[test]
fn equal_counts_are_unchanged_at_zero_percent() {
    let base = row("g/x", Some(10_000), &[("f", 10_000)]);
    let verdict = compare_counts(&[&base, &base], &[&base, &base], 0.01);
    assert_eq!(verdict.verdict, Verdict::Unchanged);
    assert_eq!(verdict.ratio, Some(1.0));
    assert!(verdict.functions.is_empty());
    assert!(!verdict.note.contains("vary"), "{}", verdict.note);
}

#[test]
fn a_regression_names_the_function_that_grew() {
    let base = row(
        "g/x",
        Some(10_000),
        &[("llmkg::Store::get", 4_000), ("hash", 6_000)],
    );
    let cand = row(
        "g/x",
        Some(12_500),
        &[("llmkg::Store::get", 6_400), ("hash", 6_100)],
    );
    let verdict = compare_counts(&[&base], &[&cand], 0.01);
    assert_eq!(verdict.verdict, Verdict::Regressed);
    assert_eq!(verdict.functions[0].function, "llmkg::Store::get");
    assert_eq!(verdict.functions[0].delta, 2_400);
    assert!((verdict.functions[0].share - 0.96).abs() < 1e-12);
    assert!(
        verdict
            .note
            .contains("+2,500 instructions per iteration, 96 % of it in `llmkg::Store::get`"),
        "{}",
        verdict.note
    );
    // Half a percent is under the 1 % threshold.
    let small = row("g/x", Some(10_050), &[("hash", 6_050)]);
    assert_eq!(
        compare_counts(&[&base], &[&small], 0.01).verdict,
        Verdict::Unchanged
    );
    let faster = row("g/x", Some(9_000), &[("hash", 5_000)]);
    assert_eq!(
        compare_counts(&[&base], &[&faster], 0.01).verdict,
        Verdict::Improved
    );
}

#[test]
fn counts_that_move_between_processes_are_inconclusive_not_regressed() {
    // One build's processes give 175k and 190k (allocation patterns differ): the candidate's
    // 189k is inside that range, so nothing is claimed.
    let low = row("g/x", Some(175_000), &[]);
    let high = row("g/x", Some(190_000), &[]);
    let cand = row("g/x", Some(189_000), &[]);
    let verdict = compare_counts(&[&low, &high, &low], &[&cand, &low, &high], 0.01);
    assert_eq!(verdict.verdict, Verdict::Inconclusive, "{verdict:?}");
    assert!(verdict.note.contains("vary by 8.6%"), "{}", verdict.note);
    // Missing counts (a benchmark too large for test mode) are inconclusive too.
    let absent = row("g/x", None, &[]);
    assert_eq!(
        compare_counts(&[&absent], &[&absent], 0.01).verdict,
        Verdict::Inconclusive
    );
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(signed_thousands(2_400), "+2,400");
    assert_eq!(signed_thousands(-1_234_567), "-1,234,567");
    assert_eq!(signed_thousands(15), "+15");
    assert_eq!(signed_thousands(0), "+0");
}
