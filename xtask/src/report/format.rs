//! Text formatting shared by every xtask report: padded Markdown tables, durations, counts,
//! changes and short SHAs.

/// A Markdown table whose columns are padded, so it reads well in a terminal too.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| cell.replace('|', "\\|")).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}", width = *width))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&mut headers.iter().copied());
    let rules: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    out.push_str(&format!("|-{}-|\n", rules.join("-|-")));
    for row in &rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// `1.23 µs`-style durations from nanoseconds.
pub fn format_ns(ns: f64) -> String {
    if !ns.is_finite() {
        return "n/a".to_owned();
    }
    let (value, unit) = match ns.abs() {
        v if v < 1e3 => (ns, "ns"),
        v if v < 1e6 => (ns / 1e3, "µs"),
        v if v < 1e9 => (ns / 1e6, "ms"),
        _ => (ns / 1e9, "s"),
    };
    let digits = if value.abs() >= 100.0 {
        1
    } else if value.abs() >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.digits$} {unit}")
}

/// `12.3 M elem`-style counts.
pub fn format_count(count: f64, unit: &str) -> String {
    let (value, prefix) = match count.abs() {
        v if v < 1e3 => (count, ""),
        v if v < 1e6 => (count / 1e3, "K"),
        v if v < 1e9 => (count / 1e6, "M"),
        _ => (count / 1e9, "G"),
    };
    format!("{value:.2} {prefix}{unit}")
}

/// A signed percentage change from a ratio (`1.05` -> `+5.0%`).
pub fn format_change(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// The first 12 characters of a SHA.
pub fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}
