//! What a run decides from counts alone, before any signal is read: each category's day factors,
//! each cell's series and [`Counts`], and which cells go on to read their window's rows
//! ([`reading_rows`]: those that may become an alert or a record). `super::score_category` and
//! the replay's plan ([`planned_cells`]) share these functions, so both pick the same cells.
//!
//! Why a plan (issue 22): a replay of a year scores some 300 days × 1,000 cells, and on a typical
//! day a handful of cells in a few categories may alert. The plan runs the counts of every
//! (day, cell) — no allocation per cell, days on every core — and the replay then reads back only
//! the rows those few cells need and scores only their categories; the other categories cannot
//! make an alert that day (see [`reading_rows`]).

use std::ops::Range;

use chrono::NaiveDate;

use super::ScoringRules;
use super::aggregate::{Cell, CellSeries, Periods};
use super::disturb::RunDays;
use super::facts::{Counts, Prior, combined_test, counts};
use super::table::{CellTable, Prepared};
use crate::model::ScoreTerm;

/// One category's factor for each day of a run (weekday by its day type × calendar lift ×
/// coverage, 0 for a day left out) and the breakdown terms saying what was discounted.
pub(super) fn category_factors(
    rules: &ScoringRules,
    prep: &Prepared,
    p: &Periods,
    days: &RunDays,
    keys: Range<usize>,
) -> (Vec<f64>, Vec<ScoreTerm>) {
    let table = &prep.table;
    // Weekday pattern from the category's national counts before the guard band, so a current
    // outbreak does not shape its own expectation; calendar and outage days left out.
    let weekday = if rules.weekday.enabled {
        table.weekday_factors(
            nation_key(table, keys.clone()),
            p.baseline_end(),
            rules.weekday.history_days,
            rules.weekday.prior_days,
            &prep.skip,
        )
    } else {
        [1.0; 7]
    };
    let category = table.keys[keys.start].category.as_str();
    prep.disturb
        .factors(category, p, &weekday, days, &rules.outage)
}

/// The key of a category's nation cell among its keys, if it has one.
fn nation_key(table: &CellTable, mut keys: Range<usize>) -> Option<usize> {
    keys.find(|&k| table.keys[k].province.is_none())
}

/// The provinces' priors of one category's run (`[province_prior]`, issue 46). A province's
/// prior rate is the rest of the nation's baseline rate (the nation's less its own) × the
/// province's long-run ratio to that rest (their weights over the history before the
/// baseline): a baseline low by chance is then shrunk towards what the province usually carries
/// ([`counts`]). The rest of the nation, not the nation: a province that is most of its
/// category would otherwise be shrunk towards its own baseline. The nation is counted first (it
/// is the category's first key) and takes none.
pub(super) struct Priors {
    /// Per key of the category (position `j`): the province's history and the rest's; `None`
    /// when off, for the nation, or when either is empty.
    history: Vec<Option<(f64, f64)>>,
    /// The nation's baseline rate per average day, once counted.
    nation_rate: Option<f64>,
}

impl Priors {
    pub(super) fn of(
        rules: &ScoringRules,
        table: &CellTable,
        keys: Range<usize>,
        p: &Periods,
    ) -> Priors {
        let pp = &rules.province_prior;
        let nation = nation_key(table, keys.clone());
        // The history ends the day before the baseline: the prior is then evidence the
        // baseline does not already hold (its events are added to the baseline's). Ending with
        // the baseline counted its own days twice — all of the prior when the data begin with
        // the baseline.
        let until = p.baseline_start.pred_opt().unwrap_or(p.baseline_start);
        let total = match nation {
            Some(k) if pp.enabled => history_sum(table, k, until, pp.history_days),
            _ => 0.0,
        };
        let history = keys
            .map(|k| {
                if total <= 0.0 || Some(k) == nation {
                    return None;
                }
                let own = history_sum(table, k, until, pp.history_days);
                (own > 0.0 && total - own > 0.0).then_some((own, total - own))
            })
            .collect();
        Priors {
            history,
            nation_rate: None,
        }
    }

    /// The [`Counts`] of the category's `j`th cell (series `s`): keys in order, nation first.
    pub(super) fn counts(
        &mut self,
        rules: &ScoringRules,
        p: &Periods,
        j: usize,
        s: &CellSeries,
    ) -> Counts {
        let prior = self
            .history
            .get(j)
            .copied()
            .flatten()
            .zip(self.nation_rate)
            .map(|((own_history, rest_history), nation_rate)| Prior {
                nation_rate,
                own_history,
                rest_history,
            });
        let c = counts(rules, p, s, prior);
        if s.cell == Cell::Nation {
            self.nation_rate = Some(c.baseline_per_day);
        }
        c
    }
}

/// Key `k`'s summed weight over the `history` days ending on `until` (the days the table holds).
fn history_sum(table: &CellTable, k: usize, until: NaiveDate, history: u32) -> f64 {
    let (Some(w), Some(start)) = (table.w.get(k), table.start) else {
        return 0.0;
    };
    let end = (until - start).num_days();
    let first = (end - i64::from(history) + 1).max(0);
    let last = end.min(w.len() as i64 - 1);
    if last < first {
        return 0.0;
    }
    w[first as usize..=last as usize].iter().sum()
}

/// Key `k`'s series for one run into `s` (its vectors reused): a day left out (coverage below
/// the rules' minimum, factor 0) counts nothing, observed or expected.
pub(super) fn run_series<'t>(
    table: &'t CellTable,
    k: usize,
    p: &Periods,
    factors: &[f64],
    s: &mut CellSeries<'t>,
) {
    table.fill_series(k, p, factors, s);
    for (x, f) in s.daily.iter_mut().zip(factors) {
        if *f <= 0.0 {
            *x = 0.0;
        }
    }
}

/// Which cells of one category (`counted[j]` is key `keys.start + j`'s) read their window's
/// rows, as positions `j`; and the combined test across its provinces (p, k).
///
/// A cell reads its rows when it is elevated (it may alert), when records are kept and it is a
/// province with clusters above its expectation (a record), or when it is the nation and may be
/// a systemic rise (its own p-value or CUSUM, or the combined test across provinces). Every alert
/// and record of `super::score_category` comes from such a cell, so a category none of whose
/// cells reads rows has nothing to report on that run.
pub(super) fn reading_rows(
    rules: &ScoringRules,
    table: &CellTable,
    keys: Range<usize>,
    counted: &[Counts],
    dismissed: bool,
) -> (Vec<usize>, (f64, usize)) {
    let is_nation = |j: usize| table.keys[keys.start + j].cell() == Cell::Nation;
    let combined = combined_test(
        counted
            .iter()
            .enumerate()
            .filter(|&(j, _)| !is_nation(j))
            .map(|(_, c)| (c.observed, c.expected, super::alert::scope_p(rules, c))),
        rules.scope.systemic_min_provinces as usize,
    );
    let combined_candidate = combined.0 < rules.scope.combined_p;
    let reading = counted
        .iter()
        .enumerate()
        .filter(|&(j, c)| {
            let nation = is_nation(j);
            let record = dismissed && !nation && c.clusters > 0 && c.observed > c.expected;
            // A nation may become a systemic alert on a spread rise below the excess ratio, or
            // on the combined test across provinces.
            let spread_candidate =
                nation && (c.p < rules.detect.p_threshold || c.cusum.fired || combined_candidate);
            c.elevated || record || spread_candidate
        })
        .map(|(j, _)| j)
        .collect();
    (reading, combined)
}

/// The cells (key indices, ascending) of a run as of `as_of` over `prep` that read their
/// window's rows ([`reading_rows`]), from the counts alone.
pub(super) fn planned_cells(
    rules: &ScoringRules,
    prep: &Prepared,
    categories: &[Range<usize>],
    as_of: NaiveDate,
    dismissed: bool,
) -> Vec<usize> {
    let table = &prep.table;
    let p = Periods::new(&rules.window, as_of);
    let days = prep.disturb.run_days(&p);
    let mut out = Vec::new();
    let mut counted: Vec<Counts> = Vec::new();
    let mut buf: Option<CellSeries> = None;
    for keys in categories {
        let (factors, _) = category_factors(rules, prep, &p, &days, keys.clone());
        counted.clear();
        let mut priors = Priors::of(rules, table, keys.clone(), &p);
        for (j, k) in keys.clone().enumerate() {
            let s = match &mut buf {
                Some(s) => s,
                None => buf.insert(table.series(k, &p, &factors)),
            };
            run_series(table, k, &p, &factors, s);
            counted.push(priors.counts(rules, &p, j, s));
        }
        let (reading, _) = reading_rows(rules, table, keys.clone(), &counted, dismissed);
        out.extend(reading.into_iter().map(|j| keys.start + j));
    }
    out
}

/// Handles of the rows the cells `cells` read on a run as of `as_of`: each one's window
/// ([`super::table::Rows::window`]).
pub(super) fn window_rows(
    rules: &ScoringRules,
    prep: &Prepared,
    cells: &[usize],
    as_of: NaiveDate,
) -> Vec<u32> {
    let p = Periods::new(&rules.window, as_of);
    cells
        .iter()
        .flat_map(|&k| prep.rows.window(k, p.window_start, p.as_of))
        .map(|h| h as u32)
        .collect()
}

/// The categories (of `categories`, in order) holding one of `cells` (ascending).
pub(super) fn categories_of(categories: &[Range<usize>], cells: &[usize]) -> Vec<Range<usize>> {
    categories
        .iter()
        .filter(|keys| {
            let i = cells.partition_point(|&k| k < keys.start);
            cells.get(i).is_some_and(|&k| k < keys.end)
        })
        .cloned()
        .collect()
}
