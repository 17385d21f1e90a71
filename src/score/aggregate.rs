//! The shapes of aggregated data: the days a run looks at ([`Periods`]), scoring cells
//! ([`Cell`]) and one cell's daily series for one run ([`CellSeries`]). The aggregation itself is
//! `super::load` and `super::table`.

use chrono::{Days, NaiveDate};

use super::rules::WindowRules;

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

    /// The baseline's last day, the day before the guard band: history that a current outbreak
    /// cannot have shaped ends here (the weekday pattern, the provinces' priors).
    pub fn baseline_end(&self) -> NaiveDate {
        self.window_start
            .checked_sub_days(Days::new(u64::from(self.guard_days) + 1))
            .unwrap_or(self.window_start)
    }

    /// Index of the window's first day in a daily series.
    pub fn window_offset(&self) -> usize {
        self.baseline_days as usize + self.guard_days as usize
    }
}

/// A scoring cell of a category: the whole nation, or one province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell<'s> {
    /// Every province, plus "全国" and unplaced signals.
    Nation,
    Province(&'s str),
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
    /// Weekday factor (mean 1) of each day of `daily`: the expected share of a day's count
    /// relative to an average day (see the module docs of `super`).
    pub factors: Vec<f64>,
    /// Indices (into the run's pool of detail signals) of the window's signals whose cluster is
    /// counted in the window, reposts included. Filled only for cells that need details.
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
