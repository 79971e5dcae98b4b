//! Growth exponents: a least-squares line through `(ln n, ln t)`, so that `t ~ c * n^k`.

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScorecardError};

/// The fitted `t = coefficient * n^exponent` and how well it fits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    /// `k`: 0 is flat, 1 linear.
    pub exponent: f64,
    /// `c`, in the unit of the times.
    pub coefficient: f64,
    /// Coefficient of determination of the log-log line (1 for a perfect fit, also when
    /// every time is equal).
    pub r_squared: f64,
    /// Number of points fitted.
    pub points: usize,
}

/// Fits `time ~ coefficient * size^exponent` by least squares on `(ln size, ln time)`.
///
/// ```
/// let points = [(10.0, 20.0), (100.0, 200.0), (1000.0, 2000.0)];
/// let fit = bench_scorecard::fit_power_law(&points)?;
/// assert!((fit.exponent - 1.0).abs() < 1e-9);
/// assert!((fit.coefficient - 2.0).abs() < 1e-9);
/// assert!((fit.r_squared - 1.0).abs() < 1e-9);
/// # Ok::<(), bench_scorecard::ScorecardError>(())
/// ```
///
/// # Errors
///
/// [`ScorecardError::InvalidFit`] with fewer than two points, a size or time that is not a
/// positive finite number, or sizes that are all equal.
pub fn fit_power_law(points: &[(f64, f64)]) -> Result<PowerLawFit> {
    if points.len() < 2 {
        return Err(ScorecardError::InvalidFit(format!(
            "{} point(s), at least 2 needed",
            points.len()
        )));
    }
    if let Some(&(size, time)) = points
        .iter()
        .find(|(size, time)| !(size.is_finite() && *size > 0.0 && time.is_finite() && *time > 0.0))
    {
        return Err(ScorecardError::InvalidFit(format!(
            "point ({size}, {time}) is not positive and finite"
        )));
    }
    let logs: Vec<(f64, f64)> = points.iter().map(|(n, t)| (n.ln(), t.ln())).collect();
    let count = logs.len() as f64;
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / count;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let syy: f64 = logs.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    if sxx <= f64::EPSILON {
        return Err(ScorecardError::InvalidFit("all sizes are equal".to_owned()));
    }
    let exponent = sxy / sxx;
    let intercept = mean_y - exponent * mean_x;
    let residual: f64 = logs
        .iter()
        .map(|p| (p.1 - (intercept + exponent * p.0)).powi(2))
        .sum();
    let r_squared = if syy <= f64::EPSILON {
        1.0
    } else {
        1.0 - residual / syy
    };
    Ok(PowerLawFit {
        exponent,
        coefficient: intercept.exp(),
        r_squared,
        points: points.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_series_has_zero_exponent() {
        let fit = fit_power_law(&[(1.0, 5.0), (10.0, 5.0), (100.0, 5.0)]).unwrap();
        assert!(fit.exponent.abs() < 1e-12);
        assert_eq!(fit.r_squared, 1.0);
    }

    #[test]
    fn quadratic_series_has_exponent_two() {
        let points: Vec<(f64, f64)> = (1..6).map(|i| (i as f64, 3.0 * (i * i) as f64)).collect();
        let fit = fit_power_law(&points).unwrap();
        assert!((fit.exponent - 2.0).abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn noisy_series_has_r_squared_below_one() {
        let fit = fit_power_law(&[(1.0, 1.0), (2.0, 4.0), (4.0, 3.0), (8.0, 9.0)]).unwrap();
        assert!(fit.r_squared < 0.99 && fit.r_squared > 0.0, "{fit:?}");
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(fit_power_law(&[(1.0, 1.0)]).is_err());
        assert!(fit_power_law(&[(1.0, 1.0), (0.0, 2.0)]).is_err());
        assert!(fit_power_law(&[(1.0, 1.0), (2.0, f64::NAN)]).is_err());
        assert!(fit_power_law(&[(3.0, 1.0), (3.0, 2.0)]).is_err());
    }
}
