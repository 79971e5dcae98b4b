//! Unit tests of the statistics against hand-computed values.
use super::*;

#[test]
fn median_of_odd_and_even_lengths() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[]), None);
}

#[test]
fn normal_tail_is_accurate() {
    assert!((normal_upper_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((normal_upper_tail(1.959_964) - 0.025).abs() < 1e-6);
    assert!((normal_upper_tail(-1.0) - 0.841_344_7).abs() < 1e-6);
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
