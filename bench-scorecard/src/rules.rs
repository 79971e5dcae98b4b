//! The criteria as data: one [`Rule`] per scorecard row (name, unit, the seed's bar, SPEC.md's
//! goal, and the [`Figure`] it is computed from), all of them in [`RULES`].
//!
//! The report (`cargo xtask bench`), the `scorecard` example and the documentation's table
//! ([`rules_markdown`]) all read this one table.

mod bar;
mod figure;

use std::fmt::Write as _;

use serde::Serialize;

use crate::suite::{
    BULK_RETRIEVE, CONCURRENT_PEERS, CONCURRENT_PRESPAWNED, CONCURRENT_SEED, CONCURRENT_UNSHARED,
    DETECT, DETECTION_GROUP, HANDLER_GROUP, HANDLER_HIT, HASHMAP_ADD, HASHMAP_GET, LEARN,
    LEARNING_GROUP, OPTIMIZATION_GROUP, OPTIMIZATION_SIZES, SCALING_DETECT, SCALING_STORE_GET,
    STORE_ADD, STORE_GET, STORE_GROUP, STORE_SIZES, SYSTEM_DETECT, SYSTEM_GROUP,
    SYSTEM_PROCESS_NODE, WORDNET_FULL, WORDNET_GROUP, WORDNET_NAIVE, WORDNET_RESOLVE_WARM,
};

pub use self::bar::{Bar, Unit};
pub use self::figure::{Bench, Figure};

/// One scorecard row as data.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// What is judged.
    pub name: &'static str,
    /// How the value and bars print.
    pub unit: Unit,
    /// The seed's bar.
    pub seed: Bar,
    /// SPEC.md's goal.
    pub goal: Bar,
    /// What the value is computed from.
    pub figure: Figure,
}

/// A flat per-operation exponent: at most this.
pub const FLAT_EXPONENT: f64 = 0.1;

/// The seed's "linear" scaling, as the absolute efficiency the scorecard reads it as.
pub const LINEAR_EFFICIENCY: f64 = 0.85;

const fn bench(group: &'static str, function: &'static str, value: &'static str) -> Bench {
    Bench {
        group,
        function,
        value,
    }
}

const fn efficiency(name: &'static str, function: &'static str, threads: usize) -> Rule {
    Rule {
        name,
        unit: Unit::Number,
        seed: Bar::AtLeast(LINEAR_EFFICIENCY),
        // SPEC.md's goal is relative to the ceiling measured in the same run (rows below).
        goal: Bar::None,
        figure: Figure::ScalingEfficiency { function, threads },
    }
}

/// Every scorecard row, in the order the report prints them.
pub const RULES: &[Rule] = &[
    Rule {
        name: "detect one node with 1000 properties",
        unit: Unit::Nanoseconds,
        seed: Bar::Below(1e6),
        goal: Bar::Below(1e5),
        figure: Figure::MedianTime(bench(DETECTION_GROUP, DETECT, "1000")),
    },
    Rule {
        name: "store add per exception (worst size)",
        unit: Unit::Nanoseconds,
        seed: Bar::Below(100_000.0),
        goal: Bar::Below(300.0),
        figure: Figure::WorstPerElement {
            group: STORE_GROUP,
            function: STORE_ADD,
            sizes: &STORE_SIZES,
        },
    },
    Rule {
        name: "store add per exception / std HashMap (worst size)",
        unit: Unit::Ratio,
        seed: Bar::None,
        goal: Bar::AtMost(1.5),
        figure: Figure::WorstAnchorRatio {
            group: STORE_GROUP,
            function: STORE_ADD,
            anchor: HASHMAP_ADD,
            sizes: &STORE_SIZES,
        },
    },
    Rule {
        name: "store get per exception (worst size)",
        unit: Unit::Nanoseconds,
        seed: Bar::Below(100_000.0),
        goal: Bar::Below(150.0),
        figure: Figure::WorstPerElement {
            group: STORE_GROUP,
            function: STORE_GET,
            sizes: &STORE_SIZES,
        },
    },
    Rule {
        name: "store get per exception / std HashMap (worst size)",
        unit: Unit::Ratio,
        seed: Bar::None,
        goal: Bar::AtMost(1.5),
        figure: Figure::WorstAnchorRatio {
            group: STORE_GROUP,
            function: STORE_GET,
            anchor: HASHMAP_GET,
            sizes: &STORE_SIZES,
        },
    },
    Rule {
        name: "optimizer bulk_retrieve per key, 1000 keys (worst size)",
        unit: Unit::Nanoseconds,
        seed: Bar::None,
        goal: Bar::Below(200.0),
        figure: Figure::WorstPerElement {
            group: OPTIMIZATION_GROUP,
            function: BULK_RETRIEVE,
            sizes: &OPTIMIZATION_SIZES,
        },
    },
    Rule {
        name: "system process_node, 1000 properties",
        unit: Unit::Nanoseconds,
        seed: Bar::None,
        goal: Bar::Below(1e6),
        figure: Figure::MedianTime(bench(SYSTEM_GROUP, SYSTEM_PROCESS_NODE, "1000")),
    },
    Rule {
        name: "system process_node / detector alone, 1000 properties (same run)",
        unit: Unit::Ratio,
        seed: Bar::None,
        goal: Bar::AtMost(5.0),
        figure: Figure::WorstAnchorRatio {
            group: SYSTEM_GROUP,
            function: SYSTEM_PROCESS_NODE,
            anchor: SYSTEM_DETECT,
            sizes: &[1_000],
        },
    },
    Rule {
        name: "WordNet nouns, warm resolve per synset",
        unit: Unit::Nanoseconds,
        seed: Bar::None,
        goal: Bar::AtMost(100.0),
        figure: Figure::PerElementTime(bench(WORDNET_GROUP, WORDNET_RESOLVE_WARM, WORDNET_FULL)),
    },
    Rule {
        name: "WordNet nouns, naive parent walk per synset (anchor)",
        unit: Unit::Nanoseconds,
        seed: Bar::None,
        goal: Bar::None,
        figure: Figure::PerElementTime(bench(WORDNET_GROUP, WORDNET_NAIVE, WORDNET_FULL)),
    },
    Rule {
        name: "handler resolve, cache hit",
        unit: Unit::Nanoseconds,
        seed: Bar::None,
        goal: Bar::Below(100.0),
        figure: Figure::PerElementTime(bench(HANDLER_GROUP, HANDLER_HIT, "single")),
    },
    Rule {
        name: "pattern learning, examples per second",
        unit: Unit::PerSecond,
        seed: Bar::Above(1_000.0),
        goal: Bar::Above(500_000.0),
        figure: Figure::ElementsPerSecond(bench(LEARNING_GROUP, LEARN, "1000")),
    },
    Rule {
        name: "optimizer memory saved vs naive HashMap (allocator-measured)",
        unit: Unit::Fraction,
        seed: Bar::Above(0.5),
        goal: Bar::Above(0.7),
        figure: Figure::OptimizerMemorySaved,
    },
    Rule {
        name: "store memory per exception, seed's memory bench (allocator-measured)",
        unit: Unit::Bytes,
        seed: Bar::Below(500.0),
        goal: Bar::Below(200.0),
        figure: Figure::StoreBytesPerException,
    },
    efficiency(
        "concurrent adds, scaling efficiency at 2 threads (prespawned_store_adds)",
        CONCURRENT_PRESPAWNED,
        2,
    ),
    Rule {
        name: "concurrent adds at 2 threads, efficiency / unshared per-thread-map ceiling",
        unit: Unit::Number,
        seed: Bar::None,
        goal: Bar::AtLeast(0.9),
        figure: Figure::EfficiencyOfCeiling {
            function: CONCURRENT_PRESPAWNED,
            ceiling: CONCURRENT_UNSHARED,
            threads: 2,
        },
    },
    Rule {
        name: "concurrent adds at 2 threads, efficiency / best peer (dashmap, scc, papaya)",
        unit: Unit::Number,
        seed: Bar::None,
        goal: Bar::AtLeast(1.0),
        figure: Figure::EfficiencyOfBestPeer {
            function: CONCURRENT_PRESPAWNED,
            peers: &CONCURRENT_PEERS,
            threads: 2,
        },
    },
    efficiency(
        "concurrent adds, scaling efficiency at 4 threads (prespawned_store_adds)",
        CONCURRENT_PRESPAWNED,
        4,
    ),
    efficiency(
        "concurrent adds, scaling efficiency at 8 threads (prespawned_store_adds)",
        CONCURRENT_PRESPAWNED,
        8,
    ),
    efficiency(
        "concurrent adds, scaling efficiency at 2 threads (concurrent_store_operations)",
        CONCURRENT_SEED,
        2,
    ),
    efficiency(
        "concurrent adds, scaling efficiency at 4 threads (concurrent_store_operations)",
        CONCURRENT_SEED,
        4,
    ),
    efficiency(
        "concurrent adds, scaling efficiency at 8 threads (concurrent_store_operations)",
        CONCURRENT_SEED,
        8,
    ),
    Rule {
        name: "within-run spread, widest median 95% CI half-width (worst benchmark)",
        unit: Unit::Fraction,
        seed: Bar::Below(0.05),
        goal: Bar::Below(0.05),
        figure: Figure::WithinRunWorst,
    },
    Rule {
        name: "within-run spread, median benchmark",
        unit: Unit::Fraction,
        seed: Bar::Below(0.05),
        goal: Bar::Below(0.02),
        figure: Figure::WithinRunMedian,
    },
    Rule {
        name: "run-to-run spread (worst benchmark)",
        unit: Unit::Fraction,
        seed: Bar::Below(0.05),
        goal: Bar::Below(0.02),
        figure: Figure::RunToRunWorst,
    },
    Rule {
        name: "growth exponent of store get per operation",
        unit: Unit::Number,
        seed: Bar::None,
        goal: Bar::AtMost(FLAT_EXPONENT),
        figure: Figure::GrowthExponent {
            function: SCALING_STORE_GET,
        },
    },
    Rule {
        name: "growth exponent of detection per property",
        unit: Unit::Number,
        seed: Bar::None,
        goal: Bar::AtMost(FLAT_EXPONENT),
        figure: Figure::GrowthExponent {
            function: SCALING_DETECT,
        },
    },
];

/// [`RULES`] as a Markdown table (criterion, seed bar, goal, source), for the documentation.
///
/// ```
/// let table = bench_scorecard::rules_markdown();
/// assert!(table.contains("detect one node with 1000 properties"));
/// assert_eq!(table.lines().count(), bench_scorecard::RULES.len() + 2);
/// ```
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| criterion | seed bar | goal | computed from |\n|---|---|---|---|\n");
    for rule in RULES {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            rule.name,
            rule.seed.describe(rule.unit),
            rule.goal.describe(rule.unit),
            rule.figure.describe()
        );
    }
    out
}
