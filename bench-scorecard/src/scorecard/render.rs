//! How the scorecard prints: a row's value, a scaling efficiency, and the whole card as
//! Markdown tables.

use std::fmt;

use super::{Check, Scaling, Scorecard, Verdict};

impl Check {
    /// The value with its unit (and note), or why there is none.
    pub fn value_text(&self) -> String {
        match self.value {
            Some(value) => match &self.note {
                Some(note) => format!("{} ({note})", self.unit.format(value)),
                None => self.unit.format(value),
            },
            None => match (&self.goal_verdict, &self.seed_verdict) {
                (Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why), _)
                | (_, Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why)) => why.clone(),
                _ => "-".to_owned(),
            },
        }
    }
}

/// How a scaling row's efficiency is shown: the figure only where [`Scaling::trusted_efficiency`]
/// allows it, otherwise the reason in words.
///
/// ```
/// use bench_scorecard::{Scaling, efficiency_text};
/// let row = Scaling {
///     id: "g/f/2".into(), function: "f".into(), threads: 2, speedup: 5.18,
///     speedup_interval: (4.0, 6.0), efficiency: 2.59, widest_half_width: 0.3,
///     tight: false, within_cores: true,
/// };
/// assert!(efficiency_text(&row).starts_with("not shown"));
/// ```
pub fn efficiency_text(row: &Scaling) -> String {
    if !row.tight {
        format!(
            "not shown: medians ±{:.0} % or two modes",
            row.widest_half_width * 100.0
        )
    } else if row.efficiency > 1.0 {
        format!(
            "not shown: {:.0} % is above linear (measurement artefact)",
            row.efficiency * 100.0
        )
    } else if !row.within_cores {
        format!("{:.0} % (oversubscribed)", row.efficiency * 100.0)
    } else {
        format!("{:.0} %", row.efficiency * 100.0)
    }
}

impl fmt::Display for Scorecard {
    /// The scorecard as Markdown tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| criterion | value | seed bar | seed | goal | goal verdict | source |"
        )?;
        writeln!(f, "|---|---|---|---|---|---|---|")?;
        for check in &self.checks {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} | `{}` |",
                check.name,
                check.value_text(),
                check.seed_bar.describe(check.unit),
                check.seed_verdict.label(),
                check.goal_bar.describe(check.unit),
                check.goal_verdict.label(),
                check.source,
            )?;
        }
        if !self.anchors.is_empty() {
            writeln!(f, "\n| benchmark | anchor | ratio | measured |")?;
            writeln!(f, "|---|---|---|---|")?;
            for anchor in &self.anchors {
                let measured = match anchor.paired_interval {
                    Some((low, high)) => format!("paired, [{low:.2}x, {high:.2}x]"),
                    None => "medians".to_owned(),
                };
                writeln!(
                    f,
                    "| `{}` | `{}` | {:.2}x | {measured} |",
                    anchor.benchmark, anchor.anchor, anchor.ratio
                )?;
            }
        }
        if !self.scaling.is_empty() {
            writeln!(
                f,
                "\n| benchmark | threads | speed-up [95% CI] | efficiency |"
            )?;
            writeln!(f, "|---|---|---|---|")?;
            for row in &self.scaling {
                writeln!(
                    f,
                    "| `{}` | {} | {:.2}x [{:.2} .. {:.2}] | {} |",
                    row.id,
                    row.threads,
                    row.speedup,
                    row.speedup_interval.0,
                    row.speedup_interval.1,
                    efficiency_text(row)
                )?;
            }
        }
        writeln!(f, "\n| series (per element) | exponent k | R^2 | points |")?;
        writeln!(f, "|---|---|---|---|")?;
        for growth in &self.growth {
            match &growth.fit {
                Ok(fit) => writeln!(
                    f,
                    "| `{}` | {:.3} | {:.3} | {} |",
                    growth.series, fit.exponent, fit.r_squared, fit.points
                )?,
                Err(why) => writeln!(f, "| `{}` | - | - | {why} |", growth.series)?,
            }
        }
        for row in &self.bimodal {
            writeln!(
                f,
                "\nTwo modes: `{}`: {} samples near {:.0} ns, {} near {:.0} ns ({:.2}x apart).",
                row.id,
                row.modes.low_count,
                row.modes.low_ns,
                row.modes.high_count,
                row.modes.high_ns,
                row.modes.ratio()
            )?;
        }
        write!(f, "\nConcurrency judged against {} core(s).", self.cores)
    }
}
