//! Prints the learner's held-out quality table (docs/PERFORMANCE.md): accuracy, log-loss and
//! Brier score on the synthetic sets and on WordNet's nouns (when `data.noun` is installed).
//!
//! `cargo run --release -p bench-harness --example learner_quality`

use bench_harness::{
    Quality, load_data_noun, synthetic_birds_pooled, synthetic_nodes_pooled, wordnet_dir,
    wordnet_topics,
};

fn row(name: &str, quality: Quality) {
    println!(
        "| {name} | {} | {:.1} % | {:.4} | {:.4} |",
        quality.scored,
        100.0 * quality.accuracy,
        quality.log_loss,
        quality.brier
    );
}

fn main() -> anyhow::Result<()> {
    println!("| set | scored | accuracy | log-loss | Brier |");
    println!("|---|---|---|---|---|");
    row(
        "synthetic birds (learner API, seeds 1-8)",
        synthetic_birds_pooled(8),
    );
    for n_traits in [30, 200] {
        let name = format!(
            "synthetic nodes of {} properties (process_node + feedback, seeds 1-8)",
            n_traits + 3
        );
        row(&name, synthetic_nodes_pooled(8, n_traits));
    }
    match wordnet_dir() {
        Some(dir) => {
            let synsets = load_data_noun(&dir)?;
            for seed in [1, 2, 3] {
                if let Some(quality) = wordnet_topics(&synsets, seed) {
                    row(
                        &format!("WordNet 3.0 topic overrides (split seed {seed})"),
                        quality,
                    );
                }
            }
        }
        None => println!("(WordNet's data.noun is not installed; `apt-get install wordnet-base`)"),
    }
    Ok(())
}
