//! A rule's numeric [`Bar`] and the [`Unit`] its value and limits print in.

use serde::Serialize;

/// A numeric bar: the value must stay below or reach a limit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bar {
    /// `value < limit`.
    Below(f64),
    /// `value <= limit`.
    AtMost(f64),
    /// `value > limit`.
    Above(f64),
    /// `value >= limit`.
    AtLeast(f64),
    /// No numeric bar.
    None,
}

impl Bar {
    /// Whether `value` meets the bar; `None` for [`Bar::None`].
    ///
    /// ```
    /// use bench_scorecard::Bar;
    /// assert_eq!(Bar::Below(2.0).passes(1.0), Some(true));
    /// assert_eq!(Bar::AtLeast(0.9).passes(0.5), Some(false));
    /// assert_eq!(Bar::None.passes(1.0), None);
    /// ```
    pub fn passes(self, value: f64) -> Option<bool> {
        match self {
            Bar::Below(limit) => Some(value < limit),
            Bar::AtMost(limit) => Some(value <= limit),
            Bar::Above(limit) => Some(value > limit),
            Bar::AtLeast(limit) => Some(value >= limit),
            Bar::None => None,
        }
    }

    /// The bar as text, its limit in `unit` (`"< 100.00 µs"`, `"-"` for none).
    pub fn describe(self, unit: Unit) -> String {
        match self {
            Bar::Below(limit) => format!("< {}", unit.format(limit)),
            Bar::AtMost(limit) => format!("<= {}", unit.format(limit)),
            Bar::Above(limit) => format!("> {}", unit.format(limit)),
            Bar::AtLeast(limit) => format!(">= {}", unit.format(limit)),
            Bar::None => "-".to_owned(),
        }
    }
}

/// How a row's value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Nanoseconds, printed as ns, µs or ms.
    Nanoseconds,
    /// Items per second.
    PerSecond,
    /// A fraction, printed as a percentage.
    Fraction,
    /// A plain ratio, printed as `1.23x`.
    Ratio,
    /// Bytes.
    Bytes,
    /// A dimensionless number (efficiency, exponent).
    Number,
}

impl Unit {
    /// `value` with its unit.
    ///
    /// ```
    /// use bench_scorecard::Unit;
    /// assert_eq!(Unit::Nanoseconds.format(1_500.0), "1.50 µs");
    /// assert_eq!(Unit::Fraction.format(0.25), "25.0 %");
    /// ```
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Nanoseconds if value >= 1e6 => format!("{:.2} ms", value / 1e6),
            Unit::Nanoseconds if value >= 1e3 => format!("{:.2} µs", value / 1e3),
            Unit::Nanoseconds => format!("{value:.1} ns"),
            Unit::PerSecond => format!("{value:.0}/s"),
            Unit::Fraction => format!("{:.1} %", value * 100.0),
            Unit::Ratio => format!("{value:.2}x"),
            Unit::Bytes => format!("{value:.1} B"),
            Unit::Number => format!("{value:.3}"),
        }
    }
}
