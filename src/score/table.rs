//! Aggregation over the loaded signal table (`super::load`): the only pass over every signal.
//!
//! Data flows: records sorted by (category, cluster, province, day) → per category, on every
//! core: each cluster's first day and largest weight (source × channel) in its province cell and
//! in the nation cell → Σw, Σw², clusters per (cell, first day) → [`CellTable`], dense daily
//! series per cell; and beside them what the calendar and outages measure ([`Disturb`]). The few
//! rows a run must read one by one (the window signals of elevated cells: sources, cities,
//! hazards, evidence, parties) come from [`Rows`] (`super::rows`): an index, per cell, of the
//! table's rows from `detail_from` on whose cluster is first seen in the cell from then on
//! (integers from the same walk), and the rows a run's plan names (`super::plan`) read back with
//! every column ([`Prepared::read_rows`]: pass two, only the pieces that hold them); `Signal`s are
//! built only for those.
//!
//! `super::reference` (feature `reference`) keeps the polars plan this replaced (issue 22); the tests hold the two to
//! the same tables and alerts.

use chrono::{Datelike, NaiveDate};

use super::ScoreError;
use super::aggregate::{Cell, CellSeries, Periods};
use super::disturb::{Disturb, Outage};
use super::load::{Place, Rec, Table, on_cores};
pub use super::rows::Rows;
use super::rules::ScoringRules;
use crate::model::Channel;
use crate::store::signals::{epoch_days, from_epoch_days};

/// One (category, cell).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub category: String,
    /// `None` = the nation.
    pub province: Option<String>,
}

impl CellKey {
    pub fn cell(&self) -> Cell<'_> {
        match &self.province {
            None => Cell::Nation,
            Some(p) => Cell::Province(p),
        }
    }
}

/// Dense daily series of every (category, cell) over `start ..= start + days - 1`.
#[derive(Debug, Clone, Default)]
pub struct CellTable {
    pub start: Option<NaiveDate>,
    pub days: usize,
    /// Sorted by category, then the nation, then provinces.
    pub keys: Vec<CellKey>,
    /// Per key, per day: Σ weight of clusters first seen that day.
    pub w: Vec<Vec<f64>>,
    /// ... Σ weight².
    pub w2: Vec<Vec<f64>>,
    /// ... number of clusters.
    pub n: Vec<Vec<u32>>,
}

impl CellTable {
    /// Day index in the series (may be out of range).
    fn offset(&self, day: NaiveDate) -> i64 {
        self.start.map_or(i64::MIN / 2, |s| (day - s).num_days())
    }

    fn at<T: Copy + Default>(&self, v: &[T], day: i64) -> T {
        usize::try_from(day)
            .ok()
            .and_then(|i| v.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// Clusters of key `k` first seen from `from` to `to`.
    pub fn clusters_between(&self, k: usize, from: NaiveDate, to: NaiveDate) -> u32 {
        let (a, b) = (self.offset(from).max(0), self.offset(to));
        let Some(n) = self.n.get(k) else {
            return 0;
        };
        (a..=b).map(|d| self.at(n, d)).sum()
    }

    /// Ranges of keys of one category each, in key order.
    pub fn categories(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.keys.len() {
            let j = i + self.keys[i..]
                .iter()
                .take_while(|k| k.category == self.keys[i].category)
                .count();
            out.push(i..j);
            i = j;
        }
        out
    }

    /// The series of key `k` for one run.
    pub fn series(&self, k: usize, p: &Periods, factors: &[f64]) -> CellSeries<'_> {
        let key = &self.keys[k];
        let mut s = CellSeries {
            category: &key.category,
            cell: key.cell(),
            daily: Vec::with_capacity(p.len()),
            window_clusters: 0,
            weight_sum: 0.0,
            weight_sq: 0.0,
            factors: Vec::with_capacity(factors.len()),
            window_signals: Vec::new(),
        };
        self.fill_series(k, p, factors, &mut s);
        s
    }

    /// [`CellTable::series`] into `s`, its vectors reused (a run over every cell allocates
    /// nothing per cell); `window_signals` is left empty.
    pub fn fill_series<'t>(
        &'t self,
        k: usize,
        p: &Periods,
        factors: &[f64],
        s: &mut CellSeries<'t>,
    ) {
        let key = &self.keys[k];
        let first = self.offset(p.baseline_start);
        let len = p.len();
        // The days of the run the table holds (`a..b` of the run's days, from `first + a` in the
        // table); the others count nothing.
        let (w, w2, n) = (&self.w[k], &self.w2[k], &self.n[k]);
        let held = w.len().min(w2.len()).min(n.len()) as i64;
        let a = usize::try_from(-first).unwrap_or(0).min(len);
        let b = usize::try_from(held - first).unwrap_or(0).clamp(a, len);
        let at = |i: usize| (first + i as i64) as usize;
        s.daily.clear();
        s.daily.resize(a, 0.0);
        if a < b {
            s.daily.extend_from_slice(&w[at(a)..at(b - 1) + 1]);
        }
        s.daily.resize(len, 0.0);
        // In day order, as the series are read elsewhere (the days outside add nothing).
        let (mut weight_sum, mut weight_sq) = (0.0, 0.0);
        for i in a..b {
            weight_sum += w[at(i)];
            weight_sq += w2[at(i)];
        }
        let window = p.window_offset().clamp(a, b);
        s.window_clusters = (window..b).map(|i| n[at(i)]).sum();
        s.category = &key.category;
        s.cell = key.cell();
        s.weight_sum = weight_sum;
        s.weight_sq = weight_sq;
        s.factors.clear();
        s.factors.extend_from_slice(factors);
        s.window_signals.clear();
    }

    /// Day-of-week factors (Monday first, mean 1) of a category, from its nation cell's counts on
    /// the `history` days ending on `until`, shrunk towards 1 by `prior` pseudo-days of an average
    /// day (a category with few signals keeps factors near 1 rather than learning noise).
    /// Days marked in `skip` (calendar events, outages; by table day) are left out.
    pub fn weekday_factors(
        &self,
        nation: Option<usize>,
        until: NaiveDate,
        history: u32,
        prior: f64,
        skip: &[bool],
    ) -> [f64; 7] {
        let Some(k) = nation else {
            return [1.0; 7];
        };
        let (mut sum, mut days) = ([0.0f64; 7], [0.0f64; 7]);
        let end = self.offset(until);
        let first = (end - i64::from(history) + 1).max(0);
        let last = end.min(self.days as i64 - 1);
        let Some(start) = self.start else {
            return [1.0; 7];
        };
        let weekday0 = start.weekday().num_days_from_monday();
        let mut d = first;
        while d <= last {
            if usize::try_from(d)
                .ok()
                .and_then(|i| skip.get(i))
                .copied()
                .unwrap_or(false)
            {
                d += 1;
                continue;
            }
            // `d` ≥ 0 days after `start`.
            let wd = ((i64::from(weekday0) + d) % 7) as usize;
            sum[wd] += self.at(&self.w[k], d);
            days[wd] += 1.0;
            d += 1;
        }
        let total_days: f64 = days.iter().sum();
        if total_days == 0.0 {
            return [1.0; 7];
        }
        let mean = sum.iter().sum::<f64>() / total_days;
        if mean <= 0.0 {
            return [1.0; 7];
        }
        let f: [f64; 7] =
            std::array::from_fn(|i| (sum[i] + prior * mean) / ((days[i] + prior) * mean));
        let norm = f.iter().sum::<f64>() / 7.0;
        f.map(|x| (x / norm).clamp(0.1, 10.0))
    }
}

/// What one aggregation gives: the daily series of every cell, the detail rows, and what the
/// calendar and outages need.
pub struct Prepared {
    pub table: CellTable,
    pub rows: Rows,
    pub disturb: Disturb,
    /// Per table day: a calendar event or an outage covers it (left out of weekday patterns).
    pub skip: Vec<bool>,
}

impl Prepared {
    /// Read back the rows at `handles` (table rows of `t`, the table this was prepared from;
    /// any order, repeats allowed) with every column, replacing those read before.
    pub(super) fn read_rows(&mut self, t: &Table, handles: Vec<u32>) -> Result<(), ScoreError> {
        self.rows.read_back(t, handles)
    }

    /// The rows of every cell's window `from ..= to` ([`Rows::window`]), read back.
    #[cfg(any(test, feature = "reference"))]
    pub(super) fn read_windows(
        &mut self,
        t: &Table,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(), ScoreError> {
        let handles = (0..self.table.keys.len())
            .flat_map(|k| self.rows.window(k, from, to))
            .map(|h| h as u32)
            .collect();
        self.read_rows(t, handles)
    }
}

/// The first day a run as of `as_of` (or later) reads: its baseline's first day, or the first of
/// the weekday history before its guard band, with a day to spare.
pub(super) fn earliest_read(rules: &ScoringRules, as_of: NaiveDate) -> i32 {
    let p = super::aggregate::Periods::new(&rules.window, as_of);
    let weekday = if rules.weekday.enabled {
        rules.weekday.history_days + 1
    } else {
        0
    };
    // The provinces' shares of the nation are read over a history ending the day before the
    // baseline.
    let shares = if rules.province_prior.enabled {
        rules.province_prior.history_days + rules.window.baseline_days + 1
    } else {
        0
    };
    let history = weekday.max(shares);
    let before = u64::from(rules.window.guard_days) + 1 + u64::from(history);
    let weekday_from = p
        .window_start
        .checked_sub_days(chrono::Days::new(before))
        .unwrap_or(NaiveDate::MIN);
    epoch_days(p.baseline_start.min(weekday_from)).saturating_sub(1)
}

/// The cell code of the nation in [`CatOut`] (province codes are below it).
const NATION_CELL: u16 = u16::MAX;

/// What one run's filters make of a record.
struct Filter<'a> {
    until: i32,
    floor: i32,
    /// First day of the dense arrays of this aggregation (≤ every first day counted).
    base: i32,
    detail_from: i32,
    /// First day of the national channel series (three years back, as the calendar reads).
    channel_from: i32,
    places: &'a [Place],
    /// Per outage: the publisher code or the channel it names, its left-out days.
    outages: Vec<(Option<u16>, Option<u8>, i32, i32)>,
    /// `w = source weight × channel weight`, by channel.
    channel_weight: [f64; 5],
}

impl Filter<'_> {
    fn w(&self, r: &Rec) -> f64 {
        f64::from(r.weight) * self.channel_weight[r.chan as usize]
    }

    /// The rows of a source (or channel) outage `o` names.
    fn names(&self, o: usize, r: &Rec) -> bool {
        match self.outages[o] {
            (Some(s), _, _, _) => r.src == s,
            (None, Some(c), _, _) => r.chan == c,
            (None, None, _, _) => false,
        }
    }

    /// Left out of the counts: an outage's source from its first day to the end of its catch-up.
    fn left_out(&self, r: &Rec) -> bool {
        (0..self.outages.len()).any(|o| {
            let (_, _, from, to) = self.outages[o];
            self.names(o, r) && r.d >= from && r.d <= to
        })
    }
}

/// Dense daily sums of one cell, from `Filter::base`.
#[derive(Clone, Default)]
struct Series {
    w: Vec<f64>,
    w2: Vec<f64>,
    n: Vec<u32>,
}

/// One category's aggregation.
#[derive(Default)]
struct CatOut {
    /// Cell code (province code or [`NATION_CELL`]) → its series (empty when every cluster of
    /// the cell is older than the floor).
    cells: Cells,
    /// Detail rows: (table row, cell code, first day of its cluster in the cell, its day), by
    /// cell, day and row.
    detail: Vec<(u32, u16, i32, i32)>,
    /// National (not abroad) weight per channel, any row up to `until`.
    by_channel: [f64; 5],
    has_nation: bool,
    /// Per outage: national weight of its source's rows, and whether it has any.
    outage_w: Vec<(f64, bool)>,
    /// National weight per channel and day from `Filter::channel_from`, sources with no outage,
    /// and the first day with such a row.
    channel_daily: [Vec<f64>; 5],
    first_channel_day: Option<i32>,
}

/// The cells of one category by code: an index by cell code into the cells in order of first
/// use. SipHash on every cluster's two cells was a tenth of the aggregation (issue 48).
#[derive(Default)]
struct Cells {
    /// Per cell code + 1 (0: the nation), its place in `cells` + 1 (0: none yet).
    at: Vec<u32>,
    cells: Vec<(u16, Series)>,
}

impl Cells {
    fn slot(cell: u16) -> usize {
        if cell == NATION_CELL {
            0
        } else {
            usize::from(cell) + 1
        }
    }

    /// The series of `cell`, added empty on first use.
    fn entry(&mut self, cell: u16) -> &mut Series {
        let slot = Cells::slot(cell);
        if self.at.len() <= slot {
            self.at.resize(slot + 1, 0);
        }
        if self.at[slot] == 0 {
            self.cells.push((cell, Series::default()));
            self.at[slot] = self.cells.len() as u32;
        }
        let i = self.at[slot] as usize - 1;
        &mut self.cells[i].1
    }

    fn get(&self, cell: u16) -> Option<&Series> {
        let i = *self.at.get(Cells::slot(cell))?;
        (i > 0).then(|| &self.cells[i as usize - 1].1)
    }

    fn keys(&self) -> impl Iterator<Item = &u16> {
        self.cells.iter().map(|(c, _)| c)
    }

    fn values(&self) -> impl Iterator<Item = &Series> {
        self.cells.iter().map(|(_, s)| s)
    }
}

fn aggregate_category(recs: &[Rec], f: &Filter) -> CatOut {
    let mut out = CatOut {
        outage_w: vec![(0.0, false); f.outages.len()],
        ..CatOut::default()
    };
    let len = usize::try_from(f.until - f.base + 1).unwrap_or(0);
    let clen = usize::try_from(f.until - f.channel_from + 1).unwrap_or(0);
    let add = |out: &mut CatOut, cell: u16, first: i32, w: f64| {
        let s = out.cells.entry(cell);
        if first < f.floor {
            return;
        }
        let Some(i) = usize::try_from(first - f.base).ok().filter(|&i| i < len) else {
            return;
        };
        if s.w.is_empty() {
            *s = Series {
                w: vec![0.0; len],
                w2: vec![0.0; len],
                n: vec![0; len],
            };
        }
        s.w[i] += w;
        s.w2[i] += w * w;
        s.n[i] += 1;
    };
    let mut i = 0;
    while i < recs.len() {
        let j = i + recs[i..]
            .iter()
            .take_while(|r| r.same_cluster(&recs[i]))
            .count();
        let run = &recs[i..j];
        // The nation cell of this cluster, and each province cell.
        let (mut nation_first, mut nation_w, mut in_nation) = (i32::MAX, f64::MIN, false);
        let mut a = 0;
        while a < run.len() {
            let b = a + run[a..]
                .iter()
                .take_while(|r| r.prov == run[a].prov)
                .count();
            let place = f.places[run[a].prov as usize];
            let (mut first, mut w, mut any) = (i32::MAX, f64::MIN, false);
            for r in &run[a..b] {
                if r.d > f.until || place == Place::Abroad {
                    continue;
                }
                // What the calendar and outages measure: every national row up to `until`.
                let rw = f.w(r);
                out.has_nation = true;
                out.by_channel[r.chan as usize] += rw;
                let mut named = false;
                for o in 0..f.outages.len() {
                    if f.names(o, r) {
                        named = true;
                        out.outage_w[o].0 += rw;
                        out.outage_w[o].1 = true;
                    }
                }
                if !named && r.d >= f.channel_from {
                    let ch = &mut out.channel_daily[r.chan as usize];
                    if ch.is_empty() {
                        *ch = vec![0.0; clen];
                    }
                    ch[(r.d - f.channel_from) as usize] += rw;
                    out.first_channel_day = Some(out.first_channel_day.map_or(r.d, |x| x.min(r.d)));
                }
                if f.left_out(r) {
                    continue;
                }
                in_nation = true;
                nation_first = nation_first.min(r.d);
                nation_w = nation_w.max(rw);
                if place == Place::Province {
                    any = true;
                    first = first.min(r.d);
                    w = w.max(rw);
                }
            }
            if any {
                add(&mut out, run[a].prov, first, w);
                if first >= f.detail_from {
                    for r in &run[a..b] {
                        if r.d >= f.detail_from && r.d <= f.until && !f.left_out(r) {
                            out.detail.push((r.row, run[a].prov, first, r.d));
                        }
                    }
                }
            }
            a = b;
        }
        if in_nation {
            add(&mut out, NATION_CELL, nation_first, nation_w);
            if nation_first >= f.detail_from {
                for r in run {
                    let abroad = f.places[r.prov as usize] == Place::Abroad;
                    if !abroad && r.d >= f.detail_from && r.d <= f.until && !f.left_out(r) {
                        out.detail.push((r.row, NATION_CELL, nation_first, r.d));
                    }
                }
            }
        }
        i = j;
    }
    // Each cell's detail rows by day, then row, sorted here on the category's core: `prepare`
    // hands them to their cells in this order.
    out.detail
        .sort_unstable_by_key(|&(row, cell, _, day)| (cell, day, row));
    out
}

/// Aggregate the loaded table up to `until` (inclusive) into daily cell series for runs as of
/// `first_run` … `until`, and read back the rows from `detail_from` on for the details of
/// elevated cells. Clusters first seen before anything those runs read are old news to all of
/// them and are left out, so one signal dated 1900 (a CMS placeholder) cannot make the series
/// span centuries.
///
/// The rows of a source with an outage, from its first day down to the end of its catch-up days,
/// are left out of everything (its silence and its backlog alike); [`Disturb`] measures what the
/// expectations need to account for them.
pub fn prepare(
    t: &Table,
    rules: &ScoringRules,
    first_run: NaiveDate,
    until: NaiveDate,
    detail_from: NaiveDate,
    outages: &[Outage],
) -> Result<Prepared, ScoreError> {
    let started = std::time::Instant::now();
    let until_i = epoch_days(until);
    let floor_i = earliest_read(rules, first_run.min(until));
    let f = filter(t, rules, until_i, floor_i, epoch_days(detail_from), outages);
    let per_cat: Vec<CatOut> = on_cores(t.by_cat.len(), |c| -> Result<CatOut, ScoreError> {
        Ok(aggregate_category(&t.by_cat[c], &f))
    })?;

    let keys = cell_keys(t, &per_cat);
    let table = cell_series(&per_cat, &keys, f.base, until_i);
    let disturb = measure_disturb(t, &per_cat, &f, rules, outages);
    let skip = skipped_days(&table, rules, outages);

    // The detail rows' index, per cell; the rows themselves are read when a run knows which
    // cells need them (`Prepared::read_rows`).
    let by_key = detail_index(&per_cat, &keys, table.keys.len());
    let entries: usize = by_key.iter().map(Vec::len).sum();
    // Each cell's rows come from one category, already by (day, row) (`aggregate_category`).
    debug_assert!(
        by_key
            .iter()
            .all(|rows| rows.is_sorted_by_key(|&(r, d, _)| (d, r)))
    );
    tracing::debug!(
        cells = table.keys.len(),
        detail_rows = entries,
        aggregate_ms = started.elapsed().as_millis() as u64,
        "signal table aggregated"
    );
    Ok(Prepared {
        table,
        rows: Rows::index(by_key),
        disturb,
        skip,
    })
}

/// The filter of one preparation: the days read, the outages' rows to leave out (by source
/// index or channel) and the channel weights.
fn filter<'t>(
    t: &'t Table,
    rules: &ScoringRules,
    until_i: i32,
    floor_i: i32,
    detail_from: i32,
    outages: &[Outage],
) -> Filter<'t> {
    let catchup = rules.outage.catchup_days;
    let lo = t.day_bounds().map_or(until_i, |(lo, _)| lo);
    Filter {
        until: until_i,
        floor: floor_i,
        base: floor_i.max(lo).min(until_i),
        detail_from,
        channel_from: (until_i - 3 * 366 - 60).max(lo).min(until_i),
        places: &t.places,
        outages: outages
            .iter()
            .map(|o| {
                let src = o
                    .source
                    .as_ref()
                    .map(|s| t.sources.iter().position(|x| x == s).map(|p| p as u16));
                let chan = o
                    .channel
                    .and_then(|c| Channel::ALL.iter().position(|x| *x == c))
                    .map(|c| c as u8);
                let (from, to) = (epoch_days(o.from), epoch_days(o.excluded_until(catchup)));
                match src {
                    // A publisher the table does not hold: nothing of it to leave out.
                    Some(None) => (Some(u16::MAX), None, from, to),
                    Some(Some(s)) => (Some(s), None, from, to),
                    None => (None, chan, from, to),
                }
            })
            .collect(),
        channel_weight: Channel::ALL.map(|c| rules.channel_weight.get(c)),
    }
}

/// Cell keys with their category and cell numbers, sorted by category, then the nation, then
/// provinces.
fn cell_keys(t: &Table, per_cat: &[CatOut]) -> Vec<(CellKey, u16, u16)> {
    let mut keys: Vec<(CellKey, u16, u16)> = Vec::new();
    for (c, out) in per_cat.iter().enumerate() {
        for &cell in out.cells.keys() {
            let province = if cell == NATION_CELL {
                None
            } else {
                t.provinces[cell as usize].clone()
            };
            let category = t.categories[c].clone();
            keys.push((CellKey { category, province }, c as u16, cell));
        }
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// The daily series of every cell of `keys`, from the first day a counted cluster is first seen
/// (`base`: the epoch day of the aggregates' first slot).
fn cell_series(
    per_cat: &[CatOut],
    keys: &[(CellKey, u16, u16)],
    base: i32,
    until_i: i32,
) -> CellTable {
    // The series start on the first day a counted cluster is first seen.
    let start = per_cat
        .iter()
        .flat_map(|o| o.cells.values())
        .filter_map(|s| s.n.iter().position(|&n| n > 0))
        .min();
    match start {
        None => CellTable::default(),
        Some(s0) => {
            let series = |c: u16, cell: u16| per_cat[c as usize].cells.get(cell);
            let cut = |v: Option<&Vec<f64>>| -> Vec<f64> {
                v.filter(|v| !v.is_empty())
                    .map_or_else(Vec::new, |v| v[s0..].to_vec())
            };
            let days = usize::try_from(until_i - base + 1).unwrap_or(0) - s0;
            let fill = |v: Vec<f64>| if v.is_empty() { vec![0.0; days] } else { v };
            CellTable {
                start: Some(from_epoch_days(base + s0 as i32)),
                days,
                w: keys
                    .iter()
                    .map(|k| fill(cut(series(k.1, k.2).map(|s| &s.w))))
                    .collect(),
                w2: keys
                    .iter()
                    .map(|k| fill(cut(series(k.1, k.2).map(|s| &s.w2))))
                    .collect(),
                n: keys
                    .iter()
                    .map(|k| {
                        series(k.1, k.2)
                            .filter(|s| !s.n.is_empty())
                            .map_or_else(|| vec![0; days], |s| s.n[s0..].to_vec())
                    })
                    .collect(),
                keys: keys.iter().map(|k| k.0.clone()).collect(),
            }
        }
    }
}

/// Per cell of `keys` (`cells` of them), its detail rows as (row, day, cluster's first day).
fn detail_index(
    per_cat: &[CatOut],
    keys: &[(CellKey, u16, u16)],
    cells: usize,
) -> Vec<Vec<(u32, i32, i32)>> {
    let mut cell_key: Vec<Vec<Option<u32>>> = vec![Vec::new(); per_cat.len()];
    for (i, k) in keys.iter().enumerate() {
        let slots = &mut cell_key[k.1 as usize];
        let at = if k.2 == NATION_CELL {
            0
        } else {
            k.2 as usize + 1
        };
        if slots.len() <= at {
            slots.resize(at + 1, None);
        }
        slots[at] = Some(i as u32);
    }
    let mut by_key: Vec<Vec<(u32, i32, i32)>> = vec![Vec::new(); cells];
    if cells > 0 {
        for (c, out) in per_cat.iter().enumerate() {
            for &(row, cell, first, day) in &out.detail {
                let at = if cell == NATION_CELL {
                    0
                } else {
                    cell as usize + 1
                };
                if let Some(k) = cell_key[c].get(at).copied().flatten() {
                    by_key[k as usize].push((row, day, first));
                }
            }
        }
    }
    by_key
}

/// Per day of the table: a calendar event or a source's outage (with its catch-up days).
pub(super) fn skipped_days(
    table: &CellTable,
    rules: &ScoringRules,
    outages: &[Outage],
) -> Vec<bool> {
    let catchup = rules.outage.catchup_days;
    (0..table.days)
        .map(|i| {
            let day = table
                .start
                .map(|s| s + chrono::Duration::days(i as i64))
                .unwrap_or_default();
            rules.calendar.any_event(day)
                || outages
                    .iter()
                    .any(|o| o.from <= day && day <= o.excluded_until(catchup))
        })
        .collect()
}

/// The calendar's and the outages' measurements over the national rows (before the outages'
/// rows are left out): each category's channel mix and outage shares, and the national weight
/// per channel and day of the sources with no outage.
fn measure_disturb(
    t: &Table,
    per_cat: &[CatOut],
    f: &Filter,
    rules: &ScoringRules,
    outages: &[Outage],
) -> Disturb {
    let mut d = Disturb {
        calendar: rules.calendar.clone(),
        outages: outages.to_vec(),
        catchup_days: rules.outage.catchup_days,
        ..Disturb::default()
    };
    for (c, out) in per_cat.iter().enumerate() {
        if !out.has_nation {
            continue;
        }
        let name = &t.categories[c];
        let total: f64 = out.by_channel.iter().sum();
        let mut share = out.by_channel;
        if total > 0.0 {
            share.iter_mut().for_each(|x| *x /= total);
        }
        d.channel_share.insert(name.clone(), share);
        for (k, &(w, any)) in out.outage_w.iter().enumerate() {
            if !any {
                continue;
            }
            let v = d
                .outage_share
                .entry(name.clone())
                .or_insert_with(|| vec![0.0; outages.len()]);
            if total > 0.0 {
                v[k] = w / total;
            }
        }
    }
    // The series start on the first day any channel has a row.
    let clen = usize::try_from(f.until - f.channel_from + 1).unwrap_or(0);
    let mut sums: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::new());
    for out in per_cat {
        for (ch, v) in out.channel_daily.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if sums[ch].is_empty() {
                sums[ch] = vec![0.0; clen];
            }
            for (i, x) in v.iter().enumerate() {
                sums[ch][i] += x;
            }
        }
    }
    let first = per_cat.iter().filter_map(|o| o.first_channel_day).min();
    if let Some(first) = first {
        let s = (first - f.channel_from) as usize;
        d.start = Some(from_epoch_days(first));
        d.channel_daily = std::array::from_fn(|ch| {
            if sums[ch].is_empty() {
                vec![0.0; clen - s]
            } else {
                sums[ch][s..].to_vec()
            }
        });
    }
    d
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    use crate::model::{DocKind, Parties, Signal};
    use crate::store::signals::to_table;

    fn sig(doc: &str, day: u32, province: Option<&str>, cluster: &str, weight: f32) -> Signal {
        Signal {
            doc_id: doc.into(),
            time: Utc.with_ymd_and_hms(2026, 3, day, 1, 0, 0).unwrap(),
            category: "电动自行车".into(),
            hazard: "火灾".into(),
            severity: 4,
            province: province.map(Into::into),
            city: None,
            source: "s".into(),
            channel: Channel::Complaint,
            kind: DocKind::Complaint,
            weight,
            cluster: cluster.into(),
            parties: Parties::default(),
            product: None,
        }
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn clusters_count_once_on_their_first_day_with_their_largest_weight() {
        let signals = vec![
            sig("a", 25, Some("浙江省"), "k1", 0.5),
            sig("b", 26, Some("浙江省"), "k1", 1.0),
            sig("c", 27, Some("浙江省"), "", 0.5),
            sig("old", 10, Some("浙江省"), "old", 1.0),
            sig("repost", 28, Some("浙江省"), "old", 1.0),
            sig("n", 28, Some("全国"), "k9", 1.0),
            sig("abroad", 28, Some("境外:美国"), "k8", 1.0),
            sig("x", 28, None, "k7", 1.0),
            sig("late", 31, Some("浙江省"), "k6", 1.0),
        ];
        let rules = ScoringRules::load(None).unwrap();
        let loaded = crate::score::load_frame(to_table(&signals)).unwrap();
        let mut prep = prepare(&loaded, &rules, d(30), d(30), d(24), &[]).unwrap();
        assert_eq!(prep.rows.read(), 0, "nothing read back before a run asks");
        prep.read_windows(&loaded, d(24), d(30)).unwrap();
        let t = &prep.table;
        assert_eq!(t.keys.len(), 2);
        assert_eq!(t.keys[0].province, None, "the nation first");
        assert_eq!(t.keys[1].province.as_deref(), Some("浙江省"));
        let at = |k: usize, day: u32| t.w[k][t.offset(d(day)) as usize];
        // Complaint channel weight 1.0: k1 counts once, on the 25th, at its largest weight.
        assert_eq!((at(1, 25), at(1, 26)), (1.0, 0.0));
        assert_eq!(at(1, 27), 0.5, "no cluster: the document is its own");
        assert_eq!((at(1, 10), at(1, 28)), (1.0, 0.0), "a repost of old news");
        assert_eq!(t.clusters_between(1, d(1), d(30)), 3);
        // The nation: 浙江's 3, 全国 and the unplaced; abroad and after `until` nowhere.
        assert_eq!(t.clusters_between(0, d(1), d(30)), 5);
        // Detail rows: from the 24th, only clusters first seen then.
        let docs: Vec<String> = prep
            .rows
            .window(1, d(24), d(30))
            .into_iter()
            .map(|r| prep.rows.signal(r, None).unwrap().doc_id.clone())
            .collect();
        assert_eq!(docs, ["a", "b", "c"]);
        let own = prep.rows.window(1, d(24), d(30));
        let s = prep.rows.signal(own[1], Some(&signals)).unwrap();
        assert_eq!(s, &signals[1], "the caller's own signal, by row");
    }

    /// Regression: one signal dated 1900 (a CMS placeholder date) made the daily series start in
    /// 1900, some 46,000 days per cell on every run. It is old news to every run and must change
    /// nothing but the table's length.
    #[test]
    fn a_placeholder_date_from_1900_neither_stretches_the_table_nor_changes_the_score() {
        let rules = ScoringRules::load(None).unwrap();
        let mut signals: Vec<Signal> = (1..=28)
            .map(|day| sig(&format!("d{day}"), day, Some("浙江省"), "", 1.0))
            .collect();
        let table = |signals: &[Signal]| {
            prepare(
                &crate::score::load_frame(to_table(signals)).unwrap(),
                &rules,
                d(28),
                d(28),
                d(22),
                &[],
            )
            .unwrap()
            .table
        };
        let clean = table(&signals);
        let mut old = sig("placeholder", 1, Some("浙江省"), "", 1.0);
        old.time = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        signals.push(old);
        let t = table(&signals);
        let reach =
            usize::try_from(rules.weekday.history_days + rules.window.baseline_days).unwrap();
        assert!(t.days <= reach + 60, "{} days", t.days);
        for day in 1..=28 {
            for k in 0..t.keys.len() {
                let at = |t: &CellTable| t.w[k][t.offset(d(day)) as usize];
                assert_eq!(at(&t), at(&clean), "day {day}, key {k}");
            }
        }
        assert_eq!(
            t.weekday_factors(Some(0), d(20), rules.weekday.history_days, 8.0, &[]),
            clean.weekday_factors(Some(0), d(20), rules.weekday.history_days, 8.0, &[])
        );
    }

    #[test]
    fn weekday_factors_recover_a_weekend_dip() {
        // 20 weeks: 10 a day on weekdays, 4 on Saturdays and Sundays, every one its own cluster.
        let mut signals = Vec::new();
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(); // a Monday
        for i in 0..140 {
            let day = start + chrono::Duration::days(i);
            let n = if i % 7 >= 5 { 4 } else { 10 };
            for k in 0..n {
                let mut s = sig(&format!("{i}-{k}"), 1, Some("浙江省"), "", 1.0);
                s.time = Utc.from_utc_datetime(&day.and_hms_opt(3, 0, 0).unwrap());
                signals.push(s);
            }
        }
        let rules = ScoringRules::load(None).unwrap();
        let end = start + chrono::Duration::days(139);
        let prep = prepare(
            &crate::score::load_frame(to_table(&signals)).unwrap(),
            &rules,
            end,
            end,
            end,
            &[],
        )
        .unwrap();
        let exact = prep.table.weekday_factors(Some(0), end, 364, 0.0, &[]);
        let shrunk = prep.table.weekday_factors(Some(0), end, 364, 8.0, &[]);
        let mean = 58.0 / 7.0;
        for i in 0..7 {
            let want = if i >= 5 { 4.0 / mean } else { 10.0 / mean };
            assert!(
                (exact[i] - want).abs() < 1e-9,
                "weekday {i}: {} vs {want}",
                exact[i]
            );
            // The prior pulls towards 1, never past it.
            let (lo, hi) = (exact[i].min(1.0), exact[i].max(1.0));
            assert!(
                shrunk[i] > lo && shrunk[i] < hi,
                "weekday {i}: {}",
                shrunk[i]
            );
        }
        assert!((exact.iter().sum::<f64>() - 7.0).abs() < 1e-9);
        assert!((shrunk.iter().sum::<f64>() - 7.0).abs() < 1e-9);
        // Without history the factors are 1.
        assert_eq!(
            prep.table.weekday_factors(None, end, 364, 8.0, &[]),
            [1.0; 7]
        );
    }
}
