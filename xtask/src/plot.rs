//! SVG line charts of growth (log-log time against size) and concurrency scaling.
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

/// One named line of `(x, y)` points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, in x order.
    pub points: Vec<(f64, f64)>,
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
    /// Logarithmic axes (both), for growth plots.
    pub log_log: bool,
    /// A reference line `y = x` (ideal linear scaling), if wanted.
    pub ideal_diagonal: bool,
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
    let points = series.iter().flat_map(|s| s.points.iter());
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_min = y_min.min(y);
        y_max = y_max.max(y);
    }
    if x_min > x_max || (chart.log_log && (x_min <= 0.0 || y_min <= 0.0)) {
        return Err(anyhow!("no plottable points for `{}`", chart.title));
    }
    if chart.ideal_diagonal {
        y_min = y_min.min(x_min);
        y_max = y_max.max(x_max);
    }
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(chart.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80);

    if chart.log_log {
        let mut context = builder
            .build_cartesian_2d(
                (x_min * 0.8..x_max * 1.25).log_scale(),
                (y_min * 0.7..y_max * 1.4).log_scale(),
            )
            .map_err(plot_error)?;
        context
            .configure_mesh()
            .x_desc(chart.x_label)
            .y_desc(chart.y_label)
            .draw()
            .map_err(plot_error)?;
        draw_series(&mut context, series)?;
        finish_legend(&mut context)?;
    } else {
        let x_pad = (x_max - x_min).max(1.0) * 0.05;
        let y_pad = (y_max - y_min).max(0.1) * 0.1;
        let mut context = builder
            .build_cartesian_2d(
                (x_min - x_pad)..(x_max + x_pad),
                (y_min - y_pad).min(0.0)..(y_max + y_pad),
            )
            .map_err(plot_error)?;
        context
            .configure_mesh()
            .x_desc(chart.x_label)
            .y_desc(chart.y_label)
            .draw()
            .map_err(plot_error)?;
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
        finish_legend(&mut context)?;
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
    for (index, line) in series.iter().enumerate() {
        let color = COLORS[index % COLORS.len()];
        context
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(plot_error)?
            .label(line.label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
        context
            .draw_series(
                line.points
                    .iter()
                    .map(|&point| Circle::new(point, 3, color.filled())),
            )
            .map_err(plot_error)?;
    }
    Ok(())
}

fn finish_legend<'a, X, Y>(
    context: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> anyhow::Result<()>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = f64>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = f64>,
{
    context
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(plot_error)
}

fn plot_error<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing a plot: {error}")
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
            points: vec![(100.0, 50.0), (1000.0, 55.0), (10000.0, 61.0)],
        }];
        let chart = Chart {
            title: "Growth",
            x_label: "n",
            y_label: "ns",
            log_log: true,
            ideal_diagonal: false,
        };
        line_chart(&path, &chart, &series).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..60.min(svg.len())]);
        assert!(svg.contains("store/get") && svg.contains("Growth"));

        let empty = line_chart(&dir.path().join("empty.svg"), &chart, &[]);
        assert!(empty.is_err());
    }
}
