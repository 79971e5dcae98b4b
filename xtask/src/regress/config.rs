//! `xtask/regress.toml`: the default threshold, per-benchmark thresholds and the ignore list.
use std::{collections::BTreeMap, fs, path::Path};

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::error::InputError;

/// Thresholds and ignores; patterns are globs (`*` stands for any run of characters, `/`
/// included).
#[derive(Debug, Clone)]
pub struct RegressConfig {
    /// Threshold for benchmarks no pattern names (0.05 = 5 %).
    pub default_threshold: f64,
    /// `(pattern, threshold)`, longest pattern first: the longest matching pattern wins.
    thresholds: Vec<(GlobMatcher, f64)>,
    /// Benchmarks left out of the comparison.
    ignore: GlobSet,
    /// Benchmarks left out of the memory lane only.
    memory_ignore: GlobSet,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_threshold: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    thresholds: BTreeMap<String, String>,
    #[serde(default)]
    memory_ignore: Vec<String>,
}

impl Default for RegressConfig {
    fn default() -> Self {
        Self {
            default_threshold: 0.05,
            thresholds: Vec::new(),
            ignore: GlobSet::empty(),
            memory_ignore: GlobSet::empty(),
        }
    }
}

fn glob(pattern: &str) -> Result<Glob, String> {
    Glob::new(pattern).map_err(|error| format!("`{pattern}`: {error}"))
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        set.add(glob(pattern)?);
    }
    set.build().map_err(|error| error.to_string())
}

impl RegressConfig {
    /// Reads `path`; a missing file gives the defaults, a malformed one an error.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => {
                return Err(InputError::RegressConfig {
                    path: path.to_owned(),
                    reason: error.to_string(),
                });
            }
        };
        Self::parse(&text).map_err(|reason| InputError::RegressConfig {
            path: path.to_owned(),
            reason,
        })
    }

    /// Parses the TOML text of a configuration.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| error.message().to_owned())?;
        let default_threshold = match raw.default_threshold {
            Some(text) => parse_threshold(&text).map_err(|error| error.to_string())?,
            None => Self::default().default_threshold,
        };
        let mut thresholds = Vec::with_capacity(raw.thresholds.len());
        for (pattern, text) in raw.thresholds {
            let threshold =
                parse_threshold(&text).map_err(|error| format!("`{pattern}`: {error}"))?;
            thresholds.push((glob(&pattern)?.compile_matcher(), threshold));
        }
        let pattern = |matcher: &GlobMatcher| matcher.glob().glob().to_owned();
        thresholds.sort_by_key(|(matcher, _)| {
            (std::cmp::Reverse(pattern(matcher).len()), pattern(matcher))
        });
        Ok(Self {
            default_threshold,
            thresholds,
            ignore: glob_set(&raw.ignore)?,
            memory_ignore: glob_set(&raw.memory_ignore)?,
        })
    }

    /// Whether the memory lane compares `id`.
    pub fn in_memory_lane(&self, id: &str) -> bool {
        !self.memory_ignore.is_match(id)
    }

    /// The threshold of `id`, or `None` when it is ignored.
    pub fn threshold_for(&self, id: &str) -> Option<f64> {
        if self.ignore.is_match(id) {
            return None;
        }
        Some(
            self.thresholds
                .iter()
                .find(|(pattern, _)| pattern.is_match(id))
                .map_or(self.default_threshold, |(_, threshold)| *threshold),
        )
    }
}

/// Parses `5%`, `5 %` or `5` as 0.05.
pub fn parse_threshold(text: &str) -> Result<f64, InputError> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(percent) if percent.is_finite() && (0.0..1000.0).contains(&percent) => {
            Ok(percent / 100.0)
        }
        _ => Err(InputError::Threshold(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let matches = |pattern: &str, text: &str| {
            let config = RegressConfig::parse(&format!("ignore = [\"{pattern}\"]")).unwrap();
            config.threshold_for(text).is_none()
        };
        assert!(matches("a/*", "a/b/c"));
        assert!(matches("*/100", "x/y/100"));
        assert!(!matches("*/100", "x/y/1000"));
        assert!(matches("a*c*e", "abcde"));
        assert!(!matches("a*c*e", "abde"));
        assert!(matches("exact", "exact"));
        assert!(!matches("ab*ba", "aba"));
    }

    #[test]
    fn thresholds_parse_as_percentages() {
        assert_eq!(parse_threshold("5%").unwrap(), 0.05);
        assert_eq!(parse_threshold(" 2.5 % ").unwrap(), 0.025);
        assert_eq!(parse_threshold("10").unwrap(), 0.1);
        assert!(parse_threshold("five").is_err());
        assert!(parse_threshold("-1%").is_err());
    }

    #[test]
    fn the_longest_matching_pattern_wins_and_ignores_win_over_all() {
        let config = RegressConfig::parse(
            r#"
            default_threshold = "4%"
            ignore = ["memory_usage/*"]
            [thresholds]
            "concurrent_operations/*" = "15%"
            "concurrent_operations/concurrent_store_operations/1" = "8%"
            "#,
        )
        .unwrap();
        assert_eq!(config.threshold_for("exception_store/get/100"), Some(0.04));
        assert_eq!(
            config.threshold_for("concurrent_operations/x/2"),
            Some(0.15)
        );
        assert_eq!(
            config.threshold_for("concurrent_operations/concurrent_store_operations/1"),
            Some(0.08)
        );
        assert_eq!(
            config.threshold_for("memory_usage/memory_efficiency/1000"),
            None
        );
    }

    #[test]
    fn malformed_configuration_is_an_error_naming_the_file() {
        assert!(RegressConfig::parse("default_threshold = 5").is_err());
        assert!(RegressConfig::parse("unknown_key = 1").is_err());
        assert!(RegressConfig::parse("[thresholds]\n\"a\" = \"x%\"").is_err());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regress.toml");
        std::fs::write(&path, "ignore = [").unwrap();
        let error = RegressConfig::load(&path).unwrap_err();
        assert!(error.to_string().contains("regress.toml"), "{error}");
        let absent = RegressConfig::load(&dir.path().join("absent.toml")).unwrap();
        assert_eq!(
            absent.default_threshold,
            RegressConfig::default().default_threshold
        );
        assert_eq!(absent.threshold_for("any/id"), Some(0.05));
    }

    #[test]
    fn the_checked_in_configuration_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("regress.toml");
        let config = RegressConfig::load(&path).unwrap();
        assert!(config.default_threshold > 0.0);
        // The concurrent maps' allocations depend on thread interleaving.
        assert!(!config.in_memory_lane("concurrent_operations/prespawned_scc_adds/8"));
        assert!(config.in_memory_lane("memory_usage/memory_efficiency/1000"));
    }
}
