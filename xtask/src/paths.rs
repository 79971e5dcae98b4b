//! Where things live: the workspace root, Cargo's target folder, our outputs, Criterion's.
use std::path::{Path, PathBuf};

/// Paths derived from a workspace root.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The workspace root.
    pub root: PathBuf,
    /// Cargo's target directory.
    pub target: PathBuf,
    /// `target/llmkg-bench`: snapshots, history, reports.
    pub out: PathBuf,
    /// Criterion's output folder, `target/criterion`.
    pub criterion_home: PathBuf,
}

impl Paths {
    /// Paths of the workspace that contains this xtask.
    pub fn workspace() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."))
            .to_owned();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    root.join(dir)
                }
            })
            .unwrap_or_else(|| root.join("target"));
        Self::new(root, target)
    }

    /// Paths for an explicit root and target directory.
    pub fn new(root: PathBuf, target: PathBuf) -> Self {
        let out = target.join("llmkg-bench");
        let criterion_home = target.join("criterion");
        Self {
            root,
            target,
            out,
            criterion_home,
        }
    }
}
