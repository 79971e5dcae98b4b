//! The facade's error type: any part's error, plus what only the system can get wrong.

use llmkg_core::NodeId;

/// What can go wrong in an [`ExceptionSystem`](crate::ExceptionSystem) call.
///
/// Each call says under `# Errors` what a failure leaves behind. In short: construction and
/// the editing calls (`add_exception`, `remove_exception`, `feedback`) check before they
/// change anything, so an error leaves the system as it was; the processing calls
/// (`process_node`, `insert_node`, `process_hierarchy`) work exception by exception and
/// node by node, so an error keeps what was stored and learned before it; `optimize`
/// removes an exception from the store only once the optimizer holds it, one by one, and
/// leaves a refused one in the store; `load_exceptions` reads and checks its whole file
/// before it changes anything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemError {
    /// The hierarchy rejected the change (unknown node, cycle, strict property, ...).
    #[error(transparent)]
    Hierarchy(#[from] llmkg_core::CoreError),
    /// The store rejected the exception (invalid confidence, empty name, snapshot file, ...).
    #[error(transparent)]
    Store(#[from] llmkg_exception_store::StoreError),
    /// The detector rejected its input or configuration.
    #[error(transparent)]
    Detect(#[from] llmkg_detect::DetectError),
    /// The learner rejected its input, configuration or patterns file.
    #[error(transparent)]
    Learn(#[from] llmkg_learn::LearnError),
    /// The storage optimizer rejected its input or file.
    #[error(transparent)]
    Optimize(#[from] llmkg_optimize::OptimizeError),
    /// A file of the system's own could not be read or written, or is corrupt.
    #[error(transparent)]
    File(#[from] llmkg_filefmt::FileError),
    /// A well-formed snapshot file holds an invalid or repeated exception.
    #[error("corrupt exception-system snapshot {path}: {reason}")]
    CorruptSnapshot {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Feedback or a change named an exception that does not exist.
    #[error("node {node} has no exception for property {property:?}")]
    UnknownException {
        /// The node.
        node: NodeId,
        /// The property.
        property: String,
    },
    /// A configuration value out of its range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

/// `Result` with [`SystemError`] as the default error.
pub type Result<T, E = SystemError> = std::result::Result<T, E>;
