//! The small step plots' geometry (the congestion window over time).

/// The points of a step plot that fall on one x (within half a unit): the level
/// it enters with is the previous column's last, then it spans `low`..`high`.
#[derive(Debug, PartialEq)]
pub struct PlotColumn {
    pub x: f64,
    pub low: f64,
    pub high: f64,
    pub last: f64,
}

/// Merges the (x, y) points of a step plot into columns. The plot is 300 units
/// wide and a long lesson has thousands of points: drawn one by one they made a
/// path of thousands of segments, rebuilt on every step, that looks the same.
pub fn plot_columns(points: impl Iterator<Item = (f64, f64)>) -> Vec<PlotColumn> {
    let mut columns: Vec<PlotColumn> = Vec::new();
    for (x, y) in points {
        let entry = columns.last().map(|c| c.last);
        match columns.last_mut() {
            Some(c) if (x - c.x).abs() < 0.5 => {
                c.low = c.low.min(y);
                c.high = c.high.max(y);
                c.last = y;
            }
            _ => {
                let from = entry.unwrap_or(y);
                columns.push(PlotColumn { x, low: from.min(y), high: from.max(y), last: y });
            }
        }
    }
    columns
}

/// An SVG path for a step line through `points` (x, and y where there is a
/// value), run on to `right`. Where a point has no value (ssthresh back to
/// ∞, as an undone timeout leaves it) the line stops at its x and starts
/// again with the next value: it ran on at the cut value to the right edge
/// while the number beside the plot read ∞ (spurious_timeout).
pub fn step_path(points: impl Iterator<Item = (f64, Option<f64>)>, right: f64) -> String {
    let mut d = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let draw = |run: &mut Vec<(f64, f64)>, until: f64, d: &mut String| {
        let columns = plot_columns(run.drain(..));
        for (k, c) in columns.iter().enumerate() {
            let (cx, entry) = (c.x, columns.get(k.wrapping_sub(1)).map_or(c.last, |prev| prev.last));
            let verb = if k == 0 { "M" } else { "L" };
            d.push_str(&format!(" {verb} {cx:.1} {entry:.1}"));
            for v in [c.low, c.high, c.last] {
                d.push_str(&format!(" L {cx:.1} {v:.1}"));
            }
        }
        if let Some(c) = columns.last() {
            d.push_str(&format!(" L {until:.1} {:.1}", c.last));
        }
    };
    for (x, y) in points {
        match y {
            Some(y) => run.push((x, y)),
            None if !run.is_empty() => draw(&mut run, x, &mut d),
            None => {}
        }
    }
    draw(&mut run, right, &mut d);
    d.trim_start().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_stops_where_its_value_goes_back_to_infinity() {
        // ssthresh 14 MSS from x=10, ∞ again from x=50 (the timeout undone).
        let d = step_path([(10.0, Some(40.0)), (50.0, None), (80.0, None)].into_iter(), 290.0);
        assert_eq!(d, "M 10.0 40.0 L 10.0 40.0 L 10.0 40.0 L 10.0 40.0 L 50.0 40.0");
        // Finite again later: a second run, to the right edge.
        let d = step_path([(10.0, Some(40.0)), (50.0, None), (80.0, Some(60.0))].into_iter(), 290.0);
        assert!(d.ends_with("M 80.0 60.0 L 80.0 60.0 L 80.0 60.0 L 80.0 60.0 L 290.0 60.0"), "{d}");
    }

    #[test]
    fn points_on_one_x_merge_into_a_column_that_keeps_their_span() {
        let points = [(10.0, 50.0), (10.2, 80.0), (10.3, 20.0), (10.4, 40.0), (30.0, 60.0)];
        let columns = plot_columns(points.into_iter());
        assert_eq!(
            columns,
            [
                PlotColumn { x: 10.0, low: 20.0, high: 80.0, last: 40.0 },
                PlotColumn { x: 30.0, low: 40.0, high: 60.0, last: 60.0 },
            ]
        );
    }
}
