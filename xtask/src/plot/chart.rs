//! A line chart as SVG with plotters: points with 95 % error bars, hollow markers, dashed
//! reference lines, an ideal diagonal and log or linear axes.
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

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
#[derive(Debug, Clone, Default)]
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
