//! Unit tests of the statistics against hand-computed values.
use super::*;

#[test]
fn median_of_odd_and_even_lengths() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[]), None);
}

#[test]
fn coefficient_of_variation_matches_hand_computation() {
    // mean 5, sample variance 32/7, standard deviation 2.138...
    let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
    let cv = coefficient_of_variation(&values).unwrap();
    assert!((cv - (32.0f64 / 7.0).sqrt() / 5.0).abs() < 1e-12, "{cv}");
    assert_eq!(coefficient_of_variation(&[1.0]), None);
}

#[test]
fn normal_tail_is_accurate() {
    assert!((normal_upper_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((normal_upper_tail(1.959_964) - 0.025).abs() < 1e-6);
    assert!((normal_upper_tail(-1.0) - 0.841_344_7).abs() < 1e-6);
}

#[test]
fn mann_whitney_separated_samples_are_significant() {
    let a: Vec<f64> = (0..10).map(f64::from).collect();
    let b: Vec<f64> = (10..20).map(f64::from).collect();
    // U = 0, mean 50, sd sqrt(175): z = 49.5 / 13.23 = 3.742, p = 1.83e-4.
    let p = mann_whitney_u(&a, &b).unwrap();
    assert!((p - 1.83e-4).abs() < 1e-5, "{p}");
}

#[test]
fn mann_whitney_identical_samples_are_not_significant() {
    let a = [5.0; 20];
    assert_eq!(mann_whitney_u(&a, &a), Some(1.0));
    let b: Vec<f64> = (0..20).map(f64::from).collect();
    assert!(mann_whitney_u(&b, &b).unwrap() > 0.9);
    assert_eq!(mann_whitney_u(&[], &b), None);
}

#[test]
fn holm_adjusts_in_step_down_order() {
    let adjusted = holm_adjust(&[0.01, 0.04, 0.03, 0.5]);
    // Sorted: 0.01*4 = 0.04, 0.03*3 = 0.09, 0.04*2 = 0.08 -> max 0.09, 0.5*1 -> 0.5.
    let expected = [0.04, 0.09, 0.09, 0.5];
    for (got, want) in adjusted.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{adjusted:?}");
    }
}

#[test]
fn bootstrap_is_seeded_and_brackets_the_ratio() {
    let mut rng = XorShift64::new(7);
    let base: Vec<f64> = (0..50)
        .map(|_| 100.0 + (rng.next_u64() % 100) as f64 / 10.0)
        .collect();
    let slower: Vec<f64> = base.iter().map(|v| v * 1.2).collect();
    let first = bootstrap_median_ratio(&base, &slower, 2000, 0.95, 42).unwrap();
    let second = bootstrap_median_ratio(&base, &slower, 2000, 0.95, 42).unwrap();
    assert_eq!(first, second);
    assert!((first.ratio - 1.2).abs() < 1e-9);
    assert!(
        first.lower <= first.ratio && first.ratio <= first.upper,
        "{first:?}"
    );
    assert!(first.lower > 1.1 && first.upper < 1.3, "{first:?}");
}

#[test]
fn geometric_mean_of_ratios() {
    let g = geometric_mean(&[2.0, 0.5]).unwrap();
    assert!((g - 1.0).abs() < 1e-12);
    assert_eq!(geometric_mean(&[1.0, 0.0]), None);
}

#[test]
fn rng_index_stays_in_range() {
    let mut rng = XorShift64::new(0);
    for len in 1..50 {
        assert!(rng.index(len) < len);
    }
}
