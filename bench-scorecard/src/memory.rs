//! Figures the benches measure outside Criterion (heap bytes from the counting allocator),
//! written as small JSON files that the scorecard reads back.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScorecardError};

/// One measured memory figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MemoryMeasurement {
    /// Heap growth of an `ExceptionStore` filled with the seed's memory-bench records.
    StoreMemory {
        /// Exceptions added.
        n_exceptions: u64,
        /// Heap growth measured by the counting allocator.
        heap_bytes: u64,
        /// `heap_bytes / n_exceptions`.
        bytes_per_exception: f64,
    },
    /// Heap bytes of a naive `HashMap<ExceptionKey, Exception>` against the optimizer holding
    /// the same exceptions after `optimize_storage`.
    OptimizerMemory {
        /// Exceptions held.
        n_exceptions: u64,
        /// Heap bytes of the naive map.
        naive_bytes: u64,
        /// Heap bytes of the optimized storage.
        optimized_bytes: u64,
        /// `1 - optimized_bytes / naive_bytes`.
        saved_fraction: f64,
    },
}

impl MemoryMeasurement {
    /// A store measurement of `heap_bytes` for `n_exceptions`.
    ///
    /// ```
    /// use bench_scorecard::MemoryMeasurement;
    /// let m = MemoryMeasurement::store(1000, 250_000)?;
    /// assert_eq!(m.file_name(), "store_memory_1000.json");
    /// # Ok::<(), bench_scorecard::ScorecardError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ScorecardError::ZeroItems`] when `n_exceptions` is zero.
    pub fn store(n_exceptions: u64, heap_bytes: u64) -> Result<Self> {
        if n_exceptions == 0 {
            return Err(ScorecardError::ZeroItems);
        }
        Ok(MemoryMeasurement::StoreMemory {
            n_exceptions,
            heap_bytes,
            bytes_per_exception: heap_bytes as f64 / n_exceptions as f64,
        })
    }

    /// An optimizer measurement.
    ///
    /// # Errors
    ///
    /// [`ScorecardError::ZeroItems`] when `n_exceptions` or `naive_bytes` is zero.
    pub fn optimizer(n_exceptions: u64, naive_bytes: u64, optimized_bytes: u64) -> Result<Self> {
        if n_exceptions == 0 || naive_bytes == 0 {
            return Err(ScorecardError::ZeroItems);
        }
        Ok(MemoryMeasurement::OptimizerMemory {
            n_exceptions,
            naive_bytes,
            optimized_bytes,
            saved_fraction: 1.0 - optimized_bytes as f64 / naive_bytes as f64,
        })
    }

    /// The file this measurement is stored in, unique per kind and size.
    pub fn file_name(&self) -> String {
        match self {
            MemoryMeasurement::StoreMemory { n_exceptions, .. } => {
                format!("store_memory_{n_exceptions}.json")
            }
            MemoryMeasurement::OptimizerMemory { n_exceptions, .. } => {
                format!("optimizer_memory_{n_exceptions}.json")
            }
        }
    }

    /// Writes this measurement into `dir` (created if needed), replacing an earlier one of the
    /// same kind and size; returns the file's path.
    ///
    /// # Errors
    ///
    /// [`ScorecardError::Io`] when the directory or file cannot be written.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(self.file_name());
        ScorecardError::write_json(&path, self)?;
        Ok(path)
    }

    /// Every measurement in `dir`, sorted by file name; empty when `dir` does not exist.
    ///
    /// # Errors
    ///
    /// [`ScorecardError::Io`] for an unreadable directory or file, [`ScorecardError::Json`] for a
    /// file that is not a measurement.
    pub fn load_all(dir: &Path) -> Result<Vec<MemoryMeasurement>> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(ScorecardError::io(dir, error)),
        };
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| ScorecardError::io(dir, e))?.path();
            if path.extension().is_some_and(|ext| ext == "json") {
                paths.push(path);
            }
        }
        paths.sort();
        paths
            .iter()
            .map(|path| {
                let text = fs::read_to_string(path).map_err(|e| ScorecardError::io(path, e))?;
                serde_json::from_str(&text).map_err(|e| ScorecardError::json(path, e))
            })
            .collect()
    }
}
