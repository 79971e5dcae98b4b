//! The two builds of a paired comparison: the candidate's (this tree) and the baseline's (a
//! commit, built once in a git worktree and cached by SHA under `target/llmkg-bench/builds/`).
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::{
    paths::Paths,
    report::short_sha,
    suite::{BuiltSuite, RunConfig, Suite, Timing},
};

/// What a cached build folder records next to its executable.
#[derive(Debug, Serialize, Deserialize)]
struct BuildRecord {
    executable: String,
    criterion_version: String,
}

/// The settings `Suite::build` needs (only the target folder and the verbosity matter).
pub fn build_config(paths: &Paths, show_build: bool, log_name: &str) -> RunConfig {
    RunConfig {
        filter: None,
        timing: Timing::Suite,
        baseline: "paired".to_owned(),
        target_dir: paths.target.clone(),
        criterion_home: paths.criterion_home.clone(),
        html: false,
        progress: false,
        show_build,
        log_file: paths.out.join("logs").join(log_name),
    }
}

fn cache_dir(paths: &Paths, suite: &Suite, key: &str) -> PathBuf {
    paths.out.join("builds").join(format!(
        "{key}-{}-{}-{}",
        suite.package,
        suite.bench,
        suite.profile.as_deref().unwrap_or("bench")
    ))
}

fn copy_into(built: &BuiltSuite, dir: &Path, package_dir: &Path) -> anyhow::Result<BuiltSuite> {
    fs::create_dir_all(dir)?;
    let name = built
        .executable()
        .file_name()
        .context("the bench executable has no file name")?;
    let target = dir.join(name);
    fs::copy(built.executable(), &target).with_context(|| {
        format!(
            "copying {} to {}",
            built.executable().display(),
            target.display()
        )
    })?;
    let record = BuildRecord {
        executable: name.to_string_lossy().into_owned(),
        criterion_version: built.criterion_version.clone(),
    };
    fs::write(
        dir.join("build.json"),
        serde_json::to_string_pretty(&record)?,
    )?;
    Ok(BuiltSuite::from_parts(
        target,
        package_dir.to_owned(),
        built.criterion_version.clone(),
    ))
}

/// Builds this tree's suite and copies the executable next to the baseline's, so both sides run
/// from the same kind of place.
pub fn candidate(suite: &Suite, paths: &Paths, show_build: bool) -> anyhow::Result<BuiltSuite> {
    let built = suite.build(&build_config(paths, show_build, "build-candidate.log"))?;
    let dir = cache_dir(paths, suite, "candidate");
    copy_into(&built, &dir, built.package_dir())
}

/// The baseline commit's suite: from the build cache, or built in a git worktree and cached.
/// It runs in the candidate's package folder (the worktree is removed after the build).
pub fn baseline(
    suite: &Suite,
    paths: &Paths,
    sha: &str,
    package_dir: &Path,
    show_build: bool,
) -> anyhow::Result<BuiltSuite> {
    let dir = cache_dir(paths, suite, sha);
    if let Ok(text) = fs::read_to_string(dir.join("build.json"))
        && let Ok(record) = serde_json::from_str::<BuildRecord>(&text)
        && dir.join(&record.executable).is_file()
    {
        eprintln!(
            "baseline build of {}: cached in {}",
            short_sha(sha),
            dir.display()
        );
        return Ok(BuiltSuite::from_parts(
            dir.join(record.executable),
            package_dir.to_owned(),
            record.criterion_version,
        ));
    }
    eprintln!(
        "baseline build of {}: building in a git worktree (cached afterwards)",
        short_sha(sha)
    );
    // One fixed worktree path keeps the target folder from collecting a copy per commit.
    let worktree = paths.out.join("worktrees").join("baseline");
    if worktree.exists() {
        remove_worktree(&paths.root, &worktree);
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(&paths.root)
        .args(["worktree", "add", "--detach", "--force"])
        .arg(&worktree)
        .arg(sha)
        .output()
        .context("running git worktree add")?;
    if !output.status.success() {
        anyhow::bail!(
            "git worktree add failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let manifest = worktree.join(
        suite
            .manifest_path
            .strip_prefix(&paths.root)
            .unwrap_or(Path::new("Cargo.toml")),
    );
    let result = Suite {
        manifest_path: manifest,
        ..suite.clone()
    }
    .build(&build_config(paths, show_build, "build-baseline.log"))
    .and_then(|built| copy_into(&built, &dir, package_dir));
    remove_worktree(&paths.root, &worktree);
    result
}

/// Removes a worktree (and, failing that, its folder and git's record of it).
pub fn remove_worktree(root: &Path, worktree: &Path) {
    let removed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["worktree", "remove", "--force"])
        .arg(worktree)
        .status()
        .is_ok_and(|status| status.success());
    if !removed {
        let _ = fs::remove_dir_all(worktree);
        let _ = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["worktree", "prune"])
            .status();
    }
}
