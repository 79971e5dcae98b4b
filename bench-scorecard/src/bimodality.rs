//! A check for benchmarks whose samples fall into two far-apart clusters (two modes): the
//! median of such a row depends on which mode a run happens to land in.
//!
//! The samples are sorted and split where the two sides' summed squared deviations are
//! smallest (Otsu's split, in one dimension). The row is bimodal when both sides hold a real
//! share of the samples, their means are far apart relative to each other, and Ashman's
//! separation `D = √2 |m₂ − m₁| / √(s₁² + s₂²)` is large (above 2 the two normal clusters do
//! not overlap; an optimally split unimodal normal sample gives about 2.7, hence the higher
//! bar).

use serde::Serialize;

/// Fewest samples the check looks at.
pub const MIN_SAMPLES: usize = 10;
/// Smallest share of the samples either cluster must hold (a few outliers are not a mode).
pub const MIN_CLUSTER_SHARE: f64 = 0.2;
/// Smallest ratio of the two cluster means.
pub const MIN_MEAN_RATIO: f64 = 1.5;
/// Smallest Ashman separation.
pub const MIN_SEPARATION: f64 = 4.0;

/// The two clusters of a bimodal sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Modes {
    /// Mean of the fast cluster, ns.
    pub low_ns: f64,
    /// Mean of the slow cluster, ns.
    pub high_ns: f64,
    /// Samples in the fast cluster.
    pub low_count: usize,
    /// Samples in the slow cluster.
    pub high_count: usize,
    /// Ashman's D of the split.
    pub separation: f64,
}

impl Modes {
    /// `high_ns / low_ns`.
    pub fn ratio(&self) -> f64 {
        self.high_ns / self.low_ns
    }
}

fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance)
}

/// The two modes of `samples` (per-iteration times), or `None` when it has one (or too few
/// samples, or values that are not positive and finite).
///
/// ```
/// use bench_scorecard::bimodality;
///
/// let one_mode: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i % 7)).collect();
/// assert!(bimodality(&one_mode).is_none());
///
/// let mut two_modes = vec![460.0, 470.0, 455.0, 465.0, 462.0, 458.0];
/// two_modes.extend([2_200.0, 2_180.0, 2_230.0, 2_210.0, 2_190.0, 2_220.0]);
/// let modes = bimodality(&two_modes).expect("two clusters");
/// assert!(modes.ratio() > 4.0);
/// ```
pub fn bimodality(samples: &[f64]) -> Option<Modes> {
    if samples.len() < MIN_SAMPLES || samples.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let smallest = ((n as f64 * MIN_CLUSTER_SHARE).ceil() as usize).max(2);
    let (split, _) = (smallest..=n - smallest)
        .map(|k| {
            let (low, high) = sorted.split_at(k);
            let (_, low_var) = mean_and_variance(low);
            let (_, high_var) = mean_and_variance(high);
            (k, low_var * low.len() as f64 + high_var * high.len() as f64)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let (low, high) = sorted.split_at(split);
    let (low_mean, low_var) = mean_and_variance(low);
    let (high_mean, high_var) = mean_and_variance(high);
    let spread = (low_var + high_var).sqrt();
    let separation = if spread > 0.0 {
        std::f64::consts::SQRT_2 * (high_mean - low_mean) / spread
    } else {
        f64::INFINITY
    };
    (high_mean / low_mean >= MIN_MEAN_RATIO && separation >= MIN_SEPARATION).then_some(Modes {
        low_ns: low_mean,
        high_ns: high_mean,
        low_count: low.len(),
        high_count: high.len(),
        separation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic, roughly normal noise: the sum of a few uniform LCG draws.
    fn noise(count: usize, mean: f64, spread: f64, seed: u64) -> Vec<f64> {
        let mut state = seed;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1_u64 << 53) as f64
        };
        (0..count)
            .map(|_| {
                let sum: f64 = (0..6).map(|_| uniform()).sum();
                mean + spread * (sum - 3.0) / 0.707
            })
            .collect()
    }

    #[test]
    fn normal_noise_has_one_mode() {
        for seed in 0..50 {
            let samples = noise(100, 1_000.0, 30.0, seed);
            assert_eq!(bimodality(&samples), None, "seed {seed}");
        }
    }

    #[test]
    fn wide_noise_is_not_two_modes() {
        // 15 % relative spread: wide, but one cluster.
        for seed in 0..50 {
            let samples = noise(100, 1_000.0, 150.0, seed);
            assert_eq!(bimodality(&samples), None, "seed {seed}");
        }
    }

    #[test]
    fn two_far_clusters_are_found_with_their_means() {
        let mut samples = noise(30, 460.0, 10.0, 1);
        samples.extend(noise(70, 2_200.0, 40.0, 2));
        let modes = bimodality(&samples).expect("bimodal");
        assert_eq!((modes.low_count, modes.high_count), (30, 70));
        assert!((modes.low_ns - 460.0).abs() < 10.0, "{modes:?}");
        assert!((modes.high_ns - 2_200.0).abs() < 30.0, "{modes:?}");
    }

    #[test]
    fn clusters_closer_than_the_ratio_bar_are_one_mode() {
        let mut samples = noise(50, 1_000.0, 5.0, 3);
        samples.extend(noise(50, 1_400.0, 5.0, 4));
        assert_eq!(bimodality(&samples), None);
    }

    #[test]
    fn a_few_outliers_are_not_a_mode() {
        // Up to a fifth of the samples far out: interference, not a mode.
        let mut samples = noise(85, 1_000.0, 10.0, 5);
        samples.extend([5_000.0; 15]);
        assert_eq!(bimodality(&samples), None);
    }

    #[test]
    fn too_few_or_broken_samples_are_not_judged() {
        assert_eq!(bimodality(&[1.0, 100.0, 1.0, 100.0]), None);
        let mut samples = vec![1.0; 6];
        samples.extend([100.0; 6]);
        assert!(bimodality(&samples).is_some());
        samples[0] = f64::NAN;
        assert_eq!(bimodality(&samples), None);
    }
}
