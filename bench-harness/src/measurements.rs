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

/// Where the benches write their [`MemoryMeasurement`](crate::MemoryMeasurement)s: `target/llmkg-bench/measurements`.
pub fn measurements_dir() -> PathBuf {
    target_dir().join("llmkg-bench").join("measurements")
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
