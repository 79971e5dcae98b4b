//! Where the benches write their figures: the workspace's `target` directory, Criterion's
//! results and the memory measurements (the type itself is
//! [`MemoryMeasurement`](crate::MemoryMeasurement)).

use std::path::{Path, PathBuf};

/// The workspace's `target` directory: `CARGO_TARGET_DIR` when set (relative to the workspace
/// root when relative), otherwise `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    let workspace = workspace_root();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// Names the folder the benches write their memory measurements to, overriding the default;
/// the gate sets it per side, since a cached baseline build's `target` is another worktree's.
pub const MEASUREMENTS_DIR_VAR: &str = "LLMKG_MEASUREMENTS_DIR";

/// Where the benches write their [`MemoryMeasurement`](crate::MemoryMeasurement)s:
/// [`MEASUREMENTS_DIR_VAR`] when set, else `target/llmkg-bench/measurements`.
pub fn measurements_dir() -> PathBuf {
    match std::env::var_os(MEASUREMENTS_DIR_VAR) {
        Some(dir) => PathBuf::from(dir),
        None => target_dir().join("llmkg-bench").join("measurements"),
    }
}

/// Where Criterion writes its results: `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    target_dir().join("criterion")
}

/// The workspace root: the directory above this crate's manifest.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
