//! The history plot's input: one row of medians per commit from `history.jsonl`.
use std::collections::BTreeMap;

use serde::Deserialize;

/// The benchmarks the history plot follows.
pub const HISTORY_BENCHMARKS: [&str; 5] = [
    "exception_store/get_exception/1000",
    "exception_store/add_exception/1000",
    "exception_detection/detect_node_exceptions/1000",
    "concurrent_operations/prespawned_store_adds/2",
    "end_to_end/complete_exception_workflow/100",
];

#[derive(Debug, Deserialize)]
struct HistoryGit {
    sha: String,
}

#[derive(Debug, Deserialize)]
struct HistoryLine {
    git: HistoryGit,
    median_ns: BTreeMap<String, f64>,
}

/// `(short SHA, medians by id)` per commit of `history.jsonl`, in the order the commits were
/// first measured; a benchmark measured more than once at a commit keeps its latest median,
/// and a later run that filtered it out leaves the earlier one standing. Lines that do not
/// parse are skipped.
pub fn history_by_commit(text: &str) -> Vec<(String, BTreeMap<String, f64>)> {
    let mut commits: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let Ok(entry) = serde_json::from_str::<HistoryLine>(line) else {
            continue;
        };
        let sha = entry.git.sha.chars().take(7).collect::<String>();
        match commits.iter_mut().find(|(known, _)| *known == sha) {
            Some((_, medians)) => medians.extend(entry.median_ns),
            None => commits.push((sha, entry.median_ns)),
        }
    }
    commits
}
