//! Sample statistics for comparing benchmark runs: medians, CV, bootstrap, Mann-Whitney U, Holm, Wilcoxon.

/// A small, seeded xorshift64* generator: the bootstrap must give the same interval every run.
#[derive(Debug, Clone)]
pub struct XorShift64 {
    state: u64,
}

impl XorShift64 {
    /// Creates a generator; a zero seed (a fixed point of xorshift) is replaced by a constant.
    pub fn new(seed: u64) -> Self {
        let state = if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        };
        Self { state }
    }

    /// The next pseudo-random 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform index in `0..len` (`len > 0`), by Lemire's multiply-shift.
    pub fn index(&mut self, len: usize) -> usize {
        ((u128::from(self.next_u64()) * len as u128) >> 64) as usize
    }
}

/// Median of `values`; `None` when empty. NaNs sort last and are never produced by our parsers.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(median_of_sorted(&sorted))
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Arithmetic mean; `None` when empty.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// Coefficient of variation (sample standard deviation over mean); `None` for fewer than two values.
pub fn coefficient_of_variation(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mean = mean(values)?;
    if mean == 0.0 {
        return None;
    }
    let variance =
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
    Some(variance.sqrt() / mean.abs())
}

/// Percentile (`q` in 0..=1) of sorted values, linear interpolation between ranks.
pub fn percentile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let weight = position - lower as f64;
    sorted[lower] * (1.0 - weight) + sorted[upper] * weight
}

/// A ratio estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioInterval {
    /// `median(candidate) / median(baseline)`.
    pub ratio: f64,
    /// Lower bound of the interval.
    pub lower: f64,
    /// Upper bound of the interval.
    pub upper: f64,
}

/// Bootstrap (percentile method) interval of the ratio of medians, resampling both sides.
///
/// Returns `None` when either side is empty or a baseline median is zero.
pub fn bootstrap_median_ratio(
    baseline: &[f64],
    candidate: &[f64],
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Option<RatioInterval> {
    let base_median = median(baseline)?;
    let candidate_median = median(candidate)?;
    if base_median <= 0.0 {
        return None;
    }
    let mut rng = XorShift64::new(seed);
    let mut ratios = Vec::with_capacity(resamples);
    let mut base_draw = vec![0.0; baseline.len()];
    let mut candidate_draw = vec![0.0; candidate.len()];
    for _ in 0..resamples {
        for slot in base_draw.iter_mut() {
            *slot = baseline[rng.index(baseline.len())];
        }
        for slot in candidate_draw.iter_mut() {
            *slot = candidate[rng.index(candidate.len())];
        }
        base_draw.sort_by(f64::total_cmp);
        candidate_draw.sort_by(f64::total_cmp);
        let denominator = median_of_sorted(&base_draw);
        if denominator > 0.0 {
            ratios.push(median_of_sorted(&candidate_draw) / denominator);
        }
    }
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Some(RatioInterval {
        ratio: candidate_median / base_median,
        lower: percentile_of_sorted(&ratios, tail),
        upper: percentile_of_sorted(&ratios, 1.0 - tail),
    })
}

/// Two-sided p-value of the Mann-Whitney U test (normal approximation with tie and
/// continuity corrections). `None` when either sample is empty.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));

    let n = pooled.len();
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = start;
        while end + 1 < n && pooled[end + 1].0 == pooled[start].0 {
            end += 1;
        }
        let tied = (end - start + 1) as f64;
        let average_rank = (start + end) as f64 / 2.0 + 1.0;
        rank_sum_a += pooled[start..=end].iter().filter(|x| x.1).count() as f64 * average_rank;
        tie_term += tied.powi(3) - tied;
        start = end + 1;
    }

    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u = rank_sum_a - n1f * (n1f + 1.0) / 2.0;
    let mean_u = n1f * n2f / 2.0;
    let variance = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    if variance <= 0.0 {
        // Every value is tied: no evidence of any difference.
        return Some(1.0);
    }
    let z = ((u - mean_u).abs() - 0.5).max(0.0) / variance.sqrt();
    Some((2.0 * normal_upper_tail(z)).min(1.0))
}

/// `P(Z > z)` for a standard normal `Z`, from `erfc` (absolute error below 1.2e-7).
pub fn normal_upper_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, `erfcc`).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * poly.exp();
    if x >= 0.0 { value } else { 2.0 - value }
}

/// Holm-Bonferroni adjusted p-values, in the input order.
pub fn holm_adjust(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
    let mut adjusted = vec![1.0; m];
    let mut running_max: f64 = 0.0;
    for (rank, &index) in order.iter().enumerate() {
        let candidate = ((m - rank) as f64 * p_values[index]).min(1.0);
        running_max = running_max.max(candidate);
        adjusted[index] = running_max;
    }
    adjusted
}

/// Geometric mean of positive values; `None` when empty or any value is not positive.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| *v <= 0.0 || !v.is_finite()) {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

mod signed_rank;
pub use signed_rank::{hodges_lehmann, signed_rank_p, walsh_interval};

#[cfg(test)]
mod tests;
