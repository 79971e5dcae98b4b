//! Accuracy on a synthetic labelled set with a held-out split.
//!
//! Hidden rules say which bird families override which properties (penguins and kiwis
//! cannot fly, owls are nocturnal, ...). Every example is a family member (`King_Penguin`,
//! `SpottedOwl`) with one property: if a rule covers the pair, the property is overridden
//! (a genuine exception); otherwise it usually keeps its inherited value (a non-exception)
//! and sometimes is overridden by mistake (which a user marks `Incorrect`). Depth and
//! sibling properties are noise.

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, PatternLearner, UserFeedback};

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
const N_TRAINING: usize = 100;
const N_HELD_OUT: usize = 1000;

/// The share of non-rule examples overridden by mistake.
const MISTAKE_RATE: f64 = 0.3;

/// SplitMix64: a tiny deterministic generator, so the test needs no `rand`.
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
        (self.next_u64() % bound as u64) as usize
    }

    fn chance(&mut self, probability: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64 <= probability
    }
}

struct Example {
    context: ExceptionContext,
    is_exception: bool,
}

fn generate(random: &mut SplitMix64) -> Example {
    let family = FAMILIES[random.below(FAMILIES.len())];
    let modifier = MODIFIERS[random.below(MODIFIERS.len())];
    let node_type = if random.chance(0.5) {
        format!("{modifier}_{family}")
    } else {
        format!("{modifier}{family}")
    };
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
    Example {
        context: ExceptionContext {
            property_name: property.to_owned(),
            inherited_value: PropertyValue::Boolean(inherited),
            actual_value: PropertyValue::Boolean(actual),
            node_type,
            inheritance_depth: 1 + random.below(4) as u32,
            sibling_properties: siblings,
        },
        is_exception,
    }
}

/// Trains on the first examples the way the system would see them, then returns the
/// accuracy on held-out examples.
fn held_out_accuracy(seed: u64) -> f64 {
    let mut random = SplitMix64(seed);
    let mut learner = PatternLearner::new();
    for _ in 0..N_TRAINING {
        let example = generate(&mut random);
        let context = example.context;
        if example.is_exception {
            let exception = Exception::new(
                context.inherited_value.clone(),
                context.actual_value.clone(),
                format!("{} is typical of this family", context.property_name),
                ExceptionSource::Explicit,
                1.0,
            );
            learner.learn_from_exception(&exception, &context).unwrap();
        } else if context.is_override() {
            learner
                .add_user_feedback(context, UserFeedback::Incorrect)
                .unwrap();
            learner.process_feedback_batch();
        } else {
            learner.observe_non_exception(&context).unwrap();
        }
    }
    let correct = (0..N_HELD_OUT)
        .filter(|_| {
            let example = generate(&mut random);
            let likelihood = learner.predict_exception_likelihood(&example.context);
            (likelihood >= 0.5) == example.is_exception
        })
        .count();
    correct as f64 / N_HELD_OUT as f64
}

#[test]
fn held_out_accuracy_exceeds_ninety_percent_after_one_hundred_examples() {
    // One hundred examples are a small sample: averaged over several draws, and no single
    // draw far below.
    let accuracies: Vec<f64> = (1..=8).map(held_out_accuracy).collect();
    let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
    println!("held-out accuracies {accuracies:?}, mean {mean}");
    assert!(mean > 0.9, "mean held-out accuracy {mean}: {accuracies:?}");
    for (seed, accuracy) in (1..).zip(&accuracies) {
        assert!(
            *accuracy > 0.85,
            "seed {seed}: held-out accuracy {accuracy}"
        );
    }
}

#[test]
fn always_answering_no_does_not_pass_the_same_bar() {
    // The bar is not met by the base rate alone: answering "not an exception" every time
    // scores the share of non-exceptions, which is below 90 %.
    let mut random = SplitMix64(99);
    let negatives = (0..N_HELD_OUT)
        .filter(|_| !generate(&mut random).is_exception)
        .count();
    let base_rate = negatives as f64 / N_HELD_OUT as f64;
    assert!(base_rate < 0.9, "{base_rate}");
}
