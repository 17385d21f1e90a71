//! Aggregation: signals → one daily series of de-duplicated, weighted counts per (category, cell).
//!
//! This is the only place that looks at every signal, so it is kept apart: plain Rust now (hash
//! maps, linear in the number of signals), a polars group-by over the `signals/` Parquet partitions
//! later, with the same output. Everything after it works on cells, not signals, except the few
//! per-cell details (sources, cities, evidence) read from each cell's own window signals.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::rules::WindowRules;
use crate::model::Signal;

/// The days a scoring run looks at: baseline, guard band, window (inclusive bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub baseline_start: NaiveDate,
    pub baseline_days: u32,
    pub guard_days: u32,
    pub window_start: NaiveDate,
    pub window_days: u32,
    pub as_of: NaiveDate,
}

impl Periods {
    pub fn new(w: &WindowRules, as_of: NaiveDate) -> Periods {
        let back = |d: NaiveDate, n: u32| {
            d.checked_sub_days(Days::new(u64::from(n)))
                .unwrap_or(NaiveDate::MIN)
        };
        let window_start = back(as_of, w.window_days.saturating_sub(1));
        let baseline_start = back(window_start, w.guard_days.saturating_add(w.baseline_days));
        Periods {
            baseline_start,
            baseline_days: w.baseline_days,
            guard_days: w.guard_days,
            window_start,
            window_days: w.window_days,
            as_of,
        }
    }

    /// Days from the baseline's first to the window's last.
    pub fn len(&self) -> usize {
        self.baseline_days as usize + self.guard_days as usize + self.window_days as usize
    }

    /// Index of the window's first day in a daily series.
    pub fn window_offset(&self) -> usize {
        self.baseline_days as usize + self.guard_days as usize
    }

    /// Position of a day in a daily series; `None` outside baseline..=as_of.
    pub fn index(&self, day: NaiveDate) -> Option<usize> {
        let i = (day - self.baseline_start).num_days();
        usize::try_from(i).ok().filter(|&i| i < self.len())
    }
}

/// A scoring cell of a category: the whole nation, or one province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell<'s> {
    /// Every province, plus "全国" and unplaced signals.
    Nation,
    Province(&'s str),
}

impl<'s> Cell<'s> {
    /// The cells a signal counts in: its province (when it is one) and the nation. Places abroad
    /// count nowhere: a foreign recall is not a domestic elevation.
    fn of(province: Option<&'s str>) -> [Option<Cell<'s>>; 2] {
        match province {
            Some(p) if p.starts_with("境外") => [None, None],
            Some("全国") | None => [Some(Cell::Nation), None],
            Some(p) => [Some(Cell::Province(p)), Some(Cell::Nation)],
        }
    }
}

/// One (category, cell) and its counts.
#[derive(Debug, Clone)]
pub struct CellSeries<'s> {
    pub category: &'s str,
    pub cell: Cell<'s>,
    /// Weighted, de-duplicated count per day, index 0 = `Periods::baseline_start`. A cluster counts
    /// once, on the first day it appears in this cell, with its largest weight.
    pub daily: Vec<f64>,
    /// Distinct clusters first seen in the window.
    pub window_clusters: u32,
    /// Σw and Σw² over all counted clusters (baseline to window): their ratio turns weighted
    /// counts into effective event counts for the tests.
    pub weight_sum: f64,
    pub weight_sq: f64,
    /// Indices (into the input) of the window's signals whose cluster is counted in the window,
    /// reposts included, in input order.
    pub window_signals: Vec<usize>,
}

impl CellSeries<'_> {
    pub fn window_sum(&self, p: &Periods) -> f64 {
        self.daily
            .get(p.window_offset()..)
            .map_or(0.0, |d| d.iter().sum())
    }

    /// The baseline days' counts.
    pub fn baseline(&self, p: &Periods) -> &[f64] {
        self.daily.get(..p.baseline_days as usize).unwrap_or(&[])
    }
}

/// The cluster a signal belongs to (its own document when analysis gave none).
pub fn cluster_of(s: &Signal) -> &str {
    if s.cluster.is_empty() {
        &s.doc_id
    } else {
        &s.cluster
    }
}

/// Aggregate signals into per-(category, cell) daily series, sorted by category then cell
/// (nation first). Signals outside baseline..=as_of are ignored. Linear in the number of signals.
pub fn aggregate<'s>(
    signals: &'s [Signal],
    periods: &Periods,
    weight: &dyn Fn(&Signal) -> f64,
) -> Vec<CellSeries<'s>> {
    let len = periods.len();
    let window = periods.window_offset();
    let mut cells: Vec<CellSeries<'s>> = Vec::new();
    let mut cell_index: HashMap<(&'s str, Cell<'s>), usize> = HashMap::new();
    // (cell, cluster) → (first day index, largest weight)
    let mut clusters: HashMap<(usize, &'s str), (usize, f64)> = HashMap::new();

    for (i, s) in signals.iter().enumerate() {
        let Some(day) = periods.index(s.day()) else {
            continue;
        };
        let w = weight(s);
        let cluster = cluster_of(s);
        for cell in Cell::of(s.province.as_deref()).into_iter().flatten() {
            let c = *cell_index
                .entry((s.category.as_str(), cell))
                .or_insert_with(|| {
                    cells.push(CellSeries {
                        category: &s.category,
                        cell,
                        daily: vec![0.0; len],
                        window_clusters: 0,
                        weight_sum: 0.0,
                        weight_sq: 0.0,
                        window_signals: Vec::new(),
                    });
                    cells.len() - 1
                });
            let e = clusters.entry((c, cluster)).or_insert((day, w));
            e.0 = e.0.min(day);
            e.1 = e.1.max(w);
            if day >= window {
                cells[c].window_signals.push(i);
            }
        }
    }
    for (&(c, _), &(day, w)) in &clusters {
        let cell = &mut cells[c];
        cell.daily[day] += w;
        cell.weight_sum += w;
        cell.weight_sq += w * w;
        if day >= window {
            cell.window_clusters += 1;
        }
    }
    // A story first seen before the window and reposted in it is old news: drop its window copies.
    for (c, cell) in cells.iter_mut().enumerate() {
        cell.window_signals.retain(|&i| {
            clusters
                .get(&(c, cluster_of(&signals[i])))
                .is_some_and(|&(day, _)| day >= window)
        });
    }
    cells.sort_by(|a, b| (a.category, a.cell).cmp(&(b.category, b.cell)));
    cells
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{Channel, DocKind, Parties};

    fn sig(doc: &str, day: u32, province: Option<&str>, cluster: &str, weight: f32) -> Signal {
        Signal {
            doc_id: doc.into(),
            time: Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap(),
            category: "电动自行车".into(),
            hazard: "火灾".into(),
            severity: 4,
            province: province.map(Into::into),
            city: None,
            source: "s".into(),
            channel: Channel::Media,
            kind: DocKind::Media,
            weight,
            cluster: cluster.into(),
            parties: Parties::default(),
        }
    }

    fn periods() -> Periods {
        let w = WindowRules {
            window_days: 7,
            baseline_days: 14,
            guard_days: 2,
        };
        Periods::new(&w, NaiveDate::from_ymd_opt(2026, 3, 30).unwrap())
    }

    #[test]
    fn periods_are_contiguous() {
        let p = periods();
        assert_eq!(
            p.window_start,
            NaiveDate::from_ymd_opt(2026, 3, 24).unwrap()
        );
        assert_eq!(
            p.baseline_start,
            NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
        );
        assert_eq!(p.index(p.as_of), Some(p.len() - 1));
        assert_eq!(p.index(p.window_start), Some(p.window_offset()));
        assert_eq!(p.index(p.baseline_start), Some(0));
        assert_eq!(p.index(p.as_of.succ_opt().unwrap()), None);
    }

    #[test]
    fn clusters_count_once_with_their_largest_weight_on_their_first_day() {
        let signals = vec![
            sig("a", 25, Some("浙江省"), "k1", 0.5),
            sig("b", 26, Some("浙江省"), "k1", 1.0),
            sig("c", 27, Some("浙江省"), "k1", 0.7),
            sig("d", 27, Some("浙江省"), "", 0.5),
            sig("e", 27, Some("浙江省"), "", 0.5),
            // first seen in the baseline, reposted in the window: counts in the baseline only
            sig("f", 10, Some("浙江省"), "old", 1.0),
            sig("g", 28, Some("浙江省"), "old", 1.0),
            sig("h", 28, Some("全国"), "k9", 1.0),
            sig("i", 28, Some("境外:美国"), "k8", 1.0),
            sig("j", 28, None, "k7", 1.0),
            sig("late", 31, Some("浙江省"), "k6", 1.0),
        ];
        let p = periods();
        let cells = aggregate(&signals, &p, &|s| f64::from(s.weight));
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].cell, Cell::Nation);
        let zj = &cells[1];
        assert_eq!(zj.cell, Cell::Province("浙江省"));
        assert_eq!(zj.window_clusters, 3);
        assert!(
            (zj.window_sum(&p) - 2.0).abs() < 1e-9,
            "{}",
            zj.window_sum(&p)
        );
        assert_eq!(
            zj.daily[p
                .index(NaiveDate::from_ymd_opt(2026, 3, 25).unwrap())
                .unwrap()],
            1.0
        );
        assert!((zj.baseline(&p).iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let docs: Vec<&str> = zj
            .window_signals
            .iter()
            .map(|&i| signals[i].doc_id.as_str())
            .collect();
        assert_eq!(docs, ["a", "b", "c", "d", "e"]);
        let nation = &cells[0];
        assert_eq!(
            nation.window_clusters, 5,
            "zj's 3 + 全国 + unplaced; abroad and late excluded"
        );
    }
}
