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

#[cfg(test)]
mod tests {
    use super::*;

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
