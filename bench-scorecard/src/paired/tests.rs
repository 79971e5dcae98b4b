use super::*;

/// `C(n, i)` for `i` in `0..=n`, exactly, by Pascal's triangle.
fn binomial_row(n: usize) -> Vec<u128> {
    let mut row = vec![1_u128];
    for _ in 0..n {
        let mut next = vec![1_u128; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row
}

/// The model: the largest `j` with `2 * sum(C(n, 0..=j)) <= alpha * 2^n`, in exact integers
/// (alpha = 5 / 100), or 0.
fn model_lower_rank(n: usize) -> usize {
    let row = binomial_row(n);
    let total: u128 = 1 << n;
    let mut cumulative = 0_u128;
    let mut lower = 0;
    for (j, count) in row.iter().enumerate().take(n.div_ceil(2)) {
        cumulative += count;
        if 2 * cumulative * 100 > 5 * total {
            break;
        }
        lower = j;
    }
    lower
}

#[test]
fn the_interval_ranks_match_the_exact_binomial_model() {
    for n in 1..=100 {
        assert_eq!(lower_rank(n, 0.05), model_lower_rank(n), "n = {n}");
    }
    // Fewer than six rounds: no pair of order statistics reaches 95 %, the range is used.
    for n in 1..6 {
        assert_eq!(lower_rank(n, 0.05), 0, "n = {n}");
    }
    assert_eq!(lower_rank(6, 0.05), 0); // 2 / 64 = 3.1 %: x(1) and x(6), the range too
    assert_eq!(lower_rank(9, 0.05), 1); // 2 * 10 / 512 = 3.9 %: x(2) and x(8)
}

#[test]
fn the_median_is_the_middle_value_or_the_mean_of_the_two() {
    assert_eq!(median_interval(&[3.0, 1.0, 2.0], 0.95).unwrap().0, 2.0);
    assert_eq!(median_interval(&[4.0, 1.0, 3.0, 2.0], 0.95).unwrap().0, 2.5);
    assert_eq!(
        median_interval(&[7.0], 0.95).unwrap(),
        (7.0, (7.0, 7.0)),
        "one round: its value, a point interval"
    );
    let forward: Vec<f64> = (1..=31).map(f64::from).collect();
    let backward: Vec<f64> = forward.iter().rev().copied().collect();
    assert_eq!(
        median_interval(&forward, 0.95).unwrap(),
        median_interval(&backward, 0.95).unwrap()
    );
}

/// A small deterministic generator (64-bit LCG), so the coverage test is reproducible.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1_u64 << 53) as f64
    }
}

#[test]
fn the_interval_covers_the_true_median_about_as_often_as_it_claims() {
    // Rounds drawn from a skewed distribution with a known median: exp(U(0, 1)) has median
    // e^0.5. The exact coverage for 41 rounds is 1 - 2 P(Bin(41, 1/2) <= 13) = 97.2 %.
    let true_median = 0.5_f64.exp();
    let mut rng = Lcg(17);
    let trials = 2_000;
    let covered = (0..trials)
        .filter(|_| {
            let values: Vec<f64> = (0..41).map(|_| rng.uniform().exp()).collect();
            let (_, (low, high)) = median_interval(&values, 0.95).unwrap();
            low <= true_median && true_median <= high
        })
        .count();
    let coverage = covered as f64 / f64::from(trials);
    assert!((0.955..=0.985).contains(&coverage), "coverage {coverage}");
}

#[test]
fn unusable_rounds_are_typed_errors() {
    assert!(matches!(
        median_interval(&[], 0.95),
        Err(ScorecardError::NoRounds)
    ));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                median_interval(&[1.0, bad], 0.95),
                Err(ScorecardError::InvalidRound(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        median_interval(&[1.0], 1.0),
        Err(ScorecardError::InvalidRound(_))
    ));
}

fn figure(median: f64, interval: (f64, f64)) -> PairedRatio {
    PairedRatio {
        benchmark: "g/op/1".to_owned(),
        anchor: "g/anchor/1".to_owned(),
        statistic: PairedStatistic::TimeRatio,
        median,
        interval,
        rounds: 100,
        routine_medians_ns: Vec::new(),
    }
}

#[test]
fn figures_round_trip_through_their_file_and_stale_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(PairedRatios::load_since(dir.path(), 0).unwrap(), None);
    let ratios = PairedRatios::new(vec![figure(1.5, (1.4, 1.6))]);
    let path = ratios.write_to(dir.path()).unwrap();
    assert!(path.starts_with(PairedRatios::dir(dir.path())));
    assert_eq!(
        PairedRatios::load_since(dir.path(), ratios.written_unix_s).unwrap(),
        Some(ratios.clone())
    );
    assert_eq!(
        PairedRatios::load_since(dir.path(), ratios.written_unix_s + 1).unwrap(),
        None,
        "a file older than the run is another run's"
    );
    let found = ratios.find("g/op/1", "g/anchor/1", PairedStatistic::TimeRatio);
    assert_eq!(found.map(|r| r.median), Some(1.5));
    assert!(
        ratios
            .find("g/op/1", "g/anchor/1", PairedStatistic::EfficiencyRatio)
            .is_none()
    );
}

#[test]
fn corrupt_or_impossible_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = PairedRatios::dir(dir.path()).join(PAIRED_RATIOS_FILE);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, "{ not json").unwrap();
    assert!(matches!(
        PairedRatios::load_since(dir.path(), 0),
        Err(ScorecardError::Json { .. })
    ));
    let outside = PairedRatios::new(vec![figure(2.0, (1.4, 1.6))]);
    outside.write_to(dir.path()).unwrap();
    assert!(matches!(
        PairedRatios::load_since(dir.path(), 0),
        Err(ScorecardError::InvalidEstimate { .. })
    ));
}

#[test]
fn the_half_width_is_the_wider_side() {
    let ratio = figure(2.0, (1.9, 2.2));
    assert!((ratio.relative_half_width() - 0.1).abs() < 1e-12);
    assert_eq!(ratio.describe(), "2.000 [1.900, 2.200], 100 rounds");
}
