//! SVG charts next to `report.md`: growth (log-log time per element against size, with 95 %
//! intervals), concurrency scaling (speed-up against threads, with intervals, the unshared
//! ceiling and the peers), and the history of a few key benchmarks (one point per commit).
use std::{collections::BTreeMap, fs, path::Path};

use anyhow::anyhow;
use bench_scorecard::suite as ids;
use plotters::prelude::*;
use serde::Deserialize;

use crate::harness::Evaluation;

/// One point of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// X value.
    pub x: f64,
    /// Y value.
    pub y: f64,
    /// The y value's 95 % interval, drawn as an error bar.
    pub interval: Option<(f64, f64)>,
    /// Drawn hollow: a point that is not a figure (noisy, two modes, oversubscribed).
    pub hollow: bool,
}

impl Point {
    /// A plain point.
    pub fn new(x: f64, y: f64) -> Self {
        Point {
            x,
            y,
            interval: None,
            hollow: false,
        }
    }
}

/// One named line.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, in x order.
    pub points: Vec<Point>,
    /// Drawn dashed and grey-black: a reference (the machine's ceiling).
    pub reference: bool,
}

/// How to draw a chart.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label.
    pub y_label: &'a str,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// A reference line `y = x` (ideal linear scaling), if wanted.
    pub ideal_diagonal: bool,
    /// Labels of the x ticks at 0, 1, 2, ... (commit SHAs), instead of numbers.
    pub x_tick_labels: Option<&'a [String]>,
    /// Only whole x values get a tick label (thread counts).
    pub integer_x: bool,
    /// The y axis is in nanoseconds: ticks read `1.50 µs`, `2.00 ms`.
    pub y_in_ns: bool,
    /// The legend in the lower left corner instead of the upper left.
    pub legend_low: bool,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Draws `series` into an SVG file at `path`.
pub fn line_chart(path: &Path, chart: &Chart<'_>, series: &[Series]) -> anyhow::Result<()> {
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for point in series.iter().flat_map(|s| s.points.iter()) {
        let (low, high) = point.interval.unwrap_or((point.y, point.y));
        x_min = x_min.min(point.x);
        x_max = x_max.max(point.x);
        y_min = y_min.min(point.y).min(low);
        y_max = y_max.max(point.y).max(high);
    }
    if x_min > x_max
        || (chart.log_x && x_min <= 0.0)
        || (chart.log_y && y_min <= 0.0)
        || !(x_min.is_finite() && x_max.is_finite() && y_min.is_finite() && y_max.is_finite())
    {
        return Err(anyhow!("no plottable points for `{}`", chart.title));
    }
    if chart.ideal_diagonal {
        y_min = y_min.min(x_min);
        y_max = y_max.max(x_max);
    }
    let root = SVGBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(chart.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(90);
    let x_range = if chart.log_x {
        (x_min * 0.8)..(x_max * 1.25)
    } else {
        let pad = (x_max - x_min).max(1.0) * 0.05;
        (x_min - pad)..(x_max + pad)
    };
    let y_range = if chart.log_y {
        (y_min * 0.7)..(y_max * 1.4)
    } else {
        let pad = (y_max - y_min).max(0.1) * 0.1;
        (y_min - pad).min(0.0)..(y_max + pad)
    };
    let labels = chart.x_tick_labels;
    let integer_x = chart.integer_x;
    let x_format = move |x: &f64| {
        let whole = x.round();
        let is_whole = (x - whole).abs() < 1e-6;
        match labels {
            Some(labels) if is_whole && whole >= 0.0 => {
                labels.get(whole as usize).cloned().unwrap_or_default()
            }
            Some(_) => String::new(),
            None if integer_x && is_whole => format!("{whole}"),
            None if integer_x => String::new(),
            None => format!("{x}"),
        }
    };
    let y_in_ns = chart.y_in_ns;
    let y_format = move |y: &f64| {
        if y_in_ns {
            crate::report::format_ns(*y)
        } else {
            format!("{y:.1}")
        }
    };
    // Four axis kinds; plotters types each one differently.
    macro_rules! draw {
        ($x:expr, $y:expr) => {{
            let mut context = builder.build_cartesian_2d($x, $y).map_err(plot_error)?;
            let mut mesh = context.configure_mesh();
            mesh.x_desc(chart.x_label)
                .y_desc(chart.y_label)
                .x_label_formatter(&x_format)
                .y_label_formatter(&y_format);
            if let Some(labels) = labels {
                mesh.x_labels(labels.len().max(2));
            }
            mesh.draw().map_err(plot_error)?;
            if chart.ideal_diagonal {
                context
                    .draw_series(LineSeries::new(
                        [(x_min, x_min), (x_max, x_max)],
                        BLACK.mix(0.4).stroke_width(1),
                    ))
                    .map_err(plot_error)?
                    .label("ideal (linear)")
                    .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.mix(0.4)));
            }
            draw_series(&mut context, series)?;
            context
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .position(if chart.legend_low {
                    SeriesLabelPosition::LowerLeft
                } else {
                    SeriesLabelPosition::UpperLeft
                })
                .draw()
                .map_err(plot_error)?;
        }};
    }
    match (chart.log_x, chart.log_y) {
        (true, true) => draw!(x_range.log_scale(), y_range.log_scale()),
        (true, false) => draw!(x_range.log_scale(), y_range),
        (false, true) => draw!(x_range, y_range.log_scale()),
        (false, false) => draw!(x_range, y_range),
    }
    root.present().map_err(plot_error)?;
    Ok(())
}

fn draw_series<'a, X, Y>(
    context: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    series: &[Series],
) -> anyhow::Result<()>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    let mut color_index = 0;
    for line in series {
        let color = if line.reference {
            RGBColor(40, 40, 40)
        } else {
            color_index += 1;
            COLORS[(color_index - 1) % COLORS.len()]
        };
        let points: Vec<(f64, f64)> = line.points.iter().map(|p| (p.x, p.y)).collect();
        let style = color.stroke_width(2);
        if line.reference {
            context
                .draw_series(DashedLineSeries::new(points.iter().copied(), 8, 5, style))
                .map_err(plot_error)?
                .label(line.label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], style));
        } else {
            context
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(plot_error)?
                .label(line.label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], style));
        }
        context
            .draw_series(line.points.iter().filter_map(|p| {
                let (low, high) = p.interval?;
                Some(ErrorBar::new_vertical(
                    p.x,
                    low,
                    p.y,
                    high,
                    color.stroke_width(1),
                    8,
                ))
            }))
            .map_err(plot_error)?;
        context
            .draw_series(line.points.iter().map(|p| {
                let style = if p.hollow {
                    color.stroke_width(2)
                } else {
                    color.filled()
                };
                Circle::new((p.x, p.y), if p.hollow { 5 } else { 3 }, style)
            }))
            .map_err(plot_error)?;
    }
    Ok(())
}

fn plot_error<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing a plot: {error}")
}

/// The benchmarks the history plot follows.
pub const HISTORY_BENCHMARKS: [&str; 5] = [
    "exception_store/get_exception/1000",
    "exception_store/add_exception/1000",
    "exception_detection/detect_node_exceptions/1000",
    "concurrent_operations/prespawned_store_adds/2",
    "end_to_end/complete_exception_workflow/100",
];

#[derive(Debug, Deserialize)]
struct HistoryGit {
    sha: String,
}

#[derive(Debug, Deserialize)]
struct HistoryLine {
    git: HistoryGit,
    median_ns: BTreeMap<String, f64>,
}

/// `(short SHA, medians by id)` per commit of `history.jsonl`, in the order the commits were
/// first measured; a commit measured more than once keeps its latest run. Lines that do not
/// parse are skipped.
pub fn history_by_commit(text: &str) -> Vec<(String, BTreeMap<String, f64>)> {
    let mut commits: Vec<(String, BTreeMap<String, f64>)> = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let Ok(entry) = serde_json::from_str::<HistoryLine>(line) else {
            continue;
        };
        let sha = entry.git.sha.chars().take(7).collect::<String>();
        match commits.iter_mut().find(|(known, _)| *known == sha) {
            Some((_, medians)) => *medians = entry.median_ns,
            None => commits.push((sha, entry.median_ns)),
        }
    }
    commits
}

/// Draws the report's plots into `out`; returns `(title, file name)` of each one written.
pub fn draw_report_plots(evaluation: &Evaluation, out: &Path) -> Vec<(String, String)> {
    let mut plots = Vec::new();
    let growth: Vec<Series> = evaluation
        .growth
        .iter()
        .map(|row| Series {
            label: format!("{} (k = {:.2})", row.series, row.exponent),
            points: row
                .sizes
                .iter()
                .zip(&row.per_element_ns)
                .zip(&row.per_element_ci_ns)
                .map(|((&x, &y), &interval)| Point {
                    interval: Some(interval),
                    ..Point::new(x, y)
                })
                .collect(),
            reference: false,
        })
        .collect();
    let growth_chart = Chart {
        title: "Median time per element against data size (log-log, 95% CI)",
        x_label: "size n (elements in the store, properties on the node)",
        y_label: "median time per element",
        log_x: true,
        log_y: true,
        ideal_diagonal: false,
        x_tick_labels: None,
        integer_x: false,
        y_in_ns: true,
        legend_low: false,
    };
    if !growth.is_empty() && line_chart(&out.join("growth.svg"), &growth_chart, &growth).is_ok() {
        plots.push(("Growth with data size".to_owned(), "growth.svg".to_owned()));
    }

    let mut scaling: Vec<Series> = Vec::new();
    for row in &evaluation.scaling {
        let point = Point {
            interval: Some(row.speedup_interval),
            hollow: row.efficiency.is_none(),
            ..Point::new(f64::from(row.threads), row.speedup)
        };
        match scaling
            .iter_mut()
            .find(|s| s.label.starts_with(&row.function))
        {
            Some(series) => series.points.push(point),
            None => scaling.push(Series {
                label: if row.function == ids::CONCURRENT_UNSHARED {
                    format!("{} (ceiling)", row.function)
                } else {
                    row.function.clone()
                },
                points: vec![point],
                reference: row.function == ids::CONCURRENT_UNSHARED,
            }),
        }
    }
    let scaling_chart = Chart {
        title: "Speed-up against threads (95% CI; hollow: not a figure, noisy or oversubscribed)",
        x_label: "threads",
        y_label: "speed-up over the same series on one thread",
        log_x: false,
        log_y: false,
        ideal_diagonal: true,
        x_tick_labels: None,
        integer_x: true,
        y_in_ns: false,
        legend_low: false,
    };
    if !scaling.is_empty() && line_chart(&out.join("scaling.svg"), &scaling_chart, &scaling).is_ok()
    {
        plots.push(("Concurrency scaling".to_owned(), "scaling.svg".to_owned()));
    }

    if let Ok(text) = fs::read_to_string(out.join("history.jsonl")) {
        let commits = history_by_commit(&text);
        let labels: Vec<String> = commits.iter().map(|(sha, _)| sha.clone()).collect();
        let history: Vec<Series> = HISTORY_BENCHMARKS
            .iter()
            .map(|id| Series {
                label: (*id).to_owned(),
                points: commits
                    .iter()
                    .enumerate()
                    .filter_map(|(index, (_, medians))| {
                        Some(Point::new(index as f64, *medians.get(*id)?))
                    })
                    .collect(),
                reference: false,
            })
            .filter(|series| !series.points.is_empty())
            .collect();
        let history_chart = Chart {
            title: "Key benchmarks over commits (latest run of each commit)",
            x_label: "commit",
            y_label: "median time per iteration (log)",
            log_x: false,
            log_y: true,
            ideal_diagonal: false,
            x_tick_labels: Some(&labels),
            integer_x: true,
            y_in_ns: true,
            legend_low: true,
        };
        if !history.is_empty()
            && line_chart(&out.join("history.svg"), &history_chart, &history).is_ok()
        {
            plots.push((
                "History of key benchmarks".to_owned(),
                "history.svg".to_owned(),
            ));
        }
    }
    plots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_an_svg_with_every_label() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("growth.svg");
        let series = [Series {
            label: "store/get".to_owned(),
            points: vec![
                Point::new(100.0, 50.0),
                Point {
                    interval: Some((50.0, 60.0)),
                    ..Point::new(1000.0, 55.0)
                },
                Point::new(10000.0, 61.0),
            ],
            reference: false,
        }];
        let chart = Chart {
            title: "Growth",
            x_label: "n",
            y_label: "ns",
            log_x: true,
            log_y: true,
            ideal_diagonal: false,
            x_tick_labels: None,
            integer_x: false,
            y_in_ns: true,
            legend_low: false,
        };
        line_chart(&path, &chart, &series).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..60.min(svg.len())]);
        assert!(svg.contains("store/get") && svg.contains("Growth"));

        let empty = line_chart(&dir.path().join("empty.svg"), &chart, &[]);
        assert!(empty.is_err());
    }

    #[test]
    fn history_keeps_one_point_per_commit_in_first_seen_order() {
        let text = [
            r#"{"git":{"sha":"aaaaaaaaaa"},"median_ns":{"x":1.0}}"#,
            r#"{"git":{"sha":"bbbbbbbbbb"},"median_ns":{"x":2.0}}"#,
            "not json",
            r#"{"git":{"sha":"aaaaaaaaaa"},"median_ns":{"x":3.0}}"#,
        ]
        .join("\n");
        let commits = history_by_commit(&text);
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].0, "aaaaaaa");
        assert_eq!(commits[0].1["x"], 3.0);
        assert_eq!(commits[1].1["x"], 2.0);
    }

    #[test]
    fn the_report_plots_are_drawn_from_an_evaluation() {
        use crate::report::{GrowthRow, ScalingRow};
        let dir = tempfile::tempdir().unwrap();
        let scaling = |function: &str, threads: u32, speedup: f64, shown: bool| ScalingRow {
            id: format!("concurrent_operations/{function}/{threads}"),
            function: function.to_owned(),
            threads,
            speedup,
            speedup_interval: (speedup * 0.95, speedup * 1.05),
            efficiency: shown.then_some(speedup / f64::from(threads)),
            efficiency_text: String::new(),
            within_cores: threads <= 2,
        };
        let evaluation = Evaluation {
            growth: vec![GrowthRow {
                series: "scalability/store_get".to_owned(),
                sizes: vec![100.0, 1000.0],
                per_element_ns: vec![50.0, 52.0],
                per_element_ci_ns: vec![(49.0, 51.0), (51.0, 53.0)],
                exponent: 0.02,
                r_squared: 1.0,
            }],
            scaling: vec![
                scaling(ids::CONCURRENT_UNSHARED, 1, 1.0, true),
                scaling(ids::CONCURRENT_UNSHARED, 2, 1.6, true),
                scaling(ids::CONCURRENT_PRESPAWNED, 1, 1.0, true),
                scaling(ids::CONCURRENT_PRESPAWNED, 2, 5.2, false),
            ],
            ..Evaluation::default()
        };
        std::fs::write(
            dir.path().join("history.jsonl"),
            r#"{"git":{"sha":"abcdef123"},"median_ns":{"exception_store/get_exception/1000":5000.0}}"#,
        )
        .unwrap();
        let plots = draw_report_plots(&evaluation, dir.path());
        let names: Vec<&str> = plots.iter().map(|p| p.1.as_str()).collect();
        assert_eq!(names, ["growth.svg", "scaling.svg", "history.svg"]);
        let scaling_svg = std::fs::read_to_string(dir.path().join("scaling.svg")).unwrap();
        assert!(scaling_svg.contains("(ceiling)"), "the ceiling is drawn");
        let growth_svg = std::fs::read_to_string(dir.path().join("growth.svg")).unwrap();
        assert!(growth_svg.contains("time per element"));
        let history_svg = std::fs::read_to_string(dir.path().join("history.svg")).unwrap();
        assert!(history_svg.contains("abcdef1"));
    }
}
