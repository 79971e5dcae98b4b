//! The case count every format's structure-aware fuzz tests share.

/// The environment variable that sets how many cases a structure-aware fuzz test runs.
pub const FUZZ_CASES_VAR: &str = "LLMKG_FUZZ_CASES";

/// Cases per structure-aware fuzz test: `default` in `cargo test`, or [`FUZZ_CASES_VAR`] for a
/// longer run outside the suite (`LLMKG_FUZZ_CASES=100000 cargo test --release ... mutated`).
///
/// ```
/// assert!(llmkg_filefmt::fuzz_cases(64) > 0);
/// ```
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var(FUZZ_CASES_VAR)
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}
