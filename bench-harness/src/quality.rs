//! How well the learner predicts: held-out accuracy and proper scores (log-loss, Brier) on
//! seeded synthetic sets and on WordNet's nouns, so that a change to what the learner
//! computes is judged by measurement.
//!
//! Three sets, each trained on one part and scored on another it never saw:
//!
//! - [`synthetic_birds`]: the learner's own test set (`llmkg-learn/tests/learner/synthetic.rs`):
//!   bird families with hidden override rules, one property per example, trained through
//!   the learner's API (exceptions, `Incorrect` feedback on mistaken overrides,
//!   non-exceptions).
//! - [`synthetic_nodes`]: the same rules on whole nodes (33 or 203 properties each), trained
//!   the way the system trains (`ExceptionSystem::process_node`, then `Incorrect` feedback on the
//!   mistaken overrides), which is the path a node-level change to the learner takes.
//! - [`wordnet_topics`]: WordNet's noun synsets. A synset whose lexicographer topic differs
//!   from its first hypernym's is a genuine override (positive); a synset that keeps its
//!   hypernym's topic is given a seeded random other topic, a false override (negative).
//!   The learner sees the synset's first word as node type, its other words as siblings and
//!   its depth, is trained on a seeded 80 % and scored on the rest.
//!
//! Only changed values are scored: a value equal to its inherited one scores 0 by
//! construction.
//!
//! ```
//! let quality = bench_harness::synthetic_birds(1);
//! assert!(quality.accuracy > 0.8 && quality.log_loss > 0.0 && quality.brier < 0.25);
//! ```

use std::collections::HashMap;

use llmkg::ExceptionSystem;
use llmkg::core::{InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{
    Exception, ExceptionContext, ExceptionSource, PatternLearner, UserFeedback,
};

use crate::wordnet::{LEXFILE_PROPERTY, Synset};

/// Held-out scores of one set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    /// Examples scored.
    pub scored: usize,
    /// Share of scored examples on the right side of 0.5.
    pub accuracy: f64,
    /// Mean negative log-likelihood of the labels (natural log; lower is better).
    pub log_loss: f64,
    /// Mean squared error of the probabilities (lower is better).
    pub brier: f64,
}

/// Sums of the scores, turned into a [`Quality`] at the end.
#[derive(Default)]
struct Scores {
    scored: usize,
    correct: usize,
    log_loss: f64,
    brier: f64,
}

impl Scores {
    fn add(&mut self, probability: f32, is_exception: bool) {
        let p = f64::from(probability).clamp(1e-7, 1.0 - 1e-7);
        let y = if is_exception { 1.0 } else { 0.0 };
        self.scored += 1;
        if (probability >= 0.5) == is_exception {
            self.correct += 1;
        }
        self.log_loss -= if is_exception { p.ln() } else { (1.0 - p).ln() };
        self.brier += (p - y) * (p - y);
    }

    fn finish(&self) -> Quality {
        let n = self.scored.max(1) as f64;
        Quality {
            scored: self.scored,
            accuracy: self.correct as f64 / n,
            log_loss: self.log_loss / n,
            brier: self.brier / n,
        }
    }

    fn merge(&mut self, other: &Scores) {
        self.scored += other.scored;
        self.correct += other.correct;
        self.log_loss += other.log_loss;
        self.brier += other.brier;
    }
}

/// SplitMix64: a tiny deterministic generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound.max(1) as u64) as usize
    }

    fn chance(&mut self, probability: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64 <= probability
    }
}

const FAMILIES: [&str; 4] = ["Penguin", "Kiwi", "Owl", "Sparrow"];
const MODIFIERS: [&str; 8] = [
    "Emperor", "King", "Little", "Great", "Spotted", "Northern", "Common", "Royal",
];
/// Properties with their inherited (bird-wide) values.
const PROPERTIES: [(&str, bool); 3] = [
    ("can_fly", true),
    ("is_nocturnal", false),
    ("can_swim", false),
];
/// (family, property) pairs that are genuine exceptions.
const RULES: [(&str, &str); 5] = [
    ("Penguin", "can_fly"),
    ("Penguin", "can_swim"),
    ("Kiwi", "can_fly"),
    ("Kiwi", "is_nocturnal"),
    ("Owl", "is_nocturnal"),
];

fn node_type(random: &mut SplitMix64) -> (&'static str, String) {
    let family = FAMILIES[random.below(FAMILIES.len())];
    let modifier = MODIFIERS[random.below(MODIFIERS.len())];
    let name = if random.chance(0.5) {
        format!("{modifier}_{family}")
    } else {
        format!("{modifier}{family}")
    };
    (family, name)
}

/// The learner's synthetic test set (100 training examples, 1,000 held out, 30 % of the
/// non-rule examples overridden by mistake), for one seed.
#[must_use]
pub fn synthetic_birds(seed: u64) -> Quality {
    const N_TRAINING: usize = 100;
    const N_HELD_OUT: usize = 1000;
    const MISTAKE_RATE: f64 = 0.3;
    let generate = |random: &mut SplitMix64| {
        let (family, node_type) = node_type(random);
        let (property, inherited) = PROPERTIES[random.below(PROPERTIES.len())];
        let is_exception = RULES.contains(&(family, property));
        let overridden = is_exception || random.chance(MISTAKE_RATE);
        let actual = if overridden { !inherited } else { inherited };
        let mut siblings = HashMap::new();
        for noise in 0..random.below(4) {
            siblings.insert(
                format!("trait_{}", random.below(10) + noise),
                PropertyValue::Boolean(random.chance(0.5)),
            );
        }
        let context = ExceptionContext {
            property_name: property.to_owned(),
            inherited_value: PropertyValue::Boolean(inherited),
            actual_value: PropertyValue::Boolean(actual),
            node_type,
            inheritance_depth: 1 + random.below(4) as u32,
            sibling_properties: siblings,
        };
        (context, is_exception)
    };
    let mut random = SplitMix64(seed);
    let mut learner = PatternLearner::new();
    for _ in 0..N_TRAINING {
        let (context, is_exception) = generate(&mut random);
        let result = if is_exception {
            let exception = Exception::new(
                context.inherited_value.clone(),
                context.actual_value.clone(),
                format!("{} is typical of this family", context.property_name),
                ExceptionSource::Explicit,
                1.0,
            );
            learner.learn_from_exception(&exception, &context)
        } else if context.is_override() {
            learner
                .add_user_feedback(context, UserFeedback::Incorrect)
                .map(|()| {
                    learner.process_feedback_batch();
                })
        } else {
            learner.observe_non_exception(&context)
        };
        result.expect("the generated contexts are valid");
    }
    let mut scores = Scores::default();
    for _ in 0..N_HELD_OUT {
        let (context, is_exception) = generate(&mut random);
        if context.is_override() {
            scores.add(learner.predict_exception_likelihood(&context), is_exception);
        }
    }
    scores.finish()
}

/// [`synthetic_birds`] over seeds `1..=n_seeds`, pooled.
#[must_use]
pub fn synthetic_birds_pooled(n_seeds: u64) -> Quality {
    pool((1..=n_seeds).map(synthetic_birds))
}

fn pool(qualities: impl Iterator<Item = Quality>) -> Quality {
    let mut total = Scores::default();
    for quality in qualities {
        let n = quality.scored as f64;
        total.merge(&Scores {
            scored: quality.scored,
            correct: (quality.accuracy * n).round() as usize,
            log_loss: quality.log_loss * n,
            brier: quality.brier * n,
        });
    }
    total.finish()
}

/// Whole nodes trained through [`ExceptionSystem::process_node`]: each node is a family
/// member stating all its properties (the three bird properties of [`synthetic_birds`] and
/// `n_traits` traits); rule pairs are overridden, any other property is overridden by mistake with
/// probability 0.1 (and then marked `Incorrect` through [`ExceptionSystem::feedback`]), the
/// rest equal what the node inherits. Trained on 60 nodes, scored on the changed values of
/// 300 others, for one seed.
#[must_use]
pub fn synthetic_nodes(seed: u64, n_traits: usize) -> Quality {
    const N_TRAINING: usize = 60;
    const N_HELD_OUT: usize = 300;
    const MISTAKE_RATE: f64 = 0.1;
    let inherited: HashMap<String, PropertyValue> = PROPERTIES
        .iter()
        .map(|&(name, value)| (name.to_owned(), PropertyValue::Boolean(value)))
        .chain((0..n_traits).map(|k| (format!("trait_{k}"), PropertyValue::Boolean(k % 2 == 0))))
        .collect();
    let mut names: Vec<&String> = inherited.keys().collect();
    names.sort();
    // A node and, for each changed value, whether it is genuine.
    let generate = |random: &mut SplitMix64, id: u64| {
        let (family, node_type) = node_type(random);
        let mut node = InheritanceNode::new(NodeId(id), &node_type).with_type(&node_type);
        let mut genuine = HashMap::new();
        for &name in &names {
            let PropertyValue::Boolean(value) = inherited[name] else {
                continue;
            };
            let is_exception = RULES.contains(&(family, name.as_str()));
            let overridden = is_exception || random.chance(MISTAKE_RATE);
            node.local_properties.insert(
                name.clone(),
                PropertyValue::Boolean(if overridden { !value } else { value }),
            );
            if overridden {
                genuine.insert(name.clone(), is_exception);
            }
        }
        (node, genuine)
    };
    let mut random = SplitMix64(seed);
    let mut system = ExceptionSystem::new();
    for id in 0..N_TRAINING as u64 {
        let (node, genuine) = generate(&mut random, id);
        system
            .process_node(&node, &inherited)
            .expect("the generated nodes are valid");
        let mut mistakes: Vec<&String> = genuine
            .iter()
            .filter(|(_, is_exception)| !**is_exception)
            .map(|(name, _)| name)
            .collect();
        mistakes.sort();
        for property in mistakes {
            // A mistaken override the detector did not report has nothing to reject.
            let _ = system.feedback(node.id, property, UserFeedback::Incorrect);
        }
    }
    let mut scores = Scores::default();
    for id in 0..N_HELD_OUT as u64 {
        let (node, genuine) = generate(&mut random, 1_000_000 + id);
        let mut changed: Vec<(&String, &bool)> = genuine.iter().collect();
        changed.sort();
        for (property, is_exception) in changed {
            let context = ExceptionContext {
                property_name: property.clone(),
                inherited_value: inherited[property].clone(),
                actual_value: node.local_properties[property].clone(),
                node_type: node.node_type.clone(),
                inheritance_depth: 0,
                sibling_properties: node.local_properties.clone(),
            };
            scores.add(
                system.learner().predict_exception_likelihood(&context),
                *is_exception,
            );
        }
    }
    scores.finish()
}

/// [`synthetic_nodes`] over seeds `1..=n_seeds`, pooled.
#[must_use]
pub fn synthetic_nodes_pooled(n_seeds: u64, n_traits: usize) -> Quality {
    pool((1..=n_seeds).map(|seed| synthetic_nodes(seed, n_traits)))
}

/// WordNet's topic overrides (see the module docs), with the 80/20 split drawn from `seed`.
/// `None` when the synsets hold no override.
#[must_use]
pub fn wordnet_topics(synsets: &[Synset], seed: u64) -> Option<Quality> {
    let by_offset: HashMap<u64, &Synset> = synsets.iter().map(|s| (s.offset, s)).collect();
    let mut depths: HashMap<u64, u32> = HashMap::with_capacity(synsets.len());
    let mut depth_of = |offset: u64| -> u32 {
        // Along first hypernyms; WordNet's noun hierarchy has no cycle, and the walk is
        // bounded all the same.
        let mut chain = Vec::new();
        let mut at = offset;
        let mut depth = 0;
        while chain.len() < 64 {
            if let Some(&known) = depths.get(&at) {
                depth = known;
                break;
            }
            chain.push(at);
            match by_offset.get(&at).and_then(|s| s.hypernyms.first()) {
                Some(&parent) => at = parent,
                None => break,
            }
        }
        for (steps, &node) in chain.iter().rev().enumerate() {
            depths.insert(node, depth + steps as u32);
        }
        depths[&offset]
    };
    let mut topics: Vec<&'static str> = synsets.iter().map(Synset::topic).collect();
    topics.sort_unstable();
    topics.dedup();
    let mut random = SplitMix64(seed);
    let mut positives = Vec::new();
    let mut keepers = Vec::new();
    for synset in synsets {
        let Some(parent) = synset.hypernyms.first().and_then(|p| by_offset.get(p)) else {
            continue;
        };
        if parent.topic() == synset.topic() {
            keepers.push((synset, parent.topic()));
        } else {
            positives.push((synset, parent.topic()));
        }
    }
    if positives.is_empty() || topics.len() < 2 {
        return None;
    }
    // As many false overrides as genuine ones, from synsets that keep their topic.
    let mut examples = Vec::with_capacity(2 * positives.len());
    for &(synset, inherited) in &positives {
        examples.push((synset, inherited, synset.topic(), true));
    }
    for _ in 0..positives.len().min(keepers.len()) {
        let (synset, inherited) = keepers.swap_remove(random.below(keepers.len()));
        let mut fake = topics[random.below(topics.len())];
        while fake == inherited {
            fake = topics[random.below(topics.len())];
        }
        examples.push((synset, inherited, fake, false));
    }
    // A seeded shuffle (Fisher-Yates), then 80 % to train on.
    for at in (1..examples.len()).rev() {
        examples.swap(at, random.below(at + 1));
    }
    let n_training = examples.len() * 4 / 5;
    let mut context_of = |synset: &Synset, inherited: &str, actual: &str| ExceptionContext {
        property_name: LEXFILE_PROPERTY.to_owned(),
        inherited_value: PropertyValue::String(inherited.to_owned()),
        actual_value: PropertyValue::String(actual.to_owned()),
        node_type: synset.words.first().cloned().unwrap_or_default(),
        inheritance_depth: depth_of(synset.offset),
        sibling_properties: synset
            .words
            .iter()
            .skip(1)
            .map(|word| (word.clone(), PropertyValue::Boolean(true)))
            .collect(),
    };
    let mut learner = PatternLearner::new();
    for &(synset, inherited, actual, genuine) in &examples[..n_training] {
        let context = context_of(synset, inherited, actual);
        let result = if genuine {
            let exception = Exception::new(
                context.inherited_value.clone(),
                context.actual_value.clone(),
                format!("{} is filed under {actual}", context.node_type),
                ExceptionSource::Explicit,
                1.0,
            );
            learner.learn_from_exception(&exception, &context)
        } else {
            learner.observe_non_exception(&context)
        };
        result.expect("the synset contexts are valid");
    }
    let mut scores = Scores::default();
    for &(synset, inherited, actual, genuine) in &examples[n_training..] {
        let context = context_of(synset, inherited, actual);
        scores.add(learner.predict_exception_likelihood(&context), genuine);
    }
    Some(scores.finish())
}
