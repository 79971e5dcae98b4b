//! The two builds of a paired comparison: the candidate's (this tree) and the baseline's (a
//! commit, built once in a git worktree and cached under `target/llmkg-bench/builds/`).
//!
//! The cache key is what the bench binary is built from: the commit's files outside `xtask/`,
//! `docs/` and the CI folders, the toolchain (`rustc -vV`), `RUSTFLAGS` and the profile; so a
//! commit that only touches the gate reuses its parent's build, and a new toolchain does not.
//! Each run builds in its own worktree and copies its candidate into its own folder, so two runs
//! at once do not remove each other's files; the cache keeps the newest [`KEPT_BUILDS`] builds.
use std::{
    fs,
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::{
    paths::Paths,
    report::short_sha,
    suite::{BuiltSuite, Suite},
};

/// Cached baseline builds kept; older ones are removed after a new one is added.
pub const KEPT_BUILDS: usize = 8;

/// Paths of a commit that do not go into the bench binary.
const NOT_BUILT_FROM: [&str; 6] = [
    "xtask/",
    "docs/",
    ".ci/",
    ".github/",
    "README.md",
    ".gitignore",
];

/// The cache key of commit `sha`'s bench build (see the module docs).
pub fn build_key(root: &Path, sha: &str, profile: &str) -> anyhow::Result<String> {
    let listing = crate::snapshot::git_output(root, &["ls-tree", "-r", sha])
        .with_context(|| format!("listing the files of {sha}"))?;
    let mut inputs: String = listing
        .lines()
        .filter(|line| {
            let path = line.split('\t').nth(1).unwrap_or_default();
            !NOT_BUILT_FROM.iter().any(|prefix| path.starts_with(prefix))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-vV")
        .current_dir(root)
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    inputs.push_str(&format!(
        "rustc {rustc}\nRUSTFLAGS {}\nprofile {profile}\n",
        std::env::var("RUSTFLAGS").unwrap_or_default()
    ));
    let mut child = Command::new("git")
        .args(["hash-object", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running git hash-object")?;
    child
        .stdin
        .take()
        .context("git hash-object stdin")?
        .write_all(inputs.as_bytes())?;
    let output = child.wait_with_output()?;
    let key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    anyhow::ensure!(key.len() >= 12, "git hash-object gave no hash");
    Ok(key[..16].to_owned())
}

/// Removes all but the newest [`KEPT_BUILDS`] cached builds (and leftover candidate copies).
fn prune(paths: &Paths) {
    let Ok(entries) = fs::read_dir(paths.out.join("builds")) else {
        return;
    };
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix("candidate-") {
            // A candidate copy of a run that has ended (its process is gone).
            let pid = rest.split('-').next().unwrap_or_default();
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
            continue;
        }
        if let Some(modified) = entry.metadata().ok().and_then(|m| m.modified().ok()) {
            builds.push((modified, entry.path()));
        }
    }
    builds.sort_by_key(|build| std::cmp::Reverse(build.0));
    for (_, dir) in builds.into_iter().skip(KEPT_BUILDS) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// What a cached build folder records next to its executable.
#[derive(Debug, Serialize, Deserialize)]
struct BuildRecord {
    executable: String,
    criterion_version: String,
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
    // Copied under a private name, then renamed: a run reading the cache at the same time sees
    // the old file or the whole new one.
    let partial = dir.join(format!(
        ".{}.{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    fs::copy(built.executable(), &partial).with_context(|| {
        format!(
            "copying {} to {}",
            built.executable().display(),
            partial.display()
        )
    })?;
    fs::rename(&partial, &target)?;
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
    let built = suite.build(&paths.target, show_build)?;
    // Per process: a second run at the same time has its own copy.
    let dir = cache_dir(paths, suite, &format!("candidate-{}", std::process::id()));
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
    let key = build_key(
        &paths.root,
        sha,
        suite.profile.as_deref().unwrap_or("bench"),
    )?;
    let dir = cache_dir(paths, suite, &key);
    if let Ok(text) = fs::read_to_string(dir.join("build.json"))
        && let Ok(record) = serde_json::from_str::<BuildRecord>(&text)
        && dir.join(&record.executable).is_file()
    {
        eprintln!(
            "baseline build of {}: cached in {} (same sources, toolchain and flags)",
            short_sha(sha),
            dir.display()
        );
        // Touched, so pruning keeps what is in use.
        let _ =
            fs::File::open(&dir).and_then(|file| file.set_modified(std::time::SystemTime::now()));
        prune(paths);
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
    // Per process, so two runs at once never remove each other's worktree; removed after the
    // build, so the folder does not collect a copy per commit.
    let worktree = paths
        .out
        .join("worktrees")
        .join(format!("baseline-{}", std::process::id()));
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
    // Its own target folder: cargo names a workspace's path crates by their place in the
    // workspace, not on disk, so building another commit's crates into this tree's target
    // folder would overwrite this tree's artifacts and fingerprints with the other commit's
    // (and leave them pointing at the removed worktree's files).
    let result = Suite {
        manifest_path: manifest,
        ..suite.clone()
    }
    .build(&paths.out.join("baseline-target"), show_build)
    .and_then(|built| copy_into(&built, &dir, package_dir));
    remove_worktree(&paths.root, &worktree);
    prune(paths);
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
