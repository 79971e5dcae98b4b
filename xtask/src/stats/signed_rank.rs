//! Paired statistics on differences: Wilcoxon signed-rank test, Hodges–Lehmann, Walsh interval.
use super::{median_of_sorted, normal_upper_tail};

/// Largest number of non-zero differences for which the exact null distribution is used.
const EXACT_MAX_N: usize = 60;

/// Two-sided p-value of the Wilcoxon signed-rank test of "the differences are centred on 0".
///
/// Zero differences are dropped (Wilcoxon's convention) and tied magnitudes get mid-ranks.
/// Up to [`EXACT_MAX_N`] non-zero differences the p-value is exact: the null distribution of
/// the (doubled, so integer) positive rank sum is counted over all `2^n` sign patterns, which
/// with ties is the exact conditional distribution. Above that a normal approximation with tie
/// and continuity corrections is used. `None` for no differences at all.
pub fn signed_rank_p(differences: &[f64]) -> Option<f64> {
    if differences.is_empty() {
        return None;
    }
    let nonzero: Vec<f64> = differences.iter().copied().filter(|d| *d != 0.0).collect();
    if nonzero.is_empty() {
        return Some(1.0);
    }
    let doubled_ranks = doubled_mid_ranks(&nonzero);
    let observed = positive_rank_sum(&nonzero, &doubled_ranks);
    if nonzero.len() <= EXACT_MAX_N {
        Some(exact_p(&doubled_ranks, observed))
    } else {
        Some(normal_p(&nonzero, observed))
    }
}

/// The (doubled) rank sum of the positive values.
fn positive_rank_sum(values: &[f64], doubled_ranks: &[u64]) -> u64 {
    values
        .iter()
        .zip(doubled_ranks)
        .filter(|(value, _)| **value > 0.0)
        .map(|(_, rank)| *rank)
        .sum()
}

/// Exact two-sided p of a doubled positive rank sum.
fn exact_p(doubled_ranks: &[u64], observed: u64) -> f64 {
    let counts = null_counts(doubled_ranks);
    let total: f64 = counts.iter().sum();
    let observed = observed as usize;
    let lower: f64 = counts[..=observed].iter().sum::<f64>() / total;
    let upper: f64 = counts[observed..].iter().sum::<f64>() / total;
    (2.0 * lower.min(upper)).min(1.0)
}

/// Normal approximation (tie and continuity corrections) of the two-sided p.
fn normal_p(nonzero: &[f64], observed: u64) -> f64 {
    let w = observed as f64 / 2.0;
    let nf = nonzero.len() as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let tie_term: f64 = tie_sizes(nonzero)
        .into_iter()
        .map(|t| (t * t * t - t) / 48.0)
        .sum();
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term;
    if variance <= 0.0 {
        return 1.0;
    }
    let z = ((w - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    (2.0 * normal_upper_tail(z)).min(1.0)
}

/// Hodges–Lehmann estimate of the centre of the differences: the median of all Walsh averages
/// `(d_i + d_j) / 2`, `i <= j`. `None` when empty.
pub fn hodges_lehmann(differences: &[f64]) -> Option<f64> {
    let walsh = walsh_averages(differences);
    (!walsh.is_empty()).then(|| median_of_sorted(&walsh))
}

/// The distribution-free confidence interval of the centre that goes with the signed-rank test:
/// `[A_(k), A_(M+1-k)]` of the `M = n(n+1)/2` sorted Walsh averages, with `k - 1` the largest
/// rank sum whose lower-tail probability is at most `(1 - confidence) / 2`.
///
/// `None` when there are too few differences for that confidence (fewer than 6 at 95 %).
pub fn walsh_interval(differences: &[f64], confidence: f64) -> Option<(f64, f64)> {
    let n = differences.len();
    if n == 0 {
        return None;
    }
    let walsh = walsh_averages(differences);
    let m = walsh.len();
    let tail = (1.0 - confidence) / 2.0;
    let k = if n <= EXACT_MAX_N {
        // Untied ranks 1..=n, doubled.
        let ranks: Vec<u64> = (1..=n as u64).map(|r| 2 * r).collect();
        let counts = null_counts(&ranks);
        let total: f64 = counts.iter().sum();
        // counts is indexed by the doubled sum; the statistic t = doubled / 2.
        let mut cumulative = 0.0;
        let mut k = 0;
        for t in 0..=m {
            cumulative += counts[2 * t] / total;
            if cumulative > tail {
                break;
            }
            k = t + 1;
        }
        k
    } else {
        let nf = n as f64;
        let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
        (m as f64 / 2.0 - normal_quantile_upper(tail) * sd)
            .floor()
            .max(0.0) as usize
    };
    if k == 0 || k > m.div_ceil(2) {
        return None;
    }
    Some((walsh[k - 1], walsh[m - k]))
}

/// The sorted Walsh averages of `values`.
pub fn walsh_averages(values: &[f64]) -> Vec<f64> {
    let mut walsh = Vec::with_capacity(values.len() * (values.len() + 1) / 2);
    for (i, a) in values.iter().enumerate() {
        for b in &values[i..] {
            walsh.push((a + b) / 2.0);
        }
    }
    walsh.sort_by(f64::total_cmp);
    walsh
}

/// Twice the mid-rank of each `|value|` (integers even with ties).
fn doubled_mid_ranks(values: &[f64]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].abs().total_cmp(&values[b].abs()));
    let mut ranks = vec![0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && values[order[end + 1]].abs() == values[order[start]].abs() {
            end += 1;
        }
        // Ranks start..=end (1-based start+1..=end+1) share (start + end + 2) / 2; doubled.
        let doubled = (start + end + 2) as u64;
        for &index in &order[start..=end] {
            ranks[index] = doubled;
        }
        start = end + 1;
    }
    ranks
}

fn tie_sizes(values: &[f64]) -> Vec<f64> {
    let mut magnitudes: Vec<f64> = values.iter().map(|v| v.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let mut sizes = Vec::new();
    let mut start = 0;
    while start < magnitudes.len() {
        let mut end = start;
        while end + 1 < magnitudes.len() && magnitudes[end + 1] == magnitudes[start] {
            end += 1;
        }
        sizes.push((end - start + 1) as f64);
        start = end + 1;
    }
    sizes
}

/// Number of sign patterns giving each positive (doubled) rank sum, indexed by that sum.
fn null_counts(doubled_ranks: &[u64]) -> Vec<f64> {
    let max: u64 = doubled_ranks.iter().sum();
    let mut counts = vec![0.0; max as usize + 1];
    counts[0] = 1.0;
    let mut reach = 0usize;
    for &rank in doubled_ranks {
        let rank = rank as usize;
        for sum in (0..=reach).rev() {
            if counts[sum] > 0.0 {
                counts[sum + rank] += counts[sum];
            }
        }
        reach += rank;
    }
    counts
}

/// `z` with `P(Z > z) = p` for a standard normal, by bisection on [`normal_upper_tail`].
pub fn normal_quantile_upper(p: f64) -> f64 {
    let (mut low, mut high) = (-10.0, 10.0);
    for _ in 0..100 {
        let mid = (low + high) / 2.0;
        if normal_upper_tail(mid) > p {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hollander & Wolfe's depression scores (R's `?wilcox.test` example):
    /// `wilcox.test(x, y, paired = TRUE)` gives V = 40, p = 0.03906.
    #[test]
    #[expect(
        clippy::approx_constant,
        reason = "3.14 is a data value of the textbook example"
    )]
    fn signed_rank_matches_r_on_the_textbook_example() {
        let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
        let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
        let p = signed_rank_p(&d).unwrap();
        assert!((p - 0.039_06).abs() < 1e-4, "{p}");
        // The sign of the differences does not change a two-sided p-value.
        let negated: Vec<f64> = d.iter().map(|v| -v).collect();
        assert!((signed_rank_p(&negated).unwrap() - p).abs() < 1e-12);
    }

    #[test]
    fn signed_rank_exact_extremes_and_table_values() {
        // All n positive: p = 2 / 2^n.
        for n in 1..=12 {
            let d: Vec<f64> = (1..=n).map(f64::from).collect();
            let p = signed_rank_p(&d).unwrap();
            assert!((p - 2.0 / 2f64.powi(n)).abs() < 1e-12, "n = {n}: {p}");
        }
        // n = 10, W+ = 8: the two-sided 5 % critical value of the tables; P(W <= 8) = 25/1024.
        let d = [1.0, 2.0, -3.0, -4.0, 5.0, -6.0, -7.0, -8.0, -9.0, -10.0];
        let p = signed_rank_p(&d).unwrap();
        assert!((p - 50.0 / 1024.0).abs() < 1e-12, "{p}");
        // Zeros are dropped; no differences at all is no evidence.
        assert_eq!(signed_rank_p(&[0.0, 0.0]), Some(1.0));
        assert_eq!(signed_rank_p(&[]), None);
        let with_zero = signed_rank_p(&[0.0, 1.0, 2.0]).unwrap();
        assert!((with_zero - 0.5).abs() < 1e-12, "{with_zero}");
    }

    #[test]
    fn signed_rank_with_ties_uses_mid_ranks() {
        // |d| = 1, 1, 2: doubled mid-ranks 3, 3, 6; W+ (doubled) = 3 + 3 = 6 of a total 12.
        // Sign patterns: sums 0, 3, 3, 6, 6, 9, 9, 12 -> P(W >= 6) = 5/8, P(W <= 6) = 5/8.
        let p = signed_rank_p(&[1.0, 1.0, -2.0]).unwrap();
        assert!((p - 1.0).abs() < 1e-12, "{p}");
        let p = signed_rank_p(&[1.0, 1.0, 2.0]).unwrap();
        assert!((p - 0.25).abs() < 1e-12, "{p}");
    }

    #[test]
    fn the_normal_approximation_agrees_with_the_exact_count() {
        let d: Vec<f64> = (1..=40)
            .map(|i| f64::from(i) * if i % 4 == 0 { -1.0 } else { 1.0 })
            .collect();
        let ranks = doubled_mid_ranks(&d);
        let observed = positive_rank_sum(&d, &ranks);
        let exact = exact_p(&ranks, observed);
        let approximate = normal_p(&d, observed);
        assert!(exact < 0.05, "{exact}");
        // Within 15 % of the exact tail (the continuity correction errs conservative).
        assert!(
            (approximate / exact - 1.0).abs() < 0.15,
            "{approximate} {exact}"
        );
        // Past the exact limit the approximation is what signed_rank_p returns.
        let long: Vec<f64> = (1..=70)
            .map(|i| f64::from(i) * if i % 2 == 0 { -1.0 } else { 1.0 })
            .collect();
        assert!(signed_rank_p(&long).unwrap() > 0.5);
    }

    #[test]
    fn hodges_lehmann_is_the_median_of_walsh_averages() {
        assert_eq!(hodges_lehmann(&[1.0, 2.0, 3.0]), Some(2.0));
        // Walsh averages 0, 0, 0, 5, 5, 10: median 2.5 (the plain median would be 0).
        assert_eq!(hodges_lehmann(&[0.0, 0.0, 10.0]), Some(2.5));
        assert_eq!(hodges_lehmann(&[]), None);
        // One wild value moves it far less than it moves the mean.
        let d = [0.01, 0.02, 0.0, 0.01, 0.02, 2.0];
        assert!(hodges_lehmann(&d).unwrap() < 0.03);
    }

    #[test]
    fn walsh_interval_uses_the_table_critical_value() {
        // n = 10 at 95 %: critical value 8, so k = 9: [A_(9), A_(47)] of 55 averages.
        let d: Vec<f64> = (1..=10).map(f64::from).collect();
        let walsh = walsh_averages(&d);
        assert_eq!(walsh.len(), 55);
        let (low, high) = walsh_interval(&d, 0.95).unwrap();
        assert_eq!((low, high), (walsh[8], walsh[46]));
        // n = 6: critical value 0 (P(W = 0) = 1/64 <= 0.025), k = 1: the extreme averages.
        let d6 = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(walsh_interval(&d6, 0.95), Some((1.0, 6.0)));
        // n = 5 cannot reach 95 %.
        assert_eq!(walsh_interval(&d6[..5], 0.95), None);
        // The large-n branch brackets the estimate.
        let big: Vec<f64> = (0..80).map(|i| f64::from(i % 7) - 3.0).collect();
        let (low, high) = walsh_interval(&big, 0.95).unwrap();
        let centre = hodges_lehmann(&big).unwrap();
        assert!(low < centre && centre < high, "{low} {centre} {high}");
    }

    #[test]
    fn normal_quantile_inverts_the_tail() {
        assert!((normal_quantile_upper(0.025) - 1.959_964).abs() < 1e-5);
        assert!(normal_quantile_upper(0.5).abs() < 1e-6);
    }
}
